//! Stories: threads of events over weeks or months, joined by shared actors and topic. A new event
//! joins the best-scoring active story or opens one; events themselves are never merged here.

use crate::features::{dense_cosine, gaussian, Centroid, DocCounts};
use storyline_text::DocFreq;

/// Story-linking feature names, in the order of [`StoryFeatures`].
pub const STORY_FEATURES: [&str; 6] =
    ["names_all", "stems_all", "time_proximity", "time_unknown", "dense", "dense_missing"];

/// Index of `dense_missing` in [`STORY_FEATURES`].
pub(crate) const STORY_DENSE_MISSING: usize = 5;

/// One value per [`STORY_FEATURES`] entry.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct StoryFeatures(pub [f32; STORY_FEATURES.len()]);

impl StoryFeatures {
    /// `(name, value)` pairs.
    pub fn named(&self) -> impl Iterator<Item = (&'static str, f32)> + '_ {
        STORY_FEATURES.iter().copied().zip(self.0.iter().copied())
    }

    /// The story features of a pair of single articles, from their event-pair features (the
    /// same square-rooted cosines and dense similarity); the pair has no times.
    pub fn from_pair(f: &crate::Features) -> StoryFeatures {
        let (dense, missing) = (crate::features::DENSE, crate::features::DENSE_MISSING);
        StoryFeatures([f.0[8], f.0[5], 0.0, 1.0, f.0[dense], f.0[missing]])
    }

    /// Whether the dense similarity is known.
    pub fn has_dense(&self) -> bool {
        self.0[STORY_DENSE_MISSING] == 0.0
    }
}

/// A story's running state.
#[derive(Debug, Clone)]
pub(crate) struct Story {
    pub centroid: Centroid,
    /// Sum of the sentence vectors of its articles, and that sum at unit length.
    pub dense: Option<(Vec<f32>, Vec<f32>)>,
    pub newest: Option<i64>,
    pub seen: i64,
    pub events: u32,
}

impl Story {
    pub fn new(seen: i64) -> Story {
        Story { centroid: Centroid::default(), dense: None, newest: None, seen, events: 0 }
    }

    /// Features of a new event, represented by its first article, against this story.
    pub fn features(
        &self,
        vectors: &crate::features::DocVectors,
        dense: Option<&[f32]>,
        time: Option<i64>,
        sigma_days: f32,
        df: &DocFreq,
    ) -> StoryFeatures {
        let mut f = StoryFeatures::default();
        f.0[0] = self.centroid.cosine(2, 2, &vectors.0[2][2], df).sqrt();
        f.0[1] = self.centroid.cosine(1, 2, &vectors.0[1][2], df).sqrt();
        match (time, self.newest) {
            (Some(t), Some(n)) => f.0[2] = gaussian((t - n) as f64, sigma_days),
            _ => f.0[3] = 1.0,
        }
        match (dense, &self.dense) {
            (Some(a), Some((_, unit))) => f.0[4] = dense_cosine(a, unit),
            _ => f.0[STORY_DENSE_MISSING] = 1.0,
        }
        f
    }

    /// Adds an article of one of the story's events. Only what story linking compares is kept:
    /// stems and names of title and body together.
    pub fn add(
        &mut self,
        counts: &DocCounts,
        dense: Option<&[f32]>,
        time: Option<i64>,
        seen: i64,
        df: &DocFreq,
        max_terms: usize,
    ) {
        if let Some(d) = dense {
            let sum = match self.dense.take() {
                Some((mut sum, _)) => {
                    sum.iter_mut().zip(d).for_each(|(s, x)| *s += x);
                    sum
                }
                None => d.to_vec(),
            };
            let norm = sum.iter().map(|x| x * x).sum::<f32>().sqrt().max(f32::MIN_POSITIVE);
            let unit = sum.iter().map(|x| x / norm).collect();
            self.dense = Some((sum, unit));
        }
        let mut kept = DocCounts::default();
        kept.counts[1][1] = counts.all(1);
        kept.counts[2][1] = counts.all(2);
        self.centroid.add(&kept, df, max_terms);
        if let Some(t) = time {
            self.newest = Some(self.newest.map_or(t, |n| n.max(t)));
        }
        self.seen = self.seen.max(seen);
    }
}

impl serde::Serialize for StoryFeatures {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(STORY_FEATURES.len()))?;
        for (k, v) in self.named() {
            m.serialize_entry(k, &v)?;
        }
        m.end()
    }
}

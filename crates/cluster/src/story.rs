//! Stories: threads of events over weeks or months, joined by shared actors and topic. A new event
//! joins the best-scoring active story or opens one; events themselves are never merged here.
//!
//! No single running average stands for a story: an average of everything a story holds comes to
//! resemble every new event (the story becomes an attractor). A story keeps, besides its summed
//! terms, a short profile of each of its latest events, and a new event is compared with those
//! one by one: the best match among the story's own events carries the decision, together with how
//! long ago the story last moved and how large it already is.

use crate::features::{above_floor, dense_cosine, gaussian, Centroid, DocCounts, DocVectors};
use storyline_text::DocFreq;

/// Story-linking feature names, in the order of [`StoryFeatures`].
pub const STORY_FEATURES: [&str; 18] = [
    "names_all",
    "stems_all",
    "time_proximity",
    "time_unknown",
    "dense",
    "dense_missing",
    "event_names_max",
    "event_stems_max",
    "event_dense_max",
    "event_stems_second",
    "time_gap_log",
    "story_size_log",
    "event_probability",
    "same_language",
    "event_dense_cross",
    "event_dense_dated",
    "lead_names",
    "event_head_max",
];

/// Index of `lead_names`: the share of the new event's main names (its first article's most
/// frequent) that the story has mentioned.
pub(crate) const LEAD_NAMES: usize = 16;

/// Index of `event_probability`: the event scorer's best probability for an event of the story
/// (the article nearly joined one of its events).
pub(crate) const EVENT_PROBABILITY: usize = 12;

/// Index of `dense` in [`STORY_FEATURES`].
pub(crate) const STORY_DENSE: usize = 4;
/// Index of `dense_missing` in [`STORY_FEATURES`].
pub(crate) const STORY_DENSE_MISSING: usize = 5;
/// Index of `event_dense_max`.
const EVENT_DENSE_MAX: usize = 8;
/// Index of `event_dense_cross` (how far the best own-event vector match rises above the
/// model's floor, as for the event feature `dense_cross`, when the story is in other
/// languages) and `event_dense_dated` (the best match when both sides have times): sentence
/// vectors carry most where words cannot (across languages) and least where times already
/// tell.
const EVENT_DENSE_CROSS: usize = 14;
const EVENT_DENSE_DATED: usize = 15;
/// Index of `event_head_max`: the best match of the new event's head (its headline and the
/// first words of its lead) with the heads of the story's own events. A report says in its
/// first lines what it is about; a story's reports keep saying it.
const EVENT_HEAD_MAX: usize = 17;

/// One value per [`STORY_FEATURES`] entry.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct StoryFeatures(pub [f32; STORY_FEATURES.len()]);

impl StoryFeatures {
    /// `(name, value)` pairs.
    pub fn named(&self) -> impl Iterator<Item = (&'static str, f32)> + '_ {
        STORY_FEATURES.iter().copied().zip(self.0.iter().copied())
    }

    /// The story features of a pair of single articles, from their event-pair features (the
    /// same square-rooted cosines and dense similarity): a story of one event, so its best event
    /// is that article; the pair has no times, and its title match stands for the head match.
    pub fn from_pair(f: &crate::Features) -> StoryFeatures {
        let (dense, missing) = (crate::features::DENSE, crate::features::DENSE_MISSING);
        StoryFeatures([
            f.0[8],
            f.0[5],
            0.0,
            1.0,
            f.0[dense],
            f.0[missing],
            f.0[8],
            f.0[5],
            f.0[dense],
            0.0,
            0.0,
            0.0,
            0.0,
            1.0,
            0.0,
            0.0,
            0.0,
            f.0[3],
        ])
    }

    /// Whether the dense similarity is known.
    pub fn has_dense(&self) -> bool {
        self.0[STORY_DENSE_MISSING] == 0.0
    }

    /// The same features as a story scorer without sentence vectors sees them.
    pub fn without_dense(mut self) -> StoryFeatures {
        self.0[STORY_DENSE] = 0.0;
        self.0[EVENT_DENSE_MAX] = 0.0;
        self.0[EVENT_DENSE_CROSS] = 0.0;
        self.0[EVENT_DENSE_DATED] = 0.0;
        self.0[STORY_DENSE_MISSING] = 1.0;
        self
    }
}

/// Most event profiles a story keeps (its latest events).
pub(crate) const MAX_PROFILES: usize = 24;
/// Terms a profile keeps per kind (the heaviest).
const PROFILE_TERMS: usize = 48;

/// What a story remembers of one of its events: the unit TF-IDF vectors of stems and names of
/// the article that opened it (heaviest terms only), its sentence vector, and its time.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub(crate) struct EventProfile {
    stems: Vec<(u64, f32)>,
    names: Vec<(u64, f32)>,
    dense: Option<Vec<i8>>,
    /// Its head: see [`head_vector`] (states stored before this field have none).
    #[serde(default)]
    head: Vec<(u64, f32)>,
}

impl EventProfile {
    pub fn new(v: &DocVectors, head: &[(u64, f32)], dense: Option<&[f32]>) -> EventProfile {
        let top = |x: &[(u64, f32)]| {
            let mut t = x.to_vec();
            if t.len() > PROFILE_TERMS {
                t.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
                t.truncate(PROFILE_TERMS);
                t.sort_unstable_by_key(|p| p.0);
            }
            t
        };
        EventProfile {
            stems: top(&v.0[1][2]),
            names: top(&v.0[2][2]),
            dense: dense.map(|d| quantise(&unit(d))),
            head: head.to_vec(),
        }
    }
}

/// Stems of the lead that count in an article's head.
const HEAD_LEAD_STEMS: usize = 24;

/// An article's head: the stems and names of its title and of the first 24 (`HEAD_LEAD_STEMS`)
/// stems of its body (names among them), TF-IDF weighted, at unit length, sorted by term.
pub fn head_vector(a: &storyline_text::Analysis, df: &DocFreq) -> Vec<(u64, f32)> {
    use storyline_text::TermCounts;
    let lead = &a.body.stems[..a.body.stems.len().min(HEAD_LEAD_STEMS)];
    // Names are a subsequence of the stems: as many as fall in the lead's share of the body.
    let share = lead.len() as f32 / a.body.stems.len().max(1) as f32;
    let names = (a.body.names.len() as f32 * share).ceil() as usize;
    let names = &a.body.names[..names.min(a.body.names.len())];
    // Lead words in more than half of the documents seen so far are left out: while a stream
    // is young, document frequencies cannot tell a newsroom's stock phrases from its topics.
    let common = |h: &&u64| df.docs() >= 2 && df.df(**h) * 2 > df.docs();
    let lead_terms = lead.iter().chain(names).filter(|h| !common(h));
    let counts = TermCounts::from_hashes(
        a.title.stems.iter().chain(&a.title.names).chain(lead_terms).copied(),
    );
    counts.tfidf(df)
}

fn unit(d: &[f32]) -> Vec<f32> {
    let n = d.iter().map(|x| x * x).sum::<f32>().sqrt();
    if n == 0.0 {
        d.to_vec()
    } else {
        d.iter().map(|x| x / n).collect()
    }
}

fn quantise(u: &[f32]) -> Vec<i8> {
    u.iter().map(|x| (x * 127.0).round().clamp(-127.0, 127.0) as i8).collect()
}

/// Cosine of two sparse vectors sorted by term, each at unit length before truncation.
fn sparse_cosine(a: &[(u64, f32)], b: &[(u64, f32)]) -> f32 {
    storyline_text::dot(a, b).clamp(0.0, 1.0)
}

/// A story's running state.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub(crate) struct Story {
    pub centroid: Centroid,
    /// Sum of the sentence vectors of its articles, and that sum at unit length.
    pub dense: Option<(Vec<f32>, Vec<f32>)>,
    pub newest: Option<i64>,
    pub seen: i64,
    pub events: u32,
    /// Profiles of its latest events, oldest first, at most [`MAX_PROFILES`].
    pub profiles: Vec<EventProfile>,
    /// Its articles by language.
    #[serde(default)]
    pub langs: Vec<(String, u32)>,
}

impl Story {
    pub fn new(seen: i64) -> Story {
        Story {
            centroid: Centroid::default(),
            dense: None,
            newest: None,
            seen,
            events: 0,
            profiles: Vec::new(),
            langs: Vec::new(),
        }
    }

    /// Features of a new event, represented by its first article, against this story.
    #[allow(clippy::too_many_arguments)]
    pub fn features(
        &self,
        vectors: &DocVectors,
        head: &[(u64, f32)],
        dense: Option<&[f32]>,
        lang: Option<&str>,
        time: Option<i64>,
        sigma_days: f32,
        dense_floor: f32,
    ) -> StoryFeatures {
        let mut f = StoryFeatures::default();
        let total: u32 = self.langs.iter().map(|(_, n)| n).sum();
        let same = self.langs.iter().find(|(l, _)| Some(l.as_str()) == lang).map_or(0, |(_, n)| *n);
        f.0[13] = if total == 0 { 1.0 } else { same as f32 / total as f32 };
        f.0[0] = self.centroid.cosine(2, 2, &vectors.0[2][2], &vectors.1[2][2]).sqrt();
        f.0[1] = self.centroid.cosine(1, 2, &vectors.0[1][2], &vectors.1[1][2]).sqrt();
        match (time, self.newest) {
            (Some(t), Some(n)) => {
                f.0[2] = gaussian((t - n) as f64, sigma_days);
                let days = ((t - n).abs() as f32 / 86_400.0).max(0.0);
                f.0[10] = ((1.0 + days).ln() / 1000f32.ln()).min(1.0);
            }
            _ => f.0[3] = 1.0,
        }
        match (dense, &self.dense) {
            (Some(a), Some((_, unit))) => f.0[STORY_DENSE] = dense_cosine(a, unit),
            _ => f.0[STORY_DENSE_MISSING] = 1.0,
        }
        // The story's own events, one by one: the best and second-best stem match, the best
        // name match and the best sentence-vector match.
        let (mut best, mut second, mut names, mut dmax) = (0.0f32, 0.0f32, 0.0f32, 0.0f32);
        let unit_dense = dense.map(unit);
        let mut head_max = 0.0f32;
        for p in &self.profiles {
            head_max = head_max.max(sparse_cosine(&p.head, head).sqrt());
            let s = sparse_cosine(&p.stems, &vectors.0[1][2]).sqrt();
            if s > best {
                second = best;
                best = s;
            } else if s > second {
                second = s;
            }
            names = names.max(sparse_cosine(&p.names, &vectors.0[2][2]).sqrt());
            if let (Some(u), Some(q)) = (&unit_dense, &p.dense) {
                let c = q.iter().zip(u).map(|(m, x)| f32::from(*m) * x).sum::<f32>() / 127.0;
                dmax = dmax.max(c);
            }
        }
        f.0[6] = names;
        f.0[7] = best;
        f.0[9] = second;
        f.0[EVENT_HEAD_MAX] = head_max;
        if f.has_dense() {
            f.0[EVENT_DENSE_MAX] = dmax;
        }
        f.0[11] = ((1.0 + self.events as f32).ln() / 100f32.ln()).min(1.0);
        f.0[EVENT_DENSE_CROSS] = above_floor(f.0[EVENT_DENSE_MAX], dense_floor) * (1.0 - f.0[13]);
        f.0[EVENT_DENSE_DATED] = f.0[EVENT_DENSE_MAX] * (1.0 - f.0[3]);
        f
    }

    /// The share of `lead` (name terms) the story's articles have mentioned (0 for none given).
    pub fn lead_names_shared(&self, lead: &[u64]) -> f32 {
        if lead.is_empty() {
            return 0.0;
        }
        let shared = lead.iter().filter(|h| self.centroid.has(2, 1, **h)).count();
        shared as f32 / lead.len() as f32
    }

    /// Records a new event of the story by the article that opened it.
    pub fn add_event(&mut self, vectors: &DocVectors, head: &[(u64, f32)], dense: Option<&[f32]>) {
        if self.profiles.len() == MAX_PROFILES {
            self.profiles.remove(0);
        }
        self.profiles.push(EventProfile::new(vectors, head, dense));
    }

    /// Adds an article of one of the story's events. Only what story linking compares is kept:
    /// stems and names of title and body together.
    #[allow(clippy::too_many_arguments)]
    pub fn add(
        &mut self,
        counts: &DocCounts,
        dense: Option<&[f32]>,
        lang: Option<&str>,
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
            let unit = unit(&sum);
            self.dense = Some((sum, unit));
        }
        if let Some(l) = lang {
            match self.langs.iter_mut().find(|(c, _)| c == l) {
                Some((_, n)) => *n += 1,
                None => self.langs.push((l.to_string(), 1)),
            }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparse_cosine_of_sorted_vectors() {
        let a = [(1, 0.6), (3, 0.8)];
        let b = [(1, 1.0)];
        assert!((sparse_cosine(&a, &b) - 0.6).abs() < 1e-6);
        assert_eq!(sparse_cosine(&a, &[(2, 1.0)]), 0.0);
    }
}

//! The scorer's parameters: one inspectable JSON file. The built-in one is
//! `resources/model/scorer.json`; `storyline train` writes a new one, `--model` reads it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::features::{Features, FEATURES};

/// The built-in model file.
pub const BUILTIN_MODEL: &str = include_str!("../../../resources/model/scorer.json");

/// A problem with a model file.
#[derive(Debug, thiserror::Error)]
#[error("model {name}: {message}")]
pub struct ModelError {
    /// The file (or "built-in").
    pub name: String,
    /// What is wrong.
    pub message: String,
}

/// A linear scorer: `p = sigmoid(bias + Σ weight_i * feature_i)`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Linear {
    /// Weight per feature name; a missing feature weighs 0.
    pub weights: BTreeMap<String, f32>,
    /// Intercept.
    pub bias: f32,
    /// Join when `p` reaches this.
    pub threshold: f32,
}

impl Linear {
    /// The weights in feature order.
    pub fn vector(&self, names: &[&str]) -> Vec<f32> {
        names.iter().map(|n| self.weights.get(*n).copied().unwrap_or(0.0)).collect()
    }
}

/// Parameters of near-copy detection.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct DedupParams {
    /// Estimated shingle Jaccard at or above which an article is a near copy.
    pub near: f32,
    /// Estimated shingle Jaccard at or above which an article is a lightly edited wire copy.
    pub wire: f32,
    /// LSH bands; `bands * rows` must not exceed the signature length (64).
    pub bands: usize,
    /// Rows per band.
    pub rows: usize,
    /// Cosine of title-and-lead sentence vectors at or above which an article in another
    /// language is checked for being a translation of an article of its candidate events.
    #[serde(default = "default_translation_lead")]
    pub translation_lead: f32,
    /// Mean best-match cosine of the first sentences at or above which it is one (the check is
    /// the caller's; see [`crate::Clusterer::add_checked`]).
    #[serde(default = "default_translation_sentences")]
    pub translation_sentences: f32,
}

fn default_translation_lead() -> f32 {
    0.8
}

fn default_translation_sentences() -> f32 {
    0.75
}

/// Parameters of event clustering other than the weights.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct EventParams {
    /// Scorer of article–event pairs over [`FEATURES`], on lexical features (used when either
    /// side has no sentence vector).
    pub scorer: Linear,
    /// Scorer used when both the article and the event have sentence vectors (the `dense`
    /// feature is then known); absent until trained with the embedding model.
    #[serde(default)]
    pub dense_scorer: Option<Linear>,
    /// The cosine of sentence vectors below which `dense_cross` (and the story feature
    /// `event_dense_cross`) is 0: about where cosines of
    /// unrelated reports in different languages end (their 99.9th percentile is near 0.5 on the
    /// dev streams; 70 gold same-event pairs across languages there have a median of 0.6).
    #[serde(default = "default_dense_cross_floor")]
    pub dense_cross_floor: f32,
    /// Characters of title and lead that go into an article's sentence vector.
    #[serde(default = "default_dense_chars")]
    pub dense_chars: usize,
    /// Width (standard deviation) of the Gaussian time proximity, in days.
    pub time_sigma_days: f32,
    /// Events whose newest article is older than this many days retire from the candidate index.
    pub window_days: f32,
    /// Events scored per article (the best by shared index terms).
    pub candidates: usize,
    /// Events nearest by sentence vector added to the candidates (when vectors are available).
    #[serde(default = "default_dense_candidates")]
    pub dense_candidates: usize,
    /// Terms per article used to query and fill the candidate index.
    pub index_terms: usize,
    /// A compound splits only into parts seen on their own in this many documents.
    pub compound_min_df: u32,
    /// Most terms an event's or story's summed counts keep per kind and field (the most
    /// frequent): bounds memory for long-running events.
    pub max_centroid_terms: usize,
}

fn default_dense_cross_floor() -> f32 {
    0.5
}

fn default_dense_chars() -> usize {
    600
}

fn default_dense_candidates() -> usize {
    5
}

/// Parameters of story linking.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct StoryParams {
    /// Scorer of event–story pairs over [`crate::story::STORY_FEATURES`], without sentence
    /// vectors.
    pub scorer: Linear,
    /// Scorer used when both the new event's first article and the story have vectors.
    #[serde(default)]
    pub dense_scorer: Option<Linear>,
    /// Width of the story time proximity, in days.
    pub time_sigma_days: f32,
    /// Stories with no new event for this many days retire from the candidate index.
    pub window_days: f32,
}

/// Where the weights came from, for people reading the file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct Provenance {
    /// Free text: data, split, command.
    pub trained_on: String,
    /// Weights training left as they were (priors, with the reason in `about`).
    #[serde(default)]
    pub fixed: Vec<String>,
    /// Notes.
    #[serde(default)]
    pub about: Vec<String>,
}

/// Everything the story engine's decisions depend on.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Model {
    /// Where the numbers came from.
    pub provenance: Provenance,
    /// Copy detection.
    pub dedup: DedupParams,
    /// Event clustering.
    pub event: EventParams,
    /// Story linking.
    pub story: StoryParams,
}

impl Model {
    /// The model compiled into the binary.
    pub fn builtin() -> Result<Model, ModelError> {
        Model::parse(BUILTIN_MODEL, "built-in")
    }

    /// Parses a model file's text; `name` is for errors.
    pub fn parse(text: &str, name: &str) -> Result<Model, ModelError> {
        let m: Model = serde_json::from_str(text)
            .map_err(|e| ModelError { name: name.into(), message: e.to_string() })?;
        m.check(name)?;
        Ok(m)
    }

    fn check(&self, name: &str) -> Result<(), ModelError> {
        let err = |message: String| Err(ModelError { name: name.into(), message });
        let dense = self.event.dense_scorer.iter().flat_map(|s| s.weights.keys());
        for k in self.event.scorer.weights.keys().chain(dense) {
            if !FEATURES.contains(&k.as_str()) {
                return err(format!(
                    "unknown event feature {k:?} (known: {})",
                    FEATURES.join(", ")
                ));
            }
        }
        let dense = self.story.dense_scorer.iter().flat_map(|s| s.weights.keys());
        for k in self.story.scorer.weights.keys().chain(dense) {
            if !crate::story::STORY_FEATURES.contains(&k.as_str()) {
                return err(format!("unknown story feature {k:?}"));
            }
        }
        if self.dedup.bands * self.dedup.rows > storyline_text::SIGNATURE_LEN
            || self.dedup.rows == 0
        {
            return err("dedup.bands * dedup.rows must be between 1 and 64".into());
        }
        if !(0.0..1.0).contains(&self.event.dense_cross_floor) {
            return err("event.dense_cross_floor must be at least 0 and below 1".into());
        }
        if self.event.time_sigma_days <= 0.0 || self.story.time_sigma_days <= 0.0 {
            return err("time_sigma_days must be positive".into());
        }
        Ok(())
    }

    /// A scorer's weights in feature order.
    pub fn weights_of(scorer: &Linear) -> Features {
        let v = scorer.vector(&FEATURES);
        let mut f = Features::default();
        f.0.copy_from_slice(&v);
        f
    }

    /// The file's text, pretty-printed.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

/// The logistic function.
pub fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_model_file_with_a_floor_outside_0_to_1_is_refused_by_name() {
        let mut v: serde_json::Value = serde_json::from_str(BUILTIN_MODEL).unwrap();
        v["event"]["dense_cross_floor"] = serde_json::json!(1.0);
        let e = Model::parse(&v.to_string(), "m.json").unwrap_err();
        assert!(
            e.to_string().contains("m.json") && e.to_string().contains("dense_cross_floor"),
            "{e}"
        );
        v["event"]["dense_cross_floor"] = serde_json::json!(0.5);
        assert!(Model::parse(&v.to_string(), "m.json").is_ok());
    }
}

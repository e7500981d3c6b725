//! SemEval-2022 Task 8 (multilingual news article similarity): pair similarity against the
//! human `Overall` grade, and the pairs as training data for the event scorer.
//!
//! The file is split in two halves by a hash of `pair_id` (see [`fold`]): `storyline train`
//! fits on the train half only, and `storyline eval semeval` reports on the test half unless
//! told otherwise. Document frequencies come from all texts of the file (no labels are read for
//! them), as the engine's own frequencies come from everything it has seen.

use std::collections::BTreeMap;
use std::path::Path;

use rayon::prelude::*;
use serde_json::{json, Value};
use storyline_cluster::model::sigmoid;
use storyline_cluster::model::Linear;
use storyline_cluster::train::{fit, plateau_threshold, FitOptions, Sample};
use storyline_cluster::{
    embedding_text, Clusterer, Doc, Features, Model, Scored, StoryFeatures, FEATURES,
    STORY_FEATURES,
};
use storyline_embed::Embedder;
use storyline_text::Analyzer;

use crate::metrics::{pearson, r4, Prf};

/// One labelled pair.
#[derive(Debug, Clone)]
pub struct Pair {
    /// `ID1_ID2`.
    pub id: String,
    /// Language of the first text.
    pub lang1: String,
    /// Language of the second text.
    pub lang2: String,
    /// First text (title and body run together).
    pub text1: String,
    /// Second text.
    pub text2: String,
    /// Human grade: 1 same event … 4 unrelated.
    pub overall: f64,
}

/// Which half of the file a pair is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fold {
    /// Used by `storyline train`.
    Train,
    /// Held out for `storyline eval semeval`.
    Test,
}

/// The half a pair belongs to: xxh3 of its `pair_id`, even for train, odd for test.
pub fn fold(pair_id: &str) -> Fold {
    if xxhash_rust::xxh3::xxh3_64(pair_id.as_bytes()).is_multiple_of(2) {
        Fold::Train
    } else {
        Fold::Test
    }
}

/// Reads the task's CSV layout.
pub fn load(path: &Path) -> Result<Vec<Pair>, String> {
    let mut reader =
        csv::Reader::from_path(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let headers = reader.headers().map_err(|e| e.to_string())?.clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| format!("{}: no column {name:?}", path.display()))
    };
    let (id, l1, l2, t1, t2, ov) = (
        col("pair_id")?,
        col("lang1")?,
        col("lang2")?,
        col("text1")?,
        col("text2")?,
        col("Overall")?,
    );
    let mut out = Vec::new();
    for (i, rec) in reader.records().enumerate() {
        let rec = rec.map_err(|e| format!("{}: record {}: {e}", path.display(), i + 1))?;
        let overall: f64 = rec[ov].trim().parse().map_err(|_| {
            format!("{}: record {}: Overall {:?} is not a number", path.display(), i + 1, &rec[ov])
        })?;
        out.push(Pair {
            id: rec[id].to_string(),
            lang1: rec[l1].to_string(),
            lang2: rec[l2].to_string(),
            text1: rec[t1].to_string(),
            text2: rec[t2].to_string(),
            overall,
        });
    }
    Ok(out)
}

/// Splits a "title and body run together" text: at the first double space within the first 250
/// bytes, else after the first sentence there, else no title.
pub fn split_title(text: &str) -> (&str, &str) {
    let t = text.trim();
    let head = &t[..t.floor_char_boundary(250)];
    if let Some(i) = head.find("  ") {
        return (t[..i].trim(), t[i..].trim());
    }
    if let Some(i) = head.find(". ") {
        return (t[..i + 1].trim(), t[i + 1..].trim());
    }
    ("", t)
}

fn doc(analyzer: &Analyzer, key: String, text: &str, lang: &str) -> Doc {
    let (title, body) = split_title(text);
    Doc {
        key,
        time: None,
        not_before: None,
        lang: Some(lang.to_string()),
        analysis: analyzer.analyze(title, body, Some(lang)),
        dense: None,
    }
}

/// Each pair scored under `model`: features, probability, and the scorer that decided. With an
/// embedder, both articles get sentence vectors of their title and lead.
pub fn score_pairs(
    pairs: &[Pair],
    model: &Model,
    embedder: Option<&Embedder>,
) -> Result<Vec<Scored>, String> {
    let analyzer = Analyzer::builtin().map_err(|e| e.to_string())?;
    let mut docs: Vec<(Doc, Doc)> = pairs
        .par_iter()
        .map(|p| {
            (
                doc(&analyzer, format!("{}#1", p.id), &p.text1, &p.lang1),
                doc(&analyzer, format!("{}#2", p.id), &p.text2, &p.lang2),
            )
        })
        .collect();
    if let Some(e) = embedder {
        let texts: Vec<String> = pairs
            .iter()
            .flat_map(|p| [&p.text1, &p.text2])
            .map(|t| {
                let (title, body) = split_title(t);
                embedding_text(title, body, model.event.dense_chars)
            })
            .collect();
        let mut vectors = e.embed(&texts).into_iter();
        for (a, b) in &mut docs {
            a.dense = vectors.next();
            b.dense = vectors.next();
        }
    }
    let mut clusterer = Clusterer::new(model.clone());
    for (a, b) in &docs {
        clusterer.observe(&a.analysis);
        clusterer.observe(&b.analysis);
    }
    Ok(docs.par_iter().map(|(a, b)| clusterer.pair(a, b)).collect())
}

/// Half-width of the probability window over which F1 is averaged to pick a threshold (the F1
/// curve on a few hundred pairs is flat and noisy around its top).
const PLATEAU: f32 = 0.05;

/// The soft target of a grade: 1 for 1 (same event) down to 0 for 4.
fn target(overall: f64) -> f32 {
    ((4.0 - overall) / 3.0).clamp(0.0, 1.0) as f32
}

/// Features as the lexical scorer sees them: no sentence vector.
fn without_dense(f: &Features) -> Vec<f32> {
    let mut x = f.0.to_vec();
    let (dense, missing) = (feature("dense"), feature("dense_missing"));
    x[dense] = 0.0;
    x[missing] = 1.0;
    x[feature("dense_cross")] = 0.0;
    x
}

fn feature(name: &str) -> usize {
    FEATURES.iter().position(|f| *f == name).expect("a known feature")
}

fn probability(scorer: &Linear, x: &[f32]) -> f32 {
    let w = scorer.vector(&FEATURES);
    sigmoid(scorer.bias + x.iter().zip(&w).map(|(a, b)| a * b).sum::<f32>())
}

/// Fits a scorer over `samples`, then its threshold: best F1 (averaged over a ±0.05 window) of
/// "same event" (Overall <= 1.5) against "different" (Overall >= 2.5).
fn fit_event(start: &Linear, fixed: &[String], samples: &[Sample], pairs: &[Pair]) -> Linear {
    let mut scorer = fit(start, &FEATURES, fixed, samples, &FitOptions::default());
    let labelled: Vec<(f32, bool)> = samples
        .iter()
        .zip(pairs)
        .filter(|(_, p)| p.overall <= 1.5 || p.overall >= 2.5)
        .map(|(s, p)| (probability(&scorer, &s.x), p.overall <= 1.5))
        .collect();
    scorer.threshold = plateau_threshold(&labelled, PLATEAU);
    scorer
}

/// Fits the event and story scorers on the train half of `path`, starting from `start`. Returns
/// the new model and a report of the fit.
///
/// - Lexical event scorer: soft targets `(4 - Overall) / 3` over the features without a sentence
///   vector; threshold: best F1 of "same event" (Overall <= 1.5) against "different"
///   (Overall >= 2.5), the definition `eval semeval` scores.
/// - Dense event scorer (with an embedder only): the same with the `dense` feature.
/// - Story scorer: binary target "same story" = Overall <= 2.5 (shared actors and topic), over the
///   square-rooted name and stem cosines; threshold: best F1 of that label.
pub fn train(
    path: &Path,
    start: &Model,
    embedder: Option<&Embedder>,
) -> Result<(Model, Value), String> {
    let pairs: Vec<Pair> = load(path)?.into_iter().filter(|p| fold(&p.id) == Fold::Train).collect();
    let scored = score_pairs(&pairs, start, embedder)?;
    let mut model = start.clone();
    let mut fixed = start.provenance.fixed.clone();
    for f in ["dense", "dense_missing", "dense_cross"] {
        if !fixed.iter().any(|x| x == f) {
            fixed.push(f.to_string());
        }
    }
    let lexical: Vec<Sample> = scored
        .iter()
        .zip(&pairs)
        .map(|(s, p)| Sample { x: without_dense(&s.features), target: target(p.overall) })
        .collect();
    model.event.scorer = fit_event(&start.event.scorer, &fixed, &lexical, &pairs);
    let mut report_cv =
        json!({"lexical": cross_validate(&lexical, &pairs, &start.event.scorer, &fixed)});
    if embedder.is_some() {
        let dense: Vec<Sample> = scored
            .iter()
            .zip(&pairs)
            .map(|(s, p)| Sample { x: s.features.0.to_vec(), target: target(p.overall) })
            .collect();
        let dense_fixed: Vec<String> = fixed.iter().filter(|f| *f != "dense").cloned().collect();
        let dense_start =
            start.event.dense_scorer.clone().unwrap_or_else(|| start.event.scorer.clone());
        model.event.dense_scorer = Some(fit_event(&dense_start, &dense_fixed, &dense, &pairs));
        report_cv["dense"] = cross_validate(&dense, &pairs, &dense_start, &dense_fixed);
        let lex_pred = cv_predictions(&lexical, &start.event.scorer, &fixed);
        let dense_pred = cv_predictions(&dense, &dense_start, &dense_fixed);
        let hybrid: Vec<f64> = pairs
            .iter()
            .zip(lex_pred.iter().zip(&dense_pred))
            .map(|(p, (l, d))| if p.lang1 == p.lang2 { *l } else { *d })
            .collect();
        let gold: Vec<f64> = pairs.iter().map(|p| -p.overall).collect();
        report_cv["hybrid_dense_across_languages"] = json!(pearson(&hybrid, &gold).map(r4));
        report_cv["same_event"] = agreement_cv(&pairs, &lex_pred, &dense_pred);
    }

    // Story scorers: target "same story" = Overall <= 2.5; the lexical one without vectors, the
    // dense one (with the encoder) with them.
    let story_target = |p: &Pair| f32::from(u8::from(p.overall <= 2.5));
    let lexical_stories: Vec<Sample> = scored
        .iter()
        .zip(&pairs)
        .map(|(s, p)| {
            let mut x = StoryFeatures::from_pair(&s.features).0.to_vec();
            let n = x.len();
            x[n - 2] = 0.0;
            x[n - 1] = 1.0;
            Sample { x, target: story_target(p) }
        })
        .collect();
    model.story.scorer = fit_story(&start.story.scorer, &fixed, &lexical_stories);
    if embedder.is_some() {
        let dense_stories: Vec<Sample> = scored
            .iter()
            .zip(&pairs)
            .map(|(s, p)| Sample {
                x: StoryFeatures::from_pair(&s.features).0.to_vec(),
                target: story_target(p),
            })
            .collect();
        let dense_fixed: Vec<String> = fixed.iter().filter(|f| *f != "dense").cloned().collect();
        let dense_start =
            start.story.dense_scorer.clone().unwrap_or_else(|| start.story.scorer.clone());
        model.story.dense_scorer = Some(fit_story(&dense_start, &dense_fixed, &dense_stories));
    }
    model.provenance.trained_on = format!(
        "{} pairs of the train half of {} (xxh3(pair_id) even): `storyline train --semeval`{}. Event \
         scorers: soft targets (4 - Overall) / 3, threshold = best F1 (averaged over +-0.05) of \
         Overall <= 1.5 against Overall >= 2.5; the lexical one without sentence vectors, the dense \
         one with them. Story scorers: target Overall <= 2.5, threshold = best F1 (averaged over \
         +-0.05) of that label; the dense one with the story's sentence vector.",
        pairs.len(),
        path.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
        if embedder.is_some() { " with the USE multilingual v3 model" } else { "" }
    );
    let report = report(&pairs, &score_pairs(&pairs, &model, embedder)?, &model);
    Ok((
        model,
        json!({"pairs": pairs.len(), "cross_validated_on_train_half": report_cv, "fit_on_train_half": report}),
    ))
}

/// Fits a story scorer and its threshold: best F1 (averaged over a ±0.05 window) of its label.
fn fit_story(start: &Linear, fixed: &[String], samples: &[Sample]) -> Linear {
    let mut scorer = fit(start, &STORY_FEATURES, fixed, samples, &FitOptions::default());
    let w = scorer.vector(&STORY_FEATURES);
    let labelled: Vec<(f32, bool)> = samples
        .iter()
        .map(|s| {
            (
                sigmoid(scorer.bias + s.x.iter().zip(&w).map(|(a, b)| a * b).sum::<f32>()),
                s.target > 0.5,
            )
        })
        .collect();
    scorer.threshold = plateau_threshold(&labelled, PLATEAU);
    scorer
}

/// Out-of-fold probabilities of five-fold cross-validation inside the train half (pair `i` in
/// fold `i % 5`).
fn cv_predictions(samples: &[Sample], start: &Linear, fixed: &[String]) -> Vec<f64> {
    let mut predicted = vec![0.0f64; samples.len()];
    for k in 0..5 {
        let train: Vec<Sample> = samples
            .iter()
            .enumerate()
            .filter(|(i, _)| i % 5 != k)
            .map(|(_, s)| s.clone())
            .collect();
        let w = fit(start, &FEATURES, fixed, &train, &FitOptions::default());
        for (i, s) in samples.iter().enumerate().filter(|(i, _)| i % 5 == k) {
            predicted[i] = f64::from(probability(&w, &s.x));
        }
    }
    predicted
}

/// Same-event decisions from cross-validated probabilities, each scorer's threshold the best
/// F1 plateau of its own predictions: the dense scorer alone, and the dense scorer with the
/// lexical one's agreement required where both texts share a language (`agreement`).
fn agreement_cv(pairs: &[Pair], lexical: &[f64], dense: &[f64]) -> Value {
    let decided: Vec<usize> =
        (0..pairs.len()).filter(|i| pairs[*i].overall <= 1.5 || pairs[*i].overall >= 2.5).collect();
    let truth = |i: usize| pairs[i].overall <= 1.5;
    let threshold = |pred: &[f64]| {
        let labelled: Vec<(f32, bool)> =
            decided.iter().map(|i| (pred[*i] as f32, truth(*i))).collect();
        f64::from(plateau_threshold(&labelled, PLATEAU))
    };
    let (tl, td) = (threshold(lexical), threshold(dense));
    let prf = |yes: &dyn Fn(usize) -> bool| {
        let (mut tp, mut predicted, mut positives) = (0u64, 0u64, 0u64);
        for &i in &decided {
            tp += u64::from(yes(i) && truth(i));
            predicted += u64::from(yes(i));
            positives += u64::from(truth(i));
        }
        let p = Prf::from_counts(tp, predicted, positives);
        json!({"precision": r4(p.precision), "recall": r4(p.recall), "f1": r4(p.f1)})
    };
    let same_language = |i: usize| pairs[i].lang1 == pairs[i].lang2;
    json!({
        "lexical_threshold": r4(tl), "dense_threshold": r4(td),
        "lexical": prf(&|i| lexical[i] >= tl),
        "dense": prf(&|i| dense[i] >= td),
        "agreement": prf(&|i| dense[i] >= td && (!same_language(i) || lexical[i] >= tl)),
    })
}

/// Five-fold cross-validation inside the train half: the figure to compare design choices by
/// without looking at the test half.
fn cross_validate(samples: &[Sample], pairs: &[Pair], start: &Linear, fixed: &[String]) -> Value {
    let sim = cv_predictions(samples, start, fixed);
    let gold: Vec<f64> = pairs.iter().map(|p| -p.overall).collect();
    let de: (Vec<f64>, Vec<f64>) = pairs
        .iter()
        .zip(sim.iter().zip(&gold))
        .filter(|(p, _)| p.lang1 == "de" && p.lang2 == "de")
        .map(|(_, (s, g))| (*s, *g))
        .unzip();
    json!({"pearson": pearson(&sim, &gold).map(r4), "pearson_de_de": pearson(&de.0, &de.1).map(r4)})
}

/// Evaluates `model` on the test half of `path` (or on every pair with `all`).
pub fn evaluate(
    path: &Path,
    model: &Model,
    embedder: Option<&Embedder>,
    all: bool,
) -> Result<Value, String> {
    let pairs: Vec<Pair> =
        load(path)?.into_iter().filter(|p| all || fold(&p.id) == Fold::Test).collect();
    let scored = score_pairs(&pairs, model, embedder)?;
    let mut m = report(&pairs, &scored, model);
    m["split"] = json!(if all {
        "all pairs (includes the train half)"
    } else {
        "test half: xxh3(pair_id) odd"
    });
    m["embeddings"] = json!(embedder.is_some());
    Ok(m)
}

fn report(pairs: &[Pair], scored: &[Scored], model: &Model) -> Value {
    let clusterer = Clusterer::new(model.clone());
    let sim: Vec<f64> = scored.iter().map(|s| f64::from(s.probability)).collect();
    let gold: Vec<f64> = pairs.iter().map(|p| -p.overall).collect();
    let mut by_pair: BTreeMap<String, (Vec<f64>, Vec<f64>)> = BTreeMap::new();
    for ((p, s), g) in pairs.iter().zip(&sim).zip(&gold) {
        let e = by_pair.entry(format!("{}-{}", p.lang1, p.lang2)).or_default();
        e.0.push(*s);
        e.1.push(*g);
    }
    let pearson_by_pair: BTreeMap<String, Value> = by_pair
        .iter()
        .map(|(k, (s, g))| (k.clone(), json!({"pearson": pearson(s, g).map(r4), "pairs": s.len()})))
        .collect();
    let (mut tp, mut predicted, mut positives, mut decided) = (0u64, 0u64, 0u64, 0u64);
    for (s, p) in scored.iter().zip(pairs) {
        if p.overall > 1.5 && p.overall < 2.5 {
            continue;
        }
        decided += 1;
        let (yes, truth) = (s.probability >= clusterer.threshold(s.scorer), p.overall <= 1.5);
        tp += u64::from(yes && truth);
        predicted += u64::from(yes);
        positives += u64::from(truth);
    }
    let prf = Prf::from_counts(tp, predicted, positives);
    json!({
        "pairs": pairs.len(),
        "pearson": pearson(&sim, &gold).map(r4),
        "pearson_by_pair": pearson_by_pair,
        "precision": r4(prf.precision),
        "recall": r4(prf.recall),
        "f1": r4(prf.f1),
        "same_event_pairs_decided": decided,
        "threshold": model.event.scorer.threshold,
        "dense_threshold": model.event.dense_scorer.as_ref().map(|s| s.threshold),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_split_at_a_double_space_or_first_sentence() {
        assert_eq!(split_title(" Kim reist  Der Zug fährt."), ("Kim reist", "Der Zug fährt."));
        assert_eq!(split_title("Kim reist. Der Zug fährt."), ("Kim reist.", "Der Zug fährt."));
        assert_eq!(split_title("ohne Punkt"), ("", "ohne Punkt"));
    }

    #[test]
    fn folds_are_stable_and_roughly_even() {
        assert_eq!(fold("1484084337_1484110209"), fold("1484084337_1484110209"));
        let train = (0..1000).filter(|i| fold(&format!("{i}_{}", i * 7)) == Fold::Train).count();
        assert!((400..600).contains(&train), "{train}");
    }
}

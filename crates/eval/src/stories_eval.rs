//! Event and story grouping of the seed sample against its `gold.json`. Labelled streams in the
//! layout of Miranda et al. 2018 are scored through the engine by [`crate::streams`].
//!
//! Both go through the real pipeline: read, normalise (title, date, language, boilerplate), then
//! the online clusterer in stream order.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use rayon::prelude::*;
use serde_json::{json, Value};
use storyline_cluster::{attach_vectors, stream_order, Clusterer, Doc, Model};
use storyline_embed::Embedder;
use storyline_ingest::{read_input, Article, Input, NoHistory, Normaliser, ReadOptions};
use storyline_text::Analyzer;

use crate::metrics::{bcubed, pairwise, r4};

/// Reads and normalises every document under `path`; rejects are returned as messages.
pub fn read_articles(path: &Path, normaliser: &Normaliser) -> (Vec<Article>, Vec<String>) {
    let mut raws = Vec::new();
    let mut rejects = Vec::new();
    let input = Input::from_arg(&path.to_string_lossy());
    read_input(&input, &ReadOptions::default(), &mut |r| match r {
        Ok(doc) => raws.push(doc),
        Err(e) => rejects.push(e.to_string()),
    });
    let results: Vec<_> =
        raws.into_par_iter().map(|d| normaliser.normalise(d, &NoHistory)).collect();
    let mut articles = Vec::new();
    for r in results {
        match r {
            Ok(n) => articles.push(n.article),
            Err(e) => rejects.push(e.to_string()),
        }
    }
    (articles, rejects)
}

/// The gold key of an article: the id its source gave (file stem or JSONL `id`).
fn key(a: &Article) -> String {
    a.source.external_id.clone().unwrap_or_else(|| a.id.as_str().to_string())
}

/// Clusters `articles` as one stream, in stream order (arrival order where dates are missing).
/// Returns per article (same order as given) its predicted event and story, as `all/number`.
pub fn cluster_articles(
    articles: &[Article],
    model: &Model,
    embedder: Option<&Embedder>,
) -> Result<Vec<(String, String)>, String> {
    let analyzer = Analyzer::builtin().map_err(|e| e.to_string())?;
    let mut docs: Vec<Doc> = articles.par_iter().map(|a| Doc::from_article(&analyzer, a)).collect();
    if let Some(e) = embedder {
        let refs: Vec<&Article> = articles.iter().collect();
        attach_vectors(&mut docs, &refs, model.event.dense_chars, |t| e.embed(t));
    }
    let times: Vec<Option<i64>> =
        articles.iter().map(|a| a.date.as_ref().map(|d| d.start_utc.timestamp())).collect();
    let mut out = vec![(String::new(), String::new()); articles.len()];
    let mut clusterer = Clusterer::new(model.clone());
    for i in stream_order(&times) {
        let a = clusterer.add(&docs[i]);
        tracing::debug!(key = %key(&articles[i]), assignment = %serde_json::to_string(&a).unwrap_or_default(), "clustered");
        out[i] = (format!("all/{}", a.event), format!("all/{}", a.story));
    }
    Ok(out)
}

fn grouping(gold: &[String], pred: &[String]) -> Value {
    let p = pairwise(gold, pred);
    let b = bcubed(gold, pred);
    let count = |v: &[String]| v.iter().collect::<std::collections::HashSet<_>>().len();
    json!({
        "precision": r4(p.precision), "recall": r4(p.recall), "f1": r4(p.f1),
        "bcubed_precision": r4(b.precision), "bcubed_recall": r4(b.recall), "bcubed_f1": r4(b.f1),
        "gold_clusters": count(gold), "predicted_clusters": count(pred),
        "exact": partition(gold) == partition(pred),
    })
}

/// The partition as sorted groups of item indices, to compare two labelings.
fn partition(labels: &[String]) -> Vec<Vec<usize>> {
    let mut groups: HashMap<&String, Vec<usize>> = HashMap::new();
    for (i, l) in labels.iter().enumerate() {
        groups.entry(l).or_default().push(i);
    }
    let mut v: Vec<Vec<usize>> = groups.into_values().collect();
    v.sort();
    v
}

/// The seed sample in `dir` (its `*.txt` files) against `dir/gold.json`.
pub fn seeds(
    dir: &Path,
    model: &Model,
    embedder: Option<&Embedder>,
    normaliser: &Normaliser,
) -> Result<Value, String> {
    let gold_path = dir.join("gold.json");
    let gold: Value = serde_json::from_str(
        &std::fs::read_to_string(&gold_path)
            .map_err(|e| format!("{}: {e}", gold_path.display()))?,
    )
    .map_err(|e| format!("{}: {e}", gold_path.display()))?;
    let mut event_of: HashMap<String, String> = HashMap::new();
    for (i, ev) in gold["events"].as_array().ok_or("gold.json: no events")?.iter().enumerate() {
        for a in ev["articles"].as_array().ok_or("gold.json: event without articles")? {
            event_of.insert(a.as_str().unwrap_or_default().to_string(), format!("E{i}"));
        }
    }
    let story_articles = gold["story"]["articles"].as_array().ok_or("gold.json: no story")?;
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    let (mut articles, mut rejects) = (Vec::new(), Vec::new());
    for f in files {
        let (a, r) = read_articles(&f, normaliser);
        articles.extend(a);
        rejects.extend(r);
    }
    articles.retain(|a| event_of.contains_key(&key(a)));
    articles.sort_by_key(key);
    if articles.len() != event_of.len() {
        return Err(format!(
            "found {} of the {} gold articles ({rejects:?})",
            articles.len(),
            event_of.len()
        ));
    }
    let pred = cluster_articles(&articles, model, embedder)?;
    let gold_events: Vec<String> = articles.iter().map(|a| event_of[&key(a)].clone()).collect();
    let gold_stories: Vec<String> = articles
        .iter()
        .map(|a| {
            if story_articles.iter().any(|s| s.as_str() == Some(&key(a))) {
                "S0".into()
            } else {
                key(a)
            }
        })
        .collect();
    let (pe, ps): (Vec<String>, Vec<String>) = pred.into_iter().unzip();
    let mut events = grouping(&gold_events, &pe);
    let stories = grouping(&gold_stories, &ps);
    let assignments: BTreeMap<String, Value> = articles
        .iter()
        .zip(pe.iter().zip(&ps))
        .map(|(a, (e, s))| (key(a), json!({"event": e, "story": s})))
        .collect();
    events["stories"] = stories;
    Ok(json!({
        "articles": articles.len(),
        "events": events,
        "assignments": assignments,
        "precision": events["precision"], "recall": events["recall"], "f1": events["f1"],
        "bcubed_precision": events["bcubed_precision"], "bcubed_recall": events["bcubed_recall"], "bcubed_f1": events["bcubed_f1"],
    }))
}

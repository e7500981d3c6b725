//! The story-engine stage: clusters every stored article not yet clustered, in stream order, and
//! stores each decision with its evidence. A run continues where the last one stopped: the
//! document frequencies and counters come from the store, and the articles of the still-active
//! window are replayed into memory first.

use rayon::prelude::*;
use serde_json::json;
use std::collections::HashMap;
use storyline_cluster::{
    attach_vectors, first_sentences, sentence_match, stream_order, Assignment, Clusterer, Doc,
    Model, FEATURES,
};
use storyline_core::{Article, DatePrecision};
use storyline_embed::Embedder;
use storyline_store::{ArticleForEngine, ClusterCounters, NewAssignment};
use storyline_text::{Analyzer, DocFreq, TermMap};

use crate::{Engine, EngineError};

/// What a clustering run did.
#[derive(Debug, Default, Clone, Copy)]
pub struct ClusterReport {
    /// Articles clustered in this run.
    pub clustered: u64,
    /// Of those, copies of an earlier article.
    pub copies: u64,
    /// Events opened.
    pub new_events: u64,
    /// Stories opened.
    pub new_stories: u64,
    /// Articles of the active window replayed from the store first.
    pub restored: u64,
    /// Decisions taken after the last stored state by a run that stopped, rolled back and
    /// taken again.
    pub redone: u64,
}

/// A stored article as the engine clusters it (see [`Engine::stream_docs`]).
#[derive(Debug, Clone)]
pub struct StreamDoc {
    /// The id its source gave it (file stem, JSONL `id`), else the article id.
    pub source_id: String,
    /// The engine's view of it.
    pub doc: Doc,
}

/// Articles a clustering batch (and a transaction).
const BATCH: usize = 2048;

/// `(time for the engine, time for ordering)` of a stored date: the engine uses a time only when
/// it is known to the day; ordering uses any precision.
fn times(date: &Option<(String, String)>) -> (Option<i64>, Option<i64>) {
    let Some((utc, precision)) = date else { return (None, None) };
    let t = chrono::DateTime::parse_from_rfc3339(utc).ok().map(|d| d.timestamp());
    let precise = DatePrecision::parse(precision).is_some_and(|p| p >= DatePrecision::Day);
    (t.filter(|_| precise), t)
}

/// A batch's docs, and the times that order its stream.
type Analysed = (Vec<Doc>, Vec<Option<i64>>);

/// Analyses a batch on the worker threads: its docs (with sentence vectors when an embedder is
/// given) and its ordering times.
fn analyse(
    batch: &[ArticleForEngine],
    analyzer: &Analyzer,
    embedder: Option<&Embedder>,
    model: &Model,
) -> Analysed {
    let (engine_times, order_times): (Vec<_>, Vec<_>) =
        batch.iter().map(|(_, _, d)| times(d)).unzip();
    let mut docs: Vec<Doc> = batch
        .par_iter()
        .zip(&engine_times)
        .map(|((_, a, _), t)| Doc::new(analyzer, a, *t))
        .collect();
    let articles: Vec<&Article> = batch.iter().map(|(_, a, _)| a).collect();
    add_vectors(&mut docs, &articles, embedder, model);
    (docs, order_times)
}

/// Gives each doc the sentence vector of its article's title and lead.
fn add_vectors(
    docs: &mut [Doc],
    articles: &[&Article],
    embedder: Option<&Embedder>,
    model: &Model,
) {
    if let Some(e) = embedder {
        attach_vectors(docs, articles, model.event.dense_chars, |t| e.embed(t));
    }
}

/// The evidence stored with an assignment: the decision, and the scorer it was made with, so
/// that `storyline explain` shows contributions as they were.
fn explain(a: &Assignment, model: &Model) -> String {
    let s = &model.event.scorer;
    json!({
        "assignment": a,
        "scorer": {"weights": s.weights, "bias": s.bias, "threshold": s.threshold},
        "dense_scorer": model.event.dense_scorer.as_ref().map(|d| json!({"weights": d.weights, "bias": d.bias, "threshold": d.threshold})),
        "story_scorer": {"weights": model.story.scorer.weights, "bias": model.story.scorer.bias, "threshold": model.story.scorer.threshold},
        "story_dense_scorer": model.story.dense_scorer.as_ref().map(|d| json!({"weights": d.weights, "bias": d.bias, "threshold": d.threshold})),
        "features": FEATURES,
    })
    .to_string()
}

impl Engine {
    /// Clusters every stored article that is not clustered yet; with an `embedder`, articles also
    /// get sentence vectors (the cross-lingual `dense` feature).
    pub fn cluster(
        &mut self,
        model: &Model,
        embedder: Option<&Embedder>,
        progress: &mut dyn FnMut(u64),
    ) -> Result<ClusterReport, EngineError> {
        let analyzer = Analyzer::builtin().map_err(|e| EngineError::Resource(e.to_string()))?;
        // A run that stopped between two stored states is taken back to the last one.
        let mut report =
            ClusterReport { redone: self.store.roll_back_to_state()?, ..ClusterReport::default() };
        let mut counters = self.store.cluster_counters()?;
        let df: TermMap<u32> = self.store.doc_freq()?.into_iter().collect();
        let df = DocFreq::from_parts(counters.docs, df);
        let stored = match self.store.cluster_state(counters.next_ord)? {
            Some(bytes) if counters.next_ord > 0 => {
                match Clusterer::from_state(model.clone(), df.clone(), &bytes) {
                    Ok(c) => Some(c),
                    Err(e) => {
                        tracing::warn!(
                            "{e}; rebuilding the active window from the stored articles"
                        );
                        None
                    }
                }
            }
            _ => None,
        };
        let mut clusterer = match stored {
            Some(c) => c,
            None => {
                let mut clusterer =
                    Clusterer::resume(model.clone(), df, counters.next_event, counters.next_story);
                if counters.next_ord > 0 {
                    // A data directory written before the engine's state was stored: the
                    // articles of the still-active window are replayed into memory (close to,
                    // but not exactly, the state an uninterrupted run would have).
                    report.restored =
                        self.replay_window(&mut clusterer, model, embedder, &analyzer)?;
                    // From here on, a stopped run rolls back to this state.
                    let state = clusterer.state().map_err(EngineError::Resource)?;
                    self.store.write_assignments(&[], &[], counters, Some(&state))?;
                }
                clusterer
            }
        };
        // The next batch is read and analysed (on the worker threads) while this one is
        // clustered (on this thread): analysis and clustering overlap.
        let mut batch: Vec<ArticleForEngine> = self.store.unclustered(0, BATCH)?;
        let mut analysed = analyse(&batch, &analyzer, embedder, model);
        let mut batches = 0usize;
        while let Some(last) = batch.last() {
            let next: Vec<ArticleForEngine> = self.store.unclustered(last.0, BATCH)?;
            batches += 1;
            let (next_analysed, rows) = std::thread::scope(|scope| {
                let worker = scope.spawn(|| analyse(&next, &analyzer, embedder, model));
                let rows = self.cluster_batch(
                    &mut clusterer,
                    &batch,
                    &analysed,
                    embedder,
                    model,
                    &mut report,
                );
                (worker.join().expect("the analysis thread does not panic"), rows)
            });
            let (next_event, next_story) = clusterer.next_ids();
            counters = ClusterCounters {
                docs: clusterer.df().docs(),
                next_event,
                next_story,
                next_ord: counters.next_ord + rows.len() as i64,
            };
            let changes = clusterer.df_changes();
            let state = if next.is_empty() || batches.is_multiple_of(self.state_every) {
                Some(clusterer.state().map_err(EngineError::Resource)?)
            } else {
                None
            };
            self.store.write_assignments(&rows, &changes, counters, state.as_deref())?;
            progress(report.clustered);
            batch = next;
            analysed = next_analysed;
        }
        Ok(report)
    }

    /// Replays the articles of the active window into `clusterer` (for data directories without a
    /// stored engine state); the number replayed.
    fn replay_window(
        &self,
        clusterer: &mut Clusterer,
        model: &Model,
        embedder: Option<&Embedder>,
        analyzer: &Analyzer,
    ) -> Result<u64, EngineError> {
        let window = f64::from(model.story.window_days.max(model.event.window_days)) * 86_400.0;
        let from = match self.store.latest_cluster_time()? {
            Some(latest) => self.store.first_ord_since(latest - window as i64)?,
            None => 0,
        };
        let replay = self.store.clustered_from(from)?;
        let mut docs: Vec<Doc> = replay
            .par_iter()
            .map(|((_, a, date), _)| Doc::new(analyzer, a, times(date).0))
            .collect();
        let articles: Vec<&Article> = replay.iter().map(|((_, a, _), _)| a).collect();
        add_vectors(&mut docs, &articles, embedder, model);
        for (d, (_, s)) in docs.iter().zip(&replay) {
            clusterer.restore(d, s.event, s.story, s.copy_of.is_some());
        }
        tracing::debug!(restored = replay.len(), from_ord = from, "replayed the active window");
        Ok(replay.len() as u64)
    }

    /// Clusters one analysed batch in stream order; the decisions to store.
    fn cluster_batch(
        &self,
        clusterer: &mut Clusterer,
        batch: &[ArticleForEngine],
        (docs, order_times): &Analysed,
        embedder: Option<&Embedder>,
        model: &Model,
        report: &mut ClusterReport,
    ) -> Vec<NewAssignment> {
        let articles: Vec<&Article> = batch.iter().map(|(_, a, _)| a).collect();
        let in_batch: HashMap<&str, &Article> =
            articles.iter().map(|a| (a.id.as_str(), *a)).collect();
        let mut rows = Vec::with_capacity(batch.len());
        for i in stream_order(order_times) {
            let a = match embedder {
                // Is this article a translation of the one named? Their first sentences are
                // embedded and matched, only for articles in another language that are
                // already near by title and lead.
                Some(e) => {
                    // This article's sentences are embedded once, when first needed.
                    let mut mine: Option<Vec<Vec<f32>>> = None;
                    clusterer.add_checked(&docs[i], &mut |key| {
                        let found;
                        let other = match in_batch.get(key) {
                            Some(a) => *a,
                            None => {
                                found = self.store.find(key).ok().flatten()?;
                                &found
                            }
                        };
                        let this = articles[i];
                        let a = mine.get_or_insert_with(|| {
                            e.embed(&first_sentences(&this.title, &this.text))
                        });
                        let b = e.embed(&first_sentences(&other.title, &other.text));
                        Some(sentence_match(a, &b))
                    })
                }
                None => clusterer.add(&docs[i]),
            };
            report.clustered += 1;
            report.copies += u64::from(a.copy_of.is_some());
            report.new_events += u64::from(a.new_event);
            report.new_stories += u64::from(a.new_story);
            rows.push(NewAssignment {
                article_seq: batch[i].0,
                event: a.event,
                story: a.story,
                new_event: a.new_event,
                probability: if a.new_event {
                    None
                } else {
                    a.best.as_ref().map(|b| b.probability)
                },
                copy_of: a.copy_of.as_ref().map(|c| c.original.clone()),
                copy_kind: a.copy_of.as_ref().map(|c| c.kind.as_str().to_string()),
                time: docs[i].time,
                explain: explain(&a, model),
            });
        }
        rows
    }

    /// Every stored article not clustered yet, as [`Engine::cluster`] would take it: its doc
    /// (analysed, with a sentence vector when an `embedder` is given), in the order the engine
    /// clusters them, each with the id its source gave (file stem, JSONL id) and its language.
    /// Training and evaluation replay these, so they see exactly what the product sees.
    pub fn stream_docs(
        &self,
        model: &Model,
        embedder: Option<&Embedder>,
    ) -> Result<Vec<StreamDoc>, EngineError> {
        let analyzer = Analyzer::builtin().map_err(|e| EngineError::Resource(e.to_string()))?;
        let mut out = Vec::new();
        let mut after = 0;
        loop {
            let batch: Vec<ArticleForEngine> = self.store.unclustered(after, BATCH)?;
            let Some(last) = batch.last() else { break };
            after = last.0;
            let (docs, order_times) = analyse(&batch, &analyzer, embedder, model);
            let mut docs: Vec<Option<Doc>> = docs.into_iter().map(Some).collect();
            for i in stream_order(&order_times) {
                let a = &batch[i].1;
                out.push(StreamDoc {
                    source_id: a.source.external_id.clone().unwrap_or_else(|| a.id.to_string()),
                    doc: docs[i].take().expect("each index once"),
                });
            }
        }
        Ok(out)
    }

    /// Forgets all clustering (after a model change); the next [`Engine::cluster`] starts over.
    pub fn clear_clusters(&mut self) -> Result<(), EngineError> {
        Ok(self.store.clear_clusters()?)
    }
}

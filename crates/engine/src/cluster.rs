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
    /// get sentence vectors (the cross-lingual `dense` feature). The next batch is read and
    /// analysed on a second connection (and the worker threads) while this one is clustered.
    pub fn cluster(
        &mut self,
        model: &Model,
        embedder: Option<&Embedder>,
        progress: &mut dyn FnMut(u64),
    ) -> Result<ClusterReport, EngineError> {
        self.lock_writer()?;
        let mut stage = ClusterStage::open(&mut self.store, model, embedder, self.state_every)?;
        let mut analyse = AnalyseStage::open(&self.location, model, embedder)?;
        let (tx, rx) = std::sync::mpsc::sync_channel::<AnalysedBatch>(1);
        std::thread::scope(|scope| {
            let reader = scope.spawn(move || {
                while let Some(batch) = analyse.next_batch(true)? {
                    if tx.send(batch).is_err() {
                        break;
                    }
                }
                Ok::<_, EngineError>(())
            });
            for batch in rx {
                stage.add(&mut self.store, &batch)?;
                progress(stage.report.clustered);
            }
            reader.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        })?;
        stage.close(&mut self.store)
    }
}

/// A batch of stored articles read for clustering and analysed: what the analyse stage hands the
/// cluster stage. Plain data: the articles in ingest order, their docs (with sentence vectors when
/// an encoder is used) and the times that order the batch's stream.
#[derive(Debug, Clone)]
pub struct AnalysedBatch {
    /// The stored articles, by sequence number.
    pub articles: Vec<ArticleForEngine>,
    /// The engine's view of each, in the same order.
    pub docs: Vec<Doc>,
    /// The time that orders each within the batch ([`stream_order`]).
    pub order_times: Vec<Option<i64>>,
}

/// The analyse stage: reads the stored articles not yet clustered, [`BATCH`] at a time in ingest
/// order, on a connection of its own, and analyses each batch on the worker threads.
///
/// While the stream is still being stored, only full batches are read, so that the batches, and
/// with them every decision, are those of a run over the whole stored stream.
pub(crate) struct AnalyseStage<'m> {
    store: storyline_store::Store,
    analyzer: Analyzer,
    model: &'m Model,
    embedder: Option<&'m Embedder>,
    /// The last sequence number read.
    after: i64,
    /// At least this many stored articles are not read yet (`usize::MAX`: not known, so look).
    known: usize,
}

impl<'m> AnalyseStage<'m> {
    pub(crate) fn open(
        location: &storyline_store::Location,
        model: &'m Model,
        embedder: Option<&'m Embedder>,
    ) -> Result<AnalyseStage<'m>, EngineError> {
        // It reads each article once, in order: no memory map of the store (see
        // `Store::set_mmap_size`).
        let store = storyline_store::Store::open_at(location)?;
        store.set_mmap_size(0)?;
        Ok(AnalyseStage {
            store,
            analyzer: Analyzer::builtin().map_err(|e| EngineError::Resource(e.to_string()))?,
            model,
            embedder,
            after: 0,
            known: usize::MAX,
        })
    }

    /// `added` more articles were stored.
    pub(crate) fn stored(&mut self, added: u64) {
        self.known = self.known.saturating_add(added as usize);
    }

    /// The next batch: a full one, or with `finished` (nothing more will be stored) whatever is
    /// left; `None` when there is none yet (or, with `finished`, none at all).
    pub(crate) fn next_batch(
        &mut self,
        finished: bool,
    ) -> Result<Option<AnalysedBatch>, EngineError> {
        if !finished && self.known < BATCH {
            return Ok(None);
        }
        let articles: Vec<ArticleForEngine> = self.store.unclustered(self.after, BATCH)?;
        if articles.is_empty() || (articles.len() < BATCH && !finished) {
            self.known = articles.len();
            return Ok(None);
        }
        self.after = articles.last().map_or(self.after, |a| a.0);
        if self.known != usize::MAX {
            self.known = self.known.saturating_sub(articles.len());
        }
        let (docs, order_times) = analyse(&articles, &self.analyzer, self.embedder, self.model);
        Ok(Some(AnalysedBatch { articles, docs, order_times }))
    }
}

/// The cluster stage: the single ordered writer of events and stories. It takes analysed batches
/// in order, decides each article, and stores every batch's decisions (with the engine's state
/// every few batches) in one transaction.
pub(crate) struct ClusterStage<'m> {
    model: &'m Model,
    embedder: Option<&'m Embedder>,
    clusterer: Clusterer,
    counters: ClusterCounters,
    pub(crate) report: ClusterReport,
    /// Batches clustered in this run.
    batches: usize,
    /// The state is stored every this many batches, and at the end.
    state_every: usize,
    /// Whether the state stored matches the last batch.
    state_current: bool,
}

impl<'m> ClusterStage<'m> {
    /// Takes up where the last run stopped: a run stopped between two stored states is taken back
    /// to the last one, and the engine's state is read (or, for data directories written before
    /// it was stored, rebuilt from the articles of the active window).
    pub(crate) fn open(
        store: &mut storyline_store::Store,
        model: &'m Model,
        embedder: Option<&'m Embedder>,
        state_every: usize,
    ) -> Result<ClusterStage<'m>, EngineError> {
        let mut report =
            ClusterReport { redone: store.roll_back_to_state()?, ..ClusterReport::default() };
        let counters = store.cluster_counters()?;
        let df: TermMap<u32> = store.doc_freq()?.into_iter().collect();
        let df = DocFreq::from_parts(counters.docs, df);
        let stored = match store.cluster_state(counters.next_ord)? {
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
        let clusterer = match stored {
            Some(c) => c,
            None => {
                let mut clusterer =
                    Clusterer::resume(model.clone(), df, counters.next_event, counters.next_story);
                if counters.next_ord > 0 {
                    // A data directory written before the engine's state was stored: the
                    // articles of the still-active window are replayed into memory (close to,
                    // but not exactly, the state an uninterrupted run would have).
                    report.restored = replay_window(store, &mut clusterer, model, embedder)?;
                    // From here on, a stopped run rolls back to this state.
                    let state = clusterer.state().map_err(EngineError::Resource)?;
                    store.write_assignments(&[], &[], counters, Some(&state))?;
                }
                clusterer
            }
        };
        Ok(ClusterStage {
            model,
            embedder,
            clusterer,
            counters,
            report,
            batches: 0,
            state_every: state_every.max(1),
            state_current: true,
        })
    }

    /// Clusters one batch and stores its decisions.
    pub(crate) fn add(
        &mut self,
        store: &mut storyline_store::Store,
        batch: &AnalysedBatch,
    ) -> Result<(), EngineError> {
        self.batches += 1;
        let rows = cluster_batch(
            store,
            &mut self.clusterer,
            batch,
            self.embedder,
            self.model,
            &mut self.report,
        );
        let (next_event, next_story) = self.clusterer.next_ids();
        self.counters = ClusterCounters {
            docs: self.clusterer.df().docs(),
            next_event,
            next_story,
            next_ord: self.counters.next_ord + rows.len() as i64,
        };
        let changes = self.clusterer.df_changes();
        let state = if self.batches.is_multiple_of(self.state_every) {
            Some(self.clusterer.state().map_err(EngineError::Resource)?)
        } else {
            None
        };
        self.state_current = state.is_some();
        store.write_assignments(&rows, &changes, self.counters, state.as_deref())?;
        Ok(())
    }

    /// Stores the state after the last batch, when it is not stored yet.
    pub(crate) fn close(
        mut self,
        store: &mut storyline_store::Store,
    ) -> Result<ClusterReport, EngineError> {
        self.save_state(store)?;
        Ok(self.report)
    }

    /// Stores the state after the last batch, when it is not stored yet, and goes on (a queue
    /// worker at the end of a run, waiting for the next).
    pub(crate) fn save_state(
        &mut self,
        store: &mut storyline_store::Store,
    ) -> Result<(), EngineError> {
        if !self.state_current {
            let state = self.clusterer.state().map_err(EngineError::Resource)?;
            store.write_assignments(&[], &[], self.counters, Some(&state))?;
            self.state_current = true;
        }
        Ok(())
    }
}

/// Replays the articles of the active window into `clusterer` (for data directories without a
/// stored engine state); the number replayed.
fn replay_window(
    store: &storyline_store::Store,
    clusterer: &mut Clusterer,
    model: &Model,
    embedder: Option<&Embedder>,
) -> Result<u64, EngineError> {
    let analyzer = Analyzer::builtin().map_err(|e| EngineError::Resource(e.to_string()))?;
    let window = f64::from(model.story.window_days.max(model.event.window_days)) * 86_400.0;
    let from = match store.latest_cluster_time()? {
        Some(latest) => store.first_ord_since(latest - window as i64)?,
        None => 0,
    };
    let replay = store.clustered_from(from)?;
    let mut docs: Vec<Doc> =
        replay.par_iter().map(|((_, a, date), _)| Doc::new(&analyzer, a, times(date).0)).collect();
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
    store: &storyline_store::Store,
    clusterer: &mut Clusterer,
    batch: &AnalysedBatch,
    embedder: Option<&Embedder>,
    model: &Model,
    report: &mut ClusterReport,
) -> Vec<NewAssignment> {
    let AnalysedBatch { articles: batch, docs, order_times } = batch;
    let articles: Vec<&Article> = batch.iter().map(|(_, a, _)| a).collect();
    let in_batch: HashMap<&str, &Article> = articles.iter().map(|a| (a.id.as_str(), *a)).collect();
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
                            found = store.find(key).ok().flatten()?;
                            &found
                        }
                    };
                    let this = articles[i];
                    let a = mine
                        .get_or_insert_with(|| e.embed(&first_sentences(&this.title, &this.text)));
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
            probability: if a.new_event { None } else { a.best.as_ref().map(|b| b.probability) },
            copy_of: a.copy_of.as_ref().map(|c| c.original.clone()),
            copy_kind: a.copy_of.as_ref().map(|c| c.kind.as_str().to_string()),
            time: docs[i].time,
            explain: explain(&a, model),
        });
    }
    rows
}

impl Engine {
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

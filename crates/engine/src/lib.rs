//! The engine: drives the stages over a stream of documents and is the only part of Storyline
//! that writes the store.
//!
//! # Brief overview
//! [`Engine::ingest`] reads each [`Input`] in order, gathers documents into batches, skips the
//! ones already stored (so a re-run after an interruption only does what is left), normalises a
//! batch across all cores, and writes it in one transaction. A bad input becomes a named
//! [`Reject`] in the [`IngestReport`]; it never stops the batch nor touches what is stored.
//!
//! Learned boilerplate is read as it stood when a batch began, so the same input in the same
//! order, with the same batch size, gives the same articles.
//!
//! # Example
//! ```
//! use storyline_engine::{Engine, IngestOptions};
//! use storyline_ingest::Input;
//! let dir = tempfile::tempdir().unwrap();
//! let seeds = concat!(env!("CARGO_MANIFEST_DIR"), "/../../resources/sample");
//! let mut engine = Engine::open(dir.path()).unwrap();
//! let report = engine.ingest(&[Input::from_arg(seeds)], &IngestOptions::default(), &mut |_| {}).unwrap();
//! assert_eq!((report.inserted, report.rejects.len()), (5, 0));
//! let again = engine.ingest(&[Input::from_arg(seeds)], &IngestOptions::default(), &mut |_| {}).unwrap();
//! assert_eq!((again.inserted, again.existing), (0, 5));
//! ```
#![deny(missing_docs)]

use rayon::prelude::*;
use std::path::Path;
use storyline_core::RawDoc;
use storyline_ingest::{read_input, IngestError, LineHistory, Normaliser, ReadOptions};
use storyline_store::{Boilerplate, NewArticle, Store, StoreError};

pub use storyline_ingest::{Input, Reject, RejectKind};

/// Engine errors: the store failed, or a built-in resource is broken. Bad input is never an
/// error here; it is a [`Reject`] in the report.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EngineError {
    /// The store could not be opened or written.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A built-in resource is broken.
    #[error(transparent)]
    Ingest(#[from] IngestError),
}

/// How to ingest.
#[derive(Debug, Clone)]
pub struct IngestOptions {
    /// How readers behave.
    pub read: ReadOptions,
    /// Documents a batch (and a transaction). Default 512.
    pub batch_size: usize,
}

impl Default for IngestOptions {
    fn default() -> Self {
        IngestOptions { read: ReadOptions::default(), batch_size: 512 }
    }
}

/// What an ingest run did.
#[derive(Debug, Default, Clone)]
pub struct IngestReport {
    /// Documents read (stored, already stored, or rejected by normalisation).
    pub read: u64,
    /// Articles newly stored.
    pub inserted: u64,
    /// Documents that were stored already.
    pub existing: u64,
    /// Inputs skipped, each with its file, line and reason, in input order.
    pub rejects: Vec<Reject>,
}

/// Progress of a run, for progress bars.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    /// Documents read so far.
    pub read: u64,
    /// Articles stored so far.
    pub inserted: u64,
}

/// The engine over one data directory.
pub struct Engine {
    store: Store,
    normaliser: Normaliser,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine").field("store", &self.store).finish()
    }
}

struct History<'a>(&'a Boilerplate);

impl LineHistory for History<'_> {
    fn articles_with_line(&self, outlet: &str, line_hash: u64) -> u32 {
        self.0.articles_with_line(outlet, line_hash)
    }
}

impl Engine {
    /// Opens the data directory (creating it if needed).
    pub fn open(data_dir: &Path) -> Result<Engine, EngineError> {
        let store = Store::open(data_dir)?;
        Ok(Engine { store, normaliser: Normaliser::new()? })
    }

    /// The store, for reading.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The normaliser, for callers that want to normalise without storing.
    pub fn normaliser(&self) -> &Normaliser {
        &self.normaliser
    }

    /// Ingests every input in order. Returns an error only when the store fails; what was
    /// committed before such a failure stays stored.
    pub fn ingest(
        &mut self,
        inputs: &[Input],
        opts: &IngestOptions,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<IngestReport, EngineError> {
        let mut report = IngestReport::default();
        let mut batch: Vec<RawDoc> = Vec::with_capacity(opts.batch_size);
        let mut failure: Option<EngineError> = None;
        for input in inputs {
            let _span = tracing::debug_span!("ingest", input = ?input).entered();
            read_input(input, &opts.read, &mut |item| {
                if failure.is_some() {
                    return;
                }
                match item {
                    Ok(doc) => {
                        report.read += 1;
                        batch.push(doc);
                        if batch.len() >= opts.batch_size {
                            if let Err(e) = self.flush(&mut batch, &mut report) {
                                failure = Some(e);
                            }
                            progress(Progress { read: report.read, inserted: report.inserted });
                        }
                    }
                    Err(reject) => {
                        tracing::warn!(path = %reject.path, line = ?reject.line, kind = reject.kind.as_str(), "skipped input");
                        report.rejects.push(reject);
                    }
                }
            });
            if let Some(e) = failure.take() {
                return Err(e);
            }
        }
        self.flush(&mut batch, &mut report)?;
        progress(Progress { read: report.read, inserted: report.inserted });
        Ok(report)
    }

    fn flush(&mut self, batch: &mut Vec<RawDoc>, report: &mut IngestReport) -> Result<(), EngineError> {
        if batch.is_empty() {
            return Ok(());
        }
        let docs = std::mem::take(batch);
        let mut fresh = Vec::with_capacity(docs.len());
        for doc in docs {
            if self.store.contains(&doc.article_id())? {
                report.existing += 1;
            } else {
                fresh.push(doc);
            }
        }
        let history = History(self.store.boilerplate());
        let normaliser = &self.normaliser;
        let results: Vec<_> = fresh.into_par_iter().map(|doc| normaliser.normalise(doc, &history)).collect();
        let mut new = Vec::with_capacity(results.len());
        for r in results {
            match r {
                Ok(n) => new.push(NewArticle { article: n.article, line_hashes: n.line_hashes }),
                Err(reject) => report.rejects.push(reject),
            }
        }
        let outcome = self.store.write_batch(&new)?;
        report.inserted += outcome.inserted as u64;
        report.existing += outcome.existing as u64;
        Ok(())
    }
}

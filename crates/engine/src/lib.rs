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

mod cluster;
mod extract;
mod job;
mod narrate;
pub mod worker;

use rayon::prelude::*;
use std::path::Path;
use storyline_core::RawDoc;
use storyline_ingest::{read_input, IngestError, LineHistory, Normaliser, ReadOptions};
use storyline_store::{Boilerplate, Location, NewArticle, Store, StoreError, WriterLock};

pub use cluster::{ClusterReport, StreamDoc};
pub use extract::{publication_day, ExtractReport, Extractors};
pub use job::{JobEvent, JobReport, Stage, StageTime, Stored};
pub use narrate::{report_row, NarrateReport};
pub use storyline_cluster::Model;
pub use storyline_embed::Embedder;
pub use storyline_ingest::{Input, Reject, RejectKind};
pub use storyline_narrate as views;

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
    /// A built-in resource of a later stage is broken.
    #[error("built-in resource: {0}")]
    Resource(String),
    /// What was asked cannot be done now, for the reason given (another worker runs that stage).
    #[error("{0}")]
    Refused(String),
    /// The message queue could not be reached or used.
    #[error(transparent)]
    Queue(#[from] storyline_queue::QueueError),
}

/// Clustering stores its state every this many batches by default, and at the end of a run.
pub(crate) const STATE_EVERY: usize = 8;

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

/// Rejects an [`IngestReport`] keeps whole; later ones are only counted, so a file of ten
/// million bad lines does not fill memory (issue 17, row 5). Every reject is still handed to
/// the caller as it happens ([`Engine::ingest_with`]).
pub const KEPT_REJECTS: usize = 1000;

/// What an ingest run did.
#[derive(Debug, Default, Clone)]
pub struct IngestReport {
    /// Documents read (stored, already stored, or rejected by normalisation).
    pub read: u64,
    /// Articles newly stored.
    pub inserted: u64,
    /// Documents that were stored already.
    pub existing: u64,
    /// The first [`KEPT_REJECTS`] inputs skipped, each with its file, line and reason, in input
    /// order.
    pub rejects: Vec<Reject>,
    /// Every input skipped, counted: at least `rejects.len()`.
    pub rejected: u64,
    /// Inputs skipped by kind ([`RejectKind::as_str`]), all of them counted.
    pub rejected_by_kind: std::collections::BTreeMap<&'static str, u64>,
}

impl IngestReport {
    fn reject(&mut self, reject: Reject, on_reject: &mut dyn FnMut(&Reject)) {
        tracing::debug!(path = %reject.path, line = ?reject.line, kind = reject.kind.as_str(), "skipped input");
        on_reject(&reject);
        self.rejected += 1;
        *self.rejected_by_kind.entry(reject.kind.as_str()).or_default() += 1;
        if self.rejects.len() < KEPT_REJECTS {
            self.rejects.push(reject);
        }
    }
}

/// Progress of a run, for progress bars.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    /// Documents read so far.
    pub read: u64,
    /// Articles stored so far.
    pub inserted: u64,
}

/// The engine over one store: a data directory, or a PostgreSQL database.
pub struct Engine {
    store: Store,
    normaliser: Normaliser,
    location: Location,
    /// Taken by the first write and held while the engine lives.
    writer: Option<WriterLock>,
    /// Clustering stores its state every this many batches, and at the end of a run.
    state_every: usize,
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
        Engine::open_at(&Location::Dir(data_dir.to_owned()))
    }

    /// Opens the store at `location` (creating it if needed): a data directory or a PostgreSQL
    /// database.
    pub fn open_at(location: &Location) -> Result<Engine, EngineError> {
        let store = Store::open_at(location)?;
        Ok(Engine {
            store,
            normaliser: Normaliser::new()?,
            location: location.clone(),
            writer: None,
            state_every: STATE_EVERY,
        })
    }

    /// How often clustering stores its state: every `batches` batches of 2,048 articles, and
    /// at the end of every run (default 8). A run stopped in between is rolled back to the last
    /// state and clustered again from there, with the same result; storing more often costs
    /// time (the state holds the whole active window), less often costs work after a crash.
    pub fn set_state_every(&mut self, batches: usize) {
        self.state_every = batches.max(1);
    }

    /// Where the store lives.
    pub fn location(&self) -> &Location {
        &self.location
    }

    /// Takes the store's writer lock for the life of this engine, or fails at once
    /// with [`StoreError::Busy`] when another process is writing it. Ingest, extraction,
    /// indexing and narration take it themselves; call it before clustering.
    pub fn lock_writer(&mut self) -> Result<(), EngineError> {
        if self.writer.is_none() {
            self.writer = Some(WriterLock::acquire_at(&self.location)?);
        }
        Ok(())
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
    ///
    /// Three things overlap: a reader thread reads and decodes the next batch, all cores
    /// normalise the current one, and the single writer commits the previous one. Normalisation
    /// sees the outlets' learned boilerplate as committed before the previous batch.
    pub fn ingest(
        &mut self,
        inputs: &[Input],
        opts: &IngestOptions,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<IngestReport, EngineError> {
        self.ingest_with(inputs, opts, progress, &mut |_| {})
    }

    /// [`Engine::ingest`], handing every reject to `on_reject` as it happens, in input order
    /// within each batch, so that a caller can report each one at once and need not wait for
    /// the report (which keeps only the first [`KEPT_REJECTS`]).
    pub fn ingest_with(
        &mut self,
        inputs: &[Input],
        opts: &IngestOptions,
        progress: &mut dyn FnMut(Progress),
        on_reject: &mut dyn FnMut(&Reject),
    ) -> Result<IngestReport, EngineError> {
        self.ingest_streaming(inputs, opts, progress, on_reject, &mut |_| true)
    }

    /// [`Engine::ingest_with`], telling `on_stored` what each batch stored when it is committed
    /// (when it stored anything); when it answers `false` (a later stage has stopped), reading stops after
    /// that batch.
    pub(crate) fn ingest_streaming(
        &mut self,
        inputs: &[Input],
        opts: &IngestOptions,
        progress: &mut dyn FnMut(Progress),
        on_reject: &mut dyn FnMut(&Reject),
        on_stored: &mut dyn FnMut(job::Stored) -> bool,
    ) -> Result<IngestReport, EngineError> {
        self.lock_writer()?;
        let batch_size = opts.batch_size.max(1);
        let (tx, rx) = std::sync::mpsc::sync_channel::<Chunk<()>>(2);
        let stop = std::sync::atomic::AtomicBool::new(false);
        std::thread::scope(|scope| {
            let stop = &stop;
            scope.spawn(move || {
                let mut chunk = Vec::with_capacity(batch_size);
                for input in inputs {
                    let _span = tracing::debug_span!("read", input = ?input).entered();
                    read_input(input, &opts.read, &mut |item| {
                        if stop.load(std::sync::atomic::Ordering::Relaxed) {
                            return;
                        }
                        chunk.push(item);
                        if chunk.len() >= batch_size {
                            let full =
                                std::mem::replace(&mut chunk, Vec::with_capacity(batch_size));
                            if tx.send(Chunk { items: full, tag: (), flush: false }).is_err() {
                                stop.store(true, std::sync::atomic::Ordering::Relaxed);
                            }
                        }
                    });
                }
                if !chunk.is_empty() {
                    let _ = tx.send(Chunk { items: chunk, tag: (), flush: false });
                }
            });
            let result = self.consume(rx, progress, on_reject, &mut |c: Committed<()>| {
                c.stored.added == 0 || on_stored(c.stored)
            });
            if result.is_err() {
                stop.store(true, std::sync::atomic::Ordering::Relaxed);
            }
            result
        })
    }

    /// Normalises and stores chunks of read documents in the order they come, each chunk
    /// normalised on all cores while the one before it is written; tells `on_committed` of every
    /// commit (with the tag of the chunk it held), and stops when it answers `false`. A chunk
    /// marked `flush` is written at once rather than beside the next one, so that a caller that
    /// waits for more (a queue) can say what is stored. Learned boilerplate is read as committed
    /// before the chunk that is being written, so the same chunks give the same articles
    /// whoever cuts them.
    pub(crate) fn consume<T>(
        &mut self,
        rx: std::sync::mpsc::Receiver<Chunk<T>>,
        progress: &mut dyn FnMut(Progress),
        on_reject: &mut dyn FnMut(&Reject),
        on_committed: &mut dyn FnMut(Committed<T>) -> bool,
    ) -> Result<IngestReport, EngineError> {
        let mut report = IngestReport::default();
        let mut pending: Vec<NewArticle> = Vec::new();
        let mut pending_tag: Option<T> = None;
        let mut upto = self.store.last_seq()?;
        for chunk in rx {
            let mut fresh = Vec::with_capacity(chunk.items.len());
            for item in chunk.items {
                match item {
                    Ok(doc) => {
                        report.read += 1;
                        if self.store.contains(&doc.article_id())? {
                            report.existing += 1;
                        } else {
                            fresh.push(doc);
                        }
                    }
                    Err(reject) => report.reject(reject, on_reject),
                }
            }
            let history = self.store.boilerplate().clone();
            let normaliser = &self.normaliser;
            let store = &mut self.store;
            let to_write = std::mem::take(&mut pending);
            let (written, results) = rayon::join(
                || store.write_batch(&to_write),
                || {
                    let history = History(&history);
                    fresh
                        .into_par_iter()
                        .map(|doc| normaliser.normalise(doc, &history))
                        .collect::<Vec<_>>()
                },
            );
            let outcome = written?;
            if let Some(tag) = pending_tag.take() {
                let stored = self.stored(&mut report, outcome, &mut upto)?;
                if !on_committed(Committed { stored, tag }) {
                    return Ok(report);
                }
            }
            for r in results {
                match r {
                    Ok(n) => {
                        pending.push(NewArticle { article: n.article, line_hashes: n.line_hashes })
                    }
                    Err(reject) => report.reject(reject, on_reject),
                }
            }
            pending_tag = Some(chunk.tag);
            if chunk.flush {
                let outcome = self.store.write_batch(&std::mem::take(&mut pending))?;
                let stored = self.stored(&mut report, outcome, &mut upto)?;
                let tag = pending_tag.take().expect("set above");
                if !on_committed(Committed { stored, tag }) {
                    return Ok(report);
                }
            }
            progress(Progress { read: report.read, inserted: report.inserted });
        }
        if let Some(tag) = pending_tag.take() {
            let outcome = self.store.write_batch(&pending)?;
            let stored = self.stored(&mut report, outcome, &mut upto)?;
            on_committed(Committed { stored, tag });
        }
        progress(Progress { read: report.read, inserted: report.inserted });
        Ok(report)
    }

    /// Counts a commit into `report` and says what it stored: the articles after `upto`.
    fn stored(
        &self,
        report: &mut IngestReport,
        outcome: storyline_store::WriteOutcome,
        upto: &mut i64,
    ) -> Result<job::Stored, EngineError> {
        report.inserted += outcome.inserted as u64;
        report.existing += outcome.existing as u64;
        let after = *upto;
        if outcome.inserted > 0 {
            *upto = self.store.last_seq()?;
        }
        Ok(job::Stored { added: outcome.inserted as u64, after, upto: *upto })
    }
}

/// Documents read, in input order, for the store stage to normalise and write together; `tag`
/// is handed back when they are committed.
pub(crate) struct Chunk<T> {
    pub(crate) items: Vec<Result<RawDoc, Reject>>,
    pub(crate) tag: T,
    /// Write it at once (nothing follows it soon).
    pub(crate) flush: bool,
}

/// A chunk committed: what it stored, and its tag.
pub(crate) struct Committed<T> {
    pub(crate) stored: job::Stored,
    pub(crate) tag: T,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) -> Input {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        Input::Path(path)
    }

    /// Issue 17, row 1: a page nested ten thousand deep, as a file and as a JSONL `html` field,
    /// among good documents in one batch. It aborted the process and lost the batch.
    #[test]
    fn a_deeply_nested_page_does_not_take_its_batch_down() {
        let dir = tempfile::tempdir().unwrap();
        let deep = format!(
            "<html><body>{}<p>{}</p>{}</body></html>",
            "<div>".repeat(10_000),
            "Die Regierung hat am Montag neue Maßnahmen beschlossen. ".repeat(10),
            "</div>".repeat(10_000)
        );
        let jsonl = [
            serde_json::json!({"id": "gut", "text": "Der Zug hat am Dienstag die Grenze überquert."}),
            serde_json::json!({"id": "tief", "html": deep.replace("Regierung", "Kommission")}),
        ]
        .map(|v| v.to_string())
        .join("\n");
        let inputs = [
            Input::from_arg(concat!(env!("CARGO_MANIFEST_DIR"), "/../../resources/sample")),
            file(dir.path(), "deep.html", &deep),
            file(dir.path(), "mixed.jsonl", jsonl),
        ];
        let mut engine = Engine::open(&dir.path().join("data")).unwrap();
        let report = engine.ingest(&inputs, &IngestOptions::default(), &mut |_| {}).unwrap();
        assert_eq!((report.inserted, report.rejected), (8, 0), "{:?}", report.rejects);
    }

    /// Issue 17, row 9: a second writer is refused by name instead of colliding in the store,
    /// and the lock goes with the engine that held it.
    #[test]
    fn one_writer_at_a_time() {
        let dir = tempfile::tempdir().unwrap();
        let seeds =
            [Input::from_arg(concat!(env!("CARGO_MANIFEST_DIR"), "/../../resources/sample"))];
        let data = dir.path().join("data");
        let mut first = Engine::open(&data).unwrap();
        first.ingest(&seeds, &IngestOptions::default(), &mut |_| {}).unwrap();
        let mut second = Engine::open(&data).unwrap();
        assert_eq!(second.store().count().unwrap(), 5, "reading needs no lock");
        let busy = second.ingest(&seeds, &IngestOptions::default(), &mut |_| {});
        assert!(matches!(busy, Err(EngineError::Store(StoreError::Busy(_)))), "{busy:?}");
        assert!(matches!(second.finish(), Err(EngineError::Store(StoreError::Busy(_)))));
        drop(first);
        let report = second.ingest(&seeds, &IngestOptions::default(), &mut |_| {}).unwrap();
        assert_eq!((report.inserted, report.existing), (0, 5));
    }

    /// Issue 17, row 5: every reject is handed over as it happens and counted, the first
    /// [`KEPT_REJECTS`] kept.
    #[test]
    fn rejects_are_streamed_counted_and_the_first_ones_kept() {
        let dir = tempfile::tempdir().unwrap();
        let mut lines = "kein json\n".repeat(3 * KEPT_REJECTS);
        lines.push_str("{\"text\": \"Der Zug hat am Dienstag die Grenze überquert.\"}\n");
        let inputs = [file(dir.path(), "bad.jsonl", lines), file(dir.path(), "leer.txt", "")];
        let mut engine = Engine::open(&dir.path().join("data")).unwrap();
        let mut seen = 0;
        let report = engine
            .ingest_with(&inputs, &IngestOptions::default(), &mut |_| {}, &mut |_| seen += 1)
            .unwrap();
        assert_eq!(report.inserted, 1);
        assert_eq!((seen, report.rejected), (3 * KEPT_REJECTS + 1, 3 * KEPT_REJECTS as u64 + 1));
        assert_eq!(report.rejects.len(), KEPT_REJECTS);
        assert_eq!(report.rejects[0].line, Some(1));
        let kinds: Vec<(&str, u64)> =
            report.rejected_by_kind.iter().map(|(k, n)| (*k, *n)).collect();
        assert_eq!(kinds, [("bad_json", 3 * KEPT_REJECTS as u64), ("empty", 1)]);
    }
}

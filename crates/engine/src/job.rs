//! The whole job of `storyline ingest`, its stages running at once: read, normalise and store;
//! extract; analyse and cluster (with sentence vectors when an encoder is given); index for
//! search; rewrite the reports of the stories that changed. Each stage runs in a thread of its
//! own on its own connection to the store, fed through a bounded queue by the stage before it,
//! so the job takes about as long as its slowest stage (or, on few cores, the sum of their work
//! shared among the cores), not the sum of the stages' times. Each stage's busy time is
//! measured, so that a caller (the CLI, the pipeline benchmark) can say where the time went.
//!
//! ```text
//! read ─▶ normalise ─▶ store ─┬─ Stored ─▶ extract ─────────────────┐
//!                             ├─ Stored ─▶ analyse ─ AnalysedBatch ─▶ cluster ─┴─▶ narrate
//!                             └─ Stored ─▶ index
//! ```

use std::sync::atomic::Ordering::Relaxed;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64};
use std::sync::mpsc::{sync_channel, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use storyline_text::Analyzer;

use crate::cluster::{AnalyseStage, AnalysedBatch, ClusterStage};
use crate::extract::ExtractStage;
use crate::{
    ClusterReport, Embedder, Engine, EngineError, ExtractReport, IngestOptions, IngestReport,
    Input, Model, Reject,
};

/// A stage of the job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stage {
    /// Reading, decoding, normalising and storing the documents.
    Ingest,
    /// Quotes, time expressions, figures and entities.
    Extract,
    /// Copies, events and stories (and sentence vectors).
    Cluster,
    /// The full-text search index.
    Index,
    /// The reports of the stories that changed.
    Narrate,
}

impl Stage {
    /// Every stage, in the order the job runs them.
    pub const ALL: [Stage; 5] =
        [Stage::Ingest, Stage::Extract, Stage::Cluster, Stage::Index, Stage::Narrate];

    /// Its name for people and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Ingest => "ingest",
            Stage::Extract => "extract",
            Stage::Cluster => "cluster",
            Stage::Index => "index",
            Stage::Narrate => "narrate",
        }
    }
}

/// What the job tells its caller while it runs.
#[derive(Debug)]
pub enum JobEvent<'a> {
    /// A stage begins; `total` is the number of items it will do when known (every stage after
    /// ingest works on what was stored).
    Started {
        /// The stage.
        stage: Stage,
        /// Items to do, when known.
        total: Option<u64>,
    },
    /// Items a stage has done so far.
    Progress {
        /// The stage.
        stage: Stage,
        /// Items done.
        done: u64,
    },
    /// A stage ended after `busy` of work on `items` items.
    Finished {
        /// The stage.
        stage: Stage,
        /// Items done.
        items: u64,
        /// Time spent.
        busy: Duration,
    },
    /// A document could not be read or used; the job goes on.
    Rejected(&'a Reject),
}

/// One stage's share of a job.
#[derive(Debug, Clone, Copy)]
pub struct StageTime {
    /// The stage.
    pub stage: Stage,
    /// Items it did.
    pub items: u64,
    /// Time it took.
    pub busy: Duration,
}

/// What a job did.
#[derive(Debug, Default)]
pub struct JobReport {
    /// Reading, normalising and storing.
    pub ingest: IngestReport,
    /// Extraction.
    pub extract: ExtractReport,
    /// Clustering, when a model was given.
    pub cluster: Option<ClusterReport>,
    /// Articles indexed for search.
    pub indexed: u64,
    /// Story reports written.
    pub narrated: u64,
    /// Each stage's items and time, in the order they ran.
    pub stages: Vec<StageTime>,
    /// The whole job's time.
    pub wall: Duration,
}

/// What the ingest stage tells each stage after it whenever it commits a batch, in this process
/// or, through a queue, in others (`storyline worker`). Plain data: the stages read what they
/// need from the store, so the message only says how much more there is and where, and a stage
/// that hears it twice, or late, does nothing wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Stored {
    /// Articles newly stored by the batch.
    pub added: u64,
    /// They have sequence numbers after this one…
    pub after: i64,
    /// …up to this one.
    pub upto: i64,
}

/// Messages a stage may have waiting: a stage that falls behind holds up the ones before it.
const QUEUE: usize = 4;

/// How often, at most, the narrate stage rewrites the reports of the stories that changed while
/// a job runs (always once more at its end).
const NARRATE_EVERY: Duration = Duration::from_secs(60);

/// How long a stage's write waits for another stage's to end: they are the job's own, and the
/// data directory's writer lock keeps every other process out, so a wait is never a deadlock,
/// only a slow turn (a clustering state of a long stream, on a loaded machine).
const TURN: Duration = Duration::from_secs(3600);

/// While a job runs, narration takes at most one part in this many of its time (a pass over the
/// stories that changed is long once stories are).
const NARRATE_SHARE: u32 = 10;

/// How often progress is told while the stages after ingest finish.
const TICK: Duration = Duration::from_millis(200);

/// What one stage thread did: its busy time and its own report.
type Ran<T> = Result<(Duration, T), EngineError>;

/// Shared counters of the stages' progress, told from the job's thread.
#[derive(Default)]
struct Counters {
    extracted: AtomicU64,
    clustered: AtomicU64,
    indexed: AtomicU64,
    narrated: AtomicU64,
    /// The last sequence number extracted and clustered: a story is narrated only once every
    /// article it holds is extracted.
    extracted_upto: AtomicI64,
    clustered_upto: AtomicI64,
    /// Set by a stage that failed: the others stop early.
    failed: AtomicBool,
}

/// Waits for the next message on `rx`: `Some(added)` articles were stored, `None` when ingest
/// has ended (or a stage failed).
fn next_stored(rx: &Receiver<Stored>, counters: &Counters) -> Option<u64> {
    if counters.failed.load(Relaxed) {
        return None;
    }
    rx.recv().ok().map(|m| m.added)
}

/// Runs a stage thread's body, marking the job failed when it fails.
fn stage<T>(
    counters: &Counters,
    body: impl FnOnce(&mut Duration) -> Result<T, EngineError>,
) -> Ran<T> {
    let mut busy = Duration::ZERO;
    let result = body(&mut busy);
    if result.is_err() {
        counters.failed.store(true, Relaxed);
    }
    result.map(|r| (busy, r))
}

/// Times `work` into `busy`.
fn busy_with<T>(busy: &mut Duration, work: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let r = work();
    *busy += start.elapsed();
    r
}

impl Engine {
    /// Runs the whole job of `storyline ingest` on `inputs`: ingest, extract, and, with a
    /// `model`, analyse and cluster, index and narrate (without one, only index). The stages
    /// run at once, each batch flowing on as soon as the stage before has committed it,
    /// connected by bounded queues. What each stage commits stays committed when another fails.
    ///
    /// Each stage after ingest works on its own connection to the store and takes from it what
    /// is stored and not yet done by it, so the decisions are those of the stages run one after
    /// the other: clustering takes only full batches until the stream has ended.
    pub fn run_job(
        &mut self,
        inputs: &[Input],
        opts: &IngestOptions,
        model: Option<&Model>,
        embedder: Option<&Embedder>,
        events: &mut dyn FnMut(JobEvent),
    ) -> Result<JobReport, EngineError> {
        self.lock_writer()?;
        let wall = Instant::now();
        for_job(&self.store)?;
        let result = self.stream_job(inputs, opts, model, embedder, events);
        self.store.set_mmap_size(storyline_store::MMAP_SIZE)?;
        self.store.set_busy_timeout(storyline_store::BUSY_TIMEOUT)?;
        let mut report = result?;
        report.wall = wall.elapsed();
        Ok(report)
    }

    /// [`Engine::run_job`], its stages at once.
    fn stream_job(
        &mut self,
        inputs: &[Input],
        opts: &IngestOptions,
        model: Option<&Model>,
        embedder: Option<&Embedder>,
        events: &mut dyn FnMut(JobEvent),
    ) -> Result<JobReport, EngineError> {
        let mut report = JobReport::default();
        let counters = Counters::default();
        let location = self.location.clone();
        let state_every = self.state_every;
        let running: Vec<Stage> = Stage::ALL
            .into_iter()
            .filter(|s| {
                model.is_some() || matches!(s, Stage::Ingest | Stage::Extract | Stage::Index)
            })
            .collect();
        for &stage in &running {
            events(JobEvent::Started { stage, total: None });
        }
        let location = &location;
        let open = || {
            let store = storyline_store::Store::open_at(location)?;
            for_job(&store)?;
            Ok::<_, EngineError>(store)
        };
        let tell = |events: &mut dyn FnMut(JobEvent), counters: &Counters| {
            for (stage, n) in [
                (Stage::Extract, &counters.extracted),
                (Stage::Cluster, &counters.clustered),
                (Stage::Index, &counters.indexed),
                (Stage::Narrate, &counters.narrated),
            ] {
                if running.contains(&stage) {
                    events(JobEvent::Progress { stage, done: n.load(Relaxed) });
                }
            }
        };
        std::thread::scope(|scope| -> Result<(), EngineError> {
            let counters = &counters;
            let (extract_tx, extract_rx) = sync_channel::<Stored>(QUEUE);
            let (index_tx, index_rx) = sync_channel::<Stored>(QUEUE);
            let (analyse_tx, analyse_rx) = sync_channel::<Stored>(QUEUE);
            let (cluster_tx, cluster_rx) = sync_channel::<AnalysedBatch>(1);

            // Extract: everything stored and not yet extracted, each time more is stored.
            let extract = spawn(scope, "extract", move || {
                stage(counters, |busy| {
                    let mut store = open()?;
                    let mut stage = busy_with(busy, ExtractStage::new)?;
                    let mut pass = |busy: &mut Duration| {
                        busy_with(busy, || {
                            stage.run(&mut store, &mut |n| counters.extracted.store(n, Relaxed))
                        })?;
                        counters.extracted_upto.store(stage.extracted_upto(), Relaxed);
                        Ok::<_, EngineError>(())
                    };
                    pass(busy)?;
                    while next_stored(&extract_rx, counters).is_some() {
                        pass(busy)?;
                    }
                    pass(busy)?;
                    Ok(stage.report)
                })
            });

            // Index: every 2,048 articles stored, and at the end.
            let index = spawn(scope, "index", move || {
                stage(counters, |busy| {
                    let mut store = open()?;
                    let analyzer =
                        Analyzer::builtin().map_err(|e| EngineError::Resource(e.to_string()))?;
                    let mut done = 0;
                    let mut pass = |busy: &mut Duration| {
                        busy_with(busy, || {
                            let base = done;
                            done +=
                                crate::narrate::index_pending(&mut store, &analyzer, &mut |n| {
                                    counters.indexed.store(base + n, Relaxed)
                                })?;
                            Ok::<_, EngineError>(())
                        })
                    };
                    let mut waiting = 0;
                    while let Some(added) = next_stored(&index_rx, counters) {
                        waiting += added;
                        if waiting >= crate::narrate::INDEX_BATCH as u64 {
                            pass(busy)?;
                            waiting = 0;
                        }
                    }
                    pass(busy)?;
                    Ok(done)
                })
            });

            // Analyse, then cluster (the single ordered writer of events and stories), then
            // narrate the stories that changed, once every article they hold is extracted.
            let clustering = model.map(|model| {
                let analyse = spawn(scope, "analyse", move || {
                    stage(counters, |busy| {
                        let mut stage = AnalyseStage::open(location, model, embedder)?;
                        let send = |stage: &mut AnalyseStage,
                                    finished: bool,
                                    busy: &mut Duration| {
                            while let Some(batch) = busy_with(busy, || stage.next_batch(finished))?
                            {
                                if counters.failed.load(Relaxed) || cluster_tx.send(batch).is_err()
                                {
                                    break;
                                }
                            }
                            Ok::<_, EngineError>(())
                        };
                        send(&mut stage, false, busy)?;
                        while let Some(added) = next_stored(&analyse_rx, counters) {
                            stage.stored(added);
                            send(&mut stage, false, busy)?;
                        }
                        send(&mut stage, true, busy)
                    })
                });
                let cluster = spawn(scope, "cluster", move || {
                    stage(counters, |busy| {
                        let mut store = open()?;
                        let mut stage = busy_with(busy, || {
                            ClusterStage::open(&mut store, model, embedder, state_every)
                        })?;
                        for batch in cluster_rx {
                            if counters.failed.load(Relaxed) {
                                break;
                            }
                            busy_with(busy, || stage.add(&mut store, &batch))?;
                            counters.clustered.store(stage.report.clustered, Relaxed);
                            if let Some(last) = batch.articles.last() {
                                counters.clustered_upto.store(last.0, Relaxed);
                            }
                        }
                        busy_with(busy, || stage.close(&mut store))
                    })
                });
                (analyse, cluster)
            });
            let (narrate_done, narrate_wait) = sync_channel::<()>(1);
            let narrate = clustering.is_some().then(|| {
                spawn(scope, "narrate", move || {
                    stage(counters, |busy| {
                        // As many connections as cores: the last pass shares its stories.
                        let mut stores = (0..rayon::current_num_threads().max(1))
                            .map(|_| open())
                            .collect::<Result<Vec<_>, _>>()?;
                        let narrator = storyline_narrate::Narrator::new()
                            .map_err(|e| EngineError::Resource(e.to_string()))?;
                        let done = AtomicU64::new(0);
                        let pass = |stores: &mut [storyline_store::Store], busy: &mut Duration| {
                            busy_with(busy, || {
                                let base = done.load(Relaxed);
                                let n =
                                    crate::narrate::narrate_pending_on(stores, &narrator, &|n| {
                                        counters.narrated.store(base + n, Relaxed)
                                    })?;
                                done.store(base + n, Relaxed);
                                Ok::<_, EngineError>(())
                            })
                        };
                        let started = Instant::now();
                        let mut last = Instant::now();
                        let mut narrated_upto = 0;
                        // Until clustering and extraction have ended, now and then, and never
                        // more than a share of the job's time: a pass rewrites every story that
                        // changed, and on a long stream most of them are long.
                        while let Err(RecvTimeoutError::Timeout) = narrate_wait.recv_timeout(TICK) {
                            let clustered = counters.clustered_upto.load(Relaxed);
                            let ready = counters.extracted_upto.load(Relaxed) >= clustered;
                            let due = last.elapsed() >= NARRATE_EVERY
                                && *busy * NARRATE_SHARE <= started.elapsed();
                            if due && ready && clustered > narrated_upto {
                                pass(&mut stores[..1], busy)?;
                                narrated_upto = clustered;
                                last = Instant::now();
                            }
                        }
                        if counters.failed.load(Relaxed) {
                            return Ok(done.load(Relaxed));
                        }
                        pass(&mut stores, busy)?;
                        Ok(done.load(Relaxed))
                    })
                })
            });

            // Ingest, here: read, normalise and store, telling the others of each batch.
            let start = Instant::now();
            let ingest = {
                let events = std::cell::RefCell::new(&mut *events);
                self.ingest_streaming(
                    inputs,
                    opts,
                    &mut |p| {
                        let mut events = events.borrow_mut();
                        events(JobEvent::Progress { stage: Stage::Ingest, done: p.read });
                        tell(&mut **events, counters);
                    },
                    &mut |reject| (events.borrow_mut())(JobEvent::Rejected(reject)),
                    &mut |m: Stored| {
                        let sent = extract_tx.send(m).is_ok()
                            & index_tx.send(m).is_ok()
                            & (clustering.is_none() || analyse_tx.send(m).is_ok());
                        sent && !counters.failed.load(Relaxed)
                    },
                )
            };
            drop((extract_tx, index_tx, analyse_tx));
            if ingest.is_err() {
                counters.failed.store(true, Relaxed);
            }
            let ingest = ingest?;
            let busy = start.elapsed();
            report.stages.push(StageTime { stage: Stage::Ingest, items: ingest.read, busy });
            events(JobEvent::Finished { stage: Stage::Ingest, items: ingest.read, busy });
            report.ingest = ingest;

            // The stages after ingest end one after the other: each is told as it does.
            let mut ends =
                Endings { events, stages: &mut report.stages, error: None, tell: &tell, counters };
            if let Some((analyse, cluster)) = clustering {
                report.cluster = ends.settle(cluster, Stage::Cluster, |r| r.clustered);
                if let Err(e) = join(analyse) {
                    ends.error.get_or_insert(e);
                }
            }
            if let Some(r) = ends.settle(extract, Stage::Extract, |r| r.articles) {
                report.extract = r;
            }
            let _ = narrate_done.send(());
            report.indexed = ends.settle(index, Stage::Index, |n| *n).unwrap_or_default();
            if let Some(narrate) = narrate {
                report.narrated = ends.settle(narrate, Stage::Narrate, |n| *n).unwrap_or_default();
            }
            ends.error.map_or(Ok(()), Err)
        })?;
        Ok(report)
    }
}

/// Sets a connection up for a job: no memory maps (a map of the store would count its pages in
/// the job's memory, up to 1 GiB a connection), and a long wait for the other stages' writes.
fn for_job(store: &storyline_store::Store) -> Result<(), EngineError> {
    store.set_mmap_size(0)?;
    store.set_busy_timeout(TURN)?;
    Ok(())
}

/// Starts a stage's thread, named after the stage (as `top -H` and `perf` show it).
fn spawn<'scope, T: Send + 'scope>(
    scope: &'scope std::thread::Scope<'scope, '_>,
    name: &str,
    body: impl FnOnce() -> T + Send + 'scope,
) -> std::thread::ScopedJoinHandle<'scope, T> {
    std::thread::Builder::new()
        .name(name.to_string())
        .spawn_scoped(scope, body)
        .expect("a thread can be started")
}

/// Tells every running stage's progress from the counters.
type Tell<'a> = dyn Fn(&mut dyn FnMut(JobEvent), &Counters) + 'a;

/// Where the stages after ingest are seen to end: their times, and the first error among them.
struct Endings<'e> {
    events: &'e mut dyn FnMut(JobEvent),
    stages: &'e mut Vec<StageTime>,
    error: Option<EngineError>,
    /// Tells every running stage's progress.
    tell: &'e Tell<'e>,
    counters: &'e Counters,
}

impl Endings<'_> {
    /// Waits for a stage's thread, telling progress meanwhile; then records its time and items
    /// (`items` of its report) and hands the report on, or keeps its error if it is the first.
    fn settle<T>(
        &mut self,
        handle: std::thread::ScopedJoinHandle<'_, Ran<T>>,
        stage: Stage,
        items: impl Fn(&T) -> u64,
    ) -> Option<T> {
        while !handle.is_finished() {
            (self.tell)(self.events, self.counters);
            std::thread::sleep(TICK);
        }
        (self.tell)(self.events, self.counters);
        match join(handle) {
            Ok((busy, r)) => {
                let items = items(&r);
                self.stages.push(StageTime { stage, items, busy });
                (self.events)(JobEvent::Finished { stage, items, busy });
                Some(r)
            }
            Err(e) => {
                self.error.get_or_insert(e);
                None
            }
        }
    }
}

/// Waits for a stage thread; its panic goes on in this thread.
fn join<T>(handle: std::thread::ScopedJoinHandle<'_, Ran<T>>) -> Ran<T> {
    handle.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_job_runs_every_stage_in_order_and_times_each() {
        let dir = tempfile::tempdir().unwrap();
        let seeds = concat!(env!("CARGO_MANIFEST_DIR"), "/../../resources/sample");
        let mut engine = Engine::open(dir.path()).unwrap();
        let model = Model::builtin().unwrap();
        let mut seen = Vec::new();
        let report = engine
            .run_job(
                &[Input::from_arg(seeds)],
                &IngestOptions::default(),
                Some(&model),
                None,
                &mut |e| {
                    if let JobEvent::Finished { stage, items, .. } = e {
                        seen.push((stage, items));
                    }
                },
            )
            .unwrap();
        // Extraction runs beside clustering and is waited for when clustering ends.
        assert_eq!(
            seen,
            vec![
                (Stage::Ingest, 5),
                (Stage::Cluster, 5),
                (Stage::Extract, 5),
                (Stage::Index, 5),
                (Stage::Narrate, 1)
            ]
        );
        assert_eq!(report.stages.len(), 5);
        assert!(report.stages.iter().all(|s| s.busy <= report.wall));
        assert_eq!(report.extract.articles, 5);
        assert!(report.extract.quotes > 0);
        let c = report.cluster.unwrap();
        assert_eq!((c.new_events, c.new_stories), (2, 1));
        // Run again: nothing new, every stage has nothing to do.
        let again = engine
            .run_job(
                &[Input::from_arg(seeds)],
                &IngestOptions::default(),
                Some(&model),
                None,
                &mut |_| {},
            )
            .unwrap();
        assert_eq!((again.ingest.inserted, again.extract.articles, again.indexed), (0, 0, 0));
    }
}

//! The whole job of `storyline ingest`, stage after stage: read, normalise and store; extract;
//! cluster (with sentence vectors when an encoder is given); index for search; write the story
//! reports of the stories that changed. Each stage's busy time is measured, so that a caller (the
//! CLI, the pipeline benchmark) can say where the time went.

use std::time::{Duration, Instant};

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

/// Where a stage tells its progress.
type Events<'e> = &'e mut dyn FnMut(JobEvent);

/// A stage's work: it tells its progress and returns the items it did.
type StageRun<'r> = &'r mut dyn FnMut(Events) -> Result<u64, EngineError>;

/// Runs one stage, telling `events` when it starts and ends, and records its time.
fn timed(
    stage: Stage,
    total: Option<u64>,
    events: &mut dyn FnMut(JobEvent),
    stages: &mut Vec<StageTime>,
    run: StageRun,
) -> Result<(), EngineError> {
    events(JobEvent::Started { stage, total });
    let start = Instant::now();
    let items = run(events)?;
    let busy = start.elapsed();
    stages.push(StageTime { stage, items, busy });
    events(JobEvent::Finished { stage, items, busy });
    Ok(())
}

impl Engine {
    /// Runs the whole job of `storyline ingest` on `inputs`: ingest, extract, and, with a
    /// `model`, cluster, index and narrate (without one, only index). What each stage commits
    /// stays committed when a later one fails.
    pub fn run_job(
        &mut self,
        inputs: &[Input],
        opts: &IngestOptions,
        model: Option<&Model>,
        embedder: Option<&Embedder>,
        events: &mut dyn FnMut(JobEvent),
    ) -> Result<JobReport, EngineError> {
        let wall = Instant::now();
        let mut report = JobReport::default();
        let mut stages = Vec::new();
        timed(Stage::Ingest, None, events, &mut stages, &mut |events| {
            // Both callbacks run on this thread, one at a time.
            let events = std::cell::RefCell::new(events);
            let r = self.ingest_with(
                inputs,
                opts,
                &mut |p| {
                    (events.borrow_mut())(JobEvent::Progress { stage: Stage::Ingest, done: p.read })
                },
                &mut |reject| (events.borrow_mut())(JobEvent::Rejected(reject)),
            )?;
            let read = r.read;
            report.ingest = r;
            Ok(read)
        })?;
        let stored = Some(report.ingest.inserted);
        match model {
            // Extraction and clustering read the stored articles and write apart (quotes and
            // entities; events and stories), so they run at once: extraction on a second
            // connection in its own thread, clustering here. Both share the worker threads.
            Some(model) => {
                let (extract, cluster) =
                    self.extract_while_clustering(model, embedder, stored, events)?;
                stages.push(extract.0);
                stages.push(cluster.0);
                report.extract = extract.1;
                report.cluster = Some(cluster.1);
            }
            None => timed(Stage::Extract, stored, events, &mut stages, &mut |events| {
                let r = self
                    .extract(|n| events(JobEvent::Progress { stage: Stage::Extract, done: n }))?;
                let n = r.articles;
                report.extract = r;
                Ok(n)
            })?,
        }
        timed(Stage::Index, stored, events, &mut stages, &mut |events| {
            let n =
                self.index(&mut |n| events(JobEvent::Progress { stage: Stage::Index, done: n }))?;
            report.indexed = n;
            Ok(n)
        })?;
        if model.is_some() {
            timed(Stage::Narrate, None, events, &mut stages, &mut |events| {
                let n = self.narrate(&mut |n| {
                    events(JobEvent::Progress { stage: Stage::Narrate, done: n })
                })?;
                report.narrated = n;
                Ok(n)
            })?;
        }
        report.stages = stages;
        report.wall = wall.elapsed();
        Ok(report)
    }
}

/// Extraction's and clustering's times and reports, from [`Engine::extract_while_clustering`].
type Overlapped = ((StageTime, ExtractReport), (StageTime, ClusterReport));

impl Engine {
    /// Extraction in a thread of its own, on a second connection to the store, while this thread
    /// clusters. Progress of both is told from this thread.
    fn extract_while_clustering(
        &mut self,
        model: &Model,
        embedder: Option<&Embedder>,
        total: Option<u64>,
        events: Events,
    ) -> Result<Overlapped, EngineError> {
        self.lock_writer()?;
        let extracted = std::sync::atomic::AtomicU64::new(0);
        let data_dir = self.data_dir.clone();
        events(JobEvent::Started { stage: Stage::Extract, total });
        events(JobEvent::Started { stage: Stage::Cluster, total });
        let (extract, cluster) = std::thread::scope(|scope| {
            let extracted = &extracted;
            let worker = scope.spawn(move || {
                let start = Instant::now();
                let mut store = storyline_store::Store::open(&data_dir)?;
                let r = crate::extract::extract_into(&mut store, |n| {
                    extracted.store(n, std::sync::atomic::Ordering::Relaxed)
                })?;
                Ok::<_, EngineError>((start.elapsed(), r))
            });
            let start = Instant::now();
            let cluster = self.cluster(model, embedder, &mut |n| {
                events(JobEvent::Progress { stage: Stage::Cluster, done: n });
                let done = extracted.load(std::sync::atomic::Ordering::Relaxed);
                events(JobEvent::Progress { stage: Stage::Extract, done });
            });
            let cluster = cluster.map(|c| (start.elapsed(), c));
            let extract = worker.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (extract, cluster)
        });
        let (cluster_busy, cluster) = cluster?;
        events(JobEvent::Finished {
            stage: Stage::Cluster,
            items: cluster.clustered,
            busy: cluster_busy,
        });
        let (extract_busy, extract) = extract?;
        events(JobEvent::Finished {
            stage: Stage::Extract,
            items: extract.articles,
            busy: extract_busy,
        });
        Ok((
            (
                StageTime { stage: Stage::Extract, items: extract.articles, busy: extract_busy },
                extract,
            ),
            (
                StageTime { stage: Stage::Cluster, items: cluster.clustered, busy: cluster_busy },
                cluster,
            ),
        ))
    }
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

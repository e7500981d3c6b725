//! The job of `storyline ingest` spread over processes and machines: its stages as workers of a
//! NATS JetStream queue (`storyline ingest --queue`, `storyline worker --stage`), all sharing
//! one PostgreSQL store.
//!
//! ```text
//! ingest --queue ─ QueuedDoc ─▶ [docs] ─▶ store ─ Notice::Stored ─▶ [notices] ─┬─▶ extract × N
//!   (read, decode)               ordered   (normalise, write;                   ├─▶ cluster ─ Notice::Clustered ─▶ narrate
//!                                          one at a time)                       └─▶ index
//! ```
//!
//! - **store** reads the documents in the order they were published, from a cursor it keeps in
//!   the queue, cuts them into the batches `storyline ingest` would cut, and normalises and
//!   writes them with the same code (`Engine::consume`). It moves its cursor only after a
//!   batch is committed; a batch read again after a crash finds its articles stored and adds
//!   nothing.
//! - **extract** takes a stored range of articles from a consumer shared by every extract
//!   worker; any number may run. It acknowledges the range once its extractions are committed;
//!   a range delivered twice finds its articles extracted.
//! - **cluster** is the single ordered writer of events and stories: the in-process stage
//!   (`ClusterStage`), fed by notices instead of a channel. It takes full batches of stored
//!   articles until a run's end is stored, then the rest, so the batches, and with them every
//!   decision, are those of the embedded job on the same input. A worker killed between two
//!   stored states is rolled back to the last one when it, or another, starts.
//! - **index** and **narrate** follow the store as in the embedded job; narrate waits for
//!   extraction to catch up with clustering before it writes a story's report.
//!
//! Every message is acknowledged (or the cursor moved) only after what it caused is committed,
//! and every stage reads what to do from the store, so a message delivered twice changes
//! nothing. The types that travel are the data types of the in-process pipeline ([`Stored`])
//! and two of their own ([`QueuedDoc`], [`Notice`]), as JSON.

use std::sync::mpsc::sync_channel;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use storyline_core::RawDoc;
use storyline_ingest::{read_input, Reject, RejectKind};
use storyline_queue::{decode, encode, Queue, Subject};
use storyline_store::{Location, Store, WriterLock};
use storyline_text::Analyzer;

use crate::cluster::{AnalyseStage, ClusterStage};
use crate::extract::ExtractStage;
use crate::job::Stored;
use crate::{Chunk, Committed, Embedder, Engine, EngineError, IngestOptions, Input, Model};

/// A document on its way from `storyline ingest --queue` to the store stage.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum QueuedDoc {
    /// A document as read, the `index`-th of its run.
    Doc {
        /// The run that published it.
        run: String,
        /// Its place in the run, from 0.
        index: u64,
        /// The document.
        doc: Box<RawDoc>,
    },
    /// A document the publisher could not read (and said so): it holds its place, so that the
    /// store stage cuts the run into the batches the embedded job would.
    Unreadable {
        /// The run.
        run: String,
        /// Its place in the run.
        index: u64,
        /// Why, as the publisher said it.
        why: String,
    },
    /// Every document of the run has been published.
    End {
        /// The run.
        run: String,
        /// How many places it had.
        count: u64,
    },
}

/// What a stage tells the stages after it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Notice {
    /// The store stage committed a batch; `ended` names the run whose last document it held.
    Stored {
        /// What was stored.
        stored: Stored,
        /// The run that ended with it.
        ended: Option<String>,
    },
    /// The cluster stage committed batches up to article `upto`.
    Clustered {
        /// The last article clustered.
        upto: i64,
        /// The run whose every article is now clustered.
        ended: Option<String>,
    },
    /// A run has gone through a stage.
    Done {
        /// The run.
        run: String,
        /// The stage ("index", "narrate").
        stage: String,
    },
}

/// A stage a worker process can run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WorkerStage {
    /// Normalise and store the published documents, in order (one worker at a time).
    Store,
    /// Quotes, times, figures, entities (any number of workers).
    Extract,
    /// Events and stories (one worker at a time).
    Cluster,
    /// The search index (one worker at a time).
    Index,
    /// Story reports (one worker at a time).
    Narrate,
}

impl WorkerStage {
    /// Every stage.
    pub const ALL: [WorkerStage; 5] = [
        WorkerStage::Store,
        WorkerStage::Extract,
        WorkerStage::Cluster,
        WorkerStage::Index,
        WorkerStage::Narrate,
    ];

    /// Its name.
    pub fn as_str(self) -> &'static str {
        match self {
            WorkerStage::Store => "store",
            WorkerStage::Extract => "extract",
            WorkerStage::Cluster => "cluster",
            WorkerStage::Index => "index",
            WorkerStage::Narrate => "narrate",
        }
    }

    /// The stage of this name.
    pub fn parse(name: &str) -> Option<WorkerStage> {
        WorkerStage::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// Whether only one worker of it may run at a time.
    pub fn ordered(self) -> bool {
        self != WorkerStage::Extract
    }
}

/// The stages whose `Done` notice says a run has gone through the whole pipeline: narrate comes
/// after store, cluster and (it waits for it) extract; index after store.
pub const FINAL_STAGES: [&str; 2] = ["index", "narrate"];

/// How long the store stage waits for more of a run before it writes what it has.
const LINGER: Duration = Duration::from_secs(5);

/// How long a worker waits on an empty queue before it looks again.
const POLL: Duration = Duration::from_secs(1);

/// How long a stage may take over a message before it is given to another worker (extract says
/// it is still working after every batch).
const ACK_WAIT: Duration = Duration::from_secs(30);

/// How often narrate rewrites the reports of stories that changed while a run goes on (and
/// always at a run's end).
const NARRATE_EVERY: Duration = Duration::from_secs(60);

/// Messages published together.
const PUBLISH_BATCH: usize = 256;

/// The stored cursor of the store stage: the last document whose batch is committed.
const STORE_CURSOR: &str = "store";

/// What `storyline ingest --queue` published.
#[derive(Debug, Clone, Default)]
pub struct Published {
    /// The run's name: its documents' ids start with it, and its `Done` notices end with it.
    pub run: String,
    /// Documents published.
    pub documents: u64,
    /// Inputs that could not be read (each told to `on_reject`), published as placeholders.
    pub rejected: u64,
}

/// A name for a new run: unique across processes and machines for practical purposes.
fn run_name() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    format!("r{:x}{:x}", nanos, std::process::id())
}

/// Reads `inputs` in order and publishes each document to the queue's document stream, then
/// the run's end. Returns once JetStream has stored every message.
pub fn publish(
    queue: &Queue,
    inputs: &[Input],
    opts: &IngestOptions,
    on_reject: &mut dyn FnMut(&Reject),
    progress: &mut dyn FnMut(u64),
) -> Result<Published, EngineError> {
    let run = run_name();
    let mut published = Published { run: run.clone(), ..Published::default() };
    let mut pending: Vec<(String, storyline_queue::Payload)> = Vec::with_capacity(PUBLISH_BATCH);
    let mut failed: Option<EngineError> = None;
    let mut index = 0u64;
    let limit = queue.max_payload();
    for input in inputs {
        read_input(input, &opts.read, &mut |item| {
            if failed.is_some() {
                return;
            }
            let mut unreadable = |reject: Reject| {
                published.rejected += 1;
                on_reject(&reject);
                encode(&QueuedDoc::Unreadable { run: run.clone(), index, why: reject.to_string() })
            };
            let body = match item {
                Ok(doc) => {
                    let source = doc.source.clone();
                    let body =
                        encode(&QueuedDoc::Doc { run: run.clone(), index, doc: Box::new(doc) });
                    if body.len() <= limit {
                        published.documents += 1;
                        body
                    } else {
                        // The server would refuse it: said by name, and its place kept.
                        unreadable(Reject {
                            path: source.path,
                            line: source.line,
                            kind: RejectKind::TooLarge,
                            message: format!(
                                "the document is {} bytes as a queue message, over the queue server's limit of {limit} (nats-server's max_payload; scripts/cluster-up sets 8 MB)",
                                body.len()
                            ),
                        })
                    }
                }
                Err(reject) => unreadable(reject),
            };
            pending.push((format!("{run}:{index}"), body));
            index += 1;
            if pending.len() >= PUBLISH_BATCH {
                if let Err(e) = queue.publish(Subject::Docs, std::mem::take(&mut pending)) {
                    failed = Some(e.into());
                }
                progress(index);
            }
        });
    }
    if let Some(e) = failed {
        return Err(e);
    }
    pending
        .push((format!("{run}:end"), encode(&QueuedDoc::End { run: run.clone(), count: index })));
    queue.publish(Subject::Docs, pending)?;
    progress(index);
    Ok(published)
}

/// Waits until `run` has gone through every stage of [`FINAL_STAGES`], calling `waiting` with
/// the stages still awaited every few seconds.
pub fn wait_for_run(
    queue: &Queue,
    run: &str,
    waiting: &mut dyn FnMut(&[&str]),
) -> Result<(), EngineError> {
    let mut left: Vec<&str> = FINAL_STAGES.to_vec();
    let mut reader = queue.read_in_order(Subject::Done(run), 1)?;
    let mut told = Instant::now();
    while !left.is_empty() {
        if let Some(d) = reader.next(POLL)? {
            if let Some(Notice::Done { stage, .. }) = read_notice(queue, Subject::Done(run), &d) {
                left.retain(|s| *s != stage);
            }
        }
        if told.elapsed() >= Duration::from_secs(10) && !left.is_empty() {
            waiting(&left);
            told = Instant::now();
        }
    }
    Ok(())
}

/// What a worker process runs: its stages, each in a thread of its own with its own
/// connections, until one fails (the process then ends with that error; every stage takes up
/// where it was when started again).
pub fn run_worker(
    location: &Location,
    queue_url: &str,
    stages: &[WorkerStage],
    opts: &IngestOptions,
    model: &'static Model,
    embedder: Option<&'static Embedder>,
) -> Result<(), EngineError> {
    if matches!(location, Location::Dir(_)) {
        return Err(EngineError::Resource(
            "queue workers share a PostgreSQL store (--store postgres://…); a data directory has \
             one writer process: use `storyline ingest` on it"
                .into(),
        ));
    }
    // Every lock first, so that a second worker of an ordered stage is refused at once.
    let exclusive: Vec<&str> = stages.iter().filter(|s| s.ordered()).map(|s| s.as_str()).collect();
    let lock = WriterLock::acquire_stages(location, &exclusive).map_err(|e| match e {
        storyline_store::StoreError::Busy(_) => EngineError::Refused(format!(
            "another worker already runs {} on this store, or a `storyline ingest` without \
             --queue is writing it: one worker of each of store, cluster, index and narrate \
             runs at a time (extract workers, any number)",
            if exclusive.is_empty() { "a whole job".to_string() } else { exclusive.join(", ") }
        )),
        e => e.into(),
    })?;
    let (tx, rx) = sync_channel::<Result<(), EngineError>>(stages.len());
    for &stage in stages {
        let (location, url, opts, tx) =
            (location.clone(), queue_url.to_string(), opts.clone(), tx.clone());
        std::thread::Builder::new()
            .name(stage.as_str().to_string())
            .spawn(move || {
                let r = match stage {
                    WorkerStage::Store => store_stage(&location, &url, &opts),
                    WorkerStage::Extract => extract_stage(&location, &url),
                    WorkerStage::Cluster => cluster_stage(&location, &url, model, embedder),
                    WorkerStage::Index => index_stage(&location, &url),
                    WorkerStage::Narrate => narrate_stage(&location, &url),
                };
                let _ = tx.send(r.map_err(|e| {
                    EngineError::Refused(format!(
                        "the {} stage stopped: {e}; start the worker again to go on where it was",
                        stage.as_str()
                    ))
                }));
            })
            .expect("a thread can be started");
    }
    drop(tx);
    let first = rx.recv().unwrap_or(Ok(()));
    drop(lock);
    first
}

/// The store stage: the published documents, in order, normalised and written.
fn store_stage(location: &Location, url: &str, opts: &IngestOptions) -> Result<(), EngineError> {
    let queue = Queue::connect(url)?;
    let mut engine = Engine::open_at(location)?;
    let cursor = queue.cursor(STORE_CURSOR)?;
    tracing::info!(cursor, "store stage: reading documents after the stored cursor");
    // A batch committed just before a crash, with its notice not yet sent, is found stored when
    // read again and adds nothing: the stages after are told of everything stored, once, now.
    let upto = engine.store().last_seq()?;
    if upto > 0 {
        let stored = Stored { added: 0, after: 0, upto };
        let id = format!("stored:resume:{}", run_name());
        queue.publish(
            Subject::Stored,
            vec![(id, encode(&Notice::Stored { stored, ended: None }))],
        )?;
    }
    let batch_size = opts.batch_size.max(1) as u64;
    let (tx, rx) = sync_channel::<Chunk<Tag>>(2);
    let url = url.to_string();
    // The reader: its own connection, cutting chunks as the embedded job would.
    let reader = std::thread::Builder::new()
        .name("store-reader".into())
        .spawn(move || -> Result<(), EngineError> {
            let queue = Queue::connect(&url)?;
            let mut reader = queue.read_in_order(Subject::Docs, cursor + 1)?;
            let mut items: Vec<Result<RawDoc, Reject>> = Vec::new();
            let mut last = cursor;
            let mut run: Option<String> = None;
            let send = |items: &mut Vec<_>, last, ended, flush| {
                let chunk = Chunk { items: std::mem::take(items), tag: Tag { last, ended }, flush };
                tx.send(chunk).is_ok()
            };
            loop {
                let Some(d) = reader.next(LINGER)? else {
                    if last > cursor && (!items.is_empty() || run.is_some()) {
                        // Nothing more for a while: write what there is.
                        if !send(&mut items, last, None, true) {
                            return Ok(());
                        }
                        run = None;
                    }
                    continue;
                };
                last = d.seq;
                let message: QueuedDoc = match decode(&queue, Subject::Docs, &d, "queued document")
                {
                    Ok(m) => m,
                    Err(e) => {
                        // Not one of ours: said, and passed over.
                        tracing::warn!("{e}");
                        continue;
                    }
                };
                let (this_run, index, item) = match message {
                    QueuedDoc::Doc { run, index, doc } => (run, index, Ok(*doc)),
                    QueuedDoc::Unreadable { run, index, why } => {
                        let reject = Reject::file(
                            format!("queue:{run}:{index}"),
                            RejectKind::Unreadable,
                            why,
                        );
                        (run, index, Err(reject))
                    }
                    QueuedDoc::End { run: ended, .. } => {
                        if !send(&mut items, last, Some(ended), true) {
                            return Ok(());
                        }
                        run = None;
                        continue;
                    }
                };
                if run.as_deref().is_some_and(|r| r != this_run) && !items.is_empty() {
                    // Another run's documents in between: its batches are its own.
                    if !send(&mut items, last - 1, None, false) {
                        return Ok(());
                    }
                }
                run = Some(this_run);
                items.push(item);
                if (index + 1) % batch_size == 0 && !send(&mut items, last, None, false) {
                    return Ok(());
                }
            }
        })
        .expect("a thread can be started");
    let mut failed: Option<EngineError> = None;
    engine.consume(rx, &mut |_| {}, &mut |_| {}, &mut |c: Committed<Tag>| {
        let notice = |ended| Notice::Stored { stored: c.stored, ended };
        let step = || -> Result<(), EngineError> {
            if c.stored.added > 0 || c.tag.ended.is_some() {
                let id = format!("stored:{}", c.tag.last);
                queue.publish(Subject::Stored, vec![(id, encode(&notice(c.tag.ended.clone())))])?;
            }
            queue.set_cursor(STORE_CURSOR, c.tag.last)?;
            tracing::info!(
                added = c.stored.added,
                upto = c.stored.upto,
                cursor = c.tag.last,
                "stored"
            );
            Ok(())
        };
        match step() {
            Ok(()) => true,
            Err(e) => {
                failed = Some(e);
                false
            }
        }
    })?;
    if let Some(e) = failed {
        return Err(e);
    }
    match reader.join() {
        Ok(r) => r,
        Err(panic) => std::panic::resume_unwind(panic),
    }
}

/// A chunk's place in the document stream: its last message, and the run it ended, if any.
struct Tag {
    last: u64,
    ended: Option<String>,
}

/// The extract stage: stored ranges, any number of workers.
fn extract_stage(location: &Location, url: &str) -> Result<(), EngineError> {
    let queue = Queue::connect(url)?;
    let mut store = Store::open_at(location)?;
    let mut consumer = queue.consumer(Subject::Stored, "extract", ACK_WAIT)?;
    let mut stage = ExtractStage::new()?;
    loop {
        for d in consumer.take(1, POLL) {
            if let Some(Notice::Stored { stored, .. }) = read_notice(&queue, Subject::Stored, &d) {
                let working = || {
                    let _ = consumer.in_progress(&d);
                };
                let done =
                    stage.run_range(&mut store, stored.after, stored.upto, &mut |_| working());
                if let Err(e) = done {
                    // Another worker wrote the same articles at the same moment (a range given
                    // twice): leave it unacknowledged; it comes again and finds them done.
                    tracing::warn!(
                        "extracting articles {}..={}: {e}",
                        stored.after + 1,
                        stored.upto
                    );
                    continue;
                }
                tracing::info!(after = stored.after, upto = stored.upto, "extracted");
            }
            consumer.ack(&d);
        }
    }
}

/// The cluster stage: the single ordered writer of events and stories.
fn cluster_stage(
    location: &Location,
    url: &str,
    model: &Model,
    embedder: Option<&Embedder>,
) -> Result<(), EngineError> {
    let queue = Queue::connect(url)?;
    let mut store = Store::open_at(location)?;
    let mut analyse = AnalyseStage::open(location, model, embedder)?;
    let mut stage = ClusterStage::open(&mut store, model, embedder, crate::STATE_EVERY)?;
    let mut consumer = queue.sole_consumer(Subject::Stored, "cluster", ACK_WAIT * 10)?;
    // The last article clustered (articles are clustered in the order they were stored), so that
    // narrate, told of it, waits for its extraction even when this worker has clustered nothing.
    let mut upto = match store.unclustered(0, 1)?.first() {
        Some(first) => first.0 - 1,
        None => store.last_seq()?,
    };
    loop {
        let (got, added, ended) = take_stored(&queue, &mut consumer);
        analyse.stored(added);
        let finished = !ended.is_empty();
        let mut moved = false;
        while let Some(batch) = analyse.next_batch(finished)? {
            stage.add(&mut store, &batch)?;
            upto = batch.articles.iter().map(|a| a.0).max().unwrap_or(upto).max(upto);
            moved = true;
        }
        if finished {
            stage.save_state(&mut store)?;
        }
        if moved || finished {
            let mut notices = vec![(
                format!("clustered:{upto}"),
                encode(&Notice::Clustered { upto, ended: None }),
            )];
            for run in ended {
                let id = format!("clustered:{run}");
                notices.push((id, encode(&Notice::Clustered { upto, ended: Some(run) })));
            }
            queue.publish(Subject::Clustered, notices)?;
            tracing::info!(upto, clustered = stage.report.clustered, "clustered");
        }
        for d in &got {
            consumer.ack(d);
        }
    }
}

/// The index stage: every article stored and not yet in the search index.
fn index_stage(location: &Location, url: &str) -> Result<(), EngineError> {
    let queue = Queue::connect(url)?;
    let mut store = Store::open_at(location)?;
    let analyzer = Analyzer::builtin().map_err(|e| EngineError::Resource(e.to_string()))?;
    let mut consumer = queue.sole_consumer(Subject::Stored, "index", ACK_WAIT * 10)?;
    // Whatever is waiting from before this worker started, first.
    let mut waiting = crate::narrate::INDEX_BATCH as u64;
    loop {
        let (got, added, ended) = take_stored(&queue, &mut consumer);
        waiting += added;
        if waiting >= crate::narrate::INDEX_BATCH as u64 || !ended.is_empty() {
            let n = crate::narrate::index_pending(&mut store, &analyzer, &mut |_| {})?;
            tracing::info!(indexed = n, "indexed");
            waiting = 0;
        }
        done(&queue, &ended, "index")?;
        for d in &got {
            consumer.ack(d);
        }
    }
}

/// The narrate stage: the reports of the stories that changed, once their articles are extracted.
fn narrate_stage(location: &Location, url: &str) -> Result<(), EngineError> {
    let queue = Queue::connect(url)?;
    // As many connections as cores: a run's last pass shares its stories among them, as the
    // embedded job's does.
    let mut stores = (0..rayon::current_num_threads().max(1))
        .map(|_| Store::open_at(location))
        .collect::<Result<Vec<_>, _>>()?;
    let narrator =
        storyline_narrate::Narrator::new().map_err(|e| EngineError::Resource(e.to_string()))?;
    let mut consumer = queue.sole_consumer(Subject::Clustered, "narrate", ACK_WAIT * 20)?;
    let mut last = Instant::now();
    let mut upto = 0;
    let mut extracted_from = 0;
    loop {
        let got = consumer.take(256, POLL);
        let mut ended = Vec::new();
        for d in &got {
            if let Some(Notice::Clustered { upto: u, ended: e }) =
                read_notice(&queue, Subject::Clustered, d)
            {
                upto = upto.max(u);
                ended.extend(e);
            }
        }
        if !ended.is_empty() || (!got.is_empty() && last.elapsed() >= NARRATE_EVERY) {
            // Every article clustered so far must be extracted first.
            loop {
                let first = stores[0].unextracted(extracted_from, 1)?;
                match first.first() {
                    Some(a) if a.seq <= upto => {
                        extracted_from = a.seq - 1;
                        std::thread::sleep(Duration::from_millis(200));
                    }
                    _ => break,
                }
            }
            let share = if ended.is_empty() { 1 } else { stores.len() };
            let n = crate::narrate::narrate_pending_on(&mut stores[..share], &narrator, &|_| {})?;
            tracing::info!(narrated = n, upto, "narrated");
            last = Instant::now();
        }
        done(&queue, &ended, "narrate")?;
        for d in &got {
            consumer.ack(d);
        }
    }
}

/// The `Stored` notices waiting (up to 256, waiting a moment for the first): the messages, the
/// articles they add up to, and the runs they end.
fn take_stored(
    queue: &Queue,
    consumer: &mut storyline_queue::Consumer<'_>,
) -> (Vec<storyline_queue::Delivery>, u64, Vec<String>) {
    let got = consumer.take(256, POLL);
    let (mut added, mut ended) = (0, Vec::new());
    for d in &got {
        if let Some(Notice::Stored { stored, ended: e }) = read_notice(queue, Subject::Stored, d) {
            added += stored.added;
            ended.extend(e);
        }
    }
    (got, added, ended)
}

/// A notice, or `None` (said on the log) for a message that is not one: it is passed over, not
/// left to stop every worker that takes it.
fn read_notice(
    queue: &Queue,
    subject: Subject<'_>,
    d: &storyline_queue::Delivery,
) -> Option<Notice> {
    decode(queue, subject, d, "notice").map_err(|e| tracing::warn!("{e}")).ok()
}

/// Tells that each of `runs` has gone through `stage`.
fn done(queue: &Queue, runs: &[String], stage: &str) -> Result<(), EngineError> {
    for run in runs {
        let notice = Notice::Done { run: run.clone(), stage: stage.to_string() };
        queue
            .publish(Subject::Done(run), vec![(format!("done:{stage}:{run}"), encode(&notice))])?;
    }
    Ok(())
}

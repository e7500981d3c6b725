//! Storyline's message queue: NATS JetStream, behind a blocking API like the store's.
//!
//! One queue (named by the path of its URL, `nats://host:port/NAME`, default `storyline`) has:
//! - a stream of **documents** (`NAME.docs`), published by `storyline ingest --queue` and read in
//!   order by the single writer that stores them, from a cursor it keeps;
//! - a stream of **notices** (`NAME.stored`, `NAME.clustered`, `NAME.done.RUN`) that the
//!   stages after the store take work from, each through a durable consumer of its own, shared
//!   by every worker of that stage (each notice goes to one of them);
//! - a key-value bucket of **cursors**: how far an ordered reader has durably got.
//!
//! Nothing here knows what a message means: payloads are bytes, and the engine defines the
//! types that travel (the data types of its in-process pipeline, as JSON).
//!
//! The client is `async-nats`, driven by a runtime of its own (one thread), so callers stay
//! blocking. A lost connection is re-established by the client; a publish that failed is
//! retried for a while with the same message id, and JetStream drops the duplicate if the first
//! attempt did land.

use std::time::Duration;

use async_nats::jetstream::{self, consumer, stream};
use bytes::Bytes;

/// The body of a message.
pub use bytes::Bytes as Payload;
use futures_util::StreamExt;

/// What can go wrong with the queue.
#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    /// The URL is not `nats://host[:port][/name]`.
    #[error("queue URL {url:?}: {why}")]
    Url {
        /// The URL given.
        url: String,
        /// Why it is not one.
        why: &'static str,
    },
    /// The server could not be reached, or refused what was asked.
    #[error("queue {url}: {what}: {source}")]
    Nats {
        /// The server.
        url: String,
        /// What was being done.
        what: &'static str,
        /// The client's error.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// A message of a stage could not be read as the type it should be.
    #[error("queue {url}: message {seq} of {subject} is not a {kind}: {source}")]
    Message {
        /// The server.
        url: String,
        /// Its subject.
        subject: String,
        /// Its stream sequence.
        seq: u64,
        /// What it should have been.
        kind: &'static str,
        /// Why it is not.
        source: serde_json::Error,
    },
}

/// Where a queue is: a server and the queue's name on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueUrl {
    /// `host:port` of the server.
    pub server: String,
    /// The queue's name: its subjects start with it, its streams and bucket are named after it.
    pub name: String,
}

impl QueueUrl {
    /// Reads `nats://host[:port][/name]`.
    pub fn parse(url: &str) -> Result<QueueUrl, QueueError> {
        let bad = |why| QueueError::Url { url: url.to_string(), why };
        let rest = url.strip_prefix("nats://").ok_or_else(|| bad("it must start with nats://"))?;
        let (server, name) = rest.split_once('/').unwrap_or((rest, ""));
        if server.is_empty() {
            return Err(bad("it names no server"));
        }
        let name = name.trim_end_matches('/');
        let name = if name.is_empty() { "storyline" } else { name };
        if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
            return Err(bad("a queue name has only letters, digits, - and _"));
        }
        let server =
            if server.contains(':') { server.to_string() } else { format!("{server}:4222") };
        Ok(QueueUrl { server, name: name.to_string() })
    }
}

impl std::fmt::Display for QueueUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "nats://{}/{}", self.server, self.name)
    }
}

/// The subjects of a queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject<'a> {
    /// Documents to store, in the order they were published.
    Docs,
    /// A batch of articles was stored.
    Stored,
    /// A batch of articles was clustered.
    Clustered,
    /// A run has gone through a stage (`done.RUN`).
    Done(&'a str),
}

/// A message taken from a stage's consumer: acknowledge it once its result is durable.
pub struct Delivery {
    /// Its sequence number in its stream.
    pub seq: u64,
    /// How many times it has been delivered (1 the first time).
    pub delivered: i64,
    /// Its body.
    pub payload: Bytes,
    message: jetstream::Message,
}

/// A connection to one queue.
pub struct Queue {
    url: QueueUrl,
    runtime: tokio::runtime::Runtime,
    js: jetstream::Context,
    client: async_nats::Client,
}

/// How long a publish is retried (the server restarting, say) before it fails.
const PUBLISH_PATIENCE: Duration = Duration::from_secs(120);

/// Bytes of a message kept for its headers (the message id) when measuring a body against the
/// server's limit.
const HEADER_ROOM: usize = 1024;

/// How long the documents and notices are kept: a worker that was down for less catches up.
const KEEP: Duration = Duration::from_secs(7 * 24 * 3600);

impl Queue {
    /// Connects, creating the queue's streams and bucket if they do not exist yet.
    pub fn connect(url: &str) -> Result<Queue, QueueError> {
        let url = QueueUrl::parse(url)?;
        // A thread of its own drives the connection (pings, incoming messages) while the
        // caller is busy between two calls.
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("queue")
            .enable_all()
            .build()
            .map_err(|e| nats(&url, "starting the client's runtime", e))?;
        let client = runtime
            .block_on(
                async_nats::ConnectOptions::new()
                    .retry_on_initial_connect()
                    .max_reconnects(None)
                    .connection_timeout(Duration::from_secs(5))
                    .connect(url.server.as_str()),
            )
            .map_err(|e| nats(&url, "connecting", e))?;
        // The first connection is made in the background with retries: wait for it, a while.
        runtime.block_on(async {
            for _ in 0..100 {
                if client.connection_state() == async_nats::connection::State::Connected {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        });
        if client.connection_state() != async_nats::connection::State::Connected {
            return Err(nats(&url, "connecting", "no answer within 10 s"));
        }
        let js = {
            let _inside = runtime.enter();
            jetstream::new(client.clone())
        };
        let queue = Queue { url, runtime, js, client };
        queue.ensure()?;
        Ok(queue)
    }

    /// Where it is.
    pub fn url(&self) -> &QueueUrl {
        &self.url
    }

    fn ensure(&self) -> Result<(), QueueError> {
        let name = &self.url.name;
        for (stream, subjects) in [
            (self.docs_stream(), vec![self.subject(Subject::Docs)]),
            (
                self.notice_stream(),
                vec![
                    self.subject(Subject::Stored),
                    self.subject(Subject::Clustered),
                    format!("{name}.done.>"),
                ],
            ),
        ] {
            let config = stream::Config {
                name: stream,
                subjects,
                storage: stream::StorageType::File,
                retention: stream::RetentionPolicy::Limits,
                max_age: KEEP,
                duplicate_window: Duration::from_secs(120),
                ..Default::default()
            };
            self.runtime
                .block_on(self.js.get_or_create_stream(config))
                .map_err(|e| nats(&self.url, "creating a stream", e))?;
        }
        let bucket = self.bucket_name();
        let exists = self.runtime.block_on(self.js.get_key_value(bucket.clone())).is_ok();
        if !exists {
            self.runtime
                .block_on(self.js.create_key_value(jetstream::kv::Config {
                    bucket,
                    history: 1,
                    storage: stream::StorageType::File,
                    ..Default::default()
                }))
                .map_err(|e| nats(&self.url, "creating the cursor bucket", e))?;
        }
        Ok(())
    }

    fn docs_stream(&self) -> String {
        format!("{}_docs", self.url.name)
    }

    fn notice_stream(&self) -> String {
        format!("{}_notices", self.url.name)
    }

    fn bucket_name(&self) -> String {
        format!("{}_cursors", self.url.name)
    }

    /// The full subject name.
    pub fn subject(&self, subject: Subject<'_>) -> String {
        let name = &self.url.name;
        match subject {
            Subject::Docs => format!("{name}.docs"),
            Subject::Stored => format!("{name}.stored"),
            Subject::Clustered => format!("{name}.clustered"),
            Subject::Done(run) => format!("{name}.done.{run}"),
        }
    }

    fn stream_of(&self, subject: Subject<'_>) -> String {
        match subject {
            Subject::Docs => self.docs_stream(),
            _ => self.notice_stream(),
        }
    }

    /// Publishes `messages` (each with the id that makes a repeat of it a no-op within two
    /// minutes) to `subject` and waits until JetStream has stored every one; returns the
    /// stream sequence of the last. Sent without waiting for each answer, retried as a whole
    /// (same ids) while the server is away.
    pub fn publish(
        &self,
        subject: Subject<'_>,
        messages: Vec<(String, Bytes)>,
    ) -> Result<u64, QueueError> {
        let subject = self.subject(subject);
        let started = std::time::Instant::now();
        loop {
            let attempt = self.runtime.block_on(async {
                let mut acks = Vec::with_capacity(messages.len());
                for (id, payload) in &messages {
                    let publish = jetstream::message::PublishMessage::build()
                        .payload(payload.clone())
                        .message_id(id.as_str());
                    acks.push(self.js.send_publish(subject.clone(), publish).await?);
                }
                let mut last = 0;
                for ack in acks {
                    last = ack.await?.sequence;
                }
                Ok::<u64, async_nats::Error>(last)
            });
            match attempt {
                Ok(last) => return Ok(last),
                Err(e) if started.elapsed() < PUBLISH_PATIENCE => {
                    tracing::warn!("publishing to {subject} failed ({e}); retrying");
                    std::thread::sleep(Duration::from_millis(500));
                }
                Err(e) => return Err(nats(&self.url, "publishing", e)),
            }
        }
    }

    /// The cursor stored under `key` (0 when none).
    pub fn cursor(&self, key: &str) -> Result<u64, QueueError> {
        self.runtime
            .block_on(async {
                let kv = self.js.get_key_value(self.bucket_name()).await?;
                let v = kv.get(key).await?;
                Ok::<_, async_nats::Error>(
                    v.and_then(|b| std::str::from_utf8(&b).ok()?.parse().ok()).unwrap_or(0),
                )
            })
            .map_err(|e| nats(&self.url, "reading a cursor", e))
    }

    /// Stores the cursor `key`, waiting until it is durable (retried while the server is away).
    pub fn set_cursor(&self, key: &str, value: u64) -> Result<(), QueueError> {
        let started = std::time::Instant::now();
        loop {
            let put = self.runtime.block_on(async {
                let kv = self.js.get_key_value(self.bucket_name()).await?;
                kv.put(key, Bytes::from(value.to_string())).await?;
                Ok::<_, async_nats::Error>(())
            });
            match put {
                Ok(()) => return Ok(()),
                Err(_) if started.elapsed() < PUBLISH_PATIENCE => {
                    std::thread::sleep(Duration::from_millis(500))
                }
                Err(e) => return Err(nats(&self.url, "storing a cursor", e)),
            }
        }
    }

    /// Reads `subject` in order from sequence `from` on (an ordered consumer: it follows the
    /// stream across reconnects and never skips or repeats a message).
    pub fn read_in_order(&self, subject: Subject<'_>, from: u64) -> Result<Reader<'_>, QueueError> {
        let filter = self.subject(subject);
        let stream = self.stream_of(subject);
        let messages = self.ordered(&stream, &filter, from)?;
        Ok(Reader { queue: self, stream, filter, last: from.saturating_sub(1), messages })
    }

    fn ordered(
        &self,
        stream: &str,
        filter: &str,
        from: u64,
    ) -> Result<consumer::pull::Ordered, QueueError> {
        self.runtime
            .block_on(async {
                let s = self.js.get_stream(stream).await?;
                let consumer = s
                    .create_consumer(consumer::pull::OrderedConfig {
                        filter_subject: filter.to_string(),
                        deliver_policy: if from <= 1 {
                            consumer::DeliverPolicy::All
                        } else {
                            consumer::DeliverPolicy::ByStartSequence { start_sequence: from }
                        },
                        ..Default::default()
                    })
                    .await?;
                Ok::<_, async_nats::Error>(consumer.messages().await?)
            })
            .map_err(|e| nats(&self.url, "opening an ordered reader", e))
    }

    /// The durable consumer `name` of `subject`, shared by every worker that opens it: each
    /// message goes to one of them, and comes again (to any) when it is not acknowledged
    /// within `ack_wait`.
    pub fn consumer(
        &self,
        subject: Subject<'_>,
        name: &str,
        ack_wait: Duration,
    ) -> Result<Consumer<'_>, QueueError> {
        self.open_consumer(subject, name, ack_wait, false)
    }

    /// The durable consumer `name` of `subject` for a stage of which one worker runs at a time
    /// (the caller makes sure of that): what its last worker took and did not acknowledge comes
    /// again at once, not after the acknowledgement wait, since that worker is gone.
    pub fn sole_consumer(
        &self,
        subject: Subject<'_>,
        name: &str,
        ack_wait: Duration,
    ) -> Result<Consumer<'_>, QueueError> {
        self.open_consumer(subject, name, ack_wait, true)
    }

    fn open_consumer(
        &self,
        subject: Subject<'_>,
        name: &str,
        ack_wait: Duration,
        sole: bool,
    ) -> Result<Consumer<'_>, QueueError> {
        let filter = self.subject(subject);
        let stream = self.stream_of(subject);
        let durable = format!("{}_{name}", self.url.name);
        let consumer = self
            .runtime
            .block_on(async {
                let s = self.js.get_stream(stream).await?;
                let mut deliver_policy = consumer::DeliverPolicy::All;
                if sole {
                    if let Ok(info) = s.consumer_info(&durable).await {
                        // Start again after the last message acknowledged in order.
                        let floor = info.ack_floor.stream_sequence;
                        s.delete_consumer(&durable).await?;
                        if floor > 0 {
                            deliver_policy = consumer::DeliverPolicy::ByStartSequence {
                                start_sequence: floor + 1,
                            };
                        }
                    }
                }
                let c = s
                    .get_or_create_consumer(
                        &durable,
                        consumer::pull::Config {
                            durable_name: Some(durable.clone()),
                            filter_subject: filter,
                            deliver_policy,
                            ack_policy: consumer::AckPolicy::Explicit,
                            ack_wait,
                            max_ack_pending: 10_000,
                            ..Default::default()
                        },
                    )
                    .await?;
                Ok::<_, async_nats::Error>(c)
            })
            .map_err(|e| nats(&self.url, "opening a consumer", e))?;
        Ok(Consumer { queue: self, consumer })
    }

    /// Deletes the queue: its streams, consumers and cursors (tests, and starting over).
    pub fn delete(self) -> Result<(), QueueError> {
        self.runtime
            .block_on(async {
                for stream in [self.docs_stream(), self.notice_stream()] {
                    self.js.delete_stream(stream).await?;
                }
                self.js.delete_key_value(self.bucket_name()).await?;
                Ok::<_, async_nats::Error>(())
            })
            .map_err(|e| nats(&self.url, "deleting the queue", e))
    }

    /// The largest message body the server takes, in bytes (less room for headers).
    pub fn max_payload(&self) -> usize {
        self.client.server_info().max_payload.saturating_sub(HEADER_ROOM)
    }
}

/// Reads one subject in stream order.
pub struct Reader<'q> {
    queue: &'q Queue,
    stream: String,
    filter: String,
    /// The last sequence number handed out.
    last: u64,
    messages: consumer::pull::Ordered,
}

impl Reader<'_> {
    /// The next message, waiting up to `wait` for one; `None` when none came. While the server
    /// is away it answers `None` and, once it is back, goes on after the last message it gave.
    pub fn next(&mut self, wait: Duration) -> Result<Option<Delivery>, QueueError> {
        let messages = &mut self.messages;
        let next = self
            .queue
            .runtime
            .block_on(async { tokio::time::timeout(wait, messages.next()).await });
        let failed = match next {
            Err(_elapsed) => return Ok(None),
            Ok(Some(Ok(message))) => {
                let d = delivery(&self.queue.url, message)?;
                self.last = d.seq;
                return Ok(Some(d));
            }
            Ok(None) => "the reader ended".to_string(),
            Ok(Some(Err(e))) => e.to_string(),
        };
        tracing::warn!(
            "reading {} in order: {failed}; reading again after {}",
            self.filter,
            self.last
        );
        std::thread::sleep(Duration::from_millis(500));
        match self.queue.ordered(&self.stream, &self.filter, self.last + 1) {
            Ok(m) => self.messages = m,
            Err(e) => tracing::warn!("{e}"),
        }
        Ok(None)
    }
}

/// One stage's share of a durable consumer.
pub struct Consumer<'q> {
    queue: &'q Queue,
    consumer: consumer::Consumer<consumer::pull::Config>,
}

impl Consumer<'_> {
    /// Up to `max` messages, waiting up to `wait` for the first; none while the server is away
    /// (said on the log), so that a worker waits for it to come back.
    pub fn take(&mut self, max: usize, wait: Duration) -> Vec<Delivery> {
        match self.fetch(max, wait) {
            Ok(got) => got,
            Err(e) => {
                tracing::warn!("{e}; trying again");
                std::thread::sleep(wait);
                Vec::new()
            }
        }
    }

    /// Up to `max` messages, waiting up to `wait` for the first.
    pub fn fetch(&mut self, max: usize, wait: Duration) -> Result<Vec<Delivery>, QueueError> {
        let url = &self.queue.url;
        self.queue
            .runtime
            .block_on(async {
                let mut batch = self
                    .consumer
                    .fetch()
                    .max_messages(max)
                    .expires(wait.max(Duration::from_millis(100)))
                    .messages()
                    .await?;
                let mut out = Vec::new();
                while let Some(m) = batch.next().await {
                    out.push(m?);
                }
                Ok::<_, async_nats::Error>(out)
            })
            .map_err(|e| nats(url, "fetching", e))?
            .into_iter()
            .map(|m| delivery(url, m))
            .collect()
    }

    /// Acknowledges `d`, waiting until the server has recorded it. An acknowledgement that
    /// does not arrive is said on the log, not an error: the message comes again, and every
    /// stage does nothing twice.
    pub fn ack(&self, d: &Delivery) {
        if let Err(e) = self.queue.runtime.block_on(d.message.double_ack()) {
            tracing::warn!("acknowledging message {}: {e}; it will come again", d.seq);
        }
    }

    /// Tells the server `d` is still being worked on (its redelivery clock starts again).
    pub fn in_progress(&self, d: &Delivery) -> Result<(), QueueError> {
        self.queue
            .runtime
            .block_on(d.message.ack_with(jetstream::AckKind::Progress))
            .map_err(|e| nats(&self.queue.url, "extending a delivery", e))
    }
}

fn delivery(url: &QueueUrl, message: jetstream::Message) -> Result<Delivery, QueueError> {
    let info = message.info().map_err(|e| nats(url, "reading a message's place", e))?;
    let (seq, delivered) = (info.stream_sequence, info.delivered);
    Ok(Delivery { seq, delivered, payload: message.payload.clone(), message })
}

/// Reads a message of a stage as the type it should be.
pub fn decode<T: serde::de::DeserializeOwned>(
    queue: &Queue,
    subject: Subject<'_>,
    d: &Delivery,
    kind: &'static str,
) -> Result<T, QueueError> {
    serde_json::from_slice(&d.payload).map_err(|source| QueueError::Message {
        url: queue.url.to_string(),
        subject: queue.subject(subject),
        seq: d.seq,
        kind,
        source,
    })
}

/// A message of a stage, as JSON.
pub fn encode<T: serde::Serialize>(value: &T) -> Bytes {
    Bytes::from(serde_json::to_vec(value).expect("stage messages are plain data"))
}

fn nats(
    url: &QueueUrl,
    what: &'static str,
    e: impl Into<Box<dyn std::error::Error + Send + Sync>>,
) -> QueueError {
    QueueError::Nats { url: url.to_string(), what, source: e.into() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_queue_url_names_a_server_and_a_queue() {
        let u = QueueUrl::parse("nats://127.0.0.1:4222/test_1").unwrap();
        assert_eq!((u.server.as_str(), u.name.as_str()), ("127.0.0.1:4222", "test_1"));
        let u = QueueUrl::parse("nats://nats.local").unwrap();
        assert_eq!((u.server.as_str(), u.name.as_str()), ("nats.local:4222", "storyline"));
        assert_eq!(u.to_string(), "nats://nats.local:4222/storyline");
        for bad in ["http://x", "nats://", "nats://x/a.b"] {
            let e = QueueUrl::parse(bad).unwrap_err().to_string();
            assert!(e.contains(bad), "{e}");
        }
    }
}

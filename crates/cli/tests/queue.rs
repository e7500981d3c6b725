//! Issue 18: the ingest job spread over worker processes through NATS JetStream and a shared
//! PostgreSQL store decides what the embedded job decides on the same input, and goes on
//! losing and repeating nothing when a worker is killed (SIGKILL) or nats-server restarts in the
//! middle of a stream. Run where `STORYLINE_TEST_POSTGRES` and `STORYLINE_TEST_NATS` name
//! servers (`scripts/cluster-up` starts both; CI requires them).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use storyline_store::{Location, Store};

mod common;
use common::stream;

const BIN: &str = env!("CARGO_BIN_EXE_storyline");

/// Articles of each test: more than one clustering batch (2,048) and several ingest batches.
const N: usize = 2300;

/// The NATS server of the tests, when one is configured.
fn nats_server() -> Option<String> {
    match std::env::var("STORYLINE_TEST_NATS") {
        Ok(url) if !url.is_empty() => {
            Some(storyline_queue::QueueUrl::parse(&url).expect("STORYLINE_TEST_NATS").server)
        }
        _ => {
            assert!(
                std::env::var("STORYLINE_REQUIRE_POSTGRES").map_or(true, |v| v != "1"),
                "the cluster is required but STORYLINE_TEST_NATS is not set: run scripts/cluster-up"
            );
            None
        }
    }
}

/// A queue name of its own for each test.
fn queue_on(server: &str, test: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!("nats://{server}/{test}_{}_{nanos}", std::process::id())
}

/// Worker processes, killed when the test ends however it ends.
struct Workers {
    store: String,
    queue: String,
    logs: PathBuf,
    running: Vec<(String, Child)>,
    started: usize,
}

impl Workers {
    fn new(store: &str, queue: &str, logs: &Path) -> Workers {
        Workers {
            store: store.into(),
            queue: queue.into(),
            logs: logs.into(),
            running: Vec::new(),
            started: 0,
        }
    }

    /// Starts a worker of `stages`; its log goes to a file of its own.
    fn start(&mut self, stages: &str) {
        self.started += 1;
        let log = self.logs.join(format!("worker-{}-{stages}.log", self.started));
        let child = Command::new(BIN)
            .args(["--store", &self.store, "worker", "--queue", &self.queue])
            .args(["--stage", stages, "--no-embeddings"])
            .env("STORYLINE_LOG", "info,async_nats=warn")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(log).unwrap())
            .spawn()
            .unwrap();
        self.running.push((stages.to_string(), child));
    }

    /// SIGKILLs the worker of `stages`.
    fn kill(&mut self, stages: &str) {
        let at = self.running.iter().position(|(s, _)| s == stages).expect("such a worker runs");
        let (_, mut child) = self.running.remove(at);
        child.kill().unwrap();
        child.wait().unwrap();
    }

    /// Every worker's log, for a failure's message.
    fn logs(&self) -> String {
        let mut all = String::new();
        for entry in std::fs::read_dir(&self.logs).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "log") {
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                let tail: Vec<&str> = text.lines().rev().take(15).collect();
                all.push_str(&format!("--- {}\n", path.display()));
                for line in tail.into_iter().rev() {
                    all.push_str(line);
                    all.push('\n');
                }
            }
        }
        all
    }
}

impl Drop for Workers {
    fn drop(&mut self) {
        for (_, child) in &mut self.running {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// `storyline ingest --queue Q --wait FILE`, started.
fn publish_and_wait(queue: &str, input: &Path) -> Child {
    Command::new(BIN)
        .args(["ingest", "--queue", queue, "--wait"])
        .arg(input)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Waits for `child` to end well, within ten minutes.
fn finish(mut child: Child, workers: &Workers) {
    let deadline = Instant::now() + Duration::from_secs(600);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let out = child.wait_with_output().unwrap();
            let said = String::from_utf8_lossy(&out.stderr);
            assert!(status.success(), "ingest --queue --wait failed: {said}\n{}", workers.logs());
            assert!(said.contains("has gone through the whole pipeline"), "{said}");
            return;
        }
        assert!(Instant::now() < deadline, "the pipeline did not finish:\n{}", workers.logs());
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// What a finished store holds: each article's event, story and copy by its source id, the
/// stories listed, and the quotes, figures and entities of every article.
#[derive(Debug, PartialEq)]
struct Snapshot {
    articles: BTreeMap<String, (u32, u32, Option<String>)>,
    stories: String,
    extracted: BTreeMap<String, String>,
    entities: String,
    searched: u64,
    /// Every story's report, as stored.
    reports: Vec<String>,
}

fn snapshot(location: &Location) -> Snapshot {
    let store = Store::open_at(location).unwrap();
    let mut articles = BTreeMap::new();
    let mut extracted = BTreeMap::new();
    for s in store.list(1_000_000, 0).unwrap() {
        let a = store.assignment_of(&s.id).unwrap().expect("every article is clustered");
        let key = s.external_id.clone().unwrap();
        let x = store.extraction(&s.id).unwrap();
        extracted.insert(key.clone(), format!("{x:?}"));
        assert!(
            articles.insert(key.clone(), (a.event, a.story, a.copy_of)).is_none(),
            "{key} twice"
        );
    }
    let analyzer = storyline_text::Analyzer::builtin().unwrap();
    let terms = analyzer.query_terms("Hochwasser", &["de"]);
    let stories = store.stories(100_000, 0).unwrap();
    let reports = (0..stories.len() as u32 + 5)
        .map(|s| format!("{:?}", store.story_report(s).unwrap()))
        .collect();
    Snapshot {
        articles,
        reports,
        stories: format!("{stories:?}"),
        extracted,
        entities: format!("{:?}", store.entities(1000, 0).unwrap()),
        searched: store.search(&terms, &Default::default(), 10, 0).unwrap().total,
    }
}

/// The embedded job's result on `input`: the reference.
fn embedded(dir: &Path, input: &Path) -> Snapshot {
    let data = dir.join("embedded");
    let out = Command::new(BIN)
        .arg("--data-dir")
        .arg(&data)
        .args(["ingest", "--quiet", "--no-embeddings"])
        .arg(input)
        .env_remove("STORYLINE_STORE")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let s = snapshot(&Location::Dir(data));
    assert_eq!(s.articles.len(), N);
    assert!(s.articles.values().any(|a| a.2.is_some()), "the stream has copies");
    s
}

/// Articles stored so far in the shared store.
fn stored(location: &Location) -> u64 {
    Store::open_at(location).map(|s| s.count().unwrap_or(0)).unwrap_or(0)
}

/// Sleeps until the shared store holds at least `n` articles.
fn until_stored(location: &Location, n: u64, workers: &Workers) {
    let deadline = Instant::now() + Duration::from_secs(300);
    while stored(location) < n {
        assert!(Instant::now() < deadline, "nothing stored:\n{}", workers.logs());
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Whether `a` equals `b`, and if not, what differs first.
fn same(a: &Snapshot, b: &Snapshot) -> Result<(), String> {
    if a.articles != b.articles {
        let first: Vec<_> =
            a.articles.iter().filter(|(k, v)| b.articles.get(*k) != Some(v)).take(5).collect();
        return Err(format!(
            "{} against {} articles, differing: {first:?}",
            a.articles.len(),
            b.articles.len()
        ));
    }
    if a.extracted != b.extracted {
        let first: Vec<_> = a
            .extracted
            .keys()
            .filter(|k| a.extracted.get(*k) != b.extracted.get(*k))
            .take(5)
            .collect();
        return Err(format!("extractions differ: {first:?}"));
    }
    if (&a.stories, &a.entities, a.searched) != (&b.stories, &b.entities, b.searched) {
        return Err("stories, entities or search differ".into());
    }
    if a.reports != b.reports {
        let first = a.reports.iter().zip(&b.reports).position(|(x, y)| x != y);
        return Err(format!("story reports differ, first at story {first:?}"));
    }
    Ok(())
}

/// What every test starts from: a fresh database, the input, and the embedded job's result on it.
struct Setup {
    pg: storyline_store::testing::Fresh,
    url: String,
    dir: tempfile::TempDir,
    input: PathBuf,
    expected: Snapshot,
}

impl Setup {
    fn new() -> Option<Setup> {
        let pg = storyline_store::testing::postgres()?;
        let Location::Postgres(url) = &pg.location else { unreachable!() };
        let url = url.clone();
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("stream.jsonl");
        std::fs::write(&input, stream(N)).unwrap();
        let expected = embedded(dir.path(), &input);
        Some(Setup { pg, url, dir, input, expected })
    }
}

#[test]
fn three_worker_processes_decide_as_the_embedded_job() {
    let Some(server) = nats_server() else { return };
    let Some(Setup { pg, url, dir, input, expected }) = Setup::new() else { return };

    let queue = queue_on(&server, "three");
    let mut workers = Workers::new(&url, &queue, dir.path());
    workers.start("store,cluster,index,narrate");
    workers.start("extract");
    workers.start("extract");
    finish(publish_and_wait(&queue, &input), &workers);
    let got = snapshot(&pg.location);
    if let Err(e) = same(&got, &expected) {
        panic!("{e}\n{}", workers.logs());
    }
    // Both extract workers took a share.
    let shares = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| {
            let p = e.unwrap().path();
            let text = std::fs::read_to_string(&p).ok()?;
            (p.to_string_lossy().contains("extract") && text.contains("extracted")).then_some(())
        })
        .count();
    assert_eq!(shares, 2, "{}", workers.logs());

    // A second worker of an ordered stage is refused at once, by name.
    let second = Command::new(BIN)
        .args(["--store", &url, "worker", "--queue", &queue, "--stage", "store", "--no-embeddings"])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&second.stderr);
    assert_eq!(second.status.code(), Some(2), "{said}");
    assert!(said.contains("another worker already runs store"), "{said}");

    // The same input again: nothing changes.
    finish(publish_and_wait(&queue, &input), &workers);
    assert_eq!(snapshot(&pg.location), got);
    drop(workers);
    storyline_queue::Queue::connect(&queue).unwrap().delete().unwrap();
}

#[test]
fn workers_killed_mid_stream_lose_and_repeat_nothing_once_started_again() {
    let Some(server) = nats_server() else { return };
    let Some(Setup { pg, url, dir, input, expected }) = Setup::new() else { return };

    let queue = queue_on(&server, "killed");
    let mut workers = Workers::new(&url, &queue, dir.path());
    workers.start("store,index");
    workers.start("cluster,narrate");
    workers.start("extract");
    let waiting = publish_and_wait(&queue, &input);
    // Kill the ordered writers and an extract worker while the stream is being stored.
    until_stored(&pg.location, N as u64 / 3, &workers);
    workers.kill("store,index");
    workers.kill("extract");
    workers.start("store,index");
    // Kill the cluster worker once its first batch is committed: its state is stored only every
    // few batches and at a run's end, so the one started after it rolls back and clusters again.
    let deadline = Instant::now() + Duration::from_secs(300);
    let clustered = || {
        Store::open_at(&pg.location).and_then(|s| s.cluster_counters()).map_or(0, |c| c.next_ord)
    };
    while clustered() == 0 {
        assert!(Instant::now() < deadline, "nothing clustered:\n{}", workers.logs());
        std::thread::sleep(Duration::from_millis(10));
    }
    workers.kill("cluster,narrate");
    eprintln!("cluster worker killed with {} of {N} articles clustered", clustered());
    workers.start("cluster,narrate");
    workers.start("extract");
    finish(waiting, &workers);
    if let Err(e) = same(&snapshot(&pg.location), &expected) {
        panic!("{e}\n{}", workers.logs());
    }
    drop(workers);
    storyline_queue::Queue::connect(&queue).unwrap().delete().unwrap();
}

/// A nats-server of the test's own (so that restarting it disturbs no other test), on a free
/// port, its streams in `dir`.
struct OwnNats {
    binary: String,
    conf: PathBuf,
    child: Option<Child>,
    port: u16,
}

impl OwnNats {
    fn start(dir: &Path) -> Option<OwnNats> {
        OwnNats::start_with(dir, "")
    }

    /// With `extra` lines of configuration.
    fn start_with(dir: &Path, extra: &str) -> Option<OwnNats> {
        let binary = std::env::var("STORYLINE_NATS_SERVER").ok().filter(|b| !b.is_empty())?;
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let conf = dir.join("nats.conf");
        let store = dir.join("jetstream");
        std::fs::write(
            &conf,
            format!(
                "listen: 127.0.0.1:{port}\njetstream {{ store_dir: \"{}\" }}\n{extra}\n",
                store.display()
            ),
        )
        .unwrap();
        let mut nats = OwnNats { binary, conf, child: None, port };
        nats.up();
        Some(nats)
    }

    fn up(&mut self) {
        let child = Command::new(&self.binary)
            .arg("-c")
            .arg(&self.conf)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(Instant::now() < deadline, "nats-server did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for OwnNats {
    fn drop(&mut self) {
        self.kill();
    }
}

#[test]
fn a_nats_server_restarted_mid_stream_loses_and_repeats_nothing() {
    let Some(_) = nats_server() else { return };
    let Some(Setup { pg, url, dir, input, expected }) = Setup::new() else { return };
    let Some(mut nats) = OwnNats::start(dir.path()) else {
        assert!(
            std::env::var("STORYLINE_REQUIRE_POSTGRES").map_or(true, |v| v != "1"),
            "STORYLINE_NATS_SERVER is not set: run scripts/cluster-up"
        );
        return;
    };

    let queue = format!("nats://127.0.0.1:{}/restarted", nats.port);
    let mut workers = Workers::new(&url, &queue, dir.path());
    workers.start("store,cluster,index,narrate");
    workers.start("extract");
    let waiting = publish_and_wait(&queue, &input);
    until_stored(&pg.location, N as u64 / 3, &workers);
    nats.kill();
    std::thread::sleep(Duration::from_secs(2));
    nats.up();
    finish(waiting, &workers);
    if let Err(e) = same(&snapshot(&pg.location), &expected) {
        panic!("{e}\n{}", workers.logs());
    }
}

/// A document larger than the queue server takes is named as skipped, with its file and line,
/// and the rest of the run goes through: it used to fail the whole publish after two minutes
/// of retries.
#[test]
fn a_document_too_large_for_the_queue_is_skipped_by_name_and_the_rest_goes_through() {
    let Some(_) = nats_server() else { return };
    let Some(pg) = storyline_store::testing::postgres() else { return };
    let Location::Postgres(url) = &pg.location else { unreachable!() };
    let dir = tempfile::tempdir().unwrap();
    let Some(nats) = OwnNats::start_with(dir.path(), "max_payload: 65536") else { return };
    let text = |i: usize, words: usize| {
        let body = "Der Stadtrat hat am Dienstag den Haushalt beschlossen. ".repeat(words);
        serde_json::json!({"id": format!("d{i}"), "title": format!("Haushalt {i}"), "text": body})
            .to_string()
    };
    let input = dir.path().join("big.jsonl");
    std::fs::write(&input, [text(1, 10), text(2, 2_000), text(3, 10)].join("\n")).unwrap();
    let queue = format!("nats://127.0.0.1:{}/big", nats.port);
    let mut workers = Workers::new(url, &queue, dir.path());
    workers.start("all");
    let child = publish_and_wait(&queue, &input);
    let out = child.wait_with_output().unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "something was skipped: {said}\n{}", workers.logs());
    assert!(said.contains("big.jsonl:2") && said.contains("limit of"), "{said}");
    assert!(said.contains("has gone through the whole pipeline"), "{said}");
    assert_eq!(stored(&pg.location), 2);
}

//! Load test of the REST API and web UI on loopback: a store of N articles (default 10^5, the
//! 10kGNAD replay of the cluster benchmark, built once through the whole engine: ingest,
//! extraction, clustering, search index, story reports) served in-process, and C concurrent
//! clients (default 200), each on its own keep-alive connection, for S seconds (default 30).
//! Each client loops over a fixed mix: a story report (`/api/stories/{id}`, 30 %), a story page
//! of the web UI (`/stories/{id}`, 10 %), the story list (`/api/stories`, 5 %), an article page
//! of the web UI (`/articles/{id}`, 10 %, every 50th article) and a search
//! (`/api/search?q=WORD`, 45 %, words from a fixed list of common and rare German news words).
//! Reports requests per second and p50/p99/max latency per kind; an error is any answer but
//! 200, or a broken connection. Before the load, each search word is asked once, one at a time,
//! to show what a search costs before the server has its answer cached.
//!
//! With `--hostile`, the server runs behind its guard (`storyline serve`'s header timeout and
//! connection cap), 300 more clients hold connections open (half stalled in their headers, half
//! silent), eight more keep sending the most expensive requests (searches of 3,000 repeated or
//! distinct words, story exports as HTML, malformed parameters), and one asks `/api/health`
//! every 100 ms: its latency is the figure of issue 17 ("no stall longer than a second").
//!
//! Run: `cargo bench -p storyline-eval --bench serve -- [--n N] [--clients C] [--seconds S]
//! [--renarrate] [--hostile]` (`--renarrate` rewrites the stored reports first, after a change in
//! narrate).
//! The store is kept in `target/bench-data/serve-N` and reused by later runs.

#![allow(clippy::print_stdout)] // a benchmark report is its output

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use storyline_engine::{Engine, IngestOptions, Input, Model};
use storyline_eval::replay::{replay, rfc3339};
use storyline_server::client::Connection;
use storyline_server::{router, Pool, DEFAULT_CONNECTIONS};
use storyline_store::Store;

const WORDS: [&str; 20] = [
    "Regierung",
    "Österreich",
    "Polizei",
    "Wien",
    "Prozent",
    "Euro",
    "Minister",
    "Wahl",
    "Unternehmen",
    "Bundesregierung",
    "Gericht",
    "Schule",
    "Fußball",
    "Trump",
    "Flüchtlinge",
    "Bank",
    "Klimawandel",
    "Partei",
    "Strafe",
    "Konzern",
];

const KINDS: [&str; 7] =
    ["api story", "ui story", "story list", "search", "ui article", "hostile", "health"];

/// The most expensive requests there are, for `--hostile` (`{s}` is a story id).
fn hostile_paths(story: u32) -> Vec<String> {
    let repeated = vec!["Wien"; 3_000].join("%20");
    let distinct: Vec<String> = (0..3_000).map(|i| format!("w{i}")).collect();
    vec![
        format!("/api/search?q={repeated}"),
        format!("/api/search?q={}", distinct.join("%20")),
        format!("/search?q={repeated}"),
        format!("/api/stories/{story}/export?format=html"),
        format!("/api/stories/{story}/export?format=csv"),
        "/api/search?q=Wien&from=2023-02-30".into(),
        "/api/articles?limit=100000&cursor=-5".into(),
        "/api/search?q=%22%22%22%22(((".into(),
    ]
}

/// One `--hostile` attacker: `path` again and again on fresh connections until `until`.
async fn attacker(addr: String, path: String, until: Instant) -> Vec<Sample> {
    let mut samples = Vec::new();
    while Instant::now() < until {
        let start = Instant::now();
        let ok = match Connection::open(&addr).await {
            Ok(mut c) => c.get(&path).await.is_ok_and(|a| a.status < 500),
            Err(_) => false,
        };
        samples.push(Sample { kind: 5, micros: start.elapsed().as_micros() as u64, ok });
    }
    samples
}

/// `/api/health` every 100 ms on a fresh connection until `until`.
async fn health(addr: String, until: Instant) -> Vec<Sample> {
    let mut samples = Vec::new();
    while Instant::now() < until {
        let start = Instant::now();
        let ok = match Connection::open(&addr).await {
            Ok(mut c) => c.get("/api/health").await.is_ok_and(|a| a.status == 200),
            Err(_) => false,
        };
        samples.push(Sample { kind: 6, micros: start.elapsed().as_micros() as u64, ok });
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    samples
}

fn build(dir: &Path, n: usize) {
    let path = storyline_eval::shared_data().join("gnad10k/test.csv");
    let csv = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        eprintln!("{} not found (set STORYLINE_SHARED_DATA)", path.display());
        std::process::exit(0)
    });
    let rows = storyline_eval::parse_gnad(&csv);
    std::fs::create_dir_all(dir).expect("create the data directory");
    let input = dir.join("input.jsonl");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&input).expect("create input"));
    for start in (0..n).step_by(10_000) {
        for it in replay(&rows, start..(start + 10_000).min(n)) {
            let rec = serde_json::json!({"id": it.id, "title": it.title, "text": it.body, "date": rfc3339(it.time), "language": "de", "source": "derstandard.example"});
            writeln!(out, "{rec}").expect("write");
        }
    }
    out.flush().expect("flush");
    drop(out);
    let t = Instant::now();
    let mut engine = Engine::open(&dir.join("data")).expect("open");
    engine
        .ingest(&[Input::Path(input.clone())], &IngestOptions::default(), &mut |_| {})
        .expect("ingest");
    println!("  ingest   {:>7.1} s", t.elapsed().as_secs_f64());
    let t = Instant::now();
    engine.extract(|_| {}).expect("extract");
    println!("  extract  {:>7.1} s", t.elapsed().as_secs_f64());
    let t = Instant::now();
    engine.cluster(&Model::builtin().expect("model"), None, &mut |_| {}).expect("cluster");
    println!("  cluster  {:>7.1} s", t.elapsed().as_secs_f64());
    let t = Instant::now();
    let indexed = engine.index(&mut |_| {}).expect("index");
    println!("  index    {:>7.1} s ({indexed} articles)", t.elapsed().as_secs_f64());
    let t = Instant::now();
    let stories = engine.narrate(&mut |_| {}).expect("narrate");
    println!("  narrate  {:>7.1} s ({stories} stories)", t.elapsed().as_secs_f64());
    std::fs::remove_file(&input).ok();
    std::fs::write(dir.join("ready"), b"").expect("mark");
}

struct Sample {
    kind: usize,
    micros: u64,
    ok: bool,
}

/// xorshift64*: a fixed request mix without a dependency.
fn next(state: &mut u64) -> u64 {
    *state ^= *state >> 12;
    *state ^= *state << 25;
    *state ^= *state >> 27;
    state.wrapping_mul(0x2545_f491_4f6c_dd1d)
}

async fn client(
    addr: String,
    seed: u64,
    stories: Arc<Vec<u32>>,
    articles: Arc<Vec<String>>,
    until: Instant,
) -> Vec<Sample> {
    let mut samples = Vec::new();
    let mut state = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    let mut conn = Connection::open(&addr).await.ok();
    while Instant::now() < until {
        let r = next(&mut state);
        let roll = r % 100;
        let story = stories[(r >> 8) as usize % stories.len()];
        let article = &articles[(r >> 24) as usize % articles.len()];
        let (kind, path) = match roll {
            0..30 => (0, format!("/api/stories/{story}")),
            30..40 => (1, format!("/stories/{story}")),
            40..45 => (2, "/api/stories?limit=20".to_string()),
            45..55 => (4, format!("/articles/{article}")),
            _ => (3, format!("/api/search?q={}", encode(WORDS[(r >> 20) as usize % WORDS.len()]))),
        };
        let start = Instant::now();
        let ok = match conn.as_mut() {
            Some(c) => match c.get(&path).await {
                Ok(a) => a.status == 200,
                Err(_) => {
                    conn = Connection::open(&addr).await.ok();
                    false
                }
            },
            None => {
                conn = Connection::open(&addr).await.ok();
                false
            }
        };
        samples.push(Sample { kind, micros: start.elapsed().as_micros() as u64, ok });
    }
    samples
}

fn encode(word: &str) -> String {
    word.bytes()
        .map(
            |b| {
                if b.is_ascii_alphanumeric() {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            },
        )
        .collect()
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let at = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[at] as f64 / 1000.0
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str, default: usize| storyline_eval::bench_arg(&args, name, default);
    let (n, clients, seconds) = (arg("--n", 100_000), arg("--clients", 200), arg("--seconds", 30));
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join(format!("../../target/bench-data/serve-{n}"));
    if !dir.join("ready").exists() {
        println!("building a store of {n} articles in {}", dir.display());
        std::fs::remove_dir_all(&dir).ok();
        build(&dir, n);
    }
    let data = dir.join("data");
    if args.iter().any(|a| a == "--renarrate") {
        let t = Instant::now();
        let mut engine = Engine::open(&data).expect("open");
        let n = engine.renarrate(&mut |_| {}).expect("narrate");
        println!("  narrate  {:>7.1} s ({n} stories, rewritten)", t.elapsed().as_secs_f64());
    }
    let store = Store::open(&data).expect("open the store");
    let mut stories = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = store.story_list(100, cursor.as_deref()).expect("list stories");
        stories.extend(page.items.iter().map(|s| s.story));
        match page.next {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    // Every 50th article, for the article pages.
    let mut articles = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = store.article_page(None, 100, cursor.as_deref()).expect("list articles");
        articles.extend(page.items.iter().step_by(50).map(|a| a.id.as_str().to_string()));
        match page.next {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    let articles = Arc::new(articles);
    println!("store: {} articles, {} stories", store.count().expect("count"), stories.len());
    drop(store);
    let stories = Arc::new(stories);

    let server = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    let pool = Arc::new(Pool::open(&data, DEFAULT_CONNECTIONS).expect("pool"));
    let listener = server.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).expect("bind");
    let addr = listener.local_addr().expect("addr").to_string();
    let hostile = args.iter().any(|a| a == "--hostile");
    if hostile {
        let options = storyline_server::ServeOptions::default();
        server
            .spawn(async move { storyline_server::serve_listener(listener, pool, &options).await });
    } else {
        server.spawn(async move { axum::serve(listener, router(pool)).await });
    }

    // Each search once, one at a time, before the load: what a search costs when it is not
    // cached (the server keeps answers while the store does not change).
    let cold_addr = addr.clone();
    let mut cold: Vec<u64> = std::thread::spawn(move || {
        let rt =
            tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        rt.block_on(async move {
            let mut c = Connection::open(&cold_addr).await.expect("connect");
            let mut out = Vec::new();
            for w in WORDS {
                let t = Instant::now();
                let a = c.get(&format!("/api/search?q={}", encode(w))).await.expect("search");
                assert_eq!(a.status, 200);
                out.push(t.elapsed().as_micros() as u64);
            }
            out
        })
    })
    .join()
    .expect("cold searches");
    cold.sort_unstable();
    println!(
        "searches not cached, one at a time ({} words): p50 {:.1} ms, max {:.1} ms",
        cold.len(),
        percentile(&cold, 0.5),
        percentile(&cold, 1.0)
    );

    // The clients run on their own thread and runtime, as a separate load generator would.
    let load = std::thread::spawn(move || {
        let rt =
            tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        rt.block_on(async move {
            let until = Instant::now() + Duration::from_secs(seconds as u64);
            let mut held = Vec::new();
            let mut extra = Vec::new();
            if hostile {
                use tokio::io::AsyncWriteExt;
                for i in 0..300 {
                    let mut s = tokio::net::TcpStream::connect(&addr).await.expect("connect");
                    if i % 2 == 0 {
                        let _ = s.write_all(b"GET /api/health HTTP/1.1\r\nX-Slow: ").await;
                    }
                    held.push(s);
                }
                for path in hostile_paths(stories[0]) {
                    extra.push(tokio::spawn(attacker(addr.clone(), path, until)));
                }
                extra.push(tokio::spawn(health(addr.clone(), until)));
            }
            let tasks: Vec<_> = (0..clients)
                .map(|i| {
                    tokio::spawn(client(
                        addr.clone(),
                        i as u64 + 1,
                        stories.clone(),
                        articles.clone(),
                        until,
                    ))
                })
                .collect();
            let mut all = Vec::new();
            for t in tasks.into_iter().chain(extra) {
                all.extend(t.await.expect("client"));
            }
            drop(held);
            all
        })
    });
    let samples = load.join().expect("load thread");
    let (anon, file) =
        (storyline_eval::status_mib("RssAnon:"), storyline_eval::status_mib("RssFile:"));
    println!(
        "{clients} clients for {seconds} s on loopback, {} requests ({:.0}/s); memory allocated {anon:.0} MiB, mapped file pages {file:.0} MiB",
        samples.len(),
        samples.len() as f64 / seconds as f64
    );
    println!(
        "  {:<12} {:>9} {:>9} {:>9} {:>9} {:>7}",
        "KIND", "REQUESTS", "P50 ms", "P99 ms", "MAX ms", "ERRORS"
    );
    for (k, name) in KINDS.iter().enumerate().map(|(k, n)| (Some(k), *n)).chain([(None, "all")]) {
        let mut lat: Vec<u64> =
            samples.iter().filter(|s| k.is_none_or(|k| s.kind == k)).map(|s| s.micros).collect();
        let errors = samples.iter().filter(|s| k.is_none_or(|k| s.kind == k) && !s.ok).count();
        lat.sort_unstable();
        println!(
            "  {:<12} {:>9} {:>9.1} {:>9.1} {:>9.1} {:>7}",
            name,
            lat.len(),
            percentile(&lat, 0.5),
            percentile(&lat, 0.99),
            percentile(&lat, 1.0),
            errors
        );
    }
}

//! Kill -9 at random points of `storyline ingest` (issue 17, part 3): whatever stage the process
//! is in when it dies (reading, storing, extracting, clustering, writing reports), running the
//! same command again must leave the store exactly as one uninterrupted run does: every article
//! once, the same events and stories (ids included), copies, quotes, figures and entities.
//!
//! The kill points are drawn from a fixed seed, so a failure can be re-run;
//! `STORYLINE_CRASH_SEED` and `STORYLINE_CRASH_RUNS` hunt further.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use storyline_store::Store;

mod common;
use common::stream;

fn ingest(data: &Path, input: &Path) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_storyline"))
        .arg("--data-dir")
        .arg(data)
        .args(["ingest", "--quiet", "--no-embeddings"])
        .arg(input)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

fn list(data: &Path, what: &str) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_storyline"))
        .arg("--data-dir")
        .arg(data)
        .args([what, "--json", "--limit", "100000"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{what}: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// What a finished store holds: each article's event, story and copy by its external id, and
/// the quotes, figures and entities listed.
#[derive(Debug, PartialEq)]
struct Snapshot {
    articles: BTreeMap<String, (u32, u32, Option<String>)>,
    quotes: serde_json::Value,
    figures: serde_json::Value,
    entities: serde_json::Value,
}

fn snapshot(data: &Path) -> Snapshot {
    let store = Store::open(data).unwrap();
    let mut articles = BTreeMap::new();
    let listed = store.list(1_000_000, 0).unwrap();
    for s in &listed {
        let a = store.assignment_of(&s.id).unwrap().expect("every article is clustered");
        let key = s.external_id.clone().unwrap();
        assert!(
            articles.insert(key.clone(), (a.event, a.story, a.copy_of)).is_none(),
            "{key} twice"
        );
    }
    Snapshot {
        articles,
        quotes: list(data, "quotes"),
        figures: list(data, "figures"),
        entities: list(data, "entities"),
    }
}

/// A 64-bit LCG: the same kill points for the same seed.
struct Draw(u64);

impl Draw {
    fn fraction(&mut self) -> f64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[test]
fn killed_at_random_points_an_ingest_run_again_stores_what_one_run_stores() {
    let dir = tempfile::tempdir().unwrap();
    let n = 700;
    let input = dir.path().join("stream.jsonl");
    std::fs::write(&input, stream(n)).unwrap();

    let once = dir.path().join("once");
    let started = Instant::now();
    assert!(ingest(&once, &input).wait().unwrap().success());
    let whole = started.elapsed();
    let expected = snapshot(&once);
    assert_eq!(expected.articles.len(), n);
    assert!(expected.articles.values().any(|a| a.2.is_some()), "the stream has copies");

    let seed =
        std::env::var("STORYLINE_CRASH_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(17);
    let runs = std::env::var("STORYLINE_CRASH_RUNS").ok().and_then(|s| s.parse().ok()).unwrap_or(3);
    let mut draw = Draw(seed);
    let mut interrupted = 0;
    for run in 0..runs {
        let data = dir.path().join(format!("killed-{run}"));
        // Every other run is killed twice: the second time while it recovers from the first.
        let kills = 1 + run % 2;
        let mut at = Vec::new();
        for _ in 0..kills {
            // Spread over the whole run, so that over the runs the kills land in every stage.
            let wait = whole.mul_f64(0.05 + 0.9 * draw.fraction());
            at.push(wait);
            let mut child = ingest(&data, &input);
            std::thread::sleep(wait);
            if child.try_wait().unwrap().is_none() {
                interrupted += 1;
            }
            let _ = child.kill(); // SIGKILL; the run may have finished just now
            child.wait().unwrap();
        }
        let status = ingest(&data, &input).wait().unwrap();
        assert!(status.success(), "run {run} (killed after {at:?}): the rerun failed");
        let got = snapshot(&data);
        let moved: Vec<_> = expected
            .articles
            .iter()
            .filter(|(k, v)| got.articles.get(*k) != Some(v))
            .take(5)
            .collect();
        assert!(
            moved.is_empty() && got.articles.len() == n,
            "seed {seed}, run {run}, killed after {at:?}: {} articles, differing: {moved:?}",
            got.articles.len()
        );
        assert!(got == expected, "seed {seed}, run {run}, killed after {at:?}: extractions differ");
    }
    assert!(interrupted > 0, "no kill landed while an ingest ran");
}

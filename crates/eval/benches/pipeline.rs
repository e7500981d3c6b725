//! The whole job of `storyline ingest`, end to end: N generated articles written as one JSONL
//! file, then [`Engine::run_job`], the code `storyline ingest FILE` runs (read, normalise,
//! store; extract; cluster; index; story reports).
//!
//! The articles are the replay generator's (`storyline_eval::replay`: real German text of the
//! 10kGNAD test split, 1,000 articles a day, dated, each report a shuffle of its happening's
//! sentences with sentences of two other reports) plus copies: every 25th article repeats an
//! earlier one word for word under its own id, as a syndicated report does.
//!
//! Reported: wall time and articles/s of the whole job, each stage's busy time and share, the
//! process's peak RSS, and the store's size on disk. Writing the input is not timed.
//!
//! Run: `cargo bench -p storyline-eval --bench pipeline -- [--n N] [--dense]` (default 10^5;
//! `--dense` adds sentence vectors and needs the encoder installed, see `scripts/setup-model`).
//! `--write FILE` only writes the input to FILE, to time `storyline ingest FILE` of two builds
//! against each other.

#![allow(clippy::print_stdout)] // a benchmark report is its output

use std::io::Write;

use storyline_engine::{Engine, IngestOptions, Input, Model};
use storyline_eval::replay::{replay, rfc3339};

/// Every this many articles, one is a word-for-word copy of an earlier one.
const COPY_EVERY: usize = 25;
/// Articles made at a time while writing the input.
const CHUNK: usize = 10_000;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n = storyline_eval::bench_arg(&args, "--n", 100_000);
    let embedder = if args.iter().any(|a| a == "--dense") {
        let dir = storyline_embed::locate(None).expect("--dense needs the model installed");
        Some(storyline_embed::Embedder::load(&dir).expect("load the model"))
    } else {
        None
    };
    let path = storyline_eval::shared_data().join("gnad10k/test.csv");
    let Ok(csv) = std::fs::read_to_string(&path) else {
        eprintln!("skipped: {} not found (set STORYLINE_SHARED_DATA)", path.display());
        return;
    };
    let rows = storyline_eval::parse_gnad(&csv);
    assert!(rows.len() > 1000, "expected the 1,028 articles of the 10kGNAD test split");
    if let Some(i) = args.iter().position(|a| a == "--write") {
        let path = std::path::PathBuf::from(args.get(i + 1).expect("--write FILE"));
        let copies = write_input(&rows, n, &path);
        println!("wrote {n} articles ({copies} word-for-word copies) to {}", path.display());
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("input.jsonl");
    let copies = write_input(&rows, n, &input);
    drop(csv);
    drop(rows);
    println!("input: {n} articles ({copies} word-for-word copies), {}", input.display());
    println!("threads: {}", rayon::current_num_threads());
    println!("sentence vectors: {}", if embedder.is_some() { "yes (--dense)" } else { "no" });

    let data = dir.path().join("data");
    let mut engine = Engine::open(&data).expect("open the data directory");
    let model = Model::builtin().expect("built-in model");
    let report = engine
        .run_job(
            &[Input::Path(input)],
            &IngestOptions::default(),
            Some(&model),
            embedder.as_ref(),
            &mut |_| {},
        )
        .expect("the job");
    let wall = report.wall.as_secs_f64();
    let (peak, _) = storyline_eval::memory_mib();
    let stored = report.ingest.inserted;
    println!(
        "\nwhole job: {stored} articles stored in {wall:.1} s: {:.0} articles/s",
        n as f64 / wall
    );
    println!("peak RSS: {peak:.0} MiB; store on disk: {:.0} MiB", dir_mib(&data));
    println!("\n  {:<8} {:>9} {:>9} {:>12} {:>7}", "stage", "items", "seconds", "items/s", "share");
    for s in &report.stages {
        let secs = s.busy.as_secs_f64();
        println!(
            "  {:<8} {:>9} {:>9.1} {:>12.0} {:>6.1}%",
            s.stage.as_str(),
            s.items,
            secs,
            s.items as f64 / secs.max(1e-9),
            100.0 * secs / wall
        );
    }
    if let Some(c) = &report.cluster {
        println!(
            "\ndecisions: {} events, {} stories, {} copies; {} story reports written",
            c.new_events, c.new_stories, c.copies, report.narrated
        );
    }
    if report.ingest.rejected > 0 {
        println!(
            "rejected: {} (first: {:?})",
            report.ingest.rejected,
            report.ingest.rejects.first().map(|r| r.to_string())
        );
    }
}

/// Writes the articles to `path` as JSONL, a chunk at a time; returns how many are copies.
fn write_input(rows: &[(String, String)], n: usize, path: &std::path::Path) -> usize {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).expect("create input"));
    let mut copies = 0;
    let mut start = 0;
    while start < n {
        let end = (start + CHUNK).min(n);
        let items = replay(rows, start..end);
        for (k, it) in items.iter().enumerate() {
            let i = start + k;
            // A copy repeats the article a few hundred places back (same text, own id and time).
            let (title, body) = if i % COPY_EVERY == COPY_EVERY - 1 && k >= 300 {
                copies += 1;
                (&items[k - 300].title, &items[k - 300].body)
            } else {
                (&it.title, &it.body)
            };
            let rec = serde_json::json!({
                "id": it.id, "title": title, "text": body, "date": rfc3339(it.time),
                "language": "de", "source": format!("outlet{}.example", i % 40),
            });
            writeln!(out, "{rec}").expect("write input");
        }
        start = end;
    }
    out.flush().expect("flush input");
    copies
}

fn dir_mib(dir: &std::path::Path) -> f64 {
    let mut bytes = 0u64;
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let Ok(meta) = e.metadata() else { continue };
            bytes +=
                if meta.is_dir() { (dir_mib(&e.path()) * 1_048_576.0) as u64 } else { meta.len() };
        }
    }
    bytes as f64 / 1_048_576.0
}

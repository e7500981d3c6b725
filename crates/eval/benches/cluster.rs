//! Story-engine benchmark: analysis + dedup + online clustering throughput and memory on real
//! German news text (10kGNAD test split, 1,028 Der Standard articles) replayed to N articles.
//!
//! The stream has the shape of real news: 1,000 articles a day; each ten-day period covers its
//! own 103 source articles (happenings), so a happening is reported for ten days and then ends,
//! and the 30-day window holds about 30,000 articles. Replaying the same text would make every
//! report an exact copy and measure the copy short-cut only, so each report keeps a
//! deterministic ~40 % of its source's sentences and appends three sentences of two other
//! articles: real text, too edited to be a copy (the harness reports how many copies the engine
//! found anyway). 10^5 articles span 100 days.
//!
//! Two runs: the stages in memory (analysis on all cores per batch of 2,048, then the single
//! writer: dedup + clustering + story linking), and the same through the engine and store
//! (`Engine::cluster` after an ingest that is not timed).
//!
//! With `--dense`, articles also get sentence vectors (title + lead through the USE port; the
//! model must be installed, see `storyline_embed::locate`), timed as part of the analysis.
//!
//! Run: `cargo bench -p storyline-eval --bench cluster -- [--n N] [--engine N] [--dense]`
//! (defaults 100000 and 20000; 0 skips a run).

#![allow(clippy::print_stdout)] // a benchmark report is its output

use std::io::Write;
use std::time::Instant;

use rayon::prelude::*;
use storyline_cluster::{embedding_text, Clusterer, Doc, Model};
use storyline_engine::{Engine, IngestOptions, Input};
use storyline_eval::replay::{replay, Replayed};
use storyline_text::Analyzer;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str, default: usize| storyline_eval::bench_arg(&args, name, default);
    let (n, n_engine) = (arg("--n", 100_000), arg("--engine", 20_000));
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
    println!("source: {} ({} articles), replayed with edits", path.display(), rows.len());
    println!("threads: {}", rayon::current_num_threads());
    println!("sentence vectors: {}", if embedder.is_some() { "yes (--dense)" } else { "no" });
    if n > 0 {
        stages(&rows, n, embedder.as_ref());
    }
    if n_engine > 0 {
        engine(&replay(&rows, 0..n_engine), embedder.as_ref());
    }
}

fn stages(rows: &[(String, String)], n: usize, embedder: Option<&storyline_embed::Embedder>) {
    let analyzer = Analyzer::builtin().expect("profiles");
    let mut clusterer = Clusterer::new(Model::builtin().expect("model"));
    let (mut analyse_s, mut cluster_s) = (0.0, 0.0);
    let (mut copies, mut new_events, mut new_stories) = (0u64, 0u64, 0u64);
    let start = Instant::now();
    let mut marks = Vec::new();
    let mut making = std::time::Duration::ZERO;
    let mut state_bytes = 0usize;
    // As the engine does: the next batch is analysed on the worker threads while this one is
    // clustered on this thread.
    let analyse = |batch: &[Replayed]| -> (Vec<Doc>, f64) {
        let t = Instant::now();
        let mut docs: Vec<Doc> = batch
            .par_iter()
            .map(|it| {
                Doc::from_parts(&analyzer, &it.id, &it.title, &it.body, Some("de"), Some(it.time))
            })
            .collect();
        if let Some(e) = embedder {
            let texts: Vec<String> =
                batch.iter().map(|it| embedding_text(&it.title, &it.body, 600)).collect();
            for (d, v) in docs.iter_mut().zip(e.embed(&texts)) {
                d.dense = Some(v);
            }
        }
        (docs, t.elapsed().as_secs_f64())
    };
    let batches = n.div_ceil(2048);
    let make = |b: usize| replay(rows, b * 2048..((b + 1) * 2048).min(n));
    let t = Instant::now();
    let mut batch = make(0);
    making += t.elapsed();
    let (mut docs, secs) = analyse(&batch);
    analyse_s += secs;
    for b in 0..batches {
        let t = Instant::now();
        let next = if b + 1 < batches { make(b + 1) } else { Vec::new() };
        making += t.elapsed();
        let (next_docs, secs) = std::thread::scope(|scope| {
            let worker = scope.spawn(|| analyse(&next));
            let t = Instant::now();
            for d in &docs {
                let a = clusterer.add(d);
                copies += u64::from(a.copy_of.is_some());
                new_events += u64::from(a.new_event);
                new_stories += u64::from(a.new_story);
            }
            // The engine stores its state every eight batches and at the end of a run.
            if (b + 1) % 8 == 0 || b + 1 == batches {
                state_bytes = clusterer.state().expect("state").len();
            }
            cluster_s += t.elapsed().as_secs_f64();
            worker.join().expect("analysis")
        });
        analyse_s += secs;
        let done = ((b + 1) * 2048).min(n);
        if done * 10 / n != (done - batch.len()) * 10 / n || done == n {
            let (_, rss) = storyline_eval::memory_mib();
            let state = state_bytes as f64 / (1 << 20) as f64;
            marks.push((
                done,
                (start.elapsed() - making).as_secs_f64(),
                rss,
                clusterer.held(),
                state,
            ));
        }
        batch = next;
        docs = next_docs;
    }
    let total = (start.elapsed() - making).as_secs_f64();
    println!("\nstages in memory, {n} articles (making the input not timed):");
    let n = n as f64;
    println!(
        "  analysis (worker threads):      {:>8.0} articles/s  ({analyse_s:.1} s, beside clustering)",
        n / analyse_s
    );
    println!(
        "  dedup + clustering + stories:   {:>8.0} articles/s  ({cluster_s:.1} s, one thread)",
        n / cluster_s
    );
    println!("  end to end:                     {:>8.0} articles/s  ({total:.1} s)", n / total);
    println!("  decisions: {new_events} events, {new_stories} stories, {copies} copies");
    println!(
        "  {:>8}  {:>8}  {:>8}  {:>8}  {:>8}  {:>10}  {:>9}  {:>14}  {:>9}",
        "articles",
        "seconds",
        "RSS MiB",
        "events",
        "stories",
        "copy index",
        "df terms",
        "centroid terms",
        "state MiB"
    );
    for (done, secs, rss, held, state) in marks {
        println!(
            "  {done:>8}  {secs:>8.1}  {rss:>8.0}  {:>8}  {:>8}  {:>10}  {:>9}  {:>14}  {state:>9.1}",
            held.events, held.stories, held.copy_index, held.terms, held.centroid_terms
        );
    }
}

fn engine(items: &[Replayed], embedder: Option<&storyline_embed::Embedder>) {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("input.jsonl");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&input).expect("create input"));
    for it in items {
        let date = storyline_eval::replay::rfc3339(it.time);
        let rec = serde_json::json!({"id": it.id, "title": it.title, "text": it.body, "date": date, "language": "de", "source": "derstandard.example"});
        writeln!(out, "{rec}").expect("write");
    }
    out.flush().expect("flush");
    drop(out);
    let mut engine = Engine::open(&dir.path().join("data")).expect("open");
    let report = engine
        .ingest(&[Input::Path(input)], &IngestOptions::default(), &mut |_| {})
        .expect("ingest");
    if report.inserted as usize != items.len() {
        // Said, not hidden: the figures below are over what was stored.
        println!(
            "  stored {} of {} articles (already stored {}, rejected {:?})",
            report.inserted,
            items.len(),
            report.existing,
            report.rejects.iter().take(3).map(|r| r.to_string()).collect::<Vec<_>>()
        );
    }
    let model = Model::builtin().expect("model");
    let start = Instant::now();
    let r = engine.cluster(&model, embedder, &mut |_| {}).expect("cluster");
    let secs = start.elapsed().as_secs_f64();
    assert_eq!(r.clustered, report.inserted, "every stored article clustered");
    let (_, rss) = storyline_eval::memory_mib();
    println!("\nthrough the engine and store, {} articles (ingest not timed):", r.clustered);
    println!(
        "  Engine::cluster:                {:>8.0} articles/s  ({secs:.1} s), RSS {rss:.0} MiB",
        r.clustered as f64 / secs
    );
    println!(
        "  decisions: {} events, {} stories, {} copies",
        r.new_events, r.new_stories, r.copies
    );
}

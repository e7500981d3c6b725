//! Extraction benchmark: quotes, time expressions, figures and named entities per second on real German news text
//! (10kGNAD test split, 1,028 Der Standard articles, replayed N times with a publication day
//! each), on all cores as the engine runs it, entities and figures alone, quotes and time
//! expressions alone, and on one core.
//!
//! Run: `cargo bench -p storyline-eval --bench extract -- [--n N]` (default 100000).

#![allow(clippy::print_stdout)] // a benchmark report is its output

use std::time::Instant;

use chrono::NaiveDate;
use rayon::prelude::*;
use storyline_engine::Extractors;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n = storyline_eval::bench_arg(&args, "--n", 100_000);
    let path = storyline_eval::shared_data().join("gnad10k/test.csv");
    let Ok(csv) = std::fs::read_to_string(&path) else {
        eprintln!("skipped: {} not found (set STORYLINE_SHARED_DATA)", path.display());
        return;
    };
    let rows = storyline_eval::parse_gnad(&csv);
    println!("source: {} ({} articles), replayed to {n}", path.display(), rows.len());
    let extractors = Extractors::builtin().expect("built-in profiles");
    let day = |i: usize| {
        NaiveDate::from_ymd_opt(2016, 1, 1)
            .and_then(|d| d.checked_add_days(chrono::Days::new((i / 1000) as u64)))
    };
    let chars: usize = (0..n).map(|i| rows[i % rows.len()].1.len()).sum();

    let start = Instant::now();
    let (quotes, times, figures, entities) = (0..n)
        .into_par_iter()
        .map(|i| {
            let x = extractors.extract(i as i64, &rows[i % rows.len()].1, Some("de"), day(i));
            (x.quotes.len(), x.timexes.len(), x.figures.len(), x.entities.len())
        })
        .reduce(|| (0, 0, 0, 0), |a, b| (a.0 + b.0, a.1 + b.1, a.2 + b.2, a.3 + b.3));
    let secs = start.elapsed().as_secs_f64();
    let (rss, peak) = storyline_eval::memory_mib();
    println!(
        "all cores ({} threads): {n} articles, {:.1} MB of text in {secs:.2} s = {:.0} articles/s; {quotes} quotes, {times} time expressions, {figures} figures, {entities} entity mentions; RSS {rss:.0} MiB, peak {peak:.0} MiB",
        rayon::current_num_threads(),
        chars as f64 / 1e6,
        n as f64 / secs
    );

    // Entities and figures alone (issue 5's target), on all cores: the figure finder leaves out
    // the numbers of time expressions, so the time tagger runs too, as in the engine.
    let start = Instant::now();
    let (figures, entities) = (0..n)
        .into_par_iter()
        .map(|i| {
            let text = &rows[i % rows.len()].1;
            let times = extractors.times.tag(
                text,
                Some("de"),
                day(i),
                storyline_extract::timex::Mode::News,
            );
            let spans: Vec<(usize, usize)> = times.iter().map(|t| (t.start, t.end)).collect();
            (
                extractors.figures.find(text, Some("de"), &spans).len(),
                extractors.entities.find(text, Some("de")).len(),
            )
        })
        .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
    let secs = start.elapsed().as_secs_f64();
    println!(
        "entities and figures, all cores: {n} articles in {secs:.2} s = {:.0} articles/s; {figures} figures, {entities} entity mentions",
        n as f64 / secs
    );

    // Quotes and time expressions alone (issue 6's target), on all cores.
    let start = Instant::now();
    let (quotes, times) = (0..n)
        .into_par_iter()
        .map(|i| {
            let text = &rows[i % rows.len()].1;
            (
                extractors.quotes.find(text, Some("de")).len(),
                extractors
                    .times
                    .tag(text, Some("de"), day(i), storyline_extract::timex::Mode::News)
                    .len(),
            )
        })
        .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
    let secs = start.elapsed().as_secs_f64();
    println!(
        "quotes and time expressions, all cores: {n} articles in {secs:.2} s = {:.0} articles/s; {quotes} quotes, {times} time expressions",
        n as f64 / secs
    );

    let one = n.min(20_000);
    let start = Instant::now();
    let mut found = 0;
    for i in 0..one {
        found +=
            extractors.extract(i as i64, &rows[i % rows.len()].1, Some("de"), day(i)).quotes.len();
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "one core: {one} articles in {secs:.2} s = {:.0} articles/s ({found} quotes)",
        one as f64 / secs
    );
}

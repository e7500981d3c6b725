//! Do distributional word clusters help the entity tagger? Words are embedded alone with the
//! sentence encoder and grouped by spherical k-means at two levels; the tagger is scored by 2-fold
//! cross-validation inside the training half of GermEval dev (the odd half is not read), with
//! and without the cluster features. Each fold's cluster table holds the words of that fold's
//! training sentences, the silver set and the lists, never the scored fold's own words.
//! `--silver FILE` adds the silver sentences to each fold's training data (and their words to the
//! vocabulary); they are never scored.
//! `cargo run --release -p storyline-eval --example ner_clusters -- ../shared/data/germeval2014/dev.tsv 64 512 [--silver ../shared/data/ner-silver/train.tsv]`.
#![allow(clippy::print_stdout)]

use std::collections::HashMap;
use storyline_eval::ner_eval::{
    cluster_vocabulary, parse_germeval, predict, training_data_with, word_clusters, Sentence,
};
use storyline_extract::entities::{EntityFinder, TaggerModel};

fn score(
    train: &[&Sentence],
    silver: &[&Sentence],
    test: &[&Sentence],
    clusters: &HashMap<String, [u16; 2]>,
) -> f64 {
    let rules = EntityFinder::builtin()
        .expect("profiles")
        .with_tagger(None)
        .with_clusters(clusters.clone());
    let mut data = training_data_with(train, &rules);
    data.extend(training_data_with(silver, &rules));
    let model = TaggerModel::train(&data, 12, 1);
    let finder = rules.with_tagger(Some(model));
    let (mut tp, mut np, mut ng) = (0usize, 0usize, 0usize);
    for s in test {
        let pred = predict(s, &finder);
        tp += pred.iter().filter(|p| s.gold.contains(p)).count();
        np += pred.len();
        ng += s.gold.len();
    }
    let (p, r) = (tp as f64 / np as f64, tp as f64 / ng as f64);
    2.0 * p * r / (p + r)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let sentences = parse_germeval(&std::fs::read_to_string(&args[1]).expect("readable"));
    let silver_at = args.iter().position(|a| a == "--silver");
    let silver_sentences = match silver_at {
        Some(i) => parse_germeval(&std::fs::read_to_string(&args[i + 1]).expect("silver readable")),
        None => Vec::new(),
    };
    let silver: Vec<&Sentence> = silver_sentences.iter().collect();
    let levels: Vec<usize> =
        args[2..silver_at.unwrap_or(args.len())].iter().map(|a| a.parse().expect("k")).collect();
    let even: Vec<&Sentence> = sentences.iter().step_by(2).collect();
    let a: Vec<&Sentence> = even.iter().step_by(2).copied().collect();
    let b: Vec<&Sentence> = even.iter().skip(1).step_by(2).copied().collect();
    let dir = storyline_embed::locate(None).expect("the sentence encoder");
    let embedder = storyline_embed::Embedder::load(&dir).expect("loads");
    // Each fold's table knows the words of its training fold only (and the silver set and the
    // lists), as the shipped table knows none of the held-out half's words that training lacks.
    let table = |train: &[&Sentence]| {
        let words = cluster_vocabulary(train.iter().chain(&silver).copied());
        word_clusters(&embedder, &words, [levels[0], levels[1]])
    };
    let t = std::time::Instant::now();
    let (for_a, for_b) = (table(&a), table(&b));
    println!("two tables clustered in {:.1} s", t.elapsed().as_secs_f64());
    let none = HashMap::new();
    let base = (score(&a, &silver, &b, &none) + score(&b, &silver, &a, &none)) / 2.0;
    let with = (score(&a, &silver, &b, &for_a) + score(&b, &silver, &a, &for_b)) / 2.0;
    println!("2-fold CV strict F1: without clusters {base:.4}, with {levels:?} {with:.4}");
}

//! Do distributional word clusters help the entity tagger? Words are embedded alone with the
//! sentence encoder and grouped by spherical k-means at two levels; the tagger is scored by 2-fold
//! cross-validation inside the training half of GermEval dev (the odd half is not read), with
//! and without the cluster features.
//! `cargo run --release -p storyline-eval --example ner_clusters -- ../shared/data/germeval2014/dev.tsv 64 512`.
#![allow(clippy::print_stdout)]

use std::collections::{BTreeSet, HashMap};
use storyline_eval::ner_eval::{parse_germeval, predict, training_data_with, Sentence};
use storyline_extract::entities::{EntityFinder, TaggerModel};

/// Spherical k-means of unit vectors: `k` centres, `rounds` Lloyd iterations, deterministic
/// start (every n/k-th vector). Returns each vector's centre.
fn kmeans(v: &[Vec<f32>], k: usize, rounds: usize) -> Vec<usize> {
    use rayon::prelude::*;
    let dim = v[0].len();
    let mut centres: Vec<Vec<f32>> = (0..k).map(|i| v[i * v.len() / k].clone()).collect();
    let mut of = vec![0usize; v.len()];
    for _ in 0..rounds {
        of = v
            .par_iter()
            .map(|x| {
                let mut best = (0, f32::MIN);
                for (c, m) in centres.iter().enumerate() {
                    let d: f32 = x.iter().zip(m).map(|(a, b)| a * b).sum();
                    if d > best.1 {
                        best = (c, d);
                    }
                }
                best.0
            })
            .collect();
        let mut sums = vec![vec![0f32; dim]; k];
        for (x, c) in v.iter().zip(&of) {
            for (s, a) in sums[*c].iter_mut().zip(x) {
                *s += a;
            }
        }
        for (c, s) in sums.into_iter().enumerate() {
            let n = s.iter().map(|a| a * a).sum::<f32>().sqrt();
            if n > 0.0 {
                centres[c] = s.into_iter().map(|a| a / n).collect();
            }
        }
    }
    of
}

fn score(train: &[&Sentence], test: &[&Sentence], clusters: &HashMap<String, [u16; 2]>) -> f64 {
    let rules = EntityFinder::builtin()
        .expect("profiles")
        .with_tagger(None)
        .with_clusters(clusters.clone());
    let model = TaggerModel::train(&training_data_with(train, &rules), 12, 1);
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
    let levels: Vec<usize> = args[2..].iter().map(|a| a.parse().expect("k")).collect();
    let even: Vec<&Sentence> = sentences.iter().step_by(2).collect();
    let a: Vec<&Sentence> = even.iter().step_by(2).copied().collect();
    let b: Vec<&Sentence> = even.iter().skip(1).step_by(2).copied().collect();
    let mut vocab: BTreeSet<String> = BTreeSet::new();
    for s in &even {
        for t in &s.tokens {
            if t.chars().any(char::is_alphabetic) {
                vocab.insert(t.clone());
            }
        }
    }
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../resources/entities/");
    for line in std::fs::read_to_string(format!("{root}de-names.tsv")).expect("names").lines() {
        vocab.insert(line.split('\t').next().unwrap_or("").to_string());
    }
    for line in std::fs::read_to_string(format!("{root}places.tsv")).expect("places").lines() {
        vocab.insert(line.split('\t').nth(1).unwrap_or("").to_string());
    }
    vocab.remove("");
    let words: Vec<String> = vocab.into_iter().collect();
    let dir = storyline_embed::locate(None).expect("the sentence encoder");
    let embedder = storyline_embed::Embedder::load(&dir).expect("loads");
    let t = std::time::Instant::now();
    let vectors = embedder.embed(&words);
    println!("{} words embedded in {:.1} s", words.len(), t.elapsed().as_secs_f64());
    let mut clusters: HashMap<String, [u16; 2]> = HashMap::new();
    for (level, k) in levels.iter().take(2).enumerate() {
        let of = kmeans(&vectors, *k, 12);
        for (w, c) in words.iter().zip(of) {
            clusters.entry(w.clone()).or_default()[level] = c as u16 + 1;
        }
    }
    let none = HashMap::new();
    let base = (score(&a, &b, &none) + score(&b, &a, &none)) / 2.0;
    let with = (score(&a, &b, &clusters) + score(&b, &a, &clusters)) / 2.0;
    println!("2-fold CV strict F1: without clusters {base:.4}, with {levels:?} {with:.4}");
}

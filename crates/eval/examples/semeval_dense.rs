//! The sentence-vector cosine of the cross-lingual pairs in the train half of the SemEval-2022
//! Task 8 sample, highest first, with their human grade: what a translated copy looks like.
//! `cargo run --release -p storyline-eval --example semeval_dense -- ../shared/data/semeval2022-t8/train.csv`.
#![allow(clippy::print_stdout)]

use storyline_cluster::Model;
use storyline_eval::semeval::{fold, load, score_pairs, Fold};

fn main() {
    let path = std::env::args().nth(1).expect("train.csv");
    let pairs: Vec<_> = load(std::path::Path::new(&path))
        .expect("loads")
        .into_iter()
        .filter(|p| fold(&p.id) == Fold::Train && p.lang1 != p.lang2)
        .collect();
    let dir = storyline_embed::locate(None).expect("the model");
    let e = storyline_embed::Embedder::load(&dir).expect("loads");
    let scored = score_pairs(&pairs, &Model::builtin().expect("model"), Some(&e)).expect("scores");
    let mut rows: Vec<(f32, &str, String, f64, usize, usize)> = pairs
        .iter()
        .zip(&scored)
        .map(|(p, s)| {
            let dense = s.features.named().find(|(n, _)| *n == "dense").map_or(0.0, |(_, v)| v);
            (
                dense,
                p.id.as_str(),
                format!("{}-{}", p.lang1, p.lang2),
                p.overall,
                p.text1.len(),
                p.text2.len(),
            )
        })
        .collect();
    rows.sort_by(|a, b| b.0.total_cmp(&a.0));
    for r in rows.iter().take(40) {
        println!("{:.3} {:<24} {} overall {:.2} len {} / {}", r.0, r.1, r.2, r.3, r.4, r.5);
    }
}

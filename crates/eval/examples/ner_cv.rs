//! Chooses the entity tagger's settings by 2-fold cross-validation inside the training half of
//! GermEval dev (the even sentences, split again by position); the odd half is not read:
//! `cargo run --release -p storyline-eval --example ner_cv -- ../shared/data/germeval2014/dev.tsv`.
#![allow(clippy::print_stdout)]

use storyline_eval::ner_eval::{parse_germeval, score_split, Sentence};

fn main() {
    let path = std::env::args().nth(1).expect("the dev.tsv");
    let sentences = parse_germeval(&std::fs::read_to_string(path).expect("readable"));
    let even: Vec<&Sentence> = sentences.iter().step_by(2).collect();
    let a: Vec<&Sentence> = even.iter().step_by(2).copied().collect();
    let b: Vec<&Sentence> = even.iter().skip(1).step_by(2).copied().collect();
    for (epochs, min_count) in [(5, 1), (8, 1), (12, 1), (5, 2), (8, 2), (12, 2), (20, 2), (8, 3)] {
        let f = (score_split(&a, &b, epochs, min_count).expect("scores")
            + score_split(&b, &a, epochs, min_count).expect("scores"))
            / 2.0;
        println!("epochs {epochs:>2} min_count {min_count}: mean strict F1 {f:.4}");
    }
}

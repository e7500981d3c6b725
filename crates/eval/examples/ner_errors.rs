//! Lists the entity finder's errors on the GermEval sentences in even positions (the tuning
//! half): `cargo run --release -p storyline-eval --example ner_errors -- ../shared/data/germeval2014/dev.tsv`.
#![allow(clippy::print_stdout)]

use storyline_eval::ner_eval::{parse_germeval, predict};
use storyline_extract::entities::EntityFinder;

fn main() {
    let path = std::env::args().nth(1).expect("the dev.tsv");
    let finder = EntityFinder::builtin().expect("profiles");
    let text = std::fs::read_to_string(path).expect("readable");
    for s in parse_germeval(&text).iter().step_by(2) {
        let pred = predict(s, &finder);
        let span =
            |(a, b, l): &(usize, usize, String)| format!("{}:{}", l, s.tokens[*a..*b].join(" "));
        for g in &s.gold {
            if !pred.contains(g) {
                let near =
                    pred.iter().find(|p| p.0 < g.1 && g.0 < p.1).map(span).unwrap_or_default();
                println!("MISS {} (pred {near})", span(g));
            }
        }
        for p in &pred {
            if !s.gold.iter().any(|g| g.0 < p.1 && p.0 < g.1) {
                println!(
                    "FALSE {}  | {}",
                    span(p),
                    s.tokens.join(" ").chars().take(100).collect::<String>()
                );
            }
        }
    }
}

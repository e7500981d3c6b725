//! Error categories of the entity finder under 2-fold cross-validation inside the training half
//! of GermEval dev (the even sentences; the odd half is not read): each fold's tagger is trained
//! on the other fold, so the errors are those of unseen sentences.
//! With `--silver FILE` the silver file joins each fold's training data whole (it is never
//! scored); `--roundtrip` scores each tagger as shipped (weights stored as bytes and read back).
//! `cargo run --release -p storyline-eval --example ner_cv_errors -- ../shared/data/germeval2014/dev.tsv [--silver ../shared/data/ner-silver/train.tsv] [--roundtrip] [--list]`.
#![allow(clippy::print_stdout)]

use std::collections::BTreeMap;
use storyline_eval::ner_eval::{parse_germeval, predict, training_data, Sentence};
use storyline_extract::entities::{EntityFinder, TaggerModel};

fn main() {
    let path = std::env::args().nth(1).expect("the dev.tsv");
    let args: Vec<String> = std::env::args().collect();
    let list = args.iter().any(|a| a == "--list");
    let roundtrip = args.iter().any(|a| a == "--roundtrip");
    let silver: Vec<Sentence> = match args.iter().position(|a| a == "--silver") {
        Some(i) => parse_germeval(&std::fs::read_to_string(&args[i + 1]).expect("silver readable")),
        None => Vec::new(),
    };
    let silver_refs: Vec<&Sentence> = silver.iter().collect();
    let silver_data = training_data(&silver_refs).expect("data");
    let sentences = parse_germeval(&std::fs::read_to_string(path).expect("readable"));
    let even: Vec<&Sentence> = sentences.iter().step_by(2).collect();
    let a: Vec<&Sentence> = even.iter().step_by(2).copied().collect();
    let b: Vec<&Sentence> = even.iter().skip(1).step_by(2).copied().collect();
    let mut kinds: BTreeMap<String, u32> = BTreeMap::new();
    let (mut tp, mut np, mut ng) = (0u32, 0u32, 0u32);
    for (train, test) in [(&a, &b), (&b, &a)] {
        let mut data = training_data(train).expect("data");
        data.extend(silver_data.iter().cloned());
        let mut model = TaggerModel::train(&data, 12, 1);
        if roundtrip {
            model = TaggerModel::from_bytes(&model.to_bytes()).expect("model bytes");
        }
        let finder = EntityFinder::builtin().expect("profiles").with_tagger(Some(model));
        for s in test.iter() {
            let pred = predict(s, &finder);
            np += pred.len() as u32;
            ng += s.gold.len() as u32;
            let span =
                |(x, y, l): &(usize, usize, String)| format!("{l}:{}", s.tokens[*x..*y].join(" "));
            for g in &s.gold {
                if pred.contains(g) {
                    tp += 1;
                    continue;
                }
                let kind = match pred.iter().find(|p| p.0 < g.1 && g.0 < p.1) {
                    Some(p) if (p.0, p.1) == (g.0, g.1) => format!("type {} as {}", g.2, p.2),
                    Some(p) if p.2 == g.2 => format!("bounds {}", g.2),
                    Some(p) => format!("bounds+type {} as {}", g.2, p.2),
                    None => format!("missed {}", g.2),
                };
                if list {
                    println!("{kind}\t{}", span(g));
                }
                *kinds.entry(kind).or_default() += 1;
            }
            for p in &pred {
                if !s.gold.iter().any(|g| g.0 < p.1 && p.0 < g.1) {
                    if list {
                        println!("false {}\t{}", p.2, span(p));
                    }
                    *kinds.entry(format!("false {}", p.2)).or_default() += 1;
                }
            }
        }
    }
    let (p, r) = (f64::from(tp) / f64::from(np), f64::from(tp) / f64::from(ng));
    println!("tp {tp} predicted {np} gold {ng}: P {p:.3} R {r:.3} F1 {:.3}", 2.0 * p * r / (p + r));
    let mut v: Vec<_> = kinds.into_iter().collect();
    v.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
    for (k, n) in v.iter().take(40) {
        println!("{n:>5}  {k}");
    }
}

//! Prints what the number finder finds in each input of a Recognizers-Text spec file, next to
//! what the spec expects: `cargo run -p storyline-eval --example number_cases -- FILE`.
#![allow(clippy::print_stdout)]

use storyline_extract::figures::NumberFinder;

fn main() {
    let path = std::env::args().nth(1).expect("a spec file");
    let raw = std::fs::read_to_string(path).expect("readable");
    let cases: Vec<serde_json::Value> =
        serde_json::from_str(raw.trim_start_matches('\u{feff}')).expect("json");
    let finder = NumberFinder::builtin().expect("profiles");
    for c in cases {
        let input = c["Input"].as_str().unwrap_or_default();
        let found: Vec<String> = finder
            .find(input, Some("de"))
            .iter()
            .map(|n| format!("{}={}:{:?}", &input[n.start..n.end], n.value, n.kind))
            .collect();
        let want: Vec<String> = c["Results"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|r| format!("{}={}", r["Text"].as_str().unwrap_or(""), r["Resolution"]["value"]))
            .collect();
        println!(
            "{}\n   found {:?}\n   want  {:?}",
            input.chars().take(100).collect::<String>(),
            found,
            want
        );
    }
}

//! Prints gold and predicted quotes side by side for error analysis on the training file only:
//! `cargo run --release -p storyline-eval --example quote_errors -- ../shared/data/quotes-de/train.jsonl [N]`.
#![allow(clippy::print_stdout)]

use storyline_extract::quotes::QuoteFinder;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let limit: usize = args.get(2).and_then(|n| n.parse().ok()).unwrap_or(20);
    let finder = QuoteFinder::builtin().expect("profiles");
    let text = std::fs::read_to_string(&args[1]).expect("readable");
    for line in text.lines().take(limit) {
        let a: serde_json::Value = serde_json::from_str(line).expect("json");
        let body = a["text"].as_str().unwrap_or_default();
        let chars: Vec<char> = body.chars().collect();
        let slice = |s: usize, e: usize| {
            chars[s.min(chars.len())..e.min(chars.len())].iter().collect::<String>()
        };
        println!("=== {}", a["title"]);
        for q in a["quotes"].as_array().into_iter().flatten() {
            let role = |r: &str| {
                q[r]["spans"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|s| {
                        slice(
                            s[0].as_u64().unwrap_or(0) as usize,
                            s[1].as_u64().unwrap_or(0) as usize,
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(" | ")
            };
            println!(
                "GOLD {} [{}] cue={:?} :: {}",
                q["type"].as_str().unwrap_or(""),
                role("speaker"),
                role("cue"),
                role("quote").chars().take(90).collect::<String>()
            );
        }
        for q in finder.find(body, Some("de")) {
            let sp = q.speaker.map(|(s, e)| body[s..e].to_string()).unwrap_or_default();
            let cue = q.cue.map(|(s, e)| body[s..e].to_string()).unwrap_or_default();
            println!(
                "PRED {} [{}] ({}) cue={:?} :: {}",
                q.kind.as_str(),
                sp,
                q.speaker_name.unwrap_or_default(),
                cue,
                body[q.start..q.end].chars().take(90).collect::<String>()
            );
        }
    }
}

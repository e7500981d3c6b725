//! Emits, per article of a quotation file, gold and predicted quotes as JSON lines (character
//! offsets), for error analysis on the training file only.
#![allow(clippy::print_stdout)]

use storyline_extract::quotes::QuoteFinder;

fn main() {
    let path = std::env::args().nth(1).expect("a JSONL file");
    let finder = QuoteFinder::builtin().expect("profiles");
    for line in std::fs::read_to_string(path).expect("readable").lines() {
        let a: serde_json::Value = serde_json::from_str(line).expect("json");
        let text = a["text"].as_str().unwrap_or_default();
        let ch = |b: usize| text[..b].chars().count();
        let pred: Vec<serde_json::Value> = finder
            .find(text, Some("de"))
            .iter()
            .map(|q| {
                serde_json::json!({
                    "quote": [ch(q.start), ch(q.end)], "speaker": q.speaker.map(|(s, e)| [ch(s), ch(e)]),
                    "cue": q.cue.map(|(s, e)| [ch(s), ch(e)]), "kind": q.kind.as_str(), "name": q.speaker_name,
                })
            })
            .collect();
        println!("{}", serde_json::json!({"text": text, "gold": a["quotes"], "pred": pred}));
    }
}

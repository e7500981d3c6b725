//! Lists the time tagger's misses, false alarms and wrong values on WikiWarsDE documents, for
//! error analysis on the development half only: `cargo run -p storyline-eval --example
//! timex_errors -- ../shared/data/wikiwarsde/keyinline/01_WW2.key.xml ...`. Of the held-out
//! document whose first half was opened (`timex_eval::OPENED_HALF`), only that half is listed.
#![allow(clippy::print_stdout)]

use storyline_eval::timex_eval::{parse_keyinline, second_half, OPENED_HALF};
use storyline_extract::timex::{Mode, TimeTagger};

fn main() {
    let tagger = TimeTagger::builtin().expect("profiles");
    for path in std::env::args().skip(1) {
        let xml = std::fs::read_to_string(&path).expect("readable");
        let (dct, text, gold) = parse_keyinline(&xml).expect("parses");
        let mut found = tagger.tag(&text, Some("de"), dct, Mode::Narrative);
        let mut gold = gold;
        if path.contains(OPENED_HALF) {
            let end = second_half(&text);
            found.retain(|t| t.start < end);
            gold.retain(|g| g.start < end);
        }
        for g in &gold {
            let m = found.iter().find(|t| t.start < g.end && g.start < t.end);
            match m {
                None => {
                    let ctx = &text[text.floor_char_boundary(g.start.saturating_sub(30))
                        ..text.ceil_char_boundary((g.end + 20).min(text.len()))];
                    println!(
                        "MISS  {:?} {} in {:?}",
                        &text[g.start..g.end],
                        g.value,
                        ctx.replace('\n', " ")
                    )
                }
                Some(t) if (t.start, t.end) != (g.start, g.end) => {
                    println!(
                        "EXTENT {:?} vs gold {:?} {} / {}",
                        &text[t.start..t.end],
                        &text[g.start..g.end],
                        t.value,
                        g.value
                    )
                }
                Some(t) if t.value != g.value => {
                    println!("VALUE {:?} {} gold {}", &text[g.start..g.end], t.value, g.value)
                }
                _ => {}
            }
        }
        for t in &found {
            if !gold.iter().any(|g| t.start < g.end && g.start < t.end) {
                let ctx = &text[text.floor_char_boundary(t.start.saturating_sub(30))
                    ..text.ceil_char_boundary((t.end + 20).min(text.len()))];
                println!(
                    "FALSE {:?} {} in {:?}",
                    &text[t.start..t.end],
                    t.value,
                    ctx.replace('\n', " ")
                );
            }
        }
    }
}

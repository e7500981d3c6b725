//! Prints the time expressions the tagger finds in a text, in narrative mode (or news mode with
//! a document date): `cargo run --release -p storyline-eval --example timex_probe -- "Am 3. Juli 1863 ..." [YYYY-MM-DD]`.
#![allow(clippy::print_stdout)]

use storyline_extract::timex::{Mode, TimeTagger};

fn main() {
    let text = std::env::args().nth(1).expect("a text");
    let doc = std::env::args().nth(2).and_then(|d| d.parse().ok());
    let mode = if doc.is_some() { Mode::News } else { Mode::Narrative };
    let tagger = TimeTagger::builtin().expect("profiles");
    for t in tagger.tag(&text, Some("de"), doc, mode) {
        println!("{:<40} {:<22} {:?}", &text[t.start..t.end], t.value, t.resolution);
    }
}

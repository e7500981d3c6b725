//! Prints the time expressions and quotes of a text file: `cargo run -p storyline-extract
//! --example tag -- FILE [YYYY-MM-DD] [LANG]`.
#![allow(clippy::print_stdout)]

use storyline_extract::quotes::QuoteFinder;
use storyline_extract::timex::{Mode, TimeTagger};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let text = std::fs::read_to_string(&args[1]).expect("readable file");
    let date = args.get(2).and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
    let lang = args.get(3).map_or("de", String::as_str);
    for t in TimeTagger::builtin().expect("profiles").tag(&text, Some(lang), date, Mode::News) {
        println!(
            "{:<40} {:<24} {:?} {:?}",
            &text[t.start..t.end],
            t.value,
            t.granularity,
            t.resolution
        );
    }
    for q in QuoteFinder::builtin().expect("profiles").find(&text, Some(lang)) {
        println!("{:?} [{}] {}", q.kind, q.speaker_name.unwrap_or_default(), &text[q.start..q.end]);
    }
}

//! Prints what the rules alone and the full finder make of a German sentence:
//! `cargo run --release -p storyline-eval --example entity_probe -- "Er zog nach Paris."`.
#![allow(clippy::print_stdout)]

use storyline_extract::entities::EntityFinder;

fn main() {
    let text = std::env::args().nth(1).expect("a sentence");
    let finder = EntityFinder::builtin().expect("profiles");
    for (name, found) in [
        ("rules", finder.find_rules(&text, Some("de"))),
        ("finder", finder.find(&text, Some("de"))),
    ] {
        for m in found {
            println!("{name}\t{}\t{}\t{}", m.etype.as_str(), &text[m.start..m.end], m.key);
        }
    }
}

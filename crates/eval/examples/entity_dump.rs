//! Prints every entity mention the finder gives on the first 500 10kGNAD test texts, to check
//! that a speed change does not change output: `cargo run --release -p storyline-eval --example
//! entity_dump | md5sum`.
#![allow(clippy::print_stdout)]

use storyline_extract::entities::EntityFinder;

fn main() {
    let path = storyline_eval::shared_data().join("gnad10k/test.csv");
    let rows = storyline_eval::parse_gnad(&std::fs::read_to_string(path).expect("readable"));
    let finder = EntityFinder::builtin().expect("profiles");
    for (i, (_, text)) in rows.iter().take(500).enumerate() {
        for m in finder.find(text, Some("de")) {
            println!("{i} {} {} {} {} {}", m.start, m.end, m.etype.as_str(), m.key, m.canonical);
        }
    }
}

//! Times the entity finder alone on the 10kGNAD test texts: `cargo run --release -p
//! storyline-eval --example entity_speed`.
#![allow(clippy::print_stdout)]

use std::time::Instant;

use storyline_extract::entities::EntityFinder;

fn main() {
    let path = storyline_eval::shared_data().join("gnad10k/test.csv");
    let rows = storyline_eval::parse_gnad(&std::fs::read_to_string(path).expect("readable"));
    let t = Instant::now();
    let finder = EntityFinder::builtin().expect("profiles");
    println!("built in {:.2} s", t.elapsed().as_secs_f64());
    let t = Instant::now();
    let mut n = 0;
    for (_, text) in rows.iter().cycle().take(3000) {
        n += finder.find(text, Some("de")).len();
    }
    println!(
        "3000 articles on one core: {:.0} articles/s, {n} mentions",
        3000.0 / t.elapsed().as_secs_f64()
    );
}

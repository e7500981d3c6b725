//! What several test files of the command line share.

/// A dated German stream with recurring topics, follow-ups, quotes, figures and exact copies.
pub fn stream(n: usize) -> String {
    const PLACES: [&str; 12] = [
        "Berlin", "Hamburg", "Wien", "Zürich", "Dresden", "Kiel", "Bremen", "Graz", "Basel",
        "Leipzig", "Mainz", "Linz",
    ];
    const PEOPLE: [&str; 8] = [
        "Anna Berger",
        "Jonas Keller",
        "Miriam Vogt",
        "Paul Hartmann",
        "Lea Brandt",
        "Tobias Wendt",
        "Clara Roth",
        "Felix Sommer",
    ];
    const THINGS: [&str; 10] = [
        "Hochwasser",
        "Streik",
        "Brückensanierung",
        "Wahl",
        "Stromausfall",
        "Hafenausbau",
        "Schulreform",
        "Waldbrand",
        "Messe",
        "Haushaltsstreit",
    ];
    let mut out = String::new();
    let mut last = String::new();
    for i in 0..n {
        let topic = (i * 7) % 30;
        let (place, thing, who) = (PLACES[topic % 12], THINGS[topic % 10], PEOPLE[(topic + i) % 8]);
        let day = 1 + (i * 28 / n);
        let text = if i % 25 == 24 {
            last.clone()
        } else {
            format!(
                "In {place} hat der {thing} am {day}. März 2024 rund {} Menschen betroffen. \
                 „Wir arbeiten mit aller Kraft an einer Lösung“, sagte {who} am Abend. \
                 Nach Angaben der Stadt kostet der {thing} bisher {},{} Millionen Euro. \
                 Bericht {i}: Die Lage in {place} bleibe angespannt, erklärte {who}.",
                100 + (i * 37) % 900,
                1 + i % 9,
                i % 10
            )
        };
        last = text.clone();
        let line = serde_json::json!({
            "id": format!("c{i}"),
            "title": format!("{thing} in {place}: Lage {i}"),
            "date": format!("2024-03-{day:02}T{:02}:00:00Z", i % 24),
            "text": text,
        });
        out.push_str(&line.to_string());
        out.push('\n');
    }
    out
}

//! Property tests of extraction (issue 17, part 3): on any text, in any language setting, every
//! extractor returns and every span it reports lies inside the text, on character boundaries,
//! in text order. The texts are news-like fragments (dates, quotes, figures, names, abbreviations)
//! mixed with arbitrary characters, so the rules fire and are cut off anywhere.
//!
//! `PROPTEST_CASES=N` runs more cases (64 by default, so the suite stays quick).

use chrono::NaiveDate;
use proptest::prelude::*;
use storyline_engine::Extractors;

const FRAGMENTS: &[&str] = &[
    "Am 12. September 2023 ",
    "am Montag ",
    "gestern Abend ",
    "um 14.30 Uhr ",
    "seit Mitte 2020 ",
    "Ende Juni ",
    "vom 3. bis 5. Mai ",
    "„Wir schaffen das“, sagte Angela Merkel. ",
    "»Das ist falsch«, erklärte der Sprecher ",
    "Kanzler Olaf Scholz (SPD) sagte, er sei bereit. ",
    "Laut Polizei kamen 500 Menschen. ",
    "1,5 Millionen Euro ",
    "2.000 Soldaten ",
    "rund 12 Prozent ",
    "-3,5 % ",
    "zwischen 10 und 20 km ",
    "Kim Jong Un ",
    "Wladimir Putin ",
    "in Pjöngjang ",
    "die Vereinten Nationen ",
    "Dr. ",
    "z. B. ",
    "\"Quote\" he said. ",
    "On Monday, ",
    "$3.2 billion ",
    "according to Reuters ",
    "\n",
    "\n\n",
    "„",
    "“",
    "\"",
    "(",
    ")",
    ": ",
    "– ",
    ". ",
    "🙂",
    "e\u{301}",
    "\u{200b}",
    "ß",
    "İ",
    "日本",
];

fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(FRAGMENTS).prop_map(str::to_owned),
        1 => prop::collection::vec(any::<char>(), 1..6).prop_map(|c| c.into_iter().collect()),
        1 => prop::collection::vec(prop::char::range('0', '9'), 1..5).prop_map(|c| c.into_iter().collect()),
    ]
}

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(fragment(), 0..48).prop_map(|f| f.concat())
}

fn extractors() -> &'static Extractors {
    static X: std::sync::OnceLock<Extractors> = std::sync::OnceLock::new();
    X.get_or_init(|| Extractors::builtin().unwrap())
}

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(64);
    ProptestConfig { cases, failure_persistence: None, ..ProptestConfig::default() }
}

/// Checks one span; `what` names it in the failure.
fn span_ok(text: &str, start: usize, end: usize, what: &str) -> Result<(), TestCaseError> {
    prop_assert!(
        start <= end && end <= text.len(),
        "{what} {start}..{end} outside 0..{}",
        text.len()
    );
    prop_assert!(
        text.is_char_boundary(start) && text.is_char_boundary(end),
        "{what} {start}..{end} not on character boundaries"
    );
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn every_span_lies_inside_the_text_on_character_boundaries(
        text in text(),
        lang in prop::sample::select(vec![Some("de"), Some("en"), None]),
        dated in any::<bool>(),
    ) {
        let day = dated.then(|| NaiveDate::from_ymd_opt(2023, 9, 13).unwrap());
        let x = extractors().extract(1, &text, lang, day);
        for q in &x.quotes {
            span_ok(&text, q.start, q.end, "quote")?;
            if let Some((s, e)) = q.cue {
                span_ok(&text, s, e, "quote cue")?;
            }
            if let Some((s, e)) = q.speaker {
                span_ok(&text, s, e, "quote speaker")?;
            }
        }
        for t in &x.timexes {
            span_ok(&text, t.start, t.end, "time expression")?;
        }
        for f in &x.figures {
            span_ok(&text, f.start, f.end, "figure")?;
        }
        for e in &x.entities {
            span_ok(&text, e.start, e.end, "entity")?;
            prop_assert!(e.start < e.end, "empty entity at {}", e.start);
        }
        // Each kind comes in text order, as the store and the article page expect.
        let ordered = |s: &[usize]| s.windows(2).all(|w| w[0] <= w[1]);
        prop_assert!(ordered(&x.quotes.iter().map(|q| q.start).collect::<Vec<_>>()));
        prop_assert!(ordered(&x.timexes.iter().map(|t| t.start).collect::<Vec<_>>()));
        prop_assert!(ordered(&x.figures.iter().map(|f| f.start).collect::<Vec<_>>()));
        prop_assert!(ordered(&x.entities.iter().map(|e| e.start).collect::<Vec<_>>()));
    }
}

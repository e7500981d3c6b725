use super::{NumberFinder, NumberKind};

fn values(text: &str) -> Vec<(String, f64, NumberKind)> {
    NumberFinder::builtin()
        .unwrap()
        .find(text, Some("de"))
        .into_iter()
        .map(|n| (text[n.start..n.end].to_string(), n.value, n.kind))
        .collect()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1.0)
}

#[test]
fn digits_in_german_notation() {
    let got = values(
        "2,35 und 2.000,352 und 4,800 und 4.800 und 1 234 567 sowie 1/2 und ½, aber 423 0000.",
    );
    let want = [2.35, 2000.352, 4.8, 4800.0, 1_234_567.0, 0.5, 0.5, 423.0, 0.0];
    assert_eq!(got.len(), want.len(), "{got:?}");
    for ((_, v, _), w) in got.iter().zip(want) {
        assert!(close(*v, w), "{got:?}");
    }
}

#[test]
fn number_words() {
    for (text, want) in [
        ("einhunderteinunddreißig", 131.0),
        ("eintausendeinhundertfünfzig", 1150.0),
        ("zwei Millionen eintausendeinhundertfünfzig", 2_001_150.0),
        ("Eine Million dreihundertneunundneunzigtausendfuenfhundertneun", 1_399_509.0),
        ("drei halbe", 1.5),
        ("zwei Komma drei", 2.3),
        ("ein halbes dutzend", 6.0),
        ("anderthalb Millionen", 1_500_000.0),
        ("zweieinhalb", 2.5),
        ("fünf und drei Viertel Milliarde", 5_750_000_000.0),
        ("fünf Millionen", 5_000_000.0),
    ] {
        let got = values(text);
        assert_eq!(got.len(), 1, "{text}: {got:?}");
        assert!(close(got[0].1, want), "{text}: {got:?}");
        assert_eq!(got[0].0.to_lowercase(), text.to_lowercase(), "the whole phrase");
    }
}

#[test]
fn ordinals_and_percentages() {
    let got = values("die 3. Banane, der dritte Tag, die einhunderteinunddreißigste, zu viert, 27% und zwanzig Prozent");
    let kinds: Vec<(f64, NumberKind)> = got.iter().map(|(_, v, k)| (*v, *k)).collect();
    assert_eq!(
        kinds,
        [
            (3.0, NumberKind::Ordinal),
            (3.0, NumberKind::Ordinal),
            (131.0, NumberKind::Ordinal),
            (4.0, NumberKind::Ordinal),
            (27.0, NumberKind::Percent),
            (20.0, NumberKind::Percent)
        ]
    );
}

#[test]
fn names_and_identifiers_are_no_numbers() {
    assert!(values("Claudia Tausend wuchs auf").is_empty());
    assert!(values("Wert t0 gesetzt").is_empty());
}

/// Text, value, high end, unit, counted noun, approximation.
type Row = (String, f64, Option<f64>, Option<String>, Option<String>, Option<String>);

#[test]
fn figures_with_what_they_count_how_approximate_and_their_unit() {
    let finder = super::FigureFinder::builtin().unwrap();
    let text = "Südkorea wirft Nordkorea vor, annähernd fünf Millionen Schuss Artilleriemunition geliefert zu haben. \
                Seoul habe mindestens 10.000 Schiffscontainer identifiziert, die bis zu 4,8 Millionen Granaten enthalten könnten. \
                Der Zug fährt höchstens 60 Kilometer pro Stunde, rund 2 Prozent mehr, zwischen 100 und 300 Soldaten, eine Stadt.";
    let got: Vec<Row> = finder
        .find(text, Some("de"), &[])
        .into_iter()
        .map(|f| {
            (text[f.start..f.end].to_string(), f.value, f.high, f.unit, f.counted, f.approximation)
        })
        .collect();
    let s = |x: &str| Some(x.to_string());
    assert_eq!(
        got,
        [
            (
                "annähernd fünf Millionen Schuss".into(),
                5e6,
                None,
                None,
                s("Schuss"),
                s("annähernd")
            ),
            (
                "mindestens 10.000 Schiffscontainer".into(),
                1e4,
                None,
                None,
                s("Schiffscontainer"),
                s("mindestens")
            ),
            ("bis zu 4,8 Millionen Granaten".into(), 4.8e6, None, None, s("Granaten"), s("bis zu")),
            (
                "höchstens 60 Kilometer pro Stunde".into(),
                60.0,
                None,
                s("Kilometer per hour"),
                None,
                s("höchstens")
            ),
            ("rund 2 Prozent".into(), 2.0, None, None, None, s("rund")),
            ("zwischen 100 und 300 Soldaten".into(), 100.0, Some(300.0), None, s("Soldaten"), None),
        ]
    );
}

/// Issue 17, row 3: the overlap test by halves answers as testing every span did, for spans in
/// any order, nested or overlapping.
#[test]
fn overlaps_answer_as_testing_every_span_did() {
    let mut seed = 5u64;
    let mut next = |n: u64| {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((seed >> 33) % n) as usize
    };
    for _ in 0..200 {
        let spans: Vec<(usize, usize)> = (0..next(8))
            .map(|_| {
                let a = next(60);
                (a, a + next(12))
            })
            .collect();
        let overlaps = super::Overlaps::new(&spans);
        for s in 0..70 {
            for e in s..s + 6 {
                let linear = spans.iter().any(|(a, b)| s < *b && *a < e);
                assert_eq!(overlaps.any(s, e), linear, "{spans:?} ({s}, {e})");
            }
        }
    }
}

use super::{QuoteFinder, QuoteKind};

const SEEDS: [&str; 5] = [
    include_str!("../../../../resources/sample/000_f2a174505cc65b25.txt"),
    include_str!("../../../../resources/sample/001_85a51e6dd4092c16.txt"),
    include_str!("../../../../resources/sample/002_a4bb6051e356c940.txt"),
    include_str!("../../../../resources/sample/003_acc5f948bcb64856.txt"),
    include_str!("../../../../resources/sample/004_f6e20251b56ca16a.txt"),
];

/// `(speaker name, quote text, kind)` of every quote in `text`.
fn quotes(text: &str) -> Vec<(String, String, QuoteKind)> {
    QuoteFinder::builtin()
        .unwrap()
        .find(text, Some("de"))
        .into_iter()
        .map(|q| {
            (q.speaker_name.clone().unwrap_or_default(), text[q.start..q.end].to_string(), q.kind)
        })
        .collect()
}

/// Asserts that a quote starting with `opening` is found, attributed to `speaker`.
fn assert_said(
    found: &[(String, String, QuoteKind)],
    speaker: &str,
    opening: &str,
    kind: QuoteKind,
) {
    let hit = found.iter().find(|(_, q, k)| {
        q.trim_start_matches(|c: char| !c.is_alphanumeric()).starts_with(opening) && *k == kind
    });
    match hit {
        Some((who, ..)) => assert_eq!(who, speaker, "speaker of {opening:?}"),
        None => panic!("no {kind:?} quote {opening:?} in {found:#?}"),
    }
}

#[test]
fn every_seed_speaker_is_found() {
    let q: Vec<_> = SEEDS.iter().map(|s| quotes(s)).collect();
    use QuoteKind::*;
    assert_said(&q[0], "Dmitri Peskow", "das Treffen werde", Indirect);
    assert_said(&q[0], "Dmitri Peskow", "Bei den Gesprächen solle es", Indirect);
    assert_said(&q[0], "Dmitri Peskow", "Selbstverständlich arbeiten beide Länder", Direct);
    assert_said(&q[0], "Andrej Rudenko", "werde man auch die südkoreanische Regierung", Indirect);
    assert_said(&q[0], "Matthew Miller", "Jedes Übertragen von Waffen", Direct);
    assert_said(&q[1], "Juri Uschakow", "Das Programm ist sehr voll", Direct);
    assert_said(&q[1], "Juri Uschakow", "Dazu könne auch ein", Indirect);
    assert_said(&q[1], "Shin Wonsik", "Seoul habe mindestens 10.000 Schiffscontainer", Indirect);
    assert_said(&q[1], "Shin Wonsik", "Diese Container könnten bis zu 4,8 Millionen", Indirect);
    assert_said(&q[1], "John Kirby", "Man sei nicht speziell besorgt", Indirect);
    assert_said(&q[1], "John Kirby", "Was uns Sorgen bereitet", Direct);
    assert_said(&q[1], "Patrick Cronin", "Moskau und Pjöngjang wollen", Direct);
    assert_said(&q[1], "Lloyd Austin", "wieder auf die Beine zu kommen", Direct);
    assert_said(&q[1], "Südkorea", "Russland mit Artillerie", Reported);
    assert_said(&q[3], "Wladimir Putin", "Einen Toast auf die künftige Stärkung", Direct);
    assert_said(&q[3], "Wladimir Putin", "Ich bin froh, dich zu sehen", Direct);
    assert_said(&q[3], "Wladimir Putin", "Wir werden über alle Themen sprechen", Direct);
    assert_said(&q[3], "Kim Jong Un", "Russland hat sich zu einem heiligen Kampf", Direct);
    assert_said(&q[3], "Kim Jong Un", "Wir werden die Entscheidungen von Präsident Putin", Direct);
    assert_said(&q[3], "Kim Jong Un", "Er sei sicher, dass das Treffen", FreeIndirect);
    assert_said(&q[3], "An Chan-il", "Russland sei begierig", Indirect);
    assert_said(&q[4], "Chang Ho-jin", "es läge im Interesse Moskaus", Indirect);
    assert_said(&q[4], "Chang Ho-jin", "Militärische Zusammenarbeit würde", Direct);
    assert_said(&q[4], "Dmitri Peskow", "das Treffen mit Kim werde nach dem Forum", Indirect);
}

#[test]
fn quote_styles_split_quotes_and_nesting() {
    let text = "»Wir sind bereit«, sagte die Ministerin Anna Berg. «Das gilt auch morgen», fügte Berg hinzu. \
                Sie sagte: „Er nannte das ‚eine klare Absage‘ und ging.“";
    let q = quotes(text);
    assert_said(&q, "Anna Berg", "Wir sind bereit", QuoteKind::Direct);
    assert_said(&q, "Anna Berg", "Das gilt auch morgen", QuoteKind::Direct);
    assert!(q.iter().any(|(_, t, _)| t == "‚eine klare Absage‘"), "nested quote: {q:?}");
    assert_said(&q, "Anna Berg", "Er nannte das", QuoteKind::Direct);
}

#[test]
fn a_language_without_speech_words_yields_nothing() {
    assert!(QuoteFinder::builtin()
        .unwrap()
        .find("\"Bonjour à tous\", a dit Macron.", Some("fr"))
        .is_empty());
}

#[test]
fn a_fronted_phrase_is_no_speaker() {
    // A prepositional phrase or an adverb first: the subject follows the verb.
    let text = "In einem Interview mit der Zeitung sagte der EU-Außenbeauftragte Javier Solana: \
                „Ich gehe davon aus, dass eine Einigung gelingen wird.“ Am heutigen Montag sagte \
                Vatikansprecher Joaquín Navarro-Valls, das Treffen sei freundlich verlaufen. Dazu \
                erklärte das russische Außenministerium: „Alles wird genau geprüft werden.“ Der \
                23-jährige Sportler sagte: „Ich war an keiner Schlägerei beteiligt.“";
    let q = quotes(text);
    assert_said(&q, "EU-Außenbeauftragte Javier Solana", "Ich gehe davon aus", QuoteKind::Direct);
    assert_said(&q, "Joaquín Navarro-Valls", "das Treffen sei", QuoteKind::Indirect);
    assert_said(&q, "Außenministerium", "Alles wird genau", QuoteKind::Direct);
    assert_said(&q, "Sportler", "Ich war an keiner", QuoteKind::Direct);
}

#[test]
fn speaker_phrases_skip_time_words_and_keep_quoted_names() {
    let text = "Ein Unbekannter habe den Namen verwendet, sagte heute Abend ein Sprecher der \
                Polizei, Lars Beringer. Sie seien außer Lebensgefahr, sagte Mark O’Keefe, der \
                Sprecher der Ambulanz. Das „National Hurricane Centre“ der USA befürchtet, dass \
                der Sturm stärker wird.";
    let q = quotes(text);
    assert_said(&q, "Lars Beringer", "Ein Unbekannter habe", QuoteKind::Indirect);
    assert_said(&q, "Keefe", "Sie seien außer", QuoteKind::Indirect);
    assert_said(&q, "National Hurricane Centre der USA", "dass der Sturm", QuoteKind::Indirect);
}

use super::{EntityFinder, EntityType};

fn finder() -> EntityFinder {
    EntityFinder::builtin().unwrap()
}

/// `(surface, type, canonical, key)` of each mention.
fn found(text: &str) -> Vec<(String, EntityType, String, String)> {
    finder()
        .find(text, Some("de"))
        .into_iter()
        .map(|e| (text[e.start..e.end].to_string(), e.etype, e.canonical, e.key))
        .collect()
}

fn key_of(all: &[(String, EntityType, String, String)], surface: &str) -> String {
    all.iter()
        .find(|e| e.0 == surface)
        .unwrap_or_else(|| panic!("{surface:?} not found in {all:?}"))
        .3
        .clone()
}

#[test]
fn spellings_of_one_person_share_one_key_across_articles() {
    let a = found(
        "Nordkoreas Machthaber Kim Jong Un reiste nach Russland. Später sprach Kim mit Putin.",
    );
    let b = found("Der Besuch von Kim Jong-un in Russland war geplant.");
    let c = found("Bereits im April hatte Kim Jong-Un Raketen getestet.");
    let key = key_of(&a, "Kim Jong Un");
    assert_eq!(key_of(&a, "Kim"), key, "a later Kim is Kim Jong Un");
    assert_eq!(key_of(&b, "Kim Jong-un"), key);
    assert_eq!(key_of(&c, "Kim Jong-Un"), key);
    assert!(a.iter().filter(|e| e.3 == key).all(|e| e.1 == EntityType::Per));
}

#[test]
fn putin_with_his_role_and_short_forms() {
    let text =
        "Kremlchef Putin empfing den Gast. Wladimir Putin lobte ihn; Putins Sprecher schwieg.";
    let all = finder().find(text, Some("de"));
    let putin: Vec<_> = all.iter().filter(|e| e.canonical == "Wladimir Putin").collect();
    assert_eq!(putin.len(), 3, "{all:?}");
    assert_eq!(putin[0].role.as_deref(), Some("Kremlchef"));
    assert!(putin.iter().all(|e| e.key == "wladimir putin" && e.etype == EntityType::Per));
}

#[test]
fn spellings_of_one_place_are_one_place() {
    let a = found("Der Zug erreichte Wladiwostok am Morgen.");
    let b = found("2023 besuchte Kim die Stadt Wladiwostock.");
    let key = key_of(&a, "Wladiwostok");
    assert_eq!(key_of(&b, "Wladiwostock"), key, "one letter off");
    assert!(key.starts_with("place:"));
    let english = finder().find("Kim arrived in Vladivostok on Tuesday.", Some("en"));
    assert!(english.iter().any(|e| e.key == key && e.canonical == "Vladivostok"), "{english:?}");
}

#[test]
fn nouns_sentence_adverbs_and_calendar_words_are_no_names() {
    let all = found("Zuvor hatte der Schiffscontainer am Mittwoch im August die Grenze passiert. Konkret ging es um Munition.");
    assert!(all.is_empty(), "{all:?}");
}

#[test]
fn organisations_and_derived_places() {
    let all = found("Die Nachrichtenagentur Tass und die AFP berichteten über die russische Armee und das US-Außenministerium.");
    let types: Vec<(&str, EntityType)> = all.iter().map(|e| (e.0.as_str(), e.1)).collect();
    assert!(types.contains(&("Tass", EntityType::Org)), "{types:?}");
    assert!(types.contains(&("AFP", EntityType::Org)), "{types:?}");
    assert!(types.contains(&("russische", EntityType::LocDeriv)), "{types:?}");
    assert!(types.contains(&("US-Außenministerium", EntityType::Org)), "{types:?}");
}

/// Issue 17, row 3: the span holding a rule mention's ends is found by halves, with the answers
/// of the search one by one, for every byte of a text and for spans out of order.
#[test]
fn span_lookup_answers_as_the_linear_search_did() {
    let text = "Kim Jong-un traf am 12. September 2023 „Putin“ in Wladiwostok, sagte (die) KCNA.";
    let spans = super::word_spans(text);
    let mut shuffled = spans.clone();
    shuffled.swap(0, 3);
    for spans in [&spans, &shuffled] {
        let lookup = super::SpanLookup::new(spans);
        for at in 0..=text.len() + 1 {
            assert_eq!(
                lookup.containing_start(at),
                spans.iter().position(|&(s, e)| s <= at && at < e),
                "start {at}"
            );
            assert_eq!(
                lookup.containing_end(at),
                spans.iter().rposition(|&(s, e)| s < at && at <= e),
                "end {at}"
            );
        }
    }
}

/// Issue 20: names everyone knows, each its own mention, in sentences written for the test.
#[test]
fn well_known_countries_cities_and_their_adjectives() {
    let all = found(
        "Der Präsident reiste am Montag nach Paris. Polen und Frankreich wollen enger \
         zusammenarbeiten, sagte die französische Außenministerin in Warschau.",
    );
    let types: Vec<(&str, EntityType)> = all.iter().map(|e| (e.0.as_str(), e.1)).collect();
    for place in ["Paris", "Polen", "Frankreich", "Warschau"] {
        assert!(types.contains(&(place, EntityType::Loc)), "{place}: {types:?}");
    }
    assert!(types.contains(&("französische", EntityType::LocDeriv)), "{types:?}");
}

/// The names everyone knows, in sentences written for this test: countries and capitals (also
/// in the genitive), an adjective of a country, a place in a derived form, and the seeds' people.
#[test]
fn the_obvious_names_are_found() {
    let cases: [(&str, &[(&str, EntityType)]); 7] = [
        (
            "Der Minister flog am Montag nach Paris, um mit Frankreich über Polen zu sprechen.",
            &[("Paris", EntityType::Loc), ("Frankreich", EntityType::Loc), ("Polen", EntityType::Loc)],
        ),
        (
            "Die französische Regierung und die polnischen Behörden einigten sich.",
            &[("französische", EntityType::LocDeriv), ("polnischen", EntityType::LocDeriv)],
        ),
        (
            "Die Hauptstadt Dänemarks liegt am Meer, sagte ein Sprecher in Kopenhagen.",
            &[("Dänemarks", EntityType::Loc), ("Kopenhagen", EntityType::Loc)],
        ),
        (
            "Nordkoreas Machthaber Kim Jong Un ist in Russland eingetroffen.",
            &[("Nordkoreas", EntityType::Loc), ("Kim Jong Un", EntityType::Per), ("Russland", EntityType::Loc)],
        ),
        (
            "Kremlsprecher Dmitri Peskow sagte, Präsident Wladimir Putin werde Kim in Wladiwostok treffen.",
            &[("Dmitri Peskow", EntityType::Per), ("Wladimir Putin", EntityType::Per), ("Wladiwostok", EntityType::Loc)],
        ),
        (
            "Der Regensburger Bürgermeister traf die Hamburger Kollegin.",
            &[("Regensburger", EntityType::LocDeriv), ("Hamburger", EntityType::LocDeriv)],
        ),
        (
            "Verteidigungsminister Sergej Schoigu besuchte Pjöngjang.",
            &[("Sergej Schoigu", EntityType::Per), ("Pjöngjang", EntityType::Loc)],
        ),
    ];
    for (text, expected) in cases {
        let all = found(text);
        for (surface, etype) in expected {
            assert!(
                all.iter().any(|e| e.0 == *surface && e.1 == *etype),
                "{surface:?} as {etype:?} in {text:?}: {all:?}"
            );
        }
    }
}

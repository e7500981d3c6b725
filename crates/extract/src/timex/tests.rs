use chrono::NaiveDate;

use super::{Granularity, Mode, Resolution, TimeTagger, Timex};

fn tagger() -> TimeTagger {
    TimeTagger::builtin().unwrap()
}

fn date(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
}

/// `(text, value)` of every expression found.
fn found(text: &str, lang: &str, doc: Option<NaiveDate>, mode: Mode) -> Vec<(String, String)> {
    tagger()
        .tag(text, Some(lang), doc, mode)
        .into_iter()
        .map(|t| (text[t.start..t.end].to_string(), t.value))
        .collect()
}

fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
}

#[test]
fn absolute_dates_need_no_article_date() {
    let text =
        "Am 12.09.2023 und am 14. März 2024, im April 2019, seit dem Jahr 2000 und um 4:45 Uhr.";
    assert_eq!(
        found(text, "de", None, Mode::News),
        pairs(&[
            ("12.09.2023", "2023-09-12"),
            ("14. März 2024", "2024-03-14"),
            ("April 2019", "2019-04"),
            ("Jahr 2000", "2000"),
            ("4:45 Uhr", "XXXX-XX-XXT04:45"),
        ])
    );
}

#[test]
fn relative_expressions_count_from_the_article_date() {
    // A Wednesday.
    let doc = date(2023, 9, 13);
    let text = "Am Mittwoch traf Kim Putin. Am Montag (4. September) hatte der Kreml geschwiegen. \
                Im vergangenen Juli war Schoigu in Pjöngjang, vor wenigen Wochen auch. \
                In den kommenden Tagen wird Kim weiterreisen, am Freitag soll er abreisen. \
                Gestern hieß es, vergangene Woche sei alles geplant worden, vor drei Jahren nicht.";
    assert_eq!(
        found(text, "de", doc, Mode::News),
        pairs(&[
            ("Mittwoch", "2023-09-13"),
            ("Montag (4. September)", "2023-09-04"),
            ("vergangenen Juli", "2023-07"),
            ("vor wenigen Wochen", "PAST_REF"),
            ("In den kommenden Tagen", "FUTURE_REF"),
            ("Freitag", "2023-09-15"),
            ("Gestern", "2023-09-12"),
            ("vergangene Woche", "2023-W36"),
            ("vor drei Jahren", "2020"),
        ])
    );
}

#[test]
fn without_an_article_date_relative_expressions_stay_unresolved() {
    let t = tagger().tag(
        "Am Mittwoch traf Kim Putin, im vergangenen Jahr nicht.",
        Some("de"),
        None,
        Mode::News,
    );
    assert_eq!(t.len(), 2);
    assert!(
        t.iter().all(|t| t.resolution == Resolution::Unresolved && t.days().is_none()),
        "{t:?}"
    );
    assert_eq!(t[0].value, "XXXX-WXX-3");
    // A month or day without a year is this year's, and this year is unknown: a year the text
    // mentioned before does not stand in for it (in news it mostly dates the background).
    let t = found(
        "Es ist der zweite Besuch nach einem Treffen im April 2019. Von dort startete im August \
         eine Rakete, am 13. September folgt das Treffen.",
        "de",
        None,
        Mode::News,
    );
    assert_eq!(
        t,
        pairs(&[("April 2019", "2019-04"), ("August", "XXXX-08"), ("13. September", "XXXX-09-13")])
    );
}

#[test]
fn ranges_durations_and_anaphora() {
    let doc = date(2023, 9, 20);
    let text = "Die Reise dauerte vom 10. bis zum 13. September, zwanzig Stunden im Zug. \
                Zwei Tage später kehrte er zurück; am selben Tag sprach Peskow.";
    assert_eq!(
        found(text, "de", doc, Mode::News),
        pairs(&[
            ("10.", "2023-09-10"),
            ("13. September", "2023-09-13"),
            ("zwanzig Stunden", "PT20H"),
            ("Zwei Tage später", "2023-09-15"),
            ("am selben Tag", "2023-09-15"),
        ])
    );
}

#[test]
fn narrative_texts_move_with_the_dates_they_mention() {
    let doc = date(2011, 2, 16);
    let text = "Der Angriff begann am 1. September 1939 um 4:45 Uhr. Am 3. September erklärten \
                Großbritannien und Frankreich den Krieg, einen Tag später folgte Australien. \
                Ende des Jahres war Polen besetzt; im Frühjahr 1940 kam Norwegen, Mai/Juni 1940 Frankreich. \
                Der Zweite Weltkrieg war der größte Krieg des 20. Jahrhunderts, heute ein Mahnmal; \
                der Konflikt dauerte 6 Jahre. Er endete 1945, 490 v. Chr. war Marathon.";
    assert_eq!(
        found(text, "de", doc, Mode::Narrative),
        pairs(&[
            ("1. September 1939", "1939-09-01"),
            ("4:45 Uhr", "1939-09-01T04:45"),
            ("3. September", "1939-09-03"),
            ("einen Tag später", "1939-09-04"),
            ("Ende des Jahres", "1939"),
            ("Frühjahr 1940", "1940-SP"),
            ("Mai", "1940-05"),
            ("Juni 1940", "1940-06"),
            ("20. Jahrhunderts", "19"),
            ("heute", "PRESENT_REF"),
            ("6 Jahre", "P6Y"),
            ("1945", "1945"),
            ("490 v. Chr.", "BC0490"),
        ])
    );
    let t = tagger().tag("Ende des Jahres 1939", Some("de"), doc, Mode::Narrative);
    assert_eq!(t[0].modifier.as_deref(), Some("END"));
}

#[test]
fn numbers_that_are_not_dates() {
    let text = "10.000 Schiffscontainer, 4,8 Millionen Granaten, 1500 Soldaten und 60 Kilometer pro Stunde.";
    assert_eq!(found(text, "de", date(2024, 6, 18), Mode::News), pairs(&[]));
}

#[test]
fn english_dates() {
    let doc = date(2024, 6, 19);
    let text = "On Wednesday Putin arrived; on September 12, 2023 Kim had travelled, two days later he left. \
                Last week officials said talks would start next month, three years ago they had not.";
    assert_eq!(
        found(text, "en", doc, Mode::News),
        pairs(&[
            ("Wednesday", "2024-06-19"),
            ("September 12, 2023", "2023-09-12"),
            ("two days later", "2023-09-14"),
            ("Last week", "2024-W24"),
            ("next month", "2024-07"),
            ("three years ago", "2021"),
        ])
    );
}

#[test]
fn days_cover_the_value() {
    let t = |v: &str, g| Timex {
        start: 0,
        end: 0,
        kind: super::TimexKind::Date,
        value: v.into(),
        modifier: None,
        granularity: g,
        resolution: Resolution::Absolute,
    };
    assert_eq!(
        t("2023-09", Granularity::Month).days(),
        Some((date(2023, 9, 1).unwrap(), date(2023, 9, 30).unwrap()))
    );
    assert_eq!(
        t("2024-02-29T10:00", Granularity::Time).days(),
        Some((date(2024, 2, 29).unwrap(), date(2024, 2, 29).unwrap()))
    );
    assert_eq!(
        t("2023-W37", Granularity::Week).days(),
        Some((date(2023, 9, 11).unwrap(), date(2023, 9, 17).unwrap()))
    );
    assert_eq!(
        t("2023-WI", Granularity::Season).days(),
        Some((date(2023, 12, 1).unwrap(), date(2024, 2, 29).unwrap()))
    );
    assert_eq!(t("P3D", Granularity::None).days(), None);
}

#[test]
fn weekdays_follow_the_tense_of_their_own_sentence() {
    // Tuesday, 12 September 2023.
    let doc = date(2023, 9, 12);
    let text = "Peskow sagte, das Treffen werde \"in den kommenden Tagen\" stattfinden. Das Forum dauert noch bis Mittwoch.\n\
                Nach tagelangen Spekulationen hatten Moskau und Pjöngjang erst am Montag den Besuch bestätigt.";
    let got = found(text, "de", doc, Mode::News);
    let value = |w: &str| got.iter().find(|(t, _)| t == w).map(|(_, v)| v.clone());
    assert_eq!(value("Montag").as_deref(), Some("2023-09-11"));
    // "bis Mittwoch" in the present looks ahead; in the past, back.
    assert_eq!(value("Mittwoch").as_deref(), Some("2023-09-13"));
    let past = found("Das Forum dauerte bis Mittwoch.", "de", doc, Mode::News);
    assert_eq!(past, pairs(&[("Mittwoch", "2023-09-06")]));
}

#[test]
fn a_bound_on_its_own_does_not_move_the_story() {
    // "bis März 1862" looks ahead; "Ende August" is still of 1861. The end of a range moves it.
    let text = "Im Juli 1861 sperrten sie den Fluss. Die Mündung blieb bis März 1862 gesperrt.\n\
                Ende August eroberte die Flotte zwei Forts. Vom 1. bis 3. Juli 1863 wurde gekämpft. \
                Am 4. Juli ergab sich die Stadt.";
    assert_eq!(
        found(text, "de", None, Mode::Narrative),
        pairs(&[
            ("Juli 1861", "1861-07"),
            ("März 1862", "1862-03"),
            ("Ende August", "1861-08"),
            ("1.", "1863-07-01"),
            ("3. Juli 1863", "1863-07-03"),
            ("4. Juli", "1863-07-04"),
        ])
    );
}

#[test]
fn a_heading_naming_a_year_holds_its_section_to_that_year() {
    // Each theatre of war of 1862 starts again in January; an aside about 1863 or a decree
    // "to take effect" on 1 January does not carry the section into the next year.
    let text = "1862\n\nWestlicher Kriegsschauplatz\n\nAm 6. April griff Johnston an. Im Oktober \
                zog Bragg ab, am 31. Dezember griff Rosecrans an. Am 15. Juli 1863 fiel er.\n\n\
                Seekrieg\n\nIm Januar lief die Flotte aus. Im Sommer kreuzte sie vor der Küste. \
                Im September verkündete er die Erklärung, die am 1. Januar in Kraft treten \
                sollte.\n\n1863\n\nIm März griff Grant an.";
    assert_eq!(
        found(text, "de", None, Mode::Narrative),
        pairs(&[
            ("1862", "1862"),
            ("6. April", "1862-04-06"),
            ("Oktober", "1862-10"),
            ("31. Dezember", "1862-12-31"),
            ("15. Juli 1863", "1863-07-15"),
            ("Januar", "1862-01"),
            ("Sommer", "1862-SU"),
            ("September", "1862-09"),
            ("1. Januar", "1863-01-01"),
            ("1863", "1863"),
            ("März", "1863-03"),
        ])
    );
}

#[test]
fn named_days_are_placed_in_their_year() {
    use super::lexicon::{easter_sunday, Holiday};
    // Easter Sunday, including the earliest and latest possible days.
    for (y, m, d) in [(2024, 3, 31), (2025, 4, 20), (2000, 4, 23), (1943, 4, 25), (1818, 3, 22)] {
        assert_eq!(easter_sunday(y), date(y, m, d), "{y}");
    }
    let on = |rule: &str, y| Holiday::parse(rule).unwrap().in_year(y);
    assert_eq!(on("easter-2", 2024), date(2024, 3, 29)); // Karfreitag
    assert_eq!(on("easter+39", 2018), date(2018, 5, 10)); // Christi Himmelfahrt
    assert_eq!(on("11-thu-4", 2023), date(2023, 11, 23)); // Thanksgiving
    assert_eq!(on("05-mon-last", 2024), date(2024, 5, 27)); // Memorial Day
    assert_eq!(on("05-sun-2", 2019), date(2019, 5, 12)); // Muttertag
    assert_eq!(on("advent", 2023), date(2023, 12, 3));
    assert_eq!(on("advent", 2022), date(2022, 11, 27));
    assert_eq!(on("advent-11", 2018), date(2018, 11, 21)); // Buß- und Bettag
    for bad in ["13-01", "02-30", "easter+x", "05-sun-6", "05-xyz-1", "soon"] {
        assert_eq!(Holiday::parse(bad), None, "{bad}");
    }
    // Every rule of the profiles compiled in is read.
    for p in storyline_text::profile::builtin_profiles().unwrap() {
        for (name, rule) in &p.time.holidays {
            assert!(Holiday::parse(rule).is_some(), "{}: {name} = {rule}", p.code);
        }
    }
}

#[test]
fn named_days_follow_the_year_written_or_the_tense_of_their_sentence() {
    let doc = date(2016, 11, 7);
    let text = "Ostern 2020 fiel in den Lockdown. Zu Weihnachten wird er kommen. An Ostern \
                hatte er noch gezögert. Am Tag der Deutschen Einheit sprach Merkel.";
    assert_eq!(
        found(text, "de", doc, Mode::News),
        pairs(&[
            ("Ostern 2020", "2020-04-12"),
            ("Weihnachten", "2016-12-25"),
            ("Ostern", "2016-03-27"),
            ("Tag der Deutschen Einheit", "2016-10-03"),
        ])
    );
    // Without an article date a fixed day keeps its month and day, a moving one nothing.
    assert_eq!(
        found("Zu Weihnachten und an Ostern.", "de", None, Mode::News),
        pairs(&[("Weihnachten", "XXXX-12-25"), ("Ostern", "XXXX")])
    );
    assert_eq!(
        found("He will be back by Thanksgiving.", "en", date(2023, 10, 2), Mode::News),
        pairs(&[("Thanksgiving", "2023-11-23")])
    );
}

#[test]
fn clock_times_in_words_and_with_a_part_of_the_day() {
    let doc = date(2016, 11, 7);
    let cases = [
        ("Es ist 8 Uhr abends.", "8 Uhr abends", "2016-11-07T20:00"),
        ("Der Zug fährt um 10 Uhr nachts.", "10 Uhr nachts", "2016-11-07T22:00"),
        ("Sie kamen nachts um 3 Uhr.", "nachts um 3 Uhr", "2016-11-07T03:00"),
        ("Der Wecker klingelt um acht Uhr vierzig.", "acht Uhr vierzig", "2016-11-07T08:40"),
        ("Es ist halb acht.", "halb acht", "2016-11-07T07:30"),
        ("Es war viertel nach 7.", "viertel nach 7", "2016-11-07T07:15"),
        ("Er kam zehn Minuten vor acht.", "zehn Minuten vor acht", "2016-11-07T07:50"),
        ("Der Start war um 19:56:30 Uhr.", "19:56:30 Uhr", "2016-11-07T19:56:30"),
        ("Morgen um 8 Uhr beginnt das Treffen.", "8 Uhr", "2016-11-08T08:00"),
    ];
    for (text, span, value) in cases {
        let got = found(text, "de", doc, Mode::News);
        assert!(got.contains(&(span.to_string(), value.to_string())), "{text}: {got:?}");
    }
    // Hours, minutes and seconds without "Uhr" are a time taken.
    assert_eq!(
        found("5. Heather Jackson (USA) 9:21:45", "de", doc, Mode::News),
        pairs(&[("9:21:45", "PT9H21M45S")])
    );
    // A number word is an hour only before "Uhr"; "um sieben Prozent" is no time.
    assert_eq!(found("Der Umsatz stieg um sieben Prozent.", "de", doc, Mode::News), vec![]);
    assert_eq!(
        found("We met at quarter to eight.", "en", doc, Mode::News),
        pairs(&[("quarter to eight", "2016-11-07T07:45")])
    );
}

#[test]
fn days_written_as_ordinal_words() {
    let doc = date(2016, 11, 7);
    assert_eq!(
        found(
            "Er kam am zweiten Mai 2016 und ging am einunddreißigsten Mai.",
            "de",
            doc,
            Mode::News
        ),
        pairs(&[("zweiten Mai 2016", "2016-05-02"), ("einunddreißigsten Mai", "2016-05-31")])
    );
    // An ordinal word without a month is no date.
    assert_eq!(
        found("Der zweite Mann kam im Mai.", "de", doc, Mode::News),
        pairs(&[("Mai", "2016-05")])
    );
}

#[test]
fn weekends_and_two_units_away() {
    let monday = date(2019, 8, 5); // ISO week 32
    let cases = [
        ("Am Wochenende demonstrierten Tausende.", "Wochenende", "2019-W31-WE"),
        ("Am Wochenende werden Tausende erwartet.", "Wochenende", "2019-W32-WE"),
        ("Am vergangenen Wochenende kam er.", "vergangenen Wochenende", "2019-W31-WE"),
        ("Am kommenden Wochenende spielt er.", "kommenden Wochenende", "2019-W32-WE"),
        ("Übernächste Woche beginnt der Prozess.", "Übernächste Woche", "2019-W34"),
        ("Das war vorletztes Jahr.", "vorletztes Jahr", "2017"),
    ];
    for (text, span, value) in cases {
        assert_eq!(found(text, "de", monday, Mode::News), pairs(&[(span, value)]), "{text}");
    }
    // A weekend covers its Saturday and Sunday.
    let t = tagger().tag("Am Wochenende werden Tausende erwartet.", Some("de"), monday, Mode::News);
    assert_eq!(t[0].days(), date(2019, 8, 10).zip(date(2019, 8, 11)));
    assert_eq!(
        found("Last weekend, thousands marched.", "en", monday, Mode::News),
        pairs(&[("Last weekend", "2019-W31-WE")])
    );
}

#[test]
fn counts_and_a_half() {
    let doc = date(2016, 11, 7);
    assert_eq!(
        found(
            "Der Krieg dauerte anderthalb Jahre. Wir warteten fünfeinhalb Stunden. Vor \
             zweieinhalb Jahren begann es.",
            "de",
            doc,
            Mode::News
        ),
        pairs(&[
            ("anderthalb Jahre", "P1.5Y"),
            ("fünfeinhalb Stunden", "PT5.5H"),
            ("Vor zweieinhalb Jahren", "2014-05-07"),
        ])
    );
}

/// Issue 17, row 3: whether a time expression stands in a heading is decided within a bounded
/// reach. 20,000 expressions in a 3.3 MB text without line breaks searched the whole text for
/// each (6.6 * 10^10 bytes); now each looks at most 8 KiB.
#[test]
fn heading_lines_are_found_within_a_bounded_reach() {
    let sentence = "Am 12. September 2023 kamen laut Polizei 500 Menschen nach Berlin. ";
    let text = format!("Rückblick 2023\n{}", sentence.repeat(50_000));
    assert_eq!(super::heading_line(&text, 3), Some(0));
    let step = text.len() / 20_000;
    let headings = (1..20_000).filter(|i| super::heading_line(&text, 16 + i * step).is_some());
    assert_eq!(headings.count(), 0);
    let short = "Rückblick\nKurz: am Montag";
    assert_eq!(super::heading_line(short, 12), Some(11));
    assert_eq!(super::heading_line("Ein ganzer Satz.\nNoch einer", 3), None);
}

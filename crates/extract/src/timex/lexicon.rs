//! A language's time words from its profile, compiled for lookup.

// Word lists looked up for every word: a fast hasher (keys from the lists, not from input).
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use chrono::{Datelike, NaiveDate};

use storyline_text::profile::{Profile, TimeWords};

/// A unit of time, as TIMEX2 writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unit {
    Minute,
    Hour,
    Day,
    Week,
    Month,
    Year,
    Decade,
    Century,
}

impl Unit {
    pub(crate) fn parse(code: &str) -> Option<Unit> {
        Some(match code {
            "MIN" => Unit::Minute,
            "H" => Unit::Hour,
            "D" => Unit::Day,
            "W" => Unit::Week,
            "M" => Unit::Month,
            "Y" => Unit::Year,
            "DE" => Unit::Decade,
            "CE" => Unit::Century,
            _ => return None,
        })
    }

    /// The letter of a duration value: `P3D`, `PT20H`.
    pub(crate) fn duration(self, count: &str) -> String {
        match self {
            Unit::Minute => format!("PT{count}M"),
            Unit::Hour => format!("PT{count}H"),
            Unit::Day => format!("P{count}D"),
            Unit::Week => format!("P{count}W"),
            Unit::Month => format!("P{count}M"),
            Unit::Year => format!("P{count}Y"),
            Unit::Decade => format!("P{count}DE"),
            Unit::Century => format!("P{count}CE"),
        }
    }
}

/// Where a relative expression counts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Base {
    /// The article date ("gestern", "vergangene Woche").
    Document,
    /// The date last mentioned ("zwei Tage später", "am selben Tag").
    Previous,
}

/// Which TIMEX2 reference token a phrase stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RefKind {
    Past,
    Present,
    Future,
}

impl RefKind {
    pub(crate) fn value(self) -> &'static str {
        match self {
            RefKind::Past => "PAST_REF",
            RefKind::Present => "PRESENT_REF",
            RefKind::Future => "FUTURE_REF",
        }
    }
}

/// A word that moves by one unit: from which base and by how much.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Shift {
    pub base: Base,
    pub by: i32,
}

/// The rule that places a named day in a year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Holiday {
    /// The same day every year: month and day.
    Fixed(u32, u32),
    /// Days from Easter Sunday (Gregorian).
    Easter(i64),
    /// The `n`th weekday (0 = Monday) of a month; `n` = 0 for the last.
    Nth { month: u32, weekday: u32, n: u32 },
    /// Days from the first Sunday of Advent (the fourth Sunday before Christmas Day).
    Advent(i64),
}

impl Holiday {
    /// Reads a rule of the profile's `holidays` table.
    pub(crate) fn parse(rule: &str) -> Option<Holiday> {
        let offset = |rest: &str| -> Option<i64> {
            if rest.is_empty() {
                Some(0)
            } else {
                rest.strip_prefix('+').unwrap_or(rest).parse().ok()
            }
        };
        if let Some(rest) = rule.strip_prefix("easter") {
            return Some(Holiday::Easter(offset(rest)?));
        }
        if let Some(rest) = rule.strip_prefix("advent") {
            return Some(Holiday::Advent(offset(rest)?));
        }
        let parts: Vec<&str> = rule.split('-').collect();
        match parts.as_slice() {
            [m, d] => {
                let (m, d) = (m.parse().ok()?, d.parse().ok()?);
                NaiveDate::from_ymd_opt(2000, m, d).map(|_| Holiday::Fixed(m, d))
            }
            [m, wd, n] => {
                let month: u32 = m.parse().ok().filter(|m| (1..=12).contains(m))?;
                let weekday = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
                    .iter()
                    .position(|w| w == wd)? as u32;
                let n = if *n == "last" {
                    0
                } else {
                    n.parse().ok().filter(|n| (1..=5).contains(n))?
                };
                Some(Holiday::Nth { month, weekday, n })
            }
            _ => None,
        }
    }

    /// The day in year `y`.
    pub(crate) fn in_year(self, y: i32) -> Option<NaiveDate> {
        match self {
            Holiday::Fixed(m, d) => NaiveDate::from_ymd_opt(y, m, d),
            Holiday::Easter(k) => shift(easter_sunday(y)?, k),
            Holiday::Nth { month, weekday, n } => {
                let first = NaiveDate::from_ymd_opt(y, month, 1)?;
                let ahead = (weekday + 7 - first.weekday().num_days_from_monday()) % 7;
                let firsts = shift(first, ahead as i64)?;
                if n > 0 {
                    shift(firsts, 7 * (n as i64 - 1)).filter(|d| d.month() == month)
                } else {
                    let mut d = firsts;
                    while let Some(next) = shift(d, 7).filter(|x| x.month() == month) {
                        d = next;
                    }
                    Some(d)
                }
            }
            Holiday::Advent(k) => {
                // The fourth Sunday of Advent is the last Sunday before Christmas Day.
                let eve = NaiveDate::from_ymd_opt(y, 12, 24)?;
                let fourth = shift(eve, -(eve.weekday().num_days_from_sunday() as i64))?;
                shift(fourth, k - 21)
            }
        }
    }

    /// The value of the day when the year is unknown: `XXXX-12-25`, or `XXXX` for a day that
    /// moves with the year.
    pub(crate) fn unknown_year(self) -> String {
        match self {
            Holiday::Fixed(m, d) => format!("XXXX-{m:02}-{d:02}"),
            _ => "XXXX".to_string(),
        }
    }
}

fn shift(d: NaiveDate, days: i64) -> Option<NaiveDate> {
    d.checked_add_signed(chrono::TimeDelta::try_days(days)?)
}

/// Easter Sunday of year `y` in the Gregorian calendar, by the anonymous Gregorian computus
/// (Meeus, *Astronomical Algorithms*, ch. 8).
pub(crate) fn easter_sunday(y: i32) -> Option<NaiveDate> {
    if y < 1583 {
        return None;
    }
    let a = y % 19;
    let b = y / 100;
    let c = y % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(y, month as u32, day as u32)
}

/// One language's time words, ready for lookup. Phrases are lists of lowercase words.
#[derive(Debug, Default)]
pub(crate) struct Lexicon {
    /// Month of each name, and whether the name is an abbreviation.
    pub months: HashMap<String, (u32, bool)>,
    pub weekdays: HashMap<String, u32>,
    /// The same names in profile order, for prefix search ("Mittwochmorgen").
    pub weekday_list: Vec<(String, u32)>,
    pub numbers: HashMap<String, u32>,
    /// Counts and a half by their whole part ("zweieinhalb" = 2).
    pub halves: HashMap<String, u32>,
    pub vague_numbers: Vec<String>,
    pub units: HashMap<String, Unit>,
    pub vague_durations: HashMap<String, Unit>,
    pub plural_units: Vec<String>,
    pub seasons: HashMap<String, String>,
    pub day_parts: HashMap<String, String>,
    pub modifiers: Vec<(Vec<String>, String)>,
    pub year_modifiers: HashMap<String, String>,
    pub deictic_days: HashMap<String, i32>,
    pub shifts: Vec<(Vec<String>, Shift)>,
    pub relative_words: HashMap<String, (Unit, Shift)>,
    pub later: Vec<String>,
    pub earlier: Vec<String>,
    pub ago_before: Vec<String>,
    pub ago_after: Vec<String>,
    pub in_before: Vec<String>,
    pub after_before: Vec<String>,
    pub refs: Vec<(Vec<String>, RefKind)>,
    pub before_christ: Vec<Vec<String>>,
    pub after_christ: Vec<Vec<String>>,
    pub range_words: Vec<String>,
    pub year_cues: Vec<String>,
    pub future_cues: Vec<String>,
    pub until_words: Vec<String>,
    /// Past-tense verbs of the language, to tell a sentence in the past.
    pub past: storyline_text::profile::PastWords,
    pub date_fillers: Vec<String>,
    pub part_links: Vec<String>,
    pub relative_preps: Vec<String>,
    pub extent_prefixes: Vec<Vec<String>>,
    pub clock_words: Vec<String>,
    /// Words placing a clock time around an hour and their minutes, longest phrase first.
    pub clock_fractions: Vec<(Vec<String>, i32)>,
    pub clock_past: Vec<String>,
    pub clock_to: Vec<String>,
    pub clock_preps: Vec<String>,
    pub weekend: Vec<String>,
    /// Day of the month of each ordinal word ("zweiten" = 2), every ending included.
    pub day_ordinals: HashMap<String, u32>,
    /// Named days ("Ostern", "Tag der Deutschen Einheit"), longest phrase first.
    pub holidays: Vec<(Vec<String>, Holiday)>,
    /// Every word an expression can start with: a word outside this set (and not a weekday
    /// compound such as "Mittwochmorgen") starts none, so most tokens are passed over at once.
    pub triggers: HashSet<String>,
}

/// Splits a phrase into the words the tagger's tokens will show: runs of letters or digits,
/// and every other character alone ("v. chr." is `v`, `.`, `chr`, `.`).
pub(crate) fn phrase(text: &str) -> Vec<String> {
    super::scan::tokenize(text).into_iter().map(|t| t.lower).collect()
}

fn lower_all(words: &[String]) -> Vec<String> {
    words.iter().map(|w| w.to_lowercase()).collect()
}

impl Lexicon {
    pub(crate) fn new(profile: &Profile) -> Lexicon {
        let t: &TimeWords = &profile.time;
        let mut months = HashMap::default();
        for (i, names) in profile.months.iter().enumerate() {
            for (k, n) in names.iter().enumerate() {
                months.insert(n.to_lowercase(), (i as u32 + 1, k > 0));
            }
        }
        let mut weekdays = HashMap::default();
        for (i, names) in t.weekdays.iter().enumerate() {
            for n in names {
                weekdays.insert(n.to_lowercase(), i as u32);
            }
        }
        let units_of = |m: &std::collections::BTreeMap<String, String>| {
            m.iter().filter_map(|(w, c)| Some((w.to_lowercase(), Unit::parse(c)?))).collect()
        };
        let mut shifts = Vec::new();
        for (list, base, by) in [
            (&t.previous, Base::Document, -1),
            (&t.next, Base::Document, 1),
            (&t.this, Base::Document, 0),
            (&t.same, Base::Previous, 0),
            (&t.following, Base::Previous, 1),
            (&t.preceding, Base::Previous, -1),
            (&t.before_previous, Base::Document, -2),
            (&t.after_next, Base::Document, 2),
        ] {
            for w in list {
                shifts.push((phrase(w), Shift { base, by }));
            }
        }
        let mut refs = Vec::new();
        for (list, kind) in [
            (&t.past_ref, RefKind::Past),
            (&t.present_ref, RefKind::Present),
            (&t.future_ref, RefKind::Future),
        ] {
            for w in list {
                refs.push((phrase(w), kind));
            }
        }
        // Longest phrases first, so that "kurz zuvor" wins over a shorter entry.
        refs.sort_by_key(|(p, _)| std::cmp::Reverse(p.len()));
        let mut modifiers: Vec<_> =
            t.modifiers.iter().map(|(w, c)| (phrase(w), c.clone())).collect();
        modifiers.sort_by_key(|(p, _)| std::cmp::Reverse(p.len()));
        let relative_words = t
            .relative_words
            .iter()
            .filter_map(|(w, unit, by, previous)| {
                let base = if *previous { Base::Previous } else { Base::Document };
                Some((w.to_lowercase(), (Unit::parse(unit)?, Shift { base, by: *by })))
            })
            .collect();
        Lexicon {
            months,
            weekday_list: t
                .weekdays
                .iter()
                .enumerate()
                .flat_map(|(i, names)| names.iter().map(move |n| (n.to_lowercase(), i as u32)))
                .collect(),
            weekdays,
            numbers: t.numbers.iter().map(|(w, n)| (w.to_lowercase(), *n)).collect(),
            // From the number words of the figures: "zweieinhalb" is "zwei" and the ending for
            // a half, "anderthalb" a whole word worth 1.5.
            halves: {
                let n = &profile.numbers;
                let mut h: HashMap<String, u32> = HashMap::default();
                if !n.half_suffix.is_empty() {
                    for (w, v) in t.numbers.iter().filter(|(_, v)| (1..=12).contains(*v)) {
                        h.insert(format!("{}{}", w.to_lowercase(), n.half_suffix), *v);
                    }
                }
                for (w, v) in &n.fraction_words {
                    if v.fract() == 0.5 && *v >= 1.0 {
                        h.insert(w.to_lowercase(), v.trunc() as u32);
                    }
                }
                h
            },
            vague_numbers: lower_all(&t.vague_numbers),
            units: units_of(&t.units),
            vague_durations: units_of(&t.vague_durations),
            plural_units: lower_all(&t.plural_units),
            seasons: t.seasons.iter().map(|(w, c)| (w.to_lowercase(), c.clone())).collect(),
            day_parts: t.day_parts.iter().map(|(w, c)| (w.to_lowercase(), c.clone())).collect(),
            modifiers,
            year_modifiers: t
                .year_modifiers
                .iter()
                .map(|(w, c)| (w.to_lowercase(), c.clone()))
                .collect(),
            deictic_days: t.deictic_days.iter().map(|(w, n)| (w.to_lowercase(), *n)).collect(),
            shifts,
            relative_words,
            later: lower_all(&t.later),
            earlier: lower_all(&t.earlier),
            ago_before: lower_all(&t.ago_before),
            ago_after: lower_all(&t.ago_after),
            in_before: lower_all(&t.in_before),
            after_before: lower_all(&t.after_before),
            refs,
            before_christ: t.before_christ.iter().map(|w| phrase(w)).collect(),
            after_christ: t.after_christ.iter().map(|w| phrase(w)).collect(),
            range_words: lower_all(&t.range_words),
            year_cues: lower_all(&t.year_cues),
            future_cues: lower_all(&t.future_cues),
            until_words: lower_all(&t.until_words),
            past: profile.past.clone(),
            date_fillers: lower_all(&t.date_fillers),
            part_links: lower_all(&t.part_links),
            relative_preps: lower_all(&t.relative_preps),
            extent_prefixes: {
                let mut p: Vec<_> = t.extent_prefixes.iter().map(|w| phrase(w)).collect();
                p.sort_by_key(|p| std::cmp::Reverse(p.len()));
                p
            },
            clock_words: lower_all(&profile.time_suffixes),
            clock_fractions: {
                let mut f: Vec<_> =
                    t.clock_fractions.iter().map(|(w, m)| (phrase(w), *m)).collect();
                f.sort_by_key(|(p, _)| std::cmp::Reverse(p.len()));
                f
            },
            clock_past: lower_all(&t.clock_past),
            clock_to: lower_all(&t.clock_to),
            clock_preps: lower_all(&t.clock_preps),
            weekend: lower_all(&t.weekend),
            day_ordinals: {
                let endings: Vec<&str> = if t.ordinal_endings.is_empty() {
                    vec![""]
                } else {
                    t.ordinal_endings.iter().map(String::as_str).collect()
                };
                let mut m = HashMap::default();
                for (k, stem) in t.day_ordinals.iter().take(31).enumerate() {
                    for e in &endings {
                        m.insert(format!("{}{e}", stem.to_lowercase()), k as u32 + 1);
                    }
                }
                m
            },
            holidays: {
                let mut h: Vec<_> = t
                    .holidays
                    .iter()
                    .filter_map(|(w, rule)| Some((phrase(w), Holiday::parse(rule)?)))
                    .collect();
                h.sort_by_key(|(p, _)| std::cmp::Reverse(p.len()));
                h
            },
            triggers: HashSet::default(),
        }
        .with_triggers()
    }

    fn with_triggers(mut self) -> Lexicon {
        let mut t: HashSet<String> = HashSet::default();
        let maps = [
            self.months.keys().cloned().collect::<Vec<_>>(),
            self.weekdays.keys().cloned().collect(),
            self.numbers.keys().cloned().collect(),
            self.halves.keys().cloned().collect(),
            self.units.keys().cloned().collect(),
            self.vague_durations.keys().cloned().collect(),
            self.seasons.keys().cloned().collect(),
            self.day_parts.keys().cloned().collect(),
            self.year_modifiers.keys().cloned().collect(),
            self.deictic_days.keys().cloned().collect(),
            self.relative_words.keys().cloned().collect(),
            self.day_parts.keys().cloned().collect(),
            self.day_ordinals.keys().cloned().collect(),
        ];
        for words in maps {
            t.extend(words);
        }
        for list in [
            &self.weekend,
            &self.vague_numbers,
            &self.ago_before,
            &self.in_before,
            &self.after_before,
            &self.relative_preps,
            &self.year_cues,
            &self.date_fillers,
        ] {
            t.extend(list.iter().cloned());
        }
        let phrases = self
            .shifts
            .iter()
            .map(|(p, _)| p)
            .chain(self.refs.iter().map(|(p, _)| p))
            .chain(self.modifiers.iter().map(|(p, _)| p))
            .chain(self.extent_prefixes.iter())
            .chain(self.before_christ.iter())
            .chain(self.holidays.iter().map(|(p, _)| p))
            .chain(self.clock_fractions.iter().map(|(p, _)| p));
        for p in phrases {
            if let Some(first) = p.first() {
                t.insert(first.clone());
            }
        }
        self.triggers = t;
        self
    }
}

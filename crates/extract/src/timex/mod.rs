//! Time expressions: found in a text and normalised to TIMEX2 values against the article date.
//!
//! # Brief overview
//! [`TimeTagger::tag`] tokenizes a text, tries the patterns of its language at each token
//! (numeric dates, day and month names, years, seasons, centuries, clock times, parts of a day,
//! modifiers such as "Anfang", counts of units, relative words, vague references, named days
//! such as "Ostern" or "Tag der Deutschen Einheit"), keeps the longest match, and resolves it in
//! text order:
//!
//! - what the text states fully ("14. März 2024") is [`Resolution::Absolute`];
//! - deictic expressions ("gestern", "vergangene Woche", "vor drei Jahren") count from the
//!   article date: [`Resolution::Document`]. Without an article date they stay unresolved
//!   (`XXXX-...`), never guessed;
//! - anaphoric ones ("zwei Tage später", "am selben Tag") and dates without a year ("am 4.
//!   September") count from the date last mentioned, or the article date when none was:
//!   [`Resolution::Previous`].
//!
//! [`Mode::Narrative`] (histories, encyclopaedia articles) counts deictic expressions from the
//! date last mentioned too, as such texts move through time; [`Mode::News`] from the article date.
//! In a history, a bound on its own ("bis 1881") and, in a section headed by a year, a date of
//! another year are asides that leave the date reached where it was, and days and months without
//! a year in such a section are of its year. A named day without a year is the occurrence
//! nearest the reference: the next when its sentence looks ahead, the last when it is told in
//! the past.
//! The words of each language come from the `[time]` table of its profile.
//!
//! # Example
//! ```
//! use chrono::NaiveDate;
//! use storyline_extract::timex::{Mode, TimeTagger};
//! let tagger = TimeTagger::builtin().unwrap();
//! let date = NaiveDate::from_ymd_opt(2023, 9, 13);
//! let found = tagger.tag("Am Mittwoch traf Kim Putin, zwei Tage später reiste er ab.", Some("de"), date, Mode::News);
//! let values: Vec<_> = found.iter().map(|t| t.value.as_str()).collect();
//! assert_eq!(values, ["2023-09-13", "2023-09-15"]);
//! ```

mod lexicon;
pub(crate) mod scan;

use chrono::{Datelike, Days, Months, NaiveDate, Weekday};
use serde::Serialize;
use storyline_text::profile::{builtin_profiles, Profile, ProfileError};

use lexicon::{Base, Holiday, Lexicon, RefKind, Unit};
use scan::{Hit, Kind, Scanner, Val};

/// How a text moves through time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// A news report: "gestern" and "vergangene Woche" count from the article date.
    News,
    /// A history: every relative expression counts from the date last mentioned.
    Narrative,
}

/// What a time expression denotes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TimexKind {
    /// A day, month, year, season, week, decade or century.
    Date,
    /// A clock time or part of a day.
    Time,
    /// A length of time ("zwanzig Stunden").
    Duration,
    /// A vague past, present or future ("bald").
    Reference,
}

/// The finest unit a value states.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Granularity {
    /// Hours and minutes.
    Time,
    /// Morning, evening...
    PartOfDay,
    /// A calendar day.
    Day,
    /// An ISO week.
    Week,
    /// A month.
    Month,
    /// A season.
    Season,
    /// A year.
    Year,
    /// A decade.
    Decade,
    /// A century.
    Century,
    /// No point in time (durations, references).
    None,
}

/// How a value was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Resolution {
    /// From the expression alone.
    Absolute,
    /// Counted from the article date.
    Document,
    /// Counted from the date mentioned before it.
    Previous,
    /// Needs a date the text does not give; the value has `X` where it is unknown.
    Unresolved,
}

/// One time expression with its TIMEX2 value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Timex {
    /// Byte offset of its first character in the text.
    pub start: usize,
    /// Byte offset after its last character.
    pub end: usize,
    /// What it denotes.
    pub kind: TimexKind,
    /// TIMEX2 value: `2023-09-13`, `2023-09`, `2023-W37`, `2023-SU`, `19` (the 20th century),
    /// `2023-09-13T07:43`, `P3D`, `PXW`, `PRESENT_REF`, or with `X` where unresolved.
    pub value: String,
    /// `START`, `MID` or `END` for "Anfang", "Mitte", "Ende".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub modifier: Option<String>,
    /// The finest unit the value states.
    pub granularity: Granularity,
    /// How the value was found.
    pub resolution: Resolution,
}

impl Timex {
    /// First and last calendar day of the value, for a resolved date or time of a day, week,
    /// month, season or year. `None` for durations, references, unresolved values and anything
    /// coarser than a year.
    pub fn days(&self) -> Option<(NaiveDate, NaiveDate)> {
        if self.resolution == Resolution::Unresolved {
            return None;
        }
        let v = self.value.as_str();
        let date_part = v.split('T').next()?;
        let parts: Vec<&str> = date_part.split('-').collect();
        let year: i32 = parts.first().filter(|p| p.len() == 4)?.parse().ok()?;
        let ymd = |m: u32, d: u32| NaiveDate::from_ymd_opt(year, m, d);
        let last_of = |m: u32| {
            let first = ymd(m, 1)?;
            first.checked_add_months(Months::new(1))?.pred_opt()
        };
        match parts.get(1).copied() {
            None => Some((ymd(1, 1)?, ymd(12, 31)?)),
            Some(p) if p.starts_with('W') && p != "WI" => {
                let week: u32 = p[1..].parse().ok()?;
                if parts.get(2) == Some(&"WE") {
                    let saturday = NaiveDate::from_isoywd_opt(year, week, Weekday::Sat)?;
                    return Some((saturday, saturday + Days::new(1)));
                }
                let monday = NaiveDate::from_isoywd_opt(year, week, Weekday::Mon)?;
                Some((monday, monday + Days::new(6)))
            }
            Some(season @ ("SP" | "SU" | "FA" | "WI")) => {
                let (a, b) = match season {
                    "SP" => (3, 5),
                    "SU" => (6, 8),
                    "FA" => (9, 11),
                    _ => (12, 2),
                };
                if a == 12 {
                    Some((ymd(12, 1)?, NaiveDate::from_ymd_opt(year + 1, 3, 1)?.pred_opt()?))
                } else {
                    Some((ymd(a, 1)?, last_of(b)?))
                }
            }
            Some(m) => {
                let m: u32 = m.parse().ok()?;
                match parts.get(2) {
                    Some(d) => {
                        let d = ymd(m, d.parse().ok()?)?;
                        Some((d, d))
                    }
                    None => Some((ymd(m, 1)?, last_of(m)?)),
                }
            }
        }
    }
}

/// Finds and normalises time expressions in the languages of the built-in profiles.
#[derive(Debug)]
pub struct TimeTagger {
    lexicons: Vec<(String, Lexicon)>,
    fallback: Lexicon,
}

impl TimeTagger {
    /// A tagger for the given language profiles.
    pub fn new(profiles: &[Profile]) -> TimeTagger {
        let lexicons = profiles.iter().map(|p| (p.code.clone(), Lexicon::new(p))).collect();
        TimeTagger { lexicons, fallback: Lexicon::default() }
    }

    /// A tagger for the profiles compiled in.
    pub fn builtin() -> Result<TimeTagger, ProfileError> {
        Ok(TimeTagger::new(&builtin_profiles()?))
    }

    /// The time expressions of `text` in language `lang` (numeric forms only when the language
    /// has no profile), resolved against `document_date` where one is needed.
    pub fn tag(
        &self,
        text: &str,
        lang: Option<&str>,
        document_date: Option<NaiveDate>,
        mode: Mode,
    ) -> Vec<Timex> {
        self.tag_tokens(&crate::Tokens::of(text), lang, document_date, mode)
    }

    /// [`TimeTagger::tag`] on the text's tokens, made once for every extractor.
    pub fn tag_tokens(
        &self,
        tokens: &crate::Tokens,
        lang: Option<&str>,
        document_date: Option<NaiveDate>,
        mode: Mode,
    ) -> Vec<Timex> {
        let lex = lang
            .and_then(|l| self.lexicons.iter().find(|(code, _)| code == l))
            .map_or(&self.fallback, |(_, lex)| lex);
        let (text, toks) = (tokens.text(), &tokens.toks);
        let sentence_of = sentence_ids(toks);
        let mut future = vec![false; sentence_of.last().map_or(0, |s| s + 1)];
        for (t, s) in toks.iter().zip(&sentence_of) {
            if lex.future_cues.contains(&t.lower) {
                future[*s] = true;
            }
        }
        // Whether sentence `s` has a verb in the past tense; asked only after "bis" and for
        // named days.
        let past = |s: usize| {
            toks.iter().zip(&sentence_of).any(|(t, x)| {
                *x == s && !t.cap && t.kind == Kind::Word && lex.past.is_past_verb(&t.lower)
            })
        };
        let scanner = Scanner { toks, lex };
        let mut state = State {
            doc: document_date,
            mode,
            day: None,
            month: None,
            year: None,
            heading: None,
            section_year: None,
            past_sentence: false,
        };
        let mut out = Vec::new();
        // The token after the expression found last.
        let mut last_end = usize::MAX;
        let mut i = 0;
        while i < toks.len() {
            match scanner.at(i) {
                Some(hit) if hit.end > i => {
                    // "bis Mittwoch" looks ahead, unless the sentence tells the past.
                    let until = i > 0 && lex.until_words.contains(&toks[i - 1].lower);
                    let forward = future[sentence_of[i]] || (until && !past(sentence_of[i]));
                    let heading = heading_line(text, toks[i].start);
                    // A bound on its own ("blieb bis März 1862 gesperrt", "bis 1881") looks
                    // ahead of the story, which goes on where it was; the end of a range
                    // ("vom 1. bis 3. Juli 1863") moves it.
                    let bound = lone_bound(toks, i, &lex.until_words)
                        .is_some_and(|u| last_end != u && state.year.is_some());
                    let heading = if bound { None } else { heading };
                    state.past_sentence =
                        matches!(hit.val, Val::Holiday { .. } | Val::Weekend { .. })
                            && past(sentence_of[i]);
                    if let Some(t) = state.resolve(&hit, forward, heading, !bound, toks) {
                        out.push(t);
                    }
                    last_end = hit.end;
                    i = hit.end;
                }
                _ => i += 1,
            }
        }
        out
    }
}

/// The until word ("bis") before token `i`, with at most two short lower-case words between
/// ("bis zum", "bis in die"): its token index.
fn lone_bound(toks: &[scan::Tok], i: usize, until_words: &[String]) -> Option<usize> {
    for back in 1..=3 {
        let k = i.checked_sub(back)?;
        let t = &toks[k];
        if until_words.contains(&t.lower) {
            return Some(k);
        }
        if t.kind != Kind::Word || t.cap || t.lower.chars().count() > 4 {
            return None;
        }
    }
    None
}

/// How far from a time expression a line break is looked for. A heading is under 100 bytes, so
/// a line with no break this near is not one; without the bound, a long text without line breaks
/// was searched whole for every expression in it (issue 17, row 3: ingest superlinear).
const HEADING_REACH: usize = 4096;

/// The first byte of the line around byte `at` if that line looks like a heading: short, no
/// full stop at its end.
fn heading_line(text: &str, at: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let from = at.saturating_sub(HEADING_REACH);
    let start = match bytes[from..at].iter().rposition(|&b| b == b'\n') {
        Some(p) => from + p + 1,
        None if from == 0 => 0,
        None => return None,
    };
    let to = (at + HEADING_REACH).min(bytes.len());
    let end = match bytes[at..to].iter().position(|&b| b == b'\n') {
        Some(p) => at + p,
        None if to == bytes.len() => to,
        None => return None,
    };
    let line = text[start..end].trim();
    (line.len() < 100 && !line.ends_with(['.', ':', ';', ','])).then_some(start)
}

/// The sentence each token is in: a sentence ends at a line break, and at `.`, `!` or `?`
/// before white space and a capital letter unless a number stands before the full stop (an
/// ordinal: "12. September").
fn sentence_ids(toks: &[scan::Tok]) -> Vec<usize> {
    let mut ids = Vec::with_capacity(toks.len());
    let mut id = 0;
    for (i, t) in toks.iter().enumerate() {
        // A line break ends a sentence too: lines of scraped text are paragraphs or headings.
        if t.newline && i > 0 {
            id += 1;
        }
        ids.push(id);
        let ends = matches!(t.lower.as_str(), "." | "!" | "?")
            && toks.get(i + 1).is_some_and(|n| n.gap && (n.cap || n.kind == Kind::Punct))
            && !(t.lower == "." && i > 0 && toks[i - 1].kind == Kind::Num);
        if ends {
            id += 1;
        }
    }
    ids
}

/// The article date and the dates mentioned so far, at each granularity.
struct State {
    doc: Option<NaiveDate>,
    mode: Mode,
    day: Option<NaiveDate>,
    month: Option<(i32, u32)>,
    year: Option<i32>,
    /// The heading line whose expressions were seen last.
    heading: Option<usize>,
    /// The year of the section the text is in, when its heading names one.
    section_year: Option<i32>,
    /// Whether the sentence of the expression being resolved is told in the past (asked only
    /// for named days).
    past_sentence: bool,
}

/// A resolved point: its value, granularity, and how it was found.
struct Point {
    value: String,
    gran: Granularity,
    how: Resolution,
    /// The first day, to remember as the date last mentioned.
    first: Option<NaiveDate>,
}

fn year_str(y: i32) -> String {
    if y < 0 {
        format!("BC{:04}", -y)
    } else {
        format!("{y:04}")
    }
}

fn day_str(d: NaiveDate) -> String {
    format!("{}-{:02}-{:02}", year_str(d.year()), d.month(), d.day())
}

fn add_months(y: i32, m: u32, by: i32) -> (i32, u32) {
    let k = y * 12 + m as i32 - 1 + by;
    (k.div_euclid(12), k.rem_euclid(12) as u32 + 1)
}

fn shift_days(d: NaiveDate, n: i64) -> Option<NaiveDate> {
    if n >= 0 {
        d.checked_add_days(Days::new(n as u64))
    } else {
        d.checked_sub_days(Days::new(n.unsigned_abs()))
    }
}

fn weekday_of(n: u32) -> Weekday {
    Weekday::try_from(n as u8).unwrap_or(Weekday::Mon)
}

fn unresolved(value: String, gran: Granularity) -> Point {
    Point { value, gran, how: Resolution::Unresolved, first: None }
}

impl State {
    /// The date counted from for `base`, with its granularity and how it was found.
    fn reference(&self, base: Base) -> Option<(NaiveDate, Granularity, Resolution)> {
        let document = self.doc.map(|d| (d, Granularity::Day, Resolution::Document));
        if base == Base::Document && self.mode == Mode::News {
            return document;
        }
        if let Some(d) = self.day {
            return Some((d, Granularity::Day, Resolution::Previous));
        }
        if let Some((y, m)) = self.month {
            return NaiveDate::from_ymd_opt(y, m, 1)
                .map(|d| (d, Granularity::Month, Resolution::Previous));
        }
        if let Some(y) = self.year {
            return NaiveDate::from_ymd_opt(y, 1, 1)
                .map(|d| (d, Granularity::Year, Resolution::Previous));
        }
        document
    }

    /// The date a day or month without a year is placed near: the article date in news (none
    /// when the article is undated: "im August" after "im April 2019" is this year's August,
    /// whatever year that is, so it stays unresolved), the date last mentioned in a history.
    fn year_reference(&self) -> Option<(NaiveDate, Granularity, Resolution)> {
        match self.mode {
            Mode::News => self.doc.map(|d| (d, Granularity::Day, Resolution::Document)),
            Mode::Narrative => self.reference(Base::Previous),
        }
    }

    /// Notes the expressions of a heading: a heading whose dates all fall in one year ("1862",
    /// "Balkanfeldzug 1941", "April 1940") opens a section of that year; other dated headings
    /// ("1940–1943") close it.
    fn heading_seen(&mut self, line: usize, p: &Point) {
        let year = p.first.map(|d| d.year());
        if self.heading != Some(line) {
            self.heading = Some(line);
            self.section_year = year;
        } else if self.section_year != year {
            self.section_year = None;
        }
    }

    fn remember(&mut self, p: &Point, heading: bool) {
        let Some(d) = p.first else { return };
        // In a section of one year, a date of another year is an aside ("die am 1. Januar
        // in Kraft treten sollte", "am 15. Juli 1863" in the section on 1862): the story goes
        // on where it was.
        if !heading && self.section_year.is_some_and(|y| y != d.year()) {
            return;
        }
        match p.gran {
            Granularity::Time | Granularity::PartOfDay | Granularity::Day => {
                self.day = Some(d);
                self.month = Some((d.year(), d.month()));
                self.year = Some(d.year());
            }
            Granularity::Month => {
                if self.month != Some((d.year(), d.month())) {
                    self.day = None;
                }
                self.month = Some((d.year(), d.month()));
                self.year = Some(d.year());
            }
            Granularity::Year | Granularity::Season => {
                // A year before the month the text has reached looks back ("seit 1941"); the
                // story goes on where it was. A heading may go back: a new section starts there.
                if !heading && self.month.is_some_and(|(y, _)| d.year() < y) {
                    return;
                }
                if self.year != Some(d.year()) {
                    self.day = None;
                    self.month = None;
                }
                self.year = Some(d.year());
            }
            _ => {}
        }
    }

    fn resolve(
        &mut self,
        hit: &Hit,
        forward: bool,
        heading: Option<usize>,
        remember: bool,
        toks: &[scan::Tok],
    ) -> Option<Timex> {
        let (kind, point) = match &hit.val {
            Val::Duration(v) => (
                TimexKind::Duration,
                Point {
                    value: v.clone(),
                    gran: Granularity::None,
                    how: Resolution::Absolute,
                    first: None,
                },
            ),
            Val::Ref(k) => (TimexKind::Reference, self.reference_point(*k)),
            Val::Clock { .. } | Val::Part { .. } => {
                (TimexKind::Time, self.time(&hit.val, forward)?)
            }
            Val::Deictic(0) if self.mode == Mode::Narrative => {
                (TimexKind::Reference, self.reference_point(RefKind::Present))
            }
            other => (TimexKind::Date, self.point(other, forward)?),
        };
        if remember {
            if let Some(line) = heading {
                self.heading_seen(line, &point);
            }
            self.remember(&point, heading.is_some());
        }
        Some(Timex {
            start: toks[hit.start].start,
            end: toks[hit.end - 1].end,
            kind,
            value: point.value,
            modifier: hit.modifier.clone(),
            granularity: point.gran,
            resolution: point.how,
        })
    }

    fn reference_point(&self, kind: RefKind) -> Point {
        Point {
            value: kind.value().to_string(),
            gran: Granularity::None,
            how: Resolution::Absolute,
            first: None,
        }
    }

    fn time(&self, val: &Val, forward: bool) -> Option<Point> {
        let (date, suffix) = match val {
            Val::Clock { date, hour, minute, second } => {
                let t = match (minute, second) {
                    (Some(m), Some(s)) => format!("T{hour:02}:{m:02}:{s:02}"),
                    (Some(m), None) => format!("T{hour:02}:{m:02}"),
                    (None, _) => format!("T{hour:02}:00"),
                };
                (date, t)
            }
            Val::Part { date, code } => (date, format!("T{code}")),
            _ => return None,
        };
        let day = match date {
            Some(d) => self.point(d, forward)?,
            None => match self.day.or(if self.mode == Mode::News { self.doc } else { None }) {
                Some(d) => Point {
                    value: day_str(d),
                    gran: Granularity::Day,
                    how: if Some(d) == self.day {
                        Resolution::Previous
                    } else {
                        Resolution::Document
                    },
                    first: Some(d),
                },
                None => unresolved("XXXX-XX-XX".into(), Granularity::Day),
            },
        };
        if day.gran != Granularity::Day {
            return Some(day);
        }
        let gran = if matches!(val, Val::Clock { .. }) {
            Granularity::Time
        } else {
            Granularity::PartOfDay
        };
        Some(Point {
            value: format!("{}{suffix}", day.value),
            gran,
            how: day.how,
            first: day.first,
        })
    }

    /// A named day: of the year written, else the occurrence nearest the reference (the first
    /// on or after it when the sentence looks ahead, the last on or before it when the sentence
    /// is told in the past); in a history whose reference is a year, that year's.
    fn holiday(&self, day: Holiday, year: Option<i32>, forward: bool) -> Option<Point> {
        let point = |d: NaiveDate, how| Point {
            value: day_str(d),
            gran: Granularity::Day,
            how,
            first: Some(d),
        };
        if let Some(y) = year {
            return Some(match day.in_year(y) {
                Some(d) => point(d, Resolution::Absolute),
                None => unresolved(day.unknown_year(), Granularity::Day),
            });
        }
        let Some((r, rgran, how)) = self.year_reference() else {
            return Some(unresolved(day.unknown_year(), Granularity::Day));
        };
        if rgran == Granularity::Year {
            return Some(match day.in_year(r.year()) {
                Some(d) => point(d, how),
                None => unresolved(day.unknown_year(), Granularity::Day),
            });
        }
        let candidates =
            (r.year() - 1..=r.year() + 1).filter_map(|y| day.in_year(y)).collect::<Vec<_>>();
        let best = if forward {
            candidates.into_iter().find(|d| *d >= r)
        } else if self.past_sentence {
            candidates.into_iter().rev().find(|d| *d <= r)
        } else {
            candidates.into_iter().min_by_key(|d| (*d - r).num_days().abs())
        };
        Some(match best {
            Some(d) => point(d, how),
            None => unresolved(day.unknown_year(), Granularity::Day),
        })
    }

    /// A weekend: that of the reference's week; "vergangenes Wochenende" the one of the week
    /// before, "kommendes" the next one not begun; without a shift the one before when the
    /// sentence is told in the past from Monday to Thursday, the next when it looks ahead from
    /// a Sunday.
    fn weekend(&self, shift: Option<lexicon::Shift>, forward: bool) -> Option<Point> {
        let base = shift.map_or(Base::Document, |s| s.base);
        let reference = match self.mode {
            Mode::News if base == Base::Document => {
                self.doc.map(|d| (d, Granularity::Day, Resolution::Document))
            }
            _ => self.reference(base),
        };
        let Some((r, Granularity::Day, how)) = reference else {
            return Some(unresolved("XXXX-WXX-WE".into(), Granularity::Week));
        };
        let weekday = r.weekday().num_days_from_monday(); // 5, 6: the weekend itself
        let weeks: i64 = match shift.map(|s| s.by) {
            Some(by) if by < 0 => by as i64,
            Some(by) if by > 0 => by as i64 - 1 + i64::from(weekday >= 5),
            Some(_) => 0,
            None if forward => i64::from(weekday == 6),
            None if self.past_sentence && weekday < 4 => -1,
            None => 0,
        };
        let day = shift_days(r, 7 * weeks)?;
        let w = day.iso_week();
        let saturday = NaiveDate::from_isoywd_opt(w.year(), w.week(), Weekday::Sat)?;
        Some(Point {
            value: format!("{}-W{:02}-WE", w.year(), w.week()),
            gran: Granularity::Week,
            how,
            first: Some(saturday),
        })
    }

    fn point(&self, val: &Val, forward: bool) -> Option<Point> {
        match val {
            Val::Weekend { shift } => self.weekend(*shift, forward),
            Val::Holiday { day, year } => self.holiday(*day, *year, forward),
            Val::Date { year, month, day, weekday, shift } => {
                self.date(*year, *month, *day, *weekday, *shift, forward)
            }
            Val::Year(y) => Some(Point {
                value: year_str(*y),
                gran: Granularity::Year,
                how: Resolution::Absolute,
                first: NaiveDate::from_ymd_opt(*y, 1, 1),
            }),
            Val::Century(c) => Some(Point {
                value: format!("{c:02}"),
                gran: Granularity::Century,
                how: Resolution::Absolute,
                first: None,
            }),
            Val::Decade(d) => Some(Point {
                value: format!("{d:03}"),
                gran: Granularity::Decade,
                how: Resolution::Absolute,
                first: None,
            }),
            Val::Season { year, code, shift } => {
                let centre = match code.as_str() {
                    "SP" => 4,
                    "SU" => 7,
                    "FA" => 10,
                    _ => 1,
                };
                let (y, how) = match (year, shift) {
                    (Some(y), _) => (*y, Resolution::Absolute),
                    (None, Some(s)) => {
                        let Some((r, _, how)) = self.reference(s.base) else {
                            return Some(unresolved(format!("XXXX-{code}"), Granularity::Season));
                        };
                        let m = r.month() as i32;
                        let y = r.year()
                            + match s.by {
                                ..=-1 => -i32::from(centre >= m),
                                0 => 0,
                                _ => i32::from(centre <= m),
                            };
                        (y, how)
                    }
                    (None, None) => match self.year_reference() {
                        Some((r, _, how)) => (r.year(), how),
                        None => {
                            return Some(unresolved(format!("XXXX-{code}"), Granularity::Season))
                        }
                    },
                };
                Some(Point {
                    value: format!("{}-{code}", year_str(y)),
                    gran: Granularity::Season,
                    how,
                    first: NaiveDate::from_ymd_opt(y, 1, 1),
                })
            }
            Val::Offset { unit, n, base } => self.offset(*unit, *n, *base, false),
            Val::Period { unit, by, base } => self.offset(*unit, *by, *base, true),
            Val::Deictic(n) => match self.reference(Base::Document) {
                Some((d, Granularity::Day, how)) => {
                    let d = shift_days(d, i64::from(*n))?;
                    Some(Point { value: day_str(d), gran: Granularity::Day, how, first: Some(d) })
                }
                _ => Some(unresolved("XXXX-XX-XX".into(), Granularity::Day)),
            },
            _ => None,
        }
    }

    /// `n` units from the reference of `base`; a `period` names the whole unit ("vergangene
    /// Woche" is a week), an offset the day ("in drei Wochen" is a day).
    fn offset(&self, unit: Unit, n: i32, base: Base, period: bool) -> Option<Point> {
        let Some((r, rgran, how)) = self.reference(base) else {
            let value = match unit {
                Unit::Year | Unit::Decade | Unit::Century => "XXXX",
                Unit::Month => "XXXX-XX",
                Unit::Week if period => "XXXX-WXX",
                _ => "XXXX-XX-XX",
            };
            return Some(unresolved(value.into(), Granularity::Day));
        };
        let day_point =
            |d: NaiveDate| Point { value: day_str(d), gran: Granularity::Day, how, first: Some(d) };
        let month_point = |(y, m): (i32, u32)| Point {
            value: format!("{}-{m:02}", year_str(y)),
            gran: Granularity::Month,
            how,
            first: NaiveDate::from_ymd_opt(y, m, 1),
        };
        let year_point = |y: i32| Point {
            value: year_str(y),
            gran: Granularity::Year,
            how,
            first: NaiveDate::from_ymd_opt(y, 1, 1),
        };
        match unit {
            Unit::Day | Unit::Hour | Unit::Minute if rgran == Granularity::Day => {
                let by = if unit == Unit::Day { i64::from(n) } else { 0 };
                Some(day_point(shift_days(r, by)?))
            }
            Unit::Week if rgran == Granularity::Day => {
                let d = shift_days(r, 7 * i64::from(n))?;
                if period {
                    let w = d.iso_week();
                    let monday = NaiveDate::from_isoywd_opt(w.year(), w.week(), Weekday::Mon);
                    Some(Point {
                        value: format!("{}-W{:02}", w.year(), w.week()),
                        gran: Granularity::Week,
                        how,
                        first: monday,
                    })
                } else {
                    Some(day_point(d))
                }
            }
            // "drei Monate später" after a day is a day.
            Unit::Month if rgran == Granularity::Day && !period => {
                let d = if n >= 0 {
                    r.checked_add_months(Months::new(n as u32))
                } else {
                    r.checked_sub_months(Months::new(n.unsigned_abs()))
                };
                Some(day_point(d?))
            }
            Unit::Month if rgran <= Granularity::Month => {
                Some(month_point(add_months(r.year(), r.month(), n)))
            }
            Unit::Year => Some(year_point(r.year() + n)),
            Unit::Decade => Some(year_point(r.year() + 10 * n)),
            Unit::Century => Some(year_point(r.year() + 100 * n)),
            // The reference is too coarse for the unit: say what it does give.
            _ if rgran == Granularity::Month => Some(month_point((r.year(), r.month()))),
            _ => Some(year_point(r.year())),
        }
    }

    fn date(
        &self,
        year: Option<i32>,
        month: Option<u32>,
        day: Option<u32>,
        weekday: Option<u32>,
        shift: Option<lexicon::Shift>,
        forward: bool,
    ) -> Option<Point> {
        let day_point = |d: NaiveDate, how| Point {
            value: day_str(d),
            gran: Granularity::Day,
            how,
            first: Some(d),
        };
        let month_point = |y: i32, m: u32, how| Point {
            value: format!("{}-{m:02}", year_str(y)),
            gran: Granularity::Month,
            how,
            first: NaiveDate::from_ymd_opt(y, m, 1),
        };
        if let Some(mut y) = year {
            if (0..100).contains(&y) && month.is_some() && day.is_some() {
                // A two-digit year: the century that puts it nearest the reference.
                let r = self.year_reference().map_or(1950, |(d, ..)| d.year());
                let base = r - r.rem_euclid(100);
                y = [base - 100 + y, base + y, base + 100 + y]
                    .into_iter()
                    .min_by_key(|c| (c - r).abs())?;
            }
            return match (month, day) {
                (Some(m), Some(d)) => {
                    Some(day_point(NaiveDate::from_ymd_opt(y, m, d)?, Resolution::Absolute))
                }
                (Some(m), None) => Some(month_point(y, m, Resolution::Absolute)),
                _ => None,
            };
        }
        if let Some(s) = shift {
            let Some((r, rgran, how)) = self.reference(s.base) else {
                return Some(match (month, weekday) {
                    (Some(m), _) => unresolved(format!("XXXX-{m:02}"), Granularity::Month),
                    (None, Some(w)) => unresolved(format!("XXXX-WXX-{}", w + 1), Granularity::Day),
                    _ => return None,
                });
            };
            if let Some(m) = month {
                let rm = r.month();
                let y = r.year()
                    + match s.by {
                        ..=-1 => -i32::from(m >= rm),
                        0 => 0,
                        _ => i32::from(m <= rm),
                    };
                return Some(month_point(y, m, how));
            }
            let w = weekday_of(weekday?);
            if rgran != Granularity::Day {
                return Some(unresolved(
                    format!("XXXX-WXX-{}", w.num_days_from_monday() + 1),
                    Granularity::Day,
                ));
            }
            let delta = w.num_days_from_monday() as i64 - r.weekday().num_days_from_monday() as i64;
            let d = match s.by {
                ..=-1 => shift_days(r, if delta < 0 { delta } else { delta - 7 })?,
                0 => shift_days(r, delta)?,
                _ => shift_days(r, if delta > 0 { delta } else { delta + 7 })?,
            };
            return Some(day_point(d, how));
        }
        let mut reference = self.year_reference();
        // In a section of one year that the story is still in, a day or month without a year
        // is of that year ("Im Januar" opening the next theatre of war in the section on
        // 1862), or of the next when the sentence looks ahead from a later month ("die am
        // 1. Januar in Kraft treten sollte", told in September).
        let section = self
            .section_year
            .filter(|y| self.mode == Mode::Narrative && self.year == Some(*y))
            .zip(reference.map(|(r, ..)| r));
        if let Some((y, r)) = section {
            let ahead = forward && month.is_some_and(|m| (y, m) < (r.year(), r.month()));
            reference = NaiveDate::from_ymd_opt(y + i32::from(ahead), 1, 1)
                .map(|d| (d, Granularity::Year, Resolution::Previous));
        }
        match (month, day, weekday) {
            (Some(m), Some(d), _) => {
                let Some((r, rgran, how)) = reference else {
                    return Some(unresolved(format!("XXXX-{m:02}-{d:02}"), Granularity::Day));
                };
                let candidates = if rgran == Granularity::Year {
                    vec![r.year()]
                } else {
                    vec![r.year() - 1, r.year(), r.year() + 1]
                };
                let best = candidates
                    .into_iter()
                    .filter_map(|y| NaiveDate::from_ymd_opt(y, m, d))
                    .min_by_key(|c| (*c - r).num_days().abs())?;
                Some(day_point(best, how))
            }
            (Some(m), None, _) => {
                let Some((r, rgran, how)) = reference else {
                    return Some(unresolved(format!("XXXX-{m:02}"), Granularity::Month));
                };
                let y = if rgran == Granularity::Year {
                    r.year()
                } else {
                    let here = r.year() * 12 + r.month() as i32;
                    [r.year() - 1, r.year(), r.year() + 1]
                        .into_iter()
                        .min_by_key(|y| (y * 12 + m as i32 - here).abs())?
                };
                Some(month_point(y, m, how))
            }
            (None, Some(d), _) => {
                // "27." before a range's end, or "Nacht vom 27.": the month last mentioned.
                let (y, m) = self.month?;
                Some(day_point(NaiveDate::from_ymd_opt(y, m, d)?, Resolution::Previous))
            }
            (None, None, Some(w)) => {
                let w = weekday_of(w);
                let r = match self.mode {
                    Mode::News => self.doc.map(|d| (d, Resolution::Document)),
                    Mode::Narrative => self.day.map(|d| (d, Resolution::Previous)),
                };
                let Some((r, how)) = r else {
                    return Some(unresolved(
                        format!("XXXX-WXX-{}", w.num_days_from_monday() + 1),
                        Granularity::Day,
                    ));
                };
                let delta =
                    w.num_days_from_monday() as i64 - r.weekday().num_days_from_monday() as i64;
                let back = if delta <= 0 { delta } else { delta - 7 };
                let ahead = if delta >= 0 { delta } else { delta + 7 };
                Some(day_point(shift_days(r, if forward { ahead } else { back })?, how))
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests;

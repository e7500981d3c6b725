//! Finding time expressions: a tokenizer and the patterns, which turn runs of tokens into
//! [`Val`]s still to be resolved against the article date and the dates mentioned before.

use super::lexicon::{Base, Holiday, Lexicon, RefKind, Shift, Unit};

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Word,
    Num,
    Punct,
}

/// A run of letters, a run of digits, or one other character, with its byte offsets.
#[derive(Debug, Clone)]
pub(crate) struct Tok {
    pub start: usize,
    pub end: usize,
    pub kind: Kind,
    pub lower: String,
    /// Starts with an uppercase letter.
    pub cap: bool,
    /// White space stands before it.
    pub gap: bool,
    /// A line break stands before it.
    pub newline: bool,
}

/// Splits `text` into [`Tok`]s. Letters and digits of one word are split ("16T17" is three).
pub(crate) fn tokenize(text: &str) -> Vec<Tok> {
    let mut out: Vec<Tok> = Vec::new();
    let mut gap = true;
    let mut newline = false;
    let mut cur: Option<(usize, Kind)> = None;
    let close = |out: &mut Vec<Tok>,
                 cur: &mut Option<(usize, Kind)>,
                 end: usize,
                 gap: &mut bool,
                 newline: &mut bool| {
        if let Some((start, kind)) = cur.take() {
            let s = &text[start..end];
            out.push(Tok {
                start,
                end,
                kind,
                lower: s.to_lowercase(),
                cap: s.starts_with(char::is_uppercase),
                gap: *gap,
                newline: *newline,
            });
            *gap = false;
            *newline = false;
        }
    };
    for (i, c) in text.char_indices() {
        let kind = if c.is_alphabetic() {
            Some(Kind::Word)
        } else if c.is_ascii_digit() {
            Some(Kind::Num)
        } else {
            None
        };
        match kind {
            Some(k) => {
                if let Some((_, ck)) = cur {
                    if ck != k {
                        close(&mut out, &mut cur, i, &mut gap, &mut newline);
                    }
                }
                if cur.is_none() {
                    cur = Some((i, k));
                }
            }
            None => {
                close(&mut out, &mut cur, i, &mut gap, &mut newline);
                if c.is_whitespace() {
                    gap = true;
                    newline |= c == '\n';
                } else {
                    cur = Some((i, Kind::Punct));
                    close(&mut out, &mut cur, i + c.len_utf8(), &mut gap, &mut newline);
                }
            }
        }
    }
    close(&mut out, &mut cur, text.len(), &mut gap, &mut newline);
    out
}

/// A time expression before resolution, as far as its words say.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Val {
    /// A calendar date as written: any part may be missing; `shift` for "im vergangenen Juli".
    Date {
        year: Option<i32>,
        month: Option<u32>,
        day: Option<u32>,
        weekday: Option<u32>,
        shift: Option<Shift>,
    },
    /// A year; negative before Christ.
    Year(i32),
    /// A season of a year.
    Season { year: Option<i32>, code: String, shift: Option<Shift> },
    /// The 20th century is `Century(19)`.
    Century(i32),
    /// The 1920s are `Decade(192)`.
    Decade(i32),
    /// `n` units from a base, as a date ("vor drei Jahren", "zwei Tage später").
    Offset { unit: Unit, n: i32, base: Base },
    /// The unit `by` units from a base, as a period ("vergangene Woche", "im selben Monat").
    Period { unit: Unit, by: i32, base: Base },
    /// Days from the article date ("gestern").
    Deictic(i32),
    /// A clock time on a date (or on the day last mentioned).
    Clock { date: Option<Box<Val>>, hour: u32, minute: Option<u32>, second: Option<u32> },
    /// A part of a day ("Morgen des 12. Mai").
    Part { date: Option<Box<Val>>, code: String },
    /// A duration value such as `P3D` or `PXW`.
    Duration(String),
    /// A vague reference to the past, present or future.
    Ref(RefKind),
    /// A weekend: of the week of the reference, or `shift` weekends from it.
    Weekend { shift: Option<Shift> },
    /// A named day ("Ostern", "Tag der Deutschen Einheit"), of a year if one is written.
    Holiday { day: Holiday, year: Option<i32> },
}

/// A match: tokens `start..end`, what they say, and a START/MID/END modifier.
#[derive(Debug, Clone)]
pub(crate) struct Hit {
    pub start: usize,
    pub end: usize,
    pub val: Val,
    pub modifier: Option<String>,
}

fn hit(start: usize, end: usize, val: Val) -> Option<Hit> {
    Some(Hit { start, end, val, modifier: None })
}

/// A clock time as read: hour, minute, second, and the token after it.
type ClockParts = (u32, Option<u32>, Option<u32>, usize);

/// The patterns over one text's tokens.
pub(crate) struct Scanner<'a> {
    pub toks: &'a [Tok],
    pub lex: &'a Lexicon,
}

impl Scanner<'_> {
    fn word(&self, i: usize) -> Option<&str> {
        self.toks.get(i).filter(|t| t.kind == Kind::Word).map(|t| t.lower.as_str())
    }

    fn lower(&self, i: usize) -> Option<&str> {
        self.toks.get(i).map(|t| t.lower.as_str())
    }

    fn num(&self, i: usize) -> Option<(u32, usize)> {
        let t = self.toks.get(i).filter(|t| t.kind == Kind::Num)?;
        Some((t.lower.parse().ok()?, t.lower.len()))
    }

    fn punct(&self, i: usize, c: &str) -> bool {
        self.toks.get(i).is_some_and(|t| t.kind == Kind::Punct && t.lower == c)
    }

    fn tight(&self, i: usize) -> bool {
        self.toks.get(i).is_some_and(|t| !t.gap)
    }

    fn is_in(&self, i: usize, list: &[String]) -> bool {
        self.lower(i).is_some_and(|w| list.iter().any(|x| x == w))
    }

    /// Length in tokens of `phrase` at `i`, if it is there.
    fn phrase_at(&self, i: usize, phrase: &[String]) -> Option<usize> {
        (!phrase.is_empty()
            && phrase.iter().enumerate().all(|(k, w)| self.lower(i + k) == Some(w.as_str())))
        .then_some(phrase.len())
    }

    /// A number written as digits (up to four) or as a word: value and tokens used.
    fn count(&self, i: usize) -> Option<(i32, usize)> {
        if let Some((n, len)) = self.num(i) {
            // "1,5 Jahre", "10.000": not counts of units.
            if len <= 4 && !(self.punct(i + 1, ",") || self.punct(i + 1, ".")) || !self.tight(i + 1)
            {
                return Some((n as i32, 1));
            }
            return None;
        }
        let w = self.word(i)?;
        self.lex.numbers.get(w).map(|n| (*n as i32, 1))
    }

    fn vague(&self, i: usize) -> bool {
        self.is_in(i, &self.lex.vague_numbers)
    }

    fn unit(&self, i: usize) -> Option<Unit> {
        self.word(i).and_then(|w| self.lex.units.get(w).copied())
    }

    /// A day written as an ordinal: "12." Returns the day.
    fn ordinal(&self, i: usize) -> Option<u32> {
        let (d, len) = self.num(i)?;
        (len <= 2 && (1..=31).contains(&d) && self.punct(i + 1, ".") && self.tight(i + 1))
            .then_some(d)
    }

    /// A month name at `i` (with the full stop of an abbreviation): month and tokens used.
    fn month(&self, i: usize) -> Option<(u32, usize)> {
        let w = self.word(i)?;
        let (m, abbreviation) = *self.lex.months.get(w)?;
        let abbreviated = abbreviation && self.punct(i + 1, ".") && self.tight(i + 1);
        // "Mai" and "März" are whole words; a three-letter abbreviation needs its full stop or a
        // capital letter ("Sep 2023").
        if w.chars().count() <= 4 && !abbreviated && !self.toks[i].cap {
            return None;
        }
        Some((m, if abbreviated { 2 } else { 1 }))
    }

    /// A year of four digits (or of one to four digits before an era marker), tokens used.
    fn year(&self, i: usize) -> Option<(i32, usize)> {
        let (y, len) = self.num(i)?;
        if self.tight(i + 1)
            && self.tight(i + 2)
            && (self.punct(i + 1, ".") || self.punct(i + 1, ","))
            && self.num(i + 2).is_some()
        {
            return None; // "10.000", "1,5"
        }
        if i > 0
            && self.tight(i)
            && (self.punct(i - 1, ".") || self.punct(i - 1, ",") || self.punct(i - 1, ":"))
        {
            return None;
        }
        for era in &self.lex.before_christ {
            if let Some(n) = self.phrase_at(i + 1, era) {
                return (len <= 4 && y > 0).then_some((-(y as i32), 1 + n));
            }
        }
        for era in &self.lex.after_christ {
            if let Some(n) = self.phrase_at(i + 1, era) {
                return (len <= 4 && y > 0).then_some((y as i32, 1 + n));
            }
        }
        (len == 4 && (1000..=2100).contains(&y)).then_some((y as i32, 1))
    }

    /// Tries every pattern at token `i` and keeps the longest match.
    pub(crate) fn at(&self, i: usize) -> Option<Hit> {
        let t = &self.toks[i];
        if t.kind == Kind::Punct
            || (t.kind == Kind::Word
                && !self.lex.triggers.contains(&t.lower)
                && !self.lex.weekday_list.iter().any(|(n, _)| t.lower.starts_with(n.as_str())))
        {
            return None;
        }
        for p in &self.lex.extent_prefixes {
            if let Some(n) = self.phrase_at(i, p) {
                if let Some(h) = self.at_core(i + n).filter(|h| h.start == i + n) {
                    return Some(Hit { start: i, ..h });
                }
            }
        }
        self.at_core(i)
    }

    fn at_core(&self, i: usize) -> Option<Hit> {
        let candidates = [
            self.reference(i),
            self.relative(i),
            self.modified(i),
            self.counted(i),
            self.part_of_day(i),
            self.clock(i),
            self.date(i),
            self.season(i),
            self.deictic(i),
            self.span_start(i, false),
            self.holiday(i),
        ];
        candidates
            .into_iter()
            .flatten()
            .max_by_key(|h| (h.end - h.start, std::cmp::Reverse(h.start)))
    }

    /// A named day, with the year after it if there is one: "Ostern 2020", "Vatertag im Jahr
    /// 2019", "2. Advent".
    fn holiday(&self, i: usize) -> Option<Hit> {
        let (day, n) =
            self.lex.holidays.iter().find_map(|(p, day)| Some((*day, self.phrase_at(i, p)?)))?;
        let j = i + n;
        if let Some((y, len)) = self.year(j) {
            return hit(i, j + len, Val::Holiday { day, year: Some(y) });
        }
        // "im Jahr 2019"
        if self.is_in(j, &self.lex.year_cues) && self.unit(j + 1) == Some(Unit::Year) {
            if let Some((y, len)) = self.year(j + 2) {
                return hit(i, j + 2 + len, Val::Holiday { day, year: Some(y) });
            }
        }
        hit(i, j, Val::Holiday { day, year: None })
    }

    /// "bald", "kurz zuvor", "in den kommenden Tagen".
    fn reference(&self, i: usize) -> Option<Hit> {
        self.lex.refs.iter().find_map(|(p, kind)| {
            let n = self.phrase_at(i, p)?;
            // "nun" and "jetzt" only as words, not inside a name.
            hit(i, i + n, Val::Ref(*kind))
        })
    }

    /// A shift word at `i`: the shift and its length in tokens.
    fn shift(&self, i: usize) -> Option<(Shift, usize)> {
        self.lex
            .shifts
            .iter()
            .filter_map(|(p, s)| Some((*s, self.phrase_at(i, p)?)))
            .max_by_key(|(_, n)| *n)
    }

    /// "im vergangenen Jahr", "am selben Tag", "dieses Jahres", "im vergangenen Juli",
    /// "am kommenden Montag", "im Vorjahr".
    fn relative(&self, i: usize) -> Option<Hit> {
        let mut j = i;
        if self.is_in(j, &self.lex.relative_preps) {
            j += 1;
            if self.is_in(j, &self.lex.date_fillers) && self.word(j).is_some() {
                j += 1;
            }
        }
        if let Some((unit, shift)) = self.word(j).and_then(|w| self.lex.relative_words.get(w)) {
            return hit(j, j + 1, Val::Period { unit: *unit, by: shift.by, base: shift.base });
        }
        // "am Wochenende": the preposition is part of the extent only without a shift.
        if self.is_in(j, &self.lex.weekend) {
            return hit(j, j + 1, Val::Weekend { shift: None });
        }
        let (shift, n) = self.shift(j)?;
        if self.is_in(j + n, &self.lex.weekend) {
            return hit(j, j + n + 1, Val::Weekend { shift: Some(shift) });
        }
        // The preposition belongs to the extent only with "selben": "am selben Tag", but
        // "im nächsten Jahr" is "nächsten Jahr".
        let i = if shift.base == Base::Previous && shift.by == 0 { i } else { j };
        let k = j + n;
        if let Some(unit) = self.unit(k) {
            if matches!(unit, Unit::Hour | Unit::Minute) {
                return None;
            }
            if self.is_in(k, &self.lex.plural_units) {
                // "in den letzten Jahren": a stretch of time, no one year.
                let kind = match shift.by {
                    ..=-1 => RefKind::Past,
                    0 => RefKind::Present,
                    _ => RefKind::Future,
                };
                return hit(i, k + 1, Val::Ref(kind));
            }
            return hit(i, k + 1, Val::Period { unit, by: shift.by, base: shift.base });
        }
        if let Some((month, len)) = self.month(k) {
            let year = self.year(k + len).map(|(y, _)| y);
            let end = k + len + usize::from(year.is_some());
            let shift = if year.is_some() { None } else { Some(shift) };
            return hit(
                i,
                end,
                Val::Date { year, month: Some(month), day: None, weekday: None, shift },
            );
        }
        if let Some(wd) = self.word(k).and_then(|w| self.lex.weekdays.get(w)) {
            let val = Val::Date {
                year: None,
                month: None,
                day: None,
                weekday: Some(*wd),
                shift: Some(shift),
            };
            return hit(i, k + 1, val);
        }
        if let Some(code) = self.word(k).and_then(|w| self.lex.seasons.get(w)) {
            return hit(
                i,
                k + 1,
                Val::Season { year: None, code: code.clone(), shift: Some(shift) },
            );
        }
        None
    }

    /// "Anfang Mai", "Ende 1941", "Ende des Jahres 1939", "Mitte Oktober", "Jahresende".
    fn modified(&self, i: usize) -> Option<Hit> {
        if let Some(code) = self.word(i).and_then(|w| self.lex.year_modifiers.get(w)) {
            let (val, end) = match self.year(i + 1) {
                Some((y, n)) => (Val::Year(y), i + 1 + n),
                None => (Val::Period { unit: Unit::Year, by: 0, base: Base::Previous }, i + 1),
            };
            return Some(Hit { start: i, end, val, modifier: Some(code.clone()) });
        }
        let (code, n) =
            self.lex.modifiers.iter().find_map(|(p, code)| Some((code, self.phrase_at(i, p)?)))?;
        let mut j = i + n;
        if self.is_in(j, &self.lex.date_fillers) && self.word(j).is_some() {
            j += 1;
        }
        let inner = if self.unit(j) == Some(Unit::Year) {
            match self.year(j + 1) {
                Some((y, n)) => Hit { start: j, end: j + 1 + n, val: Val::Year(y), modifier: None },
                None => Hit {
                    start: j,
                    end: j + 1,
                    val: Val::Period { unit: Unit::Year, by: 0, base: Base::Previous },
                    modifier: None,
                },
            }
        } else {
            let month_alone = self.month(j).map(|(m, len)| Hit {
                start: j,
                end: j + len,
                val: Val::Date {
                    year: None,
                    month: Some(m),
                    day: None,
                    weekday: None,
                    shift: None,
                },
                modifier: None,
            });
            [self.relative(j), self.date(j), self.season(j), month_alone]
                .into_iter()
                .flatten()
                .filter(|h| h.start == j)
                .max_by_key(|h| h.end)?
        };
        Some(Hit { start: i, end: inner.end, val: inner.val, modifier: Some(code.clone()) })
    }

    /// Counts of units: "zwei Tage später", "vor drei Jahren", "in drei Wochen",
    /// "nach zwei Tagen", "three years ago", and durations "15 Tage", "mehrere Tage", "wochenlang".
    fn counted(&self, i: usize) -> Option<Hit> {
        if let Some(unit) = self.word(i).and_then(|w| self.lex.vague_durations.get(w)) {
            return hit(i, i + 1, Val::Duration(unit.duration("X")));
        }
        let prefix = if self.is_in(i, &self.lex.ago_before) {
            Some((Base::Document, -1))
        } else if self.is_in(i, &self.lex.in_before) {
            Some((Base::Document, 1))
        } else if self.is_in(i, &self.lex.after_before) {
            Some((Base::Previous, 1))
        } else {
            None
        };
        let c = i + usize::from(prefix.is_some());
        // "anderthalb Jahre": a count and a half.
        let half = self.word(c).and_then(|w| self.lex.halves.get(w)).map(|n| (*n as i32, 1));
        let (n, used) = match half.or_else(|| self.count(c)) {
            Some(c) => (Some(c.0), c.1),
            None if self.vague(c) => (None, 1),
            None => return None,
        };
        let unit = self.unit(c + used)?;
        let end = c + used + 1;
        // As a shift, the half is counted in the next smaller unit where it is whole (18
        // months, 17 days for two and a half weeks) and left out where it is not.
        let (shift_unit, shift_n) = match (half, unit, n) {
            (Some(_), Unit::Year, Some(n)) => (Unit::Month, Some(12 * n + 6)),
            (Some(_), Unit::Week, Some(n)) => (Unit::Day, Some(7 * n + 3)),
            (Some(_), Unit::Hour, Some(n)) => (Unit::Minute, Some(60 * n + 30)),
            _ => (unit, n),
        };
        let offset = |base: Base, sign: i32, end: usize| -> Option<Hit> {
            match shift_n {
                Some(n) => hit(i, end, Val::Offset { unit: shift_unit, n: sign * n, base }),
                // "wenige Tage später" points forwards; "nach mehreren Tagen" and "wenige Monate
                // zuvor" measure a stretch.
                None if base == Base::Previous && (sign < 0 || prefix.is_some()) => {
                    hit(i, end, Val::Duration(unit.duration("X")))
                }
                None => {
                    hit(i, end, Val::Ref(if sign < 0 { RefKind::Past } else { RefKind::Future }))
                }
            }
        };
        if let Some((base, sign)) = prefix {
            // "in zwei Tagen" only with a number: "in den Tagen" is no date.
            return offset(base, sign, end);
        }
        if self.is_in(end, &self.lex.later) {
            return offset(Base::Previous, 1, end + 1);
        }
        if self.is_in(end, &self.lex.earlier) {
            return offset(Base::Previous, -1, end + 1);
        }
        if self.is_in(end, &self.lex.ago_after) {
            return offset(Base::Document, -1, end + 1);
        }
        // As a duration, a decimal fraction: `P1.5Y`, `PT2.5H`.
        let count = match (n, half) {
            (Some(n), Some(_)) => format!("{n}.5"),
            (Some(n), None) => n.to_string(),
            (None, _) => "X".to_string(),
        };
        hit(i, end, Val::Duration(unit.duration(&count)))
    }

    /// "Morgen des 12. Mai 1940", "Nacht vom 27.", "Mittwochmorgen", "Dienstag Abend".
    fn part_of_day(&self, i: usize) -> Option<Hit> {
        let w = self.word(i)?;
        // A weekday with a part written together: "Mittwochmorgen".
        for (name, wd) in &self.lex.weekday_list {
            if let Some(rest) = w.strip_prefix(name.as_str()) {
                if let Some(code) = self.lex.day_parts.get(rest) {
                    let date = Val::Date {
                        year: None,
                        month: None,
                        day: None,
                        weekday: Some(*wd),
                        shift: None,
                    };
                    return hit(
                        i,
                        i + 1,
                        Val::Part { date: Some(Box::new(date)), code: code.clone() },
                    );
                }
            }
        }
        if let Some(wd) = self.lex.weekdays.get(w) {
            if let Some(code) = self.word(i + 1).and_then(|p| self.lex.day_parts.get(p)) {
                let date = Val::Date {
                    year: None,
                    month: None,
                    day: None,
                    weekday: Some(*wd),
                    shift: None,
                };
                return hit(i, i + 2, Val::Part { date: Some(Box::new(date)), code: code.clone() });
            }
        }
        let code = self.lex.day_parts.get(w)?;
        // Only a capitalised noun ("Morgen"), never the adverb "morgen".
        if !self.toks[i].cap || !self.is_in(i + 1, &self.lex.part_links) {
            return None;
        }
        let j = i + 2;
        // "Morgen des 12. Mai", "Nacht vom 16. zum 17. April" (the month of the night's end),
        // "Nacht vom 27." (the month last mentioned).
        let date = match self.date(j).filter(|h| h.start == j) {
            Some(h) => h,
            None => match self.span_start(j, false).or_else(|| self.span_start(j, true)) {
                Some(h) => h,
                None => {
                    let d = self.ordinal(j)?;
                    let val = Val::Date {
                        year: None,
                        month: None,
                        day: Some(d),
                        weekday: None,
                        shift: None,
                    };
                    Hit { start: j, end: j + 2, val, modifier: None }
                }
            },
        };
        hit(i, date.end, Val::Part { date: Some(Box::new(date.val)), code: code.clone() })
    }

    /// An hour written as digits (up to 24) or, with `word`, as a number word (up to 12).
    fn hour(&self, i: usize, word: bool) -> Option<u32> {
        if let Some((h, len)) = self.num(i) {
            return (len <= 2 && h <= 24).then_some(h);
        }
        let w = self.word(i).filter(|_| word)?;
        self.lex.numbers.get(w).copied().filter(|h| (1..=12).contains(h))
    }

    /// "4:45 Uhr", "4 Uhr 45", "16 Uhr", "7.43 Uhr", "19:56:30", "acht Uhr vierzig", "8 Uhr
    /// abends", "halb acht", "viertel nach 7", "zehn Minuten vor acht", "nachts um 3 Uhr".
    fn clock(&self, i: usize) -> Option<Hit> {
        // A part of the day before: "nachts um 3 Uhr", "abends gegen 8 Uhr".
        if let Some(code) = self.day_part_word(i) {
            let j = i + 1;
            if !self.is_in(j, &self.lex.clock_preps) {
                return None;
            }
            let inner = self.clock_core(j + 1)?;
            let Val::Clock { hour, minute, second, .. } = inner.val else { return None };
            let hour = afternoon(hour, code);
            return hit(i, inner.end, Val::Clock { date: None, hour, minute, second });
        }
        self.clock_core(i)
    }

    /// A part of the day at `i` that is not also a day ("morgen" is tomorrow): its code.
    fn day_part_word(&self, i: usize) -> Option<&str> {
        let w = self.word(i)?;
        if self.lex.deictic_days.contains_key(w) {
            return None;
        }
        self.lex.day_parts.get(w).map(String::as_str)
    }

    fn clock_core(&self, i: usize) -> Option<Hit> {
        let (h, minute, second, j) =
            if let Some(t) = self.clock_around(i) { t } else { self.clock_digits(i)? };
        // "1:21:40" without "Uhr" and with one digit for the hours is a time taken (a race, a
        // place in a video), not a time of day ("19:56:30").
        if let (Some(m), Some(sec)) = (minute, second) {
            if h < 10
                && self.num(i).is_some_and(|(_, l)| l == 1)
                && !self.is_in(j - 1, &self.lex.clock_words)
            {
                return hit(i, j, Val::Duration(format!("PT{h}H{m}M{sec}S")));
            }
        }
        // A part of the day after: "8 Uhr abends", "halb acht Vormittags".
        if let Some(code) = self.day_part_word(j) {
            // Not the noun of what follows: "um 8 Uhr Morgen des 12." is no clock time.
            if !self.is_in(j + 1, &self.lex.part_links) {
                let hour = afternoon(h, code);
                return hit(i, j + 1, Val::Clock { date: None, hour, minute, second });
            }
        }
        hit(i, j, Val::Clock { date: None, hour: h, minute, second })
    }

    /// A clock time by its hour and a fraction or a count of minutes around it: hour, minute,
    /// second and the token after.
    fn clock_around(&self, i: usize) -> Option<ClockParts> {
        let (add, j) = if let Some((n, len)) =
            self.lex.clock_fractions.iter().find_map(|(p, m)| Some((*m, self.phrase_at(i, p)?)))
        {
            (n, i + len)
        } else {
            // "zehn Minuten nach acht"
            let (n, _) = self.count(i)?;
            if self.unit(i + 1) != Some(Unit::Minute) || !(1..60).contains(&n) {
                return None;
            }
            if self.is_in(i + 2, &self.lex.clock_past) {
                (n, i + 3)
            } else if self.is_in(i + 2, &self.lex.clock_to) {
                (-n, i + 3)
            } else {
                return None;
            }
        };
        let hour = self.hour(j, true)?;
        let mut end = j + 1;
        if self.is_in(end, &self.lex.clock_words) {
            end += 1;
        }
        let (hour, minute) =
            if add >= 0 { (hour, add as u32) } else { ((hour + 23) % 24, (60 + add) as u32) };
        Some((hour, Some(minute), None, end))
    }

    /// Digits and a clock word, or digits with a colon: hour, minute, second and the token
    /// after.
    fn clock_digits(&self, i: usize) -> Option<ClockParts> {
        let h = self.hour(i, self.is_in(i + 1, &self.lex.clock_words))?;
        let colon = (self.punct(i + 1, ":") || self.punct(i + 1, "."))
            && self.tight(i + 1)
            && self.tight(i + 2)
            && self.num(i).is_some();
        let (minute, mut second, j) = if colon {
            let (m, ml) = self.num(i + 2)?;
            if ml != 2 || m > 59 {
                return None;
            }
            // "19:56:30"
            match self.num(i + 4).filter(|(s, l)| {
                self.punct(i + 3, ":")
                    && self.tight(i + 3)
                    && self.tight(i + 4)
                    && *l == 2
                    && *s <= 59
            }) {
                Some((sec, _)) => (Some(m), Some(sec), i + 5),
                None => (Some(m), None, i + 3),
            }
        } else {
            (None, None, i + 1)
        };
        if !self.is_in(j, &self.lex.clock_words) {
            // "14:55" without "Uhr" is a clock time too when written with a colon.
            return (minute.is_some() && self.punct(i + 1, ":")).then_some((h, minute, second, j));
        }
        let mut end = j + 1;
        let mut minute = minute;
        if minute.is_none() {
            // "4 Uhr 45", "acht Uhr vierzig"
            if let Some((m, 2)) = self.num(end).filter(|(m, _)| *m <= 59) {
                minute = Some(m);
                end += 1;
            } else if let Some(m) = self.word(end).and_then(|w| self.lex.numbers.get(w)) {
                if (1..=59).contains(m) && self.unit(end + 1).is_none() {
                    minute = Some(*m);
                    end += 1;
                }
            }
        }
        second = second.filter(|_| minute.is_some());
        Some((h, minute, second, end))
    }

    /// Calendar dates: numeric forms, weekday and day and month names, month and year, years,
    /// centuries and decades.
    fn date(&self, i: usize) -> Option<Hit> {
        let candidates = [self.numeric(i), self.named(i), self.year_only(i), self.century(i)];
        candidates.into_iter().flatten().max_by_key(|h| h.end)
    }

    /// "12.09.2023", "1.9.39", "15.1.", "2023-09-12", "2011-02-16T17:00:00", "21/04/2016".
    fn numeric(&self, i: usize) -> Option<Hit> {
        let (a, al) = self.num(i)?;
        if i > 0 && self.tight(i) && matches!(self.lower(i - 1), Some("." | "/" | "-" | ",")) {
            return None;
        }
        let sep = self.lower(i + 1)?;
        if !matches!(sep, "." | "-" | "/") || !self.tight(i + 1) || !self.tight(i + 2) {
            return None;
        }
        let (b, bl) = self.num(i + 2)?;
        if sep == "-" {
            // ISO: yyyy-mm[-dd][Thh:mm[:ss]]
            if al != 4 || bl != 2 || !(1..=12).contains(&b) {
                return None;
            }
            let year = Some(a as i32);
            if self.punct(i + 3, "-") && self.tight(i + 3) && self.tight(i + 4) {
                let (d, dl) = self.num(i + 4)?;
                if dl != 2 || !(1..=31).contains(&d) {
                    return None;
                }
                let date =
                    Val::Date { year, month: Some(b), day: Some(d), weekday: None, shift: None };
                if self.lower(i + 5) == Some("t") && self.tight(i + 5) {
                    if let Some((h, 2)) = self.num(i + 6) {
                        if self.punct(i + 7, ":") {
                            if let Some((m, 2)) = self.num(i + 8) {
                                let mut end = i + 9;
                                if self.punct(end, ":")
                                    && self.num(end + 1).is_some_and(|(_, l)| l == 2)
                                {
                                    end += 2;
                                }
                                let val = Val::Clock {
                                    date: Some(Box::new(date)),
                                    hour: h,
                                    minute: Some(m),
                                    second: None,
                                };
                                return hit(i, end, val);
                            }
                        }
                    }
                }
                return hit(i, i + 5, date);
            }
            return hit(
                i,
                i + 3,
                Val::Date { year, month: Some(b), day: None, weekday: None, shift: None },
            );
        }
        // d.m.[yy]yy, d.m., d/m/yyyy
        if al > 2 || bl > 2 || !(1..=31).contains(&a) || !(1..=12).contains(&b) {
            return None;
        }
        let day = Some(a);
        let month = Some(b);
        if self.lower(i + 3) == Some(sep) && self.tight(i + 3) {
            if let Some((y, yl)) = self.num(i + 4).filter(|_| self.tight(i + 4)) {
                let year = match yl {
                    4 => y as i32,
                    // Two digits: the century is decided on resolution.
                    2 => y as i32,
                    _ => return None,
                };
                if self.tight(i + 5)
                    && matches!(self.lower(i + 5), Some("." | ","))
                    && self.num(i + 6).is_some()
                {
                    return None;
                }
                return hit(
                    i,
                    i + 5,
                    Val::Date { year: Some(year), month, day, weekday: None, shift: None },
                );
            }
            if sep == "." {
                // "15.1." with its closing full stop
                return hit(
                    i,
                    i + 4,
                    Val::Date { year: None, month, day, weekday: None, shift: None },
                );
            }
        }
        None
    }

    /// "12. September 2023", "Dienstag, den 12. September", "September 12, 2023",
    /// "September 2023", "im September", "Mai/Juni 1940", "am Mittwoch".
    fn named(&self, i: usize) -> Option<Hit> {
        // A weekday, perhaps with the date that follows it.
        if let Some(wd) = self.word(i).and_then(|w| self.lex.weekdays.get(w)).copied() {
            let mut j = i + 1;
            while self.is_in(j, &self.lex.date_fillers) && j < i + 3 {
                j += 1;
            }
            if let Some(h) = self.day_month(j).or_else(|| self.numeric(j)) {
                let close = usize::from(
                    self.toks.get(i + 1).is_some_and(|t| t.lower == "(") && self.punct(h.end, ")"),
                );
                if let Val::Date { year, month, day, .. } = h.val {
                    let val = Val::Date { year, month, day, weekday: Some(wd), shift: None };
                    return hit(i, h.end + close, val);
                }
            }
            return hit(
                i,
                i + 1,
                Val::Date { year: None, month: None, day: None, weekday: Some(wd), shift: None },
            );
        }
        if let Some(h) = self.day_month(i) {
            return Some(h);
        }
        let (month, len) = self.month(i)?;
        let j = i + len;
        // "September 12, 2023"
        if let Some((d, 1 | 2)) = self.num(j) {
            if (1..=31).contains(&d) {
                let k = j + 1 + usize::from(self.punct(j + 1, ","));
                if let Some((y, n)) = self.year(k) {
                    return hit(
                        i,
                        k + n,
                        Val::Date {
                            year: Some(y),
                            month: Some(month),
                            day: Some(d),
                            weekday: None,
                            shift: None,
                        },
                    );
                }
            }
        }
        if let Some((y, n)) = self.year(j) {
            return hit(
                i,
                j + n,
                Val::Date {
                    year: Some(y),
                    month: Some(month),
                    day: None,
                    weekday: None,
                    shift: None,
                },
            );
        }
        // "Mai/Juni 1940": the year of the range's end.
        if self.is_in(j, &self.lex.range_words) {
            if let Some(right) = self.named(j + 1) {
                if let Val::Date { year: Some(y), month: Some(_), .. } = right.val {
                    return hit(
                        i,
                        j,
                        Val::Date {
                            year: Some(y),
                            month: Some(month),
                            day: None,
                            weekday: None,
                            shift: None,
                        },
                    );
                }
            }
        }
        // A month name alone only after a word that introduces a date ("im Mai").
        let cued = i > 0
            && (self.is_in(i - 1, &self.lex.year_cues) || self.is_in(i - 1, &self.lex.range_words));
        cued.then_some(Hit {
            start: i,
            end: j,
            val: Val::Date {
                year: None,
                month: Some(month),
                day: None,
                weekday: None,
                shift: None,
            },
            modifier: None,
        })
    }

    /// "12. September [2023]", "28.Oktober", "12 September 2023".
    fn day_month(&self, i: usize) -> Option<Hit> {
        let ordinal_word = self.word(i).and_then(|w| self.lex.day_ordinals.get(w)).copied();
        let (d, j) = match self.ordinal(i) {
            Some(d) => (d, i + 2),
            // "am zweiten Mai": only before a month name, which `month` below asks for.
            None if ordinal_word.is_some() => (ordinal_word?, i + 1),
            None => {
                let (d, dl) = self.num(i)?;
                if dl > 2 || !(1..=31).contains(&d) {
                    return None;
                }
                (d, i + 1)
            }
        };
        let (month, len) = self.month(j)?;
        let k = j + len;
        let (year, end) = match self.year(k) {
            Some((y, n)) => (Some(y), k + n),
            None => (None, k),
        };
        hit(
            i,
            end,
            Val::Date { year, month: Some(month), day: Some(d), weekday: None, shift: None },
        )
    }

    /// "1939", "im Jahr 2000", "490 v. Chr.". A bare number is a year only where a word before
    /// it says so or no capitalised noun follows ("1500 Soldaten" is no year).
    fn year_only(&self, i: usize) -> Option<Hit> {
        if self.unit(i) == Some(Unit::Year) && !self.is_in(i, &self.lex.plural_units) {
            let (y, n) = self.year(i + 1)?;
            return hit(i, i + 1 + n, Val::Year(y));
        }
        // "1918/19": the second year of a span written short.
        if let (Some((y2, 2)), Some((y1, 4))) =
            (self.num(i), i.checked_sub(2).and_then(|k| self.num(k)))
        {
            if self.punct(i - 1, "/") && self.tight(i - 1) && self.tight(i) && (y1 + 1) % 100 == y2
            {
                return hit(i, i + 1, Val::Year((y1 + 1) as i32));
            }
        }
        let (y, n) = self.year(i)?;
        let cued = i > 0 && self.is_in(i - 1, &self.lex.year_cues);
        let noun_follows =
            self.toks.get(i + n).is_some_and(|t| t.kind == Kind::Word && t.cap && !t.newline)
                && self.word(i + n).is_some_and(|w| !self.lex.months.contains_key(w));
        if n == 1 && !cued && noun_follows {
            return None;
        }
        // "1939er": a decade or an adjective, handled elsewhere.
        if self.tight(i + 1) && self.word(i + 1).is_some() {
            return None;
        }
        hit(i, i + n, Val::Year(y))
    }

    /// "20. Jahrhunderts" is `19`; "1920er Jahre" is `192`.
    fn century(&self, i: usize) -> Option<Hit> {
        if let Some(c) = self.ordinal(i) {
            if self.unit(i + 2) == Some(Unit::Century) {
                return hit(i, i + 3, Val::Century(c as i32 - 1));
            }
        }
        let (y, 4) = self.num(i)? else { return None };
        if y % 10 == 0 && self.tight(i + 1) && self.word(i + 1).is_some_and(|w| w.starts_with("er"))
        {
            let end = if self.unit(i + 2) == Some(Unit::Year) {
                i + 3
            } else if self.punct(i + 2, "-") && self.unit(i + 3) == Some(Unit::Year) {
                i + 4
            } else {
                i + 2
            };
            return hit(i, end, Val::Decade(y as i32 / 10));
        }
        None
    }

    /// "Sommer", "Herbst 1940".
    fn season(&self, i: usize) -> Option<Hit> {
        let code = self.word(i).and_then(|w| self.lex.seasons.get(w))?;
        match self.year(i + 1) {
            Some((y, n)) => {
                hit(i, i + 1 + n, Val::Season { year: Some(y), code: code.clone(), shift: None })
            }
            None => hit(i, i + 1, Val::Season { year: None, code: code.clone(), shift: None }),
        }
    }

    /// "heute", "gestern", "morgen" (lowercase: "Morgen" is a part of a day), "gestern Abend".
    fn deictic(&self, i: usize) -> Option<Hit> {
        let w = self.word(i)?;
        let n = *self.lex.deictic_days.get(w)?;
        // "Morgen" is the noun ("am Morgen") unless it opens a sentence and no date follows it
        // ("Morgen um 8 Uhr beginnt", but "Morgen des 12. Mai").
        let opens = i == 0
            || self.toks[i].newline
            || matches!(self.lower(i - 1), Some("." | "!" | "?" | ":" | "„" | "\"" | "»" | "«"));
        if self.lex.day_parts.contains_key(w)
            && self.toks[i].cap
            && (!opens || self.is_in(i + 1, &self.lex.part_links))
        {
            return None;
        }
        if let Some(code) = self.word(i + 1).and_then(|p| self.lex.day_parts.get(p)) {
            return hit(
                i,
                i + 2,
                Val::Part { date: Some(Box::new(Val::Deictic(n))), code: code.clone() },
            );
        }
        hit(i, i + 1, Val::Deictic(n))
    }

    /// The bare first day of a span whose end names the month and year: "27." in "27. bis 28.
    /// September", "10." in "vom 10. bis zum 13. September", and with `night` the first day of a
    /// night: "16." in "vom 16. zum 17. April", "vom 16. auf den 17. April".
    fn span_start(&self, i: usize, night: bool) -> Option<Hit> {
        let d = self.ordinal(i)?;
        let mut j = i + 2;
        if night {
            while self.is_in(j, &self.lex.part_links) || self.is_in(j, &self.lex.date_fillers) {
                j += 1;
            }
        } else {
            if !self.is_in(j, &self.lex.range_words) {
                return None;
            }
            j += 1;
            if self.word(j).is_some() && self.month(j).is_none() && self.ordinal(j).is_none() {
                j += 1; // "zum", "den"
            }
        }
        let right = self.day_month(j)?;
        let Val::Date { year, month, .. } = right.val else { return None };
        hit(i, i + 2, Val::Date { year, month, day: Some(d), weekday: None, shift: None })
    }
}

/// The hour of a clock time said with a part of the day: "8 Uhr abends" is 20:00, "10 Uhr
/// nachts" 22:00, "3 Uhr nachts" and "8 Uhr morgens" as written.
fn afternoon(hour: u32, part: &str) -> u32 {
    match part {
        "AF" | "EV" if hour < 12 => hour + 12,
        "NI" if (6..12).contains(&hour) => hour + 12,
        _ => hour,
    }
}

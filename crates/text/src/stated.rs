//! Absolute dates a text states ("12.09.2023", "14. März 2024", "im April 2019", "2000"): what the
//! story engine compares to keep a 2023 meeting and a 2024 meeting of the same leaders apart.
//! Relative expressions ("am Mittwoch") need the article date and belong to the time-expression
//! stage; this is the small, certain part.

use std::fmt;

/// One date stated in a text, to the precision the text gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StatedDate {
    /// Year.
    pub year: i32,
    /// Month 1–12, if stated.
    pub month: Option<u8>,
    /// Day 1–31, if stated.
    pub day: Option<u8>,
    /// Byte offset of the mention in the text it was read from.
    pub start: usize,
}

impl StatedDate {
    /// Days since 1970-01-01 when the day is known (proleptic Gregorian).
    pub fn day_number(&self) -> Option<i32> {
        let (m, d) = (i32::from(self.month?), i32::from(self.day?));
        // Howard Hinnant's days-from-civil.
        let y = if m <= 2 { self.year - 1 } else { self.year };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let mp = (m + 9) % 12;
        let doy = (153 * mp + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        Some(era * 146_097 + doe - 719_468)
    }

    /// `year * 12 + month - 1` when the month is known: equal keys, same month.
    pub fn month_key(&self) -> Option<i32> {
        self.month.map(|m| self.year * 12 + i32::from(m) - 1)
    }
}

impl fmt::Display for StatedDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}", self.year)?;
        if let Some(m) = self.month {
            write!(f, "-{m:02}")?;
            if let Some(d) = self.day {
                write!(f, "-{d:02}")?;
            }
        }
        Ok(())
    }
}

/// Words of `text` with their byte offsets, split on white space, outer punctuation trimmed
/// except a trailing full stop (which marks ordinals: "12.").
fn words(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut pos = 0;
    for raw in text.split_inclusive(char::is_whitespace) {
        let word = raw.trim_end();
        let lead = word.len() - word.trim_start_matches(|c: char| !c.is_alphanumeric()).len();
        let rest = &word[lead..];
        let mut core = rest.trim_end_matches(|c: char| !c.is_alphanumeric());
        if rest[core.len()..].starts_with('.') {
            core = &rest[..core.len() + 1];
        }
        if !core.is_empty() {
            out.push((pos + lead, core));
        }
        pos += raw.len();
    }
    out
}

fn year_of(word: &str) -> Option<i32> {
    let w = word.trim_end_matches('.');
    if w.len() == 4 && w.bytes().all(|b| b.is_ascii_digit()) {
        let y: i32 = w.parse().ok()?;
        (1900..=2099).contains(&y).then_some(y)
    } else {
        None
    }
}

fn day_of(word: &str) -> Option<u8> {
    let w = word.trim_end_matches(['.', ',']);
    if (1..=2).contains(&w.len()) && w.bytes().all(|b| b.is_ascii_digit()) {
        let d: u8 = w.parse().ok()?;
        (1..=31).contains(&d).then_some(d)
    } else {
        None
    }
}

/// `dd.mm.yyyy` or `yyyy-mm-dd` / `yyyy-mm` written as one word.
fn numeric(word: &str) -> Option<(i32, u8, Option<u8>)> {
    let w = word.trim_end_matches('.');
    let parts: Vec<&str> = w.split('.').collect();
    if parts.len() == 3 {
        let d = day_of(parts[0])?;
        let m = day_of(parts[1]).filter(|m| *m <= 12)?;
        let y = year_of(parts[2])?;
        return Some((y, m, Some(d)));
    }
    let parts: Vec<&str> = w.split('-').collect();
    if (2..=3).contains(&parts.len()) && parts[0].len() == 4 && parts[1].len() == 2 {
        let y = year_of(parts[0])?;
        let m = day_of(parts[1]).filter(|m| *m <= 12)?;
        let d = match parts.get(2) {
            Some(d) if d.len() == 2 => Some(day_of(d)?),
            Some(_) => return None,
            None => None,
        };
        return Some((y, m, d));
    }
    None
}

/// The dates `text` states, in order. `month_of` maps a lowercase word to its month (1–12).
pub(crate) fn stated_dates(text: &str, month_of: impl Fn(&str) -> Option<u8>) -> Vec<StatedDate> {
    let words = words(text);
    let mut out = Vec::new();
    let mut used = vec![false; words.len()];
    for i in 0..words.len() {
        let (start, w) = words[i];
        if let Some((year, month, day)) = numeric(w) {
            out.push(StatedDate { year, month: Some(month), day, start });
            used[i] = true;
            continue;
        }
        let lower = w.trim_end_matches('.').to_lowercase();
        let Some(month) = month_of(&lower) else { continue };
        // "September 2023", "12. September 2023", "September 12, 2023".
        let next_year = words.get(i + 1).and_then(|(_, n)| year_of(n));
        let (day_after, year_after_day) = match words.get(i + 1) {
            Some((_, n)) if n.ends_with(',') || day_of(n).is_some() => {
                (day_of(n), words.get(i + 2).and_then(|(_, y)| year_of(y)))
            }
            _ => (None, None),
        };
        let day_before = i
            .checked_sub(1)
            .and_then(|j| words[j].1.ends_with('.').then(|| day_of(words[j].1)).flatten());
        let (year, day, last) = match (next_year, year_after_day) {
            (Some(y), _) => (y, day_before, i + 1),
            (None, Some(y)) => (y, day_after, i + 2),
            (None, None) => continue,
        };
        let start = if day_before.is_some() && day == day_before { words[i - 1].0 } else { start };
        out.push(StatedDate { year, month: Some(month), day, start });
        for u in used.iter_mut().take(last + 1).skip(i) {
            *u = true;
        }
    }
    for (i, (start, w)) in words.iter().enumerate() {
        if !used[i] {
            if let Some(year) = year_of(w) {
                out.push(StatedDate { year, month: None, day: None, start: *start });
            }
        }
    }
    out.sort_by_key(|d| d.start);
    out
}

#[cfg(test)]
mod tests {
    use super::stated_dates;

    fn month(w: &str) -> Option<u8> {
        ["januar", "februar", "märz", "april", "mai", "juni", "juli", "august", "september"]
            .iter()
            .position(|m| *m == w)
            .map(|i| i as u8 + 1)
            .or((w == "sept").then_some(9))
    }

    fn all(text: &str) -> Vec<String> {
        stated_dates(text, month).iter().map(|d| d.to_string()).collect()
    }

    #[test]
    fn numeric_month_name_and_year_forms() {
        assert_eq!(
            all("Am 12.09.2023 und am 14. März 2024, nach dem Treffen im April 2019 (seit dem Jahr 2000)."),
            ["2023-09-12", "2024-03-14", "2019-04", "2000"]
        );
        assert_eq!(all("date 2023-09 und 2024-06-19"), ["2023-09", "2024-06-19"]);
    }

    #[test]
    fn rejects_what_is_not_a_date() {
        assert!(all("10.000 Schiffscontainer, 4,8 Millionen, Nummer 3000, im Mai").is_empty());
        // A month without a year states nothing absolute.
        assert!(all("am 4. September").is_empty());
    }

    #[test]
    fn day_numbers_count_from_the_unix_epoch() {
        let d = |s: &str| stated_dates(s, month)[0].day_number();
        assert_eq!(d("1.1.1970"), Some(0));
        assert_eq!(d("12.09.2023"), Some(19_612));
        assert_eq!(d("1.3.2024").unwrap() - d("28.2.2024").unwrap(), 2, "leap day");
        assert_eq!(d("September 2023"), None);
    }

    #[test]
    fn offsets_point_at_the_mention() {
        let text = "Bereits am 30. August 2023 hatte";
        let d = stated_dates(text, month)[0];
        assert_eq!(&text[d.start..d.start + 3], "30.");
    }
}

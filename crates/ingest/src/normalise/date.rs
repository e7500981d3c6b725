//! Publication dates: parsing what metadata declares, finding time stamp lines in text and dates
//! in URLs, and reading local times in the profile's time zone.

use crate::profile::Profile;
use chrono::{
    DateTime, Datelike, Duration, FixedOffset, NaiveDate, NaiveDateTime, TimeZone, Utc, Weekday,
};
use regex::Regex;
use storyline_core::{DatePrecision, DateSource, PubDate};

/// Parses a date a source declared, in any of the forms feeds, news-please, trafilatura and
/// HTML metadata write: RFC 3339, RFC 2822, `YYYY-MM-DD[ HH:MM[:SS]]`, `YYYY-MM`, `YYYY`,
/// `DD.MM.YYYY[ HH:MM]`, Unix seconds.
pub fn parse_declared(raw: &str, source: DateSource) -> Option<PubDate> {
    let s = raw.trim();
    let evidence = s.to_owned();
    if let Ok(dt) = DateTime::parse_from_rfc3339(s).or_else(|_| DateTime::parse_from_rfc2822(s)) {
        return Some(from_fixed(dt, DatePrecision::Second, None, source, evidence));
    }
    for fmt in ["%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%d %H:%M:%S%.f%z", "%Y-%m-%d %H:%M:%S %z"] {
        if let Ok(dt) = DateTime::parse_from_str(s, fmt) {
            return Some(from_fixed(dt, DatePrecision::Second, None, source, evidence));
        }
    }
    for (fmt, prec) in [
        ("%Y-%m-%d %H:%M:%S%.f", DatePrecision::Second),
        ("%Y-%m-%dT%H:%M:%S%.f", DatePrecision::Second),
        ("%Y-%m-%d %H:%M", DatePrecision::Minute),
        ("%Y-%m-%dT%H:%M", DatePrecision::Minute),
        ("%d.%m.%Y %H:%M", DatePrecision::Minute),
    ] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(s, fmt) {
            return Some(from_naive(naive, prec, None, source, evidence));
        }
    }
    for fmt in ["%Y-%m-%d", "%d.%m.%Y", "%Y/%m/%d"] {
        if let Ok(d) = NaiveDate::parse_from_str(s, fmt) {
            return Some(day(d, source, evidence));
        }
    }
    if let Some((y, m)) = s.split_once('-') {
        if let (Ok(y), Ok(m)) = (y.parse::<i32>(), m.parse::<u32>()) {
            return month(y, m, source, evidence);
        }
    }
    if s.len() == 4 {
        if let Ok(y) = s.parse::<i32>() {
            return year(y, source, evidence);
        }
    }
    if s.len() >= 9 && s.len() <= 10 && s.bytes().all(|b| b.is_ascii_digit()) {
        let secs: i64 = s.parse().ok()?;
        let dt = Utc.timestamp_opt(secs, 0).single()?;
        return Some(from_fixed(dt.fixed_offset(), DatePrecision::Second, None, source, evidence));
    }
    None
}

fn from_fixed(
    dt: DateTime<FixedOffset>,
    precision: DatePrecision,
    timezone: Option<String>,
    source: DateSource,
    evidence: String,
) -> PubDate {
    let iso = match precision {
        DatePrecision::Minute => dt.format("%Y-%m-%dT%H:%M%:z").to_string(),
        _ => dt.format("%Y-%m-%dT%H:%M:%S%:z").to_string(),
    };
    PubDate { iso, start_utc: dt.with_timezone(&Utc), precision, timezone, source, evidence }
}

fn from_naive(
    naive: NaiveDateTime,
    precision: DatePrecision,
    tz: Option<&str>,
    source: DateSource,
    evidence: String,
) -> PubDate {
    match tz.and_then(|tz| local_offset(tz, naive).map(|o| (tz, o))) {
        Some((tz, offset)) => {
            let dt =
                offset.from_local_datetime(&naive).single().expect("fixed offsets are unambiguous");
            from_fixed(dt, precision, Some(tz.to_owned()), source, evidence)
        }
        None => {
            // No zone known: keep the local time as written, and order it as if it were UTC.
            let iso = match precision {
                DatePrecision::Minute => naive.format("%Y-%m-%dT%H:%M").to_string(),
                _ => naive.format("%Y-%m-%dT%H:%M:%S").to_string(),
            };
            PubDate { iso, start_utc: naive.and_utc(), precision, timezone: None, source, evidence }
        }
    }
}

fn day(d: NaiveDate, source: DateSource, evidence: String) -> PubDate {
    PubDate {
        iso: d.format("%Y-%m-%d").to_string(),
        start_utc: d.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc(),
        precision: DatePrecision::Day,
        timezone: None,
        source,
        evidence,
    }
}

fn month(y: i32, m: u32, source: DateSource, evidence: String) -> Option<PubDate> {
    let d = NaiveDate::from_ymd_opt(y, m, 1)?;
    Some(PubDate {
        iso: format!("{y:04}-{m:02}"),
        precision: DatePrecision::Month,
        ..day(d, source, evidence)
    })
}

fn year(y: i32, source: DateSource, evidence: String) -> Option<PubDate> {
    if !(1900..=2100).contains(&y) {
        return None;
    }
    let d = NaiveDate::from_ymd_opt(y, 1, 1)?;
    Some(PubDate {
        iso: format!("{y:04}"),
        precision: DatePrecision::Year,
        ..day(d, source, evidence)
    })
}

/// The UTC offset of a zone at a local time, for the zones the profiles name. Central European
/// zones follow the EU rule (summer time from the last Sunday of March to the last Sunday of
/// October, switching at 01:00 UTC); Moscow is UTC+3 since 2014.
pub fn local_offset(tz: &str, local: NaiveDateTime) -> Option<FixedOffset> {
    match tz {
        "UTC" | "Etc/UTC" => FixedOffset::east_opt(0),
        "Europe/Moscow" => FixedOffset::east_opt(3 * 3600),
        "Europe/Berlin" | "Europe/Vienna" | "Europe/Zurich" | "Europe/Paris" | "Europe/Rome"
        | "Europe/Madrid" | "Europe/Amsterdam" | "Europe/Brussels" => {
            let y = local.year();
            let start = last_sunday(y, 3)?.and_hms_opt(1, 0, 0)?;
            let end = last_sunday(y, 10)?.and_hms_opt(1, 0, 0)?;
            // Read the local time as summer time; if that instant is not in summer, it is winter.
            let as_summer_utc = local - Duration::hours(2);
            let summer = as_summer_utc >= start && as_summer_utc < end;
            FixedOffset::east_opt(if summer { 2 * 3600 } else { 3600 })
        }
        _ => None,
    }
}

fn last_sunday(year: i32, month: u32) -> Option<NaiveDate> {
    let first_next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)?
    };
    let mut d = first_next.pred_opt()?;
    while d.weekday() != Weekday::Sun {
        d = d.pred_opt()?;
    }
    Some(d)
}

/// A compiled time stamp pattern of one profile.
#[derive(Debug)]
pub struct StampRule {
    regex: Regex,
    months: Vec<Vec<String>>,
    timezone: Option<String>,
}

/// A time stamp found in the text: the date and the byte range of the stamp in its line.
#[derive(Debug, Clone)]
pub struct Stamp {
    /// The date it states.
    pub date: PubDate,
    /// Byte range of the stamp inside the line searched.
    pub range: std::ops::Range<usize>,
}

impl StampRule {
    /// Builds the rule for one profile: a stamp prefix followed by `DD.MM.YYYY[, HH:MM [Uhr]]`,
    /// `DD. Monat YYYY[, HH:MM]`, `YYYY-MM-DD[ HH:MM]` or `YYYY-MM`.
    pub fn new(p: &Profile) -> StampRule {
        let alt = |items: &[String]| {
            let mut v: Vec<String> = items.iter().map(|s| regex::escape(s)).collect();
            v.sort_by_key(|s| std::cmp::Reverse(s.len()));
            v.join("|")
        };
        let months: Vec<String> = p.months.iter().flatten().cloned().collect();
        let suffix = if p.time_suffixes.is_empty() {
            String::new()
        } else {
            format!(r"(?:\s*(?:{}))?", alt(&p.time_suffixes))
        };
        let pattern = format!(
            r"(?i)(?:^|\s)(?:{prefixes})\s*(?:(?P<d>\d{{1,2}})\.\s?(?P<m>\d{{1,2}})\.\s?(?P<y>\d{{4}})|(?P<d2>\d{{1,2}})\.?\s+(?P<mn>{months})\.?\s+(?P<y2>\d{{4}})|(?P<y3>\d{{4}})-(?P<m3>\d{{2}})(?:-(?P<d3>\d{{2}}))?)(?:,?\s*(?:um\s+|at\s+|à\s+)?(?P<h>\d{{1,2}})[:.](?P<min>\d{{2}}){suffix})?",
            prefixes = alt(&p.date_stamp_prefixes),
            months = alt(&months),
        );
        StampRule {
            regex: Regex::new(&pattern).expect("stamp pattern is built from escaped words"),
            months: p.months.clone(),
            timezone: p.timezone.clone(),
        }
    }

    /// Finds the first time stamp in `line`.
    pub fn find(&self, line: &str) -> Option<Stamp> {
        for caps in self.regex.captures_iter(line) {
            let whole = caps.get(0)?;
            let num = |n: &str| caps.name(n).and_then(|m| m.as_str().parse::<u32>().ok());
            let (y, m, d) = if let Some(y) = num("y") {
                (y as i32, num("m"), num("d"))
            } else if let Some(y) = num("y2") {
                let name = caps.name("mn")?.as_str().to_lowercase();
                let m = self.months.iter().position(|alts| alts.contains(&name))? as u32 + 1;
                (y as i32, Some(m), num("d2"))
            } else {
                (num("y3")? as i32, num("m3"), num("d3"))
            };
            let evidence = whole.as_str().trim().to_owned();
            let start = whole.start() + (whole.as_str().len() - whole.as_str().trim_start().len());
            let date = match (m, d) {
                (Some(m), Some(d)) => {
                    let date = NaiveDate::from_ymd_opt(y, m, d)?;
                    match (num("h"), num("min")) {
                        (Some(h), Some(min)) => {
                            let naive = date.and_hms_opt(h, min, 0)?;
                            from_naive(
                                naive,
                                DatePrecision::Minute,
                                self.timezone.as_deref(),
                                DateSource::Text,
                                evidence,
                            )
                        }
                        _ => day(date, DateSource::Text, evidence),
                    }
                }
                (Some(m), None) => month(y, m, DateSource::Text, evidence)?,
                _ => continue,
            };
            return Some(Stamp { date, range: start..whole.end() });
        }
        None
    }
}

/// A date written in a dateline or under a byline, with no stamp word before it: "30. Juni 2020",
/// "24. Mai 2020, 18:44 Uhr", "01.01.20", "Wednesday, January 01, 2020", "Feb 15, 2020",
/// "Dec 31, 2019 | 5:00 AM". Where such a date counts is for the caller to judge (near the top,
/// not inside a sentence).
#[derive(Debug)]
pub struct DatelineRule {
    regex: Regex,
    months: Vec<Vec<String>>,
    timezone: Option<String>,
}

/// A dateline's date and its byte range.
#[derive(Debug, Clone)]
pub struct Dateline {
    /// The date it states, at day or minute precision.
    pub date: PubDate,
    /// Byte range of the date (and its time) in the text searched.
    pub range: std::ops::Range<usize>,
}

impl DatelineRule {
    /// Builds the rule for one profile's month names.
    pub fn new(p: &Profile) -> DatelineRule {
        let mut months: Vec<String> = p.months.iter().flatten().map(|s| regex::escape(s)).collect();
        months.sort_by_key(|s| std::cmp::Reverse(s.len()));
        let months = months.join("|");
        // Word boundaries are ASCII ones: they follow digits and Latin abbreviations, and a
        // Unicode boundary would keep the fast automaton off any text with an umlaut (the
        // search then ran in the slowest engine, a tenth of the normaliser's time).
        let pattern = format!(
            r"(?i)(?:(?P<d>\d{{1,2}})\.(?P<m>\d{{1,2}})\.(?P<y>\d{{4}}|\d{{2}})(?-u:\b)|(?P<d2>\d{{1,2}})\.?\s+(?P<mn2>{months})\.?\s+(?P<y2>\d{{4}})(?-u:\b)|(?:\p{{L}}+,\s+)?(?P<mn3>{months})\.?\s+(?P<d3>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y3>\d{{4}})(?-u:\b)|(?P<y4>\d{{4}})-(?P<m4>\d{{2}})-(?P<d4>\d{{2}})(?-u:\b))(?:,?\s*(?:um\s+|at\s+|\|\s*|/\s*)?(?P<h>\d{{1,2}})[:.](?P<min>\d{{2}})(?-u:\b)(?:\s*(?P<ampm>[ap]\.?m\.?)(?:(?-u:\b)|\s|$))?(?:\s*(?:Uhr|CET|CEST|MEZ|MESZ|GMT|UTC|ET|EST|EDT)(?-u:\b))?)?"
        );
        DatelineRule {
            regex: Regex::new(&pattern).expect("dateline pattern is built from escaped words"),
            months: p.months.clone(),
            timezone: p.timezone.clone(),
        }
    }

    /// Every well-formed date in `text`, in order.
    pub fn find_all(&self, text: &str) -> Vec<Dateline> {
        let mut out = Vec::new();
        // Most lines hold no date: a digit is needed, and the quick match comes before the
        // slower search for the parts.
        if !text.bytes().any(|b| b.is_ascii_digit()) || !self.regex.is_match(text) {
            return out;
        }
        for caps in self.regex.captures_iter(text) {
            let Some(whole) = caps.get(0) else { continue };
            if text[..whole.start()].chars().next_back().is_some_and(|c| c.is_ascii_digit()) {
                continue;
            }
            let num = |n: &str| caps.name(n).and_then(|m| m.as_str().parse::<u32>().ok());
            let month_of = |n: &str| {
                let name = caps.name(n)?.as_str().to_lowercase();
                self.months.iter().position(|alts| alts.contains(&name)).map(|m| m as u32 + 1)
            };
            let (y, m, d) = if let Some(y) = caps.name("y") {
                let y: i32 = y.as_str().parse().unwrap_or(0);
                let y = if y < 100 {
                    if y < 70 {
                        2000 + y
                    } else {
                        1900 + y
                    }
                } else {
                    y
                };
                (y, num("m"), num("d"))
            } else if let Some(y) = num("y2") {
                (y as i32, month_of("mn2"), num("d2"))
            } else if let Some(y) = num("y3") {
                (y as i32, month_of("mn3"), num("d3"))
            } else {
                (num("y4").unwrap_or(0) as i32, num("m4"), num("d4"))
            };
            let (Some(m), Some(d)) = (m, d) else { continue };
            if !(1900..=2100).contains(&y) {
                continue;
            }
            let Some(date) = NaiveDate::from_ymd_opt(y, m, d) else { continue };
            let evidence = whole.as_str().trim().to_owned();
            let mut hour = num("h");
            if let (Some(h), Some(ap)) = (hour, caps.name("ampm")) {
                let pm = ap.as_str().to_lowercase().starts_with('p');
                hour = Some(match (h, pm) {
                    (12, false) => 0,
                    (h, true) if h < 12 => h + 12,
                    (h, _) => h,
                });
            }
            let pub_date = match (hour, num("min")) {
                (Some(h), Some(min)) => match date.and_hms_opt(h, min, 0) {
                    Some(naive) => from_naive(
                        naive,
                        DatePrecision::Minute,
                        self.timezone.as_deref(),
                        DateSource::Text,
                        evidence,
                    ),
                    None => day(date, DateSource::Text, evidence),
                },
                _ => day(date, DateSource::Text, evidence),
            };
            out.push(Dateline { date: pub_date, range: whole.start()..whole.end() });
        }
        out
    }
}

/// Finds a date in a URL path: `/2023/09/12/` or `/2023-09-12/`.
pub fn date_from_url(url: &str) -> Option<PubDate> {
    static_regex().captures(url).and_then(|c| {
        let y = c.name("y")?.as_str().parse().ok()?;
        let m = c.name("m")?.as_str().parse().ok()?;
        let d = c.name("d")?.as_str().parse().ok()?;
        Some(day(NaiveDate::from_ymd_opt(y, m, d)?, DateSource::Url, c.get(0)?.as_str().to_owned()))
    })
}

fn static_regex() -> &'static Regex {
    static RE: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"/(?P<y>(?:19|20)\d{2})[/-](?P<m>[01]\d)[/-](?P<d>[0-3]\d)(?:/|-|\.|$)")
            .expect("valid")
    })
}

/// The earliest day an undated article can have been written, from the sentences in `texts` that
/// narrate a year as past ("2023 besuchte Kim Jong-un Wladiwostok", "In 2023, Kim visited"):
/// the first of January after the latest such year, and the sentence that says so. News writes a
/// bare year for an earlier year; the current one it calls "im September" or "this week".
pub fn not_before<'a>(
    texts: impl IntoIterator<Item = &'a str>,
    profile: &Profile,
) -> Option<(NaiveDate, String)> {
    let past = &profile.past;
    if past.verbs.is_empty() && past.verb_endings.is_empty() {
        return None;
    }
    let leads: Vec<Vec<&str>> = {
        let mut l: Vec<Vec<&str>> =
            past.year_leads.iter().map(|x| x.split_whitespace().collect()).collect();
        l.sort_by_key(|x| std::cmp::Reverse(x.len()));
        l
    };
    let mut best: Option<(i32, &str)> = None;
    for text in texts {
        for sentence in sentences(text) {
            let words: Vec<&str> = sentence.split_whitespace().take(8 + past.max_gap).collect();
            let bare = |w: &str| w.trim_matches(|c: char| !c.is_alphanumeric()).to_lowercase();
            let skip = leads
                .iter()
                .find(|l| l.len() < words.len() && l.iter().zip(&words).all(|(a, b)| bare(b) == *a))
                .map_or(0, Vec::len);
            let Some(year) = words.get(skip).and_then(|w| {
                let w = w.trim_end_matches(',');
                let y: i32 = w.parse().ok().filter(|_| w.len() == 4)?;
                (1900..=2099).contains(&y).then_some(y)
            }) else {
                continue;
            };
            for w in words.iter().skip(skip + 1).take(past.max_gap + 1) {
                let core = w.trim_matches(|c: char| !c.is_alphanumeric() && c != '-');
                if core.chars().next().is_some_and(char::is_lowercase)
                    && past.is_past_verb(&core.to_lowercase())
                {
                    if best.is_none_or(|(y, _)| year > y) {
                        best = Some((year, sentence));
                    }
                    break;
                }
                if w.ends_with(['.', ';', '!', '?']) {
                    break;
                }
            }
        }
    }
    let (year, sentence) = best?;
    let evidence: String = sentence.chars().take(80).collect();
    Some((NaiveDate::from_ymd_opt(year + 1, 1, 1)?, evidence))
}

/// The sentences of `text`: a new one after `.`, `!`, `?` or `:` and white space, and at each line.
fn sentences(text: &str) -> impl Iterator<Item = &str> {
    text.lines().flat_map(|line| {
        let mut out = Vec::new();
        let mut start = 0;
        let bytes = line.as_bytes();
        for (i, c) in line.char_indices() {
            if matches!(c, '.' | '!' | '?' | ':')
                && bytes.get(i + 1).is_some_and(u8::is_ascii_whitespace)
            {
                out.push(line[start..=i].trim());
                start = i + 1;
            }
        }
        out.push(line[start..].trim());
        out.into_iter().filter(|s| !s.is_empty())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::builtin_profiles;

    fn profile(code: &str) -> Profile {
        builtin_profiles().unwrap().into_iter().find(|p| p.code == code).unwrap()
    }

    #[test]
    fn a_year_narrated_as_past_bounds_an_undated_article() {
        let de = profile("de");
        let bound = |t: &str| not_before([t], &de).map(|(d, _)| d.to_string());
        assert_eq!(
            bound("Kim Jong Un in Russland\n2023 besuchte Kim Jong-un (links) die russische Stadt Wladiwostock."),
            Some("2024-01-01".into())
        );
        assert_eq!(
            bound("Im Jahr 2019 traf er Trump. 2021 wurden Wahlen abgehalten."),
            Some("2022-01-01".into())
        );
        // Not past, not the verb second, or an ordinal: no bound.
        assert_eq!(bound("2025 will Putin erneut reisen."), None);
        assert_eq!(bound("2023 erste Gespräche in Moskau"), None);
        assert_eq!(bound("Er besuchte 2023 Wladiwostok."), None);
        assert_eq!(bound("Seit 2000 regierte er."), None);
        assert_eq!(bound("12.09.2023 besuchte"), None);
        let en = profile("en");
        let (d, why) =
            not_before(["Talks are planned. In 2023, Kim visited Vladivostok."], &en).unwrap();
        assert_eq!(d.to_string(), "2024-01-01");
        assert!(why.starts_with("In 2023, Kim visited"), "{why}");
        assert!(not_before(["In 2023, the United States will vote."], &en).is_none());
    }

    fn de() -> StampRule {
        StampRule::new(&builtin_profiles().unwrap()[0])
    }

    #[test]
    fn stand_line_in_berlin_summer_time() {
        let s = de().find("Kim in Russland eingetroffen Stand: 12.09.2023 07:43 Uhr").unwrap();
        assert_eq!(s.date.iso, "2023-09-12T07:43+02:00");
        assert_eq!(s.date.precision, DatePrecision::Minute);
        assert_eq!(s.date.timezone.as_deref(), Some("Europe/Berlin"));
        assert_eq!(s.date.start_utc.to_rfc3339(), "2023-09-12T05:43:00+00:00");
    }

    #[test]
    fn winter_time_and_month_names() {
        let s = de().find("Veröffentlicht am 14. März 2024, 10:15 Uhr").unwrap();
        assert_eq!(s.date.iso, "2024-03-14T10:15+01:00");
        let s = de().find(" date 2023-09 Nordkoreas Diktator").unwrap();
        assert_eq!((s.date.iso.as_str(), s.date.precision), ("2023-09", DatePrecision::Month));
        assert_eq!(&" date 2023-09 Nordkoreas Diktator"[s.range], "date 2023-09");
    }

    #[test]
    fn declared_forms() {
        let p = |s| parse_declared(s, DateSource::Metadata).map(|d| (d.iso, d.precision));
        assert_eq!(p("2023-09-12 07:43:00").unwrap().0, "2023-09-12T07:43:00");
        assert_eq!(p("2023-09-12T07:43:00+02:00").unwrap().0, "2023-09-12T07:43:00+02:00");
        assert_eq!(p("Tue, 12 Sep 2023 05:43:00 GMT").unwrap().0, "2023-09-12T05:43:00+00:00");
        assert_eq!(p("12.09.2023").unwrap(), ("2023-09-12".into(), DatePrecision::Day));
        assert_eq!(p("2023-09").unwrap(), ("2023-09".into(), DatePrecision::Month));
        assert_eq!(p("yesterday"), None);
    }

    #[test]
    fn url_dates() {
        assert_eq!(
            date_from_url("https://x.de/politik/2023/09/12/kim.html").unwrap().iso,
            "2023-09-12"
        );
        assert!(date_from_url("https://x.de/politik/kim-2023").is_none());
    }
}

//! The top of an article's body: a byline ("Von Alex Lantier", "By: Pat Mertz Esswein",
//! "von Winfried Wagner/dpa") and a dateline or stamp ("30. Juni 2020", "MUNICH, Germany, Feb 15,
//! 2020 (BSS/Xinhua) –", "Dec 31, 2019 | 5:00 AM").
//!
//! Only the first lines count, and in each only what comes before its first sentence end: a date
//! inside the first sentence ("Am 1. Januar 2020 hat …") is narrated, not a dateline. A date is a
//! dateline when no lowercase word stands right before it (unless a stamp word such as "Posted"
//! or "Update" opens the line) and no lowercase word follows it. A byline and a date that open a
//! line are removed from the body; a dateline after a place name stays, as part of the lead.

use regex::Regex;
use storyline_core::{Decision, Field, PubDate};

use super::date::{Dateline, DatelineRule};
use crate::profile::Profile;

/// Lines at the top searched for a byline and a dateline.
const HEADER_LINES: usize = 3;
/// Bytes of each line searched.
const HEADER_BYTES: usize = 260;
/// Words before a dateline at most (a place, an outlet, a stamp word).
const MAX_WORDS_BEFORE: usize = 8;
/// Words of a byline's name at most (particles such as "von" or "de" not counted).
const MAX_NAME_WORDS: usize = 3;

/// What the top of the body says.
#[derive(Debug, Default)]
pub struct Header {
    /// The author, from a byline.
    pub author: Option<String>,
    /// The date, from a dateline or a stamp.
    pub date: Option<PubDate>,
}

/// Reads bylines and datelines. Built once from the language profiles.
#[derive(Debug)]
pub struct HeaderReader {
    bylines: Vec<String>,
    datelines: Vec<DatelineRule>,
    stamp_words: Vec<String>,
    months: Vec<String>,
    agency: Regex,
}

const PARTICLES: &[&str] =
    &["von", "van", "de", "der", "den", "da", "di", "du", "bin", "al", "zu", "le", "la"];

impl HeaderReader {
    /// Builds the reader from the language profiles.
    pub fn new(profiles: &[Profile]) -> HeaderReader {
        let mut bylines: Vec<String> =
            profiles.iter().flat_map(|p| p.byline_prefixes.iter().cloned()).collect();
        bylines.sort_by_key(|b| std::cmp::Reverse(b.len()));
        let mut stamp_words: Vec<String> = profiles
            .iter()
            .flat_map(|p| p.date_stamp_prefixes.iter())
            .map(|w| w.trim_end_matches(':').to_lowercase())
            .filter(|w| w.len() > 4)
            .collect();
        stamp_words.extend(["update", "posted", "published", "aktualisiert"].map(String::from));
        let months = profiles.iter().flat_map(|p| p.months.iter().flatten().cloned()).collect();
        HeaderReader {
            bylines,
            datelines: profiles.iter().map(DatelineRule::new).collect(),
            stamp_words,
            months,
            agency: Regex::new(r"^(?i:dpa|afp|apa|sda|kna|epd|ap|reuters|ddp|ots|ssda)\b")
                .expect("fixed pattern"),
        }
    }

    /// Reads the byline and the dateline at the top of `lines`, removing what opens a line, and
    /// records each finding in `decisions`.
    pub fn read(&self, lines: &mut Vec<String>, decisions: &mut Vec<Decision>) -> Header {
        let mut header = Header::default();
        let mut i = 0;
        while i < lines.len().min(HEADER_LINES) {
            let line = lines[i].clone();
            let zone_end = zone_end(&line);
            let zone = &line[..zone_end];
            let mut cut = 0..0;
            if header.author.is_none() {
                if let Some((name, end)) = self.byline(zone) {
                    decisions.push(Decision::new(
                        Field::Author,
                        &name,
                        format!("byline at the top: {:?}", zone[..end].trim()),
                    ));
                    header.author = Some(name);
                    cut = 0..end;
                }
            }
            if header.date.is_none() {
                if let Some(d) = self.dateline(zone, cut.end) {
                    let opens = zone[cut.end..d.range.start]
                        .trim_matches(|c: char| c.is_whitespace() || "|,;:-–—".contains(c))
                        .is_empty()
                        || self.after_stamp_word(&zone[cut.end..d.range.start]);
                    if opens {
                        cut = cut.start..d.range.end;
                    }
                    decisions.push(Decision::new(
                        Field::Boilerplate,
                        d.date.evidence.clone(),
                        "dateline near the top (read as the date)",
                    ));
                    header.date = Some(d.date);
                }
            }
            if cut.end > 0 {
                let rest = line[cut.end..]
                    .trim_start_matches(|c: char| c.is_whitespace() || "|,;:-–—".contains(c))
                    .to_owned();
                let removed = line[..cut.end].trim();
                if !removed.is_empty() {
                    decisions.push(Decision::new(
                        Field::Boilerplate,
                        removed,
                        "byline and date line at the top",
                    ));
                }
                if rest.is_empty() {
                    lines.remove(i);
                    continue;
                }
                lines[i] = rest;
            }
            if header.author.is_some() && header.date.is_some() {
                break;
            }
            i += 1;
        }
        header
    }

    /// A byline opening `zone`: the name and the byte where the byline ends.
    fn byline(&self, zone: &str) -> Option<(String, usize)> {
        for p in &self.bylines {
            let Some(rest) = zone.strip_prefix(p.as_str()) else { continue };
            if !rest.starts_with(' ') {
                continue;
            }
            let lower_prefix = p.chars().next().is_some_and(char::is_lowercase);
            let start = zone.len() - rest.trim_start().len();
            let mut names: Vec<String> = Vec::new();
            let mut end = start;
            let mut counted = 0;
            let mut glued = false;
            let mut pos = start;
            for word in zone[start..].split(' ') {
                let w_start = pos;
                pos += word.len() + 1;
                if word.is_empty() {
                    continue;
                }
                let bare = word.trim_end_matches([',', ';', '|']);
                let is_particle = PARTICLES.contains(&bare) && counted > 0;
                let is_agency = self.agency.is_match(bare);
                let capital = bare.chars().next().is_some_and(char::is_uppercase);
                if !(capital || is_particle || is_agency)
                    || self.months.iter().any(|m| m.eq_ignore_ascii_case(bare))
                    || counted >= MAX_NAME_WORDS
                {
                    break;
                }
                // "SteinbergNew York": the name ends where a capital follows a lowercase letter.
                let (bare, cut) = split_glued(bare);
                names.push(bare.to_owned());
                end = w_start + bare.len();
                if !is_particle {
                    counted += 1;
                }
                if cut || word.len() != bare.len() {
                    glued = cut;
                    break;
                }
            }
            while names.last().is_some_and(|n| PARTICLES.contains(&n.as_str())) {
                names.pop();
            }
            if names.is_empty() {
                continue;
            }
            let name = names.join(" ");
            // What follows must not be running text: the line's end, a date, a separator, a
            // capital (the body, or "Posted on:"), or a glued next word.
            let after = zone[end..].trim_start_matches(',').trim_start();
            let follows_ok = glued
                || after.is_empty()
                || after.starts_with(|c: char| c.is_uppercase() || c.is_ascii_digit())
                || after.starts_with(['|', '-', '–', '—', '(', '/'])
                || self.datelines.iter().any(|r| {
                    r.find_all(super::headline::head(after, super::headline::DATE_CHARS))
                        .first()
                        .is_some_and(|d| d.range.start == 0)
                });
            // Lowercase "von"/"by" is also ordinary prose: only with an agency, a date or alone.
            let strong = !lower_prefix
                || name.contains('/')
                || self.agency.is_match(&name)
                || after.is_empty()
                || self.datelines.iter().any(|r| {
                    r.find_all(super::headline::head(after, super::headline::DATE_CHARS))
                        .first()
                        .is_some_and(|d| d.range.start == 0)
                });
            if follows_ok && strong {
                return Some((name, end));
            }
        }
        None
    }

    /// A dateline in `zone` at or after byte `from`.
    fn dateline(&self, zone: &str, from: usize) -> Option<Dateline> {
        let mut found: Vec<Dateline> = self
            .datelines
            .iter()
            .flat_map(|r| r.find_all(&zone[from..]))
            .map(|mut d| {
                d.range = d.range.start + from..d.range.end + from;
                d
            })
            .collect();
        found.sort_by_key(|d| (d.range.start, std::cmp::Reverse(d.range.end)));
        found.into_iter().find(|d| {
            let before = &zone[..d.range.start];
            let prev = before.split_whitespace().next_back().unwrap_or("");
            let right_after_byline = from > 0 && zone[from..d.range.start].trim().is_empty();
            let prev_ok = !prev.chars().last().is_some_and(|c| c.is_lowercase())
                || right_after_byline
                || self.after_stamp_word(before);
            // Near the top: a place, an outlet or a stamp word before it, not a sentence.
            let near_top = zone[from..d.range.start].split_whitespace().count() <= MAX_WORDS_BEFORE;
            let after = zone[d.range.end..].trim_start();
            // "… in Poznan, Poland, March 20, 2020." ends a sentence: narrated, not a dateline.
            let ends_sentence = zone[d.range.end..].starts_with('.');
            let next_ok = !ends_sentence
                && near_top
                && (after.is_empty()
                    || !after.starts_with(|c: char| c.is_lowercase())
                    || after.starts_with("am ")
                    || after.starts_with("pm "));
            prev_ok && next_ok
        })
    }

    fn after_stamp_word(&self, before: &str) -> bool {
        let lower = before.to_lowercase();
        self.stamp_words.iter().any(|w| lower.contains(w.as_str()))
    }
}

/// "SteinbergNew" → ("Steinberg", true); "McDonald" and "O'Neil" stay whole.
fn split_glued(word: &str) -> (&str, bool) {
    let chars: Vec<(usize, char)> = word.char_indices().collect();
    for w in chars.windows(2).skip(2) {
        if w[0].1.is_lowercase() && w[1].1.is_uppercase() {
            return (&word[..w[1].0], true);
        }
    }
    (word, false)
}

/// Where a line's header zone ends: its first sentence end, or [`HEADER_BYTES`].
fn zone_end(line: &str) -> usize {
    let mut end = super::first_sentence_end(line).unwrap_or(line.len()).min(line.len());
    if end > HEADER_BYTES {
        end = HEADER_BYTES;
        while !line.is_char_boundary(end) {
            end -= 1;
        }
    }
    end
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(lines: &[&str]) -> (Header, Vec<String>) {
        let reader = HeaderReader::new(&crate::profile::builtin_profiles().unwrap());
        let mut lines: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
        let mut decisions = Vec::new();
        let h = reader.read(&mut lines, &mut decisions);
        (h, lines)
    }

    #[test]
    fn a_byline_and_a_date_that_open_the_body_are_read_and_removed() {
        let (h, lines) = read(&[
            "Von Alex Lantier 30. Juni 2020 Am Freitagabend hat die Europäische Union beschlossen.",
        ]);
        assert_eq!(h.author.as_deref(), Some("Alex Lantier"));
        assert_eq!(h.date.as_ref().map(|d| d.iso.as_str()), Some("2020-06-30"));
        assert_eq!(lines[0], "Am Freitagabend hat die Europäische Union beschlossen.");

        let (h, lines) = read(&[
            "von dpa",
            "10. Februar 2020, 14:54 Uhr",
            "SPD-Chef Norbert Walter-Borjans hat …",
        ]);
        assert_eq!(h.author.as_deref(), Some("dpa"));
        assert!(h.date.as_ref().unwrap().iso.starts_with("2020-02-10T14:54"), "{h:?}");
        assert_eq!(lines, vec!["SPD-Chef Norbert Walter-Borjans hat …"]);

        let (h, _) = read(&["By Eli SteinbergNew York Daily News |Dec 31, 2019 | 5:00 AMOrthodox Jews around the country"]);
        assert_eq!(h.author.as_deref(), Some("Eli Steinberg"));
        assert!(h.date.as_ref().unwrap().iso.starts_with("2019-12-31"), "{h:?}");

        let (h, _) = read(&[
            "By: Pat Mertz Esswein Posted on: January 01, 2020",
            "Ivica Bilich and Jennifer Twiggs love their panels.",
        ]);
        assert_eq!(h.author.as_deref(), Some("Pat Mertz Esswein"));
        assert_eq!(h.date.as_ref().map(|d| d.iso.as_str()), Some("2020-01-01"));
    }

    #[test]
    fn a_dateline_after_a_place_name_is_read_and_kept() {
        let (h, lines) = read(&["MUNICH, Germany, Feb 15, 2020 (BSS/Xinhua) -The United States and the Taliban have agreed."]);
        assert_eq!(h.date.as_ref().map(|d| d.iso.as_str()), Some("2020-02-15"));
        assert!(lines[0].starts_with("MUNICH, Germany"));
        let (h, _) = read(&["Berlin, 01.01.20: Das neue Jahr hat begonnen."]);
        assert_eq!(h.date.as_ref().map(|d| d.iso.as_str()), Some("2020-01-01"));
    }

    #[test]
    fn dates_inside_sentences_and_prose_with_von_are_not_headers() {
        let (h, lines) = read(&["Am 1. Januar 2020 hat die Stadt das Fest abgesagt."]);
        assert!(h.date.is_none() && h.author.is_none(), "{h:?}");
        assert_eq!(lines.len(), 1);
        let (h, _) = read(&["Von Berlin aus fuhr der Zug am 3. Mai 2020 los."]);
        assert!(h.author.is_none() && h.date.is_none(), "{h:?}");
        let (h, _) = read(&["von Anfang an war klar, dass es schwierig wird."]);
        assert!(h.author.is_none(), "{h:?}");
        // A dateline without a year stays unresolved.
        let (h, _) = read(&["LONDON, Jan 1 (Reuters) - Prices rose."]);
        assert!(h.date.is_none(), "{h:?}");
    }
}

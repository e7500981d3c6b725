//! Boilerplate removal for plain text: navigation crumbs, widgets, teaser blocks, photo captions
//! with credit lines, agency credits, time stamp lines, and lines an outlet repeats on every page.
//! Every removal is recorded as a [`Decision`].

use super::date::{Stamp, StampRule};
use crate::profile::Profile;
use regex::Regex;
use std::collections::HashSet;
use storyline_core::{Decision, Field};

/// How often earlier articles of an outlet carried a line, by line hash. The engine answers from
/// the store, so cleaning improves as data arrives.
pub trait LineHistory {
    /// The number of stored articles of `outlet` that carried the line with hash `line_hash`.
    fn articles_with_line(&self, outlet: &str, line_hash: u64) -> u32;
}

/// A history that knows nothing: no line is boilerplate by repetition.
pub struct NoHistory;

impl LineHistory for NoHistory {
    fn articles_with_line(&self, _: &str, _: u64) -> u32 {
        0
    }
}

/// A line seen in this many earlier articles of the same outlet is boilerplate.
pub const REPEATED_LINE_MIN_ARTICLES: u32 = 3;
/// Lines longer than this (in bytes) are article text, never counted as repeated boilerplate.
pub const REPEATED_LINE_MAX_BYTES: usize = 200;

/// Learned boilerplate is only removed when at least this much other text remains.
const MIN_TEXT_BYTES: usize = 120;

/// The cleaner, built once from all language profiles (boilerplate words of any language are
/// boilerplate in every language, so cleaning need not wait for language detection).
#[derive(Debug)]
pub struct Cleaner {
    widgets: HashSet<String>,
    tail_markers: HashSet<String>,
    nav_words: HashSet<String>,
    credit_markers: Vec<String>,
    agency_prefixes: Vec<String>,
    source_notes: HashSet<String>,
    conjunctions: Regex,
    stamps: Vec<StampRule>,
    crumb: Regex,
    initials: Regex,
    /// Lines longer than this (in bytes) are none of the widget lines nor tail markers, and
    /// too long to be learned as boilerplate: their key is never needed.
    keyed_bytes: usize,
}

/// What cleaning produced.
#[derive(Debug, Default)]
pub struct Cleaned {
    /// The kept lines, each a paragraph, in order.
    pub lines: Vec<String>,
    /// What was removed and why.
    pub decisions: Vec<Decision>,
    /// The time stamp found near the top, if any.
    pub stamp: Option<Stamp>,
    /// News agencies named in a closing credit line.
    pub agencies: Vec<String>,
    /// Hashes of the short lines of the raw text, for the outlet's line history.
    pub line_hashes: Vec<u64>,
}

/// The key a line is compared and hashed by: lowercase, white space folded, trailing colon gone.
pub fn line_key(line: &str) -> String {
    let folded: Vec<&str> = line.split_whitespace().collect();
    folded.join(" ").trim_end_matches(':').trim().to_lowercase()
}

impl Cleaner {
    /// Builds the cleaner from the profiles.
    pub fn new(profiles: &[Profile]) -> Cleaner {
        let set = |f: fn(&Profile) -> &Vec<String>| -> HashSet<String> {
            profiles.iter().flat_map(|p| f(p).iter().map(|s| line_key(s))).collect()
        };
        let conj: Vec<String> =
            profiles.iter().flat_map(|p| p.conjunctions.iter().map(|c| regex::escape(c))).collect();
        let mut cleaner = Cleaner {
            widgets: set(|p| &p.widget_lines),
            tail_markers: set(|p| &p.tail_markers),
            nav_words: set(|p| &p.nav_words),
            credit_markers: profiles
                .iter()
                .flat_map(|p| p.credit_markers.iter().cloned())
                .collect(),
            agency_prefixes: profiles
                .iter()
                .flat_map(|p| p.agency_credit_prefixes.iter().map(|s| s.to_lowercase()))
                .collect(),
            source_notes: set(|p| &p.source_note_lines),
            conjunctions: Regex::new(&format!(r"\s*(?:,|/|;|\s(?:{})\s)\s*", conj.join("|")))
                .expect("escaped words"),
            stamps: profiles.iter().map(StampRule::new).collect(),
            crumb: Regex::new(r"^(?:\d{1,2}[.)]\s*)?(\S+(?:\s\S+)?)$").expect("valid"),
            initials: Regex::new(r"\s\((?P<i>\p{Ll}{2,5}(?:/\p{Ll}{2,5})*)\)$").expect("valid"),
            keyed_bytes: 0,
        };
        // Lowercasing can shrink a character to a third of its bytes ("\u{212A}" to "k"), so a
        // line over three times the longest such key (and its trimmed colon) is none of them.
        let longest = cleaner.widgets.iter().chain(&cleaner.tail_markers).map(String::len).max();
        cleaner.keyed_bytes = REPEATED_LINE_MAX_BYTES.max(3 * longest.unwrap_or(0) + 8);
        cleaner
    }

    /// Cleans `text`; `outlet` and `history` enable removal of the outlet's repeated lines.
    pub fn clean(&self, text: &str, outlet: Option<&str>, history: &dyn LineHistory) -> Cleaned {
        let mut out = Cleaned::default();
        // (line, block number); blank lines separate blocks.
        let mut lines: Vec<(String, usize)> = Vec::new();
        let mut block = 0;
        for raw in text.lines() {
            let l = raw.trim();
            if l.is_empty() {
                block += 1;
            } else {
                lines.push((l.split_whitespace().collect::<Vec<_>>().join(" "), block));
            }
        }
        let n = lines.len();
        let mut keep = vec![true; n];
        let mut seen_hashes = HashSet::new();
        // Lines dropped as the outlet's repeated boilerplate, decided at the end.
        let mut learned: Vec<(usize, String)> = Vec::new();
        let remove = |keep: &mut Vec<bool>, out: &mut Cleaned, i: usize, line: &str, why: &str| {
            if keep[i] {
                keep[i] = false;
                out.decisions.push(Decision::new(Field::Boilerplate, line, why));
            }
        };
        let mut i = 0;
        while i < n {
            let line = lines[i].0.clone();
            let key = if line.len() <= self.keyed_bytes { line_key(&line) } else { String::new() };
            if line.len() <= REPEATED_LINE_MAX_BYTES {
                let h = xxhash_rust::xxh3::xxh3_64(key.as_bytes());
                if seen_hashes.insert(h) {
                    out.line_hashes.push(h);
                }
                if let Some(outlet) = outlet {
                    let count = history.articles_with_line(outlet, h);
                    if count >= REPEATED_LINE_MIN_ARTICLES {
                        learned.push((
                            i,
                            format!("line repeated in {count} earlier articles of {outlet}"),
                        ));
                        keep[i] = false;
                        i += 1;
                        continue;
                    }
                }
            }
            if out.stamp.is_none() && i < 3 {
                if let Some(stamp) = self.stamps.iter().find_map(|r| r.find(&line)) {
                    let rest =
                        format!("{} {}", &line[..stamp.range.start], &line[stamp.range.end..]);
                    let rest = rest.trim().to_owned();
                    out.decisions.push(Decision::new(
                        Field::Boilerplate,
                        stamp.date.evidence.clone(),
                        "time stamp line (read as the date)",
                    ));
                    out.stamp = Some(stamp);
                    if rest.is_empty() {
                        keep[i] = false;
                    } else {
                        lines[i].0 = rest;
                    }
                    i += 1;
                    continue;
                }
            }
            if i < 12 && self.is_crumb(&line) {
                remove(&mut keep, &mut out, i, &line, "navigation crumb");
            } else if !key.is_empty()
                && (self.widgets.contains(&key) || self.tail_markers.contains(&key))
            {
                let tail = self.tail_markers.contains(&key) && 2 * i >= n;
                let rest: usize = lines[i + 1..].iter().map(|(l, _)| l.len()).sum();
                if tail && rest < 800 {
                    let tail: Vec<String> = lines[i..].iter().map(|(l, _)| l.clone()).collect();
                    for (j, l) in (i..n).zip(tail) {
                        remove(&mut keep, &mut out, j, &l, "teaser block at the end of the page");
                    }
                    break;
                }
                remove(&mut keep, &mut out, i, &line, "page widget");
            } else if self.is_credit(&line) {
                remove(&mut keep, &mut out, i, &line, "photo caption with credit line");
                // Not the first line: that is the headline, even when a credit follows it.
                if i > 1
                    && keep[i - 1]
                    && lines[i - 1].1 == lines[i].1
                    && is_heading_like(&lines[i - 1].0)
                {
                    let prev = lines[i - 1].0.clone();
                    remove(&mut keep, &mut out, i - 1, &prev, "photo caption heading");
                }
            } else if i + 6 >= n {
                let bare = line.trim_start_matches(['-', '•', '*', '–', ' ']);
                if let Some(agencies) = self.agencies(bare) {
                    out.agencies.extend(agencies);
                    remove(&mut keep, &mut out, i, &line, "agency credit line");
                } else if self.source_notes.contains(&line_key(bare)) {
                    remove(&mut keep, &mut out, i, &line, "source note line");
                }
            }
            i += 1;
        }
        // A whole article repeated by its outlet is not boilerplate: keep learned lines when
        // little else would be left.
        let rest: usize = (0..n).filter(|&j| keep[j]).map(|j| lines[j].0.len()).sum();
        if rest < MIN_TEXT_BYTES {
            for (j, _) in &learned {
                keep[*j] = true;
            }
        } else {
            for (j, why) in learned {
                out.decisions.push(Decision::new(Field::Boilerplate, lines[j].0.clone(), why));
            }
        }
        out.lines = lines.into_iter().zip(keep).filter(|(_, k)| *k).map(|((l, _), _)| l).collect();
        if let Some(last) = out.lines.last_mut() {
            if let Some(c) = self.initials.captures(last) {
                let whole = c.get(0).expect("matched");
                out.decisions.push(Decision::new(
                    Field::Boilerplate,
                    whole.as_str().trim(),
                    "author initials",
                ));
                last.truncate(whole.start());
            }
        }
        out
    }

    fn is_crumb(&self, line: &str) -> bool {
        self.crumb.captures(line).is_some_and(|c| {
            let word = line_key(&c[1]);
            self.nav_words.contains(&word)
        })
    }

    fn is_credit(&self, line: &str) -> bool {
        if line.len() > 600 {
            return false;
        }
        let tail_start = line.char_indices().rev().nth(80).map_or(0, |(i, _)| i);
        self.credit_markers.iter().any(|m| {
            if m == "©" {
                line[tail_start..].contains('©')
            } else {
                line.starts_with(m.as_str()) && line.len() < 200
            }
        })
    }

    fn agencies(&self, line: &str) -> Option<Vec<String>> {
        let lower = line.to_lowercase();
        let prefix = self.agency_prefixes.iter().find(|p| lower.starts_with(p.as_str()))?;
        let rest = line[prefix.len()..].trim().trim_end_matches('.');
        if rest.is_empty() || rest.len() > 80 {
            return None;
        }
        let names: Vec<String> = self
            .conjunctions
            .split(rest)
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect();
        (!names.is_empty()).then_some(names)
    }
}

/// Short and without closing punctuation: a heading, not a sentence.
pub fn is_heading_like(line: &str) -> bool {
    line.chars().count() <= 90
        && !line.ends_with(['.', '!', '?', ':', ';', ',', '"', '“', '”', '«', '»'])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::builtin_profiles;

    fn cleaner() -> Cleaner {
        Cleaner::new(&builtin_profiles().unwrap())
    }

    #[test]
    fn removes_crumbs_widgets_captions_and_teasers() {
        let text = "Titel der Seite\n\n  1. Startseite\n  2. Politik\n\nKommentareDrucken\n\nErster Absatz mit Text.\n\nBildtitel hier\nEine Bildunterschrift, die etwas zeigt. © picture alliance/dpa\n\nZweiter Absatz. (sek)\n\nAuch interessant\n\nKommentare\n";
        let c = cleaner().clean(text, None, &NoHistory);
        assert_eq!(c.lines, ["Titel der Seite", "Erster Absatz mit Text.", "Zweiter Absatz."]);
        let why: Vec<&str> = c.decisions.iter().map(|d| d.reason.as_str()).collect();
        assert!(
            why.contains(&"navigation crumb") && why.contains(&"photo caption heading"),
            "{why:?}"
        );
        assert!(why.contains(&"author initials"));
    }

    #[test]
    fn agency_credits_become_outlet_evidence() {
        let text = "Titel\nText eins.\nText zwei.\n- Nachrichtenagenturen dpa und AFP\n- Eigene Recherche\n";
        let c = cleaner().clean(text, None, &NoHistory);
        assert_eq!(c.agencies, ["dpa", "AFP"]);
        assert_eq!(c.lines, ["Titel", "Text eins.", "Text zwei."]);
    }

    struct Seen(u64);
    impl LineHistory for Seen {
        fn articles_with_line(&self, outlet: &str, h: u64) -> u32 {
            if outlet == "x.de" && h == self.0 {
                5
            } else {
                0
            }
        }
    }

    #[test]
    fn learned_outlet_lines_are_removed_only_for_that_outlet() {
        let h = xxhash_rust::xxh3::xxh3_64(line_key("Jetzt unseren Newsletter lesen!").as_bytes());
        let body =
            "Ein Absatz, der lang genug ist, um als eigener Artikeltext zu zählen. ".repeat(4);
        let text = format!("Titel\nJetzt unseren Newsletter lesen!\n{body}");
        assert_eq!(cleaner().clean(&text, Some("x.de"), &Seen(h)).lines, ["Titel", body.trim()]);
        assert_eq!(cleaner().clean(&text, Some("y.de"), &Seen(h)).lines.len(), 3);
        // An article that is nothing but the repeated line keeps it.
        let short = "Titel\nJetzt unseren Newsletter lesen!";
        assert_eq!(cleaner().clean(short, Some("x.de"), &Seen(h)).lines.len(), 2);
    }
}

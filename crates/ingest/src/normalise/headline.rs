//! Headlines of run-together scrapes: plain text whose headline, teaser, byline, dateline and body
//! follow one another on one line ("EU verhängt Einreiseverbot … EU verhängt Einreiseverbot …
//! Von Alex Lantier 30. Juni 2020 Am Freitagabend …").
//!
//! A first line is split where the headline ends, found by the first cue that holds:
//! 1. the headline is **doubled** ("X X …", "X – Site X …", "X Video X …"): the longest opening
//!    of three or more words whose letters and digits come again within a few dozen characters;
//! 2. a **run of spaces** (the scraper's column break), with at least two words before it;
//! 3. otherwise each space between words is scored by what follows and precedes it: a dateline
//!    ("BERLIN (Reuters) –", "Teheran. Iran …"), a lead-in label ("Anzeige"), a byline, a word
//!    that opens sentences but never ends a headline ("The", "Im"), a capital after a lowercase
//!    word; a headline does not end on a function word, a comma or a colon, nor inside quotes.
//!
//! A site name after the headline ("| Nachrichten aus aller Welt", "– Beacon") is dropped when a
//! hard break (a doubled headline, a run of spaces, the line's end) follows it.

use std::collections::HashSet;

use crate::profile::Profile;

/// Titles longer than this are not headlines (the normaliser's own limit).
const MAX_HEADLINE_CHARS: usize = super::MAX_TITLE_CHARS;
/// Candidate headline ends looked at, in words.
const MAX_HEADLINE_WORDS: usize = 40;
/// The second copy of a doubled headline starts within this many letters and digits of the first.
const REPEAT_WINDOW: usize = 80;
/// A doubled headline has at least this many letters and digits.
const MIN_REPEAT_KEY: usize = 15;
/// Words of a headline's end that a shortened repeat must repeat verbatim.
const TAIL_WORDS: usize = 6;
/// Letters and digits those words hold at least.
const MIN_TAIL_KEY: usize = 30;
/// A single-space split is taken only with at least this much evidence.
const MIN_SCORE: f32 = 0.5;
/// A first line this short, with more lines after it, is a headline unless a cue beats
/// [`LINE_END_SCORE`].
const SHORT_LINE_CHARS: usize = 160;
const LINE_END_SCORE: f32 = 2.0;
/// Words of the line's opening that decide whether it is written in title case.
const TITLE_CASE_WINDOW: usize = 12;
/// Headlines longer than this many words lose evidence for each word more.
const LONG_HEADLINE_WORDS: usize = 14;
/// Function words that often open a name rather than a sentence ("New York", "May", "US").
const NAME_OPENERS: &[&str] = &["new", "neue", "neuen", "neuer", "may", "will", "us", "one"];

/// Where a run-together first line was split.
#[derive(Debug, Clone, PartialEq)]
pub struct Split {
    /// The headline.
    pub title: String,
    /// What follows it on the line: the start of the body.
    pub rest: String,
    /// Why the headline ends where it does.
    pub reason: String,
    /// Pieces between headline and body that were dropped, each with why.
    pub dropped: Vec<(String, &'static str)>,
}

/// Finds headlines in run-together lines. Built once from the language profiles.
#[derive(Debug)]
pub struct HeadlineSplitter {
    /// Per language: its frequent function and stop words, lowercase.
    words: Vec<HashSet<String>>,
    /// Byline openings of every language ("Von", "By").
    bylines: Vec<String>,
    /// Labels that open a body but never end a headline ("Anzeige").
    lead_ins: Vec<String>,
    /// Abbreviations of every language, lowercase, with their full stop.
    abbreviations: HashSet<String>,
    /// Function words that can end a clause ("nicht", "an", "up"): a headline may end on them.
    clause_final: HashSet<String>,
    /// Dates as datelines write them, one rule per language.
    datelines: Vec<super::date::DatelineRule>,
}

/// A word of the line with its byte span.
#[derive(Debug, Clone, Copy)]
struct Token<'a> {
    start: usize,
    end: usize,
    text: &'a str,
}

fn tokens(line: &str) -> Vec<Token<'_>> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in line.char_indices() {
        match (c.is_whitespace(), start) {
            (true, Some(s)) => {
                out.push(Token { start: s, end: i, text: &line[s..i] });
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push(Token { start: s, end: line.len(), text: &line[s..] });
    }
    out
}

const OPENERS: &[char] = &['"', '“', '„', '«', '»', '‘', '\'', '‚', '(', '[', '‹', '›'];

/// The word without quotes, brackets and trailing punctuation.
fn core(word: &str) -> &str {
    word.trim_matches(|c: char| !c.is_alphanumeric())
}

fn first_letter(word: &str) -> Option<char> {
    word.trim_start_matches(OPENERS).chars().next()
}

fn is_capitalised(word: &str) -> bool {
    first_letter(word).is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
}

fn is_all_caps(word: &str) -> bool {
    let letters: Vec<char> = word.chars().filter(|c| c.is_alphabetic()).collect();
    letters.len() >= 2 && letters.iter().all(|c| c.is_uppercase())
}

/// Whether quotes and brackets opened in `s` are all closed.
fn balanced(s: &str) -> bool {
    let mut depth = 0i32;
    let mut straight = 0;
    for c in s.chars() {
        match c {
            '(' | '[' | '„' | '“' | '«' => {
                // "“" closes a "„" in German and opens in English: count it as closing when open.
                if c == '“' && depth > 0 {
                    depth -= 1;
                } else {
                    depth += 1;
                }
            }
            ')' | ']' | '”' | '»' => depth -= 1,
            '"' => straight += 1,
            _ => {}
        }
    }
    depth <= 0 && straight % 2 == 0
}

/// Letters and digits of `s`, lowercase, each with the byte range of its source character.
fn key(s: &str) -> (Vec<char>, Vec<(usize, usize)>) {
    let mut chars = Vec::new();
    let mut at = Vec::new();
    for (i, c) in s.char_indices() {
        if c.is_alphanumeric() {
            for l in c.to_lowercase() {
                chars.push(l);
                at.push((i, i + c.len_utf8()));
            }
        }
    }
    (chars, at)
}

impl HeadlineSplitter {
    /// Builds the splitter from the language profiles.
    pub fn new(profiles: &[Profile]) -> HeadlineSplitter {
        let words = profiles
            .iter()
            .map(|p| {
                p.function_words.iter().chain(&p.stop_words).map(|w| w.to_lowercase()).collect()
            })
            .collect();
        let mut bylines: Vec<String> =
            profiles.iter().flat_map(|p| p.byline_prefixes.iter().cloned()).collect();
        bylines.sort_by_key(|b| std::cmp::Reverse(b.len()));
        let mut lead_ins: Vec<String> =
            profiles.iter().flat_map(|p| p.lead_in_labels.iter().cloned()).collect();
        lead_ins.sort_by_key(|b| std::cmp::Reverse(b.len()));
        let abbreviations = profiles
            .iter()
            .flat_map(|p| p.abbreviations.iter().map(|a| a.to_lowercase()))
            .collect();
        let clause_final = profiles
            .iter()
            .flat_map(|p| p.clause_final_words.iter().map(|w| w.to_lowercase()))
            .collect();
        let datelines = profiles.iter().map(super::date::DatelineRule::new).collect();
        HeadlineSplitter { words, bylines, lead_ins, abbreviations, clause_final, datelines }
    }

    /// Whether the line's own words look like running text rather than one headline: it has a
    /// site separator, a sentence end before its end, or is too long for a title.
    pub fn runs_together(line: &str) -> bool {
        let squashed: String = line.split_whitespace().collect::<Vec<_>>().join(" ");
        squashed.contains(" | ")
            || squashed.chars().count() > MAX_HEADLINE_CHARS
            || super::first_sentence_end(&squashed).is_some_and(|e| e < squashed.len())
    }

    /// The language whose function words the line uses most, as an index into the profiles.
    fn language(&self, toks: &[Token]) -> Option<usize> {
        let lower: Vec<String> = toks.iter().map(|t| core(t.text).to_lowercase()).collect();
        let mut best = None;
        let mut best_hits = 0;
        for (i, words) in self.words.iter().enumerate() {
            let hits = lower.iter().filter(|w| words.contains(w.as_str())).count();
            if hits > best_hits {
                best_hits = hits;
                best = Some(i);
            }
        }
        best
    }

    fn is_function_word(&self, lang: Option<usize>, word: &str) -> bool {
        let w = core(word).to_lowercase();
        match lang {
            Some(l) => self.words[l].contains(&w),
            None => self.words.iter().any(|s| s.contains(&w)),
        }
    }

    /// Splits a run-together first line into headline and body. `None` when no cue is strong
    /// enough (the caller then keeps its own rule).
    /// `more_lines`: the text goes on after this line (its end is then a break too).
    pub fn split(&self, line: &str, more_lines: bool) -> Option<Split> {
        let full = line.trim();
        // A headline, its copy and the cues after it stand in the line's opening: only that is
        // read, so a long run of text costs no more than a short one.
        let line = head(full, SCAN_BYTES);
        let cut = &full[line.len()..];
        let toks = tokens(line);
        if toks.len() < 3 {
            return None;
        }
        let repeated = self.doubled(line, &toks).or_else(|| self.doubled_tail(line, &toks));
        let was_repeated = repeated.is_some();
        let mut split = match repeated {
            Some(s) => s,
            None => self.scored(line, &toks, more_lines && cut.is_empty())?,
        };
        split.rest.push_str(cut);
        split.rest = split.rest.trim_end().to_owned();
        if was_repeated {
            drop_more_copies(&mut split);
        }
        for _ in 0..2 {
            if let Some((head, site)) = self.site_suffix(&split.title) {
                split.dropped.insert(0, (site, "site name after the headline"));
                split.title = head;
            }
        }
        self.drop_lead_ins(&mut split);
        (!split.title.is_empty()).then_some(split)
    }

    /// "X X …": the longest opening whose letters come again right after it.
    fn doubled(&self, line: &str, toks: &[Token]) -> Option<Split> {
        let (k, at) = key(line);
        for t in (2..toks.len().min(MAX_HEADLINE_WORDS)).rev() {
            let end = toks[t].end;
            if !toks[t].text.chars().any(char::is_alphanumeric)
                || end > MAX_HEADLINE_CHARS
                || toks[t].text.ends_with('.')
                || self.sentence_ends(&line[..end]) > 0
            {
                continue;
            }
            let n = at.iter().take_while(|(s, _)| *s < end).count();
            if n < MIN_REPEAT_KEY || 2 * n > k.len() {
                continue;
            }
            let window = &k[n..k.len().min(2 * n + REPEAT_WINDOW)];
            let Some(o) = window.windows(n).position(|w| w == &k[..n]) else { continue };
            let second_start = at[n + o].0;
            let second_end = at[n + o + n - 1].1;
            let mut dropped = Vec::new();
            let between = line[end..second_start].trim();
            // Between the copies at most a short label ("Video", "– Site Name"), never prose.
            let words: Vec<&str> = between.split_whitespace().collect();
            if words.len() > 4
                || between.chars().count() > 40
                || words.iter().any(|w| w.chars().next().is_some_and(char::is_lowercase))
            {
                continue;
            }
            if between.chars().any(char::is_alphanumeric) {
                dropped.push((between.to_owned(), "label between the doubled headline"));
            }
            dropped.push((line[second_start..second_end].to_owned(), "headline repeated"));
            return Some(Split {
                title: tidy(&line[..end]),
                rest: line[second_end..].trim_start().to_owned(),
                reason: "headline doubled by the scrape".into(),
                dropped,
            });
        }
        None
    }

    /// "X: A: T B: T′ …": a headline repeated in a shortened form (a notice's kicker and company
    /// name left out the second time). The headline's last words come again right after it, and
    /// the word that follows the headline is one of its own.
    fn doubled_tail(&self, line: &str, toks: &[Token]) -> Option<Split> {
        let (k, at) = key(line);
        for t in TAIL_WORDS + 2..toks.len().min(MAX_HEADLINE_WORDS) {
            let end = toks[t].end;
            if toks[t].text.ends_with('.') || self.sentence_ends(&line[..end]) > 0 {
                continue;
            }
            let tail_start = toks[t + 1 - TAIL_WORDS].start;
            let from = at.iter().take_while(|(s, _)| *s < tail_start).count();
            let n = at.iter().take_while(|(s, _)| *s < end).count();
            if n - from < MIN_TAIL_KEY || !toks[t].text.chars().any(char::is_alphanumeric) {
                continue;
            }
            let Some(b) = toks.get(t + 1) else { continue };
            let b_core = core(b.text);
            if b_core.chars().count() < 3
                || self.is_function_word(None, b_core)
                || !toks[..=t].iter().any(|w| core(w.text) == b_core)
            {
                continue;
            }
            let tail = &k[from..n];
            // The shortened copy is no longer than the headline.
            let window = &k[n..k.len().min(2 * n + 20)];
            let Some(o) = window.windows(tail.len()).position(|w| w == tail) else { continue };
            let second_end = at[n + o + tail.len() - 1].1;
            return Some(Split {
                title: tidy(&line[..end]),
                rest: line[second_end..].trim_start().to_owned(),
                reason: "headline repeated in a shortened form".into(),
                dropped: vec![(line[b.start..second_end].to_owned(), "headline repeated")],
            });
        }
        None
    }

    /// The best single space to split at, by what precedes and follows it.
    fn scored(&self, line: &str, toks: &[Token], more_lines: bool) -> Option<Split> {
        let lang = self.language(toks);
        // Title case: the content words of the opening written with capitals.
        let (mut upper, mut lower) = (0usize, 0usize);
        for w in toks.iter().skip(1).take(TITLE_CASE_WINDOW) {
            if !self.is_function_word(lang, w.text) && core(w.text).chars().any(char::is_alphabetic)
            {
                if is_capitalised(w.text) {
                    upper += 1;
                } else {
                    lower += 1;
                }
            }
        }
        let title_case = upper >= 3 && upper >= 3 * lower;
        let mut best: Option<(f32, usize, &'static str)> = None;
        for t in 0..toks.len().saturating_sub(1).min(MAX_HEADLINE_WORDS) {
            let a = toks[t];
            if a.end > MAX_HEADLINE_CHARS {
                break;
            }
            if t < 2 {
                continue;
            }
            let Some((score, cue)) = self.boundary(line, toks, t, lang, title_case) else {
                continue;
            };
            if best.is_none_or(|(s, _, _)| score > s) {
                best = Some((score, t, cue));
            }
        }
        // A short line that other lines follow is a headline of its own ("… persecution. And so
        // should you. - Itemlive"), unless a stronger cue splits it.
        if more_lines && line.chars().count() <= SHORT_LINE_CHARS {
            let whole = toks.len() - 1;
            if best.is_none_or(|(s, _, _)| s < LINE_END_SCORE) {
                best = Some((LINE_END_SCORE, whole, "the line's end"));
            }
        }
        let (score, t, cue) = best?;
        if score < MIN_SCORE {
            return None;
        }
        if t + 1 == toks.len() {
            return Some(Split {
                title: tidy(line),
                rest: String::new(),
                reason: "the first line is the headline; it holds sentences of its own".into(),
                dropped: Vec::new(),
            });
        }
        let rest = line[toks[t + 1].start..].trim_start().to_owned();
        Some(Split {
            title: tidy(&line[..toks[t].end]),
            reason: format!("the headline ends before {:?} ({cue})", first_words(&rest, 3)),
            rest,
            dropped: Vec::new(),
        })
    }

    /// The evidence that the headline ends after word `t`, with the strongest cue; `None` where
    /// a headline cannot end.
    fn boundary(
        &self,
        line: &str,
        toks: &[Token],
        t: usize,
        lang: Option<usize>,
        title_case: bool,
    ) -> Option<(f32, &'static str)> {
        let (a, b) = (toks[t], toks[t + 1]);
        let next = toks.get(t + 2).map(|t| t.text).unwrap_or("");
        let after = &line[b.start..];
        let left = &line[..a.end];
        let byline = self.byline_at(after).is_some();
        if !is_capitalised(b.text) && !byline || b.text.starts_with('[') {
            return None;
        }
        if a.text.ends_with([',', ':', ';', '–', '-', '—', '/', '&', '+']) && !byline {
            return None;
        }
        // Inside a dateline ("SAN | FRANCISCO") or a date ("01 January 2020, 16:21 | The").
        if is_all_caps(a.text) && is_all_caps(b.text) {
            return None;
        }
        let mut from = a.start.saturating_sub(40);
        while !line.is_char_boundary(from) {
            from -= 1;
        }
        // A date or its time ends in a digit or a clock word.
        let may_end_date = a.text.chars().any(|c| c.is_ascii_digit())
            || matches!(
                core(a.text),
                "Uhr" | "AM" | "PM" | "am" | "pm" | "CET" | "CEST" | "MEZ" | "MESZ" | "GMT" | "UTC"
            );
        let inside_date = may_end_date
            && self.datelines.iter().any(|r| {
                r.find_all(&line[from..a.end]).last().is_some_and(|d| from + d.range.end >= a.end)
            });
        if inside_date {
            return None;
        }
        let mut score = 0.0f32;
        let mut cue = "a capital after the headline";
        let a_core = core(a.text);
        if a.text.ends_with('.') {
            let lower = a.text.to_lowercase();
            if self.abbreviations.contains(&lower) || a_core.chars().count() < 2 {
                return None;
            }
            score -= 1.5;
        }
        // "Mr | Trump": an honorific written without its full stop.
        if self.abbreviations.contains(&format!("{}.", a_core.to_lowercase())) {
            return None;
        }
        // A lead-in label already in the headline: the split is in the body.
        if self.lead_ins.iter().any(|l| left.contains(l.as_str())) {
            score -= 3.0;
        }
        // Sentences ended before the split (past a short kicker such as "Iraq."): the body may
        // have begun.
        score -= self.sentence_ends(left) as f32;
        let german = lang.is_some_and(|l| self.words[l].contains("und"));
        // "It's" opens like "It".
        let b_word = core(b.text).split(['\'', '’']).next().unwrap_or("");
        let starter = (self.is_function_word(lang, b.text) || self.is_function_word(lang, b_word))
            && !is_all_caps(b.text)
            && !NAME_OPENERS.contains(&core(b.text).to_lowercase().as_str());
        let ends_clause = a.text.ends_with(['?', '!', '"', '”', '“', '»', '’', ')'])
            || self.clause_final.contains(&a_core.to_lowercase());
        let lead_in = self.lead_ins.iter().any(|l| after.starts_with(l.as_str()));
        if self.is_function_word(lang, a.text) && !ends_clause && !lead_in {
            score -= if german && starter { 1.0 } else { 2.5 };
        }
        if !balanced(left) {
            score -= 3.0;
        }
        let words = t + 1;
        if words < 4 {
            score -= 1.0;
        }
        if words > LONG_HEADLINE_WORDS {
            score -= 0.2 * (words - LONG_HEADLINE_WORDS) as f32;
        }
        // The two words after the split's first in lowercase: the body's sentence case after a
        // title-case headline ("… Than Original An expert from …").
        let two_after: Vec<&str> = toks[t + 2..].iter().take(2).map(|w| w.text).collect();
        let sentence_case_after = two_after.len() == 2
            && two_after.iter().all(|w| w.chars().next().is_some_and(char::is_lowercase))
            && two_after.iter().any(|w| !self.is_function_word(lang, w));
        let a_lower_word = a.text.chars().next().is_some_and(char::is_lowercase)
            && a.text.chars().last().is_some_and(|c| c.is_lowercase());
        if lead_in {
            score += 3.0;
            cue = "a lead-in label";
        } else if self.is_dateline(toks, t + 1) {
            score += 4.0;
            cue = "a dateline";
        } else if byline {
            score += 4.5;
            cue = "a byline";
        } else if self.datelines.iter().any(|r| {
            r.find_all(head(after, DATE_CHARS)).first().is_some_and(|d| d.range.start == 0)
        }) {
            score += 4.0;
            cue = "a date line";
        } else if is_city_dateline(b.text, next)
            && !self.is_function_word(lang, b.text)
            && (german || !is_capitalised(a.text))
        {
            score += 3.0;
            cue = "a place-name dateline";
        } else if starter {
            score += match (german, title_case) {
                (true, _) => 4.0,
                (false, false) => 2.5,
                (false, true) if sentence_case_after => 2.0,
                (false, true) => 0.5,
            };
            cue = "a word that opens sentences";
        } else if b.text.starts_with(['"', '“', '„', '«', '‘']) && balanced(left) {
            score += 1.0;
            cue = "an opening quote";
        } else if title_case && !german && sentence_case_after {
            score += 1.0;
            cue = "sentence case after a title-case headline";
        } else if a_lower_word
            && !title_case
            && first_letter(b.text).is_some_and(char::is_uppercase)
        {
            score += if german { 0.6 } else { 1.0 };
        }
        // The body opens by naming again what the headline named ("… hammer Kings Clippers
        // forward …").
        let b_core = core(b.text);
        let inside_name = is_capitalised(a.text) && !title_case && !ends_clause;
        if b_core.chars().count() >= 4
            && left.split_whitespace().any(|w| core(w) == b_core)
            && cue == "a capital after the headline"
            && !inside_name
        {
            score += 1.5;
            cue = "the body names again what the headline named";
        }
        Some((score, cue))
    }

    /// "BERLIN (Reuters) –", "LOS ANGELES (CBSLA) —", "JTA —", "MUNICH, Germany, …", "(MENAFN":
    /// capitals followed, within four words, by a bracket, a dash, a colon or a comma.
    fn is_dateline(&self, toks: &[Token], i: usize) -> bool {
        let first = toks[i].text;
        if first.starts_with('(') {
            // "(MENAFN - The Peninsula) Qatar's …", not "(CDU) hat …".
            let close = toks[i..].iter().take(6).position(|t| t.text.contains(')'));
            return is_all_caps(first)
                && close
                    .is_some_and(|c| toks.get(i + c + 1).is_some_and(|t| is_capitalised(t.text)));
        }
        if !is_all_caps(first) || core(first).chars().count() < 3 {
            return false;
        }
        for (j, tok) in toks.iter().enumerate().skip(i).take(5) {
            let w = tok.text;
            if w.ends_with([',', ':']) && (j == i || is_all_caps(w)) {
                return true;
            }
            if matches!(w, "—" | "–" | "-" | "--") || w.starts_with('(') {
                return j > i;
            }
            if j > i && !is_all_caps(w) && !w.starts_with('(') {
                return false;
            }
        }
        false
    }

    /// A byline opening at the start of `s`: its prefix's length.
    fn byline_at(&self, s: &str) -> Option<usize> {
        self.bylines.iter().find_map(|p| {
            let rest = s.strip_prefix(p.as_str())?;
            let name = rest.trim_start();
            let lower_prefix = p.chars().next().is_some_and(char::is_lowercase);
            let mut words = name.split_whitespace();
            let first = words.next()?;
            let capital = first.chars().next().is_some_and(char::is_uppercase);
            // "von"/"by" in lowercase opens a byline only when the name ends in an agency
            // ("von Winfried Wagner/dpa") or the line is short.
            let agency = name.split_whitespace().take(4).any(|w| w.contains('/'));
            (rest.starts_with(' ') && capital && (!lower_prefix || agency)).then_some(p.len())
        })
    }

    /// " | Site", " – Site": a short trailing name, dropped from a headline that a hard break
    /// ends. A bar always separates a site (unless a one-word kicker precedes it); a dash only
    /// before a few capitalised words with no digits and no question.
    pub fn site_suffix(&self, title: &str) -> Option<(String, String)> {
        for sep in [" | ", " – ", " — ", " - ", " :: "] {
            let Some(i) = title.rfind(sep) else { continue };
            let (head, site) = (title[..i].trim(), title[i + sep.len()..].trim());
            let head_words = head.split_whitespace().count();
            let site_words: Vec<&str> = site.split_whitespace().collect();
            if head_words < 3 || site_words.is_empty() || site_words.len() > 6 {
                continue;
            }
            let ok = if sep == " | " {
                true
            } else {
                site_words.len() <= 4
                    && !site.ends_with(['?', '!', '.'])
                    && !site.chars().any(|c| c.is_ascii_digit())
                    && site_words
                        .iter()
                        .all(|w| is_capitalised(w) || matches!(*w, "and" | "of" | "the" | "&"))
                    && (site_words[0] == "The" || !self.is_function_word(None, site_words[0]))
                    || site_words.len() <= 2 && is_all_caps(site)
            };
            if ok {
                return Some((tidy(head), site.to_owned()));
            }
        }
        None
    }

    /// Drops lead-in labels ("Anzeige Anzeige") from the start of the body.
    fn drop_lead_ins(&self, split: &mut Split) {
        while let Some(label) = self.lead_ins.iter().find(|l| {
            split.rest.strip_prefix(l.as_str()).is_some_and(|r| r.is_empty() || r.starts_with(' '))
        }) {
            split.dropped.push((label.clone(), "lead-in label before the body"));
            split.rest = split.rest[label.len()..].trim_start().to_owned();
        }
    }
}

/// A scrape that doubled its headline may carry more copies before the body (a notice's header
/// block: "Ad-hoc: X / Schlagwort(e): … X"): each copy whose last words are the headline's, within
/// a headline's length and a label, goes.
fn drop_more_copies(split: &mut Split) {
    let words: Vec<&str> = split.title.split_whitespace().collect();
    if words.len() < TAIL_WORDS {
        return;
    }
    let (tail, _) = key(&words[words.len() - TAIL_WORDS..].join(" "));
    if tail.is_empty() {
        return;
    }
    let (title_key, _) = key(&split.title);
    for _ in 0..3 {
        let (k, at) = key(&split.rest);
        let limit = k.len().min(title_key.len() + REPEAT_WINDOW + tail.len());
        let Some(o) = k[..limit].windows(tail.len()).position(|w| w == tail.as_slice()) else {
            return;
        };
        let end = at[o + tail.len() - 1].1;
        split.dropped.push((split.rest[..end].to_owned(), "headline repeated"));
        split.rest = split.rest[end..].trim_start().to_owned();
    }
}

/// The text with the first run of two or more spaces (or a tab) in its first line turned into a
/// line break, when at least two words and at most a headline's length come before it: the
/// scraper's column break after the headline ("Joko und Klaas zeigen RTL bei ProSieben  Die
/// Moderatoren …"). `None` when there is no such run.
pub fn break_first_column(text: &str) -> Option<String> {
    let start = text.len() - text.trim_start().len();
    let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    let line = &text[start..line_end];
    let toks = tokens(line);
    let w = toks.windows(2).position(|w| {
        let gap = &line[w[0].end..w[1].start];
        gap.chars().count() >= 2 || gap.contains('\t')
    })?;
    if w < 1 || toks[w].end > MAX_HEADLINE_CHARS {
        return None;
    }
    let cut = start + toks[w].end;
    let resume = start + toks[w + 1].start;
    Some(format!("{}\n{}", &text[..cut], &text[resume..]))
}

/// "Teheran. Iran", "Lüneburg/Hannover. Gerade": a capitalised place name with a full stop,
/// followed by a capitalised word.
fn is_city_dateline(word: &str, next: &str) -> bool {
    let Some(name) = word.strip_suffix('.') else { return false };
    name.chars().count() >= 3
        && name.chars().next().is_some_and(char::is_uppercase)
        && name.chars().all(|c| c.is_alphabetic() || c == '/' || c == '-')
        && name.chars().skip(1).any(char::is_lowercase)
        && is_capitalised(next)
}

impl HeadlineSplitter {
    /// Sentence ends in `s` after a sentence of at least three words.
    fn sentence_ends(&self, s: &str) -> usize {
        let words: Vec<&str> = s.split_whitespace().collect();
        let mut since = 0;
        let mut ends = 0;
        for (i, w) in words.iter().enumerate() {
            since += 1;
            let next_capital = words.get(i + 1).is_some_and(|n| is_capitalised(n));
            if w.ends_with(['.', '!', '?'])
                && next_capital
                && core(w).chars().count() > 2
                && !self.abbreviations.contains(&w.to_lowercase())
            {
                if since >= 3 {
                    ends += 1;
                }
                since = 0;
            }
        }
        ends
    }
}

/// Bytes of a line's opening that the splitter reads.
const SCAN_BYTES: usize = 700;

/// Characters a dateline's date (and its time) takes at most: a date is looked for only there.
pub(crate) const DATE_CHARS: usize = 48;

/// The first `n` bytes of `s`, cut back to a character boundary.
pub(crate) fn head(s: &str, n: usize) -> &str {
    if s.len() <= n {
        return s;
    }
    let mut end = n;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// A headline without the separators a split left at its ends.
fn tidy(s: &str) -> String {
    s.trim().trim_end_matches([' ', '|', '–', '—', '-', ':']).trim().to_owned()
}

fn first_words(s: &str, n: usize) -> String {
    s.split_whitespace().take(n).collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    impl HeadlineSplitter {
        fn split_line(&self, line: &str) -> Option<Split> {
            self.split(line, false)
        }
    }

    fn splitter() -> HeadlineSplitter {
        HeadlineSplitter::new(&crate::profile::builtin_profiles().unwrap())
    }

    fn title(line: &str) -> Option<String> {
        splitter().split(line, false).map(|s| s.title)
    }

    #[test]
    fn a_doubled_headline_ends_where_its_copy_starts() {
        let s = splitter()
            .split_line("EU verhängt Einreiseverbot für US-Bürger wegen Covid-19-Ausbreitung EU verhängt Einreiseverbot für US-Bürger wegen Covid-19-Ausbreitung Von Alex Lantier 30. Juni 2020 Am Freitagabend hat die Europäische Union")
            .unwrap();
        assert_eq!(s.title, "EU verhängt Einreiseverbot für US-Bürger wegen Covid-19-Ausbreitung");
        assert!(s.rest.starts_with("Von Alex Lantier"), "{s:?}");
        let s = splitter()
            .split_line("Gute Nachrichten aus dem Stadtrat – Lokalblatt Gute Nachrichten aus dem Stadtrat Der Rat hat am Montag beschlossen")
            .unwrap();
        assert_eq!(s.title, "Gute Nachrichten aus dem Stadtrat");
        assert_eq!(s.dropped[0].0, "– Lokalblatt");
    }

    #[test]
    fn a_headline_repeated_in_a_shortened_form() {
        let s = splitter()
            .split_line("Ad-hoc: Muster Brau AG: Muster Brau senkt die Prognose für das laufende Geschäftsjahr deutlich Muster Brau AG: senkt die Prognose für das laufende Geschäftsjahr deutlich21.04.2020 / 10:30 Veröffentlichung einer Insiderinformation")
            .unwrap();
        assert_eq!(s.title, "Ad-hoc: Muster Brau AG: Muster Brau senkt die Prognose für das laufende Geschäftsjahr deutlich");
        assert!(s.rest.starts_with("21.04.2020"), "{s:?}");
        // A third copy in a header block goes too.
        let s = splitter()
            .split_line("Ad-hoc: Muster Brau AG: Muster Brau senkt die Prognose für das laufende Geschäftsjahr deutlich Muster Brau AG: senkt die Prognose für das laufende Geschäftsjahr deutlich Ad-hoc: Muster Brau AG / Schlagwort(e): Prognose Muster Brau AG: senkt die Prognose für das laufende Geschäftsjahr deutlich21.04.2020 / 10:30 Veröffentlichung")
            .unwrap();
        assert!(s.rest.starts_with("21.04.2020"), "{s:?}");
    }

    #[test]
    fn a_run_of_spaces_is_a_line_break_and_a_site_name_after_the_headline_goes() {
        let text = "Hafen erweitert die Kaimauer | Nachrichten aus aller Welt  Hamburg - Der Hafen baut\nZweite Zeile";
        let broken = break_first_column(text).unwrap();
        assert_eq!(
            broken,
            "Hafen erweitert die Kaimauer | Nachrichten aus aller Welt\nHamburg - Der Hafen baut\nZweite Zeile"
        );
        let s = splitter()
            .split("Hafen erweitert die Kaimauer | Nachrichten aus aller Welt", true)
            .unwrap();
        assert_eq!(s.title, "Hafen erweitert die Kaimauer");
        assert_eq!(
            s.dropped[0],
            ("Nachrichten aus aller Welt".to_owned(), "site name after the headline")
        );
        // A dash followed by more headline stays.
        assert_eq!(
            splitter().site_suffix("Ein Herz und eine Krone? - Anna und Paul 15 Jahre verheiratet"),
            None
        );
        // One word before the run is no headline.
        assert_eq!(break_first_column("Anzeige  Der Text"), None);
    }

    #[test]
    fn repeated_sentences_are_no_doubled_headline() {
        let line = "Die Regierung hat am Montag neue Maßnahmen beschlossen. ".repeat(4);
        assert!(splitter().split(&line, false).is_none_or(|s| s.title.len() < 80));
    }

    #[test]
    fn datelines_sentence_openers_and_lead_in_labels_start_the_body() {
        assert_eq!(
            title("Bakers protest flour prices in the capital BERLIN (Reuters) - Hundreds of bakers marched"),
            Some("Bakers protest flour prices in the capital".into())
        );
        assert_eq!(
            title("Stadtrat beschließt neuen Haushalt für das kommende Jahr Am Montag hat der Stadtrat beschlossen, dass"),
            Some("Stadtrat beschließt neuen Haushalt für das kommende Jahr".into())
        );
        let s = splitter()
            .split_line("Zoo eröffnet neues Affenhaus nach Umbau Anzeige Anzeige Krefeld. Im Krefelder Zoo ist seit Montag")
            .unwrap();
        assert_eq!(s.title, "Zoo eröffnet neues Affenhaus nach Umbau");
        assert!(s.rest.starts_with("Krefeld. Im"), "{s:?}");
        assert_eq!(
            title("Was ist eigentlich noch erlaubt und was verboten? Lüneburg/Hannover. Gerade ist der Landkreis"),
            Some("Was ist eigentlich noch erlaubt und was verboten?".into())
        );
    }

    #[test]
    fn a_headline_does_not_end_on_a_function_word_or_inside_quotes() {
        // "in | Germany" would end on a function word; the body opens with "The".
        assert_eq!(
            title("Around 1.8mn people in Germany may have been infected: Preliminary study The numbers of new cases continue to decline."),
            Some("Around 1.8mn people in Germany may have been infected: Preliminary study".into())
        );
        assert_eq!(
            title("Polizei meldet „Ruhige Nacht in der Stadt“ Die Beamten waren mit vielen Kräften im Einsatz."),
            Some("Polizei meldet „Ruhige Nacht in der Stadt“".into())
        );
    }

    /// Cut anywhere, with multibyte letters, quotes, dates and separators, a line never panics
    /// the splitter, the column break or the header reader.
    #[test]
    fn any_cut_of_a_hostile_line_is_safe() {
        let sp = splitter();
        let reader =
            super::super::header::HeaderReader::new(&crate::profile::builtin_profiles().unwrap());
        let line = "„Überraschung“: Kärnten – Müller | Blatt  «Zitat» Von Jörg Groß/dpa 24. Mai 2020, 18:44 Uhr BERLIN (Reuters) — Ölpreis 1.2.20: Änderung… ¿Qué? 北京 Dec 31, 2019 | 5:00 AMÄrger";
        let mut cuts: Vec<usize> = line.char_indices().map(|(i, _)| i).collect();
        cuts.push(line.len());
        for &a in &cuts {
            for &b in cuts.iter().filter(|&&b| b >= a).step_by(7) {
                let piece = &line[a..b];
                let doubled = format!("{piece} {piece} Der Text");
                for text in [piece, doubled.as_str()] {
                    let _ = sp.split(text, true);
                    let _ = break_first_column(text);
                    let mut lines = vec![text.to_owned()];
                    let _ = reader.read(&mut lines, &mut Vec::new());
                }
            }
        }
    }

    #[test]
    fn text_without_a_cue_is_left_to_the_caller() {
        assert_eq!(
            title("the quick brown fox jumps over the lazy dog and runs away. it is gone."),
            None
        );
    }
}

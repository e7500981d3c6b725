//! Numbers in digits and in words: "4,8", "10.000", "1 234 567", "½", "zweihundertsechsundfünfzig",
//! "zwei Millionen eintausendeinhundertfünfzig", "drei halbe", "ein halbes Dutzend",
//! "anderthalb Millionen", ordinals ("dritte", "3."), percentages ("rund 2 Prozent").

// Word lists looked up for every word: a fast hasher (keys from the lists, not from input).
use rustc_hash::FxHashMap as HashMap;

use storyline_text::profile::NumberWords;

use crate::timex::scan::{tokenize, Kind, Tok};

/// What a number counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum NumberKind {
    /// A count or amount.
    Cardinal,
    /// A rank ("dritte", "3.").
    Ordinal,
    /// A percentage ("27 %", "zwanzig Prozent"); the value is the percentage.
    Percent,
}

/// One number found in a text, with byte offsets.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct NumberMention {
    /// First byte.
    pub start: usize,
    /// Byte after the end.
    pub end: usize,
    /// Its value.
    pub value: f64,
    /// What it counts.
    pub kind: NumberKind,
    /// Written in words (not digits).
    pub spelled: bool,
    /// For an ordinal counted from the end or the current item ("vorletzte"): the origin
    /// (`end`, `current`) and the offset; its value is then the offset.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relative: Option<(String, i32)>,
}

/// One language's number words, ready for lookup.
#[derive(Debug, Default)]
pub(crate) struct NumberLexicon {
    w: NumberWords,
    units: HashMap<String, u32>,
    teens: HashMap<String, u32>,
    tens: HashMap<String, u32>,
    scales: HashMap<String, f64>,
    fractions: HashMap<String, f64>,
    fraction_words: HashMap<String, f64>,
    multipliers: HashMap<String, f64>,
    ordinal_words: HashMap<String, u32>,
    ordinal_stems: HashMap<String, u32>,
    /// The language's stop words: a capitalised one opens a sentence, it names nobody.
    stop_words: rustc_hash::FxHashSet<String>,
}

fn map<V: Copy>(m: &std::collections::BTreeMap<String, V>) -> HashMap<String, V> {
    m.iter().map(|(k, v)| (k.to_lowercase(), *v)).collect()
}

/// Vulgar fraction characters.
fn vulgar(c: &str) -> Option<f64> {
    Some(match c {
        "½" => 0.5,
        "⅓" => 1.0 / 3.0,
        "⅔" => 2.0 / 3.0,
        "¼" => 0.25,
        "¾" => 0.75,
        "⅕" => 0.2,
        "⅙" => 1.0 / 6.0,
        "⅛" => 0.125,
        _ => return None,
    })
}

impl NumberLexicon {
    pub(crate) fn new(w: &NumberWords, stop_words: &[String]) -> NumberLexicon {
        NumberLexicon {
            stop_words: stop_words.iter().map(|s| s.to_lowercase()).collect(),
            units: map(&w.units),
            teens: map(&w.teens),
            tens: map(&w.tens),
            scales: map(&w.scales),
            fractions: map(&w.fractions),
            fraction_words: map(&w.fraction_words),
            multipliers: map(&w.multipliers),
            ordinal_words: map(&w.ordinal_words),
            ordinal_stems: map(&w.ordinal_stems),
            w: w.clone(),
        }
    }

    fn below_100(&self, s: &str) -> Option<u64> {
        if let Some(v) =
            self.units.get(s).or_else(|| self.teens.get(s)).or_else(|| self.tens.get(s))
        {
            return Some(u64::from(*v));
        }
        let j = self.w.joiner.as_str();
        if j.is_empty() {
            return None;
        }
        let at = s.find(j)?;
        let (unit, ten) = (&s[..at], &s[at + j.len()..]);
        let unit = self.units.get(unit).filter(|u| **u > 0)?;
        let ten = self.tens.get(ten)?;
        Some(u64::from(*unit) + u64::from(*ten))
    }

    fn below_1000(&self, s: &str) -> Option<u64> {
        for h in &self.w.hundred {
            if let Some(at) = s.find(h.as_str()) {
                let (left, right) = (&s[..at], &s[at + h.len()..]);
                let hundreds = if left.is_empty() {
                    1
                } else {
                    u64::from(*self.units.get(left).filter(|u| **u > 0)?)
                };
                let rest = if right.is_empty() { 0 } else { self.below_100(right)? };
                return Some(hundreds * 100 + rest);
            }
        }
        self.below_100(s)
    }

    /// The value of one number word ("dreihundertneunundneunzigtausendfünfhundertneun",
    /// "zweieinhalb", "anderthalb"), or none.
    pub(crate) fn word(&self, s: &str) -> Option<f64> {
        if s.is_empty() {
            return None;
        }
        if let Some(v) = self.fraction_words.get(s) {
            return Some(*v);
        }
        let half = self.w.half_suffix.as_str();
        if !half.is_empty() && s.len() > half.len() {
            if let Some(stem) = s.strip_suffix(half) {
                return self.word(stem).map(|v| v + 0.5);
            }
        }
        for t in &self.w.thousand {
            if let Some(at) = s.rfind(t.as_str()) {
                let (left, right) = (&s[..at], &s[at + t.len()..]);
                let thousands = if left.is_empty() { 1 } else { self.below_1000(left)? };
                let rest = if right.is_empty() { 0 } else { self.below_1000(right)? };
                return Some((thousands * 1000 + rest) as f64);
            }
        }
        self.below_1000(s).map(|v| v as f64)
    }

    /// An ordinal counted from the end or the current item ("vorletzte" → (`end`, -1)).
    pub(crate) fn relative_ordinal(&self, s: &str) -> Option<(String, i32)> {
        for ending in ["e", "er", "en", "es", "em"] {
            if let Some(stem) = s.strip_suffix(ending) {
                if let Some((_, origin, offset)) =
                    self.w.relative_ordinals.iter().find(|(w, ..)| w == stem)
                {
                    return Some((origin.clone(), *offset));
                }
            }
        }
        None
    }

    /// The value of an ordinal word ("dritte", "zwanzigster", "hundertsten", "viert").
    pub(crate) fn ordinal(&self, s: &str) -> Option<f64> {
        if let Some(v) = self.ordinal_words.get(s) {
            return Some(f64::from(*v));
        }
        for ending in ["e", "er", "en", "es", "em"] {
            if let Some(stem) = s.strip_suffix(ending) {
                if let Some(v) = self.ordinal_stems.get(stem) {
                    return Some(f64::from(*v));
                }
            }
        }
        let mut endings: Vec<&String> = self.w.ordinal_endings.iter().collect();
        endings.sort_by_key(|e| std::cmp::Reverse(e.len()));
        for ending in endings {
            let Some(stem) = s.strip_suffix(ending.as_str()) else { continue };
            if stem.is_empty() {
                continue;
            }
            // "-ste" follows tens, hundreds and above ("zwanzigste"), "-te" the rest ("vierte").
            let long = ending.starts_with("st");
            let big = self.tens.keys().any(|t| stem.ends_with(t.as_str()))
                || self
                    .w
                    .hundred
                    .iter()
                    .chain(&self.w.thousand)
                    .any(|h| stem.ends_with(h.as_str()));
            if long != big {
                if let Some(v) =
                    self.scales.get(&format!("{stem}e")).or_else(|| self.scales.get(stem))
                {
                    if long {
                        return Some(*v);
                    }
                }
                continue;
            }
            if let Some(v) = self.word(stem).filter(|v| v.fract() == 0.0 && *v >= 1.0) {
                // "ein-te" is no word; the first is irregular.
                if v == 1.0 && self.units.contains_key(stem) {
                    continue;
                }
                return Some(v);
            }
        }
        None
    }
}

/// Reads the digits at token `i`: "4,8", "10.000", "2.000,352", "1 234 567", "40 000", "1/2".
/// Returns the value and the token after the number.
fn digits(toks: &[Tok], i: usize, lex: &NumberLexicon) -> Option<(f64, usize)> {
    let t = toks.get(i).filter(|t| t.kind == Kind::Num)?;
    let tight = |k: usize| toks.get(k).is_some_and(|t| !t.gap);
    let is = |k: usize, s: &str| toks.get(k).is_some_and(|t| t.lower == s);
    let num3 = |k: usize| toks.get(k).is_some_and(|t| t.kind == Kind::Num && t.lower.len() == 3);
    let mut int = t.lower.clone();
    let mut k = i + 1;
    let group = lex.w.group_separator.as_str();
    let decimal = lex.w.decimal_separator.as_str();
    if t.lower.len() <= 3 {
        if !group.is_empty() && is(k, group) && tight(k) && tight(k + 1) && num3(k + 1) {
            while is(k, group) && tight(k) && tight(k + 1) && num3(k + 1) {
                int.push_str(&toks[k + 1].lower);
                k += 2;
            }
        } else {
            // Groups of three after spaces on one line: "1 234 567", "40 000".
            while toks.get(k).is_some_and(|n| n.gap && !n.newline) && num3(k) {
                int.push_str(&toks[k].lower);
                k += 1;
            }
        }
    }
    let mut value: f64 = int.parse().ok()?;
    if !decimal.is_empty()
        && is(k, decimal)
        && tight(k)
        && tight(k + 1)
        && toks.get(k + 1).is_some_and(|t| t.kind == Kind::Num)
    {
        let frac = &toks[k + 1].lower;
        value = format!("{int}.{frac}").parse().ok()?;
        k += 2;
    } else if is(k, "/")
        && tight(k)
        && tight(k + 1)
        && toks.get(k + 1).is_some_and(|t| t.kind == Kind::Num)
    {
        let d: f64 = toks[k + 1].lower.parse().ok()?;
        if d == 0.0 {
            return None;
        }
        value /= d;
        k += 2;
    }
    Some((value, k))
}

/// Finds numbers in `text`.
pub(crate) fn find(text: &str, lex: &NumberLexicon) -> Vec<NumberMention> {
    let toks = tokenize(text);
    find_in(&toks, lex)
}

/// Whether the capitalised word before token `i` is a name (capitalised mid-sentence), so that
/// a capitalised number word after it is part of the name ("Claudia Tausend").
fn name_before(toks: &[Tok], i: usize, lex: &NumberLexicon) -> bool {
    if i == 0 || !toks[i].cap {
        return false;
    }
    let p = &toks[i - 1];
    p.cap && p.kind == Kind::Word && !lex.stop_words.contains(&p.lower)
}

pub(crate) fn find_in(toks: &[Tok], lex: &NumberLexicon) -> Vec<NumberMention> {
    let mut out = Vec::new();
    let mut i = 0;
    let word = |k: usize| toks.get(k).filter(|t| t.kind == Kind::Word).map(|t| t.lower.as_str());
    while i < toks.len() {
        let t = &toks[i];
        let mut found: Option<(f64, usize, bool, NumberKind)> = None;
        if t.kind == Kind::Num {
            // "t0", "4004-Prozessor" kept; an identifier glued to letters before is no number.
            let glued = i > 0 && !t.gap && toks[i - 1].kind == Kind::Word;
            // Parts of larger tokens: "1.234" read from its group, URL escapes ("%2820").
            let grouped_before = i > 0
                && !t.gap
                && matches!(
                    toks[i - 1].lower.as_str(),
                    "." | "," | "/" | ":" | "%" | "=" | "?" | "&"
                );
            if !glued && !grouped_before {
                if let Some((mut v, mut k)) = digits(toks, i, lex) {
                    // An ordinal: "die 3. Banane" (a full stop, then a word on the same line).
                    // A capitalised word after it may open a new sentence, unless a lowercase
                    // word (an article) stands before the number.
                    let article_before =
                        i > 0 && toks[i - 1].kind == Kind::Word && !toks[i - 1].cap;
                    let ordinal = toks.get(k).is_some_and(|n| n.lower == "." && !n.gap)
                        && toks.get(k + 1).is_some_and(|n| {
                            n.gap
                                && !n.newline
                                && n.kind == Kind::Word
                                && (!n.cap || article_before)
                        })
                        && toks[i].lower.len() <= 3;
                    if ordinal {
                        found = Some((v, k + 1, false, NumberKind::Ordinal));
                    } else {
                        let negative = i > 0
                            && toks[i - 1].lower == "-"
                            && !t.gap
                            && (i == 1 || toks[i - 1].gap);
                        if negative {
                            v = -v;
                        }
                        if let Some(s) = word(k).and_then(|w| lex.scales.get(w)) {
                            v *= s;
                            k += 1;
                            if toks.get(k).is_some_and(|n| n.lower == "." && !n.gap)
                                && word(k - 1).is_some_and(|w| w.len() <= 3)
                            {
                                k += 1;
                            }
                        }
                        let start = if negative { i - 1 } else { i };
                        found = Some((v, k, false, NumberKind::Cardinal));
                        if negative {
                            out.push(NumberMention {
                                start: toks[start].start,
                                end: toks[k - 1].end,
                                value: v,
                                kind: NumberKind::Cardinal,
                                spelled: false,
                                relative: None,
                            });
                            i = k;
                            continue;
                        }
                    }
                }
            }
        } else if t.kind == Kind::Punct {
            if let Some(v) = vulgar(&t.lower) {
                found = Some((v, i + 1, false, NumberKind::Cardinal));
            }
        } else if let Some(v) = spelled(toks, i, lex) {
            found = Some((v.0, v.1, true, NumberKind::Cardinal));
        } else if let Some(v) = lex.ordinal(&t.lower) {
            if !name_before(toks, i, lex) {
                found = Some((v, i + 1, true, NumberKind::Ordinal));
            }
        } else if let Some(rel) = lex.relative_ordinal(&t.lower) {
            let value = f64::from(rel.1);
            out.push(NumberMention {
                start: t.start,
                end: t.end,
                value,
                kind: NumberKind::Ordinal,
                spelled: true,
                relative: Some(rel),
            });
            i += 1;
            continue;
        }
        let Some((v, mut k, spelled_out, mut kind)) = found else {
            i += 1;
            continue;
        };
        let mut value = v;
        // "einhundert Milliardste": a count before an ordinal scale.
        if kind == NumberKind::Cardinal && spelled_out {
            if let Some(o) = toks.get(k).and_then(|n| lex.ordinal(&n.lower)).filter(|o| *o >= 1e6) {
                value *= o;
                kind = NumberKind::Ordinal;
                k += 1;
            }
        }
        if kind == NumberKind::Cardinal {
            if let Some(n) = lex.w.percent.iter().find_map(|p| {
                (toks.get(k).map(|t| t.lower.as_str()) == Some(p.as_str())).then_some(1)
            }) {
                kind = NumberKind::Percent;
                k += n;
            }
        }
        if kind == NumberKind::Cardinal && value.is_nan() {
            value = 0.0;
        }
        out.push(NumberMention {
            start: toks[i].start,
            end: toks[k - 1].end,
            value,
            kind,
            spelled: spelled_out,
            relative: None,
        });
        i = k;
    }
    out
}

/// A number in words from token `i`, with what follows it: "komma drei", "halbe", "und drei
/// Viertel", "Dutzend", "Millionen" and a smaller number after the scale. Value and the token
/// after it.
fn spelled(toks: &[Tok], i: usize, lex: &NumberLexicon) -> Option<(f64, usize)> {
    let word = |k: usize| toks.get(k).filter(|t| t.kind == Kind::Word).map(|t| t.lower.as_str());
    let t = &toks[i];
    let first = lex.word(&t.lower)?;
    // "Claudia Tausend": a capitalised number word after a name is a name.
    if name_before(toks, i, lex) {
        return None;
    }
    let mut value = first;
    let mut k = i + 1;
    // "zwei Komma drei"
    if word(k) == Some(lex.w.decimal_word.as_str()) && !lex.w.decimal_word.is_empty() {
        if let Some(d) = word(k + 1).and_then(|w| lex.word(w)) {
            let digits = format!("{d}");
            value = format!("{first}.{digits}").parse().unwrap_or(value);
            k += 2;
        }
    }
    // "drei halbe", "ein halbes", "zwei Drittel"
    if let Some(f) = word(k).and_then(|w| lex.fractions.get(w)) {
        value *= f;
        k += 1;
    }
    // "fünf und drei Viertel"
    if word(k) == Some(lex.w.joiner.as_str()) {
        if let (Some(n), Some(f)) =
            (word(k + 1).and_then(|w| lex.word(w)), word(k + 2).and_then(|w| lex.fractions.get(w)))
        {
            value += n * f;
            k += 3;
        }
    }
    if let Some(m) = word(k).and_then(|w| lex.multipliers.get(w)) {
        value *= m;
        k += 1;
    }
    if let Some(s) = word(k).and_then(|w| lex.scales.get(w)) {
        value *= s;
        k += 1;
        // "zwei Millionen eintausendeinhundertfünfzig"
        if let Some(rest) = word(k).and_then(|w| lex.word(w)).filter(|r| *r < *s && *r >= 1.0) {
            value += rest;
            k += 1;
        }
    }
    Some((value, k))
}

//! Units after numbers: currencies ("4,8 Millionen Dollar", "usd$ 15", "zwei Euro fünfzig"),
//! measures ("60 Kilometer pro Stunde", "75ml", "4.050 m²"), temperatures ("-5 Grad
//! Fahrenheit") and ages ("5 Jahre alt").

// Word lists looked up for every word: a fast hasher (keys from the lists, not from input).
use rustc_hash::FxHashMap as HashMap;

use storyline_text::profile::UnitWords;

use super::numbers::{NumberKind, NumberMention};
use crate::timex::scan::{tokenize, Kind, Tok};

/// A number with its unit.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Quantity {
    /// First byte (of the number, or of a currency sign before it).
    pub start: usize,
    /// Byte after the unit.
    pub end: usize,
    /// The amount, subunits added ("zwei Euro fünfzig" is 2.5).
    pub value: f64,
    /// The unit's name ("Euro", "Kilometer per hour", "C", "Year").
    pub unit: String,
    /// `currency`, `length`, `area`, `volume`, `weight`, `speed`, `information`, `angle`,
    /// `temperature` or `age`.
    pub kind: String,
}

fn phrase(s: &str) -> Vec<String> {
    tokenize(s).into_iter().map(|t| t.lower).collect()
}

/// One language's units, ready for matching.
#[derive(Debug, Default)]
pub(crate) struct UnitLexicon {
    forms: Vec<(Vec<String>, String, String)>,
    angle_cues: Vec<String>,
    prefixes: Vec<(Vec<String>, String)>,
    subunits: HashMap<String, f64>,
    age_units: HashMap<String, String>,
    age_after: Vec<String>,
    age_before: Vec<Vec<String>>,
}

impl UnitLexicon {
    pub(crate) fn new(w: &UnitWords) -> UnitLexicon {
        let mut forms: Vec<_> =
            w.forms.iter().map(|(f, u, k)| (phrase(f), u.clone(), k.clone())).collect();
        forms.sort_by_key(|(p, ..)| std::cmp::Reverse(p.len()));
        let mut prefixes: Vec<_> = w.prefixes.iter().map(|(f, u)| (phrase(f), u.clone())).collect();
        prefixes.sort_by_key(|(p, _)| std::cmp::Reverse(p.len()));
        UnitLexicon {
            forms,
            angle_cues: w.angle_cues.iter().map(|c| c.to_lowercase()).collect(),
            prefixes,
            subunits: w.subunits.iter().map(|(k, v)| (k.to_lowercase(), *v)).collect(),
            age_units: w.age_units.iter().map(|(k, v)| (k.to_lowercase(), v.clone())).collect(),
            age_after: w.age_after.iter().map(|c| c.to_lowercase()).collect(),
            age_before: w.age_before.iter().map(|p| phrase(p)).collect(),
        }
    }
}

fn matches_at(toks: &[Tok], k: usize, p: &[String]) -> bool {
    !p.is_empty()
        && p.iter().enumerate().all(|(n, w)| toks.get(k + n).is_some_and(|t| &t.lower == w))
}

/// The quantities among `numbers` (found in the same text as `toks`).
pub(crate) fn quantities(
    toks: &[Tok],
    numbers: &[NumberMention],
    lex: &UnitLexicon,
) -> Vec<Quantity> {
    let tok_at = |byte: usize| toks.partition_point(|t| t.start < byte);
    let mut out = Vec::new();
    let mut n = 0;
    while n < numbers.len() {
        let m = &numbers[n];
        n += 1;
        if m.kind != NumberKind::Cardinal {
            continue;
        }
        let (a, b) = (tok_at(m.start), tok_at(m.end));
        // A currency sign or code before the number: "usd$ 15".
        if let Some((p, unit)) =
            lex.prefixes.iter().find(|(p, _)| a >= p.len() && matches_at(toks, a - p.len(), p))
        {
            out.push(Quantity {
                start: toks[a - p.len()].start,
                end: m.end,
                value: m.value,
                unit: unit.clone(),
                kind: "currency".into(),
            });
            continue;
        }
        // "12-Pfund", "12 - Pfund", "siebenhundert-Euro"
        let k = if toks.get(b).is_some_and(|t| t.lower == "-") { b + 1 } else { b };
        // Ages: "5 Jahre alt", "8 Monate her", "im Alter von 95 Jahren".
        if let Some(age) = toks.get(k).and_then(|t| lex.age_units.get(&t.lower)) {
            let after = toks.get(k + 1).is_some_and(|t| lex.age_after.contains(&t.lower));
            let before =
                lex.age_before.iter().any(|p| a >= p.len() && matches_at(toks, a - p.len(), p));
            if after || before {
                let end = if after { toks[k + 1].end } else { toks[k].end };
                out.push(Quantity {
                    start: m.start,
                    end,
                    value: m.value,
                    unit: age.clone(),
                    kind: "age".into(),
                });
                continue;
            }
        }
        let Some((p, unit, kind)) = lex.forms.iter().find(|(p, ..)| matches_at(toks, k, p)) else {
            continue;
        };
        let mut end_tok = k + p.len();
        let mut value = m.value;
        let mut kind = kind.clone();
        if kind == "temperature" && unit == "Degree" {
            // "um 90 Grad drehen", "einen 45 Grad Winkel": an angle.
            let near = toks[a.saturating_sub(3)..(end_tok + 3).min(toks.len())].iter();
            if near.clone().any(|t| lex.angle_cues.iter().any(|c| t.lower.starts_with(c.as_str())))
            {
                kind = "angle".into();
            }
        }
        if kind == "currency" {
            // "zwei Euro fünfzig", "15 Dollar und 15 Cent": the subunit after the unit.
            let mut j = end_tok;
            let joined = toks.get(j).is_some_and(|t| t.lower == "und");
            if joined {
                j += 1;
            }
            if let Some(next) = numbers.get(n).filter(|x| {
                x.kind == NumberKind::Cardinal
                    && tok_at(x.start) == j
                    && x.value < 100.0
                    && x.value >= 1.0
            }) {
                let after = tok_at(next.end);
                let share = toks.get(after).and_then(|t| lex.subunits.get(&t.lower)).copied();
                let sentence_end = toks.get(after).is_none_or(|t| t.kind == Kind::Punct);
                if share.is_some() || sentence_end {
                    value += next.value * share.unwrap_or(0.01);
                    end_tok = if share.is_some() { after + 1 } else { after };
                    n += 1;
                }
            }
        }
        out.push(Quantity {
            start: m.start,
            end: toks[end_tok - 1].end,
            value,
            unit: unit.clone(),
            kind,
        });
    }
    out
}

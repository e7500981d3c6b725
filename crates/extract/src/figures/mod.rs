//! Figures: the numbers a text reports, in digits or words, as counts, ranks or percentages,
//! with their units, and [`FigureFinder`]'s figures: the amounts an article reports with what
//! they count, how approximate they are, and who says so.
//!
//! # Example
//! ```
//! use storyline_extract::figures::{NumberFinder, NumberKind};
//! let finder = NumberFinder::builtin().unwrap();
//! let text = "Seoul identifizierte 10.000 Container mit bis zu 4,8 Millionen Granaten, rund 2 Prozent.";
//! let found: Vec<(f64, NumberKind)> = finder.find(text, Some("de")).iter().map(|n| (n.value, n.kind)).collect();
//! assert_eq!(found, [(10_000.0, NumberKind::Cardinal), (4_800_000.0, NumberKind::Cardinal), (2.0, NumberKind::Percent)]);
//! ```

mod numbers;
mod units;

pub use numbers::{NumberKind, NumberMention};
pub use units::Quantity;

use numbers::NumberLexicon;
use storyline_text::profile::{builtin_profiles, Profile, ProfileError};
use units::UnitLexicon;

/// Finds numbers in the languages of the built-in profiles.
#[derive(Debug)]
pub struct NumberFinder {
    languages: Vec<(String, NumberLexicon, UnitLexicon)>,
    fallback: (NumberLexicon, UnitLexicon),
}

impl NumberFinder {
    /// A finder for the given profiles.
    pub fn new(profiles: &[Profile]) -> NumberFinder {
        let languages = profiles
            .iter()
            .map(|p| {
                (
                    p.code.clone(),
                    NumberLexicon::new(&p.numbers, &p.stop_words),
                    UnitLexicon::new(&p.units),
                )
            })
            .collect();
        NumberFinder { languages, fallback: (NumberLexicon::default(), UnitLexicon::default()) }
    }

    /// A finder for the profiles compiled in.
    pub fn builtin() -> Result<NumberFinder, ProfileError> {
        Ok(NumberFinder::new(&builtin_profiles()?))
    }

    /// The numbers of `text` in text order (digits only for a language without number words).
    pub fn find(&self, text: &str, lang: Option<&str>) -> Vec<NumberMention> {
        numbers::find(text, self.lexicons(lang).0)
    }

    /// The numbers of `text` with a unit, in text order.
    pub fn quantities(&self, text: &str, lang: Option<&str>) -> Vec<Quantity> {
        let (numbers, units) = self.lexicons(lang);
        let toks = crate::timex::scan::tokenize(text);
        units::quantities(&toks, &numbers::find_in(&toks, numbers), units)
    }

    fn lexicons(&self, lang: Option<&str>) -> (&NumberLexicon, &UnitLexicon) {
        lang.and_then(|l| self.languages.iter().find(|(c, ..)| c == l))
            .map_or((&self.fallback.0, &self.fallback.1), |(_, n, u)| (n, u))
    }
}

/// An amount an article reports: "annähernd fünf Millionen Schuss", "bis zu 4,8 Millionen
/// Granaten", "60 Kilometer pro Stunde", "rund 2 Prozent", "100 bis 300".
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Figure {
    /// First byte (of the approximation word when there is one).
    pub start: usize,
    /// Byte after the figure (after its unit or counted noun).
    pub end: usize,
    /// The amount (the lower end of a range).
    pub value: f64,
    /// The upper end of a range.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub high: Option<f64>,
    /// A count or a percentage.
    pub kind: NumberKind,
    /// The unit's name, if any ("Dollar", "Kilometer per hour").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// What is counted, when no unit is: the noun after the number ("Granaten").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub counted: Option<String>,
    /// The approximation or bound before it ("rund", "mehr als", "bis zu").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approximation: Option<String>,
}

/// Finds the figures of an article.
#[derive(Debug)]
pub struct FigureFinder {
    numbers: NumberFinder,
    words: Vec<FigureWords>,
}

/// One language's words around figures.
#[derive(Debug)]
struct FigureWords {
    code: String,
    approximations: Vec<Vec<String>>,
    range_words: Vec<String>,
    openers: Vec<String>,
    joiners: Vec<String>,
}

fn phrase_tokens(p: &str) -> Vec<String> {
    crate::timex::scan::tokenize(p).into_iter().map(|t| t.lower).collect()
}

impl FigureFinder {
    /// A finder for the given profiles.
    pub fn new(profiles: &[Profile]) -> FigureFinder {
        let words = profiles
            .iter()
            .map(|p| {
                let mut approx: Vec<Vec<String>> =
                    p.numbers.approximations.iter().map(|a| phrase_tokens(a)).collect();
                approx.sort_by_key(|a| std::cmp::Reverse(a.len()));
                FigureWords {
                    code: p.code.clone(),
                    approximations: approx,
                    range_words: p.numbers.range_words.clone(),
                    openers: p.numbers.range_openers.clone(),
                    joiners: p.numbers.range_joiners.clone(),
                }
            })
            .collect();
        FigureFinder { numbers: NumberFinder::new(profiles), words }
    }

    /// A finder for the profiles compiled in.
    pub fn builtin() -> Result<FigureFinder, ProfileError> {
        Ok(FigureFinder::new(&builtin_profiles()?))
    }

    /// The figures of `text`, leaving out numbers inside the byte spans of `exclude` (its time
    /// expressions: "2023", "am 12. September", "zwanzig Stunden"), ordinals, and a lone
    /// indefinite article ("eine" Stadt).
    pub fn find(&self, text: &str, lang: Option<&str>, exclude: &[(usize, usize)]) -> Vec<Figure> {
        self.find_tokens(&crate::Tokens::of(text), lang, exclude)
    }

    /// [`FigureFinder::find`] on the text's tokens, made once for every extractor.
    pub fn find_tokens(
        &self,
        tokens: &crate::Tokens,
        lang: Option<&str>,
        exclude: &[(usize, usize)],
    ) -> Vec<Figure> {
        let Some(FigureWords { approximations: approx, range_words, openers, joiners, .. }) =
            self.words.iter().find(|w| Some(w.code.as_str()) == lang)
        else {
            return Vec::new();
        };
        let (numbers, units) = self.numbers.lexicons(lang);
        let (text, toks) = (tokens.text(), &tokens.toks);
        let found = numbers::find_in(toks, numbers);
        let quantities = units::quantities(toks, &found, units);
        let tok_at = |byte: usize| toks.partition_point(|t| t.start < byte);
        let excluded = Overlaps::new(exclude);
        let inside = |s: usize, e: usize| excluded.any(s, e);
        let spans: Vec<(usize, usize)> = quantities.iter().map(|q| (q.start, q.end)).collect();
        let ordered = spans.windows(2).all(|w| w[0].1 <= w[1].0 && w[0].0 < w[0].1);
        let mut out: Vec<Figure> = Vec::new();
        let mut n = 0;
        while n < found.len() {
            let m = &found[n];
            n += 1;
            if m.kind == NumberKind::Ordinal || inside(m.start, m.end) {
                continue;
            }
            let (a, b) = (tok_at(m.start), tok_at(m.end));
            // "eine Stadt": an article, not a figure; "eine Million" is one.
            if m.spelled && b == a + 1 && m.value == 1.0 && m.kind == NumberKind::Cardinal {
                continue;
            }
            let mut fig = Figure {
                start: m.start,
                end: m.end,
                value: m.value,
                high: None,
                kind: m.kind,
                unit: None,
                counted: None,
                approximation: None,
            };
            // "zwischen 10 und 20", "100 bis 300"
            let mut end_tok = b;
            let opened = a > 0 && openers.contains(&toks[a - 1].lower);
            let joins = toks.get(b).is_some_and(|t| {
                if opened {
                    joiners.contains(&t.lower)
                } else {
                    range_words.contains(&t.lower)
                }
            });
            if joins {
                if let Some(next) = found.get(n).filter(|x| {
                    x.kind == m.kind && tok_at(x.start) == b + 1 && !inside(x.start, x.end)
                }) {
                    fig.high = Some(next.value);
                    fig.end = next.end;
                    end_tok = tok_at(next.end);
                    n += 1;
                }
            }
            if opened {
                fig.start = toks[a - 1].start;
            }
            // The unit, or the noun counted: "Granaten" in "4,8 Millionen Granaten".
            let last = found.get(n - 1).map_or(m.start, |x| x.start);
            let unit_of =
                |q: &&units::Quantity| q.start <= last && q.end > last || q.start == m.start;
            let quantity = if ordered {
                // At most one quantity holds `last` and one starts with the number: the earlier.
                let holding = spans.partition_point(|&(_, e)| e <= last);
                let starting = spans.partition_point(|&(s, _)| s < m.start);
                [holding.min(starting), holding.max(starting)]
                    .into_iter()
                    .filter_map(|i| quantities.get(i))
                    .find(unit_of)
            } else {
                quantities.iter().find(unit_of)
            };
            if let Some(q) = quantity {
                fig.unit = Some(q.unit.clone());
                fig.end = fig.end.max(q.end);
                if fig.high.is_none() {
                    fig.value = q.value;
                }
            } else if fig.kind == NumberKind::Cardinal {
                let mut k = end_tok;
                while k < end_tok + 3 && toks.get(k).is_some_and(|t| t.kind == Kind::Word && !t.cap)
                {
                    k += 1;
                }
                if let Some(t) = toks.get(k).filter(|t| {
                    t.kind == Kind::Word && t.cap && !t.newline && k > b.saturating_sub(1)
                }) {
                    if k == end_tok
                        || toks[end_tok..k].iter().all(|x| x.lower.ends_with(['e', 'n', 'r', 's']))
                    {
                        fig.counted = Some(text[t.start..t.end].to_string());
                        fig.end = t.end;
                    }
                }
            }
            // "annähernd", "bis zu", "mehr als" before it.
            if !opened {
                if let Some(p) = approx.iter().find(|p| {
                    a >= p.len()
                        && p.iter().enumerate().all(|(i, w)| toks[a - p.len() + i].lower == *w)
                }) {
                    let s = toks[a - p.len()].start;
                    fig.approximation = Some(text[s..toks[a - 1].end].to_string());
                    fig.start = s;
                }
            }
            // A bare number with nothing counted, no unit and no approximation says little
            // ("Nummer 3", "Platz 10").
            if fig.unit.is_none()
                && fig.counted.is_none()
                && fig.approximation.is_none()
                && fig.kind == NumberKind::Cardinal
            {
                continue;
            }
            out.push(fig);
        }
        out
    }
}

use crate::timex::scan::Kind;

/// Whether a span overlaps any of a set of spans, in logarithmic time: the spans sorted by start
/// with the largest end so far. Testing every time expression for every number made figure
/// finding quadratic in the length of an article (issue 17, row 3).
struct Overlaps {
    starts: Vec<usize>,
    max_end: Vec<usize>,
}

impl Overlaps {
    fn new(spans: &[(usize, usize)]) -> Overlaps {
        let mut sorted = spans.to_vec();
        sorted.sort_unstable();
        let starts = sorted.iter().map(|&(s, _)| s).collect();
        let max_end = sorted
            .iter()
            .scan(0, |m, &(_, e)| {
                *m = (*m).max(e);
                Some(*m)
            })
            .collect();
        Overlaps { starts, max_end }
    }

    /// Whether some span `(a, b)` has `s < b && a < e`.
    fn any(&self, s: usize, e: usize) -> bool {
        let before = self.starts.partition_point(|&a| a < e);
        before > 0 && self.max_end[before - 1] > s
    }
}

#[cfg(test)]
mod tests;

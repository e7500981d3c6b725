//! Search terms: the strings a full-text index stores for an article and looks up for a query.
//!
//! An article's terms are its lowercase words without stop words (Latin diacritics folded), the
//! Snowball stem of each, and, for German compounds, the stems of their parts when the part is a
//! known noun form ("Heizungsgesetzes" also gives `gesetz` and `heizung`), so that a search for
//! "Gesetz" finds it. A query word matches any of its own token and stems, in every language
//! asked for.

use std::collections::HashSet;
use std::sync::OnceLock;

use crate::analyze::{fold, is_cjk, Analyzer, Lang};

/// German noun forms (Wiktionary, via the german-nouns package; see resources/entities/README.md).
const DE_NOUNS: &str = include_str!("../../../resources/entities/de-nouns.txt");

fn de_nouns() -> &'static HashSet<&'static str> {
    static NOUNS: OnceLock<HashSet<&'static str>> = OnceLock::new();
    NOUNS.get_or_init(|| DE_NOUNS.lines().filter(|l| !l.is_empty()).collect())
}

/// Whether `word` (any case) is a German noun form in the Wiktionary lists.
pub fn is_german_noun(word: &str) -> bool {
    de_nouns().contains(word.to_lowercase().as_str())
}

/// Shortest head or modifier of a compound, in characters.
const MIN_PART: usize = 4;

/// Distinct words of a query that count; later ones are left out (see `Analyzer::query_terms`).
pub const MAX_QUERY_WORDS: usize = 32;

/// Shortest word tried as a compound, in characters.
const MIN_COMPOUND: usize = 8;

/// The words of a text, each a maximal run of letters and digits; a run of Han or kana script
/// gives its overlapping character pairs instead.
fn words(text: &str, mut each: impl FnMut(&str)) {
    let mut start = None;
    let mut prev_cjk: Option<usize> = None;
    for (i, c) in text.char_indices() {
        if is_cjk(c) {
            if let Some(s) = start.take() {
                each(&text[s..i]);
            }
            if let Some(p) = prev_cjk {
                each(&text[p..i + c.len_utf8()]);
            }
            prev_cjk = Some(i);
            continue;
        }
        prev_cjk = None;
        if c.is_alphanumeric() {
            start.get_or_insert(i);
        } else if let Some(s) = start.take() {
            each(&text[s..i]);
        }
    }
    if let Some(s) = start {
        each(&text[s..]);
    }
}

fn stem_of(lang: &Lang, lower: &str) -> String {
    if lower.bytes().all(|b| b.is_ascii_digit()) {
        fold(lower).into_owned()
    } else {
        lang.with_stem(lower, str::to_string)
    }
}

/// The known-noun parts of a German compound, head first: `(head, modifier)`, the modifier
/// present only when it is a noun too (after its linking element is taken off).
fn compound_parts<'w>(word: &'w str, links: &[String]) -> Option<(&'w str, Option<&'w str>)> {
    if word.chars().count() < MIN_COMPOUND {
        return None;
    }
    let nouns = de_nouns();
    for (at, _) in word.char_indices().skip(MIN_PART) {
        let (modifier, head) = word.split_at(at);
        if head.chars().count() < MIN_PART || !nouns.contains(head) {
            continue;
        }
        let stripped = links
            .iter()
            .filter_map(|l| modifier.strip_suffix(l.as_str()))
            .chain(std::iter::once(modifier))
            .find(|m| m.chars().count() >= MIN_PART - 1 && nouns.contains(m));
        return Some((head, stripped));
    }
    None
}

impl Analyzer {
    /// Appends the search terms of `text`, written in `lang`, to `out`, separated by spaces.
    pub fn search_terms(&self, text: &str, lang: Option<&str>, out: &mut String) {
        let profile = lang.and_then(|l| self.langs.get(l));
        let german = lang == Some("de");
        let push = |term: &str, out: &mut String| {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(term);
        };
        words(text, |word| {
            let lower = word.to_lowercase();
            if profile.is_some_and(|p| p.stop.contains(lower.as_str())) {
                return;
            }
            let folded = fold(&lower);
            push(&folded, out);
            let Some(p) = profile else { return };
            let stem = stem_of(p, &lower);
            if stem != folded {
                push(&stem, out);
            }
            if german {
                if let Some((head, modifier)) = compound_parts(&lower, &p.links) {
                    push(&stem_of(p, head), out);
                    if let Some(m) = modifier {
                        push(&stem_of(p, m), out);
                    }
                }
            }
        });
    }

    /// The terms of a query, one group per word: a document matches a word when it holds any
    /// term of its group. Stems are taken in each of `langs`; stop words of all of them are
    /// dropped unless the query has nothing else. A word repeated gives one group, and only the
    /// first [`MAX_QUERY_WORDS`] distinct words count, so the work of a query is bounded
    /// whatever its length (issue 17, row 2: `Wien` a thousand times took 50 seconds).
    pub fn query_terms(&self, query: &str, langs: &[&str]) -> Vec<Vec<String>> {
        let profiles: Vec<&Lang> = langs.iter().filter_map(|l| self.langs.get(*l)).collect();
        let mut groups: Vec<Vec<String>> = Vec::new();
        let mut stops: Vec<Vec<String>> = Vec::new();
        let mut seen = HashSet::new();
        words(query, |word| {
            if seen.len() >= MAX_QUERY_WORDS {
                return;
            }
            let lower = word.to_lowercase();
            if !seen.insert(lower.clone()) {
                return;
            }
            let mut group = vec![fold(&lower).into_owned()];
            for p in &profiles {
                let stem = stem_of(p, &lower);
                if !group.contains(&stem) {
                    group.push(stem);
                }
            }
            if profiles.iter().any(|p| p.stop.contains(lower.as_str())) {
                stops.push(group);
            } else {
                groups.push(group);
            }
        });
        if groups.is_empty() {
            stops
        } else {
            groups
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(text: &str, lang: &str) -> Vec<String> {
        let mut out = String::new();
        Analyzer::builtin().unwrap().search_terms(text, Some(lang), &mut out);
        out.split(' ').map(str::to_string).collect()
    }

    #[test]
    fn german_words_give_token_stem_and_compound_parts() {
        let t = terms("Das Heizungsgesetzes der Raketen", "de");
        assert!(!t.contains(&"das".to_string()), "stop word: {t:?}");
        assert!(t.contains(&"heizungsgesetzes".to_string()), "{t:?}");
        assert!(t.contains(&"gesetz".to_string()), "head of the compound: {t:?}");
        assert!(t.contains(&"heizung".to_string()), "modifier without its link: {t:?}");
        assert!(t.contains(&"raket".to_string()), "{t:?}");
    }

    #[test]
    fn a_query_word_matches_in_any_language_asked_for() {
        let a = Analyzer::builtin().unwrap();
        let q = a.query_terms("Raketen und Gesetz", &["de", "en"]);
        assert_eq!(q.len(), 2, "stop word dropped: {q:?}");
        assert!(q[0].contains(&"raket".to_string()));
        assert!(terms("Das Heizungsgesetz", "de").iter().any(|t| q[1].contains(t)));
        assert_eq!(a.query_terms("und", &["de"]), vec![vec!["und".to_string()]]);
    }

    #[test]
    fn a_repeated_query_word_is_one_group_and_long_queries_are_cut() {
        let a = Analyzer::builtin().unwrap();
        let once = a.query_terms("Wien", &["de", "en"]);
        let repeated = vec!["Wien"; 3_000].join(" ") + " WIEN wien";
        assert_eq!(a.query_terms(&repeated, &["de", "en"]), once);
        let many: Vec<String> = (0..1_000).map(|i| format!("wort{i}")).collect();
        let groups = a.query_terms(&many.join(" "), &["de"]);
        assert_eq!(groups.len(), MAX_QUERY_WORDS);
        assert_eq!(groups[0][0], "wort0");
    }

    #[test]
    fn han_script_gives_character_pairs() {
        let mut seen = Vec::new();
        words("普京访问 Kim", |w| seen.push(w.to_string()));
        assert_eq!(seen, ["普京", "京访", "访问", "Kim"]);
    }
}

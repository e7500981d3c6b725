//! Search snippets: the sentence of a hit that matches most of the query's words, with the
//! matching words marked.

use crate::contract::Snippet;
use storyline_text::Analyzer;

/// The best sentence so far: `(words matched, start, end, marks)`.
type Best = (usize, usize, usize, Vec<(usize, usize)>);

/// Longest snippet, in characters.
const SNIPPET_CHARS: usize = 280;

/// Whether `word` (in `lang`) matches a term of `group`: cheaply ruled out unless it contains one
/// of the terms, then decided by its own search terms (stems and compound parts).
fn matches(
    analyzer: &Analyzer,
    word: &str,
    lang: Option<&str>,
    group: &[String],
    buf: &mut String,
) -> bool {
    let lower = word.to_lowercase();
    if !group.iter().any(|t| t.chars().count() >= 2 && lower.contains(t.as_str())) {
        return false;
    }
    buf.clear();
    analyzer.search_terms(word, lang, buf);
    buf.split(' ').any(|t| group.iter().any(|g| g == t))
}

/// The words of a text with their byte ranges.
fn words(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.split_inclusive(|c: char| !c.is_alphanumeric())
        .scan(0, |at, piece| {
            let start = *at;
            *at += piece.len();
            let word = piece.trim_end_matches(|c: char| !c.is_alphanumeric());
            Some((start, word))
        })
        .filter(|(_, w)| !w.is_empty())
}

/// The snippet of `text` for the query `groups`: its text, its byte `start` and `end` in the
/// article, and `marks`, byte ranges within the snippet text of the words that match.
pub fn snippet(
    analyzer: &Analyzer,
    text: &str,
    lang: Option<&str>,
    groups: &[Vec<String>],
) -> Option<Snippet> {
    let mut buf = String::new();
    let mut best: Option<Best> = None;
    for (s, e) in storyline_text::sentences(text, &[]) {
        let sentence = &text[s..e];
        let mut hit_groups = vec![false; groups.len()];
        let mut marks = Vec::new();
        for (at, word) in words(sentence) {
            for (g, group) in groups.iter().enumerate() {
                if matches(analyzer, word, lang, group, &mut buf) {
                    hit_groups[g] = true;
                    marks.push((at, at + word.len()));
                    break;
                }
            }
        }
        let score = hit_groups.iter().filter(|h| **h).count();
        if score > 0 && best.as_ref().is_none_or(|b| score > b.0) {
            best = Some((score, s, e, marks));
            if score == groups.len() {
                break;
            }
        }
    }
    let (_, s, e, marks) = best?;
    let sentence = &text[s..e];
    // Long sentences are cut after the last mark that fits.
    let cut = sentence.char_indices().nth(SNIPPET_CHARS).map_or(sentence.len(), |(i, _)| i);
    let marks: Vec<(usize, usize)> = marks.into_iter().filter(|m| m.1 <= cut).collect();
    Some(Snippet { text: sentence[..cut].to_string(), start: s, end: s + cut, marks })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sentence_matching_most_words_is_chosen_and_its_words_marked() {
        let a = Analyzer::builtin().unwrap();
        let text =
            "Kim reiste ab. Seoul zählte 10.000 Schiffscontainer mit Granaten. Dann war Ruhe.";
        let groups = a.query_terms("Container Granate", &["de"]);
        let v = snippet(&a, text, Some("de"), &groups).unwrap();
        let s = v.text.as_str();
        assert!(s.starts_with("Seoul"), "{v:?}");
        let marked: Vec<&str> = v.marks.iter().map(|m| &s[m.0..m.1]).collect();
        assert_eq!(marked, ["Schiffscontainer", "Granaten"]);
        assert!(snippet(&a, text, Some("de"), &a.query_terms("Raumfahrt", &["de"])).is_none());
    }
}

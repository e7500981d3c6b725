//! Extractive summaries: the sentences that say what most of an event's reports say, each once.
//!
//! A sentence scores by how many of the event's independent reports share its words (a word
//! counts once per report), averaged over its words, with a bonus for coming early in its
//! article, where news puts what matters. Sentences are picked best first; a sentence whose words
//! overlap a picked one too much says the same fact again and is passed over, so a fact carried
//! by several outlets appears once.

use std::collections::{HashMap, HashSet};

/// A sentence that may go into a summary.
#[derive(Debug, Clone)]
pub struct Candidate<'a> {
    /// Which report it is from (index into the event's independent reports).
    pub doc: usize,
    /// Its position in that report (0 = first).
    pub position: usize,
    /// First byte in the report's text.
    pub start: usize,
    /// Byte after the end.
    pub end: usize,
    /// The sentence.
    pub text: &'a str,
    /// Its content words, lowercase.
    pub words: Vec<String>,
}

/// Fewest content words of a summary sentence.
const MIN_WORDS: usize = 5;
/// Most content words of a summary sentence.
const MAX_WORDS: usize = 45;
/// Word overlap (Jaccard) at which a sentence repeats a picked one.
const REPEAT: f32 = 0.35;
/// Weight of coming first in the article.
const LEAD: f32 = 0.5;

/// Up to `n` sentences, in the order a reader should meet them: by report, then position.
pub fn summarise<'a>(candidates: &[Candidate<'a>], n: usize) -> Vec<Candidate<'a>> {
    let mut spread: HashMap<&str, HashSet<usize>> = HashMap::new();
    for c in candidates {
        for w in &c.words {
            spread.entry(w.as_str()).or_default().insert(c.doc);
        }
    }
    let docs = candidates.iter().map(|c| c.doc + 1).max().unwrap_or(1) as f32;
    let score = |c: &Candidate<'_>| {
        // Summed in word order, not a hash set's: the same sentences get the same scores in
        // every run, to the last bit, so ties fall the same way.
        let mut unique: Vec<&str> = c.words.iter().map(String::as_str).collect();
        unique.sort_unstable();
        unique.dedup();
        let shared: f32 =
            unique.iter().map(|w| spread.get(w).map_or(0, HashSet::len) as f32 / docs).sum();
        shared / (unique.len() as f32).sqrt() + LEAD / (1.0 + c.position as f32)
    };
    let mut ranked: Vec<(f32, &Candidate<'a>)> = candidates
        .iter()
        .filter(|c| (MIN_WORDS..=MAX_WORDS).contains(&c.words.len()))
        .filter(|c| !is_fragment(c.text))
        .map(|c| (score(c), c))
        .collect();
    ranked.sort_by(|a, b| {
        b.0.total_cmp(&a.0).then((a.1.doc, a.1.position).cmp(&(b.1.doc, b.1.position)))
    });
    let mut picked: Vec<&Candidate<'a>> = Vec::new();
    for (_, c) in ranked {
        if picked.len() == n {
            break;
        }
        if picked.iter().all(|p| overlap(&p.words, &c.words) < REPEAT) {
            picked.push(c);
        }
    }
    picked.sort_by_key(|c| (c.doc, c.position));
    picked.into_iter().cloned().collect()
}

/// A line that is not a sentence of the story: no final punctuation, or a question to readers.
fn is_fragment(text: &str) -> bool {
    let end = text.trim_end_matches(['"', '“', '”', '«', '»', '\'', ')']);
    !end.ends_with(['.', '!'])
}

fn overlap(a: &[String], b: &[String]) -> f32 {
    let a: HashSet<&str> = a.iter().map(String::as_str).collect();
    let b: HashSet<&str> = b.iter().map(String::as_str).collect();
    let union = a.union(&b).count();
    if union == 0 {
        return 0.0;
    }
    a.intersection(&b).count() as f32 / union as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cand(doc: usize, position: usize, text: &'static str) -> Candidate<'static> {
        let words = text
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| w.len() >= 3)
            .map(str::to_lowercase)
            .collect();
        Candidate { doc, position, start: 0, end: text.len(), text, words }
    }

    #[test]
    fn a_fact_carried_by_two_outlets_appears_once_and_shared_facts_win() {
        let cs = vec![
            cand(0, 0, "Kim Jong Un traf Putin am Mittwoch im Kosmodrom Wostotschny."),
            cand(1, 0, "Putin traf Kim Jong Un am Mittwoch im Kosmodrom Wostotschny im Osten."),
            cand(0, 1, "Die beiden sprachen über Munition und Raketen für den Krieg."),
            cand(1, 3, "Ein Reporter wartete lange vor dem Tor in der Kälte dort."),
            cand(1, 1, "Mehr dazu lesen Sie hier"),
        ];
        let s = summarise(&cs, 2);
        assert_eq!(s.len(), 2);
        let meeting = s.iter().filter(|c| c.text.contains("Kosmodrom")).count();
        assert_eq!(meeting, 1, "the meeting once: {s:?}");
        assert!(s.iter().all(|c| !c.text.contains("Reporter") && !c.text.contains("Mehr dazu")));
    }
}

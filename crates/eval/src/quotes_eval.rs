//! Quality of quotation attribution on the German WikiNews quotation corpus
//! (Petersen-Frey and Biemann 2024): quotes matched one to one by span overlap, then
//! token-overlap precision, recall and F1 for the quote (`message_*`) and the speaker
//! (`source_*`), overall and per gold type.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use serde::Deserialize;
use serde_json::{json, Value};
use storyline_extract::quotes::QuoteFinder;

use crate::metrics::Prf;

#[derive(Debug, Deserialize)]
struct Role {
    #[serde(default)]
    spans: Vec<(usize, usize)>,
}

#[derive(Debug, Deserialize)]
struct GoldQuote {
    quote: Role,
    speaker: Role,
    #[serde(rename = "type")]
    kind: String,
}

#[derive(Debug, Deserialize)]
struct Article {
    text: String,
    #[serde(default)]
    quotes: Vec<GoldQuote>,
}

/// Start offsets (in characters) of the word tokens of `text`: runs of letters or digits.
fn token_starts(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut n = 0;
    for c in text.chars() {
        if c.is_alphanumeric() {
            if start.is_none() {
                start = Some(n);
            }
        } else if let Some(s) = start.take() {
            out.push((s, n));
        }
        n += 1;
    }
    if let Some(s) = start {
        out.push((s, n));
    }
    out
}

/// The tokens (by start) inside any of `spans` (character offsets).
fn tokens_in(tokens: &[(usize, usize)], spans: &[(usize, usize)]) -> HashSet<usize> {
    tokens
        .iter()
        .filter(|(s, e)| spans.iter().any(|(a, b)| *s >= *a && *e <= *b))
        .map(|(s, _)| *s)
        .collect()
}

/// Token counts of one role: overlap of matched pairs, all predicted, all gold.
#[derive(Debug, Default, Clone, Copy)]
pub struct RoleCounts {
    /// Tokens shared by matched predicted and gold quotes.
    pub overlap: u64,
    /// Tokens of every predicted quote.
    pub predicted: u64,
    /// Tokens of every gold quote.
    pub gold: u64,
}

impl RoleCounts {
    /// Precision, recall and F1 of the counts.
    pub fn prf(&self) -> Prf {
        Prf::from_counts(self.overlap, self.predicted, self.gold)
    }
}

/// One quote as token sets of its two roles, with its type.
#[derive(Debug, Clone)]
pub struct Tokens {
    /// Tokens of the quote.
    pub message: HashSet<usize>,
    /// Tokens of the speaker span.
    pub source: HashSet<usize>,
    /// Its type.
    pub kind: String,
}

fn role(t: &Tokens, r: usize) -> &HashSet<usize> {
    if r == 0 {
        &t.message
    } else {
        &t.source
    }
}

/// Adds one article: predicted against gold quotes, matched one to one by the number of
/// shared message tokens, largest first. Counts go to `all` and to the gold type (predictions
/// left unmatched to their own type).
pub fn add_article(
    predicted: &[Tokens],
    gold: &[Tokens],
    all: &mut [RoleCounts; 2],
    per_type: &mut BTreeMap<String, [RoleCounts; 2]>,
) {
    let mut pairs: Vec<(usize, usize, usize)> = Vec::new();
    for (i, p) in predicted.iter().enumerate() {
        for (j, g) in gold.iter().enumerate() {
            let shared = p.message.intersection(&g.message).count();
            if shared > 0 {
                pairs.push((shared, i, j));
            }
        }
    }
    pairs.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let mut p_taken = vec![None; predicted.len()];
    let mut g_taken = vec![false; gold.len()];
    for (_, i, j) in pairs {
        if p_taken[i].is_none() && !g_taken[j] {
            p_taken[i] = Some(j);
            g_taken[j] = true;
        }
    }
    for r in 0..2 {
        for (i, p) in predicted.iter().enumerate() {
            let n = role(p, r).len() as u64;
            all[r].predicted += n;
            let kind = p_taken[i].map_or(p.kind.clone(), |j| gold[j].kind.clone());
            let t = per_type.entry(kind).or_default();
            t[r].predicted += n;
            if let Some(j) = p_taken[i] {
                let shared = role(p, r).intersection(role(&gold[j], r)).count() as u64;
                all[r].overlap += shared;
                t[r].overlap += shared;
            }
        }
        for g in gold {
            let n = role(g, r).len() as u64;
            all[r].gold += n;
            per_type.entry(g.kind.clone()).or_default()[r].gold += n;
        }
    }
}

fn prf_json(prefix: &str, p: Prf) -> [(String, Value); 3] {
    [
        (format!("{prefix}_precision"), json!(p.precision)),
        (format!("{prefix}_recall"), json!(p.recall)),
        (format!("{prefix}_f1"), json!(p.f1)),
    ]
}

/// Scores the quote finder on a JSONL file of the corpus.
pub fn quotes(path: &Path, finder: &QuoteFinder) -> Result<Value, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut all = [RoleCounts::default(); 2];
    let mut per_type = BTreeMap::new();
    let (mut articles, mut gold_quotes, mut predicted_quotes) = (0, 0, 0);
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let a: Article =
            serde_json::from_str(line).map_err(|e| format!("{}:{}: {e}", path.display(), n + 1))?;
        let tokens = token_starts(&a.text);
        // Byte offsets of the finder to character offsets of the corpus.
        let mut char_of = vec![0usize; a.text.len() + 1];
        let mut count = 0;
        for (b, c) in a.text.char_indices() {
            for slot in char_of.iter_mut().skip(b).take(c.len_utf8()) {
                *slot = count;
            }
            count += 1;
        }
        char_of[a.text.len()] = count;
        let predicted: Vec<Tokens> = finder
            .find(&a.text, Some("de"))
            .into_iter()
            .map(|q| Tokens {
                message: tokens_in(&tokens, &[(char_of[q.start], char_of[q.end])]),
                source: q.speaker.map_or_else(HashSet::new, |(s, e)| {
                    tokens_in(&tokens, &[(char_of[s], char_of[e])])
                }),
                kind: q.kind.as_str().to_string(),
            })
            .collect();
        let gold: Vec<Tokens> = a
            .quotes
            .iter()
            .map(|q| Tokens {
                message: tokens_in(&tokens, &q.quote.spans),
                source: tokens_in(&tokens, &q.speaker.spans),
                kind: q.kind.clone(),
            })
            .collect();
        articles += 1;
        gold_quotes += gold.len();
        predicted_quotes += predicted.len();
        add_article(&predicted, &gold, &mut all, &mut per_type);
    }
    let mut metrics = serde_json::Map::new();
    for (k, v) in
        prf_json("message", all[0].prf()).into_iter().chain(prf_json("source", all[1].prf()))
    {
        metrics.insert(k, v);
    }
    let per_type: serde_json::Map<String, Value> = per_type
        .into_iter()
        .map(|(kind, c)| {
            let m: serde_json::Map<String, Value> = prf_json("message", c[0].prf())
                .into_iter()
                .chain(prf_json("source", c[1].prf()))
                .collect();
            (kind, Value::Object(m))
        })
        .collect();
    metrics.insert("per_type".into(), Value::Object(per_type));
    metrics.insert("articles".into(), json!(articles));
    metrics.insert("gold_quotes".into(), json!(gold_quotes));
    metrics.insert("predicted_quotes".into(), json!(predicted_quotes));
    Ok(Value::Object(metrics))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(message: &[usize], source: &[usize], kind: &str) -> Tokens {
        Tokens {
            message: message.iter().copied().collect(),
            source: source.iter().copied().collect(),
            kind: kind.into(),
        }
    }

    #[test]
    fn token_overlap_after_one_to_one_matching() {
        // Gold: two quotes. Predicted: one overlapping the first (3 of 4 tokens, plus 1 extra),
        // with a speaker half right; one false alarm.
        let gold = vec![t(&[1, 2, 3, 4], &[10, 11], "Direct"), t(&[20, 21], &[30], "Indirect")];
        let predicted = vec![t(&[2, 3, 4, 5], &[11], "Direct"), t(&[40, 41], &[], "Indirect")];
        let mut all = [RoleCounts::default(); 2];
        let mut per_type = BTreeMap::new();
        add_article(&predicted, &gold, &mut all, &mut per_type);
        assert_eq!((all[0].overlap, all[0].predicted, all[0].gold), (3, 6, 6));
        assert_eq!((all[1].overlap, all[1].predicted, all[1].gold), (1, 1, 3));
        assert!((all[0].prf().f1 - 0.5).abs() < 1e-9);
        assert_eq!(per_type["Indirect"][0].gold, 2);
        assert_eq!(per_type["Indirect"][0].overlap, 0);
    }

    #[test]
    fn tokens_are_counted_in_characters() {
        let tokens = token_starts("Er sagte: „Ja, gut.“");
        assert_eq!(tokens, [(0, 2), (3, 8), (11, 13), (15, 18)]);
        assert_eq!(tokens_in(&tokens, &[(10, 20)]).len(), 2);
    }
}

//! Quality of named entities on the GermEval 2014 development set: strict span F1 on the outer
//! level, overall and per class.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use serde_json::{json, Value};
use storyline_extract::entities::{EntityFinder, TaggedSentence, TaggerModel};

use crate::metrics::Prf;

/// One sentence: its tokens and the gold outer mentions as token spans with labels.
#[derive(Debug, Clone, PartialEq)]
pub struct Sentence {
    /// The tokens.
    pub tokens: Vec<String>,
    /// `(first token, token after the last, label)`.
    pub gold: Vec<(usize, usize, String)>,
}

/// Reads the GermEval TSV layout: a `#` line, then `index<TAB>token<TAB>outer<TAB>inner` lines,
/// a blank line between sentences.
pub fn parse_germeval(text: &str) -> Vec<Sentence> {
    let mut out = Vec::new();
    let mut tokens: Vec<String> = Vec::new();
    let mut tags: Vec<String> = Vec::new();
    let mut flush = |tokens: &mut Vec<String>, tags: &mut Vec<String>| {
        if tokens.is_empty() {
            return;
        }
        let mut gold = Vec::new();
        let mut open: Option<(usize, String)> = None;
        for (i, tag) in tags.iter().enumerate() {
            let (bio, label) = tag.split_once('-').unwrap_or((tag.as_str(), ""));
            let continues = bio == "I" && open.as_ref().is_some_and(|(_, l)| l == label);
            if !continues {
                if let Some((s, l)) = open.take() {
                    gold.push((s, i, l));
                }
                if bio == "B" || bio == "I" {
                    open = Some((i, label.to_string()));
                }
            }
        }
        if let Some((s, l)) = open.take() {
            gold.push((s, tags.len(), l));
        }
        out.push(Sentence { tokens: std::mem::take(tokens), gold });
        tags.clear();
    };
    for line in text.lines() {
        if line.starts_with('#') {
            continue;
        }
        if line.trim().is_empty() {
            flush(&mut tokens, &mut tags);
            continue;
        }
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() >= 3 {
            tokens.push(f[1].to_string());
            tags.push(f[2].to_string());
        }
    }
    flush(&mut tokens, &mut tags);
    out
}

/// A sentence's text (tokens joined by spaces) and its tokens' byte spans.
fn joined(sentence: &Sentence) -> (String, Vec<(usize, usize)>) {
    let mut text = String::new();
    let mut spans = Vec::new();
    for t in &sentence.tokens {
        if !text.is_empty() {
            text.push(' ');
        }
        spans.push((text.len(), text.len() + t.len()));
        text.push_str(t);
    }
    (text, spans)
}

/// Words and gold tags of sentences, the words with what the rule-based finder says of them.
pub fn training_data(sentences: &[&Sentence]) -> Result<Vec<TaggedSentence>, String> {
    let rules = EntityFinder::builtin().map_err(|e| e.to_string())?.with_tagger(None);
    Ok(training_data_with(sentences, &rules))
}

/// The same with the words as `rules` (a finder without tagger) sees them.
pub fn training_data_with(sentences: &[&Sentence], rules: &EntityFinder) -> Vec<TaggedSentence> {
    sentences
        .iter()
        .map(|s| {
            let (text, spans) = joined(s);
            let words = rules.words_at(&text, &spans, Some("de"));
            let mut tags = vec!["O".to_string(); s.tokens.len()];
            for (a, b, label) in &s.gold {
                for (k, t) in tags.iter_mut().enumerate().take(*b).skip(*a) {
                    *t = format!("{}-{label}", if k == *a { "B" } else { "I" });
                }
            }
            (words, tags)
        })
        .collect()
}

/// Trains the entity tagger on the sentences of `path` in even positions (the odd ones are held
/// out), with the rule-based finder's answer and its lists as features. `silver` files (same
/// layout, labelled for Storyline, not gold) join the training data whole; each gold sentence is
/// seen `gold_weight` times an epoch, each silver one once (0: silver only).
pub fn train(
    path: &Path,
    silver: &[std::path::PathBuf],
    gold_weight: usize,
    epochs: usize,
    min_count: u32,
) -> Result<(TaggerModel, Value), String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let sentences = parse_germeval(&text);
    let even: Vec<&Sentence> = sentences.iter().step_by(2).collect();
    let gold = training_data(&even)?;
    let mut data = Vec::new();
    for _ in 0..gold_weight {
        data.extend(gold.iter().cloned());
    }
    let mut silver_sentences = 0;
    for p in silver {
        let text = std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()))?;
        let parsed = parse_germeval(&text);
        if parsed.is_empty() {
            return Err(format!("{}: no sentences", p.display()));
        }
        silver_sentences += parsed.len();
        let refs: Vec<&Sentence> = parsed.iter().collect();
        data.extend(training_data(&refs)?);
    }
    let model = TaggerModel::train(&data, epochs, min_count);
    let silver_names: Vec<String> = silver.iter().map(|p| p.display().to_string()).collect();
    Ok((
        model,
        json!({"trained_on": format!("{} sentences in even positions of {} (each {} times an epoch) and {} silver sentences of {}", gold.len(), path.display(), gold_weight, silver_sentences, silver_names.join(", ")),
               "epochs": epochs, "min_count": min_count, "gold_weight": gold_weight}),
    ))
}

/// The words to cluster: every token with a letter in `sentences`, and every name and place of
/// the compiled-in lists, each once, sorted.
pub fn cluster_vocabulary<'a>(sentences: impl Iterator<Item = &'a Sentence>) -> Vec<String> {
    let mut vocab: BTreeSet<String> = BTreeSet::new();
    for s in sentences {
        for t in &s.tokens {
            if t.chars().any(char::is_alphabetic) {
                vocab.insert(t.clone());
            }
        }
    }
    for name in storyline_extract::entities::EntityFinder::list_names() {
        vocab.insert(name.to_string());
    }
    vocab.remove("");
    vocab.into_iter().collect()
}

/// Each word embedded alone by the sentence encoder and grouped by spherical k-means at two
/// levels (`levels`: clusters at each); a word's clusters are numbered from 1 (0: no cluster).
pub fn word_clusters(
    embedder: &storyline_embed::Embedder,
    words: &[String],
    levels: [usize; 2],
) -> HashMap<String, [u16; 2]> {
    let vectors = embedder.embed(words);
    let mut clusters: HashMap<String, [u16; 2]> = HashMap::new();
    for (level, k) in levels.into_iter().enumerate() {
        let of = kmeans(&vectors, k.clamp(1, usize::from(u16::MAX - 1)), 12);
        for (w, c) in words.iter().zip(of) {
            clusters.entry(w.clone()).or_default()[level] = c as u16 + 1;
        }
    }
    clusters
}

/// Spherical k-means of unit vectors: `k` centres, `rounds` Lloyd iterations, deterministic
/// start (every n/k-th vector). Returns each vector's centre.
fn kmeans(v: &[Vec<f32>], k: usize, rounds: usize) -> Vec<usize> {
    use rayon::prelude::*;
    let Some(dim) = v.first().map(Vec::len) else { return Vec::new() };
    let k = k.min(v.len());
    let mut centres: Vec<Vec<f32>> = (0..k).map(|i| v[i * v.len() / k].clone()).collect();
    let mut of = vec![0usize; v.len()];
    for _ in 0..rounds {
        of = v
            .par_iter()
            .map(|x| {
                let mut best = (0, f32::MIN);
                for (c, m) in centres.iter().enumerate() {
                    let d: f32 = x.iter().zip(m).map(|(a, b)| a * b).sum();
                    if d > best.1 {
                        best = (c, d);
                    }
                }
                best.0
            })
            .collect();
        let mut sums = vec![vec![0f32; dim]; k];
        for (x, c) in v.iter().zip(&of) {
            for (s, a) in sums[*c].iter_mut().zip(x) {
                *s += a;
            }
        }
        for (c, s) in sums.into_iter().enumerate() {
            let n = s.iter().map(|a| a * a).sum::<f32>().sqrt();
            if n > 0.0 {
                centres[c] = s.into_iter().map(|a| a / n).collect();
            }
        }
    }
    of
}

/// Strict F1 of a tagger trained on `train` and scored on `test`, for choosing settings by
/// cross-validation inside the training half.
pub fn score_split(
    train: &[&Sentence],
    test: &[&Sentence],
    epochs: usize,
    min_count: u32,
) -> Result<f64, String> {
    let model = TaggerModel::train(&training_data(train)?, epochs, min_count);
    let finder = EntityFinder::builtin().map_err(|e| e.to_string())?.with_tagger(Some(model));
    let mut counts = Counts::default();
    for s in test {
        counts.add(s, &predict(s, &finder));
    }
    Ok(Prf::from_counts(counts.all.0, counts.all.1, counts.all.2).f1)
}

/// The finder's mentions of a sentence as token spans: the sentence is its tokens joined by
/// spaces; mentions that do not fall on token boundaries are dropped.
pub fn predict(sentence: &Sentence, finder: &EntityFinder) -> Vec<(usize, usize, String)> {
    let (text, spans) = joined(sentence);
    finder
        .find(&text, Some("de"))
        .into_iter()
        .filter_map(|m| {
            let a = spans.iter().position(|(s, _)| *s == m.start)?;
            let b = spans.iter().position(|(_, e)| *e == m.end)? + 1;
            Some((a, b, m.etype.as_str().to_string()))
        })
        .collect()
}

fn base(label: &str) -> &str {
    label.trim_end_matches("deriv").trim_end_matches("part")
}

/// Counts of one scoring: overall `(tp, predicted, gold)` and per base class.
#[derive(Debug, Default)]
struct Counts {
    all: (u64, u64, u64),
    by_class: BTreeMap<String, (u64, u64, u64)>,
}

impl Counts {
    fn add(&mut self, s: &Sentence, pred: &[(usize, usize, String)]) {
        for p in pred {
            let hit = s.gold.contains(p);
            self.all.0 += u64::from(hit);
            let c = self.by_class.entry(base(&p.2).to_string()).or_default();
            c.0 += u64::from(hit);
            c.1 += 1;
        }
        self.all.1 += pred.len() as u64;
        self.all.2 += s.gold.len() as u64;
        for g in &s.gold {
            self.by_class.entry(base(&g.2).to_string()).or_default().2 += 1;
        }
    }

    fn json(&self) -> Value {
        let all = Prf::from_counts(self.all.0, self.all.1, self.all.2);
        let per_class: serde_json::Map<String, Value> = self
            .by_class
            .iter()
            .map(|(k, (t, p, g))| {
                let prf = Prf::from_counts(*t, *p, *g);
                (k.clone(), json!({"precision": prf.precision, "recall": prf.recall, "f1": prf.f1, "gold": g, "predicted": p}))
            })
            .collect();
        json!({"precision": all.precision, "recall": all.recall, "f1": all.f1, "per_class": per_class,
               "gold": self.all.2, "predicted": self.all.1})
    }
}

/// Strict outer-level scores over `path`: a mention counts when span and label are exact.
/// `per_class` groups the labels by their base class (PER, LOC, ORG, OTH; derived and part
/// labels with their class). The top level scores every sentence; `held_out` only the
/// sentences in odd positions, which no rule was written from (error analysis looked at the
/// even ones).
pub fn germeval(path: &Path, finder: &EntityFinder) -> Result<Value, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let sentences = parse_germeval(&text);
    if sentences.is_empty() {
        return Err(format!("{}: no sentences", path.display()));
    }
    let (mut all, mut held) = (Counts::default(), Counts::default());
    for (i, s) in sentences.iter().enumerate() {
        let pred = predict(s, finder);
        all.add(s, &pred);
        if i % 2 == 1 {
            held.add(s, &pred);
        }
    }
    let mut out = all.json();
    out["sentences"] = json!(sentences.len());
    out["held_out"] = held.json();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bio_tags_become_spans() {
        let tsv = "#\tu\t[d]\n1\tKim\tB-PER\tO\n2\tJong\tI-PER\tO\n3\tin\tO\tO\n4\tRussland\tB-LOC\tO\n5\trussische\tB-LOCderiv\tO\n\n";
        let s = parse_germeval(tsv);
        assert_eq!(s.len(), 1);
        assert_eq!(
            s[0].gold,
            [(0, 2, "PER".into()), (3, 4, "LOC".into()), (4, 5, "LOCderiv".into())]
        );
        assert_eq!(base("LOCderiv"), "LOC");
        assert_eq!(base("ORGpart"), "ORG");
    }
}

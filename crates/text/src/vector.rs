//! Term counts, incrementally updated document frequencies and TF-IDF weighting.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use crate::analyze::Compound;

/// Hasher for keys that are term hashes already: passes the `u64` through. Fast, and the same
/// in every run, so iterating a [`TermMap`] (and summing floats in that order) is deterministic.
#[derive(Debug, Default, Clone, Copy)]
pub struct TermHasher(u64);

impl Hasher for TermHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }

    fn write_u32(&mut self, n: u32) {
        self.0 = u64::from(n).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

/// A map keyed by term hash (or another well-mixed integer), deterministic across runs.
pub type TermMap<V> = HashMap<u64, V, BuildHasherDefault<TermHasher>>;

/// Counts of term hashes, sorted by hash, each term once.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TermCounts(pub Vec<(u64, f32)>);

impl TermCounts {
    /// Counts a bag of term hashes.
    pub fn from_hashes(hashes: impl IntoIterator<Item = u64>) -> TermCounts {
        let mut v: Vec<u64> = hashes.into_iter().collect();
        v.sort_unstable();
        let mut out: Vec<(u64, f32)> = Vec::with_capacity(v.len());
        for h in v {
            match out.last_mut() {
                Some((last, n)) if *last == h => *n += 1.0,
                _ => out.push((h, 1.0)),
            }
        }
        TermCounts(out)
    }

    /// The sum of two count vectors.
    pub fn merged(&self, other: &TermCounts) -> TermCounts {
        let (a, b) = (&self.0, &other.0);
        let mut out = Vec::with_capacity(a.len() + b.len());
        let (mut i, mut j) = (0, 0);
        while i < a.len() && j < b.len() {
            match a[i].0.cmp(&b[j].0) {
                std::cmp::Ordering::Less => {
                    out.push(a[i]);
                    i += 1;
                }
                std::cmp::Ordering::Greater => {
                    out.push(b[j]);
                    j += 1;
                }
                std::cmp::Ordering::Equal => {
                    out.push((a[i].0, a[i].1 + b[j].1));
                    i += 1;
                    j += 1;
                }
            }
        }
        out.extend_from_slice(&a[i..]);
        out.extend_from_slice(&b[j..]);
        TermCounts(out)
    }

    /// Number of distinct terms.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are no terms.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// TF-IDF weights (`(1 + ln tf) * idf`), scaled to unit length; empty stays empty.
    pub fn tfidf(&self, df: &DocFreq) -> Vec<(u64, f32)> {
        let mut out: Vec<(u64, f32)> =
            self.0.iter().map(|&(h, tf)| (h, (1.0 + tf.ln()) * df.idf(h))).collect();
        let norm = out.iter().map(|(_, w)| w * w).sum::<f32>().sqrt();
        if norm > 0.0 {
            for (_, w) in &mut out {
                *w /= norm;
            }
        }
        out
    }
}

/// Document frequencies, updated one document at a time in stream order.
#[derive(Debug, Clone, Default)]
pub struct DocFreq {
    df: TermMap<u32>,
    docs: u32,
    changed: Vec<u64>,
}

impl DocFreq {
    /// No documents seen.
    pub fn new() -> DocFreq {
        DocFreq::default()
    }

    /// Rebuilds from stored parts.
    pub fn from_parts(docs: u32, df: TermMap<u32>) -> DocFreq {
        DocFreq { df, docs, changed: Vec::new() }
    }

    /// The `(term, df)` of every term counted since the last call, sorted by term, for storing.
    pub fn take_changes(&mut self) -> Vec<(u64, u32)> {
        let mut terms = std::mem::take(&mut self.changed);
        terms.sort_unstable();
        terms.dedup();
        terms.into_iter().map(|t| (t, self.df(t))).collect()
    }

    /// Counts one document whose distinct terms are `terms` (each counted once even if repeated).
    pub fn add_document(&mut self, terms: &TermCounts) {
        self.docs += 1;
        for (h, _) in &terms.0 {
            *self.df.entry(*h).or_insert(0) += 1;
            self.changed.push(*h);
        }
    }

    /// Documents seen.
    pub fn docs(&self) -> u32 {
        self.docs
    }

    /// Documents that contained `term`.
    pub fn df(&self, term: u64) -> u32 {
        self.df.get(&term).copied().unwrap_or(0)
    }

    /// Smoothed inverse document frequency `ln((N + 1) / (df + 1)) + 1`.
    pub fn idf(&self, term: u64) -> f32 {
        ((self.docs as f32 + 1.0) / (self.df(term) as f32 + 1.0)).ln() + 1.0
    }

    /// Every `(term, df)`, in no particular order, for storing.
    pub fn entries(&self) -> impl Iterator<Item = (u64, u32)> + '_ {
        self.df.iter().map(|(h, n)| (*h, *n))
    }

    /// Number of distinct terms.
    pub fn terms(&self) -> usize {
        self.df.len()
    }

    /// The parts of each compound whose modifier and head have both been seen as words of their
    /// own in at least `min_df` documents; the longest such head wins. Returns `(modifier, head)`
    /// token hashes to add to the article's tokens.
    pub fn split_compounds(&self, compounds: &[Compound], min_df: u32) -> Vec<(u64, u64)> {
        compounds
            .iter()
            .filter_map(|c| {
                c.splits
                    .iter()
                    .find(|(m, h)| self.df(*h) >= min_df && self.df(*m) >= min_df)
                    .copied()
            })
            .collect()
    }
}

/// Cosine of two unit vectors sorted by term.
pub fn dot(a: &[(u64, f32)], b: &[(u64, f32)]) -> f32 {
    let (mut i, mut j, mut s) = (0, 0, 0.0);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                s += a[i].1 * b[j].1;
                i += 1;
                j += 1;
            }
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{term_hash, Analyzer, TermKind};

    #[test]
    fn counts_merge_and_weigh() {
        let a = TermCounts::from_hashes([3, 1, 3]);
        assert_eq!(a.0, [(1, 1.0), (3, 2.0)]);
        let b = TermCounts::from_hashes([2, 3]);
        assert_eq!(a.merged(&b).0, [(1, 1.0), (2, 1.0), (3, 3.0)]);
        let mut df = DocFreq::new();
        df.add_document(&a);
        df.add_document(&b);
        assert_eq!(df.df(3), 2);
        assert_eq!(df.take_changes(), [(1, 1), (2, 1), (3, 2)]);
        assert!(df.take_changes().is_empty());
        // A term in every document weighs less than a rarer one.
        assert!(df.idf(3) < df.idf(1));
        let v = a.tfidf(&df);
        let norm: f32 = v.iter().map(|(_, w)| w * w).sum();
        assert!((norm - 1.0).abs() < 1e-5);
        assert!((dot(&v, &v) - 1.0).abs() < 1e-5);
    }

    #[test]
    fn compounds_split_only_into_words_seen_on_their_own() {
        let analyzer = Analyzer::builtin().unwrap();
        let x = analyzer.analyze("", "Der Verteidigungsminister reiste ab.", Some("de"));
        let mut df = DocFreq::new();
        assert!(df.split_compounds(&x.compounds, 1).is_empty());
        for text in ["Die Verteidigung der Stadt.", "Ein Minister kam."] {
            let y = analyzer.analyze("", text, Some("de"));
            df.add_document(&TermCounts::from_hashes(y.body.tokens));
        }
        let parts = df.split_compounds(&x.compounds, 1);
        assert_eq!(
            parts,
            [(term_hash(TermKind::Token, "verteidigung"), term_hash(TermKind::Token, "minister"))]
        );
    }
}

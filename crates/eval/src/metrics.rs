//! Clustering and correlation metrics, as defined in `docs/EVALUATION.md`.

use std::collections::HashMap;
use std::hash::Hash;

/// Precision, recall and F1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Prf {
    /// Precision.
    pub precision: f64,
    /// Recall.
    pub recall: f64,
    /// Harmonic mean of the two (0 when both are 0).
    pub f1: f64,
}

impl Prf {
    /// From the two rates.
    pub fn new(precision: f64, recall: f64) -> Prf {
        let f1 = if precision + recall > 0.0 {
            2.0 * precision * recall / (precision + recall)
        } else {
            0.0
        };
        Prf { precision, recall, f1 }
    }

    /// From counts of true positives, predicted positives and gold positives; a rate with
    /// nothing to divide by is 1 (nothing predicted: no wrong prediction).
    pub fn from_counts(tp: u64, predicted: u64, gold: u64) -> Prf {
        let rate = |n: u64, d: u64| if d == 0 { 1.0 } else { n as f64 / d as f64 };
        Prf::new(rate(tp, predicted), rate(tp, gold))
    }
}

fn pairs(n: u64) -> u64 {
    n * n.saturating_sub(1) / 2
}

/// Pairwise P/R/F1: over all pairs of items, a pair is predicted together when both items share a
/// predicted cluster, and truly together when they share a gold cluster. `gold[i]` and `pred[i]`
/// are item i's clusters.
pub fn pairwise<G: Eq + Hash, P: Eq + Hash>(gold: &[G], pred: &[P]) -> Prf {
    assert_eq!(gold.len(), pred.len());
    let mut cells: HashMap<(&G, &P), u64> = HashMap::new();
    let mut g: HashMap<&G, u64> = HashMap::new();
    let mut p: HashMap<&P, u64> = HashMap::new();
    for (a, b) in gold.iter().zip(pred) {
        *cells.entry((a, b)).or_insert(0) += 1;
        *g.entry(a).or_insert(0) += 1;
        *p.entry(b).or_insert(0) += 1;
    }
    let tp = cells.values().map(|n| pairs(*n)).sum();
    Prf::from_counts(tp, p.values().map(|n| pairs(*n)).sum(), g.values().map(|n| pairs(*n)).sum())
}

/// BCubed P/R/F1 (Bagga and Baldwin 1998): for each item, the share of its predicted cluster
/// that is in its gold cluster (precision) and the share of its gold cluster that is in its
/// predicted cluster (recall), averaged over items.
pub fn bcubed<G: Eq + Hash, P: Eq + Hash>(gold: &[G], pred: &[P]) -> Prf {
    assert_eq!(gold.len(), pred.len());
    if gold.is_empty() {
        return Prf::new(1.0, 1.0);
    }
    let mut cells: HashMap<(&G, &P), u64> = HashMap::new();
    let mut g: HashMap<&G, u64> = HashMap::new();
    let mut p: HashMap<&P, u64> = HashMap::new();
    for (a, b) in gold.iter().zip(pred) {
        *cells.entry((a, b)).or_insert(0) += 1;
        *g.entry(a).or_insert(0) += 1;
        *p.entry(b).or_insert(0) += 1;
    }
    let (mut pr, mut re) = (0.0, 0.0);
    for (a, b) in gold.iter().zip(pred) {
        let both = cells[&(a, b)] as f64;
        pr += both / p[b] as f64;
        re += both / g[a] as f64;
    }
    let n = gold.len() as f64;
    Prf::new(pr / n, re / n)
}

/// Pearson's correlation of two equally long series; `None` with fewer than two points or no
/// variance.
pub fn pearson(x: &[f64], y: &[f64]) -> Option<f64> {
    assert_eq!(x.len(), y.len());
    let n = x.len() as f64;
    if x.len() < 2 {
        return None;
    }
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    (sxx > 0.0 && syy > 0.0).then(|| sxy / (sxx.sqrt() * syy.sqrt()))
}

/// Rounds to four decimals, for reports.
pub fn r4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    // Gold {a,b,c} {d,e}; predicted {a,b} {c,d,e}.
    const GOLD: [u8; 5] = [1, 1, 1, 2, 2];
    const PRED: [u8; 5] = [7, 7, 8, 8, 8];

    #[test]
    fn pairwise_on_a_hand_computed_case() {
        // Gold pairs: ab ac bc de = 4. Predicted: ab cd ce de = 4. Shared: ab de = 2.
        let m = pairwise(&GOLD, &PRED);
        assert_eq!((m.precision, m.recall), (0.5, 0.5));
        assert_eq!(m.f1, 0.5);
    }

    #[test]
    fn bcubed_on_a_hand_computed_case() {
        // Precision: a 2/2, b 2/2, c 1/3, d 2/3, e 2/3 -> (1+1+1/3+2/3+2/3)/5 = 11/15.
        // Recall: a 2/3, b 2/3, c 1/3, d 2/2, e 2/2 -> (2/3+2/3+1/3+1+1)/5 = 11/15.
        let m = bcubed(&GOLD, &PRED);
        assert!((m.precision - 11.0 / 15.0).abs() < 1e-12);
        assert!((m.recall - 11.0 / 15.0).abs() < 1e-12);
    }

    #[test]
    fn singletons_and_one_cluster_are_the_extremes() {
        let singletons = [1, 2, 3, 4, 5];
        let m = pairwise(&GOLD, &singletons);
        assert_eq!((m.precision, m.recall), (1.0, 0.0));
        let b = bcubed(&GOLD, &singletons);
        assert_eq!(b.precision, 1.0);
        let one = [0; 5];
        assert_eq!(pairwise(&GOLD, &one).recall, 1.0);
        assert_eq!(bcubed(&GOLD, &one).recall, 1.0);
    }

    #[test]
    fn pearson_on_hand_computed_cases() {
        assert!((pearson(&[1.0, 2.0, 3.0], &[2.0, 4.0, 6.0]).unwrap() - 1.0).abs() < 1e-12);
        assert!((pearson(&[1.0, 2.0, 3.0], &[3.0, 2.0, 1.0]).unwrap() + 1.0).abs() < 1e-12);
        // x = 1,2,3,4; y = 1,3,2,4: sxy = 4, sxx = syy = 5, r = 0.8.
        assert!(
            (pearson(&[1.0, 2.0, 3.0, 4.0], &[1.0, 3.0, 2.0, 4.0]).unwrap() - 0.8).abs() < 1e-12
        );
        assert_eq!(pearson(&[1.0, 1.0], &[1.0, 2.0]), None);
    }
}

//! Fitting the event scorer: logistic regression with soft targets on labelled pairs.
//!
//! A pair labelled on a graded scale (SemEval 2022 Task 8 "Overall", 1 = same event to 4 =
//! unrelated) becomes the target `(4 - overall) / 3`; cross-entropy with soft targets uses every
//! pair, not only the clear ones, and keeps the logit close to linear in the grade. Weights listed
//! as fixed in the model file (priors for what the pairs cannot teach, such as time proximity when
//! the pairs carry no dates) keep their values. Deterministic: full-batch gradient descent from
//! zero.

use crate::model::{sigmoid, Linear};

/// One labelled pair.
#[derive(Debug, Clone)]
pub struct Sample {
    /// Its feature values, in the order of the names given to [`fit`].
    pub x: Vec<f32>,
    /// Target probability, 0 to 1.
    pub target: f32,
}

/// Settings of [`fit`].
#[derive(Debug, Clone)]
pub struct FitOptions {
    /// L2 penalty on the weights (not the bias).
    pub l2: f32,
    /// Gradient steps.
    pub iterations: usize,
    /// Step size.
    pub learning_rate: f32,
}

impl Default for FitOptions {
    fn default() -> Self {
        FitOptions { l2: 1e-4, iterations: 20000, learning_rate: 4.0 }
    }
}

/// Fits weights and bias over the features `names` to `samples`, starting from `start` and
/// keeping the weights named in `fixed`. The threshold is left as `start` has it; see
/// [`best_threshold`].
pub fn fit(
    start: &Linear,
    names: &[&str],
    fixed: &[String],
    samples: &[Sample],
    opts: &FitOptions,
) -> Linear {
    let n = names.len();
    let free: Vec<bool> = names.iter().map(|f| !fixed.iter().any(|x| x == f)).collect();
    let mut w: Vec<f32> =
        start.vector(names).iter().zip(&free).map(|(v, f)| if *f { 0.0 } else { *v }).collect();
    let mut b = 0.0f32;
    if samples.is_empty() {
        return start.clone();
    }
    let m = samples.len() as f32;
    for _ in 0..opts.iterations {
        let mut gw = vec![0.0f32; n];
        let mut gb = 0.0f32;
        for s in samples {
            let z = b + s.x.iter().zip(&w).map(|(x, w)| x * w).sum::<f32>();
            let err = sigmoid(z) - s.target;
            gb += err;
            for (g, x) in gw.iter_mut().zip(&s.x) {
                *g += err * x;
            }
        }
        b -= opts.learning_rate * gb / m;
        for j in 0..n {
            if free[j] {
                w[j] -= opts.learning_rate * (gw[j] / m + opts.l2 * w[j]);
            }
        }
    }
    Linear {
        weights: names.iter().zip(&w).map(|(k, v)| (k.to_string(), round(*v))).collect(),
        bias: round(b),
        threshold: start.threshold,
    }
}

fn round(x: f32) -> f32 {
    (x * 10_000.0).round() / 10_000.0
}

/// F1 at each distinct probability used as the threshold, highest first.
fn f1_curve(scored: &[(f32, bool)]) -> Vec<(f32, f32)> {
    let mut v: Vec<(f32, bool)> = scored.to_vec();
    v.sort_by(|a, b| b.0.total_cmp(&a.0));
    let positives = v.iter().filter(|x| x.1).count();
    let (mut tp, mut fp) = (0usize, 0usize);
    let mut curve = Vec::new();
    for (i, (p, y)) in v.iter().enumerate() {
        if *y {
            tp += 1;
        } else {
            fp += 1;
        }
        // Only cut between different probabilities.
        if v.get(i + 1).is_some_and(|n| n.0 == *p) {
            continue;
        }
        let f1 = 2.0 * tp as f32 / (2 * tp + fp + (positives - tp)).max(1) as f32;
        curve.push((*p, f1));
    }
    curve
}

/// The probability threshold with the best F1 over `(probability, same_event)` pairs; ties go to
/// the higher threshold. 0.5 when there are no positives.
pub fn best_threshold(scored: &[(f32, bool)]) -> f32 {
    plateau_threshold(scored, 0.0)
}

/// Like [`best_threshold`], but each candidate is judged by the mean F1 of all candidates within
/// `half_width` of it: on a flat F1 curve this picks the middle of the plateau instead of
/// wherever noise put the single best point.
pub fn plateau_threshold(scored: &[(f32, bool)], half_width: f32) -> f32 {
    if !scored.iter().any(|s| s.1) {
        return 0.5;
    }
    let curve = f1_curve(scored);
    let mut best = (f32::MIN, 0.5f32);
    for (t, _) in &curve {
        let near: Vec<f32> =
            curve.iter().filter(|(u, _)| (u - t).abs() <= half_width).map(|c| c.1).collect();
        let mean = near.iter().sum::<f32>() / near.len() as f32;
        if mean > best.0 {
            best = (mean, *t);
        }
    }
    round(best.1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::FEATURES;
    use std::collections::BTreeMap;

    fn sample(cos: f32, target: f32) -> Sample {
        let mut x = vec![0.0; FEATURES.len()];
        x[5] = cos;
        x[12] = 1.0;
        Sample { x, target }
    }

    #[test]
    fn learns_a_positive_weight_for_a_predictive_feature_and_keeps_fixed_ones() {
        let samples: Vec<Sample> = (0..100)
            .map(|i| {
                let c = i as f32 / 100.0;
                sample(c, if c > 0.5 { 1.0 } else { 0.0 })
            })
            .collect();
        let start = Linear {
            weights: BTreeMap::from([("time_unknown".to_string(), 0.75)]),
            bias: 0.0,
            threshold: 0.5,
        };
        let m = fit(&start, &FEATURES, &["time_unknown".into()], &samples, &FitOptions::default());
        assert!(m.weights["stems_all"] > 3.0, "{:?}", m.weights);
        assert_eq!(m.weights["time_unknown"], 0.75);
        assert_eq!(m.weights["names_all"], 0.0, "a feature that is always 0 stays 0");
    }

    #[test]
    fn threshold_maximises_f1_on_a_hand_computed_case() {
        // Cut at 0.7: tp 2, fp 0, fn 1, F1 = 4/5 = 0.8. Cut at 0.4: tp 3, fp 1, fn 0,
        // F1 = 6/7 = 0.857, the best. Cut at 0.1: tp 3, fp 2, F1 = 6/8 = 0.75.
        let scored = [(0.9, true), (0.7, true), (0.6, false), (0.4, true), (0.1, false)];
        assert_eq!(best_threshold(&scored), 0.4);
        // F1 by cut: .9 .4, .8 .667, .7 .571, .6 .75, .5 .667, .4 .8, .3 .727, .2 .667.
        // Means over neighbours within 0.1: .6 -> (.571+.75+.667)/3 = .663, .5 -> (.75+.667+.8)/3
        // = .739, .4 -> (.667+.8+.727)/3 = .731, .3 -> .731: the plateau's best is 0.5.
        let curve = [
            (0.9, true),
            (0.8, true),
            (0.7, false),
            (0.6, true),
            (0.5, false),
            (0.4, true),
            (0.3, false),
            (0.2, false),
        ];
        assert_eq!(best_threshold(&curve), 0.4);
        assert_eq!(plateau_threshold(&curve, 0.101), 0.5);
    }
}

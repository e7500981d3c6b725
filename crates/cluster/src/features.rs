//! The features of an (article, event) pair, in the spirit of Miranda et al. 2018: TF-IDF cosines
//! over tokens, stems and names for title, body and both; Gaussian time proximity to the event's
//! newest, oldest and mean times; agreement of stated dates; language; dense similarity.

use storyline_text::{DocFreq, TermCounts, TermMap};

/// Feature names, in the order of [`Features`]. The model file refers to them by name.
pub const FEATURES: [&str; 19] = [
    "tokens_title",
    "tokens_body",
    "tokens_all",
    "stems_title",
    "stems_body",
    "stems_all",
    "names_title",
    "names_body",
    "names_all",
    "time_newest",
    "time_oldest",
    "time_mean",
    "time_unknown",
    "stated_dates",
    "stated_conflict",
    "same_language",
    "dense",
    "dense_missing",
    "dense_cross",
];

/// Index of the first time feature; the three lexical kinds times three fields come first.
pub(crate) const TIME_NEWEST: usize = 9;
pub(crate) const TIME_UNKNOWN: usize = 12;
pub(crate) const STATED: usize = 13;
pub(crate) const STATED_CONFLICT: usize = 14;
pub(crate) const SAME_LANG: usize = 15;
pub(crate) const DENSE: usize = 16;
pub(crate) const DENSE_MISSING: usize = 17;
/// The dense similarity where the event is in other languages than the article: how far `dense`
/// rises above [`crate::model::EventParams::dense_cross_floor`] (as a share of the way from
/// there to 1), times the share of the event's articles in other languages. Across languages
/// the vectors are almost the only evidence, and only a cosine that unrelated reports seldom
/// reach says anything: below the floor the feature is 0, so a weight on it cannot pull
/// unrelated reports in other languages together.
pub(crate) const DENSE_CROSS: usize = 18;

/// One value per [`FEATURES`] entry.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Features(pub [f32; FEATURES.len()]);

impl Features {
    /// `Σ w_i * x_i`.
    pub fn dot(&self, w: &Features) -> f32 {
        self.0.iter().zip(w.0.iter()).map(|(a, b)| a * b).sum()
    }

    /// `(name, value)` pairs.
    pub fn named(&self) -> impl Iterator<Item = (&'static str, f32)> + '_ {
        FEATURES.iter().copied().zip(self.0.iter().copied())
    }
}

/// The term kinds and fields, in feature order: kind-major, then title, body, all.
pub(crate) const KINDS: usize = 3;

/// An article's counts per kind (tokens, stems, names) and field (title, body).
#[derive(Debug, Clone, Default)]
pub struct DocCounts {
    /// `[kind][field]` with field 0 title, 1 body.
    pub counts: [[TermCounts; 2]; KINDS],
}

impl DocCounts {
    /// The counts of both fields of one kind together.
    pub fn all(&self, kind: usize) -> TermCounts {
        self.counts[kind][0].merged(&self.counts[kind][1])
    }

    /// Every distinct term of the article, for document frequencies.
    pub fn distinct(&self) -> TermCounts {
        let mut all = TermCounts::default();
        for k in 0..KINDS {
            all = all.merged(&self.all(k));
        }
        all
    }
}

/// An article's unit TF-IDF vectors, `[kind][field]` with field 0 title, 1 body, 2 all, and the
/// idf of each of their terms (in the same order), which every candidate's cosine reads.
#[derive(Debug, Clone, Default)]
pub struct DocVectors(pub [[Vec<(u64, f32)>; 3]; KINDS], pub [[Vec<f32>; 3]; KINDS]);

impl DocVectors {
    /// Weighs `counts` with `df`. Body and combined vectors keep their `max_terms` heaviest terms
    /// (the cosine then slightly underestimates, the same way for every pair).
    pub fn weigh(counts: &DocCounts, df: &DocFreq, max_terms: usize) -> DocVectors {
        let mut out = DocVectors::default();
        for k in 0..KINDS {
            out.0[k][0] = counts.counts[k][0].tfidf(df);
            out.0[k][1] = prune(counts.counts[k][1].tfidf(df), max_terms);
            out.0[k][2] = prune(counts.all(k).tfidf(df), max_terms);
            for field in 0..3 {
                out.1[k][field] = out.0[k][field].iter().map(|(h, _)| df.idf(*h)).collect();
            }
        }
        out
    }
}

fn prune(mut v: Vec<(u64, f32)>, max: usize) -> Vec<(u64, f32)> {
    if v.len() > max {
        v.sort_unstable_by(|a, b| b.1.total_cmp(&a.1));
        v.truncate(max);
        v.sort_unstable_by_key(|t| t.0);
    }
    v
}

/// Summed term counts of a group of articles (an event or a story), per kind and field, with the
/// vector lengths kept up to date as articles are added.
///
/// Lengths are updated incrementally for the terms an article touches, under the document
/// frequencies of that moment; the frequencies of other terms drift meanwhile, so the lengths are
/// recomputed in full whenever the number of articles reaches a power of two. Adding is then
/// proportional to the article's terms, not to the centroid's.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Centroid {
    maps: [[TermMap<f32>; 2]; KINDS],
    /// Squared lengths, `[kind][title, body, all]`.
    squares: [[f32; 3]; KINDS],
    norms: [[f32; 3]; KINDS],
    adds: u32,
}

/// Keeps the `keep` highest counts of `map` (ties: smaller hash first), deterministically.
#[allow(clippy::iter_over_hash_type, reason = "collected and sorted before use")]
fn prune_map(map: &mut TermMap<f32>, keep: usize) {
    let mut v: Vec<(u64, f32)> = map.iter().map(|(h, c)| (*h, *c)).collect();
    v.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    v.truncate(keep);
    *map = v.into_iter().collect();
}

/// A term's weight in a centroid: sublinear count times idf.
fn weight(count: f32, idf: f32) -> f32 {
    (1.0 + count.ln()) * idf
}

impl Centroid {
    /// Adds an article's counts and updates the lengths under `df`. A map that grows past
    /// `max_terms` keeps its three quarters most frequent terms, so a long-running event or story
    /// holds a bounded amount of memory.
    pub fn add(&mut self, doc: &DocCounts, df: &DocFreq, max_terms: usize) {
        self.adds += 1;
        let mut full = self.adds.is_power_of_two();
        for k in 0..KINDS {
            let (title, body) = (&doc.counts[k][0].0, &doc.counts[k][1].0);
            let (mut i, mut j) = (0, 0);
            // Walk the union of the article's title and body terms (both sorted by hash).
            while i < title.len() || j < body.len() {
                let (h, ct, cb) = match (title.get(i), body.get(j)) {
                    (Some(t), Some(b)) if t.0 == b.0 => {
                        i += 1;
                        j += 1;
                        (t.0, t.1, b.1)
                    }
                    (Some(t), Some(b)) if t.0 < b.0 => {
                        i += 1;
                        (t.0, t.1, 0.0)
                    }
                    (Some(t), None) => {
                        i += 1;
                        (t.0, t.1, 0.0)
                    }
                    (_, Some(b)) => {
                        j += 1;
                        (b.0, 0.0, b.1)
                    }
                    (None, None) => unreachable!("loop condition"),
                };
                let [tmap, bmap] = &mut self.maps[k];
                let t_old = tmap.get(&h).copied().unwrap_or(0.0);
                let b_old = bmap.get(&h).copied().unwrap_or(0.0);
                if ct > 0.0 {
                    tmap.insert(h, t_old + ct);
                }
                if cb > 0.0 {
                    bmap.insert(h, b_old + cb);
                }
                if !full {
                    let idf = df.idf(h);
                    let sq = |c: f32| if c > 0.0 { weight(c, idf).powi(2) } else { 0.0 };
                    let s = &mut self.squares[k];
                    s[0] += sq(t_old + ct) - sq(t_old);
                    s[1] += sq(b_old + cb) - sq(b_old);
                    s[2] += sq(t_old + ct + b_old + cb) - sq(t_old + b_old);
                }
            }
        }
        for map in self.maps.iter_mut().flatten() {
            if map.len() > max_terms.max(4) {
                prune_map(map, max_terms.max(4) * 3 / 4);
                full = true;
            }
        }
        if full {
            self.refresh(df);
        } else {
            for k in 0..KINDS {
                self.norms[k] = self.squares[k].map(|x| x.max(0.0).sqrt());
            }
        }
    }

    /// Whether the centroid counts term `h` of `kind` in `field` (0 title, 1 body).
    pub fn has(&self, kind: usize, field: usize, h: u64) -> bool {
        self.maps[kind][field].contains_key(&h)
    }

    /// Number of term counts held.
    pub fn terms(&self) -> usize {
        self.maps.iter().flatten().map(|m| m.len()).sum()
    }

    /// Recomputes the cached vector lengths. The terms are summed in hash order, so the lengths
    /// do not depend on how the maps were filled (a centroid brought back from a stored state
    /// gives the same bits as the one that was stored).
    pub fn refresh(&mut self, df: &DocFreq) {
        for k in 0..KINDS {
            let [title, body] = &self.maps[k];
            let sorted = |m: &TermMap<f32>| {
                let mut v: Vec<(u64, f32)> = m.iter().map(|(h, c)| (*h, *c)).collect();
                v.sort_unstable_by_key(|t| t.0);
                v
            };
            let mut n = [0.0f32; 3];
            for (h, c) in sorted(title) {
                let w = weight(c, df.idf(h));
                n[0] += w * w;
                let all = c + body.get(&h).copied().unwrap_or(0.0);
                let wa = weight(all, df.idf(h));
                n[2] += wa * wa;
            }
            for (h, c) in sorted(body) {
                let w = weight(c, df.idf(h));
                n[1] += w * w;
                if !title.contains_key(&h) {
                    n[2] += w * w;
                }
            }
            self.squares[k] = n;
            self.norms[k] = n.map(f32::sqrt);
        }
    }

    /// Cosine of a unit article vector with this centroid's `kind`, `field` (2: title + body).
    pub fn cosine(&self, kind: usize, field: usize, v: &[(u64, f32)], idf: &[f32]) -> f32 {
        let norm = self.norms[kind][field];
        if norm == 0.0 || v.is_empty() {
            return 0.0;
        }
        let [title, body] = &self.maps[kind];
        let mut s = 0.0;
        for ((h, a), idf) in v.iter().zip(idf) {
            let c = match field {
                0 => title.get(h).copied().unwrap_or(0.0),
                1 => body.get(h).copied().unwrap_or(0.0),
                _ => title.get(h).copied().unwrap_or(0.0) + body.get(h).copied().unwrap_or(0.0),
            };
            if c > 0.0 {
                s += a * weight(c, *idf);
            }
        }
        (s / norm).min(1.0)
    }
}

/// `exp(-d² / 2σ²)` for a gap of `seconds` and a width of `sigma_days`.
pub fn gaussian(seconds: f64, sigma_days: f32) -> f32 {
    let d = seconds / 86_400.0;
    let s = f64::from(sigma_days);
    (-(d * d) / (2.0 * s * s)).exp() as f32
}

/// How far a vector cosine rises above `floor`, as a share of the way from there to 1 (0 below
/// it): the cross-language vector features (`dense_cross`, `event_dense_cross`).
pub(crate) fn above_floor(cosine: f32, floor: f32) -> f32 {
    (cosine - floor).max(0.0) / (1.0 - floor).max(1e-3)
}

/// Cosine of two dense vectors (0 when either is zero).
pub fn dense_cosine(a: &[f32], b: &[f32]) -> f32 {
    let (mut ab, mut aa, mut bb) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        ab += x * y;
        aa += x * x;
        bb += y * y;
    }
    if aa == 0.0 || bb == 0.0 {
        0.0
    } else {
        ab / (aa.sqrt() * bb.sqrt())
    }
}

impl serde::Serialize for Features {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(FEATURES.len()))?;
        for (k, v) in self.named() {
            m.serialize_entry(k, &v)?;
        }
        m.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use storyline_text::Analyzer;

    #[test]
    fn incremental_lengths_match_a_full_recount() {
        let analyzer = Analyzer::builtin().unwrap();
        let texts = [
            (
                "Kim reist nach Russland",
                "Der Zug des Machthabers Kim rollt nach Wladiwostok. Kim trifft Putin.",
            ),
            (
                "Putin empfängt Kim",
                "Putin und Kim sprechen über Raketen, Satelliten und den Krieg.",
            ),
            (
                "Kim in Wladiwostok",
                "Der Zug ist angekommen. Putin wartet am Kosmodrom Wostotschny auf Kim.",
            ),
        ];
        let mut df = DocFreq::new();
        let counts: Vec<DocCounts> = texts
            .iter()
            .map(|(t, b)| {
                let a = analyzer.analyze(t, b, Some("de"));
                let c = DocCounts {
                    counts: [
                        [
                            TermCounts::from_hashes(a.title.tokens.clone()),
                            TermCounts::from_hashes(a.body.tokens.clone()),
                        ],
                        [
                            TermCounts::from_hashes(a.title.stems.clone()),
                            TermCounts::from_hashes(a.body.stems.clone()),
                        ],
                        [
                            TermCounts::from_hashes(a.title.names.clone()),
                            TermCounts::from_hashes(a.body.names.clone()),
                        ],
                    ],
                };
                df.add_document(&c.distinct());
                c
            })
            .collect();
        let mut c = Centroid::default();
        for x in &counts {
            c.add(x, &df, 10_000);
        }
        // Three adds: the third is not a power of two, so its lengths are incremental.
        let incremental = c.norms;
        c.refresh(&df);
        for k in 0..KINDS {
            for f in 0..3 {
                assert!(
                    (incremental[k][f] - c.norms[k][f]).abs() < 1e-3,
                    "{k} {f}: {incremental:?} {:?}",
                    c.norms
                );
            }
        }
        assert!(c.norms[0][2] > c.norms[0][0]);

        // A cap keeps the most frequent terms only: "kim" (in every text) survives.
        let mut small = Centroid::default();
        for x in &counts {
            small.add(x, &df, 4);
        }
        assert!(small.maps.iter().flatten().all(|m| m.len() <= 4));
        let kim = storyline_text::term_hash(storyline_text::TermKind::Token, "kim");
        assert!(small.maps[0][1].contains_key(&kim));
    }
}

//! Copies: exact (same words in the same order), near (most 4-word shingles shared) and wire
//! copies with light edits (many shared), found through MinHash bands over the active window.
//! An article links to the earliest article it matches *directly*, never through an
//! intermediate copy, so a chain of small edits cannot join two unrelated texts.

use std::collections::{HashMap, VecDeque};

use serde::Serialize;
use storyline_text::Signature;

use crate::model::DedupParams;

/// How an article copies another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CopyKind {
    /// The same words in the same order.
    Exact,
    /// Shingle similarity at or above `dedup.near`.
    Near,
    /// In another language, its first sentences matching the original's
    /// (`dedup.translation_sentences`): a translated copy.
    Translation,
    /// Shingle similarity at or above `dedup.wire`: a syndicated copy with light edits.
    Wire,
}

impl CopyKind {
    /// Lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            CopyKind::Exact => "exact",
            CopyKind::Near => "near",
            CopyKind::Wire => "wire",
            CopyKind::Translation => "translation",
        }
    }
}

/// The original an article copies.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CopyOf {
    /// The original's key (article id).
    pub original: String,
    /// Kind of copy.
    pub kind: CopyKind,
    /// Estimated shingle Jaccard similarity (1 for exact copies); for a translation, the mean
    /// best-match cosine of the first sentences.
    pub similarity: f32,
    /// The original's event.
    #[serde(skip)]
    pub event: u32,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Entry {
    key: String,
    #[serde(with = "signature_serde")]
    signature: Option<Signature>,
    event: u32,
    seen: i64,
}

/// The copy index over the active window.
#[derive(serde::Serialize, serde::Deserialize)]
pub struct Dedup {
    #[serde(skip, default = "crate::dedup::no_params")]
    params: DedupParams,
    /// Entries by slot; slots grow in stream order, so a smaller slot is an earlier article.
    entries: HashMap<u64, Entry>,
    exact: HashMap<u64, u64>,
    bands: HashMap<u64, Vec<u64>>,
    order: VecDeque<(i64, u64, u64)>,
    next: u64,
}

impl Dedup {
    /// An empty index.
    pub fn new(params: DedupParams) -> Dedup {
        Dedup {
            params,
            entries: HashMap::new(),
            exact: HashMap::new(),
            bands: HashMap::new(),
            order: VecDeque::new(),
            next: 0,
        }
    }

    /// The same index under the model's parameters (after reading it back from a stored state).
    pub fn with_params(mut self, params: DedupParams) -> Dedup {
        self.params = params;
        self
    }

    /// The earliest indexed article this one copies, if any.
    pub fn find(&self, exact: u64, signature: Option<&Signature>) -> Option<CopyOf> {
        if let Some(e) = self.exact.get(&exact).and_then(|s| self.entries.get(s)) {
            return Some(CopyOf {
                original: e.key.clone(),
                kind: CopyKind::Exact,
                similarity: 1.0,
                event: e.event,
            });
        }
        let sig = signature?;
        let mut best: Option<(u64, f32)> = None;
        for b in 0..self.params.bands {
            let Some(slots) = self.bands.get(&band_key(b, sig.band(b, self.params.rows))) else {
                continue;
            };
            for slot in slots {
                if best.is_some_and(|(s, _)| *slot >= s) {
                    continue;
                }
                let Some(e) = self.entries.get(slot) else { continue };
                let Some(other) = &e.signature else { continue };
                let sim = sig.similarity(other);
                if sim >= self.params.wire {
                    best = Some((*slot, sim));
                }
            }
        }
        let (slot, sim) = best?;
        let e = &self.entries[&slot];
        let kind = if sim >= self.params.near { CopyKind::Near } else { CopyKind::Wire };
        Some(CopyOf { original: e.key.clone(), kind, similarity: sim, event: e.event })
    }

    /// Indexes an article seen at stream time `seen`.
    pub fn insert(
        &mut self,
        key: &str,
        exact: u64,
        signature: Option<Signature>,
        event: u32,
        seen: i64,
    ) {
        let slot = self.next;
        self.next += 1;
        self.exact.entry(exact).or_insert(slot);
        if let Some(sig) = &signature {
            for b in 0..self.params.bands {
                self.bands
                    .entry(band_key(b, sig.band(b, self.params.rows)))
                    .or_default()
                    .push(slot);
            }
        }
        self.entries.insert(slot, Entry { key: key.to_string(), signature, event, seen });
        self.order.push_back((seen, slot, exact));
    }

    /// Gives the entries indexed before any time was known (at stream time 0) the time `t`.
    pub fn date_unknown(&mut self, t: i64) {
        for (seen, slot, _) in self.order.iter_mut() {
            if *seen < t {
                *seen = t;
                if let Some(e) = self.entries.get_mut(slot) {
                    e.seen = t;
                }
            }
        }
    }

    /// Drops articles indexed before stream time `before`.
    pub fn retire(&mut self, before: i64) {
        while let Some(&(seen, slot, exact)) = self.order.front() {
            if seen >= before {
                break;
            }
            self.order.pop_front();
            if let Some(e) = self.entries.remove(&slot) {
                debug_assert!(e.seen == seen);
                if self.exact.get(&exact) == Some(&slot) {
                    self.exact.remove(&exact);
                }
                if let Some(sig) = e.signature {
                    for b in 0..self.params.bands {
                        let k = band_key(b, sig.band(b, self.params.rows));
                        if let Some(v) = self.bands.get_mut(&k) {
                            v.retain(|s| *s != slot);
                            if v.is_empty() {
                                self.bands.remove(&k);
                            }
                        }
                    }
                }
            }
        }
    }

    /// Articles held.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether none are held.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

fn band_key(band: usize, hash: u64) -> u64 {
    hash ^ (band as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

#[cfg(test)]
mod tests {
    use super::*;
    use storyline_text::Analyzer;

    fn params() -> DedupParams {
        DedupParams {
            near: 0.8,
            wire: 0.5,
            bands: 21,
            rows: 3,
            translation_lead: 0.8,
            translation_sentences: 0.75,
        }
    }

    const BASE: &str = "Der nordkoreanische Machthaber Kim Jong Un ist mit seinem gepanzerten Zug in Russland eingetroffen. Er wird dort Präsident Wladimir Putin treffen, sagte ein Sprecher des Kreml am Dienstag in Moskau. Beide Länder wollen ihre militärische Zusammenarbeit ausbauen, hieß es weiter. Die USA warnen vor Waffenlieferungen an Russland für den Krieg gegen die Ukraine.";

    fn sig(text: &str) -> (u64, Option<Signature>) {
        let a = Analyzer::builtin().unwrap().analyze("", text, Some("de"));
        (a.exact, a.signature)
    }

    #[test]
    fn finds_exact_near_and_wire_copies_of_the_earliest_original() {
        let mut d = Dedup::new(params());
        let (e, s) = sig(BASE);
        assert!(d.find(e, s.as_ref()).is_none());
        d.insert("a", e, s, 0, 0);
        let (e2, s2) = sig(&BASE.replace("Moskau.", "Moskau!"));
        assert_eq!(d.find(e2, s2.as_ref()).unwrap().kind, CopyKind::Exact);
        let edited = BASE.replace("am Dienstag", "am Montag");
        let (e3, s3) = sig(&edited);
        let c = d.find(e3, s3.as_ref()).unwrap();
        assert_eq!((c.original.as_str(), c.kind), ("a", CopyKind::Near));
        d.insert("b", e3, s3, 0, 1);
        let wire = format!(
            "{} Die Agentur Yonhap meldete zudem neue Raketentests.",
            edited.replace("Die USA warnen", "Washington warnt")
        );
        let (e4, s4) = sig(&wire);
        let c = d.find(e4, s4.as_ref()).unwrap();
        assert_eq!(c.original, "a", "links to the earliest it matches, not the latest");
    }

    #[test]
    fn unrelated_reports_of_one_event_are_not_copies_and_old_ones_retire() {
        let mut d = Dedup::new(params());
        let (e, s) = sig(BASE);
        d.insert("a", e, s, 0, 0);
        let other = "Wladimir Putin hat Kim Jong Un auf dem Weltraumbahnhof Wostotschny empfangen. Die beiden Staatschefs sprachen über Satelliten, Raketen und Zusammenarbeit, meldeten russische Agenturen am Mittwoch aus dem Fernen Osten.";
        let (e2, s2) = sig(other);
        assert!(d.find(e2, s2.as_ref()).is_none());
        d.retire(1);
        assert!(d.is_empty());
        assert!(d.find(e, sig(BASE).1.as_ref()).is_none());
    }
}

/// Placeholder parameters of an index read back from a stored state, until
/// [`Dedup::with_params`] sets the model's.
fn no_params() -> DedupParams {
    DedupParams {
        near: 1.0,
        wire: 1.0,
        bands: 0,
        rows: 1,
        translation_lead: 1.0,
        translation_sentences: 1.0,
    }
}

/// A signature as a sequence (serde has no arrays of 64).
mod signature_serde {
    use serde::{Deserialize, Deserializer, Serializer};
    use storyline_text::{Signature, SIGNATURE_LEN};

    pub fn serialize<S: Serializer>(sig: &Option<Signature>, s: S) -> Result<S::Ok, S::Error> {
        let values: &[u32] = match sig {
            Some(x) => &x.0,
            None => &[],
        };
        serde::Serialize::serialize(values, s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Signature>, D::Error> {
        let v: Vec<u32> = Vec::deserialize(d)?;
        match v.len() {
            0 => Ok(None),
            SIGNATURE_LEN => {
                let mut a = [0u32; SIGNATURE_LEN];
                a.copy_from_slice(&v);
                Ok(Some(Signature(a)))
            }
            n => Err(serde::de::Error::custom(format!("a signature of {n} values"))),
        }
    }
}

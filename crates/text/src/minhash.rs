//! MinHash signatures over word shingles, for finding near copies in sub-linear time.

/// Number of hash functions in a signature.
pub const SIGNATURE_LEN: usize = 64;

/// Words per shingle.
const SHINGLE: usize = 4;

/// A MinHash signature: for each of [`SIGNATURE_LEN`] hash functions, the smallest value over the
/// text's word 4-shingles. The share of equal positions estimates the Jaccard similarity of two
/// texts' shingle sets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature(pub [u32; SIGNATURE_LEN]);

impl Signature {
    /// The signature of a sequence of word hashes, or `None` for fewer than `2 * SHINGLE` words
    /// (too short to tell a copy from a shared phrase).
    pub fn of_words(words: &[u64]) -> Option<Signature> {
        if words.len() < 2 * SHINGLE {
            return None;
        }
        let mut mins = [u32::MAX; SIGNATURE_LEN];
        for w in words.windows(SHINGLE) {
            let mut h = 0xcbf2_9ce4_8422_2325u64;
            for x in w {
                h = splitmix(h ^ x);
            }
            for (i, m) in mins.iter_mut().enumerate() {
                let v = (splitmix(h.wrapping_add((i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15)))
                    >> 32) as u32;
                if v < *m {
                    *m = v;
                }
            }
        }
        Some(Signature(mins))
    }

    /// Estimated Jaccard similarity of the two shingle sets, 0 to 1.
    pub fn similarity(&self, other: &Signature) -> f32 {
        let same = self.0.iter().zip(other.0.iter()).filter(|(a, b)| a == b).count();
        same as f32 / SIGNATURE_LEN as f32
    }

    /// The hash of band `b` of `rows` values, for locality-sensitive hashing.
    pub fn band(&self, b: usize, rows: usize) -> u64 {
        let mut h = b as u64;
        for v in &self.0[b * rows..(b + 1) * rows] {
            h = splitmix(h ^ u64::from(*v));
        }
        h
    }
}

fn splitmix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::Signature;

    fn words(text: &str) -> Vec<u64> {
        text.split_whitespace().map(|w| xxhash_rust::xxh3::xxh3_64(w.as_bytes())).collect()
    }

    #[test]
    fn identical_texts_match_fully_and_edits_lower_the_estimate() {
        let base = "der nordkoreanische machthaber kim jong un ist mit seinem gepanzerten zug in russland eingetroffen und wird dort präsident putin treffen sagte ein sprecher des kreml am dienstag in moskau";
        let a = Signature::of_words(&words(base)).unwrap();
        assert_eq!(a.similarity(&a), 1.0);
        let edited = base.replace("am dienstag", "am montag");
        let b = Signature::of_words(&words(&edited)).unwrap();
        let s = a.similarity(&b);
        assert!(s > 0.6 && s < 1.0, "{s}");
        let other = Signature::of_words(&words("ganz andere worte über das wetter in hamburg und die elbe die heute hoch steht und weiter steigt")).unwrap();
        assert!(a.similarity(&other) < 0.1);
    }

    #[test]
    fn short_texts_have_no_signature() {
        assert!(Signature::of_words(&words("nur fünf worte hier stehen")).is_none());
    }
}

//! A statistical tagger over the rule-based finder: an averaged perceptron that labels words
//! with BIO tags from features of the word, its neighbours, the name and noun lists, and the
//! rule-based finder's own label, decoding greedily left to right.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;

use storyline_text::TermHasher;

use xxhash_rust::xxh3::{xxh3_64, xxh3_64_with_seed};

/// The tags: outside, and begin/inside for each label.
pub const LABELS: [&str; 7] = ["PER", "LOC", "ORG", "OTH", "LOCderiv", "LOCpart", "ORGpart"];
const NT: usize = 1 + 2 * LABELS.len();

/// Every tag's name, by tag number: "O", then "B-" and "I-" of each label in [`LABELS`] order.
const TAGS: [&str; NT] = [
    "O",
    "B-PER",
    "I-PER",
    "B-LOC",
    "I-LOC",
    "B-ORG",
    "I-ORG",
    "B-OTH",
    "I-OTH",
    "B-LOCderiv",
    "I-LOCderiv",
    "B-LOCpart",
    "I-LOCpart",
    "B-ORGpart",
    "I-ORGpart",
];

fn tag_name(t: usize) -> &'static str {
    TAGS[t]
}

/// The tag number of "B-PER", "I-LOC", "O"; other labels are outside.
pub(crate) fn tag_of(s: &str) -> usize {
    let Some((bio, label)) = s.split_once('-') else { return 0 };
    match LABELS.iter().position(|l| *l == label) {
        Some(p) => 1 + 2 * p + usize::from(bio == "I"),
        None => 0,
    }
}

/// A word of a sentence with what the lists and the rules say of it.
#[derive(Debug, Clone)]
pub struct Word {
    /// The word as written.
    pub text: String,
    /// The word in lowercase.
    pub lower: String,
    /// The rule-based finder's tag for it ("B-PER", "O").
    pub rule: &'static str,
    /// Flags from the lists: "noun", "first", "last", "place", "name", "abbr", "stop", "calendar".
    pub flags: Vec<&'static str>,
    /// At the start of a sentence or line.
    pub initial: bool,
    /// The word's distributional clusters, coarse and fine (0: not in the cluster table).
    pub clusters: [u16; 2],
}

/// Appends the word's shape to `out`: a run of capitals is "X", of small letters "x", of digits
/// "d", any other character stands for itself ("Kim-Jong" -> "Xx-Xx").
fn push_shape(w: &str, out: &mut String) {
    let mut last = None;
    for c in w.chars() {
        let k = if c.is_uppercase() {
            'X'
        } else if c.is_lowercase() {
            'x'
        } else if c.is_ascii_digit() {
            'd'
        } else {
            c
        };
        if last != Some(k) {
            out.push(k);
            last = Some(k);
        }
    }
}

/// A feature's hash: its kind (and a tag or flag mixed in) as the seed of the value's hash, so
/// that no string is built.
fn h(kind: u64, value: &str) -> u64 {
    xxh3_64_with_seed(value.as_bytes(), kind)
}

fn flag_id(flag: &str) -> u64 {
    xxh3_64(flag.as_bytes())
}

/// The word's cluster features, when it has clusters: one per level.
fn push_clusters(f: &mut Vec<u64>, kind: u64, w: &Word) {
    for (level, c) in w.clusters.iter().enumerate() {
        if *c > 0 {
            f.push(h(kind ^ ((level as u64 + 1) << 12) ^ (u64::from(*c) << 20), ""));
        }
    }
}

/// Each word's lowercase form and shape, computed once per sentence; the shapes share one
/// string (one allocation a sentence, not one a word).
struct Forms<'w> {
    lower: Vec<&'w str>,
    shapes: String,
    /// Where each word's shape ends in `shapes`.
    ends: Vec<usize>,
}

impl Forms<'_> {
    fn lower(&self, i: usize) -> &str {
        self.lower[i]
    }

    fn shape(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.shapes[start..self.ends[i]]
    }
}

fn forms(words: &[Word]) -> Forms<'_> {
    let mut shapes = String::with_capacity(words.len() * 3);
    let mut ends = Vec::with_capacity(words.len());
    for w in words {
        push_shape(&w.text, &mut shapes);
        ends.push(shapes.len());
    }
    Forms { lower: words.iter().map(|w| w.lower.as_str()).collect(), shapes, ends }
}

/// The last `n` characters of `s`, or all of it.
fn suffix(s: &str, n: usize) -> &str {
    match s.char_indices().rev().nth(n.saturating_sub(1)) {
        Some((at, _)) if n > 0 => &s[at..],
        _ if n == 0 => "",
        _ => s,
    }
}

/// The first `n` characters of `s`, or all of it.
fn prefix(s: &str, n: usize) -> &str {
    match s.char_indices().nth(n) {
        Some((at, _)) => &s[..at],
        None => s,
    }
}

/// The feature hashes of word `i`, into `f` (cleared first).
fn features(words: &[Word], forms: &Forms, i: usize, prev_tag: usize, f: &mut Vec<u64>) {
    let w = &words[i];
    let lower = forms.lower(i);
    let get = |k: isize| -> Option<&Word> {
        usize::try_from(i as isize + k).ok().and_then(|j| words.get(j))
    };
    let sh = forms.shape(i);
    let prev = prev_tag as u64;
    f.clear();
    f.extend_from_slice(&[
        h(1, ""),
        h(2, lower),
        h(3, suffix(lower, 3)),
        h(4, suffix(lower, 4)),
        h(5, prefix(lower, 3)),
        h(6, sh),
        h(7, w.rule),
        h(8 + (prev << 8), ""),
        h(9 + (prev << 8), sh),
        h(10 + (prev << 8), w.rule),
    ]);
    if w.initial {
        f.push(h(11, ""));
        f.push(h(12, sh));
    }
    for fl in &w.flags {
        f.push(h(13, fl));
        f.push(h(14 ^ (flag_id(fl) << 8), w.rule));
    }
    push_clusters(f, 15, w);
    for (k, base) in [(-1isize, 100u64), (1, 200), (-2, 300), (2, 400)] {
        match get(k) {
            Some(o) => {
                let j = (i as isize + k) as usize;
                f.push(h(base + 1, forms.lower(j)));
                f.push(h(base + 2, forms.shape(j)));
                f.push(h(base + 3, o.rule));
                for fl in &o.flags {
                    f.push(h(base + 4, fl));
                }
                if k.abs() == 1 {
                    push_clusters(f, base + 5, o);
                }
            }
            None => f.push(h(base, "")),
        }
    }
}

/// A sentence's words and their gold tags, to train on.
pub type TaggedSentence = (Vec<Word>, Vec<String>);

/// The perceptron's weights: a row of tag weights per feature hash.
#[derive(Debug, Default, Clone)]
pub struct TaggerModel {
    /// Keyed by feature hashes already: no hashing again.
    w: Weights,
}

type Weights = HashMap<u64, [f32; NT], BuildHasherDefault<TermHasher>>;

impl TaggerModel {
    fn scores(&self, feats: &[u64]) -> [f32; NT] {
        let mut s = [0f32; NT];
        for f in feats {
            if let Some(row) = self.w.get(f) {
                for (a, b) in s.iter_mut().zip(row) {
                    *a += b;
                }
            }
        }
        s
    }

    /// The tags of a sentence's words, greedily left to right; an inside tag never follows a
    /// tag of another label.
    pub fn tag(&self, words: &[Word]) -> Vec<&'static str> {
        let mut prev = 0;
        let mut out = Vec::with_capacity(words.len());
        let forms = forms(words);
        let mut feats = Vec::with_capacity(64);
        for i in 0..words.len() {
            features(words, &forms, i, prev, &mut feats);
            let s = self.scores(&feats);
            let mut best =
                (0..NT).max_by(|a, b| s[*a].total_cmp(&s[*b]).then(b.cmp(a))).unwrap_or(0);
            if best > 0 && best % 2 == 0 && prev != best && prev != best - 1 {
                best -= 1; // "I-X" after something else opens X
            }
            out.push(tag_name(best));
            prev = best;
        }
        out
    }

    /// Trains on sentences of words with gold tags: averaged perceptron, `epochs` passes in a
    /// fixed order, features seen fewer than `min_count` times left out.
    pub fn train(
        sentences: &[(Vec<Word>, Vec<String>)],
        epochs: usize,
        min_count: u32,
    ) -> TaggerModel {
        let mut counts: HashMap<u64, u32> = HashMap::new();
        for (words, gold) in sentences {
            let mut prev = 0;
            let forms = forms(words);
            let mut feats = Vec::new();
            for (i, g) in gold.iter().enumerate() {
                features(words, &forms, i, prev, &mut feats);
                for f in &feats {
                    *counts.entry(*f).or_default() += 1;
                }
                prev = tag_of(g);
            }
        }
        let mut w = Weights::default();
        let mut total: HashMap<u64, [f32; NT]> = HashMap::new();
        let mut stamp: HashMap<u64, [u64; NT]> = HashMap::new();
        let mut step: u64 = 0;
        let mut update = |w: &mut Weights, f: u64, t: usize, by: f32, step: u64| {
            let row = w.entry(f).or_insert([0.0; NT]);
            let tot = total.entry(f).or_insert([0.0; NT]);
            let st = stamp.entry(f).or_insert([0; NT]);
            tot[t] += (step - st[t]) as f32 * row[t];
            st[t] = step;
            row[t] += by;
        };
        for _ in 0..epochs {
            for (words, gold) in sentences {
                let mut prev = 0;
                let forms = forms(words);
                let mut all = Vec::new();
                for (i, g) in gold.iter().enumerate() {
                    step += 1;
                    features(words, &forms, i, prev, &mut all);
                    let feats: Vec<u64> = all
                        .iter()
                        .copied()
                        .filter(|f| counts.get(f).is_some_and(|c| *c >= min_count))
                        .collect();
                    let model = TaggerModel { w: std::mem::take(&mut w) };
                    let s = model.scores(&feats);
                    w = model.w;
                    let guess =
                        (0..NT).max_by(|a, b| s[*a].total_cmp(&s[*b]).then(b.cmp(a))).unwrap_or(0);
                    let truth = tag_of(g);
                    if guess != truth {
                        for f in &feats {
                            update(&mut w, *f, truth, 1.0, step);
                            update(&mut w, *f, guess, -1.0, step);
                        }
                    }
                    prev = truth;
                }
            }
        }
        // Average: every weight over every step.
        let mut averaged = Weights::default();
        let mut keys: Vec<u64> = w.keys().copied().collect();
        keys.sort_unstable();
        for f in &keys {
            let row = &w[f];
            let tot = total.get(f).copied().unwrap_or([0.0; NT]);
            let st = stamp.get(f).copied().unwrap_or([0; NT]);
            let mut a = [0f32; NT];
            for t in 0..NT {
                a[t] = (tot[t] + (step - st[t]) as f32 * row[t]) / step.max(1) as f32;
            }
            if a.iter().any(|x| x.abs() > 1e-6) {
                averaged.insert(*f, a);
            }
        }
        TaggerModel { w: averaged }
    }

    /// The model as bytes: a scale, then per feature its hash and its weights as `i8` (×scale).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut keys: Vec<&u64> = self.w.keys().collect();
        keys.sort();
        let max = keys.iter().flat_map(|k| self.w[*k]).fold(0f32, |m, x| m.max(x.abs())).max(1e-9);
        let scale = max / 127.0;
        let mut out = Vec::with_capacity(8 + keys.len() * (8 + NT));
        out.extend_from_slice(&scale.to_le_bytes());
        out.extend_from_slice(&(NT as u32).to_le_bytes());
        for k in keys {
            out.extend_from_slice(&k.to_le_bytes());
            for x in &self.w[k] {
                out.push(((x / scale).round().clamp(-127.0, 127.0) as i8) as u8);
            }
        }
        out
    }

    /// Reads [`TaggerModel::to_bytes`]; `None` when the bytes are not such a model.
    pub fn from_bytes(bytes: &[u8]) -> Option<TaggerModel> {
        let scale = f32::from_le_bytes(bytes.get(..4)?.try_into().ok()?);
        let nt = u32::from_le_bytes(bytes.get(4..8)?.try_into().ok()?) as usize;
        if nt != NT {
            return None;
        }
        let mut w = Weights::default();
        for chunk in bytes[8..].chunks_exact(8 + NT) {
            let k = u64::from_le_bytes(chunk[..8].try_into().ok()?);
            let mut row = [0f32; NT];
            for (r, b) in row.iter_mut().zip(&chunk[8..]) {
                *r = f32::from(*b as i8) * scale;
            }
            w.insert(k, row);
        }
        Some(TaggerModel { w })
    }
}

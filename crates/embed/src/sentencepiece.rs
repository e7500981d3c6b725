//! A SentencePiece unigram tokenizer for the model file of USE multilingual v3 (`sp.model`):
//! the protobuf model read by hand, the `nmt_nfkc` normaliser over the precompiled character map
//! (a darts-clone double-array trie with a table of replacements), white space handling, and
//! Viterbi segmentation over the piece lattice. Written from the SentencePiece format and
//! algorithms; the token ids must equal the Python package's, which the golden tests check.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use crate::EmbedError;

/// Id of the unknown piece.
pub const UNK: u32 = 0;
/// Id of the start-of-sentence piece.
pub const BOS: u32 = 1;
/// Id of the end-of-sentence piece.
pub const EOS: u32 = 2;

/// "▁", which stands for a space inside pieces.
const SPACE: &[u8] = "\u{2581}".as_bytes();

/// The score penalty of an unknown character below the lowest piece score.
const UNK_PENALTY: f64 = 10.0;

fn varint(d: &[u8], pos: &mut usize) -> Option<u64> {
    let mut v = 0u64;
    for shift in (0..64).step_by(7) {
        let b = *d.get(*pos)?;
        *pos += 1;
        v |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Some(v);
        }
    }
    None
}

/// The length-delimited and 32-bit fields of one protobuf message: `(field, bytes)`.
fn fields(d: &[u8]) -> Option<Vec<(u64, &[u8])>> {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < d.len() {
        let tag = varint(d, &mut pos)?;
        let (field, wire) = (tag >> 3, tag & 7);
        match wire {
            0 => {
                varint(d, &mut pos)?;
            }
            1 => pos += 8,
            2 => {
                let len = varint(d, &mut pos)? as usize;
                out.push((field, d.get(pos..pos + len)?));
                pos += len;
            }
            5 => {
                out.push((field, d.get(pos..pos + 4)?));
                pos += 4;
            }
            _ => return None,
        }
    }
    Some(out)
}

/// Hasher for the piece trie's integer keys (node and character packed in a `u64`).
#[derive(Default, Clone, Copy)]
struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0.rotate_left(5) ^ u64::from(*b)).wrapping_mul(0x517c_c1b7_2722_0a95);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (n ^ (n >> 29)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    }
}

/// The `nmt_nfkc` normaliser of the model.
struct Normaliser {
    units: Vec<u32>,
    replacements: Vec<u8>,
}

fn offset(unit: u32) -> usize {
    ((unit >> 10) << ((unit & 0x200) >> 6)) as usize
}

impl Normaliser {
    fn new(charsmap: &[u8]) -> Option<Normaliser> {
        if charsmap.is_empty() {
            return Some(Normaliser { units: Vec::new(), replacements: Vec::new() });
        }
        let size = u32::from_le_bytes(charsmap.get(..4)?.try_into().ok()?) as usize;
        let trie = charsmap.get(4..4 + size)?;
        let units =
            trie.chunks_exact(4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect();
        Some(Normaliser { units, replacements: charsmap[4 + size..].to_vec() })
    }

    /// The normalised form of the longest match at `data[pos..]` and the bytes it consumes: a
    /// replacement from the map, or the UTF-8 character itself.
    fn prefix<'a>(&'a self, data: &'a [u8], pos: usize) -> (&'a [u8], usize) {
        let (mut best_len, mut best_value) = (0, 0usize);
        if let Some(&root) = self.units.first() {
            let mut node = offset(root);
            for (i, &c) in data[pos..].iter().enumerate() {
                node ^= usize::from(c);
                let Some(&unit) = self.units.get(node) else { break };
                if unit & 0x8000_00ff != u32::from(c) {
                    break;
                }
                node ^= offset(unit);
                if unit & 0x100 != 0 {
                    best_len = i + 1;
                    best_value =
                        self.units.get(node).map_or(usize::MAX, |v| (v & 0x7fff_ffff) as usize);
                }
            }
        }
        if best_len > 0 && best_value < self.replacements.len() {
            let rest = &self.replacements[best_value..];
            let end = rest.iter().position(|b| *b == 0).unwrap_or(rest.len());
            return (&rest[..end], best_len);
        }
        let first = data[pos];
        let mut len = match first {
            0x00..=0x7f => 1,
            _ if first >> 5 == 0x6 => 2,
            _ if first >> 4 == 0xe => 3,
            _ if first >> 3 == 0x1e => 4,
            _ => 1,
        };
        if (1..len).any(|k| data.get(pos + k).is_none_or(|b| b & 0xc0 != 0x80)) {
            len = 1;
        }
        (&data[pos..pos + len], len)
    }

    /// Normalises `text`: the character map, a leading "▁", runs of white space collapsed to one
    /// "▁", none at either end.
    fn normalise(&self, text: &str) -> String {
        let raw = text.as_bytes();
        let mut pos = 0;
        while pos < raw.len() {
            let (p, adv) = self.prefix(raw, pos);
            if p != b" " {
                break;
            }
            pos += adv;
        }
        if pos >= raw.len() {
            return String::new();
        }
        let mut out: Vec<u8> = SPACE.to_vec();
        let mut prev_space = true;
        while pos < raw.len() {
            let (mut p, adv) = self.prefix(raw, pos);
            pos += adv;
            if prev_space {
                while let [b' ', rest @ ..] = p {
                    p = rest;
                }
            }
            if let Some(&last) = p.last() {
                for &b in p {
                    if b == b' ' {
                        out.extend_from_slice(SPACE);
                    } else {
                        out.push(b);
                    }
                }
                prev_space = last == b' ';
            }
        }
        while out.ends_with(SPACE) {
            out.truncate(out.len() - SPACE.len());
        }
        String::from_utf8(out)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
    }
}

/// The tokenizer: normaliser, pieces with scores, and a trie over the pieces' characters.
pub struct Tokenizer {
    normaliser: Normaliser,
    scores: Vec<f32>,
    /// `(node << 21 | char) -> child node`; node 0 is the root.
    edges: HashMap<u64, u32, BuildHasherDefault<KeyHasher>>,
    /// Piece id of each trie node, or `u32::MAX` for a node that only continues.
    node_piece: Vec<u32>,
    unk_score: f64,
}

impl Tokenizer {
    /// Reads a SentencePiece model file's bytes; `name` is for errors.
    pub fn from_bytes(model: &[u8], name: &str) -> Result<Tokenizer, EmbedError> {
        let bad = |m: &str| EmbedError::Format { file: name.to_string(), message: m.to_string() };
        let top = fields(model).ok_or_else(|| bad("not a SentencePiece model (protobuf)"))?;
        let mut scores = Vec::new();
        let mut edges: HashMap<u64, u32, BuildHasherDefault<KeyHasher>> = HashMap::default();
        let mut node_piece = vec![u32::MAX];
        for (field, bytes) in &top {
            if *field != 1 {
                continue;
            }
            let piece_fields = fields(bytes).ok_or_else(|| bad("broken piece"))?;
            let text = piece_fields
                .iter()
                .find(|(f, _)| *f == 1)
                .map(|(_, b)| *b)
                .ok_or_else(|| bad("piece without text"))?;
            let text = std::str::from_utf8(text).map_err(|_| bad("piece is not UTF-8"))?;
            let score = piece_fields
                .iter()
                .find(|(f, b)| *f == 2 && b.len() == 4)
                .map_or(0.0, |(_, b)| f32::from_le_bytes([b[0], b[1], b[2], b[3]]));
            let id = scores.len() as u32;
            scores.push(score);
            let mut node = 0u32;
            for c in text.chars() {
                let key = (u64::from(node) << 21) | u64::from(c);
                node = match edges.get(&key) {
                    Some(&n) => n,
                    None => {
                        let n = node_piece.len() as u32;
                        node_piece.push(u32::MAX);
                        edges.insert(key, n);
                        n
                    }
                };
            }
            node_piece[node as usize] = id;
        }
        if scores.len() <= EOS as usize {
            return Err(bad("too few pieces"));
        }
        let charsmap = top
            .iter()
            .find(|(f, _)| *f == 3)
            .and_then(|(_, spec)| fields(spec))
            .and_then(|spec| spec.into_iter().find(|(f, _)| *f == 2).map(|(_, b)| b))
            .unwrap_or(&[]);
        let normaliser = Normaliser::new(charsmap).ok_or_else(|| bad("broken character map"))?;
        let min = scores.iter().fold(f32::INFINITY, |m, s| m.min(*s));
        Ok(Tokenizer {
            normaliser,
            unk_score: f64::from(min) - UNK_PENALTY,
            scores,
            edges,
            node_piece,
        })
    }

    /// Number of pieces.
    pub fn vocab_size(&self) -> usize {
        self.scores.len()
    }

    /// Piece ids of `text`, without the sentence markers; the unknown piece alone for text that
    /// normalises to nothing.
    pub fn pieces(&self, text: &str) -> Vec<u32> {
        let normalised = self.normaliser.normalise(text);
        if normalised.is_empty() {
            return vec![UNK];
        }
        let chars: Vec<char> = normalised.chars().collect();
        let n = chars.len();
        let mut best = vec![f64::NEG_INFINITY; n + 1];
        best[0] = 0.0;
        let mut start_of = vec![0usize; n + 1];
        let mut piece_of = vec![UNK; n + 1];
        for i in 0..n {
            let base = best[i];
            let mut node = 0u32;
            let mut single = false;
            for (j, &c) in chars.iter().enumerate().skip(i) {
                let Some(&next) = self.edges.get(&((u64::from(node) << 21) | u64::from(c))) else {
                    break;
                };
                node = next;
                let id = self.node_piece[node as usize];
                if id != u32::MAX {
                    let score = base + f64::from(self.scores[id as usize]);
                    // Strictly greater: on a tie the earlier start wins, as in SentencePiece.
                    if score > best[j + 1] {
                        best[j + 1] = score;
                        start_of[j + 1] = i;
                        piece_of[j + 1] = id;
                    }
                    single |= j == i;
                }
            }
            if !single {
                let score = base + self.unk_score;
                if score > best[i + 1] {
                    best[i + 1] = score;
                    start_of[i + 1] = i;
                    piece_of[i + 1] = UNK;
                }
            }
        }
        let mut ids = Vec::new();
        let mut p = n;
        while p > 0 {
            ids.push(piece_of[p]);
            p = start_of[p];
        }
        ids.reverse();
        ids
    }

    /// Piece ids of `text` between the start and end markers, as the encoder reads them.
    pub fn encode(&self, text: &str) -> Vec<u32> {
        let mut ids = vec![BOS];
        ids.extend(self.pieces(text));
        ids.push(EOS);
        ids
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A model with pieces and no character map, built as protobuf bytes.
    fn model(pieces: &[(&str, f32)]) -> Vec<u8> {
        let mut out = Vec::new();
        for (text, score) in pieces {
            let mut p = vec![0x0a, text.len() as u8];
            p.extend_from_slice(text.as_bytes());
            p.push(0x15);
            p.extend_from_slice(&score.to_le_bytes());
            out.push(0x0a);
            out.push(p.len() as u8);
            out.extend(p);
        }
        out
    }

    #[test]
    fn viterbi_picks_the_best_scoring_segmentation() {
        let m = model(&[
            ("<unk>", 0.0),
            ("<s>", 0.0),
            ("</s>", 0.0),
            ("\u{2581}ab", -1.0),
            ("\u{2581}a", -1.0),
            ("b", -1.0),
            ("c", -3.0),
            ("bc", -2.5),
        ]);
        let t = Tokenizer::from_bytes(&m, "t").unwrap();
        // "▁abc": ▁ab + c = -4, ▁a + bc = -3.5 (best), ▁a + b + c = -5.
        assert_eq!(t.pieces("abc"), [4, 7]);
        assert_eq!(t.encode("  ab  "), [BOS, 3, EOS], "outer white space goes");
        // An unknown character becomes the unknown piece.
        assert_eq!(t.pieces("ax"), [4, UNK]);
        assert_eq!(t.pieces("   "), [UNK]);
    }

    #[test]
    fn white_space_runs_become_one_marker() {
        let n = Normaliser::new(&[]).unwrap();
        assert_eq!(n.normalise("  Kim   Jong Un "), "\u{2581}Kim\u{2581}Jong\u{2581}Un");
        assert_eq!(n.normalise(""), "");
    }
}

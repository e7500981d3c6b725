//! The USE multilingual v3 forward pass: quantised token embeddings, a projection, three CNN
//! branches over 2-, 3- and 5-token windows (two residual layers each), a layer norm, the mean
//! over tokens scaled by √n, a small residual feed-forward head, tanh, unit length.
//!
//! Tokens of several sentences run through the matrix products together (a micro-batch), each
//! window reaching only into its own sentence, so results do not depend on the batching.

use std::path::Path;

use rayon::prelude::*;

use crate::gemm::{matmul, View};
use crate::npy::{self, Array, Data};
use crate::sentencepiece::Tokenizer;
use crate::zip::Zip;
use crate::EmbedError;

/// Dimensions of a sentence vector.
pub const DIM: usize = 512;
const CHUNKS: usize = 17;
const BRANCH: usize = 256;
const FEATS: usize = DIM + 3 * BRANCH;
/// (window width, tokens to the left) of the three CNN branches.
const ORDERS: [(usize, usize); 3] = [(2, 0), (3, 1), (5, 2)];
/// Tokens per micro-batch (a longer sentence is a batch of its own).
const TOKEN_BUDGET: usize = 1024;
const HEAD: usize = 320;

struct Branch {
    w1: Vec<f32>,
    b1: Vec<f32>,
    w2: Vec<f32>,
    b2: Vec<f32>,
}

/// Per piece: its projection after the layer norm (768) and, for each CNN branch and window
/// slot, that projection times the slot's block of the branch's first weight matrix (10 × 256).
/// Both depend on the piece alone, so they are computed once per piece and reused: that is
/// 60 % of the multiply-adds of a token.
const PIECE_ROW: usize = 3 * BRANCH + 10 * BRANCH;

/// Pieces whose rows are kept (about 13 KB each, so at most ~110 MB).
const CACHE_PIECES: usize = 8192;

/// A loaded encoder. Cheap to share across threads.
pub struct Embedder {
    tokenizer: Tokenizer,
    cache: std::sync::RwLock<std::collections::HashMap<u32, std::sync::Arc<[f32]>>>,
    /// Quantised embedding rows, by chunk: piece `r` is row `r / 17` of chunk `r % 17`.
    chunks: Vec<Vec<u8>>,
    scale: Vec<f32>,
    lo: Vec<f32>,
    proj_w: Vec<f32>,
    proj_b: Vec<f32>,
    proj_ln_g: Vec<f32>,
    proj_ln_b: Vec<f32>,
    branches: Vec<Branch>,
    ln_g: Vec<f32>,
    ln_b: Vec<f32>,
    cnn_w: Vec<f32>,
    cnn_b: Vec<f32>,
    d0: Vec<f32>,
    d1: Vec<f32>,
    d2: Vec<f32>,
    d3: Vec<f32>,
    p1: Vec<f32>,
    p3: Vec<f32>,
    eps: f32,
}

struct Weights<'a> {
    zip: Zip<'a>,
    file: String,
}

impl Weights<'_> {
    fn array(&self, name: &str) -> Result<Array, EmbedError> {
        let entry = format!("{name}.npy");
        npy::parse(&self.zip.read(&entry)?, &format!("{}:{entry}", self.file))
    }

    fn f32s(&self, name: &str, shape: &[usize]) -> Result<Vec<f32>, EmbedError> {
        let a = self.array(name)?;
        match a.data {
            Data::F32(v) if a.shape == shape => Ok(v),
            _ => Err(EmbedError::Format {
                file: format!("{}:{name}.npy", self.file),
                message: format!("expected float32 {shape:?}, found {:?}", a.shape),
            }),
        }
    }
}

fn concat_columns(parts: &[Vec<f32>], rows: usize) -> Vec<f32> {
    let widths: Vec<usize> = parts.iter().map(|p| p.len() / rows).collect();
    let mut out = Vec::with_capacity(parts.iter().map(Vec::len).sum());
    for r in 0..rows {
        for (p, w) in parts.iter().zip(&widths) {
            out.extend_from_slice(&p[r * w..(r + 1) * w]);
        }
    }
    out
}

fn layer_norm(rows: &mut [f32], width: usize, gamma: &[f32], beta: &[f32], eps: f32) {
    for row in rows.chunks_exact_mut(width) {
        let mean = (row.iter().map(|x| f64::from(*x)).sum::<f64>() / width as f64) as f32;
        row.iter_mut().for_each(|x| *x -= mean);
        let var =
            (row.iter().map(|x| f64::from(*x) * f64::from(*x)).sum::<f64>() / width as f64) as f32;
        let inv = 1.0 / (var + eps).sqrt();
        for ((x, g), b) in row.iter_mut().zip(gamma).zip(beta) {
            *x = *x * inv * g + b;
        }
    }
}

fn add_bias_relu(rows: &mut [f32], bias: &[f32], relu: bool) {
    for row in rows.chunks_exact_mut(bias.len()) {
        for (x, b) in row.iter_mut().zip(bias) {
            *x += b;
            if relu && *x < 0.0 {
                *x = 0.0;
            }
        }
    }
}

impl Embedder {
    /// Loads the model from a folder holding `sp.model` and `weights.npz`.
    pub fn load(dir: &Path) -> Result<Embedder, EmbedError> {
        let read = |name: &str| {
            let path = dir.join(name);
            std::fs::read(&path)
                .map_err(|source| EmbedError::Io { path: path.display().to_string(), source })
        };
        let sp_path = dir.join("sp.model").display().to_string();
        let tokenizer = Tokenizer::from_bytes(&read("sp.model")?, &sp_path)?;
        let npz = read("weights.npz")?;
        let file = dir.join("weights.npz").display().to_string();
        let w = Weights { zip: Zip::new(&npz, &file)?, file };
        let mut chunks = Vec::with_capacity(CHUNKS);
        for i in 1..=CHUNKS {
            let a = w.array(&format!("q{i}"))?;
            match a.data {
                Data::U8(v) if a.shape.len() == 2 && a.shape[1] == DIM => chunks.push(v),
                _ => {
                    return Err(EmbedError::Format {
                        file: format!("{}:q{i}.npy", w.file),
                        message: "expected a uint8 table of 512 columns".into(),
                    })
                }
            }
        }
        let rows: usize = chunks.iter().map(|c| c.len() / DIM).sum();
        if rows < tokenizer.vocab_size() {
            return Err(EmbedError::Format {
                file: w.file.clone(),
                message: format!("{rows} embedding rows for {} pieces", tokenizer.vocab_size()),
            });
        }
        let eps = match w.array("eps")?.data {
            Data::F64(v) if v.len() == 1 => v[0] as f32,
            Data::F32(v) if v.len() == 1 => v[0],
            _ => {
                return Err(EmbedError::Format {
                    file: w.file.clone(),
                    message: "eps is not a scalar".into(),
                })
            }
        };
        let mut branches = Vec::new();
        let (mut proj, mut proj_b, mut ln_g3, mut ln_b3) = (vec![], vec![], vec![], vec![]);
        for (width, _) in ORDERS {
            proj.push(w.f32s(&format!("proj{width}"), &[DIM, BRANCH])?);
            proj_b.push(w.f32s(&format!("proj_b{width}"), &[BRANCH])?);
            ln_g3.push(w.f32s(&format!("ln_g{width}"), &[BRANCH])?);
            ln_b3.push(w.f32s(&format!("ln_b{width}"), &[BRANCH])?);
            branches.push(Branch {
                w1: w.f32s(&format!("w1_{width}"), &[width * BRANCH, BRANCH])?,
                b1: w.f32s(&format!("b1_{width}"), &[BRANCH])?,
                w2: w.f32s(&format!("w2_{width}"), &[width * BRANCH, BRANCH])?,
                b2: w.f32s(&format!("b2_{width}"), &[BRANCH])?,
            });
        }
        Ok(Embedder {
            cache: std::sync::RwLock::new(std::collections::HashMap::new()),
            chunks,
            scale: w.f32s("scale", &[CHUNKS])?,
            lo: w.f32s("lo", &[CHUNKS])?,
            proj_w: concat_columns(&proj, DIM),
            proj_b: proj_b.concat(),
            proj_ln_g: ln_g3.concat(),
            proj_ln_b: ln_b3.concat(),
            branches,
            ln_g: w.f32s("ln_g", &[FEATS])?,
            ln_b: w.f32s("ln_b", &[FEATS])?,
            cnn_w: w.f32s("cnn_W", &[FEATS, DIM])?,
            cnn_b: w.f32s("cnn_b", &[DIM])?,
            d0: w.f32s("d0", &[DIM, HEAD])?,
            d1: w.f32s("d1", &[HEAD, HEAD])?,
            d2: w.f32s("d2", &[HEAD, DIM])?,
            d3: w.f32s("d3", &[DIM, DIM])?,
            p1: w.f32s("p1", &[DIM, HEAD])?,
            p3: w.f32s("p3", &[HEAD, DIM])?,
            eps,
            tokenizer,
        })
    }

    /// The tokenizer.
    pub fn tokenizer(&self) -> &Tokenizer {
        &self.tokenizer
    }

    /// Unit vectors of `texts`, in order, computed on all cores.
    pub fn embed<S: AsRef<str> + Sync>(&self, texts: &[S]) -> Vec<Vec<f32>> {
        let ids: Vec<Vec<u32>> =
            texts.par_iter().map(|t| self.tokenizer.encode(t.as_ref())).collect();
        let mut groups: Vec<std::ops::Range<usize>> = Vec::new();
        let (mut start, mut tokens) = (0, 0);
        for (i, s) in ids.iter().enumerate() {
            if i > start && tokens + s.len() > TOKEN_BUDGET {
                groups.push(start..i);
                start = i;
                tokens = 0;
            }
            tokens += s.len();
        }
        if start < ids.len() {
            groups.push(start..ids.len());
        }
        let parts: Vec<Vec<Vec<f32>>> =
            groups.into_par_iter().map(|g| self.batch(&ids[g])).collect();
        parts.into_iter().flatten().collect()
    }

    /// The dequantised embedding of piece `id` into `out` (512 values).
    fn embedding(&self, id: u32, out: &mut [f32]) {
        let id = id as usize;
        let chunk = id % CHUNKS;
        let row = &self.chunks[chunk][(id / CHUNKS) * DIM..(id / CHUNKS + 1) * DIM];
        let (scale, lo) = (self.scale[chunk], self.lo[chunk]);
        for (f, q) in out.iter_mut().zip(row) {
            *f = f32::from(*q) * scale + lo;
        }
    }

    /// The [`PIECE_ROW`]s of `ids` (distinct), from the cache or computed together.
    fn piece_rows(&self, ids: &[u32]) -> std::collections::HashMap<u32, std::sync::Arc<[f32]>> {
        let mut rows = std::collections::HashMap::with_capacity(ids.len());
        let mut missing = Vec::new();
        {
            let cache = self.cache.read().unwrap_or_else(|e| e.into_inner());
            for id in ids {
                match cache.get(id) {
                    Some(r) => {
                        rows.insert(*id, r.clone());
                    }
                    None => missing.push(*id),
                }
            }
        }
        if missing.is_empty() {
            return rows;
        }
        let n = missing.len();
        let mut emb = vec![0.0f32; n * DIM];
        for (row, id) in emb.chunks_exact_mut(DIM).zip(&missing) {
            self.embedding(*id, row);
        }
        let width3 = 3 * BRANCH;
        let mut x = vec![0.0f32; n * width3];
        matmul(View::new(&emb, n, DIM), View::new(&self.proj_w, DIM, width3), &mut x, width3, 0.0);
        add_bias_relu(&mut x, &self.proj_b, false);
        layer_norm(&mut x, width3, &self.proj_ln_g, &self.proj_ln_b, self.eps);
        let mut out = vec![0.0f32; n * PIECE_ROW];
        for (r, xr) in x.chunks_exact(width3).enumerate() {
            out[r * PIECE_ROW..r * PIECE_ROW + width3].copy_from_slice(xr);
        }
        let mut slot = 0;
        for (i, ((width, _), branch)) in ORDERS.iter().zip(&self.branches).enumerate() {
            let xs = View { data: &x[i * BRANCH..], rows: n, cols: BRANCH, stride: width3 };
            for q in 0..*width {
                let block = View::new(
                    &branch.w1[q * BRANCH * BRANCH..(q + 1) * BRANCH * BRANCH],
                    BRANCH,
                    BRANCH,
                );
                let at = width3 + slot * BRANCH;
                matmul(xs, block, &mut out[at..], PIECE_ROW, 0.0);
                slot += 1;
            }
        }
        let mut cache = self.cache.write().unwrap_or_else(|e| e.into_inner());
        for (r, id) in missing.iter().enumerate() {
            let row: std::sync::Arc<[f32]> = out[r * PIECE_ROW..(r + 1) * PIECE_ROW].into();
            if cache.len() < CACHE_PIECES {
                cache.insert(*id, row.clone());
            }
            rows.insert(*id, row);
        }
        rows
    }

    /// The forward pass over one micro-batch of tokenised sentences.
    fn batch(&self, sentences: &[Vec<u32>]) -> Vec<Vec<f32>> {
        let flat: Vec<u32> = sentences.iter().flatten().copied().collect();
        let n = flat.len();
        let mut distinct = flat.clone();
        distinct.sort_unstable();
        distinct.dedup();
        let rows = self.piece_rows(&distinct);
        let by_token: Vec<&[f32]> = flat.iter().map(|id| &rows[id][..]).collect();
        let row = |t: usize| by_token[t];
        // Sentence bounds of every token.
        let mut bounds = Vec::with_capacity(n);
        let mut at = 0;
        for s in sentences {
            bounds.extend(std::iter::repeat_n((at, at + s.len()), s.len()));
            at += s.len();
        }
        // [embedding | branch 2 | branch 3 | branch 5] per token.
        let mut feats = vec![0.0f32; n * FEATS];
        for (t, id) in flat.iter().enumerate() {
            self.embedding(*id, &mut feats[t * FEATS..t * FEATS + DIM]);
        }
        let width3 = 3 * BRANCH;
        let mut gathered = Vec::new();
        let mut h = vec![0.0f32; n * BRANCH];
        let mut c2 = vec![0.0f32; n * BRANCH];
        let mut slot0 = 0;
        for (i, ((width, left), branch)) in ORDERS.iter().zip(&self.branches).enumerate() {
            let (width, left) = (*width, *left);
            // First layer: the window's cached slot products, summed; bias, ReLU, residual.
            for t in 0..n {
                let (start, end) = bounds[t];
                let out = &mut h[t * BRANCH..(t + 1) * BRANCH];
                out.copy_from_slice(&branch.b1);
                for q in 0..width {
                    let Some(p) = (t + q).checked_sub(left) else { continue };
                    if p >= start && p < end {
                        let at = width3 + (slot0 + q) * BRANCH;
                        for (o, y) in out.iter_mut().zip(&row(p)[at..at + BRANCH]) {
                            *o += y;
                        }
                    }
                }
                for (o, x) in out.iter_mut().zip(&row(t)[i * BRANCH..(i + 1) * BRANCH]) {
                    *o = o.max(0.0) + x;
                }
            }
            slot0 += width;
            gather(&mut gathered, n, width, left, &bounds, |t| &h[t * BRANCH..(t + 1) * BRANCH]);
            matmul(
                View::new(&gathered, n, width * BRANCH),
                View::new(&branch.w2, width * BRANCH, BRANCH),
                &mut c2,
                BRANCH,
                0.0,
            );
            add_bias_relu(&mut c2, &branch.b2, true);
            for t in 0..n {
                let out =
                    &mut feats[t * FEATS + DIM + i * BRANCH..t * FEATS + DIM + (i + 1) * BRANCH];
                for ((o, a), b) in out
                    .iter_mut()
                    .zip(&c2[t * BRANCH..(t + 1) * BRANCH])
                    .zip(&h[t * BRANCH..(t + 1) * BRANCH])
                {
                    *o = a + b;
                }
            }
        }
        layer_norm(&mut feats, FEATS, &self.ln_g, &self.ln_b, self.eps);

        // Sum over each sentence's tokens, then project (the sum commutes with the projection).
        let m = sentences.len();
        let mut sums = vec![0.0f32; m * FEATS];
        let mut t = 0;
        for (s, sentence) in sentences.iter().enumerate() {
            let row = &mut sums[s * FEATS..(s + 1) * FEATS];
            for _ in 0..sentence.len() {
                for (a, b) in row.iter_mut().zip(&feats[t * FEATS..(t + 1) * FEATS]) {
                    *a += b;
                }
                t += 1;
            }
        }
        let mut mean = vec![0.0f32; m * DIM];
        matmul(View::new(&sums, m, FEATS), View::new(&self.cnn_w, FEATS, DIM), &mut mean, DIM, 0.0);
        for (s, sentence) in sentences.iter().enumerate() {
            let len = sentence.len() as f32;
            let inv = 1.0 / len.sqrt();
            for (v, b) in mean[s * DIM..(s + 1) * DIM].iter_mut().zip(&self.cnn_b) {
                *v = (*v + len * b) * inv;
            }
        }
        let mut y0 = vec![0.0f32; m * HEAD];
        matmul(View::new(&mean, m, DIM), View::new(&self.d0, DIM, HEAD), &mut y0, HEAD, 0.0);
        y0.iter_mut().for_each(|v| *v = v.max(0.0));
        let mut y1 = vec![0.0f32; m * HEAD];
        matmul(View::new(&mean, m, DIM), View::new(&self.p1, DIM, HEAD), &mut y1, HEAD, 0.0);
        matmul(View::new(&y0, m, HEAD), View::new(&self.d1, HEAD, HEAD), &mut y1, HEAD, 1.0);
        y1.iter_mut().for_each(|v| *v = v.max(0.0));
        let mut y2 = vec![0.0f32; m * DIM];
        matmul(View::new(&y1, m, HEAD), View::new(&self.d2, HEAD, DIM), &mut y2, DIM, 0.0);
        y2.iter_mut().for_each(|v| *v = v.max(0.0));
        let mut z = vec![0.0f32; m * DIM];
        matmul(View::new(&y1, m, HEAD), View::new(&self.p3, HEAD, DIM), &mut z, DIM, 0.0);
        matmul(View::new(&y2, m, DIM), View::new(&self.d3, DIM, DIM), &mut z, DIM, 1.0);
        z.chunks_exact(DIM)
            .map(|row| {
                let v: Vec<f32> = row.iter().map(|x| x.tanh()).collect();
                let norm = v.iter().map(|x| x * x).sum::<f32>().max(self.eps).sqrt();
                v.into_iter().map(|x| x / norm).collect()
            })
            .collect()
    }
}

/// Fills `out` (n × width·256) with each token's window of rows from `row`: positions
/// `t - left .. t - left + width`, zero outside the token's own sentence.
fn gather<'a>(
    out: &mut Vec<f32>,
    n: usize,
    width: usize,
    left: usize,
    bounds: &[(usize, usize)],
    row: impl Fn(usize) -> &'a [f32],
) {
    out.clear();
    out.resize(n * width * BRANCH, 0.0);
    for (t, &(start, end)) in bounds.iter().enumerate().take(n) {
        for q in 0..width {
            let Some(p) = (t + q).checked_sub(left) else { continue };
            if p >= start && p < end {
                let at = (t * width + q) * BRANCH;
                out[at..at + BRANCH].copy_from_slice(row(p));
            }
        }
    }
}

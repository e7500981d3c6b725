//! Storyline's story engine: copies, events and stories, decided online one article at a time.
//!
//! # Brief overview
//! A [`Clusterer`] takes [`Doc`]s (an article's id, time, language and
//! [`storyline_text::Analysis`]) in time order and returns an [`Assignment`] for each:
//! - [`dedup`]: exact, near and wire copies through MinHash bands; a copy joins its original's
//!   event and does not count as independent coverage;
//! - events: the article is scored against candidate events from a term index over the active
//!   window with a linear model over [`FEATURES`]; it joins the best one when the model's
//!   probability reaches the threshold, else opens a new event;
//! - stories: a new event joins the best active story under a second linear model, else opens one.
//!
//! Every number the decisions depend on is in the [`Model`] file (`resources/model/scorer.json`),
//! written by [`train::fit`] from labelled pairs. Old events retire from memory after
//! `event.window_days`; the store keeps them.
#![deny(missing_docs)]

mod clusterer;
pub mod dedup;
mod features;
pub mod model;
pub mod story;
mod stream;
pub mod train;

pub use clusterer::{
    Assignment, Clusterer, Doc, Guide, Held, ModelGuide, Scored, StoryScored, MAX_STORY_EXPLAINED,
};
pub use dedup::{CopyKind, CopyOf};
pub use features::{Features, FEATURES};
pub use model::Model;
pub use story::{StoryFeatures, STORY_FEATURES};
pub use stream::{
    attach_vectors, embedding_text, first_sentences, sentence_match, stream_order,
    TRANSLATION_SENTENCES,
};

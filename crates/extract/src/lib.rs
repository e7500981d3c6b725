//! Storyline's extraction stage: the facts an article states, each with a span into its clean
//! text.
//!
//! - [`timex`]: time expressions, normalised to TIMEX2 values against the article date;
//! - [`quotes`]: direct, indirect and reported speech with cue, speaker and the speaker's name;
//! - [`figures`]: numbers in digits and words, ordinals and percentages.
#![deny(missing_docs)]

pub mod entities;
pub mod figures;
pub mod quotes;
pub mod timex;

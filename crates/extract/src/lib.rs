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

/// A text's tokens, made once and handed to every extractor (each would otherwise split the
/// same text again). Use them only with the text they were made of.
#[derive(Debug)]
pub struct Tokens(pub(crate) Vec<timex::scan::Tok>);

impl Tokens {
    /// The tokens of `text`.
    pub fn of(text: &str) -> Tokens {
        Tokens(timex::scan::tokenize(text))
    }
}

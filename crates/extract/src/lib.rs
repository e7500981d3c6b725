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

/// A text with its tokens, made once and handed to every extractor (each would otherwise split
/// the same text again). The text travels with its tokens, so they cannot be used with another.
#[derive(Debug)]
pub struct Tokens<'t> {
    text: &'t str,
    pub(crate) toks: Vec<timex::scan::Tok>,
}

impl<'t> Tokens<'t> {
    /// `text` and its tokens.
    pub fn of(text: &'t str) -> Tokens<'t> {
        Tokens { text, toks: timex::scan::tokenize(text) }
    }

    /// The text the tokens were made of.
    pub fn text(&self) -> &'t str {
        self.text
    }
}

//! Byte spans into an article's clean text.

use serde::{Deserialize, Serialize};

/// A half-open byte range `start..end` into a text. Stages never move a span once made; every
/// extracted fact points back into the clean text with one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Span {
    /// First byte of the span.
    pub start: usize,
    /// One past the last byte of the span.
    pub end: usize,
}

impl Span {
    /// Makes a span. Panics if `start > end`, which is always a bug in the caller.
    pub fn new(start: usize, end: usize) -> Span {
        assert!(start <= end, "span start {start} after end {end}");
        Span { start, end }
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.end - self.start
    }

    /// True for an empty span.
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }

    /// The spanned part of `text`. Panics if the span is out of bounds or splits a character.
    pub fn slice<'a>(&self, text: &'a str) -> &'a str {
        &text[self.start..self.end]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slice_and_len() {
        let s = Span::new(0, 3);
        assert_eq!(s.len(), 3);
        assert_eq!(s.slice("Kim Jong Un"), "Kim");
        assert!(Span::new(2, 2).is_empty());
    }

    #[test]
    #[should_panic]
    fn reversed_span_panics() {
        let _ = Span::new(3, 2);
    }
}

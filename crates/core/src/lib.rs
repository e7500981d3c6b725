//! Storyline's data model, shared by every stage.
//!
//! # Brief overview
//! Readers turn bytes into a [`RawDoc`]: text or HTML plus whatever metadata the source declared.
//! Normalisation turns a `RawDoc` into an [`Article`]: clean text, title, a [`PubDate`] with its
//! [`DatePrecision`] and [`DateSource`], language and outlet, and a list of [`Decision`]s saying
//! why each of those was chosen. An [`ArticleId`] is derived from the raw content, so the same
//! input always maps to the same id and ingesting it twice stores it once.
//!
//! This crate has no heavy dependencies and depends on no other Storyline crate.
//!
//! # Example
//! ```
//! use storyline_core::{ArticleId, Span};
//! let a = ArticleId::from_content(b"Der Zug des Machthabers hat Russland erreicht.");
//! let b = ArticleId::from_content(b"Der Zug des Machthabers hat Russland erreicht.");
//! assert_eq!(a, b);
//! assert_eq!(a.as_str().len(), 16);
//! let span = Span::new(4, 7);
//! assert_eq!(span.slice("Der Zug"), "Zug");
//! ```
#![deny(missing_docs)]

mod article;
mod date;
mod id;
mod span;

pub use article::{Article, Decision, Field, RawDoc, SourceFormat, SourceRef};
pub use date::{DatePrecision, DateSource, PubDate};

/// A count with its noun in the right number: `count(1, "event", "events")` is "1 event",
/// `count(2, "event", "events")` is "2 events".
///
/// ```
/// assert_eq!(storyline_core::count(1u32, "article", "articles"), "1 article");
/// assert_eq!(storyline_core::count(0u32, "article", "articles"), "0 articles");
/// ```
pub fn count(n: impl Into<u64>, one: &str, many: &str) -> String {
    let n = n.into();
    format!("{n} {}", if n == 1 { one } else { many })
}
pub use id::ArticleId;
pub use span::Span;

//! Storyline's text analysis: what every later stage needs to know about the words of an article.
//!
//! # Brief overview
//! [`profile`] parses the per-language profile files compiled in from `resources/lang`. An
//! [`Analyzer`] built from them turns a title and a body into an [`Analysis`]: the hashed terms
//! of three kinds (lowercase tokens without stop words, Snowball stems, and name-like words) for
//! title and body, the candidate splits of long compounds, the dates the text states, a MinHash
//! [`Signature`] and an exact-copy hash. Analysis is pure and runs in parallel.
//!
//! Terms are 64-bit hashes salted by their [`TermKind`], so no string is kept per term. The
//! order-dependent part, document frequencies ([`DocFreq`]) and the compound splits they decide
//! ([`DocFreq::split_compounds`]), runs in the single writer that sees articles in stream order.
//!
//! # Example
//! ```
//! use storyline_text::{Analyzer, TermKind, term_hash};
//! let analyzer = Analyzer::builtin().unwrap();
//! let a = analyzer.analyze("Kim Jong Un trifft Putin", "Der Machthaber reiste im September 2023 nach Russland.", Some("de"));
//! assert!(a.title.names.contains(&term_hash(TermKind::Name, "putin")));
//! assert!(!a.body.tokens.contains(&term_hash(TermKind::Token, "der")), "stop word");
//! assert_eq!(a.stated[0].to_string(), "2023-09");
//! ```
#![deny(missing_docs)]

mod analyze;
mod minhash;
pub mod profile;
mod search;
mod sentence;
mod stated;
mod vector;

pub use analyze::{term_hash, Analysis, Analyzer, Compound, FieldTerms, TermKind};
pub use minhash::{Signature, SIGNATURE_LEN};
pub use search::{is_german_noun, MAX_QUERY_WORDS};
pub use sentence::sentences;
pub use stated::StatedDate;
pub use vector::{dot, DocFreq, TermCounts, TermHasher, TermMap};

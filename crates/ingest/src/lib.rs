//! Turns what users already have (text files, JSONL dumps, HTML pages, feeds, WARC archives,
//! streams on standard input) into clean, dated, language-tagged [`Article`]s.
//!
//! # Brief overview
//! [`read_input`] walks a file, folder or standard input and pushes [`RawDoc`]s, or a named
//! [`Reject`] for each input it cannot use, into a sink. A [`Normaliser`], built once, turns each
//! `RawDoc` into an [`Article`]: main text out of HTML, boilerplate out of plain text (menu
//! crumbs, widgets, photo credits, a headline repeated at the end, and lines the outlet repeats
//! across its articles, learned through a [`LineHistory`]), title, publication date with its
//! precision and source, language and outlet. Every choice is kept as a
//! [`storyline_core::Decision`].
//!
//! Language knowledge (month names, time stamp words, widget lines) is data: one file a language
//! under `resources/lang/`, compiled in.
//!
//! # Example
//! ```
//! use storyline_ingest::{Normaliser, NoHistory};
//! use storyline_core::{RawDoc, SourceRef, SourceFormat, DatePrecision};
//!
//! let text = "Treffen geplant Kim in Russland eingetroffen Stand: 12.09.2023 07:43 Uhr\n\n\
//!             Der Zug des nordkoreanischen Machthabers Kim Jong Un hat Russland erreicht.";
//! let source = SourceRef { path: "000.txt".into(), line: None, format: SourceFormat::Text, external_id: None };
//! let n = Normaliser::new().unwrap();
//! let article = n.normalise(RawDoc::new(source, text.into(), false), &NoHistory).unwrap().article;
//! assert_eq!(article.title, "Treffen geplant Kim in Russland eingetroffen");
//! let date = article.date.unwrap();
//! assert_eq!(date.iso, "2023-09-12T07:43+02:00");
//! assert_eq!(date.precision, DatePrecision::Minute);
//! assert_eq!(article.lang.as_deref(), Some("de"));
//! ```
#![deny(missing_docs)]

mod decode;
mod error;
pub mod normalise;
pub mod profile;
mod read;

pub use decode::{decode, repair_mojibake, DecodeProblem};
pub use error::{IngestError, Reject, RejectKind};
pub use normalise::clean::{line_key, LineHistory, NoHistory, REPEATED_LINE_MIN_ARTICLES};
pub use normalise::{Normalised, Normaliser};
pub use read::{format_from_name, read_input, record_to_doc, Format, Input, ReadOptions};
pub use storyline_core::{Article, RawDoc};

/// The property tests' settings: `PROPTEST_CASES` cases (64 by default, so the suite stays
/// quick; set it higher for a longer hunt), no failure files written into the source tree.
#[cfg(test)]
pub(crate) fn prop_config() -> proptest::test_runner::Config {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(64);
    proptest::test_runner::Config { cases, failure_persistence: None, ..Default::default() }
}

//! Storyline's story views: what a person reads to understand an event or a story fast.
//!
//! # Brief overview
//! The narrate stage reads a story's articles with what extraction found in them and builds a
//! [`StoryReport`] with one [`EventReport`] per event: a title, a timeline of dated happenings
//! (the dates the texts state, and the days articles appeared), an extractive summary in which
//! every sentence cites its article and no fact is repeated, who said what (quotes by canonical
//! speaker, each quote once with every article that carries it), a figures ledger that flags
//! where reports of one quantity disagree, coverage by outlet and language, and the copy graph
//! (copies are listed but not counted as independent sources). [`render`] turns a report into
//! Markdown, HTML, JSON lines or CSV.
//!
//! A report is what a person reads, so its lists are bounded whatever the size of the story:
//! each list keeps what most articles carry, and says how many there were in all
//! (`mentions`, `carried_by`, `reports_total`, `articles`). The articles themselves are always
//! all in the store and the API.
//!
//! Narration is pure: the engine reads the material from the store, calls
//! [`Narrator::story`], and writes the report back.
#![deny(missing_docs)]

mod article;
mod build;
pub mod contract;
mod ledger;
pub mod render;
mod report;
mod summary;

pub use article::highlighted_html;
pub use build::{Material, Narrator, REPORTS_PER_QUANTITY, SOURCES_PER_EVENT, SOURCES_PER_ITEM};
pub use report::{
    Citation, CopyEdge, Coverage, CoverageRow, EventReport, FigureReport, LedgerEntry, QuoteEntry,
    Source, SpeakerQuotes, StoryReport, SummarySentence, TimelineEntry,
};

//! The reports: what a person reads about one event or one story. Every sentence, quote, date
//! and figure in them cites the article it comes from, with byte offsets into its clean text.

use serde::{Deserialize, Serialize};

/// Where something was read: an article and a byte range of its clean text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Citation {
    /// The article's id.
    pub article: String,
    /// First byte.
    pub start: usize,
    /// Byte after the end.
    pub end: usize,
    /// The article's outlet, if known.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub outlet: Option<String>,
}

/// An article of an event, as the report lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Source {
    /// The article's id.
    pub article: String,
    /// Its title.
    pub title: String,
    /// Its outlet.
    pub outlet: Option<String>,
    /// Its language.
    pub lang: Option<String>,
    /// Its publication date as written (ISO, at its precision).
    pub date: Option<String>,
    /// Its event.
    pub event: u32,
    /// The article it copies, if it is a copy.
    pub copy_of: Option<String>,
    /// `exact`, `near` or `wire`, for a copy.
    pub copy_kind: Option<String>,
}

/// One dated happening.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct TimelineEntry {
    /// ISO date (`2023-09-13` or `2023-09`).
    pub date: String,
    /// `stated` (a date the text gives), `published` (the day articles appeared) or `not
    /// before` (no article of the event is dated; the earliest day their texts allow).
    pub kind: String,
    /// What happened: the sentence stating the date, or the title of the first article.
    pub what: String,
    /// The event it belongs to.
    pub event: u32,
    /// Articles that say so, the first [`crate::SOURCES_PER_ITEM`] of them.
    pub sources: Vec<Citation>,
    /// How many articles say so.
    #[serde(default)]
    pub mentions: u32,
}

/// A sentence of an extractive summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SummarySentence {
    /// The sentence as written.
    pub text: String,
    /// The event it summarises.
    pub event: u32,
    /// Where it was read.
    pub cite: Citation,
}

/// A quote, once, with every article that carries it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct QuoteEntry {
    /// The words quoted.
    pub text: String,
    /// `Direct`, `Indirect`, `Reported`, ...
    pub kind: String,
    /// The event.
    pub event: u32,
    /// Where it was read (the first is the earliest), up to [`crate::SOURCES_PER_ITEM`].
    pub sources: Vec<Citation>,
    /// How many articles carry it.
    #[serde(default)]
    pub carried_by: u32,
}

/// Everything one speaker said.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SpeakerQuotes {
    /// The speaker's fullest name (`speaker` in reports stored before the contract).
    #[serde(rename = "speaker_name", alias = "speaker")]
    pub speaker: String,
    /// The key equal for every spelling of the name (`key` in reports stored before).
    #[serde(rename = "speaker_key", alias = "key")]
    pub key: String,
    /// The quotes.
    pub quotes: Vec<QuoteEntry>,
}

/// One report of a quantity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct FigureReport {
    /// The figure as written.
    pub text: String,
    /// Its amount (lower end of a range).
    pub value: f64,
    /// Upper end of a range.
    pub high: Option<f64>,
    /// Its unit.
    pub unit: Option<String>,
    /// What it counts.
    pub counted: Option<String>,
    /// "bis zu", "rund", ...
    pub approximation: Option<String>,
    /// Who says so.
    pub claimed_by: Option<String>,
    /// Where it was read.
    pub cite: Citation,
}

/// One quantity as each outlet or speaker reports it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct LedgerEntry {
    /// What is counted or measured ("Granaten / Schuss").
    pub quantity: String,
    /// The event.
    pub event: u32,
    /// The reports, up to [`crate::REPORTS_PER_QUANTITY`].
    pub reports: Vec<FigureReport>,
    /// How many reports there are.
    #[serde(default)]
    pub reports_total: u32,
    /// Whether the reports give different amounts.
    pub disagreement: bool,
}

/// Articles by one outlet or in one language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CoverageRow {
    /// The outlet or language (`unknown` when not known).
    pub name: String,
    /// Articles, copies included.
    pub articles: u32,
    /// Articles that are not copies.
    pub independent: u32,
}

/// Who covered it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default, schemars::JsonSchema)]
pub struct Coverage {
    /// By outlet, most articles first.
    pub outlets: Vec<CoverageRow>,
    /// By language, most articles first.
    pub languages: Vec<CoverageRow>,
}

/// An edge of the copy graph: `copy` copies `original`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CopyEdge {
    /// The copy.
    pub copy: String,
    /// The earliest article it copies.
    pub original: String,
    /// `exact`, `near` or `wire`.
    pub kind: String,
}

/// One event: one real happening and everything written about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct EventReport {
    /// The event.
    pub id: u32,
    /// Its story.
    pub story: u32,
    /// Its title: the title of its first independent report.
    pub title: String,
    /// Earliest publication date.
    pub first: Option<String>,
    /// Latest publication date.
    pub last: Option<String>,
    /// Its articles, copies included.
    #[serde(default)]
    pub articles: u32,
    /// Articles that are not copies: sources counted once.
    pub independent: u32,
    /// Its articles in the order they arrived, the first [`crate::SOURCES_PER_EVENT`].
    pub sources: Vec<Source>,
    /// Dated happenings, in date order.
    pub timeline: Vec<TimelineEntry>,
    /// The extractive summary.
    pub summary: Vec<SummarySentence>,
    /// Who said what.
    pub quotes: Vec<SpeakerQuotes>,
    /// The figures ledger: disagreements first.
    pub figures: Vec<LedgerEntry>,
    /// Coverage by outlet and language.
    pub coverage: Coverage,
    /// Who copied whom.
    pub copies: Vec<CopyEdge>,
}

/// One story: a thread of events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct StoryReport {
    /// The story.
    pub id: u32,
    /// Its title: the title of its most covered event.
    pub title: String,
    /// Earliest publication date.
    pub first: Option<String>,
    /// Latest publication date.
    pub last: Option<String>,
    /// Articles, copies included.
    pub articles: u32,
    /// Articles that are not copies.
    pub independent: u32,
    /// Languages, sorted.
    pub languages: Vec<String>,
    /// Its events, oldest first.
    pub events: Vec<EventReport>,
    /// Every event's timeline, merged in date order.
    pub timeline: Vec<TimelineEntry>,
    /// The leading sentences of each event's summary, oldest event first.
    pub summary: Vec<SummarySentence>,
    /// Who said what across its events.
    pub quotes: Vec<SpeakerQuotes>,
    /// Every event's ledger entries.
    pub figures: Vec<LedgerEntry>,
    /// Coverage by outlet and language.
    pub coverage: Coverage,
    /// Who copied whom.
    pub copies: Vec<CopyEdge>,
}

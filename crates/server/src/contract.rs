//! The answers only the API gives (health, search, errors), as typed structures; the facts the
//! CLI and the exports share are in [`storyline_narrate::contract`]. The OpenAPI document's
//! schemas are generated from both.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// `GET /api/health`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Health {
    /// `ok` when the store answers.
    pub status: String,
    /// Articles stored.
    pub articles: u64,
    /// Whether any story report has been written.
    pub narrated: bool,
}

/// One value of a search facet and how many hits have it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct FacetItem {
    /// The value (a language code, an outlet, an entity key, a month `YYYY-MM`).
    pub value: String,
    /// Hits with it.
    pub count: u64,
    /// A readable name, where the value is a key (an entity's canonical name).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub label: Option<String>,
}

/// The facets of a search's hits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Facets {
    /// By language.
    pub lang: Vec<FacetItem>,
    /// By outlet.
    pub outlet: Vec<FacetItem>,
    /// By entity.
    pub entity: Vec<FacetItem>,
    /// By month.
    pub month: Vec<FacetItem>,
}

/// An event or story the hits fall in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct GroupHit {
    /// Its id.
    pub id: u32,
    /// Hits in it.
    pub hits: u64,
    /// Its title, once narrated.
    pub title: Option<String>,
}

/// An article a search found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SearchHit {
    /// Its id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its date.
    pub date: Option<String>,
    /// Its outlet.
    pub outlet: Option<String>,
    /// Its language.
    pub lang: Option<String>,
    /// Its event.
    pub event: Option<u32>,
    /// Its story.
    pub story: Option<u32>,
    /// The sentence that matches most of the query's words.
    pub snippet: Option<Snippet>,
}

/// The passage of a hit that matches best.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Snippet {
    /// The passage (a sentence, cut when long).
    pub text: String,
    /// Its first byte in the article's text.
    pub start: usize,
    /// The byte after it.
    pub end: usize,
    /// Byte ranges within `text` of the words that match.
    pub marks: Vec<(usize, usize)>,
}

/// `GET /api/search`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SearchAnswer {
    /// The query as asked.
    pub query: String,
    /// Articles matching.
    pub total: u64,
    /// This page of them, best first.
    pub hits: Vec<SearchHit>,
    /// The cursor of the next page.
    pub next: Option<String>,
    /// Facets of all the matches.
    pub facets: Facets,
    /// The events the matches fall in.
    pub events: Vec<GroupHit>,
    /// The stories the matches fall in.
    pub stories: Vec<GroupHit>,
}

/// Every error answer: `{"error": {"code", "message"}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ErrorBody {
    /// What went wrong.
    pub error: ErrorDetail,
}

/// An error's stable code and its message for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ErrorDetail {
    /// Stable: `bad_request` (a parameter is wrong; the message names it), `not_found`,
    /// `forbidden_host` (the Host header is not allowed), `internal`.
    pub code: String,
    /// For people; never a path on the server.
    pub message: String,
}

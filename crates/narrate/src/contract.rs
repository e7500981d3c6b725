//! The facts as every interface gives them: one `Serialize` type per fact, with one set of field
//! names, used by the CLI's `--json`, the REST API (and its OpenAPI document, generated from these
//! types) and the exports. A field means the same thing wherever it appears: `speaker_name` is
//! who is quoted, `speaker` where the text names them; `claimed_by` is who reports a figure.
//!
//! Offsets (`start`, `end`) are bytes into the article's clean text, on character boundaries.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use storyline_store::{
    ArticleSummary, EntityRow, EntitySummary, FigureHit, FigureRow, QuoteHit, QuoteRow,
    StoryListRow, StorySummary, TimexRow,
};

/// A page of a list, and the cursor of the next page (`null` on the last).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// Pass it as `cursor` for the next page.
    pub next: Option<String>,
}

/// A stretch of an article's text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// Byte after the end.
    pub end: usize,
    /// The text there.
    pub text: String,
}

fn slice(text: &str, start: usize, end: usize) -> String {
    text.get(start..end).unwrap_or_default().to_string()
}

fn span(text: &str, s: Option<(usize, usize)>) -> Option<Span> {
    s.map(|(start, end)| Span { start, end, text: slice(text, start, end) })
}

/// A quote in an article.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Quote {
    /// `Direct`, `Indirect`, `Reported`, ...
    pub kind: String,
    /// First byte of the quoted words.
    pub start: usize,
    /// Byte after them.
    pub end: usize,
    /// The quoted words.
    pub text: String,
    /// The verb or phrase that marks it ("sagte", "laut").
    pub cue: Option<Span>,
    /// Where the text names the speaker.
    pub speaker: Option<Span>,
    /// The speaker's fullest name.
    pub speaker_name: Option<String>,
    /// Equal for every spelling of the speaker's name.
    pub speaker_key: Option<String>,
    /// Whether it stands inside another quote.
    pub nested: bool,
}

impl Quote {
    /// A stored quote of the article with `text`.
    pub fn of(text: &str, q: &QuoteRow) -> Quote {
        Quote {
            kind: q.kind.clone(),
            start: q.start,
            end: q.end,
            text: slice(text, q.start, q.end),
            cue: span(text, q.cue),
            speaker: span(text, q.speaker),
            speaker_name: q.speaker_name.clone(),
            speaker_key: q.speaker_key.clone(),
            nested: q.nested,
        }
    }
}

/// A time expression in an article, normalised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Time {
    /// `date`, `time`, `duration`, `set`.
    pub kind: String,
    /// First byte.
    pub start: usize,
    /// Byte after the end.
    pub end: usize,
    /// As written.
    pub text: String,
    /// Its value (TIMEX3 style: `2023-09-12`, `2023-W37`, `P3D`, ...).
    pub value: String,
    /// Its granularity (`day`, `month`, ...).
    pub granularity: String,
    /// What it was resolved against (`absolute`, `document`, `previous`, ...).
    pub resolution: String,
    /// "Anfang", "Mitte", "gegen", ...
    pub modifier: Option<String>,
}

impl Time {
    /// A stored time expression of the article with `text`.
    pub fn of(text: &str, t: &TimexRow) -> Time {
        Time {
            kind: t.kind.clone(),
            start: t.start,
            end: t.end,
            text: slice(text, t.start, t.end),
            value: t.value.clone(),
            granularity: t.granularity.clone(),
            resolution: t.resolution.clone(),
            modifier: t.modifier.clone(),
        }
    }
}

/// A figure in an article: an amount, what it counts or its unit, and who claims it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Figure {
    /// `count`, `money`, `percent`, `measure`, ...
    pub kind: String,
    /// First byte.
    pub start: usize,
    /// Byte after the end.
    pub end: usize,
    /// As written.
    pub text: String,
    /// The amount (the lower end of a range).
    pub value: f64,
    /// The upper end of a range.
    pub high: Option<f64>,
    /// Its unit.
    pub unit: Option<String>,
    /// What it counts.
    pub counted: Option<String>,
    /// "rund", "bis zu", ...
    pub approximation: Option<String>,
    /// Who says so: the speaker of the quote it stands in, or the source it is attributed to.
    pub claimed_by: Option<String>,
}

impl Figure {
    /// A stored figure of the article with `text`.
    pub fn of(text: &str, f: &FigureRow) -> Figure {
        Figure {
            kind: f.kind.clone(),
            start: f.start,
            end: f.end,
            text: slice(text, f.start, f.end),
            value: f.value,
            high: f.high,
            unit: f.unit.clone(),
            counted: f.counted.clone(),
            approximation: f.approximation.clone(),
            claimed_by: f.source.clone(),
        }
    }
}

/// A named-entity mention in an article.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Entity {
    /// `PER`, `LOC`, `ORG`, `OTH`.
    #[serde(rename = "type")]
    pub etype: String,
    /// First byte.
    pub start: usize,
    /// Byte after the end.
    pub end: usize,
    /// As written.
    pub text: String,
    /// The fullest spelling of the entity.
    pub canonical: String,
    /// Equal for every spelling.
    pub key: String,
    /// The role the text gives it ("Kremlchef").
    pub role: Option<String>,
}

impl Entity {
    /// A stored mention of the article with `text`.
    pub fn of(text: &str, e: &EntityRow) -> Entity {
        Entity {
            etype: e.etype.clone(),
            start: e.start,
            end: e.end,
            text: slice(text, e.start, e.end),
            canonical: e.canonical.clone(),
            key: e.key.clone(),
            role: e.role.clone(),
        }
    }
}

/// Everything extracted from one article.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Extracted {
    /// Quotes, in text order.
    pub quotes: Vec<Quote>,
    /// Time expressions, in text order.
    pub times: Vec<Time>,
    /// Figures, in text order.
    pub figures: Vec<Figure>,
    /// Named-entity mentions, in text order.
    pub entities: Vec<Entity>,
}

impl Extracted {
    /// The stored extraction of the article with `text`.
    pub fn of(text: &str, x: &storyline_store::Extraction) -> Extracted {
        Extracted {
            quotes: x.quotes.iter().map(|q| Quote::of(text, q)).collect(),
            times: x.timexes.iter().map(|t| Time::of(text, t)).collect(),
            figures: x.figures.iter().map(|f| Figure::of(text, f)).collect(),
            entities: x.entities.iter().map(|e| Entity::of(text, e)).collect(),
        }
    }
}

/// A stored article in a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ArticleItem {
    /// Its id.
    pub id: String,
    /// The id its source gave it.
    pub external_id: Option<String>,
    /// Its title.
    pub title: String,
    /// Its publication date as written (ISO 8601), when known.
    pub date: Option<String>,
    /// Its language.
    pub lang: Option<String>,
    /// Its outlet.
    pub outlet: Option<String>,
}

impl From<&ArticleSummary> for ArticleItem {
    fn from(a: &ArticleSummary) -> ArticleItem {
        ArticleItem {
            id: a.id.as_str().to_string(),
            external_id: a.external_id.clone(),
            title: a.title.clone(),
            date: a.date.clone(),
            lang: a.lang.clone(),
            outlet: a.outlet.clone(),
        }
    }
}

/// A story in a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct StoryItem {
    /// Its id.
    pub id: u32,
    /// Its title.
    pub title: String,
    /// Its first day, when its articles are dated.
    pub first: Option<String>,
    /// Its last day.
    pub last: Option<String>,
    /// Its articles.
    pub articles: u32,
    /// Its events.
    pub events: u32,
    /// The languages of its articles.
    pub languages: Vec<String>,
}

/// Stored languages, comma-joined, as a list.
fn language_list(joined: &str) -> Vec<String> {
    joined.split(',').filter(|l| !l.is_empty()).map(str::to_string).collect()
}

impl From<&StoryListRow> for StoryItem {
    fn from(r: &StoryListRow) -> StoryItem {
        StoryItem {
            id: r.story,
            title: r.title.clone(),
            first: r.first.clone(),
            last: r.last.clone(),
            articles: r.articles,
            events: r.events,
            languages: language_list(&r.languages),
        }
    }
}

/// A story as clustering holds it (before or without its report), in the list's shape.
impl From<&StorySummary> for StoryItem {
    fn from(s: &StorySummary) -> StoryItem {
        StoryItem {
            id: s.id,
            title: s.title.clone(),
            first: s.first.clone(),
            last: s.last.clone(),
            articles: s.articles,
            events: s.events.len() as u32,
            languages: language_list(&s.languages),
        }
    }
}

/// A quote in a list of quotes, with the article it was read in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct QuoteItem {
    /// The article's id.
    pub article: String,
    /// The article's title.
    pub title: String,
    /// The article's date.
    pub date: Option<String>,
    /// The quoted words.
    pub text: String,
    /// `Direct`, `Indirect`, `Reported`, ...
    pub kind: String,
    /// The speaker's fullest name.
    pub speaker_name: Option<String>,
    /// Equal for every spelling of the speaker's name.
    pub speaker_key: Option<String>,
    /// First byte of the quote in the article's text.
    pub start: usize,
    /// Byte after it.
    pub end: usize,
}

impl From<&QuoteHit> for QuoteItem {
    fn from(h: &QuoteHit) -> QuoteItem {
        QuoteItem {
            article: h.article.as_str().to_string(),
            title: h.title.clone(),
            date: h.date.clone(),
            text: h.text.clone(),
            kind: h.quote.kind.clone(),
            speaker_name: h.quote.speaker_name.clone(),
            speaker_key: h.quote.speaker_key.clone(),
            start: h.quote.start,
            end: h.quote.end,
        }
    }
}

/// A figure in a list of figures, with the article it was read in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FigureItem {
    /// The article's id.
    pub article: String,
    /// The article's title.
    pub title: String,
    /// The article's date.
    pub date: Option<String>,
    /// The article's outlet.
    pub outlet: Option<String>,
    /// The figure as written.
    pub text: String,
    /// The amount (the lower end of a range).
    pub value: f64,
    /// The upper end of a range.
    pub high: Option<f64>,
    /// `count`, `money`, `percent`, `measure`, ...
    pub kind: String,
    /// Its unit.
    pub unit: Option<String>,
    /// What it counts.
    pub counted: Option<String>,
    /// "rund", "bis zu", ...
    pub approximation: Option<String>,
    /// Who says so.
    pub claimed_by: Option<String>,
    /// First byte of the figure in the article's text.
    pub start: usize,
    /// Byte after it.
    pub end: usize,
}

impl From<&FigureHit> for FigureItem {
    fn from(h: &FigureHit) -> FigureItem {
        let f = &h.figure;
        FigureItem {
            article: h.article.as_str().to_string(),
            title: h.title.clone(),
            date: h.date.clone(),
            outlet: h.outlet.clone(),
            text: h.text.clone(),
            value: f.value,
            high: f.high,
            kind: f.kind.clone(),
            unit: f.unit.clone(),
            counted: f.counted.clone(),
            approximation: f.approximation.clone(),
            claimed_by: f.source.clone(),
            start: f.start,
            end: f.end,
        }
    }
}

/// An entity across articles.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct EntityItem {
    /// Equal for every spelling.
    pub key: String,
    /// `PER`, `LOC`, `ORG`, `OTH`.
    #[serde(rename = "type")]
    pub etype: String,
    /// The fullest spelling.
    pub canonical: String,
    /// Every spelling found.
    pub variants: Vec<String>,
    /// Roles the texts give it.
    pub roles: Vec<String>,
    /// Mentions.
    pub mentions: u64,
    /// Articles that mention it.
    pub articles: u64,
}

impl From<&EntitySummary> for EntityItem {
    fn from(e: &EntitySummary) -> EntityItem {
        EntityItem {
            key: e.key.clone(),
            etype: e.etype.clone(),
            canonical: e.canonical.clone(),
            variants: e.variants.clone(),
            roles: e.roles.clone(),
            mentions: e.mentions,
            articles: e.articles,
        }
    }
}

/// An article's publication date and how it was found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct DateInfo {
    /// As precise as known, with its offset (`2023-09-12T07:43+02:00`, `2023-09-12`).
    pub iso: String,
    /// The start of that time in UTC (RFC 3339).
    pub start_utc: String,
    /// `year`, `month`, `day`, `minute`, ...
    pub precision: String,
    /// Where it was found: `source`, `metadata`, `text`, `url`, ...
    pub source: String,
    /// The time zone it was read in.
    pub timezone: Option<String>,
    /// The words it was read from.
    pub evidence: String,
}

/// Where an article came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SourceInfo {
    /// The file (or `-` for standard input).
    pub path: String,
    /// Its line, for JSONL.
    pub line: Option<u64>,
    /// `text`, `html`, `jsonl`, `rss`, `warc`, ...
    pub format: String,
    /// The id the source gave it.
    pub external_id: Option<String>,
}

/// One decision ingest made about an article, with its reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct DecisionItem {
    /// `title`, `date`, `language`, `outlet`, `boilerplate`, ...
    pub field: String,
    /// What was decided or dropped.
    pub value: String,
    /// Why.
    pub reason: String,
}

/// One article whole: metadata, every normalisation decision, its event and story, and (when
/// asked for) what was extracted from it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ArticleDetail {
    /// Its id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its URL.
    pub url: Option<String>,
    /// Its language.
    pub lang: Option<String>,
    /// Its outlet.
    pub outlet: Option<String>,
    /// Its author, from a byline.
    pub author: Option<String>,
    /// Its clean text; every offset points into it.
    pub text: String,
    /// Its publication date.
    pub date: Option<DateInfo>,
    /// Without a date: the earliest day its text allows.
    pub not_before: Option<String>,
    /// Where it came from.
    pub source: SourceInfo,
    /// What ingest decided, and why.
    pub decisions: Vec<DecisionItem>,
    /// Its event, once clustered.
    pub event: Option<u32>,
    /// Its story, once clustered.
    pub story: Option<u32>,
    /// The article it copies, if it is a copy.
    pub copy_of: Option<String>,
    /// `exact`, `near`, `wire`, `translation`.
    pub copy_kind: Option<String>,
    /// Quotes, times, figures and entities (absent when not asked for).
    #[serde(flatten)]
    pub extracted: Option<Extracted>,
}

impl ArticleDetail {
    /// The article with its assignment, and its extraction when given.
    pub fn new(
        article: &storyline_core::Article,
        assignment: Option<&storyline_store::StoredAssignment>,
        extraction: Option<&storyline_store::Extraction>,
    ) -> ArticleDetail {
        ArticleDetail {
            id: article.id.as_str().to_string(),
            title: article.title.clone(),
            url: article.url.clone(),
            lang: article.lang.clone(),
            outlet: article.outlet.clone(),
            author: article.author.clone(),
            text: article.text.clone(),
            date: article.date.as_ref().map(|d| DateInfo {
                iso: d.iso.clone(),
                start_utc: d.start_utc.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                precision: d.precision.as_str().to_string(),
                source: d.source.as_str().to_string(),
                timezone: d.timezone.clone(),
                evidence: d.evidence.clone(),
            }),
            not_before: article.not_before.map(|d| d.to_string()),
            source: SourceInfo {
                path: article.source.path.clone(),
                line: article.source.line,
                format: article.source.format.as_str().to_string(),
                external_id: article.source.external_id.clone(),
            },
            decisions: article
                .decisions
                .iter()
                .map(|d| DecisionItem {
                    field: d.field.as_str().to_string(),
                    value: d.value.clone(),
                    reason: d.reason.clone(),
                })
                .collect(),
            event: assignment.map(|a| a.event),
            story: assignment.map(|a| a.story),
            copy_of: assignment.and_then(|a| a.copy_of.clone()),
            copy_kind: assignment.and_then(|a| a.copy_kind.clone()),
            extracted: extraction.map(|x| Extracted::of(&article.text, x)),
        }
    }
}

//! Raw documents as readers deliver them, and normalised articles.

use crate::{ArticleId, PubDate};
use serde::{Deserialize, Serialize};

/// The input format a document was read from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceFormat {
    /// A plain-text file.
    Text,
    /// One line of a JSONL file or stream.
    Jsonl,
    /// An HTML page.
    Html,
    /// An entry of an RSS or Atom feed.
    Feed,
    /// A response record of a WARC file.
    Warc,
}

impl SourceFormat {
    /// The lowercase name used on the command line, in the store and in JSON.
    pub fn as_str(&self) -> &'static str {
        match self {
            SourceFormat::Text => "text",
            SourceFormat::Jsonl => "jsonl",
            SourceFormat::Html => "html",
            SourceFormat::Feed => "feed",
            SourceFormat::Warc => "warc",
        }
    }

    /// Parses the name written by [`SourceFormat::as_str`].
    pub fn parse(s: &str) -> Option<SourceFormat> {
        Some(match s {
            "text" => SourceFormat::Text,
            "jsonl" => SourceFormat::Jsonl,
            "html" => SourceFormat::Html,
            "feed" => SourceFormat::Feed,
            "warc" => SourceFormat::Warc,
            _ => return None,
        })
    }
}

/// Where a document came from: enough to find it again and to name it in an error.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceRef {
    /// The file path, or `-` for standard input.
    pub path: String,
    /// The 1-based line (JSONL) or record number (feeds, WARC) inside the file, if any.
    pub line: Option<u64>,
    /// The format the document was read as.
    pub format: SourceFormat,
    /// The id the source gave the document (a JSONL `id`, a feed entry id, a file stem).
    pub external_id: Option<String>,
}

impl std::fmt::Display for SourceRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}", self.path, line),
            None => f.write_str(&self.path),
        }
    }
}

/// What a normalisation decision was about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// How the bytes were decoded, and any mojibake repair.
    Encoding,
    /// The title.
    Title,
    /// The publication date.
    Date,
    /// The language.
    Language,
    /// The outlet.
    Outlet,
    /// The author, from a byline.
    Author,
    /// A piece of boilerplate removed from the text.
    Boilerplate,
    /// How the main text was obtained.
    Text,
}

impl Field {
    /// The lowercase name used in the store and in JSON.
    pub fn as_str(&self) -> &'static str {
        match self {
            Field::Encoding => "encoding",
            Field::Title => "title",
            Field::Date => "date",
            Field::Language => "language",
            Field::Outlet => "outlet",
            Field::Author => "author",
            Field::Boilerplate => "boilerplate",
            Field::Text => "text",
        }
    }

    /// Parses the name written by [`Field::as_str`].
    pub fn parse(s: &str) -> Option<Field> {
        Some(match s {
            "encoding" => Field::Encoding,
            "title" => Field::Title,
            "date" => Field::Date,
            "language" => Field::Language,
            "outlet" => Field::Outlet,
            "author" => Field::Author,
            "boilerplate" => Field::Boilerplate,
            "text" => Field::Text,
            _ => return None,
        })
    }
}

/// One decision normalisation took, kept so that a user can see why an article looks as it does.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    /// What the decision was about.
    pub field: Field,
    /// The value chosen (or the text removed, for boilerplate).
    pub value: String,
    /// Why, in words a user can check against the source.
    pub reason: String,
}

impl Decision {
    /// Makes a decision record.
    pub fn new(field: Field, value: impl Into<String>, reason: impl Into<String>) -> Decision {
        Decision { field, value: value.into(), reason: reason.into() }
    }
}

/// A document as a reader delivers it: decoded text or HTML and the metadata its source declared.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RawDoc {
    /// Where it came from.
    pub source: SourceRef,
    /// The decoded content: plain text, or an HTML page when `is_html` is set.
    pub body: String,
    /// True when `body` is HTML.
    pub is_html: bool,
    /// A title the source declared.
    pub title: Option<String>,
    /// A publication date the source declared, as written there.
    pub date: Option<String>,
    /// The URL the source declared.
    pub url: Option<String>,
    /// The outlet the source declared (a site name or domain).
    pub outlet: Option<String>,
    /// The language the source declared.
    pub lang: Option<String>,
    /// When the document was fetched (a WARC-Date), as written there: not a publication date,
    /// only its upper bound, used when the document states no date of its own.
    pub fetched: Option<String>,
    /// Decisions taken while reading (decoding, for instance).
    pub decisions: Vec<Decision>,
}

impl RawDoc {
    /// A document with only a body; metadata fields empty.
    pub fn new(source: SourceRef, body: String, is_html: bool) -> RawDoc {
        RawDoc {
            source,
            body,
            is_html,
            title: None,
            date: None,
            url: None,
            outlet: None,
            lang: None,
            fetched: None,
            decisions: Vec::new(),
        }
    }

    /// The id the article made from this document gets: a hash of the declared URL, title and
    /// body, so the same document read twice, from any path, gets the same id.
    pub fn article_id(&self) -> ArticleId {
        let mut key = Vec::with_capacity(self.body.len() + 256);
        for part in [self.url.as_deref(), self.title.as_deref()] {
            key.extend_from_slice(part.unwrap_or("").as_bytes());
            key.push(0);
        }
        key.extend_from_slice(self.body.as_bytes());
        ArticleId::from_content(&key)
    }
}

/// A normalised article: clean text and the metadata Storyline decided on, with its reasons.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Article {
    /// Stable id derived from the raw document.
    pub id: ArticleId,
    /// Where it came from.
    pub source: SourceRef,
    /// The URL, when known.
    pub url: Option<String>,
    /// The title (may be empty when none could be found).
    pub title: String,
    /// The clean main text: paragraphs separated by a blank line, boilerplate removed.
    pub text: String,
    /// The publication date; `None` means unknown, and a [`crate::Decision`] says why.
    pub date: Option<PubDate>,
    /// When the date is unknown: the earliest day the text allows (it narrates an earlier year
    /// as past: "2023 besuchte Kim Wladiwostok" was written in 2024 or later). A decision
    /// quotes the sentence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_before: Option<chrono::NaiveDate>,
    /// ISO 639-1 language code, when detected or declared.
    pub lang: Option<String>,
    /// The outlet, when known.
    pub outlet: Option<String>,
    /// The author from a byline near the top ("Von Alex Lantier", "By …"), when one was found.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// Every decision normalisation took, in order.
    pub decisions: Vec<Decision>,
}

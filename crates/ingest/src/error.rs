//! Rejected inputs: what could not be read, where, and why.

use std::fmt;

/// What kind of problem made an input unusable. Every kind is the input's fault, not Storyline's,
/// except [`RejectKind::Io`], which may be either.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RejectKind {
    /// The path does not exist.
    NotFound,
    /// The file could not be read (permissions, a device error).
    Io,
    /// The file holds no text, or only white space.
    Empty,
    /// The file is binary, not text.
    Binary,
    /// A JSONL line is not valid UTF-8.
    InvalidUtf8,
    /// A JSONL line is not a JSON object (truncated, or another JSON value).
    BadJson,
    /// A record has no article text, or an HTML page has no main text.
    NoText,
    /// A single document is larger than the configured limit.
    TooLarge,
    /// A feed or WARC file is malformed.
    Malformed,
    /// The HTML extractor could not handle the page (it failed on it, or its thread could not
    /// start). The page's fault or a limit of Storyline's; either way only this page is skipped.
    Unreadable,
}

impl RejectKind {
    /// A short stable name for scripts and the JSON report.
    pub fn as_str(&self) -> &'static str {
        match self {
            RejectKind::NotFound => "not_found",
            RejectKind::Io => "io",
            RejectKind::Empty => "empty",
            RejectKind::Binary => "binary",
            RejectKind::InvalidUtf8 => "invalid_utf8",
            RejectKind::BadJson => "bad_json",
            RejectKind::NoText => "no_text",
            RejectKind::TooLarge => "too_large",
            RejectKind::Malformed => "malformed",
            RejectKind::Unreadable => "unreadable",
        }
    }
}

/// One input that was skipped: its file, its line or record number, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reject {
    /// The file path, or `-` for standard input.
    pub path: String,
    /// The 1-based line (JSONL) or record (feed, WARC) number, when the problem is inside a file.
    pub line: Option<u64>,
    /// The kind of problem.
    pub kind: RejectKind,
    /// A sentence for a person.
    pub message: String,
}

impl Reject {
    /// Makes a reject for a whole file.
    pub fn file(path: impl Into<String>, kind: RejectKind, message: impl Into<String>) -> Reject {
        Reject { path: path.into(), line: None, kind, message: message.into() }
    }

    /// Makes a reject for one line or record of a file.
    pub fn line(
        path: impl Into<String>,
        line: u64,
        kind: RejectKind,
        message: impl Into<String>,
    ) -> Reject {
        Reject { path: path.into(), line: Some(line), kind, message: message.into() }
    }
}

impl fmt::Display for Reject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.path, line, self.message),
            None => write!(f, "{}: {}", self.path, self.message),
        }
    }
}

impl std::error::Error for Reject {}

/// Errors of this crate that are not about one input: broken resources compiled into the binary.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IngestError {
    /// A language profile under `resources/lang` does not parse. Storyline's fault.
    #[error("language profile {name}: {message}")]
    Profile {
        /// The profile's file name.
        name: String,
        /// What is wrong with it.
        message: String,
    },
}

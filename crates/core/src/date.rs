//! Publication dates with their precision and the reason they were chosen.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// How much of a date is known.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DatePrecision {
    /// Only the year, as in `2019`.
    Year,
    /// Year and month, as in `date 2023-09`.
    Month,
    /// A calendar day.
    Day,
    /// Day and time to the minute, as in `Stand: 12.09.2023 07:43 Uhr`.
    Minute,
    /// Day and time to the second, as metadata often gives.
    Second,
}

impl DatePrecision {
    /// The lowercase name used in the store and in JSON.
    pub fn as_str(&self) -> &'static str {
        match self {
            DatePrecision::Year => "year",
            DatePrecision::Month => "month",
            DatePrecision::Day => "day",
            DatePrecision::Minute => "minute",
            DatePrecision::Second => "second",
        }
    }

    /// Parses the name written by [`DatePrecision::as_str`].
    pub fn parse(s: &str) -> Option<DatePrecision> {
        Some(match s {
            "year" => DatePrecision::Year,
            "month" => DatePrecision::Month,
            "day" => DatePrecision::Day,
            "minute" => DatePrecision::Minute,
            "second" => DatePrecision::Second,
            _ => return None,
        })
    }
}

/// Where a publication date came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DateSource {
    /// A field the source declared (a JSONL `date`, an HTML meta tag, a feed's `published`).
    Metadata,
    /// A time stamp line in the text itself.
    Text,
    /// A date in the article's URL path.
    Url,
}

impl DateSource {
    /// The lowercase name used in the store and in JSON.
    pub fn as_str(&self) -> &'static str {
        match self {
            DateSource::Metadata => "metadata",
            DateSource::Text => "text",
            DateSource::Url => "url",
        }
    }

    /// Parses the name written by [`DateSource::as_str`].
    pub fn parse(s: &str) -> Option<DateSource> {
        Some(match s {
            "metadata" => DateSource::Metadata,
            "text" => DateSource::Text,
            "url" => DateSource::Url,
            _ => return None,
        })
    }
}

/// A publication date as far as it is known.
///
/// `iso` is written to the stated precision only (`2023-09` for a month), so nothing is invented;
/// `start_utc` is the first instant the date covers and serves for ordering articles in time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PubDate {
    /// ISO 8601 text at the known precision: `2023-09-12T07:43:00+02:00`, `2023-09-12`, `2023-09`.
    pub iso: String,
    /// The first instant the date covers, in UTC (midnight UTC for a bare day).
    pub start_utc: DateTime<Utc>,
    /// How much of the date is known.
    pub precision: DatePrecision,
    /// IANA name of the time zone assumed for a local time, when one was assumed.
    pub timezone: Option<String>,
    /// Where the date came from.
    pub source: DateSource,
    /// The text the date was read from, for showing the decision to a user.
    pub evidence: String,
}

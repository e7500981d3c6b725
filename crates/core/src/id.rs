//! Stable article ids.

use serde::{Deserialize, Serialize};
use std::fmt;

/// An article's id: 16 lowercase hex digits of the XXH3-128 hash of its decoded raw content.
///
/// The id depends only on the content a source delivered, not on how it was cleaned, so the same
/// input gets the same id however the cleaning rules evolve, and ingest is idempotent.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ArticleId(String);

impl ArticleId {
    /// Derives the id from raw content bytes.
    pub fn from_content(bytes: &[u8]) -> ArticleId {
        let h = xxhash_rust::xxh3::xxh3_128(bytes);
        ArticleId(format!("{:016x}", (h >> 64) as u64))
    }

    /// Wraps an id read back from the store. No validation: ids are opaque to users.
    pub fn from_stored(s: impl Into<String>) -> ArticleId {
        ArticleId(s.into())
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ArticleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn different_content_different_id() {
        assert_ne!(ArticleId::from_content(b"a"), ArticleId::from_content(b"b"));
        assert!(ArticleId::from_content(b"a").as_str().chars().all(|c| c.is_ascii_hexdigit()));
    }
}

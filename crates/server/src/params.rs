//! Query and path parameters, checked: a bad one is a 400 that names it.

use std::collections::HashMap;

use crate::ApiError;

/// The query parameters of one request.
pub struct Params(pub HashMap<String, String>);

/// Default page size.
pub const DEFAULT_LIMIT: usize = 20;
/// Largest page size.
pub const MAX_LIMIT: usize = 100;

impl Params {
    /// Refuses parameters the endpoint does not know, so a typo is not silently ignored.
    pub fn only(&self, known: &[&str]) -> Result<(), ApiError> {
        let mut unknown: Vec<&String> =
            self.0.keys().filter(|k| !known.contains(&k.as_str())).collect();
        unknown.sort();
        match unknown.first() {
            None => Ok(()),
            Some(k) => Err(ApiError::bad(format!(
                "unknown parameter {k:?}; this endpoint takes {}",
                if known.is_empty() { "none".to_string() } else { known.join(", ") }
            ))),
        }
    }

    /// A text parameter, if given and not empty.
    pub fn text(&self, name: &str) -> Option<String> {
        self.0.get(name).map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
    }

    /// `limit`: 1 to [`MAX_LIMIT`], default [`DEFAULT_LIMIT`].
    pub fn limit(&self) -> Result<usize, ApiError> {
        match self.0.get("limit") {
            None => Ok(DEFAULT_LIMIT),
            Some(v) => {
                v.parse::<usize>().ok().filter(|n| (1..=MAX_LIMIT).contains(n)).ok_or_else(|| {
                    ApiError::bad(format!(
                        "limit must be an integer from 1 to {MAX_LIMIT}, not {v:?}"
                    ))
                })
            }
        }
    }

    /// A day parameter, `YYYY-MM-DD`.
    pub fn day(&self, name: &str) -> Result<Option<String>, ApiError> {
        let Some(v) = self.text(name) else { return Ok(None) };
        let b = v.as_bytes();
        let ok = b.len() == 10
            && b.iter().enumerate().all(|(i, c)| {
                if i == 4 || i == 7 {
                    *c == b'-'
                } else {
                    c.is_ascii_digit()
                }
            });
        if ok {
            Ok(Some(v))
        } else {
            Err(ApiError::bad(format!("{name} must be a day written YYYY-MM-DD, not {v:?}")))
        }
    }
}

/// A numeric id from a path.
pub fn id(kind: &str, raw: &str) -> Result<u32, ApiError> {
    raw.parse().map_err(|_| ApiError::bad(format!("{kind} id must be a whole number, not {raw:?}")))
}

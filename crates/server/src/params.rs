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

    /// A day parameter, `YYYY-MM-DD`, a day the calendar has (`2023-02-29` and `2023-13-45`
    /// are refused).
    pub fn day(&self, name: &str) -> Result<Option<String>, ApiError> {
        let Some(v) = self.text(name) else { return Ok(None) };
        if is_calendar_day(&v) {
            Ok(Some(v))
        } else {
            Err(ApiError::bad(format!("{name} must be a day written YYYY-MM-DD, not {v:?}")))
        }
    }
}

/// Whether `v` is `YYYY-MM-DD` naming a real day of the Gregorian calendar.
fn is_calendar_day(v: &str) -> bool {
    let b = v.as_bytes();
    let shape =
        b.len() == 10
            && b.iter().enumerate().all(|(i, c)| {
                if i == 4 || i == 7 {
                    *c == b'-'
                } else {
                    c.is_ascii_digit()
                }
            });
    if !shape {
        return false;
    }
    let number = |r: std::ops::Range<usize>| v[r].parse::<u32>().unwrap_or(0);
    let (year, month, day) = (number(0..4), number(5..7), number(8..10));
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => 0,
    };
    (1..=days).contains(&day)
}

/// A numeric id from a path.
pub fn id(kind: &str, raw: &str) -> Result<u32, ApiError> {
    raw.parse().map_err(|_| ApiError::bad(format!("{kind} id must be a whole number, not {raw:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 17: query dates were checked for shape only.
    #[test]
    fn days_must_be_on_the_calendar() {
        for ok in ["2023-09-12", "2024-02-29", "2000-02-29", "2023-12-31", "0001-01-01"] {
            assert!(is_calendar_day(ok), "{ok}");
        }
        for bad in
            ["2023-13-45", "2023-02-29", "1900-02-29", "2023-04-31", "2023-00-10", "2023-9-12"]
        {
            assert!(!is_calendar_day(bad), "{bad}");
        }
    }
}

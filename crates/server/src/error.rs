//! Errors as the API answers them: a status and `{"error": {"code", "message"}}`, the code stable
//! and derived from the status.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use storyline_store::StoreError;

/// An error answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// What went wrong, for people.
    pub message: String,
}

impl ApiError {
    /// 400: the request is wrong; the message says how.
    pub fn bad(message: impl Into<String>) -> ApiError {
        ApiError { status: StatusCode::BAD_REQUEST, message: message.into() }
    }

    /// 404: no such thing.
    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError { status: StatusCode::NOT_FOUND, message: message.into() }
    }

    /// 500: Storyline failed.
    pub fn internal(message: &str) -> ApiError {
        ApiError { status: StatusCode::INTERNAL_SERVER_ERROR, message: message.to_string() }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        match e {
            StoreError::BadCursor(_) => ApiError::bad(e.to_string()),
            // The full error, with the database's path, goes to the server's log only.
            other => {
                tracing::error!(error = %other, "store failed");
                ApiError::internal("the store could not answer; the server's log says why")
            }
        }
    }
}

impl ApiError {
    /// The stable code of the error's kind.
    pub fn code(&self) -> &'static str {
        match self.status {
            StatusCode::BAD_REQUEST => "bad_request",
            StatusCode::NOT_FOUND => "not_found",
            StatusCode::FORBIDDEN => "forbidden_host",
            _ => "internal",
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = crate::contract::ErrorBody {
            error: crate::contract::ErrorDetail { code: self.code().into(), message: self.message },
        };
        (self.status, Json(body)).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 17, row 9: API errors passed the database path through to the client.
    #[test]
    fn store_failures_do_not_show_internal_paths() {
        let e = StoreError::Io {
            path: "/srv/secret/data".into(),
            source: std::io::Error::other("disk on fire"),
        };
        let answer = ApiError::from(e);
        assert_eq!(answer.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(!answer.message.contains("/srv") && !answer.message.contains("fire"));
        let bad = ApiError::from(StoreError::BadCursor("x".into()));
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    }
}

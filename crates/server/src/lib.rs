//! Storyline's REST API and web UI, served together by `storyline serve` from one binary.
//!
//! # Brief overview
//! [`router`] builds the routes over a [`Pool`] of read connections to the data directory:
//! `/api/...` answers JSON (cursor paging, errors as `{"error": {"code", "message"}}` with 400 for bad
//! parameters and 404 for unknown ids, never 500 for a user's mistake), `/api/openapi.json`
//! describes it, and `/`, `/stories/{id}`, `/articles/{id}` and `/search` are the web UI:
//! server-rendered HTML with its CSS inline, nothing loaded from elsewhere. Store reads run on
//! tokio's blocking threads, one pooled connection each.
//!
//! [`client`] is a minimal HTTP/1.1 client over one keep-alive connection, used by the tests and
//! the load benchmark.
#![deny(missing_docs)]

mod api;
pub mod client;
pub mod contract;
mod error;
mod guard;
mod openapi;
mod params;
mod pool;
mod snippet;
mod ui;

use std::net::SocketAddr;
use std::sync::Arc;
use storyline_store::Location;

use axum::routing::get;
use axum::Router;

pub use error::ApiError;
pub use guard::ServeOptions;
pub use openapi::spec as openapi_document;
pub use pool::Pool;

/// Read connections per server: enough to keep both cores busy while some wait on the disk.
pub const DEFAULT_CONNECTIONS: usize = 8;

/// The routes of the API and the UI over `pool`, answering loopback host names and IP
/// addresses only ([`router_with`] with the default [`ServeOptions`]).
pub fn router(pool: Arc<Pool>) -> Router {
    router_with(pool, &ServeOptions::default())
}

/// The routes of the API and the UI over `pool`. Every response carries the security headers,
/// and a request naming a host that `options` does not allow is refused (403), so that a web
/// page elsewhere cannot reach the server by rebinding its DNS name to this machine.
pub fn router_with(pool: Arc<Pool>, options: &ServeOptions) -> Router {
    // Load the language profiles now rather than in the first search.
    let _ = api::analyzer();
    let hosts = Arc::new(options.allowed_hosts.clone());
    Router::new()
        .route("/api/openapi.json", get(openapi::document))
        .route("/api/health", get(api::health))
        .route("/api/stories", get(api::stories))
        .route("/api/stories/{id}", get(api::story))
        .route("/api/stories/{id}/export", get(api::export))
        .route("/api/stories/{id}/articles", get(api::story_articles))
        .route("/api/quotes", get(api::quotes))
        .route("/api/figures", get(api::figures))
        .route("/api/events/{id}", get(api::event))
        .route("/api/articles", get(api::articles))
        .route("/api/articles/{id}", get(api::article))
        .route("/api/search", get(api::search))
        .route("/", get(ui::home))
        .route("/stories/{id}", get(ui::story))
        .route("/articles/{id}", get(ui::article))
        .route("/search", get(ui::search))
        .route("/style.css", get(ui::style))
        .fallback(api::not_found)
        .with_state(pool)
        .layer(axum::middleware::from_fn_with_state(hosts, guard::guard))
}

/// Serves the store at `location` (a data directory or a PostgreSQL database) at `addr` until
/// the process ends; `ready` is told the bound address (port 0 picks a free one) once
/// connections are accepted. Several servers may serve one PostgreSQL store behind a load
/// balancer.
pub fn serve(
    location: &Location,
    addr: SocketAddr,
    ready: impl FnOnce(SocketAddr),
) -> Result<(), ServeError> {
    serve_with(location, addr, &ServeOptions::default(), ready)
}

/// [`serve`] with the host allow-list, header timeout and connection cap of `options`.
pub fn serve_with(
    location: &Location,
    addr: SocketAddr,
    options: &ServeOptions,
    ready: impl FnOnce(SocketAddr),
) -> Result<(), ServeError> {
    let pool = Arc::new(Pool::open_at(location, DEFAULT_CONNECTIONS)?);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| ServeError::Io { addr, source: e })?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| ServeError::Io { addr, source: e })?;
        let bound = listener.local_addr().map_err(|e| ServeError::Io { addr, source: e })?;
        ready(bound);
        serve_listener(listener, pool, options).await;
        Ok(())
    })
}

/// Serves the routes over `pool` on connections from `listener` until the process ends, with
/// the host allow-list, header timeout and connection cap of `options`.
pub async fn serve_listener(
    listener: tokio::net::TcpListener,
    pool: Arc<Pool>,
    options: &ServeOptions,
) {
    guard::accept(listener, router_with(pool, options), options).await;
}

/// Why the server could not start or stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServeError {
    /// The data directory could not be opened.
    #[error(transparent)]
    Store(#[from] storyline_store::StoreError),
    /// The address could not be bound or the connection loop failed.
    #[error("cannot serve on {addr}: {source}")]
    Io {
        /// The address asked for.
        addr: SocketAddr,
        /// What failed.
        source: std::io::Error,
    },
}

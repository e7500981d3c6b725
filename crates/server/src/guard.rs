//! What the server does to protect itself and its readers: a host allow-list and security
//! headers on every response, a time limit for a request's headers and a cap on connections
//! (issue 17, rows 6 and 8).

use std::collections::VecDeque;
use std::net::IpAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::header::{self, HeaderValue};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::{Notify, Semaphore};

use crate::ApiError;

/// How a server guards itself.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Host names the server answers to besides `localhost` and IP addresses (`--allowed-host`),
    /// without a port. A request naming any other host in its `Host` header is refused.
    pub allowed_hosts: Vec<String>,
    /// How long a client may take to send a request's headers, counted from when the server
    /// starts waiting for them (also between requests on a kept-alive connection). A slower
    /// one is disconnected, so half-open connections cannot pile up.
    pub header_timeout: Duration,
    /// Connections served at once. Further ones wait in the system's queue until one closes.
    /// High enough that a thousand stalled clients leave room for everyone else (the header
    /// timeout keeps them from accumulating), low enough to bound the memory and descriptors
    /// that idle connections take.
    pub max_connections: usize,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            allowed_hosts: Vec::new(),
            header_timeout: Duration::from_secs(10),
            max_connections: 4096,
        }
    }
}

/// The policy of the web UI and the API: everything from the server itself, styles inline as
/// the pages have them, no scripts, no frames around the pages, no forms sent elsewhere.
const CSP: &str = "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self'; \
                   form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// The host name of a `Host` header: without its port, lowercase, without a final dot.
fn host_name(header: &str) -> String {
    let h = header.trim();
    let name = if let Some(rest) = h.strip_prefix('[') {
        rest.split(']').next().unwrap_or("")
    } else {
        h.rsplit_once(':').map_or(h, |(name, _)| name)
    };
    name.trim_end_matches('.').to_ascii_lowercase()
}

/// Whether a request naming `host` is answered: loopback names and IP addresses always (DNS
/// rebinding needs a name the attacker controls), other names only when allowed.
fn host_allowed(host: &str, allowed: &[String]) -> bool {
    host == "localhost"
        || host.ends_with(".localhost")
        || host.parse::<IpAddr>().is_ok()
        || allowed.iter().any(|a| host_name(a) == host)
}

/// Refuses requests for hosts not allowed and adds the security headers to every response.
pub(crate) async fn guard(
    State(allowed): State<Arc<Vec<String>>>,
    request: Request,
    next: Next,
) -> Response {
    let refused = request.headers().get(header::HOST).and_then(|h| {
        let host = host_name(h.to_str().unwrap_or("?"));
        (!host_allowed(&host, &allowed)).then_some(host)
    });
    let mut response = match refused {
        Some(host) => ApiError {
            status: StatusCode::FORBIDDEN,
            message: format!(
                "this server does not answer for the host {host:?}; start it with \
                 --allowed-host {host} to allow it"
            ),
        }
        .into_response(),
        None => as_json_error(next.run(request).await).await,
    };
    let headers = response.headers_mut();
    for (name, value) in [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::CONTENT_SECURITY_POLICY, CSP),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}

/// A client error that axum's extractors answered in plain text (a path with invalid UTF-8
/// escapes, a query that does not parse) as `{"error": {"code", "message"}}` like every other error.
async fn as_json_error(response: Response) -> Response {
    let plain = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/plain"));
    if !response.status().is_client_error() || !plain {
        return response;
    }
    let status = response.status();
    let message = match axum::body::to_bytes(response.into_body(), 64 * 1024).await {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(_) => "bad request".to_string(),
    };
    ApiError { status, message }.into_response()
}

/// The connections being served, oldest first, so that at the cap one that is not answering a
/// request can be closed to make room.
#[derive(Default)]
struct Open {
    next_id: u64,
    connections: VecDeque<Connection>,
}

struct Connection {
    id: u64,
    /// Requests being answered on it now.
    busy: Arc<AtomicUsize>,
    /// Tells its task to close it.
    close: Arc<Notify>,
}

impl Open {
    /// Asks the oldest connection answering no request (a client stalled in its headers, or
    /// idle between requests) to close. False when every connection is answering one.
    fn shed_oldest_idle(&mut self) -> bool {
        let Some(at) = self.connections.iter().position(|c| c.busy.load(Ordering::Acquire) == 0)
        else {
            return false;
        };
        if let Some(c) = self.connections.remove(at) {
            c.close.notify_one();
        }
        true
    }
}

/// Counts a request as being answered while it lives.
struct Busy(Arc<AtomicUsize>);

impl Busy {
    fn enter(count: &Arc<AtomicUsize>) -> Busy {
        count.fetch_add(1, Ordering::AcqRel);
        Busy(count.clone())
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// The soft limit on open files of this process, where the system tells it (Linux).
fn open_files_limit() -> Option<usize> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}

/// Accepts connections and serves each over HTTP/1.1 until the process ends: at most
/// `options.max_connections` at once (and fewer than the process may open files), each
/// disconnected when a request's headers take longer than `options.header_timeout`. At the cap,
/// the oldest connection that is answering no request is closed to make room, so that stalled
/// clients cannot keep a new one waiting (issue 17, row 6).
pub(crate) async fn accept(listener: TcpListener, router: Router, options: &ServeOptions) {
    // Leave descriptors for the database, the log and the connection being accepted.
    let cap = match open_files_limit() {
        Some(files) => options.max_connections.min(files.saturating_sub(64)),
        None => options.max_connections,
    };
    let slots = Arc::new(Semaphore::new(cap.max(1)));
    let open = Arc::new(Mutex::new(Open::default()));
    let timeout = options.header_timeout;
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(e) => {
                // Out of file descriptors or a connection reset before it was accepted: wait
                // a little rather than spin.
                tracing::warn!(error = %e, "cannot accept a connection");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let slot = match slots.clone().try_acquire_owned() {
            Ok(slot) => slot,
            Err(_) => {
                // Make room if some connection is only waiting; else wait for one to end.
                let _ = open.lock().map(|mut o| o.shed_oldest_idle());
                let Ok(slot) = slots.clone().acquire_owned().await else { return };
                slot
            }
        };
        let _ = stream.set_nodelay(true);
        let busy = Arc::new(AtomicUsize::new(0));
        let close = Arc::new(Notify::new());
        let id = match open.lock() {
            Ok(mut o) => {
                let id = o.next_id;
                o.next_id += 1;
                o.connections.push_back(Connection {
                    id,
                    busy: busy.clone(),
                    close: close.clone(),
                });
                id
            }
            Err(_) => return,
        };
        let inner = hyper_util::service::TowerToHyperService::new(router.clone());
        let service = hyper::service::service_fn(move |request| {
            let busy = Busy::enter(&busy);
            let answer = hyper::service::Service::call(&inner, request);
            async move {
                let answer = answer.await;
                drop(busy);
                answer
            }
        });
        let open = open.clone();
        tokio::spawn(async move {
            let connection = hyper::server::conn::http1::Builder::new()
                .timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(timeout)
                .serve_connection(hyper_util::rt::TokioIo::new(stream), service);
            tokio::select! {
                ended = connection => {
                    if let Err(e) = ended {
                        tracing::trace!(error = %e, "connection ended");
                    }
                }
                _ = close.notified() => tracing::debug!("closed an idle connection to make room"),
            }
            if let Ok(mut o) = open.lock() {
                o.connections.retain(|c| c.id != id);
            }
            drop(slot);
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_names_and_the_allow_list() {
        assert_eq!(host_name("LocalHost.:8080"), "localhost");
        assert_eq!(host_name("[::1]:8080"), "::1");
        assert_eq!(host_name("127.0.0.1"), "127.0.0.1");
        let allowed = vec!["news.example:8080".to_string()];
        for ok in ["localhost", "127.0.0.1", "::1", "192.168.1.5", "news.example", "x.localhost"] {
            assert!(host_allowed(ok, &allowed), "{ok}");
        }
        for refused in ["evil.example", "127.0.0.1.evil.example", "localhost.evil.example"] {
            assert!(!host_allowed(refused, &allowed), "{refused}");
        }
    }
}

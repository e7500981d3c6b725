//! Fresh, empty stores of every backend under test, so that one test runs against each.
//!
//! SQLite (a temporary data directory) is always there. PostgreSQL joins when
//! `STORYLINE_TEST_POSTGRES` holds the URL of a server whose user may create databases
//! (`scripts/cluster-up` starts one and prints it): each [`Fresh`] store gets a database of its
//! own, dropped when the value goes. With `STORYLINE_REQUIRE_POSTGRES=1` (CI) a missing URL is an
//! error instead of a skip.

use crate::{Location, Store, StoreError};
use std::sync::atomic::{AtomicU32, Ordering};

/// The environment variable with the URL of the PostgreSQL server tests may use.
pub const TEST_POSTGRES_ENV: &str = "STORYLINE_TEST_POSTGRES";

/// One empty store for a test; the database (or directory) goes when this does.
pub struct Fresh {
    /// Where it lives.
    pub location: Location,
    _dir: Option<tempfile::TempDir>,
    drop_db: Option<(String, String)>,
}

impl std::fmt::Debug for Fresh {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Fresh({})", self.location)
    }
}

impl Fresh {
    /// Opens it (again).
    pub fn open(&self) -> Result<Store, StoreError> {
        Store::open_at(&self.location)
    }

    /// A short name of the backend, for assertion messages.
    pub fn backend(&self) -> &'static str {
        match self.location {
            Location::Dir(_) => "sqlite",
            Location::Postgres(_) => "postgres",
        }
    }
}

impl Drop for Fresh {
    fn drop(&mut self) {
        if let Some((admin, name)) = self.drop_db.take() {
            if let Ok(mut c) = postgres::Client::connect(&admin, postgres::NoTls) {
                // Best effort: a database left behind is dropped with the test server.
                let _ =
                    c.batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"));
            }
        }
    }
}

/// A fresh SQLite store in a temporary directory.
pub fn sqlite() -> Fresh {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let location = Location::Dir(dir.path().join("data"));
    Fresh { location, _dir: Some(dir), drop_db: None }
}

/// A fresh PostgreSQL database on the test server, when one is configured.
pub fn postgres() -> Option<Fresh> {
    let admin = match std::env::var(TEST_POSTGRES_ENV) {
        Ok(url) if !url.is_empty() => url,
        _ => {
            assert!(
                std::env::var("STORYLINE_REQUIRE_POSTGRES").map_or(true, |v| v != "1"),
                "STORYLINE_REQUIRE_POSTGRES=1 but {TEST_POSTGRES_ENV} is not set: run scripts/cluster-up"
            );
            return None;
        }
    };
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let name = format!(
        "storyline_test_{}_{}_{nanos}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    let mut client = postgres::Client::connect(&admin, postgres::NoTls)
        .unwrap_or_else(|e| panic!("{TEST_POSTGRES_ENV}: cannot connect: {e}"));
    client
        .batch_execute(&format!("CREATE DATABASE \"{name}\""))
        .unwrap_or_else(|e| panic!("{TEST_POSTGRES_ENV}: cannot create a database: {e}"));
    let location = Location::Postgres(with_database(&admin, &name));
    Some(Fresh { location, _dir: None, drop_db: Some((admin, name)) })
}

/// Every backend under test, each with a fresh store.
pub fn every_backend() -> Vec<Fresh> {
    let mut all = vec![sqlite()];
    all.extend(postgres());
    all
}

/// The URL with its database (the path) replaced.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let authority_end = base.find("://").map_or(0, |i| i + 3);
    let base = match base[authority_end..].find('/') {
        Some(i) => &base[..authority_end + i],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn the_database_of_a_url_is_replaced() {
        assert_eq!(with_database("postgres://u@h:5/db", "x"), "postgres://u@h:5/x");
        assert_eq!(with_database("postgres://u@h:5", "x"), "postgres://u@h:5/x");
        assert_eq!(
            with_database("postgres://u@h/db?sslmode=disable", "x"),
            "postgres://u@h/x?sslmode=disable"
        );
    }
}

//! The embedded store: everything Storyline knows lives in one data directory, in a SQLite
//! database with a versioned schema. Writes are transactional, one batch a transaction, and
//! inserting an article that is already stored does nothing, so ingest is idempotent and an
//! interrupted ingest, run again, completes without duplicates.
//!
//! # Brief overview
//! [`Store::open`] creates or opens a data directory and migrates its schema. The engine writes
//! batches of [`NewArticle`]s with [`Store::write_batch`]; readers list and fetch
//! [`storyline_core::Article`]s. The store also keeps, per outlet, how many articles carried
//! each short line, which normalisation uses to learn an outlet's boilerplate.
//!
//! The story engine's decisions are stored per article (its event, story, copy link and the
//! evidence), with the engine's document frequencies and counters so that a later run continues
//! the stream; events and stories are summarised from those on read.
//!
//! This crate does not clean, analyse or cluster anything; it stores what the stages decided.
//!
//! # Example
//! ```
//! let dir = tempfile::tempdir().unwrap();
//! let store = storyline_store::Store::open(dir.path()).unwrap();
//! assert_eq!(store.count().unwrap(), 0);
//! assert_eq!(store.schema_version().unwrap(), storyline_store::SCHEMA_VERSION);
//! ```
#![deny(missing_docs)]

mod db;
mod extractions;
mod schema;
mod stories;
pub mod testing;
mod views;

use db::{args, Db, DbError};
use rusqlite::Connection;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use storyline_core::{
    Article, ArticleId, DatePrecision, DateSource, Decision, Field, PubDate, SourceFormat,
    SourceRef,
};

pub use extractions::{
    ArticleToExtract, EntityRow, EntitySummary, Extraction, FigureHit, FigureRow, QuoteHit,
    QuoteRow, TimexRow, EXTRACTION_VERSION,
};
pub use schema::SCHEMA_VERSION;
pub use stories::{
    ArticleForEngine, ClusterCounters, EventArticle, EventSummary, NewAssignment, StoredAssignment,
    StorySummary,
};
pub use views::{
    FacetCount, Page, SearchFilter, SearchHit, SearchResult, StoryArticle, StoryListRow,
    StoryReportRow, ENTITY_FACET_HITS, SEARCH_HITS,
};

/// The database file's name inside the data directory.
pub const DB_FILE: &str = "storyline.db";

/// Store errors. `ReadOnly`, `NewerSchema` and `NotADirectory` are the user's to fix; `Sqlite`
/// and `Io` may be either's.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The data directory cannot be written.
    #[error("data directory {0} is read-only; choose another with --data-dir or make it writable")]
    ReadOnly(PathBuf),
    /// Another process is writing the data directory (see [`WriterLock`]).
    #[error("data directory {0} is being written by another storyline process; run this again when it has finished")]
    Busy(PathBuf),
    /// The data directory path exists and is a file.
    #[error("data directory {0} exists and is not a directory")]
    NotADirectory(PathBuf),
    /// A paging cursor that this store did not give out.
    #[error("bad cursor {0:?}: pass back the `next` value of the previous page")]
    BadCursor(String),
    /// The data directory was written by a newer Storyline.
    #[error("data directory {path} has schema version {found}; this Storyline reads up to {SCHEMA_VERSION}")]
    NewerSchema {
        /// The data directory.
        path: PathBuf,
        /// The version found.
        found: i64,
    },
    /// A file system error on the data directory.
    #[error("data directory {path}: {source}")]
    Io {
        /// The data directory.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A database error.
    #[error("database {path}: {source}")]
    Sqlite {
        /// The database file.
        path: PathBuf,
        /// The underlying error.
        source: rusqlite::Error,
    },
    /// A PostgreSQL error.
    #[error("database {url}: {}", pg_message(source))]
    Postgres {
        /// The server's URL, without its password.
        url: String,
        /// The underlying error.
        source: postgres::Error,
    },
    /// A column that must hold a value is NULL: the database was edited by hand or is damaged.
    #[error("database {path}: column {column} of a result is NULL")]
    Null {
        /// The database.
        path: PathBuf,
        /// The column, from 0.
        column: usize,
    },
    /// A stored value that does not parse: the database was edited by hand or is damaged.
    #[error("database {path}: article {id} has a bad {field} value")]
    Corrupt {
        /// The database file.
        path: PathBuf,
        /// The article.
        id: String,
        /// The column.
        field: &'static str,
    },
}

/// An article to store, with the hashes of its raw short lines for its outlet's line history.
#[derive(Debug, Clone)]
pub struct NewArticle {
    /// The normalised article.
    pub article: Article,
    /// Hashes of its raw short lines (see `storyline_ingest::line_key`).
    pub line_hashes: Vec<u64>,
}

/// A line of `storyline articles list`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleSummary {
    /// The article id.
    pub id: ArticleId,
    /// The id the source gave it, if any.
    pub external_id: Option<String>,
    /// The title.
    pub title: String,
    /// The date in ISO form at its precision, if known.
    pub date: Option<String>,
    /// The language code, if known.
    pub lang: Option<String>,
    /// The outlet, if known.
    pub outlet: Option<String>,
}

/// What a batch write did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WriteOutcome {
    /// Articles newly stored.
    pub inserted: usize,
    /// Articles that were stored already and left as they were.
    pub existing: usize,
}

/// A PostgreSQL error with the server's message ("db error" alone says nothing).
fn pg_message(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{}: {} ({})", db.severity(), db.message(), db.code().code()),
        None => e.to_string(),
    }
}

/// Where a store lives: a data directory (the embedded SQLite database, the default) or a
/// PostgreSQL server that several processes and machines share.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A data directory.
    Dir(PathBuf),
    /// A PostgreSQL connection URL (`postgres://user@host:port/db`).
    Postgres(String),
}

impl Location {
    /// A `postgres://` or `postgresql://` URL is a server; anything else is a data directory.
    pub fn parse(s: &str) -> Location {
        if s.starts_with("postgres://") || s.starts_with("postgresql://") {
            Location::Postgres(s.to_owned())
        } else {
            Location::Dir(PathBuf::from(s))
        }
    }

    /// The data directory, for a store that has one.
    pub fn dir(&self) -> Option<&Path> {
        match self {
            Location::Dir(d) => Some(d),
            Location::Postgres(_) => None,
        }
    }
}

impl std::fmt::Display for Location {
    /// The directory, or the URL without its password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Location::Dir(d) => write!(f, "{}", d.display()),
            Location::Postgres(url) => f.write_str(&redact(url)),
        }
    }
}

/// A URL without the password of its user part.
fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_owned() };
    let (auth, host) = match rest.split_once('@') {
        Some((auth, host)) => (auth, host),
        None => return url.to_owned(),
    };
    match auth.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_owned(),
    }
}

/// The store. One writer at a time; open it again for reading in another thread.
pub struct Store {
    db: Db,
    /// The database file, or the server's URL without its password: what errors name.
    db_path: PathBuf,
    boilerplate: Boilerplate,
}

/// Per outlet, the lines that have become boilerplate: carried by at least
/// [`BOILERPLATE_MIN_ARTICLES`] stored articles of that outlet. Only those lines are held in
/// memory, so memory grows with an outlet's boilerplate, not with the store.
#[derive(Debug, Default, Clone)]
pub struct Boilerplate(HashMap<String, HashSet<u64>>);

impl Boilerplate {
    /// How many stored articles of `outlet` carried the line: [`BOILERPLATE_MIN_ARTICLES`] for a
    /// boilerplate line, 0 for any other (counts below the threshold stay in the database).
    pub fn articles_with_line(&self, outlet: &str, line_hash: u64) -> u32 {
        match self.0.get(outlet) {
            Some(set) if set.contains(&line_hash) => BOILERPLATE_MIN_ARTICLES,
            _ => 0,
        }
    }
}

/// The right to write one store, held by one process at a time for as long as the value lives.
/// Two writers at once (a second `storyline ingest` while one runs) collided in the store with a
/// raw `UNIQUE constraint failed` (issue 17, row 9).
///
/// In a data directory the lock is SQLite's own exclusive lock on a small file beside the
/// database (`writer.lock`); on PostgreSQL it is a session advisory lock held by a connection of
/// its own. Either way it goes when the process ends, however it ends, so a killed run never
/// leaves a stale lock behind.
pub struct WriterLock {
    _held: Held,
}

/// What holds the lock; never read, only kept.
#[allow(dead_code)]
enum Held {
    File(Connection),
    Session(postgres::Client),
}

impl std::fmt::Debug for WriterLock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WriterLock")
    }
}

/// The advisory lock key of the writer lock on PostgreSQL ("storylin").
const WRITER_LOCK_KEY: i64 = 0x73746f72796c696e;

impl WriterLock {
    /// Takes the writer lock of the data directory `dir` (which must exist), or answers
    /// [`StoreError::Busy`] at once when another process holds it.
    pub fn acquire(dir: &Path) -> Result<WriterLock, StoreError> {
        let path = dir.join("writer.lock");
        let sql = |source| StoreError::Sqlite { path: path.clone(), source };
        let conn = Connection::open(&path).map_err(sql)?;
        conn.busy_timeout(std::time::Duration::ZERO).map_err(sql)?;
        match conn.execute_batch("PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE;") {
            Ok(()) => Ok(WriterLock { _held: Held::File(conn) }),
            Err(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy) => {
                Err(StoreError::Busy(dir.to_owned()))
            }
            Err(e) => Err(sql(e)),
        }
    }

    /// Takes the writer lock of the store at `location`.
    pub fn acquire_at(location: &Location) -> Result<WriterLock, StoreError> {
        match location {
            Location::Dir(dir) => WriterLock::acquire(dir),
            Location::Postgres(url) => {
                let pg = |source| StoreError::Postgres { url: redact(url), source };
                let mut client = postgres::Client::connect(url, postgres::NoTls).map_err(pg)?;
                let got: bool = client
                    .query_one("SELECT pg_try_advisory_lock($1)", &[&WRITER_LOCK_KEY])
                    .map_err(pg)?
                    .get(0);
                if got {
                    Ok(WriterLock { _held: Held::Session(client) })
                } else {
                    Err(StoreError::Busy(PathBuf::from(redact(url))))
                }
            }
        }
    }
}

impl WriterLock {
    /// Takes the locks of the stages `exclusive` of a queue pipeline (`storyline worker`): one
    /// worker of each of those stages at a time, beside any number of workers of other stages
    /// (extraction needs none), and none while a whole job (`storyline ingest` without a queue)
    /// holds [`WriterLock::acquire_at`]. Answers [`StoreError::Busy`] at once when one is
    /// taken. A data directory has one writer process: there it is the directory's writer lock.
    pub fn acquire_stages(
        location: &Location,
        exclusive: &[&str],
    ) -> Result<WriterLock, StoreError> {
        let url = match location {
            Location::Dir(_) => return WriterLock::acquire_at(location),
            Location::Postgres(url) => url,
        };
        let pg = |source| StoreError::Postgres { url: redact(url), source };
        let mut client = postgres::Client::connect(url, postgres::NoTls).map_err(pg)?;
        let busy = || StoreError::Busy(PathBuf::from(redact(url)));
        let shared: bool = client
            .query_one("SELECT pg_try_advisory_lock_shared($1)", &[&WRITER_LOCK_KEY])
            .map_err(pg)?
            .get(0);
        if !shared {
            return Err(busy());
        }
        for stage in exclusive {
            let got: bool = client
                .query_one("SELECT pg_try_advisory_lock($1)", &[&stage_lock_key(stage)])
                .map_err(pg)?
                .get(0);
            if !got {
                return Err(busy());
            }
        }
        Ok(WriterLock { _held: Held::Session(client) })
    }
}

/// The advisory lock key of one stage: the writer lock's key with the stage's name mixed in.
fn stage_lock_key(stage: &str) -> i64 {
    stage.bytes().fold(WRITER_LOCK_KEY, |h, b| (h ^ i64::from(b)).wrapping_mul(0x100000001b3))
}

/// Stops whatever statement is running on one [`Store`]'s connection, from any thread: the
/// statement fails with an "interrupted" (SQLite) or "canceled" (PostgreSQL) error. Without a
/// running statement it does nothing.
pub struct Interrupter(Interrupt);

enum Interrupt {
    Sqlite(rusqlite::InterruptHandle),
    Postgres(tokio_postgres::CancelToken),
}

impl Interrupter {
    /// Interrupts the running statement, if any.
    pub fn interrupt(&self) {
        match &self.0 {
            Interrupt::Sqlite(h) => h.interrupt(),
            Interrupt::Postgres(t) => db::cancel(t),
        }
    }
}

impl std::fmt::Debug for Interrupter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Interrupter")
    }
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("db_path", &self.db_path).finish()
    }
}

/// How long a connection's write waits for another's (see [`Store::set_busy_timeout`]).
pub const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// How many prepared statements a SQLite connection keeps: more than the store has, so that
/// none is prepared twice.
const STATEMENT_CACHE: usize = 128;

/// How much of the store a connection reads through memory maps (see [`Store::set_mmap_size`]).
pub const MMAP_SIZE: u64 = 1 << 30;

impl Store {
    /// Opens (creating if needed) the data directory `dir` and migrates its schema.
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        let io = |source| StoreError::Io { path: dir.to_owned(), source };
        match std::fs::metadata(dir) {
            Ok(m) if !m.is_dir() => return Err(StoreError::NotADirectory(dir.to_owned())),
            Ok(m) if m.permissions().readonly() => {
                return Err(StoreError::ReadOnly(dir.to_owned()))
            }
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => std::fs::create_dir_all(dir)
                .map_err(|e| match e.kind() {
                    std::io::ErrorKind::PermissionDenied
                    | std::io::ErrorKind::ReadOnlyFilesystem => {
                        StoreError::ReadOnly(dir.to_owned())
                    }
                    _ => io(e),
                })?,
            Err(e) => return Err(io(e)),
        }
        let db_path = dir.join(DB_FILE);
        if std::fs::metadata(&db_path).is_ok_and(|m| m.permissions().readonly()) {
            return Err(StoreError::ReadOnly(dir.to_owned()));
        }
        let sql = |source| StoreError::Sqlite { path: db_path.clone(), source };
        let conn = Connection::open(&db_path).map_err(|e| match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::ReadOnly | rusqlite::ErrorCode::CannotOpen) => {
                StoreError::ReadOnly(dir.to_owned())
            }
            _ => sql(e),
        })?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(sql)?;
        conn.pragma_update(None, "journal_mode", "WAL").map_err(sql)?;
        conn.pragma_update(None, "synchronous", "NORMAL").map_err(sql)?;
        conn.pragma_update(None, "foreign_keys", "ON").map_err(sql)?;
        // Read through memory-mapped pages: the connections of a server share the operating
        // system's page cache instead of each warming its own.
        conn.pragma_update(None, "mmap_size", MMAP_SIZE as i64).map_err(sql)?;
        // Every statement the store runs is prepared once per connection and kept.
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        schema::migrate(&conn, dir).map_err(|e| match e {
            schema::MigrateError::Sqlite(e)
                if e.sqlite_error_code() == Some(rusqlite::ErrorCode::ReadOnly) =>
            {
                StoreError::ReadOnly(dir.to_owned())
            }
            schema::MigrateError::Sqlite(e) => sql(e),
            schema::MigrateError::Newer(found) => {
                StoreError::NewerSchema { path: dir.to_owned(), found }
            }
        })?;
        let mut store = Store {
            db: Db::sqlite(conn),
            db_path: db_path.clone(),
            boilerplate: Boilerplate::default(),
        };
        store.load_boilerplate()?;
        Ok(store)
    }

    /// Opens (creating its tables if needed) the store at `location`: a data directory as
    /// [`Store::open`], or a PostgreSQL database, whose schema is migrated as a data
    /// directory's is.
    pub fn open_at(location: &Location) -> Result<Store, StoreError> {
        let url = match location {
            Location::Dir(dir) => return Store::open(dir),
            Location::Postgres(url) => url,
        };
        let place = redact(url);
        let pg = |source| StoreError::Postgres { url: place.clone(), source };
        // The schema is checked or made on a connection of its own, closed before the store's.
        let mut client = postgres::Client::connect(url, postgres::NoTls).map_err(pg)?;
        schema::migrate_postgres(&mut client).map_err(|e| match e {
            schema::PgMigrateError::Postgres(e) => pg(e),
            schema::PgMigrateError::Newer(found) => {
                StoreError::NewerSchema { path: PathBuf::from(place.clone()), found }
            }
        })?;
        drop(client);
        let db = Db::postgres(url).map_err(|e| match e {
            DbError::Postgres(e) => pg(e),
            DbError::Runtime(source) => {
                StoreError::Io { path: PathBuf::from(place.clone()), source }
            }
            DbError::Sqlite(_) | DbError::Null(_) => unreachable!("connecting reads nothing"),
        })?;
        let mut store = Store {
            db,
            db_path: PathBuf::from(place.clone()),
            boilerplate: Boilerplate::default(),
        };
        store.load_boilerplate()?;
        Ok(store)
    }

    /// Reads this connection's pages through memory maps of at most `bytes` (0: with plain
    /// reads). [`Store::open`] maps up to [`MMAP_SIZE`] (1 GiB), which serves many readers well; a long write
    /// job with a connection per stage maps less, so that its memory follows its work, not the
    /// size of the store. Nothing to set on PostgreSQL.
    pub fn set_mmap_size(&self, bytes: u64) -> Result<(), StoreError> {
        match self.db.lite() {
            Some(c) => {
                c.pragma_update(None, "mmap_size", bytes as i64).map_err(|e| self.sql(e.into()))
            }
            None => Ok(()),
        }
    }

    /// How long a write waits for another connection's write to end before it fails with
    /// "database is locked" ([`Store::open`]: [`BUSY_TIMEOUT`]). The stages of one job write the same store
    /// on their own connections and take turns; a slow machine can make a turn long. PostgreSQL's
    /// writers wait for each other's row locks without a limit.
    pub fn set_busy_timeout(&self, wait: std::time::Duration) -> Result<(), StoreError> {
        match self.db.lite() {
            Some(c) => c.busy_timeout(wait).map_err(|e| self.sql(e.into())),
            None => Ok(()),
        }
    }

    /// A handle that stops this connection's running statement from another thread, so a server
    /// can give up a query whose client has gone.
    pub fn interrupter(&self) -> Interrupter {
        match (self.db.lite(), self.db.pg_cancel_token()) {
            (Some(c), _) => Interrupter(Interrupt::Sqlite(c.get_interrupt_handle())),
            (None, Some(t)) => Interrupter(Interrupt::Postgres(t)),
            (None, None) => unreachable!("a connection is SQLite's or PostgreSQL's"),
        }
    }

    /// True when the store lives on a PostgreSQL server.
    pub fn is_postgres(&self) -> bool {
        self.db.is_postgres()
    }

    fn sql(&self, source: DbError) -> StoreError {
        match source {
            DbError::Sqlite(source) => StoreError::Sqlite { path: self.db_path.clone(), source },
            DbError::Postgres(source) => {
                StoreError::Postgres { url: self.db_path.display().to_string(), source }
            }
            DbError::Null(column) => StoreError::Null { path: self.db_path.clone(), column },
            DbError::Runtime(source) => StoreError::Io { path: self.db_path.clone(), source },
        }
    }

    /// The schema version of the open database.
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        self.meta_i64("schema_version")
    }

    /// The number of stored articles.
    pub fn count(&self) -> Result<u64, StoreError> {
        self.db
            .query_one("SELECT count(*) FROM articles", args![], |r| r.get::<i64>(0))
            .map(|n| n as u64)
            .map_err(|e| self.sql(e))
    }

    /// The sequence number of the last article stored (0 when none).
    pub fn last_seq(&self) -> Result<i64, StoreError> {
        self.db
            .query_one("SELECT COALESCE(MAX(seq), 0) FROM articles", args![], |r| r.get::<i64>(0))
            .map_err(|e| self.sql(e))
    }

    /// True when an article with this id is stored.
    pub fn contains(&self, id: &ArticleId) -> Result<bool, StoreError> {
        self.db
            .query_opt("SELECT 1 FROM articles WHERE id = ?1", args![id.as_str()], |_| Ok(()))
            .map(|r| r.is_some())
            .map_err(|e| self.sql(e))
    }

    /// Stores a batch in one transaction. Articles already stored are left untouched; for new
    /// ones the outlet's line counts are raised. Either the whole batch is stored or none of it.
    pub fn write_batch(&mut self, batch: &[NewArticle]) -> Result<WriteOutcome, StoreError> {
        let mut outcome = WriteOutcome::default();
        let now = chrono::Utc::now().to_rfc3339();
        let mut promoted: Vec<(String, u64)> = Vec::new();
        let err = |e| self.sql(e);
        // What the statements bind that the articles do not hold as such.
        struct Bound<'a> {
            id: &'a str,
            line: Option<i64>,
            format: &'a str,
            iso: Option<&'a str>,
            utc: Option<String>,
            precision: Option<&'a str>,
            source: Option<&'a str>,
            tz: Option<&'a str>,
            evidence: Option<&'a str>,
            not_before: Option<String>,
        }
        let bound: Vec<Bound<'_>> = batch
            .iter()
            .map(|item| {
                let a = &item.article;
                let d = a.date.as_ref();
                Bound {
                    id: a.id.as_str(),
                    line: a.source.line.map(|l| l as i64),
                    format: a.source.format.as_str(),
                    iso: d.map(|d| d.iso.as_str()),
                    utc: d.map(|d| d.start_utc.to_rfc3339()),
                    precision: d.map(|d| d.precision.as_str()),
                    source: d.map(|d| d.source.as_str()),
                    tz: d.and_then(|d| d.timezone.as_deref()),
                    evidence: d.map(|d| d.evidence.as_str()),
                    not_before: a.not_before.map(|d| d.to_string()),
                }
            })
            .collect();
        let now = now.as_str();
        let rows: Vec<Vec<&dyn db::Param>> = batch
            .iter()
            .zip(&bound)
            .map(|(item, b)| {
                let a = &item.article;
                let row: [&dyn db::Param; 19] = [
                    &b.id,
                    &a.source.external_id,
                    &a.source.path,
                    &b.line,
                    &b.format,
                    &a.url,
                    &a.title,
                    &a.text,
                    &b.iso,
                    &b.utc,
                    &b.precision,
                    &b.source,
                    &b.tz,
                    &b.evidence,
                    &a.lang,
                    &a.outlet,
                    &now,
                    &b.not_before,
                    &a.author,
                ];
                row.to_vec()
            })
            .collect();
        let tx = self.db.begin().map_err(err)?;
        // All the batch's inserts at once (on PostgreSQL one round trip), each giving the new
        // article's sequence number, or none for an article stored already.
        let seqs =
            tx.query_each(schema::INSERT_ARTICLE, &rows, |r| r.get::<i64>(0)).map_err(err)?;
        let mut lines: Vec<(&str, i64, u64)> = Vec::new();
        for (item, seq) in batch.iter().zip(seqs) {
            let a = &item.article;
            let Some(seq) = seq else {
                outcome.existing += 1;
                continue;
            };
            outcome.inserted += 1;
            for (i, dec) in a.decisions.iter().enumerate() {
                tx.execute_later(
                    schema::INSERT_DECISION,
                    args![
                        seq,
                        i as i64,
                        dec.field.as_str(),
                        dec.value.as_str(),
                        dec.reason.as_str()
                    ],
                )
                .map_err(err)?;
            }
            if let Some(outlet) = &a.outlet {
                lines.extend(item.line_hashes.iter().map(|&h| (outlet.as_str(), h as i64, h)));
            }
        }
        // Each line's count after this article, in the batch's order.
        let line_rows: Vec<Vec<&dyn db::Param>> =
            lines.iter().map(|(outlet, h, _)| vec![outlet as &dyn db::Param, h]).collect();
        let counts =
            tx.query_each(schema::UPSERT_LINE, &line_rows, |r| r.get::<i64>(0)).map_err(err)?;
        for ((outlet, _, h), n) in lines.iter().zip(counts) {
            if n == Some(i64::from(BOILERPLATE_MIN_ARTICLES)) {
                promoted.push((outlet.to_string(), *h));
            }
        }
        tx.commit().map_err(err)?;
        for (outlet, h) in promoted {
            self.boilerplate.0.entry(outlet).or_default().insert(h);
        }
        Ok(outcome)
    }

    /// The outlets' boilerplate lines learned so far.
    pub fn boilerplate(&self) -> &Boilerplate {
        &self.boilerplate
    }

    fn load_boilerplate(&mut self) -> Result<(), StoreError> {
        let rows = self
            .db
            .query(
                "SELECT outlet, line_hash FROM outlet_lines WHERE articles >= ?1",
                args![i64::from(BOILERPLATE_MIN_ARTICLES)],
                |r| Ok((r.get::<String>(0)?, r.get::<i64>(1)? as u64)),
            )
            .map_err(|e| self.sql(e))?;
        let mut map: HashMap<String, HashSet<u64>> = HashMap::new();
        for (o, h) in rows {
            map.entry(o).or_default().insert(h);
        }
        self.boilerplate = Boilerplate(map);
        Ok(())
    }

    /// Lists articles in ingest order, `limit` from `offset`.
    pub fn list(&self, limit: usize, offset: usize) -> Result<Vec<ArticleSummary>, StoreError> {
        self.db
            .query(
                "SELECT id, external_id, title, date_iso, lang, outlet FROM articles ORDER BY seq LIMIT ?1 OFFSET ?2",
                args![limit as i64, offset as i64],
                |r| {
                    Ok(ArticleSummary {
                        id: ArticleId::from_stored(r.get::<String>(0)?),
                        external_id: r.get(1)?,
                        title: r.get(2)?,
                        date: r.get(3)?,
                        lang: r.get(4)?,
                        outlet: r.get(5)?,
                    })
                },
            )
            .map_err(|e| self.sql(e))
    }

    /// Finds the article a user means: by full id, by the id its source gave it, or by a unique id
    /// prefix of at least 4 characters. `Ok(None)` when nothing (or more than one) matches.
    pub fn find(&self, key: &str) -> Result<Option<Article>, StoreError> {
        let seqs: Vec<i64> = self
            .db
            // Exact id or source id first (both indexed); a prefix only when neither is found,
            // as an index range (ids are lowercase hex, all below '~').
            .query(
                "SELECT seq FROM articles WHERE id = ?1
                 UNION SELECT seq FROM articles WHERE external_id = ?1
                 UNION SELECT seq FROM (SELECT seq FROM articles WHERE length(?1) >= 4
                     AND id >= ?1 AND id < ?1 || '~' LIMIT 2) AS p
                     WHERE NOT EXISTS (SELECT 1 FROM articles WHERE id = ?1 OR external_id = ?1)
                 LIMIT 2",
                args![key],
                |r| r.get(0),
            )
            .map_err(|e| self.sql(e))?;
        match seqs.as_slice() {
            [seq] => self.article_by_seq(*seq).map(Some),
            _ => Ok(None),
        }
    }

    fn article_by_seq(&self, seq: i64) -> Result<Article, StoreError> {
        let row = self
            .db
            .query_one(
                "SELECT id, external_id, source_path, source_line, format, url, title, text, date_iso, date_utc,
                        date_precision, date_source, date_tz, date_evidence, lang, outlet, not_before, author
                 FROM articles WHERE seq = ?1",
                args![seq],
                |r| {
                    Ok((
                        r.get::<String>(0)?,
                        r.get::<Option<String>>(1)?,
                        r.get::<String>(2)?,
                        r.get::<Option<i64>>(3)?,
                        r.get::<String>(4)?,
                        r.get::<Option<String>>(5)?,
                        r.get::<String>(6)?,
                        r.get::<String>(7)?,
                        [r.get::<Option<String>>(8)?, r.get(9)?, r.get(10)?, r.get(11)?, r.get(12)?, r.get(13)?],
                        r.get::<Option<String>>(14)?,
                        r.get::<Option<String>>(15)?,
                        r.get::<Option<String>>(16)?,
                        r.get::<Option<String>>(17)?,
                    ))
                },
            )
            .map_err(|e| self.sql(e))?;
        let (
            id,
            external_id,
            path,
            line,
            format,
            url,
            title,
            text,
            date,
            lang,
            outlet,
            bound,
            author,
        ) = row;
        let corrupt =
            |field| StoreError::Corrupt { path: self.db_path.clone(), id: id.clone(), field };
        let format = SourceFormat::parse(&format).ok_or_else(|| corrupt("format"))?;
        let date = match date {
            [Some(iso), Some(utc), Some(prec), Some(src), tz, evidence] => Some(PubDate {
                iso,
                start_utc: chrono::DateTime::parse_from_rfc3339(&utc)
                    .map_err(|_| corrupt("date_utc"))?
                    .to_utc(),
                precision: DatePrecision::parse(&prec).ok_or_else(|| corrupt("date_precision"))?,
                source: DateSource::parse(&src).ok_or_else(|| corrupt("date_source"))?,
                timezone: tz,
                evidence: evidence.unwrap_or_default(),
            }),
            _ => None,
        };
        let decisions = self
            .db
            .query(
                "SELECT field, value, reason FROM decisions WHERE article_seq = ?1 ORDER BY ord",
                args![seq],
                |r| Ok((r.get::<String>(0)?, r.get::<String>(1)?, r.get::<String>(2)?)),
            )
            .map_err(|e| self.sql(e))?
            .into_iter()
            .map(|(f, value, reason)| {
                let field = Field::parse(&f).ok_or_else(|| corrupt("decision field"))?;
                Ok(Decision { field, value, reason })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(Article {
            id: ArticleId::from_stored(id.clone()),
            source: SourceRef { path, line: line.map(|l| l as u64), format, external_id },
            url,
            title,
            text,
            date,
            not_before: bound
                .as_deref()
                .map(parse_day)
                .transpose()
                .map_err(|_| corrupt("not_before"))?,
            lang,
            outlet,
            author,
            decisions,
        })
    }
}

/// Reads a stored `YYYY-MM-DD`.
pub(crate) fn parse_day(s: &str) -> Result<chrono::NaiveDate, chrono::ParseError> {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
}

/// A line carried by this many stored articles of one outlet is that outlet's boilerplate.
pub const BOILERPLATE_MIN_ARTICLES: u32 = 3;

#[cfg(test)]
mod tests;

//! The database schema and its migrations. Each version's DDL stays here forever; a database of
//! any older version is migrated forward on open.

use rusqlite::Connection;
use std::path::Path;

/// The schema version this Storyline writes.
pub const SCHEMA_VERSION: i64 = 9;

pub(crate) const V1: &str = "
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE articles (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    external_id TEXT,
    source_path TEXT NOT NULL,
    source_line INTEGER,
    format TEXT NOT NULL,
    url TEXT,
    title TEXT NOT NULL,
    text TEXT NOT NULL,
    date_iso TEXT,
    date_utc TEXT,
    date_precision TEXT,
    date_source TEXT,
    date_tz TEXT,
    date_evidence TEXT,
    lang TEXT,
    outlet TEXT,
    ingested_at TEXT NOT NULL
);
CREATE INDEX articles_external_id ON articles(external_id);
CREATE INDEX articles_date ON articles(date_utc);
CREATE TABLE decisions (
    article_seq INTEGER NOT NULL REFERENCES articles(seq),
    ord INTEGER NOT NULL,
    field TEXT NOT NULL,
    value TEXT NOT NULL,
    reason TEXT NOT NULL,
    PRIMARY KEY (article_seq, ord)
) WITHOUT ROWID;
CREATE TABLE outlet_lines (
    outlet TEXT NOT NULL,
    line_hash INTEGER NOT NULL,
    articles INTEGER NOT NULL,
    PRIMARY KEY (outlet, line_hash)
) WITHOUT ROWID;
";

/// Version 2: the story engine's decisions and its document frequencies.
const V2: &str = "
CREATE TABLE assignments (
    article_seq INTEGER PRIMARY KEY REFERENCES articles(seq),
    ord INTEGER NOT NULL UNIQUE,
    event INTEGER NOT NULL,
    story INTEGER NOT NULL,
    new_event INTEGER NOT NULL,
    probability REAL,
    copy_of TEXT,
    copy_kind TEXT,
    time_utc INTEGER,
    explain TEXT NOT NULL
);
CREATE INDEX assignments_event ON assignments(event);
CREATE INDEX assignments_story ON assignments(story);
CREATE TABLE doc_freq (term INTEGER PRIMARY KEY, df INTEGER NOT NULL) WITHOUT ROWID;
";

/// Version 3: what the extraction stage found in each article's clean text (byte offsets).
/// `extracted` marks an article done, so that a store of an older version is extracted on
/// the next run.
const V3: &str = "
CREATE TABLE extracted (article_seq INTEGER PRIMARY KEY REFERENCES articles(seq), version INTEGER NOT NULL);
CREATE TABLE quotes (
    article_seq INTEGER NOT NULL REFERENCES articles(seq),
    ord INTEGER NOT NULL,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    kind TEXT NOT NULL,
    cue_start INTEGER,
    cue_end INTEGER,
    speaker_start INTEGER,
    speaker_end INTEGER,
    speaker TEXT,
    speaker_key TEXT,
    nested INTEGER NOT NULL,
    PRIMARY KEY (article_seq, ord)
) WITHOUT ROWID;
CREATE INDEX quotes_speaker ON quotes(speaker_key);
CREATE TABLE timexes (
    article_seq INTEGER NOT NULL REFERENCES articles(seq),
    ord INTEGER NOT NULL,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    kind TEXT NOT NULL,
    value TEXT NOT NULL,
    granularity TEXT NOT NULL,
    resolution TEXT NOT NULL,
    modifier TEXT,
    PRIMARY KEY (article_seq, ord)
) WITHOUT ROWID;
";

/// Version 4: the figures each article reports.
const V4: &str = "
CREATE TABLE figures (
    article_seq INTEGER NOT NULL REFERENCES articles(seq),
    ord INTEGER NOT NULL,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    value REAL NOT NULL,
    high REAL,
    kind TEXT NOT NULL,
    unit TEXT,
    counted TEXT,
    approximation TEXT,
    source TEXT,
    PRIMARY KEY (article_seq, ord)
) WITHOUT ROWID;
";

/// Version 5: the named entities each article mentions.
const V5: &str = "
CREATE TABLE entities (
    article_seq INTEGER NOT NULL REFERENCES articles(seq),
    ord INTEGER NOT NULL,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    type TEXT NOT NULL,
    canonical TEXT NOT NULL,
    key TEXT NOT NULL,
    role TEXT,
    PRIMARY KEY (article_seq, ord)
) WITHOUT ROWID;
CREATE INDEX entities_key ON entities(key);
";

const V6: &str = "
CREATE VIRTUAL TABLE search USING fts5(terms, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 0');
CREATE TABLE story_reports (
    story INTEGER PRIMARY KEY,
    last_time INTEGER NOT NULL,
    first TEXT,
    last TEXT,
    title TEXT NOT NULL,
    articles INTEGER NOT NULL,
    events INTEGER NOT NULL,
    languages TEXT NOT NULL,
    json TEXT NOT NULL
);
CREATE INDEX story_reports_recent ON story_reports(last_time, story);
CREATE TABLE event_reports (event INTEGER PRIMARY KEY, story INTEGER NOT NULL, json TEXT NOT NULL);
-- What search facets read of an article, without reading past its text.
CREATE INDEX articles_meta ON articles(seq, lang, outlet, date_utc);
";

/// Version 7: an undated article's earliest possible day (`YYYY-MM-DD`), from its text.
const V7: &str = "ALTER TABLE articles ADD COLUMN not_before TEXT;";

/// Version 8: the story engine's state as of a clustered batch (one row, with the counters of
/// that moment), written in the batch's transaction, so that a run continues exactly where the
/// last one stopped.
/// `df_journal` keeps, for every term whose document frequency changed since that state was
/// written, the frequency it had then: a run stopped between two states rolls back to the last
/// one and clusters the rest again.
const V8: &str = "CREATE TABLE cluster_state (id INTEGER PRIMARY KEY CHECK (id = 0), next_ord INTEGER NOT NULL, docs INTEGER NOT NULL, next_event INTEGER NOT NULL, next_story INTEGER NOT NULL, state BLOB NOT NULL);
CREATE TABLE df_journal (term INTEGER PRIMARY KEY, df INTEGER NOT NULL);";

/// Version 9: the author, from a byline near the top of the text.
const V9: &str = "ALTER TABLE articles ADD COLUMN author TEXT;";

/// Inserts an article unless its id is stored; gives its sequence number when inserted.
pub(crate) const INSERT_ARTICLE: &str = "INSERT INTO articles
    (id, external_id, source_path, source_line, format, url, title, text, date_iso, date_utc,
     date_precision, date_source, date_tz, date_evidence, lang, outlet, ingested_at, not_before, author)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)
    ON CONFLICT (id) DO NOTHING RETURNING seq";

pub(crate) const INSERT_DECISION: &str =
    "INSERT INTO decisions (article_seq, ord, field, value, reason) VALUES (?1, ?2, ?3, ?4, ?5)";

pub(crate) const UPSERT_LINE: &str =
    "INSERT INTO outlet_lines (outlet, line_hash, articles) VALUES (?1, ?2, 1)
    ON CONFLICT (outlet, line_hash) DO UPDATE SET articles = outlet_lines.articles + 1 RETURNING articles";

/// The schema on PostgreSQL, as of the version it was first written for (9): the tables and
/// indexes of SQLite's versions 1 to 9 with PostgreSQL's types (`BIGINT` for `INTEGER`, so that
/// every integer reads back as `i64`; `DOUBLE PRECISION`; `BYTEA`), and the search index as a
/// `tsvector` of the terms Storyline's analyser wrote (the `simple` configuration: the terms are
/// stemmed by Storyline in the article's own language already, so both stores match the same
/// articles for the same query). Later versions migrate both backends.
const PG_V9: &str = "
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE articles (
    seq BIGSERIAL PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    external_id TEXT,
    source_path TEXT NOT NULL,
    source_line BIGINT,
    format TEXT NOT NULL,
    url TEXT,
    title TEXT NOT NULL,
    text TEXT NOT NULL,
    date_iso TEXT,
    date_utc TEXT,
    date_precision TEXT,
    date_source TEXT,
    date_tz TEXT,
    date_evidence TEXT,
    lang TEXT,
    outlet TEXT,
    ingested_at TEXT NOT NULL,
    not_before TEXT,
    author TEXT
);
CREATE INDEX articles_external_id ON articles(external_id);
CREATE INDEX articles_date ON articles(date_utc);
CREATE INDEX articles_meta ON articles(seq, lang, outlet, date_utc);
CREATE TABLE decisions (
    article_seq BIGINT NOT NULL REFERENCES articles(seq),
    ord BIGINT NOT NULL,
    field TEXT NOT NULL,
    value TEXT NOT NULL,
    reason TEXT NOT NULL,
    PRIMARY KEY (article_seq, ord)
);
CREATE TABLE outlet_lines (
    outlet TEXT NOT NULL,
    line_hash BIGINT NOT NULL,
    articles BIGINT NOT NULL,
    PRIMARY KEY (outlet, line_hash)
);
CREATE TABLE assignments (
    article_seq BIGINT PRIMARY KEY REFERENCES articles(seq),
    ord BIGINT NOT NULL UNIQUE,
    event BIGINT NOT NULL,
    story BIGINT NOT NULL,
    new_event BIGINT NOT NULL,
    probability DOUBLE PRECISION,
    copy_of TEXT,
    copy_kind TEXT,
    time_utc BIGINT,
    explain TEXT NOT NULL
);
CREATE INDEX assignments_event ON assignments(event);
CREATE INDEX assignments_story ON assignments(story);
CREATE TABLE doc_freq (term BIGINT PRIMARY KEY, df BIGINT NOT NULL);
CREATE TABLE extracted (article_seq BIGINT PRIMARY KEY REFERENCES articles(seq), version BIGINT NOT NULL);
CREATE TABLE quotes (
    article_seq BIGINT NOT NULL REFERENCES articles(seq),
    ord BIGINT NOT NULL,
    start BIGINT NOT NULL,
    \"end\" BIGINT NOT NULL,
    kind TEXT NOT NULL,
    cue_start BIGINT,
    cue_end BIGINT,
    speaker_start BIGINT,
    speaker_end BIGINT,
    speaker TEXT,
    speaker_key TEXT,
    nested BIGINT NOT NULL,
    PRIMARY KEY (article_seq, ord)
);
CREATE INDEX quotes_speaker ON quotes(speaker_key);
CREATE TABLE timexes (
    article_seq BIGINT NOT NULL REFERENCES articles(seq),
    ord BIGINT NOT NULL,
    start BIGINT NOT NULL,
    \"end\" BIGINT NOT NULL,
    kind TEXT NOT NULL,
    value TEXT NOT NULL,
    granularity TEXT NOT NULL,
    resolution TEXT NOT NULL,
    modifier TEXT,
    PRIMARY KEY (article_seq, ord)
);
CREATE TABLE figures (
    article_seq BIGINT NOT NULL REFERENCES articles(seq),
    ord BIGINT NOT NULL,
    start BIGINT NOT NULL,
    \"end\" BIGINT NOT NULL,
    value DOUBLE PRECISION NOT NULL,
    high DOUBLE PRECISION,
    kind TEXT NOT NULL,
    unit TEXT,
    counted TEXT,
    approximation TEXT,
    source TEXT,
    PRIMARY KEY (article_seq, ord)
);
CREATE TABLE entities (
    article_seq BIGINT NOT NULL REFERENCES articles(seq),
    ord BIGINT NOT NULL,
    start BIGINT NOT NULL,
    \"end\" BIGINT NOT NULL,
    type TEXT NOT NULL,
    canonical TEXT NOT NULL,
    key TEXT NOT NULL,
    role TEXT,
    PRIMARY KEY (article_seq, ord)
);
CREATE INDEX entities_key ON entities(key);
CREATE TABLE search (article_seq BIGINT PRIMARY KEY REFERENCES articles(seq), terms TSVECTOR NOT NULL);
CREATE INDEX search_terms ON search USING GIN (terms);
CREATE TABLE story_reports (
    story BIGINT PRIMARY KEY,
    last_time BIGINT NOT NULL,
    first TEXT,
    last TEXT,
    title TEXT NOT NULL,
    articles BIGINT NOT NULL,
    events BIGINT NOT NULL,
    languages TEXT NOT NULL,
    json TEXT NOT NULL
);
CREATE INDEX story_reports_recent ON story_reports(last_time, story);
CREATE TABLE event_reports (event BIGINT PRIMARY KEY, story BIGINT NOT NULL, json TEXT NOT NULL);
CREATE TABLE cluster_state (id BIGINT PRIMARY KEY CHECK (id = 0), next_ord BIGINT NOT NULL, docs BIGINT NOT NULL, next_event BIGINT NOT NULL, next_story BIGINT NOT NULL, state BYTEA NOT NULL);
CREATE TABLE df_journal (term BIGINT PRIMARY KEY, df BIGINT NOT NULL);
INSERT INTO meta (key, value) VALUES ('schema_version', '9');
";

/// The advisory lock key under which PostgreSQL's schema is created or migrated, so that
/// processes opening a new database at once do not both create it ("storysch").
const PG_MIGRATE_LOCK: i64 = 0x73746f7279736368;

pub(crate) enum PgMigrateError {
    Postgres(postgres::Error),
    Newer(i64),
}

impl From<postgres::Error> for PgMigrateError {
    fn from(e: postgres::Error) -> Self {
        PgMigrateError::Postgres(e)
    }
}

/// Creates the schema in an empty PostgreSQL database, or checks the version of one there.
pub(crate) fn migrate_postgres(client: &mut postgres::Client) -> Result<(), PgMigrateError> {
    let mut tx = client.transaction()?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&PG_MIGRATE_LOCK])?;
    let has_meta: bool = tx.query_one("SELECT to_regclass('meta') IS NOT NULL", &[])?.get(0);
    let found: i64 = if has_meta {
        tx.query_one("SELECT CAST(value AS BIGINT) FROM meta WHERE key = 'schema_version'", &[])?
            .get(0)
    } else {
        0
    };
    if found > SCHEMA_VERSION {
        return Err(PgMigrateError::Newer(found));
    }
    if found < 9 {
        tx.batch_execute(PG_V9)?;
    }
    tx.commit()?;
    Ok(())
}

pub(crate) enum MigrateError {
    Sqlite(rusqlite::Error),
    Newer(i64),
}

impl From<rusqlite::Error> for MigrateError {
    fn from(e: rusqlite::Error) -> Self {
        MigrateError::Sqlite(e)
    }
}

pub(crate) fn version(conn: &Connection) -> Result<i64, rusqlite::Error> {
    let has_meta: bool = conn.query_row(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta'",
        [],
        |r| r.get::<_, i64>(0).map(|n| n > 0),
    )?;
    if !has_meta {
        return Ok(0);
    }
    conn.query_row("SELECT CAST(value AS BIGINT) FROM meta WHERE key = 'schema_version'", [], |r| {
        r.get(0)
    })
}

pub(crate) fn migrate(conn: &Connection, _dir: &Path) -> Result<(), MigrateError> {
    let found = version(conn)?;
    if found > SCHEMA_VERSION {
        return Err(MigrateError::Newer(found));
    }
    if found < 1 {
        conn.execute_batch(&format!(
            "BEGIN; {V1} INSERT INTO meta (key, value) VALUES ('schema_version', '1'); COMMIT;"
        ))?;
    }
    if found < 2 {
        conn.execute_batch(&format!(
            "BEGIN; {V2} UPDATE meta SET value = '2' WHERE key = 'schema_version'; COMMIT;"
        ))?;
    }
    if found < 3 {
        conn.execute_batch(&format!(
            "BEGIN; {V3} UPDATE meta SET value = '3' WHERE key = 'schema_version'; COMMIT;"
        ))?;
    }
    if found < 4 {
        conn.execute_batch(&format!(
            "BEGIN; {V4} UPDATE meta SET value = '4' WHERE key = 'schema_version'; COMMIT;"
        ))?;
    }
    if found < 5 {
        conn.execute_batch(&format!(
            "BEGIN; {V5} UPDATE meta SET value = '5' WHERE key = 'schema_version'; COMMIT;"
        ))?;
    }
    if found < 6 {
        conn.execute_batch(&format!(
            "BEGIN; {V6} UPDATE meta SET value = '6' WHERE key = 'schema_version'; COMMIT;"
        ))?;
    }
    if found < 7 {
        conn.execute_batch(&format!(
            "BEGIN; {V7} UPDATE meta SET value = '7' WHERE key = 'schema_version'; COMMIT;"
        ))?;
    }
    if found < 8 {
        conn.execute_batch(&format!(
            "BEGIN; {V8} UPDATE meta SET value = '8' WHERE key = 'schema_version'; COMMIT;"
        ))?;
    }
    if found < 9 {
        conn.execute_batch(&format!(
            "BEGIN; {V9} UPDATE meta SET value = '9' WHERE key = 'schema_version'; COMMIT;"
        ))?;
    }
    Ok(())
}

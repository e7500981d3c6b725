//! One connection to either database the store can live in: the embedded SQLite file of a data
//! directory, or a PostgreSQL server shared by several processes and machines.
//!
//! The store's SQL is written once, in the subset both understand (`?N` placeholders,
//! `ON CONFLICT … DO …`, `RETURNING`, `CAST(… AS BIGINT)`); for PostgreSQL `?N` becomes `$N`
//! and each statement is prepared once per connection. What differs (schema DDL, full-text
//! search, locking) is chosen by [`Db::is_postgres`] where it is used.
//!
//! Values cross in a few plain types only (`i64`, `f64`, text, bytes, and their options), so
//! that a statement cannot bind a type one backend reads differently from the other: PostgreSQL
//! columns are `BIGINT` where SQLite's are `INTEGER`, `DOUBLE PRECISION` for `REAL`, `BYTEA` for
//! `BLOB`.

use std::cell::RefCell;
use std::collections::HashMap;

/// A database error of either backend.
#[derive(Debug)]
pub(crate) enum DbError {
    Sqlite(rusqlite::Error),
    Postgres(postgres::Error),
    /// Column `.0` is NULL where a value was expected.
    Null(usize),
    /// The runtime that drives a PostgreSQL connection could not be made.
    Runtime(std::io::Error),
}

impl From<rusqlite::Error> for DbError {
    fn from(e: rusqlite::Error) -> Self {
        DbError::Sqlite(e)
    }
}

impl From<postgres::Error> for DbError {
    fn from(e: postgres::Error) -> Self {
        DbError::Postgres(e)
    }
}

/// A value a statement binds. Implemented for the types both backends store alike, and no
/// others: a `u32` would bind as PostgreSQL's `oid`.
pub(crate) trait Param {
    fn lite(&self) -> &dyn rusqlite::ToSql;
    fn pg(&self) -> &(dyn postgres::types::ToSql + Sync);
    /// The value, owned, for a statement sent later.
    fn owned(&self) -> Owned;
}

macro_rules! params_for {
    ($($t:ty),*) => {$(
        impl Param for $t {
            fn lite(&self) -> &dyn rusqlite::ToSql {
                self
            }
            fn pg(&self) -> &(dyn postgres::types::ToSql + Sync) {
                self
            }
            fn owned(&self) -> Owned {
                Box::new(self.clone())
            }
        }
    )*};
}

params_for!(i64, f64, String, Vec<u8>, Option<i64>, Option<f64>, Option<String>);

impl Param for &str {
    fn lite(&self) -> &dyn rusqlite::ToSql {
        self
    }
    fn pg(&self) -> &(dyn postgres::types::ToSql + Sync) {
        self
    }
    fn owned(&self) -> Owned {
        Box::new(self.to_string())
    }
}

impl Param for &[u8] {
    fn lite(&self) -> &dyn rusqlite::ToSql {
        self
    }
    fn pg(&self) -> &(dyn postgres::types::ToSql + Sync) {
        self
    }
    fn owned(&self) -> Owned {
        Box::new(self.to_vec())
    }
}

impl Param for Option<&str> {
    fn lite(&self) -> &dyn rusqlite::ToSql {
        self
    }
    fn pg(&self) -> &(dyn postgres::types::ToSql + Sync) {
        self
    }
    fn owned(&self) -> Owned {
        Box::new(self.map(str::to_owned))
    }
}

/// Binds a list of [`Param`]s: `args![a, b]`.
macro_rules! args {
    ($($p:expr),* $(,)?) => {
        &[$(&$p as &dyn $crate::db::Param),*] as &[&dyn $crate::db::Param]
    };
}
pub(crate) use args;

/// The type of a column written by [`Db::insert_rows`].
#[derive(Debug, Clone, Copy)]
pub(crate) enum Kind {
    Int,
    Real,
    Text,
}

/// One value of a row written by [`Db::insert_rows`].
#[derive(Debug, Clone)]
pub(crate) enum Cell {
    Int(Option<i64>),
    Real(Option<f64>),
    Text(Option<String>),
}

impl From<i64> for Cell {
    fn from(v: i64) -> Cell {
        Cell::Int(Some(v))
    }
}
impl From<Option<i64>> for Cell {
    fn from(v: Option<i64>) -> Cell {
        Cell::Int(v)
    }
}
impl From<f64> for Cell {
    fn from(v: f64) -> Cell {
        Cell::Real(Some(v))
    }
}
impl From<Option<f64>> for Cell {
    fn from(v: Option<f64>) -> Cell {
        Cell::Real(v)
    }
}
impl From<&str> for Cell {
    fn from(v: &str) -> Cell {
        Cell::Text(Some(v.to_owned()))
    }
}
impl From<Option<&str>> for Cell {
    fn from(v: Option<&str>) -> Cell {
        Cell::Text(v.map(str::to_owned))
    }
}

impl rusqlite::ToSql for Cell {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        match self {
            Cell::Int(v) => v.to_sql(),
            Cell::Real(v) => v.to_sql(),
            Cell::Text(v) => v.to_sql(),
        }
    }
}

/// A value a query reads.
pub(crate) trait Value: Sized {
    fn from_lite(row: &rusqlite::Row<'_>, i: usize) -> Result<Self, DbError>;
    fn from_pg(row: &postgres::Row, i: usize) -> Result<Self, DbError>;
}

macro_rules! values_for {
    ($($t:ty),*) => {$(
        impl Value for $t {
            fn from_lite(row: &rusqlite::Row<'_>, i: usize) -> Result<Self, DbError> {
                Ok(row.get(i)?)
            }
            fn from_pg(row: &postgres::Row, i: usize) -> Result<Self, DbError> {
                Ok(row.try_get(i)?)
            }
        }
    )*};
}

values_for!(String, Option<String>, Vec<u8>, Option<Vec<u8>>);

/// PostgreSQL integers come in three widths (`count(*)` is `bigint`, `length()` an `int`):
/// any of them reads as `i64`.
fn pg_i64(row: &postgres::Row, i: usize) -> Result<Option<i64>, DbError> {
    match row.try_get::<_, Option<i64>>(i) {
        Ok(v) => Ok(v),
        Err(e) => match row.try_get::<_, Option<i32>>(i) {
            Ok(v) => Ok(v.map(i64::from)),
            Err(_) => match row.try_get::<_, Option<i16>>(i) {
                Ok(v) => Ok(v.map(i64::from)),
                Err(_) => Err(e.into()),
            },
        },
    }
}

fn pg_f64(row: &postgres::Row, i: usize) -> Result<Option<f64>, DbError> {
    match row.try_get::<_, Option<f64>>(i) {
        Ok(v) => Ok(v),
        Err(e) => match row.try_get::<_, Option<f32>>(i) {
            Ok(v) => Ok(v.map(f64::from)),
            Err(_) => pg_i64(row, i).map(|v| v.map(|n| n as f64)).map_err(|_| e.into()),
        },
    }
}

/// Numbers read through the readers above, which take any width; `Option<_>` for NULL.
macro_rules! numbers_for {
    ($($t:ty => $read:ident),*) => {$(
        impl Value for Option<$t> {
            fn from_lite(row: &rusqlite::Row<'_>, i: usize) -> Result<Self, DbError> {
                Ok(row.get(i)?)
            }
            fn from_pg(row: &postgres::Row, i: usize) -> Result<Self, DbError> {
                $read(row, i)
            }
        }

        impl Value for $t {
            fn from_lite(row: &rusqlite::Row<'_>, i: usize) -> Result<Self, DbError> {
                Ok(row.get(i)?)
            }
            fn from_pg(row: &postgres::Row, i: usize) -> Result<Self, DbError> {
                $read(row, i)?.ok_or(DbError::Null(i))
            }
        }
    )*};
}

numbers_for!(i64 => pg_i64, f64 => pg_f64);

/// One row of a result, of either backend.
pub(crate) enum Row<'a> {
    Lite(&'a rusqlite::Row<'a>),
    Pg(&'a postgres::Row),
}

impl Row<'_> {
    /// Column `i` (from 0).
    pub(crate) fn get<T: Value>(&self, i: usize) -> Result<T, DbError> {
        match self {
            Row::Lite(r) => T::from_lite(r, i),
            Row::Pg(r) => T::from_pg(r, i),
        }
    }
}

/// A PostgreSQL connection: tokio-postgres driven by a runtime of its own on the calling thread,
/// so that the store stays a blocking API (like SQLite's) while writes are pipelined: a
/// statement whose result nobody reads ([`Db::execute_later`]) is queued and sent with the
/// others in one go before the next statement that reads, or the commit, instead of waiting a
/// network round trip each.
struct Pg {
    client: tokio_postgres::Client,
    prepared: HashMap<String, tokio_postgres::Statement>,
    pending: Vec<(tokio_postgres::Statement, Vec<Owned>)>,
    /// Always `Some` but while being dropped.
    rt: Option<tokio::runtime::Runtime>,
}

/// A parameter value kept until its statement is sent.
pub(crate) type Owned = Box<dyn postgres::types::ToSql + Sync + Send>;

/// Statements queued before they are sent regardless.
const MAX_PENDING: usize = 8192;

impl Pg {
    fn connect(url: &str) -> Result<Pg, DbError> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(DbError::Runtime)?;
        let (client, connection) = rt.block_on(tokio_postgres::connect(url, postgres::NoTls))?;
        // The connection runs while this thread blocks on the runtime, that is during every
        // statement; its error, if any, reaches the statement that waits for it.
        rt.spawn(async move { drop(connection.await) });
        Ok(Pg { client, prepared: HashMap::new(), pending: Vec::new(), rt: Some(rt) })
    }

    fn block_on<F: std::future::Future>(&self, f: F) -> F::Output {
        self.rt.as_ref().expect("the runtime lives as long as the connection").block_on(f)
    }

    fn statement(&mut self, sql: &str) -> Result<tokio_postgres::Statement, DbError> {
        if let Some(s) = self.prepared.get(sql) {
            return Ok(s.clone());
        }
        let s = self.block_on(self.client.prepare(&to_dollar(sql)))?;
        self.prepared.insert(sql.to_owned(), s.clone());
        Ok(s)
    }

    /// Sends every queued statement, in order, and waits for all of them.
    fn flush(&mut self) -> Result<(), DbError> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let pending = std::mem::take(&mut self.pending);
        let client = &self.client;
        let sent = pending.iter().map(|(stmt, params)| async move {
            let refs: Vec<&(dyn postgres::types::ToSql + Sync)> =
                params.iter().map(|p| p.as_ref() as _).collect();
            client.execute(stmt, &refs).await
        });
        self.block_on(futures_util::future::try_join_all(sent))?;
        Ok(())
    }

    fn batch(&mut self, sql: &str) -> Result<(), DbError> {
        self.flush()?;
        Ok(self.block_on(self.client.batch_execute(sql))?)
    }
}

impl Drop for Pg {
    /// A runtime cannot be dropped on a thread that drives asynchronous tasks (a server's store
    /// dropped there); shut down in the background it can, anywhere.
    fn drop(&mut self) {
        if let Some(rt) = self.rt.take() {
            rt.shutdown_background();
        }
    }
}

/// Column `i` of `rows` as one array parameter.
fn column(rows: &[Vec<Cell>], i: usize, kind: Kind, name: &str) -> Owned {
    let wrong =
        || -> ! { panic!("column {name} is {kind:?}: a row has another kind of value there") };
    match kind {
        Kind::Int => Box::new(
            rows.iter()
                .map(|r| match &r[i] {
                    Cell::Int(v) => *v,
                    _ => wrong(),
                })
                .collect::<Vec<_>>(),
        ),
        Kind::Real => Box::new(
            rows.iter()
                .map(|r| match &r[i] {
                    Cell::Real(v) => *v,
                    _ => wrong(),
                })
                .collect::<Vec<_>>(),
        ),
        Kind::Text => Box::new(
            rows.iter()
                .map(|r| match &r[i] {
                    Cell::Text(v) => v.clone(),
                    _ => wrong(),
                })
                .collect::<Vec<_>>(),
        ),
    }
}

/// Cancels the statement running on the connection of `token`, from a thread of its own (it
/// blocks on a runtime of its own). A failure to reach the server leaves the statement to end by
/// itself.
pub(crate) fn cancel(token: &tokio_postgres::CancelToken) {
    let token = token.clone();
    std::thread::spawn(move || {
        if let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() {
            drop(rt.block_on(token.cancel_query(postgres::NoTls)));
        }
    });
}

enum Conn {
    Lite(rusqlite::Connection),
    Pg(Box<RefCell<Pg>>),
}

/// One connection to the store's database.
pub(crate) struct Db(Conn);

impl Db {
    pub(crate) fn sqlite(conn: rusqlite::Connection) -> Db {
        Db(Conn::Lite(conn))
    }

    pub(crate) fn postgres(url: &str) -> Result<Db, DbError> {
        Ok(Db(Conn::Pg(Box::new(RefCell::new(Pg::connect(url)?)))))
    }

    pub(crate) fn is_postgres(&self) -> bool {
        matches!(self.0, Conn::Pg(_))
    }

    /// The SQLite connection, for what only SQLite has (pragmas, interrupts).
    pub(crate) fn lite(&self) -> Option<&rusqlite::Connection> {
        match &self.0 {
            Conn::Lite(c) => Some(c),
            Conn::Pg(_) => None,
        }
    }

    /// A token that cancels the running PostgreSQL statement from another thread.
    pub(crate) fn pg_cancel_token(&self) -> Option<tokio_postgres::CancelToken> {
        match &self.0 {
            Conn::Lite(_) => None,
            Conn::Pg(pg) => Some(pg.borrow().client.cancel_token()),
        }
    }

    /// Runs one statement; the number of rows it changed.
    pub(crate) fn execute(&self, sql: &str, params: &[&dyn Param]) -> Result<u64, DbError> {
        match &self.0 {
            Conn::Lite(c) => {
                let mut stmt = c.prepare_cached(sql)?;
                let p: Vec<&dyn rusqlite::ToSql> = params.iter().map(|p| p.lite()).collect();
                Ok(stmt.execute(p.as_slice())? as u64)
            }
            Conn::Pg(pg) => {
                let mut pg = pg.borrow_mut();
                pg.flush()?;
                let stmt = pg.statement(sql)?;
                let p: Vec<_> = params.iter().map(|p| p.pg()).collect();
                Ok(pg.block_on(pg.client.execute(&stmt, &p))?)
            }
        }
    }

    /// Runs one statement whose result is not needed: on SQLite at once, on PostgreSQL sent
    /// with the statements queued after it, before the next statement that reads or the end of
    /// the transaction, where its error, if any, is reported. Use it in a transaction's loops.
    pub(crate) fn execute_later(&self, sql: &str, params: &[&dyn Param]) -> Result<(), DbError> {
        match &self.0 {
            Conn::Lite(_) => self.execute(sql, params).map(drop),
            Conn::Pg(pg) => {
                let mut pg = pg.borrow_mut();
                let stmt = pg.statement(sql)?;
                pg.pending.push((stmt, params.iter().map(|p| p.owned()).collect()));
                if pg.pending.len() >= MAX_PENDING {
                    pg.flush()?;
                }
                Ok(())
            }
        }
    }

    /// [`Db::execute_later`] on PostgreSQL with values SQLite has no type for (arrays, for one
    /// `INSERT … SELECT … FROM unnest(…)` of many rows). Callers check [`Db::is_postgres`].
    fn execute_later_pg(&self, sql: &str, params: Vec<Owned>) -> Result<(), DbError> {
        match &self.0 {
            Conn::Lite(_) => unreachable!("arrays are bound on PostgreSQL only"),
            Conn::Pg(pg) => {
                let mut pg = pg.borrow_mut();
                let stmt = pg.statement(sql)?;
                pg.pending.push((stmt, params));
                Ok(())
            }
        }
    }

    /// Inserts `rows` into `table`, whose `columns` are named with their types: on SQLite one
    /// statement a row, on PostgreSQL one statement for all (`INSERT … SELECT * FROM
    /// unnest(…)`, sent later as [`Db::execute_later`] is). Every row has a cell per column, of
    /// the column's kind.
    pub(crate) fn insert_rows(
        &self,
        table: &str,
        columns: &[(&str, Kind)],
        rows: &[Vec<Cell>],
    ) -> Result<(), DbError> {
        if rows.is_empty() {
            return Ok(());
        }
        let names = columns.iter().map(|c| c.0).collect::<Vec<_>>().join(", ");
        match &self.0 {
            Conn::Lite(c) => {
                let marks = (1..=columns.len()).map(|i| format!("?{i}")).collect::<Vec<_>>();
                let sql = format!("INSERT INTO {table} ({names}) VALUES ({})", marks.join(", "));
                let mut stmt = c.prepare_cached(&sql)?;
                for row in rows {
                    stmt.execute(rusqlite::params_from_iter(row))?;
                }
                Ok(())
            }
            Conn::Pg(_) => {
                let arrays = columns
                    .iter()
                    .enumerate()
                    .map(|(i, (_, kind))| {
                        let t = match kind {
                            Kind::Int => "bigint",
                            Kind::Real => "double precision",
                            Kind::Text => "text",
                        };
                        format!("CAST(?{} AS {t}[])", i + 1)
                    })
                    .collect::<Vec<_>>();
                let sql = format!(
                    "INSERT INTO {table} ({names}) SELECT * FROM unnest({})",
                    arrays.join(", ")
                );
                let params = columns
                    .iter()
                    .enumerate()
                    .map(|(i, (name, kind))| column(rows, i, *kind, name))
                    .collect();
                self.execute_later_pg(&sql, params)
            }
        }
    }

    /// Runs the same statement once for each row of parameters and reads the first row of each
    /// result with `f` (`None` where there is none): in order, on PostgreSQL all sent at once.
    pub(crate) fn query_each<T>(
        &self,
        sql: &str,
        rows: &[Vec<&dyn Param>],
        mut f: impl FnMut(&Row<'_>) -> Result<T, DbError>,
    ) -> Result<Vec<Option<T>>, DbError> {
        match &self.0 {
            Conn::Lite(_) => rows.iter().map(|p| self.query_opt(sql, p, &mut f)).collect(),
            Conn::Pg(pg) => {
                let mut pg = pg.borrow_mut();
                pg.flush()?;
                let stmt = pg.statement(sql)?;
                let client = &pg.client;
                let stmt = &stmt;
                let sent = rows.iter().map(|params| async move {
                    let p: Vec<_> = params.iter().map(|p| p.pg()).collect();
                    client.query_opt(stmt, &p).await
                });
                let got = pg.block_on(futures_util::future::try_join_all(sent))?;
                got.iter().map(|r| r.as_ref().map(|r| f(&Row::Pg(r))).transpose()).collect()
            }
        }
    }

    /// Runs several statements without parameters (DDL, deletes).
    pub(crate) fn batch(&self, sql: &str) -> Result<(), DbError> {
        match &self.0 {
            Conn::Lite(c) => Ok(c.execute_batch(sql)?),
            Conn::Pg(pg) => pg.borrow_mut().batch(sql),
        }
    }

    /// Forgets the statements queued by [`Db::execute_later`] (a transaction rolled back).
    fn discard_pending(&self) {
        if let Conn::Pg(pg) = &self.0 {
            pg.borrow_mut().pending.clear();
        }
    }

    /// Every row of a query, each read by `f`.
    pub(crate) fn query<T>(
        &self,
        sql: &str,
        params: &[&dyn Param],
        f: impl FnMut(&Row<'_>) -> Result<T, DbError>,
    ) -> Result<Vec<T>, DbError> {
        self.query_rows(sql, params, true, f)
    }

    /// [`Db::query`] for a statement built for one use (with values written into it): it is not
    /// kept among the prepared statements, where it would push out those used again.
    pub(crate) fn query_once<T>(
        &self,
        sql: &str,
        params: &[&dyn Param],
        f: impl FnMut(&Row<'_>) -> Result<T, DbError>,
    ) -> Result<Vec<T>, DbError> {
        self.query_rows(sql, params, false, f)
    }

    fn query_rows<T>(
        &self,
        sql: &str,
        params: &[&dyn Param],
        cached: bool,
        mut f: impl FnMut(&Row<'_>) -> Result<T, DbError>,
    ) -> Result<Vec<T>, DbError> {
        match &self.0 {
            Conn::Lite(c) => {
                let p: Vec<&dyn rusqlite::ToSql> = params.iter().map(|p| p.lite()).collect();
                if cached {
                    lite_rows(&mut *c.prepare_cached(sql)?, &p, f)
                } else {
                    lite_rows(&mut c.prepare(sql)?, &p, f)
                }
            }
            Conn::Pg(pg) => {
                let mut pg = pg.borrow_mut();
                pg.flush()?;
                let p: Vec<_> = params.iter().map(|p| p.pg()).collect();
                let rows = if cached {
                    let stmt = pg.statement(sql)?;
                    pg.block_on(pg.client.query(&stmt, &p))?
                } else {
                    pg.block_on(pg.client.query(to_dollar(sql).as_str(), &p))?
                };
                rows.iter().map(|r| f(&Row::Pg(r))).collect()
            }
        }
    }

    /// The first row of a query, if any.
    pub(crate) fn query_opt<T>(
        &self,
        sql: &str,
        params: &[&dyn Param],
        f: impl FnOnce(&Row<'_>) -> Result<T, DbError>,
    ) -> Result<Option<T>, DbError> {
        match &self.0 {
            Conn::Lite(c) => {
                let mut stmt = c.prepare_cached(sql)?;
                let p: Vec<&dyn rusqlite::ToSql> = params.iter().map(|p| p.lite()).collect();
                let mut rows = stmt.query(p.as_slice())?;
                match rows.next()? {
                    Some(r) => Ok(Some(f(&Row::Lite(r))?)),
                    None => Ok(None),
                }
            }
            Conn::Pg(pg) => {
                let mut pg = pg.borrow_mut();
                pg.flush()?;
                let stmt = pg.statement(sql)?;
                let p: Vec<_> = params.iter().map(|p| p.pg()).collect();
                match pg.block_on(pg.client.query_opt(&stmt, &p))? {
                    Some(r) => Ok(Some(f(&Row::Pg(&r))?)),
                    None => Ok(None),
                }
            }
        }
    }

    /// The one row of a query that always gives one (an aggregate).
    pub(crate) fn query_one<T>(
        &self,
        sql: &str,
        params: &[&dyn Param],
        f: impl FnOnce(&Row<'_>) -> Result<T, DbError>,
    ) -> Result<T, DbError> {
        match &self.0 {
            Conn::Lite(c) => {
                let p: Vec<&dyn rusqlite::ToSql> = params.iter().map(|p| p.lite()).collect();
                let mut stmt = c.prepare_cached(sql)?;
                let mut rows = stmt.query(p.as_slice())?;
                match rows.next()? {
                    Some(r) => f(&Row::Lite(r)),
                    None => Err(rusqlite::Error::QueryReturnedNoRows.into()),
                }
            }
            Conn::Pg(pg) => {
                let mut pg = pg.borrow_mut();
                pg.flush()?;
                let stmt = pg.statement(sql)?;
                let p: Vec<_> = params.iter().map(|p| p.pg()).collect();
                let r = pg.block_on(pg.client.query_one(&stmt, &p))?;
                f(&Row::Pg(&r))
            }
        }
    }

    /// Begins a write transaction: SQLite's `IMMEDIATE` (the write lock at once, so that two
    /// writers wait instead of failing midway), PostgreSQL's default. It rolls back when dropped
    /// uncommitted.
    pub(crate) fn begin(&self) -> Result<Tx<'_>, DbError> {
        self.batch(if self.is_postgres() { "BEGIN" } else { "BEGIN IMMEDIATE" })?;
        Ok(Tx { db: self, open: true })
    }
}

fn lite_rows<T>(
    stmt: &mut rusqlite::Statement<'_>,
    params: &[&dyn rusqlite::ToSql],
    mut f: impl FnMut(&Row<'_>) -> Result<T, DbError>,
) -> Result<Vec<T>, DbError> {
    let mut rows = stmt.query(params)?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(f(&Row::Lite(r))?);
    }
    Ok(out)
}

/// An open write transaction on a [`Db`]; statements run on it through `Deref`.
pub(crate) struct Tx<'a> {
    db: &'a Db,
    open: bool,
}

impl Tx<'_> {
    /// Commits; on failure (a queued statement's error among them) it rolls back.
    pub(crate) fn commit(mut self) -> Result<(), DbError> {
        self.open = false;
        let done = self.db.batch("COMMIT");
        if done.is_err() {
            self.db.discard_pending();
            let _ = self.db.batch("ROLLBACK");
        }
        done
    }
}

impl std::ops::Deref for Tx<'_> {
    type Target = Db;
    fn deref(&self) -> &Db {
        self.db
    }
}

impl Drop for Tx<'_> {
    fn drop(&mut self) {
        if self.open {
            // An error here leaves nothing to undo: the connection has no transaction.
            self.db.discard_pending();
            let _ = self.db.batch("ROLLBACK");
        }
    }
}

/// SQLite's `?N` placeholders as PostgreSQL's `$N`, outside quoted text.
fn to_dollar(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut quote: Option<char> = None;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match quote {
            Some(q) => {
                out.push(c);
                if c == q {
                    quote = None;
                }
            }
            None if c == '\'' || c == '"' => {
                quote = Some(c);
                out.push(c);
            }
            None if c == '?' && chars.peek().is_some_and(char::is_ascii_digit) => out.push('$'),
            None => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::to_dollar;

    #[test]
    fn placeholders_become_dollars_outside_quotes() {
        assert_eq!(
            to_dollar("SELECT '?1', x FROM t WHERE a = ?1 AND b = ?12 AND c LIKE 'a?'"),
            "SELECT '?1', x FROM t WHERE a = $1 AND b = $12 AND c LIKE 'a?'"
        );
    }
}

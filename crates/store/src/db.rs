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
        }
    )*};
}

params_for!(
    i64,
    f64,
    String,
    &str,
    Vec<u8>,
    &[u8],
    Option<i64>,
    Option<f64>,
    Option<String>,
    Option<&str>
);

/// Binds a list of [`Param`]s: `args![a, b]`.
macro_rules! args {
    ($($p:expr),* $(,)?) => {
        &[$(&$p as &dyn $crate::db::Param),*] as &[&dyn $crate::db::Param]
    };
}
pub(crate) use args;

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

impl Value for Option<i64> {
    fn from_lite(row: &rusqlite::Row<'_>, i: usize) -> Result<Self, DbError> {
        Ok(row.get(i)?)
    }
    fn from_pg(row: &postgres::Row, i: usize) -> Result<Self, DbError> {
        pg_i64(row, i)
    }
}

impl Value for i64 {
    fn from_lite(row: &rusqlite::Row<'_>, i: usize) -> Result<Self, DbError> {
        Ok(row.get(i)?)
    }
    fn from_pg(row: &postgres::Row, i: usize) -> Result<Self, DbError> {
        pg_i64(row, i)?.ok_or(DbError::Null(i))
    }
}

impl Value for Option<f64> {
    fn from_lite(row: &rusqlite::Row<'_>, i: usize) -> Result<Self, DbError> {
        Ok(row.get(i)?)
    }
    fn from_pg(row: &postgres::Row, i: usize) -> Result<Self, DbError> {
        pg_f64(row, i)
    }
}

impl Value for f64 {
    fn from_lite(row: &rusqlite::Row<'_>, i: usize) -> Result<Self, DbError> {
        Ok(row.get(i)?)
    }
    fn from_pg(row: &postgres::Row, i: usize) -> Result<Self, DbError> {
        pg_f64(row, i)?.ok_or(DbError::Null(i))
    }
}

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

struct Pg {
    /// Always `Some` but while being dropped.
    client: Option<postgres::Client>,
    prepared: HashMap<String, postgres::Statement>,
}

impl Pg {
    fn client(&mut self) -> &mut postgres::Client {
        self.client.as_mut().expect("the client lives as long as the connection")
    }

    fn statement(&mut self, sql: &str) -> Result<postgres::Statement, DbError> {
        if let Some(s) = self.prepared.get(sql) {
            return Ok(s.clone());
        }
        let s = self.client().prepare(&to_dollar(sql))?;
        self.prepared.insert(sql.to_owned(), s.clone());
        Ok(s)
    }
}

impl Drop for Pg {
    /// Closing the client blocks on a runtime of its own, which panics on a thread that runs
    /// asynchronous tasks (a server's store dropped there): then it is closed on a thread of its
    /// own.
    fn drop(&mut self) {
        if let Some(client) = self.client.take() {
            if in_async_runtime() {
                std::thread::spawn(move || drop(client));
            }
        }
    }
}

/// True on a thread that drives asynchronous tasks, where blocking calls of PostgreSQL's
/// client panic.
pub(crate) fn in_async_runtime() -> bool {
    tokio::runtime::Handle::try_current().is_ok()
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

    pub(crate) fn postgres(client: postgres::Client) -> Db {
        Db(Conn::Pg(Box::new(RefCell::new(Pg { client: Some(client), prepared: HashMap::new() }))))
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
    pub(crate) fn pg_cancel_token(&self) -> Option<postgres::CancelToken> {
        match &self.0 {
            Conn::Lite(_) => None,
            Conn::Pg(pg) => Some(pg.borrow_mut().client().cancel_token()),
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
                let stmt = pg.statement(sql)?;
                let p: Vec<_> = params.iter().map(|p| p.pg()).collect();
                Ok(pg.client().execute(&stmt, &p)?)
            }
        }
    }

    /// Runs several statements without parameters (DDL, deletes).
    pub(crate) fn batch(&self, sql: &str) -> Result<(), DbError> {
        match &self.0 {
            Conn::Lite(c) => Ok(c.execute_batch(sql)?),
            Conn::Pg(pg) => Ok(pg.borrow_mut().client().batch_execute(sql)?),
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
            Conn::Lite(c) if !cached => {
                let mut stmt = c.prepare(sql)?;
                let p: Vec<&dyn rusqlite::ToSql> = params.iter().map(|p| p.lite()).collect();
                let mut rows = stmt.query(p.as_slice())?;
                let mut out = Vec::new();
                while let Some(r) = rows.next()? {
                    out.push(f(&Row::Lite(r))?);
                }
                Ok(out)
            }
            Conn::Pg(pg) if !cached => {
                let mut pg = pg.borrow_mut();
                let p: Vec<_> = params.iter().map(|p| p.pg()).collect();
                let rows = pg.client().query(to_dollar(sql).as_str(), &p)?;
                rows.iter().map(|r| f(&Row::Pg(r))).collect()
            }
            Conn::Lite(c) => {
                let mut stmt = c.prepare_cached(sql)?;
                let p: Vec<&dyn rusqlite::ToSql> = params.iter().map(|p| p.lite()).collect();
                let mut rows = stmt.query(p.as_slice())?;
                let mut out = Vec::new();
                while let Some(r) = rows.next()? {
                    out.push(f(&Row::Lite(r))?);
                }
                Ok(out)
            }
            Conn::Pg(pg) => {
                let mut pg = pg.borrow_mut();
                let stmt = pg.statement(sql)?;
                let p: Vec<_> = params.iter().map(|p| p.pg()).collect();
                let rows = pg.client().query(&stmt, &p)?;
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
                let stmt = pg.statement(sql)?;
                let p: Vec<_> = params.iter().map(|p| p.pg()).collect();
                match pg.client().query_opt(&stmt, &p)? {
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
                let stmt = pg.statement(sql)?;
                let p: Vec<_> = params.iter().map(|p| p.pg()).collect();
                let r = pg.client().query_one(&stmt, &p)?;
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

/// An open write transaction on a [`Db`]; statements run on it through `Deref`.
pub(crate) struct Tx<'a> {
    db: &'a Db,
    open: bool,
}

impl Tx<'_> {
    pub(crate) fn commit(mut self) -> Result<(), DbError> {
        self.open = false;
        self.db.batch("COMMIT")
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

//! What the story engine stores: one assignment per clustered article (event, story, copy link,
//! and the evidence as JSON), the engine's document frequencies and its counters. Events and
//! stories are not rows of their own: they are the groups of assignments, summarised on read.

use storyline_core::{Article, ArticleId, SourceFormat, SourceRef};

use crate::db::{args, DbError, Row};
use crate::{Store, StoreError};

/// One article's assignment, to write.
#[derive(Debug, Clone)]
pub struct NewAssignment {
    /// The article's sequence number in the store.
    pub article_seq: i64,
    /// The event.
    pub event: u32,
    /// The story.
    pub story: u32,
    /// Whether the article opened its event.
    pub new_event: bool,
    /// The scorer's probability for the event joined (none for a new event or a copy).
    pub probability: Option<f32>,
    /// The original's article id, for a copy.
    pub copy_of: Option<String>,
    /// `exact`, `near` or `wire`, for a copy.
    pub copy_kind: Option<String>,
    /// The time the engine used, Unix seconds, if any.
    pub time: Option<i64>,
    /// The evidence (features, contributions, runner-up) as JSON.
    pub explain: String,
}

/// A stored assignment.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredAssignment {
    /// Order in which the engine clustered the article.
    pub ord: i64,
    /// The event.
    pub event: u32,
    /// The story.
    pub story: u32,
    /// Whether the article opened its event.
    pub new_event: bool,
    /// The probability of the event joined.
    pub probability: Option<f32>,
    /// The original's article id, for a copy.
    pub copy_of: Option<String>,
    /// Kind of copy.
    pub copy_kind: Option<String>,
    /// The time used, Unix seconds.
    pub time: Option<i64>,
    /// The evidence as JSON.
    pub explain: String,
}

/// The engine's counters, kept between runs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClusterCounters {
    /// Documents counted in the document frequencies.
    pub docs: u32,
    /// Next event id.
    pub next_event: u32,
    /// Next story id.
    pub next_story: u32,
    /// Next assignment order number.
    pub next_ord: i64,
}

/// A line of `storyline events`.
#[derive(Debug, Clone, PartialEq)]
pub struct EventSummary {
    /// The event.
    pub id: u32,
    /// Its story.
    pub story: u32,
    /// Articles, copies included.
    pub articles: u32,
    /// Articles that are not copies: independent reports.
    pub independent: u32,
    /// Earliest and latest publication date (ISO, UTC) among its dated articles.
    pub first: Option<String>,
    /// Latest.
    pub last: Option<String>,
    /// Languages, sorted, comma-separated.
    pub languages: String,
    /// Outlets, sorted, comma-separated.
    pub outlets: String,
    /// The title of the article that opened it.
    pub title: String,
}

/// A line of `storyline stories`.
#[derive(Debug, Clone, PartialEq)]
pub struct StorySummary {
    /// The story.
    pub id: u32,
    /// Its events, in the order they opened.
    pub events: Vec<u32>,
    /// Articles, copies included.
    pub articles: u32,
    /// Earliest dated article.
    pub first: Option<String>,
    /// Latest dated article.
    pub last: Option<String>,
    /// Languages.
    pub languages: String,
    /// The title of the article that opened it.
    pub title: String,
}

/// `(seq, article, date_utc, date_precision)` of a light article row.
type LightRow = (i64, Article, Option<String>, Option<String>);

fn light_article(r: &Row<'_>) -> Result<LightRow, DbError> {
    let format: String = r.get(4)?;
    Ok((
        r.get(0)?,
        Article {
            id: ArticleId::from_stored(r.get::<String>(1)?),
            source: SourceRef {
                path: r.get(3)?,
                line: r.get::<Option<i64>>(5)?.map(|l| l as u64),
                format: SourceFormat::parse(&format).unwrap_or(SourceFormat::Text),
                external_id: r.get(2)?,
            },
            url: None,
            title: r.get(6)?,
            text: r.get(7)?,
            date: None,
            not_before: r.get::<Option<String>>(12)?.and_then(|d| crate::parse_day(&d).ok()),
            lang: r.get(8)?,
            outlet: r.get(9)?,
            author: None,
            decisions: Vec::new(),
        },
        r.get(10)?,
        r.get(11)?,
    ))
}

const LIGHT_COLUMNS: &str = "a.seq, a.id, a.external_id, a.source_path, a.format, a.source_line, a.title, a.text, a.lang, a.outlet, a.date_utc, a.date_precision, a.not_before";

pub(crate) fn assignment(r: &Row<'_>, at: usize) -> Result<StoredAssignment, DbError> {
    Ok(StoredAssignment {
        ord: r.get(at)?,
        event: r.get::<i64>(at + 1)? as u32,
        story: r.get::<i64>(at + 2)? as u32,
        new_event: r.get::<i64>(at + 3)? != 0,
        probability: r.get::<Option<f64>>(at + 4)?.map(|p| p as f32),
        copy_of: r.get(at + 5)?,
        copy_kind: r.get(at + 6)?,
        time: r.get(at + 7)?,
        explain: r.get(at + 8)?,
    })
}

pub(crate) const ASSIGNMENT_COLUMNS: &str = "s.ord, s.event, s.story, s.new_event, s.probability, s.copy_of, s.copy_kind, s.time_utc, s.explain";

/// An article of an event, as `storyline events` and the story views show it.
#[derive(Debug, Clone, PartialEq)]
pub struct EventArticle {
    /// The article.
    pub id: ArticleId,
    /// Its title.
    pub title: String,
    /// Its date, ISO at its precision.
    pub date: Option<String>,
    /// Its outlet.
    pub outlet: Option<String>,
    /// Its language.
    pub lang: Option<String>,
    /// What the engine decided for it.
    pub assignment: StoredAssignment,
}

/// A stored article with what the engine needs of its date: `(date_utc, precision)`.
pub type ArticleForEngine = (i64, Article, Option<(String, String)>);

impl Store {
    /// Articles not yet clustered, with sequence number above `after`, in ingest order, at most
    /// `limit`. Light: no decisions, and the date as stored text `(utc, precision)`.
    pub fn unclustered(
        &self,
        after: i64,
        limit: usize,
    ) -> Result<Vec<ArticleForEngine>, StoreError> {
        let sql = format!(
            "SELECT {LIGHT_COLUMNS} FROM articles a LEFT JOIN assignments s ON s.article_seq = a.seq
             WHERE a.seq > ?1 AND s.article_seq IS NULL ORDER BY a.seq LIMIT ?2"
        );
        let rows = self
            .db
            .query(&sql, args![after, limit as i64], light_article)
            .map_err(|e| self.sql(e))?;
        Ok(rows.into_iter().map(|(seq, a, utc, prec)| (seq, a, utc.zip(prec))).collect())
    }

    /// Clustered articles from assignment order `from_ord` on, in that order, with their
    /// assignments: what the engine replays to rebuild its active window after a restart.
    pub fn clustered_from(
        &self,
        from_ord: i64,
    ) -> Result<Vec<(ArticleForEngine, StoredAssignment)>, StoreError> {
        let sql = format!(
            "SELECT {LIGHT_COLUMNS}, {ASSIGNMENT_COLUMNS} FROM assignments s JOIN articles a ON a.seq = s.article_seq
             WHERE s.ord >= ?1 ORDER BY s.ord"
        );
        self.db
            .query(&sql, args![from_ord], |r| {
                let (seq, a, utc, prec) = light_article(r)?;
                Ok(((seq, a, utc.zip(prec)), assignment(r, 13)?))
            })
            .map_err(|e| self.sql(e))
    }

    /// The latest time among assignments, Unix seconds.
    pub fn latest_cluster_time(&self) -> Result<Option<i64>, StoreError> {
        self.db
            .query_one("SELECT max(time_utc) FROM assignments", args![], |r| r.get(0))
            .map_err(|e| self.sql(e))
    }

    /// The first assignment order whose time is at or after `time` (Unix seconds); the next
    /// order number when none is.
    pub fn first_ord_since(&self, time: i64) -> Result<i64, StoreError> {
        let found: Option<i64> = self
            .db
            .query_one("SELECT min(ord) FROM assignments WHERE time_utc >= ?1", args![time], |r| {
                r.get(0)
            })
            .map_err(|e| self.sql(e))?;
        match found {
            Some(o) => Ok(o),
            None => Ok(self.cluster_counters()?.next_ord),
        }
    }

    /// The engine's counters (all 0 before the first run).
    pub fn cluster_counters(&self) -> Result<ClusterCounters, StoreError> {
        let get = |key: &str| -> Result<i64, StoreError> {
            self.db
                .query_opt(
                    "SELECT CAST(value AS BIGINT) FROM meta WHERE key = ?1",
                    args![key],
                    |r| r.get::<i64>(0),
                )
                .map(|v| v.unwrap_or(0))
                .map_err(|e| self.sql(e))
        };
        Ok(ClusterCounters {
            docs: get("cluster_docs")? as u32,
            next_event: get("cluster_next_event")? as u32,
            next_story: get("cluster_next_story")? as u32,
            next_ord: get("cluster_next_ord")?,
        })
    }

    /// Every stored document frequency.
    pub fn doc_freq(&self) -> Result<Vec<(u64, u32)>, StoreError> {
        self.db
            .query("SELECT term, df FROM doc_freq", args![], |r| {
                Ok((r.get::<i64>(0)? as u64, r.get::<i64>(1)? as u32))
            })
            .map_err(|e| self.sql(e))
    }

    /// Writes a batch of assignments, the document frequencies that changed, the counters and the
    /// engine's state after the batch (when given), in one transaction. The rows get order numbers
    /// ending just before `counters.next_ord`.
    pub fn write_assignments(
        &mut self,
        rows: &[NewAssignment],
        df_changes: &[(u64, u32)],
        counters: ClusterCounters,
        state: Option<&[u8]>,
    ) -> Result<(), StoreError> {
        let err = |e| self.sql(e);
        let tx = self.db.begin().map_err(err)?;
        let first = counters.next_ord - rows.len() as i64;
        for (ord, a) in (first..).zip(rows) {
            tx.execute_later(
                "INSERT INTO assignments (article_seq, ord, event, story, new_event, probability, copy_of, copy_kind, time_utc, explain)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                args![
                    a.article_seq,
                    ord,
                    i64::from(a.event),
                    i64::from(a.story),
                    i64::from(a.new_event),
                    a.probability.map(f64::from),
                    a.copy_of.as_deref(),
                    a.copy_kind.as_deref(),
                    a.time,
                    a.explain.as_str()
                ],
            )
            .map_err(err)?;
        }
        // The first change of a term since the last stored state keeps its old frequency.
        for (term, n) in df_changes {
            tx.execute_later(
                "INSERT INTO df_journal (term, df)
                 VALUES (?1, coalesce((SELECT df FROM doc_freq WHERE term = ?1), 0))
                 ON CONFLICT DO NOTHING",
                args![*term as i64],
            )
            .map_err(err)?;
            tx.execute_later(
                "INSERT INTO doc_freq (term, df) VALUES (?1, ?2) ON CONFLICT (term) DO UPDATE SET df = excluded.df",
                args![*term as i64, i64::from(*n)],
            )
            .map_err(err)?;
        }
        for (k, v) in [
            ("cluster_docs", i64::from(counters.docs)),
            ("cluster_next_event", i64::from(counters.next_event)),
            ("cluster_next_story", i64::from(counters.next_story)),
            ("cluster_next_ord", counters.next_ord),
        ] {
            tx.execute_later(
                "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                args![k, v.to_string()],
            )
            .map_err(err)?;
        }
        if let Some(state) = state {
            tx.execute_later(
                "INSERT INTO cluster_state (id, next_ord, docs, next_event, next_story, state)
                 VALUES (0, ?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (id) DO UPDATE SET next_ord = excluded.next_ord, docs = excluded.docs,
                   next_event = excluded.next_event, next_story = excluded.next_story, state = excluded.state",
                args![
                    counters.next_ord,
                    i64::from(counters.docs),
                    i64::from(counters.next_event),
                    i64::from(counters.next_story),
                    state
                ],
            )
            .map_err(err)?;
            tx.execute_later("DELETE FROM df_journal", args![]).map_err(err)?;
        }
        tx.commit().map_err(err)
    }

    /// Takes clustering back to the last stored engine state when batches were clustered after
    /// it (a run stopped between two states): their assignments go, the document frequencies
    /// and counters return to what they were then. Returns how many assignments went. Does
    /// nothing for a data directory without a stored state or journal (written before schema 8).
    pub fn roll_back_to_state(&mut self) -> Result<u64, StoreError> {
        let counters = self.cluster_counters()?;
        let err = |e| self.sql(e);
        let tx = self.db.begin().map_err(err)?;
        let stored: Option<(i64, i64, i64, i64)> = tx
            .query_opt(
                "SELECT next_ord, docs, next_event, next_story FROM cluster_state WHERE id = 0",
                args![],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .map_err(err)?;
        let journal: i64 =
            tx.query_one("SELECT count(*) FROM df_journal", args![], |r| r.get(0)).map_err(err)?;
        let (ord, docs, next_event, next_story) = match stored {
            Some(s) if s.0 < counters.next_ord => s,
            // A first run stopped before its first state: back to the start.
            None if journal > 0 => (0, 0, 0, 0),
            _ => return Ok(0),
        };
        let gone =
            tx.execute("DELETE FROM assignments WHERE ord >= ?1", args![ord]).map_err(err)?;
        tx.batch(
            "UPDATE doc_freq SET df = (SELECT j.df FROM df_journal j WHERE j.term = doc_freq.term)
               WHERE term IN (SELECT term FROM df_journal);
             DELETE FROM doc_freq WHERE df = 0;
             DELETE FROM df_journal;",
        )
        .map_err(err)?;
        for (k, v) in [
            ("cluster_docs", docs),
            ("cluster_next_event", next_event),
            ("cluster_next_story", next_story),
            ("cluster_next_ord", ord),
        ] {
            tx.execute(
                "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                args![k, v.to_string()],
            )
            .map_err(err)?;
        }
        // Reports of the rolled-back decisions are written again once they are redone.
        tx.execute(
            "UPDATE meta SET value = CAST(CASE WHEN CAST(value AS BIGINT) < CAST(?1 AS BIGINT)
               THEN CAST(value AS BIGINT) ELSE CAST(?1 AS BIGINT) END AS TEXT) WHERE key = 'narrated_ord'",
            args![ord],
        )
        .map_err(err)?;
        tx.commit().map_err(err)?;
        Ok(gone)
    }

    /// The engine's state as stored after the batch that ended before `next_ord`, if that is
    /// the last batch clustered (a state of an earlier batch is no use).
    pub fn cluster_state(&self, next_ord: i64) -> Result<Option<Vec<u8>>, StoreError> {
        self.db
            .query_opt(
                "SELECT state FROM cluster_state WHERE id = 0 AND next_ord = ?1",
                args![next_ord],
                |r| r.get(0),
            )
            .map_err(|e| self.sql(e))
    }

    /// Forgets every assignment, document frequency and counter, so that clustering starts over
    /// (after a model change). Articles stay.
    pub fn clear_clusters(&mut self) -> Result<(), StoreError> {
        let err = |e| self.sql(e);
        let tx = self.db.begin().map_err(err)?;
        tx.batch(
            "DELETE FROM assignments; DELETE FROM doc_freq; DELETE FROM cluster_state; DELETE FROM df_journal;
             DELETE FROM story_reports; DELETE FROM event_reports;
             DELETE FROM meta WHERE key LIKE 'cluster_%' OR key = 'narrated_ord';",
        )
        .map_err(err)?;
        tx.commit().map_err(err)
    }

    /// The assignment of the article a user means (see [`Store::find`]).
    pub fn assignment_of(
        &self,
        article: &ArticleId,
    ) -> Result<Option<StoredAssignment>, StoreError> {
        let sql = format!(
            "SELECT {ASSIGNMENT_COLUMNS} FROM assignments s JOIN articles a ON a.seq = s.article_seq WHERE a.id = ?1"
        );
        self.db
            .query_opt(&sql, args![article.as_str()], |r| assignment(r, 0))
            .map_err(|e| self.sql(e))
    }

    /// Events, newest first (by latest article), optionally of one story.
    pub fn events(
        &self,
        story: Option<u32>,
        limit: usize,
        offset: usize,
    ) -> Result<Vec<EventSummary>, StoreError> {
        // Languages and outlets are sorted on read, so the order of the list does not matter.
        let (langs, outlets) = if self.db.is_postgres() {
            ("string_agg(DISTINCT a.lang, ',')", "string_agg(DISTINCT a.outlet, ',')")
        } else {
            ("group_concat(DISTINCT a.lang)", "group_concat(DISTINCT a.outlet)")
        };
        // An event's story is the one it opened in, on every row of the event.
        let sql = format!(
            "SELECT s.event, min(s.story), count(*), CAST(sum(CASE WHEN s.copy_of IS NULL THEN 1 ELSE 0 END) AS BIGINT),
                    min(a.date_iso), max(a.date_iso), {langs}, {outlets},
                    (SELECT a2.title FROM assignments s2 JOIN articles a2 ON a2.seq = s2.article_seq
                      WHERE s2.event = s.event ORDER BY s2.ord LIMIT 1),
                    min(s.ord)
             FROM assignments s JOIN articles a ON a.seq = s.article_seq
             WHERE CAST(?1 AS BIGINT) IS NULL OR s.story = ?1
             GROUP BY s.event ORDER BY max(coalesce(s.time_utc, 0)) DESC, min(s.ord) DESC LIMIT ?2 OFFSET ?3"
        );
        self.db
            .query(&sql, args![story.map(i64::from), limit as i64, offset as i64], |r| {
                Ok(EventSummary {
                    id: r.get::<i64>(0)? as u32,
                    story: r.get::<i64>(1)? as u32,
                    articles: r.get::<i64>(2)? as u32,
                    independent: r.get::<i64>(3)? as u32,
                    first: r.get(4)?,
                    last: r.get(5)?,
                    languages: sorted_list(r.get::<Option<String>>(6)?),
                    outlets: sorted_list(r.get::<Option<String>>(7)?),
                    title: r.get(8)?,
                })
            })
            .map_err(|e| self.sql(e))
    }

    /// Stories, newest first.
    pub fn stories(&self, limit: usize, offset: usize) -> Result<Vec<StorySummary>, StoreError> {
        // The story's events in the order they opened: SQLite concatenates in the order of the
        // subquery, PostgreSQL in the order the aggregate names.
        let (langs, events) = if self.db.is_postgres() {
            (
                "string_agg(DISTINCT a.lang, ',')",
                "(SELECT string_agg(CAST(e.event AS TEXT), ',' ORDER BY e.first_ord) FROM
                   (SELECT event, min(ord) AS first_ord FROM assignments s3 WHERE s3.story = s.story
                    GROUP BY event) AS e)",
            )
        } else {
            (
                "group_concat(DISTINCT a.lang)",
                "(SELECT group_concat(event) FROM (SELECT event FROM assignments s3 WHERE s3.story = s.story
                   GROUP BY event ORDER BY min(ord)))",
            )
        };
        let sql = format!(
            "SELECT s.story, count(*), min(a.date_iso), max(a.date_iso), {langs},
                    (SELECT a2.title FROM assignments s2 JOIN articles a2 ON a2.seq = s2.article_seq
                      WHERE s2.story = s.story ORDER BY s2.ord LIMIT 1),
                    {events}
             FROM assignments s JOIN articles a ON a.seq = s.article_seq
             GROUP BY s.story ORDER BY max(coalesce(s.time_utc, 0)) DESC, min(s.ord) DESC LIMIT ?1 OFFSET ?2"
        );
        self.db
            .query(&sql, args![limit as i64, offset as i64], |r| {
                let events: Option<String> = r.get(6)?;
                Ok(StorySummary {
                    id: r.get::<i64>(0)? as u32,
                    articles: r.get::<i64>(1)? as u32,
                    first: r.get(2)?,
                    last: r.get(3)?,
                    languages: sorted_list(r.get::<Option<String>>(4)?),
                    title: r.get(5)?,
                    events: events
                        .unwrap_or_default()
                        .split(',')
                        .filter_map(|e| e.parse().ok())
                        .collect(),
                })
            })
            .map_err(|e| self.sql(e))
    }

    /// The articles of an event, in the order they were clustered.
    pub fn event_articles(&self, event: u32) -> Result<Vec<EventArticle>, StoreError> {
        let sql = format!(
            "SELECT a.id, a.title, a.date_iso, a.outlet, a.lang, {ASSIGNMENT_COLUMNS}
             FROM assignments s JOIN articles a ON a.seq = s.article_seq WHERE s.event = ?1 ORDER BY s.ord"
        );
        self.db
            .query(&sql, args![i64::from(event)], |r| {
                Ok(EventArticle {
                    id: ArticleId::from_stored(r.get::<String>(0)?),
                    title: r.get(1)?,
                    date: r.get(2)?,
                    outlet: r.get(3)?,
                    lang: r.get(4)?,
                    assignment: assignment(r, 5)?,
                })
            })
            .map_err(|e| self.sql(e))
    }
}

fn sorted_list(s: Option<String>) -> String {
    let mut v: Vec<&str> =
        s.as_deref().unwrap_or("").split(',').filter(|x| !x.is_empty()).collect();
    v.sort_unstable();
    v.dedup();
    v.join(",")
}

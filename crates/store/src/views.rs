//! What the story views read and write: the material a story's report is made from, the reports
//! themselves (JSON written by the narrate stage, listed by recency with cursor paging), and the
//! full-text index over articles with its facets.

use storyline_core::ArticleId;

use crate::db::{args, Db, DbError, Param, Row};
use crate::stories::{assignment, EventArticle, ASSIGNMENT_COLUMNS};
use crate::{Store, StoreError};

/// An article of a story with its text, for the narrate stage.
#[derive(Debug, Clone)]
pub struct StoryArticle {
    /// The article's sequence number.
    pub seq: i64,
    /// Its clean text.
    pub text: String,
    /// The article as `storyline events` shows it, with its assignment.
    pub article: EventArticle,
    /// When undated: the earliest day its text allows (`YYYY-MM-DD`).
    pub not_before: Option<String>,
}

/// A story's report row, to write.
#[derive(Debug, Clone, PartialEq)]
pub struct StoryReportRow {
    /// The story.
    pub story: u32,
    /// Unix seconds of its latest dated article (0 when none is dated): the list's order.
    pub last_time: i64,
    /// Earliest date, ISO.
    pub first: Option<String>,
    /// Latest date, ISO.
    pub last: Option<String>,
    /// The story's title.
    pub title: String,
    /// Its articles, copies included.
    pub articles: u32,
    /// Its events.
    pub events: u32,
    /// Its languages, comma-separated.
    pub languages: String,
    /// The whole report as JSON.
    pub json: String,
}

/// A page of a listing and the cursor of the next page, if there is one.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// The items.
    pub items: Vec<T>,
    /// Pass this back to get the next page.
    pub next: Option<String>,
}

/// What a search may be narrowed to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchFilter {
    /// Language code.
    pub lang: Option<String>,
    /// Outlet, exactly as stored.
    pub outlet: Option<String>,
    /// Entity key (as `storyline entities --json` gives it).
    pub entity: Option<String>,
    /// Earliest publication day, `YYYY-MM-DD`.
    pub from: Option<String>,
    /// Latest publication day, `YYYY-MM-DD`.
    pub to: Option<String>,
}

/// One article found by a search.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchHit {
    /// The article.
    pub id: ArticleId,
    /// Its title.
    pub title: String,
    /// Its date as written.
    pub date: Option<String>,
    /// Its outlet.
    pub outlet: Option<String>,
    /// Its language.
    pub lang: Option<String>,
    /// Its event, once clustered.
    pub event: Option<u32>,
    /// Its story, once clustered.
    pub story: Option<u32>,
}

/// A facet value and how many hits have it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FacetCount {
    /// The value.
    pub value: String,
    /// Hits with it.
    pub count: u64,
    /// A name for people, where the value is a key (entities: the canonical name).
    pub label: Option<String>,
}

/// Everything a search returns.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SearchResult {
    /// Matching articles in all.
    pub total: u64,
    /// The page of hits, best first.
    pub hits: Vec<SearchHit>,
    /// Offset of the next page, if any.
    pub next: Option<usize>,
    /// Hits by language.
    pub languages: Vec<FacetCount>,
    /// Hits by outlet.
    pub outlets: Vec<FacetCount>,
    /// Hits by entity key (most frequent first), among the best [`ENTITY_FACET_HITS`] hits.
    pub entities: Vec<FacetCount>,
    /// Hits by publication month, `YYYY-MM`.
    pub months: Vec<FacetCount>,
    /// Events with hits, most hits first.
    pub events: Vec<FacetCount>,
    /// Stories with hits, most hits first.
    pub stories: Vec<FacetCount>,
}

/// A row of the story list: `(story, title, first, last, articles, events, languages)`.
#[derive(Debug, Clone, PartialEq)]
pub struct StoryListRow {
    /// The story.
    pub story: u32,
    /// Its title.
    pub title: String,
    /// Earliest date.
    pub first: Option<String>,
    /// Latest date.
    pub last: Option<String>,
    /// Articles.
    pub articles: u32,
    /// Events.
    pub events: u32,
    /// Languages, comma-separated.
    pub languages: String,
}

/// An article to index: `(seq, title, text, lang)`.
pub type ToIndex = (i64, String, String, Option<String>);

/// The entity facet counts the entities of this many best hits.
pub const ENTITY_FACET_HITS: usize = 200;
/// Hits ranked, paged and counted in facets: the best this many (the total counts every match).
pub const SEARCH_HITS: usize = 1000;

/// Facet values returned per facet.
const FACET_LIMIT: i64 = 20;

/// The MATCH expression for query groups: every group must match, any term of a group will do.
fn match_expression(groups: &[Vec<String>]) -> String {
    groups
        .iter()
        .map(|g| {
            let terms: Vec<String> =
                g.iter().map(|t| format!("\"{}\"", t.replace('"', "\"\""))).collect();
            format!("({})", terms.join(" OR "))
        })
        .collect::<Vec<_>>()
        .join(" AND ")
}

/// The same on PostgreSQL, as a `tsquery`: each term a quoted lexeme (`'` and `\` doubled),
/// the terms of a group OR-ed with `|`, the groups AND-ed with `&`.
fn tsquery_expression(groups: &[Vec<String>]) -> String {
    groups
        .iter()
        .map(|g| {
            let terms: Vec<String> = g
                .iter()
                .map(|t| format!("'{}'", t.replace('\\', "\\\\").replace('\'', "''")))
                .collect();
            format!("({})", terms.join(" | "))
        })
        .collect::<Vec<_>>()
        .join(" & ")
}

impl Store {
    /// Articles not yet in the search index, at most `limit`, in ingest order:
    /// `(seq, title, text, lang)`.
    pub fn unindexed(&self, limit: usize) -> Result<Vec<ToIndex>, StoreError> {
        let after = self.meta_i64("search_indexed_seq")?;
        self.db
            .query(
                "SELECT seq, title, text, lang FROM articles WHERE seq > ?1 ORDER BY seq LIMIT ?2",
                args![after, limit as i64],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .map_err(|e| self.sql(e))
    }

    /// Writes search terms (`(seq, space-separated terms)`, in ingest order) in one transaction
    /// and moves the index's high-water mark to the last of them.
    pub fn write_search_terms(&mut self, rows: &[(i64, String)]) -> Result<(), StoreError> {
        let Some(last) = rows.last().map(|r| r.0) else { return Ok(()) };
        let err = |e| self.sql(e);
        // SQLite's index is an FTS5 table keyed by rowid; PostgreSQL's a `tsvector` per article.
        let insert = if self.db.is_postgres() {
            "INSERT INTO search (article_seq, terms) VALUES (?1, to_tsvector('simple', ?2))
             ON CONFLICT (article_seq) DO UPDATE SET terms = excluded.terms"
        } else {
            "INSERT OR REPLACE INTO search (rowid, terms) VALUES (?1, ?2)"
        };
        let tx = self.db.begin().map_err(err)?;
        for (seq, terms) in rows {
            tx.execute_later(insert, args![*seq, terms.as_str()]).map_err(err)?;
        }
        set_meta(&tx, "search_indexed_seq", last).map_err(err)?;
        tx.commit().map_err(err)
    }

    /// A number that changes whenever the search index or the reports change: answers computed
    /// from them may be reused while it stays the same.
    pub fn generation(&self) -> Result<String, StoreError> {
        let sql = if self.db.is_postgres() {
            "SELECT coalesce(string_agg(key || '=' || value, ' ' ORDER BY key), '') FROM meta
             WHERE key IN ('search_indexed_seq', 'narrated_ord', 'cluster_next_ord')"
        } else {
            "SELECT coalesce(group_concat(key || '=' || value, ' '), '') FROM (SELECT key, value FROM meta
                 WHERE key IN ('search_indexed_seq', 'narrated_ord', 'cluster_next_ord') ORDER BY key)"
        };
        self.db.query_one(sql, args![], |r| r.get(0)).map_err(|e| self.sql(e))
    }

    pub(crate) fn meta_i64(&self, key: &str) -> Result<i64, StoreError> {
        self.db
            .query_opt("SELECT CAST(value AS BIGINT) FROM meta WHERE key = ?1", args![key], |r| {
                r.get(0)
            })
            .map(|v| v.unwrap_or(0))
            .map_err(|e| self.sql(e))
    }

    /// Stories with articles clustered since the last narration, and the order number up to
    /// which that holds (pass it to [`Store::write_reports`]).
    pub fn stories_to_narrate(&self) -> Result<(Vec<u32>, i64), StoreError> {
        let from = self.meta_i64("narrated_ord")?;
        let next = self.cluster_counters()?.next_ord;
        let stories = self
            .db
            .query(
                "SELECT DISTINCT story FROM assignments WHERE ord >= ?1 ORDER BY story",
                args![from],
                |r| r.get::<i64>(0).map(|s| s as u32),
            )
            .map_err(|e| self.sql(e))?;
        Ok((stories, next))
    }

    /// The articles of a story with their texts, in the order they were clustered.
    pub fn story_articles(&self, story: u32) -> Result<Vec<StoryArticle>, StoreError> {
        let sql = format!(
            "SELECT a.seq, a.text, a.id, a.title, a.date_iso, a.outlet, a.lang, {ASSIGNMENT_COLUMNS}, a.not_before
             FROM assignments s JOIN articles a ON a.seq = s.article_seq WHERE s.story = ?1 ORDER BY s.ord"
        );
        self.db
            .query(&sql, args![i64::from(story)], |r| {
                Ok(StoryArticle {
                    seq: r.get(0)?,
                    text: r.get(1)?,
                    article: EventArticle {
                        id: ArticleId::from_stored(r.get::<String>(2)?),
                        title: r.get(3)?,
                        date: r.get(4)?,
                        outlet: r.get(5)?,
                        lang: r.get(6)?,
                        assignment: assignment(r, 7)?,
                    },
                    not_before: r.get(16)?,
                })
            })
            .map_err(|e| self.sql(e))
    }

    /// Replaces a story's report and its events' reports, and records narration up to `upto`
    /// (an order number from [`Store::stories_to_narrate`]) when given.
    pub fn write_reports(
        &mut self,
        story: &StoryReportRow,
        events: &[(u32, String)],
        upto: Option<i64>,
    ) -> Result<(), StoreError> {
        let err = |e| self.sql(e);
        let tx = self.db.begin().map_err(err)?;
        tx.execute_later(
            "INSERT INTO story_reports (story, last_time, first, last, title, articles, events, languages, json)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
             ON CONFLICT (story) DO UPDATE SET last_time = excluded.last_time, first = excluded.first,
                 last = excluded.last, title = excluded.title, articles = excluded.articles,
                 events = excluded.events, languages = excluded.languages, json = excluded.json",
            args![
                i64::from(story.story),
                story.last_time,
                story.first.as_deref(),
                story.last.as_deref(),
                story.title.as_str(),
                i64::from(story.articles),
                i64::from(story.events),
                story.languages.as_str(),
                story.json.as_str()
            ],
        )
        .map_err(err)?;
        for (event, json) in events {
            tx.execute_later(
                "INSERT INTO event_reports (event, story, json) VALUES (?1, ?2, ?3)
                 ON CONFLICT (event) DO UPDATE SET story = excluded.story, json = excluded.json",
                args![i64::from(*event), i64::from(story.story), json.as_str()],
            )
            .map_err(err)?;
        }
        if let Some(upto) = upto {
            set_meta(&tx, "narrated_ord", upto).map_err(err)?;
        }
        tx.commit().map_err(err)
    }

    /// Forgets every report, so that the next narration rewrites them all (after a change in
    /// how reports are made).
    pub fn clear_reports(&mut self) -> Result<(), StoreError> {
        let err = |e| self.sql(e);
        let tx = self.db.begin().map_err(err)?;
        tx.batch(
            "DELETE FROM story_reports; DELETE FROM event_reports;
             DELETE FROM meta WHERE key = 'narrated_ord';",
        )
        .map_err(err)?;
        tx.commit().map_err(err)
    }

    /// Records that every story is narrated up to order number `upto`.
    pub fn mark_narrated(&mut self, upto: i64) -> Result<(), StoreError> {
        set_meta(&self.db, "narrated_ord", upto).map_err(|e| self.sql(e))
    }

    /// A story's report as JSON, if narrated.
    pub fn story_report(&self, story: u32) -> Result<Option<String>, StoreError> {
        self.db
            .query_opt(
                "SELECT json FROM story_reports WHERE story = ?1",
                args![i64::from(story)],
                |r| r.get(0),
            )
            .map_err(|e| self.sql(e))
    }

    /// An event's report as JSON, if narrated.
    pub fn event_report(&self, event: u32) -> Result<Option<String>, StoreError> {
        self.db
            .query_opt(
                "SELECT json FROM event_reports WHERE event = ?1",
                args![i64::from(event)],
                |r| r.get(0),
            )
            .map_err(|e| self.sql(e))
    }

    /// The titles of narrated events (`stories` false) or stories, for the ids given; ids not
    /// narrated are left out.
    pub fn report_titles(
        &self,
        ids: &[u32],
        stories: bool,
    ) -> Result<Vec<(u32, String)>, StoreError> {
        let sql = if stories {
            "SELECT title FROM story_reports WHERE story = ?1"
        } else if self.db.is_postgres() {
            "SELECT CAST(\"json\" AS JSON) ->> 'title' FROM event_reports WHERE event = ?1"
        } else {
            "SELECT json_extract(json, '$.title') FROM event_reports WHERE event = ?1"
        };
        let mut out = Vec::new();
        for id in ids {
            if let Some(t) = self
                .db
                .query_opt(sql, args![i64::from(*id)], |r| r.get::<String>(0))
                .map_err(|e| self.sql(e))?
            {
                out.push((*id, t));
            }
        }
        Ok(out)
    }

    /// Narrated stories, most recent first, `limit` a page. `cursor` is the `next` of the
    /// previous page; a cursor this store did not give is [`StoreError::BadCursor`].
    pub fn story_list(
        &self,
        limit: usize,
        cursor: Option<&str>,
    ) -> Result<Page<StoryListRow>, StoreError> {
        let (time, story) = match cursor {
            None => (i64::MAX, i64::MAX),
            Some(c) => parse_cursor(c).ok_or_else(|| StoreError::BadCursor(c.to_string()))?,
        };
        let rows: Vec<(StoryListRow, i64)> = self
            .db
            .query(
                "SELECT story, title, first, last, articles, events, languages, last_time FROM story_reports
                 WHERE (last_time, story) < (?1, ?2) ORDER BY last_time DESC, story DESC LIMIT ?3",
                args![time, story, limit as i64 + 1],
                |r| {
                    Ok((
                        StoryListRow {
                            story: r.get::<i64>(0)? as u32,
                            title: r.get(1)?,
                            first: r.get(2)?,
                            last: r.get(3)?,
                            articles: r.get::<i64>(4)? as u32,
                            events: r.get::<i64>(5)? as u32,
                            languages: r.get(6)?,
                        },
                        r.get(7)?,
                    ))
                },
            )
            .map_err(|e| self.sql(e))?;
        let more = rows.len() > limit;
        let items: Vec<(StoryListRow, i64)> = rows.into_iter().take(limit).collect();
        let next = if more {
            items.last().map(|(row, time)| format!("{time}.{}", row.story))
        } else {
            None
        };
        Ok(Page { items: items.into_iter().map(|(r, _)| r).collect(), next })
    }

    /// An article's clean text and language, by its exact id.
    pub fn article_text(
        &self,
        id: &ArticleId,
    ) -> Result<Option<(String, Option<String>)>, StoreError> {
        self.db
            .query_opt("SELECT text, lang FROM articles WHERE id = ?1", args![id.as_str()], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .map_err(|e| self.sql(e))
    }

    /// Articles in ingest order, `limit` a page, after the `cursor` of the previous page; only
    /// those of one story when `story` is given.
    pub fn article_page(
        &self,
        story: Option<u32>,
        limit: usize,
        cursor: Option<&str>,
    ) -> Result<Page<crate::ArticleSummary>, StoreError> {
        let after: i64 = match cursor {
            None => 0,
            // A sequence number this store gave out: never negative.
            Some(c) => c
                .parse::<u64>()
                .ok()
                .and_then(|n| i64::try_from(n).ok())
                .ok_or_else(|| StoreError::BadCursor(c.to_string()))?,
        };
        let rows: Vec<(i64, crate::ArticleSummary)> = self
            .db
            .query(
                "SELECT a.seq, a.id, a.external_id, a.title, a.date_iso, a.lang, a.outlet FROM articles a
                 WHERE a.seq > ?1
                   AND (CAST(?3 AS BIGINT) IS NULL OR a.seq IN (SELECT article_seq FROM assignments WHERE story = ?3))
                 ORDER BY a.seq LIMIT ?2",
                args![after, limit as i64 + 1, story.map(i64::from)],
                |r| {
                    Ok((
                        r.get(0)?,
                        crate::ArticleSummary {
                            id: ArticleId::from_stored(r.get::<String>(1)?),
                            external_id: r.get(2)?,
                            title: r.get(3)?,
                            date: r.get(4)?,
                            lang: r.get(5)?,
                            outlet: r.get(6)?,
                        },
                    ))
                },
            )
            .map_err(|e| self.sql(e))?;
        let more = rows.len() > limit;
        let items: Vec<(i64, crate::ArticleSummary)> = rows.into_iter().take(limit).collect();
        let next = if more { items.last().map(|(seq, _)| seq.to_string()) } else { None };
        Ok(Page { items: items.into_iter().map(|(_, a)| a).collect(), next })
    }

    /// Searches articles: `groups` from `Analyzer::query_terms` (every group must match),
    /// narrowed by `filter`; a page of `limit` hits from `offset`, best first, with facets. The
    /// total counts every match; the page, the facets and the events and stories are read from
    /// the best [`SEARCH_HITS`] (the entity facet from the best [`ENTITY_FACET_HITS`]).
    pub fn search(
        &self,
        groups: &[Vec<String>],
        filter: &SearchFilter,
        limit: usize,
        offset: usize,
    ) -> Result<SearchResult, StoreError> {
        if groups.is_empty() {
            return Ok(SearchResult::default());
        }
        let pg = self.db.is_postgres();
        let expr = if pg { tsquery_expression(groups) } else { match_expression(groups) };
        let filtered = filter != &SearchFilter::default();
        let sql = if pg {
            // One plan either way: every match joined, filtered, ranked by `ts_rank`.
            "SELECT a.seq, s.event, s.story, a.lang, a.outlet, substr(a.date_utc, 1, 7)
             FROM search JOIN articles a ON a.seq = search.article_seq
             LEFT JOIN assignments s ON s.article_seq = a.seq
             WHERE search.terms @@ to_tsquery('simple', ?1)
               AND (CAST(?2 AS TEXT) IS NULL OR a.lang = ?2)
               AND (CAST(?3 AS TEXT) IS NULL OR a.outlet = ?3)
               AND (CAST(?4 AS TEXT) IS NULL OR EXISTS (SELECT 1 FROM entities e WHERE e.article_seq = a.seq AND e.key = ?4))
               AND (CAST(?5 AS TEXT) IS NULL OR substr(a.date_utc, 1, 10) >= ?5)
               AND (CAST(?6 AS TEXT) IS NULL OR substr(a.date_utc, 1, 10) <= ?6)
             ORDER BY ts_rank(search.terms, to_tsquery('simple', ?1)) DESC, a.seq LIMIT ?7"
                .to_string()
        } else {
            // Without a filter, FTS5 ranks and cuts the matches itself and only the best are
            // joined to their articles; with one, every match is joined and filtered first.
            let (matches, rowid, rank, matched) = if filtered {
                ("search", "search.rowid", "bm25(search)", "search MATCH ?1")
            } else {
                (
                    "(SELECT rowid, rank FROM search WHERE search MATCH ?1 ORDER BY rank LIMIT ?7) AS m",
                    "m.rowid",
                    "m.rank",
                    "1",
                )
            };
            format!(
                "SELECT a.seq, s.event, s.story, a.lang, a.outlet, substr(a.date_utc, 1, 7)
             FROM {matches} JOIN articles a INDEXED BY articles_meta ON a.seq = {rowid}
             LEFT JOIN assignments s ON s.article_seq = a.seq
             WHERE {matched}
               AND (?2 IS NULL OR a.lang = ?2)
               AND (?3 IS NULL OR a.outlet = ?3)
               AND (?4 IS NULL OR EXISTS (SELECT 1 FROM entities e WHERE e.article_seq = a.seq AND e.key = ?4))
               AND (?5 IS NULL OR substr(a.date_utc, 1, 10) >= ?5)
               AND (?6 IS NULL OR substr(a.date_utc, 1, 10) <= ?6)
             ORDER BY {rank}, a.seq LIMIT ?7"
            )
        };
        let rows: Vec<HitRow> = self
            .db
            .query(
                &sql,
                args![
                    expr.as_str(),
                    filter.lang.as_deref(),
                    filter.outlet.as_deref(),
                    filter.entity.as_deref(),
                    filter.from.as_deref(),
                    filter.to.as_deref(),
                    SEARCH_HITS as i64
                ],
                |r| {
                    Ok(HitRow {
                        seq: r.get(0)?,
                        event: r.get::<Option<i64>>(1)?.map(|e| e as u32),
                        story: r.get::<Option<i64>>(2)?.map(|e| e as u32),
                        lang: r.get(3)?,
                        outlet: r.get(4)?,
                        month: r.get(5)?,
                    })
                },
            )
            .map_err(|e| self.sql(e))?;
        let total = if rows.len() < SEARCH_HITS {
            rows.len() as u64
        } else if filtered {
            // Every match that passes the filter, not only the best SEARCH_HITS (issue 17,
            // row 9: with a filter the total stopped at 1,000).
            let sql = if pg {
                "SELECT count(*) FROM search JOIN articles a ON a.seq = search.article_seq
                     WHERE search.terms @@ to_tsquery('simple', ?1)
                       AND (CAST(?2 AS TEXT) IS NULL OR a.lang = ?2)
                       AND (CAST(?3 AS TEXT) IS NULL OR a.outlet = ?3)
                       AND (CAST(?4 AS TEXT) IS NULL OR EXISTS (SELECT 1 FROM entities e WHERE e.article_seq = a.seq AND e.key = ?4))
                       AND (CAST(?5 AS TEXT) IS NULL OR substr(a.date_utc, 1, 10) >= ?5)
                       AND (CAST(?6 AS TEXT) IS NULL OR substr(a.date_utc, 1, 10) <= ?6)"
            } else {
                "SELECT count(*) FROM search JOIN articles a INDEXED BY articles_meta ON a.seq = search.rowid
                     WHERE search MATCH ?1
                       AND (?2 IS NULL OR a.lang = ?2)
                       AND (?3 IS NULL OR a.outlet = ?3)
                       AND (?4 IS NULL OR EXISTS (SELECT 1 FROM entities e WHERE e.article_seq = a.seq AND e.key = ?4))
                       AND (?5 IS NULL OR substr(a.date_utc, 1, 10) >= ?5)
                       AND (?6 IS NULL OR substr(a.date_utc, 1, 10) <= ?6)"
            };
            self.db
                .query_one(
                    sql,
                    args![
                        expr.as_str(),
                        filter.lang.as_deref(),
                        filter.outlet.as_deref(),
                        filter.entity.as_deref(),
                        filter.from.as_deref(),
                        filter.to.as_deref()
                    ],
                    |r| r.get::<i64>(0),
                )
                .map_err(|e| self.sql(e))? as u64
        } else {
            let sql = if pg {
                "SELECT count(*) FROM search WHERE terms @@ to_tsquery('simple', ?1)"
            } else {
                "SELECT count(*) FROM search WHERE search MATCH ?1"
            };
            self.db
                .query_one(sql, args![expr.as_str()], |r| r.get::<i64>(0))
                .map_err(|e| self.sql(e))? as u64
        };
        let page: Vec<i64> = rows.iter().skip(offset).take(limit).map(|h| h.seq).collect();
        let mut hits = Vec::with_capacity(page.len());
        for (seq, row) in page.iter().zip(rows.iter().skip(offset)) {
            let hit = self
                .db
                .query_one(
                    "SELECT id, title, date_iso, outlet, lang FROM articles WHERE seq = ?1",
                    args![*seq],
                    |r| {
                        Ok(SearchHit {
                            id: ArticleId::from_stored(r.get::<String>(0)?),
                            title: r.get(1)?,
                            date: r.get(2)?,
                            outlet: r.get(3)?,
                            lang: r.get(4)?,
                            event: row.event,
                            story: row.story,
                        })
                    },
                )
                .map_err(|e| self.sql(e))?;
            hits.push(hit);
        }
        let next = (offset + hits.len() < rows.len()).then_some(offset + hits.len());
        let best: Vec<String> =
            rows.iter().take(ENTITY_FACET_HITS).map(|h| h.seq.to_string()).collect();
        let entities = if best.is_empty() {
            Vec::new()
        } else if pg {
            // The hits as one text parameter, so that the statement is the same for every
            // search (PostgreSQL keeps each statement prepared); keys and names in byte order,
            // as SQLite compares them.
            self.facet_rows(
                &format!(
                    "SELECT key, count(DISTINCT article_seq), max(canonical COLLATE \"C\") FROM entities
                     WHERE article_seq = ANY(CAST(string_to_array(?1, ',') AS BIGINT[])) AND type != 'LOCderiv'
                     GROUP BY key ORDER BY 2 DESC, key COLLATE \"C\" LIMIT {FACET_LIMIT}"
                ),
                args![best.join(",")],
            )?
        } else {
            self.facet_rows_once(&format!(
                "SELECT key, count(DISTINCT article_seq), max(canonical) FROM entities
                 WHERE article_seq IN ({}) AND type != 'LOCderiv'
                 GROUP BY key ORDER BY 2 DESC, key LIMIT {FACET_LIMIT}",
                best.join(",")
            ))?
        };
        Ok(SearchResult {
            total,
            next,
            languages: facet(rows.iter().map(|h| h.lang.clone())),
            outlets: facet(rows.iter().map(|h| h.outlet.clone())),
            months: facet(rows.iter().map(|h| h.month.clone())),
            events: facet(rows.iter().map(|h| h.event.map(|e| e.to_string()))),
            stories: facet(rows.iter().map(|h| h.story.map(|e| e.to_string()))),
            entities,
            hits,
        })
    }

    /// Facet counts from a query of `(value, count, label)` rows; the value is text.
    fn facet_rows(&self, sql: &str, params: &[&dyn Param]) -> Result<Vec<FacetCount>, StoreError> {
        self.db.query(sql, params, facet_count).map_err(|e| self.sql(e))
    }

    /// [`Store::facet_rows`] of a statement with its values written in.
    fn facet_rows_once(&self, sql: &str) -> Result<Vec<FacetCount>, StoreError> {
        self.db.query_once(sql, args![], facet_count).map_err(|e| self.sql(e))
    }
}

fn facet_count(r: &Row<'_>) -> Result<FacetCount, DbError> {
    Ok(FacetCount {
        value: r.get::<Option<String>>(0)?.unwrap_or_default(),
        count: r.get::<i64>(1)? as u64,
        label: r.get(2)?,
    })
}

/// One of the best hits, with what the facets count.
struct HitRow {
    seq: i64,
    event: Option<u32>,
    story: Option<u32>,
    lang: Option<String>,
    outlet: Option<String>,
    month: Option<String>,
}

/// Counts of the values given (missing ones left out), most frequent first, at most
/// [`FACET_LIMIT`].
fn facet(values: impl Iterator<Item = Option<String>>) -> Vec<FacetCount> {
    let mut counts: std::collections::BTreeMap<String, u64> = std::collections::BTreeMap::new();
    for v in values.flatten() {
        *counts.entry(v).or_default() += 1;
    }
    let mut out: Vec<FacetCount> =
        counts.into_iter().map(|(value, count)| FacetCount { value, count, label: None }).collect();
    out.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
    out.truncate(FACET_LIMIT as usize);
    out
}

fn parse_cursor(c: &str) -> Option<(i64, i64)> {
    let (t, s) = c.split_once('.')?;
    Some((t.parse().ok()?, s.parse().ok()?))
}

fn set_meta(db: &Db, key: &str, value: i64) -> Result<(), DbError> {
    db.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        args![key, value.to_string()],
    )
    .map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn match_expression_quotes_terms_and_joins_groups() {
        let g = vec![vec!["raket".to_string(), "rakete".to_string()], vec!["a\"b".to_string()]];
        assert_eq!(match_expression(&g), "(\"raket\" OR \"rakete\") AND (\"a\"\"b\")");
    }

    #[test]
    fn tsquery_expression_quotes_lexemes_and_joins_groups() {
        let g = vec![
            vec!["raket".to_string(), "rakete".to_string()],
            vec!["kim".to_string()],
            vec!["a'b\\c".to_string()],
        ];
        assert_eq!(tsquery_expression(&g), "('raket' | 'rakete') & ('kim') & ('a''b\\\\c')");
    }

    #[test]
    fn cursors_round_trip_and_bad_ones_are_refused() {
        assert_eq!(parse_cursor("1694505780.3"), Some((1694505780, 3)));
        assert_eq!(parse_cursor("x"), None);
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        assert!(matches!(store.story_list(10, Some("nope")), Err(StoreError::BadCursor(_))));
        // Issue 17, row 9: a negative or too large cursor was the first page.
        for bad in ["-5", "18446744073709551615", "9223372036854775808"] {
            let page = store.article_page(None, 10, Some(bad));
            assert!(matches!(page, Err(StoreError::BadCursor(_))), "{bad}");
        }
        assert_eq!(store.story_list(10, None).unwrap().items.len(), 0);
    }

    #[test]
    fn search_finds_stemmed_terms_with_facets() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path()).unwrap();
        store.db.batch(
            "INSERT INTO articles (seq, id, source_path, format, title, text, lang, outlet, date_utc, ingested_at)
             VALUES (1, 'a1', 'x', 'text', 'T1', 'x', 'de', 'ARD', '2023-09-12T05:43:00Z', ''),
                    (2, 'a2', 'x', 'text', 'T2', 'x', 'en', 'BBC', '2024-06-19T00:00:00Z', '')",
        ).unwrap();
        store
            .write_search_terms(&[
                (1, "raketen raket kim".to_string()),
                (2, "missile missil kim".to_string()),
            ])
            .unwrap();
        assert!(store.unindexed(10).unwrap().is_empty(), "the high-water mark moved");
        let kim = vec![vec!["kim".to_string()]];
        let all = store.search(&kim, &SearchFilter::default(), 1, 0).unwrap();
        assert_eq!((all.total, all.hits.len(), all.next), (2, 1, Some(1)));
        assert_eq!(all.languages.len(), 2);
        assert_eq!(all.months[0].count, 1);
        let en = SearchFilter { lang: Some("en".into()), ..SearchFilter::default() };
        let hits = store.search(&kim, &en, 10, 0).unwrap();
        assert_eq!(hits.hits.iter().map(|h| h.id.as_str()).collect::<Vec<_>>(), ["a2"]);
        let late = SearchFilter { from: Some("2024-01-01".into()), ..SearchFilter::default() };
        assert_eq!(store.search(&kim, &late, 10, 0).unwrap().total, 1);
        let rocket = vec![vec!["rakete".to_string(), "raket".to_string()]];
        assert_eq!(store.search(&rocket, &SearchFilter::default(), 10, 0).unwrap().total, 1);
    }

    /// Issue 17, row 9: with a filter, the total stopped at the best SEARCH_HITS.
    #[test]
    fn a_filtered_search_counts_every_match() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path()).unwrap();
        let n = SEARCH_HITS as i64 + 200;
        let tx = store.db.begin().unwrap();
        for seq in 1..=n {
            let lang = if seq % 2 == 0 { "de" } else { "en" };
            tx.execute(
                "INSERT INTO articles (seq, id, source_path, format, title, text, lang, outlet, date_utc, ingested_at)
                 VALUES (?1, ?2, 'x', 'text', 'T', 'x', ?3, 'ARD', '2023-09-12T05:43:00Z', '')",
                args![seq, format!("a{seq}"), lang],
            )
            .unwrap();
        }
        tx.commit().unwrap();
        let terms: Vec<(i64, String)> = (1..=n).map(|seq| (seq, "kim".to_string())).collect();
        store.write_search_terms(&terms).unwrap();
        let kim = vec![vec!["kim".to_string()]];
        let all = store.search(&kim, &SearchFilter::default(), 10, 0).unwrap();
        assert_eq!(all.total, n as u64);
        let ard = SearchFilter { outlet: Some("ARD".into()), ..SearchFilter::default() };
        assert_eq!(store.search(&kim, &ard, 10, 0).unwrap().total, n as u64);
        let de = SearchFilter { lang: Some("de".into()), ..SearchFilter::default() };
        assert_eq!(store.search(&kim, &de, 10, 0).unwrap().total, n as u64 / 2);
    }
}

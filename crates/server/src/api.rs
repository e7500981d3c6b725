//! The JSON API. Every handler checks its parameters first (400 naming the bad one), answers
//! 404 for ids the store does not know, and reads the store on a pooled connection.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::Value;
use storyline_narrate::contract::{
    ArticleDetail, ArticleItem, FigureItem, Page, QuoteItem, StoryItem,
};
use storyline_narrate::render::Format;
use storyline_narrate::StoryReport;
use storyline_store::{FacetCount, SearchFilter, Store};
use storyline_text::Analyzer;

use crate::contract::{FacetItem, Facets, GroupHit, SearchAnswer, SearchHit};
use crate::params::{id, Params};
use crate::{ApiError, Pool};

type Shared = State<Arc<Pool>>;
type Q = Query<HashMap<String, String>>;

/// Languages a query's words are stemmed in when no language is asked for.
const QUERY_LANGS: [&str; 6] = ["de", "en", "es", "fr", "it", "ru"];

pub(crate) fn analyzer() -> Result<&'static Analyzer, ApiError> {
    static ANALYZER: OnceLock<Option<Analyzer>> = OnceLock::new();
    ANALYZER
        .get_or_init(|| Analyzer::builtin().ok())
        .as_ref()
        .ok_or_else(|| ApiError::internal("built-in language profiles are broken"))
}

fn json_text(body: String) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// Any path no route knows.
pub async fn not_found() -> ApiError {
    ApiError::not_found("no such page or endpoint; see /api/openapi.json")
}

/// `GET /api/health`: the store answers, and how much it holds.
pub async fn health(State(pool): Shared, Query(q): Q) -> Result<Json<Value>, ApiError> {
    Params(q).only(&[])?;
    pool.with(|s| {
        let articles = s.count()?;
        let stories = s.story_list(1, None)?.items.len();
        Ok(Json(to_value(&crate::contract::Health {
            status: "ok".into(),
            articles,
            narrated: stories > 0,
        })))
    })
    .await
}

/// `GET /api/stories`: narrated stories, most recent first, with cursor paging.
pub async fn stories(State(pool): Shared, Query(q): Q) -> Result<Json<Value>, ApiError> {
    let p = Params(q);
    p.only(&["limit", "cursor"])?;
    let (limit, cursor) = (p.limit()?, p.text("cursor"));
    pool.with(move |s| {
        let page = s.story_list(limit, cursor.as_deref())?;
        let items = page.items.iter().map(StoryItem::from).collect();
        Ok(Json(to_value(&Page { items, next: page.next })))
    })
    .await
}

pub(crate) fn story_report(s: &Store, story: u32) -> Result<String, ApiError> {
    s.story_report(story)?.ok_or_else(|| ApiError::not_found(format!("no story {story}")))
}

/// `GET /api/stories/{id}`: the story's whole report.
pub async fn story(
    State(pool): Shared,
    Path(raw): Path<String>,
    Query(q): Q,
) -> Result<Response, ApiError> {
    Params(q).only(&[])?;
    let story = id("story", &raw)?;
    pool.with(move |s| story_report(s, story).map(json_text)).await
}

/// `GET /api/events/{id}`: one event's report.
pub async fn event(
    State(pool): Shared,
    Path(raw): Path<String>,
    Query(q): Q,
) -> Result<Response, ApiError> {
    Params(q).only(&[])?;
    let event = id("event", &raw)?;
    pool.with(move |s| {
        s.event_report(event)?
            .map(json_text)
            .ok_or_else(|| ApiError::not_found(format!("no event {event}")))
    })
    .await
}

/// `GET /api/stories/{id}/export?format=json|jsonl|csv|md|html`.
pub async fn export(
    State(pool): Shared,
    Path(raw): Path<String>,
    Query(q): Q,
) -> Result<Response, ApiError> {
    let p = Params(q);
    p.only(&["format"])?;
    let story = id("story", &raw)?;
    let name = p.text("format").unwrap_or_else(|| "json".into());
    let format = Format::parse(&name).map_err(ApiError::bad)?;
    let json = pool.with(move |s| story_report(s, story)).await?;
    let report: StoryReport = serde_json::from_str(&json).map_err(|e| {
        ApiError::internal(&format!("stored report of story {story} is unreadable: {e}"))
    })?;
    let disposition = format!("inline; filename=\"story-{story}.{name}\"");
    Ok((
        [
            (header::CONTENT_TYPE, format.media_type().to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        format.render(&report),
    )
        .into_response())
}

/// `GET /api/articles`: stored articles in ingest order, with cursor paging.
pub async fn articles(State(pool): Shared, Query(q): Q) -> Result<Json<Value>, ApiError> {
    article_list(pool, Params(q), None).await
}

/// `GET /api/stories/{id}/articles`: every article of a story (the report lists the first
/// hundred of each event), in ingest order, with cursor paging.
pub async fn story_articles(
    State(pool): Shared,
    Path(raw): Path<String>,
    Query(q): Q,
) -> Result<Json<Value>, ApiError> {
    let story = id("story", &raw)?;
    article_list(pool, Params(q), Some(story)).await
}

async fn article_list(
    pool: Arc<Pool>,
    p: Params,
    story: Option<u32>,
) -> Result<Json<Value>, ApiError> {
    p.only(&["limit", "cursor"])?;
    let (limit, cursor) = (p.limit()?, p.text("cursor"));
    pool.with(move |s| {
        if let Some(story) = story {
            story_report(s, story)?;
        }
        let page = s.article_page(story, limit, cursor.as_deref())?;
        let items = page.items.iter().map(ArticleItem::from).collect();
        Ok(Json(to_value(&Page { items, next: page.next })))
    })
    .await
}

/// What the store holds of one article: the article, its extraction and its assignment.
pub(crate) struct ArticleParts {
    pub article: storyline_core::Article,
    pub extraction: storyline_store::Extraction,
    pub assignment: Option<storyline_store::StoredAssignment>,
}

/// A contract type as JSON (they serialise without fail: plain fields, string keys).
fn to_value<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// Reads an article by id, id prefix or source id (on a pooled connection).
pub(crate) fn article_parts(s: &Store, key: &str) -> Result<ArticleParts, ApiError> {
    let article = s.find(key)?.ok_or_else(|| ApiError::not_found(format!("no article {key:?}")))?;
    let extraction = s.extraction(&article.id)?;
    let assignment = s.assignment_of(&article.id)?;
    Ok(ArticleParts { article, extraction, assignment })
}

/// The article as JSON: metadata, decisions, event and story; with its extraction when
/// `extraction` is true (no connection needed: run it after giving the connection back).
pub(crate) fn article_value(parts: &ArticleParts, extraction: bool) -> Value {
    let ArticleParts { article, assignment, extraction: x } = parts;
    to_value(&ArticleDetail::new(article, assignment.as_ref(), extraction.then_some(x)))
}

/// Runs CPU-heavy rendering off the async workers, so that a long article does not hold up
/// other requests, `/api/health` among them (issue 17, row 3).
pub(crate) async fn off_the_workers<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ApiError::internal(&format!("rendering failed: {e}")))
}

/// `GET /api/articles/{id}`: the article, its normalisation decisions, its event and story,
/// and what was extracted, with byte offsets into its text.
pub async fn article(
    State(pool): Shared,
    Path(key): Path<String>,
    Query(q): Q,
) -> Result<Json<Value>, ApiError> {
    Params(q).only(&[])?;
    let parts = pool.with(move |s| article_parts(s, &key)).await?;
    off_the_workers(move || Json(article_value(&parts, true))).await
}

/// An offset cursor: the `next` of the previous page.
fn offset(p: &Params) -> Result<usize, ApiError> {
    match p.text("cursor") {
        None => Ok(0),
        // An offset this store could give: a count of rows, never past what SQLite takes.
        Some(c) => c.parse::<u32>().map(|n| n as usize).map_err(|_| {
            ApiError::bad(format!(
                "bad cursor {c:?}: pass back the next value of the previous page"
            ))
        }),
    }
}

/// `GET /api/quotes?speaker=NAME`: quotes with their speakers, all or one speaker's in any
/// spelling of the name, in ingest order.
pub async fn quotes(State(pool): Shared, Query(q): Q) -> Result<Json<Value>, ApiError> {
    let p = Params(q);
    p.only(&["speaker", "limit", "cursor"])?;
    let (limit, from) = (p.limit()?, offset(&p)?);
    let key = p.text("speaker").map(|name| storyline_extract::quotes::name_key(&name));
    pool.with(move |s| {
        let hits = s.quotes(key.as_deref(), limit + 1, from)?;
        let items = hits.iter().take(limit).map(QuoteItem::from).collect();
        let next = (hits.len() > limit).then(|| (from + limit).to_string());
        Ok(Json(to_value(&Page { items, next })))
    })
    .await
}

/// `GET /api/figures`: the figures articles report, in ingest order.
pub async fn figures(State(pool): Shared, Query(q): Q) -> Result<Json<Value>, ApiError> {
    let p = Params(q);
    p.only(&["limit", "cursor"])?;
    let (limit, from) = (p.limit()?, offset(&p)?);
    pool.with(move |s| {
        let hits = s.figures(limit + 1, from)?;
        let items = hits.iter().take(limit).map(FigureItem::from).collect();
        let next = (hits.len() > limit).then(|| (from + limit).to_string());
        Ok(Json(to_value(&Page { items, next })))
    })
    .await
}

/// A checked search request.
pub(crate) struct SearchRequest {
    pub query: String,
    pub filter: SearchFilter,
    pub limit: usize,
    pub offset: usize,
}

pub(crate) fn search_request(p: &Params) -> Result<SearchRequest, ApiError> {
    p.only(&["q", "lang", "outlet", "entity", "from", "to", "limit", "cursor"])?;
    let query =
        p.text("q").ok_or_else(|| ApiError::bad("q (the words to search for) is required"))?;
    let offset = offset(p)?;
    let filter = SearchFilter {
        lang: p.text("lang"),
        outlet: p.text("outlet"),
        entity: p.text("entity"),
        from: p.day("from")?,
        to: p.day("to")?,
    };
    Ok(SearchRequest { query, filter, limit: p.limit()?, offset })
}

fn facets(f: &[FacetCount]) -> Vec<FacetItem> {
    f.iter()
        .map(|c| FacetItem { value: c.value.clone(), count: c.count, label: c.label.clone() })
        .collect()
}

/// Answers of recent searches, valid while the store's generation stays the same. Ranking every
/// match of a common word costs tens of milliseconds; people repeat searches, and facet links
/// repeat them with one filter more.
struct SearchCache {
    generation: String,
    answers: HashMap<String, Answer>,
}

/// A search's answer as JSON, and as text for the API.
pub(crate) type Answer = Arc<(Value, String)>;

/// Searches remembered at most; the cache starts over when full.
const CACHED_SEARCHES: usize = 4096;

fn cache() -> &'static Mutex<SearchCache> {
    static CACHE: OnceLock<Mutex<SearchCache>> = OnceLock::new();
    CACHE.get_or_init(|| {
        Mutex::new(SearchCache { generation: String::new(), answers: HashMap::new() })
    })
}

impl SearchRequest {
    fn key(&self) -> String {
        let f = &self.filter;
        format!(
            "{}\u{1}{:?}\u{1}{:?}\u{1}{:?}\u{1}{:?}\u{1}{:?}\u{1}{}\u{1}{}",
            self.query, f.lang, f.outlet, f.entity, f.from, f.to, self.limit, self.offset
        )
    }
}

/// Runs a search (or finds its answer in the cache) and returns it as JSON.
pub(crate) fn run_search(s: &Store, r: &SearchRequest) -> Result<Answer, ApiError> {
    let generation = s.generation()?;
    let key = r.key();
    if let Ok(c) = cache().lock() {
        if c.generation == generation {
            if let Some(v) = c.answers.get(&key) {
                return Ok(v.clone());
            }
        }
    }
    let value = search_uncached(s, r)?;
    let text = value.to_string();
    let answer = Arc::new((value, text));
    if let Ok(mut c) = cache().lock() {
        if c.generation != generation || c.answers.len() >= CACHED_SEARCHES {
            c.answers.clear();
            c.generation = generation;
        }
        c.answers.insert(key, answer.clone());
    }
    Ok(answer)
}

fn search_uncached(s: &Store, r: &SearchRequest) -> Result<Value, ApiError> {
    let langs: Vec<&str> = match &r.filter.lang {
        Some(l) => vec![l.as_str()],
        None => QUERY_LANGS.to_vec(),
    };
    let groups = analyzer()?.query_terms(&r.query, &langs);
    let found = s.search(&groups, &r.filter, r.limit, r.offset)?;
    let ids =
        |f: &[FacetCount]| -> Vec<u32> { f.iter().filter_map(|c| c.value.parse().ok()).collect() };
    let titled = |f: &[FacetCount], stories: bool| -> Result<Vec<GroupHit>, ApiError> {
        let titles: HashMap<u32, String> = s.report_titles(&ids(f), stories)?.into_iter().collect();
        Ok(f.iter()
            .filter_map(|c| {
                let id: u32 = c.value.parse().ok()?;
                Some(GroupHit { id, hits: c.count, title: titles.get(&id).cloned() })
            })
            .collect())
    };
    let mut hits = Vec::with_capacity(found.hits.len());
    for h in &found.hits {
        let text = s.article_text(&h.id)?.map(|(text, _)| text).unwrap_or_default();
        let snippet = crate::snippet::snippet(analyzer()?, &text, h.lang.as_deref(), &groups);
        hits.push(SearchHit {
            id: h.id.as_str().to_string(),
            title: h.title.clone(),
            date: h.date.clone(),
            outlet: h.outlet.clone(),
            lang: h.lang.clone(),
            event: h.event,
            story: h.story,
            snippet,
        });
    }
    Ok(to_value(&SearchAnswer {
        query: r.query.clone(),
        total: found.total,
        hits,
        next: found.next.map(|n| n.to_string()),
        facets: Facets {
            lang: facets(&found.languages),
            outlet: facets(&found.outlets),
            entity: facets(&found.entities),
            month: facets(&found.months),
        },
        events: titled(&found.events, false)?,
        stories: titled(&found.stories, true)?,
    }))
}

/// `GET /api/search?q=...`: articles matching every word (stems and German compound parts),
/// with facets by language, outlet, entity and month, and the events and stories they fall in.
pub async fn search(State(pool): Shared, Query(q): Q) -> Result<Response, ApiError> {
    let request = search_request(&Params(q))?;
    pool.with(move |s| run_search(s, &request).map(|a| json_text(a.1.clone()))).await
}

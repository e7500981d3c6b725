//! The web UI: server-rendered pages with the CSS inline; no script, nothing from elsewhere.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::Arc;
use storyline_core::count;

use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use maud::{html, Markup, PreEscaped, DOCTYPE};
use serde_json::Value;
use storyline_narrate::render::{html_fragment, STYLE};
use storyline_narrate::StoryReport;

use crate::api::{
    article_parts, article_value, off_the_workers, run_search, search_request, story_report,
};
use crate::params::{id, Params};
use crate::{ApiError, Pool};

type Shared = State<Arc<Pool>>;
type Q = Query<HashMap<String, String>>;

/// A whole page around `body`: every value is escaped by the template unless it is marked
/// `PreEscaped` (the marked article text and the story fragment, escaped where they are built).
fn page(title: &str, query: &str, body: Markup) -> String {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · Storyline" }
                link rel="stylesheet" href="/style.css";
            }
            body {
                header.top {
                    a.brand href="/" { "Storyline" }
                    a href="/" { "Stories" }
                    form action="/search" method="get" role="search" {
                        input type="search" name="q" value=(query) placeholder="Search articles" aria-label="Search articles";
                        button type="submit" { "Search" }
                    }
                }
                main { (body) }
            }
        }
    }
    .into_string()
}

fn error_page(err: ApiError) -> Response {
    let body = html! {
        h1 { (err.status) }
        p { (err.message) }
        p { a href="/" { "Back to the stories" } }
    };
    (err.status, Html(page("Error", "", body))).into_response()
}

fn html(result: Result<String, ApiError>) -> Response {
    match result {
        Ok(body) => Html(body).into_response(),
        Err(err) => error_page(err),
    }
}

/// `GET /style.css`.
pub async fn style() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], STYLE).into_response()
}

/// `GET /`: the stories, most recent first.
pub async fn home(State(pool): Shared, Query(q): Q) -> Response {
    let p = Params(q);
    let result = async {
        p.only(&["limit", "cursor"])?;
        let (limit, cursor) = (p.limit()?, p.text("cursor"));
        let (list, articles) = pool
            .with(move |s| Ok((s.story_list(limit, cursor.as_deref())?, s.count()?)))
            .await?;
        let b = html! {
            h1 { "Stories" }
            p.meta { (count(articles, "article", "articles")) " in the store." }
            ul.stories {
                @if list.items.is_empty() {
                    li { "No stories yet: ingest articles with " code { "storyline ingest PATH" } "." }
                }
                @for s in &list.items {
                    li.story {
                        a href={ "/stories/" (s.story) } { (s.title) }
                        div.meta {
                            (count(s.events as u64, "event", "events")) " · "
                            (count(s.articles as u64, "article", "articles")) " · "
                            (s.first.as_deref().unwrap_or("unknown")) " – "
                            (s.last.as_deref().unwrap_or("unknown")) " · " (s.languages)
                        }
                    }
                }
            }
            @if let Some(next) = &list.next {
                p.pager { a rel="next" href={ "/?cursor=" (next) "&limit=" (limit) } { "Older stories" } }
            }
        };
        Ok(page("Stories", "", b))
    }
    .await;
    html(result)
}

/// `GET /stories/{id}`: the story page.
pub async fn story(State(pool): Shared, Path(raw): Path<String>, Query(q): Q) -> Response {
    let result = async {
        Params(q).only(&[])?;
        let story = id("story", &raw)?;
        let json = pool.with(move |s| story_report(s, story)).await?;
        let report: StoryReport = serde_json::from_str(&json)
            .map_err(|err| ApiError::internal(&format!("stored report is unreadable: {err}")))?;
        let b = html! {
            (PreEscaped(html_fragment(&report, "/articles/")))
            p.exports {
                "Export: "
                @for (format, _) in storyline_narrate::render::Format::ALL {
                    a href={ "/api/stories/" (story) "/export?format=" (format) } { (format) } " "
                }
            }
        };
        Ok(page(&report.title, "", b))
    }
    .await;
    html(result)
}

fn cite_range(p: &Params) -> Result<Option<(usize, usize)>, ApiError> {
    let Some(raw) = p.text("cite") else { return Ok(None) };
    let parsed = raw.split_once('-').and_then(|(a, b)| Some((a.parse().ok()?, b.parse().ok()?)));
    parsed
        .map(Some)
        .ok_or_else(|| ApiError::bad(format!("cite must be START-END byte offsets, not {raw:?}")))
}

fn text_of(v: &Value, key: &str) -> String {
    v[key].as_str().unwrap_or("unknown").to_string()
}

/// `GET /articles/{id}`: the clean text with what was found in it marked, and the decisions
/// normalisation took.
pub async fn article(State(pool): Shared, Path(key): Path<String>, Query(q): Q) -> Response {
    let p = Params(q);
    let result = async {
        p.only(&["cite"])?;
        let cite = cite_range(&p)?;
        let parts = pool.with(move |s| article_parts(s, &key)).await?;
        let v = article_value(&parts, false);
        let marked = off_the_workers(move || {
            storyline_narrate::highlighted_html(&parts.article.text, &parts.extraction, cite)
        })
        .await?;
        let date = match (v["date"]["iso"].as_str(), v["not_before"].as_str()) {
            (Some(d), _) => d.to_string(),
            (None, Some(b)) => format!("undated, not before {b}"),
            (None, None) => "date unknown".to_string(),
        };
        let b = html! {
            h1 #article-title { (text_of(&v, "title")) }
            p.meta {
                (v["outlet"].as_str().unwrap_or("outlet unknown")) " · "
                (v["lang"].as_str().unwrap_or("language unknown")) " · "
                (date) " · " code { (text_of(&v, "id")) }
                @if let Some(author) = v["author"].as_str() {
                    " · " span #article-author { "by " (author) }
                }
                @if let Some(story) = v["story"].as_u64() {
                    " · " a href={ "/stories/" (story) "#event-" (v["event"]) } { "story " (story) ", event " (v["event"]) }
                }
                @if let Some(of) = v["copy_of"].as_str() {
                    " · " (v["copy_kind"].as_str().unwrap_or("near")) " copy of "
                    a href={ "/articles/" (of) } { (of.get(..12).unwrap_or(of)) }
                }
            }
            p.legend {
                span class="entity e-PER" { "person" }
                span class="entity e-LOC" { "place" }
                span class="entity e-ORG" { "organisation" }
                span.quote { "quote" }
                span.time { "date or time" }
                span.figure { "figure" }
            }
            // Escaped where it is built: every piece of text between the marks.
            div.text #article-text { (PreEscaped(marked)) }
            h2 { "Normalisation decisions" }
            table #decisions {
                thead { tr { th { "Field" } th { "Value" } th { "Why" } } }
                tbody {
                    @for d in v["decisions"].as_array().into_iter().flatten() {
                        tr { td { (text_of(d, "field")) } td { (text_of(d, "value")) } td { (text_of(d, "reason")) } }
                    }
                }
            }
            h2 { "Source" }
            p { code { (v["source"]["path"].as_str().unwrap_or("")) } " (" (v["source"]["format"].as_str().unwrap_or("")) ")" }
        };
        Ok(page(&text_of(&v, "title"), "", b))
    }
    .await;
    html(result)
}

fn facet_links(name: &str, label: &str, v: &Value, base: &str) -> Markup {
    html! {
        div {
            h3 { (label) }
            ul {
                @for f in v.as_array().into_iter().flatten() {
                    @let value = f["value"].as_str().unwrap_or("");
                    @let filter = if name == "month" {
                        format!("from={value}-01&to={value}-31")
                    } else {
                        format!("{name}={}", encode(value))
                    };
                    li { a href={ (base) "&" (filter) } { (f["label"].as_str().unwrap_or(value)) } " " (f["count"]) }
                }
            }
        }
    }
}

/// Percent-encodes a query value.
fn encode(value: &str) -> String {
    let mut out = String::new();
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(byte as char);
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

/// A hit's snippet as a paragraph, its matching words in `<mark>`.
fn snippet_html(v: &Value) -> Markup {
    let Some(text) = v["text"].as_str() else { return html! {} };
    // The text between marks, and each mark, in order; marks out of order or off character
    // boundaries are passed over.
    let mut pieces: Vec<(&str, bool)> = Vec::new();
    let mut at = 0;
    for m in v["marks"].as_array().into_iter().flatten() {
        let (Some(s), Some(t)) = (m[0].as_u64(), m[1].as_u64()) else { continue };
        let (s, t) = (s as usize, t as usize);
        if s < at || t > text.len() || !text.is_char_boundary(s) || !text.is_char_boundary(t) {
            continue;
        }
        pieces.push((&text[at..s], false));
        pieces.push((&text[s..t], true));
        at = t;
    }
    pieces.push((&text[at..], false));
    html! {
        p.snippet {
            @for (piece, marked) in pieces {
                @if marked { mark { (piece) } } @else { (piece) }
            }
        }
    }
}

/// `GET /search?q=...`: hits with facets, and the events and stories they fall in.
pub async fn search(State(pool): Shared, Query(q): Q) -> Response {
    let p = Params(q);
    let query = p.text("q").unwrap_or_default();
    let result = async {
        if query.is_empty() {
            p.only(&["q"])?;
            return Ok(page(
                "Search",
                "",
                html! { h1 { "Search" } p { "Type words to find in the box above." } },
            ));
        }
        let request = search_request(&p)?;
        let params: Vec<String> =
            p.0.iter()
                .filter(|(k, _)| *k != "cursor")
                .map(|(k, v)| format!("{k}={}", encode(v)))
                .collect();
        let base = format!("/search?{}", params.join("&"));
        let answer = pool.with(move |s| run_search(s, &request)).await?;
        let v = &answer.0;
        let hits = match v["total"].as_u64() {
            Some(1) => "1 article matches.".to_owned(),
            Some(n) => format!("{n} articles match."),
            None => format!("{} articles match.", v["total"]),
        };
        let b = html! {
            h1 { "Search: " (query) }
            p.meta #hit-count { (hits) }
            div.facets {
                @for (name, label) in [("lang", "Language"), ("outlet", "Outlet"), ("entity", "Entity"), ("month", "Month")] {
                    (facet_links(name, label, &v["facets"][name], &base))
                }
            }
            h2 { "Stories" }
            ul {
                @for s in v["stories"].as_array().into_iter().flatten() {
                    li { a href={ "/stories/" (s["id"]) } { (s["title"].as_str().unwrap_or("(not narrated)")) } " · " (s["hits"]) " hits" }
                }
            }
            h2 { "Articles" }
            ol.hits {
                @for h in v["hits"].as_array().into_iter().flatten() {
                    li {
                        a href={ "/articles/" (text_of(h, "id")) } { (text_of(h, "title")) } " "
                        span.meta {
                            (h["outlet"].as_str().unwrap_or("outlet unknown")) " · "
                            (h["lang"].as_str().unwrap_or("?")) " · "
                            (h["date"].as_str().unwrap_or("date unknown"))
                        }
                        (snippet_html(&h["snippet"]))
                    }
                }
            }
            @if let Some(next) = v["next"].as_str() {
                p.pager { a rel="next" href={ (base) "&cursor=" (next) } { "More" } }
            }
        };
        Ok(page(&format!("Search: {query}"), &query, b))
    }
    .await;
    html(result)
}

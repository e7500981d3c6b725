//! The web UI: server-rendered pages with the CSS inline; no script, nothing from elsewhere.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::Arc;
use storyline_core::count;

use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use serde_json::Value;
use storyline_narrate::render::{escape_html as e, html_fragment, STYLE};
use storyline_narrate::StoryReport;

use crate::api::{
    article_parts, article_value, off_the_workers, run_search, search_request, story_report,
};
use crate::params::{id, Params};
use crate::{ApiError, Pool};

type Shared = State<Arc<Pool>>;
type Q = Query<HashMap<String, String>>;

fn page(title: &str, query: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{} · Storyline</title><link rel=\"stylesheet\" href=\"/style.css\"></head><body><header class=\"top\"><a class=\"brand\" href=\"/\">Storyline</a><a href=\"/\">Stories</a><form action=\"/search\" method=\"get\" role=\"search\"><input type=\"search\" name=\"q\" value=\"{}\" placeholder=\"Search articles\" aria-label=\"Search articles\"><button type=\"submit\">Search</button></form></header><main>{}</main></body></html>",
        e(title),
        e(query),
        body
    )
}

fn error_page(err: ApiError) -> Response {
    let body = format!(
        "<h1>{}</h1><p>{}</p><p><a href=\"/\">Back to the stories</a></p>",
        err.status,
        e(&err.message)
    );
    (err.status, Html(page("Error", "", &body))).into_response()
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
        let mut b = String::new();
        let _ = write!(
            b,
            "<h1>Stories</h1><p class=\"meta\">{} in the store.</p><ul class=\"stories\">",
            count(articles, "article", "articles")
        );
        if list.items.is_empty() {
            b.push_str("<li>No stories yet: ingest articles with <code>storyline ingest PATH</code>.</li>");
        }
        for s in &list.items {
            let _ = write!(
                b,
                "<li class=\"story\"><a href=\"/stories/{}\">{}</a><div class=\"meta\">{} · {} · {} – {} · {}</div></li>",
                s.story,
                e(&s.title),
                count(s.events as u64, "event", "events"),
                count(s.articles as u64, "article", "articles"),
                e(s.first.as_deref().unwrap_or("unknown")),
                e(s.last.as_deref().unwrap_or("unknown")),
                e(&s.languages)
            );
        }
        b.push_str("</ul>");
        if let Some(next) = &list.next {
            let _ = write!(b, "<p class=\"pager\"><a rel=\"next\" href=\"/?cursor={}&amp;limit={limit}\">Older stories</a></p>", e(next));
        }
        Ok(page("Stories", "", &b))
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
        let mut b = html_fragment(&report, "/articles/");
        b.push_str("<p class=\"exports\">Export: ");
        for (format, _) in storyline_narrate::render::Format::ALL {
            let _ =
                write!(b, "<a href=\"/api/stories/{story}/export?format={format}\">{format}</a> ");
        }
        b.push_str("</p>");
        Ok(page(&report.title, "", &b))
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
        let mut b = String::new();
        let _ = write!(
            b,
            "<h1 id=\"article-title\">{}</h1><p class=\"meta\">{} · {} · {} · <code>{}</code>",
            e(&text_of(&v, "title")),
            e(v["outlet"].as_str().unwrap_or("outlet unknown")),
            e(v["lang"].as_str().unwrap_or("language unknown")),
            e(&match (v["date"]["iso"].as_str(), v["not_before"].as_str()) {
                (Some(d), _) => d.to_string(),
                (None, Some(b)) => format!("undated, not before {b}"),
                (None, None) => "date unknown".to_string(),
            }),
            e(&text_of(&v, "id"))
        );
        if let Some(author) = v["author"].as_str() {
            let _ = write!(b, " · <span id=\"article-author\">by {}</span>", e(author));
        }
        if let Some(story) = v["story"].as_u64() {
            let _ = write!(b, " · <a href=\"/stories/{story}#event-{}\">story {story}, event {}</a>", v["event"], v["event"]);
        }
        if let Some(of) = v["copy_of"].as_str() {
            let _ = write!(b, " · {} copy of <a href=\"/articles/{}\">{}</a>", e(v["copy_kind"].as_str().unwrap_or("near")), e(of), e(of.get(..12).unwrap_or(of)));
        }
        b.push_str("</p><p class=\"legend\"><span class=\"entity e-PER\">person</span><span class=\"entity e-LOC\">place</span><span class=\"entity e-ORG\">organisation</span><span class=\"quote\">quote</span><span class=\"time\">date or time</span><span class=\"figure\">figure</span></p>");
        let marked = off_the_workers(move || {
            storyline_narrate::highlighted_html(&parts.article.text, &parts.extraction, cite)
        })
        .await?;
        let _ = write!(b, "<div class=\"text\" id=\"article-text\">{marked}</div>");
        b.push_str("<h2>Normalisation decisions</h2><table id=\"decisions\"><thead><tr><th>Field</th><th>Value</th><th>Why</th></tr></thead><tbody>");
        for d in v["decisions"].as_array().into_iter().flatten() {
            let _ = write!(b, "<tr><td>{}</td><td>{}</td><td>{}</td></tr>", e(&text_of(d, "field")), e(&text_of(d, "value")), e(&text_of(d, "reason")));
        }
        b.push_str("</tbody></table>");
        let _ = write!(b, "<h2>Source</h2><p><code>{}</code> ({})</p>", e(v["source"]["path"].as_str().unwrap_or("")), e(v["source"]["format"].as_str().unwrap_or("")));
        Ok(page(&text_of(&v, "title"), "", &b))
    }
    .await;
    html(result)
}

fn facet_links(b: &mut String, name: &str, label: &str, v: &Value, base: &str) {
    let _ = write!(b, "<div><h3>{label}</h3><ul>");
    for f in v.as_array().into_iter().flatten() {
        let value = f["value"].as_str().unwrap_or("");
        let filter = if name == "month" {
            format!("from={value}-01&amp;to={value}-31")
        } else {
            format!("{name}={}", e(&encode(value)))
        };
        let _ = write!(
            b,
            "<li><a href=\"{base}&amp;{filter}\">{}</a> {}</li>",
            e(f["label"].as_str().unwrap_or(value)),
            f["count"]
        );
    }
    b.push_str("</ul></div>");
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
fn snippet_html(v: &Value) -> String {
    let Some(text) = v["text"].as_str() else { return String::new() };
    let mut out = String::from("<p class=\"snippet\">");
    let mut at = 0;
    for m in v["marks"].as_array().into_iter().flatten() {
        let (Some(s), Some(t)) = (m[0].as_u64(), m[1].as_u64()) else { continue };
        let (s, t) = (s as usize, t as usize);
        if s < at || t > text.len() || !text.is_char_boundary(s) || !text.is_char_boundary(t) {
            continue;
        }
        out.push_str(&e(&text[at..s]));
        let _ = write!(out, "<mark>{}</mark>", e(&text[s..t]));
        at = t;
    }
    out.push_str(&e(&text[at..]));
    out.push_str("</p>");
    out
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
                "<h1>Search</h1><p>Type words to find in the box above.</p>",
            ));
        }
        let request = search_request(&p)?;
        let params: Vec<String> =
            p.0.iter()
                .filter(|(k, _)| *k != "cursor")
                .map(|(k, v)| format!("{k}={}", encode(v)))
                .collect();
        let base = format!("/search?{}", e(&params.join("&")));
        let answer = pool.with(move |s| run_search(s, &request)).await?;
        let v = &answer.0;
        let mut b = String::new();
        let _ = write!(
            b,
            "<h1>Search: {}</h1><p class=\"meta\" id=\"hit-count\">{}</p>",
            e(&query),
            match v["total"].as_u64() {
                Some(1) => "1 article matches.".to_owned(),
                Some(n) => format!("{n} articles match."),
                None => format!("{} articles match.", v["total"]),
            }
        );
        b.push_str("<div class=\"facets\">");
        for (name, label) in
            [("lang", "Language"), ("outlet", "Outlet"), ("entity", "Entity"), ("month", "Month")]
        {
            facet_links(&mut b, name, label, &v["facets"][name], &base);
        }
        b.push_str("</div><h2>Stories</h2><ul>");
        for s in v["stories"].as_array().into_iter().flatten() {
            let _ = write!(
                b,
                "<li><a href=\"/stories/{}\">{}</a> · {} hits</li>",
                s["id"],
                e(s["title"].as_str().unwrap_or("(not narrated)")),
                s["hits"]
            );
        }
        b.push_str("</ul><h2>Articles</h2><ol class=\"hits\">");
        for h in v["hits"].as_array().into_iter().flatten() {
            let _ = write!(
                b,
                "<li><a href=\"/articles/{}\">{}</a> <span class=\"meta\">{} · {} · {}</span>{}</li>",
                e(&text_of(h, "id")),
                e(&text_of(h, "title")),
                e(h["outlet"].as_str().unwrap_or("outlet unknown")),
                e(h["lang"].as_str().unwrap_or("?")),
                e(h["date"].as_str().unwrap_or("date unknown")),
                snippet_html(&h["snippet"])
            );
        }
        b.push_str("</ol>");
        if let Some(next) = v["next"].as_str() {
            let _ = write!(
                b,
                "<p class=\"pager\"><a rel=\"next\" href=\"{base}&amp;cursor={}\">More</a></p>",
                e(next)
            );
        }
        Ok(page(&format!("Search: {query}"), &query, &b))
    }
    .await;
    html(result)
}

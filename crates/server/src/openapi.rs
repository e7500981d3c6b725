//! The OpenAPI 3.1 description of the API, served at `/api/openapi.json`.

use axum::Json;
use serde_json::{json, Value};

fn param(name: &str, place: &str, description: &str, schema: Value, required: bool) -> Value {
    json!({ "name": name, "in": place, "description": description, "required": required, "schema": schema })
}

fn paging() -> Vec<Value> {
    vec![
        param(
            "limit",
            "query",
            "Items a page, 1 to 100 (default 20).",
            json!({"type": "integer", "minimum": 1, "maximum": 100}),
            false,
        ),
        param(
            "cursor",
            "query",
            "The `next` value of the previous page.",
            json!({"type": "string"}),
            false,
        ),
    ]
}

fn id_param(what: &str) -> Value {
    param("id", "path", &format!("The {what} id."), json!({"type": "integer", "minimum": 0}), true)
}

fn answers(ok: &str, media: &str) -> Value {
    let error =
        json!({ "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } });
    json!({
        "200": { "description": ok, "content": { media: { "schema": {} } } },
        "400": { "description": "A parameter is wrong; the message names it.", "content": error.clone() },
        "404": { "description": "No such id.", "content": error },
    })
}

fn op(summary: &str, parameters: Vec<Value>, ok: &str, media: &str) -> Value {
    json!({ "get": { "summary": summary, "parameters": parameters, "responses": answers(ok, media) } })
}

/// The document.
pub fn spec() -> Value {
    let mut search = vec![
        param(
            "q",
            "query",
            "Words to find; every word must match (stems, German compound parts).",
            json!({"type": "string"}),
            true,
        ),
        param(
            "lang",
            "query",
            "Only articles in this language (ISO 639-1).",
            json!({"type": "string"}),
            false,
        ),
        param("outlet", "query", "Only articles of this outlet.", json!({"type": "string"}), false),
        param(
            "entity",
            "query",
            "Only articles naming this entity (its key).",
            json!({"type": "string"}),
            false,
        ),
        param(
            "from",
            "query",
            "Published on or after this day.",
            json!({"type": "string", "format": "date"}),
            false,
        ),
        param(
            "to",
            "query",
            "Published on or before this day.",
            json!({"type": "string", "format": "date"}),
            false,
        ),
    ];
    search.extend(paging());
    let formats = json!({"type": "string", "enum": ["json", "jsonl", "csv", "md", "html"]});
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Storyline API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Stories, events and articles of a Storyline data directory, their reports, and full-text search. Read-only. Errors are JSON objects with an `error` message.",
        },
        "paths": {
            "/api/health": op("The store answers; how many articles it holds.", vec![], "Status.", "application/json"),
            "/api/stories": op("Narrated stories, most recent first.", paging(), "A page of stories and the next cursor.", "application/json"),
            "/api/stories/{id}": op("A story's report: events, timeline, summary, quotes, figures ledger, coverage, copies.", vec![id_param("story")], "The report.", "application/json"),
            "/api/stories/{id}/export": op("A story's report as a file.", vec![id_param("story"), param("format", "query", "json (default), jsonl, csv, md or html.", formats, false)], "The file.", "text/plain"),
            "/api/stories/{id}/articles": op("Every article of a story, in ingest order (the report lists the first 100 of each event).", [vec![id_param("story")], paging()].concat(), "A page of articles and the next cursor.", "application/json"),
            "/api/quotes": op("Quotes with their speakers, all or one speaker's in any spelling of the name.", [vec![param("speaker", "query", "A name in any spelling (\"Kim Jong-un\", \"Peskow\").", json!({"type": "string"}), false)], paging()].concat(), "A page of quotes and the next cursor.", "application/json"),
            "/api/figures": op("The figures articles report: amount, unit or what is counted, approximation, who claims it.", paging(), "A page of figures and the next cursor.", "application/json"),
            "/api/events/{id}": op("An event's report.", vec![id_param("event")], "The report.", "application/json"),
            "/api/articles": op("Stored articles in ingest order.", paging(), "A page of articles and the next cursor.", "application/json"),
            "/api/articles/{id}": op("An article: clean text, normalisation decisions, event, story, entities, quotes, times and figures with byte offsets.", vec![param("id", "path", "Article id, a unique prefix of it, or the source's own id.", json!({"type": "string"}), true)], "The article.", "application/json"),
            "/api/search": op("Full-text search over articles with facets, and the events and stories hit.", search, "Hits, facets, events and stories.", "application/json"),
            "/api/openapi.json": op("This document.", vec![], "OpenAPI 3.1.", "application/json"),
        },
        "components": {
            "schemas": {
                "Error": { "type": "object", "required": ["error"], "properties": { "error": { "type": "string" } } }
            }
        }
    })
}

/// `GET /api/openapi.json`.
pub async fn document() -> Json<Value> {
    Json(spec())
}

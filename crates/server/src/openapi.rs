//! The OpenAPI 3.1 description of the API, served at `/api/openapi.json`. Every JSON answer's
//! schema is generated from the type the handler serialises ([`crate::contract`],
//! [`storyline_narrate::contract`], the report types), so the document cannot drift from the
//! answers; a test validates every answer the API tests receive against it.

use axum::Json;
use serde_json::{json, Value};
use storyline_narrate::contract::{
    ArticleDetail, ArticleItem, FigureItem, Page, QuoteItem, StoryItem,
};
use storyline_narrate::{EventReport, StoryReport};

use crate::contract::{ErrorBody, Health, SearchAnswer};

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

/// The schemas of the answers, generated from their types: `#/components/schemas/NAME`.
struct Schemas {
    generator: schemars::SchemaGenerator,
}

impl Schemas {
    fn new() -> Schemas {
        let settings = schemars::generate::SchemaSettings::draft2020_12().with(|s| {
            s.definitions_path = "/components/schemas".into();
        });
        Schemas { generator: settings.into_generator() }
    }

    /// A reference to `T`'s schema, adding it (and what it uses) to the components.
    fn of<T: schemars::JsonSchema>(&mut self) -> Value {
        self.generator.subschema_for::<T>().to_value()
    }

    fn components(mut self) -> Value {
        let error = self.of::<ErrorBody>();
        let mut defs = serde_json::Map::new();
        for (name, schema) in self.generator.take_definitions(true) {
            defs.insert(name, schema);
        }
        json!({ "schemas": defs, "error": error })
    }
}

fn answers(ok: &str, media: &str, schema: Value, error: &Value) -> Value {
    answers_in(ok, json!({ media: { "schema": schema } }), error)
}

fn answers_in(ok: &str, content: Value, error: &Value) -> Value {
    let error = json!({ "application/json": { "schema": error } });
    json!({
        "200": { "description": ok, "content": content },
        "400": { "description": "A parameter is wrong; the message names it (code `bad_request`).", "content": error.clone() },
        "403": { "description": "The Host header names a host that is not allowed (code `forbidden_host`).", "content": error.clone() },
        "404": { "description": "No such id (code `not_found`).", "content": error.clone() },
        "500": { "description": "Storyline failed; the server's log says why (code `internal`).", "content": error },
    })
}

fn op(
    summary: &str,
    parameters: Vec<Value>,
    ok: &str,
    media: &str,
    schema: Value,
    error: &Value,
) -> Value {
    json!({ "get": { "summary": summary, "parameters": parameters, "responses": answers(ok, media, schema, error) } })
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
    let mut t = Schemas::new();
    let j = "application/json";
    let health = t.of::<Health>();
    let stories = t.of::<Page<StoryItem>>();
    let story = t.of::<StoryReport>();
    let articles = t.of::<Page<ArticleItem>>();
    let quotes = t.of::<Page<QuoteItem>>();
    let figures = t.of::<Page<FigureItem>>();
    let event = t.of::<EventReport>();
    let article = t.of::<ArticleDetail>();
    let found = t.of::<SearchAnswer>();
    let components = t.components();
    let e = &components["error"];
    let file = json!({"type": "string"});
    let speaker = param(
        "speaker",
        "query",
        "A name in any spelling (\"Kim Jong-un\", \"Peskow\").",
        json!({"type": "string"}),
        false,
    );
    let format =
        param("format", "query", "json (default), jsonl, csv, md or html.", formats, false);
    let article_id = param(
        "id",
        "path",
        "Article id, a unique prefix of it, or the source's own id.",
        json!({"type": "string"}),
        true,
    );
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Storyline API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Stories, events and articles of a Storyline data directory, their reports, and full-text search. Read-only. Every error is `{\"error\": {\"code\", \"message\"}}` with a stable code. Field names are those of the CLI's `--json` and the exports.",
        },
        "paths": {
            "/api/health": op("The store answers; how many articles it holds.", vec![], "Status.", j, health, e),
            "/api/stories": op("Narrated stories, most recent first.", paging(), "A page of stories and the next cursor.", j, stories, e),
            "/api/stories/{id}": op("A story's report: events, timeline, summary, quotes, figures ledger, coverage, copies.", vec![id_param("story")], "The report.", j, story.clone(), e),
            "/api/stories/{id}/export": { "get": {
                "summary": "A story's report as a file; the media type follows the format.",
                "parameters": [id_param("story"), format],
                "responses": answers_in("The file.", json!({
                    "application/json": { "schema": story.clone() },
                    "application/x-ndjson": { "schema": file },
                    "text/csv": { "schema": file },
                    "text/markdown": { "schema": file },
                    "text/html": { "schema": file },
                }), e),
            }},
            "/api/stories/{id}/articles": op("Every article of a story, in ingest order (the report lists the first 100 of each event).", [vec![id_param("story")], paging()].concat(), "A page of articles and the next cursor.", j, articles.clone(), e),
            "/api/quotes": op("Quotes with their speakers, all or one speaker's in any spelling of the name.", [vec![speaker], paging()].concat(), "A page of quotes and the next cursor.", j, quotes, e),
            "/api/figures": op("The figures articles report: amount, unit or what is counted, approximation, who claims it.", paging(), "A page of figures and the next cursor.", j, figures, e),
            "/api/events/{id}": op("An event's report.", vec![id_param("event")], "The report.", j, event, e),
            "/api/articles": op("Stored articles in ingest order.", paging(), "A page of articles and the next cursor.", j, articles, e),
            "/api/articles/{id}": op("An article: clean text, normalisation decisions, event, story, entities, quotes, times and figures with byte offsets.", vec![article_id], "The article.", j, article, e),
            "/api/search": op("Full-text search over articles with facets, and the events and stories hit.", search, "Hits, facets, events and stories.", j, found, e),
            "/api/openapi.json": op("This document.", vec![], "OpenAPI 3.1.", j, json!({"type": "object"}), e),
        },
        "components": { "schemas": components["schemas"] },
    })
}

/// `GET /api/openapi.json`.
pub async fn document() -> Json<Value> {
    Json(spec())
}

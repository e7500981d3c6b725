//! One typed contract (issue 17, part 2): the CLI's `--json`, the REST API and the JSON export
//! give each fact with the same field names. The seeds are ingested with the CLI and served by
//! the API from the same data directory; every list and detail is compared field by field, down
//! to the quotes, figures and entities inside an article.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use serde_json::Value;
use storyline_server::client::Connection;

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../resources/sample");

fn cli(data: &Path, args: &[&str]) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_storyline"))
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{args:?}: {e}"))
}

/// The field names of an object, and of the first element of each array-of-objects field, as
/// `field` and `field.inner`: what a client reading the JSON depends on.
fn fields(v: &Value) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    if let Value::Object(m) = v {
        for (k, x) in m {
            out.insert(k.clone());
            let inner = match x {
                Value::Array(a) => a.first(),
                Value::Object(_) => Some(x),
                _ => None,
            };
            if let Some(i @ Value::Object(_)) = inner {
                out.extend(fields(i).into_iter().map(|f| format!("{k}.{f}")));
            }
        }
    }
    out
}

fn first(v: &Value) -> &Value {
    v.as_array().and_then(|a| a.first()).unwrap_or_else(|| panic!("an empty list: {v}"))
}

#[test]
fn the_cli_the_api_and_the_export_name_every_field_alike() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    cli(&data, &["ingest", SAMPLE, "--no-embeddings", "--json"]);
    let quotes = cli(&data, &["quotes", "--json"]);
    let figures = cli(&data, &["figures", "--json"]);
    let articles = cli(&data, &["articles", "list", "--json"]);
    // An article with figures and quotes, so that their fields are compared too.
    let id = first(&figures)["article"].as_str().unwrap().to_string();
    let article = cli(&data, &["articles", "show", &id, "--json"]);
    let story = article["story"].as_u64().unwrap().to_string();
    let export = cli(&data, &["export", &story, "--format", "json"]);
    let stories = cli(&data, &["stories", "--json"]);

    let rt =
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let api = rt.block_on(async {
        let pool = Arc::new(storyline_server::Pool::open(&data, 2).unwrap());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let options = storyline_server::ServeOptions::default();
        tokio::spawn(
            async move { storyline_server::serve_listener(listener, pool, &options).await },
        );
        let mut c = Connection::open(&addr).await.unwrap();
        let mut get = Vec::new();
        for path in [
            "/api/quotes".to_string(),
            "/api/figures".to_string(),
            "/api/articles".to_string(),
            format!("/api/articles/{id}"),
            format!("/api/stories/{story}"),
            format!("/api/stories/{story}/export?format=json"),
            "/api/stories".to_string(),
        ] {
            let a = c.get(&path).await.unwrap();
            assert_eq!(a.status, 200, "{path}: {}", a.body);
            get.push(a.json());
        }
        get
    });

    for (what, from_cli, from_api) in [
        ("a quote", first(&quotes), first(&api[0]["items"])),
        ("a figure", first(&figures), first(&api[1]["items"])),
        ("an article in a list", first(&articles), first(&api[2]["items"])),
        ("an article", &article, &api[3]),
        ("a story's report (CLI export, API report)", &export, &api[4]),
        ("a story's report (CLI export, API export)", &export, &api[5]),
        ("a story in a list", first(&stories), first(&api[6]["items"])),
    ] {
        assert_eq!(fields(from_cli), fields(from_api), "{what}: the CLI and the API differ");
    }
    // The same article is the same object, but for the extraction's order of fields.
    assert_eq!(article, api[3], "the article differs between `articles show --json` and the API");
    assert_eq!(export, api[5], "the JSON export differs between the CLI and the API");
    // A story in a list: the same types too (the CLI used to give event ids and a string of
    // languages where the API gives a count and a list).
    let (c, a) = (first(&stories), first(&api[6]["items"]));
    assert!(c["events"].is_u64() && a["events"].is_u64(), "{c} {a}");
    assert!(c["languages"].is_array() && a["languages"].is_array(), "{c} {a}");
    // The fields the contract settled on, where the interfaces used to differ.
    assert!(
        first(&quotes).get("speaker_name").is_some() && first(&quotes).get("speaker").is_none()
    );
    assert!(first(&figures).get("claimed_by").is_some() && first(&figures).get("source").is_none());
    let in_article = fields(&article);
    assert!(in_article.contains("figures.claimed_by"), "{in_article:?}");
    assert!(in_article.contains("quotes.speaker_name"), "{in_article:?}");
}

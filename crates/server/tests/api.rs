//! Every endpoint of the API against the seeds ingested into a fresh store, on a real socket:
//! answers, cursor paging, bad parameters (400 with a message) and unknown ids (404).

use std::sync::Arc;

use storyline_engine::{Engine, IngestOptions, Input};
use storyline_server::client::{Answer, Connection};
use storyline_server::{router, Pool};

struct Server {
    addr: String,
    _dir: tempfile::TempDir,
}

async fn start() -> Server {
    let dir = tempfile::tempdir().unwrap();
    let location = storyline_store::Location::Dir(dir.path().to_owned());
    let addr = start_on(&location).await;
    Server { addr, _dir: dir }
}

/// Ingests the seeds into the store at `location` and serves it; the address. The store is
/// opened on a blocking thread: PostgreSQL's client blocks.
async fn start_on(location: &storyline_store::Location) -> String {
    let location = location.clone();
    let pool = tokio::task::spawn_blocking(move || {
        ingest_seeds(&location);
        Arc::new(Pool::open_at(&location, 2).unwrap())
    })
    .await
    .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    tokio::spawn(async move { axum::serve(listener, router(pool)).await.unwrap() });
    addr
}

fn ingest_seeds(location: &storyline_store::Location) {
    let seeds = concat!(env!("CARGO_MANIFEST_DIR"), "/../../resources/sample");
    let mut engine = Engine::open_at(location).unwrap();
    engine.ingest(&[Input::from_arg(seeds)], &IngestOptions::default(), &mut |_| {}).unwrap();
    engine.extract(|_| {}).unwrap();
    let model = storyline_engine::Model::builtin().unwrap();
    engine.cluster(&model, None, &mut |_| {}).unwrap();
    engine.finish().unwrap();
}

/// Issue 18: a server on a PostgreSQL store answers every endpoint as one on the embedded
/// store does, for the same articles: the same JSON, byte for byte (search hits are the same
/// set; their order follows each database's ranking, so it is compared sorted). Runs where
/// `STORYLINE_TEST_POSTGRES` names a server (CI requires it).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postgres_store_answers_as_the_embedded_one() {
    // PostgreSQL's client blocks: the test database is made and dropped on a blocking thread.
    let Some(pg) = tokio::task::spawn_blocking(storyline_store::testing::postgres).await.unwrap()
    else {
        return;
    };
    let lite = start().await;
    let post = start_on(&pg.location).await;
    let (mut a, mut b) =
        (Connection::open(&lite.addr).await.unwrap(), Connection::open(&post).await.unwrap());
    let stories = get(&mut a, "/api/stories").await.json();
    let story = stories["items"][0]["id"].as_u64().unwrap();
    let article =
        get(&mut a, "/api/articles").await.json()["items"][0]["id"].as_str().unwrap().to_owned();
    for path in [
        "/api/stories".to_owned(),
        format!("/api/stories/{story}"),
        format!("/api/stories/{story}/articles"),
        format!("/api/stories/{story}/export?format=md"),
        "/api/quotes".to_owned(),
        "/api/quotes?speaker=putin".to_owned(),
        "/api/figures".to_owned(),
        "/api/events/0".to_owned(),
        "/api/events/1".to_owned(),
        "/api/articles".to_owned(),
        "/api/articles?limit=2".to_owned(),
        format!("/api/articles/{article}"),
        "/".to_owned(),
        format!("/stories/{story}"),
    ] {
        let (x, y) = (get(&mut a, &path).await, get(&mut b, &path).await);
        assert_eq!((y.status, &y.body), (x.status, &x.body), "{path}");
    }
    for q in ["Munition", "Kim", "Putin&lang=de"] {
        let path = format!("/api/search?q={q}");
        let (mut x, mut y) = (get(&mut a, &path).await.json(), get(&mut b, &path).await.json());
        assert!(x["total"].as_u64().unwrap() > 0, "{path}");
        for v in [&mut x, &mut y] {
            let hits = v["hits"].as_array_mut().unwrap();
            hits.sort_by_key(|h| h["id"].as_str().unwrap().to_owned());
        }
        assert_eq!(y, x, "{path}");
    }
    tokio::task::spawn_blocking(move || drop(pg)).await.unwrap();
}

async fn get(c: &mut Connection, path: &str) -> Answer {
    let answer = c.get(path).await.unwrap_or_else(|e| panic!("GET {path}: {e}"));
    conforms(path, &answer);
    answer
}

/// The OpenAPI route a request path falls under.
fn route_of(path: &str) -> Option<&'static str> {
    let path = path.split('?').next().unwrap_or_default();
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    Some(match parts.as_slice() {
        ["api", "health"] => "/api/health",
        ["api", "stories"] => "/api/stories",
        ["api", "stories", _] => "/api/stories/{id}",
        ["api", "stories", _, "export"] => "/api/stories/{id}/export",
        ["api", "stories", _, "articles"] => "/api/stories/{id}/articles",
        ["api", "quotes"] => "/api/quotes",
        ["api", "figures"] => "/api/figures",
        ["api", "events", _] => "/api/events/{id}",
        ["api", "articles"] => "/api/articles",
        ["api", "articles", _] => "/api/articles/{id}",
        ["api", "search"] => "/api/search",
        ["api", "openapi.json"] => "/api/openapi.json",
        _ => return None,
    })
}

/// Issue 17, part 2: every JSON answer of the API tests validates against the schema the
/// OpenAPI document gives for its route and status; an error answer anywhere, against the
/// error schema.
fn conforms(path: &str, a: &Answer) {
    if !path.starts_with("/api/")
        || !a.content_type.as_deref().is_some_and(|t| t.starts_with("application/json"))
    {
        return;
    }
    let spec = storyline_server::openapi_document();
    let status = a.status.to_string();
    let responses = match route_of(path) {
        Some(route) => &spec["paths"][route]["get"]["responses"],
        None => &spec["paths"]["/api/health"]["get"]["responses"],
    };
    let schema = &responses[status.as_str()]["content"]["application/json"]["schema"];
    assert!(!schema.is_null(), "the OpenAPI document has no schema for {path} answering {status}");
    let mut root = schema.clone();
    root["components"] = spec["components"].clone();
    let validator = jsonschema::draft202012::new(&root)
        .unwrap_or_else(|e| panic!("the schema for {path} {status} is not valid: {e}"));
    let instance = a.json();
    let errors: Vec<String> = validator
        .iter_errors(&instance)
        .take(5)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(errors.is_empty(), "GET {path} ({status}) does not match its schema: {errors:?}");
}

fn error_of(a: &Answer) -> String {
    a.json()["error"]["message"]
        .as_str()
        .unwrap_or_else(|| panic!("no error message in {:?}", a.body))
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_endpoint_answers_and_refuses_what_it_should() {
    let server = start().await;
    let mut c = Connection::open(&server.addr).await.unwrap();

    let health = get(&mut c, "/api/health").await;
    assert_eq!((health.status, health.json()["articles"].as_u64()), (200, Some(5)));

    let spec = get(&mut c, "/api/openapi.json").await.json();
    assert_eq!(spec["openapi"], "3.1.0");
    for path in [
        "/api/stories",
        "/api/stories/{id}",
        "/api/stories/{id}/export",
        "/api/stories/{id}/articles",
        "/api/quotes",
        "/api/figures",
        "/api/events/{id}",
        "/api/articles",
        "/api/articles/{id}",
        "/api/search",
    ] {
        assert!(spec["paths"][path].is_object(), "{path} is described");
    }

    // Stories: the seeds are one story of two events.
    let stories = get(&mut c, "/api/stories").await.json();
    let items = stories["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["events"], 2);
    let id = items[0]["id"].as_u64().unwrap();
    let story = get(&mut c, &format!("/api/stories/{id}")).await.json();
    assert_eq!(story["events"].as_array().unwrap().len(), 2);
    let ledger = story["figures"].as_array().unwrap();
    assert!(ledger[0]["disagreement"].as_bool().unwrap(), "the shells disagree: {}", ledger[0]);
    let speakers: Vec<&str> = story["quotes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["speaker_name"].as_str())
        .collect();
    assert!(speakers.contains(&"Dmitri Peskow"), "{speakers:?}");
    let event = story["events"][0]["id"].as_u64().unwrap();
    assert_eq!(
        get(&mut c, &format!("/api/events/{event}")).await.json()["id"].as_u64(),
        Some(event)
    );

    // Exports in every format.
    for (format, media, needle) in [
        ("json", "application/json", "\"timeline\""),
        ("jsonl", "application/x-ndjson", "\"record\":\"source\""),
        ("csv", "text/csv", "record,event,date"),
        ("md", "text/markdown", "## Figures ledger"),
        ("html", "text/html", "<section id=\"figures\">"),
    ] {
        let a = get(&mut c, &format!("/api/stories/{id}/export?format={format}")).await;
        assert_eq!(a.status, 200, "{format}");
        assert!(
            a.content_type.as_deref().unwrap_or("").starts_with(media),
            "{format}: {:?}",
            a.content_type
        );
        assert!(a.body.contains(needle), "{format} export has {needle}");
    }

    // Articles, paged by cursor: two pages of 3 and 2, no article twice.
    let first = get(&mut c, "/api/articles?limit=3").await.json();
    let next = first["next"].as_str().unwrap().to_string();
    let second = get(&mut c, &format!("/api/articles?limit=3&cursor={next}")).await.json();
    assert!(second["next"].is_null());
    let mut ids: Vec<String> = first["items"]
        .as_array()
        .unwrap()
        .iter()
        .chain(second["items"].as_array().unwrap())
        .map(|a| a["id"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 5);
    let article = get(&mut c, &format!("/api/articles/{}", ids[0])).await.json();
    assert!(article["text"].as_str().unwrap().len() > 100);
    assert!(article["entities"].as_array().is_some_and(|e| !e.is_empty()));
    assert!(article["decisions"].is_array() && article["story"].is_u64());
    // The undated 2024 visit, by its source id: no date, but the earliest day its text allows,
    // on the API and on its page.
    let visit = get(&mut c, "/api/articles/001_85a51e6dd4092c16").await.json();
    assert!(visit["date"].is_null());
    assert_eq!(visit["not_before"], "2024-01-01");
    let page = get(&mut c, "/articles/001_85a51e6dd4092c16").await;
    assert!(page.body.contains("undated, not before 2024-01-01"), "{}", page.body);

    // Every article of the story, paged; quotes by any spelling of a speaker; figures.
    let mut seen = 0;
    let mut path = format!("/api/stories/{id}/articles?limit=2");
    loop {
        let page = get(&mut c, &path).await.json();
        seen += page["items"].as_array().unwrap().len();
        match page["next"].as_str() {
            Some(next) => path = format!("/api/stories/{id}/articles?limit=2&cursor={next}"),
            None => break,
        }
    }
    assert_eq!(seen, 5);
    let peskow = get(&mut c, "/api/quotes?speaker=Peskow&limit=3").await.json();
    let items = peskow["items"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    assert!(
        items.iter().all(|q| q["speaker_name"].as_str().unwrap().contains("Peskow")),
        "{peskow}"
    );
    let more = get(
        &mut c,
        &format!("/api/quotes?speaker=Peskow&limit=3&cursor={}", peskow["next"].as_str().unwrap()),
    )
    .await
    .json();
    assert_ne!(more["items"][0], items[0]);
    let figures = get(&mut c, "/api/figures?limit=100").await.json();
    assert!(
        figures["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["text"] == "bis zu 4,8 Millionen Granaten"
                && f["claimed_by"] == "Shin Wonsik"),
        "{figures}"
    );

    // Search: a German compound part finds its compound; facets count the hits.
    let found = get(&mut c, "/api/search?q=Munition").await.json();
    assert!(found["total"].as_u64().unwrap() >= 2, "{found}");
    assert_eq!(found["facets"]["lang"][0]["value"], "de");
    assert!(found["stories"][0]["title"].is_string());
    let part = get(&mut c, "/api/search?q=Container").await.json();
    assert!(part["total"].as_u64().unwrap() >= 1, "Schiffscontainer is found by Container: {part}");
    let snippet = &part["hits"][0]["snippet"];
    let text = snippet["text"].as_str().unwrap();
    let (s, e) = (
        snippet["marks"][0][0].as_u64().unwrap() as usize,
        snippet["marks"][0][1].as_u64().unwrap() as usize,
    );
    assert_eq!(&text[s..e], "Schiffscontainer", "the snippet marks the matching word: {snippet}");
    let narrowed = get(&mut c, "/api/search?q=Munition&lang=en").await.json();
    assert_eq!(narrowed["total"], 0);
    let paged = get(&mut c, "/api/search?q=Kim&limit=2").await.json();
    assert_eq!(paged["hits"].as_array().unwrap().len(), 2);
    let rest = get(
        &mut c,
        &format!("/api/search?q=Kim&limit=2&cursor={}", paged["next"].as_str().unwrap()),
    )
    .await
    .json();
    assert_ne!(rest["hits"][0]["id"], paged["hits"][0]["id"]);

    // Bad parameters: 400 with a message that names them.
    for (path, names) in [
        ("/api/stories?limit=0", "limit"),
        ("/api/stories?limit=abc", "limit"),
        ("/api/stories?cursor=zz", "cursor"),
        ("/api/stories?colour=red", "colour"),
        ("/api/stories/abc", "story id"),
        ("/api/stories/0/export?format=pdf", "format"),
        ("/api/events/-1", "event id"),
        ("/api/articles?cursor=x", "cursor"),
        ("/api/search", "q"),
        ("/api/search?q=Kim&from=2023", "from"),
        ("/api/search?q=Kim&cursor=x", "cursor"),
        ("/api/search?q=Kim&limit=101", "limit"),
        ("/api/quotes?cursor=first", "cursor"),
        ("/api/quotes?who=Kim", "who"),
        ("/api/figures?limit=-3", "limit"),
        ("/api/stories/0/articles?cursor=x", "cursor"),
    ] {
        let a = get(&mut c, path).await;
        assert_eq!(a.status, 400, "{path}: {}", a.body);
        assert!(error_of(&a).contains(names), "{path}: {}", a.body);
    }
    // Unknown ids and paths: 404.
    for path in [
        "/api/stories/999",
        "/api/stories/999/export?format=md",
        "/api/stories/999/articles",
        "/api/events/999",
        "/api/articles/nonexistent",
        "/api/nothing-here",
    ] {
        let a = get(&mut c, path).await;
        assert_eq!(a.status, 404, "{path}: {}", a.body);
        assert!(!error_of(&a).is_empty());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_web_ui_pages_render_without_anything_from_elsewhere() {
    let server = start().await;
    let mut c = Connection::open(&server.addr).await.unwrap();
    let home = get(&mut c, "/").await;
    assert_eq!(home.status, 200);
    assert!(home.body.contains("href=\"/stories/0\""), "{}", home.body);
    let story = get(&mut c, "/stories/0").await;
    assert!(story.body.contains("id=\"timeline\"") && story.body.contains("Figures ledger"));
    assert!(story.body.contains("disagree"), "the ledger flags the shells");
    let article_link = story
        .body
        .split("href=\"/articles/")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let article = get(&mut c, &format!("/articles/{article_link}")).await;
    assert_eq!(article.status, 200, "{article_link}");
    assert!(article.body.contains("class=\"entity e-PER\""));
    assert!(article.body.contains("id=\"decisions\""));
    let search = get(&mut c, "/search?q=Peskow").await;
    assert!(search.body.contains("id=\"hit-count\""));
    for page in [&home, &story, &article, &search] {
        assert!(
            !page.body.contains("http://") && !page.body.contains("https://"),
            "no outside address"
        );
    }
    assert_eq!(get(&mut c, "/stories/42").await.status, 404);
    assert_eq!(get(&mut c, "/articles/x?cite=oops").await.status, 400);
    let css = get(&mut c, "/style.css").await;
    assert!(css.content_type.unwrap().starts_with("text/css"));
}

/// A server over an empty data directory, through `serve_listener` as `storyline serve` runs.
async fn start_guarded(options: storyline_server::ServeOptions) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let pool = Arc::new(Pool::open(dir.path(), 2).unwrap());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    tokio::spawn(async move { storyline_server::serve_listener(listener, pool, &options).await });
    Server { addr, _dir: dir }
}

/// Sends `request` as it is and reads until the server closes the connection.
async fn raw(addr: &str, request: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(request.as_bytes()).await.unwrap();
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out).await;
    String::from_utf8_lossy(&out).into_owned()
}

/// Issue 17, row 8: security headers on every response; a request for a host name that is not
/// allowed (DNS rebinding) is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn security_headers_everywhere_and_foreign_host_names_refused() {
    let options = storyline_server::ServeOptions {
        allowed_hosts: vec!["news.example".into()],
        ..Default::default()
    };
    let server = start_guarded(options).await;
    let ask = |host: &str, path: &str| {
        format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n")
    };
    for (host, path, status) in [
        (server.addr.as_str(), "/api/health", "200"),
        ("localhost:8080", "/", "200"),
        ("news.example:8080", "/api/stories", "200"),
        ("127.0.0.1", "/nowhere", "404"),
        ("evil.example:8080", "/api/health", "403"),
    ] {
        let answer = raw(&server.addr, &ask(host, path)).await;
        let head = answer.split("\r\n\r\n").next().unwrap().to_ascii_lowercase();
        assert!(head.starts_with(&format!("http/1.1 {status}")), "{host} {path}: {answer}");
        for header in [
            "x-content-type-options: nosniff",
            "x-frame-options: deny",
            "referrer-policy: no-referrer",
            "content-security-policy: default-src 'none';",
            "frame-ancestors 'none'",
        ] {
            assert!(head.contains(header), "{header} missing for {host} {path}: {head}");
        }
    }
    // Issue 17, row 9: axum's own rejections (a path with invalid UTF-8) came as text/plain.
    let bad_path = raw(&server.addr, &ask("127.0.0.1", "/api/articles/%FF%FE")).await;
    let (head, body) = bad_path.split_once("\r\n\r\n").unwrap();
    assert!(head.starts_with("HTTP/1.1 400"), "{bad_path}");
    assert!(head.to_ascii_lowercase().contains("content-type: application/json"), "{head}");
    let error = &serde_json::from_str::<serde_json::Value>(body).unwrap()["error"];
    assert!(error["message"].is_string() && error["code"] == "bad_request", "{error}");
    let refused = raw(&server.addr, &ask("evil.example", "/api/health")).await;
    assert!(refused.contains("--allowed-host evil.example"), "{refused}");
}

/// Opens `n` connections that stall: half send part of a request's headers, half nothing.
async fn stalled(addr: &str, n: usize) -> Vec<tokio::net::TcpStream> {
    use tokio::io::AsyncWriteExt;
    let mut out = Vec::new();
    for i in 0..n {
        let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
        if i % 2 == 0 {
            s.write_all(b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ").await.unwrap();
        }
        out.push(s);
    }
    out
}

/// The bound only keeps a broken build from hanging the suite; nothing is timed.
const PATIENCE: std::time::Duration = std::time::Duration::from_secs(60);

/// Issue 17, row 6: connections that never finish their headers are closed after the header
/// timeout, so they cannot pile up.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_slow_to_send_headers_are_disconnected() {
    use tokio::io::AsyncReadExt;
    let options = storyline_server::ServeOptions {
        header_timeout: std::time::Duration::from_millis(300),
        ..Default::default()
    };
    let server = start_guarded(options).await;
    for mut s in stalled(&server.addr, 6).await {
        let mut rest = Vec::new();
        let read = tokio::time::timeout(PATIENCE, s.read_to_end(&mut rest));
        assert!(read.await.is_ok(), "the server closes a connection that stalls in its headers");
    }
}

/// Issue 17, row 6: with every connection taken by stalled clients, a new client is still
/// answered at once: the oldest connection that is answering nothing is closed to make room.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_the_connection_cap_a_stalled_client_makes_room() {
    let options = storyline_server::ServeOptions {
        header_timeout: std::time::Duration::from_secs(3600),
        max_connections: 3,
        ..Default::default()
    };
    let server = start_guarded(options).await;
    let _stalled = stalled(&server.addr, 6).await;
    let health = tokio::time::timeout(PATIENCE, async {
        let mut c = Connection::open(&server.addr).await.unwrap();
        c.get("/api/health").await.unwrap()
    })
    .await
    .expect("a normal request is answered while stalled clients hold the cap");
    assert_eq!(health.status, 200);
}

/// Issue 17, part 3: a load test. While 300 clients hold connections open (half stalled in their
/// headers, half silent) and eight clients keep sending the most expensive requests there are
/// (searches of 3,000 repeated or distinct words, a 400 kB article's page with every mark, its
/// story's HTML export, malformed parameters), `/api/health` must keep answering. The bound is a
/// stall (five seconds, where it answers in milliseconds); how fast it answers under such load is
/// measured by the serve benchmark (`--hostile`), not here.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_keeps_answering_under_hostile_load() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.txt");
    let sentence =
        "Am 12. September 2023 kamen laut Polizei 500 Menschen nach Berlin, sagte Anna Berg. ";
    std::fs::write(&big, format!("Großdemonstration in Berlin\n\n{}", sentence.repeat(4_700)))
        .unwrap();
    let seeds = concat!(env!("CARGO_MANIFEST_DIR"), "/../../resources/sample");
    let mut engine = Engine::open(&dir.path().join("data")).unwrap();
    let inputs = [Input::from_arg(seeds), Input::Path(big)];
    engine.ingest(&inputs, &IngestOptions::default(), &mut |_| {}).unwrap();
    engine.extract(|_| {}).unwrap();
    let model = storyline_engine::Model::builtin().unwrap();
    engine.cluster(&model, None, &mut |_| {}).unwrap();
    engine.finish().unwrap();
    let big_id = engine
        .store()
        .list(100, 0)
        .unwrap()
        .into_iter()
        .find(|a| a.title.starts_with("Großdemo"))
        .unwrap()
        .id;
    let big_story = engine.store().assignment_of(&big_id).unwrap().unwrap().story;
    drop(engine);
    let pool = Arc::new(Pool::open(&dir.path().join("data"), 8).unwrap());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let options = storyline_server::ServeOptions::default();
    tokio::spawn(async move { storyline_server::serve_listener(listener, pool, &options).await });

    let _held = stalled(&addr, 300).await;
    let repeated = vec!["Wien"; 3_000].join("%20");
    let distinct: Vec<String> = (0..3_000).map(|i| format!("w{i}")).collect();
    let distinct = distinct.join("%20");
    let hostile: Vec<String> = vec![
        format!("/api/search?q={repeated}"),
        format!("/api/search?q={distinct}"),
        format!("/articles/{big_id}"),
        format!("/api/articles/{big_id}"),
        format!("/api/stories/{big_story}/export?format=html"),
        "/api/search?q=Kim&from=2023-02-30".into(),
        "/api/articles?limit=100000&cursor=-5".into(),
        format!("/search?q={repeated}"),
    ];
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut attackers = Vec::new();
    for path in hostile {
        let (addr, stop) = (addr.clone(), stop.clone());
        attackers.push(tokio::spawn(async move {
            let mut sent = 0u32;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let mut c = Connection::open(&addr).await.unwrap();
                let a = c.get(&path).await.unwrap();
                assert!(a.status < 500, "{path}: {}", a.status);
                sent += 1;
            }
            sent
        }));
    }
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    for i in 0..20 {
        let answered = tokio::time::timeout(std::time::Duration::from_secs(5), async {
            let mut c = Connection::open(&addr).await.unwrap();
            c.get("/api/health").await.unwrap()
        })
        .await
        .unwrap_or_else(|_| panic!("health request {i} stalled under load"));
        assert_eq!(answered.status, 200);
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for a in attackers {
        let sent = tokio::time::timeout(PATIENCE, a).await.expect("attackers finish").unwrap();
        assert!(sent > 0, "every hostile request was answered at least once");
    }
}

/// The schema check is not vacuous: answers of the wrong shape fail it.
#[test]
#[should_panic(expected = "does not match its schema")]
fn the_schema_check_refuses_an_answer_of_the_wrong_shape() {
    let wrong = Answer {
        status: 200,
        content_type: Some("application/json".into()),
        body: r#"{"items": [{"article": "x", "speaker": "Kim"}], "next": 3}"#.into(),
    };
    conforms("/api/quotes", &wrong);
}

//! Store tests: idempotent writes, round trips, schema versions, read-only directories.

use super::*;
use chrono::TimeZone;

fn article(text: &str, outlet: Option<&str>) -> Article {
    Article {
        id: ArticleId::from_content(text.as_bytes()),
        source: SourceRef {
            path: "a.txt".into(),
            line: None,
            format: SourceFormat::Text,
            external_id: Some("a".into()),
        },
        url: None,
        title: "Titel".into(),
        text: text.into(),
        date: Some(PubDate {
            iso: "2023-09".into(),
            start_utc: chrono::Utc.with_ymd_and_hms(2023, 9, 1, 0, 0, 0).unwrap(),
            precision: DatePrecision::Month,
            timezone: None,
            source: DateSource::Text,
            evidence: "date 2023-09".into(),
        }),
        lang: Some("de".into()),
        outlet: outlet.map(Into::into),
        decisions: vec![Decision::new(Field::Title, "Titel", "first line of the text")],
    }
}

#[test]
fn writes_are_idempotent_and_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let a = article("Der Zug hat Russland erreicht.", None);
    let batch = vec![NewArticle { article: a.clone(), line_hashes: vec![] }];
    assert_eq!(store.write_batch(&batch).unwrap(), WriteOutcome { inserted: 1, existing: 0 });
    assert_eq!(store.write_batch(&batch).unwrap(), WriteOutcome { inserted: 0, existing: 1 });
    assert_eq!(store.count().unwrap(), 1);
    assert_eq!(store.find(a.id.as_str()).unwrap().unwrap(), a);
    assert_eq!(store.find("a").unwrap().unwrap().id, a.id);
    assert_eq!(store.find(&a.id.as_str()[..6]).unwrap().unwrap().id, a.id);
    assert!(store.find("zzzz").unwrap().is_none());
    drop(store);
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(store.list(10, 0).unwrap()[0].date.as_deref(), Some("2023-09"));
}

#[test]
fn outlet_lines_become_boilerplate_at_the_threshold_and_survive_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    for i in 0..BOILERPLATE_MIN_ARTICLES {
        assert_eq!(store.boilerplate().articles_with_line("x.de", 42), 0);
        let a = article(&format!("Text {i}"), Some("x.de"));
        store
            .write_batch(&[NewArticle { article: a, line_hashes: vec![42, 100 + u64::from(i)] }])
            .unwrap();
    }
    assert_eq!(store.boilerplate().articles_with_line("x.de", 42), BOILERPLATE_MIN_ARTICLES);
    assert_eq!(store.boilerplate().articles_with_line("y.de", 42), 0);
    assert_eq!(store.boilerplate().articles_with_line("x.de", 100), 0);
    drop(store);
    assert_eq!(
        Store::open(dir.path()).unwrap().boilerplate().articles_with_line("x.de", 42),
        BOILERPLATE_MIN_ARTICLES
    );
}

#[test]
fn read_only_directory_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let ro = dir.path().join("ro");
    std::fs::create_dir(&ro).unwrap();
    let mut perms = std::fs::metadata(&ro).unwrap().permissions();
    perms.set_readonly(true);
    std::fs::set_permissions(&ro, perms).unwrap();
    let err = Store::open(&ro).unwrap_err();
    assert!(matches!(err, StoreError::ReadOnly(_)));
    assert!(err.to_string().contains("ro"), "{err}");
}

#[test]
fn newer_schema_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    drop(Store::open(dir.path()).unwrap());
    let conn = Connection::open(dir.path().join(DB_FILE)).unwrap();
    conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'", []).unwrap();
    drop(conn);
    assert!(matches!(
        Store::open(dir.path()).unwrap_err(),
        StoreError::NewerSchema { found: 99, .. }
    ));
}

//! Store tests: idempotent writes, round trips, schema versions, read-only directories. The
//! tests of what both backends do run on each (see [`crate::testing`]).

use super::*;
use crate::testing::every_backend;
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
        not_before: None,
        lang: Some("de".into()),
        outlet: outlet.map(Into::into),
        author: None,
        decisions: vec![Decision::new(Field::Title, "Titel", "first line of the text")],
    }
}

/// The decision that the article `seq` opens event `event`, in a story of the same number.
fn new_event(seq: i64, event: u32) -> NewAssignment {
    NewAssignment {
        article_seq: seq,
        event,
        story: event,
        new_event: true,
        probability: None,
        copy_of: None,
        copy_kind: None,
        time: None,
        explain: "{}".into(),
    }
}

#[test]
fn writes_are_idempotent_and_round_trip() {
    for fresh in every_backend() {
        let mut store = fresh.open().unwrap();
        let a = article("Der Zug hat Russland erreicht.", None);
        let batch = vec![NewArticle { article: a.clone(), line_hashes: vec![] }];
        assert_eq!(store.write_batch(&batch).unwrap(), WriteOutcome { inserted: 1, existing: 0 });
        assert_eq!(store.write_batch(&batch).unwrap(), WriteOutcome { inserted: 0, existing: 1 });
        assert_eq!(store.count().unwrap(), 1);
        assert_eq!(store.find(a.id.as_str()).unwrap().unwrap(), a);
        assert_eq!(store.find("a").unwrap().unwrap().id, a.id);
        assert_eq!(store.find(&a.id.as_str()[..6]).unwrap().unwrap().id, a.id);
        assert!(store.find("zzzz").unwrap().is_none());
        // An undated article keeps the earliest day its text allows.
        let mut undated = article("Putin besucht Pjöngjang.", None);
        undated.date = None;
        undated.source.external_id = Some("b".into());
        undated.not_before = chrono::NaiveDate::from_ymd_opt(2024, 1, 1);
        store.write_batch(&[NewArticle { article: undated.clone(), line_hashes: vec![] }]).unwrap();
        assert_eq!(
            store.find(undated.id.as_str()).unwrap().unwrap().not_before,
            undated.not_before
        );
        let light = store.unclustered(0, 10).unwrap();
        assert_eq!(light[1].1.not_before, undated.not_before);
        drop(store);
        let store = fresh.open().unwrap();
        assert_eq!(store.list(10, 0).unwrap()[0].date.as_deref(), Some("2023-09"));
    }
}

#[test]
fn outlet_lines_become_boilerplate_at_the_threshold_and_survive_reopen() {
    for fresh in every_backend() {
        let mut store = fresh.open().unwrap();
        for i in 0..BOILERPLATE_MIN_ARTICLES {
            assert_eq!(store.boilerplate().articles_with_line("x.de", 42), 0);
            let a = article(&format!("Text {i}"), Some("x.de"));
            store
                .write_batch(&[NewArticle {
                    article: a,
                    line_hashes: vec![42, 100 + u64::from(i)],
                }])
                .unwrap();
        }
        assert_eq!(store.boilerplate().articles_with_line("x.de", 42), BOILERPLATE_MIN_ARTICLES);
        assert_eq!(store.boilerplate().articles_with_line("y.de", 42), 0);
        assert_eq!(store.boilerplate().articles_with_line("x.de", 100), 0);
        drop(store);
        assert_eq!(
            fresh.open().unwrap().boilerplate().articles_with_line("x.de", 42),
            BOILERPLATE_MIN_ARTICLES
        );
    }
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
    for fresh in every_backend() {
        let store = fresh.open().unwrap();
        store
            .db
            .execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'", db::args![])
            .unwrap();
        drop(store);
        let err = fresh.open().unwrap_err();
        assert!(
            matches!(err, StoreError::NewerSchema { found: 99, .. }),
            "{}: {err}",
            fresh.backend()
        );
    }
}

#[test]
fn a_version_1_store_is_migrated_with_its_articles_kept() {
    let dir = tempfile::tempdir().unwrap();
    {
        let conn = Connection::open(dir.path().join(DB_FILE)).unwrap();
        conn.execute_batch(&format!(
            "BEGIN; {} INSERT INTO meta (key, value) VALUES ('schema_version', '1'); COMMIT;",
            schema::V1
        ))
        .unwrap();
        conn.execute(
            "INSERT INTO articles (id, source_path, format, title, text, ingested_at)
             VALUES ('0123456789abcdef', 'a.txt', 'text', 'T', 'Text', 'now')",
            [],
        )
        .unwrap();
    }
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    assert_eq!(store.count().unwrap(), 1);
    let pending = store.unclustered(0, 10).unwrap();
    assert_eq!(pending.len(), 1, "old articles wait to be clustered");
    assert_eq!(store.unextracted(0, 10).unwrap().len(), 1, "and to be extracted");
    assert_eq!(store.cluster_counters().unwrap(), ClusterCounters::default());
}

#[test]
fn assignments_round_trip_with_counters_and_frequencies() {
    for fresh in every_backend() {
        let mut store = fresh.open().unwrap();
        let a = article("Ein Text über Kim.", None);
        store.write_batch(&[NewArticle { article: a.clone(), line_hashes: vec![] }]).unwrap();
        let (seq, ..) = store.unclustered(0, 10).unwrap()[0].clone();
        let row = NewAssignment {
            article_seq: seq,
            event: 7,
            story: 3,
            new_event: true,
            probability: None,
            copy_of: None,
            copy_kind: None,
            time: Some(1_694_497_380),
            explain: "{}".into(),
        };
        let counters = ClusterCounters { docs: 1, next_event: 8, next_story: 4, next_ord: 1 };
        store
            .write_assignments(&[row], &[(u64::MAX, 1), (5, 2)], counters, Some(b"state"))
            .unwrap();
        assert_eq!(store.cluster_state(counters.next_ord).unwrap().as_deref(), Some(&b"state"[..]));
        assert_eq!(store.cluster_state(counters.next_ord + 1).unwrap(), None);
        assert!(store.unclustered(0, 10).unwrap().is_empty());
        assert_eq!(store.cluster_counters().unwrap(), counters);
        let mut df = store.doc_freq().unwrap();
        df.sort_unstable();
        assert_eq!(df, [(5, 2), (u64::MAX, 1)], "u64 terms survive SQLite's signed integers");
        let got = store.assignment_of(&a.id).unwrap().unwrap();
        assert_eq!((got.ord, got.event, got.story, got.time), (0, 7, 3, Some(1_694_497_380)));
        let events = store.events(None, 10, 0).unwrap();
        assert_eq!(
            (events[0].id, events[0].story, events[0].articles, events[0].independent),
            (7, 3, 1, 1)
        );
        store.clear_clusters().unwrap();
        assert_eq!(store.unclustered(0, 10).unwrap().len(), 1);
        assert!(store.doc_freq().unwrap().is_empty());
    }
}

#[test]
fn a_run_stopped_between_two_states_rolls_back_to_the_last() {
    for fresh in every_backend() {
        let mut store = fresh.open().unwrap();
        let texts =
            ["Erster Text über Kim.", "Zweiter Text über Putin.", "Dritter Text über Seoul."];
        let batch: Vec<NewArticle> = texts
            .iter()
            .map(|t| NewArticle { article: article(t, None), line_hashes: vec![] })
            .collect();
        store.write_batch(&batch).unwrap();
        let seqs: Vec<i64> = store.unclustered(0, 10).unwrap().iter().map(|a| a.0).collect();
        let row = new_event;
        // Nothing stored yet and nothing to roll back.
        assert_eq!(store.roll_back_to_state().unwrap(), 0);
        // Batch 1 with a state; batch 2 (term 5 changes again, term 9 is new) without one.
        let first = ClusterCounters { docs: 1, next_event: 1, next_story: 1, next_ord: 1 };
        store.write_assignments(&[row(seqs[0], 0)], &[(5, 1)], first, Some(b"one")).unwrap();
        let second = ClusterCounters { docs: 3, next_event: 3, next_story: 3, next_ord: 3 };
        store
            .write_assignments(&[row(seqs[1], 1), row(seqs[2], 2)], &[(5, 3), (9, 2)], second, None)
            .unwrap();
        assert_eq!(store.roll_back_to_state().unwrap(), 2, "the two decisions after the state");
        assert_eq!(store.cluster_counters().unwrap(), first);
        assert_eq!(store.doc_freq().unwrap(), [(5, 1)], "frequencies as they were with the state");
        assert_eq!(store.unclustered(0, 10).unwrap().len(), 2);
        assert_eq!(store.cluster_state(first.next_ord).unwrap().as_deref(), Some(&b"one"[..]));
        // A state that is current: nothing to do.
        assert_eq!(store.roll_back_to_state().unwrap(), 0);

        // A first run stopped before its first state goes back to the start.
        store.clear_clusters().unwrap();
        store.write_assignments(&[row(seqs[0], 0)], &[(5, 1)], first, None).unwrap();
        assert_eq!(store.roll_back_to_state().unwrap(), 1);
        assert_eq!(store.cluster_counters().unwrap(), ClusterCounters::default());
        assert!(store.doc_freq().unwrap().is_empty());
    }
}

#[test]
fn extractions_round_trip_replace_and_find_speakers() {
    for fresh in every_backend() {
        let mut store = fresh.open().unwrap();
        let text = "Peskow sagte, das Treffen werde am Mittwoch stattfinden.";
        let a = article(text, None);
        store.write_batch(&[NewArticle { article: a.clone(), line_hashes: vec![] }]).unwrap();
        let todo = store.unextracted(0, 10).unwrap();
        assert_eq!(todo.len(), 1);
        let quote = QuoteRow {
            start: 14,
            end: 55,
            kind: "Indirect".into(),
            cue: Some((7, 12)),
            speaker: Some((0, 6)),
            speaker_name: Some("Dmitri Peskow".into()),
            speaker_key: Some("dmitri peskow".into()),
            nested: false,
        };
        let timex = TimexRow {
            start: 35,
            end: 43,
            kind: "date".into(),
            value: "XXXX-WXX-3".into(),
            granularity: "day".into(),
            resolution: "unresolved".into(),
            modifier: None,
        };
        let x = Extraction {
            article_seq: todo[0].seq,
            quotes: vec![quote.clone()],
            timexes: vec![timex.clone()],
            figures: vec![],
            entities: vec![],
        };
        store.write_extractions(std::slice::from_ref(&x)).unwrap();
        store.write_extractions(std::slice::from_ref(&x)).unwrap();
        assert!(store.unextracted(0, 10).unwrap().is_empty());
        let got = store.extraction(&a.id).unwrap();
        assert_eq!(
            (got.quotes, got.timexes),
            (vec![quote.clone()], vec![timex]),
            "written twice, stored once"
        );
        let by_surname = store.quotes(Some("peskow"), 10, 0).unwrap();
        assert_eq!(by_surname.len(), 1, "a surname finds the full name");
        assert_eq!(by_surname[0].text, "das Treffen werde am Mittwoch stattfinden");
        assert!(store.quotes(Some("eskow"), 10, 0).unwrap().is_empty(), "whole words only");
        assert_eq!(store.quotes(None, 10, 0).unwrap().len(), 1);
    }
}

/// Issue 17, row 2: a server gives up a query whose client has gone by interrupting it.
#[test]
fn an_endless_query_can_be_interrupted_from_another_thread() {
    for fresh in every_backend() {
        let store = fresh.open().unwrap();
        let interrupter = store.interrupter();
        let (done_tx, done_rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let endless = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) \
                           SELECT count(*) FROM n";
            let result = store.db.query_one(endless, db::args![], |r| r.get::<i64>(0));
            done_tx.send(result.map_err(|e| store.sql(e).to_string())).unwrap();
        });
        // The query may not have started at the first call; interrupting when nothing runs is a
        // no-op, so keep calling until it reports back.
        let result = loop {
            interrupter.interrupt();
            if let Ok(r) = done_rx.recv_timeout(std::time::Duration::from_millis(20)) {
                break r;
            }
        };
        let err = result.unwrap_err();
        assert!(err.contains("interrupt") || err.contains("cancel"), "{}: {err}", fresh.backend());
    }
}

#[test]
fn a_location_is_a_directory_unless_it_is_a_postgres_url() {
    assert_eq!(Location::parse("data"), Location::Dir("data".into()));
    let url = "postgres://storyline:secret@127.0.0.1:54329/storyline";
    assert_eq!(Location::parse(url), Location::Postgres(url.into()));
    assert_eq!(
        Location::parse(url).to_string(),
        "postgres://storyline:***@127.0.0.1:54329/storyline",
        "the password is not shown"
    );
    assert!(matches!(Location::parse("postgresql://h/db"), Location::Postgres(_)));
}

/// One writer at a time, on either backend.
#[test]
fn a_second_writer_is_refused_while_the_first_holds_the_lock() {
    for fresh in every_backend() {
        drop(fresh.open().unwrap());
        let first = WriterLock::acquire_at(&fresh.location).unwrap();
        let second = WriterLock::acquire_at(&fresh.location);
        assert!(matches!(second, Err(StoreError::Busy(_))), "{}: {second:?}", fresh.backend());
        drop(first);
        WriterLock::acquire_at(&fresh.location).unwrap();
    }
}

/// Queue workers on a shared store: one worker of each ordered stage, any number of the others,
/// and no queue worker while a whole job writes (nor a whole job while workers run).
#[test]
fn stage_locks_keep_one_worker_per_ordered_stage_and_out_of_a_whole_jobs_way() {
    for fresh in every_backend() {
        drop(fresh.open().unwrap());
        let busy = |r: Result<WriterLock, StoreError>| matches!(r, Err(StoreError::Busy(_)));
        if matches!(fresh.location, crate::Location::Dir(_)) {
            // A data directory has one writer process.
            let first = WriterLock::acquire_stages(&fresh.location, &["store"]).unwrap();
            assert!(busy(WriterLock::acquire_stages(&fresh.location, &["cluster"])));
            drop(first);
            continue;
        }
        let store = WriterLock::acquire_stages(&fresh.location, &["store"]).unwrap();
        let cluster = WriterLock::acquire_stages(&fresh.location, &["cluster", "index"]).unwrap();
        let extract_a = WriterLock::acquire_stages(&fresh.location, &[]).unwrap();
        let extract_b = WriterLock::acquire_stages(&fresh.location, &[]).unwrap();
        assert!(busy(WriterLock::acquire_stages(&fresh.location, &["store"])));
        assert!(busy(WriterLock::acquire_stages(&fresh.location, &["index"])));
        assert!(busy(WriterLock::acquire_at(&fresh.location)), "a whole job waits for the workers");
        drop((store, cluster, extract_a, extract_b));
        let job = WriterLock::acquire_at(&fresh.location).unwrap();
        assert!(busy(WriterLock::acquire_stages(&fresh.location, &[])));
        drop(job);
        WriterLock::acquire_stages(&fresh.location, &["store"]).unwrap();
    }
}

/// A write that fails part-way leaves nothing of itself, and the connection goes on working. On
/// PostgreSQL the failing statement was queued and fails only at the commit.
#[test]
fn a_failed_write_leaves_nothing_and_the_connection_works_on() {
    for fresh in every_backend() {
        let mut store = fresh.open().unwrap();
        let a = article("Ein Text über Kim.", None);
        store.write_batch(&[NewArticle { article: a.clone(), line_hashes: vec![] }]).unwrap();
        let (seq, ..) = store.unclustered(0, 10).unwrap()[0].clone();
        let row = |seq| new_event(seq, 0);
        let counters = ClusterCounters { docs: 2, next_event: 1, next_story: 1, next_ord: 2 };
        // The second row names no stored article.
        let failed =
            store.write_assignments(&[row(seq), row(seq + 1000)], &[(5, 1)], counters, None);
        assert!(failed.is_err(), "{}", fresh.backend());
        assert_eq!(store.unclustered(0, 10).unwrap().len(), 1, "{}: nothing kept", fresh.backend());
        assert!(store.doc_freq().unwrap().is_empty(), "{}", fresh.backend());
        assert_eq!(store.cluster_counters().unwrap(), ClusterCounters::default());
        let counters = ClusterCounters { docs: 1, next_event: 1, next_story: 1, next_ord: 1 };
        store.write_assignments(&[row(seq)], &[(5, 1)], counters, None).unwrap();
        assert_eq!(store.cluster_counters().unwrap(), counters, "{}", fresh.backend());
    }
}

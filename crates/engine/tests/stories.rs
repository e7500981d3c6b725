//! The story engine through the engine: clustering stored articles, copies, idempotence, and a
//! restart that continues the stream as if it had not stopped.

use std::collections::HashMap;
use std::path::Path;

use storyline_engine::{Engine, IngestOptions, Input, Model};

/// Three happenings, two or three independent reports each, a wire copy, in German.
const REPORTS: &[(&str, &str, &str, &str)] = &[
    ("flood-1", "2024-05-02T08:00:00+02:00", "Hochwasser in Passau: Pegel der Donau steigt auf zehn Meter",
     "In Passau ist die Donau über Nacht auf zehn Meter gestiegen. Die Feuerwehr errichtete Sandsackwälle in der Altstadt, Anwohner brachten ihre Autos in Sicherheit. Der Krisenstab der Stadt rechnet mit dem Höchststand am Donnerstag. Auch der Inn führt Hochwasser, die Schifffahrt wurde eingestellt."),
    ("flood-2", "2024-05-02T12:30:00+02:00", "Donau-Hochwasser: Passauer Altstadt teilweise überflutet",
     "Die Altstadt von Passau steht teilweise unter Wasser. Die Donau erreichte am Mittag einen Pegel von zehn Metern, der Inn trat ebenfalls über die Ufer. Feuerwehr und Technisches Hilfswerk füllten Sandsäcke, der Krisenstab rief die Anwohner auf, Keller zu räumen. Die Schifffahrt auf der Donau ruht."),
    ("vote-1", "2024-05-03T18:00:00+02:00", "Bundestag beschließt Reform des Mietrechts",
     "Der Bundestag hat die Reform des Mietrechts beschlossen. Mieterhöhungen in angespannten Wohnungsmärkten werden auf elf Prozent in drei Jahren begrenzt. Die Opposition kritisierte die Mietpreisbremse als wirkungslos, der Mieterbund begrüßte das Gesetz. Der Bundesrat muss der Reform noch zustimmen."),
    ("flood-3", "2024-05-03T07:00:00+02:00", "Hochwasser: Pegel in Passau sinkt langsam",
     "Nach dem Höchststand sinkt der Pegel der Donau in Passau langsam. Der Krisenstab hob die Warnung für die Altstadt auf, die Feuerwehr beginnt mit dem Abpumpen der Keller. Der Inn führt weiter Hochwasser, die Schifffahrt bleibt eingestellt. Anwohner sollen Sandsäcke bis zum Wochenende liegen lassen."),
    ("vote-2", "2024-05-03T19:15:00+02:00", "Mietrecht: Bundestag stimmt für Begrenzung von Mieterhöhungen",
     "Mit den Stimmen der Koalition hat der Bundestag die Begrenzung von Mieterhöhungen beschlossen. Künftig dürfen Mieten in angespannten Wohnungsmärkten in drei Jahren nur um elf Prozent steigen. Der Mieterbund lobte die Reform des Mietrechts, die Opposition nannte die Mietpreisbremse wirkungslos. Nun ist der Bundesrat am Zug."),
    ("vote-copy", "2024-05-03T20:00:00+02:00", "Bundestag beschließt Reform des Mietrechts",
     "Der Bundestag hat die Reform des Mietrechts beschlossen. Mieterhöhungen in angespannten Wohnungsmärkten werden auf elf Prozent in drei Jahren begrenzt. Die Opposition kritisierte die Mietpreisbremse als wirkungslos, der Mieterbund begrüßte das Gesetz. Der Bundesrat muss der Reform noch zustimmen. (dpa)"),
    ("space-1", "2024-05-06T10:00:00+02:00", "Esa-Rakete Ariane 6 startet erfolgreich von Kourou",
     "Die europäische Rakete Ariane 6 ist vom Weltraumbahnhof Kourou in Französisch-Guayana gestartet. Die Esa setzte zwei Satelliten in der Umlaufbahn aus. Der Start war wegen eines Problems mit der Bodenstation zweimal verschoben worden. Esa-Chef Aschbacher sprach von einem großen Tag für Europas Raumfahrt."),
    ("space-2", "2024-05-06T14:00:00+02:00", "Ariane 6: Europas neue Rakete bringt Satelliten ins All",
     "Nach zwei Verschiebungen ist die Ariane 6 in Kourou abgehoben. Die Rakete der Esa brachte zwei Satelliten in die Umlaufbahn, teilte die Raumfahrtagentur mit. Esa-Chef Aschbacher nannte den Start einen großen Tag für die europäische Raumfahrt. Die Bodenstation in Französisch-Guayana hatte zuvor Probleme gemeldet."),
];

fn write_jsonl(path: &Path, ids: &[&str]) {
    let mut out = String::new();
    for (id, date, title, text) in REPORTS.iter().filter(|r| ids.contains(&r.0)) {
        let line = serde_json::json!({"id": id, "date": date, "title": title, "text": text, "language": "de", "url": format!("https://example.org/{id}")});
        out.push_str(&line.to_string());
        out.push('\n');
    }
    std::fs::write(path, out).unwrap();
}

/// External id -> (event, story, copy_of).
fn assignments(engine: &Engine) -> HashMap<String, (u32, u32, Option<String>)> {
    let mut out = HashMap::new();
    for s in engine.store().list(100_000, 0).unwrap() {
        let a = engine.store().assignment_of(&s.id).unwrap().expect("every article is clustered");
        out.insert(s.external_id.unwrap(), (a.event, a.story, a.copy_of));
    }
    out
}

fn ingest(engine: &mut Engine, file: &Path) {
    let report = engine
        .ingest(&[Input::Path(file.to_owned())], &IngestOptions::default(), &mut |_| {})
        .unwrap();
    assert!(report.rejects.is_empty(), "{:?}", report.rejects);
}

const ALL: [&str; 8] =
    ["flood-1", "flood-2", "vote-1", "flood-3", "vote-2", "vote-copy", "space-1", "space-2"];

#[test]
fn reports_group_into_their_events_and_a_copy_links_to_its_original() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("all.jsonl");
    write_jsonl(&file, &ALL);
    let mut engine = Engine::open(&dir.path().join("data")).unwrap();
    ingest(&mut engine, &file);
    let model = Model::builtin().unwrap();
    let report = engine.cluster(&model, None, &mut |_| {}).unwrap();
    assert_eq!(report.clustered, 8);
    assert_eq!(report.copies, 1);
    let a = assignments(&engine);
    let event = |k: &str| a[k].0;
    assert_eq!(event("flood-1"), event("flood-2"));
    assert_eq!(event("flood-1"), event("flood-3"));
    assert_eq!(event("vote-1"), event("vote-2"));
    assert_eq!(event("space-1"), event("space-2"));
    assert_ne!(event("flood-1"), event("vote-1"));
    assert_ne!(event("flood-1"), event("space-1"));
    assert_ne!(event("vote-1"), event("space-1"));
    assert_eq!(event("vote-copy"), event("vote-1"));
    let vote1_id = engine.store().find("vote-1").unwrap().unwrap().id;
    assert_eq!(a["vote-copy"].2.as_deref(), Some(vote1_id.as_str()), "the copy names its original");
    let events = engine.store().events(None, 100, 0).unwrap();
    assert_eq!(events.len(), 3);
    let vote = events.iter().find(|e| e.id == event("vote-1")).unwrap();
    assert_eq!((vote.articles, vote.independent), (3, 2), "copies are not independent coverage");

    // Clustering again does nothing: every article keeps its decision.
    assert_eq!(engine.cluster(&model, None, &mut |_| {}).unwrap().clustered, 0);
    assert_eq!(assignments(&engine), a);
}

#[test]
fn a_restart_continues_the_stream_as_if_it_had_not_stopped() {
    let dir = tempfile::tempdir().unwrap();
    let (first, second) = (dir.path().join("first.jsonl"), dir.path().join("second.jsonl"));
    write_jsonl(&first, &ALL[..4]);
    write_jsonl(&second, &ALL[4..]);
    let model = Model::builtin().unwrap();

    let mut once = Engine::open(&dir.path().join("once")).unwrap();
    ingest(&mut once, &first);
    ingest(&mut once, &second);
    once.cluster(&model, None, &mut |_| {}).unwrap();

    let stopped = dir.path().join("stopped");
    {
        let mut engine = Engine::open(&stopped).unwrap();
        ingest(&mut engine, &first);
        engine.cluster(&model, None, &mut |_| {}).unwrap();
    }
    let mut engine = Engine::open(&stopped).unwrap();
    ingest(&mut engine, &second);
    let report = engine.cluster(&model, None, &mut |_| {}).unwrap();
    assert_eq!(report.restored, 0, "the stored engine state is taken up; nothing is replayed");
    assert_eq!(report.clustered, 4);
    assert_eq!(assignments(&engine), assignments(&once));
}

/// A pseudo-word for (topic or article) `n`, slot `k`.
fn word(n: usize, k: usize) -> String {
    let syl = ["ka", "lo", "mi", "tru", "sen", "vo", "pel", "ra", "dun", "ze", "bor", "qui"];
    let h = (n * 7919 + k * 104_729 + 13) * 2_654_435_761;
    (0..3).map(|j| syl[(h >> (j * 5 + 3)) % 12]).collect()
}

/// A stream long enough for two clustering batches: 60 threads over 40 days, each report
/// about its thread's actors and words with words of its own, every 40th a copy of the report
/// before it.
fn write_long_stream(path: &Path, n: usize) {
    let mut out = String::new();
    let mut previous = String::new();
    for i in 0..n {
        let topic = (i * 37) % 60;
        let day = i * 40 / n;
        let cap = |w: String| {
            let mut c = w.chars();
            c.next().map(|f| f.to_uppercase().chain(c).collect::<String>()).unwrap_or_default()
        };
        let (who, place) = (cap(word(topic, 0)), cap(word(topic, 1)));
        let text = if i % 40 == 39 {
            previous.clone()
        } else {
            format!(
                "{who} hat in {place} über {} und {} gesprochen. Nach Angaben von {} geht es um {}. \
                 Beobachter in {place} erwarten weitere {} am {}.",
                word(topic, 2),
                word(topic, 3),
                cap(word(1000 + i, 4)),
                word(1000 + i, 5),
                word(topic, 6),
                word(1000 + i, 7)
            )
        };
        previous = text.clone();
        let date =
            format!("2024-03-{:02}T{:02}:{:02}:00+01:00", 1 + day % 28, (i / 60) % 24, i % 60);
        let date = if day >= 28 { date.replacen("2024-03-", "2024-04-", 1) } else { date };
        let title = format!("{who} in {place}: {}", word(1000 + i, 8));
        let line = serde_json::json!({"id": format!("a{i}"), "date": date, "title": title, "text": text, "language": "de"});
        out.push_str(&line.to_string());
        out.push('\n');
    }
    std::fs::write(path, out).unwrap();
}

#[test]
fn a_stream_in_two_parts_or_interrupted_gives_the_events_and_stories_of_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let n = 2200; // more than one clustering batch (2,048)
    let all = dir.path().join("all.jsonl");
    write_long_stream(&all, n);
    let text = std::fs::read_to_string(&all).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let (first, second) = (dir.path().join("first.jsonl"), dir.path().join("second.jsonl"));
    std::fs::write(&first, lines[..1300].join("\n") + "\n").unwrap();
    std::fs::write(&second, lines[1300..].join("\n") + "\n").unwrap();
    let model = Model::builtin().unwrap();

    let mut once = Engine::open(&dir.path().join("once")).unwrap();
    ingest(&mut once, &all);
    once.cluster(&model, None, &mut |_| {}).unwrap();
    let expected = assignments(&once);
    let events: std::collections::HashSet<u32> = expected.values().map(|a| a.0).collect();
    let stories: std::collections::HashSet<u32> = expected.values().map(|a| a.1).collect();
    assert!(events.len() > 20 && events.len() < n, "a stream with joins: {} events", events.len());
    assert!(stories.len() > 1, "stories decided: {}", stories.len());
    assert!(expected.values().any(|a| a.2.is_some()), "and copies");

    // In two parts, each clustered when it arrives.
    let mut parts = Engine::open(&dir.path().join("parts")).unwrap();
    ingest(&mut parts, &first);
    parts.cluster(&model, None, &mut |_| {}).unwrap();
    ingest(&mut parts, &second);
    parts.cluster(&model, None, &mut |_| {}).unwrap();
    assert_eq!(assignments(&parts), expected, "two parts");

    // Stopped dead after the first batch was committed (as kill -9 would leave it: a batch is
    // one transaction), then run again: once with the state stored after every batch (the run
    // continues from it), once with the default (no state stored yet: the batch is rolled back
    // and clustered again).
    for (every, redone, clustered) in [(1, 0, n - 2048), (8, 2048, n)] {
        let stopped = dir.path().join(format!("stopped-{every}"));
        {
            let mut engine = Engine::open(&stopped).unwrap();
            engine.set_state_every(every);
            ingest(&mut engine, &all);
            let died = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                engine.cluster(&model, None, &mut |done| {
                    if done > 0 {
                        panic!("killed after {done} articles");
                    }
                })
            }));
            assert!(died.is_err());
        }
        let mut engine = Engine::open(&stopped).unwrap();
        let report = engine.cluster(&model, None, &mut |_| {}).unwrap();
        assert_eq!(report.redone, redone as u64, "state every {every}");
        assert_eq!(report.clustered, clustered as u64, "state every {every}");
        assert_eq!(
            assignments(&engine),
            expected,
            "state every {every}: interrupted and run again"
        );
    }
}

#[test]
fn reports_and_the_search_index_follow_new_articles_and_only_theirs() {
    let dir = tempfile::tempdir().unwrap();
    let model = Model::builtin().unwrap();
    let mut engine = Engine::open(&dir.path().join("data")).unwrap();
    let first = dir.path().join("first.jsonl");
    write_jsonl(&first, &["flood-1", "flood-2", "vote-1", "space-1"]);
    ingest(&mut engine, &first);
    engine.cluster(&model, None, &mut |_| {}).unwrap();
    let done = engine.finish().unwrap();
    assert_eq!((done.indexed, done.stories), (4, 3), "three stories narrated");

    let story_of = |engine: &Engine, key: &str| {
        let id = engine.store().find(key).unwrap().unwrap().id;
        engine.store().assignment_of(&id).unwrap().unwrap().story
    };
    let vote = story_of(&engine, "vote-1");
    let report = |engine: &Engine, story: u32| -> serde_json::Value {
        serde_json::from_str(&engine.store().story_report(story).unwrap().unwrap()).unwrap()
    };
    assert_eq!(report(&engine, vote)["articles"], 1);

    // Two more reports of the vote, one a copy: only the vote's story is narrated again.
    let second = dir.path().join("second.jsonl");
    write_jsonl(&second, &["vote-2", "vote-copy"]);
    ingest(&mut engine, &second);
    engine.cluster(&model, None, &mut |_| {}).unwrap();
    let again = engine.finish().unwrap();
    assert_eq!((again.indexed, again.stories), (2, 1));
    let r = report(&engine, vote);
    assert_eq!((r["articles"].as_u64(), r["independent"].as_u64()), (Some(3), Some(2)));
    let copies = r["copies"].as_array().unwrap();
    assert_eq!(copies.len(), 1, "the copy graph has the wire copy: {copies:?}");
    let summary = r["summary"].as_array().unwrap();
    assert!(!summary.is_empty());
    let cited: Vec<&str> = summary.iter().map(|s| s["cite"]["article"].as_str().unwrap()).collect();
    let copy_id = engine.store().find("vote-copy").unwrap().unwrap().id;
    assert!(!cited.contains(&copy_id.as_str()), "a copy is never cited as a source");

    // Nothing new: nothing is redone.
    let none = engine.finish().unwrap();
    assert_eq!((none.indexed, none.stories), (0, 0));
    let analyzer = storyline_text::Analyzer::builtin().unwrap();
    let found = engine
        .store()
        .search(&analyzer.query_terms("Mietpreisbremse", &["de"]), &Default::default(), 10, 0)
        .unwrap();
    assert_eq!(found.total, 3, "the new articles are searchable");
}

/// Issue 16: the job of `storyline ingest` runs extraction beside clustering; the events,
/// stories and copies are those of the stages run one after the other, and so are the
/// extractions.
#[test]
fn the_job_decides_as_the_stages_run_in_turn_do() {
    let dir = tempfile::tempdir().unwrap();
    let n = 2200; // more than one clustering batch (2,048)
    let all = dir.path().join("all.jsonl");
    write_long_stream(&all, n);
    let model = Model::builtin().unwrap();

    let mut in_turn = Engine::open(&dir.path().join("in_turn")).unwrap();
    ingest(&mut in_turn, &all);
    let extracted = in_turn.extract(|_| {}).unwrap();
    in_turn.cluster(&model, None, &mut |_| {}).unwrap();
    let expected = assignments(&in_turn);
    let finished = in_turn.finish().unwrap();

    let mut job = Engine::open(&dir.path().join("job")).unwrap();
    let report = job
        .run_job(&[Input::Path(all)], &IngestOptions::default(), Some(&model), None, &mut |_| {})
        .unwrap();
    assert_eq!(report.ingest.inserted as usize, n);
    assert_eq!(assignments(&job), expected);
    // Every story's report, narrated at the end by several connections at once, is the one a
    // single pass after the stages in turn writes.
    assert_eq!((report.indexed, report.narrated), (finished.indexed, finished.stories));
    assert!(finished.stories > 1);
    for story in 0..finished.stories as u32 + 5 {
        let (a, b) = (job.store().story_report(story), in_turn.store().story_report(story));
        let (a, b) = (a.unwrap().unwrap_or_default(), b.unwrap().unwrap_or_default());
        let at = a.bytes().zip(b.bytes()).position(|(x, y)| x != y).unwrap_or(a.len().min(b.len()));
        assert!(
            a == b,
            "story {story} at {at}: {:?} / {:?}",
            &a[at.saturating_sub(200)..(at + 300).min(a.len())],
            &b[at.saturating_sub(200)..(at + 300).min(b.len())]
        );
    }
    let e = &report.extract;
    assert_eq!(
        (e.articles, e.quotes, e.timexes, e.figures, e.entities),
        (
            extracted.articles,
            extracted.quotes,
            extracted.timexes,
            extracted.figures,
            extracted.entities
        )
    );
}

/// Issue 18: the job on a PostgreSQL store decides, extracts, indexes and narrates exactly as on
/// the embedded one: the same events, stories and copies, the same story reports byte for byte,
/// the same counts, lists and search hits. Runs where `STORYLINE_TEST_POSTGRES` names a server
/// (`scripts/cluster-up`; CI requires it).
#[test]
fn the_job_on_postgres_decides_as_on_the_embedded_store() {
    let Some(pg) = storyline_store::testing::postgres() else {
        eprintln!("skipped: {} is not set", storyline_store::testing::TEST_POSTGRES_ENV);
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let n = 2200; // more than one clustering batch (2,048)
    let all = dir.path().join("all.jsonl");
    write_long_stream(&all, n);
    let model = Model::builtin().unwrap();
    let run = |engine: &mut Engine| {
        engine
            .run_job(
                &[Input::Path(all.clone())],
                &IngestOptions::default(),
                Some(&model),
                None,
                &mut |_| {},
            )
            .unwrap()
    };
    let mut lite = Engine::open(&dir.path().join("data")).unwrap();
    let mut post = Engine::open_at(&pg.location).unwrap();
    let (a, b) = (run(&mut lite), run(&mut post));
    assert_eq!(b.ingest.inserted as usize, n);
    assert_eq!(assignments(&post), assignments(&lite));
    assert_eq!((b.indexed, b.narrated), (a.indexed, a.narrated));
    let (x, y) = (&a.extract, &b.extract);
    assert_eq!(
        (y.articles, y.quotes, y.timexes, y.figures, y.entities),
        (x.articles, x.quotes, x.timexes, x.figures, x.entities)
    );
    let (ls, ps) = (lite.store(), post.store());
    assert!(a.narrated > 1);
    for story in 0..a.narrated as u32 + 5 {
        assert_eq!(
            ps.story_report(story).unwrap(),
            ls.story_report(story).unwrap(),
            "story {story}"
        );
    }
    let json = |v: &dyn std::fmt::Debug| format!("{v:?}");
    assert_eq!(json(&ps.stories(50, 0).unwrap()), json(&ls.stories(50, 0).unwrap()));
    assert_eq!(json(&ps.events(None, 50, 0).unwrap()), json(&ls.events(None, 50, 0).unwrap()));
    assert_eq!(json(&ps.entities(50, 0).unwrap()), json(&ls.entities(50, 0).unwrap()));
    assert_eq!(json(&ps.figures(50, 0).unwrap()), json(&ls.figures(50, 0).unwrap()));
    assert_eq!(json(&ps.quotes(None, 50, 0).unwrap()), json(&ls.quotes(None, 50, 0).unwrap()));
    assert_eq!(json(&ps.story_list(20, None).unwrap()), json(&ls.story_list(20, None).unwrap()));
    // Search: the same articles match, with the same facets over them.
    let analyzer = storyline_text::Analyzer::builtin().unwrap();
    let first = ls.list(1, 0).unwrap().remove(0).title;
    let word =
        first.split_whitespace().next().unwrap().trim_matches(|c: char| !c.is_alphanumeric());
    let terms = analyzer.query_terms(word, &["de"]);
    let (sl, sp) = (
        ls.search(&terms, &Default::default(), 2_000, 0).unwrap(),
        ps.search(&terms, &Default::default(), 2_000, 0).unwrap(),
    );
    assert!(sl.total > 1, "{word}");
    assert_eq!(sp.total, sl.total, "{word}");
    let ids = |r: &storyline_store::SearchResult| {
        let mut v: Vec<String> = r.hits.iter().map(|h| h.id.as_str().to_owned()).collect();
        v.sort();
        v
    };
    assert_eq!(ids(&sp), ids(&sl));
    assert_eq!(json(&sp.languages), json(&sl.languages));
    assert_eq!(json(&sp.stories), json(&sl.stories));
    assert_eq!(json(&sp.entities), json(&sl.entities));
    // Run again: nothing new on either.
    let again = run(&mut post);
    assert_eq!((again.ingest.inserted, again.extract.articles, again.indexed), (0, 0, 0));
    assert_eq!(assignments(&post), assignments(&lite));
}

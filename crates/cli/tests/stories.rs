//! End-to-end tests of the story engine's commands on the five seed articles: `events`,
//! `stories`, `explain`, `cluster --rebuild`, and `eval seeds`; these pin the lexical engine
//! (`--no-embeddings`) so they do not depend on what is installed. The last test needs the
//! sentence-encoder model and says so when it is missing.

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../resources/sample");

fn storyline(data: &Path, args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_storyline"))
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    out
}

/// Whether the sentence-encoder model is installed; when it is not, says the test is skipped
/// (and fails where `STORYLINE_REQUIRE_MODEL` is set, as under CI).
fn model_installed() -> bool {
    if storyline_embed::locate(None).is_ok() {
        return true;
    }
    assert!(std::env::var_os("STORYLINE_REQUIRE_MODEL").is_none(), "the model is required here");
    eprintln!("skipped, needs the model: {}", storyline_embed::INSTALL_HINT);
    false
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap()
}

/// External id -> (event, story), through `articles list` and `explain --json`.
fn groups(data: &Path) -> Vec<(String, u64, u64)> {
    let list = json(&storyline(data, &["articles", "list", "--json"]));
    let mut out: Vec<(String, u64, u64)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            let e = json(&storyline(data, &["explain", a["id"].as_str().unwrap(), "--json"]));
            (
                a["external_id"].as_str().unwrap()[..3].to_string(),
                e["event"].as_u64().unwrap(),
                e["story"].as_u64().unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn seeds_form_one_story_and_the_2024_visit_is_never_merged_into_the_2023_trip() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let out = storyline(&data, &["ingest", SAMPLE, "--no-embeddings", "--json"]);
    assert_eq!(json(&out)["clustered"], 5);
    let g = groups(&data);
    assert!(g.iter().all(|(_, _, s)| *s == g[0].2), "one story: {g:?}");
    let visit_2024 = g.iter().find(|x| x.0 == "001").unwrap().1;
    assert!(g.iter().filter(|x| x.0 != "001").all(|x| x.1 != visit_2024), "{g:?}");
    // The lexical engine gets the gold grouping exactly: the four 2023 reports are one event.
    let trip_2023: Vec<u64> = g.iter().filter(|x| x.0 != "001").map(|x| x.1).collect();
    assert!(trip_2023.iter().all(|e| *e == trip_2023[0]), "{g:?}");

    let stories = json(&storyline(&data, &["stories", "--json"]));
    assert_eq!(stories.as_array().unwrap().len(), 1);
    assert_eq!(stories[0]["articles"], 5);
    let events = json(&storyline(&data, &["events", "--json"]));
    let total: u64 =
        events.as_array().unwrap().iter().map(|e| e["articles"].as_u64().unwrap()).sum();
    assert_eq!(total, 5, "every article is in exactly one event");
    let of_story =
        json(&storyline(&data, &["events", "--story", &stories[0]["id"].to_string(), "--json"]));
    assert_eq!(of_story, events);

    // Rebuilding from scratch gives the same decisions: the engine is deterministic.
    storyline(&data, &["cluster", "--rebuild", "--no-embeddings"]);
    assert_eq!(groups(&data), g);
}

#[test]
fn explain_shows_the_decision_each_feature_and_the_runner_up() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    storyline(&data, &["ingest", SAMPLE, "--no-embeddings"]);
    // The 2024 visit: its text dates it after the 2023 event's window, so it is not scored.
    let text =
        String::from_utf8(storyline(&data, &["explain", "001_85a51e6dd4092c16"]).stdout).unwrap();
    assert!(
        text.contains("decision: new event; event 0 matched but closed a window before the article, written on 2024-01-01 or later"),
        "{text}"
    );
    // A 2023 report joins its event: features, contributions, and the runner-up line.
    let text =
        String::from_utf8(storyline(&data, &["explain", "003_acc5f948bcb64856"]).stdout).unwrap();
    assert!(text.contains("decision: joined event"), "{text}");
    assert!(text.contains("tokens_all") && text.contains("CONTRIBUTION"), "{text}");
    assert!(text.contains("runner-up:"), "{text}");
    let e = json(&storyline(&data, &["explain", "003_acc5f948bcb64856", "--json"]));
    let best = &e["best"];
    let sum: f64 = best["contributions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["contribution"].as_f64().unwrap())
        .sum();
    let logit = sum + e["bias"].as_f64().unwrap();
    let p = 1.0 / (1.0 + (-logit).exp());
    assert!(
        (p - best["probability"].as_f64().unwrap()).abs() < 1e-3,
        "contributions add up to the score"
    );
    assert!(best["probability"].as_f64().unwrap() >= e["threshold"].as_f64().unwrap());

    let missing = Command::new(env!("CARGO_BIN_EXE_storyline"))
        .arg("--data-dir")
        .arg(&data)
        .args(["explain", "nope"])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(1));
}

#[test]
fn eval_seeds_prints_pairwise_and_bcubed_for_events_and_stories() {
    // The sample with a gold grouping written here: the 2024 visit apart, the rest one event.
    let dir = tempfile::tempdir().unwrap();
    let seeds = dir.path().join("seeds");
    std::fs::create_dir(&seeds).unwrap();
    for f in std::fs::read_dir(SAMPLE).unwrap() {
        let f = f.unwrap().path();
        std::fs::copy(&f, seeds.join(f.file_name().unwrap())).unwrap();
    }
    let ids = [
        "000_f2a174505cc65b25",
        "001_85a51e6dd4092c16",
        "002_a4bb6051e356c940",
        "003_acc5f948bcb64856",
        "004_f6e20251b56ca16a",
    ];
    let gold = serde_json::json!({
        "story": {"articles": ids},
        "events": [{"articles": [ids[0], ids[2], ids[3], ids[4]]}, {"articles": [ids[1]]}],
    });
    std::fs::write(seeds.join("gold.json"), gold.to_string()).unwrap();
    let out = storyline(
        &dir.path().join("d"),
        &["eval", "seeds", "--data", seeds.to_str().unwrap(), "--no-embeddings", "--json"],
    );
    let v = json(&out);
    assert_eq!(v["suite"], "seeds");
    let m = &v["metrics"];
    for k in ["precision", "recall", "f1", "bcubed_precision", "bcubed_recall", "bcubed_f1"] {
        assert!(m[k].is_number(), "{k}");
    }
    assert_eq!(m["events"]["precision"], 1.0, "no two gold events merged");
    assert_eq!(m["events"]["exact"], true);
    assert_eq!(m["events"]["stories"]["exact"], true);
}

/// A German and a Russian report of one happening (no word in common but the number; the Russian
/// one translates the German), and a German report of another.
const CROSS_LINGUAL: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/cross_lingual.jsonl");

#[test]
fn with_the_sentence_encoder_a_german_and_a_russian_report_of_one_event_meet() {
    if !model_installed() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let input = std::path::PathBuf::from(CROSS_LINGUAL);
    let data = dir.path().join("data");
    storyline(&data, &["ingest", input.to_str().unwrap()]);
    let event =
        |id: &str| json(&storyline(&data, &["explain", id, "--json"]))["event"].as_u64().unwrap();
    // The scorers learned from the labelled streams do not join the two on a title-and-lead
    // cosine of 0.6 alone (independent reports of other events across languages reach it in
    // the dev streams); see docs/BENCHMARKS.md, cross-lingual events. What must hold: the
    // Russian report is scored against the German event by its sentence vector, which is
    // found and near, and the other German report stays apart. (The built-in model ships no
    // scorer that weighs the vector, see resources/model/scorer.json; the vector still finds
    // the candidate and is shown.)
    assert_ne!(event("de-flood"), event("de-vote"));
    let e = json(&storyline(&data, &["explain", "ru-flood", "--json"]));
    assert_eq!(e["best"]["event"].as_u64(), Some(event("de-flood")), "{e}");
    let dense = e["best"]["contributions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["feature"] == "dense")
        .unwrap()
        .clone();
    assert!(dense["value"].as_f64().unwrap() > 0.5, "{dense}");

    // Without the sentence vectors the two reports share no term, and stay apart.
    let lexical = dir.path().join("lexical");
    storyline(&lexical, &["ingest", input.to_str().unwrap(), "--no-embeddings"]);
    let event = |id: &str| {
        json(&storyline(&lexical, &["explain", id, "--json"]))["event"].as_u64().unwrap()
    };
    assert_ne!(event("de-flood"), event("ru-flood"));
}

#[test]
fn with_the_sentence_encoder_the_seeds_are_still_two_events_in_one_story() {
    if !model_installed() {
        return;
    }
    // The vectors see one topic in both visits (cosine 0.88); what keeps the undated 2024 report
    // apart is its photo caption, which narrates 2023 as past.
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    storyline(&data, &["ingest", SAMPLE]);
    let g = groups(&data);
    let visit_2024 = g.iter().find(|x| x.0 == "001").unwrap().1;
    let trip_2023: Vec<u64> = g.iter().filter(|x| x.0 != "001").map(|x| x.1).collect();
    assert!(trip_2023.iter().all(|e| *e == trip_2023[0] && *e != visit_2024), "{g:?}");
    assert!(g.iter().all(|(_, _, s)| *s == g[0].2), "one story: {g:?}");
    let e = json(&storyline(&data, &["explain", "001_85a51e6dd4092c16", "--json"]));
    assert_eq!(e["closed"], serde_json::json!([trip_2023[0]]), "{e}");
    let shown = json(&storyline(&data, &["articles", "show", "001_85a51e6dd4092c16", "--json"]));
    assert_eq!(shown["not_before"], "2024-01-01", "{shown}");
}

/// An English translation of seed 000's title and lead (written for this test) and an English
/// report of the same meeting written independently.
const TRANSLATION: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/translation.jsonl");

#[test]
fn with_the_sentence_encoder_a_translated_copy_links_to_its_original() {
    if !model_installed() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    storyline(&data, &["ingest", SAMPLE, TRANSLATION]);
    let original = json(&storyline(&data, &["explain", "000_f2a174505cc65b25", "--json"]));
    let e = json(&storyline(&data, &["explain", "en-translation", "--json"]));
    assert_eq!(e["copy_of"]["kind"], "translation", "{e}");
    assert_eq!(e["copy_of"]["original"], original["article"], "{e}");
    assert_eq!(e["event"], original["event"]);
    let text = String::from_utf8(storyline(&data, &["explain", "en-translation"]).stdout).unwrap();
    assert!(text.contains("decision: translation copy of"), "{text}");
    // The independent English report of the same meeting is no copy. (The scorers learned from
    // the labelled streams keep it out of the German event: across languages they want more
    // than the sentence vector; see docs/BENCHMARKS.md, cross-lingual events.)
    let e = json(&storyline(&data, &["explain", "en-independent", "--json"]));
    assert!(e["copy_of"].is_null(), "{e}");
    // The event counts the translation once, with its original.
    let events = json(&storyline(&data, &["events", "--json"]));
    let event = events.as_array().unwrap().iter().find(|x| x["id"] == original["event"]).unwrap();
    let independent = event["articles"].as_u64().unwrap() - 1;
    assert_eq!(event["independent"].as_u64(), Some(independent), "{event}");
    // The same when the original was clustered in an earlier run (read back from the store).
    let later = dir.path().join("later");
    storyline(&later, &["ingest", SAMPLE]);
    storyline(&later, &["ingest", TRANSLATION]);
    let e = json(&storyline(&later, &["explain", "en-translation", "--json"]));
    assert_eq!(e["copy_of"]["kind"], "translation", "{e}");
}

#[test]
fn export_writes_every_format_and_names_a_bad_one() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    storyline(&data, &["ingest", SAMPLE, "--no-embeddings"]);
    let story =
        json(&storyline(&data, &["stories", "--json"]))[0]["id"].as_u64().unwrap().to_string();
    let md = String::from_utf8(storyline(&data, &["export", &story]).stdout).unwrap();
    assert!(md.starts_with("# ") && md.contains("## Figures ledger"), "{md}");
    assert!(md.contains("| yes |"), "the shells' disagreement is flagged: {md}");
    assert!(md.contains("undated, not before 2024-01-01; 1 article,"), "{md}");
    let file = dir.path().join("story.html");
    storyline(&data, &["export", &story, "--format", "html", "--out", file.to_str().unwrap()]);
    let html = std::fs::read_to_string(&file).unwrap();
    assert!(html.to_ascii_lowercase().starts_with("<!doctype html>"));
    assert!(html.contains("<section id=\"timeline\">"), "{html}");
    let report = json(&storyline(&data, &["export", &story, "--format", "json"]));
    assert_eq!(report["events"].as_array().unwrap().len(), 2);
    let timeline: Vec<(String, String)> = report["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["date"].as_str().unwrap().into(), t["kind"].as_str().unwrap().into()))
        .collect();
    // The undated 2024 visit is placed by its text; "bis Mittwoch" in a report of Tuesday 12
    // September looks ahead; "im August" in an undated report stays off the timeline.
    assert!(timeline.contains(&("2024-01-01".into(), "not before".into())), "{timeline:?}");
    assert!(timeline.contains(&("2023-09-13".into(), "stated".into())), "{timeline:?}");
    assert!(!timeline.iter().any(|(d, _)| d == "2023-09-06" || d == "2019-08"), "{timeline:?}");
    let csv =
        String::from_utf8(storyline(&data, &["export", &story, "--format", "csv"]).stdout).unwrap();
    assert!(csv.lines().next().unwrap().starts_with("record,event,date"));
    assert!(csv.lines().any(|l| l.starts_with("quote,")));
    let jsonl =
        String::from_utf8(storyline(&data, &["export", &story, "--format", "jsonl"]).stdout)
            .unwrap();
    assert!(jsonl.lines().all(|l| serde_json::from_str::<Value>(l).is_ok()));

    let bad = Command::new(env!("CARGO_BIN_EXE_storyline"))
        .arg("--data-dir")
        .arg(&data)
        .args(["export", &story, "--format", "pdf"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("unknown format \"pdf\""));
    let missing = Command::new(env!("CARGO_BIN_EXE_storyline"))
        .arg("--data-dir")
        .arg(&data)
        .args(["export", "999"])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no story 999"));
}

//! End-to-end tests of the extraction commands on the five seed articles: `quotes`, and the
//! quotes and times `articles show` prints.

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../resources/sample");

fn run(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_storyline"))
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .output()
        .unwrap()
}

fn json(out: &Output) -> Value {
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn quotes_by_speaker_in_any_spelling_and_per_article() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let out = run(&data, &["ingest", SAMPLE, "--no-embeddings"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("articles extracted"), "{out:?}");

    let peskow = json(&run(&data, &["quotes", "--speaker", "Peskow", "--json"]));
    let texts: Vec<&str> =
        peskow.as_array().unwrap().iter().map(|q| q["text"].as_str().unwrap()).collect();
    assert!(texts.iter().any(|t| t.starts_with("das Treffen werde")), "{texts:?}");
    assert!(peskow.as_array().unwrap().iter().all(|q| q["speaker_name"] == "Dmitri Peskow"));

    // "Kim Jong-un" finds the quotes written under "Kim Jong Un" too.
    let kim = json(&run(&data, &["quotes", "--speaker", "Kim Jong-un", "--json"]));
    assert!(
        kim.as_array()
            .unwrap()
            .iter()
            .any(|q| q["text"].as_str().unwrap().contains("heiligen Kampf")),
        "{kim}"
    );

    let nobody = run(&data, &["quotes", "--speaker", "Niemand Unbekannt"]);
    assert_eq!(nobody.status.code(), Some(1), "nothing found is exit code 1");

    // The dated report: its weekday resolved against its date, its quotes with speakers.
    let list = json(&run(&data, &["articles", "list", "--json"]));
    let dated = list
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["external_id"].as_str().unwrap().starts_with("000"))
        .unwrap();
    let shown = json(&run(&data, &["articles", "show", dated["id"].as_str().unwrap(), "--json"]));
    let times = shown["times"].as_array().unwrap();
    let montag = times.iter().find(|t| t["text"] == "Montag").unwrap();
    assert_eq!(
        (montag["value"].as_str(), montag["resolution"].as_str()),
        (Some("2023-09-11"), Some("document"))
    );
    let quotes = shown["quotes"].as_array().unwrap();
    assert!(
        quotes.iter().any(|q| q["speaker_name"] == "Andrej Rudenko" && q["kind"] == "Indirect"),
        "{quotes:?}"
    );
    for q in quotes {
        let (s, e) = (q["start"].as_u64().unwrap() as usize, q["end"].as_u64().unwrap() as usize);
        assert_eq!(
            shown["text"].as_str().unwrap().get(s..e),
            q["text"].as_str(),
            "spans point into the clean text"
        );
    }

    // An undated report keeps its weekdays unresolved.
    let undated = list
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["external_id"].as_str().unwrap().starts_with("003"))
        .unwrap();
    let shown = json(&run(&data, &["articles", "show", undated["id"].as_str().unwrap(), "--json"]));
    let wednesday =
        shown["times"].as_array().unwrap().iter().find(|t| t["text"] == "Mittwoch").unwrap();
    assert_eq!(wednesday["resolution"], "unresolved");

    let text =
        String::from_utf8(run(&data, &["articles", "show", dated["id"].as_str().unwrap()]).stdout)
            .unwrap();
    assert!(
        text.contains("\nentities:\n")
            && text.contains("\nquotes:\n")
            && text.contains("\ntimes:\n")
            && text.contains("Dmitri Peskow"),
        "{text}"
    );
}

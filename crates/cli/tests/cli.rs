//! End-to-end tests of the `storyline` binary: every reader, every bad-input case, idempotency,
//! and the five seed articles. Fixtures are written by the tests themselves.

use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../resources/sample");

fn storyline(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_storyline"))
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .output()
        .unwrap()
}

fn with_stdin(data: &Path, args: &[&str], input: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_storyline"))
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: stdout {:?} stderr {:?}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn show(data: &Path, id: &str) -> Value {
    let out = storyline(data, &["articles", "show", id, "--json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    json(&out)
}

fn count(data: &Path) -> usize {
    json(&storyline(data, &["articles", "list", "--limit", "1000", "--json"]))
        .as_array()
        .unwrap()
        .len()
}

fn reasons(article: &Value, field: &str) -> Vec<String> {
    article["decisions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["field"] == field)
        .map(|d| format!("{} | {}", d["value"].as_str().unwrap(), d["reason"].as_str().unwrap()))
        .collect()
}

struct Fixture {
    _dir: tempfile::TempDir,
    root: PathBuf,
}

impl Fixture {
    fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_owned();
        Fixture { _dir: dir, root }
    }
    fn data(&self) -> PathBuf {
        self.root.join("data")
    }
    fn file(&self, name: &str, bytes: impl AsRef<[u8]>) -> String {
        let p = self.root.join("in").join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, bytes).unwrap();
        p.display().to_string()
    }
}

#[test]
fn seeds_ingest_as_five_german_articles_with_titles_dates_and_clean_bodies() {
    let f = Fixture::new();
    let out = storyline(&f.data(), &["ingest", SAMPLE, "--json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(json(&out)["inserted"], 5);

    let a = show(&f.data(), "000_f2a174505cc65b25");
    assert_eq!(
        a["title"],
        "Treffen mit Putin geplant Nordkoreas Machthaber Kim in Russland eingetroffen"
    );
    assert_eq!(a["date"]["iso"], "2023-09-12T07:43+02:00");
    assert_eq!(a["date"]["precision"], "minute");
    assert_eq!(a["date"]["timezone"], "Europe/Berlin");
    assert_eq!(a["date"]["source"], "text");
    assert!(a["text"]
        .as_str()
        .unwrap()
        .starts_with("Ein Treffen zwischen Nordkoreas Machthaber Kim"));
    assert!(!a["text"].as_str().unwrap().contains("Stand:"));

    let b = show(&f.data(), "001_85a51e6dd4092c16");
    assert_eq!(b["title"], "Putin trifft Kim: Russland und Nordkorea wollen Beziehungen stärken");
    let text = b["text"].as_str().unwrap();
    for gone in [
        "Startseite",
        "Politik\n",
        "KommentareDrucken",
        "Auch interessant",
        "Kommentare",
        "© picture alliance",
        "Kim Jong Un in Russland\n",
        "(sek)",
    ] {
        assert!(!text.contains(gone), "{gone:?} left in the text");
    }
    assert!(text.starts_with("Russlands Präsident Putin besucht Nordkorea"));
    assert!(text.ends_with("ihre Verteidigungszusammenarbeit."));
    assert!(b["date"].is_null());
    assert!(reasons(&b, "date")[0].starts_with("unknown | no date"));

    let c = show(&f.data(), "002_a4bb6051e356c940");
    assert_eq!(c["date"]["iso"], "2023-09");
    assert_eq!(c["date"]["precision"], "month");
    // The headline verbatim, its full stop included.
    assert_eq!(c["title"], "Nordkoreas Diktator Kim Jong-Un verlässt sein Land nur ungern.");
    assert!(!c["text"].as_str().unwrap().contains("© REUTERS"));

    let d = show(&f.data(), "003_acc5f948bcb64856");
    assert_eq!(d["outlet"], "dpa, AFP");
    assert!(reasons(&d, "outlet")[0].contains("agency credit line"));
    assert!(!d["text"].as_str().unwrap().contains("Eigene Recherche"));

    let e = show(&f.data(), "004_f6e20251b56ca16a");
    let text = e["text"].as_str().unwrap();
    assert!(text.ends_with("zusammen mit China vorgeschlagen."), "repeated headline not removed");
    assert!(reasons(&e, "boilerplate").iter().any(|r| r.ends_with("headline repeated at the end")));

    for id in [
        "000_f2a174505cc65b25",
        "001_85a51e6dd4092c16",
        "002_a4bb6051e356c940",
        "003_acc5f948bcb64856",
        "004_f6e20251b56ca16a",
    ] {
        assert_eq!(show(&f.data(), id)["lang"], "de", "{id}");
    }
}

#[test]
fn ingest_is_idempotent_and_an_interrupted_run_completes_without_duplicates() {
    let f = Fixture::new();
    // An "interrupted" first run that got through two files only.
    let part: Vec<String> = ["000_f2a174505cc65b25.txt", "001_85a51e6dd4092c16.txt"]
        .iter()
        .map(|n| format!("{SAMPLE}/{n}"))
        .collect();
    let out = storyline(&f.data(), &["ingest", &part[0], &part[1], "--json"]);
    assert_eq!(json(&out)["inserted"], 2);
    let out = storyline(&f.data(), &["ingest", SAMPLE, "--json"]);
    assert_eq!(
        (json(&out)["inserted"].clone(), json(&out)["existing"].clone()),
        (3.into(), 2.into())
    );
    let out = storyline(&f.data(), &["ingest", SAMPLE, "--json"]);
    assert_eq!(json(&out)["inserted"], 0);
    assert_eq!(count(&f.data()), 5);
}

#[test]
fn jsonl_on_stdin_in_three_layouts() {
    let f = Fixture::new();
    let input = concat!(
        r#"{"title":"Kim in Russland","maintext":"Der Zug hat die Grenze überquert. Kremlsprecher Peskow bestätigte die Ankunft.","date_publish":"2023-09-12 07:43:00","source_domain":"www.tagesschau.de","language":"de","url":"https://www.tagesschau.de/ausland/kim-101.html"}"#,
        "\n",
        r#"{"title":"Kim arrives in Russia","text":"North Korean leader Kim Jong Un has arrived in Russia by train, the Kremlin said.","date":"2023-09-12","hostname":"example.com"}"#,
        "\n",
        r#"{"id":"x1","title":"Putin à Pyongyang","body":"Le président russe est arrivé à Pyongyang pour une visite de deux jours.","date":"2024-06-19T01:00:00+09:00","source":"Le Exemple"}"#,
        "\n",
    );
    let out = with_stdin(&f.data(), &["ingest", "-", "--json"], input.as_bytes());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let a = show(&f.data(), "x1");
    assert_eq!((a["lang"].as_str(), a["outlet"].as_str()), (Some("fr"), Some("Le Exemple")));
    assert_eq!(a["date"]["iso"], "2024-06-19T01:00:00+09:00");
    assert_eq!(a["source"]["path"], "-");
    let list = json(&storyline(&f.data(), &["articles", "list", "--json"]));
    let first = &list[0];
    assert_eq!(first["outlet"], "tagesschau.de");
    assert_eq!(first["date"], "2023-09-12T07:43:00");
    assert_eq!(list[1]["lang"], "en");
    assert_eq!(list[1]["outlet"], "example.com");
}

/// Issue 19: scraped plain text whose headline, byline, dateline and body run together on one
/// line gets a clean headline, the byline as its author and the dateline as its date.
#[test]
fn run_together_scrapes_get_their_headline_author_and_date() {
    let f = Fixture::new();
    let input = concat!(
        r#"{"id":"r1","text":"EU verhängt Einreiseverbot für US-Bürger wegen Ausbreitung EU verhängt Einreiseverbot für US-Bürger wegen Ausbreitung Von Alex Lantier 30. Juni 2020 Am Freitagabend hat die Europäische Union beschlossen, die Grenzen zu schließen. Die Regel gilt ab Juli."}"#,
        "\n",
        r#"{"id":"r2","text":"Bakers protest flour prices in the capital BERLIN (Reuters) - Hundreds of bakers marched through the city on Monday. They want lower prices."}"#,
        "\n",
        r#"{"id":"r3","text":"Stadtrat beschließt neuen Haushalt  Am Montag hat der Stadtrat den Haushalt beschlossen. Er gilt ab Januar."}"#,
        "\n",
    );
    let out = with_stdin(&f.data(), &["ingest", "-", "--json"], input.as_bytes());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let a = show(&f.data(), "r1");
    assert_eq!(a["title"], "EU verhängt Einreiseverbot für US-Bürger wegen Ausbreitung");
    assert_eq!(a["author"], "Alex Lantier");
    assert_eq!(a["date"]["iso"], "2020-06-30");
    assert_eq!(a["date"]["source"], "text");
    assert!(a["text"].as_str().unwrap().starts_with("Am Freitagabend"), "{}", a["text"]);
    assert!(reasons(&a, "author")[0].contains("byline at the top"));
    let b = show(&f.data(), "r2");
    assert_eq!(b["title"], "Bakers protest flour prices in the capital");
    assert!(b["author"].is_null());
    let c = show(&f.data(), "r3");
    assert_eq!(c["title"], "Stadtrat beschließt neuen Haushalt");
    assert!(c["text"].as_str().unwrap().starts_with("Am Montag hat"));
    // The text view names the author too.
    let text = storyline(&f.data(), &["articles", "show", "r1"]);
    assert!(String::from_utf8_lossy(&text.stdout).contains("author:   Alex Lantier"));
}

const PAGE: &str = r#"<!DOCTYPE html><html lang="de"><head><meta charset="utf-8">
<title>Kim trifft Putin | Beispielblatt</title>
<meta property="og:title" content="Kim trifft Putin am Weltraumbahnhof">
<meta property="og:site_name" content="Beispielblatt">
<meta property="article:published_time" content="2023-09-13T10:00:00+02:00">
</head><body>
<nav><ul><li><a href="/">Startseite</a></li><li><a href="/politik">Politik</a></li></ul></nav>
<article><h1>Kim trifft Putin am Weltraumbahnhof</h1>
<p>Nordkoreas Machthaber Kim Jong Un und Kremlchef Wladimir Putin haben sich am Mittwoch auf dem Weltraumbahnhof Wostotschny getroffen. Das berichtete die staatliche Nachrichtenagentur Tass.</p>
<p>Putin begrüßte Kim mit einem Lächeln und sagte vor laufenden Kameras, er sei froh, ihn zu sehen. Russland werde Nordkorea beim Bau von Satelliten helfen, sagte Putin nach Angaben russischer Agenturen.</p>
<p>Die USA verdächtigen Russland, den Termin zu nutzen, um nordkoreanische Waffen und Munition zu kaufen. Es wäre ein internationaler Tabubruch.</p>
</article>
<footer><p>© Beispielblatt 2023. Alle Rechte vorbehalten.</p><a href="/impressum">Impressum</a></footer>
</body></html>"#;

#[test]
fn html_page_gives_main_text_and_its_own_metadata() {
    let f = Fixture::new();
    let page = f.file("kim.html", PAGE);
    let out = storyline(&f.data(), &["ingest", &page]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let a = show(&f.data(), "kim");
    assert_eq!(a["title"], "Kim trifft Putin am Weltraumbahnhof");
    assert_eq!(a["outlet"], "Beispielblatt");
    assert_eq!(a["lang"], "de");
    assert_eq!(a["date"]["iso"], "2023-09-13");
    let text = a["text"].as_str().unwrap();
    assert!(text.contains("Weltraumbahnhof Wostotschny getroffen"), "{text}");
    assert!(!text.contains("Impressum") && !text.contains("Startseite"), "{text}");
}

#[test]
fn rss_atom_and_gzipped_warc() {
    let f = Fixture::new();
    let rss = f.file("feed.rss", r#"<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Beispiel-Zeitung</title><language>de</language>
<item><guid>rss-1</guid><title>Kim in Russland eingetroffen</title><link>https://beispiel.example/kim</link><pubDate>Tue, 12 Sep 2023 05:43:00 GMT</pubDate>
<description>&lt;p&gt;Der Zug des nordkoreanischen Machthabers Kim Jong Un hat Russland erreicht. Das bestätigte Kremlsprecher Dmitri Peskow.&lt;/p&gt;</description></item>
</channel></rss>"#);
    let atom = f.file("feed.atom", r#"<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Example Wire</title><id>urn:x</id><updated>2024-06-19T00:00:00Z</updated>
<entry><id>atom-1</id><title>Putin lands in Pyongyang</title><link href="https://wire.example/putin"/><published>2024-06-18T15:00:00Z</published><updated>2024-06-18T16:00:00Z</updated>
<content type="html">&lt;p&gt;Russian President Vladimir Putin arrived in Pyongyang for talks with North Korean leader Kim Jong Un, state media reported.&lt;/p&gt;</content></entry></feed>"#);
    let record = |uri: &str, html: &str| {
        let payload =
            format!("HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n{html}");
        format!("WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: {uri}\r\nWARC-Date: 2023-09-13T12:00:00Z\r\nContent-Length: {}\r\n\r\n{payload}\r\n\r\n", payload.len())
    };
    let warc = format!(
        "WARC/1.0\r\nWARC-Type: warcinfo\r\nContent-Length: 4\r\n\r\ninfo\r\n\r\n{}",
        record("https://www.beispielblatt.example/politik/2023/09/13/kim-putin.html", PAGE)
    );
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(warc.as_bytes()).unwrap();
    let warc_path = f.file("cc-news.warc.gz", gz.finish().unwrap());
    let out = storyline(&f.data(), &["ingest", &rss, &atom, &warc_path, "--json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(json(&out)["inserted"], 3);
    let r = show(&f.data(), "rss-1");
    assert_eq!(
        (r["title"].as_str(), r["outlet"].as_str(), r["lang"].as_str()),
        (Some("Kim in Russland eingetroffen"), Some("Beispiel-Zeitung"), Some("de"))
    );
    assert_eq!(r["date"]["iso"], "2023-09-12T05:43:00+00:00");
    assert!(r["text"].as_str().unwrap().starts_with("Der Zug des nordkoreanischen"));
    let a = show(&f.data(), "atom-1");
    assert_eq!(
        (a["lang"].as_str(), a["date"]["iso"].as_str()),
        (Some("en"), Some("2024-06-18T15:00:00+00:00"))
    );
    let w = show(&f.data(), "https://www.beispielblatt.example/politik/2023/09/13/kim-putin.html");
    assert_eq!(w["source"]["format"], "warc");
    assert_eq!(w["date"]["iso"], "2023-09-13");
    assert!(w["text"].as_str().unwrap().contains("Wostotschny"));
}

#[test]
fn bad_inputs_are_named_the_rest_is_ingested_and_the_exit_code_says_so() {
    let f = Fixture::new();
    let good =
        f.file("good.txt", "Kim in Russland\n\nDer Zug des Machthabers hat die Grenze überquert.");
    let empty = f.file("empty.txt", "");
    let binary = f.file("binary.txt", b"\x00\x01\x02\x03PK\x05\x06");
    let nohtml =
        f.file("blank.html", "<html><head><title></title></head><body><div> </div></body></html>");
    let jsonl = f.file(
        "mixed.jsonl",
        [
            &b"{\"id\":\"j1\",\"title\":\"Eins\",\"text\":\"Der erste Artikel ist in Ordnung.\"}\n"[..],
            b"{\"id\":\"j2\",\"text\":\"caf\xe9 ung\xfcltig\"}\n",
            b"{\"id\":\"j3\",\"text\":\"abgeschnitten\n",
            b"[\"kein\", \"Objekt\"]\n",
            b"{\"id\":\"j5\",\"title\":\"F\xc3\xbcnf\",\"text\":\"Der f\xc3\xbcnfte Artikel ist auch in Ordnung.\"}\n",
        ]
        .concat(),
    );
    let big = f.root.join("in/big.txt");
    std::fs::File::create(&big).unwrap().set_len(50_000_000).unwrap();
    let missing = f.root.join("in/does-not-exist.txt").display().to_string();
    let big = big.display().to_string();
    let out = storyline(
        &f.data(),
        &["ingest", &good, &empty, &binary, &nohtml, &jsonl, &big, &missing, "--json"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let report = json(&out);
    assert_eq!(report["inserted"], 3);
    let rejects: Vec<String> = report["rejects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let path = Path::new(r["path"].as_str().unwrap())
                .file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .to_owned();
            format!("{}:{}:{}", path, r["line"], r["kind"].as_str().unwrap())
        })
        .collect();
    for expected in [
        "empty.txt:null:empty",
        "binary.txt:null:binary",
        "blank.html:null:no_text",
        "mixed.jsonl:2:invalid_utf8",
        "mixed.jsonl:3:bad_json",
        "mixed.jsonl:4:bad_json",
        "big.txt:null:too_large",
        "does-not-exist.txt:null:not_found",
    ] {
        assert!(rejects.contains(&expected.to_owned()), "{expected} missing from {rejects:?}");
    }
    assert_eq!(rejects.len(), 8, "{rejects:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("mixed.jsonl:3: not a complete JSON object"), "{stderr}");
    assert!(stderr.contains("big.txt: 50.0 MB is more than"), "{stderr}");
    assert_eq!(show(&f.data(), "j5")["title"], "Fünf");
}

/// Issue 17, rows 1, 4 and 5: a page nested 10,000 deep, a gzipped megabyte of zeros and 1,500
/// bad lines next to good documents. The process used to abort on the page (losing the batch),
/// read the zeros whole, and print the rejects only at the end.
#[test]
fn hostile_inputs_are_named_and_the_rest_is_stored() {
    let f = Fixture::new();
    let good =
        f.file("good.txt", "Kim in Russland\n\nDer Zug des Machthabers hat die Grenze überquert.");
    let deep = f.file(
        "deep.html",
        format!(
            "<html><body>{}<p>{}</p>{}</body></html>",
            "<div>".repeat(10_000),
            "Die Regierung hat am Montag neue Maßnahmen beschlossen. ".repeat(10),
            "</div>".repeat(10_000)
        ),
    );
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&vec![0u8; 10_000_000]).unwrap();
    let zeros = f.file("z.jsonl.gz", gz.finish().unwrap());
    let bad = f.file("bad.jsonl", "kein json\n".repeat(1_500));
    let out = storyline(
        &f.data(),
        &["ingest", &good, &deep, &zeros, &bad, "--max-doc-mb", "0.5", "--no-cluster", "--json"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let report = json(&out);
    assert_eq!(report["inserted"], 2);
    assert_eq!(report["rejected"], 1_501);
    assert_eq!(report["rejected_by_kind"], serde_json::json!({"bad_json": 1_500, "too_large": 1}));
    assert_eq!(report["rejects"].as_array().unwrap().len(), 1_000, "the first 1,000 in full");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let listed = stderr.lines().filter(|l| l.starts_with("skipped ")).count();
    assert_eq!(listed, 1_501, "every reject on stderr");
    assert!(stderr.contains("z.jsonl.gz:1: line of 10000000 bytes is longer"), "{stderr}");
    assert!(stderr.contains("1501 inputs skipped (bad_json 1500, too_large 1)"), "{stderr}");
}

#[test]
fn read_only_data_dir_is_an_error_and_loses_nothing() {
    let f = Fixture::new();
    assert!(storyline(&f.data(), &["ingest", SAMPLE]).status.success());
    let mut perms = std::fs::metadata(f.data()).unwrap().permissions();
    perms.set_readonly(true);
    std::fs::set_permissions(f.data(), perms.clone()).unwrap();
    let page = f.file("kim.html", PAGE);
    let out = storyline(&f.data(), &["ingest", &page]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("read-only") && stderr.contains(&f.data().display().to_string()),
        "{stderr}"
    );
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(f.data(), perms).unwrap();
    assert_eq!(count(&f.data()), 5);
}

#[test]
fn encodings_and_mojibake_are_repaired() {
    let f = Fixture::new();
    let latin1 = f.file("latin1.txt", b"Gr\xfc\xdfe aus M\xfcnchen\n\nDie Stadt M\xfcnchen begr\xfc\xdft die G\xe4ste aus \xd6sterreich und der Schweiz.");
    let moji = f.file(
        "moji.txt",
        "Demo in MÃ¼nchen\n\nDie Polizei in MÃ¼nchen nimmt an einem PressegesprÃ¤ch teil.",
    );
    let out = storyline(&f.data(), &["ingest", &latin1, &moji]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let a = show(&f.data(), "latin1");
    assert_eq!(a["title"], "Grüße aus München");
    assert!(reasons(&a, "encoding")[0].contains("not valid UTF-8"));
    let m = show(&f.data(), "moji");
    assert_eq!(m["title"], "Demo in München");
    assert!(m["text"].as_str().unwrap().contains("Pressegespräch"));
    assert!(reasons(&m, "encoding")[0].contains("mojibake"));
}

#[test]
fn an_outlets_repeated_lines_are_learned_from_what_is_stored() {
    let f = Fixture::new();
    let line = |i: usize| {
        format!(
            r#"{{"id":"n{i}","source_domain":"kurier.example","title":"Meldung {i}","text":"Jetzt den Newsletter abonnieren und nichts verpassen\nDie Meldung Nummer {i} handelt von etwas ganz anderem als die übrigen Meldungen. Sie ist lang genug, dass nach dem Entfernen der wiederholten Zeile noch ein richtiger Artikeltext übrig bleibt."}}"#
        )
    };
    let first: String = (0..3).map(|i| line(i) + "\n").collect();
    assert!(with_stdin(&f.data(), &["ingest", "-"], first.as_bytes()).status.success());
    assert!(show(&f.data(), "n0")["text"].as_str().unwrap().contains("Newsletter"));
    assert!(with_stdin(&f.data(), &["ingest", "-"], (line(3) + "\n").as_bytes()).status.success());
    let later = show(&f.data(), "n3");
    assert!(!later["text"].as_str().unwrap().contains("Newsletter"), "{later}");
    assert!(reasons(&later, "boilerplate")[0]
        .contains("repeated in 3 earlier articles of kurier.example"));
}

#[test]
fn unknown_article_and_bad_flags_have_meaningful_exit_codes() {
    let f = Fixture::new();
    assert_eq!(storyline(&f.data(), &["articles", "show", "nope"]).status.code(), Some(1));
    let out = storyline(&f.data(), &["ingest", SAMPLE, "--format", "pdf"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown --format"));
    // Issue 17, row 9: export from a misspelt data directory created an empty store.
    let out = storyline(&f.root.join("misspelt"), &["export", "0"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("holds no Storyline data"));
    assert!(!f.root.join("misspelt").exists(), "nothing created");
}

/// Issue 18: `--store URL` keeps everything in PostgreSQL, and `STORYLINE_STORE` does the same
/// unless a `--data-dir` is given on the command line. Runs where `STORYLINE_TEST_POSTGRES`
/// names a server (CI requires it).
#[test]
fn the_store_flag_reaches_postgres_and_a_data_dir_given_wins_over_the_environment() {
    let Some(pg) = storyline_store::testing::postgres() else { return };
    let storyline_store::Location::Postgres(url) = &pg.location else { unreachable!() };
    let run = |args: &[&str], env: Option<&str>| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_storyline"));
        c.args(args).env_remove("STORYLINE_STORE").env_remove("STORYLINE_DATA_DIR");
        if let Some(url) = env {
            c.env("STORYLINE_STORE", url);
        }
        c.output().unwrap()
    };
    let out = run(&["--store", url, "ingest", "--no-embeddings", SAMPLE], None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("5 articles in postgres://"), "the store is named: {said}");
    let stories = run(&["stories", "--json"], Some(url));
    assert!(stories.status.success(), "{}", String::from_utf8_lossy(&stories.stderr));
    let stories = json(&stories);
    assert_eq!(stories.as_array().map(Vec::len), Some(1), "{stories}");
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let local =
        run(&["--data-dir", data.to_str().unwrap(), "articles", "list", "--json"], Some(url));
    assert!(local.status.success(), "{}", String::from_utf8_lossy(&local.stderr));
    assert_eq!(json(&local).as_array().map(Vec::len), Some(0), "the data directory given wins");
    assert!(data.join(storyline_store::DB_FILE).is_file());
}

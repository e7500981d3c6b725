//! Quality of normalisation: main-text extraction on the trafilatura evaluation pages, and
//! language identification on the SemEval-2022 Task 8 articles.

use serde_json::{json, Value};
use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use storyline_core::{RawDoc, SourceFormat, SourceRef};
use storyline_ingest::{NoHistory, Normaliser};

/// Counts of snippet decisions, scored as trafilatura's own evaluation does: a `with` snippet
/// found in the extracted text is a true positive (missing: false negative); a `without` snippet
/// found is a false positive (absent: true negative).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SnippetCounts {
    /// `with` snippets found.
    pub tp: u64,
    /// `without` snippets found.
    pub fp: u64,
    /// `without` snippets absent.
    pub tn: u64,
    /// `with` snippets missing.
    pub fn_: u64,
}

impl SnippetCounts {
    /// Adds one page's snippets checked against `text`.
    pub fn add(&mut self, text: &str, with: &[String], without: &[String]) {
        for s in with {
            if text.contains(s.as_str()) {
                self.tp += 1
            } else {
                self.fn_ += 1
            }
        }
        for s in without {
            if text.contains(s.as_str()) {
                self.fp += 1
            } else {
                self.tn += 1
            }
        }
    }

    /// Precision, recall, F1 and accuracy as JSON.
    pub fn metrics(&self) -> Value {
        let (tp, fp, tn, fn_) = (self.tp as f64, self.fp as f64, self.tn as f64, self.fn_ as f64);
        let p = if tp + fp > 0.0 { tp / (tp + fp) } else { 0.0 };
        let r = if tp + fn_ > 0.0 { tp / (tp + fn_) } else { 0.0 };
        let f1 = if p + r > 0.0 { 2.0 * p * r / (p + r) } else { 0.0 };
        json!({"precision": p, "recall": r, "f1": f1, "accuracy": (tp + tn) / (tp + fp + tn + fn_).max(1.0),
               "tp": self.tp, "fp": self.fp, "tn": self.tn, "fn": self.fn_})
    }
}

/// Scores main-text extraction on `dir/evaldata.json` and `dir/html/`: once on the HTML pages
/// (`html`), and once on naive full text of the same pages, every text node a line, cleaned as
/// plain text (`text`). A page Storyline rejects counts as extracting nothing.
pub fn extraction(dir: &Path, normaliser: &Normaliser) -> Result<Value, String> {
    let index_path = dir.join("evaldata.json");
    let index: BTreeMap<String, Value> = serde_json::from_slice(
        &std::fs::read(&index_path).map_err(|e| format!("{}: {e}", index_path.display()))?,
    )
    .map_err(|e| format!("{}: {e}", index_path.display()))?;
    let strings = |v: &Value| -> Vec<String> {
        v.as_array()
            .map(|a| a.iter().filter_map(|s| s.as_str().map(str::to_owned)).collect())
            .unwrap_or_default()
    };
    let (mut html, mut text) = (SnippetCounts::default(), SnippetCounts::default());
    let (mut pages, mut rejected) = (0u64, 0u64);
    for (url, entry) in &index {
        let file = entry["file"].as_str().ok_or_else(|| format!("{url}: no file"))?;
        let path = dir.join("html").join(file);
        let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let (with, without) = (strings(&entry["with"]), strings(&entry["without"]));
        pages += 1;
        let page = storyline_ingest::decode(&bytes).map(|(t, _)| t).unwrap_or_default();
        let source =
            |format| SourceRef { path: file.to_owned(), line: None, format, external_id: None };
        let mut doc = RawDoc::new(source(SourceFormat::Html), page.clone(), true);
        doc.url = Some(url.clone());
        let extracted = match normaliser.normalise(doc, &NoHistory) {
            Ok(n) => format!("{}\n{}", n.article.title, n.article.text),
            Err(_) => {
                rejected += 1;
                String::new()
            }
        };
        html.add(&extracted, &with, &without);
        let naive = naive_page_text(&page);
        let cleaned = match normaliser
            .normalise(RawDoc::new(source(SourceFormat::Text), naive, false), &NoHistory)
        {
            Ok(n) => format!("{}\n{}", n.article.title, n.article.text),
            Err(_) => String::new(),
        };
        text.add(&cleaned, &with, &without);
    }
    Ok(
        json!({"pages": pages, "rejected_pages": rejected, "html": html.metrics(), "text": text.metrics()}),
    )
}

/// Language identification accuracy on the SemEval-2022 Task 8 articles (each article once, by
/// id) in the languages Storyline has profiles for; other languages are counted, not scored.
pub fn langid(csv_path: &Path, normaliser: &Normaliser) -> Result<Value, String> {
    let mut reader =
        csv::Reader::from_path(csv_path).map_err(|e| format!("{}: {e}", csv_path.display()))?;
    let headers = reader.headers().map_err(|e| e.to_string())?.clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .ok_or(format!("{}: no column {name}", csv_path.display()))
    };
    let (pair, l1, l2, t1, t2) =
        (col("pair_id")?, col("lang1")?, col("lang2")?, col("text1")?, col("text2")?);
    let supported: HashSet<&str> = normaliser.languages().into_iter().collect();
    let mut seen = HashSet::new();
    let mut per: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    let mut confusions: BTreeMap<String, u64> = BTreeMap::new();
    let mut unsupported = 0u64;
    for (i, rec) in reader.records().enumerate() {
        let rec = rec.map_err(|e| format!("{}: record {}: {e}", csv_path.display(), i + 1))?;
        let ids: Vec<&str> = rec[pair].split('_').collect();
        for (k, (lang, text)) in
            [(&rec[l1], &rec[t1]), (&rec[l2], &rec[t2])].into_iter().enumerate()
        {
            if !seen.insert(ids.get(k).copied().unwrap_or("").to_owned()) {
                continue;
            }
            if !supported.contains(lang) {
                unsupported += 1;
                continue;
            }
            let source = SourceRef {
                path: "semeval".into(),
                line: None,
                format: SourceFormat::Text,
                external_id: None,
            };
            let got = normaliser
                .normalise(RawDoc::new(source, text.to_owned(), false), &NoHistory)
                .ok()
                .and_then(|n| n.article.lang);
            let entry = per.entry(lang.to_owned()).or_default();
            entry.1 += 1;
            if got.as_deref() == Some(lang) {
                entry.0 += 1;
            } else {
                *confusions
                    .entry(format!("{lang}->{}", got.unwrap_or_else(|| "none".into())))
                    .or_default() += 1;
            }
        }
    }
    let (right, total) = per.values().fold((0, 0), |a, v| (a.0 + v.0, a.1 + v.1));
    let per_lang: BTreeMap<&String, Value> = per
        .iter()
        .map(|(l, (r, t))| (l, json!({"accuracy": *r as f64 / (*t).max(1) as f64, "articles": t})))
        .collect();
    Ok(
        json!({"accuracy": right as f64 / total.max(1) as f64, "articles": total, "per_language": per_lang,
              "errors": confusions, "unsupported_language_articles": unsupported}),
    )
}

/// Naive full text of a page, as a scraper that keeps everything would produce: script, style
/// and comments dropped, every tag a line break, the common entities decoded, blank lines folded.
pub fn naive_page_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len() / 2);
    let lower = html.to_ascii_lowercase();
    let mut i = 0;
    while i < html.len() {
        if lower[i..].starts_with("<!--") {
            i = lower[i..].find("-->").map_or(html.len(), |e| i + e + 3);
        } else if lower[i..].starts_with("<script") || lower[i..].starts_with("<style") {
            let close = if lower[i..].starts_with("<script") { "</script" } else { "</style" };
            i = lower[i..].find(close).map_or(html.len(), |e| i + e + close.len());
            i = lower[i..].find('>').map_or(html.len(), |e| i + e + 1);
        } else if html[i..].starts_with('<') {
            i = html[i..].find('>').map_or(html.len(), |e| i + e + 1);
            out.push('\n');
        } else {
            let next = html[i..].find('<').map_or(html.len(), |e| i + e);
            out.push_str(&html[i..next]);
            i = next;
        }
    }
    let decoded = out
        .replace("&nbsp;", " ")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    decoded.lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join("\n")
}

/// How safe the date bound of undated articles is: every article of a JSONL file with a known
/// `date` (`YYYY-MM-DD…`) and `title` and `text` is normalised with its date withheld; where the
/// text yields a "not before" day, the bound is right when it is not after the true date.
/// `precision` is right bounds over bounds, `coverage` bounds over articles.
pub fn date_bounds(path: &Path, normaliser: &Normaliser) -> Result<Value, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let (mut articles, mut bounded, mut right) = (0u64, 0u64, 0u64);
    let mut wrong = Vec::new();
    for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let at = |m: &str| format!("{}:{}: {m}", path.display(), i + 1);
        let v: Value = serde_json::from_str(line).map_err(|e| at(&e.to_string()))?;
        let field = |k: &str| v[k].as_str().ok_or_else(|| at(&format!("no string field {k:?}")));
        let date = field("date")?;
        let truth = chrono::NaiveDate::parse_from_str(date.get(..10).unwrap_or(date), "%Y-%m-%d")
            .map_err(|e| at(&format!("date {date:?}: {e}")))?;
        let source = SourceRef {
            path: path.display().to_string(),
            line: Some(i as u64 + 1),
            format: SourceFormat::Jsonl,
            external_id: v["id"].as_str().map(str::to_owned),
        };
        let mut doc = RawDoc::new(source, field("text")?.to_owned(), false);
        doc.title = Some(field("title")?.to_owned());
        let Ok(n) = normaliser.normalise(doc, &NoHistory) else { continue };
        articles += 1;
        if let Some(bound) = n.article.not_before {
            bounded += 1;
            if bound <= truth {
                right += 1;
            } else {
                wrong.push(json!({"line": i + 1, "date": truth.to_string(), "not_before": bound.to_string()}));
            }
        }
    }
    let ratio = |a: u64, b: u64| if b > 0 { a as f64 / b as f64 } else { 0.0 };
    Ok(json!({
        "articles": articles, "bounded": bounded, "right": right,
        "precision": ratio(right, bounded), "coverage": ratio(bounded, articles), "wrong": wrong,
    }))
}

#[cfg(test)]
mod tests {
    #[test]
    fn date_bounds_count_a_bound_after_the_true_date_as_wrong() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("dated.jsonl");
        let rows = [
            (
                "2024-06-18",
                "Putin in Pjöngjang",
                "Putin reist nach Nordkorea. 2023 besuchte Kim Jong Un Russland.",
            ),
            (
                "2023-06-01",
                "Bilanz",
                "Die Firma legt Zahlen vor. 2023 wurden 300 Stellen gestrichen.",
            ),
            ("2024-01-05", "Ohne Jahr", "Der Gipfel beginnt am Mittwoch in Genf."),
        ];
        let lines: Vec<String> = rows
            .iter()
            .map(|(d, t, x)| serde_json::json!({"date": d, "title": t, "text": x}).to_string())
            .collect();
        std::fs::write(&path, lines.join("\n")).unwrap();
        let n = storyline_ingest::Normaliser::new().unwrap();
        let m = super::date_bounds(&path, &n).unwrap();
        assert_eq!((m["articles"].as_u64(), m["bounded"].as_u64()), (Some(3), Some(2)));
        assert_eq!(m["precision"], 0.5);
        assert_eq!(m["wrong"][0]["line"], 2);
        assert!(super::date_bounds(&dir.path().join("missing.jsonl"), &n).is_err());
    }

    use super::*;

    #[test]
    fn naive_text_keeps_every_text_node_on_its_own_line() {
        let t = super::naive_page_text("<html><head><style>p{}</style><script>x<y</script></head><body><nav>Start</nav><p>Eins &amp; zwei</p><!-- c --><p>Drei</p></body></html>");
        assert_eq!(t, "Start\nEins & zwei\nDrei");
    }

    #[test]
    fn snippet_scoring_by_hand() {
        let mut c = SnippetCounts::default();
        c.add(
            "alpha beta gamma",
            &["alpha".into(), "delta".into()],
            &["gamma".into(), "omega".into()],
        );
        assert_eq!(c, SnippetCounts { tp: 1, fp: 1, tn: 1, fn_: 1 });
        let m = c.metrics();
        assert_eq!(
            (m["precision"].as_f64(), m["recall"].as_f64(), m["f1"].as_f64()),
            (Some(0.5), Some(0.5), Some(0.5))
        );
    }
}

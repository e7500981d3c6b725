//! Headlines, bylines and datelines of run-together scrapes (`storyline eval titles`).
//!
//! The gold file (`titles-dev/gold.jsonl` layout) gives, for each article id of a labelled
//! stream, the headline as a news site shows it, whether the scrape doubled it, the byline, and
//! the date read from a dateline near the top (`""` when there is none). The stream is ingested
//! into a fresh data directory by the same `Engine::ingest` as `storyline ingest`, and each
//! stored article is compared with its gold row:
//! - **title exact**: the stored title equals the gold headline (whitespace runs count as one
//!   space);
//! - **title word F1**: token overlap of the two, averaged over articles (tokens are lowercase
//!   letter and digit runs);
//! - **runs into body**: stored titles longer than the gold headline that start with it;
//! - **bylines**: gold bylines found (the stored author equals it, case and spacing aside), and
//!   authors stored where the gold has none;
//! - **dates**: gold dates found with the right day, and dates read from the text where the gold
//!   has none (the stream declares no dates, so every stored date was read from the text).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_json::{json, Value};
use storyline_core::{DateSource, Field};

use crate::metrics::r4;

/// One labelled article.
#[derive(Debug, Clone)]
struct Gold {
    id: String,
    title: String,
    repeated: bool,
    byline: String,
    date: String,
}

fn read_gold(path: &Path) -> Result<Vec<Gold>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut rows = Vec::new();
    for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let at = || format!("{}:{}", path.display(), i + 1);
        let v: Value = serde_json::from_str(line).map_err(|e| format!("{}: {e}", at()))?;
        let s = |k: &str| -> Result<String, String> {
            match &v[k] {
                Value::String(s) => Ok(s.clone()),
                Value::Number(n) => Ok(n.to_string()),
                Value::Null => Ok(String::new()),
                _ => Err(format!("{}: field {k:?} is not a string", at())),
            }
        };
        let id = s("id")?;
        if id.is_empty() {
            return Err(format!("{}: no id", at()));
        }
        rows.push(Gold {
            id,
            title: s("title")?,
            repeated: v["title_repeated"].as_bool().unwrap_or(false),
            byline: s("byline")?,
            date: s("date")?,
        });
    }
    Ok(rows)
}

/// The stream a gold file labels: `articles.jsonl` beside it, or, for `titles-X/gold.jsonl`,
/// `stream2020-X/articles.jsonl` beside its folder.
pub fn default_articles(gold: &Path) -> Option<PathBuf> {
    let dir = gold.parent()?;
    let beside = dir.join("articles.jsonl");
    if beside.is_file() {
        return Some(beside);
    }
    let name = dir.file_name()?.to_str()?;
    let suffix = name.strip_prefix("titles")?;
    let sibling = dir.parent()?.join(format!("stream2020{suffix}")).join("articles.jsonl");
    sibling.is_file().then_some(sibling)
}

fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn tokens(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(|t| t.to_lowercase())
        .collect()
}

/// Token-overlap F1 of two strings (multiset overlap); 1 when both are empty.
pub fn word_f1(predicted: &str, gold: &str) -> f64 {
    let (p, g) = (tokens(predicted), tokens(gold));
    if p.is_empty() && g.is_empty() {
        return 1.0;
    }
    let mut counts: HashMap<&str, i64> = HashMap::new();
    for t in &g {
        *counts.entry(t).or_default() += 1;
    }
    let mut shared = 0;
    for t in &p {
        if let Some(c) = counts.get_mut(t.as_str()) {
            if *c > 0 {
                *c -= 1;
                shared += 1;
            }
        }
    }
    if shared == 0 {
        return 0.0;
    }
    let prec = shared as f64 / p.len() as f64;
    let rec = shared as f64 / g.len() as f64;
    2.0 * prec * rec / (prec + rec)
}

/// Scores the titles, bylines and dates stored for `articles` against the gold file `gold`.
pub fn titles(gold: &Path, articles: Option<&Path>) -> Result<Value, String> {
    let rows = read_gold(gold)?;
    let articles = match articles {
        Some(a) => a.to_path_buf(),
        None => default_articles(gold).ok_or_else(|| {
            format!(
                "{}: no articles.jsonl beside it and no stream2020 folder next to it; give --articles FILE",
                gold.display()
            )
        })?,
    };
    let (engine, _dir) = crate::streams::ingest_fresh(&articles)?;

    let (mut exact, mut f1_sum, mut run_on, mut n) = (0u64, 0.0f64, 0u64, 0u64);
    let (mut repeated, mut repeated_exact) = (0u64, 0u64);
    let (mut bylines, mut bylines_found, mut bylines_extra) = (0u64, 0u64, 0u64);
    let (mut dates, mut dates_found, mut dates_extra) = (0u64, 0u64, 0u64);
    let mut missing = Vec::new();
    let mut wrong = Vec::new();
    let mut other_misses = Vec::new();
    for g in &rows {
        let Some(a) = engine.store().find(&g.id).map_err(|e| e.to_string())? else {
            missing.push(g.id.clone());
            continue;
        };
        n += 1;
        let (title, gold_title) = (squash(&a.title), squash(&g.title));
        let ok = title == gold_title;
        exact += ok as u64;
        f1_sum += word_f1(&title, &gold_title);
        if title.len() > gold_title.len() && title.starts_with(&gold_title) {
            run_on += 1;
        }
        if g.repeated {
            repeated += 1;
            repeated_exact += ok as u64;
        }
        if !ok && wrong.len() < 200 {
            let why =
                a.decisions.iter().find(|d| d.field == Field::Title).map(|d| d.reason.clone());
            wrong.push(json!({"id": g.id, "gold": gold_title, "stored": title, "why": why}));
        }
        let author = a.author.as_deref().map(squash).unwrap_or_default();
        let byline_ok = author.to_lowercase() == squash(&g.byline).to_lowercase();
        if g.byline.is_empty() {
            bylines_extra += !author.is_empty() as u64;
        } else {
            bylines += 1;
            bylines_found += byline_ok as u64;
        }
        let read = a.date.as_ref().filter(|d| d.source == DateSource::Text);
        let read_iso = read.map(|d| d.iso.clone()).unwrap_or_default();
        let date_ok =
            if g.date.is_empty() { read.is_none() } else { read_iso.starts_with(&g.date) };
        if g.date.is_empty() {
            dates_extra += read.is_some() as u64;
        } else {
            dates += 1;
            dates_found += date_ok as u64;
        }
        if !byline_ok || !date_ok {
            other_misses.push(json!({
                "id": g.id, "gold_byline": g.byline, "stored_author": author,
                "gold_date": g.date, "date_read": read_iso,
            }));
        }
    }
    let rate = |a: u64, b: u64| if b == 0 { 0.0 } else { r4(a as f64 / b as f64) };
    Ok(json!({
        "gold": gold.display().to_string(),
        "articles": articles.display().to_string(),
        "labelled": rows.len(),
        "scored": n,
        "not_stored": missing,
        "title_exact": rate(exact, n),
        "title_word_f1": if n == 0 { 0.0 } else { r4(f1_sum / n as f64) },
        "titles_running_into_body": run_on,
        "doubled_headlines": {"labelled": repeated, "exact": repeated_exact},
        "bylines": {"labelled": bylines, "found": bylines_found, "stored_where_gold_has_none": bylines_extra},
        "datelines": {"labelled": dates, "found_right_day": dates_found, "read_where_gold_has_none": dates_extra},
        "wrong_titles": wrong,
        "wrong_bylines_or_dates": other_misses,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_overlap_counts_each_shared_token_once() {
        assert_eq!(word_f1("Merkel in Paris", "Merkel in Paris"), 1.0);
        // 3 of 5 predicted tokens shared, all 3 gold tokens found: P 0.6, R 1, F1 0.75.
        assert!((word_f1("Merkel in Paris Die Kanzlerin", "Merkel in Paris") - 0.75).abs() < 1e-9);
        assert_eq!(word_f1("", "Merkel"), 0.0);
        // "die die" against one "die": one shared.
        assert!((word_f1("die die", "die") - 2.0 / 3.0).abs() < 1e-9);
    }

    #[test]
    fn the_stream_of_a_titles_folder_is_found_beside_it() {
        let root = tempfile::tempdir().unwrap();
        let titles = root.path().join("titles-test");
        let stream = root.path().join("stream2020-test");
        std::fs::create_dir_all(&titles).unwrap();
        std::fs::create_dir_all(&stream).unwrap();
        std::fs::write(stream.join("articles.jsonl"), "").unwrap();
        assert_eq!(
            default_articles(&titles.join("gold.jsonl")),
            Some(stream.join("articles.jsonl"))
        );
        std::fs::write(titles.join("articles.jsonl"), "").unwrap();
        assert_eq!(
            default_articles(&titles.join("gold.jsonl")),
            Some(titles.join("articles.jsonl"))
        );
    }
}

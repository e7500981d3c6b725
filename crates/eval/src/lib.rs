//! Loaders for the evaluation data sets under `../shared/data` and helpers for the benchmark
//! harnesses. The data sets are read in place, never copied into the repository.
//!
//! # Example
//! ```
//! let rows = storyline_eval::parse_gnad("Wirtschaft;'Ein Text mit ''Zitat''.'\nSport;'Zwei'\n");
//! assert_eq!(rows[0], ("Wirtschaft".to_owned(), "Ein Text mit 'Zitat'.".to_owned()));
//! assert_eq!(rows.len(), 2);
//! let rows = storyline_eval::parse_gnad("Sport;Ohne Anführung, bis zum Zeilenende\nWeb;'Mit'\n");
//! assert_eq!(rows[0].1, "Ohne Anführung, bis zum Zeilenende");
//! assert_eq!(rows[1].1, "Mit");
//! ```
#![deny(missing_docs)]

pub mod metrics;
pub mod ner_eval;
pub mod normalise_eval;
pub mod numbers_eval;
pub mod quotes_eval;
pub mod replay;
pub mod semeval;
pub mod stories_eval;
pub mod streams;
pub mod timex_eval;
pub mod titles_eval;

use std::path::{Path, PathBuf};

/// Runs a folder of Recognizers-Text spec files (JSON arrays of cases, with a byte order mark):
/// `passes(file stem, case)` decides each case. Returns the pass rate, counts and per-file counts.
pub(crate) fn spec_suite(
    folder: &Path,
    passes: impl Fn(&str, &serde_json::Value) -> bool,
) -> Result<serde_json::Value, String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(folder)
        .map_err(|e| format!("{}: {e}", folder.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    let (mut passed, mut total) = (0u64, 0u64);
    let mut per_file = serde_json::Map::new();
    for path in &files {
        let raw = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let cases: Vec<serde_json::Value> =
            serde_json::from_str(raw.trim_start_matches('\u{feff}'))
                .map_err(|e| format!("{}: {e}", path.display()))?;
        let name = path.file_stem().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
        let ok = cases.iter().filter(|c| passes(&name, c)).count() as u64;
        passed += ok;
        total += cases.len() as u64;
        per_file.insert(name, serde_json::json!({"passed": ok, "cases": cases.len()}));
    }
    if total == 0 {
        return Err(format!("{}: no spec cases", folder.display()));
    }
    Ok(
        serde_json::json!({"pass_rate": passed as f64 / total as f64, "passed": passed, "cases": total, "per_file": per_file}),
    )
}

/// The value after `name` in a benchmark's arguments (`--n 1000`), or `default`.
pub fn bench_arg(args: &[String], name: &str, default: usize) -> usize {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The shared data folder: `$STORYLINE_SHARED_DATA`, else `../shared/data` beside the workspace.
pub fn shared_data() -> PathBuf {
    match std::env::var_os("STORYLINE_SHARED_DATA") {
        Some(p) => PathBuf::from(p),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"),
    }
}

/// Parses the 10kGNAD CSV layout: `category;'text'`, `'` as quote character, `''` inside a
/// quoted field for a literal quote; records may span lines.
pub fn parse_gnad(csv: &str) -> Vec<(String, String)> {
    let mut rows = Vec::new();
    let mut chars = csv.chars().peekable();
    loop {
        let mut category = String::new();
        for c in chars.by_ref() {
            if c == ';' {
                break;
            }
            if c != '\n' && c != '\r' {
                category.push(c);
            }
        }
        if category.is_empty() && chars.peek().is_none() {
            break;
        }
        let mut text = String::new();
        if chars.peek() == Some(&'\'') {
            chars.next();
            while let Some(c) = chars.next() {
                if c == '\'' {
                    if chars.peek() == Some(&'\'') {
                        chars.next();
                        text.push('\'');
                    } else {
                        break;
                    }
                } else {
                    text.push(c);
                }
            }
            for c in chars.by_ref() {
                if c == '\n' {
                    break;
                }
            }
        } else {
            // An unquoted field runs to the end of the line.
            for c in chars.by_ref() {
                if c == '\n' {
                    break;
                }
                if c != '\r' {
                    text.push(c);
                }
            }
        }
        rows.push((category, text));
        if chars.peek().is_none() {
            break;
        }
    }
    rows
}

/// Peak and current resident memory of this process in MiB, from `/proc/self/status`
/// (`VmHWM`, `VmRSS`); zeros where that file does not exist.
pub fn memory_mib() -> (f64, f64) {
    (status_mib("VmHWM:"), status_mib("VmRSS:"))
}

/// A `/proc/self/status` field in MiB (`RssAnon:` is the memory the process allocated;
/// `RssFile:` the pages of files it maps, shared with the system's page cache); 0 where absent.
pub fn status_mib(name: &str) -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(name))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

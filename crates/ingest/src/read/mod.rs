//! Readers: turn files, folders and standard input into [`RawDoc`]s, pushing each document or
//! [`Reject`] into a sink as soon as it is read.
//!
//! Push, not pull: a reader walks a folder or streams a JSONL file of any length and hands over
//! one document at a time, so memory stays flat however large the input, and the caller (the
//! engine) decides how to batch, parallelise and store. A reader never stops at a bad document:
//! it rejects that one, naming the file and line, and goes on.

mod feed;
mod jsonl;
mod warc;

use crate::decode::{decode, DecodeProblem};
use crate::{Reject, RejectKind};
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};
use storyline_core::{RawDoc, SourceFormat, SourceRef};

pub use jsonl::record_to_doc;

/// Which reader to use. `Auto` decides per file from its name and first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Decide per file.
    Auto,
    /// Plain text, one article a file.
    Text,
    /// One JSON object a line.
    Jsonl,
    /// One HTML page a file.
    Html,
    /// RSS or Atom, one article an entry.
    Feed,
    /// WARC, one article a response record.
    Warc,
}

impl Format {
    /// Parses a `--format` value.
    pub fn parse(s: &str) -> Option<Format> {
        Some(match s {
            "auto" => Format::Auto,
            "text" | "txt" => Format::Text,
            "jsonl" | "ndjson" => Format::Jsonl,
            "html" => Format::Html,
            "feed" | "rss" | "atom" => Format::Feed,
            "warc" => Format::Warc,
            _ => return None,
        })
    }
}

/// How readers behave.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// The reader to use.
    pub format: Format,
    /// The largest single document accepted, in bytes (default 10 MiB). A larger text or HTML
    /// file, JSONL line or WARC record is rejected by name.
    pub max_doc_bytes: u64,
    /// An outlet name to record for documents whose source declares none (`--source`).
    pub source_name: Option<String>,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions { format: Format::Auto, max_doc_bytes: 10 * 1024 * 1024, source_name: None }
    }
}

/// Where documents come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A file or a folder, read recursively.
    Path(PathBuf),
    /// JSONL on standard input.
    Stdin,
}

impl Input {
    /// `-` means standard input; anything else a path.
    pub fn from_arg(arg: &str) -> Input {
        if arg == "-" {
            Input::Stdin
        } else {
            Input::Path(PathBuf::from(arg))
        }
    }
}

/// Reads one input, pushing every document and every reject into `sink`, in input order.
/// Folders are walked recursively in name order, skipping hidden entries.
pub fn read_input(input: &Input, opts: &ReadOptions, sink: &mut dyn FnMut(Result<RawDoc, Reject>)) {
    let mut sink = |item: Result<RawDoc, Reject>| {
        sink(item.map(|mut doc| {
            if doc.outlet.is_none() {
                doc.outlet.clone_from(&opts.source_name);
            }
            doc
        }))
    };
    match input {
        Input::Stdin => {
            let stdin = std::io::stdin();
            jsonl::read_jsonl(BufReader::new(stdin.lock()), "-", opts, &mut sink);
        }
        Input::Path(path) => read_path(path, opts, true, &mut sink),
    }
}

fn read_path(
    path: &Path,
    opts: &ReadOptions,
    named: bool,
    sink: &mut dyn FnMut(Result<RawDoc, Reject>),
) {
    let shown = path.display().to_string();
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return sink(Err(Reject::file(shown, RejectKind::NotFound, "no such file or folder")));
        }
        Err(e) => return sink(Err(Reject::file(shown, RejectKind::Io, e.to_string()))),
    };
    if meta.is_dir() {
        let mut entries: Vec<PathBuf> = match std::fs::read_dir(path) {
            Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).collect(),
            Err(e) => return sink(Err(Reject::file(shown, RejectKind::Io, e.to_string()))),
        };
        entries.sort();
        for entry in entries {
            let hidden =
                entry.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with('.'));
            if !hidden {
                read_path(&entry, opts, false, sink);
            }
        }
        return;
    }
    let format = match opts.format {
        Format::Auto => match format_from_name(path) {
            Some(f) => f,
            // A file met while walking a folder must look like one of ours; one named on the
            // command line is read as text when nothing else fits.
            None if named => Format::Text,
            None => return,
        },
        forced => {
            if !named && format_from_name(path).is_some_and(|f| f != forced) {
                return;
            }
            forced
        }
    };
    read_file(path, format, meta.len(), opts, sink);
}

/// The format a file name suggests: `.txt`, `.jsonl`, `.json`, `.html`, `.rss`/`.atom`/`.xml`,
/// `.warc`, each optionally gzipped.
pub fn format_from_name(path: &Path) -> Option<Format> {
    let name = path.file_name()?.to_str()?.to_ascii_lowercase();
    let name = name.strip_suffix(".gz").unwrap_or(&name);
    let ext = name.rsplit_once('.').map(|(_, e)| e)?;
    Some(match ext {
        "txt" | "text" => Format::Text,
        "jsonl" | "ndjson" | "json" => Format::Jsonl,
        "html" | "htm" | "xhtml" => Format::Html,
        "rss" | "atom" | "xml" => Format::Feed,
        "warc" => Format::Warc,
        _ => return None,
    })
}

fn open(path: &Path) -> std::io::Result<Box<dyn Read>> {
    let file = std::fs::File::open(path)?;
    let gz = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("gz"));
    Ok(if gz { Box::new(flate2::read::MultiGzDecoder::new(file)) } else { Box::new(file) })
}

fn read_file(
    path: &Path,
    format: Format,
    len: u64,
    opts: &ReadOptions,
    sink: &mut dyn FnMut(Result<RawDoc, Reject>),
) {
    let shown = path.display().to_string();
    let reader = match open(path) {
        Ok(r) => r,
        Err(e) => return sink(Err(Reject::file(shown, RejectKind::Io, e.to_string()))),
    };
    match format {
        Format::Jsonl => jsonl::read_jsonl(BufReader::new(reader), &shown, opts, sink),
        Format::Warc => warc::read_warc(BufReader::new(reader), &shown, opts, sink),
        Format::Feed => match read_limited(reader, &shown, 16 * opts.max_doc_bytes, len) {
            Ok(bytes) => feed::read_feed(&bytes, &shown, sink),
            Err(r) => sink(Err(r)),
        },
        Format::Text | Format::Html | Format::Auto => {
            let bytes = match read_limited(reader, &shown, opts.max_doc_bytes, len) {
                Ok(b) => b,
                Err(r) => return sink(Err(r)),
            };
            let is_html = format == Format::Html || (format == Format::Auto && sniff_html(&bytes));
            let fmt = if is_html { SourceFormat::Html } else { SourceFormat::Text };
            let source = SourceRef {
                path: shown.clone(),
                line: None,
                format: fmt,
                external_id: path.file_stem().and_then(|s| s.to_str()).map(|s| {
                    s.strip_suffix(".txt").or(s.strip_suffix(".html")).unwrap_or(s).to_owned()
                }),
            };
            sink(decode_doc(&bytes, source, is_html));
        }
    }
}

/// Reads a whole file, refusing one larger than `limit` bytes before reading it.
fn read_limited(
    reader: Box<dyn Read>,
    shown: &str,
    limit: u64,
    len: u64,
) -> Result<Vec<u8>, Reject> {
    let too_large = |n: u64| {
        Reject::file(
            shown,
            RejectKind::TooLarge,
            format!(
                "{:.1} MB is more than the {:.1} MB allowed for one document (--max-doc-mb)",
                n as f64 / 1e6,
                limit as f64 / 1e6
            ),
        )
    };
    if len > limit {
        return Err(too_large(len));
    }
    let mut bytes = Vec::new();
    reader
        .take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Reject::file(shown, RejectKind::Io, e.to_string()))?;
    if bytes.len() as u64 > limit {
        return Err(too_large(bytes.len() as u64));
    }
    Ok(bytes)
}

fn sniff_html(bytes: &[u8]) -> bool {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(1024)]).to_ascii_lowercase();
    let head = head.trim_start();
    head.starts_with("<!doctype html") || head.starts_with("<html") || head.contains("<body")
}

/// Decodes one document's bytes into a [`RawDoc`], or rejects it by name.
pub(crate) fn decode_doc(bytes: &[u8], source: SourceRef, is_html: bool) -> Result<RawDoc, Reject> {
    match decode(bytes) {
        Ok((body, decisions)) => {
            let mut doc = RawDoc::new(source, body, is_html);
            doc.decisions = decisions;
            Ok(doc)
        }
        Err(problem) => {
            let (kind, message) = match problem {
                DecodeProblem::Empty => (RejectKind::Empty, "the file is empty"),
                DecodeProblem::Binary => (RejectKind::Binary, "binary file, not text"),
            };
            Err(Reject { path: source.path, line: source.line, kind, message: message.into() })
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A small deterministic generator (64-bit LCG), so the cases are the same on every run.
    pub(crate) struct Cases(pub(crate) u64);

    impl Cases {
        pub(crate) fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            self.0 >> 17
        }

        /// `seed` mutated: bytes flipped, cut, doubled, or structure characters put in.
        pub(crate) fn mutate(&mut self, seed: &[u8]) -> Vec<u8> {
            let mut out = seed.to_vec();
            for _ in 0..1 + self.next() % 8 {
                let at = if out.is_empty() { 0 } else { self.next() as usize % out.len() };
                match self.next() % 6 {
                    0 => out.truncate(at),
                    1 if at < out.len() => out[at] = self.next() as u8,
                    2 => out.splice(at..at, b"{[\"<\n\r\0\xff\xc3".iter().copied()).for_each(drop),
                    3 => {
                        let tail = out[at..].to_vec();
                        out.extend_from_slice(&tail);
                    }
                    4 => out.insert(at, b"\n{}[]<>:\"\\"[self.next() as usize % 10]),
                    _ => out.drain(at..(at + 7).min(out.len())).for_each(drop),
                }
            }
            out
        }
    }

    /// Arbitrary bytes never make a reader panic, and every reject names the file. A bounded
    /// run of mutated seeds, as a fuzzer would start from (issue 17, part 3).
    /// Seed documents of each reader's format, for the property tests to mutate.
    pub(crate) fn seeds() -> [(&'static str, Vec<u8>); 4] {
        let page = "<html><body><p>Eins</p></body></html>";
        let payload = format!("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n{page}");
        let warc = format!(
            "WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: https://a.example/1\r\nContent-Length: {}\r\n\r\n{payload}\r\n\r\n",
            payload.len()
        );
        [
            ("jsonl", b"{\"title\":\"Eins\",\"text\":\"Der erste Artikel.\",\"date\":\"2023-09-12\"}\n[1]\n{\"html\":\"<p>Zwei</p>\"}\n".to_vec()),
            ("warc", warc.into_bytes()),
            ("rss", b"<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>T</title><item><title>A</title><description>Eins zwei</description></item></channel></rss>".to_vec()),
            ("html", page.as_bytes().to_vec()),
        ]
    }

    /// One edit of a byte string: where (a fraction of its length) and what.
    #[derive(Debug, Clone)]
    pub(crate) enum Edit {
        Cut(f64),
        Set(f64, u8),
        Insert(f64, Vec<u8>),
        Double(f64),
        Remove(f64, usize),
    }

    pub(crate) fn edit() -> impl proptest::strategy::Strategy<Value = Edit> {
        use proptest::prelude::*;
        let at = 0.0..1.0f64;
        let structure = prop::sample::select(vec![
            b"{".to_vec(),
            b"}".to_vec(),
            b"[".to_vec(),
            b"\"".to_vec(),
            b"\\".to_vec(),
            b"<".to_vec(),
            b">".to_vec(),
            b"</".to_vec(),
            b"<div>".to_vec(),
            b"<![CDATA[".to_vec(),
            b"\r\n".to_vec(),
            b"\n".to_vec(),
            b"\0".to_vec(),
            b"\xff".to_vec(),
            b"\xc3".to_vec(),
            b"&amp;".to_vec(),
            b"&#x0;".to_vec(),
            b"Content-Length: 99999999999\r\n".to_vec(),
        ]);
        prop_oneof![
            at.clone().prop_map(Edit::Cut),
            (at.clone(), any::<u8>()).prop_map(|(a, b)| Edit::Set(a, b)),
            (at.clone(), structure).prop_map(|(a, b)| Edit::Insert(a, b)),
            (at.clone(), prop::collection::vec(any::<u8>(), 1..16))
                .prop_map(|(a, b)| Edit::Insert(a, b)),
            at.clone().prop_map(Edit::Double),
            (at, 1usize..32).prop_map(|(a, n)| Edit::Remove(a, n)),
        ]
    }

    pub(crate) fn apply(seed: &[u8], edits: &[Edit]) -> Vec<u8> {
        let mut out = seed.to_vec();
        for e in edits {
            let pos = |f: f64, len: usize| ((f * len as f64) as usize).min(len);
            match e {
                Edit::Cut(f) => out.truncate(pos(*f, out.len())),
                Edit::Set(f, b) => {
                    let i = pos(*f, out.len());
                    if i < out.len() {
                        out[i] = *b;
                    }
                }
                Edit::Insert(f, b) => {
                    let i = pos(*f, out.len());
                    out.splice(i..i, b.iter().copied()).for_each(drop);
                }
                Edit::Double(f) => {
                    let tail = out[pos(*f, out.len())..].to_vec();
                    out.extend_from_slice(&tail);
                }
                Edit::Remove(f, n) => {
                    let i = pos(*f, out.len());
                    out.drain(i..(i + n).min(out.len())).for_each(drop);
                }
            }
        }
        out
    }

    /// Runs every reader on `bytes`; every reject must name the file it came from.
    fn read_all(bytes: &[u8], which: &str) {
        let opts = ReadOptions { max_doc_bytes: 4096, ..ReadOptions::default() };
        let mut sink = |r: Result<RawDoc, Reject>| {
            if let Err(r) = r {
                assert!(r.path.starts_with("prop."), "{r}");
            }
        };
        match which {
            "jsonl" => jsonl::read_jsonl(bytes, "prop.jsonl", &opts, &mut sink),
            "warc" => warc::read_warc(bytes, "prop.warc", &opts, &mut sink),
            "rss" => feed::read_feed(bytes, "prop.rss", &mut sink),
            _ => {
                let source = SourceRef {
                    path: "prop.html".into(),
                    line: None,
                    format: SourceFormat::Html,
                    external_id: None,
                };
                if let Err(r) = decode_doc(bytes, source, true) {
                    assert!(r.path.starts_with("prop."), "{r}");
                }
            }
        }
    }

    proptest::proptest! {
        // PROPTEST_CASES=N runs longer (docs/TESTING.md); the suite runs the default.
        #![proptest_config(crate::prop_config())]

        /// Issue 17, part 3: each reader, on its own format edited anywhere (cut, bytes set,
        /// structure characters put in, doubled, holes), never panics and names its file in
        /// every reject.
        #[test]
        fn edited_documents_never_panic_a_reader(
            which in 0usize..4,
            edits in proptest::collection::vec(edit(), 1..8),
        ) {
            let (format, seed) = &seeds()[which];
            read_all(&apply(seed, &edits), format);
        }

        /// The same for arbitrary bytes, given to every reader.
        #[test]
        fn arbitrary_bytes_never_panic_a_reader(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..2048)) {
            for f in ["jsonl", "warc", "rss", "html"] {
                read_all(&bytes, f);
            }
        }
    }

    #[test]
    fn mutated_inputs_never_panic_a_reader() {
        let jsonl = b"{\"title\":\"Eins\",\"text\":\"Der erste Artikel.\",\"date\":\"2023-09-12\"}\n[1]\n{\"html\":\"<p>Zwei</p>\"}\n".to_vec();
        let page = "<html><body><p>Eins</p></body></html>";
        let payload = format!("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n{page}");
        let warc = format!(
            "WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: https://a.example/1\r\nContent-Length: {}\r\n\r\n{payload}\r\n\r\n",
            payload.len()
        )
        .into_bytes();
        let feed = b"<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>T</title><item><title>A</title><description>Eins zwei</description></item></channel></rss>".to_vec();
        let opts = ReadOptions { max_doc_bytes: 4096, ..ReadOptions::default() };
        let mut cases = Cases(17);
        for _ in 0..300 {
            let mut sink = |r: Result<RawDoc, Reject>| {
                if let Err(r) = r {
                    assert!(r.path.starts_with("fuzz."), "{r}");
                }
            };
            jsonl::read_jsonl(&cases.mutate(&jsonl)[..], "fuzz.jsonl", &opts, &mut sink);
            warc::read_warc(&cases.mutate(&warc)[..], "fuzz.warc", &opts, &mut sink);
            feed::read_feed(&cases.mutate(&feed), "fuzz.rss", &mut sink);
            let source = SourceRef {
                path: "fuzz.html".into(),
                line: None,
                format: SourceFormat::Html,
                external_id: None,
            };
            if let Err(r) = decode_doc(&cases.mutate(page.as_bytes()), source, true) {
                assert!(r.path.starts_with("fuzz."), "{r}");
            }
        }
    }
}

//! JSONL: one article a line, in the field layouts of news-please, trafilatura and a plain one,
//! recognised per line. A `.json` file holding one array of such objects is read the same way.

use super::{decode_doc, ReadOptions};
use crate::{Reject, RejectKind};
use serde_json::{Map, Value};
use std::io::{BufRead, Read};
use storyline_core::{RawDoc, SourceFormat, SourceRef};

/// Field names for each piece of an article, in order of preference. news-please writes
/// `maintext`, `date_publish`, `source_domain`, `language`; trafilatura `text`, `date`,
/// `hostname`/`sitename`, `language`; the plain layout `id, title, text|body, date, url, source, lang`.
const TEXT_FIELDS: &[&str] = &["maintext", "text", "body", "content", "raw_text", "article"];
const HTML_FIELDS: &[&str] = &["html", "raw_html"];
const TITLE_FIELDS: &[&str] = &["title", "headline"];
const DATE_FIELDS: &[&str] = &[
    "date_publish",
    "date",
    "published",
    "date_published",
    "datePublished",
    "publish_date",
    "pubdate",
];
const URL_FIELDS: &[&str] = &["url", "link", "source_url"];
const OUTLET_FIELDS: &[&str] =
    &["source_domain", "sitename", "hostname", "source", "outlet", "publisher", "domain"];
const LANG_FIELDS: &[&str] = &["language", "lang"];
const ID_FIELDS: &[&str] = &["id", "_id", "article_id"];

pub(super) fn read_jsonl(
    mut reader: impl BufRead,
    shown: &str,
    opts: &ReadOptions,
    sink: &mut dyn FnMut(Result<RawDoc, Reject>),
) {
    // A whole JSON document may be up to 16 documents long; a line, one. Only a first line that
    // opens with `[` or `{` may start a whole document.
    let doc_limit = opts.max_doc_bytes.saturating_mul(16);
    let may_open_document = match reader.fill_buf() {
        Ok(chunk) => {
            chunk.iter().find(|b| !b.is_ascii_whitespace()).is_none_or(|b| matches!(b, b'[' | b'{'))
        }
        Err(_) => true,
    };
    let first_limit = if may_open_document { doc_limit } else { opts.max_doc_bytes };
    let mut buf = Vec::new();
    match read_bounded_line(&mut reader, &mut buf, first_limit) {
        Err(e) => return sink(Err(Reject::line(shown, 1, RejectKind::Io, e.to_string()))),
        // Reported as an empty text file is (issue 17, row 9: an empty .jsonl was silent).
        Ok(Line::End) => {
            return sink(Err(Reject::file(shown, RejectKind::Empty, "the file is empty")))
        }
        Ok(Line::TooLong(n)) => {
            sink(Err(too_long(shown, 1, n)));
            return read_lines(reader, 1, shown, opts, sink);
        }
        Ok(Line::Read) => {}
    }
    let line = trim_ascii(&buf);
    let array = line.starts_with(b"[");
    let whole_document =
        array || (line.starts_with(b"{") && serde_json::from_slice::<Value>(line).is_err());
    if !whole_document {
        read_line(line, 1, shown, opts, sink);
        return read_lines(reader, 1, shown, opts, sink);
    }
    // A whole JSON document (an array of articles, or one pretty-printed object), as `.json`
    // exports often are; if it is not one, it is read line by line after all. Never more than
    // the limit is held (issue 17, row 4: a first line that did not parse read the whole file).
    let mut all = buf;
    let room = (doc_limit + 1).saturating_sub(all.len() as u64);
    if let Err(e) = (&mut reader).take(room).read_to_end(&mut all) {
        return sink(Err(Reject::file(shown, RejectKind::Io, e.to_string())));
    }
    if all.len() as u64 <= doc_limit {
        return read_document(&all, shown, opts, sink);
    }
    if array {
        return sink(Err(Reject::file(
            shown,
            RejectKind::TooLarge,
            "JSON document too large to read whole; use JSONL",
        )));
    }
    // Too long for one document: the lines read so far, then the rest as it streams.
    let cut = all.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
    let tail = all.split_off(cut);
    let mut line_no = 0;
    for piece in all.split_inclusive(|&b| b == b'\n') {
        line_no += 1;
        read_line(trim_ascii(piece), line_no, shown, opts, sink);
    }
    drop(all);
    read_lines(std::io::Cursor::new(tail).chain(reader), line_no, shown, opts, sink);
}

/// Reads the lines after line `line_no`, one at a time, each at most one document long.
fn read_lines(
    mut reader: impl BufRead,
    mut line_no: u64,
    shown: &str,
    opts: &ReadOptions,
    sink: &mut dyn FnMut(Result<RawDoc, Reject>),
) {
    let mut buf = Vec::new();
    loop {
        let read = read_bounded_line(&mut reader, &mut buf, opts.max_doc_bytes);
        line_no += 1;
        match read {
            Ok(Line::End) => break,
            Ok(Line::Read) => read_line(trim_ascii(&buf), line_no, shown, opts, sink),
            Ok(Line::TooLong(n)) => sink(Err(too_long(shown, line_no, n))),
            Err(e) => {
                sink(Err(Reject::line(shown, line_no, RejectKind::Io, e.to_string())));
                break;
            }
        }
    }
}

fn too_long(shown: &str, line_no: u64, bytes: u64) -> Reject {
    Reject::line(
        shown,
        line_no,
        RejectKind::TooLarge,
        format!("line of {bytes} bytes is longer than the limit for one document"),
    )
}

/// What [`read_bounded_line`] found.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Line {
    /// The input has ended.
    End,
    /// A line, in the buffer with its `\n`.
    Read,
    /// A line longer than the limit, of this many bytes, passed over without being kept.
    TooLong(u64),
}

/// Reads one line into `buf` (cleared first) unless it is longer than `limit` bytes (its line
/// end aside): then the rest of it is read and dropped, so memory never holds more than the limit
/// whatever the line's length.
pub(super) fn read_bounded_line(
    reader: &mut impl BufRead,
    buf: &mut Vec<u8>,
    limit: u64,
) -> std::io::Result<Line> {
    buf.clear();
    let limit = usize::try_from(limit).unwrap_or(usize::MAX).saturating_add(2);
    let (mut total, mut too_long) = (0u64, false);
    loop {
        let chunk = match reader.fill_buf() {
            Ok(c) => c,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if chunk.is_empty() {
            break;
        }
        let (take, ends) = match chunk.iter().position(|&b| b == b'\n') {
            Some(p) => (p + 1, true),
            None => (chunk.len(), false),
        };
        total += take as u64;
        if !too_long {
            if buf.len() + take > limit {
                too_long = true;
                *buf = Vec::new();
            } else {
                buf.extend_from_slice(&chunk[..take]);
            }
        }
        reader.consume(take);
        if ends {
            break;
        }
    }
    Ok(match (total, too_long) {
        (0, _) => Line::End,
        (n, true) => Line::TooLong(n),
        _ => Line::Read,
    })
}

fn read_line(
    line: &[u8],
    line_no: u64,
    shown: &str,
    opts: &ReadOptions,
    sink: &mut dyn FnMut(Result<RawDoc, Reject>),
) {
    if line.is_empty() {
        return;
    }
    if line.len() as u64 > opts.max_doc_bytes {
        return sink(Err(too_long(shown, line_no, line.len() as u64)));
    }
    let text = match std::str::from_utf8(line) {
        Ok(t) => t,
        Err(e) => {
            return sink(Err(Reject::line(
                shown,
                line_no,
                RejectKind::InvalidUtf8,
                format!("not valid UTF-8 (bad byte at column {})", e.valid_up_to() + 1),
            )))
        }
    };
    match serde_json::from_str::<Value>(text) {
        Ok(value) => sink(value_to_doc(value, shown, line_no)),
        Err(e) => sink(Err(Reject::line(
            shown,
            line_no,
            RejectKind::BadJson,
            format!("not a complete JSON object: {e}"),
        ))),
    }
}

fn read_document(
    bytes: &[u8],
    shown: &str,
    opts: &ReadOptions,
    sink: &mut dyn FnMut(Result<RawDoc, Reject>),
) {
    if bytes.len() as u64 > 16 * opts.max_doc_bytes {
        return sink(Err(Reject::file(
            shown,
            RejectKind::TooLarge,
            "JSON document too large to read whole; use JSONL",
        )));
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Array(values)) => {
            for (i, v) in values.into_iter().enumerate() {
                sink(value_to_doc(v, shown, i as u64 + 1));
            }
        }
        Ok(value @ Value::Object(_)) => sink(value_to_doc(value, shown, 1)),
        _ => {
            for (i, line) in bytes.split(|&b| b == b'\n').enumerate() {
                read_line(trim_ascii(line), i as u64 + 1, shown, opts, sink);
            }
        }
    }
}

fn value_to_doc(value: Value, shown: &str, line_no: u64) -> Result<RawDoc, Reject> {
    match value {
        Value::Object(map) => record_to_doc(&map, shown, line_no),
        other => Err(Reject::line(
            shown,
            line_no,
            RejectKind::BadJson,
            format!("expected a JSON object, found {}", kind_of(&other)),
        )),
    }
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The first of `fields` holding text: a string, not a number. (`{"text": 123}` was stored as
/// an article titled "123": issue 17, row 9.)
fn first_text(map: &Map<String, Value>, fields: &[&str]) -> Option<String> {
    fields.iter().find_map(|f| match map.get(*f)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        _ => None,
    })
}

fn first_string(map: &Map<String, Value>, fields: &[&str]) -> Option<String> {
    fields.iter().find_map(|f| match map.get(*f)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    })
}

/// Turns one JSON object into a [`RawDoc`], whichever known layout it follows; `line_no` names it
/// in a reject.
pub fn record_to_doc(
    map: &Map<String, Value>,
    shown: &str,
    line_no: u64,
) -> Result<RawDoc, Reject> {
    let (body, is_html) = match first_text(map, TEXT_FIELDS) {
        Some(t) => (t, false),
        None => match first_text(map, HTML_FIELDS) {
            Some(h) => (h, true),
            None => {
                return Err(Reject::line(
                    shown,
                    line_no,
                    RejectKind::NoText,
                    format!(
                        "no article text: none of the fields {} holds text",
                        TEXT_FIELDS.join(", ")
                    ),
                ))
            }
        },
    };
    let source = SourceRef {
        path: shown.to_owned(),
        line: Some(line_no),
        format: SourceFormat::Jsonl,
        external_id: first_string(map, ID_FIELDS),
    };
    let mut doc = decode_doc(body.as_bytes(), source, is_html)?;
    doc.title = first_string(map, TITLE_FIELDS);
    doc.date = first_string(map, DATE_FIELDS);
    doc.url = first_string(map, URL_FIELDS);
    doc.outlet = first_string(map, OUTLET_FIELDS);
    doc.lang = first_string(map, LANG_FIELDS);
    Ok(doc)
}

fn trim_ascii(b: &[u8]) -> &[u8] {
    let start = b.iter().position(|c| !c.is_ascii_whitespace()).unwrap_or(b.len());
    let end = b.iter().rposition(|c| !c.is_ascii_whitespace()).map_or(start, |e| e + 1);
    &b[start..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(input: &str) -> Vec<Result<RawDoc, Reject>> {
        let mut out = Vec::new();
        read_jsonl(input.as_bytes(), "t.jsonl", &ReadOptions::default(), &mut |r| out.push(r));
        out
    }

    #[test]
    fn recognises_three_layouts() {
        let out = read(concat!(
            r#"{"title":"A","maintext":"news-please body","date_publish":"2023-09-12 07:43:00","source_domain":"tagesschau.de","language":"de","url":"https://www.tagesschau.de/a"}"#,
            "\n",
            r#"{"title":"B","text":"trafilatura body","date":"2023-09-12","hostname":"example.org","language":"en"}"#,
            "\n\n",
            r#"{"id":7,"title":"C","body":"plain body","date":null,"source":"Wire","lang":"fr"}"#,
            "\n"
        ));
        let docs: Vec<RawDoc> = out.into_iter().map(Result::unwrap).collect();
        assert_eq!(docs[0].body, "news-please body");
        assert_eq!(docs[0].outlet.as_deref(), Some("tagesschau.de"));
        assert_eq!(docs[0].date.as_deref(), Some("2023-09-12 07:43:00"));
        assert_eq!(docs[1].outlet.as_deref(), Some("example.org"));
        assert_eq!(docs[2].source.external_id.as_deref(), Some("7"));
        assert_eq!(docs[2].source.line, Some(4));
        assert_eq!(docs[2].date, None);
    }

    #[test]
    fn bad_lines_are_named_and_the_rest_read() {
        let out = read("{\"text\":\"ok\"}\n{\"text\":\"trunc\n[1,2]\n{\"title\":\"no body\"}\n{\"text\":\"ok2\"}\n");
        let kinds: Vec<_> = out
            .iter()
            .map(|r| match r {
                Ok(_) => "ok".to_owned(),
                Err(e) => format!("{}@{}", e.kind.as_str(), e.line.unwrap()),
            })
            .collect();
        assert_eq!(kinds, ["ok", "bad_json@2", "bad_json@3", "no_text@4", "ok"]);
    }

    /// A reader that counts the bytes it has given.
    struct Counting<'a>(&'a [u8], std::rc::Rc<std::cell::Cell<usize>>);

    impl std::io::Read for Counting<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.0.read(buf)?;
            self.1.set(self.1.get() + n);
            Ok(n)
        }
    }

    /// Issue 17, row 4: a line longer than the limit is rejected without being held whole,
    /// and a first line that does not parse no longer reads the whole file.
    #[test]
    fn lines_over_the_limit_are_passed_over_in_bounded_memory() {
        let opts = ReadOptions { max_doc_bytes: 100, ..ReadOptions::default() };
        let long = format!("{{\"text\":\"{}\"}}\n", "0".repeat(5_000));
        let input = format!("{{\"text\":\"eins\"}}\n{long}{{\"text\":\"zwei\"}}\n");
        let mut out = Vec::new();
        read_jsonl(input.as_bytes(), "t.jsonl", &opts, &mut |r| out.push(r));
        assert_eq!(out.len(), 3);
        let r = out[1].as_ref().unwrap_err();
        assert_eq!((r.kind, r.line), (RejectKind::TooLarge, Some(2)));
        assert!(out[2].as_ref().is_ok_and(|d| d.body == "zwei"));

        // A broken first line and more than a whole document's worth of lines after it: read
        // line by line, every good line kept, the file never held whole.
        let good = "{\"text\":\"gut\"}\n";
        let input = format!("{{\"text\": \"abgeschnitten\n{}", good.repeat(400));
        let consumed = std::rc::Rc::new(std::cell::Cell::new(0));
        let reader = Counting(input.as_bytes(), consumed.clone());
        let mut out = Vec::new();
        let mut consumed_at_first = None;
        read_jsonl(std::io::BufReader::with_capacity(64, reader), "t.jsonl", &opts, &mut |r| {
            consumed_at_first.get_or_insert(consumed.get());
            out.push(r)
        });
        let first = consumed_at_first.unwrap();
        assert!(first <= 16 * 100 + 64, "read {first} bytes before the first line was handed on");
        assert_eq!(out.len(), 401);
        assert_eq!(out.iter().filter(|r| r.is_ok()).count(), 400);
        assert_eq!(out[400].as_ref().unwrap().source.line, Some(401));

        let mut buf = Vec::new();
        let zeros = vec![0u8; 1 << 20];
        let mut reader = std::io::BufReader::new(&zeros[..]);
        assert_eq!(read_bounded_line(&mut reader, &mut buf, 100).unwrap(), Line::TooLong(1 << 20));
        assert!(buf.capacity() <= 8 * 1024, "never held more than the limit and a chunk");
    }

    #[test]
    fn numbers_are_not_text_and_an_empty_file_is_named() {
        let out = read("{\"text\": 123}\n{\"html\": 4.5, \"title\": \"x\"}\n");
        let kinds: Vec<_> = out.iter().map(|r| r.as_ref().unwrap_err().kind).collect();
        assert_eq!(kinds, [RejectKind::NoText, RejectKind::NoText]);
        let empty = read("");
        assert_eq!(empty.len(), 1);
        assert_eq!(empty[0].as_ref().unwrap_err().kind, RejectKind::Empty);
    }

    #[test]
    fn whole_json_documents() {
        let pretty = "{\n  \"about\": \"not an article\",\n  \"story\": {}\n}\n";
        let out = read(pretty);
        assert_eq!(out.len(), 1, "one reject for the whole document, not one a line");
        assert_eq!(out[0].as_ref().unwrap_err().kind, RejectKind::NoText);
        let array = "[\n {\"text\": \"eins\"},\n {\"text\": \"zwei\"}\n]";
        assert_eq!(read(array).into_iter().filter(Result::is_ok).count(), 2);
        let broken = "{\"text\": \"trunc\n{\"text\": \"ok\"}\n";
        let kinds: Vec<bool> = read(broken).iter().map(Result::is_ok).collect();
        assert_eq!(kinds, [false, true]);
    }
}

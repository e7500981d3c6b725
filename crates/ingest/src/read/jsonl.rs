//! JSONL: one article a line, in the field layouts of news-please, trafilatura and a plain one,
//! recognised per line. A `.json` file holding one array of such objects is read the same way.

use super::{decode_doc, ReadOptions};
use crate::{Reject, RejectKind};
use serde_json::{Map, Value};
use std::io::BufRead;
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
    let mut buf = Vec::new();
    let mut line_no = 0u64;
    loop {
        buf.clear();
        match reader.read_until(b'\n', &mut buf) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) => {
                sink(Err(Reject::line(shown, line_no + 1, RejectKind::Io, e.to_string())));
                break;
            }
        }
        line_no += 1;
        let line = trim_ascii(&buf);
        let whole_document = line.starts_with(b"[")
            || (line.starts_with(b"{") && serde_json::from_slice::<Value>(line).is_err());
        if line_no == 1 && whole_document {
            // A whole JSON document (an array of articles, or one pretty-printed object), as
            // `.json` exports often are; if it is not one, it is read line by line after all.
            let mut all = buf.clone();
            if let Err(e) = reader.read_to_end(&mut all) {
                return sink(Err(Reject::file(shown, RejectKind::Io, e.to_string())));
            }
            return read_document(&all, shown, opts, sink);
        }
        read_line(line, line_no, shown, opts, sink);
    }
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
        return sink(Err(Reject::line(
            shown,
            line_no,
            RejectKind::TooLarge,
            format!("line of {} bytes is longer than the limit for one document", line.len()),
        )));
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
    let (body, is_html) = match first_string(map, TEXT_FIELDS) {
        Some(t) => (t, false),
        None => match first_string(map, HTML_FIELDS) {
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

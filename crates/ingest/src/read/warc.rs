//! WARC files (CC-NEWS style, gzipped or not): one document for each `response` record that
//! carries an HTML page. Records are streamed one at a time.

use super::{decode_doc, ReadOptions};
use crate::{Reject, RejectKind};
use std::io::{BufRead, Read};
use storyline_core::{RawDoc, SourceFormat, SourceRef};

pub(super) fn read_warc(
    mut reader: impl BufRead,
    shown: &str,
    opts: &ReadOptions,
    sink: &mut dyn FnMut(Result<RawDoc, Reject>),
) {
    let mut record = 0u64;
    loop {
        // Skip blank lines between records, then expect a version line.
        let mut line = String::new();
        loop {
            line.clear();
            match reader.read_line(&mut line) {
                Ok(0) => return,
                Ok(_) if line.trim().is_empty() => continue,
                Ok(_) => break,
                Err(e) => {
                    return sink(Err(Reject::line(
                        shown,
                        record + 1,
                        RejectKind::Io,
                        e.to_string(),
                    )))
                }
            }
        }
        record += 1;
        if !line.starts_with("WARC/") {
            return sink(Err(Reject::line(
                shown,
                record,
                RejectKind::Malformed,
                format!("expected a WARC record header, found {:?}", truncate(line.trim(), 40)),
            )));
        }
        let mut headers = Vec::new();
        loop {
            line.clear();
            match reader.read_line(&mut line) {
                Ok(0) => {
                    return sink(Err(Reject::line(
                        shown,
                        record,
                        RejectKind::Malformed,
                        "file ends inside a record header",
                    )))
                }
                Ok(_) => {}
                Err(e) => {
                    return sink(Err(Reject::line(shown, record, RejectKind::Io, e.to_string())))
                }
            }
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            if let Some((k, v)) = l.split_once(':') {
                headers.push((k.trim().to_ascii_lowercase(), v.trim().to_owned()));
            }
        }
        let header = |name: &str| headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
        let Some(len) = header("content-length").and_then(|v| v.parse::<u64>().ok()) else {
            return sink(Err(Reject::line(
                shown,
                record,
                RejectKind::Malformed,
                "record without a Content-Length",
            )));
        };
        let is_response = header("warc-type").as_deref() == Some("response");
        if !is_response || len > opts.max_doc_bytes {
            if is_response {
                sink(Err(Reject::line(
                    shown,
                    record,
                    RejectKind::TooLarge,
                    format!("record of {len} bytes is over the limit"),
                )));
            }
            if let Err(e) = std::io::copy(&mut (&mut reader).take(len), &mut std::io::sink()) {
                return sink(Err(Reject::line(shown, record, RejectKind::Io, e.to_string())));
            }
            continue;
        }
        let mut block = Vec::with_capacity(len as usize);
        if let Err(e) = (&mut reader).take(len).read_to_end(&mut block) {
            return sink(Err(Reject::line(shown, record, RejectKind::Io, e.to_string())));
        }
        if (block.len() as u64) < len {
            return sink(Err(Reject::line(
                shown,
                record,
                RejectKind::Malformed,
                "file ends inside a record (truncated)",
            )));
        }
        if let Some(doc) =
            response_to_doc(&block, shown, record, header("warc-target-uri"), header("warc-date"))
        {
            sink(doc);
        }
    }
}

/// Splits an HTTP response into headers and body; pages that are not HTML are passed over.
fn response_to_doc(
    block: &[u8],
    shown: &str,
    record: u64,
    uri: Option<String>,
    warc_date: Option<String>,
) -> Option<Result<RawDoc, Reject>> {
    let split = block
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|p| (p, p + 4))
        .or_else(|| block.windows(2).position(|w| w == b"\n\n").map(|p| (p, p + 2)));
    let (head_end, body_start) = split?;
    let head = String::from_utf8_lossy(&block[..head_end]).to_ascii_lowercase();
    let content_type =
        head.lines().find_map(|l| l.strip_prefix("content-type:")).unwrap_or("text/html");
    if !content_type.contains("html") {
        return None;
    }
    let source = SourceRef {
        path: shown.to_owned(),
        line: Some(record),
        format: SourceFormat::Warc,
        external_id: uri.clone(),
    };
    Some(decode_doc(&block[body_start..], source, true).map(|mut doc| {
        doc.url = uri;
        doc.fetched = warc_date;
        doc
    }))
}

fn truncate(s: &str, n: usize) -> &str {
    match s.char_indices().nth(n) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn record(uri: &str, html: &str) -> String {
        let payload =
            format!("HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n{html}");
        format!(
            "WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: {uri}\r\nWARC-Date: 2023-09-12T06:00:00Z\r\nContent-Length: {}\r\n\r\n{payload}\r\n\r\n",
            payload.len()
        )
    }

    #[test]
    fn reads_response_records_and_skips_others() {
        let warc = format!(
            "WARC/1.0\r\nWARC-Type: warcinfo\r\nContent-Length: 5\r\n\r\nhello\r\n\r\n{}{}",
            record("https://a.example/1", "<html><body><p>Eins</p></body></html>"),
            record("https://b.example/2", "<html><body><p>Zwei</p></body></html>")
        );
        let mut out = Vec::new();
        read_warc(warc.as_bytes(), "x.warc", &ReadOptions::default(), &mut |r| out.push(r));
        assert_eq!(out.len(), 2);
        let d = out[1].as_ref().unwrap();
        assert_eq!(d.url.as_deref(), Some("https://b.example/2"));
        assert!(d.is_html && d.body.contains("Zwei"));
        assert_eq!(d.source.line, Some(3));
        assert_eq!(d.fetched.as_deref(), Some("2023-09-12T06:00:00Z"));
    }

    #[test]
    fn truncated_record_is_named() {
        let mut warc = record("https://a.example/1", "<html><body><p>Eins</p></body></html>");
        warc.truncate(warc.len() - 20);
        let mut out = Vec::new();
        read_warc(warc.as_bytes(), "x.warc", &ReadOptions::default(), &mut |r| out.push(r));
        assert_eq!(out[0].as_ref().unwrap_err().kind, RejectKind::Malformed);
    }
}

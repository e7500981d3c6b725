//! WARC files (CC-NEWS style, gzipped or not): one document for each `response` record that
//! carries an HTML page. Records are streamed one at a time.

use super::jsonl::{read_bounded_line, Line};
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
    let mut buf = Vec::new();
    loop {
        // Skip blank lines between records, then expect a version line.
        let line = loop {
            match next_header_line(&mut reader, &mut buf) {
                Ok(None) => return,
                Ok(Some(l)) if l.trim().is_empty() => continue,
                Ok(Some(l)) => break l,
                Err(r) => return sink(Err(r.at(shown, record + 1))),
            }
        };
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
        let mut header_bytes = 0;
        loop {
            let line = match next_header_line(&mut reader, &mut buf) {
                Ok(Some(l)) => l,
                Ok(None) => {
                    return sink(Err(Reject::line(
                        shown,
                        record,
                        RejectKind::Malformed,
                        "file ends inside a record header",
                    )))
                }
                Err(r) => return sink(Err(r.at(shown, record))),
            };
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            header_bytes += l.len();
            if header_bytes as u64 > MAX_HEADER_LINE * 16 {
                return sink(Err(Reject::line(
                    shown,
                    record,
                    RejectKind::Malformed,
                    "record header longer than a WARC header can be",
                )));
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

/// The longest WARC header line read; a longer one is not a header (issue 17, row 4: a file of
/// zeros was read whole as one line). A record's header may have sixteen times as many bytes.
const MAX_HEADER_LINE: u64 = 64 * 1024;

/// Why a header line could not be read.
enum LineProblem {
    Io(std::io::Error),
    TooLong(u64),
}

impl LineProblem {
    fn at(self, shown: &str, record: u64) -> Reject {
        match self {
            LineProblem::Io(e) => Reject::line(shown, record, RejectKind::Io, e.to_string()),
            LineProblem::TooLong(n) => Reject::line(
                shown,
                record,
                RejectKind::Malformed,
                format!("a line of {n} bytes where a WARC header line was expected"),
            ),
        }
    }
}

/// The next header line, at most [`MAX_HEADER_LINE`] bytes, decoded leniently; `None` at the end.
fn next_header_line(
    reader: &mut impl BufRead,
    buf: &mut Vec<u8>,
) -> Result<Option<String>, LineProblem> {
    match read_bounded_line(reader, buf, MAX_HEADER_LINE) {
        Ok(Line::End) => Ok(None),
        Ok(Line::Read) => Ok(Some(String::from_utf8_lossy(buf).into_owned())),
        Ok(Line::TooLong(n)) => Err(LineProblem::TooLong(n)),
        Err(e) => Err(LineProblem::Io(e)),
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

    /// Issue 17, row 4: a gigabyte with no line end is not read whole as a header line.
    #[test]
    fn a_header_line_over_the_limit_is_named_not_read_whole() {
        let mut warc = b"WARC/1.0\r\nWARC-Type: response\r\nX: ".to_vec();
        warc.resize(4 * MAX_HEADER_LINE as usize, b'0');
        let mut out = Vec::new();
        read_warc(&warc[..], "x.warc", &ReadOptions::default(), &mut |r| out.push(r));
        let r = out[0].as_ref().unwrap_err();
        assert_eq!((r.kind, r.line), (RejectKind::Malformed, Some(1)));
        assert!(r.message.contains("where a WARC header line was expected"), "{}", r.message);
        let zeros = vec![0u8; 4 * MAX_HEADER_LINE as usize];
        let mut out = Vec::new();
        read_warc(&zeros[..], "z.warc", &ReadOptions::default(), &mut |r| out.push(r));
        assert_eq!(out.len(), 1);
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

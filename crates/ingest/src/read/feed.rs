//! RSS and Atom feeds: one document an entry, with the entry's own title, date, link and language,
//! and the feed's title as the outlet.

use crate::{Reject, RejectKind};
use storyline_core::{Decision, Field, RawDoc, SourceFormat, SourceRef};

pub(super) fn read_feed(bytes: &[u8], shown: &str, sink: &mut dyn FnMut(Result<RawDoc, Reject>)) {
    let feed = match feed_rs::parser::parse(bytes) {
        Ok(f) => f,
        Err(e) => {
            return sink(Err(Reject::file(
                shown,
                RejectKind::Malformed,
                format!("not a readable RSS or Atom feed: {e}"),
            )))
        }
    };
    let outlet = feed.title.as_ref().map(|t| t.content.trim().to_owned()).filter(|t| !t.is_empty());
    for (i, entry) in feed.entries.into_iter().enumerate() {
        let n = i as u64 + 1;
        let body = entry
            .content
            .as_ref()
            .and_then(|c| c.body.clone())
            .or_else(|| entry.summary.as_ref().map(|s| s.content.clone()))
            .unwrap_or_default();
        if body.trim().is_empty() {
            sink(Err(Reject::line(
                shown,
                n,
                RejectKind::NoText,
                "feed entry has neither content nor summary",
            )));
            continue;
        }
        let source = SourceRef {
            path: shown.to_owned(),
            line: Some(n),
            format: SourceFormat::Feed,
            external_id: Some(entry.id.clone()).filter(|s| !s.is_empty()),
        };
        let is_html = body.contains('<');
        let mut doc = RawDoc::new(source, body, is_html);
        doc.title = entry.title.map(|t| t.content.trim().to_owned());
        doc.date = entry.published.or(entry.updated).map(|d| d.to_rfc3339());
        doc.url = entry.links.first().map(|l| l.href.clone());
        doc.lang = entry.language.or_else(|| feed.language.clone());
        doc.outlet.clone_from(&outlet);
        if doc.outlet.is_some() {
            doc.decisions.push(Decision::new(
                Field::Outlet,
                outlet.clone().unwrap_or_default(),
                "the feed's title",
            ));
        }
        sink(Ok(doc));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_rss_entries() {
        let rss = r#"<?xml version="1.0"?><rss version="2.0"><channel><title>Beispiel-Zeitung</title>
<language>de</language>
<item><title>Kim in Russland</title><link>https://example.org/kim</link>
<pubDate>Tue, 12 Sep 2023 05:43:00 GMT</pubDate><description>Der Zug hat Russland erreicht.</description></item>
<item><title>leer</title></item></channel></rss>"#;
        let mut out = Vec::new();
        read_feed(rss.as_bytes(), "f.rss", &mut |r| out.push(r));
        let doc = out[0].as_ref().unwrap();
        assert_eq!(doc.title.as_deref(), Some("Kim in Russland"));
        assert_eq!(doc.date.as_deref(), Some("2023-09-12T05:43:00+00:00"));
        assert_eq!(doc.outlet.as_deref(), Some("Beispiel-Zeitung"));
        assert_eq!(doc.lang.as_deref(), Some("de"));
        assert_eq!(out[1].as_ref().unwrap_err().line, Some(2));
    }
}

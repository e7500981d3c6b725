//! Normalisation: a [`RawDoc`] becomes an [`Article`] with clean text, title, date, language and
//! outlet, each chosen for a recorded reason.

pub mod clean;
pub mod date;
pub mod header;
pub mod headline;
mod lang;
pub mod nesting;

use crate::profile::{builtin_profiles, Profile};
use crate::{IngestError, Reject, RejectKind};
use clean::{line_key, Cleaner, LineHistory};
use storyline_core::{Article, DateSource, Decision, Field, PubDate, RawDoc};

/// Words before a full stop that do not end a sentence.
const ABBREVIATIONS: &[&str] = &[
    "dr", "prof", "nr", "st", "bzw", "ca", "vgl", "mr", "mrs", "ms", "jr", "sr", "etc", "usw",
    "z.b", "u.a", "gen", "vs",
];

/// Titles longer than this are not titles but leads.
const MAX_TITLE_CHARS: usize = 250;

/// The result of normalising one document.
#[derive(Debug, Clone)]
pub struct Normalised {
    /// The article.
    pub article: Article,
    /// Hashes of the raw text's short lines, to add to the outlet's line history once stored.
    pub line_hashes: Vec<u64>,
}

/// Turns raw documents into articles. Built once (it holds the profiles, compiled patterns and the
/// language detector) and shared by all threads.
pub struct Normaliser {
    profiles: Vec<Profile>,
    cleaner: Cleaner,
    detector: lang::Detector,
    headlines: headline::HeadlineSplitter,
    header: header::HeaderReader,
}

impl std::fmt::Debug for Normaliser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Normaliser").field("profiles", &self.profiles.len()).finish()
    }
}

impl Normaliser {
    /// Builds a normaliser with the built-in language profiles.
    pub fn new() -> Result<Normaliser, IngestError> {
        let profiles = builtin_profiles()?;
        let cleaner = Cleaner::new(&profiles);
        let detector = lang::Detector::new(&profiles);
        let headlines = headline::HeadlineSplitter::new(&profiles);
        let header = header::HeaderReader::new(&profiles);
        Ok(Normaliser { profiles, cleaner, detector, headlines, header })
    }

    /// The language codes this normaliser has profiles for.
    pub fn languages(&self) -> Vec<&str> {
        self.profiles.iter().map(|p| p.code.as_str()).collect()
    }

    /// Normalises one document. `history` tells which lines the document's outlet repeats.
    /// Rejects a document with no text left to read.
    pub fn normalise(&self, doc: RawDoc, history: &dyn LineHistory) -> Result<Normalised, Reject> {
        let id = doc.article_id();
        let mut decisions = doc.decisions.clone();
        let mut meta = Meta::default();
        let text = if doc.is_html {
            self.html_text(&doc, &mut meta, &mut decisions)?
        } else {
            doc.body.clone()
        };
        let text = without_controls(text);

        // Outlet known before cleaning, so the outlet's repeated lines can be dropped.
        let mut outlet = doc.outlet.clone().map(|o| tidy_outlet(&o));
        let mut outlet_reason = if decisions.iter().any(|d| d.field == Field::Outlet) {
            None
        } else {
            outlet.as_ref().map(|_| "declared by the source".to_owned())
        };
        if outlet.is_none() {
            if let Some(site) = meta.sitename.clone() {
                outlet = Some(site);
                outlet_reason = Some("the page's site name metadata".into());
            }
        }
        let url = doc.url.clone().or(meta.url.clone());
        if outlet.is_none() {
            if let Some(host) = url.as_deref().and_then(host_of) {
                outlet = Some(host);
                outlet_reason = Some("host of the article's URL".into());
            }
        }

        // Plain text without a title: a run of spaces in its first line (a scraper's column
        // break after the headline) becomes a line break before cleaning joins the spaces.
        let text = match (doc.is_html, &doc.title) {
            (false, None) => match headline::break_first_column(&text) {
                Some(broken) => {
                    decisions.push(Decision::new(
                        Field::Text,
                        "line break",
                        "a run of spaces in the first line, read as the end of the headline",
                    ));
                    broken
                }
                None => text,
            },
            _ => text,
        };

        let cleaned = self.cleaner.clean(&text, outlet.as_deref(), history);
        decisions.extend(cleaned.decisions);
        let mut lines = cleaned.lines;

        // Title.
        let declared_title =
            doc.title.clone().or(meta.title.clone()).filter(|t| !t.trim().is_empty());
        let title = match declared_title {
            Some(t) => {
                let t = without_controls(crate::decode::repair_mojibake(t.trim()).0);
                let mut t = t.trim().to_owned();
                let mut why = if doc.title.is_some() {
                    "declared by the source"
                } else {
                    "the page's title metadata"
                };
                // A page whose `</title>` is broken has the rest of the page as its title.
                if doc.title.is_none() && t.chars().count() > MAX_TITLE_CHARS {
                    t = cut_title(&t);
                    why = "the page's title metadata, cut at its length limit";
                }
                decisions.push(Decision::new(Field::Title, &t, why));
                if lines.first().is_some_and(|l| line_key(l) == line_key(&t)) {
                    lines.remove(0);
                }
                t
            }
            None => {
                let t = self.title_from_text(&mut lines, &mut decisions);
                if t.chars().count() > MAX_TITLE_CHARS {
                    cut_title(&t)
                } else {
                    t
                }
            }
        };
        if lines.len() > 1 && lines.last().is_some_and(|l| line_key(l) == line_key(&title)) {
            let l = lines.pop().unwrap_or_default();
            decisions.push(Decision::new(Field::Boilerplate, l, "headline repeated at the end"));
        }
        let header = self.header.read(&mut lines, &mut decisions);
        let body = lines.join("\n\n");
        if body.trim().is_empty() && title.trim().is_empty() {
            return Err(reject(
                &doc,
                RejectKind::NoText,
                "no text left after removing boilerplate",
            ));
        }

        // Date.
        let date = self.choose_date(
            &doc,
            &meta,
            cleaned.stamp.map(|s| s.date).or(header.date),
            url.as_deref(),
            &mut decisions,
        );

        // Language.
        let lang = self.choose_lang(&doc, &meta, &title, &body, &mut decisions);

        // An undated article's earliest possible day, from the years its text (photo captions
        // included: they belong to the article) narrates as past.
        let not_before = match (&date, lang.as_deref()) {
            (None, Some(code)) => self.profiles.iter().find(|p| p.code == code).and_then(|p| {
                let captions = decisions
                    .iter()
                    .filter(|d| {
                        d.field == Field::Boilerplate && d.reason.starts_with("photo caption")
                    })
                    .map(|d| d.value.as_str());
                date::not_before(
                    std::iter::once(title.as_str())
                        .chain(lines.iter().map(String::as_str))
                        .chain(captions),
                    p,
                )
            }),
            _ => None,
        };
        let not_before = not_before.map(|(day, sentence)| {
            decisions.push(Decision::new(
                Field::Date,
                format!("not before {day}"),
                format!("the text narrates an earlier year as past: {sentence:?}"),
            ));
            day
        });

        // Outlet from credit lines, as a last resort.
        if outlet.is_none() && !cleaned.agencies.is_empty() {
            outlet = Some(cleaned.agencies.join(", "));
            outlet_reason = Some("agency credit line at the end of the text".into());
        }
        match (&outlet, outlet_reason) {
            (Some(o), Some(why)) => decisions.push(Decision::new(Field::Outlet, o, why)),
            (None, _) => decisions.push(Decision::new(
                Field::Outlet,
                "unknown",
                "no outlet in metadata, URL or credit lines",
            )),
            _ => {}
        }

        let mut article = Article {
            id,
            source: doc.source,
            url,
            title,
            text: body,
            date,
            not_before,
            lang,
            outlet,
            author: header.author,
            decisions,
        };
        scrub_controls(&mut article);
        Ok(Normalised { article, line_hashes: cleaned.line_hashes })
    }

    fn html_text(
        &self,
        doc: &RawDoc,
        meta: &mut Meta,
        decisions: &mut Vec<Decision>,
    ) -> Result<String, Reject> {
        let nesting = nesting::limit_nesting(&doc.body, nesting::MAX_HTML_DEPTH);
        if nesting.dropped > 0 {
            decisions.push(Decision::new(
                Field::Text,
                format!("{} tags dropped", nesting.dropped),
                format!(
                    "the page nests {} elements deep; below depth {} its tags were dropped and \
                     their text kept",
                    nesting.depth,
                    nesting::MAX_HTML_DEPTH
                ),
            ));
        }
        let html = nesting.html.as_ref();
        let (extracted, all) = on_large_stack(|| {
            let opts = trafilatura::Options::default().with_fallback(true);
            match trafilatura::extract(html, &opts).ok() {
                Some(r) if !r.content_text.trim().is_empty() => (Some(r), String::new()),
                other => (other, trafilatura::html2txt(html)),
            }
        })
        .map_err(|why| reject(doc, RejectKind::Unreadable, &why))?;
        if let Some(r) = &extracted {
            let m = &r.metadata;
            let nonempty = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
            meta.title = nonempty(&m.title);
            meta.sitename = nonempty(&m.sitename).or_else(|| nonempty(&m.hostname));
            meta.url = nonempty(&m.url);
            meta.lang = nonempty(&m.language);
            meta.date = m.date.map(|d| d.format("%Y-%m-%d").to_string());
        }
        let main = extracted.map(|r| r.content_text).unwrap_or_default();
        if !main.trim().is_empty() {
            decisions.push(Decision::new(
                Field::Text,
                "main text",
                "extracted from the HTML page by trafilatura",
            ));
            return Ok(main);
        }
        if !all.trim().is_empty() {
            decisions.push(Decision::new(
                Field::Text,
                "whole page text",
                "no main text block found; all text of the page kept",
            ));
            return Ok(all);
        }
        Err(reject(doc, RejectKind::NoText, "HTML page has no text"))
    }

    fn title_from_text(&self, lines: &mut Vec<String>, decisions: &mut Vec<Decision>) -> String {
        let Some(first) = lines.first().cloned() else {
            decisions.push(Decision::new(Field::Title, "", "no text to take a title from"));
            return String::new();
        };
        // Headline and body run together on the first line: split where the headline ends.
        if headline::HeadlineSplitter::runs_together(&first) {
            if let Some(split) = self.headlines.split(&first, lines.len() > 1) {
                let title = split.title;
                decisions.push(Decision::new(Field::Title, &title, &split.reason));
                for (piece, why) in &split.dropped {
                    decisions.push(Decision::new(Field::Boilerplate, piece, *why));
                }
                if split.rest.trim().is_empty() {
                    lines.remove(0);
                } else {
                    lines[0] = split.rest;
                }
                return title;
            }
        }
        let sentence_end = first_sentence_end(&first);
        if first.chars().count() <= MAX_TITLE_CHARS && sentence_end.is_none_or(|e| e >= first.len())
        {
            lines.remove(0);
            let mut t = first.clone();
            if let Some((head, site)) = self.headlines.site_suffix(&t) {
                // "X – Beacon": the outlet's name after its headline, and often "X" again.
                decisions.push(Decision::new(
                    Field::Boilerplate,
                    site,
                    "site name after the headline",
                ));
                if lines.first().is_some_and(|l| line_key(l) == line_key(&head)) {
                    let repeated = lines.remove(0);
                    decisions.push(Decision::new(
                        Field::Boilerplate,
                        repeated,
                        "headline repeated",
                    ));
                }
                t = head;
            }
            decisions.push(Decision::new(Field::Title, &t, "first line of the text"));
            return t;
        }
        // The text runs straight into its lead: take the lead's first sentence, keep the line.
        let end = sentence_end.unwrap_or(first.len());
        let mut t = first[..end].trim().trim_end_matches('.').to_owned();
        if t.chars().count() > MAX_TITLE_CHARS {
            t = cut_title(&t);
        }
        decisions.push(Decision::new(
            Field::Title,
            &t,
            "first sentence of the lead; the text has no separate title line",
        ));
        t
    }

    fn choose_date(
        &self,
        doc: &RawDoc,
        meta: &Meta,
        stamp: Option<PubDate>,
        url: Option<&str>,
        decisions: &mut Vec<Decision>,
    ) -> Option<PubDate> {
        let mut problems = Vec::new();
        let candidates: [(Option<&String>, &str); 2] = [
            (doc.date.as_ref(), "declared by the source"),
            (meta.date.as_ref(), "the page's date metadata"),
        ];
        for (raw, why) in candidates {
            if let Some(raw) = raw {
                match date::parse_declared(raw, DateSource::Metadata) {
                    Some(d) => {
                        decisions.push(Decision::new(
                            Field::Date,
                            &d.iso,
                            format!("{why}: {raw:?}"),
                        ));
                        return Some(d);
                    }
                    None => {
                        problems.push(format!("{why} {raw:?} is not a date form Storyline reads"))
                    }
                }
            }
        }
        if let Some(d) = stamp {
            decisions.push(Decision::new(
                Field::Date,
                &d.iso,
                format!("time stamp in the text: {:?}", d.evidence),
            ));
            return Some(d);
        }
        if let Some(d) = url.and_then(date::date_from_url) {
            decisions.push(Decision::new(
                Field::Date,
                &d.iso,
                format!("date in the URL path: {:?}", d.evidence),
            ));
            return Some(d);
        }
        if let Some(d) =
            doc.fetched.as_deref().and_then(|f| date::parse_declared(f, DateSource::Metadata))
        {
            decisions.push(Decision::new(Field::Date, &d.iso, "WARC-Date: the page states no date, so the time it was fetched (published on or before)"));
            return Some(d);
        }
        problems.push("no date in metadata, time stamp line or URL".into());
        decisions.push(Decision::new(Field::Date, "unknown", problems.join("; ")));
        None
    }

    fn choose_lang(
        &self,
        doc: &RawDoc,
        meta: &Meta,
        title: &str,
        body: &str,
        decisions: &mut Vec<Decision>,
    ) -> Option<String> {
        for (raw, why) in [
            (doc.lang.as_ref(), "declared by the source"),
            (meta.lang.as_ref(), "the page's language metadata"),
        ] {
            if let Some(code) = raw.and_then(|r| lang::normalise_code(r)) {
                decisions.push(Decision::new(Field::Language, &code, why));
                return Some(code);
            }
        }
        match self.detector.detect(title, body) {
            Some((code, confidence, method)) => {
                decisions.push(Decision::new(
                    Field::Language,
                    &code,
                    format!(
                        "detected from title and text by {method} (confidence {confidence:.2})"
                    ),
                ));
                Some(code)
            }
            None => {
                decisions.push(Decision::new(
                    Field::Language,
                    "unknown",
                    "text too short or too mixed to tell",
                ));
                None
            }
        }
    }
}

#[derive(Debug, Default)]
struct Meta {
    title: Option<String>,
    sitename: Option<String>,
    url: Option<String>,
    lang: Option<String>,
    date: Option<String>,
}

/// The stack of the thread HTML extraction runs on. The extractor walks the element tree
/// recursively; pages are flattened to [`nesting::MAX_HTML_DEPTH`] first, and this leaves a wide
/// margin over what that depth needs. Only the pages touched are ever mapped in.
const EXTRACTION_STACK: usize = 64 * 1024 * 1024;

/// Runs `f` on a thread of its own with an [`EXTRACTION_STACK`]-sized stack, so that a deep page
/// cannot overflow the caller's (a worker's default is 2 MiB), and turns a panic into an error
/// naming it, so that one page cannot take its batch down.
fn on_large_stack<T: Send>(f: impl FnOnce() -> T + Send) -> Result<T, String> {
    std::thread::scope(|scope| {
        let handle = std::thread::Builder::new()
            .name("html-extract".into())
            .stack_size(EXTRACTION_STACK)
            .spawn_scoped(scope, f)
            .map_err(|e| format!("could not start the HTML extractor: {e}"))?;
        handle.join().map_err(|panic| {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "no message".into());
            format!("the HTML extractor failed on this page: {what}")
        })
    })
}

fn reject(doc: &RawDoc, kind: RejectKind, message: &str) -> Reject {
    Reject { path: doc.source.path.clone(), line: doc.source.line, kind, message: message.into() }
}

/// Byte offset just past the first sentence of `line`, if a sentence ends before the line does.
fn first_sentence_end(line: &str) -> Option<usize> {
    let bytes: Vec<(usize, char)> = line.char_indices().collect();
    for w in 0..bytes.len().saturating_sub(2) {
        let (i, c) = bytes[w];
        if matches!(c, '.' | '!' | '?') && bytes[w + 1].1 == ' ' && bytes[w + 2].1.is_uppercase() {
            // Not after a one-letter abbreviation or a number ("Dr.", "4.").
            let before = line[..i].rsplit(' ').next().unwrap_or("");
            let abbreviation = before.chars().count() < 2
                || ABBREVIATIONS.contains(&before.to_lowercase().as_str())
                || before.chars().all(|c| c.is_ascii_digit());
            if !abbreviation {
                return Some(i + 1);
            }
        }
    }
    None
}

fn host_of(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let host = rest.split(['/', '?', '#']).next()?.split('@').next_back()?.split(':').next()?;
    (!host.is_empty()).then(|| host.trim_start_matches("www.").to_ascii_lowercase())
}

/// `t` cut to [`MAX_TITLE_CHARS`] characters, marked with an ellipsis.
fn cut_title(t: &str) -> String {
    t.chars().take(MAX_TITLE_CHARS).collect::<String>().trim_end().to_owned() + "…"
}

/// `s` with every control character but line breaks and tabs made a space: a stray control
/// character (a scrape's shift-out, a C1 code from a wrong code page) is never text, and would
/// reach titles, exports and terminals.
fn without_controls(s: String) -> String {
    let stray = |c: char| c.is_control() && !matches!(c, '\n' | '\r' | '\t');
    if !s.chars().any(stray) {
        return s;
    }
    s.chars().map(|c| if stray(c) { ' ' } else { c }).collect()
}

/// Every text field of an article without stray control characters (see [`without_controls`]):
/// the source's id, the URL, the author and the decisions come from the input as they are, and a
/// NUL there is no more text than in the body (PostgreSQL refuses to store it, and took the whole
/// batch down with it).
fn scrub_controls(a: &mut Article) {
    let scrub = |s: &mut String| *s = without_controls(std::mem::take(s));
    for s in [&mut a.title, &mut a.source.path].into_iter().chain(
        [&mut a.source.external_id, &mut a.url, &mut a.outlet, &mut a.author, &mut a.lang]
            .into_iter()
            .flatten(),
    ) {
        scrub(s);
    }
    for d in &mut a.decisions {
        scrub(&mut d.value);
        scrub(&mut d.reason);
    }
}

fn tidy_outlet(o: &str) -> String {
    let o = o.trim();
    if o.contains('.') && !o.contains(' ') {
        host_of(o).unwrap_or_else(|| o.trim_start_matches("www.").to_ascii_lowercase())
    } else {
        o.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts() {
        assert_eq!(
            host_of("https://www.tagesschau.de/ausland/x.html").as_deref(),
            Some("tagesschau.de")
        );
        assert_eq!(tidy_outlet("www.Spiegel.de"), "spiegel.de");
        assert_eq!(tidy_outlet("Der Standard"), "Der Standard");
    }

    fn html_doc(body: String) -> RawDoc {
        let source = storyline_core::SourceRef {
            path: "deep.html".into(),
            line: None,
            format: storyline_core::SourceFormat::Html,
            external_id: None,
        };
        RawDoc::new(source, body, true)
    }

    /// Issue 17, row 1: ten thousand nested elements overflowed the stack inside the extractor
    /// and aborted the process. Test threads have a 2 MiB stack, as rayon's workers do.
    #[test]
    fn a_page_nested_ten_thousand_deep_is_flattened_not_fatal() {
        let sentence = "Die Regierung hat am Montag neue Maßnahmen beschlossen. ";
        let page = format!(
            "<html><body>{}<p>{}</p>{}</body></html>",
            "<div>".repeat(10_000),
            sentence.repeat(10),
            "</div>".repeat(10_000)
        );
        let n = Normaliser::new().unwrap();
        let a = n.normalise(html_doc(page), &clean::NoHistory).unwrap().article;
        assert!(a.text.contains("neue Maßnahmen beschlossen"), "{}", a.text);
        assert!(
            a.decisions.iter().any(|d| d.value.ends_with("tags dropped")
                && d.reason.contains("nests 10003 elements deep")),
            "{:?}",
            a.decisions
        );
    }

    /// Mutated pages (cut, doubled, bytes flipped, brackets and quotes put in) never panic the
    /// normaliser; a page it cannot use is a reject naming the page.
    #[test]
    fn mutated_pages_never_panic_the_normaliser() {
        let page = "<!doctype html><html lang=de><head><title>Kim reist ab</title>\
            <meta property=\"og:site_name\" content=\"Tagesschau\"></head><body><article>\
            <h1>Kim reist ab</h1><p>Der Zug des Machthabers hat am 12. September 2023 die Grenze \
            überquert, wie die Agentur meldete.</p><ul><li>Eins<li>Zwei</ul></article></body></html>";
        let n = Normaliser::new().unwrap();
        let mut cases = crate::read::tests::Cases(7);
        for _ in 0..150 {
            let bytes = cases.mutate(page.as_bytes());
            let body = String::from_utf8_lossy(&bytes).into_owned();
            if let Err(r) = n.normalise(html_doc(body), &clean::NoHistory) {
                assert_eq!(r.path, "deep.html");
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(crate::prop_config())]

        /// Issue 17, part 3: an HTML page or a plain-text scrape edited anywhere is normalised
        /// or rejected by name, never a panic; what comes out is an article with a title or text,
        /// a title no longer than the limit and no control characters but line breaks and tabs.
        #[test]
        fn edited_pages_and_scrapes_normalise_or_are_rejected_by_name(
            html in proptest::prelude::any::<bool>(),
            edits in proptest::collection::vec(crate::read::tests::edit(), 1..8),
        ) {
            let page = "<!doctype html><html lang=de><head><title>Kim reist ab</title>\
                <meta property=\"og:site_name\" content=\"Tagesschau\"></head><body><article>\
                <h1>Kim reist ab</h1><p>Der Zug des Machthabers hat am 12. September 2023 die Grenze \
                überquert, wie die Agentur meldete.</p><ul><li>Eins<li>Zwei</ul></article></body></html>";
            let scrape = "Kim reist ab Kim reist ab BERLIN (dpa) – Der Zug des Machthabers hat am \
                12. September 2023 die Grenze überquert.\nVon Anna Muster\nMehr zum Thema\n\
                Der Kreml bestätigte die Reise am Montag. „Wir sind bereit“, sagte ein Sprecher.";
            let seed = if html { page } else { scrape };
            let bytes = crate::read::tests::apply(seed.as_bytes(), &edits);
            let body = String::from_utf8_lossy(&bytes).into_owned();
            let source = storyline_core::SourceRef {
                path: "prop.txt".into(),
                line: None,
                format: if html { storyline_core::SourceFormat::Html } else { storyline_core::SourceFormat::Text },
                external_id: None,
            };
            let n = normaliser();
            match n.normalise(RawDoc::new(source, body, html), &clean::NoHistory) {
                Ok(out) => {
                    let a = &out.article;
                    // A headline alone is an article (real streams have such pages).
                    proptest::prop_assert!(!(a.text.trim().is_empty() && a.title.trim().is_empty()));
                    proptest::prop_assert!(a.title.chars().count() <= MAX_TITLE_CHARS + 1, "{:?}", a.title);
                    let control = |c: char| c.is_control() && c != '\n' && c != '\t';
                    proptest::prop_assert!(!a.title.chars().any(|c| c.is_control()), "{:?}", a.title);
                    proptest::prop_assert!(!a.text.chars().any(control), "{:?}", a.text);
                }
                Err(r) => proptest::prop_assert_eq!(r.path, "prop.txt"),
            }
        }
    }

    /// A NUL or other control character in the source's id, URL or title reaches no stored
    /// field: PostgreSQL refused the batch that held one.
    #[test]
    fn control_characters_reach_no_stored_field() {
        let source = storyline_core::SourceRef {
            path: "a.jsonl".into(),
            line: Some(1),
            format: storyline_core::SourceFormat::Jsonl,
            external_id: Some("a\u{0}b".into()),
        };
        let mut doc = RawDoc::new(
            source,
            "Der Zug hat Russland erreicht. Kim traf Putin in Wladiwostok am Mittwoch.".into(),
            false,
        );
        doc.title = Some("T\u{0}itel".into());
        doc.url = Some("https://example.org/\u{0}a".into());
        let a = normaliser().normalise(doc, &clean::NoHistory).unwrap().article;
        let fields = [
            Some(&a.title),
            Some(&a.text),
            a.source.external_id.as_ref(),
            a.url.as_ref(),
            a.author.as_ref(),
            a.outlet.as_ref(),
        ];
        for f in fields
            .into_iter()
            .flatten()
            .chain(a.decisions.iter().flat_map(|d| [&d.value, &d.reason]))
        {
            assert!(
                !f.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')),
                "{f:?}"
            );
        }
        assert_eq!(a.source.external_id.as_deref(), Some("a b"));
    }

    /// One normaliser for all property cases (building one compiles the profiles).
    fn normaliser() -> &'static Normaliser {
        static N: std::sync::OnceLock<Normaliser> = std::sync::OnceLock::new();
        N.get_or_init(|| Normaliser::new().unwrap())
    }

    #[test]
    fn a_panic_in_extraction_is_an_error_not_an_abort() {
        assert_eq!(on_large_stack(|| 7), Ok(7));
        let err = on_large_stack(|| -> u8 { panic!("boom") }).unwrap_err();
        assert!(err.contains("failed on this page: boom"), "{err}");
    }

    #[test]
    fn sentence_ends() {
        assert_eq!(first_sentence_end("Kim reist ab. Dann kommt er an."), Some(13));
        assert_eq!(first_sentence_end("Am 4. September kam Dr. Kim an"), None);
    }
}

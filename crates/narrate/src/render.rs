//! Renderings of a story report: a readable Markdown or HTML report, and flat records (JSON
//! lines or CSV) with one row per source, timeline entry, summary sentence, quote and figure.

use std::fmt::Write as _;

use maud::{html, Markup, PreEscaped, DOCTYPE};
use serde::Serialize;
use storyline_core::count;

use crate::report::{Citation, EventReport, LedgerEntry, StoryReport};

/// Escapes text for HTML element content and attribute values.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn short(id: &str) -> &str {
    id.get(..12).unwrap_or(id)
}

/// An event's dates: "first{sep}last", or for an event with no dated article the earliest day
/// its texts allow ("undated, not before 2024-01-01").
fn event_dates(ev: &EventReport, sep: &str) -> String {
    match (&ev.first, ev.timeline.iter().find(|t| t.kind == "not before")) {
        (None, Some(t)) => format!("undated, not before {}", t.date),
        _ => format!("{}{sep}{}", or_unknown(&ev.first), or_unknown(&ev.last)),
    }
}

fn or_unknown(s: &Option<String>) -> &str {
    s.as_deref().unwrap_or("unknown")
}

fn amount(value: f64, high: Option<f64>) -> String {
    let fmt = |v: f64| {
        if v.fract() == 0.0 && v.abs() < 1e15 {
            format!("{}", v as i64)
        } else {
            format!("{v}")
        }
    };
    match high {
        Some(h) => format!("{}–{}", fmt(value), fmt(h)),
        None => fmt(value),
    }
}

/// Text from the articles made inert in Markdown (issue 17, row 7): `<`, `>` and `&` become
/// entities, so no raw HTML (`<script>`, `<img onerror>`) passes through, and `[`, `]` are
/// escaped, so no link or image (`javascript:`, a remote picture that reports the reader) can
/// form; it all shows as the text it is. Line breaks become spaces so that no text can start
/// a block of its own.
fn md(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '[' | ']' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// [`md`] for a table cell, where `|` would end the cell.
fn md_cell(text: &str) -> String {
    md(text).replace('|', "\\|")
}

/// The story as a Markdown report.
pub fn markdown(r: &StoryReport) -> String {
    let mut o = String::new();
    let cites = |cs: &[Citation]| {
        cs.iter().map(|c| format!("[{}]", short(&c.article))).collect::<Vec<_>>().join("")
    };
    let _ = writeln!(o, "# {}\n", md(&r.title));
    let _ = writeln!(
        o,
        "Story {}: {}, {} ({} independent), {} to {}, languages: {}.\n",
        r.id,
        count(r.events.len() as u64, "event", "events"),
        count(r.articles as u64, "article", "articles"),
        r.independent,
        or_unknown(&r.first),
        or_unknown(&r.last),
        md(&r.languages.join(", "))
    );
    let _ = writeln!(o, "## Summary\n");
    for s in &r.summary {
        let _ = writeln!(o, "- {} [{}]", md(&s.text), short(&s.cite.article));
    }
    let _ = writeln!(o, "\n## Events\n");
    for e in &r.events {
        let _ = writeln!(
            o,
            "### Event {}: {}\n\n{}; {}, {} independent.\n",
            e.id,
            md(&e.title),
            event_dates(e, " to "),
            count(e.sources.len() as u64, "article", "articles"),
            e.independent
        );
        for s in &e.summary {
            let _ = writeln!(o, "- {} [{}]", md(&s.text), short(&s.cite.article));
        }
        let _ = writeln!(o);
    }
    let _ = writeln!(o, "## Timeline\n");
    for t in &r.timeline {
        let _ = writeln!(
            o,
            "- **{}** ({}, event {}) {} {}",
            md(&t.date),
            md(&t.kind),
            t.event,
            md(&t.what),
            cites(&t.sources)
        );
    }
    let _ = writeln!(o, "\n## Who said what\n");
    for s in &r.quotes {
        let _ = writeln!(o, "### {}\n", md(&s.speaker));
        for q in &s.quotes {
            let _ = writeln!(o, "- ({}) “{}” {}", md(&q.kind), md(&q.text), cites(&q.sources));
        }
        let _ = writeln!(o);
    }
    let _ = writeln!(o, "## Figures ledger\n");
    let _ = writeln!(
        o,
        "| Quantity | Reported as | Amount | Claimed by | Outlet | Article | Disagreement |"
    );
    let _ = writeln!(o, "|---|---|---|---|---|---|---|");
    for l in &r.figures {
        for f in &l.reports {
            let _ = writeln!(
                o,
                "| {} | {} | {} | {} | {} | {} | {} |",
                md_cell(&l.quantity),
                md_cell(&f.text),
                amount(f.value, f.high),
                md_cell(f.claimed_by.as_deref().unwrap_or("")),
                md_cell(f.cite.outlet.as_deref().unwrap_or("")),
                short(&f.cite.article),
                if l.disagreement { "yes" } else { "" }
            );
        }
    }
    let _ = writeln!(o, "\n## Coverage\n");
    for c in &r.coverage.outlets {
        let _ = writeln!(
            o,
            "- {}: {} ({} independent)",
            md(&c.name),
            count(c.articles as u64, "article", "articles"),
            c.independent
        );
    }
    for c in &r.coverage.languages {
        let _ = writeln!(
            o,
            "- language {}: {} ({} independent)",
            md(&c.name),
            count(c.articles as u64, "article", "articles"),
            c.independent
        );
    }
    let _ = writeln!(
        o,
        "\n## Copies\n\n{}, {}.\n",
        count(r.articles as u64, "article", "articles"),
        count(r.independent as u64, "independent source", "independent sources")
    );
    for c in &r.copies {
        let _ = writeln!(
            o,
            "- [{}] is a {} copy of [{}]",
            short(&c.copy),
            md(&c.kind),
            short(&c.original)
        );
    }
    let _ = writeln!(o, "\n## Sources\n");
    for e in &r.events {
        for s in &e.sources {
            let copy = match (&s.copy_of, &s.copy_kind) {
                (Some(of), kind) => {
                    format!(" — {} copy of {}", md(kind.as_deref().unwrap_or("near")), short(of))
                }
                _ => String::new(),
            };
            let _ = writeln!(
                o,
                "- [{}] {} ({}, {}, {}){}",
                short(&s.article),
                md(&s.title),
                md(or_unknown(&s.outlet)),
                md(or_unknown(&s.lang)),
                md(or_unknown(&s.date)),
                copy
            );
        }
    }
    o
}

/// CSS of the HTML report and the web UI: no web fonts, nothing loaded from elsewhere.
pub const STYLE: &str = include_str!("style.css");

/// The story as an HTML fragment (no `<html>` around it). Article links go to
/// `{article_href}{id}`. A maud template: every value from the report is escaped.
pub fn html_fragment(r: &StoryReport, article_href: &str) -> String {
    fragment(r, article_href).into_string()
}

fn fragment(r: &StoryReport, article_href: &str) -> Markup {
    // Within one document, citations jump to the source list; in the web UI they open the
    // article with the cited range marked.
    let local = article_href.starts_with('#');
    let to_article = if local { "#source-" } else { article_href };
    let link = |c: &Citation| {
        let range = if local || c.end == 0 {
            String::new()
        } else {
            format!("?cite={}-{}", c.start, c.end)
        };
        html! {
            a.cite href={ (article_href) (c.article) (range) } title=(c.outlet.as_deref().unwrap_or("")) { (short(&c.article)) }
        }
    };
    let links = |cs: &[Citation]| {
        html! { @for (i, c) in cs.iter().enumerate() { @if i > 0 { " " } (link(c)) } }
    };
    html! {
        h1 #story-title { (r.title) }
        p.meta {
            "Story " (r.id) " · " (count(r.events.len() as u64, "event", "events")) " · "
            (count(r.articles as u64, "article", "articles")) " (" (r.independent) " independent) · "
            (or_unknown(&r.first)) " – " (or_unknown(&r.last)) " · " (r.languages.join(", "))
        }
        section #summary {
            h2 { "Summary" }
            ul { @for s in &r.summary { li { (s.text) " " (link(&s.cite)) } } }
        }
        section #events {
            h2 { "Events" }
            @for ev in &r.events {
                article.event id={ "event-" (ev.id) } {
                    h3 { "Event " (ev.id) ": " (ev.title) }
                    p.meta {
                        (event_dates(ev, " – ")) " · " (count(ev.sources.len() as u64, "article", "articles"))
                        ", " (ev.independent) " independent"
                    }
                    ul { @for s in &ev.summary { li { (s.text) " " (link(&s.cite)) } } }
                }
            }
        }
        section #timeline {
            h2 { "Timeline" }
            ol.timeline {
                @for t in &r.timeline {
                    li class=(t.kind.replace(' ', "-")) data-date=(t.date) data-event=(t.event) {
                        time { (t.date) } " " span.kind { (t.kind) } " " (t.what) " " (links(&t.sources))
                    }
                }
            }
        }
        section #quotes {
            h2 { "Who said what" }
            @for s in &r.quotes {
                div.speaker {
                    h3 { (s.speaker) }
                    ul {
                        @for q in &s.quotes {
                            li { span.kind { (q.kind) } " " q { (q.text) } " " (links(&q.sources)) }
                        }
                    }
                }
            }
        }
        section #figures {
            h2 { "Figures ledger" }
            table {
                thead { tr { th { "Quantity" } th { "Reported as" } th { "Amount" } th { "Claimed by" } th { "Source" } } }
                tbody { @for l in &r.figures { (ledger_rows(l, &link)) } }
            }
        }
        section #coverage {
            h2 { "Coverage" }
            table {
                thead { tr { th { "Outlet or language" } th { "Articles" } th { "Independent" } } }
                tbody {
                    @for c in r.coverage.outlets.iter().chain(&r.coverage.languages) {
                        tr { td { (c.name) } td { (c.articles) } td { (c.independent) } }
                    }
                }
            }
        }
        section #copies {
            h2 { "Copies" }
            p {
                (count(r.articles as u64, "article", "articles")) ", "
                (count(r.independent as u64, "independent source", "independent sources")) "."
            }
            ul {
                @for c in &r.copies {
                    li {
                        a href={ (to_article) (c.copy) } { (short(&c.copy)) } " is a " (c.kind) " copy of "
                        a href={ (to_article) (c.original) } { (short(&c.original)) }
                    }
                }
            }
        }
        section #sources {
            h2 { "Sources" }
            ul {
                @for ev in &r.events {
                    @for s in &ev.sources {
                        li id={ "source-" (s.article) } {
                            a href={ (to_article) (s.article) } { (s.title) }
                            " · " (or_unknown(&s.outlet)) " · " (or_unknown(&s.lang)) " · "
                            (or_unknown(&s.date)) " · event " (s.event)
                            @if let Some(of) = &s.copy_of {
                                " " span.copy { (s.copy_kind.as_deref().unwrap_or("near")) " copy of " (short(of)) }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn ledger_rows(l: &LedgerEntry, link: &dyn Fn(&Citation) -> Markup) -> Markup {
    html! {
        @for (i, f) in l.reports.iter().enumerate() {
            tr class=[l.disagreement.then_some("disagree")] {
                td {
                    @if i == 0 {
                        (l.quantity)
                        @if l.disagreement { " " strong.flag { "disagree" } }
                    }
                }
                td { (f.text) }
                td { (amount(f.value, f.high)) }
                td { (f.claimed_by.as_deref().unwrap_or("")) }
                td { (link(&f.cite)) }
            }
        }
    }
}

/// The story as a whole HTML document, readable offline.
pub fn html_document(r: &StoryReport) -> String {
    let page = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                title { (r.title) }
                style { (PreEscaped(STYLE)) }
            }
            body { main { (fragment(r, "#source-")) } }
        }
    };
    page.into_string() + "\n"
}

/// One flat record of a story, for JSON lines and CSV.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Record {
    /// `source`, `timeline`, `summary`, `quote` or `figure`.
    pub record: &'static str,
    /// The event.
    pub event: u32,
    /// A date, where there is one.
    pub date: String,
    /// The article.
    pub article: String,
    /// Its outlet.
    pub outlet: String,
    /// Speaker or claimant, where there is one.
    pub who: String,
    /// The text: title, sentence, quote or figure.
    pub text: String,
    /// An amount, for figures.
    pub value: String,
    /// More: the kind of quote or date, the copy link, the quantity and whether it disagrees.
    pub note: String,
}

/// The story as flat records.
pub fn records(r: &StoryReport) -> Vec<Record> {
    let mut out = Vec::new();
    let rec = |record, event, cite: &Citation| Record {
        record,
        event,
        date: String::new(),
        article: cite.article.clone(),
        outlet: cite.outlet.clone().unwrap_or_default(),
        who: String::new(),
        text: String::new(),
        value: String::new(),
        note: String::new(),
    };
    for ev in &r.events {
        for s in &ev.sources {
            out.push(Record {
                record: "source",
                event: s.event,
                date: s.date.clone().unwrap_or_default(),
                article: s.article.clone(),
                outlet: s.outlet.clone().unwrap_or_default(),
                who: String::new(),
                text: s.title.clone(),
                value: String::new(),
                note: match &s.copy_of {
                    Some(of) => {
                        format!("{} copy of {of}", s.copy_kind.as_deref().unwrap_or("near"))
                    }
                    None => String::new(),
                },
            });
        }
    }
    for t in &r.timeline {
        for c in &t.sources {
            out.push(Record {
                date: t.date.clone(),
                text: t.what.clone(),
                note: t.kind.clone(),
                ..rec("timeline", t.event, c)
            });
        }
    }
    for s in &r.summary {
        out.push(Record { text: s.text.clone(), ..rec("summary", s.event, &s.cite) });
    }
    for s in &r.quotes {
        for q in &s.quotes {
            for c in &q.sources {
                out.push(Record {
                    who: s.speaker.clone(),
                    text: q.text.clone(),
                    note: q.kind.clone(),
                    ..rec("quote", q.event, c)
                });
            }
        }
    }
    for l in &r.figures {
        for f in &l.reports {
            out.push(Record {
                who: f.claimed_by.clone().unwrap_or_default(),
                text: f.text.clone(),
                value: amount(f.value, f.high),
                note: format!(
                    "{}{}",
                    l.quantity,
                    if l.disagreement { "; disagreement" } else { "" }
                ),
                ..rec("figure", l.event, &f.cite)
            });
        }
    }
    out
}

fn csv_field(s: &str) -> String {
    let s = neutralise_formula(s);
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// A cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, a tab or carriage return
/// first) gets a leading `'`, which spreadsheets read as "text follows" (issue 17, row 7:
/// `=HYPERLINK(...)` in a title). Plain numbers such as `-5` stay numbers.
fn neutralise_formula(s: &str) -> std::borrow::Cow<'_, str> {
    let risky = s.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let number = s.parse::<f64>().is_ok_and(f64::is_finite)
        && s.chars().all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E'));
    if risky && !number {
        std::borrow::Cow::Owned(format!("'{s}"))
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

/// The records as CSV with a header row (RFC 4180 quoting).
pub fn csv(r: &StoryReport) -> String {
    let mut o = String::from("record,event,date,article,outlet,who,text,value,note\n");
    for x in records(r) {
        let fields = [
            x.record.to_string(),
            x.event.to_string(),
            x.date,
            x.article,
            x.outlet,
            x.who,
            x.text,
            x.value,
            x.note,
        ];
        let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        o.push_str(&line.join(","));
        o.push('\n');
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_and_csv_quoting() {
        assert_eq!(escape_html("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("er sagte \"ja\""), "\"er sagte \"\"ja\"\"\"");
        assert_eq!(csv_field("plain"), "plain");
        // Issue 17, row 7: formulas are neutralised, numbers left alone.
        assert_eq!(
            csv_field("=HYPERLINK(\"http://x\",\"y\")"),
            "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""
        );
        for cell in ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\tx", "\rx", "-", "-inf"] {
            assert_eq!(csv_field(cell).trim_matches('"').chars().next(), Some('\''), "{cell:?}");
        }
        for number in ["-5", "-2.5", "+3", "1e5", "0"] {
            assert_eq!(csv_field(number), number);
        }
        assert_eq!(amount(4800000.0, None), "4800000");
        assert_eq!(amount(2.5, Some(3.0)), "2.5–3");
    }

    /// Issue 17, row 7: article text cannot put HTML, links or images into a Markdown report.
    #[test]
    fn markdown_text_is_inert() {
        let hostile = "<script>alert(1)</script> <img src=x onerror=alert(1)> \
            [klick](javascript:alert(1)) ![](https://tracker.example/p.png) a|b\n# heading";
        let text = md(hostile);
        assert!(!text.contains('<') && !text.contains('\n'), "{text}");
        assert!(text.contains("\\[klick\\](javascript:alert(1))"), "{text}");
        assert!(text.contains("!\\[\\](https://tracker.example/p.png)"), "{text}");
        assert_eq!(md_cell("a|b"), "a\\|b");
    }
}

/// A format `storyline export` and the API write a story report in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// The whole report as JSON.
    Json,
    /// One JSON record a line (see [`records`]).
    Jsonl,
    /// The records as CSV.
    Csv,
    /// A readable Markdown report.
    Md,
    /// A readable HTML document.
    Html,
}

impl Format {
    /// Every format, by name.
    pub const ALL: [(&'static str, Format); 5] = [
        ("json", Format::Json),
        ("jsonl", Format::Jsonl),
        ("csv", Format::Csv),
        ("md", Format::Md),
        ("html", Format::Html),
    ];

    /// The format named `name`, or a message naming the ones there are.
    pub fn parse(name: &str) -> Result<Format, String> {
        Format::ALL.iter().find(|(n, _)| *n == name).map(|(_, f)| *f).ok_or_else(|| {
            let known: Vec<&str> = Format::ALL.iter().map(|(n, _)| *n).collect();
            format!("unknown format {name:?}; use one of {}", known.join(", "))
        })
    }

    /// Its media type.
    pub fn media_type(self) -> &'static str {
        match self {
            Format::Json => "application/json",
            Format::Jsonl => "application/x-ndjson",
            Format::Csv => "text/csv; charset=utf-8",
            Format::Md => "text/markdown; charset=utf-8",
            Format::Html => "text/html; charset=utf-8",
        }
    }

    /// The report rendered in this format.
    pub fn render(self, report: &StoryReport) -> String {
        match self {
            // A report is plain data: serialising it cannot fail.
            Format::Json => serde_json::to_string_pretty(report).unwrap_or_default(),
            Format::Jsonl => records(report)
                .iter()
                .map(|r| serde_json::to_string(r).unwrap_or_default() + "\n")
                .collect(),
            Format::Csv => csv(report),
            Format::Md => markdown(report),
            Format::Html => html_document(report),
        }
    }
}

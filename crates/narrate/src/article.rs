//! The article view: an article's extraction as JSON, and its clean text as HTML with
//! entities, quotes, time expressions and figures marked.

use std::fmt::Write as _;

use storyline_store::Extraction;

use crate::render::escape_html;

/// A span to mark: byte range, CSS classes, and a tooltip.
struct Mark {
    start: usize,
    end: usize,
    class: String,
    title: String,
}

/// The clean text as HTML, every extracted span marked with a class (`quote`, `entity e-PER`,
/// `time`, `figure`, and `cited` for `cite`) and a tooltip saying what was found. Spans may
/// overlap: the text is cut at every span boundary and each piece carries the classes of the
/// spans over it, so the markup nests properly whatever the spans do.
pub fn highlighted_html(text: &str, x: &Extraction, cite: Option<(usize, usize)>) -> String {
    let mut marks = Vec::new();
    for q in &x.quotes {
        let who = q.speaker_name.as_deref().unwrap_or("unattributed");
        marks.push(Mark {
            start: q.start,
            end: q.end,
            class: "quote".into(),
            title: format!("{} quote: {who}", q.kind),
        });
    }
    for e in &x.entities {
        let role = e.role.as_deref().map(|r| format!(", {r}")).unwrap_or_default();
        marks.push(Mark {
            start: e.start,
            end: e.end,
            class: format!("entity e-{}", e.etype),
            title: format!("{} {}{role}", e.etype, e.canonical),
        });
    }
    for t in &x.timexes {
        marks.push(Mark {
            start: t.start,
            end: t.end,
            class: "time".into(),
            title: format!("{} {} ({})", t.kind, t.value, t.resolution),
        });
    }
    for f in &x.figures {
        let what = f.unit.as_deref().or(f.counted.as_deref()).unwrap_or("");
        let by = f.source.as_deref().map(|s| format!(", says {s}")).unwrap_or_default();
        marks.push(Mark {
            start: f.start,
            end: f.end,
            class: "figure".into(),
            title: format!("{} {what}{by}", f.value),
        });
    }
    if let Some((s, e)) = cite {
        marks.push(Mark { start: s, end: e, class: "cited".into(), title: "cited".into() });
    }
    marks.retain(|m| {
        m.start < m.end
            && m.end <= text.len()
            && text.is_char_boundary(m.start)
            && text.is_char_boundary(m.end)
    });
    let mut cuts: Vec<usize> =
        marks.iter().flat_map(|m| [m.start, m.end]).chain([0, text.len()]).collect();
    cuts.sort_unstable();
    cuts.dedup();
    // One sweep over the cuts: a mark is active from the cut at its start to the cut at its end,
    // so each piece costs the marks over it, not all marks (issue 17, row 3: the filter over
    // every mark for every piece took a minute on a 3 MB article).
    let mut by_start: Vec<usize> = (0..marks.len()).collect();
    by_start.sort_by_key(|&i| marks[i].start);
    let mut by_end = by_start.clone();
    by_end.sort_by_key(|&i| marks[i].end);
    let (mut next_start, mut next_end) = (0, 0);
    // Ordered by mark index, so a piece lists its classes in the order the marks were made.
    let mut active = std::collections::BTreeSet::new();
    let mut out = String::with_capacity(text.len() * 2);
    for pair in cuts.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        while next_end < by_end.len() && marks[by_end[next_end]].end <= a {
            active.remove(&by_end[next_end]);
            next_end += 1;
        }
        while next_start < by_start.len() && marks[by_start[next_start]].start <= a {
            if marks[by_start[next_start]].end > a {
                active.insert(by_start[next_start]);
            }
            next_start += 1;
        }
        let piece = escape_html(&text[a..b]);
        if active.is_empty() {
            out.push_str(&piece);
            continue;
        }
        let classes: Vec<&str> = active.iter().map(|&i| marks[i].class.as_str()).collect();
        let titles: Vec<&str> = active.iter().map(|&i| marks[i].title.as_str()).collect();
        let _ = write!(
            out,
            "<span class=\"{}\" title=\"{}\">{}</span>",
            escape_html(&classes.join(" ")),
            escape_html(&titles.join("; ")),
            piece
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use storyline_store::{EntityRow, QuoteRow, TimexRow};

    #[test]
    fn overlapping_spans_nest_properly_and_text_is_escaped() {
        let text = "Kim sagte: \"<Wir> kommen\" am Montag.";
        let x = Extraction {
            quotes: vec![QuoteRow {
                start: 11,
                end: 25,
                kind: "Direct".into(),
                cue: None,
                speaker: None,
                speaker_name: Some("Kim".into()),
                speaker_key: None,
                nested: false,
            }],
            entities: vec![EntityRow {
                start: 0,
                end: 3,
                etype: "PER".into(),
                canonical: "Kim Jong Un".into(),
                key: "kim".into(),
                role: None,
            }],
            ..Extraction::default()
        };
        let html = highlighted_html(text, &x, Some((4, 15)));
        assert!(
            html.starts_with("<span class=\"entity e-PER\" title=\"PER Kim Jong Un\">Kim</span>"),
            "{html}"
        );
        let mut visible = String::new();
        let mut in_tag = false;
        for c in html.chars() {
            match c {
                '<' => in_tag = true,
                '>' => in_tag = false,
                c if !in_tag => visible.push(c),
                _ => {}
            }
        }
        assert_eq!(visible, escape_html(text), "the text is all there, escaped");
        assert!(html.contains("class=\"quote cited\""), "overlap gets both classes: {html}");
        assert_eq!(html.matches("<span").count(), html.matches("</span>").count());
    }

    fn timex(start: usize, end: usize) -> TimexRow {
        TimexRow {
            start,
            end,
            kind: "Date".into(),
            value: "2023-09-12".into(),
            granularity: "day".into(),
            resolution: "absolute".into(),
            modifier: None,
        }
    }

    /// The marking as it was before the sweep: every mark tested against every piece.
    fn marked_naively(text: &str, spans: &[(usize, usize)]) -> String {
        let spans: Vec<(usize, usize)> = spans.iter().copied().filter(|(s, e)| s < e).collect();
        let mut cuts: Vec<usize> =
            spans.iter().flat_map(|&(s, e)| [s, e]).chain([0, text.len()]).collect();
        cuts.sort_unstable();
        cuts.dedup();
        let mut out = String::new();
        for pair in cuts.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            let n = spans.iter().filter(|&&(s, e)| s <= a && b <= e).count();
            let piece = escape_html(&text[a..b]);
            if n == 0 {
                out.push_str(&piece);
            } else {
                let classes = vec!["time"; n].join(" ");
                let titles = vec!["Date 2023-09-12 (absolute)"; n].join("; ");
                let _ = write!(out, "<span class=\"{classes}\" title=\"{titles}\">{piece}</span>");
            }
        }
        out
    }

    #[test]
    fn the_sweep_marks_as_testing_every_mark_against_every_piece_did() {
        let text = "Am 12. September 2023 kamen laut Polizei 500 Menschen nach Berlin.";
        let mut seed = 17u64;
        for _ in 0..200 {
            let spans: Vec<(usize, usize)> = (0..6)
                .map(|_| {
                    seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                    let a = (seed >> 33) as usize % text.len();
                    let b = (seed >> 13) as usize % text.len();
                    (a.min(b), a.max(b))
                })
                .collect();
            let x = Extraction {
                timexes: spans.iter().map(|&(s, e)| timex(s, e)).collect(),
                ..Extraction::default()
            };
            assert_eq!(highlighted_html(text, &x, None), marked_naively(text, &spans), "{spans:?}");
        }
    }

    /// Issue 17, row 3: a 3 MB article with 150,000 marks. Testing every mark against every
    /// piece is 4.5 * 10^10 tests, hours in a debug build; the sweep is linear.
    #[test]
    fn marking_a_three_megabyte_article_is_linear() {
        let sentence = "Am 12. September 2023 kamen laut Polizei 500 Menschen nach Berlin. ";
        let n = 50_000;
        let text = sentence.repeat(n);
        let mut x = Extraction::default();
        for i in 0..n {
            let at = i * sentence.len();
            x.timexes.push(timex(at + 3, at + 21));
            x.timexes.push(timex(at + 3, at + 66));
            x.timexes.push(timex(at + 41, at + 44));
        }
        let html = highlighted_html(&text, &x, None);
        assert_eq!(html.matches("<span").count(), 4 * n);
        assert_eq!(html.matches("class=\"time time\"").count(), 2 * n);
    }
}

//! From stored articles to the engine's [`Doc`]s, and the order a stream is clustered in.

use std::sync::OnceLock;

use storyline_core::{Article, DatePrecision};
use storyline_extract::timex::{Granularity, Mode, Resolution, TimeTagger};
use storyline_text::{Analyzer, StatedDate};

use crate::Doc;

impl Doc {
    /// The engine's view of an article: its publication time when known to the day or better
    /// (a month or a year is too coarse to say two reports are days apart), its language, and
    /// the analysis of its title and text.
    pub fn from_article(analyzer: &Analyzer, article: &Article) -> Doc {
        let time = article
            .date
            .as_ref()
            .filter(|d| d.precision >= DatePrecision::Day)
            .map(|d| d.start_utc.timestamp());
        Doc::new(analyzer, article, time)
    }

    /// An article with the time the caller decided (Unix seconds), analysed; no vector yet.
    /// With a time, the days its text states relative to it ("am Mittwoch", "gestern") join
    /// the absolute dates it states.
    pub fn new(analyzer: &Analyzer, article: &Article, time: Option<i64>) -> Doc {
        let mut doc = Doc::from_parts(
            analyzer,
            article.id.as_str(),
            &article.title,
            &article.text,
            article.lang.as_deref(),
            time,
        );
        if time.is_none() {
            doc.not_before = article
                .not_before
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|t| t.and_utc().timestamp());
        }
        doc
    }

    /// The same from the parts of an article: its key, title, text, language and time.
    pub fn from_parts(
        analyzer: &Analyzer,
        key: &str,
        title: &str,
        text: &str,
        lang: Option<&str>,
        time: Option<i64>,
    ) -> Doc {
        let mut analysis = analyzer.analyze(title, text, lang);
        let day = time.and_then(|t| chrono::DateTime::from_timestamp(t, 0)).map(|d| d.date_naive());
        if let Some(day) = day {
            analysis.stated.extend(relative_days(text, lang, day));
            analysis.stated.sort_by_key(|d| d.start);
        }
        Doc {
            key: key.to_string(),
            time,
            not_before: None,
            lang: lang.map(str::to_string),
            analysis,
            dense: None,
        }
    }
}

fn time_tagger() -> &'static TimeTagger {
    static TAGGER: OnceLock<TimeTagger> = OnceLock::new();
    // The profiles are compiled in and parsed by a test; they cannot fail here.
    TAGGER.get_or_init(|| TimeTagger::builtin().expect("built-in language profiles parse"))
}

/// Days `text` states relative to its publication `day` (weekdays, "gestern", "zwei Tage
/// später"), resolved by the time tagger. Absolute dates are left to the analyser.
fn relative_days(text: &str, lang: Option<&str>, day: chrono::NaiveDate) -> Vec<StatedDate> {
    use chrono::Datelike;
    time_tagger()
        .tag(text, lang, Some(day), Mode::News)
        .into_iter()
        .filter(|t| matches!(t.resolution, Resolution::Document | Resolution::Previous))
        .filter(|t| {
            matches!(t.granularity, Granularity::Day | Granularity::Time | Granularity::PartOfDay)
        })
        .filter_map(|t| {
            let (d, _) = t.days()?;
            Some(StatedDate {
                year: d.year(),
                month: Some(d.month() as u8),
                day: Some(d.day() as u8),
                start: t.start,
            })
        })
        .collect()
}

/// Gives each doc the sentence vector of its article's title and lead (`dense_chars`
/// characters), computed by `embed` in one call.
pub fn attach_vectors(
    docs: &mut [Doc],
    articles: &[&Article],
    dense_chars: usize,
    embed: impl FnOnce(&[String]) -> Vec<Vec<f32>>,
) {
    let texts: Vec<String> =
        articles.iter().map(|a| embedding_text(&a.title, &a.text, dense_chars)).collect();
    for (d, v) in docs.iter_mut().zip(embed(&texts)) {
        d.dense = Some(v);
    }
}

/// The text of an article that goes into its sentence vector: the title and the start of the
/// body, cut at a word boundary after at most `max_chars` characters in all.
pub fn embedding_text(title: &str, body: &str, max_chars: usize) -> String {
    let mut out = String::with_capacity(max_chars + 8);
    out.push_str(title.trim());
    if !out.is_empty() {
        out.push('\n');
    }
    let room = max_chars.saturating_sub(out.chars().count());
    let body = body.trim();
    if body.chars().count() <= room {
        out.push_str(body);
    } else {
        let cut: String = body.chars().take(room).collect();
        let at_word_end = body.chars().nth(room).is_some_and(char::is_whitespace);
        let end = if at_word_end {
            cut.len()
        } else {
            cut.rfind(char::is_whitespace).unwrap_or(cut.len())
        };
        out.push_str(cut[..end].trim_end());
    }
    out
}

/// Sentences compared to tell a translated copy: the title and the first sentences of the body
/// of at least 20 characters, five in all.
pub const TRANSLATION_SENTENCES: usize = 5;

/// The sentences of an article that a translation check compares: the title, then the body's
/// first sentences of 20 characters or more, [`TRANSLATION_SENTENCES`] in all.
pub fn first_sentences(title: &str, body: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(TRANSLATION_SENTENCES);
    if !title.trim().is_empty() {
        out.push(title.trim().to_string());
    }
    for (s, e) in storyline_text::sentences(body, &[]) {
        if out.len() == TRANSLATION_SENTENCES {
            break;
        }
        let sentence = body[s..e].split_whitespace().collect::<Vec<_>>().join(" ");
        if sentence.chars().count() >= 20 {
            out.push(sentence);
        }
    }
    out
}

/// How well two articles' first sentences match, from their unit sentence vectors: for each
/// sentence of the shorter list, the best cosine with the other list, averaged. A translation
/// matches sentence for sentence; two reports of one event share a topic, not sentences.
pub fn sentence_match(a: &[Vec<f32>], b: &[Vec<f32>]) -> f32 {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if short.is_empty() {
        return 0.0;
    }
    let dot = |x: &[f32], y: &[f32]| x.iter().zip(y).map(|(p, q)| p * q).sum::<f32>();
    let best = |x: &Vec<f32>| long.iter().map(|y| dot(x, y)).fold(f32::MIN, f32::max);
    short.iter().map(best).sum::<f32>() / short.len() as f32
}

/// The order to cluster a stream in: by time, where an item without one (`None`) keeps its
/// place after the item before it in arrival order (it inherits that item's time for sorting).
/// Stable, so equal times keep arrival order. Returns indices into `times`.
pub fn stream_order(times: &[Option<i64>]) -> Vec<usize> {
    let mut carried = Vec::with_capacity(times.len());
    let mut last = i64::MIN;
    for t in times {
        if let Some(t) = t {
            last = *t;
        }
        carried.push(last);
    }
    let mut idx: Vec<usize> = (0..times.len()).collect();
    idx.sort_by_key(|i| carried[*i]);
    idx
}

#[cfg(test)]
mod tests {
    use super::stream_order;

    #[test]
    fn embedding_text_is_title_and_lead_cut_at_a_word() {
        assert_eq!(super::embedding_text("Titel", "Ein langer Satz hier", 14), "Titel\nEin");
        assert_eq!(super::embedding_text("Titel", "Ein langer Satz hier", 16), "Titel\nEin langer");
        assert_eq!(super::embedding_text("", "kurz", 14), "kurz");
    }

    #[test]
    fn first_sentences_and_their_match() {
        let s = super::first_sentences(
            "Kim in Russland",
            "Kurz. Der Zug des Machthabers hat die Grenze erreicht. Peskow bestätigte die Ankunft am Morgen.",
        );
        assert_eq!(
            s,
            [
                "Kim in Russland",
                "Der Zug des Machthabers hat die Grenze erreicht.",
                "Peskow bestätigte die Ankunft am Morgen."
            ]
        );
        let (x, y) = (vec![1.0, 0.0], vec![0.0, 1.0]);
        // Each of the shorter list's sentences finds its match: 1; half of them do: 0.5.
        assert_eq!(super::sentence_match(std::slice::from_ref(&x), &[y.clone(), x.clone()]), 1.0);
        assert_eq!(super::sentence_match(&[x.clone(), y.clone()], &[x.clone(), x]), 0.5);
        assert_eq!(super::sentence_match(&[], &[y]), 0.0);
    }

    #[test]
    fn undated_items_follow_their_predecessor() {
        // b has no time: it stays right after a; d (time 1) moves before a (time 5).
        let times = [Some(5), None, Some(9), Some(1), None];
        assert_eq!(stream_order(&times), [3, 4, 0, 1, 2]);
    }
}

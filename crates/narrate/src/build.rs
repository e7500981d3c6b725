//! Building the reports from a story's articles and what was extracted from them.

use std::collections::{BTreeMap, HashMap, HashSet};

use storyline_store::{Extraction, StoryArticle};
use storyline_text::profile::{builtin_profiles, ProfileError};

use crate::ledger::ledger;
use crate::report::*;
use crate::summary::{summarise, Candidate};

/// An article of the story with its extraction: the narrate stage's input.
pub type Material = (StoryArticle, Extraction);

struct LangWords {
    abbreviations: Vec<String>,
    stop: HashSet<String>,
}

/// Builds event and story reports. Holds the language profiles' sentence and stop-word lists;
/// cheap to share.
pub struct Narrator {
    langs: HashMap<String, LangWords>,
}

/// Timeline entries kept per event, the most widely stated first.
const TIMELINE_PER_EVENT: usize = 24;
/// Timeline entries kept per story, the most widely stated first.
const TIMELINE_PER_STORY: usize = 150;
/// Citations kept per timeline entry or quote.
pub const SOURCES_PER_ITEM: usize = 8;
/// Articles listed per event.
pub const SOURCES_PER_EVENT: usize = 100;
/// Reports kept per ledger entry.
pub const REPORTS_PER_QUANTITY: usize = 12;
/// Ledger entries kept per event, and per story.
const LEDGER_PER_EVENT: usize = 30;
const LEDGER_PER_STORY: usize = 60;
/// Speakers kept per event and per story, and quotes kept per speaker.
const SPEAKERS_PER_EVENT: usize = 20;
const SPEAKERS_PER_STORY: usize = 30;
const QUOTES_PER_SPEAKER: usize = 8;
/// Independent reports an event's summary, ledger and timeline are read from: the earliest.
const READ_PER_EVENT: usize = 300;
/// Summary sentences per event.
const SUMMARY_PER_EVENT: usize = 4;
/// Summary sentences per event in a story's summary.
const STORY_SUMMARY_PER_EVENT: usize = 2;
/// Longest "what" of a timeline entry, in characters.
const WHAT_CHARS: usize = 240;

impl Narrator {
    /// A narrator over the built-in language profiles.
    pub fn new() -> Result<Narrator, ProfileError> {
        let langs = builtin_profiles()?
            .into_iter()
            .map(|p| {
                let words = LangWords {
                    abbreviations: p.abbreviations,
                    stop: p.stop_words.into_iter().collect(),
                };
                (p.code, words)
            })
            .collect();
        Ok(Narrator { langs })
    }

    /// The report of story `id` from its articles (any order) and their extractions.
    pub fn story(&self, id: u32, material: &[Material]) -> StoryReport {
        let mut by_event: BTreeMap<u32, Vec<&Material>> = BTreeMap::new();
        for m in material {
            by_event.entry(m.0.article.assignment.event).or_default().push(m);
        }
        let mut events: Vec<EventReport> =
            by_event.into_iter().map(|(event, ms)| self.event(event, id, &ms)).collect();
        events.sort_by(|a, b| {
            (a.first.is_none(), &a.first, a.id).cmp(&(b.first.is_none(), &b.first, b.id))
        });
        let title = events
            .iter()
            .max_by_key(|e| (e.independent, std::cmp::Reverse(e.id)))
            .map(|e| e.title.clone())
            .unwrap_or_default();
        let mut timeline: Vec<TimelineEntry> =
            events.iter().flat_map(|e| e.timeline.iter().cloned()).collect();
        if timeline.len() > TIMELINE_PER_STORY {
            timeline.sort_by_key(|t| std::cmp::Reverse(t.mentions));
            timeline.truncate(TIMELINE_PER_STORY);
        }
        timeline.sort_by(|a, b| (&a.date, a.event).cmp(&(&b.date, b.event)));
        let summary = events
            .iter()
            .flat_map(|e| e.summary.iter().take(STORY_SUMMARY_PER_EVENT).cloned())
            .collect();
        let mut quotes = merge_speakers(events.iter().flat_map(|e| e.quotes.iter().cloned()));
        bound_speakers(&mut quotes, SPEAKERS_PER_STORY);
        let mut figures: Vec<LedgerEntry> =
            events.iter().flat_map(|e| e.figures.iter().cloned()).collect();
        crate::ledger::order(&mut figures);
        figures.truncate(LEDGER_PER_STORY);
        let copies = events.iter().flat_map(|e| e.copies.iter().cloned()).collect();
        let coverage = Coverage {
            outlets: merge_coverage(events.iter().map(|e| &e.coverage.outlets)),
            languages: merge_coverage(events.iter().map(|e| &e.coverage.languages)),
        };
        let mut languages: Vec<String> =
            coverage.languages.iter().map(|c| c.name.clone()).collect();
        languages.sort();
        StoryReport {
            id,
            title,
            first: events.iter().filter_map(|e| e.first.clone()).min(),
            last: events.iter().filter_map(|e| e.last.clone()).max(),
            articles: events.iter().map(|e| e.articles).sum(),
            independent: events.iter().map(|e| e.independent).sum(),
            languages,
            coverage,
            events,
            timeline,
            summary,
            quotes,
            figures,
            copies,
        }
    }

    fn event(&self, id: u32, story: u32, material: &[&Material]) -> EventReport {
        let mut material = material.to_vec();
        material.sort_by_key(|m| m.0.article.assignment.ord);
        let sources: Vec<Source> = material.iter().map(|m| source(&m.0)).collect();
        let independent: Vec<&Material> =
            material.iter().copied().filter(|m| m.0.article.assignment.copy_of.is_none()).collect();
        let title = independent
            .first()
            .or(material.first())
            .map(|m| m.0.article.title.clone())
            .unwrap_or_default();
        let copies: Vec<CopyEdge> = material
            .iter()
            .filter_map(|m| {
                let a = &m.0.article.assignment;
                Some(CopyEdge {
                    copy: m.0.article.id.as_str().to_string(),
                    original: a.copy_of.clone()?,
                    kind: a.copy_kind.clone().unwrap_or_else(|| "near".into()),
                })
            })
            .collect();
        let source_refs: Vec<&Source> = sources.iter().collect();
        let coverage = coverage(&source_refs);
        let read = &independent[..independent.len().min(READ_PER_EVENT)];
        let mut quotes = quotes(id, read);
        bound_speakers(&mut quotes, SPEAKERS_PER_EVENT);
        let mut figures = ledger(id, read);
        figures.truncate(LEDGER_PER_EVENT);
        let articles = sources.len() as u32;
        let first = sources.iter().filter_map(|s| s.date.clone()).min();
        let last = sources.iter().filter_map(|s| s.date.clone()).max();
        let mut sources = sources;
        sources.truncate(SOURCES_PER_EVENT);
        let mut copies: Vec<CopyEdge> = copies;
        copies.truncate(SOURCES_PER_EVENT);
        EventReport {
            id,
            story,
            title,
            first,
            last,
            articles,
            independent: independent.len() as u32,
            timeline: self.timeline(id, read, &material),
            summary: self.summary(id, read),
            quotes,
            figures,
            coverage,
            copies,
            sources,
        }
    }

    fn words(&self, lang: Option<&str>) -> Option<&LangWords> {
        self.langs.get(lang.unwrap_or("")).or_else(|| self.langs.get("en"))
    }

    fn sentences_of<'m>(&self, m: &'m Material) -> Vec<(usize, usize, &'m str)> {
        let text = m.0.text.as_str();
        let abbreviations =
            self.words(m.0.article.lang.as_deref()).map(|w| w.abbreviations.as_slice());
        storyline_text::sentences(text, abbreviations.unwrap_or(&[]))
            .into_iter()
            .map(|(s, e)| (s, e, &text[s..e]))
            .collect()
    }

    fn timeline(
        &self,
        event: u32,
        material: &[&Material],
        all: &[&Material],
    ) -> Vec<TimelineEntry> {
        // value -> (articles stating it, entry)
        let mut stated: BTreeMap<String, TimelineEntry> = BTreeMap::new();
        for m in material {
            let sentences = self.sentences_of(m);
            let mut seen = HashSet::new();
            for t in &m.1.timexes {
                if t.kind != "date" || t.resolution == "unresolved" || !is_calendar(&t.value) {
                    continue;
                }
                if !seen.insert(t.value.clone()) {
                    continue;
                }
                let (s, e, what) = sentences
                    .iter()
                    .find(|(s, e, _)| *s <= t.start && t.end <= *e)
                    .copied()
                    .unwrap_or((t.start, t.end, &m.0.text[t.start..t.end]));
                let cite = cite(m, s, e);
                stated
                    .entry(t.value.clone())
                    .and_modify(|entry| add_source(&mut entry.sources, &mut entry.mentions, &cite))
                    .or_insert_with(|| TimelineEntry {
                        date: t.value.clone(),
                        kind: "stated".into(),
                        what: clip(what, WHAT_CHARS),
                        event,
                        sources: vec![cite],
                        mentions: 1,
                    });
            }
        }
        let mut entries: Vec<TimelineEntry> = stated.into_values().collect();
        if entries.len() > TIMELINE_PER_EVENT {
            entries.sort_by_key(|e| std::cmp::Reverse(e.mentions));
            entries.truncate(TIMELINE_PER_EVENT);
        }
        // The day the event was first reported, with the articles of that day.
        let day_of = |m: &Material| {
            m.0.article.date.as_deref().map(|d| d.get(..10).unwrap_or(d).to_string())
        };
        if let Some(first) = all.iter().filter_map(|m| day_of(m)).min() {
            let mut entry = TimelineEntry {
                date: first.clone(),
                kind: "published".into(),
                what: String::new(),
                event,
                sources: Vec::new(),
                mentions: 0,
            };
            for m in all.iter().filter(|m| day_of(m).as_deref() == Some(first.as_str())) {
                if entry.what.is_empty() {
                    entry.what = format!("First reported: {}", m.0.article.title);
                }
                add_source(&mut entry.sources, &mut entry.mentions, &cite(m, 0, 0));
            }
            entries.push(entry);
        } else if let Some(bound) =
            all.iter().map(|m| m.0.not_before.clone()).collect::<Option<Vec<String>>>()
        {
            // No article dated, each bounded by its text: the event was first reported on the
            // earliest bound or later.
            if let Some(first) = bound.into_iter().min() {
                let mut entry = TimelineEntry {
                    date: first.clone(),
                    kind: "not before".into(),
                    what: String::new(),
                    event,
                    sources: Vec::new(),
                    mentions: 0,
                };
                for m in all.iter().filter(|m| m.0.not_before.as_deref() == Some(first.as_str())) {
                    if entry.what.is_empty() {
                        entry.what = format!(
                            "Undated; first reported on this day or later (the text narrates an earlier year as past): {}",
                            m.0.article.title
                        );
                    }
                    add_source(&mut entry.sources, &mut entry.mentions, &cite(m, 0, 0));
                }
                entries.push(entry);
            }
        }
        entries.sort_by(|a, b| (&a.date, &a.kind).cmp(&(&b.date, &b.kind)));
        entries
    }

    fn summary(&self, event: u32, material: &[&Material]) -> Vec<SummarySentence> {
        let mut candidates = Vec::new();
        for (doc, m) in material.iter().enumerate() {
            let stop = self.words(m.0.article.lang.as_deref()).map(|w| &w.stop);
            for (position, (s, e, text)) in self.sentences_of(m).into_iter().enumerate() {
                let words: Vec<String> = text
                    .split(|c: char| !c.is_alphanumeric())
                    .filter(|w| w.chars().count() >= 3)
                    .map(str::to_lowercase)
                    .filter(|w| !stop.is_some_and(|st| st.contains(w)))
                    .collect();
                candidates.push(Candidate { doc, position, start: s, end: e, text, words });
            }
        }
        summarise(&candidates, SUMMARY_PER_EVENT)
            .into_iter()
            .map(|c| SummarySentence {
                text: c.text.to_string(),
                event,
                cite: cite(material[c.doc], c.start, c.end),
            })
            .collect()
    }
}

/// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`: a calendar date a timeline can place.
fn is_calendar(value: &str) -> bool {
    let b = value.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    match b.len() {
        7 => digits(0..4) && b[4] == b'-' && digits(5..7),
        10 => digits(0..4) && b[4] == b'-' && digits(5..7) && b[7] == b'-' && digits(8..10),
        _ => false,
    }
}

fn clip(text: &str, chars: usize) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match text.char_indices().nth(chars) {
        Some((at, _)) => format!("{}…", text[..at].trim_end()),
        None => text,
    }
}

pub(crate) fn cite(m: &Material, start: usize, end: usize) -> Citation {
    Citation {
        article: m.0.article.id.as_str().to_string(),
        start,
        end,
        outlet: m.0.article.outlet.clone(),
    }
}

fn source(a: &StoryArticle) -> Source {
    Source {
        article: a.article.id.as_str().to_string(),
        title: a.article.title.clone(),
        outlet: a.article.outlet.clone(),
        lang: a.article.lang.clone(),
        date: a.article.date.clone(),
        event: a.article.assignment.event,
        copy_of: a.article.assignment.copy_of.clone(),
        copy_kind: a.article.assignment.copy_kind.clone(),
    }
}

fn coverage(sources: &[&Source]) -> Coverage {
    let count = |key: &dyn Fn(&Source) -> Option<String>| {
        let mut rows: BTreeMap<String, CoverageRow> = BTreeMap::new();
        for s in sources {
            let name = key(s).unwrap_or_else(|| "unknown".into());
            let row = rows.entry(name.clone()).or_insert(CoverageRow {
                name,
                articles: 0,
                independent: 0,
            });
            row.articles += 1;
            row.independent += u32::from(s.copy_of.is_none());
        }
        let mut rows: Vec<CoverageRow> = rows.into_values().collect();
        rows.sort_by(|a, b| b.articles.cmp(&a.articles).then_with(|| a.name.cmp(&b.name)));
        rows
    };
    Coverage { outlets: count(&|s| s.outlet.clone()), languages: count(&|s| s.lang.clone()) }
}

/// Coverage rows of several events summed by name, most articles first.
fn merge_coverage<'a>(rows: impl Iterator<Item = &'a Vec<CoverageRow>>) -> Vec<CoverageRow> {
    let mut merged: BTreeMap<String, CoverageRow> = BTreeMap::new();
    for row in rows.flatten() {
        let m = merged.entry(row.name.clone()).or_insert(CoverageRow {
            name: row.name.clone(),
            articles: 0,
            independent: 0,
        });
        m.articles += row.articles;
        m.independent += row.independent;
    }
    let mut out: Vec<CoverageRow> = merged.into_values().collect();
    out.sort_by(|a, b| b.articles.cmp(&a.articles).then_with(|| a.name.cmp(&b.name)));
    out
}

/// Quotes by speaker; the same words carried by several articles are one quote with several
/// sources. Quotes without a named speaker and quotes inside quotes are left out.
fn quotes(event: u32, material: &[&Material]) -> Vec<SpeakerQuotes> {
    let mut speakers: Vec<SpeakerQuotes> = Vec::new();
    for m in material {
        for q in &m.1.quotes {
            let (Some(name), Some(key)) = (&q.speaker_name, &q.speaker_key) else { continue };
            if q.nested || !names_an_entity(name, &m.1.entities) {
                continue;
            }
            let text = clip(&m.0.text[q.start..q.end], usize::MAX);
            let c = cite(m, q.start, q.end);
            let at = match speakers.iter().position(|s| &s.key == key) {
                Some(at) => at,
                None => {
                    speakers.push(SpeakerQuotes {
                        speaker: name.clone(),
                        key: key.clone(),
                        quotes: Vec::new(),
                    });
                    speakers.len() - 1
                }
            };
            let entry = &mut speakers[at];
            if name.len() > entry.speaker.len() {
                entry.speaker = name.clone();
            }
            match entry.quotes.iter_mut().find(|e| e.text == text) {
                Some(e) => add_source(&mut e.sources, &mut e.carried_by, &c),
                None => entry.quotes.push(QuoteEntry {
                    text,
                    kind: q.kind.clone(),
                    event,
                    sources: vec![c],
                    carried_by: 1,
                }),
            }
        }
    }
    speakers.sort_by(|a, b| b.quotes.len().cmp(&a.quotes.len()).then(a.speaker.cmp(&b.speaker)));
    speakers
}

/// Whether a speaker's name names someone: its last word is the last word of a person,
/// organisation or place the article names, or it is two or more capitalised words ending in
/// one that is not a German common noun. Speakers that are common nouns ("Zeitung", "Das
/// Kernthema") are not.
fn names_an_entity(name: &str, entities: &[storyline_store::EntityRow]) -> bool {
    let last = |s: &str| s.split_whitespace().last().map(str::to_lowercase);
    let want = last(name);
    let Some(word) = &want else { return false };
    let capitalised: Vec<&str> = name.split_whitespace().collect();
    let proper = capitalised.len() >= 2
        && capitalised.iter().all(|w| w.chars().next().is_some_and(char::is_uppercase))
        && capitalised.iter().all(|w| w.chars().count() > 1)
        && !storyline_text::is_german_noun(word);
    proper
        || entities
            .iter()
            .filter(|e| matches!(e.etype.as_str(), "PER" | "ORG" | "LOC"))
            .any(|e| last(&e.canonical) == want)
}

/// Adds a citation to a bounded list, counting it either way.
fn add_source(sources: &mut Vec<Citation>, count: &mut u32, cite: &Citation) {
    *count += 1;
    if sources.len() < SOURCES_PER_ITEM && !sources.iter().any(|s| s.article == cite.article) {
        sources.push(cite.clone());
    }
}

/// Keeps the speakers with most quotes, and each speaker's most carried quotes.
fn bound_speakers(speakers: &mut Vec<SpeakerQuotes>, keep: usize) {
    speakers.truncate(keep);
    for s in speakers {
        s.quotes.sort_by_key(|q| std::cmp::Reverse(q.carried_by));
        s.quotes.truncate(QUOTES_PER_SPEAKER);
    }
}

fn merge_speakers(all: impl Iterator<Item = SpeakerQuotes>) -> Vec<SpeakerQuotes> {
    let mut out: Vec<SpeakerQuotes> = Vec::new();
    for s in all {
        match out.iter_mut().find(|o| o.key == s.key) {
            Some(o) => {
                if s.speaker.len() > o.speaker.len() {
                    o.speaker = s.speaker.clone();
                }
                o.quotes.extend(s.quotes);
            }
            None => out.push(s),
        }
    }
    out.sort_by(|a, b| b.quotes.len().cmp(&a.quotes.len()).then(a.speaker.cmp(&b.speaker)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar_values_and_clipping() {
        assert!(is_calendar("2023-09-13") && is_calendar("2023-09"));
        assert!(!is_calendar("2023-W37") && !is_calendar("XXXX-09-13") && !is_calendar("PT20H"));
        assert_eq!(clip("a  b\n c", 10), "a b c");
        assert_eq!(clip("abcdef", 3), "abc…");
    }
}

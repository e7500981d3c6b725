//! The extraction stage: quotes and time expressions of every stored article not yet
//! extracted, found on all cores and written in batches. Time expressions are resolved against
//! the article's publication date when it is known to the day; otherwise relative ones stay
//! unresolved.

use chrono::NaiveDate;
use rayon::prelude::*;
use storyline_core::DatePrecision;
use storyline_extract::entities::{EntityFinder, EntityMention};
use storyline_extract::figures::{Figure, FigureFinder};
use storyline_extract::quotes::{Quote, QuoteFinder};
use storyline_extract::timex::{Mode, TimeTagger, Timex};
use storyline_store::{
    ArticleToExtract, EntityRow, Extraction, FigureRow, QuoteRow, Store, TimexRow,
};

use crate::{Engine, EngineError};

/// What an extraction run did.
#[derive(Debug, Default, Clone, Copy)]
pub struct ExtractReport {
    /// Articles extracted in this run.
    pub articles: u64,
    /// Quotes found.
    pub quotes: u64,
    /// Time expressions found.
    pub timexes: u64,
    /// Figures found.
    pub figures: u64,
    /// Named-entity mentions found.
    pub entities: u64,
}

/// Articles an extraction batch (and a transaction).
const BATCH: usize = 1024;

/// The extractors of the built-in language profiles.
#[derive(Debug)]
pub struct Extractors {
    /// Time expressions.
    pub times: TimeTagger,
    /// Quotes.
    pub quotes: QuoteFinder,
    /// Figures.
    pub figures: FigureFinder,
    /// Named entities.
    pub entities: EntityFinder,
}

impl Extractors {
    /// The extractors of the compiled-in profiles.
    pub fn builtin() -> Result<Extractors, EngineError> {
        let resource =
            |e: storyline_text::profile::ProfileError| EngineError::Resource(e.to_string());
        Ok(Extractors {
            times: TimeTagger::builtin().map_err(resource)?,
            quotes: QuoteFinder::builtin().map_err(resource)?,
            figures: FigureFinder::builtin().map_err(resource)?,
            entities: EntityFinder::builtin().map_err(resource)?,
        })
    }

    /// Everything found in one article's text; `date` is its publication day, if known.
    /// Figures leave out the numbers of time expressions and take as their source the speaker
    /// of the quote they stand in.
    pub fn extract(
        &self,
        seq: i64,
        text: &str,
        lang: Option<&str>,
        date: Option<NaiveDate>,
    ) -> Extraction {
        // One tokenisation of the text serves all four extractors.
        let tokens = storyline_extract::Tokens::of(text);
        let quotes = self.quotes.find_tokens(&tokens, lang);
        let timexes = self.times.tag_tokens(&tokens, lang, date, Mode::News);
        let spans: Vec<(usize, usize)> = timexes.iter().map(|t| (t.start, t.end)).collect();
        let figures = self.figures.find_tokens(&tokens, lang, &spans);
        Extraction {
            article_seq: seq,
            entities: self.entities.find_tokens(&tokens, lang).iter().map(entity_row).collect(),
            figures: {
                let speakers = Speakers::new(&quotes);
                figures.iter().map(|f| figure_row(f, &speakers)).collect()
            },
            quotes: quotes.iter().map(quote_row).collect(),
            timexes: timexes.iter().map(timex_row).collect(),
        }
    }
}

/// The publication day of a stored date, when known to the day: the local date as written.
pub fn publication_day(date_iso: Option<&str>, precision: Option<&str>) -> Option<NaiveDate> {
    let precise = precision.and_then(DatePrecision::parse).is_some_and(|p| p >= DatePrecision::Day);
    let day = date_iso?.get(..10)?;
    precise.then(|| NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()).flatten()
}

fn quote_row(q: &Quote) -> QuoteRow {
    QuoteRow {
        start: q.start,
        end: q.end,
        kind: q.kind.as_str().to_string(),
        cue: q.cue,
        speaker: q.speaker,
        speaker_name: q.speaker_name.clone(),
        speaker_key: q.speaker_key(),
        nested: q.nested,
    }
}

fn entity_row(e: &EntityMention) -> EntityRow {
    EntityRow {
        start: e.start,
        end: e.end,
        etype: e.etype.as_str().to_string(),
        canonical: e.canonical.clone(),
        key: e.key.clone(),
        role: e.role.clone(),
    }
}

/// The figure with its source: the speaker of the narrowest quote around it.
/// The attributed quotes of an article, for finding the one a figure stands in without testing
/// every quote for every figure (issue 17, row 3: that was quadratic in an article's length).
struct Speakers<'a> {
    /// Attributed quotes by start, each with its place in the order found.
    quotes: Vec<(usize, &'a Quote)>,
    /// The largest end among `quotes[..=i]`.
    reach: Vec<usize>,
}

impl<'a> Speakers<'a> {
    fn new(quotes: &'a [Quote]) -> Speakers<'a> {
        let mut attributed: Vec<(usize, &Quote)> =
            quotes.iter().enumerate().filter(|(_, q)| q.speaker_name.is_some()).collect();
        attributed.sort_by_key(|(_, q)| q.start);
        let reach = attributed
            .iter()
            .scan(0, |m, (_, q)| {
                *m = (*m).max(q.end);
                Some(*m)
            })
            .collect();
        Speakers { quotes: attributed, reach }
    }

    /// The speaker of the shortest attributed quote holding `start..end` (of equally short
    /// ones, the first found).
    fn of(&self, start: usize, end: usize) -> Option<String> {
        let mut i = self.quotes.partition_point(|(_, q)| q.start <= start);
        let mut best: Option<(usize, usize, &Quote)> = None;
        while i > 0 && self.reach[i - 1] >= end {
            i -= 1;
            let (found, q) = self.quotes[i];
            let key = (q.end - q.start, found);
            if q.end >= end && best.is_none_or(|(len, at, _)| key < (len, at)) {
                best = Some((key.0, key.1, q));
            }
        }
        best.and_then(|(_, _, q)| q.speaker_name.clone())
    }
}

fn figure_row(f: &Figure, speakers: &Speakers<'_>) -> FigureRow {
    let source = speakers.of(f.start, f.end);
    FigureRow {
        start: f.start,
        end: f.end,
        value: f.value,
        high: f.high,
        kind: as_text(&f.kind),
        unit: f.unit.clone(),
        counted: f.counted.clone(),
        approximation: f.approximation.clone(),
        source,
    }
}

fn as_text<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

fn timex_row(t: &Timex) -> TimexRow {
    TimexRow {
        start: t.start,
        end: t.end,
        kind: as_text(&t.kind),
        value: t.value.clone(),
        granularity: as_text(&t.granularity),
        resolution: as_text(&t.resolution),
        modifier: t.modifier.clone(),
    }
}

impl Engine {
    /// Extracts every article not yet extracted (or extracted by an older version).
    pub fn extract(&mut self, mut progress: impl FnMut(u64)) -> Result<ExtractReport, EngineError> {
        self.lock_writer()?;
        let mut stage = ExtractStage::new()?;
        stage.run(&mut self.store, &mut progress)?;
        Ok(stage.report)
    }
}

/// The extraction stage: extracts the stored articles not yet extracted, a batch at a time on
/// all cores, each batch written in one transaction. Each run goes on from the last article the
/// previous one extracted (the first looks at every article, for those an older version
/// extracted). The engine's writer lock must be held: by the engine that owns the store, or by
/// the job that opened another connection beside its own.
pub(crate) struct ExtractStage {
    extractors: Extractors,
    /// The last sequence number extracted.
    after: i64,
    /// What it did so far.
    pub(crate) report: ExtractReport,
}

impl ExtractStage {
    pub(crate) fn new() -> Result<ExtractStage, EngineError> {
        Ok(ExtractStage {
            extractors: Extractors::builtin()?,
            after: 0,
            report: Default::default(),
        })
    }

    /// The last sequence number extracted so far.
    pub(crate) fn extracted_upto(&self) -> i64 {
        self.after
    }

    /// Extracts everything `store` holds that is not extracted yet, telling `progress` the
    /// articles done so far.
    pub(crate) fn run(
        &mut self,
        store: &mut Store,
        progress: &mut dyn FnMut(u64),
    ) -> Result<(), EngineError> {
        loop {
            let batch: Vec<ArticleToExtract> = store.unextracted(self.after, BATCH)?;
            let Some(last) = batch.last() else { return Ok(()) };
            let last = last.seq;
            self.extract_batch(store, &batch)?;
            self.after = last;
            progress(self.report.articles);
        }
    }

    /// Extracts the articles after sequence number `after` up to `upto` that are not extracted
    /// yet (a queue worker's share of the stream), telling `progress` after each batch.
    pub(crate) fn run_range(
        &mut self,
        store: &mut Store,
        after: i64,
        upto: i64,
        progress: &mut dyn FnMut(u64),
    ) -> Result<(), EngineError> {
        let mut from = after;
        loop {
            let mut batch: Vec<ArticleToExtract> = store.unextracted(from, BATCH)?;
            batch.retain(|a| a.seq <= upto);
            let Some(last) = batch.last() else { return Ok(()) };
            from = last.seq;
            self.extract_batch(store, &batch)?;
            progress(self.report.articles);
        }
    }

    /// Extracts one batch on all cores and writes it in one transaction.
    fn extract_batch(
        &mut self,
        store: &mut Store,
        batch: &[ArticleToExtract],
    ) -> Result<(), EngineError> {
        let extractors = &self.extractors;
        let found: Vec<Extraction> = batch
            .par_iter()
            .map(|a| {
                let day = publication_day(a.date_iso.as_deref(), a.date_precision.as_deref());
                extractors.extract(a.seq, &a.text, a.lang.as_deref(), day)
            })
            .collect();
        store.write_extractions(&found)?;
        let report = &mut self.report;
        report.articles += found.len() as u64;
        report.quotes += found.iter().map(|x| x.quotes.len() as u64).sum::<u64>();
        report.timexes += found.iter().map(|x| x.timexes.len() as u64).sum::<u64>();
        report.figures += found.iter().map(|x| x.figures.len() as u64).sum::<u64>();
        report.entities += found.iter().map(|x| x.entities.len() as u64).sum::<u64>();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::publication_day;

    /// Issue 17, row 3: the quote a figure stands in, found through the index, is the one the
    /// search over every quote found, for nested and overlapping quotes in any order.
    #[test]
    fn a_figures_speaker_is_found_as_testing_every_quote_did() {
        use storyline_extract::quotes::{Quote, QuoteKind};
        let quote = |start: usize, end: usize, who: Option<&str>| Quote {
            start,
            end,
            kind: QuoteKind::Direct,
            cue: None,
            speaker: None,
            speaker_name: who.map(str::to_string),
            nested: false,
        };
        let quotes = vec![
            quote(50, 90, Some("B")),
            quote(0, 100, Some("A")),
            quote(10, 40, Some("C")),
            quote(10, 40, Some("D")),
            quote(20, 30, None),
            quote(60, 70, Some("E")),
        ];
        let speakers = super::Speakers::new(&quotes);
        for start in 0..110 {
            for end in start..start + 15 {
                let linear = quotes
                    .iter()
                    .filter(|q| q.start <= start && end <= q.end && q.speaker_name.is_some())
                    .min_by_key(|q| q.end - q.start)
                    .and_then(|q| q.speaker_name.clone());
                assert_eq!(speakers.of(start, end), linear, "{start}..{end}");
            }
        }
    }

    #[test]
    fn only_a_day_or_finer_anchors_relative_times() {
        assert_eq!(
            publication_day(Some("2023-09-12T07:43:00+02:00"), Some("minute"))
                .map(|d| d.to_string()),
            Some("2023-09-12".into())
        );
        assert_eq!(publication_day(Some("2023-09"), Some("month")), None);
        assert_eq!(publication_day(None, None), None);
    }
}

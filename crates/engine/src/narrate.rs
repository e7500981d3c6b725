//! The last stages: the search index over articles not yet indexed, and the reports of every
//! story that gained articles since it was last narrated.

use rayon::prelude::*;
use storyline_narrate::{Narrator, StoryReport};
use storyline_store::{Store, StoreError, StoryReportRow};
use storyline_text::Analyzer;

use crate::{Engine, EngineError};

/// Articles indexed a batch (and a transaction).
pub(crate) const INDEX_BATCH: usize = 2048;

/// What the index and narrate stages did.
#[derive(Debug, Default, Clone, Copy)]
pub struct NarrateReport {
    /// Articles added to the search index.
    pub indexed: u64,
    /// Stories whose reports were (re)written.
    pub stories: u64,
}

fn resource(e: storyline_text::profile::ProfileError) -> EngineError {
    EngineError::Resource(e.to_string())
}

/// The row the story list reads, from a report.
pub fn report_row(report: &StoryReport, json: String) -> StoryReportRow {
    // Unix seconds of the latest date: dates are ISO, so their first 10 characters are a day.
    let last_time = report
        .last
        .as_deref()
        .and_then(|d| chrono::NaiveDate::parse_from_str(d.get(..10).unwrap_or(d), "%Y-%m-%d").ok())
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map_or(0, |d| d.and_utc().timestamp());
    StoryReportRow {
        story: report.id,
        last_time,
        first: report.first.clone(),
        last: report.last.clone(),
        title: report.title.clone(),
        articles: report.articles,
        events: report.events.len() as u32,
        languages: report.languages.join(","),
        json,
    }
}

impl Engine {
    /// Adds every article not yet in the search index, analysed in its language (stems, and
    /// German compound parts), on all cores.
    pub fn index(&mut self, progress: &mut dyn FnMut(u64)) -> Result<u64, EngineError> {
        self.lock_writer()?;
        let analyzer = Analyzer::builtin().map_err(resource)?;
        index_pending(&mut self.store, &analyzer, progress)
    }

    /// Rewrites the reports of every story that gained articles since it was last narrated.
    pub fn narrate(&mut self, progress: &mut dyn FnMut(u64)) -> Result<u64, EngineError> {
        self.lock_writer()?;
        let narrator = Narrator::new().map_err(resource)?;
        narrate_pending(&mut self.store, &narrator, progress)
    }

    /// Rewrites every story's report.
    pub fn renarrate(&mut self, progress: &mut dyn FnMut(u64)) -> Result<u64, EngineError> {
        self.lock_writer()?;
        self.store.clear_reports()?;
        self.narrate(progress)
    }

    /// Story `story`'s report, built from what is stored now.
    pub fn story_report(
        &self,
        narrator: &Narrator,
        story: u32,
    ) -> Result<StoryReport, EngineError> {
        story_report(&self.store, narrator, story)
    }

    /// Index and narrate what is new: the stages after clustering.
    pub fn finish(&mut self) -> Result<NarrateReport, EngineError> {
        let indexed = self.index(&mut |_| {})?;
        let stories = self.narrate(&mut |_| {})?;
        Ok(NarrateReport { indexed, stories })
    }
}

/// The index stage: adds every article of `store` not yet in the search index, a batch at a time
/// on all cores, each batch in one transaction; the number added.
pub(crate) fn index_pending(
    store: &mut Store,
    analyzer: &Analyzer,
    progress: &mut dyn FnMut(u64),
) -> Result<u64, EngineError> {
    let mut done = 0;
    loop {
        let batch = store.unindexed(INDEX_BATCH)?;
        if batch.is_empty() {
            return Ok(done);
        }
        let rows: Vec<(i64, String)> = batch
            .par_iter()
            .map(|(seq, title, text, lang)| {
                let mut terms = String::new();
                analyzer.search_terms(title, lang.as_deref(), &mut terms);
                analyzer.search_terms(text, lang.as_deref(), &mut terms);
                (*seq, terms)
            })
            .collect();
        store.write_search_terms(&rows)?;
        done += rows.len() as u64;
        progress(done);
    }
}

/// The narrate stage: rewrites the report of every story of `store` that gained articles since
/// it was last narrated; the number rewritten.
pub(crate) fn narrate_pending(
    store: &mut Store,
    narrator: &Narrator,
    progress: &mut dyn FnMut(u64),
) -> Result<u64, EngineError> {
    let (stories, upto) = store.stories_to_narrate()?;
    let mut done = 0;
    for story in &stories {
        narrate_story(store, narrator, *story)?;
        done += 1;
        progress(done);
    }
    store.mark_narrated(upto)?;
    Ok(done)
}

/// [`narrate_pending`] with the stories shared among `stores` (connections to one store), each
/// in a thread of its own: a story's report reads all its articles, so at the end of a long job
/// the last reports are the job's longest step. `progress` is told the reports written so far.
pub(crate) fn narrate_pending_on(
    stores: &mut [Store],
    narrator: &Narrator,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<u64, EngineError> {
    let Some((first, _)) = stores.split_first_mut() else { return Ok(0) };
    let (stories, upto) = first.stories_to_narrate()?;
    let done = std::sync::atomic::AtomicU64::new(0);
    let n = stores.len();
    std::thread::scope(|scope| {
        let workers: Vec<_> = stores
            .iter_mut()
            .enumerate()
            .map(|(k, store)| {
                let (stories, done) = (&stories, &done);
                scope.spawn(move || {
                    for story in stories.iter().skip(k).step_by(n) {
                        narrate_story(store, narrator, *story)?;
                        let d = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                        progress(d);
                    }
                    Ok::<_, EngineError>(())
                })
            })
            .collect();
        workers
            .into_iter()
            .try_for_each(|w| w.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
    })?;
    stores[0].mark_narrated(upto)?;
    Ok(stories.len() as u64)
}

/// Builds and writes the report of `story`.
fn narrate_story(store: &mut Store, narrator: &Narrator, story: u32) -> Result<(), EngineError> {
    let report = story_report(store, narrator, story)?;
    let events: Vec<(u32, String)> = report
        .events
        .iter()
        .map(|e| (e.id, serde_json::to_string(e).unwrap_or_default()))
        .collect();
    let json = serde_json::to_string(&report).unwrap_or_default();
    store.write_reports(&report_row(&report, json), &events, None)?;
    Ok(())
}

/// Story `story`'s report, built from what `store` holds now.
fn story_report(
    store: &Store,
    narrator: &Narrator,
    story: u32,
) -> Result<StoryReport, EngineError> {
    let articles = store.story_articles(story)?;
    let material = articles
        .into_iter()
        .map(|a| {
            let extraction = store.extraction(&a.article.id)?;
            Ok((a, extraction))
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(narrator.story(story, &material))
}

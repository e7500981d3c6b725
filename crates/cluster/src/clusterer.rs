//! The online story engine: one article at a time, in time order, decide whether it is a copy,
//! which event it reports and which story that event belongs to.

use std::collections::HashMap;

use serde::Serialize;
use storyline_text::{Analysis, DocFreq, TermCounts, TermMap};

use crate::dedup::{CopyKind, CopyOf, Dedup};
use crate::features::{self, dense_cosine, gaussian, Centroid, DocCounts, DocVectors, Features};
use crate::model::{sigmoid, Model};
use crate::story::{Story, StoryFeatures};

/// One article as the engine sees it.
#[derive(Debug, Clone)]
pub struct Doc {
    /// The article's id.
    pub key: String,
    /// When it happened or was published, Unix seconds, if known to the day or better.
    pub time: Option<i64>,
    /// Without a time: the earliest it can have been written (Unix seconds), when the text says
    /// (it narrates an earlier year as past). Events that ended a window before are not its.
    pub not_before: Option<i64>,
    /// Language code.
    pub lang: Option<String>,
    /// Its text analysis.
    pub analysis: Analysis,
    /// Multilingual sentence vector of title and lead, when an embedding model is available.
    pub dense: Option<Vec<f32>>,
}

/// An event scored for an article.
#[derive(Debug, Clone, Serialize)]
pub struct Scored {
    /// The event.
    pub event: u32,
    /// `sigmoid(bias + w·x)`: the model's probability that the article reports this event.
    pub probability: f32,
    /// The feature values.
    pub features: Features,
    /// Which scorer gave the probability: `lexical`, or `dense` when both sides had vectors.
    pub scorer: &'static str,
}

/// What the engine decided for one article, with the evidence.
#[derive(Debug, Clone, Serialize)]
pub struct Assignment {
    /// The event the article now belongs to.
    pub event: u32,
    /// The story of that event.
    pub story: u32,
    /// Whether the article opened the event.
    pub new_event: bool,
    /// Whether its event opened the story.
    pub new_story: bool,
    /// The best-scoring existing event (the one joined, or the best one rejected).
    pub best: Option<Scored>,
    /// The second-best event.
    pub runner_up: Option<Scored>,
    /// The original, when the article is a copy (then it joins the original's event unscored).
    pub copy_of: Option<CopyOf>,
    /// For a new event: the best story's probability and features.
    pub story_link: Option<(u32, f32, StoryFeatures)>,
    /// For a new event: the stories scored, best first (at most [`MAX_STORY_EXPLAINED`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub story_candidates: Vec<StoryScored>,
    /// Events scored.
    pub candidates: usize,
    /// The candidate events ranked, best first, with their probabilities (at most
    /// [`MAX_STORY_EXPLAINED`] + 2).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ranked: Vec<(u32, f32)>,
    /// Events that matched the article's terms or vector but were last seen a window before it
    /// (its time, or the earliest day its text allows), so were not scored.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub closed: Vec<u32>,
}

/// A story scored for the new event an article opens.
#[derive(Debug, Clone, Serialize)]
pub struct StoryScored {
    /// The story.
    pub story: u32,
    /// The story model's probability that the event continues this story.
    pub probability: f32,
    /// The threshold of the scorer that gave it.
    pub threshold: f32,
    /// The feature values.
    pub features: StoryFeatures,
}

/// Stories listed with an assignment's evidence.
pub const MAX_STORY_EXPLAINED: usize = 3;

/// Who takes the decisions the scores inform. The product follows the model ([`ModelGuide`]);
/// training replays a labelled stream with a guide that follows the gold labels and records what
/// the model saw at each decision, so that what is learned is what the engine will face.
pub trait Guide {
    /// The event `doc` joins among `scored` (best first; any active event may be named), or
    /// `None` to open a new one. `model` is what the model would choose.
    fn event(&mut self, doc: &Doc, scored: &[Scored], model: Option<u32>) -> Option<u32>;
    /// The story the new event opened by `doc` joins among `scored` (best first; any active
    /// story may be named), or `None` to open a new one. `model` is the model's choice.
    fn story(&mut self, doc: &Doc, scored: &[StoryScored], model: Option<u32>) -> Option<u32>;
}

/// The product's guide: the model decides.
#[derive(Debug, Clone, Copy, Default)]
pub struct ModelGuide;

impl Guide for ModelGuide {
    fn event(&mut self, _: &Doc, _: &[Scored], model: Option<u32>) -> Option<u32> {
        model
    }
    fn story(&mut self, _: &Doc, _: &[StoryScored], model: Option<u32>) -> Option<u32> {
        model
    }
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct Event {
    story: u32,
    centroid: Centroid,
    newest: Option<i64>,
    oldest: Option<i64>,
    time_sum: f64,
    time_n: u32,
    days: Vec<i32>,
    langs: Vec<(String, u32)>,
    articles: u32,
    dense: Option<Vec<f32>>,
    dense_unit: Option<Vec<f32>>,
    seen: i64,
    indexed: TermMap<()>,
    /// The first [`MAX_MEMBERS`] original articles with a sentence vector and a language: where
    /// a translated copy finds its original.
    members: Vec<Member>,
}

/// An article of an event that a translation may copy.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct Member {
    key: String,
    lang: String,
    /// Its unit sentence vector times 127, rounded: a quarter of the memory, and cosines off by
    /// less than 0.01.
    dense: Vec<i8>,
}

impl Member {
    fn cosine(&self, unit: &[f32]) -> f32 {
        self.dense.iter().zip(unit).map(|(m, x)| f32::from(*m) * x).sum::<f32>() / 127.0
    }
}

/// Most articles an event keeps vectors of for finding translated copies (the earliest).
const MAX_MEMBERS: usize = 64;
/// Most possible originals checked per article.
const MAX_TRANSLATION_CHECKS: usize = 3;

/// What an article brings to its event and story, computed once.
struct Content<'a> {
    counts: &'a DocCounts,
    vectors: &'a DocVectors,
    days: &'a [i32],
    query: &'a [(u64, f32)],
}

/// Most index terms an event or story keeps.
const MAX_INDEXED: usize = 256;
/// Stems of a new event's first article that also look up candidate stories (besides its names).
const STORY_QUERY_STEMS: usize = 8;
/// Retire old events every this many articles.
const RETIRE_EVERY: u64 = 256;

impl Event {
    fn new(story: u32, seen: i64) -> Event {
        Event {
            story,
            centroid: Centroid::default(),
            newest: None,
            oldest: None,
            time_sum: 0.0,
            time_n: 0,
            days: Vec::new(),
            langs: Vec::new(),
            articles: 0,
            dense: None,
            dense_unit: None,
            seen,
            indexed: TermMap::default(),
            members: Vec::new(),
        }
    }

    fn add_time(&mut self, time: Option<i64>, seen: i64) {
        if let Some(t) = time {
            self.newest = Some(self.newest.map_or(t, |n| n.max(t)));
            self.oldest = Some(self.oldest.map_or(t, |o| o.min(t)));
            self.time_sum += t as f64;
            self.time_n += 1;
        }
        self.seen = self.seen.max(seen);
        self.articles += 1;
    }

    fn add_content(
        &mut self,
        doc: &Doc,
        counts: &DocCounts,
        days: &[i32],
        df: &DocFreq,
        max_terms: usize,
    ) {
        self.centroid.add(counts, df, max_terms);
        for m in days {
            if let Err(i) = self.days.binary_search(m) {
                self.days.insert(i, *m);
            }
        }
        if let Some(l) = &doc.lang {
            match self.langs.iter_mut().find(|(c, _)| c == l) {
                Some((_, n)) => *n += 1,
                None => self.langs.push((l.clone(), 1)),
            }
        }
        if let Some(d) = &doc.dense {
            match &mut self.dense {
                Some(sum) => sum.iter_mut().zip(d).for_each(|(s, x)| *s += x),
                None => self.dense = Some(d.clone()),
            }
            // Keep the sum at unit length: the dense feature is then one dot product.
            if let Some(sum) = &self.dense {
                let norm = sum.iter().map(|x| x * x).sum::<f32>().sqrt();
                self.dense_unit = (norm > 0.0).then(|| sum.iter().map(|x| x / norm).collect());
            }
        }
    }
}

/// Version of the bytes [`Clusterer::state`] writes.
const STATE_VERSION: u32 = 2;

/// Everything the clusterer holds besides its model and document frequencies: what
/// [`Clusterer::state`] stores.
#[derive(serde::Serialize, serde::Deserialize)]
struct Memory {
    events: HashMap<u32, Event>,
    postings: TermMap<Vec<u32>>,
    stories: HashMap<u32, Story>,
    story_postings: TermMap<Vec<u32>>,
    dedup: Dedup,
    next_event: u32,
    next_story: u32,
    now: Option<i64>,
    added: u64,
}

/// The online clusterer. Not thread-safe by design: one writer, articles in time order.
pub struct Clusterer {
    model: Model,
    weights: Features,
    dense_weights: Option<Features>,
    story_weights: StoryFeatures,
    story_dense_weights: Option<StoryFeatures>,
    df: DocFreq,
    mem: Memory,
}

/// Counts of what the clusterer holds in memory.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Held {
    /// Events in the candidate index.
    pub events: usize,
    /// Stories in the story index.
    pub stories: usize,
    /// Articles in the copy index.
    pub copy_index: usize,
    /// Distinct terms with document frequencies.
    pub terms: usize,
    /// Term counts held by the events' and stories' centroids.
    pub centroid_terms: usize,
}

impl Clusterer {
    /// A clusterer that has seen nothing.
    pub fn new(model: Model) -> Clusterer {
        Clusterer::resume(model, DocFreq::new(), 0, 0)
    }

    /// A clusterer that continues a stream: its document frequencies and the next ids to give.
    /// Active events are brought back with [`Clusterer::restore`].
    pub fn resume(model: Model, df: DocFreq, next_event: u32, next_story: u32) -> Clusterer {
        let weights = Model::weights_of(&model.event.scorer);
        let dense_weights = model.event.dense_scorer.as_ref().map(Model::weights_of);
        let story_vector = |l: &crate::model::Linear| {
            let mut w = StoryFeatures::default();
            w.0.copy_from_slice(&l.vector(&crate::story::STORY_FEATURES));
            w
        };
        let story_weights = story_vector(&model.story.scorer);
        let story_dense_weights = model.story.dense_scorer.as_ref().map(story_vector);
        Clusterer {
            mem: Memory {
                dedup: Dedup::new(model.dedup.clone()),
                events: HashMap::new(),
                postings: TermMap::default(),
                stories: HashMap::new(),
                story_postings: TermMap::default(),
                next_event,
                next_story,
                now: None,
                added: 0,
            },
            model,
            weights,
            dense_weights,
            story_weights,
            story_dense_weights,
            df,
        }
    }

    /// Everything the clusterer holds besides its model and document frequencies (which the
    /// store keeps), as bytes: stored after each batch, it lets the next run continue exactly as
    /// an uninterrupted one would.
    pub fn state(&self) -> Result<Vec<u8>, String> {
        postcard::to_stdvec(&(STATE_VERSION, &self.mem)).map_err(|e| format!("engine state: {e}"))
    }

    /// A clusterer that continues from a [`Clusterer::state`] with the document frequencies of
    /// the same moment. An error names what is wrong with the bytes.
    pub fn from_state(model: Model, df: DocFreq, bytes: &[u8]) -> Result<Clusterer, String> {
        let (version, mem): (u32, Memory) =
            postcard::from_bytes(bytes).map_err(|e| format!("engine state: {e}"))?;
        if version != STATE_VERSION {
            return Err(format!(
                "engine state version {version} (this build reads {STATE_VERSION})"
            ));
        }
        let mut c = Clusterer::resume(model, df, mem.next_event, mem.next_story);
        c.mem = Memory { dedup: mem.dedup.with_params(c.model.dedup.clone()), ..mem };
        Ok(c)
    }

    /// The model in use.
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// Document frequencies so far.
    pub fn df(&self) -> &DocFreq {
        &self.df
    }

    /// The document frequencies changed since the last call, for storing.
    pub fn df_changes(&mut self) -> Vec<(u64, u32)> {
        self.df.take_changes()
    }

    /// Next event and story ids.
    pub fn next_ids(&self) -> (u32, u32) {
        (self.mem.next_event, self.mem.next_story)
    }

    /// What is held in memory.
    pub fn held(&self) -> Held {
        Held {
            events: self.mem.events.len(),
            stories: self.mem.stories.len(),
            copy_index: self.mem.dedup.len(),
            terms: self.df.terms(),
            centroid_terms: self.mem.events.values().map(|e| e.centroid.terms()).sum::<usize>()
                + self.mem.stories.values().map(|s| s.centroid.terms()).sum::<usize>(),
        }
    }

    /// The article's term counts, with compound parts decided against the current frequencies.
    pub fn counts(&self, a: &Analysis) -> DocCounts {
        let parts = self.df.split_compounds(&a.compounds, self.model.event.compound_min_df);
        let mut body_tokens = a.body.tokens.clone();
        for (m, h) in parts {
            body_tokens.push(m);
            body_tokens.push(h);
        }
        DocCounts {
            counts: [
                [
                    TermCounts::from_hashes(a.title.tokens.iter().copied()),
                    TermCounts::from_hashes(body_tokens),
                ],
                [
                    TermCounts::from_hashes(a.title.stems.iter().copied()),
                    TermCounts::from_hashes(a.body.stems.iter().copied()),
                ],
                [
                    TermCounts::from_hashes(a.title.names.iter().copied()),
                    TermCounts::from_hashes(a.body.names.iter().copied()),
                ],
            ],
        }
    }

    /// Counts a document in the frequencies without clustering it (to prime them).
    pub fn observe(&mut self, a: &Analysis) {
        let counts = self.counts(a);
        self.df.add_document(&counts.distinct());
    }

    fn vectors(&self, counts: &DocCounts) -> DocVectors {
        DocVectors::weigh(counts, &self.df, self.model.event.index_terms.max(1) * 8)
    }

    fn features(&self, ev: &Event, v: &DocVectors, doc: &Doc, days: &[i32]) -> Features {
        let mut f = Features::default();
        for k in 0..features::KINDS {
            for field in 0..3 {
                f.0[k * 3 + field] =
                    ev.centroid.cosine(k, field, &v.0[k][field], &v.1[k][field]).sqrt();
            }
        }
        let sigma = self.model.event.time_sigma_days;
        match (doc.time, ev.newest, ev.oldest) {
            (Some(t), Some(n), Some(o)) => {
                f.0[features::TIME_NEWEST] = gaussian((t - n) as f64, sigma);
                f.0[features::TIME_NEWEST + 1] = gaussian((t - o) as f64, sigma);
                let mean = ev.time_sum / f64::from(ev.time_n.max(1));
                f.0[features::TIME_NEWEST + 2] = gaussian(t as f64 - mean, sigma);
            }
            _ => f.0[features::TIME_UNKNOWN] = 1.0,
        }
        if !days.is_empty() && !ev.days.is_empty() {
            // Days stated in both: the share of the article's within two days of one of the
            // event's, and a conflict when none is within a month.
            let near = |d: i32, within: i32| {
                let i = ev.days.partition_point(|x| *x < d - within);
                ev.days.get(i).is_some_and(|x| *x <= d + within)
            };
            let shared = days.iter().filter(|d| near(**d, 2)).count();
            f.0[features::STATED] = shared as f32 / days.len() as f32;
            if !days.iter().any(|d| near(*d, 30)) {
                f.0[features::STATED_CONFLICT] = 1.0;
            }
        }
        if let Some(l) = &doc.lang {
            let total: u32 = ev.langs.iter().map(|(_, n)| n).sum();
            let same = ev.langs.iter().find(|(c, _)| c == l).map_or(0, |(_, n)| *n);
            if total > 0 {
                f.0[features::SAME_LANG] = same as f32 / total as f32;
            }
        }
        match (&doc.dense, &ev.dense_unit) {
            (Some(a), Some(b)) => {
                f.0[features::DENSE] = dense_cosine(a, b);
                let other = if doc.lang.is_some() { 1.0 - f.0[features::SAME_LANG] } else { 0.0 };
                let floor = self.model.event.dense_cross_floor;
                f.0[features::DENSE_CROSS] =
                    features::above_floor(f.0[features::DENSE], floor) * other;
            }
            _ => f.0[features::DENSE_MISSING] = 1.0,
        }
        f
    }

    /// The probability of `f` and the scorer that gave it: the dense scorer when the dense
    /// feature is known and one is trained, else the lexical one.
    fn score(&self, f: &Features) -> (f32, &'static str) {
        match (&self.dense_weights, &self.model.event.dense_scorer) {
            (Some(w), Some(s)) if f.0[features::DENSE_MISSING] == 0.0 => {
                (sigmoid(s.bias + f.dot(w)), "dense")
            }
            _ => (sigmoid(self.model.event.scorer.bias + f.dot(&self.weights)), "lexical"),
        }
    }

    /// The threshold of the scorer named (`dense` or `lexical`).
    pub fn threshold(&self, scorer: &str) -> f32 {
        match (&self.model.event.dense_scorer, scorer) {
            (Some(s), "dense") => s.threshold,
            _ => self.model.event.scorer.threshold,
        }
    }

    /// The features and probability of two single articles being one event, with the current
    /// document frequencies, averaged over both directions. Used for pair similarity.
    pub fn pair(&self, a: &Doc, b: &Doc) -> Scored {
        let one = |x: &Doc, y: &Doc| {
            let (cy, my) = (self.counts(&y.analysis), stated_days(&y.analysis));
            let mut ev = Event::new(0, 0);
            ev.add_time(y.time, 0);
            ev.add_content(y, &cy, &my, &self.df, self.model.event.max_centroid_terms);
            let cx = self.counts(&x.analysis);
            self.features(&ev, &self.vectors(&cx), x, &stated_days(&x.analysis))
        };
        let (f1, f2) = (one(a, b), one(b, a));
        let mut f = Features::default();
        for i in 0..f.0.len() {
            f.0[i] = (f1.0[i] + f2.0[i]) / 2.0;
        }
        let (probability, scorer) = self.score(&f);
        Scored { event: 0, probability, features: f, scorer }
    }

    fn query(&self, v: &DocVectors) -> Vec<(u64, f32)> {
        let mut q: Vec<(u64, f32)> = v.0[1][2].iter().chain(v.0[2][2].iter()).copied().collect();
        q.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        q.truncate(self.model.event.index_terms);
        q
    }

    /// Moves the stream clock to `time`. The first known time also dates what came before it
    /// (events, stories and copy-index entries seen while the clock was unknown), so that they
    /// stay open for the window from there.
    #[allow(clippy::iter_over_hash_type, reason = "each value is set alone; order is irrelevant")]
    fn advance_clock(&mut self, time: Option<i64>) {
        let Some(t) = time else { return };
        if self.mem.now.is_none() {
            for e in self.mem.events.values_mut() {
                e.seen = e.seen.max(t);
            }
            for st in self.mem.stories.values_mut() {
                st.seen = st.seen.max(t);
            }
            self.mem.dedup.date_unknown(t);
        }
        self.mem.now = Some(self.mem.now.map_or(t, |n| n.max(t)));
    }

    /// The stream time an article counts at: its own, else the latest seen (or the earliest its
    /// text allows, when that is later).
    fn seen(&self, doc: &Doc) -> i64 {
        doc.time
            .or(match (self.mem.now, doc.not_before) {
                (Some(n), Some(b)) => Some(n.max(b)),
                (n, b) => n.or(b),
            })
            .unwrap_or(0)
    }

    /// The article `doc` translates, if any: among the recorded articles of the scored events
    /// in another language whose sentence vector is within `dedup.translation_lead`, nearest
    /// first, the first that `is_translation` (given its key) confirms with a score of at least
    /// `dedup.translation_sentences`.
    fn translation_of(
        &self,
        doc: &Doc,
        scored: &[Scored],
        is_translation: &mut dyn FnMut(&str) -> Option<f32>,
    ) -> Option<CopyOf> {
        let (Some(d), Some(lang)) = (&doc.dense, &doc.lang) else { return None };
        let dedup = &self.model.dedup;
        let mut near: Vec<(f32, u32, &Member)> = scored
            .iter()
            .filter_map(|s| self.mem.events.get(&s.event).map(|e| (s.event, e)))
            // Most events are in one language: their articles need no look.
            .filter(|(_, e)| e.langs.iter().any(|(l, _)| l != lang))
            .flat_map(|(id, e)| e.members.iter().map(move |m| (id, m)))
            .filter(|(_, m)| &m.lang != lang)
            .map(|(id, m)| (m.cosine(d), id, m))
            .filter(|(cos, ..)| *cos >= dedup.translation_lead)
            .collect();
        near.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        near.into_iter().take(MAX_TRANSLATION_CHECKS).find_map(|(_, event, m)| {
            let score = is_translation(&m.key).filter(|s| *s >= dedup.translation_sentences)?;
            Some(CopyOf {
                original: m.key.clone(),
                kind: CopyKind::Translation,
                similarity: score,
                event,
            })
        })
    }

    /// Clusters one article; translated copies are not looked for (see
    /// [`Clusterer::add_checked`]).
    pub fn add(&mut self, doc: &Doc) -> Assignment {
        self.add_checked(doc, &mut |_| None)
    }

    /// Clusters one article. Where an article in another language of a candidate event is near
    /// enough by sentence vector, `is_translation` is asked, with that article's key, how well
    /// the first sentences of both match (`None`: cannot tell); a match of at least
    /// `dedup.translation_sentences` makes this article a translated copy of that one.
    pub fn add_checked(
        &mut self,
        doc: &Doc,
        is_translation: &mut dyn FnMut(&str) -> Option<f32>,
    ) -> Assignment {
        self.add_guided(doc, is_translation, &mut ModelGuide)
    }

    /// Clusters one article as [`Clusterer::add_checked`] does, with `guide` taking the event
    /// and story decisions (copies are decided by the copy index alone).
    pub fn add_guided(
        &mut self,
        doc: &Doc,
        is_translation: &mut dyn FnMut(&str) -> Option<f32>,
        guide: &mut dyn Guide,
    ) -> Assignment {
        self.advance_clock(doc.time);
        let seen = self.seen(doc);
        self.mem.added += 1;
        if self.mem.added.is_multiple_of(RETIRE_EVERY) {
            self.retire();
        }
        let a = &doc.analysis;
        // Events last seen a window before this article are over for it, whether or not the
        // periodic retirement has removed them yet.
        let since = seen - (f64::from(self.model.event.window_days) * 86_400.0) as i64;
        let active = |id: &u32| self.mem.events.get(id).is_some_and(|e| e.seen >= since);
        let copy = self.mem.dedup.find(a.exact, a.signature.as_ref());
        if let Some(c) = copy.as_ref().filter(|c| active(&c.event)) {
            let event = c.event;
            let ev = self.mem.events.get_mut(&event).expect("checked");
            ev.add_time(doc.time, seen);
            let story = ev.story;
            self.mem.dedup.insert(&doc.key, a.exact, a.signature.clone(), event, seen);
            return Assignment {
                event,
                story,
                new_event: false,
                new_story: false,
                best: None,
                runner_up: None,
                copy_of: copy,
                story_link: None,
                story_candidates: Vec::new(),
                candidates: 0,
                ranked: Vec::new(),
                closed: Vec::new(),
            };
        }
        let counts = self.counts(a);
        self.df.add_document(&counts.distinct());
        let vectors = self.vectors(&counts);
        let days = stated_days(a);
        let query = self.query(&vectors);
        let mut hits: HashMap<u32, f32> = HashMap::new();
        for (h, w) in &query {
            if let Some(events) = self.mem.postings.get(h) {
                for e in events {
                    *hits.entry(*e).or_insert(0.0) += w;
                }
            }
        }
        let mut closed: Vec<u32> = hits.keys().copied().filter(|e| !active(e)).collect();
        let mut cands: Vec<(u32, f32)> = hits.into_iter().filter(|(e, _)| active(e)).collect();
        cands.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        cands.truncate(self.model.event.candidates);
        // With a sentence vector, the nearest active events by vector join the candidates: that
        // is how a report in another language, sharing no term, finds its event.
        if let Some(d) = &doc.dense {
            let mut near: Vec<(u32, f32)> = self
                .mem
                .events
                .iter()
                .filter_map(|(id, e)| {
                    e.dense_unit.as_ref().map(|u| (*id, u.iter().zip(d).map(|(a, b)| a * b).sum()))
                })
                .collect();
            near.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            let mut taken = 0;
            for (id, cos) in near {
                if !active(&id) {
                    closed.push(id);
                    continue;
                }
                if taken == self.model.event.dense_candidates {
                    break;
                }
                taken += 1;
                if !cands.iter().any(|c| c.0 == id) {
                    cands.push((id, cos));
                }
            }
        }
        closed.sort_unstable();
        closed.dedup();
        let mut scored: Vec<Scored> = cands
            .iter()
            .map(|(e, _)| {
                let f = self.features(&self.mem.events[e], &vectors, doc, &days);
                let (probability, scorer) = self.score(&f);
                Scored { event: *e, probability, features: f, scorer }
            })
            .collect();
        scored.sort_by(|a, b| b.probability.total_cmp(&a.probability).then(a.event.cmp(&b.event)));
        let candidates = scored.len();
        if let Some(c) = self.translation_of(doc, &scored, is_translation) {
            // A translated copy joins its original's event unscored, like any copy, and does not
            // feed the event's vectors.
            let event = c.event;
            let ev = self.mem.events.get_mut(&event).expect("a candidate exists");
            ev.add_time(doc.time, seen);
            let story = ev.story;
            self.mem.dedup.insert(&doc.key, a.exact, a.signature.clone(), event, seen);
            let mut it = scored.into_iter();
            return Assignment {
                event,
                story,
                new_event: false,
                new_story: false,
                best: it.next(),
                runner_up: it.next(),
                copy_of: Some(c),
                story_link: None,
                story_candidates: Vec::new(),
                candidates,
                ranked: Vec::new(),
                closed,
            };
        }
        let model_choice =
            scored.first().filter(|b| b.probability >= self.threshold(b.scorer)).map(|b| b.event);
        let join = guide.event(doc, &scored, model_choice).filter(|e| active(e));
        let near_events: Vec<(u32, f32)> =
            scored.iter().map(|s| (self.mem.events[&s.event].story, s.probability)).collect();
        let ranked: Vec<(u32, f32)> =
            scored.iter().take(MAX_STORY_EXPLAINED + 2).map(|s| (s.event, s.probability)).collect();
        let mut it = scored.into_iter();
        let (best, runner_up) = (it.next(), it.next());
        let (event, new_event, story, new_story, story_candidates) = match join {
            Some(e) => (e, false, self.mem.events[&e].story, false, Vec::new()),
            None => {
                // How near the article came to each story's events: evidence for the story.
                let mut near: Vec<(u32, f32)> = Vec::new();
                for (st, p) in near_events {
                    match near.iter_mut().find(|(x, _)| *x == st) {
                        Some((_, q)) => *q = q.max(p),
                        None => near.push((st, p)),
                    }
                }
                let lead = lead_names(&counts);
                let head = crate::story::head_vector(a, &self.df);
                let (story, new_story, cands) = self.link_story(
                    doc,
                    &vectors,
                    &lead,
                    &head,
                    seen,
                    since_story(&self.model, seen),
                    &near,
                    guide,
                );
                let e = self.mem.next_event;
                self.mem.next_event += 1;
                self.mem.events.insert(e, Event::new(story, seen));
                let st = self.mem.stories.get_mut(&story).expect("linked");
                st.events += 1;
                st.add_event(&vectors, &head, doc.dense.as_deref());
                (e, true, story, new_story, cands)
            }
        };
        let ev = self.mem.events.get_mut(&event).expect("exists");
        ev.add_time(doc.time, seen);
        self.absorb(
            doc,
            event,
            story,
            &Content { counts: &counts, vectors: &vectors, days: &days, query: &query },
            seen,
        );
        self.mem.dedup.insert(&doc.key, a.exact, a.signature.clone(), event, seen);
        let story_link = story_candidates.first().map(|s| (s.story, s.probability, s.features));
        Assignment {
            event,
            story,
            new_event,
            new_story,
            best,
            runner_up,
            copy_of: copy,
            story_link,
            story_candidates: story_candidates.into_iter().take(MAX_STORY_EXPLAINED).collect(),
            candidates,
            ranked,
            closed,
        }
    }

    /// Scores the active stories that share names or a sentence vector with the new event
    /// opened by `doc`, and lets `guide` choose one or a new story. Returns the story, whether
    /// it is new, and the stories scored, best first.
    #[allow(clippy::too_many_arguments)]
    fn link_story(
        &mut self,
        doc: &Doc,
        v: &DocVectors,
        lead: &[u64],
        head: &[(u64, f32)],
        seen: i64,
        since: i64,
        near: &[(u32, f32)],
        guide: &mut dyn Guide,
    ) -> (u32, bool, Vec<StoryScored>) {
        let dense = doc.dense.as_deref();
        let active = |s: &Story| s.seen >= since;
        let mut hits: HashMap<u32, f32> = HashMap::new();
        for (h, w) in v.0[2][2].iter().chain(v.0[1][2].iter().take(STORY_QUERY_STEMS)) {
            if let Some(stories) = self.mem.story_postings.get(h) {
                for s in stories {
                    *hits.entry(*s).or_insert(0.0) += w;
                }
            }
        }
        let mut cands: Vec<(u32, f32)> =
            hits.into_iter().filter(|(s, _)| self.mem.stories.get(s).is_some_and(active)).collect();
        cands.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        cands.truncate(self.model.event.candidates);
        // The stories of the events the article was scored against are candidates too.
        for (id, p) in near {
            if !cands.iter().any(|c| c.0 == *id) && self.mem.stories.get(id).is_some_and(active) {
                cands.push((*id, *p));
            }
        }
        // The stories nearest by sentence vector join the candidates, as for events.
        if let Some(d) = dense {
            let mut near: Vec<(u32, f32)> = self
                .mem
                .stories
                .iter()
                .filter(|(_, s)| active(s))
                .filter_map(|(id, s)| {
                    s.dense.as_ref().map(|(_, u)| (*id, u.iter().zip(d).map(|(a, b)| a * b).sum()))
                })
                .collect();
            near.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            for (id, cos) in near.into_iter().take(self.model.event.dense_candidates) {
                if !cands.iter().any(|c| c.0 == id) {
                    cands.push((id, cos));
                }
            }
        }
        let mut scored: Vec<StoryScored> = cands
            .into_iter()
            .map(|(s, _)| {
                let mut f = self.mem.stories[&s].features(
                    v,
                    head,
                    dense,
                    doc.lang.as_deref(),
                    doc.time,
                    self.model.story.time_sigma_days,
                    self.model.event.dense_cross_floor,
                );
                f.0[crate::story::EVENT_PROBABILITY] =
                    near.iter().find(|(x, _)| *x == s).map_or(0.0, |(_, p)| *p);
                f.0[crate::story::LEAD_NAMES] = self.mem.stories[&s].lead_names_shared(lead);
                let (probability, threshold) = self.story_score(&f);
                StoryScored { story: s, probability, threshold, features: f }
            })
            .collect();
        scored.sort_by(|a, b| b.probability.total_cmp(&a.probability).then(a.story.cmp(&b.story)));
        let model_choice = scored.first().filter(|b| b.probability >= b.threshold).map(|b| b.story);
        let chosen = guide
            .story(doc, &scored, model_choice)
            .filter(|s| self.mem.stories.get(s).is_some_and(active));
        match chosen {
            Some(s) => (s, false, scored),
            None => {
                let s = self.mem.next_story;
                self.mem.next_story += 1;
                self.mem.stories.insert(s, Story::new(seen));
                (s, true, scored)
            }
        }
    }

    /// The story probability of `f` and the threshold that applies: the dense story scorer's
    /// when the dense similarity is known and one is trained, else the lexical one's.
    fn story_score(&self, f: &StoryFeatures) -> (f32, f32) {
        let dot = |w: &StoryFeatures| f.0.iter().zip(w.0.iter()).map(|(a, b)| a * b).sum::<f32>();
        match (&self.story_dense_weights, &self.model.story.dense_scorer) {
            (Some(w), Some(s)) if f.has_dense() => (sigmoid(s.bias + dot(w)), s.threshold),
            _ => (
                sigmoid(self.model.story.scorer.bias + dot(&self.story_weights)),
                self.model.story.scorer.threshold,
            ),
        }
    }

    /// Adds a non-copy article's content to its event and story and to their indexes.
    fn absorb(&mut self, doc: &Doc, event: u32, story: u32, c: &Content<'_>, seen: i64) {
        let max_terms = self.model.event.max_centroid_terms;
        let ev = self.mem.events.get_mut(&event).expect("the event exists");
        ev.add_content(doc, c.counts, c.days, &self.df, max_terms);
        if let (Some(d), Some(lang)) = (&doc.dense, &doc.lang) {
            if ev.members.len() < MAX_MEMBERS {
                let dense =
                    d.iter().map(|x| (x * 127.0).round().clamp(-127.0, 127.0) as i8).collect();
                let m = Member { key: doc.key.clone(), lang: lang.clone(), dense };
                ev.members.push(m);
            }
        }
        for (h, _) in c.query {
            if ev.indexed.len() < MAX_INDEXED && ev.indexed.insert(*h, ()).is_none() {
                self.mem.postings.entry(*h).or_default().push(event);
            }
        }
        let st = self.mem.stories.get_mut(&story).expect("the story exists");
        st.add(
            c.counts,
            doc.dense.as_deref(),
            doc.lang.as_deref(),
            doc.time,
            seen,
            &self.df,
            max_terms,
        );
        for (h, _) in c.vectors.0[2][2].iter().take(MAX_INDEXED) {
            let list = self.mem.story_postings.entry(*h).or_default();
            if list.last() != Some(&story) && !list.contains(&story) {
                list.push(story);
            }
        }
    }

    /// Brings back an article already assigned in an earlier run (after a restart), without
    /// scoring it or counting it in the document frequencies again.
    pub fn restore(&mut self, doc: &Doc, event: u32, story: u32, copy: bool) {
        self.advance_clock(doc.time);
        let seen = self.seen(doc);
        let a = &doc.analysis;
        self.mem.dedup.insert(&doc.key, a.exact, a.signature.clone(), event, seen);
        let opened = !self.mem.events.contains_key(&event);
        let ev = self.mem.events.entry(event).or_insert_with(|| Event::new(story, seen));
        ev.add_time(doc.time, seen);
        if copy {
            return;
        }
        let counts = self.counts(a);
        let vectors = self.vectors(&counts);
        let days = stated_days(a);
        let query = self.query(&vectors);
        let st = self.mem.stories.entry(story).or_insert_with(|| Story::new(seen));
        if opened {
            st.events += 1;
            st.add_event(&vectors, &crate::story::head_vector(a, &self.df), doc.dense.as_deref());
        }
        self.absorb(
            doc,
            event,
            story,
            &Content { counts: &counts, vectors: &vectors, days: &days, query: &query },
            seen,
        );
        self.mem.next_event = self.mem.next_event.max(event + 1);
        self.mem.next_story = self.mem.next_story.max(story + 1);
    }

    /// Retires events, stories and copy-index entries older than their windows. (Iteration
    /// order does not matter here: only removals.)
    #[allow(clippy::iter_over_hash_type, reason = "removals only; order cannot change the result")]
    pub fn retire(&mut self) {
        let Some(now) = self.mem.now else { return };
        let day = 86_400.0;
        let before = now - (f64::from(self.model.event.window_days) * day) as i64;
        let old: Vec<u32> =
            self.mem.events.iter().filter(|(_, e)| e.seen < before).map(|(id, _)| *id).collect();
        for id in old {
            if let Some(e) = self.mem.events.remove(&id) {
                for h in e.indexed.into_keys() {
                    if let Some(list) = self.mem.postings.get_mut(&h) {
                        list.retain(|x| *x != id);
                        if list.is_empty() {
                            self.mem.postings.remove(&h);
                        }
                    }
                }
            }
        }
        self.mem.dedup.retire(before);
        let story_before = now - (f64::from(self.model.story.window_days) * day) as i64;
        let old: Vec<u32> = self
            .mem
            .stories
            .iter()
            .filter(|(_, s)| s.seen < story_before)
            .map(|(id, _)| *id)
            .collect();
        if !old.is_empty() {
            for id in &old {
                self.mem.stories.remove(id);
            }
            self.mem.story_postings.retain(|_, list| {
                list.retain(|s| !old.contains(s));
                !list.is_empty()
            });
        }
    }
}

/// Names an article mentions most (at most [`LEAD_NAMES`], most frequent first, ties by hash):
/// its main actors and places.
fn lead_names(counts: &DocCounts) -> Vec<u64> {
    let mut names = counts.all(2).0;
    names.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    names.into_iter().take(LEAD_NAMES).map(|(h, _)| h).collect()
}

/// How many of an article's most frequent names count as its main actors.
const LEAD_NAMES: usize = 3;

/// The earliest stream time a story must have moved at to be open to an article seen at `seen`.
fn since_story(model: &Model, seen: i64) -> i64 {
    seen - (f64::from(model.story.window_days) * 86_400.0) as i64
}

/// The days an analysis states to the day (as day numbers), sorted and distinct. Months and
/// years alone are left out: in news they mostly date the background ("im April 2019"), while
/// the event's own days are written out.
fn stated_days(a: &Analysis) -> Vec<i32> {
    let mut m: Vec<i32> = a.stated.iter().filter_map(|d| d.day_number()).collect();
    m.sort_unstable();
    m.dedup();
    m
}

#[cfg(test)]
mod tests {
    use super::*;
    use storyline_text::Analyzer;

    const DAY: i64 = 86_400;

    /// One of two visits of the same leaders, told in the same words and with the same sentence
    /// vector: only time can keep them apart.
    fn visit(analyzer: &Analyzer, key: &str, time: Option<i64>, not_before: Option<i64>) -> Doc {
        let told = match key {
            "a" => "Die Gespräche dauerten mehrere Stunden.",
            "b" => "Am Abend gab es ein Bankett zu Ehren des Gastes.",
            "c" => "Ein Vertrag über gegenseitigen Beistand wurde unterzeichnet.",
            "d" => "Beobachter in Seoul und Washington zeigten sich besorgt.",
            _ => "Zum Abschluss wurden Geschenke ausgetauscht.",
        };
        let body = format!(
            "Kremlchef Putin und Machthaber Kim Jong Un sprachen über Waffen, Satelliten und den \
             Krieg in der Ukraine. Beide lobten die Freundschaft ihrer Länder. {told}"
        );
        let mut d =
            Doc::from_parts(analyzer, key, "Putin und Kim treffen sich", &body, Some("de"), time);
        d.not_before = not_before;
        d.dense = Some(vec![0.6, 0.8, 0.0]);
        d
    }

    #[test]
    fn a_translation_is_a_copy_only_when_the_caller_confirms_it() {
        let analyzer = Analyzer::builtin().unwrap();
        let model = Model::builtin().unwrap();
        let t = 1_694_476_800;
        // In English, sharing no words with the German reports: only the vector links them.
        let english = |key: &str, time: i64| {
            let body = match key {
                "e1" => "Putin and Kim talked about weapons and satellites for hours.",
                _ => "Observers in Seoul and Washington voiced concern about the summit.",
            };
            let mut d =
                Doc::from_parts(&analyzer, key, "Putin meets Kim", body, Some("en"), Some(time));
            d.dense = Some(vec![0.6, 0.8, 0.0]);
            d
        };
        let mut c = Clusterer::new(model);
        let original = c.add(&visit(&analyzer, "a", Some(t), None));
        // Asked about "a" (the only article in another language), and told it does not match.
        let mut asked = Vec::new();
        let no = c.add_checked(&english("e1", t + 60), &mut |k| {
            asked.push(k.to_string());
            Some(0.5)
        });
        assert_eq!(asked, ["a"]);
        assert!(no.copy_of.is_none() && no.event == original.event);
        // Confirmed: a translated copy of "a", in its event. A German article is never asked
        // about "a" (same language), and only "e1", not yet a copy, is in another language.
        let yes = c.add_checked(&english("e2", t + 120), &mut |_| Some(0.8));
        let copy = yes.copy_of.expect("a copy");
        assert_eq!((copy.kind, copy.original.as_str()), (CopyKind::Translation, "a"));
        assert_eq!(yes.event, original.event);
        let mut german = Doc::from_parts(
            &analyzer,
            "g",
            "Kim bei Putin",
            "Der Machthaber lobte die Gastfreundschaft des Kremlchefs ausdrücklich.",
            Some("de"),
            Some(t + 180),
        );
        german.dense = Some(vec![0.6, 0.8, 0.0]);
        let mut asked = Vec::new();
        c.add_checked(&german, &mut |k| {
            asked.push(k.to_string());
            None
        });
        assert_eq!(asked, ["e1"]);
    }

    /// A report sharing no words with the German flood report of
    /// `across_languages_only_a_vector_cosine_above_the_floor_joins_an_event`, in
    /// `lang`, with a unit vector at cosine `cos` to that report's.
    fn flood_report(analyzer: &Analyzer, key: &str, lang: &str, cos: f32, t: i64) -> Doc {
        let (title, body) = match lang {
            "en" => {
                ("Rivers burst their banks", "Water stood knee-high in many streets overnight.")
            }
            _ => ("Pegel steigen weiter", "Helfer schichteten bis zum Morgen Sandsäcke auf."),
        };
        let mut d = Doc::from_parts(analyzer, key, title, body, Some(lang), Some(t));
        d.dense = Some(vec![cos, (1.0 - cos * cos).sqrt(), 0.0]);
        d
    }

    #[test]
    fn across_languages_only_a_vector_cosine_above_the_floor_joins_an_event() {
        let analyzer = Analyzer::builtin().unwrap();
        let model = Model::builtin().unwrap();
        assert!(
            model.event.dense_scorer.is_some(),
            "the shipped model weighs vectors across languages"
        );
        let t = 1_694_476_800;
        let first = || {
            let mut d = Doc::from_parts(
                &analyzer,
                "de",
                "Hochwasser in der Altstadt",
                "Der Fluss trat am Abend über die Ufer; Keller liefen voll.",
                Some("de"),
                Some(t),
            );
            d.dense = Some(vec![1.0, 0.0, 0.0]);
            d
        };
        // In English, near in vector: the same event; below the floor, or without vectors, not.
        for (cos, vectors, joins) in [(0.9, true, true), (0.4, true, false), (0.9, false, false)] {
            let mut c = Clusterer::new(model.clone());
            let a = c.add(&first());
            let mut en = flood_report(&analyzer, "en", "en", cos, t + 3_600);
            if !vectors {
                en.dense = None;
            }
            let b = c.add(&en);
            assert_eq!(a.event == b.event, joins, "cosine {cos}, vectors {vectors}");
        }
        // In the same language the words decide: as near in vector, and no word shared, apart.
        let mut c = Clusterer::new(model);
        let a = c.add(&first());
        let b = c.add(&flood_report(&analyzer, "de2", "de", 0.9, t + 3_600));
        assert_ne!(a.event, b.event);
    }

    #[test]
    fn an_event_a_window_old_is_no_candidate_even_before_it_is_retired() {
        let analyzer = Analyzer::builtin().unwrap();
        let model = Model::builtin().unwrap();
        let sept_2023 = 1_694_476_800; // 2023-09-12
        let mut c = Clusterer::new(model.clone());
        let first = c.add(&visit(&analyzer, "a", Some(sept_2023), None));
        let next_day = c.add(&visit(&analyzer, "b", Some(sept_2023 + DAY), None));
        assert_eq!(next_day.event, first.event, "the same words a day later: one event");
        // Nine months later, long before 256 articles have passed to retire the first event.
        let june_2024 = c.add(&visit(&analyzer, "c", Some(sept_2023 + 280 * DAY), None));
        assert_ne!(june_2024.event, first.event);
        assert!(june_2024.new_event);

        // Undated, with a text that dates it to 2024 or later: apart too. Undated without such
        // a bound: the event is open to it.
        let mut c = Clusterer::new(model);
        let first = c.add(&visit(&analyzer, "a", Some(sept_2023), None));
        let bounded = c.add(&visit(&analyzer, "d", None, Some(1_704_067_200))); // 2024-01-01
        assert!(bounded.new_event && bounded.event != first.event);
        let open = c.add(&visit(&analyzer, "e", None, None));
        assert_eq!(open.event, first.event);
    }
}

#[cfg(test)]
mod attractor_tests {
    use super::*;
    use storyline_text::Analyzer;

    /// A pseudo-word of its own for article `i`, word `k`: no two reports share it.
    fn word(i: usize, k: usize) -> String {
        let h = xxhash_rust::xxh3::xxh3_64(format!("{i}/{k}").as_bytes());
        let syllables =
            ["ka", "lo", "mi", "tru", "sen", "vo", "pel", "ra", "dun", "ze", "bor", "qui"];
        (0..4).map(|j| syllables[((h >> (j * 8)) % 12) as usize]).collect()
    }

    /// Unrelated reports in common newsroom words, each about its own named actors and places,
    /// with sentence vectors that share a common direction, as real ones do (every news text
    /// resembles every other a little): a running average of many of them drifts toward that
    /// direction and comes to resemble every new report.
    fn report(analyzer: &Analyzer, i: usize) -> Doc {
        let name = |k: usize| {
            let w = word(i, k);
            let mut c = w.chars();
            c.next().map(|f| f.to_uppercase().chain(c).collect::<String>()).unwrap_or_default()
        };
        let title = format!("{} kündigt in {} neue {} an", name(0), name(1), word(i, 2));
        let body = format!(
            "Die Regierung von {a} hat am Montag in {b} weitere {c} beschlossen. Nach Angaben \
             von {d} sollen die {c} bereits im kommenden Monat beginnen. Kritiker in {b} \
             sprachen von einer {e}. {a} wies das zurück und verwies auf die {f} des Landes. \
             Beobachter erwarten, dass {d} die {g} erneut prüfen wird.",
            a = name(0),
            b = name(1),
            c = word(i, 2),
            d = name(3),
            e = word(i, 4),
            f = word(i, 5),
            g = word(i, 6),
        );
        let mut d = Doc::from_parts(analyzer, &format!("r{i}"), &title, &body, Some("de"), None);
        let mut v = vec![0.0f32; 64];
        v[0] = 0.75;
        for (j, x) in v.iter_mut().enumerate().skip(1) {
            let h = xxhash_rust::xxh3::xxh3_64(format!("v{i}/{j}").as_bytes());
            *x = ((h % 2001) as f32 / 1000.0 - 1.0) * 0.2;
        }
        let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        d.dense = Some(v.iter().map(|x| x / n).collect());
        d
    }

    #[test]
    fn unrelated_reports_never_gather_into_one_story() {
        let analyzer = Analyzer::builtin().unwrap();
        for with_vectors in [false, true] {
            let mut c = Clusterer::new(Model::builtin().unwrap());
            let mut sizes: HashMap<u32, usize> = HashMap::new();
            let n = 300;
            for i in 0..n {
                let mut d = report(&analyzer, i);
                if !with_vectors {
                    d.dense = None;
                }
                *sizes.entry(c.add(&d).story).or_insert(0) += 1;
            }
            let largest = sizes.values().copied().max().unwrap_or(0);
            // A few per cent at most: 9 of 300.
            assert!(
                largest * 100 <= 3 * n,
                "with vectors {with_vectors}: a story holds {largest} of {n} unrelated reports"
            );
        }
    }
}

#[cfg(test)]
mod state_tests {
    use super::*;
    use storyline_text::Analyzer;

    #[test]
    fn a_stored_state_continues_exactly_as_the_clusterer_it_came_from() {
        let analyzer = Analyzer::builtin().unwrap();
        let model = Model::builtin().unwrap();
        let doc = |i: usize| {
            let topic = i % 3;
            let body = format!(
                "Thema {topic}: Die Regierung in Stadt{topic} beschloss Maßnahme{topic}. \
                 Bericht {i} nennt Zahl{i} und Ort{i}. Kritik kam von Partei{topic}."
            );
            let mut d = Doc::from_parts(
                &analyzer,
                &format!("d{i}"),
                &format!("Stadt{topic} beschließt Maßnahme{topic}"),
                &body,
                Some("de"),
                Some(1_700_000_000 + i as i64 * 3_600),
            );
            d.dense = Some(vec![topic as f32, 1.0, (i % 2) as f32]);
            d
        };
        let mut once = Clusterer::new(model.clone());
        let mut first = Clusterer::new(model.clone());
        for i in 0..20 {
            once.add(&doc(i));
            first.add(&doc(i));
        }
        let bytes = first.state().unwrap();
        let mut df = first.df().clone();
        df.take_changes();
        let mut again = Clusterer::from_state(model, df, &bytes).unwrap();
        for i in 20..40 {
            let (a, b) = (once.add(&doc(i)), again.add(&doc(i)));
            assert_eq!((a.event, a.story, a.new_event), (b.event, b.story, b.new_event), "doc {i}");
            assert_eq!(a.best.map(|s| s.probability), b.best.map(|s| s.probability));
        }
        assert!(
            Clusterer::from_state(Model::builtin().unwrap(), DocFreq::new(), b"\x07junk").is_err()
        );
    }
}

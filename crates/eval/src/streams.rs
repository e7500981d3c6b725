//! Labelled streams (`{id, date, lang, title, text, cluster, story}`, the layout of Miranda et al.
//! 2018) run the way users run Storyline: ingested into a fresh data directory by the same
//! [`Engine::ingest`] as `storyline ingest`, clustered by the same [`Engine::cluster`] (one stream,
//! every language, copies, stored dates, the installed sentence encoder), and the stored events
//! and stories scored against the gold labels.
//!
//! Training ([`train`]) replays the same streams through the same clusterer with a [`Guide`] that
//! follows the gold labels: at each decision it records what the model saw (the candidate events
//! and stories with their features, and which one was right), then the scorers are fitted to those
//! decisions and their thresholds chosen by running the clusterer as the product runs it.
//! Cross-validation ([`cross_validate`]) splits every stream by gold story, so that no story is
//! in both the training and the test part.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use serde_json::{json, Value};
use storyline_cluster::train::{fit, FitOptions, Sample};
use storyline_cluster::{
    Assignment, Clusterer, Doc, Guide, Model, Scored, StoryScored, FEATURES, STORY_FEATURES,
};
use storyline_embed::Embedder;
use storyline_engine::{Engine, IngestOptions, Input, StreamDoc};

use crate::metrics::{bcubed, pairwise, r4};

/// The gold labels of one article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    /// Gold event.
    pub event: String,
    /// Gold story (the event when the stream gives none).
    pub story: String,
}

/// Reads the gold labels of a labelled stream, by id.
pub fn read_gold(path: &Path) -> Result<HashMap<String, Label>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let field = |v: &Value| match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    let mut gold = HashMap::new();
    for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let at = || format!("{}:{}", path.display(), i + 1);
        let v: Value = serde_json::from_str(line).map_err(|e| format!("{}: {e}", at()))?;
        let id = field(&v["id"]).ok_or_else(|| format!("{}: no id", at()))?;
        let event = field(&v["cluster"]).ok_or_else(|| format!("{}: no cluster", at()))?;
        let story = field(&v["story"]).unwrap_or_else(|| format!("event:{event}"));
        gold.insert(id, Label { event, story });
    }
    Ok(gold)
}

/// A labelled stream ingested into its own temporary data directory, as `storyline ingest
/// --no-cluster` would store it.
pub struct Ingested {
    /// The file.
    pub path: PathBuf,
    /// Its gold labels by id.
    pub gold: HashMap<String, Label>,
    /// The engine over the data directory.
    pub engine: Engine,
    _dir: tempfile::TempDir,
}

impl Ingested {
    /// Ingests `path` (reading, normalisation, storing: the product's code).
    pub fn new(path: &Path) -> Result<Ingested, String> {
        let gold = read_gold(path)?;
        let (engine, dir) = ingest_fresh(path)?;
        Ok(Ingested { path: path.to_path_buf(), gold, engine, _dir: dir })
    }

    /// Clusters the stored stream with `model` from scratch, as `storyline ingest` does, and
    /// returns each clustered article that has a gold label: `(source id, event, story, lang)`.
    pub fn cluster(
        &mut self,
        model: &Model,
        embedder: Option<&Embedder>,
    ) -> Result<Vec<Predicted>, String> {
        self.engine.clear_clusters().map_err(|e| e.to_string())?;
        self.engine.cluster(model, embedder, &mut |_| {}).map_err(|e| e.to_string())?;
        let rows = self.engine.store().clustered_from(0).map_err(|e| e.to_string())?;
        Ok(rows
            .into_iter()
            .filter_map(|((_, a, _), s)| {
                let id = a.source.external_id.clone()?;
                self.gold.contains_key(&id).then(|| Predicted {
                    id,
                    event: s.event,
                    story: s.story,
                    lang: a.lang.clone().unwrap_or_else(|| "und".into()),
                })
            })
            .collect())
    }

    /// The stream's docs as the engine takes them, with their gold labels.
    pub fn docs(
        &self,
        model: &Model,
        embedder: Option<&Embedder>,
    ) -> Result<Vec<(StreamDoc, Label)>, String> {
        let docs = self.engine.stream_docs(model, embedder).map_err(|e| e.to_string())?;
        Ok(docs
            .into_iter()
            .filter_map(|d| {
                let l = self.gold.get(&d.source_id)?.clone();
                Some((d, l))
            })
            .collect())
    }
}

/// Ingests `path` into a fresh temporary data directory by [`Engine::ingest`], as `storyline
/// ingest --no-cluster` stores it. The directory lives as long as the returned guard.
pub fn ingest_fresh(path: &Path) -> Result<(Engine, tempfile::TempDir), String> {
    let dir = tempfile::tempdir().map_err(|e| format!("temporary directory: {e}"))?;
    let mut engine = Engine::open(dir.path()).map_err(|e| e.to_string())?;
    let input = Input::from_arg(&path.to_string_lossy());
    engine
        .ingest(&[input], &IngestOptions::default(), &mut |_| {})
        .map_err(|e| format!("{}: {e}", path.display()))?;
    Ok((engine, dir))
}

/// What the engine decided for one labelled article.
#[derive(Debug, Clone)]
pub struct Predicted {
    /// Its id in the stream.
    pub id: String,
    /// Predicted event.
    pub event: u32,
    /// Predicted story.
    pub story: u32,
    /// Its detected language.
    pub lang: String,
}

fn grouping(gold: &[&str], pred: &[u32]) -> Value {
    let p = pairwise(gold, pred);
    let b = bcubed(gold, pred);
    json!({
        "precision": r4(p.precision), "recall": r4(p.recall), "f1": r4(p.f1),
        "bcubed_precision": r4(b.precision), "bcubed_recall": r4(b.recall), "bcubed_f1": r4(b.f1),
        "gold_clusters": gold.iter().collect::<HashSet<_>>().len(),
        "predicted_clusters": pred.iter().collect::<HashSet<_>>().len(),
    })
}

/// The `n` largest predicted groups, each with its size, how many gold groups it mixes and the
/// largest of them: an attractor shows at once.
fn largest(gold: &[&str], pred: &[u32], n: usize) -> Value {
    let mut groups: BTreeMap<u32, BTreeMap<&str, usize>> = BTreeMap::new();
    for (g, p) in gold.iter().zip(pred) {
        *groups.entry(*p).or_default().entry(g).or_insert(0) += 1;
    }
    type Group<'a> = (u32, usize, Vec<(&'a str, usize)>);
    let mut v: Vec<Group> = groups
        .into_iter()
        .map(|(p, m)| {
            let size = m.values().sum();
            let mut parts: Vec<(&str, usize)> = m.into_iter().collect();
            parts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
            (p, size, parts)
        })
        .collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    v.truncate(n);
    v.into_iter()
        .map(|(p, size, parts)| {
            json!({"id": p, "articles": size, "gold_groups": parts.len(),
                   "largest_gold": parts.iter().take(5).map(|(g, c)| json!([g, c])).collect::<Vec<_>>()})
        })
        .collect()
}

/// Gold events in more than one language, and how many of them the engine found: some predicted
/// event holds articles of that gold event in two or more languages.
fn cross_lingual(rows: &[(&Label, &Predicted)]) -> Value {
    let mut gold_langs: HashMap<&str, HashSet<&str>> = HashMap::new();
    let mut found_langs: HashMap<(&str, u32), HashSet<&str>> = HashMap::new();
    for (l, p) in rows {
        gold_langs.entry(&l.event).or_default().insert(&p.lang);
        found_langs.entry((&l.event, p.event)).or_default().insert(&p.lang);
    }
    let mixed: HashSet<&str> =
        gold_langs.iter().filter(|(_, l)| l.len() > 1).map(|(e, _)| *e).collect();
    let found: HashSet<&str> = found_langs
        .iter()
        .filter(|((e, _), l)| mixed.contains(e) && l.len() > 1)
        .map(|((e, _), _)| *e)
        .collect();
    json!({"gold": mixed.len(), "found": found.len()})
}

/// Scores the engine's decisions for a stream against its gold labels.
pub fn score(gold: &HashMap<String, Label>, predicted: &[Predicted]) -> Value {
    let rows: Vec<(&Label, &Predicted)> =
        predicted.iter().filter_map(|p| gold.get(&p.id).map(|l| (l, p))).collect();
    let ge: Vec<&str> = rows.iter().map(|(l, _)| l.event.as_str()).collect();
    let gs: Vec<&str> = rows.iter().map(|(l, _)| l.story.as_str()).collect();
    let pe: Vec<u32> = rows.iter().map(|(_, p)| p.event).collect();
    let ps: Vec<u32> = rows.iter().map(|(_, p)| p.story).collect();
    let mut events = grouping(&ge, &pe);
    events["cross_lingual_events"] = cross_lingual(&rows);
    events["largest"] = largest(&ge, &pe, 5);
    let mut stories = grouping(&gs, &ps);
    stories["largest"] = largest(&gs, &ps, 5);
    json!({"articles": rows.len(), "events": events, "stories": stories})
}

/// `storyline eval clusters`: the stream ingested and clustered by the product's code, scored.
pub fn evaluate(path: &Path, model: &Model, embedder: Option<&Embedder>) -> Result<Value, String> {
    let mut s = Ingested::new(path)?;
    let predicted = s.cluster(model, embedder)?;
    let mut v = score(&s.gold, &predicted);
    v["labelled"] = json!(s.gold.len());
    v["embeddings"] = json!(embedder.is_some());
    Ok(v)
}

/// The fold (of `k`) a gold story falls in.
pub fn fold_of(story: &str, k: usize) -> usize {
    (xxhash_rust::xxh3::xxh3_64(story.as_bytes()) % k.max(1) as u64) as usize
}

/// Records, at each decision of a replayed stream, what the model saw and what was right, and
/// steers the clusterer to the right choice (teacher forcing), so that the next decisions are
/// made on the state a correct engine would have.
#[derive(Default)]
struct Teacher<'a> {
    labels: HashMap<&'a str, &'a Label>,
    event_gold: HashMap<u32, &'a str>,
    story_gold: HashMap<u32, &'a str>,
    event_id: HashMap<&'a str, u32>,
    story_id: HashMap<&'a str, u32>,
    events: Vec<Sample>,
    stories: Vec<Sample>,
    /// Decisions whose right event (story) existed, and of those, how many did not have it
    /// among the candidates scored: what retrieval missed.
    missed: [(u64, u64); 2],
}

impl<'a> Teacher<'a> {
    fn label(&self, doc: &Doc) -> Option<&'a Label> {
        self.labels.get(doc.key.as_str()).copied()
    }

    fn learn(&mut self, doc: &Doc, a: &Assignment) {
        let Some(l) = self.label(doc) else { return };
        if a.new_event {
            self.event_gold.insert(a.event, &l.event);
            self.event_id.insert(&l.event, a.event);
        }
        if a.new_story {
            self.story_gold.insert(a.story, &l.story);
            self.story_id.insert(&l.story, a.story);
        }
    }
}

impl Guide for Teacher<'_> {
    fn event(&mut self, doc: &Doc, scored: &[Scored], _: Option<u32>) -> Option<u32> {
        let l = self.label(doc)?;
        for s in scored {
            let right = self.event_gold.get(&s.event) == Some(&l.event.as_str());
            self.events
                .push(Sample { x: s.features.0.to_vec(), target: f32::from(u8::from(right)) });
        }
        let right = self.event_id.get(l.event.as_str()).copied();
        if let Some(r) = right {
            self.missed[0].0 += 1;
            self.missed[0].1 += u64::from(!scored.iter().any(|s| s.event == r));
        }
        right
    }

    fn story(&mut self, doc: &Doc, scored: &[StoryScored], _: Option<u32>) -> Option<u32> {
        let l = self.label(doc)?;
        for s in scored {
            let right = self.story_gold.get(&s.story) == Some(&l.story.as_str());
            self.stories
                .push(Sample { x: s.features.0.to_vec(), target: f32::from(u8::from(right)) });
        }
        let right = self.story_id.get(l.story.as_str()).copied();
        if let Some(r) = right {
            self.missed[1].0 += 1;
            self.missed[1].1 += u64::from(!scored.iter().any(|s| s.story == r));
        }
        right
    }
}

/// A stream's docs for training, in engine order, with their labels.
pub type Labelled = Vec<(Doc, Label)>;

/// Replays `stream` under the teacher; returns the event and story decisions recorded.
fn replay(model: &Model, stream: &Labelled) -> (Vec<Sample>, Vec<Sample>) {
    let mut t = Teacher {
        labels: stream.iter().map(|(d, l)| (d.key.as_str(), l)).collect(),
        ..Teacher::default()
    };
    let mut c = Clusterer::new(model.clone());
    for (d, _) in stream {
        let a = c.add_guided(d, &mut |_| None, &mut t);
        t.learn(d, &a);
    }
    tracing::info!(
        events_with_a_right_candidate = t.missed[0].0,
        right_event_not_retrieved = t.missed[0].1,
        stories_with_a_right_candidate = t.missed[1].0,
        right_story_not_retrieved = t.missed[1].1,
        "teacher replay"
    );
    (t.events, t.stories)
}

/// Runs `stream` through the clusterer as the product does; its pairwise event and story F1.
fn run(model: &Model, stream: &Labelled) -> (f64, f64, u64) {
    let mut c = Clusterer::new(model.clone());
    let (mut pe, mut ps) = (Vec::new(), Vec::new());
    for (d, _) in stream {
        let a = c.add(d);
        pe.push(a.event);
        ps.push(a.story);
    }
    let ge: Vec<&str> = stream.iter().map(|(_, l)| l.event.as_str()).collect();
    let gs: Vec<&str> = stream.iter().map(|(_, l)| l.story.as_str()).collect();
    let gold_event_pairs = {
        let mut n: HashMap<&str, u64> = HashMap::new();
        for g in &ge {
            *n.entry(g).or_insert(0) += 1;
        }
        n.values().map(|c| c * c.saturating_sub(1) / 2).sum()
    };
    (pairwise(&ge, &pe).f1, pairwise(&gs, &ps).f1, gold_event_pairs)
}

/// The figure thresholds are chosen by: the mean, over streams, of story pairwise F1 and, where
/// a stream has at least 20 gold same-event pairs, event pairwise F1.
fn objective(model: &Model, streams: &[Labelled]) -> f64 {
    let runs: Vec<(f64, f64, u64)> = streams.iter().map(|s| run(model, s)).collect();
    objective_of(&runs)
}

/// [`objective`] of the streams' figures from [`run`].
fn objective_of(runs: &[(f64, f64, u64)]) -> f64 {
    let mut figures = Vec::new();
    for &(e, st, pairs) in runs {
        if pairs >= 20 {
            figures.push(e);
        }
        figures.push(st);
    }
    figures.iter().sum::<f64>() / figures.len().max(1) as f64
}

/// Event features a scorer without sentence vectors leaves at 0.
const DENSE_EVENT: [&str; 3] = ["dense", "dense_missing", "dense_cross"];
/// Story features a scorer without sentence vectors leaves at 0.
const DENSE_STORY: [&str; 5] =
    ["dense", "dense_missing", "event_dense_max", "event_dense_cross", "event_dense_dated"];

fn strip_dense(stream: &Labelled) -> Labelled {
    stream
        .iter()
        .map(|(d, l)| {
            let mut d = d.clone();
            d.dense = None;
            (d, l.clone())
        })
        .collect()
}

/// Weights of the cross-language vector features (`dense_cross`, `event_dense_cross`) tried in
/// the scorers with vectors.
const CROSS_WEIGHTS: [f32; 9] = [0.0, 1.0, 2.0, 4.0, 6.0, 8.0, 12.0, 16.0, 24.0];

/// Thresholds tried for the event and story decisions.
const GRID: [f32; 14] =
    [0.03, 0.05, 0.08, 0.12, 0.16, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 0.6, 0.7, 0.8];

/// Fits one mode's scorers on `streams` and picks their free parameters by coordinate search
/// with the product's clusterer: without vectors (`dense` false) logistic scorers fitted to the
/// replayed decisions and their two thresholds; with vectors, the weights of the two
/// cross-language vector features added to the lexical scorers of `start`.
fn fit_mode(start: &Model, streams: &[Labelled], dense: bool) -> (Model, f64) {
    let mut model = start.clone();
    // The scorers with vectors are the lexical ones, thresholds included, plus a weight on
    // `dense_cross` (events) and `event_dense_cross` (stories): within a language the words
    // decide, as without vectors (scorers that also weighed the vectors there fitted the training
    // streams better and lost on held-out stories); across languages the vectors add what the
    // words cannot say.
    let (event, story) = if dense {
        (model.event.scorer.clone(), model.story.scorer.clone())
    } else {
        let (mut ev, mut st) = (Vec::new(), Vec::new());
        for s in streams {
            let (e, t) = replay(&model, s);
            ev.extend(e);
            st.extend(t);
        }
        let opts = FitOptions { l2: 1e-3, iterations: 15_000, learning_rate: 4.0 };
        let zero = |mut l: storyline_cluster::model::Linear, names: &[&str]| {
            for n in names {
                l.weights.insert(n.to_string(), 0.0);
            }
            l
        };
        let names =
            |names: &[&str]| -> Vec<String> { names.iter().map(|s| s.to_string()).collect() };
        let (e, s) = (model.event.scorer.clone(), model.story.scorer.clone());
        (
            fit(&zero(e, &DENSE_EVENT), &FEATURES, &names(&DENSE_EVENT), &ev, &opts),
            fit(&zero(s, &DENSE_STORY), &STORY_FEATURES, &names(&DENSE_STORY), &st, &opts),
        )
    };
    let set = |m: &mut Model,
               e: &storyline_cluster::model::Linear,
               s: &storyline_cluster::model::Linear| {
        if dense {
            m.event.dense_scorer = Some(e.clone());
            m.story.dense_scorer = Some(s.clone());
        } else {
            m.event.scorer = e.clone();
            m.story.scorer = s.clone();
        }
    };
    set(&mut model, &event, &story);
    // Coordinate search with the product's clusterer as the judge: without vectors over the two
    // thresholds; with them over the weights of the two cross-language features, the thresholds
    // kept. The logistic fit cannot set those weights: the features are 0 in all but a few
    // candidates (across languages, above the floor), and the L2 penalty, taken on the mean loss
    // of all candidates, holds such a weight near 0.
    let (ex, sx) = ("dense_cross", "event_dense_cross");
    let (mut et, mut stt) = if dense {
        (model.event.scorer.threshold, model.story.scorer.threshold)
    } else {
        (0.5f32, 0.5f32)
    };
    let (mut we, mut ws) = (0.0f32, 0.0f32);
    let mut best = f64::MIN;
    for round in 0..2 {
        for which in 0..2 {
            let grid: &[f32] = if dense { &CROSS_WEIGHTS } else { &GRID };
            for &t in grid {
                let ((e, s), (a, b)) = match (dense, which) {
                    (false, 0) => ((t, stt), (we, ws)),
                    (false, _) => ((et, t), (we, ws)),
                    (true, 0) => ((et, stt), (t, ws)),
                    (true, _) => ((et, stt), (we, t)),
                };
                let mut m = model.clone();
                let (mut le, mut ls) = (event.clone(), story.clone());
                le.threshold = e;
                ls.threshold = s;
                if dense {
                    le.weights.insert(ex.into(), a);
                    ls.weights.insert(sx.into(), b);
                }
                set(&mut m, &le, &ls);
                let f = objective(&m, streams);
                // Ties keep the earlier choice: the search is deterministic.
                if f > best + 1e-9 {
                    best = f;
                    (et, stt, we, ws) = (e, s, a, b);
                }
            }
        }
        tracing::debug!(round, et, stt, we, ws, best, "coordinate search");
    }
    let (mut le, mut ls) = (event, story);
    le.threshold = et;
    ls.threshold = stt;
    if dense {
        le.weights.insert(ex.into(), we);
        ls.weights.insert(sx.into(), ws);
    }
    set(&mut model, &le, &ls);
    (model, best)
}

/// Fits the event and story scorers to `streams` (each a stream's docs with labels): the
/// lexical scorers on the docs without sentence vectors, and, when the docs carry vectors, the
/// dense scorers on them, kept only where held-out halves of the streams show that they help.
/// Returns the model and, per mode, the objective reached on the training streams (not a result:
/// those streams were fitted) and on the held-out halves.
pub fn fit_streams(start: &Model, streams: &[Labelled]) -> (Model, Value) {
    let lexical: Vec<Labelled> = streams.iter().map(strip_dense).collect();
    let (mut model, lex_fit) = fit_mode(start, &lexical, false);
    // Scorers with vectors carried over from `start` belong to its lexical ones, not to these.
    model.event.dense_scorer = None;
    model.story.dense_scorer = None;
    let has_vectors = streams.iter().flatten().any(|(d, _)| d.dense.is_some());
    let mut report = json!({"lexical_objective_on_training_streams": r4(lex_fit)});
    if has_vectors {
        let (m, dense_fit) = fit_mode(&model, streams, true);
        report["dense_objective_on_training_streams"] = json!(r4(dense_fit));
        // Vectors must help, never hurt. Of the three ways to use them (not in the scorers, in
        // the event scorer only, in both), the one shipped is decided on stories the scorers did
        // not see: each stream is halved by gold story, both modes are fitted on one half and
        // run on the other, both ways round. A way is taken only if, on the held-out halves, it
        // loses no figure to the engine without vector scorers (run with the vectors given, so
        // that candidates found by vector are the same) and raises the objective.
        let held_out = vector_uses_held_out(start, streams);
        let mut chosen = VectorUse::None;
        for u in [VectorUse::Events, VectorUse::Both] {
            let (score, holds) = held_out[u as usize];
            if holds && score > held_out[chosen as usize].0 + 1e-9 {
                chosen = u;
            }
        }
        report["vectors_held_out_objective"] = json!({
            "none": r4(held_out[0].0), "event scorer": r4(held_out[1].0),
            "event and story scorers": r4(held_out[2].0)});
        let model_with = chosen.apply(m);
        report["vectors_used_in"] = json!(chosen.name());
        model = model_with;
    }
    (model, report)
}

/// Where a model uses the sentence vectors in its scorers (they always find candidates).
#[derive(Debug, Clone, Copy, PartialEq)]
enum VectorUse {
    None = 0,
    Events = 1,
    Both = 2,
}

impl VectorUse {
    fn name(self) -> &'static str {
        match self {
            VectorUse::None => "none",
            VectorUse::Events => "event scorer",
            VectorUse::Both => "event and story scorers",
        }
    }

    /// `m` (fitted with dense scorers) with only the dense scorers this use keeps.
    fn apply(self, mut m: Model) -> Model {
        if self != VectorUse::Both {
            m.story.dense_scorer = None;
        }
        if self == VectorUse::None {
            m.event.dense_scorer = None;
        }
        m
    }
}

/// The half (of two) a gold story falls in when a choice is checked on held-out stories; hashed
/// apart from [`fold_of`], so that it cuts across the cross-validation's folds.
fn half_of(story: &str) -> usize {
    (xxhash_rust::xxh3::xxh3_64_with_seed(story.as_bytes(), 0x5eed) % 2) as usize
}

/// For each [`VectorUse`]: the objective on held-out halves of `streams` (the mean of both
/// halves), and whether it loses no figure there to [`VectorUse::None`].
fn vector_uses_held_out(start: &Model, streams: &[Labelled]) -> [(f64, bool); 3] {
    let mut score = [0.0f64; 3];
    let mut holds = [true; 3];
    for half in 0..2 {
        let part = |keep: bool| -> Vec<Labelled> {
            streams
                .iter()
                .map(|s| {
                    s.iter().filter(|(_, l)| (half_of(&l.story) == half) == keep).cloned().collect()
                })
                .collect()
        };
        let (train, test) = (part(false), part(true));
        let lexical: Vec<Labelled> = train.iter().map(strip_dense).collect();
        let (lex, _) = fit_mode(start, &lexical, false);
        let (dense, _) = fit_mode(&lex, &train, true);
        let runs: Vec<Vec<(f64, f64, u64)>> = [VectorUse::None, VectorUse::Events, VectorUse::Both]
            .iter()
            .map(|u| {
                let m = u.apply(dense.clone());
                test.iter().map(|s| run(&m, s)).collect()
            })
            .collect();
        for u in 0..3 {
            score[u] += objective_of(&runs[u]);
            let lost = runs[u]
                .iter()
                .zip(&runs[0])
                .any(|(f, l)| f.1 + 1e-9 < l.1 || (l.2 >= 20 && f.0 + 1e-9 < l.0));
            holds[u] &= !lost;
        }
    }
    [(score[0] / 2.0, holds[0]), (score[1] / 2.0, holds[1]), (score[2] / 2.0, holds[2])]
}

fn labelled(docs: Vec<(StreamDoc, Label)>) -> Labelled {
    docs.into_iter().map(|(d, l)| (d.doc, l)).collect()
}

/// `storyline train --stream FILE...`: fits the model on every labelled article of the streams.
pub fn train(
    paths: &[PathBuf],
    start: &Model,
    embedder: Option<&Embedder>,
) -> Result<(Model, Value), String> {
    let mut streams = Vec::new();
    for p in paths {
        let s = Ingested::new(p)?;
        streams.push(labelled(s.docs(start, embedder)?));
    }
    let (mut model, fitted) = fit_streams(start, &streams);
    let names: Vec<String> = paths
        .iter()
        .map(|p| {
            let parent = p.parent().and_then(|d| d.file_name()).map(|d| d.to_string_lossy());
            format!(
                "{}/{}",
                parent.unwrap_or_default(),
                p.file_name().unwrap_or_default().to_string_lossy()
            )
        })
        .collect();
    model.provenance.trained_on = format!(
        "`storyline train --stream {}`{}: teacher-forced replay of every labelled article through the clusterer (candidate events and stories as the engine sees them, the gold one positive), logistic regression, thresholds by coordinate search over the product's clusterer on the same streams; with vectors, the weights of the two cross-language vector features by the same search, kept only where held-out halves of the streams show they help (`vectors_used_in` in the train report). Cross-validated figures by story folds: docs/BENCHMARKS.md.",
        names.join(" --stream "),
        if embedder.is_some() { " with the USE multilingual v3 model" } else { "" },
    );
    model.provenance.fixed.clear();
    let report = json!({"streams": names, "articles": streams.iter().map(Vec::len).sum::<usize>(), "fit": fitted});
    Ok((model, report))
}

/// Cross-validation by gold story: for each of `k` folds, the model is fitted on every stream's
/// articles outside the fold (sub-streams in their order), then each whole stream is clustered
/// by the product's code with that model, and only the fold's articles are scored. Pairs of a
/// fold's article with an article of a later fold are never gold-together (the split is by
/// story), so a predicted such pair is a false positive of this fold's run (each pair is judged
/// in exactly one run: for a fixed model the figures equal plain pairwise ones); BCubed is
/// averaged over each fold's articles with their whole predicted groups. Every article is scored
/// once, by a model that never saw its story.
pub fn cross_validate(
    paths: &[PathBuf],
    start: &Model,
    embedder: Option<&Embedder>,
    k: usize,
) -> Result<Value, String> {
    let k = k.max(2);
    let mut ingested = Vec::new();
    let mut streams = Vec::new();
    for p in paths {
        let s = Ingested::new(p)?;
        streams.push(labelled(s.docs(start, embedder)?));
        ingested.push(s);
    }
    // Per stream: summed pair counts and BCubed sums, events and stories.
    let mut acc: Vec<[Counts; 2]> = vec![[Counts::default(), Counts::default()]; paths.len()];
    let mut folds = Vec::new();
    for fold in 0..k {
        let train: Vec<Labelled> = streams
            .iter()
            .map(|s| s.iter().filter(|(_, l)| fold_of(&l.story, k) != fold).cloned().collect())
            .collect();
        let (model, _) = fit_streams(start, &train);
        let mut per = Vec::new();
        for (i, s) in ingested.iter_mut().enumerate() {
            let predicted = s.cluster(&model, embedder)?;
            let gold = &s.gold;
            let fold_of_p = |p: &Predicted| fold_of(&gold[&p.id].story, k);
            let e = Counts::of(
                &predicted,
                fold,
                fold_of_p,
                |p| p.event,
                |p| gold[&p.id].event.as_str(),
            );
            let st = Counts::of(
                &predicted,
                fold,
                fold_of_p,
                |p| p.story,
                |p| gold[&p.id].story.as_str(),
            );
            per.push(json!({"events_f1": r4(e.prf().0[2]), "stories_f1": r4(st.prf().0[2])}));
            acc[i][0].add(&e);
            acc[i][1].add(&st);
        }
        folds.push(json!({"fold": fold, "thresholds": {
            "event": model.event.scorer.threshold, "story": model.story.scorer.threshold,
            "event_dense": model.event.dense_scorer.as_ref().map(|s| s.threshold),
            "story_dense": model.story.dense_scorer.as_ref().map(|s| s.threshold)},
            "streams": per}));
    }
    let mut out = serde_json::Map::new();
    for (p, [e, s]) in paths.iter().zip(&acc) {
        out.insert(p.display().to_string(), json!({"events": e.json(), "stories": s.json()}));
    }
    Ok(
        json!({"folds": k, "split": "xxh3(gold story) % folds", "embeddings": embedder.is_some(), "streams": out, "per_fold": folds}),
    )
}

/// Pair counts and BCubed sums over the held-out articles of a fold.
#[derive(Debug, Clone, Copy, Default)]
struct Counts {
    tp: u64,
    predicted: u64,
    gold: u64,
    bcubed_p: f64,
    bcubed_r: f64,
    items: u64,
}

impl Counts {
    /// Counts for the articles of `fold` in `predicted` (`fold_of` gives each article's fold):
    /// predicted pairs of a fold article with one of the same or a later fold, BCubed over the
    /// fold's articles.
    fn of<'a>(
        predicted: &'a [Predicted],
        fold: usize,
        fold_of: impl Fn(&Predicted) -> usize,
        group: impl Fn(&Predicted) -> u32,
        gold: impl Fn(&'a Predicted) -> &'a str,
    ) -> Counts {
        let pairs = |n: u64| n * n.saturating_sub(1) / 2;
        let held = |p: &Predicted| fold_of(p) == fold;
        // Per predicted group: all members, members of this or a later fold, of a later fold.
        let mut all: HashMap<u32, u64> = HashMap::new();
        let mut from: HashMap<u32, (u64, u64)> = HashMap::new();
        let mut cell: HashMap<(u32, &str), u64> = HashMap::new();
        let mut gold_size: HashMap<&str, u64> = HashMap::new();
        for p in predicted {
            *all.entry(group(p)).or_insert(0) += 1;
            let f = fold_of(p);
            let e = from.entry(group(p)).or_insert((0, 0));
            if f >= fold {
                e.0 += 1;
            }
            if f > fold {
                e.1 += 1;
            }
            if held(p) {
                *cell.entry((group(p), gold(p))).or_insert(0) += 1;
                *gold_size.entry(gold(p)).or_insert(0) += 1;
            }
        }
        // Predicted pairs judged in this fold's run: pairs among members of this or a later
        // fold, less those among members of later folds only.
        let mut c = Counts {
            predicted: from.values().map(|(ge, gt)| pairs(*ge) - pairs(*gt)).sum(),
            tp: cell.values().map(|n| pairs(*n)).sum(),
            gold: gold_size.values().map(|n| pairs(*n)).sum(),
            ..Counts::default()
        };
        for p in predicted.iter().filter(|p| held(p)) {
            let both = cell[&(group(p), gold(p))] as f64;
            c.bcubed_p += both / all[&group(p)] as f64;
            c.bcubed_r += both / gold_size[gold(p)] as f64;
            c.items += 1;
        }
        c
    }

    fn add(&mut self, o: &Counts) {
        self.tp += o.tp;
        self.predicted += o.predicted;
        self.gold += o.gold;
        self.bcubed_p += o.bcubed_p;
        self.bcubed_r += o.bcubed_r;
        self.items += o.items;
    }

    /// `([P, R, F1] pairwise, [P, R, F1] BCubed)`.
    fn prf(&self) -> ([f64; 3], [f64; 3]) {
        let p = crate::metrics::Prf::from_counts(self.tp, self.predicted, self.gold);
        let n = self.items.max(1) as f64;
        let b = crate::metrics::Prf::new(self.bcubed_p / n, self.bcubed_r / n);
        ([p.precision, p.recall, p.f1], [b.precision, b.recall, b.f1])
    }

    fn json(&self) -> Value {
        let (p, b) = self.prf();
        json!({"precision": r4(p[0]), "recall": r4(p[1]), "f1": r4(p[2]),
               "bcubed_precision": r4(b[0]), "bcubed_recall": r4(b[1]), "bcubed_f1": r4(b[2]),
               "articles": self.items})
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(id: &str, event: u32) -> Predicted {
        Predicted { id: id.into(), event, story: event, lang: "de".into() }
    }

    #[test]
    fn held_out_counts_charge_pairs_across_the_fold_as_false() {
        // a, b in fold 1 (gold X); c in fold 2 and e in fold 0, predicted with them.
        let predicted = [p("a", 1), p("b", 1), p("c", 1), p("d", 2), p("e", 1)];
        let gold: HashMap<&str, &str> =
            [("a", "X"), ("b", "X"), ("c", "Y"), ("d", "Z"), ("e", "W")].into();
        let fold = |q: &Predicted| match q.id.as_str() {
            "a" | "b" => 1,
            "e" => 0,
            _ => 2,
        };
        let c = Counts::of(&predicted, 1, fold, |q| q.event, |q| gold[q.id.as_str()]);
        // Pairs judged in fold 1's run: ab, ac, bc (ae and be belong to fold 0's); true: ab.
        assert_eq!((c.tp, c.predicted, c.gold), (1, 3, 1));
        // BCubed precision of a and b: 2 of their group of 4.
        assert!((c.bcubed_p / c.items as f64 - 0.5).abs() < 1e-9);
        assert_eq!(c.prf().1[1], 1.0);
    }

    #[test]
    fn folds_split_by_story() {
        let k = 5;
        let f: Vec<usize> = ["s1", "s2", "s3", "s1"].iter().map(|s| fold_of(s, k)).collect();
        assert_eq!(f[0], f[3]);
        assert!(f.iter().all(|x| *x < k));
    }
}

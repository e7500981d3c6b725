//! `storyline cluster`, `events`, `stories` and `explain`: the story engine's commands.

use anyhow::{Context, Result};
use clap::Args;
use serde_json::{json, Value};
use std::io::Write;
use std::path::PathBuf;
use storyline_core::count;
use storyline_engine::views::contract::StoryItem;
use storyline_engine::{ClusterReport, Engine};
use storyline_store::Location;
use storyline_store::{EventSummary, StorySummary};

use crate::commands::{load_model, open};
use crate::output::{clip, write_json};
use crate::Outcome;

/// Arguments of `storyline cluster`.
#[derive(Debug, Args)]
pub struct ClusterArgs {
    /// Forget every earlier decision and cluster all stored articles again (after a model change).
    #[arg(long)]
    rebuild: bool,
    /// A model file written by `storyline train` (default: the built-in one).
    #[arg(long)]
    model: Option<PathBuf>,
    #[command(flatten)]
    embedding: crate::embed::EmbeddingArgs,
    /// Print the report as JSON on stdout.
    #[arg(long)]
    json: bool,
}

/// Arguments of `storyline events`.
#[derive(Debug, Args)]
pub struct EventsArgs {
    /// Only the events of this story.
    #[arg(long)]
    story: Option<u32>,
    /// How many to list.
    #[arg(long, default_value_t = 50)]
    limit: usize,
    /// How many to pass over first.
    #[arg(long, default_value_t = 0)]
    offset: usize,
    /// Print JSON on stdout.
    #[arg(long)]
    json: bool,
}

/// Arguments of `storyline stories`.
#[derive(Debug, Args)]
pub struct StoriesArgs {
    /// How many to list.
    #[arg(long, default_value_t = 50)]
    limit: usize,
    /// How many to pass over first.
    #[arg(long, default_value_t = 0)]
    offset: usize,
    /// Print JSON on stdout.
    #[arg(long)]
    json: bool,
}

/// Arguments of `storyline explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The article's id, a unique prefix of it (4+ characters), or the id its source gave it.
    id: String,
    /// Print JSON on stdout.
    #[arg(long)]
    json: bool,
}

/// Clusters what is not clustered yet, with a spinner on a terminal; says what it did on stderr.
pub fn run_cluster(
    engine: &mut Engine,
    model: &storyline_engine::Model,
    embedder: Option<&storyline_engine::Embedder>,
) -> Result<ClusterReport> {
    engine.lock_writer()?;
    let bar = crate::output::spinner();
    let report = engine
        .cluster(model, embedder, &mut |n| bar.set_message(format!("{n} articles clustered")))
        .context("clustering stopped; decisions committed before this point are stored")?;
    engine
        .index(&mut |n| bar.set_message(format!("{n} articles indexed for search")))
        .context("indexing stopped; what was indexed before this point is stored")?;
    engine
        .narrate(&mut |n| bar.set_message(format!("{n} story reports written")))
        .context("narration stopped; reports written before this point are stored")?;
    bar.finish_and_clear();
    say_clustered(&report);
    Ok(report)
}

/// Says on stderr what a clustering run decided.
pub fn say_clustered(report: &ClusterReport) {
    if report.redone > 0 {
        eprintln!(
            "the last clustering run stopped early: its {} decisions after the last stored state were taken again",
            report.redone
        );
    }
    if report.clustered > 0 {
        eprintln!(
            "{} clustered: {}, {}, {}",
            count(report.clustered, "article", "articles"),
            count(report.new_events, "new event", "new events"),
            count(report.new_stories, "new story", "new stories"),
            count(report.copies, "copy", "copies")
        );
    }
}

fn report_json(r: &ClusterReport) -> Value {
    json!({
        "clustered": r.clustered, "copies": r.copies, "new_events": r.new_events,
        "new_stories": r.new_stories, "restored": r.restored, "redone": r.redone,
    })
}

pub fn cluster(store: &Location, args: ClusterArgs) -> Result<Outcome> {
    let model = load_model(args.model.as_deref())?;
    let mut engine = open(store)?;
    engine.lock_writer()?;
    if args.rebuild {
        engine.clear_clusters()?;
    }
    let embedder = args.embedding.load();
    let report = run_cluster(&mut engine, &model, embedder.as_ref())?;
    if args.json {
        write_json(&report_json(&report))?;
    }
    Ok(Outcome::Done)
}

fn event_json(e: &EventSummary) -> Value {
    json!({
        "id": e.id, "story": e.story, "articles": e.articles, "independent": e.independent,
        "first": e.first, "last": e.last, "languages": e.languages, "outlets": e.outlets, "title": e.title,
    })
}

/// A story as the API lists it ([`StoryItem`]: the number of events, the languages as a list).
fn story_json(s: &StorySummary) -> Value {
    serde_json::to_value(StoryItem::from(s)).unwrap_or(Value::Null)
}

fn day(d: &Option<String>) -> String {
    d.as_deref().map_or_else(|| "unknown".to_string(), |s| s.chars().take(10).collect())
}

pub fn write_events(rows: &[EventSummary]) -> Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{:>6}  {:>5}  {:>8}  {:<10}  {:<10}  {:<6}  TITLE",
        "EVENT", "STORY", "ARTICLES", "FIRST", "LAST", "LANGS"
    )?;
    for e in rows {
        writeln!(
            out,
            "{:>6}  {:>5}  {:>8}  {:<10}  {:<10}  {:<6}  {}",
            e.id,
            e.story,
            format!("{}/{}", e.independent, e.articles),
            day(&e.first),
            day(&e.last),
            clip(&e.languages, 6),
            clip(&e.title, 70)
        )?;
    }
    Ok(())
}

pub fn events(store: &Location, args: EventsArgs) -> Result<Outcome> {
    let engine = open(store)?;
    let rows = engine.store().events(args.story, args.limit, args.offset)?;
    if args.json {
        write_json(&Value::Array(rows.iter().map(event_json).collect()))?;
    } else {
        write_events(&rows)?;
        eprintln!("ARTICLES counts independent reports / all (copies included)");
    }
    Ok(Outcome::Done)
}

pub fn stories(store: &Location, args: StoriesArgs) -> Result<Outcome> {
    let engine = open(store)?;
    let rows = engine.store().stories(args.limit, args.offset)?;
    if args.json {
        write_json(&Value::Array(rows.iter().map(story_json).collect()))?;
    } else {
        let mut out = std::io::stdout().lock();
        writeln!(
            out,
            "{:>5}  {:<12}  {:>8}  {:<10}  {:<10}  TITLE",
            "STORY", "EVENTS", "ARTICLES", "FIRST", "LAST"
        )?;
        for s in &rows {
            let events: Vec<String> = s.events.iter().map(u32::to_string).collect();
            writeln!(
                out,
                "{:>5}  {:<12}  {:>8}  {:<10}  {:<10}  {}",
                s.id,
                clip(&events.join(","), 12),
                s.articles,
                day(&s.first),
                day(&s.last),
                clip(&s.title, 70)
            )?;
        }
    }
    Ok(Outcome::Done)
}

/// `(name, value, weight, contribution)` of every feature of a scored event, largest
/// contribution first.
fn contributions(scored: &Value, scorer: &Value) -> Vec<(String, f64, f64, f64)> {
    let mut v: Vec<(String, f64, f64, f64)> = scored["features"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, x)| {
                    let x = x.as_f64().unwrap_or(0.0);
                    let w = scorer["weights"][k].as_f64().unwrap_or(0.0);
                    (k.clone(), x, w, x * w)
                })
                .collect()
        })
        .unwrap_or_default();
    v.sort_by(|a, b| b.3.abs().total_cmp(&a.3.abs()));
    v
}

pub fn explain(store: &Location, args: ExplainArgs) -> Result<Outcome> {
    let engine = open(store)?;
    let store = engine.store();
    let Some(article) = store.find(&args.id)? else {
        eprintln!(
            "no article matches {:?} (or the prefix is not unique); see `storyline articles list`",
            args.id
        );
        return Ok(Outcome::Partial);
    };
    let Some(assignment) = store.assignment_of(&article.id)? else {
        eprintln!("article {} is not clustered yet; run `storyline cluster`", article.id.as_str());
        return Ok(Outcome::Partial);
    };
    let evidence: Value =
        serde_json::from_str(&assignment.explain).context("stored evidence is not JSON")?;
    let a = &evidence["assignment"];
    // The scorer that decided: the dense one when both sides had sentence vectors.
    let scorer = match a["best"]["scorer"].as_str() {
        Some("dense") if evidence["dense_scorer"].is_object() => &evidence["dense_scorer"],
        _ => &evidence["scorer"],
    };
    if args.json {
        let with = |scored: &Value| -> Value {
            if scored.is_null() {
                return Value::Null;
            }
            json!({
                "event": scored["event"], "probability": scored["probability"],
                "contributions": contributions(scored, scorer).iter().map(|(k, x, w, c)| json!({"feature": k, "value": x, "weight": w, "contribution": c})).collect::<Vec<_>>(),
            })
        };
        write_json(&json!({
            "article": article.id, "title": article.title, "event": assignment.event, "story": assignment.story,
            "new_event": assignment.new_event, "copy_of": a["copy_of"], "scorer": a["best"]["scorer"], "threshold": scorer["threshold"], "bias": scorer["bias"],
            "best": with(&a["best"]), "runner_up": with(&a["runner_up"]), "story_link": a["story_link"], "story_candidates": a["story_candidates"], "candidates": a["candidates"], "ranked": a["ranked"], "closed": a["closed"],
        }))?;
        return Ok(Outcome::Done);
    }
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}  {}", article.id.as_str(), article.title)?;
    writeln!(out, "event {}  story {}", assignment.event, assignment.story)?;
    if !a["copy_of"].is_null() {
        let c = &a["copy_of"];
        let kind = c["kind"].as_str().unwrap_or("?");
        let measure = if kind == "translation" {
            "first sentences matched, mean cosine"
        } else {
            "shingle similarity"
        };
        writeln!(
            out,
            "decision: {kind} copy of {} ({measure} {:.2}); joins its event without scoring",
            c["original"].as_str().unwrap_or("?"),
            c["similarity"].as_f64().unwrap_or(0.0)
        )?;
        return Ok(Outcome::Done);
    }
    let threshold = scorer["threshold"].as_f64().unwrap_or(0.5);
    let candidates = a["candidates"].as_u64().unwrap_or(0);
    if assignment.new_event {
        match a["best"].as_object() {
            Some(_) => writeln!(
                out,
                "decision: new event; the best of {candidates} candidate events, {}, scored p = {:.3} < threshold {threshold:.3}",
                a["best"]["event"], a["best"]["probability"].as_f64().unwrap_or(0.0)
            )?,
            None => match a["closed"].as_array().filter(|c| !c.is_empty()) {
                Some(closed) => {
                    let ids: Vec<String> = closed.iter().map(|e| e.to_string()).collect();
                    let when = match &article.not_before {
                        Some(d) if article.date.is_none() => {
                            format!("the article, written on {d} or later")
                        }
                        _ => "the article".to_string(),
                    };
                    writeln!(
                        out,
                        "decision: new event; event {} matched but closed a window before {when}",
                        ids.join(", ")
                    )?
                }
                None => {
                    writeln!(out, "decision: new event; no active event shared its index terms")?
                }
            },
        }
    } else {
        writeln!(
            out,
            "decision: joined event {} with p = {:.3} >= threshold {threshold:.3} ({candidates} candidates scored)",
            assignment.event,
            a["best"]["probability"].as_f64().unwrap_or(0.0)
        )?;
    }
    if a["best"].is_object() {
        writeln!(
            out,
            "\nfeatures of event {} ({} scorer, bias {:.3}):",
            a["best"]["event"],
            a["best"]["scorer"].as_str().unwrap_or("lexical"),
            scorer["bias"].as_f64().unwrap_or(0.0)
        )?;
        writeln!(out, "  {:<16} {:>8} {:>8} {:>13}", "FEATURE", "VALUE", "WEIGHT", "CONTRIBUTION")?;
        for (k, x, w, c) in contributions(&a["best"], scorer) {
            if c != 0.0 || x != 0.0 {
                writeln!(out, "  {k:<16} {x:>8.3} {w:>8.3} {c:>+13.3}")?;
            }
        }
    }
    match a["runner_up"].as_object() {
        Some(_) => writeln!(
            out,
            "\nrunner-up: event {} with p = {:.3}",
            a["runner_up"]["event"],
            a["runner_up"]["probability"].as_f64().unwrap_or(0.0)
        )?,
        None => writeln!(out, "\nrunner-up: none")?,
    }
    if let Some(ranked) = a["ranked"].as_array().filter(|r| r.len() > 2) {
        let list: Vec<String> = ranked
            .iter()
            .map(|r| format!("{} (p = {:.3})", r[0], r[1].as_f64().unwrap_or(0.0)))
            .collect();
        writeln!(out, "candidates ranked: {}", list.join(", "))?;
    }
    if let Some(link) = a["story_link"].as_array() {
        let (s, p) = (&link[0], link[1].as_f64().unwrap_or(0.0));
        // The dense story scorer decided when the dense similarity was known.
        let dense_known = link[2]["dense_missing"].as_f64() == Some(0.0);
        let story_scorer = if dense_known && evidence["story_dense_scorer"].is_object() {
            &evidence["story_dense_scorer"]
        } else {
            &evidence["story_scorer"]
        };
        let t = story_scorer["threshold"].as_f64().unwrap_or(0.5);
        let verdict = if s.as_u64() == Some(u64::from(assignment.story)) {
            "joined"
        } else {
            "opened a new story instead"
        };
        writeln!(out, "story: best story {s} scored p = {p:.3} (threshold {t:.3}): {verdict}")?;
    }
    if let Some(stories) = a["story_candidates"].as_array() {
        // What each story was judged on: its own events one by one, how near the article came
        // to them, and how long ago the story last moved.
        for st in stories {
            let f = &st["features"];
            let v = |k: &str| f[k].as_f64().unwrap_or(0.0);
            writeln!(
                out,
                "  story {:<6} p = {:.3}  best own event: stems {:.2}, names {:.2}, vector {:.2}; main names shared {:.2}; event p {:.3}; gap {}",
                st["story"],
                st["probability"].as_f64().unwrap_or(0.0),
                v("event_stems_max"),
                v("event_names_max"),
                v("event_dense_max"),
                v("lead_names"),
                v("event_probability"),
                if v("time_unknown") > 0.0 {
                    "unknown".to_string()
                } else {
                    format!("~{:.0} days", 1000f64.powf(v("time_gap_log")) - 1.0)
                },
            )?;
        }
    }
    Ok(Outcome::Done)
}

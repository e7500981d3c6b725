//! `storyline quotes` and the extraction shown per article: quotes with speakers, and time
//! expressions with their normalised values.

use std::io::Write;

use storyline_core::count;
use storyline_store::Location;

use anyhow::{Context, Result};
use clap::Args;
use serde_json::Value;
use storyline_engine::views::contract::{EntityItem, FigureItem, QuoteItem};
use storyline_engine::{Engine, ExtractReport};
use storyline_store::{EntitySummary, Extraction, FigureHit, FigureRow, QuoteHit};

use crate::commands::open;
use crate::output::write_json;
use crate::Outcome;

/// Paging and output of the listing commands.
#[derive(Debug, Args)]
pub struct Listing {
    /// At most this many rows.
    #[arg(long, default_value_t = 100)]
    limit: usize,
    /// Skip this many first.
    #[arg(long, default_value_t = 0)]
    offset: usize,
    /// Print JSON on stdout.
    #[arg(long)]
    json: bool,
}

/// Arguments of `storyline quotes`.
#[derive(Debug, Args)]
pub struct QuotesArgs {
    /// Only this speaker's quotes: a name in any spelling ("Kim Jong-un", "Peskow").
    #[arg(long)]
    speaker: Option<String>,
    #[command(flatten)]
    list: Listing,
}

/// Extracts what is not extracted yet, with a spinner on a terminal; says what it did on stderr.
pub fn run_extract(engine: &mut Engine) -> Result<ExtractReport> {
    let bar = crate::output::spinner();
    let report = engine
        .extract(|n| bar.set_message(format!("{n} articles extracted")))
        .context("extraction stopped; what was committed before this point is stored")?;
    bar.finish_and_clear();
    say_extracted(&report);
    Ok(report)
}

/// Says on stderr what an extraction run found.
pub fn say_extracted(report: &ExtractReport) {
    if report.articles > 0 {
        eprintln!(
            "{} extracted: {}, {}, {}, {}",
            count(report.articles, "article", "articles"),
            count(report.quotes, "quote", "quotes"),
            count(report.timexes, "time expression", "time expressions"),
            count(report.figures, "figure", "figures"),
            count(report.entities, "entity mention", "entity mentions")
        );
    }
}

/// A figure's amount for people: "4,800,000", "100–300", "2 %".
fn amount(f: &FigureRow) -> String {
    let n = |v: f64| {
        if v.fract() == 0.0 && v.abs() < 1e15 {
            format!("{}", v as i64)
        } else {
            format!("{v}")
        }
    };
    let mut s = match f.high {
        Some(h) => format!("{}–{}", n(f.value), n(h)),
        None => n(f.value),
    };
    if f.kind == "percent" {
        s.push_str(" %");
    }
    s
}

fn one_line(s: &str, max: usize) -> String {
    let flat: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        flat
    } else {
        format!("{}…", flat.chars().take(max - 1).collect::<String>())
    }
}

/// The quotes, figures and times of an article, for people.
pub fn write_extraction(text: &str, x: &Extraction) -> Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "\nentities:")?;
    let mut seen: Vec<(&str, &str, Vec<String>)> = Vec::new();
    for e in x.entities.iter().filter(|e| !e.etype.ends_with("deriv") && !e.etype.ends_with("part"))
    {
        let surface = text.get(e.start..e.end).unwrap_or_default().to_string();
        match seen.iter_mut().find(|(k, ..)| *k == e.key.as_str()) {
            Some((_, _, v)) if !v.contains(&surface) => v.push(surface),
            Some(_) => {}
            None => seen.push((e.key.as_str(), e.etype.as_str(), vec![surface])),
        }
    }
    if seen.is_empty() {
        writeln!(out, "  none found")?;
    }
    for (key, etype, variants) in &seen {
        let canonical =
            x.entities.iter().find(|e| e.key == *key).map_or("", |e| e.canonical.as_str());
        writeln!(out, "  {etype:<4} {:<28} {}", one_line(canonical, 28), variants.join(", "))?;
    }
    writeln!(out, "\nquotes:")?;
    if x.quotes.is_empty() {
        writeln!(out, "  none found")?;
    }
    for q in &x.quotes {
        let who = q.speaker_name.as_deref().unwrap_or("(unknown speaker)");
        writeln!(
            out,
            "  {:<20} {:<10} {}",
            one_line(who, 20),
            q.kind,
            one_line(text.get(q.start..q.end).unwrap_or_default(), 100)
        )?;
    }
    writeln!(out, "\nfigures:")?;
    if x.figures.is_empty() {
        writeln!(out, "  none found")?;
    }
    for f in &x.figures {
        let what = f.unit.as_deref().or(f.counted.as_deref()).unwrap_or("");
        writeln!(
            out,
            "  {:<16} {:<24} {:<12} {:<20} {}",
            amount(f),
            one_line(what, 24),
            f.approximation.as_deref().unwrap_or(""),
            one_line(f.source.as_deref().unwrap_or(""), 20),
            one_line(text.get(f.start..f.end).unwrap_or_default(), 60)
        )?;
    }
    writeln!(out, "\ntimes:")?;
    if x.timexes.is_empty() {
        writeln!(out, "  none found")?;
    }
    for t in &x.timexes {
        writeln!(
            out,
            "  {:<32} {:<22} {} ({})",
            one_line(text.get(t.start..t.end).unwrap_or_default(), 32),
            t.value,
            t.granularity,
            t.resolution
        )?;
    }
    Ok(())
}

fn hit_json(h: &QuoteHit) -> Value {
    contract_json(&QuoteItem::from(h))
}

/// A fact as the contract gives it (the API's field names).
fn contract_json<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

pub fn quotes(store: &Location, args: QuotesArgs) -> Result<Outcome> {
    let mut engine = open(store)?;
    run_extract(&mut engine)?;
    let key = args.speaker.as_deref().map(storyline_extract::quotes::name_key);
    let hits = engine.store().quotes(key.as_deref(), args.list.limit, args.list.offset)?;
    if args.list.json {
        write_json(&Value::Array(hits.iter().map(hit_json).collect()))?;
    } else {
        let mut out = std::io::stdout().lock();
        for h in &hits {
            let who = h.quote.speaker_name.as_deref().unwrap_or("(unknown speaker)");
            writeln!(
                out,
                "{:<12} {:<20} {:<10} {}",
                &h.article.as_str()[..12.min(h.article.as_str().len())],
                one_line(who, 20),
                h.quote.kind,
                one_line(&h.text, 110)
            )?;
        }
    }
    if hits.is_empty() {
        match &args.speaker {
            Some(s) => eprintln!("no quotes of {s:?}; see `storyline quotes` for every speaker"),
            None => eprintln!("no quotes stored"),
        }
        return Ok(Outcome::Partial);
    }
    Ok(Outcome::Done)
}

/// Arguments of `storyline figures`.
#[derive(Debug, Args)]
pub struct FiguresArgs {
    #[command(flatten)]
    list: Listing,
}

fn figure_hit_json(h: &FigureHit) -> Value {
    contract_json(&FigureItem::from(h))
}

pub fn figures(store: &Location, args: FiguresArgs) -> Result<Outcome> {
    let mut engine = open(store)?;
    run_extract(&mut engine)?;
    let hits = engine.store().figures(args.list.limit, args.list.offset)?;
    if args.list.json {
        write_json(&Value::Array(hits.iter().map(figure_hit_json).collect()))?;
    } else {
        let mut out = std::io::stdout().lock();
        for h in &hits {
            let f = &h.figure;
            let what = f.unit.as_deref().or(f.counted.as_deref()).unwrap_or("");
            writeln!(
                out,
                "{:<12} {:<16} {:<22} {:<12} {:<20} {}",
                &h.article.as_str()[..12.min(h.article.as_str().len())],
                amount(f),
                one_line(what, 22),
                f.approximation.as_deref().unwrap_or(""),
                one_line(f.source.as_deref().unwrap_or(""), 20),
                one_line(&h.text, 60)
            )?;
        }
    }
    if hits.is_empty() {
        eprintln!("no figures stored");
        return Ok(Outcome::Partial);
    }
    Ok(Outcome::Done)
}

/// Arguments of `storyline entities`.
#[derive(Debug, Args)]
pub struct EntitiesArgs {
    #[command(flatten)]
    list: Listing,
}

fn entity_summary_json(e: &EntitySummary) -> Value {
    contract_json(&EntityItem::from(e))
}

pub fn entities(store: &Location, args: EntitiesArgs) -> Result<Outcome> {
    let mut engine = open(store)?;
    run_extract(&mut engine)?;
    let list = engine.store().entities(args.list.limit, args.list.offset)?;
    if args.list.json {
        write_json(&Value::Array(list.iter().map(entity_summary_json).collect()))?;
    } else {
        let mut out = std::io::stdout().lock();
        writeln!(
            out,
            "{:<4} {:>8} {:>8}  {:<28} VARIANTS",
            "TYPE", "MENTIONS", "ARTICLES", "NAME"
        )?;
        for e in &list {
            writeln!(
                out,
                "{:<4} {:>8} {:>8}  {:<28} {}",
                e.etype,
                e.mentions,
                e.articles,
                one_line(&e.canonical, 28),
                one_line(&e.variants.join(", "), 80)
            )?;
        }
    }
    if list.is_empty() {
        eprintln!("no entities stored");
        return Ok(Outcome::Partial);
    }
    Ok(Outcome::Done)
}

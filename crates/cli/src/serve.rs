//! `storyline serve` and `storyline export`: the story views for people.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::Args;

use storyline_engine::views::render::Format;

use crate::commands::open;
use crate::Outcome;
use storyline_store::Location;

/// Arguments of `storyline serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (port 0 picks a free one).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// A host name the server answers to besides localhost and IP addresses (repeatable);
    /// requests naming any other host are refused, against DNS rebinding.
    #[arg(long = "allowed-host", value_name = "NAME")]
    pub allowed_hosts: Vec<String>,
}

/// Refuses a data directory holding no store, so that a misspelt `--data-dir` is an error
/// rather than a new, empty store served or exported (issue 17, row 9).
fn existing(store: &Location) -> Result<()> {
    match store {
        Location::Dir(dir) if !dir.join(storyline_store::DB_FILE).is_file() => bail!(
            "{} holds no Storyline data; ingest into it first, or check --data-dir",
            dir.display()
        ),
        // A server's database gets its tables on first open; an empty one serves empty lists.
        _ => Ok(()),
    }
}

/// Brings the index and reports up to date, unless another process is writing the data
/// directory: then it will, and what is stored now is used.
fn up_to_date(engine: &mut storyline_engine::Engine, store: &Location) -> Result<()> {
    match engine.finish() {
        Err(storyline_engine::EngineError::Store(storyline_store::StoreError::Busy(_))) => {
            eprintln!(
                "note: another storyline process is writing {}; using what is stored now",
                store
            );
            Ok(())
        }
        other => other.map(drop).map_err(Into::into),
    }
}

/// Serves the REST API and the web UI until the process is stopped.
pub fn serve(store: &Location, args: ServeArgs) -> Result<Outcome> {
    existing(store)?;
    // Open once for writing so that the schema is current and the index and reports are built
    // for whatever was clustered before them.
    let mut engine = open(store)?;
    up_to_date(&mut engine, store)
        .context("could not bring the search index and story reports up to date")?;
    drop(engine);
    let place = store.to_string();
    let options =
        storyline_server::ServeOptions { allowed_hosts: args.allowed_hosts, ..Default::default() };
    storyline_server::serve_with(store, args.addr, &options, move |addr| {
        eprintln!("Storyline is serving {} at http://{addr}/ (API: http://{addr}/api/openapi.json); stop with Ctrl-C", place);
    })?;
    Ok(Outcome::Done)
}

/// Arguments of `storyline export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The story's id (`storyline stories` lists them).
    id: u32,
    /// json (the whole report), jsonl or csv (one record per source, date, sentence, quote and
    /// figure), md or html (a readable report).
    #[arg(long, default_value = "md")]
    format: String,
    /// Write to this file instead of standard output.
    #[arg(long, short)]
    out: Option<PathBuf>,
}

/// Writes a story's report in the format asked for.
pub fn export(store: &Location, args: ExportArgs) -> Result<Outcome> {
    let format = Format::parse(&args.format).map_err(anyhow::Error::msg)?;
    existing(store)?;
    let mut engine = open(store)?;
    up_to_date(&mut engine, store).context("could not bring the story reports up to date")?;
    let Some(json) = engine.store().story_report(args.id)? else {
        bail!("no story {} in {}; `storyline stories` lists them", args.id, store);
    };
    let report: storyline_engine::views::StoryReport =
        serde_json::from_str(&json).context("the stored report is unreadable")?;
    let body = format.render(&report);
    match &args.out {
        Some(path) => std::fs::write(path, body)
            .with_context(|| format!("cannot write {}", path.display()))?,
        None => std::io::stdout().lock().write_all(body.as_bytes())?,
    }
    Ok(Outcome::Done)
}

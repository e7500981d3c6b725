//! The `storyline` binary: command-line definitions and glue. Everything it does is done by the
//! library crates; this file parses arguments, calls the engine and prints.
//!
//! Exit codes: 0 all went well; 1 something was skipped or not found (the rest was done);
//! 2 an error stopped the command (nothing half-written: stored data is intact).

mod commands;
mod embed;
mod extract;
mod output;
mod queue;
mod serve;
mod stories;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// Storyline: a local-first news story-tracking engine.
#[derive(Debug, Parser)]
#[command(name = "storyline", version, about, max_term_width = 100)]
struct Cli {
    /// The data directory (created if missing).
    #[arg(long, global = true, env = "STORYLINE_DATA_DIR", default_value = "storyline-data")]
    data_dir: PathBuf,
    /// The store, when it is not a data directory: a PostgreSQL URL
    /// (`postgres://user@host:port/db`; `scripts/cluster-up` starts a server and prints it) that
    /// several processes and machines share. A plain path here is a data directory. Overrides
    /// --data-dir; from the environment (STORYLINE_STORE) it gives way to a --data-dir given.
    #[arg(long, global = true, value_name = "URL")]
    store: Option<String>,
    /// Show more log messages on stderr (-v, -vv).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Ingest articles from files, folders or standard input (`-`, JSONL).
    Ingest(commands::IngestArgs),
    /// List stored articles, or show one with every normalisation decision.
    Articles(commands::ArticlesArgs),
    /// Ingest the bundled sample corpus (or PATH), list what was stored, and serve the web UI.
    Demo(commands::DemoArgs),
    /// Serve the REST API and the web UI (stories, articles, search) from the data directory.
    Serve(serve::ServeArgs),
    /// Write a story's report: json, jsonl, csv, md or html.
    Export(serve::ExportArgs),
    /// Measure quality on an evaluation data set (see docs/EVALUATION.md).
    Eval(commands::EvalArgs),
    /// Cluster stored articles not yet clustered into events and stories (ingest does this too).
    Cluster(stories::ClusterArgs),
    /// List events (one real happening each), newest first.
    Events(stories::EventsArgs),
    /// List stories (threads of events), newest first.
    Stories(stories::StoriesArgs),
    /// Show why an article is in its event: score, each feature's contribution, the runner-up.
    Explain(stories::ExplainArgs),
    /// List quotes with their speakers (all, or one speaker's in any spelling of the name).
    Quotes(extract::QuotesArgs),
    /// List the figures articles report: amount, unit or what is counted, approximation, who says so.
    Figures(extract::FiguresArgs),
    /// List named entities across articles: type, canonical name, spellings, mentions.
    Entities(extract::EntitiesArgs),
    /// Fit the event and story scorers on labelled pairs and write a model file.
    Train(commands::TrainArgs),
    /// Multilingual sentence vectors (USE multilingual v3) of texts, as JSON lines.
    Embed(embed::EmbedArgs),
    /// Run stages of the ingest job for a queue (`ingest --queue`) on a shared PostgreSQL store.
    Worker(queue::WorkerArgs),
}

/// What a command reports to `main`, which turns it into an exit code.
pub enum Outcome {
    /// Everything was done.
    Done,
    /// Something was skipped or not found; the rest was done.
    Partial,
}

fn main() -> ExitCode {
    let matches = Cli::command().get_matches();
    let data_dir_given =
        matches.value_source("data_dir") == Some(clap::parser::ValueSource::CommandLine);
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    // trafilatura warns about every page with broken JSON-LD; that is noise for our users.
    let level = match cli.verbose {
        0 => "warn,trafilatura=error",
        1 => "info,trafilatura=error",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("STORYLINE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .init();
    let from_env = std::env::var("STORYLINE_STORE").ok().filter(|s| !s.is_empty());
    let store = match (&cli.store, from_env) {
        (Some(s), _) if !s.is_empty() => storyline_store::Location::parse(s),
        (_, Some(s)) if !data_dir_given => storyline_store::Location::parse(&s),
        _ => storyline_store::Location::Dir(cli.data_dir.clone()),
    };
    let result = match cli.command {
        Command::Ingest(args) => commands::ingest(&store, args),
        Command::Articles(args) => commands::articles(&store, args),
        Command::Demo(args) => commands::demo(&store, args),
        Command::Serve(args) => serve::serve(&store, args),
        Command::Export(args) => serve::export(&store, args),
        Command::Eval(args) => commands::eval(args),
        Command::Train(args) => commands::train(args),
        Command::Embed(args) => embed::embed(args),
        Command::Worker(args) => queue::worker(&store, args),
        Command::Cluster(args) => stories::cluster(&store, args),
        Command::Events(args) => stories::events(&store, args),
        Command::Stories(args) => stories::stories(&store, args),
        Command::Explain(args) => stories::explain(&store, args),
        Command::Quotes(args) => extract::quotes(&store, args),
        Command::Figures(args) => extract::figures(&store, args),
        Command::Entities(args) => extract::entities(&store, args),
    };
    match result {
        Ok(Outcome::Done) => ExitCode::SUCCESS,
        Ok(Outcome::Partial) => ExitCode::from(1),
        Err(err) => {
            // A closed pipe (`storyline articles list | head`) is not an error.
            if err.chain().any(|e| {
                e.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {err}");
            for cause in err.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::from(2)
        }
    }
}

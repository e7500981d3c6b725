//! `storyline ingest --queue` and `storyline worker`: the ingest job spread over processes and
//! machines through a NATS JetStream queue and a shared PostgreSQL store (docs/SCALING.md).

use anyhow::{bail, Context, Result};
use clap::Args;
use std::path::PathBuf;
use storyline_core::count;
use storyline_engine::worker::{self, WorkerStage};
use storyline_engine::{IngestOptions, Input};
use storyline_queue::Queue;
use storyline_store::Location;

use crate::Outcome;

/// Arguments of `storyline worker`.
#[derive(Debug, Args)]
pub struct WorkerArgs {
    /// The stages to run, comma-separated: store, extract, cluster, index, narrate, or all. Any
    /// number of extract workers may run; of every other stage, one at a time (a second one
    /// is refused).
    #[arg(long, value_delimiter = ',', default_value = "all")]
    stage: Vec<String>,
    /// The queue: nats://host:port[/name] (`scripts/cluster-up` starts a server and prints it).
    #[arg(long, env = "STORYLINE_QUEUE", value_name = "URL")]
    queue: String,
    /// A model file written by `storyline train` (default: the built-in one).
    #[arg(long)]
    model: Option<PathBuf>,
    #[command(flatten)]
    embedding: crate::embed::EmbeddingArgs,
}

/// The URL of `--queue` given bare: `STORYLINE_QUEUE`.
pub fn queue_url(given: &str) -> Result<String> {
    if !given.is_empty() {
        return Ok(given.to_string());
    }
    match std::env::var("STORYLINE_QUEUE") {
        Ok(url) if !url.is_empty() => Ok(url),
        _ => bail!("--queue needs a URL (nats://host:port[/name]) or STORYLINE_QUEUE"),
    }
}

/// `storyline ingest --queue`: read and publish; with `wait`, wait for the whole pipeline.
pub fn ingest(
    url: &str,
    inputs: &[Input],
    opts: &IngestOptions,
    wait: bool,
    json: bool,
    quiet: bool,
) -> Result<Outcome> {
    let queue = Queue::connect(url)?;
    let published = worker::publish(
        &queue,
        inputs,
        opts,
        &mut |reject| eprintln!("skipped {reject}"),
        &mut |_| {},
    )
    .context("publishing stopped; the documents published before this point are queued")?;
    eprintln!(
        "{} published to {} as run {}{}",
        count(published.documents, "document", "documents"),
        queue.url(),
        published.run,
        if published.rejected > 0 {
            format!(" ({} skipped)", count(published.rejected, "input", "inputs"))
        } else {
            String::new()
        }
    );
    if wait {
        worker::wait_for_run(&queue, &published.run, &mut |left| {
            if quiet {
                return;
            }
            eprintln!(
                "waiting for {} (is a `storyline worker` running for each stage?)",
                left.join(" and ")
            )
        })?;
        eprintln!("every document of run {} has gone through the whole pipeline", published.run);
    }
    if json {
        crate::output::write_json(&serde_json::json!({
            "run": published.run,
            "published": published.documents,
            "rejected": published.rejected,
            "waited": wait,
        }))?;
    }
    Ok(if published.rejected == 0 { Outcome::Done } else { Outcome::Partial })
}

/// `storyline worker`: run stages until one fails.
pub fn worker(store: &Location, args: WorkerArgs) -> Result<Outcome> {
    let mut stages = Vec::new();
    for name in &args.stage {
        if name == "all" {
            stages.extend(WorkerStage::ALL);
        } else {
            match WorkerStage::parse(name) {
                Some(s) => stages.push(s),
                None => bail!(
                    "unknown stage {name:?}; use store, extract, cluster, index, narrate or all"
                ),
            }
        }
    }
    stages.dedup();
    // The worker runs until stopped: its model lives as long as the process.
    let model: &'static storyline_engine::Model =
        Box::leak(Box::new(crate::commands::load_model(args.model.as_deref())?));
    let embedder = if stages.contains(&WorkerStage::Cluster) {
        args.embedding.load().map(|e| &*Box::leak(Box::new(e)))
    } else {
        None
    };
    let names: Vec<&str> = stages.iter().map(|s| s.as_str()).collect();
    eprintln!("worker: {} on {} with {}", names.join(", "), args.queue, store);
    worker::run_worker(store, &args.queue, &stages, &IngestOptions::default(), model, embedder)
        .context("the worker stopped")?;
    Ok(Outcome::Done)
}

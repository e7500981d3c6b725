//! The subcommands: argument structs and what each does.

use crate::output;
use crate::Outcome;
use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use std::io::Write;
use std::path::{Path, PathBuf};
use storyline_core::count;
use storyline_engine::{Engine, IngestOptions, Input};
use storyline_ingest::{Format, ReadOptions};
use storyline_store::Location;

/// Arguments of `storyline ingest`.
#[derive(Debug, Args)]
pub struct IngestArgs {
    /// Files or folders to read (folders recursively); `-` reads JSONL from standard input.
    #[arg(required = true)]
    paths: Vec<String>,
    /// Input format: auto, text, jsonl, html, feed or warc. `auto` decides per file by name and content.
    #[arg(long, default_value = "auto")]
    format: String,
    /// Outlet name for articles whose source declares none.
    #[arg(long)]
    source: Option<String>,
    /// Largest single document accepted, in MB; larger ones are skipped by name.
    #[arg(long, default_value_t = 10.0)]
    max_doc_mb: f64,
    /// Store only; leave clustering to a later `storyline cluster`.
    #[arg(long)]
    no_cluster: bool,
    /// A model file written by `storyline train` (default: the built-in one).
    #[arg(long)]
    model: Option<PathBuf>,
    #[command(flatten)]
    embedding: crate::embed::EmbeddingArgs,
    /// Print the report as JSON on stdout.
    #[arg(long)]
    json: bool,
    /// No progress lines (rejects and the closing summary are still said).
    #[arg(long, short)]
    quiet: bool,
    /// Publish the documents to a NATS JetStream queue for `storyline worker` processes instead
    /// of running the stages here: nats://host:port[/name], or STORYLINE_QUEUE when bare.
    #[arg(long, value_name = "URL", num_args = 0..=1, default_missing_value = "")]
    queue: Option<String>,
    /// With --queue: return once every published document has gone through the whole pipeline.
    #[arg(long, requires = "queue")]
    wait: bool,
}

/// Arguments of `storyline articles`.
#[derive(Debug, Args)]
pub struct ArticlesArgs {
    #[command(subcommand)]
    action: Option<ArticlesAction>,
    /// Print JSON on stdout.
    #[arg(long, global = true)]
    json: bool,
}

#[derive(Debug, Subcommand)]
enum ArticlesAction {
    /// List stored articles in ingest order.
    List {
        /// How many to list.
        #[arg(long, default_value_t = 50)]
        limit: usize,
        /// How many to pass over first.
        #[arg(long, default_value_t = 0)]
        offset: usize,
    },
    /// Show one article: metadata, every normalisation decision with its reason, clean text.
    Show {
        /// The article's id, a unique prefix of it (4+ characters), or the id its source gave it.
        id: String,
    },
}

/// Arguments of `storyline demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// A file or folder to ingest instead of the bundled sample corpus (the five seed articles).
    path: Option<PathBuf>,
    #[command(flatten)]
    embedding: crate::embed::EmbeddingArgs,
    /// Stop after listing; do not serve the web UI.
    #[arg(long)]
    no_serve: bool,
    /// Where the web UI listens (port 0 picks a free one).
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: std::net::SocketAddr,
}

pub fn open(store: &Location) -> Result<Engine> {
    Engine::open_at(store).with_context(|| match store {
        Location::Dir(dir) => format!("cannot open the data directory {}", dir.display()),
        Location::Postgres(_) => format!("cannot open the store {store}"),
    })
}

pub fn ingest(store: &Location, args: IngestArgs) -> Result<Outcome> {
    let Some(format) = Format::parse(&args.format) else {
        bail!("unknown --format {:?}; use auto, text, jsonl, html, feed or warc", args.format);
    };
    if args.max_doc_mb.is_nan() || args.max_doc_mb <= 0.0 {
        bail!("--max-doc-mb must be a positive number");
    }
    let opts = IngestOptions {
        read: ReadOptions {
            format,
            max_doc_bytes: (args.max_doc_mb * 1e6) as u64,
            source_name: args.source,
        },
        ..IngestOptions::default()
    };
    let inputs: Vec<Input> = args.paths.iter().map(|p| Input::from_arg(p)).collect();
    if let Some(url) = &args.queue {
        let url = crate::queue::queue_url(url)?;
        return crate::queue::ingest(&url, &inputs, &opts, args.wait, args.json, args.quiet);
    }
    let model = if args.no_cluster { None } else { Some(load_model(args.model.as_deref())?) };
    let embedder = if args.no_cluster { None } else { args.embedding.load() };
    let shown = if args.quiet { output::Shown::Quiet } else { output::Shown::Auto };
    run_ingest(store, &inputs, &opts, model.as_ref(), embedder.as_ref(), args.json, shown)
}

fn run_ingest(
    store: &Location,
    inputs: &[Input],
    opts: &IngestOptions,
    model: Option<&storyline_engine::Model>,
    embedder: Option<&storyline_engine::Embedder>,
    json: bool,
    shown: output::Shown,
) -> Result<Outcome> {
    let mut engine = open(store)?;
    let mut progress = output::StageProgress::new(shown);
    // Each reject is said as it happens; the report keeps only the first ones and counts.
    let job = engine
        .run_job(inputs, opts, model, embedder, &mut |event| progress.on(event))
        .context("ingest stopped; everything committed before this point is stored")?;
    progress.finish();
    let report = &job.ingest;
    eprintln!(
        "{} stored, {} already stored, {} skipped{}; {} in {}",
        count(report.inserted, "new article", "new articles"),
        report.existing,
        count(report.rejected, "input", "inputs"),
        output::kinds_summary(report),
        count(engine.store().count()?, "article", "articles"),
        store
    );
    crate::extract::say_extracted(&job.extract);
    if let Some(c) = &job.cluster {
        crate::stories::say_clustered(c);
    }
    if json {
        let mut value = output::report_json(report);
        value["clustered"] = serde_json::json!(job.cluster.as_ref().map(|c| c.clustered));
        value["stages"] = job
            .stages
            .iter()
            .map(|s| {
                serde_json::json!({"stage": s.stage.as_str(), "items": s.items, "seconds": s.busy.as_secs_f64()})
            })
            .collect();
        output::write_json(&value)?;
    }
    Ok(if report.rejected == 0 { Outcome::Done } else { Outcome::Partial })
}

pub fn articles(store: &Location, args: ArticlesArgs) -> Result<Outcome> {
    let engine = open(store)?;
    let store = engine.store();
    match args.action.unwrap_or(ArticlesAction::List { limit: 50, offset: 0 }) {
        ArticlesAction::List { limit, offset } => {
            let rows = store.list(limit, offset)?;
            if args.json {
                output::write_json(&serde_json::Value::Array(
                    rows.iter().map(output::summary_json).collect(),
                ))?;
            } else {
                output::write_table(&rows)?;
            }
            Ok(Outcome::Done)
        }
        ArticlesAction::Show { id } => match store.find(&id)? {
            Some(article) => {
                let extraction = store.extraction(&article.id)?;
                if args.json {
                    let assignment = store.assignment_of(&article.id)?;
                    let detail = storyline_engine::views::contract::ArticleDetail::new(
                        &article,
                        assignment.as_ref(),
                        Some(&extraction),
                    );
                    output::write_json(&serde_json::to_value(&detail)?)?;
                } else {
                    output::write_article(&article)?;
                    crate::extract::write_extraction(&article.text, &extraction)?;
                }
                Ok(Outcome::Done)
            }
            None => {
                eprintln!("no article matches {id:?} (or the prefix is not unique); see `storyline articles list`");
                Ok(Outcome::Partial)
            }
        },
    }
}

/// The five seed articles, compiled in so `storyline demo` works from any folder.
const SAMPLE: &[(&str, &str)] = &[
    (
        "000_f2a174505cc65b25.txt",
        include_str!("../../../resources/sample/000_f2a174505cc65b25.txt"),
    ),
    (
        "001_85a51e6dd4092c16.txt",
        include_str!("../../../resources/sample/001_85a51e6dd4092c16.txt"),
    ),
    (
        "002_a4bb6051e356c940.txt",
        include_str!("../../../resources/sample/002_a4bb6051e356c940.txt"),
    ),
    (
        "003_acc5f948bcb64856.txt",
        include_str!("../../../resources/sample/003_acc5f948bcb64856.txt"),
    ),
    (
        "004_f6e20251b56ca16a.txt",
        include_str!("../../../resources/sample/004_f6e20251b56ca16a.txt"),
    ),
];

pub fn demo(store: &Location, args: DemoArgs) -> Result<Outcome> {
    // The sample files go beside the store, or into a temporary folder for a server's store.
    let scratch;
    let path = match args.path {
        Some(p) => p,
        None => {
            let dir = match store {
                Location::Dir(d) => d.join("sample"),
                Location::Postgres(_) => {
                    scratch = tempfile::tempdir().context("cannot make a temporary folder")?;
                    scratch.path().to_owned()
                }
            };
            std::fs::create_dir_all(&dir)
                .with_context(|| format!("cannot write {}", dir.display()))?;
            for (name, text) in SAMPLE {
                std::fs::write(dir.join(name), text)
                    .with_context(|| format!("cannot write {}", dir.display()))?;
            }
            dir
        }
    };
    eprintln!("ingesting {} into {}", path.display(), store);
    let model = storyline_cluster::Model::builtin()?;
    let embedder = args.embedding.load();
    let outcome = run_ingest(
        store,
        &[Input::Path(path)],
        &IngestOptions::default(),
        Some(&model),
        embedder.as_ref(),
        false,
        output::Shown::Auto,
    )?;
    let engine = open(store)?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "Articles")?;
    drop(out);
    output::write_table(&engine.store().list(usize::MAX >> 1, 0)?)?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "\nEvents")?;
    drop(out);
    crate::stories::write_events(&engine.store().events(None, 1000, 0)?)?;
    std::io::stderr().flush().ok();
    let flag = match store {
        Location::Dir(_) => "--data-dir",
        Location::Postgres(_) => "--store",
    };
    eprintln!("see one article with: storyline {flag} {store} articles show ID");
    eprintln!("why it joined its event: storyline {flag} {store} explain ID");
    if args.no_serve {
        return Ok(outcome);
    }
    crate::serve::serve(store, crate::serve::ServeArgs { addr: args.addr, allowed_hosts: vec![] })
}

/// Arguments of `storyline eval`.
#[derive(Debug, Args)]
pub struct EvalArgs {
    /// The suite: `extraction` (main text and boilerplate, on the trafilatura evaluation pages),
    /// `langid` (language identification, on the SemEval-2022 Task 8 CSV), `date-bounds` (the
    /// earliest day an undated article's text allows, against the true dates of a dated JSONL
    /// corpus such as the German WikiNews quotation corpus), `semeval` (pair
    /// similarity on that CSV), `seeds` (the sample's grouping against its gold.json) or
    /// `clusters` (a labelled JSONL stream), `timex` (time expressions on WikiWarsDE),
    /// `recognizers-time` (the German DateTime specs of Recognizers-Text), `quotes` (quotation
    /// attribution on the German WikiNews quotation corpus) or `titles` (headlines, bylines and
    /// datelines of run-together scrapes, on a `titles-dev/gold.jsonl` layout file).
    suite: String,
    /// The data set: a folder for `extraction` and `seeds`, the CSV file for `langid` and
    /// `semeval`, the JSONL file for `clusters`, `quotes` and `date-bounds`, the corpus folder for `timex` and
    /// `recognizers-time`.
    #[arg(long)]
    data: PathBuf,
    /// A model file written by `storyline train` (default: the built-in one).
    #[arg(long)]
    model: Option<PathBuf>,
    /// `semeval`: score every pair, including the half the built-in model was trained on.
    #[arg(long)]
    all_pairs: bool,
    /// `clusters`: cross-validate instead of scoring `--model`: split the stream by gold story
    /// into this many folds, fit a model on all but one (with `storyline train --stream`'s
    /// procedure) and score the held-out fold, each fold in turn.
    #[arg(long)]
    folds: Option<usize>,
    /// `titles`: the JSONL stream the gold file labels (default: `articles.jsonl` beside it, or
    /// `stream2020-X/articles.jsonl` beside a `titles-X` folder).
    #[arg(long)]
    articles: Option<PathBuf>,
    /// `clusters --folds`: more labelled streams whose training folds join each fold's training
    /// (their held-out folds are scored too).
    #[arg(long = "with", value_name = "FILE")]
    with_streams: Vec<PathBuf>,
    #[command(flatten)]
    embedding: crate::embed::EmbeddingArgs,
    /// Print one JSON object `{"suite": ..., "metrics": {...}}` on one line.
    #[arg(long)]
    json: bool,
}

/// Arguments of `storyline train`.
#[derive(Debug, Args)]
pub struct TrainArgs {
    /// SemEval-2022 Task 8 CSV of graded pairs; its train half (xxh3 of pair_id even) fits the
    /// event and story scorers.
    #[arg(long, required_unless_present_any = ["germeval", "stream"])]
    semeval: Option<PathBuf>,
    /// Labelled JSONL streams (`{id, date, lang, title, text, cluster, story}`): the event and
    /// story scorers learn from every decision of a replay of the streams through the clusterer.
    #[arg(long, conflicts_with_all = ["semeval", "germeval"])]
    stream: Vec<PathBuf>,
    /// GermEval 2014 TSV; its sentences in even positions train the German entity tagger.
    #[arg(long, conflicts_with = "semeval")]
    germeval: Option<PathBuf>,
    /// With `--germeval`: silver-labelled files in the same layout, used whole for training.
    #[arg(long, requires = "germeval")]
    silver: Vec<PathBuf>,
    /// With `--germeval`: how many times an epoch each gold sentence is seen (each silver one
    /// once); 0 trains on the silver files alone.
    #[arg(long, default_value_t = 1, requires = "germeval")]
    gold_weight: usize,
    /// Model file to start from (priors and fixed weights; default: the built-in one).
    #[arg(long)]
    model: Option<PathBuf>,
    /// Where to write the new model file (default: scorer.json, or ner-de.bin for --germeval).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Passes over the entity training data.
    #[arg(long, default_value_t = 8)]
    epochs: usize,
    /// Entity features seen fewer times in training are left out.
    #[arg(long, default_value_t = 2)]
    min_count: u32,
    #[command(flatten)]
    embedding: crate::embed::EmbeddingArgs,
}

/// The time tagger of the built-in language profiles.
pub fn time_tagger() -> Result<storyline_extract::timex::TimeTagger> {
    Ok(storyline_extract::timex::TimeTagger::builtin()?)
}

/// Reads `--model`, or the built-in model.
pub fn load_model(path: Option<&Path>) -> Result<storyline_cluster::Model> {
    Ok(match path {
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .with_context(|| format!("reading model {}", p.display()))?;
            storyline_cluster::Model::parse(&text, &p.display().to_string())?
        }
        None => storyline_cluster::Model::builtin()?,
    })
}

pub fn train(args: TrainArgs) -> Result<Outcome> {
    if let Some(path) = &args.germeval {
        let (model, report) = storyline_eval::ner_eval::train(
            path,
            &args.silver,
            args.gold_weight,
            args.epochs,
            args.min_count,
        )
        .map_err(anyhow::Error::msg)
        .with_context(|| format!("training on {}", path.display()))?;
        let out = args.out.clone().unwrap_or_else(|| PathBuf::from("ner-de.bin"));
        std::fs::write(&out, model.to_bytes())
            .with_context(|| format!("writing {}", out.display()))?;
        eprintln!("wrote {}", out.display());
        output::write_json(&report)?;
        return Ok(Outcome::Done);
    }
    if !args.stream.is_empty() {
        let start = load_model(args.model.as_deref())?;
        let embedder = args.embedding.load();
        let (model, report) =
            storyline_eval::streams::train(&args.stream, &start, embedder.as_ref())
                .map_err(anyhow::Error::msg)
                .context("training on the labelled streams")?;
        let out = args.out.clone().unwrap_or_else(|| PathBuf::from("scorer.json"));
        std::fs::write(&out, model.to_json() + "\n")
            .with_context(|| format!("writing {}", out.display()))?;
        eprintln!("wrote {}", out.display());
        output::write_json(&report)?;
        return Ok(Outcome::Done);
    }
    let Some(semeval) = &args.semeval else {
        bail!("give --semeval CSV, --stream FILE or --germeval TSV")
    };
    let start = load_model(args.model.as_deref())?;
    let embedder = args.embedding.load();
    let (model, report) = storyline_eval::semeval::train(semeval, &start, embedder.as_ref())
        .map_err(anyhow::Error::msg)
        .with_context(|| format!("training on {}", semeval.display()))?;
    let out = args.out.clone().unwrap_or_else(|| PathBuf::from("scorer.json"));
    std::fs::write(&out, model.to_json() + "\n")
        .with_context(|| format!("writing {}", out.display()))?;
    eprintln!("wrote {}", out.display());
    output::write_json(&report)?;
    Ok(Outcome::Done)
}

pub fn eval(args: EvalArgs) -> Result<Outcome> {
    let normaliser = storyline_ingest::Normaliser::new()?;
    let needs_model = matches!(args.suite.as_str(), "semeval" | "seeds" | "clusters");
    let embedder = if needs_model { args.embedding.load() } else { None };
    let embedder = embedder.as_ref();
    let metrics = match args.suite.as_str() {
        "extraction" => storyline_eval::normalise_eval::extraction(&args.data, &normaliser),
        "langid" => storyline_eval::normalise_eval::langid(&args.data, &normaliser),
        "date-bounds" => storyline_eval::normalise_eval::date_bounds(&args.data, &normaliser),
        "semeval" => {
            let model = load_model(args.model.as_deref())?;
            storyline_eval::semeval::evaluate(&args.data, &model, embedder, args.all_pairs)
        }
        "seeds" => storyline_eval::stories_eval::seeds(
            &args.data,
            &load_model(args.model.as_deref())?,
            embedder,
            &normaliser,
        ),
        "clusters" => match args.folds {
            Some(k) => {
                let mut paths = vec![args.data.clone()];
                paths.extend(args.with_streams.iter().cloned());
                storyline_eval::streams::cross_validate(
                    &paths,
                    &load_model(args.model.as_deref())?,
                    embedder,
                    k,
                )
            }
            None => storyline_eval::streams::evaluate(
                &args.data,
                &load_model(args.model.as_deref())?,
                embedder,
            ),
        },
        "timex" => storyline_eval::timex_eval::wikiwars(&args.data, &time_tagger()?),
        "titles" => storyline_eval::titles_eval::titles(&args.data, args.articles.as_deref()),
        "germeval" => {
            // `--model`: a tagger written by `storyline train --germeval` instead of the built-in.
            let mut finder = storyline_extract::entities::EntityFinder::builtin()?;
            if let Some(p) = &args.model {
                let bytes = std::fs::read(p).with_context(|| format!("reading {}", p.display()))?;
                let tagger = storyline_extract::entities::TaggerModel::from_bytes(&bytes)
                    .with_context(|| format!("{} is not a tagger model", p.display()))?;
                finder = finder.with_tagger(Some(tagger));
            }
            storyline_eval::ner_eval::germeval(&args.data, &finder)
        }
        "recognizers-number" => storyline_eval::numbers_eval::recognizers_number(
            &args.data,
            &storyline_extract::figures::NumberFinder::builtin()?,
        ),
        "quotes" => storyline_eval::quotes_eval::quotes(
            &args.data,
            &storyline_extract::quotes::QuoteFinder::builtin()?,
        ),
        "recognizers-time" => {
            storyline_eval::timex_eval::recognizers_time(&args.data, &time_tagger()?)
        }
        other => {
            bail!("unknown suite {other:?}; use extraction, langid, date-bounds, semeval, seeds, clusters, titles, timex, recognizers-time, recognizers-number, germeval or quotes")
        }
    }
    .map_err(anyhow::Error::msg)
    .with_context(|| format!("eval {} on {}", args.suite, args.data.display()))?;
    let value = serde_json::json!({"suite": args.suite, "metrics": metrics});
    if args.json {
        let mut out = std::io::stdout().lock();
        serde_json::to_writer(&mut out, &value)?;
        writeln!(out)?;
    } else {
        output::write_json(&value)?;
    }
    Ok(Outcome::Done)
}

//! How results are printed: tables and article views for people, JSON for scripts. All of it
//! goes to stdout; messages for people go to stderr.

use anyhow::Result;
use serde_json::{json, Value};
use std::io::Write;
use storyline_core::Article;
use storyline_engine::IngestReport;
use storyline_store::ArticleSummary;

/// A spinner with a message and the time taken on a terminal; hidden when stderr is not one.
pub fn spinner() -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} {msg} [{elapsed}]")
            .expect("valid template"),
    );
    bar
}

/// Whether progress is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    /// A line per stage on a terminal; a log line every few seconds otherwise.
    Auto,
    /// Nothing (`--quiet`).
    Quiet,
}

/// How often progress is logged when stderr is not a terminal.
const LOG_EVERY: std::time::Duration = std::time::Duration::from_secs(5);

/// The progress of a job, one line per stage: done, rate and, where the total is known, the
/// time left. On a terminal the lines are live; otherwise a line is logged every
/// [`LOG_EVERY`] and when a stage ends. Rejects are said as they happen either way.
pub struct StageProgress {
    shown: Shown,
    terminal: bool,
    bars: indicatif::MultiProgress,
    /// The stages running now (extraction and clustering run at once), with their bars and
    /// when they started.
    running: Vec<(storyline_engine::Stage, indicatif::ProgressBar, std::time::Instant)>,
    logged: std::time::Instant,
}

impl StageProgress {
    pub fn new(shown: Shown) -> StageProgress {
        use std::io::IsTerminal;
        let terminal = shown == Shown::Auto && std::io::stderr().is_terminal();
        let bars = indicatif::MultiProgress::new();
        if !terminal {
            bars.set_draw_target(indicatif::ProgressDrawTarget::hidden());
        }
        let now = std::time::Instant::now();
        StageProgress { shown, terminal, bars, running: Vec::new(), logged: now }
    }

    pub fn on(&mut self, event: storyline_engine::JobEvent) {
        use storyline_engine::JobEvent;
        match event {
            JobEvent::Started { stage, total } => {
                let bar = match total {
                    Some(n) => indicatif::ProgressBar::new(n).with_style(
                        indicatif::ProgressStyle::with_template(
                            "{prefix:>8} {bar:24} {human_pos}/{human_len}  {per_sec}  ETA {eta}",
                        )
                        .expect("valid template"),
                    ),
                    None => indicatif::ProgressBar::new_spinner().with_style(
                        indicatif::ProgressStyle::with_template(
                            "{prefix:>8} {spinner} {human_pos}  {per_sec}  [{elapsed}]",
                        )
                        .expect("valid template"),
                    ),
                };
                let bar = self.bars.add(bar.with_prefix(stage.as_str()));
                self.logged = std::time::Instant::now();
                self.running.push((stage, bar, std::time::Instant::now()));
            }
            JobEvent::Progress { stage, done } => {
                let Some((_, bar, _)) = self.running.iter().find(|(s, ..)| *s == stage) else {
                    return;
                };
                bar.set_position(done);
                if !self.terminal && self.shown == Shown::Auto && self.logged.elapsed() >= LOG_EVERY
                {
                    // The stages run at once: one line tells each of them.
                    self.logged = std::time::Instant::now();
                    let line: Vec<String> = self
                        .running
                        .iter()
                        .map(|(stage, bar, started)| {
                            let secs = started.elapsed().as_secs_f64();
                            let done = bar.position();
                            format!(
                                "{} {done} done, {:.0}/s",
                                stage.as_str(),
                                done as f64 / secs.max(1e-9)
                            )
                        })
                        .collect();
                    eprintln!("{}", line.join("; "));
                }
            }
            JobEvent::Finished { stage, items, busy } => {
                if let Some(i) = self.running.iter().position(|(s, ..)| *s == stage) {
                    let (_, bar, _) = self.running.remove(i);
                    bar.set_position(items);
                    bar.finish();
                }
                if !self.terminal && self.shown == Shown::Auto && items > 0 {
                    let secs = busy.as_secs_f64();
                    eprintln!(
                        "{}: {items} done in {secs:.1} s ({:.0}/s)",
                        stage.as_str(),
                        items as f64 / secs.max(1e-9)
                    );
                }
            }
            JobEvent::Rejected(reject) => {
                self.bars.suspend(|| eprintln!("skipped {reject}"));
            }
        }
    }

    pub fn finish(&mut self) {
        for (_, bar, _) in self.running.drain(..) {
            bar.finish();
        }
        let _ = self.bars.clear();
    }
}

pub fn write_json(value: &Value) -> Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)?;
    Ok(())
}

pub fn report_json(r: &IngestReport) -> Value {
    json!({
        "read": r.read,
        "inserted": r.inserted,
        "existing": r.existing,
        "rejects": r.rejects.iter().map(|x| json!({
            "path": x.path, "line": x.line, "kind": x.kind.as_str(), "message": x.message,
        })).collect::<Vec<_>>(),
        "rejected": r.rejected,
        "rejected_by_kind": r.rejected_by_kind,
    })
}

/// ` (bad_json 3, empty 1)`: the rejects by kind, for the summary line; empty without rejects.
pub fn kinds_summary(r: &IngestReport) -> String {
    if r.rejected == 0 {
        return String::new();
    }
    let kinds: Vec<String> = r.rejected_by_kind.iter().map(|(k, n)| format!("{k} {n}")).collect();
    format!(" ({})", kinds.join(", "))
}

pub fn summary_json(s: &ArticleSummary) -> Value {
    serde_json::to_value(storyline_engine::views::contract::ArticleItem::from(s))
        .unwrap_or(Value::Null)
}

pub fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_owned()
    } else {
        s.chars().take(n - 1).collect::<String>() + "…"
    }
}

pub fn write_table(rows: &[ArticleSummary]) -> Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{:<16}  {:<22}  {:<4}  {:<16}  TITLE", "ID", "DATE", "LANG", "OUTLET")?;
    for r in rows {
        writeln!(
            out,
            "{:<16}  {:<22}  {:<4}  {:<16}  {}",
            r.id.as_str(),
            r.date.as_deref().unwrap_or("unknown"),
            r.lang.as_deref().unwrap_or("?"),
            clip(r.outlet.as_deref().unwrap_or("unknown"), 16),
            clip(&r.title, 80)
        )?;
    }
    Ok(())
}

pub fn write_article(a: &Article) -> Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "id:       {}", a.id)?;
    writeln!(
        out,
        "source:   {} ({}{})",
        a.source,
        a.source.format.as_str(),
        a.source.external_id.as_deref().map(|e| format!(", source id {e}")).unwrap_or_default()
    )?;
    if let Some(url) = &a.url {
        writeln!(out, "url:      {url}")?;
    }
    writeln!(out, "title:    {}", a.title)?;
    match &a.date {
        Some(d) => writeln!(
            out,
            "date:     {} ({} precision{}, from {})",
            d.iso,
            d.precision.as_str(),
            d.timezone.as_deref().map(|t| format!(", {t}")).unwrap_or_default(),
            d.source.as_str()
        )?,
        None => match a.not_before {
            Some(d) => writeln!(out, "date:     unknown (not before {d}, from the text)")?,
            None => writeln!(out, "date:     unknown")?,
        },
    }
    writeln!(out, "language: {}", a.lang.as_deref().unwrap_or("unknown"))?;
    writeln!(out, "outlet:   {}", a.outlet.as_deref().unwrap_or("unknown"))?;
    if let Some(author) = &a.author {
        writeln!(out, "author:   {author}")?;
    }
    writeln!(out, "\ndecisions:")?;
    for d in &a.decisions {
        writeln!(out, "  {:<11} {:<40}  {}", d.field.as_str(), clip(&d.value, 40), d.reason)?;
    }
    writeln!(out, "\ntext:\n{}", a.text)?;
    Ok(())
}

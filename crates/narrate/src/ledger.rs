//! The figures ledger: the same quantity as each outlet or speaker reports it, with
//! disagreements flagged ("annähernd fünf Millionen Schuss" against "bis zu 4,8 Millionen
//! Granaten").
//!
//! Two reports are taken to be of one quantity when they come from different articles or
//! different speakers and either carry the same unit with amounts within a factor of
//! [`SAME_UNIT_RATIO`], or count the same noun within [`SAME_NOUN_RATIO`], or both count
//! something in the hundreds of thousands or more with amounts within [`LARGE_RATIO`] (outlets
//! name the same shells "Granaten" and "Schuss"). A report joins an entry only when it is one
//! quantity with every report already in it (complete link), so no chain of near amounts joins
//! unrelated counts. Bare numbers
//! with neither unit nor counted noun are left out: without knowing what they count no one can
//! say whether they disagree.

use crate::build::{cite, Material};
use crate::report::{FigureReport, LedgerEntry};

/// Amounts in one unit this close may be one quantity.
const SAME_UNIT_RATIO: f64 = 1.5;
/// Amounts of one counted noun this close may be one quantity.
const SAME_NOUN_RATIO: f64 = 2.0;
/// Large counts of different nouns this close may be one quantity.
const LARGE_RATIO: f64 = 1.25;
/// What "large" means for [`LARGE_RATIO`]: hundreds of thousands, where outlets round and name
/// things differently; smaller counts of different nouns are different things.
const LARGE: f64 = 100_000.0;
/// Figures compared per event (pairs are compared, so this bounds the work): the earliest.
const MAX_ITEMS: usize = 1500;
/// Relative difference above which two amounts disagree.
const DIFFERENT: f64 = 0.005;

struct Item {
    report: FigureReport,
    article: String,
    kind: String,
}

fn ratio(a: f64, b: f64) -> f64 {
    let (lo, hi) = if a.abs() < b.abs() { (a.abs(), b.abs()) } else { (b.abs(), a.abs()) };
    if lo == 0.0 {
        f64::INFINITY
    } else {
        hi / lo
    }
}

fn noun_key(noun: &str) -> String {
    noun.to_lowercase().chars().take(5).collect()
}

fn same_quantity(a: &Item, b: &Item) -> bool {
    if a.article == b.article && a.report.claimed_by == b.report.claimed_by {
        return false;
    }
    if a.kind != b.kind {
        return false;
    }
    let (x, y) = (&a.report, &b.report);
    let r = ratio(x.value, y.value);
    match (&x.unit, &y.unit) {
        (Some(u), Some(v)) => u == v && r <= SAME_UNIT_RATIO,
        (None, None) => match (&x.counted, &y.counted) {
            (Some(m), Some(n)) if noun_key(m) == noun_key(n) => r <= SAME_NOUN_RATIO,
            (Some(_), Some(_)) => x.value >= LARGE && y.value >= LARGE && r <= LARGE_RATIO,
            _ => false,
        },
        _ => false,
    }
}

/// Complete link: a report joins the first entry it is one quantity with, report by report,
/// so that no chain of near amounts joins unrelated counts. Entries as indices into `items`.
fn group(items: &[Item]) -> Vec<Vec<usize>> {
    let mut members: Vec<Vec<usize>> = Vec::new();
    for i in 0..items.len() {
        match members.iter_mut().find(|g| g.iter().all(|&j| compatible(&items[i], &items[j]))) {
            Some(g) => g.push(i),
            None => members.push(vec![i]),
        }
    }
    members
}

/// Whether two reports can stand in one entry: one quantity, or the same report repeated in
/// one article.
fn compatible(a: &Item, b: &Item) -> bool {
    if a.article == b.article && a.report.claimed_by == b.report.claimed_by {
        return a.report.unit == b.report.unit
            && a.report.counted == b.report.counted
            && !differs(a.report.value, b.report.value);
    }
    same_quantity(a, b)
}

/// The ledger of one event's independent reports: entries with several reports first, those
/// that disagree before those that agree.
pub fn ledger(event: u32, material: &[&Material]) -> Vec<LedgerEntry> {
    let mut items = Vec::new();
    for m in material {
        for f in &m.1.figures {
            if f.unit.is_none() && f.counted.is_none() && f.kind != "percent" {
                continue;
            }
            items.push(Item {
                report: FigureReport {
                    text: m.0.text[f.start..f.end].to_string(),
                    value: f.value,
                    high: f.high,
                    unit: f.unit.clone(),
                    counted: f.counted.clone(),
                    approximation: f.approximation.clone(),
                    claimed_by: f.source.clone(),
                    cite: cite(m, f.start, f.end),
                },
                article: m.0.article.id.as_str().to_string(),
                kind: f.kind.clone(),
            });
        }
    }
    items.truncate(MAX_ITEMS);
    let groups: Vec<Vec<FigureReport>> = group(&items)
        .into_iter()
        .map(|g| g.into_iter().map(|i| items[i].report.clone()).collect())
        .collect();
    let mut entries: Vec<LedgerEntry> = groups
        .into_iter()
        .map(|reports| {
            let disagreement = reports.iter().any(|a| {
                reports.iter().any(|b| {
                    differs(a.value, b.value)
                        || differs(a.high.unwrap_or(a.value), b.high.unwrap_or(b.value))
                })
            });
            let reports_total = reports.len() as u32;
            let mut reports = reports;
            reports.truncate(crate::REPORTS_PER_QUANTITY);
            LedgerEntry {
                quantity: quantity(&reports),
                event,
                reports,
                reports_total,
                disagreement,
            }
        })
        .collect();
    order(&mut entries);
    entries
}

/// Entries with several reports first, those that disagree before those that agree.
pub fn order(entries: &mut [LedgerEntry]) {
    entries.sort_by_key(|e| {
        (std::cmp::Reverse((e.reports.len() > 1, e.disagreement, e.reports_total)), e.event)
    });
}

fn differs(a: f64, b: f64) -> bool {
    let scale = a.abs().max(b.abs());
    scale > 0.0 && (a - b).abs() / scale > DIFFERENT
}

/// What the entry measures: its units or counted nouns as the reports write them.
fn quantity(reports: &[FigureReport]) -> String {
    let mut names: Vec<String> = Vec::new();
    for r in reports {
        let name =
            r.unit.clone().or_else(|| r.counted.clone()).unwrap_or_else(|| "Prozent".to_string());
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names.join(" / ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(article: &str, value: f64, counted: &str, by: &str) -> Item {
        Item {
            report: FigureReport {
                text: String::new(),
                value,
                high: None,
                unit: None,
                counted: Some(counted.into()),
                approximation: None,
                claimed_by: Some(by.into()),
                cite: crate::report::Citation {
                    article: article.into(),
                    start: 0,
                    end: 0,
                    outlet: None,
                },
            },
            article: article.into(),
            kind: "cardinal".into(),
        }
    }

    #[test]
    fn shells_counted_as_granaten_and_schuss_are_one_quantity() {
        let a = item("x", 4.8e6, "Granaten", "Shin Wonsik");
        let b = item("x", 5e6, "Schuss", "Südkorea");
        assert!(same_quantity(&a, &b), "one article, two speakers");
        let c = item("y", 300.0, "Soldaten", "A");
        let d = item("z", 320.0, "Panzer", "B");
        assert!(!same_quantity(&c, &d), "small counts of different things");
        let e = item("z", 500.0, "Soldaten", "B");
        assert!(same_quantity(&c, &e), "the same noun, different amounts");
        let g = item("p", 3000.0, "Schutzsuchende", "A");
        let h = item("q", 2500.0, "Mitarbeiter", "B");
        assert!(!same_quantity(&g, &h), "thousands of different things are different");
        // 4.0, 4.8 and 5.8 million shells: each near the middle, the ends too far apart.
        let chain = [
            item("r", 4.0e6, "Granaten", "A"),
            item("s", 4.8e6, "Schuss", "B"),
            item("t", 5.8e6, "Munition", "C"),
        ];
        assert_eq!(group(&chain), vec![vec![0, 1], vec![2]], "no chaining");
        let f = item("x", 4.8e6, "Granaten", "Shin Wonsik");
        assert!(!same_quantity(&a, &f), "one report is not two");
        assert!(differs(4.8e6, 5e6) && !differs(5e6, 5e6));
    }
}

//! The figures ledger: the same quantity as each outlet or speaker reports it, with
//! disagreements flagged ("annähernd fünf Millionen Schuss" against "bis zu 4,8 Millionen
//! Granaten").
//!
//! Two reports are taken to be of one quantity when they come from different articles or
//! different speakers and either carry the same unit with amounts within a factor of
//! [`SAME_UNIT_RATIO`], or count the same noun within [`SAME_NOUN_RATIO`], or both count
//! something in the thousands or more with amounts within [`LARGE_RATIO`] (outlets name the same
//! shells "Granaten" and "Schuss"). Reports joined through others form one entry. Bare numbers
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
/// What "large" means for [`LARGE_RATIO`].
const LARGE: f64 = 1000.0;
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

fn find(parent: &mut [usize], i: usize) -> usize {
    let mut root = i;
    while parent[root] != root {
        root = parent[root];
    }
    let mut at = i;
    while parent[at] != root {
        let next = parent[at];
        parent[at] = root;
        at = next;
    }
    root
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
    let mut parent: Vec<usize> = (0..items.len()).collect();
    for i in 0..items.len() {
        for j in i + 1..items.len() {
            if same_quantity(&items[i], &items[j]) {
                let (a, b) = (find(&mut parent, i), find(&mut parent, j));
                parent[b] = a;
            }
        }
    }
    let mut groups: Vec<Vec<FigureReport>> = Vec::new();
    let mut slot: Vec<Option<usize>> = vec![None; items.len()];
    for (i, item) in items.iter().enumerate() {
        let root = find(&mut parent, i);
        let at = *slot[root].get_or_insert_with(|| {
            groups.push(Vec::new());
            groups.len() - 1
        });
        groups[at].push(item.report.clone());
    }
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
        let f = item("x", 4.8e6, "Granaten", "Shin Wonsik");
        assert!(!same_quantity(&a, &f), "one report is not two");
        assert!(differs(4.8e6, 5e6) && !differs(5e6, 5e6));
    }
}

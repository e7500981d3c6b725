//! What the extraction stage stores: each article's quotes and time expressions, with byte
//! offsets into its clean text, and a mark that the article was extracted.

use std::collections::HashMap;
use storyline_core::ArticleId;

use crate::db::{args, DbError, Row};
use crate::{Store, StoreError};

/// One quote to store or as stored. Offsets are bytes into the article's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuoteRow {
    /// First byte of the quote.
    pub start: usize,
    /// Byte after its end.
    pub end: usize,
    /// `Direct`, `Indirect`, `FreeIndirect`, `IndirectFreeIndirect` or `Reported`.
    pub kind: String,
    /// The cue's span.
    pub cue: Option<(usize, usize)>,
    /// The speaker phrase's span.
    pub speaker: Option<(usize, usize)>,
    /// The speaker's name, resolved through the document.
    pub speaker_name: Option<String>,
    /// A key equal for the spellings of one name.
    pub speaker_key: Option<String>,
    /// Inside another quote.
    pub nested: bool,
}

/// One time expression to store or as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimexRow {
    /// First byte.
    pub start: usize,
    /// Byte after the end.
    pub end: usize,
    /// `date`, `time`, `duration` or `reference`.
    pub kind: String,
    /// TIMEX2 value.
    pub value: String,
    /// The finest unit stated (`day`, `month`, ...).
    pub granularity: String,
    /// `absolute`, `document`, `previous` or `unresolved`.
    pub resolution: String,
    /// `START`, `MID` or `END`.
    pub modifier: Option<String>,
}

/// One figure to store or as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct FigureRow {
    /// First byte.
    pub start: usize,
    /// Byte after the end.
    pub end: usize,
    /// The amount (the lower end of a range).
    pub value: f64,
    /// The upper end of a range.
    pub high: Option<f64>,
    /// `cardinal` or `percent`.
    pub kind: String,
    /// The unit's name.
    pub unit: Option<String>,
    /// The noun counted.
    pub counted: Option<String>,
    /// The approximation or bound before it.
    pub approximation: Option<String>,
    /// Who says so: the speaker of the quote it stands in.
    pub source: Option<String>,
}

/// One named-entity mention to store or as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntityRow {
    /// First byte.
    pub start: usize,
    /// Byte after the end.
    pub end: usize,
    /// `PER`, `LOC`, `ORG`, `OTH` or `LOCderiv`.
    pub etype: String,
    /// The canonical name.
    pub canonical: String,
    /// The key equal for every spelling.
    pub key: String,
    /// A role written before it.
    pub role: Option<String>,
}

/// One entity across the store: its key, type, name, spellings and how often it is mentioned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntitySummary {
    /// The key equal for every spelling.
    pub key: String,
    /// The most frequent type.
    pub etype: String,
    /// The fullest canonical name seen.
    pub canonical: String,
    /// Every spelling seen, most frequent first.
    pub variants: Vec<String>,
    /// Roles written before it.
    pub roles: Vec<String>,
    /// Mentions.
    pub mentions: u64,
    /// Articles mentioning it.
    pub articles: u64,
}

/// Everything extracted from one article.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Extraction {
    /// The article's sequence number.
    pub article_seq: i64,
    /// Its quotes, in text order.
    pub quotes: Vec<QuoteRow>,
    /// Its time expressions, in text order.
    pub timexes: Vec<TimexRow>,
    /// Its figures, in text order.
    pub figures: Vec<FigureRow>,
    /// Its named-entity mentions, in text order.
    pub entities: Vec<EntityRow>,
}

/// An article waiting for extraction: sequence number, text, language, and its date as stored
/// (`date_iso`, precision).
#[derive(Debug, Clone)]
pub struct ArticleToExtract {
    /// Sequence number.
    pub seq: i64,
    /// Clean text.
    pub text: String,
    /// Language code.
    pub lang: Option<String>,
    /// Publication date as written in local time (`2023-09-12T07:43:00+02:00`), if known.
    pub date_iso: Option<String>,
    /// Its precision (`minute`, `day`, `month`...).
    pub date_precision: Option<String>,
}

/// A quote found by a search, with its article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuoteHit {
    /// The article's id.
    pub article: ArticleId,
    /// Its title.
    pub title: String,
    /// Its publication date as written, if known.
    pub date: Option<String>,
    /// The quote's text.
    pub text: String,
    /// The quote.
    pub quote: QuoteRow,
}

/// A figure found by a listing, with its article.
#[derive(Debug, Clone, PartialEq)]
pub struct FigureHit {
    /// The article's id.
    pub article: ArticleId,
    /// Its title.
    pub title: String,
    /// Its publication date as written, if known.
    pub date: Option<String>,
    /// Its outlet, if known.
    pub outlet: Option<String>,
    /// The figure's text.
    pub text: String,
    /// The figure.
    pub figure: FigureRow,
}

fn figure_row(r: &Row<'_>) -> Result<FigureRow, DbError> {
    Ok(FigureRow {
        start: r.get::<i64>(0)? as usize,
        end: r.get::<i64>(1)? as usize,
        value: r.get(2)?,
        high: r.get(3)?,
        kind: r.get(4)?,
        unit: r.get(5)?,
        counted: r.get(6)?,
        approximation: r.get(7)?,
        source: r.get(8)?,
    })
}

/// The version of the extraction written; a newer one re-extracts older rows. 4: undated news
/// articles leave days and months without a year unresolved. 5: a bound on its own ("bis März
/// 1862") and an aside of another year in a section headed by a year leave the date a text has
/// reached where it was. 6: named days ("Ostern", "Tag der Deutschen Einheit") and clock times
/// in words or with a part of the day ("halb acht", "8 Uhr abends"). 7: after a fronted phrase
/// ("Nach Angaben russischer Nachrichtenagenturen sagte Peskow") the speaker follows the verb;
/// counts and a half ("anderthalb Jahre" is `P1.5Y`).
pub const EXTRACTION_VERSION: i64 = 7;

fn quote_row(r: &Row<'_>, at: usize) -> Result<QuoteRow, DbError> {
    let pair = |a: Option<i64>, b: Option<i64>| a.zip(b).map(|(a, b)| (a as usize, b as usize));
    Ok(QuoteRow {
        start: r.get::<i64>(at)? as usize,
        end: r.get::<i64>(at + 1)? as usize,
        kind: r.get(at + 2)?,
        cue: pair(r.get(at + 3)?, r.get(at + 4)?),
        speaker: pair(r.get(at + 5)?, r.get(at + 6)?),
        speaker_name: r.get(at + 7)?,
        speaker_key: r.get(at + 8)?,
        nested: r.get::<i64>(at + 9)? != 0,
    })
}

const QUOTE_COLUMNS: &str = r#"q.start, q."end", q.kind, q.cue_start, q.cue_end, q.speaker_start, q.speaker_end, q.speaker, q.speaker_key, q.nested"#;

impl Store {
    /// Articles not yet extracted (or extracted by an older version), sequence number above
    /// `after`, in ingest order, at most `limit`.
    pub fn unextracted(
        &self,
        after: i64,
        limit: usize,
    ) -> Result<Vec<ArticleToExtract>, StoreError> {
        self.db
            .query(
                "SELECT a.seq, a.text, a.lang, a.date_iso, a.date_precision FROM articles a
                 LEFT JOIN extracted x ON x.article_seq = a.seq
                 WHERE a.seq > ?1 AND (x.article_seq IS NULL OR x.version < ?3) ORDER BY a.seq LIMIT ?2",
                args![after, limit as i64, EXTRACTION_VERSION],
                |r| {
                    Ok(ArticleToExtract {
                        seq: r.get(0)?,
                        text: r.get(1)?,
                        lang: r.get(2)?,
                        date_iso: r.get(3)?,
                        date_precision: r.get(4)?,
                    })
                },
            )
            .map_err(|e| self.sql(e))
    }

    /// Stores a batch of extractions in one transaction, replacing what an article had.
    pub fn write_extractions(&mut self, batch: &[Extraction]) -> Result<(), StoreError> {
        use crate::db::{Cell, Kind::*};
        let err = |e| self.sql(e);
        // An article given twice keeps its last extraction, as if written one after the other.
        let last: HashMap<i64, usize> =
            batch.iter().enumerate().map(|(i, x)| (x.article_seq, i)).collect();
        let batch: Vec<&Extraction> = batch
            .iter()
            .enumerate()
            .filter(|(i, x)| last[&x.article_seq] == *i)
            .map(|p| p.1)
            .collect();
        let (mut entities, mut figures, mut quotes, mut timexes) = (vec![], vec![], vec![], vec![]);
        for x in &batch {
            let seq = x.article_seq;
            for (ord, e) in x.entities.iter().enumerate() {
                entities.push(vec![
                    Cell::from(seq),
                    Cell::from(ord as i64),
                    Cell::from(e.start as i64),
                    Cell::from(e.end as i64),
                    Cell::from(e.etype.as_str()),
                    Cell::from(e.canonical.as_str()),
                    Cell::from(e.key.as_str()),
                    Cell::from(e.role.as_deref()),
                ]);
            }
            for (ord, f) in x.figures.iter().enumerate() {
                figures.push(vec![
                    Cell::from(seq),
                    Cell::from(ord as i64),
                    Cell::from(f.start as i64),
                    Cell::from(f.end as i64),
                    Cell::from(f.value),
                    Cell::from(f.high),
                    Cell::from(f.kind.as_str()),
                    Cell::from(f.unit.as_deref()),
                    Cell::from(f.counted.as_deref()),
                    Cell::from(f.approximation.as_deref()),
                    Cell::from(f.source.as_deref()),
                ]);
            }
            for (ord, q) in x.quotes.iter().enumerate() {
                quotes.push(vec![
                    Cell::from(seq),
                    Cell::from(ord as i64),
                    Cell::from(q.start as i64),
                    Cell::from(q.end as i64),
                    Cell::from(q.kind.as_str()),
                    Cell::from(q.cue.map(|c| c.0 as i64)),
                    Cell::from(q.cue.map(|c| c.1 as i64)),
                    Cell::from(q.speaker.map(|c| c.0 as i64)),
                    Cell::from(q.speaker.map(|c| c.1 as i64)),
                    Cell::from(q.speaker_name.as_deref()),
                    Cell::from(q.speaker_key.as_deref()),
                    Cell::from(i64::from(q.nested)),
                ]);
            }
            for (ord, t) in x.timexes.iter().enumerate() {
                timexes.push(vec![
                    Cell::from(seq),
                    Cell::from(ord as i64),
                    Cell::from(t.start as i64),
                    Cell::from(t.end as i64),
                    Cell::from(t.kind.as_str()),
                    Cell::from(t.value.as_str()),
                    Cell::from(t.granularity.as_str()),
                    Cell::from(t.resolution.as_str()),
                    Cell::from(t.modifier.as_deref()),
                ]);
            }
        }
        let tx = self.db.begin().map_err(err)?;
        for x in &batch {
            for table in ["quotes", "timexes", "figures", "entities"] {
                tx.execute_later(
                    &format!("DELETE FROM {table} WHERE article_seq = ?1"),
                    args![x.article_seq],
                )
                .map_err(err)?;
            }
            tx.execute_later(
                "INSERT INTO extracted (article_seq, version) VALUES (?1, ?2)
                 ON CONFLICT (article_seq) DO UPDATE SET version = excluded.version",
                args![x.article_seq, EXTRACTION_VERSION],
            )
            .map_err(err)?;
        }
        let at = [("article_seq", Int), ("ord", Int), ("start", Int), ("\"end\"", Int)];
        let table = |rest: &[(&'static str, crate::db::Kind)]| [&at[..], rest].concat();
        tx.insert_rows(
            "entities",
            &table(&[("type", Text), ("canonical", Text), ("key", Text), ("role", Text)]),
            &entities,
        )
        .map_err(err)?;
        tx.insert_rows(
            "figures",
            &table(&[
                ("value", Real),
                ("high", Real),
                ("kind", Text),
                ("unit", Text),
                ("counted", Text),
                ("approximation", Text),
                ("source", Text),
            ]),
            &figures,
        )
        .map_err(err)?;
        tx.insert_rows(
            "quotes",
            &table(&[
                ("kind", Text),
                ("cue_start", Int),
                ("cue_end", Int),
                ("speaker_start", Int),
                ("speaker_end", Int),
                ("speaker", Text),
                ("speaker_key", Text),
                ("nested", Int),
            ]),
            &quotes,
        )
        .map_err(err)?;
        tx.insert_rows(
            "timexes",
            &table(&[
                ("kind", Text),
                ("value", Text),
                ("granularity", Text),
                ("resolution", Text),
                ("modifier", Text),
            ]),
            &timexes,
        )
        .map_err(err)?;
        tx.commit().map_err(err)
    }

    /// The quotes and time expressions stored for the article with this id (empty when it was
    /// not extracted).
    pub fn extraction(&self, id: &ArticleId) -> Result<Extraction, StoreError> {
        let seq: Option<i64> = self
            .db
            .query_opt("SELECT seq FROM articles WHERE id = ?1", args![id.as_str()], |r| r.get(0))
            .map_err(|e| self.sql(e))?;
        let Some(seq) = seq else { return Ok(Extraction::default()) };
        let quotes = self
            .db
            .query(
                &format!(
                    "SELECT {QUOTE_COLUMNS} FROM quotes q WHERE q.article_seq = ?1 ORDER BY q.ord"
                ),
                args![seq],
                |r| quote_row(r, 0),
            )
            .map_err(|e| self.sql(e))?;
        let timexes = self
            .db
            .query(
                r#"SELECT start, "end", kind, value, granularity, resolution, modifier FROM timexes
                 WHERE article_seq = ?1 ORDER BY ord"#,
                args![seq],
                |r| {
                    Ok(TimexRow {
                        start: r.get::<i64>(0)? as usize,
                        end: r.get::<i64>(1)? as usize,
                        kind: r.get(2)?,
                        value: r.get(3)?,
                        granularity: r.get(4)?,
                        resolution: r.get(5)?,
                        modifier: r.get(6)?,
                    })
                },
            )
            .map_err(|e| self.sql(e))?;
        let figures = self
            .db
            .query(
                r#"SELECT start, "end", value, high, kind, unit, counted, approximation, source FROM figures
                 WHERE article_seq = ?1 ORDER BY ord"#,
                args![seq],
                figure_row,
            )
            .map_err(|e| self.sql(e))?;
        let entities = self
            .db
            .query(
                r#"SELECT start, "end", type, canonical, key, role FROM entities WHERE article_seq = ?1 ORDER BY ord"#,
                args![seq],
                |r| {
                    Ok(EntityRow {
                        start: r.get::<i64>(0)? as usize,
                        end: r.get::<i64>(1)? as usize,
                        etype: r.get(2)?,
                        canonical: r.get(3)?,
                        key: r.get(4)?,
                        role: r.get(5)?,
                    })
                },
            )
            .map_err(|e| self.sql(e))?;
        Ok(Extraction { article_seq: seq, quotes, timexes, figures, entities })
    }

    /// Entities across the store, most mentioned first: a surname alone ("Putin") joins the one
    /// full name of a person that ends with it ("Wladimir Putin"). Derived places are left out.
    /// Mentions are read in stored order, so that which spelling counts as canonical among equals,
    /// and the order of roles, are the same on every backend.
    pub fn entities(&self, limit: usize, offset: usize) -> Result<Vec<EntitySummary>, StoreError> {
        use std::collections::BTreeMap;
        let rows = self
            .db
            .query(
                r#"SELECT e.key, e.type, e.canonical, e.role, e.article_seq, a.text, e.start, e."end"
                 FROM entities e JOIN articles a ON a.seq = e.article_seq
                 WHERE e.type NOT LIKE '%deriv' AND e.type NOT LIKE '%part'
                 ORDER BY e.article_seq, e.ord"#,
                args![],
                |r| {
                    let text: String = r.get(5)?;
                    let (s, e): (i64, i64) = (r.get(6)?, r.get(7)?);
                    Ok((
                        r.get::<String>(0)?,
                        r.get::<String>(1)?,
                        r.get::<String>(2)?,
                        r.get::<Option<String>>(3)?,
                        r.get::<i64>(4)?,
                        text.get(s as usize..e as usize).unwrap_or_default().to_string(),
                    ))
                },
            )
            .map_err(|e| self.sql(e))?;
        // Surnames of people with a full name, when only one full name ends with them.
        let mut full_by_last: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (key, t, ..) in &rows {
            if t == "PER" && key.contains(' ') {
                let last = key.rsplit(' ').next().unwrap_or_default().to_string();
                let list = full_by_last.entry(last).or_default();
                if !list.contains(key) {
                    list.push(key.clone());
                }
            }
        }
        struct Acc {
            types: BTreeMap<String, u64>,
            canonical: String,
            variants: BTreeMap<String, u64>,
            roles: Vec<String>,
            mentions: u64,
            articles: std::collections::BTreeSet<i64>,
        }
        let mut acc: BTreeMap<String, Acc> = BTreeMap::new();
        for (key, t, canonical, role, seq, surface) in rows {
            let key = match full_by_last.get(&key) {
                Some(full) if t == "PER" && !key.contains(' ') && full.len() == 1 => {
                    full[0].clone()
                }
                _ => key,
            };
            let a = acc.entry(key).or_insert_with(|| Acc {
                types: BTreeMap::new(),
                canonical: canonical.clone(),
                variants: BTreeMap::new(),
                roles: Vec::new(),
                mentions: 0,
                articles: Default::default(),
            });
            *a.types.entry(t).or_default() += 1;
            if canonical.split_whitespace().count() > a.canonical.split_whitespace().count() {
                a.canonical = canonical;
            }
            *a.variants.entry(surface).or_default() += 1;
            if let Some(r) = role {
                if !a.roles.contains(&r) {
                    a.roles.push(r);
                }
            }
            a.mentions += 1;
            a.articles.insert(seq);
        }
        let mut out: Vec<EntitySummary> = acc
            .into_iter()
            .map(|(key, a)| {
                let mut variants: Vec<(String, u64)> = a.variants.into_iter().collect();
                variants.sort_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(&y.0)));
                let etype = a
                    .types
                    .iter()
                    .max_by_key(|(_, n)| **n)
                    .map(|(t, _)| t.clone())
                    .unwrap_or_default();
                EntitySummary {
                    key,
                    etype,
                    canonical: a.canonical,
                    variants: variants.into_iter().map(|(v, _)| v).collect(),
                    roles: a.roles,
                    mentions: a.mentions,
                    articles: a.articles.len() as u64,
                }
            })
            .collect();
        out.sort_by(|x, y| y.mentions.cmp(&x.mentions).then(x.key.cmp(&y.key)));
        Ok(out.into_iter().skip(offset).take(limit).collect())
    }

    /// Figures in ingest and text order, with their article; at most `limit` from `offset`.
    pub fn figures(&self, limit: usize, offset: usize) -> Result<Vec<FigureHit>, StoreError> {
        self.db
            .query(
                r#"SELECT f.start, f."end", f.value, f.high, f.kind, f.unit, f.counted, f.approximation, f.source,
                        a.id, a.title, a.date_iso, a.outlet, a.text
                 FROM figures f JOIN articles a ON a.seq = f.article_seq
                 ORDER BY f.article_seq, f.ord LIMIT ?1 OFFSET ?2"#,
                args![limit as i64, offset as i64],
                |r| {
                    let figure = figure_row(r)?;
                    let text: String = r.get(13)?;
                    Ok(FigureHit {
                        article: ArticleId::from_stored(r.get::<String>(9)?),
                        title: r.get(10)?,
                        date: r.get(11)?,
                        outlet: r.get(12)?,
                        text: text.get(figure.start..figure.end).unwrap_or_default().to_string(),
                        figure,
                    })
                },
            )
            .map_err(|e| self.sql(e))
    }

    /// Quotes in ingest and text order, of the speaker whose key is `speaker_key` when given
    /// (see `storyline_extract::quotes::name_key`), a key also matching a speaker whose key ends
    /// with it ("peskow" finds "dmitri peskow"); at most `limit` from `offset`.
    pub fn quotes(
        &self,
        speaker_key: Option<&str>,
        limit: usize,
        offset: usize,
    ) -> Result<Vec<QuoteHit>, StoreError> {
        let sql = format!(
            "SELECT a.id, a.title, a.date_iso, a.text, {QUOTE_COLUMNS} FROM quotes q JOIN articles a ON a.seq = q.article_seq
             WHERE CAST(?1 AS TEXT) IS NULL OR q.speaker_key = ?1 OR q.speaker_key LIKE '% ' || ?1
             ORDER BY q.article_seq, q.ord LIMIT ?2 OFFSET ?3"
        );
        self.db
            .query(&sql, args![speaker_key, limit as i64, offset as i64], |r| {
                let text: String = r.get(3)?;
                let quote = quote_row(r, 4)?;
                Ok(QuoteHit {
                    article: ArticleId::from_stored(r.get::<String>(0)?),
                    title: r.get(1)?,
                    date: r.get(2)?,
                    text: text.get(quote.start..quote.end).unwrap_or_default().to_string(),
                    quote,
                })
            })
            .map_err(|e| self.sql(e))
    }
}

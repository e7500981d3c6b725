//! Named entities: people, organisations, places and other names, with spelling variants
//! merged to one canonical name.
//!
//! A name is a run of capitalised words that are no common nouns (German capitalises every
//! noun: a word is common when the Wiktionary noun list has it, or ends in a noun it has:
//! "Schiffscontainer"), joined by hyphens and particles ("Kim Jong-un", "Karl-Theodor zu
//! Guttenberg"). Its type comes from the lists (first names, surnames, places of the world in
//! many spellings), the words around it (a role noun before it: "Kremlchef Putin"; a preposition
//! of place: "in Pjöngjang"; an organisation ending: "Nachrichtenagentur") and its shape
//! (acronyms are organisations). Within a document a shorter form takes the fullest form it
//! shortens ("Putin" after "Wladimir Putin", "Kim" after "Kim Jong Un"); places are named by
//! their GeoNames entry, so "Wladiwostok", "Wladiwostock" and "Vladivostok" are one place.
//! Adjectives made from places ("russische") are tagged as derived places.
//!
//! # Example
//! ```
//! use storyline_extract::entities::{EntityFinder, EntityType};
//! let finder = EntityFinder::builtin().unwrap();
//! let text = "Kremlchef Wladimir Putin empfing Kim Jong-un in Wladiwostok. Putin sprach von Freundschaft.";
//! let found = finder.find(text, Some("de"));
//! let putin: Vec<_> = found.iter().filter(|e| e.canonical == "Wladimir Putin").collect();
//! assert_eq!(putin.len(), 2);
//! assert_eq!(putin[0].role.as_deref(), Some("Kremlchef"));
//! assert!(found.iter().any(|e| e.etype == EntityType::Loc && e.canonical == "Vladivostok"));
//! ```

use std::collections::HashMap as StdHashMap;
use std::hash::BuildHasherDefault;

// The lists are looked up for every word of every article: a fast hasher (their keys come from
// the compiled-in lists, not from input, so there is no flooding to defend against).
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use serde::Serialize;
use storyline_text::profile::{builtin_profiles, EntityWords, Profile, ProfileError};
use storyline_text::TermHasher;
use xxhash_rust::xxh3::xxh3_64;

use crate::quotes::name_key;
use crate::timex::scan::{tokenize, Kind, Tok};

const NOUNS: &str = include_str!("../../../../resources/entities/de-nouns.txt");
const NAMES: &str = include_str!("../../../../resources/entities/de-names.tsv");
const PLACES: &str = include_str!("../../../../resources/entities/places.tsv");
const GEO: &str = include_str!("../../../../resources/entities/de-geo.tsv");
/// The German tagger, trained by `storyline train --germeval` (empty: rules only).
const TAGGER_DE: &[u8] = include_bytes!("../../../../resources/model/ner-de.bin");

mod tagger;
pub use tagger::{TaggedSentence, TaggerModel, Word};

/// What a name names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum EntityType {
    /// A person.
    #[serde(rename = "PER")]
    Per,
    /// A place.
    #[serde(rename = "LOC")]
    Loc,
    /// An organisation.
    #[serde(rename = "ORG")]
    Org,
    /// Another name: an event, a work, a product.
    #[serde(rename = "OTH")]
    Oth,
    /// An adjective made from a place ("russische", "Berliner").
    #[serde(rename = "LOCderiv")]
    LocDeriv,
    /// A compound with a place in it ("US-Bürger").
    #[serde(rename = "LOCpart")]
    LocPart,
    /// A compound with an organisation in it ("SPD-Genossen").
    #[serde(rename = "ORGpart")]
    OrgPart,
    /// A compound with a person in it ("Putin-Kim-Treffen").
    #[serde(rename = "PERpart")]
    PerPart,
}

impl EntityType {
    /// Its BIO tag: "B-PER" at the first word of a mention, "I-PER" after.
    pub fn tag(&self, begin: bool) -> &'static str {
        match (self, begin) {
            (EntityType::Per, true) => "B-PER",
            (EntityType::Per, false) => "I-PER",
            (EntityType::Loc, true) => "B-LOC",
            (EntityType::Loc, false) => "I-LOC",
            (EntityType::Org, true) => "B-ORG",
            (EntityType::Org, false) => "I-ORG",
            (EntityType::Oth, true) => "B-OTH",
            (EntityType::Oth, false) => "I-OTH",
            (EntityType::LocDeriv, true) => "B-LOCderiv",
            (EntityType::LocDeriv, false) => "I-LOCderiv",
            (EntityType::LocPart, true) => "B-LOCpart",
            (EntityType::LocPart, false) => "I-LOCpart",
            (EntityType::OrgPart, true) => "B-ORGpart",
            (EntityType::OrgPart, false) => "I-ORGpart",
            (EntityType::PerPart, true) => "B-PERpart",
            (EntityType::PerPart, false) => "I-PERpart",
        }
    }

    /// The GermEval label.
    pub fn as_str(&self) -> &'static str {
        match self {
            EntityType::Per => "PER",
            EntityType::Loc => "LOC",
            EntityType::Org => "ORG",
            EntityType::Oth => "OTH",
            EntityType::LocDeriv => "LOCderiv",
            EntityType::LocPart => "LOCpart",
            EntityType::OrgPart => "ORGpart",
            EntityType::PerPart => "PERpart",
        }
    }

    /// Whether this names something itself (not an adjective or a compound that contains a name).
    pub fn is_name(&self) -> bool {
        matches!(self, EntityType::Per | EntityType::Loc | EntityType::Org | EntityType::Oth)
    }
}

/// One mention of a named entity, with byte offsets.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EntityMention {
    /// First byte.
    pub start: usize,
    /// Byte after the end.
    pub end: usize,
    /// What it names.
    pub etype: EntityType,
    /// The canonical name: the fullest form in the document, or the place's GeoNames name.
    pub canonical: String,
    /// A key equal for every spelling of one entity (`place:2013348` for a place).
    pub key: String,
    /// A role noun written before it ("Kremlchef"), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NameKind {
    First,
    Last,
    Place,
    Other,
    Abbreviation,
}

/// Finds named entities.
#[derive(Debug)]
pub struct EntityFinder {
    /// xxh3 hashes of the lowercase noun forms: a lookup hashes a word once, cheaply.
    nouns: std::collections::HashSet<u64, BuildHasherDefault<TermHasher>>,
    names: HashMap<&'static str, NameKind>,
    /// The same names, lowercase.
    names_lower: HashSet<String>,
    /// Lowercase place name to (GeoNames id, canonical name).
    places: HashMap<String, (u32, &'static str)>,
    /// Place names by their first two letters, for near misses ("Wladiwostock").
    place_names: HashMap<(String, usize), Vec<PlaceName>>,
    /// Lowercase German names of countries and regions ("frankreich", "nordkorea"), from CLDR.
    territories: HashSet<String>,
    /// Lowercase forms of the adjectives behind language names ("französische"), from CLDR.
    geo_adjectives: HashSet<String>,
    languages: Vec<Language>,
    /// The statistical tagger for German, when one is compiled in.
    tagger: Option<TaggerModel>,
    /// Words (as written) to their distributional clusters, coarse and fine.
    clusters: HashMap<String, [u16; 2]>,
}

/// One language's words around names.
#[derive(Debug)]
struct Language {
    code: String,
    words: EntityWords,
    roles: Vec<String>,
    stop: HashSet<String>,
    /// Month and weekday names: capitalised, but no names.
    calendar: HashSet<String>,
    /// The place adjectives ("russisch", "berliner") by their first two letters, so that a word
    /// is compared with the few that could be its beginning, not with all of them.
    place_adjectives: PrefixIndex,
}

/// Words grouped by their first two characters, to ask which of them begin a given word.
#[derive(Debug, Default)]
struct PrefixIndex {
    by_head: HashMap<(char, char), Vec<String>>,
    /// Words of fewer than two characters, tried against every word.
    short: Vec<String>,
}

impl PrefixIndex {
    fn new<'a>(words: impl Iterator<Item = &'a String>) -> PrefixIndex {
        let mut index = PrefixIndex::default();
        for w in words {
            let mut c = w.chars();
            match (c.next(), c.next()) {
                (Some(a), Some(b)) => index.by_head.entry((a, b)).or_default().push(w.clone()),
                _ => index.short.push(w.clone()),
            }
        }
        index
    }

    /// Whether one of the words begins `word` and leaves at most `max_rest` bytes of it after.
    fn begins(&self, word: &str, max_rest: usize) -> bool {
        let fits = |a: &String| word.starts_with(a.as_str()) && word.len() <= a.len() + max_rest;
        let mut c = word.chars();
        let head = match (c.next(), c.next()) {
            (Some(a), Some(b)) => self.by_head.get(&(a, b)),
            _ => None,
        };
        head.is_some_and(|ws| ws.iter().any(fits)) || self.short.iter().any(fits)
    }
}

/// A place's name in lowercase, its GeoNames id and canonical name.
type PlaceName = (String, u32, &'static str);

/// Whether two short strings are at most `max` edits apart (Levenshtein), without allocating
/// for strings of up to 63 characters (longer ones are never near).
fn within(a: &str, b: &str, max: usize) -> bool {
    const N: usize = 64;
    let (mut ac, mut bc) = (['\0'; N], ['\0'; N]);
    let (mut la, mut lb) = (0, 0);
    for c in a.chars() {
        if la == N - 1 {
            return false;
        }
        ac[la] = c;
        la += 1;
    }
    for c in b.chars() {
        if lb == N - 1 {
            return false;
        }
        bc[lb] = c;
        lb += 1;
    }
    if la.abs_diff(lb) > max {
        return false;
    }
    let mut prev = [0usize; N];
    let mut cur = [0usize; N];
    for (j, p) in prev.iter_mut().enumerate().take(lb + 1) {
        *p = j;
    }
    for (i, ca) in ac.iter().take(la).enumerate() {
        cur[0] = i + 1;
        let mut row_min = cur[0];
        for (j, cb) in bc.iter().take(lb).enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != cb)).min(prev[j + 1] + 1).min(cur[j] + 1);
            row_min = row_min.min(cur[j + 1]);
        }
        if row_min > max {
            return false;
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[lb] <= max
}

impl EntityFinder {
    /// A finder for the given profiles, with the compiled-in name lists.
    pub fn new(profiles: &[Profile]) -> EntityFinder {
        let nouns =
            NOUNS.lines().filter(|l| !l.is_empty()).map(|l| xxh3_64(l.as_bytes())).collect();
        let names = NAMES
            .lines()
            .filter_map(|l| {
                let (name, kind) = l.split_once('\t')?;
                let kind = match kind {
                    "first" => NameKind::First,
                    "last" => NameKind::Last,
                    "place" => NameKind::Place,
                    "abbreviation" => NameKind::Abbreviation,
                    _ => NameKind::Other,
                };
                Some((name, kind))
            })
            .collect();
        let names_lower = NAMES
            .lines()
            .filter_map(|l| l.split_once('\t'))
            .map(|(n, _)| n.to_lowercase())
            .collect();
        let mut places = HashMap::default();
        let mut place_names: HashMap<(String, usize), Vec<PlaceName>> = HashMap::default();
        for line in PLACES.lines() {
            let mut f = line.split('\t');
            let (Some(id), Some(name), Some(_country), Some(alts)) =
                (f.next(), f.next(), f.next(), f.next())
            else {
                continue;
            };
            let Ok(id) = id.parse::<u32>() else { continue };
            for alt in alts.split('|') {
                let lower = alt.to_lowercase();
                if lower.chars().count() >= 6 {
                    let head: String = lower.chars().take(2).collect();
                    let len = lower.chars().count();
                    place_names.entry((head, len)).or_default().push((lower.clone(), id, name));
                }
                // The biggest city keeps a shared name ("Moskau" is Moscow, Russia).
                places.entry(lower).or_insert((id, name));
            }
        }
        let languages = profiles
            .iter()
            .map(|p| Language {
                code: p.code.clone(),
                words: p.entities.clone(),
                roles: p.speech.role_suffixes.clone(),
                stop: p.stop_words.iter().map(|w| w.to_lowercase()).collect(),
                calendar: p
                    .months
                    .iter()
                    .chain(&p.time.weekdays)
                    .flatten()
                    .map(|w| w.to_lowercase())
                    .collect(),
                place_adjectives: PrefixIndex::new(p.entities.place_adjectives.iter()),
            })
            .collect();
        let mut territories = HashSet::default();
        let mut geo_adjectives = HashSet::default();
        for line in GEO.lines() {
            let mut f = line.split('\t');
            match (f.next(), f.next()) {
                (Some(form), Some("territory")) => territories.insert(form.to_lowercase()),
                (Some(form), Some("adjective")) => geo_adjectives.insert(form.to_lowercase()),
                _ => false,
            };
        }
        let tagger = TaggerModel::from_bytes(TAGGER_DE);
        EntityFinder {
            nouns,
            names,
            names_lower,
            places,
            place_names,
            territories,
            geo_adjectives,
            languages,
            tagger,
            clusters: HashMap::default(),
        }
    }

    /// A finder for the profiles compiled in.
    pub fn builtin() -> Result<EntityFinder, ProfileError> {
        Ok(EntityFinder::new(&builtin_profiles()?))
    }

    /// Whether a lowercase word is a common noun: listed, or ending in a listed noun of four
    /// letters or more after a first part of three or more ("schiffscontainer").
    fn common(&self, lower: &str) -> bool {
        if self.nouns.contains(&xxh3_64(lower.as_bytes())) {
            return true;
        }
        // A compound of a known name or place is the name ("Hamburg", not "-burg").
        if self.places.contains_key(lower) || self.names_lower.contains(lower) {
            return false;
        }
        // A compound: a noun at the end; a genuine one has a noun or a linked noun before it
        // ("Artillerie-munition", "Verteidigung-s-minister"). "Wladiwostock" ends in "Stock"
        // but is a place misspelt.
        let mut tail_only = false;
        for (i, _) in lower.char_indices().skip(3) {
            let tail = &lower[i..];
            let n = tail.chars().count();
            if !((n >= 4 || (n == 3 && i >= 4)) && self.nouns.contains(&xxh3_64(tail.as_bytes()))) {
                continue;
            }
            let head = &lower[..i];
            let linked = ["", "s", "es", "n", "en", "e", "er"].iter().any(|l| {
                head.strip_suffix(l)
                    .is_some_and(|h| h.len() >= 3 && self.nouns.contains(&xxh3_64(h.as_bytes())))
            });
            if linked {
                return true;
            }
            tail_only = true;
        }
        tail_only && self.place(lower).is_none()
    }

    /// The place a name names: exactly, without a genitive "s" ("Moskaus"), or one letter off
    /// a place name of seven letters or more with the same first two ("Wladiwostock").
    fn place(&self, text: &str) -> Option<(u32, &'static str)> {
        if text.chars().all(|c| c.is_uppercase() || !c.is_alphabetic()) {
            return None; // "NYT" is no airport code here
        }
        let lower = text.to_lowercase();
        if let Some(p) = self
            .places
            .get(&lower)
            .or_else(|| lower.strip_suffix('s').and_then(|l| self.places.get(l)))
        {
            return Some(*p);
        }
        if lower.chars().count() < 7 || lower.contains(' ') {
            return None;
        }
        let head: String = lower.chars().take(2).collect();
        let len = lower.chars().count();
        (len - 1..=len + 1)
            .filter_map(|l| self.place_names.get(&(head.clone(), l)))
            .flatten()
            // The same last letter first: a cheap test before the edit distance.
            .find(|(n, ..)| n.chars().last() == lower.chars().last() && within(n, &lower, 1))
            .map(|(_, id, name)| (*id, *name))
    }

    /// A compound of a name and a common noun at token `i` ("US-Bürger", "SPD-Genossen"): the
    /// mention and the token after it.
    fn part(
        &self,
        toks: &[Tok],
        i: usize,
        text: &str,
        words: &EntityWords,
        cap_mid: &HashSet<&str>,
    ) -> Option<(EntityMention, usize)> {
        let t = &toks[i];
        if t.kind != Kind::Word
            || !t.cap
            || !toks.get(i + 1).is_some_and(|h| h.lower == "-" && !h.gap)
        {
            return None;
        }
        let mut k = i + 2;
        while toks.get(k + 1).is_some_and(|h| h.lower == "-" && !h.gap) {
            k += 2;
        }
        let head =
            toks.get(k).filter(|h| h.kind == Kind::Word && !h.gap && self.common(&h.lower))?;
        if words.org_suffixes.iter().any(|x| head.lower.ends_with(x.as_str())) {
            return None; // "UN-Sicherheitsrat" is an organisation
        }
        let surface = &text[t.start..t.end];
        let acronym = surface.chars().all(|c| c.is_uppercase()) && surface.len() <= 6;
        let kind = self.names.get(surface).copied();
        let etype = if self.place(surface).is_some() || kind == Some(NameKind::Place) {
            EntityType::LocPart
        } else if acronym {
            EntityType::OrgPart
        } else if matches!(kind, Some(NameKind::First | NameKind::Last))
            && cap_mid.contains(t.lower.as_str())
        {
            EntityType::PerPart
        } else {
            return None;
        };
        let m = EntityMention {
            start: t.start,
            end: head.end,
            etype,
            canonical: text[t.start..head.end].to_string(),
            key: format!("part:{}", name_key(surface)),
            role: None,
        };
        Some((m, k + 1))
    }

    /// The same finder with another table of word clusters (features of the tagger).
    pub fn with_clusters(mut self, clusters: StdHashMap<String, [u16; 2]>) -> EntityFinder {
        self.clusters = clusters.into_iter().collect();
        self
    }

    /// The names and place names of the compiled-in lists, as written (the words whose
    /// clusters the tagger should know beside those of its training sentences).
    pub fn list_names() -> impl Iterator<Item = &'static str> {
        NAMES
            .lines()
            .filter_map(|l| l.split('\t').next())
            .chain(PLACES.lines().filter_map(|l| l.split('\t').nth(1)))
    }

    /// The same finder with another tagger (or none: the rules alone).
    pub fn with_tagger(mut self, tagger: Option<TaggerModel>) -> EntityFinder {
        self.tagger = tagger;
        self
    }

    /// The words of `text` at byte `spans`, with what the lists and the rules say of each.
    pub fn words_at(&self, text: &str, spans: &[(usize, usize)], lang: Option<&str>) -> Vec<Word> {
        self.words_with(text, spans, lang, &self.find_rules(text, lang))
    }

    fn words_with(
        &self,
        text: &str,
        spans: &[(usize, usize)],
        lang: Option<&str>,
        rules: &[EntityMention],
    ) -> Vec<Word> {
        let stop = self.languages.iter().find(|l| Some(l.code.as_str()) == lang);
        let mut rule_tags = vec!["O"; spans.len()];
        let lookup = SpanLookup::new(spans);
        for m in rules {
            let Some(a) = lookup.containing_start(m.start) else {
                continue;
            };
            let b = lookup.containing_end(m.end).unwrap_or(a);
            for (k, tag) in rule_tags.iter_mut().enumerate().take(b + 1).skip(a) {
                *tag = m.etype.tag(k == a);
            }
        }
        spans
            .iter()
            .enumerate()
            .map(|(k, (s, e))| {
                let w = &text[*s..*e];
                let lower = w.to_lowercase();
                let mut flags = Vec::new();
                if self.nouns.contains(&xxh3_64(lower.as_bytes())) {
                    flags.push("noun");
                } else if w.starts_with(char::is_uppercase) && self.common(&lower) {
                    flags.push("compound");
                }
                match self.names.get(w) {
                    Some(NameKind::First) => flags.push("first"),
                    Some(NameKind::Last) => flags.push("last"),
                    Some(NameKind::Place) => flags.push("place"),
                    Some(NameKind::Other) => flags.push("name"),
                    Some(NameKind::Abbreviation) => flags.push("abbr"),
                    None => {}
                }
                if self.places.contains_key(&lower) {
                    flags.push("geo");
                }
                self.geo_flags(w, &lower, &mut flags);
                if let Some(l) = stop {
                    if l.stop.contains(&lower) {
                        flags.push("stop");
                    }
                    if l.calendar.contains(&lower) {
                        flags.push("calendar");
                    }
                    if w.starts_with(char::is_uppercase)
                        && l.roles.iter().any(|r| lower.ends_with(r.as_str()))
                    {
                        flags.push("role");
                    }
                }
                let initial = k == 0
                    || text[..*s].trim_end().ends_with(['.', '!', '?', ':', '\n'])
                    || text[..*s].ends_with('\n');
                let clusters = self.clusters.get(w).copied().unwrap_or_default();
                Word { text: w.to_string(), lower, rule: rule_tags[k], flags, initial, clusters }
            })
            .collect()
    }

    /// Whether a word, as written, names a place in one of the lists (names, countries, cities),
    /// and no person: GeoNames also lists short names such as "Kim".
    fn is_place_name(&self, word: &str, lower: &str) -> bool {
        match self.names.get(word) {
            Some(NameKind::Place) => true,
            Some(NameKind::First | NameKind::Last) => false,
            _ => self.territories.contains(lower) || self.places.contains_key(lower),
        }
    }

    /// The flags of the geographic lists: a country or region ("Frankreich", and in the
    /// genitive "Frankreichs"), an adjective of a country's language ("französische"), a place
    /// in the genitive ("Sachsens") and a word derived from a place ("Weimarer", "Bremer").
    fn geo_flags(&self, word: &str, lower: &str, flags: &mut Vec<&'static str>) {
        // A genitive "s" ("Frankreichs"; "-es" ends in "s" as well).
        if self.territories.contains(lower)
            || lower.strip_suffix('s').is_some_and(|g| self.territories.contains(g))
        {
            flags.push("territory");
        }
        if self.geo_adjectives.contains(lower) {
            flags.push("geoadj");
        }
        if !word.starts_with(char::is_uppercase) {
            return;
        }
        if let (Some(stem), Some(lstem)) = (word.strip_suffix('s'), lower.strip_suffix('s')) {
            if self.is_place_name(stem, lstem) {
                flags.push("placegen");
            }
        }
        if let (Some(stem), Some(lstem)) = (word.strip_suffix("er"), lower.strip_suffix("er")) {
            let with = |s: &str, ending: &str| [s, ending].concat();
            let derived = self.is_place_name(stem, lstem)
                || self.is_place_name(&with(stem, "en"), &with(lstem, "en"))
                || self.is_place_name(&with(stem, "e"), &with(lstem, "e"));
            if derived {
                flags.push("placeder");
            }
        }
    }

    /// The named entities of `text` in text order; none for a language without a profile.
    /// With a tagger for the language, the tagger decides the spans and types (seeing the
    /// rules' answer among its features); names, keys and roles come as the rules give them.
    pub fn find(&self, text: &str, lang: Option<&str>) -> Vec<EntityMention> {
        self.find_tokens(&crate::Tokens::of(text), lang)
    }

    /// [`EntityFinder::find`] on the text's tokens, made once for every extractor.
    pub fn find_tokens(&self, tokens: &crate::Tokens, lang: Option<&str>) -> Vec<EntityMention> {
        let text = tokens.text();
        let Some(tagger) = self.tagger.as_ref().filter(|_| lang == Some("de")) else {
            return self.rules_on(text, &tokens.toks, lang);
        };
        let spans = word_spans(text);
        let rules = self.rules_on(text, &tokens.toks, lang);
        let words = self.words_with(text, &spans, lang, &rules);
        let tags = tagger.tag(&words);
        let mut out = Vec::new();
        let mut k = 0;
        while k < tags.len() {
            let Some(label) = tags[k].strip_prefix("B-") else {
                k += 1;
                continue;
            };
            let mut e = k + 1;
            while e < tags.len() && tags[e].strip_prefix("I-") == Some(label) {
                e += 1;
            }
            let (start, end) = (spans[k].0, spans[e - 1].1);
            k = e;
            let etype = match label {
                "PER" => EntityType::Per,
                "LOC" => EntityType::Loc,
                "ORG" => EntityType::Org,
                "LOCderiv" => EntityType::LocDeriv,
                "LOCpart" => EntityType::LocPart,
                "ORGpart" => EntityType::OrgPart,
                _ => EntityType::Oth,
            };
            let surface = &text[start..end];
            let same = rules.iter().find(|m| m.start == start && m.end == end);
            let (canonical, key, role) = match (same, etype) {
                (Some(m), _) if m.etype.is_name() == etype.is_name() => {
                    (m.canonical.clone(), m.key.clone(), m.role.clone())
                }
                (_, EntityType::Loc) => match self.place(surface) {
                    Some((id, name)) => (name.to_string(), format!("place:{id}"), None),
                    None => (surface.to_string(), name_key(surface), None),
                },
                (_, t) if !t.is_name() => {
                    (surface.to_string(), format!("part:{}", name_key(surface)), None)
                }
                _ => (surface.to_string(), name_key(surface), None),
            };
            out.push(EntityMention { start, end, etype, canonical, key, role });
        }
        let tagged = out;
        // The tagger decides, except where the rules are sure: a GeoNames place, a person with a
        // role or a name of several words (also a short form of one), an organisation named by
        // its ending or the noun before it. Those stand, over the tagger's span.
        let sure = |r: &EntityMention| {
            r.etype.is_name()
                && (r.key.starts_with("place:")
                    || r.role.is_some()
                    || r.key.contains(' ')
                    || r.etype == EntityType::Org)
        };
        let mut out: Vec<EntityMention> = rules.iter().filter(|r| sure(r)).cloned().collect();
        for t in tagged {
            if !out.iter().any(|r| t.start < r.end && r.start < t.end) {
                out.push(t);
            }
        }
        out.sort_by_key(|m| (m.start, m.end));
        merge_variants(&mut out);
        out
    }

    /// The rule-based finder alone.
    pub fn find_rules(&self, text: &str, lang: Option<&str>) -> Vec<EntityMention> {
        self.rules_on(text, &tokenize(text), lang)
    }

    fn rules_on(&self, text: &str, toks: &[Tok], lang: Option<&str>) -> Vec<EntityMention> {
        let Some(Language { words, roles, stop, calendar, place_adjectives, .. }) =
            self.languages.iter().find(|l| Some(l.code.as_str()) == lang)
        else {
            return Vec::new();
        };
        let lowercase_seen: HashSet<&str> = toks
            .iter()
            .filter(|t| t.kind == Kind::Word && !t.cap)
            .map(|t| t.lower.as_str())
            .collect();
        let sentence_start = |i: usize| {
            i == 0
                || toks[i].newline
                || matches!(
                    toks[i - 1].lower.as_str(),
                    "." | "!" | "?" | ":" | "„" | "\"" | "“" | "«" | "»"
                )
        };
        let is_role = |t: &Tok| roles.iter().any(|r| t.lower.ends_with(r.as_str()));
        // Capitalised words seen inside a sentence: a sentence-initial word that never is
        // ("Zuvor", "Konkret") opens the sentence, it names nothing.
        let cap_mid: HashSet<&str> = toks
            .iter()
            .enumerate()
            .filter(|(i, t)| t.cap && t.kind == Kind::Word && !sentence_start(*i))
            .map(|(_, t)| t.lower.as_str())
            .collect();
        // Whether each capitalised word is a common noun, once per word.
        let mut common_of: HashMap<&str, bool> = HashMap::default();
        for t in toks.iter().filter(|t| t.cap && t.kind == Kind::Word) {
            if !common_of.contains_key(t.lower.as_str()) {
                common_of.insert(t.lower.as_str(), self.common(&t.lower));
            }
        }
        let name_token = |i: usize| -> bool {
            let t = &toks[i];
            if t.kind != Kind::Word || !t.cap || t.lower.chars().count() < 2 {
                return false;
            }
            let surface = &text[t.start..t.end];
            let acronym = surface.chars().all(|c| c.is_uppercase()) && surface.chars().count() <= 6;
            if acronym {
                return true;
            }
            let common = common_of.get(t.lower.as_str()).copied().unwrap_or(false);
            if calendar.contains(&t.lower) || stop.contains(&t.lower) || common {
                return false;
            }
            // "Dr.", "Mio.": an abbreviation.
            if t.lower.chars().count() <= 3
                && toks.get(i + 1).is_some_and(|n| n.lower == "." && !n.gap)
            {
                return false;
            }
            let known = self.names_lower.contains(&t.lower) || self.places.contains_key(&t.lower);
            if !known
                && words
                    .adjective_endings
                    .iter()
                    .any(|x| t.lower.ends_with(x.as_str()) && t.lower.len() > x.len() + 2)
            {
                return false;
            }
            let derived_noun = words
                .noun_suffixes
                .iter()
                .any(|x| t.lower.ends_with(x.as_str()) && t.lower.len() > x.len() + 2);
            if derived_noun
                && !self.names_lower.contains(&t.lower)
                && !self.places.contains_key(&t.lower)
            {
                return false;
            }
            if sentence_start(i) {
                let known = self.names.contains_key(surface) || self.places.contains_key(&t.lower);
                let seen_inside = cap_mid.contains(t.lower.as_str());
                if stop.contains(&t.lower)
                    || lowercase_seen.contains(t.lower.as_str())
                    || !(known || seen_inside)
                {
                    return false;
                }
            }
            true
        };
        // Places looked up, once per spelling.
        let mut place_cache: HashMap<String, Option<(u32, &'static str)>> = HashMap::default();
        // Each token's answer, once.
        let is_name: Vec<bool> = (0..toks.len()).map(name_token).collect();
        let mut out = Vec::new();
        let mut i = 0;
        while i < toks.len() {
            // Derived places: "russische", "deutschen".
            let t = &toks[i];
            if t.kind == Kind::Word && !t.cap {
                if t.lower.len() >= 5 && place_adjectives.begins(&t.lower, 3) {
                    out.push(derived_place(t, text));
                }
                i += 1;
                continue;
            }
            // "Berliner", "Deutsche": a capitalised adjective of a place, not followed by a name.
            if t.kind == Kind::Word
                && t.cap
                && !stop.contains(&t.lower)
                && place_adjectives.begins(&t.lower, 3)
                && !(i + 1 < toks.len() && toks[i + 1].cap && toks[i + 1].gap)
            {
                out.push(derived_place(t, text));
                i += 1;
                continue;
            }
            if let Some((m, next)) = self.part(toks, i, text, words, &cap_mid) {
                out.push(m);
                i = next;
                continue;
            }
            if !is_name[i] {
                i += 1;
                continue;
            }
            let start = i;
            let mut end = i + 1;
            loop {
                // "Jong-un": a hyphen and a part (also lowercase).
                if toks.get(end).is_some_and(|t| t.lower == "-" && !t.gap)
                    && toks.get(end + 1).is_some_and(|t| t.kind == Kind::Word && !t.gap)
                {
                    end += 2;
                    continue;
                }
                // Two places side by side are two names ("Russland Nordkorea").
                let is_place = |t: &Tok| {
                    self.places.contains_key(&t.lower)
                        || self.names.get(&text[t.start..t.end]) == Some(&NameKind::Place)
                };
                let two_places =
                    end < toks.len() && is_place(&toks[end - 1]) && is_place(&toks[end]);
                // "Schoigu Kims Hof": a genitive of a name seen alone belongs to the next noun.
                let genitive = end < toks.len()
                    && toks[end].lower.strip_suffix('s').is_some_and(|stem| cap_mid.contains(stem));
                // "Max Herbst", "Martin Bader": after a first name, a surname that is also a noun.
                let after_first = end < toks.len()
                    && self.names.get(&text[toks[end - 1].start..toks[end - 1].end])
                        == Some(&NameKind::First)
                    && toks[end].cap
                    && toks[end].kind == Kind::Word
                    && !stop.contains(&toks[end].lower)
                    && !calendar.contains(&toks[end].lower)
                    && !is_role(&toks[end]);
                if end < toks.len()
                    && toks[end].gap
                    && !toks[end].newline
                    && (is_name[end] || after_first)
                    && !sentence_start(end)
                    && !two_places
                    && !genitive
                {
                    end += 1;
                    continue;
                }
                // "zu Guttenberg": a particle between name words, after a first name.
                let first_name = self.names.get(&text[toks[start].start..toks[start].end])
                    == Some(&NameKind::First);
                if first_name
                    && toks
                        .get(end)
                        .is_some_and(|t| words.name_particles.contains(&t.lower) && !t.cap)
                    && end + 1 < toks.len()
                    && is_name[end + 1]
                {
                    end += 2;
                    continue;
                }
                break;
            }
            i = end;
            let last = &toks[end - 1];
            let l = last.lower.trim_end_matches("es").trim_end_matches('s');
            let org = words.org_suffixes.iter().any(|s| {
                (l.ends_with(s.as_str()) && l.len() > s.len() + 1) || l == s || last.lower == *s
            });
            // "Ukraine-Krieg", "Putin-Kim-Treffen": a compound ending in a common noun names a
            // thing of its own (unless an organisation: "UN-Sicherheitsrat").
            if end > start + 1 && toks[end - 2].lower == "-" && self.common(&last.lower) && !org {
                continue;
            }
            let mut role = (start > 0
                && toks[start - 1].cap
                && toks[start - 1].kind == Kind::Word
                && is_role(&toks[start - 1]))
            .then(|| text[toks[start - 1].start..toks[start - 1].end].to_string());
            // "US-Verteidigungsminister Lloyd Austin": a role written into the run's first group.
            let mut start = start;
            if let Some(g) = (start + 1..end).find(|k| toks[*k].gap) {
                if g > start + 1 && is_role(&toks[g - 1]) {
                    role = Some(text[toks[start].start..toks[g - 1].end].to_string());
                    start = g;
                }
            }
            let surface = &text[toks[start].start..toks[end - 1].end];
            let title = start > 0 && words.titles.contains(&toks[start - 1].lower);
            let first = &toks[start];
            let single = end == start + 1;
            let kind_of = |t: &Tok| {
                let s = &text[t.start..t.end];
                self.names
                    .get(s)
                    .or_else(|| s.strip_suffix('s').and_then(|b| self.names.get(b)))
                    .copied()
            };
            // "Nachrichtenagentur Tass", "Zeitung Haaretz": an organisation noun before the name.
            let org_before = start > 0
                && toks[start - 1].kind == Kind::Word
                && words.org_suffixes.iter().any(|s| toks[start - 1].lower.ends_with(s.as_str()));
            let acronym = single && surface.chars().all(|c| c.is_uppercase() || c == '-');
            let looked_up = match place_cache.get(surface) {
                Some(p) => *p,
                None => {
                    let p = self.place(surface);
                    place_cache.insert(surface.to_string(), p);
                    p
                }
            };
            let place = looked_up
                .or_else(|| (kind_of(first) == Some(NameKind::Place) && single).then_some((0, "")));
            let after_place_word =
                start > 0 && words.place_prepositions.contains(&toks[start - 1].lower);
            let etype = if role.is_some() || title || kind_of(first) == Some(NameKind::First) {
                EntityType::Per
            } else if org_before {
                EntityType::Org
            } else if let Some(_p) = place {
                EntityType::Loc
            } else if org || acronym || kind_of(first) == Some(NameKind::Abbreviation) {
                EntityType::Org
            } else if single && after_place_word {
                EntityType::Loc
            } else if kind_of(first) == Some(NameKind::Other) {
                EntityType::Oth
            } else {
                EntityType::Per
            };
            // A genitive of a listed name is that name: "Nordkoreas" is Nordkorea.
            let base = match surface.strip_suffix('s') {
                Some(stem)
                    if single
                        && !self.names.contains_key(surface)
                        && self.names.contains_key(stem) =>
                {
                    stem
                }
                _ => surface,
            };
            let (canonical, key) = match (etype, place) {
                (EntityType::Loc, Some((id, name))) if id > 0 => {
                    (name.to_string(), format!("place:{id}"))
                }
                _ => (base.to_string(), name_key(base)),
            };
            out.push(EntityMention {
                start: toks[start].start,
                end: toks[end - 1].end,
                etype,
                canonical,
                key,
                role,
            });
        }
        merge_variants(&mut out);
        out
    }
}

/// Finds the word span holding a byte. Word spans in text order are searched by halves; others
/// one by one. A linear search for every rule mention made tagging quadratic in the words of an
/// article (issue 17, row 3: ingest superlinear on a 3 MB article).
struct SpanLookup<'a> {
    spans: &'a [(usize, usize)],
    ordered: bool,
}

impl<'a> SpanLookup<'a> {
    fn new(spans: &'a [(usize, usize)]) -> SpanLookup<'a> {
        let ordered = spans.windows(2).all(|w| w[0].1 <= w[1].0);
        SpanLookup { spans, ordered }
    }

    /// The first span with `start <= at < end`.
    fn containing_start(&self, at: usize) -> Option<usize> {
        if !self.ordered {
            return self.spans.iter().position(|&(s, e)| s <= at && at < e);
        }
        let i = self.spans.partition_point(|&(_, e)| e <= at);
        self.spans.get(i).is_some_and(|&(s, e)| s <= at && at < e).then_some(i)
    }

    /// The last span with `start < at <= end`.
    fn containing_end(&self, at: usize) -> Option<usize> {
        if !self.ordered {
            return self.spans.iter().rposition(|&(s, e)| s < at && at <= e);
        }
        let i = self.spans.partition_point(|&(s, _)| s < at).checked_sub(1)?;
        let (s, e) = self.spans[i];
        (s < at && at <= e).then_some(i)
    }
}

/// Byte spans of the words of `text`: runs between white space, with punctuation at either
/// end split off as words of their own ("Putin," is "Putin" and ","); hyphens inside stay.
pub fn word_spans(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut at = 0;
    for piece in text.split_inclusive(char::is_whitespace) {
        let word = piece.trim_end();
        let mut s = at;
        let mut e = at + word.len();
        at += piece.len();
        let mut tail = Vec::new();
        while s < e {
            let c = text[s..e].chars().next().unwrap_or(' ');
            if c.is_alphanumeric() {
                break;
            }
            out.push((s, s + c.len_utf8()));
            s += c.len_utf8();
        }
        while e > s {
            let c = text[s..e].chars().next_back().unwrap_or(' ');
            if c.is_alphanumeric() {
                break;
            }
            tail.push((e - c.len_utf8(), e));
            e -= c.len_utf8();
        }
        if e > s {
            out.push((s, e));
        }
        out.extend(tail.into_iter().rev());
    }
    out
}

/// An adjective made from a place ("russische", "Berliner").
fn derived_place(t: &Tok, text: &str) -> EntityMention {
    EntityMention {
        start: t.start,
        end: t.end,
        etype: EntityType::LocDeriv,
        canonical: text[t.start..t.end].to_string(),
        key: format!("derived:{}", t.lower),
        role: None,
    }
}

/// Within a document, a person named by part of a fuller name takes that name: "Putin" after
/// "Wladimir Putin", "Kim" and "Kim Jong-Un" after "Kim Jong Un" (the first seen of the longest);
/// a genitive of a person ("Putins") is that person.
fn merge_variants(found: &mut [EntityMention]) {
    let people: HashSet<String> =
        found.iter().filter(|e| e.etype == EntityType::Per).map(|e| e.key.clone()).collect();
    let last_names: HashSet<String> =
        people.iter().filter_map(|k| k.rsplit(' ').next().map(str::to_string)).collect();
    for e in found.iter_mut() {
        if let Some(stem) = e.key.strip_suffix('s') {
            if !e.key.contains(' ') && (people.contains(stem) || last_names.contains(stem)) {
                e.etype = EntityType::Per;
                e.key = stem.to_string();
                e.canonical = e.canonical.trim_end_matches('s').to_string();
            }
        }
    }
    let full: Vec<(String, String)> = found
        .iter()
        .filter(|e| e.etype == EntityType::Per)
        .map(|e| (e.key.clone(), e.canonical.clone()))
        .collect();
    for e in found.iter_mut().filter(|e| e.etype == EntityType::Per) {
        let parts: Vec<&str> = e.key.split(' ').collect();
        let fuller = full
            .iter()
            .filter(|(k, _)| {
                let kp: Vec<&str> = k.split(' ').collect();
                kp.len() > parts.len() && (kp.ends_with(&parts) || kp.starts_with(&parts))
            })
            .max_by_key(|(k, _)| k.split(' ').count());
        if let Some((k, c)) = fuller {
            e.key = k.clone();
            e.canonical = c.clone();
        }
    }
}

#[cfg(test)]
mod tests;

//! Tokens, stems, names, compound candidates, stated dates and signatures of one article.

// Word lists looked up for every word: a fast hasher (keys from the lists, not from input).
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use rust_stemmers::{Algorithm, Stemmer};
use xxhash_rust::xxh3::xxh3_64_with_seed;

use crate::minhash::Signature;
use crate::profile::{analysis_only, builtin_profiles, Profile, ProfileError};
use crate::stated::{stated_dates, StatedDate};

/// What a term hash stands for; part of the hash, so a token and a stem never collide.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TermKind {
    /// A lowercase word (or a character pair of Han or kana script), stop words left out.
    Token = 1,
    /// The Snowball stem of a token.
    Stem = 2,
    /// The stem of a capitalised word that does not open a sentence, or of an acronym.
    Name = 3,
}

/// The hash of `text` as a term of `kind`.
pub fn term_hash(kind: TermKind, text: &str) -> u64 {
    xxh3_64_with_seed(text.as_bytes(), kind as u64)
}

/// Term hashes of one field (title or body), repeated as often as they occur.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FieldTerms {
    /// [`TermKind::Token`] hashes.
    pub tokens: Vec<u64>,
    /// [`TermKind::Stem`] hashes.
    pub stems: Vec<u64>,
    /// [`TermKind::Name`] hashes.
    pub names: Vec<u64>,
}

/// A long word of a decompounding language and the ways it could split: `(modifier, head)` token
/// hashes, longest head first. Which split holds is decided against document frequencies.
#[derive(Debug, Clone, PartialEq)]
pub struct Compound {
    /// Token hash of the whole word.
    pub word: u64,
    /// Candidate `(modifier, head)` token hashes.
    pub splits: Vec<(u64, u64)>,
}

/// Everything the story engine reads from an article's text.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    /// Language the analysis used (the article's), if any.
    pub lang: Option<String>,
    /// Terms of the title.
    pub title: FieldTerms,
    /// Terms of the body.
    pub body: FieldTerms,
    /// Long words that may be compounds (title and body).
    pub compounds: Vec<Compound>,
    /// Absolute dates the title and body state, in order (body offsets after the title's).
    pub stated: Vec<StatedDate>,
    /// MinHash signature of the body's words, for near copies.
    pub signature: Option<Signature>,
    /// Hash of all lowercase words of the body in order: equal for exact copies.
    pub exact: u64,
    /// Number of words in the body.
    pub words: usize,
}

pub(crate) struct Lang {
    /// Tells this language's stems apart in the threads' stem caches.
    id: u64,
    pub(crate) stemmer: Option<Stemmer>,
    pub(crate) stop: HashSet<String>,
    pub(crate) links: Vec<String>,
    months: HashMap<String, u8>,
}

/// A number no other [`Lang`] of this process has.
fn next_lang_id() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// Stems a thread remembers, per language, before it forgets them all and starts again.
const STEM_CACHE: usize = 1 << 17;

/// Each thread's stems of the words it has seen, by language id: `lowercase word -> folded stem`.
/// The words come from the input, so they are hashed with the standard library's keyed hasher:
/// a text made to collide cannot slow the cache down.
type StemCache = rustc_hash::FxHashMap<u64, std::collections::HashMap<Box<str>, Box<str>>>;

thread_local! {
    static STEMS: std::cell::RefCell<StemCache> = std::cell::RefCell::new(StemCache::default());
}

impl Lang {
    /// Calls `f` with the folded Snowball stem of `lower` (a lowercase word that is not all
    /// digits; the word itself, folded, without a stemmer). Stemming is the costliest step of
    /// analysing a word and words repeat, so each thread remembers the stems it has made.
    pub(crate) fn with_stem<R>(&self, lower: &str, f: impl FnOnce(&str) -> R) -> R {
        let Some(stemmer) = &self.stemmer else { return f(&fold(lower)) };
        STEMS.with(|cache| {
            let mut cache = cache.borrow_mut();
            let stems = cache.entry(self.id).or_default();
            if let Some(stem) = stems.get(lower) {
                return f(stem);
            }
            if stems.len() >= STEM_CACHE {
                stems.clear();
            }
            let stem: Box<str> = fold(&stemmer.stem(lower)).into();
            let r = f(&stem);
            stems.insert(lower.into(), stem);
            r
        })
    }
}

/// Turns text into an [`Analysis`] using the language profiles. Cheap to share across threads.
pub struct Analyzer {
    pub(crate) langs: HashMap<String, Lang>,
    /// Month names of every profile, for texts whose language has none.
    all_months: HashMap<String, u8>,
}

fn algorithm(name: &str) -> Option<Algorithm> {
    Some(match name {
        "arabic" => Algorithm::Arabic,
        "danish" => Algorithm::Danish,
        "dutch" => Algorithm::Dutch,
        "english" => Algorithm::English,
        "finnish" => Algorithm::Finnish,
        "french" => Algorithm::French,
        "german" => Algorithm::German,
        "greek" => Algorithm::Greek,
        "hungarian" => Algorithm::Hungarian,
        "italian" => Algorithm::Italian,
        "norwegian" => Algorithm::Norwegian,
        "portuguese" => Algorithm::Portuguese,
        "romanian" => Algorithm::Romanian,
        "russian" => Algorithm::Russian,
        "spanish" => Algorithm::Spanish,
        "swedish" => Algorithm::Swedish,
        "tamil" => Algorithm::Tamil,
        "turkish" => Algorithm::Turkish,
        _ => return None,
    })
}

fn stemmer(name: Option<&str>, code: &str) -> Result<Option<Stemmer>, ProfileError> {
    match name {
        None => Ok(None),
        Some(n) => algorithm(n).map(|a| Some(Stemmer::create(a))).ok_or_else(|| ProfileError {
            name: format!("{code}.toml"),
            message: format!("unknown stemmer {n:?}"),
        }),
    }
}

fn month_map(p: &Profile) -> HashMap<String, u8> {
    let mut m = HashMap::default();
    for (i, names) in p.months.iter().enumerate() {
        for n in names {
            m.insert(n.clone(), i as u8 + 1);
        }
    }
    m
}

pub(crate) fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3040..=0x30ff | 0x3400..=0x4dbf | 0x4e00..=0x9fff | 0xf900..=0xfaff)
}

/// Shortest compound part, in characters.
const MIN_PART: usize = 3;
/// Shortest word tried as a compound, in characters.
const MIN_COMPOUND: usize = 8;

impl Analyzer {
    /// An analyser for the built-in profiles.
    pub fn builtin() -> Result<Analyzer, ProfileError> {
        let mut langs = HashMap::default();
        let mut all_months = HashMap::default();
        for p in builtin_profiles()? {
            let months = month_map(&p);
            for names in &p.months {
                for n in names {
                    all_months.entry(n.clone()).or_insert(months[n]);
                }
            }
            let lang = Lang {
                id: next_lang_id(),
                stemmer: stemmer(p.stemmer.as_deref(), &p.code)?,
                stop: p.stop_words.iter().cloned().collect(),
                links: p.compound_links.clone(),
                months,
            };
            langs.insert(p.code.clone(), lang);
        }
        for a in analysis_only()? {
            let lang = Lang {
                id: next_lang_id(),
                stemmer: stemmer(a.stemmer.as_deref(), &a.code)?,
                stop: HashSet::default(),
                links: Vec::new(),
                months: HashMap::default(),
            };
            langs.entry(a.code.clone()).or_insert(lang);
        }
        Ok(Analyzer { langs, all_months })
    }

    /// Whether `code` has a profile or a stemmer here.
    pub fn knows(&self, code: &str) -> bool {
        self.langs.contains_key(code)
    }

    /// Analyses an article's title and body written in `lang` (any code; unknown codes are
    /// tokenised without stems or stop words).
    pub fn analyze(&self, title: &str, body: &str, lang: Option<&str>) -> Analysis {
        let profile = lang.and_then(|l| self.langs.get(l));
        let mut compounds = HashMap::default();
        let mut words = Vec::new();
        let title_terms = self.field(title, profile, &mut compounds, &mut Vec::new());
        let body_terms = self.field(body, profile, &mut compounds, &mut words);
        let months = match profile {
            Some(p) if !p.months.is_empty() => &p.months,
            _ => &self.all_months,
        };
        let month_of = |w: &str| months.get(w).copied();
        let mut stated = stated_dates(title, month_of);
        stated.extend(stated_dates(body, month_of).into_iter().map(|mut d| {
            d.start += title.len();
            d
        }));
        let mut exact = 0x5eed_u64;
        for w in &words {
            exact = xxh3_64_with_seed(&w.to_le_bytes(), exact);
        }
        let mut compounds: Vec<Compound> = compounds.into_values().collect();
        compounds.sort_by_key(|c| c.word);
        Analysis {
            lang: lang.map(str::to_string),
            title: title_terms,
            body: body_terms,
            compounds,
            stated,
            signature: Signature::of_words(&words),
            exact,
            words: words.len(),
        }
    }

    fn field(
        &self,
        text: &str,
        lang: Option<&Lang>,
        compounds: &mut HashMap<u64, Compound>,
        words: &mut Vec<u64>,
    ) -> FieldTerms {
        let mut out = FieldTerms::default();
        let mut lower = String::new();
        let mut sentence_start = true;
        // End of the last name-like word: "Jong-un" after "Kim Jong" is a name too.
        let mut last_name_end = usize::MAX;
        let mut chars = text.char_indices().peekable();
        while let Some((start, c)) = chars.next() {
            if is_cjk(c) {
                // Han and kana runs: overlapping character pairs stand in for words.
                if let Some(&(_, n)) = chars.peek() {
                    if is_cjk(n) {
                        let pair: String = [c, n].iter().collect();
                        out.tokens.push(term_hash(TermKind::Token, &pair));
                        words.push(term_hash(TermKind::Token, &pair));
                    }
                }
                sentence_start = false;
                continue;
            }
            if !c.is_alphanumeric() {
                if matches!(c, '.' | '!' | '?' | '\n' | ':' | '•') {
                    sentence_start = true;
                }
                continue;
            }
            let mut end = start + c.len_utf8();
            while let Some(&(i, n)) = chars.peek() {
                if n.is_alphanumeric() && !is_cjk(n) {
                    end = i + n.len_utf8();
                    chars.next();
                } else {
                    break;
                }
            }
            let word = &text[start..end];
            let opens = sentence_start;
            sentence_start = false;
            lower.clear();
            lower.extend(word.chars().flat_map(char::to_lowercase));
            let token = term_hash(TermKind::Token, &lower);
            words.push(token);
            let chars_n = lower.chars().count();
            let digits = lower.bytes().all(|b| b.is_ascii_digit());
            if (chars_n < 2 && !digits) || lang.is_some_and(|l| l.stop.contains(lower.as_str())) {
                continue;
            }
            let capital = c.is_uppercase();
            let acronym =
                chars_n >= 2 && word.chars().all(|ch| ch.is_uppercase() || ch.is_numeric());
            let joined =
                last_name_end.checked_add(1) == Some(start) && text[..start].ends_with('-');
            let name = acronym || (capital && !opens) || joined;
            let hashes = |stem: &str| {
                (term_hash(TermKind::Stem, stem), name.then(|| term_hash(TermKind::Name, stem)))
            };
            let (stem, name_hash) = match lang {
                Some(l) if !digits => l.with_stem(&lower, hashes),
                _ => hashes(&fold(&lower)),
            };
            out.tokens.push(token);
            out.stems.push(stem);
            if let Some(h) = name_hash {
                out.names.push(h);
                last_name_end = end;
            }
            if let Some(l) = lang {
                if !l.links.is_empty() && chars_n >= MIN_COMPOUND && !digits {
                    compounds.entry(token).or_insert_with(|| Compound {
                        word: token,
                        splits: splits(&lower, &l.links),
                    });
                }
            }
        }
        out
    }
}

/// The word with Latin diacritics dropped ("Gdańsk" and "Gdansk", "Schoigu" stays), so that
/// spellings with and without accents meet.
pub(crate) fn fold(word: &str) -> std::borrow::Cow<'_, str> {
    if word.is_ascii() {
        return std::borrow::Cow::Borrowed(word);
    }
    let mut out = String::with_capacity(word.len());
    for c in word.chars() {
        match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ą' | 'ā' => out.push('a'),
            'ç' | 'ć' | 'č' => out.push('c'),
            'è' | 'é' | 'ê' | 'ë' | 'ę' | 'ě' | 'ē' => out.push('e'),
            'ì' | 'í' | 'î' | 'ï' | 'ı' | 'ī' => out.push('i'),
            'ñ' | 'ń' | 'ň' => out.push('n'),
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => out.push('o'),
            'ù' | 'ú' | 'û' | 'ü' | 'ů' | 'ū' | 'ű' => out.push('u'),
            'ý' | 'ÿ' => out.push('y'),
            'ł' => out.push('l'),
            'ś' | 'š' | 'ş' => out.push('s'),
            'ź' | 'ż' | 'ž' => out.push('z'),
            'ğ' => out.push('g'),
            'ř' => out.push('r'),
            'ß' => out.push_str("ss"),
            other => out.push(other),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Candidate `(modifier, head)` token hashes of a lowercase word, longest head first; a modifier
/// may end in a linking element, which is also tried stripped.
fn splits(word: &str, links: &[String]) -> Vec<(u64, u64)> {
    let bounds: Vec<usize> = word.char_indices().map(|(i, _)| i).collect();
    let n = bounds.len();
    let mut out = Vec::new();
    for &at in bounds.iter().take(n.saturating_sub(MIN_PART)).skip(MIN_PART) {
        let (modifier, head) = word.split_at(at);
        let head_h = term_hash(TermKind::Token, head);
        out.push((term_hash(TermKind::Token, modifier), head_h));
        for link in links {
            if let Some(stripped) = modifier.strip_suffix(link.as_str()) {
                if stripped.chars().count() >= MIN_PART {
                    out.push((term_hash(TermKind::Token, stripped), head_h));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn analyzer() -> Analyzer {
        Analyzer::builtin().unwrap()
    }

    #[test]
    fn spelling_variants_of_a_name_share_tokens() {
        let a = analyzer();
        let x = a.analyze("", "Treffen mit Kim Jong-un heute", Some("de"));
        let y = a.analyze("", "Treffen mit Kim Jong Un heute", Some("de"));
        assert_eq!(x.body.tokens, y.body.tokens);
        assert_eq!(x.body.names, y.body.names);
    }

    #[test]
    fn stems_merge_inflections_and_names_skip_sentence_starts() {
        let a = analyzer();
        let x = a.analyze("", "Die Raketen flogen. Putins Rakete flog.", Some("de"));
        let rakete = term_hash(TermKind::Stem, "raket");
        assert_eq!(x.body.stems.iter().filter(|h| **h == rakete).count(), 2);
        assert!(
            x.body.names.contains(&term_hash(TermKind::Name, "raket")),
            "capitalised noun mid-sentence"
        );
        assert!(!x.body.names.contains(&term_hash(TermKind::Name, "putin")), "opens a sentence");
        let y = a.analyze("", "Gespräch mit Putins Gesandtem und der NATO", Some("de"));
        assert!(y.body.names.contains(&term_hash(TermKind::Name, "putin")));
        assert!(y.body.names.contains(&term_hash(TermKind::Name, "nato")));
    }

    #[test]
    fn german_compounds_offer_their_splits_other_languages_none() {
        let a = analyzer();
        let x = a.analyze("", "Der Verteidigungsminister sprach.", Some("de"));
        let c = &x.compounds[0];
        let want =
            (term_hash(TermKind::Token, "verteidigung"), term_hash(TermKind::Token, "minister"));
        assert!(c.splits.contains(&want));
        let y = a.analyze("", "The international committee met.", Some("en"));
        assert!(y.compounds.is_empty());
    }

    #[test]
    fn han_script_becomes_character_pairs_and_exact_hash_ignores_punctuation() {
        let a = analyzer();
        let x = a.analyze("", "普京访问朝鲜", Some("zh"));
        assert_eq!(x.body.tokens.len(), 5);
        let p = a.analyze("", "Kim reist, Putin wartet.", None);
        let q = a.analyze("", "Kim reist -- Putin wartet", None);
        assert_eq!(p.exact, q.exact);
    }
}

//! Quotations: direct speech in any quotation-mark style, indirect speech (German Konjunktiv I:
//! "Peskow sagte, das Treffen werde ... stattfinden"), reported speech ("Laut Peskow ...",
//! "Südkorea wirft Nordkorea vor, ..."), quotes split by their attribution, free indirect
//! speech that goes on in the next sentences, and nested quotes; each with its cue, its
//! speaker's span and the speaker's name, resolved through the document ("der Sprecher", "er"
//! become the nearest fitting named speaker; "Peskow" becomes "Dmitri Peskow" when the full
//! name was seen).
//!
//! # Example
//! ```
//! use storyline_extract::quotes::{QuoteFinder, QuoteKind};
//! let finder = QuoteFinder::builtin().unwrap();
//! let text = "Kremlsprecher Dmitri Peskow bestätigte das. Peskow sagte, das Treffen werde bald stattfinden.";
//! let q = &finder.find(text, Some("de"))[0];
//! assert_eq!(q.kind, QuoteKind::Indirect);
//! assert_eq!(&text[q.start..q.end], "das Treffen werde bald stattfinden");
//! assert_eq!(q.speaker_name.as_deref(), Some("Dmitri Peskow"));
//! ```

use serde::Serialize;
use storyline_text::profile::{builtin_profiles, Profile, ProfileError, SpeechWords};
use storyline_text::sentences;

use crate::timex::scan::{tokenize, Kind, Tok};

/// How a quote is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum QuoteKind {
    /// In quotation marks.
    Direct,
    /// In a clause after a speech verb ("sagte, ... werde ...").
    Indirect,
    /// Subjunctive sentences that go on after a direct quote, without a verb of their own.
    FreeIndirect,
    /// Subjunctive sentences that go on after an indirect quote.
    IndirectFreeIndirect,
    /// Attributed by a source phrase ("Laut ...", "... zufolge", "wirft ... vor").
    Reported,
}

impl QuoteKind {
    /// The name the evaluation data uses.
    pub fn as_str(&self) -> &'static str {
        match self {
            QuoteKind::Direct => "Direct",
            QuoteKind::Indirect => "Indirect",
            QuoteKind::FreeIndirect => "FreeIndirect",
            QuoteKind::IndirectFreeIndirect => "IndirectFreeIndirect",
            QuoteKind::Reported => "Reported",
        }
    }
}

/// One quote, with byte spans into the text.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Quote {
    /// First byte of the quote (its opening mark, for direct speech).
    pub start: usize,
    /// Byte after its end.
    pub end: usize,
    /// How it is given.
    pub kind: QuoteKind,
    /// The speech verb or source phrase, if any.
    pub cue: Option<(usize, usize)>,
    /// The words naming the speaker where the attribution stands ("der Sprecher", "Peskow").
    pub speaker: Option<(usize, usize)>,
    /// The speaker's name, resolved through the document; the fullest form seen.
    pub speaker_name: Option<String>,
    /// Inside another quote.
    pub nested: bool,
}

impl Quote {
    /// A key that is equal for the spellings of one speaker's name ("Kim Jong-un", "Kim Jong Un").
    pub fn speaker_key(&self) -> Option<String> {
        self.speaker_name.as_deref().map(name_key)
    }
}

/// Lowercase, hyphens as spaces, single spaces.
pub fn name_key(name: &str) -> String {
    name.to_lowercase().replace('-', " ").split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Finds quotes in the languages of the built-in profiles.
#[derive(Debug)]
pub struct QuoteFinder {
    languages: Vec<(String, SpeechWords, Vec<String>, Vec<String>)>,
}

impl QuoteFinder {
    /// A finder for the given profiles.
    pub fn new(profiles: &[Profile]) -> QuoteFinder {
        let languages = profiles
            .iter()
            .filter(|p| !p.speech.quote_marks.is_empty())
            .map(|p| {
                (p.code.clone(), p.speech.clone(), p.abbreviations.clone(), p.stop_words.clone())
            })
            .collect();
        QuoteFinder { languages }
    }

    /// A finder for the profiles compiled in.
    pub fn builtin() -> Result<QuoteFinder, ProfileError> {
        Ok(QuoteFinder::new(&builtin_profiles()?))
    }

    /// The quotes of `text` in text order; none for a language without speech words.
    pub fn find(&self, text: &str, lang: Option<&str>) -> Vec<Quote> {
        self.find_tokens(&crate::Tokens::of(text), lang)
    }

    /// [`QuoteFinder::find`] on the text's tokens, made once for every extractor.
    pub fn find_tokens(&self, tokens: &crate::Tokens, lang: Option<&str>) -> Vec<Quote> {
        let Some((_, words, abbreviations, stop_words)) =
            self.languages.iter().find(|(c, ..)| Some(c.as_str()) == lang)
        else {
            return Vec::new();
        };
        Finder::new(tokens.text(), &tokens.toks, words, abbreviations, stop_words).run()
    }
}

struct Finder<'a> {
    text: &'a str,
    w: &'a SpeechWords,
    toks: &'a [Tok],
    sentences: Vec<(usize, usize)>,
    /// Full names seen so far, for "Peskow" → "Dmitri Peskow".
    names: Vec<String>,
    /// The language's stop words: a sentence-initial one ("Auch") opens no subject.
    stop_words: &'a [String],
    /// The words of each "according to" phrase ("laut", "nach Angaben"), lowercase, split once.
    according_to: Vec<Vec<String>>,
}

fn is_in(list: &[String], w: &str) -> bool {
    list.iter().any(|x| x == w)
}

impl<'a> Finder<'a> {
    fn new(
        text: &'a str,
        toks: &'a [Tok],
        w: &'a SpeechWords,
        abbreviations: &[String],
        stop_words: &'a [String],
    ) -> Finder<'a> {
        Finder {
            text,
            w,
            toks,
            sentences: sentences(text, abbreviations),
            names: Vec::new(),
            stop_words,
            according_to: w
                .according_to
                .iter()
                .map(|p| tokenize(p).into_iter().map(|t| t.lower).collect())
                .collect(),
        }
    }

    /// Index of the first token starting at or after byte `at`.
    fn tok_at(&self, at: usize) -> usize {
        self.toks.partition_point(|t| t.start < at)
    }

    fn sentence_of(&self, at: usize) -> (usize, usize) {
        self.sentences.iter().copied().find(|(s, e)| *s <= at && at < *e).unwrap_or((at, at))
    }

    /// Direct quotes: marks paired with a stack; a paragraph break drops what is open.
    fn direct(&self) -> Vec<(usize, usize, usize)> {
        let mut out = Vec::new();
        let mut stack: Vec<(usize, &str)> = Vec::new();
        let mut prev_newline = false;
        for (i, c) in self.text.char_indices() {
            if c == '\n' {
                if prev_newline {
                    stack.clear();
                }
                prev_newline = true;
                continue;
            }
            if !c.is_whitespace() {
                prev_newline = false;
            }
            let s = &self.text[i..i + c.len_utf8()];
            if let Some((start, _)) = stack.last().filter(|(_, close)| *close == s) {
                let start = *start;
                stack.pop();
                out.push((start, i + c.len_utf8(), stack.len()));
                continue;
            }
            if let Some((_, close)) = self.w.quote_marks.iter().find(|(open, _)| open == s) {
                // A straight quote closes nothing here, so it opens; so does any opening mark.
                stack.push((i, close.as_str()));
            }
        }
        out.sort();
        // Nested quotes of one word are titles, not speech. Short top-level quotes are kept and
        // count as speech only where someone is said to say them (see `run`).
        out.into_iter()
            .filter(|(s, e, depth)| {
                let words = self.text[*s..*e].split_whitespace().count();
                words >= 1 && (*depth == 0 || words >= 2)
            })
            .collect()
    }

    fn cue_at(&self, i: usize) -> bool {
        self.toks.get(i).is_some_and(|t| t.kind == Kind::Word && is_in(&self.w.verbs, &t.lower))
    }

    fn punct(&self, i: usize, p: &str) -> bool {
        self.toks.get(i).is_some_and(|t| t.kind == Kind::Punct && t.lower == p)
    }

    /// A speaker phrase from token `i`: a determiner, adjectives, then nouns and names (with a
    /// genitive "des ..."), up to punctuation, a stop word or a lowercase word after the nouns;
    /// tokens `i..end`.
    fn phrase_from(&self, i: usize, limit: usize) -> Option<(usize, usize)> {
        // "äußerte sich Schavan": the reflexive is no part of the speaker, nor are "heute
        // Abend" in "sagte heute Abend ein Sprecher".
        let mut i = i;
        while i + 1 < limit
            && self.toks.get(i).is_some_and(|t| {
                is_in(&self.w.reflexives, &t.lower) || is_in(&self.w.speaker_skips, &t.lower)
            })
        {
            i += 1;
        }
        let mut j = i;
        let mut seen_noun = false;
        while j < limit && j < i + 14 {
            let t = &self.toks[j];
            // "Navarro-Valls", "O’Keefe"
            let hyphen = t.kind == Kind::Punct
                && !t.gap
                && (t.lower == "-"
                    || (matches!(t.lower.as_str(), "’" | "'")
                        && self.toks.get(j + 1).is_some_and(|n| !n.gap && n.cap)));
            let part_of_name =
                j > i && !t.gap && matches!(self.toks[j - 1].lower.as_str(), "-" | "’" | "'");
            let next_is_word = self.toks.get(j + 1).is_some_and(|n| n.kind == Kind::Word);
            let ok = match t.kind {
                Kind::Word if part_of_name || t.cap => {
                    seen_noun = true;
                    true
                }
                Kind::Word if j == i && is_in(&self.w.determiners, &t.lower) => true,
                Kind::Word
                    if seen_noun
                        && next_is_word
                        && (is_in(&self.w.genitive_determiners, &t.lower)
                            || is_in(&self.w.attached_prepositions, &t.lower)) =>
                {
                    // "der Sprecher des saudi-arabischen Ministeriums", "Theo Kitz vom Bankhaus
                    // Merck Finck": a genitive or "von" after the noun, with adjectives of its own.
                    seen_noun = false;
                    true
                }
                Kind::Word if seen_noun => {
                    // "Angaben libanesischer Sicherheitskreise": a genitive without determiner.
                    let adjective = !is_in(&self.w.speaker_stops, &t.lower)
                        && !is_in(&self.w.determiners, &t.lower)
                        && t.lower.ends_with(['r', 'n', 's'])
                        && self.toks.get(j + 1).is_some_and(|n| n.cap && n.kind == Kind::Word)
                        && !is_in(&self.w.verbs, &t.lower)
                        && !is_in(self.stop_words, &t.lower);
                    if adjective {
                        seen_noun = false;
                    }
                    adjective
                }
                Kind::Word => {
                    !is_in(&self.w.speaker_stops, &t.lower)
                        && !is_in(&self.w.particles, &t.lower)
                        && !is_in(&self.w.verbs, &t.lower)
                        && !is_in(&self.w.determiners, &t.lower)
                        && (next_is_word
                            || self.toks.get(j + 1).is_some_and(|n| n.lower == "-" && !n.gap))
                }
                Kind::Punct
                    if (seen_noun
                        || (j > i && is_in(&self.w.determiners, &self.toks[j - 1].lower)))
                        && matches!(t.lower.as_str(), "„" | "\"" | "»") =>
                {
                    // A quoted title after a noun or a determiner: "einem Artikel von „BBC
                    // News“", "Das „National Hurricane Centre“".
                    seen_noun = true;
                    let close = (j + 1..(j + 7).min(limit))
                        .find(|k| matches!(self.toks[*k].lower.as_str(), "“" | "\"" | "«"));
                    match close {
                        Some(k) => {
                            j = k;
                            true
                        }
                        None => false,
                    }
                }
                Kind::Punct => hyphen,
                Kind::Num => false,
            };
            if !ok {
                break;
            }
            j += 1;
        }
        // A bracketed party or place after a name: "Matthias Berninger (Grüne)".
        if j > i
            && self.punct(j, "(")
            && self.toks.get(j + 1).is_some_and(|t| t.cap)
            && self.punct(j + 2, ")")
            && j + 3 <= limit
        {
            j += 3;
        }
        // Lowercase words and determiners at the end are no part of the phrase.
        let ends_phrase = |k: usize| {
            let t = &self.toks[k - 1];
            t.cap
                || (k >= 2 && self.toks[k - 2].lower == "-")
                || matches!(t.lower.as_str(), ")" | "“" | "\"" | "«")
        };
        while j > i && !ends_phrase(j) {
            j -= 1;
        }
        if j > i && self.toks[i..j].iter().any(|t| t.cap) {
            return Some((i, j));
        }
        self.toks.get(i).filter(|t| is_in(&self.w.pronouns, &t.lower)).map(|_| (i, i + 1))
    }

    /// A speaker phrase with its apposition: "Tony Auden, ein Sprecher des Zentrums," and
    /// "der Chef der Bundesagentur, Frank-Jürgen Weise," are one speaker.
    fn with_apposition(&self, (a, b): (usize, usize), limit: usize) -> (usize, usize) {
        if !self.punct(b, ",") {
            return (a, b);
        }
        match self.phrase_from(b + 1, limit) {
            Some((_, e))
                if self
                    .toks
                    .get(e)
                    .is_none_or(|t| matches!(t.lower.as_str(), "," | "." | ":" | ";")) =>
            {
                (a, e)
            }
            _ => (a, b),
        }
    }

    /// The byte span of a speaker phrase with its apposition.
    fn speaker_span(&self, phrase: (usize, usize), limit: usize) -> (usize, usize) {
        let (a, b) = self.with_apposition(phrase, limit);
        self.span(a, b)
    }

    /// The name at the end of a phrase: its last run of capitalised words, after any role
    /// noun ("Kreml-Berater Juri Uschakow" → "Juri Uschakow"). None when the run follows a
    /// determiner ("der Sprecher", "des Nationalen Sicherheitsrats") or is all roles.
    fn name_in(&self, (a, b): (usize, usize)) -> Option<String> {
        // Groups: words joined by hyphens without spaces ("Ho-jin", "Kreml-Berater").
        let mut groups: Vec<(usize, usize)> = Vec::new();
        let mut j = a;
        while j < b {
            let mut k = j + 1;
            while k + 1 < b
                && self.toks[k].lower == "-"
                && !self.toks[k].gap
                && !self.toks[k + 1].gap
            {
                k += 2;
            }
            groups.push((j, k));
            j = k;
        }
        let mut run_start = groups.len();
        while run_start > 0 {
            let (g0, _) = groups[run_start - 1];
            if self.toks[g0].kind != Kind::Word || !self.toks[g0].cap {
                break;
            }
            run_start -= 1;
        }
        let run = &groups[run_start..];
        let (r0, _) = *run.first()?;
        let last_role = run
            .iter()
            .rposition(|(_, g1)| is_in_suffix(&self.w.role_suffixes, &self.toks[g1 - 1].lower));
        if last_role.is_none() && r0 > a && is_in(&self.w.determiners, &self.toks[r0 - 1].lower) {
            return None;
        }
        let names = match last_role {
            Some(r) => &run[r + 1..],
            None => run,
        };
        let (n0, _) = *names.first()?;
        let (_, n1) = *names.last()?;
        Some(self.text[self.toks[n0].start..self.toks[n1 - 1].end].to_string())
    }

    /// The noun phrase that ends right before token `k` ("ersten Angaben" in "... handele es
    /// sich ersten Angaben zufolge ..."): capitalised words, hyphens, adjectives and one
    /// determiner, walking back no further than `from`.
    fn phrase_before(&self, from: usize, k: usize) -> Option<(usize, usize)> {
        let mut j = k;
        let mut nouns = 0;
        while j > from {
            let t = &self.toks[j - 1];
            let hyphen = t.lower == "-" && !t.gap;
            let noun = t.kind == Kind::Word && t.cap;
            let adjective = t.kind == Kind::Word
                && !t.cap
                && nouns > 0
                && t.lower.ends_with(['e', 'n', 'r', 's', 'm'])
                && !is_in(self.stop_words, &t.lower)
                && !is_in(&self.w.reflexives, &t.lower);
            if is_in(&self.w.determiners, &t.lower)
                || is_in(&self.w.pronouns, &t.lower) && nouns > 0
            {
                j -= 1;
                break;
            }
            if !(noun || hyphen || adjective) {
                break;
            }
            nouns += usize::from(noun);
            j -= 1;
        }
        (nouns > 0).then_some((j, k))
    }

    /// The subject at the start of a clause: the first noun phrase from token `i`; after a
    /// fronted prepositional phrase and its verb, the phrase that follows the verb.
    fn subject(&self, i: usize, limit: usize) -> Option<(usize, usize)> {
        if self.toks.get(i).is_some_and(|t| is_in(&self.w.fronted_prepositions, &t.lower)) {
            // "Nach einem dreitägigen Flug lenkte er", "Am heutigen Montag sagte Solana": the
            // phrase of the preposition (determiner, adjectives, nouns), then the verb.
            let mut j = i + 1;
            let mut nouns = 0;
            while j < limit {
                let t = &self.toks[j];
                // "In einem Interview mit der Zeitung": a preposition or a genitive goes on.
                if nouns > 0
                    && (is_in(&self.w.fronted_prepositions, &t.lower)
                        || is_in(&self.w.genitive_determiners, &t.lower))
                {
                    nouns = 0;
                    j += 1;
                    continue;
                }
                let noun = t.kind == Kind::Word && t.cap;
                // Determiners and adjectives before the noun, or an adjective opening a
                // genitive after it ("Nach Angaben russischer Nachrichtenagenturen").
                let before_noun = nouns == 0
                    || self.toks.get(j + 1).is_some_and(|n| n.cap && n.kind == Kind::Word);
                let filler = t.kind == Kind::Word
                    && !t.cap
                    && before_noun
                    && !is_in(&self.w.verbs, &t.lower)
                    && !is_in(&self.w.pronouns, &t.lower);
                let hyphen = t.lower == "-" && !t.gap;
                if !(noun || filler || hyphen) {
                    break;
                }
                nouns += usize::from(noun);
                j += 1;
            }
            let verb = self.toks.get(j).is_some_and(|t| t.kind == Kind::Word && !t.cap);
            if nouns > 0 && verb {
                // When the verb is where the clause is cut (the cue), the subject after it is
                // the caller's to find.
                return if j + 1 < limit { self.phrase_from(j + 1, limit) } else { None };
            }
        }
        // "Dazu erklärte das Ministerium", "Weiter sagte er": an adverb first, the subject
        // after the verb.
        if self.toks.get(i).is_some_and(|t| is_in(&self.w.fronted_adverbs, &t.lower))
            && self.toks.get(i + 1).is_some_and(|t| t.kind == Kind::Word && !t.cap)
        {
            return if i + 2 < limit { self.phrase_from(i + 2, limit) } else { None };
        }
        // "Auch die Delegationsleiterin ...": a sentence-initial adverb opens no subject.
        let mut i = i;
        while i + 1 < limit
            && is_in(self.stop_words, &self.toks[i].lower)
            && !is_in(&self.w.determiners, &self.toks[i].lower)
            && !is_in(&self.w.pronouns, &self.toks[i].lower)
            && self.toks[i + 1].kind == Kind::Word
        {
            i += 1;
        }
        let mut j = i;
        let mut seen_noun = false;
        while j < limit {
            let t = &self.toks[j];
            seen_noun |= t.cap
                && !is_in(&self.w.determiners, &t.lower)
                && !is_in(&self.w.pronouns, &t.lower);
            let joins = t.lower == "und" && self.toks.get(j + 1).is_some_and(|n| n.cap);
            let hyphen = t.lower == "-" && !t.gap;
            let after_hyphen = j > i && self.toks[j - 1].lower == "-" && !t.gap;
            // "Der 23-jährige Sportler"
            let number_compound = t.kind == Kind::Num
                && !seen_noun
                && self.toks.get(j + 1).is_some_and(|n| n.lower == "-" && !n.gap);
            let adjective = t.kind == Kind::Word
                && !t.cap
                && !seen_noun
                && !is_in(&self.w.verbs, &t.lower)
                && self.toks.get(j + 1).is_some_and(|n| n.cap || (n.lower == "-" && !n.gap));
            if seen_noun
                && is_in(&self.w.genitive_determiners, &t.lower)
                && self.toks.get(j + 1).is_some_and(|n| n.kind == Kind::Word)
            {
                // "Experten der polnischen Marine": a genitive with adjectives of its own.
                seen_noun = false;
                j += 1;
                continue;
            }
            // "Ein Regierungssprecher in Berlin", "Matthias Berninger (Grüne)".
            let preposition = seen_noun
                && is_in(&self.w.speaker_prepositions, &t.lower)
                && self.toks.get(j + 1).is_some_and(|n| n.cap && n.kind == Kind::Word);
            let bracket = seen_noun
                && t.lower == "("
                && self.toks.get(j + 1).is_some_and(|n| n.cap)
                && self.toks.get(j + 2).is_some_and(|n| n.lower == ")");
            if bracket {
                j += 3;
                continue;
            }
            // A quoted name after a determiner or a noun: "Das „National Hurricane Centre“".
            if matches!(t.lower.as_str(), "„" | "\"" | "»")
                && j > i
                && (seen_noun || is_in(&self.w.determiners, &self.toks[j - 1].lower))
            {
                if let Some(k) = (j + 1..(j + 8).min(limit))
                    .find(|k| matches!(self.toks[*k].lower.as_str(), "“" | "\"" | "«"))
                {
                    seen_noun = true;
                    j = k + 1;
                    continue;
                }
            }
            let ok = (t.kind == Kind::Word
                && (t.cap
                    || is_in(&self.w.determiners, &t.lower)
                    || is_in(&self.w.pronouns, &t.lower)))
                || joins
                || hyphen
                || after_hyphen
                || number_compound
                || adjective
                || preposition;
            if !ok || (j > i && self.cue_at(j)) {
                break;
            }
            j += 1;
        }
        // "Zuvor hatte die Agentur Yonhap berichtet": one capitalised word that is no known
        // name and a verb first; the subject comes after the verb.
        let known_name =
            self.names.iter().any(|n| name_key(n).split(' ').any(|p| p == self.toks[i].lower));
        if j == i + 1
            && !known_name
            && self.toks.get(j).is_some_and(|t| t.kind == Kind::Word && !t.cap)
            && j + 1 < limit
            && is_in(&self.w.determiners, &self.toks[j + 1].lower)
        {
            if let Some(p) = self.phrase_from(j + 1, limit) {
                return Some(p);
            }
        }
        (j > i).then_some((i, j))
    }

    /// The name a speaker phrase stands for: its own, an apposition's (", John Kirby,"), a name
    /// ending the clause ("... gegenüber Reportern Matthew Miller."), for a pronoun the last
    /// speaker, for a role noun its named holder mentioned before ("der Sprecher" →
    /// "Kremlsprecher Dmitri Peskow"), else the phrase itself ("russische Agenturen").
    fn resolve(
        &mut self,
        phrase: (usize, usize),
        clause_end: usize,
        last: &Option<String>,
    ) -> Option<String> {
        let ends_clause = |f: &Finder, p: (usize, usize)| {
            f.toks.get(p.1).is_none_or(|t| {
                t.kind == Kind::Punct && matches!(t.lower.as_str(), "." | "," | ";")
            })
        };
        if phrase.1 == phrase.0 + 1 && is_in(&self.w.pronouns, &self.toks[phrase.0].lower) {
            return last.clone();
        }
        let mut name = self.name_in(phrase);
        if name.is_none() && self.punct(phrase.1, ",") {
            name = self
                .phrase_from(phrase.1 + 1, clause_end)
                .filter(|p| ends_clause(self, *p))
                .and_then(|p| self.name_in(p));
        }
        if name.is_none() {
            // A name closing the clause a few words on.
            let mut j = phrase.1;
            while j < clause_end
                && j < phrase.1 + 4
                && !(self.toks[j].cap && self.toks[j].kind == Kind::Word)
            {
                j += 1;
            }
            let p =
                (j..(j + 2).min(clause_end)).filter_map(|k| self.phrase_from(k, clause_end)).find(
                    |p| ends_clause(self, *p) && self.toks.get(p.1).is_some_and(|t| t.lower == "."),
                );
            name = p.and_then(|p| self.name_in(p));
        }
        let t = &self.toks[phrase.1 - 1];
        if name.is_none() && is_in(&self.w.pronouns, &t.lower) {
            return last.clone();
        }
        if name.is_none() && is_in_suffix(&self.w.role_suffixes, &t.lower) {
            // The role noun: look back for a holder of it with a name.
            let head: String = t.lower.trim_end_matches(['s', 'n']).to_string();
            let before = phrase.0;
            name = (0..before).rev().find_map(|k| {
                let r = &self.toks[k];
                if r.kind == Kind::Word
                    && r.cap
                    && r.lower.trim_end_matches(['s', 'n']).ends_with(&head)
                {
                    let p = self.phrase_from(k, before.min(k + 6))?;
                    self.name_in(p)
                } else {
                    None
                }
            });
        }
        let name = name.unwrap_or_else(|| {
            let start = if is_in(&self.w.determiners, &self.toks[phrase.0].lower) {
                phrase.0 + 1
            } else {
                phrase.0
            };
            self.text[self.toks[start.min(phrase.1 - 1)].start..self.toks[phrase.1 - 1].end]
                .to_string()
        });
        // "„National Hurricane Centre“ der USA": quotation marks are no part of a name.
        let name: String =
            name.chars().filter(|c| !matches!(c, '„' | '“' | '"' | '»' | '«')).collect();
        Some(self.canonical(&name))
    }

    /// The fullest form of `name` seen in the document: "Peskow" after "Dmitri Peskow",
    /// "Kim" after "Kim Jong Un".
    fn canonical(&mut self, name: &str) -> String {
        let key = name_key(name);
        let parts: Vec<&str> = key.split(' ').collect();
        if let Some(full) = self.names.iter().find(|n| {
            let k = name_key(n);
            let fp: Vec<&str> = k.split(' ').collect();
            k == key || (parts.len() < fp.len() && (fp.ends_with(&parts) || fp.starts_with(&parts)))
        }) {
            return full.clone();
        }
        self.names.push(name.to_string());
        name.to_string()
    }

    /// Learns the names written after a role noun anywhere in the text ("Kremlsprecher Dmitri
    /// Peskow"), so that a later "Peskow" resolves to the full name.
    fn learn_names(&mut self) {
        let mut found = Vec::new();
        for (k, t) in self.toks.iter().enumerate() {
            if t.kind == Kind::Word && t.cap && is_in_suffix(&self.w.role_suffixes, &t.lower) {
                if let Some(p) = self.phrase_from(k + 1, self.toks.len().min(k + 6)) {
                    if let Some(n) = self.name_in(p) {
                        if n.split_whitespace().count() >= 2 {
                            found.push(n);
                        }
                    }
                }
            }
        }
        for n in found {
            self.canonical(&n);
        }
    }

    /// Whether a source noun follows the preposition at `k`, after at most three lowercase
    /// words ("nach offiziellen chinesischen Angaben").
    fn source_noun_follows(&self, k: usize, stop: usize) -> bool {
        for n in k + 1..(k + 5).min(stop) {
            let t = &self.toks[n];
            if is_in(&self.w.source_nouns, &t.lower) {
                return true;
            }
            if t.cap || t.kind != Kind::Word {
                return false;
            }
        }
        false
    }

    /// Length in tokens of the phrase of lowercase `words` at token `k`, if it is there.
    fn phrase_len(&self, k: usize, words: &[String]) -> Option<usize> {
        (!words.is_empty()
            && words
                .iter()
                .enumerate()
                .all(|(n, w)| self.toks.get(k + n).is_some_and(|t| &t.lower == w)))
        .then_some(words.len())
    }

    fn has_subjunctive(&self, a: usize, b: usize) -> bool {
        self.toks[a..b].iter().any(|t| is_in(&self.w.subjunctive, &t.lower))
    }

    fn span(&self, a: usize, b: usize) -> (usize, usize) {
        (self.toks[a].start, self.toks[b - 1].end)
    }

    /// Attribution of the direct quote at bytes `qs..qe` inside the sentence tokens `cs..ce`:
    /// cue token and speaker phrase.
    fn attribute_direct(
        &self,
        (qs, qe): (usize, usize),
        (cs, ce): (usize, usize),
        direct: &[(usize, usize, usize)],
    ) -> (Option<usize>, Option<(usize, usize)>) {
        let inside_direct = |at: usize| direct.iter().any(|(s, e, _)| *s <= at && at < *e);
        let (a, b) = (self.tok_at(qs), self.tok_at(qe));
        // After the quote: "…", sagte Putin. / "…", so Kim. / "…", zitierte Tass den Sprecher.
        let mut j = b;
        if self.punct(j, ",") {
            j += 1;
        }
        if j < ce && self.cue_at(j) && !inside_direct(self.toks[j].start) {
            let mut phrase = self.phrase_from(j + 1, ce);
            if self.toks[j].lower.starts_with("zitiert") {
                // The speaker is the object after the source: "... Tass den Sprecher".
                if let Some((p0, p1)) = phrase {
                    let end = (p1 + 4).min(ce);
                    if let Some(d) =
                        (p0 + 1..end).find(|k| is_in(&self.w.determiners, &self.toks[*k].lower))
                    {
                        phrase = self.phrase_from(d, ce).or(phrase);
                    }
                }
            }
            return (Some(j), phrase);
        }
        // Before it: "Putin ... sagte vor laufenden Kameras: „…“".
        let c = (cs..a).rev().find(|k| {
            self.cue_at(*k) && self.toks[*k].lower != "so" && !inside_direct(self.toks[*k].start)
        });
        if let Some(c) = c {
            return (Some(c), self.speaker_at(cs, c, a));
        }
        // "BKA-Präsident Ziercke: „…“": a noun phrase and a colon.
        if a > cs && self.punct(a - 1, ":") {
            let from = (cs..a - 1)
                .rev()
                .find(|k| {
                    self.toks[*k].kind == Kind::Punct
                        && !matches!(self.toks[*k].lower.as_str(), "-" | "(" | ")")
                })
                .map_or(cs, |k| k + 1);
            if let Some(p) = self.subject(from, a - 1).filter(|(_, e)| *e == a - 1) {
                return (None, Some(p));
            }
            // "Obamas Wahlkampfteam veröffentlichte die Antwort: „…“": any verb before the
            // colon; its subject opens the clause, or follows the verb ("In seiner Mitteilung
            // resümiert Hartmut Lierow: „…“").
            if let Some(p) = self.subject(from, a - 1) {
                let verb_follows =
                    self.toks.get(p.1).is_some_and(|t| t.kind == Kind::Word && !t.cap);
                if verb_follows
                    && self.toks[p.0..p.1]
                        .iter()
                        .any(|t| t.cap && !is_in(self.stop_words, &t.lower))
                {
                    return (None, Some(p));
                }
            }
            if let Some(v) = (from..a - 1)
                .find(|k| self.toks[*k].kind == Kind::Word && !self.toks[*k].cap && *k > from)
            {
                if let Some(p) = self.phrase_from(v + 1, a - 1) {
                    return (None, Some(p));
                }
            }
        }
        (None, None)
    }

    /// The speaker of the verb at token `c` in a clause from `cs`: the subject when it stands
    /// right before the verb ("Peskow sagte", "Die US-Botschaft in Riad teilte dem Sender mit"),
    /// else the phrase after the verb when one follows ("sagte der Sprecher"), else the subject.
    fn speaker_at(&self, cs: usize, c: usize, limit: usize) -> Option<(usize, usize)> {
        let subject = self.subject(cs, c);
        if subject.is_some_and(|(_, e)| e == c) {
            return subject;
        }
        if self.inverted(c) {
            return self.phrase_from(c + 1, limit).or(subject);
        }
        subject
    }

    /// Whether the speaker follows the verb: "sagte der Sprecher", "sagte Kim", "erklärten
    /// russische Agenturen".
    fn inverted(&self, c: usize) -> bool {
        self.toks.get(c + 1).is_some_and(|t| {
            t.cap
                || (is_in(&self.w.determiners, &t.lower)
                    && !is_in(&self.w.addressee_determiners, &t.lower))
                || (t.kind == Kind::Word
                    && !is_in(&self.w.speaker_stops, &t.lower)
                    && self.toks.get(c + 2).is_some_and(|n| n.cap))
        })
    }

    fn run(mut self) -> Vec<Quote> {
        self.learn_names();
        let direct = self.direct();
        let inside_direct = |at: usize| direct.iter().any(|(s, e, _)| *s <= at && at < *e);
        let mut out: Vec<Quote> = Vec::new();
        let mut last_speaker: Option<String> = None;
        let mut last_phrase: Option<(usize, usize)> = None;
        // What the sentence before said, for free indirect speech: kind, speaker, phrase span.
        let mut previous: Option<Said> = None;
        let sentences = self.sentences.clone();
        for &(ss, se) in &sentences {
            let (cs, ce) = (self.tok_at(ss), self.tok_at(se));
            if cs >= ce {
                continue;
            }
            let mut said: Option<Said> = None;
            // Direct quotes that open in this sentence.
            let opening: Vec<_> =
                direct.iter().copied().filter(|(s, _, _)| *s >= ss && *s < se).collect();
            for &(qs, qe, depth) in &opening {
                let (_, ctx_end) = self.sentence_of(qe.saturating_sub(1).max(qs));
                let (cue, phrase) =
                    self.attribute_direct((qs, qe), (cs, self.tok_at(ctx_end.max(se))), &direct);
                let short = self.text[qs..qe].split_whitespace().count() < 3;
                // A short quote counts only with a verb of its own or inside someone's indirect
                // speech; else it is a scare quote or a title.
                let name = match phrase {
                    Some(p) => self.resolve(p, self.tok_at(ctx_end.max(se)), &last_speaker),
                    // Split or continued quotes keep the last speaker.
                    None if depth == 0 && !short => last_speaker.clone(),
                    None => None,
                };
                let phrase_bytes = phrase.map(|p| self.speaker_span(p, ce)).or(if depth == 0 {
                    last_phrase
                } else {
                    None
                });
                if depth == 0 && name.is_some() && !short {
                    last_speaker = name.clone();
                    last_phrase = phrase_bytes;
                    said = Some((QuoteKind::Direct, name.clone(), phrase_bytes));
                }
                out.push(Quote {
                    start: qs,
                    end: qe,
                    kind: QuoteKind::Direct,
                    cue: cue.map(|c| self.span(c, c + 1)),
                    speaker: phrase_bytes,
                    speaker_name: name,
                    nested: depth > 0,
                });
            }
            // A sentence inside a direct quote says nothing more.
            let covered = direct.iter().any(|(s, e, d)| *d == 0 && *s <= ss + 1 && se <= *e + 2);
            if !covered {
                // Text up to a direct quote introduced by a colon belongs to that quote's frame.
                let limit = opening
                    .iter()
                    .map(|(s, _, _)| self.tok_at(*s))
                    .find(|k| *k > cs && self.punct(*k - 1, ":"))
                    .unwrap_or(ce);
                let mut found = self.indirect(cs, ce, limit, &inside_direct, &last_speaker);
                if found.is_none() && opening.is_empty() {
                    found = self.reported_sentence(cs, ce, (ss, se), &last_speaker);
                }
                if found.is_none() && opening.is_empty() {
                    found = self.free_indirect(cs, ce, (ss, se), &previous);
                }
                if let Some(q) = found {
                    // A direct quote inside the clause without a verb of its own is the same
                    // speaker's: "..., die beiden würden „wichtige Dokumente“ unterzeichnen".
                    for d in
                        out.iter_mut().filter(|d| d.kind == QuoteKind::Direct && d.cue.is_none())
                    {
                        if d.start >= q.start && d.end <= q.end + 1 {
                            d.speaker = q.speaker;
                            d.speaker_name = q.speaker_name.clone();
                        }
                    }
                    if q.speaker_name.is_some() {
                        last_speaker = q.speaker_name.clone();
                        last_phrase = q.speaker;
                        let kind = match (q.kind, &previous) {
                            (
                                QuoteKind::FreeIndirect | QuoteKind::IndirectFreeIndirect,
                                Some((k, ..)),
                            ) => *k,
                            (k, _) => k,
                        };
                        said = Some((kind, q.speaker_name.clone(), q.speaker));
                    }
                    out.push(q);
                }
            }
            previous = said;
        }
        // A quote nobody is said to say is speech only when it reads like speech: a sentence
        // of its own, or a long stretch; else a title or a scare quote.
        out.retain(|q| {
            let body = &self.text[q.start..q.end];
            let words = body.split_whitespace().count();
            let sentence =
                body.trim_end_matches(['“', '"', '«', '»', '”', '‘']).ends_with(['.', '!', '?']);
            q.kind != QuoteKind::Direct
                || q.nested
                || q.speaker_name.is_some()
                || sentence
                || words >= 8
        });
        out.sort_by_key(|q| (q.start, q.end));
        out
    }

    /// A sentence that reports speech in its own words: a subject, then a speech verb, then
    /// what was said ("Die brasilianischen Behörden warnen vor einem erhöhten Risiko"). The
    /// quote is the whole sentence.
    fn reported_sentence(
        &mut self,
        cs: usize,
        ce: usize,
        (ss, se): (usize, usize),
        last: &Option<String>,
    ) -> Option<Quote> {
        let c =
            (cs + 1..(cs + 10).min(ce)).find(|k| self.cue_at(*k) && self.toks[*k].lower != "so")?;
        if is_in(&self.w.weak_verbs, &self.toks[c].lower) {
            // "gab", "stellte", "führte" report speech only with their particle.
            return None;
        }
        if ce < c + 4 {
            return None;
        }
        // After a fronted phrase ("Am Montag warnten die Behörden vor ...") the subject
        // follows the verb.
        let fronted = is_in(&self.w.fronted_prepositions, &self.toks[cs].lower)
            || is_in(&self.w.fronted_adverbs, &self.toks[cs].lower);
        let phrase = match self.subject(cs, c).filter(|(_, e)| *e == c) {
            Some(p) => p,
            None if fronted && self.inverted(c) => self.phrase_from(c + 1, ce)?,
            None => return None,
        };
        if phrase.1 == phrase.0 + 1
            && is_in(&self.w.pronouns, &self.toks[phrase.0].lower)
            && last.is_none()
        {
            return None;
        }
        let name = self.resolve(phrase, ce, last);
        Some(Quote {
            start: ss,
            end: se,
            kind: QuoteKind::Reported,
            cue: Some(self.span(c, c + 1)),
            speaker: Some(self.speaker_span(phrase, ce)),
            speaker_name: name,
            nested: false,
        })
    }

    /// A subjunctive sentence without a speech verb right after an attributed quote.
    fn free_indirect(
        &self,
        cs: usize,
        ce: usize,
        (ss, se): (usize, usize),
        previous: &Option<Said>,
    ) -> Option<Quote> {
        let hearsay = self.toks[cs..ce].iter().any(|t| is_in(&self.w.hearsay, &t.lower));
        if (cs..ce).any(|k| self.cue_at(k)) || !(hearsay || self.has_subjunctive(cs, ce)) {
            return None;
        }
        let Some((kind, Some(name), phrase)) = previous.as_ref() else {
            // No speaker just before: a sentence in Konjunktiv I (or with "soll") is still speech
            // someone is reported to have given ("Der Hubschrauber sei abgestürzt").
            let first = self.toks[cs..ce].iter().any(|t| {
                is_in(&self.w.subjunctive, &t.lower) && !is_in(&self.w.conditional, &t.lower)
            });
            if !(first || hearsay) {
                return None;
            }
            return Some(Quote {
                start: ss,
                end: se,
                kind: QuoteKind::FreeIndirect,
                cue: None,
                speaker: None,
                speaker_name: None,
                nested: false,
            });
        };
        let kind = if *kind == QuoteKind::Direct {
            QuoteKind::FreeIndirect
        } else {
            QuoteKind::IndirectFreeIndirect
        };
        Some(Quote {
            start: ss,
            end: se,
            kind,
            cue: None,
            speaker: *phrase,
            speaker_name: Some(name.clone()),
            nested: false,
        })
    }

    /// Indirect or reported speech in the sentence of tokens `cs..ce` (text before the first
    /// direct quote at `limit`).
    fn indirect(
        &mut self,
        cs: usize,
        ce: usize,
        limit: usize,
        inside_direct: &dyn Fn(usize) -> bool,
        last: &Option<String>,
    ) -> Option<Quote> {
        let end_of = |f: &Finder, k: usize| {
            let mut e = k;
            while e > 0
                && f.toks[e - 1].kind == Kind::Punct
                && matches!(f.toks[e - 1].lower.as_str(), "." | ":" | "," | ";")
            {
                e -= 1;
            }
            e
        };
        // "X sagte, ..." / "Wie X sagte, ..." / "X wirft Y vor, ...": a cue, perhaps a few words
        // and a particle, then a comma and the clause.
        for c in cs..limit.min(ce) {
            let weak = is_in(&self.w.weak_verbs, &self.toks[c].lower);
            if !(self.cue_at(c) || weak)
                || self.toks[c].lower == "so"
                || inside_direct(self.toks[c].start)
            {
                continue;
            }
            if c > cs && self.punct(c - 1, ",") && self.has_subjunctive(cs, c - 1) {
                // "..., sagte der Sprecher, John Kirby": the speech stands before the verb.
                continue;
            }
            if c > cs + 1 && self.punct(c - 1, ",") && inside_direct(self.toks[c - 2].start) {
                // "„…“, sagte Putin, als er ...": the verb attributes the direct quote.
                continue;
            }
            let Some(comma) = (c + 1..(c + 8).min(limit)).find(|k| self.punct(*k, ",")) else {
                continue;
            };
            let before_comma = &self.toks[comma - 1];
            let particle = is_in(&self.w.particles, &before_comma.lower) && comma > c + 1;
            let direct_comma = comma == c + 1 || particle || before_comma.cap;
            // "geht davon aus, dass", "gab an, es gebe": a weak verb needs its particle and a
            // "dass" clause or a subjunctive.
            if !direct_comma || (weak && !particle) {
                continue;
            }
            let q0 = comma + 1;
            let q1 = end_of(self, limit.min(ce));
            if q1 <= q0 + 2 {
                continue;
            }
            let that = is_in(&self.w.that_words, &self.toks[q0].lower);
            let reported =
                is_in(&self.w.particles, &before_comma.lower) && before_comma.lower == "vor";
            let as_word = is_in(&self.w.as_words, &self.toks[cs].lower);
            // Right after the verb ("sagte, ..."), a particle ("teilte mit, ...") or the speaker
            // ("sagte Peskow, ...") the comma opens the speech; further on it needs a "dass" or
            // a subjunctive.
            let close =
                comma == c + 1 || before_comma.cap || is_in(&self.w.particles, &before_comma.lower);
            if !(that || reported || as_word || close || self.has_subjunctive(q0, q1)) {
                continue;
            }
            // The speaker: after "Wie", after the cue (inverted), or the subject.
            let phrase = if as_word {
                self.phrase_from(cs + 1, c)
            } else if reported {
                self.subject(cs, c)
            } else {
                self.speaker_at(cs, c, comma)
            };
            let name = phrase.and_then(|p| self.resolve(p, ce, last));
            return Some(Quote {
                start: self.toks[q0].start,
                end: self.toks[q1 - 1].end,
                kind: if reported { QuoteKind::Reported } else { QuoteKind::Indirect },
                cue: Some(self.span(c, c + 1)),
                speaker: phrase.map(|p| self.speaker_span(p, ce)),
                speaker_name: name,
                nested: false,
            });
        }
        // "..., sagte An Chan-il." / "..., so die Beamten." / "..., teilte Peskow mit."
        for comma in (cs + 3..limit.min(ce)).rev() {
            if !self.punct(comma, ",")
                || !self.cue_at(comma + 1)
                || inside_direct(self.toks[comma].start)
            {
                continue;
            }
            if inside_direct(self.toks[cs].start) {
                // "„…“, warnte Miller": the direct quote is the speech.
                break;
            }
            let c = comma + 1;
            let phrase = self.phrase_from(c + 1, ce);
            // Without a subjunctive, only when the verb and its speaker close the sentence
            // ("..., so Karl Harb von den Salzburger Nachrichten.").
            let closes = phrase.is_some_and(|p| {
                let (_, e) = self.with_apposition(p, ce);
                end_of(self, ce) <= e + 1
            });
            if !(closes || self.has_subjunctive(cs, comma)) {
                break;
            }
            let name = phrase.and_then(|p| self.resolve(p, ce, last));
            return Some(Quote {
                start: self.toks[cs].start,
                end: self.toks[comma - 1].end,
                kind: QuoteKind::Indirect,
                cue: Some(self.span(c, c + 1)),
                speaker: phrase.map(|p| self.speaker_span(p, ce)),
                speaker_name: name,
                nested: false,
            });
        }
        // "Laut X ...", "Nach Angaben der Polizei ...", "..., laut X.", "X zufolge ...":
        // reported speech, the rest of the sentence (or what stands before the source).
        let stop = end_of(self, limit.min(ce));
        for k in cs..stop {
            if inside_direct(self.toks[k].start) {
                continue;
            }
            let source_start = if self.according_to.iter().any(|p| self.phrase_len(k, p).is_some())
            {
                let n = self
                    .according_to
                    .iter()
                    .filter_map(|p| self.phrase_len(k, p))
                    .max()
                    .unwrap_or(1);
                Some((k, k + n))
            } else if is_in(&self.w.source_prepositions, &self.toks[k].lower)
                && self.source_noun_follows(k, stop)
            {
                // The noun is part of the speaker's span: "Angaben der Polizei", "offiziellen
                // chinesischen Angaben", "seiner Meinung".
                Some((k, k + 1))
            } else {
                None
            };
            if let Some((c0, c1)) = source_start {
                let Some(phrase) = self.phrase_from(c1, stop) else { continue };
                let (q0, q1) = if c0 == cs || (c0 > cs && self.punct(c0 - 1, ",") && c0 < cs + 3) {
                    (phrase.1 + usize::from(self.punct(phrase.1, ",")), stop)
                } else if stop - phrase.1 > 3 && !self.punct(c0.saturating_sub(1), ",") {
                    (phrase.1, stop)
                } else {
                    (cs, end_of(self, c0))
                };
                if q1 <= q0 + 2 || inside_direct(self.toks[q0].start) {
                    continue;
                }
                let name = self.resolve(phrase, ce, last);
                return Some(Quote {
                    start: self.toks[q0].start,
                    end: self.toks[q1 - 1].end,
                    kind: QuoteKind::Reported,
                    cue: Some(self.span(c0, c1)),
                    speaker: Some(self.speaker_span(phrase, ce)),
                    speaker_name: name,
                    nested: false,
                });
            }
            if k == cs && is_in(&self.w.according_self, &self.toks[k].lower) && stop > k + 3 {
                // "Demnach steht ... fest": the word stands for the source named before.
                return Some(Quote {
                    start: self.toks[k + 1].start,
                    end: self.toks[stop - 1].end,
                    kind: QuoteKind::Reported,
                    cue: Some(self.span(k, k + 1)),
                    speaker: Some(self.span(k, k + 1)),
                    speaker_name: last.clone(),
                    nested: false,
                });
            }
            // "Seiner Meinung nach", "dessen Angaben nach": a source noun and a postposition.
            let postposed = is_in(&self.w.source_prepositions, &self.toks[k].lower)
                && k > cs
                && is_in(&self.w.source_nouns, &self.toks[k - 1].lower);
            if (postposed || is_in(&self.w.according_after, &self.toks[k].lower)) && k > cs {
                let from = (cs..k).rev().find(|j| self.punct(*j, ",")).map_or(cs, |j| j + 1);
                let Some(phrase) = self.phrase_before(from, k) else { continue };
                let (q0, q1) = if from == cs {
                    (k + 1 + usize::from(self.punct(k + 1, ",")), stop)
                } else {
                    (cs, end_of(self, from))
                };
                if q1 <= q0 + 2 {
                    continue;
                }
                let name = self.resolve(phrase, ce, last);
                return Some(Quote {
                    start: self.toks[q0].start,
                    end: self.toks[q1 - 1].end,
                    kind: QuoteKind::Reported,
                    cue: Some(self.span(k, k + 1)),
                    speaker: Some(self.speaker_span(phrase, ce)),
                    speaker_name: name,
                    nested: false,
                });
            }
        }
        None
    }
}

/// What a sentence said, for free indirect speech after it: kind, speaker name, speaker span.
type Said = (QuoteKind, Option<String>, Option<(usize, usize)>);

fn is_in_suffix(suffixes: &[String], word: &str) -> bool {
    suffixes.iter().any(|s| word.ends_with(s.as_str()))
}

#[cfg(test)]
mod tests;

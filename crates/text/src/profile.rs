//! Language profiles: the per-language knowledge every stage uses (month names, time stamp
//! words, boilerplate lines, stop words, stemmer, compound linking elements), read from `resources/lang/*.toml` and compiled into the binary.
//! Adding a language means adding a file there and a line to [`BUILTIN`].

use std::collections::BTreeMap;

use serde::Deserialize;

/// The profiles compiled in: file name and contents.
pub const BUILTIN: &[(&str, &str)] = &[
    ("de.toml", include_str!("../../../resources/lang/de.toml")),
    ("en.toml", include_str!("../../../resources/lang/en.toml")),
    ("fr.toml", include_str!("../../../resources/lang/fr.toml")),
    ("es.toml", include_str!("../../../resources/lang/es.toml")),
    ("it.toml", include_str!("../../../resources/lang/it.toml")),
    ("ru.toml", include_str!("../../../resources/lang/ru.toml")),
];

/// One language's knowledge. See `resources/lang/de.toml` for what each list means.
#[derive(Debug, Clone, Deserialize)]
pub struct Profile {
    /// ISO 639-1 code.
    pub code: String,
    /// English name of the language.
    pub name: String,
    /// IANA zone in which local times of time stamps written in this language are read.
    #[serde(default)]
    pub timezone: Option<String>,
    /// Twelve lists of month names and abbreviations, lowercase, January first.
    pub months: Vec<Vec<String>>,
    /// Words that open a time stamp line.
    pub date_stamp_prefixes: Vec<String>,
    /// Words that may follow a clock time ("Uhr").
    pub time_suffixes: Vec<String>,
    /// Whole lines that are page widgets.
    pub widget_lines: Vec<String>,
    /// Lines that open the teaser block at the end of a page.
    pub tail_markers: Vec<String>,
    /// Section names seen as navigation crumbs.
    pub nav_words: Vec<String>,
    /// What a photo credit starts with or contains.
    pub credit_markers: Vec<String>,
    /// Openings of lines that credit news agencies.
    pub agency_credit_prefixes: Vec<String>,
    /// Other lines of a closing source note.
    pub source_note_lines: Vec<String>,
    /// Words joining a list of agencies ("dpa und AFP").
    pub conjunctions: Vec<String>,
    /// Openings of a byline ("Von", "By"), case as written.
    #[serde(default)]
    pub byline_prefixes: Vec<String>,
    /// Labels that open a scraped body and never end a headline ("Anzeige").
    #[serde(default)]
    pub lead_in_labels: Vec<String>,
    /// Function words that can end a clause, and so a headline ("nicht", "an", "up").
    #[serde(default)]
    pub clause_final_words: Vec<String>,
    /// The language's most frequent function words, lowercase, for fast identification.
    #[serde(default)]
    pub function_words: Vec<String>,
    /// Snowball stemmer to use (`german`, `english`, ...), if any.
    #[serde(default)]
    pub stemmer: Option<String>,
    /// Words that carry no topic, lowercase; left out of vectors.
    #[serde(default)]
    pub stop_words: Vec<String>,
    /// Linking elements between the parts of a compound ("s" in "Verteidigungsminister"); a
    /// language with an empty list is not decompounded.
    #[serde(default)]
    pub compound_links: Vec<String>,
    /// Abbreviations ending in a full stop that do not end a sentence ("Dr.", "z.B.").
    #[serde(default)]
    pub abbreviations: Vec<String>,
    /// Words of time expressions; empty for a language without them.
    #[serde(default)]
    pub time: TimeWords,
    /// Words of quotations; empty for a language without them.
    #[serde(default)]
    pub speech: SpeechWords,
    /// Words of numbers; empty for a language without them.
    #[serde(default)]
    pub numbers: NumberWords,
    /// Units after numbers; empty for a language without them.
    #[serde(default)]
    pub units: UnitWords,
    /// Words around named entities; empty for a language without them.
    #[serde(default)]
    pub entities: EntityWords,
    /// Words that show a sentence narrates a year as past; empty for a language without them.
    #[serde(default)]
    pub past: PastWords,
}

/// How a sentence narrates a year as past ("2023 besuchte Kim …", "In 2023, Kim visited …"):
/// the `[past]` table of a profile. An undated article that does so was written after that year.
/// Lowercase.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PastWords {
    /// Words that may open the sentence before the year ("im jahr", "im", "in").
    pub year_leads: Vec<String>,
    /// Most words between the year and the verb (German puts the verb right after: 0).
    pub max_gap: usize,
    /// Endings of past-tense verbs ("te", "ten"; "ed").
    pub verb_endings: Vec<String>,
    /// Endings that rule a word out even with a past ending ("ste": superlatives, ordinals).
    pub not_verb_endings: Vec<String>,
    /// Past-tense verbs without a regular ending ("war", "traf"; "was", "met").
    pub verbs: Vec<String>,
    /// Words with a past ending that are not verbs ("erste", "united").
    pub not_verbs: Vec<String>,
}

impl PastWords {
    /// True when `word` (lowercase) reads as a past-tense verb.
    pub fn is_past_verb(&self, word: &str) -> bool {
        if self.not_verbs.iter().any(|w| w == word) {
            return false;
        }
        if self.verbs.iter().any(|w| w == word) {
            return true;
        }
        let long_enough = |e: &String| word.chars().count() > e.chars().count() + 2;
        !self.not_verb_endings.iter().any(|e| word.ends_with(e.as_str()))
            && self.verb_endings.iter().any(|e| long_enough(e) && word.ends_with(e.as_str()))
    }
}

/// The words around names in a language: the `[entities]` table of a profile. Lowercase.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct EntityWords {
    /// Ends of organisation names ("ministerium").
    pub org_suffixes: Vec<String>,
    /// Words before a place ("in").
    pub place_prepositions: Vec<String>,
    /// Lowercase words inside names ("von").
    pub name_particles: Vec<String>,
    /// Titles before a person's name ("Herr").
    pub titles: Vec<String>,
    /// Endings of derived common nouns ("ung", "keit").
    pub noun_suffixes: Vec<String>,
    /// Endings of adjectives and participles ("ische", "enden").
    pub adjective_endings: Vec<String>,
    /// Stems of adjectives made from places ("russisch").
    pub place_adjectives: Vec<String>,
}

/// The units a language writes after numbers: the `[units]` table of a profile.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct UnitWords {
    /// Surface form (lowercase), unit name, kind (`currency`, `length`, ...).
    pub forms: Vec<(String, String, String)>,
    /// Words near a bare degree unit that make it an angle.
    pub angle_cues: Vec<String>,
    /// Currency signs and codes written before the number, and their unit.
    pub prefixes: Vec<(String, String)>,
    /// Subunits of a currency and their share ("cent").
    pub subunits: BTreeMap<String, f64>,
    /// Units of an age and their name.
    pub age_units: BTreeMap<String, String>,
    /// Words after a count that make it an age ("alt").
    pub age_after: Vec<String>,
    /// Phrases before a count that make it an age ("im Alter von").
    pub age_before: Vec<String>,
}

/// The words a language writes numbers with: the `[numbers]` table of a profile. Lowercase.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct NumberWords {
    /// Decimal separator in digits ("," in German).
    pub decimal_separator: String,
    /// Group separator in digits ("." in German).
    pub group_separator: String,
    /// Number words 0-9 (and the forms of "ein").
    pub units: BTreeMap<String, u32>,
    /// 10-19.
    pub teens: BTreeMap<String, u32>,
    /// 20, 30, ... 90.
    pub tens: BTreeMap<String, u32>,
    /// The word for a hundred inside a number word.
    pub hundred: Vec<String>,
    /// The word for a thousand inside a number word.
    pub thousand: Vec<String>,
    /// Joins units and tens ("und" in "siebenundzwanzig").
    pub joiner: String,
    /// Scale words and their value ("Millionen").
    pub scales: BTreeMap<String, f64>,
    /// Words after a count that take a share of it ("halbe", "Drittel").
    pub fractions: BTreeMap<String, f64>,
    /// Whole words that are fractions ("anderthalb").
    pub fraction_words: BTreeMap<String, f64>,
    /// Ending for "and a half" ("zweieinhalb").
    pub half_suffix: String,
    /// Words that multiply ("Dutzend").
    pub multipliers: BTreeMap<String, f64>,
    /// The word for the decimal separator ("Komma").
    pub decimal_word: String,
    /// Words that are ordinals as they stand ("zuerst", "dritt" in "zu dritt").
    pub ordinal_words: BTreeMap<String, u32>,
    /// Irregular ordinal stems that take an ending ("erst" in "erste").
    pub ordinal_stems: BTreeMap<String, u32>,
    /// Ordinals counted from the end or the current item: stem, origin (`end`, `current`),
    /// offset ("vorletzt", "end", -1).
    pub relative_ordinals: Vec<(String, String, i32)>,
    /// Ordinal endings after a number word ("ste", "te").
    pub ordinal_endings: Vec<String>,
    /// Words that make a number a percentage.
    pub percent: Vec<String>,
    /// Approximation and bound words before a figure ("rund", "mehr als").
    pub approximations: Vec<String>,
    /// Words joining the ends of a range.
    pub range_words: Vec<String>,
    /// Words opening a range ("zwischen").
    pub range_openers: Vec<String>,
    /// Words joining the ends of a range after an opener ("und").
    pub range_joiners: Vec<String>,
}

/// The words a language quotes with: the `[speech]` table of a profile. Lowercase.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct SpeechWords {
    /// Opening and closing marks of direct speech.
    pub quote_marks: Vec<(String, String)>,
    /// Verb forms that introduce speech ("sagte"); "so" for "…, so Kim".
    pub verbs: Vec<String>,
    /// Particles closing a separable speech verb ("teilte ... mit").
    pub particles: Vec<String>,
    /// Phrases opening a reported source ("laut").
    pub according_to: Vec<String>,
    /// Words closing a reported source ("zufolge").
    pub according_after: Vec<String>,
    /// Words that are themselves the source of what follows ("demnach").
    pub according_self: Vec<String>,
    /// Nouns that make a preposition open a source ("Angaben" in "Nach Angaben der Polizei").
    pub source_nouns: Vec<String>,
    /// Prepositions that open a source before one of those nouns ("nach").
    pub source_prepositions: Vec<String>,
    /// "Wie X sagte, ...": the speaker follows this word.
    pub as_words: Vec<String>,
    /// Verb forms that mark indirect speech (German Konjunktiv I).
    pub subjunctive: Vec<String>,
    /// Konjunktiv II forms among the subjunctive ones: hypothetical in plain prose too.
    pub conditional: Vec<String>,
    /// Words opening a "that" clause after a speech verb.
    pub that_words: Vec<String>,
    /// Words that end a speaker phrase after its verb.
    pub speaker_stops: Vec<String>,
    /// Words between a verb and its speaker that are no part of it ("sagte heute Abend ein
    /// Sprecher").
    pub speaker_skips: Vec<String>,
    /// Prepositions that continue a speaker phrase before a name ("ein Sprecher in Berlin").
    pub speaker_prepositions: Vec<String>,
    /// Prepositions that open a clause with a phrase that is no subject ("Nach einem
    /// dreitägigen Flug lenkte er", "In einem Interview sagte Solana").
    pub fronted_prepositions: Vec<String>,
    /// Adverbs that open a clause whose subject follows the verb ("Dazu erklärte das
    /// Ministerium").
    pub fronted_adverbs: Vec<String>,
    /// Genitive determiners ("des"): a speaker phrase goes on after them.
    pub genitive_determiners: Vec<String>,
    /// Prepositions that continue a speaker phrase after the verb too ("vom").
    pub attached_prepositions: Vec<String>,
    /// Reflexive pronouns between a verb and its speaker ("sich").
    pub reflexives: Vec<String>,
    /// Verbs that introduce speech only with a particle before the comma ("geht davon aus").
    pub weak_verbs: Vec<String>,
    /// Modal verbs of hearsay that carry indirect speech on ("soll").
    pub hearsay: Vec<String>,
    /// Determiners after a verb that open its addressee ("teilte dem Sender mit").
    pub addressee_determiners: Vec<String>,
    /// Determiners that may open a speaker phrase.
    pub determiners: Vec<String>,
    /// Pronouns standing for the last speaker.
    pub pronouns: Vec<String>,
    /// Ends of role nouns ("sprecher" in "Kremlsprecher").
    pub role_suffixes: Vec<String>,
}

/// The words a language writes time expressions with: the `[time]` table of a profile. All
/// lowercase; an entry of several words is a phrase matched word by word. Codes follow TIMEX2
/// (see `resources/lang/de.toml`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct TimeWords {
    /// Seven lists of weekday names, Monday first.
    pub weekdays: Vec<Vec<String>>,
    /// Spelled-out numbers and their values.
    pub numbers: BTreeMap<String, u32>,
    /// Words for an unknown count ("mehrere").
    pub vague_numbers: Vec<String>,
    /// Unit nouns and their unit code (`Y`, `M`, `W`, `D`, `H`, `MIN`, `DE`, `CE`).
    pub units: BTreeMap<String, String>,
    /// Plural forms of the unit nouns ("Jahren"): "in den letzten Jahren" is no one year.
    pub plural_units: Vec<String>,
    /// Adjectives that are vague durations ("wochenlang") and their unit code.
    pub vague_durations: BTreeMap<String, String>,
    /// Season names and their code (`SP`, `SU`, `FA`, `WI`).
    pub seasons: BTreeMap<String, String>,
    /// Parts of a day and their code (`MO`, `MI`, `AF`, `EV`, `NI`).
    pub day_parts: BTreeMap<String, String>,
    /// Words marking the start, middle or end of a period (`START`, `MID`, `END`).
    pub modifiers: BTreeMap<String, String>,
    /// One-word forms of a modifier on the year meant ("Jahresende").
    pub year_modifiers: BTreeMap<String, String>,
    /// Words for a day counted from the article date ("gestern" = -1).
    pub deictic_days: BTreeMap<String, i32>,
    /// "vergangenen": one unit before the article date.
    pub previous: Vec<String>,
    /// "kommenden": one unit after the article date.
    pub next: Vec<String>,
    /// "dieses": the unit of the article date.
    pub this: Vec<String>,
    /// "selben": the unit of the date last mentioned.
    pub same: Vec<String>,
    /// "folgenden": one unit after the date last mentioned.
    pub following: Vec<String>,
    /// "vorherigen": one unit before the date last mentioned.
    pub preceding: Vec<String>,
    /// "vorletzten": two units before the article date.
    pub before_previous: Vec<String>,
    /// "übernächsten": two units after the article date.
    pub after_next: Vec<String>,
    /// Nouns for the weekend ("Wochenende").
    pub weekend: Vec<String>,
    /// One-word relative forms: word, unit code, offset, and whether it counts from the date
    /// last mentioned (else from the article date).
    pub relative_words: Vec<(String, String, i32, bool)>,
    /// After a count of units: later than the date last mentioned ("zwei Tage später").
    pub later: Vec<String>,
    /// After a count of units: earlier than the date last mentioned ("drei Jahre zuvor").
    pub earlier: Vec<String>,
    /// Before a count of units: that long before the article date ("vor drei Jahren").
    pub ago_before: Vec<String>,
    /// After a count of units: that long before the article date ("three years ago").
    pub ago_after: Vec<String>,
    /// Before a count of units: that long after the article date ("in drei Wochen").
    pub in_before: Vec<String>,
    /// Before a count of units: that long after the date last mentioned ("nach zwei Tagen").
    pub after_before: Vec<String>,
    /// Phrases for the present ("derzeit").
    pub present_ref: Vec<String>,
    /// Phrases for an unspecified past ("kürzlich").
    pub past_ref: Vec<String>,
    /// Phrases for an unspecified future ("bald").
    pub future_ref: Vec<String>,
    /// Era markers after a year before Christ ("v. Chr.").
    pub before_christ: Vec<String>,
    /// Era markers after a year after Christ ("n. Chr.").
    pub after_christ: Vec<String>,
    /// Words joining the two ends of a range ("bis").
    pub range_words: Vec<String>,
    /// Words after which a bare number is read as a year ("seit 2000").
    pub year_cues: Vec<String>,
    /// Words that make a sentence's weekday or month point forwards ("wird").
    pub future_cues: Vec<String>,
    /// Words before a weekday that point it forwards unless the sentence is in the past tense
    /// (its `[past]` verbs): "Das Forum dauert noch bis Mittwoch".
    pub until_words: Vec<String>,
    /// Words that may stand between a weekday and its date ("Dienstag, den 12. September").
    pub date_fillers: Vec<String>,
    /// Words between a part of a day and its date ("Morgen des 12. Mai").
    pub part_links: Vec<String>,
    /// Prepositions kept in the extent of a relative expression ("am selben Tag").
    pub relative_preps: Vec<String>,
    /// Words before an expression that belong to its extent ("etwa", "im Laufe des").
    pub extent_prefixes: Vec<String>,
    /// Named days of the year and their rule: `MM-DD` (a fixed day), `easter` or `easter+N`
    /// (days from Easter Sunday), `MM-wd-N` (the Nth weekday `wd` of month MM, `last` for the
    /// last: `05-sun-2`), `advent` or `advent-N` (days from the first Sunday of Advent).
    pub holidays: BTreeMap<String, String>,
    /// Words that place a clock time around an hour, and the minutes they add to it (a
    /// negative count is taken from the hour before): "halb" = -30 ("halb acht" is 7:30),
    /// "viertel nach" = 15, "quarter to" = -15.
    pub clock_fractions: BTreeMap<String, i32>,
    /// Between a count of minutes and the hour they follow ("zehn Minuten nach acht").
    pub clock_past: Vec<String>,
    /// Between a count of minutes and the hour they precede ("zehn Minuten vor acht").
    pub clock_to: Vec<String>,
    /// Between a part of the day and a clock time ("nachts um 3 Uhr").
    pub clock_preps: Vec<String>,
    /// Ordinal words for the days of a month, the first to the 31st, as stems ("zweite").
    pub day_ordinals: Vec<String>,
    /// Endings the stems take ("zweiten", "zweiter").
    pub ordinal_endings: Vec<String>,
}

/// A language the analyser knows only by its stemmer, with no normalisation profile.
#[derive(Debug, Clone, Deserialize)]
pub struct AnalysisOnly {
    /// ISO 639-1 code.
    pub code: String,
    /// Snowball stemmer, if any.
    #[serde(default)]
    pub stemmer: Option<String>,
}

/// A broken compiled-in profile file. Storyline's fault; a test catches it.
#[derive(Debug, Clone, thiserror::Error)]
#[error("language profile {name}: {message}")]
pub struct ProfileError {
    /// The profile's file name.
    pub name: String,
    /// What is wrong with it.
    pub message: String,
}

/// Languages without a full profile that the analyser still stems.
pub const ANALYSIS_ONLY: &str = include_str!("../../../resources/lang/analysis-only.toml");

/// Parses [`ANALYSIS_ONLY`].
pub fn analysis_only() -> Result<Vec<AnalysisOnly>, ProfileError> {
    #[derive(Deserialize)]
    struct File {
        language: Vec<AnalysisOnly>,
    }
    toml::from_str::<File>(ANALYSIS_ONLY)
        .map(|f| f.language)
        .map_err(|e| ProfileError { name: "analysis-only.toml".into(), message: e.to_string() })
}

/// Parses every built-in profile. Fails only if a compiled-in file is broken, which a test catches.
pub fn builtin_profiles() -> Result<Vec<Profile>, ProfileError> {
    BUILTIN
        .iter()
        .map(|(name, text)| {
            let p: Profile = toml::from_str(text)
                .map_err(|e| ProfileError { name: (*name).into(), message: e.to_string() })?;
            if p.months.len() != 12 {
                return Err(ProfileError {
                    name: (*name).into(),
                    message: "months must list 12 months".into(),
                });
            }
            Ok(p)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_builtin_profile_parses() {
        let profiles = super::builtin_profiles().unwrap();
        let codes: Vec<_> = profiles.iter().map(|p| p.code.as_str()).collect();
        assert_eq!(codes, ["de", "en", "fr", "es", "it", "ru"]);
        for p in &profiles {
            assert!(p.stemmer.is_some(), "{} has no stemmer", p.code);
            assert!(p.stop_words.len() >= 50, "{} has few stop words", p.code);
        }
        assert!(!super::analysis_only().unwrap().is_empty());
    }
}

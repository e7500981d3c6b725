//! Language profiles: the per-language knowledge every stage uses (month names, time stamp
//! words, boilerplate lines, stop words, stemmer, compound linking elements), read from `resources/lang/*.toml` and compiled into the binary.
//! Adding a language means adding a file there and a line to [`BUILTIN`].

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

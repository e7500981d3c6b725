//! Language profiles: the per-language knowledge normalisation uses (month names, time stamp
//! words, boilerplate lines), read from `resources/lang/*.toml` and compiled into the binary.
//! Adding a language means adding a file there and a line to [`BUILTIN`].

use crate::IngestError;
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
}

/// Parses every built-in profile. Fails only if a compiled-in file is broken, which a test catches.
pub fn builtin_profiles() -> Result<Vec<Profile>, IngestError> {
    BUILTIN
        .iter()
        .map(|(name, text)| {
            let p: Profile = toml::from_str(text).map_err(|e| IngestError::Profile {
                name: (*name).into(),
                message: e.to_string(),
            })?;
            if p.months.len() != 12 {
                return Err(IngestError::Profile {
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
    }
}

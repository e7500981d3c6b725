//! Language identification with lingua, over the languages Storyline has profiles for.

use lingua::{Language, LanguageDetector, LanguageDetectorBuilder};

/// How much text the detector reads: enough to be sure, little enough to be fast.
const SAMPLE_BYTES: usize = 1200;

pub(super) struct Detector {
    inner: LanguageDetector,
}

impl Detector {
    pub(super) fn new() -> Detector {
        let langs = [
            Language::German,
            Language::English,
            Language::French,
            Language::Spanish,
            Language::Italian,
            Language::Russian,
        ];
        Detector { inner: LanguageDetectorBuilder::from_languages(&langs).with_preloaded_language_models().build() }
    }

    /// The ISO 639-1 code and confidence of the most likely language of a title and body.
    pub(super) fn detect(&self, title: &str, body: &str) -> Option<(String, f64)> {
        let mut sample = String::with_capacity(SAMPLE_BYTES + title.len() + 1);
        sample.push_str(title);
        sample.push('\n');
        let mut end = body.len().min(SAMPLE_BYTES);
        while !body.is_char_boundary(end) {
            end -= 1;
        }
        sample.push_str(&body[..end]);
        if sample.trim().is_empty() {
            return None;
        }
        let values = self.inner.compute_language_confidence_values(sample);
        let (lang, confidence) = values.into_iter().next()?;
        (confidence > 0.0).then(|| (lang.iso_code_639_1().to_string(), confidence))
    }
}

/// Turns a declared language (`de`, `de-DE`, `de_AT`, `German`, `deu`) into an ISO 639-1 code.
pub(super) fn normalise_code(raw: &str) -> Option<String> {
    let lower = raw.trim().to_ascii_lowercase();
    let head = lower.split(['-', '_']).next()?;
    let code = match head {
        "german" | "deutsch" | "deu" | "ger" => "de",
        "english" | "eng" => "en",
        "french" | "fra" | "fre" => "fr",
        "spanish" | "spa" => "es",
        "italian" | "ita" => "it",
        "russian" | "rus" => "ru",
        c if c.len() == 2 && c.bytes().all(|b| b.is_ascii_lowercase()) => c,
        _ => return None,
    };
    Some(code.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes() {
        assert_eq!(normalise_code("de-DE").as_deref(), Some("de"));
        assert_eq!(normalise_code("German").as_deref(), Some("de"));
        assert_eq!(normalise_code("xx-yy-zz-long"), Some("xx".into()));
        assert_eq!(normalise_code("123"), None);
    }

    #[test]
    fn detects_short_headlines() {
        let d = Detector::new();
        assert_eq!(d.detect("Nordkoreas Machthaber Kim in Russland eingetroffen", "").unwrap().0, "de");
        assert_eq!(d.detect("Kim arrives in Russia for talks with Putin", "").unwrap().0, "en");
        assert_eq!(d.detect("Ким прибыл в Россию", "").unwrap().0, "ru");
    }
}

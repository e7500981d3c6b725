//! Language identification with lingua, over the languages Storyline has profiles for.

use crate::profile::Profile;
use lingua::{Language, LanguageDetector, LanguageDetectorBuilder};
use std::collections::HashMap;

/// How much body text the detector reads: enough to be sure, little enough to be fast.
const SAMPLE_BYTES: usize = 320;
/// From this many characters on, trigrams alone identify the language as well as all n-grams
/// do (lingua's low-accuracy mode), at a fraction of the cost; shorter samples get all n-grams.
const LONG_SAMPLE_CHARS: usize = 240;

/// Function-word identification answers only with at least this many hits...
const MIN_FUNCTION_WORD_HITS: usize = 8;
/// ...and this many times the hits of the runner-up; otherwise lingua decides.
const MIN_FUNCTION_WORD_MARGIN: usize = 3;

pub(super) struct Detector {
    precise: LanguageDetector,
    fast: LanguageDetector,
    /// Function word -> indexes into `codes` of the languages it belongs to.
    function_words: HashMap<String, Vec<usize>>,
    codes: Vec<String>,
}

impl Detector {
    pub(super) fn new(profiles: &[Profile]) -> Detector {
        let mut function_words: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, p) in profiles.iter().enumerate() {
            for w in &p.function_words {
                function_words.entry(w.to_lowercase()).or_default().push(i);
            }
        }
        let codes = profiles.iter().map(|p| p.code.clone()).collect();
        let langs = [
            Language::German,
            Language::English,
            Language::French,
            Language::Spanish,
            Language::Italian,
            Language::Russian,
        ];
        let builder = || {
            let mut b = LanguageDetectorBuilder::from_languages(&langs);
            b.with_preloaded_language_models();
            b
        };
        Detector {
            precise: builder().build(),
            fast: builder().with_low_accuracy_mode().build(),
            function_words,
            codes,
        }
    }

    /// Counts the function words of each language in `sample`; answers when one language
    /// clearly leads.
    fn by_function_words(&self, sample: &str) -> Option<(String, f64)> {
        let mut hits = vec![0usize; self.codes.len()];
        for token in sample.split(|c: char| !c.is_alphanumeric()).filter(|t| !t.is_empty()) {
            if let Some(langs) = self.function_words.get(token.to_lowercase().as_str()) {
                for &l in langs {
                    hits[l] += 1;
                }
            }
        }
        let mut order: Vec<usize> = (0..hits.len()).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(hits[i]));
        let (best, second) = (hits[*order.first()?], order.get(1).map_or(0, |&i| hits[i]));
        (best >= MIN_FUNCTION_WORD_HITS && best >= MIN_FUNCTION_WORD_MARGIN * second)
            .then(|| (self.codes[order[0]].clone(), best as f64 / (best + second) as f64))
    }

    /// The ISO 639-1 code of the most likely language of a title and body, the confidence, and
    /// the method that decided.
    pub(super) fn detect(&self, title: &str, body: &str) -> Option<(String, f64, &'static str)> {
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
        if let Some((code, confidence)) = self.by_function_words(&sample) {
            return Some((code, confidence, "function words"));
        }
        let detector =
            if sample.chars().count() >= LONG_SAMPLE_CHARS { &self.fast } else { &self.precise };
        let values = detector.compute_language_confidence_values(sample);
        let (lang, confidence) = values.into_iter().next()?;
        (confidence > 0.0)
            .then(|| (lang.iso_code_639_1().to_string(), confidence, "character n-grams"))
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
    fn long_texts_by_function_words() {
        let d = Detector::new(&crate::profile::builtin_profiles().unwrap());
        let de = "Der Zug des Machthabers hat Russland erreicht. Das bestätigte der Sprecher, der auch sagte, dass es bei dem Treffen mit dem Präsidenten um die Zusammenarbeit der beiden Länder gehen wird und nicht nur um Waffen.";
        let (code, _, method) = d.detect("", de).unwrap();
        assert_eq!((code.as_str(), method), ("de", "function words"));
        let en = "The train of the leader has reached Russia, the spokesman said. He also said that the meeting with the president would be about the cooperation of the two countries and that it was not only about weapons, which the US had warned of.";
        assert_eq!(d.detect("", en).unwrap().0, "en");
    }

    #[test]
    fn detects_short_headlines() {
        let d = Detector::new(&crate::profile::builtin_profiles().unwrap());
        assert_eq!(
            d.detect("Nordkoreas Machthaber Kim in Russland eingetroffen", "").unwrap().0,
            "de"
        );
        assert_eq!(d.detect("Kim arrives in Russia for talks with Putin", "").unwrap().0, "en");
        assert_eq!(d.detect("Ким прибыл в Россию", "").unwrap().0, "ru");
    }
}

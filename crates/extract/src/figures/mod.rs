//! Figures: the numbers a text reports, in digits or words, as counts, ranks or percentages.
//!
//! # Example
//! ```
//! use storyline_extract::figures::{NumberFinder, NumberKind};
//! let finder = NumberFinder::builtin().unwrap();
//! let text = "Seoul identifizierte 10.000 Container mit bis zu 4,8 Millionen Granaten, rund 2 Prozent.";
//! let found: Vec<(f64, NumberKind)> = finder.find(text, Some("de")).iter().map(|n| (n.value, n.kind)).collect();
//! assert_eq!(found, [(10_000.0, NumberKind::Cardinal), (4_800_000.0, NumberKind::Cardinal), (2.0, NumberKind::Percent)]);
//! ```

mod numbers;
mod units;

pub use numbers::{NumberKind, NumberMention};
pub use units::Quantity;

use numbers::NumberLexicon;
use storyline_text::profile::{builtin_profiles, Profile, ProfileError};
use units::UnitLexicon;

/// Finds numbers in the languages of the built-in profiles.
#[derive(Debug)]
pub struct NumberFinder {
    languages: Vec<(String, NumberLexicon, UnitLexicon)>,
    fallback: (NumberLexicon, UnitLexicon),
}

impl NumberFinder {
    /// A finder for the given profiles.
    pub fn new(profiles: &[Profile]) -> NumberFinder {
        let languages = profiles
            .iter()
            .map(|p| {
                (
                    p.code.clone(),
                    NumberLexicon::new(&p.numbers, &p.stop_words),
                    UnitLexicon::new(&p.units),
                )
            })
            .collect();
        NumberFinder { languages, fallback: (NumberLexicon::default(), UnitLexicon::default()) }
    }

    /// A finder for the profiles compiled in.
    pub fn builtin() -> Result<NumberFinder, ProfileError> {
        Ok(NumberFinder::new(&builtin_profiles()?))
    }

    /// The numbers of `text` in text order (digits only for a language without number words).
    pub fn find(&self, text: &str, lang: Option<&str>) -> Vec<NumberMention> {
        numbers::find(text, self.lexicons(lang).0)
    }

    /// The numbers of `text` with a unit, in text order.
    pub fn quantities(&self, text: &str, lang: Option<&str>) -> Vec<Quantity> {
        let (numbers, units) = self.lexicons(lang);
        let toks = crate::timex::scan::tokenize(text);
        units::quantities(&toks, &numbers::find_in(&toks, numbers), units)
    }

    fn lexicons(&self, lang: Option<&str>) -> (&NumberLexicon, &UnitLexicon) {
        lang.and_then(|l| self.languages.iter().find(|(c, ..)| c == l))
            .map_or((&self.fallback.0, &self.fallback.1), |(_, n, u)| (n, u))
    }
}

#[cfg(test)]
mod tests;

//! Sentence boundaries: a full stop, question or exclamation mark (optionally followed by closing
//! quotes or brackets) before white space and an uppercase letter, digit or opening quote, unless
//! the word before it is a known abbreviation or a single letter; paragraph breaks always end one.

/// Byte ranges `(start, end)` of the sentences of `text`, trimmed, in order. `abbreviations` are
/// words with their final full stop ("Dr.", "z.B.") after which no sentence ends.
pub fn sentences(text: &str, abbreviations: &[String]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut start = 0;
    let mut i = 0;
    let push = |out: &mut Vec<(usize, usize)>, s: usize, e: usize| {
        let piece = &text[s..e];
        let lead = piece.len() - piece.trim_start().len();
        let trimmed = piece.trim();
        if !trimmed.is_empty() {
            out.push((s + lead, s + lead + trimmed.len()));
        }
    };
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'\n' && i + 1 < bytes.len() && bytes[i + 1] == b'\n' {
            push(&mut out, start, i);
            start = i + 2;
            i += 2;
            continue;
        }
        if matches!(b, b'.' | b'!' | b'?') {
            let mut end = i + 1;
            // Closing quotes and brackets belong to the sentence.
            while end < bytes.len() {
                let rest = &text[end..];
                match rest.chars().next() {
                    Some(c @ ('"' | '\'' | ')' | '“' | '”' | '«' | '»' | '’' | '.')) => {
                        end += c.len_utf8()
                    }
                    _ => break,
                }
            }
            let next_is_space = text[end..].starts_with(char::is_whitespace);
            let after = text[end..].trim_start();
            let opens = after
                .chars()
                .next()
                .is_some_and(|c| c.is_uppercase() || c.is_numeric() || "\"„“«»‚'(".contains(c));
            if next_is_space
                && opens
                && !(b == b'.' && ends_in_abbreviation(&text[start..i + 1], abbreviations))
            {
                push(&mut out, start, end);
                start = end;
            }
            i = end;
            continue;
        }
        i += 1;
    }
    push(&mut out, start, text.len());
    out
}

fn ends_in_abbreviation(piece: &str, abbreviations: &[String]) -> bool {
    let word = piece.rsplit(char::is_whitespace).next().unwrap_or("");
    let bare = word.trim_end_matches('.');
    // "J." or "3." (an ordinal: "am 3. September") never end a sentence.
    if bare.chars().count() == 1 || (!bare.is_empty() && bare.chars().all(|c| c.is_ascii_digit())) {
        return true;
    }
    abbreviations.iter().any(|a| a == word)
}

#[cfg(test)]
mod tests {
    use super::sentences;

    fn split(text: &str) -> Vec<&str> {
        let abbr = vec!["Dr.".to_string(), "z.B.".to_string()];
        sentences(text, &abbr).into_iter().map(|(s, e)| &text[s..e]).collect()
    }

    #[test]
    fn splits_on_terminal_punctuation_before_a_capital() {
        assert_eq!(
            split("Kim reiste ab. Putin wartete! Wer kommt? niemand"),
            ["Kim reiste ab.", "Putin wartete!", "Wer kommt? niemand"]
        );
    }

    #[test]
    fn keeps_abbreviations_ordinals_and_initials_inside() {
        assert_eq!(
            split("Dr. Kim kam am 12. September an. J. Kirby sprach."),
            ["Dr. Kim kam am 12. September an.", "J. Kirby sprach."]
        );
    }

    #[test]
    fn closing_quotes_stay_with_their_sentence_and_paragraphs_split() {
        assert_eq!(
            split("„Es liegt viel an.“ Sagte er\n\nNeuer Absatz"),
            ["„Es liegt viel an.“", "Sagte er", "Neuer Absatz"]
        );
    }
}

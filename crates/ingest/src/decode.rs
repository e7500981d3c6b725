//! Bytes to text: byte-order marks, UTF-8, legacy encodings, binary detection, mojibake repair.

use storyline_core::{Decision, Field};

/// Why bytes could not be turned into text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeProblem {
    /// No bytes, or only white space.
    Empty,
    /// NUL bytes or many control characters: not a text file.
    Binary,
}

/// Decodes a document's bytes. UTF-8 (with or without BOM) and UTF-16 with BOM are taken as they
/// are; anything else is decoded with the encoding `chardetng` guesses, and the guess is recorded
/// as a decision. Mojibake (UTF-8 read as Windows-1252, e.g. `MÃ¼nchen`) is then repaired.
pub fn decode(bytes: &[u8]) -> Result<(String, Vec<Decision>), DecodeProblem> {
    let mut decisions = Vec::new();
    if looks_binary(bytes) {
        return Err(DecodeProblem::Binary);
    }
    let text = if let Some((enc, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, _) = enc.decode_without_bom_handling(&bytes[bom_len..]);
        if enc != encoding_rs::UTF_8 {
            decisions.push(Decision::new(
                Field::Encoding,
                enc.name(),
                "byte-order mark at the start of the file",
            ));
        }
        text.into_owned()
    } else {
        match std::str::from_utf8(bytes) {
            Ok(s) => s.to_owned(),
            Err(_) => {
                let mut det = chardetng::EncodingDetector::new();
                det.feed(bytes, true);
                let enc = det.guess(None, true);
                let (text, _, had_errors) = enc.decode(bytes);
                decisions.push(Decision::new(
                    Field::Encoding,
                    enc.name(),
                    if had_errors {
                        "not valid UTF-8; decoded with the detected encoding, some bytes replaced"
                    } else {
                        "not valid UTF-8; decoded with the detected encoding"
                    },
                ));
                text.into_owned()
            }
        }
    };
    if text.trim().is_empty() {
        return Err(DecodeProblem::Empty);
    }
    let (text, repaired) = repair_mojibake(&text);
    if repaired > 0 {
        decisions.push(Decision::new(
            Field::Encoding,
            format!("{repaired} mojibake sequences repaired"),
            "UTF-8 text that had been read as Windows-1252 (such as 'MÃ¼nchen' for 'München')",
        ));
    }
    Ok((text, decisions))
}

/// True when the bytes hold NUL bytes or more than 10 % control characters in the first 8 KiB.
/// UTF-16 with a byte-order mark is text, although it holds NULs.
pub fn looks_binary(bytes: &[u8]) -> bool {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return false;
    }
    let head = &bytes[..bytes.len().min(8192)];
    if head.contains(&0) {
        return true;
    }
    let control =
        head.iter().filter(|&&b| b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0C)).count();
    control * 10 > head.len()
}

/// Windows-1252 bytes 0x80..=0x9F and the characters they stand for.
const CP1252_HIGH: [(u8, char); 27] = [
    (0x80, '€'),
    (0x82, '‚'),
    (0x83, 'ƒ'),
    (0x84, '„'),
    (0x85, '…'),
    (0x86, '†'),
    (0x87, '‡'),
    (0x88, 'ˆ'),
    (0x89, '‰'),
    (0x8A, 'Š'),
    (0x8B, '‹'),
    (0x8C, 'Œ'),
    (0x8E, 'Ž'),
    (0x91, '‘'),
    (0x92, '’'),
    (0x93, '“'),
    (0x94, '”'),
    (0x95, '•'),
    (0x96, '–'),
    (0x97, '—'),
    (0x98, '˜'),
    (0x99, '™'),
    (0x9A, 'š'),
    (0x9B, '›'),
    (0x9C, 'œ'),
    (0x9E, 'ž'),
    (0x9F, 'Ÿ'),
];

/// The Windows-1252 (or Latin-1, for the bytes 1252 leaves undefined) byte for a character.
fn cp1252_byte(c: char) -> Option<u8> {
    let u = c as u32;
    if u < 0x80 || (0xA0..=0xFF).contains(&u) || (0x80..=0x9F).contains(&u) {
        return Some(u as u8);
    }
    CP1252_HIGH.iter().find(|(_, ch)| *ch == c).map(|(b, _)| *b)
}

/// A lead character of a two- or three-byte UTF-8 sequence as Windows-1252 shows it.
fn is_lead(c: char) -> bool {
    matches!(c as u32, 0xC2..=0xDF | 0xE2..=0xEF)
}

/// Repairs runs of UTF-8 that were decoded as Windows-1252, one run at a time, so that a text
/// mixing correct and broken characters comes out right. Returns the text and the number of runs
/// repaired. Runs are only replaced when they re-decode as valid UTF-8 into fewer characters.
pub fn repair_mojibake(text: &str) -> (String, usize) {
    if !text.chars().any(is_lead) {
        return (text.to_owned(), 0);
    }
    // Some pipelines also NFKC-normalise, turning the '¼' of 'Ã¼' into '1⁄4'.
    let text = text.replace("Ã1⁄4", "Ã¼").replace("Ã1⁄2", "Ã½").replace("Ã3⁄4", "Ã¾");
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut repaired = 0;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if is_lead(c) {
            let need = if (c as u32) < 0xE0 { 2 } else { 3 };
            // Take as many well-formed sequences as follow one another.
            let mut j = i;
            let mut bytes = Vec::new();
            while j + need <= chars.len() && is_lead(chars[j]) {
                let need_here = if (chars[j] as u32) < 0xE0 { 2 } else { 3 };
                if j + need_here > chars.len() {
                    break;
                }
                let seq: Option<Vec<u8>> =
                    chars[j..j + need_here].iter().map(|&c| cp1252_byte(c)).collect();
                match seq {
                    Some(seq) if std::str::from_utf8(&seq).is_ok() => {
                        bytes.extend_from_slice(&seq);
                        j += need_here;
                    }
                    _ => break,
                }
            }
            if j > i {
                out.push_str(std::str::from_utf8(&bytes).expect("checked per sequence"));
                repaired += 1;
                i = j;
                continue;
            }
        }
        out.push(c);
        i += 1;
    }
    (out, repaired)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repairs_german_and_turkish_mojibake() {
        assert_eq!(repair_mojibake("MÃ¼nchen").0, "München");
        assert_eq!(repair_mojibake("PressegesprÃ¤ch teil").0, "Pressegespräch teil");
        assert_eq!(repair_mojibake("der TÃ1⁄4rkei").0, "der Türkei");
        assert_eq!(repair_mojibake("Ã¶ÄŸrenci giriÅŸ").0, "öğrenci giriş");
        assert_eq!(repair_mojibake("â€žZitatâ€œ").0, "„Zitat“");
    }

    #[test]
    fn leaves_correct_text_alone() {
        for s in ["München, Ärger, Ökonomie", "Âge", "Ça va, Ünal?", "Å land"] {
            assert_eq!(repair_mojibake(s), (s.to_owned(), 0), "{s}");
        }
    }

    #[test]
    fn decodes_latin1_and_names_it() {
        let (text, decisions) =
            decode(b"Gr\xfc\xdfe aus M\xfcnchen, sch\xf6ne Gr\xfc\xdfe").unwrap();
        assert_eq!(text, "Grüße aus München, schöne Grüße");
        assert_eq!(decisions[0].field, Field::Encoding);
    }

    #[test]
    fn rejects_binary_and_empty() {
        assert_eq!(decode(b"\x00\x01\x02PK").unwrap_err(), DecodeProblem::Binary);
        assert_eq!(decode(b"  \n ").unwrap_err(), DecodeProblem::Empty);
    }

    #[test]
    fn utf16_with_bom() {
        let bytes: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("Kim".encode_utf16().flat_map(|u| u.to_le_bytes()))
            .collect();
        assert_eq!(decode(&bytes).unwrap().0, "Kim");
    }
}

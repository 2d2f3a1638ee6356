//! Makes the raw bytes of a conversation parseable without changing what is stored.
//!
//! Two quirks of real exports stop a strict JSON parser: `\uD83D` escapes without their
//! other half (lone surrogates), and emoji written as CESU-8 (each UTF-16 half encoded on its
//! own), which is not valid UTF-8. The raw bytes are stored as they are; this module builds
//! the copy that is parsed, in which lone surrogate escapes become `\uFFFD` (same length, so
//! byte offsets do not move), CESU-8 pairs become proper UTF-8 and any other invalid byte
//! becomes U+FFFD. Each change is reported with its byte offset.

use std::borrow::Cow;

/// One change made to the parse copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repair {
    /// Offset of the change in the original bytes.
    pub offset: usize,
    /// What was replaced.
    pub what: RepairKind,
}

/// The kinds of repair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RepairKind {
    /// A `\uHHHH` escape of a surrogate without its partner, replaced by `\uFFFD`.
    LoneSurrogateEscape(String),
    /// The input was not valid UTF-8 (CESU-8 or otherwise) and was re-encoded.
    InvalidUtf8,
}

/// The text to parse, with the repairs it took.
pub struct ParseText<'a> {
    /// The input as valid UTF-8: the bytes themselves when they are valid, else decoded with
    /// CESU-8 pairs joined and stray bytes replaced. Escapes are untouched, so raw JSON
    /// slices of it keep what the input wrote.
    pub structural: Cow<'a, str>,
    /// [`ParseText::structural`] with lone surrogate escapes replaced: same length, same
    /// offsets, accepted by a strict JSON parser.
    pub text: Cow<'a, str>,
    /// Whether the original bytes were valid UTF-8 (and so can be stored as text as is).
    pub original_is_utf8: bool,
    /// What was changed, in order.
    pub repairs: Vec<Repair>,
}

/// Builds the parse copy of `bytes`.
pub fn parse_text(bytes: &[u8]) -> ParseText<'_> {
    let (text, original_is_utf8, mut repairs) = match std::str::from_utf8(bytes) {
        Ok(text) => (Cow::Borrowed(text), true, Vec::new()),
        Err(error) => {
            let repair = Repair { offset: error.valid_up_to(), what: RepairKind::InvalidUtf8 };
            (Cow::Owned(decode_lossy_cesu8(bytes)), false, vec![repair])
        }
    };
    let escapes = lone_surrogate_escapes(text.as_bytes());
    if escapes.is_empty() {
        return ParseText { structural: text.clone(), text, original_is_utf8, repairs };
    }
    let structural = text.clone();
    let mut fixed = text.into_owned().into_bytes();
    for &at in &escapes {
        let escape = String::from_utf8_lossy(&fixed[at..at + 6]).into_owned();
        fixed[at..at + 6].copy_from_slice(b"\\uFFFD");
        repairs.push(Repair { offset: at, what: RepairKind::LoneSurrogateEscape(escape) });
    }
    let text = String::from_utf8(fixed).expect("ASCII replaced by ASCII");
    ParseText { structural, text: Cow::Owned(text), original_is_utf8, repairs }
}

/// Offsets of `\uHHHH` escapes that encode a surrogate without its partner.
fn lone_surrogate_escapes(bytes: &[u8]) -> Vec<usize> {
    let mut found = Vec::new();
    let mut i = 0;
    while let Some(at) = memchr::memchr(b'\\', &bytes[i..]).map(|p| p + i) {
        let Some(unit) = escape_unit(bytes, at) else {
            i = at + 2;
            continue;
        };
        if (0xD800..0xDC00).contains(&unit) {
            let low = escape_unit(bytes, at + 6).filter(|u| (0xDC00..0xE000).contains(u));
            if low.is_some() {
                i = at + 12;
                continue;
            }
            found.push(at);
        } else if (0xDC00..0xE000).contains(&unit) {
            found.push(at);
        }
        i = at + 6;
    }
    found
}

/// The code unit of a `\uHHHH` escape starting at `at`, if there is one.
fn escape_unit(bytes: &[u8], at: usize) -> Option<u32> {
    let escape = bytes.get(at..at + 6)?;
    if escape[0] != b'\\' || escape[1] != b'u' {
        return None;
    }
    let hex = std::str::from_utf8(&escape[2..]).ok()?;
    u32::from_str_radix(hex, 16).ok()
}

/// Decodes bytes that are not valid UTF-8: CESU-8 surrogate pairs become the character they
/// encode, anything else invalid becomes U+FFFD.
fn decode_lossy_cesu8(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    let mut rest = bytes;
    while !rest.is_empty() {
        match std::str::from_utf8(rest) {
            Ok(valid) => {
                out.push_str(valid);
                break;
            }
            Err(error) => {
                let (valid, after) = rest.split_at(error.valid_up_to());
                out.push_str(std::str::from_utf8(valid).expect("checked valid"));
                let skip = match cesu8_pair(after) {
                    Some(c) => {
                        out.push(c);
                        6
                    }
                    None => {
                        out.push(char::REPLACEMENT_CHARACTER);
                        error.error_len().unwrap_or(after.len()).max(1)
                    }
                };
                rest = &after[skip..];
            }
        }
    }
    out
}

/// A character encoded as a CESU-8 surrogate pair (`ED A0..AF xx ED B0..BF xx`).
fn cesu8_pair(bytes: &[u8]) -> Option<char> {
    let s = bytes.get(..6)?;
    let is_high = s[0] == 0xED && (0xA0..=0xAF).contains(&s[1]) && s[2] & 0xC0 == 0x80;
    let is_low = s[3] == 0xED && (0xB0..=0xBF).contains(&s[4]) && s[5] & 0xC0 == 0x80;
    if !(is_high && is_low) {
        return None;
    }
    let high = 0xD000 | (u32::from(s[1] & 0x3F) << 6) | u32::from(s[2] & 0x3F);
    let low = 0xD000 | (u32::from(s[4] & 0x3F) << 6) | u32::from(s[5] & 0x3F);
    char::from_u32(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_text_is_borrowed_unchanged() {
        let input = r#"{"t":"caf\u00e9 \ud83d\ude00 \\ud83d"}"#;
        let parsed = parse_text(input.as_bytes());
        assert!(matches!(parsed.text, Cow::Borrowed(_)));
        assert!(parsed.repairs.is_empty());
    }

    #[test]
    fn lone_surrogate_escapes_become_replacement_escapes() {
        let input = r#"{"t":"a \ud83d b \ude00 c"}"#;
        let parsed = parse_text(input.as_bytes());
        assert_eq!(parsed.text, r#"{"t":"a \uFFFD b \uFFFD c"}"#);
        assert_eq!(parsed.repairs.len(), 2);
        assert_eq!(parsed.repairs[0].offset, 8);
        assert_eq!(parsed.repairs[1].what, RepairKind::LoneSurrogateEscape("\\ude00".to_string()));
        let value: serde_json::Value = serde_json::from_str(&parsed.text).unwrap();
        assert_eq!(value["t"], "a \u{FFFD} b \u{FFFD} c");
    }

    #[test]
    fn cesu8_emoji_is_decoded_and_stray_bytes_replaced() {
        let mut input = b"{\"t\":\"ok ".to_vec();
        input.extend_from_slice(&[0xED, 0xA0, 0xBD, 0xED, 0xB8, 0x82]);
        input.extend_from_slice(b" \xFF!\"}");
        let parsed = parse_text(&input);
        assert!(!parsed.original_is_utf8);
        assert_eq!(parsed.text, "{\"t\":\"ok \u{1F602} \u{FFFD}!\"}");
        assert_eq!(parsed.repairs, vec![Repair { offset: 9, what: RepairKind::InvalidUtf8 }]);
    }
}

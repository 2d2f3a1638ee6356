//! Timestamps: the export writes float epoch seconds (up to seven decimals) in conversation
//! files and ISO-8601 strings in side files; the archive stores ISO-8601 UTC text with
//! microseconds, so that text comparison orders them and `created_at >= '2024-03-01'` works.

use serde_json::Value;
use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};

/// ISO-8601 UTC text with microseconds, e.g. `2026-01-14T10:15:30.575883Z`.
pub fn iso(datetime: OffsetDateTime) -> String {
    let utc = datetime.to_offset(UtcOffset::UTC);
    let (y, mo, d) = (utc.year(), u8::from(utc.month()), utc.day());
    let (h, mi, s, us) = (utc.hour(), utc.minute(), utc.second(), utc.microsecond());
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{us:06}Z")
}

/// Epoch seconds to a date time, rounded to the microsecond.
pub fn from_epoch(seconds: f64) -> Option<OffsetDateTime> {
    if !seconds.is_finite() {
        return None;
    }
    let micros = (seconds * 1e6).round() as i128;
    OffsetDateTime::from_unix_timestamp_nanos(micros.checked_mul(1000)?).ok()
}

/// Reads a timestamp in either of the export's forms: a number of epoch seconds or an
/// RFC 3339 string. Anything else (null, missing, garbage) is `None`.
pub fn parse(value: Option<&Value>) -> Option<OffsetDateTime> {
    match value? {
        Value::Number(n) => from_epoch(n.as_f64()?),
        Value::String(s) => OffsetDateTime::parse(s, &Rfc3339).ok(),
        _ => None,
    }
}

/// [`parse`] then [`iso`].
pub fn iso_of(value: Option<&Value>) -> Option<String> {
    parse(value).map(iso)
}

/// The current time, for logs.
pub fn now() -> String {
    iso(OffsetDateTime::now_utc())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn epoch_seconds_round_to_microseconds() {
        assert_eq!(
            iso_of(Some(&json!(1768385730.5758827))).unwrap(),
            "2026-01-14T10:15:30.575883Z"
        );
        assert_eq!(iso_of(Some(&json!(1700000000))).unwrap(), "2023-11-14T22:13:20.000000Z");
    }

    #[test]
    fn iso_strings_with_offsets_become_utc() {
        let value = json!("2026-08-03T14:05:09.123+02:00");
        assert_eq!(iso_of(Some(&value)).unwrap(), "2026-08-03T12:05:09.123000Z");
    }

    #[test]
    fn other_values_have_no_time() {
        assert_eq!(iso_of(None), None);
        assert_eq!(iso_of(Some(&json!(null))), None);
        assert_eq!(iso_of(Some(&json!("yesterday"))), None);
        assert_eq!(iso_of(Some(&json!(1e308))), None);
    }
}

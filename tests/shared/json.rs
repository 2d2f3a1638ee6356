//! Reading fields of the expected facts; a missing field is a broken fixture and panics.

use std::collections::BTreeMap;

use serde_json::Value;

/// The field `key` of `value`, which must exist.
pub fn field<'a>(value: &'a Value, key: &str) -> &'a Value {
    value.get(key).unwrap_or_else(|| panic!("expected facts lack {key:?} in {}", short(value)))
}

/// A string field.
pub fn str(value: &Value, key: &str) -> String {
    field(value, key).as_str().unwrap_or_else(|| panic!("{key:?} is not a string")).to_string()
}

/// A string-or-null field.
pub fn opt_str(value: &Value, key: &str) -> Option<String> {
    field(value, key).as_str().map(str::to_string)
}

/// A string field that may be absent.
pub fn maybe_str(value: &Value, key: &str) -> Option<String> {
    value.get(key).and_then(Value::as_str).map(str::to_string)
}

/// An integer field.
pub fn int(value: &Value, key: &str) -> i64 {
    field(value, key).as_i64().unwrap_or_else(|| panic!("{key:?} is not an integer"))
}

/// An array field.
pub fn array<'a>(value: &'a Value, key: &str) -> &'a Vec<Value> {
    field(value, key).as_array().unwrap_or_else(|| panic!("{key:?} is not an array"))
}

/// An array-of-strings field.
pub fn strings(value: &Value, key: &str) -> Vec<String> {
    array(value, key).iter().map(|v| v.as_str().expect("a string item").to_string()).collect()
}

/// An object field whose values are integers, as a sorted map.
pub fn int_map(value: &Value, key: &str) -> BTreeMap<String, i64> {
    let object =
        field(value, key).as_object().unwrap_or_else(|| panic!("{key:?} is not an object"));
    let entry = |(k, v): (&String, &Value)| (k.clone(), v.as_i64().expect("an integer"));
    object.iter().map(entry).collect()
}

/// An object field whose values are strings, as a sorted map.
pub fn str_map(value: &Value, key: &str) -> BTreeMap<String, String> {
    let object =
        field(value, key).as_object().unwrap_or_else(|| panic!("{key:?} is not an object"));
    let entry = |(k, v): (&String, &Value)| (k.clone(), v.as_str().expect("a string").into());
    object.iter().map(entry).collect()
}

/// The first JSON pointer at which `a` and `b` differ, with both values there.
pub fn first_difference(a: &Value, b: &Value, at: &str) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys = x.keys().chain(y.keys());
            keys.filter_map(|k| match (x.get(k), y.get(k)) {
                (Some(u), Some(v)) => first_difference(u, v, &format!("{at}/{k}")),
                (u, v) => Some(format!("{at}/{k}: {} vs {}", opt_short(u), opt_short(v))),
            })
            .next()
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (u, v))| first_difference(u, v, &format!("{at}/{i}"))),
        _ if a == b => None,
        _ => Some(format!("{at}: {} vs {}", short(a), short(b))),
    }
}

fn opt_short(value: Option<&Value>) -> String {
    value.map_or_else(|| "(absent)".to_string(), short)
}

/// A value as compact JSON, clipped for messages.
pub fn short(value: &Value) -> String {
    super::check::clip(&value.to_string(), 160)
}

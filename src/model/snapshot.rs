//! One conversation as an export holds it: the top-level fields, and every node of its
//! mapping with the message's raw JSON kept byte for byte.
//!
//! Parsing is tolerant: every field is optional and unknown fields are kept. Only JSON syntax
//! errors and shapes that leave nothing to store (the conversation not an object, its
//! mapping or a node not an object, no id at all) are errors.

use std::borrow::Cow;
use std::fmt;

use indexmap::IndexMap;
use serde::Deserialize;
use serde::de::{Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

/// A conversation as one export holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    /// The conversation id: `conversation_id`, else `id`.
    pub id: String,
    /// Every top-level field except `mapping`, in the order written.
    pub top: Map<String, Value>,
    /// The mapping, when it is an object; `None` when absent or null.
    pub mapping: Option<IndexMap<String, Option<Node>>>,
}

/// One node of a mapping (a `null` node value is `None` in [`Snapshot::mapping`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// Every field of the node except `message`: `id`, `parent`, `children`, unknown ones.
    pub fields: Map<String, Value>,
    /// What the `message` key holds.
    pub message: MessageSlot,
}

/// The `message` key of a node.
#[derive(Debug, Clone, PartialEq)]
pub enum MessageSlot {
    /// The key is absent.
    Missing,
    /// The key is `null` (placeholder roots).
    Null,
    /// A message.
    Present(Message),
}

/// A message with its raw JSON text and its parsed value.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    /// The JSON text as written in the export (re-serialized only after a merge).
    pub raw: String,
    /// The parsed value; lone surrogates read as U+FFFD.
    pub value: Value,
}

/// Why a conversation could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SnapshotError {
    /// Not valid JSON: line and column are relative to the conversation's first byte.
    Syntax {
        /// 1-based line within the conversation.
        line: usize,
        /// 1-based column within that line.
        column: usize,
        /// What serde_json said.
        message: String,
    },
    /// Valid JSON that cannot be stored as a conversation.
    Unusable {
        /// The conversation id, when it could be read.
        id: Option<String>,
        /// JSON path of the offending field, relative to the conversation.
        path: String,
        /// What is wrong.
        message: String,
    },
}

impl fmt::Display for SnapshotError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SnapshotError::Syntax { message, .. } => write!(f, "{message}"),
            SnapshotError::Unusable { path, message, .. } => write!(f, "{path}: {message}"),
        }
    }
}

/// The fields of an object in the order written, values left as raw JSON.
struct OrderedRaw<'a>(Vec<(Cow<'a, str>, &'a RawValue)>);

impl<'de: 'a, 'a> Deserialize<'de> for OrderedRaw<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct OrderedVisitor;
        impl<'de> Visitor<'de> for OrderedVisitor {
            type Value = OrderedRaw<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut fields = Vec::new();
                while let Some(key) = map.next_key::<Cow<'de, str>>()? {
                    fields.push((key, map.next_value::<&'de RawValue>()?));
                }
                Ok(OrderedRaw(fields))
            }
        }
        deserializer.deserialize_map(OrderedVisitor)
    }
}

/// Reads values out of the structural text through the parse copy (same byte offsets).
struct Reader<'a> {
    structural: &'a str,
    parse: &'a str,
}

impl<'a> Reader<'a> {
    fn value(&self, raw: &RawValue) -> Result<Value, serde_json::Error> {
        let start = raw.get().as_ptr() as usize - self.structural.as_ptr() as usize;
        serde_json::from_str(&self.parse[start..start + raw.get().len()])
    }
}

impl Snapshot {
    /// Parses one conversation. `structural` is the text as written when it is valid UTF-8;
    /// `parse` is the repaired copy of the same length (see `source::repair`).
    pub fn parse(structural: &str, parse: &str) -> Result<Self, SnapshotError> {
        let reader = Reader { structural, parse };
        let top: OrderedRaw<'_> = match serde_json::from_str(structural) {
            Ok(top) => top,
            Err(error) if error.is_data() => {
                serde_json::from_str::<Value>(parse).map_err(syntax)?;
                return Err(unusable(None, "$", "expected a conversation object"));
            }
            Err(error) => return Err(syntax(error)),
        };
        let mut fields = Map::new();
        let mut mapping_raw = None;
        for (key, raw) in top.0 {
            if key == "mapping" && raw.get() != "null" {
                mapping_raw = Some(raw);
            } else {
                let value =
                    reader.value(raw).map_err(|e| beyond_syntax(None, &format!("$.{key}"), e))?;
                fields.insert(key.into_owned(), value);
            }
        }
        let id = ["conversation_id", "id"]
            .iter()
            .find_map(|k| fields.get(*k).and_then(Value::as_str))
            .map(str::to_string)
            .ok_or_else(|| unusable(None, "$.conversation_id", "no conversation id"))?;
        let mapping = match mapping_raw {
            Some(raw) => Some(parse_mapping(&reader, &id, raw)?),
            None => None,
        };
        Ok(Snapshot { id, top: fields, mapping })
    }

    /// The top-level object without the nodes: `mapping` keeps only its `null` entries, so
    /// that the conversation can be rebuilt exactly from this and the nodes.
    pub fn top_raw(&self) -> String {
        let mut top = self.top.clone();
        if let Some(mapping) = &self.mapping {
            let nulls: Map<String, Value> = mapping
                .iter()
                .filter(|(_, node)| node.is_none())
                .map(|(id, _)| (id.clone(), Value::Null))
                .collect();
            top.insert("mapping".to_string(), Value::Object(nulls));
        }
        Value::Object(top).to_string()
    }
}

impl Node {
    /// The node without its message object: `"message": null` stays, a message moves to the
    /// message's own raw column.
    pub fn raw_without_message(&self) -> String {
        let mut fields = self.fields.clone();
        if self.message == MessageSlot::Null {
            fields.insert("message".to_string(), Value::Null);
        }
        Value::Object(fields).to_string()
    }

    /// The message, when there is one.
    pub fn message(&self) -> Option<&Message> {
        match &self.message {
            MessageSlot::Present(message) => Some(message),
            _ => None,
        }
    }
}

fn parse_mapping(
    reader: &Reader<'_>,
    id: &str,
    raw: &RawValue,
) -> Result<IndexMap<String, Option<Node>>, SnapshotError> {
    let entries: OrderedRaw<'_> = serde_json::from_str(raw.get())
        .map_err(|_| unusable(Some(id), "$.mapping", "expected an object of nodes"))?;
    let mut nodes = IndexMap::with_capacity(entries.0.len());
    for (key, node_raw) in entries.0 {
        let node = if node_raw.get() == "null" {
            None
        } else {
            Some(parse_node(reader, id, &key, node_raw)?)
        };
        nodes.insert(key.into_owned(), node);
    }
    Ok(nodes)
}

fn parse_node(
    reader: &Reader<'_>,
    id: &str,
    key: &str,
    raw: &RawValue,
) -> Result<Node, SnapshotError> {
    let path = format!("$.mapping[{}]", Value::String(key.to_string()));
    let parts: OrderedRaw<'_> = serde_json::from_str(raw.get())
        .map_err(|_| unusable(Some(id), &path, "expected a node object"))?;
    let mut fields = Map::new();
    let mut message = MessageSlot::Missing;
    for (name, value_raw) in parts.0 {
        if name == "message" {
            message = if value_raw.get() == "null" {
                MessageSlot::Null
            } else {
                let value = reader
                    .value(value_raw)
                    .map_err(|e| beyond_syntax(Some(id), &format!("{path}.message"), e))?;
                MessageSlot::Present(Message { raw: value_raw.get().to_string(), value })
            };
        } else {
            let value = reader
                .value(value_raw)
                .map_err(|e| beyond_syntax(Some(id), &format!("{path}.{name}"), e))?;
            fields.insert(name.into_owned(), value);
        }
    }
    Ok(Node { fields, message })
}

fn syntax(error: serde_json::Error) -> SnapshotError {
    // serde_json appends " at line L column C", relative to this conversation; the caller
    // reports the absolute position instead.
    let message = error.to_string();
    let message = message.rsplit_once(" at line ").map_or(message.as_str(), |(m, _)| m);
    SnapshotError::Syntax { line: error.line(), column: error.column(), message: message.into() }
}

/// A value the syntax check accepted but that cannot be read (a number beyond `f64`, nesting
/// deeper than the parser's limit): the conversation is unusable, the file is not broken.
fn beyond_syntax(id: Option<&str>, path: &str, error: serde_json::Error) -> SnapshotError {
    let message = error.to_string();
    let message = message.rsplit_once(" at line ").map_or(message.as_str(), |(m, _)| m);
    unusable(id, path, message)
}

fn unusable(id: Option<&str>, path: &str, message: &str) -> SnapshotError {
    SnapshotError::Unusable {
        id: id.map(str::to_string),
        path: path.to_string(),
        message: message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Snapshot, SnapshotError> {
        Snapshot::parse(text, text)
    }

    #[test]
    fn keeps_message_raw_verbatim_and_other_fields_parsed() {
        let text = r#"{"id":"c1","title":null,"mapping":{"r":{"id":"r","message":null},
            "n":{"id":"n","parent":"r","message":{"weight": 1.0, "x":[1, 2]}},"z":null},
            "extra":{"k":true}}"#;
        let snapshot = parse(text).unwrap();
        assert_eq!(snapshot.id, "c1");
        let mapping = snapshot.mapping.as_ref().unwrap();
        assert_eq!(mapping.len(), 3);
        let n = mapping["n"].as_ref().unwrap();
        assert_eq!(n.message().unwrap().raw, r#"{"weight": 1.0, "x":[1, 2]}"#);
        assert_eq!(n.raw_without_message(), r#"{"id":"n","parent":"r"}"#);
        assert_eq!(
            mapping["r"].as_ref().unwrap().raw_without_message(),
            r#"{"id":"r","message":null}"#
        );
        assert_eq!(
            snapshot.top_raw(),
            r#"{"id":"c1","title":null,"extra":{"k":true},"mapping":{"z":null}}"#
        );
    }

    #[test]
    fn conversation_id_wins_over_id_and_missing_mapping_is_fine() {
        let snapshot = parse(r#"{"id":"a","conversation_id":"b"}"#).unwrap();
        assert_eq!(snapshot.id, "b");
        assert!(snapshot.mapping.is_none());
    }

    #[test]
    fn unusable_shapes_name_their_path() {
        let err = parse(r#"{"id":"a","mapping":[1]}"#).unwrap_err();
        assert_eq!(err.to_string(), "$.mapping: expected an object of nodes");
        let err = parse(r#"{"id":"a","mapping":{"n":"text"}}"#).unwrap_err();
        assert_eq!(err.to_string(), r#"$.mapping["n"]: expected a node object"#);
        let err = parse(r#"{"title":"x"}"#).unwrap_err();
        assert_eq!(err.to_string(), "$.conversation_id: no conversation id");
        let err = parse("[1]").unwrap_err();
        assert_eq!(err.to_string(), "$: expected a conversation object");
    }

    #[test]
    fn unreadable_values_make_the_conversation_unusable() {
        let err = parse(r#"{"id":"a","create_time":1e400}"#).unwrap_err();
        assert_eq!(err.to_string(), "$.create_time: number out of range");
        let deep = format!(
            r#"{{"id":"a","mapping":{{"n":{{"x":{}1{}}}}}}}"#,
            "[".repeat(200),
            "]".repeat(200)
        );
        let err = parse(&deep).unwrap_err();
        assert!(err.to_string().starts_with(r#"$.mapping["n"].x: recursion limit"#), "{err}");
    }

    #[test]
    fn syntax_errors_carry_their_position() {
        let err = parse(r#"{"id":"a" "title":1}"#).unwrap_err();
        let SnapshotError::Syntax { line, column, .. } = err else { panic!("{err:?}") };
        assert_eq!((line, column), (1, 11));
    }

    #[test]
    fn lone_surrogates_stay_in_raw_and_read_as_replacement() {
        let original = r#"{"id":"a","mapping":{"n":{"message":{"t":"x \ud83d y"}}}}"#;
        let repaired = original.replace(r"\ud83d", r"\uFFFD");
        let snapshot = Snapshot::parse(original, &repaired).unwrap();
        let message = snapshot.mapping.unwrap()["n"].as_ref().unwrap().message().cloned().unwrap();
        assert_eq!(message.raw, r#"{"t":"x \ud83d y"}"#);
        assert_eq!(message.value["t"], "x \u{FFFD} y");
    }
}

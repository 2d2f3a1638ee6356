//! Merges the versions of one conversation found in successive exports into one state.
//!
//! Exports are snapshots that lose detail over time (2026 "slim" files drop `children`,
//! `status`, `metadata`, whole tool nodes), so replacing an older version with a newer one
//! would lose data. The merge is a right-biased deep merge applied from the oldest version to
//! the newest: objects are merged key by key, a key the newer version has wins, a key it
//! lacks keeps the older value, and nodes missing from the newer version stay. Because the
//! versions are always folded in export-date order, the result does not depend on the order
//! in which exports were imported.

use serde_json::{Map, Value};

use super::snapshot::{Message, MessageSlot, Node, Snapshot};

/// Merges `newer` over `older` (both versions of the same conversation).
pub fn merge(older: Snapshot, newer: Snapshot) -> Snapshot {
    let top = merge_maps(older.top, newer.top);
    let mapping = match (older.mapping, newer.mapping) {
        (Some(mut old_nodes), Some(new_nodes)) => {
            for (id, new_node) in new_nodes {
                let slot = old_nodes.entry(id).or_insert(None);
                *slot = match (slot.take(), new_node) {
                    (Some(old), Some(new)) => Some(merge_nodes(old, new)),
                    (Some(old), None) => Some(old),
                    (None, new) => new,
                };
            }
            Some(old_nodes)
        }
        (old, new) => new.or(old),
    };
    Snapshot { id: newer.id, top, mapping }
}

/// Folds versions given oldest first.
pub fn merge_all(versions: impl IntoIterator<Item = Snapshot>) -> Option<Snapshot> {
    versions.into_iter().reduce(merge)
}

fn merge_nodes(older: Node, newer: Node) -> Node {
    let fields = merge_maps(older.fields, newer.fields);
    let message = match (older.message, newer.message) {
        (MessageSlot::Present(old), MessageSlot::Present(new)) => {
            MessageSlot::Present(merge_messages(old, new))
        }
        (old @ MessageSlot::Present(_), _) => old,
        (MessageSlot::Null, MessageSlot::Missing) => MessageSlot::Null,
        (_, new) => new,
    };
    Node { fields, message }
}

fn merge_messages(older: Message, newer: Message) -> Message {
    let value = merge_values(older.value, newer.value.clone());
    if value == newer.value {
        return newer;
    }
    Message { raw: value.to_string(), value }
}

fn merge_maps(mut older: Map<String, Value>, newer: Map<String, Value>) -> Map<String, Value> {
    for (key, new_value) in newer {
        match older.get_mut(&key) {
            Some(old_value) => *old_value = merge_values(old_value.take(), new_value),
            None => {
                older.insert(key, new_value);
            }
        }
    }
    older
}

fn merge_values(older: Value, newer: Value) -> Value {
    match (older, newer) {
        (Value::Object(old), Value::Object(new)) => Value::Object(merge_maps(old, new)),
        (_, new) => new,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snapshot(text: &str) -> Snapshot {
        Snapshot::parse(text, text).unwrap()
    }

    #[test]
    fn newer_fields_win_and_missing_ones_keep_older_values() {
        let old = snapshot(
            r#"{"id":"c","title":"Old","gizmo_type":"gpt","mapping":{
                "a":{"id":"a","children":["b"],"message":{"status":"done",
                    "metadata":{"model_slug":"gpt-4o","x":1}}},
                "b":{"id":"b","parent":"a","message":null}}}"#,
        );
        let new = snapshot(
            r#"{"id":"c","title":"New","mapping":{
                "a":{"id":"a","message":{"metadata":{"x":2}}},
                "c":{"id":"c","parent":"a","message":{"t":1}}}}"#,
        );
        let merged = merge(old, new);
        assert_eq!(merged.top["title"], "New");
        assert_eq!(merged.top["gizmo_type"], "gpt");
        let mapping = merged.mapping.unwrap();
        assert_eq!(mapping.keys().collect::<Vec<_>>(), ["a", "b", "c"]);
        let a = mapping["a"].as_ref().unwrap();
        assert_eq!(a.fields["children"], serde_json::json!(["b"]));
        assert_eq!(
            a.message().unwrap().raw,
            r#"{"status":"done","metadata":{"model_slug":"gpt-4o","x":2}}"#
        );
        assert_eq!(mapping["b"].as_ref().unwrap().message, MessageSlot::Null);
    }

    #[test]
    fn an_unchanged_newer_message_keeps_its_raw_text() {
        let old = snapshot(r#"{"id":"c","mapping":{"a":{"message":{"w": 1.0}}}}"#);
        let new = snapshot(r#"{"id":"c","mapping":{"a":{"message":{"w":1.0}}}}"#);
        let merged = merge(old, new);
        let a = merged.mapping.unwrap()["a"].clone().unwrap();
        assert_eq!(a.message().unwrap().raw, r#"{"w":1.0}"#);
    }

    #[test]
    fn a_null_node_never_erases_a_real_one() {
        let old = snapshot(r#"{"id":"c","mapping":{"a":{"id":"a"}}}"#);
        let new = snapshot(r#"{"id":"c","mapping":{"a":null}}"#);
        let merged = merge(old.clone(), new);
        assert_eq!(merged.mapping.unwrap()["a"], old.mapping.unwrap()["a"]);
    }
}

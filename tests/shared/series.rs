//! The checks of `series/`: the archive state after importing the three successive
//! exports of one account, whatever the order.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::archive::Archive;
use super::check::Checker;
use super::json;

/// The series members, in time order, relative to the fixtures folder.
pub const EXPORTS: [&str; 3] =
    ["series/export-1.zip", "series/export-2.zip", "series/export-3.zip"];

/// The tables whose rows must not depend on the import order (the log columns of
/// `exports` left out).
pub const ORDER_FREE_TABLES: [&str; 7] = [
    "conversations",
    "messages",
    "asset_references",
    "conversation_versions",
    "exports",
    "attachments",
    "media",
];

/// Checks `after_importing_all_in_any_order` of `series.expected.json` against `db`.
pub fn check_merged_state(c: &mut Checker, facts: &Value, db: &Archive) {
    let after = json::field(facts, "after_importing_all_in_any_order");
    c.within("conversations", |c| check_conversations(c, after, db));
    c.within("latest_seen_in", |c| check_latest_seen(c, facts, after, db));
    c.within("nodes", |c| check_nodes(c, after, db));
    c.within("slim export", |c| check_survivors(c, after, db));
    c.within("phrases", |c| check_phrases(c, facts, db));
    c.within("attachments", |c| super::attachments::check_series(c, after, db));
}

fn check_conversations(c: &mut Checker, after: &Value, db: &Archive) {
    let total = db.int("SELECT count(*) FROM conversations", []);
    c.eq("conversations_total", json::int(after, "conversations_total"), total);
    let listed = json::strings(after, "conversation_ids");
    let expected: BTreeSet<String> = listed.into_iter().collect();
    let stored = db.strings("SELECT id FROM conversations", []);
    c.eq("conversation_ids", expected, stored.into_iter().collect());
    let titles = db.text_map("SELECT id, title FROM conversations", []);
    c.eq("latest_titles", json::str_map(after, "latest_titles"), titles);
    let nodes = db.text_map("SELECT id, current_node_id FROM conversations", []);
    c.eq("latest_current_node", json::str_map(after, "latest_current_node"), nodes);
    let sql = "SELECT id FROM conversations WHERE in_latest_export = 0 ORDER BY id";
    let mut missing = json::strings(after, "missing_from_latest_export");
    missing.sort();
    c.eq("missing_from_latest_export", missing, db.strings(sql, []));
}

/// `last_seen_at` equals the `exported_at` of the newest export holding the conversation.
fn check_latest_seen(c: &mut Checker, facts: &Value, after: &Value, db: &Archive) {
    let exported_at = db.text_map("SELECT name, exported_at FROM exports", []);
    let time_order = json::strings(facts, "exports_in_time_order");
    let times: Vec<Option<&String>> = time_order.iter().map(|n| exported_at.get(n)).collect();
    c.ensure(times.iter().all(Option::is_some), || {
        format!("exports table lacks some of {time_order:?}: {exported_at:?}")
    });
    c.ensure(times.windows(2).all(|w| w[0] < w[1]), || {
        format!("exported_at not increasing in time order {time_order:?}: {exported_at:?}")
    });
    let expected: BTreeMap<String, String> = json::str_map(after, "latest_seen_in")
        .into_iter()
        .map(|(id, name)| {
            let time = exported_at.get(&name).cloned();
            (id, format!("{name} ({})", time.unwrap_or_else(|| "no such export".into())))
        })
        .collect();
    let names: BTreeMap<&String, &String> = exported_at.iter().map(|(n, t)| (t, n)).collect();
    let actual: BTreeMap<String, String> = db
        .text_map("SELECT id, last_seen_at FROM conversations", [])
        .into_iter()
        .map(|(id, time)| {
            let name = names.get(&time).map_or("no export at that time".into(), |n| n.to_string());
            (id, format!("{name} ({time})"))
        })
        .collect();
    c.eq("last_seen_at per conversation", expected, actual);
}

fn check_nodes(c: &mut Checker, after: &Value, db: &Archive) {
    let union = db.int("SELECT count(*) FROM messages", []);
    c.eq("distinct_nodes_union", json::int(after, "distinct_nodes_union"), union);
    let sql = "SELECT conversation_id, count(*) FROM messages GROUP BY conversation_id";
    let per: BTreeMap<String, i64> =
        db.rows(sql, [], |r| Ok((r.get(0)?, r.get(1)?))).into_iter().collect();
    c.eq(
        "distinct_nodes_per_conversation",
        json::int_map(after, "distinct_nodes_per_conversation"),
        per,
    );
    let expected: BTreeSet<(String, String)> =
        json::array(after, "nodes_absent_from_latest_export")
            .iter()
            .map(|n| (json::str(n, "conversation_id"), json::str(n, "node_id")))
            .collect();
    let sql = "SELECT conversation_id, node_id FROM messages WHERE in_latest_export = 0";
    let actual: BTreeSet<(String, String)> =
        db.rows(sql, [], |r| Ok((r.get(0)?, r.get(1)?))).into_iter().collect();
    c.eq("nodes_absent_from_latest_export", expected, actual);
}

/// Fields that only the older, richer exports hold must still be in `messages.raw`.
fn check_survivors(c: &mut Checker, after: &Value, db: &Archive) {
    for entry in json::array(after, "data_that_must_survive_the_slim_export") {
        let conversation = json::str(entry, "conversation_id");
        let node = json::str(entry, "node_id");
        let fields = json::field(entry, "must_still_have").as_object().expect("an object");
        for (path, wanted) in fields {
            let json_path = format!("$.{}", path.strip_prefix("message.").unwrap_or(path));
            let sql = "SELECT raw -> ?3 FROM messages WHERE conversation_id = ?1 AND node_id = ?2";
            let found = db.opt_string(sql, [&conversation, &node, &json_path]);
            let found: Option<Value> = found.and_then(|t| serde_json::from_str(&t).ok());
            c.eq(format!("{conversation} {node} {path}"), Some(wanted), found.as_ref());
        }
    }
}

fn check_phrases(c: &mut Checker, facts: &Value, db: &Archive) {
    for entry in json::array(facts, "phrases") {
        let phrase = json::str(entry, "phrase");
        let key = (json::str(entry, "conversation_id"), json::str(entry, "node_id"));
        let hits = db.search(&phrase);
        c.ensure(hits.contains(&key), || format!("{phrase:?} not found at {key:?}: {hits:?}"));
    }
}

/// The six orders in which three exports can be imported (indexes into [`EXPORTS`]).
pub const ALL_ORDERS: [[usize; 3]; 6] =
    [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]];

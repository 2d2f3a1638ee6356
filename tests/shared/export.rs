//! The checks of one export fixture imported alone into a fresh archive: counts, the
//! conversation list, each conversation's tree, search, assets, side files and a rebuild
//! of every conversation's JSON from the archive.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::archive::Archive;
use super::check::Checker;
use super::fixtures::Expected;
use super::json;
use super::run::Outcome;

/// Counts the null-valued mapping entries, which only `conversations.raw` keeps.
macro_rules! null_entries {
    () => {
        "SELECT count(*) FROM conversations c, json_each(c.raw, '$.mapping') j \
         WHERE j.type = 'null'"
    };
}

/// Each field of `counts` and the SQL that computes it from the archive.
const COUNTS: &[(&str, &str)] = &[
    ("conversations", "SELECT count(*) FROM conversations"),
    ("distinct_conversation_ids", "SELECT count(DISTINCT id) FROM conversations"),
    ("conversations_without_mapping", "SELECT count(*) FROM conversations WHERE has_mapping = 0"),
    ("nodes", "SELECT count(*) FROM messages"),
    ("messages", "SELECT count(*) FROM messages WHERE has_message = 1"),
    ("null_node_values", null_entries!()),
    (
        "mapping_entries",
        concat!("SELECT (SELECT count(*) FROM messages) + (", null_entries!(), ")"),
    ),
    (
        "current_thread_messages",
        "SELECT count(*) FROM messages WHERE on_current_thread = 1 AND has_message = 1",
    ),
    (
        "branch_points",
        "SELECT count(*) FROM (SELECT 1 FROM messages WHERE parent_node_id IS NOT NULL \
         GROUP BY conversation_id, parent_node_id HAVING count(*) >= 2)",
    ),
    ("attachment_references", "SELECT count(*) FROM asset_references"),
    ("attachments_referenced", "SELECT count(DISTINCT file_id) FROM asset_references"),
];

/// Runs every check of an export fixture imported alone by `outcome` into `db`.
pub fn check_fresh_import(c: &mut Checker, expected: &Expected, outcome: &Outcome, db: &Archive) {
    let facts = &expected.facts;
    c.within("--json report", |c| check_report(c, facts, outcome));
    c.within("counts", |c| check_counts(c, facts, db));
    c.within("raw mapping", |c| check_raw_mapping(c, db));
    c.within("conversation_list", |c| check_conversation_list(c, facts, db));
    for conversation in json::array(facts, "conversations") {
        let label = format!("conversation {}", json::str(conversation, "id"));
        c.within(&label, |c| check_conversation(c, conversation, db));
    }
    c.within("node ids", |c| check_shared_node_ids(c, facts, db));
    c.within("phrases", |c| check_phrases(c, facts, db));
    c.within("title_phrases", |c| check_title_phrases(c, facts, db));
    c.within("attachments", |c| check_references(c, facts, db));
    c.within("library_files", |c| check_library_files(c, facts, db));
    c.within("group_chats", |c| check_group_chats(c, facts, db));
    c.within("members", |c| check_members(c, facts, db));
    c.within("stored attachments", |c| super::attachments::check_export(c, expected, db));
    let sources = expected.source_conversations();
    c.within("rebuild", |c| check_rebuild(c, &sources, db));
}

fn check_report(c: &mut Checker, facts: &Value, outcome: &Outcome) {
    let report = outcome.report();
    let exports = report["exports"].as_array().cloned().unwrap_or_default();
    c.eq("dry_run", Some(false), report["dry_run"].as_bool());
    c.eq("number of exports", 1, exports.len());
    let Some(export) = exports.first() else {
        return;
    };
    let total = json::int(json::field(facts, "counts"), "conversations");
    let counts = &export["conversations"];
    c.eq("conversations.total", Some(total), counts["total"].as_i64());
    c.eq("conversations.new", Some(total), counts["new"].as_i64());
    c.eq("skipped", Some(0), export["skipped"].as_array().map(Vec::len));
}

fn check_counts(c: &mut Checker, facts: &Value, db: &Archive) {
    let counts = json::field(facts, "counts");
    for (name, sql) in COUNTS {
        c.eq(name, json::int(counts, name), db.int(sql, []));
    }
}

/// `raw` keeps `mapping` only with its null entries, and none without a mapping.
fn check_raw_mapping(c: &mut Checker, db: &Archive) {
    let sql = "SELECT c.id || ' ' || j.key FROM conversations c, json_each(c.raw, '$.mapping') j \
               WHERE j.type != 'null'";
    let full = db.strings(sql, []);
    c.ensure(full.is_empty(), || format!("raw.mapping keeps non-null nodes: {full:?}"));
    let sql = "SELECT id FROM conversations WHERE has_mapping = 0 \
               AND json_type(raw, '$.mapping') IS NOT NULL";
    let kept = db.strings(sql, []);
    c.ensure(kept.is_empty(), || format!("raw has a mapping though has_mapping = 0: {kept:?}"));
}

fn check_conversation_list(c: &mut Checker, facts: &Value, db: &Archive) {
    let list = json::array(facts, "conversation_list");
    let expected: BTreeSet<String> = list.iter().map(|e| json::str(e, "id")).collect();
    let actual: BTreeSet<String> =
        db.strings("SELECT id FROM conversations", []).into_iter().collect();
    c.eq("conversation ids", expected, actual);
    for entry in list {
        let id = json::str(entry, "id");
        let title = db.column("SELECT title FROM conversations WHERE id = ?1", [&id]);
        c.eq(format!("{id} title"), vec![json::opt_str(entry, "title")], title);
        let created = db.opt_string("SELECT created_at FROM conversations WHERE id = ?1", [&id]);
        let seconds = created.map(|t| format!("{}Z", t.get(..19).unwrap_or(&t)));
        c.eq(
            format!("{id} created_at to seconds"),
            json::opt_str(entry, "create_time_iso"),
            seconds,
        );
    }
}

/// The columns of one `conversations` row that the facts pin down.
#[derive(Debug, PartialEq)]
struct ConversationRow {
    title: Option<String>,
    created_at: Option<String>,
    current_node_id: Option<String>,
    thread_leaf_id: Option<String>,
    model: Option<String>,
    gizmo_id: Option<String>,
    gizmo_type: Option<String>,
    has_mapping: bool,
    node_count: i64,
    message_count: i64,
}

fn conversation_row(db: &Archive, id: &str) -> Option<ConversationRow> {
    let sql = "SELECT title, created_at, current_node_id, thread_leaf_id, model, gizmo_id, \
               gizmo_type, has_mapping, node_count, message_count \
               FROM conversations WHERE id = ?1";
    let read = |row: &rusqlite::Row<'_>| {
        Ok(ConversationRow {
            title: row.get(0)?,
            created_at: row.get(1)?,
            current_node_id: row.get(2)?,
            thread_leaf_id: row.get(3)?,
            model: row.get(4)?,
            gizmo_id: row.get(5)?,
            gizmo_type: row.get(6)?,
            has_mapping: row.get(7)?,
            node_count: row.get(8)?,
            message_count: row.get(9)?,
        })
    };
    db.rows(sql, [id], read).into_iter().next()
}

fn expected_row(conversation: &Value) -> ConversationRow {
    let s = |key| json::opt_str(conversation, key);
    ConversationRow {
        title: s("title"),
        created_at: s("create_time_iso_us"),
        current_node_id: s("current_node"),
        thread_leaf_id: s("thread_start"),
        model: s("default_model_slug"),
        gizmo_id: s("gizmo_id"),
        gizmo_type: s("gizmo_type"),
        has_mapping: json::field(conversation, "has_mapping").as_bool() == Some(true),
        node_count: json::int(conversation, "nodes"),
        message_count: json::int(conversation, "messages"),
    }
}

fn check_conversation(c: &mut Checker, conversation: &Value, db: &Archive) {
    let id = json::str(conversation, "id");
    let Some(row) = conversation_row(db, &id) else {
        c.fail("not in the archive");
        return;
    };
    compare_row(c, &expected_row(conversation), &row);
    check_tree(c, conversation, db, &id);
    check_thread(c, conversation, db, &id);
    check_tallies(c, conversation, db, &id);
}

fn compare_row(c: &mut Checker, expected: &ConversationRow, actual: &ConversationRow) {
    c.eq("title", &expected.title, &actual.title);
    c.eq("created_at", &expected.created_at, &actual.created_at);
    c.eq("current_node_id", &expected.current_node_id, &actual.current_node_id);
    c.eq("thread_leaf_id (thread_start)", &expected.thread_leaf_id, &actual.thread_leaf_id);
    c.eq("model (default_model_slug)", &expected.model, &actual.model);
    c.eq("gizmo_id", &expected.gizmo_id, &actual.gizmo_id);
    c.eq("gizmo_type", &expected.gizmo_type, &actual.gizmo_type);
    c.eq("has_mapping", expected.has_mapping, actual.has_mapping);
    c.eq("node_count", expected.node_count, actual.node_count);
    c.eq("message_count", expected.message_count, actual.message_count);
}

/// Nodes, roots, leaves, branch points and null entries, all derived from `parent_node_id`.
fn check_tree(c: &mut Checker, conversation: &Value, db: &Archive, id: &str) {
    let nodes = db.int("SELECT count(*) FROM messages WHERE conversation_id = ?1", [id]);
    c.eq("nodes (message rows)", json::int(conversation, "nodes"), nodes);
    let sql = "SELECT count(*) FROM messages WHERE conversation_id = ?1 AND has_message = 1";
    c.eq("messages", json::int(conversation, "messages"), db.int(sql, [id]));
    let sql = "SELECT node_id FROM messages WHERE conversation_id = ?1 \
               AND parent_node_id IS NULL ORDER BY node_id";
    c.eq("roots", sorted(json::strings(conversation, "roots")), db.strings(sql, [id]));
    let sql = "SELECT count(*) FROM messages m WHERE m.conversation_id = ?1 AND NOT EXISTS \
               (SELECT 1 FROM messages k WHERE k.conversation_id = m.conversation_id \
               AND k.parent_node_id = m.node_id)";
    c.eq("leaves", json::int(conversation, "leaves"), db.int(sql, [id]));
    let sql = "SELECT parent_node_id FROM messages WHERE conversation_id = ?1 \
               AND parent_node_id IS NOT NULL GROUP BY parent_node_id HAVING count(*) >= 2 \
               ORDER BY parent_node_id";
    let branch_points = sorted(json::strings(conversation, "branch_points"));
    c.eq("branch_points", branch_points, db.strings(sql, [id]));
    let sql = "SELECT j.key FROM conversations c, json_each(c.raw, '$.mapping') j \
               WHERE c.id = ?1 AND j.type = 'null' ORDER BY j.key";
    let nulls = sorted(json::strings(conversation, "null_node_values"));
    c.eq("null_node_values", nulls, db.strings(sql, [id]));
}

fn check_thread(c: &mut Checker, conversation: &Value, db: &Archive, id: &str) {
    let sql = "SELECT node_id FROM messages WHERE conversation_id = ?1 \
               AND on_current_thread = 1 ORDER BY depth";
    let expected = json::strings(conversation, "current_thread_nodes");
    c.eq("current_thread_nodes", expected, db.strings(sql, [id]));
    let sql = "SELECT count(*) FROM messages WHERE conversation_id = ?1 \
               AND on_current_thread = 1 AND has_message = 1";
    let expected = json::int(conversation, "current_thread_messages");
    c.eq("current_thread_messages", expected, db.int(sql, [id]));
}

fn check_tallies(c: &mut Checker, conversation: &Value, db: &Archive, id: &str) {
    let tally = |column: &str, thread_only: bool| {
        let filter = if thread_only { "AND on_current_thread = 1" } else { "" };
        let sql = format!(
            "SELECT {column}, count(*) FROM messages WHERE conversation_id = ?1 \
             AND has_message = 1 {filter} GROUP BY {column}"
        );
        let row = |r: &rusqlite::Row<'_>| {
            Ok((r.get::<_, Option<String>>(0)?.unwrap_or("NULL".into()), r.get(1)?))
        };
        db.rows(&sql, [id], row).into_iter().collect::<BTreeMap<String, i64>>()
    };
    let roles = json::int_map(conversation, "roles");
    c.eq("roles", roles, tally("role", false));
    let types = json::int_map(conversation, "content_types");
    c.eq("content_types", types, tally("content_type", false));
    let thread_roles = json::int_map(conversation, "current_thread_roles");
    c.eq("current_thread_roles", thread_roles, tally("role", true));
}

fn check_shared_node_ids(c: &mut Checker, facts: &Value, db: &Archive) {
    let sql = "SELECT node_id FROM messages GROUP BY node_id \
               HAVING count(DISTINCT conversation_id) > 1 ORDER BY node_id";
    let expected = sorted(json::strings(facts, "node_ids_shared_across_conversations"));
    c.eq("node_ids_shared_across_conversations", expected, db.strings(sql, []));
}

fn check_phrases(c: &mut Checker, facts: &Value, db: &Archive) {
    for entry in json::array(facts, "phrases") {
        let phrase = json::str(entry, "phrase");
        let hits = db.search(&phrase);
        for place in json::array(entry, "occurrences") {
            if place.get("group_chat_id").is_some() {
                check_group_chat_phrase(c, &phrase, place, db);
                continue;
            }
            let key = (json::str(place, "conversation_id"), json::str(place, "node_id"));
            c.ensure(hits.contains(&key), || {
                format!("{phrase:?} not found at {key:?} (found at {hits:?})")
            });
        }
    }
    for phrase in json::strings(facts, "absent_phrases") {
        let hits = db.search(&phrase);
        c.ensure(hits.is_empty(), || format!("absent {phrase:?} found at {hits:?}"));
        let in_chats = group_chat_hits(db, &phrase, None);
        c.eq(format!("absent {phrase:?} in group chats"), 0, in_chats);
    }
}

fn check_group_chat_phrase(c: &mut Checker, phrase: &str, place: &Value, db: &Archive) {
    let chat = json::str(place, "group_chat_id");
    let message = json::str(place, "message_id");
    let hits = group_chat_hits(db, phrase, Some((&chat, &message)));
    c.ensure(hits == 1, || format!("{phrase:?} not in group chat {chat} message {message}"));
}

/// Group-chat messages whose text holds `phrase`, optionally only one message.
fn group_chat_hits(db: &Archive, phrase: &str, only: Option<(&str, &str)>) -> i64 {
    let holds = "instr(lower(text), lower(?1)) > 0";
    match only {
        Some((chat, message)) => {
            let sql = format!(
                "SELECT count(*) FROM group_chat_messages \
                 WHERE chat_id = ?2 AND message_id = ?3 AND {holds}"
            );
            db.int(&sql, [phrase, chat, message])
        }
        None => {
            let sql = format!("SELECT count(*) FROM group_chat_messages WHERE {holds}");
            db.int(&sql, [phrase])
        }
    }
}

fn check_title_phrases(c: &mut Checker, facts: &Value, db: &Archive) {
    for entry in json::array(facts, "title_phrases") {
        let phrase = json::str(entry, "phrase");
        let sql = "SELECT id FROM conversations WHERE instr(title, ?1) > 0 ORDER BY id";
        let expected = sorted(json::strings(entry, "conversation_ids"));
        c.eq(format!("titles holding {phrase:?}"), expected, db.strings(sql, [&phrase]));
    }
}

/// A reference as (conversation, node, source, pointer, file id).
type Reference = (String, String, String, String, String);

fn check_references(c: &mut Checker, facts: &Value, db: &Archive) {
    let attachments = json::field(facts, "attachments");
    let expected: BTreeSet<Reference> = json::array(attachments, "references")
        .iter()
        .map(|r| {
            let s = |key| json::str(r, key);
            (s("conversation_id"), s("node_id"), s("source"), s("pointer"), s("file_id"))
        })
        .collect();
    let sql = "SELECT conversation_id, node_id, json_path, pointer, file_id FROM asset_references";
    let actual: BTreeSet<Reference> = db
        .rows(sql, [], |r| {
            let path: String = r.get(2)?;
            Ok((r.get(0)?, r.get(1)?, source_of(&path), r.get(3)?, r.get(4)?))
        })
        .into_iter()
        .collect();
    let missing: Vec<_> = expected.difference(&actual).collect();
    let extra: Vec<_> = actual.difference(&expected).collect();
    c.ensure(missing.is_empty(), || format!("references missing: {missing:?}"));
    c.ensure(extra.is_empty(), || format!("references not expected: {extra:?}"));
}

/// The `source` the facts give a reference, from its JSON path in the message.
fn source_of(json_path: &str) -> String {
    let sources = ["content", "metadata.attachments", "metadata.aggregate_result"];
    let found = sources.iter().find(|s| json_path.starts_with(&format!("$.{s}")));
    found.map_or_else(|| json_path.to_string(), |s| s.to_string())
}

fn check_library_files(c: &mut Checker, facts: &Value, db: &Archive) {
    let Some(library) = facts.get("library_files") else {
        let rows = db.int("SELECT count(*) FROM library_files", []);
        c.eq("rows (no library_files.json)", 0, rows);
        return;
    };
    c.eq("rows", json::int(library, "rows"), db.int("SELECT count(*) FROM library_files", []));
    let expected: BTreeMap<String, String> = json::array(library, "entries")
        .iter()
        .map(|e| (json::str(e, "file_id"), json::str(e, "file_name")))
        .collect();
    let sql = "SELECT file_id, file_name FROM library_files";
    c.eq("file_id -> file_name", expected, db.text_map(sql, []));
}

fn check_group_chats(c: &mut Checker, facts: &Value, db: &Archive) {
    let Some(chats) = facts.get("group_chats") else {
        return;
    };
    c.eq("chats", json::int(chats, "chats"), db.int("SELECT count(*) FROM group_chats", []));
    let messages = db.int("SELECT count(*) FROM group_chat_messages", []);
    c.eq("messages", json::int(chats, "messages"), messages);
}

fn check_members(c: &mut Checker, facts: &Value, db: &Archive) {
    let expected: BTreeSet<(String, i64)> = json::array(facts, "members")
        .iter()
        .map(|m| (json::str(m, "path"), json::int(m, "size")))
        .collect();
    let sql = "SELECT path, size FROM export_files";
    let actual: BTreeSet<(String, i64)> =
        db.rows(sql, [], |r| Ok((r.get(0)?, r.get(1)?))).into_iter().collect();
    let missing: Vec<_> = expected.difference(&actual).collect();
    let extra: Vec<_> = actual.difference(&expected).collect();
    c.ensure(missing.is_empty(), || format!("export_files lacks (path, size) {missing:?}"));
    c.ensure(extra.is_empty(), || format!("export_files has unexpected {extra:?}"));
}

/// Rebuilds each conversation from `conversations.raw` and its message rows and compares
/// it with the conversation as the fixture's files hold it.
pub fn check_rebuild(c: &mut Checker, sources: &[Value], db: &Archive) {
    let rebuilt = rebuild_all(db);
    let mut seen = BTreeSet::new();
    for source in sources {
        let id = source_id(source);
        seen.insert(id.clone());
        match rebuilt.get(&id) {
            None => c.fail(format!("{id} cannot be rebuilt: not in the archive")),
            Some(value) => {
                let difference = json::first_difference(source, value, "");
                c.ensure(difference.is_none(), || {
                    format!("{id} rebuilt differs (fixture vs archive) at {difference:?}")
                });
            }
        }
    }
    let extra: Vec<&String> = rebuilt.keys().filter(|id| !seen.contains(*id)).collect();
    c.ensure(extra.is_empty(), || {
        format!("archive holds conversations not in the files: {extra:?}")
    });
}

fn source_id(conversation: &Value) -> String {
    let id = conversation.get("id").or_else(|| conversation.get("conversation_id"));
    id.and_then(Value::as_str).expect("a conversation id").to_string()
}

/// Every conversation's JSON, rebuilt from the archive.
pub fn rebuild_all(db: &Archive) -> BTreeMap<String, Value> {
    let sql = "SELECT id, raw FROM conversations";
    let mut all: BTreeMap<String, Value> = db
        .rows(sql, [], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
        .into_iter()
        .map(|(id, raw)| (id, parse(&raw)))
        .collect();
    let sql = "SELECT conversation_id, node_id, node_raw, raw FROM messages";
    let rows = db.rows(sql, [], |r| {
        let row: (String, String, String, Option<String>) =
            (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?);
        Ok(row)
    });
    for (conversation, node_id, node_raw, raw) in rows {
        let mut node = parse(&node_raw);
        if let Some(message) = raw {
            node["message"] = parse(&message);
        }
        let target = all.entry(conversation).or_insert_with(|| Value::Object(Default::default()));
        if !target.get("mapping").is_some_and(Value::is_object) {
            target["mapping"] = Value::Object(Default::default());
        }
        target["mapping"][node_id] = node;
    }
    all
}

fn parse(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| {
        Value::String(format!("(unparsable stored JSON: {e}: {})", super::check::clip(text, 80)))
    })
}

fn sorted(mut list: Vec<String>) -> Vec<String> {
    list.sort();
    list
}

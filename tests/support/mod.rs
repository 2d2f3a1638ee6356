//! Builds small ChatGPT-shaped exports for the tests: conversations written here, zipped at
//! test time, and the helpers that run the binary and read the archive.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Output;

use rusqlite::Connection;
use serde_json::{Value, json};

/// A node with a message.
pub fn message(id: &str, parent: Option<&str>, role: &str, text: &str, time: f64) -> Value {
    json!({
        "id": id,
        "parent": parent,
        "children": [],
        "message": {
            "id": id,
            "author": {"role": role, "name": null, "metadata": {}},
            "create_time": time,
            "update_time": null,
            "content": {"content_type": "text", "parts": [text]},
            "status": "finished_successfully",
            "end_turn": if role == "assistant" { json!(true) } else { json!(null) },
            "weight": 1.0,
            "metadata": if role == "assistant" {
                json!({"model_slug": "gpt-4o"})
            } else {
                json!({})
            },
            "recipient": "all",
            "channel": null
        }
    })
}

/// A root node without a message.
pub fn root(id: &str) -> Value {
    json!({"id": id, "message": null, "parent": null, "children": []})
}

/// A conversation from its nodes; `children` arrays are filled in from `parent`.
pub fn conversation(id: &str, title: &str, time: f64, current: &str, nodes: Vec<Value>) -> Value {
    let mut mapping = serde_json::Map::new();
    for node in &nodes {
        mapping.insert(node["id"].as_str().unwrap().to_string(), node.clone());
    }
    for node in &nodes {
        if let Some(parent) = node["parent"].as_str() {
            let child = node["id"].clone();
            mapping[parent]["children"].as_array_mut().unwrap().push(child);
        }
    }
    let update =
        nodes.iter().filter_map(|n| n["message"]["create_time"].as_f64()).fold(time, f64::max);
    json!({
        "title": title,
        "create_time": time,
        "update_time": update,
        "mapping": mapping,
        "moderation_results": [],
        "current_node": current,
        "plugin_ids": null,
        "conversation_id": id,
        "conversation_template_id": null,
        "gizmo_id": null,
        "is_archived": false,
        "default_model_slug": "gpt-4o",
        "id": id
    })
}

/// Writes a ZIP with `conversations.json` and any extra members.
pub fn zip_export(
    dir: &Path,
    name: &str,
    conversations: &[Value],
    extra: &[(&str, &[u8])],
) -> PathBuf {
    let json = serde_json::to_vec(&Value::Array(conversations.to_vec())).unwrap();
    let mut members: Vec<(&str, &[u8])> = vec![("conversations.json", &json)];
    members.extend_from_slice(extra);
    zip_members(dir, name, &members)
}

/// Writes a ZIP holding exactly these members.
pub fn zip_members(dir: &Path, name: &str, members: &[(&str, &[u8])]) -> PathBuf {
    let path = dir.join(name);
    let mut writer = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    let options = zip::write::SimpleFileOptions::default();
    for (member, bytes) in members {
        writer.start_file(*member, options).unwrap();
        writer.write_all(bytes).unwrap();
    }
    writer.finish().unwrap();
    path
}

/// The garden conversation: a question, a regenerated answer and an edited follow-up.
pub fn garden(id: &str) -> Value {
    conversation(
        id,
        "Tomatoes on a windy balcony",
        1_700_000_000.25,
        "a2b",
        vec![
            root("r"),
            message(
                "q1",
                Some("r"),
                "user",
                "How often should I water balcony tomatoes?",
                1_700_000_001.0,
            ),
            message(
                "a1",
                Some("q1"),
                "assistant",
                "Every morning in July, deeply.",
                1_700_000_002.0,
            ),
            message(
                "a1b",
                Some("q1"),
                "assistant",
                "Daily in hot weather; check the soil.",
                1_700_000_003.0,
            ),
            message("q2", Some("a1b"), "user", "And on windy days?", 1_700_000_004.0),
            message("q2b", Some("a1b"), "user", "What about gusty afternoons?", 1_700_000_005.0),
            message(
                "a2b",
                Some("q2b"),
                "assistant",
                "Stake them and water twice.",
                1_700_000_006.0,
            ),
        ],
    )
}

/// A short two-message conversation.
pub fn short(id: &str, title: &str, question: &str, answer: &str, time: f64) -> Value {
    conversation(
        id,
        title,
        time,
        &format!("{id}-a"),
        vec![
            root(&format!("{id}-r")),
            message(&format!("{id}-q"), Some(&format!("{id}-r")), "user", question, time + 1.0),
            message(&format!("{id}-a"), Some(&format!("{id}-q")), "assistant", answer, time + 2.0),
        ],
    )
}

/// Runs the binary against `db` with `args`.
pub fn run(db: &Path, args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_chatarchive"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("CHATARCHIVE_DB")
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

/// Runs an import and asserts its exit code.
pub fn import(db: &Path, paths: &[&Path], code: i32) -> Output {
    let mut args = vec!["import", "--quiet"];
    let strings: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    args.extend(strings.iter().map(String::as_str));
    let output = run(db, &args);
    assert_eq!(
        output.status.code(),
        Some(code),
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// Every row of the content tables, as text, sorted: the archive's contents apart from the
/// import log and surrogate ids.
pub fn contents(db: &Path) -> Vec<String> {
    let conn = Connection::open(db).unwrap();
    let tables = [
        ("conversations", "*"),
        (
            "messages",
            "conversation_id, node_id, parent_node_id, position, depth, role, \
            author_name, recipient, channel, content_type, status, model, created_at, \
            updated_at, weight, end_turn, hidden, is_custom_instructions, on_current_thread, \
            text, has_message, raw, node_raw, first_seen_at, last_seen_at, in_latest_export",
        ),
        ("asset_references", "conversation_id, node_id, json_path, pointer, file_id"),
        ("conversation_versions", "conversation_id, sha256, size, raw, raw_bytes, node_ids"),
        ("blobs", "*"),
        ("message_feedback", "*"),
        ("shared_links", "*"),
        ("library_files", "*"),
        ("group_chats", "*"),
    ];
    let mut rows = Vec::new();
    for (table, columns) in tables {
        let sql = format!("SELECT {columns} FROM {table}");
        let mut stmt = conn.prepare(&sql).unwrap();
        let count = stmt.column_count();
        let mut table_rows: Vec<String> = stmt
            .query_map([], |row| {
                let cells: Vec<String> =
                    (0..count).map(|i| format!("{:?}", row.get_ref(i).unwrap())).collect();
                Ok(format!("{table}: {}", cells.join(" | ")))
            })
            .unwrap()
            .map(Result::unwrap)
            .collect();
        table_rows.sort();
        rows.extend(table_rows);
    }
    rows
}

/// Every row of every table, the log included: what an error must leave untouched.
pub fn everything(db: &Path) -> Vec<String> {
    let mut rows = contents(db);
    let conn = Connection::open(db).unwrap();
    for table in ["imports", "exports", "conversation_observations", "export_files"] {
        let mut stmt = conn.prepare(&format!("SELECT * FROM {table}")).unwrap();
        let count = stmt.column_count();
        let mut table_rows: Vec<String> = stmt
            .query_map([], |row| {
                Ok((0..count)
                    .map(|i| format!("{:?}", row.get_ref(i).unwrap()))
                    .collect::<Vec<_>>()
                    .join("|"))
            })
            .unwrap()
            .map(|r| format!("{table}: {}", r.unwrap()))
            .collect();
        table_rows.sort();
        rows.extend(table_rows);
    }
    rows
}

/// Runs one SQL query returning a single value.
pub fn query<T: rusqlite::types::FromSql>(db: &Path, sql: &str) -> T {
    Connection::open(db).unwrap().query_row(sql, [], |row| row.get(0)).unwrap()
}

/// Runs a query returning rows of text.
pub fn rows(db: &Path, sql: &str) -> Vec<Vec<String>> {
    let conn = Connection::open(db).unwrap();
    let mut stmt = conn.prepare(sql).unwrap();
    let count = stmt.column_count();
    stmt.query_map([], |row| {
        Ok((0..count)
            .map(|i| match row.get_ref(i).unwrap() {
                rusqlite::types::ValueRef::Null => "NULL".to_string(),
                rusqlite::types::ValueRef::Integer(n) => n.to_string(),
                rusqlite::types::ValueRef::Real(f) => f.to_string(),
                rusqlite::types::ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
                rusqlite::types::ValueRef::Blob(b) => format!("<{} bytes>", b.len()),
            })
            .collect())
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

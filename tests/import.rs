//! Importing exports: what lands in the archive, merging successive exports, and failures
//! that must leave the archive untouched. All exports are built by `support`.

mod support;

use serde_json::{Value, json};
use support::*;

#[test]
fn an_export_lands_as_conversations_and_one_row_per_node() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let zip = zip_export(
        dir.path(),
        "e.zip",
        &[garden("c1"), short("c2", "Bread", "Why knead?", "Gluten.", 1.7e9)],
        &[],
    );
    import(&db, &[&zip], 0);

    assert_eq!(
        rows(
            &db,
            "SELECT id, title, created_at, current_node_id, model, node_count, message_count
                   FROM conversations ORDER BY id"
        ),
        [
            [
                "c1",
                "Tomatoes on a windy balcony",
                "2023-11-14T22:13:20.250000Z",
                "a2b",
                "gpt-4o",
                "7",
                "6"
            ],
            ["c2", "Bread", "2023-11-14T22:13:20.000000Z", "c2-a", "gpt-4o", "3", "2"],
        ]
    );
    assert_eq!(
        rows(
            &db,
            "SELECT node_id, parent_node_id, position, depth, role, on_current_thread, text
                   FROM messages WHERE conversation_id = 'c1' ORDER BY depth, position"
        ),
        [
            ["r", "NULL", "0", "0", "NULL", "1", ""],
            ["q1", "r", "0", "1", "user", "1", "How often should I water balcony tomatoes?"],
            ["a1", "q1", "0", "2", "assistant", "0", "Every morning in July, deeply."],
            ["a1b", "q1", "1", "2", "assistant", "1", "Daily in hot weather; check the soil."],
            ["q2", "a1b", "0", "3", "user", "0", "And on windy days?"],
            ["q2b", "a1b", "1", "3", "user", "1", "What about gusty afternoons?"],
            ["a2b", "q2b", "0", "4", "assistant", "1", "Stake them and water twice."],
        ]
    );
    assert_eq!(
        rows(&db, "SELECT node_id, text FROM current_thread WHERE conversation_id = 'c1'"),
        [
            ["q1", "How often should I water balcony tomatoes?"],
            ["a1b", "Daily in hot weather; check the soil."],
            ["q2b", "What about gusty afternoons?"],
            ["a2b", "Stake them and water twice."],
        ]
    );
    let hits = rows(
        &db,
        "SELECT m.node_id FROM messages_fts JOIN messages m ON m.id = messages_fts.rowid
                          WHERE messages_fts MATCH 'gusty'",
    );
    assert_eq!(hits, [["q2b"]]);
}

#[test]
fn each_conversation_rebuilds_to_the_json_it_came_from() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let mut odd = short("c3", "Odd", "q", "a", 1.6e9);
    odd["mapping"]["null-node"] = Value::Null;
    odd["unknown_field"] = json!({"nested": [1, 2.5, "x"]});
    odd["mapping"]["c3-a"]["message"]["metadata"]["weird"] = json!(1e-7);
    let shell = json!({"id": "c4", "title": null, "create_time": null});
    let input = vec![garden("c1"), odd, shell];
    let zip = zip_export(dir.path(), "e.zip", &input, &[]);
    import(&db, &[&zip], 0);

    for conversation in input {
        let id = conversation["id"].as_str().unwrap();
        assert_eq!(rebuild(&db, id), conversation, "conversation {id}");
    }
}

/// The conversation's JSON put back together from `conversations.raw` and its nodes.
fn rebuild(db: &std::path::Path, id: &str) -> Value {
    let raw: String = query(db, &format!("SELECT raw FROM conversations WHERE id = '{id}'"));
    let mut conversation: Value = serde_json::from_str(&raw).unwrap();
    let nodes = rows(
        db,
        &format!(
            "SELECT node_id, node_raw, coalesce(raw, '') FROM messages
                                   WHERE conversation_id = '{id}'"
        ),
    );
    for node in nodes {
        let mut value: Value = serde_json::from_str(&node[1]).unwrap();
        if !node[2].is_empty() {
            value["message"] = serde_json::from_str(&node[2]).unwrap();
        }
        conversation["mapping"][&node[0]] = value;
    }
    conversation
}

#[test]
fn importing_the_same_export_again_changes_nothing_but_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let zip =
        zip_export(dir.path(), "e.zip", &[garden("c1"), short("c2", "B", "q", "a", 1.7e9)], &[]);
    import(&db, &[&zip], 0);
    let before = contents(&db);

    let output = run(&db, &["import", zip.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(
        stderr.lines().next().unwrap(),
        "e.zip: 0 new, 0 updated, 2 unchanged conversations; 0 new, 0 updated nodes \
         (imported before)"
    );
    assert!(output.stdout.is_empty());
    assert_eq!(contents(&db), before);
    assert_eq!(query::<i64>(&db, "SELECT count(*) FROM imports"), 2);
}

/// Two exports of one account: the later one renames, appends, drops a conversation and is
/// "slim" (no children, status, metadata), and loses a tool node.
fn two_exports(dir: &std::path::Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let mut old_garden = garden("c1");
    old_garden["mapping"]["a1b"]["message"]["metadata"]["model_slug"] = json!("gpt-4");
    let old = zip_export(
        dir,
        "acct-2024-01-10-08-00-00.zip",
        &[old_garden, short("gone", "Deleted later", "Old question?", "Old answer.", 1.69e9)],
        &[],
    );
    let mut new_garden = garden("c1");
    new_garden["title"] = json!("Balcony tomatoes in wind");
    let mapping = new_garden["mapping"].as_object_mut().unwrap();
    for node in mapping.values_mut() {
        node.as_object_mut().unwrap().remove("children");
        if let Some(message) = node["message"].as_object_mut() {
            message.remove("metadata");
            message.remove("status");
        }
    }
    mapping.remove("a1");
    mapping.insert(
        "a3".into(),
        message("a3", Some("a2b"), "assistant", "Mulch helps too.", 1.70000001e9),
    );
    new_garden["current_node"] = json!("a3");
    let new = zip_export(
        dir,
        "acct-2024-06-01-08-00-00.zip",
        &[new_garden, short("fresh", "New one", "Fresh question?", "Fresh answer.", 1.71e9)],
        &[],
    );
    (old, new)
}

#[test]
fn a_newer_slim_export_adds_and_renames_without_losing_anything() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let (old, new) = two_exports(dir.path());
    import(&db, &[&old], 0);
    let output = run(&db, &["import", new.to_str().unwrap()]);
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(
        stderr.lines().next().unwrap(),
        "acct-2024-06-01-08-00-00.zip: 1 new, 1 updated, 0 unchanged conversations; \
         1 no longer in this export (kept); 4 new, 0 updated nodes"
    );

    assert_eq!(
        rows(
            &db,
            "SELECT id, title, in_latest_export, last_seen_at FROM conversations ORDER BY id"
        ),
        [
            ["c1", "Balcony tomatoes in wind", "1", "2024-06-01T08:00:00.000000Z"],
            ["fresh", "New one", "1", "2024-06-01T08:00:00.000000Z"],
            ["gone", "Deleted later", "0", "2024-01-10T08:00:00.000000Z"],
        ]
    );
    assert_eq!(
        rows(
            &db,
            "SELECT node_id, in_latest_export, status, model,
                          json_extract(node_raw, '$.children[0]')
                   FROM messages WHERE conversation_id = 'c1' AND node_id IN ('a1', 'a1b')
                   ORDER BY node_id"
        ),
        [
            ["a1", "0", "finished_successfully", "gpt-4o", "NULL"],
            ["a1b", "1", "finished_successfully", "gpt-4", "q2"],
        ]
    );
    assert_eq!(
        query::<i64>(
            &db,
            "SELECT count(*) FROM conversation_versions WHERE conversation_id = 'c1'"
        ),
        2
    );
    assert_eq!(rows(&db, "SELECT id FROM missing_conversations"), [["gone"]]);
}

#[test]
fn import_order_never_changes_the_result() {
    let dir = tempfile::tempdir().unwrap();
    let (old, new) = two_exports(dir.path());
    let forward = dir.path().join("forward.db");
    import(&forward, &[&old], 0);
    import(&forward, &[&new], 0);
    let backward = dir.path().join("backward.db");
    import(&backward, &[&new], 0);
    import(&backward, &[&old], 0);
    let together = dir.path().join("together.db");
    import(&together, &[&new, &old], 0);

    assert_eq!(contents(&backward), contents(&forward));
    assert_eq!(contents(&together), contents(&forward));
    assert_eq!(
        query::<String>(&backward, "SELECT title FROM conversations WHERE id = 'c1'"),
        "Balcony tomatoes in wind"
    );
}

#[test]
fn an_older_export_imported_later_never_overwrites_newer_data() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let (old, new) = two_exports(dir.path());
    import(&db, &[&new], 0);
    let output = run(&db, &["import", old.to_str().unwrap()]);
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(
        stderr.lines().next().unwrap(),
        "acct-2024-01-10-08-00-00.zip: 1 new, 1 updated, 0 unchanged conversations; \
         1 no longer in this export (kept); 4 new, 6 updated nodes"
    );
    assert_eq!(
        rows(&db, "SELECT current_node_id, title FROM conversations WHERE id = 'c1'"),
        [["a3", "Balcony tomatoes in wind"]]
    );
}

#[test]
fn invalid_json_fails_naming_the_member_and_position_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let good = zip_export(dir.path(), "good.zip", &[garden("c1")], &[]);
    import(&db, &[&good], 0);
    let before = everything(&db);

    let valid = serde_json::to_string(&short("ok", "Fine", "q", "a", 1.7e9)).unwrap();
    let broken = format!("[{valid},{{\"id\":\"x\" \"title\":\"t\"}}]");
    let bad = zip_members(dir.path(), "bad.zip", &[("conversations.json", broken.as_bytes())]);
    let output = import(&db, &[&bad], 1);
    let offset = valid.len() + 12;
    assert_eq!(
        String::from_utf8(output.stderr).unwrap(),
        format!(
            "Error: {}!conversations.json:1:{} (byte {offset}): invalid JSON: \
             expected `,` or `}}`\n",
            bad.display(),
            offset + 1
        )
    );
    assert_eq!(everything(&db), before);
}

#[test]
fn an_unusable_conversation_is_named_skipped_and_the_rest_imported() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let bad = json!({"id": "broken-one", "mapping": ["not", "an", "object"]});
    let zip = zip_export(dir.path(), "e.zip", &[garden("c1"), bad], &[]);
    let output = import(&db, &[&zip], 3);
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.starts_with(&format!(
            "skipped: conversation broken-one at {}!conversations.json:1:",
            zip.display()
        )),
        "{stderr}"
    );
    assert!(stderr.ends_with(": $[1].mapping: expected an object of nodes\n"), "{stderr}");
    assert_eq!(query::<i64>(&db, "SELECT count(*) FROM conversations"), 1);
    assert_eq!(query::<i64>(&db, "SELECT skipped FROM imports"), 1);
}

#[test]
fn a_claude_export_is_recognised_and_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let claude = json!([{"uuid": "u1", "name": "Chat", "chat_messages": []}]).to_string();
    let zip = zip_members(dir.path(), "claude.zip", &[("conversations.json", claude.as_bytes())]);
    let output = import(&db, &[&zip], 1);
    assert_eq!(
        String::from_utf8(output.stderr).unwrap(),
        format!(
            "Error: {}!conversations.json:1:2 (byte 1): this is an Anthropic Claude export, \
             not a ChatGPT export ($[0] has 'chat_messages' and 'uuid' but no 'mapping')\n",
            zip.display()
        )
    );
}

#[test]
fn unsafe_member_names_and_non_zips_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let json = serde_json::to_vec(&json!([garden("c1")])).unwrap();
    let evil =
        zip_members(dir.path(), "evil.zip", &[("conversations.json", &json), ("../x.txt", b"x")]);
    let output = import(&db, &[&evil], 1);
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("evil.zip!../x.txt: unsafe member name \"../x.txt\""), "{stderr}");

    let fresh = dir.path().join("fresh.db");
    import(&fresh, &[&evil], 1);
    assert!(!fresh.exists(), "a failed first import must not leave an archive behind");

    let fake = dir.path().join("fake.zip");
    std::fs::write(&fake, "hello").unwrap();
    let stderr = String::from_utf8(import(&db, &[&fake], 1).stderr).unwrap();
    assert!(stderr.ends_with(
        "fake.zip: not a readable ZIP archive (bad signature at byte 0: not a ZIP archive)\n"
    ));
    assert!(!dir.path().join("x.txt").exists());
}

#[test]
fn sharded_exports_follow_their_manifest_and_name_missing_files() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let first = serde_json::to_vec(&json!([garden("c1")])).unwrap();
    let second = serde_json::to_vec(&json!([short("c2", "Two", "q", "a", 1.7e9)])).unwrap();
    let manifest = json!({
        "version": 1,
        "export_files": [{"path": "conversations-000.json", "size_bytes": 1},
                         {"path": "conversations-001.json", "size_bytes": 1},
                         {"path": "file_0001.dat", "size_bytes": 3}],
        "logical_files": {"conversations.json":
            {"files": ["conversations-001.json", "conversations-000.json"]}}
    })
    .to_string();
    let zip = zip_members(
        dir.path(),
        "shards.zip",
        &[
            ("conversations-000.json", &first),
            ("conversations-001.json", &second),
            ("export_manifest.json", manifest.as_bytes()),
        ],
    );
    let output = run(&db, &["import", "--json", zip.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["exports"][0]["conversations"]["new"], 2);
    assert_eq!(
        report["exports"][0]["warnings"],
        json!([format!("{}!file_0001.dat: listed in the manifest but missing", zip.display())])
    );
    assert_eq!(
        rows(&db, "SELECT conversation_id, source_file FROM conversation_observations ORDER BY 1"),
        [["c1", "conversations-000.json"], ["c2", "conversations-001.json"]]
    );
}

#[test]
fn a_folder_a_zip_and_a_bare_json_of_one_export_are_the_same_export() {
    let dir = tempfile::tempdir().unwrap();
    let json = serde_json::to_vec(&json!([garden("c1")])).unwrap();
    let zip = zip_members(
        dir.path(),
        "e.zip",
        &[("export/conversations.json", &json), ("export/user.json", b"{}")],
    );
    let folder = dir.path().join("unpacked");
    std::fs::create_dir(&folder).unwrap();
    std::fs::write(folder.join("conversations.json"), &json).unwrap();
    let bare = folder.join("conversations.json");

    let db = dir.path().join("a.db");
    import(&db, &[&zip], 0);
    import(&db, &[&folder], 0);
    import(&db, &[&bare], 0);
    assert_eq!(query::<i64>(&db, "SELECT count(*) FROM exports"), 1);
    assert_eq!(
        rows(&db, "SELECT path, kind FROM export_files ORDER BY path"),
        [["conversations.json", "conversations"], ["user.json", "side_file"]]
    );
}

#[test]
fn dry_run_reports_and_leaves_the_archive_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let zip = zip_export(dir.path(), "e.zip", &[garden("c1")], &[]);
    let output = run(&db, &["import", "--dry-run", "--json", zip.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["dry_run"], true);
    assert_eq!(report["exports"][0]["conversations"]["new"], 1);
    assert!(!db.exists(), "a dry run must not create the archive");

    import(&db, &[&zip], 0);
    let before = everything(&db);
    let output = run(&db, &["import", "--dry-run", zip.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(everything(&db), before);
}

#[test]
fn lone_surrogates_and_cesu8_are_kept_raw_and_replaced_in_text() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let mut conversation = short("s1", "Phone", "PLACEHOLDER", "Replace it.", 1.7e9);
    conversation["title"] = json!("CESU");
    let text = serde_json::to_string(&json!([conversation])).unwrap();
    let text = text.replace("PLACEHOLDER", "I dropped my phone \\ud83d and");
    let mut bytes = text.replace("CESU", "x").into_bytes();
    let at = bytes.windows(3).position(|w| w == b"\"x\"").unwrap() + 1;
    bytes.splice(at..at + 1, [0xED, 0xA0, 0xBD, 0xED, 0xB8, 0x82]);
    let zip = zip_members(dir.path(), "e.zip", &[("conversations.json", &bytes)]);
    let output = import(&db, &[&zip], 0);
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 2, "{stderr}");
    assert!(stderr.contains("conversation s1: lone surrogate escape \\ud83d at byte"), "{stderr}");
    assert_eq!(
        rows(&db, "SELECT text, instr(raw, '\\ud83d') > 0 FROM messages WHERE node_id = 's1-q'"),
        [["I dropped my phone \u{FFFD} and", "1"]]
    );
    assert_eq!(query::<String>(&db, "SELECT title FROM conversations"), "\u{1F602}");
    let stored: Vec<u8> = query(&db, "SELECT raw_bytes FROM conversation_versions");
    assert_eq!(stored, bytes[1..bytes.len() - 1]);
}

#[test]
fn an_empty_export_removes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let zip = zip_export(dir.path(), "e.zip", &[garden("c1")], &[]);
    import(&db, &[&zip], 0);
    let before = contents(&db);
    let empty =
        zip_members(dir.path(), "acct-2030-01-01-00-00-00.zip", &[("conversations.json", b"[]")]);
    let output = run(&db, &["import", empty.to_str().unwrap()]);
    assert_eq!(
        String::from_utf8(output.stderr).unwrap().lines().next().unwrap(),
        "acct-2030-01-01-00-00-00.zip: 0 new, 0 updated, 0 unchanged conversations; 0 new, \
         0 updated nodes; the export holds no conversations, nothing was removed"
    );
    assert_eq!(contents(&db), before);
}

#[test]
fn an_archive_from_a_newer_version_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let zip = zip_export(dir.path(), "e.zip", &[garden("c1")], &[]);
    import(&db, &[&zip], 0);
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute(
            "INSERT INTO refinery_schema_history (version, name, applied_on, checksum)
             VALUES (99, 'future', '2030-01-01', '0')",
            [],
        )
        .unwrap();
    let output = import(&db, &[&zip], 1);
    let known =
        std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations")).unwrap().count();
    assert_eq!(
        String::from_utf8(output.stderr).unwrap(),
        format!(
            "Error: the archive {} has schema version 99, newer than this chatarchive knows \
             ({known}); upgrade chatarchive to open it\n",
            db.display()
        )
    );
}

#[test]
fn the_archive_path_comes_from_the_environment_and_uses_wal() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("nested").join("env.db");
    let zip = zip_export(dir.path(), "e.zip", &[garden("c1")], &[]);
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_chatarchive"))
        .args(["import", "--quiet", zip.to_str().unwrap()])
        .env("CHATARCHIVE_DB", &db)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert!(output.stderr.is_empty() && output.stdout.is_empty());
    assert_eq!(query::<String>(&db, "PRAGMA journal_mode"), "wal");
}

#[test]
fn the_parts_of_a_multi_part_export_are_imported_as_one_export() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let first = serde_json::to_vec(&json!([garden("c1")])).unwrap();
    let second = serde_json::to_vec(&json!([short("c2", "Two", "q", "a", 1.7e9)])).unwrap();
    let manifest = json!({
        "version": 1,
        "export_files": [{"path": "conversations-000.json", "size_bytes": first.len()},
                         {"path": "conversations-001.json", "size_bytes": second.len()}],
        "logical_files": {"conversations.json":
            {"files": ["conversations-000.json", "conversations-001.json"]}}
    })
    .to_string();
    let part1 = zip_members(
        dir.path(),
        "export-part-0001.zip",
        &[("conversations-000.json", &first), ("export_manifest.json", manifest.as_bytes())],
    );
    let part2 =
        zip_members(dir.path(), "export-part-0002.zip", &[("conversations-001.json", &second)]);
    let output = run(&db, &["import", "--json", part1.to_str().unwrap(), part2.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["exports"].as_array().unwrap().len(), 1);
    assert_eq!(report["exports"][0]["conversations"]["new"], 2);
    assert_eq!(report["exports"][0]["warnings"], json!([]));
    assert_eq!(
        rows(&db, "SELECT conversation_id, source_file FROM conversation_observations ORDER BY 1"),
        [["c1", "conversations-000.json"], ["c2", "conversations-001.json"]]
    );
}

#[test]
fn an_export_whose_only_copy_is_chat_html_is_read_from_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let array = serde_json::to_string(&json!([garden("c1")])).unwrap();
    let html = format!(
        "<html><head><script>\nvar jsonData = {array};\nvar assetsJson = {{}};\n</script></head></html>"
    );
    let zip = zip_members(dir.path(), "html-only.zip", &[("chat.html", html.as_bytes())]);
    import(&db, &[&zip], 0);
    assert_eq!(query::<i64>(&db, "SELECT count(*) FROM messages WHERE conversation_id = 'c1'"), 7);
    assert_eq!(rows(&db, "SELECT path, kind FROM export_files"), [["chat.html", "chat_html"]]);
    assert_eq!(rebuild(&db, "c1"), garden("c1"));
}

/// Regression: two downloads with identical conversations on different days were one export
/// (the first imported kept its date), so `first_seen_at` depended on the import order.
#[test]
fn identical_downloads_on_different_days_are_two_snapshots() {
    let dir = tempfile::tempdir().unwrap();
    let conversations = [garden("c1")];
    let january = zip_export(dir.path(), "acct-2025-01-01-12-00-00.zip", &conversations, &[]);
    let february = zip_export(dir.path(), "acct-2025-02-01-12-00-00.zip", &conversations, &[]);
    let forward = dir.path().join("forward.db");
    import(&forward, &[&january], 0);
    import(&forward, &[&february], 0);
    let backward = dir.path().join("backward.db");
    import(&backward, &[&february], 0);
    import(&backward, &[&january], 0);

    assert_eq!(contents(&backward), contents(&forward));
    assert_eq!(
        rows(&forward, "SELECT first_seen_at, last_seen_at FROM conversations"),
        [["2025-01-01T12:00:00.000000Z", "2025-02-01T12:00:00.000000Z"]]
    );
    assert_eq!(query::<i64>(&forward, "SELECT count(*) FROM exports"), 2);
}

/// Regression: a file of a million unusable entries kept every one in memory and in the log.
#[test]
fn skipped_conversations_beyond_a_thousand_are_counted_not_listed() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let entries = vec!["1"; 1500].join(",");
    let json = format!("[{},{entries}]", serde_json::to_string(&garden("c1")).unwrap());
    let zip = zip_members(dir.path(), "many.zip", &[("conversations.json", json.as_bytes())]);
    let output = import(&db, &[&zip], 3);
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(stderr.lines().filter(|l| l.starts_with("skipped: conversation")).count(), 1000);
    assert!(stderr.contains("skipped: … and 500 more conversations\n"), "{stderr}");
    assert_eq!(query::<i64>(&db, "SELECT skipped FROM imports"), 1500);
    assert_eq!(query::<i64>(&db, "SELECT json_array_length(skipped_details) FROM imports"), 1000);
    assert_eq!(query::<i64>(&db, "SELECT count(*) FROM conversations"), 1);
}

/// Regression: a ZIP re-made on macOS (`__MACOSX/` resource forks beside the wrapping
/// folder) was not recognised as an export.
#[test]
fn macos_resource_forks_do_not_hide_the_wrapping_folder() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let json = serde_json::to_vec(&json!([garden("c1")])).unwrap();
    let zip = zip_members(
        dir.path(),
        "mac.zip",
        &[("export/conversations.json", &json), ("__MACOSX/export/._conversations.json", b"x")],
    );
    import(&db, &[&zip], 0);
    assert_eq!(rows(&db, "SELECT path FROM export_files"), [["conversations.json"]]);
}

/// Regression: a member name with a multi-byte character next to a wrapping folder's name
/// crashed the import.
#[test]
fn member_names_with_multibyte_characters_are_fine() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let json = serde_json::to_vec(&json!([garden("c1")])).unwrap();
    let zip = zip_members(
        dir.path(),
        "mb.zip",
        &[("ab/x.png", b"x"), ("a\u{20ac}b.png", b"x"), ("ab/conversations.json", &json)],
    );
    let output = import(&db, &[&zip], 1);
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.starts_with("Error: "), "{stderr}");
    assert!(stderr.contains("no conversations found"), "{stderr}");
}

/// Regression: a conversation dated in the year 3000 made its export the latest for ever,
/// and every later export's conversations looked deleted.
#[test]
fn a_timestamp_in_the_future_does_not_date_the_export() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let mut future = short("f", "Future", "q", "a", 1.7e9);
    future["update_time"] = json!(32_503_680_000.0);
    let bare = dir.path().join("conversations.json");
    std::fs::write(&bare, serde_json::to_vec(&json!([future])).unwrap()).unwrap();
    import(&db, &[&bare], 0);
    assert_eq!(
        query::<String>(&db, "SELECT exported_at FROM exports"),
        "2023-11-14T22:13:20.000000Z"
    );
}

/// Regression: a shard the manifest forgot, or a `conversations.json` next to shards, was
/// silently not read.
#[test]
fn conversation_files_the_manifest_forgets_are_read_too() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let first = serde_json::to_vec(&json!([garden("c1")])).unwrap();
    let second = serde_json::to_vec(&json!([short("c2", "Two", "q", "a", 1.7e9)])).unwrap();
    let third = serde_json::to_vec(&json!([short("c3", "Three", "q", "a", 1.7e9)])).unwrap();
    let manifest = json!({"logical_files": {"conversations.json":
        {"files": ["conversations-000.json"]}}})
    .to_string();
    let zip = zip_members(
        dir.path(),
        "forgetful.zip",
        &[
            ("conversations-000.json", &first),
            ("conversations-001.json", &second),
            ("conversations.json", &third),
            ("export_manifest.json", manifest.as_bytes()),
        ],
    );
    import(&db, &[&zip], 0);
    assert_eq!(
        rows(&db, "SELECT conversation_id, source_file FROM conversation_observations ORDER BY 1"),
        [
            ["c1", "conversations-000.json"],
            ["c2", "conversations-001.json"],
            ["c3", "conversations.json"]
        ]
    );
}

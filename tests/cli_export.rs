//! `export`: every format on exports built by `support`, with and without filters. Markdown
//! and HTML are compared whole with insta snapshots (tests/snapshots/cli_export__*.snap);
//! JSON, JSON Lines, CSV and SQLite are parsed and checked. The JSON export of a whole archive,
//! imported into an empty one, gives the same conversations and messages.

mod support;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use support::*;

/// 2024-03-01T08:00:00Z.
const MARCH_2024: f64 = 1_709_280_000.0;

/// Runs the binary with `DIR` in the arguments standing for `dir`; returns the exit code,
/// stdout and stderr, with `dir` written as `DIR`.
fn chatarchive(db: &Path, dir: &Path, args: &[&str]) -> (i32, String, String) {
    let args: Vec<String> =
        args.iter().map(|a| a.replace("DIR", &dir.display().to_string())).collect();
    let output = run(db, &args.iter().map(String::as_str).collect::<Vec<_>>());
    let text = |bytes: Vec<u8>| {
        String::from_utf8(bytes).unwrap().replace(&dir.display().to_string(), "DIR")
    };
    (output.status.code().unwrap(), text(output.stdout), text(output.stderr))
}

/// Runs an export that must succeed with nothing on stdout; returns its summary line.
fn export(db: &Path, dir: &Path, args: &[&str]) -> String {
    let mut all = vec!["export"];
    all.extend_from_slice(args);
    let (code, stdout, stderr) = chatarchive(db, dir, &all);
    assert_eq!((code, stdout.as_str()), (0, ""), "{args:?}: {stderr}");
    stderr
}

/// A conversation in a project that shows every kind of turn: a photo, a `<script>` in the
/// text, reasoning, a Python tool call and its output, an answer citing two web pages (one
/// twice), a voice exchange and text in Japanese.
fn rich(id: &str) -> Value {
    let t = MARCH_2024;
    let mut question = message("q", Some("r"), "user", "", t + 1.0);
    question["message"]["content"] = json!({"content_type": "multimodal_text", "parts": [
        {"content_type": "image_asset_pointer", "asset_pointer": "sediment://file_00000000a1",
         "size_bytes": 10, "width": 1, "height": 1},
        "Chart these sales: <b>March</b> <script>document.title='pwned'</script>"]});
    question["message"]["metadata"] = json!({"attachments": [
        {"id": "file_00000000a1", "name": "sales [2024].png", "mime_type": "image/png"}]});
    let mut thoughts = message("th", Some("q"), "assistant", "", t + 2.0);
    thoughts["message"]["content"] = json!({"content_type": "thoughts", "thoughts": [
        {"summary": "Reading the numbers", "content": "Three months; a bar chart fits.",
         "chunks": [], "finished": true}]});
    let mut recap = message("rc", Some("th"), "assistant", "", t + 3.0);
    recap["message"]["content"] =
        json!({"content_type": "reasoning_recap", "content": "Thought for 3s"});
    let mut call = message("call", Some("rc"), "assistant", "", t + 4.0);
    call["message"]["recipient"] = json!("python");
    call["message"]["content"] = json!({"content_type": "code", "language": "python",
        "text": "print(sum([3, 5, 8]))\n"});
    let mut output = message("out", Some("call"), "tool", "", t + 5.0);
    output["message"]["author"]["name"] = json!("python");
    output["message"]["content"] = json!({"content_type": "execution_output", "text": "16"});
    let cite = |n: u32| format!("\u{E200}cite\u{E202}turn0search{n}\u{E201}");
    let answer_text = format!(
        "March sold best {}. Totals:\n\n```python\ntotal = 16\n```\n\nSee also {}.",
        cite(0),
        cite(1)
    );
    let mut answer = message("a", Some("out"), "assistant", &answer_text, t + 6.0);
    answer["message"]["metadata"]["content_references"] = json!([
        {"matched_text": cite(0), "type": "grouped_webpages", "items": [
            {"title": "Sales <report>", "url": "https://stats.example/march?a=1&b=2"},
            {"title": "Bad link", "url": "javascript:alert(1)"}]},
        {"matched_text": cite(1), "type": "grouped_webpages", "items": [
            {"title": "Sales <report>", "url": "https://stats.example/march?a=1&b=2"}]}
    ]);
    let mut said = message("v1", Some("a"), "user", "", t + 7.0);
    said["message"]["content"] = json!({"content_type": "multimodal_text", "parts": [
        {"content_type": "audio_transcription", "text": "東京でも売れた？", "direction": "in"},
        {"content_type": "audio_asset_pointer", "asset_pointer": "sediment://file_00000000b2",
         "size_bytes": 10, "format": "wav"}]});
    said["message"]["metadata"] = json!({"voice_mode_message": true});
    let mut reply = message("v2", Some("v1"), "assistant", "", t + 8.0);
    reply["message"]["content"] = json!({"content_type": "multimodal_text", "parts": [
        {"content_type": "audio_transcription", "text": "Yes, Tokyo sold well.", "direction": "out"}]});
    let mut rich = conversation(
        id,
        "Sales chart 📈 for 東京",
        t,
        "v2",
        vec![root("r"), question, thoughts, recap, call, output, answer, said, reply],
    );
    rich["gizmo_id"] = json!("g-p-0123456789abcdef0123456789abcdef");
    rich["gizmo_type"] = json!("snorlax");
    rich
}

/// A red pixel: the photo of the rich conversation, which the second export holds.
const PHOTO: &[u8] =
    b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0\x90wS\xde\0\0\0\x0c\
    IDATx\x9cc\xf8\xcf\xc0\0\0\x03\x01\x01\0\xc9\xfe\x92\xef\0\0\0\0IEND\xaeB`\x82";

/// The test archive: two exports. The first holds the garden chat, "Bread" and a chat that
/// the second no longer holds; the second renames "Bread" and adds the rich conversation
/// with its photo (its voice clip is in no export).
fn archive(dir: &Path) -> PathBuf {
    let db = dir.join("a.db");
    let gone = short("gone", "Deleted later", "Old question?", "Old answer.", 1.69e9);
    let bread = short("b2", "Bread", "Why knead?", "Gluten.", 1.71e9);
    let old =
        zip_export(dir, "acct-2024-01-10-08-00-00.zip", &[garden("c1"), bread.clone(), gone], &[]);
    let mut renamed = bread;
    renamed["title"] = json!("Bread and butter");
    let conversations = [garden("c1"), renamed, rich("r3")];
    let photo = [("file_00000000a1.dat", PHOTO)];
    let new = zip_export(dir, "acct-2024-06-01-08-00-00.zip", &conversations, &photo);
    import(&db, &[&old, &new], 0);
    db
}

/// Every file under `folder` (attachments as their size), in name order, as one text for a
/// snapshot.
fn folder_text(folder: &Path) -> String {
    let mut files: BTreeMap<String, String> = BTreeMap::new();
    let mut folders = vec![folder.to_path_buf()];
    while let Some(at) = folders.pop() {
        for entry in fs::read_dir(&at).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
                continue;
            }
            let name = path.strip_prefix(folder).unwrap().to_string_lossy().replace('\\', "/");
            let bytes = fs::read(&path).unwrap();
            let text = String::from_utf8(bytes.clone())
                .unwrap_or_else(|_| format!("({} bytes)\n", bytes.len()));
            files.insert(name, text);
        }
    }
    let texts: Vec<String> =
        files.into_iter().map(|(name, text)| format!("==> {name} <==\n{text}")).collect();
    texts.join("\n")
}

/// The names of the files (not folders) at the top of `folder`, sorted.
fn names(folder: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(folder)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

const GARDEN_MD: &str = "2023-11-14-tomatoes-on-a-windy-balcony-c1.md";
const BREAD_MD: &str = "2024-03-09-bread-and-butter-b2.md";
const GONE_MD: &str = "2023-07-22-deleted-later-gone.md";
const RICH_MD: &str = "2024-03-01-sales-chart-for-dong-jing-r3.md";

#[test]
fn markdown_writes_one_note_per_conversation() {
    let dir = tempfile::tempdir().unwrap();
    let db = archive(dir.path());
    let out = dir.path().join("notes");
    let summary = export(&db, dir.path(), &["--format", "markdown", "--out", "DIR/notes"]);
    assert_eq!(names(&out), [GONE_MD, GARDEN_MD, RICH_MD, BREAD_MD]);
    assert_eq!(
        summary,
        "Exported 4 conversations (16 messages) as markdown to DIR/notes: 5 files written, \
         1 attachment copied, 1 attachment named by pointer (no stored file).\n"
    );
    // The photo is stored: copied beside the notes. The voice clip is in no export.
    assert_eq!(fs::read(out.join("attachments/file_00000000a1-sales-2024.png")).unwrap(), PHOTO);
    insta::assert_snapshot!("markdown", folder_text(&out));
}

#[test]
fn markdown_shows_every_branch_and_writes_obsidian_callouts() {
    let dir = tempfile::tempdir().unwrap();
    let db = archive(dir.path());
    let branches = dir.path().join("branches");
    export(
        &db,
        dir.path(),
        &[
            "--format",
            "markdown",
            "--out",
            "DIR/branches",
            "--conversation",
            "c1",
            "--all-branches",
        ],
    );
    insta::assert_snapshot!("markdown_all_branches", folder_text(&branches));
    let obsidian = dir.path().join("vault");
    export(
        &db,
        dir.path(),
        &[
            "--format",
            "markdown",
            "--out",
            "DIR/vault",
            "--obsidian",
            "--all-branches",
            "--conversation",
            "c1",
            "--conversation",
            "r3",
        ],
    );
    insta::assert_snapshot!("markdown_obsidian", folder_text(&obsidian));
}

#[test]
fn filters_select_whole_conversations() {
    let dir = tempfile::tempdir().unwrap();
    let db = archive(dir.path());
    let cases: [(&[&str], &[&str]); 9] = [
        (&["--title", "BREAD"], &[BREAD_MD]),
        (&["--since", "2024-01-01"], &[RICH_MD, BREAD_MD]),
        (&["--until", "2023-12-31"], &[GONE_MD, GARDEN_MD]),
        (&["--missing"], &[GONE_MD]),
        (&["--conversation", "c1", "--conversation", "r"], &[GARDEN_MD, RICH_MD]),
        (&["--query", "gusty"], &[GARDEN_MD]),
        // The other branch holds "July": searched only with --all-branches.
        (&["--query", "July"], &[]),
        (&["--query", "July", "--all-branches"], &[GARDEN_MD]),
        // Tool messages count only with --include-hidden, as in `search`.
        (&["--role", "tool", "--include-hidden"], &[RICH_MD]),
    ];
    for (i, (filters, expected)) in cases.iter().enumerate() {
        let out = format!("DIR/out{i}");
        let mut args = vec!["--format", "markdown", "--out", &out, "--quiet"];
        args.extend_from_slice(filters);
        export(&db, dir.path(), &args);
        let folder = dir.path().join(format!("out{i}"));
        assert_eq!(names(&folder), *expected, "{filters:?}");
    }
}

#[test]
fn an_existing_output_is_refused_unless_overwriting_or_updating() {
    let dir = tempfile::tempdir().unwrap();
    let db = archive(dir.path());
    let out = dir.path().join("notes");
    let args = ["export", "--format", "markdown", "--out", "DIR/notes"];
    let with = |extra: &'static str| [&args[..], &[extra]].concat();
    export(&db, dir.path(), &args[1..]);
    fs::write(out.join("mine.txt"), "my own file").unwrap();
    assert_eq!(
        chatarchive(&db, dir.path(), &args),
        (
            1,
            String::new(),
            "Error: DIR/notes already exists and is not empty\n\
             Hint: add --update to rewrite only what changed, or --overwrite to replace it\n"
                .into()
        )
    );
    let (code, _, stderr) = chatarchive(&db, dir.path(), &with("--update"));
    assert_eq!(code, 0);
    assert!(stderr.contains(": 0 files written, 5 unchanged,"), "{stderr}");
    let (code, _, stderr) = chatarchive(&db, dir.path(), &with("--overwrite"));
    assert_eq!(code, 0);
    assert!(stderr.contains(": 5 files written,"), "{stderr}");
    assert_eq!(fs::read_to_string(out.join("mine.txt")).unwrap(), "my own file");
}

#[test]
fn updating_after_a_rename_replaces_the_note_under_its_old_name() {
    let dir = tempfile::tempdir().unwrap();
    let db = archive(dir.path());
    let out = dir.path().join("notes");
    export(&db, dir.path(), &["--format", "markdown", "--out", "DIR/notes"]);
    let before = fs::read_to_string(out.join(GARDEN_MD)).unwrap();
    let mut renamed = short("b2", "Sourdough", "Why knead?", "Gluten.", 1.71e9);
    renamed["update_time"] = json!(1.72e9);
    let later =
        zip_export(dir.path(), "acct-2024-09-01-08-00-00.zip", &[garden("c1"), renamed], &[]);
    import(&db, &[&later], 0);

    let summary =
        export(&db, dir.path(), &["--format", "markdown", "--out", "DIR/notes", "--update"]);
    assert_eq!(
        summary,
        "Exported 4 conversations (16 messages) as markdown to DIR/notes: 2 files written, \
         3 unchanged, 1 file under an older name removed, 1 attachment copied, \
         1 attachment named by pointer (no stored file).\n"
    );
    // The bread note has a new name; the one that vanished upstream says so now.
    assert_eq!(names(&out), [GONE_MD, GARDEN_MD, RICH_MD, "2024-03-09-sourdough-b2.md"]);
    assert_eq!(fs::read_to_string(out.join(GARDEN_MD)).unwrap(), before);
    let bread = fs::read_to_string(out.join("2024-03-09-sourdough-b2.md")).unwrap();
    assert!(bread.contains("title: \"Sourdough\"\n"), "{bread}");
}

#[test]
fn html_writes_a_page_per_conversation_and_an_index() {
    let dir = tempfile::tempdir().unwrap();
    let db = archive(dir.path());
    let out = dir.path().join("site");
    let summary = export(
        &db,
        dir.path(),
        &["--format", "html", "--out", "DIR/site", "--since", "2024-01-01"],
    );
    assert_eq!(
        names(&out),
        [
            "2024-03-01-sales-chart-for-dong-jing-r3.html",
            "2024-03-09-bread-and-butter-b2.html",
            "index.html"
        ]
    );
    assert!(summary.contains(": 4 files written, 1 attachment copied,"), "{summary}");
    insta::assert_snapshot!("html", folder_text(&out));
}

/// A conversation whose every field that reaches a page tries to inject markup.
fn hostile() -> Value {
    let script = "<script>document.title='pwned'</script>";
    let mut chat = short(
        "x9",
        &format!("</title>{script}"),
        &format!("<img src=x onerror=alert(1)>{script}"),
        "",
        1.7e9,
    );
    let mapping = chat["mapping"].as_object_mut().unwrap();
    let answer = &mut mapping["x9-a"]["message"];
    answer["metadata"]["model_slug"] = json!(format!("gpt\"><script>alert(1)</script>"));
    answer["content"]["parts"][0] =
        json!(format!("Hi \u{E200}cite\u{E202}turn0search0\u{E201} {script}"));
    answer["metadata"]["content_references"] = json!([{
        "matched_text": "\u{E200}cite\u{E202}turn0search0\u{E201}",
        "items": [{"title": script, "url": "javascript:alert(document.title)"},
                  {"title": "ok", "url": "https://a.example/\"><script>alert(1)</script>"}]}]);
    answer["metadata"]["attachments"] = json!([{"id": "file-1", "name": format!("\"'>{script}")}]);
    chat["gizmo_id"] = json!(format!("g-p-{script}"));
    chat
}

#[test]
fn html_escapes_everything_from_the_archive() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let zip = zip_export(dir.path(), "acct-2024-08-01-08-00-00.zip", &[hostile()], &[]);
    import(&db, &[&zip], 0);
    export(&db, dir.path(), &["--format", "html", "--out", "DIR/site"]);
    let site = dir.path().join("site");
    for name in names(&site) {
        let page = fs::read_to_string(site.join(&name)).unwrap();
        let lower = page.to_lowercase();
        assert!(!lower.contains("<script"), "{name}: {page}");
        assert!(!lower.contains("<img"), "{name}: {page}");
        assert!(!lower.contains("href=\"javascript"), "{name}: {page}");
        assert!(page.contains("Content-Security-Policy\" content=\"default-src 'none';"));
    }
    let page = fs::read_to_string(
        site.join("2023-11-14-title-script-document-title-pwned-script-x9.html"),
    )
    .unwrap();
    assert!(page.contains("<title>&lt;/title&gt;&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;</title>"), "{page}");
    assert!(
        page.contains("<div class=\"text\">&lt;img src=x onerror=alert(1)&gt;&lt;script&gt;"),
        "{page}"
    );
    assert!(
        page.contains("href=\"https://a.example/&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;\""),
        "{page}"
    );
}

/// `support::contents` of conversations and messages without the columns that say when
/// each row was seen (they depend on the exports' dates).
fn conversations_and_messages(db: &Path) -> Vec<String> {
    let seen_conversation = [18, 19, 20];
    contents(db)
        .into_iter()
        .filter_map(|row| {
            let (table, cells) = row.split_once(": ")?;
            let cells: Vec<&str> = cells.split(" | ").collect();
            let keep: Vec<&str> = match table {
                "conversations" => cells
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| !seen_conversation.contains(i))
                    .map(|(_, c)| *c)
                    .collect(),
                "messages" => cells[..cells.len() - 3].to_vec(),
                _ => return None,
            };
            Some(format!("{table}: {}", keep.join(" | ")))
        })
        .collect()
}

#[test]
fn json_of_the_whole_archive_imports_into_the_same_archive() {
    let dir = tempfile::tempdir().unwrap();
    let db = archive(dir.path());
    export(&db, dir.path(), &["--format", "json", "--out", "DIR/conversations.json"]);
    let copy = dir.path().join("copy.db");
    import(&copy, &[&dir.path().join("conversations.json")], 0);
    let original = conversations_and_messages(&db);
    assert_eq!(original.len(), 4 + 22);
    assert_eq!(conversations_and_messages(&copy), original);
    // The seen columns were really left out: the copy has one export, the archive two.
    assert_ne!(
        query::<i64>(&db, "SELECT count(*) FROM conversations WHERE in_latest_export = 0"),
        query::<i64>(&copy, "SELECT count(*) FROM conversations WHERE in_latest_export = 0")
    );
}

#[test]
fn json_keeps_raw_messages_byte_for_byte_and_zips_as_an_export() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    // Written the way Python writes JSON: escaped non-ASCII and exponents stay as they were.
    let json = serde_json::to_string(&vec![short("e1", "Café", "Crème?", "Brûlée.", 1.7e9)])
        .unwrap()
        .replace("Crème?", "Cr\\u00e8me?")
        .replace("1700000001.0", "1.700000001e9");
    let zip = zip_members(
        dir.path(),
        "acct-2024-08-01-08-00-00.zip",
        &[("conversations.json", json.as_bytes())],
    );
    import(&db, &[&zip], 0);
    export(&db, dir.path(), &["--format", "json", "--out", "DIR/export.zip", "--zip"]);

    let copy = dir.path().join("copy.db");
    import(&copy, &[&dir.path().join("export.zip")], 0);
    let raw = "SELECT raw FROM messages WHERE node_id = 'e1-q'";
    let text: String = query(&copy, raw);
    assert!(
        text.contains("\"parts\":[\"Cr\\u00e8me?\"]") && text.contains("1.700000001e9"),
        "{text}"
    );
    assert_eq!(query::<String>(&db, raw), text);
}

#[test]
fn json_with_filters_holds_only_the_selected_conversations() {
    let dir = tempfile::tempdir().unwrap();
    let db = archive(dir.path());
    export(&db, dir.path(), &["--format", "json", "--out", "DIR/c.json", "--missing"]);
    let text = fs::read_to_string(dir.path().join("c.json")).unwrap();
    let parsed: Vec<Value> = serde_json::from_str(&text).unwrap();
    assert_eq!(parsed.len(), 1);
    assert_eq!(parsed[0]["title"], "Deleted later");
    assert_eq!(parsed[0]["mapping"].as_object().unwrap().len(), 3);
    assert_eq!(parsed[0]["mapping"]["gone-a"]["message"]["content"]["parts"][0], "Old answer.");
    assert_eq!(text.lines().count(), 3, "one conversation per line between the brackets");
    export(
        &db,
        dir.path(),
        &["--format", "json", "--out", "DIR/none.json", "--title", "nothing", "--quiet"],
    );
    assert_eq!(fs::read_to_string(dir.path().join("none.json")).unwrap(), "[]\n");
}

#[test]
fn jsonl_has_one_message_per_line_with_its_conversation() {
    let dir = tempfile::tempdir().unwrap();
    let db = archive(dir.path());
    export(&db, dir.path(), &["--format", "jsonl", "--out", "DIR/m.jsonl", "--conversation", "c1"]);
    let lines: Vec<Value> = fs::read_to_string(dir.path().join("m.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4);
    assert_eq!(
        lines[1],
        json!({
            "conversation_id": "c1", "conversation_title": "Tomatoes on a windy balcony",
            "conversation_created_at": "2023-11-14T22:13:20.250000Z",
            "conversation_model": "gpt-4o", "project_id": null, "node_id": "a1b",
            "parent_node_id": "q1", "depth": 2, "position": 1, "on_current_thread": true,
            "hidden": false, "role": "assistant", "author_name": null, "recipient": "all",
            "content_type": "text", "model": "gpt-4o",
            "created_at": "2023-11-14T22:13:23.000000Z",
            "text": "Daily in hot weather; check the soil."
        })
    );
    export(
        &db,
        dir.path(),
        &["--format", "jsonl", "--out", "DIR/all.jsonl", "--conversation", "c1", "--all-branches"],
    );
    let all = fs::read_to_string(dir.path().join("all.jsonl")).unwrap();
    let nodes: Vec<String> = all
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap()["node_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(nodes, ["q1", "a1", "a1b", "q2", "q2b", "a2b"]);

    export(
        &db,
        dir.path(),
        &[
            "--format",
            "jsonl",
            "--out",
            "DIR/c.jsonl",
            "--per",
            "conversation",
            "--conversation",
            "r3",
        ],
    );
    let line: Value =
        serde_json::from_str(&fs::read_to_string(dir.path().join("c.jsonl")).unwrap()).unwrap();
    assert_eq!(line["project_id"], "g-p-0123456789abcdef0123456789abcdef");
    assert_eq!(line["url"], "https://chatgpt.com/c/r3");
    let messages = line["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 8);
    assert_eq!(messages[3]["text"], "print(sum([3, 5, 8]))\n", "code is given verbatim");
    assert!(messages[0].get("conversation_id").is_none());
}

#[test]
fn csv_has_a_header_and_one_row_per_message_or_conversation() {
    let dir = tempfile::tempdir().unwrap();
    let db = archive(dir.path());
    export(&db, dir.path(), &["--format", "csv", "--out", "DIR/m.csv", "--title", "bread"]);
    let mut reader = csv::Reader::from_path(dir.path().join("m.csv")).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header.len(), 18);
    assert_eq!(&header[..2], ["conversation_id", "conversation_title"]);
    let rows: Vec<Vec<String>> =
        reader.records().map(|r| r.unwrap().iter().map(String::from).collect()).collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0][1], "Bread and butter");
    assert_eq!(
        rows[1][11..],
        ["assistant", "", "all", "text", "gpt-4o", "2024-03-09T16:00:02.000000Z", "Gluten."]
    );

    export(&db, dir.path(), &["--format", "csv", "--per", "conversation", "--out", "DIR/c.csv"]);
    assert_eq!(
        fs::read_to_string(dir.path().join("c.csv")).unwrap(),
        "id,title,created_at,updated_at,model,project_id,gizmo_id,message_count,in_latest_export,last_seen_at,url
b2,Bread and butter,2024-03-09T16:00:00.000000Z,2024-03-09T16:00:02.000000Z,gpt-4o,,,2,true,2024-06-01T08:00:00.000000Z,https://chatgpt.com/c/b2
r3,Sales chart 📈 for 東京,2024-03-01T08:00:00.000000Z,2024-03-01T08:00:08.000000Z,gpt-4o,g-p-0123456789abcdef0123456789abcdef,g-p-0123456789abcdef0123456789abcdef,8,true,2024-06-01T08:00:00.000000Z,https://chatgpt.com/c/r3
c1,Tomatoes on a windy balcony,2023-11-14T22:13:20.250000Z,2023-11-14T22:13:26.000000Z,gpt-4o,,,6,true,2024-06-01T08:00:00.000000Z,https://chatgpt.com/c/c1
gone,Deleted later,2023-07-22T04:26:40.000000Z,2023-07-22T04:26:42.000000Z,gpt-4o,,,2,false,2024-01-10T08:00:00.000000Z,https://chatgpt.com/c/gone
"
    );
}

#[test]
fn sqlite_writes_an_archive_of_the_selected_conversations() {
    let dir = tempfile::tempdir().unwrap();
    let db = archive(dir.path());
    let summary = export(
        &db,
        dir.path(),
        &["--format", "sqlite", "--out", "DIR/part.db", "--since", "2024-01-01"],
    );
    assert_eq!(
        summary,
        "Exported 2 conversations (10 messages) as sqlite to DIR/part.db: 1 file written.\n"
    );
    let part = dir.path().join("part.db");
    let selected = "WHERE conversation_id IN ('b2', 'r3')";
    for (table, filter) in [
        ("conversations", "WHERE id IN ('b2', 'r3')"),
        ("messages", selected),
        ("asset_references", selected),
        ("conversation_versions", selected),
    ] {
        let sql = format!("SELECT * FROM {table} {filter} ORDER BY 1, 2");
        assert_eq!(
            rows(&part, &format!("SELECT * FROM {table} ORDER BY 1, 2")),
            rows(&db, &sql),
            "{table}"
        );
    }
    assert_eq!(
        rows(
            &part,
            "SELECT e.name, o.conversation_id FROM conversation_observations AS o JOIN exports AS e ON e.id = o.export_id ORDER BY 1, 2"
        ),
        [
            ["acct-2024-01-10-08-00-00.zip", "b2"],
            ["acct-2024-06-01-08-00-00.zip", "b2"],
            ["acct-2024-06-01-08-00-00.zip", "r3"]
        ]
    );
    assert_eq!(query::<i64>(&part, "SELECT count(*) FROM imports"), 0, "the import log stays home");
    assert_eq!(
        rows(&part, "SELECT DISTINCT file_id, status FROM attachments ORDER BY 1"),
        [["file_00000000a1", "stored"], ["file_00000000b2", "missing"]]
    );
    assert_eq!(query::<Vec<u8>>(&part, "SELECT data FROM media"), PHOTO);
    assert_eq!(query::<String>(&part, "PRAGMA journal_mode"), "delete");
    // The search indexes were filled by the triggers: the archive answers like the original.
    let (code, stdout, _) = chatarchive(&part, dir.path(), &["search", "Gluten", "--json"]);
    assert_eq!(code, 0);
    assert!(stdout.contains("\"conversation_id\":\"b2\""), "{stdout}");
    let (_, stdout, _) = chatarchive(&part, dir.path(), &["search", "売れた", "--json"]);
    assert!(stdout.contains("\"conversation_id\":\"r3\""), "{stdout}");
    assert_eq!(chatarchive(&part, dir.path(), &["list"]).1.lines().count(), 2);
}

#[test]
fn zip_packs_any_format() {
    let dir = tempfile::tempdir().unwrap();
    let db = archive(dir.path());
    for (format, expected) in [
        (
            "markdown",
            vec![
                GONE_MD,
                GARDEN_MD,
                RICH_MD,
                BREAD_MD,
                "attachments/file_00000000a1-sales-2024.png",
            ],
        ),
        (
            "html",
            vec![
                "2023-07-22-deleted-later-gone.html",
                "2023-11-14-tomatoes-on-a-windy-balcony-c1.html",
                "2024-03-01-sales-chart-for-dong-jing-r3.html",
                "2024-03-09-bread-and-butter-b2.html",
                "attachments/file_00000000a1-sales-2024.png",
                "index.html",
            ],
        ),
        ("jsonl", vec!["messages.jsonl"]),
        ("sqlite", vec!["archive.db"]),
    ] {
        let out = format!("DIR/{format}.zip");
        export(&db, dir.path(), &["--format", format, "--zip", "--out", &out, "--quiet"]);
        let file = fs::File::open(dir.path().join(format!("{format}.zip"))).unwrap();
        let mut zip = zip::ZipArchive::new(file).unwrap();
        let mut names: Vec<String> = zip.file_names().map(|n| n.unwrap().into_owned()).collect();
        names.sort();
        assert_eq!(names, expected, "{format}");
        if format == "markdown" {
            let mut note = String::new();
            std::io::Read::read_to_string(&mut zip.by_name(GARDEN_MD).unwrap(), &mut note).unwrap();
            export(&db, dir.path(), &["--format", format, "--out", "DIR/notes", "--quiet"]);
            assert_eq!(note, fs::read_to_string(dir.path().join("notes").join(GARDEN_MD)).unwrap());
        }
    }
}

#[test]
fn options_that_do_not_fit_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = archive(dir.path());
    let usage = |args: &[&str], message: &str| {
        let mut all = vec!["export"];
        all.extend_from_slice(args);
        let (code, stdout, stderr) = chatarchive(&db, dir.path(), &all);
        assert_eq!((code, stdout.as_str()), (2, ""), "{args:?}");
        assert!(stderr.contains(message), "{args:?}: {stderr}");
    };
    usage(
        &["--format", "json", "--out", "DIR/x", "--obsidian"],
        "--obsidian is for --format markdown",
    );
    usage(&["--format", "markdown", "--out", "DIR/x", "--per", "conversation"], "--per is for");
    usage(
        &["--format", "json", "--out", "DIR/x", "--zip", "--update"],
        "a ZIP file is written whole",
    );
    usage(
        &["--format", "sqlite", "--out", "DIR/x", "--update"],
        "a SQLite archive is written whole",
    );
    usage(
        &["--format", "json", "--out", "DIR/x", "--update", "--overwrite"],
        "cannot be used with",
    );
    usage(
        &["--format", "json", "--out", "DIR/x", "--since", "March"],
        "cannot read \"March\" as a date",
    );

    let (code, _, stderr) = chatarchive(
        &db,
        dir.path(),
        &["export", "--format", "sqlite", "--out", "DIR/a.db", "--overwrite"],
    );
    assert_eq!(
        (code, stderr.as_str()),
        (
            1,
            "Error: DIR/a.db is the archive being exported\nHint: write the export to another path\n"
        )
    );
    assert_eq!(query::<i64>(&db, "SELECT count(*) FROM conversations"), 4);
    fs::write(dir.path().join("file"), "x").unwrap();
    let (code, _, stderr) = chatarchive(
        &db,
        dir.path(),
        &["export", "--format", "html", "--out", "DIR/file", "--overwrite"],
    );
    assert_eq!(
        (code, stderr.as_str()),
        (1, "Error: DIR/file is a file: this export writes a folder\n")
    );
    let (code, _, stderr) = chatarchive(
        &db,
        dir.path(),
        &["export", "--format", "json", "--out", "DIR", "--overwrite"],
    );
    assert_eq!(
        (code, stderr.as_str()),
        (1, "Error: DIR is a folder: this export writes one file, give its name\n")
    );
    let (code, _, stderr) = chatarchive(
        &db,
        dir.path(),
        &["export", "--format", "json", "--out", "DIR/q.json", "--query", "NEAR(", "--fts"],
    );
    assert_eq!(code, 1);
    assert!(stderr.starts_with("Error: cannot read the FTS5 query \"NEAR(\""), "{stderr}");
}

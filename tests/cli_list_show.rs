//! `list` and `show`: whole outputs (exit code, stdout, stderr) on exports built by
//! `support`, with the time zone pinned. Piped stdout gets tab-separated rows and unescaped
//! text; the terminal forms are unit-tested beside their renderers.

mod support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::{Value, json};
use support::*;

/// Runs the binary with `TZ` set; returns the exit code, stdout and stderr.
fn chatarchive(db: &Path, tz: &str, args: &[&str]) -> (i32, String, String) {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_chatarchive"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("CHATARCHIVE_DB")
        .env("NO_COLOR", "1")
        .env("TZ", tz)
        .output()
        .unwrap();
    let text = |bytes: Vec<u8>| String::from_utf8(bytes).unwrap();
    (output.status.code().unwrap(), text(output.stdout), text(output.stderr))
}

/// Runs in UTC and expects success with nothing on stderr; returns stdout.
fn ok(db: &Path, args: &[&str]) -> String {
    let (code, stdout, stderr) = chatarchive(db, "UTC", args);
    assert_eq!((code, stderr.as_str()), (0, ""), "{args:?}");
    stdout
}

/// An archive holding `conversations`, imported from one export.
fn archive(dir: &Path, conversations: &[Value]) -> PathBuf {
    let db = dir.join("a.db");
    let zip = zip_export(dir, "acct-2024-08-01-08-00-00.zip", conversations, &[]);
    import(&db, &[&zip], 0);
    db
}

/// Three conversations whose creation, update and size orders all differ.
fn three() -> Vec<Value> {
    let mut soup = short("s3", "Soup", "Salt first?", "Later.", 1.69e9);
    soup["update_time"] = json!(1.72e9);
    soup["default_model_slug"] = json!("gpt-4");
    vec![garden("c1"), short("b2", "Bread", "Why knead?", "Gluten.", 1.71e9), soup]
}

const C1: &str = "c1\tTomatoes on a windy balcony\t\
                  2023-11-14T22:13:20.250000Z\t2023-11-14T22:13:26.000000Z\t6\tgpt-4o\n";
const B2: &str = "b2\tBread\t2024-03-09T16:00:00.000000Z\t2024-03-09T16:00:02.000000Z\t2\tgpt-4o\n";
const S3: &str = "s3\tSoup\t2023-07-22T04:26:40.000000Z\t2024-07-03T09:46:40.000000Z\t2\tgpt-4\n";

#[test]
fn list_prints_one_row_per_conversation_newest_first() {
    let dir = tempfile::tempdir().unwrap();
    let db = archive(dir.path(), &three());
    assert_eq!(ok(&db, &["list"]), [B2, C1, S3].concat());
}

#[test]
fn list_sorts_by_update_or_size_reverses_and_limits() {
    let dir = tempfile::tempdir().unwrap();
    let db = archive(dir.path(), &three());
    assert_eq!(ok(&db, &["list", "--sort", "updated"]), [S3, B2, C1].concat());
    assert_eq!(ok(&db, &["list", "--sort", "size"]), [C1, B2, S3].concat());
    assert_eq!(ok(&db, &["list", "--sort", "size", "--reverse"]), [S3, B2, C1].concat());
    assert_eq!(ok(&db, &["list", "--reverse", "--limit", "2"]), [S3, C1].concat());
    assert_eq!(ok(&db, &["list", "--limit", "0"]), "");
}

#[test]
fn list_takes_the_conversation_filters() {
    let dir = tempfile::tempdir().unwrap();
    let db = archive(dir.path(), &three());
    assert_eq!(ok(&db, &["list", "--title", "BREAD"]), B2);
    assert_eq!(ok(&db, &["list", "--model", "gpt-4"]), S3);
    assert_eq!(ok(&db, &["list", "--since", "2023-11-14"]), [B2, C1].concat());
    assert_eq!(ok(&db, &["list", "--until", "2023-11-14"]), [C1, S3].concat());
    assert_eq!(ok(&db, &["list", "--until", "2023-11-14T22:00"]), S3);
    assert_eq!(
        ok(&db, &["list", "--conversation", "c", "--conversation", "s3"]),
        [C1, S3].concat()
    );
    assert_eq!(ok(&db, &["list", "--project", "g-p-none"]), "");
}

#[test]
fn list_refuses_message_filters_and_bad_dates() {
    let dir = tempfile::tempdir().unwrap();
    let db = archive(dir.path(), &three());
    assert_eq!(
        chatarchive(&db, "UTC", &["list", "--role", "user"]),
        (
            2,
            String::new(),
            "Error: --role filters messages; list shows whole conversations\n\
             Hint: search messages with: chatarchive search\n"
                .to_string()
        )
    );
    assert_eq!(
        chatarchive(&db, "UTC", &["list", "--since", "March"]),
        (
            2,
            String::new(),
            "Error: cannot read \"March\" as a date: \
             use YYYY-MM-DD, YYYY-MM-DDTHH:MM or RFC 3339\n"
                .to_string()
        )
    );
}

#[test]
fn list_missing_shows_what_the_newest_export_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let gone = short("gone", "Deleted later", "Old question?", "Old answer.", 1.69e9);
    let old = zip_export(dir.path(), "acct-2024-01-10-08-00-00.zip", &[garden("c1"), gone], &[]);
    let fresh = short("fresh", "New one", "Fresh question?", "Fresh answer.", 1.71e9);
    let new = zip_export(dir.path(), "acct-2024-06-01-08-00-00.zip", &[garden("c1"), fresh], &[]);
    import(&db, &[&old], 0);
    import(&db, &[&new], 0);

    let gone_row = "gone\tDeleted later\t2023-07-22T04:26:40.000000Z\t\
                    2023-07-22T04:26:42.000000Z\t2\tgpt-4o\n";
    assert_eq!(ok(&db, &["list", "--missing"]), gone_row);
    assert_eq!(ok(&db, &["list", "--missing", "--title", "new"]), "");
    assert_eq!(ok(&db, &["list", "--sort", "created", "--reverse"]).lines().count(), 3);
    assert_eq!(
        ok(&db, &["show", "gone"]),
        "Deleted later
id: gone
created: 2023-07-22 04:26:40 +00:00
updated: 2023-07-22 04:26:42 +00:00
model: gpt-4o
missing: not in the latest export; last seen 2024-01-10 08:00:00 +00:00

── user · 2023-07-22 04:26:41 +00:00
Old question?

── assistant · gpt-4o · 2023-07-22 04:26:42 +00:00
Old answer.
"
    );
}

/// A line of `list --json`, as docs/json.md describes it.
#[derive(Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct ListLine {
    id: String,
    title: Option<String>,
    created_at: Option<String>,
    updated_at: Option<String>,
    message_count: i64,
    model: Option<String>,
}

#[test]
fn list_json_lines_and_csv_carry_the_documented_fields() {
    let dir = tempfile::tempdir().unwrap();
    let mut untitled = short("u4", "x", "q", "a", 1.6e9);
    untitled["title"] = Value::Null;
    let db = archive(dir.path(), &[garden("c1"), untitled]);

    let stdout = ok(&db, &["list", "--json"]);
    let lines: Vec<ListLine> =
        stdout.lines().map(|line| serde_json::from_str(line).unwrap()).collect();
    assert_eq!(
        lines,
        [
            ListLine {
                id: "c1".into(),
                title: Some("Tomatoes on a windy balcony".into()),
                created_at: Some("2023-11-14T22:13:20.250000Z".into()),
                updated_at: Some("2023-11-14T22:13:26.000000Z".into()),
                message_count: 6,
                model: Some("gpt-4o".into()),
            },
            ListLine {
                id: "u4".into(),
                title: None,
                created_at: Some("2020-09-13T12:26:40.000000Z".into()),
                updated_at: Some("2020-09-13T12:26:42.000000Z".into()),
                message_count: 2,
                model: Some("gpt-4o".into()),
            },
        ]
    );
    assert_eq!(
        ok(&db, &["list", "--csv"]),
        "id,title,created_at,updated_at,message_count,model
c1,Tomatoes on a windy balcony,2023-11-14T22:13:20.250000Z,2023-11-14T22:13:26.000000Z,6,gpt-4o
u4,,2020-09-13T12:26:40.000000Z,2020-09-13T12:26:42.000000Z,2,gpt-4o
"
    );
}

const GARDEN_THREAD: &str = "
── user · 2023-11-14 22:13:21 +00:00
How often should I water balcony tomatoes?

── assistant · gpt-4o · 2023-11-14 22:13:23 +00:00
Daily in hot weather; check the soil.

── user · 2023-11-14 22:13:25 +00:00
What about gusty afternoons?

── assistant · gpt-4o · 2023-11-14 22:13:26 +00:00
Stake them and water twice.
";

const GARDEN_HEADER: &str = "Tomatoes on a windy balcony
id: c1
created: 2023-11-14 22:13:20 +00:00
updated: 2023-11-14 22:13:26 +00:00
model: gpt-4o
";

#[test]
fn show_prints_the_current_thread_as_text() {
    let dir = tempfile::tempdir().unwrap();
    let db = archive(dir.path(), &[garden("c1"), garden("d1")]);
    assert_eq!(ok(&db, &["show", "c1"]), [GARDEN_HEADER, GARDEN_THREAD].concat());
}

#[test]
fn show_all_branches_draws_the_regenerated_and_edited_branches() {
    let dir = tempfile::tempdir().unwrap();
    let db = archive(dir.path(), &[garden("c1")]);
    let tree = "branches: all; ● current thread, ○ other branches

── ● user · 2023-11-14 22:13:21 +00:00 · node q1
How often should I water balcony tomatoes?

    ── ○ assistant · gpt-4o · 2023-11-14 22:13:22 +00:00 · node a1
    Every morning in July, deeply.

── ● assistant · gpt-4o · 2023-11-14 22:13:23 +00:00 · node a1b
Daily in hot weather; check the soil.

    ── ○ user · 2023-11-14 22:13:24 +00:00 · node q2
    And on windy days?

── ● user · 2023-11-14 22:13:25 +00:00 · node q2b
What about gusty afternoons?

── ● assistant · gpt-4o · 2023-11-14 22:13:26 +00:00 · node a2b
Stake them and water twice.
";
    assert_eq!(ok(&db, &["show", "c1", "--all-branches"]), [GARDEN_HEADER, tree].concat());
}

#[test]
fn show_nests_a_branch_inside_a_branch() {
    let dir = tempfile::tempdir().unwrap();
    let mut tree = garden("c1");
    let mapping = tree["mapping"].as_object_mut().unwrap();
    mapping.insert("f1".into(), message("f1", Some("a1"), "user", "Even in July?", 1.7e9 + 7.0));
    mapping.insert("f2".into(), message("f2", Some("a1"), "user", "Why deeply?", 1.7e9 + 8.0));
    let db = archive(dir.path(), &[tree]);
    let stdout = ok(&db, &["show", "c1", "--all-branches", "--format", "markdown"]);
    let branch = "> ## ○ assistant · gpt-4o · 2023-11-14 22:13:22 +00:00 · node a1
>
> Every morning in July, deeply.

> ## ○ user · 2023-11-14 22:13:27 +00:00 · node f1
>
> Even in July?

> > ## ○ user · 2023-11-14 22:13:28 +00:00 · node f2
> >
> > Why deeply?

## ● assistant";
    assert!(stdout.contains(branch), "{stdout}");
}

#[test]
fn show_prints_markdown() {
    let dir = tempfile::tempdir().unwrap();
    let db = archive(dir.path(), &[garden("c1")]);
    assert_eq!(
        ok(&db, &["show", "c1", "--format", "markdown"]),
        "# Tomatoes on a windy balcony

- id: c1
- created: 2023-11-14 22:13:20 +00:00
- updated: 2023-11-14 22:13:26 +00:00
- model: gpt-4o

## user · 2023-11-14 22:13:21 +00:00

How often should I water balcony tomatoes?

## assistant · gpt-4o · 2023-11-14 22:13:23 +00:00

Daily in hot weather; check the soil.

## user · 2023-11-14 22:13:25 +00:00

What about gusty afternoons?

## assistant · gpt-4o · 2023-11-14 22:13:26 +00:00

Stake them and water twice.
"
    );
}

/// A question with a photo, a Python tool call, its output and the answer.
fn tool_use(id: &str) -> Value {
    let t = 1.71e9;
    let mut question = message("t-q", Some("t-r"), "user", "", t + 1.0);
    question["message"]["content"] = json!({"content_type": "multimodal_text", "parts": [
        {"content_type": "image_asset_pointer", "asset_pointer": "sediment://file_00a1",
         "size_bytes": 10, "width": 1, "height": 1},
        "Multiply the numbers in this photo."]});
    let mut call = message("t-call", Some("t-q"), "assistant", "", t + 2.0);
    call["message"]["recipient"] = json!("python");
    call["message"]["content"] =
        json!({"content_type": "code", "language": "python", "text": "print(6 * 7)\n"});
    let mut output = message("t-out", Some("t-call"), "tool", "", t + 3.0);
    output["message"]["author"]["name"] = json!("python");
    output["message"]["content"] = json!({"content_type": "execution_output", "text": "42"});
    let answer = "It is 42:\n\n```python\nprint(6 * 7)\n```";
    let answer = message("t-a", Some("t-out"), "assistant", answer, t + 4.0);
    conversation(
        id,
        "Numbers in a photo",
        t,
        "t-a",
        vec![root("t-r"), question, call, output, answer],
    )
}

#[test]
fn show_marks_tool_calls_code_outputs_and_attachments() {
    let dir = tempfile::tempdir().unwrap();
    let db = archive(dir.path(), &[tool_use("t1")]);
    assert_eq!(
        ok(&db, &["show", "t1"]),
        "Numbers in a photo
id: t1
created: 2024-03-09 16:00:00 +00:00
updated: 2024-03-09 16:00:04 +00:00
model: gpt-4o

── user · 2024-03-09 16:00:01 +00:00
Multiply the numbers in this photo.
attachment: sediment://file_00a1 (missing; file id file_00a1)

── assistant → python · tool call · gpt-4o · 2024-03-09 16:00:02 +00:00
```python
print(6 * 7)
```

── tool python · output · 2024-03-09 16:00:03 +00:00
```
42
```

── assistant · gpt-4o · 2024-03-09 16:00:04 +00:00
It is 42:

```python
print(6 * 7)
```
"
    );
    let markdown = ok(&db, &["show", "t1", "--format", "markdown"]);
    let expected = "## user · 2024-03-09 16:00:01 +00:00

Multiply the numbers in this photo.

- attachment: sediment://file_00a1 (missing; file id file_00a1)

## assistant → python · tool call · gpt-4o · 2024-03-09 16:00:02 +00:00

```python
print(6 * 7)
```
";
    assert!(markdown.contains(expected), "{markdown}");
}

#[test]
fn show_accepts_a_unique_prefix_and_names_the_candidates_of_an_ambiguous_one() {
    let dir = tempfile::tempdir().unwrap();
    let db = archive(dir.path(), &three());
    assert_eq!(ok(&db, &["show", "b"]), ok(&db, &["show", "b2"]));
    assert!(ok(&db, &["show", "b"]).starts_with("Bread\nid: b2\n"));

    let mut more = three();
    more.push(short("c2", "Chili", "q", "a", 1.6e9));
    let dir = tempfile::tempdir().unwrap();
    let db = archive(dir.path(), &more);
    assert_eq!(
        chatarchive(&db, "UTC", &["show", "c"]),
        (
            1,
            String::new(),
            "Error: \"c\" is the start of 2 conversation ids:
  c1  Tomatoes on a windy balcony
  c2  Chili
Hint: give more of the id
"
            .to_string()
        )
    );
}

#[test]
fn show_of_an_unknown_id_fails_with_a_hint() {
    let dir = tempfile::tempdir().unwrap();
    let db = archive(dir.path(), &three());
    assert_eq!(
        chatarchive(&db, "UTC", &["show", "zz%"]),
        (
            1,
            String::new(),
            "Error: no conversation id starts with \"zz%\"
Hint: find the id with: chatarchive list --title TEXT
"
            .to_string()
        )
    );
}

#[test]
fn show_uses_the_local_time_zone_unless_utc() {
    let dir = tempfile::tempdir().unwrap();
    let winter = short("w", "Winter", "Cold?", "Yes.", 1.71e9);
    let summer = short("s", "Summer", "Hot?", "Yes.", 1.72e9);
    let db = archive(dir.path(), &[winter, summer]);
    let paris = |args: &[&str]| chatarchive(&db, "Europe/Paris", args).1;
    let winter_local = "Winter
id: w
created: 2024-03-09 17:00:00 +01:00
updated: 2024-03-09 17:00:02 +01:00
model: gpt-4o

── user · 2024-03-09 17:00:01 +01:00
Cold?

── assistant · gpt-4o · 2024-03-09 17:00:02 +01:00
Yes.
";
    assert_eq!(paris(&["show", "w"]), winter_local);
    assert!(paris(&["show", "s"]).contains("\ncreated: 2024-07-03 11:46:40 +02:00\n"));
    let utc = "Winter
id: w
created: 2024-03-09 16:00:00 UTC
updated: 2024-03-09 16:00:02 UTC
model: gpt-4o

── user · 2024-03-09 16:00:01 UTC
Cold?

── assistant · gpt-4o · 2024-03-09 16:00:02 UTC
Yes.
";
    assert_eq!(paris(&["show", "w", "--utc"]), utc);
    assert_eq!(chatarchive(&db, "UTC", &["show", "w", "--utc"]).1, utc);
}

#[test]
fn show_leaves_piped_text_as_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let tricky = short("x", "Red\u{202E}txt", "Say \x1b[31mred", "Done.", 1.71e9);
    let db = archive(dir.path(), &[tricky]);
    let text = ok(&db, &["show", "x"]);
    assert!(text.starts_with("Red\u{202E}txt\n"), "{text}");
    assert!(text.contains("\nSay \x1b[31mred\n"), "{text}");
    let markdown = ok(&db, &["show", "x", "--format", "markdown"]);
    assert!(markdown.contains("\nSay \x1b[31mred\n"), "{markdown}");
}

/// The first line of `show --json`, as docs/json.md describes it.
#[derive(Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConversationLine {
    #[serde(rename = "type")]
    kind: String,
    id: String,
    title: Option<String>,
    created_at: Option<String>,
    updated_at: Option<String>,
    model: Option<String>,
    project_id: Option<String>,
    message_count: i64,
    in_latest_export: bool,
    last_seen_at: Option<String>,
}

/// The other lines of `show --json`.
#[derive(Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct MessageLine {
    #[serde(rename = "type")]
    kind: String,
    node_id: String,
    parent_node_id: Option<String>,
    position: i64,
    depth: i64,
    on_current_thread: bool,
    role: Option<String>,
    author_name: Option<String>,
    recipient: Option<String>,
    channel: Option<String>,
    content_type: Option<String>,
    model: Option<String>,
    created_at: Option<String>,
    text: String,
    attachments: Vec<AttachmentLine>,
}

/// An attachment of a [`MessageLine`].
#[derive(Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct AttachmentLine {
    pointer: String,
    file_id: String,
    json_path: String,
}

#[test]
fn show_json_prints_the_conversation_then_its_messages() {
    let dir = tempfile::tempdir().unwrap();
    let db = archive(dir.path(), &[tool_use("t1"), garden("c1")]);
    let stdout = ok(&db, &["show", "t1", "--json"]);
    let mut lines = stdout.lines();
    let head: ConversationLine = serde_json::from_str(lines.next().unwrap()).unwrap();
    assert_eq!(
        head,
        ConversationLine {
            kind: "conversation".into(),
            id: "t1".into(),
            title: Some("Numbers in a photo".into()),
            created_at: Some("2024-03-09T16:00:00.000000Z".into()),
            updated_at: Some("2024-03-09T16:00:04.000000Z".into()),
            model: Some("gpt-4o".into()),
            project_id: None,
            message_count: 4,
            in_latest_export: true,
            last_seen_at: Some("2024-08-01T08:00:00.000000Z".into()),
        }
    );
    let messages: Vec<MessageLine> = lines.map(|l| serde_json::from_str(l).unwrap()).collect();
    let ids: Vec<&str> = messages.iter().map(|m| m.node_id.as_str()).collect();
    assert_eq!(ids, ["t-q", "t-call", "t-out", "t-a"]);
    assert_eq!(
        messages[0],
        MessageLine {
            kind: "message".into(),
            node_id: "t-q".into(),
            parent_node_id: Some("t-r".into()),
            position: 0,
            depth: 1,
            on_current_thread: true,
            role: Some("user".into()),
            author_name: None,
            recipient: Some("all".into()),
            channel: None,
            content_type: Some("multimodal_text".into()),
            model: None,
            created_at: Some("2024-03-09T16:00:01.000000Z".into()),
            text: "Multiply the numbers in this photo.".into(),
            attachments: vec![AttachmentLine {
                pointer: "sediment://file_00a1".into(),
                file_id: "file_00a1".into(),
                json_path: "$.content.parts[0].asset_pointer".into(),
            }],
        }
    );
    assert_eq!(messages[1].recipient.as_deref(), Some("python"));

    let branches = ok(&db, &["show", "c1", "--json", "--all-branches"]);
    assert_eq!(branches.lines().count(), 7);
}

#[test]
fn show_format_json_rebuilds_the_exported_conversation() {
    let dir = tempfile::tempdir().unwrap();
    let db = archive(dir.path(), &[tool_use("t1"), garden("c1")]);
    let rebuilt: Value =
        serde_json::from_str(&ok(&db, &["show", "c1", "--format", "json"])).unwrap();
    assert_eq!(rebuilt, garden("c1"));
}

#[test]
fn show_conflicting_flags_are_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let db = archive(dir.path(), &[garden("c1")]);
    let (code, stdout, stderr) =
        chatarchive(&db, "UTC", &["show", "c1", "--json", "--format", "markdown"]);
    assert_eq!((code, stdout.as_str()), (2, ""));
    assert!(stderr.starts_with("error: the argument '--json' cannot be used with"), "{stderr}");
}

/// The keys docs/json.md lists in the first column of the tables of section `## {name}`.
fn documented_keys(name: &str) -> BTreeSet<String> {
    let docs = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/json.md"));
    let docs = docs.unwrap();
    let start = docs.find(&format!("\n## {name}\n")).unwrap() + 1;
    let section = &docs[start..];
    let section = &section[..section[3..].find("\n## ").map_or(section.len(), |end| end + 3)];
    let first_cells = section.lines().filter_map(|l| l.strip_prefix("| ")?.split(" |").next());
    first_cells
        .flat_map(|cell| cell.split(", "))
        .filter_map(|key| key.strip_prefix('`')?.strip_suffix('`'))
        .map(str::to_string)
        .collect()
}

/// The keys of every line of JSON Lines output.
fn printed_keys(stdout: &str) -> BTreeSet<String> {
    let objects = stdout.lines().map(|line| serde_json::from_str::<Value>(line).unwrap());
    objects
        .flat_map(|object| object.as_object().unwrap().keys().cloned().collect::<Vec<_>>())
        .collect()
}

#[test]
fn docs_json_lists_exactly_the_keys_printed() {
    let dir = tempfile::tempdir().unwrap();
    let db = archive(dir.path(), &[tool_use("t1")]);
    assert_eq!(printed_keys(&ok(&db, &["list", "--json"])), documented_keys("list"));
    assert_eq!(printed_keys(&ok(&db, &["show", "t1", "--json"])), documented_keys("show"));
}

#[test]
fn show_names_the_project_or_custom_gpt_and_list_filters_by_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut in_project = short("p1", "Plan", "q", "a", 1.71e9);
    in_project["gizmo_id"] = json!("g-p-0123");
    let mut with_gpt = short("g1", "Gpt", "q", "a", 1.71e9);
    with_gpt["gizmo_id"] = json!("g-abc");
    let db = archive(dir.path(), &[in_project, with_gpt]);
    let header = |id: &str| ok(&db, &["show", id]).split("\n\n").next().unwrap().to_string();
    assert_eq!(
        header("p1"),
        "Plan\nid: p1\ncreated: 2024-03-09 16:00:00 +00:00\nupdated: 2024-03-09 16:00:02 +00:00\n\
         model: gpt-4o\nproject: g-p-0123"
    );
    assert!(header("g1").ends_with("\nmodel: gpt-4o\ncustom GPT: g-abc"));
    assert_eq!(ok(&db, &["list", "--project", "g-p-0123"]).split('\t').next(), Some("p1"));
}

//! `stats`, `sql`, `imports`, `schema`, `info`, `completions` and `man`, run as a user would:
//! whole outputs (stdout, stderr, exit code) compared with exact values, on an archive built
//! from two dated exports by `support`.

mod support;

use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde::de::DeserializeOwned;
use support::*;

/// The older export: the garden conversation, and bread with a hidden system message.
fn old_export(dir: &Path) -> PathBuf {
    let bread = conversation(
        "c2",
        "Bread",
        1_710_000_000.0,
        "c2-a",
        vec![
            root("c2-r"),
            message("c2-s", Some("c2-r"), "system", "Be brief.", 1_710_000_000.5),
            message("c2-q", Some("c2-s"), "user", "Why knead?", 1_710_000_001.0),
            message("c2-a", Some("c2-q"), "assistant", "Gluten.", 1_710_000_002.0),
        ],
    );
    zip_export(dir, "acct-2024-01-10-08-00-00.zip", &[garden("c1"), bread], &[])
}

/// The newer export: the garden conversation unchanged, soup new, bread gone (kept).
fn new_export(dir: &Path) -> PathBuf {
    let soup = short("c3", "Soup", "Salt first?", "Taste first.", 1_717_000_000.0);
    zip_export(dir, "acct-2024-06-01-08-00-00.zip", &[garden("c1"), soup], &[])
}

/// An archive holding both exports, with the import log's clock pinned: `import` logs the
/// real time, which no expected output could match.
fn archive() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let (old, new) = (old_export(dir.path()), new_export(dir.path()));
    import(&db, &[&old], 0);
    import(&db, &[&new], 0);
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute(
            "UPDATE imports SET started_at = CASE id WHEN 1 THEN '2024-01-10T09:00:00.000000Z'
                                                   ELSE '2024-06-01T09:00:00.000000Z' END",
            [],
        )
        .unwrap();
    (dir, db)
}

/// Runs a command and returns its exit code, stdout and stderr.
fn outcome(db: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let output = run(db, args);
    let text = |bytes: Vec<u8>| String::from_utf8(bytes).unwrap();
    (output.status.code(), text(output.stdout), text(output.stderr))
}

/// Runs a command that must succeed silently on stderr, and returns its stdout.
fn stdout(db: &Path, args: &[&str]) -> String {
    let (code, stdout, stderr) = outcome(db, args);
    assert_eq!((code, stderr.as_str()), (Some(0), ""), "{args:?}");
    stdout
}

/// Parses JSON Lines into the documented shape.
fn json_lines<T: DeserializeOwned>(text: &str) -> Vec<T> {
    text.lines().map(|line| serde_json::from_str(line).unwrap()).collect()
}

/// A `stats --json` line (docs/json.md, "stats").
#[derive(Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct StatLine {
    stat: String,
    key: String,
    label: Option<String>,
    count: i64,
}

/// An `imports --json` line (docs/json.md, "imports").
#[derive(Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct ImportLine {
    id: i64,
    imported_at: String,
    export: String,
    exported_at: Option<String>,
    new: i64,
    updated: i64,
    unchanged: i64,
    missing: i64,
    skipped: i64,
}

/// The `info --json` line (docs/json.md, "info").
#[derive(Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct InfoLine {
    path: String,
    size: u64,
    size_human: String,
    schema_version: u32,
    conversations: i64,
    messages: i64,
    versions: i64,
    exports: i64,
    imports: i64,
    latest_export: Option<String>,
}

/// `stats` piped: one tab-separated row per number. With `hidden`, bread's system message
/// counts too: on a Saturday, at 16:00, in March 2024.
fn expected_stats(hidden: bool) -> String {
    let h = i64::from(hidden);
    let mut out = format!(
        "total\tconversations\t\t3\ntotal\tmessages\t\t{}\n\
         month\t2023-11\t\t6\nmonth\t2023-12\t\t0\nmonth\t2024-01\t\t0\nmonth\t2024-02\t\t0\n\
         month\t2024-03\t\t{}\nmonth\t2024-04\t\t0\nmonth\t2024-05\t\t2\n\
         model\tgpt-4o\t\t5\nrole\tassistant\t\t5\nrole\tuser\t\t5\n",
        10 + h,
        2 + h
    );
    if hidden {
        out += "role\tsystem\t\t1\n";
    }
    let weekdays = [0, 6, 2, 0, 0, 2 + h, 0];
    let names = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
    for (name, count) in names.iter().zip(weekdays) {
        out += &format!("weekday\t{name}\t\t{count}\n");
    }
    for hour in 0..24 {
        let count = [(16, 4 + h), (22, 6)].iter().find(|(at, _)| *at == hour).map_or(0, |c| c.1);
        out += &format!("hour\t{hour:02}\t\t{count}\n");
    }
    out + &format!(
        "longest\tc1\tTomatoes on a windy balcony\t6\nlongest\tc2\tBread\t{}\n\
         longest\tc3\tSoup\t2\n\
         import\t2024-06-01T09:00:00.000000Z\tacct-2024-06-01-08-00-00.zip\t1\n\
         import\t2024-01-10T09:00:00.000000Z\tacct-2024-01-10-08-00-00.zip\t2\n",
        2 + h
    )
}

#[test]
fn stats_counts_visible_messages_per_month_model_role_weekday_and_hour() {
    let (_dir, db) = archive();
    assert_eq!(stdout(&db, &["stats"]), expected_stats(false));
}

#[test]
fn stats_counts_hidden_messages_when_asked() {
    let (_dir, db) = archive();
    assert_eq!(stdout(&db, &["stats", "--include-hidden"]), expected_stats(true));
}

#[test]
fn stats_json_lines_carry_the_same_numbers_as_the_documented_fields() {
    let (_dir, db) = archive();
    let json = stdout(&db, &["stats", "--json"]);
    assert_eq!(
        json.lines().next().unwrap(),
        r#"{"stat":"total","key":"conversations","label":null,"count":3}"#
    );
    let expected: Vec<StatLine> = expected_stats(false)
        .lines()
        .map(|line| {
            let cells: Vec<&str> = line.split('\t').collect();
            StatLine {
                stat: cells[0].to_string(),
                key: cells[1].to_string(),
                label: Some(cells[2].to_string()).filter(|label| !label.is_empty()),
                count: cells[3].parse().unwrap(),
            }
        })
        .collect();
    assert_eq!(json_lines::<StatLine>(&json), expected);
}

#[test]
fn stats_top_limits_the_longest_conversations() {
    let (_dir, db) = archive();
    let lines = json_lines::<StatLine>(&stdout(&db, &["stats", "--json", "--top", "1"]));
    let longest: Vec<&StatLine> = lines.iter().filter(|line| line.stat == "longest").collect();
    assert_eq!(
        longest,
        [&StatLine {
            stat: "longest".into(),
            key: "c1".into(),
            label: Some("Tomatoes on a windy balcony".into()),
            count: 6
        }]
    );
}

#[test]
fn stats_csv_has_a_header_row() {
    let (_dir, db) = archive();
    let csv = stdout(&db, &["stats", "--csv"]);
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("stat,key,label,count"));
    assert_eq!(lines.next(), Some("total,conversations,,3"));
    assert_eq!(csv.lines().count(), expected_stats(false).lines().count() + 1);
}

#[test]
fn imports_lists_the_log_newest_first() {
    let (_dir, db) = archive();
    assert_eq!(
        stdout(&db, &["imports"]),
        "2\t2024-06-01T09:00:00.000000Z\tacct-2024-06-01-08-00-00.zip\t\
         2024-06-01T08:00:00.000000Z\t1\t0\t1\t1\t0\n\
         1\t2024-01-10T09:00:00.000000Z\tacct-2024-01-10-08-00-00.zip\t\
         2024-01-10T08:00:00.000000Z\t2\t0\t0\t0\t0\n"
    );
    let json = stdout(&db, &["imports", "--json"]);
    assert_eq!(
        json.lines().next().unwrap(),
        concat!(
            r#"{"id":2,"imported_at":"2024-06-01T09:00:00.000000Z","#,
            r#""export":"acct-2024-06-01-08-00-00.zip","#,
            r#""exported_at":"2024-06-01T08:00:00.000000Z","#,
            r#""new":1,"updated":0,"unchanged":1,"missing":1,"skipped":0}"#
        )
    );
    assert_eq!(
        json_lines::<ImportLine>(&json)[1],
        ImportLine {
            id: 1,
            imported_at: "2024-01-10T09:00:00.000000Z".into(),
            export: "acct-2024-01-10-08-00-00.zip".into(),
            exported_at: Some("2024-01-10T08:00:00.000000Z".into()),
            new: 2,
            updated: 0,
            unchanged: 0,
            missing: 0,
            skipped: 0,
        }
    );
}

#[test]
fn importing_an_export_again_adds_a_line_to_the_log() {
    let (dir, db) = archive();
    import(&db, &[&dir.path().join("acct-2024-06-01-08-00-00.zip")], 0);
    let lines = json_lines::<ImportLine>(&stdout(&db, &["imports", "--json"]));
    let newest = &lines[0];
    assert_eq!(lines.len(), 3);
    assert_eq!((newest.id, newest.export.as_str()), (3, "acct-2024-06-01-08-00-00.zip"));
    assert_eq!((newest.new, newest.unchanged, newest.missing), (0, 2, 1));
}

/// The archive's size as `info` counts it: the file and its write-ahead log.
fn size_on_disk(db: &Path) -> u64 {
    let wal = PathBuf::from(format!("{}-wal", db.display()));
    std::fs::metadata(db).unwrap().len() + std::fs::metadata(wal).map_or(0, |m| m.len())
}

#[test]
fn info_reports_place_size_counts_schema_version_and_latest_export() {
    let (_dir, db) = archive();
    let json = stdout(&db, &["info", "--json"]);
    let size = size_on_disk(&db);
    assert!((1024..1024 * 1024).contains(&size), "{size}");
    let schema_version: u32 = query(&db, "SELECT max(version) FROM refinery_schema_history");
    let expected = InfoLine {
        path: db.display().to_string(),
        size,
        size_human: format!("{:.1} KiB", size as f64 / 1024.0),
        schema_version,
        conversations: 3,
        messages: 11,
        versions: 3,
        exports: 2,
        imports: 2,
        latest_export: Some("2024-06-01T08:00:00.000000Z".into()),
    };
    assert_eq!(json_lines::<InfoLine>(&json), [expected]);

    let tsv = stdout(&db, &["info"]);
    assert_eq!(
        tsv,
        format!(
            "path\t{}\nsize\t{size}\nsize_human\t{:.1} KiB\nschema_version\t{schema_version}\n\
             conversations\t3\nmessages\t11\nversions\t3\nexports\t2\nimports\t2\n\
             latest_export\t2024-06-01T08:00:00.000000Z\n",
            db.display(),
            size as f64 / 1024.0
        )
    );
}

#[test]
fn query_commands_on_a_missing_archive_give_the_hint_and_create_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("none.db");
    for args in [&["info"][..], &["stats"], &["imports"], &["sql", "SELECT 1"]] {
        let expected_stderr = format!(
            "Error: no archive at {}\n\
             Hint: import an export first: chatarchive import EXPORT.zip\n",
            db.display()
        );
        assert_eq!(outcome(&db, args), (Some(1), String::new(), expected_stderr), "{args:?}");
    }
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn sql_prints_rows_under_the_statement_column_names() {
    let (_dir, db) = archive();
    let select = "SELECT id, title, message_count AS n FROM conversations ORDER BY id";
    assert_eq!(
        stdout(&db, &["sql", select]),
        "c1\tTomatoes on a windy balcony\t6\nc2\tBread\t3\nc3\tSoup\t2\n"
    );
    assert_eq!(
        stdout(&db, &["sql", select, "--csv"]),
        "id,title,n\nc1,Tomatoes on a windy balcony,6\nc2,Bread,3\nc3,Soup,2\n"
    );
    assert_eq!(
        stdout(
            &db,
            &[
                "sql",
                "SELECT count(*), NULL AS empty, 1.5, x'00ff' AS b FROM conversations;",
                "--json"
            ]
        ),
        "{\"count(*)\":3,\"empty\":null,\"1.5\":1.5,\"b\":\"00ff\"}\n"
    );
    assert_eq!(stdout(&db, &["sql", "-- a comment\nPRAGMA user_version"]), "0\n");
    assert_eq!(stdout(&db, &["sql", "SELECT 1 AS a, 2 AS a", "--json"]), "{\"a\":1,\"a_2\":2}\n");
    assert_eq!(stdout(&db, &["sql", "SELECT id FROM conversations WHERE 0"]), "");
}

#[test]
fn sql_refuses_every_statement_that_writes_and_leaves_the_archive_untouched() {
    let (dir, db) = archive();
    let other = dir.path().join("other.db");
    let attach = format!("ATTACH '{}' AS other", other.display());
    let bytes = std::fs::read(&db).unwrap();
    let before = everything(&db);
    let writes = [
        "DELETE FROM messages",
        "DROP TABLE messages",
        "INSERT INTO exports (name) VALUES ('x')",
        "UPDATE conversations SET title = 'x'",
        &attach,
        "PRAGMA journal_mode=delete",
        "PRAGMA user_version=5",
        "PRAGMA user_version(5)",
        "WITH x AS (SELECT 1) DELETE FROM messages",
        "VACUUM",
        "CREATE TABLE notes (x)",
        "  /* sneaky */ delete from messages  ",
    ];
    for sql in writes {
        let stderr = format!(
            "Error: refusing to run a statement that writes: {}\n\
             Hint: sql only reads; the archive was not changed\n",
            sql.trim()
        );
        assert_eq!(outcome(&db, &["sql", sql]), (Some(1), String::new(), stderr), "{sql}");
    }
    let several = "SELECT count(*) FROM messages; DELETE FROM messages";
    assert_eq!(
        outcome(&db, &["sql", several]),
        (
            Some(1),
            String::new(),
            format!(
                "Error: refusing to run more than one statement: {several}\n\
                 Hint: run one statement at a time; nothing was run\n"
            )
        )
    );
    assert_eq!(
        outcome(&db, &["sql", "BEGIN"]),
        (
            Some(1),
            String::new(),
            "Error: refusing to run a statement that is not a query: BEGIN\n\
             Hint: sql runs one SELECT, WITH, VALUES, EXPLAIN or a PRAGMA that reads\n"
                .to_string()
        )
    );
    assert_eq!(std::fs::read(&db).unwrap(), bytes);
    assert_eq!(everything(&db), before);
    assert!(!other.exists());
}

#[test]
fn sql_reports_sqlite_errors_with_a_hint() {
    let (_dir, db) = archive();
    let (code, stdout, stderr) = outcome(&db, &["sql", "SELECT * FROM nowhere"]);
    assert_eq!((code, stdout.as_str()), (Some(1), ""));
    assert_eq!(
        stderr,
        "Error: no such table: nowhere\nCaused by: Error code 1: SQL logic error\n\
         Hint: chatarchive schema lists the tables and their columns\n"
    );
}

#[test]
fn schema_prints_the_documented_schema() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("none.db");
    assert_eq!(stdout(&db, &["schema"]), include_str!("../docs/schema.md"));
}

#[test]
fn completions_are_generated_for_every_shell() {
    let db = Path::new("unused.db");
    let bash = stdout(db, &["completions", "bash"]);
    assert!(bash.contains("chatarchive"));
    assert!(bash.contains("stats") && bash.contains("--include-hidden"));
    for shell in ["zsh", "fish", "elvish", "powershell"] {
        assert!(stdout(db, &["completions", shell]).contains("chatarchive"), "{shell}");
    }
    let (code, _, stderr) = outcome(db, &["completions", "tcsh"]);
    assert_eq!(code, Some(2));
    assert!(stderr.starts_with("error: invalid value 'tcsh'"), "{stderr}");
}

#[test]
fn man_prints_a_roff_page_for_the_tool_and_each_command() {
    let db = Path::new("unused.db");
    let man = stdout(db, &["man"]);
    assert!(man.starts_with(".TH chatarchive 1  \"chatarchive 0.1.0\""), "{man}");
    for command in ["import", "stats", "sql", "imports", "schema", "info", "completions"] {
        assert!(man.contains(&format!("chatarchive\\-{command}(1)")), "{command}");
    }
    let stats = stdout(db, &["man", "stats"]);
    assert!(stats.starts_with(".TH chatarchive-stats 1  \"chatarchive 0.1.0\""), "{stats}");
    assert!(stats.contains("\\-\\-include\\-hidden"));
    assert_eq!(
        outcome(db, &["man", "nope"]),
        (
            Some(2),
            String::new(),
            "Error: no command named \"nope\"\nHint: chatarchive --help lists the commands\n"
                .to_string()
        )
    );
}

/// The keys in the first column of the table in section `## {name}` of docs/json.md, in order.
fn documented_keys(name: &str) -> Vec<String> {
    let docs = include_str!("../docs/json.md");
    let start = docs.find(&format!("\n## {name}\n")).unwrap() + 1;
    let section = &docs[start..];
    let section = section
        .get(3..)
        .and_then(|rest| rest.find("\n## "))
        .map_or(section, |end| &section[..end + 3]);
    section
        .lines()
        .filter_map(|line| line.strip_prefix("| `")?.split_once('`'))
        .map(|(key, _)| key.to_string())
        .collect()
}

/// The keys of the first JSON line, in order.
fn printed_keys(json: &str) -> Vec<String> {
    let first: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(json.lines().next().unwrap()).unwrap();
    first.keys().cloned().collect()
}

#[test]
fn docs_json_lists_the_keys_printed_in_their_order() {
    let (_dir, db) = archive();
    for command in ["stats", "imports", "info"] {
        let json = stdout(&db, &[command, "--json"]);
        assert_eq!(printed_keys(&json), documented_keys(command), "{command}");
    }
}

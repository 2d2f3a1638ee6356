//! The importer against every shared fixture of `../shared/fixtures` (the sample exports
//! of 2023, 2025 and 2026, the series of successive exports and the broken inputs).
//!
//! Each test runs the real `chatarchive` binary on its own scratch archive, then reads the
//! archive back with SQL and compares it with the fixture's `*.expected.json`.
//!
//! Run from the crate root:
//!
//! ```text
//! cargo test --test shared_fixtures -- --ignored
//! ```
//!
//! The fixtures folder is `../shared/fixtures` next to the crate; set
//! `CHATARCHIVE_SHARED_FIXTURES` to use another. Every test is `#[ignore]`d so that plain
//! `cargo test` passes in a clone without that folder; with `--ignored`, a missing folder
//! makes every test fail with a message naming the path it looked at.

mod shared;

use std::path::PathBuf;

use serde_json::Value;

use shared::archive::{Archive, Dump, dump_differences};
use shared::check::Checker;
use shared::fixtures::{self, Expected};
use shared::run::{Outcome, Workspace};
use shared::{export, json, series};

/// A small, valid export imported before each broken one, so "unchanged" means something.
const GOOD_EXPORT: &str = "era-a-2023.zip";

// ---- The query commands on every export ------------------------------------------------

#[test]
#[ignore = "needs ../shared/fixtures; run by .ci/run"]
fn query_commands_work_on_every_export() {
    for fixture in [
        "era-a-2023.expected.json",
        "era-b-2025.expected.json",
        "era-b-2025-unpacked.expected.json",
        "era-c-2026.expected.json",
        "bare/conversations.expected.json",
        "series/export-1.expected.json",
        "series/export-2.expected.json",
        "series/export-3.expected.json",
    ] {
        shared::commands::check_commands(fixture);
    }
}

// ---- Exports imported alone -------------------------------------------------------------

#[test]
#[ignore = "needs ../shared/fixtures; run by .ci/run"]
fn era_a_2023_zip() {
    check_export_fixture("era-a-2023.expected.json");
}

#[test]
#[ignore = "needs ../shared/fixtures; run by .ci/run"]
fn era_b_2025_zip() {
    check_export_fixture("era-b-2025.expected.json");
}

#[test]
#[ignore = "needs ../shared/fixtures; run by .ci/run"]
fn era_b_2025_unpacked_folder() {
    check_export_fixture("era-b-2025-unpacked.expected.json");
}

#[test]
#[ignore = "needs ../shared/fixtures; run by .ci/run"]
fn era_c_2026_zip() {
    check_export_fixture("era-c-2026.expected.json");
}

#[test]
#[ignore = "needs ../shared/fixtures; run by .ci/run"]
fn bare_conversations_json() {
    check_export_fixture("bare/conversations.expected.json");
}

#[test]
#[ignore = "needs ../shared/fixtures; run by .ci/run"]
fn series_export_1_alone() {
    check_export_fixture("series/export-1.expected.json");
}

#[test]
#[ignore = "needs ../shared/fixtures; run by .ci/run"]
fn series_export_2_alone() {
    check_export_fixture("series/export-2.expected.json");
}

#[test]
#[ignore = "needs ../shared/fixtures; run by .ci/run"]
fn series_export_3_alone() {
    check_export_fixture("series/export-3.expected.json");
}

/// Imports the fixture described by `expected` into a fresh archive and checks every fact.
fn check_export_fixture(expected: &str) {
    let facts = Expected::load(expected);
    let mut c = Checker::new(expected);
    let mut workspace = Workspace::new();
    let outcome = workspace.import(&facts.input_paths());
    if outcome.code == 0 {
        let db = Archive::open(&workspace.db());
        export::check_fresh_import(&mut c, &facts, &outcome, &db);
    } else {
        c.fail(format!("import should exit 0: {}", outcome.describe()));
    }
    c.finish();
}

/// The README: importing the unpacked folder must give the same result as the ZIP.
#[test]
#[ignore = "needs ../shared/fixtures; run by .ci/run"]
fn era_b_2025_unpacked_folder_matches_zip() {
    let tables = [
        "conversations",
        "messages",
        "asset_references",
        "conversation_versions",
        "conversation_observations",
        "export_files",
        "blobs",
        "message_feedback",
        "shared_links",
        "library_files",
        "group_chats",
        "group_chat_messages",
    ];
    let dump = |path: &str| {
        let mut workspace = Workspace::new();
        workspace.import_ok(&[fixtures::path(path)]);
        Archive::open(&workspace.db()).dump_natural(&tables)
    };
    let from_zip = dump("era-b-2025.zip");
    let from_folder = dump("era-b-2025-unpacked");
    let mut c = Checker::new("era-b-2025.zip vs era-b-2025-unpacked/");
    for difference in dump_differences(&from_zip, &from_folder) {
        c.fail(difference);
    }
    c.finish();
}

// ---- Successive exports ------------------------------------------------------------------

#[test]
#[ignore = "needs ../shared/fixtures; run by .ci/run"]
fn series_in_all_six_orders() {
    let facts = Expected::load("series/series.expected.json").facts;
    let mut c = Checker::new("series");
    let mut dumps = Vec::new();
    for order in series::ALL_ORDERS {
        let label = order_label(&order);
        let dump = c.within(&label, |c| import_one_by_one(c, &order, &facts));
        dumps.push((label, dump));
    }
    compare_dumps(&mut c, &dumps);
    c.finish();
}

#[test]
#[ignore = "needs ../shared/fixtures; run by .ci/run"]
fn series_in_one_invocation() {
    let facts = Expected::load("series/series.expected.json").facts;
    let mut c = Checker::new("series in one import");
    let baseline = c.within("one by one 1,2,3", |c| import_one_by_one(c, &[0, 1, 2], &facts));
    let mut dumps = vec![("one by one 1,2,3".to_string(), baseline)];
    for order in [[0, 1, 2], [2, 1, 0]] {
        let label = format!("one invocation {}", order_label(&order));
        let dump = c.within(&label, |c| import_together(c, &order, &facts));
        dumps.push((label, dump));
    }
    compare_dumps(&mut c, &dumps);
    c.finish();
}

/// `export-1,export-3,export-2` for an order of [`series::EXPORTS`].
fn order_label(order: &[usize; 3]) -> String {
    let names: Vec<String> = order.iter().map(|&i| format!("export-{}", i + 1)).collect();
    names.join(",")
}

fn series_paths(order: &[usize; 3]) -> Vec<PathBuf> {
    order.iter().map(|&i| fixtures::path(series::EXPORTS[i])).collect()
}

/// Imports the series in `order`, one run per export, checks the merged state, and
/// returns the order-free tables.
fn import_one_by_one(c: &mut Checker, order: &[usize; 3], facts: &Value) -> Dump {
    let mut workspace = Workspace::new();
    for path in series_paths(order) {
        let outcome = workspace.import(&[path]);
        c.ensure(outcome.code == 0, || format!("import should exit 0: {}", outcome.describe()));
    }
    let db = Archive::open(&workspace.db());
    series::check_merged_state(c, facts, &db);
    db.dump_natural(&series::ORDER_FREE_TABLES)
}

/// Imports the series in `order` in a single run, then checks as [`import_one_by_one`].
fn import_together(c: &mut Checker, order: &[usize; 3], facts: &Value) -> Dump {
    let mut workspace = Workspace::new();
    let outcome = workspace.import(&series_paths(order));
    c.ensure(outcome.code == 0, || format!("import should exit 0: {}", outcome.describe()));
    if outcome.code == 0 {
        let exports = outcome.report()["exports"].as_array().map(Vec::len);
        c.eq("exports in the --json report", Some(3), exports);
    }
    let db = Archive::open(&workspace.db());
    c.eq("rows in exports", 3, db.int("SELECT count(*) FROM exports", []));
    series::check_merged_state(c, facts, &db);
    db.dump_natural(&series::ORDER_FREE_TABLES)
}

/// Every dump must equal the first one.
fn compare_dumps(c: &mut Checker, dumps: &[(String, Dump)]) {
    let (first_label, first) = &dumps[0];
    for (label, dump) in &dumps[1..] {
        for difference in dump_differences(first, dump) {
            c.fail(format!("{first_label} vs {label}: {difference}"));
        }
    }
}

// ---- Broken inputs -----------------------------------------------------------------------

#[test]
#[ignore = "needs ../shared/fixtures; run by .ci/run"]
fn broken_truncated_zip_is_refused() {
    let (c, _, _) = check_refused("truncated");
    c.finish();
}

#[test]
#[ignore = "needs ../shared/fixtures; run by .ci/run"]
fn broken_not_a_zip_is_refused() {
    let (c, _, _) = check_refused("not-a-zip");
    c.finish();
}

#[test]
#[ignore = "needs ../shared/fixtures; run by .ci/run"]
fn broken_json_syntax_error_is_refused_with_its_position() {
    let (mut c, outcome, facts) = check_refused("json-syntax-error");
    let error = json::field(&facts, "error");
    let (offset, line) = (json::int(error, "byte_offset"), json::int(error, "line"));
    let column = json::int(error, "column_bytes");
    let byte = number_after(&outcome.stderr, "(byte ");
    c.ensure(byte.is_some_and(|b| (offset..=offset + 2).contains(&b)), || {
        format!("stderr gives byte {byte:?}, expected {offset} to {}", offset + 2)
    });
    let position = line_and_column(&outcome.stderr, "conversations.json:");
    c.ensure(
        position.is_some_and(|(l, col)| l == line && (column..=column + 2).contains(&col)),
        || format!("stderr gives line:column {position:?}, expected {line}:{column} (+2)"),
    );
    c.finish();
}

#[test]
#[ignore = "needs ../shared/fixtures; run by .ci/run"]
fn broken_path_traversal_is_refused() {
    // `../evil.txt` seen from the scratch folder, where the binary runs.
    let escaped = std::env::temp_dir().join("evil.txt");
    let existed = escaped.exists();
    let (mut c, _, _) = check_refused("path-traversal");
    c.ensure(existed || !escaped.exists(), || format!("{} was written", escaped.display()));
    c.finish();
}

#[test]
#[ignore = "needs ../shared/fixtures; run by .ci/run"]
fn broken_zip_bomb_is_refused() {
    let (mut c, outcome, _) = check_refused("zip-bomb");
    let limit_kib = 100 * 1024;
    c.ensure(outcome.peak_rss_kib.is_none_or(|kib| kib < limit_kib), || {
        format!("peak memory {:?} KiB, should stay far below 200 MB", outcome.peak_rss_kib)
    });
    c.finish();
}

#[test]
#[ignore = "needs ../shared/fixtures; run by .ci/run"]
fn broken_claude_export_is_refused() {
    let (mut c, outcome, _) = check_refused("claude-export");
    c.ensure(outcome.stderr.to_lowercase().contains("claude"), || {
        format!("stderr does not say it is a Claude export:\n{}", outcome.stderr)
    });
    c.finish();
}

/// Imports a good export, then the broken `name`: it must exit 1, name the file (and the
/// member when the facts give one) on stderr, and leave every table exactly as it was.
/// Returns the checker, the run and the fixture's facts for further checks.
fn check_refused(name: &str) -> (Checker, Outcome, Value) {
    let facts = Expected::load(&format!("broken/{name}.expected.json")).facts;
    let mut c = Checker::new(&format!("broken/{name}.zip"));
    c.eq("outcome in the facts", "error".to_string(), json::str(&facts, "outcome"));
    let mut workspace = Workspace::new();
    workspace.import_ok(&[fixtures::path(GOOD_EXPORT)]);
    let before = Archive::open(&workspace.db()).dump_all();
    let outcome = workspace.import(&[fixtures::path(&format!("broken/{name}.zip"))]);
    let after = Archive::open(&workspace.db()).dump_all();
    c.eq("exit code", 1, outcome.code);
    let mut mentions = vec![format!("{name}.zip")];
    mentions.extend(json::maybe_str(&facts, "member"));
    for mention in mentions {
        c.ensure(outcome.stderr.contains(&mention), || {
            format!("stderr does not name {mention:?}:\n{}", outcome.stderr)
        });
    }
    c.ensure(outcome.stderr.contains("Error: "), || {
        format!("no `Error:` line: {}", outcome.stderr)
    });
    for difference in dump_differences(&before, &after) {
        c.fail(format!("archive changed: {difference}"));
    }
    let stray = find_file(workspace.dir(), "evil.txt");
    c.ensure(stray.is_none(), || format!("a file was written outside the archive: {stray:?}"));
    (c, outcome, facts)
}

#[test]
#[ignore = "needs ../shared/fixtures; run by .ci/run"]
fn broken_lone_surrogate_imports_with_a_warning() {
    let facts = Expected::load("broken/lone-surrogate.expected.json").facts;
    let mut c = Checker::new("broken/lone-surrogate.zip");
    let mut workspace = Workspace::new();
    let outcome = workspace.import(&[fixtures::path("broken/lone-surrogate.zip")]);
    c.eq("exit code", 0, outcome.code);
    let db = Archive::open(&workspace.db());
    let counts = json::field(&facts, "counts_if_imported");
    let count = |sql| db.int(sql, []);
    let conversations = count("SELECT count(*) FROM conversations");
    c.eq("conversations", json::int(counts, "conversations"), conversations);
    let messages = count("SELECT count(*) FROM messages WHERE has_message = 1");
    c.eq("messages", json::int(counts, "messages"), messages);
    c.eq("nodes", json::int(counts, "nodes"), count("SELECT count(*) FROM messages"));
    let error = json::field(&facts, "error");
    check_surrogate_node(&mut c, &facts, error, &db);
    check_surrogate_warning(&mut c, error, &outcome);
    let invalid: Vec<String> = db
        .dump_all()
        .into_iter()
        .filter(|(_, rows)| rows.iter().any(|r| r.contains("INVALID-UTF8:")))
        .map(|(table, _)| table)
        .collect();
    c.ensure(invalid.is_empty(), || format!("invalid UTF-8 stored in {invalid:?}"));
    c.finish();
}

fn check_surrogate_node(c: &mut Checker, facts: &Value, error: &Value, db: &Archive) {
    let (conversation, node) = (json::str(error, "conversation_id"), json::str(error, "node_id"));
    let sql = "SELECT text FROM messages WHERE conversation_id = ?1 AND node_id = ?2";
    let text = db.opt_string(sql, [&conversation, &node]);
    c.eq("derived text", json::opt_str(facts, "derived_text_expected"), text);
    let escape = json::str(error, "escape").to_lowercase();
    let sql = "SELECT count(*) FROM messages WHERE conversation_id = ?1 AND node_id = ?2 \
               AND instr(lower(raw), ?3) > 0";
    let kept = db.int(sql, [&conversation, &node, &escape]);
    c.ensure(kept == 1, || format!("messages.raw of {node} lost the {escape} escape"));
}

/// A warning must name the member, the conversation and the byte offset (+2 tolerated).
fn check_surrogate_warning(c: &mut Checker, error: &Value, outcome: &Outcome) {
    let offset = json::int(error, "byte_offset");
    let conversation = json::str(error, "conversation_id");
    let warns = |line: &&str| {
        line.contains("conversations.json")
            && numbers(line).iter().any(|n| (offset..=offset + 2).contains(n))
    };
    let warning = outcome.stderr.lines().find(warns);
    c.ensure(warning.is_some(), || {
        format!("no warning naming conversations.json and byte {offset}:\n{}", outcome.stderr)
    });
    c.ensure(warning.is_some_and(|w| w.contains(&conversation)), || {
        format!("the warning does not name conversation {conversation}: {warning:?}")
    });
}

#[test]
#[ignore = "needs ../shared/fixtures; run by .ci/run"]
fn broken_empty_conversations_changes_nothing() {
    let mut c = Checker::new("broken/empty-conversations.zip");
    let mut workspace = Workspace::new();
    workspace.import_ok(&[fixtures::path(GOOD_EXPORT)]);
    let tables = |db: &Archive| {
        let dump = |t: &str| (t.to_string(), db.dump_table(t, false));
        [dump("conversations"), dump("messages")].into_iter().collect()
    };
    let before = tables(&Archive::open(&workspace.db()));
    let outcome = workspace.import(&[fixtures::path("broken/empty-conversations.zip")]);
    c.eq("exit code", 0, outcome.code);
    if outcome.code == 0 {
        let total = outcome.report()["exports"][0]["conversations"]["total"].as_i64();
        c.eq("conversations.total in the report", Some(0), total);
    }
    let after = tables(&Archive::open(&workspace.db()));
    for difference in dump_differences(&before, &after) {
        c.fail(format!("archive changed: {difference}"));
    }
    c.finish();
}

// ---- Small helpers -----------------------------------------------------------------------

/// The number right after the first `marker` in `text`.
fn number_after(text: &str, marker: &str) -> Option<i64> {
    let rest = &text[text.find(marker)? + marker.len()..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// `line:column` right after the first `marker` in `text`.
fn line_and_column(text: &str, marker: &str) -> Option<(i64, i64)> {
    let line = number_after(text, marker)?;
    let marker = format!("{marker}{line}:");
    Some((line, number_after(text, &marker)?))
}

/// Every run of digits in `text`.
fn numbers(text: &str) -> Vec<i64> {
    let split = text.split(|ch: char| !ch.is_ascii_digit());
    split.filter_map(|d| d.parse().ok()).collect()
}

/// The first file called `name` under `dir`.
fn find_file(dir: &std::path::Path, name: &str) -> Option<PathBuf> {
    for entry in std::fs::read_dir(dir).ok()?.flatten() {
        let path = entry.path();
        if path.is_dir() {
            if let Some(found) = find_file(&path, name) {
                return Some(found);
            }
        } else if entry.file_name() == name {
            return Some(path);
        }
    }
    None
}

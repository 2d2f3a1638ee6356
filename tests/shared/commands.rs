//! The query commands on every shared export: each must succeed, print what the archive
//! holds, and find the fixture's phrases and titles through `search` and `show`.

use serde_json::Value;

use super::fixtures::Expected;
use super::json;
use super::run::Workspace;

/// Runs every query command against the archive of one export fixture.
pub fn check_commands(expected_file: &str) {
    let expected = Expected::load(expected_file);
    let mut work = Workspace::new();
    work.import_ok(&expected.input_paths());
    let db = work.db().display().to_string();
    let run = |work: &mut Workspace, args: &[&str]| {
        let mut full = vec!["--db".to_string(), db.clone()];
        full.extend(args.iter().map(|a| a.to_string()));
        let outcome = work.run(&full);
        assert_eq!(outcome.code, 0, "{}", outcome.describe());
        outcome.stdout
    };

    let conversations = json::array(&expected.facts, "conversation_list");
    let listed = run(&mut work, &["list", "--json", "--limit", "1000"]);
    assert_eq!(listed.lines().count(), conversations.len(), "list: {listed}");
    for conversation in conversations {
        let id = json::str(conversation, "id");
        assert!(listed.contains(&format!("\"id\":\"{id}\"")), "list lacks {id}");
        let shown = run(&mut work, &["show", &id, "--json", "--all-branches"]);
        assert!(shown.lines().count() >= 1, "show {id} printed nothing");
        run(&mut work, &["show", &id, "--format", "markdown", "--utc"]);
    }
    for entry in json::array(&expected.facts, "phrases") {
        let phrase = json::str(entry, "phrase");
        let node_hit = json::array(entry, "occurrences").iter().any(|o| o.get("node_id").is_some());
        if !node_hit || !phrase.chars().any(char::is_alphanumeric) {
            continue;
        }
        let found = run(
            &mut work,
            &["search", &phrase, "--json", "--all-branches", "--include-hidden", "--limit", "500"],
        );
        let ids: Vec<Value> =
            found.lines().map(|l| serde_json::from_str(l).expect("search --json line")).collect();
        assert!(!ids.is_empty(), "search {phrase:?} found nothing");
    }
    for command in [&["stats", "--json"][..], &["imports", "--json"], &["info", "--json"]] {
        assert!(!run(&mut work, command).is_empty(), "{command:?} printed nothing");
    }
    let count = run(&mut work, &["sql", "SELECT count(*) AS n FROM conversations", "--json"]);
    assert_eq!(count.trim(), format!("{{\"n\":{}}}", conversations.len()));
    run(&mut work, &["attachments", "--json"]);
}

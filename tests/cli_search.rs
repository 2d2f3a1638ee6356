//! `search`: whole outputs (exit code, stdout, stderr) on one export built by `support`.
//! Piped stdout gets tab-separated rows; the terminal form is unit-tested beside its
//! renderer. Also the views of migration V2, read with plain SQL.

mod support;

use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::{Value, json};
use support::*;

/// 2024-01-01T00:00:00Z.
const NEW_YEAR_2024: f64 = 1_704_067_200.0;

/// A conversation of two messages whose answer came from `model`.
fn answered(id: &str, title: &str, question: &str, answer: &str, time: f64, model: &str) -> Value {
    let mut conversation = short(id, title, question, answer, time);
    conversation["mapping"][format!("{id}-a")]["message"]["metadata"]["model_slug"] = json!(model);
    conversation
}

/// A conversation that opens with hidden custom instructions.
fn with_instructions(id: &str) -> Value {
    let mut instructions = message("ci", Some("r"), "user", "", NEW_YEAR_2024 + 10.0);
    instructions["message"]["content"] = json!({
        "content_type": "user_editable_context",
        "user_profile": "Keeps bees on the roof.",
        "user_instructions": "Answer briefly."
    });
    instructions["message"]["metadata"] = json!({"is_visually_hidden_from_conversation": true});
    conversation(
        id,
        "Roof garden",
        NEW_YEAR_2024 + 10.0,
        "ra",
        vec![
            root("r"),
            instructions,
            message(
                "rq",
                Some("ci"),
                "user",
                "Which flowers should I plant?",
                NEW_YEAR_2024 + 11.0,
            ),
            message("ra", Some("rq"), "assistant", "Lavender and borage.", NEW_YEAR_2024 + 12.0),
        ],
    )
}

/// Imports the test export into a new archive in `dir`.
fn archive(dir: &Path) -> PathBuf {
    let conversations = [
        garden("c1"),
        short("c2", "Roast dinner", "What goes with roast tomatoes?", "Crusty bread.", 1.69e9),
        short(
            "c3",
            "Green tomatoes",
            "What can I cook with them?",
            "Fry them in cornmeal or flour (1:2), near the stove; don't rush.",
            1.68e9,
        ),
        short("c4", "Café crème", "Is a café au lait stronger?", "No, it is milder.", 1.67e9),
        short("c5", "東京旅行", "東京タワーに行きました", "楽しかったですか？", 1.66e9),
        short("c6", "Museum hours", "北京博物馆几点开门？", "박물관은 아홉 시에 열어요.", 1.65e9),
        answered("c7", "Winter", "What soup for winter?", "Lentil soup.", 1.60e9, "gpt-4"),
        answered("c8", "Autumn", "Another soup idea?", "Pumpkin soup.", NEW_YEAR_2024, "gpt-4o"),
        answered("c9", "Spring", "A soup for spring?", "Pea soup.", NEW_YEAR_2024, "gpt-4"),
        with_instructions("c10"),
    ];
    let db = dir.join("archive.db");
    import(&db, &[&zip_export(dir, "export.zip", &conversations, &[])], 0);
    db
}

/// Runs `search` with `args`; returns the exit code, stdout and stderr.
fn search(db: &Path, args: &[&str]) -> (i32, String, String) {
    let output = run(db, &[&["search"], args].concat());
    let text = |bytes: Vec<u8>| String::from_utf8(bytes).unwrap();
    (output.status.code().unwrap(), text(output.stdout), text(output.stderr))
}

/// A successful search's stdout: tab-separated rows, nothing on stderr.
fn tsv(lines: &[&str]) -> (i32, String, String) {
    let stdout: String = lines.iter().map(|line| format!("{line}\n")).collect();
    (0, stdout, String::new())
}

/// The answer of c3 as a tab-separated hit: short enough to be its own snippet.
const CORNMEAL: &str = "Green tomatoes\t2023-03-28T10:40:02.000000Z\tassistant\tgpt-4o\t\
    Fry them in cornmeal or flour (1:2), near the stove; don't rush.\tc3\tc3-a";

#[test]
fn title_matches_rank_above_text_matches() {
    let dir = tempfile::tempdir().unwrap();
    let db = archive(dir.path());
    assert_eq!(
        search(&db, &["tomatoes"]),
        tsv(&[
            "Tomatoes on a windy balcony\t2023-11-14T22:13:21.000000Z\tuser\t\t\
             How often should I water balcony tomatoes?\tc1\tq1",
            "Green tomatoes\t2023-03-28T10:40:01.000000Z\tuser\t\t\
             What can I cook with them?\tc3\tc3-q",
            "Roast dinner\t2023-07-22T04:26:41.000000Z\tuser\t\t\
             What goes with roast tomatoes?\tc2\tc2-q",
        ])
    );
}

#[test]
fn whatever_a_user_types_is_searched_as_words() {
    let dir = tempfile::tempdir().unwrap();
    let db = archive(dir.path());
    let found = [
        "cornmeal OR",
        "\"cornmeal",
        "cornmeal\"",
        "-flour",
        "flour:1",
        "(1:2)",
        "NEAR",
        "NEAR(the",
        "don't",
        "^fry",
        "cornmeal*",
        "stove;",
        "{cornmeal}",
        "\"fry flour\"",
    ];
    for query in found {
        assert_eq!(search(&db, &[query]), tsv(&[CORNMEAL]), "query {query:?}");
    }
    let missed = ["corn*", "a:b", "cornmeal NOT flour", "cornmeal AND", "NEAR(stove"];
    for query in missed {
        assert_eq!(search(&db, &[query]), tsv(&[]), "query {query:?}");
    }
    let warning = "warning: the query has no letters or digits to search for\n";
    for query in ["(", "*", "'", "^", "\"", "-", ":", "\"\"", ""] {
        assert_eq!(search(&db, &[query]), (0, String::new(), warning.into()), "query {query:?}");
    }
}

#[test]
fn fts_passes_query_syntax_through() {
    let dir = tempfile::tempdir().unwrap();
    let db = archive(dir.path());
    assert_eq!(search(&db, &["--fts", "corn*"]), tsv(&[CORNMEAL]));
    assert_eq!(search(&db, &["--fts", "cornmeal NOT flour"]), tsv(&[]));
    assert_eq!(search(&db, &["--fts", "NEAR(cornmeal stove, 10)"]), tsv(&[CORNMEAL]));
    assert_eq!(
        search(&db, &["--fts", "lentil OR pumpkin", "--role", "assistant"]),
        tsv(&[
            "Winter\t2020-09-13T12:26:42.000000Z\tassistant\tgpt-4\tLentil soup.\tc7\tc7-a",
            "Autumn\t2024-01-01T00:00:02.000000Z\tassistant\tgpt-4o\tPumpkin soup.\tc8\tc8-a",
        ])
    );
}

#[test]
fn a_bad_fts_query_is_an_error_with_a_hint() {
    let dir = tempfile::tempdir().unwrap();
    let db = archive(dir.path());
    let hint = "Hint: see https://sqlite.org/fts5.html#full_text_query_syntax, or leave out \
                --fts to search for the words as they are\n";
    assert_eq!(
        search(&db, &["--fts", "cornmeal AND ("]),
        (
            1,
            String::new(),
            format!(
                "Error: cannot read the FTS5 query \"cornmeal AND (\": fts5: syntax error \
                 near \"\"\n{hint}"
            )
        )
    );
    assert_eq!(
        search(&db, &["--fts", "\"unbalanced"]),
        (
            1,
            String::new(),
            format!(
                "Error: cannot read the FTS5 query \"\\\"unbalanced\": unterminated string\n{hint}"
            )
        )
    );
}

#[test]
fn chinese_japanese_and_korean_are_found_by_three_characters() {
    let dir = tempfile::tempdir().unwrap();
    let db = archive(dir.path());
    let tower = "東京旅行\t2022-08-08T23:06:41.000000Z\tuser\t\t東京タワーに行きました\tc5\tc5-q";
    assert_eq!(search(&db, &["京タワ"]), tsv(&[tower]));
    assert_eq!(search(&db, &["タワーに"]), tsv(&[tower]));
    assert_eq!(
        search(&db, &["博物馆"]),
        tsv(&["Museum hours\t2022-04-15T05:20:01.000000Z\tuser\t\t北京博物馆几点开门？\tc6\tc6-q"])
    );
    assert_eq!(
        search(&db, &["물관은"]),
        tsv(&["Museum hours\t2022-04-15T05:20:02.000000Z\tassistant\tgpt-4o\t\
             박물관은 아홉 시에 열어요.\tc6\tc6-a"])
    );
    assert_eq!(
        search(&db, &["旅行"]),
        tsv(&[]),
        "two characters are not enough for the trigram index"
    );
    assert_eq!(search(&db, &["京旅行"]), tsv(&[tower]), "the title matches");
}

#[test]
fn accents_are_folded_both_ways() {
    let dir = tempfile::tempdir().unwrap();
    let db = archive(dir.path());
    let cafe =
        "Café crème\t2022-12-02T16:53:21.000000Z\tuser\t\tIs a café au lait stronger?\tc4\tc4-q";
    assert_eq!(search(&db, &["cafe"]), tsv(&[cafe]));
    assert_eq!(search(&db, &["CAFÉ AU LAIT"]), tsv(&[cafe]));
    assert_eq!(search(&db, &["creme"]), tsv(&[cafe]));
}

#[test]
fn filters_combine() {
    let dir = tempfile::tempdir().unwrap();
    let db = archive(dir.path());
    let lentil = "Winter\t2020-09-13T12:26:42.000000Z\tassistant\tgpt-4\tLentil soup.\tc7\tc7-a";
    let pumpkin = "Autumn\t2024-01-01T00:00:02.000000Z\tassistant\tgpt-4o\tPumpkin soup.\tc8\tc8-a";
    let pea = "Spring\t2024-01-01T00:00:02.000000Z\tassistant\tgpt-4\tPea soup.\tc9\tc9-a";
    let all = ["soup", "--role", "assistant"];
    assert_eq!(search(&db, &all), tsv(&[lentil, pumpkin, pea]));
    assert_eq!(search(&db, &[&all[..], &["--since", "2024-01-01"]].concat()), tsv(&[pumpkin, pea]));
    assert_eq!(search(&db, &[&all[..], &["--model", "gpt-4"]].concat()), tsv(&[lentil, pea]));
    let every = [&all[..], &["--since", "2024-01-01", "--model", "gpt-4"]].concat();
    assert_eq!(search(&db, &every), tsv(&[pea]));
    let winter = "Winter\t2020-09-13T12:26:41.000000Z\tuser\t\tWhat soup for winter?\tc7\tc7-q";
    assert_eq!(search(&db, &["soup", "--until", "2023-12-31", "--role", "user"]), tsv(&[winter]));
    assert_eq!(search(&db, &["soup", "--conversation", "c8", "--limit", "1"]), tsv(&[pumpkin]));
    assert_eq!(
        search(&db, &["soup", "--title", "spring", "--role", "user"]),
        tsv(&["Spring\t2024-01-01T00:00:01.000000Z\tuser\t\tA soup for spring?\tc9\tc9-q"])
    );
}

#[test]
fn other_branches_are_searched_only_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let db = archive(dir.path());
    assert_eq!(search(&db, &["july"]), tsv(&[]));
    assert_eq!(
        search(&db, &["july", "--all-branches"]),
        tsv(&["Tomatoes on a windy balcony\t2023-11-14T22:13:22.000000Z\tassistant\tgpt-4o\t\
             Every morning in July, deeply.\tc1\ta1"])
    );
}

#[test]
fn custom_instructions_are_found_with_include_hidden() {
    let dir = tempfile::tempdir().unwrap();
    let db = archive(dir.path());
    assert_eq!(search(&db, &["bees"]), tsv(&[]));
    assert_eq!(
        search(&db, &["bees", "--include-hidden"]),
        tsv(&["Roof garden\t2024-01-01T00:00:10.000000Z\tuser\t\t\
             Keeps bees on the roof. Answer briefly.\tc10\tci"])
    );
}

#[test]
fn the_indexes_follow_renamed_titles_and_edited_text() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("archive.db");
    let trip = |title: &str, answer: &str| short("t", title, "旅行の計画", answer, 1.7e9);
    let plain = short("p", "Plain", "A question?", "An answer.", 1.6e9);
    let old = [trip("東京旅行 trip", "東京タワーに行きました"), plain.clone()];
    let new = [trip("大阪旅行 journey", "大阪城に行きました"), plain];
    let old = zip_export(dir.path(), "acct-2024-01-10-08-00-00.zip", &old, &[]);
    let new = zip_export(dir.path(), "acct-2024-06-01-08-00-00.zip", &new, &[]);
    import(&db, &[&old], 0);
    import(&db, &[&new], 0);

    for gone in ["東京旅", "京タワ", "trip"] {
        assert_eq!(search(&db, &[gone]), tsv(&[]), "query {gone:?}");
    }
    let question = "大阪旅行 journey\t2023-11-14T22:13:21.000000Z\tuser\t\t旅行の計画\tt\tt-q";
    assert_eq!(search(&db, &["阪旅行"]), tsv(&[question]));
    assert_eq!(search(&db, &["journey"]), tsv(&[question]));
    assert_eq!(
        search(&db, &["大阪城"]),
        tsv(&["大阪旅行 journey\t2023-11-14T22:13:22.000000Z\tassistant\tgpt-4o\t\
             大阪城に行きました\tt\tt-a"])
    );
    assert_eq!(query::<String>(&db, "PRAGMA integrity_check"), "ok");
    let conn = rusqlite::Connection::open(&db).unwrap();
    for index in ["messages_trigram", "conversations_fts", "conversations_trigram"] {
        let check = format!("INSERT INTO {index} ({index}) VALUES ('integrity-check')");
        conn.execute(&check, []).unwrap();
    }
}

/// One line of `search --json`, as docs/json.md describes it.
#[derive(Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonHit {
    title: Option<String>,
    title_highlights: Vec<[usize; 2]>,
    created_at: Option<String>,
    role: Option<String>,
    model: Option<String>,
    snippet: String,
    highlights: Vec<[usize; 2]>,
    conversation_id: String,
    node_id: String,
}

#[test]
fn json_lines_follow_the_documented_fields() {
    let dir = tempfile::tempdir().unwrap();
    let db = archive(dir.path());
    let (code, stdout, stderr) = search(&db, &["--json", "tomatoes café"]);
    assert_eq!((code, stderr.as_str()), (0, ""));
    assert_eq!(stdout, "");
    let (code, stdout, stderr) = search(&db, &["--json", "tomatoes", "--limit", "2"]);
    assert_eq!((code, stderr.as_str()), (0, ""));
    let hits: Vec<JsonHit> = stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(
        hits,
        [
            JsonHit {
                title: Some("Tomatoes on a windy balcony".into()),
                title_highlights: vec![[0, 8]],
                created_at: Some("2023-11-14T22:13:21.000000Z".into()),
                role: Some("user".into()),
                model: None,
                snippet: "How often should I water balcony tomatoes?".into(),
                highlights: vec![[33, 41]],
                conversation_id: "c1".into(),
                node_id: "q1".into(),
            },
            JsonHit {
                title: Some("Green tomatoes".into()),
                title_highlights: vec![[6, 14]],
                created_at: Some("2023-03-28T10:40:01.000000Z".into()),
                role: Some("user".into()),
                model: None,
                snippet: "What can I cook with them?".into(),
                highlights: vec![],
                conversation_id: "c3".into(),
                node_id: "c3-q".into(),
            },
        ]
    );
    let (_, stdout, _) = search(&db, &["--json", "博物馆"]);
    let hit: JsonHit = serde_json::from_str(stdout.lines().next().unwrap()).unwrap();
    assert_eq!((hit.snippet.as_str(), hit.highlights), ("北京博物馆几点开门？", vec![[2, 5]]));
}

#[test]
fn csv_has_a_header_and_the_same_columns() {
    let dir = tempfile::tempdir().unwrap();
    let db = archive(dir.path());
    assert_eq!(
        search(&db, &["--csv", "lentil"]),
        tsv(&[
            "title,created_at,role,model,snippet,conversation_id,node_id",
            "Winter,2020-09-13T12:26:42.000000Z,assistant,gpt-4,Lentil soup.,c7,c7-a",
        ])
    );
}

#[test]
fn an_archive_without_the_search_indexes_is_explained() {
    let dir = tempfile::tempdir().unwrap();
    let db = archive(dir.path());
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute("DELETE FROM refinery_schema_history WHERE version >= 2", [])
        .unwrap();
    assert_eq!(
        search(&db, &["soup"]),
        (
            1,
            String::new(),
            format!(
                "Error: the archive at {} has no search index yet\nHint: import any export \
                 (even one imported before) to bring the archive up to date\n",
                db.display()
            )
        )
    );
}

#[test]
fn views_answer_common_questions() {
    let dir = tempfile::tempdir().unwrap();
    let db = archive(dir.path());
    assert_eq!(
        rows(
            &db,
            "SELECT title, node_id, role, text FROM messages_with_context
             WHERE conversation_id = 'c10' ORDER BY depth"
        ),
        [
            ["Roof garden", "ci", "user", "Keeps bees on the roof.\nAnswer briefly."],
            ["Roof garden", "rq", "user", "Which flowers should I plant?"],
            ["Roof garden", "ra", "assistant", "Lavender and borage."],
        ]
    );
    assert_eq!(
        rows(&db, "SELECT * FROM daily_activity WHERE day >= '2023-11-14'"),
        [["2023-11-14", "6", "3", "1"], ["2024-01-01", "6", "3", "3"]]
    );
}

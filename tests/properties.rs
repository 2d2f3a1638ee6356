//! Properties of the merge: importing any set of exports in any order, in one run or
//! several, yields the same archive contents (apart from the import log).

mod support;

use std::path::{Path, PathBuf};

use chatarchive::store::{Archive, ImportOptions, Progress};
use proptest::prelude::*;
use serde_json::{Value, json};
use support::*;

struct Silent;

impl Progress for Silent {
    fn start_file(&self, _: &str, _: u64) {}
    fn advance(&self, _: u64) {}
    fn finish_file(&self) {}
}

/// What one export does to one conversation of the pool.
#[derive(Debug, Clone)]
enum Change {
    Absent,
    Original,
    Retitled,
    Appended,
    Slim,
    OtherBranch,
}

fn change() -> impl Strategy<Value = Change> {
    prop_oneof![
        Just(Change::Absent),
        Just(Change::Original),
        Just(Change::Retitled),
        Just(Change::Appended),
        Just(Change::Slim),
        Just(Change::OtherBranch),
    ]
}

fn apply(id: &str, change: &Change, export: usize) -> Option<Value> {
    let mut conversation = garden(id);
    match change {
        Change::Absent => return None,
        Change::Original => {}
        Change::Retitled => conversation["title"] = json!(format!("Renamed in export {export}")),
        Change::Appended => {
            let node = message("late", Some("a2b"), "assistant", "Added later.", 1.7e9 + 99.0);
            conversation["mapping"]["late"] = node;
            conversation["current_node"] = json!("late");
        }
        Change::Slim => {
            for node in conversation["mapping"].as_object_mut().unwrap().values_mut() {
                node.as_object_mut().unwrap().remove("children");
                if let Some(message) = node["message"].as_object_mut() {
                    message.remove("metadata");
                    message.remove("weight");
                }
            }
        }
        Change::OtherBranch => conversation["current_node"] = json!("a1"),
    }
    Some(conversation)
}

/// Writes the exports, dated one month apart, and returns their paths.
fn write_exports(dir: &Path, plan: &[Vec<Change>]) -> Vec<PathBuf> {
    plan.iter()
        .enumerate()
        .map(|(i, changes)| {
            let conversations: Vec<Value> = changes
                .iter()
                .enumerate()
                .filter_map(|(k, change)| apply(&format!("conv-{k}"), change, i))
                .collect();
            let name = format!("acct-2025-{:02}-01-12-00-00.zip", i + 1);
            zip_export(dir, &name, &conversations, &[])
        })
        .collect()
}

fn import_runs(db: &Path, runs: &[Vec<PathBuf>]) -> Vec<String> {
    let mut archive = Archive::open(db).unwrap();
    for paths in runs {
        archive.import(paths, ImportOptions::default(), &Silent).unwrap();
    }
    contents(db)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn import_order_never_changes_the_archive(
        plan in prop::collection::vec(prop::collection::vec(change(), 3), 3),
        order in Just(vec![0usize, 1, 2]).prop_shuffle(),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let exports = write_exports(dir.path(), &plan);
        let in_date_order: Vec<Vec<PathBuf>> = exports.iter().map(|p| vec![p.clone()]).collect();
        let shuffled: Vec<Vec<PathBuf>> = order.iter().map(|&i| vec![exports[i].clone()]).collect();
        let one_run = vec![order.iter().map(|&i| exports[i].clone()).collect::<Vec<_>>()];

        let expected = import_runs(&dir.path().join("dated.db"), &in_date_order);
        prop_assert_eq!(&import_runs(&dir.path().join("shuffled.db"), &shuffled), &expected);
        prop_assert_eq!(&import_runs(&dir.path().join("one-run.db"), &one_run), &expected);
    }
}

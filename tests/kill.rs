//! An import killed with SIGKILL part-way leaves the archive exactly as it was, and the
//! next import works.

mod support;

use std::time::{Duration, Instant};

use serde_json::Value;
use support::*;

/// About 6 MB of conversations: enough that importing takes far longer than the wait below.
fn large_export(dir: &std::path::Path) -> std::path::PathBuf {
    let filler = "Seedlings need light, water and patience in that order. ".repeat(16);
    let conversations: Vec<Value> = (0..3000)
        .map(|i| {
            short(&format!("big-{i}"), &format!("Big {i}"), &filler, &filler, 1.6e9 + i as f64)
        })
        .collect();
    zip_export(dir, "large.zip", &conversations, &[])
}

#[test]
fn a_killed_import_leaves_the_archive_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let small = zip_export(dir.path(), "small.zip", &[garden("c1")], &[]);
    import(&db, &[&small], 0);
    let before = everything(&db);
    let large = large_export(dir.path());

    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_chatarchive"))
        .arg("--db")
        .arg(&db)
        .args(["import", "--quiet"])
        .arg(&large)
        .spawn()
        .unwrap();
    let started = Instant::now();
    while query::<i64>(&db, "SELECT count(*) FROM conversations") == 1
        && std::fs::metadata(dir.path().join("a.db-wal")).map_or(0, |m| m.len()) < 1_000_000
        && started.elapsed() < Duration::from_secs(20)
    {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(child.try_wait().unwrap().is_none(), "the import finished before it could be killed");
    child.kill().unwrap();
    child.wait().unwrap();

    assert_eq!(everything(&db), before);
    assert_eq!(query::<String>(&db, "PRAGMA integrity_check"), "ok");
    import(&db, &[&large], 0);
    assert_eq!(query::<i64>(&db, "SELECT count(*) FROM conversations"), 3001);
}

//! The checks of attachments kept in the archive: every file the facts count as resolvable
//! is stored, byte for byte as the fixture holds it, and written back out by `chatarchive
//! attachment ID --out PATH`; every unresolvable one is listed as missing; Library files,
//! group chat attachments and 2026 `.dat` files are stored under their original names and
//! sniffed types; the series stores its one photo once.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

use super::archive::Archive;
use super::check::Checker;
use super::fixtures::Expected;
use super::json;

/// Runs every attachment check of an export fixture imported alone into `db`.
pub fn check_export(c: &mut Checker, expected: &Expected, db: &Archive) {
    let facts = &expected.facts;
    let attachments = json::field(facts, "attachments");
    c.within("resolved", |c| check_resolved(c, expected, attachments, db));
    c.within("unresolvable", |c| check_unresolvable(c, attachments, db));
    if let Some(names) = facts.get("asset_file_names") {
        c.within("asset_file_names", |c| check_asset_file_names(c, names, db));
    }
    if let Some(library) = facts.get("library_files") {
        c.within("library_files", |c| check_targets(c, expected, library, "library", db));
    }
    if let Some(chats) = facts.get("group_chats") {
        c.within("group_chats", |c| check_targets(c, expected, chats, "group_chat", db));
    }
}

/// Every resolvable file is stored, from the member the facts name, with the fixture's
/// bytes, and `attachment` writes those bytes out.
fn check_resolved(c: &mut Checker, expected: &Expected, attachments: &Value, db: &Archive) {
    let resolved = json::str_map(attachments, "resolved");
    c.eq("resolvable", json::int(attachments, "resolvable"), resolved.len() as i64);
    let sql = "SELECT DISTINCT status, member FROM attachments \
               WHERE source = 'message' AND file_id = ?1";
    for (file_id, member) in &resolved {
        let found: Vec<(String, Option<String>)> =
            db.rows(sql, [file_id], |r| Ok((r.get(0)?, r.get(1)?)));
        let wanted = vec![("stored".to_string(), Some(member.clone()))];
        c.eq(format!("{file_id}: (status, member)"), wanted, found);
        check_bytes(c, expected, db, file_id, member);
    }
    let stored = "SELECT count(DISTINCT file_id) FROM attachments \
                  WHERE source = 'message' AND status = 'stored'";
    c.eq("distinct message files stored", resolved.len() as i64, db.int(stored, []));
}

/// The file's stored bytes and those `attachment ID --out` writes equal the fixture's.
fn check_bytes(c: &mut Checker, expected: &Expected, db: &Archive, file_id: &str, member: &str) {
    let original = member_bytes(expected, member);
    let sql = "SELECT m.data FROM attachments AS a JOIN media AS m ON m.sha256 = a.sha256 \
               WHERE a.file_id = ?1 LIMIT 1";
    let stored: Vec<Vec<u8>> = db.rows(sql, [file_id], |r| r.get(0));
    c.ensure(stored.first() == Some(&original), || {
        format!("{file_id}: media.data differs from {member} ({} bytes)", original.len())
    });
    let out = tempfile::tempdir().expect("a scratch folder");
    let path = out.path().join("written");
    let (code, stderr) = attachment(db, file_id, &path);
    c.eq(format!("{file_id}: `attachment --out` exit code ({stderr})"), 0, code);
    let written = std::fs::read(&path).unwrap_or_default();
    c.ensure(written == original, || {
        format!("{file_id}: `attachment --out` wrote {} bytes unlike {member}", written.len())
    });
}

/// Unresolvable files are listed as missing, by SQL and by `attachments --missing`, and
/// `attachment` refuses them.
fn check_unresolvable(c: &mut Checker, attachments: &Value, db: &Archive) {
    let expected: BTreeSet<String> =
        json::strings(attachments, "unresolvable").into_iter().collect();
    let sql = "SELECT DISTINCT file_id FROM attachments \
               WHERE source = 'message' AND status = 'missing'";
    let missing: BTreeSet<String> = db.strings(sql, []).into_iter().collect();
    c.eq("missing in the attachments view", &expected, &missing);
    let listed = run(db, &["attachments", "--missing", "--source", "message", "--json"]);
    let listed: BTreeSet<String> = listed
        .0
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter_map(|row| row["file_id"].as_str().map(str::to_string))
        .collect();
    c.eq("`attachments --missing`", &expected, &listed);
    for file_id in &expected {
        let out = tempfile::tempdir().expect("a scratch folder");
        let (code, stderr) = attachment(db, file_id, &out.path().join("x"));
        c.ensure(code == 1 && stderr.contains("missing"), || {
            format!("`attachment {file_id}` should fail as missing: {code} {stderr}")
        });
    }
}

/// Each 2026 `.dat` file: stored under its original name, its bytes sniffed as the facts
/// say (WAV is not WebP).
fn check_asset_file_names(c: &mut Checker, names: &Value, db: &Archive) {
    let object = names.as_object().expect("asset_file_names is an object");
    for (member, entry) in object {
        let original = json::str(entry, "original");
        let base = original.rsplit('/').next().unwrap_or(&original).to_string();
        let sql = "SELECT e.name, m.media_type FROM export_assets AS e \
                   LEFT JOIN media AS m ON m.sha256 = e.sha256 WHERE e.member = ?1";
        let found: Vec<(Option<String>, Option<String>)> =
            db.rows(sql, [member], |r| Ok((r.get(0)?, r.get(1)?)));
        let sniffed = json::str(entry, "sniffed");
        let wanted = if entry["present"].as_bool() == Some(true) {
            vec![(Some(base), Some(sniffed))]
        } else {
            vec![]
        };
        c.eq(format!("{member}: (name, sniffed type)"), wanted, found);
    }
}

/// Library rows and group chat attachments: each resolvable target is stored from the
/// member the facts name.
fn check_targets(c: &mut Checker, expected: &Expected, facts: &Value, source: &str, db: &Archive) {
    let (list, id_key) = if source == "library" {
        ("entries", "file_id")
    } else {
        ("attachment_targets", "target_id")
    };
    let wanted: BTreeMap<String, String> = json::array(facts, list)
        .iter()
        .filter_map(|e| Some((json::str(e, id_key), e.get("member")?.as_str()?.to_string())))
        .collect();
    let sql = "SELECT file_id, member FROM attachments WHERE source = ?1 AND status = 'stored'";
    let stored = db.text_map(sql, [source]);
    c.eq(format!("stored {source} files"), &wanted, &stored);
    for (file_id, member) in &wanted {
        check_bytes(c, expected, db, file_id, member);
    }
}

/// The series: the one photo is stored once, whatever the order, and every reference to it
/// resolves.
pub fn check_series(c: &mut Checker, after: &Value, db: &Archive) {
    let blobs = json::int(after, "distinct_asset_blobs");
    c.eq("distinct_asset_blobs (rows in media)", blobs, db.int("SELECT count(*) FROM media", []));
    let sql = "SELECT DISTINCT status FROM attachments WHERE source = 'message'";
    c.eq("status of every message attachment", vec!["stored".to_string()], db.strings(sql, []));
}

/// A member's bytes, read straight from the fixture (ZIP or folder).
fn member_bytes(expected: &Expected, member: &str) -> Vec<u8> {
    let input = expected.input_paths().remove(0);
    if input.is_dir() {
        return std::fs::read(input.join(member)).unwrap_or_default();
    }
    let file = std::fs::File::open(&input).expect("the fixture opens");
    let mut zip = zip::ZipArchive::new(file).expect("the fixture is a ZIP");
    let mut bytes = Vec::new();
    if let Ok(mut entry) = zip.by_name(member) {
        entry.read_to_end(&mut bytes).expect("the member reads");
    }
    bytes
}

/// Runs `chatarchive attachment FILE_ID --out PATH`; returns the exit code and stderr.
fn attachment(db: &Archive, file_id: &str, out: &Path) -> (i32, String) {
    let out = out.display().to_string();
    let (_, code, stderr) = run(db, &["attachment", file_id, "--out", &out]);
    (code, stderr)
}

/// Runs the binary on the archive; returns stdout, the exit code and stderr.
fn run(db: &Archive, args: &[&str]) -> (String, i32, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_chatarchive"))
        .arg("--db")
        .arg(db.path())
        .args(args)
        .env_remove("CHATARCHIVE_DB")
        .output()
        .expect("chatarchive runs");
    let text = |bytes: Vec<u8>| String::from_utf8_lossy(&bytes).into_owned();
    (text(output.stdout), output.status.code().unwrap_or(-1), text(output.stderr))
}

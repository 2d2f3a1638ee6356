//! Attachments kept in the archive: files of every era's layout resolved and stored once,
//! written back byte for byte; missing files recorded and filled by any export in any order;
//! `--no-media` and the per-member limit; hostile member names and names from the export
//! that never place a file; decompression bombs refused and large members streamed in
//! bounded memory. All exports are built here.

mod support;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::*;

const PHOTO_ID: &str = "file-Ph0t0Ph0t0Ph0t0Ph0t0Ph0";
const DALLE_ID: &str = "file-Da11eDa11eDa11eDa11eDa1";
const UPLOAD_ID: &str = "file_00000000aaaaaaaaaaaaaaaaaaaaaaaa";
const VOICE_ID: &str = "file_00000000bbbbbbbbbbbbbbbbbbbbbbbb";
const DAT_ID: &str = "file_00000000cccccccccccccccccccccccc";
const BARE_ID: &str = "file_00000000dddddddddddddddddddddddd";
const CHAT_ID: &str = "file-Ch4tCh4tCh4tCh4tCh4tCh4";
const EXPIRED_ID: &str = "file_00000000eeeeeeeeeeeeeeeeeeeeeeee";

/// A PNG header of the given size, then `filler` bytes.
fn png(width: u32, height: u32, filler: &[u8]) -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
    bytes.extend_from_slice(&width.to_be_bytes());
    bytes.extend_from_slice(&height.to_be_bytes());
    bytes.extend_from_slice(b"\x08\x02\0\0\0");
    bytes.extend_from_slice(filler);
    bytes
}

fn wav(filler: &[u8]) -> Vec<u8> {
    let mut bytes = b"RIFF\x24\x00\x00\x00WAVEfmt \x10\0\0\0".to_vec();
    bytes.extend_from_slice(filler);
    bytes
}

fn webp(filler: &[u8]) -> Vec<u8> {
    let mut bytes = b"RIFF\x24\x00\x00\x00WEBPVP8 ".to_vec();
    bytes.extend_from_slice(filler);
    bytes
}

/// A user message whose content holds `parts` and whose metadata lists `attachments`.
fn with_parts(id: &str, parent: &str, parts: Value, attachments: Value, time: f64) -> Value {
    let mut node = message(id, Some(parent), "user", "", time);
    node["message"]["content"] = json!({"content_type": "multimodal_text", "parts": parts});
    node["message"]["metadata"] = json!({"attachments": attachments});
    node
}

fn image_part(pointer: &str) -> Value {
    json!({"content_type": "image_asset_pointer", "asset_pointer": pointer,
           "size_bytes": 99, "width": 1, "height": 1})
}

/// One conversation pointing to a file of every layout, and an expired voice clip.
fn gallery() -> Value {
    let t = 1.72e9;
    let photo = with_parts(
        "g-photo",
        "g-r",
        json!([image_part(&format!("file-service://{PHOTO_ID}")), "My fence."]),
        json!([{"id": PHOTO_ID, "name": "fence.png", "mimeType": "image/png"}]),
        t + 1.0,
    );
    let mut dalle = message("g-dalle", Some("g-photo"), "tool", "", t + 2.0);
    dalle["message"]["author"]["name"] = json!("dalle.text2im");
    dalle["message"]["content"] = json!({"content_type": "multimodal_text",
        "parts": [image_part(&format!("file-service://{DALLE_ID}"))]});
    let upload = with_parts(
        "g-upload",
        "g-dalle",
        json!([image_part(&format!("sediment://{UPLOAD_ID}"))]),
        json!([{"id": UPLOAD_ID, "name": "IMG_0001.png", "mime_type": "image/png", "size": 5}]),
        t + 3.0,
    );
    let voice = with_parts(
        "g-voice",
        "g-upload",
        json!([{"content_type": "real_time_user_audio_video_asset_pointer",
                "audio_asset_pointer": {"content_type": "audio_asset_pointer",
                    "asset_pointer": format!("sediment://{VOICE_ID}"), "format": "wav"}},
               {"content_type": "audio_asset_pointer",
                "asset_pointer": format!("sediment://{EXPIRED_ID}"), "size_bytes": 4242}]),
        json!([]),
        t + 4.0,
    );
    let dat = with_parts(
        "g-dat",
        "g-voice",
        json!([
            image_part(&format!("sediment://{DAT_ID}")),
            image_part(&format!("sediment://{BARE_ID}")),
            image_part(&format!("file-service://{CHAT_ID}"))
        ]),
        json!([]),
        t + 5.0,
    );
    conversation("g1", "Gallery", t, "g-dat", vec![root("g-r"), photo, dalle, upload, voice, dat])
}

/// The members of the gallery export besides `conversations.json`, with their bytes.
fn gallery_files() -> Vec<(String, Vec<u8>)> {
    vec![
        (format!("{PHOTO_ID}-fence.png"), png(40, 30, b"photo")),
        (format!("dalle-generations/{DALLE_ID}-0da5aadd.webp"), webp(b"dalle")),
        (format!("user-U1/{UPLOAD_ID}-8a5ad2f7.png"), png(48, 36, b"upload")),
        (format!("g1/audio/{VOICE_ID}-ea028eff.wav"), wav(b"voice")),
        (format!("{DAT_ID}.dat"), png(8, 8, b"dat")),
        (format!("{BARE_ID}.dat"), wav(b"a wav, not a webp")),
        ("pictures/kitchen.jpg".to_string(), b"\xff\xd8\xff\xe0kitchen".to_vec()),
        (
            "conversation_asset_file_names.json".to_string(),
            json!({format!("{DAT_ID}.dat"): "IMG_20260114_101530.png",
                   format!("{BARE_ID}.dat"): "86d720b1-4d46-43f4-86f8-378d7cf6024a"})
            .to_string()
            .into_bytes(),
        ),
        (
            "chat.html".to_string(),
            format!(
                "<script>var jsonData = [];\nvar assetsJson = {{\"file-service://{CHAT_ID}\": \
                 \"pictures/kitchen.jpg\"}};\n</script>"
            )
            .into_bytes(),
        ),
    ]
}

fn zip_with(
    dir: &Path,
    name: &str,
    conversations: &[Value],
    files: &[(String, Vec<u8>)],
) -> PathBuf {
    let extra: Vec<(&str, &[u8])> = files.iter().map(|(n, b)| (n.as_str(), b.as_slice())).collect();
    zip_export(dir, name, conversations, &extra)
}

/// The bytes a member of the gallery export holds.
fn bytes_of(member_start: &str) -> Vec<u8> {
    let files = gallery_files();
    files.into_iter().find(|(n, _)| n.starts_with(member_start)).expect("a gallery file").1
}

/// `attachments` rows: file id → (status, name, media type, size, width, height), for
/// the messages.
fn listed(db: &Path) -> Vec<(String, String, String, String, String, String, String)> {
    rows(
        db,
        "SELECT file_id, status, coalesce(name, '-'), coalesce(media_type, '-'),
             coalesce(size, '-'), coalesce(width, '-'), coalesce(height, '-')
         FROM attachments WHERE source = 'message' AND json_path NOT LIKE '$.metadata%'
         ORDER BY node_id, json_path",
    )
    .into_iter()
    .map(|r| {
        let mut r = r.into_iter();
        let mut next = || r.next().unwrap();
        (next(), next(), next(), next(), next(), next(), next())
    })
    .collect()
}

fn tuple(values: [&str; 7]) -> (String, String, String, String, String, String, String) {
    let [a, b, c, d, e, f, g] = values.map(str::to_string);
    (a, b, c, d, e, f, g)
}

/// Runs the binary and returns (exit code, stdout, stderr).
fn chatarchive(db: &Path, args: &[&str]) -> (i32, Vec<u8>, String) {
    let output = run(db, args);
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    (output.status.code().unwrap_or(-1), output.stdout, stderr)
}

#[test]
fn every_layout_is_resolved_stored_and_written_back_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let zip = zip_with(dir.path(), "e.zip", &[gallery()], &gallery_files());
    import(&db, &[&zip], 0);

    assert_eq!(
        listed(&db),
        [
            // Dimensions of 1 come from the parts where the bytes tell none.
            tuple([DALLE_ID, "stored", "0da5aadd.webp", "image/webp", "21", "1", "1"]),
            tuple([DAT_ID, "stored", "IMG_20260114_101530.png", "image/png", "32", "8", "8"]),
            tuple([
                BARE_ID,
                "stored",
                "86d720b1-4d46-43f4-86f8-378d7cf6024a",
                "audio/wav",
                "37",
                "1",
                "1"
            ]),
            tuple([CHAT_ID, "stored", "kitchen.jpg", "image/jpeg", "11", "1", "1"]),
            tuple([PHOTO_ID, "stored", "fence.png", "image/png", "34", "40", "30"]),
            tuple([UPLOAD_ID, "stored", "IMG_0001.png", "image/png", "35", "48", "36"]),
            tuple([VOICE_ID, "stored", "ea028eff.wav", "audio/wav", "25", "-", "-"]),
            tuple([EXPIRED_ID, "missing", "-", "-", "4242", "-", "-"]),
        ]
    );
    assert_eq!(query::<i64>(&db, "SELECT count(*) FROM media"), 7);
    let sniffed = "SELECT media_type FROM media WHERE size = 37";
    assert_eq!(query::<String>(&db, sniffed), "audio/wav", "RIFF WAVE is not WebP");

    for (id, member) in [
        (PHOTO_ID, PHOTO_ID),
        (DALLE_ID, "dalle-generations/"),
        (UPLOAD_ID, "user-U1/"),
        (VOICE_ID, "g1/audio/"),
        (DAT_ID, DAT_ID),
        (BARE_ID, BARE_ID),
        (CHAT_ID, "pictures/"),
    ] {
        let out = dir.path().join(format!("{id}.out"));
        let (code, _, stderr) =
            chatarchive(&db, &["attachment", id, "--out", out.to_str().unwrap()]);
        assert_eq!(code, 0, "{stderr}");
        assert_eq!(std::fs::read(&out).unwrap(), bytes_of(member), "{id}");
    }
    let (code, stdout, _) = chatarchive(&db, &["attachment", &DAT_ID[..20], "--out", "-"]);
    assert_eq!((code, stdout), (0, bytes_of(DAT_ID)), "a unique start of an id, to stdout");
}

#[test]
fn show_names_each_attachment_once_and_says_missing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let zip = zip_with(dir.path(), "e.zip", &[gallery()], &gallery_files());
    import(&db, &[&zip], 0);
    let (code, stdout, _) = chatarchive(&db, &["show", "g1", "--utc"]);
    assert_eq!(code, 0);
    let stdout = String::from_utf8(stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().filter(|l| l.starts_with("attachment:")).collect();
    assert_eq!(
        lines,
        [
            format!("attachment: fence.png (image/png, 34 B; file id {PHOTO_ID})"),
            format!("attachment: 0da5aadd.webp (image/webp, 21 B; file id {DALLE_ID})"),
            format!("attachment: IMG_0001.png (image/png, 35 B; file id {UPLOAD_ID})"),
            format!("attachment: ea028eff.wav (audio/wav, 25 B; file id {VOICE_ID})"),
            format!("attachment: sediment://{EXPIRED_ID} (missing; file id {EXPIRED_ID})"),
            format!("attachment: IMG_20260114_101530.png (image/png, 32 B; file id {DAT_ID})"),
            format!(
                "attachment: 86d720b1-4d46-43f4-86f8-378d7cf6024a (audio/wav, 37 B; file id \
                 {BARE_ID})"
            ),
            format!("attachment: kitchen.jpg (image/jpeg, 11 B; file id {CHAT_ID})"),
        ]
    );
}

/// Exports dated a month apart: the older one has the photo, the newer one only points to it.
fn older_and_newer(dir: &Path) -> (PathBuf, PathBuf) {
    let files = gallery_files();
    let older = zip_with(dir, "acct-2025-01-01-12-00-00.zip", &[gallery()], &files);
    let mut renamed = gallery();
    renamed["title"] = json!("Gallery, renamed");
    let newer = zip_with(dir, "acct-2025-02-01-12-00-00.zip", &[renamed], &[]);
    (older, newer)
}

/// The attachment rows and stored contents: what must not depend on the import order.
fn attachment_state(db: &Path) -> Vec<Vec<String>> {
    let mut state = rows(db, "SELECT * FROM attachments ORDER BY 1, 2, 3, 4, 5, 6, 7");
    state.extend(rows(db, "SELECT sha256, size, media_type, width, height FROM media ORDER BY 1"));
    state.extend(rows(
        db,
        "SELECT e.name, a.member, a.file_id, a.name, a.media_type, a.size, a.sha256, a.skipped
         FROM export_assets AS a JOIN exports AS e ON e.id = a.export_id ORDER BY 1, 2",
    ));
    state
}

#[test]
fn a_missing_file_is_filled_by_any_export_in_any_order() {
    let dir = tempfile::tempdir().unwrap();
    let (older, newer) = older_and_newer(dir.path());

    let newer_only = dir.path().join("newer.db");
    import(&newer_only, &[&newer], 0);
    let missing = rows(&newer_only, "SELECT DISTINCT status FROM attachments");
    assert_eq!(missing, [["missing"]]);
    let (code, stdout, _) = chatarchive(&newer_only, &["attachments", "--missing", "--json"]);
    assert_eq!((code, String::from_utf8(stdout).unwrap().lines().count()), (0, 8));

    let mut states = Vec::new();
    for (name, runs) in [
        ("older first", vec![vec![&older], vec![&newer]]),
        ("newer first", vec![vec![&newer], vec![&older]]),
        ("together", vec![vec![&newer, &older]]),
        ("twice", vec![vec![&older, &newer], vec![&newer], vec![&older, &newer]]),
    ] {
        let db = dir.path().join(format!("{name}.db"));
        for paths in runs {
            let paths: Vec<&Path> = paths.iter().map(|p| p.as_path()).collect();
            import(&db, &paths, 0);
        }
        states.push((name, attachment_state(&db)));
    }
    for (name, state) in &states[1..] {
        let first = &states[0].1;
        let differing: Vec<_> = state.iter().zip(first).filter(|(a, b)| a != b).collect();
        assert_eq!(state.len(), first.len(), "{name} vs {}", states[0].0);
        assert!(differing.is_empty(), "{name} vs {}: {differing:?}", states[0].0);
    }
    let db = dir.path().join("twice.db");
    assert_eq!(query::<i64>(&db, "SELECT count(*) FROM media"), 7, "each file stored once");
    let statuses = rows(&db, "SELECT status, count(*) FROM attachments GROUP BY 1 ORDER BY 1");
    assert_eq!(statuses, [["missing", "1"], ["stored", "9"]]);
}

#[test]
fn no_media_records_references_and_a_later_import_stores_the_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let zip = zip_with(dir.path(), "e.zip", &[gallery()], &gallery_files());
    let (code, _, stderr) =
        chatarchive(&db, &["import", "--quiet", "--no-media", zip.to_str().unwrap()]);
    assert_eq!((code, stderr.as_str()), (0, ""));
    assert_eq!(query::<i64>(&db, "SELECT count(*) FROM media"), 0);
    let skipped = rows(&db, "SELECT DISTINCT skipped FROM export_assets");
    assert_eq!(skipped, [["no_media"]]);
    let statuses = rows(&db, "SELECT status, count(*) FROM attachments GROUP BY 1 ORDER BY 1");
    assert_eq!(statuses, [["missing", "1"], ["skipped", "9"]]);
    let (code, _, stderr) = chatarchive(&db, &["attachment", PHOTO_ID, "--out", "x"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("imported with --no-media"), "{stderr}");
    let (_, shown, _) = chatarchive(&db, &["show", "g1"]);
    let shown = String::from_utf8(shown).unwrap();
    assert!(
        shown.contains(&format!("fence.png (image/png, 34 B, not stored; file id {PHOTO_ID})")),
        "{shown}"
    );

    import(&db, &[&zip], 0);
    assert_eq!(query::<i64>(&db, "SELECT count(*) FROM media"), 7);
    let statuses = rows(&db, "SELECT status, count(*) FROM attachments GROUP BY 1 ORDER BY 1");
    assert_eq!(statuses, [["missing", "1"], ["stored", "9"]]);
}

#[test]
fn a_member_over_the_limit_is_skipped_with_a_warning_and_the_rest_imported() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let mut files = gallery_files();
    files[0].1.extend(std::iter::repeat_n(7u8, 5000));
    let zip = zip_with(dir.path(), "e.zip", &[gallery()], &files);
    let zip = zip.to_str().unwrap();
    let (code, stdout, stderr) =
        chatarchive(&db, &["import", "--quiet", "--json", "--max-member-size", "4K", zip]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        stderr,
        format!(
            "warning: {zip}!{PHOTO_ID}-fence.png: not stored: the file is larger than the \
             per-member limit of 4096 bytes (raise it with --max-member-size BYTES); its \
             references are kept\n"
        )
    );
    let report: Value = serde_json::from_slice(&stdout).unwrap();
    assert_eq!(
        report["exports"][0]["attachments"],
        json!({"files": 7, "stored": 6, "stored_bytes": 161, "already_stored": 0,
               "not_stored": 0, "too_large": 1})
    );
    let status = format!("SELECT DISTINCT status FROM attachments WHERE file_id = '{PHOTO_ID}'");
    assert_eq!(query::<String>(&db, &status), "skipped");
    let (code, _, stderr) = chatarchive(&db, &["attachment", PHOTO_ID, "--out", "x"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("higher --max-member-size"), "{stderr}");

    import(&db, &[Path::new(zip)], 0);
    assert_eq!(query::<String>(&db, &status), "stored");
    let (code, _, stderr) = chatarchive(&db, &["import", "--max-member-size", "2GiB", zip]);
    assert_eq!(code, 2);
    assert!(stderr.contains("the most SQLite holds in one value"), "{stderr}");
}

#[test]
fn names_from_the_export_never_place_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    std::fs::create_dir(&work).unwrap();
    let db = dir.path().join("a.db");
    let mut conversation = gallery();
    let hostile = "../../escaped.sh";
    conversation["mapping"]["g-photo"]["message"]["metadata"]["attachments"][0]["name"] =
        json!(hostile);
    let mut files = gallery_files();
    files[7].1 = json!({format!("{DAT_ID}.dat"): "/etc/../../escaped.png",
                        format!("{BARE_ID}.dat"): "..\\..\\escaped.wav"})
    .to_string()
    .into_bytes();
    files[8].1 =
        format!("var assetsJson = {{\"file-service://{CHAT_ID}\": \"../../outside.jpg\"}};")
            .into_bytes();
    let zip = zip_with(dir.path(), "e.zip", &[conversation], &files);
    import(&db, &[&zip], 0);
    let names = rows(&db, "SELECT DISTINCT name FROM attachments WHERE name LIKE '%escaped%'");
    assert_eq!(names.len(), 3, "hostile names are kept as text: {names:?}");
    let chat = format!("SELECT status FROM attachments WHERE file_id = '{CHAT_ID}'");
    assert_eq!(query::<String>(&db, &chat), "missing", "a map never names a member outside");

    let out = work.join("out.bin");
    let args = ["attachment", PHOTO_ID, "--out", out.to_str().unwrap()];
    let output = Command::new(env!("CARGO_BIN_EXE_chatarchive"))
        .arg("--db")
        .arg(&db)
        .args(args)
        .current_dir(&work)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(files_below(dir.path()), ["a.db", "e.zip", "work/out.bin"]);

    let (code, _, stderr) = chatarchive(&db, &args);
    assert_eq!(code, 1, "an existing file is left alone");
    assert!(stderr.contains("--force"), "{stderr}");
    std::fs::write(&out, b"old").unwrap();
    let (code, _, _) = chatarchive(&db, &[&args[..], &["--force"]].concat());
    assert_eq!(code, 0);
    assert_eq!(std::fs::read(&out).unwrap(), bytes_of(PHOTO_ID));
}

/// Every file below `dir`, relative, sorted; the archive's `-wal`/`-shm` left out.
fn files_below(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(at) = stack.pop() {
        for entry in std::fs::read_dir(&at).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let relative = path.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
                if !relative.ends_with("-wal") && !relative.ends_with("-shm") {
                    found.push(relative);
                }
            }
        }
    }
    found.sort();
    found
}

#[test]
fn hostile_member_names_are_refused_and_nothing_is_written_outside() {
    let dir = tempfile::tempdir().unwrap();
    let nest = dir.path().join("a").join("b");
    std::fs::create_dir_all(&nest).unwrap();
    let db = nest.join("a.db");
    let json = serde_json::to_vec(&json!([gallery()])).unwrap();
    for (i, hostile) in [
        "../escaped.png",
        "user-1/../../escaped.png",
        "C:escaped.png",
        "user-1\\..\\..\\escaped.png",
    ]
    .into_iter()
    .enumerate()
    {
        let zip = zip_members(
            &nest,
            &format!("hostile-{i}.zip"),
            &[("conversations.json", &json), (hostile, b"\x89PNG\r\n\x1a\n")],
        );
        let (code, _, stderr) = chatarchive(&db, &["import", zip.to_str().unwrap()]);
        assert_eq!(code, 1, "{hostile}: {stderr}");
        assert!(stderr.contains("unsafe member name"), "{hostile}: {stderr}");
    }
    let link = symlink_zip(&nest, &json);
    let (code, _, stderr) = chatarchive(&db, &["import", link.to_str().unwrap()]);
    assert_eq!(code, 1, "{stderr}");

    // An absolute name: whatever the ZIP reader makes of it, no file appears at that path.
    let absolute = nest.parent().unwrap().join(format!("{PHOTO_ID}-escaped.png"));
    let name = absolute.to_str().unwrap();
    let zip = zip_members(&nest, "absolute.zip", &[("conversations.json", &json), (name, b"x")]);
    let (code, _, stderr) = chatarchive(&db, &["import", zip.to_str().unwrap()]);
    assert!(code == 1 && stderr.contains("unsafe member name"), "{stderr}");

    // Every import failed, so not even an empty archive was left behind.
    let mut expected: Vec<String> = (0..4).map(|i| format!("a/b/hostile-{i}.zip")).collect();
    expected.extend(["a/b/absolute.zip", "a/b/link.zip"].map(str::to_string));
    expected.sort();
    assert_eq!(files_below(dir.path()), expected);
}

/// A ZIP whose `file-…` member is a symbolic link to `/etc/passwd`.
fn symlink_zip(dir: &Path, json: &[u8]) -> PathBuf {
    let path = dir.join("link.zip");
    let mut writer = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    let options = zip::write::SimpleFileOptions::default();
    writer.start_file("conversations.json", options).unwrap();
    writer.write_all(json).unwrap();
    writer.add_symlink(format!("{PHOTO_ID}-fence.png"), "/etc/passwd", options).unwrap();
    writer.finish().unwrap();
    path
}

/// Runs an import, polling its peak memory (VmHWM, KiB); returns the exit code and peak.
fn import_measured(db: &Path, args: &[&str]) -> (i32, u64, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_chatarchive"))
        .arg("--db")
        .arg(db)
        .arg("import")
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let mut peak = 0;
    let code = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status.code().unwrap_or(-1);
        }
        assert!(started.elapsed() < Duration::from_secs(300), "import took too long");
        let status = std::fs::read_to_string(format!("/proc/{}/status", child.id()));
        let hwm = status.ok().and_then(|s| {
            let line = s.lines().find(|l| l.starts_with("VmHWM:"))?.to_string();
            line.split_whitespace().nth(1)?.parse::<u64>().ok()
        });
        peak = peak.max(hwm.unwrap_or(0));
        std::thread::sleep(Duration::from_millis(5));
    };
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    (code, peak, stderr)
}

#[test]
fn a_bomb_is_refused_before_anything_is_inflated() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let path = dir.path().join("bomb.zip");
    let mut writer = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    let options = zip::write::SimpleFileOptions::default().compression_level(Some(6));
    writer.start_file("conversations.json", options).unwrap();
    writer.write_all(&serde_json::to_vec(&json!([gallery()])).unwrap()).unwrap();
    writer.start_file(format!("{PHOTO_ID}-zeros.png"), options).unwrap();
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..65 {
        writer.write_all(&zeros).unwrap();
    }
    writer.finish().unwrap();
    let (code, peak, stderr) = import_measured(&db, &[path.to_str().unwrap()]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("looks like a decompression bomb"), "{stderr}");
    assert!(stderr.contains(&format!("{PHOTO_ID}-zeros.png")), "{stderr}");
    assert!(peak < 60 * 1024, "peak memory {peak} KiB");
    assert_eq!(files_below(dir.path()), ["bomb.zip"]);
}

#[test]
fn a_large_member_streams_through_in_bounded_memory() {
    const SIZE: u64 = 96 << 20;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let export = dir.path().join("export");
    std::fs::create_dir(&export).unwrap();
    std::fs::write(
        export.join("conversations.json"),
        serde_json::to_vec(&json!([gallery()])).unwrap(),
    )
    .unwrap();
    // A sparse file of zeros: large to read, free on disk.
    let big = std::fs::File::create(export.join(format!("{PHOTO_ID}-big.png"))).unwrap();
    big.set_len(SIZE).unwrap();
    drop(big);

    let (code, peak, stderr) =
        import_measured(&db, &["--max-member-size", "200M", export.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    assert!(peak < 120 * 1024, "peak memory {peak} KiB for a {SIZE}-byte member");
    let size = format!("SELECT size FROM attachments WHERE file_id = '{PHOTO_ID}' LIMIT 1");
    assert_eq!(query::<i64>(&db, &size), SIZE as i64);

    let out = dir.path().join("big.out");
    let (code, _, stderr) =
        chatarchive(&db, &["attachment", PHOTO_ID, "--out", out.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    let mut written = std::fs::File::open(&out).unwrap();
    let mut buffer = vec![0u8; 1 << 20];
    let mut total = 0u64;
    loop {
        let read = written.read(&mut buffer).unwrap();
        if read == 0 {
            break;
        }
        assert!(buffer[..read].iter().all(|b| *b == 0));
        total += read as u64;
    }
    assert_eq!(total, SIZE);
}

#[test]
fn an_archive_from_before_attachments_still_shows_and_is_explained() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let zip = zip_with(dir.path(), "e.zip", &[gallery()], &gallery_files());
    import(&db, &[&zip], 0);
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute_batch(
        "DROP VIEW attachments; DELETE FROM refinery_schema_history WHERE version = 3;",
    )
    .unwrap();
    drop(conn);

    let (code, _, stderr) = chatarchive(&db, &["attachments"]);
    assert_eq!(code, 1);
    assert_eq!(
        stderr,
        format!(
            "Error: the archive at {} keeps no attachments yet\nHint: import any export (even \
             one imported before) to bring the archive up to date and store its files\n",
            db.display()
        )
    );
    let (code, stdout, stderr) = chatarchive(&db, &["show", "g1"]);
    assert_eq!(code, 0, "{stderr}");
    let stdout = String::from_utf8(stdout).unwrap();
    let line = format!("attachment: sediment://{EXPIRED_ID} (not stored; file id {EXPIRED_ID})");
    assert!(stdout.contains(&line), "{stdout}");
}

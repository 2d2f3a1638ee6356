//! Finding the shared fixtures folder and reading a fixture's expected facts and its
//! conversation files (straight from the ZIP, folder or JSON file, not via chatarchive).

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::json;

/// The environment variable that overrides the fixtures folder.
pub const FIXTURES_ENV: &str = "CHATARCHIVE_SHARED_FIXTURES";

/// The shared fixtures folder; panics, naming the path, when it is not there.
pub fn root() -> PathBuf {
    let dir = match std::env::var_os(FIXTURES_ENV) {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures"),
    };
    assert!(
        dir.join("README.md").is_file(),
        "shared fixtures folder not found: {} has no README.md (set {FIXTURES_ENV} to the \
         folder holding the shared fixtures)",
        dir.display()
    );
    dir
}

/// A path inside the fixtures folder; panics, naming it, when it does not exist.
pub fn path(relative: &str) -> PathBuf {
    let path = root().join(relative);
    assert!(path.exists(), "shared fixture missing: {}", path.display());
    path
}

/// One fixture's `.expected.json` and the folder it sits in.
pub struct Expected {
    /// The folder of the `.expected.json`; `input_paths` are relative to it.
    pub dir: PathBuf,
    /// The parsed facts.
    pub facts: Value,
}

impl Expected {
    /// Reads `<fixtures>/<relative>`.
    pub fn load(relative: &str) -> Self {
        let file = path(relative);
        let text = std::fs::read_to_string(&file)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", file.display()));
        let facts = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("cannot parse {}: {e}", file.display()));
        let dir = file.parent().expect("a fixture file has a folder").to_path_buf();
        Self { dir, facts }
    }

    /// The paths to give `chatarchive import`, from `input_paths`.
    pub fn input_paths(&self) -> Vec<PathBuf> {
        let paths = json::strings(&self.facts, "input_paths");
        paths.iter().map(|p| self.dir.join(p)).collect()
    }

    /// Every conversation of the fixture's conversation files, in file order.
    pub fn source_conversations(&self) -> Vec<Value> {
        let input = self.input_paths().remove(0);
        let files = json::strings(&self.facts, "conversation_files");
        let kind = json::str(&self.facts, "input_type");
        let mut conversations = Vec::new();
        for name in files {
            let bytes = match kind.as_str() {
                "zip" => read_zip_member(&input, &name),
                "folder" => read_file(&input.join(&name)),
                "json" => read_file(&input),
                other => panic!("unknown input_type {other:?}"),
            };
            let parsed: Value = serde_json::from_slice(&bytes)
                .unwrap_or_else(|e| panic!("{}!{name} does not parse: {e}", input.display()));
            let Value::Array(list) = parsed else {
                panic!("{}!{name} is not a JSON array", input.display());
            };
            conversations.extend(list);
        }
        conversations
    }
}

fn read_file(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn read_zip_member(zip_path: &Path, name: &str) -> Vec<u8> {
    let file =
        File::open(zip_path).unwrap_or_else(|e| panic!("cannot open {}: {e}", zip_path.display()));
    let mut zip = zip::ZipArchive::new(file)
        .unwrap_or_else(|e| panic!("{} is not a readable ZIP: {e}", zip_path.display()));
    let mut member =
        zip.by_name(name).unwrap_or_else(|e| panic!("{}!{name}: {e}", zip_path.display()));
    let mut bytes = Vec::new();
    let read = member.read_to_end(&mut bytes);
    read.unwrap_or_else(|e| panic!("{}!{name}: {e}", zip_path.display()));
    bytes
}

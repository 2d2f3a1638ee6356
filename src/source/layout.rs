//! Recognises what an input holds: which members carry the conversations and in which order,
//! which are side files, and which inputs are parts of one export.
//!
//! Conversation files are found by the export's own manifest when there is one, else by
//! name (`conversations.json`, then `conversations-NNN.json` in numeric order), else the
//! array embedded in `chat.html`. Parts of a multi-part export are put together when one
//! part's manifest lists files that only another part holds.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::error::{Location, Position, SourceError};
use super::input::{Input, InputKind};

/// The member that lists the files of a 2026 export.
pub const MANIFEST: &str = "export_manifest.json";
/// The offline viewer, which embeds the conversations as a JavaScript array.
pub const CHAT_HTML: &str = "chat.html";

/// What a member is to the importer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemberKind {
    /// A file of conversations (`conversations.json` or a shard).
    Conversations,
    /// `export_manifest.json`.
    Manifest,
    /// `chat.html`.
    ChatHtml,
    /// A JSON side file (`user.json`, `message_feedback.json`, unknown JSON...).
    SideFile,
    /// Anything else: images, audio, documents, unknown binaries.
    Asset,
}

impl MemberKind {
    /// The name stored in `export_files.kind`.
    pub fn as_str(self) -> &'static str {
        match self {
            MemberKind::Conversations => "conversations",
            MemberKind::Manifest => "manifest",
            MemberKind::ChatHtml => "chat_html",
            MemberKind::SideFile => "side_file",
            MemberKind::Asset => "asset",
        }
    }
}

/// Where an export's date came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateHint {
    /// `…-YYYY-MM-DD-HH-MM-SS….zip`, as OpenAI names the download.
    FileName(time::PrimitiveDateTime),
    /// A date field in `export_manifest.json`.
    Manifest(time::OffsetDateTime),
}

/// One export: one or more inputs read together.
pub struct Export {
    inputs: Vec<Input>,
    index: BTreeMap<String, usize>,
    /// Conversation members, in import order.
    pub conversation_files: Vec<String>,
    /// Whether the conversations come from `chat.html` (no JSON file was present).
    pub from_chat_html: bool,
    /// Files the manifest lists that no input holds.
    pub missing_files: Vec<String>,
    /// The date the input names carry, if any.
    pub date_hint: Option<DateHint>,
}

/// One input path with how it was read and its size, for the import log.
#[derive(Debug, Clone)]
pub struct SourceInfo {
    /// The path as given.
    pub path: PathBuf,
    /// ZIP, folder or JSON.
    pub kind: InputKind,
    /// Size in bytes (sum of members for a folder).
    pub size: u64,
}

impl Export {
    /// A short name for messages: the first input's file name.
    pub fn name(&self) -> String {
        let path = self.inputs[0].path();
        path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into())
    }

    /// The inputs this export was read from.
    pub fn sources(&self) -> Vec<SourceInfo> {
        self.inputs
            .iter()
            .map(|input| SourceInfo {
                path: input.path().to_owned(),
                kind: input.kind(),
                size: input.members().iter().map(|m| m.size).sum(),
            })
            .collect()
    }

    /// Every member of every input, with its kind and size, sorted by name.
    pub fn members(&self) -> Vec<(String, MemberKind, u64)> {
        let mut all: Vec<_> = self
            .inputs
            .iter()
            .flat_map(|input| input.members())
            .map(|m| (m.name.clone(), self.kind_of(&m.name), m.size))
            .collect();
        all.sort_by(|a, b| a.0.cmp(&b.0));
        all.dedup_by(|a, b| a.0 == b.0);
        all
    }

    /// What a member is.
    pub fn kind_of(&self, name: &str) -> MemberKind {
        if self.conversation_files.iter().any(|f| f == name) && !self.from_chat_html {
            MemberKind::Conversations
        } else if name == MANIFEST {
            MemberKind::Manifest
        } else if name == CHAT_HTML {
            MemberKind::ChatHtml
        } else if name.ends_with(".json") || name.ends_with(".json.index") {
            MemberKind::SideFile
        } else {
            MemberKind::Asset
        }
    }

    /// The uncompressed size of a member (0 when no input holds it).
    pub fn size_of(&self, name: &str) -> u64 {
        let Some(&i) = self.index.get(name) else { return 0 };
        let members = self.inputs[i].members();
        members.binary_search_by(|m| m.name.as_str().cmp(name)).map_or(0, |at| members[at].size)
    }

    /// Whether some input holds the member.
    pub fn has(&self, name: &str) -> bool {
        self.index.contains_key(name)
    }

    /// Where a member is, for messages.
    pub fn location(&self, name: &str) -> Location {
        match self.index.get(name) {
            Some(&i) => self.inputs[i].location(name),
            None => Location::file(self.inputs[0].path()).member(name),
        }
    }

    /// Reads a whole member.
    pub fn read(&mut self, name: &str) -> Result<Vec<u8>, SourceError> {
        let i = self.input_of(name)?;
        self.inputs[i].read_member(name)
    }

    /// Opens a member for streaming.
    pub fn open(
        &mut self,
        name: &str,
    ) -> Result<Box<dyn std::io::BufRead + Send + '_>, SourceError> {
        let i = self.input_of(name)?;
        self.inputs[i].open_member(name)
    }

    fn input_of(&self, name: &str) -> Result<usize, SourceError> {
        self.index.get(name).copied().ok_or_else(|| {
            let location = self.location(name);
            let source = std::io::Error::new(std::io::ErrorKind::NotFound, "no such member");
            SourceError::io(location, source)
        })
    }
}

/// Opens every path and groups the inputs into exports.
pub fn plan(paths: &[PathBuf]) -> Result<Vec<Export>, SourceError> {
    let mut inputs = Vec::new();
    for path in paths {
        inputs.push(Input::open(path)?);
    }
    let mut groups: Vec<Vec<Input>> = Vec::new();
    while !inputs.is_empty() {
        let first = inputs.remove(0);
        let wanted = manifest_files(&first);
        let mut group = vec![first];
        let mut i = 0;
        while i < inputs.len() {
            // A later part holds files the first part's manifest lists, and no manifest of
            // its own (which would make it an export of its own).
            let holds_wanted = wanted.iter().any(|w| inputs[i].has(w) && !group[0].has(w));
            if holds_wanted && !inputs[i].has(MANIFEST) {
                group.push(inputs.remove(i));
            } else {
                i += 1;
            }
        }
        groups.push(group);
    }
    groups.into_iter().map(build_export).collect()
}

fn shard_number(name: &str) -> Option<u32> {
    let digits = name.strip_prefix("conversations-")?.strip_suffix(".json")?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// The paths an input's manifest lists (empty without a manifest).
fn manifest_files(input: &Input) -> Vec<String> {
    read_manifest(input).map(|m| m.export_files).unwrap_or_default()
}

struct Manifest {
    export_files: Vec<String>,
    conversation_files: Vec<String>,
    date: Option<time::OffsetDateTime>,
}

fn read_manifest(input: &Input) -> Option<Manifest> {
    if !input.has(MANIFEST) {
        return None;
    }
    // Inputs are reopened here because reading needs `&mut`; manifests are small.
    let mut reopened = Input::open(input.path()).ok()?;
    let bytes = reopened.read_member(MANIFEST).ok()?;
    let value: Value = serde_json::from_slice(&bytes).ok()?;
    let strings = |v: Option<&Value>, key: Option<&str>| -> Vec<String> {
        v.and_then(Value::as_array)
            .map(|items| {
                items
                    .iter()
                    .filter_map(|item| match key {
                        Some(k) => item.get(k).and_then(Value::as_str),
                        None => item.as_str(),
                    })
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    };
    let logical = value.pointer("/logical_files/conversations.json/files");
    let date = ["exported_at", "export_time", "created_at", "generated_at"]
        .iter()
        .find_map(|k| value.get(*k).and_then(Value::as_str))
        .and_then(|s| {
            time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok()
        });
    Some(Manifest {
        export_files: strings(value.get("export_files"), Some("path")),
        conversation_files: strings(logical, None),
        date,
    })
}

fn build_export(inputs: Vec<Input>) -> Result<Export, SourceError> {
    let mut index = BTreeMap::new();
    for (i, input) in inputs.iter().enumerate() {
        for member in input.members() {
            index.entry(member.name.clone()).or_insert(i);
        }
    }
    let manifest = read_manifest(&inputs[0]);
    let date_hint = date_from_name(inputs[0].path())
        .map(DateHint::FileName)
        .or_else(|| manifest.as_ref().and_then(|m| m.date).map(DateHint::Manifest));
    let missing_files = manifest
        .as_ref()
        .map(|m| m.export_files.iter().filter(|f| !index.contains_key(*f)).cloned().collect())
        .unwrap_or_default();
    let mut export = Export {
        inputs,
        index,
        conversation_files: Vec::new(),
        from_chat_html: false,
        missing_files,
        date_hint,
    };
    choose_conversation_files(&mut export, manifest.map(|m| m.conversation_files))?;
    Ok(export)
}

fn choose_conversation_files(
    export: &mut Export,
    listed: Option<Vec<String>>,
) -> Result<(), SourceError> {
    if export.inputs[0].kind() == InputKind::Json {
        export.conversation_files = vec![export.inputs[0].members()[0].name.clone()];
        return Ok(());
    }
    let names: Vec<String> = export.index.keys().cloned().collect();
    // The manifest's order first; then every other conversation file the export holds
    // (`conversations.json`, then shards by number), so that a manifest that forgets a
    // shard, or a `conversations.json` next to shards, loses nothing. A conversation met
    // twice is stored once.
    let is_conversation_file = |n: &str| n == "conversations.json" || shard_number(n).is_some();
    let mut files: Vec<String> = listed
        .unwrap_or_default()
        .into_iter()
        .filter(|f| export.index.contains_key(f) && is_conversation_file(f))
        .collect();
    let mut others: Vec<(u32, String)> = names
        .iter()
        .filter(|n| !files.contains(n))
        .filter_map(|n| match shard_number(n) {
            Some(k) => Some((k, n.clone())),
            None => (n == "conversations.json").then(|| (0, n.clone())),
        })
        .collect();
    others.sort_by_key(|(k, n)| (n != "conversations.json", *k));
    files.extend(others.into_iter().map(|(_, n)| n));
    if files.is_empty() && export.index.contains_key(CHAT_HTML) {
        files = vec![CHAT_HTML.to_string()];
        export.from_chat_html = true;
    }
    if files.is_empty() {
        return Err(no_conversations(export, &names));
    }
    export.conversation_files = files;
    Ok(())
}

fn no_conversations(export: &Export, names: &[String]) -> SourceError {
    let location = Location::file(export.inputs[0].path());
    let detail = if !names.is_empty() && names.iter().all(|n| n.ends_with(".zip")) {
        "it holds only inner ZIP files; unpack it and import those parts together".to_string()
    } else if names.iter().any(|n| n.ends_with("prod-grok-backend.json")) {
        return SourceError::OtherProvider {
            location,
            provider: "an xAI Grok export",
            evidence: "it holds prod-grok-backend.json".to_string(),
        };
    } else {
        "looked for conversations.json, conversations-NNN.json and chat.html".to_string()
    };
    SourceError::NoConversations { location, detail }
}

/// Reads `…YYYY-MM-DD-HH-MM-SS…` from a file name, as in OpenAI's download names.
pub fn date_from_name(path: &Path) -> Option<time::PrimitiveDateTime> {
    let name = path.file_name()?.to_string_lossy().into_owned();
    let bytes = name.as_bytes();
    (0..bytes.len().saturating_sub(18))
        .find_map(|start| parse_dashed_date(&bytes[start..start + 19]))
}

fn parse_dashed_date(s: &[u8]) -> Option<time::PrimitiveDateTime> {
    let shape_ok = s.iter().enumerate().all(|(i, b)| match i {
        4 | 7 | 10 | 13 | 16 => *b == b'-',
        _ => b.is_ascii_digit(),
    });
    if !shape_ok {
        return None;
    }
    let num = |range: std::ops::Range<usize>| -> Option<u32> {
        std::str::from_utf8(&s[range]).ok()?.parse().ok()
    };
    let month = time::Month::try_from(num(5..7)? as u8).ok()?;
    let date = time::Date::from_calendar_date(num(0..4)? as i32, month, num(8..10)? as u8).ok()?;
    let clock = time::Time::from_hms(num(11..13)? as u8, num(14..16)? as u8, num(17..19)? as u8);
    Some(time::PrimitiveDateTime::new(date, clock.ok()?))
}

/// Finds the `jsonData = [` assignment in chat.html; returns the position of `[`.
pub fn chat_html_array_start(html: &[u8]) -> Option<Position> {
    let key = memchr::memmem::find(html, b"jsonData")?;
    let mut at = key + "jsonData".len();
    while at < html.len() && matches!(html[at], b' ' | b'=' | b'\t') {
        at += 1;
    }
    if html.get(at) != Some(&b'[') {
        return None;
    }
    let before = &html[..at];
    let line = 1 + memchr::memchr_iter(b'\n', before).count() as u64;
    let line_start = memchr::memrchr(b'\n', before).map_or(0, |p| p + 1);
    Some(Position { offset: at as u64, line, column: (at - line_start + 1) as u64 })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shard_names_are_numbered_conversation_files() {
        assert_eq!(shard_number("conversations-007.json"), Some(7));
        assert_eq!(shard_number("conversations-.json"), None);
        assert_eq!(shard_number("conversations-001.json.index"), None);
        assert_eq!(shard_number("shared_conversations.json"), None);
    }

    #[test]
    fn dates_are_read_from_download_names() {
        let name = format!("{}-2024-05-17-08-30-12.zip", "a".repeat(64));
        let date = date_from_name(Path::new(&name)).unwrap();
        assert_eq!(date.to_string(), "2024-05-17 8:30:12.0");
        assert!(date_from_name(Path::new("export-1.zip")).is_none());
        assert!(date_from_name(Path::new("2024-13-17-08-30-12.zip")).is_none());
    }

    #[test]
    fn chat_html_array_is_found_with_its_position() {
        let html = b"<html>\n<script>\nvar jsonData = [{\"id\":1}];\n";
        let start = chat_html_array_start(html).unwrap();
        assert_eq!(start, Position { offset: 31, line: 3, column: 16 });
        assert!(chat_html_array_start(b"<html></html>").is_none());
    }
}

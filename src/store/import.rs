//! The import: streams each export's conversations into the archive inside one transaction.
//!
//! Per conversation: the SHA-256 of its raw bytes is looked up first, so that a conversation
//! already archived costs a hash and an index probe, not a parse. A new version is stored
//! verbatim in `conversation_versions`; when it is the conversation's only version its rows
//! are written at once, otherwise the conversation is rebuilt at the end of the export by
//! merging all its versions in export-date order (see `model::merge`). Which export is newer
//! is decided by the exports themselves, never by import order. Any error rolls everything
//! back: the archive is left exactly as it was.

use std::collections::{BTreeSet, HashMap};
use std::io::{Cursor, Read};
use std::path::PathBuf;

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::Archive;
use super::assets::{self, AttachmentCounts};
use super::error::{StoreError, WriteContext};
use super::pipeline::{self, Hashed, ParseOutcome, Parsed};
use super::seen;
use super::side_files;
use super::write::{SeenAt, Writer};
use crate::model::record::ConversationRecord;
use crate::model::snapshot::SnapshotError;
use crate::model::timestamp;
use crate::source::layout::{DateHint, chat_html_array_start};
use crate::source::repair::{self, RepairKind};
use crate::source::split::{ArraySplitter, RawElement};
use crate::source::{Export, Location, SourceError, plan};

/// How to import.
#[derive(Debug, Clone, Copy)]
pub struct ImportOptions {
    /// Do everything, report, then roll back.
    pub dry_run: bool,
    /// Record attachments and their references without storing their bytes.
    pub no_media: bool,
    /// Files larger than this many bytes are recorded without their bytes, with a warning.
    pub max_member_size: u64,
}

impl Default for ImportOptions {
    /// Media stored, up to [`assets::DEFAULT_MAX_MEMBER_SIZE`] bytes per file.
    fn default() -> Self {
        Self { dry_run: false, no_media: false, max_member_size: assets::DEFAULT_MAX_MEMBER_SIZE }
    }
}

/// Receives progress while an import runs. All methods may be called often.
pub trait Progress {
    /// A conversation file of `total` bytes starts.
    fn start_file(&self, label: &str, total: u64);
    /// `bytes` more of the current file were read.
    fn advance(&self, bytes: u64);
    /// The current file is done.
    fn finish_file(&self);
}

/// Counts of conversations for one export.
#[derive(Debug, Default, Clone, Serialize, PartialEq, Eq)]
pub struct ConversationCounts {
    /// Conversations in the export (skipped ones included).
    pub total: u64,
    /// Not in the archive before.
    pub new: u64,
    /// In the archive before and changed by this export.
    pub updated: u64,
    /// In the archive before and unchanged.
    pub unchanged: u64,
    /// In the archive but not in this export (kept).
    pub missing: u64,
}

/// A conversation that was valid JSON but could not be stored.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Skipped {
    /// Its id, when readable.
    pub conversation_id: Option<String>,
    /// Where it is: file, member, position.
    pub location: String,
    /// JSON path of the offending field.
    pub path: String,
    /// What is wrong.
    pub reason: String,
}

/// What importing one export did.
#[derive(Debug, Clone, Serialize)]
pub struct ExportReport {
    /// The export's name (its first input's file name).
    pub name: String,
    /// SHA-256 over the export's conversation bytes and the date its name or manifest gives:
    /// the same export read from a ZIP or from its unpacked folder has the same fingerprint.
    pub fingerprint: String,
    /// When the export was made, as decided from its name, manifest or contents.
    pub exported_at: Option<String>,
    /// Where `exported_at` came from: `file_name`, `manifest`, `latest_update_time`, `none`.
    pub exported_at_source: String,
    /// The inputs, with their kind, size and SHA-256.
    pub sources: Vec<SourceRecord>,
    /// Whether this export had been imported before.
    pub already_imported: bool,
    /// Conversation counts.
    pub conversations: ConversationCounts,
    /// Nodes inserted.
    pub nodes_new: u64,
    /// Nodes changed.
    pub nodes_updated: u64,
    /// Conversations skipped, with why (the first [`MAX_DETAILS`]).
    pub skipped: Vec<Skipped>,
    /// How many conversations were skipped in all.
    pub skipped_total: u64,
    /// Warnings: repaired text, files the manifest lists but no input holds, duplicates (the
    /// first [`MAX_DETAILS`]).
    pub warnings: Vec<String>,
    /// How many warnings there were in all.
    pub warnings_total: u64,
    /// What was done with the export's files (images, audio, documents).
    pub attachments: AttachmentCounts,
}

/// One input of an export, as logged in `imports.sources`.
#[derive(Debug, Clone, Serialize)]
pub struct SourceRecord {
    /// The path as given.
    pub path: PathBuf,
    /// `zip`, `folder` or `json`.
    pub kind: String,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256 of the file (for a folder: of its conversation files, as the fingerprint).
    pub sha256: String,
}

/// What an import run did.
#[derive(Debug, Clone, Serialize)]
pub struct ImportReport {
    /// Whether the run was rolled back on purpose.
    pub dry_run: bool,
    /// One report per export, in the order processed.
    pub exports: Vec<ExportReport>,
}

impl ImportReport {
    /// Whether any conversation was skipped.
    pub fn has_skipped(&self) -> bool {
        self.exports.iter().any(|e| e.skipped_total > 0)
    }
}

impl Archive {
    /// Imports every path (ZIPs, folders, JSON files) in one transaction.
    pub fn import(
        &mut self,
        paths: &[PathBuf],
        options: ImportOptions,
        progress: &dyn Progress,
    ) -> Result<ImportReport, StoreError> {
        let exports = plan(paths)?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .step("starting the import")?;
        let latest_before = seen::begin_run(&tx)?;
        let mut reports = Vec::new();
        for export in exports {
            reports.push(import_export(&tx, export, &options, progress)?);
        }
        seen::finish_run(&tx, latest_before)?;
        if options.dry_run {
            tx.rollback().step("rolling back the dry run")?;
        } else {
            tx.commit().step("committing the import")?;
        }
        Ok(ImportReport { dry_run: options.dry_run, exports: reports })
    }
}

/// State gathered while one export streams by.
#[derive(Default)]
struct Stage {
    fingerprint: Sha256,
    observations: Vec<Observation>,
    deferred: BTreeSet<String>,
    status: HashMap<String, Status>,
    latest_time: Option<String>,
    report_counts: ConversationCounts,
    nodes_new: u64,
    nodes_updated: u64,
    skipped: Vec<Skipped>,
    skipped_total: u64,
    warnings: Vec<String>,
    warnings_total: u64,
}

/// Skipped conversations and warnings kept in detail per export; beyond that they are only
/// counted, so that a file of millions of bad entries cannot exhaust memory.
pub const MAX_DETAILS: usize = 1000;

impl Stage {
    fn skip(&mut self, skipped: Skipped) {
        self.skipped_total += 1;
        if self.skipped.len() < MAX_DETAILS {
            self.skipped.push(skipped);
        }
    }

    fn warn(&mut self, warning: String) {
        self.warnings_total += 1;
        if self.warnings.len() < MAX_DETAILS {
            self.warnings.push(warning);
        }
    }
}

/// What an export did to a conversation it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    New,
    Updated,
    Unchanged,
}

struct Observation {
    conversation_id: String,
    version_id: i64,
    file: String,
}

fn import_export(
    conn: &Connection,
    mut export: Export,
    options: &ImportOptions,
    progress: &dyn Progress,
) -> Result<ExportReport, StoreError> {
    let started_at = timestamp::now();
    let before = conversation_total(conn)?;
    let mut stage = Stage::default();
    let mut writer = Writer::new(seen_at_start(conn, &export)?);
    for file in export.missing_files.clone() {
        stage.warn(format!("{}: listed in the manifest but missing", export.location(&file)));
    }
    for file in export.conversation_files.clone() {
        stream_file(conn, &mut export, &file, &mut stage, &mut writer, progress)?;
    }
    writer.flush(conn)?;
    let (exported_at, exported_at_source) = export_date(&export, stage.latest_time.as_deref());
    // Two downloads made on different days are two snapshots even when their conversations
    // are identical: a date read from the name or manifest is part of the identity.
    if exported_at_source != "latest_update_time" {
        stage.fingerprint.update(exported_at.as_deref().unwrap_or_default().as_bytes());
    }
    let fingerprint = hex::encode(std::mem::take(&mut stage.fingerprint).finalize());
    let (export_id, already_imported) =
        upsert_export(conn, &export, &fingerprint, exported_at.as_deref(), &stage)?;
    let touched = record_observations(conn, export_id, &mut stage)?;
    rebuild_deferred(conn, &mut stage, &mut writer)?;
    writer.flush(conn)?;
    seen::mark_touched(conn, &touched)?;
    side_files::store(conn, &mut export, export_id, exported_at.as_deref())?;
    let warnings_before = stage.warnings.len();
    let attachments =
        assets::store(conn, &mut export, export_id, options, progress, &mut stage.warnings)?;
    stage.warnings_total += (stage.warnings.len() - warnings_before) as u64;
    count_statuses(&mut stage, before);
    let sources = source_records(&export, &fingerprint)?;
    let report = ExportReport {
        name: export.name(),
        fingerprint,
        exported_at,
        exported_at_source,
        sources,
        already_imported,
        conversations: stage.report_counts,
        nodes_new: stage.nodes_new,
        nodes_updated: stage.nodes_updated,
        skipped: stage.skipped,
        skipped_total: stage.skipped_total,
        warnings: stage.warnings,
        warnings_total: stage.warnings_total,
        attachments,
    };
    log_import(conn, export_id, &started_at, &report)?;
    Ok(report)
}

fn count_statuses(stage: &mut Stage, archived_before: u64) {
    let counts = &mut stage.report_counts;
    for status in stage.status.values() {
        match status {
            Status::New => counts.new += 1,
            Status::Updated => counts.updated += 1,
            Status::Unchanged => counts.unchanged += 1,
        }
    }
    if counts.total > 0 {
        counts.missing = archived_before.saturating_sub(counts.updated + counts.unchanged);
    }
}

/// The export's date and whether it will be the latest, when its name or manifest says.
fn seen_at_start(conn: &Connection, export: &Export) -> Result<SeenAt, StoreError> {
    let (at, source) = export_date(export, None);
    if source == "none" {
        return Ok(SeenAt::default());
    }
    let newest: Option<String> = conn
        .query_row("SELECT max(exported_at) FROM exports WHERE conversation_count > 0", [], |row| {
            row.get(0)
        })
        .step("finding the latest export")?;
    let latest = match (&at, &newest) {
        (Some(at), Some(newest)) => at > newest,
        _ => true,
    };
    Ok(SeenAt { at, latest })
}

fn conversation_total(conn: &Connection) -> Result<u64, StoreError> {
    let count: i64 = conn
        .query_row("SELECT count(*) FROM conversations", [], |row| row.get(0))
        .step("counting conversations")?;
    Ok(count as u64)
}

fn stream_file(
    conn: &Connection,
    export: &mut Export,
    file: &str,
    stage: &mut Stage,
    writer: &mut Writer,
    progress: &dyn Progress,
) -> Result<(), StoreError> {
    let location = export.location(file);
    if export.from_chat_html {
        let html = export.read(file)?;
        let start = chat_html_array_start(&html).ok_or_else(|| SourceError::NoConversations {
            location: location.clone(),
            detail: "chat.html has no jsonData array".to_string(),
        })?;
        let reader = Cursor::new(&html[start.offset as usize..]);
        let splitter = ArraySplitter::embedded(reader, location.clone(), start);
        let sink = Sink { conn, location: &location, file, stage, writer };
        return consume(splitter, sink, progress, html.len() as u64);
    }
    let total = export.size_of(file);
    let reader = export.open(file)?;
    let splitter = ArraySplitter::new(reader, location.clone());
    let sink = Sink { conn, location: &location, file, stage, writer };
    consume(splitter, sink, progress, total)
}

/// Where the conversations of one file go.
struct Sink<'a> {
    conn: &'a Connection,
    location: &'a Location,
    file: &'a str,
    stage: &'a mut Stage,
    writer: &'a mut Writer,
}

fn consume<R: std::io::BufRead + Send>(
    splitter: ArraySplitter<R>,
    mut sink: Sink<'_>,
    progress: &dyn Progress,
    total: u64,
) -> Result<(), StoreError> {
    progress.start_file(sink.file, total);
    std::thread::scope(|scope| {
        let hashed = pipeline::spawn_splitter(scope, splitter);
        let (to_parser, parsed) = pipeline::spawn_parser(scope, sink.location.clone());
        let mut in_flight = 0;
        for item in hashed {
            let item = item?;
            progress.advance(item.element.bytes.len() as u64 + 1);
            sink.stage.fingerprint.update(&item.element.bytes);
            if item.element.index == 0 {
                refuse_other_provider(&item.element, sink.location)?;
            }
            sink.stage.report_counts.total += 1;
            if !observe_known(&mut sink, &item)? {
                if in_flight == pipeline::IN_FLIGHT {
                    store_parsed(&mut sink, parsed.recv().expect("parser thread alive")?)?;
                    in_flight -= 1;
                }
                to_parser.send(item).expect("parser thread alive");
                in_flight += 1;
            }
        }
        drop(to_parser);
        for outcome in parsed {
            store_parsed(&mut sink, outcome?)?;
        }
        Ok::<(), StoreError>(())
    })?;
    progress.finish_file();
    Ok(())
}

/// Records a conversation whose exact bytes are archived already; returns whether it was.
fn observe_known(sink: &mut Sink<'_>, item: &Hashed) -> Result<bool, StoreError> {
    let Some(known) = find_version(sink.conn, &item.sha256)? else {
        return Ok(false);
    };
    let stage = &mut *sink.stage;
    note_time(stage, [known.created_at.as_deref(), known.updated_at.as_deref()]);
    stage.status.entry(known.conversation_id.clone()).or_insert(Status::Unchanged);
    let file = sink.file.to_string();
    let (conversation_id, version_id) = (known.conversation_id, known.id);
    stage.observations.push(Observation { conversation_id, version_id, file });
    Ok(true)
}

/// Stores a parsed conversation: its version, its observation, and its rows when it has no
/// other version (otherwise it is merged at the end of the export).
fn store_parsed(sink: &mut Sink<'_>, outcome: ParseOutcome) -> Result<(), StoreError> {
    let (conn, location) = (sink.conn, sink.location);
    let parsed = match outcome {
        ParseOutcome::Ready(parsed) => parsed,
        ParseOutcome::Unusable(hashed, error) => {
            sink.stage.skip(skipped(&hashed, location, error));
            return Ok(());
        }
    };
    let Parsed { hashed, raw, original_is_utf8, repairs, record } = *parsed;
    let stage = &mut *sink.stage;
    for repair in &repairs {
        stage.warn(repair_warning(&hashed.element, location, &record.id, repair));
    }
    note_time(stage, [record.created_at.as_deref(), record.updated_at.as_deref()]);
    let raw_bytes = (!original_is_utf8).then_some(&hashed.element.bytes);
    let version_id = insert_version(conn, &record, &hashed, &raw, raw_bytes)?;
    let (id, file) = (record.id.clone(), sink.file.to_string());
    stage.observations.push(Observation { conversation_id: id.clone(), version_id, file });
    if version_count(conn, &id)? > 1 {
        if stage.status.contains_key(&id) {
            stage.warn(format!("{location}: conversation {id} appears twice"));
        }
        stage.status.entry(id.clone()).or_insert(Status::Unchanged);
        stage.deferred.insert(id);
        return Ok(());
    }
    let outcome = sink.writer.write(conn, record)?;
    stage.nodes_new += outcome.nodes_new;
    stage.nodes_updated += outcome.nodes_updated;
    stage.status.insert(id, Status::New);
    Ok(())
}

fn skipped(hashed: &Hashed, location: &Location, error: SnapshotError) -> Skipped {
    let (id, path, reason) = match error {
        SnapshotError::Unusable { id, path, message } => (id, path, message),
        SnapshotError::Syntax { message, .. } => (None, "$".to_string(), message),
    };
    let element = &hashed.element;
    Skipped {
        conversation_id: id,
        location: location.at(element.start).to_string(),
        path: format!("$[{}]{}", element.index, path.trim_start_matches('$')),
        reason,
    }
}

fn insert_version(
    conn: &Connection,
    record: &ConversationRecord,
    hashed: &Hashed,
    raw: &str,
    raw_bytes: Option<&Vec<u8>>,
) -> Result<i64, StoreError> {
    let node_ids: Vec<&str> = record.nodes.iter().map(|n| n.node_id.as_str()).collect();
    let node_ids = serde_json::to_string(&node_ids).expect("strings serialize");
    conn.prepare_cached(
        "INSERT INTO conversation_versions
             (conversation_id, sha256, size, raw, raw_bytes, created_at, updated_at, node_ids)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )
    .step("preparing a conversation version")?
    .execute(params![
        record.id,
        hashed.sha256,
        hashed.element.bytes.len() as i64,
        raw,
        raw_bytes,
        record.created_at,
        record.updated_at,
        node_ids
    ])
    .step("storing a conversation version")?;
    Ok(conn.last_insert_rowid())
}

/// Claude's `conversations.json` is also an array of objects; its shape gives it away.
fn refuse_other_provider(element: &RawElement, location: &Location) -> Result<(), SourceError> {
    let Ok(keys) = serde_json::from_slice::<HashMap<String, serde::de::IgnoredAny>>(&element.bytes)
    else {
        return Ok(());
    };
    let claude = !keys.contains_key("mapping")
        && (keys.contains_key("chat_messages")
            || keys.contains_key("uuid") && keys.contains_key("name"));
    if claude {
        return Err(SourceError::OtherProvider {
            location: location.at(element.start),
            provider: "an Anthropic Claude export",
            evidence: "$[0] has 'chat_messages' and 'uuid' but no 'mapping'".to_string(),
        });
    }
    Ok(())
}

fn repair_warning(
    element: &RawElement,
    location: &Location,
    id: &str,
    repair: &repair::Repair,
) -> String {
    let offset = element.start.offset + repair.offset as u64;
    let what = match &repair.what {
        RepairKind::LoneSurrogateEscape(escape) => format!("lone surrogate escape {escape}"),
        RepairKind::InvalidUtf8 => "invalid UTF-8 (CESU-8 or stray bytes)".to_string(),
    };
    format!(
        "{location}: conversation {id}: {what} at byte {offset}; stored as written, \
         U+FFFD in the searchable text"
    )
}

/// Keeps the latest conversation time seen in the export (ISO text orders as time does).
/// Times in the future are ignored: one corrupt timestamp must not make an export the
/// latest for ever.
fn note_time(stage: &mut Stage, times: [Option<&str>; 2]) {
    let horizon = timestamp::iso(time::OffsetDateTime::now_utc() + time::Duration::days(2));
    for time in times.into_iter().flatten().filter(|t| *t <= horizon.as_str()) {
        if stage.latest_time.as_deref().is_none_or(|latest| time > latest) {
            stage.latest_time = Some(time.to_string());
        }
    }
}

/// A stored version with this hash: its id, conversation and times.
struct KnownVersion {
    id: i64,
    conversation_id: String,
    created_at: Option<String>,
    updated_at: Option<String>,
}

fn find_version(conn: &Connection, sha256: &str) -> Result<Option<KnownVersion>, StoreError> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT id, conversation_id, created_at, updated_at FROM conversation_versions
             WHERE sha256 = ?1",
        )
        .step("looking up a conversation version")?;
    stmt.query_row([sha256], |row| {
        Ok(KnownVersion {
            id: row.get(0)?,
            conversation_id: row.get(1)?,
            created_at: row.get(2)?,
            updated_at: row.get(3)?,
        })
    })
    .optional()
    .step("looking up a conversation version")
}

fn version_count(conn: &Connection, id: &str) -> Result<i64, StoreError> {
    let mut stmt = conn
        .prepare_cached("SELECT count(*) FROM conversation_versions WHERE conversation_id = ?1")
        .step("counting versions")?;
    stmt.query_row([id], |row| row.get(0)).step("counting versions")
}

/// The export's date: its file name, its manifest, else the latest time inside it.
fn export_date(export: &Export, latest_time: Option<&str>) -> (Option<String>, String) {
    match export.date_hint {
        Some(DateHint::FileName(date)) => {
            (Some(timestamp::iso(date.assume_utc())), "file_name".into())
        }
        Some(DateHint::Manifest(date)) => (Some(timestamp::iso(date)), "manifest".into()),
        None => match latest_time {
            Some(time) => (Some(time.to_string()), "latest_update_time".into()),
            None => (None, "none".into()),
        },
    }
}

fn upsert_export(
    conn: &Connection,
    export: &Export,
    fingerprint: &str,
    exported_at: Option<&str>,
    stage: &Stage,
) -> Result<(i64, bool), StoreError> {
    let existing: Option<i64> = conn
        .query_row("SELECT id FROM exports WHERE fingerprint = ?1", [fingerprint], |row| row.get(0))
        .optional()
        .step("looking up the export")?;
    if let Some(id) = existing {
        return Ok((id, true));
    }
    let (_, source) = export_date(export, stage.latest_time.as_deref());
    conn.execute(
        "INSERT INTO exports (fingerprint, name, exported_at, exported_at_source,
             conversation_count, first_imported_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            fingerprint,
            export.name(),
            exported_at,
            source,
            stage.report_counts.total as i64,
            timestamp::now()
        ],
    )
    .step("recording the export")?;
    Ok((conn.last_insert_rowid(), false))
}

/// Inserts the observations; returns the conversations whose observations changed. Counts
/// new, updated and unchanged conversations, and marks for a rebuild the conversations whose
/// merge order an older export changes.
fn record_observations(
    conn: &Connection,
    export_id: i64,
    stage: &mut Stage,
) -> Result<Vec<String>, StoreError> {
    let mut touched = Vec::new();
    let mut insert = conn
        .prepare_cached(
            "INSERT OR IGNORE INTO conversation_observations
                 (export_id, conversation_id, version_id, source_file) VALUES (?1, ?2, ?3, ?4)",
        )
        .step("preparing an observation")?;
    for obs in std::mem::take(&mut stage.observations) {
        let inserted = insert
            .execute(params![export_id, obs.conversation_id, obs.version_id, obs.file])
            .step("recording an observation")?;
        if inserted > 0 {
            if stage.status.get(&obs.conversation_id) == Some(&Status::Unchanged)
                && seen::older_than_latest_observation(conn, &obs.conversation_id, export_id)?
            {
                stage.deferred.insert(obs.conversation_id.clone());
            }
            touched.push(obs.conversation_id);
        }
    }
    touched.sort();
    touched.dedup();
    Ok(touched)
}

/// Rebuilds the conversations that have several versions from all of them, and counts every
/// conversation of the export as new, updated or unchanged.
fn rebuild_deferred(
    conn: &Connection,
    stage: &mut Stage,
    writer: &mut Writer,
) -> Result<(), StoreError> {
    for id in std::mem::take(&mut stage.deferred) {
        let Some(merged) = seen::merged_snapshot(conn, &id)? else {
            continue;
        };
        let outcome = writer.write(conn, ConversationRecord::from_snapshot(&merged))?;
        stage.nodes_new += outcome.nodes_new;
        stage.nodes_updated += outcome.nodes_updated;
        let status = stage.status.entry(id).or_insert(Status::Unchanged);
        if *status == Status::Unchanged && outcome.changed {
            *status = Status::Updated;
        }
    }
    Ok(())
}

fn source_records(export: &Export, fingerprint: &str) -> Result<Vec<SourceRecord>, StoreError> {
    export
        .sources()
        .into_iter()
        .map(|source| {
            let sha256 = if source.kind == crate::source::InputKind::Folder {
                fingerprint.to_string()
            } else {
                file_sha256(&source.path)?
            };
            Ok(SourceRecord {
                kind: source.kind.as_str().to_string(),
                size: source.size,
                path: source.path,
                sha256,
            })
        })
        .collect()
}

fn file_sha256(path: &std::path::Path) -> Result<String, StoreError> {
    let location = Location::file(path);
    let mut file = std::fs::File::open(path).map_err(|e| SourceError::io(location.clone(), e))?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 20];
    loop {
        let read = file.read(&mut buffer).map_err(|e| SourceError::io(location.clone(), e))?;
        if read == 0 {
            return Ok(hex::encode(hasher.finalize()));
        }
        hasher.update(&buffer[..read]);
    }
}

fn log_import(
    conn: &Connection,
    export_id: i64,
    started_at: &str,
    report: &ExportReport,
) -> Result<(), StoreError> {
    let counts = &report.conversations;
    let json = |value: serde_json::Result<String>| value.expect("reports serialize");
    conn.execute(
        "INSERT INTO imports (export_id, started_at, finished_at, tool_version, sources,
             exported_at, conversations_new, conversations_updated, conversations_unchanged,
             conversations_missing, nodes_new, nodes_updated, skipped, skipped_details, warnings)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
        params![
            export_id,
            started_at,
            timestamp::now(),
            env!("CARGO_PKG_VERSION"),
            json(serde_json::to_string(&report.sources)),
            report.exported_at,
            counts.new as i64,
            counts.updated as i64,
            counts.unchanged as i64,
            counts.missing as i64,
            report.nodes_new as i64,
            report.nodes_updated as i64,
            report.skipped_total as i64,
            json(serde_json::to_string(&report.skipped)),
            json(serde_json::to_string(&report.warnings)),
        ],
    )
    .step("logging the import")?;
    Ok(())
}

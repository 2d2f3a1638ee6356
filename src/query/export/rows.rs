//! JSON Lines and CSV for analysis and data sets: one message per line (with its
//! conversation's fields), or with `--per conversation` one conversation per line. Columns
//! are listed in docs/json.md; CSV has the same columns with a header row.
//!
//! The messages are those `show` displays, in its order: the current thread (every branch
//! with `--all-branches`), tool calls and outputs included; hidden scaffolding and custom
//! instructions only with `--include-hidden`. Code and outputs are given verbatim.

use std::collections::HashMap;

use rusqlite::Connection;
use serde_json::{Map, Value};

use super::names::chatgpt_url;
use super::sink::Sink;
use super::{ExportError, Format, Options, Per, Progress, Summary};
use crate::query::conversation::{Conversation, Message};
use crate::query::show::{self, Kind, Shown};

/// The conversation fields on each message line.
const MESSAGE_COLUMNS: [&str; 18] = [
    "conversation_id",
    "conversation_title",
    "conversation_created_at",
    "conversation_model",
    "project_id",
    "node_id",
    "parent_node_id",
    "depth",
    "position",
    "on_current_thread",
    "hidden",
    "role",
    "author_name",
    "recipient",
    "content_type",
    "model",
    "created_at",
    "text",
];

/// The columns of a conversation line.
const CONVERSATION_COLUMNS: [&str; 11] = [
    "id",
    "title",
    "created_at",
    "updated_at",
    "model",
    "project_id",
    "gizmo_id",
    "message_count",
    "in_latest_export",
    "last_seen_at",
    "url",
];

/// Streams JSON Lines or CSV into `name`.
pub fn write(
    conn: &Connection,
    ids: &[String],
    options: &Options,
    name: &str,
    sink: &mut dyn Sink,
    progress: &dyn Progress,
    summary: &mut Summary,
) -> Result<(), ExportError> {
    let csv = options.format == Format::Csv;
    sink.stream(name, &mut |out| {
        if !csv {
            return each_row(conn, ids, options, progress, summary, &mut |id, row| {
                serde_json::to_writer(&mut *out, &row)
                    .map_err(|source| ExportError::Json { id: id.to_string(), source })?;
                Ok(out.write_all(b"\n")?)
            });
        }
        let mut writer = csv::Writer::from_writer(out);
        let columns: &[&str] = match options.per {
            Per::Message => &MESSAGE_COLUMNS,
            Per::Conversation => &CONVERSATION_COLUMNS,
        };
        writer.write_record(columns)?;
        each_row(conn, ids, options, progress, summary, &mut |_, row| {
            Ok(writer.write_record(row.values().map(cell))?)
        })?;
        Ok(writer.flush()?)
    })
}

/// Receives each row with the id of its conversation.
type Emit<'a> = dyn FnMut(&str, Map<String, Value>) -> Result<(), ExportError> + 'a;

/// Calls `emit` with each row, in order, with the id of its conversation.
fn each_row(
    conn: &Connection,
    ids: &[String],
    options: &Options,
    progress: &dyn Progress,
    summary: &mut Summary,
    emit: &mut Emit<'_>,
) -> Result<(), ExportError> {
    let with_messages = options.format == Format::Jsonl;
    for id in ids {
        let shown = super::load(conn, id)?;
        let messages = shown_messages(&shown, options.all_branches, options.include_hidden);
        summary.messages += messages.len();
        match options.per {
            Per::Message => {
                for message in &messages {
                    emit(id, message_row(&shown.conversation, message))?;
                }
            }
            Per::Conversation => {
                emit(id, conversation_row(&shown.conversation, &messages, with_messages))?;
            }
        }
        progress.advance();
    }
    Ok(())
}

/// The messages to write, in display order.
fn shown_messages(shown: &Shown, all_branches: bool, include_hidden: bool) -> Vec<&Message> {
    if !include_hidden {
        return shown.entries(all_branches).into_iter().map(|e| e.message).collect();
    }
    // `entries` lists what ChatGPT shows. Walking a copy in which nothing is hidden puts the
    // hidden messages at their place in the same order.
    let unhidden = Shown {
        conversation: shown.conversation.clone(),
        messages: shown.messages.iter().cloned().map(|m| Message { hidden: false, ..m }).collect(),
    };
    let index: HashMap<&str, usize> =
        shown.messages.iter().enumerate().map(|(i, m)| (m.node_id.as_str(), i)).collect();
    unhidden
        .entries(all_branches)
        .into_iter()
        .filter_map(|e| index.get(e.message.node_id.as_str()).map(|&i| &shown.messages[i]))
        .collect()
}

fn message_row(conversation: &Conversation, message: &Message) -> Map<String, Value> {
    let c = conversation;
    let m = message;
    let text = show::body(m, &Kind::of(m));
    let values = [
        Value::from(c.id.clone()),
        Value::from(c.title.clone()),
        Value::from(c.created_at.clone()),
        Value::from(c.model.clone()),
        Value::from(c.project_id.clone()),
        Value::from(m.node_id.clone()),
        Value::from(m.parent_node_id.clone()),
        Value::from(m.depth),
        Value::from(m.position),
        Value::from(m.on_current_thread),
        Value::from(m.hidden),
        Value::from(m.role.clone()),
        Value::from(m.author_name.clone()),
        Value::from(m.recipient.clone()),
        Value::from(m.content_type.clone()),
        Value::from(m.model.clone()),
        Value::from(m.created_at.clone()),
        Value::from(text),
    ];
    MESSAGE_COLUMNS.iter().map(|k| k.to_string()).zip(values).collect()
}

/// A conversation's line; JSON Lines also carry its messages (`messages`, each without the
/// conversation fields).
fn conversation_row(
    c: &Conversation,
    messages: &[&Message],
    with_messages: bool,
) -> Map<String, Value> {
    let values = [
        Value::from(c.id.clone()),
        Value::from(c.title.clone()),
        Value::from(c.created_at.clone()),
        Value::from(c.updated_at.clone()),
        Value::from(c.model.clone()),
        Value::from(c.project_id.clone()),
        Value::from(c.gizmo_id.clone()),
        Value::from(c.message_count),
        Value::from(c.in_latest_export),
        Value::from(c.last_seen_at.clone()),
        Value::from(chatgpt_url(&c.id)),
    ];
    let mut row: Map<String, Value> =
        CONVERSATION_COLUMNS.iter().map(|k| k.to_string()).zip(values).collect();
    if with_messages {
        let list = messages
            .iter()
            .map(|m| {
                let mut line = message_row(c, m);
                line.retain(|key, _| !key.starts_with("conversation_") && key != "project_id");
                Value::Object(line)
            })
            .collect();
        row.insert("messages".into(), Value::Array(list));
    }
    row
}

/// A CSV cell: text as it is, null empty, other values as JSON (`true`, `3`).
fn cell(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

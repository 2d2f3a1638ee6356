//! `conversations.json` in the export's own format, rebuilt from what the import kept: the
//! top-level JSON of each conversation (`conversations.raw`) with every node put back into
//! `mapping` (`messages.node_raw`), each holding its message's JSON exactly as the archive
//! stores it (`messages.raw`, spliced in as text, never re-serialized, so that numbers and
//! escapes stay as they were). Any tool that reads ChatGPT exports reads it, and so does
//! `chatarchive import`: importing the export of a whole archive into an empty one gives the
//! same conversations and messages.
//!
//! The file is one JSON array with one conversation per line.

use rusqlite::Connection;
use serde_json::{Map, Value};

use super::sink::Sink;
use super::{ExportError, Progress, Summary};
use crate::query::conversation::{Conversation, Message};

/// Streams the conversations `ids` as one JSON array into `name`.
pub fn write(
    conn: &Connection,
    ids: &[String],
    name: &str,
    sink: &mut dyn Sink,
    progress: &dyn Progress,
    summary: &mut Summary,
) -> Result<(), ExportError> {
    sink.stream(name, &mut |out| {
        out.write_all(b"[")?;
        for (i, id) in ids.iter().enumerate() {
            let shown = super::load(conn, id)?;
            summary.messages += shown.messages.iter().filter(|m| m.has_message).count();
            out.write_all(if i == 0 { b"\n" } else { b",\n" })?;
            let text = conversation_json(&shown.conversation, &shown.messages)
                .map_err(|source| ExportError::Json { id: id.clone(), source })?;
            out.write_all(text.as_bytes())?;
            progress.advance();
        }
        out.write_all(if ids.is_empty() { b"]\n" } else { b"\n]\n" })?;
        Ok(())
    })
}

/// One conversation as the export wrote it: the top-level keys in their order, `mapping` (kept
/// at its place in `raw`) holding the export's `null` nodes and then every node.
pub fn conversation_json(
    conversation: &Conversation,
    messages: &[Message],
) -> serde_json::Result<String> {
    let top: Map<String, Value> = serde_json::from_str(&conversation.raw)?;
    let mut out = String::with_capacity(conversation.raw.len() + 1024 * messages.len());
    out.push('{');
    let mut wrote_mapping = false;
    for (i, (key, value)) in top.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&serde_json::to_string(key)?);
        out.push(':');
        match value {
            Value::Object(nulls) if key == "mapping" => {
                mapping(&mut out, nulls, messages)?;
                wrote_mapping = true;
            }
            value => out.push_str(&serde_json::to_string(value)?),
        }
    }
    if !wrote_mapping && !messages.is_empty() {
        // Nodes without a mapping in `raw` never happen: the import keeps `mapping` whenever
        // there are nodes. Should it, the nodes are still written rather than lost.
        out.push_str(if top.is_empty() { "\"mapping\":" } else { ",\"mapping\":" });
        mapping(&mut out, &Map::new(), messages)?;
    }
    out.push('}');
    Ok(out)
}

/// `{"<null node>":null,…,"<node id>":{…node…,"message":{…}},…}`.
fn mapping(
    out: &mut String,
    nulls: &Map<String, Value>,
    messages: &[Message],
) -> serde_json::Result<()> {
    out.push('{');
    let mut first = true;
    let mut comma = |out: &mut String| {
        if !std::mem::take(&mut first) {
            out.push(',');
        }
    };
    for (id, value) in nulls {
        comma(out);
        out.push_str(&serde_json::to_string(id)?);
        out.push(':');
        out.push_str(&serde_json::to_string(value)?);
    }
    for message in messages {
        comma(out);
        out.push_str(&serde_json::to_string(&message.node_id)?);
        out.push(':');
        node(out, message)?;
    }
    out.push('}');
    Ok(())
}

/// A node: its JSON without the message (`node_raw`), with the message's raw text added as
/// `message`.
fn node(out: &mut String, message: &Message) -> serde_json::Result<()> {
    let Some(raw) = &message.raw else {
        out.push_str(&message.node_raw);
        return Ok(());
    };
    let fields: Map<String, Value> = serde_json::from_str(&message.node_raw)?;
    out.push('{');
    for (key, value) in &fields {
        out.push_str(&serde_json::to_string(key)?);
        out.push(':');
        out.push_str(&serde_json::to_string(value)?);
        out.push(',');
    }
    out.push_str("\"message\":");
    out.push_str(raw.trim());
    out.push('}');
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(id: &str, raw: Option<&str>, node_raw: &str) -> Message {
        Message {
            node_id: id.into(),
            parent_node_id: None,
            position: 0,
            depth: 0,
            role: None,
            author_name: None,
            recipient: None,
            channel: None,
            content_type: None,
            model: None,
            created_at: None,
            hidden: false,
            on_current_thread: false,
            has_message: raw.is_some(),
            text: String::new(),
            raw: raw.map(Into::into),
            node_raw: node_raw.into(),
            attachments: Vec::new(),
        }
    }

    #[test]
    fn messages_are_spliced_in_as_written() {
        let conversation = Conversation {
            id: "c".into(),
            title: None,
            created_at: None,
            updated_at: None,
            model: None,
            project_id: None,
            gizmo_id: None,
            message_count: 1,
            in_latest_export: true,
            last_seen_at: None,
            raw: r#"{"id":"c","mapping":{"gone":null},"title":"T"}"#.into(),
        };
        let nodes = [
            node("r", None, r#"{"id":"r","message":null}"#),
            node("a", Some(r#"{"t":1.7e9,"s":"caf\u00e9"}"#), r#"{"id":"a","parent":"r"}"#),
        ];
        assert_eq!(
            conversation_json(&conversation, &nodes).unwrap(),
            r#"{"id":"c","mapping":{"gone":null,"r":{"id":"r","message":null},"a":{"id":"a","parent":"r","message":{"t":1.7e9,"s":"caf\u00e9"}}},"title":"T"}"#
        );
    }
}

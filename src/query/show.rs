//! `show`: one conversation, found by its id or a unique prefix of it, with the messages to
//! display in tree order and what kind of turn each one is (text, code, a tool call, a tool's
//! output).

use std::collections::{HashMap, HashSet};

use rusqlite::Connection;

use super::conversation::{self, Conversation, Message};
use super::filter::escape_like;

/// At most this many candidates are named for an ambiguous prefix.
pub const MAX_CANDIDATES: usize = 20;

/// Why a conversation could not be shown.
#[derive(Debug, thiserror::Error)]
pub enum ShowError {
    /// No conversation id starts with the text given.
    #[error("no conversation id starts with {0:?}")]
    NotFound(String),
    /// Several conversation ids start with the text given.
    #[error("{prefix:?} is the start of {total} conversation ids")]
    Ambiguous {
        /// The text given.
        prefix: String,
        /// The first [`MAX_CANDIDATES`] matches by id.
        candidates: Vec<Candidate>,
        /// How many conversations match in all.
        total: usize,
    },
    /// The archive could not be read.
    #[error("cannot read the archive")]
    Sql(#[from] rusqlite::Error),
}

/// A conversation an ambiguous prefix matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// The conversation id.
    pub id: String,
    /// Its title.
    pub title: Option<String>,
}

/// A conversation with all its nodes.
#[derive(Debug, Clone)]
pub struct Shown {
    /// The conversation's row.
    pub conversation: Conversation,
    /// Every node, in the order they were first stored.
    pub messages: Vec<Message>,
}

/// Finds the conversation whose id is `prefix`, or else the only one whose id starts with it.
pub fn resolve(conn: &Connection, prefix: &str) -> Result<String, ShowError> {
    let exact: bool =
        conn.query_row("SELECT count(*) > 0 FROM conversations WHERE id = ?1", [prefix], |r| {
            r.get(0)
        })?;
    if exact {
        return Ok(prefix.to_string());
    }
    let pattern = format!("{}%", escape_like(prefix));
    let total: i64 = conn.query_row(
        "SELECT count(*) FROM conversations WHERE id LIKE ?1 ESCAPE '\\'",
        [&pattern],
        |r| r.get(0),
    )?;
    let mut stmt = conn.prepare(
        "SELECT id, title FROM conversations WHERE id LIKE ?1 ESCAPE '\\' ORDER BY id LIMIT ?2",
    )?;
    let candidates = stmt
        .query_map(rusqlite::params![pattern, MAX_CANDIDATES as i64], |r| {
            Ok(Candidate { id: r.get(0)?, title: r.get(1)? })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    match candidates.as_slice() {
        [] => Err(ShowError::NotFound(prefix.to_string())),
        [only] => Ok(only.id.clone()),
        _ => Err(ShowError::Ambiguous {
            prefix: prefix.to_string(),
            candidates,
            total: total as usize,
        }),
    }
}

/// Resolves `prefix` and reads the conversation with every node.
pub fn load(conn: &Connection, prefix: &str) -> Result<Shown, ShowError> {
    let id = resolve(conn, prefix)?;
    let conversation =
        conversation::load(conn, &id)?.ok_or_else(|| ShowError::NotFound(prefix.to_string()))?;
    let messages = conversation::messages(conn, &id)?;
    Ok(Shown { conversation, messages })
}

/// A message to display, with its nesting in the drawn tree.
#[derive(Debug, Clone, Copy)]
pub struct Entry<'a> {
    /// The message.
    pub message: &'a Message,
    /// How many alternative branches deep it sits: 0 for the main line.
    pub level: usize,
}

impl Shown {
    /// The visible messages in tree order: the current thread, or with `all_branches` every
    /// branch, each alternative nested one level under the node it forks from.
    ///
    /// The tree is walked depth first with siblings by `position`. Among siblings the one on
    /// the current thread (else the first) continues its parent's line and the others open a
    /// nested branch, so that a thread without forks stays flat. Message-less and hidden
    /// nodes are walked through but not listed.
    pub fn entries(&self, all_branches: bool) -> Vec<Entry<'_>> {
        let walk = Walk::new(&self.messages);
        let mut entries = Vec::new();
        let mut seen = HashSet::new();
        for root in walk.roots() {
            walk.visit(root, 0, &mut seen, &mut entries);
        }
        entries.retain(|e| e.message.is_visible() && (all_branches || e.message.on_current_thread));
        entries
    }
}

/// Children by parent, derived from `parent_node_id`.
struct Walk<'a> {
    messages: &'a [Message],
    children: HashMap<&'a str, Vec<usize>>,
}

impl<'a> Walk<'a> {
    fn new(messages: &'a [Message]) -> Self {
        let mut children: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, message) in messages.iter().enumerate() {
            if let Some(parent) = &message.parent_node_id {
                children.entry(parent.as_str()).or_default().push(i);
            }
        }
        for list in children.values_mut() {
            list.sort_by_key(|&i| (messages[i].position, messages[i].node_id.as_str()));
        }
        Self { messages, children }
    }

    /// Nodes whose parent is absent or unknown first, then every other node, so that nodes
    /// caught in a parent cycle (never seen in real exports) are still listed.
    fn roots(&self) -> Vec<usize> {
        let ids: HashSet<&str> = self.messages.iter().map(|m| m.node_id.as_str()).collect();
        let mut order: Vec<usize> = (0..self.messages.len()).collect();
        order.sort_by_key(|&i| {
            let message = &self.messages[i];
            let orphan = message.parent_node_id.as_deref().is_none_or(|p| !ids.contains(p));
            (!orphan, message.depth, message.position, message.node_id.as_str())
        });
        order
    }

    fn visit(&self, at: usize, level: usize, seen: &mut HashSet<usize>, out: &mut Vec<Entry<'a>>) {
        if !seen.insert(at) {
            return;
        }
        let message = &self.messages[at];
        out.push(Entry { message, level });
        let Some(children) = self.children.get(message.node_id.as_str()) else {
            return;
        };
        let main = children
            .iter()
            .copied()
            .find(|&c| self.messages[c].on_current_thread)
            .unwrap_or(children[0]);
        for &child in children {
            let nested = if child == main { level } else { level + 1 };
            self.visit(child, nested, seen, out);
        }
    }
}

/// What kind of turn a message is, for display.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// Ordinary text.
    Text,
    /// Code shown as such (`content_type` `code` addressed to everyone).
    Code {
        /// The code's language, when the export names one.
        language: Option<String>,
    },
    /// The assistant addressing a tool (`recipient` other than `all`).
    ToolCall {
        /// The tool addressed (`python`, `web.run`, `dalle.text2im`…).
        recipient: String,
        /// Whether the call is code (`content_type` `code`) rather than text.
        code: bool,
        /// The code's language, when the export names one.
        language: Option<String>,
    },
    /// The output of executed code (`execution_output`).
    Output,
}

impl Kind {
    /// Classifies a message.
    pub fn of(message: &Message) -> Self {
        let content_type = message.content_type.as_deref().unwrap_or_default();
        let code = content_type == "code";
        let language =
            || message.content_field("language").filter(|l| !l.is_empty() && l != "unknown");
        match message.recipient.as_deref() {
            Some(recipient)
                if recipient != "all" && message.role.as_deref() == Some("assistant") =>
            {
                let language = if code { language() } else { None };
                Kind::ToolCall { recipient: recipient.to_string(), code, language }
            }
            _ if code => Kind::Code { language: language() },
            _ if content_type == "execution_output" => Kind::Output,
            _ => Kind::Text,
        }
    }
}

/// The text to display for a message: the code or output itself for code and outputs (the
/// searchable text may carry more), else the searchable text.
pub fn body(message: &Message, kind: &Kind) -> String {
    let verbatim = match kind {
        Kind::Code { .. } | Kind::Output | Kind::ToolCall { code: true, .. } => {
            message.content_field("text")
        }
        _ => None,
    };
    verbatim.unwrap_or_else(|| message.text.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(id: &str, parent: Option<&str>, position: i64, on_thread: bool) -> Message {
        Message {
            node_id: id.into(),
            parent_node_id: parent.map(str::to_string),
            position,
            depth: 0,
            role: Some("user".into()),
            author_name: None,
            recipient: Some("all".into()),
            channel: None,
            content_type: Some("text".into()),
            model: None,
            created_at: None,
            hidden: false,
            on_current_thread: on_thread,
            has_message: true,
            text: id.into(),
            raw: None,
            node_raw: "{}".into(),
            attachments: Vec::new(),
        }
    }

    fn shown(messages: Vec<Message>) -> Shown {
        let conversation = Conversation {
            id: "c".into(),
            title: None,
            created_at: None,
            updated_at: None,
            model: None,
            project_id: None,
            gizmo_id: None,
            message_count: 0,
            in_latest_export: true,
            last_seen_at: None,
            raw: "{}".into(),
        };
        Shown { conversation, messages }
    }

    fn drawn(shown: &Shown, all_branches: bool) -> Vec<(String, usize)> {
        let entries = shown.entries(all_branches);
        entries.iter().map(|e| (e.message.node_id.clone(), e.level)).collect()
    }

    #[test]
    fn alternatives_nest_under_their_fork_and_the_thread_stays_flat() {
        let mut hidden = node("h", Some("r"), 0, true);
        hidden.hidden = true;
        let mut root = node("r", None, 0, true);
        root.has_message = false;
        let shown = shown(vec![
            node("b", Some("h"), 1, true),
            node("a", Some("h"), 0, false),
            node("a2", Some("a"), 1, false),
            node("a1", Some("a"), 0, false),
            root,
            hidden,
            node("b1", Some("b"), 0, true),
        ]);
        let pairs = |list: &[(&str, usize)]| {
            list.iter().map(|(id, level)| (id.to_string(), *level)).collect::<Vec<_>>()
        };
        assert_eq!(
            drawn(&shown, true),
            pairs(&[("a", 1), ("a1", 1), ("a2", 2), ("b", 0), ("b1", 0)])
        );
        assert_eq!(drawn(&shown, false), pairs(&[("b", 0), ("b1", 0)]));
    }

    #[test]
    fn nodes_in_a_parent_cycle_are_still_listed_once() {
        let shown = shown(vec![node("x", Some("y"), 0, false), node("y", Some("x"), 0, false)]);
        let ids: Vec<String> = drawn(&shown, true).into_iter().map(|(id, _)| id).collect();
        assert_eq!(ids, ["x", "y"]);
    }

    #[test]
    fn code_to_a_tool_is_a_call_and_its_output_is_output() {
        let mut call = node("c", None, 0, true);
        call.role = Some("assistant".into());
        call.recipient = Some("python".into());
        call.content_type = Some("code".into());
        call.raw =
            Some(r#"{"content":{"content_type":"code","language":"python","text":"1+1"}}"#.into());
        let expected = Kind::ToolCall {
            recipient: "python".into(),
            code: true,
            language: Some("python".into()),
        };
        assert_eq!(Kind::of(&call), expected);
        assert_eq!(body(&call, &expected), "1+1");

        call.recipient = Some("all".into());
        call.raw = Some(r#"{"content":{"content_type":"code","language":"unknown"}}"#.into());
        assert_eq!(Kind::of(&call), Kind::Code { language: None });
        assert_eq!(body(&call, &Kind::Code { language: None }), "c");

        let mut output = node("o", None, 0, true);
        output.role = Some("tool".into());
        output.content_type = Some("execution_output".into());
        assert_eq!(Kind::of(&output), Kind::Output);
        assert_eq!(Kind::of(&node("t", None, 0, true)), Kind::Text);
    }
}

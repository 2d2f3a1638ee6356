//! The normalized rows of one conversation, built from its merged snapshot.
//!
//! This is the one place where the export's vocabulary (`mapping`, `current_node`,
//! `default_model_slug`, `author.role`) meets the archive's (`messages`, `current_node_id`,
//! `model`, `role`), and where every default is decided.

use serde_json::Value;

use super::snapshot::{Node, Snapshot};
use super::text::{has_cjk, message_text};
use super::timestamp::iso_of;
use super::tree::{TreeNode, shape};

/// A `gizmo_id` with this prefix is a project; other `g-` ids are custom GPTs.
const PROJECT_PREFIX: &str = "g-p-";

/// One row of `conversations` (without the bookkeeping columns the store owns).
#[derive(Debug, Clone, PartialEq)]
pub struct ConversationRecord {
    /// The export's conversation id.
    pub id: String,
    /// `title`; `None` when null or missing.
    pub title: Option<String>,
    /// `create_time` as ISO-8601 UTC.
    pub created_at: Option<String>,
    /// `update_time` as ISO-8601 UTC.
    pub updated_at: Option<String>,
    /// `current_node` as written, even when it names no node.
    pub current_node_id: Option<String>,
    /// The node the current thread was walked up from.
    pub thread_leaf_id: Option<String>,
    /// `default_model_slug`.
    pub model: Option<String>,
    /// `gizmo_id`: a custom GPT (`g-…`) or a project (`g-p-…`).
    pub gizmo_id: Option<String>,
    /// `gizmo_type` (`gpt`, `snorlax` for projects).
    pub gizmo_type: Option<String>,
    /// The project id, from `gizmo_id` or `conversation_template_id` when it is `g-p-…`.
    pub project_id: Option<String>,
    /// `is_archived`.
    pub is_archived: Option<bool>,
    /// `is_starred`.
    pub is_starred: Option<bool>,
    /// `pinned_time` as ISO-8601 UTC.
    pub pinned_at: Option<String>,
    /// `memory_scope`.
    pub memory_scope: Option<String>,
    /// `conversation_origin`.
    pub conversation_origin: Option<String>,
    /// Whether the conversation has a `mapping` object.
    pub has_mapping: bool,
    /// The top-level JSON without the nodes (see [`Snapshot::top_raw`]).
    pub raw: String,
    /// One record per non-null mapping node.
    pub nodes: Vec<NodeRecord>,
}

/// One row of `messages`: a node of the mapping, with or without a message.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeRecord {
    /// The mapping key.
    pub node_id: String,
    /// The `parent` pointer.
    pub parent_node_id: Option<String>,
    /// Order among siblings.
    pub position: i64,
    /// Distance from the root.
    pub depth: i64,
    /// `author.role`.
    pub role: Option<String>,
    /// `author.name` (tool names such as `python`, `web.run`).
    pub author_name: Option<String>,
    /// `recipient`.
    pub recipient: Option<String>,
    /// `channel`.
    pub channel: Option<String>,
    /// `content.content_type`.
    pub content_type: Option<String>,
    /// `status`.
    pub status: Option<String>,
    /// `metadata.model_slug`, else for assistant and tool messages the conversation's model.
    pub model: Option<String>,
    /// `create_time` as ISO-8601 UTC.
    pub created_at: Option<String>,
    /// `update_time` as ISO-8601 UTC.
    pub updated_at: Option<String>,
    /// `weight`.
    pub weight: Option<f64>,
    /// `end_turn`.
    pub end_turn: Option<bool>,
    /// Not shown by ChatGPT: system messages, visually hidden scaffolding, weight 0, custom
    /// instructions.
    pub hidden: bool,
    /// Custom instructions or the user's profile (2023 system metadata or 2024+
    /// `user_editable_context`): never a chat turn.
    pub is_custom_instructions: bool,
    /// On the current thread.
    pub on_current_thread: bool,
    /// Whether the node holds a message.
    pub has_message: bool,
    /// The searchable text (see [`message_text`]).
    pub text: String,
    /// Whether the text holds Chinese, Japanese or Korean characters (see [`has_cjk`]).
    pub has_cjk: bool,
    /// The message JSON, `None` for message-less nodes.
    pub raw: Option<String>,
    /// The node JSON without its message.
    pub node_raw: String,
    /// Files the message points to.
    pub assets: Vec<AssetReference>,
}

/// A pointer from a message to a file of the export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetReference {
    /// JSON path inside the message, e.g. `$.content.parts[0].asset_pointer`.
    pub json_path: String,
    /// The pointer as written (`sediment://file_…`, `file-service://file-…`, an id).
    pub pointer: String,
    /// The file id the pointer names.
    pub file_id: String,
}

fn string(value: Option<&Value>) -> Option<String> {
    value.and_then(Value::as_str).map(str::to_string)
}

impl ConversationRecord {
    /// Builds the rows of a conversation from its (merged) snapshot.
    pub fn from_snapshot(snapshot: &Snapshot) -> Self {
        let top = &snapshot.top;
        let gizmo_id = string(top.get("gizmo_id"));
        let template = string(top.get("conversation_template_id"));
        let project_id = [&gizmo_id, &template]
            .into_iter()
            .flatten()
            .find(|id| id.starts_with(PROJECT_PREFIX))
            .cloned();
        let model = string(top.get("default_model_slug"));
        let current_node_id = string(top.get("current_node"));
        let (nodes, thread_leaf_id) = node_records(snapshot, current_node_id.as_deref(), &model);
        Self {
            id: snapshot.id.clone(),
            title: string(top.get("title")),
            created_at: iso_of(top.get("create_time")),
            updated_at: iso_of(top.get("update_time")),
            current_node_id,
            thread_leaf_id,
            model,
            gizmo_id,
            gizmo_type: string(top.get("gizmo_type")),
            project_id,
            is_archived: top.get("is_archived").and_then(Value::as_bool),
            is_starred: top.get("is_starred").and_then(Value::as_bool),
            pinned_at: iso_of(top.get("pinned_time")),
            memory_scope: string(top.get("memory_scope")),
            conversation_origin: string(top.get("conversation_origin")),
            has_mapping: snapshot.mapping.is_some(),
            raw: snapshot.top_raw(),
            nodes,
        }
    }

    /// Number of nodes holding a message.
    pub fn message_count(&self) -> usize {
        self.nodes.iter().filter(|n| n.has_message).count()
    }
}

fn node_records(
    snapshot: &Snapshot,
    current_node: Option<&str>,
    model: &Option<String>,
) -> (Vec<NodeRecord>, Option<String>) {
    let Some(mapping) = &snapshot.mapping else {
        return (Vec::new(), None);
    };
    let nodes: Vec<(&String, &Node)> =
        mapping.iter().filter_map(|(id, node)| node.as_ref().map(|n| (id, n))).collect();
    let tree: Vec<TreeNode<'_>> = nodes.iter().map(|(id, node)| tree_node(id, node)).collect();
    let shape = shape(&tree, current_node);
    let records = nodes
        .iter()
        .enumerate()
        .map(|(i, (id, node))| {
            let mut record = node_record(id, node, model);
            record.position = shape.position[i];
            record.depth = shape.depth[i];
            record.on_current_thread = shape.on_thread[i];
            record
        })
        .collect();
    (records, shape.leaf.map(|i| nodes[i].0.clone()))
}

fn tree_node<'a>(id: &'a str, node: &'a Node) -> TreeNode<'a> {
    let children = node
        .fields
        .get("children")
        .and_then(Value::as_array)
        .map(|c| c.iter().filter_map(Value::as_str).collect());
    TreeNode {
        id,
        parent: node.fields.get("parent").and_then(Value::as_str),
        children,
        created: node.message().and_then(|m| m.value.get("create_time")).and_then(Value::as_f64),
    }
}

fn node_record(id: &str, node: &Node, conversation_model: &Option<String>) -> NodeRecord {
    let message = node.message();
    let value = message.map(|m| &m.value).unwrap_or(&Value::Null);
    let role = string(value.pointer("/author/role"));
    let content_type = string(value.pointer("/content/content_type"));
    let is_custom_instructions = is_custom_instructions(value, content_type.as_deref());
    let weight = value.get("weight").and_then(Value::as_f64);
    let visually_hidden = value
        .pointer("/metadata/is_visually_hidden_from_conversation")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let hidden = visually_hidden
        || is_custom_instructions
        || weight == Some(0.0)
        || role.as_deref() == Some("system");
    let text = message.map(|m| message_text(&m.value)).unwrap_or_default();
    let model = string(value.pointer("/metadata/model_slug")).or_else(|| {
        let answers = matches!(role.as_deref(), Some("assistant" | "tool"));
        if answers { conversation_model.clone() } else { None }
    });
    NodeRecord {
        node_id: id.to_string(),
        parent_node_id: string(node.fields.get("parent")),
        position: 0,
        depth: 0,
        role,
        author_name: string(value.pointer("/author/name")),
        recipient: string(value.get("recipient")),
        channel: string(value.get("channel")),
        content_type,
        status: string(value.get("status")),
        model,
        created_at: iso_of(value.get("create_time")),
        updated_at: iso_of(value.get("update_time")),
        weight,
        end_turn: value.get("end_turn").and_then(Value::as_bool),
        hidden,
        is_custom_instructions,
        on_current_thread: false,
        has_message: message.is_some(),
        has_cjk: has_cjk(&text),
        text,
        raw: message.map(|m| m.raw.clone()),
        node_raw: node.raw_without_message(),
        assets: message.map(|m| asset_references(&m.value)).unwrap_or_default(),
    }
}

fn is_custom_instructions(message: &Value, content_type: Option<&str>) -> bool {
    let metadata = message.get("metadata");
    let flagged = metadata
        .and_then(|m| m.get("is_user_system_message"))
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let has_context = metadata.and_then(|m| m.get("user_context_message_data")).is_some();
    flagged || has_context || content_type == Some("user_editable_context")
}

/// Finds every file pointer in a message: `asset_pointer` strings anywhere in `content`,
/// `metadata.attachments[].id`, and code-interpreter images in
/// `metadata.aggregate_result.messages[].image_url`.
pub fn asset_references(message: &Value) -> Vec<AssetReference> {
    let mut found = Vec::new();
    if let Some(content) = message.get("content") {
        collect_pointers(content, "$.content".to_string(), &mut found);
    }
    let attachments = message.pointer("/metadata/attachments").and_then(Value::as_array);
    for (i, attachment) in attachments.into_iter().flatten().enumerate() {
        if let Some(id) = attachment.get("id").and_then(Value::as_str) {
            push_reference(&mut found, format!("$.metadata.attachments[{i}].id"), id);
        }
    }
    let images = message.pointer("/metadata/aggregate_result/messages").and_then(Value::as_array);
    for (i, image) in images.into_iter().flatten().enumerate() {
        if let Some(url) = image.get("image_url").and_then(Value::as_str) {
            let path = format!("$.metadata.aggregate_result.messages[{i}].image_url");
            push_reference(&mut found, path, url);
        }
    }
    found
}

fn collect_pointers(value: &Value, path: String, found: &mut Vec<AssetReference>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let child_path = format!("{path}.{key}");
                match child {
                    Value::String(pointer) if key == "asset_pointer" => {
                        push_reference(found, child_path, pointer);
                    }
                    _ => collect_pointers(child, child_path, found),
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                collect_pointers(item, format!("{path}[{i}]"), found);
            }
        }
        _ => {}
    }
}

fn push_reference(found: &mut Vec<AssetReference>, json_path: String, pointer: &str) {
    let file_id = file_id(pointer);
    if !file_id.is_empty() {
        found.push(AssetReference { json_path, pointer: pointer.to_string(), file_id });
    }
}

/// The file id a pointer names: what follows `scheme://`, without query, fragment or
/// leading path segments.
pub fn file_id(pointer: &str) -> String {
    let rest = pointer.split_once("://").map_or(pointer, |(_, rest)| rest);
    let rest = rest.split(['?', '#']).next().unwrap_or_default();
    rest.rsplit('/').next().unwrap_or_default().to_string()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn record(text: &str) -> ConversationRecord {
        ConversationRecord::from_snapshot(&Snapshot::parse(text, text).unwrap())
    }

    #[test]
    fn conversation_fields_become_columns() {
        let r = record(
            r#"{"id":"c","title":"T","create_time":1700000000.5,"update_time":null,
            "current_node":"a","default_model_slug":"gpt-4o","gizmo_id":"g-p-1",
            "gizmo_type":"snorlax","is_archived":false,"mapping":{
              "root":{"id":"root","message":null,"parent":null},
              "a":{"id":"a","parent":"root","message":{"author":{"role":"assistant"},
                "content":{"content_type":"text","parts":["Hi"]},"create_time":1700000001}}}}"#,
        );
        assert_eq!(r.created_at.as_deref(), Some("2023-11-14T22:13:20.500000Z"));
        assert_eq!(r.updated_at, None);
        assert_eq!(r.project_id.as_deref(), Some("g-p-1"));
        assert_eq!(r.thread_leaf_id.as_deref(), Some("a"));
        assert_eq!(r.message_count(), 1);
        let a = &r.nodes[1];
        assert_eq!((a.depth, a.on_current_thread, a.text.as_str()), (1, true, "Hi"));
        assert_eq!(a.model.as_deref(), Some("gpt-4o"));
        assert!(!r.nodes[0].has_message && r.nodes[0].on_current_thread);
    }

    #[test]
    fn custom_instructions_are_hidden_and_flagged() {
        let r = record(
            r#"{"id":"c","mapping":{"u":{"id":"u","message":{"author":{"role":"user"},
            "content":{"content_type":"user_editable_context","user_profile":"P"}}}}}"#,
        );
        assert!(r.nodes[0].is_custom_instructions && r.nodes[0].hidden);
        assert_eq!(r.nodes[0].model, None);
    }

    #[test]
    fn pointers_are_found_everywhere_they_live() {
        let message = json!({
            "content": {"parts": [
                {"content_type": "real_time_user_audio_video_asset_pointer",
                 "audio_asset_pointer": {"asset_pointer": "sediment://file_00aa"}},
                "text"
            ]},
            "metadata": {"attachments": [{"id": "file-XY"}],
                "aggregate_result": {"messages": [{"image_url": "file-service://file-IMG"}]}}
        });
        let found: Vec<_> =
            asset_references(&message).into_iter().map(|r| (r.json_path, r.file_id)).collect();
        assert_eq!(
            found,
            [
                ("$.content.parts[0].audio_asset_pointer.asset_pointer".into(), "file_00aa".into()),
                ("$.metadata.attachments[0].id".into(), "file-XY".into()),
                ("$.metadata.aggregate_result.messages[0].image_url".into(), "file-IMG".into()),
            ]
        );
        assert_eq!(file_id("sediment://file_1?x=2#f"), "file_1");
    }
}

//! A conversation as the Markdown and HTML writers show it: the turns of the current thread
//! (or every branch), each with a heading, a body of the right kind (text, code, a tool's
//! output, reasoning), its sources and its attachments. Both writers render this one view, so
//! that a note and a page always hold the same things.
//! Citations are resolved by [`super::citations`].

use serde_json::Value;

use super::citations;

use crate::query::conversation::{Attachment, Conversation, Message};
use crate::query::show::{self, Kind, Shown};

/// A conversation ready to render.
pub struct Document<'a> {
    /// The conversation's row.
    pub conversation: &'a Conversation,
    /// Whether every branch is shown.
    pub all_branches: bool,
    /// The turns, in display order.
    pub turns: Vec<Turn<'a>>,
}

/// One message shown.
pub struct Turn<'a> {
    /// The message.
    pub message: &'a Message,
    /// How many alternative branches deep it sits: 0 for the main line.
    pub level: usize,
    /// Who wrote it and to whom: `User`, `Assistant → python`, `Tool python`.
    pub who: String,
    /// What kind of turn, when not plain text: `tool call`, `output`, `reasoning`, `voice`.
    pub label: Option<&'static str>,
    /// The model, for the assistant's turns.
    pub model: Option<String>,
    /// `2024-03-01 09:30:00 UTC`.
    pub time: Option<String>,
    /// What it says.
    pub body: Body,
    /// The sources its citations point at, numbered within the conversation.
    pub sources: Vec<Source>,
    /// Files it points to.
    pub attachments: Vec<AttachmentLink>,
}

/// What a turn says.
#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    /// Text (Markdown as ChatGPT wrote it), with citation references.
    Text(Vec<Inline>),
    /// Code: a code block or a tool call's code.
    Code {
        /// Its language, when the export names one.
        language: Option<String>,
        /// The code.
        code: String,
    },
    /// The output of executed code.
    Output(String),
    /// A tool's text result (web pages, search results…): long and seldom read, so shown
    /// folded.
    ToolText(String),
    /// The model's reasoning: `(summary, content)` of each thought, shown folded.
    Reasoning(Vec<(String, String)>),
    /// A reasoning recap such as `Thought for 8s`.
    Recap(String),
}

/// A piece of text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inline {
    /// Plain text.
    Text(String),
    /// A reference to the source numbered so.
    Cite(usize),
}

/// A source a message cites.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// Its number within the conversation, from 1.
    pub number: usize,
    /// Its title (the URL or file name when it has none).
    pub title: String,
    /// Its address, when it has one.
    pub url: Option<String>,
}

/// A file a turn points to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentLink {
    /// What to call it: the file name the export gives, else the file id.
    pub name: String,
    /// The pointer as the export wrote it.
    pub pointer: String,
    /// The file id.
    pub file_id: String,
    /// Where the pointer sits in the message JSON.
    pub json_path: String,
    /// What it is: `Image`, `Audio` or `Attachment`.
    pub kind: &'static str,
    /// Where the file was copied, relative to the note, when the archive stores it.
    pub local: Option<String>,
}

impl<'a> Document<'a> {
    /// The turns of `shown`: the current thread, or every branch with `all_branches`.
    pub fn new(shown: &'a Shown, all_branches: bool) -> Self {
        let mut next_source = 1;
        let turns = shown
            .entries(all_branches)
            .into_iter()
            .map(|entry| turn(entry.message, entry.level, &mut next_source))
            .collect();
        Self { conversation: &shown.conversation, all_branches, turns }
    }
}

fn turn<'a>(message: &'a Message, level: usize, next_source: &mut usize) -> Turn<'a> {
    let role = message.role.as_deref().unwrap_or("unknown");
    let kind = Kind::of(message);
    let content_type = message.content_type.as_deref().unwrap_or_default();
    let raw: Value =
        message.raw.as_deref().and_then(|r| serde_json::from_str(r).ok()).unwrap_or_default();
    let mut who = capitalized(role);
    let mut label = None;
    let mut sources = Vec::new();
    let body = match (&kind, content_type) {
        (_, "thoughts") => {
            label = Some("reasoning");
            Body::Reasoning(thoughts(&raw, message))
        }
        (_, "reasoning_recap") => {
            label = Some("reasoning");
            Body::Recap(show::body(message, &kind))
        }
        (Kind::ToolCall { recipient, code, language }, _) => {
            who = format!("{who} → {recipient}");
            label = Some("tool call");
            let text = show::body(message, &kind);
            if *code {
                Body::Code { language: language.clone(), code: text }
            } else {
                text_body(text)
            }
        }
        (Kind::Code { language }, _) => {
            Body::Code { language: language.clone(), code: show::body(message, &kind) }
        }
        (Kind::Output, _) => {
            label = Some("output");
            Body::Output(show::body(message, &kind))
        }
        _ if role == "tool" => Body::ToolText(message.text.clone()),
        _ => {
            if is_voice(&raw) {
                label = Some("voice");
            }
            let (inlines, cited) = citations::cited_text(message, &raw, next_source);
            sources = cited;
            Body::Text(inlines)
        }
    };
    if role == "tool"
        && let Some(name) = &message.author_name
    {
        who = format!("{who} {name}");
    }
    Turn {
        message,
        level,
        who,
        label,
        model: message.model.clone().filter(|_| role == "assistant"),
        time: message.created_at.as_deref().map(display_time),
        body,
        sources,
        attachments: attachment_links(message, &raw),
    }
}

fn text_body(text: String) -> Body {
    Body::Text(vec![Inline::Text(text)])
}

/// `user` → `User`.
fn capitalized(role: &str) -> String {
    let mut chars = role.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// `2024-03-01T09:30:00.250000Z` → `2024-03-01 09:30:00 UTC`: UTC, so that exports do not
/// change with the time zone they are made in.
pub fn display_time(iso: &str) -> String {
    match (iso.get(..10), iso.get(11..19)) {
        (Some(day), Some(time)) if iso.as_bytes().get(10) == Some(&b'T') => {
            format!("{day} {time} UTC")
        }
        _ => iso.to_string(),
    }
}

/// A voice turn: a transcript of what was said (its text is the transcript).
fn is_voice(raw: &Value) -> bool {
    let flagged = raw.pointer("/metadata/voice_mode_message").and_then(Value::as_bool);
    let parts = raw.pointer("/content/parts").and_then(Value::as_array);
    let transcribed = parts.into_iter().flatten().any(|part| {
        part.get("content_type").and_then(Value::as_str) == Some("audio_transcription")
    });
    flagged == Some(true) || transcribed
}

/// The `summary` and `content` of each thought; the searchable text when there are none.
fn thoughts(raw: &Value, message: &Message) -> Vec<(String, String)> {
    let text = |v: &Value, key: &str| v.get(key).and_then(Value::as_str).unwrap_or("").to_string();
    let list = raw.pointer("/content/thoughts").and_then(Value::as_array);
    let found: Vec<(String, String)> = list
        .into_iter()
        .flatten()
        .map(|t| (text(t, "summary"), text(t, "content")))
        .filter(|(summary, content)| !summary.trim().is_empty() || !content.trim().is_empty())
        .collect();
    if found.is_empty() { vec![(String::new(), message.text.clone())] } else { found }
}

/// The message's attachments, each file once, named as the export names it.
fn attachment_links(message: &Message, raw: &Value) -> Vec<AttachmentLink> {
    let mut links: Vec<AttachmentLink> = Vec::new();
    for attachment in &message.attachments {
        if links.iter().any(|l| l.file_id == attachment.file_id) {
            continue;
        }
        let (name, mime) = described(raw, attachment);
        let part_type = raw
            .pointer(&pointer_of_part(&attachment.json_path))
            .and_then(|p| p.get("content_type"))
            .and_then(Value::as_str);
        let mime = mime.unwrap_or_default();
        let kind = if mime.starts_with("image/")
            || part_type == Some("image_asset_pointer")
            || attachment.json_path.ends_with("image_url")
        {
            "Image"
        } else if mime.starts_with("audio/")
            || attachment.json_path.contains("audio_asset_pointer")
            || part_type == Some("audio_asset_pointer")
        {
            "Audio"
        } else {
            "Attachment"
        };
        links.push(AttachmentLink {
            name: name.unwrap_or_else(|| attachment.file_id.clone()),
            pointer: attachment.pointer.clone(),
            file_id: attachment.file_id.clone(),
            json_path: attachment.json_path.clone(),
            kind,
            local: None,
        });
    }
    links
}

/// The display name and MIME type that `metadata.attachments` gives a file id.
fn described(raw: &Value, attachment: &Attachment) -> (Option<String>, Option<String>) {
    let list = raw.pointer("/metadata/attachments").and_then(Value::as_array);
    let Some(entry) = list
        .into_iter()
        .flatten()
        .find(|a| a.get("id").and_then(Value::as_str) == Some(attachment.file_id.as_str()))
    else {
        return (None, None);
    };
    let text = |key: &str| entry.get(key).and_then(Value::as_str).map(str::to_string);
    (text("name").filter(|n| !n.trim().is_empty()), text("mime_type").or(text("mimeType")))
}

/// `$.content.parts[0].asset_pointer` → `/content/parts/0`: the JSON pointer of the part
/// object that holds an asset pointer (the whole message for other paths).
fn pointer_of_part(json_path: &str) -> String {
    let Some(rest) = json_path.strip_prefix("$.content.parts[") else {
        return String::from("/none");
    };
    let index: String = rest.chars().take_while(char::is_ascii_digit).collect();
    format!("/content/parts/{index}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_shown_in_utc() {
        assert_eq!(display_time("2024-03-01T09:30:00.250000Z"), "2024-03-01 09:30:00 UTC");
        assert_eq!(display_time("soon"), "soon");
    }
}

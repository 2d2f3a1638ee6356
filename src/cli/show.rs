//! `chatarchive show`: one conversation as readable text, Markdown, JSON Lines of its rows or
//! its rebuilt export JSON. Times are local unless `--utc`; archive text is escaped when
//! stdout is a terminal and written as it is otherwise.

use std::borrow::Cow;
use std::io::{self, IsTerminal, Write};

use clap::{Args, ValueEnum};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::Serialize;

use chatarchive::query::conversation::{self, Attachment, Conversation, Message};
use chatarchive::query::show::{self, Entry, Kind, ShowError, Shown};

use super::output::escape_terminal;
use super::{CliError, Context};

/// Show one conversation: its current thread as text (default), Markdown or JSON.
///
/// ID is a conversation id or any unique start of one. `--all-branches` draws every branch
/// (edited questions, regenerated answers) as a tree: alternatives are indented under the
/// message they fork from, and ○ marks messages that are not on the current thread.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The conversation id, or a unique start of it
    #[arg(value_name = "ID")]
    id: String,

    /// Draw every branch as a tree, not only the current thread
    #[arg(long)]
    all_branches: bool,

    /// How to print: readable text, Markdown, or the export's JSON rebuilt from the archive
    #[arg(long, value_enum, default_value_t = ShowFormat::Text, value_name = "FORMAT")]
    format: ShowFormat,

    /// Print the conversation and its messages as JSON Lines (fields in docs/json.md)
    #[arg(long, conflicts_with = "format")]
    json: bool,

    /// Show times in UTC rather than in the local time zone
    #[arg(long)]
    utc: bool,
}

/// The output formats of `show`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ShowFormat {
    /// Readable text.
    Text,
    /// Markdown.
    Markdown,
    /// The conversation's export JSON, rebuilt from the archive.
    Json,
}

/// Runs `show`.
pub fn run(args: ShowArgs, context: &Context) -> Result<(), CliError> {
    let archive = context.open_for_reading()?;
    let shown = show::load(archive.connection(), &args.id).map_err(show_error)?;
    let terminal = io::stdout().is_terminal();
    let printed = if args.json {
        json_for(json_lines(&shown, args.all_branches)?, terminal)
    } else if args.format == ShowFormat::Json {
        let value = conversation::export_json(&shown.conversation, &shown.messages)?;
        json_for(serde_json::to_string_pretty(&value)? + "\n", terminal)
    } else {
        let markdown = args.format == ShowFormat::Markdown;
        let renderer = Renderer {
            markdown,
            escape: terminal,
            clock: Clock::new(args.utc),
            all_branches: args.all_branches,
        };
        renderer.render(&shown)
    };
    let mut stdout = io::stdout().lock();
    let written = stdout.write_all(printed.as_bytes()).and_then(|()| stdout.flush());
    Ok(reader_went_away(written)?)
}

/// A reader that stops early (`show ID | head`) is no error: stop writing quietly.
pub(super) fn reader_went_away(written: io::Result<()>) -> io::Result<()> {
    match written {
        Err(error) if error.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// Turns a failed lookup into an error naming the candidates of an ambiguous prefix.
fn show_error(error: ShowError) -> CliError {
    match &error {
        ShowError::NotFound(_) => CliError::message(&escape_terminal(&error.to_string()))
            .with_hint("find the id with: chatarchive list --title TEXT"),
        ShowError::Ambiguous { candidates, total, .. } => {
            let mut message = format!("{}:", escape_terminal(&error.to_string()));
            for candidate in candidates {
                let title = candidate.title.as_deref().unwrap_or("(untitled)");
                let line = format!("{}  {}", candidate.id, title);
                message.push_str(&format!("\n  {}", escape_terminal(&line)));
            }
            if *total > candidates.len() {
                message.push_str(&format!("\n  … and {} more", total - candidates.len()));
            }
            CliError::message(&message).with_hint("give more of the id")
        }
        ShowError::Sql(_) => CliError::from(error),
    }
}

/// Displays the archive's ISO-8601 UTC times in the local time zone or in UTC.
pub(super) struct Clock {
    /// `None` for UTC.
    zone: Option<TimeZone>,
}

impl Clock {
    /// The local time zone (`TZ`, else the system's, else UTC), or UTC when `utc`.
    pub(super) fn new(utc: bool) -> Self {
        Self { zone: (!utc).then(TimeZone::system) }
    }

    /// `2024-03-01 10:30:00 +01:00` in local time, `2024-03-01 09:30:00 UTC` in UTC; text
    /// that is not a time is returned as it is.
    pub(super) fn full(&self, iso: &str) -> String {
        self.format(iso, "%Y-%m-%d %H:%M:%S %:z", "%Y-%m-%d %H:%M:%S UTC")
    }

    /// `2024-03-01 10:30`, for tables.
    pub(super) fn short(&self, iso: &str) -> String {
        self.format(iso, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M")
    }

    fn format(&self, iso: &str, local: &str, utc: &str) -> String {
        let Ok(timestamp) = iso.parse::<Timestamp>() else {
            return iso.to_string();
        };
        match &self.zone {
            Some(zone) => timestamp.to_zoned_datetime(zone.clone()).strftime(local).to_string(),
            None => timestamp.strftime(utc).to_string(),
        }
    }
}

/// Draws a conversation as text or Markdown.
struct Renderer {
    markdown: bool,
    escape: bool,
    clock: Clock,
    all_branches: bool,
}

impl Renderer {
    fn render(&self, shown: &Shown) -> String {
        let mut out = self.header(&shown.conversation);
        let entries = shown.entries(self.all_branches);
        if entries.is_empty() {
            out.push_str("\n(no messages)\n");
        }
        for entry in entries {
            out.push('\n');
            for line in self.message(&entry) {
                out.push_str(&line);
                out.push('\n');
            }
        }
        out
    }

    fn header(&self, conversation: &Conversation) -> String {
        let title = conversation.title.as_deref().unwrap_or("(untitled)");
        let mut out = if self.markdown {
            format!("# {}\n\n", self.esc(title))
        } else {
            format!("{}\n", self.esc(title))
        };
        for (name, value) in self.facts(conversation) {
            let bullet = if self.markdown { "- " } else { "" };
            out.push_str(&format!("{bullet}{name}: {value}\n"));
        }
        out
    }

    /// The conversation's facts, as name and value.
    fn facts(&self, conversation: &Conversation) -> Vec<(&'static str, String)> {
        let mut facts = vec![("id", self.esc(&conversation.id).into_owned())];
        let time = |t: &Option<String>| t.as_deref().map(|t| self.clock.full(t));
        // A project's conversations carry its id as `gizmo_id` too: name it once.
        let gpt = conversation
            .gizmo_id
            .as_deref()
            .filter(|g| Some(*g) != conversation.project_id.as_deref());
        let optional = [
            ("created", time(&conversation.created_at)),
            ("updated", time(&conversation.updated_at)),
            ("model", conversation.model.as_deref().map(|m| self.esc(m).into_owned())),
            ("project", conversation.project_id.as_deref().map(|p| self.esc(p).into_owned())),
            ("custom GPT", gpt.map(|g| self.esc(g).into_owned())),
        ];
        facts.extend(optional.into_iter().filter_map(|(name, value)| Some((name, value?))));
        if !conversation.in_latest_export {
            let last = time(&conversation.last_seen_at).unwrap_or_else(|| "never".into());
            facts.push(("missing", format!("not in the latest export; last seen {last}")));
        }
        if self.all_branches {
            facts.push(("branches", "all; ● current thread, ○ other branches".into()));
        }
        facts
    }

    /// One message's lines: heading, body and attachments, indented for its branch.
    fn message(&self, entry: &Entry<'_>) -> Vec<String> {
        let message = entry.message;
        let kind = Kind::of(message);
        let mut lines = vec![self.heading(message, &kind)];
        if self.markdown {
            lines.push(String::new());
        }
        lines.extend(self.body(message, &kind));
        if !message.attachments.is_empty() && self.markdown {
            lines.push(String::new());
        }
        // A file named by a content part and by `metadata.attachments` is listed once.
        let mut named = std::collections::HashSet::new();
        let once = message.attachments.iter().filter(|a| named.insert(a.file_id.as_str()));
        lines.extend(once.map(|a| self.attachment(a)));
        while lines.last().is_some_and(String::is_empty) {
            lines.pop();
        }
        let indent = if self.markdown { "> " } else { "    " };
        let prefix = indent.repeat(entry.level);
        let blank = prefix.trim_end();
        let indented = |line: String| {
            if line.is_empty() { blank.to_string() } else { format!("{prefix}{line}") }
        };
        lines.into_iter().map(indented).collect()
    }

    /// `── assistant → python · tool call · gpt-4o · 2024-03-01 10:30:00 +01:00`.
    fn heading(&self, message: &Message, kind: &Kind) -> String {
        let role = message.role.as_deref().unwrap_or("unknown");
        let who = match (kind, message.author_name.as_deref()) {
            (Kind::ToolCall { recipient, .. }, _) => format!("{role} → {recipient}"),
            (_, Some(name)) if role == "tool" => format!("tool {name}"),
            _ => role.to_string(),
        };
        let mut parts = vec![self.esc(&who).into_owned()];
        match kind {
            Kind::ToolCall { .. } => parts.push("tool call".into()),
            Kind::Output => parts.push("output".into()),
            _ => {}
        }
        if role == "assistant"
            && let Some(model) = &message.model
        {
            parts.push(self.esc(model).into_owned());
        }
        parts.extend(message.created_at.as_deref().map(|t| self.clock.full(t)));
        let mut marker = "";
        if self.all_branches {
            parts.push(format!("node {}", self.esc(&message.node_id)));
            marker = if message.on_current_thread { "● " } else { "○ " };
        }
        let lead = if self.markdown { "##" } else { "──" };
        format!("{lead} {marker}{}", parts.join(" · "))
    }

    /// The message text, in a fenced block for code and outputs.
    fn body(&self, message: &Message, kind: &Kind) -> Vec<String> {
        let text = show::body(message, kind);
        let text = text.trim_end();
        let mut lines: Vec<String> = text.lines().map(|l| self.esc_line(l)).collect();
        let language = match kind {
            Kind::Code { language } | Kind::ToolCall { code: true, language, .. } => language,
            Kind::Output => &None,
            _ => return lines,
        };
        let fence = fence_for(text);
        let info = language.as_deref().map(|l| self.esc(l)).unwrap_or_default();
        lines.insert(0, format!("{fence}{info}"));
        lines.push(fence);
        lines
    }

    /// `attachment: photo.png (image/png, 3.3 KiB; file id file-…)`, or `(missing; …)`.
    fn attachment(&self, attachment: &Attachment) -> String {
        let bullet = if self.markdown { "- " } else { "" };
        let label = self.esc(attachment.name.as_deref().unwrap_or(&attachment.pointer));
        let mut details: Vec<String> = Vec::new();
        if attachment.status == "missing" {
            details.push("missing".into());
        } else {
            details.extend(attachment.media_type.as_deref().map(|t| self.esc(t).into_owned()));
            let size = attachment.size.and_then(|s| u64::try_from(s).ok());
            details.extend(size.map(super::attachments::human_size));
            if attachment.status != "stored" {
                details.push("not stored".into());
            }
        }
        details.push(format!("file id {}", self.esc(&attachment.file_id)));
        let last = details.pop().unwrap_or_default();
        let head = details.join(", ");
        let inner = if head.is_empty() { last } else { format!("{head}; {last}") };
        format!("{bullet}attachment: {label} ({inner})")
    }

    /// Archive text for one line of output.
    fn esc<'t>(&self, text: &'t str) -> Cow<'t, str> {
        if self.escape { escape_terminal(text) } else { Cow::Borrowed(text) }
    }

    /// A line of a message body: like [`Renderer::esc`], but tabs stay (code is indented
    /// with them).
    fn esc_line(&self, line: &str) -> String {
        if !self.escape {
            return line.to_string();
        }
        line.split('\t').map(escape_terminal).collect::<Vec<_>>().join("\t")
    }
}

/// A Markdown fence longer than any run of backticks in `text`.
fn fence_for(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    "`".repeat(longest.max(2) + 1)
}

/// One line of `show --json` for the conversation.
#[derive(Serialize)]
struct ConversationLine<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    id: &'a str,
    title: Option<&'a str>,
    created_at: Option<&'a str>,
    updated_at: Option<&'a str>,
    model: Option<&'a str>,
    project_id: Option<&'a str>,
    message_count: i64,
    in_latest_export: bool,
    last_seen_at: Option<&'a str>,
}

/// One line of `show --json` per message shown.
#[derive(Serialize)]
struct MessageLine<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    node_id: &'a str,
    parent_node_id: Option<&'a str>,
    position: i64,
    depth: i64,
    on_current_thread: bool,
    role: Option<&'a str>,
    author_name: Option<&'a str>,
    recipient: Option<&'a str>,
    channel: Option<&'a str>,
    content_type: Option<&'a str>,
    model: Option<&'a str>,
    created_at: Option<&'a str>,
    text: &'a str,
    attachments: Vec<AttachmentLine<'a>>,
}

/// An attachment inside a [`MessageLine`].
#[derive(Serialize)]
struct AttachmentLine<'a> {
    pointer: &'a str,
    file_id: &'a str,
    json_path: &'a str,
}

/// The conversation's line, then one line per message shown, in display order.
fn json_lines(shown: &Shown, all_branches: bool) -> serde_json::Result<String> {
    let c = &shown.conversation;
    let head = ConversationLine {
        kind: "conversation",
        id: &c.id,
        title: c.title.as_deref(),
        created_at: c.created_at.as_deref(),
        updated_at: c.updated_at.as_deref(),
        model: c.model.as_deref(),
        project_id: c.project_id.as_deref(),
        message_count: c.message_count,
        in_latest_export: c.in_latest_export,
        last_seen_at: c.last_seen_at.as_deref(),
    };
    let mut out = serde_json::to_string(&head)? + "\n";
    for entry in shown.entries(all_branches) {
        out.push_str(&serde_json::to_string(&message_line(entry.message))?);
        out.push('\n');
    }
    Ok(out)
}

fn message_line(m: &Message) -> MessageLine<'_> {
    MessageLine {
        kind: "message",
        node_id: &m.node_id,
        parent_node_id: m.parent_node_id.as_deref(),
        position: m.position,
        depth: m.depth,
        on_current_thread: m.on_current_thread,
        role: m.role.as_deref(),
        author_name: m.author_name.as_deref(),
        recipient: m.recipient.as_deref(),
        channel: m.channel.as_deref(),
        content_type: m.content_type.as_deref(),
        model: m.model.as_deref(),
        created_at: m.created_at.as_deref(),
        text: &m.text,
        attachments: m
            .attachments
            .iter()
            .map(|a| AttachmentLine {
                pointer: &a.pointer,
                file_id: &a.file_id,
                json_path: &a.json_path,
            })
            .collect(),
    }
}

/// JSON for a terminal: characters that [`escape_terminal`] would defuse become `\uHHHH`
/// escapes. JSON keeps them only inside strings (control characters serde_json already
/// escapes, apart from DEL and C1), so the text stays valid JSON with the same value.
fn json_for(json: String, terminal: bool) -> String {
    if !terminal {
        return json;
    }
    let mut out = String::with_capacity(json.len());
    let mut buffer = [0; 4];
    for c in json.chars() {
        let single = c.encode_utf8(&mut buffer);
        if c != '\n' && matches!(escape_terminal(single), Cow::Owned(_)) {
            for unit in c.encode_utf16(&mut [0; 2]) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(title: &str, text: &str) -> Shown {
        let conversation = Conversation {
            id: "c1".into(),
            title: Some(title.into()),
            created_at: Some("2024-03-01T09:30:00.000000Z".into()),
            updated_at: None,
            model: None,
            project_id: None,
            gizmo_id: None,
            message_count: 1,
            in_latest_export: true,
            last_seen_at: None,
            raw: "{}".into(),
        };
        let message = Message {
            node_id: "m1".into(),
            parent_node_id: None,
            position: 0,
            depth: 0,
            role: Some("user".into()),
            author_name: None,
            recipient: Some("all".into()),
            channel: None,
            content_type: Some("text".into()),
            model: None,
            created_at: None,
            hidden: false,
            on_current_thread: true,
            has_message: true,
            text: text.into(),
            raw: None,
            node_raw: "{}".into(),
            attachments: vec![Attachment {
                json_path: "$.x".into(),
                pointer: "sediment://\u{200B}f".into(),
                file_id: "f".into(),
                status: "missing".into(),
                name: None,
                media_type: None,
                size: None,
            }],
        };
        Shown { conversation, messages: vec![message] }
    }

    fn renderer(markdown: bool, escape: bool) -> Renderer {
        Renderer { markdown, escape, clock: Clock::new(true), all_branches: false }
    }

    #[test]
    fn archive_text_is_escaped_for_a_terminal_but_keeps_its_lines_and_tabs() {
        let shown = shown("Red\u{202E}txt", "Say \x1b[31mred\n\tindented");
        let expected = "Red\\u{202e}txt
id: c1
created: 2024-03-01 09:30:00 UTC

── user
Say \\u{1b}[31mred
\tindented
attachment: sediment://\\u{200b}f (missing; file id f)
";
        assert_eq!(renderer(false, true).render(&shown), expected);
        let plain = renderer(false, false).render(&shown);
        assert!(plain.starts_with("Red\u{202E}txt\n"));
        assert!(plain.contains("\nSay \x1b[31mred\n\tindented\n"));
        let markdown = renderer(true, true).render(&shown);
        assert!(markdown.starts_with("# Red\\u{202e}txt\n"), "{markdown}");
        assert!(markdown.contains("\n\nSay \\u{1b}[31mred\n"), "{markdown}");
    }

    #[test]
    fn json_for_a_terminal_stays_valid_json_with_the_same_value() {
        let value = serde_json::json!({"t": "a\u{202E}b\u{7f}\u{1b}", "n": 1});
        let pretty = serde_json::to_string_pretty(&value).unwrap() + "\n";
        let safe = json_for(pretty.clone(), true);
        assert_eq!(safe, "{\n  \"t\": \"a\\u202eb\\u007f\\u001b\",\n  \"n\": 1\n}\n");
        assert_eq!(serde_json::from_str::<serde_json::Value>(&safe).unwrap(), value);
        assert_eq!(json_for(pretty.clone(), false), pretty);
    }

    #[test]
    fn fences_outgrow_the_backticks_inside() {
        assert_eq!(fence_for("print(1)"), "```");
        assert_eq!(fence_for("a ``` b ```` c"), "`````");
    }

    #[test]
    fn times_show_in_the_given_zone_or_in_utc() {
        let paris = Clock { zone: Some(TimeZone::get("Europe/Paris").unwrap()) };
        assert_eq!(paris.full("2024-07-03T09:46:40.500000Z"), "2024-07-03 11:46:40 +02:00");
        assert_eq!(paris.short("2024-03-09T16:00:00.000000Z"), "2024-03-09 17:00");
        let utc = Clock::new(true);
        assert_eq!(utc.full("2024-03-09T16:00:00.000000Z"), "2024-03-09 16:00:00 UTC");
        assert_eq!(paris.full("not a time"), "not a time");
    }
}

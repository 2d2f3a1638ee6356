//! Markdown notes: YAML front matter (id, title, times, model, project, the link back to
//! chatgpt.com), then one section per turn. Text is written as ChatGPT wrote it (Markdown);
//! code and outputs go in fenced blocks with their language; reasoning and tools' text
//! results are folded (`<details>`, or collapsed callouts with `--obsidian`); citations are
//! footnotes; attachments are linked to their copies beside the note, or named by their
//! pointer when the archive holds no file.

use super::document::{AttachmentLink, Body, Document, Inline, Source, Turn};
use super::names::{FRONT_MATTER_ID, chatgpt_url};

/// Renders a conversation as a note; `obsidian` writes Obsidian's callouts and wiki links.
pub fn note(doc: &Document<'_>, obsidian: bool) -> String {
    let mut out = front_matter(doc, obsidian);
    let title = doc.conversation.title.as_deref().unwrap_or("(untitled)");
    out.push_str(&format!("\n# {}\n", one_line(title)));
    if doc.turns.is_empty() {
        out.push_str("\n(no messages)\n");
    }
    for turn in &doc.turns {
        let prefix = "> ".repeat(turn.level);
        let mut lines = turn_lines(doc, turn, obsidian);
        if obsidian && turn.level > 0 {
            // Another branch: a callout, folded, titled by the turn's heading.
            lines[0] = format!("[!quote]- {}", &lines[0]["## ".len()..]);
            lines.remove(1);
        }
        out.push('\n');
        for line in lines {
            let line = if line.is_empty() {
                prefix.trim_end().to_string()
            } else {
                prefix.clone() + &line
            };
            out.push_str(&line);
            out.push('\n');
        }
    }
    out
}

fn front_matter(doc: &Document<'_>, obsidian: bool) -> String {
    let c = doc.conversation;
    let mut out = format!("---\n{FRONT_MATTER_ID}{}\n", yaml_string(&c.id));
    let gpt = c.gizmo_id.as_deref().filter(|g| Some(*g) != c.project_id.as_deref());
    let fields = [
        ("title", c.title.as_deref()),
        ("created", c.created_at.as_deref()),
        ("updated", c.updated_at.as_deref()),
        ("model", c.model.as_deref()),
        ("project", c.project_id.as_deref()),
        ("gpt", gpt),
    ];
    for (key, value) in fields {
        if let Some(value) = value {
            out.push_str(&format!("{key}: {}\n", yaml_string(value)));
        }
    }
    out.push_str(&format!("url: {}\n", yaml_string(&chatgpt_url(&c.id))));
    if !c.in_latest_export {
        out.push_str("in_latest_export: false\n");
    }
    if doc.all_branches {
        out.push_str("branches: all\n");
    }
    if obsidian && let Some(title) = &c.title {
        out.push_str(&format!("aliases:\n  - {}\n", yaml_string(title)));
    }
    out.push_str("---\n");
    out
}

/// The lines of one turn: heading, body, footnotes, attachments.
fn turn_lines(doc: &Document<'_>, turn: &Turn<'_>, obsidian: bool) -> Vec<String> {
    let mut lines = vec![heading(doc, turn), String::new()];
    lines.extend(body(&turn.body, obsidian));
    if !turn.sources.is_empty() {
        lines.push(String::new());
        lines.extend(turn.sources.iter().map(footnote));
    }
    if !turn.attachments.is_empty() {
        lines.push(String::new());
        lines.extend(turn.attachments.iter().map(|a| attachment(a, obsidian)));
    }
    lines
}

/// `## Assistant → python · tool call · gpt-4o · 2024-03-01 09:30:00 UTC`.
fn heading(doc: &Document<'_>, turn: &Turn<'_>) -> String {
    let mut parts = vec![turn.who.clone()];
    parts.extend(turn.label.map(str::to_string));
    parts.extend(turn.model.clone());
    parts.extend(turn.time.clone());
    if doc.all_branches && !turn.message.on_current_thread {
        parts.push("other branch".into());
    }
    format!("## {}", one_line(&parts.join(" · ")))
}

fn body(body: &Body, obsidian: bool) -> Vec<String> {
    match body {
        Body::Text(inlines) => {
            let text: String = inlines
                .iter()
                .map(|inline| match inline {
                    Inline::Text(text) => text.clone(),
                    Inline::Cite(n) => format!("[^{n}]"),
                })
                .collect();
            lines_of(text.trim_end())
        }
        Body::Code { language, code } => fenced(code, language.as_deref()),
        Body::Output(text) => fenced(text, None),
        Body::ToolText(text) => folded("Tool output", "example", fenced(text, None), obsidian),
        Body::Reasoning(thoughts) => {
            let mut inner = Vec::new();
            for (summary, content) in thoughts {
                if !inner.is_empty() {
                    inner.push(String::new());
                }
                if !summary.trim().is_empty() {
                    inner.extend([format!("**{}**", one_line(summary.trim())), String::new()]);
                }
                inner.extend(lines_of(content.trim_end()));
            }
            folded("Reasoning", "abstract", inner, obsidian)
        }
        Body::Recap(text) => vec![format!("*{}*", one_line(text.trim()))],
    }
}

/// Lines folded away: `<details>` with a summary, or an Obsidian callout collapsed by default.
fn folded(summary: &str, callout: &str, inner: Vec<String>, obsidian: bool) -> Vec<String> {
    if obsidian {
        let mut lines = vec![format!("> [!{callout}]- {summary}")];
        lines.extend(
            inner.into_iter().map(|l| if l.is_empty() { ">".into() } else { format!("> {l}") }),
        );
        return lines;
    }
    let mut lines =
        vec!["<details>".into(), format!("<summary>{summary}</summary>"), String::new()];
    lines.extend(inner);
    lines.extend([String::new(), "</details>".into()]);
    lines
}

/// A fenced code block, its fence longer than any run of backticks inside.
fn fenced(code: &str, language: Option<&str>) -> Vec<String> {
    let code = code.trim_end_matches(['\n', '\r']);
    let longest = code.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    let info = language.map(|l| one_line(l).replace('`', "")).unwrap_or_default();
    let mut lines = vec![format!("{fence}{info}")];
    lines.extend(code.lines().map(str::to_string));
    lines.push(fence);
    lines
}

/// `[^3]: [Title](https://…)`, or the title alone for a source without a web address.
fn footnote(source: &Source) -> String {
    let title = link_text(&source.title);
    match source.url.as_deref().filter(|u| is_web(u)) {
        Some(url) => format!("[^{}]: [{title}]({})", source.number, link_target(url)),
        None => format!("[^{}]: {title}", source.number),
    }
}

/// A link to the copied file (images embedded: `- ![photo.png](attachments/…)`), else the
/// pointer: `- Image: photo.png (`sediment://file_…`)`.
fn attachment(link: &AttachmentLink, obsidian: bool) -> String {
    let embed = if link.kind == "Image" { "!" } else { "" };
    match (&link.local, obsidian) {
        (Some(path), true) => {
            format!("- {embed}[[{path}|{}]]", one_line(&link.name).replace(['|', ']', '['], " "))
        }
        (Some(path), false) if link.kind == "Image" => {
            format!("- ![{}]({})", link_text(&link.name), link_target(path))
        }
        (Some(path), false) => {
            format!("- {}: [{}]({})", link.kind, link_text(&link.name), link_target(path))
        }
        (None, _) if link.name == link.file_id => {
            format!("- {}: {}", link.kind, code_span(&link.pointer))
        }
        (None, _) => {
            format!("- {}: {} ({})", link.kind, link_text(&link.name), code_span(&link.pointer))
        }
    }
}

/// Only web addresses become links: other schemes (`javascript:`, `sandbox:`) stay text.
fn is_web(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://")
}

/// A link target without the characters that would end it.
fn link_target(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    for c in url.chars() {
        match c {
            ' ' => out.push_str("%20"),
            '(' => out.push_str("%28"),
            ')' => out.push_str("%29"),
            '<' => out.push_str("%3C"),
            '>' => out.push_str("%3E"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Link text on one line, with the characters that would end it or open a tag escaped.
fn link_text(text: &str) -> String {
    let mut out = String::new();
    for c in one_line(text).chars() {
        if matches!(c, '\\' | '[' | ']' | '<' | '>') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// An inline code span that holds any text.
fn code_span(text: &str) -> String {
    let text = one_line(text);
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let ticks = "`".repeat(longest + 1);
    if longest == 0 { format!("{ticks}{text}{ticks}") } else { format!("{ticks} {text} {ticks}") }
}

/// Text for a heading or a list item: line breaks become spaces.
fn one_line(text: &str) -> String {
    text.split(['\n', '\r']).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" ")
}

fn lines_of(text: &str) -> Vec<String> {
    text.lines().map(str::to_string).collect()
}

/// A YAML double-quoted scalar: JSON's string escapes (a subset of YAML's), plus escapes for
/// the characters YAML does not allow unescaped or reads as line breaks.
pub fn yaml_string(text: &str) -> String {
    let json = serde_json::to_string(text).unwrap_or_else(|_| "\"\"".into());
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '\u{7F}'..='\u{9F}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{FEFF}'
            | '\u{FFFE}'
            | '\u{FFFF}' => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_strings_escape_what_yaml_forbids_and_stay_json() {
        let text = "a \"b\"\n\u{85}\u{2028}";
        let yaml = yaml_string(text);
        assert_eq!(yaml, "\"a \\\"b\\\"\\n\\u0085\\u2028\"");
        assert_eq!(serde_json::from_str::<String>(&yaml).unwrap(), text);
    }

    #[test]
    fn fences_outgrow_backticks_and_links_stay_links() {
        assert_eq!(fenced("a ``` b\n", Some("py")), ["````py", "a ``` b", "````"]);
        assert_eq!(link_target("https://x.example/a (b)"), "https://x.example/a%20%28b%29");
        assert!(!is_web("javascript:alert(1)"));
        assert_eq!(code_span("a`b"), "`` a`b ``");
        let source = Source { number: 2, title: "[x]".into(), url: Some("javascript:x".into()) };
        assert_eq!(footnote(&source), "[^2]: \\[x\\]");
    }
}

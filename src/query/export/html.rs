//! HTML pages: one self-contained page per conversation and an `index.html`, readable offline
//! (inline CSS, no scripts, nothing loaded from the network).
//!
//! Everything that comes from the archive is escaped ([`escape`]) before it is written, in
//! text and in attributes alike, so that a message holding `<script>` shows as text. Only
//! `http:` and `https:` addresses become links. As a second line of defence each page
//! carries a Content-Security-Policy that allows no scripts at all.

use std::borrow::Cow;
use std::fmt::Write as _;

use super::document::{AttachmentLink, Body, Document, Inline, Source, Turn};
use super::names::{META_ID, chatgpt_url};
use crate::query::show::Shown;

/// Allows inline styles and local images and sound (the copied attachments); no scripts,
/// frames, fonts or network requests.
const POLICY: &str =
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' file:; media-src 'self' file:";

const STYLE: &str = "
:root { color-scheme: light dark; --muted: #6b6b6b; --line: #d0d0d0; --code: #f4f4f4; }
@media (prefers-color-scheme: dark) { :root { --muted: #a0a0a0; --line: #444; --code: #222; } }
body { font: 16px/1.55 system-ui, -apple-system, 'Segoe UI', sans-serif; max-width: 46rem;
  margin: 2rem auto; padding: 0 1rem; }
nav, .facts, .meta, .count { color: var(--muted); font-size: 0.9rem; }
h1 { font-size: 1.6rem; margin: 0.5rem 0; overflow-wrap: anywhere; }
h2 { font-size: 1rem; margin: 0 0 0.4rem; }
.turn { border-top: 1px solid var(--line); padding: 0.8rem 0; }
.turn.user h2 { color: #1a6b3c; }
.turn.assistant h2 { color: #2b4f9e; }
.turn.branch { opacity: 0.8; border-left: 3px solid var(--line); padding-left: 0.8rem; }
.text { white-space: pre-wrap; overflow-wrap: anywhere; }
pre { background: var(--code); padding: 0.6rem; overflow-x: auto; white-space: pre-wrap; }
.lang { color: var(--muted); font-size: 0.8rem; }
.sources, .attachments { font-size: 0.9rem; }
.recap { color: var(--muted); font-style: italic; }
img { max-width: 100%; }
table { border-collapse: collapse; width: 100%; }
td, th { text-align: left; padding: 0.3rem 0.5rem; border-bottom: 1px solid var(--line); }
td.n { text-align: right; }
";

/// Escapes text for HTML text and attribute values.
pub fn escape(text: &str) -> Cow<'_, str> {
    if !text.contains(['&', '<', '>', '"', '\'']) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// The opening of a page, up to `<body>`.
fn head(title: &str, conversation: Option<&str>) -> String {
    let meta = conversation.map(|id| format!("{META_ID}{}\">\n", escape(id))).unwrap_or_default();
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{POLICY}\">\n{meta}\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        escape(title)
    )
}

/// Renders a conversation as a page.
pub fn page(doc: &Document<'_>) -> String {
    let c = doc.conversation;
    let title = c.title.as_deref().unwrap_or("(untitled)");
    let mut out = head(title, Some(&c.id));
    out.push_str("<nav><a href=\"index.html\">All conversations</a></nav>\n<header>\n");
    let _ = writeln!(out, "<h1>{}</h1>", escape(title));
    out.push_str(&facts(doc));
    out.push_str("</header>\n<main>\n");
    if doc.turns.is_empty() {
        out.push_str("<p class=\"meta\">(no messages)</p>\n");
    }
    for turn in &doc.turns {
        out.push_str(&turn_html(doc, turn));
    }
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

/// The line under the title: times, model, project, the link back to ChatGPT.
fn facts(doc: &Document<'_>) -> String {
    let c = doc.conversation;
    let mut facts: Vec<String> = Vec::new();
    let time = |label: &str, t: &Option<String>| {
        t.as_deref().map(|t| format!("{label} {}", escape(&super::document::display_time(t))))
    };
    facts.extend(time("Created", &c.created_at));
    facts.extend(time("Updated", &c.updated_at));
    facts.extend(c.model.as_deref().map(|m| escape(m).into_owned()));
    facts.extend(c.project_id.as_deref().map(|p| format!("Project {}", escape(p))));
    let gpt = c.gizmo_id.as_deref().filter(|g| Some(*g) != c.project_id.as_deref());
    facts.extend(gpt.map(|g| format!("GPT {}", escape(g))));
    if !c.in_latest_export {
        facts.push("Not in the latest export".into());
    }
    if doc.all_branches {
        facts.push("All branches".into());
    }
    facts.push(format!("<a href=\"{}\">Open in ChatGPT</a>", escape(&chatgpt_url(&c.id))));
    format!("<p class=\"facts\">{}</p>\n", facts.join(" · "))
}

fn turn_html(doc: &Document<'_>, turn: &Turn<'_>) -> String {
    let message = turn.message;
    let role = message.role.as_deref().unwrap_or("unknown");
    let other = doc.all_branches && !message.on_current_thread;
    let mut class = format!("turn {}", css_class(role));
    if other {
        class.push_str(" branch");
    }
    let indent = if turn.level > 0 {
        format!(" style=\"margin-left: {}rem\"", turn.level * 2)
    } else {
        String::new()
    };
    let mut out =
        format!("<section class=\"{class}\" id=\"m-{}\"{indent}>\n", escape(&message.node_id));
    let mut meta: Vec<String> = Vec::new();
    meta.extend(turn.label.map(str::to_string));
    meta.extend(turn.model.clone());
    meta.extend(turn.time.clone());
    if other {
        meta.push("other branch".into());
    }
    let meta: Vec<String> = meta.iter().map(|m| format!(" · {}", escape(m))).collect();
    let _ = writeln!(
        out,
        "<h2>{} <span class=\"meta\">{}</span></h2>",
        escape(&turn.who),
        meta.concat().trim_start()
    );
    out.push_str(&body(&turn.body));
    out.push_str(&sources(&turn.sources));
    out.push_str(&attachments(&turn.attachments));
    out.push_str("</section>\n");
    out
}

/// A role as a CSS class: letters only.
fn css_class(role: &str) -> String {
    role.chars().filter(char::is_ascii_alphabetic).collect()
}

fn body(body: &Body) -> String {
    match body {
        Body::Text(inlines) => text_html(inlines),
        Body::Code { language, code } => code_html(code, language.as_deref()),
        Body::Output(text) => {
            format!("<pre class=\"output\"><code>{}</code></pre>\n", escape(text.trim_end()))
        }
        Body::ToolText(text) => format!(
            "<details><summary>Tool output</summary>\n<pre>{}</pre>\n</details>\n",
            escape(text.trim_end())
        ),
        Body::Reasoning(thoughts) => {
            let mut inner = String::new();
            for (summary, content) in thoughts {
                if !summary.trim().is_empty() {
                    let _ = writeln!(inner, "<p><b>{}</b></p>", escape(summary.trim()));
                }
                let _ = writeln!(inner, "<div class=\"text\">{}</div>", escape(content.trim_end()));
            }
            format!("<details><summary>Reasoning</summary>\n{inner}</details>\n")
        }
        Body::Recap(text) => format!("<p class=\"recap\">{}</p>\n", escape(text.trim())),
    }
}

/// Marks a citation inside joined text while it is split into blocks.
const CITE_OPEN: char = '\u{F8F0}';
const CITE_CLOSE: char = '\u{F8F1}';

/// Text as pre-wrapped paragraphs, with its fenced code blocks (lines opening with three or
/// more backticks or tildes, as Markdown has them) as code. The rest of the Markdown is shown
/// as written: a page needs no Markdown renderer to be read.
fn text_html(inlines: &[Inline]) -> String {
    let mut joined = String::new();
    for inline in inlines {
        match inline {
            Inline::Text(piece) => joined.push_str(piece),
            Inline::Cite(n) => {
                let _ = write!(joined, "{CITE_OPEN}{n}{CITE_CLOSE}");
            }
        }
    }
    let mut out = String::new();
    let mut text = String::new();
    // The open fence, the code's language and the code so far.
    let mut code: Option<(String, String, String)> = None;
    for line in joined.split_inclusive('\n') {
        let bare = line.trim_end_matches(['\n', '\r']).trim_start();
        match &mut code {
            None => match fence_of(bare) {
                Some(fence) => {
                    out.push_str(&paragraphs(&std::mem::take(&mut text)));
                    let language = bare[fence.len()..].trim().to_string();
                    code = Some((fence.to_string(), language, String::new()));
                }
                None => text.push_str(line),
            },
            Some((fence, language, body)) => {
                if fence_of(bare).is_some_and(|f| f.starts_with(fence.as_str()) && f == bare) {
                    let language = (!language.is_empty()).then_some(language.as_str());
                    out.push_str(&code_html(&uncited(body), language));
                    code = None;
                } else {
                    body.push_str(line);
                }
            }
        }
    }
    if let Some((_, language, body)) = code {
        out.push_str(&code_html(&uncited(&body), (!language.is_empty()).then_some(&language)));
    }
    out.push_str(&paragraphs(&text));
    out
}

/// The fence a line opens or closes with: three or more backticks or tildes.
fn fence_of(line: &str) -> Option<&str> {
    let mark = line.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let len = line.len() - line.trim_start_matches(mark).len();
    (len >= 3).then(|| &line[..len])
}

/// Pre-wrapped text with its citation marks as links to the sources.
fn paragraphs(text: &str) -> String {
    let text = text.trim_matches(['\n', '\r']);
    if text.trim().is_empty() {
        return String::new();
    }
    let mut out = String::from("<div class=\"text\">");
    let mut rest = text;
    while let Some(open) = rest.find(CITE_OPEN) {
        out.push_str(&escape(&rest[..open]));
        let after = &rest[open + CITE_OPEN.len_utf8()..];
        let Some(close) = after.find(CITE_CLOSE) else {
            rest = after;
            continue;
        };
        let n = escape(&after[..close]);
        let _ = write!(out, "<sup><a href=\"#s-{n}\">[{n}]</a></sup>");
        rest = &after[close + CITE_CLOSE.len_utf8()..];
    }
    out.push_str(&escape(rest.trim_end()));
    out.push_str("</div>\n");
    out
}

/// Code with citation marks turned back into `[n]`.
fn uncited(code: &str) -> String {
    code.replace(CITE_OPEN, "[").replace(CITE_CLOSE, "]")
}

fn code_html(code: &str, language: Option<&str>) -> String {
    let label =
        language.map(|l| format!("<div class=\"lang\">{}</div>\n", escape(l))).unwrap_or_default();
    let code = code.trim_end_matches(['\n', '\r']);
    format!("{label}<pre><code>{}</code></pre>\n", escape(code))
}

fn sources(sources: &[Source]) -> String {
    if sources.is_empty() {
        return String::new();
    }
    let mut out = String::from("<ol class=\"sources\">\n");
    for source in sources {
        let title = escape(&source.title);
        let item = match source.url.as_deref().filter(|u| is_web(u)) {
            Some(url) => format!("<a href=\"{}\" rel=\"noreferrer\">{title}</a>", escape(url)),
            None => title.into_owned(),
        };
        let n = source.number;
        let _ = writeln!(out, "<li id=\"s-{n}\" value=\"{n}\">{item}</li>");
    }
    out.push_str("</ol>\n");
    out
}

fn attachments(links: &[AttachmentLink]) -> String {
    if links.is_empty() {
        return String::new();
    }
    let mut out = String::from("<ul class=\"attachments\">\n");
    for link in links {
        let name = escape(&link.name);
        let item = match &link.local {
            Some(path) if link.kind == "Image" => {
                format!("<img src=\"{}\" alt=\"{name}\">", escape(&relative_url(path)))
            }
            Some(path) if link.kind == "Audio" => {
                let src = escape(&relative_url(path)).into_owned();
                format!("<audio controls src=\"{src}\"></audio> <a href=\"{src}\">{name}</a>")
            }
            Some(path) => format!("<a href=\"{}\">{name}</a>", escape(&relative_url(path))),
            None if link.name == link.file_id => {
                format!("{}: <code>{}</code>", link.kind, escape(&link.pointer))
            }
            None => format!("{}: {name} <code>{}</code>", link.kind, escape(&link.pointer)),
        };
        let _ = writeln!(out, "<li>{item}</li>");
    }
    out.push_str("</ul>\n");
    out
}

/// Only web addresses become links: other schemes (`javascript:`, `data:`) stay text.
fn is_web(url: &str) -> bool {
    let lower = url.trim_start().to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://")
}

/// A relative path as a URL: each segment percent-encoded where needed.
fn relative_url(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            out.push(byte as char);
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

/// One line of `index.html`.
pub struct IndexEntry {
    title: Option<String>,
    created_at: Option<String>,
    model: Option<String>,
    file: String,
    messages: usize,
}

impl IndexEntry {
    /// The entry of a conversation written to `{stem}.html` with `messages` turns.
    pub fn of(shown: &Shown, stem: &str, messages: usize) -> Self {
        let c = &shown.conversation;
        Self {
            title: c.title.clone(),
            created_at: c.created_at.clone(),
            model: c.model.clone(),
            file: format!("{stem}.html"),
            messages,
        }
    }
}

/// The index page: one row per conversation, in the order given.
pub fn index(entries: &[IndexEntry]) -> String {
    let mut out = head("Conversations", None);
    out.push_str("<header>\n<h1>Conversations</h1>\n");
    let plural = if entries.len() == 1 { "" } else { "s" };
    let _ =
        writeln!(out, "<p class=\"count\">{} conversation{plural}</p>\n</header>", entries.len());
    out.push_str("<main>\n<table>\n<thead><tr><th>Created</th><th>Title</th><th>Model</th>");
    out.push_str("<th>Messages</th></tr></thead>\n<tbody>\n");
    for entry in entries {
        let day = entry.created_at.as_deref().and_then(|t| t.get(..10)).unwrap_or("");
        let title = entry.title.as_deref().unwrap_or("(untitled)");
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td><a href=\"{}\">{}</a></td><td>{}</td><td class=\"n\">{}</td></tr>",
            escape(day),
            escape(&relative_url(&entry.file)),
            escape(title),
            escape(entry.model.as_deref().unwrap_or("")),
            entry.messages
        );
    }
    out.push_str("</tbody>\n</table>\n</main>\n</body>\n</html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_characters_are_escaped() {
        assert_eq!(escape("plain"), "plain");
        assert_eq!(
            escape("<script>alert('x&y')</script>\""),
            "&lt;script&gt;alert(&#39;x&amp;y&#39;)&lt;/script&gt;&quot;"
        );
    }

    #[test]
    fn fenced_code_in_text_becomes_a_code_block() {
        let inlines = [
            Inline::Text("Totals".into()),
            Inline::Cite(2),
            Inline::Text(":\n\n```python\nx = '<1>'\n```\n\nDone.\n````\nopen".into()),
        ];
        assert_eq!(
            text_html(&inlines),
            "<div class=\"text\">Totals<sup><a href=\"#s-2\">[2]</a></sup>:</div>\n\
             <div class=\"lang\">python</div>\n<pre><code>x = &#39;&lt;1&gt;&#39;</code></pre>\n\
             <div class=\"text\">Done.</div>\n<pre><code>open</code></pre>\n"
        );
    }

    #[test]
    fn only_web_addresses_become_links() {
        let source = |url: &str| Source { number: 1, title: "t".into(), url: Some(url.into()) };
        assert!(
            sources(&[source("https://a.example/?q=\"x\"")])
                .contains("href=\"https://a.example/?q=&quot;x&quot;\"")
        );
        assert!(!sources(&[source(" javascript:alert(1)")]).contains("href"));
        assert!(!sources(&[source("data:text/html,<script>")]).contains("<script>"));
    }
}

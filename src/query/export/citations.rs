//! Citations of a message's text (export field guide §5.2), read from its raw JSON: the
//! private-use tokens that `metadata.content_references` resolves by `matched_text`, and the
//! old `【3†source】` markers that `metadata.citations` resolves by offset. Each resolved
//! marker is swapped for a placeholder before the searchable text is derived (`model::text`,
//! which removes the markup that is left), then the placeholders become numbered references
//! to the message's sources. Sources that no marker points at are still listed.

use serde_json::Value;

use super::document::{Inline, Source};
use crate::model::text::message_text;
use crate::query::conversation::Message;

/// Opens a citation placeholder; the source's key and [`CITE_CLOSE`] follow. Private-use
/// characters outside the ones `model::text` strips.
const CITE_OPEN: char = '\u{F8F0}';
/// Closes a citation placeholder.
const CITE_CLOSE: char = '\u{F8F1}';

/// A source before numbering: what a citation marker resolves to.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Cited {
    title: String,
    url: Option<String>,
}

/// The message's text with citation markers resolved, and the sources they point at.
pub fn cited_text(
    message: &Message,
    raw: &Value,
    next_source: &mut usize,
) -> (Vec<Inline>, Vec<Source>) {
    let plain = || (vec![Inline::Text(message.text.clone())], Vec::new());
    let metadata = raw.get("metadata");
    let references = metadata.and_then(|m| m.get("content_references")).and_then(Value::as_array);
    let citations = metadata.and_then(|m| m.get("citations")).and_then(Value::as_array);
    if references.is_none_or(Vec::is_empty) && citations.is_none_or(Vec::is_empty) {
        return plain();
    }
    let mut marked = raw.clone();
    let mut table: Vec<Cited> = Vec::new();
    if let Some(Value::Array(parts)) = marked.pointer_mut("/content/parts") {
        if let [Value::String(part)] = parts.as_mut_slice() {
            mark_old_citations(part, citations.map(Vec::as_slice).unwrap_or_default(), &mut table);
        }
        for reference in references.into_iter().flatten() {
            mark_reference(parts, reference, &mut table);
        }
    }
    for citation in citations.into_iter().flatten() {
        // Citations whose marker was not found still name their source.
        let cited = old_source(citation);
        if let Some(cited) = cited
            && !table.contains(&cited)
        {
            table.push(cited);
        }
    }
    number(&message_text(&marked), &table, next_source)
}

/// Swaps the old-style markers (`【11†source】`) that `metadata.citations` locates by
/// `start_ix`/`end_ix` (counted in characters) for placeholders. A citation whose span is not
/// such a marker is skipped: the marker is then removed with the rest of the markup.
fn mark_old_citations(part: &mut String, citations: &[Value], table: &mut Vec<Cited>) {
    let chars: Vec<char> = part.chars().collect();
    let mut spans: Vec<(usize, usize, usize)> = Vec::new();
    for citation in citations {
        let bound = |key: &str| citation.get(key).and_then(Value::as_u64).map(|n| n as usize);
        let (Some(start), Some(end), Some(cited)) =
            (bound("start_ix"), bound("end_ix"), old_source(citation))
        else {
            continue;
        };
        let marker = chars.get(start..end).unwrap_or_default();
        let overlaps = spans.iter().any(|&(s, e, _)| start < e && s < end);
        if marker.first() == Some(&'【') && marker.last() == Some(&'】') && !overlaps {
            spans.push((start, end, key_of(table, cited)));
        }
    }
    spans.sort_unstable();
    let mut out = String::with_capacity(part.len());
    let mut at = 0;
    for (start, end, key) in spans {
        out.extend(&chars[at..start]);
        out.push_str(&placeholder(key));
        at = end;
    }
    out.extend(&chars[at..]);
    *part = out;
}

/// The source of an old-style citation: a web page (`title`, `url`) or a file (`name`).
fn old_source(citation: &Value) -> Option<Cited> {
    let meta = citation.get("metadata")?;
    let text = |key: &str| meta.get(key).and_then(Value::as_str).filter(|s| !s.is_empty());
    let url = text("url").map(str::to_string);
    let title = text("title").or(text("name")).map(str::to_string).or(url.clone())?;
    Some(Cited { title, url })
}

/// Swaps the first occurrence of a content reference's `matched_text` in the string parts:
/// for placeholders of its sources, for its ready-made `alt` text when it has no source (an
/// entity's name, say), or for nothing.
fn mark_reference(parts: &mut [Value], reference: &Value, table: &mut Vec<Cited>) {
    let sources = reference_sources(reference);
    let keys: Vec<usize> = sources.into_iter().map(|cited| key_of(table, cited)).collect();
    let Some(matched) = reference.get("matched_text").and_then(Value::as_str) else {
        return;
    };
    if matched.trim().is_empty() {
        return;
    }
    let replacement = if !keys.is_empty() {
        keys.iter().map(|&key| placeholder(key)).collect()
    } else if reference.get("type").and_then(Value::as_str) == Some("hidden") {
        String::new()
    } else {
        reference.get("alt").and_then(Value::as_str).unwrap_or_default().to_string()
    };
    for part in parts.iter_mut() {
        if let Value::String(text) = part
            && text.contains(matched)
        {
            *text = text.replacen(matched, &replacement, 1);
            return;
        }
    }
}

/// The web pages a content reference points at: its `items`, else its `sources`, else the
/// reference itself when it has a `url`.
fn reference_sources(reference: &Value) -> Vec<Cited> {
    let page = |v: &Value| {
        let url = v.get("url").and_then(Value::as_str).filter(|u| !u.is_empty())?;
        let title = v.get("title").and_then(Value::as_str).filter(|t| !t.trim().is_empty());
        Some(Cited { title: title.unwrap_or(url).to_string(), url: Some(url.to_string()) })
    };
    for key in ["items", "sources"] {
        let list = reference.get(key).and_then(Value::as_array);
        let found: Vec<Cited> = list.into_iter().flatten().filter_map(page).collect();
        if !found.is_empty() {
            return found;
        }
    }
    page(reference).into_iter().collect()
}

/// The key of `cited` in `table`, adding it when new (one key per distinct source).
fn key_of(table: &mut Vec<Cited>, cited: Cited) -> usize {
    match table.iter().position(|c| *c == cited) {
        Some(key) => key,
        None => {
            table.push(cited);
            table.len() - 1
        }
    }
}

fn placeholder(key: usize) -> String {
    format!("{CITE_OPEN}{key}{CITE_CLOSE}")
}

/// Splits text at its placeholders and numbers the sources in the order first cited
/// (sources never cited come last), continuing from `next_source`.
fn number(text: &str, table: &[Cited], next_source: &mut usize) -> (Vec<Inline>, Vec<Source>) {
    let mut numbers: Vec<Option<usize>> = vec![None; table.len()];
    let mut sources = Vec::new();
    let mut assign = |key: usize, sources: &mut Vec<Source>| {
        *numbers[key].get_or_insert_with(|| {
            let number = *next_source;
            *next_source += 1;
            sources.push(Source {
                number,
                title: table[key].title.clone(),
                url: table[key].url.clone(),
            });
            number
        })
    };
    let mut inlines = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find(CITE_OPEN) {
        let after = &rest[open + CITE_OPEN.len_utf8()..];
        let key = after
            .find(CITE_CLOSE)
            .and_then(|close| Some((after[..close].parse::<usize>().ok()?, close)))
            .filter(|(key, _)| *key < table.len());
        let Some((key, close)) = key else {
            push_text(&mut inlines, &rest[..open + CITE_OPEN.len_utf8()]);
            rest = after;
            continue;
        };
        // `freezes. [1]` reads better as `freezes.[1]`: the space before a marker goes.
        let before = &rest[..open];
        let before = if inlines.is_empty() && before.trim().is_empty() {
            before
        } else {
            before.strip_suffix(' ').unwrap_or(before)
        };
        push_text(&mut inlines, before);
        inlines.push(Inline::Cite(assign(key, &mut sources)));
        rest = &after[close + CITE_CLOSE.len_utf8()..];
    }
    push_text(&mut inlines, rest);
    for key in 0..table.len() {
        assign(key, &mut sources);
    }
    (inlines, sources)
}

/// Appends text, merging it with text just before.
fn push_text(inlines: &mut Vec<Inline>, text: &str) {
    if text.is_empty() {
        return;
    }
    match inlines.last_mut() {
        Some(Inline::Text(last)) => last.push_str(text),
        _ => inlines.push(Inline::Text(text.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn message(raw: Value, text: &str) -> Message {
        Message {
            node_id: "m".into(),
            parent_node_id: None,
            position: 0,
            depth: 0,
            role: Some("assistant".into()),
            author_name: None,
            recipient: Some("all".into()),
            channel: None,
            content_type: raw
                .pointer("/content/content_type")
                .and_then(Value::as_str)
                .map(Into::into),
            model: None,
            created_at: None,
            hidden: false,
            on_current_thread: true,
            has_message: true,
            text: text.into(),
            raw: Some(raw.to_string()),
            node_raw: "{}".into(),
            attachments: Vec::new(),
        }
    }

    #[test]
    fn content_references_become_numbered_sources() {
        let token = "\u{E200}cite\u{E202}turn0search1\u{E202}turn0search2\u{E201}";
        let raw = json!({
            "content": {"content_type": "text", "parts": [format!("Water daily {token}. Stake them \u{E200}cite\u{E202}turn0search1\u{E201}.")]},
            "metadata": {"content_references": [
                {"matched_text": token, "type": "grouped_webpages", "items": [
                    {"title": "RHS", "url": "https://rhs.example/tomato"},
                    {"title": "Extension", "url": "https://ext.example/"}]},
                {"matched_text": "\u{E200}cite\u{E202}turn0search1\u{E201}", "items": [
                    {"title": "RHS", "url": "https://rhs.example/tomato"}]},
                {"matched_text": " ", "type": "sources_footnote", "sources": [
                    {"title": "Later", "url": "https://later.example/"}]}
            ]}
        });
        let message = message(raw.clone(), "stripped");
        let mut next = 4;
        let (inlines, sources) = cited_text(&message, &raw, &mut next);
        assert_eq!(
            inlines,
            [
                Inline::Text("Water daily".into()),
                Inline::Cite(4),
                Inline::Cite(5),
                Inline::Text(". Stake them".into()),
                Inline::Cite(4),
                Inline::Text(".".into()),
            ]
        );
        let titles: Vec<_> = sources.iter().map(|s| (s.number, s.title.as_str())).collect();
        assert_eq!(titles, [(4, "RHS"), (5, "Extension"), (6, "Later")]);
        assert_eq!(next, 7);
    }

    #[test]
    fn old_markers_are_found_by_offset_and_others_are_stripped() {
        let raw = json!({
            "content": {"content_type": "text", "parts": ["Tomé【3†source】 and【9†gone】."]},
            "metadata": {"citations": [
                {"start_ix": 4, "end_ix": 14, "metadata": {"title": "Page", "url": "https://p.example/"}},
                {"start_ix": 0, "end_ix": 2, "metadata": {"type": "file", "name": "notes.pdf"}}
            ]}
        });
        let message = message(raw.clone(), "stripped");
        let (inlines, sources) = cited_text(&message, &raw, &mut 1);
        assert_eq!(
            inlines,
            [Inline::Text("Tomé".into()), Inline::Cite(1), Inline::Text(" and.".into())]
        );
        assert_eq!(sources[1], Source { number: 2, title: "notes.pdf".into(), url: None });
    }

    #[test]
    fn text_without_citations_is_the_searchable_text() {
        let raw = json!({"content": {"content_type": "text", "parts": ["Hi"]}});
        let (inlines, sources) = cited_text(&message(raw.clone(), "Hi"), &raw, &mut 1);
        assert_eq!((inlines, sources), (vec![Inline::Text("Hi".into())], vec![]));
    }
}

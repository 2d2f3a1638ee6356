//! Searchable text of one message.
//!
//! [`message_text`] derives the text that full-text search indexes for one message object (the
//! value of a mapping node's `message`). It reads the fields that hold text for each
//! `content.content_type` (export field guide §5), adds the custom instructions and tool results
//! kept in `metadata`, and strips citation markup (§5.2). The raw JSON is never changed: this
//! text is derived from it and can be recomputed at any time.
//!
//! Every field may be missing, null or of another type; such fields add nothing and never panic.

use std::collections::HashSet;

use serde_json::Value;

/// Opens a private-use citation token such as `\u{E200}cite\u{E202}turn0search0\u{E201}`.
const TOKEN_OPEN: char = '\u{E200}';
/// Closes a private-use citation token.
const TOKEN_CLOSE: char = '\u{E201}';
/// Separates the fields of a private-use citation token.
const TOKEN_SEPARATOR: char = '\u{E202}';
/// Opens an old-style citation marker such as `【11†source】`.
const OLD_OPEN: char = '【';
/// Closes an old-style citation marker.
const OLD_CLOSE: char = '】';
/// The characters where citation markup may start.
const MARKUP_STARTS: [char; 4] = [TOKEN_OPEN, TOKEN_CLOSE, TOKEN_SEPARATOR, OLD_OPEN];

/// Stands in for a missing field.
static NULL: Value = Value::Null;

/// Returns the searchable text of one message object (the value of a mapping node's `message`).
///
/// The pieces are, in order: the text fields of `content` for its `content_type` (every string
/// under `content` for unknown types), the 2023 custom instructions in
/// `metadata.user_context_message_data`, and for tool messages the code of
/// `metadata.aggregate_result` and the titles and snippets of `metadata.search_result_groups`.
/// Citation markup is removed from each piece; pieces that end up blank are skipped, metadata
/// pieces that repeat an earlier piece too, and the rest are joined with `"\n"`.
#[must_use]
pub fn message_text(message: &Value) -> String {
    let mut text = Pieces::default();
    content_text(field(message, "content"), &mut text);
    metadata_text(message, &mut text);
    text.pieces.join("\n")
}

/// Whether the text holds Chinese, Japanese or Korean characters, which `messages_trigram`
/// indexes for substring search.
pub fn has_cjk(text: &str) -> bool {
    text.chars().any(is_cjk)
}

/// Chinese, Japanese and Korean characters: the same ranges as the GLOB class that migration
/// V2 applies to titles.
pub fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{1100}'..='\u{11FF}'
        | '\u{3040}'..='\u{30FF}'
        | '\u{3130}'..='\u{318F}'
        | '\u{31F0}'..='\u{31FF}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{AC00}'..='\u{D7AF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{FF66}'..='\u{FF9F}'
        | '\u{20000}'..='\u{3134F}')
}

/// The pieces of text collected for one message, already stripped of citation markup.
#[derive(Default)]
struct Pieces {
    pieces: Vec<String>,
    /// The pieces already added, so that de-duplicating stays linear in their number.
    seen: HashSet<String>,
}

impl Pieces {
    /// Adds `raw` without its citation markup, unless it is missing or blank.
    fn push(&mut self, raw: Option<&str>) {
        if let Some(piece) = raw.map(strip_citations)
            && !piece.trim().is_empty()
        {
            self.seen.insert(piece.clone());
            self.pieces.push(piece);
        }
    }

    /// Adds `raw` like [`Pieces::push`], unless an equal piece is already there.
    fn push_new(&mut self, raw: Option<&str>) {
        if let Some(piece) = raw.map(strip_citations)
            && !piece.trim().is_empty()
            && self.seen.insert(piece.clone())
        {
            self.pieces.push(piece);
        }
    }
}

/// Collects the text of `content` according to its `content_type`.
fn content_text(content: &Value, text: &mut Pieces) {
    let fields: &[&str] = match str_field(content, "content_type").unwrap_or_default() {
        "text" | "multimodal_text" => return parts_text(content, text),
        "code" => return code_text(content, text),
        "execution_output" => &["text"],
        "tether_browsing_display" => &["result", "summary"],
        "tether_quote" | "sonic_webpage" => &["title", "text"],
        "system_error" => &["name", "text"],
        "user_editable_context" => &["user_profile", "user_instructions"],
        "model_editable_context" => &["model_set_context"],
        "reasoning_recap" => &["content"],
        "citable_code_output" => &["output_str"],
        "thoughts" => return thoughts_text(content, text),
        "computer_output" => return fields_text(field(content, "state"), &["title", "url"], text),
        "app_pairing_content" => return app_pairing_text(content, text),
        _ => return any_strings(content, text),
    };
    fields_text(content, fields, text);
}

/// Collects the string fields `keys` of `object`, in the order given.
fn fields_text(object: &Value, keys: &[&str], text: &mut Pieces) {
    for key in keys {
        text.push(str_field(object, key));
    }
}

/// Collects `parts`: string parts, and the `text` (or Canvas-like `content`) of part objects
/// that are not asset pointers. Other values are skipped.
fn parts_text(content: &Value, text: &mut Pieces) {
    for part in array_field(content, "parts") {
        match part {
            Value::String(piece) => text.push(Some(piece)),
            Value::Object(_) if !is_pointer_object(part) => {
                fields_text(part, &["text", "content"], text);
            }
            _ => {}
        }
    }
}

/// Collects a `code` message. Tool calls often carry JSON (Canvas documents, search and
/// image prompts): its strings are what people search for, not its escapes, so parsed JSON
/// contributes its string values. JSON cut off mid-way (seen on Canvas updates) keeps its
/// text with the common escapes decoded.
fn code_text(content: &Value, text: &mut Pieces) {
    let Some(code) = str_field(content, "text") else { return };
    let trimmed = code.trim_start();
    if !(trimmed.starts_with('{') || trimmed.starts_with('[')) {
        return text.push(Some(code));
    }
    match serde_json::from_str::<Value>(code) {
        Ok(parsed) => any_strings(&parsed, text),
        Err(_) => {
            let decoded = code.replace("\\n", "\n").replace("\\t", "\t").replace("\\\"", "\"");
            text.push(Some(&decoded));
        }
    }
}

/// Collects the `summary` and `content` of each reasoning thought.
fn thoughts_text(content: &Value, text: &mut Pieces) {
    for thought in array_field(content, "thoughts") {
        fields_text(thought, &["summary", "content"], text);
    }
}

/// Collects the desktop-app context of `app_pairing_content`: each `context_parts[].text`,
/// then a plain `text`.
fn app_pairing_text(content: &Value, text: &mut Pieces) {
    for context_part in array_field(content, "context_parts") {
        text.push(str_field(context_part, "text"));
    }
    text.push(str_field(content, "text"));
}

/// Collects every string under `value` (content of an unknown type), skipping type tags and
/// asset pointers, in the order serde_json keeps object keys (document order with its
/// `preserve_order` feature, else sorted).
fn any_strings(value: &Value, text: &mut Pieces) {
    match value {
        Value::String(piece) if !is_pointer_url(piece) => text.push(Some(piece)),
        Value::Array(items) => items.iter().for_each(|item| any_strings(item, text)),
        Value::Object(map) if !is_pointer_object(value) => {
            for (key, item) in map {
                if !is_pointer_key(key) {
                    any_strings(item, text);
                }
            }
        }
        _ => {}
    }
}

/// Collects the searchable text kept in `metadata`: custom instructions (2023 system message,
/// repeated on 2024+ `user_editable_context` messages) and, for tool messages, the code that
/// produced an execution output and the web search results.
fn metadata_text(message: &Value, text: &mut Pieces) {
    let metadata = field(message, "metadata");
    let instructions = field(metadata, "user_context_message_data");
    text.push_new(str_field(instructions, "about_user_message"));
    text.push_new(str_field(instructions, "about_model_message"));
    if str_field(field(message, "author"), "role") != Some("tool") {
        return;
    }
    text.push_new(str_field(field(metadata, "aggregate_result"), "code"));
    for group in array_field(metadata, "search_result_groups") {
        for entry in array_field(group, "entries") {
            text.push_new(str_field(entry, "title"));
            text.push_new(str_field(entry, "snippet"));
        }
    }
}

/// Returns `value[key]`, or null when `value` is not an object or lacks the key.
fn field<'a>(value: &'a Value, key: &str) -> &'a Value {
    value.get(key).unwrap_or(&NULL)
}

/// Returns `value[key]` when it is a string.
fn str_field<'a>(value: &'a Value, key: &str) -> Option<&'a str> {
    value.get(key).and_then(Value::as_str)
}

/// Returns the items of `value[key]`, or none when it is not an array.
fn array_field<'a>(value: &'a Value, key: &str) -> &'a [Value] {
    value.get(key).and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

/// Tells whether `value` is an asset pointer object (image, audio, video...).
fn is_pointer_object(value: &Value) -> bool {
    value.get("asset_pointer").is_some()
        || str_field(value, "content_type").is_some_and(|kind| kind.ends_with("_asset_pointer"))
}

/// Tells whether `key` holds a type tag or asset pointers rather than text.
fn is_pointer_key(key: &str) -> bool {
    key == "content_type"
        || key == "asset_pointer"
        || key.ends_with("_asset_pointer")
        || key.ends_with("_asset_pointers")
}

/// Tells whether `value` is an asset pointer string (`file-service://…`, `sediment://…`).
fn is_pointer_url(value: &str) -> bool {
    value.starts_with("file-service://") || value.starts_with("sediment://")
}

/// Removes citation markup: complete private-use tokens (`\u{E200}…\u{E201}`), stray
/// private-use token characters, and old-style markers (`【11†source】`, `【3:0†source】`,
/// `【0†title†domain】`). When a removal leaves a space on both sides, one of them goes too.
/// Everything else, including other `【…】` brackets, is kept as is.
fn strip_citations(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(at) = rest.find(MARKUP_STARTS) {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let Some(len) = markup_len(rest) else {
            out.push(OLD_OPEN);
            rest = &rest[OLD_OPEN.len_utf8()..];
            continue;
        };
        rest = &rest[len..];
        if out.ends_with(' ') && rest.starts_with(' ') {
            rest = &rest[1..];
        }
    }
    out.push_str(rest);
    out
}

/// Returns the byte length of the citation markup at the start of `rest`, which starts with
/// one of [`MARKUP_STARTS`]; `None` for a `【` that does not open an old-style marker.
fn markup_len(rest: &str) -> Option<usize> {
    let Some(after_open) = rest.strip_prefix(TOKEN_OPEN) else {
        return if rest.starts_with(OLD_OPEN) {
            old_marker_len(rest)
        } else {
            // A closing or separating character outside a complete token.
            rest.chars().next().map(char::len_utf8)
        };
    };
    let single = TOKEN_OPEN.len_utf8();
    match after_open.find([TOKEN_OPEN, TOKEN_CLOSE, '\n']) {
        Some(end) if after_open[end..].starts_with(TOKEN_CLOSE) => {
            Some(single + end + TOKEN_CLOSE.len_utf8())
        }
        _ => Some(single),
    }
}

/// Returns the byte length of the old-style marker that `rest` starts with: `【`, a number
/// (optionally `n:m`), `†`, anything but brackets or a line break, then `】`.
fn old_marker_len(rest: &str) -> Option<usize> {
    let body = rest.strip_prefix(OLD_OPEN)?;
    let end = body.find([OLD_OPEN, OLD_CLOSE, '\n'])?;
    let (number, _) = body[..end].split_once('†')?;
    let digits = |part: &str| !part.is_empty() && part.bytes().all(|byte| byte.is_ascii_digit());
    let numbered = match number.split_once(':') {
        Some((first, second)) => digits(first) && digits(second),
        None => digits(number),
    };
    let closed = body[end..].starts_with(OLD_CLOSE);
    (numbered && closed).then(|| OLD_OPEN.len_utf8() + end + OLD_CLOSE.len_utf8())
}

#[cfg(test)]
mod tests {
    use super::{TOKEN_CLOSE, TOKEN_OPEN, TOKEN_SEPARATOR, message_text};
    use proptest::prelude::*;
    use serde_json::{Value, json};

    /// A message with the given `content` and no metadata.
    fn with_content(content: Value) -> Value {
        json!({"id": "m1", "author": {"role": "assistant"}, "content": content})
    }

    #[test]
    fn text_joins_string_parts() {
        let message = with_content(
            json!({"content_type": "text", "parts": ["Bake at 220.", "", "Rest it."]}),
        );
        assert_eq!(message_text(&message), "Bake at 220.\nRest it.");
    }

    #[test]
    fn text_tolerates_non_string_parts() {
        let parts = json!(["first", null, 42, true, ["nested"], {"text": "object text"}, "last"]);
        let message = with_content(json!({"content_type": "text", "parts": parts}));
        assert_eq!(message_text(&message), "first\nobject text\nlast");
    }

    #[test]
    fn text_keeps_inner_whitespace() {
        let part = "  indented\tline  with  spaces \n";
        let message = with_content(json!({"content_type": "text", "parts": [part]}));
        assert_eq!(message_text(&message), part);
    }

    #[test]
    fn multimodal_text_skips_pointer_parts() {
        let content = json!({"content_type": "multimodal_text", "parts": [
            {"content_type": "image_asset_pointer", "asset_pointer": "sediment://file_00a1",
             "metadata": {"dalle": {"prompt": "a lighthouse made of cheese"}}},
            "Is this hinge bent?",
            {"type": "code/python", "content": "print('canvas')"}
        ]});
        assert_eq!(message_text(&with_content(content)), "Is this hinge bent?\nprint('canvas')");
    }

    #[test]
    fn voice_turn_keeps_the_transcript_only() {
        let content = json!({"content_type": "multimodal_text", "parts": [
            {"content_type": "audio_transcription", "text": "Quiz me on capital cities.",
             "direction": "in", "decoding_id": null},
            {"content_type": "real_time_user_audio_video_asset_pointer",
             "expiry_datetime": "2026-03-01T09:00:00.000000+00:00",
             "frames_asset_pointers": [], "video_container_asset_pointer": null,
             "audio_asset_pointer": {"content_type": "audio_asset_pointer",
                "asset_pointer": "sediment://file_0000beef", "format": "wav",
                "metadata": {"transcription": "ignored copy", "start": 0.0, "end": 2.0}},
             "audio_start_timestamp": 0.0}
        ]});
        let message = json!({"author": {"role": "user"}, "content": content,
            "metadata": {"voice_mode_message": true}});
        assert_eq!(message_text(&message), "Quiz me on capital cities.");
    }

    #[test]
    fn canvas_json_contributes_its_strings_even_when_cut_off() {
        let whole = json!({"content": {"content_type": "code",
            "text": "{\"name\": \"note\", \"content\": \"Hello\\n\\nHi neighbours!\"}"}});
        assert_eq!(message_text(&whole), "note\nHello\n\nHi neighbours!");
        let cut = json!({"content": {"content_type": "code",
            "text": "{\"updates\": [{\"replacement\": \"Dear all,\\nBring tools"}});
        assert_eq!(message_text(&cut), "{\"updates\": [{\"replacement\": \"Dear all,\nBring tools");
    }

    #[test]
    fn code_takes_text() {
        let content = json!({"content_type": "code", "language": "python",
            "text": "total = sum(laps)\ntotal / len(laps)", "response_format_name": null});
        assert_eq!(message_text(&with_content(content)), "total = sum(laps)\ntotal / len(laps)");
    }

    #[test]
    fn execution_output_takes_text_and_aggregate_code() {
        let message = json!({
            "author": {"role": "tool", "name": "python"},
            "content": {"content_type": "execution_output", "text": "5.6"},
            "metadata": {"aggregate_result": {"code": "average(laps)", "status": "success"}}
        });
        assert_eq!(message_text(&message), "5.6\naverage(laps)");
    }

    #[test]
    fn tether_browsing_display_takes_result_and_summary() {
        let content = json!({"content_type": "tether_browsing_display",
            "result": "# 【0†Ferry timetable†ferries.example.org】\nFirst boat at 06:40.",
            "summary": "Timetable found.", "assets": null, "tether_id": null});
        assert_eq!(
            message_text(&with_content(content)),
            "# \nFirst boat at 06:40.\nTimetable found."
        );
    }

    #[test]
    fn tether_quote_takes_title_and_text() {
        let content = json!({"content_type": "tether_quote",
            "url": "https://ferries.example.org/t", "domain": "ferries.example.org",
            "title": "Ferry timetable", "text": "Boats run hourly in summer.", "tether_id": null});
        assert_eq!(
            message_text(&with_content(content)),
            "Ferry timetable\nBoats run hourly in summer."
        );
    }

    #[test]
    fn sonic_webpage_takes_title_and_text() {
        let content = json!({"content_type": "sonic_webpage", "url": "https://pool.example.net",
            "domain": "pool.example.net", "title": "Opening hours | Town Pool",
            "text": "Lanes open at 7.", "snippet": "Lanes open early.", "pub_timestamp": null});
        assert_eq!(
            message_text(&with_content(content)),
            "Opening hours | Town Pool\nLanes open at 7."
        );
    }

    #[test]
    fn system_error_takes_name_and_text() {
        let content = json!({"content_type": "system_error", "name": "tool_error",
            "text": "The sandbox timed out."});
        assert_eq!(message_text(&with_content(content)), "tool_error\nThe sandbox timed out.");
    }

    #[test]
    fn user_editable_context_takes_profile_and_instructions_once() {
        let profile = "Goes by Sam. Keeps bees.";
        let message = json!({
            "author": {"role": "user"},
            "content": {"content_type": "user_editable_context", "user_profile": profile,
                "user_instructions": "Answer in bullet points."},
            "metadata": {"is_user_system_message": true, "user_context_message_data":
                {"about_user_message": profile, "about_model_message": "Answer in bullet points."}}
        });
        assert_eq!(message_text(&message), "Goes by Sam. Keeps bees.\nAnswer in bullet points.");
    }

    #[test]
    fn model_editable_context_takes_memory() {
        let content = json!({"content_type": "model_editable_context",
            "model_set_context": "1. Owns a tandem bicycle.", "repository": null,
            "repo_summary": null, "structured_context": null});
        assert_eq!(message_text(&with_content(content)), "1. Owns a tandem bicycle.");
    }

    #[test]
    fn thoughts_take_summary_and_content() {
        let content = json!({"content_type": "thoughts", "source_analysis_msg_id": "x",
            "thoughts": [
            {"summary": "Weighing routes", "content": "The coast road is longer.",
             "chunks": ["The coast"], "finished": true},
            {"summary": null, "content": "Pick the hill road."},
            "not a thought"
        ]});
        let expected = "Weighing routes\nThe coast road is longer.\nPick the hill road.";
        assert_eq!(message_text(&with_content(content)), expected);
    }

    #[test]
    fn reasoning_recap_takes_content() {
        let content = json!({"content_type": "reasoning_recap", "content": "Thought for 4s"});
        assert_eq!(message_text(&with_content(content)), "Thought for 4s");
    }

    #[test]
    fn computer_output_takes_state_title_and_url() {
        let content = json!({"content_type": "computer_output", "computer_id": "c1",
            "screenshot": {"content_type": "image_asset_pointer", "asset_pointer": "sediment://f"},
            "state": {"type": "browser_state", "url": "https://shop.example.com/cart",
                "title": "Your cart", "id": "s1", "dom": null},
            "tether_id": null, "is_ephemeral": false});
        assert_eq!(
            message_text(&with_content(content)),
            "Your cart\nhttps://shop.example.com/cart"
        );
    }

    #[test]
    fn citable_code_output_takes_output_str() {
        let content = json!({"content_type": "citable_code_output",
            "output_str": "{\"rows\": 12}"});
        assert_eq!(message_text(&with_content(content)), "{\"rows\": 12}");
    }

    #[test]
    fn app_pairing_content_takes_context_parts_and_text() {
        let content = json!({"content_type": "app_pairing_content",
            "workspaces": [{"app_name": "Terminal", "title": "zsh"}],
            "context_parts": [{"text": "$ make test\n3 passed"}, {"text": null}, 7],
            "text": "Selected: line 12"});
        assert_eq!(
            message_text(&with_content(content)),
            "$ make test\n3 passed\nSelected: line 12"
        );
    }

    #[test]
    fn unknown_content_type_collects_every_string() {
        let content = json!({"content_type": "future_widget", "caption": "Tide chart",
            "items": [{"label": "High water", "value": 4.2}, "Low water"],
            "preview": {"content_type": "image_asset_pointer", "asset_pointer": "sediment://f"},
            "thumbnail_asset_pointer": "file-service://file-1", "url": "sediment://file_2"});
        assert_eq!(message_text(&with_content(content)), "Tide chart\nHigh water\nLow water");
    }

    #[test]
    fn missing_null_or_odd_content_gives_no_text() {
        for message in [
            json!({"id": "m1"}),
            json!({"content": null}),
            json!({"content": {"content_type": "text", "parts": null}}),
            json!({"content": {"content_type": "code", "text": 12}}),
            json!({"content": {"content_type": "thoughts", "thoughts": {"summary": "x"}}}),
            json!(null),
            json!("not a message"),
            json!([1, 2]),
        ] {
            assert_eq!(message_text(&message), "", "{message}");
        }
    }

    #[test]
    fn private_use_citation_tokens_are_removed() {
        let part = "Plots cost 30 \u{E200}cite\u{E202}turn0search0\u{E201} per season \
            \u{E200}cite\u{E202}turn0search1\u{E202}turn0news2\u{E201}.\u{E201} Done";
        let message = json!({
            "author": {"role": "assistant"},
            "content": {"content_type": "text", "parts": [part]},
            "metadata": {"content_references": [{"matched_text":
                "\u{E200}cite\u{E202}turn0search0\u{E201}", "alt": "([a](https://a.example))"}]}
        });
        assert_eq!(message_text(&message), "Plots cost 30 per season . Done");
    }

    #[test]
    fn unterminated_private_use_token_loses_only_its_markers() {
        let message = with_content(json!({"content_type": "text",
            "parts": ["See \u{E200}cite\u{E202}turn1view0\nnext line"]}));
        assert_eq!(message_text(&message), "See citeturn1view0\nnext line");
    }

    #[test]
    fn old_style_citation_markers_are_removed() {
        let part = "Low tide is at 07:50【11†source】. Rent a wetsuit 【3:0†shop.pdf】 \
            early. See 【0†Tide tables†tides.example.org】 too.";
        let message = with_content(json!({"content_type": "text", "parts": [part]}));
        assert_eq!(message_text(&message), "Low tide is at 07:50. Rent a wetsuit early. See too.");
    }

    #[test]
    fn other_lenticular_brackets_are_kept() {
        let part = "【重要】 Bring cash. 【a†b】 and 【12】 stay; 【1†open";
        let message = with_content(json!({"content_type": "text", "parts": [part]}));
        assert_eq!(message_text(&message), part);
    }

    #[test]
    fn custom_instructions_of_2023_are_included() {
        let message = json!({
            "author": {"role": "system", "name": null, "metadata": {}},
            "content": {"content_type": "text", "parts": [""]},
            "weight": 0.0,
            "metadata": {"is_user_system_message": true, "user_context_message_data": {
                "about_user_message": "I teach year 6 science.",
                "about_model_message": "Use British spelling."}}
        });
        assert_eq!(message_text(&message), "I teach year 6 science.\nUse British spelling.");
    }

    #[test]
    fn tool_search_results_are_included() {
        let message = json!({
            "author": {"role": "tool", "name": "web.run"},
            "content": {"content_type": "text", "parts": [""]},
            "metadata": {"search_result_groups": [{"type": "search_result_group", "entries": [
                {"title": "Pool hours", "snippet": "Lanes open at 7.", "url": "https://p.example"},
                {"title": null, "snippet": "Lanes open at 7."}
            ]}]}
        });
        assert_eq!(message_text(&message), "Pool hours\nLanes open at 7.");
    }

    #[test]
    fn search_results_on_answers_are_not_included() {
        let message = json!({
            "author": {"role": "assistant"},
            "content": {"content_type": "text", "parts": ["Lanes open at seven."]},
            "metadata": {"search_result_groups": [{"entries": [{"title": "Pool hours"}]}],
                "aggregate_result": {"code": "x = 1"}}
        });
        assert_eq!(message_text(&message), "Lanes open at seven.");
    }

    /// Any JSON value, up to a few levels deep, with arbitrary strings and keys.
    fn any_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<f64>().prop_map(Value::from),
            any::<String>().prop_map(Value::from),
            "[a-z_]{0,12}".prop_map(Value::from),
            "[ a【】†0-9:\u{E200}\u{E201}\u{E202}\n]{0,16}".prop_map(Value::from),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::from),
                prop::collection::btree_map("[a-z_]{1,12}|content_type|parts|text", inner, 0..6)
                    .prop_map(|map| Value::Object(map.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn never_panics_and_drops_private_use_markers(content in any_json(), kind in
            "text|multimodal_text|thoughts|app_pairing_content|computer_output|unknown") {
            let mut message = json!({"author": {"role": "tool"}, "content": content});
            if let Some(object) = message["content"].as_object_mut() {
                object.insert("content_type".into(), kind.into());
            }
            let text = message_text(&message);
            prop_assert!(!text.contains([TOKEN_OPEN, TOKEN_CLOSE, TOKEN_SEPARATOR]), "{text:?}");
        }
    }
}

//! File names of the Markdown notes and HTML pages: `2024-03-01-balcony-tomatoes-67c2cc90`,
//! the day the conversation was created (UTC), its title as an ASCII slug and a short id.
//!
//! Names must stay the same from one export to the next, so that exporting again into the
//! same folder updates the files rather than adding copies. The short id is the first eight
//! characters of the conversation id, or more when another conversation of the archive starts
//! the same way (like a short commit hash): it depends on the archive, not on the selection.
//! A renamed title changes the name; the folder writer then finds the older file by the id
//! written inside it ([`id_in`]) and removes it.

use std::collections::HashMap;

use rusqlite::Connection;

/// The shortest short id.
const SHORT_ID: usize = 8;

/// The longest title slug, in characters.
const SLUG: usize = 60;

/// How the Markdown front matter names the conversation (first line after `---`).
pub const FRONT_MATTER_ID: &str = "id: ";

/// The HTML `<meta>` that names the conversation of a page.
pub const META_ID: &str = "<meta name=\"chatarchive-conversation\" content=\"";

/// The file stem of each conversation to write.
pub struct Names {
    stems: HashMap<String, String>,
}

impl Names {
    /// Names the conversations `ids`; short ids are unique across the whole archive.
    pub fn new(conn: &Connection, ids: &[String]) -> rusqlite::Result<Self> {
        let mut all: Vec<String> = conn
            .prepare("SELECT id FROM conversations")?
            .query_map([], |row| row.get::<_, String>(0))?
            .map(|id| id.map(|id| safe_id(&id)))
            .collect::<rusqlite::Result<_>>()?;
        all.sort_unstable();
        let mut stmt = conn.prepare("SELECT title, created_at FROM conversations WHERE id = ?1")?;
        let mut stems = HashMap::with_capacity(ids.len());
        let mut taken: HashMap<String, usize> = HashMap::new();
        let mut sorted: Vec<&String> = ids.iter().collect();
        sorted.sort();
        for id in sorted {
            let (title, created): (Option<String>, Option<String>) =
                stmt.query_row([id], |row| Ok((row.get(0)?, row.get(1)?)))?;
            let stem = format!("{}-{}-{}", day(created.as_deref()), slug(title.as_deref()), {
                short_id(&all, &safe_id(id))
            });
            // Ids that differ only in case or in unsafe characters: never one file for two.
            let count = taken.entry(stem.clone()).or_insert(0);
            *count += 1;
            let stem = if *count == 1 { stem } else { format!("{stem}-{count}") };
            stems.insert(id.clone(), stem);
        }
        Ok(Self { stems })
    }

    /// The file stem of a conversation given to [`Names::new`].
    pub fn stem(&self, id: &str) -> String {
        self.stems.get(id).cloned().unwrap_or_else(|| safe_id(id))
    }
}

/// `2024-03-01` from an ISO-8601 time, `undated` without one.
fn day(created: Option<&str>) -> &str {
    match created.and_then(|c| c.get(..10)) {
        Some(day) if day.bytes().all(|b| b.is_ascii_digit() || b == b'-') => day,
        _ => "undated",
    }
}

/// The title as lowercase ASCII words joined by `-` (accents and other scripts transliterated),
/// at most [`SLUG`] characters cut at a word; `untitled` when nothing is left.
pub fn slug(title: Option<&str>) -> String {
    // Letters and digits of every script are transliterated; emoji and other symbols are
    // dropped rather than spelled out (`🍜` would become `ramen`).
    let words: String = title
        .unwrap_or_default()
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    let full = slug::slugify(words);
    let mut out = String::new();
    for word in full.split('-').filter(|w| !w.is_empty()) {
        if !out.is_empty() && out.len() + 1 + word.len() > SLUG {
            break;
        }
        if !out.is_empty() {
            out.push('-');
        }
        out.push_str(&word[..word.len().min(SLUG)]);
    }
    if out.is_empty() { "untitled".to_string() } else { out }
}

/// A conversation id made safe for a file name on every system: lowercase ASCII letters and
/// digits, anything else a `-`.
fn safe_id(id: &str) -> String {
    id.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' })
        .collect()
}

/// The shortest start of `id` (at least [`SHORT_ID`] characters, not ending in `-`) that no
/// other id of the sorted list `all` starts with.
fn short_id(all: &[String], id: &str) -> String {
    let at = all.binary_search_by(|probe| probe.as_str().cmp(id)).unwrap_or_else(|i| i);
    let common = |other: Option<&String>| {
        other
            .filter(|o| o.as_str() != id)
            .map_or(0, |o| o.bytes().zip(id.bytes()).take_while(|(a, b)| a == b).count())
    };
    let before = if at > 0 { common(all.get(at - 1)) } else { 0 };
    let after = common(all.get(at + 1)).max(common(all.get(at)));
    let mut len = SHORT_ID.max(before.max(after) + 1).min(id.len());
    while len < id.len() && id[..len].ends_with('-') {
        len += 1;
    }
    id[..len].to_string()
}

/// The conversation id written near the start of a note or page by this module's writers:
/// the front matter's `id:` line or the HTML `<meta>`.
pub fn id_in(head: &str) -> Option<String> {
    if let Some(front) = head.strip_prefix("---\n") {
        let mut lines = front.lines().take_while(|line| *line != "---");
        let line = lines.find_map(|line| line.strip_prefix(FRONT_MATTER_ID))?;
        return serde_json::from_str(line).ok();
    }
    let start = head.find(META_ID)? + META_ID.len();
    let end = start + head[start..].find('"')?;
    Some(unescape_html(&head[start..end]))
}

/// Undoes the escapes of `html::escape`.
fn unescape_html(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// The page of a conversation on chatgpt.com.
pub fn chatgpt_url(id: &str) -> String {
    let mut url = String::from("https://chatgpt.com/c/");
    for byte in id.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            url.push(byte as char);
        } else {
            url.push_str(&format!("%{byte:02X}"));
        }
    }
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_short_ascii_words() {
        assert_eq!(slug(Some("Tomatoes on a windy balcony!")), "tomatoes-on-a-windy-balcony");
        assert_eq!(slug(Some("Crème brûlée / CON: <x>")), "creme-brulee-con-x");
        assert_eq!(slug(Some("  ")), "untitled");
        assert_eq!(slug(None), "untitled");
        let long = slug(Some(&"word ".repeat(40)));
        assert!(long.len() <= SLUG && long.ends_with("word"), "{long}");
        assert!(slug(Some("東京タワー")).is_ascii());
        assert_eq!(slug(Some("Ramen in Tokyo 🍜")), "ramen-in-tokyo");
    }

    #[test]
    fn short_ids_grow_only_as_far_as_the_archive_needs() {
        let mut all: Vec<String> = ["67c2cc90-aaaa", "67c2cc90-abbb", "6907ec86-cc30", "c1"]
            .into_iter()
            .map(String::from)
            .collect();
        all.sort();
        assert_eq!(short_id(&all, "6907ec86-cc30"), "6907ec86");
        assert_eq!(short_id(&all, "67c2cc90-aaaa"), "67c2cc90-aa");
        assert_eq!(short_id(&all, "67c2cc90-abbb"), "67c2cc90-ab");
        assert_eq!(short_id(&all, "c1"), "c1");
        assert_eq!(safe_id("AB/c:1"), "ab-c-1");
    }

    #[test]
    fn ids_are_read_back_from_notes_and_pages() {
        assert_eq!(id_in("---\nid: \"c\\\"1\"\ntitle: x\n---\n").as_deref(), Some("c\"1"));
        let page = format!("<!DOCTYPE html>\n<head>{META_ID}a&amp;b&quot;\">");
        assert_eq!(id_in(&page).as_deref(), Some("a&b\""));
        assert_eq!(id_in("# just a note"), None);
    }

    #[test]
    fn links_back_escape_the_id() {
        assert_eq!(chatgpt_url("67c2-cc90"), "https://chatgpt.com/c/67c2-cc90");
        assert_eq!(chatgpt_url("a b/\"<"), "https://chatgpt.com/c/a%20b%2F%22%3C");
    }
}

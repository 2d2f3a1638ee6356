//! Full-text search over message text and conversation titles.
//!
//! Plain queries are split on whitespace and each word is quoted for FTS5, so nothing a
//! person types is read as query syntax; `Syntax::Fts` passes an FTS5 expression through.
//! Words are looked up in the word indexes (`messages_fts`, `conversations_fts`, accents
//! folded); words holding Chinese, Japanese or Korean characters are also looked up as
//! substrings in the trigram indexes (`messages_trigram`, `conversations_trigram`), which
//! hold only the rows with such characters (migration V2).
//!
//! Hits are messages, ranked by BM25: a message's score adds its text score and its
//! conversation's title score times [`TITLE_WEIGHT`]. A conversation whose title matches
//! while none of its messages do is reported once, on its first message that the filters
//! let through.

use std::ops::Range;

use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, ErrorCode, OptionalExtension, params_from_iter};

use super::filter::{Conditions, Filters};
use crate::model::text::is_cjk;

/// The schema version that holds the search indexes.
pub const SCHEMA_VERSION: u32 = 2;

/// How much a title match counts against a match in message text.
pub const TITLE_WEIGHT: f64 = 3.0;

/// Words of context around the matches in a snippet.
const SNIPPET_TOKENS: u32 = 16;

/// Trigram snippets count characters, not words, so they get more of them.
const TRIGRAM_SNIPPET_TOKENS: u32 = 32;

/// Characters that mark a match in `snippet()` and `highlight()` output. Control characters
/// that chat text practically never holds; should a message hold one, only the highlighting
/// of that snippet goes wrong.
const OPEN: char = '\u{2}';
const CLOSE: char = '\u{3}';

/// How the query text is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    /// Every word must appear; punctuation and operators are searched as text.
    Plain,
    /// An FTS5 query expression, passed through.
    Fts,
}

/// A search: the query text, how to read it, the filters and how many hits to return.
#[derive(Debug, Clone)]
pub struct Search {
    /// The text the user typed.
    pub text: String,
    /// How to read it.
    pub syntax: Syntax,
    /// Which messages to look at.
    pub filters: Filters,
    /// The most hits to return.
    pub limit: u32,
}

/// Text with the byte ranges of its matches.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Marked {
    /// The text, whitespace runs collapsed to single spaces.
    pub text: String,
    /// Byte ranges of `text` that matched, in order, not overlapping.
    pub highlights: Vec<Range<usize>>,
}

/// One message found.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// The conversation's id.
    pub conversation_id: String,
    /// The message's node id.
    pub node_id: String,
    /// The conversation's title, with its matches when the title matched.
    pub title: Option<Marked>,
    /// When the message was written (ISO-8601 UTC).
    pub created_at: Option<String>,
    /// The author's role.
    pub role: Option<String>,
    /// The model that wrote the message.
    pub model: Option<String>,
    /// The matching part of the text; the opening words for a hit found by its title.
    pub snippet: Marked,
}

/// A search that failed.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// `--fts` text that FTS5 cannot read.
    #[error("cannot read the FTS5 query {expression:?}: {reason}")]
    BadExpression {
        /// The expression as given.
        expression: String,
        /// SQLite's complaint, e.g. `fts5: syntax error near "("`.
        reason: String,
    },
    /// Any other database error.
    #[error("cannot search the archive")]
    Sql(#[from] rusqlite::Error),
}

/// The match expressions a search runs.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Expressions {
    /// For the word indexes.
    words: String,
    /// For the trigram indexes, when the query holds CJK text.
    substrings: Option<String>,
}

impl Expressions {
    fn of(search: &Search) -> Option<Self> {
        match search.syntax {
            Syntax::Plain => {
                let words = quote_words(&search.text)?;
                Some(Self { words, substrings: quote_substrings(&search.text) })
            }
            Syntax::Fts => Some(Self { words: search.text.clone(), substrings: None }),
        }
    }

    /// The parameters of the match clauses of [`ranking_sql`], in order.
    fn params(&self) -> Vec<SqlValue> {
        let mut one = vec![SqlValue::Text(self.words.clone())];
        one.extend(self.substrings.iter().map(|s| SqlValue::Text(s.clone())));
        [one.clone(), one].concat()
    }
}

/// Runs a search. A plain query without any word (only punctuation, say) finds nothing.
pub fn search(conn: &Connection, search: &Search) -> Result<Vec<Hit>, SearchError> {
    let Some(expressions) = Expressions::of(search) else {
        return Ok(Vec::new());
    };
    let ranked = rank(conn, search, &expressions)?;
    ranked.into_iter().map(|row| describe(conn, &expressions, row)).collect()
}

/// SQLite's message for an error in an FTS5 expression: a plain `SQLITE_ERROR` raised while
/// the query steps.
fn query_error(error: &rusqlite::Error) -> Option<String> {
    match error {
        rusqlite::Error::SqliteFailure(failure, message) if failure.code == ErrorCode::Unknown => {
            Some(message.clone().unwrap_or_else(|| failure.to_string()))
        }
        _ => None,
    }
}

/// A ranked hit before its snippet and title are read.
struct Ranked {
    message_id: i64,
    /// Whether the text matched in the trigram index (else the word index, or only the
    /// title matched when `text_matched` is false).
    trigram: bool,
    text_matched: bool,
}

/// Runs the ranking query. FTS5 reads the match expression only once the query steps, so
/// an error there (not while preparing) is a bad `--fts` expression.
fn rank(
    conn: &Connection,
    search: &Search,
    expressions: &Expressions,
) -> Result<Vec<Ranked>, SearchError> {
    let filters = search.filters.message_conditions();
    let mut first = filters.clone();
    first.clauses.push("m.has_message = 1 AND m.text != ''".into());
    let sql = ranking_sql(expressions.substrings.is_some(), &filters, &first);
    let mut params = expressions.params();
    params.extend(filters.params);
    params.extend(first.params);
    params.push(SqlValue::Integer(search.limit.into()));

    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(params_from_iter(params), |row| {
        let trigram: Option<bool> = row.get(1)?;
        Ok(Ranked {
            message_id: row.get(0)?,
            trigram: trigram == Some(true),
            text_matched: trigram.is_some(),
        })
    });
    rows.and_then(Iterator::collect).map_err(|error| match search.syntax {
        Syntax::Fts => match query_error(&error) {
            Some(reason) => SearchError::BadExpression { expression: search.text.clone(), reason },
            None => SearchError::Sql(error),
        },
        Syntax::Plain => SearchError::Sql(error),
    })
}

/// The ranking query: message ids, best first. `filters` restrict the text hits; `first`
/// (the filters plus "has text") picks the message that reports a title-only hit.
fn ranking_sql(trigram: bool, filters: &Conditions, first: &Conditions) -> String {
    let text_trigram = "UNION ALL SELECT rowid, bm25(messages_trigram), 1 \
        FROM messages_trigram WHERE messages_trigram MATCH ?";
    let title_trigram = "UNION ALL SELECT conversation_id, bm25(conversations_trigram) \
        FROM conversations_trigram WHERE conversations_trigram MATCH ?";
    let (text_trigram, title_trigram) =
        if trigram { (text_trigram, title_trigram) } else { ("", "") };
    let filters = filters.where_sql();
    let first = first.clauses.join(" AND ");
    format!(
        "WITH text_hits (id, score, trigram) AS MATERIALIZED (
            SELECT rowid, bm25(messages_fts), 0 FROM messages_fts WHERE messages_fts MATCH ?
            {text_trigram}
        ),
        title_hits (conversation_id, score) AS MATERIALIZED (
            SELECT conversation_id, bm25(conversations_fts)
            FROM conversations_fts WHERE conversations_fts MATCH ?
            {title_trigram}
        ),
        titles AS (
            SELECT conversation_id, min(score) AS score FROM title_hits GROUP BY conversation_id
        ),
        message_hits AS (
            SELECT h.id, min(h.score) AS score, h.trigram, m.conversation_id
            FROM text_hits AS h
            JOIN messages AS m ON m.id = h.id
            JOIN conversations AS c ON c.id = m.conversation_id
            {filters}
            GROUP BY h.id
        ),
        title_only AS (
            SELECT (
                SELECT m.id FROM messages AS m
                WHERE m.conversation_id = c.id AND {first}
                ORDER BY m.depth, m.position LIMIT 1
            ) AS id
            FROM titles AS t
            JOIN conversations AS c ON c.id = t.conversation_id
            WHERE c.id NOT IN (SELECT conversation_id FROM message_hits)
        ),
        hits AS (
            SELECT id, score, trigram FROM message_hits
            UNION ALL
            SELECT id, NULL, NULL FROM title_only WHERE id IS NOT NULL
        )
        SELECT h.id, h.trigram
        FROM hits AS h
        JOIN messages AS m ON m.id = h.id
        LEFT JOIN titles AS t ON t.conversation_id = m.conversation_id
        ORDER BY coalesce(h.score, 0) + {TITLE_WEIGHT:?} * coalesce(t.score, 0), m.id
        LIMIT ?"
    )
}

/// Reads what is shown of a ranked hit: its message, snippet and title.
fn describe(
    conn: &Connection,
    expressions: &Expressions,
    ranked: Ranked,
) -> Result<Hit, SearchError> {
    let mut stmt = conn.prepare_cached(
        "SELECT m.conversation_id, m.node_id, c.title, m.created_at, m.role, m.model, m.text
         FROM messages AS m JOIN conversations AS c ON c.id = m.conversation_id
         WHERE m.id = ?",
    )?;
    let (mut hit, text) = stmt.query_row([ranked.message_id], |row| {
        let title: Option<String> = row.get(2)?;
        let hit = Hit {
            conversation_id: row.get(0)?,
            node_id: row.get(1)?,
            title: title.map(|text| Marked { text, highlights: Vec::new() }),
            created_at: row.get(3)?,
            role: row.get(4)?,
            model: row.get(5)?,
            snippet: Marked::default(),
        };
        Ok((hit, row.get::<_, String>(6)?))
    })?;
    hit.snippet =
        if ranked.text_matched { snippet(conn, expressions, &ranked)? } else { opening(&text) };
    if hit.title.is_some()
        && let Some(marked) = title_matches(conn, expressions, &hit.conversation_id)?
    {
        hit.title = Some(marked);
    }
    Ok(hit)
}

fn snippet(
    conn: &Connection,
    expressions: &Expressions,
    ranked: &Ranked,
) -> rusqlite::Result<Marked> {
    let (table, expression, tokens) = match (&expressions.substrings, ranked.trigram) {
        (Some(substrings), true) => ("messages_trigram", substrings, TRIGRAM_SNIPPET_TOKENS),
        _ => ("messages_fts", &expressions.words, SNIPPET_TOKENS),
    };
    let sql = format!(
        "SELECT snippet({table}, 0, char(2), char(3), '…', {tokens}) FROM {table}
         WHERE {table} MATCH ? AND rowid = ?"
    );
    let marked: String =
        conn.prepare_cached(&sql)?.query_row((expression, ranked.message_id), |row| row.get(0))?;
    Ok(parse_marks(&marked))
}

/// The title with its matches, or `None` when the title did not match.
fn title_matches(
    conn: &Connection,
    expressions: &Expressions,
    conversation_id: &str,
) -> rusqlite::Result<Option<Marked>> {
    let mut lookups = vec![("conversations_fts", &expressions.words)];
    if let Some(substrings) = &expressions.substrings {
        lookups.push(("conversations_trigram", substrings));
    }
    for (table, expression) in lookups {
        let sql = format!(
            "SELECT highlight({table}, 0, char(2), char(3)) FROM {table}
             WHERE {table} MATCH ? AND conversation_id = ?"
        );
        let found: Option<String> = conn
            .prepare_cached(&sql)?
            .query_row((expression, conversation_id), |row| row.get(0))
            .optional()?;
        if let Some(marked) = found {
            return Ok(Some(parse_marks(&marked)));
        }
    }
    Ok(None)
}

/// The first words of a text, for a hit whose title matched but not its text.
fn opening(text: &str) -> Marked {
    let mut words = text.split_whitespace();
    let mut opening: Vec<&str> = words.by_ref().take(SNIPPET_TOKENS as usize).collect();
    if words.next().is_some() {
        opening.push("…");
    }
    Marked { text: opening.join(" "), highlights: Vec::new() }
}

/// Reads `snippet()`/`highlight()` output: drops the marks, records where they were and
/// collapses whitespace (a snippet is shown on one line).
fn parse_marks(marked: &str) -> Marked {
    let mut out = Marked::default();
    let mut start = None;
    let mut space = false;
    for c in marked.trim().chars() {
        if c.is_whitespace() {
            space = true;
            continue;
        }
        if space && c != CLOSE {
            out.text.push(' ');
            space = false;
        }
        match c {
            OPEN => start = Some(out.text.len()),
            CLOSE => {
                if let Some(begin) = start.take() {
                    out.highlights.push(begin..out.text.len());
                }
            }
            c => out.text.push(c),
        }
    }
    out
}

/// Quotes each whitespace-separated word as an FTS5 string, so that operators, quotes,
/// colons and brackets are searched as text; words without a letter or digit are dropped
/// (the tokenizer would find nothing in them). `None` when no word is left.
pub fn quote_words(text: &str) -> Option<String> {
    let words: Vec<String> = text
        .split_whitespace()
        .filter(|word| word.chars().any(char::is_alphanumeric))
        .map(quote)
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
}

/// The expression for the trigram indexes: runs of letters and digits of 3 or more
/// characters, quoted; `None` unless one of them holds a CJK character (shorter runs cannot
/// match a trigram index, and other text is served by the word indexes).
pub fn quote_substrings(text: &str) -> Option<String> {
    let runs: Vec<&str> =
        text.split(|c: char| !c.is_alphanumeric()).filter(|run| run.chars().count() >= 3).collect();
    if !runs.iter().any(|run| run.chars().any(is_cjk)) {
        return None;
    }
    Some(runs.into_iter().map(quote).collect::<Vec<_>>().join(" "))
}

fn quote(word: &str) -> String {
    format!("\"{}\"", word.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_word_is_quoted_so_nothing_is_syntax() {
        assert_eq!(quote_words("tomato soup").as_deref(), Some("\"tomato\" \"soup\""));
        assert_eq!(quote_words("foo OR").as_deref(), Some("\"foo\" \"OR\""));
        assert_eq!(quote_words("-x a:b").as_deref(), Some("\"-x\" \"a:b\""));
        assert_eq!(quote_words("NEAR(a b)").as_deref(), Some("\"NEAR(a\" \"b)\""));
        assert_eq!(quote_words("don't ^start x*").as_deref(), Some("\"don't\" \"^start\" \"x*\""));
    }

    #[test]
    fn quotes_inside_words_are_doubled() {
        assert_eq!(quote_words("\"unbalanced").as_deref(), Some("\"\"\"unbalanced\""));
        assert_eq!(quote_words("say \"hi\"").as_deref(), Some("\"say\" \"\"\"hi\"\"\""));
    }

    #[test]
    fn words_without_letters_or_digits_are_dropped() {
        assert_eq!(quote_words("( * ^ ' \" -"), None);
        assert_eq!(quote_words("   "), None);
        assert_eq!(quote_words("( tea )").as_deref(), Some("\"tea\""));
    }

    #[test]
    fn substrings_are_runs_of_three_or_more_with_cjk() {
        assert_eq!(quote_substrings("tomato soup"), None);
        assert_eq!(quote_substrings("東京"), None);
        assert_eq!(
            quote_substrings("「東京タワー」 visit").as_deref(),
            Some("\"東京タワー\" \"visit\"")
        );
        assert_eq!(quote_substrings("학교에 가요 ok").as_deref(), Some("\"학교에\""));
    }

    #[test]
    fn cjk_covers_han_kana_and_hangul() {
        assert!(['東', 'タ', 'ひ', '한', 'ｶ', '𠀋'].into_iter().all(is_cjk));
        assert!(!['a', 'é', 'Ж', '1', '。'].into_iter().any(is_cjk));
    }

    #[test]
    fn marks_become_ranges_and_whitespace_collapses() {
        let marked = parse_marks("  water \u{2}tomatoes\u{3}\n\n daily, \u{2}café\u{3}  ");
        assert_eq!(marked.text, "water tomatoes daily, café");
        assert_eq!(marked.highlights, [6..14, 22..27]);
        assert_eq!(&marked.text[22..27], "café");
    }

    #[test]
    fn an_opening_is_the_first_sixteen_words() {
        let text = (1..=20).map(|n| n.to_string()).collect::<Vec<_>>().join(" \n");
        assert_eq!(opening(&text).text, "1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 …");
        assert_eq!(opening("short  text").text, "short text");
    }
}

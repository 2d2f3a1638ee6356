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
//!
//! How the ranking runs, so that a common word in a large archive stays fast: the indexes
//! give every match with its BM25 score (no table is read for that); the messages of the
//! conversations whose title matched come from an index on `messages`, which tells which
//! matches the title raises. The candidates are then examined best first, in batches whose
//! rows are read (in rowid order) to apply the filters, until `limit` hits are found and the
//! next candidate scores worse than the last of them. The first batch holds
//! [`first_batch`] candidates, each next one four times as many, so that filters that let
//! few messages through cost at most a few times the rows they need.

use std::cmp::{Ordering, Reverse};
use std::collections::{BinaryHeap, HashMap, HashSet};
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
}

/// Runs a search. A plain query without any word (only punctuation, say) finds nothing.
pub fn search(conn: &Connection, search: &Search) -> Result<Vec<Hit>, SearchError> {
    let Some(expressions) = Expressions::of(search) else {
        return Ok(Vec::new());
    };
    // The ranking reads several statements: one read transaction keeps them on one
    // snapshot should an import write meanwhile.
    let _snapshot = if conn.is_autocommit() { Some(conn.unchecked_transaction()?) } else { None };
    let (ranked, titles) = rank(conn, search, &expressions, first_batch(search.limit))?;
    ranked.into_iter().map(|row| describe(conn, &expressions, &titles, row)).collect()
}

/// How many candidates the first batch examines: enough for `limit` hits when the filters
/// let most messages through (as the default ones do), with some to spare.
fn first_batch(limit: u32) -> usize {
    2 * limit as usize + 16
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
#[derive(Debug, Clone, Copy, PartialEq)]
struct Ranked {
    message_id: i64,
    /// Whether the text matched in the trigram index (else the word index, or only the
    /// title matched when `text_matched` is false).
    trigram: bool,
    text_matched: bool,
}

/// A message whose text matched, with its text score (BM25, lower is better).
#[derive(Debug, Clone, Copy)]
struct TextHit {
    id: i64,
    score: f64,
    trigram: bool,
}

/// A conversation whose title matched.
#[derive(Debug, Clone)]
struct TitleHit {
    conversation_id: String,
    /// The better of its word and trigram scores.
    score: f64,
    /// Its rows in `conversations_fts` and `conversations_trigram`, when they matched.
    word_row: Option<i64>,
    trigram_row: Option<i64>,
}

/// The conversations whose title matched, by conversation id.
#[derive(Debug, Default)]
struct Titles {
    hits: Vec<TitleHit>,
    by_id: HashMap<String, usize>,
}

impl Titles {
    fn add(&mut self, conversation_id: String, row: i64, score: f64, trigram: bool) {
        let at = *self.by_id.entry(conversation_id.clone()).or_insert_with(|| {
            self.hits.push(TitleHit { conversation_id, score, word_row: None, trigram_row: None });
            self.hits.len() - 1
        });
        let hit = &mut self.hits[at];
        hit.score = hit.score.min(score);
        let slot = if trigram { &mut hit.trigram_row } else { &mut hit.word_row };
        slot.get_or_insert(row);
    }

    fn get(&self, conversation_id: &str) -> Option<&TitleHit> {
        self.by_id.get(conversation_id).map(|&at| &self.hits[at])
    }
}

/// Something that may rank: a message whose text matched (in a conversation whose title
/// matched, or not), or a conversation whose title matched, standing for its first message
/// should none of its messages be a hit.
#[derive(Debug, Clone, Copy)]
enum Candidate {
    Text { hit: TextHit, title: Option<usize> },
    Title(usize),
}

/// A candidate with its final score: text score plus [`TITLE_WEIGHT`] times title score,
/// as `coalesce(text, 0) + 3.0 * coalesce(title, 0)` would compute it. Examined in order of
/// score; at equal scores text hits come first, so that a conversation's title stand-in is
/// examined only after all of its text hits (which never score worse than it: BM25 scores
/// are negative).
#[derive(Debug, Clone, Copy)]
struct Scored {
    score: f64,
    candidate: Candidate,
}

impl Scored {
    fn key(&self) -> (u8, i64) {
        match self.candidate {
            Candidate::Text { hit, .. } => (0, hit.id),
            Candidate::Title(at) => (1, at as i64),
        }
    }
}

impl Ord for Scored {
    fn cmp(&self, other: &Self) -> Ordering {
        self.score.total_cmp(&other.score).then_with(|| self.key().cmp(&other.key()))
    }
}

impl PartialOrd for Scored {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Scored {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Scored {}

/// Ranks the hits: message ids, best first, at most `search.limit` of them, with the
/// titles that matched. FTS5 reads the match expression only once the query steps, so an
/// error there (not while preparing) is a bad `--fts` expression.
fn rank(
    conn: &Connection,
    search: &Search,
    expressions: &Expressions,
    first_batch: usize,
) -> Result<(Vec<Ranked>, Titles), SearchError> {
    let bad_expression = |error: rusqlite::Error| match search.syntax {
        Syntax::Fts => match query_error(&error) {
            Some(reason) => SearchError::BadExpression { expression: search.text.clone(), reason },
            None => SearchError::Sql(error),
        },
        Syntax::Plain => SearchError::Sql(error),
    };
    let t0 = std::time::Instant::now();
    let trace = std::env::var_os("SEARCH_TRACE").is_some();
    let text = text_hits(conn, expressions).map_err(bad_expression)?;
    if trace { eprintln!("text hits {} {:?}", text.len(), t0.elapsed()); }
    let titles = title_hits(conn, expressions).map_err(bad_expression)?;
    if trace { eprintln!("titles {} {:?}", titles.hits.len(), t0.elapsed()); }
    let limit = search.limit as usize;
    if limit == 0 {
        return Ok((Vec::new(), titles));
    }

    // Which text hits the title raises: those among the messages of the titled
    // conversations (an index holds `messages.conversation_id`, no row is read).
    let mut raised: HashMap<i64, usize> = HashMap::new();
    if !text.is_empty() && !titles.hits.is_empty() {
        let mut messages =
            conn.prepare_cached("SELECT id FROM messages WHERE conversation_id = ?")?;
        for (at, title) in titles.hits.iter().enumerate() {
            let ids = messages.query_map([&title.conversation_id], |row| row.get::<_, i64>(0))?;
            for id in ids {
                raised.insert(id?, at);
            }
        }
    }
    if trace { eprintln!("raised {} {:?}", raised.len(), t0.elapsed()); }
    let text = text.into_iter().map(|hit| {
        let title = raised.get(&hit.id).copied();
        let title_score = title.map_or(0.0, |at| titles.hits[at].score);
        Scored {
            score: hit.score + TITLE_WEIGHT * title_score,
            candidate: Candidate::Text { hit, title },
        }
    });
    let title_only = titles.hits.iter().enumerate().map(|(at, title)| Scored {
        score: 0.0 + TITLE_WEIGHT * title.score,
        candidate: Candidate::Title(at),
    });
    let mut queue: BinaryHeap<Reverse<Scored>> = text.chain(title_only).map(Reverse).collect();

    let filters = search.filters.message_conditions();
    let mut first = filters.clone();
    first.clauses.push("m.has_message = 1 AND m.text != ''".into());
    let mut title_has_hit = vec![false; titles.hits.len()];
    let mut found: Vec<(f64, Ranked)> = Vec::new();
    let mut size = first_batch.max(1);
    'batches: while !queue.is_empty() {
        let batch: Vec<Scored> =
            std::iter::from_fn(|| queue.pop()).take(size).map(|Reverse(next)| next).collect();
        size = size.saturating_mul(4);
        let ids: Vec<i64> = batch
            .iter()
            .filter_map(|next| match next.candidate {
                Candidate::Text { hit, .. } => Some(hit.id),
                Candidate::Title(_) => None,
            })
            .collect();
        let n = ids.len();
        let passing = passing(conn, &filters, ids)?;
        if trace { eprintln!("batch {} {n} pass {} {:?}", batch.len(), passing.len(), t0.elapsed()); }
        for next in batch {
            if found.len() >= limit && next.score > found[limit - 1].0 {
                break 'batches;
            }
            match next.candidate {
                Candidate::Text { hit, title } => {
                    if passing.contains(&hit.id) {
                        if let Some(at) = title {
                            title_has_hit[at] = true;
                        }
                        let ranked =
                            Ranked { message_id: hit.id, trigram: hit.trigram, text_matched: true };
                        found.push((next.score, ranked));
                    }
                }
                Candidate::Title(at) => {
                    if title_has_hit[at] {
                        continue;
                    }
                    let conversation_id = &titles.hits[at].conversation_id;
                    if let Some(id) = first_message(conn, &first, conversation_id)? {
                        let ranked = Ranked { message_id: id, trigram: false, text_matched: false };
                        found.push((next.score, ranked));
                    }
                }
            }
        }
    }
    if trace { eprintln!("done {:?}", t0.elapsed()); }
    found.sort_by(|(a, x), (b, y)| a.total_cmp(b).then(x.message_id.cmp(&y.message_id)));
    found.truncate(limit);
    Ok((found.into_iter().map(|(_, ranked)| ranked).collect(), titles))
}

/// Every message whose text matches, with its BM25 score; a message found in both the word
/// and the trigram index keeps the better score.
fn text_hits(conn: &Connection, expressions: &Expressions) -> rusqlite::Result<Vec<TextHit>> {
    let mut hits = Vec::new();
    scan(conn, "messages_fts", &expressions.words, |id, score| {
        hits.push(TextHit { id, score, trigram: false });
    })?;
    if let Some(substrings) = &expressions.substrings {
        let mut at: HashMap<i64, usize> = hits.iter().enumerate().map(|(i, h)| (h.id, i)).collect();
        scan(conn, "messages_trigram", substrings, |id, score| match at.get(&id) {
            Some(&i) => {
                if score < hits[i].score {
                    hits[i] = TextHit { id, score, trigram: true };
                }
            }
            None => {
                at.insert(id, hits.len());
                hits.push(TextHit { id, score, trigram: true });
            }
        })?;
    }
    Ok(hits)
}

/// Every conversation whose title matches, with its BM25 score.
fn title_hits(conn: &Connection, expressions: &Expressions) -> rusqlite::Result<Titles> {
    let mut titles = Titles::default();
    let mut lookups = vec![("conversations_fts", &expressions.words, false)];
    if let Some(substrings) = &expressions.substrings {
        lookups.push(("conversations_trigram", substrings, true));
    }
    for (table, expression, trigram) in lookups {
        let sql = format!(
            "SELECT rowid, conversation_id, bm25({table}) FROM {table} WHERE {table} MATCH ?"
        );
        let mut stmt = conn.prepare(&sql)?;
        let mut rows = stmt.query([expression])?;
        while let Some(row) = rows.next()? {
            if let Some(conversation_id) = row.get::<_, Option<String>>(1)? {
                titles.add(conversation_id, row.get(0)?, row.get(2)?, trigram);
            }
        }
    }
    Ok(titles)
}

/// The rowids and BM25 scores of the rows of `table` that match, in rowid order. Reads the
/// index only, not the messages.
fn scan(
    conn: &Connection,
    table: &str,
    expression: &str,
    mut each: impl FnMut(i64, f64),
) -> rusqlite::Result<()> {
    let sql = format!("SELECT rowid, bm25({table}) FROM {table} WHERE {table} MATCH ?");
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query([expression])?;
    while let Some(row) = rows.next()? {
        each(row.get(0)?, row.get(1)?);
    }
    Ok(())
}

/// The messages among `ids` that pass the filters, read in rowid order by one query.
fn passing(
    conn: &Connection,
    filters: &Conditions,
    mut ids: Vec<i64>,
) -> rusqlite::Result<HashSet<i64>> {
    if ids.is_empty() {
        return Ok(HashSet::new());
    }
    ids.sort_unstable();
    let list: Vec<String> = ids.iter().map(i64::to_string).collect();
    let mut clauses = vec!["m.id IN (SELECT value FROM json_each(?))"];
    clauses.extend(filters.clauses.iter().map(String::as_str));
    let sql = format!(
        "SELECT m.id FROM messages AS m JOIN conversations AS c ON c.id = m.conversation_id
         WHERE {}",
        clauses.join(" AND ")
    );
    let list = SqlValue::Text(format!("[{}]", list.join(",")));
    let params = [list].into_iter().chain(filters.params.iter().cloned());
    let mut stmt = conn.prepare_cached(&sql)?;
    let passing = stmt.query_map(params_from_iter(params), |row| row.get(0))?;
    passing.collect()
}

/// The message that reports a hit on the title of conversation `conversation_id`: its first
/// message (by depth, then position) that passes `first` (the filters plus "has text").
fn first_message(
    conn: &Connection,
    first: &Conditions,
    conversation_id: &str,
) -> rusqlite::Result<Option<i64>> {
    let sql = format!(
        "SELECT m.id FROM messages AS m JOIN conversations AS c ON c.id = m.conversation_id
         WHERE m.conversation_id = ? AND {}
         ORDER BY m.depth, m.position LIMIT 1",
        first.clauses.join(" AND ")
    );
    let params = [SqlValue::Text(conversation_id.to_string())]
        .into_iter()
        .chain(first.params.iter().cloned());
    conn.prepare_cached(&sql)?.query_row(params_from_iter(params), |row| row.get(0)).optional()
}

/// Reads what is shown of a ranked hit: its message, snippet and title.
fn describe(
    conn: &Connection,
    expressions: &Expressions,
    titles: &Titles,
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
        && let Some(title) = titles.get(&hit.conversation_id)
        && let Some(marked) = title_matches(conn, expressions, title)?
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
    title: &TitleHit,
) -> rusqlite::Result<Option<Marked>> {
    let mut lookups = vec![("conversations_fts", &expressions.words, title.word_row)];
    if let Some(substrings) = &expressions.substrings {
        lookups.push(("conversations_trigram", substrings, title.trigram_row));
    }
    for (table, expression, row) in lookups {
        let Some(row) = row else { continue };
        let sql = format!(
            "SELECT highlight({table}, 0, char(2), char(3)) FROM {table}
             WHERE {table} MATCH ? AND rowid = ?"
        );
        let found: Option<String> =
            conn.prepare_cached(&sql)?.query_row((expression, row), |row| row.get(0)).optional()?;
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

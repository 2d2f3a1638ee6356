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
//! `2 × limit + 16` candidates, each next one at least four times as many and enough for
//! the hits still missing at the rate the filters let rows through so far, so that filters
//! that let few messages through cost a few passes over at most all the matches.

use std::cmp::{Ordering, Reverse};
use std::collections::{BinaryHeap, HashMap, HashSet};
use std::ops::Range;

use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, ErrorCode, params_from_iter};

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
    let (ranked, titles) = rank(conn, search, &expressions, Batches::for_limit(search.limit))?;
    let mut describe = Describe::new(conn, &expressions, &titles);
    ranked.into_iter().map(|ranked| describe.hit(ranked)).collect()
}

/// How the candidates are examined in batches.
#[derive(Debug, Clone, Copy)]
struct Batches {
    /// How many rows the first batch reads.
    first: usize,
    /// The batch size from which the candidates are narrowed to the messages of the
    /// conversations that the filters let through.
    narrow_from: usize,
}

impl Batches {
    /// The first batch holds enough candidates for `limit` hits when the filters let most
    /// messages through (as the default ones do), with some to spare.
    fn for_limit(limit: u32) -> Self {
        Self { first: 2 * limit as usize + 16, narrow_from: 4096 }
    }
}

/// The most conversations whose messages the candidates are narrowed to.
const NARROW_CONVERSATIONS: usize = 2000;

/// The messages of the conversations that pass `of_conversation` (conditions on the
/// conversation alone), when at most [`NARROW_CONVERSATIONS`] do. Reads the conversations
/// (only an index of their ids for `--conversation`) and an index of the messages.
fn messages_of_passing(
    conn: &Connection,
    of_conversation: &Conditions,
) -> rusqlite::Result<Option<HashSet<i64>>> {
    let sql = format!(
        "SELECT c.id FROM conversations AS c {} LIMIT {}",
        of_conversation.where_sql(),
        NARROW_CONVERSATIONS + 1
    );
    let mut stmt = conn.prepare(&sql)?;
    let ids = stmt.query_map(params_from_iter(&of_conversation.params), |row| row.get(0))?;
    let conversations: Vec<String> = ids.collect::<rusqlite::Result<_>>()?;
    if conversations.len() > NARROW_CONVERSATIONS {
        return Ok(None);
    }
    let mut messages = HashSet::new();
    let mut stmt = conn.prepare_cached("SELECT id FROM messages WHERE conversation_id = ?")?;
    for conversation_id in &conversations {
        for id in stmt.query_map([conversation_id], |row| row.get(0))? {
            messages.insert(id?);
        }
    }
    Ok(Some(messages))
}

/// How many rows the next batch reads: four times as many as the last one, or enough for
/// the hits still missing at the rate the filters let rows through so far, twice over
/// (all of the remaining candidates, in one pass, when hardly any row got through).
fn next_batch(last: usize, limit: usize, read: usize, passed: usize) -> usize {
    let missing = limit.saturating_sub(passed).max(1);
    let needed = missing.saturating_mul(read) / passed.max(1);
    last.saturating_mul(4).max(needed.saturating_mul(2))
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
    batches: Batches,
) -> Result<(Vec<Ranked>, Titles), SearchError> {
    let bad_expression = |error: rusqlite::Error| match search.syntax {
        Syntax::Fts => match query_error(&error) {
            Some(reason) => SearchError::BadExpression { expression: search.text.clone(), reason },
            None => SearchError::Sql(error),
        },
        Syntax::Plain => SearchError::Sql(error),
    };
    let text = text_hits(conn, expressions).map_err(bad_expression)?;
    let titles = title_hits(conn, expressions).map_err(bad_expression)?;
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
    if queue.is_empty() {
        return Ok((Vec::new(), titles));
    }

    let filters = search.filters.message_conditions();
    let mut passing = Lookup::new(conn, &passing_sql(&filters), &filters)?;
    let mut first = filters.clone();
    first.clauses.push("m.has_message = 1 AND m.text != ''".into());
    let mut first_message = Lookup::new(conn, &first_message_sql(&first), &first)?;
    // The filters on the conversation alone are checked once per titled conversation, so
    // that the messages of a titled conversation the filters exclude are never read.
    let of_conversation = conversation_conditions(&search.filters);
    let mut conversation = (!of_conversation.clauses.is_empty())
        .then(|| {
            let sql = format!(
                "SELECT 1 FROM conversations AS c WHERE c.id = ? AND {}",
                of_conversation.clauses.join(" AND ")
            );
            Lookup::new(conn, &sql, &of_conversation)
        })
        .transpose()?;
    // Once the batches grow large, the candidates are narrowed to the messages of the
    // conversations that pass those filters, when there are few (`--conversation`, say).
    let mut narrowed: Option<Option<HashSet<i64>>> = None;
    let mut title_passes: Vec<Option<bool>> = vec![None; titles.hits.len()];
    let mut title_has_hit = vec![false; titles.hits.len()];
    let mut found: Vec<(f64, Ranked)> = Vec::new();
    let mut size = batches.first.max(1);
    let (mut read, mut passed_so_far) = (0, 0);
    'batches: while !queue.is_empty() {
        if narrowed.is_none() && conversation.is_some() && size >= batches.narrow_from {
            narrowed = Some(messages_of_passing(conn, &of_conversation)?);
        }
        let narrowed = narrowed.as_ref().and_then(Option::as_ref);
        // The next candidates, up to `size` of them whose row has to be read.
        let mut batch = Vec::new();
        let mut ids = Vec::new();
        while ids.len() < size
            && let Some(Reverse(next)) = queue.pop()
        {
            let (id, title) = match next.candidate {
                Candidate::Text { hit, title } => (Some(hit.id), title),
                Candidate::Title(at) => (None, Some(at)),
            };
            if let Some(at) = title
                && let Some(conversation) = conversation.as_mut()
                && title_passes[at].is_none()
            {
                let conversation_id = &titles.hits[at].conversation_id;
                title_passes[at] = Some(conversation.row::<i64>(conversation_id)?.is_some());
            }
            if let Some(id) = id
                && title.is_none_or(|at| title_passes[at] != Some(false))
                && narrowed.is_none_or(|messages| messages.contains(&id))
            {
                ids.push(id);
            }
            batch.push(next);
        }
        ids.sort_unstable();
        let list: Vec<String> = ids.iter().map(i64::to_string).collect();
        let list = format!("[{}]", list.join(","));
        let mut passed = HashSet::new();
        if !ids.is_empty() {
            passing.rows(&list, |id: i64| {
                passed.insert(id);
            })?;
        }
        read += ids.len();
        passed_so_far += passed.len();
        size = next_batch(size, limit, read, passed_so_far);
        for next in batch {
            if found.len() >= limit && next.score > found[limit - 1].0 {
                break 'batches;
            }
            match next.candidate {
                Candidate::Text { hit, title } => {
                    if passed.contains(&hit.id) {
                        if let Some(at) = title {
                            title_has_hit[at] = true;
                        }
                        let ranked =
                            Ranked { message_id: hit.id, trigram: hit.trigram, text_matched: true };
                        found.push((next.score, ranked));
                    }
                }
                Candidate::Title(at) => {
                    if title_has_hit[at] || title_passes[at] == Some(false) {
                        continue;
                    }
                    let conversation_id = &titles.hits[at].conversation_id;
                    if let Some(id) = first_message.row(conversation_id)? {
                        let ranked = Ranked { message_id: id, trigram: false, text_matched: false };
                        found.push((next.score, ranked));
                    }
                }
            }
        }
    }
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

/// The messages of a JSON array of ids (sorted, each once: read in that order) that pass
/// the filters.
fn passing_sql(filters: &Conditions) -> String {
    format!(
        "SELECT m.id FROM json_each(?) AS ids
         CROSS JOIN messages AS m ON m.id = ids.value
         JOIN conversations AS c ON c.id = m.conversation_id
         {}",
        filters.where_sql()
    )
}

/// The message that reports a hit on the title of a conversation: its first message (by
/// depth, then position) that passes `first` (the filters plus "has text").
fn first_message_sql(first: &Conditions) -> String {
    format!(
        "SELECT m.id FROM messages AS m JOIN conversations AS c ON c.id = m.conversation_id
         WHERE m.conversation_id = ? AND {}
         ORDER BY m.depth, m.position LIMIT 1",
        first.clauses.join(" AND ")
    )
}

/// The part of [`Filters::message_conditions`] that concerns the conversation alone (alias
/// `c`); the rest concerns the message. Every field is named, so that a new filter has to
/// say which side it is on.
fn conversation_conditions(filters: &Filters) -> Conditions {
    let Filters {
        since: _,
        until: _,
        models: _,
        roles: _,
        conversations,
        title,
        project,
        content_types: _,
        all_branches: _,
        include_hidden: _,
        missing,
    } = filters;
    let conversation_only = Filters {
        conversations: conversations.clone(),
        title: title.clone(),
        project: project.clone(),
        missing: *missing,
        ..Filters::default()
    };
    conversation_only.conversation_conditions()
}

/// A statement run again and again with a different first parameter (the key) and the
/// same others, which are bound once. SQLite prepares a statement anew whenever a parameter
/// that guided its plan is bound again, and both FTS5 (its match expression) and the LIKE
/// of `--title` do guide it: binding them once keeps the prepared statement.
struct Lookup<'c> {
    stmt: rusqlite::Statement<'c>,
}

impl<'c> Lookup<'c> {
    /// `sql` has the key's placeholder first, then those of `rest`.
    fn new(conn: &'c Connection, sql: &str, rest: &Conditions) -> rusqlite::Result<Self> {
        Self::with(conn, sql, rest.params.iter())
    }

    fn with<'v>(
        conn: &'c Connection,
        sql: &str,
        rest: impl IntoIterator<Item = &'v SqlValue>,
    ) -> rusqlite::Result<Self> {
        let mut stmt = conn.prepare(sql)?;
        for (at, value) in rest.into_iter().enumerate() {
            stmt.raw_bind_parameter(at + 2, value)?;
        }
        Ok(Self { stmt })
    }

    /// The first column of each row found for `key`.
    fn rows<T: rusqlite::types::FromSql>(
        &mut self,
        key: impl rusqlite::ToSql,
        mut each: impl FnMut(T),
    ) -> rusqlite::Result<()> {
        self.stmt.raw_bind_parameter(1, key)?;
        let mut rows = self.stmt.raw_query();
        while let Some(row) = rows.next()? {
            each(row.get(0)?);
        }
        Ok(())
    }

    /// The first column of the first row found for `key`.
    fn row<T: rusqlite::types::FromSql>(
        &mut self,
        key: impl rusqlite::ToSql,
    ) -> rusqlite::Result<Option<T>> {
        self.stmt.raw_bind_parameter(1, key)?;
        let mut rows = self.stmt.raw_query();
        rows.next()?.map(|row| row.get(0)).transpose()
    }
}

/// Reads what is shown of the ranked hits: message, snippet and title.
struct Describe<'c> {
    conn: &'c Connection,
    expressions: &'c Expressions,
    titles: &'c Titles,
    /// `snippet()` of one message and `highlight()` of one title, by index, once used.
    marks: HashMap<&'static str, Lookup<'c>>,
}

impl<'c> Describe<'c> {
    fn new(conn: &'c Connection, expressions: &'c Expressions, titles: &'c Titles) -> Self {
        Self { conn, expressions, titles, marks: HashMap::new() }
    }

    fn hit(&mut self, ranked: Ranked) -> Result<Hit, SearchError> {
        let mut stmt = self.conn.prepare_cached(
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
        hit.snippet = if ranked.text_matched { self.snippet(&ranked)? } else { opening(&text) };
        if hit.title.is_some()
            && let Some(title) = self.titles.get(&hit.conversation_id)
            && let Some(marked) = self.title_matches(title)?
        {
            hit.title = Some(marked);
        }
        Ok(hit)
    }

    fn snippet(&mut self, ranked: &Ranked) -> rusqlite::Result<Marked> {
        let expressions = self.expressions;
        let (table, expression, tokens) = match (&expressions.substrings, ranked.trigram) {
            (Some(substrings), true) => ("messages_trigram", substrings, TRIGRAM_SNIPPET_TOKENS),
            _ => ("messages_fts", &expressions.words, SNIPPET_TOKENS),
        };
        let call = format!("snippet({table}, 0, char(2), char(3), '…', {tokens})");
        let marked: Option<String> =
            self.marks(table, &call, expression)?.row(ranked.message_id)?;
        marked.map(|marked| parse_marks(&marked)).ok_or(rusqlite::Error::QueryReturnedNoRows)
    }

    /// The title with its matches, or `None` when the title did not match.
    fn title_matches(&mut self, title: &TitleHit) -> rusqlite::Result<Option<Marked>> {
        let expressions = self.expressions;
        let mut lookups = vec![("conversations_fts", &expressions.words, title.word_row)];
        if let Some(substrings) = &expressions.substrings {
            lookups.push(("conversations_trigram", substrings, title.trigram_row));
        }
        for (table, expression, row) in lookups {
            let Some(row) = row else { continue };
            let call = format!("highlight({table}, 0, char(2), char(3))");
            let found: Option<String> = self.marks(table, &call, expression)?.row(row)?;
            if let Some(marked) = found {
                return Ok(Some(parse_marks(&marked)));
            }
        }
        Ok(None)
    }

    /// The lookup of `call` on one row of `table` that `expression` matches.
    fn marks(
        &mut self,
        table: &'static str,
        call: &str,
        expression: &str,
    ) -> rusqlite::Result<&mut Lookup<'c>> {
        if !self.marks.contains_key(table) {
            let sql = format!("SELECT {call} FROM {table} WHERE rowid = ? AND {table} MATCH ?");
            let expression = SqlValue::Text(expression.to_string());
            self.marks.insert(table, Lookup::with(self.conn, &sql, [&expression])?);
        }
        Ok(self.marks.get_mut(table).expect("inserted above"))
    }
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

    /// The ranking as one SQL query, as this module ran it before it examined candidates
    /// best first: every match joined to its message and conversation, then sorted. Kept
    /// as the reference that [`rank`] must agree with.
    mod reference {
        use super::*;

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
                    SELECT rowid, bm25(messages_fts), 0 FROM messages_fts
                    WHERE messages_fts MATCH ?
                    {text_trigram}
                ),
                title_hits (conversation_id, score) AS MATERIALIZED (
                    SELECT conversation_id, bm25(conversations_fts)
                    FROM conversations_fts WHERE conversations_fts MATCH ?
                    {title_trigram}
                ),
                titles AS (
                    SELECT conversation_id, min(score) AS score FROM title_hits
                    GROUP BY conversation_id
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

        pub fn rank(conn: &Connection, search: &Search, expressions: &Expressions) -> Vec<Ranked> {
            let filters = search.filters.message_conditions();
            let mut first = filters.clone();
            first.clauses.push("m.has_message = 1 AND m.text != ''".into());
            let sql = ranking_sql(expressions.substrings.is_some(), &filters, &first);
            let mut one = vec![SqlValue::Text(expressions.words.clone())];
            one.extend(expressions.substrings.iter().map(|s| SqlValue::Text(s.clone())));
            let mut params = [one.clone(), one].concat();
            params.extend(filters.params);
            params.extend(first.params);
            params.push(SqlValue::Integer(search.limit.into()));
            let mut stmt = conn.prepare(&sql).unwrap();
            let rows = stmt.query_map(params_from_iter(params), |row| {
                let trigram: Option<bool> = row.get(1)?;
                Ok(Ranked {
                    message_id: row.get(0)?,
                    trigram: trigram == Some(true),
                    text_matched: trigram.is_some(),
                })
            });
            rows.and_then(Iterator::collect).unwrap()
        }
    }

    /// A small deterministic generator (xorshift), so that a failure can be replayed.
    struct Dice(u64);

    impl Dice {
        fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % n as u64) as usize
        }

        fn pick<'a, T: ?Sized>(&mut self, items: &[&'a T]) -> &'a T {
            items[self.below(items.len())]
        }

        fn chance(&mut self, percent: usize) -> bool {
            self.below(100) < percent
        }
    }

    const WORDS: &[&str] = &[
        "soup",
        "tomato",
        "tomatoes",
        "bread",
        "lentil",
        "garlic",
        "oven",
        "café",
        "cafe",
        "東京タワー",
        "博物馆",
        "北京博物馆",
        "the",
        "a",
    ];

    /// An archive of `conversations` conversations with short texts drawn from a small
    /// vocabulary, so that words repeat, texts recur (equal scores) and titles match often.
    fn archive(dir: &std::path::Path, dice: &mut Dice, conversations: usize) -> Connection {
        let path = dir.join(format!("archive-{}.db", dice.0));
        drop(crate::store::Archive::open(&path).unwrap());
        let conn = Connection::open(&path).unwrap();
        let text = |dice: &mut Dice, most: usize| {
            let words: Vec<&str> = (0..dice.below(most) + 1).map(|_| dice.pick(WORDS)).collect();
            words.join(" ")
        };
        let day = |dice: &mut Dice| format!("2024-01-{:02}T00:00:00.000000Z", dice.below(9) + 1);
        for c in 0..conversations {
            let id = format!("c{c}");
            let title = (!dice.chance(10)).then(|| text(dice, 3));
            let project = dice.chance(20).then_some("g-p-1");
            conn.execute(
                "INSERT INTO conversations (id, title, created_at, model, project_id, has_mapping,
                     node_count, message_count, in_latest_export, raw)
                 VALUES (?, ?, ?, ?, ?, 1, 0, 0, ?, '{}')",
                rusqlite::params![
                    id,
                    title,
                    day(dice),
                    dice.pick(&["gpt-4", "gpt-4o"]),
                    project,
                    !dice.chance(10)
                ],
            )
            .unwrap();
            for n in 0..dice.below(8) + 1 {
                let text = if dice.chance(10) { String::new() } else { text(dice, 6) };
                let role = dice.pick(&["user", "assistant", "assistant", "tool", "system", ""]);
                let model = (role == "assistant").then(|| dice.pick(&["gpt-4", "gpt-4o"]));
                conn.execute(
                    "INSERT INTO messages (conversation_id, node_id, position, depth, role,
                         content_type, model, created_at, hidden, is_custom_instructions,
                         on_current_thread, text, has_cjk, has_message, node_raw,
                         in_latest_export)
                     VALUES (?, ?, ?, ?, nullif(?, ''), ?, ?, ?, ?, 0, ?, ?, ?, ?, '{}', 1)",
                    rusqlite::params![
                        id,
                        format!("n{n}"),
                        dice.below(3) as i64,
                        dice.below(4) as i64,
                        role,
                        dice.pick(&["text", "code"]),
                        model,
                        day(dice),
                        dice.chance(10),
                        !dice.chance(15),
                        text,
                        text.chars().any(is_cjk),
                        !dice.chance(5),
                    ],
                )
                .unwrap();
            }
        }
        conn
    }

    fn filters(dice: &mut Dice) -> Filters {
        let mut filters = Filters::default();
        if dice.chance(20) {
            filters.since = Some(format!("2024-01-0{}T00:00:00.000000Z", dice.below(5) + 1));
        }
        if dice.chance(20) {
            filters.until = Some(format!("2024-01-0{}T00:00:00.000000Z", dice.below(5) + 5));
        }
        if dice.chance(15) {
            filters.models = vec![dice.pick(&["gpt-4", "gpt-4o"]).into()];
        }
        if dice.chance(20) {
            filters.roles = vec![dice.pick(&["user", "assistant", "system"]).into()];
        }
        if dice.chance(15) {
            filters.conversations = vec![format!("c{}", dice.below(12))];
        }
        if dice.chance(15) {
            filters.title = Some(dice.pick(&["soup", "to", "東京", "e"]).into());
        }
        if dice.chance(10) {
            filters.project = Some("g-p-1".into());
        }
        if dice.chance(10) {
            filters.content_types = vec!["code".into()];
        }
        filters.all_branches = dice.chance(25);
        filters.include_hidden = dice.chance(25);
        filters.missing = dice.chance(5);
        filters
    }

    #[test]
    fn ranking_agrees_with_the_single_query_it_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let mut dice = Dice(0x5eed_cafe);
        let queries: &[(&str, Syntax)] = &[
            ("soup", Syntax::Plain),
            ("tomatoes", Syntax::Plain),
            ("tomato bread", Syntax::Plain),
            ("the", Syntax::Plain),
            ("cafe", Syntax::Plain),
            ("garlic oven", Syntax::Plain),
            ("京タワ", Syntax::Plain),
            ("博物馆", Syntax::Plain),
            ("北京 soup", Syntax::Plain),
            ("soup OR bread", Syntax::Fts),
            ("tom*", Syntax::Fts),
            ("the NOT soup", Syntax::Fts),
            ("NEAR(soup bread, 2)", Syntax::Fts),
        ];
        let mut compared = 0;
        let mut found = 0;
        for size in [3, 12, 40] {
            let conn = archive(dir.path(), &mut dice, size);
            for _ in 0..150 {
                let (text, syntax) = queries[dice.below(queries.len())];
                let search = Search {
                    text: text.into(),
                    syntax,
                    filters: filters(&mut dice),
                    limit: [1, 2, 3, 5, 8, 100][dice.below(6)],
                };
                let expressions = Expressions::of(&search).unwrap();
                let expected = reference::rank(&conn, &search, &expressions);
                let usual = Batches::for_limit(search.limit);
                for batches in [
                    usual,
                    Batches { first: 1, ..usual },
                    Batches { first: 2, narrow_from: 1 },
                    Batches { first: 3, narrow_from: 16 },
                ] {
                    let (ranked, _) = rank(&conn, &search, &expressions, batches).unwrap();
                    assert_eq!(ranked, expected, "{search:?}, {batches:?}");
                }
                compared += 1;
                found += expected.len();
            }
        }
        assert!(found > compared * 2, "the searches find something: {found} hits");
    }

    #[test]
    fn the_conversation_filters_are_those_of_the_message_conditions() {
        let filters = Filters {
            since: Some("2024-01-01T00:00:00.000000Z".into()),
            until: Some("2024-02-01T00:00:00.000000Z".into()),
            models: vec!["gpt-4o".into()],
            roles: vec!["user".into()],
            conversations: vec!["c1".into(), "c2".into()],
            title: Some("soup".into()),
            project: Some("g-p-1".into()),
            content_types: vec!["code".into()],
            all_branches: false,
            include_hidden: false,
            missing: true,
        };
        let all = filters.message_conditions();
        let part = conversation_conditions(&filters);
        assert_eq!(part.clauses.len(), 4);
        assert_eq!(part.clauses[..], all.clauses[..part.clauses.len()]);
        assert_eq!(part.params[..], all.params[..part.params.len()]);
        for clause in &all.clauses[part.clauses.len()..] {
            assert!(!clause.contains("c."), "{clause} is about the message");
        }
    }

    #[test]
    fn searching_keeps_to_one_snapshot_and_leaves_no_transaction_open() {
        let dir = tempfile::tempdir().unwrap();
        let conn = archive(dir.path(), &mut Dice(7), 5);
        let search = Search {
            text: "soup".into(),
            syntax: Syntax::Plain,
            filters: Filters::default(),
            limit: 5,
        };
        search_fn(&conn, &search).unwrap();
        assert!(conn.is_autocommit());
        conn.execute_batch("BEGIN").unwrap();
        search_fn(&conn, &search).unwrap();
        assert!(!conn.is_autocommit(), "a caller's transaction stays open");
        conn.execute_batch("COMMIT").unwrap();
    }

    use super::search as search_fn;
}

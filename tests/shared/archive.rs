//! Reading an archive back with plain SQL: small query helpers, full-text search and
//! table dumps to compare two archives.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags, Params};

/// An archive opened read-only.
pub struct Archive {
    conn: Connection,
}

/// Separates the cells of a dumped row; never found in rendered values (which are
/// Debug-quoted strings, numbers or hex).
const CELL_SEPARATOR: &str = "\u{1}";

/// Columns that log when something was imported, so depend on the order of imports.
const LOG_COLUMNS: [&str; 1] = ["first_imported_at"];

/// Every row of every table, each row rendered as text and the rows sorted.
pub type Dump = BTreeMap<String, Vec<String>>;

impl Archive {
    /// Opens the archive at `path` read-only; panics when it cannot.
    pub fn open(path: &Path) -> Self {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags)
            .unwrap_or_else(|e| panic!("cannot open archive {}: {e}", path.display()));
        Self { conn }
    }

    /// The archive file.
    pub fn path(&self) -> std::path::PathBuf {
        self.conn.path().map(std::path::PathBuf::from).unwrap_or_default()
    }

    /// The single integer `sql` returns.
    pub fn int(&self, sql: &str, params: impl Params) -> i64 {
        self.conn.query_row(sql, params, |row| row.get(0)).unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    /// The rows of `sql`, each mapped by `f`.
    pub fn rows<T>(
        &self,
        sql: &str,
        params: impl Params,
        f: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> Vec<T> {
        let mut statement = self.conn.prepare(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
        let rows = statement.query_map(params, f).unwrap_or_else(|e| panic!("{sql}: {e}"));
        rows.collect::<Result<_, _>>().unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    /// The first column of every row of `sql`, which may be NULL.
    pub fn column(&self, sql: &str, params: impl Params) -> Vec<Option<String>> {
        self.rows(sql, params, |row| row.get(0))
    }

    /// The first column of every row of `sql`, NULLs dropped.
    pub fn strings(&self, sql: &str, params: impl Params) -> Vec<String> {
        self.column(sql, params).into_iter().flatten().collect()
    }

    /// The first row's first column of `sql`, `None` when no row or NULL.
    pub fn opt_string(&self, sql: &str, params: impl Params) -> Option<String> {
        self.column(sql, params).into_iter().next().flatten()
    }

    /// Two text columns per row, as a sorted map (NULL as "NULL").
    pub fn text_map(&self, sql: &str, params: impl Params) -> BTreeMap<String, String> {
        let pair = |row: &rusqlite::Row<'_>| {
            let key: Option<String> = row.get(0)?;
            let value: Option<String> = row.get(1)?;
            Ok((key.unwrap_or("NULL".into()), value.unwrap_or("NULL".into())))
        };
        self.rows(sql, params, pair).into_iter().collect()
    }

    /// `(conversation_id, node_id)` of the messages whose text holds `phrase`.
    ///
    /// The facts find phrases by substring, so the phrase's last token is searched as a
    /// prefix (`"raised accessible bed"*` must find "raised accessible beds"). FTS5 with
    /// the unicode61 tokenizer keeps only letters and digits in tokens, so a phrase
    /// without any (an emoji) cannot be matched; those fall back to a substring search of
    /// `messages.text`.
    pub fn search(&self, phrase: &str) -> BTreeSet<(String, String)> {
        let pair = |row: &rusqlite::Row<'_>| Ok((row.get(0)?, row.get(1)?));
        if !phrase.chars().any(char::is_alphanumeric) {
            let sql = "SELECT conversation_id, node_id FROM messages WHERE instr(text, ?1) > 0";
            return self.rows(sql, [phrase], pair).into_iter().collect();
        }
        let query = format!("\"{}\"*", phrase.replace('"', "\"\""));
        let sql = "SELECT m.conversation_id, m.node_id FROM messages_fts \
                   JOIN messages m ON m.id = messages_fts.rowid \
                   WHERE messages_fts MATCH ?1";
        self.rows(sql, [query], pair).into_iter().collect()
    }

    /// Every ordinary table's rows (FTS shadow tables included), for "unchanged" checks.
    pub fn dump_all(&self) -> Dump {
        let sql = "SELECT name FROM sqlite_master WHERE type = 'table' \
                   AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name";
        let mut dump = Dump::new();
        for table in self.strings(sql, []) {
            let rows = self.dump_table(&table, false);
            dump.insert(table, rows);
        }
        let schema = "SELECT type || ' ' || name || ': ' || coalesce(sql, '') FROM sqlite_master";
        dump.insert("(schema)".into(), sorted(self.strings(schema, [])));
        dump
    }

    /// The rows of `tables` keyed by their natural keys: `INTEGER PRIMARY KEY` columns
    /// (surrogate ids, which depend on import order) and [`LOG_COLUMNS`] are left out.
    pub fn dump_natural(&self, tables: &[&str]) -> Dump {
        let dump = |t: &&str| (t.to_string(), self.dump_table(t, true));
        tables.iter().map(dump).collect()
    }

    /// Every row of `table` as `col=value` cells, sorted; optionally without surrogate ids.
    pub fn dump_table(&self, table: &str, natural: bool) -> Vec<String> {
        let columns = self.columns(table, natural);
        let list: Vec<String> = columns.iter().map(|c| format!("\"{c}\"")).collect();
        let sql = format!("SELECT {} FROM \"{table}\"", list.join(", "));
        let render = |row: &rusqlite::Row<'_>| {
            let cells = (0..columns.len()).map(|i| {
                let value = render_value(row.get_ref(i)?);
                Ok(format!("{}={value}", columns[i]))
            });
            Ok(cells.collect::<rusqlite::Result<Vec<_>>>()?.join(CELL_SEPARATOR))
        };
        sorted(self.rows(&sql, [], render))
    }

    /// The columns of `table`; when `natural`, without the `INTEGER PRIMARY KEY` one and
    /// [`LOG_COLUMNS`].
    fn columns(&self, table: &str, natural: bool) -> Vec<String> {
        let sql = format!("SELECT name, type, pk FROM pragma_table_info('{table}')");
        let info = self.rows(&sql, [], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?, row.get::<_, i64>(2)?))
        });
        let surrogate =
            |(_, ty, pk): &(String, String, i64)| *pk == 1 && ty.eq_ignore_ascii_case("INTEGER");
        let skipped = |c: &(String, String, i64)| {
            natural && (surrogate(c) || LOG_COLUMNS.contains(&c.0.as_str()))
        };
        info.into_iter().filter(|c| !skipped(c)).map(|(name, _, _)| name).collect()
    }
}

fn render_value(value: ValueRef<'_>) -> String {
    match value {
        ValueRef::Null => "NULL".into(),
        ValueRef::Integer(i) => i.to_string(),
        ValueRef::Real(f) => format!("{f:?}"),
        ValueRef::Text(t) => match std::str::from_utf8(t) {
            Ok(text) => format!("{text:?}"),
            Err(_) => format!("INVALID-UTF8:{}", hex::encode(t)),
        },
        ValueRef::Blob(b) => format!("x'{}'", hex::encode(b)),
    }
}

fn sorted(mut rows: Vec<String>) -> Vec<String> {
    rows.sort();
    rows
}

/// Where two dumps differ: per table, the row counts and, for a few rows only on one
/// side, the columns that differ from the most similar row on the other side.
pub fn dump_differences(before: &Dump, after: &Dump) -> Vec<String> {
    let tables: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    let empty = Vec::new();
    let mut differences = Vec::new();
    for table in tables {
        let old = before.get(table).unwrap_or(&empty);
        let new = after.get(table).unwrap_or(&empty);
        if old != new {
            differences.push(table_difference(table, old, new));
        }
    }
    differences
}

fn table_difference(table: &str, old: &[String], new: &[String]) -> String {
    let only = |a: &[String], b: &[String]| -> Vec<Vec<String>> {
        let b: BTreeSet<&String> = b.iter().collect();
        a.iter().filter(|r| !b.contains(r)).map(|r| cells(r)).collect()
    };
    let (gone, added) = (only(old, new), only(new, old));
    let mut text = format!("table {table}: {} rows vs {} rows", old.len(), new.len());
    for row in gone.iter().take(3) {
        let nearest = added.iter().max_by_key(|other| shared_cells(row, other));
        match nearest {
            Some(other) => text.push_str(&format!("\n    {}", cell_changes(row, other))),
            None => text.push_str(&format!("\n    only in first: {}", clip_row(row))),
        }
    }
    if gone.is_empty() {
        for row in added.iter().take(3) {
            text.push_str(&format!("\n    only in second: {}", clip_row(row)));
        }
    }
    text
}

/// The cells of a dumped row (see [`Archive::dump_table`]).
fn cells(row: &str) -> Vec<String> {
    row.split(CELL_SEPARATOR).map(str::to_string).collect()
}

fn shared_cells(a: &[String], b: &[String]) -> usize {
    a.iter().zip(b).filter(|(x, y)| x == y).count()
}

/// The key-like first cell, then each differing cell as `first -> second`.
fn cell_changes(a: &[String], b: &[String]) -> String {
    let changed = a.iter().zip(b).filter(|(x, y)| x != y);
    let changes: Vec<String> = changed
        .map(|(x, y)| format!("{} -> {}", super::check::clip(x, 300), super::check::clip(y, 300)))
        .collect();
    let key = a.iter().take(2).cloned().collect::<Vec<_>>().join(" ");
    format!("row {key}: {}", changes.join("; "))
}

fn clip_row(row: &[String]) -> String {
    super::check::clip(&row.join(" "), 400)
}

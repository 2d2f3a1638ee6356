//! Read-only SQL: runs one statement that only reads and returns its columns and rows.
//!
//! The archive is opened read-only, so SQLite itself refuses to write it; on top of that a
//! statement is checked before it runs, so that a write is refused with a clear message
//! rather than an SQLite error halfway through. The checks, in order: the statement must
//! start with SELECT, WITH, VALUES, EXPLAIN or PRAGMA; it must be the only one; SQLite must
//! call it read-only (`sqlite3_stmt_readonly`, which catches `WITH … DELETE`); and a PRAGMA
//! must be one that reads. ATTACH is refused by the first check: SQLite calls it read-only,
//! but it can create a file.

use rusqlite::types::Value;
use rusqlite::{Connection, Statement};

/// The result of a statement: its column names and every row.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryRows {
    /// Column names, as the statement names them.
    pub columns: Vec<String>,
    /// The rows, each with one value per column.
    pub rows: Vec<Vec<Value>>,
}

/// Why a statement was not run.
#[derive(Debug, thiserror::Error)]
pub enum SqlError {
    /// Nothing but blanks and comments.
    #[error("no SQL statement given")]
    Empty,
    /// Several statements (`SELECT 1; DELETE …`).
    #[error("refusing to run more than one statement: {0}")]
    Several(String),
    /// A statement that writes, or might (a PRAGMA that sets, ATTACH).
    #[error("refusing to run a statement that writes: {0}")]
    Writes(String),
    /// A statement that is not a query (BEGIN, COMMIT, SAVEPOINT…).
    #[error("refusing to run a statement that is not a query: {0}")]
    NotAQuery(String),
    /// SQLite's own error (a typo, an unknown table).
    #[error(transparent)]
    Sqlite(rusqlite::Error),
}

/// Statements that change a database or its connections' files.
const WRITING: [&str; 12] = [
    "INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER", "VACUUM", "REINDEX",
    "ANALYZE", "ATTACH", "DETACH",
];

/// The statements that may run (each still checked by SQLite).
const QUERIES: [&str; 5] = ["SELECT", "WITH", "VALUES", "EXPLAIN", "PRAGMA"];

/// PRAGMAs that may run without an argument: each only reads.
const READING_PRAGMAS: [&str; 20] = [
    "application_id",
    "auto_vacuum",
    "collation_list",
    "compile_options",
    "data_version",
    "database_list",
    "encoding",
    "foreign_key_check",
    "foreign_keys",
    "freelist_count",
    "function_list",
    "integrity_check",
    "module_list",
    "page_count",
    "page_size",
    "pragma_list",
    "quick_check",
    "schema_version",
    "table_list",
    "user_version",
];

/// PRAGMAs whose argument names what to read rather than a value to set.
const ARGUMENT_PRAGMAS: [&str; 10] = [
    "foreign_key_check",
    "foreign_key_list",
    "index_info",
    "index_list",
    "index_xinfo",
    "integrity_check",
    "quick_check",
    "table_info",
    "table_list",
    "table_xinfo",
];

/// Runs `sql` if it is a single statement that only reads, and returns every row.
pub fn run(conn: &Connection, sql: &str) -> Result<QueryRows, SqlError> {
    let shown = sql.trim().to_string();
    let keyword = first_word(sql).ok_or(SqlError::Empty)?.to_ascii_uppercase();
    if WRITING.contains(&keyword.as_str()) {
        return Err(SqlError::Writes(shown));
    }
    if !QUERIES.contains(&keyword.as_str()) {
        return Err(SqlError::NotAQuery(shown));
    }
    let mut statement = conn.prepare(sql).map_err(|error| match error {
        rusqlite::Error::MultipleStatement => SqlError::Several(shown.clone()),
        other => SqlError::Sqlite(other),
    })?;
    if !statement.readonly() || (keyword == "PRAGMA" && !pragma_reads(sql)) {
        return Err(SqlError::Writes(shown));
    }
    collect(&mut statement).map_err(SqlError::Sqlite)
}

fn collect(statement: &mut Statement) -> rusqlite::Result<QueryRows> {
    let columns: Vec<String> = statement.column_names().map(str::to_string).collect();
    let count = columns.len();
    let mut rows = Vec::new();
    let mut cursor = statement.query([])?;
    while let Some(row) = cursor.next()? {
        rows.push((0..count).map(|i| row.get::<_, Value>(i)).collect::<Result<_, _>>()?);
    }
    Ok(QueryRows { columns, rows })
}

/// Whether a PRAGMA statement only reads: a known reading pragma without an argument, or one
/// whose argument names a table or index. Anything this cannot read (a quoted name) is
/// treated as writing.
fn pragma_reads(sql: &str) -> bool {
    let rest = skip_blanks(sql);
    let Some(rest) = rest.get("PRAGMA".len()..) else {
        return false;
    };
    let rest = skip_blanks(rest);
    let end = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'));
    let (name, after) = rest.split_at(end.unwrap_or(rest.len()));
    let name = name.rsplit('.').next().unwrap_or(name).to_ascii_lowercase();
    match skip_blanks(after).chars().next() {
        None | Some(';') => READING_PRAGMAS.contains(&name.as_str()),
        Some('(') => ARGUMENT_PRAGMAS.contains(&name.as_str()),
        Some(_) => false,
    }
}

/// The first word of the statement, after blanks and comments.
fn first_word(sql: &str) -> Option<&str> {
    let rest = skip_blanks(sql);
    let end = rest.find(|c: char| !c.is_ascii_alphabetic()).unwrap_or(rest.len());
    if rest.is_empty() {
        return None;
    }
    Some(&rest[..end])
}

/// Skips whitespace, `-- line` comments and `/* block */` comments.
fn skip_blanks(mut sql: &str) -> &str {
    loop {
        sql = sql.trim_start();
        if let Some(comment) = sql.strip_prefix("--") {
            sql = comment.split_once('\n').map_or("", |(_, rest)| rest);
        } else if let Some(comment) = sql.strip_prefix("/*") {
            sql = comment.split_once("*/").map_or("", |(_, rest)| rest);
        } else {
            return sql;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_and_blanks_before_the_statement_are_skipped() {
        assert_eq!(first_word(" -- note\n /* a\nb */ select 1"), Some("select"));
        assert_eq!(first_word("-- only a comment"), None);
        assert_eq!(first_word(";"), Some(""));
    }

    #[test]
    fn only_pragmas_that_read_pass() {
        assert!(pragma_reads("PRAGMA user_version"));
        assert!(pragma_reads("pragma main.user_version;"));
        assert!(pragma_reads("PRAGMA table_info(messages)"));
        assert!(!pragma_reads("PRAGMA user_version = 5"));
        assert!(!pragma_reads("PRAGMA user_version(5)"));
        assert!(!pragma_reads("PRAGMA journal_mode=delete"));
        assert!(!pragma_reads("PRAGMA \"user_version\" = 5"));
        assert!(!pragma_reads("PRAGMA optimize"));
    }

    #[test]
    fn writes_are_refused_before_they_run() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);").unwrap();
        for sql in [
            "DELETE FROM t",
            "WITH x AS (SELECT 1) DELETE FROM t",
            "PRAGMA user_version=5",
            "ATTACH 'other.db' AS other",
        ] {
            assert!(matches!(run(&conn, sql), Err(SqlError::Writes(_))), "{sql}");
        }
        assert!(matches!(run(&conn, "BEGIN"), Err(SqlError::NotAQuery(_))));
        assert!(matches!(run(&conn, "SELECT 1; DELETE FROM t"), Err(SqlError::Several(_))));
        assert!(matches!(run(&conn, " -- nothing\n"), Err(SqlError::Empty)));
        assert_eq!(
            conn.query_row("SELECT count(*) FROM t", [], |r| r.get::<_, i64>(0)).unwrap(),
            1
        );
    }

    #[test]
    fn a_query_returns_its_columns_and_rows() {
        let conn = Connection::open_in_memory().unwrap();
        let result =
            run(&conn, "SELECT 1 AS one, 'a' AS letter, NULL UNION ALL SELECT 2, 'b', 1.5;")
                .unwrap();
        assert_eq!(result.columns, ["one", "letter", "NULL"]);
        assert_eq!(
            result.rows,
            [
                vec![Value::Integer(1), Value::Text("a".into()), Value::Null],
                vec![Value::Integer(2), Value::Text("b".into()), Value::Real(1.5)],
            ]
        );
    }
}

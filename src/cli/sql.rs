//! `chatarchive sql`: one read-only SQL statement, printed like every other query.

use std::collections::HashSet;

use clap::Args;
use rusqlite::types::Value as SqlValue;
use serde_json::{Number, Value};

use chatarchive::query::sql::{self, SqlError};

use super::output::OutputArgs;
use super::show::reader_went_away;
use super::{CliError, Context};

/// Run one read-only SQL statement against the archive and print its rows.
///
/// The archive is opened read-only and the statement is checked before it runs: only
/// SELECT, WITH, VALUES, EXPLAIN and PRAGMAs that read are run, one statement at a time;
/// anything that writes (ATTACH included) is refused and the archive is left untouched.
/// Column names come from the statement; `chatarchive schema` lists the tables. All rows are
/// read before the first is printed.
///
/// Example: chatarchive sql "SELECT model, count(*) AS n FROM messages GROUP BY model"
#[derive(Debug, Args)]
pub struct SqlArgs {
    /// The SQL statement (it may start with a `--` comment)
    #[arg(value_name = "QUERY", allow_hyphen_values = true)]
    query: String,

    #[command(flatten)]
    output: OutputArgs,
}

/// Checks and runs the statement, then prints its rows.
pub fn run(args: SqlArgs, context: &Context) -> Result<(), CliError> {
    let archive = context.open_for_reading()?;
    let result = sql::run(archive.connection(), &args.query).map_err(refusal)?;
    let columns = unique(result.columns);
    let columns: Vec<&str> = columns.iter().map(String::as_str).collect();
    let rows: Vec<Vec<Value>> =
        result.rows.into_iter().map(|row| row.into_iter().map(json).collect()).collect();
    reader_went_away(args.output.resolve().print_rows(&columns, &rows))?;
    Ok(())
}

/// The error with a hint on what `sql` accepts.
fn refusal(error: SqlError) -> CliError {
    let hint = match error {
        SqlError::Writes(_) => "sql only reads; the archive was not changed",
        SqlError::Several(_) => "run one statement at a time; nothing was run",
        SqlError::NotAQuery(_) | SqlError::Empty => {
            "sql runs one SELECT, WITH, VALUES, EXPLAIN or a PRAGMA that reads"
        }
        SqlError::Sqlite(_) => "chatarchive schema lists the tables and their columns",
    };
    CliError::from(error).with_hint(hint)
}

/// A cell as JSON: BLOBs as lowercase hex, infinite reals as text (`inf`, `-inf`).
fn json(value: SqlValue) -> Value {
    match value {
        SqlValue::Null => Value::Null,
        SqlValue::Integer(n) => Value::from(n),
        SqlValue::Real(x) => {
            Number::from_f64(x).map_or_else(|| x.to_string().into(), Value::Number)
        }
        SqlValue::Text(text) => Value::String(text),
        SqlValue::Blob(bytes) => Value::String(hex::encode(bytes)),
    }
}

/// Column names made unique, so that each is a distinct JSON key: a repeated name gets `_2`,
/// `_3`… appended.
fn unique(columns: Vec<String>) -> Vec<String> {
    let mut seen = HashSet::new();
    let mut names = Vec::with_capacity(columns.len());
    for column in columns {
        let mut name = column.clone();
        let mut n = 1;
        while !seen.insert(name.clone()) {
            n += 1;
            name = format!("{column}_{n}");
        }
        names.push(name);
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_column_names_get_a_number() {
        let columns = ["a", "b", "a", "a_2", "a"].map(String::from).to_vec();
        assert_eq!(unique(columns), ["a", "b", "a_2", "a_2_2", "a_3"]);
    }

    #[test]
    fn cells_become_json() {
        assert_eq!(json(SqlValue::Blob(vec![0, 255])), Value::from("00ff"));
        assert_eq!(json(SqlValue::Real(f64::INFINITY)), Value::from("inf"));
        assert_eq!(json(SqlValue::Real(1.5)), Value::from(1.5));
        assert_eq!(json(SqlValue::Integer(-3)), Value::from(-3));
    }
}

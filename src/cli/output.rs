//! Output shared by every query command: a readable table on a terminal, stable
//! tab-separated text when piped, JSON Lines with `--json`, CSV with `--csv`. Text from the
//! archive is escaped before it reaches a terminal or a TSV line.

use std::borrow::Cow;
use std::io::{self, IsTerminal, Write};

use clap::{Args, ValueEnum};
use comfy_table::{ContentArrangement, Table, presets};
use serde_json::{Map, Value};

/// When to use colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    /// On a terminal, unless NO_COLOR is set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// The output flags every query command takes.
#[derive(Debug, Clone, Args)]
pub struct OutputArgs {
    /// Print one JSON object per line (fields in docs/json.md)
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,

    /// Print CSV with a header row
    #[arg(long)]
    pub csv: bool,

    /// When to colour the output
    #[arg(long, value_enum, default_value_t = ColorWhen::Auto, value_name = "WHEN")]
    pub color: ColorWhen,
}

/// How rows are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Aligned table for people.
    Table,
    /// Tab-separated, one row per line, no header.
    Tsv,
    /// JSON Lines.
    Json,
    /// CSV with a header.
    Csv,
}

/// Resolved output settings.
#[derive(Debug, Clone, Copy)]
pub struct Output {
    /// The row format.
    pub format: Format,
    /// Whether to colour.
    pub color: bool,
}

impl OutputArgs {
    /// Chooses the format from the flags and whether stdout is a terminal.
    pub fn resolve(&self) -> Output {
        let terminal = io::stdout().is_terminal();
        let format = if self.json {
            Format::Json
        } else if self.csv {
            Format::Csv
        } else if terminal {
            Format::Table
        } else {
            Format::Tsv
        };
        let color = match self.color {
            ColorWhen::Always => true,
            ColorWhen::Never => false,
            ColorWhen::Auto => {
                terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            }
        };
        Output { format, color }
    }
}

impl Output {
    /// Prints rows; `columns` name the cells (table headers and JSON keys).
    pub fn print_rows(&self, columns: &[&str], rows: &[Vec<Value>]) -> io::Result<()> {
        let mut out = io::stdout().lock();
        match self.format {
            Format::Json => {
                for row in rows {
                    let object: Map<String, Value> =
                        columns.iter().map(|c| c.to_string()).zip(row.iter().cloned()).collect();
                    writeln!(out, "{}", Value::Object(object))?;
                }
            }
            Format::Csv => {
                let mut writer = csv::Writer::from_writer(out);
                writer.write_record(columns)?;
                for row in rows {
                    writer.write_record(row.iter().map(plain))?;
                }
                writer.flush()?;
            }
            Format::Tsv => {
                for row in rows {
                    let cells: Vec<String> = row.iter().map(|v| escape_tsv(&plain(v))).collect();
                    writeln!(out, "{}", cells.join("\t"))?;
                }
            }
            Format::Table => {
                let mut table = Table::new();
                table
                    .load_style(presets::ASCII_NO_BORDERS)
                    .set_content_arrangement(ContentArrangement::Dynamic);
                table.set_header(columns.iter().map(|c| c.to_uppercase()));
                for row in rows {
                    table.add_row(row.iter().map(|v| escape_terminal(&plain(v)).into_owned()));
                }
                writeln!(out, "{}", table.to_string().trim_end())?;
            }
        }
        Ok(())
    }
}

/// A cell as text: strings as they are, null as empty, other values as JSON.
pub fn plain(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Makes archive text safe to show on a terminal: control characters, bidirectional
/// overrides and zero-width characters are written as `\u{…}` escapes (newlines and tabs
/// included, so one cell stays on one line).
pub fn escape_terminal(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if needs_escape(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// TSV cells: tabs, newlines and backslashes escaped so that each row is one line.
pub fn escape_tsv(text: &str) -> String {
    text.replace('\\', "\\\\").replace('\t', "\\t").replace('\n', "\\n").replace('\r', "\\r")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_escaping_defuses_control_and_bidi_characters() {
        assert_eq!(escape_terminal("plain"), "plain");
        assert_eq!(escape_terminal("a\x1b[31mred\u{202E}x\ny"), "a\\u{1b}[31mred\\u{202e}x\\ny");
    }

    #[test]
    fn tsv_cells_stay_on_one_line() {
        assert_eq!(escape_tsv("a\tb\nc\\d"), "a\\tb\\nc\\\\d");
    }
}

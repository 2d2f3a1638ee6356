//! Errors met while reading an export, each naming the file, the member and the position.

use std::fmt;
use std::path::PathBuf;

/// Where in the input something went wrong: a file, optionally a ZIP member, optionally a
/// position inside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The path given on the command line (a ZIP, a folder or a JSON file).
    pub file: PathBuf,
    /// The member inside a ZIP or folder, when there is one.
    pub member: Option<String>,
    /// Byte offset, line and column inside the member, when known.
    pub position: Option<Position>,
}

/// A position inside a JSON file: 0-based byte offset, 1-based line and byte column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    /// Bytes from the start of the member (0-based).
    pub offset: u64,
    /// Line number (1-based).
    pub line: u64,
    /// Column in bytes (1-based).
    pub column: u64,
}

impl Location {
    /// A location naming only a file.
    pub fn file(file: impl Into<PathBuf>) -> Self {
        Self { file: file.into(), member: None, position: None }
    }

    /// The same location narrowed to a member.
    pub fn member(&self, member: impl Into<String>) -> Self {
        Self { member: Some(member.into()), ..self.clone() }
    }

    /// The same location narrowed to a position.
    pub fn at(&self, position: Position) -> Self {
        Self { position: Some(position), ..self.clone() }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", printable(&self.file.display().to_string()))?;
        if let Some(member) = &self.member {
            write!(f, "!{}", printable(member))?;
        }
        if let Some(p) = self.position {
            write!(f, ":{}:{} (byte {})", p.line, p.column, p.offset)?;
        }
        Ok(())
    }
}

/// Names from an export can hold terminal escape sequences: control and bidirectional
/// characters are written as `\u{…}` escapes before they reach a message.
fn printable(name: &str) -> String {
    name.chars()
        .map(|c| {
            let bidi = matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
            if c.is_control() || bidi { c.escape_unicode().to_string() } else { c.to_string() }
        })
        .collect()
}

/// Why an export could not be read. Every variant names where.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// A file or member could not be read.
    #[error("{location}: cannot read")]
    Io {
        /// Where.
        location: Location,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The file is not a ZIP archive, or a truncated or corrupt one.
    #[error("{location}: not a readable ZIP archive ({reason})")]
    BadZip {
        /// Where.
        location: Location,
        /// What the ZIP reader said.
        reason: String,
    },
    /// A ZIP member name that would escape the folder it is unpacked to.
    #[error("{location}: unsafe member name {name:?} (absolute path, '..' or link)")]
    UnsafeMember {
        /// Where.
        location: Location,
        /// The member name as written in the ZIP.
        name: String,
    },
    /// A member whose declared size or compression ratio marks it as a decompression bomb.
    #[error(
        "{location}: refusing member of {uncompressed} bytes inflated from {compressed} \
         (ratio {ratio:.0}:1): looks like a decompression bomb"
    )]
    Bomb {
        /// Where, with the member.
        location: Location,
        /// Declared uncompressed size in bytes.
        uncompressed: u64,
        /// Compressed size in bytes.
        compressed: u64,
        /// Uncompressed / compressed.
        ratio: f64,
    },
    /// A JSON syntax error, with its position.
    #[error("{location}: invalid JSON: {message}")]
    Json {
        /// Where, with the position.
        location: Location,
        /// What is wrong.
        message: String,
    },
    /// No conversation file was found in the input.
    #[error("{location}: no conversations found ({detail})")]
    NoConversations {
        /// Where.
        location: Location,
        /// What was looked for.
        detail: String,
    },
    /// The input is an export of another provider.
    #[error("{location}: this is {provider}, not a ChatGPT export ({evidence})")]
    OtherProvider {
        /// Where.
        location: Location,
        /// Which provider it looks like.
        provider: &'static str,
        /// What gave it away, with the JSON path.
        evidence: String,
    },
}

impl SourceError {
    /// Wraps an I/O error with its location.
    pub fn io(location: Location, source: std::io::Error) -> Self {
        Self::Io { location, source }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_defuse_terminal_escapes_in_names() {
        let location = Location::file("a.zip").member("../\u{1b}[2Jx\u{202e}.txt");
        assert_eq!(location.to_string(), "a.zip!../\\u{1b}[2Jx\\u{202e}.txt");
    }
}

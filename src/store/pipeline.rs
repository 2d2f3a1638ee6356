//! The work on each conversation that needs no archive: splitting, hashing and parsing. It
//! runs on two worker threads while the importing thread looks up hashes and writes rows, so
//! that a large import keeps both cores busy.
//!
//! Order is kept: conversations reach the importing thread in the order of the file, and
//! parsed conversations in the order they were sent for parsing.

use std::io::BufRead;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::Scope;

use sha2::{Digest, Sha256};

use crate::model::record::ConversationRecord;
use crate::model::snapshot::{Snapshot, SnapshotError};
use crate::source::repair::{self, Repair};
use crate::source::split::{ArraySplitter, RawElement};
use crate::source::{Location, SourceError};

/// Conversations handed between threads at most, per channel; bounds memory to a few
/// conversations (a parsed conversation takes many times its size).
pub const IN_FLIGHT: usize = 4;

/// A conversation's bytes with their SHA-256.
pub struct Hashed {
    /// The conversation as written.
    pub element: RawElement,
    /// Hex SHA-256 of the bytes.
    pub sha256: String,
}

/// A conversation parsed into its rows.
pub struct Parsed {
    /// The hashed bytes it came from.
    pub hashed: Hashed,
    /// The raw JSON as valid UTF-8 (the bytes themselves when they were valid).
    pub raw: String,
    /// Whether the bytes were valid UTF-8 (if not, they are stored as well).
    pub original_is_utf8: bool,
    /// What had to be repaired to parse it.
    pub repairs: Vec<Repair>,
    /// The normalized rows.
    pub record: ConversationRecord,
}

/// The outcome of parsing one conversation.
pub enum ParseOutcome {
    /// Parsed.
    Ready(Box<Parsed>),
    /// Valid JSON that cannot be stored: the element, and why.
    Unusable(Hashed, SnapshotError),
}

/// Starts the thread that splits and hashes; returns the receiving end.
pub fn spawn_splitter<'scope, R: BufRead + Send + 'scope>(
    scope: &'scope Scope<'scope, '_>,
    splitter: ArraySplitter<R>,
) -> Receiver<Result<Hashed, SourceError>> {
    let (sender, receiver) = sync_channel(IN_FLIGHT);
    scope.spawn(move || {
        for element in splitter {
            let hashed = element.map(|element| {
                let sha256 = hex::encode(Sha256::digest(&element.bytes));
                Hashed { element, sha256 }
            });
            if sender.send(hashed).is_err() {
                break;
            }
        }
    });
    receiver
}

/// Starts the thread that parses; returns where to send work and where results come back.
pub fn spawn_parser<'scope>(
    scope: &'scope Scope<'scope, '_>,
    location: Location,
) -> (SyncSender<Hashed>, Receiver<Result<ParseOutcome, SourceError>>) {
    let (job_sender, jobs) = sync_channel::<Hashed>(IN_FLIGHT);
    let (result_sender, results) = sync_channel(IN_FLIGHT);
    scope.spawn(move || {
        for hashed in jobs {
            if result_sender.send(parse(hashed, &location)).is_err() {
                break;
            }
        }
    });
    (job_sender, results)
}

/// Parses one conversation. A syntax error is an error of the whole file.
fn parse(hashed: Hashed, location: &Location) -> Result<ParseOutcome, SourceError> {
    let parse = repair::parse_text(&hashed.element.bytes);
    match Snapshot::parse(&parse.structural, &parse.text) {
        Ok(snapshot) => {
            let record = ConversationRecord::from_snapshot(&snapshot);
            let parsed = Parsed {
                raw: parse.structural.into_owned(),
                original_is_utf8: parse.original_is_utf8,
                repairs: parse.repairs,
                record,
                hashed,
            };
            Ok(ParseOutcome::Ready(Box::new(parsed)))
        }
        Err(SnapshotError::Syntax { line, column, message }) => {
            let position = hashed.element.position_of(line, column);
            Err(SourceError::Json { location: location.at(position), message })
        }
        Err(unusable) => Ok(ParseOutcome::Unusable(hashed, unusable)),
    }
}

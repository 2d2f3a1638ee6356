//! The one place that turns outcomes into exit codes and renders errors.
//!
//! Exit codes:
//! - 0: success;
//! - 1: an error; nothing was changed in the archive;
//! - 2: wrong usage (unknown flag, missing argument);
//! - 3: the import finished, but some conversations were skipped (named on stderr).

use std::error::Error;
use std::io::Write;
use std::process::ExitCode;

/// Success.
pub const SUCCESS: u8 = 0;
/// An error; the archive is unchanged.
pub const FAILURE: u8 = 1;
/// Wrong usage.
pub const USAGE: u8 = 2;
/// Imported, but some conversations were skipped.
pub const PARTIAL: u8 = 3;

/// A failed command: what to print and which code to exit with.
#[derive(Debug)]
pub struct CliError {
    code: u8,
    error: Option<Box<dyn Error + Send + Sync>>,
    hint: Option<String>,
}

impl CliError {
    /// Wrong usage, with a message.
    pub fn usage(message: &str) -> Self {
        Self { code: USAGE, error: Some(message.to_string().into()), hint: None }
    }

    /// A failure with a message.
    pub fn message(message: &str) -> Self {
        Self { code: FAILURE, error: Some(message.to_string().into()), hint: None }
    }

    /// Exits with [`PARTIAL`] without printing more (the command already reported).
    pub fn partial() -> Self {
        Self { code: PARTIAL, error: None, hint: None }
    }

    /// Adds a hint line.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl<E: Error + Send + Sync + 'static> From<E> for CliError {
    fn from(error: E) -> Self {
        Self { code: FAILURE, error: Some(Box::new(error)), hint: None }
    }
}

/// Prints the error, if any, and returns the exit code.
pub fn finish(result: Result<(), CliError>) -> ExitCode {
    let Err(failure) = result else {
        return ExitCode::from(SUCCESS);
    };
    if let Some(error) = &failure.error {
        let mut stderr = std::io::stderr().lock();
        let _ = writeln!(stderr, "Error: {error}");
        let mut source = error.source();
        while let Some(cause) = source {
            let _ = writeln!(stderr, "Caused by: {cause}");
            source = cause.source();
        }
        if let Some(hint) = &failure.hint {
            let _ = writeln!(stderr, "Hint: {hint}");
        }
    }
    ExitCode::from(failure.code)
}

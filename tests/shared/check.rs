//! A collector of failed checks: each test gathers every mismatch, then fails once with
//! the whole list.

use std::fmt::{Debug, Display};

/// The failures of one test, each prefixed with where it was found.
pub struct Checker {
    context: Vec<String>,
    failures: Vec<String>,
}

impl Checker {
    /// A checker whose messages start with `name` (usually the fixture).
    pub fn new(name: &str) -> Self {
        Self { context: vec![name.to_string()], failures: Vec::new() }
    }

    /// Runs `body` with `label` appended to the context of its messages.
    pub fn within<R>(&mut self, label: &str, body: impl FnOnce(&mut Self) -> R) -> R {
        self.context.push(label.to_string());
        let result = body(self);
        self.context.pop();
        result
    }

    /// Records a failure.
    pub fn fail(&mut self, message: impl Display) {
        let place = self.context.join(" / ");
        self.failures.push(format!("{place}: {message}"));
    }

    /// Records a failure unless `ok`.
    pub fn ensure(&mut self, ok: bool, message: impl FnOnce() -> String) {
        if !ok {
            self.fail(message());
        }
    }

    /// Records a failure unless `expected == actual`.
    pub fn eq<T: PartialEq + Debug>(&mut self, what: impl Display, expected: T, actual: T) {
        if expected != actual {
            self.fail(format!("{what}: expected {expected:?}, got {actual:?}"));
        }
    }

    /// Panics with every recorded failure, if any.
    pub fn finish(self) {
        if self.failures.is_empty() {
            return;
        }
        let list = self.failures.join("\n- ");
        panic!("{} check(s) failed:\n- {list}", self.failures.len());
    }
}

/// Shortens `text` to at most `max` characters for a message.
pub fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let head: String = text.chars().take(max).collect();
    format!("{head}…")
}

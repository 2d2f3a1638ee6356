//! Helpers for `tests/shared_fixtures.rs`: finding the shared fixtures, running the
//! `chatarchive` binary, reading the archive back with SQL, and checking it against the
//! facts of each `*.expected.json`.
//!
//! Every check records its failure in a [`check::Checker`] instead of panicking at once,
//! so one run lists every mismatch of a fixture.

pub mod archive;
pub mod attachments;
pub mod check;
pub mod commands;
pub mod export;
pub mod fixtures;
pub mod json;
pub mod run;
pub mod series;

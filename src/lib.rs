//! chatarchive: turns ChatGPT data exports into one lasting, searchable SQLite archive.
//!
//! The crate is laid out by stage, and data flows one way:
//! [`source`] reads exports (ZIP, folder, bare JSON) and splits the conversation files into
//! raw conversations; [`model`] turns raw JSON into normalized records; [`store`] owns the
//! SQLite archive, its migrations and the merge of successive exports. Only the binary's
//! `cli` module prints or knows about command-line flags.
#![warn(missing_docs)]

pub mod model;
pub mod query;
pub mod source;
pub mod store;

//! Normalized records built from the raw JSON of one conversation.
pub mod merge;
pub mod record;
pub mod snapshot;
pub mod text;
pub mod timestamp;
pub mod tree;

//! Reading the archive: filters, search, listing, one conversation, statistics and raw SQL.
//! Functions here return values; the command line renders them.

pub mod attachments;
pub mod conversation;
pub mod export;
pub mod filter;
pub mod list;
pub mod search;
pub mod show;
pub mod sql;
pub mod stats;

//! Reading the archive: filters, search, listing, one conversation, statistics and raw SQL.
//! Functions here return values; the command line renders them.

pub mod filter;

//! Read-only SQL: runs one statement that only reads and returns its columns and rows.

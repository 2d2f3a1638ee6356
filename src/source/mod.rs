//! Reading exports: inputs (ZIP, folder, bare JSON), their layout, and the stream of raw
//! conversations they hold.
//!
//! This stage knows the export's file layout and JSON syntax, nothing about the archive.
//! It hands out each conversation's bytes verbatim together with where they came from.

pub mod assets;
pub mod error;
pub mod input;
pub mod layout;
pub mod repair;
pub mod split;

pub use error::{Location, Position, SourceError};
pub use input::{Input, InputKind};
pub use layout::{DateHint, Export, MemberKind, SourceInfo, plan};

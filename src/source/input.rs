//! One input path: an export ZIP, an unpacked export folder, or a bare JSON file, seen as a
//! list of members that can be opened by name.
//!
//! Every ZIP member name is checked before anything is read: names that would escape a
//! folder (absolute paths, `..`, drive letters, links) and members whose declared sizes mark
//! them as decompression bombs fail the whole input, so nothing is ever inflated from them.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Component, Path, PathBuf};

use zip::ZipArchive;

use super::error::{Location, SourceError};

/// Members larger than this and compressed more than [`MAX_RATIO`] times are refused.
const BOMB_MIN_SIZE: u64 = 16 * 1024 * 1024;
/// Highest compression ratio accepted for a large member; real JSON and media stay far below.
const MAX_RATIO: f64 = 200.0;
/// Buffer size for reading members.
const READ_BUFFER: usize = 256 * 1024;

/// How an input path was recognised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    /// A ZIP archive.
    Zip,
    /// A folder holding the unpacked export.
    Folder,
    /// A single JSON file (a bare `conversations.json`).
    Json,
}

impl InputKind {
    /// The name used in logs and `--json` output.
    pub fn as_str(self) -> &'static str {
        match self {
            InputKind::Zip => "zip",
            InputKind::Folder => "folder",
            InputKind::Json => "json",
        }
    }
}

/// A file of the export, named relative to the export's root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// Path relative to the export root, with `/` separators.
    pub name: String,
    /// Uncompressed size in bytes.
    pub size: u64,
}

enum Backing {
    Zip { archive: ZipArchive<File>, prefix: String },
    Folder,
    Json,
}

/// An opened input path.
pub struct Input {
    path: PathBuf,
    kind: InputKind,
    members: Vec<Member>,
    backing: Backing,
}

impl Input {
    /// Opens `path`, recognising a folder, a ZIP (by its signature) or a JSON file.
    pub fn open(path: &Path) -> Result<Self, SourceError> {
        let location = Location::file(path);
        let meta = std::fs::metadata(path).map_err(|e| SourceError::io(location.clone(), e))?;
        if meta.is_dir() {
            return open_folder(path);
        }
        let mut signature = [0u8; 4];
        let mut file = File::open(path).map_err(|e| SourceError::io(location.clone(), e))?;
        let read = file.read(&mut signature).map_err(|e| SourceError::io(location.clone(), e))?;
        let is_zip = read == 4 && (signature == *b"PK\x03\x04" || signature == *b"PK\x05\x06");
        let named_zip = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("zip"));
        if is_zip {
            return open_zip(path, file);
        }
        if named_zip {
            let reason = "bad signature at byte 0: not a ZIP archive".to_string();
            return Err(SourceError::BadZip { location, reason });
        }
        let name = file_name(path);
        let members = vec![Member { name, size: meta.len() }];
        Ok(Self { path: path.to_owned(), kind: InputKind::Json, members, backing: Backing::Json })
    }

    /// The path as given.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// How the path was recognised.
    pub fn kind(&self) -> InputKind {
        self.kind
    }

    /// Every member, sorted by name.
    pub fn members(&self) -> &[Member] {
        &self.members
    }

    /// Whether a member of that name exists.
    pub fn has(&self, name: &str) -> bool {
        self.members.iter().any(|m| m.name == name)
    }

    /// The location of a member, for error messages.
    pub fn location(&self, member: &str) -> Location {
        let location = Location::file(&self.path);
        match self.kind {
            InputKind::Json => location,
            _ => location.member(member),
        }
    }

    /// Opens a member for streaming.
    pub fn open_member(&mut self, name: &str) -> Result<Box<dyn BufRead + Send + '_>, SourceError> {
        let location = self.location(name);
        match &mut self.backing {
            Backing::Zip { archive, prefix } => {
                let full = format!("{prefix}{name}");
                let file = archive.by_name(&full).map_err(|e| SourceError::BadZip {
                    location: location.clone(),
                    reason: e.to_string(),
                })?;
                Ok(Box::new(BufReader::with_capacity(READ_BUFFER, file)))
            }
            Backing::Folder => {
                let file = File::open(self.path.join(name))
                    .map_err(|e| SourceError::io(location.clone(), e))?;
                Ok(Box::new(BufReader::with_capacity(READ_BUFFER, file)))
            }
            Backing::Json => {
                let file =
                    File::open(&self.path).map_err(|e| SourceError::io(location.clone(), e))?;
                Ok(Box::new(BufReader::with_capacity(READ_BUFFER, file)))
            }
        }
    }

    /// Reads a whole member into memory.
    pub fn read_member(&mut self, name: &str) -> Result<Vec<u8>, SourceError> {
        let location = self.location(name);
        let mut bytes = Vec::new();
        self.open_member(name)?
            .read_to_end(&mut bytes)
            .map_err(|e| SourceError::io(location, e))?;
        Ok(bytes)
    }
}

fn file_name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

fn open_zip(path: &Path, file: File) -> Result<Input, SourceError> {
    let location = Location::file(path);
    let mut archive = ZipArchive::new(file).map_err(|e| SourceError::BadZip {
        location: location.clone(),
        reason: format!("truncated or corrupt: {e}"),
    })?;
    let mut entries = Vec::new();
    for i in 0..archive.len() {
        let entry = archive.by_index_raw(i).map_err(|e| SourceError::BadZip {
            location: location.clone(),
            reason: e.to_string(),
        })?;
        let name = entry
            .name()
            .map_err(|e| SourceError::BadZip { location: location.clone(), reason: e.to_string() })?
            .into_owned();
        let is_link = entry.unix_mode().is_some_and(|mode| mode & 0o170000 == 0o120000);
        if is_link
            || entry.enclosed_name().is_none()
            || has_drive_letter(&name)
            || name.starts_with('/')
        {
            return Err(SourceError::UnsafeMember { location: location.member(&name), name });
        }
        // macOS adds `__MACOSX/` resource forks when it re-zips a folder: not export content.
        if entry.is_dir() || name.starts_with("__MACOSX/") {
            continue;
        }
        check_bomb(&location.member(&name), entry.size(), entry.compressed_size())?;
        entries.push(Member { name, size: entry.size() });
    }
    let prefix = wrapping_folder(&entries);
    let mut members: Vec<Member> = entries
        .into_iter()
        .map(|m| Member { name: m.name[prefix.len()..].to_string(), size: m.size })
        .collect();
    members.sort_by(|a, b| a.name.cmp(&b.name));
    let backing = Backing::Zip { archive, prefix };
    Ok(Input { path: path.to_owned(), kind: InputKind::Zip, members, backing })
}

fn has_drive_letter(name: &str) -> bool {
    let bytes = name.as_bytes();
    bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':' || name.contains('\\')
}

fn check_bomb(location: &Location, uncompressed: u64, compressed: u64) -> Result<(), SourceError> {
    let ratio = uncompressed as f64 / compressed.max(1) as f64;
    if uncompressed > BOMB_MIN_SIZE && ratio > MAX_RATIO {
        return Err(SourceError::Bomb {
            location: location.clone(),
            uncompressed,
            compressed,
            ratio,
        });
    }
    Ok(())
}

/// The one folder every member sits in (`name/`), when the export was zipped with a wrapping
/// folder and holds nothing at its root; otherwise empty.
fn wrapping_folder(members: &[Member]) -> String {
    let Some(first) = members.first() else {
        return String::new();
    };
    let Some((top, _)) = first.name.split_once('/') else {
        return String::new();
    };
    let prefix = format!("{top}/");
    let inside: Vec<&str> =
        members.iter().filter_map(|m| m.name.strip_prefix(prefix.as_str())).collect();
    let has_json = inside.iter().any(|rest| !rest.contains('/') && rest.ends_with(".json"));
    if inside.len() == members.len() && has_json { prefix } else { String::new() }
}

fn open_folder(path: &Path) -> Result<Input, SourceError> {
    let mut members = Vec::new();
    walk(path, path, &mut members)?;
    members.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(Input { path: path.to_owned(), kind: InputKind::Folder, members, backing: Backing::Folder })
}

/// Lists regular files below `dir`. Links are not followed, so nothing outside the folder is
/// read.
fn walk(root: &Path, dir: &Path, members: &mut Vec<Member>) -> Result<(), SourceError> {
    let location = Location::file(dir);
    let entries = std::fs::read_dir(dir).map_err(|e| SourceError::io(location.clone(), e))?;
    for entry in entries {
        let entry = entry.map_err(|e| SourceError::io(location.clone(), e))?;
        let meta = entry.metadata().map_err(|e| SourceError::io(location.clone(), e))?;
        let path = entry.path();
        if meta.is_dir() {
            walk(root, &path, members)?;
        } else if meta.is_file() {
            let relative = path.strip_prefix(root).expect("walked below root");
            let name = relative
                .components()
                .filter_map(|c| match c {
                    Component::Normal(part) => Some(part.to_string_lossy().into_owned()),
                    _ => None,
                })
                .collect::<Vec<_>>()
                .join("/");
            members.push(Member { name, size: meta.len() });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(name: &str) -> Member {
        Member { name: name.to_string(), size: 1 }
    }

    #[test]
    fn wrapping_folder_is_stripped_only_when_it_holds_everything() {
        let wrapped = [member("export/conversations.json"), member("export/user.json")];
        assert_eq!(wrapping_folder(&wrapped), "export/");
        let flat = [member("conversations.json"), member("user-1/a.png")];
        assert_eq!(wrapping_folder(&flat), "");
        let media_only = [member("user-1/a.png"), member("user-1/b.png")];
        let multibyte = [member("ab/conversations.json"), member("a€b.png")];
        assert_eq!(wrapping_folder(&multibyte), "");
        assert_eq!(wrapping_folder(&media_only), "");
    }

    #[test]
    fn drive_letters_and_backslashes_are_unsafe() {
        assert!(has_drive_letter("C:evil.txt"));
        assert!(has_drive_letter("a\\..\\b"));
        assert!(!has_drive_letter("dalle-generations/file-1.webp"));
    }

    #[test]
    fn bombs_are_refused_by_ratio_and_size() {
        let location = Location::file("x.zip").member("zeros.png");
        let err = check_bomb(&location, 209_715_200, 203_842).unwrap_err();
        assert_eq!(
            err.to_string(),
            "x.zip!zeros.png: refusing member of 209715200 bytes inflated from 203842 \
             (ratio 1029:1): looks like a decompression bomb"
        );
        assert!(check_bomb(&location, 300_000_000, 30_000_000).is_ok());
        assert!(check_bomb(&location, 1_000_000, 1_000).is_ok());
    }
}

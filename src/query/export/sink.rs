//! Where an export's files go, and the rules that keep it from doing harm: only paths inside
//! `--out` are written; an existing output that holds anything is refused unless replacing
//! (`Mode::Overwrite`) or updating (`Mode::Update`) it was asked for; no file is written
//! through a symbolic link; the archive being read is never the output.
//!
//! Three kinds of output: a folder (Markdown, HTML), one file (JSON, JSON Lines, CSV,
//! SQLite), or a ZIP file holding what either would have written. Updating rewrites only the
//! files whose contents changed; one file is compared while it is streamed, so that large
//! outputs are never held in memory.

use std::collections::HashMap;
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Component, Path, PathBuf};

use zip::ZipWriter;
use zip::write::SimpleFileOptions;

use super::names::id_in;
use super::{ExportError, Options};

/// What an existing output may be replaced with.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Mode {
    /// The output must not exist, or be empty.
    #[default]
    New,
    /// Files of the output are replaced; other files in an output folder are left alone.
    Overwrite,
    /// Like `Overwrite`, but files whose contents are already right are not rewritten.
    Update,
}

/// What was written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// Files created or rewritten.
    pub written: usize,
    /// Files already right.
    pub unchanged: usize,
    /// Older files of the same conversation under another name, removed.
    pub removed: usize,
}

/// Writes the files of an export.
pub trait Sink {
    /// Writes a file; `path` is relative, `/`-separated.
    fn put(&mut self, path: &str, bytes: &[u8]) -> Result<(), ExportError>;

    /// Writes the note or page of conversation `id`, removing older files of the same
    /// conversation under another name (a title renamed since the last export).
    fn put_conversation(&mut self, id: &str, path: &str, bytes: &[u8]) -> Result<(), ExportError> {
        let _ = id;
        self.put(path, bytes)
    }

    /// Copies the file at `from` to `path`.
    fn copy(&mut self, path: &str, from: &Path) -> Result<(), ExportError>;

    /// Writes a file through `write`, which streams its contents.
    fn stream(&mut self, path: &str, write: &mut Writing<'_>) -> Result<(), ExportError>;

    /// For a single-file output that is not a ZIP: the file to build in place (an archive
    /// built by SQLite), counted as written; an older file there is removed first.
    fn in_place(&mut self) -> Result<Option<PathBuf>, ExportError> {
        Ok(None)
    }

    /// Ends the export (`ok` false after an error: a half-written file or ZIP is removed).
    fn finish(self: Box<Self>, ok: bool) -> Result<Tally, ExportError>;
}

/// A function streaming one file's contents.
pub type Writing<'a> = dyn FnMut(&mut dyn Write) -> Result<(), ExportError> + 'a;

/// Checks the output and opens the sink for it.
pub fn open(options: &Options) -> Result<Box<dyn Sink>, ExportError> {
    let out = &options.out;
    let existing = fs::metadata(out).ok();
    let wrong = |what: &str| ExportError::WrongKind { path: out.clone(), what: what.into() };
    let non_empty = match &existing {
        Some(meta) if meta.is_dir() => {
            if options.zip || !options.format.is_folder() {
                return Err(wrong("a folder: this export writes one file, give its name"));
            }
            fs::read_dir(out).map_err(|e| ExportError::io(out, e))?.next().is_some()
        }
        Some(_) if options.format.is_folder() && !options.zip => {
            return Err(wrong("a file: this export writes a folder"));
        }
        Some(meta) => meta.len() > 0,
        None => false,
    };
    if non_empty && options.mode == Mode::New {
        return Err(ExportError::NotEmpty(out.clone()));
    }
    if options.zip || !options.format.is_folder() {
        refuse_symlink(out)?;
    }
    if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent).map_err(|e| ExportError::io(parent, e))?;
    }
    if options.zip {
        let file = File::create(out).map_err(|e| ExportError::io(out, e))?;
        let writer = ZipWriter::new(BufWriter::new(file));
        return Ok(Box::new(ZipSink { path: out.clone(), writer, tally: Tally::default() }));
    }
    if options.format.is_folder() {
        fs::create_dir_all(out).map_err(|e| ExportError::io(out, e))?;
        let folder = Folder { root: out.clone(), mode: options.mode, tally: Tally::default() };
        return Ok(Box::new(FolderSink { folder, previous: None }));
    }
    Ok(Box::new(FileSink { path: out.clone(), mode: options.mode, tally: Tally::default() }))
}

/// Refuses an output that is the archive being read.
pub fn refuse_archive(db: &Path, out: &Path) -> Result<(), ExportError> {
    let resolve = |path: &Path| -> Option<PathBuf> {
        if let Ok(full) = path.canonicalize() {
            return Some(full);
        }
        let parent = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        Some(parent.canonicalize().ok()?.join(path.file_name()?))
    };
    match (resolve(db), resolve(out)) {
        (Some(db), Some(out)) if db == out => Err(ExportError::IsArchive(out)),
        _ => Ok(()),
    }
}

/// A folder of files.
struct Folder {
    root: PathBuf,
    mode: Mode,
    tally: Tally,
}

impl Folder {
    /// The full path of `relative`, with its folders created; refuses `..`, absolute paths
    /// and folders that are symbolic links, so that nothing outside the root is written.
    fn target(&self, relative: &str) -> Result<PathBuf, ExportError> {
        let mut full = self.root.clone();
        let parts: Vec<&str> = relative.split('/').collect();
        for (i, part) in parts.iter().enumerate() {
            let normal = matches!(Path::new(part).components().next(), Some(Component::Normal(_)))
                && Path::new(part).components().count() == 1;
            if !normal {
                let message = format!("not a plain relative path: {relative:?}");
                return Err(ExportError::Unsupported(message));
            }
            full.push(part);
            let last = i + 1 == parts.len();
            match fs::symlink_metadata(&full) {
                Ok(meta) if meta.file_type().is_symlink() => {
                    return Err(ExportError::Symlink(full));
                }
                Ok(meta) if meta.is_dir() && last => {
                    let what = "a folder where a file belongs".to_string();
                    return Err(ExportError::WrongKind { path: full, what });
                }
                Err(_) if !last => fs::create_dir(&full).map_err(|e| ExportError::io(&full, e))?,
                _ => {}
            }
        }
        Ok(full)
    }

    fn put(&mut self, path: &str, bytes: &[u8]) -> Result<(), ExportError> {
        let full = self.target(path)?;
        if self.mode == Mode::Update && fs::read(&full).is_ok_and(|old| old == bytes) {
            self.tally.unchanged += 1;
            return Ok(());
        }
        fs::write(&full, bytes).map_err(|e| ExportError::io(&full, e))?;
        self.tally.written += 1;
        Ok(())
    }

    fn copy(&mut self, path: &str, from: &Path) -> Result<(), ExportError> {
        let full = self.target(path)?;
        if self.mode == Mode::Update && same_contents(&full, from) {
            self.tally.unchanged += 1;
            return Ok(());
        }
        fs::copy(from, &full).map_err(|e| ExportError::io(&full, e))?;
        self.tally.written += 1;
        Ok(())
    }
}

/// Whether two files hold the same bytes.
fn same_contents(a: &Path, b: &Path) -> bool {
    let (Ok(meta_a), Ok(meta_b)) = (fs::metadata(a), fs::metadata(b)) else {
        return false;
    };
    meta_a.len() == meta_b.len() && matches!((fs::read(a), fs::read(b)), (Ok(x), Ok(y)) if x == y)
}

/// Streams into `path`: in `Update` mode through [`UpdatingFile`], else into a new file.
fn stream_file(
    path: &Path,
    mode: Mode,
    tally: &mut Tally,
    write: &mut Writing<'_>,
) -> Result<(), ExportError> {
    let io = |e| ExportError::io(path, e);
    let with_path = |error: ExportError| match error {
        ExportError::Output(source) => ExportError::io(path, source),
        other => other,
    };
    if mode == Mode::Update && path.is_file() {
        let mut out = BufWriter::new(UpdatingFile::open(path).map_err(io)?);
        write(&mut out).map_err(with_path)?;
        let changed = out.into_inner().map_err(|e| io(e.into_error()))?.finish().map_err(io)?;
        if changed {
            tally.written += 1
        } else {
            tally.unchanged += 1
        }
        return Ok(());
    }
    let mut out = BufWriter::new(File::create(path).map_err(io)?);
    write(&mut out).map_err(with_path)?;
    out.flush().map_err(io)?;
    tally.written += 1;
    Ok(())
}

/// A folder output (Markdown, HTML).
struct FolderSink {
    folder: Folder,
    /// The notes or pages already in the folder, by conversation id (read on first use).
    previous: Option<HashMap<String, Vec<String>>>,
}

impl FolderSink {
    /// The files at the top of the folder with `extension` that name a conversation.
    fn scan(&self, extension: &str) -> Result<HashMap<String, Vec<String>>, ExportError> {
        let root = &self.folder.root;
        let mut found: HashMap<String, Vec<String>> = HashMap::new();
        for entry in fs::read_dir(root).map_err(|e| ExportError::io(root, e))? {
            let entry = entry.map_err(|e| ExportError::io(root, e))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let is_file = entry.file_type().is_ok_and(|t| t.is_file());
            if !is_file || !name.ends_with(&format!(".{extension}")) {
                continue;
            }
            if let Some(id) = read_head(&entry.path()).as_deref().and_then(id_in) {
                found.entry(id).or_default().push(name);
            }
        }
        Ok(found)
    }
}

/// The first few kilobytes of a file, as text.
fn read_head(path: &Path) -> Option<String> {
    let mut head = Vec::with_capacity(4096);
    File::open(path).ok()?.take(4096).read_to_end(&mut head).ok()?;
    Some(String::from_utf8_lossy(&head).into_owned())
}

impl Sink for FolderSink {
    fn put(&mut self, path: &str, bytes: &[u8]) -> Result<(), ExportError> {
        self.folder.put(path, bytes)
    }

    fn put_conversation(&mut self, id: &str, path: &str, bytes: &[u8]) -> Result<(), ExportError> {
        if self.folder.mode != Mode::New {
            if self.previous.is_none() {
                let extension = path.rsplit('.').next().unwrap_or_default();
                self.previous = Some(self.scan(extension)?);
            }
            let older = self.previous.as_mut().and_then(|p| p.remove(id)).unwrap_or_default();
            for name in older.into_iter().filter(|name| name != path) {
                let full = self.folder.root.join(&name);
                fs::remove_file(&full).map_err(|e| ExportError::io(&full, e))?;
                self.folder.tally.removed += 1;
            }
        }
        self.folder.put(path, bytes)
    }

    fn copy(&mut self, path: &str, from: &Path) -> Result<(), ExportError> {
        self.folder.copy(path, from)
    }

    fn stream(&mut self, path: &str, write: &mut Writing<'_>) -> Result<(), ExportError> {
        let full = self.folder.target(path)?;
        stream_file(&full, self.folder.mode, &mut self.folder.tally, write)
    }

    fn finish(self: Box<Self>, _ok: bool) -> Result<Tally, ExportError> {
        Ok(self.folder.tally)
    }
}

/// A single-file output (JSON, JSON Lines, CSV, SQLite): whatever the file's name inside a
/// ZIP would be, it is written at the path given.
struct FileSink {
    path: PathBuf,
    mode: Mode,
    tally: Tally,
}

impl Sink for FileSink {
    fn put(&mut self, _path: &str, bytes: &[u8]) -> Result<(), ExportError> {
        self.stream("", &mut |out| Ok(out.write_all(bytes)?))
    }

    fn copy(&mut self, _path: &str, from: &Path) -> Result<(), ExportError> {
        let mut input = File::open(from).map_err(|e| ExportError::io(from, e))?;
        self.stream("", &mut |out| Ok(io::copy(&mut input, out).map(|_| ())?))
    }

    fn stream(&mut self, _path: &str, write: &mut Writing<'_>) -> Result<(), ExportError> {
        refuse_symlink(&self.path)?;
        stream_file(&self.path, self.mode, &mut self.tally, write)
    }

    fn in_place(&mut self) -> Result<Option<PathBuf>, ExportError> {
        refuse_symlink(&self.path)?;
        if self.path.exists() {
            fs::remove_file(&self.path).map_err(|e| ExportError::io(&self.path, e))?;
        }
        self.tally.written += 1;
        Ok(Some(self.path.clone()))
    }

    fn finish(self: Box<Self>, ok: bool) -> Result<Tally, ExportError> {
        if !ok {
            let _ = fs::remove_file(&self.path);
        }
        Ok(self.tally)
    }
}

fn refuse_symlink(path: &Path) -> Result<(), ExportError> {
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => Err(ExportError::Symlink(path.to_owned())),
        _ => Ok(()),
    }
}

/// A ZIP output: every file an entry, at the top of the ZIP.
struct ZipSink {
    path: PathBuf,
    writer: ZipWriter<BufWriter<File>>,
    tally: Tally,
}

impl ZipSink {
    fn start(&mut self, path: &str) -> Result<(), ExportError> {
        let options = SimpleFileOptions::default().large_file(false);
        self.writer.start_file(path, options)?;
        self.tally.written += 1;
        Ok(())
    }
}

impl Sink for ZipSink {
    fn put(&mut self, path: &str, bytes: &[u8]) -> Result<(), ExportError> {
        self.start(path)?;
        self.writer.write_all(bytes).map_err(|e| ExportError::io(&self.path, e))
    }

    fn copy(&mut self, path: &str, from: &Path) -> Result<(), ExportError> {
        let mut input = File::open(from).map_err(|e| ExportError::io(from, e))?;
        self.start(path)?;
        io::copy(&mut input, &mut self.writer).map_err(|e| ExportError::io(&self.path, e))?;
        Ok(())
    }

    fn stream(&mut self, path: &str, write: &mut Writing<'_>) -> Result<(), ExportError> {
        self.start(path)?;
        write(&mut self.writer).map_err(|error| match error {
            ExportError::Output(source) => ExportError::io(&self.path, source),
            other => other,
        })
    }

    fn finish(self: Box<Self>, ok: bool) -> Result<Tally, ExportError> {
        if !ok {
            drop(self.writer);
            let _ = fs::remove_file(&self.path);
            return Ok(self.tally);
        }
        let mut file = self.writer.finish()?;
        file.flush().map_err(|e| ExportError::io(&self.path, e))?;
        Ok(self.tally)
    }
}

/// Writes a file in place only where its contents differ: incoming bytes are compared with
/// the old ones while they stream in; at the first difference the rest is written over the
/// old contents from there, and the file is cut to the new length at the end.
struct UpdatingFile {
    file: File,
    /// Bytes equal to the old contents so far (while not `diverged`).
    matched: u64,
    diverged: bool,
    scratch: Vec<u8>,
}

impl UpdatingFile {
    fn open(path: &Path) -> io::Result<Self> {
        let file = OpenOptions::new().read(true).write(true).open(path)?;
        Ok(Self { file, matched: 0, diverged: false, scratch: Vec::new() })
    }

    /// Cuts the file to the new length; whether anything changed.
    fn finish(mut self) -> io::Result<bool> {
        if self.diverged {
            let end = self.file.stream_position()?;
            self.file.set_len(end)?;
            return Ok(true);
        }
        let longer = self.file.metadata()?.len() > self.matched;
        if longer {
            self.file.set_len(self.matched)?;
        }
        Ok(longer)
    }
}

impl Write for UpdatingFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.diverged {
            return self.file.write(buf);
        }
        self.scratch.resize(buf.len(), 0);
        let mut read = 0;
        while read < buf.len() {
            match self.file.read(&mut self.scratch[read..])? {
                0 => break,
                n => read += n,
            }
        }
        let same = buf.iter().zip(&self.scratch[..read]).take_while(|(a, b)| a == b).count();
        self.matched += same as u64;
        if same < buf.len() {
            self.diverged = true;
            self.file.seek(SeekFrom::Start(self.matched))?;
            self.file.write_all(&buf[same..])?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn update(path: &Path, new: &[u8]) -> bool {
        let mut file = UpdatingFile::open(path).unwrap();
        for chunk in new.chunks(3) {
            file.write_all(chunk).unwrap();
        }
        let changed = file.finish().unwrap();
        assert_eq!(fs::read(path).unwrap(), new);
        changed
    }

    #[test]
    fn an_updated_file_ends_up_with_the_new_contents() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        fs::write(&path, b"hello world").unwrap();
        assert!(!update(&path, b"hello world"));
        assert!(update(&path, b"hello there, world"));
        assert!(update(&path, b"hello"));
        assert!(update(&path, b"hello!"));
        assert!(update(&path, b""));
    }

    #[test]
    fn paths_stay_inside_the_folder() {
        let dir = tempfile::tempdir().unwrap();
        let folder =
            Folder { root: dir.path().to_owned(), mode: Mode::New, tally: Tally::default() };
        assert!(folder.target("../x").is_err());
        assert!(folder.target("/etc/x").is_err());
        assert!(folder.target("a//b").is_err());
        assert_eq!(folder.target("a/b.md").unwrap(), dir.path().join("a").join("b.md"));
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink("/tmp", dir.path().join("link")).unwrap();
            assert!(matches!(folder.target("link/x"), Err(ExportError::Symlink(_))));
        }
    }
}

//! The files of an export that messages, the Library and group chats point to: which member
//! holds which file id, under which original name, and what kind of file it is.
//!
//! The index is built from the members, not from the pointers: every asset member whose
//! name carries a file id (`file-<id>-<original name>` at the root, `dalle-generations/`
//! `file-<id>-<uuid>.webp`, `user-<id>/file_<hex>-<uuid>.png`, `<conversation>/audio/
//! file_<hex>-<uuid>.wav`, 2026's flat `file-<id>.dat` and `file_<hex>.dat`), or that
//! `chat.html`'s `assetsJson` map names, is filed under that id. Original names come from
//! `conversation_asset_file_names.json` (2026), else from the member name. A pointer then
//! resolves by its id's [`file_key`]: the id without its `file-` or `file_` prefix, so that
//! `-`/`_` swaps and bare hex ids find their file too. Because the index only ever names
//! members the export lists, no name read from a map can point outside the export.
//!
//! Everything here is pure: it works on member names and bytes handed in.

use std::collections::{BTreeMap, HashMap};
use std::io::{self, Read};

use serde::Deserialize;
use serde_json::Value;

/// The 2026 side file mapping each `.dat` member to its original name.
pub const NAME_MAP: &str = "conversation_asset_file_names.json";

/// Ids shorter than this after `file-`/`file_` are not taken for file ids (real ones have 22
/// or more characters), so that a member such as `file-list.txt` is not mistaken for one.
const MIN_ID_LENGTH: usize = 10;

/// How many bytes after `assetsJson` may separate it from the `{` of its object.
const ASSIGNMENT_LOOKAHEAD: usize = 64;

/// The key under which a file id is indexed: the id without a leading `file-` or `file_`.
/// The archive's `attachments` view computes the same key in SQL.
pub fn file_key(id: &str) -> &str {
    id.strip_prefix("file-").or_else(|| id.strip_prefix("file_")).unwrap_or(id)
}

/// The file id a pointer names: what follows `scheme://`, without query or fragment, last
/// path segment (`sediment://file_00ab` → `file_00ab`; a bare `file-XY` stays as it is).
pub fn pointer_id(pointer: &str) -> &str {
    let rest = pointer.split_once("://").map_or(pointer, |(_, rest)| rest);
    let rest = rest.split(['?', '#']).next().unwrap_or_default();
    rest.rsplit('/').next().unwrap_or_default()
}

/// The last segment of a `/`-separated path.
pub fn base_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// A file id read from a member's base name, with the original name the rest of it gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedId {
    /// `file-<id>` or `file_<id>`.
    pub file_id: String,
    /// What follows `<id>-`, when anything does (`fence-sketch.png`, `<uuid>.png`).
    pub name: Option<String>,
}

/// Reads the file id from a member name: `file-<id>`, `file_<id>`, followed by nothing, by
/// `-<original name>` or by `.<extension>`.
pub fn id_in_name(member: &str) -> Option<NamedId> {
    let base = base_name(member);
    let prefix = base.get(..5).filter(|p| *p == "file-" || *p == "file_")?;
    let rest = &base[5..];
    let length = rest.bytes().take_while(u8::is_ascii_alphanumeric).count();
    if length < MIN_ID_LENGTH {
        return None;
    }
    let after = &rest[length..];
    let name = match after.as_bytes().first() {
        None | Some(b'.') => None,
        Some(b'-') => Some(&after[1..]).filter(|n| !n.is_empty()).map(str::to_string),
        Some(_) => return None,
    };
    Some(NamedId { file_id: format!("{prefix}{}", &rest[..length]), name })
}

/// One file of the export that carries a file id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportAsset {
    /// The member, relative to the export root.
    pub member: String,
    /// The file id (`file-…`, `file_…`).
    pub file_id: String,
    /// The original name, when the export tells it.
    pub name: Option<String>,
    /// The member's size as listed.
    pub size: u64,
}

impl ExportAsset {
    /// The key it is indexed under (see [`file_key`]).
    pub fn key(&self) -> &str {
        file_key(&self.file_id)
    }
}

/// Every file of an export that carries a file id, by key.
#[derive(Debug, Clone, Default)]
pub struct AssetIndex {
    assets: Vec<ExportAsset>,
    by_key: HashMap<String, Vec<usize>>,
}

impl AssetIndex {
    /// Indexes the asset members (name and size). `names` maps members to original names
    /// (`conversation_asset_file_names.json`); `chat_assets` maps pointers to member paths
    /// (`chat.html`'s `assetsJson`) and gives ids to members whose names carry none.
    pub fn build(
        members: &[(String, u64)],
        names: &HashMap<String, String>,
        chat_assets: &HashMap<String, String>,
    ) -> Self {
        let mut by_path: HashMap<&str, &str> = HashMap::new();
        for (pointer, path) in chat_assets {
            by_path.insert(path.trim_start_matches("./"), pointer_id(pointer));
        }
        let mut index = Self::default();
        for (member, size) in members {
            let named = id_in_name(member);
            let file_id = match (&named, by_path.get(member.as_str())) {
                (Some(named), _) => named.file_id.clone(),
                (None, Some(id)) if !id.is_empty() => id.to_string(),
                _ => continue,
            };
            let from_map = names.get(member).map(|n| base_name(n)).filter(|n| !n.is_empty());
            let from_name = named.and_then(|n| n.name);
            let name = from_map.map(str::to_string).or(from_name).or_else(|| {
                by_path.contains_key(member.as_str()).then(|| base_name(member).to_string())
            });
            let asset = ExportAsset { member: member.clone(), file_id, name, size: *size };
            index.by_key.entry(asset.key().to_string()).or_default().push(index.assets.len());
            index.assets.push(asset);
        }
        index
    }

    /// Every indexed file, in member order.
    pub fn assets(&self) -> &[ExportAsset] {
        &self.assets
    }

    /// The file a pointer (or a bare file id) names; the first by member name when several
    /// members carry the same id.
    pub fn resolve(&self, pointer: &str) -> Option<&ExportAsset> {
        let key = file_key(pointer_id(pointer));
        let found = self.by_key.get(key)?;
        found.iter().map(|&i| &self.assets[i]).min_by(|a, b| a.member.cmp(&b.member))
    }
}

/// Whether some asset member has no file id in its name, so that only `chat.html`'s map can
/// name it (reading that map means scanning a file of tens of megabytes).
pub fn needs_chat_assets(members: &[(String, u64)]) -> bool {
    members.iter().any(|(member, _)| id_in_name(member).is_none())
}

/// Reads `conversation_asset_file_names.json`: member → original name. Entries whose value
/// is not a string are left out; unreadable JSON gives an empty map.
pub fn parse_name_map(bytes: &[u8]) -> HashMap<String, String> {
    let Ok(map) = serde_json::from_slice::<BTreeMap<String, Value>>(bytes) else {
        return HashMap::new();
    };
    map.into_iter().filter_map(|(k, v)| Some((k, v.as_str()?.to_string()))).collect()
}

/// Finds `assetsJson = {…}` in `chat.html`, streaming: the page is never held whole. Returns
/// pointer → member path, or `None` when there is no such assignment or its object does not
/// parse. Only string values are kept.
pub fn read_chat_assets<R: Read>(mut reader: R) -> io::Result<Option<HashMap<String, String>>> {
    const KEY: &[u8] = b"assetsJson";
    let mut window: Vec<u8> = Vec::new();
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        let read = reader.read(&mut chunk)?;
        window.extend_from_slice(&chunk[..read]);
        let at_end = read == 0;
        let mut from = 0;
        let mut keep_from = None;
        while let Some(found) = memchr::memmem::find(&window[from..], KEY) {
            let start = from + found;
            let after = start + KEY.len();
            match object_start(&window[after..], at_end) {
                Lookahead::Object(offset) => {
                    let rest = io::Cursor::new(window.split_off(after + offset)).chain(reader);
                    return Ok(parse_object(rest));
                }
                Lookahead::NotAssignment => from = after,
                Lookahead::NeedMore => {
                    keep_from = Some(start);
                    break;
                }
            }
        }
        if at_end {
            return Ok(None);
        }
        // Keep what may still be the start of the key, or of an assignment being read.
        let tail = window.len().saturating_sub(KEY.len() - 1);
        window.drain(..keep_from.unwrap_or(from.max(tail)));
    }
}

enum Lookahead {
    /// The object starts this many bytes on.
    Object(usize),
    /// Not `= {` (a use such as `assetsJson[x]`).
    NotAssignment,
    /// The window ends before it can tell.
    NeedMore,
}

/// After `assetsJson`: spaces, `=`, spaces, then `{`.
fn object_start(bytes: &[u8], at_end: bool) -> Lookahead {
    let mut seen_equals = false;
    for (i, b) in bytes.iter().enumerate().take(ASSIGNMENT_LOOKAHEAD) {
        match b {
            b' ' | b'\t' | b'\r' | b'\n' => {}
            b'=' if !seen_equals => seen_equals = true,
            b'{' if seen_equals => return Lookahead::Object(i),
            _ => return Lookahead::NotAssignment,
        }
    }
    if at_end || bytes.len() >= ASSIGNMENT_LOOKAHEAD {
        Lookahead::NotAssignment
    } else {
        Lookahead::NeedMore
    }
}

fn parse_object<R: Read>(reader: R) -> Option<HashMap<String, String>> {
    let mut deserializer = serde_json::Deserializer::from_reader(io::BufReader::new(reader));
    let map = BTreeMap::<String, Value>::deserialize(&mut deserializer).ok()?;
    Some(map.into_iter().filter_map(|(k, v)| Some((k, v.as_str()?.to_string()))).collect())
}

/// The media type a file name's extension stands for (`.dat` stands for nothing).
pub fn type_from_name(name: &str) -> Option<&'static str> {
    let base = base_name(name);
    let (stem, extension) = base.rsplit_once('.')?;
    if stem.is_empty() {
        return None;
    }
    let media_type = match extension.to_ascii_lowercase().as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "heic" => "image/heic",
        "avif" => "image/avif",
        "bmp" => "image/bmp",
        "tif" | "tiff" => "image/tiff",
        "svg" => "image/svg+xml",
        "ico" => "image/vnd.microsoft.icon",
        "wav" => "audio/wav",
        "mp3" => "audio/mpeg",
        "m4a" => "audio/mp4",
        "ogg" | "oga" | "opus" => "audio/ogg",
        "flac" => "audio/flac",
        "mp4" => "video/mp4",
        "mov" => "video/quicktime",
        "webm" => "video/webm",
        "pdf" => "application/pdf",
        "zip" => "application/zip",
        "json" => "application/json",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "pptx" => "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "doc" => "application/msword",
        "xls" => "application/vnd.ms-excel",
        "ppt" => "application/vnd.ms-powerpoint",
        "txt" | "log" => "text/plain",
        "md" => "text/markdown",
        "csv" => "text/csv",
        "html" | "htm" => "text/html",
        "py" => "text/x-python",
        _ => return None,
    };
    Some(media_type)
}

/// What a file's first bytes say it is. RIFF files are told apart by their form type:
/// `WAVE` is audio, `WEBP` an image, `AVI ` a video.
pub fn sniff(head: &[u8]) -> Option<&'static str> {
    let starts = |magic: &[u8]| head.starts_with(magic);
    let at = |offset: usize, magic: &[u8]| head.get(offset..offset + magic.len()) == Some(magic);
    let media_type = if starts(b"\x89PNG\r\n\x1a\n") {
        "image/png"
    } else if starts(b"\xff\xd8\xff") {
        "image/jpeg"
    } else if starts(b"GIF87a") || starts(b"GIF89a") {
        "image/gif"
    } else if starts(b"RIFF") && at(8, b"WEBP") {
        "image/webp"
    } else if starts(b"RIFF") && at(8, b"WAVE") {
        "audio/wav"
    } else if starts(b"RIFF") && at(8, b"AVI ") {
        "video/x-msvideo"
    } else if starts(b"%PDF-") {
        "application/pdf"
    } else if starts(b"PK\x03\x04") || starts(b"PK\x05\x06") {
        "application/zip"
    } else if starts(b"ID3") || (head.len() > 1 && head[0] == 0xff && head[1] & 0xe0 == 0xe0) {
        "audio/mpeg"
    } else if starts(b"OggS") {
        "audio/ogg"
    } else if starts(b"fLaC") {
        "audio/flac"
    } else if starts(b"\x1a\x45\xdf\xa3") {
        "video/webm"
    } else if at(4, b"ftyp") {
        iso_media_type(head.get(8..12).unwrap_or_default())
    } else if starts(b"BM") && head.len() >= 26 {
        "image/bmp"
    } else if starts(b"II*\0") || starts(b"MM\0*") {
        "image/tiff"
    } else if starts(b"\x1f\x8b") {
        "application/gzip"
    } else {
        return None;
    };
    Some(media_type)
}

/// ISO base media files (`ftyp` box): the major brand tells the kind.
fn iso_media_type(brand: &[u8]) -> &'static str {
    match brand {
        b"heic" | b"heix" | b"hevc" | b"heim" | b"heis" | b"mif1" | b"msf1" => "image/heic",
        b"avif" | b"avis" => "image/avif",
        b"M4A " | b"M4B " => "audio/mp4",
        b"qt  " => "video/quicktime",
        _ => "video/mp4",
    }
}

/// An image's width and height, from its first bytes, when they tell them.
pub fn dimensions(head: &[u8]) -> Option<(u32, u32)> {
    if !sniff(head).is_some_and(|t| t.starts_with("image/")) {
        return None;
    }
    let size = imagesize::blob_size(head).ok()?;
    Some((u32::try_from(size.width).ok()?, u32::try_from(size.height).ok()?))
}

/// The media type of a file: the first of `names` whose extension says one, else what its
/// bytes say (when read).
pub fn media_type(names: &[&str], head: Option<&[u8]>) -> Option<&'static str> {
    names.iter().find_map(|n| type_from_name(n)).or_else(|| head.and_then(sniff))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn members(names: &[&str]) -> Vec<(String, u64)> {
        names.iter().map(|n| (n.to_string(), 10)).collect()
    }

    #[test]
    fn ids_are_read_from_every_era_of_member_names() {
        let id = |m: &str| id_in_name(m).map(|n| (n.file_id, n.name));
        let some = |id: &str, name: Option<&str>| Some((id.into(), name.map(str::to_string)));
        assert_eq!(
            id("file-mPJWP3kgFOc3pr5974W27t-fence-sketch.png"),
            some("file-mPJWP3kgFOc3pr5974W27t", Some("fence-sketch.png"))
        );
        assert_eq!(
            id("dalle-generations/file-gM6fzy9vw7zrbIhpPyoduY-c0990a9c-2cff.webp"),
            some("file-gM6fzy9vw7zrbIhpPyoduY", Some("c0990a9c-2cff.webp"))
        );
        assert_eq!(
            id("user-1ON5RZx9/file_00000000a88757600cfc25b66c41ef23-8a5ad2f7.png"),
            some("file_00000000a88757600cfc25b66c41ef23", Some("8a5ad2f7.png"))
        );
        assert_eq!(
            id("6890/audio/file_0000000051283c255199243b96d8172d-ea02.wav"),
            some("file_0000000051283c255199243b96d8172d", Some("ea02.wav"))
        );
        assert_eq!(id("file_00000000c177e6e3ec58.dat"), some("file_00000000c177e6e3ec58", None));
        assert_eq!(
            id("file-J9zIlusg6C782UPnqrbPP8.dat"),
            some("file-J9zIlusg6C782UPnqrbPP8", None)
        );
        assert_eq!(id("file-list.txt"), None);
        assert_eq!(id("files_0000000000000000.png"), None);
        assert_eq!(id("file_0000000000000000+x.png"), None);
        assert_eq!(id("photo.png"), None);
        assert_eq!(id("fil"), None);
    }

    #[test]
    fn pointers_resolve_by_key_whatever_the_scheme_or_separator() {
        assert_eq!(pointer_id("sediment://file_00ab?x=1#y"), "file_00ab");
        assert_eq!(pointer_id("file-service://file-XY"), "file-XY");
        assert_eq!(pointer_id("file-XY"), "file-XY");
        assert_eq!(file_key("file-XY"), "XY");
        assert_eq!(file_key("file_00ab"), "00ab");
        assert_eq!(file_key("00ab"), "00ab");

        let index = AssetIndex::build(
            &members(&[
                "file-AAAAAAAAAAAAAAAAAAAAAA-a.png",
                "user-1/file_0000000000000000000b-u.png",
                "file_0000000000000000000c.dat",
                "notes/readme.txt",
            ]),
            &HashMap::new(),
            &HashMap::new(),
        );
        let member = |p: &str| index.resolve(p).map(|a| a.member.as_str());
        assert_eq!(
            member("file-service://file-AAAAAAAAAAAAAAAAAAAAAA"),
            Some("file-AAAAAAAAAAAAAAAAAAAAAA-a.png")
        );
        assert_eq!(
            member("file_AAAAAAAAAAAAAAAAAAAAAA"),
            Some("file-AAAAAAAAAAAAAAAAAAAAAA-a.png")
        );
        assert_eq!(
            member("sediment://file_0000000000000000000b"),
            Some("user-1/file_0000000000000000000b-u.png")
        );
        assert_eq!(member("0000000000000000000c"), Some("file_0000000000000000000c.dat"));
        assert_eq!(member("sediment://file_0000000000000000000d"), None);
        assert_eq!(index.assets().len(), 3);
    }

    #[test]
    fn names_come_from_the_name_map_then_the_member_and_chat_html_names_the_rest() {
        let names: HashMap<String, String> = [
            ("file_0000000000000000000c.dat", "c1/audio/clip.wav"),
            ("file_0000000000000000000d.dat", ""),
        ]
        .into_iter()
        .map(|(k, v)| (k.into(), v.into()))
        .collect();
        let chat: HashMap<String, String> =
            [("file-service://file-EEEEEEEEEEEEEEEEEEEEEE", "./pictures/kitchen.jpg")]
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect();
        let list = members(&[
            "file_0000000000000000000c.dat",
            "file_0000000000000000000d.dat",
            "pictures/kitchen.jpg",
            "pictures/unnamed.jpg",
        ]);
        assert!(needs_chat_assets(&list));
        let index = AssetIndex::build(&list, &names, &chat);
        let named: Vec<(&str, Option<&str>)> =
            index.assets().iter().map(|a| (a.file_id.as_str(), a.name.as_deref())).collect();
        assert_eq!(
            named,
            [
                ("file_0000000000000000000c", Some("clip.wav")),
                ("file_0000000000000000000d", None),
                ("file-EEEEEEEEEEEEEEEEEEEEEE", Some("kitchen.jpg")),
            ]
        );
    }

    #[test]
    fn a_map_never_names_a_member_the_export_does_not_list() {
        let chat: HashMap<String, String> =
            [("file-service://file-EEEEEEEEEEEEEEEEEEEEEE", "../../etc/passwd")]
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect();
        let names: HashMap<String, String> =
            [("../x.dat".to_string(), "y.png".to_string())].into_iter().collect();
        let index = AssetIndex::build(&members(&["photo.png"]), &names, &chat);
        assert!(index.assets().is_empty());
    }

    #[test]
    fn the_name_map_keeps_string_values() {
        let map = parse_name_map(br#"{"a.dat": "x.png", "b.dat": null, "c.dat": 3}"#);
        assert_eq!(map.len(), 1);
        assert_eq!(map["a.dat"], "x.png");
        assert!(parse_name_map(b"[1, 2]").is_empty());
    }

    #[test]
    fn chat_html_asset_map_is_found_across_reads() {
        let html = format!(
            "<script>var jsonData = [{}];\nif (assetsJson[x]) {{}}\nvar assetsJson = \
             {{\"file-service://file-A\": \"file-A-a.png\", \"n\": 1}};\nassetsJson[p];</script>",
            "\"x\"".repeat(50_000)
        );
        // A reader that hands out 7 bytes at a time, so the key straddles reads.
        struct Trickle<'a>(&'a [u8]);
        impl Read for Trickle<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                let n = self.0.len().min(buf.len()).min(7);
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let map = read_chat_assets(Trickle(html.as_bytes())).unwrap().unwrap();
        assert_eq!(map.len(), 1);
        assert_eq!(map["file-service://file-A"], "file-A-a.png");
        assert_eq!(read_chat_assets(&b"<html>assetsJson"[..]).unwrap(), None);
        assert_eq!(read_chat_assets(&b"assetsJson = {broken"[..]).unwrap(), None);
    }

    #[test]
    fn names_say_the_type_before_the_bytes_and_wav_is_not_webp() {
        let wav = b"RIFF\x24\x00\x00\x00WAVEfmt ";
        let webp = b"RIFF\x24\x00\x00\x00WEBPVP8 ";
        assert_eq!(sniff(wav), Some("audio/wav"));
        assert_eq!(sniff(webp), Some("image/webp"));
        assert_eq!(sniff(b"RIFF"), None);
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n...."), Some("image/png"));
        assert_eq!(sniff(b"\xff\xd8\xff\xe0"), Some("image/jpeg"));
        assert_eq!(sniff(b"GIF89a"), Some("image/gif"));
        assert_eq!(sniff(b"%PDF-1.7"), Some("application/pdf"));
        assert_eq!(sniff(b"PK\x03\x04word/"), Some("application/zip"));
        assert_eq!(sniff(b"ID3\x04"), Some("audio/mpeg"));
        assert_eq!(sniff(b"OggS"), Some("audio/ogg"));
        assert_eq!(sniff(b"\0\0\0\x18ftypheic"), Some("image/heic"));
        assert_eq!(sniff(b"\0\0\0\x18ftypisom"), Some("video/mp4"));
        assert_eq!(sniff(b"\x1a\x45\xdf\xa3"), Some("video/webm"));
        assert_eq!(sniff(b"hello"), None);

        assert_eq!(type_from_name("6a0a/audio/a6e3.wav"), Some("audio/wav"));
        assert_eq!(
            type_from_name("Handbook.DOCX").map(|t| t.contains("wordprocessing")),
            Some(true)
        );
        assert_eq!(type_from_name("file_00.dat"), None);
        assert_eq!(type_from_name("86d720b1-4d46"), None);
        assert_eq!(type_from_name(".png"), None);
        assert_eq!(media_type(&["86d720b1", "file_1.dat"], Some(webp)), Some("image/webp"));
        assert_eq!(media_type(&["clip.wav"], Some(webp)), Some("audio/wav"));
        assert_eq!(media_type(&["x"], None), None);
    }

    #[test]
    fn image_dimensions_come_from_the_header() {
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        png.extend_from_slice(&40u32.to_be_bytes());
        png.extend_from_slice(&30u32.to_be_bytes());
        png.extend_from_slice(b"\x08\x02\0\0\0");
        assert_eq!(dimensions(&png), Some((40, 30)));
        assert_eq!(dimensions(b"RIFF\x24\x00\x00\x00WAVEfmt "), None);
        assert_eq!(dimensions(b"\x89PNG\r\n\x1a\n"), None);
    }
}

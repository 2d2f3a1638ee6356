-- Attachments kept in the archive: the bytes of every file an export holds (uploads,
-- generated images, voice clips, Library documents), stored once by SHA-256 however many
-- exports hold them (`media`); which of those files each export held, under which file id
-- and original name (`export_assets`); and the `attachments` view, which joins every
-- reference (the message pointers of V1's `asset_references`, Library rows, group chat
-- attachments) to the best copy of its file that any export held. The view chooses among
-- all exports by a fixed rule, so a file that one export omits is filled in from another,
-- whatever the order of the imports. Everything here runs in SQLite 3.40.

-- The bytes of attachments, one row per distinct content. A table of its own rather than
-- V1's `blobs`: `blobs` is WITHOUT ROWID, and SQLite's incremental blob I/O, which lets a
-- large file be written and read in chunks instead of whole in memory, needs a rowid.
-- `media_type`, `width` and `height` are what the bytes themselves say.
CREATE TABLE media (
    id INTEGER PRIMARY KEY,
    sha256 TEXT NOT NULL UNIQUE,
    size INTEGER NOT NULL,
    media_type TEXT,
    width INTEGER,
    height INTEGER,
    data BLOB NOT NULL
);

-- Each member of each export that carries a file id (in its name, or through chat.html's
-- asset map). `file_key` is the id without its `file-`/`file_` prefix, what references are
-- matched on. `name` is the original name the export gives, `media_type` what that name's
-- extension says, else the bytes. `sha256` is NULL when the bytes were not kept; `skipped`
-- then says why: `no_media` (imported with --no-media) or `too_large` (over the limit).
CREATE TABLE export_assets (
    export_id INTEGER NOT NULL,
    member TEXT NOT NULL,
    file_id TEXT NOT NULL,
    file_key TEXT NOT NULL,
    name TEXT,
    media_type TEXT,
    size INTEGER NOT NULL,
    sha256 TEXT REFERENCES media (sha256),
    skipped TEXT,
    PRIMARY KEY (export_id, member),
    FOREIGN KEY (export_id, member) REFERENCES export_files (export_id, path)
) WITHOUT ROWID;
CREATE INDEX idx_export_assets_file_key ON export_assets (file_key);
CREATE INDEX idx_export_assets_sha256 ON export_assets (sha256);

-- Library rows by file, for the names the view borrows from them.
CREATE INDEX idx_library_files_file_id ON library_files (file_id);

-- One row per reference to a file. For message references, the message's own JSON gives
-- a display name, type, size and dimensions (its `metadata.attachments` entry with the
-- same id, and the content part holding the pointer); they stand in where no export holds
-- the file. A name the message does not give is the Library's for the same file id, else
-- the export's. The copy chosen for a file id is the one whose bytes are stored, from the
-- newest export, then by SHA-256, member and export fingerprint: a function of the set of
-- exports, never of the order they came in. JSON fields are only read from objects (CASE
-- guards them), so a string part never reaches json_extract.
CREATE VIEW attachments AS
WITH message_references AS (
    SELECT
        r.conversation_id,
        r.node_id,
        r.json_path,
        r.pointer,
        r.file_id,
        (SELECT p.value FROM json_each(m.raw, '$.content.parts') AS p
         WHERE CASE WHEN p.type = 'object'
             THEN json_extract(p.value, '$.asset_pointer') END = r.pointer
         LIMIT 1) AS part,
        (SELECT a.value FROM json_each(m.raw, '$.metadata.attachments') AS a
         WHERE CASE WHEN a.type = 'object' THEN json_extract(a.value, '$.id') END = r.file_id
         LIMIT 1) AS entry
    FROM asset_references AS r
    LEFT JOIN messages AS m ON m.conversation_id = r.conversation_id AND m.node_id = r.node_id
),
refs AS (
    SELECT
        'message' AS source,
        conversation_id,
        node_id,
        NULL AS chat_id,
        json_path,
        pointer,
        file_id,
        json_extract(entry, '$.name') AS given_name,
        coalesce(json_extract(entry, '$.mime_type'), json_extract(entry, '$.mimeType'))
            AS given_type,
        coalesce(json_extract(part, '$.size_bytes'), json_extract(entry, '$.size'))
            AS given_size,
        coalesce(json_extract(part, '$.width'), json_extract(entry, '$.width')) AS given_width,
        coalesce(json_extract(part, '$.height'), json_extract(entry, '$.height'))
            AS given_height
    FROM message_references
    UNION ALL
    SELECT 'library', conversation_id, node_id, NULL, '$.file_id', file_id, file_id,
        file_name, mime_type, NULL, NULL, NULL
    FROM library_files
    WHERE file_id IS NOT NULL
    UNION ALL
    SELECT 'group_chat', NULL, g.message_id, g.chat_id,
        '$.attachments[' || a.key || '].target_id',
        json_extract(a.value, '$.target_id'),
        json_extract(a.value, '$.target_id'),
        json_extract(a.value, '$.name'),
        coalesce(json_extract(a.value, '$.mime_type'), json_extract(a.value, '$.mimeType')),
        json_extract(a.value, '$.size'), NULL, NULL
    FROM group_chat_messages AS g, json_each(g.raw, '$.attachments') AS a
    WHERE CASE WHEN a.type = 'object' THEN json_extract(a.value, '$.target_id') END
        IS NOT NULL
)
SELECT
    refs.source,
    refs.conversation_id,
    refs.node_id,
    refs.chat_id,
    refs.json_path,
    refs.pointer,
    refs.file_id,
    CASE
        WHEN f.sha256 IS NOT NULL THEN 'stored'
        WHEN f.member IS NOT NULL THEN 'skipped'
        ELSE 'missing'
    END AS status,
    coalesce(
        refs.given_name,
        (SELECT l.file_name FROM library_files AS l
         WHERE l.file_id = refs.file_id AND l.file_name IS NOT NULL ORDER BY l.id LIMIT 1),
        f.name
    ) AS name,
    coalesce(f.media_type, refs.given_type) AS media_type,
    coalesce(d.size, f.size, refs.given_size) AS size,
    coalesce(d.width, refs.given_width) AS width,
    coalesce(d.height, refs.given_height) AS height,
    f.sha256,
    f.member
FROM refs
LEFT JOIN export_assets AS f ON (f.export_id, f.member) = (
    SELECT b.export_id, b.member
    FROM export_assets AS b
    JOIN exports AS e ON e.id = b.export_id
    WHERE b.file_key = CASE
        WHEN substr(refs.file_id, 1, 5) IN ('file-', 'file_') THEN substr(refs.file_id, 6)
        ELSE refs.file_id
    END
    ORDER BY b.sha256 IS NULL, e.exported_at DESC, b.sha256, b.member, e.fingerprint
    LIMIT 1
)
LEFT JOIN media AS d ON d.sha256 = f.sha256;

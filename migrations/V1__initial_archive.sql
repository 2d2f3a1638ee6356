-- The first archive schema: exports and the import log, conversations with every
-- distinct version of their raw JSON, one row per mapping node, side files, and an
-- FTS5 index over message text. Times are ISO-8601 UTC text ('2024-03-01T09:30:00Z'
-- or with microseconds); the export's own numbers stay in the raw JSON.

-- One row per distinct export snapshot, however many times it was imported.
CREATE TABLE exports (
    id INTEGER PRIMARY KEY,
    fingerprint TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    exported_at TEXT,
    exported_at_source TEXT NOT NULL,
    conversation_count INTEGER NOT NULL,
    first_imported_at TEXT NOT NULL
);

-- One row per export processed by an `import` run: the log.
CREATE TABLE imports (
    id INTEGER PRIMARY KEY,
    export_id INTEGER NOT NULL REFERENCES exports (id),
    started_at TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    tool_version TEXT NOT NULL,
    sources TEXT NOT NULL,
    exported_at TEXT,
    conversations_new INTEGER NOT NULL,
    conversations_updated INTEGER NOT NULL,
    conversations_unchanged INTEGER NOT NULL,
    conversations_missing INTEGER NOT NULL,
    nodes_new INTEGER NOT NULL,
    nodes_updated INTEGER NOT NULL,
    skipped INTEGER NOT NULL,
    skipped_details TEXT NOT NULL,
    warnings TEXT NOT NULL
);

-- The merged, current state of each conversation ever exported.
CREATE TABLE conversations (
    id TEXT PRIMARY KEY,
    title TEXT,
    created_at TEXT,
    updated_at TEXT,
    current_node_id TEXT,
    thread_leaf_id TEXT,
    model TEXT,
    gizmo_id TEXT,
    gizmo_type TEXT,
    project_id TEXT,
    is_archived INTEGER,
    is_starred INTEGER,
    pinned_at TEXT,
    memory_scope TEXT,
    conversation_origin TEXT,
    has_mapping INTEGER NOT NULL,
    node_count INTEGER NOT NULL,
    message_count INTEGER NOT NULL,
    first_seen_at TEXT,
    last_seen_at TEXT,
    in_latest_export INTEGER NOT NULL,
    raw TEXT NOT NULL
);
CREATE INDEX idx_conversations_created_at ON conversations (created_at);
CREATE INDEX idx_conversations_updated_at ON conversations (updated_at);
CREATE INDEX idx_conversations_gizmo_id ON conversations (gizmo_id);

-- Every distinct raw JSON a conversation has had, verbatim, keyed by SHA-256.
CREATE TABLE conversation_versions (
    id INTEGER PRIMARY KEY,
    conversation_id TEXT NOT NULL
        REFERENCES conversations (id) DEFERRABLE INITIALLY DEFERRED,
    sha256 TEXT NOT NULL UNIQUE,
    size INTEGER NOT NULL,
    raw TEXT NOT NULL,
    raw_bytes BLOB,
    created_at TEXT,
    updated_at TEXT,
    node_ids TEXT NOT NULL
);
CREATE INDEX idx_conversation_versions_conversation_id
    ON conversation_versions (conversation_id);

-- Which version of a conversation each export held.
CREATE TABLE conversation_observations (
    export_id INTEGER NOT NULL REFERENCES exports (id),
    conversation_id TEXT NOT NULL
        REFERENCES conversations (id) DEFERRABLE INITIALLY DEFERRED,
    version_id INTEGER NOT NULL REFERENCES conversation_versions (id),
    source_file TEXT NOT NULL,
    PRIMARY KEY (export_id, conversation_id)
) WITHOUT ROWID;
CREATE INDEX idx_conversation_observations_conversation_id
    ON conversation_observations (conversation_id);

-- One row per node of every mapping, merged over all versions of its conversation.
CREATE TABLE messages (
    id INTEGER PRIMARY KEY,
    conversation_id TEXT NOT NULL REFERENCES conversations (id),
    node_id TEXT NOT NULL,
    parent_node_id TEXT,
    position INTEGER NOT NULL,
    depth INTEGER NOT NULL,
    role TEXT,
    author_name TEXT,
    recipient TEXT,
    channel TEXT,
    content_type TEXT,
    status TEXT,
    model TEXT,
    created_at TEXT,
    updated_at TEXT,
    weight REAL,
    end_turn INTEGER,
    hidden INTEGER NOT NULL,
    is_custom_instructions INTEGER NOT NULL,
    on_current_thread INTEGER NOT NULL,
    text TEXT NOT NULL,
    has_cjk INTEGER NOT NULL,
    has_message INTEGER NOT NULL,
    raw TEXT,
    node_raw TEXT NOT NULL,
    first_seen_at TEXT,
    last_seen_at TEXT,
    in_latest_export INTEGER NOT NULL,
    UNIQUE (conversation_id, node_id)
);
CREATE INDEX idx_messages_parent ON messages (conversation_id, parent_node_id);
CREATE INDEX idx_messages_created_at ON messages (created_at);

-- Full-text index over messages.text, kept in sync by the triggers below.
CREATE VIRTUAL TABLE messages_fts USING fts5(
    text,
    content="messages",
    content_rowid="id",
    tokenize="unicode61 remove_diacritics 2"
);
CREATE TRIGGER messages_ai AFTER INSERT ON messages BEGIN
    INSERT INTO messages_fts (rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER messages_ad AFTER DELETE ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;
CREATE TRIGGER messages_au AFTER UPDATE OF text ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, text) VALUES ('delete', old.id, old.text);
    INSERT INTO messages_fts (rowid, text) VALUES (new.id, new.text);
END;

-- Asset references found in each message (pointers, attachment ids).
CREATE TABLE asset_references (
    id INTEGER PRIMARY KEY,
    conversation_id TEXT NOT NULL REFERENCES conversations (id),
    node_id TEXT NOT NULL,
    json_path TEXT NOT NULL,
    pointer TEXT NOT NULL,
    file_id TEXT NOT NULL,
    UNIQUE (conversation_id, node_id, json_path)
);
CREATE INDEX idx_asset_references_file_id ON asset_references (file_id);

-- Content-addressed bytes of side files (user.json, group_chats.json, ...).
CREATE TABLE blobs (
    sha256 TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    data BLOB NOT NULL
) WITHOUT ROWID;

-- Every member of every export: conversation files, side files, assets, unknowns.
CREATE TABLE export_files (
    export_id INTEGER NOT NULL REFERENCES exports (id),
    path TEXT NOT NULL,
    kind TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT REFERENCES blobs (sha256),
    PRIMARY KEY (export_id, path)
) WITHOUT ROWID;

-- Thumbs ratings from message_feedback.json, linked to their messages.
CREATE TABLE message_feedback (
    id TEXT PRIMARY KEY,
    conversation_id TEXT,
    node_id TEXT,
    rating TEXT,
    content TEXT,
    created_at TEXT,
    seen_at TEXT,
    raw TEXT NOT NULL
);

-- Share links from shared_conversations.json, linked to their conversations.
CREATE TABLE shared_links (
    id TEXT PRIMARY KEY,
    conversation_id TEXT,
    title TEXT,
    is_anonymous INTEGER,
    url TEXT NOT NULL,
    seen_at TEXT,
    raw TEXT NOT NULL
);

-- Rows of library_files.json (2026): uploaded and generated files of the Library.
CREATE TABLE library_files (
    id TEXT PRIMARY KEY,
    file_id TEXT,
    file_name TEXT,
    mime_type TEXT,
    conversation_id TEXT,
    node_id TEXT,
    created_at TEXT,
    seen_at TEXT,
    raw TEXT NOT NULL
);

-- Group chats from group_chats.json: they never appear in the conversation files.
CREATE TABLE group_chats (
    id TEXT PRIMARY KEY,
    name TEXT,
    created_at TEXT,
    updated_at TEXT,
    seen_at TEXT,
    raw TEXT NOT NULL
);

-- The flat message list of each group chat, with its searchable text.
CREATE TABLE group_chat_messages (
    id INTEGER PRIMARY KEY,
    chat_id TEXT NOT NULL REFERENCES group_chats (id),
    message_id TEXT NOT NULL,
    role TEXT,
    text TEXT NOT NULL,
    created_at TEXT,
    raw TEXT NOT NULL,
    UNIQUE (chat_id, message_id)
);

-- The visible thread of each conversation, in order, with its title.
CREATE VIEW current_thread AS
SELECT
    m.conversation_id,
    c.title,
    m.depth,
    m.node_id,
    m.role,
    m.author_name,
    m.content_type,
    m.model,
    m.created_at,
    m.text
FROM messages AS m
JOIN conversations AS c ON c.id = m.conversation_id
WHERE m.on_current_thread = 1 AND m.hidden = 0 AND m.has_message = 1
ORDER BY m.conversation_id, m.depth;

-- Every distinct raw JSON a message has had, read out of the conversation versions.
CREATE VIEW message_versions AS
SELECT DISTINCT
    v.conversation_id,
    n.key AS node_id,
    json_extract(n.value, '$.message') AS raw
FROM conversation_versions AS v, json_each(v.raw, '$.mapping') AS n
WHERE json_type(n.value, '$.message') = 'object';

-- Conversations that the newest export no longer holds (kept in the archive).
CREATE VIEW missing_conversations AS
SELECT id, title, created_at, updated_at, last_seen_at
FROM conversations
WHERE in_latest_export = 0;

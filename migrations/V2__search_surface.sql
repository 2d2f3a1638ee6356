-- Search surface: what `search`, Datasette and hand-written SQL need beyond V1's word index.
-- Conversation titles get word indexes of their own, so that a title match can rank above
-- message text; Chinese, Japanese and Korean text, which has no spaces between words for
-- unicode61 to split on, gets trigram indexes that find any substring of 3+ characters; and
-- two views make common questions one SELECT away. Rows already in the archive are indexed
-- here; triggers keep every index in sync from now on. Everything here runs in SQLite 3.40.

-- Word index over conversation titles. It stores its own copy of each title (titles are
-- short) instead of reading `conversations`: that table's rowid is implicit, so VACUUM may
-- renumber it, and an external-content index keyed by it would then point at wrong rows.
CREATE VIRTUAL TABLE conversations_fts USING fts5(
    title,
    conversation_id UNINDEXED,
    tokenize="unicode61 remove_diacritics 2"
);
INSERT INTO conversations_fts (title, conversation_id)
SELECT title, id FROM conversations WHERE title IS NOT NULL;

CREATE TRIGGER conversations_fts_ai AFTER INSERT ON conversations
WHEN new.title IS NOT NULL BEGIN
    INSERT INTO conversations_fts (title, conversation_id) VALUES (new.title, new.id);
END;
CREATE TRIGGER conversations_fts_ad AFTER DELETE ON conversations
WHEN old.title IS NOT NULL BEGIN
    DELETE FROM conversations_fts WHERE conversation_id = old.id;
END;
-- Imports upsert every conversation they see: only a changed title touches the index.
CREATE TRIGGER conversations_fts_au AFTER UPDATE OF title, id ON conversations
WHEN old.title IS NOT new.title OR old.id IS NOT new.id BEGIN
    DELETE FROM conversations_fts WHERE conversation_id = old.id;
    INSERT INTO conversations_fts (title, conversation_id)
    SELECT new.title, new.id WHERE new.title IS NOT NULL;
END;

-- Substring (trigram) index over the messages whose text holds Chinese, Japanese or Korean
-- characters (`messages.has_cjk`, set by the importer: Hangul Jamo, kana, Hangul
-- compatibility Jamo, katakana extensions, CJK ideographs (extension A, unified,
-- compatibility, extensions B to G), Hangul syllables and half-width katakana); other text is
-- served by `messages_fts`, and leaving it out keeps this index small. A flag column rather
-- than a GLOB over the text keeps the triggers cheap during large imports.
-- `content='messages'` is single-quoted on purpose: Datasette looks for the double-quoted
-- form to pick a table's search index, and that must stay `messages_fts`. Because the
-- index holds only some rows, rebuild it with the INSERT ... SELECT below, never with
-- 'rebuild' (which would index every message).
CREATE VIRTUAL TABLE messages_trigram USING fts5(
    text,
    content='messages',
    content_rowid='id',
    tokenize='trigram'
);
INSERT INTO messages_trigram (rowid, text)
SELECT id, text FROM messages WHERE has_cjk = 1;

CREATE TRIGGER messages_trigram_ai AFTER INSERT ON messages
WHEN new.has_cjk = 1 BEGIN
    INSERT INTO messages_trigram (rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER messages_trigram_ad AFTER DELETE ON messages
WHEN old.has_cjk = 1 BEGIN
    INSERT INTO messages_trigram (messages_trigram, rowid, text)
    VALUES ('delete', old.id, old.text);
END;
CREATE TRIGGER messages_trigram_au AFTER UPDATE OF text, has_cjk ON messages
WHEN old.text IS NOT new.text OR old.has_cjk IS NOT new.has_cjk BEGIN
    INSERT INTO messages_trigram (messages_trigram, rowid, text)
    SELECT 'delete', old.id, old.text WHERE old.has_cjk = 1;
    INSERT INTO messages_trigram (rowid, text)
    SELECT new.id, new.text WHERE new.has_cjk = 1;
END;

-- Substring index over the titles that hold Chinese, Japanese or Korean characters, with
-- its own copy of each title for the same reason as `conversations_fts`. Titles are short,
-- so the character class is tested with GLOB here.
CREATE VIRTUAL TABLE conversations_trigram USING fts5(
    title,
    conversation_id UNINDEXED,
    tokenize='trigram'
);
INSERT INTO conversations_trigram (title, conversation_id)
SELECT title, id FROM conversations
WHERE title GLOB '*[ᄀ-ᇿ぀-ヿ㄰-㆏ㇰ-ㇿ㐀-䶿一-鿿가-힯豈-﫿ｦ-ﾟ𠀀-𱍏]*';

CREATE TRIGGER conversations_trigram_ai AFTER INSERT ON conversations
WHEN new.title GLOB '*[ᄀ-ᇿ぀-ヿ㄰-㆏ㇰ-ㇿ㐀-䶿一-鿿가-힯豈-﫿ｦ-ﾟ𠀀-𱍏]*' BEGIN
    INSERT INTO conversations_trigram (title, conversation_id) VALUES (new.title, new.id);
END;
CREATE TRIGGER conversations_trigram_ad AFTER DELETE ON conversations
WHEN old.title GLOB '*[ᄀ-ᇿ぀-ヿ㄰-㆏ㇰ-ㇿ㐀-䶿一-鿿가-힯豈-﫿ｦ-ﾟ𠀀-𱍏]*' BEGIN
    DELETE FROM conversations_trigram WHERE conversation_id = old.id;
END;
CREATE TRIGGER conversations_trigram_au AFTER UPDATE OF title, id ON conversations
WHEN old.title IS NOT new.title OR old.id IS NOT new.id BEGIN
    DELETE FROM conversations_trigram WHERE conversation_id = old.id;
    INSERT INTO conversations_trigram (title, conversation_id)
    SELECT new.title, new.id
    WHERE new.title GLOB '*[ᄀ-ᇿ぀-ヿ㄰-㆏ㇰ-ㇿ㐀-䶿一-鿿가-힯豈-﫿ｦ-ﾟ𠀀-𱍏]*';
END;

-- Every message (mapping nodes without one are left out) beside its conversation's title,
-- project and custom GPT: the usual starting point for questions about messages.
CREATE VIEW messages_with_context AS
SELECT
    m.id,
    m.conversation_id,
    c.title,
    c.project_id,
    c.gizmo_id,
    m.node_id,
    m.parent_node_id,
    m.depth,
    m.role,
    m.author_name,
    m.content_type,
    m.model,
    m.created_at,
    m.hidden,
    m.is_custom_instructions,
    m.on_current_thread,
    m.text
FROM messages AS m
JOIN conversations AS c ON c.id = m.conversation_id
WHERE m.has_message = 1;

-- Activity per UTC day: visible messages (every branch), those the user wrote, and the
-- conversations they belong to. Messages without a time are left out.
CREATE VIEW daily_activity AS
SELECT
    substr(created_at, 1, 10) AS day,
    count(*) AS messages,
    sum(role = 'user') AS user_messages,
    count(DISTINCT conversation_id) AS conversations
FROM messages
WHERE has_message = 1 AND hidden = 0 AND created_at IS NOT NULL
GROUP BY day
ORDER BY day;

-- Ad-hoc queries against a chatarchive archive. Run one with
--   sqlite3 ~/.local/share/chatarchive/archive.db < examples/queries.sql
-- or paste any of them into Datasette, DB Browser or `chatarchive sql`.

-- 1. The 20 most recent conversations with their size.
SELECT created_at, title, message_count, model
FROM conversations ORDER BY created_at DESC LIMIT 20;

-- 2. Full-text search, best matches first, with a highlighted snippet.
SELECT c.title, m.role, snippet(messages_fts, 0, '[', ']', '…', 12) AS snippet
FROM messages_fts
JOIN messages AS m ON m.id = messages_fts.rowid
JOIN conversations AS c ON c.id = m.conversation_id
WHERE messages_fts MATCH 'tomato'
ORDER BY bm25(messages_fts) LIMIT 10;

-- 3. Messages per month.
SELECT substr(created_at, 1, 7) AS month, count(*) AS messages
FROM messages WHERE has_message = 1 AND hidden = 0
GROUP BY month ORDER BY month;

-- 4. Which models answered, and how often.
SELECT model, count(*) AS answers FROM messages
WHERE role = 'assistant' AND has_message = 1 GROUP BY model ORDER BY answers DESC;

-- 5. Read one conversation as ChatGPT shows it.
SELECT depth, role, text FROM current_thread
WHERE title LIKE '%bike%' ORDER BY conversation_id, depth;

-- 6. Regenerated answers and edited questions: places where the tree branches.
SELECT c.title, m.parent_node_id, count(*) AS branches
FROM messages AS m JOIN conversations AS c ON c.id = m.conversation_id
WHERE m.parent_node_id IS NOT NULL
GROUP BY m.conversation_id, m.parent_node_id HAVING count(*) > 1;

-- 7. Code the assistant ran, with its output.
SELECT c.title, code.text AS code, output.text AS output
FROM messages AS code
JOIN messages AS output
    ON output.conversation_id = code.conversation_id
    AND output.parent_node_id = code.node_id AND output.content_type = 'execution_output'
JOIN conversations AS c ON c.id = code.conversation_id
WHERE code.content_type = 'code';

-- 8. Conversations deleted in ChatGPT but kept here.
SELECT title, last_seen_at FROM missing_conversations ORDER BY last_seen_at DESC;

-- 9. Custom instructions over time.
SELECT created_at, text FROM messages WHERE is_custom_instructions = 1 ORDER BY created_at;

-- 10. Conversations of each project or custom GPT.
SELECT coalesce(project_id, gizmo_id) AS project, count(*) AS conversations
FROM conversations WHERE gizmo_id IS NOT NULL GROUP BY project;

-- 11. Every import, newest first.
SELECT i.finished_at, e.name, e.exported_at, i.conversations_new, i.conversations_updated,
    i.conversations_unchanged, i.conversations_missing
FROM imports AS i JOIN exports AS e ON e.id = i.export_id ORDER BY i.id DESC;

-- 12. Any field the columns do not model, straight from the raw JSON.
SELECT node_id, json_extract(raw, '$.metadata.finish_details.type') AS finish
FROM messages WHERE role = 'assistant' AND has_message = 1 LIMIT 10;

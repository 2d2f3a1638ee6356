#!/usr/bin/env bash
# Checks that `datasette archive.db` shows the search box on `messages` without any
# configuration: installs Datasette from PyPI into a throwaway venv, imports
# examples/sample-export.zip (or, when it is missing, a tiny export written here) into a
# new archive, and asks Datasette, through its in-process test client (no server, no
# network), which FTS table it found for `messages` and what a search returns. Also runs
# every view of the schema in Python's sqlite3 and, when installed, the sqlite3 shell, so
# that the schema is known to open in their (older) SQLite.
#
#   scripts/check-datasette.sh                          # latest Datasette, the sample
#   DATASETTE=datasette==0.65.1 scripts/check-datasette.sh
#   EXPORT=path/to/export.zip scripts/check-datasette.sh
set -euo pipefail

cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== installing ${DATASETTE:=datasette} into a venv under $work"
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check "$DATASETTE"
"$work/venv/bin/datasette" --version

export_zip=${EXPORT:-examples/sample-export.zip}
if [[ ! -f $export_zip ]]; then
    echo "== no $export_zip: writing a tiny export instead"
    export_zip="$work/tiny-export.zip"
    python3 - "$export_zip" <<'PY'
import json, sys, zipfile

def node(id, parent, children, role, text, time):
    message = {"id": id, "author": {"role": role, "metadata": {}}, "create_time": time,
               "content": {"content_type": "text", "parts": [text]},
               "status": "finished_successfully", "weight": 1.0,
               "metadata": {"model_slug": "gpt-4o"} if role == "assistant" else {},
               "recipient": "all"}
    return {"id": id, "parent": parent, "children": children, "message": message}

mapping = {
    "r": {"id": "r", "parent": None, "children": ["q"], "message": None},
    "q": node("q", "r", ["a"], "user", "How often should I water tomatoes?", 1.7e9 + 1),
    "a": node("a", "q", [], "assistant", "Daily in July. 東京タワーの近くでも。", 1.7e9 + 2),
}
conversation = {"id": "c1", "conversation_id": "c1", "title": "Tomatoes on a balcony",
                "create_time": 1.7e9, "update_time": 1.7e9 + 2, "mapping": mapping,
                "current_node": "a", "default_model_slug": "gpt-4o"}
with zipfile.ZipFile(sys.argv[1], "w") as archive:
    archive.writestr("conversations.json", json.dumps([conversation]))
PY
fi

db="$work/archive.db"
echo "== importing $export_zip into $db"
cargo run --quiet -- --db "$db" import --quiet "$export_zip"

echo "== asking Datasette"
"$work/venv/bin/python" - "$db" <<'PY'
import asyncio, sqlite3, sys
from datasette.app import Datasette

path = sys.argv[1]

async def main():
    datasette = Datasette([path])
    await datasette.invoke_startup()
    database = datasette.get_database()
    fts = await database.fts_table("messages")
    print(f"fts_table('messages') = {fts!r}")
    assert fts == "messages_fts", fts
    # Any word of five letters or more from a user message: it must be found.
    texts = sqlite3.connect(path).execute("SELECT text FROM current_thread WHERE role = 'user'")
    word = next(w for (text,) in texts for w in text.split() if w.isalpha() and len(w) >= 5)
    url = f"/{database.name}/messages.json?_search={word}&_shape=array&_col=node_id"
    response = await datasette.client.get(url)
    assert response.status_code == 200, (response.status_code, response.text)
    rows = response.json()
    print(f"GET {url}: {response.status_code}, {len(rows)} rows")
    assert rows, "the search found nothing"
    page = await datasette.client.get(f"/{database.name}/messages")
    assert 'name="_search"' in page.text, "no search box on the messages page"
    print("the messages page has a search box")

asyncio.run(main())

connection = sqlite3.connect(path)
views = [name for (name,) in connection.execute(
    "SELECT name FROM sqlite_master WHERE type = 'view' ORDER BY name")]
for view in views:
    count = connection.execute(f'SELECT count(*) FROM "{view}"').fetchone()[0]
    print(f"python sqlite3 {sqlite3.sqlite_version}: {view}: {count} rows")
PY

if command -v sqlite3 >/dev/null; then
    echo "== sqlite3 shell $(sqlite3 --version | cut -d' ' -f1)"
    views=$(sqlite3 "$db" "SELECT name FROM sqlite_master WHERE type = 'view' ORDER BY name")
    for view in $views; do
        echo "$view: $(sqlite3 "$db" "SELECT count(*) FROM \"$view\"") rows"
    done
    for index in messages_fts conversations_fts messages_trigram conversations_trigram; do
        hits=$(sqlite3 "$db" "SELECT count(*) FROM $index WHERE $index MATCH '\"water\"'")
        echo "$index: opens, $hits hits for \"water\""
    done
fi
echo "== ok: Datasette detects messages_fts for messages"

#!/usr/bin/env bash
# Checks that an archive opens, and that every table and view can be read, in the system
# sqlite3 and in Python's sqlite3, not only in the SQLite bundled with chatarchive.
# Usage: scripts/check-sql-surface.sh [EXPORT...]   (default: examples/sample-export.zip)
set -euo pipefail
cd "$(dirname "$0")/.."

exports=("$@")
[ ${#exports[@]} -gt 0 ] || exports=(examples/sample-export.zip)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
db="$work/archive.db"

cargo run --quiet --release -- --db "$db" import --quiet "${exports[@]}"

names=$(sqlite3 "$db" "SELECT name FROM sqlite_master
    WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%'
    AND name NOT LIKE '%_fts_%' AND name NOT LIKE '%_trigram_%' ORDER BY name")
echo "system sqlite3 $(sqlite3 --version | cut -d' ' -f1):"
for name in $names; do
    count=$(sqlite3 "$db" "SELECT count(*) FROM \"$name\"")
    printf '  %-28s %s rows\n' "$name" "$count"
done
sqlite3 "$db" "SELECT count(*) FROM messages_fts WHERE messages_fts MATCH 'the'" >/dev/null

python3 - "$db" $names <<'PY'
import sqlite3, sys
db, names = sys.argv[1], sys.argv[2:]
conn = sqlite3.connect(db)
for name in names:
    conn.execute(f'SELECT * FROM "{name}"').fetchall()
conn.execute("SELECT count(*) FROM messages_fts WHERE messages_fts MATCH 'the'").fetchone()
print(f"python sqlite3 {sqlite3.sqlite_version}: {len(names)} tables and views read")
PY

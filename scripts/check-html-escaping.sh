#!/usr/bin/env bash
# Checks in a real browser that `chatarchive export --format html` never lets archive text
# run as code: writes an export whose title, messages, code, tool output, citations and
# attachment names carry scripts and event handlers, imports it into a new archive, exports
# it as HTML and loads every page in headless Chromium (Debian's `chromium` package,
# installed with apt-get when missing). Each script, if it ran, would change
# `document.title` to PWNED and add an element with id `pwned`; the DOM Chromium dumps after
# the page settled must show neither, and must show the scripts as text.
#
# Every page is loaded twice: as written, and with its Content-Security-Policy removed, so
# that the escaping is tested on its own and not hidden behind the policy. A control page
# with a real script checks that the harness would notice a script that ran.
#
# Chromium is started with the flags below and a fresh profile; every host name resolves to
# nothing, so it cannot reach the network.
#
#   scripts/check-html-escaping.sh
set -euo pipefail

cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if ! command -v chromium >/dev/null; then
    echo "== installing chromium (Debian package)"
    if [[ $(id -u) -ne 0 ]]; then
        echo "chromium is missing; install it with: sudo apt-get install chromium" >&2
        exit 1
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
chromium --version 2>/dev/null

echo "== building chatarchive"
cargo build --quiet
chatarchive=target/debug/chatarchive

echo "== writing a crafted export"
python3 - "$work/crafted.zip" <<'PY'
import json, sys, zipfile

# Each payload sets the title to PWNED and adds <p id="pwned"> if it ever runs.
run = "document.title='PWNED';document.body.insertAdjacentHTML('beforeend','<p id=pwned>x</p>')"
payloads = [
    f"<script>{run}</script>",
    f"<img src=x onerror=\"{run}\">",
    f"<svg onload=\"{run}\"></svg>",
    f"</div></section><script>{run}</script>",
    f"\"><script>{run}</script>",
    f"<iframe srcdoc=\"<script>parent.{run}</script>\"></iframe>",
]
hostile = " ".join(payloads)

def node(id, parent, role, content, time, **extra):
    message = {"id": id, "author": {"role": role, "name": extra.pop("name", None), "metadata": {}},
               "create_time": time, "content": content, "status": "finished_successfully",
               "weight": 1.0, "recipient": extra.pop("recipient", "all"),
               "metadata": extra.pop("metadata", {})}
    return {"id": id, "parent": parent, "children": [], "message": message}

cite = "\ue200cite\ue202turn0search0\ue201"
nodes = [
    {"id": "r", "parent": None, "children": [], "message": None},
    node("q", "r", "user", {"content_type": "text", "parts": [hostile]}, 1.7e9 + 1,
         metadata={"attachments": [{"id": "file-1", "name": hostile}]}),
    node("call", "q", "assistant", {"content_type": "code", "language": hostile, "text": hostile},
         1.7e9 + 2, recipient="python", metadata={"model_slug": hostile}),
    node("out", "call", "tool", {"content_type": "execution_output", "text": hostile}, 1.7e9 + 3,
         name="python"),
    node("a", "out", "assistant",
         {"content_type": "text", "parts": [f"Answer {cite}\n\n```{hostile}\n{hostile}\n```\n{hostile}"]},
         1.7e9 + 4, metadata={"model_slug": "gpt-4o", "content_references": [
             {"matched_text": cite, "type": "grouped_webpages", "items": [
                 {"title": hostile, "url": f"javascript:{run}"},
                 {"title": hostile, "url": f"https://example.invalid/\"><script>{run}</script>"}]}]}),
]
for n in nodes:
    if n["parent"]:
        next(p for p in nodes if p["id"] == n["parent"])["children"].append(n["id"])
conversation = {"id": "x1", "conversation_id": "x1", "title": hostile, "create_time": 1.7e9,
                "update_time": 1.7e9 + 4, "mapping": {n["id"]: n for n in nodes},
                "current_node": "a", "default_model_slug": hostile, "gizmo_id": f"g-p-{hostile}"}
with zipfile.ZipFile(sys.argv[1], "w") as archive:
    archive.writestr("conversations.json", json.dumps([conversation]))
PY

echo "== importing and exporting as HTML"
"$chatarchive" --db "$work/archive.db" import --quiet "$work/crafted.zip"
"$chatarchive" --db "$work/archive.db" export --format html --out "$work/site"

# Loads a page and prints the DOM once scripts (if any) had time to run.
dump() {
    chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
        --disable-component-update --disable-sync --no-first-run \
        --user-data-dir="$work/profile-$RANDOM" --host-resolver-rules="MAP * ~NOTFOUND" \
        --virtual-time-budget=3000 --dump-dom "file://$1" 2>/dev/null
}

failures=0
check() {
    local page=$1 label=$2 dom
    dom=$(dump "$page")
    if [[ -z $dom ]]; then
        echo "FAIL $label: Chromium returned no DOM"
        failures=$((failures + 1))
    elif grep -q '<title>PWNED</title>' <<<"$dom" || grep -q 'id="pwned"' <<<"$dom"; then
        echo "FAIL $label: a script ran"
        failures=$((failures + 1))
    elif grep -qi '<script' <<<"$dom"; then
        echo "FAIL $label: the DOM holds a script element"
        failures=$((failures + 1))
    elif ! grep -q "&lt;script&gt;" <<<"$dom"; then
        echo "FAIL $label: the scripts are not shown as text"
        failures=$((failures + 1))
    else
        echo "ok   $label"
    fi
}

echo "== the harness notices a script that runs"
printf '<!DOCTYPE html><title>t</title><body><script>%s</script>\n' \
    "document.title='PWNED';document.body.insertAdjacentHTML('beforeend','<p id=pwned>x</p>')" \
    >"$work/control.html"
control=$(dump "$work/control.html")
if grep -q 'id="pwned"' <<<"$control" && grep -q '<title>PWNED</title>' <<<"$control"; then
    echo "ok   control page: the script ran and was seen"
else
    echo "FAIL control page: a script that runs was not noticed; the check proves nothing"
    failures=$((failures + 1))
fi

# An exported page with its escaping undone must fail the check.
page=$(ls "$work"/site/*.html | grep -v index.html | head -n 1)
sed -e '/Content-Security-Policy/d' -e 's/&lt;/</g; s/&gt;/>/g; s/&#39;/'"'"'/g; s/&quot;/"/g' \
    "$page" >"$work/unescaped.html"
result=$(check "$work/unescaped.html" unescaped)
if [[ $result == FAIL* ]]; then
    echo "ok   control page: a page with its escaping undone fails the check (${result#FAIL unescaped: })"
else
    echo "FAIL control page: a page with its escaping undone passed the check"
    failures=$((failures + 1))
fi

echo "== loading the exported pages"
for page in "$work"/site/*.html; do
    name=$(basename "$page")
    check "$page" "$name"
    sed '/Content-Security-Policy/d' "$page" >"$work/no-policy-$name"
    check "$work/no-policy-$name" "$name without its Content-Security-Policy"
done

if [[ $failures -gt 0 ]]; then
    echo "== $failures check(s) failed"
    exit 1
fi
echo "== every page shows the crafted text as text; no script ran"

#!/usr/bin/env bash
# Install ReplayWeb.page's built files (the `replaywebpage` npm package: index.html, ui.js,
# sw.js) into .venv-tools/replaywebpage/, for tests/test_replay_replaywebpage.py and for
# `python3 scripts/serve-replaywebpage.py`. npm (and node) come from Debian's packages when
# missing. Only the package's own tarball is fetched (`npm pack`): its files are prebuilt
# bundles, so none of its build dependencies is needed.
set -euo pipefail

cd "$(dirname "$0")/.."
VERSION=2.5.3
DEST=.venv-tools/replaywebpage
STAMP="$DEST/.installed"

if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$VERSION" ] && [ -f "$DEST/sw.js" ]; then
    exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "installing npm (and node) from Debian's packages ..." >&2
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends npm >/dev/null
    else
        echo "ReplayWeb.page is installed with npm; run as root:" >&2
        echo "    apt-get update && apt-get install -y npm" >&2
        exit 1
    fi
fi
echo "installing replaywebpage@$VERSION into $DEST ..." >&2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "replaywebpage@$VERSION" >/dev/null)
rm -rf "$DEST"
mkdir -p "$DEST"
tar -xzf "$tmp"/replaywebpage-"$VERSION".tgz -C "$DEST" --strip-components=1
[ -f "$DEST/sw.js" ] && [ -f "$DEST/ui.js" ] && [ -f "$DEST/index.html" ]
echo "$VERSION" > "$STAMP"

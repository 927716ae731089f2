#!/usr/bin/env bash
# Install pywb (from PyPI) into its own venv, .venv-tools/, for the replay test
# (tests/test_replay_pywb.py) and for users who want to replay the archive in pywb.
# pywb pins its own versions of several libraries (gevent, jinja2, ...): kept apart from .venv.
set -euo pipefail

cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
VENV=.venv-tools
SPEC="pywb>=2.9,<3"
STAMP="$VENV/.installed-pywb"

if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$SPEC" ] && [ -x "$VENV/bin/wb-manager" ]; then
    exit 0
fi
echo "installing $SPEC into $VENV ..." >&2
[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --upgrade pip
# pywb still imports pkg_resources, which setuptools 81 removed.
"$VENV/bin/python" -m pip install --quiet "$SPEC" "setuptools<81"
"$VENV/bin/wb-manager" --help >/dev/null
echo "$SPEC" > "$STAMP"

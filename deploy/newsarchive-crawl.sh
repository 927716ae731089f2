#!/bin/sh
# The nightly crawl, as cron and systemd run it: no terminal, a minimal environment and
# any working directory. Everything comes from the environment file named as $1
# (default /etc/newsarchive/newsarchive.env); see newsarchive.env.example.
# Exit codes are newsarchive crawl's: 0 ok, 1 some sites failed, 2 bad config, 3 locked.
set -eu
ENV_FILE=${1:-/etc/newsarchive/newsarchive.env}
if [ ! -r "$ENV_FILE" ]; then
    echo "newsarchive-crawl: cannot read $ENV_FILE" >&2
    exit 2
fi
set -a
. "$ENV_FILE"
set +a
: "${NEWSARCHIVE_HOME:?set NEWSARCHIVE_HOME (the checkout with .venv) in $ENV_FILE}"
: "${NEWSARCHIVE_DATA:?set NEWSARCHIVE_DATA (the archive folder) in $ENV_FILE}"
# UTF-8 whatever the caller's locale (cron gives none): titles and logs are Vietnamese.
export LANG=C.UTF-8 LC_ALL=C.UTF-8 PYTHONIOENCODING=utf-8
cd "$NEWSARCHIVE_DATA"
set -f  # the options may hold globs (--map PATTERN=...): never expand them
# shellcheck disable=SC2086  # NEWSARCHIVE_CRAWL_ARGS is a list of options on purpose
exec "$NEWSARCHIVE_HOME/.venv/bin/newsarchive" crawl --all --no-progress \
    --log-json "$NEWSARCHIVE_DATA/crawl.jsonl" ${NEWSARCHIVE_CRAWL_ARGS:-}

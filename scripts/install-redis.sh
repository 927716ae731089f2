#!/usr/bin/env bash
# Install Debian's redis-server for the distributed-crawl tests (tests/redissupport.py starts
# one on loopback per test session) and for users who run `newsarchive crawl --redis`.
# Debian's package only; the tests never use a Redis they did not start.
set -euo pipefail

if command -v redis-server >/dev/null 2>&1; then
    exit 0
fi

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing redis-server from Debian's packages ..." >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends redis-server >/dev/null
    # The package starts a system service on :6379; the tests start their own and need none.
    if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet redis-server 2>/dev/null; then
        systemctl stop redis-server || true
    fi
else
    # Not root (or not Debian): say what to run instead of failing the whole test run.
    echo "the Redis tests need Debian's redis-server; run as root:" >&2
    echo "    apt-get update && apt-get install -y redis-server" >&2
fi

#!/usr/bin/env bash
# Install Debian's Chromium and chromedriver for the browser test (tests/test_tools_browser.py).
# Debian's packages only: Selenium Manager and browser self-downloads are never used.
set -euo pipefail

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/bin/chromedriver ] || missing+=(chromium-driver)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)

if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing ${missing[*]} from Debian's packages ..." >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends chromium chromium-driver fonts-dejavu-core >/dev/null
else
    # Not root (or not Debian): say what to run instead of failing the whole test run.
    echo "the browser test needs Debian's Chromium; run as root:" >&2
    echo "    apt-get update && apt-get install -y chromium chromium-driver" >&2
fi

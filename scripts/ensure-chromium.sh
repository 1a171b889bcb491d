#!/usr/bin/env bash
# Installs Debian's chromium for the real-browser tests when it is missing (needs root and apt).
# Never downloads a browser of Playwright's own: the tests launch the system chromium.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
else
  echo "chromium is not installed: install Debian's 'chromium' package (browser tests will be skipped)" >&2
fi

#!/usr/bin/env bash
# Installs what the web-map browser tests need: Debian's chromium (apt) and the Playwright
# Python package (pip, into the project's virtualenv). `playwright install` downloads
# browsers from outside and cannot work offline; the tests launch Debian's binary instead
# (/usr/lib/chromium/chromium). Idempotent: does nothing that is already there.
#
#   scripts/install_browser.sh [VENV]      (VENV defaults to .venv)
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${1:-.venv}"

if ! command -v chromium >/dev/null 2>&1 && [ ! -x /usr/lib/chromium/chromium ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
chromium --version 2>/dev/null || /usr/lib/chromium/chromium --version

if [ -x "$VENV/bin/python" ] && ! "$VENV/bin/python" -c "import playwright" >/dev/null 2>&1; then
  "$VENV/bin/python" -m pip install --quiet "playwright>=1.49"
fi

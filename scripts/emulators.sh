#!/usr/bin/env bash
# Local GCS and BigQuery emulators for tests, on 127.0.0.1 only.
#   scripts/emulators.sh install   build the pinned emulators into the cache (first time: minutes)
#   scripts/emulators.sh start     start both on free ports; prints eval-able `export …` lines
#   scripts/emulators.sh env       print the export line of the running pair
#   scripts/emulators.sh stop      stop exactly the processes `start` launched
#   scripts/emulators.sh run CMD…  start, run CMD with the exports (VELO_REQUIRE_EMULATORS=1), stop
# Usage: eval "$(scripts/emulators.sh start)"; …; scripts/emulators.sh stop
set -euo pipefail

FAKE_GCS_VERSION=v1.55.1
BIGQUERY_EMULATOR_VERSION=v0.8.1
HOME_DIR=${VELO_EMULATORS_HOME:-$HOME/.cache/velo-emulators}
BIN=$HOME_DIR/bin
STATE=${VELO_EMULATORS_STATE:-/tmp/velo-emulators-$(id -u)}
PROJECT=test

log() { echo "emulators: $*" >&2; }

install() {
  mkdir -p "$BIN"
  command -v go >/dev/null || { log "Go is needed to build the emulators (go install)"; exit 1; }
  if [ ! -x "$BIN/fake-gcs-server" ]; then
    log "building fake-gcs-server $FAKE_GCS_VERSION …"
    GOBIN=$BIN go install "github.com/fsouza/fake-gcs-server@$FAKE_GCS_VERSION" >&2
  fi
  if [ ! -x "$BIN/bigquery-emulator" ]; then
    # `go install pkg@version` fails here: the module proxy refuses the module's version list, which
    # go install reads for deprecation notices. Download the pinned module and build it in place.
    log "building bigquery-emulator $BIGQUERY_EMULATOR_VERSION (pure Go; the first build takes several minutes) …"
    local dir src
    dir=$(cd /tmp && go mod download -json "github.com/goccy/bigquery-emulator@$BIGQUERY_EMULATOR_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
    [ -n "$dir" ] || { log "could not download github.com/goccy/bigquery-emulator@$BIGQUERY_EMULATOR_VERSION"; exit 1; }
    src=$(mktemp -d)
    cp -r "$dir/." "$src" && chmod -R u+w "$src"
    (cd "$src" && CGO_ENABLED=0 go build -o "$BIN/bigquery-emulator.tmp" ./cmd/bigquery-emulator) >&2
    mv "$BIN/bigquery-emulator.tmp" "$BIN/bigquery-emulator"
    rm -rf "$src"
  fi
  log "installed in $BIN"
}

free_port() {
  node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

wait_http() { # url name logfile
  for _ in $(seq 1 300); do
    if node -e 'fetch(process.argv[1]).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))' "$1" 2>/dev/null; then return 0; fi
    sleep 0.2
  done
  log "$2 did not answer on $1; last lines of $3:"; tail -n 20 "$3" >&2; stop; exit 1
}

print_env() {
  # shellcheck disable=SC1091
  . "$STATE/ports"
  echo "export VELO_GCS_ENDPOINT=http://127.0.0.1:$GCS_PORT VELO_BIGQUERY_ENDPOINT=http://127.0.0.1:$BQ_PORT VELO_BIGQUERY_PROJECT=$PROJECT"
}

start() {
  install
  if [ -f "$STATE/ports" ] && kill -0 "$(cat "$STATE/gcs.pid" 2>/dev/null)" 2>/dev/null; then print_env; return; fi
  mkdir -p "$STATE"
  GCS_PORT=$(free_port); BQ_PORT=$(free_port); BQ_GRPC_PORT=$(free_port)
  "$BIN/fake-gcs-server" -scheme http -host 127.0.0.1 -port "$GCS_PORT" -backend memory \
    -external-url "http://127.0.0.1:$GCS_PORT" -public-host "127.0.0.1:$GCS_PORT" >"$STATE/gcs.log" 2>&1 &
  echo $! >"$STATE/gcs.pid"
  STORAGE_EMULATOR_HOST="http://127.0.0.1:$GCS_PORT" "$BIN/bigquery-emulator" --project="$PROJECT" \
    --host=127.0.0.1 --port="$BQ_PORT" --grpc-port="$BQ_GRPC_PORT" >"$STATE/bigquery.log" 2>&1 &
  echo $! >"$STATE/bigquery.pid"
  printf 'GCS_PORT=%s\nBQ_PORT=%s\nBQ_GRPC_PORT=%s\n' "$GCS_PORT" "$BQ_PORT" "$BQ_GRPC_PORT" >"$STATE/ports"
  wait_http "http://127.0.0.1:$GCS_PORT/storage/v1/b" fake-gcs-server "$STATE/gcs.log"
  wait_http "http://127.0.0.1:$BQ_PORT/bigquery/v2/projects/$PROJECT/datasets" bigquery-emulator "$STATE/bigquery.log"
  log "fake-gcs-server on 127.0.0.1:$GCS_PORT, bigquery-emulator on 127.0.0.1:$BQ_PORT (logs in $STATE)"
  print_env
}

stop() {
  for name in gcs bigquery; do
    if [ -f "$STATE/$name.pid" ]; then
      kill "$(cat "$STATE/$name.pid")" 2>/dev/null || true
      rm -f "$STATE/$name.pid"
    fi
  done
  rm -f "$STATE/ports"
}

run_with() {
  local exports
  exports=$(start)
  trap stop EXIT
  eval "$exports"
  export VELO_REQUIRE_EMULATORS=1
  "$@"
}

case "${1:-}" in
  install) install ;;
  run) shift; run_with "$@" ;;
  start) start ;;
  env) print_env ;;
  stop) stop ;;
  *) echo "usage: $0 install|start|env|stop|run CMD…" >&2; exit 2 ;;
esac

#!/usr/bin/env bash
# Side-by-side benchmark of clstr's linearizability checker against Porcupine
# (github.com/anishathalye/porcupine) on the same histories:
#   1. every etcd history (test/fixtures/histories/etcd/*.log), cas-register, one process, ROUNDS rounds
#   2. kv c10-ok + c10-bad checked as one object (no partitioning), KV_ROUNDS rounds
#   3. kv c50-ok + c50-bad checked per key, KV_ROUNDS rounds
#
# Usage: scripts/bench-porcupine.sh [PORCUPINE_SRC]
#   PORCUPINE_SRC  a git mirror (bare) or checkout of Porcupine; argument or environment variable
#   PORCUPINE_REF  commit to build from a git mirror (default HEAD)
#   ROUNDS         rounds of row 1 (default 3); KV_ROUNDS rounds of rows 2 and 3 (default 1)
#   TIMEOUT        Porcupine's time limit per history file (Go duration, default 10m)
#   OURS_ARGS      extra flags for `clstr check linearizable`
#   KEEP_TMP=1     keep the temporary build directory
#
# Porcupine's source is not part of this repository: it is extracted into a
# temporary directory and the driver (bench/porcupine/main.go) is built against
# it offline, through a go.mod replace. clstr is run from dist/ (npm run build).
set -euo pipefail

cd "$(dirname "$0")/.."
SRC="${1:-${PORCUPINE_SRC:-}}"
REF="${PORCUPINE_REF:-HEAD}"
if [ -z "$SRC" ] || [ ! -e "$SRC" ]; then
  echo "Porcupine's source is needed: clone it (git clone --mirror https://github.com/anishathalye/porcupine) and pass the clone's path as the first argument or as PORCUPINE_SRC." >&2
  exit 2
fi
command -v go >/dev/null || { echo "bench-porcupine: go is not installed" >&2; exit 2; }

TMP="$(mktemp -d "${TMPDIR:-/tmp}/bench-porcupine.XXXXXX")"
if [ "${KEEP_TMP:-0}" = 1 ]; then echo "temporary files kept in $TMP" >&2; else trap 'rm -rf "$TMP"' EXIT; fi
mkdir -p "$TMP/porcupine" "$TMP/driver" "$TMP/gopath"

# Extract Porcupine: from a git directory (bare mirror or checkout) at REF, else copy the directory.
GIT_DIR=""
if [ -d "$SRC/objects" ] && [ -f "$SRC/HEAD" ]; then GIT_DIR="$SRC"; elif [ -e "$SRC/.git" ]; then GIT_DIR="$SRC/.git"; fi
if [ -n "$GIT_DIR" ] && COMMIT="$(git --git-dir="$GIT_DIR" rev-parse --verify --quiet "$REF^{commit}")"; then
  git --git-dir="$GIT_DIR" archive "$COMMIT" | tar -x -C "$TMP/porcupine"
  LABEL="${COMMIT:0:12} ($(git --git-dir="$GIT_DIR" log -1 --format=%cs "$COMMIT"))"
else
  cp -R "$SRC"/. "$TMP/porcupine"
  LABEL="from $SRC"
fi
if ! grep -q '^module github.com/anishathalye/porcupine' "$TMP/porcupine/go.mod" 2>/dev/null; then
  echo "bench-porcupine: $SRC does not hold Porcupine (no go.mod for module github.com/anishathalye/porcupine)" >&2
  exit 2
fi
if grep -q '^require' "$TMP/porcupine/go.mod"; then
  echo "bench-porcupine: this Porcupine has dependencies; the offline build below will fail" >&2
fi

cp bench/porcupine/main.go bench/porcupine/go.mod "$TMP/driver/"
export GOPATH="$TMP/gopath" GOPROXY=off GOSUMDB=off GOFLAGS=-mod=mod GOWORK=off GOTOOLCHAIN=local CGO_ENABLED=0
(cd "$TMP/driver" && go mod edit -replace "github.com/anishathalye/porcupine=$TMP/porcupine" && go build -o "$TMP/porcupine-bench" .)
LABEL="$LABEL, $(go env GOVERSION)"

OURS=()
# An unknown command with --help prints the top-level help and exits 0, so look for the subcommand's --model.
if [ -f dist/src/cli/main.js ] && node dist/src/cli/main.js check linearizable --help 2>/dev/null | grep -q -- '--model'; then
  OURS=(--ours "node dist/src/cli/main.js")
fi

node bench/porcupine/run.mjs --porcupine "$TMP/porcupine-bench" "${OURS[@]}" \
  --histories test/fixtures/histories --rounds "${ROUNDS:-3}" --kv-rounds "${KV_ROUNDS:-1}" \
  --timeout "${TIMEOUT:-10m}" --label "$LABEL"

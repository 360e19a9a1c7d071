#!/usr/bin/env bash
# Makes this machine ready for the whole test suite (`npm test` fails on any
# skipped test), idempotently. Run as root after `npm run build`:
#   1. what the default runtime needs for every fault (`clstr doctor --fix`);
#   2. python3, for the learners' servers and nodes the end-to-end tests run;
#   3. Debian's Chromium, for the test that opens the HTML report;
#   4. a Docker engine and the local base image (scripts/docker-setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

[ "$(id -u)" = 0 ] || { echo "test-setup: run as root (sudo npm run setup:test): it installs packages" >&2; exit 1; }
[ -f dist/src/cli/main.js ] || { echo "test-setup: run \`npm run build\` first" >&2; exit 1; }

node dist/src/cli/main.js doctor --fix

missing=()
command -v python3 >/dev/null 2>&1 || missing+=(python3)
[ -x /usr/bin/chromium ] || missing+=(chromium)
if ((${#missing[@]})); then
  command -v apt-get >/dev/null 2>&1 || { echo "test-setup: install ${missing[*]} with your package manager" >&2; exit 1; }
  echo "test-setup: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

bash scripts/docker-setup.sh
echo "test-setup: ready"

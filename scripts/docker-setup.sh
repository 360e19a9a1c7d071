#!/usr/bin/env bash
# Makes this machine ready for `clstr test --runtime docker`, idempotently:
#   1. installs Debian's docker.io if there is no Docker engine;
#   2. starts dockerd (its own data root, in the background) if no daemon answers;
#   3. builds the local base image clstr-base:local if it is missing.
# Prints what it did. `scripts/docker-setup.sh --stop` stops a dockerd it started.
set -euo pipefail
cd "$(dirname "$0")/.."

DATA_ROOT="${CLSTR_DOCKER_DATA_ROOT:-/var/lib/clstr-docker}"
PIDFILE=/run/clstr-dockerd.pid
LOG=/var/log/clstr-dockerd.log

if [ "${1:-}" = "--stop" ]; then
  if [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
    kill "$(cat "$PIDFILE")"
    for _ in $(seq 1 50); do kill -0 "$(cat "$PIDFILE" 2>/dev/null || echo 0)" 2>/dev/null || break; sleep 0.2; done
    echo "docker-setup: stopped dockerd"
  fi
  exit 0
fi

if ! command -v dockerd >/dev/null 2>&1 && ! docker info >/dev/null 2>&1; then
  echo "docker-setup: installing docker.io"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >/dev/null
fi

if ! docker info >/dev/null 2>&1; then
  echo "docker-setup: starting dockerd (data root $DATA_ROOT, log $LOG)"
  mkdir -p "$DATA_ROOT"
  # No default bridge and no masquerading: containers reach only each other
  # on the networks clstr creates, never the outside.
  nohup dockerd --data-root "$DATA_ROOT" --pidfile "$PIDFILE" --bridge none --ip-masq=false >"$LOG" 2>&1 &
  for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
  docker info >/dev/null 2>&1 || { echo "docker-setup: dockerd did not come up; see $LOG" >&2; tail -20 "$LOG" >&2; exit 1; }
fi
# Containers on clstr's network may talk to each other and to this host's
# published ports, and to nothing else.
if command -v iptables >/dev/null 2>&1 && iptables -nL DOCKER-USER >/dev/null 2>&1; then
  iptables -C DOCKER-USER -s 10.0.42.0/24 ! -d 10.0.42.0/24 -j DROP 2>/dev/null ||
    iptables -I DOCKER-USER -s 10.0.42.0/24 ! -d 10.0.42.0/24 -j DROP
fi

if docker image inspect clstr-base:local >/dev/null 2>&1; then
  echo "docker-setup: clstr-base:local is there"
else
  bash scripts/build-base-image.sh clstr-base:local | sed 's/^/docker-setup: /'
fi
echo "docker-setup: ready ($(docker info --format 'Docker {{.ServerVersion}}, {{.Driver}}'))"

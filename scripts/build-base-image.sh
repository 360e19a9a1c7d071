#!/usr/bin/env bash
# Builds the local Docker base image `clstr-base:local` without any registry:
# a root file system assembled from this machine's node, sh, iptables and
# iproute2 (ip, tc) with the libraries they load, brought in with
# `docker import`. The reference solution's Dockerfile starts FROM it; the
# Dockerfiles `clstr init` writes keep their public base images.
#
# Usage: scripts/build-base-image.sh [tag=clstr-base:local]
set -euo pipefail
tag="${1:-clstr-base:local}"
root="$(mktemp -d /tmp/clstr-base.XXXXXX)"
trap 'rm -rf "$root"' EXIT

copy() { # copies a file (following links) to the same path under $root
  local src="$1"
  [ -f "$src" ] || return 0
  mkdir -p "$root$(dirname "$src")"
  cp -L "$src" "$root$src"
}

with_libraries() { # a binary or shared object and everything ldd says it loads
  local file="$1"
  copy "$file"
  ldd "$file" 2>/dev/null | grep -oE '/[^ ]+' | while read -r lib; do copy "$lib"; done
}

for tool in sh node iptables ip6tables iptables-save iptables-restore ip tc; do
  path="$(command -v "$tool" || true)"
  [ -n "$path" ] || { echo "build-base-image: \`$tool\` is not installed here" >&2; exit 1; }
  real="$(readlink -f "$path")"
  with_libraries "$real"
  # keep the name the tool is called by (iptables is a multi-call binary)
  if [ "$real" != "$path" ]; then
    mkdir -p "$root$(dirname "$path")"
    ln -sf "$real" "$root$path"
  fi
done
# iptables loads its matches and targets at run time
for ext in /usr/lib/*/xtables/*.so; do with_libraries "$ext"; done
# name service and loader files the tools and node read
for f in /etc/ld.so.cache /etc/protocols /etc/services /etc/nsswitch.conf /etc/iproute2/*; do copy "$f"; done
[ -d /usr/lib/tc ] && cp -r --parents /usr/lib/tc "$root"
mkdir -p "$root/tmp" "$root/app/data" "$root/etc" "$root/bin" "$root/run" "$root/var/run"
chmod 1777 "$root/tmp"
[ -e "$root/bin/sh" ] || ln -sf "$(readlink -f "$(command -v sh)")" "$root/bin/sh"
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/sh\n' > "$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$root/etc/group"
# /lib64 and friends: keep the distribution's usrmerge links if the host has them
for d in /lib /lib64 /bin /sbin; do
  if [ -L "$d" ] && [ ! -e "$root$d" ]; then ln -s "$(readlink "$d")" "$root$d"; fi
done

tar -C "$root" -c . | docker import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'WORKDIR /app' \
  --change 'LABEL io.clstr.base=true' \
  - "$tag" >/dev/null
echo "built $tag ($(docker image inspect "$tag" --format '{{.Size}}' | awk '{printf "%.0f MB", $1/1e6}'))"

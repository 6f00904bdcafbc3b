#!/usr/bin/env bash
# build_image.sh - build a small OCI image offline (umoci + a static busybox) with the given
# config labels, and import it into containerd.
#
#   build_image.sh NAMESPACE REF [KEY=VALUE]...     e.g. c2dtest c2d/app:rev-a org.opencontainers.image.revision=aaa
#
# Files the tests need inside (a service-account token, a config) are created in the image;
# C2D_IMAGE_EXTRA="SRC:DEST …" copies more in; C2D_IMAGE_CMD="/bin/sleep 3600" sets the command
# (default /bin/sh), e.g. for a pod sandbox ("pause") image, which must keep running;
# C2D_IMAGE_ENV="K=V …" bakes variables into the image config.
set -euo pipefail

ns=$1 ref=$2
shift 2
work=$(mktemp -d /tmp/c2d-image.XXXXXX)
trap 'rm -rf "$work"' EXIT

umoci init --layout "$work/oci" >/dev/null
umoci new --image "$work/oci:img" >/dev/null
umoci unpack --rootless --image "$work/oci:img" "$work/bundle" >/dev/null 2>&1
root=$work/bundle/rootfs
mkdir -p "$root/bin" "$root/etc/app" "$root/var/run/secrets/kubernetes.io/serviceaccount" \
	"$root/tmp" "$root/root"
cp /bin/busybox "$root/bin/busybox"
# C2D_IMAGE_EXTRA="SRC:DEST …": more files (a static benchmark binary…)
for pair in ${C2D_IMAGE_EXTRA:-}; do
	mkdir -p "$(dirname "$root/${pair#*:}")"
	cp "${pair%%:*}" "$root/${pair#*:}"
done
for applet in sh cat echo sleep mkdir rm mv ls unshare true; do
	ln -sf busybox "$root/bin/$applet"
done
echo "token-placeholder-not-a-secret" >"$root/var/run/secrets/kubernetes.io/serviceaccount/token"
echo "listen=8080" >"$root/etc/app/config"
umoci repack --image "$work/oci:img" "$work/bundle" >/dev/null
args=()
for kv in "$@"; do
	args+=(--config.label "$kv")
done
for word in ${C2D_IMAGE_CMD:-/bin/sh}; do
	args+=(--config.cmd "$word")
done
# C2D_IMAGE_ENV="K=V …": the image config's Env (what a Dockerfile's ENV bakes in)
for kv in ${C2D_IMAGE_ENV:-}; do
	args+=(--config.env "$kv")
done
umoci config --image "$work/oci:img" "${args[@]}" >/dev/null
(cd "$work/oci" && tar cf "$work/image.tar" .)
ctr -n "$ns" images import --base-name "${ref%:*}" --index-name "$ref" "$work/image.tar" >/dev/null

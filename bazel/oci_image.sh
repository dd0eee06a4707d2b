#!/usr/bin/env bash
# Builds a reproducible oci-archive for the oci_image rule (bazel/oci_image.bzl).
#
#   oci_image.sh --layer-spec FILE --config-spec FILE --tag TAG
#                --architecture ARCH --os OS --out ARCHIVE.tar --digest-out FILE
#
# The layer spec has one entry a line, tab-separated:
#   file    <path in image, no leading />  <octal mode>  <source file>
#   dir     <path>                         <octal mode>
#   symlink <path>                         0777          <link target>
# The config spec is the image config JSON with an empty rootfs.diff_ids.
# Same inputs give a byte-identical archive: sorted entries, epoch mtimes,
# owner 0:0, gzip without name or time, a fixed created timestamp.
set -euo pipefail

die() {
  echo "oci_image: $*" >&2
  exit 1
}

layer_spec="" config_spec="" tag="" arch="" os="" out="" digest_out=""
while (($#)); do
  (($# >= 2)) || die "$1: missing value"
  case "$1" in
    --layer-spec) layer_spec=$2 ;;
    --config-spec) config_spec=$2 ;;
    --tag) tag=$2 ;;
    --architecture) arch=$2 ;;
    --os) os=$2 ;;
    --out) out=$2 ;;
    --digest-out) digest_out=$2 ;;
    *) die "unknown flag $1" ;;
  esac
  shift 2
done
for v in layer_spec config_spec tag arch os out digest_out; do
  [[ -n ${!v} ]] || die "--${v//_/-} is required"
done

export LC_ALL=C TZ=UTC
umask 022

work=$(mktemp -d "${TMPDIR:-/tmp}/oci_image.XXXXXX")
trap 'rm -rf "$work"' EXIT
rootfs=$work/rootfs layout=$work/layout
mkdir -p "$rootfs" "$layout/blobs/sha256"

# Reproducible tar of the entries listed (one a line) in $2, relative to $1.
deterministic_tar() {
  tar --create --file=- --format=gnu --mtime=@0 --owner=0 --group=0 --numeric-owner \
    --directory="$1" --no-recursion --verbatim-files-from --files-from="$2"
}

# sha256 hex of a file.
sha256_of() {
  local sum
  sum=$(sha256sum "$1")
  echo "${sum%% *}"
}

size_of() { stat -c %s "$1"; }

# Stores file $1 as a blob; prints its digest.
add_blob() {
  local hex
  hex=$(sha256_of "$1")
  cp "$1" "$layout/blobs/sha256/$hex"
  echo "sha256:$hex"
}

# The root filesystem: files and directories first, symlinks last so nothing
# is ever written through a link.
dir_modes=() symlinks=()
while IFS=$'\t' read -r kind path mode src; do
  [[ -n $kind ]] || continue
  dest=$rootfs/$path
  case "$kind" in
    file)
      mkdir -p "$(dirname "$dest")"
      cp -- "$src" "$dest"
      chmod "$mode" "$dest"
      ;;
    dir)
      mkdir -p "$dest"
      dir_modes+=("$mode" "$dest")
      ;;
    symlink) symlinks+=("$src" "$dest") ;;
    *) die "$layer_spec: unknown entry kind \"$kind\"" ;;
  esac
done <"$layer_spec"
for ((i = 0; i < ${#symlinks[@]}; i += 2)); do
  mkdir -p "$(dirname "${symlinks[i + 1]}")"
  ln -sT -- "${symlinks[i]}" "${symlinks[i + 1]}"
done
find "$rootfs" -mindepth 1 -type d -exec chmod 0755 {} +
for ((i = 0; i < ${#dir_modes[@]}; i += 2)); do
  chmod "${dir_modes[i]}" "${dir_modes[i + 1]}"
done

(cd "$rootfs" && find . -mindepth 1 -printf '%P\n' | sort) >"$work/rootfs.list"
deterministic_tar "$rootfs" "$work/rootfs.list" >"$work/layer.tar"
gzip -9 --no-name --stdout "$work/layer.tar" >"$work/layer.tar.gz"
diff_id="sha256:$(sha256_of "$work/layer.tar")"
layer_digest=$(add_blob "$work/layer.tar.gz")
layer_size=$(size_of "$work/layer.tar.gz")

jq --compact-output --arg diff_id "$diff_id" '.rootfs.diff_ids = [$diff_id]' \
  "$config_spec" >"$work/config.json"
config_digest=$(add_blob "$work/config.json")
config_size=$(size_of "$work/config.json")

jq --null-input --compact-output \
  --arg config_digest "$config_digest" --argjson config_size "$config_size" \
  --arg layer_digest "$layer_digest" --argjson layer_size "$layer_size" '{
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    config: {
      mediaType: "application/vnd.oci.image.config.v1+json",
      digest: $config_digest,
      size: $config_size
    },
    layers: [{
      mediaType: "application/vnd.oci.image.layer.v1.tar+gzip",
      digest: $layer_digest,
      size: $layer_size
    }]
  }' >"$work/manifest.json"
manifest_digest=$(add_blob "$work/manifest.json")
manifest_size=$(size_of "$work/manifest.json")

jq --null-input --compact-output \
  --arg digest "$manifest_digest" --argjson size "$manifest_size" \
  --arg arch "$arch" --arg os "$os" --arg tag "$tag" '{
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.index.v1+json",
    manifests: [{
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      digest: $digest,
      size: $size,
      platform: {architecture: $arch, os: $os},
      annotations: {"org.opencontainers.image.ref.name": $tag}
    }]
  }' >"$layout/index.json"
printf '{"imageLayoutVersion":"1.0.0"}' >"$layout/oci-layout"

find "$layout" -exec chmod u=rwX,go=rX {} +
(cd "$layout" && find . -mindepth 1 -printf '%P\n' | sort) >"$work/layout.list"
deterministic_tar "$layout" "$work/layout.list" >"$out"
printf '%s\n' "$manifest_digest" >"$digest_out"

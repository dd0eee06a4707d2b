#!/usr/bin/env bash
# Builds our images with Bazel and pushes them to the loopback registry
# (hack/registry-up.sh) under the names in hack/lib/images.sh, then checks the
# registry lists each tag with the manifest digest we built.
#
# BAZEL (bazel), BAZEL_STARTUP_FLAGS and BAZEL_FLAGS (word-split) pick the
# Bazel binary, its output base and build options, e.g.
#   BAZEL_STARTUP_FLAGS=--output_base=/tmp/ob BAZEL_FLAGS=--symlink_prefix=/tmp/ob-links/
set -euo pipefail
cd "$(dirname "$0")/.."
source hack/lib/images.sh
source hack/lib/registry.sh

die() {
  echo "push-images: $*" >&2
  exit 1
}

command -v skopeo >/dev/null || die "skopeo not installed (hack/install-deps.sh)"
registry_answers || die "no registry answers at $REGISTRY_URL; run hack/registry-up.sh"

read -ra startup_flags <<<"${BAZEL_STARTUP_FLAGS:-}"
read -ra build_flags <<<"${BAZEL_FLAGS:-}"
bazel=("${BAZEL:-bazel}" "${startup_flags[@]}")

mapfile -t refs < <(printf '%s\n' "${!KL_IMAGE_TARGETS[@]}" | sort)
targets=()
for ref in "${refs[@]}"; do
  targets+=("${KL_IMAGE_TARGETS[$ref]}")
done
"${bazel[@]}" build "${build_flags[@]}" "${targets[@]}"
execroot=$("${bazel[@]}" info "${build_flags[@]}" execution_root 2>/dev/null)

work=$(mktemp -d /tmp/push-images.XXXXXX)
trap 'rm -rf "$work"' EXIT
# Our own signature policy: local archives into a local registry, no checks.
echo '{"default": [{"type": "insecureAcceptAnything"}]}' >"$work/policy.json"

for ref in "${refs[@]}"; do
  target=${KL_IMAGE_TARGETS[$ref]}
  file=$("${bazel[@]}" cquery "${build_flags[@]}" --output=starlark \
    --starlark:expr='"\n".join([f.path for f in target.files.to_list() if f.path.endswith(".tar")])' \
    "$target" 2>/dev/null)
  [[ -n $file && $file != *$'\n'* ]] || die "$target: want one .tar output, got: $file"
  archive=$execroot/$file
  [[ -f $archive ]] || die "$target: $archive was not built"
  want=$(tar -xOf "$archive" index.json | jq -r '.manifests[0].digest')

  skopeo --policy "$work/policy.json" copy --quiet --dest-tls-verify=false \
    "oci-archive:$archive" "docker://$ref"

  repo=${ref#"$REGISTRY"/}
  name=${repo%:*} tag=${repo##*:}
  curl -fsS --max-time 10 "http://$REGISTRY/v2/$name/tags/list" |
    jq -e --arg tag "$tag" '.tags | index($tag) != null' >/dev/null ||
    die "$REGISTRY does not list $name:$tag after the push"
  got=$(curl -fsS --max-time 10 -o /dev/null -D - \
    -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
    "http://$REGISTRY/v2/$name/manifests/$tag" |
    awk 'tolower($1) == "docker-content-digest:" {print $2}' | tr -d '\r')
  [[ $got == "$want" ]] || die "$ref: the registry serves $got, we built $want"
  echo "push-images: $ref ($want) from $target"
done

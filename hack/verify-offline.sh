#!/usr/bin/env bash
# Proves the workspace needs no network: a copy of the tree loads and analyzes
# every target of both variants from a brand-new output base inside a network
# namespace that has only loopback, so any repository download would fail.
set -euo pipefail
cd "$(dirname "$0")/.."
scratch=$(mktemp -d /tmp/kl-offline.XXXXXX)
trap 'bazel --output_base="$scratch/base" shutdown >/dev/null 2>&1 || true; rm -rf "$scratch"' EXIT
mkdir -p "$scratch/src"
git ls-files -co --exclude-standard -z | tar --null -T - -cf - | tar -xf - -C "$scratch/src"
unshare --net bash -c '
  set -euo pipefail
  ip link set lo up
  cd "$1/src"
  bazel --output_base="$1/base" build --nobuild //...
  bazel --output_base="$1/base" build --nobuild --config=dockerless //...
' _ "$scratch"
echo "verify-offline: ok (clean output base, no network)"

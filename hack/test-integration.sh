#!/usr/bin/env bash
# Integration tests against real runtimes: starts the loopback registry with
# our images and a private containerd, runs //test/integration/..., and stops
# everything it started, whatever the outcome.
set -euo pipefail
cd "$(dirname "$0")/.."
source hack/lib/images.sh
source hack/lib/containerd.sh

BAZEL=${BAZEL:-bazel}
work=$(mktemp -d /tmp/kl-integration.XXXXXX)
cleanup() {
  containerd_down "$work/containerd" || true
  rm -rf "$work" || true
}
trap cleanup EXIT

hack/registry-up.sh
hack/push-images.sh

mkdir -p "$work/containerd"
containerd_up "$work/containerd"

$BAZEL test ${BAZEL_FLAGS:-} \
  --test_env=KL_TEST_CRI_ENDPOINT="unix://$work/containerd/containerd.sock" \
  --test_env=KL_TEST_BUSYBOX_IMAGE="$BUSYBOX_IMAGE" \
  --test_env=KL_TEST_PAUSE_IMAGE="$PAUSE_IMAGE" \
  --test_tag_filters=integration \
  //test/integration/...

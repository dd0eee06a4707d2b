#!/usr/bin/env bash
# Integration tests against real runtimes: starts the loopback registry with
# our images and a private containerd, runs //test/integration/..., and stops
# everything it started, whatever the outcome.
# BAZEL, BAZEL_STARTUP_FLAGS and BAZEL_FLAGS (word-split) pick Bazel and its
# options (e.g. BAZEL_FLAGS=--config=asan).
set -euo pipefail
cd "$(dirname "$0")/.."
source hack/lib/images.sh
source hack/lib/containerd.sh

read -ra startup_flags <<<"${BAZEL_STARTUP_FLAGS:-}"
read -ra build_flags <<<"${BAZEL_FLAGS:-}"
bazel=("${BAZEL:-bazel}" "${startup_flags[@]}")
# A fixed path keeps Bazel's analysis cache warm between runs.
work=/tmp/kl-integration
if [[ -f $work/containerd/containerd.pid ]]; then containerd_down "$work/containerd"; fi
rm -rf "$work"
mkdir -p "$work"
cleanup() {
  containerd_down "$work/containerd" || true
  rm -rf "$work" || true
}
trap cleanup EXIT

hack/registry-up.sh
hack/push-images.sh

mkdir -p "$work/containerd"
containerd_up "$work/containerd"

"${bazel[@]}" test "${build_flags[@]}" \
  --test_env=KL_TEST_CRI_ENDPOINT="unix://$work/containerd/containerd.sock" \
  --test_env=KL_TEST_BUSYBOX_IMAGE="$BUSYBOX_IMAGE" \
  --test_env=KL_TEST_PAUSE_IMAGE="$PAUSE_IMAGE" \
  --nocache_test_results \
  //test/integration:cri_containerd_test

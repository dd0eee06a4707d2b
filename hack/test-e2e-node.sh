#!/usr/bin/env bash
# Node e2e: the dockerless kubelet against a private containerd, images from
# the loopback registry. Starts what it needs and stops it whatever happens.
# Extra arguments go to `bazel test` (e.g. --test_arg=--gtest_filter=*Crash*).
set -euo pipefail
cd "$(dirname "$0")/.."
source hack/lib/images.sh
source hack/lib/containerd.sh

BAZEL=${BAZEL:-bazel}
work=/tmp/kl-e2e-containerd
cleanup() {
  containerd_down "$work" || true
  rm -rf "$work" /tmp/kl-e2e || true
}
trap cleanup EXIT
if [[ -f $work/containerd.pid ]]; then containerd_down "$work"; fi
rm -rf "$work" && mkdir -p "$work"

hack/registry-up.sh
hack/push-images.sh
containerd_up "$work"

$BAZEL build --config=dockerless //cmd/kubelet
kubelet=$($BAZEL info --config=dockerless execution_root)/$($BAZEL cquery --config=dockerless \
  --output=starlark --starlark:expr='target.files.to_list()[0].path' //cmd/kubelet 2>/dev/null)

$BAZEL test --config=dockerless ${BAZEL_FLAGS:-} \
  --test_env=KL_E2E_KUBELET="$kubelet" \
  --test_env=KL_E2E_CRI_ENDPOINT="unix://$work/containerd.sock" \
  --test_env=KL_E2E_BUSYBOX_IMAGE="$BUSYBOX_IMAGE" \
  --test_env=KL_E2E_PAUSE_IMAGE="$PAUSE_IMAGE" \
  --test_env=KL_E2E_RUNTIME_CTL="$PWD/hack/lib/containerd-ctl.sh $work" \
  --test_output=errors --nocache_test_results \
  //test/e2e_node:kubelet_test "$@"

#!/usr/bin/env bash
# Sets up a node on this machine and runs the dockerless kubelet in the
# foreground against a private containerd, with examples/static-pods as its
# manifest directory. README's main command. Ctrl-C stops the kubelet and
# containerd (the kubelet leaves pods running; this script then removes them
# with containerd).
set -euo pipefail
cd "$(dirname "$0")/.."
source hack/lib/images.sh
source hack/lib/containerd.sh

STATE=${KL_LOCAL_STATE:-/tmp/kl-local-node}
MANIFESTS=${KL_MANIFESTS:-$PWD/examples/static-pods}

hack/install-deps.sh
hack/registry-up.sh
hack/push-images.sh
bazel build --config=dockerless //cmd/kubelet
kubelet=$(bazel info --config=dockerless bazel-bin)/cmd/kubelet/kubelet

mkdir -p "$STATE/containerd"
if [[ -f $STATE/containerd/containerd.pid ]]; then containerd_down "$STATE/containerd"; fi
containerd_up "$STATE/containerd"
trap 'containerd_down "$STATE/containerd"' EXIT

echo "local-up-node: kubelet on unix://$STATE/containerd/containerd.sock, manifests in $MANIFESTS"
echo "local-up-node: try  curl -s http://127.0.0.1:10255/pods | jq '.items[].status'"
"$kubelet" \
  --container-runtime-endpoint="unix://$STATE/containerd/containerd.sock" \
  --pod-manifest-path="$MANIFESTS" \
  --root-dir="$STATE/kubelet" \
  --pod-infra-container-image="$PAUSE_IMAGE" \
  --read-only-port=10255 \
  --v="${KL_V:-2}" "$@" || true

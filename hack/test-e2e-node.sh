#!/usr/bin/env bash
# Node e2e. By default the dockerless kubelet against a private containerd;
# with --runtime=docker the full kubelet running the dockershim in-process
# (--container-runtime=docker) against a private dockerd; with
# --runtime=docker-standalone the dockerless kubelet against the standalone
# dockershim (cmd/dockershim, CNI networking) on that dockerd, as a node runs
# cri-dockerd. Images come from the loopback registry. Starts what it needs and stops it whatever happens.
# Other arguments go to `bazel test` (e.g. --test_arg=--gtest_filter=*Crash*).
# KL_E2E_TARGETS picks the suites (default: both; kubelet_test: the
# scenarios, fault_test: runtime and kubelet crashes, manifest limits).
# BAZEL, BAZEL_STARTUP_FLAGS and BAZEL_FLAGS pick Bazel and its options
# (BAZEL_FLAGS=--config=asan: an ASan kubelet, see hack/test-sanitizers.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
source hack/lib/images.sh
source hack/lib/containerd.sh

runtime=containerd
if [[ ${1:-} == --runtime=* ]]; then
  runtime=${1#--runtime=}
  shift
fi
read -ra targets <<<"${KL_E2E_TARGETS:-//test/e2e_node:kubelet_test //test/e2e_node:fault_test}"
read -ra startup_flags <<<"${BAZEL_STARTUP_FLAGS:-}"
read -ra build_flags <<<"${BAZEL_FLAGS:-}"
bazel=("${BAZEL:-bazel}" "${startup_flags[@]}")

hack/registry-up.sh
hack/push-images.sh

case $runtime in
containerd)
  variant=(--config=dockerless)
  work=/tmp/kl-e2e-containerd
  trap 'containerd_down "$work" || true; rm -rf "$work" "$work-tests" || true' EXIT
  if [[ -f $work/containerd.pid ]]; then containerd_down "$work"; fi
  rm -rf "$work" && mkdir -p "$work"
  containerd_up "$work"
  env=(
    --test_env=KL_E2E_CRI_ENDPOINT="unix://$work/containerd.sock"
    --test_env=KL_E2E_RUNTIME_CTL="$PWD/hack/lib/containerd-ctl.sh $work"
    --test_env=KL_E2E_CNI_IPAM_DIR="$work/cni/ipam"
    --test_env=KL_E2E_READ_ONLY_PORT=10355 --test_env=KL_E2E_HEALTHZ_PORT=10348
  )
  ;;
docker | docker-standalone)
  variant=()
  work=/tmp/kl-e2e-docker
  ds() { DS_TEST_DIR=$work pkg/kubelet/dockershim/test-integration.sh "$@"; }
  trap 'ds down || true; rm -rf "$work-tests" || true' EXIT
  ds up
  env=(
    --test_env=KL_E2E_CRI_ENDPOINT="unix://$work/kubelet-dockershim.sock"
    --test_env=KL_E2E_KUBELET_ARGS="--container-runtime=docker --docker-endpoint=unix://$work/docker/docker.sock --network-plugin=cni --cni-bin-dir=/usr/lib/cni --cni-conf-dir=$work/cni/net.d --experimental-dockershim-root-directory=$work/kubelet-dockershim"
    --test_env=KL_E2E_INPROCESS_RUNTIME=1
    # Without live-restore, dockerd's containers end with it.
    --test_env=KL_E2E_RUNTIME_RESTART_KILLS_PODS=1
    --test_env=KL_E2E_RUNTIME_CTL="$PWD/hack/lib/dockerd-ctl.sh $work"
    --test_env=KL_E2E_CNI_IPAM_DIR="$work/cni/ipam"
    # The standalone dockershim `ds up` started (CNI networking).
    --test_env=KL_E2E_STANDALONE_CRI_ENDPOINT="unix://$work/cni.sock"
    --test_env=KL_E2E_READ_ONLY_PORT=10365 --test_env=KL_E2E_HEALTHZ_PORT=10358
  )
  if [[ $runtime == docker-standalone ]]; then
    # The dockerless kubelet on the standalone dockershim `ds up` started:
    # a dockerd restart leaves that process (and its socket) up.
    variant=(--config=dockerless)
    env=(
      --test_env=KL_E2E_CRI_ENDPOINT="unix://$work/cni.sock"
      --test_env=KL_E2E_RUNTIME_RESTART_KILLS_PODS=1
      --test_env=KL_E2E_RUNTIME_CTL="$PWD/hack/lib/dockerd-ctl.sh $work"
      --test_env=KL_E2E_CNI_IPAM_DIR="$work/cni/ipam"
      --test_env=KL_E2E_READ_ONLY_PORT=10365 --test_env=KL_E2E_HEALTHZ_PORT=10358
    )
  fi
  ;;
*)
  echo "test-e2e-node: unknown runtime $runtime (containerd, docker or docker-standalone)" >&2
  exit 2
  ;;
esac

"${bazel[@]}" build "${variant[@]}" "${build_flags[@]}" //cmd/kubelet
kubelet=$("${bazel[@]}" info "${variant[@]}" "${build_flags[@]}" execution_root 2>/dev/null)/$(
  "${bazel[@]}" cquery "${variant[@]}" "${build_flags[@]}" --output=starlark \
    --starlark:expr='target.files.to_list()[0].path' //cmd/kubelet 2>/dev/null)
# Under --config=asan the kubelet the tests start must be the instrumented one
# (the framework fails a test whose kubelet logs a sanitizer report).
if [[ " ${build_flags[*]} " == *" --config=asan "* ]] && ! readelf -d "$kubelet" | grep -q 'NEEDED.*libasan'; then
  echo "test-e2e-node: --config=asan, but $kubelet is not linked with ASan" >&2
  exit 1
fi

case $runtime in
containerd)
  ctl=hack/lib/containerd-ctl.sh
  runtime_answers() { ctr --address "$work/containerd.sock" version >/dev/null 2>&1; }
  ;;
docker | docker-standalone)
  ctl=hack/lib/dockerd-ctl.sh
  runtime_answers() { curl -sf --unix-socket "$work/docker/docker.sock" http://docker/_ping >/dev/null 2>&1; }
  ;;
esac

# One target at a time: a scenario that restarted the runtime may leave it
# to end with that test binary, so the next target first gets it back.
status=0
for target in "${targets[@]}"; do
  if ! runtime_answers; then
    echo "test-e2e-node: the runtime does not answer before $target: starting it again" >&2
    "$ctl" start "$work"
  fi
  "${bazel[@]}" test "${variant[@]}" "${build_flags[@]}" \
    --test_env=KL_E2E_KUBELET="$kubelet" \
    --test_env=KL_E2E_DIR="$work-tests" \
    --test_env=KL_E2E_BUSYBOX_IMAGE="$BUSYBOX_IMAGE" \
    --test_env=KL_E2E_PAUSE_IMAGE="$PAUSE_IMAGE" \
    "${env[@]}" \
    --test_output=errors --nocache_test_results \
    "$target" "$@" || status=$?
done
exit "$status"

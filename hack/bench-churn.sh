#!/usr/bin/env bash
# Pod churn benchmark (bench/churn.cc): 100 static pods created and removed,
# 5 cycles, through the dockerless kubelet on a private containerd and
# through the full kubelet with its in-process dockershim on a private
# dockerd. Per cycle: wall time, the kubelet's RSS and open fds, the
# runtime's containers and sandboxes left, mounts and pod / pod-log
# directories left; a verdict row per runtime (nothing left, RSS and fds
# flat within 10% from cycle 2 on). One markdown table on stdout, progress
# on stderr; 15-25 minutes on 2 cores.
#
#   hack/bench-churn.sh [containerd|docker|both]    # both by default
#
# Everything it starts is torn down on exit. Runtime harnesses must not
# overlap: run it under `flock /tmp/kl-runtime.lock`. BAZEL,
# BAZEL_STARTUP_FLAGS, BAZEL_FLAGS as for hack/bench.sh; KL_BENCH_ARGS
# (word-split) go to the program (e.g. --pods=20 --cycles=3).
set -euo pipefail
cd "$(dirname "$0")/.."

# Apart from the node e2e's network, as hack/bench.sh.
export KL_CNI_BRIDGE=${KL_CNI_BRIDGE:-klbench0}
export KL_CNI_SUBNET=${KL_CNI_SUBNET:-10.244.251.0/24}
source hack/lib/images.sh
source hack/lib/registry.sh
source hack/lib/containerd.sh

which=${1:-both}
case $which in containerd | docker | both) ;; *)
  echo "usage: $0 [containerd|docker|both]" >&2
  exit 2
  ;;
esac
dir=${KL_BENCH_CHURN_DIR:-/tmp/kl-bench-churn}
ds_work=$dir/docker-env
read -ra startup_flags <<<"${BAZEL_STARTUP_FLAGS:-}"
read -ra build_flags <<<"${BAZEL_FLAGS:-}"
read -ra bench_args <<<"${KL_BENCH_ARGS:-}"
bazel=("${BAZEL:-bazel}" "${startup_flags[@]}")

log() { echo "bench-churn: $*" >&2; }
ds() { DS_TEST_DIR=$ds_work pkg/kubelet/dockershim/test-integration.sh "$@" >&2; }

# A kubelet the churn program left behind (killed), by its pidfile.
stop_kubelet() {
  local pidfile=$1/kubelet/kubelet.pid pid
  [[ -f $pidfile ]] || return 0
  pid=$(<"$pidfile")
  if [[ $pid =~ ^[0-9]+$ ]] && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "--root-dir=$1/"; then
    kill -9 "$pid" 2>/dev/null || true
  fi
}

started_registry=false
cleanup() {
  stop_kubelet "$dir/containerd-run"
  stop_kubelet "$dir/docker-run"
  if [[ -f $dir/containerd/containerd.pid ]]; then containerd_down "$dir/containerd" || true; fi
  if [[ -d /sys/class/net/$KL_CNI_BRIDGE/brif && -z $(ls "/sys/class/net/$KL_CNI_BRIDGE/brif") ]]; then
    ip link delete "$KL_CNI_BRIDGE" 2>/dev/null || true
  fi
  if [[ -d $ds_work ]]; then ds down || true; fi
  # The kubelets' pod volumes (tmpfs of projected/secret volumes), if any.
  local m
  for m in $(awk -v d="$dir/" 'index($2, d) == 1 {print $2}' /proc/self/mounts | sort -r); do
    umount -l "$m" 2>/dev/null || true
  done
  if $started_registry; then hack/registry-down.sh >&2 || true; fi
  rm -rf "$dir"
}
trap cleanup EXIT
if [[ -e $dir ]]; then cleanup; fi
mkdir -p "$dir/bin"

# binary LABEL CONFIG... : builds //cmd/kubelet and //bench:churn with CONFIG
# and copies them to $dir/bin/LABEL-{kubelet,churn} (both variants share
# output paths, so each is copied before the other is built).
build() {
  local label=$1
  shift
  "${bazel[@]}" build "$@" "${build_flags[@]}" //cmd/kubelet //bench:churn >&2
  local bin
  bin=$("${bazel[@]}" info "$@" "${build_flags[@]}" bazel-bin 2>/dev/null)
  cp "$bin/cmd/kubelet/kubelet" "$dir/bin/$label-kubelet"
  cp "$bin/bench/churn" "$dir/bin/$label-churn"
}

if ! registry_pid >/dev/null && ! registry_answers; then started_registry=true; fi
hack/registry-up.sh >&2
BAZEL=${BAZEL:-bazel} BAZEL_STARTUP_FLAGS=${BAZEL_STARTUP_FLAGS:-} BAZEL_FLAGS=${BAZEL_FLAGS:-} \
  hack/push-images.sh >&2

status=0
began=$SECONDS
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
: >"$dir/rows"
common=(--busybox="$BUSYBOX_IMAGE" --pause="$PAUSE_IMAGE")

if [[ $which != docker ]]; then
  log "containerd: building the dockerless kubelet"
  build dockerless --config=dockerless
  mkdir -p "$dir/containerd"
  containerd_up "$dir/containerd"
  "$dir/bin/dockerless-churn" "${common[@]}" --kubelet="$dir/bin/dockerless-kubelet" \
    --endpoint="unix://$dir/containerd/containerd.sock" --dir="$dir/containerd-run" \
    --runtime-name=containerd --watch-mounts="$dir/containerd" --watch-mounts=/run/netns \
    "${bench_args[@]}" >>"$dir/rows" || status=1
  if ((status != 0)); then tail -n 20 "$dir/containerd-run/kubelet/kubelet.log" >&2 || true; fi
  containerd_down "$dir/containerd" || true
fi

if [[ $which != containerd ]]; then
  log "dockerd: building the full kubelet (in-process dockershim)"
  build full
  ds up
  run_status=0
  "$dir/bin/full-churn" "${common[@]}" --kubelet="$dir/bin/full-kubelet" \
    --endpoint="unix://$ds_work/kubelet-dockershim.sock" --dir="$dir/docker-run" \
    --runtime-name="dockerd (in-process dockershim)" \
    --kubelet-arg=--container-runtime=docker \
    --kubelet-arg=--docker-endpoint="unix://$ds_work/docker/docker.sock" \
    --kubelet-arg=--network-plugin=cni --kubelet-arg=--cni-bin-dir=/usr/lib/cni \
    --kubelet-arg=--cni-conf-dir="$ds_work/cni/net.d" \
    --kubelet-arg=--experimental-dockershim-root-directory="$ds_work/kubelet-dockershim" \
    --watch-mounts="$ds_work/docker" "${bench_args[@]}" >>"$dir/rows" || run_status=1
  if ((run_status != 0)); then
    status=1
    tail -n 20 "$dir/docker-run/kubelet/kubelet.log" >&2 || true
  fi
  ds down
fi

load_after=$(cut -d' ' -f1-3 /proc/loadavg)
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
git diff --quiet HEAD 2>/dev/null || commit="$commit+changes"
echo "| runtime | cycle | wall time | kubelet RSS | open fds | containers / sandboxes left | mounts left | pod dirs / pod log dirs left |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
cat "$dir/rows"
echo "| machine | | $(nproc) CPUs; load average $load_before before, $load_after after; kernel $(uname -r); kubelet $commit, --v=0; run took $((SECONDS - began)) s | | | | | |"
exit "$status"

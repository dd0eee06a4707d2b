#!/usr/bin/env bash
# Benchmarks the standalone dockershim against a private dockerd
# (pkg/kubelet/dockershim/bench): p50 / p90 / p99 latency of RunPodSandbox,
# CreateContainer + StartContainer, ListContainers with 100 containers,
# ContainerStatus and ExecSync through our CRI client, beside the same Docker
# Engine API calls made directly through libdocker; the dockershim's RSS idle
# and with 100 containers. Prints one markdown table on stdout, progress on
# stderr; about 3 minutes on 2 cores.
#
# dockerd, the registry and the images come from
# `pkg/kubelet/dockershim/test-integration.sh up` (in KL_BENCH_DS_DIR,
# /tmp/kl-bench-ds); the measured dockershim is one more, at --v=0 on Docker's
# bridge network. Everything is torn down on exit. Runtime harnesses must not
# overlap: run it under `flock /tmp/kl-runtime.lock`.
# BAZEL, BAZEL_STARTUP_FLAGS, BAZEL_FLAGS as for hack/bench.sh;
# KL_BENCH_ARGS (word-split) go to the program (e.g. --repeat=10).
set -euo pipefail
cd "$(dirname "$0")/.."
source hack/lib/images.sh

work=${KL_BENCH_DS_DIR:-/tmp/kl-bench-ds}
read -ra startup_flags <<<"${BAZEL_STARTUP_FLAGS:-}"
read -ra build_flags <<<"${BAZEL_FLAGS:-}"
read -ra bench_args <<<"${KL_BENCH_ARGS:-}"
bazel=("${BAZEL:-bazel}" "${startup_flags[@]}")
target=//pkg/kubelet/dockershim/bench:dockershim_bench

log() { echo "bench-dockershim: $*" >&2; }
die() {
  log "$*"
  exit 1
}
ds() { DS_TEST_DIR=$work pkg/kubelet/dockershim/test-integration.sh "$@" >&2; }

cleanup() {
  local pid
  if pid=$(cat "$work/bench-ds.pid" 2>/dev/null) && kill "$pid" 2>/dev/null; then
    local deadline=$((SECONDS + 20))
    while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  ds down || true
}
trap cleanup EXIT

command -v dockerd >/dev/null || die "dockerd not installed (hack/install-deps.sh)"
ds up
log "building $target"
"${bazel[@]}" build "${build_flags[@]}" "$target" >&2
cp "$("${bazel[@]}" info "${build_flags[@]}" bazel-bin 2>/dev/null)/pkg/kubelet/dockershim/bench/dockershim_bench" \
  "$work/bin/"

sock=$work/bench.sock
"$work/bin/dockershim" --container-runtime-endpoint "unix://$sock" \
  --docker-endpoint "unix://$work/docker/docker.sock" --pod-infra-container-image "$PAUSE_IMAGE" \
  --root-directory "$work/root-bench" --v 0 >"$work/bench-ds.log" 2>&1 &
echo $! >"$work/bench-ds.pid"
deadline=$((SECONDS + 30))
until [[ -S $sock ]]; do
  kill -0 "$(cat "$work/bench-ds.pid")" 2>/dev/null || die "dockershim exited: $(tail -5 "$work/bench-ds.log")"
  ((SECONDS < deadline)) || die "dockershim did not listen in 30s"
  sleep 0.1
done

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
began=$SECONDS
status=0
"$work/bin/dockershim_bench" --endpoint="unix://$sock" \
  --docker-endpoint="unix://$work/docker/docker.sock" --dockershim-pid="$(cat "$work/bench-ds.pid")" \
  --busybox="$BUSYBOX_IMAGE" --pause="$PAUSE_IMAGE" --dir="$work/bench" "${bench_args[@]}" \
  >"$work/rows" || status=1
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
if ((status != 0)); then
  log "last lines of the dockershim's log:"
  tail -n 20 "$work/bench-ds.log" >&2
fi

cpu=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
git diff --quiet HEAD 2>/dev/null || commit="$commit+changes"
echo "| operation | dockershim (CRI): p50 / p90 / p99 | Docker API direct: p50 / p90 / p99 | notes |"
echo "| --- | --- | --- | --- |"
cat "$work/rows"
echo "| machine | $(nproc) CPUs | – | $cpu; load average $load_before before, $load_after after; $(dockerd --version | cut -d, -f1), kernel $(uname -r); dockershim $commit, --v=0; run took $((SECONDS - began)) s |"
exit "$status"

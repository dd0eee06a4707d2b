#!/usr/bin/env bash
# Benchmarks the dockerless kubelet on a private containerd (bench/): static
# pod startup latency beside the direct-CRI floor, RSS and CPU with 0 and 100
# pods, PLEG relist time. Starts the registry (unless one runs) and
# containerd, stops what it started whatever happens, and prints one markdown
# table on stdout; progress goes to stderr. About 6-8 minutes on 2 cores.
#
# BAZEL (bazel), BAZEL_STARTUP_FLAGS and BAZEL_FLAGS (word-split) as for
# hack/push-images.sh, e.g.
#   BAZEL_STARTUP_FLAGS=--output_base=/tmp/ob-bench BAZEL_FLAGS=--symlink_prefix=/tmp/ob-bench-links/ hack/bench.sh
# KL_BENCH_DIR (/tmp/kl-bench) holds all state and is removed at the end;
# KL_BENCH_ARGS (word-split) go to both programs (e.g. --repeat=5 --window=10).
set -euo pipefail
cd "$(dirname "$0")/.."

# Apart from the node e2e's network (kltest0, 10.244.250.0/24): both may run at once.
export KL_CNI_BRIDGE=${KL_CNI_BRIDGE:-klbench0}
export KL_CNI_SUBNET=${KL_CNI_SUBNET:-10.244.251.0/24}
source hack/lib/images.sh
source hack/lib/registry.sh
source hack/lib/containerd.sh

BENCH_DIR=${KL_BENCH_DIR:-/tmp/kl-bench}
read -ra startup_flags <<<"${BAZEL_STARTUP_FLAGS:-}"
read -ra build_flags <<<"${BAZEL_FLAGS:-}"
read -ra bench_args <<<"${KL_BENCH_ARGS:-}"
bazel=("${BAZEL:-bazel}" "${startup_flags[@]}")
targets=(//cmd/kubelet //bench:startup //bench:resources)

log() { echo "bench: $*" >&2; }
die() {
  log "$*"
  exit 1
}

# Network namespaces of this containerd's sandboxes (from their OCI specs).
own_netns() {
  local sock=$BENCH_DIR/containerd/containerd.sock id
  for id in $(ctr --address "$sock" -n k8s.io containers ls -q 2>/dev/null); do
    ctr --address "$sock" -n k8s.io containers info "$id" 2>/dev/null |
      jq -r '.Spec.linux.namespaces[]? | select(.type == "network") | .path // empty' 2>/dev/null |
      xargs -r -n1 basename
  done | sort -u
}

started_registry=false
cleanup() {
  local pidfile pid
  # A kubelet a killed benchmark program left behind (by its pid, if it is ours).
  for pidfile in "$BENCH_DIR"/*/kubelet/kubelet.pid; do
    [[ -f $pidfile ]] || continue
    pid=$(<"$pidfile")
    if [[ $pid =~ ^[0-9]+$ ]] && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "--root-dir=$BENCH_DIR/"; then
      log "stopping kubelet $pid left by a benchmark"
      kill -9 "$pid" 2>/dev/null || true
    fi
  done
  if [[ -f $BENCH_DIR/containerd/containerd.pid ]]; then
    # containerd_down removes every netns made since containerd_up; other
    # runtimes on this machine (the node e2e) may have made some meanwhile:
    # count those as existing before, so only ours go.
    if [[ -f $BENCH_DIR/containerd/netns.before ]]; then
      { ls /run/netns 2>/dev/null || true; } | sort | comm -23 - <(own_netns) \
        >"$BENCH_DIR/containerd/netns.before" || true
    fi
    containerd_down "$BENCH_DIR/containerd" || true
  fi
  # The bridge the CNI plugin made for our network, once nothing is attached.
  if [[ -d /sys/class/net/$KL_CNI_BRIDGE/brif && -z $(ls "/sys/class/net/$KL_CNI_BRIDGE/brif") ]]; then
    ip link delete "$KL_CNI_BRIDGE" 2>/dev/null || true
  fi
  if $started_registry; then hack/registry-down.sh >&2 || true; fi
  rm -rf "$BENCH_DIR"
}
trap cleanup EXIT

command -v containerd >/dev/null || die "containerd not installed (hack/install-deps.sh)"
if [[ -f $BENCH_DIR/containerd/containerd.pid ]]; then cleanup; fi
rm -rf "$BENCH_DIR" && mkdir -p "$BENCH_DIR/containerd"

if ! registry_pid >/dev/null && ! registry_answers; then started_registry=true; fi
hack/registry-up.sh >&2
BAZEL=${BAZEL:-bazel} BAZEL_STARTUP_FLAGS=${BAZEL_STARTUP_FLAGS:-} BAZEL_FLAGS=${BAZEL_FLAGS:-} \
  hack/push-images.sh >&2

log "building ${targets[*]} (dockerless)"
"${bazel[@]}" build --config=dockerless "${build_flags[@]}" "${targets[@]}" >&2
execroot=$("${bazel[@]}" info --config=dockerless "${build_flags[@]}" execution_root 2>/dev/null)
binary() {
  local path
  path=$("${bazel[@]}" cquery --config=dockerless "${build_flags[@]}" --output=starlark \
    --starlark:expr='target.files.to_list()[0].path' "$1" 2>/dev/null)
  [[ -x $execroot/$path ]] || die "$1: no binary at $execroot/$path"
  echo "$execroot/$path"
}
kubelet=$(binary //cmd/kubelet)
startup=$(binary //bench:startup)
resources=$(binary //bench:resources)

containerd_up "$BENCH_DIR/containerd"
common=(
  --kubelet="$kubelet"
  --endpoint="unix://$BENCH_DIR/containerd/containerd.sock"
  --busybox="$BUSYBOX_IMAGE"
  --pause="$PAUSE_IMAGE"
)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
began=$SECONDS
status=0
log "startup latency: the kubelet beside the direct-CRI floor"
"$startup" "${common[@]}" --dir="$BENCH_DIR/startup" "${bench_args[@]}" >"$BENCH_DIR/startup.rows" || status=1
log "RSS, CPU and PLEG relist"
"$resources" "${common[@]}" --dir="$BENCH_DIR/resources" "${bench_args[@]}" >"$BENCH_DIR/resources.rows" || status=1
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
if ((status != 0)); then
  for f in "$BENCH_DIR"/*/kubelet/kubelet.log; do
    [[ -f $f ]] && { log "last lines of $f:"; tail -n 20 "$f" >&2; }
  done
fi

cpu=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
mem=$(awk '/^MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
git diff --quiet HEAD 2>/dev/null || commit="$commit+changes"
echo "| measurement | kubelet | floor (direct CRI) | notes |"
echo "| --- | --- | --- | --- |"
cat "$BENCH_DIR/startup.rows" "$BENCH_DIR/resources.rows" 2>/dev/null || true
echo "| machine | $(nproc) CPUs, $mem | – | $cpu; load average $load_before before, $load_after after; $(containerd --version | awk '{print $1, $3}'), kernel $(uname -r); kubelet $commit, --v=0; run took $((SECONDS - began)) s |"
if ((status != 0)); then log "some runs failed (rows say which); see the log above"; fi
exit "$status"

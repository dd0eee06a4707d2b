#!/usr/bin/env bash
# Integration test of libdocker against a real dockerd of its own: brings up
# the loopback registry with our images, starts a private dockerd under $W
# (data, exec root, socket, pidfile and config all there; no bridge, no
# iptables), runs //pkg/kubelet/dockershim/libdocker:docker_integration_test,
# and whatever the outcome stops dockerd (SIGTERM, then SIGKILL), the
# processes it left under $W, and unmounts everything below $W.
#
# BAZEL (bazel), BAZEL_STARTUP_FLAGS and BAZEL_FLAGS (word-split) pick the
# Bazel binary, its output base and build options, e.g.
#   BAZEL_STARTUP_FLAGS=--output_base=/tmp/ob BAZEL_FLAGS=--symlink_prefix=/tmp/ob-links/
# KL_DOCKER_TEST_DIR moves $W (default /tmp/kl-libdocker; the socket path must
# stay under 108 bytes). KL_DOCKER_STORAGE_DRIVER picks the first storage
# driver to try (overlay2). KEEP_REGISTRY=1 leaves a registry this script
# started running.
set -euo pipefail
cd "$(dirname "$0")/../../../.."
source hack/lib/images.sh
source hack/lib/registry.sh

W=${KL_DOCKER_TEST_DIR:-/tmp/kl-libdocker}
START_TIMEOUT=${DOCKERD_START_TIMEOUT:-60}
STOP_TIMEOUT=${DOCKERD_STOP_TIMEOUT:-30}
STORAGE_DRIVER=${KL_DOCKER_STORAGE_DRIVER:-overlay2} # vfs if it fails
TARGET=//pkg/kubelet/dockershim/libdocker:docker_integration_test

read -ra startup_flags <<<"${BAZEL_STARTUP_FLAGS:-}"
read -ra build_flags <<<"${BAZEL_FLAGS:-}"
bazel=("${BAZEL:-bazel}" "${startup_flags[@]}")

log() { echo "test-integration: $*" >&2; }
die() {
  log "$*"
  exit 1
}

[[ $EUID -eq 0 ]] || die "dockerd needs root"
command -v dockerd >/dev/null || die "dockerd not installed (hack/install-deps.sh)"
[[ $W == /* && $W != / ]] || die "KL_DOCKER_TEST_DIR=$W: want an absolute directory"
((${#W} < 90)) || die "KL_DOCKER_TEST_DIR=$W is too long for a unix socket path"

# Processes whose command line names a path under $W: dockerd, its managed
# containerd and the containerd shims of its containers. Matched by our
# directory, stopped by pid.
pids_under_w() {
  local p cmd
  for p in /proc/[0-9]*; do
    cmd=$(tr '\0' ' ' 2>/dev/null <"$p/cmdline") || continue
    [[ $cmd == *"$W/exec/"* || $cmd == *"--pidfile $W/docker.pid"* ]] && echo "${p#/proc/}"
  done
  return 0
}

# Waits up to $2 seconds for pid $1 to exit (or turn zombie).
wait_gone() {
  local pid=$1 deadline=$((SECONDS + $2))
  while [[ -d /proc/$pid && $(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) != Z ]]; do
    ((SECONDS < deadline)) || return 1
    sleep 0.1
  done
}

# The pid of our dockerd, as its pidfile names it; fails if there is none.
dockerd_pid() {
  local pid cmd
  [[ -f $W/docker.pid ]] || return 1
  pid=$(<"$W/docker.pid")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  cmd=$(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline") || return 1
  [[ $cmd == *dockerd*"--pidfile $W/docker.pid"* ]] || return 1
  echo "$pid"
}

stop_dockerd() {
  local pid p ids id
  pid=${started_pid:-}
  [[ -n $pid ]] || pid=$(dockerd_pid) || pid=
  if [[ -n $pid ]] && [[ -d /proc/$pid ]]; then
    # Containers a failed test left: every container of this private
    # dockerd is ours.
    ids=$(curl -fsS --max-time 10 --unix-socket "$W/docker.sock" "http://d/containers/json?all=1" |
      jq -r '.[].Id' 2>/dev/null) || ids=
    for id in $ids; do
      log "removing leftover container $id"
      curl -fsS --max-time 30 -X DELETE --unix-socket "$W/docker.sock" \
        "http://d/containers/$id?force=1&v=1" >/dev/null || true
    done
    kill -TERM "$pid" 2>/dev/null || true
    if ! wait_gone "$pid" "$STOP_TIMEOUT"; then
      log "dockerd (pid $pid) ignored SIGTERM for ${STOP_TIMEOUT}s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
      wait_gone "$pid" 10 || log "dockerd (pid $pid) still there"
    fi
  fi
  wait "${started_pid:-0}" 2>/dev/null || true
  started_pid=
  # A killed dockerd leaves its containerd and shims behind.
  for p in $(pids_under_w); do
    [[ $p == "$$" ]] && continue
    log "stopping leftover pid $p: $(tr '\0' ' ' 2>/dev/null <"/proc/$p/cmdline" | cut -c1-120)"
    kill -TERM "$p" 2>/dev/null || true
    wait_gone "$p" 5 || kill -KILL "$p" 2>/dev/null || true
  done
  unmount_under_w
}

unmount_under_w() {
  local m
  while read -r m; do
    umount -R "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || log "cannot unmount $m"
  done < <(awk -v d="$W/" 'index($2, d) == 1 {print $2}' /proc/self/mounts | sort -r)
  return 0
}

# start_dockerd DRIVER: starts dockerd with storage DRIVER; waits for /_ping.
start_dockerd() {
  local driver=$1 deadline=$((SECONDS + START_TIMEOUT))
  mkdir -p "$W/data" "$W/exec"
  # Its own (empty) config: /etc/docker/daemon.json is never read.
  echo '{}' >"$W/daemon.json"
  log "starting dockerd (storage $driver) in $W"
  # A clean environment: nothing from the caller (DOCKER_*, XDG_*) applies.
  env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME="$W" \
    dockerd \
    --config-file "$W/daemon.json" \
    --data-root "$W/data" \
    --exec-root "$W/exec" \
    --host "unix://$W/docker.sock" \
    --pidfile "$W/docker.pid" \
    --bridge=none \
    --iptables=false \
    --ip-masq=false \
    --ip-forward=false \
    --userland-proxy=false \
    --shutdown-timeout=5 \
    --storage-driver="$driver" \
    </dev/null >>"$W/dockerd.log" 2>&1 &
  started_pid=$!
  until curl -fsS --max-time 2 --unix-socket "$W/docker.sock" http://d/_ping >/dev/null 2>&1; do
    if ! kill -0 "$started_pid" 2>/dev/null; then
      wait "$started_pid" 2>/dev/null || true
      started_pid=
      log "dockerd (storage $driver) exited; from $W/dockerd.log:"
      tail -n 5 "$W/dockerd.log" >&2
      return 1
    fi
    if ((SECONDS >= deadline)); then
      log "dockerd did not answer within ${START_TIMEOUT}s; from $W/dockerd.log:"
      tail -n 20 "$W/dockerd.log" >&2
      return 1
    fi
    sleep 0.1
  done
  log "dockerd up (pid $started_pid, storage $driver) at unix://$W/docker.sock"
}

started_registry=false
cleanup() {
  local rc=$?
  set +e
  stop_dockerd
  if ((rc != 0)) && [[ -f $W/dockerd.log ]]; then
    log "failed ($rc); the end of $W/dockerd.log:"
    tail -n 30 "$W/dockerd.log" >&2
  fi
  rm -rf "$W"
  if $started_registry && [[ ${KEEP_REGISTRY:-} != 1 ]]; then
    hack/registry-down.sh
  fi
  log "cleaned up (${SECONDS}s in all)"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# What an interrupted run left behind.
started_pid=
stop_dockerd
rm -rf "$W"
mkdir -p "$W"

if [[ -S /run/containerd/containerd.sock ]]; then
  log "note: /run/containerd/containerd.sock exists, so dockerd will use that containerd" \
    "(namespace moby) instead of starting its own"
fi

registry_pid >/dev/null || started_registry=true
t0=$SECONDS
hack/registry-up.sh
hack/push-images.sh
log "registry and images ready in $((SECONDS - t0))s"

t0=$SECONDS
if ! start_dockerd "$STORAGE_DRIVER"; then
  [[ $STORAGE_DRIVER != vfs ]] || die "dockerd did not start"
  stop_dockerd
  rm -rf "$W/data" "$W/exec" "$W/docker.pid" "$W/docker.sock"
  log "$STORAGE_DRIVER failed; falling back to vfs"
  start_dockerd vfs || die "dockerd did not start"
fi
log "dockerd ready in $((SECONDS - t0))s"

t0=$SECONDS
"${bazel[@]}" test "${build_flags[@]}" \
  --test_env=KL_TEST_DOCKER_ENDPOINT="unix://$W/docker.sock" \
  --test_env=KL_TEST_BUSYBOX_IMAGE="$BUSYBOX_IMAGE" \
  --nocache_test_results \
  --test_output=all \
  "$TARGET"
log "$TARGET passed in $((SECONDS - t0))s"

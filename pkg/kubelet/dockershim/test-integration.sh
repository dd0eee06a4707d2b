#!/usr/bin/env bash
# Integration test of the dockershim against a real dockerd of its own:
# private data-root, exec-root, socket, pidfile, config file and bridge; the
# loopback registry with our images; two standalone dockershims (CNI and
# Docker's bridge) on temporary sockets; then
# //pkg/kubelet/dockershim:integration_test through our CRI client.
# Everything it starts or creates is stopped and removed on exit.
#
#   pkg/kubelet/dockershim/test-integration.sh [test|up|run|down|docker-stop|docker-start]
#
# `up` leaves the environment running, `run` runs the tests in it, `down`
# removes it, `test` (the default) does up, run and down; docker-stop and
# docker-start take its dockerd away and bring it back.
# BAZEL, BAZEL_STARTUP_FLAGS and BAZEL_FLAGS pick Bazel and its options.
# DS_WRAPPER (word-split) runs before each standalone dockershim (hack/valgrind.sh
# puts valgrind there); DS_START_TIMEOUT and DS_STOP_TIMEOUT (30 and 20 s) give
# a slow one time to listen and to exit after SIGTERM. A sanitizer report in a
# dockershim's log (an ASan build: BAZEL_FLAGS=--config=asan) fails `down`.
set -euo pipefail
cd "$(dirname "$0")/../../.."
source hack/lib/images.sh
source hack/lib/registry.sh

BAZEL=${BAZEL:-bazel}
read -ra startup_flags <<<"${BAZEL_STARTUP_FLAGS:-}"
read -ra build_flags <<<"${BAZEL_FLAGS:-}"
bazel=("$BAZEL" "${startup_flags[@]}")

work=${DS_TEST_DIR:-/tmp/kl-ds-it}
docker_sock=$work/docker/docker.sock
# Names and subnets of our own, apart from hack/lib/containerd.sh's.
bridge=kldsbr0
bridge_cidr=10.244.252.1/24
cni_bridge=kldscni0
cni_subnet=10.244.253.0/24

log() { echo "test-integration: $*" >&2; }
die() {
  log "$*"
  exit 1
}

# The runc wrapper: this host's root lacks some capabilities (its bounding
# set), so a privileged container's full capability set would fail in runc.
# It drops from the OCI config (or exec process spec) what we cannot grant.
write_runc_wrapper() {
  cat >"$work/bin/kl-runc" <<'WRAPPER'
#!/usr/bin/env bash
# Test-only runc wrapper: intersects the capability sets of a bundle's
# config.json (create/run) or an exec's --process spec with our bounding set.
set -euo pipefail
names=(chown dac_override dac_read_search fowner fsetid kill setgid setuid setpcap
  linux_immutable net_bind_service net_broadcast net_admin net_raw ipc_lock ipc_owner
  sys_module sys_rawio sys_chroot sys_ptrace sys_pacct sys_admin sys_boot sys_nice
  sys_resource sys_time sys_tty_config mknod lease audit_write audit_control setfcap
  mac_override mac_admin syslog wake_alarm block_suspend audit_read perfmon bpf
  checkpoint_restore)
bnd=$((16#$(awk '/^CapBnd/ {print $2}' /proc/self/status)))
allowed=()
for i in "${!names[@]}"; do
  if (((bnd >> i) & 1)); then allowed+=("CAP_${names[i]^^}"); fi
done
allowed_json=$(printf '%s\n' "${allowed[@]}" | jq -R . | jq -s .)
filter() { # filter FILE JQ_PATH
  local tmp
  tmp=$(mktemp "$1.XXXXXX")
  jq --argjson ok "$allowed_json" \
    "if $2 then $2 |= with_entries(.value |= ((. // []) | map(select(. as \$c | \$ok | index(\$c))))) else . end" \
    "$1" >"$tmp"
  mv "$tmp" "$1"
}
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  case ${args[i]} in
  --bundle | -b) [[ -f ${args[i + 1]}/config.json ]] && filter "${args[i + 1]}/config.json" .process.capabilities ;;
  --bundle=*) [[ -f ${args[i]#--bundle=}/config.json ]] && filter "${args[i]#--bundle=}/config.json" .process.capabilities ;;
  --process | -p) [[ -f ${args[i + 1]} ]] && filter "${args[i + 1]}" .capabilities ;;
  --process=*) [[ -f ${args[i]#--process=} ]] && filter "${args[i]#--process=}" .capabilities ;;
  esac
done
exec runc "$@"
WRAPPER
  chmod 0755 "$work/bin/kl-runc"
}

write_cni_config() {
  cat >"$work/cni/net.d/10-klds.conflist" <<JSON
{
  "cniVersion": "0.4.0",
  "name": "klds",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$cni_bridge",
      "isGateway": true,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "dataDir": "$work/cni/ipam",
        "ranges": [[{ "subnet": "$cni_subnet" }]]
      }
    }
  ]
}
JSON
}

docker_up() {
  mkdir -p "$work/docker/data" "$work/docker/exec"
  echo '{"log-driver": "json-file", "log-level": "info"}' >"$work/docker/daemon.json"
  if ! ip link show "$bridge" >/dev/null 2>&1; then
    ip link add "$bridge" type bridge
    ip addr add "$bridge_cidr" dev "$bridge"
    ip link set "$bridge" up
  fi
  # setsid: a dockerd restarted by a node e2e test (docker-start) must outlive
  # that test's process group, which Bazel kills when the test ends.
  setsid dockerd --config-file "$work/docker/daemon.json" \
    --data-root "$work/docker/data" --exec-root "$work/docker/exec" \
    --host "unix://$docker_sock" --pidfile "$work/docker/docker.pid" \
    --bridge="$bridge" --iptables=false --ip-masq=false --ip-forward=false \
    --userland-proxy=false --storage-driver=overlay2 \
    --add-runtime "kl-runc=$work/bin/kl-runc" --default-runtime kl-runc \
    >"$work/docker/dockerd.log" 2>&1 &
  echo $! >"$work/docker/dockerd.launcher.pid"
  local deadline=$((SECONDS + 60))
  until docker -H "unix://$docker_sock" version >/dev/null 2>&1; do
    kill -0 "$(cat "$work/docker/dockerd.launcher.pid")" 2>/dev/null ||
      die "dockerd exited; $work/docker/dockerd.log:"$'\n'"$(tail -20 "$work/docker/dockerd.log")"
    ((SECONDS < deadline)) || die "dockerd did not answer in 60s; see $work/docker/dockerd.log"
    sleep 0.2
  done
  log "dockerd up at unix://$docker_sock"
}

# The PIDs of our dockerd's containerd and shims left behind: processes of
# those programs whose command line names our work directory.
pids_under_work() {
  local p exe cmdline
  for p in /proc/[0-9]*; do
    exe=$(readlink "$p/exe" 2>/dev/null) || continue
    case ${exe##*/} in containerd | containerd-shim* | dockerd | runc) ;; *) continue ;; esac
    cmdline=$(tr '\0' ' ' <"$p/cmdline" 2>/dev/null) || continue
    if [[ $cmdline == *"$work/"* ]]; then echo "${p#/proc/}"; fi
  done
}

dockershim_up() { # dockershim_up NAME ARGS...
  local name=$1
  shift
  local wrapper
  read -ra wrapper <<<"${DS_WRAPPER:-}"
  "${wrapper[@]}" "$work/bin/dockershim" --container-runtime-endpoint "unix://$work/$name.sock" \
    --docker-endpoint "unix://$docker_sock" --pod-infra-container-image "$PAUSE_IMAGE" \
    --root-directory "$work/root-$name" --v 4 "$@" >"$work/$name.log" 2>&1 &
  echo $! >"$work/$name.pid"
  local timeout=${DS_START_TIMEOUT:-30}
  local deadline=$((SECONDS + timeout))
  until [[ -S $work/$name.sock ]]; do
    kill -0 "$(cat "$work/$name.pid")" 2>/dev/null || die "dockershim $name exited: $(tail -5 "$work/$name.log")"
    ((SECONDS < deadline)) || die "dockershim $name did not listen in ${timeout}s"
    sleep 0.1
  done
}

up() {
  [[ ! -e $work ]] || down
  mkdir -p "$work/bin" "$work/cni/net.d" "$work/cni/ipam"
  local registry_was_up=false
  if registry_pid >/dev/null; then registry_was_up=true; fi
  hack/registry-up.sh
  # Only a registry we started is ours to stop.
  if ! $registry_was_up; then touch "$work/registry.ours"; fi
  BAZEL_STARTUP_FLAGS="${startup_flags[*]}" BAZEL_FLAGS="${build_flags[*]}" hack/push-images.sh
  "${bazel[@]}" build "${build_flags[@]}" //cmd/dockershim
  cp "$("${bazel[@]}" info "${build_flags[@]}" bazel-bin 2>/dev/null)/cmd/dockershim/dockershim" "$work/bin/"
  write_runc_wrapper
  write_cni_config
  docker_up
  dockershim_up cni --network-plugin cni --cni-bin-dir /usr/lib/cni --cni-conf-dir "$work/cni/net.d"
  dockershim_up bridge
  log "dockershims up: unix://$work/cni.sock (CNI), unix://$work/bridge.sock (Docker bridge)"
}

stop_pidfile() { # stop_pidfile FILE [TIMEOUT]: SIGTERM, then SIGKILL after TIMEOUT (20) s
  local pid
  pid=$(cat "$1" 2>/dev/null) || return 0
  if kill "$pid" 2>/dev/null; then
    local deadline=$((SECONDS + ${2:-20}))
    while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$1"
}

down() {
  [[ -d $work ]] || return 0
  stop_pidfile "$work/cni.pid" "${DS_STOP_TIMEOUT:-20}"
  stop_pidfile "$work/bridge.pid" "${DS_STOP_TIMEOUT:-20}"
  # ASan/LSan/UBSan write their reports (leaks: at exit) to the log we are
  # about to remove: show them and fail.
  local name reported=false
  for name in cni bridge; do
    if grep -qE 'ERROR: (Address|Leak)Sanitizer|:[0-9]+:[0-9]+: runtime error: ' "$work/$name.log" 2>/dev/null; then
      log "dockershim $name reported (from $work/$name.log):"
      sed -n '/ERROR: \(Address\|Leak\)Sanitizer\|:[0-9]*:[0-9]*: runtime error: /,/^SUMMARY: /p' "$work/$name.log" | head -200 >&2
      reported=true
    fi
  done
  if [[ -S $docker_sock ]]; then
    local ids
    ids=$(docker -H "unix://$docker_sock" ps -aq 2>/dev/null || true)
    [[ -z $ids ]] || docker -H "unix://$docker_sock" rm -f $ids >/dev/null 2>&1 || true
  fi
  stop_pidfile "$work/docker/dockerd.launcher.pid"
  local pid
  for pid in $(pids_under_work); do kill -9 "$pid" 2>/dev/null || true; done
  local m
  for m in $(awk -v d="$work/" 'index($2, d) == 1 {print $2}' /proc/self/mounts | sort -r); do
    umount -l "$m" 2>/dev/null || true
  done
  ip link del "$cni_bridge" 2>/dev/null || true
  ip link del "$bridge" 2>/dev/null || true
  if [[ -e $work/registry.ours ]]; then
    hack/registry-down.sh >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
  log "removed $work, its dockerd, dockershims, bridges and mounts"
  if $reported; then die "a dockershim reported a sanitizer error"; fi
}

run_test() {
  "${bazel[@]}" test "${build_flags[@]}" --nocache_test_results --test_output=errors \
    --test_env=KL_TEST_DS_ENDPOINT="unix://$work/cni.sock" \
    --test_env=KL_TEST_DS_BRIDGE_ENDPOINT="unix://$work/bridge.sock" \
    --test_env=KL_TEST_DOCKER_ENDPOINT="unix://$docker_sock" \
    --test_env=KL_TEST_DS_WORK="$work" \
    --test_env=KL_TEST_CNI_CONF_DIR="$work/cni/net.d" \
    --test_env=KL_TEST_CNI_IPAM_DIR="$work/cni/ipam" \
    --test_env=KL_TEST_BUSYBOX_IMAGE="$BUSYBOX_IMAGE" \
    --test_env=KL_TEST_PAUSE_IMAGE="$PAUSE_IMAGE" \
    --test_env=KL_TEST_CNI_SUBNET_PREFIX="${cni_subnet%.*}." \
    --test_env=KL_TEST_BRIDGE_SUBNET_PREFIX="${bridge_cidr%.*}." \
    //pkg/kubelet/dockershim:integration_test \
    //pkg/kubelet/dockershim:integration_security_test \
    //pkg/kubelet/dockershim:integration_stats_test \
    //pkg/kubelet/dockershim:integration_streaming_test \
    //pkg/kubelet/dockershim:integration_restart_test
}

case ${1:-test} in
up) up ;;
# For the node e2e's runtime-outage scenario: dockerd goes away and back.
docker-stop) stop_pidfile "$work/docker/dockerd.launcher.pid" ;;
docker-start) docker_up ;;
run) run_test ;;
down) down ;;
test)
  trap down EXIT
  up
  run_test
  ;;
*) die "usage: $0 [test|up|run|down]" ;;
esac

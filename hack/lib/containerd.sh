# containerd for tests: its own config, root, state, socket and CNI network
# under one directory, so it never touches a system containerd.
# Source this file; it defines containerd_up DIR and containerd_down DIR.
# Needs PAUSE_IMAGE (hack/lib/images.sh) and a registry on REGISTRY (host:port).

KL_CNI_SUBNET=${KL_CNI_SUBNET:-10.244.250.0/24}
KL_CNI_BRIDGE=${KL_CNI_BRIDGE:-kltest0}

_containerd_config() {
  local dir=$1
  mkdir -p "$dir/root" "$dir/state" "$dir/opt" "$dir/cni/net.d" "$dir/cni/ipam" \
    "$dir/certs.d/$REGISTRY"
  # Our loopback registry speaks plain HTTP.
  cat >"$dir/certs.d/$REGISTRY/hosts.toml" <<TOML
server = "http://$REGISTRY"

[host."http://$REGISTRY"]
  capabilities = ["pull", "resolve", "push"]
  skip_verify = true
TOML
  cat >"$dir/cni/net.d/10-kltest.conflist" <<JSON
{
  "cniVersion": "0.4.0",
  "name": "kltest",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$KL_CNI_BRIDGE",
      "isGateway": true,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "dataDir": "$dir/cni/ipam",
        "ranges": [[{ "subnet": "$KL_CNI_SUBNET" }]]
      }
    }
  ]
}
JSON
  cat >"$dir/config.toml" <<TOML
version = 2
root = "$dir/root"
state = "$dir/state"

[grpc]
  address = "$dir/containerd.sock"

[ttrpc]
  address = "$dir/containerd.sock.ttrpc"

[debug]
  level = "info"

[plugins."io.containerd.internal.v1.opt"]
  path = "$dir/opt"

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMAGE"
  # Without CAP_SYS_RESOURCE no process may set a negative oom_score_adj.
  restrict_oom_score_adj = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  enable_selinux = false
  disable_apparmor = true

  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"

    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"

  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$dir/cni/net.d"

  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = "$dir/certs.d"
TOML
}

# containerd_up DIR: starts containerd and waits (30 s at most) for its CRI
# plugin to answer. Its socket: DIR/containerd.sock.
containerd_up() {
  local dir=$1
  _containerd_config "$dir"
  { ls /run/netns 2>/dev/null || true; } | sort >"$dir/netns.before"
  containerd --config "$dir/config.toml" >"$dir/containerd.log" 2>&1 &
  echo $! >"$dir/containerd.pid"
  disown $! # its end is ours to report, not the shell's
  local deadline=$((SECONDS + 30))
  until ctr --address "$dir/containerd.sock" version >/dev/null 2>&1 &&
    grep -q 'serving...' "$dir/containerd.log" 2>/dev/null &&
    ! grep -q 'failed to load plugin io.containerd.grpc.v1.cri' "$dir/containerd.log"; do
    if ! kill -0 "$(cat "$dir/containerd.pid")" 2>/dev/null; then
      echo "containerd exited; log follows:" >&2
      tail -20 "$dir/containerd.log" >&2
      return 1
    fi
    if ((SECONDS > deadline)); then
      echo "containerd did not come up in 30s; log: $dir/containerd.log" >&2
      return 1
    fi
    sleep 0.1
  done
}

# containerd_down DIR: removes every pod sandbox the CRI plugin still has,
# stops containerd, and unmounts whatever it left under DIR.
containerd_down() {
  local dir=$1
  local pid
  pid=$(cat "$dir/containerd.pid" 2>/dev/null) || return 0
  if kill -0 "$pid" 2>/dev/null; then
    # Tasks left by a failed test: kill them so their shims exit.
    local ns
    for ns in $(ctr --address "$dir/containerd.sock" namespaces ls -q 2>/dev/null); do
      local task
      for task in $(ctr --address "$dir/containerd.sock" -n "$ns" tasks ls -q 2>/dev/null); do
        ctr --address "$dir/containerd.sock" -n "$ns" tasks kill -s SIGKILL "$task" >/dev/null 2>&1 || true
      done
    done
    kill "$pid"
    local deadline=$((SECONDS + 20))
    while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  # Shims of tasks still running outlive containerd; they belong to this DIR.
  pkill -9 -f "containerd-shim-runc-v2 .*-address $dir/containerd.sock" 2>/dev/null || true
  local m
  for m in $(awk -v d="$dir" 'index($2, d) == 1 {print $2}' /proc/self/mounts | sort -r); do
    umount -l "$m" 2>/dev/null || true
  done
  # Network namespaces the CRI plugin made for pods of this instance and
  # that a failed test left behind (new since containerd_up).
  local ns
  for ns in $({ ls /run/netns 2>/dev/null || true; } | sort | comm -13 "$dir/netns.before" - 2>/dev/null); do
    case $ns in cni-*) umount -l "/run/netns/$ns" 2>/dev/null; rm -f "/run/netns/$ns" ;; esac
  done
  rm -f "$dir/containerd.pid"
}


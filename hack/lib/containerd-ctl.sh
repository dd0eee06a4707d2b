#!/usr/bin/env bash
# containerd-ctl.sh stop|kill|start DIR: lets an e2e test take the runtime
# away (both SIGKILL, as a crash: shims and tasks live on) and bring it back
# with the config hack/lib/containerd.sh wrote.
set -euo pipefail
dir=$2
case $1 in
  stop | kill)
    pid=$(cat "$dir/containerd.pid")
    kill -9 "$pid"
    # Until it is gone or a zombie (10 s at most).
    for _ in $(seq 200); do
      [[ $(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null || echo Z) != Z ]] || break
      sleep 0.05
    done
    ;;
  start)
    # setsid: it must outlive the calling test's process group, which Bazel
    # kills when the test ends (the next e2e target needs containerd).
    setsid containerd --config "$dir/config.toml" >>"$dir/containerd.log" 2>&1 &
    echo $! >"$dir/containerd.pid"
    deadline=$((SECONDS + 30))
    until ctr --address "$dir/containerd.sock" version >/dev/null 2>&1; do
      ((SECONDS < deadline)) || { echo "containerd did not come back" >&2; exit 1; }
      sleep 0.1
    done
    ;;
  *) echo "usage: $0 stop|kill|start DIR" >&2; exit 2 ;;
esac

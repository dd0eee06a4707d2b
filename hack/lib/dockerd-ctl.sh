#!/usr/bin/env bash
# dockerd-ctl.sh stop|kill|start DIR: lets an e2e test take the private dockerd
# of pkg/kubelet/dockershim/test-integration.sh (state in DIR) away (stop:
# SIGTERM, its containers end; kill: SIGKILL, as a crash) and back.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [[ $1 == kill ]]; then
  pid=$(cat "$2/docker/dockerd.launcher.pid")
  kill -9 "$pid"
  # Until it is gone or a zombie (10 s at most).
  for _ in $(seq 200); do
    [[ $(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null || echo Z) != Z ]] || break
    sleep 0.05
  done
  rm -f "$2/docker/dockerd.launcher.pid"
  exit 0
fi
DS_TEST_DIR=$2 exec pkg/kubelet/dockershim/test-integration.sh "docker-$1"

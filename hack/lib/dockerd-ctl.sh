#!/usr/bin/env bash
# dockerd-ctl.sh stop|start DIR: lets an e2e test take the private dockerd of
# pkg/kubelet/dockershim/test-integration.sh (state in DIR) away and back.
set -euo pipefail
cd "$(dirname "$0")/../.."
DS_TEST_DIR=$2 exec pkg/kubelet/dockershim/test-integration.sh "docker-$1"

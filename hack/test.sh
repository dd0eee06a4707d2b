#!/usr/bin/env bash
# Every test, README's test command and what CI runs: the offline check, the
# presubmit (format, both builds and unit test runs through a loopback remote
# cache, the dockerless audits and their planted-violation tests, the node e2e
# on containerd), then the integration suites against real runtimes and the
# node e2e through the in-process dockershim on dockerd. Every suite runs even
# when an earlier one failed; the last line counts them.
set -uo pipefail
cd "$(dirname "$0")/.."

hack/install-deps.sh || exit 1

passed=0
failed=()
suite() { # suite NAME COMMAND...
  local name=$1
  shift
  echo "==== $name: $*"
  local start=$SECONDS
  if "$@"; then
    passed=$((passed + 1))
    echo "==== $name: PASS ($((SECONDS - start))s)"
  else
    failed+=("$name")
    echo "==== $name: FAIL ($((SECONDS - start))s)"
  fi
}

suite offline hack/verify-offline.sh
suite presubmit hack/presubmit.sh --with-audit-tests
suite cri-containerd hack/test-integration.sh
suite libdocker pkg/kubelet/dockershim/libdocker/test-integration.sh
suite dockershim pkg/kubelet/dockershim/test-integration.sh
suite e2e-node-docker hack/test-e2e-node.sh --runtime=docker

((${#failed[@]} == 0)) || echo "failed suites: ${failed[*]}"
echo "test: $passed passed, ${#failed[@]} failed"
((${#failed[@]} == 0))

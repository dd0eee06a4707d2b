#!/usr/bin/env bash
# Every test, README's test command and what CI runs: the offline check, the
# presubmit (format, both builds and unit test runs through a loopback remote
# cache, the dockerless audits and their planted-violation tests, the node e2e
# on containerd), every fuzz target for 60 s, then the integration suites
# against real runtimes, the node e2e through the in-process and the
# standalone dockershim on dockerd, and the sanitizer runs (unit tests under ASan and UBSan, the node
# e2e with an ASan kubelet). Every suite runs even when an earlier one failed;
# the last line counts them.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

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
# libFuzzer targets built with clang in their own output base, 60 s each,
# one per CPU at a time (11 targets: about 6 minutes); fails on any crash.
suite fuzz hack/fuzz.sh --time=60
suite cri-containerd hack/test-integration.sh
suite libdocker pkg/kubelet/dockershim/libdocker/test-integration.sh
suite dockershim pkg/kubelet/dockershim/test-integration.sh
# The node e2e scenarios through the in-process dockershim, then the fault
# scenarios only dockerd has (the others are runtime-neutral and ran on
# containerd in the presubmit).
suite e2e-node-docker env KL_E2E_TARGETS=//test/e2e_node:kubelet_test \
  hack/test-e2e-node.sh --runtime=docker
suite e2e-node-docker-faults env KL_E2E_TARGETS=//test/e2e_node:fault_test \
  hack/test-e2e-node.sh --runtime=docker --test_arg=--gtest_filter='DockerdRestart.*'
# The same scenarios with the dockerless kubelet on the standalone dockershim
# (as a node runs cri-dockerd).
suite e2e-node-docker-standalone env KL_E2E_TARGETS=//test/e2e_node:kubelet_test \
  hack/test-e2e-node.sh --runtime=docker-standalone
# Every unit test under ASan + LSan and under UBSan (the full variant, which
# holds every test the dockerless one has: two rebuilds in output directories
# of their own), then the containerd node e2e scenarios once with an ASan
# kubelet (a report in its log fails the test).
suite sanitizers env KL_SANITIZER_RUNS="asan ubsan" hack/test-sanitizers.sh
suite e2e-node-asan env BAZEL_FLAGS="${BAZEL_FLAGS:-} --config=asan" \
  KL_E2E_TARGETS=//test/e2e_node:kubelet_test hack/test-e2e-node.sh

((${#failed[@]} == 0)) || echo "failed suites: ${failed[*]}"
echo "test: $passed passed, ${#failed[@]} failed"
((${#failed[@]} == 0))

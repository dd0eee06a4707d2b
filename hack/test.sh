#!/usr/bin/env bash
# Every test: unit tests of both build variants, the offline check and the
# integration tests against real runtimes. README's test command.
set -euo pipefail
cd "$(dirname "$0")/.."

hack/install-deps.sh
hack/verify-offline.sh

echo "== unit tests, full build"
bazel test //...
echo "== unit tests, dockerless build"
bazel test --config=dockerless //...
echo "== integration tests"
hack/test-integration.sh
echo "== node e2e: dockerless kubelet on containerd"
hack/test-e2e-node.sh
echo "test: all suites passed"

#!/usr/bin/env bash
# Planted violation for hack/verify-dockerless-build.sh: a kubelet unit test
# that only passes when the dockershim is linked in.
source "$(dirname "$(readlink -f "$0")")/lib.sh"
at_begin
audit=verify-dockerless-build

plant_write pkg/kubelet/planted/BUILD.bazel 'load("//bazel:select.bzl", "if_dockerless")

sh_test(
    name = "needs_docker_test",
    size = "small",
    srcs = ["needs_docker_test.sh"],
    env = if_dockerless({"DOCKERLESS": "1"}, {}),
)'
plant_write pkg/kubelet/planted/needs_docker_test.sh '#!/bin/sh
[ -z "${DOCKERLESS:-}" ] || { echo "this test assumes Docker support" >&2; exit 1; }'
chmod +x "$AT_SRC/pkg/kubelet/planted/needs_docker_test.sh"
expect_fail "a kubelet test that fails without the dockershim" $audit \
  "FAIL test-dockerless" \
  "//pkg/kubelet/planted:needs_docker_test"
plant_revert
at_end

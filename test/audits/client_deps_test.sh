#!/usr/bin/env bash
# Planted violation for hack/verify-docker-client-deps.sh: the Docker client's
# visibility opened up and an edge from //pkg/kubelet/kuberuntime to it.
# Also shows the rule's one exemption: a test outside the dockershim that
# reaches the client only through an entry point binary passes.
source "$(dirname "$(readlink -f "$0")")/lib.sh"
at_begin
audit=verify-docker-client-deps

open_libdocker ()
{
  plant_edit pkg/kubelet/dockershim/libdocker/BUILD.bazel \
    's{(name = "libdocker",.*?visibility = )\[[^\]]*\]}{$1\["//visibility:public"\]}s'
}

open_libdocker
plant_edit pkg/kubelet/kuberuntime/BUILD.bazel \
  's{(cc_library\(\s*name = "kuberuntime",.*?deps = \[)}{$1\n        "//pkg/kubelet/dockershim/libdocker",}s'
expect_fail "edge //pkg/kubelet/kuberuntime -> libdocker (visibility opened)" $audit \
  "FAIL //pkg/kubelet/kuberuntime:kuberuntime depends on the Docker client directly" \
  "//pkg/kubelet/kuberuntime:kuberuntime" \
  "//pkg/kubelet:kubelet reaches the Docker client" \
  "move the code into pkg/kubelet/dockershim"
plant_revert

plant_write test/e2e_node/planted/BUILD.bazel 'sh_test(
    name = "dockershim_smoke_test",
    srcs = ["smoke.sh"],
    data = ["//cmd/dockershim"],
    tags = ["manual"],
)'
plant_write test/e2e_node/planted/smoke.sh 'exit 0'
expect_pass "a test reaching the client only through //cmd/dockershim is allowed" $audit
plant_revert
at_end

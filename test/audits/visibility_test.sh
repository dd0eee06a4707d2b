#!/usr/bin/env bash
# Planted violations for hack/verify-dockerless-visibility.sh: the Docker
# client's, then the dockershim's, visibility opened to everyone, so Bazel
# would accept an edge from the kubelet core.
source "$(dirname "$(readlink -f "$0")")/lib.sh"
at_begin
audit=verify-dockerless-visibility

plant_edit pkg/kubelet/dockershim/libdocker/BUILD.bazel \
  's{(name = "libdocker",.*?visibility = )\[[^\]]*\]}{$1\["//visibility:public"\]}s'
expect_fail "libdocker visible to //visibility:public" $audit \
  "Bazel accepts an edge from //pkg/kubelet to //pkg/kubelet/dockershim/libdocker:libdocker" \
  "//pkg/kubelet/kuberuntime:visibility_probe_pkg_kubelet_dockershim_libdocker_libdocker"
plant_revert

plant_edit pkg/kubelet/dockershim/BUILD.bazel \
  's{(name = "dockershim",.*?visibility = )\[[^\]]*\]}{$1\["//visibility:public"\]}s'
expect_fail "the dockershim visible to //visibility:public" $audit \
  "Bazel accepts an edge from //pkg/kubelet to //pkg/kubelet/dockershim:dockershim"
plant_revert
at_end

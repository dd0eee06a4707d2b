#!/usr/bin/env bash
# Planted violation for hack/verify-dockerless-cquery.sh: a select() branch
# that links the dockershim into the dockerless kubelet. The unconfigured
# query audit cannot see it (cmd/kubelet is an entry point there); the
# configured one must.
source "$(dirname "$(readlink -f "$0")")/lib.sh"
at_begin
audit=verify-dockerless-cquery

# The deps' if_dockerless(DOCKERLESS, FULL): make the dockerless branch the
# dockershim's registration.
plant_edit cmd/kubelet/BUILD.bazel \
  's{(\+ if_dockerless\(\s*)\[[^\]]*\]}{$1\["//pkg/kubelet/dockershim:inprocess"\]}s'
expect_fail "dockerless select() branch in cmd/kubelet links //pkg/kubelet/dockershim:inprocess" $audit \
  "the dockerless kubelet reaches the dockershim" \
  "//cmd/kubelet:kubelet (" \
  "//pkg/kubelet/dockershim:inprocess (" \
  "if_dockerless()"
expect_pass "the unconfigured query audit allows it (cmd/kubelet is an entry point)" verify-docker-client-deps
plant_revert
at_end

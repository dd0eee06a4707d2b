#!/usr/bin/env bash
# Planted violation for hack/verify-dockerless-binary.sh: a docker_* function
# (returning a Docker Engine API path) compiled into the kubelet core, so it
# lands in the dockerless binary.
source "$(dirname "$(readlink -f "$0")")/lib.sh"
at_begin
audit=verify-dockerless-binary

plant_append pkg/kubelet/kubelet.c '
/* Planted by test/audits/binary_test.sh. */
const char *docker_planted_violation (void);
const char *
docker_planted_violation (void)
{
  return "/v1.41/containers/create";
}'
expect_fail "docker_planted_violation () in pkg/kubelet/kubelet.c" $audit \
  "dockerless kubelet contains symbol docker_planted_violation" \
  "//pkg/kubelet:kubelet (pkg/kubelet/_objs/kubelet/" \
  "//cmd/kubelet:kubelet (" \
  "the string \"/containers/create\""
plant_revert
at_end

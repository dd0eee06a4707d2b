#!/usr/bin/env bash
# Planted violations for hack/verify-dockerless-sources.sh: a dockershim
# #include in pkg/kubelet/pleg, a Docker Engine API path in pkg/kubelet, an
# #ifdef on Docker, and Docker json-file log parsing in the kubelet core.
source "$(dirname "$(readlink -f "$0")")/lib.sh"
at_begin
audit=verify-dockerless-sources

pleg=$(cd "$AT_SRC" && ls pkg/kubelet/pleg/*.c | head -1)
plant_append "$pleg" '#include "pkg/kubelet/dockershim/libdocker/client.h"'
expect_fail "#include of a dockershim header in $pleg" $audit "$pleg:$(line_count "$pleg")" "include:"
plant_revert

f=pkg/kubelet/kuberuntime/images.c
plant_append $f 'static const char kl_planted_api_path[] = "/v1.41/containers/create";'
expect_fail "Docker API path string in $f" $audit "$f:$(line_count $f)" "docker-api:"
plant_revert

f=pkg/kubelet/kubelet.c
plant_append $f $'#ifdef KL_WITH_DOCKER\nstatic int kl_planted_docker_mode;\n#endif'
expect_fail "#ifdef on Docker in $f" $audit "$f:$(($(line_count $f) - 2))" "ifdef-docker:"
plant_revert

f=$(cd "$AT_SRC" && ls pkg/kubelet/logs/*.c | head -1)
plant_append "$f" 'static const char *kl_planted_log (json_t *o) { return json_string_value (json_object_get (o, "log")); }'
expect_fail "Docker json-file log parsing in $f" $audit "$f:$(line_count "$f")" "docker-log:"
plant_revert

expect_pass "the scratch copy passes again after the plants are reverted" $audit
at_end

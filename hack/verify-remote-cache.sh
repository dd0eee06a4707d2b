#!/usr/bin/env bash
# Proves the remote cache serves an unchanged tree: builds //... with
# --config=remote-cache, runs `bazel clean`, builds //... again, and asserts
# the second build had remote cache hits (printing both builds' counts, from
# Bazel's "INFO: N processes: X remote cache hit, ..." line).
#
# It uses the cache at $KL_REMOTE_CACHE_URL if set (hack/presubmit.sh sets it),
# else starts a loopback one (hack/lib/remote-cache.sh) for the run. It builds
# a snapshot of the workspace (git's view of it, copied to a temp dir, so the
# tree is unchanged between the two builds) in an output base of its own
# (shut down and removed afterwards), so `bazel clean` never touches yours;
# BAZEL_STARTUP_FLAGS' other flags and BAZEL_BUILD_FLAGS still apply.
# Usage: hack/verify-remote-cache.sh [WORKSPACE]
set -uo pipefail
hack=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$hack/lib/audit.sh"
source "$hack/lib/remote-cache.sh"
audit_init verify-remote-cache "${1:-}"

if [[ -z ${KL_REMOTE_CACHE_URL:-} ]]; then
  remote_cache_up || audit_error "could not start the loopback remote cache"
  audit_on_exit remote_cache_down
fi

# Build a snapshot of the tree, so that both builds see the same sources even
# while someone keeps editing the workspace (action keys hold only paths
# relative to the execution root, so the snapshot shares the workspace's
# cache entries).
audit_copy_workspace "$AUDIT_WS" "$AUDIT_TMP/src"
AUDIT_WS=$AUDIT_TMP/src

# Our own output base, whatever the caller's is.
startup=()
for f in "${AUDIT_STARTUP[@]}"; do [[ $f == --output_base=* ]] || startup+=("$f"); done
AUDIT_STARTUP=("${startup[@]}" --output_base="$AUDIT_TMP/output_base")
audit_on_exit 'bz shutdown >/dev/null 2>&1'
AUDIT_BUILD_FLAGS+=(--config=remote-cache --remote_cache="$KL_REMOTE_CACHE_URL")

build ()
{
  local log=$AUDIT_TMP/$1.log start=$SECONDS
  bz_logged "$log" build //... || audit_error "bazel build //... ($1) failed" "$log"
  read -r hits total < <(audit_hit_counts "$log")
  audit_ok "$1: bazel build --config=remote-cache //... ($((SECONDS - start))s): $hits remote cache hits of $total processes"
}

build first-build
first_build_hits=$hits first_build_total=$total
bz_logged "$AUDIT_TMP/clean.log" clean || audit_error "bazel clean failed" "$AUDIT_TMP/clean.log"
audit_ok "bazel clean"
build second-build
second_build_hits=$hits second_build_total=$total

summary="first build: $first_build_hits/$first_build_total remote cache hits, after bazel clean: $second_build_hits/$second_build_total"
if ((second_build_hits == 0)); then
  audit_violation "the build after bazel clean had no remote cache hits ($KL_REMOTE_CACHE_URL)" "" \
    "check that the cache accepts PUTs (curl -X PUT --data x $KL_REMOTE_CACHE_URL/cas/test) and that nothing in the action keys changes between builds (absolute paths, --action_env, stamping)"
elif ((second_build_hits < second_build_total)); then
  audit_ok "not from the cache after clean: $((second_build_total - second_build_hits)) processes (uncacheable or cache misses)"
fi
audit_finish "$summary"

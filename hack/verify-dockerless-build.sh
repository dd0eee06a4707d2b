#!/usr/bin/env bash
# Audit 1: both build variants build, and the kubelet's unit tests pass in the
# dockerless configuration:
#   bazel build //...
#   bazel build --config=dockerless //...
#   bazel test  --config=dockerless //pkg/kubelet/...
# Usage: hack/verify-dockerless-build.sh [WORKSPACE]   (see hack/lib/audit.sh)
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/audit.sh"
audit_init verify-dockerless-build "${1:-}"

# step NAME FIX COMMAND...: runs one bazel command and reports it.
step ()
{
  local name=$1 fix=$2
  shift 2
  local log=$AUDIT_TMP/$name.log
  local start=$SECONDS
  if bz_logged "$log" "$@"; then
    audit_ok "$name: bazel $* ($((SECONDS - start))s$(audit_remote_enabled && printf '; %s' "$(audit_hit_ratio "$log")"))"
    return 0
  fi
  # The failing targets: test summary lines, analysis errors ("in cc_library
  # rule //x:y") and action errors, named by the BUILD file line that declares them.
  local failed
  failed=$( {
    grep -oE '^//[^ ]+ +(FAILED|NO STATUS|TIMEOUT|FAILED TO BUILD|INCOMPLETE)' "$log" | awk '{print $1}'
    grep -oE 'in [a-z_]+ rule //[^ :]*:[^ :]+' "$log" | awk '{print $4}'
    grep -E '^ERROR: /[^ ]+/BUILD(\.bazel)?:[0-9]+:[0-9]+: ' "$log" |
      sed -E "s|^ERROR: $AUDIT_WS/([^ ]*)/BUILD(\.bazel)?:([0-9]+):.*|//\1 (declared at \1/BUILD\2:\3)|" | grep '^//'
  } | awk '!seen[$0]++')
  # A failing dockerless test: does it fail in the full build too?
  if [[ $1 == test && -n $failed ]]; then
    local tests only_dockerless="" both=""
    tests=$(grep -oE '^//[^ ]+' <<<"$failed")
    bz_logged "$AUDIT_TMP/$name-full.log" test --keep_going $tests
    for t in $tests; do
      if grep -qE "^$t +(FAILED|NO STATUS|TIMEOUT)" "$AUDIT_TMP/$name-full.log"; then both+=" $t"; else only_dockerless+=" $t"; fi
    done
    if [[ -n $only_dockerless ]]; then
      fix="fails only without the dockershim:$only_dockerless; $fix${both:+ (also failing in the full build, so broken regardless of Docker:$both)}"
    else
      fix="fails in the full build too, so the test is broken regardless of Docker; fix it:$both"
    fi
  fi
  audit_violation "$name: bazel $* ($((SECONDS - start))s)" "$failed" "$fix"
  echo "    errors:"
  { grep -E '^(ERROR: |\[  FAILED  \] |//[^ ]+ +(FAILED|NO STATUS|TIMEOUT)|  +/[^ ]+/test\.log$)' "$log" |
    grep -v '^ERROR: Build did NOT complete' || tail -20 "$log"; } | awk '!seen[$0]++' | head -30 | sed 's/^/      /'
  return 1
}

step build-full \
  "the full build must build before the dockerless audits mean anything; fix the errors above" \
  build --keep_going //...
step build-dockerless \
  "a target needs something only the full build provides: reach in-process runtimes through pkg/kubelet/runtime_registry.h, or limit the target to the full build with if_docker() from bazel/select.bzl" \
  build --keep_going --config=dockerless //...
step test-dockerless \
  "the kubelet must not assume Docker support; see the errors below, or rerun with bazel test --config=dockerless <target>" \
  test --keep_going --config=dockerless //pkg/kubelet/...

audit_finish "both variants build; kubelet unit tests pass with --config=dockerless"

#!/usr/bin/env bash
# Presubmit: every check a change must pass, in order, each step reported
# PASS/FAIL (a failure does not stop the later steps):
#   clang-format      C/C++ format of every file against .clang-format
#   buildifier        BUILD/.bzl format and lint (skipped without buildifier/npm)
#   build             bazel build //...
#   build-dockerless  bazel build --config=dockerless //...
#   test              bazel test //...
#   test-dockerless   bazel test --config=dockerless //...
#   audits            hack/verify-dockerless.sh (the six dockerless audits)
#   remote-cache      hack/verify-remote-cache.sh (clean rebuild served from the cache)
#   e2e-node          hack/test-e2e-node.sh (dockerless kubelet + containerd; needs root)
#   audit-tests       hack/test-audits.sh (planted violations; only with --with-audit-tests)
# Every Bazel step goes through a real HTTP remote cache: nginx on
# 127.0.0.1:$KL_REMOTE_CACHE_PORT (default 9092), started and stopped here
# (hack/lib/remote-cache.sh), entries under a temp dir or $KL_REMOTE_CACHE_DIR
# (set it to keep the cache across presubmit runs); each step prints its
# remote cache hit ratio. With KL_REMOTE_CACHE_URL set, that cache is used instead.
#
# Usage: hack/presubmit.sh [--skip STEP,...] [--only STEP,...] [--with-audit-tests] [--no-remote-cache]
# Honors BAZEL, BAZEL_STARTUP_FLAGS, BAZEL_BUILD_FLAGS (hack/lib/audit.sh).
# Exits non-zero if any step failed; the last line is "presubmit: N passed, M failed".
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root" || exit 2
source hack/lib/audit.sh
source hack/lib/remote-cache.sh

steps=(clang-format buildifier build build-dockerless test test-dockerless audits remote-cache e2e-node)
skip=","
only=""
use_cache=1
while (($#)); do
  case $1 in
    --skip) skip+="$2,"; shift 2 ;;
    --skip=*) skip+="${1#*=},"; shift ;;
    --only) only=",$2,"; shift 2 ;;
    --only=*) only=",${1#*=},"; shift ;;
    --with-audit-tests) steps+=(audit-tests); shift ;;
    --no-remote-cache) use_cache=0; shift ;;
    -h | --help) sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "presubmit: unknown argument $1" >&2; exit 2 ;;
  esac
done

audit_init presubmit "$root"
trap 'audit_cleanup' EXIT
trap 'echo "presubmit: interrupted"; exit 130' INT TERM

passed=0
failed=0
skipped=0
summary=()

record ()
{
  local verdict=$1 name=$2 detail=$3
  summary+=("$(printf '%-5s %-17s %s' "$verdict" "$name" "$detail")")
  case $verdict in
    PASS) passed=$((passed + 1)) ;;
    FAIL) failed=$((failed + 1)) ;;
    SKIP) skipped=$((skipped + 1)) ;;
  esac
  echo "-- presubmit: $verdict $name${detail:+ ($detail)}"
}

# step NAME COMMAND...: runs one step, its output shown and kept in a log.
step ()
{
  local name=$1
  shift
  if [[ $skip == *",$name,"* || (-n $only && $only != *",$name,"*) ]]; then
    record SKIP "$name" "not selected"
    return 0
  fi
  echo
  echo "== presubmit: $name: $*"
  local log=$AUDIT_TMP/$name.log start=$SECONDS rc
  "$@" 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  local detail="$((SECONDS - start))s"
  if grep -qE '^INFO: [0-9]+ process' "$log" && audit_remote_enabled; then
    detail+="; $(audit_hit_ratio "$log")"
  fi
  if ((rc == 0)) && grep -q '^SKIP ' "$log"; then
    record SKIP "$name" "$detail; $(grep -m1 '^SKIP ' "$log" | sed 's/^SKIP [^:]*: //')"
  elif ((rc == 0)); then
    record PASS "$name" "$detail"
  else
    record FAIL "$name" "$detail; exit $rc"
  fi
}

# The remote cache, for every Bazel step below (and the scripts they run).
if ((use_cache)); then
  if [[ -z ${KL_REMOTE_CACHE_URL:-} ]]; then
    if remote_cache_up; then
      audit_on_exit remote_cache_down
    else
      record FAIL remote-cache-up "could not start nginx on 127.0.0.1:$KL_REMOTE_CACHE_PORT; building without a cache"
    fi
  fi
  if [[ -n ${KL_REMOTE_CACHE_URL:-} ]]; then
    AUDIT_BUILD_FLAGS+=(--config=remote-cache --remote_cache="$KL_REMOTE_CACHE_URL")
  fi
fi
export BAZEL_BUILD_FLAGS="${AUDIT_BUILD_FLAGS[*]}"
export BAZEL_STARTUP_FLAGS="${AUDIT_STARTUP[*]}"

# hack/test-e2e-node.sh calls $BAZEL: give it our flags (and keep convenience
# symlinks where they are).
wrapper=$AUDIT_TMP/bazel
{
  echo '#!/usr/bin/env bash'
  # `printf %q` with no arguments still prints '': guard empty arrays.
  printf 'startup=(%s)\n' "$( ((${#AUDIT_STARTUP[@]})) && printf '%q ' "${AUDIT_STARTUP[@]}")"
  printf 'build=(%s)\n' "$( ((${#AUDIT_BUILD_FLAGS[@]})) && printf '%q ' "${AUDIT_BUILD_FLAGS[@]}")"
  printf 'bazel=%q\n' "${BAZEL:-bazel}"
  cat <<'EOF'
cmd=$1
shift
case $cmd in
  build | test | run | coverage | clean) exec "$bazel" "${startup[@]}" "$cmd" --symlink_prefix=/ "${build[@]}" "$@" ;;
  cquery | aquery | info) exec "$bazel" "${startup[@]}" "$cmd" "${build[@]}" "$@" ;;
  *) exec "$bazel" "${startup[@]}" "$cmd" "$@" ;;
esac
EOF
} >"$wrapper"
chmod +x "$wrapper"

step clang-format hack/verify-clang-format.sh --all
step buildifier hack/verify-buildifier.sh
step build bz build //...
step build-dockerless bz build --config=dockerless //...
step test bz test //...
step test-dockerless bz test --config=dockerless //...
step audits hack/verify-dockerless.sh
if ((!use_cache)); then
  record SKIP remote-cache "--no-remote-cache"
elif [[ -n ${KL_REMOTE_CACHE_URL:-} ]]; then
  step remote-cache hack/verify-remote-cache.sh
else
  record FAIL remote-cache "no remote cache"
fi
step e2e-node env BAZEL="$wrapper" hack/test-e2e-node.sh
if [[ " ${steps[*]} " == *" audit-tests "* ]]; then
  step audit-tests hack/test-audits.sh
fi

echo
echo "== presubmit summary"
printf '%s\n' "${summary[@]}"
if [[ -n ${KL_REMOTE_CACHE_URL:-} ]]; then
  echo "remote cache: $KL_REMOTE_CACHE_URL ($(remote_cache_size))"
fi
((skipped)) && echo "($skipped skipped)"
echo "presubmit: $passed passed, $failed failed"
((failed == 0))

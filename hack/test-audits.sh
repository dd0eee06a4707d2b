#!/usr/bin/env bash
# Runs the planted-violation tests of the dockerless audits (test/audits/):
# each plants a violation in a scratch copy of the workspace and asserts the
# audit fails naming the offending path. All tests share one scratch copy and
# one Bazel output base (plants are reverted between cases), so the copy is
# built once; the scratch Bazel server is shut down and the copy removed at
# the end. The same scripts are sh_test targets tagged "manual" and "audit":
#   bazel test $(bazel query 'attr(tags, audit, tests(//test/audits:all))')
# Usage: hack/test-audits.sh [TEST...]   (TEST: sources client_deps cquery
#        visibility binary build; default: all, cheapest first)
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

tests=("$@")
((${#tests[@]})) || tests=(sources client_deps cquery visibility binary build)

KL_AUDIT_SCRATCH=$(mktemp -d /tmp/kl-audit-tests.XXXXXX)
export KL_AUDIT_SCRATCH KL_AUDIT_WORKSPACE=$root
cleanup ()
{
  if [[ -f $KL_AUDIT_SCRATCH/src/WORKSPACE ]]; then
    (cd "$KL_AUDIT_SCRATCH/src" && "${BAZEL:-bazel}" --output_base="$KL_AUDIT_SCRATCH/output_base" shutdown) >/dev/null 2>&1 || true
  fi
  rm -rf "$KL_AUDIT_SCRATCH"
}
trap cleanup EXIT

results=()
failed=0
for t in "${tests[@]}"; do
  echo "== test/audits/${t}_test.sh"
  start=$SECONDS
  if "$root/test/audits/${t}_test.sh"; then
    results+=("PASS ${t}_test ($((SECONDS - start))s)")
  else
    results+=("FAIL ${t}_test ($((SECONDS - start))s)")
    failed=$((failed + 1))
  fi
done

echo "== summary"
printf '%s\n' "${results[@]}"
if ((failed)); then
  echo "FAIL test-audits: $failed of ${#tests[@]} planted-violation tests failed"
  exit 1
fi
echo "PASS test-audits: every audit fails on its planted violation (${#tests[@]} tests)"

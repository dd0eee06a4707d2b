#!/usr/bin/env bash
# Runs every dockerless audit (docs/DESIGN "Enforcement") and summarizes:
#   verify-dockerless-sources.sh     no dockershim #include / Docker code outside the dockershim
#   verify-docker-client-deps.sh     bazel query: only the dockershim reaches the Docker client
#   verify-dockerless-cquery.sh      bazel cquery: the dockerless kubelet has no path to the dockershim
#   verify-dockerless-visibility.sh  Bazel refuses planted edges from //pkg/kubelet to the dockershim
#   verify-dockerless-build.sh       both variants build; kubelet tests pass dockerless
#   verify-dockerless-binary.sh      no dockershim/Docker symbols in the dockerless binary; sizes
# Usage: hack/verify-dockerless.sh [WORKSPACE]
# Honors BAZEL, BAZEL_STARTUP_FLAGS, BAZEL_BUILD_FLAGS (hack/lib/audit.sh).
set -uo pipefail
hack=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

audits=(
  verify-dockerless-sources
  verify-docker-client-deps
  verify-dockerless-cquery
  verify-dockerless-visibility
  verify-dockerless-build
  verify-dockerless-binary
)
results=()
failed=0
for a in "${audits[@]}"; do
  echo "== $a"
  start=$SECONDS
  if "$hack/$a.sh" "$@"; then
    results+=("PASS $a ($((SECONDS - start))s)")
  else
    results+=("FAIL $a ($((SECONDS - start))s)")
    failed=$((failed + 1))
  fi
done

echo "== summary"
printf '%s\n' "${results[@]}"
if ((failed)); then
  echo "FAIL verify-dockerless: $failed of ${#audits[@]} audits failed"
  exit 1
fi
echo "PASS verify-dockerless: all ${#audits[@]} audits passed"

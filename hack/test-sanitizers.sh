#!/usr/bin/env bash
# Unit tests under the sanitizers: `bazel test //...` with --config=asan
# (ASan + LSan) and --config=ubsan, each in the full and the dockerless
# variant (.bazelrc). A report fails its test: ASan/LSan exit with 23, UBSan
# aborts (-fno-sanitize-recover=all). Each sanitizer is one full build in its
# own output directory (bazel-out/k8-fastbuildasan, ...ubsan); the dockerless
# run after it only rebuilds what the variant changes. Every run goes even
# when an earlier one failed; the last line counts them.
#
# The node e2e under ASan is hack/test.sh's e2e-node-asan suite
# (BAZEL_FLAGS=--config=asan hack/test-e2e-node.sh); valgrind: hack/valgrind.sh.
# BAZEL, BAZEL_STARTUP_FLAGS and BAZEL_FLAGS pick Bazel and its options.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2

read -ra startup_flags <<<"${BAZEL_STARTUP_FLAGS:-}"
read -ra build_flags <<<"${BAZEL_FLAGS:-}"
bazel=("${BAZEL:-bazel}" "${startup_flags[@]}")

passed=0
failed=()
run() { # run NAME BAZEL_ARGS...
  local name=$1 start=$SECONDS
  shift
  echo "== test-sanitizers: $name: bazel test $*"
  if "${bazel[@]}" test "${build_flags[@]}" "$@" //...; then
    passed=$((passed + 1))
    echo "== test-sanitizers: $name: PASS ($((SECONDS - start))s)"
  else
    failed+=("$name")
    echo "== test-sanitizers: $name: FAIL ($((SECONDS - start))s)"
  fi
}

# KL_SANITIZER_RUNS picks runs by name (CI: "asan ubsan", the full variant,
# which holds every test the dockerless one has).
declare -A runs=(
  [asan]="--config=asan"
  [asan-dockerless]="--config=asan --config=dockerless"
  [ubsan]="--config=ubsan"
  [ubsan-dockerless]="--config=ubsan --config=dockerless"
)
for name in ${KL_SANITIZER_RUNS:-asan asan-dockerless ubsan ubsan-dockerless}; do
  if [[ -z ${runs[$name]:-} ]]; then
    echo "test-sanitizers: unknown run $name (there are: ${!runs[*]})" >&2
    exit 2
  fi
  read -ra flags <<<"${runs[$name]}"
  run "$name" "${flags[@]}"
done

((${#failed[@]} == 0)) || echo "test-sanitizers: failed: ${failed[*]}"
echo "test-sanitizers: $passed passed, ${#failed[@]} failed"
((${#failed[@]} == 0))

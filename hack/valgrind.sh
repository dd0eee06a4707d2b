#!/usr/bin/env bash
# Valgrind memcheck of our daemons through their real-runtime tests:
#   kubelet     the dockerless kubelet, started by the containerd node e2e
#               (hack/test-e2e-node.sh) through KL_E2E_KUBELET_WRAPPER
#   dockershim  the two standalone dockershims of
#               pkg/kubelet/dockershim/test-integration.sh (DS_WRAPPER)
# Each process writes its own log under $KL_VALGRIND_DIR/<part>/ (default
# /tmp/kl-valgrind); at the end every log is summed up: bytes definitely
# lost, invalid reads/writes/frees, other memcheck errors, and processes that
# were SIGKILLed (the e2e's crash scenarios: those have no leak summary). It
# fails on any definite leak or memcheck error. Suppressions: hack/valgrind.supp
# (system libraries only).
#
#   hack/valgrind.sh [kubelet|dockershim|all]    (default all)
#   hack/valgrind.sh --summarize DIR             (re-read the logs of a run)
#
# Takes /tmp/kl-runtime.lock ($KL_RUNTIME_LOCK; empty: none) around each part,
# so do not wrap it in flock yourself. KL_VALGRIND_SCALE (default 10)
# multiplies the tests' waits (KL_TEST_TIMEOUT_SCALE). Extra arguments after
# `kubelet` go to bazel test (e.g. --test_arg=--gtest_filter=KubeletE2E.*).
# BAZEL, BAZEL_STARTUP_FLAGS and BAZEL_FLAGS pick Bazel and its options; not
# with a sanitizer config (valgrind needs the plain build).
set -euo pipefail
cd "$(dirname "$0")/.."

out=${KL_VALGRIND_DIR:-/tmp/kl-valgrind}
scale=${KL_VALGRIND_SCALE:-10}
lock=${KL_RUNTIME_LOCK-/tmp/kl-runtime.lock}
error_exitcode=97

log() { echo "valgrind: $*" >&2; }
die() {
  log "$*"
  exit 1
}

# summarize DIR: one line per part, the totals of its logs; fails on findings.
summarize() {
  local dir=$1 f total_lost=0 total_invalid=0 total_errors=0 procs=0 killed=0 execs=0
  local lost errors invalid parent
  for f in "$dir"/*.log; do
    [[ -e $f ]] || continue
    # A fork of one of ours that exec'd another program (a CNI plugin,
    # nsenter): valgrind leaves it at exec (no --trace-children), its log
    # without a summary, its parent's log beside it.
    parent=$(sed -n 's/^==[0-9]*== Parent PID: \([0-9]*\)$/\1/p' "$f")
    if ! grep -q 'ERROR SUMMARY:' "$f" && [[ -n $parent ]] && compgen -G "$dir/*.$parent.log" >/dev/null; then
      execs=$((execs + 1))
      continue
    fi
    procs=$((procs + 1))
    if ! grep -q 'ERROR SUMMARY:' "$f"; then
      killed=$((killed + 1))
      invalid=$(grep -cE '== Invalid (read|write|free)' "$f" || true)
      total_invalid=$((total_invalid + invalid))
      continue
    fi
    # "==123==    definitely lost: 1,024 bytes in 3 blocks"
    lost=$(sed -n 's/.*definitely lost: \([0-9,]*\) bytes.*/\1/p' "$f" | tr -d , | tail -1)
    errors=$(sed -n 's/.*ERROR SUMMARY: \([0-9,]*\) errors.*/\1/p' "$f" | tr -d , | tail -1)
    invalid=$(grep -cE '== Invalid (read|write|free)' "$f" || true)
    total_lost=$((total_lost + ${lost:-0}))
    total_errors=$((total_errors + ${errors:-0}))
    total_invalid=$((total_invalid + invalid))
  done
  printf 'valgrind: %s: %d processes (%d SIGKILLed, no leak summary; %d forks that exec'"'"'d): definitely lost %d bytes, %d invalid reads/writes/frees, %d memcheck errors\n' \
    "$dir" "$procs" "$killed" "$execs" "$total_lost" "$total_invalid" "$total_errors"
  ((procs > 0)) || {
    log "$dir: no valgrind logs: nothing ran under valgrind"
    return 1
  }
  if ((total_lost || total_invalid || total_errors)); then
    log "findings in: $(grep -lE 'definitely lost: [1-9]|== Invalid |ERROR SUMMARY: [1-9]' "$dir"/*.log | tr '\n' ' ')"
    return 1
  fi
}

locked() { # locked COMMAND...: COMMAND under the runtime lock
  if [[ -n $lock ]]; then flock "$lock" "$@"; else "$@"; fi
}

read -ra build_flags <<<"${BAZEL_FLAGS:-}"
case " ${build_flags[*]} " in
*" --config=asan "* | *" --config=ubsan "*) die "valgrind needs the plain build, not BAZEL_FLAGS=${BAZEL_FLAGS}" ;;
esac
command -v valgrind >/dev/null || die "valgrind not installed (hack/install-deps.sh)"

memcheck=(
  valgrind --tool=memcheck --leak-check=full --show-leak-kinds=definite
  --errors-for-leak-kinds=definite --error-exitcode="$error_exitcode"
  --num-callers=40 --suppressions="$PWD/hack/valgrind.supp"
)

part_kubelet() {
  local dir=$out/kubelet start=$SECONDS
  rm -rf "$dir" && mkdir -p "$dir"
  log "kubelet: containerd node e2e, logs in $dir"
  local rc=0
  # Bazel's large-test timeout (900 s) scaled; the e2e's own waits too.
  locked env BAZEL_FLAGS="${BAZEL_FLAGS:-}" hack/test-e2e-node.sh \
    --test_env=KL_E2E_KUBELET_WRAPPER="${memcheck[*]} --log-file=$dir/kubelet.%p.log" \
    --test_env=KL_TEST_TIMEOUT_SCALE="$scale" \
    --test_timeout=$((900 * scale)) "$@" || rc=$?
  log "kubelet: e2e exit $rc in $((SECONDS - start))s"
  summarize "$dir" && ((rc == 0))
}

part_dockershim() {
  local dir=$out/dockershim start=$SECONDS
  rm -rf "$dir" && mkdir -p "$dir"
  log "dockershim: dockershim integration tests, logs in $dir"
  local rc=0
  locked env DS_WRAPPER="${memcheck[*]} --log-file=$dir/dockershim.%p.log" \
    DS_START_TIMEOUT=$((30 * scale)) DS_STOP_TIMEOUT=$((20 * scale)) \
    BAZEL_FLAGS="${BAZEL_FLAGS:-} --test_env=KL_TEST_TIMEOUT_SCALE=$scale --test_timeout=$((900 * scale))" \
    pkg/kubelet/dockershim/test-integration.sh test || rc=$?
  log "dockershim: integration tests exit $rc in $((SECONDS - start))s"
  summarize "$dir" && ((rc == 0))
}

case ${1:-all} in
--summarize)
  [[ -n ${2:-} ]] || die "usage: $0 --summarize DIR"
  summarize "$2"
  ;;
kubelet)
  shift
  part_kubelet "$@"
  ;;
dockershim) part_dockershim ;;
all)
  rc=0
  part_kubelet || rc=1
  part_dockershim || rc=1
  exit $rc
  ;;
*) die "usage: $0 [kubelet|dockershim|all] | --summarize DIR" ;;
esac

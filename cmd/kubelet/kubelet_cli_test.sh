#!/usr/bin/env bash
# The kubelet binary's command line: version, help, bad values, an unreachable
# runtime and, in the dockerless build, --container-runtime=docker.
set -uo pipefail
kubelet=$1
failures=0
check() { # check NAME WANT_RC PATTERN -- ARGS...
  local name=$1 want_rc=$2 pattern=$3
  shift 4
  local out rc
  out=$("$kubelet" "$@" 2>&1)
  rc=$?
  if [[ $rc -ne $want_rc ]] || ! grep -qE -- "$pattern" <<<"$out"; then
    echo "FAIL $name: rc=$rc (want $want_rc), output:"
    echo "$out" | head -5
    failures=$((failures + 1))
  else
    echo "ok   $name"
  fi
}

check version 0 '^Kubernetes v[0-9]+\.[0-9]+\.[0-9]+' -- --version
check help 0 '--container-runtime-endpoint string' -- --help
check help-lists-manifest-path 0 '--pod-manifest-path' -- --help
check bad-int 1 'invalid value "abc" for flag --max-pods' -- --max-pods=abc
check bad-duration 1 'invalid value "5x" for flag --sync-frequency' -- --sync-frequency=5x
check unknown-flag 1 'unknown flag: --no-such-flag' -- --no-such-flag
check unreachable-runtime 1 'container runtime at unix:///nonexistent/cri.sock is not reachable' \
  -- --container-runtime-endpoint=unix:///nonexistent/cri.sock --read-only-port=0 --healthz-port=0
if [[ ${DOCKERLESS:-0} == 1 ]]; then
  check dockerless-refuses-docker 1 'built without docker support.*--container-runtime-endpoint' \
    -- --container-runtime=docker
fi
[[ $failures -eq 0 ]]

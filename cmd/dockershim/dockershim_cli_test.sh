#!/usr/bin/env bash
# The dockershim binary's command line: version, help, bad values and an
# unreachable dockerd, each a clean failure with a message.
set -uo pipefail
dockershim=$1
failures=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
check() { # check NAME WANT_RC PATTERN -- ARGS...
  local name=$1 want_rc=$2 pattern=$3
  shift 4
  local out rc
  out=$(timeout 20 "$dockershim" "$@" 2>&1)
  rc=$?
  if [[ $rc -ne $want_rc ]] || ! grep -qE -- "$pattern" <<<"$out"; then
    echo "FAIL $name: rc=$rc (want $want_rc), output:"
    echo "$out" | head -5
    failures=$((failures + 1))
  else
    echo "ok   $name"
  fi
}

check version 0 '^dockershim v[0-9]+\.[0-9]+\.[0-9]+' -- --version
check help 0 '--container-runtime-endpoint string' -- --help
check help-docker-endpoint 0 '--docker-endpoint string' -- --help
check help-cni 0 '--cni-conf-dir string' -- --help
check help-root 0 '--root-directory string' -- --help
check help-streaming 0 '--streaming-bind-addr string' -- --help
check unknown-flag 1 'unknown flag: --no-such-flag' -- --no-such-flag
check bad-verbosity 1 'invalid value "x" for flag --v' -- --v=x
check positional 1 'unexpected argument extra' -- extra
check bad-plugin 1 'network-plugin=kubenet: only "cni"' -- --network-plugin=kubenet \
  --root-directory="$tmp/root"
check bad-endpoint 1 'container-runtime-endpoint=tcp://x: want unix://' \
  -- --container-runtime-endpoint=tcp://x --root-directory="$tmp/root"
check bad-streaming-addr 1 'streaming-bind-addr=localhost: want host:port' \
  -- --streaming-bind-addr=localhost --root-directory="$tmp/root"
check unreachable-docker 1 'docker info at unix:///nonexistent/docker.sock' \
  -- --docker-endpoint=unix:///nonexistent/docker.sock --root-directory="$tmp/root" \
  --container-runtime-endpoint="unix://$tmp/ds.sock"
[[ $failures -eq 0 ]]

#!/usr/bin/env bash
# Stops the registry hack/registry-up.sh started (by its pidfile) and waits
# for it to exit. --purge also deletes $REGISTRY_DIR with the pushed images.
set -euo pipefail
cd "$(dirname "$0")/.."
source hack/lib/images.sh
source hack/lib/registry.sh

STOP_TIMEOUT=${REGISTRY_STOP_TIMEOUT:-10}
purge=false
case "${1:-}" in
  --purge) purge=true ;;
  "") ;;
  *)
    echo "usage: $0 [--purge]" >&2
    exit 2
    ;;
esac

# Waits up to $2 seconds for registry pid $1 to be gone.
wait_gone() {
  local deadline=$((SECONDS + $2))
  while registry_pid >/dev/null && [[ $(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) != Z ]]; do
    ((SECONDS < deadline)) || return 1
    sleep 0.1
  done
}

if pid=$(registry_pid); then
  kill -TERM "$pid" 2>/dev/null || true
  if ! wait_gone "$pid" "$STOP_TIMEOUT"; then
    echo "registry-down: pid $pid ignored SIGTERM for ${STOP_TIMEOUT}s; killing it" >&2
    kill -KILL "$pid" 2>/dev/null || true
    wait_gone "$pid" 5 || {
      echo "registry-down: pid $pid still there" >&2
      exit 1
    }
  fi
  echo "registry-down: stopped the registry at $REGISTRY (pid $pid)"
else
  echo "registry-down: no registry running from $REGISTRY_DIR"
fi
rm -f "$REGISTRY_PIDFILE"
if $purge; then
  rm -rf "$REGISTRY_DIR"
  echo "registry-down: removed $REGISTRY_DIR"
fi

#!/usr/bin/env bash
# Starts a Docker registry (distribution v2, Debian's docker-registry) on
# 127.0.0.1:$REGISTRY_PORT (5000) only, state under $REGISTRY_DIR
# (/tmp/kubelet-registry): config.yml, storage/, registry.pid, registry.log.
# Returns once the registry answers; a registry already up is fine.
set -euo pipefail
cd "$(dirname "$0")/.."
source hack/lib/images.sh
source hack/lib/registry.sh

START_TIMEOUT=${REGISTRY_START_TIMEOUT:-30}

die() {
  echo "registry-up: $*" >&2
  exit 1
}

if ! [[ $REGISTRY_PORT =~ ^[1-9][0-9]{0,4}$ ]] || ((REGISTRY_PORT > 65535)); then
  die "REGISTRY_PORT=$REGISTRY_PORT is not a port"
fi
command -v docker-registry >/dev/null || die "docker-registry not installed (hack/install-deps.sh)"

# Waits until the registry answers; fails early if process $1 dies.
wait_until_answers() {
  local pid=$1 deadline=$((SECONDS + START_TIMEOUT))
  until registry_answers; do
    if [[ ! -d /proc/$pid || $(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) == Z ]]; then
      rm -f "$REGISTRY_PIDFILE"
      die "the registry exited; from $REGISTRY_LOG:"$'\n'"$(tail -n 20 "$REGISTRY_LOG")"
    fi
    ((SECONDS < deadline)) || return 1
    sleep 0.1
  done
}

if pid=$(registry_pid); then
  wait_until_answers "$pid" || die "registry pid $pid runs but $REGISTRY_URL does not answer; see $REGISTRY_LOG"
  echo "registry-up: already running at $REGISTRY (pid $pid)"
  exit 0
fi
rm -f "$REGISTRY_PIDFILE"
if registry_answers; then
  die "something else serves $REGISTRY_URL; stop it or pick another REGISTRY_PORT"
fi

mkdir -p "$REGISTRY_STORAGE"
cat >"$REGISTRY_CONFIG" <<CONFIG
# Written by hack/registry-up.sh. Loopback only; no debug server.
version: 0.1
log:
  level: info
  formatter: text
storage:
  filesystem:
    rootdirectory: $REGISTRY_STORAGE
  delete:
    enabled: true
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: $REGISTRY
  headers:
    X-Content-Type-Options: [nosniff]
CONFIG

# A clean environment: the registry reads REGISTRY_* variables as config
# overrides (REGISTRY_HTTP_ADDR could move it off loopback). setsid keeps it
# out of the caller's process group, so the caller's Ctrl-C does not stop it.
# It keeps none of the caller's descriptors above 2: the one `flock
# /tmp/kl-runtime.lock CMD` holds its lock on would keep the lock held for as
# long as the registry lives, blocking every later runtime harness.
(
  for fd in /proc/$BASHPID/fd/*; do
    fd=${fd##*/}
    if ((fd > 2)); then eval "exec $fd>&-"; fi
  done
  exec env -i PATH=/usr/local/bin:/usr/bin:/bin HOME="$REGISTRY_DIR" \
    setsid docker-registry serve "$REGISTRY_CONFIG" </dev/null >>"$REGISTRY_LOG" 2>&1
) &
pid=$!
echo "$pid" >"$REGISTRY_PIDFILE"
if ! wait_until_answers "$pid"; then
  kill "$pid" 2>/dev/null || true
  rm -f "$REGISTRY_PIDFILE"
  die "no answer from $REGISTRY_URL within ${START_TIMEOUT}s; see $REGISTRY_LOG"
fi
registry_pid >/dev/null || die "pid $pid answers but is not our registry"
echo "registry-up: serving $REGISTRY (pid $pid, state in $REGISTRY_DIR)"

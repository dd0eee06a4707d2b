# The loopback Docker registry (distribution v2) shared by hack/registry-up.sh,
# hack/registry-down.sh and hack/push-images.sh. Source after lib/images.sh.
# shellcheck shell=bash disable=SC2034 # used by the scripts that source it

REGISTRY_DIR=${REGISTRY_DIR:-/tmp/kubelet-registry}
REGISTRY_CONFIG=$REGISTRY_DIR/config.yml
REGISTRY_STORAGE=$REGISTRY_DIR/storage
REGISTRY_PIDFILE=$REGISTRY_DIR/registry.pid
REGISTRY_LOG=$REGISTRY_DIR/registry.log
REGISTRY_URL=http://$REGISTRY/v2/

# Prints the pid of the registry serving REGISTRY_CONFIG, as the pidfile
# names it; fails if there is none (a stale pidfile, a reused pid or a zombie).
registry_pid() {
  local pid cmdline
  [[ -f $REGISTRY_PIDFILE ]] || return 1
  pid=$(<"$REGISTRY_PIDFILE")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  cmdline=$(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline") || return 1
  [[ $cmdline == *"docker-registry serve $REGISTRY_CONFIG "* ]] || return 1
  echo "$pid"
}

# True if something answers the registry API at REGISTRY_URL.
registry_answers() {
  curl -fsS --max-time 2 -o /dev/null "$REGISTRY_URL" 2>/dev/null
}

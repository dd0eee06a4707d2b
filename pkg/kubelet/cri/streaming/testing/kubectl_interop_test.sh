#!/usr/bin/env bash
# kubectl (client-go) against our CRI streaming server: exec (with and
# without stdin, with a TTY and resizes, exit codes, errors), attach, cp and
# port-forward, once over WebSocket (kubectl's default: v5.channel.k8s.io,
# and SPDY tunnelled in WebSocket for port-forward) and once over SPDY/3.1
# (KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false, KUBECTL_PORT_FORWARD_WEBSOCKETS=false).
# kubectl talks to the fake API server of stream_test_server, which proxies
# each stream to a URL our server issued and logs the transport it saw, so
# that a silent fallback from WebSocket to SPDY fails the test.
#
# Usage: kubectl_interop_test.sh PATH_TO_stream_test_server
# kubectl is $KUBECTL if set, else the one on PATH, else /usr/bin/kubectl;
# without one the test prints "SKIPPED: kubectl not found" and passes (Bazel
# has no skip status). The TTY cases need script(1) (util-linux).
# shellcheck disable=SC2016 # '$...' in single quotes is for the pod's shell.
set -uo pipefail

server_bin=${1:?usage: $0 PATH_TO_stream_test_server}
server_bin=$(cd "$(dirname "$server_bin")" && pwd)/$(basename "$server_bin")

if [[ -n ${KUBECTL:-} ]]; then
  kubectl_bin=$KUBECTL
else
  kubectl_bin=$(command -v kubectl || true)
  if [[ -z $kubectl_bin && -x /usr/bin/kubectl ]]; then
    kubectl_bin=/usr/bin/kubectl
  fi
fi
if [[ -z $kubectl_bin || ! -x $kubectl_bin ]]; then
  echo "SKIPPED: kubectl not found${kubectl_bin:+ at $kubectl_bin}" \
    "(set KUBECTL, or pass --test_env=PATH with kubectl on it)"
  exit 0
fi
echo "kubectl: $kubectl_bin ($("$kubectl_bin" version --client 2>/dev/null | head -1))"

work=$(mktemp -d "${TEST_TMPDIR:-/tmp}/kubectl-interop.XXXXXX")
export HOME=$work/home
mkdir -p "$HOME"
log=$work/server.log
server_pid=
bg_pids=()
failures=0

cleanup() {
  local pid
  for pid in "${bg_pids[@]}"; do
    kill "$pid" 2>/dev/null
  done
  if [[ -n $server_pid ]]; then
    kill -TERM "$server_pid" 2>/dev/null
    for _ in $(seq 50); do
      kill -0 "$server_pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$server_pid" 2>/dev/null; then
      echo "FAIL: stream_test_server did not stop on SIGTERM"
      kill -KILL "$server_pid"
      failures=$((failures + 1))
    fi
    # Its exit status: a clean stop is 0 (a sanitizer's report is not).
    wait "$server_pid"
    local rc=$?
    if ((rc != 0)); then
      echo "FAIL: stream_test_server exited with status $rc"
      failures=$((failures + 1))
    fi
  fi
  if ((failures > 0)); then
    echo "---- last lines of the server log ($log)"
    tail -n 60 "$log"
  fi
  if ((failures > 0)); then
    echo "FAILED: $failures check(s)"
    exit 1
  fi
  echo "PASSED"
  exit 0
}
trap cleanup EXIT

fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

pass() {
  echo "ok: $*"
}

"$server_bin" serve >"$work/server.out" 2>"$log" &
server_pid=$!
for _ in $(seq 100); do
  grep -q '^hello_port=' "$work/server.out" 2>/dev/null && break
  sleep 0.1
done
apiserver=$(sed -n 's/^apiserver=//p' "$work/server.out")
echo_port=$(sed -n 's/^echo_port=//p' "$work/server.out")
hello_port=$(sed -n 's/^hello_port=//p' "$work/server.out")
if [[ -z $apiserver || -z $echo_port || -z $hello_port ]]; then
  fail "stream_test_server did not start"
  exit 1
fi

cat >"$work/kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: fake
  cluster:
    server: $apiserver
contexts:
- name: fake
  context:
    cluster: fake
    user: fake
    namespace: default
current-context: fake
users:
- name: fake
  user: {}
EOF

# kubectl with a deadline. A simple command, so that "${k[@]} ... &" makes
# $! timeout's pid: killing it ends kubectl too (timeout passes SIGTERM on).
k=(timeout -k 5 60 "$kubectl_bin" --kubeconfig="$work/kubeconfig" --cache-dir="$work/cache")
k() {
  "${k[@]}" "$@"
}

# The kubectl command line for script(1), which gives kubectl a terminal.
# --foreground: timeout must not move kubectl out of the terminal's
# foreground process group, where setting raw mode would stop it.
k_tty() {
  printf 'timeout --foreground -k 5 60 %q --kubeconfig=%q --cache-dir=%q' \
    "$kubectl_bin" "$work/kubeconfig" "$work/cache"
}

log_mark() {
  wc -l <"$log"
}

# expect_log MARK STRING: the server logged STRING after MARK.
expect_log() {
  local mark=$1 what=$2
  if tail -n +"$((mark + 1))" "$log" | grep -qF -- "$what"; then
    return 0
  fi
  fail "server log lacks \"$what\""
  return 1
}

# expect_eq NAME WANT GOT
expect_eq() {
  if [[ $2 == "$3" ]]; then
    pass "$1"
  else
    fail "$1: want $(printf %q "$2"), got $(printf %q "$3")"
  fi
}

# expect_has NAME NEEDLE HAYSTACK
expect_has() {
  if [[ $3 == *"$2"* ]]; then
    pass "$1"
  else
    fail "$1: $(printf %q "$3") lacks $(printf %q "$2")"
  fi
}

# Waits for "Forwarding from 127.0.0.1:LOCAL -> REMOTE" in FILE; prints LOCAL.
forwarded_port() {
  local file=$1 remote=$2 port
  for _ in $(seq 100); do
    port=$(sed -n "s/^Forwarding from 127.0.0.1:\([0-9]*\) -> $remote\$/\1/p" "$file")
    if [[ -n $port ]]; then
      echo "$port"
      return 0
    fi
    sleep 0.1
  done
  return 1
}

# ---- one transport's cases

run_cases() {
  local transport=$1 exec_log pf_log mark out err rc
  if [[ $transport == websocket ]]; then
    export KUBECTL_REMOTE_COMMAND_WEBSOCKETS=true KUBECTL_PORT_FORWARD_WEBSOCKETS=true
    exec_log="transport=websocket protocol=v5.channel.k8s.io status=101"
    pf_log="proxy portforward transport=websocket-tunnel protocol=SPDY/3.1+portforward.k8s.io status=101"
  else
    export KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false KUBECTL_PORT_FORWARD_WEBSOCKETS=false
    exec_log="transport=spdy protocol=v5.channel.k8s.io status=101"
    pf_log="proxy portforward transport=spdy protocol=portforward.k8s.io status=101"
  fi
  echo "==== $transport"

  # exec: stdout and stderr apart, exit code 0.
  mark=$(log_mark)
  out=$(k exec web -- sh -c 'echo to-stdout; echo to-stderr >&2' 2>"$work/err")
  rc=$?
  err=$(cat "$work/err")
  expect_eq "$transport exec: exit code" 0 "$rc"
  expect_eq "$transport exec: stdout" to-stdout "$out"
  expect_eq "$transport exec: stderr" to-stderr "$err"
  expect_log "$mark" "proxy exec $exec_log" && pass "$transport exec: negotiated $exec_log"

  # exec: kubectl exits with the command's code, and says so.
  out=$(k exec web -- sh -c 'echo before-exit; exit 7' 2>"$work/err")
  rc=$?
  expect_eq "$transport exec: non-zero exit code" 7 "$rc"
  expect_eq "$transport exec: output before a failure" before-exit "$out"
  expect_has "$transport exec: exit code message" "command terminated with exit code 7" \
    "$(cat "$work/err")"
  k exec web -- sh -c 'kill -9 $$' 2>/dev/null
  expect_eq "$transport exec: killed by SIGKILL" 137 "$?"

  # exec: stdin, its EOF, and the container name.
  out=$(printf 'hello\nworld\n' | k exec -i web -- cat)
  expect_eq "$transport exec -i: stdin echoed" $'hello\nworld' "$out"
  out=$(k exec -i web -- cat </dev/null)
  expect_eq "$transport exec -i: empty stdin ends" "0:" "$?:$out"
  out=$(yes | k exec -i web -- head -n 3)
  expect_eq "$transport exec -i: command ends before stdin" $'y\ny\ny' "$out"
  out=$(k exec web -c sidecar -- sh -c 'echo $CONTAINER_ID')
  expect_eq "$transport exec -c sidecar: container id" sidecar "$out"
  out=$(k exec web -- sh -c 'echo $CONTAINER_ID')
  expect_eq "$transport exec: default container id" main "$out"

  # exec: bulk data both ways (flow control, framing of large messages).
  out=$(k exec -i web -- sha256sum <"$work/big" | cut -d' ' -f1)
  expect_eq "$transport exec -i: 3 MiB stdin checksum" "$big_sum" "$out"
  out=$(k exec web -- head -c 5000000 /dev/zero | wc -c)
  expect_eq "$transport exec: 5 MB stdout" 5000000 "$out"
  out=$(k exec web -- sh -c 'head -c 300000 /dev/zero >&2; echo done' 2>"$work/err")
  expect_eq "$transport exec: 300 kB stderr" "done 300000" "$out $(wc -c <"$work/err")"

  # exec: the runtime cannot run the command: a Status from the server.
  k exec web -- /nonexistent/command 2>"$work/err"
  rc=$?
  expect_eq "$transport exec: unrunnable command exit code" 1 "$rc"
  expect_has "$transport exec: unrunnable command message" \
    "error executing command in container: exec /nonexistent/command" "$(cat "$work/err")"

  # kubectl cp: tar over exec, stdin EOF included, both directions.
  rm -rf "$work/cp" && mkdir -p "$work/cp/in" "$work/cp/out"
  head -c 200000 "$work/big" >"$work/cp/in/file"
  k cp "$work/cp/in/file" "web:$work/cp/out/file" >/dev/null 2>&1
  if cmp -s "$work/cp/in/file" "$work/cp/out/file"; then
    pass "$transport cp to the pod"
  else
    fail "$transport cp to the pod: files differ"
  fi
  rm -f "$work/cp/back"
  k cp "web:$work/cp/in/file" "$work/cp/back" >/dev/null 2>&1
  if cmp -s "$work/cp/in/file" "$work/cp/back"; then
    pass "$transport cp from the pod"
  else
    fail "$transport cp from the pod: files differ"
  fi

  # exec -it: a pty, its initial size, a resize while it runs, and the
  # exit code through the terminal.
  if command -v script >/dev/null; then
    cat >"$work/inner.sh" <<'EOF'
w() { i=0; while [ "$(stty size)" != "$1" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done; echo "size=$(stty size)"; }
w "33 77"; tty; w "44 88"; exit 5
EOF
    cat >"$work/outer.sh" <<EOF
stty rows 33 cols 77
$(k_tty) exec -it web -- sh -c "\$(cat '$work/inner.sh')" </dev/tty & pid=\$!
sleep 2; stty rows 44 cols 88; wait \$pid
EOF
    timeout -k 5 90 script -qec "sh '$work/outer.sh'" /dev/null </dev/null >"$work/tty.out"
    rc=$?
    out=$(tr -d '\r' <"$work/tty.out")
    expect_eq "$transport exec -it: exit code" 5 "$rc"
    expect_has "$transport exec -it: initial size" "size=33 77" "$out"
    expect_has "$transport exec -it: on a pty" "/dev/pts/" "$out"
    expect_has "$transport exec -it: resized" "size=44 88" "$out"
    printf 'echo typed-$((6*7))\nexit 4\n' |
      timeout -k 5 90 script -qec "$(k_tty) exec -it web -- sh" /dev/null >"$work/tty.out"
    rc=$?
    out=$(tr -d '\r' <"$work/tty.out")
    expect_eq "$transport exec -it: interactive shell exit code" 4 "$rc"
    expect_has "$transport exec -it: interactive input" "typed-42" "$out"
  else
    echo "note: script(1) not found, the TTY cases are not run"
  fi

  # attach: an output-only client sees what an interactive one causes.
  mark=$(log_mark)
  "${k[@]}" attach web >"$work/attach-bg.out" 2>"$work/attach-bg.err" &
  local bg=$!
  bg_pids+=("$bg")
  for _ in $(seq 100); do
    tail -n +"$((mark + 1))" "$log" | grep -q "host runtime: attach to main$" && break
    sleep 0.1
  done
  out=$(printf 'ping-1\nping-2\n' | k attach -i web 2>"$work/err")
  rc=$?
  expect_eq "$transport attach -i: exit code" 0 "$rc"
  expect_eq "$transport attach -i: stdout" $'out:ping-1\nout:ping-2' "$out"
  expect_has "$transport attach -i: stderr" $'err:ping-1\nerr:ping-2' "$(cat "$work/err")"
  expect_log "$mark" "proxy attach $exec_log" && pass "$transport attach: negotiated $exec_log"
  sleep 0.5
  kill "$bg" 2>/dev/null
  wait "$bg" 2>/dev/null
  expect_eq "$transport attach: output-only client" $'out:ping-1\nout:ping-2' \
    "$(cat "$work/attach-bg.out")"
  expect_has "$transport attach: output-only client's stderr" "err:ping-2" \
    "$(cat "$work/attach-bg.err")"

  # port-forward: two ports, bulk echo, concurrent connections, and a pod
  # that closes first.
  mark=$(log_mark)
  "${k[@]}" port-forward --address 127.0.0.1 pod/web ":$echo_port" ":$hello_port" \
    >"$work/pf.out" 2>&1 &
  local pf=$!
  bg_pids+=("$pf")
  local echo_local hello_local
  echo_local=$(forwarded_port "$work/pf.out" "$echo_port")
  hello_local=$(forwarded_port "$work/pf.out" "$hello_port")
  if [[ -z $echo_local || -z $hello_local ]]; then
    fail "$transport port-forward did not start: $(cat "$work/pf.out")"
  else
    out=$(timeout 30 "$server_bin" check-echo "$echo_local" 5 2>&1)
    expect_eq "$transport port-forward: small echo" "echoed 5 bytes" "$out"
    timeout 60 "$server_bin" check-echo "$echo_local" 2000000 >"$work/echo1" 2>&1 &
    local e1=$!
    timeout 60 "$server_bin" check-echo "$echo_local" 1500000 >"$work/echo2" 2>&1 &
    local e2=$!
    out=$(timeout 60 "$server_bin" check-echo "$echo_local" 1000000 2>&1)
    wait "$e1" "$e2"
    expect_eq "$transport port-forward: 3 concurrent bulk echoes" \
      "echoed 1000000 bytes|echoed 2000000 bytes|echoed 1500000 bytes" \
      "$out|$(cat "$work/echo1")|$(cat "$work/echo2")"
    out=$(timeout 30 "$server_bin" read-all "$hello_local" 2>&1)
    expect_eq "$transport port-forward: the pod closes first" "hello from the pod" "$out"
    expect_log "$mark" "$pf_log" && pass "$transport port-forward: negotiated $pf_log"
  fi
  kill "$pf" 2>/dev/null
  wait "$pf" 2>/dev/null

  # port-forward to a port nobody listens on: the runtime's error reaches
  # kubectl on the error stream.
  "${k[@]}" port-forward --address 127.0.0.1 pod/web :1 >"$work/pf-refused.out" 2>&1 &
  pf=$!
  bg_pids+=("$pf")
  local refused_local
  refused_local=$(forwarded_port "$work/pf-refused.out" 1)
  if [[ -n $refused_local ]]; then
    timeout 30 "$server_bin" read-all "$refused_local" >/dev/null 2>&1
    for _ in $(seq 50); do
      grep -q "error forwarding port 1" "$work/pf-refused.out" && break
      sleep 0.1
    done
    expect_has "$transport port-forward: refused port reported" \
      "error forwarding port 1 to pod web-sandbox, uid : dial tcp4 127.0.0.1:1: Connection refused" \
      "$(cat "$work/pf-refused.out")"
  else
    fail "$transport port-forward to port 1 did not start: $(cat "$work/pf-refused.out")"
  fi
  kill "$pf" 2>/dev/null
  wait "$pf" 2>/dev/null
}

head -c 3145728 /dev/urandom >"$work/big"
big_sum=$(sha256sum <"$work/big" | cut -d' ' -f1)

# Errors the API server answers before any stream.
out=$(k exec nosuch -- true 2>&1)
expect_eq "exec in a missing pod: exit code" 1 "$?"
expect_has "exec in a missing pod: message" 'pods "nosuch" not found' "$out"
out=$(k exec web -c nosuch -- true 2>&1)
expect_has "exec in a missing container" "container nosuch is not valid for pod web" "$out"

run_cases websocket
run_cases spdy

if grep -q "unhandled request" "$log"; then
  echo "note: requests the fake API server did not serve:"
  grep "unhandled request" "$log"
fi

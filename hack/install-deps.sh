#!/usr/bin/env bash
# Installs every Debian package the build, the tests, the node e2e and the
# benchmarks need. Idempotent: a second run changes nothing.
set -euo pipefail

packages=(
  # build
  bazel-bootstrap bazel-platforms gcc g++ clang-format
  libgrpc-dev libprotobuf-c-dev protobuf-c-compiler protobuf-compiler
  libcurl4-openssl-dev libyaml-dev libjansson-dev libmicrohttpd-dev
  googletest libgtest-dev libgmock-dev
  # fuzzing (hack/fuzz.sh): clang with libFuzzer and the sanitizers,
  # llvm-symbolizer for readable crash stacks
  clang llvm
  # runtimes and images for e2e
  containerd runc containernetworking-plugins docker.io docker-registry
  skopeo busybox-static iproute2 iptables
  # test and benchmark helpers
  curl jq valgrind procps psmisc util-linux coreutils tar gzip
  # presubmit: loopback Bazel HTTP remote cache (nginx, WebDAV PUT); nm,
  # strings and strip for the dockerless binary audit
  nginx binutils
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  if [[ ! -f /var/lib/apt/periodic/update-success-stamp ]] &&
     [[ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -mmin -1440 2>/dev/null | head -1)" ]]; then
    apt-get update
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
fi

# Debian ships Bazel 4.2.3 as /usr/bin/bazel-4; its /usr/bin/bazel wrapper looks
# for /usr/bin/bazel-<.bazelversion>, so name it after its exact version.
want=$(cat "$(dirname "$0")/../.bazelversion")
have=$(dpkg-query -W -f='${Version}' bazel-bootstrap)
case "$have" in
  "$want"+*|"$want") ;;
  *) echo "install-deps: bazel-bootstrap is $have, the workspace wants $want" >&2; exit 1 ;;
esac
[[ -e /usr/bin/bazel-$want ]] || ln -s bazel-4 "/usr/bin/bazel-$want"

# The distribution packages start these daemons; our tests start their own
# instances with their own sockets and state, so keep the system ones off.
for svc in containerd docker docker-registry; do
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet "$svc" 2>/dev/null; then
    systemctl stop "$svc" || true
  fi
done
echo "install-deps: ok"

#!/usr/bin/env bash
# Checks BUILD, BUILD.bazel, WORKSPACE and .bzl files with buildifier: the
# format (--mode=check) and its lint warnings, less the native-* family (they
# ask for rules_shell/rules_cc loads that Bazel 4.2 and our offline stand-ins
# do not have).
#
# buildifier comes from npm's @bazel/buildifier (the package ships the
# binaries), installed once under a cache directory outside the tree:
#   $KL_TOOLS_CACHE (default ${XDG_CACHE_HOME:-$HOME/.cache}/kl-tools)
# $BUILDIFIER or a buildifier on PATH is used first. Without any and without
# npm (or the registry), the check is skipped with a message (exit 0, "SKIP").
#
# Usage: hack/verify-buildifier.sh [WORKSPACE]
set -uo pipefail
BUILDIFIER_VERSION=8.2.1
ws=$(cd "${1:-$(dirname "${BASH_SOURCE[0]}")/..}" && pwd)
cd "$ws" || exit 2
name=verify-buildifier

find_buildifier ()
{
  if [[ -n ${BUILDIFIER:-} ]]; then echo "$BUILDIFIER"; return 0; fi
  command -v buildifier && return 0
  local arch
  case $(uname -m) in x86_64) arch=amd64 ;; aarch64 | arm64) arch=arm64 ;; *) arch=$(uname -m) ;; esac
  local dir=${KL_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kl-tools}/buildifier-$BUILDIFIER_VERSION
  local bin=$dir/node_modules/@bazel/buildifier/buildifier-linux_$arch
  if [[ ! -x $bin ]]; then
    command -v npm >/dev/null || return 1
    echo "$name: installing @bazel/buildifier@$BUILDIFIER_VERSION under $dir" >&2
    mkdir -p "$dir"
    timeout 180 npm install --prefix "$dir" --no-audit --no-fund --no-save --silent \
      "@bazel/buildifier@$BUILDIFIER_VERSION" >&2 || return 1
  fi
  [[ -x $bin ]] && echo "$bin"
}

if ! buildifier=$(find_buildifier); then
  echo "SKIP $name: buildifier unavailable (no \$BUILDIFIER, none on PATH, npm install of @bazel/buildifier failed)"
  exit 0
fi

mapfile -t files < <(git ls-files -co --exclude-standard 2>/dev/null |
  grep -E '(^|/)(BUILD(\.bazel)?|WORKSPACE|[^/]*\.bzl)$' | while read -r f; do [[ -f $f ]] && echo "$f"; done)
if ((${#files[@]} == 0)); then
  mapfile -t files < <(find . \( -name .git -o -name .bazel -o -name 'bazel-*' \) -prune -o -type f \
    \( -name BUILD -o -name BUILD.bazel -o -name WORKSPACE -o -name '*.bzl' \) -print | sed 's|^\./||')
fi

out=$("$buildifier" --mode=check --lint=warn "${files[@]}" 2>&1)
problems=$(grep -v ': native-' <<<"$out" | grep -v '^$')
if [[ -z $problems ]]; then
  echo "PASS $name: ${#files[@]} files formatted and lint-clean ($("$buildifier" --version | head -1))"
  exit 0
fi
sed 's/^/  /' <<<"$problems"
echo "    fix: $buildifier --lint=fix FILE... (\"# reformat\" lines: $buildifier FILE)"
echo "FAIL $name: $(cut -d: -f1 <<<"$problems" | sed 's/ #.*//' | sort -u | wc -l) of ${#files[@]} files"
exit 1

# Shared by the dockerless audits (hack/verify-dockerless*.sh,
# hack/verify-docker-client-deps.sh), their planted-violation tests
# (test/audits/) and hack/presubmit.sh. Source it; it sets no shell options.
#
# Environment every audit honors:
#   BAZEL                bazel binary (default: bazel)
#   BAZEL_STARTUP_FLAGS  startup flags, word-split (e.g. "--output_base=/tmp/ob-x")
#   BAZEL_BUILD_FLAGS    extra flags for build/test/cquery/info, word-split
#                        (e.g. "--config=remote-cache"); never given to `query`
# Build-like commands always get --symlink_prefix=/ so an audit never repoints
# a workspace's convenience symlinks at another output base.

# The repository these scripts live in.
AUDIT_REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

# The Docker client library and the dockershim, as the audits name them.
AUDIT_LIBDOCKER=//pkg/kubelet/dockershim/libdocker:libdocker
AUDIT_DOCKERSHIM_PATTERN=//pkg/kubelet/dockershim/...
AUDIT_KUBELET=//cmd/kubelet:kubelet

# audit_init NAME [WORKSPACE]: sets AUDIT_NAME and AUDIT_WS (default: the
# repository root) and makes AUDIT_TMP, a scratch directory removed on exit.
audit_init ()
{
  AUDIT_NAME=$1
  AUDIT_WS=$(cd "${2:-$AUDIT_REPO_ROOT}" && pwd)
  if [[ ! -f $AUDIT_WS/WORKSPACE ]]; then
    echo "$AUDIT_NAME: $AUDIT_WS is not a Bazel workspace" >&2
    exit 2
  fi
  AUDIT_TMP=$(mktemp -d "${TMPDIR:-/tmp}/kl-$AUDIT_NAME.XXXXXX")
  trap 'audit_cleanup' EXIT
  read -r -a AUDIT_STARTUP <<<"${BAZEL_STARTUP_FLAGS:-}"
  read -r -a AUDIT_BUILD_FLAGS <<<"${BAZEL_BUILD_FLAGS:-}"
  AUDIT_FAILURES=0
}

# Extra cleanup commands a script registers with audit_on_exit.
AUDIT_EXIT_HOOKS=()
audit_on_exit () { AUDIT_EXIT_HOOKS+=("$1"); }

audit_cleanup ()
{
  local hook
  for hook in "${AUDIT_EXIT_HOOKS[@]}"; do eval "$hook" || true; done
  [[ -n ${AUDIT_TMP:-} && -d $AUDIT_TMP ]] && rm -rf "$AUDIT_TMP"
  return 0
}

# bz COMMAND ARGS...: bazel in AUDIT_WS with the configured flags.
bz ()
{
  local cmd=$1
  shift
  local extra=()
  case $cmd in
    build | test | run | coverage | clean) extra=(--symlink_prefix=/ "${AUDIT_BUILD_FLAGS[@]}") ;;
    cquery | aquery | info) extra=("${AUDIT_BUILD_FLAGS[@]}") ;;
  esac
  (cd "$AUDIT_WS" && "${BAZEL:-bazel}" "${AUDIT_STARTUP[@]}" "$cmd" "${extra[@]}" "$@")
}

# bz_logged LOG COMMAND ARGS...: bz with all output in LOG; returns bazel's status.
bz_logged ()
{
  local log=$1
  shift
  bz "$@" >"$log" 2>&1
}

# audit_has_package LABEL_PACKAGE: true if //pkg exists in AUDIT_WS.
audit_has_package ()
{
  local dir=${1#//}
  [[ -f $AUDIT_WS/$dir/BUILD.bazel || -f $AUDIT_WS/$dir/BUILD ]]
}

# Output. Every audit ends with exactly one PASS or FAIL line.
audit_say () { printf '%s: %s\n' "$AUDIT_NAME" "$*"; }
audit_indent () { sed 's/^/    /'; }

# audit_violation WHAT PATH_TEXT FIX: one finding, printed as
#   FAIL <what>
#     offending path:
#       <path, as somepath prints it>
#     fix: <fix>
audit_violation ()
{
  AUDIT_FAILURES=$((AUDIT_FAILURES + 1))
  printf '  FAIL %s\n' "$1"
  if [[ -n $2 ]]; then
    printf '    offending path:\n'
    printf '%s\n' "$2" | sed 's/^/      /'
  fi
  [[ -n ${3:-} ]] && printf '    fix: %s\n' "$3"
  return 0
}

audit_ok () { printf '  ok   %s\n' "$*"; }

# audit_finish [SUMMARY]: prints the final PASS/FAIL line and exits.
audit_finish ()
{
  if ((AUDIT_FAILURES == 0)); then
    printf 'PASS %s%s\n' "$AUDIT_NAME" "${1:+: $1}"
    exit 0
  fi
  printf 'FAIL %s: %d violation(s)%s\n' "$AUDIT_NAME" "$AUDIT_FAILURES" "${1:+; $1}"
  exit 1
}

# audit_error MESSAGE [LOG]: the audit could not run (not a verdict about the
# tree, but still a failure): prints the tail of LOG and exits.
audit_error ()
{
  printf '  ERROR %s\n' "$1"
  if [[ -n ${2:-} && -f $2 ]]; then
    grep -E '^(ERROR|FAILED)' "$2" | head -20 | audit_indent
    echo "    last lines of the bazel output:"
    tail -15 "$2" | sed 's/^/      /'
  fi
  printf 'FAIL %s: could not run (%s)\n' "$AUDIT_NAME" "$1"
  exit 1
}

# audit_copy_workspace SRC DST: copies a workspace's sources (no outputs, no
# convenience symlinks): git's view of the tree when SRC is a git work tree,
# otherwise everything but .git, .bazel and bazel-*.
audit_copy_workspace ()
{
  local src=$1 dst=$2
  mkdir -p "$dst"
  if git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1 &&
    [[ $(git -C "$src" rev-parse --show-toplevel) == "$(cd "$src" && pwd -P)" ]]; then
    (cd "$src" && git ls-files -z -co --exclude-standard |
      while IFS= read -r -d '' f; do
        # Tracked files deleted in the work tree are not part of it.
        [[ -e $f || -L $f ]] && printf '%s\0' "$f"
      done | tar --null -T - -cf -) | tar -xf - -C "$dst"
  else
    (cd "$src" && tar --exclude=./.git --exclude=./.bazel --exclude='./bazel-*' -cf - .) |
      tar -xf - -C "$dst"
  fi
}

# audit_kubelet_binary CONFIG_FLAGS... : builds //cmd/kubelet:kubelet with the
# given flags and prints the absolute path of the binary.
audit_kubelet_binary ()
{
  local log=$AUDIT_TMP/build-kubelet.log rel root
  bz_logged "$log" build "$@" "$AUDIT_KUBELET" || return 1
  rel=$(bz cquery "$@" --output=starlark \
    --starlark:expr='target.files_to_run.executable.path' "$AUDIT_KUBELET" 2>>"$log") || return 1
  root=$(bz info "$@" execution_root 2>>"$log") || return 1
  printf '%s/%s\n' "$root" "$rel"
}

# audit_remote_enabled: true if BAZEL_BUILD_FLAGS use a remote cache.
audit_remote_enabled () { [[ " ${AUDIT_BUILD_FLAGS[*]} " == *" --config=remote-cache "* || " ${AUDIT_BUILD_FLAGS[*]} " == *" --remote_cache="* ]]; }

# audit_hit_counts LOG: "HITS TOTAL" from the last "INFO: N processes: ..."
# line of a bazel log (TOTAL excludes internal processes); "0 0" if none.
audit_hit_counts ()
{
  grep -E '^INFO: [0-9]+ processes?:' "$1" 2>/dev/null | tail -1 | awk '
    {
      total = $2; hits = 0; internal = 0
      line = $0; sub(/^INFO: [0-9]+ processes?: /, "", line); sub(/\.$/, "", line)
      n = split(line, parts, /, /)
      for (i = 1; i <= n; i++) {
        split(parts[i], w, " ")
        if (parts[i] ~ /remote cache hit/) hits = w[1]
        if (parts[i] ~ / internal$/) internal = w[1]
      }
      print hits, total - internal
      found = 1
    }
    END { if (!found) print 0, 0 }'
}

# audit_hit_ratio LOG: "remote cache: H of N processes (P%)".
audit_hit_ratio ()
{
  local hits total
  read -r hits total < <(audit_hit_counts "$1")
  if ((total > 0)); then
    printf 'remote cache: %d of %d processes (%d%%)\n' "$hits" "$total" $((100 * hits / total))
  else
    printf 'remote cache: %d hits (no process ran)\n' "$hits"
  fi
}

# Planted-violation tests for the dockerless audits: each test copies the
# workspace to a scratch directory, plants one violation at a time, runs an
# audit against the copy and asserts it FAILS naming the offending path.
#
# Source from a test script. Environment:
#   KL_AUDIT_SCRATCH   a scratch directory to share between tests (the runner,
#                      hack/test-audits.sh, sets it): the copy lives in
#                      $KL_AUDIT_SCRATCH/src, its Bazel output base in
#                      $KL_AUDIT_SCRATCH/output_base; plants are reverted at exit.
#                      Unset: a private one, removed (and its server shut down)
#                      at exit.
#   KL_AUDIT_WORKSPACE the workspace to copy (default: the one this file is in;
#                      under `bazel test` that is found through the runfiles
#                      symlink to this file).
set -uo pipefail

AT_LIB_DIR=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
AT_WS=${KL_AUDIT_WORKSPACE:-$(cd "$AT_LIB_DIR/../.." && pwd)}
source "$AT_WS/hack/lib/audit.sh"

AT_TEST=$(basename "$0" .sh)
AT_CASES=0
AT_FAILED=0
AT_PLANTED=()   # relative paths touched, in order

at_begin ()
{
  if [[ -n ${KL_AUDIT_SCRATCH:-} ]]; then
    AT_SCRATCH=$KL_AUDIT_SCRATCH
    AT_OWN_SCRATCH=0
  else
    AT_SCRATCH=$(mktemp -d /tmp/kl-audit-test.XXXXXX)
    AT_OWN_SCRATCH=1
  fi
  AT_SRC=$AT_SCRATCH/src
  AT_BASE=$AT_SCRATCH/output_base
  mkdir -p "$AT_SCRATCH/orig"
  trap at_exit EXIT
  if [[ ! -f $AT_SRC/WORKSPACE ]]; then
    echo "$AT_TEST: copying $AT_WS to $AT_SRC"
    audit_copy_workspace "$AT_WS" "$AT_SRC"
  fi
}

at_exit ()
{
  plant_revert
  if ((AT_OWN_SCRATCH)); then
    (cd "$AT_SRC" && "${BAZEL:-bazel}" --output_base="$AT_BASE" shutdown >/dev/null 2>&1) || true
    rm -rf "$AT_SCRATCH"
  fi
}

# plant_backup REL: remembers REL's content (or absence) before the first change.
plant_backup ()
{
  local rel=$1
  local p
  for p in "${AT_PLANTED[@]}"; do [[ $p == "$rel" ]] && return 0; done
  AT_PLANTED+=("$rel")
  if [[ -e $AT_SRC/$rel ]]; then
    mkdir -p "$(dirname "$AT_SCRATCH/orig/$rel")"
    cp -p "$AT_SRC/$rel" "$AT_SCRATCH/orig/$rel"
  fi
}

# plant_append REL TEXT: appends TEXT (a line or more) to REL.
plant_append ()
{
  plant_backup "$1"
  mkdir -p "$(dirname "$AT_SRC/$1")"
  printf '%s\n' "$2" >>"$AT_SRC/$1"
}

# plant_write REL TEXT: creates REL with TEXT.
plant_write ()
{
  plant_backup "$1"
  mkdir -p "$(dirname "$AT_SRC/$1")"
  printf '%s\n' "$2" >"$AT_SRC/$1"
}

# plant_edit REL PERL_SUBSTITUTION: edits REL in place (the whole file is one
# string, so the substitution may span lines); fails the test if nothing changed.
plant_edit ()
{
  plant_backup "$1"
  local f=$AT_SRC/$1
  cp "$f" "$f.before"
  perl -0pi -e "$2" "$f"
  if cmp -s "$f" "$f.before"; then
    rm -f "$f.before"
    echo "$AT_TEST: cannot plant: '$2' changed nothing in $1" >&2
    AT_FAILED=$((AT_FAILED + 1))
    return 1
  fi
  rm -f "$f.before"
}

# plant_revert: restores every planted file.
plant_revert ()
{
  local rel
  for rel in "${AT_PLANTED[@]}"; do
    if [[ -e $AT_SCRATCH/orig/$rel ]]; then
      cp -p "$AT_SCRATCH/orig/$rel" "$AT_SRC/$rel"
      rm -f "$AT_SCRATCH/orig/$rel"
    else
      rm -f "$AT_SRC/$rel"
      rmdir -p --ignore-fail-on-non-empty "$(dirname "$AT_SRC/$rel")" 2>/dev/null || true
    fi
  done
  AT_PLANTED=()
}

# line_count REL: the number of lines of REL in the scratch copy.
line_count () { wc -l <"$AT_SRC/$1" | tr -d ' '; }

# run_audit AUDIT: runs hack/AUDIT.sh of the scratch copy against it, with the
# scratch output base; sets AT_OUT and AT_STATUS.
run_audit ()
{
  AT_OUT=$(BAZEL_STARTUP_FLAGS="--output_base=$AT_BASE" BAZEL_BUILD_FLAGS="" \
    "$AT_SRC/hack/$1.sh" "$AT_SRC" 2>&1)
  AT_STATUS=$?
}

_at_report ()
{
  local verdict=$1 name=$2 why=$3
  AT_CASES=$((AT_CASES + 1))
  if [[ $verdict == PASS ]]; then
    printf '  PASS %s: %s\n' "$AT_TEST" "$name"
  else
    AT_FAILED=$((AT_FAILED + 1))
    printf '  FAIL %s: %s: %s\n' "$AT_TEST" "$name" "$why"
    printf '%s\n' "$AT_OUT" | sed 's/^/      | /'
  fi
}

# expect_fail CASE AUDIT PATTERN...: runs AUDIT and asserts it fails with a
# final "FAIL <audit>" line and every PATTERN (fixed strings) in its output.
expect_fail ()
{
  local name=$1 audit=$2
  shift 2
  run_audit "$audit"
  local missing=() p
  for p in "$@"; do grep -qF -- "$p" <<<"$AT_OUT" || missing+=("$p"); done
  if ((AT_STATUS == 0)); then
    _at_report FAIL "$name" "$audit passed with the violation planted"
  elif ! grep -q "^FAIL $audit" <<<"$AT_OUT"; then
    _at_report FAIL "$name" "$audit exited $AT_STATUS without its FAIL line"
  elif grep -q 'could not run' <<<"$AT_OUT"; then
    _at_report FAIL "$name" "$audit could not run (not a verdict on the plant)"
  elif ((${#missing[@]})); then
    _at_report FAIL "$name" "$audit failed, but its output lacks: ${missing[*]}"
  else
    _at_report PASS "$name" ""
    # Show what the audit said about the plant.
    grep -E '^  FAIL|^ {4,}(offending path:|fix:|//|[a-z])' <<<"$AT_OUT" | head -12 | sed 's/^/      | /'
  fi
}

# expect_pass CASE AUDIT: runs AUDIT and asserts it passes.
expect_pass ()
{
  run_audit "$2"
  if ((AT_STATUS == 0)); then _at_report PASS "$1" ""; else _at_report FAIL "$1" "$2 failed"; fi
}

at_end ()
{
  if ((AT_FAILED)); then
    echo "FAIL $AT_TEST: $AT_FAILED of $AT_CASES cases failed"
    exit 1
  fi
  echo "PASS $AT_TEST: $AT_CASES cases"
  exit 0
}

#!/usr/bin/env bash
# Checks C and C++ sources (*.c, *.h, *.cc) against the root .clang-format with
# `clang-format --dry-run -Werror`.
#
# By default only what changed since the merge-base is checked: new files
# whole, files that existed at the merge-base on their changed lines only. The
# tree was written by hand before .clang-format existed and about half of its
# files differ from any clang-format configuration in line-breaking details
# (see README "Presubmit and remote cache"), so a whole-tree check could not
# pass without reformatting everything at once.
#
# Usage: hack/verify-clang-format.sh [--all] [WORKSPACE]
#   --all          check every file, whole (reports how far the tree is)
#   KL_LINT_BASE   the commit to compare with (default: the merge-base of HEAD
#                  and origin/main, else HEAD: uncommitted and untracked work)
set -uo pipefail

all=0
if [[ ${1:-} == --all ]]; then all=1; shift; fi
ws=$(cd "${1:-$(dirname "${BASH_SOURCE[0]}")/..}" && pwd)
cd "$ws" || exit 2
name=verify-clang-format

if ! command -v clang-format >/dev/null; then
  echo "FAIL $name: clang-format is not installed (hack/install-deps.sh installs it)"
  exit 1
fi
if [[ ! -f .clang-format ]]; then
  echo "FAIL $name: no .clang-format in $ws"
  exit 1
fi
is_c () { [[ $1 =~ \.(c|h|cc)$ ]]; }

# files: "FILE [--lines=A:B ...]" per line.
plan=$(mktemp)
trap 'rm -f "$plan"' EXIT
if ((all)); then
  scope="all files"
  git ls-files -co --exclude-standard -- '*.c' '*.h' '*.cc' | while read -r f; do
    [[ -f $f ]] && echo "$f"
  done >"$plan"
else
  if [[ -n ${KL_LINT_BASE:-} ]]; then
    base=$(git rev-parse --verify "$KL_LINT_BASE^{commit}") || exit 2
  elif git rev-parse --verify -q origin/main >/dev/null; then
    base=$(git merge-base HEAD origin/main)
  else
    base=$(git rev-parse HEAD)
  fi
  scope="changes since $(git rev-parse --short "$base")"
  {
    git diff --name-only --diff-filter=AMR "$base" -- '*.c' '*.h' '*.cc'
    git ls-files --others --exclude-standard -- '*.c' '*.h' '*.cc'
  } | sort -u | while read -r f; do
    [[ -f $f ]] && is_c "$f" || continue
    if git cat-file -e "$base:$f" 2>/dev/null; then
      # Changed lines: the new side of every hunk, "@@ -a,b +c,d @@".
      lines=$(git diff -U0 "$base" -- "$f" | sed -nE 's/^@@ -[0-9,]+ \+([0-9]+)(,([0-9]+))? @@.*/\1 \3/p' |
        awk '{ n = ($2 == "") ? 1 : $2; if (n > 0) printf " --lines=%d:%d", $1, $1 + n - 1 }')
      [[ -n $lines ]] && echo "$f$lines"
    else
      echo "$f"
    fi
  done >"$plan"
fi

checked=0
bad=()
while read -r f args; do
  [[ -z $f ]] && continue
  checked=$((checked + 1))
  # shellcheck disable=SC2086 # args is a list of --lines flags
  if ! out=$(clang-format --style=file --dry-run -Werror $args "$f" 2>&1); then
    bad+=("$f")
    if ((!all)); then
      printf '  FAIL %s\n' "$f${args:+ (changed lines)}"
      grep -E '^[^ ].*: (error|warning):' <<<"$out" | head -5 | sed 's/^/      /'
    fi
  fi
done <"$plan"

if ((${#bad[@]} == 0)); then
  echo "PASS $name: $checked file(s) match .clang-format ($scope)"
  exit 0
fi
if ((all)); then
  printf '  %s\n' "${bad[@]}"
fi
if ((all)); then
  echo "    fix: clang-format -i FILE"
else
  echo "    fix: clang-format -i FILE (whole file) or, for the changed lines only, git clang-format --extensions c,h,cc $(git rev-parse --short "$base")"
fi
echo "FAIL $name: ${#bad[@]} of $checked file(s) differ from .clang-format ($scope)"
exit 1

#!/usr/bin/env bash
# Builds the libFuzzer targets (cc_fuzz_target in //bazel:fuzz.bzl, found by
# their `fuzz_target` tag) with clang, ASan and UBSan in a Bazel output base
# of their own, so the gcc build's cache is never invalidated, then runs each
# for --time seconds on a scratch copy of its in-tree seed corpus and crash
# reproducers. Prints a table (executions, exec/s, coverage features,
# crashes) and fails if any target crashed; crash inputs are kept and named.
#
# Usage: hack/fuzz.sh [--time=SECONDS] [--jobs=N] [target...]
#   target: a name (quantity_fuzz) or a label (//pkg/util:quantity_fuzz);
#   default: every fuzz target. CI (hack/test.sh, suite "fuzz") runs 60 s each.
#   --jobs: how many targets fuzz at once (default: the number of CPUs).
# Environment: KL_FUZZ_OUTPUT_BASE (default ~/.cache/kl-fuzz-ob), KL_FUZZ_WORK
# (scratch corpora, logs and crash inputs; default a new directory under /tmp),
# KL_FUZZ_RSS_LIMIT_MB (default 2048).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

time=60
jobs=$(nproc)
wanted=()
for arg in "$@"; do
  case "$arg" in
    --time=*) time=${arg#--time=} ;;
    --jobs=*) jobs=${arg#--jobs=} ;;
    -h | --help)
      sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    -*)
      echo "fuzz: unknown flag $arg (see --help)" >&2
      exit 2
      ;;
    *) wanted+=("$arg") ;;
  esac
done
if ! [[ "$time" =~ ^[1-9][0-9]*$ ]]; then
  echo "fuzz: --time wants a positive number of seconds, got \"$time\"" >&2
  exit 2
fi
if ! [[ "$jobs" =~ ^[1-9][0-9]*$ ]]; then
  echo "fuzz: --jobs wants a positive number, got \"$jobs\"" >&2
  exit 2
fi
if ! command -v clang >/dev/null; then
  echo "fuzz: clang is not installed (hack/install-deps.sh installs it)" >&2
  exit 1
fi

output_base=${KL_FUZZ_OUTPUT_BASE:-$HOME/.cache/kl-fuzz-ob}
work=${KL_FUZZ_WORK:-$(mktemp -d /tmp/kl-fuzz.XXXXXX)}
rss_limit=${KL_FUZZ_RSS_LIMIT_MB:-2048}
mkdir -p "$work"
# --symlink_prefix=/ creates no convenience symlinks: the tree's .bazel/ keeps
# pointing at the gcc build.
bazel_fuzz() { bazel --output_base="$output_base" "$@"; }

# ---- which targets ----
all=$(bazel_fuzz query --keep_going 'attr(tags, "\bfuzz_target\b", //...)' 2>"$work/query.log")
if [[ -z "$all" ]]; then
  echo "fuzz: no fuzz targets found" >&2
  cat "$work/query.log" >&2
  exit 1
fi
labels=()
if ((${#wanted[@]} == 0)); then
  mapfile -t labels <<<"$all"
else
  for w in "${wanted[@]}"; do
    match=$(grep -E "(^|:)${w#//*:}\$" <<<"$all" | grep -F -- "${w%:*}" | head -1)
    if [[ -z "$match" ]]; then
      echo "fuzz: no fuzz target $w; there are:" >&2
      sed 's/^/  /' <<<"$all" >&2
      exit 2
    fi
    labels+=("$match")
  done
fi

# ---- build ----
echo "fuzz: building ${#labels[@]} targets with clang (output base $output_base)"
if ! bazel_fuzz build --config=fuzz --symlink_prefix=/ "${labels[@]}" >"$work/build.log" 2>&1; then
  # gold warns about every ASan symbol it cannot export; show the rest.
  grep -v "Cannot export local symbol" "$work/build.log" | tail -40 >&2
  echo "fuzz: build failed (full log: $work/build.log)" >&2
  exit 1
fi
bin=$(bazel_fuzz info --config=fuzz bazel-bin 2>/dev/null)

# ---- run ----
# fuzz_one LABEL: fuzzes one target; its table row goes to $work/<name>/row,
# a crash leaves $work/<name>/crashed.
fuzz_one() {
  local label=$1 pkg name max_len dir src rc execs rate features crashes
  pkg=${label#//}
  pkg=${pkg%%:*}
  name=${label##*:}
  max_len=${max_lens[$label]}
  dir="$work/$name"
  rm -rf "$dir"
  mkdir -p "$dir/corpus" "$dir/artifacts"
  for src in "$pkg/testdata/fuzz/$name" "$pkg/testdata/fuzz/${name}_regressions"; do
    [[ -d "$src" ]] && cp "$src"/* "$dir/corpus/" 2>/dev/null
  done
  echo "fuzz: $label for ${time}s (max_len ${max_len:-4096}, $(ls "$dir/corpus" | wc -l) seeds)"
  "$bin/$pkg/$name" -max_total_time="$time" -max_len="${max_len:-4096}" \
    -rss_limit_mb="$rss_limit" -timeout=25 -print_final_stats=1 \
    -artifact_prefix="$dir/artifacts/" "$dir/corpus" >"$dir/fuzz.log" 2>&1
  rc=$?
  execs=$(awk '/^stat::number_of_executed_units:/ {v = $2} END {print v}' "$dir/fuzz.log")
  rate=$(awk '/^stat::average_exec_per_sec:/ {v = $2} END {print v}' "$dir/fuzz.log")
  features=$(grep -o ' ft: [0-9]*' "$dir/fuzz.log" | tail -1 | awk '{print $2}')
  crashes=$(find "$dir/artifacts" -type f | wc -l)
  if ((rc != 0 && crashes == 0)); then
    crashes=1 # died without an artifact (e.g. the harness itself)
  fi
  echo "${execs:-0}" >"$dir/execs"
  printf '%-54s %11s %7s %8s %7s\n' "$label" "${execs:-?}" "${rate:-?}" "${features:-?}" \
    "$crashes" >"$dir/row"
  if ((crashes > 0)); then
    touch "$dir/crashed"
    {
      grep -v '^"' "$dir/fuzz.log" | grep -E -A12 'ERROR|runtime error|invariant' | head -30
      find "$dir/artifacts" -type f | sed 's/^/fuzz: crash input: /'
    } >&2
  fi
}

# Each target's -max_len, from the `fuzz_max_len=` tag the macro sets.
declare -A max_lens
for label in "${labels[@]}"; do
  max_lens[$label]=$(bazel_fuzz query --output=build "$label" 2>/dev/null |
    grep -o 'fuzz_max_len=[0-9]*' | head -1 | cut -d= -f2)
done

running=0
for label in "${labels[@]}"; do
  if ((running >= jobs)); then
    wait -n
    running=$((running - 1))
  fi
  fuzz_one "$label" &
  running=$((running + 1))
done
wait

rows=()
crashed=()
total_execs=0
for label in "${labels[@]}"; do
  name=${label##*:}
  rows+=("$(cat "$work/$name/row")")
  total_execs=$((total_execs + $(cat "$work/$name/execs")))
  [[ -e "$work/$name/crashed" ]] && crashed+=("$label")
done

echo
printf '%-54s %11s %7s %8s %7s\n' target executions exec/s features crashes
printf '%s\n' "${rows[@]}"
echo "fuzz: ${#labels[@]} targets, ${time}s each, $jobs at a time, $total_execs executions, ${#crashed[@]} crashed," \
  "$((SECONDS / 60)) min $((SECONDS % 60)) s in all (logs: $work)"
if ((${#crashed[@]})); then
  echo "fuzz: crashes in ${crashed[*]}: fix the bug and add the input to" \
    "<pkg>/testdata/fuzz/<target>_regressions/" >&2
  exit 1
fi

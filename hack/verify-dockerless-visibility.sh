#!/usr/bin/env bash
# Audit 4, visibility: Bazel itself refuses an edge from the kubelet to the
# Docker client or the dockershim. In a scratch copy of the workspace (its own
# output base, its server shut down afterwards) it adds, under //pkg/kubelet,
#   - a new package //pkg/kubelet/visibility_probe with one cc_library per
#     cc_library of //pkg/kubelet/dockershim/..., each depending on it, and
#   - in the real //pkg/kubelet/kuberuntime package, a cc_library depending on
#     the Docker client and one depending on the dockershim,
# and asserts that `bazel build` fails for every one of them with
# "target '<dep>' is not visible from target '<probe>'".
# Usage: hack/verify-dockerless-visibility.sh [WORKSPACE]   (see hack/lib/audit.sh)
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/audit.sh"
audit_init verify-dockerless-visibility "${1:-}"

scratch=$AUDIT_TMP/scratch
base=$AUDIT_TMP/output_base
log=$AUDIT_TMP/bazel.log
sbz () { (cd "$scratch" && "${BAZEL:-bazel}" --output_base="$base" "$@"); }
audit_on_exit 'sbz shutdown >/dev/null 2>&1'

audit_copy_workspace "$AUDIT_WS" "$scratch"

required=("$AUDIT_LIBDOCKER" //pkg/kubelet/dockershim:dockershim)
targets=$(sbz query --noshow_progress "kind('cc_library rule', $AUDIT_DOCKERSHIM_PATTERN)" 2>"$log") ||
  audit_error "bazel query for the cc_library targets of $AUDIT_DOCKERSHIM_PATTERN failed" "$log"
for t in "${required[@]}"; do
  grep -qxF "$t" <<<"$targets" || audit_error "$t does not exist"
done

# probe NAME DEP: a cc_library that depends on DEP (testonly, so a testonly
# DEP is refused for visibility and nothing else).
probe () { printf '\ncc_library(\n    name = "%s",\n    testonly = True,\n    deps = ["%s"],\n)\n' "$1" "$2"; }
name_of () { sed -E 's|^//||; s|[^A-Za-z0-9]+|_|g' <<<"$1"; }

probes=()   # "PROBE_LABEL DEP_LABEL"
mkdir -p "$scratch/pkg/kubelet/visibility_probe"
{
  echo '# Planted by hack/verify-dockerless-visibility.sh in a scratch copy.'
  while read -r t; do
    n=$(name_of "$t")
    probe "$n" "$t"
    probes+=("//pkg/kubelet/visibility_probe:$n $t")
  done <<<"$targets"
} >"$scratch/pkg/kubelet/visibility_probe/BUILD.bazel"
if [[ -f $scratch/pkg/kubelet/kuberuntime/BUILD.bazel ]]; then
  for t in "${required[@]}"; do
    n=visibility_probe_$(name_of "$t")
    probe "$n" "$t" >>"$scratch/pkg/kubelet/kuberuntime/BUILD.bazel"
    probes+=("//pkg/kubelet/kuberuntime:$n $t")
  done
fi

labels=()
for p in "${probes[@]}"; do labels+=("${p%% *}"); done
if sbz build --nobuild --keep_going --symlink_prefix=/ "${labels[@]}" >"$log" 2>&1; then
  status=0
else
  status=$?
fi

for p in "${probes[@]}"; do
  probe_label=${p%% *} dep=${p#* }
  if grep -qF "target '$dep' is not visible from target '$probe_label'" "$log"; then
    audit_ok "refused: $probe_label -> $dep (is not visible from target)"
  elif grep -qF "$probe_label" "$log" && grep -E "^ERROR: .*$probe_label" "$log" | grep -qvF 'is not visible'; then
    audit_violation "$probe_label -> $dep failed for a reason other than visibility" \
      "$(printf '%s\n%s' "$probe_label" "$dep")" "see: $(grep -E "^ERROR: .*$probe_label" "$log" | head -1)"
  else
    audit_violation "Bazel accepts an edge from //pkg/kubelet to $dep" \
      "$(printf '%s\n%s' "$probe_label" "$dep")" \
      "restrict the visibility of $dep to the dockershim (//pkg/kubelet/dockershim:__subpackages__) and, for the dockershim's entry targets, the binaries that select it (//cmd/kubelet, //cmd/dockershim)"
  fi
done
if ((status == 0)); then
  audit_violation "bazel build of the probes succeeded" "" "see the accepted edges above"
fi

audit_finish "${#probes[@]} planted edges from //pkg/kubelet into $AUDIT_DOCKERSHIM_PATTERN refused by Bazel"

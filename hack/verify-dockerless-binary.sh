#!/usr/bin/env bash
# Audit 6, the artifact: builds //cmd/kubelet:kubelet in both variants and
#  - checks the unstripped dockerless binary has no dockershim or Docker client
#    code: no defined symbol named ds_* (dockershim) or docker_* (libdocker)
#    (nm), and none of the strings "k8s_POD_" (dockershim naming),
#    "/containers/create" (Docker Engine API), "docker.sock" (strings);
#  - reports the same for the full binary ("teeth": it should have them once
#    the dockershim is linked);
#  - reports both binaries' sizes, unstripped and stripped (strip of a copy).
# A symbol or string found in the dockerless binary is traced to the object
# that defines it, its target and the path to it from the kubelet.
# Usage: hack/verify-dockerless-binary.sh [WORKSPACE]   (see hack/lib/audit.sh)
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/audit.sh"
audit_init verify-dockerless-binary "${1:-}"

SYMBOL_RE='^(ds_|docker_)'
STRINGS=("k8s_POD_" "/containers/create" "docker.sock")

# symbols BINARY: defined symbols matching SYMBOL_RE, "TYPE NAME" per line.
symbols () { nm --defined-only "$1" | awk -v re="$SYMBOL_RE" '$3 ~ re { print $2, $3 }' | sort -u -k2; }
# strings_found BINARY: the STRINGS present in BINARY.
strings_found ()
{
  local s all
  all=$(strings -a "$1")
  for s in "${STRINGS[@]}"; do grep -qF -- "$s" <<<"$all" && echo "$s"; done
}

# owners BIN_DIR SYMBOL_OR_STRING KIND: the objects under BIN_DIR that define
# the symbol (KIND sym) or contain the string (KIND str), as
# "//package:target (path/to/object.o)".
owners ()
{
  local dir=$1 what=$2 kind=$3 o
  find "$dir" -path '*/_objs/*' -name '*.o' 2>/dev/null | while read -r o; do
    if [[ $kind == sym ]]; then
      nm --defined-only "$o" 2>/dev/null | awk -v s="$what" '$3 == s { f = 1 } END { exit !f }' || continue
    else
      grep -qaF -- "$what" "$o" || continue
    fi
    local rel=${o#"$dir"/}
    local pkg=${rel%%/_objs/*} rest=${rel#*/_objs/}
    printf '//%s:%s (%s)\n' "$pkg" "${rest%%/*}" "$rel"
  done | sort -u
}

declare -A unstripped stripped
measure ()
{
  local name=$1 bin=$2
  unstripped[$name]=$(stat -c %s "$bin")
  strip -o "$AUDIT_TMP/$name.stripped" "$bin"
  stripped[$name]=$(stat -c %s "$AUDIT_TMP/$name.stripped")
}

# The dockerless binary first: trace its findings while its objects are the
# latest build's.
log=$AUDIT_TMP/build.log
bin=$(audit_kubelet_binary --config=dockerless) || audit_error "bazel build --config=dockerless $AUDIT_KUBELET failed" "$AUDIT_TMP/build-kubelet.log"
cp "$bin" "$AUDIT_TMP/kubelet-dockerless"
bindir=$(bz info --config=dockerless bazel-bin 2>>"$log")
syms=$(symbols "$AUDIT_TMP/kubelet-dockerless")
strs=$(strings_found "$AUDIT_TMP/kubelet-dockerless")
if [[ -z $syms && -z $strs ]]; then
  audit_ok "dockerless kubelet: no ds_*/docker_* symbols, none of: ${STRINGS[*]}"
else
  fix="the dockerless kubelet links dockershim or Docker client code: remove the dependency shown (or move the code into pkg/kubelet/dockershim); the dockershim reaches the kubelet only through //pkg/kubelet/dockershim:inprocess in the full build"
  report ()
  {
    local what=$1 kind=$2 desc=$3 own path="" t
    own=$(owners "$bindir" "$what" "$kind" | head -5)
    while read -r t; do
      [[ -z $t ]] && continue
      path+="$t"$'\n'
      local p
      p=$(bz cquery --config=dockerless "somepath($AUDIT_KUBELET, ${t%% *})" 2>>"$log")
      [[ -n $p ]] && path+="$(sed 's/^/  /' <<<"$p")"$'\n'
    done <<<"$own"
    audit_violation "dockerless kubelet contains $desc" "${path%$'\n'}" "$fix"
  }
  shown=0
  while read -r type name; do
    [[ -z $name ]] && continue
    ((shown++ < 10)) && report "$name" sym "symbol $name (nm type $type)"
  done <<<"$syms"
  ((shown > 10)) && audit_violation "... and $((shown - 10)) more ds_*/docker_* symbols" "" ""
  while read -r s; do
    [[ -n $s ]] && report "$s" str "the string \"$s\""
  done <<<"$strs"
fi
measure dockerless "$AUDIT_TMP/kubelet-dockerless"

# The full binary: teeth and size.
bin=$(audit_kubelet_binary) || audit_error "bazel build $AUDIT_KUBELET failed" "$AUDIT_TMP/build-kubelet.log"
cp "$bin" "$AUDIT_TMP/kubelet-full"
fsyms=$(symbols "$AUDIT_TMP/kubelet-full")
fstrs=$(strings_found "$AUDIT_TMP/kubelet-full")
if [[ -n $fsyms || -n $fstrs ]]; then
  teeth="yes"
  audit_ok "full kubelet contains them: yes ($(grep -c ' ds_' <<<"$fsyms") ds_* and $(grep -c ' docker_' <<<"$fsyms") docker_* symbols; strings: $(tr '\n' ' ' <<<"$fstrs" | sed 's/ $//; s/ /, /g'))"
else
  teeth="no"
  audit_ok "full kubelet contains them: no (the full build does not link the dockershim yet)"
fi
measure full "$AUDIT_TMP/kubelet-full"

human () { awk -v b="$1" 'BEGIN { printf (b >= 1048576 ? "%.2f MiB" : "%.1f KiB"), (b >= 1048576 ? b / 1048576 : b / 1024) }'; }
echo
echo "  | kubelet binary | unstripped | stripped |"
echo "  | --- | ---: | ---: |"
for v in full dockerless; do
  printf '  | %s | %s (%d B) | %s (%d B) |\n' "$v" "$(human "${unstripped[$v]}")" "${unstripped[$v]}" \
    "$(human "${stripped[$v]}")" "${stripped[$v]}"
done
d=$((stripped[full] - stripped[dockerless]))
printf '  | difference | %s | %s (%s%% of full) |\n' "$(human $((unstripped[full] - unstripped[dockerless])))" \
  "$(human "$d")" "$(awk -v d="$d" -v f="${stripped[full]}" 'BEGIN { printf "%.1f", 100 * d / f }')"
echo

audit_finish "stripped: full $(human "${stripped[full]}"), dockerless $(human "${stripped[dockerless]}"); full build contains dockershim code: $teeth"

#!/usr/bin/env bash
# Audit 3, the unconfigured graph (`bazel query` sees every select() branch):
#  a. the Docker client library's direct dependents,
#       rdeps(//..., //pkg/kubelet/dockershim/libdocker, 1),
#     are all inside //pkg/kubelet/dockershim/...;
#  b. no target outside //pkg/kubelet/dockershim/... reaches the client,
#       rdeps(//..., //pkg/kubelet/dockershim/libdocker)
#         - //pkg/kubelet/dockershim/... - entry points - their tests  is empty,
#     where the entry points are the binaries that select the dockershim
#     (ENTRY_POINTS below) and "their tests" are test rules that reach the
#     client only through an entry point.
# Each offender is printed with a path to the client, as somepath prints it.
# Usage: hack/verify-docker-client-deps.sh [WORKSPACE]   (see hack/lib/audit.sh)
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/audit.sh"
audit_init verify-docker-client-deps "${1:-}"

# The allowed entry points: every target of these packages may reach the
# dockershim (cmd/kubelet only through if_dockerless(), which audit 2 checks
# in the configured graph).
ENTRY_POINTS=(//cmd/kubelet //cmd/dockershim)

lib=$AUDIT_LIBDOCKER
log=$AUDIT_TMP/query.log
FIX="remove the dependency, or move the code into pkg/kubelet/dockershim; the kubelet reaches the dockershim only through //pkg/kubelet/dockershim:inprocess, which cmd/kubelet selects with if_dockerless()"

q () { bz query --noshow_progress "$@" 2>>"$log"; }

if ! q "$lib" >/dev/null; then
  audit_error "$lib does not load" "$log"
fi

# (a) Direct dependents.
direct=$(q "rdeps(//..., $lib, 1) - $lib - $AUDIT_DOCKERSHIM_PATTERN") ||
  audit_error "bazel query 'rdeps(//..., $lib, 1)' failed" "$log"
if [[ -z $direct ]]; then
  n=$(q "rdeps(//..., $lib, 1) - $lib" | wc -l)
  audit_ok "direct dependents of $lib: $n, all inside $AUDIT_DOCKERSHIM_PATTERN"
else
  while read -r t; do
    audit_violation "$t depends on the Docker client directly" "$(q "somepath($t, $lib)")" "$FIX"
  done <<<"$direct"
fi

# (b) Everything that reaches the client. The induced subgraph of the reverse
# dependencies holds every path to the client, so a reverse walk from the
# client that never steps into an entry point finds exactly the targets with
# a path that avoids the entry points.
q --output=graph --graph:factored=false "rdeps(//..., $lib)" >"$AUDIT_TMP/graph" ||
  audit_error "bazel query 'rdeps(//..., $lib)' failed" "$log"
q "kind('.*_test rule', rdeps(//..., $lib))" >"$AUDIT_TMP/tests" ||
  audit_error "bazel query for the tests among the reverse dependencies failed" "$log"
entry_re=$(printf '%s:|' "${ENTRY_POINTS[@]}")
entry_re="^(${entry_re%|})"

# Prints "DISTANCE LABEL KIND" for every reverse dependency outside the
# dockershim and the entry points, KIND "direct-path" (reaches the client
# without an entry point), "via-entry-test" (a test reaching it only through
# an entry point: allowed) or "via-entry" (anything else reaching it only
# through an entry point).
awk -v lib="$lib" -v entry_re="$entry_re" -v tests="$AUDIT_TMP/tests" '
  function unq(s) { gsub(/^[ \t]*"|"[ \t]*$/, "", s); return s }
  BEGIN { while ((getline t < tests) > 0) is_test[t] = 1 }
  / -> / { split($0, e, / -> /); a = unq(e[1]); b = unq(e[2]); rev[b] = rev[b] SUBSEP a; node[a]; node[b]; next }
  /^[ \t]*"/ { node[unq($0)] }
  END {
    dist[lib] = 0; queue[0] = lib; head = 0; tail = 1
    while (head < tail) {
      x = queue[head++]
      n = split(rev[x], ps, SUBSEP)
      for (i = 2; i <= n; i++) {
        p = ps[i]
        if (p in dist || p ~ entry_re) continue
        dist[p] = dist[x] + 1; queue[tail++] = p
      }
    }
    for (v in node) {
      if (v == lib || v ~ /^\/\/pkg\/kubelet\/dockershim[\/:]/ || v ~ entry_re) continue
      if (v in dist) print dist[v], v, "direct-path"
      else if (v in is_test) print 999, v, "via-entry-test"
      else print 999, v, "via-entry"
    }
  }' "$AUDIT_TMP/graph" | sort -k1,1n -k2,2 >"$AUDIT_TMP/reach"

# Direct dependents were reported above.
offenders=$(awk -v direct="$direct" '
  BEGIN { n = split(direct, d, "\n"); for (i = 1; i <= n; i++) seen[d[i]] = 1 }
  $3 != "via-entry-test" && !($2 in seen)' "$AUDIT_TMP/reach")
allowed=$(awk '$3 == "via-entry-test" { print $2 }' "$AUDIT_TMP/reach")

if [[ -z $offenders ]]; then
  audit_ok "no target outside $AUDIT_DOCKERSHIM_PATTERN reaches $lib except the entry points (${ENTRY_POINTS[*]})$([[ -n $allowed ]] && printf ' and %d of their tests' "$(wc -l <<<"$allowed")")"
else
  shown=0
  while read -r _ t kind; do
    if ((shown == 25)); then
      audit_violation "... and $(($(wc -l <<<"$offenders") - shown)) more: $(awk 'NR > 25 { printf "%s ", $2 }' <<<"$offenders")" "" ""
      break
    fi
    shown=$((shown + 1))
    path=$(q "somepath($t, $lib)")
    if [[ $kind == via-entry ]]; then
      audit_violation "$t reaches the Docker client through an entry point but is not a test" "$path" \
        "only the entry points (${ENTRY_POINTS[*]}) and their tests may depend on them; if $t ships the full kubelet on purpose, add its package to ENTRY_POINTS in hack/verify-docker-client-deps.sh"
    else
      audit_violation "$t reaches the Docker client" "$path" "$FIX"
    fi
  done <<<"$offenders"
fi

audit_finish "$(wc -l <"$AUDIT_TMP/tests") tests and $(grep -c ' -> ' "$AUDIT_TMP/graph") edges among the reverse dependencies of $lib checked"

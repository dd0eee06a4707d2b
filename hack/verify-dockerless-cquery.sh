#!/usr/bin/env bash
# Audit 2, the configured graph: in the dockerless configuration the kubelet
# binary has no path to any target of the dockershim (which includes the
# Docker client library):
#   bazel cquery --config=dockerless \
#     'somepath(//cmd/kubelet:kubelet, //pkg/kubelet/dockershim/...)'   must be empty
# It also reports whether the full build links the dockershim, the same query
# without --config=dockerless, to show the audit can see a path when there is one.
# Usage: hack/verify-dockerless-cquery.sh [WORKSPACE]   (see hack/lib/audit.sh)
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/audit.sh"
audit_init verify-dockerless-cquery "${1:-}"

expr="somepath($AUDIT_KUBELET, $AUDIT_DOCKERSHIM_PATTERN)"
log=$AUDIT_TMP/cquery.log

if ! path=$(bz cquery --config=dockerless "$expr" 2>"$log"); then
  audit_error "bazel cquery --config=dockerless '$expr' failed" "$log"
fi
if [[ -n $path ]]; then
  audit_violation "the dockerless kubelet reaches the dockershim: bazel cquery --config=dockerless '$expr'" \
    "$path" \
    "cmd/kubelet may depend on //pkg/kubelet/dockershim:inprocess only in the full-build branch of if_dockerless() (bazel/select.bzl); remove the dependency from the dockerless branch, or, if the path runs through a library, remove that library's dependency on the dockershim or move the code into pkg/kubelet/dockershim"
else
  audit_ok "bazel cquery --config=dockerless '$expr' is empty"
fi

# Teeth: the same query in the full build.
if full=$(bz cquery "$expr" 2>"$log"); then
  if [[ -n $full ]]; then
    links="yes ($(printf '%s\n' "$full" | sed -n 2p | sed 's/ (.*//'))"
  else
    links="no (the full build does not select the dockershim yet)"
  fi
  audit_ok "full build links the dockershim: $links"
  [[ -n $full ]] && printf '%s\n' "$full" | sed 's/^/      /'
else
  links="unknown"
  audit_ok "full build links the dockershim: unknown (bazel cquery '$expr' failed)"
fi

audit_finish "the dockerless kubelet has no path to $AUDIT_DOCKERSHIM_PATTERN; full build links the dockershim: ${links%% *}"

#!/usr/bin/env bash
# Audit 5, sources. Prints file:line for every hit of:
#   include            an #include of a dockershim header (any path containing
#                      "dockershim/") outside pkg/kubelet/dockershim/,
#                      cmd/dockershim/ and test/;
# and, in the code the dockerless kubelet is made of (pkg/ outside
# pkg/kubelet/dockershim/, and cmd/kubelet/), Docker-specific code:
#   ifdef-docker       #if/#ifdef/#ifndef/#elif on anything named *DOCKER*, or
#                      a -D*DOCKER* define in a BUILD file;
#   docker-api         Docker Engine API paths: /containers/create,
#                      /containers/json, /images/create, /images/json, /_ping,
#                      versioned prefixes such as /v1.41/, docker.sock;
#   docker-log         Docker's json-file log format: "json-file", a "log" JSON
#                      key ({"log":..., json_object_get (x, "log")), or a
#                      parse_docker_json* helper;
# and, in pkg/kubelet outside the dockershim, the word "dockershim":
#   dockershim-code    in code (identifiers, labels in BUILD files),
#   dockershim-string  in a C string literal,
#   dockershim-comment in a comment.
# Comments are not code: only the dockershim-comment check looks at them.
# ALLOWLIST below names the few places that may mention the dockershim.
# Usage: hack/verify-dockerless-sources.sh [WORKSPACE]   (see hack/lib/audit.sh)
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/audit.sh"
audit_init verify-dockerless-sources "${1:-}"

# ALLOWLIST: "PATH CHECK  reason". Keep it short; each entry says why the
# mention is not Docker code in the kubelet.
ALLOWLIST=(
  # The seam's contract: how an in-process runtime (the dockershim, in the
  # full build) registers. The code itself names no runtime.
  "pkg/kubelet/runtime_registry.h dockershim-comment"
  "pkg/kubelet/runtime_registry.c dockershim-comment"
  "pkg/kubelet/BUILD.bazel dockershim-comment"
  # --container-runtime's help text tells the user what 'docker' selects.
  "pkg/kubelet/config/flags.c dockershim-string"
  # Flag tests: the documented dockershim endpoint value parses, and the
  # flag-table hook an in-process runtime uses is exercised with a stand-in
  # --docker-endpoint whose default is Docker's socket path. Data, not a client.
  "pkg/kubelet/config/flags_test.cc dockershim-string"
  "pkg/kubelet/config/flags_test.cc docker-api"
  "pkg/util/flags_test.cc docker-api"
)

cd "$AUDIT_WS" || exit 2

# Files: C/C++ sources everywhere, and BUILD files.
find . \( -name .git -o -name .bazel -o -name 'bazel-*' \) -prune -o -type f \
  \( -name '*.c' -o -name '*.h' -o -name '*.cc' -o -name '*.cpp' -o -name '*.hh' -o -name '*.inc' \
  -o -name BUILD -o -name BUILD.bazel -o -name '*.bzl' \) -print |
  sed 's|^\./||' | sort >"$AUDIT_TMP/files"

in_kubelet_code () { grep -E '^(pkg/|cmd/kubelet/)' | grep -vE '^pkg/kubelet/dockershim/'; }
grep -vE '^(pkg/kubelet/dockershim/|cmd/dockershim/|test/)' "$AUDIT_TMP/files" >"$AUDIT_TMP/include-scope"
in_kubelet_code <"$AUDIT_TMP/files" >"$AUDIT_TMP/code-scope"
grep -E '^pkg/kubelet/' "$AUDIT_TMP/code-scope" >"$AUDIT_TMP/word-scope"

# lex: for every line of every file prints
#   FILE<TAB>LINE<TAB>KIND<TAB>TEXT
# with KIND C (code, string literals blanked), S (the string literals), K (the
# comments), N (code with its string literals), O (the original line) and, in
# BUILD files, D (the strings of a defines/local_defines list).
# C and C++: /* */, //, "..." and '...' with escapes; BUILD/.bzl: #, "..." and '...'.
lex ()
{
  [[ -s $1 ]] || return 0
  xargs -d '\n' awk '
    FNR == 1 { state = "code"; in_defines = 0; starlark = (FILENAME ~ /(^|\/)(BUILD(\.bazel)?|[^\/]*\.bzl)$/) }
    {
      line = $0; n = length(line); code = ""; str = ""; com = ""; full = ""
      if (state != "block") state = "code"
      for (i = 1; i <= n; i++) {
        c = substr(line, i, 1); c2 = substr(line, i, 2)
        if (state == "block") {
          if (c2 == "*/") { state = "code"; i++; code = code "  "; full = full "  " }
          else com = com c
          continue
        }
        if (state == "str" || state == "chr") {
          full = full c
          if (c == "\\") { str = str c substr(line, i + 1, 1); full = full substr(line, i + 1, 1); i++; code = code "  "; continue }
          if ((state == "str" && c == q) || (state == "chr" && c == "\047")) { state = "code"; code = code c; str = str " "; continue }
          str = str c; code = code " "
          continue
        }
        if (!starlark && c2 == "/*") { state = "block"; i++; continue }
        if ((!starlark && c2 == "//") || (starlark && c == "#")) { com = com substr(line, i); break }
        if (c == "\"") { state = "str"; q = c }
        else if (c == "\047") { if (starlark) { state = "str"; q = c } else state = "chr" }
        code = code c; full = full c
      }
      f = FILENAME
      if (starlark && code ~ /defines[ \t]*=/) in_defines = 1
      if (in_defines && str ~ /[^ ]/) print f "\t" FNR "\tD\t" str
      if (in_defines && code ~ /\]/) in_defines = 0
      print f "\t" FNR "\tO\t" line
      print f "\t" FNR "\tN\t" full
      print f "\t" FNR "\tC\t" code
      if (str ~ /[^ ]/) print f "\t" FNR "\tS\t" str
      if (com != "") print f "\t" FNR "\tK\t" com
    }' <"$1"
}

lex "$AUDIT_TMP/include-scope" >"$AUDIT_TMP/include.lex"
lex "$AUDIT_TMP/code-scope" >"$AUDIT_TMP/code.lex"

# hits CHECK KIND REGEX LEXFILE [FILE_FILTER]: "file:line<TAB>CHECK<TAB>original line"
hits ()
{
  local check=$1 kind=$2 re=$3 lexed=$4 files=${5:-.}
  awk -F '\t' -v kind="$kind" -v re="$re" -v check="$check" -v files="$files" '
    $3 == "O" { orig[$1 "\t" $2] = $4; next }
    $3 == kind && $1 ~ files && $4 ~ re { hit[++n] = $1 "\t" $2 }
    END {
      for (i = 1; i <= n; i++) {
        split(hit[i], k, "\t"); o = orig[hit[i]]; gsub(/^[ \t]+/, "", o)
        print k[1] ":" k[2] "\t" check "\t" o
      }
    }' "$lexed"
}

csrc='\.(c|h|cc|cpp|hh|inc)$'
build='(^|/)(BUILD(\.bazel)?|[^/]*\.bzl)$'
{
  hits include N '^[ \t]*#[ \t]*include[ \t]*[<"][^">]*dockershim/' "$AUDIT_TMP/include.lex" "$csrc"
  hits ifdef-docker C '^[ \t]*#[ \t]*(if|ifdef|ifndef|elif)([ \t(!]|$).*[Dd][Oo][Cc][Kk][Ee][Rr]' "$AUDIT_TMP/code.lex" "$csrc"
  hits ifdef-docker S '(^|[ \t])-D[A-Za-z0-9_]*[Dd][Oo][Cc][Kk][Ee][Rr]' "$AUDIT_TMP/code.lex" "$build"
  hits ifdef-docker D '[Dd][Oo][Cc][Kk][Ee][Rr]' "$AUDIT_TMP/code.lex" "$build"
  hits docker-api N '/containers/(create|json)|/images/(create|json)|/_ping|/v1\.[0-9][0-9]?/|docker\.sock' "$AUDIT_TMP/code.lex" "$csrc"
  hits docker-log N 'json-file|\\"log\\"[ \t]*:|"log"[ \t]*[),]|parse_docker_json|docker_json_log' "$AUDIT_TMP/code.lex" "$csrc"
  grep -E '^pkg/kubelet/' "$AUDIT_TMP/code.lex" >"$AUDIT_TMP/word.lex"
  hits dockershim-code C '[Dd][Oo][Cc][Kk][Ee][Rr][Ss][Hh][Ii][Mm]' "$AUDIT_TMP/word.lex" "$csrc"
  hits dockershim-code S '[Dd][Oo][Cc][Kk][Ee][Rr][Ss][Hh][Ii][Mm]' "$AUDIT_TMP/word.lex" "$build"
  hits dockershim-code C '[Dd][Oo][Cc][Kk][Ee][Rr][Ss][Hh][Ii][Mm]' "$AUDIT_TMP/word.lex" "$build"
  hits dockershim-string S '[Dd][Oo][Cc][Kk][Ee][Rr][Ss][Hh][Ii][Mm]' "$AUDIT_TMP/word.lex" "$csrc"
  hits dockershim-comment K '[Dd][Oo][Cc][Kk][Ee][Rr][Ss][Hh][Ii][Mm]' "$AUDIT_TMP/word.lex"
} | awk -F '\t' '!seen[$1]++' >"$AUDIT_TMP/hits" # one finding per line, the first check's

# Split the hits into allowlisted ones and violations.
printf '%s\n' "${ALLOWLIST[@]}" >"$AUDIT_TMP/allow"
awk -F '\t' -v allow="$AUDIT_TMP/allow" -v out="$AUDIT_TMP/allowed" '
  BEGIN { while ((getline a < allow) > 0) { split(a, w, " "); ok[w[1] "\t" w[2]] = 1 } }
  { f = $1; sub(/:[0-9]+$/, "", f); if ((f "\t" $2) in ok) { print > out; used[f "\t" $2] = 1 } else print }
  END { for (k in ok) if (!(k in used)) { split(k, w, "\t"); print "unused allowlist entry: " w[1] " " w[2] > "/dev/stderr" } }
' "$AUDIT_TMP/hits" >"$AUDIT_TMP/violations" 2>"$AUDIT_TMP/unused"
touch "$AUDIT_TMP/allowed"
n_allowed=$(wc -l <"$AUDIT_TMP/allowed")

fix_for ()
{
  case $1 in
    include) echo "the kubelet core never includes a dockershim header: reach an in-process runtime through pkg/kubelet/runtime_registry.h, or move the code into pkg/kubelet/dockershim" ;;
    ifdef-docker) echo "no Docker code behind a macro: the dockerless build is a different dependency graph (if_dockerless() in cmd/kubelet), not a preprocessor switch; move the Docker part into pkg/kubelet/dockershim" ;;
    docker-api | docker-log) echo "Docker Engine API and json-file log handling belong to the dockershim: move the code into pkg/kubelet/dockershim (or pkg/kubelet/dockershim/libdocker)" ;;
    dockershim-*) echo "the kubelet names no runtime: remove the reference or move the code into pkg/kubelet/dockershim; if the mention is documentation of the seam, add 'PATH $1' with a reason to ALLOWLIST in hack/verify-dockerless-sources.sh" ;;
  esac
}

if [[ ! -s $AUDIT_TMP/violations ]]; then
  audit_ok "no dockershim #include outside pkg/kubelet/dockershim/, cmd/dockershim/, test/ ($(wc -l <"$AUDIT_TMP/include-scope") files)"
  audit_ok "no Docker-specific code in pkg/ outside the dockershim or in cmd/kubelet/ ($(wc -l <"$AUDIT_TMP/code-scope") files; $n_allowed allowlisted mentions)"
else
  for check in include ifdef-docker docker-api docker-log dockershim-code dockershim-string dockershim-comment; do
    found=$(awk -F '\t' -v c="$check" '$2 == c { printf "%s: %s\n", $1, $3 }' "$AUDIT_TMP/violations")
    [[ -z $found ]] && continue
    while IFS= read -r line; do
      audit_violation "$check: $line" "" ""
    done <<<"$found"
    printf '    fix (%s): %s\n' "$check" "$(fix_for "$check")"
  done
fi

if ((n_allowed > 0)); then
  echo "  allowlisted (ALLOWLIST in $0):"
  awk -F '\t' '{ printf "      %s: %s: %s\n", $2, $1, $3 }' "$AUDIT_TMP/allowed"
fi
sed 's/^/  note: /' "$AUDIT_TMP/unused"

audit_finish "$(wc -l <"$AUDIT_TMP/files") files scanned"

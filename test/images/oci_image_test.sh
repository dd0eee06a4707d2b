#!/usr/bin/env bash
# shellcheck disable=SC2016 # $vars in single-quoted jq filters are jq's
# Checks oci_image archives: the layout's digests, sizes and media types, the
# config's diff_id, reproducibility (entries at the epoch owned by 0:0, gzip
# without a timestamp, twin targets byte-identical), what each image holds,
# and that skopeo reads them.
#
#   oci_image_test.sh FIXTURE FIXTURE_TWIN HELLO_TXT PAUSE_BIN PAUSE_IMAGE BUSYBOX_IMAGE
set -euo pipefail

fixture=$1 fixture_twin=$2 hello_txt=$3 pause_bin=$4 pause_image=$5 busybox_image=$6
export TZ=UTC LC_ALL=C
tmp=$(mktemp -d "${TEST_TMPDIR:-/tmp}/oci_image_test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
failures=0

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

sha256_of() {
  local sum
  sum=$(sha256sum "$1") || fail "sha256sum $1"
  echo "sha256:${sum%% *}"
}

# Fails unless every entry of the tar listing on stdin is owned 0:0 at the epoch.
expect_normalized_listing() {
  local bad
  bad=$(awk '$2 != "0/0" || $4 != "1970-01-01" || $5 != "00:00"') || fail "awk"
  [[ -z $bad ]] || fail "$1: entries not 0/0 at the epoch:"$'\n'"$bad"
}

# Fails unless the JSON file $1 satisfies the jq filter $2 (extra jq args after).
expect_json() {
  local file=$1 filter=$2
  shift 2
  jq -e "$@" "$filter" "$file" >/dev/null || fail "$file: not $filter: $(head -c 600 "$file")"
}

# Fails unless descriptor $2 (JSON) of mediaType $3 names a blob of layout $1
# with its size.
expect_descriptor() {
  local layout=$1 descriptor=$2 media_type=$3 digest size blob
  digest=$(jq -r .digest <<<"$descriptor") size=$(jq -r .size <<<"$descriptor")
  [[ $(jq -r .mediaType <<<"$descriptor") == "$media_type" ]] ||
    fail "descriptor $descriptor: want mediaType $media_type"
  [[ $digest =~ ^sha256:[0-9a-f]{64}$ ]] || fail "descriptor $descriptor: bad digest"
  blob=$layout/blobs/sha256/${digest#sha256:}
  [[ -f $blob ]] || fail "descriptor $descriptor: no blob $blob"
  [[ $(stat -c %s "$blob") == "$size" ]] || fail "descriptor $descriptor: blob is $(stat -c %s "$blob") bytes"
}

# Validates archive $1 with tag $2 and extracts it to directory $3, leaving
# there config.json, layer.tar.gz and layer.list (the verbose listing).
validate() {
  local archive=$1 tag=$2 out=$3 layout=$3/layout blob manifest config layer
  mkdir -p "$layout"
  tar -xf "$archive" -C "$layout" || fail "$archive: not a tar archive"
  tar --numeric-owner -tvf "$archive" | expect_normalized_listing "$archive"

  expect_json "$layout/oci-layout" '.imageLayoutVersion == "1.0.0"'
  for blob in "$layout"/blobs/sha256/*; do
    [[ $(sha256_of "$blob") == "sha256:${blob##*/}" ]] || fail "$archive: blob ${blob##*/} does not match its digest"
  done

  expect_json "$layout/index.json" '.schemaVersion == 2
    and .mediaType == "application/vnd.oci.image.index.v1+json"
    and (.manifests | length) == 1
    and .manifests[0].platform == {"architecture": "amd64", "os": "linux"}
    and .manifests[0].annotations["org.opencontainers.image.ref.name"] == $tag' --arg tag "$tag"
  manifest=$(jq -c '.manifests[0]' "$layout/index.json")
  expect_descriptor "$layout" "$manifest" application/vnd.oci.image.manifest.v1+json
  manifest=$layout/blobs/sha256/$(jq -r '.digest | ltrimstr("sha256:")' <<<"$manifest")

  expect_json "$manifest" '.schemaVersion == 2
    and .mediaType == "application/vnd.oci.image.manifest.v1+json"
    and (.layers | length) == 1'
  expect_descriptor "$layout" "$(jq -c .config "$manifest")" application/vnd.oci.image.config.v1+json
  expect_descriptor "$layout" "$(jq -c '.layers[0]' "$manifest")" application/vnd.oci.image.layer.v1.tar+gzip
  config=$layout/blobs/sha256/$(jq -r '.config.digest | ltrimstr("sha256:")' "$manifest")
  layer=$layout/blobs/sha256/$(jq -r '.layers[0].digest | ltrimstr("sha256:")' "$manifest")
  cp "$config" "$out/config.json"
  cp "$layer" "$out/layer.tar.gz"

  gzip -dc "$layer" >"$out/layer.tar" || fail "$archive: layer is not gzip"
  expect_json "$config" '.architecture == "amd64" and .os == "linux"
    and .created == "1970-01-01T00:00:00Z"
    and .rootfs == {"type": "layers", "diff_ids": [$diff_id]}' \
    --arg diff_id "$(sha256_of "$out/layer.tar")"
  # gzip header bytes 3-7: no FNAME/FCOMMENT flags, MTIME 0.
  [[ $(od -An -tx1 -j3 -N5 "$layer" | tr -d ' \n') == 0000000000 ]] ||
    fail "$archive: layer gzip header carries a name or a timestamp"
  tar --numeric-owner -tvf "$out/layer.tar" >"$out/layer.list" || fail "$archive: layer is not a tar"
  expect_normalized_listing "$archive layer" <"$out/layer.list"

  if command -v skopeo >/dev/null; then
    skopeo inspect "oci-archive:$archive" >"$out/skopeo.json" 2>"$out/skopeo.err" ||
      fail "skopeo inspect oci-archive:$archive: $(cat "$out/skopeo.err")"
    expect_json "$out/skopeo.json" '.Architecture == "amd64" and .Os == "linux"
      and (.Layers | length) == 1'
  else
    echo "WARNING: skopeo not installed; skipping skopeo inspect" >&2
  fi
}

# Fails unless layer listing $1 has entry $2 with mode string $3 (and, for a
# symlink, target $4).
expect_entry() {
  local list=$1 name=$2 mode=$3 target=${4:-} line
  line=$(awk -v n="$name" '$6 == n || $6 == n "/"' "$list")
  [[ -n $line ]] || fail "no /$name in the layer"
  [[ $(awk '{print $1}' <<<"$line") == "$mode" ]] || fail "/$name: want $mode, got: $line"
  if [[ -n $target ]]; then
    [[ $line == *" -> $target" ]] || fail "/$name: want a link to $target, got: $line"
  fi
}

# The checker itself must reject a corrupt archive and a wrong tag.
test_validate_rejects_bad_archives() {
  local bad=$tmp/bad
  mkdir -p "$bad/layout"
  tar -xf "$fixture" -C "$bad/layout"
  local config
  config=$(jq -r '.manifests[0].digest | ltrimstr("sha256:")' "$bad/layout/index.json")
  config=$(jq -r '.config.digest | ltrimstr("sha256:")' "$bad/layout/blobs/sha256/$config")
  chmod u+w "$bad/layout/blobs/sha256/$config"
  printf ' ' >>"$bad/layout/blobs/sha256/$config"
  tar -cf "$bad/bad.tar" -C "$bad/layout" --owner=0 --group=0 --numeric-owner --mtime=@0 .
  if (validate "$bad/bad.tar" v1 "$bad/out") 2>/dev/null; then
    fail "validate accepted an archive with a corrupt config blob"
  fi
  if (validate "$fixture" wrong-tag "$tmp/wrongtag") 2>/dev/null; then
    fail "validate accepted the wrong tag"
  fi
}

test_fixture() {
  local out=$tmp/fixture
  validate "$fixture" v1 "$out"
  expect_json "$out/config.json" '.config == {
    "User": "65534:65534",
    "Env": ["PATH=/bin", "GREETING=hello world"],
    "Entrypoint": ["/bin/cat"],
    "Cmd": ["hello.txt"],
    "WorkingDir": "/srv",
    "Labels": {"org.example.fixture": "yes"}}'
  local names
  names=$(awk '{print $6}' "$out/layer.list" | tr '\n' ' ')
  [[ $names == "bin/ bin/cat bin/pause srv/ srv/copy.txt srv/hello.txt srv/link var/ var/empty/ " ]] ||
    fail "fixture layer entries: $names"
  expect_entry "$out/layer.list" bin drwxr-xr-x
  expect_entry "$out/layer.list" bin/pause -rwxr-xr-x
  expect_entry "$out/layer.list" bin/cat lrwxrwxrwx pause
  expect_entry "$out/layer.list" srv/hello.txt -rw-r--r--
  expect_entry "$out/layer.list" srv/copy.txt -rw-------
  expect_entry "$out/layer.list" srv/link lrwxrwxrwx hello.txt
  expect_entry "$out/layer.list" var/empty drwx------
  cmp -s <(tar -xOf "$out/layer.tar" srv/hello.txt) "$hello_txt" || fail "/srv/hello.txt differs from its source"
  cmp -s <(tar -xOf "$out/layer.tar" srv/copy.txt) "$hello_txt" || fail "/srv/copy.txt differs from its source"
  cmp -s <(tar -xOf "$out/layer.tar" bin/pause) "$pause_bin" || fail "/bin/pause differs from its source"
}

test_twin_is_byte_identical() {
  validate "$fixture_twin" v1 "$tmp/twin"
  cmp "$fixture" "$fixture_twin" || fail "identical inputs gave different archives"
}

test_pause_image() {
  local out=$tmp/pause
  validate "$pause_image" 3.9 "$out"
  expect_json "$out/config.json" '.config == {"User": "65535:65535", "Entrypoint": ["/pause"]}'
  [[ $(awk '{print $6}' "$out/layer.list") == pause ]] || fail "pause layer: $(cat "$out/layer.list")"
  expect_entry "$out/layer.list" pause -rwxr-xr-x
  tar -xf "$out/layer.tar" -C "$out" pause
  [[ $("$out/pause" --version) == "pause 3.9" ]] || fail "/pause --version"
  # The image has no libc: no program interpreter.
  if command -v readelf >/dev/null; then
    readelf -lW "$out/pause" >"$out/pause.phdrs" || fail "readelf -l /pause"
    ! grep -q INTERP "$out/pause.phdrs" || fail "/pause asks for a dynamic loader"
  fi
}

test_busybox_image() {
  local out=$tmp/busybox applet
  validate "$busybox_image" 1.36 "$out"
  expect_json "$out/config.json" '.config == {
    "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
    "Cmd": ["/bin/sh"]}'
  expect_entry "$out/layer.list" bin/busybox -rwxr-xr-x
  for applet in sh ls cat echo sleep wget nc httpd env id touch mkdir test grep true false \
    printf date hostname ps kill head tail wc; do
    expect_entry "$out/layer.list" "bin/$applet" lrwxrwxrwx busybox
  done
  expect_entry "$out/layer.list" tmp drwxrwxrwt
  expect_entry "$out/layer.list" root drwx------
  expect_entry "$out/layer.list" etc/passwd -rw-r--r--
  expect_entry "$out/layer.list" etc/group -rw-r--r--
  tar -xOf "$out/layer.tar" etc/passwd | grep -qx 'root:x:0:0:root:/root:/bin/sh' || fail "/etc/passwd: no root"
  tar -xOf "$out/layer.tar" etc/passwd | grep -q '^nobody:x:65534:65534:' || fail "/etc/passwd: no nobody"
  tar -xOf "$out/layer.tar" etc/group | grep -qx 'nobody:x:65534:' || fail "/etc/group: no nobody"
  # The image's busybox runs, and its shell works, with nothing else around.
  mkdir -p "$out/rootfs"
  tar -xf "$out/layer.tar" -C "$out/rootfs"
  [[ $("$out/rootfs/bin/busybox" sh -c 'echo hi') == hi ]] || fail "/bin/busybox sh -c 'echo hi'"
}

# Each test in a subshell with errexit in force (an `if` would switch it off).
for t in test_validate_rejects_bad_archives test_fixture test_twin_is_byte_identical \
  test_pause_image test_busybox_image; do
  set +e
  (
    set -e
    "$t"
  )
  rc=$?
  set -e
  if ((rc == 0)); then
    echo "PASS: $t"
  else
    echo "FAILED: $t"
    failures=$((failures + 1))
  fi
done
((failures == 0)) || {
  echo "$failures test(s) failed"
  exit 1
}

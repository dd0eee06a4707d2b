# Image names the node e2e, the local registry and the push script share.
# Source it: `source hack/lib/images.sh`. REGISTRY_PORT moves the registry.
# shellcheck shell=bash disable=SC2034 # used by the scripts that source it

REGISTRY_HOST=127.0.0.1
REGISTRY_PORT=${REGISTRY_PORT:-5000}
REGISTRY=${REGISTRY_HOST}:${REGISTRY_PORT}

# Busybox is Debian's busybox-static; 1.36 is the tag the tests use whatever
# the packaged version is.
PAUSE_IMAGE=${REGISTRY}/pause:3.9
BUSYBOX_IMAGE=${REGISTRY}/busybox:1.36

# Image reference -> the oci_image target that builds it.
declare -gA KL_IMAGE_TARGETS=(
  ["${PAUSE_IMAGE}"]=//build/pause:image
  ["${BUSYBOX_IMAGE}"]=//test/images/busybox:image
)

export REGISTRY_HOST REGISTRY_PORT REGISTRY PAUSE_IMAGE BUSYBOX_IMAGE

/* Static pod identity as the Go kubelet's config/common.go gives it, and container spec hashes. */
#ifndef KL_KUBELET_API_STATIC_H
#define KL_KUBELET_API_STATIC_H

#include <stdint.h>
#include <time.h>

#include "pkg/kubelet/api/types.h"
#include "pkg/util/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define KL_ANNOTATION_CONFIG_SOURCE "kubernetes.io/config.source"
#define KL_ANNOTATION_CONFIG_HASH "kubernetes.io/config.hash"
#define KL_ANNOTATION_CONFIG_SEEN "kubernetes.io/config.seen"

/* Where a static pod came from: a manifest file or a manifest URL. */
enum kl_pod_source_kind
{
  KL_POD_SOURCE_FILE,
  KL_POD_SOURCE_HTTP,
};

/* "file" or "http", the config.source annotation's value. */
const char *kl_pod_source_kind_name (enum kl_pod_source_kind kind);

/* "<name>-<node_name lowercased>", as generatePodName. */
char *kl_static_pod_name (const char *name, const char *node_name);

/* The UID applyDefaults generates, as 32 lowercase hex digits in *out: the
   MD5 of the pod followed by "host:<node>" and "file:<source>" for a file, or
   "url:<source>" for a URL. Go hashes the pod's spew dump (DeepHashObject),
   which C cannot reproduce; this hashes the pod's canonical serialization
   instead (every set field, length-prefixed, in a fixed order), so UIDs
   differ from the Go kubelet's but keep what matters: the same manifest on
   the same node and source gives the same UID across restarts, and any
   change to the pod, the node or the source gives a new one. */
int kl_static_pod_uid (const kl_pod_t *pod, const char *node_name, enum kl_pod_source_kind kind,
                       const char *source, char **out, kl_error_t *err);

/* Gives a decoded pod its static identity as applyDefaults and the config
   sources do: a generated UID when the manifest has none, the name
   "<name>-<node>", namespace "default" when empty, spec.nodeName set to
   `node_name`, the config.hash (the UID), config.source and config.seen
   (`seen` as RFC 3339 with nanoseconds, e.g. "2024-05-01T10:00:00.5Z")
   annotations and, for files, the NoExecute toleration static pods carry.
   Then validates the result. On failure sets a KL_ERROR_INVALID error
   prefixed with `source`; the pod is then partly updated and should be
   dropped. */
int kl_static_pod_apply (kl_pod_t *pod, const char *node_name, enum kl_pod_source_kind kind,
                         const char *source, const struct timespec *seen, kl_error_t *err);

/* `t` as Go's time.RFC3339Nano formats it in UTC; the caller frees it. */
char *kl_format_rfc3339_nano (const struct timespec *t);

/* A hash of the container's whole spec (every field, as the Go kubelet's
   HashContainer covers the whole container), stable across restarts and
   builds: FNV-1a 64 over the canonical serialization, which leaves out unset
   fields so that adding fields to the model keeps existing hashes. The
   kubelet restarts a container whose hash changed. */
uint64_t kl_container_hash (const kl_container_t *container);

/* Room for a hash in hex and its NUL. */
#define KL_CONTAINER_HASH_STRLEN 17

/* `hash` in lowercase hex without leading zeros, as strconv.FormatUint (x, 16). */
void kl_container_hash_format (uint64_t hash, char out[KL_CONTAINER_HASH_STRLEN]);

#ifdef __cplusplus
}
#endif

#endif

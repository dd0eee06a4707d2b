/* What the pod sources share with the merge: identified pods and the source threads. */
#ifndef KL_KUBELET_CONFIG_SOURCES_INTERNAL_H
#define KL_KUBELET_CONFIG_SOURCES_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pkg/kubelet/api/static.h"
#include "pkg/kubelet/api/types.h"
#include "pkg/util/error.h"
#include "pkg/util/flags.h"

/* One pod a source holds, its static identity applied (without config.seen,
   which the merge adds) and its content hashed for change detection. */
struct kl_source_pod_s
{
  kl_pod_t *pod;
  char *origin;  /* the manifest file's path or the URL */
  uint64_t hash; /* of the pod's canonical serialization */
};
typedef struct kl_source_pod_s kl_source_pod_t;

/* A source's pods in delivery order; owns the pods and origins. */
struct kl_source_pods_s
{
  kl_source_pod_t *items;
  size_t n_items;
};
typedef struct kl_source_pods_s kl_source_pods_t;

/* FNV-1a 64 of `len` bytes. */
uint64_t kl_source_hash_bytes (const void *data, size_t len);

/* "10485760 bytes (10 MiB)", or "1000 bytes" when not whole mebibytes. */
char *kl_source_format_limit (size_t max_bytes);

/* Frees the pods and leaves `pods` empty. */
void kl_source_pods_clear (kl_source_pods_t *pods);

/* Appends deep copies of every pod of `src` to `dst`. */
void kl_source_pods_append_copies (kl_source_pods_t *dst, const kl_source_pods_t *src);

/* Decodes a manifest (kl_pod_decode_limit ()) and gives each pod its static
   identity for `node_name`, `kind` and `origin`; all or nothing: on failure
   `out` is unchanged and *err names the origin, the field and the reason. */
int kl_source_pods_from_manifest (const char *data, size_t len, enum kl_pod_source_kind kind,
                                  const char *origin, const char *node_name, size_t max_bytes,
                                  kl_source_pods_t *out, kl_error_t *err);

/* How a source hands its complete current pods to the merge: called after
   the source's first complete listing and whenever its pods may have
   changed, with the source's own lock held (so calls are ordered). The merge
   takes the contents of `pods` and leaves it empty. */
typedef void (*kl_source_publish_fn) (void *ctx, enum kl_pod_source_kind kind,
                                      kl_source_pods_t *pods);

/* What both sources are started with; strings are copied. */
struct kl_source_options_s
{
  const char *node_name;
  int64_t period_ns;
  size_t max_bytes;
  int stop_fd; /* readable once the source must stop; never read from */
  kl_source_publish_fn publish;
  void *publish_ctx;
};
typedef struct kl_source_options_s kl_source_options_t;

/* The manifest directory (or file) source: file_source.c. */
typedef struct kl_file_source_s kl_file_source_t;

int kl_file_source_new (const char *path, int64_t debounce_ns, const kl_source_options_t *opts,
                        kl_file_source_t **out, kl_error_t *err);
void kl_file_source_free (kl_file_source_t *src);

/* Rescans the path now and publishes if anything changed. */
void kl_file_source_sync (kl_file_source_t *src);

/* The source thread: scans at once, then on inotify events (debounced) and
   every period, until the stop fd is readable. */
void *kl_file_source_run (void *src);

/* The manifest URL source: url_source.c. */
typedef struct kl_url_source_s kl_url_source_t;

/* Fails on a URL that is not http or https and on a header whose name is
   empty or holds a ':', white space or a control character, or whose value
   holds a line break. */
int kl_url_source_new (const char *url, const kl_string_multimap_t *headers, int64_t timeout_ns,
                       const kl_source_options_t *opts, kl_url_source_t **out, kl_error_t *err);
void kl_url_source_free (kl_url_source_t *src);

/* Fetches the URL now and publishes if its pods changed. */
void kl_url_source_sync (kl_url_source_t *src);

/* The source thread: fetches at once and then every period, until the stop
   fd is readable (which also cancels a fetch under way). */
void *kl_url_source_run (void *src);

/* Monotonic time in nanoseconds. */
int64_t kl_source_monotonic_ns (void);

/* Waits until `fd` or `stop_fd` is readable or `timeout_ns` (< 0: forever)
   passed; returns 1 when stop_fd is readable, 0 otherwise. */
int kl_source_wait (int stop_fd, int fd, int64_t timeout_ns);

#endif

/* Static pod sources: a manifest directory or file and a URL, merged into one desired set. */
#ifndef KL_KUBELET_CONFIG_SOURCES_H
#define KL_KUBELET_CONFIG_SOURCES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h> /* struct timespec */

#include "pkg/kubelet/api/static.h" /* enum kl_pod_source_kind */
#include "pkg/kubelet/api/types.h"
#include "pkg/kubelet/config/config.h" /* kl_kubelet_config_t */
#include "pkg/util/error.h"
#include "pkg/util/flags.h" /* kl_string_multimap_t */

#ifdef __cplusplus
extern "C" {
#endif

/* Manifest files and URL bodies of this size or more are refused by default:
   Go's maxConfigLength ("10MB") as its ReadAtMost applies it, so a manifest
   of 10 MiB is refused and one byte less is read. */
#define KL_POD_SOURCE_MAX_MANIFEST_BYTES ((size_t) 10 * 1024 * 1024)

/* The realtime clock the config.seen annotation reads; tests inject one. */
typedef void (*kl_pod_config_clock_fn) (void *ctx, struct timespec *now);

/* Receives the whole desired set of static pods (SET semantics) each time it
   changes, and once after the first listing even when empty. The list
   (allocated with malloc) and its pods belong to the callee, who frees them
   with kl_pod_list_clear () and free (). Each pod has its static identity
   and the config.seen annotation: when its UID was first delivered. It is
   called from a source thread (or from the caller of
   kl_pod_config_sync_now ()), never twice at once, and must not call
   kl_pod_config_stop () or kl_pod_config_sync_now (). */
typedef void (*kl_pod_config_update_fn) (void *ctx, kl_pod_list_t *pods);

/* What the sources read; kl_pod_config_start () copies what it needs. Zero
   values pick the defaults given in brackets. */
struct kl_pod_config_options_s
{
  const char *manifest_path; /* --pod-manifest-path: a directory or one file; NULL or "" for none */
  const char *manifest_url;  /* --manifest-url; NULL or "" for none */
  const kl_string_multimap_t *manifest_url_headers; /* --manifest-url-header; may be NULL */
  const char *node_name;                            /* required: static pod names end in it */
  int64_t file_check_period_ns;                     /* full rescan of the manifest path [20s] */
  int64_t http_check_period_ns;                     /* URL fetch period [20s] */
  int32_t max_pods;             /* at most this many pods are delivered; <= 0: no limit */
  int64_t file_debounce_ns;     /* quiet time after a change before reading it [100ms] */
  int64_t http_timeout_ns;      /* one URL fetch, connection included [10s] */
  size_t max_manifest_bytes;    /* per file and URL body, refused at this size
                                   [KL_POD_SOURCE_MAX_MANIFEST_BYTES] */
  kl_pod_config_clock_fn clock; /* [clock_gettime (CLOCK_REALTIME)] */
  void *clock_ctx;
};
typedef struct kl_pod_config_options_s kl_pod_config_options_t;

typedef struct kl_pod_config_s kl_pod_config_t;

/* Fills `opts` from the kubelet's configuration (staticPodPath,
   staticPodURL and its headers, the check frequencies, maxPods, the node
   name); `opts` borrows strings from `config`, which must outlive it. */
void kl_pod_config_options_from_kubelet (kl_pod_config_options_t *opts,
                                         const kl_kubelet_config_t *config);

/* Starts a thread per configured source: the file source reads every
   regular file (or symlink to one) of the manifest directory whose name does
   not start with '.', in lexical order, at once and then on inotify events
   and every file_check_period, leaving a file unread while it is still
   being written (the process that modified it holds it open, for up to a
   minute, or it changed less than file_debounce ago) so that a half-written
   manifest never takes effect; the URL source fetches the URL at once and
   every http_check_period. Every pod gets its static identity
   (kl_static_pod_apply ()) and the merged set goes to `fn`. An invalid
   manifest, a duplicate pod and a pod beyond max_pods are logged once per
   change and never affect other pods. A missing manifest path is logged and
   retried, not an error. Fails only on bad options (no node name, a header
   with a line break) or when a thread cannot start. */
int kl_pod_config_start (const kl_pod_config_options_t *opts, kl_pod_config_update_fn fn, void *ctx,
                         kl_pod_config_t **out, kl_error_t *err);

/* Stops the source threads without waiting for a period or a fetch to end,
   joins them and frees `config`; `fn` is not called afterwards. NULL is fine. */
void kl_pod_config_stop (kl_pod_config_t *config);

/* Rescans the manifest path and fetches the URL in the calling thread (which
   may block up to http_timeout), then delivers the merged set if it
   changed, as the source threads would. */
void kl_pod_config_sync_now (kl_pod_config_t *config);

/* True once every configured source has delivered its first complete
   listing (the Go kubelet's sourcesReady): the kubelet may then remove pods
   that no source holds. As in the Go kubelet, a manifest path that does not
   exist counts as listed with no pods, while one that cannot be read does
   not; the URL source is listed after its first 200 response that decodes
   (or is empty). It turns true only after the set that completes it was
   delivered, so a kubelet that sees it true already has that set. True at
   once when no source is configured. */
bool kl_pod_config_ready (kl_pod_config_t *config);

/* As kl_pod_config_ready () for one source; true when it is not configured. */
bool kl_pod_config_source_ready (kl_pod_config_t *config, enum kl_pod_source_kind kind);

#ifdef __cplusplus
}
#endif

#endif

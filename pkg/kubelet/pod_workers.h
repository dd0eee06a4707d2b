/* Pod workers: one thread per pod that runs its syncs one at a time, so pods
   sync in parallel and a pod never has two syncs in flight. */
#ifndef KL_KUBELET_POD_WORKERS_H
#define KL_KUBELET_POD_WORKERS_H

#include <stdbool.h>
#include <stdint.h>

#include "pkg/kubelet/api/types.h"
#include "pkg/kubelet/status/types.h"
#include "pkg/util/cancel.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct kl_pod_workers_s kl_pod_workers_t;

/* One sync of a live pod (`pod` is the worker's own copy). Returns how long
   until the pod wants syncing again (ns; the resync period when all is
   well), and sets *status to its new status (ownership passes). `cancel`
   fires when the pod is updated, removed or the workers stop: the sync
   should then return soon (between runtime operations), *status may stay
   NULL, and the worker goes on with what is pending. */
typedef int64_t (*kl_sync_pod_fn) (void *ctx, const kl_pod_t *pod, const kl_pod_status_t *previous,
                                   const kl_cancel_t *cancel, kl_pod_status_t **status);

/* Kills and removes the pod with `uid` (`pod` may be NULL for a pod only
   the runtime knows); returns 0 when done, else the delay before retrying. */
typedef int64_t (*kl_terminate_pod_fn) (void *ctx, const char *uid, const kl_pod_t *pod);

struct kl_pod_workers_opts_s
{
  kl_sync_pod_fn sync;
  kl_terminate_pod_fn terminate;
  void *ctx;
};
typedef struct kl_pod_workers_opts_s kl_pod_workers_opts_t;

kl_pod_workers_t *kl_pod_workers_new (const kl_pod_workers_opts_t *opts);

/* Sets the pods that should run (SET semantics; copies them): new pods get
   a worker, changed ones a sync, pods no longer listed are terminated. A pod
   waits while another pod with the same full name is still terminating. */
void kl_pod_workers_set_desired (kl_pod_workers_t *w, const kl_pod_list_t *pods);

/* Asks for a sync of `uid` soon (a PLEG event, a probe result). Returns
   false when no worker has that UID. */
bool kl_pod_workers_kick (kl_pod_workers_t *w, const char *uid);

/* Terminates a pod that only the runtime knows (an orphan), once. */
void kl_pod_workers_terminate_orphan (kl_pod_workers_t *w, const char *uid);

/* Publishes a status of `uid` while its sync still runs (copies it), for
   the read-only API: the status before a long sync's runtime work. */
void kl_pod_workers_set_status (kl_pod_workers_t *w, const char *uid,
                                const kl_pod_status_t *status);

/* Whether a worker (live or terminating) has `uid`. */
bool kl_pod_workers_known (kl_pod_workers_t *w, const char *uid);

/* A snapshot of the live pods and their last statuses, for the read-only
   API; free with kl_pod_workers_snapshot_free (). */
struct kl_pod_snapshot_s
{
  kl_pod_t **pods;
  kl_pod_status_t **statuses; /* NULL entries: not synced yet */
  size_t n;
};
typedef struct kl_pod_snapshot_s kl_pod_snapshot_t;

void kl_pod_workers_snapshot (kl_pod_workers_t *w, kl_pod_snapshot_t *out);
void kl_pod_workers_snapshot_free (kl_pod_snapshot_t *s);

/* Joins the threads of workers that finished terminating. */
void kl_pod_workers_reap (kl_pod_workers_t *w);

/* Stops every worker (pods keep running) and frees `w`. */
void kl_pod_workers_free (kl_pod_workers_t *w);

#ifdef __cplusplus
}
#endif

#endif

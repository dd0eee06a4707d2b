/* The probe manager: a worker per (pod, container, probe type) probing on its
   period, and the cache of results the kubelet reads (Go's prober.Manager). */
#ifndef KL_KUBELET_PROBER_MANAGER_H
#define KL_KUBELET_PROBER_MANAGER_H

#include <stdbool.h>
#include <stdint.h>

#include "pkg/kubelet/api/types.h"
#include "pkg/kubelet/container/runtime.h"
#include "pkg/kubelet/prober/prober.h"
#include "pkg/util/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct kl_prober_s kl_prober_t;

/* Called when a cached result changes. A FAILURE of a liveness or startup
   probe means "restart this container" (if the pod's restartPolicy allows);
   a readiness change means "update the pod's Ready condition". Calls come in
   the order the changes happened, one at a time, from the manager's own
   notifier thread and without its lock held: the callback may call any
   kl_prober_* function except kl_prober_free (). */
typedef void (*kl_prober_on_change_fn) (void *ctx, const char *pod_uid, const char *container_name,
                                        kl_probe_type_t type, kl_probe_result_t result);

/* Wall-clock time in nanoseconds since the epoch: the clock of the
   container start times kl_prober_update_container () gets. */
typedef int64_t (*kl_prober_clock_fn) (void *ctx);

struct kl_prober_options_s
{
  kl_runtime_t *runtime;            /* runs exec probes; borrowed, must outlive the manager */
  kl_prober_on_change_fn on_change; /* may be NULL */
  void *on_change_ctx;
  kl_prober_clock_fn now; /* NULL: CLOCK_REALTIME. For testability. */
  void *now_ctx;
};
typedef struct kl_prober_options_s kl_prober_options_t;

/* A manager with no pods; starts its notifier thread. */
int kl_prober_new (const kl_prober_options_t *options, kl_prober_t **out, kl_error_t *err);

/* Stops every worker, abandons HTTP and TCP probes in flight, waits for exec
   probes in flight (bounded by their timeoutSeconds) and frees the manager.
   Pending on_change calls are dropped. NULL is fine. */
void kl_prober_free (kl_prober_t *manager);

/* Starts a worker for each liveness, readiness and startup probe of the
   pod's containers (not init containers), keeping a copy of the pod. The
   workers wait for kl_prober_update_container () to tell them about a
   running container. A pod whose UID is already known is left as it is. */
int kl_prober_add_pod (kl_prober_t *manager, const kl_pod_t *pod, kl_error_t *err);

/* Stops the pod's workers and forgets its results; does not wait for a
   probe in flight. Unknown UIDs are ignored. An on_change call already under
   way may still report the pod once. */
void kl_prober_remove_pod (kl_prober_t *manager, const char *pod_uid);

/* Sets the pod's IP, the host of httpGet and tcpSocket probes that leave
   `host` out. KL_ERROR_NOT_FOUND for an unknown UID. */
int kl_prober_update_pod_ip (kl_prober_t *manager, const char *pod_uid, const char *pod_ip,
                             kl_error_t *err);

/* Tells the manager the state of one container (what Go's workers read from
   the status manager). A new container_id starts the container's probes
   afresh: the old container's results and thresholds are discarded and the
   results go back to their initial values (readiness FAILURE, liveness
   SUCCESS, startup UNKNOWN); NULL means no container. started_at_ns is the
   container's start (wall clock, ns), which initialDelaySeconds counts from.
   A container that is not running is not probed and is not ready
   (readiness becomes FAILURE); its liveness and startup results stay as
   they are, so an exited container does not read as a liveness failure (Go
   sets them to Failure too, but its kubelet acts on liveness only for
   running containers). KL_ERROR_NOT_FOUND for an unknown pod or container. */
int kl_prober_update_container (kl_prober_t *manager, const char *pod_uid,
                                const char *container_name, const char *container_id,
                                int64_t started_at_ns, bool running, kl_error_t *err);

/* The cached result of the container's probe of `type`: UNKNOWN when the pod,
   container or probe is unknown or no container has been reported yet. */
kl_probe_result_t kl_probe_result (kl_prober_t *manager, const char *pod_uid,
                                   const char *container_name, kl_probe_type_t type);

/* True if the container is running and has no startup probe or it succeeded
   (Go's ContainerStatus.Started). */
bool kl_prober_container_started (kl_prober_t *manager, const char *pod_uid,
                                  const char *container_name);

/* True if the container has started and has no readiness probe or it
   succeeded (Go's ContainerStatus.Ready). */
bool kl_prober_container_ready (kl_prober_t *manager, const char *pod_uid,
                                const char *container_name);

/* Runs the probe as soon as its gates (running, initial delay, startup) allow
   rather than at the next period (Go's manual trigger). */
void kl_prober_trigger (kl_prober_t *manager, const char *pod_uid, const char *container_name,
                        kl_probe_type_t type);

/* Makes every worker look at the clock again: tests call it after moving an
   injected clock so due probes run. */
void kl_prober_wake (kl_prober_t *manager);

#ifdef __cplusplus
}
#endif

#endif

/* The runtime manager: carries out a pod's actions on the runtime (sandbox,
   init containers, containers, kills, back-offs, image pulls, hooks) and
   removes what a deleted pod left, as the Go kubelet's kuberuntime manager. */
#ifndef KL_KUBERUNTIME_MANAGER_H
#define KL_KUBERUNTIME_MANAGER_H

#include <stdbool.h>
#include <stdint.h>

#include "pkg/kubelet/api/types.h"
#include "pkg/kubelet/container/runtime.h"
#include "pkg/kubelet/kuberuntime/actions.h"
#include "pkg/kubelet/kuberuntime/pod_status.h"
#include "pkg/util/cancel.h"
#include "pkg/util/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Reasons a container waits, as the Go kubelet reports them. */
#define KL_REASON_CONTAINER_CREATING "ContainerCreating"
#define KL_REASON_POD_INITIALIZING "PodInitializing"
#define KL_REASON_CRASH_LOOP_BACK_OFF "CrashLoopBackOff"
#define KL_REASON_ERR_IMAGE_PULL "ErrImagePull"
#define KL_REASON_IMAGE_PULL_BACK_OFF "ImagePullBackOff"
#define KL_REASON_ERR_IMAGE_NEVER_PULL "ErrImageNeverPull"
#define KL_REASON_CREATE_CONFIG_ERROR "CreateContainerConfigError"
#define KL_REASON_CREATE_ERROR "CreateContainerError"
#define KL_REASON_RUN_ERROR "RunContainerError"
#define KL_REASON_POST_START_HOOK_ERROR "PostStartHookError"

typedef int64_t (*kl_clock_fn) (void *ctx); /* Unix ns */

struct kl_runtime_manager_opts_s
{
  kl_runtime_t *runtime;
  const char *root_dir;     /* --root-dir: pods/<uid> below */
  const char *pod_logs_dir; /* /var/log/pods */
  const char *resolv_conf;  /* the node's, for pod DNS */
  int64_t memory_capacity;  /* bytes, for OOM scores */
  kl_clock_fn now;          /* injectable clock; NULL: the real one */
  void *clock_ctx;
  /* Called after each runtime operation (for metrics), may be NULL. */
  void (*on_operation) (void *ctx, const char *operation, int64_t duration_ns, bool failed);
  void *operation_ctx;
};
typedef struct kl_runtime_manager_opts_s kl_runtime_manager_opts_t;

typedef struct kl_runtime_manager_s kl_runtime_manager_t;

/* Why one container could not be started in a sync (for its waiting state). */
struct kl_container_sync_error_s
{
  char *name;
  char *reason; /* KL_REASON_* */
  char *message;
};
typedef struct kl_container_sync_error_s kl_container_sync_error_t;

struct kl_sync_result_s
{
  kl_container_sync_error_t *errors;
  size_t n_errors;
  int64_t next_retry_ns; /* > 0: the soonest a back-off ends, to sync again then */
};
typedef struct kl_sync_result_s kl_sync_result_t;

void kl_sync_result_clear (kl_sync_result_t *result);

int kl_runtime_manager_new (const kl_runtime_manager_opts_t *opts, kl_runtime_manager_t **out,
                            kl_error_t *err);
void kl_runtime_manager_free (kl_runtime_manager_t *m);

/* <root-dir>/pods/<uid> (the caller frees it). */
char *kl_runtime_manager_pod_dir (kl_runtime_manager_t *m, const char *uid);

/* Brings the runtime to `pod`'s spec given its current `status`: one pass of
   the Go kubelet's SyncPod. Per-container failures land in *result; the
   return is negative only when the pod as a whole could not be synced
   (e.g. its sandbox failed). Once `cancel` (may be NULL) fires, it creates
   nothing more: it stops before the next sandbox, image pull or container
   and returns 0 with what it did so far. */
int kl_runtime_manager_sync_pod (kl_runtime_manager_t *m, const kl_pod_t *pod,
                                 const kl_runtime_pod_t *status, const kl_probe_view_t *probes,
                                 const kl_cancel_t *cancel, kl_sync_result_t *result,
                                 kl_error_t *err);

/* Stops every container (preStop hooks, then StopContainer with the grace
   period: `grace_seconds` < 0 means the pod's) and every sandbox. `pod` may
   be NULL when only the runtime knows the pod (no hooks then). */
int kl_runtime_manager_kill_pod (kl_runtime_manager_t *m, const kl_pod_t *pod,
                                 const kl_runtime_pod_t *status, int64_t grace_seconds,
                                 kl_error_t *err);

/* Removes a killed pod's containers, sandboxes, volumes and directories. */
int kl_runtime_manager_remove_pod (kl_runtime_manager_t *m, const kl_runtime_pod_t *status,
                                   kl_error_t *err);

/* Garbage collection for a live pod: removes exited containers beyond the
   newest of each name, created ones that a newer instance replaced, and
   not-ready sandboxes other than the newest. */
void kl_runtime_manager_gc_pod (kl_runtime_manager_t *m, const kl_runtime_pod_t *status);

#ifdef __cplusplus
}
#endif

#endif

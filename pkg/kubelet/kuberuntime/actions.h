/* What a sync must do to bring a pod's runtime state to its spec: the Go
   kubelet's computePodActions, as a pure function of the spec, what the
   runtime holds and the probe results. */
#ifndef KL_KUBERUNTIME_ACTIONS_H
#define KL_KUBERUNTIME_ACTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pkg/kubelet/api/types.h"
#include "pkg/kubelet/kuberuntime/pod_status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Why a running container is killed. */
enum kl_kill_reason
{
  KL_KILL_SPEC_CHANGED,
  KL_KILL_LIVENESS,
  KL_KILL_STARTUP,
  KL_KILL_UNKNOWN_STATE,
};

struct kl_container_to_kill_s
{
  const kl_container_info_t *info; /* points into the runtime pod */
  const kl_container_t *spec;      /* points into the pod */
  enum kl_kill_reason reason;
  char *message; /* "Container web definition changed, will be restarted" */
};
typedef struct kl_container_to_kill_s kl_container_to_kill_t;

struct kl_pod_actions_s
{
  bool kill_pod;          /* stop every container and the sandbox(es) first */
  bool create_sandbox;    /* then run a new sandbox */
  const char *sandbox_id; /* the newest sandbox (points into the runtime pod), or NULL */
  uint32_t attempt;       /* the new sandbox's attempt */
  const kl_container_t *next_init_container; /* start this init container */
  size_t *containers_to_start;               /* indexes into pod->spec.containers */
  size_t n_containers_to_start;
  kl_container_to_kill_t *containers_to_kill;
  size_t n_containers_to_kill;
};
typedef struct kl_pod_actions_s kl_pod_actions_t;

/* Probe results for running containers. */
struct kl_probe_view_s
{
  bool (*liveness_failed) (void *ctx, const char *container_name, const char *container_id);
  bool (*startup_failed) (void *ctx, const char *container_name, const char *container_id);
  void *ctx;
};
typedef struct kl_probe_view_s kl_probe_view_t;

/* Computes the actions; `probes` may be NULL (no failures). The result points
   into `pod` and `status`, which must outlive it. */
void kl_compute_pod_actions (const kl_pod_t *pod, const kl_runtime_pod_t *status,
                             const kl_probe_view_t *probes, kl_pod_actions_t *out);

void kl_pod_actions_clear (kl_pod_actions_t *actions);

/* Whether `container` should be (re)started given its last status, as
   ShouldContainerBeRestarted. */
bool kl_should_restart_container (const kl_pod_t *pod, const kl_container_t *container,
                                  const kl_runtime_pod_t *status);

#ifdef __cplusplus
}
#endif

#endif

/* Computing a pod's v1 PodStatus from its spec, what the runtime holds, the
   last sync's errors and the probe results (the Go kubelet's
   generateAPIPodStatus and getPhase). */
#ifndef KL_KUBELET_STATUS_GENERATE_H
#define KL_KUBELET_STATUS_GENERATE_H

#include <stdbool.h>

#include "pkg/kubelet/api/types.h"
#include "pkg/kubelet/kuberuntime/manager.h"
#include "pkg/kubelet/kuberuntime/pod_status.h"
#include "pkg/kubelet/status/types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Readiness and startup results by container name, NULL = no probes. */
struct kl_readiness_view_s
{
  bool (*ready) (void *ctx, const char *container_name, const char *container_id);
  bool (*started) (void *ctx, const char *container_name, const char *container_id);
  void *ctx;
};
typedef struct kl_readiness_view_s kl_readiness_view_t;

struct kl_status_inputs_s
{
  const kl_pod_t *pod;
  const kl_runtime_pod_t *runtime; /* may be NULL: nothing in the runtime yet */
  const kl_sync_result_t *sync;    /* may be NULL */
  const kl_readiness_view_t *probes;
  const kl_pod_status_t *previous; /* keeps transition and start times; may be NULL */
  const char *runtime_type;        /* "containerd" for container IDs */
  int64_t now;                     /* Unix ns */
  const char *host_ip;
  const char *failure_reason; /* the pod failed as a whole, e.g. DeadlineExceeded */
  const char *failure_message;
};
typedef struct kl_status_inputs_s kl_status_inputs_t;

/* Fills *out (which the caller clears with kl_pod_status_clear ()). */
void kl_generate_pod_status (const kl_status_inputs_t *in, kl_pod_status_t *out);

/* The phase from the spec and container statuses, as getPhase. */
const char *kl_pod_phase (const kl_pod_t *pod, const kl_pod_status_t *status);

#ifdef __cplusplus
}
#endif

#endif

/* Pod QoS class and the OOM score and CPU/memory settings derived from
   requests and limits, as the Go kubelet's qos and cm packages compute. */
#ifndef KL_KUBERUNTIME_QOS_H
#define KL_KUBERUNTIME_QOS_H

#include <stdint.h>

#include "pkg/kubelet/api/types.h"

#ifdef __cplusplus
extern "C" {
#endif

#define KL_QOS_GUARANTEED "Guaranteed"
#define KL_QOS_BURSTABLE "Burstable"
#define KL_QOS_BEST_EFFORT "BestEffort"

/* Guaranteed, Burstable or BestEffort (a static string). */
const char *kl_pod_qos_class (const kl_pod_t *pod);

/* The container's oom_score_adj for a node with `memory_capacity` bytes. */
int64_t kl_container_oom_score_adj (const kl_pod_t *pod, const kl_container_t *container,
                                    int64_t memory_capacity);

/* cpu.shares for `milli_cpu` (request, or limit when no request). */
int64_t kl_milli_cpu_to_shares (int64_t milli_cpu);

/* CFS quota in µs for `milli_cpu` over `period_us`. */
int64_t kl_milli_cpu_to_quota (int64_t milli_cpu, int64_t period_us);

#ifdef __cplusplus
}
#endif

#endif

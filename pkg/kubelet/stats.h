/* The /stats/summary data: per-container CPU and memory from the runtime's
   ListContainerStats, node memory and CPU from /proc. */
#ifndef KL_KUBELET_STATS_H
#define KL_KUBELET_STATS_H

#include "pkg/kubelet/container/runtime.h"
#include "pkg/kubelet/pod_workers.h"
#include "pkg/kubelet/server/server.h"
#include "pkg/util/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Fills `out` for the pods in `pods` (their containers' stats by the
   io.kubernetes.pod.uid label). */
int kl_stats_summary_collect (kl_runtime_t *rt, const char *node_name,
                              const kl_pod_snapshot_t *pods, kl_stats_summary_t *out,
                              kl_error_t *err);

#ifdef __cplusplus
}
#endif

#endif

/* The kubelet's metric set, named and described as the Go kubelet's (pkg/kubelet/metrics). */
#ifndef KL_KUBELET_METRICS_KUBELET_METRICS_H
#define KL_KUBELET_METRICS_KUBELET_METRICS_H

#include <stdbool.h>
#include <stdint.h>

#include "pkg/kubelet/metrics/registry.h"
#include "pkg/util/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* container_type label values. */
#define KL_METRICS_CONTAINER "container"
#define KL_METRICS_INIT_CONTAINER "init_container"
#define KL_METRICS_EPHEMERAL_CONTAINER "ephemeral_container"

/* container_state label values (kubecontainer.State). */
#define KL_METRICS_CONTAINER_CREATED "created"
#define KL_METRICS_CONTAINER_RUNNING "running"
#define KL_METRICS_CONTAINER_EXITED "exited"
#define KL_METRICS_CONTAINER_UNKNOWN "unknown"

/* server_type label value of the read-only API's HTTP metrics. */
#define KL_METRICS_SERVER_READONLY "readonly"

/* Every family the kubelet records, all in `registry`. Labels in braces;
   operation_type of the runtime metrics is the CRI call in snake case as
   the Go kubelet's instrumented runtime names it ("run_podsandbox",
   "create_container", "list_containers", "pull_image", ...). */
struct kl_kubelet_metrics_s
{
  kl_metrics_registry_t *registry;

  kl_metric_t *node_name;                           /* gauge {node}, always 1 */
  kl_metric_t *running_pods;                        /* gauge */
  kl_metric_t *running_containers;                  /* gauge {container_state} */
  kl_metric_t *containers_per_pod_count;            /* histogram */
  kl_metric_t *pod_start_duration_seconds;          /* histogram */
  kl_metric_t *pod_worker_duration_seconds;         /* histogram {operation_type} */
  kl_metric_t *pod_worker_start_duration_seconds;   /* histogram */
  kl_metric_t *pleg_relist_duration_seconds;        /* histogram */
  kl_metric_t *pleg_relist_interval_seconds;        /* histogram */
  kl_metric_t *pleg_discard_events;                 /* counter */
  kl_metric_t *pleg_last_seen_seconds;              /* gauge: Unix seconds */
  kl_metric_t *runtime_operations_total;            /* counter {operation_type} */
  kl_metric_t *runtime_operations_errors_total;     /* counter {operation_type} */
  kl_metric_t *runtime_operations_duration_seconds; /* histogram {operation_type} */
  kl_metric_t *started_pods_total;                  /* counter */
  kl_metric_t *started_pods_errors_total;           /* counter */
  kl_metric_t *started_containers_total;            /* counter {container_type} */
  kl_metric_t *started_containers_errors_total;     /* counter {container_type, code} */
  kl_metric_t *restarted_pods_total;                /* counter {static}: "true" or "" */
  kl_metric_t *http_requests_total; /* counter {method, path, server_type, long_running} */
  kl_metric_t *http_requests_duration_seconds; /* histogram, same labels */
  kl_metric_t *http_inflight_requests;         /* gauge, same labels */
};
typedef struct kl_kubelet_metrics_s kl_kubelet_metrics_t;

/* A new registry holding the kubelet's families; kubelet_node_name{node}
   is set to 1 when `node_name` is not NULL. */
int kl_kubelet_metrics_new (const char *node_name, kl_kubelet_metrics_t **out, kl_error_t *err);

/* Frees the metrics and their registry; NULL is fine. */
void kl_kubelet_metrics_free (kl_kubelet_metrics_t *m);

/* Records one runtime call: counts it, its duration and, if it failed, the
   error (the Go kubelet's recordOperation and recordError). */
void kl_kubelet_metrics_runtime_operation (kl_kubelet_metrics_t *m, const char *operation_type,
                                           int64_t duration_ns, bool failed);

/* Nanoseconds as the seconds Prometheus durations are in. */
static inline double
kl_metrics_seconds (int64_t ns)
{
  return (double) ns / 1e9;
}

static inline void
kl_kubelet_metrics_freep (kl_kubelet_metrics_t **m)
{
  kl_kubelet_metrics_free (*m);
}

#define cleanup_kubelet_metrics __attribute__ ((cleanup (kl_kubelet_metrics_freep)))

#ifdef __cplusplus
}
#endif

#endif

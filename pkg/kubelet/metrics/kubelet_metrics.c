/* The kubelet's metric set: one table of names, help texts, labels and buckets. */
#include "pkg/kubelet/metrics/kubelet_metrics.h"

#include <stddef.h>
#include <stdlib.h>

#include "pkg/util/utils.h"

#define HTTP_LABELS "method", "path", "server_type", "long_running"

/* metrics.ExponentialBuckets (start, factor, count), computed as Go does. */
static void
exponential_buckets (double start, double factor, size_t count, double *out)
{
  for (size_t i = 0; i < count; i++, start *= factor)
    out[i] = start;
}

static const double pod_start_buckets[]
    = { 0.5, 1,   2,   3,   4,   5,   6,   8,   10,   20,   30,   45,  60,
        120, 180, 240, 300, 360, 480, 600, 900, 1200, 1800, 2700, 3600 };

int
kl_kubelet_metrics_new (const char *node_name, kl_kubelet_metrics_t **out, kl_error_t *err)
{
  double runtime_buckets[14], per_pod_buckets[5];
  exponential_buckets (.005, 2.5, KL_ARRAY_SIZE (runtime_buckets), runtime_buckets);
  exponential_buckets (1, 2, KL_ARRAY_SIZE (per_pod_buckets), per_pod_buckets);

  static const char *const operation_type[] = { "operation_type", NULL };
  static const char *const container_type[] = { "container_type", NULL };
  static const char *const container_type_code[] = { "container_type", "code", NULL };
  static const char *const container_state[] = { "container_state", NULL };
  static const char *const node[] = { "node", NULL };
  static const char *const is_static[] = { "static", NULL };
  static const char *const http[] = { HTTP_LABELS, NULL };

  const struct
  {
    size_t offset;
    kl_metric_opts_t opts;
  } table[] = {
#define M(field, name, type, help, labels, buckets, n_buckets)                                     \
  {                                                                                                \
    offsetof (kl_kubelet_metrics_t, field),                                                        \
    {                                                                                              \
      "kubelet_" name, "[ALPHA] " help, type, labels, buckets, n_buckets                           \
    }                                                                                              \
  }
#define COUNTER(field, name, help, labels) M (field, name, KL_METRIC_COUNTER, help, labels, NULL, 0)
#define GAUGE(field, name, help, labels) M (field, name, KL_METRIC_GAUGE, help, labels, NULL, 0)
#define HISTOGRAM(field, name, help, labels, buckets)                                              \
  M (field, name, KL_METRIC_HISTOGRAM, help, labels, buckets, KL_ARRAY_SIZE (buckets))
#define DEFAULT_BUCKETS kl_metrics_default_buckets
    GAUGE (node_name, "node_name", "The node's name. The count is always 1.", node),
    GAUGE (running_pods, "running_pods", "Number of pods that have a running pod sandbox", NULL),
    GAUGE (running_containers, "running_containers", "Number of containers currently running",
           container_state),
    HISTOGRAM (containers_per_pod_count, "containers_per_pod_count",
               "The number of containers per pod.", NULL, per_pod_buckets),
    HISTOGRAM (pod_start_duration_seconds, "pod_start_duration_seconds",
               "Duration in seconds from kubelet seeing a pod for the first time to the pod "
               "starting to run",
               NULL, pod_start_buckets),
    HISTOGRAM (pod_worker_duration_seconds, "pod_worker_duration_seconds",
               "Duration in seconds to sync a single pod. Broken down by operation type: create, "
               "update, or sync",
               operation_type, DEFAULT_BUCKETS),
    HISTOGRAM (pod_worker_start_duration_seconds, "pod_worker_start_duration_seconds",
               "Duration in seconds from kubelet seeing a pod to starting a worker.", NULL,
               DEFAULT_BUCKETS),
    HISTOGRAM (pleg_relist_duration_seconds, "pleg_relist_duration_seconds",
               "Duration in seconds for relisting pods in PLEG.", NULL, DEFAULT_BUCKETS),
    HISTOGRAM (pleg_relist_interval_seconds, "pleg_relist_interval_seconds",
               "Interval in seconds between relisting in PLEG.", NULL, DEFAULT_BUCKETS),
    COUNTER (pleg_discard_events, "pleg_discard_events", "The number of discard events in PLEG.",
             NULL),
    GAUGE (pleg_last_seen_seconds, "pleg_last_seen_seconds",
           "Timestamp in seconds when PLEG was last seen active.", NULL),
    COUNTER (runtime_operations_total, "runtime_operations_total",
             "Cumulative number of runtime operations by operation type.", operation_type),
    COUNTER (runtime_operations_errors_total, "runtime_operations_errors_total",
             "Cumulative number of runtime operation errors by operation type.", operation_type),
    HISTOGRAM (runtime_operations_duration_seconds, "runtime_operations_duration_seconds",
               "Duration in seconds of runtime operations. Broken down by operation type.",
               operation_type, runtime_buckets),
    COUNTER (started_pods_total, "started_pods_total", "Cumulative number of pods started", NULL),
    COUNTER (started_pods_errors_total, "started_pods_errors_total",
             "Cumulative number of errors when starting pods", NULL),
    COUNTER (started_containers_total, "started_containers_total",
             "Cumulative number of containers started", container_type),
    COUNTER (started_containers_errors_total, "started_containers_errors_total",
             "Cumulative number of errors when starting containers", container_type_code),
    COUNTER (restarted_pods_total, "restarted_pods_total",
             "Cumulative number of pods that have been restarted because they were deleted and "
             "recreated with the same UID while the kubelet was watching them (common for static "
             "pods, extremely uncommon for API pods)",
             is_static),
    COUNTER (http_requests_total, "http_requests_total",
             "Number of the http requests received since the server started", http),
    HISTOGRAM (http_requests_duration_seconds, "http_requests_duration_seconds",
               "Duration in seconds to serve http requests", http, DEFAULT_BUCKETS),
    GAUGE (http_inflight_requests, "http_inflight_requests", "Number of the inflight http requests",
           http),
#undef M
#undef COUNTER
#undef GAUGE
#undef HISTOGRAM
#undef DEFAULT_BUCKETS
  };

  kl_kubelet_metrics_t *m = xmalloc0 (sizeof *m);
  m->registry = kl_metrics_registry_new ();
  for (size_t i = 0; i < KL_ARRAY_SIZE (table); i++)
    {
      kl_metric_t **field = (kl_metric_t **) ((char *) m + table[i].offset);
      int ret = kl_metrics_register (m->registry, &table[i].opts, field, err);
      if (ret < 0)
        {
          kl_kubelet_metrics_free (m);
          return ret;
        }
    }
  if (node_name != NULL)
    kl_gauge_set (m->node_name, 1, node_name, NULL);
  *out = m;
  return 0;
}

void
kl_kubelet_metrics_free (kl_kubelet_metrics_t *m)
{
  if (m == NULL)
    return;
  kl_metrics_registry_free (m->registry);
  free (m);
}

void
kl_kubelet_metrics_runtime_operation (kl_kubelet_metrics_t *m, const char *operation_type,
                                      int64_t duration_ns, bool failed)
{
  kl_counter_inc (m->runtime_operations_total, operation_type, NULL);
  kl_histogram_observe (m->runtime_operations_duration_seconds, kl_metrics_seconds (duration_ns),
                        operation_type, NULL);
  if (failed)
    kl_counter_inc (m->runtime_operations_errors_total, operation_type, NULL);
}

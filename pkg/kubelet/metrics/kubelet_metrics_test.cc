#include <gtest/gtest.h>

#include <stdlib.h>

#include <string>

extern "C" {
#include "pkg/kubelet/metrics/kubelet_metrics.h"
}

namespace {

std::string
Render (kl_kubelet_metrics_t *m)
{
  char *text = kl_metrics_registry_render (m->registry, nullptr);
  std::string out (text);
  free (text);
  return out;
}

TEST (KubeletMetrics, RegistersTheGoKubeletNames)
{
  kl_kubelet_metrics_t *m = nullptr;
  kl_error_t err = nullptr;
  ASSERT_EQ (kl_kubelet_metrics_new ("node-1", &m, &err), 0) << kl_error_message (err);
  std::string text = Render (m);
  for (const char *line : {
           "# HELP kubelet_node_name [ALPHA] The node's name. The count is always 1.\n",
           "kubelet_node_name{node=\"node-1\"} 1\n",
           "# TYPE kubelet_running_pods gauge\nkubelet_running_pods 0\n",
           "# TYPE kubelet_pleg_relist_duration_seconds histogram\n",
           "# TYPE kubelet_pleg_relist_interval_seconds histogram\n",
           "# TYPE kubelet_pod_start_duration_seconds histogram\n",
           "kubelet_pod_start_duration_seconds_bucket{le=\"0.5\"} 0\n",
           "kubelet_pod_start_duration_seconds_bucket{le=\"3600\"} 0\n",
           "# TYPE kubelet_started_pods_total counter\nkubelet_started_pods_total 0\n",
           "# TYPE kubelet_pleg_last_seen_seconds gauge\n",
       })
    EXPECT_NE (text.find (line), std::string::npos) << line << "\nin:\n" << text;
  /* Labelled families appear once used. */
  EXPECT_EQ (text.find ("kubelet_runtime_operations_total"), std::string::npos);
  kl_kubelet_metrics_free (m);
}

TEST (KubeletMetrics, RuntimeOperation)
{
  kl_kubelet_metrics_t *m = nullptr;
  ASSERT_EQ (kl_kubelet_metrics_new (nullptr, &m, nullptr), 0);
  kl_kubelet_metrics_runtime_operation (m, "create_container", 20 * 1000 * 1000, false);
  kl_kubelet_metrics_runtime_operation (m, "create_container", 3LL * 1000 * 1000 * 1000, true);
  kl_counter_inc (m->started_containers_total, KL_METRICS_INIT_CONTAINER, nullptr);
  kl_gauge_set (m->running_containers, 2, KL_METRICS_CONTAINER_RUNNING, nullptr);
  std::string text = Render (m);
  for (const char *line : {
           "kubelet_runtime_operations_total{operation_type=\"create_container\"} 2\n",
           "kubelet_runtime_operations_errors_total{operation_type=\"create_container\"} 1\n",
           "kubelet_runtime_operations_duration_seconds_bucket{operation_type=\"create_container\","
           "le=\"0.005\"} 0\n",
           "kubelet_runtime_operations_duration_seconds_bucket{operation_type=\"create_container\","
           "le=\"0.03125\"} 1\n",
           "kubelet_runtime_operations_duration_seconds_bucket{operation_type=\"create_container\","
           "le=\"3.0517578125\"} 2\n",
           "kubelet_runtime_operations_duration_seconds_sum{operation_type=\"create_container\"} "
           "3.02\n",
           "kubelet_started_containers_total{container_type=\"init_container\"} 1\n",
           "kubelet_running_containers{container_state=\"running\"} 2\n",
       })
    EXPECT_NE (text.find (line), std::string::npos) << line << "\nin:\n" << text;
  EXPECT_EQ (text.find ("kubelet_node_name{"), std::string::npos);
  kl_kubelet_metrics_free (m);
}

} // namespace

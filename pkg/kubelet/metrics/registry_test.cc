#include <gtest/gtest.h>

#include <math.h>
#include <stdlib.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

extern "C" {
#include "pkg/kubelet/metrics/registry.h"
}

namespace {

struct RegistryDeleter
{
  void
  operator() (kl_metrics_registry_t *r) const
  {
    kl_metrics_registry_free (r);
  }
};
using Registry = std::unique_ptr<kl_metrics_registry_t, RegistryDeleter>;

std::string
Render (kl_metrics_registry_t *reg)
{
  size_t len = 0;
  char *text = kl_metrics_registry_render (reg, &len);
  std::string out (text, len);
  free (text);
  return out;
}

kl_metric_t *
Register (kl_metrics_registry_t *reg, const char *name, enum kl_metric_type type,
          const char *const *labels, const double *buckets = nullptr, size_t n_buckets = 0,
          const char *help = "Help text.")
{
  kl_metric_opts_t opts = { name, help, type, labels, buckets, n_buckets };
  kl_metric_t *m = nullptr;
  kl_error_t err = nullptr;
  EXPECT_EQ (kl_metrics_register (reg, &opts, &m, &err), 0) << kl_error_message (err);
  kl_error_release (&err);
  return m;
}

std::string
Format (double v)
{
  char buf[32];
  return kl_metrics_format_value (v, buf, sizeof buf);
}

TEST (Registry, CounterWithLabels)
{
  Registry reg (kl_metrics_registry_new ());
  static const char *const labels[] = { "operation_type", nullptr };
  kl_metric_t *m = Register (reg.get (), "kubelet_runtime_operations_total", KL_METRIC_COUNTER,
                             labels, nullptr, 0, "Cumulative number of runtime operations.");
  EXPECT_EQ (Render (reg.get ()), "") << "a labelled family shows nothing before it is used";
  kl_counter_inc (m, "start_container", nullptr);
  kl_counter_inc (m, "create_container", nullptr);
  kl_counter_add (m, 2.5, "create_container", nullptr);
  EXPECT_EQ (Render (reg.get ()),
             "# HELP kubelet_runtime_operations_total Cumulative number of runtime operations.\n"
             "# TYPE kubelet_runtime_operations_total counter\n"
             "kubelet_runtime_operations_total{operation_type=\"create_container\"} 3.5\n"
             "kubelet_runtime_operations_total{operation_type=\"start_container\"} 1\n");
  EXPECT_EQ (kl_metric_value (m, "create_container", nullptr), 3.5);
  EXPECT_EQ (kl_metric_value (m, "absent", nullptr), 0);
}

TEST (Registry, GaugeWithoutLabelsStartsAtZero)
{
  Registry reg (kl_metrics_registry_new ());
  kl_metric_t *m = Register (reg.get (), "kubelet_running_pods", KL_METRIC_GAUGE, nullptr);
  EXPECT_EQ (Render (reg.get ()), "# HELP kubelet_running_pods Help text.\n"
                                  "# TYPE kubelet_running_pods gauge\n"
                                  "kubelet_running_pods 0\n");
  kl_gauge_set (m, 7, nullptr);
  kl_gauge_add (m, -2, nullptr);
  EXPECT_EQ (kl_metric_value (m, nullptr), 5);
  EXPECT_NE (Render (reg.get ()).find ("\nkubelet_running_pods 5\n"), std::string::npos);
}

TEST (Registry, EscapesLabelValuesAndHelp)
{
  Registry reg (kl_metrics_registry_new ());
  static const char *const labels[] = { "path", "code", nullptr };
  kl_metric_t *m = Register (reg.get (), "requests", KL_METRIC_COUNTER, labels, nullptr, 0,
                             "Back\\slash and\nnewline \"quoted\".");
  kl_counter_inc (m, "a\"b\\c\nd", "", nullptr);
  EXPECT_EQ (Render (reg.get ()), "# HELP requests Back\\\\slash and\\nnewline \"quoted\".\n"
                                  "# TYPE requests counter\n"
                                  "requests{path=\"a\\\"b\\\\c\\nd\",code=\"\"} 1\n");
}

TEST (Registry, HistogramBucketsAreCumulative)
{
  Registry reg (kl_metrics_registry_new ());
  static const double buckets[] = { 0.1, 0.5, 1 };
  kl_metric_t *m = Register (reg.get (), "kubelet_pleg_relist_duration_seconds",
                             KL_METRIC_HISTOGRAM, nullptr, buckets, 3);
  for (double v : { 0.05, 0.1, 0.3, 0.7, 0.9, 2.0 })
    kl_histogram_observe (m, v, nullptr);
  EXPECT_EQ (Render (reg.get ()), "# HELP kubelet_pleg_relist_duration_seconds Help text.\n"
                                  "# TYPE kubelet_pleg_relist_duration_seconds histogram\n"
                                  "kubelet_pleg_relist_duration_seconds_bucket{le=\"0.1\"} 2\n"
                                  "kubelet_pleg_relist_duration_seconds_bucket{le=\"0.5\"} 3\n"
                                  "kubelet_pleg_relist_duration_seconds_bucket{le=\"1\"} 5\n"
                                  "kubelet_pleg_relist_duration_seconds_bucket{le=\"+Inf\"} 6\n"
                                  "kubelet_pleg_relist_duration_seconds_sum 4.05\n"
                                  "kubelet_pleg_relist_duration_seconds_count 6\n");
  EXPECT_EQ (kl_metric_value (m, nullptr), 6);
  EXPECT_DOUBLE_EQ (kl_histogram_sum (m, nullptr), 4.05);
}

TEST (Registry, LabelledHistogramPutsLeLast)
{
  Registry reg (kl_metrics_registry_new ());
  static const char *const labels[] = { "operation_type", nullptr };
  static const double buckets[] = { 1, 2, INFINITY };
  kl_metric_t *m = Register (reg.get (), "op_seconds", KL_METRIC_HISTOGRAM, labels, buckets, 3);
  kl_histogram_observe (m, 1.5, "pull_image", nullptr);
  EXPECT_EQ (Render (reg.get ()), "# HELP op_seconds Help text.\n"
                                  "# TYPE op_seconds histogram\n"
                                  "op_seconds_bucket{operation_type=\"pull_image\",le=\"1\"} 0\n"
                                  "op_seconds_bucket{operation_type=\"pull_image\",le=\"2\"} 1\n"
                                  "op_seconds_bucket{operation_type=\"pull_image\",le=\"+Inf\"} 1\n"
                                  "op_seconds_sum{operation_type=\"pull_image\"} 1.5\n"
                                  "op_seconds_count{operation_type=\"pull_image\"} 1\n");
}

TEST (Registry, DefaultBuckets)
{
  Registry reg (kl_metrics_registry_new ());
  kl_metric_t *m = Register (reg.get (), "h", KL_METRIC_HISTOGRAM, nullptr);
  kl_histogram_observe (m, 0.02, nullptr);
  std::string text = Render (reg.get ());
  EXPECT_NE (text.find ("h_bucket{le=\"0.005\"} 0\nh_bucket{le=\"0.01\"} 0\n"
                        "h_bucket{le=\"0.025\"} 1\n"),
             std::string::npos)
      << text;
  EXPECT_NE (text.find ("h_bucket{le=\"10\"} 1\nh_bucket{le=\"+Inf\"} 1\n"), std::string::npos);
}

TEST (Registry, FamiliesSortedByName)
{
  Registry reg (kl_metrics_registry_new ());
  Register (reg.get (), "zz", KL_METRIC_GAUGE, nullptr);
  Register (reg.get (), "aa", KL_METRIC_COUNTER, nullptr);
  Register (reg.get (), "mm", KL_METRIC_GAUGE, nullptr);
  std::string text = Render (reg.get ());
  size_t a = text.find ("# TYPE aa"), m = text.find ("# TYPE mm"), z = text.find ("# TYPE zz");
  ASSERT_NE (z, std::string::npos);
  EXPECT_LT (a, m);
  EXPECT_LT (m, z);
}

TEST (Registry, RejectsBadRegistrations)
{
  Registry reg (kl_metrics_registry_new ());
  static const char *const le[] = { "le", nullptr };
  static const char *const reserved[] = { "__name", nullptr };
  static const char *const dup[] = { "a", "a", nullptr };
  static const char *const bad[] = { "0a", nullptr };
  static const double down[] = { 1, 0.5 };
  static const double nan_bucket[] = { NAN };
  Register (reg.get (), "taken", KL_METRIC_GAUGE, nullptr);
  struct Case
  {
    kl_metric_opts_t opts;
    enum kl_error_kind kind;
    const char *message;
  } cases[] = {
    { { "", "", KL_METRIC_GAUGE, nullptr, nullptr, 0 },
      KL_ERROR_INVALID,
      "invalid metric name \"\"" },
    { { "a-b", "", KL_METRIC_GAUGE, nullptr, nullptr, 0 },
      KL_ERROR_INVALID,
      "invalid metric name \"a-b\"" },
    { { "h", "", KL_METRIC_HISTOGRAM, le, nullptr, 0 },
      KL_ERROR_INVALID,
      "metric h: label \"le\" is reserved for histogram buckets" },
    { { "g", "", KL_METRIC_GAUGE, reserved, nullptr, 0 },
      KL_ERROR_INVALID,
      "metric g: invalid label name \"__name\"" },
    { { "g", "", KL_METRIC_GAUGE, bad, nullptr, 0 },
      KL_ERROR_INVALID,
      "metric g: invalid label name \"0a\"" },
    { { "g", "", KL_METRIC_GAUGE, dup, nullptr, 0 },
      KL_ERROR_INVALID,
      "metric g: duplicate label \"a\"" },
    { { "h", "", KL_METRIC_HISTOGRAM, nullptr, down, 2 },
      KL_ERROR_INVALID,
      "metric h: bucket bounds must be finite and increasing" },
    { { "h", "", KL_METRIC_HISTOGRAM, nullptr, nan_bucket, 1 },
      KL_ERROR_INVALID,
      "metric h: bucket bounds must be finite and increasing" },
    { { "taken", "", KL_METRIC_COUNTER, nullptr, nullptr, 0 },
      KL_ERROR_ALREADY_EXISTS,
      "metric taken is already registered" },
  };
  for (const Case &c : cases)
    {
      kl_metric_t *m = nullptr;
      kl_error_t err = nullptr;
      EXPECT_LT (kl_metrics_register (reg.get (), &c.opts, &m, &err), 0) << c.message;
      EXPECT_TRUE (kl_error_is (err, c.kind)) << c.message;
      EXPECT_STREQ (kl_error_message (err), c.message);
      EXPECT_EQ (m, nullptr);
      kl_error_release (&err);
    }
}

TEST (Registry, MisuseIsIgnored)
{
  Registry reg (kl_metrics_registry_new ());
  static const char *const labels[] = { "a", "b", nullptr };
  kl_metric_t *c = Register (reg.get (), "c", KL_METRIC_COUNTER, labels);
  kl_metric_t *g = Register (reg.get (), "g", KL_METRIC_GAUGE, nullptr);
  kl_counter_inc (c, "only-one", nullptr);
  kl_counter_inc (c, "x", "y", "z", nullptr);
  kl_counter_add (c, -1, "x", "y", nullptr);
  kl_gauge_set (c, 5, "x", "y", nullptr);
  kl_histogram_observe (g, 1, nullptr);
  kl_counter_inc (nullptr, nullptr);
  EXPECT_EQ (Render (reg.get ()), "# HELP g Help text.\n# TYPE g gauge\ng 0\n");
}

TEST (Registry, DeleteRemovesSeries)
{
  Registry reg (kl_metrics_registry_new ());
  static const char *const labels[] = { "pod", nullptr };
  kl_metric_t *g = Register (reg.get (), "g", KL_METRIC_GAUGE, labels);
  kl_gauge_set (g, 1, "a", nullptr);
  kl_gauge_set (g, 2, "b", nullptr);
  kl_metric_delete (g, "a", nullptr);
  kl_metric_delete (g, "missing", nullptr);
  EXPECT_EQ (Render (reg.get ()), "# HELP g Help text.\n# TYPE g gauge\ng{pod=\"b\"} 2\n");
}

TEST (Registry, SeriesAreBounded)
{
  Registry reg (kl_metrics_registry_new ());
  static const char *const labels[] = { "id", nullptr };
  kl_metric_t *c = Register (reg.get (), "c", KL_METRIC_COUNTER, labels);
  for (int i = 0; i < KL_METRICS_MAX_SERIES + 5; i++)
    kl_counter_inc (c, std::to_string (i).c_str (), nullptr);
  std::string text = Render (reg.get ());
  size_t lines = 0;
  for (char ch : text)
    lines += ch == '\n';
  EXPECT_EQ (lines, (size_t) KL_METRICS_MAX_SERIES + 2);
}

TEST (Registry, ConcurrentUpdatesAndRenders)
{
  Registry reg (kl_metrics_registry_new ());
  static const char *const labels[] = { "t", nullptr };
  kl_metric_t *c = Register (reg.get (), "c", KL_METRIC_COUNTER, labels);
  kl_metric_t *h = Register (reg.get (), "h", KL_METRIC_HISTOGRAM, nullptr);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; t++)
    threads.emplace_back ([&, t] {
      for (int i = 0; i < 5000; i++)
        {
          kl_counter_inc (c, t % 2 ? "odd" : "even", nullptr);
          kl_histogram_observe (h, 0.001 * i, nullptr);
          if (i % 500 == 0)
            free (kl_metrics_registry_render (reg.get (), nullptr));
        }
    });
  for (auto &th : threads)
    th.join ();
  EXPECT_EQ (kl_metric_value (c, "odd", nullptr), 20000);
  EXPECT_EQ (kl_metric_value (c, "even", nullptr), 20000);
  EXPECT_EQ (kl_metric_value (h, nullptr), 40000);
  EXPECT_NE (Render (reg.get ()).find ("h_bucket{le=\"+Inf\"} 40000\n"), std::string::npos);
}

TEST (Registry, FormatValue)
{
  EXPECT_EQ (Format (0), "0");
  EXPECT_EQ (Format (-0.0), "0");
  EXPECT_EQ (Format (1), "1");
  EXPECT_EQ (Format (-3), "-3");
  EXPECT_EQ (Format (1234567), "1234567");
  EXPECT_EQ (Format (0.005), "0.005");
  EXPECT_EQ (Format (2.5), "2.5");
  EXPECT_EQ (Format (0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ (Format (1e20), "1e+20");
  EXPECT_EQ (Format (1.5e-7), "1.5e-07");
  EXPECT_EQ (Format (INFINITY), "+Inf");
  EXPECT_EQ (Format (-INFINITY), "-Inf");
  EXPECT_EQ (Format (NAN), "NaN");
}

} // namespace

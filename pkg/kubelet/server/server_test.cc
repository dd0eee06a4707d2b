#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <curl/curl.h>
#include <dirent.h>
#include <jansson.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

extern "C" {
#include "pkg/kubelet/metrics/kubelet_metrics.h"
#include "pkg/kubelet/server/server.h"
}

#include "pkg/kubelet/server/testing_pods.h"

namespace {

using kl_server_testing::DecodeOne;
using kl_server_testing::kManifest;
using kl_server_testing::kMay1;
using kl_server_testing::kSecond;
using kl_server_testing::MakeStatus;

class CurlEnvironment : public ::testing::Environment
{
public:
  void
  SetUp () override
  {
    curl_global_init (CURL_GLOBAL_DEFAULT);
  }
  void
  TearDown () override
  {
    curl_global_cleanup ();
  }
};
::testing::Environment *const curl_env = ::testing::AddGlobalTestEnvironment (new CurlEnvironment);

struct Response
{
  long status = 0;
  std::string body;
  std::string content_type;
  std::string headers;
  bool ok = false; /* the transfer worked */
};

size_t
Append (char *data, size_t size, size_t n, void *out)
{
  static_cast<std::string *> (out)->append (data, size * n);
  return size * n;
}

Response
Fetch (int port, const std::string &path, const char *method = "GET", bool expect_ok = true)
{
  Response r;
  CURL *curl = curl_easy_init ();
  std::string url = "http://127.0.0.1:" + std::to_string (port) + path;
  curl_easy_setopt (curl, CURLOPT_URL, url.c_str ());
  curl_easy_setopt (curl, CURLOPT_WRITEFUNCTION, Append);
  curl_easy_setopt (curl, CURLOPT_WRITEDATA, &r.body);
  curl_easy_setopt (curl, CURLOPT_HEADERFUNCTION, Append);
  curl_easy_setopt (curl, CURLOPT_HEADERDATA, &r.headers);
  curl_easy_setopt (curl, CURLOPT_TIMEOUT, 10L);
  curl_easy_setopt (curl, CURLOPT_NOSIGNAL, 1L);
  if (strcmp (method, "HEAD") == 0)
    curl_easy_setopt (curl, CURLOPT_NOBODY, 1L);
  else if (strcmp (method, "GET") != 0)
    curl_easy_setopt (curl, CURLOPT_CUSTOMREQUEST, method);
  CURLcode rc = curl_easy_perform (curl);
  r.ok = rc == CURLE_OK;
  if (expect_ok)
    EXPECT_EQ (rc, CURLE_OK) << url << ": " << curl_easy_strerror (rc);
  curl_easy_getinfo (curl, CURLINFO_RESPONSE_CODE, &r.status);
  char *ct = nullptr;
  if (curl_easy_getinfo (curl, CURLINFO_CONTENT_TYPE, &ct) == CURLE_OK && ct)
    r.content_type = ct;
  curl_easy_cleanup (curl);
  return r;
}

json_t *
ParseJson (const std::string &text)
{
  json_error_t error;
  json_t *j = json_loadb (text.data (), text.size (), 0, &error);
  EXPECT_NE (j, nullptr) << error.text << " in " << text;
  return j;
}

/* The dotted path ("items.0.status.phase") in `j`, or NULL. */
json_t *
At (json_t *j, const std::string &path)
{
  size_t start = 0;
  while (j != nullptr)
    {
      size_t dot = path.find ('.', start);
      std::string key = path.substr (start, dot == std::string::npos ? dot : dot - start);
      j = json_is_array (j) ? json_array_get (j, strtoul (key.c_str (), nullptr, 10))
                            : json_object_get (j, key.c_str ());
      if (dot == std::string::npos)
        break;
      start = dot + 1;
    }
  return j;
}

/* The kubelet side: what the provider operations report, guarded by `mu`. */
struct FakeKubelet
{
  std::mutex mu;
  std::vector<std::pair<std::string, std::string>> checks; /* name, error ("" passes) */
  std::string pods_error;
  std::atomic<int> pods_calls{ 0 };
  kl_kubelet_metrics_t *metrics = nullptr;
  bool only_cpu_and_memory_seen = false;
};

int
FakePods (void *ctx, kl_server_pods_t *out, kl_error_t *err)
{
  auto *k = static_cast<FakeKubelet *> (ctx);
  k->pods_calls++;
  std::lock_guard<std::mutex> lock (k->mu);
  if (!k->pods_error.empty ())
    return kl_make_error (err, 0, "%s", k->pods_error.c_str ());
  kl_server_pods_append (out, DecodeOne (kManifest, sizeof kManifest - 1), MakeStatus ());
  return 0;
}

int
FakeHealthz (void *ctx, kl_healthz_checks_t *out, kl_error_t *err)
{
  (void) err;
  auto *k = static_cast<FakeKubelet *> (ctx);
  std::lock_guard<std::mutex> lock (k->mu);
  for (const auto &c : k->checks)
    kl_healthz_checks_add (out, c.first.c_str (), c.second.empty () ? nullptr : c.second.c_str ());
  return 0;
}

kl_stats_cpu_t *
Cpu (uint64_t nano_cores, uint64_t core_nano_seconds)
{
  auto *c = static_cast<kl_stats_cpu_t *> (calloc (1, sizeof (kl_stats_cpu_t)));
  c->time = kMay1;
  c->usage_nano_cores = nano_cores;
  c->has_usage_nano_cores = true;
  c->usage_core_nano_seconds = core_nano_seconds;
  c->has_usage_core_nano_seconds = true;
  return c;
}

kl_stats_memory_t *
Memory (uint64_t working_set, uint64_t usage)
{
  auto *m = static_cast<kl_stats_memory_t *> (calloc (1, sizeof (kl_stats_memory_t)));
  m->time = kMay1;
  m->working_set_bytes = working_set;
  m->has_working_set_bytes = true;
  m->usage_bytes = usage;
  m->has_usage_bytes = true;
  return m;
}

kl_stats_fs_t *
Fs (uint64_t used)
{
  auto *f = static_cast<kl_stats_fs_t *> (calloc (1, sizeof (kl_stats_fs_t)));
  f->time = kMay1;
  f->used_bytes = used;
  f->has_used_bytes = true;
  f->capacity_bytes = 100 * used;
  f->has_capacity_bytes = true;
  return f;
}

int
FakeStats (void *ctx, bool only_cpu_and_memory, kl_stats_summary_t *out, kl_error_t *err)
{
  (void) err;
  auto *k = static_cast<FakeKubelet *> (ctx);
  {
    std::lock_guard<std::mutex> lock (k->mu);
    k->only_cpu_and_memory_seen = only_cpu_and_memory;
  }
  out->node.node_name = strdup ("node-1");
  out->node.start_time = kMay1 - 3600 * kSecond;
  out->node.cpu = Cpu (250000000, 9000000000000ULL);
  out->node.memory = Memory (1ULL << 30, 2ULL << 30);
  out->node.fs = Fs (1ULL << 32);
  out->node.image_fs = Fs (1ULL << 31);
  out->n_pods = 1;
  out->pods = static_cast<kl_stats_pod_t *> (calloc (1, sizeof (kl_stats_pod_t)));
  kl_stats_pod_t *p = &out->pods[0];
  p->name = strdup ("web");
  p->namespace_ = strdup ("prod");
  p->uid = strdup ("5f2d8c4e-0000-4000-8000-000000000001");
  p->start_time = kMay1;
  p->cpu = Cpu (1000000, 5000000000ULL);
  p->memory = Memory (20 << 20, 30 << 20);
  p->network = static_cast<kl_stats_network_t *> (calloc (1, sizeof (kl_stats_network_t)));
  p->network->time = kMay1;
  p->network->default_interface.name = strdup ("eth0");
  p->network->default_interface.rx_bytes = 1234;
  p->network->default_interface.has_rx_bytes = true;
  p->network->n_interfaces = 1;
  p->network->interfaces
      = static_cast<kl_stats_interface_t *> (calloc (1, sizeof (kl_stats_interface_t)));
  p->network->interfaces[0].name = strdup ("eth0");
  p->network->interfaces[0].tx_bytes = 99;
  p->network->interfaces[0].has_tx_bytes = true;
  p->n_volumes = 1;
  p->volumes = static_cast<kl_stats_volume_t *> (calloc (1, sizeof (kl_stats_volume_t)));
  p->volumes[0].name = strdup ("data");
  p->volumes[0].fs.time = kMay1;
  p->volumes[0].fs.used_bytes = 4096;
  p->volumes[0].fs.has_used_bytes = true;
  p->ephemeral_storage = Fs (8192);
  p->process_count = 3;
  p->has_process_count = true;
  p->n_containers = 1;
  p->containers = static_cast<kl_stats_container_t *> (calloc (1, sizeof (kl_stats_container_t)));
  p->containers[0].name = strdup ("app");
  p->containers[0].start_time = kMay1 + kSecond;
  p->containers[0].cpu = Cpu (900000, 4000000000ULL);
  p->containers[0].memory = Memory (10 << 20, 12 << 20);
  p->containers[0].rootfs = Fs (1 << 20);
  p->containers[0].logs = Fs (1 << 10);
  return 0;
}

kl_kubelet_metrics_t *
FakeMetrics (void *ctx)
{
  return static_cast<FakeKubelet *> (ctx)->metrics;
}

const kl_server_provider_ops_t kFakeOps = { FakePods, FakeHealthz, FakeStats, FakeMetrics };

class ServerTest : public ::testing::Test
{
protected:
  void
  SetUp () override
  {
    kl_error_t err = nullptr;
    ASSERT_EQ (kl_kubelet_metrics_new ("node-1", &kubelet_.metrics, &err), 0);
    Start (KL_SERVER_PORT_EPHEMERAL, KL_SERVER_PORT_EPHEMERAL);
  }

  void
  Start (int read_only_port, int healthz_port, const kl_server_provider_ops_t *ops = &kFakeOps)
  {
    kl_server_stop (server_);
    server_ = nullptr;
    kl_server_options_t opts = {};
    opts.read_only_port = read_only_port;
    opts.healthz_port = healthz_port;
    opts.ops = ops;
    opts.ctx = &kubelet_;
    kl_error_t err = nullptr;
    ASSERT_EQ (kl_server_start (&opts, &server_, &err), 0) << kl_error_message (err);
    port_ = kl_server_read_only_port (server_);
    healthz_port_ = kl_server_healthz_port (server_);
  }

  void
  TearDown () override
  {
    kl_server_stop (server_);
    kl_kubelet_metrics_free (kubelet_.metrics);
  }

  FakeKubelet kubelet_;
  kl_server_t *server_ = nullptr;
  int port_ = 0;
  int healthz_port_ = 0;
};

TEST_F (ServerTest, ListensOnEphemeralPorts)
{
  EXPECT_GT (port_, 0);
  EXPECT_GT (healthz_port_, 0);
  EXPECT_NE (port_, healthz_port_);
}

TEST_F (ServerTest, HealthzOk)
{
  kubelet_.checks = { { "syncloop", "" }, { "pleg", "" } };
  for (int port : { port_, healthz_port_ })
    {
      Response r = Fetch (port, "/healthz");
      EXPECT_EQ (r.status, 200);
      EXPECT_EQ (r.body, "ok");
      EXPECT_EQ (r.content_type, "text/plain; charset=utf-8");
    }
  Response verbose = Fetch (healthz_port_, "/healthz?verbose");
  EXPECT_EQ (verbose.status, 200);
  EXPECT_EQ (verbose.body, "[+]ping ok\n[+]syncloop ok\n[+]pleg ok\nhealthz check passed\n");
  EXPECT_EQ (Fetch (port_, "/healthz/ping").body, "ok");
  EXPECT_EQ (Fetch (port_, "/healthz/pleg").status, 200);
}

TEST_F (ServerTest, HealthzFailing)
{
  const char *reason = "pleg was last seen active 3m20s ago; threshold is 3m0s";
  kubelet_.checks = { { "syncloop", "" }, { "pleg", reason } };
  for (int port : { port_, healthz_port_ })
    {
      Response r = Fetch (port, "/healthz");
      EXPECT_EQ (r.status, 500);
      EXPECT_EQ (r.body, std::string ("[+]ping ok\n[+]syncloop ok\n[-]pleg failed: ") + reason
                             + "\nhealthz check failed\n");
    }
  Response one = Fetch (healthz_port_, "/healthz/pleg");
  EXPECT_EQ (one.status, 500);
  EXPECT_EQ (one.body, std::string ("internal server error: ") + reason + "\n");
  EXPECT_EQ (Fetch (healthz_port_, "/healthz/syncloop").status, 200);
  EXPECT_EQ (Fetch (healthz_port_, "/healthz/ping").status, 200);
  EXPECT_EQ (Fetch (healthz_port_, "/healthz/unknown").status, 404);
}

TEST_F (ServerTest, Pods)
{
  Response r = Fetch (port_, "/pods");
  ASSERT_EQ (r.status, 200) << r.body;
  EXPECT_EQ (r.content_type, "application/json");
  json_t *list = ParseJson (r.body);
  ASSERT_NE (list, nullptr);
  EXPECT_STREQ (json_string_value (At (list, "kind")), "PodList");
  EXPECT_STREQ (json_string_value (At (list, "apiVersion")), "v1");
  EXPECT_TRUE (json_is_object (At (list, "metadata")));
  ASSERT_EQ (json_array_size (At (list, "items")), 1u);
  json_t *pod = At (list, "items.0");
  EXPECT_STREQ (json_string_value (At (pod, "metadata.name")), "web");
  EXPECT_STREQ (json_string_value (At (pod, "metadata.uid")),
                "5f2d8c4e-0000-4000-8000-000000000001");
  EXPECT_STREQ (json_string_value (At (pod, "spec.containers.0.image")), "nginx:1.25");
  EXPECT_STREQ (json_string_value (At (pod, "status.phase")), "Running");
  EXPECT_STREQ (json_string_value (At (pod, "status.conditions.1.lastTransitionTime")),
                "2024-05-01T12:00:01Z");
  EXPECT_STREQ (json_string_value (At (pod, "status.podIPs.0.ip")), "10.88.0.5");
  json_t *statuses = At (pod, "status.containerStatuses");
  ASSERT_EQ (json_array_size (statuses), 3u);
  EXPECT_TRUE (json_is_string (At (statuses, "0.state.running.startedAt")));
  EXPECT_TRUE (json_is_true (At (statuses, "0.ready")));
  EXPECT_STREQ (json_string_value (At (statuses, "1.state.waiting.reason")), "CrashLoopBackOff");
  EXPECT_EQ (json_integer_value (At (statuses, "1.lastState.terminated.exitCode")), 1);
  EXPECT_EQ (json_integer_value (At (statuses, "1.restartCount")), 3);
  EXPECT_TRUE (json_is_integer (At (statuses, "2.state.terminated.exitCode")));
  EXPECT_EQ (json_integer_value (At (statuses, "2.state.terminated.exitCode")), 137);
  EXPECT_STREQ (json_string_value (At (statuses, "2.containerID")), "containerd://3333");
  json_decref (list);

  /* The body decodes back into the pod the provider listed. */
  kl_pod_t *want = DecodeOne (kManifest, sizeof kManifest - 1);
  kl_pod_t *got = DecodeOne (r.body.data (), r.body.size ());
  ASSERT_NE (got, nullptr);
  EXPECT_TRUE (kl_pod_equal (want, got));
  kl_pod_free (want);
  kl_pod_free (got);
}

TEST_F (ServerTest, PodsWithoutProviderIsEmptyList)
{
  const kl_server_provider_ops_t none = {};
  Start (KL_SERVER_PORT_EPHEMERAL, 0, &none);
  Response r = Fetch (port_, "/pods");
  EXPECT_EQ (r.status, 200);
  EXPECT_EQ (r.body, "{\"kind\":\"PodList\",\"apiVersion\":\"v1\",\"metadata\":{},\"items\":[]}");
  EXPECT_EQ (Fetch (port_, "/stats/summary").status, 404);
  Response m = Fetch (port_, "/metrics");
  EXPECT_EQ (m.status, 200);
  EXPECT_EQ (m.body, "");
  EXPECT_EQ (Fetch (port_, "/healthz?verbose").body, "[+]ping ok\nhealthz check passed\n");
}

TEST_F (ServerTest, PodsProviderError)
{
  kubelet_.pods_error = "runtime is down";
  Response r = Fetch (port_, "/pods");
  EXPECT_EQ (r.status, 500);
  EXPECT_EQ (r.body, "Internal Error: runtime is down\n");
}

/* Splits the text format into lines. */
std::vector<std::string>
Lines (const std::string &text)
{
  std::vector<std::string> lines;
  size_t start = 0;
  for (size_t nl; (nl = text.find ('\n', start)) != std::string::npos; start = nl + 1)
    lines.push_back (text.substr (start, nl - start));
  EXPECT_EQ (start, text.size ()) << "the text ends with a newline";
  return lines;
}

TEST_F (ServerTest, Metrics)
{
  kl_kubelet_metrics_t *m = kubelet_.metrics;
  for (double v : { 0.003, 0.02, 0.02, 0.7, 30.0 })
    kl_histogram_observe (m->pleg_relist_duration_seconds, v, nullptr);
  kl_counter_inc (m->runtime_operations_total, "create_container", nullptr);
  kl_metric_opts_t opts = { "test_escaped", "A test.", KL_METRIC_GAUGE, nullptr, nullptr, 0 };
  static const char *const labels[] = { "value", nullptr };
  opts.label_names = labels;
  kl_metric_t *escaped = nullptr;
  ASSERT_EQ (kl_metrics_register (m->registry, &opts, &escaped, nullptr), 0);
  kl_gauge_set (escaped, 1, "quote\" backslash\\ newline\n", nullptr);
  Fetch (port_, "/pods");

  Response r = Fetch (port_, "/metrics");
  ASSERT_EQ (r.status, 200);
  EXPECT_EQ (r.content_type, "text/plain; version=0.0.4; charset=utf-8");
  std::vector<std::string> lines = Lines (r.body);
  auto has = [&] (const std::string &line) {
    for (const auto &l : lines)
      if (l == line)
        return true;
    return false;
  };
  EXPECT_TRUE (has ("# HELP kubelet_pleg_relist_duration_seconds [ALPHA] Duration in seconds "
                    "for relisting pods in PLEG."));
  EXPECT_TRUE (has ("# TYPE kubelet_pleg_relist_duration_seconds histogram"));
  EXPECT_TRUE (has ("kubelet_pleg_relist_duration_seconds_bucket{le=\"0.005\"} 1"));
  EXPECT_TRUE (has ("kubelet_pleg_relist_duration_seconds_bucket{le=\"0.025\"} 3"));
  EXPECT_TRUE (has ("kubelet_pleg_relist_duration_seconds_bucket{le=\"1\"} 4"));
  EXPECT_TRUE (has ("kubelet_pleg_relist_duration_seconds_bucket{le=\"10\"} 4"));
  EXPECT_TRUE (has ("kubelet_pleg_relist_duration_seconds_bucket{le=\"+Inf\"} 5"));
  EXPECT_TRUE (has ("kubelet_pleg_relist_duration_seconds_count 5"));
  EXPECT_TRUE (has ("kubelet_runtime_operations_total{operation_type=\"create_container\"} 1"));
  EXPECT_TRUE (has ("test_escaped{value=\"quote\\\" backslash\\\\ newline\\n\"} 1"));
  EXPECT_TRUE (has ("kubelet_http_requests_total{method=\"GET\",path=\"pods\","
                    "server_type=\"readonly\",long_running=\"false\"} 1"))
      << r.body;

  /* Every histogram's buckets are cumulative and end at +Inf == _count. */
  std::string family;
  double previous = -1;
  int histograms = 0;
  for (const auto &l : lines)
    {
      if (l.rfind ("# TYPE ", 0) == 0)
        {
          family = l.substr (7, l.find (' ', 7) - 7);
          previous = -1;
          histograms += l.substr (l.rfind (' ') + 1) == "histogram";
          continue;
        }
      if (l.empty () || l[0] == '#')
        continue;
      size_t brace = l.find ('{');
      std::string name = l.substr (0, std::min (brace, l.find (' ')));
      double value = strtod (l.substr (l.rfind (' ') + 1).c_str (), nullptr);
      if (name != family + "_bucket")
        continue;
      EXPECT_GE (value, previous) << l;
      previous = value;
      size_t inf = l.find ("le=\"+Inf\"");
      if (inf == std::string::npos)
        continue;
      /* {a="x",le="+Inf"} -> {a="x"}; {le="+Inf"} -> nothing. */
      std::string labels = l.substr (brace, inf - brace);
      labels = labels == "{" ? "" : labels.substr (0, labels.size () - 1) + "}";
      std::string count_line = family + "_count" + labels + l.substr (l.rfind (' '));
      EXPECT_TRUE (has (count_line)) << count_line;
      previous = -1;
    }
  EXPECT_GE (histograms, 5);
}

TEST_F (ServerTest, StatsSummary)
{
  Response r = Fetch (port_, "/stats/summary");
  ASSERT_EQ (r.status, 200) << r.body;
  EXPECT_EQ (r.content_type, "application/json");
  json_t *s = ParseJson (r.body);
  ASSERT_NE (s, nullptr);
  EXPECT_STREQ (json_string_value (At (s, "node.nodeName")), "node-1");
  EXPECT_STREQ (json_string_value (At (s, "node.startTime")), "2024-05-01T11:00:00Z");
  EXPECT_EQ (json_integer_value (At (s, "node.cpu.usageNanoCores")), 250000000);
  EXPECT_EQ (json_integer_value (At (s, "node.cpu.usageCoreNanoSeconds")), 9000000000000LL);
  EXPECT_STREQ (json_string_value (At (s, "node.cpu.time")), "2024-05-01T12:00:00Z");
  EXPECT_EQ (json_integer_value (At (s, "node.memory.workingSetBytes")), 1LL << 30);
  EXPECT_EQ (At (s, "node.memory.rssBytes"), nullptr);
  EXPECT_EQ (json_integer_value (At (s, "node.fs.usedBytes")), 1LL << 32);
  EXPECT_EQ (json_integer_value (At (s, "node.runtime.imageFs.usedBytes")), 1LL << 31);
  ASSERT_EQ (json_array_size (At (s, "pods")), 1u);
  json_t *p = At (s, "pods.0");
  EXPECT_STREQ (json_string_value (At (p, "podRef.name")), "web");
  EXPECT_STREQ (json_string_value (At (p, "podRef.namespace")), "prod");
  EXPECT_STREQ (json_string_value (At (p, "podRef.uid")), "5f2d8c4e-0000-4000-8000-000000000001");
  EXPECT_STREQ (json_string_value (At (p, "containers.0.name")), "app");
  EXPECT_EQ (json_integer_value (At (p, "containers.0.cpu.usageNanoCores")), 900000);
  EXPECT_EQ (json_integer_value (At (p, "containers.0.cpu.usageCoreNanoSeconds")), 4000000000LL);
  EXPECT_EQ (json_integer_value (At (p, "containers.0.memory.workingSetBytes")), 10 << 20);
  EXPECT_EQ (json_integer_value (At (p, "containers.0.memory.usageBytes")), 12 << 20);
  EXPECT_EQ (json_integer_value (At (p, "containers.0.rootfs.usedBytes")), 1 << 20);
  EXPECT_EQ (json_integer_value (At (p, "containers.0.logs.capacityBytes")), 100 << 10);
  EXPECT_STREQ (json_string_value (At (p, "network.name")), "eth0");
  EXPECT_EQ (json_integer_value (At (p, "network.rxBytes")), 1234);
  EXPECT_EQ (json_integer_value (At (p, "network.interfaces.0.txBytes")), 99);
  EXPECT_STREQ (json_string_value (At (p, "volume.0.name")), "data");
  EXPECT_EQ (json_integer_value (At (p, "volume.0.usedBytes")), 4096);
  EXPECT_EQ (json_integer_value (At (p, "ephemeral-storage.usedBytes")), 8192);
  EXPECT_EQ (json_integer_value (At (p, "process_stats.process_count")), 3);
  EXPECT_FALSE (kubelet_.only_cpu_and_memory_seen);
  json_decref (s);

  r = Fetch (port_, "/stats/summary?only_cpu_and_memory=true");
  ASSERT_EQ (r.status, 200);
  s = ParseJson (r.body);
  EXPECT_TRUE (kubelet_.only_cpu_and_memory_seen);
  EXPECT_NE (At (s, "node.cpu"), nullptr);
  EXPECT_NE (At (s, "pods.0.containers.0.memory"), nullptr);
  EXPECT_EQ (At (s, "node.fs"), nullptr);
  EXPECT_EQ (At (s, "pods.0.network"), nullptr);
  EXPECT_EQ (At (s, "pods.0.containers.0.rootfs"), nullptr);
  json_decref (s);
}

TEST_F (ServerTest, NotFoundAndMethodNotAllowed)
{
  for (const char *path :
       { "/pods/", "/nope", "/", "/podsx", "/stats", "/stats/summary/x", "/healthz/" })
    {
      Response r = Fetch (port_, path);
      EXPECT_EQ (r.status, 404) << path;
      EXPECT_EQ (r.body, "404 page not found\n") << path;
      EXPECT_EQ (r.content_type, "text/plain; charset=utf-8") << path;
    }
  /* The healthz listener serves /healthz only. */
  for (const char *path : { "/pods", "/metrics", "/stats/summary" })
    EXPECT_EQ (Fetch (healthz_port_, path).status, 404) << path;

  for (const char *method : { "POST", "PUT", "DELETE", "PATCH" })
    {
      Response r = Fetch (port_, "/pods", method);
      EXPECT_EQ (r.status, 405) << method;
      EXPECT_EQ (r.body, "405: Method Not Allowed\n");
      EXPECT_NE (r.headers.find ("Allow: GET, HEAD\r\n"), std::string::npos) << r.headers;
    }
  EXPECT_EQ (Fetch (healthz_port_, "/healthz", "POST").status, 405);
  EXPECT_EQ (kubelet_.pods_calls, 0);

  Response head = Fetch (port_, "/pods", "HEAD");
  EXPECT_EQ (head.status, 200);
  EXPECT_EQ (head.body, "");
  EXPECT_NE (head.headers.find ("Content-Length: "), std::string::npos) << head.headers;
}

/* A TCP connection to 127.0.0.1:port that stays open, idle. */
int
ConnectIdle (int port)
{
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in sa = {};
  sa.sin_family = AF_INET;
  sa.sin_port = htons (port);
  sa.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  EXPECT_EQ (connect (fd, (struct sockaddr *) &sa, sizeof sa), 0);
  return fd;
}

TEST_F (ServerTest, StopIsPrompt)
{
  /* Open connections: one idle, one in the middle of its request line. */
  int idle = ConnectIdle (port_);
  int partial = ConnectIdle (healthz_port_);
  ASSERT_EQ (write (partial, "GET /hea", 8), 8);
  EXPECT_EQ (Fetch (port_, "/healthz").status, 200);
  auto start = std::chrono::steady_clock::now ();
  kl_server_stop (server_);
  server_ = nullptr;
  auto elapsed = std::chrono::steady_clock::now () - start;
  EXPECT_LT (elapsed, std::chrono::seconds (1));
  char c;
  EXPECT_EQ (read (idle, &c, 1), 0) << "the server closed the idle connection";
  close (idle);
  close (partial);
}

TEST_F (ServerTest, ConnectionsAreBounded)
{
  kl_server_stop (server_);
  server_ = nullptr;
  kl_server_options_t opts = {};
  opts.read_only_port = KL_SERVER_PORT_EPHEMERAL;
  opts.connection_limit = 2;
  opts.connection_timeout_seconds = 1;
  opts.threads = 1;
  opts.ops = &kFakeOps;
  opts.ctx = &kubelet_;
  kl_error_t err = nullptr;
  ASSERT_EQ (kl_server_start (&opts, &server_, &err), 0) << kl_error_message (err);
  int port = kl_server_read_only_port (server_);

  int idle[2] = { ConnectIdle (port), ConnectIdle (port) };
  usleep (200 * 1000); /* let the server accept both */

  /* A third connection waits in the backlog until the idle ones time out. */
  auto start = std::chrono::steady_clock::now ();
  EXPECT_EQ (Fetch (port, "/healthz").status, 200);
  auto waited = std::chrono::steady_clock::now () - start;
  EXPECT_GE (waited, std::chrono::milliseconds (500));
  EXPECT_LT (waited, std::chrono::seconds (5));
  char c;
  for (int fd : idle)
    {
      EXPECT_EQ (read (fd, &c, 1), 0) << "the idle connection was closed";
      close (fd);
    }
}

TEST_F (ServerTest, OversizedRequestIsRefused)
{
  Response r = Fetch (port_, "/pods?" + std::string (64 * 1024, 'a'), "GET", false);
  if (r.ok)
    EXPECT_GE (r.status, 400);
  EXPECT_EQ (kubelet_.pods_calls, 0);
  EXPECT_EQ (Fetch (port_, "/healthz").status, 200) << "the server still serves";
}

size_t
CountOpenFds ()
{
  size_t n = 0;
  DIR *d = opendir ("/proc/self/fd");
  while (readdir (d) != nullptr)
    n++;
  closedir (d);
  return n;
}

TEST_F (ServerTest, DisabledPortsStartNoListener)
{
  kl_server_stop (server_);
  server_ = nullptr;
  size_t fds = CountOpenFds ();
  Start (0, 0);
  EXPECT_EQ (kl_server_read_only_port (server_), 0);
  EXPECT_EQ (kl_server_healthz_port (server_), 0);
  EXPECT_EQ (CountOpenFds (), fds) << "no socket, no thread wake-up pipe";

  Start (0, KL_SERVER_PORT_EPHEMERAL);
  EXPECT_EQ (kl_server_read_only_port (server_), 0);
  EXPECT_GT (kl_server_healthz_port (server_), 0);
  EXPECT_EQ (Fetch (kl_server_healthz_port (server_), "/healthz").status, 200);
}

TEST_F (ServerTest, StartErrors)
{
  struct Case
  {
    const char *address;
    int port;
    enum kl_error_kind kind;
    std::string message;
  } cases[] = {
    { "localhost", KL_SERVER_PORT_EPHEMERAL, KL_ERROR_INVALID,
      "invalid address \"localhost\": not an IP address" },
    { "127.0.0.1", 70000, KL_ERROR_INVALID, "invalid port 70000" },
    { "127.0.0.1", port_, KL_ERROR_GENERIC,
      "listen on 127.0.0.1:" + std::to_string (port_) + ": Address already in use" },
  };
  for (const Case &c : cases)
    {
      kl_server_options_t opts = {};
      opts.healthz_port = KL_SERVER_PORT_EPHEMERAL; /* started first, then stopped */
      opts.address = c.address;
      opts.read_only_port = c.port;
      opts.ops = &kFakeOps;
      opts.ctx = &kubelet_;
      kl_server_t *srv = nullptr;
      kl_error_t err = nullptr;
      EXPECT_LT (kl_server_start (&opts, &srv, &err), 0) << c.message;
      EXPECT_EQ (srv, nullptr);
      EXPECT_EQ (kl_error_message (err), c.message);
      EXPECT_TRUE (kl_error_is (err, c.kind) || c.kind == KL_ERROR_GENERIC) << c.message;
      kl_error_release (&err);
    }
}

TEST_F (ServerTest, IPv6Loopback)
{
  kl_server_options_t opts = {};
  opts.address = "::1";
  opts.read_only_port = KL_SERVER_PORT_EPHEMERAL;
  opts.ops = &kFakeOps;
  opts.ctx = &kubelet_;
  kl_server_t *srv = nullptr;
  kl_error_t err = nullptr;
  if (kl_server_start (&opts, &srv, &err) < 0)
    {
      kl_error_release (&err);
      GTEST_SKIP () << "no IPv6 loopback here";
    }
  CURL *curl = curl_easy_init ();
  std::string url = "http://[::1]:" + std::to_string (kl_server_read_only_port (srv)) + "/healthz";
  std::string body;
  curl_easy_setopt (curl, CURLOPT_URL, url.c_str ());
  curl_easy_setopt (curl, CURLOPT_WRITEFUNCTION, Append);
  curl_easy_setopt (curl, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt (curl, CURLOPT_TIMEOUT, 10L);
  EXPECT_EQ (curl_easy_perform (curl), CURLE_OK);
  EXPECT_EQ (body, "ok");
  curl_easy_cleanup (curl);
  kl_server_stop (srv);
}

TEST_F (ServerTest, ConcurrentRequests)
{
  std::vector<std::thread> threads;
  std::atomic<int> ok{ 0 };
  for (int t = 0; t < 6; t++)
    threads.emplace_back ([&, t] {
      for (int i = 0; i < 10; i++)
        {
          const char *path = t % 3 == 0 ? "/pods" : t % 3 == 1 ? "/metrics" : "/stats/summary";
          ok += Fetch (port_, path).status == 200;
        }
    });
  for (auto &th : threads)
    th.join ();
  EXPECT_EQ (ok, 60);
  EXPECT_EQ (kl_metric_value (kubelet_.metrics->http_requests_total, "GET", "pods", "readonly",
                              "false", nullptr),
             20);
  EXPECT_EQ (kl_metric_value (kubelet_.metrics->http_inflight_requests, "GET", "pods", "readonly",
                              "false", nullptr),
             0);
}

} // namespace

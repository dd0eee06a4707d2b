// The merge of the pod sources: duplicates, maxPods, readiness, options and a prompt stop.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "pkg/kubelet/config/sources_testing.h"

namespace {

using namespace kl_sources_testing;

using PodConfigTest = PodConfigTestBase;

TEST_F (PodConfigTest, DuplicateNamesFirstFileWinsReportedOnce)
{
  dir.Write ("a.yaml", PodYaml ("web", "nginx:a"));
  dir.Write ("b.yaml", PodYaml ("web", "nginx:b") + "---\n" + PodYaml ("other"));
  Start ();
  ASSERT_TRUE (recorder.WaitForNames ({ Static ("web"), Static ("other") }));
  EXPECT_EQ (recorder.Latest ()[0].image, "nginx:a");
  std::vector<std::string> dup
      = { Static ("web"), dir.Path ("b.yaml"), "duplicate", dir.Path ("a.yaml") };
  EXPECT_EQ (logs.Count (dup), 1u) << logs.Text ();

  kl_pod_config_sync_now (config);
  EXPECT_EQ (logs.Count (dup), 1u);

  // The first goes: the second takes its place.
  dir.Remove ("a.yaml");
  ASSERT_TRUE (recorder.WaitFor ([] (const std::vector<PodInfo> &set) {
    return set.size () == 2 && set[0].image == "nginx:b";
  }));

  // Back again: it wins again, and the duplicate is reported anew.
  dir.Write ("a.yaml", PodYaml ("web", "nginx:a"));
  ASSERT_TRUE (recorder.WaitFor ([] (const std::vector<PodInfo> &set) {
    return set.size () == 2 && set[0].image == "nginx:a";
  }));
  EXPECT_EQ (logs.Count (dup), 2u);
}

TEST_F (PodConfigTest, DuplicateInOneFileAndAcrossNamespaces)
{
  dir.Write ("a.yaml", PodYaml ("web") + "---\n" + PodYaml ("web", "nginx:2"));
  dir.Write ("b.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: kube-system}\n"
                       "spec: {containers: [{name: app, image: busybox}]}\n");
  Start ();
  ASSERT_TRUE (recorder.WaitForNames ({ Static ("web"), "kube-system/web-node1" }));
  EXPECT_EQ (logs.Count ({ "duplicate", dir.Path ("a.yaml") }), 1u) << logs.Text ();
}

TEST_F (PodConfigTest, SameExplicitUidTwiceKeepsTheFirst)
{
  std::string with_uid = "apiVersion: v1\nkind: Pod\nmetadata: {name: NAME, uid: \"1234\"}\n"
                         "spec: {containers: [{name: app, image: busybox}]}\n";
  dir.Write ("a.yaml", std::string (with_uid).replace (with_uid.find ("NAME"), 4, "one"));
  dir.Write ("b.yaml", std::string (with_uid).replace (with_uid.find ("NAME"), 4, "two"));
  Start ();
  ASSERT_TRUE (recorder.WaitForNames ({ Static ("one") })) << logs.Text ();
  EXPECT_EQ (logs.Count ({ "same UID 1234", dir.Path ("b.yaml") }), 1u) << logs.Text ();
}

TEST_F (PodConfigTest, MaxPodsRejectsTheRestInOrderOnce)
{
  opts.max_pods = 2;
  dir.Write ("a.yaml", PodYaml ("a"));
  dir.Write ("b.yaml", PodYaml ("b"));
  dir.Write ("c.yaml", PodYaml ("c") + "---\n" + PodYaml ("d"));
  Start ();
  ASSERT_TRUE (recorder.WaitForNames ({ Static ("a"), Static ("b") }));
  std::vector<std::string> c_rejected = { Static ("c"), "rejected", "maxPods (2)" };
  EXPECT_EQ (logs.Count (c_rejected), 1u) << logs.Text ();
  EXPECT_EQ (logs.Count ({ Static ("d"), "maxPods" }), 1u);

  kl_pod_config_sync_now (config);
  EXPECT_EQ (logs.Count (c_rejected), 1u);

  dir.Remove ("a.yaml");
  ASSERT_TRUE (recorder.WaitForNames ({ Static ("b"), Static ("c") }));
  EXPECT_EQ (logs.Count (c_rejected), 1u);
}

TEST_F (PodConfigTest, FileBeatsUrlForTheSameName)
{
  HttpServer server;
  server.Serve ("/pods", 200, PodYaml ("web", "from-url") + "---\n" + PodYaml ("api"));
  std::string url = server.Url ("/pods");
  opts.manifest_url = url.c_str ();
  dir.Write ("web.yaml", PodYaml ("web", "from-file"));
  Start ();
  ASSERT_TRUE (recorder.WaitFor ([&] (const std::vector<PodInfo> &set) {
    return Recorder::Names (set) == std::vector<std::string>{ Static ("web"), Static ("api") }
           && set[0].image == "from-file";
  }));
  EXPECT_EQ (recorder.Latest ()[1].annotations[KL_ANNOTATION_CONFIG_SOURCE], "http");
  ASSERT_TRUE (logs.WaitForCount ({ Static ("web"), url, "duplicate", dir.Path ("web.yaml") }, 1));
  EXPECT_TRUE (WaitReady ());
}

TEST_F (PodConfigTest, ReadyWaitsForEverySource)
{
  HttpServer server;
  std::string url = server.Url ("/pods"); // 404 until served
  opts.manifest_url = url.c_str ();
  Start ();
  ASSERT_TRUE (recorder.WaitForNames ({}));
  ASSERT_TRUE (logs.WaitForCount ({ url, "404" }, 1));
  EXPECT_TRUE (WaitReady (KL_POD_SOURCE_FILE));
  EXPECT_FALSE (kl_pod_config_source_ready (config, KL_POD_SOURCE_HTTP));
  EXPECT_FALSE (kl_pod_config_ready (config));

  server.Serve ("/pods", 200, PodYaml ("api"));
  kl_pod_config_sync_now (config); // ready once it returns
  EXPECT_TRUE (kl_pod_config_ready (config));
  EXPECT_EQ (Recorder::Names (recorder.Latest ()), std::vector<std::string>{ Static ("api") });
}

TEST_F (PodConfigTest, NoSourcesIsReadyAtOnce)
{
  no_path = true;
  Start ();
  EXPECT_TRUE (kl_pod_config_ready (config));
}

TEST_F (PodConfigTest, RefusesBadOptions)
{
  opts.node_name = "";
  EXPECT_LT (kl_pod_config_start (&opts, Recorder::Update, &recorder, &config, &err), 0);
  EXPECT_NE (std::string (kl_error_message (err)).find ("node name"), std::string::npos);
  kl_error_release (&err);

  opts.node_name = "node1";
  opts.manifest_url = "ftp://example.com/pods";
  EXPECT_LT (kl_pod_config_start (&opts, Recorder::Update, &recorder, &config, &err), 0);
  EXPECT_NE (std::string (kl_error_message (err)).find ("http"), std::string::npos);
  kl_error_release (&err);

  opts.manifest_url = "http://127.0.0.1:1/pods";
  kl_string_multimap_add (&headers, "X-Evil", "a\r\nHost: elsewhere");
  opts.manifest_url_headers = &headers;
  EXPECT_LT (kl_pod_config_start (&opts, Recorder::Update, &recorder, &config, &err), 0);
  EXPECT_NE (std::string (kl_error_message (err)).find ("X-Evil"), std::string::npos);
  EXPECT_EQ (config, nullptr);
}

TEST_F (PodConfigTest, StopIsPromptDuringAHangingFetch)
{
  HangingServer hanging;
  std::string url = hanging.Url ();
  opts.manifest_url = url.c_str ();
  opts.http_timeout_ns = 3600LL * 1000000000LL;
  dir.Write ("web.yaml", PodYaml ("web"));
  Start ();
  ASSERT_TRUE (recorder.WaitForNames ({ Static ("web") }));
  EXPECT_FALSE (kl_pod_config_ready (config));

  auto start = std::chrono::steady_clock::now ();
  kl_pod_config_stop (config);
  config = nullptr;
  auto elapsed = std::chrono::steady_clock::now () - start;
  EXPECT_LT (elapsed, std::chrono::seconds (2));
  EXPECT_EQ (logs.Count ({ "Failed to read pods from URL" }), 0u)
      << "a cancelled fetch is no error: " << logs.Text ();
}

TEST_F (PodConfigTest, StopIsPromptBetweenPeriods)
{
  dir.Write ("web.yaml", PodYaml ("web"));
  Start ();
  ASSERT_TRUE (recorder.WaitForNames ({ Static ("web") }));
  auto start = std::chrono::steady_clock::now ();
  kl_pod_config_stop (config);
  config = nullptr;
  EXPECT_LT (std::chrono::steady_clock::now () - start, std::chrono::seconds (2));
}

TEST_F (PodConfigTest, OptionsFromKubeletConfig)
{
  kl_kubelet_config_t kc = {};
  kc.static_pod_path = (char *) "/etc/kubernetes/manifests";
  kc.static_pod_url = (char *) "http://example.com/pods";
  kc.node_name = (char *) "node7";
  kc.file_check_frequency_ns = 5000000000LL;
  kc.http_check_frequency_ns = 7000000000LL;
  kc.max_pods = 42;
  kl_pod_config_options_t o;
  kl_pod_config_options_from_kubelet (&o, &kc);
  EXPECT_STREQ (o.manifest_path, "/etc/kubernetes/manifests");
  EXPECT_STREQ (o.manifest_url, "http://example.com/pods");
  EXPECT_EQ (o.manifest_url_headers, &kc.static_pod_url_header);
  EXPECT_STREQ (o.node_name, "node7");
  EXPECT_EQ (o.file_check_period_ns, 5000000000LL);
  EXPECT_EQ (o.http_check_period_ns, 7000000000LL);
  EXPECT_EQ (o.max_pods, 42);
  EXPECT_EQ (o.clock, nullptr);
}

} // namespace

// The manifest URL source against a local HTTP server: lists, multi-doc YAML, errors, headers.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "pkg/kubelet/config/sources_testing.h"

namespace {

using namespace kl_sources_testing;

class UrlSourceTest : public PodConfigTestBase
{
protected:
  void
  StartUrl (const std::string &path)
  {
    url = server.Url (path);
    opts.manifest_url = url.c_str ();
    no_path = true;
    Start ();
  }

  HttpServer server;
  std::string url;
};

const char kList[] = "apiVersion: v1\nkind: List\nitems:\n"
                     "  - apiVersion: v1\n    kind: Pod\n    metadata: {name: one}\n"
                     "    spec: {containers: [{name: app, image: busybox}]}\n"
                     "  - apiVersion: v1\n    kind: Pod\n    metadata: {name: two}\n"
                     "    spec: {containers: [{name: app, image: busybox}]}\n";

TEST_F (UrlSourceTest, ServesAListWithIdentity)
{
  server.Serve ("/pods", 200, kList);
  StartUrl ("/pods");
  ASSERT_TRUE (recorder.WaitForNames ({ Static ("one"), Static ("two") }));
  EXPECT_TRUE (WaitReady ());
  PodInfo one = recorder.Latest ()[0];
  EXPECT_EQ (one.annotations[KL_ANNOTATION_CONFIG_SOURCE], "http");
  EXPECT_EQ (one.annotations[KL_ANNOTATION_CONFIG_HASH], one.uid);
  EXPECT_EQ (one.annotations[KL_ANNOTATION_CONFIG_SEEN], "2024-05-01T10:00:00Z");
  EXPECT_EQ (one.uid.size (), 32u);
}

TEST_F (UrlSourceTest, ServesMultiDocumentYamlAndPodLists)
{
  server.Serve ("/pods", 200, PodYaml ("first") + "---\n" + PodYaml ("second"));
  StartUrl ("/pods");
  ASSERT_TRUE (recorder.WaitForNames ({ Static ("first"), Static ("second") }));

  server.Serve ("/pods", 200,
                "{\"apiVersion\": \"v1\", \"kind\": \"PodList\", \"items\": [" + PodJson ("json")
                    + "]}");
  kl_pod_config_sync_now (config);
  EXPECT_EQ (Recorder::Names (recorder.Latest ()), std::vector<std::string>{ Static ("json") });

  // The same body again changes nothing.
  size_t count = recorder.Count ();
  kl_pod_config_sync_now (config);
  EXPECT_EQ (recorder.Count (), count);
}

TEST_F (UrlSourceTest, SendsTheCustomHeaders)
{
  server.Serve ("/pods", 200, PodYaml ("web"));
  kl_string_multimap_add (&headers, "Authorization", "Bearer secret");
  kl_string_multimap_add (&headers, "X-Multi", "one");
  kl_string_multimap_add (&headers, "X-Multi", "two");
  kl_string_multimap_add (&headers, "X-Empty", "");
  opts.manifest_url_headers = &headers;
  StartUrl ("/pods");
  ASSERT_TRUE (recorder.WaitForNames ({ Static ("web") }));
  auto requests = server.Requests ();
  ASSERT_GE (requests.size (), 1u);
  const auto &h = requests[0];
  ASSERT_EQ (h.count ("authorization"), 1u);
  EXPECT_EQ (h.find ("authorization")->second, "Bearer secret");
  std::vector<std::string> multi;
  for (auto range = h.equal_range ("x-multi"); range.first != range.second; ++range.first)
    multi.push_back (range.first->second);
  EXPECT_EQ (multi, (std::vector<std::string>{ "one", "two" }));
  ASSERT_EQ (h.count ("x-empty"), 1u);
  EXPECT_EQ (h.find ("x-empty")->second, "");
}

TEST_F (UrlSourceTest, NotFoundIsAnErrorReportedOnce)
{
  StartUrl ("/missing");
  std::vector<std::string> line = { "Failed to read pods from URL", url, "HTTP status 404" };
  ASSERT_TRUE (logs.WaitForCount (line, 1));
  kl_pod_config_sync_now (config);
  kl_pod_config_sync_now (config);
  EXPECT_EQ (logs.Count (line), 1u);
  EXPECT_FALSE (kl_pod_config_ready (config));
  EXPECT_EQ (recorder.Count (), 0u);
}

TEST_F (UrlSourceTest, FailuresKeepTheLastGoodPods)
{
  server.Serve ("/pods", 200, kList);
  StartUrl ("/pods");
  ASSERT_TRUE (recorder.WaitForNames ({ Static ("one"), Static ("two") }));
  size_t count = recorder.Count ();

  server.Serve ("/pods", 500, "oops");
  kl_pod_config_sync_now (config);
  EXPECT_EQ (logs.Count ({ url, "HTTP status 500" }), 1u);
  server.Serve ("/pods", 200, PodYaml ("bad", ""));
  kl_pod_config_sync_now (config);
  kl_pod_config_sync_now (config);
  std::vector<std::string> invalid = { "Failed to read pods from URL", url, "image" };
  EXPECT_EQ (logs.Count (invalid), 1u) << logs.Text ();
  EXPECT_EQ (recorder.Count (), count);

  server.Serve ("/pods", 200, PodYaml ("fixed"));
  kl_pod_config_sync_now (config);
  EXPECT_EQ (Recorder::Names (recorder.Latest ()), std::vector<std::string>{ Static ("fixed") });
  EXPECT_EQ (logs.Count ({ url, "valid again" }), 1u);
}

TEST_F (UrlSourceTest, EmptyBodyMeansNoPods)
{
  server.Serve ("/pods", 200, kList);
  StartUrl ("/pods");
  ASSERT_TRUE (recorder.WaitForNames ({ Static ("one"), Static ("two") }));
  server.Serve ("/pods", 200, "");
  kl_pod_config_sync_now (config);
  EXPECT_EQ (Recorder::Names (recorder.Latest ()), std::vector<std::string>{});
  EXPECT_EQ (logs.Count ({ url, "zero-length" }), 1u);
}

TEST_F (UrlSourceTest, OversizedBodyIsRefused)
{
  opts.max_manifest_bytes = 512;
  server.Serve ("/pods", 200, PodYaml ("big") + "# " + std::string (4096, 'x') + "\n");
  StartUrl ("/pods");
  ASSERT_TRUE (logs.WaitForCount ({ url, "at or over the limit of 512 bytes" }, 1)) << logs.Text ();
  EXPECT_EQ (recorder.Count (), 0u);
}

TEST_F (UrlSourceTest, PeriodicFetchPicksUpChanges)
{
  opts.http_check_period_ns = 50LL * 1000000LL;
  server.Serve ("/pods", 200, PodYaml ("v1"));
  StartUrl ("/pods");
  ASSERT_TRUE (recorder.WaitForNames ({ Static ("v1") }));
  server.Serve ("/pods", 200, PodYaml ("v2"));
  ASSERT_TRUE (recorder.WaitForNames ({ Static ("v2") }));
}

TEST_F (UrlSourceTest, UnreachableServerIsReportedOnce)
{
  std::string dead; // a port that was bound and closed: connections are refused
  {
    HangingServer tmp;
    dead = tmp.Url ();
  }
  opts.manifest_url = dead.c_str ();
  no_path = true;
  Start ();
  std::vector<std::string> line = { "Failed to read pods from URL", dead };
  ASSERT_TRUE (logs.WaitForCount (line, 1));
  kl_pod_config_sync_now (config);
  EXPECT_EQ (logs.Count (line), 1u) << logs.Text ();
  EXPECT_FALSE (kl_pod_config_ready (config));
}

} // namespace

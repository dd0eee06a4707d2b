#include <gtest/gtest.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <unistd.h>
#include <vector>

#include "pkg/kubelet/config/testing_util.h"

extern "C" {
#include "pkg/util/duration.h"
#include "pkg/util/utils.h"
#include "pkg/version/version.h"
}

namespace {

using KubeletFlagsTest = ConfigTestBase;

std::string
usage_text (const kl_flag_table_t *extra = nullptr, size_t n_extra = 0)
{
  char *buf = nullptr;
  size_t len = 0;
  FILE *f = open_memstream (&buf, &len);
  kl_kubelet_config_usage_with_flags (f, extra, n_extra);
  fclose (f);
  std::string s (buf, len);
  free (buf);
  return s;
}

std::string
lower_hostname ()
{
  char host[256] = "";
  gethostname (host, sizeof host - 1);
  std::string s (host);
  for (auto &c : s)
    c = (char) tolower ((unsigned char) c);
  return s;
}

TEST_F (KubeletFlagsTest, DefaultsMatchTheGoKubelet)
{
  ASSERT_EQ (load ({}), 0) << message ();
  EXPECT_EQ (config->action, KL_KUBELET_ACTION_RUN);
  EXPECT_STREQ (config->config_file, "");
  EXPECT_STREQ (config->static_pod_path, "");
  EXPECT_STREQ (config->static_pod_url, "");
  EXPECT_EQ (config->static_pod_url_header.n_entries, 0u);
  EXPECT_EQ (config->file_check_frequency_ns, 20 * KL_SECOND);
  EXPECT_EQ (config->http_check_frequency_ns, 20 * KL_SECOND);
  EXPECT_EQ (config->sync_frequency_ns, KL_MINUTE);
  EXPECT_STREQ (config->container_runtime, "remote");
  EXPECT_STREQ (config->container_runtime_endpoint, "unix:///run/containerd/containerd.sock");
  EXPECT_FALSE (config->container_runtime_endpoint_set);
  EXPECT_STREQ (config->image_service_endpoint, "");
  EXPECT_STREQ (config->root_dir, "/var/lib/kubelet");
  EXPECT_STREQ (config->hostname_override, "");
  EXPECT_EQ (config->max_pods, 110);
  EXPECT_EQ (config->runtime_request_timeout_ns, 2 * KL_MINUTE);
  EXPECT_EQ (config->read_only_port, 10255);
  EXPECT_EQ (config->healthz_port, 10248);
  EXPECT_STREQ (config->address, "127.0.0.1");
  EXPECT_STREQ (config->healthz_bind_address, "127.0.0.1");
  EXPECT_STREQ (config->pod_infra_container_image, "registry.k8s.io/pause:3.9");
  EXPECT_STREQ (config->container_log_max_size, "10Mi");
  EXPECT_EQ (config->container_log_max_size_bytes, 10 * 1024 * 1024);
  EXPECT_EQ (config->container_log_max_files, 5);
  EXPECT_EQ (config->verbosity, 0);
  EXPECT_EQ (std::string (config->node_name), lower_hostname ());
}

TEST_F (KubeletFlagsTest, EveryFlagIsApplied)
{
  ASSERT_EQ (load ({ "--pod-manifest-path=/etc/kubernetes/manifests",
                     "--manifest-url",
                     "http://example.com/pods",
                     "--manifest-url-header=Authorization:Bearer x,X-A:1",
                     "--manifest-url-header",
                     "X-A:2",
                     "--file-check-frequency=5s",
                     "--http-check-frequency=1m30s",
                     "--sync-frequency=10s",
                     "--container-runtime=docker",
                     "--container-runtime-endpoint=unix:///var/run/dockershim.sock",
                     "--image-service-endpoint=unix:///run/images.sock",
                     "--root-dir=/tmp/kubelet",
                     "--hostname-override=Node-1.Example.COM",
                     "--max-pods=20",
                     "--runtime-request-timeout=30s",
                     "--read-only-port=0",
                     "--healthz-port=0",
                     "--address=::",
                     "--healthz-bind-address=0.0.0.0",
                     "--pod-infra-container-image=k8s.gcr.io/pause:3.2",
                     "--container-log-max-size=1Gi",
                     "--container-log-max-files=2",
                     "-v",
                     "4" }),
             0)
      << message ();
  EXPECT_STREQ (config->static_pod_path, "/etc/kubernetes/manifests");
  EXPECT_STREQ (config->static_pod_url, "http://example.com/pods");
  const kl_string_multimap_t *h = &config->static_pod_url_header;
  ASSERT_EQ (h->n_entries, 2u);
  EXPECT_STREQ (kl_string_multimap_get (h, "Authorization")->values[0], "Bearer x");
  const kl_string_multimap_entry_t *xa = kl_string_multimap_get (h, "X-A");
  ASSERT_EQ (xa->n_values, 2u);
  EXPECT_STREQ (xa->values[0], "1");
  EXPECT_STREQ (xa->values[1], "2");
  EXPECT_EQ (config->file_check_frequency_ns, 5 * KL_SECOND);
  EXPECT_EQ (config->http_check_frequency_ns, 90 * KL_SECOND);
  EXPECT_EQ (config->sync_frequency_ns, 10 * KL_SECOND);
  EXPECT_STREQ (config->container_runtime, "docker");
  EXPECT_STREQ (config->container_runtime_endpoint, "unix:///var/run/dockershim.sock");
  EXPECT_TRUE (config->container_runtime_endpoint_set);
  EXPECT_STREQ (config->image_service_endpoint, "unix:///run/images.sock");
  EXPECT_STREQ (config->root_dir, "/tmp/kubelet");
  EXPECT_STREQ (config->hostname_override, "Node-1.Example.COM");
  EXPECT_STREQ (config->node_name, "node-1.example.com");
  EXPECT_EQ (config->max_pods, 20);
  EXPECT_EQ (config->runtime_request_timeout_ns, 30 * KL_SECOND);
  EXPECT_EQ (config->read_only_port, 0);
  EXPECT_EQ (config->healthz_port, 0);
  EXPECT_STREQ (config->address, "::");
  EXPECT_STREQ (config->healthz_bind_address, "0.0.0.0");
  EXPECT_STREQ (config->pod_infra_container_image, "k8s.gcr.io/pause:3.2");
  EXPECT_EQ (config->container_log_max_size_bytes, 1024LL * 1024 * 1024);
  EXPECT_EQ (config->container_log_max_files, 2);
  EXPECT_EQ (config->verbosity, 4);
}

TEST_F (KubeletFlagsTest, BadFlagsAreRejectedWithTheFlagNamed)
{
  const struct
  {
    std::vector<std::string> args;
    const char *message;
  } cases[] = {
    { { "--max-pods=abc" }, "invalid value \"abc\" for flag --max-pods: not an integer" },
    { { "--foo" }, "unknown flag: --foo" },
    { { "--read-only-port=70000" },
      "invalid value \"70000\" for flag --read-only-port: must be between 0 and 65535" },
    { { "--healthz-port", "x" }, "invalid value \"x\" for flag --healthz-port: not an integer" },
    { { "--address=example.com" },
      "invalid value \"example.com\" for flag --address: not a valid IP address" },
    { { "--sync-frequency=often" }, "invalid value \"often\" for flag --sync-frequency: " },
    { { "--container-log-max-size=big" },
      "invalid value \"big\" for flag --container-log-max-size: " },
    { { "--manifest-url-header=nocolon" },
      "invalid value \"nocolon\" for flag --manifest-url-header: malformed pair, expect "
      "string:string" },
    { { "--root-dir" }, "flag needs an argument: --root-dir" },
    { { "run" }, "unknown command \"run\"" },
    { { "--help", "extra" }, "unknown command \"extra\"" },
    { { "--max-pods=0" }, "invalid configuration: maxPods (--max-pods) 0 must be greater than 0" },
    { { "--container-runtime=rkt" },
      "invalid configuration: --container-runtime \"rkt\" must be \"remote\" or \"docker\"" },
    { { "--container-log-max-files=1" },
      "invalid configuration: containerLogMaxFiles (--container-log-max-files) 1 must be greater "
      "than or equal to 2" },
    { { "--container-log-max-size=0" },
      "invalid configuration: containerLogMaxSize (--container-log-max-size) \"0\" must be "
      "greater than 0" },
    { { "--sync-frequency=0s" },
      "invalid configuration: syncFrequency (--sync-frequency) 0s must be greater than 0" },
    { { "--file-check-frequency=-1s" },
      "invalid configuration: fileCheckFrequency (--file-check-frequency) -1s must be greater "
      "than 0" },
    { { "--runtime-request-timeout=0" },
      "invalid configuration: runtimeRequestTimeout (--runtime-request-timeout) 0s must be "
      "greater than 0" },
    { { "--container-runtime-endpoint=" },
      "invalid configuration: containerRuntimeEndpoint (--container-runtime-endpoint) must be "
      "set" },
    { { "--address=" },
      "invalid configuration: address (--address) \"\" must be a valid IP address" },
    { { "--hostname-override=   " }, "empty hostname is invalid" },
    { { "--max-pods=0", "--http-check-frequency=0s" },
      "[invalid configuration: httpCheckFrequency (--http-check-frequency) 0s must be greater "
      "than 0, invalid configuration: maxPods (--max-pods) 0 must be greater than 0]" },
  };
  for (const auto &c : cases)
    {
      EXPECT_LT (load (c.args), 0) << c.args[0];
      EXPECT_EQ (config, nullptr);
      EXPECT_EQ (message ().rfind (c.message, 0), 0u) << message ();
      EXPECT_TRUE (kl_error_is (err, KL_ERROR_INVALID)) << message ();
    }
}

TEST_F (KubeletFlagsTest, HelpAndVersionSkipValidation)
{
  ASSERT_EQ (load ({ "--max-pods=0", "--help" }), 0) << message ();
  EXPECT_EQ (config->action, KL_KUBELET_ACTION_HELP);
  ASSERT_EQ (load ({ "-h" }), 0) << message ();
  EXPECT_EQ (config->action, KL_KUBELET_ACTION_HELP);
  ASSERT_EQ (load ({ "--version", "--config=/nonexistent/kubelet.yaml" }), 0) << message ();
  EXPECT_EQ (config->action, KL_KUBELET_ACTION_VERSION);
  /* A malformed flag is still an error, as in the Go kubelet. */
  EXPECT_LT (load ({ "--help", "--max-pods=x" }), 0);
  EXPECT_EQ (std::string (KL_KUBELET_VERSION), "v0.1.0");
}

TEST_F (KubeletFlagsTest, HelpListsEveryFlagWithItsDefault)
{
  std::string u = usage_text ();
  EXPECT_EQ (u.rfind ("The kubelet is the primary \"node agent\"", 0), 0u) << u;
  EXPECT_NE (u.find ("Usage:\n  kubelet [flags]\n\nFlags:\n"), std::string::npos) << u;
  const char *flags[] = {
    "address",
    "config",
    "container-log-max-files",
    "container-log-max-size",
    "container-runtime",
    "container-runtime-endpoint",
    "file-check-frequency",
    "healthz-bind-address",
    "healthz-port",
    "help",
    "hostname-override",
    "http-check-frequency",
    "image-service-endpoint",
    "manifest-url",
    "manifest-url-header",
    "max-pods",
    "pod-infra-container-image",
    "pod-manifest-path",
    "read-only-port",
    "root-dir",
    "runtime-request-timeout",
    "sync-frequency",
    "v",
    "version",
  };
  size_t last = 0;
  for (const char *f : flags)
    {
      size_t at = u.find (std::string ("--") + f + " ");
      EXPECT_NE (at, std::string::npos) << f;
      EXPECT_GT (at, last) << f << " is not sorted";
      last = at;
    }
  for (const char *text : {
           "      --read-only-port int32 ",
           "with no authentication/authorization (set to 0 to disable) (default 10255)\n",
           "(set to 0 to disable) (default 10248)\n",
           "      --max-pods int32 ",
           "Number of Pods that can run on this Kubelet. (default 110)\n",
           "      --address ip ",
           "IP address families) (default 127.0.0.1)\n",
           "      --sync-frequency duration ",
           "(default 1m0s)\n",
           "(default 20s)\n",
           "retry later. (default 2m0s)\n",
           "(default \"remote\")\n",
           "(default \"unix:///run/containerd/containerd.sock\")\n",
           "(default \"/var/lib/kubelet\")\n",
           "(default \"registry.k8s.io/pause:3.9\")\n",
           "      --container-log-max-size quantity ",
           "(default 10Mi)\n",
           "The number must be >= 2. (default 5)\n",
           "      --manifest-url-header colonSeparatedMultimapStringString ",
           "  -h, --help ",
           "  -v, --v Level ",
           "      --version ",
       })
    EXPECT_NE (u.find (text), std::string::npos) << text << "\n" << u;
  /* Zero defaults are not shown. */
  EXPECT_EQ (u.find ("(default \"\")"), std::string::npos) << u;
  EXPECT_EQ (u.find ("(default 0)"), std::string::npos) << u;
  EXPECT_EQ (u.find ("(default false)"), std::string::npos) << u;
}

struct runtime_options
{
  char *docker_endpoint;
};

const kl_flag_t runtime_flags[] = {
  { "docker-endpoint", 0, KL_FLAG_STRING, offsetof (runtime_options, docker_endpoint),
    "Use this for the docker endpoint to communicate with.", NULL },
};

TEST_F (KubeletFlagsTest, RuntimesContributeFlags)
{
  runtime_options opts = { xstrdup ("unix:///var/run/docker.sock") };
  kl_flag_table_t table = { runtime_flags, KL_ARRAY_SIZE (runtime_flags), &opts };

  std::string u = usage_text (&table, 1);
  EXPECT_NE (u.find ("      --docker-endpoint string "), std::string::npos) << u;
  EXPECT_NE (u.find ("(default \"unix:///var/run/docker.sock\")"), std::string::npos) << u;
  EXPECT_LT (u.find ("--container-runtime-endpoint"), u.find ("--docker-endpoint"));

  ASSERT_EQ (load ({ "--container-runtime=docker", "--docker-endpoint=unix:///d.sock" }, &table, 1),
             0)
      << message ();
  EXPECT_STREQ (opts.docker_endpoint, "unix:///d.sock");
  EXPECT_STREQ (config->container_runtime, "docker");

  /* Without the runtime's table the flag is unknown. */
  EXPECT_LT (load ({ "--docker-endpoint=unix:///d.sock" }), 0);
  EXPECT_EQ (message (), "unknown flag: --docker-endpoint");

  /* A runtime may not redefine a kubelet flag. */
  const kl_flag_t clash[] = {
    { "max-pods", 0, KL_FLAG_STRING, offsetof (runtime_options, docker_endpoint), "x", NULL },
  };
  kl_flag_table_t clash_table = { clash, 1, &opts };
  EXPECT_LT (load ({}, &clash_table, 1), 0);
  EXPECT_EQ (message (), "flag redefined: max-pods");

  kl_flag_values_free (&table);
}

TEST (NodeNameTest, AsGoGetHostname)
{
  kl_error_t err = nullptr;
  char *name = nullptr;
  ASSERT_EQ (kl_kubelet_config_node_name ("  My-Node\n", &name, &err), 0);
  EXPECT_STREQ (name, "my-node");
  free (name);
  ASSERT_EQ (kl_kubelet_config_node_name ("", &name, &err), 0);
  EXPECT_EQ (std::string (name), lower_hostname ());
  free (name);
  ASSERT_EQ (kl_kubelet_config_node_name (NULL, &name, &err), 0);
  free (name);
  EXPECT_LT (kl_kubelet_config_node_name (" \t", &name, &err), 0);
  EXPECT_STREQ (kl_error_message (err), "empty hostname is invalid");
  kl_error_release (&err);
}

} // namespace

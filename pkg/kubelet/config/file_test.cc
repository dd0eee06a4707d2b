#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "pkg/kubelet/config/testing_util.h"

extern "C" {
#include "pkg/util/duration.h"
}

namespace {

using ConfigFileTest = ConfigTestBase;

const char header[] = "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n";

const char good_body[] = "staticPodPath: /etc/kubernetes/manifests\n"
                         "staticPodURL: http://example.com/pods\n"
                         "staticPodURLHeader:\n"
                         "  Authorization: [\"Bearer abc\"]\n"
                         "  X-Multi:\n"
                         "    - one\n"
                         "    - two\n"
                         "fileCheckFrequency: 5s\n"
                         "httpCheckFrequency: 1m\n"
                         "syncFrequency: 30s\n"
                         "address: 0.0.0.0\n"
                         "readOnlyPort: 10266\n"
                         "healthzPort: 0\n"
                         "healthzBindAddress: \"::1\"\n"
                         "maxPods: 50\n"
                         "runtimeRequestTimeout: 1m30s\n"
                         "containerLogMaxSize: 5Mi\n"
                         "containerLogMaxFiles: 3\n"
                         "containerRuntimeEndpoint: unix:///run/crio/crio.sock\n"
                         "imageServiceEndpoint: unix:///run/images.sock\n";

const char override_body[] = "maxPods: 50\n"
                             "readOnlyPort: 1234\n"
                             "syncFrequency: 30s\n"
                             "staticPodURLHeader:\n"
                             "  X-From-File: [\"yes\"]\n";

TEST_F (ConfigFileTest, GoodFileSetsEveryField)
{
  std::string path = write_file ("kubelet.yaml", std::string (header) + good_body);
  ASSERT_EQ (load ({ "--config", path }), 0) << message ();
  EXPECT_EQ (config->action, KL_KUBELET_ACTION_RUN);
  EXPECT_EQ (std::string (config->config_file), path);
  EXPECT_STREQ (config->static_pod_path, "/etc/kubernetes/manifests");
  EXPECT_STREQ (config->static_pod_url, "http://example.com/pods");
  const kl_string_multimap_t *h = &config->static_pod_url_header;
  ASSERT_EQ (h->n_entries, 2u);
  EXPECT_STREQ (h->entries[0].key, "Authorization");
  EXPECT_STREQ (h->entries[0].values[0], "Bearer abc");
  ASSERT_EQ (h->entries[1].n_values, 2u);
  EXPECT_STREQ (h->entries[1].values[1], "two");
  EXPECT_EQ (config->file_check_frequency_ns, 5 * KL_SECOND);
  EXPECT_EQ (config->http_check_frequency_ns, KL_MINUTE);
  EXPECT_EQ (config->sync_frequency_ns, 30 * KL_SECOND);
  EXPECT_STREQ (config->address, "0.0.0.0");
  EXPECT_EQ (config->read_only_port, 10266);
  EXPECT_EQ (config->healthz_port, 0);
  EXPECT_STREQ (config->healthz_bind_address, "::1");
  EXPECT_EQ (config->max_pods, 50);
  EXPECT_EQ (config->runtime_request_timeout_ns, 90 * KL_SECOND);
  EXPECT_STREQ (config->container_log_max_size, "5Mi");
  EXPECT_EQ (config->container_log_max_size_bytes, 5 * 1024 * 1024);
  EXPECT_EQ (config->container_log_max_files, 3);
  EXPECT_STREQ (config->container_runtime_endpoint, "unix:///run/crio/crio.sock");
  EXPECT_TRUE (config->container_runtime_endpoint_set);
  EXPECT_STREQ (config->image_service_endpoint, "unix:///run/images.sock");
}

TEST_F (ConfigFileTest, MinimalFileKeepsDefaultsButDisablesReadOnlyPortAsGoDoes)
{
  std::string path = write_file ("kubelet.yaml", header);
  ASSERT_EQ (load ({ "--config=" + path }), 0) << message ();
  EXPECT_EQ (config->max_pods, 110);
  EXPECT_EQ (config->sync_frequency_ns, KL_MINUTE);
  EXPECT_EQ (config->healthz_port, 10248);
  EXPECT_STREQ (config->address, "127.0.0.1");
  EXPECT_STREQ (config->container_runtime_endpoint, "unix:///run/containerd/containerd.sock");
  EXPECT_FALSE (config->container_runtime_endpoint_set);
  EXPECT_EQ (config->container_log_max_files, 5);
  /* v1beta1 defaults readOnlyPort to 0; only the flag baseline has 10255. */
  EXPECT_EQ (config->read_only_port, 0);
}

TEST_F (ConfigFileTest, NullValuesKeepDefaults)
{
  std::string path
      = write_file ("kubelet.yaml", std::string (header)
                                        + "maxPods: ~\nstaticPodPath:\n"
                                          "syncFrequency: null\nstaticPodURLHeader:\n");
  ASSERT_EQ (load ({ "--config=" + path }), 0) << message ();
  EXPECT_EQ (config->max_pods, 110);
  EXPECT_STREQ (config->static_pod_path, "");
  EXPECT_EQ (config->sync_frequency_ns, KL_MINUTE);
}

TEST_F (ConfigFileTest, FlagsOverrideTheFileOnlyWhenGiven)
{
  std::string path = write_file ("kubelet.yaml", std::string (header) + override_body);
  /* Flags before and after --config apply alike. */
  ASSERT_EQ (load ({ "--max-pods=20", "--config", path, "--manifest-url-header=X-Flag:1",
                     "--healthz-port=0" }),
             0)
      << message ();
  EXPECT_EQ (config->max_pods, 20);         /* flag beats file */
  EXPECT_EQ (config->read_only_port, 1234); /* file beats default */
  EXPECT_EQ (config->sync_frequency_ns, 30 * KL_SECOND);
  EXPECT_EQ (config->healthz_port, 0);                         /* flag beats default */
  EXPECT_EQ (config->file_check_frequency_ns, 20 * KL_SECOND); /* default */
  /* A header flag replaces the file's headers, as the Go flag replaces the map. */
  const kl_string_multimap_t *h = &config->static_pod_url_header;
  ASSERT_EQ (h->n_entries, 1u);
  EXPECT_STREQ (h->entries[0].key, "X-Flag");

  /* An explicitly given flag wins even when it equals the default. */
  ASSERT_EQ (load ({ "--config", path, "--max-pods=110", "--read-only-port=10255" }), 0)
      << message ();
  EXPECT_EQ (config->max_pods, 110);
  EXPECT_EQ (config->read_only_port, 10255);
}

TEST_F (ConfigFileTest, ValidationRunsAfterMerging)
{
  std::string path = write_file ("kubelet.yaml", std::string (header) + "maxPods: 0\n");
  ASSERT_LT (load ({ "--config", path }), 0);
  EXPECT_EQ (message (), "invalid configuration: maxPods (--max-pods) 0 must be greater than 0");
  /* ... and a flag can repair what the file broke. */
  ASSERT_EQ (load ({ "--config", path, "--max-pods=3" }), 0) << message ();
  EXPECT_EQ (config->max_pods, 3);

  path = write_file ("bad.yaml", std::string (header)
                                     + "readOnlyPort: 70000\ncontainerLogMaxFiles: 1\n"
                                       "containerLogMaxSize: 0Mi\n");
  ASSERT_LT (load ({ "--config", path }), 0);
  EXPECT_EQ (message (),
             "[invalid configuration: readOnlyPort (--read-only-port) 70000 must be between 0 and "
             "65535, inclusive, invalid configuration: containerLogMaxFiles "
             "(--container-log-max-files) 1 must be greater than or equal to 2, invalid "
             "configuration: containerLogMaxSize (--container-log-max-size) \"0Mi\" must be "
             "greater than 0]");
}

TEST_F (ConfigFileTest, RelativeStaticPodPathIsRelativeToTheFile)
{
  std::string path
      = write_file ("kubelet.yaml", std::string (header) + "staticPodPath: manifests\n");
  ASSERT_EQ (load ({ "--config", path }), 0) << message ();
  EXPECT_EQ (std::string (config->static_pod_path), dir + "/manifests");
}

TEST_F (ConfigFileTest, BadFilesNameTheFileTheFieldAndTheReason)
{
  const struct
  {
    std::string body;
    std::string message; /* after "<path>: " */
  } cases[] = {
    { std::string (header) + "fooBar: 1\n", "unknown field \"fooBar\"" },
    { std::string (header) + "MaxPods: 1\n", "unknown field \"MaxPods\"" },
    { std::string (header) + "cgroupDriver: systemd\n",
      "cgroupDriver: KubeletConfiguration field not supported by this kubelet" },
    { std::string (header) + "maxPods: lots\n", "maxPods: expected an integer, got \"lots\"" },
    { std::string (header) + "maxPods: \"110\"\n",
      "maxPods: expected an integer, got the quoted string \"110\"" },
    { std::string (header) + "maxPods: 1.5\n", "maxPods: expected an integer, got \"1.5\"" },
    { std::string (header) + "maxPods: 3000000000\n",
      "maxPods: expected a 32-bit integer, got \"3000000000\"" },
    { std::string (header) + "readOnlyPort: [1]\n",
      "readOnlyPort: expected an integer, got a list" },
    { std::string (header) + "staticPodPath: {a: b}\n",
      "staticPodPath: expected a string, got a mapping" },
    { std::string (header) + "syncFrequency: 10\n", "syncFrequency: invalid duration \"10\"" },
    { std::string (header) + "syncFrequency: [1s]\n",
      "syncFrequency: expected a duration such as \"20s\", got a list" },
    { std::string (header) + "containerLogMaxSize: lots\n", "containerLogMaxSize: " },
    { std::string (header) + "address: localhost\n",
      "address: \"localhost\" is not a valid IP address" },
    { std::string (header) + "staticPodURLHeader: [a]\n",
      "staticPodURLHeader: expected a mapping of header names to lists of values, got a list" },
    { std::string (header) + "staticPodURLHeader:\n  X-A: b\n",
      "staticPodURLHeader.X-A: expected a list of strings, got \"b\"" },
    { std::string (header) + "staticPodURLHeader:\n  X-A: [a, {b: c}]\n",
      "staticPodURLHeader.X-A[1]: expected a string, got a mapping" },
    { std::string (header) + "staticPodURL: \"a\\0b\"\n", "staticPodURL: contains a NUL byte" },
    { std::string (header) + "maxPods: 1\nmaxPods: 2\n", "duplicate field \"maxPods\"" },
    { "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: Pod\n",
      "kind: expected \"KubeletConfiguration\", got \"Pod\"" },
    { "apiVersion: v1\nkind: KubeletConfiguration\n",
      "apiVersion: expected \"kubelet.config.k8s.io/v1beta1\", got \"v1\"" },
    { "kind: KubeletConfiguration\nmaxPods: 3\n",
      "apiVersion: required, expected \"kubelet.config.k8s.io/v1beta1\"" },
    { "apiVersion: kubelet.config.k8s.io/v1beta1\n",
      "kind: required, expected \"KubeletConfiguration\"" },
    { "", "empty, expected a KubeletConfiguration" },
    { "- a\n- b\n", "expected a mapping, got a list" },
    { std::string (header) + "maxPods: [1\n", "line " },
    { std::string (header) + "---\n" + header, "expected one YAML document, found several" },
  };
  for (const auto &c : cases)
    {
      std::string path = write_file ("kubelet.yaml", c.body);
      EXPECT_LT (load ({ "--config", path }), 0) << c.body;
      EXPECT_EQ (config, nullptr);
      std::string want = path + ": " + c.message;
      EXPECT_EQ (message ().rfind (want, 0), 0u) << "got:  " << message () << "\nwant: " << want;
      EXPECT_TRUE (kl_error_is (err, KL_ERROR_INVALID)) << message ();
    }
}

TEST_F (ConfigFileTest, AliasedHeaderListsAreBounded)
{
  std::string body = std::string (header) + "staticPodURLHeader:\n  H0: &v [";
  for (int i = 0; i < 100; i++)
    body += "x,";
  body += "x]\n";
  for (int i = 1; i < 20; i++)
    body += "  H" + std::to_string (i) + ": *v\n";
  std::string path = write_file ("kubelet.yaml", body);
  ASSERT_LT (load ({ "--config", path }), 0);
  EXPECT_EQ (message (), path + ": staticPodURLHeader: more than 1024 header values");
}

TEST_F (ConfigFileTest, MissingFile)
{
  std::string path = dir + "/nonexistent.yaml";
  ASSERT_LT (load ({ "--config", path }), 0);
  EXPECT_EQ (message (), "open " + path + ": No such file or directory");
  EXPECT_TRUE (kl_error_is (err, KL_ERROR_NOT_FOUND));
}

TEST_F (ConfigFileTest, OversizedFileIsRefused)
{
  std::string body (header);
  body += "# " + std::string (2 * 1024 * 1024, 'x') + "\n";
  std::string path = write_file ("big.yaml", body);
  ASSERT_LT (load ({ "--config", path }), 0);
  EXPECT_EQ (message (), path + ": larger than 1048576 bytes");
}

} // namespace

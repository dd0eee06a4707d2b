// CNI: network configs, plugin stdin, results, and the exec protocol run
// against fake plugins (shell scripts recording what they were given).
#include <gtest/gtest.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

extern "C" {
#include "pkg/kubelet/dockershim/command.h"
#include "pkg/kubelet/dockershim/networking.h"
}

namespace {

json_t *
Parse (const std::string &text)
{
  json_error_t jerr;
  json_t *v = json_loads (text.c_str (), 0, &jerr);
  EXPECT_NE (v, nullptr) << jerr.text << ": " << text;
  return v;
}

std::string
ReadAll (const std::string &path)
{
  std::ifstream in (path);
  std::stringstream ss;
  ss << in.rdbuf ();
  return ss.str ();
}

class CniTest : public ::testing::Test
{
protected:
  void
  SetUp () override
  {
    char tmpl[] = "/tmp/cni_test.XXXXXX";
    ASSERT_NE (mkdtemp (tmpl), nullptr);
    dir_ = tmpl;
    ASSERT_EQ (mkdir ((dir_ + "/bin").c_str (), 0755), 0);
    ASSERT_EQ (mkdir ((dir_ + "/bin2").c_str (), 0755), 0);
    ASSERT_EQ (mkdir ((dir_ + "/conf").c_str (), 0755), 0);
    ASSERT_EQ (mkdir ((dir_ + "/calls").c_str (), 0755), 0);
  }

  void
  TearDown () override
  {
    std::string cmd = "rm -rf '" + dir_ + "'";
    ASSERT_EQ (system (cmd.c_str ()), 0);
  }

  void
  Write (const std::string &path, const std::string &text, mode_t mode = 0644)
  {
    FILE *f = fopen (path.c_str (), "w");
    ASSERT_NE (f, nullptr) << path;
    fputs (text.c_str (), f);
    fclose (f);
    chmod (path.c_str (), mode);
  }

  // A plugin that records its environment and stdin under calls/ and
  // prints `output` (exit status `status`).
  void
  Plugin (const std::string &bin, const std::string &name, const std::string &output,
          int status = 0, const std::string &before = "")
  {
    std::string calls = dir_ + "/calls/";
    Write (dir_ + "/" + bin + "/" + name,
           "#!/bin/sh\n" + before + "\nn=$(ls " + calls
               + " | wc -l)\n"
                 "env > "
               + calls + "$n-" + name
               + "-$CNI_COMMAND.env\n"
                 "cat > "
               + calls + "$n-" + name
               + "-$CNI_COMMAND.stdin\n"
                 "cat <<'EOF'\n"
               + output + "\nEOF\nexit " + std::to_string (status) + "\n",
           0755);
  }

  std::string
  Call (int index, const std::string &name, const std::string &command, const std::string &what)
  {
    // Each call writes two files; the n-th call's files start with 2*n.
    return ReadAll (dir_ + "/calls/" + std::to_string (index * 2) + "-" + name + "-" + command + "."
                    + what);
  }

  std::string dir_;
};

TEST_F (CniTest, LoadsTheFirstValidNetworkConfig)
{
  std::string bins = dir_ + "/bin," + dir_ + "/bin2";
  ds_cni_t *cni = ds_cni_new (bins.c_str (), (dir_ + "/conf").c_str ());
  ASSERT_NE (cni->bin_dirs[1], nullptr);
  EXPECT_EQ (cni->bin_dirs[2], nullptr);
  json_t *list = nullptr;
  kl_error_t err = nullptr;
  EXPECT_LT (ds_cni_load_network (cni, &list, &err), 0);
  EXPECT_TRUE (kl_error_is (err, KL_ERROR_NOT_FOUND));
  kl_error_release (&err);

  Write (dir_ + "/conf/00-broken.conflist", "{not json");
  Write (dir_ + "/conf/05-noplugins.conflist",
         "{\"cniVersion\":\"0.4.0\",\"name\":\"x\",\"plugins\":[]}");
  Write (dir_ + "/conf/10-single.conf",
         "{\"cniVersion\":\"0.3.1\",\"name\":\"single\",\"type\":\"bridge\",\"bridge\":\"br0\"}");
  Write (dir_ + "/conf/20-list.conflist",
         "{\"cniVersion\":\"0.4.0\",\"name\":\"list\",\"plugins\":[{\"type\":\"ptp\"}]}");
  Write (dir_ + "/conf/README", "not a config");
  ASSERT_EQ (ds_cni_load_network (cni, &list, &err), 0) << kl_error_message (err);
  EXPECT_STREQ (json_string_value (json_object_get (list, "name")), "single");
  EXPECT_STREQ (json_string_value (json_object_get (list, "cniVersion")), "0.3.1");
  json_t *plugin = json_array_get (json_object_get (list, "plugins"), 0);
  EXPECT_STREQ (json_string_value (json_object_get (plugin, "bridge")), "br0");
  json_decref (list);
  ds_cni_free (cni);
}

TEST_F (CniTest, PluginConfigChainsResultsAndCapabilities)
{
  json_t *list = Parse ("{\"cniVersion\":\"0.4.0\",\"name\":\"net\",\"plugins\":["
                        "{\"type\":\"bridge\",\"ipam\":{\"type\":\"host-local\"}},"
                        "{\"type\":\"portmap\",\"capabilities\":{\"portMappings\":true}}]}");
  ds_cni_port_t ports[] = { { 8080, 80, "tcp", "" }, { 5353, 53, "udp", "127.0.0.1" } };
  ds_cni_runtime_t rt = { "cid", "/proc/1/ns/net", nullptr, "web", "default", "uid", ports, 2 };
  json_t *first = ds_cni_plugin_config (list, 0, nullptr, &rt);
  EXPECT_STREQ (json_string_value (json_object_get (first, "name")), "net");
  EXPECT_STREQ (json_string_value (json_object_get (first, "cniVersion")), "0.4.0");
  EXPECT_EQ (json_object_get (first, "prevResult"), nullptr);
  EXPECT_EQ (json_object_get (first, "runtimeConfig"), nullptr) << "bridge has no capability";
  json_t *prev = Parse ("{\"ips\":[{\"address\":\"10.1.0.2/24\"}]}");
  json_t *second = ds_cni_plugin_config (list, 1, prev, &rt);
  EXPECT_TRUE (json_equal (json_object_get (second, "prevResult"), prev));
  json_t *mappings = json_object_get (json_object_get (second, "runtimeConfig"), "portMappings");
  ASSERT_EQ (json_array_size (mappings), 2u);
  json_t *m = json_array_get (mappings, 1);
  EXPECT_EQ (json_integer_value (json_object_get (m, "hostPort")), 5353);
  EXPECT_EQ (json_integer_value (json_object_get (m, "containerPort")), 53);
  EXPECT_STREQ (json_string_value (json_object_get (m, "protocol")), "udp");
  EXPECT_STREQ (json_string_value (json_object_get (m, "hostIP")), "127.0.0.1");
  char *args = ds_cni_args (&rt);
  EXPECT_STREQ (args, "IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=web;"
                      "K8S_POD_INFRA_CONTAINER_ID=cid;K8S_POD_UID=uid");
  free (args);
  json_decref (first);
  json_decref (second);
  json_decref (prev);
  json_decref (list);
}

TEST_F (CniTest, ResultIps)
{
  struct
  {
    const char *result;
    const char *ip;
  } cases[] = {
    // 0.4.0 / 1.0.0: only the sandbox's interface counts.
    { "{\"interfaces\":[{\"name\":\"cni0\"},{\"name\":\"eth0\",\"sandbox\":\"/proc/9/ns/net\"}],"
      "\"ips\":[{\"interface\":0,\"address\":\"10.1.0.1/24\"},"
      "{\"interface\":1,\"address\":\"fd00::2/64\"},{\"interface\":1,\"address\":\"10.1.0.2/"
      "24\"}]}",
      "10.1.0.2" },
    { "{\"ips\":[{\"version\":\"6\",\"address\":\"fd00::5/64\"}]}", "fd00::5" },
    { "{\"ip4\":{\"ip\":\"10.2.0.3/16\",\"gateway\":\"10.2.0.1\"}}", "10.2.0.3" },
    { "{\"dns\":{}}", "" },
  };
  for (const auto &tc : cases)
    {
      json_t *r = Parse (tc.result);
      char *ip = nullptr;
      kl_error_t err = nullptr;
      ASSERT_EQ (ds_cni_result_ip (r, &ip, &err), 0) << tc.result;
      EXPECT_STREQ (ip, tc.ip) << tc.result;
      free (ip);
      json_decref (r);
    }
  json_t *bad = Parse ("{\"ips\":[{\"address\":5}]}");
  char *ip = nullptr;
  kl_error_t err = nullptr;
  EXPECT_LT (ds_cni_result_ip (bad, &ip, &err), 0);
  kl_error_release (&err);
  json_decref (bad);
}

TEST_F (CniTest, PluginOutputs)
{
  json_t *result = nullptr;
  kl_error_t err = nullptr;
  const char *error_json
      = "{\"cniVersion\":\"0.4.0\",\"code\":11,\"msg\":\"no IP\",\"details\":\"range full\"}";
  EXPECT_LT (ds_cni_parse_output ("bridge", error_json, strlen (error_json), 1, "", &result, &err),
             0);
  EXPECT_STREQ (kl_error_message (err), "plugin bridge failed (code 11): no IP: range full");
  kl_error_release (&err);
  EXPECT_LT (ds_cni_parse_output ("bridge", "", 0, 2, "segfault", &result, &err), 0);
  EXPECT_STREQ (kl_error_message (err), "plugin bridge failed with status 2: segfault");
  kl_error_release (&err);
  EXPECT_LT (ds_cni_parse_output ("x", "[1]", 3, 0, "", &result, &err), 0);
  kl_error_release (&err);
  EXPECT_EQ (ds_cni_parse_output ("x", " \n", 2, 0, "", &result, &err), 0);
  EXPECT_EQ (result, nullptr);
}

TEST_F (CniTest, AddAndDelFollowTheExecProtocol)
{
  Plugin ("bin", "first",
          "{\"cniVersion\":\"0.4.0\",\"interfaces\":[{\"name\":\"eth0\",\"sandbox\":\"/x\"}],"
          "\"ips\":[{\"interface\":0,\"address\":\"10.9.0.7/24\"}]}");
  // The second plugin lives in the second bin dir and passes its prevResult on.
  Plugin ("bin2", "second",
          "{\"cniVersion\":\"0.4.0\",\"ips\":[{\"address\":\"10.9.0.7/24\"}],\"second\":true}");
  std::string bins = dir_ + "/bin," + dir_ + "/bin2";
  ds_cni_t *cni = ds_cni_new (bins.c_str (), (dir_ + "/conf").c_str ());
  json_t *list = Parse ("{\"cniVersion\":\"0.4.0\",\"name\":\"fake\",\"plugins\":["
                        "{\"type\":\"first\",\"opt\":1},{\"type\":\"second\"}]}");
  ds_cni_runtime_t rt
      = { "abc123", "/proc/42/ns/net", nullptr, "web", "default", "u1", nullptr, 0 };
  json_t *result = nullptr;
  kl_error_t err = nullptr;
  ASSERT_EQ (ds_cni_add (cni, list, &rt, &result, &err), 0) << kl_error_message (err);
  EXPECT_TRUE (json_is_true (json_object_get (result, "second")));

  std::string env = Call (0, "first", "ADD", "env");
  EXPECT_NE (env.find ("CNI_COMMAND=ADD\n"), std::string::npos) << env;
  EXPECT_NE (env.find ("CNI_CONTAINERID=abc123\n"), std::string::npos);
  EXPECT_NE (env.find ("CNI_NETNS=/proc/42/ns/net\n"), std::string::npos);
  EXPECT_NE (env.find ("CNI_IFNAME=eth0\n"), std::string::npos);
  EXPECT_NE (env.find ("CNI_PATH=" + dir_ + "/bin:" + dir_ + "/bin2\n"), std::string::npos);
  EXPECT_NE (env.find ("K8S_POD_NAME=web;"), std::string::npos);
  json_t *stdin1 = Parse (Call (0, "first", "ADD", "stdin"));
  EXPECT_STREQ (json_string_value (json_object_get (stdin1, "name")), "fake");
  EXPECT_EQ (json_integer_value (json_object_get (stdin1, "opt")), 1);
  EXPECT_EQ (json_object_get (stdin1, "prevResult"), nullptr);
  json_t *stdin2 = Parse (Call (1, "second", "ADD", "stdin"));
  json_t *prev = json_object_get (stdin2, "prevResult");
  ASSERT_NE (prev, nullptr);
  EXPECT_EQ (json_array_size (json_object_get (prev, "interfaces")), 1u) << "first's result";

  // DEL: reverse order, the ADD result as prevResult (CNI >= 0.4.0), no netns.
  rt.netns = "";
  ASSERT_EQ (ds_cni_del (cni, list, &rt, result, &err), 0) << kl_error_message (err);
  json_t *del2 = Parse (Call (2, "second", "DEL", "stdin"));
  EXPECT_TRUE (json_equal (json_object_get (del2, "prevResult"), result));
  json_t *del1 = Parse (Call (3, "first", "DEL", "stdin"));
  EXPECT_NE (del1, nullptr);
  EXPECT_NE (Call (3, "first", "DEL", "env").find ("CNI_NETNS=\n"), std::string::npos);
  json_decref (stdin1);
  json_decref (stdin2);
  json_decref (del1);
  json_decref (del2);
  json_decref (result);

  // Older lists get no prevResult on DEL.
  json_object_set_new (list, "cniVersion", json_string ("0.3.1"));
  json_t *fake_prev = Parse ("{\"ips\":[]}");
  ASSERT_EQ (ds_cni_del (cni, list, &rt, fake_prev, &err), 0);
  json_t *old = Parse (Call (4, "second", "DEL", "stdin"));
  EXPECT_EQ (json_object_get (old, "prevResult"), nullptr);
  json_decref (old);
  json_decref (fake_prev);
  json_decref (list);
  ds_cni_free (cni);
}

TEST_F (CniTest, FailuresAndTimeouts)
{
  Plugin ("bin", "failing", "{\"cniVersion\":\"0.4.0\",\"code\":7,\"msg\":\"boom\"}", 1);
  Plugin ("bin", "slow", "{}", 0, "sleep 10");
  ds_cni_t *cni = ds_cni_new ((dir_ + "/bin").c_str (), (dir_ + "/conf").c_str ());
  ds_cni_runtime_t rt = { "c", "/proc/1/ns/net", nullptr, "p", "n", "u", nullptr, 0 };
  json_t *result = nullptr;
  kl_error_t err = nullptr;

  json_t *list
      = Parse ("{\"cniVersion\":\"0.4.0\",\"name\":\"n\",\"plugins\":[{\"type\":\"failing\"}]}");
  EXPECT_LT (ds_cni_add (cni, list, &rt, &result, &err), 0);
  EXPECT_STREQ (kl_error_message (err),
                "CNI ADD on network n: plugin failing failed (code 7): boom");
  kl_error_release (&err);
  json_decref (list);

  list = Parse ("{\"cniVersion\":\"0.4.0\",\"name\":\"n\",\"plugins\":[{\"type\":\"missing\"}]}");
  EXPECT_LT (ds_cni_add (cni, list, &rt, &result, &err), 0);
  EXPECT_NE (strstr (kl_error_message (err), "failed to find plugin missing"), nullptr);
  kl_error_release (&err);
  json_decref (list);

  cni->timeout_ns = 300 * 1000000LL;
  list = Parse ("{\"cniVersion\":\"0.4.0\",\"name\":\"n\",\"plugins\":[{\"type\":\"slow\"}]}");
  EXPECT_LT (ds_cni_add (cni, list, &rt, &result, &err), 0);
  EXPECT_TRUE (kl_error_is (err, KL_ERROR_TIMEOUT)) << kl_error_message (err);
  kl_error_release (&err);
  json_decref (list);

  list = Parse ("{\"cniVersion\":\"0.4.0\",\"name\":\"n\",\"plugins\":[{\"type\":\"../x\"}]}");
  EXPECT_LT (ds_cni_add (cni, list, &rt, &result, &err), 0);
  EXPECT_TRUE (kl_error_is (err, KL_ERROR_INVALID));
  kl_error_release (&err);
  json_decref (list);
  ds_cni_free (cni);
}

TEST (CommandTest, RunsWithInputAndCollectsOutput)
{
  char *argv[] = { (char *) "sh", (char *) "-c",
                   (char *) "cat; echo \"env=$FOO\"; echo oops >&2; exit 3", nullptr };
  char *envp[] = { (char *) "FOO=bar", nullptr };
  std::string input (200000, 'x'); // more than a pipe holds
  ds_command_result_t r;
  kl_error_t err = nullptr;
  ASSERT_EQ (ds_command_run ("/bin/sh", argv, envp, input.data (), input.size (), 10 * 1000000000LL,
                             1 << 20, &r, &err),
             0)
      << kl_error_message (err);
  EXPECT_EQ (r.out_len, input.size () + 8);
  EXPECT_EQ (std::string (r.out + input.size ()), "env=bar\n");
  EXPECT_STREQ (r.err, "oops\n");
  EXPECT_EQ (r.exit_status, 3);
  ds_command_result_release (&r);

  EXPECT_LT (ds_command_run ("/nonexistent/bin", argv, envp, nullptr, 0, 0, 1024, &r, &err), 0);
  ds_command_result_release (&r);
  kl_error_release (&err);
}

} // namespace

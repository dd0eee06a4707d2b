// A dockershim restarted under running containers: logs neither lost nor
// doubled, sandbox networks torn down from checkpoints after dockerd lost
// the pause container; and the in-process runtime the kubelet links. Runs
// its own dockershims in this process against the dockerd of
// pkg/kubelet/dockershim/test-integration.sh.
#include <gtest/gtest.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "pkg/kubelet/dockershim/testing/cri_helpers.h"

extern "C" {
#include "pkg/kubelet/config/config.h"
#include "pkg/kubelet/dockershim/dockershim.h"
#include "pkg/kubelet/dockershim/libdocker/containers.h"
#include "pkg/kubelet/runtime_registry.h"
#include "pkg/util/grpc/grpc.h"
#include "pkg/util/utils.h"
}

using namespace dstest;

namespace {

class DockershimRestartTest : public ::testing::Test
{
protected:
  void
  SetUp () override
  {
    work_ = Env ("KL_TEST_DS_WORK");
    ASSERT_FALSE (work_.empty ()) << "run pkg/kubelet/dockershim/test-integration.sh";
    busybox_ = Env ("KL_TEST_BUSYBOX_IMAGE");
    root_ = MakeTempDir ("ds-it-restart-root");
    log_dir_ = MakeTempDir ("ds-it-restart-logs");
    socket_ = "unix://" + root_ + "/cri.sock";
    ds_options_init (&opts_);
    Replace (&opts_.runtime_endpoint, socket_);
    Replace (&opts_.docker_endpoint, Env ("KL_TEST_DOCKER_ENDPOINT"));
    Replace (&opts_.pod_infra_image, Env ("KL_TEST_PAUSE_IMAGE"));
    Replace (&opts_.root_dir, root_ + "/state");
    Replace (&opts_.network_plugin, "cni");
    Replace (&opts_.cni_bin_dir, "/usr/lib/cni");
    Replace (&opts_.cni_conf_dir, Env ("KL_TEST_CNI_CONF_DIR"));
    Error err;
    ASSERT_EQ (docker_client_new (opts_.docker_endpoint, 60 * kSecond, &docker_, &err.e), 0);
    Start ();
  }

  void
  TearDown () override
  {
    if (server_ == nullptr)
      Start ();
    for (const auto &id : sandboxes_)
      {
        Error err;
        EXPECT_TRUE (cri_->StopSandbox (id, &err)) << err.msg ();
        err.reset ();
        EXPECT_TRUE (cri_->RemoveSandbox (id, &err)) << err.msg ();
      }
    Stop ();
    ds_options_clear (&opts_);
    docker_client_free (docker_);
    RemoveTree (root_);
    RemoveTree (log_dir_);
  }

  static void
  Replace (char **field, const std::string &value)
  {
    free (*field);
    *field = xstrdup (value.c_str ());
  }

  void
  Start ()
  {
    Error err;
    ASSERT_EQ (ds_server_start (&opts_, &server_, &err.e), 0) << err.msg ();
    cri_.reset (new Cri (socket_));
  }

  void
  Stop ()
  {
    cri_.reset ();
    ds_server_stop (server_);
    server_ = nullptr;
  }

  std::string
  RunSandbox (const std::string &name, Pb<Runtime__V1__PodSandboxConfig> *config)
  {
    SandboxSpec s;
    s.name = name;
    s.uid = "restart" + std::to_string (getpid ()) + name;
    s.hostname = name;
    s.log_dir = log_dir_;
    config->reset (MakeSandboxConfig (s));
    std::string id;
    Error err;
    EXPECT_TRUE (cri_->RunSandbox (config->get (), &id, &err)) << err.msg ();
    if (!id.empty ())
      sandboxes_.push_back (id);
    return id;
  }

  std::string work_, busybox_, root_, log_dir_, socket_;
  ds_options_t opts_;
  ds_server_t *server_ = nullptr;
  std::unique_ptr<Cri> cri_;
  docker_client_t *docker_ = nullptr;
  std::vector<std::string> sandboxes_;
};

TEST_F (DockershimRestartTest, LogsSurviveARestartWithoutLossOrDuplicates)
{
  Pb<Runtime__V1__PodSandboxConfig> config;
  std::string sandbox = RunSandbox ("logger", &config);
  ASSERT_FALSE (sandbox.empty ());
  ContainerSpec c;
  c.name = "counter";
  c.image = busybox_;
  c.command
      = { "sh", "-c", "i=0; while [ $i -lt 400 ]; do i=$((i+1)); echo line $i; sleep 0.01; done" };
  c.log_path = "counter/0.log";
  Pb<Runtime__V1__ContainerConfig> cc (MakeContainerConfig (c));
  std::string id;
  Error err;
  ASSERT_TRUE (cri_->CreateContainer (sandbox, cc.get (), config.get (), &id, &err)) << err.msg ();
  ASSERT_TRUE (cri_->StartContainer (id, &err)) << err.msg ();
  std::string path = log_dir_ + "/counter/0.log";
  ASSERT_TRUE (WaitFor ([&] { return ReadFile (path).size () > 100; }, 20));

  // Down while the container keeps writing; a line "copied" but not yet
  // recorded as progress (as after a crash) must be cut off on restart.
  Stop ();
  std::string before = ReadFile (path);
  size_t last_start = before.rfind ('\n', before.size () - 2);
  std::string last_line = before.substr (last_start == std::string::npos ? 0 : last_start + 1);
  FILE *f = fopen (path.c_str (), "a");
  ASSERT_NE (f, nullptr);
  fputs (last_line.c_str (), f);
  fclose (f);
  usleep (1500 * 1000);
  Start ();

  ASSERT_TRUE (WaitFor (
      [&] {
        Error e;
        auto s = cri_->ContainerStatus (id, &e);
        return s && s->state == RUNTIME__V1__CONTAINER_STATE__CONTAINER_EXITED;
      },
      60));
  std::vector<LogLine> lines;
  std::string bad;
  ASSERT_TRUE (ParseCriLog (path, &lines, &bad)) << bad;
  ASSERT_EQ (lines.size (), 400u);
  for (size_t i = 0; i < lines.size (); i++)
    ASSERT_EQ (lines[i].text, "line " + std::to_string (i + 1)) << "at line " << i + 1;
}

TEST_F (DockershimRestartTest, NetworkTornDownFromTheCheckpointAfterDockerLostTheSandbox)
{
  Pb<Runtime__V1__PodSandboxConfig> config;
  std::string sandbox = RunSandbox ("lost", &config);
  ASSERT_FALSE (sandbox.empty ());
  Error err;
  auto status = cri_->SandboxStatus (sandbox, &err);
  ASSERT_TRUE (status) << err.msg ();
  std::string lease = Env ("KL_TEST_CNI_IPAM_DIR") + "/klds/" + status->network->ip;
  ASSERT_TRUE (FileExists (lease)) << lease;

  Stop ();
  ASSERT_EQ (docker_container_remove (docker_, sandbox.c_str (), true, true, &err.e), 0)
      << err.msg ();
  Start ();

  // Known from its checkpoint only: listed as not ready, and stoppable.
  Runtime__V1__ListPodSandboxRequest req = RUNTIME__V1__LIST_POD_SANDBOX_REQUEST__INIT;
  Runtime__V1__ListPodSandboxResponse *resp = nullptr;
  ASSERT_EQ (kl_cri_list_pod_sandbox (cri_->client (), &req, &resp, &err.e), 0) << err.msg ();
  bool listed = false;
  for (size_t i = 0; i < resp->n_items; i++)
    if (sandbox == resp->items[i]->id)
      {
        listed = true;
        EXPECT_EQ (resp->items[i]->state, RUNTIME__V1__POD_SANDBOX_STATE__SANDBOX_NOTREADY);
        EXPECT_STREQ (resp->items[i]->metadata->name, "lost");
      }
  PbFree () (resp);
  EXPECT_TRUE (listed);
  ASSERT_TRUE (cri_->StopSandbox (sandbox, &err)) << err.msg ();
  EXPECT_FALSE (FileExists (lease)) << "CNI DEL did not release the IP";
  EXPECT_FALSE (FileExists (root_ + "/state/sandbox/" + sandbox));
  ASSERT_TRUE (cri_->RemoveSandbox (sandbox, &err)) << err.msg ();
}

TEST_F (DockershimRestartTest, InProcessRuntimeOfTheKubelet)
{
  Stop (); // this test's own server is not needed
  const kl_inprocess_runtime_t *docker = kl_inprocess_runtime_find ("docker");
  ASSERT_NE (docker, nullptr);
  void *options = docker->options_new ();
  kl_flag_table_t table;
  docker->flags (options, &table);
  std::string endpoint = "unix://" + root_ + "/inprocess.sock";
  std::vector<std::string> args = {
    "kubelet",
    "--container-runtime=docker",
    "--container-runtime-endpoint=" + endpoint,
    "--docker-endpoint=" + Env ("KL_TEST_DOCKER_ENDPOINT"),
    "--pod-infra-container-image=" + Env ("KL_TEST_PAUSE_IMAGE"),
    "--network-plugin=cni",
    "--cni-bin-dir=/usr/lib/cni",
    "--cni-conf-dir=" + Env ("KL_TEST_CNI_CONF_DIR"),
    "--experimental-dockershim-root-directory=" + root_ + "/inprocess-state",
  };
  std::vector<char *> argv;
  for (auto &a : args)
    argv.push_back ((char *) a.c_str ());
  kl_kubelet_config_t *config = nullptr;
  Error err;
  ASSERT_EQ (kl_kubelet_config_load_with_flags ((int) argv.size (), argv.data (), &table, 1,
                                                &config, &err.e),
             0)
      << err.msg ();
  void *handle = nullptr;
  ASSERT_EQ (docker->start (config, options, &handle, &err.e), 0) << err.msg ();
  EXPECT_EQ (std::string (config->container_runtime_endpoint), endpoint);
  {
    Cri cri (config->container_runtime_endpoint);
    Runtime__V1__VersionRequest vreq = RUNTIME__V1__VERSION_REQUEST__INIT;
    Runtime__V1__VersionResponse *v = nullptr;
    ASSERT_EQ (kl_cri_version (cri.client (), &vreq, &v, &err.e), 0) << err.msg ();
    EXPECT_STREQ (v->runtime_name, "docker");
    PbFree () (v);
  }
  docker->stop (handle);
  kl_kubelet_config_free (config);
  docker->options_free (options);
  Start ();
}

} // namespace

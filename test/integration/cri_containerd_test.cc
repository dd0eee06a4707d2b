// Drives a real containerd through our CRI client: images, a pod sandbox and
// a container, from pull to removal. hack/test-integration.sh starts
// containerd and the loopback registry and passes their names in the
// environment; run without them, every test fails.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <fstream>
#include <functional>
#include <sstream>
#include <string>

extern "C" {
#include "pkg/kubelet/cri/remote/remote.h"
}

#include "test/util/wait.h"

namespace {

using kl_test::ReadFile;
using kl_test::WaitFor;

const int64_t kSecond = 1000000000LL;

std::string
Env (const char *name)
{
  const char *v = getenv (name);
  return v ? v : "";
}

class CriContainerdTest : public ::testing::Test
{
protected:
  void
  SetUp () override
  {
    endpoint_ = Env ("KL_TEST_CRI_ENDPOINT");
    busybox_ = Env ("KL_TEST_BUSYBOX_IMAGE");
    ASSERT_FALSE (endpoint_.empty ())
        << "KL_TEST_CRI_ENDPOINT is not set: run hack/test-integration.sh";
    ASSERT_FALSE (busybox_.empty ()) << "KL_TEST_BUSYBOX_IMAGE is not set";
    kl_error_t err = NULL;
    ASSERT_EQ (kl_cri_client_new (endpoint_.c_str (), NULL, 60 * kSecond, &client_, &err), 0)
        << kl_error_message (err);
    char tmpl[] = "/tmp/cri_containerd_test.XXXXXX";
    ASSERT_NE (mkdtemp (tmpl), nullptr);
    log_dir_ = tmpl;
  }

  void
  TearDown () override
  {
    if (!sandbox_id_.empty ())
      {
        // Leave nothing behind even when an assertion failed half way.
        Runtime__V1__StopPodSandboxRequest stop = RUNTIME__V1__STOP_POD_SANDBOX_REQUEST__INIT;
        stop.pod_sandbox_id = (char *) sandbox_id_.c_str ();
        Runtime__V1__StopPodSandboxResponse *stop_resp = NULL;
        kl_error_t err = NULL;
        if (kl_cri_stop_pod_sandbox (client_, &stop, &stop_resp, &err) == 0)
          protobuf_c_message_free_unpacked (&stop_resp->base, NULL);
        kl_error_release (&err);
        Runtime__V1__RemovePodSandboxRequest rm = RUNTIME__V1__REMOVE_POD_SANDBOX_REQUEST__INIT;
        rm.pod_sandbox_id = (char *) sandbox_id_.c_str ();
        Runtime__V1__RemovePodSandboxResponse *rm_resp = NULL;
        if (kl_cri_remove_pod_sandbox (client_, &rm, &rm_resp, &err) == 0)
          protobuf_c_message_free_unpacked (&rm_resp->base, NULL);
        kl_error_release (&err);
      }
    kl_cri_client_free (client_);
    std::string cmd = "rm -rf '" + log_dir_ + "'";
    (void) system (cmd.c_str ());
  }

  void
  PullBusybox ()
  {
    Runtime__V1__ImageSpec spec = RUNTIME__V1__IMAGE_SPEC__INIT;
    spec.image = (char *) busybox_.c_str ();
    Runtime__V1__PullImageRequest req = RUNTIME__V1__PULL_IMAGE_REQUEST__INIT;
    req.image = &spec;
    cleanup_pb Runtime__V1__PullImageResponse *resp = NULL;
    kl_error_t err = NULL;
    ASSERT_EQ (kl_cri_pull_image (client_, &req, 120 * kSecond, &resp, &err), 0)
        << kl_error_message (err);
    EXPECT_EQ (strncmp (resp->image_ref, "sha256:", 7), 0) << resp->image_ref;
    image_ref_ = resp->image_ref;
  }

  std::string endpoint_, busybox_, log_dir_, sandbox_id_, image_ref_;
  kl_cri_client_t *client_ = nullptr;
};

TEST_F (CriContainerdTest, VersionAndStatus)
{
  kl_error_t err = NULL;
  Runtime__V1__VersionRequest vreq = RUNTIME__V1__VERSION_REQUEST__INIT;
  vreq.version = (char *) "v1";
  cleanup_pb Runtime__V1__VersionResponse *version = NULL;
  ASSERT_EQ (kl_cri_version (client_, &vreq, &version, &err), 0) << kl_error_message (err);
  EXPECT_STREQ (version->runtime_name, "containerd");
  EXPECT_STREQ (version->runtime_api_version, "v1");
  EXPECT_NE (strlen (version->runtime_version), 0u);

  Runtime__V1__StatusRequest sreq = RUNTIME__V1__STATUS_REQUEST__INIT;
  cleanup_pb Runtime__V1__StatusResponse *status = NULL;
  ASSERT_EQ (kl_cri_status (client_, &sreq, &status, &err), 0) << kl_error_message (err);
  ASSERT_NE (status->status, nullptr);
  bool runtime_ready = false, network_ready = false;
  for (size_t i = 0; i < status->status->n_conditions; i++)
    {
      auto *c = status->status->conditions[i];
      if (strcmp (c->type, "RuntimeReady") == 0)
        runtime_ready = c->status;
      if (strcmp (c->type, "NetworkReady") == 0)
        network_ready = c->status;
    }
  EXPECT_TRUE (runtime_ready);
  EXPECT_TRUE (network_ready);
}

TEST_F (CriContainerdTest, PullListAndInspectImage)
{
  PullBusybox ();
  kl_error_t err = NULL;
  Runtime__V1__ListImagesRequest lreq = RUNTIME__V1__LIST_IMAGES_REQUEST__INIT;
  cleanup_pb Runtime__V1__ListImagesResponse *list = NULL;
  ASSERT_EQ (kl_cri_list_images (client_, &lreq, &list, &err), 0) << kl_error_message (err);
  bool found = false;
  for (size_t i = 0; i < list->n_images; i++)
    if (image_ref_ == list->images[i]->id)
      {
        found = true;
        bool tagged = false;
        for (size_t t = 0; t < list->images[i]->n_repo_tags; t++)
          tagged |= busybox_ == list->images[i]->repo_tags[t];
        EXPECT_TRUE (tagged);
      }
  EXPECT_TRUE (found) << image_ref_ << " not listed";

  Runtime__V1__ImageSpec spec = RUNTIME__V1__IMAGE_SPEC__INIT;
  spec.image = (char *) busybox_.c_str ();
  Runtime__V1__ImageStatusRequest sreq = RUNTIME__V1__IMAGE_STATUS_REQUEST__INIT;
  sreq.image = &spec;
  cleanup_pb Runtime__V1__ImageStatusResponse *status = NULL;
  ASSERT_EQ (kl_cri_image_status (client_, &sreq, &status, &err), 0) << kl_error_message (err);
  ASSERT_NE (status->image, nullptr);
  EXPECT_GT (status->image->size, 100000u); // busybox alone is ~1 MB
}

TEST_F (CriContainerdTest, PullOfAMissingImageFails)
{
  std::string missing = busybox_.substr (0, busybox_.find ('/')) + "/no-such-image:1";
  Runtime__V1__ImageSpec spec = RUNTIME__V1__IMAGE_SPEC__INIT;
  spec.image = (char *) missing.c_str ();
  Runtime__V1__PullImageRequest req = RUNTIME__V1__PULL_IMAGE_REQUEST__INIT;
  req.image = &spec;
  Runtime__V1__PullImageResponse *resp = NULL;
  kl_error_t err = NULL;
  ASSERT_LT (kl_cri_pull_image (client_, &req, 60 * kSecond, &resp, &err), 0);
  EXPECT_NE (strstr (kl_error_message (err), "no-such-image"), nullptr) << kl_error_message (err);
  kl_error_release (&err);
}

TEST_F (CriContainerdTest, SandboxAndContainerLifecycle)
{
  PullBusybox ();
  kl_error_t err = NULL;

  // RunPodSandbox.
  Runtime__V1__PodSandboxMetadata meta = RUNTIME__V1__POD_SANDBOX_METADATA__INIT;
  meta.name = (char *) "cri-integration";
  meta.namespace_ = (char *) "default";
  std::string uid = "uid-" + std::to_string (getpid ());
  meta.uid = (char *) uid.c_str ();
  Runtime__V1__PodSandboxConfig config = RUNTIME__V1__POD_SANDBOX_CONFIG__INIT;
  config.metadata = &meta;
  config.hostname = (char *) "cri-integration";
  config.log_directory = (char *) log_dir_.c_str ();
  Runtime__V1__LinuxPodSandboxConfig linux_config = RUNTIME__V1__LINUX_POD_SANDBOX_CONFIG__INIT;
  config.linux = &linux_config;
  Runtime__V1__RunPodSandboxRequest run = RUNTIME__V1__RUN_POD_SANDBOX_REQUEST__INIT;
  run.config = &config;
  {
    cleanup_pb Runtime__V1__RunPodSandboxResponse *resp = NULL;
    ASSERT_EQ (kl_cri_run_pod_sandbox (client_, &run, &resp, &err), 0) << kl_error_message (err);
    sandbox_id_ = resp->pod_sandbox_id;
  }

  {
    Runtime__V1__PodSandboxStatusRequest req = RUNTIME__V1__POD_SANDBOX_STATUS_REQUEST__INIT;
    req.pod_sandbox_id = (char *) sandbox_id_.c_str ();
    cleanup_pb Runtime__V1__PodSandboxStatusResponse *resp = NULL;
    ASSERT_EQ (kl_cri_pod_sandbox_status (client_, &req, &resp, &err), 0) << kl_error_message (err);
    EXPECT_EQ (resp->status->state, RUNTIME__V1__POD_SANDBOX_STATE__SANDBOX_READY);
    EXPECT_STREQ (resp->status->metadata->uid, uid.c_str ());
    ASSERT_NE (resp->status->network, nullptr);
    EXPECT_NE (strlen (resp->status->network->ip), 0u) << "the pod got no IP from CNI";
  }

  // CreateContainer + StartContainer.
  Runtime__V1__ContainerMetadata cmeta = RUNTIME__V1__CONTAINER_METADATA__INIT;
  cmeta.name = (char *) "main";
  Runtime__V1__ImageSpec image = RUNTIME__V1__IMAGE_SPEC__INIT;
  image.image = (char *) busybox_.c_str ();
  Runtime__V1__ContainerConfig cconfig = RUNTIME__V1__CONTAINER_CONFIG__INIT;
  cconfig.metadata = &cmeta;
  cconfig.image = &image;
  char *command[] = { (char *) "/bin/sh", (char *) "-c",
                      (char *) "echo hello-from-$GREETING; exec sleep 3600" };
  cconfig.command = command;
  cconfig.n_command = 3;
  Runtime__V1__KeyValue env = RUNTIME__V1__KEY_VALUE__INIT;
  env.key = (char *) "GREETING";
  env.value = (char *) "cri";
  Runtime__V1__KeyValue *envs[] = { &env };
  cconfig.envs = envs;
  cconfig.n_envs = 1;
  cconfig.log_path = (char *) "main/0.log";
  Runtime__V1__LinuxContainerConfig clinux = RUNTIME__V1__LINUX_CONTAINER_CONFIG__INIT;
  cconfig.linux = &clinux;
  Runtime__V1__CreateContainerRequest create = RUNTIME__V1__CREATE_CONTAINER_REQUEST__INIT;
  create.pod_sandbox_id = (char *) sandbox_id_.c_str ();
  create.config = &cconfig;
  create.sandbox_config = &config;
  std::string container_id;
  {
    cleanup_pb Runtime__V1__CreateContainerResponse *resp = NULL;
    ASSERT_EQ (kl_cri_create_container (client_, &create, &resp, &err), 0)
        << kl_error_message (err);
    container_id = resp->container_id;
  }
  {
    Runtime__V1__StartContainerRequest req = RUNTIME__V1__START_CONTAINER_REQUEST__INIT;
    req.container_id = (char *) container_id.c_str ();
    cleanup_pb Runtime__V1__StartContainerResponse *resp = NULL;
    ASSERT_EQ (kl_cri_start_container (client_, &req, &resp, &err), 0) << kl_error_message (err);
  }

  // ContainerStatus: running, and its output reached the CRI log file.
  auto state = [&] () {
    Runtime__V1__ContainerStatusRequest req = RUNTIME__V1__CONTAINER_STATUS_REQUEST__INIT;
    req.container_id = (char *) container_id.c_str ();
    Runtime__V1__ContainerStatusResponse *resp = NULL;
    kl_error_t e = NULL;
    int s = -1;
    if (kl_cri_container_status (client_, &req, &resp, &e) == 0)
      {
        s = resp->status->state;
        protobuf_c_message_free_unpacked (&resp->base, NULL);
      }
    kl_error_release (&e);
    return s;
  };
  EXPECT_EQ (state (), RUNTIME__V1__CONTAINER_STATE__CONTAINER_RUNNING);
  std::string log_path = log_dir_ + "/main/0.log";
  EXPECT_TRUE (WaitFor (
      [&] { return ReadFile (log_path).find ("hello-from-cri") != std::string::npos; }, 30))
      << "log: " << ReadFile (log_path);
  // CRI log format: <RFC3339Nano> stdout F <line>
  EXPECT_NE (ReadFile (log_path).find (" stdout F hello-from-cri"), std::string::npos);

  {
    Runtime__V1__ListContainersRequest req = RUNTIME__V1__LIST_CONTAINERS_REQUEST__INIT;
    Runtime__V1__ContainerFilter filter = RUNTIME__V1__CONTAINER_FILTER__INIT;
    filter.pod_sandbox_id = (char *) sandbox_id_.c_str ();
    req.filter = &filter;
    cleanup_pb Runtime__V1__ListContainersResponse *resp = NULL;
    ASSERT_EQ (kl_cri_list_containers (client_, &req, &resp, &err), 0) << kl_error_message (err);
    ASSERT_EQ (resp->n_containers, 1u);
    EXPECT_STREQ (resp->containers[0]->id, container_id.c_str ());
    EXPECT_STREQ (resp->containers[0]->metadata->name, "main");
  }

  // StopPodSandbox stops the container too; then remove everything.
  {
    Runtime__V1__StopPodSandboxRequest req = RUNTIME__V1__STOP_POD_SANDBOX_REQUEST__INIT;
    req.pod_sandbox_id = (char *) sandbox_id_.c_str ();
    cleanup_pb Runtime__V1__StopPodSandboxResponse *resp = NULL;
    ASSERT_EQ (kl_cri_stop_pod_sandbox (client_, &req, &resp, &err), 0) << kl_error_message (err);
  }
  EXPECT_EQ (state (), RUNTIME__V1__CONTAINER_STATE__CONTAINER_EXITED);
  {
    Runtime__V1__RemovePodSandboxRequest req = RUNTIME__V1__REMOVE_POD_SANDBOX_REQUEST__INIT;
    req.pod_sandbox_id = (char *) sandbox_id_.c_str ();
    cleanup_pb Runtime__V1__RemovePodSandboxResponse *resp = NULL;
    ASSERT_EQ (kl_cri_remove_pod_sandbox (client_, &req, &resp, &err), 0) << kl_error_message (err);
  }
  {
    Runtime__V1__ListPodSandboxRequest req = RUNTIME__V1__LIST_POD_SANDBOX_REQUEST__INIT;
    cleanup_pb Runtime__V1__ListPodSandboxResponse *resp = NULL;
    ASSERT_EQ (kl_cri_list_pod_sandbox (client_, &req, &resp, &err), 0) << kl_error_message (err);
    for (size_t i = 0; i < resp->n_items; i++)
      EXPECT_STRNE (resp->items[i]->id, sandbox_id_.c_str ());
  }
  sandbox_id_.clear ();

  // The removed container is gone: its status is NotFound.
  Runtime__V1__ContainerStatusRequest req = RUNTIME__V1__CONTAINER_STATUS_REQUEST__INIT;
  req.container_id = (char *) container_id.c_str ();
  Runtime__V1__ContainerStatusResponse *resp = NULL;
  ASSERT_LT (kl_cri_container_status (client_, &req, &resp, &err), 0);
  EXPECT_TRUE (kl_error_is (err, KL_ERROR_NOT_FOUND)) << kl_error_message (err);
  kl_error_release (&err);
}

} // namespace

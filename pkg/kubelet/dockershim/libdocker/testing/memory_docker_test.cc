// The client through its transport seam, answered by the in-memory fake
// dockerd: the same decoding, error mapping and streamed bodies as over
// the socket, without one.
#include <gtest/gtest.h>

extern "C" {
#include "pkg/kubelet/dockershim/libdocker/containers.h"
#include "pkg/kubelet/dockershim/libdocker/images.h"
#include "pkg/kubelet/dockershim/libdocker/system.h"
#include "pkg/kubelet/dockershim/libdocker/testing/memory_docker.h"
}

namespace {

class MemoryDockerTest : public ::testing::Test
{
protected:
  void
  SetUp () override
  {
    kl_error_t err = nullptr;
    ASSERT_EQ (docker_memory_client (&fake_, &client_, &err), 0) << kl_error_message (err);
  }

  void
  TearDown () override
  {
    docker_client_free (client_);
  }

  docker_memory_t fake_ = {};
  docker_client_t *client_ = nullptr;
};

TEST_F (MemoryDockerTest, AnswersInspectAndInfoAfterNegotiating)
{
  kl_error_t err = nullptr;
  docker_container_inspect_t *c = nullptr;
  ASSERT_EQ (docker_container_inspect (client_, DOCKER_MEMORY_CONTAINER_ID, &c, &err), 0)
      << kl_error_message (err);
  EXPECT_STREQ (c->id, "container0");
  EXPECT_EQ (c->state.pid, 42);
  EXPECT_STREQ (docker_labels_get (&c->config.labels, "io.kubernetes.sandbox.id"), "sandbox0");
  docker_container_inspect_free (c);
  docker_info_t *info = nullptr;
  ASSERT_EQ (docker_info (client_, &info, &err), 0) << kl_error_message (err);
  EXPECT_STREQ (info->docker_root_dir, "/var/lib/docker");
  docker_info_free (info);
  EXPECT_EQ (fake_.requests, 3u); // GET /version, then the two calls
}

TEST_F (MemoryDockerTest, ErrorsMapAsOverTheSocket)
{
  kl_error_t err = nullptr;
  docker_container_inspect_t *c = nullptr;
  ASSERT_LT (docker_container_inspect (client_, "nope", &c, &err), 0);
  EXPECT_TRUE (kl_error_is (err, KL_ERROR_NOT_FOUND)) << kl_error_message (err);
  EXPECT_EQ (err->status, 404);
  kl_error_release (&err);

  fake_.mode = DOCKER_MEMORY_FAIL;
  ASSERT_LT (docker_container_inspect (client_, DOCKER_MEMORY_CONTAINER_ID, &c, &err), 0);
  EXPECT_EQ (err->status, 500);
  EXPECT_NE (strstr (kl_error_message (err), "fake dockerd failure"), nullptr)
      << kl_error_message (err);
  kl_error_release (&err);

  fake_.mode = DOCKER_MEMORY_TRUNCATED;
  ASSERT_LT (docker_container_inspect (client_, DOCKER_MEMORY_CONTAINER_ID, &c, &err), 0);
  EXPECT_TRUE (kl_error_is (err, KL_ERROR_INVALID)) << kl_error_message (err);
  kl_error_release (&err);
}

TEST_F (MemoryDockerTest, PullStreamsTheProgressBody)
{
  kl_error_t err = nullptr;
  char *digest = nullptr;
  ASSERT_EQ (docker_image_pull (client_, DOCKER_MEMORY_IMAGE, nullptr, &digest, &err), 0)
      << kl_error_message (err);
  EXPECT_STREQ (digest, "sha256:9ae9");
  free (digest);
}

} // namespace

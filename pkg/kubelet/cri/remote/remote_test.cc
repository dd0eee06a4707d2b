#include <gtest/gtest.h>
#include <stdlib.h>
#include <string.h>

#include <string>

extern "C" {
#include "pkg/kubelet/cri/remote/remote.h"
#include "pkg/util/utils.h"
}

namespace {

const int64_t kSecond = 1000000000LL;

int
version_handler (void *ctx, const ProtobufCMessage *request, ProtobufCMessage **response,
                 kl_error_t *err)
{
  auto *req = (const Runtime__V1__VersionRequest *) request;
  auto *resp = (Runtime__V1__VersionResponse *) xmalloc (sizeof (Runtime__V1__VersionResponse));
  runtime__v1__version_response__init (resp);
  resp->version = xstrdup (req->version);
  resp->runtime_name = xstrdup ((const char *) ctx);
  resp->runtime_version = xstrdup ("1.2.3");
  resp->runtime_api_version = xstrdup ("v1");
  *response = &resp->base;
  return 0;
}

int
list_images_handler (void *ctx, const ProtobufCMessage *request, ProtobufCMessage **response,
                     kl_error_t *err)
{
  auto *resp
      = (Runtime__V1__ListImagesResponse *) xmalloc (sizeof (Runtime__V1__ListImagesResponse));
  runtime__v1__list_images_response__init (resp);
  resp->n_images = 1;
  resp->images = (Runtime__V1__Image **) xmalloc (sizeof (Runtime__V1__Image *));
  resp->images[0] = (Runtime__V1__Image *) xmalloc (sizeof (Runtime__V1__Image));
  runtime__v1__image__init (resp->images[0]);
  resp->images[0]->id = xstrdup ((const char *) ctx);
  *response = &resp->base;
  return 0;
}

int
exec_sync_handler (void *ctx, const ProtobufCMessage *request, ProtobufCMessage **response,
                   kl_error_t *err)
{
  auto *req = (const Runtime__V1__ExecSyncRequest *) request;
  if (req->n_cmd == 0)
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "cmd is required");
  auto *resp = (Runtime__V1__ExecSyncResponse *) xmalloc (sizeof (Runtime__V1__ExecSyncResponse));
  runtime__v1__exec_sync_response__init (resp);
  resp->exit_code = 3;
  *response = &resp->base;
  return 0;
}

const kl_grpc_method_t kRuntimeMethods[] = {
  { "/runtime.v1.RuntimeService/Version", &runtime__v1__version_request__descriptor,
    version_handler },
  { "/runtime.v1.RuntimeService/ExecSync", &runtime__v1__exec_sync_request__descriptor,
    exec_sync_handler },
};
const kl_grpc_method_t kImageMethods[] = {
  { "/runtime.v1.ImageService/ListImages", &runtime__v1__list_images_request__descriptor,
    list_images_handler },
};

class RemoteTest : public ::testing::Test
{
protected:
  void
  SetUp () override
  {
    char tmpl[] = "/tmp/remote_test.XXXXXX";
    ASSERT_NE (mkdtemp (tmpl), nullptr);
    dir_ = tmpl;
    runtime_ = "unix://" + dir_ + "/runtime.sock";
    image_ = "unix://" + dir_ + "/image.sock";
    kl_error_t err = NULL;
    ASSERT_EQ (kl_grpc_server_start (runtime_.c_str (), kRuntimeMethods, 2, (void *) "fake-runtime",
                                     &runtime_server_, &err),
               0);
    ASSERT_EQ (kl_grpc_server_start (image_.c_str (), kImageMethods, 1, (void *) "sha256:abc",
                                     &image_server_, &err),
               0);
  }

  void
  TearDown () override
  {
    kl_grpc_server_stop (runtime_server_);
    kl_grpc_server_stop (image_server_);
    rmdir (dir_.c_str ());
  }

  std::string dir_, runtime_, image_;
  kl_grpc_server_t *runtime_server_ = nullptr, *image_server_ = nullptr;
};

TEST_F (RemoteTest, VersionGoesToTheRuntimeService)
{
  kl_error_t err = NULL;
  kl_cri_client_t *client = NULL;
  ASSERT_EQ (kl_cri_client_new (runtime_.c_str (), image_.c_str (), 5 * kSecond, &client, &err), 0);
  Runtime__V1__VersionRequest req = RUNTIME__V1__VERSION_REQUEST__INIT;
  req.version = (char *) "v1";
  cleanup_pb Runtime__V1__VersionResponse *resp = NULL;
  ASSERT_EQ (kl_cri_version (client, &req, &resp, &err), 0) << kl_error_message (err);
  EXPECT_STREQ (resp->runtime_name, "fake-runtime");
  EXPECT_STREQ (resp->version, "v1");
  EXPECT_STREQ (resp->runtime_api_version, "v1");
  kl_cri_client_free (client);
}

TEST_F (RemoteTest, ImageCallsGoToTheImageEndpoint)
{
  kl_error_t err = NULL;
  kl_cri_client_t *client = NULL;
  ASSERT_EQ (kl_cri_client_new (runtime_.c_str (), image_.c_str (), 5 * kSecond, &client, &err), 0);
  Runtime__V1__ListImagesRequest req = RUNTIME__V1__LIST_IMAGES_REQUEST__INIT;
  cleanup_pb Runtime__V1__ListImagesResponse *resp = NULL;
  ASSERT_EQ (kl_cri_list_images (client, &req, &resp, &err), 0) << kl_error_message (err);
  ASSERT_EQ (resp->n_images, 1u);
  EXPECT_STREQ (resp->images[0]->id, "sha256:abc");
  kl_cri_client_free (client);
}

TEST_F (RemoteTest, WithoutImageEndpointImagesGoToTheRuntime)
{
  kl_error_t err = NULL;
  kl_cri_client_t *client = NULL;
  ASSERT_EQ (kl_cri_client_new (runtime_.c_str (), "", 5 * kSecond, &client, &err), 0);
  Runtime__V1__ListImagesRequest req = RUNTIME__V1__LIST_IMAGES_REQUEST__INIT;
  Runtime__V1__ListImagesResponse *resp = NULL;
  ASSERT_LT (kl_cri_list_images (client, &req, &resp, &err), 0);
  EXPECT_EQ (err->status, KL_GRPC_UNIMPLEMENTED);
  EXPECT_NE (strstr (kl_error_message (err), "/runtime.v1.ImageService/ListImages"), nullptr)
      << kl_error_message (err);
  kl_error_release (&err);
  kl_cri_client_free (client);
}

TEST_F (RemoteTest, ExecSyncCarriesTheRuntimeAnswer)
{
  kl_error_t err = NULL;
  kl_cri_client_t *client = NULL;
  ASSERT_EQ (kl_cri_client_new (runtime_.c_str (), NULL, 5 * kSecond, &client, &err), 0);
  Runtime__V1__ExecSyncRequest req = RUNTIME__V1__EXEC_SYNC_REQUEST__INIT;
  cleanup_pb Runtime__V1__ExecSyncResponse *resp = NULL;
  ASSERT_LT (kl_cri_exec_sync (client, &req, &resp, &err), 0);
  EXPECT_TRUE (kl_error_is (err, KL_ERROR_INVALID));
  kl_error_release (&err);
  char *cmd[] = { (char *) "false" };
  req.n_cmd = 1;
  req.cmd = cmd;
  req.timeout = 1;
  ASSERT_EQ (kl_cri_exec_sync (client, &req, &resp, &err), 0) << kl_error_message (err);
  EXPECT_EQ (resp->exit_code, 3);
  kl_cri_client_free (client);
}

TEST (RemoteClientTest, BadEndpointNamesWhichOne)
{
  kl_error_t err = NULL;
  kl_cri_client_t *client = NULL;
  ASSERT_LT (kl_cri_client_new ("unix:///run/x.sock", "http://x", kSecond, &client, &err), 0);
  EXPECT_NE (strstr (kl_error_message (err), "image service endpoint"), nullptr)
      << kl_error_message (err);
  kl_error_release (&err);
}

} // namespace

#include "pkg/kubelet/cri/remote/remote.h"

#include <string.h>

#include "pkg/util/duration.h"
#include "pkg/util/utils.h"

/* A day: what "no deadline" means for calls that may legitimately be slow. */
#define NO_DEADLINE_NS (24LL * 3600 * 1000000000LL)

struct kl_cri_client_s
{
  kl_grpc_client_t *runtime;
  kl_grpc_client_t *image; /* == runtime when both services share a socket */
  int64_t timeout_ns;
};

int
kl_cri_client_new (const char *runtime_endpoint, const char *image_endpoint, int64_t timeout_ns,
                   kl_cri_client_t **out, kl_error_t *err)
{
  kl_grpc_client_t *runtime = NULL;
  int ret = kl_grpc_client_new (runtime_endpoint, &runtime, err);
  if (ret < 0)
    return kl_error_wrap (err, "container runtime endpoint");
  kl_grpc_client_t *image = runtime;
  if (image_endpoint && image_endpoint[0] && strcmp (image_endpoint, runtime_endpoint) != 0)
    {
      ret = kl_grpc_client_new (image_endpoint, &image, err);
      if (ret < 0)
        {
          kl_grpc_client_free (runtime);
          return kl_error_wrap (err, "image service endpoint");
        }
    }
  kl_cri_client_t *client = xmalloc0 (sizeof *client);
  client->runtime = runtime;
  client->image = image;
  client->timeout_ns = timeout_ns;
  *out = client;
  return 0;
}

void
kl_cri_client_free (kl_cri_client_t *client)
{
  if (client == NULL)
    return;
  if (client->image != client->runtime)
    kl_grpc_client_free (client->image);
  kl_grpc_client_free (client->runtime);
  free (client);
}

const char *
kl_cri_client_runtime_endpoint (const kl_cri_client_t *client)
{
  return kl_grpc_client_target (client->runtime);
}

#define service_RuntimeService runtime
#define service_ImageService image

#define KL_CRI_DEFINE(fn, Method, Service, Request, Response, desc)                                \
  int kl_cri_##fn (kl_cri_client_t *client, const Runtime__V1__##Request *request,                 \
                   Runtime__V1__##Response **response, kl_error_t *err)                            \
  {                                                                                                \
    return kl_grpc_unary_call (client->service_##Service, "/runtime.v1." #Service "/" #Method,     \
                               &request->base, &runtime__v1__##desc##__descriptor,                 \
                               client->timeout_ns, (ProtobufCMessage **) response, err);           \
  }
KL_CRI_UNARY_METHODS (KL_CRI_DEFINE)
#undef KL_CRI_DEFINE

int
kl_cri_pull_image (kl_cri_client_t *client, const Runtime__V1__PullImageRequest *request,
                   int64_t timeout_ns, Runtime__V1__PullImageResponse **response, kl_error_t *err)
{
  return kl_grpc_unary_call (client->image, "/runtime.v1.ImageService/PullImage", &request->base,
                             &runtime__v1__pull_image_response__descriptor,
                             timeout_ns > 0 ? timeout_ns : NO_DEADLINE_NS,
                             (ProtobufCMessage **) response, err);
}

int
kl_cri_exec_sync (kl_cri_client_t *client, const Runtime__V1__ExecSyncRequest *request,
                  Runtime__V1__ExecSyncResponse **response, kl_error_t *err)
{
  /* The command's own timeout plus the usual allowance for the call. */
  int64_t timeout = NO_DEADLINE_NS;
  if (request->timeout > 0)
    {
      int64_t command_ns = kl_duration_from_seconds (request->timeout);
      timeout = command_ns < INT64_MAX - client->timeout_ns ? client->timeout_ns + command_ns
                                                            : INT64_MAX; /* gpr: no deadline */
    }
  return kl_grpc_unary_call (client->runtime, "/runtime.v1.RuntimeService/ExecSync", &request->base,
                             &runtime__v1__exec_sync_response__descriptor, timeout,
                             (ProtobufCMessage **) response, err);
}

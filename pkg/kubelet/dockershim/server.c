/* The CRI server: the RuntimeService and ImageService method table over the generic gRPC server. */
#include <libgen.h>
#include <string.h>

#include "pkg/kubelet/dockershim/dockershim.h"
#include "pkg/kubelet/dockershim/service-internal.h"
#include "pkg/util/fs.h"
#include "pkg/util/grpc/grpc.h"
#include "pkg/util/log.h"
#include "pkg/util/utils.h"

struct ds_server_s
{
  ds_service_t *service;
  kl_grpc_server_t *grpc;
};

/* Untyped adapters for kl_grpc_server_start's table. */
#define DS_ADAPTER(fn, Method, Service, Request, Response, desc)                                   \
  static int handle_##fn (void *ctx, const ProtobufCMessage *request, ProtobufCMessage **response, \
                          kl_error_t *err)                                                         \
  {                                                                                                \
    Runtime__V1__##Response *resp = NULL;                                                          \
    int ret                                                                                        \
        = ds_##fn ((ds_service_t *) ctx, (const Runtime__V1__##Request *) request, &resp, err);    \
    *response = resp ? &resp->base : NULL;                                                         \
    return ret;                                                                                    \
  }
KL_CRI_UNARY_METHODS (DS_ADAPTER)
DS_ADAPTER (exec_sync, ExecSync, RuntimeService, ExecSyncRequest, ExecSyncResponse,
            exec_sync_response)
DS_ADAPTER (pull_image, PullImage, ImageService, PullImageRequest, PullImageResponse,
            pull_image_response)
#undef DS_ADAPTER

#define DS_METHOD(fn, Method, Service, Request, Response, desc)                                    \
  { "/runtime.v1." #Service "/" #Method, &runtime__v1__##fn##_request__descriptor, handle_##fn },

static const kl_grpc_method_t methods[] = { KL_CRI_UNARY_METHODS (DS_METHOD) DS_METHOD (
    exec_sync, ExecSync, RuntimeService, ExecSyncRequest, ExecSyncResponse,
    exec_sync_response) DS_METHOD (pull_image, PullImage, ImageService, PullImageRequest,
                                   PullImageResponse, pull_image_response) };
#undef DS_METHOD

int
ds_server_start (const ds_options_t *opts, ds_server_t **out, kl_error_t *err)
{
  ds_service_t *service = NULL;
  int ret = ds_service_new (opts, &service, err);
  if (ret < 0)
    return ret;
  /* The socket's directory (/var/run) may not exist in a fresh root. */
  cleanup_free char *path = xstrdup (opts->runtime_endpoint + strlen ("unix://"));
  ret = kl_mkdir_p (dirname (path), 0755, err);
  if (ret < 0)
    {
      ds_service_free (service);
      return kl_error_wrap (err, "dockershim socket directory");
    }
  kl_stream_config_t stream_config;
  kl_stream_config_init (&stream_config);
  stream_config.bind_address = service->options.streaming_bind_addr;
  kl_stream_runtime_t runtime;
  ds_stream_runtime_init (service, &runtime);
  ret = kl_stream_server_start (&stream_config, &runtime, &service->streaming, err);
  if (ret < 0)
    {
      ds_service_free (service);
      return kl_error_wrap (err, "streaming server on %s", opts->streaming_bind_addr);
    }
  kl_grpc_server_t *grpc = NULL;
  ret = kl_grpc_server_start (opts->runtime_endpoint, methods, KL_ARRAY_SIZE (methods), service,
                              &grpc, err);
  if (ret < 0)
    {
      kl_stream_server_stop (service->streaming);
      ds_service_free (service);
      return kl_error_wrap (err, "serve CRI on %s", opts->runtime_endpoint);
    }
  ds_server_t *s = xmalloc0 (sizeof *s);
  s->service = service;
  s->grpc = grpc;
  KL_LOG_INFO ("dockershim: serving CRI on %s, streaming on %s", opts->runtime_endpoint,
               kl_stream_server_base_url (service->streaming));
  *out = s;
  return 0;
}

void
ds_server_stop (ds_server_t *server)
{
  if (server == NULL)
    return;
  kl_grpc_server_stop (server->grpc);
  /* Streams in flight use the service's Docker client. */
  kl_stream_server_stop (server->service->streaming);
  ds_service_free (server->service);
  free (server);
}

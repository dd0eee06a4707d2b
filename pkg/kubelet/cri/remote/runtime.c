/* The CRI gRPC client as the kubelet's runtime backend. */
#include "pkg/kubelet/cri/remote/runtime.h"

#include "pkg/util/utils.h"

#define REMOTE_OP(fn, Method, Service, Request, Response, desc)                                    \
  static int remote_##fn (void *self, const Runtime__V1__##Request *request,                       \
                          Runtime__V1__##Response **response, kl_error_t *err)                     \
  {                                                                                                \
    return kl_cri_##fn (self, request, response, err);                                             \
  }
KL_CRI_UNARY_METHODS (REMOTE_OP)
#undef REMOTE_OP

static int
remote_pull_image (void *self, const Runtime__V1__PullImageRequest *request, int64_t timeout_ns,
                   Runtime__V1__PullImageResponse **response, kl_error_t *err)
{
  return kl_cri_pull_image (self, request, timeout_ns, response, err);
}

static int
remote_exec_sync (void *self, const Runtime__V1__ExecSyncRequest *request,
                  Runtime__V1__ExecSyncResponse **response, kl_error_t *err)
{
  return kl_cri_exec_sync (self, request, response, err);
}

static void
remote_free (void *self)
{
  kl_cri_client_free (self);
}

#define REMOTE_ENTRY(fn, Method, Service, Request, Response, desc) .fn = remote_##fn,
static const struct kl_runtime_ops_s remote_ops = {
  KL_CRI_UNARY_METHODS (REMOTE_ENTRY).pull_image = remote_pull_image,
  .exec_sync = remote_exec_sync,
  .free = remote_free,
};
#undef REMOTE_ENTRY

kl_runtime_t *
kl_cri_runtime_new (kl_cri_client_t *client, const char *type)
{
  kl_runtime_t *rt = xmalloc0 (sizeof *rt);
  rt->ops = &remote_ops;
  rt->self = client;
  rt->type = type;
  return rt;
}

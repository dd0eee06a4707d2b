/* The container runtime the kubelet drives: the CRI calls behind an ops
   table, filled by the gRPC client (cri/remote) or by a fake in tests. */
#ifndef KL_KUBELET_CONTAINER_RUNTIME_H
#define KL_KUBELET_CONTAINER_RUNTIME_H

#include <stdint.h>

#include "api/cri/v1/methods.h"
#include "pkg/util/error.h"
#include "pkg/util/grpc/grpc.h" /* cleanup_pb for responses */

#ifdef __cplusplus
extern "C" {
#endif

#define KL_RUNTIME_OP(fn, Method, Service, Request, Response, desc)                                \
  int (*fn) (void *self, const Runtime__V1__##Request *request,                                    \
             Runtime__V1__##Response **response, kl_error_t *err);

/* One entry per CRI method; responses are freed by the caller with
   protobuf_c_message_free_unpacked (). Every op is safe from any thread. */
struct kl_runtime_ops_s
{
  KL_CRI_UNARY_METHODS (KL_RUNTIME_OP)
  /* timeout_ns 0: as long as the pull takes. */
  int (*pull_image) (void *self, const Runtime__V1__PullImageRequest *request, int64_t timeout_ns,
                     Runtime__V1__PullImageResponse **response, kl_error_t *err);
  int (*exec_sync) (void *self, const Runtime__V1__ExecSyncRequest *request,
                    Runtime__V1__ExecSyncResponse **response, kl_error_t *err);
  void (*free) (void *self);
};
#undef KL_RUNTIME_OP

struct kl_runtime_s
{
  const struct kl_runtime_ops_s *ops;
  void *self;
  const char *type; /* the runtime's name for container IDs: "containerd" */
};
typedef struct kl_runtime_s kl_runtime_t;

#define KL_RUNTIME_CALL(fn, Method, Service, Request, Response, desc)                              \
  static inline int kl_runtime_##fn (kl_runtime_t *rt, const Runtime__V1__##Request *request,      \
                                     Runtime__V1__##Response **response, kl_error_t *err)          \
  {                                                                                                \
    return rt->ops->fn (rt->self, request, response, err);                                         \
  }
KL_CRI_UNARY_METHODS (KL_RUNTIME_CALL)
#undef KL_RUNTIME_CALL

static inline int
kl_runtime_pull_image (kl_runtime_t *rt, const Runtime__V1__PullImageRequest *request,
                       int64_t timeout_ns, Runtime__V1__PullImageResponse **response,
                       kl_error_t *err)
{
  return rt->ops->pull_image (rt->self, request, timeout_ns, response, err);
}

static inline int
kl_runtime_exec_sync (kl_runtime_t *rt, const Runtime__V1__ExecSyncRequest *request,
                      Runtime__V1__ExecSyncResponse **response, kl_error_t *err)
{
  return rt->ops->exec_sync (rt->self, request, response, err);
}

/* Frees the backend and `rt`. */
void kl_runtime_free (kl_runtime_t *rt);

#ifdef __cplusplus
}
#endif

#endif

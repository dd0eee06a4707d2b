/* CRI v1 client: typed RuntimeService and ImageService calls over gRPC. */
#ifndef KL_CRI_REMOTE_H
#define KL_CRI_REMOTE_H

#include <stdint.h>

#include "api/cri/v1/api.pb-c.h"
#include "api/cri/v1/methods.h"
#include "pkg/util/error.h"
#include "pkg/util/grpc/grpc.h" /* cleanup_pb for responses */

#ifdef __cplusplus
extern "C" {
#endif

typedef struct kl_cri_client_s kl_cri_client_t;

/* Connects (lazily) to the runtime service at `runtime_endpoint` and the
   image service at `image_endpoint` (NULL or "": the runtime's). Calls time
   out after `timeout_ns` (--runtime-request-timeout). */
int kl_cri_client_new (const char *runtime_endpoint, const char *image_endpoint, int64_t timeout_ns,
                       kl_cri_client_t **out, kl_error_t *err);

void kl_cri_client_free (kl_cri_client_t *client);

const char *kl_cri_client_runtime_endpoint (const kl_cri_client_t *client);

#define KL_CRI_DECLARE(fn, Method, Service, Request, Response, desc)                               \
  int kl_cri_##fn (kl_cri_client_t *client, const Runtime__V1__##Request *request,                 \
                   Runtime__V1__##Response **response, kl_error_t *err);
KL_CRI_UNARY_METHODS (KL_CRI_DECLARE)
#undef KL_CRI_DECLARE

/* Pulls take as long as the registry needs: no request timeout (as the Go
   kubelet); `timeout_ns` > 0 bounds it anyway. */
int kl_cri_pull_image (kl_cri_client_t *client, const Runtime__V1__PullImageRequest *request,
                       int64_t timeout_ns, Runtime__V1__PullImageResponse **response,
                       kl_error_t *err);

/* The command's own timeout (request->timeout seconds) plus the request
   timeout, or no deadline when request->timeout is 0. */
int kl_cri_exec_sync (kl_cri_client_t *client, const Runtime__V1__ExecSyncRequest *request,
                      Runtime__V1__ExecSyncResponse **response, kl_error_t *err);

#ifdef __cplusplus
}
#endif

#endif

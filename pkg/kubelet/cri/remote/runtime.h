/* The CRI client as a kl_runtime_t (the kubelet's runtime seam). */
#ifndef KL_CRI_REMOTE_RUNTIME_H
#define KL_CRI_REMOTE_RUNTIME_H

#include "pkg/kubelet/container/runtime.h"
#include "pkg/kubelet/cri/remote/remote.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Wraps `client`, which the runtime then owns; `type` (static) names the
   runtime in container IDs ("containerd"). */
kl_runtime_t *kl_cri_runtime_new (kl_cri_client_t *client, const char *type);

#ifdef __cplusplus
}
#endif

#endif

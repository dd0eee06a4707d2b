/* API-server-like validation of a decoded, defaulted Pod. */
#ifndef KL_KUBELET_API_VALIDATE_H
#define KL_KUBELET_API_VALIDATE_H

#include "pkg/kubelet/api/types.h"
#include "pkg/util/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Checks `pod` as the API server checks a new pod (names, uniqueness, enum
   values, ports, mounts, probes, resources, security contexts); on failure
   sets a KL_ERROR_INVALID error with the first problem, worded as
   field.Error: "spec.containers[0].image: Required value". */
int kl_pod_validate (const kl_pod_t *pod, kl_error_t *err);

/* Every problem with `pod` joined by "; ", or NULL when it is valid; the
   caller frees it. */
char *kl_pod_validate_all (const kl_pod_t *pod);

#ifdef __cplusplus
}
#endif

#endif

/* Pods as the Kubernetes API writes them in JSON: v1.Pod's metadata, spec and status. */
#ifndef KL_KUBELET_SERVER_ENCODE_POD_H
#define KL_KUBELET_SERVER_ENCODE_POD_H

#include <jansson.h> /* json_t */
#include <stdint.h>

#include "pkg/kubelet/api/types.h"
#include "pkg/kubelet/status/types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Field names, nesting, types and omissions follow the Go types' JSON tags
   (an unset optional field is left out; a field Go always writes is always
   written), so that tools reading the Go kubelet's /pods read ours. */

/* {"metadata": ..., "spec": ..., "status": ...}: a PodList item (without kind
   and apiVersion); a NULL status is written as {}. */
json_t *kl_encode_pod (const kl_pod_t *pod, const kl_pod_status_t *status);

json_t *kl_encode_pod_spec (const kl_pod_spec_t *spec);

json_t *kl_encode_pod_status (const kl_pod_status_t *status);

/* Unix ns as metav1.Time writes a time: RFC 3339 in UTC to the second
   ("2024-05-01T12:00:00Z"); 0 (unset) is null. */
json_t *kl_encode_time (int64_t ns);

#ifdef __cplusplus
}
#endif

#endif

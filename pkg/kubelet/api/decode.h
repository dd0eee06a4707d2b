/* Pod manifests (YAML or JSON; a Pod, a List or PodList, or many documents) into the Pod model. */
#ifndef KL_KUBELET_API_DECODE_H
#define KL_KUBELET_API_DECODE_H

#include <stddef.h>

#include "pkg/kubelet/api/types.h"
#include "pkg/util/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Manifests larger than this are refused unless a limit is given. */
#define KL_POD_DECODE_MAX_BYTES ((size_t) 10 * 1024 * 1024)

/* Decodes every pod in `data`, applies the API server's defaults and
   validates each (kl_pod_validate ()), then appends the pods to `out`, whose
   pods the caller frees with kl_pod_list_clear (). Input starting with '{'
   is JSON (a stream of values), anything else YAML (documents split by
   "---"); both decode to the same model with the same messages. YAML plain
   scalars resolve as go-yaml v2 (Kubernetes' YAML) resolves them (yes, no,
   on and off are booleans; 0x10 is an integer), anchors, aliases and merge
   keys expand within a budget, and collections nest at most 64 deep. A JSON
   object with a duplicate key is a syntax error; in YAML it is reported as a
   duplicate field. Maps (labels, annotations) come out sorted. Unknown and
   duplicate fields, wrong types, apiVersion other than v1, kinds other than
   Pod, PodList and List, and sources a static pod cannot have (valueFrom,
   secret volumes, ...) are errors; metadata the kubelet ignores
   (creationTimestamp, generation, resourceVersion, selfLink, managedFields)
   and `status` are skipped. An input with no object is an error too. On
   failure `out` is unchanged and *err is a KL_ERROR_INVALID error such as
   "<source_name>: spec.containers[0].image: Required value", with
   "document <n>: " after the source when the input has several documents
   and "items[<i>]." before the path inside a list. */
int kl_pod_decode (const char *data, size_t len, const char *source_name, kl_pod_list_t *out,
                   kl_error_t *err);

/* As kl_pod_decode () with a size limit of `max_bytes` (0 for the default). */
int kl_pod_decode_limit (const char *data, size_t len, const char *source_name, size_t max_bytes,
                         kl_pod_list_t *out, kl_error_t *err);

/* Fills unset fields as the API server's defaulting does: namespace
   "default", restartPolicy Always, dnsPolicy ClusterFirst,
   terminationGracePeriodSeconds 30, imagePullPolicy from the image's tag,
   port protocol TCP, hostPort from containerPort with hostNetwork, probe
   timings (1s timeout, 10s period, thresholds 1 and 3), httpGet path "/" and
   scheme HTTP, terminationMessagePath /dev/termination-log, requests from
   limits, and emptyDir for a volume without a source. kl_pod_decode () has
   already called it. */
void kl_pod_set_defaults (kl_pod_t *pod);

#ifdef __cplusplus
}
#endif

#endif

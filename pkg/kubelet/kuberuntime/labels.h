/* The labels and annotations the kubelet writes on sandboxes and containers,
   as the Go kubelet does, and reading them back after a restart. */
#ifndef KL_KUBERUNTIME_LABELS_H
#define KL_KUBERUNTIME_LABELS_H

#include <stdint.h>

#include "api/cri/v1/api.pb-c.h"
#include "pkg/kubelet/api/types.h"

#ifdef __cplusplus
extern "C" {
#endif

#define KL_LABEL_POD_NAME "io.kubernetes.pod.name"
#define KL_LABEL_POD_NAMESPACE "io.kubernetes.pod.namespace"
#define KL_LABEL_POD_UID "io.kubernetes.pod.uid"
#define KL_LABEL_CONTAINER_NAME "io.kubernetes.container.name"
#define KL_LABEL_KUBELET_MANAGED "io.kubernetes.kubelet.managed"

#define KL_ANNOTATION_CONTAINER_HASH "io.kubernetes.container.hash"
#define KL_ANNOTATION_RESTART_COUNT "io.kubernetes.container.restartCount"
#define KL_ANNOTATION_TERMINATION_MESSAGE_PATH "io.kubernetes.container.terminationMessagePath"
#define KL_ANNOTATION_TERMINATION_MESSAGE_POLICY "io.kubernetes.container.terminationMessagePolicy"
#define KL_ANNOTATION_PRE_STOP "io.kubernetes.container.preStopHandler"
#define KL_ANNOTATION_GRACE_PERIOD "io.kubernetes.pod.terminationGracePeriod"
#define KL_ANNOTATION_CONTAINER_PORTS "io.kubernetes.container.ports"
#define KL_ANNOTATION_INIT "io.kubernetes.container.init" /* ours: "true" on init containers */

/* A CRI map built up entry by entry; entries and strings are malloc'd so a
   request built from it frees with protobuf_c_message_free_unpacked (). */
struct kl_cri_map_s
{
  Runtime__V1__ContainerConfig__LabelsEntry **entries; /* same layout for every map type */
  size_t n;
};
typedef struct kl_cri_map_s kl_cri_map_t;

void kl_cri_map_set (kl_cri_map_t *map, const char *key, const char *value);

/* The value of `key` in CRI map entries (any of the generated map types). */
const char *kl_cri_map_get (void *const *entries, size_t n, const char *key);

/* Sandbox labels: the pod's own labels plus name, namespace, uid, managed. */
void kl_sandbox_labels (const kl_pod_t *pod, kl_cri_map_t *out);

/* Sandbox annotations: the pod's annotations. */
void kl_sandbox_annotations (const kl_pod_t *pod, kl_cri_map_t *out);

/* Container labels: pod name, namespace, uid and container name. */
void kl_container_labels (const kl_pod_t *pod, const kl_container_t *container, kl_cri_map_t *out);

/* Container annotations: hash, restart count, termination message settings,
   grace period, and whether it is an init container. */
void kl_container_annotations (const kl_pod_t *pod, const kl_container_t *container, uint64_t hash,
                               int restart_count, int is_init, kl_cri_map_t *out);

#ifdef __cplusplus
}
#endif

#endif

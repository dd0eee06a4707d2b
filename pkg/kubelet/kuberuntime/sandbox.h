/* Pod sandboxes: the CRI PodSandboxConfig for a pod, as the Go kubelet
   generates it. */
#ifndef KL_KUBERUNTIME_SANDBOX_H
#define KL_KUBERUNTIME_SANDBOX_H

#include <stdint.h>

#include "api/cri/v1/api.pb-c.h"
#include "pkg/kubelet/api/types.h"
#include "pkg/util/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Where the pod's container logs go: <pod_logs_dir>/<ns>_<name>_<uid>. */
char *kl_pod_log_directory (const char *pod_logs_dir, const kl_pod_t *pod);

/* The sandbox config for attempt `attempt` of `pod`; free it with
   protobuf_c_message_free_unpacked (). `resolv_conf` is the node's
   resolv.conf (pods not on the host network and not dnsPolicy None use it). */
int kl_sandbox_config_make (const kl_pod_t *pod, uint32_t attempt, const char *pod_logs_dir,
                            const char *resolv_conf, Runtime__V1__PodSandboxConfig **out,
                            kl_error_t *err);

/* The namespace modes (network, PID, IPC) the pod asks for. */
Runtime__V1__NamespaceOption *kl_pod_namespace_options (const kl_pod_t *pod);

#ifdef __cplusplus
}
#endif

#endif

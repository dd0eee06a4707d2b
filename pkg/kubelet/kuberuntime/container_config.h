/* The CRI ContainerConfig for one container of a pod, as the Go kubelet's
   generateContainerConfig builds it. */
#ifndef KL_KUBERUNTIME_CONTAINER_CONFIG_H
#define KL_KUBERUNTIME_CONTAINER_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "api/cri/v1/api.pb-c.h"
#include "pkg/kubelet/api/types.h"
#include "pkg/util/error.h"

#ifdef __cplusplus
extern "C" {
#endif

struct kl_container_config_opts_s
{
  const char *image_ref; /* the pulled image's ID */
  int restart_count;     /* becomes the attempt and the log file's number */
  bool is_init;
  const char *pod_dir;              /* <root-dir>/pods/<uid>: volumes live below */
  const char *etc_hosts_path;       /* mounted on /etc/hosts, or NULL */
  const char *termination_log_path; /* host file mounted on terminationMessagePath, or NULL */
  int64_t memory_capacity;          /* node memory, for the OOM score */
};
typedef struct kl_container_config_opts_s kl_container_config_opts_t;

/* Builds the config; free it with protobuf_c_message_free_unpacked (). */
int kl_container_config_make (const kl_pod_t *pod, const kl_container_t *container,
                              const kl_container_config_opts_t *opts,
                              Runtime__V1__ContainerConfig **out, kl_error_t *err);

/* Resolves `sub_path` inside the volume at `base` for a subPath mount:
   relative, no "..", no symlinks on the way (so it cannot lead out of the
   volume), missing directories created. *out is base/sub_path. */
int kl_subpath_prepare (const char *base, const char *sub_path, char **out, kl_error_t *err);

/* Kubernetes' $(VAR) expansion: references to names in `env` (n entries)
   are replaced by their values, "$$" becomes "$", anything else stays. */
char *kl_expand_env (const char *s, const kl_env_var_t *env, size_t n);

#ifdef __cplusplus
}
#endif

#endif

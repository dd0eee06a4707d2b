/* The runtime manager's state, shared by its files (manager.c, images.c,
   containers.c). */
#ifndef KL_KUBERUNTIME_MANAGER_INTERNAL_H
#define KL_KUBERUNTIME_MANAGER_INTERNAL_H

#include "pkg/kubelet/kuberuntime/manager.h"
#include "pkg/util/backoff.h"
#include "pkg/util/cancel.h"

struct kl_runtime_manager_s
{
  kl_runtime_manager_opts_t opts; /* strings owned */
  kl_backoff_t crash_backoff;     /* "<uid>/<container>/<hash>" */
  kl_backoff_t image_backoff;     /* "<uid>/<image>" */
};

int64_t kl_manager_now (kl_runtime_manager_t *m);

/* Times `ret` of one runtime operation for the metrics hook. */
void kl_manager_observe (kl_runtime_manager_t *m, const char *operation, int64_t start, int ret);

/* Makes sure the container's image is present per its pull policy; *image_ref
   is the image ID. On failure *reason and *message say why (ErrImagePull,
   ImagePullBackOff, ErrImageNeverPull), *retry_ns when a back-off ends, and
   the return is negative. */
int kl_ensure_image (kl_runtime_manager_t *m, const kl_pod_t *pod, const kl_container_t *c,
                     const Runtime__V1__PodSandboxConfig *sandbox_config, char **image_ref,
                     int64_t *retry_ns, char **reason, char **message);

/* Starts one (init) container in `sandbox_id`: image, config, create,
   start, postStart hook. On failure *reason and *message are set, and *retry_ns
   to when a back-off ends (0: no back-off). A `cancel` fired during the
   image pull fails it before anything is created. */
int kl_start_container (kl_runtime_manager_t *m, const kl_pod_t *pod, const kl_container_t *c,
                        bool is_init, const kl_runtime_pod_t *status, const char *sandbox_id,
                        const Runtime__V1__PodSandboxConfig *sandbox_config, const char *pod_ip,
                        const kl_cancel_t *cancel, int64_t *retry_ns, char **reason,
                        char **message);

/* Runs the preStop hook (if `spec` has one), then stops the container
   within `grace_seconds`. */
int kl_kill_container (kl_runtime_manager_t *m, const kl_container_t *spec, const char *id,
                       const char *name, int64_t grace_seconds, const char *why, kl_error_t *err);

/* Runs an exec lifecycle hook in the container; the hook's output on
   failure goes to *message. */
int kl_run_exec_hook (kl_runtime_manager_t *m, const char *container_id, char *const *command,
                      size_t n_command, int64_t timeout_seconds, char **message);

#endif

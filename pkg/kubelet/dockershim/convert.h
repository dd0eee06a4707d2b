/* Docker containers and images -> CRI sandboxes, containers, statuses and images. */
#ifndef DS_CONVERT_H
#define DS_CONVERT_H

#include <stdbool.h>
#include <stdint.h>

#include "api/cri/v1/api.pb-c.h"
#include "pkg/kubelet/dockershim/checkpoint.h"
#include "pkg/kubelet/dockershim/libdocker/types.h"
#include "pkg/util/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A list entry of a sandbox (KL_ERROR_INVALID if its name is not ours). */
int ds_sandbox_from_summary (const docker_container_summary_t *c, Runtime__V1__PodSandbox **out,
                             kl_error_t *err);

/* A sandbox's status; `cp` (may be NULL) supplies the PID mode asked for,
   `ip` the pod IP. */
int ds_sandbox_status_from_inspect (const docker_container_inspect_t *c, const ds_checkpoint_t *cp,
                                    const char *ip, Runtime__V1__PodSandboxStatus **out,
                                    kl_error_t *err);

/* A NOTREADY list entry for a sandbox known only from its checkpoint. */
Runtime__V1__PodSandbox *ds_sandbox_from_checkpoint (const char *id, const ds_checkpoint_t *cp);

/* Docker's State.Status ("running", ...) as a CRI container state. */
Runtime__V1__ContainerState ds_container_state_from_docker (const char *status);

/* A list entry of a container (KL_ERROR_INVALID if its name is not ours). */
int ds_container_from_summary (const docker_container_summary_t *c, Runtime__V1__Container **out,
                               kl_error_t *err);

/* A container's status: state, times, exit code and reason (OOMKilled,
   Completed, Error, ContainerCannotRun), mounts, log path, resources. */
int ds_container_status_from_inspect (const docker_container_inspect_t *c,
                                      Runtime__V1__ContainerStatus **out, kl_error_t *err);

/* The image config's User as CRI wants it: a numeric user (before any
   ":group") is a uid, anything else a user name. */
void ds_image_user (const char *user, bool *has_uid, int64_t *uid, char **username);

Runtime__V1__Image *ds_image_from_summary (const docker_image_summary_t *image, bool pinned);
Runtime__V1__Image *ds_image_from_inspect (const docker_image_inspect_t *image, bool pinned);

#ifdef __cplusplus
}
#endif

#endif

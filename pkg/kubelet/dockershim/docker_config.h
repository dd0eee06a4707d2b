/* CRI sandbox and container configs -> Docker create bodies (Config + HostConfig JSON). */
#ifndef DS_DOCKER_CONFIG_H
#define DS_DOCKER_CONFIG_H

#include <jansson.h> /* json_t: the bodies libdocker sends */

#include "api/cri/v1/api.pb-c.h"
#include "pkg/util/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* How pods that do not use the node's network get theirs. */
enum ds_network_mode
{
  DS_NETWORK_BRIDGE = 0, /* Docker's default network (NetworkMode "default") */
  DS_NETWORK_CNI,        /* NetworkMode "none"; the CNI plugins set the namespace up */
};

/* What the translation needs besides the CRI config. */
typedef struct ds_create_context_s
{
  const char *pod_infra_image;
  enum ds_network_mode network;
  const char *cgroup_driver; /* "systemd" or "cgroupfs" (Docker's) */
  int oom_floor;             /* ds_oom_detect_floor */
} ds_create_context_t;

/* The sandbox's CPU shares and oom_score_adj (before clamping), as the Go dockershim. */
#define DS_SANDBOX_CPU_SHARES 2
#define DS_SANDBOX_OOM_SCORE_ADJ (-998)

/* The pause container's name and create body for `config`. */
int ds_sandbox_create_body (const ds_create_context_t *ctx,
                            const Runtime__V1__PodSandboxConfig *config, char **name, json_t **body,
                            kl_error_t *err);

/* A container's name and create body: it joins the namespaces of the
   sandbox `sandbox_id` as its namespace options say. */
int ds_container_create_body (const ds_create_context_t *ctx, const char *sandbox_id,
                              const Runtime__V1__ContainerConfig *config,
                              const Runtime__V1__PodSandboxConfig *sandbox_config, char **name,
                              json_t **body, kl_error_t *err);

/* POST /containers/{id}/update's body for `resources` (the fields Docker can
   change on a live container). */
json_t *ds_update_resources_body (const Runtime__V1__LinuxContainerResources *resources);

/* "host:container[:ro][,rslave|rshared]" as HostConfig.Binds takes it, or
   NULL when a path holds ':' and the mount must go to HostConfig.Mounts. */
char *ds_mount_to_bind (const Runtime__V1__Mount *mount);

/* The cgroup parent Docker expects with its cgroup driver: systemd wants
   the slice name only. */
char *ds_cgroup_parent (const char *cgroup_driver, const char *parent);

/* ---- security_context.c: shared by the sandbox and container bodies ---- */

/* Sets Config.User from run_as_user / run_as_username / run_as_group;
   KL_ERROR_INVALID for a group without a user. */
int ds_apply_user (json_t *config, const Runtime__V1__Int64Value *run_as_user,
                   const char *run_as_username, const Runtime__V1__Int64Value *run_as_group,
                   kl_error_t *err);

/* HostConfig.SecurityOpt entries for a seccomp profile: NULL (or the
   deprecated path "" / "unconfined") runs unconfined as the Go dockershim
   did, RuntimeDefault leaves Docker's default profile, Localhost reads the
   JSON profile from the absolute path. */
int ds_append_seccomp_opts (json_t *security_opts, const Runtime__V1__SecurityProfile *seccomp,
                            const char *deprecated_path, kl_error_t *err);

/* The same for AppArmor: runtime/default leaves Docker's, unconfined and a
   named (localhost) profile are passed on. */
int ds_append_apparmor_opts (json_t *security_opts, const Runtime__V1__SecurityProfile *apparmor,
                             const char *deprecated_profile, kl_error_t *err);

/* A JSON array of strings. */
json_t *ds_json_strv (char *const *v, size_t n);

#ifdef __cplusplus
}
#endif

#endif

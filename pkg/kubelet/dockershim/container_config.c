/* ContainerConfig -> a container's Docker create body, joining its sandbox's namespaces. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "pkg/kubelet/dockershim/docker_config.h"
#include "pkg/kubelet/dockershim/naming.h"
#include "pkg/kubelet/dockershim/oom.h"
#include "pkg/util/utils.h"

/* The CRI's deprecated seccomp and AppArmor strings are still honoured. */
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"

char *
ds_mount_to_bind (const Runtime__V1__Mount *mount)
{
  const char *host = mount->host_path ? mount->host_path : "";
  const char *target = mount->container_path ? mount->container_path : "";
  if (strchr (host, ':') || strchr (target, ':'))
    return NULL;
  const char *propagation = NULL;
  if (mount->propagation == RUNTIME__V1__MOUNT_PROPAGATION__PROPAGATION_HOST_TO_CONTAINER)
    propagation = "rslave";
  else if (mount->propagation == RUNTIME__V1__MOUNT_PROPAGATION__PROPAGATION_BIDIRECTIONAL)
    propagation = "rshared";
  /* PROPAGATION_PRIVATE: dockerd's default (rprivate, or rslave below its root). */
  if (mount->readonly && propagation)
    return xasprintf ("%s:%s:ro,%s", host, target, propagation);
  if (mount->readonly)
    return xasprintf ("%s:%s:ro", host, target);
  if (propagation)
    return xasprintf ("%s:%s:%s", host, target, propagation);
  return xasprintf ("%s:%s", host, target);
}

/* A HostConfig.Mounts entry for a mount a Binds string cannot carry. */
static json_t *
mount_to_json (const Runtime__V1__Mount *mount)
{
  json_t *m = json_pack ("{s:s, s:s, s:s, s:b}", "Type", "bind", "Source",
                         mount->host_path ? mount->host_path : "", "Target",
                         mount->container_path ? mount->container_path : "", "ReadOnly",
                         (int) mount->readonly);
  if (mount->propagation == RUNTIME__V1__MOUNT_PROPAGATION__PROPAGATION_HOST_TO_CONTAINER)
    json_object_set_new (m, "BindOptions", json_pack ("{s:s}", "Propagation", "rslave"));
  else if (mount->propagation == RUNTIME__V1__MOUNT_PROPAGATION__PROPAGATION_BIDIRECTIONAL)
    json_object_set_new (m, "BindOptions", json_pack ("{s:s}", "Propagation", "rshared"));
  return m;
}

static void
apply_mounts (json_t *hc, Runtime__V1__Mount *const *mounts, size_t n)
{
  json_t *binds = NULL, *other = NULL;
  for (size_t i = 0; i < n; i++)
    {
      char *bind = ds_mount_to_bind (mounts[i]);
      if (bind)
        {
          if (binds == NULL)
            binds = json_array ();
          json_array_append_new (binds, json_string (bind));
          free (bind);
        }
      else
        {
          if (other == NULL)
            other = json_array ();
          json_array_append_new (other, mount_to_json (mounts[i]));
        }
    }
  if (binds)
    json_object_set_new (hc, "Binds", binds);
  if (other)
    json_object_set_new (hc, "Mounts", other);
}

static void
apply_resources (json_t *hc, const Runtime__V1__LinuxContainerResources *r, int oom_floor)
{
  if (r->memory_limit_in_bytes > 0)
    {
      json_object_set_new (hc, "Memory", json_integer (r->memory_limit_in_bytes));
      /* The same swap limit keeps the container off swap, unless it asks for some. */
      int64_t swap = r->memory_swap_limit_in_bytes > 0 ? r->memory_swap_limit_in_bytes
                                                       : r->memory_limit_in_bytes;
      json_object_set_new (hc, "MemorySwap", json_integer (swap));
    }
  if (r->cpu_shares > 0)
    json_object_set_new (hc, "CpuShares", json_integer (r->cpu_shares));
  if (r->cpu_quota > 0)
    json_object_set_new (hc, "CpuQuota", json_integer (r->cpu_quota));
  if (r->cpu_period > 0)
    json_object_set_new (hc, "CpuPeriod", json_integer (r->cpu_period));
  if (r->cpuset_cpus && r->cpuset_cpus[0])
    json_object_set_new (hc, "CpusetCpus", json_string (r->cpuset_cpus));
  if (r->cpuset_mems && r->cpuset_mems[0])
    json_object_set_new (hc, "CpusetMems", json_string (r->cpuset_mems));
  json_object_set_new (hc, "OomScoreAdj",
                       json_integer (ds_oom_clamp (r->oom_score_adj, oom_floor)));
}

json_t *
ds_update_resources_body (const Runtime__V1__LinuxContainerResources *r)
{
  json_t *body = json_object ();
  if (r == NULL)
    return body;
  apply_resources (body, r, DS_OOM_SCORE_ADJ_MIN);
  /* Docker cannot change oom_score_adj of a created container. */
  json_object_del (body, "OomScoreAdj");
  return body;
}

/* The PID, IPC, network and UTS modes that put the container into its
   sandbox's namespaces (or the node's). */
static void
apply_namespaces (json_t *hc, const char *sandbox_id, const Runtime__V1__NamespaceOption *ns)
{
  cleanup_free char *sandbox_mode = xasprintf ("container:%s", sandbox_id);
  json_object_set_new (hc, "NetworkMode", json_string (sandbox_mode));
  json_object_set_new (hc, "IpcMode", json_string (sandbox_mode));
  if (ns && ns->network == RUNTIME__V1__NAMESPACE_MODE__NODE)
    json_object_set_new (hc, "UTSMode", json_string ("host"));
  switch (ns ? ns->pid : RUNTIME__V1__NAMESPACE_MODE__CONTAINER)
    {
    case RUNTIME__V1__NAMESPACE_MODE__NODE:
      json_object_set_new (hc, "PidMode", json_string ("host"));
      break;
    case RUNTIME__V1__NAMESPACE_MODE__POD:
      json_object_set_new (hc, "PidMode", json_string (sandbox_mode));
      break;
    case RUNTIME__V1__NAMESPACE_MODE__TARGET:
      if (ns->target_id && ns->target_id[0])
        {
          cleanup_free char *target = xasprintf ("container:%s", ns->target_id);
          json_object_set_new (hc, "PidMode", json_string (target));
        }
      break;
    case RUNTIME__V1__NAMESPACE_MODE__CONTAINER:
    default:
      break; /* a PID namespace of its own */
    }
}

static int
apply_security_context (json_t *body, json_t *hc,
                        const Runtime__V1__LinuxContainerSecurityContext *sc, kl_error_t *err)
{
  json_t *security_opts = json_array ();
  json_object_set_new (hc, "SecurityOpt", security_opts);
  if (sc == NULL)
    return ds_append_seccomp_opts (security_opts, NULL, NULL, err);

  int ret = ds_apply_user (body, sc->run_as_user, sc->run_as_username, sc->run_as_group, err);
  if (ret < 0)
    return ret;
  if (sc->n_supplemental_groups > 0)
    {
      json_t *groups = json_array ();
      for (size_t i = 0; i < sc->n_supplemental_groups; i++)
        {
          char g[32];
          snprintf (g, sizeof g, "%" PRId64, sc->supplemental_groups[i]);
          json_array_append_new (groups, json_string (g));
        }
      json_object_set_new (hc, "GroupAdd", groups);
    }
  if (sc->privileged)
    json_object_set_new (hc, "Privileged", json_true ());
  if (sc->readonly_rootfs)
    json_object_set_new (hc, "ReadonlyRootfs", json_true ());
  if (sc->capabilities)
    {
      if (sc->capabilities->n_add_capabilities > 0)
        json_object_set_new (hc, "CapAdd",
                             ds_json_strv (sc->capabilities->add_capabilities,
                                           sc->capabilities->n_add_capabilities));
      if (sc->capabilities->n_drop_capabilities > 0)
        json_object_set_new (hc, "CapDrop",
                             ds_json_strv (sc->capabilities->drop_capabilities,
                                           sc->capabilities->n_drop_capabilities));
    }
  if (sc->no_new_privs)
    json_array_append_new (security_opts, json_string ("no-new-privileges"));
  /* Empty lists mean Docker's defaults; a privileged container has none. */
  if (!sc->privileged && sc->n_masked_paths > 0)
    json_object_set_new (hc, "MaskedPaths", ds_json_strv (sc->masked_paths, sc->n_masked_paths));
  if (!sc->privileged && sc->n_readonly_paths > 0)
    json_object_set_new (hc, "ReadonlyPaths",
                         ds_json_strv (sc->readonly_paths, sc->n_readonly_paths));
  ret = ds_append_seccomp_opts (security_opts, sc->seccomp, sc->seccomp_profile_path, err);
  if (ret < 0)
    return ret;
  return ds_append_apparmor_opts (security_opts, sc->apparmor, sc->apparmor_profile, err);
}

static void
apply_devices (json_t *hc, Runtime__V1__Device *const *devices, size_t n)
{
  if (n == 0)
    return;
  json_t *list = json_array ();
  for (size_t i = 0; i < n; i++)
    {
      const char *perms
          = devices[i]->permissions && devices[i]->permissions[0] ? devices[i]->permissions : "rwm";
      json_array_append_new (
          list, json_pack ("{s:s, s:s, s:s}", "PathOnHost",
                           devices[i]->host_path ? devices[i]->host_path : "", "PathInContainer",
                           devices[i]->container_path ? devices[i]->container_path : "",
                           "CgroupPermissions", perms));
    }
  json_object_set_new (hc, "Devices", list);
}

static char *
join_log_path (const char *dir, const char *path)
{
  if (path == NULL || path[0] == '\0')
    return xstrdup ("");
  if (dir == NULL || dir[0] == '\0' || path[0] == '/')
    return xstrdup (path);
  size_t len = strlen (dir);
  return xasprintf ("%s%s%s", dir, dir[len - 1] == '/' ? "" : "/", path);
}

int
ds_container_create_body (const ds_create_context_t *ctx, const char *sandbox_id,
                          const Runtime__V1__ContainerConfig *config,
                          const Runtime__V1__PodSandboxConfig *sandbox_config, char **name,
                          json_t **body, kl_error_t *err)
{
  if (config == NULL || config->metadata == NULL || config->metadata->name == NULL
      || config->metadata->name[0] == '\0')
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0,
                               "container config: metadata.name is missing");
  if (strchr (config->metadata->name, '_'))
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0,
                               "container config: name %s may not hold '_'",
                               config->metadata->name);
  if (config->image == NULL || config->image->image == NULL || config->image->image[0] == '\0')
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "container config %s: image is missing",
                               config->metadata->name);
  const Runtime__V1__PodSandboxMetadata *sm = sandbox_config ? sandbox_config->metadata : NULL;
  if (sm == NULL || sm->name == NULL || sm->namespace_ == NULL || sm->uid == NULL)
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0,
                               "container %s: the sandbox config and its metadata are required",
                               config->metadata->name);

  json_t *b = json_object ();
  json_t *hc = json_object ();
  json_object_set_new (b, "HostConfig", hc);

  json_t *labels
      = ds_make_labels ((ds_pb_kv_t *const *) config->labels, config->n_labels,
                        (ds_pb_kv_t *const *) config->annotations, config->n_annotations);
  json_object_set_new (labels, DS_LABEL_CONTAINER_TYPE, json_string (DS_CONTAINER_TYPE_CONTAINER));
  cleanup_free char *log_path = join_log_path (sandbox_config->log_directory, config->log_path);
  json_object_set_new (labels, DS_LABEL_LOG_PATH, json_string (log_path));
  json_object_set_new (labels, DS_LABEL_SANDBOX_ID, json_string (sandbox_id));
  json_object_set_new (b, "Labels", labels);

  json_object_set_new (b, "Image", json_string (config->image->image));
  if (config->n_command > 0)
    json_object_set_new (b, "Entrypoint", ds_json_strv (config->command, config->n_command));
  if (config->n_args > 0)
    json_object_set_new (b, "Cmd", ds_json_strv (config->args, config->n_args));
  if (config->n_envs > 0)
    {
      json_t *env = json_array ();
      for (size_t i = 0; i < config->n_envs; i++)
        {
          cleanup_free char *kv
              = xasprintf ("%s=%s", config->envs[i]->key ? config->envs[i]->key : "",
                           config->envs[i]->value ? config->envs[i]->value : "");
          json_array_append_new (env, json_string (kv));
        }
      json_object_set_new (b, "Env", env);
    }
  if (config->working_dir && config->working_dir[0])
    json_object_set_new (b, "WorkingDir", json_string (config->working_dir));
  if (config->stdin)
    json_object_set_new (b, "OpenStdin", json_true ());
  if (config->stdin_once)
    json_object_set_new (b, "StdinOnce", json_true ());
  if (config->tty)
    json_object_set_new (b, "Tty", json_true ());
  /* The kubelet probes; Docker's own health checks stay off. */
  json_object_set_new (b, "Healthcheck", json_pack ("{s:[s]}", "Test", "NONE"));

  json_object_set_new (hc, "RestartPolicy", json_pack ("{s:s}", "Name", "no"));
  json_object_set_new (hc, "LogConfig", json_pack ("{s:s, s:{}}", "Type", "json-file", "Config"));
  apply_mounts (hc, config->mounts, config->n_mounts);
  apply_devices (hc, config->devices, config->n_devices);

  const Runtime__V1__LinuxContainerConfig *lc = config->linux;
  const Runtime__V1__LinuxContainerSecurityContext *sc = lc ? lc->security_context : NULL;
  apply_namespaces (hc, sandbox_id, sc ? sc->namespace_options : NULL);
  if (lc && lc->resources)
    apply_resources (hc, lc->resources, ctx->oom_floor);
  else
    json_object_set_new (hc, "OomScoreAdj", json_integer (ds_oom_clamp (0, ctx->oom_floor)));
  if (sandbox_config->linux)
    {
      cleanup_free char *parent
          = ds_cgroup_parent (ctx->cgroup_driver, sandbox_config->linux->cgroup_parent);
      if (parent)
        json_object_set_new (hc, "CgroupParent", json_string (parent));
    }
  int ret = apply_security_context (b, hc, sc, err);
  if (ret < 0)
    {
      json_decref (b);
      return ret;
    }

  *name = ds_make_container_name (config->metadata->name, sm->name, sm->namespace_, sm->uid,
                                  config->metadata->attempt);
  *body = b;
  return 0;
}

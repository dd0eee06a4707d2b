#include "pkg/kubelet/kuberuntime/container_config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pkg/kubelet/api/static.h"
#include "pkg/kubelet/kuberuntime/labels.h"
#include "pkg/kubelet/kuberuntime/pb.h"
#include "pkg/kubelet/kuberuntime/qos.h"
#include "pkg/kubelet/kuberuntime/sandbox.h"
#include "pkg/kubelet/volume/volume.h"

#define CPU_PERIOD_US 100000

/* What the Go kubelet masks and makes read-only in unprivileged containers. */
static const char *const default_masked_paths[] = {
  "/proc/acpi",        "/proc/kcore",       "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
  "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware",
};
static const char *const default_readonly_paths[] = {
  "/proc/asound", "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
};

char *
kl_expand_env (const char *s, const kl_env_var_t *env, size_t n)
{
  size_t cap = strlen (s) + 1, len = 0;
  char *out = xmalloc (cap);
  for (const char *p = s; *p;)
    {
      const char *piece = p;
      size_t piece_len = 1;
      if (p[0] == '$' && p[1] == '$')
        {
          piece_len = 1; /* "$$" -> "$" */
          p += 2;
        }
      else if (p[0] == '$' && p[1] == '(')
        {
          const char *close = strchr (p + 2, ')');
          const char *value = NULL;
          if (close)
            for (size_t i = n; i-- > 0;)
              if (env[i].name && strlen (env[i].name) == (size_t) (close - p - 2)
                  && strncmp (env[i].name, p + 2, close - p - 2) == 0)
                {
                  value = env[i].value ? env[i].value : "";
                  break;
                }
          if (value)
            {
              piece = value;
              piece_len = strlen (value);
              p = close + 1;
            }
          else if (close)
            {
              piece_len = (size_t) (close - p + 1);
              p += piece_len;
            }
          else
            {
              piece_len = 2; /* an unclosed "$(" stays, scanning goes on */
              p += 2;
            }
        }
      else
        p++;
      if (len + piece_len + 1 > cap)
        {
          cap = (len + piece_len + 1) * 2;
          out = xrealloc (out, cap);
        }
      memcpy (out + len, piece, piece_len);
      len += piece_len;
    }
  out[len] = '\0';
  return out;
}

int
kl_subpath_prepare (const char *base, const char *sub_path, char **out, kl_error_t *err)
{
  if (sub_path[0] == '/')
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "subPath \"%s\" must be a relative path",
                               sub_path);
  for (const char *p = sub_path; p && *p;)
    {
      const char *slash = strchr (p, '/');
      size_t len = slash ? (size_t) (slash - p) : strlen (p);
      if (len == 2 && p[0] == '.' && p[1] == '.')
        return kl_make_error_kind (err, KL_ERROR_INVALID, 0,
                                   "subPath \"%s\" must not contain \"..\"", sub_path);
      p = slash ? slash + 1 : NULL;
    }
  cleanup_close int dir = open (base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0)
    return kl_make_error (err, errno, "open volume %s", base);
  cleanup_free char *copy = xstrdup (sub_path);
  char *save = NULL;
  char *next = strtok_r (copy, "/", &save);
  while (next)
    {
      char *component = next;
      next = strtok_r (NULL, "/", &save);
      if (strcmp (component, "..") == 0)
        return kl_make_error_kind (err, KL_ERROR_INVALID, 0,
                                   "subPath \"%s\" must not contain \"..\"", sub_path);
      if (strcmp (component, ".") == 0)
        continue;
      struct stat st;
      if (fstatat (dir, component, &st, AT_SYMLINK_NOFOLLOW) < 0)
        {
          if (errno != ENOENT)
            return kl_make_error (err, errno, "subPath \"%s\": %s", sub_path, component);
          /* Missing: a directory, as the Go kubelet creates it. */
          if (mkdirat (dir, component, 0755) < 0 && errno != EEXIST)
            return kl_make_error (err, errno, "subPath \"%s\": mkdir %s", sub_path, component);
          if (fstatat (dir, component, &st, AT_SYMLINK_NOFOLLOW) < 0)
            return kl_make_error (err, errno, "subPath \"%s\": %s", sub_path, component);
        }
      /* No symlinks: one could lead out of the volume (CVE-2017-1002101). */
      if (S_ISLNK (st.st_mode))
        return kl_make_error_kind (err, KL_ERROR_INVALID, 0,
                                   "subPath \"%s\": %s is a symlink, which could lead outside "
                                   "of the volume",
                                   sub_path, component);
      if (next == NULL)
        break;
      if (!S_ISDIR (st.st_mode))
        return kl_make_error_kind (err, KL_ERROR_INVALID, 0,
                                   "subPath \"%s\": %s is not a directory", sub_path, component);
      int sub = openat (dir, component, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (sub < 0)
        return kl_make_error (err, errno, "subPath \"%s\": open %s", sub_path, component);
      close (dir);
      dir = sub;
    }
  *out = xasprintf ("%s/%s", base, sub_path);
  return 0;
}

static Runtime__V1__MountPropagation
propagation (const char *p)
{
  if (p && strcmp (p, "HostToContainer") == 0)
    return RUNTIME__V1__MOUNT_PROPAGATION__PROPAGATION_HOST_TO_CONTAINER;
  if (p && strcmp (p, "Bidirectional") == 0)
    return RUNTIME__V1__MOUNT_PROPAGATION__PROPAGATION_BIDIRECTIONAL;
  return RUNTIME__V1__MOUNT_PROPAGATION__PROPAGATION_PRIVATE;
}

static void
add_mount (Runtime__V1__ContainerConfig *config, const char *container_path, const char *host_path,
           bool read_only, Runtime__V1__MountPropagation prop)
{
  Runtime__V1__Mount *m = KL_PB_NEW (Runtime__V1__Mount, runtime__v1__mount__init);
  m->container_path = xstrdup (container_path);
  m->host_path = xstrdup (host_path);
  m->readonly = read_only;
  m->propagation = prop;
  KL_PB_APPEND (config->mounts, config->n_mounts, m);
}

static bool
mounts_path (const kl_container_t *c, const char *path)
{
  for (size_t i = 0; i < c->n_volume_mounts; i++)
    if (c->volume_mounts[i].mount_path && strcmp (c->volume_mounts[i].mount_path, path) == 0)
      return true;
  return false;
}

static int
add_mounts (const kl_pod_t *pod, const kl_container_t *c, const kl_container_config_opts_t *opts,
            Runtime__V1__ContainerConfig *config, kl_error_t *err)
{
  for (size_t i = 0; i < c->n_volume_mounts; i++)
    {
      const kl_volume_mount_t *vm = &c->volume_mounts[i];
      cleanup_free char *host = NULL;
      int ret = kl_volume_host_path (opts->pod_dir, pod, vm->name, &host, err);
      if (ret < 0)
        return kl_error_wrap (err, "volumeMounts \"%s\"", vm->name);
      if (vm->sub_path && vm->sub_path[0])
        {
          char *inside = NULL;
          if (kl_subpath_prepare (host, vm->sub_path, &inside, err) < 0)
            return kl_error_wrap (err, "volumeMounts \"%s\"", vm->name);
          free (host);
          host = inside;
        }
      add_mount (config, vm->mount_path, host, vm->read_only, propagation (vm->mount_propagation));
    }
  if (opts->etc_hosts_path && !mounts_path (c, "/etc/hosts"))
    add_mount (config, "/etc/hosts", opts->etc_hosts_path, false,
               RUNTIME__V1__MOUNT_PROPAGATION__PROPAGATION_PRIVATE);
  if (opts->termination_log_path && c->termination_message_path && c->termination_message_path[0]
      && !mounts_path (c, c->termination_message_path))
    add_mount (config, c->termination_message_path, opts->termination_log_path, false,
               RUNTIME__V1__MOUNT_PROPAGATION__PROPAGATION_PRIVATE);
  return 0;
}

static Runtime__V1__LinuxContainerResources *
resources (const kl_pod_t *pod, const kl_container_t *c, int64_t memory_capacity)
{
  Runtime__V1__LinuxContainerResources *r = KL_PB_NEW (
      Runtime__V1__LinuxContainerResources, runtime__v1__linux_container_resources__init);
  const kl_resource_list_t *req = &c->resources.requests, *lim = &c->resources.limits;
  int64_t cpu_request
      = req->has_milli_cpu ? req->milli_cpu : (lim->has_milli_cpu ? lim->milli_cpu : 0);
  r->cpu_shares = kl_milli_cpu_to_shares (cpu_request);
  if (lim->has_milli_cpu)
    {
      r->cpu_period = CPU_PERIOD_US;
      r->cpu_quota = kl_milli_cpu_to_quota (lim->milli_cpu, CPU_PERIOD_US);
    }
  if (lim->has_memory_bytes)
    r->memory_limit_in_bytes = lim->memory_bytes;
  r->oom_score_adj = kl_container_oom_score_adj (pod, c, memory_capacity);
  return r;
}

static Runtime__V1__SecurityProfile *
seccomp_profile (const kl_seccomp_profile_t *p)
{
  Runtime__V1__SecurityProfile *sp
      = KL_PB_NEW (Runtime__V1__SecurityProfile, runtime__v1__security_profile__init);
  sp->profile_type = RUNTIME__V1__SECURITY_PROFILE__PROFILE_TYPE__Unconfined;
  if (p && p->type && strcmp (p->type, "RuntimeDefault") == 0)
    sp->profile_type = RUNTIME__V1__SECURITY_PROFILE__PROFILE_TYPE__RuntimeDefault;
  else if (p && p->type && strcmp (p->type, "Localhost") == 0)
    {
      sp->profile_type = RUNTIME__V1__SECURITY_PROFILE__PROFILE_TYPE__Localhost;
      sp->localhost_ref = xstrdup (p->localhost_profile ? p->localhost_profile : "");
    }
  return sp;
}

static Runtime__V1__LinuxContainerSecurityContext *
security_context (const kl_pod_t *pod, const kl_container_t *c)
{
  Runtime__V1__LinuxContainerSecurityContext *sc
      = KL_PB_NEW (Runtime__V1__LinuxContainerSecurityContext,
                   runtime__v1__linux_container_security_context__init);
  const kl_security_context_t *csc = c->security_context;
  const kl_pod_security_context_t *psc = &pod->spec.security_context;
  sc->namespace_options = kl_pod_namespace_options (pod);
  sc->privileged = csc && csc->privileged;

  bool has_user = csc && csc->has_run_as_user;
  if (has_user || psc->has_run_as_user)
    {
      sc->run_as_user = KL_PB_NEW (Runtime__V1__Int64Value, runtime__v1__int64_value__init);
      sc->run_as_user->value = has_user ? csc->run_as_user : psc->run_as_user;
    }
  bool has_group = csc && csc->has_run_as_group;
  if (has_group || psc->has_run_as_group)
    {
      sc->run_as_group = KL_PB_NEW (Runtime__V1__Int64Value, runtime__v1__int64_value__init);
      sc->run_as_group->value = has_group ? csc->run_as_group : psc->run_as_group;
    }
  if (psc->n_supplemental_groups || psc->has_fs_group)
    {
      sc->supplemental_groups = xmalloc0 ((psc->n_supplemental_groups + 1) * sizeof (int64_t));
      for (size_t i = 0; i < psc->n_supplemental_groups; i++)
        sc->supplemental_groups[sc->n_supplemental_groups++] = psc->supplemental_groups[i];
      if (psc->has_fs_group)
        sc->supplemental_groups[sc->n_supplemental_groups++] = psc->fs_group;
    }
  sc->readonly_rootfs = csc && csc->read_only_root_filesystem;
  sc->no_new_privs = csc && csc->has_allow_privilege_escalation && !csc->allow_privilege_escalation;
  if (csc && csc->capabilities)
    {
      Runtime__V1__Capability *cap
          = KL_PB_NEW (Runtime__V1__Capability, runtime__v1__capability__init);
      cap->add_capabilities = kl_pb_strv (csc->capabilities->add, csc->capabilities->n_add);
      cap->n_add_capabilities = csc->capabilities->n_add;
      cap->drop_capabilities = kl_pb_strv (csc->capabilities->drop, csc->capabilities->n_drop);
      cap->n_drop_capabilities = csc->capabilities->n_drop;
      sc->capabilities = cap;
    }
  if (!sc->privileged)
    {
      sc->masked_paths
          = kl_pb_strv ((char *const *) default_masked_paths, KL_ARRAY_SIZE (default_masked_paths));
      sc->n_masked_paths = KL_ARRAY_SIZE (default_masked_paths);
      sc->readonly_paths = kl_pb_strv ((char *const *) default_readonly_paths,
                                       KL_ARRAY_SIZE (default_readonly_paths));
      sc->n_readonly_paths = KL_ARRAY_SIZE (default_readonly_paths);
    }
  const kl_seccomp_profile_t *seccomp
      = csc && csc->seccomp_profile ? csc->seccomp_profile : psc->seccomp_profile;
  sc->seccomp = seccomp_profile (seccomp);
  return sc;
}

int
kl_container_config_make (const kl_pod_t *pod, const kl_container_t *c,
                          const kl_container_config_opts_t *opts,
                          Runtime__V1__ContainerConfig **out, kl_error_t *err)
{
  Runtime__V1__ContainerConfig *config
      = KL_PB_NEW (Runtime__V1__ContainerConfig, runtime__v1__container_config__init);
  Runtime__V1__ContainerMetadata *meta
      = KL_PB_NEW (Runtime__V1__ContainerMetadata, runtime__v1__container_metadata__init);
  meta->name = xstrdup (c->name);
  meta->attempt = (uint32_t) opts->restart_count;
  config->metadata = meta;
  config->image = KL_PB_NEW (Runtime__V1__ImageSpec, runtime__v1__image_spec__init);
  config->image->image = xstrdup (opts->image_ref);

  /* Env values may refer to earlier entries; command and args to all. */
  kl_env_var_t *env = xmalloc0 ((c->n_env ? c->n_env : 1) * sizeof *env);
  for (size_t i = 0; i < c->n_env; i++)
    {
      env[i].name = c->env[i].name;
      env[i].value = kl_expand_env (c->env[i].value ? c->env[i].value : "", env, i);
    }
  config->command = xmalloc0 ((c->n_command ? c->n_command : 1) * sizeof (char *));
  for (size_t i = 0; i < c->n_command; i++)
    config->command[config->n_command++] = kl_expand_env (c->command[i], env, c->n_env);
  config->args = xmalloc0 ((c->n_args ? c->n_args : 1) * sizeof (char *));
  for (size_t i = 0; i < c->n_args; i++)
    config->args[config->n_args++] = kl_expand_env (c->args[i], env, c->n_env);
  config->envs = xmalloc0 ((c->n_env ? c->n_env : 1) * sizeof (Runtime__V1__KeyValue *));
  for (size_t i = 0; i < c->n_env; i++)
    {
      Runtime__V1__KeyValue *kv = KL_PB_NEW (Runtime__V1__KeyValue, runtime__v1__key_value__init);
      kv->key = xstrdup (env[i].name);
      kv->value = env[i].value; /* hand over the expanded value */
      config->envs[config->n_envs++] = kv;
    }
  free (env);
  if (c->working_dir && c->working_dir[0])
    config->working_dir = xstrdup (c->working_dir);

  kl_cri_map_t labels = { 0 }, annotations = { 0 };
  kl_container_labels (pod, c, &labels);
  kl_container_annotations (pod, c, kl_container_hash (c), opts->restart_count, opts->is_init,
                            &annotations);
  config->labels = (Runtime__V1__ContainerConfig__LabelsEntry **) labels.entries;
  config->n_labels = labels.n;
  config->annotations = (Runtime__V1__ContainerConfig__AnnotationsEntry **) annotations.entries;
  config->n_annotations = annotations.n;
  config->log_path = xasprintf ("%s/%d.log", c->name, opts->restart_count);
  config->stdin = c->stdin_;
  config->stdin_once = c->stdin_once;
  config->tty = c->tty;

  int ret = add_mounts (pod, c, opts, config, err);
  if (ret < 0)
    {
      protobuf_c_message_free_unpacked (&config->base, NULL);
      return ret;
    }
  config->linux
      = KL_PB_NEW (Runtime__V1__LinuxContainerConfig, runtime__v1__linux_container_config__init);
  config->linux->resources = resources (pod, c, opts->memory_capacity);
  config->linux->security_context = security_context (pod, c);
  *out = config;
  return 0;
}

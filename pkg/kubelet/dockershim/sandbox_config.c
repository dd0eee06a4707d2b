/* PodSandboxConfig -> the pause container's Docker create body. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "pkg/kubelet/dockershim/docker_config.h"
#include "pkg/kubelet/dockershim/naming.h"
#include "pkg/kubelet/dockershim/oom.h"
#include "pkg/util/utils.h"

char *
ds_cgroup_parent (const char *cgroup_driver, const char *parent)
{
  if (parent == NULL || parent[0] == '\0')
    return NULL;
  if (cgroup_driver != NULL && strcmp (cgroup_driver, "systemd") == 0)
    {
      /* systemd takes the slice's name only: /kubepods.slice/x.slice -> x.slice */
      size_t len = strlen (parent);
      while (len > 1 && parent[len - 1] == '/')
        len--;
      const char *base = parent;
      for (size_t i = 0; i < len; i++)
        if (parent[i] == '/' && i + 1 < len)
          base = parent + i + 1;
      return xstrndup (base, (size_t) (parent + len - base));
    }
  return xstrdup (parent);
}

static const char *
protocol_suffix (Runtime__V1__Protocol protocol)
{
  switch (protocol)
    {
    case RUNTIME__V1__PROTOCOL__UDP:
      return "udp";
    case RUNTIME__V1__PROTOCOL__SCTP:
      return "sctp";
    case RUNTIME__V1__PROTOCOL__TCP:
    default:
      return "tcp";
    }
}

/* ExposedPorts and PortBindings for Docker's own network: one binding per
   host port, several host ports may map to one container port. */
static void
apply_port_mappings (json_t *body, json_t *host_config, Runtime__V1__PortMapping *const *mappings,
                     size_t n)
{
  json_t *exposed = NULL, *bindings = NULL;
  for (size_t i = 0; i < n; i++)
    {
      const Runtime__V1__PortMapping *pm = mappings[i];
      if (pm->host_port <= 0 || pm->container_port <= 0)
        continue; /* nothing to bind on the host */
      if (exposed == NULL)
        {
          exposed = json_object ();
          bindings = json_object ();
        }
      char port[32], host_port[16];
      snprintf (port, sizeof port, "%d/%s", pm->container_port, protocol_suffix (pm->protocol));
      snprintf (host_port, sizeof host_port, "%d", pm->host_port);
      json_object_set_new (exposed, port, json_object ());
      json_t *list = json_object_get (bindings, port);
      if (list == NULL)
        {
          list = json_array ();
          json_object_set_new (bindings, port, list);
        }
      json_array_append_new (list,
                             json_pack ("{s:s, s:s}", "HostIp", pm->host_ip ? pm->host_ip : "",
                                        "HostPort", host_port));
    }
  if (exposed != NULL)
    {
      json_object_set_new (body, "ExposedPorts", exposed);
      json_object_set_new (host_config, "PortBindings", bindings);
    }
}

static int
check_metadata (const Runtime__V1__PodSandboxConfig *config, kl_error_t *err)
{
  const Runtime__V1__PodSandboxMetadata *m = config ? config->metadata : NULL;
  if (m == NULL)
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "sandbox config: metadata is missing");
  if (m->name == NULL || m->name[0] == '\0' || m->namespace_ == NULL || m->namespace_[0] == '\0'
      || m->uid == NULL || m->uid[0] == '\0')
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0,
                               "sandbox config: metadata needs a name, a namespace and a uid");
  if (strchr (m->name, '_') || strchr (m->namespace_, '_'))
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0,
                               "sandbox config: name %s and namespace %s may not hold '_'", m->name,
                               m->namespace_);
  return 0;
}

int
ds_sandbox_create_body (const ds_create_context_t *ctx, const Runtime__V1__PodSandboxConfig *config,
                        char **name, json_t **body, kl_error_t *err)
{
  int ret = check_metadata (config, err);
  if (ret < 0)
    return ret;
  const Runtime__V1__PodSandboxMetadata *m = config->metadata;
  const Runtime__V1__LinuxPodSandboxConfig *linux_config = config->linux;
  const Runtime__V1__LinuxSandboxSecurityContext *sc
      = linux_config ? linux_config->security_context : NULL;
  const Runtime__V1__NamespaceOption *ns = sc ? sc->namespace_options : NULL;

  json_t *b = json_object ();
  json_t *hc = json_object ();
  json_object_set_new (b, "HostConfig", hc);

  json_t *labels
      = ds_make_labels ((ds_pb_kv_t *const *) config->labels, config->n_labels,
                        (ds_pb_kv_t *const *) config->annotations, config->n_annotations);
  json_object_set_new (labels, DS_LABEL_CONTAINER_TYPE, json_string (DS_CONTAINER_TYPE_SANDBOX));
  json_object_set_new (labels, DS_LABEL_CONTAINER_NAME, json_string (DS_SANDBOX_CONTAINER_NAME));
  json_object_set_new (b, "Labels", labels);
  json_object_set_new (b, "Image", json_string (ctx->pod_infra_image));
  if (config->hostname && config->hostname[0])
    json_object_set_new (b, "Hostname", json_string (config->hostname));

  bool host_network = ns && ns->network == RUNTIME__V1__NAMESPACE_MODE__NODE;
  if (host_network)
    json_object_set_new (hc, "NetworkMode", json_string ("host"));
  else if (ctx->network == DS_NETWORK_CNI)
    json_object_set_new (hc, "NetworkMode", json_string ("none"));
  else
    {
      json_object_set_new (hc, "NetworkMode", json_string ("default"));
      apply_port_mappings (b, hc, config->port_mappings, config->n_port_mappings);
    }
  /* The sandbox's own PID namespace is the one POD-mode containers join. */
  if (ns && ns->pid == RUNTIME__V1__NAMESPACE_MODE__NODE)
    json_object_set_new (hc, "PidMode", json_string ("host"));
  json_object_set_new (
      hc, "IpcMode",
      json_string (ns && ns->ipc == RUNTIME__V1__NAMESPACE_MODE__NODE ? "host" : "shareable"));

  json_object_set_new (hc, "OomScoreAdj",
                       json_integer (ds_oom_clamp (DS_SANDBOX_OOM_SCORE_ADJ, ctx->oom_floor)));
  json_object_set_new (hc, "CpuShares", json_integer (DS_SANDBOX_CPU_SHARES));
  json_object_set_new (hc, "RestartPolicy", json_pack ("{s:s}", "Name", "no"));

  json_t *security_opts = json_array ();
  json_array_append_new (security_opts, json_string ("no-new-privileges"));
  json_object_set_new (hc, "SecurityOpt", security_opts);

  if (linux_config)
    {
      cleanup_free char *parent
          = ds_cgroup_parent (ctx->cgroup_driver, linux_config->cgroup_parent);
      if (parent)
        json_object_set_new (hc, "CgroupParent", json_string (parent));
      if (linux_config->n_sysctls > 0)
        {
          json_t *sysctls = json_object ();
          for (size_t i = 0; i < linux_config->n_sysctls; i++)
            json_object_set_new (sysctls, linux_config->sysctls[i]->key,
                                 json_string (linux_config->sysctls[i]->value));
          json_object_set_new (hc, "Sysctls", sysctls);
        }
    }
  if (sc)
    {
      ret = ds_apply_user (b, sc->run_as_user, NULL, sc->run_as_group, err);
      if (ret < 0)
        {
          json_decref (b);
          return ret;
        }
      if (sc->readonly_rootfs)
        json_object_set_new (hc, "ReadonlyRootfs", json_true ());
      if (sc->privileged)
        json_object_set_new (hc, "Privileged", json_true ());
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
    }

  *name = ds_make_sandbox_name (m->name, m->namespace_, m->uid, m->attempt);
  *body = b;
  return 0;
}

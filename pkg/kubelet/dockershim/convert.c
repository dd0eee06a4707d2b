#include "pkg/kubelet/dockershim/convert.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/kubelet/dockershim/naming.h"
#include "pkg/kubelet/dockershim/pb.h"
#include "pkg/util/utils.h"

#define SECOND_NS 1000000000LL

static Runtime__V1__PodSandboxMetadata *
sandbox_metadata (const ds_name_t *name)
{
  Runtime__V1__PodSandboxMetadata *m
      = DS_PB_NEW (Runtime__V1__PodSandboxMetadata, runtime__v1__pod_sandbox_metadata__init);
  m->name = xstrdup (name->pod);
  m->namespace_ = xstrdup (name->ns);
  m->uid = xstrdup (name->uid);
  m->attempt = name->attempt;
  return m;
}

static Runtime__V1__ContainerMetadata *
container_metadata (const ds_name_t *name)
{
  Runtime__V1__ContainerMetadata *m
      = DS_PB_NEW (Runtime__V1__ContainerMetadata, runtime__v1__container_metadata__init);
  m->name = xstrdup (name->container);
  m->attempt = name->attempt;
  return m;
}

static Runtime__V1__ImageSpec *
image_spec (const char *image)
{
  Runtime__V1__ImageSpec *s = DS_PB_NEW (Runtime__V1__ImageSpec, runtime__v1__image_spec__init);
  s->image = ds_pb_strdup (image);
  return s;
}

/* The first name of a list entry, which carries the metadata. */
static const char *
first_name (const docker_container_summary_t *c)
{
  return c->names.len > 0 ? c->names.items[0] : "";
}

int
ds_sandbox_from_summary (const docker_container_summary_t *c, Runtime__V1__PodSandbox **out,
                         kl_error_t *err)
{
  ds_name_t name;
  int ret = ds_parse_name (first_name (c), &name, err);
  if (ret < 0)
    return ret;
  Runtime__V1__PodSandbox *s = DS_PB_NEW (Runtime__V1__PodSandbox, runtime__v1__pod_sandbox__init);
  s->id = xstrdup (c->id);
  s->metadata = sandbox_metadata (&name);
  s->state = strcmp (c->state, "running") == 0 ? RUNTIME__V1__POD_SANDBOX_STATE__SANDBOX_READY
                                               : RUNTIME__V1__POD_SANDBOX_STATE__SANDBOX_NOTREADY;
  s->created_at = c->created * SECOND_NS;
  ds_kv_list_t labels = { 0 }, annotations = { 0 };
  ds_split_labels (&c->labels, true, &labels, &annotations);
  ds_pb_map_add_all (&s->labels, &s->n_labels, &runtime__v1__pod_sandbox__labels_entry__descriptor,
                     &labels);
  ds_pb_map_add_all (&s->annotations, &s->n_annotations,
                     &runtime__v1__pod_sandbox__annotations_entry__descriptor, &annotations);
  ds_kv_list_clear (&labels);
  ds_kv_list_clear (&annotations);
  ds_name_clear (&name);
  *out = s;
  return 0;
}

Runtime__V1__PodSandbox *
ds_sandbox_from_checkpoint (const char *id, const ds_checkpoint_t *cp)
{
  Runtime__V1__PodSandbox *s = DS_PB_NEW (Runtime__V1__PodSandbox, runtime__v1__pod_sandbox__init);
  s->id = xstrdup (id);
  s->metadata
      = DS_PB_NEW (Runtime__V1__PodSandboxMetadata, runtime__v1__pod_sandbox_metadata__init);
  s->metadata->name = xstrdup (cp->name);
  s->metadata->namespace_ = xstrdup (cp->ns);
  s->metadata->uid = xstrdup (cp->uid);
  s->metadata->attempt = cp->attempt;
  s->state = RUNTIME__V1__POD_SANDBOX_STATE__SANDBOX_NOTREADY;
  return s;
}

int
ds_sandbox_status_from_inspect (const docker_container_inspect_t *c, const ds_checkpoint_t *cp,
                                const char *ip, Runtime__V1__PodSandboxStatus **out,
                                kl_error_t *err)
{
  ds_name_t name;
  int ret = ds_parse_name (c->name, &name, err);
  if (ret < 0)
    return ret;
  Runtime__V1__PodSandboxStatus *s
      = DS_PB_NEW (Runtime__V1__PodSandboxStatus, runtime__v1__pod_sandbox_status__init);
  s->id = xstrdup (c->id);
  s->metadata = sandbox_metadata (&name);
  ds_name_clear (&name);
  s->state = c->state.running ? RUNTIME__V1__POD_SANDBOX_STATE__SANDBOX_READY
                              : RUNTIME__V1__POD_SANDBOX_STATE__SANDBOX_NOTREADY;
  s->created_at = c->created;
  s->network = DS_PB_NEW (Runtime__V1__PodSandboxNetworkStatus,
                          runtime__v1__pod_sandbox_network_status__init);
  s->network->ip = ds_pb_strdup (ip);
  s->runtime_handler = xstrdup (cp ? cp->runtime_handler : "");

  Runtime__V1__NamespaceOption *ns
      = DS_PB_NEW (Runtime__V1__NamespaceOption, runtime__v1__namespace_option__init);
  const docker_host_config_t *hc = &c->host_config;
  ns->network = strcmp (hc->network_mode, "host") == 0 ? RUNTIME__V1__NAMESPACE_MODE__NODE
                                                       : RUNTIME__V1__NAMESPACE_MODE__POD;
  if (strcmp (hc->pid_mode, "host") == 0)
    ns->pid = RUNTIME__V1__NAMESPACE_MODE__NODE;
  else if (cp && cp->pid_mode != RUNTIME__V1__NAMESPACE_MODE__NODE)
    ns->pid = cp->pid_mode;
  else
    ns->pid = RUNTIME__V1__NAMESPACE_MODE__CONTAINER;
  ns->ipc = strcmp (hc->ipc_mode, "host") == 0 ? RUNTIME__V1__NAMESPACE_MODE__NODE
                                               : RUNTIME__V1__NAMESPACE_MODE__POD;
  s->linux
      = DS_PB_NEW (Runtime__V1__LinuxPodSandboxStatus, runtime__v1__linux_pod_sandbox_status__init);
  s->linux->namespaces = DS_PB_NEW (Runtime__V1__Namespace, runtime__v1__namespace__init);
  s->linux->namespaces->options = ns;

  ds_kv_list_t labels = { 0 }, annotations = { 0 };
  ds_split_labels (&c->config.labels, true, &labels, &annotations);
  ds_pb_map_add_all (&s->labels, &s->n_labels,
                     &runtime__v1__pod_sandbox_status__labels_entry__descriptor, &labels);
  ds_pb_map_add_all (&s->annotations, &s->n_annotations,
                     &runtime__v1__pod_sandbox_status__annotations_entry__descriptor, &annotations);
  ds_kv_list_clear (&labels);
  ds_kv_list_clear (&annotations);
  *out = s;
  return 0;
}

Runtime__V1__ContainerState
ds_container_state_from_docker (const char *status)
{
  if (strcmp (status, "running") == 0 || strcmp (status, "paused") == 0
      || strcmp (status, "restarting") == 0)
    return RUNTIME__V1__CONTAINER_STATE__CONTAINER_RUNNING;
  if (strcmp (status, "exited") == 0 || strcmp (status, "dead") == 0)
    return RUNTIME__V1__CONTAINER_STATE__CONTAINER_EXITED;
  if (strcmp (status, "created") == 0)
    return RUNTIME__V1__CONTAINER_STATE__CONTAINER_CREATED;
  return RUNTIME__V1__CONTAINER_STATE__CONTAINER_UNKNOWN;
}

int
ds_container_from_summary (const docker_container_summary_t *c, Runtime__V1__Container **out,
                           kl_error_t *err)
{
  ds_name_t name;
  int ret = ds_parse_name (first_name (c), &name, err);
  if (ret < 0)
    return ret;
  Runtime__V1__Container *r = DS_PB_NEW (Runtime__V1__Container, runtime__v1__container__init);
  r->id = xstrdup (c->id);
  r->pod_sandbox_id = ds_pb_strdup (docker_labels_get (&c->labels, DS_LABEL_SANDBOX_ID));
  r->metadata = container_metadata (&name);
  ds_name_clear (&name);
  r->image = image_spec (c->image);
  r->image_ref = xstrdup (c->image_id);
  r->state = ds_container_state_from_docker (c->state);
  r->created_at = c->created * SECOND_NS;
  ds_kv_list_t labels = { 0 }, annotations = { 0 };
  ds_split_labels (&c->labels, false, &labels, &annotations);
  ds_pb_map_add_all (&r->labels, &r->n_labels, &runtime__v1__container__labels_entry__descriptor,
                     &labels);
  ds_pb_map_add_all (&r->annotations, &r->n_annotations,
                     &runtime__v1__container__annotations_entry__descriptor, &annotations);
  ds_kv_list_clear (&labels);
  ds_kv_list_clear (&annotations);
  *out = r;
  return 0;
}

static Runtime__V1__MountPropagation
propagation_from_docker (const char *p)
{
  if (strcmp (p, "rslave") == 0 || strcmp (p, "slave") == 0)
    return RUNTIME__V1__MOUNT_PROPAGATION__PROPAGATION_HOST_TO_CONTAINER;
  if (strcmp (p, "rshared") == 0 || strcmp (p, "shared") == 0)
    return RUNTIME__V1__MOUNT_PROPAGATION__PROPAGATION_BIDIRECTIONAL;
  return RUNTIME__V1__MOUNT_PROPAGATION__PROPAGATION_PRIVATE;
}

int
ds_container_status_from_inspect (const docker_container_inspect_t *c,
                                  Runtime__V1__ContainerStatus **out, kl_error_t *err)
{
  ds_name_t name;
  int ret = ds_parse_name (c->name, &name, err);
  if (ret < 0)
    return ret;
  Runtime__V1__ContainerStatus *s
      = DS_PB_NEW (Runtime__V1__ContainerStatus, runtime__v1__container_status__init);
  s->id = xstrdup (c->id);
  s->metadata = container_metadata (&name);
  ds_name_clear (&name);
  s->image = image_spec (c->config.image);
  s->image_ref = xstrdup (c->image);
  s->created_at = c->created;
  s->started_at = c->state.started_at;
  s->finished_at = c->state.finished_at;
  s->exit_code = (int32_t) c->state.exit_code;
  const char *reason = "";
  if (c->state.running)
    s->state = RUNTIME__V1__CONTAINER_STATE__CONTAINER_RUNNING;
  else if (c->state.finished_at != 0)
    {
      /* It ran and exited. */
      s->state = RUNTIME__V1__CONTAINER_STATE__CONTAINER_EXITED;
      if (c->state.oom_killed)
        reason = "OOMKilled";
      else if (c->state.exit_code == 0)
        reason = "Completed";
      else
        reason = "Error";
    }
  else if (c->state.exit_code != 0)
    {
      /* It failed to start: no finish time, but an exit code. */
      s->state = RUNTIME__V1__CONTAINER_STATE__CONTAINER_EXITED;
      s->started_at = s->finished_at = c->created;
      reason = "ContainerCannotRun";
    }
  else
    s->state = RUNTIME__V1__CONTAINER_STATE__CONTAINER_CREATED;
  s->reason = xstrdup (reason);
  s->message = xstrdup (c->state.running ? "" : c->state.error);

  for (size_t i = 0; i < c->n_mounts; i++)
    {
      const docker_mount_point_t *mp = &c->mounts[i];
      Runtime__V1__Mount *m = DS_PB_NEW (Runtime__V1__Mount, runtime__v1__mount__init);
      m->host_path = xstrdup (mp->source);
      m->container_path = xstrdup (mp->destination);
      m->readonly = !mp->rw;
      m->propagation = propagation_from_docker (mp->propagation);
      DS_PB_APPEND (s->mounts, s->n_mounts, m);
    }
  s->log_path = ds_pb_strdup (docker_labels_get (&c->config.labels, DS_LABEL_LOG_PATH));

  const docker_host_config_t *hc = &c->host_config;
  Runtime__V1__LinuxContainerResources *lr = DS_PB_NEW (
      Runtime__V1__LinuxContainerResources, runtime__v1__linux_container_resources__init);
  lr->cpu_period = hc->cpu_period;
  lr->cpu_quota = hc->cpu_quota;
  lr->cpu_shares = hc->cpu_shares;
  lr->memory_limit_in_bytes = hc->memory;
  lr->memory_swap_limit_in_bytes = hc->memory_swap > 0 ? hc->memory_swap : 0;
  lr->oom_score_adj = hc->oom_score_adj;
  lr->cpuset_cpus = xstrdup (hc->cpuset_cpus);
  lr->cpuset_mems = xstrdup (hc->cpuset_mems);
  s->resources
      = DS_PB_NEW (Runtime__V1__ContainerResources, runtime__v1__container_resources__init);
  s->resources->linux = lr;

  ds_kv_list_t labels = { 0 }, annotations = { 0 };
  ds_split_labels (&c->config.labels, false, &labels, &annotations);
  ds_pb_map_add_all (&s->labels, &s->n_labels,
                     &runtime__v1__container_status__labels_entry__descriptor, &labels);
  ds_pb_map_add_all (&s->annotations, &s->n_annotations,
                     &runtime__v1__container_status__annotations_entry__descriptor, &annotations);
  ds_kv_list_clear (&labels);
  ds_kv_list_clear (&annotations);
  *out = s;
  return 0;
}

void
ds_image_user (const char *user, bool *has_uid, int64_t *uid, char **username)
{
  *has_uid = false;
  *uid = 0;
  *username = NULL;
  if (user == NULL || user[0] == '\0')
    return;
  const char *colon = strchr (user, ':');
  cleanup_free char *u = colon ? xstrndup (user, (size_t) (colon - user)) : xstrdup (user);
  if (u[0] == '\0')
    return;
  char *end = NULL;
  errno = 0;
  long long v = strtoll (u, &end, 10);
  if (errno == 0 && *end == '\0' && u[0] >= '0' && u[0] <= '9')
    {
      *has_uid = true;
      *uid = v;
      return;
    }
  *username = steal_pointer (&u);
}

static Runtime__V1__Image *
new_image (const char *id, const docker_strings_t *tags, const docker_strings_t *digests,
           int64_t size, bool pinned)
{
  Runtime__V1__Image *im = DS_PB_NEW (Runtime__V1__Image, runtime__v1__image__init);
  im->id = xstrdup (id);
  im->n_repo_tags = tags->len;
  im->repo_tags = ds_pb_strv (tags->items, tags->len);
  im->n_repo_digests = digests->len;
  im->repo_digests = ds_pb_strv (digests->items, digests->len);
  im->size = size > 0 ? (uint64_t) size : 0;
  im->pinned = pinned;
  return im;
}

Runtime__V1__Image *
ds_image_from_summary (const docker_image_summary_t *image, bool pinned)
{
  return new_image (image->id, &image->repo_tags, &image->repo_digests, image->size, pinned);
}

Runtime__V1__Image *
ds_image_from_inspect (const docker_image_inspect_t *image, bool pinned)
{
  Runtime__V1__Image *im
      = new_image (image->id, &image->repo_tags, &image->repo_digests, image->size, pinned);
  bool has_uid = false;
  int64_t uid = 0;
  char *username = NULL;
  ds_image_user (image->config.user, &has_uid, &uid, &username);
  if (has_uid)
    {
      im->uid = DS_PB_NEW (Runtime__V1__Int64Value, runtime__v1__int64_value__init);
      im->uid->value = uid;
    }
  im->username = username ? username : xstrdup ("");
  return im;
}

/* API server defaulting (pkg/apis/core/v1/defaults.go) for the modelled fields. */
#include "pkg/kubelet/api/decode.h"

#include <string.h>

#include "pkg/util/utils.h"

static bool
is_empty (const char *s)
{
  return s == NULL || *s == '\0';
}

static void
default_string (char **field, const char *value)
{
  if (is_empty (*field))
    {
      free (*field);
      *field = xstrdup (value);
    }
}

static void
default_int32 (int32_t *field, int32_t value)
{
  if (*field == 0)
    *field = value;
}

/* As SetDefaults_Container: Always for ":latest" or no tag (the reference
   defaults to latest), IfNotPresent otherwise, digests included. */
static const char *
default_pull_policy (const char *image)
{
  if (image == NULL)
    return KL_PULL_IF_NOT_PRESENT;
  size_t name_len = strcspn (image, "@");
  bool has_digest = image[name_len] == '@';
  const char *last = image;
  for (size_t i = 0; i < name_len; i++)
    if (image[i] == '/')
      last = image + i + 1;
  const char *colon = memchr (last, ':', name_len - (size_t) (last - image));
  if (colon == NULL)
    return has_digest ? KL_PULL_IF_NOT_PRESENT : KL_PULL_ALWAYS;
  size_t tag_len = name_len - (size_t) (colon + 1 - image);
  return tag_len == 6 && memcmp (colon + 1, "latest", 6) == 0 ? KL_PULL_ALWAYS
                                                              : KL_PULL_IF_NOT_PRESENT;
}

static void
default_http_get (kl_http_get_action_t *action)
{
  if (action == NULL)
    return;
  default_string (&action->path, "/");
  default_string (&action->scheme, KL_URI_SCHEME_HTTP);
}

static void
default_probe (kl_probe_t *probe)
{
  if (probe == NULL)
    return;
  default_int32 (&probe->timeout_seconds, 1);
  default_int32 (&probe->period_seconds, 10);
  default_int32 (&probe->success_threshold, 1);
  default_int32 (&probe->failure_threshold, 3);
  default_http_get (probe->http_get);
}

static void
default_handler (kl_lifecycle_handler_t *handler)
{
  if (handler)
    default_http_get (handler->http_get);
}

/* A limit without a request sets the request (SetDefaults_Pod). */
static void
default_requests (kl_resource_requirements_t *r)
{
  if (r->limits.has_milli_cpu && !r->requests.has_milli_cpu)
    {
      r->requests.milli_cpu = r->limits.milli_cpu;
      r->requests.has_milli_cpu = true;
    }
  if (r->limits.has_memory_bytes && !r->requests.has_memory_bytes)
    {
      r->requests.memory_bytes = r->limits.memory_bytes;
      r->requests.has_memory_bytes = true;
    }
  if (r->limits.has_ephemeral_storage_bytes && !r->requests.has_ephemeral_storage_bytes)
    {
      r->requests.ephemeral_storage_bytes = r->limits.ephemeral_storage_bytes;
      r->requests.has_ephemeral_storage_bytes = true;
    }
}

static void
default_container (kl_container_t *c, bool host_network)
{
  default_string (&c->termination_message_path, "/dev/termination-log");
  default_string (&c->termination_message_policy, KL_TERMINATION_MESSAGE_READ_FILE);
  default_string (&c->image_pull_policy, default_pull_policy (c->image));
  for (size_t i = 0; i < c->n_ports; i++)
    {
      default_string (&c->ports[i].protocol, KL_PROTOCOL_TCP);
      if (host_network && c->ports[i].host_port == 0)
        c->ports[i].host_port = c->ports[i].container_port;
    }
  default_requests (&c->resources);
  default_probe (c->liveness_probe);
  default_probe (c->readiness_probe);
  default_probe (c->startup_probe);
  if (c->lifecycle)
    {
      default_handler (c->lifecycle->post_start);
      default_handler (c->lifecycle->pre_stop);
    }
}

void
kl_pod_set_defaults (kl_pod_t *pod)
{
  kl_pod_spec_t *spec = &pod->spec;
  default_string (&pod->metadata.namespace_, "default");
  default_string (&spec->restart_policy, KL_RESTART_POLICY_ALWAYS);
  default_string (&spec->dns_policy, KL_DNS_CLUSTER_FIRST);
  default_string (&spec->scheduler_name, "default-scheduler");
  if (!spec->has_termination_grace_period_seconds)
    {
      spec->termination_grace_period_seconds = 30;
      spec->has_termination_grace_period_seconds = true;
    }
  if (!spec->has_enable_service_links)
    {
      spec->enable_service_links = true;
      spec->has_enable_service_links = true;
    }
  for (size_t i = 0; i < spec->n_volumes; i++)
    {
      kl_volume_t *v = &spec->volumes[i];
      if (v->host_path == NULL && v->empty_dir == NULL)
        v->empty_dir = xmalloc0 (sizeof *v->empty_dir);
    }
  for (size_t i = 0; i < spec->n_init_containers; i++)
    default_container (&spec->init_containers[i], spec->host_network);
  for (size_t i = 0; i < spec->n_containers; i++)
    default_container (&spec->containers[i], spec->host_network);
}

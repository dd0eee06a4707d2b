/* Validation of containers and init containers: names, images, ports, env,
   mounts, resources, probes, lifecycle hooks and security contexts. */
#include "pkg/kubelet/api/validate-internal.h"

#include <inttypes.h>
#include <string.h>

#include "pkg/util/utils.h"

/* Duplicate flags for one container list's ports, indexed like the ports
   flattened in order. */
struct port_flags
{
  bool *container_port; /* containerPort/protocol seen before in the pod */
  bool *host_port;      /* protocol/hostIP/hostPort seen before */
  size_t next;          /* index of the next port to look at */
};

static void
check_port (kl_validator_t *v, const kl_pod_t *pod, const kl_container_port_t *p, size_t flag,
            const struct port_flags *flags)
{
  if (!kl_is_empty (p->name))
    kl_check_port_name (v, "name", p->name);
  if (p->container_port == 0)
    kl_report_required (v, "containerPort", NULL);
  else
    kl_check_port_number (v, "containerPort", p->container_port);
  if (p->host_port != 0)
    kl_check_port_number (v, "hostPort", p->host_port);
  if (kl_is_empty (p->protocol))
    kl_report_required (v, "protocol", NULL);
  else
    KL_CHECK_ENUM (v, "protocol", p->protocol, KL_PROTOCOL_SCTP, KL_PROTOCOL_TCP, KL_PROTOCOL_UDP);
  if (pod->spec.host_network && p->host_port != p->container_port)
    kl_report_invalid_int (v, "hostPort", p->host_port,
                           "must match `containerPort` when `hostNetwork` is true");
  if (flags->container_port[flag])
    {
      cleanup_free char *key
          = xasprintf ("%" PRId32 "/%s", p->container_port, kl_str (p->protocol));
      kl_report_duplicate (v, "containerPort", key);
    }
  if (flags->host_port[flag])
    {
      cleanup_free char *key
          = xasprintf ("%s/%s/%" PRId32, kl_str (p->protocol), kl_str (p->host_ip), p->host_port);
      kl_report_duplicate (v, "hostPort", key);
    }
}

static void
check_ports (kl_validator_t *v, const kl_pod_t *pod, const kl_container_t *c,
             struct port_flags *flags)
{
  cleanup_free const char **names = xmalloc0 ((c->n_ports + 1) * sizeof (char *));
  size_t n_names = 0;
  for (size_t i = 0; i < c->n_ports; i++)
    if (!kl_is_empty (c->ports[i].name))
      names[n_names++] = c->ports[i].name;
  cleanup_free bool *dup_names = kl_find_duplicates (names, n_names);
  size_t named = 0;
  size_t mark = kl_path_field (&v->path, "ports", 5);
  for (size_t i = 0; i < c->n_ports; i++)
    {
      size_t item = kl_path_index (&v->path, i);
      check_port (v, pod, &c->ports[i], flags->next++, flags);
      if (!kl_is_empty (c->ports[i].name) && dup_names[named++])
        kl_report_duplicate (v, "name", c->ports[i].name);
      kl_path_pop (&v->path, item);
    }
  kl_path_pop (&v->path, mark);
}

static void
check_env (kl_validator_t *v, const kl_container_t *c)
{
  size_t mark = kl_path_field (&v->path, "env", 3);
  for (size_t i = 0; i < c->n_env; i++)
    {
      size_t item = kl_path_index (&v->path, i);
      if (kl_is_empty (c->env[i].name))
        kl_report_required (v, "name", NULL);
      else
        kl_check_env_var_name (v, "name", c->env[i].name);
      kl_path_pop (&v->path, item);
    }
  kl_path_pop (&v->path, mark);
}

/* The pod's volume names, sorted for lookups by mounts. */
struct volume_names
{
  const char **names;
  size_t n;
};

static int
compare_strings (const void *a, const void *b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

static bool
volume_declared (const struct volume_names *volumes, const char *name)
{
  return bsearch (&name, volumes->names, volumes->n, sizeof (char *), compare_strings) != NULL;
}

static bool
is_privileged (const kl_container_t *c)
{
  return c->security_context && c->security_context->has_privileged
         && c->security_context->privileged;
}

static void
check_volume_mounts (kl_validator_t *v, const kl_container_t *c, const struct volume_names *volumes)
{
  cleanup_free const char **paths = xmalloc0 ((c->n_volume_mounts + 1) * sizeof (char *));
  for (size_t i = 0; i < c->n_volume_mounts; i++)
    paths[i] = c->volume_mounts[i].mount_path;
  cleanup_free bool *dup_paths = kl_find_duplicates (paths, c->n_volume_mounts);
  size_t mark = kl_path_field (&v->path, "volumeMounts", 12);
  for (size_t i = 0; i < c->n_volume_mounts; i++)
    {
      const kl_volume_mount_t *m = &c->volume_mounts[i];
      size_t item = kl_path_index (&v->path, i);
      if (kl_is_empty (m->name))
        kl_report_required (v, "name", NULL);
      else if (!volume_declared (volumes, m->name))
        kl_report_not_found (v, "name", m->name);
      if (kl_is_empty (m->mount_path))
        kl_report_required (v, "mountPath", NULL);
      else if (m->mount_path[0] != '/')
        kl_report_invalid (v, "mountPath", m->mount_path, "must be an absolute path");
      else if (dup_paths[i])
        kl_report_invalid (v, "mountPath", m->mount_path, "must be unique");
      if (!kl_is_empty (m->sub_path))
        {
          if (m->sub_path[0] == '/')
            kl_report_invalid (v, "subPath", m->sub_path, "must be a relative path");
          if (kl_has_dotdot_component (m->sub_path))
            kl_report_invalid (v, "subPath", m->sub_path, "must not contain '..'");
        }
      if (!kl_is_empty (m->mount_propagation))
        {
          KL_CHECK_ENUM (v, "mountPropagation", m->mount_propagation, "Bidirectional",
                         "HostToContainer", "None");
          if (strcmp (m->mount_propagation, "Bidirectional") == 0 && !is_privileged (c))
            kl_report_forbidden (v, "mountPropagation",
                                 "Bidirectional mount propagation is available only to privileged "
                                 "containers");
        }
      kl_path_pop (&v->path, item);
    }
  kl_path_pop (&v->path, mark);
}

/* A quantity as the messages show it: "500m" or "2" CPUs, bytes. */
static char *
format_quantity (int64_t value, bool milli)
{
  if (milli && value % 1000 != 0)
    return xasprintf ("%" PRId64 "m", value);
  return xasprintf ("%" PRId64, milli ? value / 1000 : value);
}

static void
check_resource (kl_validator_t *v, const char *name, bool milli, bool has_request, int64_t request,
                bool has_limit, int64_t limit)
{
  size_t mark;
  if (has_limit && limit < 0)
    {
      mark = kl_path_field (&v->path, "limits", 6);
      kl_path_key (&v->path, name, strlen (name));
      cleanup_free char *q = format_quantity (limit, milli);
      kl_report_invalid (v, NULL, q, "must be greater than or equal to 0");
      kl_path_pop (&v->path, mark);
    }
  if (!has_request)
    return;
  mark = kl_path_field (&v->path, "requests", 8);
  kl_path_key (&v->path, name, strlen (name));
  cleanup_free char *q = format_quantity (request, milli);
  if (request < 0)
    kl_report_invalid (v, NULL, q, "must be greater than or equal to 0");
  else if (has_limit && request > limit)
    {
      cleanup_free char *l = format_quantity (limit, milli);
      cleanup_free char *detail
          = xasprintf ("must be less than or equal to %s limit of %s", name, l);
      kl_report_invalid (v, NULL, q, detail);
    }
  kl_path_pop (&v->path, mark);
}

static void
check_resources (kl_validator_t *v, const kl_resource_requirements_t *r)
{
  size_t mark = kl_path_field (&v->path, "resources", 9);
  check_resource (v, "cpu", true, r->requests.has_milli_cpu, r->requests.milli_cpu,
                  r->limits.has_milli_cpu, r->limits.milli_cpu);
  check_resource (v, "memory", false, r->requests.has_memory_bytes, r->requests.memory_bytes,
                  r->limits.has_memory_bytes, r->limits.memory_bytes);
  check_resource (v, "ephemeral-storage", false, r->requests.has_ephemeral_storage_bytes,
                  r->requests.ephemeral_storage_bytes, r->limits.has_ephemeral_storage_bytes,
                  r->limits.ephemeral_storage_bytes);
  kl_path_pop (&v->path, mark);
}

static void
check_port_or_name (kl_validator_t *v, const kl_int_or_string_t *port)
{
  if (port->is_string)
    kl_check_port_name (v, "port", port->string_value);
  else
    kl_check_port_number (v, "port", port->int_value);
}

/* The handler of a probe or hook: exactly one of exec, httpGet, tcpSocket, grpc. */
static void
check_handler (kl_validator_t *v, const kl_exec_action_t *exec, const kl_http_get_action_t *http,
               const kl_tcp_socket_action_t *tcp, const kl_grpc_action_t *grpc)
{
  size_t n = 0;
  if (exec)
    {
      n++;
      size_t mark = kl_path_field (&v->path, "exec", 4);
      if (exec->n_command == 0)
        kl_report_required (v, "command", NULL);
      kl_path_pop (&v->path, mark);
    }
  if (http)
    {
      if (n++ > 0)
        kl_report_forbidden (v, "httpGet", "may not specify more than 1 handler type");
      size_t mark = kl_path_field (&v->path, "httpGet", 7);
      if (kl_is_empty (http->path))
        kl_report_required (v, "path", NULL);
      check_port_or_name (v, &http->port);
      KL_CHECK_ENUM (v, "scheme", http->scheme, KL_URI_SCHEME_HTTP, KL_URI_SCHEME_HTTPS);
      size_t headers = kl_path_field (&v->path, "httpHeaders", 11);
      for (size_t i = 0; i < http->n_http_headers; i++)
        {
          size_t item = kl_path_index (&v->path, i);
          kl_check_http_header_name (v, "name", http->http_headers[i].name);
          kl_path_pop (&v->path, item);
        }
      kl_path_pop (&v->path, headers);
      kl_path_pop (&v->path, mark);
    }
  if (tcp)
    {
      if (n++ > 0)
        kl_report_forbidden (v, "tcpSocket", "may not specify more than 1 handler type");
      size_t mark = kl_path_field (&v->path, "tcpSocket", 9);
      check_port_or_name (v, &tcp->port);
      kl_path_pop (&v->path, mark);
    }
  if (grpc)
    {
      if (n++ > 0)
        kl_report_forbidden (v, "grpc", "may not specify more than 1 handler type");
      size_t mark = kl_path_field (&v->path, "grpc", 4);
      kl_check_port_number (v, "port", grpc->port);
      kl_path_pop (&v->path, mark);
    }
  if (n == 0)
    kl_report_required (v, NULL, "must specify a handler type");
}

enum probe_kind
{
  LIVENESS,
  READINESS,
  STARTUP,
};

static void
check_at_least (kl_validator_t *v, const char *child, int64_t value, int64_t min)
{
  if (value < min)
    {
      cleanup_free char *detail = xasprintf ("must be greater than or equal to %" PRId64, min);
      kl_report_invalid_int (v, child, value, detail);
    }
}

static void
check_probe (kl_validator_t *v, const char *field, const kl_probe_t *probe, enum probe_kind kind)
{
  if (probe == NULL)
    return;
  size_t mark = kl_path_field (&v->path, field, strlen (field));
  check_handler (v, probe->exec, probe->http_get, probe->tcp_socket, probe->grpc);
  check_at_least (v, "initialDelaySeconds", probe->initial_delay_seconds, 0);
  check_at_least (v, "timeoutSeconds", probe->timeout_seconds, 1);
  check_at_least (v, "periodSeconds", probe->period_seconds, 1);
  check_at_least (v, "successThreshold", probe->success_threshold, 1);
  check_at_least (v, "failureThreshold", probe->failure_threshold, 1);
  if ((kind == LIVENESS || kind == STARTUP) && probe->success_threshold != 1)
    kl_report_invalid_int (v, "successThreshold", probe->success_threshold, "must be 1");
  if (probe->has_termination_grace_period_seconds)
    {
      if (kind == READINESS)
        kl_report_invalid_int (v, "terminationGracePeriodSeconds",
                               probe->termination_grace_period_seconds,
                               "must not be set for readinessProbes");
      else if (probe->termination_grace_period_seconds <= 0)
        kl_report_invalid_int (v, "terminationGracePeriodSeconds",
                               probe->termination_grace_period_seconds, "must be greater than 0");
    }
  kl_path_pop (&v->path, mark);
}

static void
check_lifecycle (kl_validator_t *v, const kl_lifecycle_t *lifecycle)
{
  size_t mark = kl_path_field (&v->path, "lifecycle", 9);
  if (lifecycle->post_start)
    {
      size_t hook = kl_path_field (&v->path, "postStart", 9);
      const kl_lifecycle_handler_t *h = lifecycle->post_start;
      check_handler (v, h->exec, h->http_get, h->tcp_socket, NULL);
      kl_path_pop (&v->path, hook);
    }
  if (lifecycle->pre_stop)
    {
      size_t hook = kl_path_field (&v->path, "preStop", 7);
      const kl_lifecycle_handler_t *h = lifecycle->pre_stop;
      check_handler (v, h->exec, h->http_get, h->tcp_socket, NULL);
      kl_path_pop (&v->path, hook);
    }
  kl_path_pop (&v->path, mark);
}

static void
check_security_context (kl_validator_t *v, const kl_security_context_t *sc)
{
  size_t mark = kl_path_field (&v->path, "securityContext", 15);
  if (sc->has_run_as_user)
    kl_check_id (v, "runAsUser", sc->run_as_user);
  if (sc->has_run_as_group)
    kl_check_id (v, "runAsGroup", sc->run_as_group);
  if (sc->has_allow_privilege_escalation && !sc->allow_privilege_escalation)
    {
      if (sc->has_privileged && sc->privileged)
        kl_report_forbidden (
            v, NULL, "cannot set `allowPrivilegeEscalation` to false and `privileged` to true");
      for (size_t i = 0; sc->capabilities && i < sc->capabilities->n_add; i++)
        if (strcmp (kl_str (sc->capabilities->add[i]), "CAP_SYS_ADMIN") == 0
            || strcmp (kl_str (sc->capabilities->add[i]), "SYS_ADMIN") == 0)
          kl_report_forbidden (v, NULL,
                               "cannot set `allowPrivilegeEscalation` to false and "
                               "`capabilities.Add` CAP_SYS_ADMIN");
    }
  if (sc->seccomp_profile)
    {
      size_t seccomp = kl_path_field (&v->path, "seccompProfile", 14);
      const kl_seccomp_profile_t *p = sc->seccomp_profile;
      if (kl_is_empty (p->type))
        kl_report_required (v, "type", NULL);
      else
        KL_CHECK_ENUM (v, "type", p->type, "Localhost", "RuntimeDefault", "Unconfined");
      if (strcmp (kl_str (p->type), "Localhost") == 0)
        {
          if (kl_is_empty (p->localhost_profile))
            kl_report_required (v, "localhostProfile",
                                "must be set when seccomp type is Localhost");
        }
      else if (!kl_is_empty (p->localhost_profile))
        kl_report_invalid (v, "localhostProfile", p->localhost_profile,
                           "can only be set when seccomp type is Localhost");
      kl_path_pop (&v->path, seccomp);
    }
  kl_path_pop (&v->path, mark);
}

static void
check_container (kl_validator_t *v, const kl_pod_t *pod, const kl_container_t *c, bool init,
                 bool duplicate_name, struct port_flags *flags, const struct volume_names *volumes)
{
  if (kl_is_empty (c->name))
    kl_report_required (v, "name", NULL);
  else
    {
      kl_check_dns1123_label (v, "name", c->name);
      if (duplicate_name)
        kl_report_duplicate (v, "name", c->name);
    }
  if (kl_is_empty (c->image))
    kl_report_required (v, "image", NULL);
  else if (strchr (" \t\n\r\v\f", c->image[0])
           || strchr (" \t\n\r\v\f", c->image[strlen (c->image) - 1]))
    kl_report_invalid (v, "image", c->image, "must not have leading or trailing whitespace");
  check_ports (v, pod, c, flags);
  check_env (v, c);
  check_volume_mounts (v, c, volumes);
  check_resources (v, &c->resources);

  if (init)
    {
      static const char *const not_for_init[]
          = { "lifecycle", "livenessProbe", "readinessProbe", "startupProbe" };
      const void *set[] = { c->lifecycle, c->liveness_probe, c->readiness_probe, c->startup_probe };
      for (size_t i = 0; i < KL_ARRAY_SIZE (not_for_init); i++)
        if (set[i])
          kl_report_forbidden (v, not_for_init[i], "may not be set for init containers");
    }
  else
    {
      check_probe (v, "livenessProbe", c->liveness_probe, LIVENESS);
      check_probe (v, "readinessProbe", c->readiness_probe, READINESS);
      check_probe (v, "startupProbe", c->startup_probe, STARTUP);
      if (c->lifecycle)
        check_lifecycle (v, c->lifecycle);
    }
  if (kl_is_empty (c->termination_message_policy))
    kl_report_required (v, "terminationMessagePolicy", NULL);
  else
    KL_CHECK_ENUM (v, "terminationMessagePolicy", c->termination_message_policy,
                   KL_TERMINATION_MESSAGE_FALLBACK_TO_LOGS, KL_TERMINATION_MESSAGE_READ_FILE);
  if (kl_is_empty (c->image_pull_policy))
    kl_report_required (v, "imagePullPolicy", NULL);
  else
    KL_CHECK_ENUM (v, "imagePullPolicy", c->image_pull_policy, KL_PULL_ALWAYS,
                   KL_PULL_IF_NOT_PRESENT, KL_PULL_NEVER);
  if (c->security_context)
    check_security_context (v, c->security_context);
}

/* Flags ports whose key repeats an earlier one; for init containers, which
   run one at a time, only within the same container. */
static void
flag_ports (const kl_container_t *containers, size_t n, bool per_container,
            struct port_flags *flags)
{
  size_t total = 0;
  for (size_t i = 0; i < n; i++)
    total += containers[i].n_ports;
  flags->container_port = xmalloc0 ((total + 1) * sizeof (bool));
  flags->host_port = xmalloc0 ((total + 1) * sizeof (bool));
  flags->next = 0;
  char **container_keys = xmalloc0 ((total + 1) * sizeof (char *));
  char **host_keys = xmalloc0 ((total + 1) * sizeof (char *));
  size_t k = 0, n_host = 0;
  size_t *host_index = xmalloc0 ((total + 1) * sizeof (size_t));
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < containers[i].n_ports; j++, k++)
      {
        const kl_container_port_t *p = &containers[i].ports[j];
        size_t scope = per_container ? i : 0;
        container_keys[k]
            = xasprintf ("%zu/%" PRId32 "/%s", scope, p->container_port, kl_str (p->protocol));
        if (p->host_port != 0)
          {
            host_index[n_host] = k;
            host_keys[n_host++] = xasprintf ("%zu/%s/%s/%" PRId32, scope, kl_str (p->protocol),
                                             kl_str (p->host_ip), p->host_port);
          }
      }
  cleanup_free bool *dup_container
      = kl_find_duplicates ((const char *const *) container_keys, total);
  cleanup_free bool *dup_host = kl_find_duplicates ((const char *const *) host_keys, n_host);
  for (size_t i = 0; i < total; i++)
    flags->container_port[i] = dup_container[i];
  for (size_t i = 0; i < n_host; i++)
    flags->host_port[host_index[i]] = dup_host[i];
  for (size_t i = 0; i < total; i++)
    free (container_keys[i]);
  for (size_t i = 0; i < n_host; i++)
    free (host_keys[i]);
  free (container_keys);
  free (host_keys);
  free (host_index);
}

static void
check_list (kl_validator_t *v, const kl_pod_t *pod, const char *field,
            const kl_container_t *containers, size_t n, bool init, const bool *duplicate_names,
            const struct volume_names *volumes)
{
  struct port_flags flags;
  flag_ports (containers, n, init, &flags);
  size_t mark = kl_path_field (&v->path, field, strlen (field));
  for (size_t i = 0; i < n; i++)
    {
      size_t item = kl_path_index (&v->path, i);
      check_container (v, pod, &containers[i], init, duplicate_names[i], &flags, volumes);
      kl_path_pop (&v->path, item);
    }
  kl_path_pop (&v->path, mark);
  free (flags.container_port);
  free (flags.host_port);
}

void
kl_validate_containers (kl_validator_t *v, const kl_pod_t *pod)
{
  const kl_pod_spec_t *spec = &pod->spec;
  size_t n = spec->n_init_containers + spec->n_containers;
  /* Names are unique across init containers and containers. */
  cleanup_free const char **names = xmalloc0 ((n + 1) * sizeof (char *));
  for (size_t i = 0; i < spec->n_init_containers; i++)
    names[i] = kl_is_empty (spec->init_containers[i].name) ? NULL : spec->init_containers[i].name;
  for (size_t i = 0; i < spec->n_containers; i++)
    names[spec->n_init_containers + i]
        = kl_is_empty (spec->containers[i].name) ? NULL : spec->containers[i].name;
  cleanup_free bool *dup = kl_find_duplicates (names, n);

  cleanup_free const char **volume_names = xmalloc0 ((spec->n_volumes + 1) * sizeof (char *));
  for (size_t i = 0; i < spec->n_volumes; i++)
    volume_names[i] = kl_str (spec->volumes[i].name);
  qsort (volume_names, spec->n_volumes, sizeof (char *), compare_strings);
  struct volume_names volumes = { volume_names, spec->n_volumes };

  check_list (v, pod, "initContainers", spec->init_containers, spec->n_init_containers, true, dup,
              &volumes);
  if (spec->n_containers == 0)
    kl_report_required (v, "containers", NULL);
  check_list (v, pod, "containers", spec->containers, spec->n_containers, false,
              dup + spec->n_init_containers, &volumes);
}

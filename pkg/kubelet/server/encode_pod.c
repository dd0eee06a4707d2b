/* v1.Pod metadata and spec as JSON, field by field in the Go types' order. */
#include "pkg/kubelet/server/encode_pod.h"

#include "pkg/kubelet/server/encode-internal.h"
#include "pkg/util/utils.h"

static json_t *
encode_metadata (const kl_object_meta_t *m)
{
  json_t *o = json_object ();
  kl_json_set_string (o, "name", m->name);
  kl_json_set_string (o, "namespace", m->namespace_);
  kl_json_set_string (o, "uid", m->uid);
  /* A static pod has no creation time: the API server never saw it. */
  kl_json_set (o, "creationTimestamp", json_null ());
  kl_json_set_map (o, "labels", m->labels, m->n_labels);
  kl_json_set_map (o, "annotations", m->annotations, m->n_annotations);
  return o;
}

static json_t *
encode_int_or_string (const kl_int_or_string_t *v)
{
  return v->is_string ? kl_json_string (v->string_value) : json_integer (v->int_value);
}

/* [{"name": ..., "value": ...}]: both always written (Sysctl, HTTPHeader). */
static json_t *
encode_name_values (const kl_name_value_t *v, size_t n)
{
  json_t *a = json_array ();
  for (size_t i = 0; i < n; i++)
    {
      json_t *o = json_object ();
      kl_json_set (o, "name", kl_json_string (v[i].name));
      kl_json_set (o, "value", kl_json_string (v[i].value));
      json_array_append_new (a, o);
    }
  return a;
}

static json_t *
encode_exec (const kl_exec_action_t *e)
{
  json_t *o = json_object ();
  kl_json_set_strings (o, "command", e->command, e->n_command);
  return o;
}

static json_t *
encode_http_get (const kl_http_get_action_t *h)
{
  json_t *o = json_object ();
  kl_json_set_string (o, "path", h->path);
  kl_json_set (o, "port", encode_int_or_string (&h->port));
  kl_json_set_string (o, "host", h->host);
  kl_json_set_string (o, "scheme", h->scheme);
  if (h->n_http_headers > 0)
    kl_json_set (o, "httpHeaders", encode_name_values (h->http_headers, h->n_http_headers));
  return o;
}

static json_t *
encode_tcp_socket (const kl_tcp_socket_action_t *t)
{
  json_t *o = json_object ();
  kl_json_set (o, "port", encode_int_or_string (&t->port));
  kl_json_set_string (o, "host", t->host);
  return o;
}

/* The handler fields a probe and a lifecycle hook share (ProbeHandler). */
static void
set_handler (json_t *o, const kl_exec_action_t *exec, const kl_http_get_action_t *http_get,
             const kl_tcp_socket_action_t *tcp_socket)
{
  if (exec)
    kl_json_set (o, "exec", encode_exec (exec));
  if (http_get)
    kl_json_set (o, "httpGet", encode_http_get (http_get));
  if (tcp_socket)
    kl_json_set (o, "tcpSocket", encode_tcp_socket (tcp_socket));
}

static json_t *
encode_probe (const kl_probe_t *p)
{
  json_t *o = json_object ();
  set_handler (o, p->exec, p->http_get, p->tcp_socket);
  if (p->grpc)
    {
      json_t *g = json_object ();
      kl_json_set (g, "port", json_integer (p->grpc->port));
      /* `json:"service"` without omitempty: null when unset. */
      kl_json_set (g, "service",
                   p->grpc->service ? kl_json_string (p->grpc->service) : json_null ());
      kl_json_set (o, "grpc", g);
    }
  kl_json_set_nonzero (o, "initialDelaySeconds", p->initial_delay_seconds);
  kl_json_set_nonzero (o, "timeoutSeconds", p->timeout_seconds);
  kl_json_set_nonzero (o, "periodSeconds", p->period_seconds);
  kl_json_set_nonzero (o, "successThreshold", p->success_threshold);
  kl_json_set_nonzero (o, "failureThreshold", p->failure_threshold);
  if (p->has_termination_grace_period_seconds)
    kl_json_set (o, "terminationGracePeriodSeconds",
                 json_integer (p->termination_grace_period_seconds));
  return o;
}

static json_t *
encode_lifecycle (const kl_lifecycle_t *l)
{
  json_t *o = json_object ();
  const kl_lifecycle_handler_t *hooks[] = { l->post_start, l->pre_stop };
  const char *names[] = { "postStart", "preStop" };
  for (size_t i = 0; i < KL_ARRAY_SIZE (hooks); i++)
    if (hooks[i])
      {
        json_t *h = json_object ();
        set_handler (h, hooks[i]->exec, hooks[i]->http_get, hooks[i]->tcp_socket);
        kl_json_set (o, names[i], h);
      }
  return o;
}

/* A ResourceList: {"cpu": "500m", "ephemeral-storage": "1Gi", "memory": "128Mi"},
   keys sorted as Go writes a map. */
static json_t *
encode_resource_list (const kl_resource_list_t *r)
{
  json_t *o = json_object ();
  if (r->has_milli_cpu)
    {
      cleanup_free char *cpu = kl_format_milli_cpu (r->milli_cpu);
      kl_json_set (o, "cpu", kl_json_string (cpu));
    }
  if (r->has_ephemeral_storage_bytes)
    {
      cleanup_free char *storage = kl_format_bytes (r->ephemeral_storage_bytes);
      kl_json_set (o, "ephemeral-storage", kl_json_string (storage));
    }
  if (r->has_memory_bytes)
    {
      cleanup_free char *memory = kl_format_bytes (r->memory_bytes);
      kl_json_set (o, "memory", kl_json_string (memory));
    }
  return o;
}

static void
set_resource_list (json_t *o, const char *key, const kl_resource_list_t *r)
{
  json_t *list = encode_resource_list (r);
  if (json_object_size (list) > 0)
    kl_json_set (o, key, list);
  else
    json_decref (list);
}

static json_t *
encode_seccomp (const kl_seccomp_profile_t *s)
{
  json_t *o = json_object ();
  kl_json_set (o, "type", kl_json_string (s->type));
  kl_json_set_string (o, "localhostProfile", s->localhost_profile);
  return o;
}

static void
set_optional_bool (json_t *o, const char *key, bool has, bool v)
{
  if (has)
    kl_json_set (o, key, json_boolean (v));
}

static void
set_optional_int (json_t *o, const char *key, bool has, int64_t v)
{
  if (has)
    kl_json_set (o, key, json_integer (v));
}

static json_t *
encode_security_context (const kl_security_context_t *s)
{
  json_t *o = json_object ();
  if (s->capabilities)
    {
      json_t *c = json_object ();
      kl_json_set_strings (c, "add", s->capabilities->add, s->capabilities->n_add);
      kl_json_set_strings (c, "drop", s->capabilities->drop, s->capabilities->n_drop);
      kl_json_set (o, "capabilities", c);
    }
  set_optional_bool (o, "privileged", s->has_privileged, s->privileged);
  set_optional_int (o, "runAsUser", s->has_run_as_user, s->run_as_user);
  set_optional_int (o, "runAsGroup", s->has_run_as_group, s->run_as_group);
  set_optional_bool (o, "runAsNonRoot", s->has_run_as_non_root, s->run_as_non_root);
  set_optional_bool (o, "readOnlyRootFilesystem", s->has_read_only_root_filesystem,
                     s->read_only_root_filesystem);
  set_optional_bool (o, "allowPrivilegeEscalation", s->has_allow_privilege_escalation,
                     s->allow_privilege_escalation);
  if (s->seccomp_profile)
    kl_json_set (o, "seccompProfile", encode_seccomp (s->seccomp_profile));
  return o;
}

static json_t *
encode_ports (const kl_container_port_t *p, size_t n)
{
  json_t *a = json_array ();
  for (size_t i = 0; i < n; i++)
    {
      json_t *o = json_object ();
      kl_json_set_string (o, "name", p[i].name);
      kl_json_set_nonzero (o, "hostPort", p[i].host_port);
      kl_json_set (o, "containerPort", json_integer (p[i].container_port));
      kl_json_set_string (o, "protocol", p[i].protocol);
      kl_json_set_string (o, "hostIP", p[i].host_ip);
      json_array_append_new (a, o);
    }
  return a;
}

static json_t *
encode_env (const kl_env_var_t *e, size_t n)
{
  json_t *a = json_array ();
  for (size_t i = 0; i < n; i++)
    {
      json_t *o = json_object ();
      kl_json_set (o, "name", kl_json_string (e[i].name));
      kl_json_set_string (o, "value", e[i].value);
      json_array_append_new (a, o);
    }
  return a;
}

static json_t *
encode_volume_mounts (const kl_volume_mount_t *m, size_t n)
{
  json_t *a = json_array ();
  for (size_t i = 0; i < n; i++)
    {
      json_t *o = json_object ();
      kl_json_set (o, "name", kl_json_string (m[i].name));
      if (m[i].read_only)
        kl_json_set (o, "readOnly", json_true ());
      kl_json_set (o, "mountPath", kl_json_string (m[i].mount_path));
      kl_json_set_string (o, "subPath", m[i].sub_path);
      kl_json_set_string (o, "mountPropagation", m[i].mount_propagation);
      json_array_append_new (a, o);
    }
  return a;
}

static json_t *
encode_container (const kl_container_t *c)
{
  json_t *o = json_object ();
  kl_json_set (o, "name", kl_json_string (c->name));
  kl_json_set_string (o, "image", c->image);
  kl_json_set_strings (o, "command", c->command, c->n_command);
  kl_json_set_strings (o, "args", c->args, c->n_args);
  kl_json_set_string (o, "workingDir", c->working_dir);
  if (c->n_ports > 0)
    kl_json_set (o, "ports", encode_ports (c->ports, c->n_ports));
  if (c->n_env > 0)
    kl_json_set (o, "env", encode_env (c->env, c->n_env));
  json_t *resources = json_object ();
  set_resource_list (resources, "limits", &c->resources.limits);
  set_resource_list (resources, "requests", &c->resources.requests);
  kl_json_set (o, "resources", resources);
  if (c->n_volume_mounts > 0)
    kl_json_set (o, "volumeMounts", encode_volume_mounts (c->volume_mounts, c->n_volume_mounts));
  if (c->liveness_probe)
    kl_json_set (o, "livenessProbe", encode_probe (c->liveness_probe));
  if (c->readiness_probe)
    kl_json_set (o, "readinessProbe", encode_probe (c->readiness_probe));
  if (c->startup_probe)
    kl_json_set (o, "startupProbe", encode_probe (c->startup_probe));
  if (c->lifecycle)
    kl_json_set (o, "lifecycle", encode_lifecycle (c->lifecycle));
  kl_json_set_string (o, "terminationMessagePath", c->termination_message_path);
  kl_json_set_string (o, "terminationMessagePolicy", c->termination_message_policy);
  kl_json_set_string (o, "imagePullPolicy", c->image_pull_policy);
  if (c->security_context)
    kl_json_set (o, "securityContext", encode_security_context (c->security_context));
  if (c->stdin_)
    kl_json_set (o, "stdin", json_true ());
  if (c->stdin_once)
    kl_json_set (o, "stdinOnce", json_true ());
  if (c->tty)
    kl_json_set (o, "tty", json_true ());
  return o;
}

static json_t *
encode_containers (const kl_container_t *c, size_t n)
{
  json_t *a = json_array ();
  for (size_t i = 0; i < n; i++)
    json_array_append_new (a, encode_container (&c[i]));
  return a;
}

static json_t *
encode_volume (const kl_volume_t *v)
{
  json_t *o = json_object ();
  kl_json_set (o, "name", kl_json_string (v->name));
  if (v->host_path)
    {
      json_t *h = json_object ();
      kl_json_set (h, "path", kl_json_string (v->host_path->path));
      /* *HostPathType: written when set, even as "" (the API's default). */
      if (v->host_path->type)
        kl_json_set (h, "type", kl_json_string (v->host_path->type));
      kl_json_set (o, "hostPath", h);
    }
  if (v->empty_dir)
    {
      json_t *e = json_object ();
      kl_json_set_string (e, "medium", v->empty_dir->medium);
      if (v->empty_dir->has_size_limit_bytes)
        {
          cleanup_free char *size = kl_format_bytes (v->empty_dir->size_limit_bytes);
          kl_json_set (e, "sizeLimit", kl_json_string (size));
        }
      kl_json_set (o, "emptyDir", e);
    }
  return o;
}

static json_t *
encode_pod_security_context (const kl_pod_security_context_t *s)
{
  json_t *o = json_object ();
  set_optional_int (o, "runAsUser", s->has_run_as_user, s->run_as_user);
  set_optional_int (o, "runAsGroup", s->has_run_as_group, s->run_as_group);
  set_optional_bool (o, "runAsNonRoot", s->has_run_as_non_root, s->run_as_non_root);
  if (s->n_supplemental_groups > 0)
    {
      json_t *a = json_array ();
      for (size_t i = 0; i < s->n_supplemental_groups; i++)
        json_array_append_new (a, json_integer (s->supplemental_groups[i]));
      kl_json_set (o, "supplementalGroups", a);
    }
  set_optional_int (o, "fsGroup", s->has_fs_group, s->fs_group);
  if (s->n_sysctls > 0)
    kl_json_set (o, "sysctls", encode_name_values (s->sysctls, s->n_sysctls));
  if (s->seccomp_profile)
    kl_json_set (o, "seccompProfile", encode_seccomp (s->seccomp_profile));
  return o;
}

static json_t *
encode_tolerations (const kl_toleration_t *t, size_t n)
{
  json_t *a = json_array ();
  for (size_t i = 0; i < n; i++)
    {
      json_t *o = json_object ();
      kl_json_set_string (o, "key", t[i].key);
      kl_json_set_string (o, "operator", t[i].operator_);
      kl_json_set_string (o, "value", t[i].value);
      kl_json_set_string (o, "effect", t[i].effect);
      set_optional_int (o, "tolerationSeconds", t[i].has_toleration_seconds,
                        t[i].toleration_seconds);
      json_array_append_new (a, o);
    }
  return a;
}

static json_t *
encode_host_aliases (const kl_host_alias_t *h, size_t n)
{
  json_t *a = json_array ();
  for (size_t i = 0; i < n; i++)
    {
      json_t *o = json_object ();
      kl_json_set_string (o, "ip", h[i].ip);
      kl_json_set_strings (o, "hostnames", h[i].hostnames, h[i].n_hostnames);
      json_array_append_new (a, o);
    }
  return a;
}

static json_t *
encode_dns_config (const kl_dns_config_t *d)
{
  json_t *o = json_object ();
  kl_json_set_strings (o, "nameservers", d->nameservers, d->n_nameservers);
  kl_json_set_strings (o, "searches", d->searches, d->n_searches);
  if (d->n_options > 0)
    {
      json_t *a = json_array ();
      for (size_t i = 0; i < d->n_options; i++)
        {
          json_t *opt = json_object ();
          kl_json_set_string (opt, "name", d->options[i].name);
          if (d->options[i].value) /* *string: written when set */
            kl_json_set (opt, "value", kl_json_string (d->options[i].value));
          json_array_append_new (a, opt);
        }
      kl_json_set (o, "options", a);
    }
  return o;
}

json_t *
kl_encode_pod_spec (const kl_pod_spec_t *s)
{
  json_t *o = json_object ();
  if (s->n_volumes > 0)
    {
      json_t *a = json_array ();
      for (size_t i = 0; i < s->n_volumes; i++)
        json_array_append_new (a, encode_volume (&s->volumes[i]));
      kl_json_set (o, "volumes", a);
    }
  if (s->n_init_containers > 0)
    kl_json_set (o, "initContainers", encode_containers (s->init_containers, s->n_init_containers));
  kl_json_set (o, "containers", encode_containers (s->containers, s->n_containers));
  kl_json_set_string (o, "restartPolicy", s->restart_policy);
  set_optional_int (o, "terminationGracePeriodSeconds", s->has_termination_grace_period_seconds,
                    s->termination_grace_period_seconds);
  set_optional_int (o, "activeDeadlineSeconds", s->has_active_deadline_seconds,
                    s->active_deadline_seconds);
  kl_json_set_string (o, "dnsPolicy", s->dns_policy);
  kl_json_set_map (o, "nodeSelector", s->node_selector, s->n_node_selector);
  kl_json_set_string (o, "nodeName", s->node_name);
  if (s->host_network)
    kl_json_set (o, "hostNetwork", json_true ());
  if (s->host_pid)
    kl_json_set (o, "hostPID", json_true ());
  if (s->host_ipc)
    kl_json_set (o, "hostIPC", json_true ());
  if (s->share_process_namespace)
    kl_json_set (o, "shareProcessNamespace", json_true ());
  /* The API server defaults the pod's securityContext to {}. */
  kl_json_set (o, "securityContext", encode_pod_security_context (&s->security_context));
  kl_json_set_string (o, "hostname", s->hostname);
  kl_json_set_string (o, "subdomain", s->subdomain);
  kl_json_set_string (o, "schedulerName", s->scheduler_name);
  if (s->n_tolerations > 0)
    kl_json_set (o, "tolerations", encode_tolerations (s->tolerations, s->n_tolerations));
  if (s->n_host_aliases > 0)
    kl_json_set (o, "hostAliases", encode_host_aliases (s->host_aliases, s->n_host_aliases));
  kl_json_set_string (o, "priorityClassName", s->priority_class_name);
  set_optional_int (o, "priority", s->has_priority, s->priority);
  if (s->dns_config)
    kl_json_set (o, "dnsConfig", encode_dns_config (s->dns_config));
  kl_json_set_string (o, "runtimeClassName", s->runtime_class_name);
  set_optional_bool (o, "enableServiceLinks", s->has_enable_service_links, s->enable_service_links);
  return o;
}

json_t *
kl_encode_pod (const kl_pod_t *pod, const kl_pod_status_t *status)
{
  json_t *o = json_object ();
  kl_json_set (o, "metadata", encode_metadata (&pod->metadata));
  kl_json_set (o, "spec", kl_encode_pod_spec (&pod->spec));
  kl_json_set (o, "status", status ? kl_encode_pod_status (status) : json_object ());
  return o;
}

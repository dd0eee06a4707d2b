/* v1.PodStatus as JSON: phase, conditions, IPs and container states. */
#include "pkg/kubelet/server/encode_pod.h"

#include <time.h>

#include "pkg/kubelet/server/encode-internal.h"

json_t *
kl_encode_time (int64_t ns)
{
  if (ns == 0)
    return json_null ();
  /* Whole seconds toward minus infinity, as Go's Time.Unix (). */
  int64_t seconds = ns / 1000000000;
  if (ns % 1000000000 < 0)
    seconds--;
  time_t t = (time_t) seconds;
  struct tm tm;
  char buf[64];
  if (gmtime_r (&t, &tm) == NULL || strftime (buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
    return json_null ();
  return json_string (buf);
}

static json_t *
encode_state (const kl_container_state_t *s)
{
  json_t *o = json_object ();
  json_t *detail = json_object ();
  switch (s->kind)
    {
    case KL_STATE_NONE:
      json_decref (detail);
      return o;
    case KL_STATE_WAITING:
      kl_json_set_string (detail, "reason", s->reason);
      kl_json_set_string (detail, "message", s->message);
      kl_json_set (o, "waiting", detail);
      break;
    case KL_STATE_RUNNING:
      kl_json_set (detail, "startedAt", kl_encode_time (s->started_at));
      kl_json_set (o, "running", detail);
      break;
    case KL_STATE_TERMINATED:
      kl_json_set (detail, "exitCode", json_integer (s->exit_code));
      kl_json_set_nonzero (detail, "signal", s->signal);
      kl_json_set_string (detail, "reason", s->reason);
      kl_json_set_string (detail, "message", s->message);
      kl_json_set (detail, "startedAt", kl_encode_time (s->started_at));
      kl_json_set (detail, "finishedAt", kl_encode_time (s->finished_at));
      kl_json_set_string (detail, "containerID", s->container_id);
      kl_json_set (o, "terminated", detail);
      break;
    default:
      json_decref (detail);
      break;
    }
  return o;
}

static json_t *
encode_container_statuses (const kl_container_status_t *c, size_t n)
{
  json_t *a = json_array ();
  for (size_t i = 0; i < n; i++)
    {
      json_t *o = json_object ();
      kl_json_set (o, "name", kl_json_string (c[i].name));
      kl_json_set (o, "state", encode_state (&c[i].state));
      kl_json_set (o, "lastState", encode_state (&c[i].last_state));
      kl_json_set (o, "ready", json_boolean (c[i].ready));
      kl_json_set (o, "restartCount", json_integer (c[i].restart_count));
      kl_json_set (o, "image", kl_json_string (c[i].image));
      kl_json_set (o, "imageID", kl_json_string (c[i].image_id));
      kl_json_set_string (o, "containerID", c[i].container_id);
      if (c[i].has_started)
        kl_json_set (o, "started", json_boolean (c[i].started));
      json_array_append_new (a, o);
    }
  return a;
}

static json_t *
encode_conditions (const kl_pod_condition_t *c, size_t n)
{
  json_t *a = json_array ();
  for (size_t i = 0; i < n; i++)
    {
      json_t *o = json_object ();
      kl_json_set (o, "type", kl_json_string (c[i].type));
      kl_json_set (o, "status", json_string (c[i].status ? "True" : "False"));
      kl_json_set (o, "lastProbeTime", json_null ());
      kl_json_set (o, "lastTransitionTime", kl_encode_time (c[i].last_transition_time));
      kl_json_set_string (o, "reason", c[i].reason);
      kl_json_set_string (o, "message", c[i].message);
      json_array_append_new (a, o);
    }
  return a;
}

/* [{"ip": ip}] (hostIPs, podIPs: the primary address first). */
static json_t *
encode_ips (const char *ip)
{
  json_t *o = json_object ();
  kl_json_set (o, "ip", kl_json_string (ip));
  json_t *a = json_array ();
  json_array_append_new (a, o);
  return a;
}

json_t *
kl_encode_pod_status (const kl_pod_status_t *s)
{
  json_t *o = json_object ();
  kl_json_set_string (o, "phase", s->phase);
  if (s->n_conditions > 0)
    kl_json_set (o, "conditions", encode_conditions (s->conditions, s->n_conditions));
  kl_json_set_string (o, "message", s->message);
  kl_json_set_string (o, "reason", s->reason);
  kl_json_set_string (o, "hostIP", s->host_ip);
  if (s->host_ip && *s->host_ip)
    kl_json_set (o, "hostIPs", encode_ips (s->host_ip));
  kl_json_set_string (o, "podIP", s->pod_ip);
  if (s->pod_ip && *s->pod_ip)
    kl_json_set (o, "podIPs", encode_ips (s->pod_ip));
  if (s->start_time != 0)
    kl_json_set (o, "startTime", kl_encode_time (s->start_time));
  if (s->n_init_container_statuses > 0)
    kl_json_set (
        o, "initContainerStatuses",
        encode_container_statuses (s->init_container_statuses, s->n_init_container_statuses));
  if (s->n_container_statuses > 0)
    kl_json_set (o, "containerStatuses",
                 encode_container_statuses (s->container_statuses, s->n_container_statuses));
  kl_json_set_string (o, "qosClass", s->qos_class);
  return o;
}

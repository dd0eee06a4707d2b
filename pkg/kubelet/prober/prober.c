/* Running one probe: picking the runner and what the runners share (Go's prober.go). */
#include "pkg/kubelet/prober/prober.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pkg/kubelet/prober/prober-internal.h"
#include "pkg/util/utils.h"
#include "pkg/version/version.h"

const char *
kl_probe_type_name (kl_probe_type_t type)
{
  switch (type)
    {
    case KL_PROBE_LIVENESS:
      return "Liveness";
    case KL_PROBE_READINESS:
      return "Readiness";
    case KL_PROBE_STARTUP:
      return "Startup";
    }
  return "Unknown";
}

const char *
kl_probe_result_name (kl_probe_result_t result)
{
  switch (result)
    {
    case KL_PROBE_SUCCESS:
      return "success";
    case KL_PROBE_FAILURE:
      return "failure";
    case KL_PROBE_UNKNOWN:
      break;
    }
  return "unknown";
}

int
kl_probe_run (const kl_probe_target_t *target, kl_probe_result_t *result, char **output,
              kl_error_t *err)
{
  const kl_probe_t *probe = target->probe;
  const struct kl_probe_runner_s *runner = NULL;
  if (probe->exec != NULL)
    runner = &kl_probe_runner_exec;
  else if (probe->http_get != NULL)
    runner = &kl_probe_runner_http;
  else if (probe->tcp_socket != NULL)
    runner = &kl_probe_runner_tcp;
  else if (probe->grpc != NULL)
    runner = &kl_probe_runner_grpc;
  if (runner == NULL)
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "probe has no handler");
  *output = NULL;
  int ret = runner->run (target, result, output, err);
  if (ret < 0)
    {
      free (steal_pointer (output));
      return kl_error_wrap (err, "%s probe", runner->name);
    }
  if (*output == NULL)
    *output = xstrdup ("");
  return 0;
}

char *
kl_probe_user_agent (void)
{
  /* KL_KUBELET_VERSION is "v<major>.<minor>.<patch>"; Go sends major.minor. */
  const char *v = KL_KUBELET_VERSION;
  if (v[0] == 'v')
    v++;
  const char *dot = strchr (v, '.');
  const char *end = dot ? strchr (dot + 1, '.') : NULL;
  size_t len = end ? (size_t) (end - v) : strlen (v);
  return xasprintf ("kube-probe/%.*s", (int) len, v);
}

/* A decimal port in 1..65535 spelled out in full, or -1. */
static int
parse_port (const char *s)
{
  if (s == NULL || s[0] < '0' || s[0] > '9')
    return -1;
  char *end;
  errno = 0;
  long v = strtol (s, &end, 10);
  if (errno != 0 || *end != '\0' || v < 1 || v > 65535)
    return -1;
  return (int) v;
}

int
kl_probe_resolve_port (const kl_int_or_string_t *port, const kl_container_t *container, int *out,
                       kl_error_t *err)
{
  long value;
  if (!port->is_string)
    value = port->int_value;
  else
    {
      const char *name = port->string_value ? port->string_value : "";
      value = -1;
      for (size_t i = 0; container != NULL && i < container->n_ports; i++)
        if (container->ports[i].name != NULL && strcmp (container->ports[i].name, name) == 0)
          {
            value = container->ports[i].container_port;
            break;
          }
      /* Go's last ditch effort: maybe it was an int stored as a string. */
      if (value < 0)
        value = parse_port (name);
      if (value < 0)
        {
          cleanup_free char *quoted = kl_quote (name, strlen (name));
          return kl_make_error_kind (err, KL_ERROR_NOT_FOUND, 0, "port %s not found", quoted);
        }
    }
  if (value < 1 || value > 65535)
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "invalid port number: %ld", value);
  *out = (int) value;
  return 0;
}

const char *
kl_probe_host (const char *host, const char *pod_ip)
{
  if (host != NULL && host[0] != '\0')
    return host;
  return pod_ip ? pod_ip : "";
}

/* The value of the last env var named name[0..len), or NULL. */
static const char *
lookup_env (const kl_container_t *container, const char *name, size_t len)
{
  const char *found = NULL;
  for (size_t i = 0; container != NULL && i < container->n_env; i++)
    {
      const char *n = container->env[i].name ? container->env[i].name : "";
      if (strlen (n) == len && memcmp (n, name, len) == 0)
        found = container->env[i].value ? container->env[i].value : "";
    }
  return found;
}

char *
kl_probe_expand (const char *s, const kl_container_t *container)
{
  char *buf = NULL;
  size_t size = 0;
  FILE *out = open_memstream (&buf, &size);
  if (out == NULL)
    kl_oom ();
  for (size_t i = 0; s[i] != '\0'; i++)
    {
      if (s[i] != '$' || s[i + 1] == '\0')
        {
          fputc (s[i], out);
          continue;
        }
      if (s[i + 1] == '$')
        {
          fputc ('$', out);
          i++;
          continue;
        }
      if (s[i + 1] != '(')
        {
          fputc ('$', out); /* "$x" is no reference; x is copied next */
          continue;
        }
      const char *name = s + i + 2;
      const char *close = strchr (name, ')');
      if (close == NULL)
        {
          fputs ("$(", out); /* unterminated: Go copies it and scans on */
          i++;
          continue;
        }
      size_t len = (size_t) (close - name);
      const char *value = lookup_env (container, name, len);
      if (value != NULL)
        fputs (value, out);
      else
        fprintf (out, "$(%.*s)", (int) len, name);
      i = (size_t) (close - s);
    }
  if (fclose (out) != 0)
    kl_oom ();
  return buf;
}

int64_t
kl_probe_timeout_ns (const kl_probe_t *probe)
{
  int64_t seconds = probe->timeout_seconds > 0 ? probe->timeout_seconds : 1;
  return seconds * KL_PROBE_NS_PER_SEC;
}

int64_t
kl_probe_period_ns (const kl_probe_t *probe)
{
  int64_t seconds = probe->period_seconds > 0 ? probe->period_seconds : 1;
  return seconds * KL_PROBE_NS_PER_SEC;
}

int64_t
kl_probe_monotonic_ns (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (int64_t) ts.tv_sec * KL_PROBE_NS_PER_SEC + ts.tv_nsec;
}

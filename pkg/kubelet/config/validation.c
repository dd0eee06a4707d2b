/* Checks on the merged configuration, worded as Go's ValidateKubeletConfiguration. */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "pkg/kubelet/config/config-internal.h"
#include "pkg/util/duration.h"
#include "pkg/util/quantity.h"
#include "pkg/util/utils.h"

/* The problems found so far; all are reported at once. */
struct problems
{
  char **messages; /* NULL-terminated */
};

static void add (struct problems *p, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));

static void
add (struct problems *p, const char *fmt, ...)
{
  char *msg = NULL;
  va_list ap;
  va_start (ap, fmt);
  int ret = vasprintf (&msg, fmt, ap);
  va_end (ap);
  if (ret < 0)
    kl_oom ();
  size_t n = kl_strv_length (p->messages);
  p->messages = xrealloc (p->messages, (n + 2) * sizeof (char *));
  p->messages[n] = msg;
  p->messages[n + 1] = NULL;
}

static void
check_positive_duration (struct problems *p, const char *field, const char *flag, int64_t ns)
{
  if (ns > 0)
    return;
  cleanup_free char *text = kl_duration_format (ns);
  add (p, "invalid configuration: %s (--%s) %s must be greater than 0", field, flag, text);
}

static void
check_port (struct problems *p, const char *field, const char *flag, int32_t port)
{
  if (port < 0 || port > 65535)
    add (p, "invalid configuration: %s (--%s) %d must be between 0 and 65535, inclusive", field,
         flag, (int) port);
}

static void
check_ip (struct problems *p, const char *field, const char *flag, const char *ip)
{
  unsigned char buf[16];
  if (inet_pton (AF_INET, ip, buf) == 1 || inet_pton (AF_INET6, ip, buf) == 1)
    return;
  cleanup_free char *q = kl_quote (ip, strlen (ip));
  add (p, "invalid configuration: %s (--%s) %s must be a valid IP address", field, flag, q);
}

static void
check_log_max_size (struct problems *p, kl_kubelet_config_t *c)
{
  kl_quantity_t q;
  kl_error_t parse_err = NULL;
  if (kl_quantity_parse (c->container_log_max_size, &q, &parse_err) < 0)
    {
      add (p, "invalid configuration: containerLogMaxSize (--container-log-max-size): %s",
           kl_error_message (parse_err));
      kl_error_release (&parse_err);
      return;
    }
  int64_t bytes = kl_quantity_value (&q);
  if (bytes <= 0)
    {
      cleanup_free char *text
          = kl_quote (c->container_log_max_size, strlen (c->container_log_max_size));
      add (p,
           "invalid configuration: containerLogMaxSize (--container-log-max-size) %s must be "
           "greater than 0",
           text);
      return;
    }
  c->container_log_max_size_bytes = bytes;
}

/* Go's utilerrors.NewAggregate: one message alone, several as "[a, b]". */
static int
report (struct problems *p, kl_error_t *err)
{
  size_t n = kl_strv_length (p->messages);
  if (n == 1)
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "%s", p->messages[0]);
  size_t len = 3;
  for (size_t i = 0; i < n; i++)
    len += strlen (p->messages[i]) + 2;
  cleanup_free char *joined = xmalloc (len);
  strcpy (joined, "[");
  for (size_t i = 0; i < n; i++)
    {
      if (i > 0)
        strcat (joined, ", ");
      strcat (joined, p->messages[i]);
    }
  strcat (joined, "]");
  return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "%s", joined);
}

int
kl_kubelet_config_validate (kl_kubelet_config_t *c, kl_error_t *err)
{
  struct problems p = { NULL };
  if (strcmp (c->container_runtime, "remote") != 0 && strcmp (c->container_runtime, "docker") != 0)
    {
      cleanup_free char *q = kl_quote (c->container_runtime, strlen (c->container_runtime));
      add (&p, "invalid configuration: --container-runtime %s must be \"remote\" or \"docker\"", q);
    }
  if (c->container_runtime_endpoint[0] == '\0')
    add (&p, "invalid configuration: containerRuntimeEndpoint (--container-runtime-endpoint) "
             "must be set");
  if (c->root_dir[0] == '\0')
    add (&p, "invalid configuration: --root-dir must be set");
  check_positive_duration (&p, "syncFrequency", "sync-frequency", c->sync_frequency_ns);
  check_positive_duration (&p, "fileCheckFrequency", "file-check-frequency",
                           c->file_check_frequency_ns);
  check_positive_duration (&p, "httpCheckFrequency", "http-check-frequency",
                           c->http_check_frequency_ns);
  check_positive_duration (&p, "runtimeRequestTimeout", "runtime-request-timeout",
                           c->runtime_request_timeout_ns);
  if (c->max_pods <= 0)
    add (&p, "invalid configuration: maxPods (--max-pods) %d must be greater than 0",
         (int) c->max_pods);
  check_port (&p, "readOnlyPort", "read-only-port", c->read_only_port);
  check_port (&p, "healthzPort", "healthz-port", c->healthz_port);
  check_ip (&p, "address", "address", c->address);
  check_ip (&p, "healthzBindAddress", "healthz-bind-address", c->healthz_bind_address);
  if (c->container_log_max_files < 2)
    add (&p,
         "invalid configuration: containerLogMaxFiles (--container-log-max-files) %d must be "
         "greater than or equal to 2",
         (int) c->container_log_max_files);
  check_log_max_size (&p, c);
  if (c->pod_logs_dir[0] != '/')
    add (&p, "invalid configuration: podLogsDir \"%s\" must be an absolute path", c->pod_logs_dir);

  if (p.messages == NULL)
    return 0;
  int ret = report (&p, err);
  kl_strv_free (p.messages);
  return ret;
}

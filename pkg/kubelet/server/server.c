/* The listeners (libmicrohttpd daemons), routing and the endpoints' handlers. */
#include "pkg/kubelet/server/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "pkg/kubelet/server/encode_pod.h"
#include "pkg/kubelet/server/server-internal.h"
#include "pkg/util/log.h"
#include "pkg/util/net.h"
#include "pkg/util/utils.h"

/* Request headers and the URL of one connection must fit in this. */
#define CONNECTION_MEMORY_LIMIT ((size_t) 32 * 1024)

#define TEXT_PLAIN "text/plain; charset=utf-8"
#define APPLICATION_JSON "application/json"

struct listener_s
{
  struct kl_server_s *server;
  struct MHD_Daemon *daemon; /* NULL when disabled */
  int port;
  bool read_only_api; /* every endpoint, or only /healthz */
};

/* Written by kl_server_start () before the daemons start and only read
   afterwards, by any number of handler threads at once: no lock. */
struct kl_server_s
{
  kl_server_provider_ops_t ops;
  void *ctx;
  kl_kubelet_metrics_t *metrics; /* NULL: no /metrics content, no request metrics */
  struct listener_s read_only;
  struct listener_s healthz;
};

/* A response being built: `body` (malloc'd) is handed to libmicrohttpd. */
struct reply_s
{
  unsigned int status;
  const char *content_type;
  char *body;
  size_t len;
};

static void
reply_text (struct reply_s *r, unsigned int status, char *body)
{
  r->status = status;
  r->content_type = TEXT_PLAIN;
  r->body = body;
  r->len = strlen (body);
}

static void
reply_error (struct reply_s *r, kl_error_t *err)
{
  reply_text (r, MHD_HTTP_INTERNAL_SERVER_ERROR,
              xasprintf ("Internal Error: %s\n", kl_error_message (*err)));
  kl_error_release (err);
}

static void
reply_json (struct reply_s *r, json_t *value)
{
  char *body = json_dumps (value, JSON_COMPACT);
  json_decref (value);
  if (body == NULL)
    kl_oom ();
  r->status = MHD_HTTP_OK;
  r->content_type = APPLICATION_JSON;
  r->body = body;
  r->len = strlen (body);
}

/* True if the query has `key`, with or without a value. */
static bool
has_query (struct MHD_Connection *conn, const char *key)
{
  const char *value = NULL;
  size_t len = 0;
  return MHD_lookup_connection_value_n (conn, MHD_GET_ARGUMENT_KIND, key, strlen (key), &value,
                                        &len)
         == MHD_YES;
}

/* /healthz and /healthz/<check>. */
static void
handle_healthz (const struct kl_server_s *srv, struct MHD_Connection *conn, const char *url,
                struct reply_s *r)
{
  kl_healthz_checks_t checks = { 0 };
  kl_error_t err = NULL;
  if (srv->ops.healthz && srv->ops.healthz (srv->ctx, &checks, &err) < 0)
    {
      kl_healthz_checks_clear (&checks);
      reply_error (r, &err);
      return;
    }
  const char *name = url[strlen ("/healthz")] == '/' ? url + strlen ("/healthz/") : NULL;
  if (name == NULL)
    {
      bool healthy = true;
      char *report = kl_healthz_report (&checks, has_query (conn, "verbose"), &healthy);
      reply_text (r, healthy ? MHD_HTTP_OK : MHD_HTTP_INTERNAL_SERVER_ERROR, report);
    }
  else if (strcmp (name, "ping") == 0)
    reply_text (r, MHD_HTTP_OK, xstrdup ("ok"));
  else
    {
      const kl_healthz_check_t *check = NULL;
      for (size_t i = 0; i < checks.n_items && check == NULL; i++)
        if (strcmp (checks.items[i].name, name) == 0)
          check = &checks.items[i];
      if (check == NULL)
        reply_text (r, MHD_HTTP_NOT_FOUND, xstrdup ("404 page not found\n"));
      else if (check->error == NULL)
        reply_text (r, MHD_HTTP_OK, xstrdup ("ok"));
      else
        reply_text (r, MHD_HTTP_INTERNAL_SERVER_ERROR,
                    xasprintf ("internal server error: %s\n", check->error));
    }
  kl_healthz_checks_clear (&checks);
}

/* /pods: a v1 PodList of the provider's snapshot. */
static void
handle_pods (const struct kl_server_s *srv, struct MHD_Connection *conn, const char *url,
             struct reply_s *r)
{
  (void) conn;
  (void) url;
  kl_server_pods_t pods = { 0 };
  kl_error_t err = NULL;
  if (srv->ops.pods && srv->ops.pods (srv->ctx, &pods, &err) < 0)
    {
      kl_server_pods_clear (&pods);
      reply_error (r, &err);
      return;
    }
  json_t *items = json_array ();
  for (size_t i = 0; i < pods.n_items; i++)
    json_array_append_new (items, kl_encode_pod (pods.items[i].pod, pods.items[i].status));
  kl_server_pods_clear (&pods);
  json_t *list = json_object ();
  json_object_set_new (list, "kind", json_string ("PodList"));
  json_object_set_new (list, "apiVersion", json_string ("v1"));
  json_object_set_new (list, "metadata", json_object ());
  json_object_set_new (list, "items", items);
  reply_json (r, list);
}

/* /metrics: the registry in text format 0.0.4. */
static void
handle_metrics (const struct kl_server_s *srv, struct MHD_Connection *conn, const char *url,
                struct reply_s *r)
{
  (void) conn;
  (void) url;
  size_t len = 0;
  r->status = MHD_HTTP_OK;
  r->content_type = KL_METRICS_CONTENT_TYPE;
  r->body = srv->metrics ? kl_metrics_registry_render (srv->metrics->registry, &len) : xstrdup ("");
  r->len = len;
}

/* /stats/summary[?only_cpu_and_memory=true]. */
static void
handle_stats_summary (const struct kl_server_s *srv, struct MHD_Connection *conn, const char *url,
                      struct reply_s *r)
{
  (void) url;
  if (srv->ops.stats_summary == NULL)
    {
      reply_text (r, MHD_HTTP_NOT_FOUND, xstrdup ("404 page not found\n"));
      return;
    }
  const char *only
      = MHD_lookup_connection_value (conn, MHD_GET_ARGUMENT_KIND, "only_cpu_and_memory");
  bool only_cpu_and_memory = only != NULL && strcmp (only, "true") == 0;
  kl_stats_summary_t summary = { 0 };
  kl_error_t err = NULL;
  if (srv->ops.stats_summary (srv->ctx, only_cpu_and_memory, &summary, &err) < 0)
    {
      kl_stats_summary_clear (&summary);
      reply_error (r, &err);
      return;
    }
  json_t *json = kl_encode_stats_summary (&summary, only_cpu_and_memory);
  kl_stats_summary_clear (&summary);
  reply_json (r, json);
}

typedef void (*handler_fn) (const struct kl_server_s *srv, struct MHD_Connection *conn,
                            const char *url, struct reply_s *r);

struct route_s
{
  const char *path;
  bool subpaths;            /* also path + "/<anything>" */
  bool healthz_listener;    /* served by the healthz listener too */
  const char *metrics_path; /* the path label of the HTTP metrics */
  handler_fn handler;
};

static const struct route_s routes[] = {
  { "/healthz", true, true, "healthz", handle_healthz },
  { "/pods", false, false, "pods", handle_pods },
  { "/metrics", false, false, "metrics", handle_metrics },
  { "/stats/summary", false, false, "stats", handle_stats_summary },
};

static const struct route_s *
find_route (const struct listener_s *l, const char *url)
{
  for (size_t i = 0; i < KL_ARRAY_SIZE (routes); i++)
    {
      const struct route_s *route = &routes[i];
      size_t n = strlen (route->path);
      if (!l->read_only_api && !route->healthz_listener)
        continue;
      if (strncmp (url, route->path, n) != 0)
        continue;
      if (url[n] == '\0' || (route->subpaths && url[n] == '/' && url[n + 1] != '\0'))
        return route;
    }
  return NULL;
}

static int64_t
monotonic_ns (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static enum MHD_Result
queue_reply (struct MHD_Connection *conn, struct reply_s *r, bool method_not_allowed)
{
  struct MHD_Response *resp
      = r->len > 0 ? MHD_create_response_from_buffer (r->len, r->body, MHD_RESPMEM_MUST_FREE)
                   : MHD_create_response_from_buffer (0, (void *) "", MHD_RESPMEM_PERSISTENT);
  if (r->len == 0)
    free (r->body);
  if (resp == NULL)
    {
      if (r->len > 0)
        free (r->body);
      return MHD_NO;
    }
  MHD_add_response_header (resp, MHD_HTTP_HEADER_CONTENT_TYPE, r->content_type);
  MHD_add_response_header (resp, "X-Content-Type-Options", "nosniff");
  if (method_not_allowed)
    MHD_add_response_header (resp, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
  enum MHD_Result ret = MHD_queue_response (conn, r->status, resp);
  MHD_destroy_response (resp);
  return ret;
}

/* libmicrohttpd's access handler: answers every request on its first call,
   before any body is read (none is accepted). */
static enum MHD_Result
handle_request (void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                const char *version, const char *upload_data, size_t *upload_data_size,
                void **req_cls)
{
  (void) version;
  (void) upload_data;
  (void) upload_data_size;
  (void) req_cls;
  const struct listener_s *l = cls;
  const struct kl_server_s *srv = l->server;
  int64_t start = monotonic_ns ();
  const struct route_s *route = find_route (l, url);
  bool get = strcmp (method, MHD_HTTP_METHOD_GET) == 0;
  bool head = strcmp (method, MHD_HTTP_METHOD_HEAD) == 0;
  kl_kubelet_metrics_t *m = l->read_only_api ? srv->metrics : NULL;
  /* method, path, server_type, long_running: a bounded set of values. */
  const char *method_label = get ? "GET" : "other";
  if (head)
    method_label = "HEAD";
  const char *labels[] = { method_label, route ? route->metrics_path : "other",
                           KL_METRICS_SERVER_READONLY, "false" };
  if (m)
    kl_gauge_add (m->http_inflight_requests, 1, labels[0], labels[1], labels[2], labels[3], NULL);

  struct reply_s r = { 0 };
  bool method_not_allowed = false;
  if (route == NULL)
    reply_text (&r, MHD_HTTP_NOT_FOUND, xstrdup ("404 page not found\n"));
  else if (!get && !head)
    {
      reply_text (&r, MHD_HTTP_METHOD_NOT_ALLOWED, xstrdup ("405: Method Not Allowed\n"));
      method_not_allowed = true;
    }
  else
    route->handler (srv, conn, url, &r);
  KL_LOG_V (4, "%s %s: %u", method, url, r.status);

  if (m)
    {
      kl_counter_inc (m->http_requests_total, labels[0], labels[1], labels[2], labels[3], NULL);
      kl_histogram_observe (m->http_requests_duration_seconds,
                            kl_metrics_seconds (monotonic_ns () - start), labels[0], labels[1],
                            labels[2], labels[3], NULL);
      kl_gauge_add (m->http_inflight_requests, -1, labels[0], labels[1], labels[2], labels[3],
                    NULL);
    }
  return queue_reply (conn, &r, method_not_allowed);
}

static void
log_mhd (void *cls, const char *fmt, va_list ap)
{
  (void) cls;
  cleanup_free char *msg = NULL;
  if (vasprintf (&msg, fmt, ap) < 0)
    return;
  size_t n = strlen (msg);
  while (n > 0 && msg[n - 1] == '\n')
    msg[--n] = '\0';
  KL_LOG_V (2, "http server: %s", msg); /* mostly bad requests: not worth a warning each */
}

static int
start_listener (struct listener_s *l, const kl_server_options_t *opts, const char *address,
                int32_t port, unsigned int threads, kl_error_t *err)
{
  if (port == 0)
    return 0;
  if (port != KL_SERVER_PORT_EPHEMERAL && (port < 1 || port > 65535))
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "invalid port %d", (int) port);
  if (address == NULL || *address == '\0')
    address = KL_SERVER_DEFAULT_ADDRESS;
  int fd = -1;
  bool ipv6 = false;
  int ret = kl_net_listen_tcp (address, port < 0 ? 0 : port, &fd, &ipv6, err);
  if (ret < 0)
    return ret;

  unsigned int limit
      = opts->connection_limit ? opts->connection_limit : KL_SERVER_DEFAULT_CONNECTION_LIMIT;
  unsigned int timeout = opts->connection_timeout_seconds
                             ? opts->connection_timeout_seconds
                             : KL_SERVER_DEFAULT_CONNECTION_TIMEOUT_SECONDS;
  unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ITC
                       | MHD_USE_ERROR_LOG | (ipv6 ? MHD_USE_IPv6 : 0);
  /* The logger comes first, as libmicrohttpd asks; the pool size comes last
     so that a single thread can leave it out. */
  l->daemon = MHD_start_daemon (
      flags, 0, NULL, NULL, handle_request, l, MHD_OPTION_EXTERNAL_LOGGER, log_mhd, NULL,
      MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_CONNECTION_LIMIT, limit,
      MHD_OPTION_CONNECTION_TIMEOUT, timeout, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
      CONNECTION_MEMORY_LIMIT, threads > 1 ? MHD_OPTION_THREAD_POOL_SIZE : MHD_OPTION_END, threads,
      MHD_OPTION_END);
  if (l->daemon == NULL)
    {
      close (fd);
      cleanup_free char *where = kl_net_host_port (address, port < 0 ? 0 : port);
      return kl_make_error (err, 0, "start the HTTP server on %s", where);
    }
  const union MHD_DaemonInfo *info = MHD_get_daemon_info (l->daemon, MHD_DAEMON_INFO_BIND_PORT);
  l->port = info ? info->port : 0;
  cleanup_free char *where = kl_net_host_port (address, l->port);
  KL_LOG_INFO ("serving %s on %s", l->read_only_api ? "the read-only API" : "healthz", where);
  return 0;
}

int
kl_server_start (const kl_server_options_t *opts, kl_server_t **out, kl_error_t *err)
{
  kl_server_t *srv = xmalloc0 (sizeof *srv);
  if (opts->ops)
    srv->ops = *opts->ops;
  srv->ctx = opts->ctx;
  srv->metrics = srv->ops.metrics ? srv->ops.metrics (srv->ctx) : NULL;
  srv->read_only = (struct listener_s){ .server = srv, .read_only_api = true };
  srv->healthz = (struct listener_s){ .server = srv, .read_only_api = false };
  unsigned int threads = opts->threads ? opts->threads : KL_SERVER_DEFAULT_THREADS;
  int ret
      = start_listener (&srv->read_only, opts, opts->address, opts->read_only_port, threads, err);
  if (ret >= 0)
    ret = start_listener (&srv->healthz, opts, opts->healthz_bind_address, opts->healthz_port, 1,
                          err);
  if (ret < 0)
    {
      kl_server_stop (srv);
      return ret;
    }
  *out = srv;
  return 0;
}

int
kl_server_read_only_port (const kl_server_t *srv)
{
  return srv->read_only.daemon ? srv->read_only.port : 0;
}

int
kl_server_healthz_port (const kl_server_t *srv)
{
  return srv->healthz.daemon ? srv->healthz.port : 0;
}

void
kl_server_stop (kl_server_t *srv)
{
  if (srv == NULL)
    return;
  if (srv->read_only.daemon)
    MHD_stop_daemon (srv->read_only.daemon);
  if (srv->healthz.daemon)
    MHD_stop_daemon (srv->healthz.daemon);
  free (srv);
}

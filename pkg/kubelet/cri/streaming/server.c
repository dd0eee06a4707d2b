/* The HTTP side of the streaming server (Go's kubelet/cri/streaming
   server.go): issues URLs, serves /exec, /attach and /portforward on
   libmicrohttpd, negotiates SPDY or WebSocket and hands each upgraded
   connection to a session thread. */
#include "pkg/kubelet/cri/streaming/streaming.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <fcntl.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "pkg/kubelet/cri/streaming/session-internal.h"
#include "pkg/kubelet/cri/streaming/websocket_frame.h"
#include "pkg/util/log.h"
#include "pkg/util/net.h"
#include "pkg/util/utils.h"

/* Go's requestCache: at most this many issued, unused URLs. */
#define MAX_IN_FLIGHT 1000
#define HTTP_TIMEOUT_SECONDS 60

/* Written by kl_stream_server_start () before the daemon runs, then only
   read, except: `lock` guards `sessions`, `stopping` and each session's
   `sock` once its thread runs. */
struct kl_stream_server_s
{
  kl_stream_config_t config;
  char *bind_address;
  kl_stream_runtime_t runtime;
  struct MHD_Daemon *daemon;
  char *base_url;
  kl_request_cache_t *cache;
  pthread_mutex_t lock;
  struct session_s *sessions;
  bool stopping;
};

/* A session's thread wrapper marks it reapable when done. */
struct session_box_s
{
  struct session_s session;
  bool thread_started;
  atomic_bool finished;
};

int64_t
kl_stream_now_ns (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

const kl_stream_runtime_t *
kl_stream_server_runtime (struct kl_stream_server_s *server)
{
  return &server->runtime;
}

const kl_stream_config_t *
kl_stream_server_config (struct kl_stream_server_s *server)
{
  return &server->config;
}

void
kl_stream_config_init (kl_stream_config_t *config)
{
  config->bind_address = KL_STREAM_DEFAULT_BIND_ADDRESS;
  config->token_ttl_ns = (int64_t) 60 * 1000000000;
  config->stream_creation_timeout_ns = (int64_t) 30 * 1000000000;
  config->stream_idle_timeout_ns = (int64_t) 4 * 3600 * 1000000000;
}

static void
session_free (struct session_s *s)
{
  for (size_t i = 0; i < s->n_chans; i++)
    {
      if (s->chans[i]->fd >= 0)
        close (s->chans[i]->fd);
      kl_buf_free (&s->chans[i]->pending);
      kl_buf_free (&s->chans[i]->json);
      free (s->chans[i]);
    }
  free (s->chans);
  for (size_t i = 0; i < s->n_pairs; i++)
    {
      free (s->pairs[i]->request_id);
      free (s->pairs[i]->call.error);
      free (s->pairs[i]);
    }
  free (s->pairs);
  free (s->call.error);
  kl_buf_free (&s->in);
  kl_buf_free (&s->out);
  kl_buf_free (&s->ws_message);
  kl_spdy_zlib_free (s->deflater);
  kl_spdy_zlib_free (s->inflater);
  if (s->events[0] >= 0)
    close (s->events[0]);
  if (s->events[1] >= 0)
    close (s->events[1]);
  kl_stream_request_free (s->req);
  free (s);
}

/* Joins and frees finished sessions; called with the lock held. */
static void
reap (struct kl_stream_server_s *srv)
{
  for (struct session_s **ps = &srv->sessions; *ps;)
    {
      struct session_box_s *box = (struct session_box_s *) *ps;
      if (box->thread_started && atomic_load (&box->finished))
        {
          *ps = (*ps)->next;
          pthread_join (box->session.thread, NULL);
          session_free (&box->session);
        }
      else
        ps = &(*ps)->next;
    }
}

static void *
session_thread (void *arg)
{
  struct session_box_s *box = arg;
  struct session_s *s = &box->session;
  session_main (s);
  atomic_store (&box->finished, true);
  return NULL;
}

/* libmicrohttpd hands over the socket after the 101 went out. */
static void
on_upgrade (void *cls, struct MHD_Connection *conn, void *req_cls, const char *extra_in,
            size_t extra_in_size, MHD_socket sock, struct MHD_UpgradeResponseHandle *urh)
{
  (void) conn;
  (void) req_cls;
  struct session_s *s = cls;
  struct kl_stream_server_s *srv = s->server;
  struct session_box_s *box = (struct session_box_s *) s;
  kl_buf_append (&s->in, extra_in, extra_in_size);
  s->urh = urh;
  /* Blocking writes (bounded by a send timeout); reads only after poll. */
  int flags = fcntl (sock, F_GETFL);
  fcntl (sock, F_SETFL, flags & ~O_NONBLOCK);
  struct timeval tv = { .tv_sec = 30 };
  setsockopt (sock, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  kl_error_t err = NULL;
  pthread_mutex_lock (&srv->lock);
  if (!srv->stopping)
    reap (srv);
  int ret = -1;
  if (!srv->stopping && session_pipe (s->events, &err) >= 0)
    {
      fcntl (s->events[1], F_SETFL, fcntl (s->events[1], F_GETFL) | O_NONBLOCK);
      s->sock = sock;
      ret = pthread_create (&s->thread, NULL, session_thread, box);
      box->thread_started = ret == 0;
    }
  pthread_mutex_unlock (&srv->lock);
  if (ret != 0)
    {
      if (err)
        KL_LOG_WARN ("streaming: %s", kl_error_message (err));
      kl_error_release (&err);
      s->sock = -1;
      MHD_upgrade_action (urh, MHD_UPGRADE_ACTION_CLOSE);
      /* Stays in the list, freed by kl_stream_server_stop (). */
    }
}

void
kl_stream_server_release_socket (struct kl_stream_server_s *srv, struct session_s *s)
{
  pthread_mutex_lock (&srv->lock);
  MHD_upgrade_action (s->urh, MHD_UPGRADE_ACTION_CLOSE);
  s->sock = -1;
  pthread_mutex_unlock (&srv->lock);
}

/* ---- HTTP replies ---- */

static enum MHD_Result
reply (struct MHD_Connection *conn, unsigned int status, const char *body, ...)
{
  struct MHD_Response *resp
      = MHD_create_response_from_buffer (strlen (body), (void *) body, MHD_RESPMEM_MUST_COPY);
  if (resp == NULL)
    return MHD_NO;
  MHD_add_response_header (resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; charset=utf-8");
  MHD_add_response_header (resp, "X-Content-Type-Options", "nosniff");
  va_list ap;
  va_start (ap, body);
  const char *name;
  while ((name = va_arg (ap, const char *)) != NULL)
    MHD_add_response_header (resp, name, va_arg (ap, const char *));
  va_end (ap);
  enum MHD_Result ret = MHD_queue_response (conn, status, resp);
  MHD_destroy_response (resp);
  return ret;
}

static enum MHD_Result
reply_error (struct MHD_Connection *conn, unsigned int status, char *msg)
{
  cleanup_free char *body = xasprintf ("%s\n", msg);
  free (msg);
  return reply (conn, status, body, NULL);
}

/* ---- header helpers ---- */

struct values_s
{
  enum MHD_ValueKind kind;
  const char *name;
  char **items; /* comma-separated values split and trimmed */
  size_t n;
  bool present;
};

static enum MHD_Result
collect_value (void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
  struct values_s *v = cls;
  if (kind != v->kind || strcasecmp (key, v->name) != 0)
    return MHD_YES;
  v->present = true;
  cleanup_free char *copy = xstrdup (value ? value : "");
  char *save = NULL;
  for (char *tok = strtok_r (copy, ",", &save); tok; tok = strtok_r (NULL, ",", &save))
    {
      while (*tok == ' ' || *tok == '\t')
        tok++;
      size_t len = strlen (tok);
      while (len > 0 && (tok[len - 1] == ' ' || tok[len - 1] == '\t'))
        tok[--len] = '\0';
      if (len == 0)
        continue;
      v->items = xrealloc (v->items, sizeof *v->items * (v->n + 1));
      v->items[v->n++] = xstrdup (tok);
    }
  return MHD_YES;
}

static void
values_clear (struct values_s *v)
{
  for (size_t i = 0; i < v->n; i++)
    free (v->items[i]);
  free (v->items);
}

#define cleanup_values __attribute__ ((cleanup (values_clear)))

static void
collect (struct MHD_Connection *conn, enum MHD_ValueKind kind, const char *name,
         struct values_s *out)
{
  *out = (struct values_s){ .kind = kind, .name = name };
  MHD_get_connection_values (conn, kind, collect_value, out);
}

static bool
has_token (struct MHD_Connection *conn, const char *header, const char *token)
{
  cleanup_values struct values_s v;
  collect (conn, MHD_HEADER_KIND, header, &v);
  for (size_t i = 0; i < v.n; i++)
    if (strcasecmp (v.items[i], token) == 0)
      return true;
  return false;
}

/* ---- protocols ---- */

struct protocol_s
{
  const char *name;
  int version;
  bool base64;
};

/* In the order Go's server lists them. */
static const struct protocol_s spdy_remotecommand[] = {
  { "v5.channel.k8s.io", 5, false }, { "v4.channel.k8s.io", 4, false },
  { "v3.channel.k8s.io", 3, false }, { "v2.channel.k8s.io", 2, false },
  { "channel.k8s.io", 1, false },
};
static const struct protocol_s spdy_portforward[] = { { "portforward.k8s.io", 1, false } };
static const struct protocol_s ws_remotecommand[] = {
  { "", 1, false },
  { "channel.k8s.io", 1, false },
  { "base64.channel.k8s.io", 1, true },
  { "v4.channel.k8s.io", 4, false },
  { "v4.base64.channel.k8s.io", 4, true },
  { "v5.channel.k8s.io", 5, false },
};
static const struct protocol_s ws_portforward[] = {
  { "", 4, false },
  { "portforward.k8s.io", 4, false },
  { "v4.channel.k8s.io", 4, false },
  { "v4.base64.channel.k8s.io", 4, true },
};

/* The first client protocol the server supports (the client's preference
   wins, as Go's negotiation). */
static const struct protocol_s *
negotiate (const struct values_s *offered, const struct protocol_s *supported, size_t n)
{
  for (size_t i = 0; i < offered->n; i++)
    for (size_t j = 0; j < n; j++)
      if (strcmp (offered->items[i], supported[j].name) == 0)
        return &supported[j];
  return NULL;
}

static char *
join_names (const struct protocol_s *list, size_t n)
{
  kl_buf_t b = { 0 };
  for (size_t i = 0; i < n; i++)
    {
      if (i)
        kl_buf_append (&b, " ", 1);
      kl_buf_append (&b, list[i].name, strlen (list[i].name));
    }
  kl_buf_append_u8 (&b, 0);
  return (char *) b.data;
}

static struct session_s *
new_session (struct kl_stream_server_s *srv, kl_stream_request_t *req)
{
  struct session_box_s *box = xmalloc0 (sizeof *box);
  struct session_s *s = &box->session;
  s->server = srv;
  s->req = req;
  s->sock = -1;
  s->events[0] = s->events[1] = -1;
  return s;
}

/* Queues the 101; the session joins the server's list now so that stop ()
   frees it even when the upgrade never completes. */
static enum MHD_Result
switch_protocols (struct kl_stream_server_s *srv, struct MHD_Connection *conn, struct session_s *s,
                  const char *upgrade, const char *h1, const char *v1, const char *h2,
                  const char *v2)
{
  struct MHD_Response *resp = MHD_create_response_for_upgrade (on_upgrade, s);
  if (resp == NULL)
    {
      session_free (s);
      return MHD_NO;
    }
  MHD_add_response_header (resp, MHD_HTTP_HEADER_UPGRADE, upgrade);
  if (h1 && v1 && *v1)
    MHD_add_response_header (resp, h1, v1);
  if (h2 && v2 && *v2)
    MHD_add_response_header (resp, h2, v2);
  pthread_mutex_lock (&srv->lock);
  s->next = srv->sessions;
  srv->sessions = s;
  pthread_mutex_unlock (&srv->lock);
  enum MHD_Result ret = MHD_queue_response (conn, MHD_HTTP_SWITCHING_PROTOCOLS, resp);
  MHD_destroy_response (resp);
  return ret;
}

static enum MHD_Result
upgrade_spdy (struct kl_stream_server_s *srv, struct MHD_Connection *conn, kl_stream_request_t *req)
{
  bool pf = req->kind == KL_STREAM_PORT_FORWARD;
  const struct protocol_s *list = pf ? spdy_portforward : spdy_remotecommand;
  size_t n = pf ? KL_ARRAY_SIZE (spdy_portforward) : KL_ARRAY_SIZE (spdy_remotecommand);
  cleanup_values struct values_s offered;
  collect (conn, MHD_HEADER_KIND, "X-Stream-Protocol-Version", &offered);
  const struct protocol_s *chosen = negotiate (&offered, list, n);
  if (chosen == NULL)
    {
      kl_stream_request_free (req);
      if (!offered.present)
        return reply_error (conn, MHD_HTTP_BAD_REQUEST,
                            xstrdup ("unable to upgrade: header X-Stream-Protocol-Version does "
                                     "not exist in request"));
      cleanup_free char *names = join_names (list, n);
      cleanup_free char *body = xasprintf (
          "unable to upgrade: unable to negotiate protocol: client supports %s, server accepts "
          "[%s]\n",
          offered.n ? offered.items[0] : "nothing", names);
      return reply (conn, MHD_HTTP_FORBIDDEN, body, "X-Accepted-Stream-Protocol-Versions",
                    list[0].name, NULL);
    }
  if (!has_token (conn, MHD_HTTP_HEADER_CONNECTION, "upgrade")
      || !has_token (conn, MHD_HTTP_HEADER_UPGRADE, "SPDY/3.1"))
    {
      kl_stream_request_free (req);
      return reply_error (conn, MHD_HTTP_BAD_REQUEST,
                          xstrdup ("unable to upgrade: missing upgrade headers in request"));
    }
  struct session_s *s = new_session (srv, req);
  s->version = chosen->version;
  s->deflater = kl_spdy_zlib_new_deflater ();
  s->inflater = kl_spdy_zlib_new_inflater ();
  return switch_protocols (srv, conn, s, "SPDY/3.1", "X-Stream-Protocol-Version", chosen->name,
                           NULL, NULL);
}

/* Port forward over WebSocket: the ports come from the `ports` query
   parameter (repeated or comma-separated), else from the CRI request. */
static int
query_ports (struct MHD_Connection *conn, kl_stream_request_t *req, kl_error_t *err)
{
  cleanup_values struct values_s v;
  collect (conn, MHD_GET_ARGUMENT_KIND, "ports", &v);
  if (!v.present)
    {
      if (req->n_ports == 0)
        return kl_make_error_kind (err, KL_ERROR_INVALID, 0,
                                   "query parameter \"ports\" is required");
      return 0;
    }
  if (v.n == 0)
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0,
                               "query parameter \"ports\" cannot be empty");
  int32_t *ports = xmalloc (sizeof *ports * v.n);
  for (size_t i = 0; i < v.n; i++)
    {
      char *end = NULL;
      unsigned long p = strtoul (v.items[i], &end, 10);
      if (*end != '\0' || !isdigit ((unsigned char) v.items[i][0]) || p < 1 || p > 65535)
        {
          free (ports);
          return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "unable to parse \"%s\" as a port",
                                     v.items[i]);
        }
      ports[i] = (int32_t) p;
    }
  free (req->ports);
  req->ports = ports;
  req->n_ports = v.n;
  return 0;
}

static enum MHD_Result
upgrade_websocket (struct kl_stream_server_s *srv, struct MHD_Connection *conn,
                   kl_stream_request_t *req)
{
  const char *version
      = MHD_lookup_connection_value (conn, MHD_HEADER_KIND, "Sec-WebSocket-Version");
  const char *key = MHD_lookup_connection_value (conn, MHD_HEADER_KIND, "Sec-WebSocket-Key");
  if (version == NULL || strcmp (version, "13") != 0)
    {
      kl_stream_request_free (req);
      return reply (conn, MHD_HTTP_BAD_REQUEST, "unsupported websocket version\n",
                    "Sec-WebSocket-Version", "13", NULL);
    }
  if (key == NULL || strlen (key) != 24)
    {
      kl_stream_request_free (req);
      return reply_error (conn, MHD_HTTP_BAD_REQUEST, xstrdup ("missing or bad Sec-WebSocket-Key"));
    }
  bool pf = req->kind == KL_STREAM_PORT_FORWARD;
  const struct protocol_s *list = pf ? ws_portforward : ws_remotecommand;
  size_t n = pf ? KL_ARRAY_SIZE (ws_portforward) : KL_ARRAY_SIZE (ws_remotecommand);
  cleanup_values struct values_s offered;
  collect (conn, MHD_HEADER_KIND, "Sec-WebSocket-Protocol", &offered);
  const struct protocol_s *chosen = offered.n == 0 ? &list[0] : negotiate (&offered, list, n);
  if (chosen == NULL)
    {
      kl_stream_request_free (req);
      cleanup_free char *names = join_names (list + 1, n - 1);
      return reply_error (conn, MHD_HTTP_FORBIDDEN,
                          xasprintf ("requested protocol(s) are not supported: %s; supports [%s]",
                                     offered.items[0], names));
    }
  kl_error_t err = NULL;
  if (pf && query_ports (conn, req, &err) < 0)
    {
      kl_stream_request_free (req);
      enum MHD_Result ret
          = reply_error (conn, MHD_HTTP_BAD_REQUEST, xstrdup (kl_error_message (err)));
      kl_error_release (&err);
      return ret;
    }
  struct session_s *s = new_session (srv, req);
  s->websocket = true;
  s->version = chosen->version;
  s->ws_base64 = chosen->base64;
  cleanup_free char *accept = kl_ws_accept_key (key);
  return switch_protocols (srv, conn, s, "websocket", "Sec-WebSocket-Accept", accept,
                           "Sec-WebSocket-Protocol", chosen->name);
}

static bool
is_websocket (struct MHD_Connection *conn)
{
  return has_token (conn, MHD_HTTP_HEADER_UPGRADE, "websocket")
         && has_token (conn, MHD_HTTP_HEADER_CONNECTION, "upgrade");
}

static enum MHD_Result
handle_request (void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                const char *version, const char *upload_data, size_t *upload_data_size,
                void **req_cls)
{
  (void) version;
  (void) upload_data;
  (void) req_cls;
  struct kl_stream_server_s *srv = cls;
  *upload_data_size = 0; /* no body is read */
  static const struct
  {
    const char *prefix;
    kl_stream_kind_t kind;
  } routes[] = { { "/exec/", KL_STREAM_EXEC },
                 { "/attach/", KL_STREAM_ATTACH },
                 { "/portforward/", KL_STREAM_PORT_FORWARD } };
  const char *token = NULL;
  kl_stream_kind_t kind = KL_STREAM_EXEC;
  for (size_t i = 0; i < KL_ARRAY_SIZE (routes) && token == NULL; i++)
    if (strncmp (url, routes[i].prefix, strlen (routes[i].prefix)) == 0)
      {
        token = url + strlen (routes[i].prefix);
        kind = routes[i].kind;
      }
  if (token == NULL || *token == '\0' || strchr (token, '/'))
    return reply (conn, MHD_HTTP_NOT_FOUND, "404 page not found\n", NULL);
  if (strcmp (method, MHD_HTTP_METHOD_GET) != 0 && strcmp (method, MHD_HTTP_METHOD_POST) != 0)
    return reply (conn, MHD_HTTP_METHOD_NOT_ALLOWED, "405: Method Not Allowed\n",
                  MHD_HTTP_HEADER_ALLOW, "GET, POST", NULL);
  kl_stream_request_t *req = kl_request_cache_consume (srv->cache, token, kl_stream_now_ns ());
  if (req == NULL || req->kind != kind)
    {
      kl_stream_request_free (req);
      return reply (conn, MHD_HTTP_NOT_FOUND, "404 page not found\n", NULL);
    }
  KL_LOG_V (4, "streaming: %s %s", method, url);
  if (is_websocket (conn))
    return upgrade_websocket (srv, conn, req);
  return upgrade_spdy (srv, conn, req);
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
  KL_LOG_V (2, "streaming http server: %s", msg);
}

/* ---- lifecycle ---- */

/* Splits "host:port" / "[v6]:port". */
static int
split_host_port (const char *address, char **host, int *port, kl_error_t *err)
{
  const char *colon = strrchr (address, ':');
  if (colon == NULL)
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "address %s: missing port", address);
  const char *h = address;
  size_t hlen = (size_t) (colon - address);
  if (hlen >= 2 && h[0] == '[' && h[hlen - 1] == ']')
    {
      h++;
      hlen -= 2;
    }
  char *end = NULL;
  long p = strtol (colon + 1, &end, 10);
  if (colon[1] == '\0' || *end != '\0' || p < 0 || p > 65535)
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "address %s: bad port", address);
  *host = xstrndup (h, hlen);
  *port = (int) p;
  return 0;
}

int
kl_stream_server_start (const kl_stream_config_t *config, const kl_stream_runtime_t *runtime,
                        kl_stream_server_t **out, kl_error_t *err)
{
  kl_stream_server_t *srv = xmalloc0 (sizeof *srv);
  kl_stream_config_init (&srv->config);
  if (config)
    srv->config = *config;
  if (srv->config.bind_address == NULL || *srv->config.bind_address == '\0')
    srv->config.bind_address = KL_STREAM_DEFAULT_BIND_ADDRESS;
  srv->bind_address = xstrdup (srv->config.bind_address);
  srv->config.bind_address = srv->bind_address;
  if (srv->config.token_ttl_ns <= 0 || srv->config.stream_creation_timeout_ns <= 0
      || srv->config.stream_idle_timeout_ns <= 0)
    {
      free (srv->bind_address);
      free (srv);
      return kl_make_error_kind (err, KL_ERROR_INVALID, 0,
                                 "streaming server timeouts must be positive");
    }
  if (runtime)
    srv->runtime = *runtime;
  pthread_mutex_init (&srv->lock, NULL);
  srv->cache = kl_request_cache_new (srv->config.token_ttl_ns, MAX_IN_FLIGHT);

  cleanup_free char *host = NULL;
  int port = 0, fd = -1;
  bool ipv6 = false;
  int ret = split_host_port (srv->bind_address, &host, &port, err);
  if (ret >= 0)
    ret = kl_net_listen_tcp (host, port, &fd, &ipv6, err);
  if (ret < 0)
    {
      kl_stream_server_stop (srv);
      return kl_error_wrap (err, "streaming server");
    }
  unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ITC
                       | MHD_ALLOW_UPGRADE | MHD_USE_ERROR_LOG | (ipv6 ? MHD_USE_IPv6 : 0);
  srv->daemon = MHD_start_daemon (flags, 0, NULL, NULL, handle_request, srv,
                                  MHD_OPTION_EXTERNAL_LOGGER, log_mhd, NULL,
                                  MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_CONNECTION_TIMEOUT,
                                  (unsigned int) HTTP_TIMEOUT_SECONDS, MHD_OPTION_END);
  if (srv->daemon == NULL)
    {
      close (fd);
      kl_stream_server_stop (srv);
      return kl_make_error (err, 0, "streaming server: start the HTTP server on %s",
                            config && config->bind_address ? config->bind_address
                                                           : KL_STREAM_DEFAULT_BIND_ADDRESS);
    }
  const union MHD_DaemonInfo *info = MHD_get_daemon_info (srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
  int bound = info ? info->port : port;
  srv->base_url
      = ipv6 ? xasprintf ("http://[%s]:%d", host, bound) : xasprintf ("http://%s:%d", host, bound);
  KL_LOG_INFO ("streaming server listening on %s", srv->base_url);
  *out = srv;
  return 0;
}

void
kl_stream_server_stop (kl_stream_server_t *srv)
{
  if (srv == NULL)
    return;
  pthread_mutex_lock (&srv->lock);
  srv->stopping = true;
  for (struct session_s *s = srv->sessions; s; s = s->next)
    {
      atomic_store (&s->stop, true);
      if (s->events[1] >= 0)
        session_wake (s);
      if (s->sock >= 0)
        shutdown (s->sock, SHUT_RDWR); /* unblocks a write to a stuck client */
    }
  pthread_mutex_unlock (&srv->lock);
  /* No session joins the list any more; the threads end on their own. */
  for (struct session_s *s = srv->sessions, *next; s; s = next)
    {
      next = s->next;
      struct session_box_s *box = (struct session_box_s *) s;
      if (box->thread_started)
        pthread_join (s->thread, NULL);
      box->thread_started = false;
    }
  if (srv->daemon)
    MHD_stop_daemon (srv->daemon);
  for (struct session_s *s = srv->sessions, *next; s; s = next)
    {
      next = s->next;
      session_free (s);
    }
  kl_request_cache_free (srv->cache);
  pthread_mutex_destroy (&srv->lock);
  free (srv->base_url);
  free (srv->bind_address);
  free (srv);
}

const char *
kl_stream_server_base_url (const kl_stream_server_t *srv)
{
  return srv->base_url;
}

/* ---- issuing URLs ---- */

static int
issue (kl_stream_server_t *srv, kl_stream_request_t *req, const char *path, char **url,
       kl_error_t *err)
{
  cleanup_free char *token = NULL;
  int ret = kl_request_cache_insert (srv->cache, req, kl_stream_now_ns (), &token, err);
  if (ret < 0)
    {
      kl_stream_request_free (req);
      return ret;
    }
  *url = xasprintf ("%s/%s/%s", srv->base_url, path, token);
  return 0;
}

static int
invalid (kl_error_t *err, const char *msg)
{
  return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "%s", msg);
}

int
kl_stream_server_get_exec (kl_stream_server_t *srv, const Runtime__V1__ExecRequest *req,
                           Runtime__V1__ExecResponse **resp, kl_error_t *err)
{
  if (req->container_id == NULL || *req->container_id == '\0')
    return invalid (err, "missing required container_id");
  if (req->tty && req->stderr)
    return invalid (err, "tty and stderr cannot both be true");
  if (!req->stdin && !req->stdout && !req->stderr)
    return invalid (err, "one of stdin, stdout, or stderr must be set");
  if (req->n_cmd == 0)
    return invalid (err, "missing required cmd");
  kl_stream_request_t *r = xmalloc0 (sizeof *r);
  r->kind = KL_STREAM_EXEC;
  r->id = xstrdup (req->container_id);
  r->cmd = xmalloc0 (sizeof *r->cmd * (req->n_cmd + 1));
  for (size_t i = 0; i < req->n_cmd; i++)
    r->cmd[i] = xstrdup (req->cmd[i]);
  r->argc = req->n_cmd;
  r->stdin = req->stdin;
  r->stdout = req->stdout;
  r->stderr = req->stderr;
  r->tty = req->tty;
  char *url = NULL;
  int ret = issue (srv, r, "exec", &url, err);
  if (ret < 0)
    return ret;
  Runtime__V1__ExecResponse *out = xmalloc (sizeof *out);
  runtime__v1__exec_response__init (out);
  out->url = url;
  *resp = out;
  return 0;
}

int
kl_stream_server_get_attach (kl_stream_server_t *srv, const Runtime__V1__AttachRequest *req,
                             Runtime__V1__AttachResponse **resp, kl_error_t *err)
{
  if (req->container_id == NULL || *req->container_id == '\0')
    return invalid (err, "missing required container_id");
  if (req->tty && req->stderr)
    return invalid (err, "tty and stderr cannot both be true");
  if (!req->stdin && !req->stdout && !req->stderr)
    return invalid (err, "one of stdin, stdout, and stderr must be set");
  kl_stream_request_t *r = xmalloc0 (sizeof *r);
  r->kind = KL_STREAM_ATTACH;
  r->id = xstrdup (req->container_id);
  r->stdin = req->stdin;
  r->stdout = req->stdout;
  r->stderr = req->stderr;
  r->tty = req->tty;
  char *url = NULL;
  int ret = issue (srv, r, "attach", &url, err);
  if (ret < 0)
    return ret;
  Runtime__V1__AttachResponse *out = xmalloc (sizeof *out);
  runtime__v1__attach_response__init (out);
  out->url = url;
  *resp = out;
  return 0;
}

int
kl_stream_server_get_port_forward (kl_stream_server_t *srv,
                                   const Runtime__V1__PortForwardRequest *req,
                                   Runtime__V1__PortForwardResponse **resp, kl_error_t *err)
{
  if (req->pod_sandbox_id == NULL || *req->pod_sandbox_id == '\0')
    return invalid (err, "missing required pod_sandbox_id");
  for (size_t i = 0; i < req->n_port; i++)
    if (req->port[i] < 1 || req->port[i] > 65535)
      return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "invalid port %d", (int) req->port[i]);
  kl_stream_request_t *r = xmalloc0 (sizeof *r);
  r->kind = KL_STREAM_PORT_FORWARD;
  r->id = xstrdup (req->pod_sandbox_id);
  r->ports = xmalloc (sizeof *r->ports * (req->n_port ? req->n_port : 1));
  if (req->n_port > 0)
    memcpy (r->ports, req->port, sizeof *r->ports * req->n_port);
  r->n_ports = req->n_port;
  char *url = NULL;
  int ret = issue (srv, r, "portforward", &url, err);
  if (ret < 0)
    return ret;
  Runtime__V1__PortForwardResponse *out = xmalloc (sizeof *out);
  runtime__v1__port_forward_response__init (out);
  out->url = url;
  *resp = out;
  return 0;
}

/* The fake API server: plain sockets, a thread per connection. Ordinary
   requests get a JSON answer and a closed connection; stream requests are
   proxied byte for byte to the streaming server after the 101 (the API
   server's UpgradeAwareHandler), except kubectl's port forward over
   WebSocket, which tunnels SPDY in WebSocket binary messages and is
   unwrapped here (the API server's tunneling handler). */
#include "pkg/kubelet/cri/streaming/testing/fake_apiserver.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "pkg/kubelet/cri/streaming/buf.h"
#include "pkg/kubelet/cri/streaming/testing/http_msg.h"
#include "pkg/kubelet/cri/streaming/websocket_frame.h"
#include "pkg/util/log.h"
#include "pkg/util/utils.h"

#define MAX_WS_MESSAGE (16 * 1024 * 1024)
#define TUNNEL_PREFIX "SPDY/3.1+"
#define NAMESPACE "default"
#define POD "web"

static const char *const containers[] = { "main", "sidecar" };

/* A connection's thread; its sockets are listed so that stop can cut them. */
struct conn_s
{
  struct kl_fake_apiserver_s *server;
  int client;
  int upstream; /* -1 until a stream is proxied */
  struct conn_s *next;
};

/* `lock` guards conns, n_conns and stopping. */
struct kl_fake_apiserver_s
{
  kl_stream_server_t *streams;
  int listener;
  char *url;
  pthread_t acceptor;
  pthread_mutex_t lock;
  pthread_cond_t idle;
  struct conn_s *conns;
  size_t n_conns;
  bool stopping;
};

/* ---- answers ---- */

static void
respond (int fd, int code, const char *reason, const char *body)
{
  cleanup_free char *head = xasprintf ("HTTP/1.1 %d %s\r\n"
                                       "Content-Type: application/json\r\n"
                                       "Content-Length: %zu\r\n"
                                       "Connection: close\r\n\r\n",
                                       code, reason, strlen (body));
  if (kl_http_write_all (fd, head, strlen (head)) == 0)
    kl_http_write_all (fd, body, strlen (body));
}

/* A metav1.Status failure, as the API server answers errors. */
static void
respond_status (int fd, int code, const char *reason, const char *message)
{
  json_t *o = json_pack ("{s:s, s:s, s:{}, s:s, s:s, s:s, s:i}", "kind", "Status", "apiVersion",
                         "v1", "metadata", "status", "Failure", "message", message, "reason",
                         reason, "code", code);
  cleanup_free char *body = json_dumps (o, JSON_COMPACT | JSON_PRESERVE_ORDER);
  json_decref (o);
  KL_LOG_INFO ("apiserver: -> %d %s: %s", code, reason, message);
  respond (fd, code, reason, body ? body : "{}");
}

static const char api_versions[]
    = "{\"kind\":\"APIVersions\",\"versions\":[\"v1\"],\"serverAddressByClientCIDRs\":"
      "[{\"clientCIDR\":\"0.0.0.0/0\",\"serverAddress\":\"127.0.0.1\"}]}";

static const char api_groups[] = "{\"kind\":\"APIGroupList\",\"apiVersion\":\"v1\",\"groups\":[]}";

static const char api_resources[]
    = "{\"kind\":\"APIResourceList\",\"groupVersion\":\"v1\",\"resources\":["
      "{\"name\":\"pods\",\"singularName\":\"pod\",\"namespaced\":true,\"kind\":\"Pod\","
      "\"verbs\":[\"get\",\"list\"],\"shortNames\":[\"po\"]},"
      "{\"name\":\"pods/attach\",\"singularName\":\"\",\"namespaced\":true,"
      "\"kind\":\"PodAttachOptions\",\"verbs\":[\"create\",\"get\"]},"
      "{\"name\":\"pods/exec\",\"singularName\":\"\",\"namespaced\":true,"
      "\"kind\":\"PodExecOptions\",\"verbs\":[\"create\",\"get\"]},"
      "{\"name\":\"pods/portforward\",\"singularName\":\"\",\"namespaced\":true,"
      "\"kind\":\"PodPortForwardOptions\",\"verbs\":[\"create\",\"get\"]}]}";

static const char version_info[]
    = "{\"major\":\"1\",\"minor\":\"32\",\"gitVersion\":\"v1.32.0-fake\","
      "\"platform\":\"linux/amd64\"}";

#define CONTAINER_JSON(name)                                                                       \
  "{\"name\":\"" name "\",\"image\":\"busybox\",\"stdin\":true,"                                   \
  "\"ports\":[{\"name\":\"http\",\"containerPort\":8080,\"protocol\":\"TCP\"}]}"
#define STATUS_JSON(name)                                                                          \
  "{\"name\":\"" name "\",\"ready\":true,\"restartCount\":0,\"image\":\"busybox\","                \
  "\"imageID\":\"\",\"containerID\":\"fake://" name "\",\"started\":true,"                         \
  "\"state\":{\"running\":{\"startedAt\":\"2024-01-01T00:00:00Z\"}}}"

static const char pod_json[]
    = "{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"" POD "\","
      "\"namespace\":\"" NAMESPACE "\",\"uid\":\"2b7c1e1e-7c1e-4c1e-9c1e-000000000001\","
      "\"resourceVersion\":\"1\",\"creationTimestamp\":\"2024-01-01T00:00:00Z\","
      "\"annotations\":{\"kubectl.kubernetes.io/default-container\":\"main\"}},"
      "\"spec\":{\"nodeName\":\"node\",\"restartPolicy\":\"Always\",\"containers\":"
      "[" CONTAINER_JSON ("main") "," CONTAINER_JSON (
          "sidecar") "]},"
                     "\"status\":{\"phase\":\"Running\",\"podIP\":"
                     "\"127.0.0.1\",\"containerStatuses\":[" STATUS_JSON ("main") "," STATUS_JSON (
                         "sidecar") "]}}";

/* ---- proxying ---- */

/* Copies both ways until both directions ended; a direction's end is
   passed on as a half-close. */
static void
splice_both (int a, int b)
{
  int from[2] = { a, b }, to[2] = { b, a };
  bool open[2] = { true, true };
  char buf[64 * 1024];
  while (open[0] || open[1])
    {
      struct pollfd p[2] = { { .fd = open[0] ? from[0] : -1, .events = POLLIN },
                             { .fd = open[1] ? from[1] : -1, .events = POLLIN } };
      if (poll (p, 2, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          return;
        }
      for (int i = 0; i < 2; i++)
        {
          if (!p[i].revents)
            continue;
          ssize_t n = recv (from[i], buf, sizeof buf, 0);
          if (n < 0 && errno == EINTR)
            continue;
          if (n > 0 && kl_http_write_all (to[i], buf, (size_t) n) == 0)
            continue;
          if (n > 0)
            return; /* the receiver is gone */
          open[i] = false;
          shutdown (to[i], SHUT_WR);
        }
    }
}

/* Records the connection's upstream socket where stop () can cut it. */
static void
set_upstream (struct conn_s *c, int fd)
{
  pthread_mutex_lock (&c->server->lock);
  c->upstream = fd;
  pthread_mutex_unlock (&c->server->lock);
}

/* Connects to "http://HOST:PORT/PATH" (IPv4); *path points into url. */
static int
dial_url (const char *url, const char **path, kl_error_t *err)
{
  const char *hostport = strncmp (url, "http://", 7) == 0 ? url + 7 : NULL;
  const char *slash = hostport ? strchr (hostport, '/') : NULL;
  const char *colon = hostport ? memchr (hostport, ':', (size_t) (slash - hostport)) : NULL;
  if (slash == NULL || colon == NULL)
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "unexpected stream URL %s", url);
  cleanup_free char *host = xstrndup (hostport, (size_t) (colon - hostport));
  struct sockaddr_in sin
      = { .sin_family = AF_INET, .sin_port = htons ((uint16_t) atoi (colon + 1)) };
  if (inet_pton (AF_INET, host, &sin.sin_addr) != 1)
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "stream URL %s: not an IPv4 host", url);
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return kl_make_error (err, errno, "socket");
  if (connect (fd, (struct sockaddr *) &sin, sizeof sin) < 0)
    {
      int saved = errno;
      close (fd);
      return kl_make_error (err, saved, "dial %s", url);
    }
  *path = slash;
  return fd;
}

/* Forwards the response head and, without an upgrade, its body. */
static int
relay_response (struct conn_s *c, kl_http_msg_t *resp)
{
  kl_buf_t out = { 0 };
  kl_buf_append (&out, resp->start[0], strlen (resp->start[0]));
  for (int i = 1; i < 3; i++)
    {
      kl_buf_append_u8 (&out, ' ');
      kl_buf_append (&out, resp->start[i], strlen (resp->start[i]));
    }
  kl_buf_append (&out, "\r\n", 2);
  for (size_t i = 0; i < resp->n_headers; i++)
    {
      cleanup_free char *line
          = xasprintf ("%s: %s\r\n", resp->headers[i].name, resp->headers[i].value);
      kl_buf_append (&out, line, strlen (line));
    }
  kl_buf_append (&out, "\r\n", 2);
  kl_buf_append (&out, resp->rest.data, resp->rest.len);
  int ret = kl_http_write_all (c->client, out.data, out.len);
  kl_buf_free (&out);
  return ret;
}

/* What the streaming server chose: its WebSocket subprotocol or SPDY
   stream protocol. */
static const char *
negotiated (const kl_http_msg_t *resp)
{
  const char *p = kl_http_header (resp, "Sec-WebSocket-Protocol");
  if (p == NULL)
    p = kl_http_header (resp, "X-Stream-Protocol-Version");
  return p ? p : "(none)";
}

/* The request kubectl sent, re-targeted at the streaming server's path. */
static void
proxy_plain (struct conn_s *c, const char *kind, kl_http_msg_t *req, const char *url)
{
  kl_error_t err = NULL;
  const char *path = NULL;
  int fd = dial_url (url, &path, &err);
  if (fd < 0)
    {
      respond_status (c->client, 500, "InternalError", kl_error_message (err));
      kl_error_release (&err);
      return;
    }
  set_upstream (c, fd);
  kl_buf_t out = { 0 };
  cleanup_free char *start = xasprintf ("%s %s HTTP/1.1\r\nHost: %.*s\r\n", req->start[0], path,
                                        (int) (path - (url + 7)), url + 7);
  kl_buf_append (&out, start, strlen (start));
  for (size_t i = 0; i < req->n_headers; i++)
    {
      if (strcasecmp (req->headers[i].name, "Host") == 0)
        continue;
      cleanup_free char *line
          = xasprintf ("%s: %s\r\n", req->headers[i].name, req->headers[i].value);
      kl_buf_append (&out, line, strlen (line));
    }
  kl_buf_append (&out, "\r\n", 2);
  kl_buf_append (&out, req->rest.data, req->rest.len);
  int ret = kl_http_write_all (c->upstream, out.data, out.len);
  kl_buf_free (&out);
  cleanup_http_msg kl_http_msg_t resp = { 0 };
  if (ret < 0 || kl_http_read_head (c->upstream, &resp, &err) < 0)
    {
      KL_LOG_WARN ("apiserver: proxy %s: no answer from the streaming server: %s", kind,
                   kl_error_message (err));
      kl_error_release (&err);
      respond_status (c->client, 502, "BadGateway", "no answer from the streaming server");
      return;
    }
  bool websocket = kl_http_header_has (req, "Upgrade", "websocket");
  KL_LOG_INFO ("apiserver: proxy %s transport=%s protocol=%s status=%s", kind,
               websocket ? "websocket" : "spdy", negotiated (&resp), resp.start[1]);
  if (relay_response (c, &resp) < 0)
    return;
  if (strcmp (resp.start[1], "101") == 0)
    {
      splice_both (c->client, c->upstream);
      return;
    }
  /* An error answer: its body, then the connection ends. */
  const char *length = kl_http_header (&resp, "Content-Length");
  size_t left = length ? strtoul (length, NULL, 10) : 0;
  left = left > resp.rest.len ? left - resp.rest.len : 0;
  char buf[4096];
  while (left > 0)
    {
      ssize_t n = recv (c->upstream, buf, left < sizeof buf ? left : sizeof buf, 0);
      if (n <= 0 || kl_http_write_all (c->client, buf, (size_t) n) < 0)
        break;
      left -= (size_t) n;
    }
}

/* kubectl's port forward over WebSocket: SPDY in binary messages. The
   streaming server gets a SPDY upgrade; the bytes are unwrapped and
   wrapped here. */
static void
proxy_tunnel (struct conn_s *c, kl_http_msg_t *req, const char *url)
{
  kl_error_t err = NULL;
  const char *key = kl_http_header (req, "Sec-WebSocket-Key");
  if (key == NULL || strlen (key) != 24)
    {
      respond_status (c->client, 400, "BadRequest", "missing or bad Sec-WebSocket-Key");
      return;
    }
  const char *path = NULL;
  int fd = dial_url (url, &path, &err);
  if (fd < 0)
    {
      respond_status (c->client, 500, "InternalError", kl_error_message (err));
      kl_error_release (&err);
      return;
    }
  set_upstream (c, fd);
  cleanup_free char *upgrade
      = xasprintf ("POST %s HTTP/1.1\r\nHost: %.*s\r\nConnection: Upgrade\r\n"
                   "Upgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: portforward.k8s.io\r\n"
                   "Content-Length: 0\r\n\r\n",
                   path, (int) (path - (url + 7)), url + 7);
  cleanup_http_msg kl_http_msg_t resp = { 0 };
  if (kl_http_write_all (c->upstream, upgrade, strlen (upgrade)) < 0
      || kl_http_read_head (c->upstream, &resp, &err) < 0)
    {
      KL_LOG_WARN ("apiserver: proxy portforward: no answer from the streaming server: %s",
                   kl_error_message (err));
      kl_error_release (&err);
      respond_status (c->client, 502, "BadGateway", "no answer from the streaming server");
      return;
    }
  KL_LOG_INFO ("apiserver: proxy portforward transport=websocket-tunnel protocol=%s%s status=%s",
               TUNNEL_PREFIX, negotiated (&resp), resp.start[1]);
  if (strcmp (resp.start[1], "101") != 0)
    {
      respond_status (c->client, 502, "BadGateway", "the streaming server refused the upgrade");
      return;
    }
  cleanup_free char *accept = kl_ws_accept_key (key);
  cleanup_free char *head = xasprintf ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                                       "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n"
                                       "Sec-WebSocket-Protocol: " TUNNEL_PREFIX "%s\r\n\r\n",
                                       accept, negotiated (&resp));
  if (kl_http_write_all (c->client, head, strlen (head)) < 0)
    return;
  cleanup_buf kl_buf_t in = { 0 };  /* WebSocket bytes from kubectl */
  cleanup_buf kl_buf_t out = { 0 }; /* frames for kubectl */
  kl_buf_append (&in, req->rest.data, req->rest.len);
  /* SPDY bytes the streaming server sent with its 101. */
  if (resp.rest.len)
    kl_ws_write_frame (&out, KL_WS_BINARY, true, resp.rest.data, resp.rest.len, NULL);
  bool client_open = true, upstream_open = true, close_sent = false;
  char buf[64 * 1024];
  while (client_open || upstream_open)
    {
      while (client_open)
        {
          kl_ws_frame_t f;
          size_t used = 0;
          int ret = kl_ws_parse_frame (in.data, in.len, true, MAX_WS_MESSAGE, &f, &used, &err);
          if (ret < 0)
            {
              KL_LOG_WARN ("apiserver: tunnel: %s", kl_error_message (err));
              kl_error_release (&err);
              return;
            }
          if (ret == 0)
            break;
          if (f.opcode == KL_WS_PING)
            kl_ws_write_frame (&out, KL_WS_PONG, true, f.payload, f.len, NULL);
          else if (f.opcode == KL_WS_CLOSE)
            {
              client_open = false;
              shutdown (c->upstream, SHUT_WR);
              if (!close_sent)
                kl_ws_write_close (&out, KL_WS_CLOSE_NORMAL, "", NULL);
              close_sent = true;
            }
          else if (f.opcode != KL_WS_PONG && kl_http_write_all (c->upstream, f.payload, f.len) < 0)
            upstream_open = false;
          kl_buf_consume (&in, used);
        }
      if (out.len)
        {
          if (kl_http_write_all (c->client, out.data, out.len) < 0)
            return;
          out.len = 0;
        }
      if (close_sent && !upstream_open)
        break;
      struct pollfd p[2] = { { .fd = client_open ? c->client : -1, .events = POLLIN },
                             { .fd = upstream_open ? c->upstream : -1, .events = POLLIN } };
      if (poll (p, 2, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          return;
        }
      if (p[0].revents)
        {
          uint8_t *dst = kl_buf_reserve (&in, sizeof buf);
          ssize_t n = recv (c->client, dst, sizeof buf, 0);
          if (n > 0)
            in.len += (size_t) n;
          else if (n == 0 || errno != EINTR)
            {
              client_open = false;
              shutdown (c->upstream, SHUT_WR);
            }
        }
      if (p[1].revents)
        {
          ssize_t n = recv (c->upstream, buf, sizeof buf, 0);
          if (n > 0)
            kl_ws_write_frame (&out, KL_WS_BINARY, true, buf, (size_t) n, NULL);
          else if (n == 0 || errno != EINTR)
            {
              upstream_open = false;
              if (!close_sent)
                kl_ws_write_close (&out, KL_WS_CLOSE_NORMAL, "", NULL);
              close_sent = true;
            }
        }
    }
}

/* pods/NAME/{exec,attach,portforward}: a URL from the streaming server,
   then the proxy. */
static void
serve_stream (struct conn_s *c, kl_http_msg_t *req, const char *kind, const char *query)
{
  kl_stream_server_t *streams = c->server->streams;
  kl_error_t err = NULL;
  char *url = NULL;
  bool pf = strcmp (kind, "portforward") == 0;
  size_t n_container, n_cmd;
  cleanup_strv char **container = kl_http_query_values (query, "container", &n_container);
  cleanup_strv char **cmd = kl_http_query_values (query, "command", &n_cmd);
  const char *name = n_container ? container[0] : "main";
  bool known = false;
  for (size_t i = 0; i < KL_ARRAY_SIZE (containers); i++)
    known = known || strcmp (name, containers[i]) == 0;
  if (!pf && !known)
    {
      cleanup_free char *msg = xasprintf ("container %s is not valid for pod %s", name, POD);
      respond_status (c->client, 400, "BadRequest", msg);
      return;
    }
  int ret;
  if (strcmp (kind, "exec") == 0)
    {
      Runtime__V1__ExecRequest r = RUNTIME__V1__EXEC_REQUEST__INIT;
      Runtime__V1__ExecResponse *resp = NULL;
      r.container_id = (char *) name;
      r.cmd = cmd;
      r.n_cmd = n_cmd;
      r.stdin = kl_http_query_bool (query, "stdin");
      r.stdout = kl_http_query_bool (query, "stdout");
      r.stderr = kl_http_query_bool (query, "stderr");
      r.tty = kl_http_query_bool (query, "tty");
      ret = kl_stream_server_get_exec (streams, &r, &resp, &err);
      if (ret >= 0)
        url = xstrdup (resp->url);
      runtime__v1__exec_response__free_unpacked (resp, NULL);
    }
  else if (strcmp (kind, "attach") == 0)
    {
      Runtime__V1__AttachRequest r = RUNTIME__V1__ATTACH_REQUEST__INIT;
      Runtime__V1__AttachResponse *resp = NULL;
      r.container_id = (char *) name;
      r.stdin = kl_http_query_bool (query, "stdin");
      r.stdout = kl_http_query_bool (query, "stdout");
      r.stderr = kl_http_query_bool (query, "stderr");
      r.tty = kl_http_query_bool (query, "tty");
      ret = kl_stream_server_get_attach (streams, &r, &resp, &err);
      if (ret >= 0)
        url = xstrdup (resp->url);
      runtime__v1__attach_response__free_unpacked (resp, NULL);
    }
  else
    {
      size_t n_ports;
      cleanup_strv char **ports = kl_http_query_values (query, "ports", &n_ports);
      cleanup_free int32_t *numbers = xmalloc0 (sizeof *numbers * (n_ports + 1));
      for (size_t i = 0; i < n_ports; i++)
        numbers[i] = (int32_t) atoi (ports[i]);
      Runtime__V1__PortForwardRequest r = RUNTIME__V1__PORT_FORWARD_REQUEST__INIT;
      Runtime__V1__PortForwardResponse *resp = NULL;
      r.pod_sandbox_id = POD "-sandbox";
      r.port = numbers;
      r.n_port = n_ports;
      ret = kl_stream_server_get_port_forward (streams, &r, &resp, &err);
      if (ret >= 0)
        url = xstrdup (resp->url);
      runtime__v1__port_forward_response__free_unpacked (resp, NULL);
    }
  cleanup_free char *owned_url = url;
  if (ret < 0)
    {
      bool invalid = kl_error_is (err, KL_ERROR_INVALID);
      respond_status (c->client, invalid ? 400 : 500, invalid ? "BadRequest" : "InternalError",
                      kl_error_message (err));
      kl_error_release (&err);
      return;
    }
  const char *protocol = kl_http_header (req, "Sec-WebSocket-Protocol");
  if (pf && kl_http_header_has (req, "Upgrade", "websocket") && protocol
      && strncmp (protocol, TUNNEL_PREFIX, strlen (TUNNEL_PREFIX)) == 0)
    proxy_tunnel (c, req, url);
  else
    proxy_plain (c, kind, req, url);
}

static void
serve (struct conn_s *c)
{
  kl_error_t err = NULL;
  cleanup_http_msg kl_http_msg_t req = { 0 };
  if (kl_http_read_head (c->client, &req, &err) < 0)
    {
      if (!kl_error_is (err, KL_ERROR_UNAVAILABLE))
        KL_LOG_WARN ("apiserver: %s", kl_error_message (err));
      kl_error_release (&err);
      return;
    }
  const char *method = req.start[0];
  cleanup_free char *target = xstrdup (req.start[1]);
  char *query = strchr (target, '?');
  if (query)
    *query++ = '\0';
  const char *upgrade = kl_http_header (&req, "Upgrade");
  const char *protocols = kl_http_header (&req, "Sec-WebSocket-Protocol");
  if (protocols == NULL)
    protocols = kl_http_header (&req, "X-Stream-Protocol-Version");
  KL_LOG_INFO ("apiserver: %s %s%s%s (upgrade: %s, protocols: %s)", method, target,
               query ? "?" : "", query ? query : "", upgrade ? upgrade : "none",
               protocols ? protocols : "none");
  bool get = strcmp (method, "GET") == 0;
  if (get && strcmp (target, "/api") == 0)
    {
      respond (c->client, 200, "OK", api_versions);
      return;
    }
  if (get && strcmp (target, "/apis") == 0)
    {
      respond (c->client, 200, "OK", api_groups);
      return;
    }
  if (get && strcmp (target, "/api/v1") == 0)
    {
      respond (c->client, 200, "OK", api_resources);
      return;
    }
  if (get && strcmp (target, "/version") == 0)
    {
      respond (c->client, 200, "OK", version_info);
      return;
    }

  static const char prefix[] = "/api/v1/namespaces/";
  if (strncmp (target, prefix, strlen (prefix)) == 0)
    {
      char *ns = target + strlen (prefix);
      char *rest = strchr (ns, '/');
      if (rest && strncmp (rest, "/pods/", 6) == 0)
        {
          *rest = '\0';
          char *name = rest + 6;
          char *sub = strchr (name, '/');
          if (sub)
            *sub++ = '\0';
          if (strcmp (ns, NAMESPACE) != 0 || strcmp (name, POD) != 0)
            {
              cleanup_free char *msg = xasprintf ("pods \"%s\" not found", name);
              {
                respond_status (c->client, 404, "NotFound", msg);
                return;
              }
            }
          if (sub == NULL && get)
            {
              respond (c->client, 200, "OK", pod_json);
              return;
            }
          if (sub
              && (strcmp (sub, "exec") == 0 || strcmp (sub, "attach") == 0
                  || strcmp (sub, "portforward") == 0)
              && (get || strcmp (method, "POST") == 0))
            {
              serve_stream (c, &req, sub, query);
              return;
            }
        }
    }
  KL_LOG_WARN ("apiserver: unhandled request %s %s", method, req.start[1]);
  respond_status (c->client, 404, "NotFound", "the server could not find the requested resource");
}

/* ---- connections ---- */

static void *
conn_main (void *arg)
{
  struct conn_s *c = arg;
  struct kl_fake_apiserver_s *srv = c->server;
  serve (c);
  pthread_mutex_lock (&srv->lock);
  for (struct conn_s **pc = &srv->conns; *pc; pc = &(*pc)->next)
    if (*pc == c)
      {
        *pc = c->next;
        break;
      }
  close (c->client);
  if (c->upstream >= 0)
    close (c->upstream);
  free (c);
  if (--srv->n_conns == 0)
    pthread_cond_broadcast (&srv->idle);
  pthread_mutex_unlock (&srv->lock);
  return NULL;
}

static void *
accept_main (void *arg)
{
  struct kl_fake_apiserver_s *srv = arg;
  for (;;)
    {
      int fd = accept4 (srv->listener, NULL, NULL, SOCK_CLOEXEC);
      if (fd < 0 && (errno == EINTR || errno == ECONNABORTED))
        continue;
      if (fd < 0)
        break; /* the listener was shut down */
      struct conn_s *c = xmalloc0 (sizeof *c);
      c->server = srv;
      c->client = fd;
      c->upstream = -1;
      pthread_mutex_lock (&srv->lock);
      bool stopping = srv->stopping;
      pthread_t thread;
      pthread_attr_t attr;
      pthread_attr_init (&attr);
      pthread_attr_setdetachstate (&attr, PTHREAD_CREATE_DETACHED);
      if (!stopping && pthread_create (&thread, &attr, conn_main, c) == 0)
        {
          c->next = srv->conns;
          srv->conns = c;
          srv->n_conns++;
          c = NULL;
        }
      pthread_attr_destroy (&attr);
      pthread_mutex_unlock (&srv->lock);
      if (c)
        {
          close (fd);
          free (c);
        }
      if (stopping)
        break;
    }
  return NULL;
}

int
kl_fake_apiserver_start (kl_stream_server_t *streams, kl_fake_apiserver_t **out, kl_error_t *err)
{
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return kl_make_error (err, errno, "socket");
  struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  socklen_t len = sizeof sin;
  if (bind (fd, (struct sockaddr *) &sin, sizeof sin) < 0 || listen (fd, 64) < 0
      || getsockname (fd, (struct sockaddr *) &sin, &len) < 0)
    {
      int saved = errno;
      close (fd);
      return kl_make_error (err, saved, "fake API server: listen on 127.0.0.1");
    }
  kl_fake_apiserver_t *srv = xmalloc0 (sizeof *srv);
  srv->streams = streams;
  srv->listener = fd;
  srv->url = xasprintf ("http://127.0.0.1:%d", ntohs (sin.sin_port));
  pthread_mutex_init (&srv->lock, NULL);
  pthread_cond_init (&srv->idle, NULL);
  int ret = pthread_create (&srv->acceptor, NULL, accept_main, srv);
  if (ret != 0)
    {
      close (fd);
      free (srv->url);
      free (srv);
      return kl_make_error (err, ret, "fake API server: start the accept thread");
    }
  KL_LOG_INFO ("apiserver: listening on %s", srv->url);
  *out = srv;
  return 0;
}

const char *
kl_fake_apiserver_url (const kl_fake_apiserver_t *srv)
{
  return srv->url;
}

void
kl_fake_apiserver_stop (kl_fake_apiserver_t *srv)
{
  if (srv == NULL)
    return;
  pthread_mutex_lock (&srv->lock);
  srv->stopping = true;
  pthread_mutex_unlock (&srv->lock);
  shutdown (srv->listener, SHUT_RDWR);
  pthread_join (srv->acceptor, NULL);
  pthread_mutex_lock (&srv->lock);
  for (struct conn_s *c = srv->conns; c; c = c->next)
    {
      shutdown (c->client, SHUT_RDWR);
      if (c->upstream >= 0)
        shutdown (c->upstream, SHUT_RDWR);
    }
  while (srv->n_conns > 0)
    pthread_cond_wait (&srv->idle, &srv->lock);
  pthread_mutex_unlock (&srv->lock);
  close (srv->listener);
  pthread_cond_destroy (&srv->idle);
  pthread_mutex_destroy (&srv->lock);
  free (srv->url);
  free (srv);
}

/* The test client's connection: the blocking HTTP upgrade and the frame
   pump (see client-internal.h). */
#include "pkg/kubelet/cri/streaming/testing/client-internal.h"

#include <errno.h>
#include <netdb.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "pkg/kubelet/cri/streaming/websocket_frame.h"
#include "pkg/util/utils.h"

int64_t
client_now_ms (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
client_conn_free (struct conn_s *c)
{
  if (c == NULL)
    return;
  if (c->fd >= 0)
    close (c->fd);
  kl_buf_free (&c->in);
  kl_spdy_zlib_free (c->deflater);
  kl_spdy_zlib_free (c->inflater);
  for (size_t i = 0; i < c->n_streams; i++)
    {
      kl_buf_free (&c->streams[i]->data);
      free (c->streams[i]);
    }
  free (c->streams);
  free (c);
}

struct stream_s *
client_stream_get (struct conn_s *c, uint32_t id, bool create)
{
  for (size_t i = 0; i < c->n_streams; i++)
    if (c->streams[i]->id == id)
      return c->streams[i];
  if (!create)
    return NULL;
  struct stream_s *s = xmalloc0 (sizeof *s);
  s->id = id;
  c->streams = xrealloc (c->streams, sizeof *c->streams * (c->n_streams + 1));
  c->streams[c->n_streams++] = s;
  return s;
}

static int
send_all (struct conn_s *c, kl_buf_t *b, kl_error_t *err)
{
  size_t off = 0;
  while (off < b->len)
    {
      ssize_t n = send (c->fd, b->data + off, b->len - off, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return kl_make_error (err, errno, "send");
      off += (size_t) n;
    }
  b->len = 0;
  return 0;
}

/* ---- HTTP upgrade ---- */

struct url_s
{
  char host[256];
  char port[8];
  const char *path; /* into the URL */
};

static int
parse_url (const char *url, struct url_s *u, kl_error_t *err)
{
  if (strncmp (url, "http://", 7) != 0)
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "unsupported URL %s", url);
  const char *h = url + 7;
  const char *slash = strchr (h, '/');
  u->path = slash ? slash : "/";
  size_t hostport = slash ? (size_t) (slash - h) : strlen (h);
  const char *colon = NULL;
  for (size_t i = 0; i < hostport; i++)
    if (h[i] == ':')
      colon = h + i;
  if (colon == NULL || (size_t) (colon - h) >= sizeof u->host
      || (size_t) (h + hostport - colon - 1) >= sizeof u->port)
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "bad URL %s", url);
  size_t hl = (size_t) (colon - h);
  if (hl >= 2 && h[0] == '[')
    {
      memcpy (u->host, h + 1, hl - 2);
      u->host[hl - 2] = '\0';
    }
  else
    {
      memcpy (u->host, h, hl);
      u->host[hl] = '\0';
    }
  size_t pl = (size_t) (h + hostport - colon - 1);
  memcpy (u->port, colon + 1, pl);
  u->port[pl] = '\0';
  return 0;
}

static int
dial (const struct url_s *u, int *out, kl_error_t *err)
{
  struct addrinfo hints
      = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV };
  struct addrinfo *ai = NULL;
  int ret = getaddrinfo (u->host, u->port, &hints, &ai);
  if (ret != 0)
    return kl_make_error (err, 0, "resolve %s: %s", u->host, gai_strerror (ret));
  int fd = socket (ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || connect (fd, ai->ai_addr, ai->ai_addrlen) < 0)
    {
      int saved = errno;
      if (fd >= 0)
        close (fd);
      freeaddrinfo (ai);
      return kl_make_error (err, saved, "connect to %s:%s", u->host, u->port);
    }
  freeaddrinfo (ai);
  *out = fd;
  return 0;
}

static char *
base64 (const unsigned char *data, size_t len)
{
  char *out = xmalloc0 (4 * ((len + 2) / 3) + 1);
  EVP_EncodeBlock ((unsigned char *) out, data, (int) len);
  return out;
}

/* The value of header `name` in a response head, or NULL (caller frees). */
static char *
response_header (const char *head, const char *name)
{
  size_t n = strlen (name);
  for (const char *line = strstr (head, "\r\n"); line && line[2]; line = strstr (line + 2, "\r\n"))
    {
      const char *l = line + 2;
      if (strncasecmp (l, name, n) == 0 && l[n] == ':')
        {
          const char *v = l + n + 1;
          while (*v == ' ')
            v++;
          const char *end = strstr (v, "\r\n");
          return xstrndup (v, end ? (size_t) (end - v) : strlen (v));
        }
    }
  return NULL;
}

/* Sends the upgrade request and reads the response head; on 101 returns
   the connection with bytes past the head in c->in. */
static int
conn_open (const char *url, kl_stream_protocol_t protocol, const char *subprotocol,
           const char *extra_header, int *status, char **body, struct conn_s **out, kl_error_t *err)
{
  struct url_s u;
  int ret = parse_url (url, &u, err);
  if (ret < 0)
    return ret;
  struct conn_s *c = xmalloc0 (sizeof *c);
  c->fd = -1;
  c->websocket = protocol == KL_STREAM_WEBSOCKET;
  c->next_id = 1;
  ret = dial (&u, &c->fd, err);
  if (ret < 0)
    {
      client_conn_free (c);
      return ret;
    }
  struct timeval tv = { .tv_sec = 10 };
  setsockopt (c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  cleanup_free char *key = NULL;
  kl_buf_t req = { 0 };
  cleanup_free char *start = xasprintf ("GET %s HTTP/1.1\r\nHost: %s:%s\r\nConnection: Upgrade\r\n",
                                        u.path, u.host, u.port);
  kl_buf_append (&req, start, strlen (start));
  cleanup_free char *proto = NULL;
  if (c->websocket)
    {
      unsigned char raw[16];
      RAND_bytes (raw, sizeof raw);
      key = base64 (raw, sizeof raw);
      proto = subprotocol && *subprotocol
                  ? xasprintf ("Sec-WebSocket-Protocol: %s\r\n", subprotocol)
                  : xstrdup ("");
      cleanup_free char *h = xasprintf ("Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
                                        "Sec-WebSocket-Key: %s\r\n%s",
                                        key, proto);
      kl_buf_append (&req, h, strlen (h));
    }
  else
    {
      cleanup_free char *h
          = xasprintf ("Upgrade: SPDY/3.1\r\n%s%s%s",
                       subprotocol && *subprotocol ? "X-Stream-Protocol-Version: " : "",
                       subprotocol && *subprotocol ? subprotocol : "",
                       subprotocol && *subprotocol ? "\r\n" : "");
      kl_buf_append (&req, h, strlen (h));
    }
  if (extra_header)
    {
      kl_buf_append (&req, extra_header, strlen (extra_header));
      kl_buf_append (&req, "\r\n", 2);
    }
  kl_buf_append (&req, "\r\n", 2);
  ret = send_all (c, &req, err);
  kl_buf_free (&req);
  if (ret < 0)
    {
      client_conn_free (c);
      return ret;
    }
  /* The response head. */
  char *end = NULL;
  while (end == NULL)
    {
      uint8_t *p = kl_buf_reserve (&c->in, 4096 + 1);
      ssize_t n = recv (c->fd, p, 4096, 0);
      if (n <= 0)
        {
          client_conn_free (c);
          return kl_make_error (err, n < 0 ? errno : 0, "read the upgrade response");
        }
      c->in.len += (size_t) n;
      c->in.data[c->in.len] = '\0';
      end = strstr ((char *) c->in.data, "\r\n\r\n");
    }
  size_t head_len = (size_t) (end - (char *) c->in.data) + 4;
  cleanup_free char *head = xstrndup ((char *) c->in.data, head_len);
  kl_buf_consume (&c->in, head_len);
  int code = 0;
  if (sscanf (head, "HTTP/1.%*d %d", &code) != 1)
    {
      client_conn_free (c);
      return kl_make_error (err, 0, "bad response: %.40s", head);
    }
  *status = code;
  if (code != 101)
    {
      /* The body: whatever Content-Length says, or what arrives. */
      cleanup_free char *cl = response_header (head, "Content-Length");
      size_t want = cl ? (size_t) strtoul (cl, NULL, 10) : 0;
      while (c->in.len < want)
        {
          uint8_t *p = kl_buf_reserve (&c->in, 4096);
          ssize_t n = recv (c->fd, p, 4096, 0);
          if (n <= 0)
            break;
          c->in.len += (size_t) n;
        }
      if (body)
        *body = xstrndup ((char *) c->in.data, c->in.len < want ? c->in.len : want);
      client_conn_free (c);
      return 0;
    }
  /* As client-go checks a 101. */
  cleanup_free char *connection = response_header (head, "Connection");
  cleanup_free char *upgrade = response_header (head, "Upgrade");
  if (connection == NULL || strcasestr (connection, "upgrade") == NULL || upgrade == NULL
      || strcasecmp (upgrade, c->websocket ? "websocket" : "SPDY/3.1") != 0)
    {
      client_conn_free (c);
      return kl_make_error (err, 0, "101 without the upgrade headers: %s", head);
    }
  if (c->websocket)
    {
      cleanup_free char *accept = response_header (head, "Sec-WebSocket-Accept");
      cleanup_free char *expected = kl_ws_accept_key (key);
      if (accept == NULL || strcmp (accept, expected) != 0)
        {
          client_conn_free (c);
          return kl_make_error (err, 0, "bad Sec-WebSocket-Accept");
        }
      cleanup_free char *chosen = response_header (head, "Sec-WebSocket-Protocol");
      c->base64 = chosen && strstr (chosen, "base64") != NULL;
    }
  else
    {
      c->deflater = kl_spdy_zlib_new_deflater ();
      c->inflater = kl_spdy_zlib_new_inflater ();
    }
  *out = c;
  return 0;
}

int
client_open (const char *url, kl_stream_protocol_t protocol, const char *subprotocol,
             struct conn_s **out, kl_error_t *err)
{
  int status = 0;
  cleanup_free char *body = NULL;
  struct conn_s *c = NULL;
  int ret = conn_open (url, protocol, subprotocol, NULL, &status, &body, &c, err);
  if (ret < 0)
    return ret;
  if (status != 101)
    return kl_make_error_kind (err, status == 404 ? KL_ERROR_NOT_FOUND : KL_ERROR_GENERIC, status,
                               "upgrade refused: HTTP %d: %s", status, body ? body : "");
  *out = c;
  return 0;
}

int
kl_stream_client_upgrade (const char *url, kl_stream_protocol_t protocol, const char *subprotocol,
                          const char *extra_header, int *status, int *fd, char **body,
                          kl_error_t *err)
{
  struct conn_s *c = NULL;
  *fd = -1;
  int ret = conn_open (url, protocol, subprotocol, extra_header, status, body, &c, err);
  if (ret < 0 || c == NULL)
    return ret;
  *fd = c->fd;
  c->fd = -1;
  client_conn_free (c);
  return 0;
}

/* ---- the pump ---- */

static void
ws_client_frame (kl_buf_t *out, uint8_t opcode, const void *data, size_t len)
{
  uint8_t mask[4];
  RAND_bytes (mask, sizeof mask);
  kl_ws_write_frame (out, opcode, true, data, len, mask);
}

static int
on_ws_message (struct conn_s *c, const uint8_t *data, size_t len)
{
  if (len == 0)
    return 0;
  uint32_t channel = data[0];
  struct stream_s *s;
  if (!c->base64)
    {
      s = client_stream_get (c, channel, true);
      data++;
      len--;
    }
  else
    {
      s = client_stream_get (c, (uint8_t) (channel - '0'), true);
      unsigned char *dec = xmalloc (len + 3);
      int n = EVP_DecodeBlock (dec, data + 1, (int) (len - 1));
      if (n < 0)
        {
          free (dec);
          return -1;
        }
      /* EVP_DecodeBlock counts padding as data. */
      if (len >= 3 && data[len - 1] == '=')
        n--;
      if (len >= 4 && data[len - 2] == '=')
        n--;
      size_t skip = s->skip < (size_t) n ? s->skip : (size_t) n;
      s->skip -= skip;
      kl_buf_append (&s->data, dec + skip, (size_t) n - skip);
      free (dec);
      return 0;
    }
  size_t skip = s->skip < len ? s->skip : len;
  s->skip -= skip;
  kl_buf_append (&s->data, data + skip, len - skip);
  return 0;
}

/* Parses what arrived. */
static int
process (struct conn_s *c, kl_error_t *err)
{
  size_t off = 0;
  int ret = 0;
  kl_buf_t reply = { 0 };
  for (;;)
    {
      size_t used = 0;
      if (c->websocket)
        {
          kl_ws_frame_t f;
          ret = kl_ws_parse_frame (c->in.data + off, c->in.len - off, false, 16 << 20, &f, &used,
                                   err);
          if (ret <= 0)
            break;
          off += used;
          if (f.opcode == KL_WS_PING)
            ws_client_frame (&reply, KL_WS_PONG, f.payload, f.len);
          else if (f.opcode == KL_WS_CLOSE)
            {
              ws_client_frame (&reply, KL_WS_CLOSE, f.payload, f.len >= 2 ? 2 : 0);
              c->eof = true;
            }
          else if (f.opcode == KL_WS_BINARY || f.opcode == KL_WS_TEXT)
            on_ws_message (c, f.payload, f.len); /* the server never fragments */
          continue;
        }
      kl_spdy_frame_t f;
      ret = kl_spdy_parse_frame (c->inflater, c->in.data + off, c->in.len - off, 16 << 20, &f,
                                 &used, err);
      if (ret <= 0)
        break;
      off += used;
      struct stream_s *s = f.stream_id ? client_stream_get (c, f.stream_id, false) : NULL;
      switch (f.type)
        {
        case KL_SPDY_DATA:
          if (s)
            {
              kl_buf_append (&s->data, f.data, f.data_len);
              if (f.flags & KL_SPDY_FLAG_FIN)
                s->fin = true;
            }
          break;
        case KL_SPDY_SYN_REPLY:
          if (s)
            {
              s->replied = true;
              if (f.flags & KL_SPDY_FLAG_FIN)
                s->fin = true;
            }
          break;
        case KL_SPDY_RST_STREAM:
          if (s)
            s->replied = s->fin = true;
          break;
        case KL_SPDY_PING:
          kl_spdy_write_ping (&reply, f.ping_id);
          break;
        default:
          break;
        }
      kl_spdy_frame_clear (&f);
    }
  kl_buf_consume (&c->in, off);
  if (reply.len > 0 && !c->eof)
    send_all (c, &reply, NULL);
  kl_buf_free (&reply);
  return ret < 0 ? ret : 0;
}

/* Reads and processes until `done` holds, the connection ends or the
   deadline passes (KL_ERROR_TIMEOUT). */
int
client_pump (struct conn_s *c, bool (*done) (struct conn_s *, void *), void *arg, int64_t deadline,
             kl_error_t *err)
{
  while (!done (c, arg))
    {
      if (c->eof)
        return 0;
      int64_t left = deadline - client_now_ms ();
      if (left <= 0)
        return kl_make_error_kind (err, KL_ERROR_TIMEOUT, 0, "timed out waiting for the server");
      struct pollfd p = { .fd = c->fd, .events = POLLIN };
      int r = poll (&p, 1, (int) left);
      if (r <= 0)
        continue;
      uint8_t *buf = kl_buf_reserve (&c->in, 64 * 1024);
      ssize_t n = recv (c->fd, buf, 64 * 1024, 0);
      if (n <= 0)
        {
          c->eof = true;
          for (size_t i = 0; i < c->n_streams; i++)
            c->streams[i]->fin = true;
          return 0;
        }
      c->in.len += (size_t) n;
      int ret = process (c, err);
      if (ret < 0)
        return ret;
    }
  return 0;
}

static bool
replied (struct conn_s *c, void *arg)
{
  struct stream_s *s = arg;
  (void) c;
  return s->replied;
}

/* SPDY: creates a stream and waits for its SYN_REPLY. */
int
client_spdy_create (struct conn_s *c, const kl_spdy_header_t *headers, size_t n, int64_t deadline,
                    struct stream_s **out, kl_error_t *err)
{
  struct stream_s *s = client_stream_get (c, c->next_id, true);
  c->next_id += 2;
  kl_buf_t b = { 0 };
  kl_spdy_write_syn_stream (&b, c->deflater, s->id, 0, headers, n);
  int ret = send_all (c, &b, err);
  kl_buf_free (&b);
  if (ret >= 0)
    ret = client_pump (c, replied, s, deadline, err);
  if (ret >= 0 && !s->replied)
    ret = kl_make_error (err, 0, "the server ended the connection before accepting stream %u",
                         s->id);
  if (ret < 0)
    return ret;
  *out = s;
  return 0;
}

/* Sends data on a SPDY stream or WebSocket channel. */
int
client_send_on (struct conn_s *c, uint32_t id, const void *data, size_t len, bool fin,
                kl_error_t *err)
{
  kl_buf_t b = { 0 };
  const uint8_t *p = data;
  do
    {
      size_t chunk = len > 32768 ? 32768 : len;
      if (!c->websocket)
        kl_spdy_write_data (&b, id, fin && chunk == len ? KL_SPDY_FLAG_FIN : 0, p, chunk);
      else if (c->base64)
        {
          cleanup_free char *enc = base64 (p, chunk);
          cleanup_free char *msg = xasprintf ("%c%s", (char) ('0' + id), enc);
          ws_client_frame (&b, KL_WS_TEXT, msg, strlen (msg));
        }
      else
        {
          uint8_t *msg = xmalloc (chunk + 1);
          msg[0] = (uint8_t) id;
          memcpy (msg + 1, p, chunk);
          ws_client_frame (&b, KL_WS_BINARY, msg, chunk + 1);
          free (msg);
        }
      p += chunk;
      len -= chunk;
    }
  while (len > 0);
  int ret = send_all (c, &b, err);
  kl_buf_free (&b);
  return ret;
}

char *
client_take (struct stream_s *s, size_t *len)
{
  if (s == NULL)
    {
      if (len)
        *len = 0;
      return xstrdup ("");
    }
  char *out = xmalloc (s->data.len + 1);
  if (s->data.len)
    memcpy (out, s->data.data, s->data.len);
  out[s->data.len] = '\0';
  if (len)
    *len = s->data.len;
  return out;
}

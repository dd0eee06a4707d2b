/* The test client's port forward half: a data and an error stream per
   forwarded connection over SPDY, or a channel pair per port over
   WebSocket. */
#include <stdlib.h>
#include <string.h>

#include "pkg/kubelet/cri/streaming/testing/client-internal.h"
#include "pkg/util/utils.h"

struct pf_stream_s
{
  int32_t port;
  struct stream_s *data;
  struct stream_s *error;
};

struct kl_stream_pf_s
{
  struct conn_s *conn;
  struct pf_stream_s *streams;
  size_t n;
  const int32_t *ws_ports;
  int next_request;
};

int
kl_stream_pf_open (const char *url, kl_stream_protocol_t protocol, const int32_t *ports,
                   size_t n_ports, kl_stream_pf_t **out, kl_error_t *err)
{
  cleanup_free char *full = NULL;
  if (protocol == KL_STREAM_WEBSOCKET && n_ports > 0)
    {
      kl_buf_t q = { 0 };
      kl_buf_append (&q, url, strlen (url));
      for (size_t i = 0; i < n_ports; i++)
        {
          cleanup_free char *p = xasprintf ("%s%d", i == 0 ? "?ports=" : ",", (int) ports[i]);
          kl_buf_append (&q, p, strlen (p));
        }
      kl_buf_append_u8 (&q, 0);
      full = (char *) q.data;
    }
  struct conn_s *c = NULL;
  int ret = client_open (full ? full : url, protocol,
                         protocol == KL_STREAM_SPDY ? "portforward.k8s.io" : "v4.channel.k8s.io",
                         &c, err);
  if (ret < 0)
    return ret;
  kl_stream_pf_t *pf = xmalloc0 (sizeof *pf);
  pf->conn = c;
  if (c->websocket)
    for (size_t i = 0; i < n_ports; i++)
      {
        pf->streams = xrealloc (pf->streams, sizeof *pf->streams * (pf->n + 1));
        struct pf_stream_s *s = &pf->streams[pf->n++];
        s->port = ports[i];
        s->data = client_stream_get (c, (uint32_t) (2 * i), true);
        s->error = client_stream_get (c, (uint32_t) (2 * i + 1), true);
        s->data->skip = s->error->skip = 2; /* the port, little-endian */
      }
  *out = pf;
  return 0;
}

int
kl_stream_pf_stream (kl_stream_pf_t *pf, int32_t port, kl_error_t *err)
{
  struct conn_s *c = pf->conn;
  if (c->websocket)
    {
      for (size_t i = 0; i < pf->n; i++)
        if (pf->streams[i].port == port)
          return (int) i;
      return kl_make_error_kind (err, KL_ERROR_NOT_FOUND, 0, "port %d was not opened", (int) port);
    }
  int64_t deadline = client_now_ms () + DEFAULT_TIMEOUT_MS;
  cleanup_free char *port_s = xasprintf ("%d", (int) port);
  cleanup_free char *request = xasprintf ("%d", pf->next_request++);
  kl_spdy_header_t h[3] = { { .name = (char *) "streamType", .value = (char *) "error" },
                            { .name = (char *) "port", .value = port_s },
                            { .name = (char *) "requestID", .value = request } };
  struct stream_s *error = NULL, *data = NULL;
  int ret = client_spdy_create (c, h, 3, deadline, &error, err);
  if (ret < 0)
    return ret;
  /* As client-go: the error stream is read-only for the client. */
  ret = client_send_on (c, error->id, "", 0, true, err);
  h[0].value = (char *) "data";
  if (ret >= 0)
    ret = client_spdy_create (c, h, 3, deadline, &data, err);
  if (ret < 0)
    return ret;
  pf->streams = xrealloc (pf->streams, sizeof *pf->streams * (pf->n + 1));
  pf->streams[pf->n] = (struct pf_stream_s){ .port = port, .data = data, .error = error };
  return (int) pf->n++;
}

static int
pf_get (kl_stream_pf_t *pf, int handle, struct pf_stream_s **out, kl_error_t *err)
{
  if (handle < 0 || (size_t) handle >= pf->n)
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "bad port forward handle %d", handle);
  *out = &pf->streams[handle];
  return 0;
}

int
kl_stream_pf_write (kl_stream_pf_t *pf, int handle, const void *data, size_t len, kl_error_t *err)
{
  struct pf_stream_s *s;
  int ret = pf_get (pf, handle, &s, err);
  if (ret < 0)
    return ret;
  return client_send_on (pf->conn, s->data->id, data, len, false, err);
}

int
kl_stream_pf_close_write (kl_stream_pf_t *pf, int handle, kl_error_t *err)
{
  struct pf_stream_s *s;
  int ret = pf_get (pf, handle, &s, err);
  if (ret < 0)
    return ret;
  if (pf->conn->websocket)
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0,
                               "websocket port forward has no half-close");
  return client_send_on (pf->conn, s->data->id, "", 0, true, err);
}

struct read_wait_s
{
  struct stream_s *s;
  size_t want;
};

static bool
read_done (struct conn_s *c, void *arg)
{
  struct read_wait_s *w = arg;
  (void) c;
  return w->s->fin || (w->want > 0 && w->s->data.len >= w->want);
}

int
kl_stream_pf_read (kl_stream_pf_t *pf, int handle, size_t want, int timeout_ms, char **data,
                   size_t *len, kl_error_t *err)
{
  struct pf_stream_s *s;
  int ret = pf_get (pf, handle, &s, err);
  if (ret < 0)
    return ret;
  struct read_wait_s w = { s->data, want };
  ret = client_pump (pf->conn, read_done, &w,
                     client_now_ms () + (timeout_ms > 0 ? timeout_ms : DEFAULT_TIMEOUT_MS), err);
  if (ret < 0)
    return ret;
  *data = client_take (s->data, len);
  s->data->data.len = 0;
  return 0;
}

int
kl_stream_pf_error (kl_stream_pf_t *pf, int handle, int timeout_ms, char **message, kl_error_t *err)
{
  struct pf_stream_s *s;
  int ret = pf_get (pf, handle, &s, err);
  if (ret < 0)
    return ret;
  struct read_wait_s w = { s->error, 0 };
  ret = client_pump (pf->conn, read_done, &w,
                     client_now_ms () + (timeout_ms > 0 ? timeout_ms : DEFAULT_TIMEOUT_MS), err);
  if (ret < 0)
    return ret;
  *message = client_take (s->error, NULL);
  return 0;
}

void
kl_stream_pf_close (kl_stream_pf_t *pf)
{
  if (pf == NULL)
    return;
  client_conn_free (pf->conn);
  free (pf->streams);
  free (pf);
}

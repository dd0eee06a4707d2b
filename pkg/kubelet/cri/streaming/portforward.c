/* Port forwarding (Go's kubelet/cri/streaming/portforward): each forwarded
   connection is a data and an error stream for one port; the data stream's
   bytes go to the runtime's port_forward through a socketpair. */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "pkg/kubelet/cri/streaming/session-internal.h"
#include "pkg/util/log.h"
#include "pkg/util/utils.h"

static void *
call_main (void *arg)
{
  struct call_s *call = arg;
  struct session_s *s = call->session;
  const kl_stream_runtime_t *rt = kl_stream_server_runtime (s->server);
  kl_error_t err = NULL;
  int ret = rt->port_forward ? rt->port_forward (rt->ctx, s->req->id, call->port, call->pf_fd, &err)
                             : kl_make_error_kind (&err, KL_ERROR_UNIMPLEMENTED, 0,
                                                   "port forwarding is not supported");
  close (call->pf_fd);
  call->pf_fd = -1;
  call->ret = ret < 0 ? -1 : 0;
  if (ret < 0)
    call->error = xstrdup (kl_error_message (err));
  kl_error_release (&err);
  atomic_store (&call->done, true);
  session_wake (s);
  return NULL;
}

static struct pf_pair_s *
add_pair (struct session_s *s, const char *request_id, int32_t port)
{
  struct pf_pair_s *p = xmalloc0 (sizeof *p);
  p->request_id = xstrdup (request_id);
  p->port = port;
  p->created_ns = kl_stream_now_ns ();
  p->call.pf_fd = -1;
  s->pairs = xrealloc (s->pairs, sizeof *s->pairs * (s->n_pairs + 1));
  s->pairs[s->n_pairs++] = p;
  return p;
}

/* Reports the pair's end: the runtime's error (if any) on its error stream,
   then both streams closed. */
static void
end_pair (struct session_s *s, struct pf_pair_s *p, const char *error)
{
  p->finished = true;
  if (error && p->error)
    {
      cleanup_free char *msg = xasprintf ("error forwarding port %d to pod %s, uid : %s",
                                          (int) p->port, s->req->id, error);
      KL_LOG_WARN ("streaming: %s", msg);
      session_send (s, p->error, msg, strlen (msg));
    }
  if (p->data)
    session_send_fin (s, p->data);
  if (p->error)
    session_send_fin (s, p->error);
}

static void
start_pair (struct session_s *s, struct pf_pair_s *p)
{
  int fds[2];
  kl_error_t err = NULL;
  int ret = session_pipe (fds, &err);
  if (ret >= 0)
    {
      p->call.pf_fd = fds[1];
      p->call.port = p->port;
      ret = session_start_call (s, &p->call, call_main, &err);
      if (ret < 0)
        {
          close (fds[0]);
          close (fds[1]);
        }
    }
  if (ret < 0)
    {
      end_pair (s, p, kl_error_message (err));
      kl_error_release (&err);
      return;
    }
  p->data->fd = fds[0];
  p->data->fd_source = p->data->fd_sink = true;
  p->data->source_eof = false;
}

void
portforward_open (struct session_s *s)
{
  if (!s->websocket)
    return;
  /* WebSocket: channels 2i (data) and 2i+1 (error) for the i-th port, each
     opened with the port as two little-endian bytes. */
  for (size_t i = 0; i < s->req->n_ports; i++)
    {
      cleanup_free char *id = xasprintf ("%zu", i);
      struct pf_pair_s *p = add_pair (s, id, s->req->ports[i]);
      p->data = session_add_chan (s, ROLE_PF_DATA, (uint32_t) (2 * i));
      p->error = session_add_chan (s, ROLE_PF_ERROR, (uint32_t) (2 * i + 1));
      p->data->pair = p->error->pair = p;
      uint8_t port[2] = { (uint8_t) (p->port & 0xff), (uint8_t) ((p->port >> 8) & 0xff) };
      session_send (s, p->data, port, sizeof port);
      session_send (s, p->error, port, sizeof port);
    }
  for (size_t i = 0; i < s->n_pairs; i++)
    start_pair (s, s->pairs[i]);
}

/* A port header as Go parses it: 1..65535. */
static int32_t
parse_port (const char *value)
{
  if (value == NULL || *value == '\0')
    return -1;
  char *end = NULL;
  unsigned long v = strtoul (value, &end, 10);
  if (*end != '\0' || value[0] == '-' || value[0] == '+' || v < 1 || v > 65535)
    return -1;
  return (int32_t) v;
}

void
portforward_spdy_stream (struct session_s *s, uint32_t id, const kl_spdy_frame_t *syn)
{
  const char *type = kl_spdy_frame_header (syn, "streamtype");
  int32_t port = parse_port (kl_spdy_frame_header (syn, "port"));
  bool data = type && strcmp (type, "data") == 0;
  bool error = type && strcmp (type, "error") == 0;
  if (port < 0 || (!data && !error))
    {
      KL_LOG_V (2, "streaming: refusing port forward stream %u: bad port or stream type", id);
      spdy_reset (s, id, KL_SPDY_CANCEL);
      return;
    }
  const char *request_id = kl_spdy_frame_header (syn, "requestid");
  cleanup_free char *derived = NULL;
  if (request_id == NULL || *request_id == '\0')
    /* Old clients: consecutive stream ids error, data (Go's fallback). */
    request_id = derived = xasprintf ("%u", error ? id : id - 2);
  struct pf_pair_s *p = NULL;
  for (size_t i = 0; i < s->n_pairs && p == NULL; i++)
    if (!s->pairs[i]->finished && strcmp (s->pairs[i]->request_id, request_id) == 0)
      p = s->pairs[i];
  if (p == NULL)
    p = add_pair (s, request_id, port);
  if ((data && p->data) || (error && p->error))
    {
      KL_LOG_V (2, "streaming: request %s already has a %s stream", request_id, type);
      spdy_reset (s, id, KL_SPDY_PROTOCOL_ERROR);
      return;
    }
  spdy_reply (s, id);
  struct chan_s *c = session_add_chan (s, data ? ROLE_PF_DATA : ROLE_PF_ERROR, id);
  c->pair = p;
  if (data)
    p->data = c;
  else
    p->error = c;
  if (p->data && p->error)
    start_pair (s, p);
}

void
portforward_check (struct session_s *s)
{
  int64_t now = kl_stream_now_ns ();
  int64_t timeout = kl_stream_server_config (s->server)->stream_creation_timeout_ns;
  bool all_finished = true;
  s->creation_deadline_ns = 0;
  for (size_t i = 0; i < s->n_pairs; i++)
    {
      struct pf_pair_s *p = s->pairs[i];
      if (p->finished)
        continue;
      if (!p->call.started)
        {
          /* Waiting for the pair's other stream. */
          if (now - p->created_ns >= timeout)
            end_pair (s, p, "timed out waiting for streams");
          else if (s->creation_deadline_ns == 0
                   || p->created_ns + timeout < s->creation_deadline_ns)
            s->creation_deadline_ns = p->created_ns + timeout;
          all_finished = all_finished && p->finished;
          continue;
        }
      if (atomic_load (&p->call.done) && (p->data == NULL || p->data->source_eof))
        end_pair (s, p, p->call.ret < 0 ? p->call.error : NULL);
      all_finished = all_finished && p->finished;
    }
  if (s->websocket && all_finished)
    {
      ws_finish (s);
      s->done = true;
    }
}

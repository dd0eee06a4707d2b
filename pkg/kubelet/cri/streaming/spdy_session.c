/* SPDY/3.1 on an upgraded connection: the client creates every stream
   (odd ids); the server answers SYN_REPLY and sends data on them.
   Flow control: we acknowledge what we consume with WINDOW_UPDATE, but
   never hold our sending back for the client's window: spdystream, the
   only client these streams see (client-go, crictl), neither sends
   WINDOW_UPDATE nor enforces windows, so waiting for one would stall any
   output over 64 KiB. */
#include "pkg/kubelet/cri/streaming/session-internal.h"
#include "pkg/util/log.h"

/* Acknowledge received data once this much has been consumed. */
#define WINDOW_ACK (KL_SPDY_INITIAL_WINDOW / 2)
/* Frames larger than this are refused (spdystream sends at most 32 KiB). */
#define MAX_FRAME (1024 * 1024)

void
spdy_reply (struct session_s *s, uint32_t stream_id)
{
  kl_spdy_write_syn_reply (&s->out, s->deflater, stream_id, 0, NULL, 0);
}

void
spdy_reset (struct session_s *s, uint32_t stream_id, uint32_t status)
{
  kl_spdy_write_rst_stream (&s->out, stream_id, status);
}

void
spdy_send (struct session_s *s, struct chan_s *c, const void *data, size_t len, bool fin)
{
  kl_spdy_write_data (&s->out, c->id, fin ? KL_SPDY_FLAG_FIN : 0, data, len);
}

void
spdy_finish (struct session_s *s)
{
  kl_spdy_write_goaway (&s->out, s->last_stream_id, 0);
}

static void
on_data (struct session_s *s, const kl_spdy_frame_t *f)
{
  struct chan_s *c = session_find_chan (s, f->stream_id);
  if (c == NULL)
    {
      spdy_reset (s, f->stream_id, KL_SPDY_INVALID_STREAM);
      return;
    }
  if (f->data_len > 0)
    {
      session_deliver (s, c, f->data, f->data_len);
      c->unacked += (uint32_t) f->data_len;
      s->conn_unacked += (uint32_t) f->data_len;
      if (c->unacked >= WINDOW_ACK && !(f->flags & KL_SPDY_FLAG_FIN))
        {
          kl_spdy_write_window_update (&s->out, c->id, c->unacked);
          c->unacked = 0;
        }
      if (s->conn_unacked >= WINDOW_ACK)
        {
          kl_spdy_write_window_update (&s->out, 0, s->conn_unacked);
          s->conn_unacked = 0;
        }
    }
  if (f->flags & KL_SPDY_FLAG_FIN)
    session_remote_fin (s, c);
}

static void
on_syn_stream (struct session_s *s, const kl_spdy_frame_t *f)
{
  if ((f->stream_id & 1) == 0 || f->stream_id <= s->last_stream_id)
    {
      spdy_reset (s, f->stream_id, KL_SPDY_PROTOCOL_ERROR);
      return;
    }
  s->last_stream_id = f->stream_id;
  if (s->req->kind == KL_STREAM_PORT_FORWARD)
    portforward_spdy_stream (s, f->stream_id, f);
  else
    remotecommand_spdy_stream (s, f->stream_id, f);
  struct chan_s *c = session_find_chan (s, f->stream_id);
  if (c && (f->flags & KL_SPDY_FLAG_FIN))
    session_remote_fin (s, c);
}

int
spdy_feed (struct session_s *s, kl_error_t *err)
{
  size_t off = 0;
  int ret = 0;
  while (!s->done)
    {
      kl_spdy_frame_t f;
      size_t used = 0;
      ret = kl_spdy_parse_frame (s->inflater, s->in.data + off, s->in.len - off, MAX_FRAME, &f,
                                 &used, err);
      if (ret <= 0)
        break;
      off += used;
      struct chan_s *c;
      switch (f.type)
        {
        case KL_SPDY_DATA:
          on_data (s, &f);
          break;
        case KL_SPDY_SYN_STREAM:
          on_syn_stream (s, &f);
          break;
        case KL_SPDY_RST_STREAM:
          c = session_find_chan (s, f.stream_id);
          if (c)
            {
              session_remote_fin (s, c);
              c->local_fin = true; /* nothing may be sent on it any more */
            }
          break;
        case KL_SPDY_PING:
          if (f.ping_id & 1) /* the client's: echo it */
            kl_spdy_write_ping (&s->out, f.ping_id);
          break;
        default:
          break; /* SYN_REPLY, SETTINGS, GOAWAY, HEADERS, WINDOW_UPDATE */
        }
      kl_spdy_frame_clear (&f);
    }
  kl_buf_consume (&s->in, off);
  if (ret < 0)
    {
      kl_spdy_write_goaway (&s->out, s->last_stream_id, 1 /* PROTOCOL_ERROR */);
      return ret;
    }
  return 0;
}

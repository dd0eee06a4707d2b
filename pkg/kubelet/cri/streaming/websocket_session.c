/* WebSocket on an upgraded connection with the channel.k8s.io framing:
   every message starts with its channel number (a byte, or an ASCII digit
   followed by base64 text with base64.channel.k8s.io). */
#include <openssl/evp.h>
#include <string.h>

#include "pkg/kubelet/cri/streaming/session-internal.h"
#include "pkg/kubelet/cri/streaming/websocket_frame.h"
#include "pkg/util/log.h"
#include "pkg/util/utils.h"

#define MAX_MESSAGE (1024 * 1024)
/* v5.channel.k8s.io: a message on this channel closes the channel named by
   its one-byte body. */
#define CLOSE_CHANNEL 255

static int
base64_value (uint8_t c)
{
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (c >= '0' && c <= '9')
    return c - '0' + 52;
  if (c == '+')
    return 62;
  if (c == '/')
    return 63;
  return -1;
}

/* Standard base64 with padding, as Go's StdEncoding; false when invalid. */
static bool
base64_decode (const uint8_t *in, size_t len, kl_buf_t *out)
{
  if (len % 4 != 0)
    return false;
  for (size_t i = 0; i < len; i += 4)
    {
      int v[4];
      int pad = 0;
      for (int k = 0; k < 4; k++)
        {
          if (in[i + k] == '=' && i + 4 == len && k >= 2)
            {
              v[k] = 0;
              pad++;
              continue;
            }
          if (pad > 0 || (v[k] = base64_value (in[i + k])) < 0)
            return false;
        }
      uint32_t w = ((uint32_t) v[0] << 18) | ((uint32_t) v[1] << 12) | ((uint32_t) v[2] << 6)
                   | (uint32_t) v[3];
      uint8_t b[3] = { (uint8_t) (w >> 16), (uint8_t) (w >> 8), (uint8_t) w };
      kl_buf_append (out, b, (size_t) (3 - pad));
    }
  return true;
}

void
ws_send (struct session_s *s, struct chan_s *c, const void *data, size_t len)
{
  cleanup_buf kl_buf_t msg = { 0 };
  if (s->ws_base64)
    {
      kl_buf_append_u8 (&msg, (uint8_t) ('0' + c->id));
      uint8_t *p = kl_buf_reserve (&msg, 4 * ((len + 2) / 3) + 1);
      msg.len += (size_t) EVP_EncodeBlock (p, data, (int) len);
      kl_ws_write_frame (&s->out, KL_WS_TEXT, true, msg.data, msg.len, NULL);
      return;
    }
  kl_buf_append_u8 (&msg, (uint8_t) c->id);
  kl_buf_append (&msg, data, len);
  kl_ws_write_frame (&s->out, KL_WS_BINARY, true, msg.data, msg.len, NULL);
}

void
ws_finish (struct session_s *s)
{
  if (s->ws_close_sent)
    return;
  kl_ws_write_close (&s->out, KL_WS_CLOSE_NORMAL, "", NULL);
  s->ws_close_sent = true;
}

static int
on_message (struct session_s *s, const uint8_t *data, size_t len, kl_error_t *err)
{
  if (len == 0)
    return 0;
  uint32_t channel = data[0];
  cleanup_buf kl_buf_t decoded = { 0 };
  const uint8_t *body = data + 1;
  size_t body_len = len - 1;
  if (s->ws_base64)
    {
      channel = (uint8_t) (channel - '0');
      if (!base64_decode (body, body_len, &decoded))
        return kl_make_error_kind (err, KL_ERROR_INVALID, 0,
                                   "websocket: invalid base64 on channel %u", channel);
      body = decoded.data;
      body_len = decoded.len;
    }
  if (channel == CLOSE_CHANNEL && s->version >= 5)
    {
      struct chan_s *c = body_len >= 1 ? session_find_chan (s, body[0]) : NULL;
      if (c)
        session_remote_fin (s, c);
      return 0;
    }
  struct chan_s *c = session_find_chan (s, channel);
  if (c == NULL)
    {
      KL_LOG_V (6, "streaming: websocket message for unknown channel %u", channel);
      return 0;
    }
  session_deliver (s, c, body, body_len);
  return 0;
}

static int
protocol_error (struct session_s *s, int ret)
{
  if (!s->ws_close_sent)
    {
      kl_ws_write_close (&s->out, KL_WS_CLOSE_PROTOCOL_ERROR, "protocol error", NULL);
      s->ws_close_sent = true;
    }
  return ret;
}

int
ws_feed (struct session_s *s, kl_error_t *err)
{
  size_t off = 0;
  int ret = 0;
  while (!s->done)
    {
      kl_ws_frame_t f;
      size_t used = 0;
      ret = kl_ws_parse_frame (s->in.data + off, s->in.len - off, true, MAX_MESSAGE, &f, &used,
                               err);
      if (ret <= 0)
        break;
      off += used;
      ret = 0;
      switch (f.opcode)
        {
        case KL_WS_PING:
          kl_ws_write_frame (&s->out, KL_WS_PONG, true, f.payload, f.len, NULL);
          break;
        case KL_WS_PONG:
          break;
        case KL_WS_CLOSE:
          /* The client is done: answer, and end the session (as Go's
             wsstream, which closes every channel when the socket ends). */
          ws_finish (s);
          s->done = true;
          break;
        case KL_WS_TEXT:
        case KL_WS_BINARY:
          if (s->ws_opcode != 0)
            ret = kl_make_error_kind (err, KL_ERROR_INVALID, 0,
                                      "websocket: new message inside a fragmented one");
          else if (f.fin)
            ret = on_message (s, f.payload, f.len, err);
          else
            {
              s->ws_opcode = f.opcode;
              s->ws_message.len = 0;
              kl_buf_append (&s->ws_message, f.payload, f.len);
            }
          break;
        case KL_WS_CONTINUATION:
          if (s->ws_opcode == 0)
            ret = kl_make_error_kind (err, KL_ERROR_INVALID, 0,
                                      "websocket: continuation without a message");
          else if (s->ws_message.len + f.len > MAX_MESSAGE)
            ret = kl_make_error_kind (err, KL_ERROR_INVALID, 0,
                                      "websocket: message larger than %d bytes", MAX_MESSAGE);
          else
            {
              kl_buf_append (&s->ws_message, f.payload, f.len);
              if (f.fin)
                {
                  s->ws_opcode = 0;
                  ret = on_message (s, s->ws_message.data, s->ws_message.len, err);
                  s->ws_message.len = 0;
                }
            }
          break;
        }
      if (ret < 0)
        break;
    }
  kl_buf_consume (&s->in, off);
  return ret < 0 ? protocol_error (s, ret) : 0;
}

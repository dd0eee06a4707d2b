/* RFC 6455 section 5.2:
     |FIN|RSV1-3|opcode(4)|MASK|len(7)| [len16 | len64] | [mask(32)] | payload */
#include "pkg/kubelet/cri/streaming/websocket_frame.h"

#include <openssl/evp.h>
#include <string.h>

#include "pkg/util/utils.h"

#define WS_GUID "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

static int
ws_error (kl_error_t *err, const char *what)
{
  return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "websocket: %s", what);
}

int
kl_ws_parse_frame (uint8_t *buf, size_t len, bool from_client, size_t max_len, kl_ws_frame_t *frame,
                   size_t *consumed, kl_error_t *err)
{
  memset (frame, 0, sizeof *frame);
  if (len < 2)
    return 0;
  uint8_t b0 = buf[0], b1 = buf[1];
  if (b0 & 0x70)
    return ws_error (err, "reserved bits set without a negotiated extension");
  frame->fin = (b0 & 0x80) != 0;
  frame->opcode = b0 & 0x0f;
  bool control = (frame->opcode & 0x08) != 0;
  switch (frame->opcode)
    {
    case KL_WS_CONTINUATION:
    case KL_WS_TEXT:
    case KL_WS_BINARY:
    case KL_WS_CLOSE:
    case KL_WS_PING:
    case KL_WS_PONG:
      break;
    default:
      return ws_error (err, "unknown opcode");
    }
  bool masked = (b1 & 0x80) != 0;
  if (masked != from_client)
    return ws_error (err, from_client ? "unmasked client frame" : "masked server frame");
  uint64_t payload_len = b1 & 0x7f;
  size_t off = 2;
  if (payload_len == 126)
    {
      if (len < off + 2)
        return 0;
      payload_len = kl_read_be16 (buf + off);
      off += 2;
      if (payload_len < 126)
        return ws_error (err, "non-minimal payload length");
    }
  else if (payload_len == 127)
    {
      if (len < off + 8)
        return 0;
      payload_len = ((uint64_t) kl_read_be32 (buf + off) << 32) | kl_read_be32 (buf + off + 4);
      off += 8;
      if (payload_len >> 63)
        return ws_error (err, "payload length with the top bit set");
      if (payload_len <= 0xffff)
        return ws_error (err, "non-minimal payload length");
    }
  if (control && (!frame->fin || payload_len > 125))
    return ws_error (err, "fragmented or oversized control frame");
  if (payload_len > max_len)
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0,
                               "websocket: frame of %llu bytes exceeds the limit of %zu",
                               (unsigned long long) payload_len, max_len);
  uint8_t mask[4] = { 0 };
  if (masked)
    {
      if (len < off + 4)
        return 0;
      memcpy (mask, buf + off, 4);
      off += 4;
    }
  if (len - off < payload_len)
    return 0;
  frame->payload = buf + off;
  frame->len = (size_t) payload_len;
  if (masked)
    for (size_t i = 0; i < frame->len; i++)
      frame->payload[i] ^= mask[i & 3];
  *consumed = off + frame->len;
  return 1;
}

void
kl_ws_write_frame (kl_buf_t *out, uint8_t opcode, bool fin, const void *payload, size_t len,
                   const uint8_t *mask)
{
  kl_buf_append_u8 (out, (uint8_t) ((fin ? 0x80 : 0) | (opcode & 0x0f)));
  uint8_t mask_bit = mask ? 0x80 : 0;
  if (len < 126)
    kl_buf_append_u8 (out, (uint8_t) (mask_bit | len));
  else if (len <= 0xffff)
    {
      kl_buf_append_u8 (out, mask_bit | 126);
      kl_buf_append_be16 (out, (uint16_t) len);
    }
  else
    {
      kl_buf_append_u8 (out, mask_bit | 127);
      kl_buf_append_be32 (out, (uint32_t) ((uint64_t) len >> 32));
      kl_buf_append_be32 (out, (uint32_t) len);
    }
  if (mask == NULL)
    {
      kl_buf_append (out, payload, len);
      return;
    }
  kl_buf_append (out, mask, 4);
  uint8_t *dst = kl_buf_reserve (out, len);
  const uint8_t *src = payload;
  for (size_t i = 0; i < len; i++)
    dst[i] = src[i] ^ mask[i & 3];
  out->len += len;
}

void
kl_ws_write_close (kl_buf_t *out, uint16_t code, const char *reason, const uint8_t *mask)
{
  uint8_t body[125];
  size_t n = reason ? strlen (reason) : 0;
  if (n > sizeof body - 2)
    n = sizeof body - 2;
  body[0] = (uint8_t) (code >> 8);
  body[1] = (uint8_t) code;
  if (n)
    memcpy (body + 2, reason, n);
  kl_ws_write_frame (out, KL_WS_CLOSE, true, body, n + 2, mask);
}

char *
kl_ws_accept_key (const char *key)
{
  cleanup_free char *joined = xasprintf ("%s%s", key, WS_GUID);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_len = 0;
  if (EVP_Digest (joined, strlen (joined), digest, &digest_len, EVP_sha1 (), NULL) != 1)
    kl_oom ();
  char *out = xmalloc0 (4 * ((digest_len + 2) / 3) + 1);
  EVP_EncodeBlock ((unsigned char *) out, digest, (int) digest_len);
  return out;
}

/* WebSocket (RFC 6455) framing: pure encode/decode over buffers and the
   handshake's accept key. */
#ifndef KL_CRI_STREAMING_WEBSOCKET_FRAME_H
#define KL_CRI_STREAMING_WEBSOCKET_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pkg/kubelet/cri/streaming/buf.h"
#include "pkg/util/error.h"

#ifdef __cplusplus
extern "C" {
#endif

enum kl_ws_opcode
{
  KL_WS_CONTINUATION = 0x0,
  KL_WS_TEXT = 0x1,
  KL_WS_BINARY = 0x2,
  KL_WS_CLOSE = 0x8,
  KL_WS_PING = 0x9,
  KL_WS_PONG = 0xa,
};

/* Close status codes. */
#define KL_WS_CLOSE_NORMAL 1000
#define KL_WS_CLOSE_PROTOCOL_ERROR 1002
#define KL_WS_CLOSE_TOO_BIG 1009

typedef struct kl_ws_frame_s
{
  bool fin;
  uint8_t opcode;
  uint8_t *payload; /* points into the parsed buffer, unmasked in place */
  size_t len;
} kl_ws_frame_t;

/* Parses the frame at the start of buf, unmasking its payload in place.
   Returns 1 with *frame and *consumed set, 0 when buf holds only part of a
   frame, or a negative value with err for a protocol violation: reserved
   bits set, an unknown opcode, a fragmented or long control frame, a
   payload over max_len, or the wrong masking (`from_client`: frames must be
   masked; otherwise they must not be). */
int kl_ws_parse_frame (uint8_t *buf, size_t len, bool from_client, size_t max_len,
                       kl_ws_frame_t *frame, size_t *consumed, kl_error_t *err);

/* Appends one frame; `mask` (4 bytes) masks it as a client must, NULL
   sends it unmasked as a server does. */
void kl_ws_write_frame (kl_buf_t *out, uint8_t opcode, bool fin, const void *payload, size_t len,
                        const uint8_t *mask);

/* Appends a close frame with `code` and `reason`. */
void kl_ws_write_close (kl_buf_t *out, uint16_t code, const char *reason, const uint8_t *mask);

/* The Sec-WebSocket-Accept value for a Sec-WebSocket-Key. */
char *kl_ws_accept_key (const char *key);

#ifdef __cplusplus
}
#endif

#endif

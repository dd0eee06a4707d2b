/* Fuzzes the WebSocket frame parser: the first byte says whether the bytes
   come from a client (masked frames) and picks the payload cap, the rest is
   the stream. Every frame parsed re-encodes to a frame that parses the same. */
#include <string.h>

#include "pkg/kubelet/cri/streaming/websocket_frame.h"
#include "pkg/util/utils.h"
#include "test/fuzz/fuzz.h"

static void
check_round_trip (const kl_ws_frame_t *f, bool from_client, size_t max_len)
{
  static const uint8_t mask[4] = { 0x12, 0x34, 0x56, 0x78 };
  cleanup_buf kl_buf_t out = { 0 };
  kl_ws_write_frame (&out, f->opcode, f->fin, f->payload, f->len, from_client ? mask : NULL);
  kl_ws_frame_t back;
  size_t consumed = 0;
  kl_error_t err = NULL;
  int ret = kl_ws_parse_frame (out.data, out.len, from_client, max_len, &back, &consumed, &err);
  KL_FUZZ_CHECK (ret == 1, "a re-encoded frame does not parse: %d %s", ret, kl_error_message (err));
  KL_FUZZ_CHECK (consumed == out.len, "consumed %zu of %zu", consumed, out.len);
  KL_FUZZ_CHECK (back.opcode == f->opcode && back.fin == f->fin && back.len == f->len,
                 "fields differ after a round trip");
  KL_FUZZ_CHECK (f->len == 0 || memcmp (back.payload, f->payload, f->len) == 0,
                 "payload differs after a round trip");
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  if (size < 1)
    return 0;
  bool from_client = data[0] & 1;
  size_t max_len = (data[0] & 2) ? 125 : 1 << 20;
  size_t len = size - 1;
  /* The parser unmasks in place: work on a copy of exactly the input. */
  cleanup_free uint8_t *buf = xmalloc (len ? len : 1);
  memcpy (buf, data + 1, len);
  size_t off = 0;
  while (off < len)
    {
      kl_ws_frame_t f;
      size_t consumed = 0;
      kl_error_t err = NULL;
      int ret = kl_ws_parse_frame (buf + off, len - off, from_client, max_len, &f, &consumed, &err);
      if (ret < 0)
        {
          KL_FUZZ_CHECK (err != NULL, "failure without an error");
          kl_error_release (&err);
          break;
        }
      KL_FUZZ_CHECK (err == NULL, "result %d with an error set", ret);
      if (ret == 0)
        break; /* a partial frame: wait for more */
      KL_FUZZ_CHECK (consumed > 0 && consumed <= len - off, "consumed %zu of %zu", consumed,
                     len - off);
      KL_FUZZ_CHECK (f.len <= max_len, "payload %zu over the cap %zu", f.len, max_len);
      KL_FUZZ_CHECK (f.len == 0
                         || (f.payload >= buf + off && f.payload + f.len <= buf + off + consumed),
                     "payload outside the frame");
      if (f.opcode >= KL_WS_CLOSE)
        KL_FUZZ_CHECK (f.fin && f.len <= 125, "a fragmented or long control frame");
      check_round_trip (&f, from_client, max_len);
      off += consumed;
    }
  return 0;
}

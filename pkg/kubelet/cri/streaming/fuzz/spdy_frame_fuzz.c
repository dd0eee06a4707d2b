/* Fuzzes the SPDY/3.1 frame parser over one connection's stream of frames
   (one header inflater for all of them, as on a connection): the first byte
   picks the payload cap, the rest is the stream. Every frame parsed
   re-encodes to a frame that parses the same. */
#include <string.h>

#include "pkg/kubelet/cri/streaming/spdy_frame.h"
#include "pkg/util/utils.h"
#include "test/fuzz/fuzz.h"

/* Encodes `f` with a fresh deflater and parses it back with a fresh inflater. */
static void
check_round_trip (const kl_spdy_frame_t *f)
{
  cleanup_buf kl_buf_t out = { 0 };
  kl_spdy_zlib_t *deflater = kl_spdy_zlib_new_deflater ();
  kl_spdy_zlib_t *inflater = kl_spdy_zlib_new_inflater ();
  switch (f->type)
    {
    case KL_SPDY_DATA:
      kl_spdy_write_data (&out, f->stream_id, f->flags, f->data, f->data_len);
      break;
    case KL_SPDY_SYN_STREAM:
      kl_spdy_write_syn_stream (&out, deflater, f->stream_id, f->flags, f->headers, f->n_headers);
      break;
    case KL_SPDY_SYN_REPLY:
      kl_spdy_write_syn_reply (&out, deflater, f->stream_id, f->flags, f->headers, f->n_headers);
      break;
    case KL_SPDY_RST_STREAM:
      kl_spdy_write_rst_stream (&out, f->stream_id, f->status);
      break;
    case KL_SPDY_PING:
      kl_spdy_write_ping (&out, f->ping_id);
      break;
    case KL_SPDY_GOAWAY:
      kl_spdy_write_goaway (&out, f->last_good_id, f->status);
      break;
    case KL_SPDY_WINDOW_UPDATE:
      kl_spdy_write_window_update (&out, f->stream_id, f->delta_window);
      break;
    default: /* SETTINGS, HEADERS: the parser keeps no fields to re-encode */
      kl_spdy_zlib_free (deflater);
      kl_spdy_zlib_free (inflater);
      return;
    }
  kl_spdy_frame_t back;
  size_t consumed = 0;
  kl_error_t err = NULL;
  int ret = kl_spdy_parse_frame (inflater, out.data, out.len, KL_SPDY_MAX_LENGTH, &back, &consumed,
                                 &err);
  KL_FUZZ_CHECK (ret == 1, "a re-encoded frame of type %u does not parse: %d %s",
                 (unsigned) f->type, ret, kl_error_message (err));
  KL_FUZZ_CHECK (consumed == out.len, "consumed %zu of %zu", consumed, out.len);
  KL_FUZZ_CHECK (back.type == f->type && back.stream_id == f->stream_id && back.status == f->status
                     && back.ping_id == f->ping_id && back.last_good_id == f->last_good_id
                     && back.delta_window == f->delta_window && back.data_len == f->data_len
                     && back.n_headers == f->n_headers,
                 "type %u: fields differ after a round trip", (unsigned) f->type);
  KL_FUZZ_CHECK (f->data_len == 0 || memcmp (back.data, f->data, f->data_len) == 0,
                 "data differs after a round trip");
  for (size_t i = 0; i < f->n_headers; i++)
    KL_FUZZ_CHECK (
        back.headers[i].value_len == f->headers[i].value_len
            && memcmp (back.headers[i].value, f->headers[i].value, f->headers[i].value_len) == 0,
        "header %zu differs after a round trip", i);
  kl_spdy_frame_clear (&back);
  kl_spdy_zlib_free (deflater);
  kl_spdy_zlib_free (inflater);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  if (size < 1)
    return 0;
  size_t max_length = (data[0] & 1) ? 64 : KL_SPDY_MAX_LENGTH;
  const uint8_t *buf = data + 1;
  size_t len = size - 1;
  kl_spdy_zlib_t *inflater = kl_spdy_zlib_new_inflater ();
  size_t off = 0;
  while (off < len)
    {
      kl_spdy_frame_t f;
      size_t consumed = 0;
      kl_error_t err = NULL;
      int ret
          = kl_spdy_parse_frame (inflater, buf + off, len - off, max_length, &f, &consumed, &err);
      if (ret < 0)
        {
          KL_FUZZ_CHECK (err != NULL, "failure without an error");
          kl_error_release (&err);
          break;
        }
      KL_FUZZ_CHECK (err == NULL, "result %d with an error set", ret);
      if (ret == 0)
        break;
      KL_FUZZ_CHECK (consumed > 0 && consumed <= len - off, "consumed %zu of %zu", consumed,
                     len - off);
      KL_FUZZ_CHECK (f.type != KL_SPDY_DATA || f.stream_id != 0, "data on stream 0");
      for (size_t i = 0; i < f.n_headers; i++)
        {
          KL_FUZZ_CHECK (f.headers[i].name != NULL && f.headers[i].value != NULL, "header %zu", i);
          KL_FUZZ_CHECK (kl_spdy_frame_header (&f, f.headers[i].name) != NULL,
                         "header %s not found by name", f.headers[i].name);
        }
      check_round_trip (&f);
      kl_spdy_frame_clear (&f);
      off += consumed;
    }
  kl_spdy_zlib_free (inflater);
  return 0;
}

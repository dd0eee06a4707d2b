/* SPDY/3.1 framing (the subset httpstream uses): pure encode/decode over
   buffers, header blocks compressed with one zlib stream per direction. */
#ifndef KL_CRI_STREAMING_SPDY_FRAME_H
#define KL_CRI_STREAMING_SPDY_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pkg/kubelet/cri/streaming/buf.h"
#include "pkg/util/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define KL_SPDY_VERSION 3

enum kl_spdy_type
{
  KL_SPDY_DATA = 0, /* not a control frame type: marks a data frame */
  KL_SPDY_SYN_STREAM = 1,
  KL_SPDY_SYN_REPLY = 2,
  KL_SPDY_RST_STREAM = 3,
  KL_SPDY_SETTINGS = 4,
  KL_SPDY_PING = 6,
  KL_SPDY_GOAWAY = 7,
  KL_SPDY_HEADERS = 8,
  KL_SPDY_WINDOW_UPDATE = 9,
  KL_SPDY_UNKNOWN_CONTROL = 0xffff, /* a control frame type SPDY/3.1 does not define */
};

#define KL_SPDY_FLAG_FIN 0x01
#define KL_SPDY_FLAG_UNIDIRECTIONAL 0x02

/* RST_STREAM status codes. */
#define KL_SPDY_PROTOCOL_ERROR 1
#define KL_SPDY_INVALID_STREAM 2
#define KL_SPDY_REFUSED_STREAM 3
#define KL_SPDY_CANCEL 5
#define KL_SPDY_INTERNAL_ERROR 6
#define KL_SPDY_STREAM_IN_USE 8
#define KL_SPDY_STREAM_ALREADY_CLOSED 9

/* The 24-bit length field's limit. */
#define KL_SPDY_MAX_LENGTH 0xffffffu
/* An inflated header block larger than this is refused. */
#define KL_SPDY_MAX_HEADER_BLOCK (64 * 1024)
/* The initial flow-control window of a stream (SPDY/3.1). */
#define KL_SPDY_INITIAL_WINDOW 65536

/* One name/value pair; `value` may hold several values separated by NULs. */
typedef struct kl_spdy_header_s
{
  char *name;
  char *value;
  size_t value_len;
} kl_spdy_header_t;

typedef struct kl_spdy_frame_s
{
  uint16_t type; /* enum kl_spdy_type */
  uint8_t flags;
  uint32_t stream_id;        /* data, SYN_*, RST, HEADERS, WINDOW_UPDATE */
  uint32_t associated_id;    /* SYN_STREAM */
  uint32_t status;           /* RST_STREAM, GOAWAY */
  uint32_t ping_id;          /* PING */
  uint32_t last_good_id;     /* GOAWAY */
  uint32_t delta_window;     /* WINDOW_UPDATE */
  const uint8_t *data;       /* DATA: points into the parsed buffer */
  size_t data_len;           /* DATA */
  kl_spdy_header_t *headers; /* SYN_STREAM, SYN_REPLY, HEADERS (owned) */
  size_t n_headers;
} kl_spdy_frame_t;

/* The compression state of one direction of one connection. */
typedef struct kl_spdy_zlib_s kl_spdy_zlib_t;

kl_spdy_zlib_t *kl_spdy_zlib_new_deflater (void);
kl_spdy_zlib_t *kl_spdy_zlib_new_inflater (void);
void kl_spdy_zlib_free (kl_spdy_zlib_t *z);

/* Parses the frame at the start of buf. Returns 1 with *frame and *consumed
   set, 0 when buf holds only part of a frame, or a negative value with err
   for a malformed frame (the connection is then unusable: the header
   compression state is shared). `max_length` bounds the payload accepted. */
int kl_spdy_parse_frame (kl_spdy_zlib_t *inflater, const uint8_t *buf, size_t len,
                         size_t max_length, kl_spdy_frame_t *frame, size_t *consumed,
                         kl_error_t *err);
void kl_spdy_frame_clear (kl_spdy_frame_t *frame);

/* The first value of header `name` (case-insensitive), or NULL. */
const char *kl_spdy_frame_header (const kl_spdy_frame_t *frame, const char *name);

/* Encoders: each appends one frame to `out`. Header names are lowercased
   on the wire as SPDY requires. */
void kl_spdy_write_syn_stream (kl_buf_t *out, kl_spdy_zlib_t *deflater, uint32_t stream_id,
                               uint8_t flags, const kl_spdy_header_t *headers, size_t n_headers);
void kl_spdy_write_syn_reply (kl_buf_t *out, kl_spdy_zlib_t *deflater, uint32_t stream_id,
                              uint8_t flags, const kl_spdy_header_t *headers, size_t n_headers);
void kl_spdy_write_data (kl_buf_t *out, uint32_t stream_id, uint8_t flags, const void *data,
                         size_t len);
void kl_spdy_write_rst_stream (kl_buf_t *out, uint32_t stream_id, uint32_t status);
void kl_spdy_write_ping (kl_buf_t *out, uint32_t ping_id);
void kl_spdy_write_goaway (kl_buf_t *out, uint32_t last_good_id, uint32_t status);
void kl_spdy_write_window_update (kl_buf_t *out, uint32_t stream_id, uint32_t delta);
/* A SETTINGS frame with one id/value pair. */
void kl_spdy_write_settings (kl_buf_t *out, uint32_t id, uint32_t value);

extern const unsigned char kl_spdy_dictionary[];
extern const size_t kl_spdy_dictionary_len;

#ifdef __cplusplus
}
#endif

#endif

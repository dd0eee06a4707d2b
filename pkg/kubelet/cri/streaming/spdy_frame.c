/* SPDY/3.1 frames (draft-mbelshe-httpbis-spdy-00 with the 3.1 flow control
   additions): a control frame is
     |1| version(15) | type(16) | flags(8) | length(24) | payload
   and a data frame
     |0| stream id(31) | flags(8) | length(24) | data. */
#include "pkg/kubelet/cri/streaming/spdy_frame.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

#include "pkg/util/utils.h"

struct kl_spdy_zlib_s
{
  z_stream z;
  bool deflate;
  bool broken; /* a failed block desynchronizes the stream for good */
};

kl_spdy_zlib_t *
kl_spdy_zlib_new_deflater (void)
{
  kl_spdy_zlib_t *z = xmalloc0 (sizeof *z);
  z->deflate = true;
  if (deflateInit (&z->z, Z_DEFAULT_COMPRESSION) != Z_OK
      || deflateSetDictionary (&z->z, kl_spdy_dictionary, (uInt) kl_spdy_dictionary_len) != Z_OK)
    kl_oom ();
  return z;
}

kl_spdy_zlib_t *
kl_spdy_zlib_new_inflater (void)
{
  kl_spdy_zlib_t *z = xmalloc0 (sizeof *z);
  if (inflateInit (&z->z) != Z_OK)
    kl_oom ();
  return z;
}

void
kl_spdy_zlib_free (kl_spdy_zlib_t *z)
{
  if (z == NULL)
    return;
  if (z->deflate)
    deflateEnd (&z->z);
  else
    inflateEnd (&z->z);
  free (z);
}

static int
inflate_block (kl_spdy_zlib_t *inflater, const uint8_t *in, size_t len, kl_buf_t *out,
               kl_error_t *err)
{
  if (inflater->broken)
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "header decompression failed earlier");
  z_stream *z = &inflater->z;
  z->next_in = (Bytef *) in;
  z->avail_in = (uInt) len;
  for (;;)
    {
      size_t room = 4096;
      if (out->len + room > KL_SPDY_MAX_HEADER_BLOCK + 1)
        room = KL_SPDY_MAX_HEADER_BLOCK + 1 - out->len;
      z->next_out = kl_buf_reserve (out, room);
      z->avail_out = (uInt) room;
      int ret = inflate (z, Z_SYNC_FLUSH);
      out->len += room - z->avail_out;
      if (ret == Z_NEED_DICT)
        {
          if (inflateSetDictionary (z, kl_spdy_dictionary, (uInt) kl_spdy_dictionary_len) != Z_OK)
            goto bad;
          continue;
        }
      if (out->len > KL_SPDY_MAX_HEADER_BLOCK)
        {
          inflater->broken = true;
          return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "header block larger than %d bytes",
                                     KL_SPDY_MAX_HEADER_BLOCK);
        }
      if (ret == Z_BUF_ERROR && z->avail_in == 0)
        break;
      if (ret != Z_OK)
        goto bad;
      if (z->avail_in == 0 && z->avail_out != 0)
        break;
    }
  return 0;
bad:
  inflater->broken = true;
  return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "bad compressed header block: %s",
                             z->msg ? z->msg : "invalid data");
}

static void
free_headers (kl_spdy_header_t *headers, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      free (headers[i].name);
      free (headers[i].value);
    }
  free (headers);
}

/* The inflated block: count(32), then per pair name length(32), name,
   value length(32), value. */
static int
parse_header_block (const uint8_t *p, size_t len, kl_spdy_frame_t *frame, kl_error_t *err)
{
  if (len < 4)
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "truncated header block");
  uint32_t count = kl_read_be32 (p);
  size_t off = 4;
  if (count > (len - off) / 8)
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0,
                               "header block claims %u pairs in %zu bytes", count, len);
  /* Zeroed: on failure every entry, filled or not, can be freed. */
  kl_spdy_header_t *headers = xmalloc0 (sizeof *headers * (count ? count : 1));
  const char *why = NULL;
  for (uint32_t i = 0; i < count && why == NULL; i++)
    {
      uint32_t name_len, value_len;
      if (len - off < 4 || (name_len = kl_read_be32 (p + off)) > len - off - 4)
        {
          why = "truncated header block";
          break;
        }
      off += 4;
      if (name_len == 0)
        {
          why = "empty header name";
          break;
        }
      /* NUL separates a value's parts; in a name it would cut the name short. */
      if (memchr (p + off, '\0', name_len) != NULL)
        {
          why = "header name with a NUL byte";
          break;
        }
      headers[i].name = xstrndup ((const char *) p + off, name_len);
      for (char *c = headers[i].name; *c; c++)
        *c = (char) tolower ((unsigned char) *c);
      off += name_len;
      if (len - off < 4 || (value_len = kl_read_be32 (p + off)) > len - off - 4)
        {
          why = "truncated header block";
          break;
        }
      off += 4;
      headers[i].value = xmalloc (value_len + 1);
      memcpy (headers[i].value, p + off, value_len);
      headers[i].value[value_len] = '\0';
      headers[i].value_len = value_len;
      off += value_len;
    }
  if (why == NULL && off != len)
    why = "stray bytes after the header block";
  if (why)
    {
      free_headers (headers, count);
      return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "%s", why);
    }
  frame->headers = headers;
  frame->n_headers = count;
  return 0;
}

static int
read_headers (kl_spdy_zlib_t *inflater, const uint8_t *block, size_t len, kl_spdy_frame_t *frame,
              kl_error_t *err)
{
  cleanup_buf kl_buf_t plain = { 0 };
  int ret = inflate_block (inflater, block, len, &plain, err);
  if (ret < 0)
    return ret;
  return parse_header_block (plain.data, plain.len, frame, err);
}

static int
bad_length (kl_error_t *err, const char *what, uint32_t length)
{
  return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "%s frame with bad length %u", what, length);
}

int
kl_spdy_parse_frame (kl_spdy_zlib_t *inflater, const uint8_t *buf, size_t len, size_t max_length,
                     kl_spdy_frame_t *frame, size_t *consumed, kl_error_t *err)
{
  memset (frame, 0, sizeof *frame);
  if (len < 8)
    return 0;
  uint32_t word0 = kl_read_be32 (buf);
  uint32_t word1 = kl_read_be32 (buf + 4);
  uint32_t length = word1 & 0xffffff;
  frame->flags = (uint8_t) (word1 >> 24);
  if (length > max_length)
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0,
                               "frame of %u bytes exceeds the limit of %zu", length, max_length);
  if (len - 8 < length)
    return 0;
  const uint8_t *p = buf + 8;
  *consumed = 8 + (size_t) length;

  if ((word0 & 0x80000000u) == 0)
    {
      frame->type = KL_SPDY_DATA;
      frame->stream_id = word0 & 0x7fffffff;
      if (frame->stream_id == 0)
        return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "data frame on stream 0");
      frame->data = p;
      frame->data_len = length;
      return 1;
    }
  uint16_t version = (uint16_t) ((word0 >> 16) & 0x7fff);
  if (version != KL_SPDY_VERSION)
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "unsupported SPDY version %u", version);
  frame->type = (uint16_t) (word0 & 0xffff);
  int ret = 0;
  switch (frame->type)
    {
    case KL_SPDY_SYN_STREAM:
      if (length < 10)
        return bad_length (err, "SYN_STREAM", length);
      frame->stream_id = kl_read_be32 (p) & 0x7fffffff;
      frame->associated_id = kl_read_be32 (p + 4) & 0x7fffffff;
      ret = read_headers (inflater, p + 10, length - 10, frame, err);
      break;
    case KL_SPDY_SYN_REPLY:
    case KL_SPDY_HEADERS:
      if (length < 4)
        return bad_length (err, frame->type == KL_SPDY_HEADERS ? "HEADERS" : "SYN_REPLY", length);
      frame->stream_id = kl_read_be32 (p) & 0x7fffffff;
      ret = read_headers (inflater, p + 4, length - 4, frame, err);
      break;
    case KL_SPDY_RST_STREAM:
      if (length != 8)
        return bad_length (err, "RST_STREAM", length);
      frame->stream_id = kl_read_be32 (p) & 0x7fffffff;
      frame->status = kl_read_be32 (p + 4);
      if (frame->status == 0)
        return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "RST_STREAM with status 0");
      break;
    case KL_SPDY_SETTINGS:
      if (length < 4 || (length - 4) / 8 != kl_read_be32 (p) || (length - 4) % 8 != 0)
        return bad_length (err, "SETTINGS", length);
      return 1; /* nothing the server acts on */
    case KL_SPDY_PING:
      if (length != 4)
        return bad_length (err, "PING", length);
      frame->ping_id = kl_read_be32 (p);
      return 1;
    case KL_SPDY_GOAWAY:
      if (length != 8)
        return bad_length (err, "GOAWAY", length);
      frame->last_good_id = kl_read_be32 (p) & 0x7fffffff;
      frame->status = kl_read_be32 (p + 4);
      return 1;
    case KL_SPDY_WINDOW_UPDATE:
      if (length != 8)
        return bad_length (err, "WINDOW_UPDATE", length);
      frame->stream_id = kl_read_be32 (p) & 0x7fffffff;
      frame->delta_window = kl_read_be32 (p + 4) & 0x7fffffff;
      if (frame->delta_window == 0)
        return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "WINDOW_UPDATE with delta 0");
      return 1;
    default:
      /* Ignored, as SPDY asks; marked so type 0 is never taken for data. */
      frame->type = KL_SPDY_UNKNOWN_CONTROL;
      return 1;
    }
  if (ret < 0)
    return ret;
  if (frame->type != KL_SPDY_HEADERS && frame->stream_id == 0)
    {
      kl_spdy_frame_clear (frame);
      return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "control frame type %u on stream 0",
                                 frame->type);
    }
  return 1;
}

void
kl_spdy_frame_clear (kl_spdy_frame_t *frame)
{
  free_headers (frame->headers, frame->n_headers);
  frame->headers = NULL;
  frame->n_headers = 0;
}

const char *
kl_spdy_frame_header (const kl_spdy_frame_t *frame, const char *name)
{
  for (size_t i = 0; i < frame->n_headers; i++)
    if (strcasecmp (frame->headers[i].name, name) == 0)
      return frame->headers[i].value;
  return NULL;
}

static void
control_header (kl_buf_t *out, uint16_t type, uint8_t flags, uint32_t length)
{
  kl_buf_append_be32 (out, 0x80000000u | ((uint32_t) KL_SPDY_VERSION << 16) | type);
  kl_buf_append_be32 (out, ((uint32_t) flags << 24) | (length & 0xffffff));
}

static void
deflate_block (kl_spdy_zlib_t *deflater, const kl_buf_t *plain, kl_buf_t *out)
{
  z_stream *z = &deflater->z;
  z->next_in = plain->data;
  z->avail_in = (uInt) plain->len;
  for (;;)
    {
      size_t room = deflateBound (z, z->avail_in) + 64;
      z->next_out = kl_buf_reserve (out, room);
      z->avail_out = (uInt) room;
      int ret = deflate (z, Z_SYNC_FLUSH);
      out->len += room - z->avail_out;
      if (ret != Z_OK && ret != Z_BUF_ERROR)
        kl_oom (); /* only a programming error or no memory gets here */
      if (z->avail_in == 0 && z->avail_out != 0)
        break;
    }
}

static void
write_header_frame (kl_buf_t *out, kl_spdy_zlib_t *deflater, uint16_t type, uint32_t stream_id,
                    uint8_t flags, const kl_spdy_header_t *headers, size_t n_headers)
{
  cleanup_buf kl_buf_t plain = { 0 };
  kl_buf_append_be32 (&plain, (uint32_t) n_headers);
  for (size_t i = 0; i < n_headers; i++)
    {
      size_t name_len = strlen (headers[i].name);
      kl_buf_append_be32 (&plain, (uint32_t) name_len);
      for (size_t j = 0; j < name_len; j++)
        kl_buf_append_u8 (&plain, (uint8_t) tolower ((unsigned char) headers[i].name[j]));
      size_t value_len = headers[i].value_len ? headers[i].value_len : strlen (headers[i].value);
      kl_buf_append_be32 (&plain, (uint32_t) value_len);
      kl_buf_append (&plain, headers[i].value, value_len);
    }
  cleanup_buf kl_buf_t packed = { 0 };
  deflate_block (deflater, &plain, &packed);
  size_t fixed = type == KL_SPDY_SYN_STREAM ? 10 : 4;
  control_header (out, type, flags, (uint32_t) (fixed + packed.len));
  kl_buf_append_be32 (out, stream_id & 0x7fffffff);
  if (type == KL_SPDY_SYN_STREAM)
    {
      kl_buf_append_be32 (out, 0); /* associated stream */
      kl_buf_append_be16 (out, 0); /* priority, slot */
    }
  kl_buf_append (out, packed.data, packed.len);
}

void
kl_spdy_write_syn_stream (kl_buf_t *out, kl_spdy_zlib_t *deflater, uint32_t stream_id,
                          uint8_t flags, const kl_spdy_header_t *headers, size_t n_headers)
{
  write_header_frame (out, deflater, KL_SPDY_SYN_STREAM, stream_id, flags, headers, n_headers);
}

void
kl_spdy_write_syn_reply (kl_buf_t *out, kl_spdy_zlib_t *deflater, uint32_t stream_id, uint8_t flags,
                         const kl_spdy_header_t *headers, size_t n_headers)
{
  write_header_frame (out, deflater, KL_SPDY_SYN_REPLY, stream_id, flags, headers, n_headers);
}

void
kl_spdy_write_data (kl_buf_t *out, uint32_t stream_id, uint8_t flags, const void *data, size_t len)
{
  kl_buf_append_be32 (out, stream_id & 0x7fffffff);
  kl_buf_append_be32 (out, ((uint32_t) flags << 24) | ((uint32_t) len & 0xffffff));
  kl_buf_append (out, data, len);
}

void
kl_spdy_write_rst_stream (kl_buf_t *out, uint32_t stream_id, uint32_t status)
{
  control_header (out, KL_SPDY_RST_STREAM, 0, 8);
  kl_buf_append_be32 (out, stream_id & 0x7fffffff);
  kl_buf_append_be32 (out, status);
}

void
kl_spdy_write_ping (kl_buf_t *out, uint32_t ping_id)
{
  control_header (out, KL_SPDY_PING, 0, 4);
  kl_buf_append_be32 (out, ping_id);
}

void
kl_spdy_write_goaway (kl_buf_t *out, uint32_t last_good_id, uint32_t status)
{
  control_header (out, KL_SPDY_GOAWAY, 0, 8);
  kl_buf_append_be32 (out, last_good_id & 0x7fffffff);
  kl_buf_append_be32 (out, status);
}

void
kl_spdy_write_window_update (kl_buf_t *out, uint32_t stream_id, uint32_t delta)
{
  control_header (out, KL_SPDY_WINDOW_UPDATE, 0, 8);
  kl_buf_append_be32 (out, stream_id & 0x7fffffff);
  kl_buf_append_be32 (out, delta & 0x7fffffff);
}

void
kl_spdy_write_settings (kl_buf_t *out, uint32_t id, uint32_t value)
{
  control_header (out, KL_SPDY_SETTINGS, 0, 12);
  kl_buf_append_be32 (out, 1);
  kl_buf_append_be32 (out, id & 0xffffff);
  kl_buf_append_be32 (out, value);
}

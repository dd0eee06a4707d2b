#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <zlib.h>

extern "C" {
#include "pkg/kubelet/cri/streaming/spdy_frame.h"
}

namespace {

struct Codec
{
  kl_spdy_zlib_t *deflater = kl_spdy_zlib_new_deflater ();
  kl_spdy_zlib_t *inflater = kl_spdy_zlib_new_inflater ();
  ~Codec ()
  {
    kl_spdy_zlib_free (deflater);
    kl_spdy_zlib_free (inflater);
  }
};

// Parses one whole frame from b; returns the parse result.
int
Parse (Codec &c, const kl_buf_t &b, kl_spdy_frame_t *f, size_t *used, kl_error_t *err)
{
  return kl_spdy_parse_frame (c.inflater, b.data, b.len, 1 << 20, f, used, err);
}

TEST (SpdyFrame, SynStreamHeadersRoundTripOverOneCompressionContext)
{
  Codec c;
  kl_buf_t b = {};
  kl_spdy_header_t h1[] = { { (char *) "streamType", (char *) "stdout", 0 },
                            { (char *) "port", (char *) "8080", 0 } };
  kl_spdy_header_t h2[] = { { (char *) "streamType", (char *) "error", 0 } };
  kl_spdy_write_syn_stream (&b, c.deflater, 1, KL_SPDY_FLAG_FIN, h1, 2);
  kl_spdy_write_syn_stream (&b, c.deflater, 3, 0, h2, 1);

  kl_spdy_frame_t f;
  size_t used = 0, off = 0;
  kl_error_t err = nullptr;
  ASSERT_EQ (1, kl_spdy_parse_frame (c.inflater, b.data, b.len, 1 << 20, &f, &used, &err));
  EXPECT_EQ (KL_SPDY_SYN_STREAM, f.type);
  EXPECT_EQ (1u, f.stream_id);
  EXPECT_EQ (KL_SPDY_FLAG_FIN, f.flags);
  ASSERT_EQ (2u, f.n_headers);
  EXPECT_STREQ ("streamtype", f.headers[0].name); // lowercased on the wire
  EXPECT_STREQ ("stdout", kl_spdy_frame_header (&f, "streamType"));
  EXPECT_STREQ ("8080", kl_spdy_frame_header (&f, "port"));
  kl_spdy_frame_clear (&f);
  off += used;
  ASSERT_EQ (1,
             kl_spdy_parse_frame (c.inflater, b.data + off, b.len - off, 1 << 20, &f, &used, &err));
  EXPECT_EQ (3u, f.stream_id);
  EXPECT_STREQ ("error", kl_spdy_frame_header (&f, "streamtype"));
  kl_spdy_frame_clear (&f);
  EXPECT_EQ (b.len, off + used);
  kl_buf_free (&b);
}

TEST (SpdyFrame, EmptyHeaderBlockAndSimpleControlFrames)
{
  Codec c;
  kl_buf_t b = {};
  kl_spdy_write_syn_reply (&b, c.deflater, 5, 0, nullptr, 0);
  kl_spdy_write_ping (&b, 7);
  kl_spdy_write_rst_stream (&b, 5, KL_SPDY_CANCEL);
  kl_spdy_write_goaway (&b, 5, 0);
  kl_spdy_write_window_update (&b, 5, 1000);
  kl_spdy_write_settings (&b, 7, 65536);
  kl_spdy_write_data (&b, 5, KL_SPDY_FLAG_FIN, "abc", 3);

  std::vector<kl_spdy_frame_t> frames;
  size_t off = 0;
  kl_error_t err = nullptr;
  while (off < b.len)
    {
      kl_spdy_frame_t f;
      size_t used = 0;
      ASSERT_EQ (
          1, kl_spdy_parse_frame (c.inflater, b.data + off, b.len - off, 1 << 20, &f, &used, &err))
          << kl_error_message (err);
      frames.push_back (f);
      off += used;
    }
  ASSERT_EQ (7u, frames.size ());
  EXPECT_EQ (KL_SPDY_SYN_REPLY, frames[0].type);
  EXPECT_EQ (0u, frames[0].n_headers);
  EXPECT_EQ (7u, frames[1].ping_id);
  EXPECT_EQ ((uint32_t) KL_SPDY_CANCEL, frames[2].status);
  EXPECT_EQ (5u, frames[3].last_good_id);
  EXPECT_EQ (1000u, frames[4].delta_window);
  EXPECT_EQ (KL_SPDY_SETTINGS, frames[5].type);
  EXPECT_EQ (KL_SPDY_DATA, frames[6].type);
  EXPECT_EQ (std::string ("abc"), std::string ((const char *) frames[6].data, frames[6].data_len));
  EXPECT_EQ (KL_SPDY_FLAG_FIN, frames[6].flags);
  for (auto &f : frames)
    kl_spdy_frame_clear (&f);
  kl_buf_free (&b);
}

TEST (SpdyFrame, UnknownControlFramesAreNeverTakenForData)
{
  Codec c;
  for (uint8_t type : { 0, 5, 10, 0xff })
    {
      // A control frame (high bit set), version 3, the given type, 4 bytes.
      const uint8_t raw[] = { 0x80, 0x03, 0x00, type, 0x00, 0x00, 0x00, 0x04, 1, 2, 3, 4 };
      kl_spdy_frame_t f;
      size_t used = 0;
      kl_error_t err = nullptr;
      ASSERT_EQ (1, kl_spdy_parse_frame (c.inflater, raw, sizeof raw, 1 << 20, &f, &used, &err))
          << "type " << int (type);
      EXPECT_EQ (KL_SPDY_UNKNOWN_CONTROL, f.type) << "type " << int (type);
      EXPECT_EQ (sizeof raw, used);
      kl_spdy_frame_clear (&f);
    }
}

TEST (SpdyFrame, PartialInputAsksForMore)
{
  Codec c;
  kl_buf_t b = {};
  kl_spdy_write_data (&b, 1, 0, "hello", 5);
  kl_error_t err = nullptr;
  for (size_t n = 0; n < b.len; n++)
    {
      kl_spdy_frame_t f;
      size_t used = 0;
      EXPECT_EQ (0, kl_spdy_parse_frame (c.inflater, b.data, n, 1 << 20, &f, &used, &err)) << n;
    }
  kl_buf_free (&b);
}

// A frame given as raw bytes must be refused with an error.
void
ExpectMalformed (const std::vector<uint8_t> &bytes, const char *want)
{
  Codec c;
  kl_spdy_frame_t f;
  size_t used = 0;
  kl_error_t err = nullptr;
  EXPECT_LT (
      kl_spdy_parse_frame (c.inflater, bytes.data (), bytes.size (), 1 << 20, &f, &used, &err), 0)
      << want;
  EXPECT_NE (std::string::npos, std::string (kl_error_message (err)).find (want))
      << kl_error_message (err);
  kl_error_release (&err);
}

TEST (SpdyFrame, MalformedFramesAreRefused)
{
  // RST_STREAM with length 4.
  ExpectMalformed ({ 0x80, 3, 0, 3, 0, 0, 0, 4, 0, 0, 0, 1 }, "RST_STREAM frame with bad length");
  // PING with length 8.
  ExpectMalformed ({ 0x80, 3, 0, 6, 0, 0, 0, 8, 0, 0, 0, 1, 0, 0, 0, 1 },
                   "PING frame with bad length");
  // WINDOW_UPDATE with length 4.
  ExpectMalformed ({ 0x80, 3, 0, 9, 0, 0, 0, 4, 0, 0, 0, 1 },
                   "WINDOW_UPDATE frame with bad length");
  // SYN_STREAM shorter than its fixed part.
  ExpectMalformed ({ 0x80, 3, 0, 1, 0, 0, 0, 6, 0, 0, 0, 1, 0, 0 },
                   "SYN_STREAM frame with bad length");
  // SPDY/2.
  ExpectMalformed ({ 0x80, 2, 0, 6, 0, 0, 0, 4, 0, 0, 0, 1 }, "unsupported SPDY version 2");
  // Data on stream 0.
  ExpectMalformed ({ 0, 0, 0, 0, 0, 0, 0, 1, 'x' }, "data frame on stream 0");
  // A length over the limit (16 MiB - 1 > 1 MiB).
  ExpectMalformed ({ 0, 0, 0, 1, 0, 0xff, 0xff, 0xff }, "exceeds the limit");
  // SYN_STREAM whose header block is not zlib data.
  ExpectMalformed ({ 0x80, 3, 0, 1, 0, 0, 0,    16,   0,    0,    0,    1,
                     0,    0, 0, 0, 0, 0, 0xde, 0xad, 0xbe, 0xef, 0x01, 0x02 },
                   "bad compressed header block");
}

TEST (SpdyFrame, HeaderBlockLimits)
{
  // A value that inflates past the 64 KiB limit.
  {
    Codec c;
    std::string big (70 * 1024, 'a');
    kl_spdy_header_t h = { (char *) "x", (char *) big.c_str (), 0 };
    kl_buf_t b = {};
    kl_spdy_write_syn_stream (&b, c.deflater, 1, 0, &h, 1);
    kl_spdy_frame_t f;
    size_t used = 0;
    kl_error_t err = nullptr;
    EXPECT_LT (Parse (c, b, &f, &used, &err), 0);
    EXPECT_NE (std::string::npos, std::string (kl_error_message (err)).find ("larger than"));
    kl_error_release (&err);
    kl_buf_free (&b);
  }
}

// A SYN_STREAM frame around `plain`, compressed as SPDY does.
std::vector<uint8_t>
SynStreamWithPlainBlock (const std::vector<uint8_t> &plain)
{
  z_stream z = {};
  deflateInit (&z, Z_DEFAULT_COMPRESSION);
  deflateSetDictionary (&z, kl_spdy_dictionary, (uInt) kl_spdy_dictionary_len);
  std::vector<uint8_t> packed (plain.size () + 1024);
  z.next_in = (Bytef *) plain.data ();
  z.avail_in = (uInt) plain.size ();
  z.next_out = packed.data ();
  z.avail_out = (uInt) packed.size ();
  deflate (&z, Z_SYNC_FLUSH);
  packed.resize (packed.size () - z.avail_out);
  deflateEnd (&z);
  uint32_t len = (uint32_t) (10 + packed.size ());
  std::vector<uint8_t> f = {
    0x80, 3, 0, 1, 0, (uint8_t) (len >> 16), (uint8_t) (len >> 8), (uint8_t) len, 0, 0, 0, 1, 0,
    0,    0, 0, 0, 0
  };
  f.insert (f.end (), packed.begin (), packed.end ());
  return f;
}

TEST (SpdyFrame, InconsistentHeaderBlocksAreRefused)
{
  // 1000 pairs claimed, one present.
  ExpectMalformed (SynStreamWithPlainBlock ({ 0, 0, 3, 0xe8, 0, 0, 0, 1, 'a', 0, 0, 0, 1, 'b' }),
                   "claims 1000 pairs");
  // A value length past the end.
  ExpectMalformed (SynStreamWithPlainBlock ({ 0, 0, 0, 1, 0, 0, 0, 1, 'a', 0, 0, 0, 9, 'b' }),
                   "truncated header block");
  // Bytes after the last pair.
  ExpectMalformed (
      SynStreamWithPlainBlock ({ 0, 0, 0, 1, 0, 0, 0, 1, 'a', 0, 0, 0, 1, 'b', 0, 0, 0, 0, 7 }),
      "stray bytes");
  // An empty name.
  ExpectMalformed (SynStreamWithPlainBlock ({ 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0 }),
                   "empty header name");
  // A name cut short by a NUL byte: it would re-encode as another name.
  ExpectMalformed (SynStreamWithPlainBlock ({ 0, 0, 0, 1, 0, 0, 0, 2, 0, 'a', 0, 0, 0, 1, 'b' }),
                   "header name with a NUL byte");
  // Well-formed, for contrast.
  {
    Codec c;
    auto f = SynStreamWithPlainBlock ({ 0, 0, 0, 1, 0, 0, 0, 1, 'a', 0, 0, 0, 1, 'b' });
    kl_spdy_frame_t frame;
    size_t used = 0;
    kl_error_t err = nullptr;
    ASSERT_EQ (1,
               kl_spdy_parse_frame (c.inflater, f.data (), f.size (), 1 << 20, &frame, &used, &err))
        << kl_error_message (err);
    EXPECT_STREQ ("b", kl_spdy_frame_header (&frame, "a"));
    kl_spdy_frame_clear (&frame);
  }
}

} // namespace

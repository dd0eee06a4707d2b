#include <gtest/gtest.h>

#include <string>
#include <vector>

extern "C" {
#include "pkg/kubelet/cri/streaming/websocket_frame.h"
#include "pkg/util/utils.h"
}

namespace {

const uint8_t kMask[4] = { 0x37, 0xfa, 0x21, 0x3d };

// Encodes then parses `len` bytes; checks the payload survives.
void
RoundTrip (size_t len, bool masked)
{
  std::string payload (len, '\0');
  for (size_t i = 0; i < len; i++)
    payload[i] = (char) ('a' + i % 26);
  kl_buf_t b = {};
  kl_ws_write_frame (&b, KL_WS_BINARY, true, payload.data (), len, masked ? kMask : nullptr);
  size_t header = (len < 126 ? 2 : len <= 0xffff ? 4 : 10) + (masked ? 4 : 0);
  EXPECT_EQ (header + len, b.len);
  kl_ws_frame_t f;
  size_t used = 0;
  kl_error_t err = nullptr;
  ASSERT_EQ (1, kl_ws_parse_frame (b.data, b.len, masked, 1 << 20, &f, &used, &err))
      << kl_error_message (err);
  EXPECT_EQ (b.len, used);
  EXPECT_TRUE (f.fin);
  EXPECT_EQ (KL_WS_BINARY, f.opcode);
  EXPECT_EQ (payload, std::string ((const char *) f.payload, f.len));
  // Every proper prefix is incomplete, not an error.
  for (size_t n = 0; n < b.len; n += (b.len > 1000 ? 997 : 1))
    EXPECT_EQ (0, kl_ws_parse_frame (b.data, n, masked, 1 << 20, &f, &used, &err)) << n;
  kl_buf_free (&b);
}

TEST (WebSocketFrame, RoundTripsAllLengthEncodings)
{
  for (size_t len : { 0, 1, 125, 126, 1000, 65535, 65536, 200000 })
    {
      RoundTrip (len, true);
      RoundTrip (len, false);
    }
}

TEST (WebSocketFrame, RfcMaskedHelloExample)
{
  // RFC 6455 5.7: a masked "Hello".
  std::vector<uint8_t> b = { 0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58 };
  kl_ws_frame_t f;
  size_t used = 0;
  kl_error_t err = nullptr;
  ASSERT_EQ (1, kl_ws_parse_frame (b.data (), b.size (), true, 1024, &f, &used, &err));
  EXPECT_EQ (KL_WS_TEXT, f.opcode);
  EXPECT_EQ ("Hello", std::string ((const char *) f.payload, f.len));
}

void
ExpectMalformed (std::vector<uint8_t> b, bool from_client, const char *want)
{
  kl_ws_frame_t f;
  size_t used = 0;
  kl_error_t err = nullptr;
  EXPECT_LT (kl_ws_parse_frame (b.data (), b.size (), from_client, 1024, &f, &used, &err), 0)
      << want;
  EXPECT_NE (std::string::npos, std::string (kl_error_message (err)).find (want))
      << kl_error_message (err);
  kl_error_release (&err);
}

TEST (WebSocketFrame, MalformedFramesAreRefused)
{
  ExpectMalformed ({ 0x82, 0x01, 'x' }, true, "unmasked client frame");
  ExpectMalformed ({ 0x82, 0x81, 1, 2, 3, 4, 'x' }, false, "masked server frame");
  ExpectMalformed ({ 0xc2, 0x80, 1, 2, 3, 4 }, true, "reserved bits");
  ExpectMalformed ({ 0x83, 0x80, 1, 2, 3, 4 }, true, "unknown opcode");
  ExpectMalformed ({ 0x09, 0x80, 1, 2, 3, 4 }, true, "fragmented or oversized control frame");
  ExpectMalformed ({ 0x89, 0xfe, 0, 126, 1, 2, 3, 4 }, true, "fragmented or oversized control");
  ExpectMalformed ({ 0x82, 0xfe, 0, 5, 1, 2, 3, 4 }, true, "non-minimal payload length");
  ExpectMalformed ({ 0x82, 0xff, 0, 0, 0, 0, 0, 0, 0, 5 }, true, "non-minimal payload length");
  ExpectMalformed ({ 0x82, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 0 }, true, "top bit");
  ExpectMalformed ({ 0x82, 0xfe, 0x10, 0x00 }, true, "exceeds the limit"); // 4096 > 1024
}

TEST (WebSocketFrame, CloseFrameCarriesCode)
{
  kl_buf_t b = {};
  kl_ws_write_close (&b, KL_WS_CLOSE_NORMAL, "bye", nullptr);
  kl_ws_frame_t f;
  size_t used = 0;
  kl_error_t err = nullptr;
  ASSERT_EQ (1, kl_ws_parse_frame (b.data, b.len, false, 125, &f, &used, &err));
  EXPECT_EQ (KL_WS_CLOSE, f.opcode);
  ASSERT_EQ (5u, f.len);
  EXPECT_EQ (1000, f.payload[0] << 8 | f.payload[1]);
  kl_buf_free (&b);
}

TEST (WebSocketFrame, AcceptKeyOfTheRfcExample)
{
  char *accept = kl_ws_accept_key ("dGhlIHNhbXBsZSBub25jZQ==");
  EXPECT_STREQ ("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", accept);
  free (accept);
}

} // namespace

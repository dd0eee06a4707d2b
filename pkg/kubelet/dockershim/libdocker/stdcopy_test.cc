#include <gtest/gtest.h>
#include <string.h>

#include <string>

extern "C" {
#include "pkg/kubelet/dockershim/libdocker/stdcopy.h"
}

namespace {

std::string
Frame (int stream, const std::string &payload)
{
  std::string f (8, '\0');
  f[0] = (char) stream;
  uint32_t n = (uint32_t) payload.size ();
  f[4] = (char) (n >> 24);
  f[5] = (char) (n >> 16);
  f[6] = (char) (n >> 8);
  f[7] = (char) n;
  return f + payload;
}

struct Sink
{
  std::string out, err;
  int calls = 0;
  int fail_after = -1; // fail on this call
};

int
sink_output (void *ctx, enum docker_stream stream, const char *data, size_t len, kl_error_t *err)
{
  Sink *s = static_cast<Sink *> (ctx);
  if (s->fail_after >= 0 && s->calls == s->fail_after)
    return kl_make_error_kind (err, KL_ERROR_GENERIC, 0, "sink full");
  s->calls++;
  (stream == DOCKER_STREAM_STDERR ? s->err : s->out).append (data, len);
  return 0;
}

class StdcopyTest : public ::testing::Test
{
protected:
  void
  SetUp () override
  {
    docker_stdcopy_init (&d_, 0, sink_output, &sink_);
  }
  void
  TearDown () override
  {
    docker_stdcopy_release (&d_);
    kl_error_release (&err_);
  }

  int
  Feed (const std::string &s)
  {
    return docker_stdcopy_feed (&d_, s.data (), s.size (), &err_);
  }

  docker_stdcopy_t d_;
  Sink sink_;
  kl_error_t err_ = nullptr;
};

TEST_F (StdcopyTest, FramesInOneChunk)
{
  ASSERT_EQ (Feed (Frame (1, "hi\n") + Frame (2, "there\n") + Frame (1, "again\n")), 0);
  ASSERT_EQ (docker_stdcopy_finish (&d_, &err_), 0);
  EXPECT_EQ (sink_.out, "hi\nagain\n");
  EXPECT_EQ (sink_.err, "there\n");
}

TEST_F (StdcopyTest, SplitAtEveryByteBoundary)
{
  const std::string stream = Frame (1, "stdout line\n") + Frame (2, "") + Frame (2, "err\n")
                             + Frame (0, "stdin as stdout") + Frame (1, std::string (70000, 'x'));
  for (size_t cut = 0; cut <= stream.size (); cut += cut < 64 ? 1 : 997)
    {
      Sink sink;
      docker_stdcopy_t d;
      docker_stdcopy_init (&d, 0, sink_output, &sink);
      kl_error_t err = nullptr;
      ASSERT_EQ (docker_stdcopy_feed (&d, stream.data (), cut, &err), 0) << cut;
      ASSERT_EQ (docker_stdcopy_feed (&d, stream.data () + cut, stream.size () - cut, &err), 0);
      ASSERT_EQ (docker_stdcopy_finish (&d, &err), 0) << kl_error_message (err);
      EXPECT_EQ (sink.out, "stdout line\nstdin as stdout" + std::string (70000, 'x')) << cut;
      EXPECT_EQ (sink.err, "err\n") << cut;
      docker_stdcopy_release (&d);
    }
}

TEST_F (StdcopyTest, OneByteAtATime)
{
  const std::string stream = Frame (2, "abc") + Frame (1, "defgh");
  for (char c : stream)
    ASSERT_EQ (docker_stdcopy_feed (&d_, &c, 1, &err_), 0);
  ASSERT_EQ (docker_stdcopy_finish (&d_, &err_), 0);
  EXPECT_EQ (sink_.out, "defgh");
  EXPECT_EQ (sink_.err, "abc");
}

TEST_F (StdcopyTest, UnknownStreamIsRejected)
{
  ASSERT_LT (Feed (Frame (7, "x")), 0);
  EXPECT_TRUE (kl_error_is (err_, KL_ERROR_INVALID));
  EXPECT_NE (strstr (kl_error_message (err_), "unknown stream 7"), nullptr)
      << kl_error_message (err_);
  kl_error_release (&err_);
  // The parser stays failed.
  EXPECT_LT (Feed (Frame (1, "x")), 0);
}

TEST_F (StdcopyTest, RawTtyOutputIsRejected)
{
  ASSERT_LT (Feed ("hello world\n"), 0);
  EXPECT_NE (strstr (kl_error_message (err_), "bad frame header"), nullptr)
      << kl_error_message (err_);
  EXPECT_EQ (sink_.out, "");
}

TEST_F (StdcopyTest, HugeFrameIsRejected)
{
  std::string header = Frame (1, "");
  header[4] = (char) 0xff; // 4 GiB - 1
  header[5] = header[6] = header[7] = (char) 0xff;
  ASSERT_LT (Feed (header), 0);
  EXPECT_NE (strstr (kl_error_message (err_), "exceeds the limit"), nullptr)
      << kl_error_message (err_);
}

TEST_F (StdcopyTest, CapIsConfigurable)
{
  docker_stdcopy_t d;
  Sink sink;
  docker_stdcopy_init (&d, 4, sink_output, &sink);
  kl_error_t err = nullptr;
  std::string ok = Frame (1, "1234");
  std::string big = Frame (1, "12345");
  EXPECT_EQ (docker_stdcopy_feed (&d, ok.data (), ok.size (), &err), 0);
  EXPECT_LT (docker_stdcopy_feed (&d, big.data (), big.size (), &err), 0);
  EXPECT_EQ (sink.out, "1234");
  kl_error_release (&err);
  docker_stdcopy_release (&d);
}

TEST_F (StdcopyTest, TruncatedStreamFailsAtFinish)
{
  std::string s = Frame (1, "hello");
  ASSERT_EQ (Feed (s.substr (0, s.size () - 2)), 0);
  EXPECT_EQ (sink_.out, "hel"); // delivered as it came
  ASSERT_LT (docker_stdcopy_finish (&d_, &err_), 0);
  EXPECT_NE (strstr (kl_error_message (err_), "2 bytes of a frame missing"), nullptr)
      << kl_error_message (err_);
}

TEST_F (StdcopyTest, TruncatedHeaderFailsAtFinish)
{
  ASSERT_EQ (Feed (std::string ("\x01\0\0", 3)), 0);
  ASSERT_LT (docker_stdcopy_finish (&d_, &err_), 0);
  EXPECT_NE (strstr (kl_error_message (err_), "3 of 8"), nullptr) << kl_error_message (err_);
}

TEST_F (StdcopyTest, SystemErrorFrameBecomesTheError)
{
  std::string s = Frame (1, "partial") + Frame (3, "OCI runtime exec failed: no such file\n");
  // Split inside the system error's payload.
  ASSERT_EQ (Feed (s.substr (0, 30)), 0);
  ASSERT_LT (Feed (s.substr (30)), 0);
  EXPECT_EQ (sink_.out, "partial");
  EXPECT_STREQ (kl_error_message (err_),
                "multiplexed stream: dockerd: \"OCI runtime exec failed: no such file\"");
}

TEST_F (StdcopyTest, SinkErrorStops)
{
  sink_.fail_after = 1;
  ASSERT_LT (Feed (Frame (1, "a") + Frame (1, "b")), 0);
  EXPECT_STREQ (kl_error_message (err_), "sink full");
  EXPECT_EQ (sink_.out, "a");
}

TEST_F (StdcopyTest, EmptyStreamIsFine)
{
  ASSERT_EQ (Feed (""), 0);
  ASSERT_EQ (docker_stdcopy_finish (&d_, &err_), 0);
}

} // namespace

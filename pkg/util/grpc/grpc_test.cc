#include <gtest/gtest.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <string>
#include <thread>
#include <vector>

extern "C" {
#include "pkg/util/grpc/grpc.h"
#include "pkg/util/grpc/testdata/echo.pb-c.h"
#include "pkg/util/utils.h"
}

namespace {

const int64_t kSecond = 1000000000LL;

struct EchoServer
{
  pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
  pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
  int blocked = 0;  // handlers waiting for release
  int released = 0; // set by the test
};

int
echo_handler (void *ctx, const ProtobufCMessage *request, ProtobufCMessage **response,
              kl_error_t *err)
{
  EchoServer *server = static_cast<EchoServer *> (ctx);
  auto *req = (const Kltest__EchoRequest *) request;
  if (req->block)
    {
      pthread_mutex_lock (&server->lock);
      server->blocked++;
      pthread_cond_broadcast (&server->cond);
      while (!server->released)
        pthread_cond_wait (&server->cond, &server->lock);
      pthread_mutex_unlock (&server->lock);
    }
  if (req->fail_kind)
    return kl_make_error_kind (err, (enum kl_error_kind) req->fail_kind, 0, "no such thing: %s",
                               req->text);
  auto *resp = (Kltest__EchoResponse *) xmalloc (sizeof (Kltest__EchoResponse));
  kltest__echo_response__init (resp);
  resp->text = xstrdup (req->text);
  resp->n_words = 2;
  resp->words = (char **) xmalloc (2 * sizeof (char *));
  resp->words[0] = xstrdup ("a");
  resp->words[1] = xstrdup ("b");
  *response = &resp->base;
  return 0;
}

const kl_grpc_method_t kMethods[] = {
  { "/kltest.Echo/Echo", &kltest__echo_request__descriptor, echo_handler },
};

class GrpcTest : public ::testing::Test
{
protected:
  void
  SetUp () override
  {
    char tmpl[] = "/tmp/grpc_test.XXXXXX";
    ASSERT_NE (mkdtemp (tmpl), nullptr);
    dir_ = tmpl;
    address_ = "unix://" + dir_ + "/echo.sock";
    kl_error_t err = NULL;
    ASSERT_EQ (kl_grpc_server_start (address_.c_str (), kMethods, 1, &state_, &server_, &err), 0)
        << kl_error_message (err);
    ASSERT_EQ (kl_grpc_client_new (address_.c_str (), &client_, &err), 0) << kl_error_message (err);
  }

  void
  TearDown () override
  {
    kl_grpc_client_free (client_);
    kl_grpc_server_stop (server_);
    rmdir (dir_.c_str ());
  }

  int
  Call (const char *method, const char *text, int fail_kind, bool block, int64_t timeout,
        Kltest__EchoResponse **out, kl_error_t *err)
  {
    Kltest__EchoRequest req = KLTEST__ECHO_REQUEST__INIT;
    req.text = (char *) text;
    req.fail_kind = fail_kind;
    req.block = block;
    ProtobufCMessage *resp = NULL;
    int ret = kl_grpc_unary_call (client_, method, &req.base, &kltest__echo_response__descriptor,
                                  timeout, &resp, err);
    *out = (Kltest__EchoResponse *) resp;
    return ret;
  }

  std::string dir_, address_;
  EchoServer state_;
  kl_grpc_server_t *server_ = nullptr;
  kl_grpc_client_t *client_ = nullptr;
};

TEST_F (GrpcTest, EchoRoundTrip)
{
  kl_error_t err = NULL;
  Kltest__EchoResponse *resp = NULL;
  ASSERT_EQ (Call ("/kltest.Echo/Echo", "hello", 0, false, 5 * kSecond, &resp, &err), 0)
      << kl_error_message (err);
  EXPECT_STREQ (resp->text, "hello");
  ASSERT_EQ (resp->n_words, 2u);
  EXPECT_STREQ (resp->words[1], "b");
  protobuf_c_message_free_unpacked (&resp->base, NULL);
}

TEST_F (GrpcTest, SocketIsGroupOnly)
{
  struct stat st;
  ASSERT_EQ (stat ((dir_ + "/echo.sock").c_str (), &st), 0);
  EXPECT_EQ (st.st_mode & 0777, 0660u);
}

TEST_F (GrpcTest, HandlerErrorKeepsKindAndMessage)
{
  kl_error_t err = NULL;
  Kltest__EchoResponse *resp = NULL;
  ASSERT_LT (
      Call ("/kltest.Echo/Echo", "pod-1", KL_ERROR_NOT_FOUND, false, 5 * kSecond, &resp, &err), 0);
  EXPECT_EQ (resp, nullptr);
  EXPECT_EQ (err->status, KL_GRPC_NOT_FOUND);
  EXPECT_TRUE (kl_error_is (err, KL_ERROR_NOT_FOUND));
  EXPECT_NE (strstr (kl_error_message (err), "code = NotFound desc = no such thing: pod-1"),
             nullptr)
      << kl_error_message (err);
  kl_error_release (&err);
}

TEST_F (GrpcTest, UnknownMethodIsUnimplemented)
{
  kl_error_t err = NULL;
  Kltest__EchoResponse *resp = NULL;
  ASSERT_LT (Call ("/kltest.Echo/Nope", "x", 0, false, 5 * kSecond, &resp, &err), 0);
  EXPECT_EQ (err->status, KL_GRPC_UNIMPLEMENTED);
  kl_error_release (&err);
}

TEST_F (GrpcTest, InvalidUtf8RequestIsInvalidArgument)
{
  kl_error_t err = NULL;
  Kltest__EchoResponse *resp = NULL;
  ASSERT_LT (Call ("/kltest.Echo/Echo",
                   "uid\xfc"
                   "1",
                   0, false, 5 * kSecond, &resp, &err),
             0);
  EXPECT_EQ (resp, nullptr);
  EXPECT_EQ (err->status, KL_GRPC_INVALID_ARGUMENT);
  EXPECT_NE (strstr (kl_error_message (err), "kltest.EchoRequest.text: string field contains "
                                             "invalid UTF-8"),
             nullptr)
      << kl_error_message (err);
  kl_error_release (&err);
}

TEST (GrpcUtf8Test, ChecksEveryStringAsGoDoes)
{
  struct
  {
    const char *text;
    bool valid;
  } cases[] = {
    { "", true },
    { "plain ASCII", true },
    { "\xc2\xb5s and \xce\xbcs", true },           // two-byte forms
    { "\xe2\x82\xac \xef\xbf\xbd", true },         // three-byte, U+FFFD
    { "\xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf", true }, // four-byte up to U+10FFFF
    { "\xfc", false },                             // not a lead byte
    { "\xc0\xaf", false },                         // overlong '/'
    { "\xe0\x80\xaf", false },                     // overlong, three bytes
    { "\xed\xa0\x80", false },                     // surrogate U+D800
    { "\xf4\x90\x80\x80", false },                 // past U+10FFFF
    { "\xe2\x82", false },                         // truncated
    { "ok\x80", false },                           // stray continuation byte
  };
  for (const auto &c : cases)
    {
      Kltest__EchoResponse resp = KLTEST__ECHO_RESPONSE__INIT;
      char *words[] = { (char *) "fine", (char *) c.text };
      resp.words = words;
      resp.n_words = 2;
      kl_error_t err = NULL;
      EXPECT_EQ (kl_grpc_check_utf8 (&resp.base, &err) == 0, c.valid) << c.text;
      if (!c.valid)
        {
          EXPECT_TRUE (kl_error_is (err, KL_ERROR_INVALID));
          EXPECT_STREQ (kl_error_message (err),
                        "kltest.EchoResponse.words: string field contains invalid UTF-8");
        }
      kl_error_release (&err);
    }
}

TEST_F (GrpcTest, DeadlineExceededWhileHandlerBlocks)
{
  kl_error_t err = NULL;
  Kltest__EchoResponse *resp = NULL;
  ASSERT_LT (Call ("/kltest.Echo/Echo", "slow", 0, true, kSecond / 5, &resp, &err), 0);
  EXPECT_EQ (err->status, KL_GRPC_DEADLINE_EXCEEDED);
  EXPECT_TRUE (kl_error_is (err, KL_ERROR_TIMEOUT));
  kl_error_release (&err);
  // The handler is still blocked; TearDown's stop must wait for it.
  pthread_mutex_lock (&state_.lock);
  EXPECT_EQ (state_.blocked, 1);
  state_.released = 1;
  pthread_cond_broadcast (&state_.cond);
  pthread_mutex_unlock (&state_.lock);
}

TEST_F (GrpcTest, ConcurrentCallsOnOneClient)
{
  std::vector<std::thread> threads;
  std::vector<int> failures (8, 0);
  for (int t = 0; t < 8; t++)
    threads.emplace_back ([this, t, &failures] {
      for (int i = 0; i < 25; i++)
        {
          std::string text = "t" + std::to_string (t) + "-" + std::to_string (i);
          kl_error_t err = NULL;
          Kltest__EchoResponse *resp = NULL;
          if (Call ("/kltest.Echo/Echo", text.c_str (), 0, false, 10 * kSecond, &resp, &err) < 0
              || strcmp (resp->text, text.c_str ()) != 0)
            failures[t]++;
          kl_error_release (&err);
          if (resp)
            protobuf_c_message_free_unpacked (&resp->base, NULL);
        }
    });
  for (auto &th : threads)
    th.join ();
  for (int t = 0; t < 8; t++)
    EXPECT_EQ (failures[t], 0) << "thread " << t;
}

TEST (GrpcClientTest, NoServerIsUnavailable)
{
  kl_error_t err = NULL;
  kl_grpc_client_t *client = NULL;
  ASSERT_EQ (kl_grpc_client_new ("unix:///tmp/grpc_test-no-such.sock", &client, &err), 0);
  Kltest__EchoRequest req = KLTEST__ECHO_REQUEST__INIT;
  ProtobufCMessage *resp = NULL;
  ASSERT_LT (kl_grpc_unary_call (client, "/kltest.Echo/Echo", &req.base,
                                 &kltest__echo_response__descriptor, 5 * kSecond, &resp, &err),
             0);
  EXPECT_EQ (err->status, KL_GRPC_UNAVAILABLE) << kl_error_message (err);
  EXPECT_TRUE (kl_error_is (err, KL_ERROR_UNAVAILABLE));
  kl_error_release (&err);
  kl_grpc_client_free (client);
}

TEST (GrpcClientTest, RejectsNonUnixTargets)
{
  kl_error_t err = NULL;
  kl_grpc_client_t *client = NULL;
  EXPECT_LT (kl_grpc_client_new ("tcp://127.0.0.1:1", &client, &err), 0);
  EXPECT_TRUE (kl_error_is (err, KL_ERROR_INVALID));
  EXPECT_NE (strstr (kl_error_message (err), "tcp://127.0.0.1:1"), nullptr);
  kl_error_release (&err);
}

TEST (GrpcServerTest, RefusesToReplaceARegularFile)
{
  char path[] = "/tmp/grpc_test_file.XXXXXX";
  int fd = mkstemp (path);
  ASSERT_GE (fd, 0);
  close (fd);
  std::string address = std::string ("unix://") + path;
  kl_error_t err = NULL;
  kl_grpc_server_t *server = NULL;
  EXPECT_LT (kl_grpc_server_start (address.c_str (), kMethods, 1, NULL, &server, &err), 0);
  EXPECT_TRUE (kl_error_is (err, KL_ERROR_ALREADY_EXISTS));
  kl_error_release (&err);
  struct stat st;
  EXPECT_EQ (stat (path, &st), 0);
  unlink (path);
}

} // namespace

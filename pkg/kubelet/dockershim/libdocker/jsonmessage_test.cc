#include <gtest/gtest.h>
#include <string.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

extern "C" {
#include "pkg/kubelet/dockershim/libdocker/jsonmessage.h"
}

namespace {

std::string
Fixture (const std::string &name)
{
  std::ifstream in ("pkg/kubelet/dockershim/libdocker/testdata/" + name);
  EXPECT_TRUE (in.good ()) << name;
  std::stringstream ss;
  ss << in.rdbuf ();
  return ss.str ();
}

struct Progress
{
  std::vector<std::string> statuses;
  int64_t last_current = 0, last_total = 0;
};

void
on_progress (void *ctx, const docker_progress_t *p)
{
  auto *progress = static_cast<Progress *> (ctx);
  progress->statuses.push_back (p->status);
  if (p->total)
    {
      progress->last_current = p->current;
      progress->last_total = p->total;
    }
}

// Feeds `stream` cut at `cut`; returns the result of the failing step or of finish.
int
Parse (const std::string &stream, size_t cut, Progress *progress, std::string *digest,
       kl_error_t *err)
{
  docker_jsonmessage_t p;
  docker_jsonmessage_init (&p, 0, progress ? on_progress : nullptr, progress);
  int ret = docker_jsonmessage_feed (&p, stream.data (), cut, err);
  if (ret == 0)
    ret = docker_jsonmessage_feed (&p, stream.data () + cut, stream.size () - cut, err);
  if (ret == 0)
    ret = docker_jsonmessage_finish (&p, err);
  if (digest && docker_jsonmessage_digest (&p))
    *digest = docker_jsonmessage_digest (&p);
  docker_jsonmessage_release (&p);
  return ret;
}

TEST (JsonMessageTest, RealPullStreamSplitAnywhere)
{
  const std::string stream = Fixture ("pull_progress.txt");
  for (size_t cut = 0; cut <= stream.size (); cut++)
    {
      Progress progress;
      std::string digest;
      kl_error_t err = nullptr;
      ASSERT_EQ (Parse (stream, cut, &progress, &digest, &err), 0) << cut << kl_error_message (err);
      ASSERT_GE (progress.statuses.size (), 5u);
      EXPECT_EQ (progress.statuses.front (), "Pulling from pause");
      EXPECT_EQ (progress.statuses.back (),
                 "Status: Downloaded newer image for 127.0.0.1:5000/pause:3.9");
      EXPECT_EQ (digest, "sha256:8654d36cbc5f18ffdd170826e1d648f8e1671e6d63af88d467fdc1544e209768");
      EXPECT_EQ (progress.last_total, 329414);
    }
}

TEST (JsonMessageTest, ErrorInsideA200Stream)
{
  const std::string stream = Fixture ("pull_error.txt");
  for (size_t cut = 0; cut <= stream.size (); cut += 7)
    {
      Progress progress;
      kl_error_t err = nullptr;
      ASSERT_LT (Parse (stream, cut, &progress, nullptr, &err), 0) << cut;
      EXPECT_STREQ (kl_error_message (err), "unexpected EOF");
      EXPECT_EQ (progress.statuses.size (), 5u); // what came before the error
      kl_error_release (&err);
    }
}

TEST (JsonMessageTest, ErrorForms)
{
  struct
  {
    const char *line;
    const char *want;
    int status;
  } cases[] = {
    { "{\"errorDetail\":{\"message\":\"manifest unknown\"},\"error\":\"manifest unknown\"}",
      "manifest unknown", 0 },
    { "{\"error\":\"old daemons send only this\"}", "old daemons send only this", 0 },
    { "{\"errorDetail\":{\"code\":401,\"message\":\"denied\"}}",
      "authentication is required: denied", 401 },
    { "{\"errorDetail\":{\"code\":500}}", "unknown error", 500 },
  };
  for (auto &c : cases)
    {
      std::string stream = std::string ("{\"status\":\"Pulling\"}\r\n") + c.line + "\r\n";
      kl_error_t err = nullptr;
      ASSERT_LT (Parse (stream, 0, nullptr, nullptr, &err), 0) << c.line;
      EXPECT_STREQ (kl_error_message (err), c.want);
      EXPECT_EQ (err->status, c.status);
      kl_error_release (&err);
    }
  // Empty or null error fields are not errors.
  std::string fine = "{\"status\":\"x\",\"error\":\"\",\"errorDetail\":null}\n";
  kl_error_t err = nullptr;
  EXPECT_EQ (Parse (fine, 3, nullptr, nullptr, &err), 0) << kl_error_message (err);
}

TEST (JsonMessageTest, MalformedStreams)
{
  kl_error_t err = nullptr;
  ASSERT_LT (Parse ("{\"status\":\"ok\"}\nnot json\n", 0, nullptr, nullptr, &err), 0);
  EXPECT_STREQ (kl_error_message (err),
                "progress stream: message 2 is not a JSON object: \"not json\"");
  kl_error_release (&err);
  ASSERT_LT (Parse ("[1,2]\n", 0, nullptr, nullptr, &err), 0);
  EXPECT_TRUE (kl_error_is (err, KL_ERROR_INVALID));
  kl_error_release (&err);
  ASSERT_LT (Parse ("", 0, nullptr, nullptr, &err), 0);
  EXPECT_STREQ (kl_error_message (err), "progress stream: no message");
  kl_error_release (&err);
  ASSERT_LT (Parse ("\r\n\r\n", 0, nullptr, nullptr, &err), 0);
  kl_error_release (&err);
  // A last message without a newline still counts.
  EXPECT_EQ (Parse ("{\"status\":\"a\"}\n{\"status\":\"b\"}", 5, nullptr, nullptr, &err), 0);
}

TEST (JsonMessageTest, LineCap)
{
  docker_jsonmessage_t p;
  docker_jsonmessage_init (&p, 64, nullptr, nullptr);
  kl_error_t err = nullptr;
  std::string line (40, ' ');
  ASSERT_EQ (docker_jsonmessage_feed (&p, line.data (), line.size (), &err), 0);
  ASSERT_LT (docker_jsonmessage_feed (&p, line.data (), line.size (), &err), 0);
  EXPECT_STREQ (kl_error_message (err), "progress stream: message longer than 64 bytes");
  kl_error_release (&err);
  docker_jsonmessage_release (&p);
}

} // namespace

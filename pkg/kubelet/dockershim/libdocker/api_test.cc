// Containers, images and exec calls against a fake dockerd: what goes on the
// wire and what comes back, hijacked exec streams included.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>
#include <thread>

extern "C" {
#include "pkg/kubelet/dockershim/libdocker/containers.h"
#include "pkg/kubelet/dockershim/libdocker/exec.h"
#include "pkg/kubelet/dockershim/libdocker/images.h"
#include "pkg/kubelet/dockershim/libdocker/system.h"
}
#include "pkg/kubelet/dockershim/libdocker/testing/fake_docker.h"

namespace {

using fakedocker::Frame;
using fakedocker::Request;
using fakedocker::Response;

const int64_t kSecond = 1000000000LL;

double
Now ()
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

std::string
Fixture (const std::string &name)
{
  std::ifstream in ("pkg/kubelet/dockershim/libdocker/testdata/" + name);
  EXPECT_TRUE (in.good ()) << name;
  std::stringstream ss;
  ss << in.rdbuf ();
  return ss.str ();
}

Response
Json (int status, const std::string &body)
{
  Response r;
  r.status = status;
  r.body = body;
  return r;
}

class ApiTest : public ::testing::Test
{
protected:
  void
  Serve (fakedocker::Handler handler)
  {
    server_.reset (new fakedocker::Server ([handler] (const Request &r) {
      if (r.path == "/version")
        return fakedocker::VersionResponse ("1.41");
      return handler (r);
    }));
    std::string error;
    ASSERT_TRUE (server_->Start (&error)) << error;
    ASSERT_EQ (docker_client_new (server_->endpoint ().c_str (), 5 * kSecond, &client_, &err_), 0)
        << kl_error_message (err_);
  }

  Request
  Last ()
  {
    auto requests = server_->requests ();
    return requests.empty () ? Request () : requests.back ();
  }

  void
  TearDown () override
  {
    docker_client_free (client_);
    kl_error_release (&err_);
    if (server_)
      server_->Stop ();
  }

  std::unique_ptr<fakedocker::Server> server_;
  docker_client_t *client_ = nullptr;
  kl_error_t err_ = nullptr;
};

TEST_F (ApiTest, CreateSendsTheCallersBody)
{
  Serve ([] (const Request &) { return Json (201, Fixture ("container_create.json")); });
  json_t *config
      = json_pack ("{s:s, s:[s,s], s:{s:s}, s:{s:s}}", "Image", "busybox:1.36", "Cmd", "sleep",
                   "300", "Labels", "k8s-test", "1", "HostConfig", "NetworkMode", "none");
  cleanup_docker (docker_container_create_result) docker_container_create_result_t *r = nullptr;
  ASSERT_EQ (docker_container_create (client_, "k8s_web_pod", config, &r, &err_), 0)
      << kl_error_message (err_);
  EXPECT_STREQ (r->id, "620c0a68b99807565d77b5f1ef844bc7a3a5df966b3167a53905d406387b1e6d");
  Request req = Last ();
  EXPECT_EQ (req.method, "POST");
  EXPECT_EQ (req.path, "/v1.41/containers/create");
  EXPECT_EQ (req.query.at ("name"), "k8s_web_pod");
  EXPECT_EQ (req.headers.at ("content-type"), "application/json");
  json_t *sent = json_loads (req.body.c_str (), 0, nullptr);
  EXPECT_TRUE (json_equal (sent, config)) << req.body;
  json_decref (sent);
  json_decref (config);

  ASSERT_LT (docker_container_create (client_, "x", nullptr, &r, &err_), 0);
  EXPECT_TRUE (kl_error_is (err_, KL_ERROR_INVALID));
}

TEST_F (ApiTest, ListEncodesFilters)
{
  Serve ([] (const Request &) { return Json (200, Fixture ("container_list.json")); });
  const char *labels[] = { "k8s-test=1", "io.kubernetes.pod.uid=a b&c", nullptr };
  const char *statuses[] = { "running", "exited", nullptr };
  docker_container_list_options_t opts = {};
  opts.all = true;
  opts.labels = labels;
  opts.statuses = statuses;
  cleanup_docker (docker_container_list) docker_container_list_t *list = nullptr;
  ASSERT_EQ (docker_container_list (client_, &opts, &list, &err_), 0) << kl_error_message (err_);
  ASSERT_EQ (list->len, 1u);
  Request req = Last ();
  EXPECT_EQ (req.path, "/v1.41/containers/json");
  EXPECT_EQ (req.query.at ("all"), "1");
  EXPECT_EQ (req.query.at ("filters"), "{\"label\":[\"k8s-test=1\",\"io.kubernetes.pod.uid=a "
                                       "b&c\"],\"status\":[\"running\",\"exited\"]}");

  cleanup_docker (docker_container_list) docker_container_list_t *running = nullptr;
  ASSERT_EQ (docker_container_list (client_, nullptr, &running, &err_), 0);
  EXPECT_TRUE (Last ().query.empty ());
}

TEST_F (ApiTest, LifecycleCallsOnTheWire)
{
  Serve ([] (const Request &r) {
    if (r.path.find ("/wait") != std::string::npos)
      return Json (200, "{\"Error\":null,\"StatusCode\":137}");
    if (r.path.find ("/stats") != std::string::npos)
      return Json (200, Fixture ("container_stats.json"));
    if (r.method == "DELETE")
      return Json (204, "");
    if (r.path.find ("/update") != std::string::npos)
      return Json (200, "{\"Warnings\":[]}");
    if (r.path.find ("/kill") != std::string::npos)
      return Json (409, "{\"message\":\"Container abc is not running\"}");
    return Json (204, "");
  });
  ASSERT_EQ (docker_container_start (client_, "abc", &err_), 0);
  EXPECT_EQ (Last ().path, "/v1.41/containers/abc/start");

  ASSERT_LT (docker_container_kill (client_, "abc", "SIGTERM", &err_), 0);
  EXPECT_EQ (Last ().query.at ("signal"), "SIGTERM");
  EXPECT_TRUE (kl_error_is (err_, KL_ERROR_ALREADY_EXISTS));
  EXPECT_EQ (err_->status, 409);
  EXPECT_STREQ (kl_error_message (err_),
                "docker: POST /containers/abc/kill: 409: Container abc is not running");
  kl_error_release (&err_);

  int64_t code = 0;
  ASSERT_EQ (docker_container_wait (client_, "abc", nullptr, 0, &code, &err_), 0);
  EXPECT_EQ (code, 137);
  EXPECT_EQ (Last ().query.at ("condition"), "not-running");

  cleanup_docker (docker_container_stats) docker_container_stats_t *stats = nullptr;
  ASSERT_EQ (docker_container_stats (client_, "abc", &stats, &err_), 0);
  EXPECT_EQ (stats->cpu_total_usage, 49610221u);
  EXPECT_EQ (Last ().query.at ("stream"), "false");

  json_t *resources
      = json_pack ("{s:I,s:I}", "Memory", (json_int_t) 134217728, "CpuShares", (json_int_t) 256);
  ASSERT_EQ (docker_container_update (client_, "abc", resources, &err_), 0)
      << kl_error_message (err_);
  Request update = Last ();
  EXPECT_EQ (update.path, "/v1.41/containers/abc/update");
  json_t *sent = json_loads (update.body.c_str (), 0, nullptr);
  EXPECT_TRUE (json_equal (sent, resources)) << update.body;
  json_decref (sent);
  json_decref (resources);

  ASSERT_EQ (docker_container_remove (client_, "abc", true, true, &err_), 0);
  Request rm = Last ();
  EXPECT_EQ (rm.method, "DELETE");
  EXPECT_EQ (rm.path, "/v1.41/containers/abc");
  EXPECT_EQ (rm.query.at ("force"), "1");
  EXPECT_EQ (rm.query.at ("v"), "1");
}

TEST_F (ApiTest, InfoAndImages)
{
  Serve ([] (const Request &r) {
    if (r.path == "/v1.41/info")
      return Json (200, Fixture ("info.json"));
    if (r.path == "/v1.41/images/json")
      return Json (200, Fixture ("image_list.json"));
    if (r.path == "/v1.41/images/127.0.0.1:5000/busybox:1.36/json")
      return Json (200, Fixture ("image_inspect.json"));
    if (r.method == "DELETE")
      return Json (200, "[{\"Untagged\":\"busybox:1.36\"}]");
    return Json (404, "{\"message\":\"No such image: " + r.path + "\"}");
  });
  cleanup_docker (docker_info) docker_info_t *info = nullptr;
  ASSERT_EQ (docker_info (client_, &info, &err_), 0) << kl_error_message (err_);
  EXPECT_STREQ (info->cgroup_driver, "cgroupfs");

  cleanup_docker (docker_image_list) docker_image_list_t *list = nullptr;
  ASSERT_EQ (docker_image_list (client_, "busybox", &list, &err_), 0) << kl_error_message (err_);
  EXPECT_EQ (list->len, 2u);
  EXPECT_EQ (Last ().query.at ("filters"), "{\"reference\":[\"busybox\"]}");

  cleanup_docker (docker_image_inspect) docker_image_inspect_t *image = nullptr;
  ASSERT_EQ (docker_image_inspect (client_, "127.0.0.1:5000/busybox:1.36", &image, &err_), 0)
      << kl_error_message (err_);
  EXPECT_EQ (image->size, 1982903);
  docker_image_inspect_t *missing = nullptr;
  ASSERT_LT (docker_image_inspect (client_, "nope:1", &missing, &err_), 0);
  EXPECT_TRUE (kl_error_is (err_, KL_ERROR_NOT_FOUND));
  kl_error_release (&err_);
  int before = (int) server_->requests ().size ();
  for (const char *bad : { "../../containers/x", "busybox/..", "a//b", "/busybox", "a/./b", "" })
    {
      ASSERT_LT (docker_image_inspect (client_, bad, &missing, &err_), 0) << bad;
      EXPECT_TRUE (kl_error_is (err_, KL_ERROR_INVALID)) << bad;
      kl_error_release (&err_);
    }
  EXPECT_EQ ((int) server_->requests ().size (), before); // refused before any request

  ASSERT_EQ (docker_image_remove (client_, "busybox:1.36", true, &err_), 0);
  EXPECT_EQ (Last ().query.at ("force"), "1");
  EXPECT_EQ (Last ().query.at ("noprune"), "0");
}

struct PullProgress
{
  int messages = 0;
};

void
count_progress (void *ctx, const docker_progress_t *)
{
  static_cast<PullProgress *> (ctx)->messages++;
}

TEST_F (ApiTest, PullReadsTheProgressStream)
{
  Serve ([] (const Request &) { return Json (200, Fixture ("pull_progress.txt")); });
  docker_auth_config_t auth = {};
  auth.username = "user";
  auth.password = "secret";
  PullProgress progress;
  docker_pull_options_t opts = {};
  opts.auth = &auth;
  opts.on_progress = count_progress;
  opts.ctx = &progress;
  char *digest = nullptr;
  ASSERT_EQ (docker_image_pull (client_, "127.0.0.1:5000/pause:3.9", &opts, &digest, &err_), 0)
      << kl_error_message (err_);
  EXPECT_STREQ (digest, "sha256:8654d36cbc5f18ffdd170826e1d648f8e1671e6d63af88d467fdc1544e209768");
  free (digest);
  EXPECT_GT (progress.messages, 5);
  Request req = Last ();
  EXPECT_EQ (req.path, "/v1.41/images/create");
  EXPECT_EQ (req.query.at ("fromImage"), "127.0.0.1:5000/pause");
  EXPECT_EQ (req.query.at ("tag"), "3.9");
  char *want = nullptr;
  ASSERT_EQ (docker_auth_encode (&auth, &want, &err_), 0);
  EXPECT_EQ (req.headers.at ("x-registry-auth"), want);
  free (want);

  // Anonymous pulls send no credentials.
  ASSERT_EQ (docker_image_pull (client_, "busybox", nullptr, nullptr, &err_), 0);
  EXPECT_EQ (Last ().headers.count ("x-registry-auth"), 0u);
  EXPECT_EQ (Last ().query.at ("tag"), "latest");
}

TEST_F (ApiTest, PullErrorInsideA200Stream)
{
  Serve ([] (const Request &) { return Json (200, Fixture ("pull_error.txt")); });
  ASSERT_LT (docker_image_pull (client_, "127.0.0.1:5000/pause:3.9", nullptr, nullptr, &err_), 0);
  EXPECT_STREQ (kl_error_message (err_), "docker: POST /images/create: unexpected EOF");
}

TEST_F (ApiTest, PullOfAMissingImage)
{
  Serve ([] (const Request &) {
    return Json (404, "{\"message\":\"manifest for 127.0.0.1:5000/nope:1 not found: manifest "
                      "unknown: manifest unknown\"}");
  });
  ASSERT_LT (docker_image_pull (client_, "127.0.0.1:5000/nope:1", nullptr, nullptr, &err_), 0);
  EXPECT_TRUE (kl_error_is (err_, KL_ERROR_NOT_FOUND));
  EXPECT_STREQ (kl_error_message (err_),
                "docker: POST /images/create: 404: manifest for 127.0.0.1:5000/nope:1 not found: "
                "manifest unknown: manifest unknown");
}

TEST_F (ApiTest, PullWithoutProgressTimesOut)
{
  Serve ([] (const Request &) {
    Response r = Json (200, Fixture ("pull_progress.txt"));
    r.delay_ms = 2500;
    return r;
  });
  docker_pull_options_t opts = {};
  opts.progress_timeout_ns = kSecond / 2;
  double start = Now ();
  ASSERT_LT (docker_image_pull (client_, "busybox", &opts, nullptr, &err_), 0);
  EXPECT_TRUE (kl_error_is (err_, KL_ERROR_TIMEOUT)) << kl_error_message (err_);
  EXPECT_STREQ (kl_error_message (err_), "docker: POST /images/create: no progress for 0.5s");
  EXPECT_LT (Now () - start, 2.0);
}

TEST_F (ApiTest, ExecCreateAndInspect)
{
  Serve ([] (const Request &r) {
    if (r.path.find ("/exec/") != std::string::npos)
      return Json (200, Fixture ("exec_inspect.json"));
    return Json (201, Fixture ("exec_create.json"));
  });
  const char *cmd[] = { "sh", "-c", "exit 3", nullptr };
  const char *env[] = { "A=1", nullptr };
  docker_exec_config_t config = {};
  config.cmd = cmd;
  config.env = env;
  config.user = "nobody";
  config.attach_stdout = config.attach_stderr = true;
  char *id = nullptr;
  ASSERT_EQ (docker_exec_create (client_, "abc", &config, &id, &err_), 0)
      << kl_error_message (err_);
  EXPECT_STREQ (id, "6eb8c7ce83bf5215148e5cea37ee04bf68a5fa02bd0b14db62778c24da18430d");
  Request req = Last ();
  EXPECT_EQ (req.path, "/v1.41/containers/abc/exec");
  json_t *body = json_loads (req.body.c_str (), 0, nullptr);
  json_t *want = json_pack ("{s:b,s:b,s:b,s:b,s:b,s:[s,s,s],s:[s],s:s,s:s}", "AttachStdin", 0,
                            "AttachStdout", 1, "AttachStderr", 1, "Tty", 0, "Privileged", 0, "Cmd",
                            "sh", "-c", "exit 3", "Env", "A=1", "User", "nobody", "WorkingDir", "");
  EXPECT_TRUE (json_equal (body, want)) << req.body;
  json_decref (body);
  json_decref (want);

  cleanup_docker (docker_exec_inspect) docker_exec_inspect_t *e = nullptr;
  ASSERT_EQ (docker_exec_inspect (client_, id, &e, &err_), 0);
  EXPECT_EQ (e->exit_code, 3);
  EXPECT_FALSE (e->running);
  free (id);

  const char *empty[] = { nullptr };
  config.cmd = empty;
  ASSERT_LT (docker_exec_create (client_, "abc", &config, &id, &err_), 0);
  EXPECT_TRUE (kl_error_is (err_, KL_ERROR_INVALID));
}

TEST_F (ApiTest, ExecStartDemultiplexes)
{
  Serve ([] (const Request &) {
    Response r;
    r.upgrade = true;
    r.stream = Frame (1, "hi\n") + Frame (2, "there\n") + Frame (1, std::string (100000, 'x'));
    return r;
  });
  docker_exec_output_t out;
  ASSERT_EQ (docker_exec_start_collect (client_, "e1", false, 5 * kSecond, 0, &out, &err_), 0)
      << kl_error_message (err_);
  EXPECT_EQ (std::string (out.stdout_data, out.stdout_len), "hi\n" + std::string (100000, 'x'));
  EXPECT_STREQ (out.stderr_data, "there\n");
  EXPECT_FALSE (out.truncated);
  docker_exec_output_release (&out);
  Request req = Last ();
  EXPECT_EQ (req.path, "/v1.41/exec/e1/start");
  EXPECT_EQ (req.body, "{\"Detach\":false,\"Tty\":false}");
  EXPECT_EQ (req.headers.at ("upgrade"), "tcp");

  // Output beyond the cap is dropped and flagged.
  ASSERT_EQ (docker_exec_start_collect (client_, "e1", false, 0, 10, &out, &err_), 0);
  EXPECT_STREQ (out.stdout_data, "hi\nxxxxxxx");
  EXPECT_STREQ (out.stderr_data, "there\n");
  EXPECT_TRUE (out.truncated);
  docker_exec_output_release (&out);
}

TEST_F (ApiTest, ExecStartTtyIsRaw)
{
  Serve ([] (const Request &) {
    Response r;
    r.upgrade = true;
    r.stream = "raw\r\noutput";
    return r;
  });
  docker_exec_output_t out;
  ASSERT_EQ (docker_exec_start_collect (client_, "e1", true, 0, 0, &out, &err_), 0)
      << kl_error_message (err_);
  EXPECT_STREQ (out.stdout_data, "raw\r\noutput");
  EXPECT_EQ (Last ().body, "{\"Detach\":false,\"Tty\":true}");
  docker_exec_output_release (&out);
}

TEST_F (ApiTest, ExecDeadlineKeepsWhatCame)
{
  Serve ([] (const Request &) {
    Response r;
    r.upgrade = true;
    r.stream = Frame (1, "partial\n") + Frame (2, "err");
    r.hold_ms = 5000;
    return r;
  });
  docker_exec_output_t out;
  double start = Now ();
  ASSERT_LT (docker_exec_start_collect (client_, "e1", false, kSecond / 4, 0, &out, &err_), 0);
  double took = Now () - start;
  EXPECT_TRUE (kl_error_is (err_, KL_ERROR_TIMEOUT));
  EXPECT_STREQ (kl_error_message (err_), "docker: POST /exec/e1/start: timed out after 0.25s");
  EXPECT_STREQ (out.stdout_data, "partial\n");
  EXPECT_STREQ (out.stderr_data, "err");
  EXPECT_GE (took, 0.24);
  EXPECT_LT (took, 1.5);
  docker_exec_output_release (&out);
}

TEST_F (ApiTest, ExecStartErrors)
{
  Serve ([] (const Request &r) {
    if (r.path.find ("/missing/") != std::string::npos)
      return Json (404, "{\"message\":\"No such exec instance: missing\"}");
    if (r.path.find ("/conflict/") != std::string::npos)
      return Json (409, "{\"message\":\"Container abc is not running\"}");
    Response bad;
    bad.upgrade = true;
    bad.stream = Frame (1, "ok") + "garbage!";
    return bad;
  });
  docker_exec_output_t out;
  ASSERT_LT (docker_exec_start_collect (client_, "missing", false, 0, 0, &out, &err_), 0);
  EXPECT_TRUE (kl_error_is (err_, KL_ERROR_NOT_FOUND));
  EXPECT_STREQ (kl_error_message (err_),
                "docker: POST /exec/missing/start: 404: No such exec instance: missing");
  docker_exec_output_release (&out);
  kl_error_release (&err_);

  ASSERT_LT (docker_exec_start_collect (client_, "conflict", false, 0, 0, &out, &err_), 0);
  EXPECT_TRUE (kl_error_is (err_, KL_ERROR_ALREADY_EXISTS));
  docker_exec_output_release (&out);
  kl_error_release (&err_);

  ASSERT_LT (docker_exec_start_collect (client_, "bad", false, 0, 0, &out, &err_), 0);
  EXPECT_TRUE (kl_error_is (err_, KL_ERROR_INVALID));
  EXPECT_NE (strstr (kl_error_message (err_), "bad frame header"), nullptr)
      << kl_error_message (err_);
  EXPECT_STREQ (out.stdout_data, "ok");
  docker_exec_output_release (&out);
}

TEST_F (ApiTest, ExecStreamsStdinAndWritesFds)
{
  Serve ([] (const Request &) {
    Response r;
    r.upgrade = true;
    r.stream = Frame (2, "ready\n");
    r.echo_stdin = true;
    return r;
  });
  int in[2], out[2], errp[2];
  ASSERT_EQ (pipe (in), 0);
  ASSERT_EQ (pipe (out), 0);
  ASSERT_EQ (pipe (errp), 0);
  const std::string input = "line one\nline two\n";
  // The input follows the process's "ready" on stderr, as a user's would:
  // the fake reads it only once its stream has started.
  std::string stderr_seen;
  std::thread user ([&] {
    char c;
    while (stderr_seen.find ('\n') == std::string::npos && read (errp[0], &c, 1) == 1)
      stderr_seen += c;
    EXPECT_EQ (write (in[1], input.data (), input.size ()), (ssize_t) input.size ());
    close (in[1]);
  });
  docker_stream_io_t io = DOCKER_STREAM_IO_INIT;
  io.stdin_fd = in[0];
  io.stdout_fd = out[1];
  io.stderr_fd = errp[1];
  io.timeout_ns = 5 * kSecond;
  int ret = docker_exec_start (client_, "e1", &io, &err_);
  user.join ();
  close (in[0]);
  close (out[1]);
  close (errp[1]);
  close (errp[0]);
  ASSERT_EQ (ret, 0) << kl_error_message (err_);
  std::string echoed;
  char buf[256];
  ssize_t n;
  while ((n = read (out[0], buf, sizeof buf)) > 0)
    echoed.append (buf, (size_t) n);
  close (out[0]);
  EXPECT_EQ (stderr_seen, "ready\n");
  EXPECT_EQ (echoed, input);
}

TEST_F (ApiTest, ExecEndsWhenTheOutputReaderIsGone)
{
  // A quiet process on a stream dockerd holds open: only the output fds
  // going away can end it.
  Serve ([] (const Request &) {
    Response r;
    r.upgrade = true;
    r.hold_ms = 5000;
    return r;
  });
  int out[2];
  ASSERT_EQ (pipe (out), 0);
  close (out[0]);
  docker_stream_io_t io = DOCKER_STREAM_IO_INIT;
  io.stdout_fd = out[1];
  double start = Now ();
  ASSERT_LT (docker_exec_start (client_, "e1", &io, &err_), 0);
  EXPECT_LT (Now () - start, 2.0);
  EXPECT_TRUE (kl_error_is (err_, KL_ERROR_UNAVAILABLE));
  EXPECT_STREQ (kl_error_message (err_),
                "docker: POST /exec/e1/start: the output's reader went away");
  close (out[1]);
  kl_error_release (&err_);

  // A socket's peer closing; the other output stays open meanwhile, so the
  // stream goes on until that one goes too.
  int sock[2], errp[2];
  ASSERT_EQ (socketpair (AF_UNIX, SOCK_STREAM, 0, sock), 0);
  ASSERT_EQ (pipe (errp), 0);
  io.stdout_fd = sock[0];
  io.stderr_fd = errp[1];
  std::thread closer ([&] {
    usleep (200 * 1000);
    close (sock[1]);
    usleep (300 * 1000);
    close (errp[0]);
  });
  start = Now ();
  ASSERT_LT (docker_exec_start (client_, "e1", &io, &err_), 0);
  double took = Now () - start;
  closer.join ();
  EXPECT_GE (took, 0.45);
  EXPECT_LT (took, 2.0);
  EXPECT_TRUE (kl_error_is (err_, KL_ERROR_UNAVAILABLE)) << kl_error_message (err_);
  close (sock[0]);
  close (errp[1]);
}

TEST_F (ApiTest, ContainerAttachAndResize)
{
  Serve ([] (const Request &r) {
    if (r.path.find ("/resize") != std::string::npos)
      return Json (200, "");
    Response a;
    a.upgrade = true;
    a.stream = Frame (1, "attached\n");
    a.echo_stdin = true;
    return a;
  });
  int in[2], out[2];
  ASSERT_EQ (pipe (in), 0);
  ASSERT_EQ (pipe (out), 0);
  const std::string input = "to the container\n";
  ASSERT_EQ (write (in[1], input.data (), input.size ()), (ssize_t) input.size ());
  close (in[1]);
  docker_stream_io_t io = DOCKER_STREAM_IO_INIT;
  io.stdin_fd = in[0];
  io.stdout_fd = out[1];
  io.timeout_ns = 5 * kSecond;
  ASSERT_EQ (docker_container_attach (client_, "c1", &io, &err_), 0) << kl_error_message (err_);
  close (in[0]);
  close (out[1]);
  std::string got;
  char buf[256];
  ssize_t n;
  while ((n = read (out[0], buf, sizeof buf)) > 0)
    got.append (buf, (size_t) n);
  close (out[0]);
  EXPECT_EQ (got, "attached\n" + input);
  Request req = Last ();
  EXPECT_EQ (req.method, "POST");
  EXPECT_EQ (req.path, "/v1.41/containers/c1/attach");
  EXPECT_EQ (req.query["stream"], "1");
  EXPECT_EQ (req.query["stdin"], "1");
  EXPECT_EQ (req.query["stdout"], "1");
  EXPECT_EQ (req.query["stderr"], "0");
  EXPECT_EQ (req.headers.at ("upgrade"), "tcp");

  ASSERT_EQ (docker_container_resize (client_, "c1", 30, 100, &err_), 0) << kl_error_message (err_);
  req = Last ();
  EXPECT_EQ (req.path, "/v1.41/containers/c1/resize");
  EXPECT_EQ (req.query["h"], "30");
  EXPECT_EQ (req.query["w"], "100");

  ASSERT_LT (docker_container_attach (client_, "", &io, &err_), 0);
  EXPECT_STREQ (kl_error_message (err_), "docker: empty container ID");
}

} // namespace

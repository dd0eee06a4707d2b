// The streaming runtime against a fake dockerd: what exec, attach and port
// forward ask Docker, how the fds are pumped, resizes and exit codes.
#include <arpa/inet.h>
#include <errno.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "pkg/kubelet/dockershim/libdocker/testing/fake_docker.h"
#include "pkg/kubelet/dockershim/testing/cri_helpers.h"

extern "C" {
#include "pkg/kubelet/dockershim/service-internal.h"
#include "pkg/util/utils.h"
}

using fakedocker::Frame;
using fakedocker::Request;
using fakedocker::Response;
using namespace dstest;

namespace {

Response
Json (const std::string &body, int status = 200)
{
  Response r;
  r.status = status;
  r.body = body;
  return r;
}

std::string
ReadAll (int fd)
{
  std::string s;
  char buf[4096];
  ssize_t n;
  while ((n = read (fd, buf, sizeof buf)) > 0)
    s.append (buf, (size_t) n);
  return s;
}

// One end for the runtime (index 0), one for the test (index 1).
struct Pair
{
  int fd[2] = { -1, -1 };
  Pair () { EXPECT_EQ (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fd), 0); }
  ~Pair ()
  {
    Close (0);
    Close (1);
  }
  void
  Close (int i)
  {
    if (fd[i] >= 0)
      close (fd[i]);
    fd[i] = -1;
  }
};

class StreamingRuntimeTest : public ::testing::Test
{
protected:
  void
  SetUp () override
  {
    root_ = MakeTempDir ("ds-streaming-test");
    server_.reset (new fakedocker::Server ([this] (const Request &r) { return Handle (r); }));
    std::string error;
    ASSERT_TRUE (server_->Start (&error)) << error;
    ds_options_t opts;
    ds_options_init (&opts);
    free (opts.docker_endpoint);
    opts.docker_endpoint = xstrdup (server_->endpoint ().c_str ());
    free (opts.root_dir);
    opts.root_dir = xstrdup (root_.c_str ());
    kl_error_t err = nullptr;
    int ret = ds_service_new (&opts, &ds_, &err);
    ds_options_clear (&opts);
    ASSERT_EQ (ret, 0) << kl_error_message (err);
    ds_stream_runtime_init (ds_, &rt_);
  }

  void
  TearDown () override
  {
    ds_service_free (ds_);
    server_.reset ();
    RemoveTree (root_);
  }

  // The sandbox "sb" runs in this process's network namespace.
  std::string
  SandboxJson (bool running, const std::string &network_mode)
  {
    return "{\"Id\": \"sb\", \"Name\": \"/k8s_POD_web_ns_uid_0\", \"State\": {\"Running\": "
           + std::string (running ? "true" : "false")
           + ", \"Pid\": " + std::to_string (running ? getpid () : 0)
           + "}, \"Config\": {\"Labels\": {\"io.kubernetes.docker.type\": \"podsandbox\"}}, "
             "\"HostConfig\": {\"NetworkMode\": \""
           + network_mode + "\"}}";
  }

  Response
  Handle (const Request &r)
  {
    const std::string &p = r.path;
    if (p == "/version")
      return fakedocker::VersionResponse ("1.41");
    if (p == "/v1.41/info")
      return Json ("{\"DockerRootDir\": \"/var/lib/docker\", \"CgroupDriver\": \"cgroupfs\"}");
    if (p == "/v1.41/containers/json")
      return Json ("[]");
    if (p == "/v1.41/containers/c1/exec")
      return Json ("{\"Id\": \"e1\"}", 201);
    if (p == "/v1.41/containers/stopped/exec")
      return Json ("{\"message\": \"Container stopped is not running\"}", 409);
    if (p == "/v1.41/exec/e1/start" || p == "/v1.41/containers/c1/attach"
        || p == "/v1.41/containers/tty/attach")
      {
        Response s;
        s.upgrade = true;
        s.echo_stdin = true;
        s.echo_raw = p.find ("tty") != std::string::npos
                     || r.body.find ("\"Tty\":true") != std::string::npos;
        s.stream = s.echo_raw ? std::string ("raw> ") : Frame (2, "to stderr\n");
        return s;
      }
    if (p == "/v1.41/exec/e1/json")
      return Json ("{\"ID\": \"e1\", \"Running\": false, \"ExitCode\": 7, \"Pid\": 1}");
    if (p == "/v1.41/exec/e1/resize" || p == "/v1.41/containers/tty/resize")
      return Json ("", 201);
    if (p == "/v1.41/containers/c1/json" || p == "/v1.41/containers/tty/json"
        || p == "/v1.41/containers/down/json")
      {
        bool tty = p.find ("tty") != std::string::npos;
        bool running = p.find ("down") == std::string::npos;
        return Json ("{\"Id\": \"" + p.substr (18, p.size () - 23)
                     + "\", \"State\": {\"Running\": " + (running ? "true" : "false")
                     + "}, \"Config\": {\"Tty\": " + (tty ? "true" : "false")
                     + ", \"Labels\": {\"io.kubernetes.docker.type\": \"container\"}}}");
      }
    if (p == "/v1.41/containers/sb/json")
      return Json (SandboxJson (true, "none"));
    if (p == "/v1.41/containers/hostnet/json")
      return Json (SandboxJson (true, "host"));
    if (p == "/v1.41/containers/sbdown/json")
      return Json (SandboxJson (false, "none"));
    return Json ("{\"message\": \"No such container: x\"}", 404);
  }

  std::vector<Request>
  Requests (const std::string &suffix)
  {
    std::vector<Request> out;
    for (const Request &r : server_->requests ())
      if (r.path.size () >= suffix.size ()
          && r.path.compare (r.path.size () - suffix.size (), suffix.size (), suffix) == 0)
        out.push_back (r);
    return out;
  }

  std::string root_;
  std::unique_ptr<fakedocker::Server> server_;
  ds_service_t *ds_ = nullptr;
  kl_stream_runtime_t rt_;
};

TEST_F (StreamingRuntimeTest, ExecPumpsStreamsAndReportsTheExitCode)
{
  Pair in, out, errp;
  kl_stream_io_t io = { in.fd[0], out.fd[0], errp.fd[0], -1, false };
  char *cmd[] = { (char *) "cat" };
  const std::string input = "line one\nline two\n";
  ASSERT_EQ (write (in.fd[1], input.data (), input.size ()), (ssize_t) input.size ());
  ASSERT_EQ (shutdown (in.fd[1], SHUT_WR), 0);
  int code = -1;
  kl_error_t err = nullptr;
  ASSERT_EQ (rt_.exec (rt_.ctx, "c1", cmd, 1, &io, &code, &err), 0) << kl_error_message (err);
  EXPECT_EQ (code, 7);
  in.Close (0);
  out.Close (0);
  errp.Close (0);
  EXPECT_EQ (ReadAll (out.fd[1]), input);
  EXPECT_EQ (ReadAll (errp.fd[1]), "to stderr\n");

  auto create = Requests ("/containers/c1/exec");
  ASSERT_EQ (create.size (), 1u);
  json_t *body = json_loads (create[0].body.c_str (), 0, nullptr);
  ASSERT_NE (body, nullptr) << create[0].body;
  EXPECT_TRUE (json_is_true (json_object_get (body, "AttachStdin")));
  EXPECT_TRUE (json_is_true (json_object_get (body, "AttachStdout")));
  EXPECT_TRUE (json_is_true (json_object_get (body, "AttachStderr")));
  EXPECT_TRUE (json_is_false (json_object_get (body, "Tty")));
  EXPECT_STREQ (json_string_value (json_array_get (json_object_get (body, "Cmd"), 0)), "cat");
  json_decref (body);
  EXPECT_EQ (Requests ("/exec/e1/resize").size (), 0u);
}

TEST_F (StreamingRuntimeTest, ExecTtyAppliesResizes)
{
  Pair in, out, resize;
  kl_stream_io_t io = { in.fd[0], out.fd[0], -1, resize.fd[0], true };
  char *cmd[] = { (char *) "sh" };
  // Two sizes, a zero one (skipped, as Go's HandleResizing does) between.
  kl_terminal_size_t sizes[] = { { 100, 30 }, { 0, 0 }, { 132, 43 } };
  ASSERT_EQ (write (resize.fd[1], sizes, sizeof sizes), (ssize_t) sizeof sizes);
  std::thread user ([&] {
    // The input goes once both resizes arrived, then ends the session.
    for (int i = 0; i < 200 && Requests ("/exec/e1/resize").size () < 2; i++)
      usleep (10 * 1000);
    EXPECT_EQ (write (in.fd[1], "ls\n", 3), 3);
    shutdown (in.fd[1], SHUT_WR);
  });
  int code = -1;
  kl_error_t err = nullptr;
  int ret = rt_.exec (rt_.ctx, "c1", cmd, 1, &io, &code, &err);
  user.join ();
  ASSERT_EQ (ret, 0) << kl_error_message (err);
  out.Close (0);
  EXPECT_EQ (ReadAll (out.fd[1]), "raw> ls\n");

  auto resizes = Requests ("/exec/e1/resize");
  ASSERT_EQ (resizes.size (), 2u);
  EXPECT_EQ (resizes[0].query["h"], "30");
  EXPECT_EQ (resizes[0].query["w"], "100");
  EXPECT_EQ (resizes[1].query["h"], "43");
  EXPECT_EQ (resizes[1].query["w"], "132");
  json_t *body = json_loads (Requests ("/containers/c1/exec")[0].body.c_str (), 0, nullptr);
  EXPECT_TRUE (json_is_true (json_object_get (body, "Tty")));
  EXPECT_TRUE (json_is_false (json_object_get (body, "AttachStderr")));
  json_decref (body);
}

TEST_F (StreamingRuntimeTest, ExecInAStoppedContainer)
{
  Pair out;
  kl_stream_io_t io = { -1, out.fd[0], -1, -1, false };
  char *cmd[] = { (char *) "true" };
  int code = -1;
  kl_error_t err = nullptr;
  ASSERT_LT (rt_.exec (rt_.ctx, "stopped", cmd, 1, &io, &code, &err), 0);
  EXPECT_NE (strstr (kl_error_message (err), "container stopped is not running"), nullptr)
      << kl_error_message (err);
  kl_error_release (&err);
}

TEST_F (StreamingRuntimeTest, AttachFollowsTheContainersTty)
{
  {
    Pair in, out, errp;
    kl_stream_io_t io = { in.fd[0], out.fd[0], errp.fd[0], -1, false };
    ASSERT_EQ (write (in.fd[1], "hi\n", 3), 3);
    shutdown (in.fd[1], SHUT_WR);
    kl_error_t err = nullptr;
    ASSERT_EQ (rt_.attach (rt_.ctx, "c1", &io, &err), 0) << kl_error_message (err);
    out.Close (0);
    errp.Close (0);
    EXPECT_EQ (ReadAll (out.fd[1]), "hi\n");
    EXPECT_EQ (ReadAll (errp.fd[1]), "to stderr\n");
    auto attach = Requests ("/containers/c1/attach");
    ASSERT_EQ (attach.size (), 1u);
    EXPECT_EQ (attach[0].query["stream"], "1");
    EXPECT_EQ (attach[0].query["stdin"], "1");
    EXPECT_EQ (attach[0].query["stderr"], "1");
  }
  {
    // A TTY container's stream is raw; resizes go to the container.
    Pair in, out, resize;
    kl_stream_io_t io = { in.fd[0], out.fd[0], -1, resize.fd[0], true };
    kl_terminal_size_t size = { 80, 24 };
    ASSERT_EQ (write (resize.fd[1], &size, sizeof size), (ssize_t) sizeof size);
    std::thread user ([&] {
      for (int i = 0; i < 200 && Requests ("/containers/tty/resize").empty (); i++)
        usleep (10 * 1000);
      EXPECT_EQ (write (in.fd[1], "x", 1), 1);
      shutdown (in.fd[1], SHUT_WR);
    });
    kl_error_t err = nullptr;
    int ret = rt_.attach (rt_.ctx, "tty", &io, &err);
    user.join ();
    ASSERT_EQ (ret, 0) << kl_error_message (err);
    out.Close (0);
    EXPECT_EQ (ReadAll (out.fd[1]), "raw> x");
    auto resizes = Requests ("/containers/tty/resize");
    ASSERT_EQ (resizes.size (), 1u);
    EXPECT_EQ (resizes[0].query["h"], "24");
    EXPECT_EQ (resizes[0].query["w"], "80");
    EXPECT_EQ (Requests ("/containers/tty/attach")[0].query["stderr"], "0");
  }
  {
    Pair out;
    kl_stream_io_t io = { -1, out.fd[0], -1, -1, false };
    kl_error_t err = nullptr;
    ASSERT_LT (rt_.attach (rt_.ctx, "down", &io, &err), 0);
    EXPECT_STREQ (kl_error_message (err), "container not running (down)");
    kl_error_release (&err);
  }
}

// A loopback listener in this process's namespace: the fake sandboxes' own.
int
Listen (int *port)
{
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in addr = {};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  EXPECT_EQ (bind (fd, (struct sockaddr *) &addr, sizeof addr), 0);
  EXPECT_EQ (listen (fd, 4), 0);
  EXPECT_EQ (getsockname (fd, (struct sockaddr *) &addr, &len), 0);
  *port = ntohs (addr.sin_port);
  return fd;
}

TEST_F (StreamingRuntimeTest, PortForwardConnectsInTheSandboxNamespace)
{
  int port = 0;
  int listener = Listen (&port);
  for (const char *sandbox : { "sb", "hostnet" })
    {
      Pair client;
      std::thread pod ([&] {
        int conn = accept (listener, nullptr, nullptr);
        ASSERT_GE (conn, 0);
        EXPECT_EQ (ReadAll (conn), "GET /\n");
        EXPECT_EQ (write (conn, "200 OK\n", 7), 7);
        close (conn);
      });
      ASSERT_EQ (write (client.fd[1], "GET /\n", 6), 6);
      shutdown (client.fd[1], SHUT_WR);
      kl_error_t err = nullptr;
      int ret = rt_.port_forward (rt_.ctx, sandbox, port, client.fd[0], &err);
      pod.join ();
      ASSERT_EQ (ret, 0) << sandbox << ": " << kl_error_message (err);
      client.Close (0);
      EXPECT_EQ (ReadAll (client.fd[1]), "200 OK\n") << sandbox;
    }
  close (listener);

  Pair client;
  kl_error_t err = nullptr;
  ASSERT_LT (rt_.port_forward (rt_.ctx, "sb", port, client.fd[0], &err), 0);
  std::string want
      = "port forward to pod sandbox sb: failed to connect to localhost:" + std::to_string (port)
        + " inside namespace /proc/" + std::to_string (getpid ()) + "/ns/net: Connection refused";
  EXPECT_EQ (kl_error_message (err), want);
  kl_error_release (&err);

  ASSERT_LT (rt_.port_forward (rt_.ctx, "sbdown", port, client.fd[0], &err), 0);
  EXPECT_EQ (kl_error_message (err), "port forward to pod sandbox sbdown port "
                                         + std::to_string (port) + ": container not running (sb)");
  kl_error_release (&err);

  // A container is no sandbox, and an unknown ID is not found either way.
  for (const char *id : { "c1", "nosuch" })
    {
      ASSERT_LT (rt_.port_forward (rt_.ctx, id, 80, client.fd[0], &err), 0);
      EXPECT_TRUE (kl_error_is (err, KL_ERROR_NOT_FOUND)) << id << ": " << kl_error_message (err);
      kl_error_release (&err);
    }
}

TEST_F (StreamingRuntimeTest, HandlersWithoutAStreamingServer)
{
  Runtime__V1__ExecRequest req = RUNTIME__V1__EXEC_REQUEST__INIT;
  req.container_id = (char *) "c1";
  Runtime__V1__ExecResponse *resp = nullptr;
  kl_error_t err = nullptr;
  ASSERT_LT (ds_exec (ds_, &req, &resp, &err), 0);
  EXPECT_TRUE (kl_error_is (err, KL_ERROR_UNIMPLEMENTED));
  EXPECT_STREQ (kl_error_message (err), "streaming method exec disabled: no streaming server");
  kl_error_release (&err);
}

} // namespace

// The streaming server end to end: a fake runtime behind it, the test
// client (testing/client.h) in front, over SPDY and WebSocket.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <string>
#include <thread>

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

extern "C" {
#include "pkg/kubelet/cri/streaming/streaming.h"
#include "pkg/kubelet/cri/streaming/testing/client.h"
}
#include "test/util/wait.h"

namespace {

std::atomic<int> g_blocked{ 0 };

void
WriteAll (int fd, const std::string &s)
{
  size_t off = 0;
  while (off < s.size ())
    {
      ssize_t n = write (fd, s.data () + off, s.size () - off);
      if (n <= 0)
        return;
      off += (size_t) n;
    }
}

std::string
ReadAll (int fd)
{
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = read (fd, buf, sizeof buf)) > 0)
    out.append (buf, (size_t) n);
  return out;
}

// exec commands: "echo [code]" copies stdin to stdout, writes "err\n" to
// stderr and exits with code; "fail" cannot run; "tty N" reports N resize
// records; "big N" writes N bytes; "block" waits for stdin's EOF.
int
FakeExec (void *ctx, const char *container_id, char *const *cmd, size_t argc,
          const kl_stream_io_t *io, int *exit_code, kl_error_t *err)
{
  std::string name = cmd[0];
  *exit_code = 0;
  if (strcmp (container_id, "missing") == 0 || name == "fail")
    return kl_make_error_kind (err, KL_ERROR_NOT_FOUND, 0, "no such container: %s", container_id);
  if (name == "echo")
    {
      if (io->stdin_fd >= 0 && io->stdout_fd >= 0)
        WriteAll (io->stdout_fd, ReadAll (io->stdin_fd));
      if (io->stderr_fd >= 0)
        WriteAll (io->stderr_fd, "err\n");
      *exit_code = argc > 1 ? atoi (cmd[1]) : 0;
    }
  else if (name == "tty")
    {
      int want = atoi (cmd[1]);
      for (int i = 0; i < want; i++)
        {
          kl_terminal_size_t size;
          if (read (io->resize_fd, &size, sizeof size) != (ssize_t) sizeof size)
            break;
          WriteAll (io->stdout_fd, std::to_string (size.width) + "x" + std::to_string (size.height)
                                       + (io->tty ? " tty\n" : "\n"));
        }
    }
  else if (name == "big")
    WriteAll (io->stdout_fd, std::string ((size_t) atol (cmd[1]), 'z'));
  else if (name == "block")
    {
      g_blocked++;
      ReadAll (io->stdin_fd);
    }
  return 0;
}

int
FakeAttach (void *ctx, const char *container_id, const kl_stream_io_t *io, kl_error_t *err)
{
  WriteAll (io->stdout_fd, "attached\n");
  if (io->stdin_fd >= 0)
    WriteAll (io->stdout_fd, ReadAll (io->stdin_fd));
  return 0;
}

// Port 666 refuses; others answer "port N\n" and echo until EOF.
int
FakePortForward (void *ctx, const char *sandbox, int32_t port, int fd, kl_error_t *err)
{
  if (port == 666)
    return kl_make_error (err, ECONNREFUSED, "dial 127.0.0.1:%d", (int) port);
  WriteAll (fd, "port " + std::to_string (port) + "\n");
  char buf[4096];
  ssize_t n;
  while ((n = read (fd, buf, sizeof buf)) > 0)
    WriteAll (fd, std::string (buf, (size_t) n));
  return 0;
}

class StreamingServerTest : public ::testing::Test
{
protected:
  void
  SetUp () override
  {
    signal (SIGPIPE, SIG_IGN);
    Start (nullptr);
  }
  void
  TearDown () override
  {
    kl_stream_server_stop (server_);
  }
  void
  Start (const kl_stream_config_t *config)
  {
    kl_stream_runtime_t rt = { nullptr, FakeExec, FakeAttach, FakePortForward };
    kl_error_t err = nullptr;
    ASSERT_EQ (0, kl_stream_server_start (config, &rt, &server_, &err)) << kl_error_message (err);
  }

  std::string
  ExecUrl (std::vector<const char *> cmd, bool in, bool out, bool errs, bool tty,
           const char *container = "c1")
  {
    Runtime__V1__ExecRequest req;
    runtime__v1__exec_request__init (&req);
    req.container_id = (char *) container;
    req.cmd = (char **) cmd.data ();
    req.n_cmd = cmd.size ();
    req.stdin = in;
    req.stdout = out;
    req.stderr = errs;
    req.tty = tty;
    Runtime__V1__ExecResponse *resp = nullptr;
    kl_error_t err = nullptr;
    EXPECT_EQ (0, kl_stream_server_get_exec (server_, &req, &resp, &err)) << kl_error_message (err);
    if (resp == nullptr)
      return "";
    std::string url = resp->url;
    runtime__v1__exec_response__free_unpacked (resp, nullptr);
    return url;
  }

  std::string
  PortForwardUrl (std::vector<int32_t> ports = {})
  {
    Runtime__V1__PortForwardRequest req;
    runtime__v1__port_forward_request__init (&req);
    req.pod_sandbox_id = (char *) "sandbox1";
    req.port = ports.data ();
    req.n_port = ports.size ();
    Runtime__V1__PortForwardResponse *resp = nullptr;
    kl_error_t err = nullptr;
    EXPECT_EQ (0, kl_stream_server_get_port_forward (server_, &req, &resp, &err))
        << kl_error_message (err);
    std::string url = resp ? resp->url : "";
    runtime__v1__port_forward_response__free_unpacked (resp, nullptr);
    return url;
  }

  kl_stream_server_t *server_ = nullptr;
};

struct Result : kl_stream_exec_result_t
{
  Result () : kl_stream_exec_result_t () {}
  ~Result () { kl_stream_exec_result_clear (this); }
};

kl_stream_exec_options_t
Options (kl_stream_protocol_t protocol, bool in, bool out, bool errs, bool tty,
         const char *stdin_data = nullptr)
{
  kl_stream_exec_options_t o = {};
  o.protocol = protocol;
  o.stdin = in;
  o.stdout = out;
  o.stderr = errs;
  o.tty = tty;
  o.stdin_data = stdin_data;
  o.stdin_len = stdin_data ? strlen (stdin_data) : 0;
  return o;
}

TEST_F (StreamingServerTest, UrlsPointAtTheServer)
{
  std::string url = ExecUrl ({ "echo" }, false, true, false, false);
  std::string base = kl_stream_server_base_url (server_);
  EXPECT_EQ (0u, base.rfind ("http://127.0.0.1:", 0));
  EXPECT_EQ (0u, url.rfind (base + "/exec/", 0)) << url;
  EXPECT_EQ (base.size () + 6 + 22, url.size ());
}

TEST_F (StreamingServerTest, SpdyExecStdinStdoutStderrSuccess)
{
  std::string url = ExecUrl ({ "echo" }, true, true, true, false);
  auto o = Options (KL_STREAM_SPDY, true, true, true, false, "hello stdin");
  Result r;
  kl_error_t err = nullptr;
  ASSERT_EQ (0, kl_stream_client_exec (url.c_str (), &o, &r, &err)) << kl_error_message (err);
  EXPECT_EQ ("hello stdin", std::string (r.out, r.out_len));
  EXPECT_EQ ("err\n", std::string (r.err, r.err_len));
  EXPECT_TRUE (r.success) << r.status;
  EXPECT_STREQ ("{\"metadata\":{},\"status\":\"Success\"}", r.status);
}

TEST_F (StreamingServerTest, SpdyExecNonZeroExitCode)
{
  std::string url = ExecUrl ({ "echo", "3" }, false, true, true, false);
  auto o = Options (KL_STREAM_SPDY, false, true, true, false);
  Result r;
  kl_error_t err = nullptr;
  ASSERT_EQ (0, kl_stream_client_exec (url.c_str (), &o, &r, &err)) << kl_error_message (err);
  EXPECT_FALSE (r.success);
  EXPECT_EQ (3, r.exit_code);
  EXPECT_STREQ ("{\"metadata\":{},\"status\":\"Failure\",\"message\":\"command terminated with "
                "non-zero exit code: exit status 3\",\"reason\":\"NonZeroExitCode\",\"details\":"
                "{\"causes\":[{\"reason\":\"ExitCode\",\"message\":\"3\"}]}}",
                r.status);
}

TEST_F (StreamingServerTest, SpdyExecRuntimeFailure)
{
  std::string url = ExecUrl ({ "fail" }, false, true, false, false);
  auto o = Options (KL_STREAM_SPDY, false, true, false, false);
  Result r;
  kl_error_t err = nullptr;
  ASSERT_EQ (0, kl_stream_client_exec (url.c_str (), &o, &r, &err)) << kl_error_message (err);
  EXPECT_FALSE (r.success);
  EXPECT_EQ (0, r.exit_code);
  EXPECT_STREQ ("Internal error occurred: error executing command in container: no such "
                "container: c1",
                r.message);
  EXPECT_NE (nullptr, strstr (r.status, "\"reason\":\"InternalError\""));
  EXPECT_NE (nullptr, strstr (r.status, "\"code\":500"));
}

TEST_F (StreamingServerTest, SpdyOlderProtocolsReportOnlyFailuresAsText)
{
  std::string url = ExecUrl ({ "echo", "4" }, false, true, false, false);
  auto o = Options (KL_STREAM_SPDY, false, true, false, false);
  o.subprotocol = "v3.channel.k8s.io";
  Result r;
  kl_error_t err = nullptr;
  ASSERT_EQ (0, kl_stream_client_exec (url.c_str (), &o, &r, &err)) << kl_error_message (err);
  EXPECT_STREQ ("command terminated with non-zero exit code: exit status 4", r.status);

  url = ExecUrl ({ "echo" }, false, true, false, false);
  o.subprotocol = "v2.channel.k8s.io";
  Result ok;
  ASSERT_EQ (0, kl_stream_client_exec (url.c_str (), &o, &ok, &err)) << kl_error_message (err);
  EXPECT_STREQ ("", ok.status);
  EXPECT_TRUE (ok.success);
}

TEST_F (StreamingServerTest, SpdyExecTtyResize)
{
  std::string url = ExecUrl ({ "tty", "2" }, false, true, false, true);
  kl_terminal_size_t sizes[] = { { 80, 24 }, { 132, 50 } };
  auto o = Options (KL_STREAM_SPDY, false, true, false, true);
  o.resizes = sizes;
  o.n_resizes = 2;
  Result r;
  kl_error_t err = nullptr;
  ASSERT_EQ (0, kl_stream_client_exec (url.c_str (), &o, &r, &err)) << kl_error_message (err);
  EXPECT_EQ ("80x24 tty\n132x50 tty\n", std::string (r.out, r.out_len));
  EXPECT_TRUE (r.success);
}

TEST_F (StreamingServerTest, SpdyExecLargeOutputAndInput)
{
  std::string url = ExecUrl ({ "big", "1000000" }, false, true, false, false);
  auto o = Options (KL_STREAM_SPDY, false, true, false, false);
  Result r;
  kl_error_t err = nullptr;
  ASSERT_EQ (0, kl_stream_client_exec (url.c_str (), &o, &r, &err)) << kl_error_message (err);
  EXPECT_EQ (1000000u, r.out_len);
  EXPECT_EQ (std::string (1000000, 'z'), std::string (r.out, r.out_len));

  std::string in (700000, 'q');
  url = ExecUrl ({ "echo" }, true, true, false, false);
  auto o2 = Options (KL_STREAM_SPDY, true, true, false, false, in.c_str ());
  Result r2;
  ASSERT_EQ (0, kl_stream_client_exec (url.c_str (), &o2, &r2, &err)) << kl_error_message (err);
  EXPECT_EQ (in, std::string (r2.out, r2.out_len));
}

TEST_F (StreamingServerTest, SpdyAttach)
{
  Runtime__V1__AttachRequest req;
  runtime__v1__attach_request__init (&req);
  req.container_id = (char *) "c1";
  req.stdin = req.stdout = true;
  Runtime__V1__AttachResponse *resp = nullptr;
  kl_error_t err = nullptr;
  ASSERT_EQ (0, kl_stream_server_get_attach (server_, &req, &resp, &err));
  std::string url = resp->url;
  runtime__v1__attach_response__free_unpacked (resp, nullptr);
  EXPECT_NE (std::string::npos, url.find ("/attach/"));
  auto o = Options (KL_STREAM_SPDY, true, true, false, false, "typed");
  Result r;
  ASSERT_EQ (0, kl_stream_client_exec (url.c_str (), &o, &r, &err)) << kl_error_message (err);
  EXPECT_EQ ("attached\ntyped", std::string (r.out, r.out_len));
  EXPECT_TRUE (r.success);
}

TEST_F (StreamingServerTest, WebSocketExecV5ClosesStdin)
{
  std::string url = ExecUrl ({ "echo", "0" }, true, true, true, false);
  auto o = Options (KL_STREAM_WEBSOCKET, true, true, true, false, "over websocket");
  o.subprotocol = "v5.channel.k8s.io";
  Result r;
  kl_error_t err = nullptr;
  ASSERT_EQ (0, kl_stream_client_exec (url.c_str (), &o, &r, &err)) << kl_error_message (err);
  EXPECT_EQ ("over websocket", std::string (r.out, r.out_len));
  EXPECT_EQ ("err\n", std::string (r.err, r.err_len));
  EXPECT_TRUE (r.success) << r.status;
}

TEST_F (StreamingServerTest, WebSocketExecV4ExitCode)
{
  std::string url = ExecUrl ({ "echo", "2" }, false, true, true, false);
  auto o = Options (KL_STREAM_WEBSOCKET, false, true, true, false);
  Result r;
  kl_error_t err = nullptr;
  ASSERT_EQ (0, kl_stream_client_exec (url.c_str (), &o, &r, &err)) << kl_error_message (err);
  EXPECT_EQ ("err\n", std::string (r.err, r.err_len));
  EXPECT_FALSE (r.success);
  EXPECT_EQ (2, r.exit_code);
}

TEST_F (StreamingServerTest, WebSocketBase64AndTtyResize)
{
  std::string url = ExecUrl ({ "tty", "1" }, false, true, false, true);
  kl_terminal_size_t size = { 100, 40 };
  auto o = Options (KL_STREAM_WEBSOCKET, false, true, false, true);
  o.subprotocol = "v4.base64.channel.k8s.io";
  o.resizes = &size;
  o.n_resizes = 1;
  Result r;
  kl_error_t err = nullptr;
  ASSERT_EQ (0, kl_stream_client_exec (url.c_str (), &o, &r, &err)) << kl_error_message (err);
  EXPECT_EQ ("100x40 tty\n", std::string (r.out, r.out_len));
  EXPECT_TRUE (r.success) << r.status;
}

TEST_F (StreamingServerTest, SpdyPortForwardTwoConcurrentPorts)
{
  std::string url = PortForwardUrl ();
  kl_stream_pf_t *pf = nullptr;
  kl_error_t err = nullptr;
  ASSERT_EQ (0, kl_stream_pf_open (url.c_str (), KL_STREAM_SPDY, nullptr, 0, &pf, &err))
      << kl_error_message (err);
  int a = kl_stream_pf_stream (pf, 80, &err);
  int b = kl_stream_pf_stream (pf, 8080, &err);
  ASSERT_GE (a, 0);
  ASSERT_GE (b, 0);
  ASSERT_EQ (0, kl_stream_pf_write (pf, a, "to eighty", 9, &err));
  ASSERT_EQ (0, kl_stream_pf_write (pf, b, "to 8080", 7, &err));
  // Both are open at once: read a's echo before ending either.
  char *data = nullptr;
  size_t len = 0;
  ASSERT_EQ (0, kl_stream_pf_read (pf, a, strlen ("port 80\nto eighty"), 5000, &data, &len, &err));
  EXPECT_EQ ("port 80\nto eighty", std::string (data, len));
  free (data);
  ASSERT_EQ (0, kl_stream_pf_close_write (pf, b, &err));
  ASSERT_EQ (0, kl_stream_pf_read (pf, b, 0, 5000, &data, &len, &err)) << kl_error_message (err);
  EXPECT_EQ ("port 8080\nto 8080", std::string (data, len));
  free (data);
  char *msg = nullptr;
  ASSERT_EQ (0, kl_stream_pf_error (pf, b, 5000, &msg, &err));
  EXPECT_STREQ ("", msg);
  free (msg);
  ASSERT_EQ (0, kl_stream_pf_close_write (pf, a, &err));
  ASSERT_EQ (0, kl_stream_pf_read (pf, a, 0, 5000, &data, &len, &err));
  free (data);

  // A refused port reports on its error stream; the connection lives on.
  int c = kl_stream_pf_stream (pf, 666, &err);
  ASSERT_GE (c, 0);
  ASSERT_EQ (0, kl_stream_pf_error (pf, c, 5000, &msg, &err));
  EXPECT_NE (nullptr, strstr (msg, "error forwarding port 666 to pod sandbox1"));
  EXPECT_NE (nullptr, strstr (msg, "Connection refused")) << msg;
  free (msg);
  int d = kl_stream_pf_stream (pf, 81, &err);
  ASSERT_GE (d, 0);
  ASSERT_EQ (0, kl_stream_pf_close_write (pf, d, &err));
  ASSERT_EQ (0, kl_stream_pf_read (pf, d, 0, 5000, &data, &len, &err));
  EXPECT_EQ ("port 81\n", std::string (data, len));
  free (data);
  kl_stream_pf_close (pf);
}

TEST_F (StreamingServerTest, WebSocketPortForward)
{
  std::string url = PortForwardUrl ({ 9999 }); // the query's ports win
  kl_stream_pf_t *pf = nullptr;
  kl_error_t err = nullptr;
  int32_t ports[] = { 80, 443 };
  ASSERT_EQ (0, kl_stream_pf_open (url.c_str (), KL_STREAM_WEBSOCKET, ports, 2, &pf, &err))
      << kl_error_message (err);
  int h = kl_stream_pf_stream (pf, 443, &err);
  ASSERT_EQ (1, h);
  ASSERT_EQ (0, kl_stream_pf_write (pf, h, "tls?", 4, &err));
  char *data = nullptr;
  size_t len = 0;
  ASSERT_EQ (0, kl_stream_pf_read (pf, h, strlen ("port 443\ntls?"), 5000, &data, &len, &err))
      << kl_error_message (err);
  EXPECT_EQ ("port 443\ntls?", std::string (data, len));
  free (data);
  EXPECT_LT (kl_stream_pf_close_write (pf, h, &err), 0);
  kl_error_release (&err);
  kl_stream_pf_close (pf);
}

TEST_F (StreamingServerTest, TokensAreSingleUseAndUnknownOnesAre404)
{
  std::string url = ExecUrl ({ "echo" }, false, true, false, false);
  auto o = Options (KL_STREAM_SPDY, false, true, false, false);
  Result r;
  kl_error_t err = nullptr;
  ASSERT_EQ (0, kl_stream_client_exec (url.c_str (), &o, &r, &err)) << kl_error_message (err);
  Result again;
  EXPECT_LT (kl_stream_client_exec (url.c_str (), &o, &again, &err), 0);
  EXPECT_TRUE (kl_error_is (err, KL_ERROR_NOT_FOUND)) << kl_error_message (err);
  EXPECT_EQ (404, err->status);
  kl_error_release (&err);

  std::string base = kl_stream_server_base_url (server_);
  for (const char *path : { "/exec/nosuchtoken", "/attach/", "/other/x", "/exec/a/b" })
    {
      int status = 0, fd = -1;
      char *body = nullptr;
      ASSERT_EQ (0, kl_stream_client_upgrade ((base + path).c_str (), KL_STREAM_SPDY,
                                              "v4.channel.k8s.io", nullptr, &status, &fd, &body,
                                              &err));
      EXPECT_EQ (404, status) << path;
      EXPECT_STREQ ("404 page not found\n", body);
      free (body);
    }
  // An exec token is no attach token (and is used up by the attempt).
  url = ExecUrl ({ "echo" }, false, true, false, false);
  std::string attach = url;
  attach.replace (attach.find ("/exec/"), 6, "/attach/");
  EXPECT_LT (kl_stream_client_exec (attach.c_str (), &o, &again, &err), 0);
  EXPECT_TRUE (kl_error_is (err, KL_ERROR_NOT_FOUND));
  kl_error_release (&err);
}

TEST_F (StreamingServerTest, TokensExpire)
{
  kl_stream_server_stop (server_);
  kl_stream_config_t config;
  kl_stream_config_init (&config);
  config.token_ttl_ns = 100 * 1000000;
  Start (&config);
  std::string url = ExecUrl ({ "echo" }, false, true, false, false);
  std::this_thread::sleep_for (std::chrono::milliseconds (250)); // past the TTL
  auto o = Options (KL_STREAM_SPDY, false, true, false, false);
  Result r;
  kl_error_t err = nullptr;
  EXPECT_LT (kl_stream_client_exec (url.c_str (), &o, &r, &err), 0);
  EXPECT_TRUE (kl_error_is (err, KL_ERROR_NOT_FOUND)) << kl_error_message (err);
  kl_error_release (&err);
}

TEST_F (StreamingServerTest, TooManyOutstandingTokens)
{
  for (int i = 0; i < 1000; i++)
    ASSERT_FALSE (ExecUrl ({ "echo" }, false, true, false, false).empty ());
  Runtime__V1__ExecRequest req;
  runtime__v1__exec_request__init (&req);
  const char *cmd[] = { "echo" };
  req.container_id = (char *) "c1";
  req.cmd = (char **) cmd;
  req.n_cmd = 1;
  req.stdout = true;
  Runtime__V1__ExecResponse *resp = nullptr;
  kl_error_t err = nullptr;
  EXPECT_LT (kl_stream_server_get_exec (server_, &req, &resp, &err), 0);
  EXPECT_TRUE (kl_error_is (err, KL_ERROR_UNAVAILABLE)) << kl_error_message (err);
  kl_error_release (&err);
}

TEST_F (StreamingServerTest, InvalidRequestsAreRefused)
{
  struct
  {
    const char *container;
    size_t n_cmd;
    bool in, out, errs, tty;
    const char *want;
  } cases[] = {
    { "c1", 1, false, true, true, true, "tty and stderr cannot both be true" },
    { "c1", 1, false, false, false, false, "one of stdin, stdout, or stderr must be set" },
    { "", 1, false, true, false, false, "missing required container_id" },
    { "c1", 0, false, true, false, false, "missing required cmd" },
  };
  const char *cmd[] = { "echo" };
  for (auto &c : cases)
    {
      Runtime__V1__ExecRequest req;
      runtime__v1__exec_request__init (&req);
      req.container_id = (char *) c.container;
      req.cmd = (char **) cmd;
      req.n_cmd = c.n_cmd;
      req.stdin = c.in;
      req.stdout = c.out;
      req.stderr = c.errs;
      req.tty = c.tty;
      Runtime__V1__ExecResponse *resp = nullptr;
      kl_error_t err = nullptr;
      EXPECT_LT (kl_stream_server_get_exec (server_, &req, &resp, &err), 0) << c.want;
      EXPECT_TRUE (kl_error_is (err, KL_ERROR_INVALID));
      EXPECT_STREQ (c.want, kl_error_message (err));
      kl_error_release (&err);
    }
  Runtime__V1__AttachRequest attach;
  runtime__v1__attach_request__init (&attach);
  attach.container_id = (char *) "c1";
  Runtime__V1__AttachResponse *aresp = nullptr;
  kl_error_t err = nullptr;
  EXPECT_LT (kl_stream_server_get_attach (server_, &attach, &aresp, &err), 0);
  EXPECT_STREQ ("one of stdin, stdout, and stderr must be set", kl_error_message (err));
  kl_error_release (&err);
  Runtime__V1__PortForwardRequest pf;
  runtime__v1__port_forward_request__init (&pf);
  pf.pod_sandbox_id = (char *) "";
  Runtime__V1__PortForwardResponse *presp = nullptr;
  EXPECT_LT (kl_stream_server_get_port_forward (server_, &pf, &presp, &err), 0);
  EXPECT_STREQ ("missing required pod_sandbox_id", kl_error_message (err));
  kl_error_release (&err);
}

TEST_F (StreamingServerTest, HandshakeFailures)
{
  kl_error_t err = nullptr;
  struct
  {
    kl_stream_protocol_t protocol;
    const char *subprotocol;
    int want;
  } cases[] = {
    { KL_STREAM_SPDY, "", 400 },                  // no X-Stream-Protocol-Version
    { KL_STREAM_SPDY, "v9.channel.k8s.io", 403 }, // nothing in common
    { KL_STREAM_WEBSOCKET, "bogus.k8s.io", 403 },
  };
  for (auto &c : cases)
    {
      std::string url = ExecUrl ({ "echo" }, false, true, false, false);
      int status = 0, fd = -1;
      char *body = nullptr;
      ASSERT_EQ (0, kl_stream_client_upgrade (url.c_str (), c.protocol, c.subprotocol, nullptr,
                                              &status, &fd, &body, &err));
      EXPECT_EQ (c.want, status) << c.subprotocol << ": " << (body ? body : "");
      free (body);
    }
}

// Waits up to `ms` for the server to close fd; true if it did.
bool
ServerCloses (int fd, int ms)
{
  auto end = std::chrono::steady_clock::now () + std::chrono::milliseconds (ms);
  char buf[4096];
  while (std::chrono::steady_clock::now () < end)
    {
      struct pollfd p = { fd, POLLIN, 0 };
      if (poll (&p, 1, 100) > 0 && recv (fd, buf, sizeof buf, 0) <= 0)
        return true;
    }
  return false;
}

TEST_F (StreamingServerTest, MalformedFramesEndTheConnection)
{
  kl_error_t err = nullptr;
  for (auto protocol : { KL_STREAM_SPDY, KL_STREAM_WEBSOCKET })
    {
      std::string url = ExecUrl ({ "block" }, true, true, false, false);
      int status = 0, fd = -1;
      ASSERT_EQ (0, kl_stream_client_upgrade (url.c_str (), protocol, "v4.channel.k8s.io", nullptr,
                                              &status, &fd, nullptr, &err));
      ASSERT_EQ (101, status);
      // SPDY/2 control frame; for WebSocket an unmasked frame.
      const uint8_t spdy2[] = { 0x80, 2, 0, 6, 0, 0, 0, 4, 0, 0, 0, 1 };
      const uint8_t unmasked[] = { 0x82, 0x02, 0, 'x' };
      if (protocol == KL_STREAM_SPDY)
        ASSERT_EQ ((ssize_t) sizeof spdy2, send (fd, spdy2, sizeof spdy2, 0));
      else
        ASSERT_EQ ((ssize_t) sizeof unmasked, send (fd, unmasked, sizeof unmasked, 0));
      EXPECT_TRUE (ServerCloses (fd, 5000));
      close (fd);
    }
  // The server still serves.
  std::string url = ExecUrl ({ "echo" }, false, true, false, false);
  auto o = Options (KL_STREAM_SPDY, false, true, false, false);
  Result r;
  ASSERT_EQ (0, kl_stream_client_exec (url.c_str (), &o, &r, &err)) << kl_error_message (err);
  EXPECT_TRUE (r.success);
}

TEST_F (StreamingServerTest, StreamCreationTimeout)
{
  kl_stream_server_stop (server_);
  kl_stream_config_t config;
  kl_stream_config_init (&config);
  config.stream_creation_timeout_ns = 200 * 1000000;
  Start (&config);
  std::string url = ExecUrl ({ "echo" }, false, true, false, false);
  int status = 0, fd = -1;
  kl_error_t err = nullptr;
  ASSERT_EQ (0, kl_stream_client_upgrade (url.c_str (), KL_STREAM_SPDY, "v4.channel.k8s.io",
                                          nullptr, &status, &fd, nullptr, &err));
  ASSERT_EQ (101, status);
  EXPECT_TRUE (ServerCloses (fd, 3000)); // no streams were created
  close (fd);
}

TEST_F (StreamingServerTest, StopEndsSessionsInFlight)
{
  g_blocked = 0;
  std::string url = ExecUrl ({ "block" }, true, true, false, false);
  std::atomic<bool> returned{ false };
  std::thread client ([&] {
    auto o = Options (KL_STREAM_SPDY, true, true, false, false, "partial");
    o.keep_stdin_open = true;
    o.timeout_ms = 20000;
    Result r;
    kl_error_t err = nullptr;
    kl_stream_client_exec (url.c_str (), &o, &r, &err);
    kl_error_release (&err);
    returned = true;
  });
  ASSERT_TRUE (kl_test::WaitFor ([] { return g_blocked.load () == 1; }, 5));
  auto start = std::chrono::steady_clock::now ();
  kl_stream_server_stop (server_);
  server_ = nullptr;
  EXPECT_LT (std::chrono::steady_clock::now () - start, std::chrono::seconds (3));
  EXPECT_TRUE (kl_test::WaitFor ([&] { return returned.load (); }, 5));
  client.join ();
}

} // namespace

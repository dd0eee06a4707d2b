// Exec, Attach and PortForward of the standalone dockershim (CNI networking)
// against a real dockerd: the CRI calls answer URLs of its streaming server,
// which the streaming test client opens. Exec's streams, exit codes, TTY
// resizes; attach to a running container; port forwarding into a CNI pod
// and a host-network one; single-use URLs; unknown IDs.
// pkg/kubelet/dockershim/test-integration.sh sets up the environment.
#include <gtest/gtest.h>
#include <string.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "pkg/kubelet/dockershim/testing/cri_helpers.h"
#include "pkg/kubelet/dockershim/testing/fixture.h"

extern "C" {
#include "pkg/kubelet/cri/streaming/testing/client.h"
#include "pkg/util/grpc/grpc.h"
}

using namespace dstest;

namespace {

// An exec/attach session's outcome, freed on scope exit.
struct Result
{
  kl_stream_exec_result_t r = {};
  ~Result () { kl_stream_exec_result_clear (&r); }
  std::string
  out () const
  {
    return r.out ? std::string (r.out, r.out_len) : "";
  }
  std::string
  err () const
  {
    return r.err ? std::string (r.err, r.err_len) : "";
  }
};

class StreamingTest : public DockershimFixture
{
protected:
  // Runs a sandbox (on the node's network with host_network), remembered
  // for TearDown; "" on failure.
  std::string
  RunSandbox (const std::string &name, bool host_network, Pb<Runtime__V1__PodSandboxConfig> *config)
  {
    SandboxSpec s = NewSandbox (name);
    if (host_network)
      {
        s.network = RUNTIME__V1__NAMESPACE_MODE__NODE;
        char hostname[256] = "";
        gethostname (hostname, sizeof hostname);
        s.hostname = hostname;
      }
    return DockershimFixture::RunSandbox (s, config);
  }

  // A sandbox with one long-running container for the exec tests.
  std::string
  ExecTarget ()
  {
    if (!target_.empty ())
      return target_;
    std::string sandbox = RunSandbox ("exec", false, &target_config_);
    if (sandbox.empty ())
      return "";
    ContainerSpec c;
    c.name = "sleeper";
    c.command = { "sleep", "3600" };
    target_ = StartContainer (sandbox, c, target_config_.get ());
    return target_;
  }

  // Exec's URL for `cmd` with the given streams; "" (with a failure) if
  // the call fails.
  std::string
  ExecUrl (const std::string &container, const std::vector<std::string> &cmd, bool in, bool out,
           bool errs, bool tty)
  {
    Runtime__V1__ExecRequest req = RUNTIME__V1__EXEC_REQUEST__INIT;
    req.container_id = (char *) container.c_str ();
    std::vector<char *> argv;
    for (const auto &a : cmd)
      argv.push_back ((char *) a.c_str ());
    req.cmd = argv.data ();
    req.n_cmd = argv.size ();
    req.stdin = in;
    req.stdout = out;
    req.stderr = errs;
    req.tty = tty;
    Runtime__V1__ExecResponse *resp = nullptr;
    Error err;
    EXPECT_EQ (kl_cri_exec (cri_->client (), &req, &resp, &err.e), 0) << err.msg ();
    Pb<Runtime__V1__ExecResponse> r (resp);
    return r && r->url ? r->url : "";
  }

  std::string
  PortForwardUrl (const std::string &sandbox, int32_t port)
  {
    Runtime__V1__PortForwardRequest req = RUNTIME__V1__PORT_FORWARD_REQUEST__INIT;
    req.pod_sandbox_id = (char *) sandbox.c_str ();
    req.port = &port;
    req.n_port = 1;
    Runtime__V1__PortForwardResponse *resp = nullptr;
    Error err;
    EXPECT_EQ (kl_cri_port_forward (cri_->client (), &req, &resp, &err.e), 0) << err.msg ();
    Pb<Runtime__V1__PortForwardResponse> r (resp);
    return r && r->url ? r->url : "";
  }

  // Forwards one connection to `port` of `sandbox`: sends `request`, half-
  // closes, and returns what came back until the pod closed (or the error
  // stream's message, prefixed "error: ").
  std::string
  Forward (const std::string &sandbox, int32_t port, const std::string &request)
  {
    std::string url = PortForwardUrl (sandbox, port);
    if (url.empty ())
      return "no URL";
    kl_stream_pf_t *pf = nullptr;
    Error err;
    if (kl_stream_pf_open (url.c_str (), KL_STREAM_SPDY, nullptr, 0, &pf, &err.e) < 0)
      return std::string ("open: ") + err.msg ();
    std::string got;
    char *data = nullptr, *message = nullptr;
    size_t len = 0;
    int h = kl_stream_pf_stream (pf, port, &err.e);
    if (h < 0 || kl_stream_pf_write (pf, h, request.data (), request.size (), &err.e) < 0
        || kl_stream_pf_close_write (pf, h, &err.e) < 0
        || kl_stream_pf_read (pf, h, 0, 10000, &data, &len, &err.e) < 0
        || kl_stream_pf_error (pf, h, 10000, &message, &err.e) < 0)
      got = std::string ("client: ") + err.msg ();
    else if (message && message[0])
      got = std::string ("error: ") + message;
    else
      got.assign (data, len);
    free (data);
    free (message);
    kl_stream_pf_close (pf);
    return got;
  }

  std::string target_;
  Pb<Runtime__V1__PodSandboxConfig> target_config_;
};

TEST_F (StreamingTest, ExecStdinToStdout)
{
  std::string c = ExecTarget ();
  ASSERT_FALSE (c.empty ());
  std::string url = ExecUrl (c, { "cat" }, true, true, false, false);
  ASSERT_EQ (url.rfind ("http://127.0.0.1:", 0), 0u) << url;
  // Enough to take several reads and frames each way.
  std::string input;
  for (int i = 0; input.size () < 300000; i++)
    input += "line " + std::to_string (i) + "\n";
  kl_stream_exec_options_t opts = {};
  opts.protocol = KL_STREAM_SPDY;
  opts.stdin = opts.stdout = true;
  opts.stdin_data = input.data ();
  opts.stdin_len = input.size ();
  opts.timeout_ms = 30000;
  Result res;
  Error err;
  ASSERT_EQ (kl_stream_client_exec (url.c_str (), &opts, &res.r, &err.e), 0) << err.msg ();
  EXPECT_TRUE (res.r.success) << (res.r.message ? res.r.message : "");
  EXPECT_EQ (res.out ().size (), input.size ());
  EXPECT_TRUE (res.out () == input);
}

TEST_F (StreamingTest, ExecStderrAndExitCodes)
{
  std::string c = ExecTarget ();
  ASSERT_FALSE (c.empty ());
  for (auto protocol : { KL_STREAM_SPDY, KL_STREAM_WEBSOCKET })
    {
      std::string url
          = ExecUrl (c, { "sh", "-c", "echo out; echo err >&2; exit 3" }, false, true, true, false);
      ASSERT_FALSE (url.empty ());
      kl_stream_exec_options_t opts = {};
      opts.protocol = protocol;
      opts.stdout = opts.stderr = true;
      Result res;
      Error err;
      ASSERT_EQ (kl_stream_client_exec (url.c_str (), &opts, &res.r, &err.e), 0) << err.msg ();
      EXPECT_EQ (res.out (), "out\n");
      EXPECT_EQ (res.err (), "err\n");
      EXPECT_FALSE (res.r.success);
      EXPECT_EQ (res.r.exit_code, 3) << res.r.status;

      url = ExecUrl (c, { "true" }, false, true, false, false);
      Result ok;
      opts.stderr = false;
      ASSERT_EQ (kl_stream_client_exec (url.c_str (), &opts, &ok.r, &err.e), 0) << err.msg ();
      EXPECT_TRUE (ok.r.success) << ok.r.status;
      EXPECT_EQ (ok.r.exit_code, 0);
    }

  // A command that cannot run fails as Docker reports it.
  std::string url = ExecUrl (c, { "/no/such/binary" }, false, true, true, false);
  kl_stream_exec_options_t opts = {};
  opts.stdout = opts.stderr = true;
  Result res;
  Error err;
  ASSERT_EQ (kl_stream_client_exec (url.c_str (), &opts, &res.r, &err.e), 0) << err.msg ();
  EXPECT_FALSE (res.r.success) << res.out () << " / " << res.r.status;
}

TEST_F (StreamingTest, ExecTtyFollowsResizes)
{
  std::string c = ExecTarget ();
  ASSERT_FALSE (c.empty ());
  // The resize travels apart from the session: wait for it in the shell.
  std::string script = "for i in $(seq 100); do s=$(busybox stty size 2>/dev/null); "
                       "[ \"$s\" = \"30 100\" ] && break; sleep 0.1; done; echo \"size $s\"; "
                       "[ -t 1 ] && echo tty";
  std::string url = ExecUrl (c, { "sh", "-c", script }, false, true, false, true);
  ASSERT_FALSE (url.empty ());
  kl_terminal_size_t size = { 100, 30 };
  kl_stream_exec_options_t opts = {};
  opts.stdout = opts.tty = true;
  opts.resizes = &size;
  opts.n_resizes = 1;
  opts.timeout_ms = 20000;
  Result res;
  Error err;
  ASSERT_EQ (kl_stream_client_exec (url.c_str (), &opts, &res.r, &err.e), 0) << err.msg ();
  EXPECT_TRUE (res.r.success) << res.r.status;
  // A TTY turns "\n" into "\r\n".
  EXPECT_EQ (res.out (), "size 30 100\r\ntty\r\n");
}

TEST_F (StreamingTest, AttachToARunningContainer)
{
  Pb<Runtime__V1__PodSandboxConfig> config;
  std::string sandbox = RunSandbox ("attach", false, &config);
  ASSERT_FALSE (sandbox.empty ());
  // cat on the container's stdin; StdinOnce: our stdin's end is its end.
  ContainerSpec spec;
  spec.name = "cat";
  spec.command = { "cat" };
  spec.open_stdin = spec.stdin_once = true;
  std::string id = StartContainer (sandbox, spec, config.get ());
  ASSERT_FALSE (id.empty ());

  Runtime__V1__AttachRequest req = RUNTIME__V1__ATTACH_REQUEST__INIT;
  req.container_id = (char *) id.c_str ();
  req.stdin = req.stdout = req.stderr = true;
  Runtime__V1__AttachResponse *resp = nullptr;
  Error err;
  ASSERT_EQ (kl_cri_attach (cri_->client (), &req, &resp, &err.e), 0) << err.msg ();
  Pb<Runtime__V1__AttachResponse> r (resp);
  kl_stream_exec_options_t opts = {};
  opts.stdin = opts.stdout = opts.stderr = true;
  const char input[] = "through attach\n";
  opts.stdin_data = input;
  opts.stdin_len = strlen (input);
  Result res;
  ASSERT_EQ (kl_stream_client_exec (r->url, &opts, &res.r, &err.e), 0) << err.msg ();
  EXPECT_EQ (res.out (), input);
  EXPECT_EQ (res.err (), "");
  // cat saw its stdin end and exited 0.
  EXPECT_TRUE (WaitFor (
      [&] {
        Error e;
        auto status = cri_->ContainerStatus (id, &e);
        return status && status->state == RUNTIME__V1__CONTAINER_STATE__CONTAINER_EXITED;
      },
      20));
  auto status = cri_->ContainerStatus (id, &err);
  ASSERT_TRUE (status) << err.msg ();
  EXPECT_EQ (status->exit_code, 0);

  // An exited container has nothing to attach to.
  resp = nullptr;
  EXPECT_LT (kl_cri_attach (cri_->client (), &req, &resp, &err.e), 0);
  EXPECT_NE (strstr (err.msg (), "container not running"), nullptr) << err.msg ();
}

TEST_F (StreamingTest, AttachWithTtyAndResize)
{
  Pb<Runtime__V1__PodSandboxConfig> config;
  std::string sandbox = RunSandbox ("attach-tty", false, &config);
  ASSERT_FALSE (sandbox.empty ());
  ContainerSpec spec;
  spec.name = "tty";
  spec.command = { "sh", "-c",
                   "read x; for i in $(seq 100); do s=$(busybox stty size 2>/dev/null); "
                   "[ \"$s\" = \"40 120\" ] && break; sleep 0.1; done; echo \"got $x size $s\"" };
  spec.open_stdin = spec.tty = true;
  std::string id = StartContainer (sandbox, spec, config.get ());
  ASSERT_FALSE (id.empty ());

  Runtime__V1__AttachRequest req = RUNTIME__V1__ATTACH_REQUEST__INIT;
  req.container_id = (char *) id.c_str ();
  req.stdin = req.stdout = req.tty = true;
  Runtime__V1__AttachResponse *resp = nullptr;
  Error err;
  ASSERT_EQ (kl_cri_attach (cri_->client (), &req, &resp, &err.e), 0) << err.msg ();
  Pb<Runtime__V1__AttachResponse> r (resp);
  kl_terminal_size_t size = { 120, 40 };
  kl_stream_exec_options_t opts = {};
  opts.stdin = opts.stdout = opts.tty = true;
  opts.stdin_data = "hello\n";
  opts.stdin_len = 6;
  opts.keep_stdin_open = true; // a TTY's stdin ending would end the output too
  opts.resizes = &size;
  opts.n_resizes = 1;
  opts.timeout_ms = 20000;
  Result res;
  ASSERT_EQ (kl_stream_client_exec (r->url, &opts, &res.r, &err.e), 0) << err.msg ();
  // The TTY echoes the input, then the shell answers.
  EXPECT_NE (res.out ().find ("got hello size 40 120"), std::string::npos) << res.out ();
}

TEST_F (StreamingTest, PortForwardIntoACniPod)
{
  Pb<Runtime__V1__PodSandboxConfig> config;
  std::string sandbox = RunSandbox ("pf", false, &config);
  ASSERT_FALSE (sandbox.empty ());
  // An echo server on the pod's 8080, not the node's.
  ContainerSpec spec;
  spec.name = "echo";
  spec.command = { "nc", "-ll", "-p", "8080", "-e", "cat" };
  std::string id = StartContainer (sandbox, spec, config.get ());
  ASSERT_FALSE (id.empty ());
  ASSERT_TRUE (WaitFor (
      [&] {
        std::string out;
        int code = -1;
        Error e;
        return cri_->ExecSync (id, { "sh", "-c", "netstat -ltn | grep -q ':8080 '" }, 5, &out,
                               nullptr, &code, &e)
               && code == 0;
      },
      20));
  // The request crosses, our half-close ends cat, and its answer gets back.
  EXPECT_EQ (Forward (sandbox, 8080, "ping\n"), "ping\n");
  std::string big (200000, 'x');
  EXPECT_EQ (Forward (sandbox, 8080, big).size (), big.size ());

  // Nothing listens on 8081: the error names the port and the namespace.
  std::string refused = Forward (sandbox, 8081, "x");
  EXPECT_NE (refused.find ("failed to connect to localhost:8081 inside namespace /proc/"),
             std::string::npos)
      << refused;
  EXPECT_NE (refused.find (sandbox), std::string::npos) << refused;
}

TEST_F (StreamingTest, PortForwardIntoAHostNetworkPod)
{
  Pb<Runtime__V1__PodSandboxConfig> config;
  std::string sandbox = RunSandbox ("pf-host", true, &config);
  ASSERT_FALSE (sandbox.empty ());
  int port = 20000 + (int) (getpid () % 20000);
  ContainerSpec spec;
  spec.name = "echo";
  spec.has_linux = true;
  spec.network = RUNTIME__V1__NAMESPACE_MODE__NODE;
  spec.command = { "nc", "-ll", "-p", std::to_string (port), "-e", "cat" };
  std::string id = StartContainer (sandbox, spec, config.get ());
  ASSERT_FALSE (id.empty ());
  ASSERT_TRUE (WaitFor (
      [&] {
        std::string out;
        int code = -1;
        Error e;
        return cri_->ExecSync (
                   id, { "sh", "-c", "netstat -ltn | grep -q ':" + std::to_string (port) + " '" },
                   5, &out, nullptr, &code, &e)
               && code == 0;
      },
      20));
  EXPECT_EQ (Forward (sandbox, port, "host ping\n"), "host ping\n");
}

TEST_F (StreamingTest, UrlsAreSingleUse)
{
  std::string c = ExecTarget ();
  ASSERT_FALSE (c.empty ());
  std::string url = ExecUrl (c, { "echo", "once" }, false, true, false, false);
  kl_stream_exec_options_t opts = {};
  opts.stdout = true;
  Result first;
  Error err;
  ASSERT_EQ (kl_stream_client_exec (url.c_str (), &opts, &first.r, &err.e), 0) << err.msg ();
  EXPECT_EQ (first.out (), "once\n");
  Result again;
  EXPECT_LT (kl_stream_client_exec (url.c_str (), &opts, &again.r, &err.e), 0);
  EXPECT_TRUE (kl_error_is (err.e, KL_ERROR_NOT_FOUND)) << err.msg ();
  err.reset ();
  // A made-up token is no better.
  std::string forged = url.substr (0, url.rfind ('/') + 1) + "AAAAAAAA";
  EXPECT_LT (kl_stream_client_exec (forged.c_str (), &opts, &again.r, &err.e), 0);
  EXPECT_TRUE (kl_error_is (err.e, KL_ERROR_NOT_FOUND)) << err.msg ();
}

TEST_F (StreamingTest, UnknownOrStoppedTargets)
{
  Error err;
  Runtime__V1__ExecRequest ereq = RUNTIME__V1__EXEC_REQUEST__INIT;
  char *cmd[] = { (char *) "true" };
  ereq.container_id = (char *) "no-such-container";
  ereq.cmd = cmd;
  ereq.n_cmd = 1;
  ereq.stdout = true;
  Runtime__V1__ExecResponse *eresp = nullptr;
  EXPECT_LT (kl_cri_exec (cri_->client (), &ereq, &eresp, &err.e), 0);
  EXPECT_EQ (err.status (), KL_GRPC_NOT_FOUND) << err.msg ();
  err.reset ();

  Runtime__V1__AttachRequest areq = RUNTIME__V1__ATTACH_REQUEST__INIT;
  areq.container_id = (char *) "no-such-container";
  areq.stdout = true;
  Runtime__V1__AttachResponse *aresp = nullptr;
  EXPECT_LT (kl_cri_attach (cri_->client (), &areq, &aresp, &err.e), 0);
  EXPECT_EQ (err.status (), KL_GRPC_NOT_FOUND) << err.msg ();
  err.reset ();

  Runtime__V1__PortForwardRequest preq = RUNTIME__V1__PORT_FORWARD_REQUEST__INIT;
  preq.pod_sandbox_id = (char *) "no-such-sandbox";
  Runtime__V1__PortForwardResponse *presp = nullptr;
  EXPECT_LT (kl_cri_port_forward (cri_->client (), &preq, &presp, &err.e), 0);
  EXPECT_EQ (err.status (), KL_GRPC_NOT_FOUND) << err.msg ();
  err.reset ();

  // A sandbox is not a container to exec in, nor a container a sandbox.
  std::string c = ExecTarget ();
  ASSERT_FALSE (c.empty ());
  std::string sandbox = sandboxes_.back ().second;
  ereq.container_id = (char *) sandbox.c_str ();
  EXPECT_LT (kl_cri_exec (cri_->client (), &ereq, &eresp, &err.e), 0);
  EXPECT_EQ (err.status (), KL_GRPC_NOT_FOUND) << err.msg ();
  err.reset ();
  preq.pod_sandbox_id = (char *) c.c_str ();
  EXPECT_LT (kl_cri_port_forward (cri_->client (), &preq, &presp, &err.e), 0);
  EXPECT_EQ (err.status (), KL_GRPC_NOT_FOUND) << err.msg ();
  err.reset ();

  // A stopped container.
  ASSERT_TRUE (cri_->StopContainer (c, 0, &err)) << err.msg ();
  ereq.container_id = (char *) c.c_str ();
  EXPECT_LT (kl_cri_exec (cri_->client (), &ereq, &eresp, &err.e), 0);
  EXPECT_NE (strstr (err.msg (), "container not running"), nullptr) << err.msg ();
}

} // namespace

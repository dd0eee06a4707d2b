// HTTP probes against a libmicrohttpd server on 127.0.0.1.
#include <gtest/gtest.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <strings.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>

#include "pkg/kubelet/prober/testing.h"

namespace {

using kl_prober_testing::RunProbe;
using Clock = std::chrono::steady_clock;

// Header names compare without case, as HTTP's do.
struct CaseLess
{
  bool
  operator() (const std::string &a, const std::string &b) const
  {
    return strcasecmp (a.c_str (), b.c_str ()) < 0;
  }
};
using HeaderMap = std::map<std::string, std::string, CaseLess>;

// Answers by path and remembers the requests it saw.
class HttpServer
{
public:
  HttpServer ()
  {
    struct sockaddr_in addr = {};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
    daemon_ = MHD_start_daemon (MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION, 0,
                                nullptr, nullptr, &HttpServer::Handle, this, MHD_OPTION_SOCK_ADDR,
                                &addr, MHD_OPTION_END);
    if (daemon_ != nullptr)
      port_ = MHD_get_daemon_info (daemon_, MHD_DAEMON_INFO_BIND_PORT)->port;
  }

  ~HttpServer ()
  {
    {
      std::lock_guard<std::mutex> lock (mu_);
      stopping_ = true;
    }
    cv_.notify_all ();
    if (daemon_ != nullptr)
      MHD_stop_daemon (daemon_);
  }

  int
  port () const
  {
    return port_;
  }

  int
  Hits (const std::string &path)
  {
    std::lock_guard<std::mutex> lock (mu_);
    return hits_[path];
  }

  HeaderMap
  Headers ()
  {
    std::lock_guard<std::mutex> lock (mu_);
    return headers_;
  }

private:
  static enum MHD_Result
  CollectHeader (void *cls, enum MHD_ValueKind, const char *key, const char *value)
  {
    (*static_cast<HeaderMap *> (cls))[key] = value ? value : "";
    return MHD_YES;
  }

  static enum MHD_Result
  Reply (struct MHD_Connection *connection, unsigned status, const std::string &body,
         const std::string &location = "")
  {
    struct MHD_Response *response = MHD_create_response_from_buffer (
        body.size (), (void *) body.data (), MHD_RESPMEM_MUST_COPY);
    if (!location.empty ())
      MHD_add_response_header (response, "Location", location.c_str ());
    enum MHD_Result ret = MHD_queue_response (connection, status, response);
    MHD_destroy_response (response);
    return ret;
  }

  static enum MHD_Result
  Handle (void *cls, struct MHD_Connection *connection, const char *url, const char *method,
          const char *, const char *, size_t *, void **)
  {
    auto *self = static_cast<HttpServer *> (cls);
    std::string path = url;
    HeaderMap headers;
    MHD_get_connection_values (connection, MHD_HEADER_KIND, CollectHeader, &headers);
    {
      std::lock_guard<std::mutex> lock (self->mu_);
      self->hits_[path]++;
      self->headers_ = headers;
    }
    if (std::string (method) != "GET")
      return Reply (connection, 405, "GET only");
    std::string here = "http://127.0.0.1:" + std::to_string (self->port_);
    if (path == "/ok")
      return Reply (connection, 200, "ok");
    if (path == "/fail")
      return Reply (connection, 500, "boom");
    if (path == "/slow")
      {
        // Answers only when the test ends: longer than any probe waits.
        std::unique_lock<std::mutex> lock (self->mu_);
        self->cv_.wait_for (lock, std::chrono::seconds (30), [self] { return self->stopping_; });
        return Reply (connection, 200, "late");
      }
    if (path == "/redirect-same")
      return Reply (connection, 302, "", here + "/ok");
    if (path == "/redirect-other")
      return Reply (connection, 302, "moved", "http://other-host.invalid:1/ok");
    if (path == "/loop")
      return Reply (connection, 301, "", "/loop");
    if (path == "/big")
      return Reply (connection, 200, std::string (20 * 1024, 'b'));
    return Reply (connection, 404, "not found");
  }

  struct MHD_Daemon *daemon_ = nullptr;
  int port_ = 0;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::map<std::string, int> hits_;
  HeaderMap headers_;
};

class HttpProbeTest : public ::testing::Test
{
protected:
  void
  SetUp () override
  {
    ASSERT_GT (server_.port (), 0) << "libmicrohttpd did not start";
    get_.path = (char *) "/ok";
    get_.port.int_value = server_.port ();
    get_.scheme = (char *) "HTTP";
    probe_.http_get = &get_;
    probe_.timeout_seconds = 5; // generous: valgrind makes the first transfer slow
    target_.probe = &probe_;
    target_.container = &container_;
    target_.pod_ip = "127.0.0.1";
    target_.cancel_fd = -1;
  }

  int
  Run (const char *path)
  {
    get_.path = (char *) path;
    return RunProbe (target_, &result_, &text_);
  }

  HttpServer server_;
  kl_http_get_action_t get_{};
  kl_probe_t probe_{};
  kl_container_t container_{};
  kl_probe_target_t target_{};
  kl_probe_result_t result_ = KL_PROBE_UNKNOWN;
  std::string text_;
};

TEST_F (HttpProbeTest, Status200IsSuccess)
{
  ASSERT_EQ (Run ("/ok"), 0) << text_;
  EXPECT_EQ (result_, KL_PROBE_SUCCESS);
  EXPECT_EQ (text_, "ok");
}

TEST_F (HttpProbeTest, Status500IsFailure)
{
  ASSERT_EQ (Run ("/fail"), 0) << text_;
  EXPECT_EQ (result_, KL_PROBE_FAILURE);
  EXPECT_EQ (text_, "HTTP probe failed with statuscode: 500");
  ASSERT_EQ (Run ("/missing"), 0) << text_;
  EXPECT_EQ (result_, KL_PROBE_FAILURE);
  EXPECT_EQ (text_, "HTTP probe failed with statuscode: 404");
}

TEST_F (HttpProbeTest, SlowResponseTimesOut)
{
  probe_.timeout_seconds = 1;
  auto start = Clock::now ();
  ASSERT_EQ (Run ("/slow"), 0) << text_;
  auto elapsed = Clock::now () - start;
  EXPECT_EQ (result_, KL_PROBE_FAILURE);
  EXPECT_NE (text_.find ("timed out"), std::string::npos) << text_;
  EXPECT_GE (elapsed, std::chrono::milliseconds (900));
  EXPECT_LT (elapsed, std::chrono::seconds (5));
}

TEST_F (HttpProbeTest, SendsHeadersAndUserAgent)
{
  kl_http_header_t headers[] = {
    { (char *) "X-Custom", (char *) "yes" },
    { (char *) "Host", (char *) "probe.example" },
  };
  get_.http_headers = headers;
  get_.n_http_headers = 2;
  ASSERT_EQ (Run ("/ok"), 0) << text_;
  EXPECT_EQ (result_, KL_PROBE_SUCCESS);
  auto seen = server_.Headers ();
  EXPECT_EQ (seen["X-Custom"], "yes");
  EXPECT_EQ (seen["Host"], "probe.example");
  EXPECT_EQ (seen["User-Agent"], "kube-probe/0.1");
  EXPECT_EQ (seen["Accept"], "*/*");
}

TEST_F (HttpProbeTest, HeadersOverrideDefaults)
{
  kl_http_header_t headers[] = {
    { (char *) "user-agent", (char *) "mine/1.0" },
    { (char *) "Accept", (char *) "" }, // empty: no Accept at all, as Go
  };
  get_.http_headers = headers;
  get_.n_http_headers = 2;
  ASSERT_EQ (Run ("/ok"), 0) << text_;
  auto seen = server_.Headers ();
  EXPECT_EQ (seen["User-Agent"], "mine/1.0");
  EXPECT_EQ (seen.count ("Accept"), 0u);
}

TEST_F (HttpProbeTest, NamedPortFromTheContainer)
{
  kl_container_port_t ports[] = { { (char *) "web", 0, server_.port (), (char *) "TCP", nullptr } };
  container_.ports = ports;
  container_.n_ports = 1;
  get_.port.is_string = true;
  get_.port.string_value = (char *) "web";
  ASSERT_EQ (Run ("/ok"), 0) << text_;
  EXPECT_EQ (result_, KL_PROBE_SUCCESS);

  get_.port.string_value = (char *) "admin";
  ASSERT_LT (Run ("/ok"), 0);
  EXPECT_EQ (text_, "http probe: port \"admin\" not found");
}

TEST_F (HttpProbeTest, HostDefaultsToThePodIP)
{
  target_.pod_ip = "127.0.0.1";
  get_.host = nullptr;
  ASSERT_EQ (Run ("/ok"), 0) << text_;
  EXPECT_EQ (result_, KL_PROBE_SUCCESS);

  // An explicit host wins over the pod IP.
  target_.pod_ip = "192.0.2.1";
  get_.host = (char *) "127.0.0.1";
  ASSERT_EQ (Run ("/ok"), 0) << text_;
  EXPECT_EQ (result_, KL_PROBE_SUCCESS);
}

TEST_F (HttpProbeTest, PathWithoutSlashAndOddBytes)
{
  ASSERT_EQ (Run ("ok?note=a b"), 0) << text_;
  EXPECT_EQ (result_, KL_PROBE_SUCCESS);
  EXPECT_EQ (server_.Hits ("/ok"), 1);
}

TEST_F (HttpProbeTest, FollowsRedirectsToTheSameHost)
{
  ASSERT_EQ (Run ("/redirect-same"), 0) << text_;
  EXPECT_EQ (result_, KL_PROBE_SUCCESS);
  EXPECT_EQ (text_, "ok");
  EXPECT_EQ (server_.Hits ("/ok"), 1);
}

TEST_F (HttpProbeTest, StopsAtRedirectsToOtherHosts)
{
  ASSERT_EQ (Run ("/redirect-other"), 0) << text_;
  EXPECT_EQ (result_, KL_PROBE_SUCCESS); // Go's Warning: the redirect itself answers
  EXPECT_EQ (text_, "Probe terminated redirects, Response body: moved");
}

TEST_F (HttpProbeTest, StopsAfterTenRedirects)
{
  ASSERT_EQ (Run ("/loop"), 0) << text_;
  EXPECT_EQ (result_, KL_PROBE_FAILURE);
  EXPECT_NE (text_.find ("stopped after 10 redirects"), std::string::npos) << text_;
  EXPECT_EQ (server_.Hits ("/loop"), 10);
}

TEST_F (HttpProbeTest, BodyIsCappedAt10KiB)
{
  ASSERT_EQ (Run ("/big"), 0) << text_;
  EXPECT_EQ (result_, KL_PROBE_SUCCESS);
  EXPECT_EQ (text_.size (), 10u * 1024);
}

TEST_F (HttpProbeTest, ClosedPortIsFailure)
{
  int fd = socket (AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in addr = {};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  ASSERT_EQ (bind (fd, (struct sockaddr *) &addr, sizeof addr), 0);
  socklen_t len = sizeof addr;
  ASSERT_EQ (getsockname (fd, (struct sockaddr *) &addr, &len), 0);
  close (fd); // nothing listens there now
  get_.port.int_value = ntohs (addr.sin_port);
  ASSERT_EQ (Run ("/ok"), 0) << text_;
  EXPECT_EQ (result_, KL_PROBE_FAILURE);
  EXPECT_NE (text_.find ("Get \"http://127.0.0.1:"), std::string::npos) << text_;
}

TEST_F (HttpProbeTest, CancelAbandonsTheProbe)
{
  int fd = eventfd (0, EFD_CLOEXEC | EFD_NONBLOCK);
  ASSERT_GE (fd, 0);
  ASSERT_EQ (eventfd_write (fd, 1), 0);
  target_.cancel_fd = fd;
  probe_.timeout_seconds = 30;
  auto start = Clock::now ();
  EXPECT_LT (Run ("/slow"), 0);
  EXPECT_LT (Clock::now () - start, std::chrono::seconds (2));
  EXPECT_EQ (text_, "http probe: cancelled");
  close (fd);
}

} // namespace

// TCP probes against sockets on 127.0.0.1.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>

#include "pkg/kubelet/prober/testing.h"

namespace {

using kl_prober_testing::RunProbe;
using Clock = std::chrono::steady_clock;

// A TCP socket bound to 127.0.0.1 on an ephemeral port; listening if asked.
class LocalSocket
{
public:
  explicit LocalSocket (bool listening, int backlog = 16)
  {
    fd_ = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in addr = {};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
    if (bind (fd_, (struct sockaddr *) &addr, sizeof addr) < 0)
      return;
    socklen_t len = sizeof addr;
    getsockname (fd_, (struct sockaddr *) &addr, &len);
    port_ = ntohs (addr.sin_port);
    if (listening)
      listen (fd_, backlog);
  }
  ~LocalSocket () { Close (); }

  void
  Close ()
  {
    if (fd_ >= 0)
      close (fd_);
    fd_ = -1;
  }

  int
  port () const
  {
    return port_;
  }

private:
  int fd_ = -1;
  int port_ = 0;
};

class TcpProbeTest : public ::testing::Test
{
protected:
  void
  SetUp () override
  {
    tcp_.host = (char *) "127.0.0.1";
    probe_.tcp_socket = &tcp_;
    probe_.timeout_seconds = 5;
    target_.probe = &probe_;
    target_.container = &container_;
    target_.cancel_fd = -1;
  }

  int
  Run (int port)
  {
    tcp_.port.int_value = port;
    return RunProbe (target_, &result_, &text_);
  }

  kl_tcp_socket_action_t tcp_{};
  kl_probe_t probe_{};
  kl_container_t container_{};
  kl_probe_target_t target_{};
  kl_probe_result_t result_ = KL_PROBE_UNKNOWN;
  std::string text_;
};

TEST_F (TcpProbeTest, ListeningPortIsSuccess)
{
  LocalSocket server (true);
  ASSERT_GT (server.port (), 0);
  ASSERT_EQ (Run (server.port ()), 0) << text_;
  EXPECT_EQ (result_, KL_PROBE_SUCCESS);
  EXPECT_EQ (text_, "");
}

TEST_F (TcpProbeTest, ClosedPortIsFailure)
{
  LocalSocket bound (false); // bound, not listening: refused
  ASSERT_GT (bound.port (), 0);
  ASSERT_EQ (Run (bound.port ()), 0) << text_;
  EXPECT_EQ (result_, KL_PROBE_FAILURE);
  EXPECT_EQ (text_, "dial tcp 127.0.0.1:" + std::to_string (bound.port ())
                        + ": connect: Connection refused");
}

TEST_F (TcpProbeTest, NamedPortAndPodIP)
{
  LocalSocket server (true);
  kl_container_port_t ports[] = { { (char *) "db", 0, server.port (), (char *) "TCP", nullptr } };
  container_.ports = ports;
  container_.n_ports = 1;
  tcp_.host = nullptr;
  target_.pod_ip = "127.0.0.1";
  tcp_.port.is_string = true;
  tcp_.port.string_value = (char *) "db";
  ASSERT_EQ (RunProbe (target_, &result_, &text_), 0) << text_;
  EXPECT_EQ (result_, KL_PROBE_SUCCESS);

  tcp_.port.string_value = (char *) "cache";
  ASSERT_LT (RunProbe (target_, &result_, &text_), 0);
  EXPECT_EQ (text_, "tcp probe: port \"cache\" not found");
}

// With a backlog of 0 and one connection queued, Linux drops further SYNs:
// the connect hangs until the probe's timeout.
TEST_F (TcpProbeTest, UnansweredConnectTimesOut)
{
  LocalSocket server (true, 0);
  int filler = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in addr = {};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  addr.sin_port = htons (server.port ());
  ASSERT_EQ (connect (filler, (struct sockaddr *) &addr, sizeof addr), 0);
  probe_.timeout_seconds = 1;
  auto start = Clock::now ();
  ASSERT_EQ (Run (server.port ()), 0) << text_;
  auto elapsed = Clock::now () - start;
  EXPECT_EQ (result_, KL_PROBE_FAILURE);
  EXPECT_EQ (text_, "dial tcp 127.0.0.1:" + std::to_string (server.port ()) + ": i/o timeout");
  EXPECT_GE (elapsed, std::chrono::milliseconds (900));
  EXPECT_LT (elapsed, std::chrono::seconds (3));

  // The same hang ends at once when the probe is cancelled.
  int cancel = eventfd (0, EFD_CLOEXEC);
  ASSERT_EQ (eventfd_write (cancel, 1), 0);
  target_.cancel_fd = cancel;
  probe_.timeout_seconds = 30;
  start = Clock::now ();
  EXPECT_LT (Run (server.port ()), 0);
  EXPECT_LT (Clock::now () - start, std::chrono::seconds (1));
  EXPECT_EQ (text_, "tcp probe: cancelled");
  close (cancel);
  close (filler);
}

// No host and no pod IP yet: nothing to dial, which is a failure as in Go.
TEST_F (TcpProbeTest, NoHostIsFailure)
{
  tcp_.host = nullptr;
  target_.pod_ip = nullptr;
  ASSERT_EQ (Run (80), 0) << text_;
  EXPECT_EQ (result_, KL_PROBE_FAILURE);
  EXPECT_NE (text_.find ("dial tcp :80: lookup :"), std::string::npos) << text_;
}

} // namespace

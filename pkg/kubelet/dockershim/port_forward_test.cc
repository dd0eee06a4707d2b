// PortForward's plumbing without Docker: the copy's half-closes and hang-ups
// over socket pairs, and the connect inside a network namespace this test
// makes with unshare (skipped where namespaces cannot be made).
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <future>
#include <string>
#include <thread>

extern "C" {
#include "pkg/kubelet/dockershim/port_forward.h"
}

namespace {

struct Copy
{
  std::future<int> result;
  std::string error;
};

// Runs ds_copy_both_ways (a, b) on a thread of its own.
void
StartCopy (int a, int b, Copy *c)
{
  c->result = std::async (std::launch::async, [a, b, c] {
    kl_error_t err = nullptr;
    int ret = ds_copy_both_ways (a, b, &err);
    if (ret < 0)
      c->error = kl_error_message (err);
    kl_error_release (&err);
    return ret;
  });
}

bool
Finishes (Copy *c, int ms)
{
  return c->result.wait_for (std::chrono::milliseconds (ms)) == std::future_status::ready;
}

// Reads until EOF (or `max` bytes).
std::string
ReadAll (int fd, size_t max = 1 << 20)
{
  std::string s;
  char buf[4096];
  ssize_t n;
  while (s.size () < max && (n = read (fd, buf, sizeof buf)) > 0)
    s.append (buf, (size_t) n);
  return s;
}

void
WriteAll (int fd, const std::string &s)
{
  ASSERT_EQ (write (fd, s.data (), s.size ()), (ssize_t) s.size ()) << strerror (errno);
}

class PortForwardTest : public ::testing::Test
{
protected:
  void
  SetUp () override
  {
    ASSERT_EQ (socketpair (AF_UNIX, SOCK_STREAM, 0, client_), 0);
    ASSERT_EQ (socketpair (AF_UNIX, SOCK_STREAM, 0, pod_), 0);
  }
  void
  TearDown () override
  {
    for (int fd : { client_[0], client_[1], pod_[0], pod_[1] })
      if (fd >= 0)
        close (fd);
  }
  // client_[1] is the user, client_[0] the stream the server hands over;
  // pod_[0] our connection into the pod, pod_[1] the pod's server.
  int client_[2] = { -1, -1 };
  int pod_[2] = { -1, -1 };
};

TEST_F (PortForwardTest, HalfCloseLetsTheAnswerThrough)
{
  Copy copy;
  StartCopy (client_[0], pod_[0], &copy);
  // A request, then the client's half-close: the pod sees it all and EOF.
  const std::string request (100000, 'q');
  std::thread user ([&] { WriteAll (client_[1], request); });
  std::string got = ReadAll (pod_[1], request.size ());
  user.join ();
  ASSERT_EQ (shutdown (client_[1], SHUT_WR), 0);
  EXPECT_EQ (got.size (), request.size ());
  EXPECT_EQ (ReadAll (pod_[1]), "");
  EXPECT_FALSE (Finishes (&copy, 100)) << "the answer's direction must stay open";

  // The answer still flows back, then the pod closes: both ways done.
  WriteAll (pod_[1], "answer");
  close (pod_[1]);
  pod_[1] = -1;
  EXPECT_EQ (ReadAll (client_[1]), "answer");
  ASSERT_TRUE (Finishes (&copy, 2000));
  EXPECT_EQ (copy.result.get (), 0) << copy.error;
}

TEST_F (PortForwardTest, PodClosingFirstHalfClosesTheClient)
{
  Copy copy;
  StartCopy (client_[0], pod_[0], &copy);
  WriteAll (pod_[1], "banner\n");
  ASSERT_EQ (shutdown (pod_[1], SHUT_WR), 0);
  EXPECT_EQ (ReadAll (client_[1]), "banner\n");
  EXPECT_FALSE (Finishes (&copy, 100));
  WriteAll (client_[1], "late");
  ASSERT_EQ (shutdown (client_[1], SHUT_WR), 0);
  EXPECT_EQ (ReadAll (pod_[1]), "late");
  ASSERT_TRUE (Finishes (&copy, 2000));
  EXPECT_EQ (copy.result.get (), 0) << copy.error;
}

TEST_F (PortForwardTest, ClientKeepingItsSideOpenAfterThePodClosedGetsTheGrace)
{
  // kubectl keeps the data stream open until the forward ends: once the pod
  // closed, the copy must end by itself after the grace, not wait forever.
  Copy copy;
  StartCopy (client_[0], pod_[0], &copy);
  // The pod half-closes (it would still read): only the grace ends it.
  WriteAll (pod_[1], "bye\n");
  ASSERT_EQ (shutdown (pod_[1], SHUT_WR), 0);
  EXPECT_EQ (ReadAll (client_[1]), "bye\n");
  auto start = std::chrono::steady_clock::now ();
  ASSERT_TRUE (Finishes (&copy, DS_PORT_FORWARD_GRACE_MS + 2000));
  EXPECT_GE (std::chrono::steady_clock::now () - start,
             std::chrono::milliseconds (DS_PORT_FORWARD_GRACE_MS / 2));
  EXPECT_EQ (copy.result.get (), 0) << copy.error;
}

TEST_F (PortForwardTest, SlowAnswerAfterTheClientsHalfCloseStillArrives)
{
  // The grace applies only once the pod is done: a client that half-closed
  // gets the pod's answer however long it takes.
  Copy copy;
  StartCopy (client_[0], pod_[0], &copy);
  ASSERT_EQ (shutdown (client_[1], SHUT_WR), 0);
  EXPECT_EQ (ReadAll (pod_[1]), "");
  EXPECT_FALSE (Finishes (&copy, DS_PORT_FORWARD_GRACE_MS + 300));
  WriteAll (pod_[1], "late answer");
  close (pod_[1]);
  pod_[1] = -1;
  EXPECT_EQ (ReadAll (client_[1]), "late answer");
  ASSERT_TRUE (Finishes (&copy, 2000));
  EXPECT_EQ (copy.result.get (), 0) << copy.error;
}

TEST_F (PortForwardTest, ClientHangingUpEndsAQuietForward)
{
  // The pod never says anything and never closes: the client going away
  // entirely must still end the copy.
  Copy copy;
  StartCopy (client_[0], pod_[0], &copy);
  close (client_[1]);
  client_[1] = -1;
  ASSERT_TRUE (Finishes (&copy, 2000));
  EXPECT_EQ (copy.result.get (), 0) << copy.error;
  EXPECT_EQ (ReadAll (pod_[1]), ""); // the pod got its half-close
}

TEST_F (PortForwardTest, PodHangingUpDropsWhatItCannotTake)
{
  Copy copy;
  StartCopy (client_[0], pod_[0], &copy);
  close (pod_[1]);
  pod_[1] = -1;
  EXPECT_EQ (ReadAll (client_[1]), "");
  // More from the client goes nowhere, and the copy is over.
  ASSERT_TRUE (Finishes (&copy, 2000));
  EXPECT_EQ (copy.result.get (), 0) << copy.error;
}

// A TCP listener on 127.0.0.1 port 0 of the calling thread's namespace.
int
Listen (int *port)
{
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in addr = {};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (fd < 0 || bind (fd, (struct sockaddr *) &addr, sizeof addr) < 0 || listen (fd, 4) < 0
      || getsockname (fd, (struct sockaddr *) &addr, &len) < 0)
    {
      if (fd >= 0)
        close (fd);
      return -1;
    }
  *port = ntohs (addr.sin_port);
  return fd;
}

TEST (NetnsConnectTest, CallersNamespace)
{
  int port = 0;
  int listener = Listen (&port);
  ASSERT_GE (listener, 0) << strerror (errno);
  int fd = -1;
  kl_error_t err = nullptr;
  ASSERT_EQ (ds_netns_connect (nullptr, port, &fd, &err), 0) << kl_error_message (err);
  int accepted = accept (listener, nullptr, nullptr);
  ASSERT_GE (accepted, 0);
  WriteAll (fd, "ping");
  char buf[4];
  ASSERT_EQ (read (accepted, buf, 4), 4);
  EXPECT_EQ (std::string (buf, 4), "ping");
  close (fd);
  close (accepted);
  close (listener); // the port is free again: refused now

  ASSERT_LT (ds_netns_connect (nullptr, port, &fd, &err), 0);
  EXPECT_EQ (err->status, ECONNREFUSED);
  std::string want = "failed to connect to localhost:" + std::to_string (port)
                     + " inside namespace of the node: Connection refused";
  EXPECT_EQ (kl_error_message (err), want);
  kl_error_release (&err);

  EXPECT_LT (ds_netns_connect (nullptr, 0, &fd, &err), 0);
  EXPECT_STREQ (kl_error_message (err), "invalid port 0");
  kl_error_release (&err);
  EXPECT_LT (ds_netns_connect ("/nonexistent/ns/net", 80, &fd, &err), 0);
  EXPECT_STREQ (kl_error_message (err),
                "open network namespace /nonexistent/ns/net: No such file or directory");
  kl_error_release (&err);
}

std::string
ThreadNetns ()
{
  char buf[128] = "";
  ssize_t n = readlink ("/proc/thread-self/ns/net", buf, sizeof buf - 1);
  return n > 0 ? std::string (buf, (size_t) n) : "";
}

TEST (NetnsConnectTest, InsideAnotherNamespace)
{
  // A thread moves to a fresh namespace, brings its loopback up and
  // listens there; the namespace is named by an fd it keeps open.
  int ns_fd = -1, listener = -1, port = 0, setup_errno = 0;
  std::string step;
  std::thread make ([&] {
    if (unshare (CLONE_NEWNET) < 0)
      {
        setup_errno = errno;
        step = "unshare";
        return;
      }
    int s = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct ifreq ifr = {};
    strcpy (ifr.ifr_name, "lo");
    if (s < 0 || ioctl (s, SIOCGIFFLAGS, &ifr) < 0
        || (ifr.ifr_flags |= IFF_UP, ioctl (s, SIOCSIFFLAGS, &ifr) < 0))
      {
        setup_errno = errno;
        step = "lo up";
      }
    if (s >= 0)
      close (s);
    if (step.empty ())
      listener = Listen (&port);
    ns_fd = open ("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  });
  make.join ();
  if (step == "unshare" && (setup_errno == EPERM || setup_errno == EINVAL))
    GTEST_SKIP () << "cannot make a network namespace here: " << strerror (setup_errno);
  ASSERT_TRUE (step.empty ()) << step << ": " << strerror (setup_errno);
  ASSERT_GE (listener, 0);
  ASSERT_GE (ns_fd, 0);

  std::string path = "/proc/self/fd/" + std::to_string (ns_fd);
  std::string before = ThreadNetns ();
  int fd = -1;
  kl_error_t err = nullptr;
  ASSERT_EQ (ds_netns_connect (path.c_str (), port, &fd, &err), 0) << kl_error_message (err);
  EXPECT_EQ (ThreadNetns (), before) << "the caller's thread must keep its namespace";
  int accepted = accept (listener, nullptr, nullptr);
  ASSERT_GE (accepted, 0);
  WriteAll (fd, "hello");
  char buf[5];
  ASSERT_EQ (read (accepted, buf, 5), 5);
  EXPECT_EQ (std::string (buf, 5), "hello");
  close (fd);
  close (accepted);

  close (listener);
  ASSERT_LT (ds_netns_connect (path.c_str (), port, &fd, &err), 0);
  std::string want = "failed to connect to localhost:" + std::to_string (port)
                     + " inside namespace " + path + ": Connection refused";
  EXPECT_EQ (kl_error_message (err), want);
  kl_error_release (&err);
  close (ns_fd);
}

} // namespace

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

extern "C" {
#include "pkg/util/net.h"
#include "pkg/util/utils.h"
}

namespace {

TEST (NetTest, ListensOnAnEphemeralLoopbackPort)
{
  int fd = -1;
  bool ipv6 = true;
  kl_error_t err = nullptr;
  ASSERT_EQ (kl_net_listen_tcp ("127.0.0.1", 0, &fd, &ipv6, &err), 0);
  EXPECT_FALSE (ipv6);
  struct sockaddr_in addr = {};
  socklen_t len = sizeof addr;
  ASSERT_EQ (getsockname (fd, (struct sockaddr *) &addr, &len), 0);
  EXPECT_EQ (addr.sin_addr.s_addr, htonl (INADDR_LOOPBACK));
  EXPECT_NE (addr.sin_port, 0);

  // The same port again is taken, and the error says where.
  int port = ntohs (addr.sin_port);
  int other = -1;
  ASSERT_LT (kl_net_listen_tcp ("127.0.0.1", port, &other, &ipv6, &err), 0);
  EXPECT_NE (
      std::string (kl_error_message (err)).find ("listen on 127.0.0.1:" + std::to_string (port)),
      std::string::npos)
      << kl_error_message (err);
  kl_error_release (&err);
  close (fd);
}

TEST (NetTest, RefusesHostNames)
{
  int fd = -1;
  bool ipv6 = false;
  kl_error_t err = nullptr;
  ASSERT_LT (kl_net_listen_tcp ("localhost", 0, &fd, &ipv6, &err), 0);
  EXPECT_TRUE (kl_error_is (err, KL_ERROR_INVALID));
  EXPECT_STREQ (kl_error_message (err), "invalid address \"localhost\": not an IP address");
  kl_error_release (&err);
  EXPECT_EQ (fd, -1);
}

TEST (NetTest, HostPortBracketsIPv6)
{
  char *a = kl_net_host_port ("127.0.0.1", 80);
  char *b = kl_net_host_port ("::1", 80);
  EXPECT_STREQ (a, "127.0.0.1:80");
  EXPECT_STREQ (b, "[::1]:80");
  free (a);
  free (b);
}

} // namespace

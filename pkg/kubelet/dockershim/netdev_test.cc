#include <gtest/gtest.h>
#include <string.h>
#include <unistd.h>

#include <string>

extern "C" {
#include "pkg/kubelet/dockershim/netdev.h"
}

namespace {

const char kHeader[]
    = "Inter-|   Receive                                                |  Transmit\n"
      " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs "
      "drop fifo colls carrier compressed\n";

struct List
{
  ds_netdev_list_t l = { nullptr, 0 };
  ~List () { ds_netdev_list_clear (&l); }
};

std::string
ParseError (const std::string &text)
{
  List list;
  kl_error_t err = nullptr;
  EXPECT_LT (ds_netdev_parse (text.c_str (), &list.l, &err), 0) << text;
  std::string msg = kl_error_message (err);
  EXPECT_TRUE (kl_error_is (err, KL_ERROR_INVALID)) << msg;
  kl_error_release (&err);
  return msg;
}

TEST (NetdevTest, ParsesCountersOfEachInterface)
{
  std::string text = std::string (kHeader)
                     + "    lo:    1000      10    0    0    0     0          0         0     1000"
                       "      10    0    0    0     0       0          0\n"
                       "  eth0: 123456789012     951    7    1    0     0          0         0  "
                       "  4321      42    3    0    0     0       0          0\n";
  List list;
  kl_error_t err = nullptr;
  ASSERT_EQ (ds_netdev_parse (text.c_str (), &list.l, &err), 0) << kl_error_message (err);
  ASSERT_EQ (list.l.len, 2u);
  EXPECT_STREQ (list.l.items[0].name, "lo");
  const ds_netdev_t *eth0 = ds_netdev_find (&list.l, DS_NETDEV_DEFAULT_INTERFACE);
  ASSERT_NE (eth0, nullptr);
  EXPECT_EQ (eth0->rx_bytes, 123456789012ull);
  EXPECT_EQ (eth0->rx_errors, 7u);
  EXPECT_EQ (eth0->tx_bytes, 4321u);
  EXPECT_EQ (eth0->tx_errors, 3u);
  EXPECT_EQ (ds_netdev_find (&list.l, "eth1"), nullptr);
}

TEST (NetdevTest, NameGluedToTheFirstCounter)
{
  // Old kernels print no space after the colon once the counter is wide.
  std::string text
      = std::string (kHeader) + "eth0:4294967296 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15\n";
  List list;
  kl_error_t err = nullptr;
  ASSERT_EQ (ds_netdev_parse (text.c_str (), &list.l, &err), 0) << kl_error_message (err);
  ASSERT_EQ (list.l.len, 1u);
  EXPECT_EQ (list.l.items[0].rx_bytes, 4294967296ull);
  EXPECT_EQ (list.l.items[0].rx_errors, 2u);
  EXPECT_EQ (list.l.items[0].tx_bytes, 8u);
  EXPECT_EQ (list.l.items[0].tx_errors, 10u);
}

TEST (NetdevTest, HeadersOnlyIsEmpty)
{
  List list;
  kl_error_t err = nullptr;
  ASSERT_EQ (ds_netdev_parse (kHeader, &list.l, &err), 0) << kl_error_message (err);
  EXPECT_EQ (list.l.len, 0u);
}

TEST (NetdevTest, RejectsMalformedText)
{
  EXPECT_NE (ParseError ("").find ("missing header"), std::string::npos);
  EXPECT_NE (ParseError ("eth0: 1 2 3\n").find ("line 1: expected a header"), std::string::npos);
  std::string h (kHeader);
  EXPECT_NE (
      ParseError (h + "eth0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n").find ("line 3: no ':'"),
      std::string::npos);
  EXPECT_NE (ParseError (h + "eth0: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15\n").find ("counter 16"),
             std::string::npos);
  EXPECT_NE (ParseError (h + "eth0: 1 2 x 4 5 6 7 8 9 10 11 12 13 14 15 16\n").find ("counter 3"),
             std::string::npos);
  EXPECT_NE (ParseError (h + "eth0: -1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n").find ("counter 1"),
             std::string::npos);
  EXPECT_NE (ParseError (h + "eth0: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17\n").find ("trailing"),
             std::string::npos);
  EXPECT_NE (ParseError (h + "eth0: 99999999999999999999 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n")
                 .find ("out of range"),
             std::string::npos);
  EXPECT_NE (ParseError (h + ": 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n").find ("name length"),
             std::string::npos);
}

TEST (NetdevTest, ReadsOwnNamespace)
{
  // This process's namespace has at least the loopback interface.
  List list;
  kl_error_t err = nullptr;
  ASSERT_EQ (ds_netdev_read (getpid (), &list.l, &err), 0) << kl_error_message (err);
  EXPECT_NE (ds_netdev_find (&list.l, "lo"), nullptr);
  EXPECT_LT (ds_netdev_read (0, &list.l, &err), 0);
  EXPECT_TRUE (kl_error_is (err, KL_ERROR_INVALID));
  kl_error_release (&err);
}

} // namespace

#include "test/e2e_node/sanitizer_report.h"

#include <gtest/gtest.h>

namespace e2e {
namespace {

TEST (SanitizerReportTest, CleanLogHasNone)
{
  EXPECT_EQ (SanitizerReport (""), "");
  EXPECT_EQ (SanitizerReport ("I0101 kubelet.c:10] started\n"
                              "E0101 sync.c:99] pod web: container runtime error: timeout\n"),
             "");
}

TEST (SanitizerReportTest, AddressSanitizerFromItsLineToSummary)
{
  std::string log = "I0101 kubelet.c:10] started\n"
                    "=================================================================\n"
                    "==42==ERROR: AddressSanitizer: heap-use-after-free on address 0x6020\n"
                    "    #0 0x1 in kl_pod_free pkg/kubelet/api/pod.c:12\n"
                    "SUMMARY: AddressSanitizer: heap-use-after-free pkg/kubelet/api/pod.c:12\n"
                    "==42==ABORTING\n";
  std::string report = SanitizerReport (log);
  EXPECT_EQ (report.find ("==42==ERROR: AddressSanitizer: heap-use-after-free"), 0u) << report;
  EXPECT_NE (report.find ("pod.c:12\n"), std::string::npos) << report;
  EXPECT_NE (report.find ("SUMMARY: AddressSanitizer"), std::string::npos) << report;
  EXPECT_EQ (report.find ("ABORTING"), std::string::npos) << report;
}

TEST (SanitizerReportTest, LeakSanitizer)
{
  std::string report = SanitizerReport ("x\n==7==ERROR: LeakSanitizer: detected memory leaks\n"
                                        "Direct leak of 16 byte(s) in 1 object(s)\n");
  EXPECT_EQ (report, "==7==ERROR: LeakSanitizer: detected memory leaks\n"
                     "Direct leak of 16 byte(s) in 1 object(s)\n");
}

TEST (SanitizerReportTest, UndefinedBehaviorSanitizer)
{
  std::string report
      = SanitizerReport ("I0101 ok\npkg/util/quantity.c:88:14: runtime error: signed integer "
                         "overflow: 9223372036854775807 + 1 cannot be represented\n");
  EXPECT_EQ (report.find ("pkg/util/quantity.c:88:14: runtime error: signed integer overflow"), 0u)
      << report;
}

TEST (SanitizerReportTest, EarliestReportWins)
{
  std::string report = SanitizerReport ("a.c:1:2: runtime error: shift exponent 70\n"
                                        "==1==ERROR: AddressSanitizer: SEGV\n");
  EXPECT_EQ (report.find ("a.c:1:2: runtime error"), 0u) << report;
}

TEST (SanitizerReportTest, LongReportIsCapped)
{
  std::string log = "==1==ERROR: AddressSanitizer: stack-overflow\n" + std::string (100000, 'x');
  EXPECT_EQ (SanitizerReport (log).size (), 8192u);
}

} // namespace
} // namespace e2e

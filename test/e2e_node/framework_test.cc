// The framework's own checks, with a stand-in script for the kubelet: a
// sanitizer report in the kubelet's log fails the test, and
// KL_E2E_KUBELET_WRAPPER runs before the kubelet.
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <string>

#include "test/e2e_node/framework.h"

namespace e2e {
namespace {

class FrameworkTest : public ::testing::Test
{
protected:
  void
  SetUp () override
  {
    const char *tmp = getenv ("TEST_TMPDIR");
    dir_ = std::string (tmp ? tmp : "/tmp") + "/"
           + ::testing::UnitTest::GetInstance ()->current_test_info ()->name ();
    mkdir (dir_.c_str (), 0755);
    // Port 1 never answers /healthz: Start () waits for the process to end.
    env_.healthz_port = 1;
    env_.read_only_port = 1;
    env_.endpoint = "unix:///nonexistent.sock";
  }

  // A stand-in kubelet: a shell script with this body.
  void
  FakeKubelet (const std::string &body)
  {
    env_.kubelet = dir_ + "/fake-kubelet";
    WriteFile (env_.kubelet, "#!/bin/sh\n" + body);
    chmod (env_.kubelet.c_str (), 0755);
  }

  Env env_;
  std::string dir_;
};

TEST_F (FrameworkTest, AddressSanitizerReportFailsTheTest)
{
  FakeKubelet ("echo 'I0101 started' >&2\n"
               "echo '==9==ERROR: AddressSanitizer: heap-use-after-free on address 0x1' >&2\n"
               "echo 'SUMMARY: AddressSanitizer: heap-use-after-free pod.c:3' >&2\n"
               "exit 1\n");
  Kubelet kubelet (env_, dir_ + "/kubelet");
  EXPECT_NONFATAL_FAILURE (
      {
        kubelet.Start ();
        kubelet.Stop ();
      },
      "==9==ERROR: AddressSanitizer: heap-use-after-free");
}

TEST_F (FrameworkTest, ReportIsCountedOnceAcrossRestarts)
{
  FakeKubelet ("if [ -e \"$0.ran\" ]; then exit 0; fi\n"
               ": >\"$0.ran\"\n"
               "echo '==3==ERROR: LeakSanitizer: detected memory leaks' >&2\n"
               "exit 23\n");
  Kubelet kubelet (env_, dir_ + "/kubelet");
  EXPECT_NONFATAL_FAILURE (kubelet.Start (), "LeakSanitizer: detected memory leaks");
  // The second run is clean: the old report in the same log is not news.
  kubelet.Start ();
  kubelet.Stop ();
}

TEST_F (FrameworkTest, CleanExitPassesAndWrapperRunsFirst)
{
  FakeKubelet ("echo \"wrapped=$KL_FAKE_WRAPPED args=$*\" >&2\n");
  env_.wrapper = { "env", "KL_FAKE_WRAPPED=yes" };
  Kubelet kubelet (env_, dir_ + "/kubelet");
  kubelet.Start ();
  kubelet.Stop ();
  EXPECT_FALSE (kubelet.Running ());
  std::string log = kubelet.Logs ();
  EXPECT_NE (log.find ("wrapped=yes args=--config=" + dir_ + "/kubelet/kubelet.yaml"),
             std::string::npos)
      << log;
}

} // namespace
} // namespace e2e

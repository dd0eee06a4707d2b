// Exec probes against a fake runtime with scripted ExecSync replies.
#include <gtest/gtest.h>

#include <string>

#include "pkg/kubelet/prober/testing.h"

namespace {

using kl_prober_testing::ExecCall;
using kl_prober_testing::ExecReply;
using kl_prober_testing::FakeRuntime;
using kl_prober_testing::RunProbe;

class ExecProbeTest : public ::testing::Test
{
protected:
  void
  SetUp () override
  {
    command_[0] = (char *) "sh";
    command_[1] = (char *) "-c";
    command_[2] = (char *) "check $(TARGET)";
    exec_.command = command_;
    exec_.n_command = 3;
    probe_.exec = &exec_;
    probe_.timeout_seconds = 5;
    env_[0] = { (char *) "TARGET", (char *) "db" };
    container_.env = env_;
    container_.n_env = 1;
    target_.probe = &probe_;
    target_.container = &container_;
    target_.container_id = "containerd://abc123";
    target_.runtime = fake_.runtime ();
    target_.cancel_fd = -1;
  }

  int
  Run (const ExecReply &reply)
  {
    fake_.SetScript ([reply] (const ExecCall &) { return reply; });
    return RunProbe (target_, &result_, &text_);
  }

  FakeRuntime fake_;
  char *command_[3];
  kl_exec_action_t exec_{};
  kl_probe_t probe_{};
  kl_env_var_t env_[1];
  kl_container_t container_{};
  kl_probe_target_t target_{};
  kl_probe_result_t result_ = KL_PROBE_UNKNOWN;
  std::string text_;
};

TEST_F (ExecProbeTest, ExitZeroIsSuccess)
{
  ExecReply reply;
  reply.out = "all ";
  reply.err = "good";
  ASSERT_EQ (Run (reply), 0) << text_;
  EXPECT_EQ (result_, KL_PROBE_SUCCESS);
  EXPECT_EQ (text_, "all good"); // stdout then stderr, as Go's RunInContainer
  auto calls = fake_.Calls ();
  ASSERT_EQ (calls.size (), 1u);
  EXPECT_EQ (calls[0].container_id, "abc123"); // "<type>://" stripped
  ASSERT_EQ (calls[0].cmd.size (), 3u);
  EXPECT_EQ (calls[0].cmd[0], "sh");
  EXPECT_EQ (calls[0].cmd[2], "check db"); // $(VAR) from the container's env
  EXPECT_EQ (calls[0].timeout, 5);         // timeoutSeconds
}

TEST_F (ExecProbeTest, NonZeroExitIsFailureWithOutput)
{
  ExecReply reply;
  reply.exit_code = 1;
  reply.out = "connection refused\n";
  ASSERT_EQ (Run (reply), 0) << text_;
  EXPECT_EQ (result_, KL_PROBE_FAILURE);
  EXPECT_EQ (text_, "connection refused\n");
}

TEST_F (ExecProbeTest, DeadlineIsFailure)
{
  ExecReply reply;
  reply.fail = true;
  reply.kind = KL_ERROR_TIMEOUT;
  reply.message = "rpc error: code = DeadlineExceeded desc = context deadline exceeded";
  ASSERT_EQ (Run (reply), 0) << text_;
  EXPECT_EQ (result_, KL_PROBE_FAILURE);
  EXPECT_EQ (text_, "command \"sh -c check db\" timed out");
}

TEST_F (ExecProbeTest, OtherRuntimeErrorsAreUnknown)
{
  ExecReply reply;
  reply.fail = true;
  reply.kind = KL_ERROR_UNAVAILABLE;
  reply.message = "rpc error: code = Unavailable desc = connection refused";
  ASSERT_LT (Run (reply), 0);
  EXPECT_EQ (text_, "exec probe: rpc error: code = Unavailable desc = connection refused");
}

TEST_F (ExecProbeTest, OutputIsCappedAt10KiB)
{
  ExecReply reply;
  reply.exit_code = 2;
  reply.out = std::string (8 * 1024, 'o');
  reply.err = std::string (8 * 1024, 'e');
  ASSERT_EQ (Run (reply), 0) << text_;
  EXPECT_EQ (result_, KL_PROBE_FAILURE);
  ASSERT_EQ (text_.size (), 10u * 1024);
  EXPECT_EQ (text_.substr (8 * 1024), std::string (2 * 1024, 'e'));
}

TEST_F (ExecProbeTest, NeedsARuntimeAndAContainer)
{
  target_.runtime = nullptr;
  ASSERT_LT (Run (ExecReply ()), 0);
  EXPECT_EQ (text_, "exec probe: no container runtime to exec in");
  target_.runtime = fake_.runtime ();
  target_.container_id = "";
  ASSERT_LT (Run (ExecReply ()), 0);
  EXPECT_EQ (text_, "exec probe: no container ID");
  EXPECT_TRUE (fake_.Calls ().empty ());
}

TEST_F (ExecProbeTest, OtherRuntimeOpsFailInTheFake)
{
  // The fake's other ops answer with an error, so a stray call shows up.
  Runtime__V1__VersionRequest request = RUNTIME__V1__VERSION_REQUEST__INIT;
  Runtime__V1__VersionResponse *response = nullptr;
  kl_error_t err = nullptr;
  EXPECT_LT (kl_runtime_version (fake_.runtime (), &request, &response, &err), 0);
  EXPECT_STREQ (kl_error_message (err), "fake runtime: Version is not implemented");
  kl_error_release (&err);
}

} // namespace

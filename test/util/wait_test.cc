#include "test/util/wait.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <time.h>

namespace {

double
Now ()
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

TEST (WaitTest, WaitForReturnsOnceTheConditionHolds)
{
  int calls = 0;
  EXPECT_TRUE (kl_test::WaitFor ([&] { return ++calls == 3; }, 10));
  EXPECT_EQ (calls, 3);
}

TEST (WaitTest, WaitForGivesUpAfterTheDeadline)
{
  double start = Now ();
  EXPECT_FALSE (kl_test::WaitFor ([] { return false; }, 1));
  double took = Now () - start;
  EXPECT_GE (took, 1.0);
  EXPECT_LT (took, 3.0);
}

TEST (WaitTest, TimeoutScale)
{
  unsetenv ("KL_TEST_TIMEOUT_SCALE");
  EXPECT_EQ (kl_test::TimeoutScale (), 1);
  setenv ("KL_TEST_TIMEOUT_SCALE", "2.5", 1);
  EXPECT_EQ (kl_test::TimeoutScale (), 2.5);
  setenv ("KL_TEST_TIMEOUT_SCALE", "", 1);
  EXPECT_EQ (kl_test::TimeoutScale (), 1);
  unsetenv ("KL_TEST_TIMEOUT_SCALE");
}

TEST (WaitDeathTest, BadTimeoutScaleAborts)
{
  for (const char *bad : { "fast", "0.5", "2x", "-3", "1e9" })
    {
      setenv ("KL_TEST_TIMEOUT_SCALE", bad, 1);
      EXPECT_DEATH (kl_test::TimeoutScale (), "want a number from 1 to 1000") << bad;
    }
  unsetenv ("KL_TEST_TIMEOUT_SCALE");
}

} // namespace

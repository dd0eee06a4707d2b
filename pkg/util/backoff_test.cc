#include <gtest/gtest.h>

extern "C" {
#include "pkg/util/backoff.h"
}

namespace {

const int64_t S = 1000000000LL;

TEST (BackoffTest, DoublesUpToMaxAndResetsAfterTwiceMax)
{
  kl_backoff_t b;
  kl_backoff_init (&b, 10 * S, 300 * S);
  const char *key = "web";
  // First failure at t=0: not backing off yet, then 10s.
  EXPECT_FALSE (kl_backoff_in_backoff_since (&b, key, 0, 0, NULL));
  kl_backoff_next (&b, key, 0);
  EXPECT_EQ (kl_backoff_get (&b, key), 10 * S);
  int64_t remaining = 0;
  EXPECT_TRUE (kl_backoff_in_backoff_since (&b, key, 0, 4 * S, &remaining));
  EXPECT_EQ (remaining, 6 * S);
  EXPECT_FALSE (kl_backoff_in_backoff_since (&b, key, 0, 10 * S, NULL));
  // Each further failure doubles: 20, 40, 80, 160, 300 (cap), 300.
  int64_t t = 10 * S;
  int64_t want[] = { 20, 40, 80, 160, 300, 300 };
  for (int64_t w : want)
    {
      kl_backoff_next (&b, key, t);
      EXPECT_EQ (kl_backoff_get (&b, key), w * S);
      t += w * S;
    }
  // Ten quiet minutes (2 x max) later the delay starts over.
  EXPECT_FALSE (kl_backoff_in_backoff_since (&b, key, t, t + 601 * S, NULL));
  kl_backoff_next (&b, key, t + 601 * S);
  EXPECT_EQ (kl_backoff_get (&b, key), 10 * S);
  kl_backoff_destroy (&b);
}

TEST (BackoffTest, KeysAreIndependentAndForgettable)
{
  kl_backoff_t b;
  kl_backoff_init (&b, 10 * S, 300 * S);
  kl_backoff_next (&b, "pod-a/web", 0);
  kl_backoff_next (&b, "pod-a/web", S);
  kl_backoff_next (&b, "pod-b/web", 0);
  EXPECT_EQ (kl_backoff_get (&b, "pod-a/web"), 20 * S);
  EXPECT_EQ (kl_backoff_get (&b, "pod-b/web"), 10 * S);
  kl_backoff_forget_prefix (&b, "pod-a/");
  EXPECT_EQ (kl_backoff_get (&b, "pod-a/web"), 0);
  EXPECT_EQ (kl_backoff_get (&b, "pod-b/web"), 10 * S);
  kl_backoff_destroy (&b);
}

} // namespace

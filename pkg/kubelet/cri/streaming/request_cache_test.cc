#include <gtest/gtest.h>

#include <set>
#include <string>

extern "C" {
#include "pkg/kubelet/cri/streaming/request_cache.h"
#include "pkg/util/utils.h"
}

namespace {

kl_stream_request_t *
Request (const char *id)
{
  auto *r = (kl_stream_request_t *) xmalloc0 (sizeof (kl_stream_request_t));
  r->kind = KL_STREAM_EXEC;
  r->id = xstrdup (id);
  return r;
}

const int64_t kSecond = 1000000000;

TEST (RequestCache, TokensAreSingleUseUrlSafeAndDistinct)
{
  kl_request_cache_t *cache = kl_request_cache_new (60 * kSecond, 1000);
  std::set<std::string> seen;
  for (int i = 0; i < 100; i++)
    {
      char *token = nullptr;
      kl_error_t err = nullptr;
      ASSERT_EQ (0, kl_request_cache_insert (cache, Request ("c"), 0, &token, &err));
      ASSERT_EQ ((size_t) KL_STREAM_TOKEN_LEN, strlen (token));
      EXPECT_EQ (
          strlen (token),
          strspn (token, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"));
      EXPECT_TRUE (seen.insert (token).second);
      free (token);
    }
  std::string first = *seen.begin ();
  kl_stream_request_t *r = kl_request_cache_consume (cache, first.c_str (), kSecond);
  ASSERT_NE (nullptr, r);
  EXPECT_STREQ ("c", r->id);
  kl_stream_request_free (r);
  EXPECT_EQ (nullptr, kl_request_cache_consume (cache, first.c_str (), kSecond));
  EXPECT_EQ (nullptr, kl_request_cache_consume (cache, "unknown", kSecond));
  EXPECT_EQ (99u, kl_request_cache_len (cache));
  kl_request_cache_free (cache);
}

TEST (RequestCache, ExpiredTokensAreGone)
{
  kl_request_cache_t *cache = kl_request_cache_new (60 * kSecond, 1000);
  char *token = nullptr;
  kl_error_t err = nullptr;
  ASSERT_EQ (0, kl_request_cache_insert (cache, Request ("c"), 0, &token, &err));
  EXPECT_EQ (nullptr, kl_request_cache_consume (cache, token, 60 * kSecond));
  free (token);
  ASSERT_EQ (0, kl_request_cache_insert (cache, Request ("d"), 0, &token, &err));
  kl_stream_request_t *r = kl_request_cache_consume (cache, token, 60 * kSecond - 1);
  ASSERT_NE (nullptr, r);
  kl_stream_request_free (r);
  free (token);
  kl_request_cache_free (cache);
}

TEST (RequestCache, CapsOutstandingRequestsButSweepsExpiredOnes)
{
  kl_request_cache_t *cache = kl_request_cache_new (10 * kSecond, 3);
  kl_error_t err = nullptr;
  for (int i = 0; i < 3; i++)
    {
      char *token = nullptr;
      ASSERT_EQ (0, kl_request_cache_insert (cache, Request ("c"), 0, &token, &err));
      free (token);
    }
  char *token = nullptr;
  kl_stream_request_t *extra = Request ("x");
  ASSERT_LT (kl_request_cache_insert (cache, extra, kSecond, &token, &err), 0);
  EXPECT_TRUE (kl_error_is (err, KL_ERROR_UNAVAILABLE)) << kl_error_message (err);
  kl_error_release (&err);
  kl_stream_request_free (extra); // not taken on failure
  // Once the first three expired, there is room again.
  ASSERT_EQ (0, kl_request_cache_insert (cache, Request ("y"), 10 * kSecond, &token, &err));
  EXPECT_EQ (1u, kl_request_cache_len (cache));
  free (token);
  kl_request_cache_free (cache);
}

} // namespace

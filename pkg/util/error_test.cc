#include <errno.h>
#include <gtest/gtest.h>

extern "C" {
#include "pkg/util/error.h"
}

TEST (ErrorTest, MakeErrorAppendsErrnoAndClassifies)
{
  kl_error_t err = NULL;
  int ret = kl_make_error (&err, ENOENT, "open %s", "/nonexistent");
  EXPECT_LT (ret, 0);
  ASSERT_NE (err, nullptr);
  EXPECT_STREQ (kl_error_message (err), "open /nonexistent: No such file or directory");
  EXPECT_TRUE (kl_error_is (err, KL_ERROR_NOT_FOUND));
  kl_error_release (&err);
  EXPECT_EQ (err, nullptr);
}

TEST (ErrorTest, WrapPrefixesContext)
{
  kl_error_t err = NULL;
  kl_make_error_kind (&err, KL_ERROR_INVALID, 0, "spec.containers[0].image: required");
  kl_error_wrap (&err, "static pod \"%s\" in %s", "web", "/etc/kubernetes/manifests/web.yaml");
  EXPECT_STREQ (kl_error_message (err), "static pod \"web\" in /etc/kubernetes/manifests/web.yaml: "
                                        "spec.containers[0].image: required");
  EXPECT_TRUE (kl_error_is (err, KL_ERROR_INVALID));
  EXPECT_EQ (err->status, 0);
  kl_error_release (&err);
}

TEST (ErrorTest, NullErrIsAllowed)
{
  EXPECT_LT (kl_make_error (NULL, EINVAL, "x"), 0);
  EXPECT_STREQ (kl_error_message (NULL), "");
  EXPECT_FALSE (kl_error_is (NULL, KL_ERROR_GENERIC));
}

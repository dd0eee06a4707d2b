#include <gtest/gtest.h>

#include <string>

extern "C" {
#include "pkg/kubelet/volume/path.h"
}

namespace {

TEST (PathComponentTest, AcceptsNames)
{
  /* No decoding happens: "..%2f" is a literal name. */
  for (const char *s :
       { "web", "kube-system", "0123abcd-uid", "my_pod.v2", "a", "...", ".hidden", "..%2f" })
    EXPECT_TRUE (kl_path_component_ok (s)) << s;
  EXPECT_TRUE (kl_path_component_ok (std::string (KL_PATH_COMPONENT_MAX, 'a').c_str ()));
}

TEST (PathComponentTest, RefusesTraversalAndOddNames)
{
  for (const char *s :
       { "", ".", "..", "../../etc", "a/b", "/etc", "etc/", "../", "/", "uid/../../../etc/passwd" })
    EXPECT_FALSE (kl_path_component_ok (s)) << s;
  EXPECT_FALSE (kl_path_component_ok (nullptr));
  EXPECT_FALSE (kl_path_component_ok (std::string (KL_PATH_COMPONENT_MAX + 1, 'a').c_str ()));
  EXPECT_FALSE (kl_path_component_ok (std::string (100000, 'a').c_str ()));
}

TEST (PathComponentTest, LengthDelimitedInputRefusesNul)
{
  const char with_nul[] = { 'a', '\0', 'b' };
  EXPECT_FALSE (kl_path_component_ok_n (with_nul, sizeof with_nul));
  EXPECT_TRUE (kl_path_component_ok_n (with_nul, 1));
  EXPECT_FALSE (kl_path_component_ok_n ("..", 2));
  EXPECT_TRUE (kl_path_component_ok_n ("..a", 3));
  EXPECT_FALSE (kl_path_component_ok_n ("x", 0));
}

TEST (PathComponentTest, CheckNamesWhatFailed)
{
  kl_error_t err = nullptr;
  EXPECT_EQ (kl_path_component_check ("pod UID", "0123", &err), 0);
  EXPECT_EQ (err, nullptr);
  EXPECT_LT (kl_path_component_check ("pod UID", "../../etc", &err), 0);
  EXPECT_STREQ (kl_error_message (err), "invalid pod UID \"../../etc\": not a safe path component");
  EXPECT_TRUE (kl_error_is (err, KL_ERROR_INVALID));
  EXPECT_LT (kl_path_component_check ("container name", "a/\nb", &err), 0);
  EXPECT_STREQ (kl_error_message (err),
                "invalid container name \"a/\\x0ab\": not a safe path component");
  kl_error_release (&err);
}

} // namespace

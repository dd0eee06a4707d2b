#include <gtest/gtest.h>
#include <string.h>

#include <string>

extern "C" {
#include "pkg/kubelet/dockershim/libdocker/auth.h"
#include "pkg/kubelet/dockershim/libdocker/images.h"
}

namespace {

std::string
Encode (const std::string &s)
{
  char *out = docker_base64url_encode ((const unsigned char *) s.data (), s.size ());
  std::string r = out;
  free (out);
  return r;
}

TEST (AuthTest, Base64UrlWithPadding)
{
  // RFC 4648 test vectors.
  EXPECT_EQ (Encode (""), "");
  EXPECT_EQ (Encode ("f"), "Zg==");
  EXPECT_EQ (Encode ("fo"), "Zm8=");
  EXPECT_EQ (Encode ("foo"), "Zm9v");
  EXPECT_EQ (Encode ("foob"), "Zm9vYg==");
  EXPECT_EQ (Encode ("fooba"), "Zm9vYmE=");
  EXPECT_EQ (Encode ("foobar"), "Zm9vYmFy");
  // The URL alphabet: '-' and '_' where standard base64 has '+' and '/'.
  EXPECT_EQ (Encode ("\xfb\xff"), "-_8=");
  EXPECT_EQ (Encode ("\xff\xfe\xfd"), "__79");
}

TEST (AuthTest, HeaderMatchesTheGoClient)
{
  docker_auth_config_t auth = {};
  auth.username = "user";
  auth.password = "p@ss/word+";
  auth.server_address = "127.0.0.1:5000";
  char *header = nullptr;
  kl_error_t err = nullptr;
  ASSERT_EQ (docker_auth_encode (&auth, &header, &err), 0);
  // base64.URLEncoding.EncodeToString(json.Marshal(types.AuthConfig{...}))
  // for the same fields, as the Go dockershim sent it.
  EXPECT_EQ (std::string (header), Encode ("{\"username\":\"user\",\"password\":\"p@ss/word+\","
                                           "\"serveraddress\":\"127.0.0.1:5000\"}"));
  EXPECT_STREQ (header, "eyJ1c2VybmFtZSI6InVzZXIiLCJwYXNzd29yZCI6InBAc3Mvd29yZCsiLCJzZXJ2ZXJhZGRyZ"
                        "XNzIjoiMTI3LjAuMC4xOjUwMDAifQ==");
  free (header);
}

TEST (AuthTest, AllFieldsInGoOrder)
{
  docker_auth_config_t auth = { "u", "p", "dTpw", "reg.example", "idtok", "regtok" };
  char *header = nullptr;
  kl_error_t err = nullptr;
  ASSERT_EQ (docker_auth_encode (&auth, &header, &err), 0);
  EXPECT_EQ (std::string (header),
             Encode ("{\"username\":\"u\",\"password\":\"p\",\"auth\":\"dTpw\",\"serveraddress\":"
                     "\"reg.example\",\"identitytoken\":\"idtok\",\"registrytoken\":\"regtok\"}"));
  free (header);
}

TEST (AuthTest, EmptyFieldsAreOmitted)
{
  docker_auth_config_t auth = { "", nullptr, nullptr, nullptr, nullptr, "" };
  char *header = nullptr;
  kl_error_t err = nullptr;
  ASSERT_EQ (docker_auth_encode (&auth, &header, &err), 0);
  EXPECT_STREQ (header, "e30="); // "{}"
  free (header);
}

TEST (AuthTest, NonUtf8IsRefused)
{
  docker_auth_config_t auth = {};
  auth.password = "\xff\xfe";
  char *header = nullptr;
  kl_error_t err = nullptr;
  ASSERT_LT (docker_auth_encode (&auth, &header, &err), 0);
  EXPECT_STREQ (kl_error_message (err), "registry credentials: password is not UTF-8");
  kl_error_release (&err);
}

TEST (ImageReferenceTest, SplitLikeTheGoClient)
{
  struct
  {
    const char *in, *repo, *tag;
  } cases[] = {
    { "busybox", "busybox", "latest" },
    { "busybox:1.36", "busybox", "1.36" },
    { "127.0.0.1:5000/busybox:1.36", "127.0.0.1:5000/busybox", "1.36" },
    { "127.0.0.1:5000/busybox", "127.0.0.1:5000/busybox", "latest" },
    { "registry.k8s.io/pause:3.9", "registry.k8s.io/pause", "3.9" },
    { "busybox@sha256:abcd", "busybox", "sha256:abcd" },
    { "busybox:1.36@sha256:abcd", "busybox", "sha256:abcd" },
    { "localhost:5000/a/b/c@sha256:00", "localhost:5000/a/b/c", "sha256:00" },
  };
  for (auto &c : cases)
    {
      char *repo = nullptr, *tag = nullptr;
      kl_error_t err = nullptr;
      ASSERT_EQ (docker_image_reference_split (c.in, &repo, &tag, &err), 0) << c.in;
      EXPECT_STREQ (repo, c.repo) << c.in;
      EXPECT_STREQ (tag, c.tag) << c.in;
      free (repo);
      free (tag);
    }
  const char *bad[] = { "", "busybox:", ":1.36", "busybox@", "bad name", "tab\tname", "\x01" };
  for (const char *s : bad)
    {
      char *repo = nullptr, *tag = nullptr;
      kl_error_t err = nullptr;
      EXPECT_LT (docker_image_reference_split (s, &repo, &tag, &err), 0) << s;
      EXPECT_TRUE (kl_error_is (err, KL_ERROR_INVALID));
      kl_error_release (&err);
    }
}

} // namespace

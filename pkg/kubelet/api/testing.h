// Helpers the api package's tests share: testdata files and decode results.
#ifndef KL_KUBELET_API_TESTING_H
#define KL_KUBELET_API_TESTING_H

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

extern "C" {
#include "pkg/kubelet/api/decode.h"
#include "pkg/kubelet/api/types.h"
#include "pkg/util/error.h"
}

namespace kl_api_testing {

// The contents of pkg/kubelet/api/testdata/<name> from the test's runfiles.
inline std::string
ReadTestdata (const std::string &name)
{
  const char *srcdir = std::getenv ("TEST_SRCDIR");
  const char *workspace = std::getenv ("TEST_WORKSPACE");
  std::string path = "pkg/kubelet/api/testdata/" + name;
  if (srcdir && workspace)
    path = std::string (srcdir) + "/" + workspace + "/" + path;
  std::ifstream in (path, std::ios::binary);
  EXPECT_TRUE (in.good ()) << "cannot read " << path;
  std::stringstream ss;
  ss << in.rdbuf ();
  return ss.str ();
}

// Owns a decoded list of pods, or the error decoding gave.
struct Decoded
{
  kl_pod_list_t list = { nullptr, 0 };
  std::string error;
  int ret = 0;

  Decoded () = default;
  Decoded (const Decoded &) = delete;
  Decoded &operator= (const Decoded &) = delete;
  ~Decoded () { kl_pod_list_clear (&list); }

  const kl_pod_t *
  pod (size_t i = 0) const
  {
    return i < list.n_items ? list.items[i] : nullptr;
  }
};

inline void
DecodeInto (Decoded *out, const std::string &data, const char *source = "test.yaml",
            size_t max_bytes = 0)
{
  kl_error_t err = nullptr;
  out->ret = kl_pod_decode_limit (data.data (), data.size (), source, max_bytes, &out->list, &err);
  if (err)
    out->error = kl_error_message (err);
  kl_error_release (&err);
}

inline std::string
Str (const char *s)
{
  return s ? s : "";
}

} // namespace kl_api_testing

#endif

// Helpers shared by the CRI config tests (sandbox_config_test.cc,
// container_config_test.cc).
#ifndef KL_KUBERUNTIME_CONFIG_TESTING_H
#define KL_KUBERUNTIME_CONFIG_TESTING_H

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "pkg/kubelet/kuberuntime/testing.h"

extern "C" {
#include "pkg/kubelet/kuberuntime/container_config.h"
#include "pkg/kubelet/kuberuntime/labels.h"
#include "pkg/kubelet/kuberuntime/qos.h"
#include "pkg/kubelet/kuberuntime/sandbox.h"
#include "pkg/kubelet/volume/volume.h"
#include "pkg/util/grpc/grpc.h"
}

namespace kl_config_testing {

using namespace kl_kuberuntime_testing;

template <typename T> struct Pb
{
  T *p = nullptr;
  Pb () = default;
  Pb (const Pb &) = delete;
  Pb &operator= (const Pb &) = delete;
  ~Pb () { reset (); }
  void
  reset ()
  {
    if (p)
      protobuf_c_message_free_unpacked (&p->base, nullptr);
    p = nullptr;
  }
  T **
  out ()
  {
    reset ();
    return &p;
  }
  T *
  operator->() const
  {
    return p;
  }
};

inline std::vector<std::string>
Strv (char **v, size_t n)
{
  return std::vector<std::string> (v, v + n);
}

inline std::string
MapGet (void *const *entries, size_t n, const char *key)
{
  const char *v = kl_cri_map_get (entries, n, key);
  return v ? v : "<absent>";
}

inline std::string
PodYaml (const std::string &spec, const std::string &metadata_extra = "")
{
  return "apiVersion: v1\n"
         "kind: Pod\n"
         "metadata:\n"
         "  name: web\n"
         "  namespace: prod\n"
         "  uid: 1234-abcd\n"
         + metadata_extra + "spec:\n" + spec;
}

inline const char kSimpleContainers[] = "  containers:\n"
                                        "    - name: app\n"
                                        "      image: busybox\n";

// ---------------------------------------------------------------------------
// Sandbox config
// ---------------------------------------------------------------------------

} // namespace kl_config_testing

#endif

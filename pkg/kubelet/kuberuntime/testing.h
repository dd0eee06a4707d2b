// Helpers the kuberuntime and status tests share: pods from YAML, runtime
// pods built by hand, probe results and scratch directories.
#ifndef KL_KUBERUNTIME_TESTING_H
#define KL_KUBERUNTIME_TESTING_H

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <utility>

#include <climits>
#include <unistd.h>

extern "C" {
#include "pkg/kubelet/api/decode.h"
#include "pkg/kubelet/api/static.h"
#include "pkg/kubelet/api/types.h"
#include "pkg/kubelet/kuberuntime/actions.h"
#include "pkg/kubelet/kuberuntime/pod_status.h"
#include "pkg/util/error.h"
#include "pkg/util/utils.h"
}

namespace kl_kuberuntime_testing {

struct PodDeleter
{
  void
  operator() (kl_pod_t *p) const
  {
    kl_pod_free (p);
  }
};
using PodPtr = std::unique_ptr<kl_pod_t, PodDeleter>;

struct RuntimePodDeleter
{
  void
  operator() (kl_runtime_pod_t *p) const
  {
    kl_runtime_pod_free (p);
  }
};
using RuntimePodPtr = std::unique_ptr<kl_runtime_pod_t, RuntimePodDeleter>;

// The one pod of a YAML manifest, decoded, defaulted and validated.
inline PodPtr
DecodePod (const std::string &yaml)
{
  kl_pod_list_t list = { nullptr, 0 };
  kl_error_t err = nullptr;
  int ret = kl_pod_decode (yaml.data (), yaml.size (), "test.yaml", &list, &err);
  EXPECT_EQ (ret, 0) << kl_error_message (err) << "\n" << yaml;
  kl_error_release (&err);
  PodPtr pod;
  if (ret == 0 && list.n_items == 1)
    pod.reset (kl_pod_copy (list.items[0]));
  kl_pod_list_clear (&list);
  return pod;
}

inline std::string
Str (const char *s)
{
  return s ? s : "";
}

// An empty runtime pod for `pod` (what kl_runtime_pod_get gives for a pod
// the runtime does not know).
inline RuntimePodPtr
NewRuntimePod (const kl_pod_t *pod)
{
  auto *rp = (kl_runtime_pod_t *) xmalloc0 (sizeof (kl_runtime_pod_t));
  rp->uid = xstrdup (Str (pod->metadata.uid).c_str ());
  rp->name = xstrdup (Str (pod->metadata.name).c_str ());
  rp->namespace_ = xstrdup (Str (pod->metadata.namespace_).c_str ());
  return RuntimePodPtr (rp);
}

// Appends a sandbox; add the newest first.
inline kl_sandbox_info_t *
AddSandbox (kl_runtime_pod_t *rp, const std::string &id, bool ready, uint32_t attempt = 0,
            const char *ip = "10.0.0.1")
{
  rp->sandboxes = (kl_sandbox_info_t *) xrealloc (rp->sandboxes, (rp->n_sandboxes + 1)
                                                                     * sizeof (kl_sandbox_info_t));
  kl_sandbox_info_t *s = &rp->sandboxes[rp->n_sandboxes++];
  memset (s, 0, sizeof *s);
  s->id = xstrdup (id.c_str ());
  s->ready = ready;
  s->attempt = attempt;
  s->ip = ip ? xstrdup (ip) : nullptr;
  s->created_at = 1000000 - (int64_t) rp->n_sandboxes;
  return s;
}

// The spec of container `name` (regular or init) of `pod`.
inline const kl_container_t *
Spec (const kl_pod_t *pod, const std::string &name)
{
  return kl_pod_find_container (pod, name.c_str ());
}

// Appends a container instance; add the newest first. Its hash is that of
// the spec of the same name, so it counts as unchanged.
inline kl_container_info_t *
AddContainer (kl_runtime_pod_t *rp, const kl_pod_t *pod, const std::string &name,
              kl_container_runtime_state state, int exit_code = 0, int restart_count = 0)
{
  rp->containers = (kl_container_info_t *) xrealloc (
      rp->containers, (rp->n_containers + 1) * sizeof (kl_container_info_t));
  size_t n = rp->n_containers++;
  kl_container_info_t *c = &rp->containers[n];
  memset (c, 0, sizeof *c);
  std::string id = name + "-" + std::to_string (restart_count) + "-" + std::to_string (n);
  c->id = xstrdup (id.c_str ());
  c->name = xstrdup (name.c_str ());
  c->sandbox_id = xstrdup (rp->n_sandboxes ? rp->sandboxes[0].id : "");
  c->state = state;
  c->exit_code = exit_code;
  c->restart_count = restart_count;
  const kl_container_t *spec = Spec (pod, name);
  c->hash = spec ? kl_container_hash (spec) : 0;
  c->is_init = false;
  for (size_t i = 0; i < pod->spec.n_init_containers; i++)
    if (name == Str (pod->spec.init_containers[i].name))
      c->is_init = true;
  c->image = xstrdup (spec ? Str (spec->image).c_str () : "");
  c->image_ref = xstrdup ("sha256:0123");
  c->reason = xstrdup (state == KL_CONTAINER_EXITED ? (exit_code ? "Error" : "Completed") : "");
  c->message = xstrdup ("");
  c->log_path = xstrdup ("");
  c->created_at = 1000000 - (int64_t) n;
  if (state != KL_CONTAINER_CREATED)
    c->started_at = 1000 + (int64_t) n;
  if (state == KL_CONTAINER_EXITED)
    c->finished_at = 2000 + (int64_t) n;
  return c;
}

// Liveness and startup failures by container name.
struct Probes
{
  std::set<std::string> liveness_failed, startup_failed;

  kl_probe_view_t
  view ()
  {
    kl_probe_view_t v;
    v.liveness_failed = [] (void *ctx, const char *name, const char *) {
      return static_cast<Probes *> (ctx)->liveness_failed.count (name) > 0;
    };
    v.startup_failed = [] (void *ctx, const char *name, const char *) {
      return static_cast<Probes *> (ctx)->startup_failed.count (name) > 0;
    };
    v.ctx = this;
    return v;
  }
};

// A scratch directory (under TEST_TMPDIR), removed afterwards; its path is
// resolved so it matches /proc/self/mountinfo.
class TempDir
{
public:
  TempDir ()
  {
    const char *base = getenv ("TEST_TMPDIR");
    std::string tmpl = std::string (base ? base : "/tmp") + "/kl-test-XXXXXX";
    if (mkdtemp (&tmpl[0]) == nullptr)
      ADD_FAILURE () << "mkdtemp " << tmpl;
    char resolved[PATH_MAX];
    path_ = realpath (tmpl.c_str (), resolved) ? resolved : tmpl;
  }
  ~TempDir ()
  {
    std::error_code ec;
    std::filesystem::remove_all (path_, ec);
  }
  TempDir (const TempDir &) = delete;
  TempDir &operator= (const TempDir &) = delete;

  const std::string &
  path () const
  {
    return path_;
  }

private:
  std::string path_;
};

} // namespace kl_kuberuntime_testing

#endif

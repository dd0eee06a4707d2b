// Node e2e framework: a kubelet process on a real CRI runtime, manifests in
// a temp directory, and checks against the runtime itself and /pods.
#ifndef KL_TEST_E2E_NODE_FRAMEWORK_H
#define KL_TEST_E2E_NODE_FRAMEWORK_H

#include <jansson.h>
#include <signal.h>
#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

#include "test/util/wait.h"

extern "C" {
#include "pkg/kubelet/cri/remote/remote.h"
}

namespace e2e {

// The environment hack/test-e2e-node.sh passes.
struct Env
{
  std::string kubelet;      // KL_E2E_KUBELET: the binary under test
  std::string endpoint;     // KL_E2E_CRI_ENDPOINT
  std::string busybox;      // KL_E2E_BUSYBOX_IMAGE
  std::string pause;        // KL_E2E_PAUSE_IMAGE
  std::string runtime_args; // KL_E2E_KUBELET_ARGS: extra flags (e.g. --container-runtime=docker)
  std::string
      runtime_ctl; // KL_E2E_RUNTIME_CTL: "<script> <dir>", run as "<script> stop|start <dir>"
  bool inprocess = false;          // KL_E2E_INPROCESS_RUNTIME: the runtime lives in the kubelet
  bool restart_kills_pods = false; // KL_E2E_RUNTIME_RESTART_KILLS_PODS
  std::string dir = "/tmp/kl-e2e"; // KL_E2E_DIR: where each test's kubelet lives
  int read_only_port = 10355;      // KL_E2E_READ_ONLY_PORT
  int healthz_port = 10348;        // KL_E2E_HEALTHZ_PORT
  // KL_E2E_KUBELET_WRAPPER: words run before the kubelet's own (e.g.
  // "valgrind --tool=memcheck ..."), found in PATH.
  std::vector<std::string> wrapper;
  static Env Load ();
};

using kl_test::ReadFile;
using kl_test::WaitFor;
void WriteFile (const std::string &path, const std::string &content);

// GET http://127.0.0.1:<port><path>: the status code (0 if unreachable).
int HttpGet (int port, const std::string &path, std::string *body);

struct ContainerInfo
{
  std::string id, name, sandbox_id;
  int state; // Runtime__V1__ContainerState
  int attempt;
  std::string pod_uid, pod_name, pod_namespace; // labels io.kubernetes.pod.*
};
struct SandboxInfo
{
  std::string id;
  int state; // Runtime__V1__PodSandboxState
  int attempt;
  std::string pod_uid, pod_name, pod_namespace; // labels io.kubernetes.pod.*
};

// "<script> <dir>" from KL_E2E_RUNTIME_CTL run as "<script> <verb> <dir>":
// stop, start, kill (SIGKILL, as a crash). The exit status (-1: no script).
int RuntimeCtl (const Env &env, const std::string &verb);

// The runtime, as the test sees it through our CRI client.
//
// The listing calls never let "could not list" pass for "nothing listed".
// Given `ok`, they try once and say in *ok whether the call went through
// (for tests that look while the runtime is down). Without it the runtime
// is expected to answer: a failed call (a runtime restarting, or this
// client waiting out gRPC's reconnect backoff after an in-process runtime
// came back with its kubelet) is tried again for up to kAnswerTimeout
// seconds, and then fails the test.
class Runtime
{
public:
  static constexpr int kAnswerTimeout = 30;

  explicit Runtime (const std::string &endpoint);
  ~Runtime ();
  // Whether the runtime answers a Version call now.
  bool Answers ();
  std::vector<SandboxInfo> Sandboxes (const std::string &pod_name,
                                      const std::string &ns = "default", bool *ok = nullptr);
  std::vector<ContainerInfo> Containers (const std::string &pod_name,
                                         const std::string &ns = "default", bool *ok = nullptr);
  std::vector<ContainerInfo> Running (const std::string &pod_name, bool *ok = nullptr);
  // Those of the pod with this UID, through the runtime's label selector
  // (io.kubernetes.pod.uid).
  std::vector<SandboxInfo> SandboxesOf (const std::string &uid, bool *ok = nullptr);
  std::vector<ContainerInfo> ContainersOf (const std::string &uid, bool *ok = nullptr);
  // Every sandbox / container of any pod of this test node (name ending in
  // -e2e-node), in any namespace: what orphan checks look at.
  std::vector<SandboxInfo> NodeSandboxes (bool *ok = nullptr);
  std::vector<ContainerInfo> NodeContainers (bool *ok = nullptr);
  // The container's CRI log file content (via ContainerStatus.log_path).
  std::string Log (const std::string &container_id);
  int ExitCode (const std::string &container_id);

private:
  kl_cri_client_t *client_ = nullptr;
};

// One kubelet process with its own root, manifest, log and config paths.
class Kubelet
{
public:
  Kubelet (const Env &env, const std::string &dir);
  ~Kubelet ();
  void Start (const std::vector<std::string> &extra = {});
  void Stop (int sig = SIGTERM); // waits for it to exit
  bool Running ();
  std::string Logs ();
  std::string
  manifests () const
  {
    return dir_ + "/manifests";
  }
  std::string
  root () const
  {
    return dir_ + "/root";
  }
  std::string
  pod_logs () const
  {
    return dir_ + "/pod-logs";
  }
  int
  read_only_port () const
  {
    return env_.read_only_port;
  }
  int
  healthz_port () const
  {
    return env_.healthz_port;
  }
  static constexpr const char *kNode = "e2e-node";

  // /pods as JSON (NULL if unreachable); caller decrefs.
  json_t *Pods ();
  // The pod called `<name>-e2e-node` in /pods (NULL if absent); caller decrefs.
  json_t *Pod (const std::string &name);
  // That pod once `cond` holds for it, polled for up to `seconds` (NULL if
  // it never did); caller decrefs.
  json_t *WaitPod (const std::string &name, const std::function<bool (json_t *)> &cond,
                   int seconds);
  // Its metadata.uid in /pods ("" if absent).
  std::string Uid (const std::string &name);

private:
  // The process ended: fails the test if its log shows a sanitizer report
  // (ASan, LSan, UBSan) written since the last check.
  void Exited ();

  const Env &env_;
  std::string dir_;
  pid_t pid_ = -1;
  size_t log_checked_ = 0; // bytes of kubelet.log Exited () has looked at
};

// Convenience: a field of the container status called `container` in `pod`.
json_t *ContainerStatus (json_t *pod, const std::string &container, bool init = false);
std::string Phase (json_t *pod);
bool Ready (json_t *pod);

} // namespace e2e

#endif

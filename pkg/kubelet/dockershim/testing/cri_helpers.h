// Helpers for the dockershim's integration tests: CRI requests built from
// plain C++ values, calls through our CRI client, and the environment that
// pkg/kubelet/dockershim/test-integration.sh sets up.
#ifndef DS_TESTING_CRI_HELPERS_H
#define DS_TESTING_CRI_HELPERS_H

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

extern "C" {
#include "pkg/kubelet/cri/remote/remote.h"
#include "pkg/util/error.h"
}

#include "test/util/wait.h"

namespace dstest {

const int64_t kSecond = 1000000000LL;

// The value of environment variable `name`, or "".
std::string Env (const char *name);

using kl_test::ReadFile;
using kl_test::WaitFor;
bool FileExists (const std::string &path);

// A fresh directory under /tmp, removed by RemoveTree.
std::string MakeTempDir (const char *prefix);
void RemoveTree (const std::string &path);

// An owned error.
struct Error
{
  kl_error_t e = nullptr;
  ~Error () { kl_error_release (&e); }
  const char *
  msg () const
  {
    return kl_error_message (e);
  }
  int
  status () const
  {
    return e ? e->status : 0;
  }
  void
  reset ()
  {
    kl_error_release (&e);
  }
};

// Frees a protobuf-c message (requests built here, responses received).
struct PbFree
{
  void operator() (void *m) const;
};
template <class T> using Pb = std::unique_ptr<T, PbFree>;

typedef std::map<std::string, std::string> StringMap;

struct SandboxSpec
{
  std::string name;
  std::string ns = "ds-test";
  std::string uid;
  uint32_t attempt = 0;
  std::string hostname;
  std::string log_dir;
  StringMap labels, annotations;
  std::vector<std::string> dns_servers, dns_searches, dns_options;
  struct Port
  {
    int protocol, container_port, host_port;
  };
  std::vector<Port> ports;
  int network = 0; // Runtime__V1__NamespaceMode: POD
  int pid = 1;     // CONTAINER
  int ipc = 0;     // POD
  bool privileged = false;
  std::string cgroup_parent;
};

struct MountSpec
{
  std::string host, container;
  bool readonly = false;
  int propagation = 0;
};

struct ContainerSpec
{
  std::string name;
  uint32_t attempt = 0;
  std::string image;
  std::vector<std::string> command, args;
  std::vector<std::pair<std::string, std::string>> env;
  std::string working_dir;
  std::vector<MountSpec> mounts;
  struct Device
  {
    std::string container, host, permissions;
  };
  std::vector<Device> devices;
  StringMap labels, annotations;
  std::string log_path;
  bool open_stdin = false, stdin_once = false, tty = false;
  // Linux.
  bool has_linux = false;
  int64_t cpu_shares = 0, cpu_quota = 0, cpu_period = 0, memory = 0, oom_score_adj = 0;
  bool privileged = false, readonly_rootfs = false, no_new_privs = false;
  std::vector<std::string> cap_add, cap_drop, masked_paths, readonly_paths;
  bool has_user = false;
  int64_t user = 0;
  bool has_group = false;
  int64_t group = 0;
  std::vector<int64_t> supplemental_groups;
  int seccomp = -1; // -1: none given, else the SecurityProfile type
  int pid = 1;      // CONTAINER
  int network = 0;  // POD
};

Runtime__V1__PodSandboxConfig *MakeSandboxConfig (const SandboxSpec &s);
Runtime__V1__ContainerConfig *MakeContainerConfig (const ContainerSpec &s);

// A CRI client with the calls the tests make, as plain C++.
class Cri
{
public:
  explicit Cri (const std::string &endpoint);
  ~Cri ();
  kl_cri_client_t *
  client ()
  {
    return client_;
  }

  // Each returns false with `err` set on failure.
  bool RunSandbox (const Runtime__V1__PodSandboxConfig *config, std::string *id, Error *err);
  bool StopSandbox (const std::string &id, Error *err);
  bool RemoveSandbox (const std::string &id, Error *err);
  Pb<Runtime__V1__PodSandboxStatus> SandboxStatus (const std::string &id, Error *err);
  std::vector<std::string> ListSandboxIds (const Runtime__V1__PodSandboxFilter *filter, Error *err);
  bool CreateContainer (const std::string &sandbox, const Runtime__V1__ContainerConfig *config,
                        const Runtime__V1__PodSandboxConfig *sandbox_config, std::string *id,
                        Error *err);
  bool StartContainer (const std::string &id, Error *err);
  bool StopContainer (const std::string &id, int64_t timeout, Error *err);
  bool RemoveContainer (const std::string &id, Error *err);
  Pb<Runtime__V1__ContainerStatus> ContainerStatus (const std::string &id, Error *err);
  std::vector<std::string> ListContainerIds (const Runtime__V1__ContainerFilter *filter,
                                             Error *err);
  bool ExecSync (const std::string &id, const std::vector<std::string> &cmd, int64_t timeout,
                 std::string *out, std::string *errout, int *exit_code, Error *err);
  bool PullImage (const std::string &image, std::string *ref, Error *err);

private:
  kl_cri_client_t *client_ = nullptr;
};

// The CRI log lines of `path` split into (stream, tag, text); false if a
// line is not in CRI format (`bad` gets it).
struct LogLine
{
  std::string time, stream, tag, text;
};
bool ParseCriLog (const std::string &path, std::vector<LogLine> *lines, std::string *bad);

} // namespace dstest

#endif

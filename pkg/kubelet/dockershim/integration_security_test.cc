// The dockershim's security contexts, namespace modes and networks against a
// real dockerd: what a container actually gets, seen from inside it.
// pkg/kubelet/dockershim/test-integration.sh runs it.
#include <gtest/gtest.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "pkg/kubelet/dockershim/testing/cri_helpers.h"
#include "pkg/kubelet/dockershim/testing/fixture.h"

extern "C" {
#include "pkg/kubelet/dockershim/libdocker/containers.h"
#include "pkg/util/grpc/grpc.h"
}

using namespace dstest;

namespace {

// The hex capability mask a /proc/<pid>/status line shows.
std::string
StatusField (const std::string &status, const std::string &field)
{
  size_t at = status.find (field + ":");
  if (at == std::string::npos)
    return "";
  size_t start = status.find_first_not_of (" \t", at + field.size () + 1);
  size_t end = status.find ('\n', start);
  return status.substr (start, end - start);
}

class DockershimSecurityTest : public DockershimFixture
{
protected:
  // Creates and starts `c` (by default running `sleep 3600`).
  std::string
  Start (Cri *cri, const std::string &sandbox, ContainerSpec c,
         const Runtime__V1__PodSandboxConfig *config, Error *err)
  {
    if (c.command.empty ())
      c.command = { "sleep", "3600" };
    return CreateAndStart (cri, sandbox, c, config, err);
  }

  std::string
  Exec (const std::string &id, const std::string &script, int *code = nullptr)
  {
    std::string out;
    Error err;
    int c = -1;
    EXPECT_TRUE (cri_->ExecSync (id, { "sh", "-c", script }, 20, &out, nullptr, &c, &err))
        << err.msg ();
    if (code)
      *code = c;
    return out;
  }

  std::unique_ptr<Cri> bridge_; // the dockershim on Docker's bridge
};

TEST_F (DockershimSecurityTest, UsersCapabilitiesAndRootfs)
{
  SandboxSpec spec;
  spec.name = "users";
  Pb<Runtime__V1__PodSandboxConfig> config;
  std::string sandbox = RunSandbox (spec, &config);
  ASSERT_FALSE (sandbox.empty ());
  ContainerSpec c;
  c.name = "restricted";
  c.has_linux = true;
  c.has_user = true;
  c.user = 1000;
  c.has_group = true;
  c.group = 2000;
  c.supplemental_groups = { 3000, 4000 };
  c.readonly_rootfs = true;
  c.no_new_privs = true;
  c.cap_add = { "NET_ADMIN" };
  c.cap_drop = { "CHOWN" };
  c.seccomp = RUNTIME__V1__SECURITY_PROFILE__PROFILE_TYPE__RuntimeDefault;
  c.oom_score_adj = 500;
  Error err;
  std::string id = Start (cri_.get (), sandbox, c, config.get (), &err);
  ASSERT_FALSE (id.empty ()) << err.msg ();
  EXPECT_EQ (Exec (id, "id -u; id -g; id -G"), "1000\n2000\n2000 3000 4000\n");
  int code = 0;
  Exec (id, "touch /x 2>/dev/null", &code);
  EXPECT_NE (code, 0) << "the root filesystem is writable";
  std::string status = Exec (id, "cat /proc/1/status");
  EXPECT_EQ (StatusField (status, "NoNewPrivs"), "1");
  EXPECT_EQ (StatusField (status, "Seccomp"), "2");
  unsigned long long bnd = strtoull (StatusField (status, "CapBnd").c_str (), nullptr, 16);
  EXPECT_TRUE (bnd & (1ULL << 12)) << "NET_ADMIN was not added";
  EXPECT_FALSE (bnd & (1ULL << 0)) << "CHOWN was not dropped";
  EXPECT_EQ (Exec (id, "cat /proc/1/oom_score_adj"), "500\n");
}

TEST_F (DockershimSecurityTest, PrivilegedUnconfinedAndClampedOomScore)
{
  SandboxSpec spec;
  spec.name = "privileged";
  spec.privileged = true;
  Pb<Runtime__V1__PodSandboxConfig> config;
  std::string sandbox = RunSandbox (spec, &config);
  ASSERT_FALSE (sandbox.empty ());
  ContainerSpec c;
  c.name = "priv";
  c.has_linux = true;
  c.privileged = true;
  c.seccomp = RUNTIME__V1__SECURITY_PROFILE__PROFILE_TYPE__Unconfined;
  c.oom_score_adj = -999; // not allowed without CAP_SYS_RESOURCE: clamped
  Error err;
  std::string id = Start (cri_.get (), sandbox, c, config.get (), &err);
  ASSERT_FALSE (id.empty ()) << err.msg ();
  std::string status = Exec (id, "cat /proc/1/status");
  EXPECT_EQ (StatusField (status, "Seccomp"), "0");
  unsigned long long eff = strtoull (StatusField (status, "CapEff").c_str (), nullptr, 16);
  EXPECT_TRUE (eff & (1ULL << 21)) << "a privileged container lacks CAP_SYS_ADMIN";
  // Privileged: the host's devices, writable /sys.
  int code = -1;
  Exec (id, "test -e /dev/kmsg", &code);
  EXPECT_EQ (code, 0);
  int adj = atoi (Exec (id, "cat /proc/1/oom_score_adj").c_str ());
  EXPECT_GE (adj, 0);

  // Unprivileged with masked and read-only paths of its own.
  ContainerSpec m;
  m.name = "masked";
  m.has_linux = true;
  m.masked_paths = { "/proc/cpuinfo" };
  m.readonly_paths = { "/proc/sys" };
  std::string mid = Start (cri_.get (), sandbox, m, config.get (), &err);
  ASSERT_FALSE (mid.empty ()) << err.msg ();
  EXPECT_EQ (Exec (mid, "cat /proc/cpuinfo | wc -c"), "0\n");
  std::string mounts = Exec (mid, "grep ' /proc/sys ' /proc/self/mountinfo");
  EXPECT_NE (mounts.find (" ro,"), std::string::npos) << mounts;
  // Without seccomp given, the container runs unconfined (as the Go dockershim).
  EXPECT_EQ (StatusField (Exec (mid, "cat /proc/1/status"), "Seccomp"), "0");
}

TEST_F (DockershimSecurityTest, DevicesAndMountPropagation)
{
  SandboxSpec spec;
  spec.name = "devices";
  Pb<Runtime__V1__PodSandboxConfig> config;
  std::string sandbox = RunSandbox (spec, &config);
  ASSERT_FALSE (sandbox.empty ());

  // A shared mount point on the host, so rslave and rshared are allowed.
  std::string shared = MakeTempDir ("ds-it-shared");
  ASSERT_EQ (mount (shared.c_str (), shared.c_str (), nullptr, MS_BIND, nullptr), 0);
  ASSERT_EQ (mount (nullptr, shared.c_str (), nullptr, MS_SHARED, nullptr), 0);
  ContainerSpec c;
  c.name = "dev";
  c.devices = { { "/dev/mynull", "/dev/null", "rwm" } };
  c.mounts
      = { { shared, "/slave", false,
            RUNTIME__V1__MOUNT_PROPAGATION__PROPAGATION_HOST_TO_CONTAINER },
          { shared, "/shared", false, RUNTIME__V1__MOUNT_PROPAGATION__PROPAGATION_BIDIRECTIONAL } };
  Error err;
  std::string id = Start (cri_.get (), sandbox, c, config.get (), &err);
  ASSERT_FALSE (id.empty ()) << err.msg ();
  int code = -1;
  Exec (id, "test -c /dev/mynull && echo x > /dev/mynull", &code);
  EXPECT_EQ (code, 0);
  auto status = cri_->ContainerStatus (id, &err);
  ASSERT_TRUE (status) << err.msg ();
  int seen = 0;
  for (size_t i = 0; i < status->n_mounts; i++)
    {
      if (strcmp (status->mounts[i]->container_path, "/slave") == 0)
        seen += status->mounts[i]->propagation
                == RUNTIME__V1__MOUNT_PROPAGATION__PROPAGATION_HOST_TO_CONTAINER;
      if (strcmp (status->mounts[i]->container_path, "/shared") == 0)
        seen += status->mounts[i]->propagation
                == RUNTIME__V1__MOUNT_PROPAGATION__PROPAGATION_BIDIRECTIONAL;
    }
  EXPECT_EQ (seen, 2);
  // A mount made on the host afterwards shows up inside (host to container).
  std::string sub = shared + "/sub";
  ASSERT_EQ (mkdir (sub.c_str (), 0755), 0);
  ASSERT_EQ (mount ("tmpfs", sub.c_str (), "tmpfs", 0, nullptr), 0);
  FILE *f = fopen ((sub + "/hello").c_str (), "w");
  ASSERT_NE (f, nullptr);
  fclose (f);
  Exec (id, "test -e /slave/sub/hello", &code);
  EXPECT_EQ (code, 0) << "rslave did not propagate";
  ASSERT_TRUE (cri_->StopContainer (id, 0, &err)) << err.msg ();
  ASSERT_TRUE (cri_->RemoveContainer (id, &err)) << err.msg ();
  umount2 (sub.c_str (), MNT_DETACH);
  umount2 (shared.c_str (), MNT_DETACH);
  RemoveTree (shared);
}

TEST_F (DockershimSecurityTest, NamespaceModes)
{
  // PID namespace of the pod: the pause is PID 1 for every container.
  SandboxSpec spec;
  spec.name = "pidpod";
  Pb<Runtime__V1__PodSandboxConfig> config;
  std::string sandbox = RunSandbox (spec, &config);
  ASSERT_FALSE (sandbox.empty ());
  ContainerSpec c;
  c.name = "shared-pid";
  c.has_linux = true;
  c.pid = RUNTIME__V1__NAMESPACE_MODE__POD;
  Error err;
  std::string id = Start (cri_.get (), sandbox, c, config.get (), &err);
  ASSERT_FALSE (id.empty ()) << err.msg ();
  EXPECT_EQ (Exec (id, "cat /proc/1/comm"), "pause\n");
  ContainerSpec own;
  own.name = "own-pid";
  std::string own_id = Start (cri_.get (), sandbox, own, config.get (), &err);
  ASSERT_FALSE (own_id.empty ()) << err.msg ();
  EXPECT_EQ (Exec (own_id, "cat /proc/1/comm"), "sleep\n");
  // Both share the pod's IPC namespace through the pause.
  EXPECT_EQ (Exec (id, "readlink /proc/self/ns/ipc"), Exec (own_id, "readlink /proc/self/ns/ipc"));

  // The node's network, PID and IPC namespaces.
  SandboxSpec host;
  host.name = "hostns";
  host.network = RUNTIME__V1__NAMESPACE_MODE__NODE;
  host.pid = RUNTIME__V1__NAMESPACE_MODE__NODE;
  host.ipc = RUNTIME__V1__NAMESPACE_MODE__NODE;
  char hostname[256] = "";
  gethostname (hostname, sizeof hostname);
  host.hostname = hostname;
  Pb<Runtime__V1__PodSandboxConfig> hconfig;
  std::string hsandbox = RunSandbox (host, &hconfig);
  ASSERT_FALSE (hsandbox.empty ());
  auto status = cri_->SandboxStatus (hsandbox, &err);
  ASSERT_TRUE (status) << err.msg ();
  EXPECT_STREQ (status->network->ip, "");
  EXPECT_EQ (status->linux->namespaces->options->network, RUNTIME__V1__NAMESPACE_MODE__NODE);
  EXPECT_EQ (status->linux->namespaces->options->pid, RUNTIME__V1__NAMESPACE_MODE__NODE);
  EXPECT_EQ (status->linux->namespaces->options->ipc, RUNTIME__V1__NAMESPACE_MODE__NODE);
  ContainerSpec hc;
  hc.name = "on-host";
  hc.has_linux = true;
  hc.network = RUNTIME__V1__NAMESPACE_MODE__NODE;
  hc.pid = RUNTIME__V1__NAMESPACE_MODE__NODE;
  std::string hid = Start (cri_.get (), hsandbox, hc, hconfig.get (), &err);
  ASSERT_FALSE (hid.empty ()) << err.msg ();
  char self_net[256] = "";
  ssize_t n = readlink ("/proc/self/ns/net", self_net, sizeof self_net - 1);
  ASSERT_GT (n, 0);
  EXPECT_EQ (Exec (hid, "readlink /proc/self/ns/net"), std::string (self_net) + "\n");
  EXPECT_NE (Exec (hid, "cat /proc/1/comm"), "pause\n");
}

TEST_F (DockershimSecurityTest, DockerBridgeNetwork)
{
  bridge_.reset (new Cri (Env ("KL_TEST_DS_BRIDGE_ENDPOINT")));
  Cri &bridge = *bridge_;
  ASSERT_NE (bridge.client (), nullptr);
  SandboxSpec spec;
  spec.name = "bridged";
  spec.ports = { { 0, 80, 18080 }, { 1, 53, 18053 } };
  Pb<Runtime__V1__PodSandboxConfig> config;
  std::string sandbox = RunSandbox (spec, &config, &bridge);
  ASSERT_FALSE (sandbox.empty ());
  Error err;
  auto status = bridge.SandboxStatus (sandbox, &err);
  ASSERT_TRUE (status) << err.msg ();
  std::string ip = status->network->ip;
  EXPECT_EQ (ip.rfind (Env ("KL_TEST_BRIDGE_SUBNET_PREFIX"), 0), 0u) << ip;
  docker_container_inspect_t *inspect = nullptr;
  ASSERT_EQ (docker_container_inspect (docker_, sandbox.c_str (), &inspect, &err.e), 0);
  EXPECT_STREQ (inspect->host_config.network_mode, "default");
  docker_container_inspect_free (inspect);
  ContainerSpec c;
  c.name = "web";
  c.image = busybox_;
  c.command = { "sleep", "3600" };
  Pb<Runtime__V1__ContainerConfig> cc (MakeContainerConfig (c));
  std::string id;
  ASSERT_TRUE (bridge.CreateContainer (sandbox, cc.get (), config.get (), &id, &err)) << err.msg ();
  ASSERT_TRUE (bridge.StartContainer (id, &err)) << err.msg ();
  std::string out;
  int code = -1;
  ASSERT_TRUE (
      bridge.ExecSync (id, { "ip", "-4", "addr", "show", "eth0" }, 10, &out, nullptr, &code, &err));
  EXPECT_NE (out.find (ip + "/"), std::string::npos) << out;
  ASSERT_TRUE (bridge.StopSandbox (sandbox, &err)) << err.msg ();
  status = bridge.SandboxStatus (sandbox, &err);
  ASSERT_TRUE (status) << err.msg ();
  EXPECT_STREQ (status->network->ip, "");
}

} // namespace

// CRI sandbox and container configs -> Docker create bodies.
#include <gtest/gtest.h>
#include <stdio.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "pkg/kubelet/dockershim/testing/cri_helpers.h"

extern "C" {
#include "pkg/kubelet/dockershim/docker_config.h"
#include "pkg/kubelet/dockershim/naming.h"
}

using namespace dstest;

namespace {

std::string
Str (json_t *obj, const char *key)
{
  json_t *v = json_object_get (obj, key);
  return json_is_string (v) ? json_string_value (v) : "<none>";
}

std::vector<std::string>
Strings (json_t *array)
{
  std::vector<std::string> out;
  size_t i;
  json_t *v;
  json_array_foreach (array, i, v)
    out.push_back (json_string_value (v));
  return out;
}

class DockerConfigTest : public ::testing::Test
{
protected:
  void
  SetUp () override
  {
    ctx_.pod_infra_image = "127.0.0.1:5000/pause:3.9";
    ctx_.network = DS_NETWORK_CNI;
    ctx_.cgroup_driver = "cgroupfs";
    ctx_.oom_floor = 0;
    sandbox_.name = "web";
    sandbox_.ns = "default";
    sandbox_.uid = "u-1";
    sandbox_.attempt = 2;
    sandbox_.hostname = "web-host";
    sandbox_.log_dir = "/var/log/pods/default_web_u-1";
    sandbox_.labels = { { "app", "web" } };
    sandbox_.annotations = { { "seen", "yes" } };
  }

  json_t *
  SandboxBody (std::string *name = nullptr)
  {
    Pb<Runtime__V1__PodSandboxConfig> config (MakeSandboxConfig (sandbox_));
    char *n = nullptr;
    json_t *body = nullptr;
    kl_error_t err = nullptr;
    EXPECT_EQ (ds_sandbox_create_body (&ctx_, config.get (), &n, &body, &err), 0)
        << kl_error_message (err);
    kl_error_release (&err);
    if (name && n)
      *name = n;
    free (n);
    return body;
  }

  json_t *
  ContainerBody (const ContainerSpec &spec, std::string *name = nullptr,
                 kl_error_t *err_out = nullptr)
  {
    Pb<Runtime__V1__PodSandboxConfig> sconfig (MakeSandboxConfig (sandbox_));
    Pb<Runtime__V1__ContainerConfig> config (MakeContainerConfig (spec));
    char *n = nullptr;
    json_t *body = nullptr;
    kl_error_t err = nullptr;
    int ret = ds_container_create_body (&ctx_, "sandboxid", config.get (), sconfig.get (), &n,
                                        &body, &err);
    if (err_out)
      *err_out = err;
    else
      {
        EXPECT_EQ (ret, 0) << kl_error_message (err);
        kl_error_release (&err);
      }
    if (name && n)
      *name = n;
    free (n);
    return body;
  }

  ds_create_context_t ctx_;
  SandboxSpec sandbox_;
};

TEST_F (DockerConfigTest, SandboxOnCniNetwork)
{
  sandbox_.ports = { { 0, 80, 8080 } };
  sandbox_.cgroup_parent = "/kubepods/besteffort/podu-1";
  std::string name;
  json_t *b = SandboxBody (&name);
  ASSERT_NE (b, nullptr);
  EXPECT_EQ (name, "k8s_POD_web_default_u-1_2");
  EXPECT_EQ (Str (b, "Image"), "127.0.0.1:5000/pause:3.9");
  EXPECT_EQ (Str (b, "Hostname"), "web-host");
  json_t *labels = json_object_get (b, "Labels");
  EXPECT_EQ (Str (labels, "app"), "web");
  EXPECT_EQ (Str (labels, "annotation.seen"), "yes");
  EXPECT_EQ (Str (labels, "io.kubernetes.docker.type"), "podsandbox");
  EXPECT_EQ (Str (labels, "io.kubernetes.container.name"), "POD");
  json_t *hc = json_object_get (b, "HostConfig");
  EXPECT_EQ (Str (hc, "NetworkMode"), "none");
  EXPECT_EQ (Str (hc, "IpcMode"), "shareable");
  EXPECT_EQ (json_object_get (hc, "PidMode"), nullptr);
  // With CNI the portmap plugin maps ports; Docker binds none.
  EXPECT_EQ (json_object_get (hc, "PortBindings"), nullptr);
  EXPECT_EQ (json_integer_value (json_object_get (hc, "OomScoreAdj")), 0) << "clamped from -998";
  EXPECT_EQ (json_integer_value (json_object_get (hc, "CpuShares")), 2);
  EXPECT_EQ (Str (hc, "CgroupParent"), "/kubepods/besteffort/podu-1");
  EXPECT_EQ (Strings (json_object_get (hc, "SecurityOpt")),
             std::vector<std::string> ({ "no-new-privileges" }));
  json_decref (b);
}

TEST_F (DockerConfigTest, SandboxOnDockerBridgeWithPorts)
{
  ctx_.network = DS_NETWORK_BRIDGE;
  ctx_.oom_floor = -1000;
  ctx_.cgroup_driver = "systemd";
  sandbox_.cgroup_parent = "/kubepods.slice/kubepods-besteffort.slice/kubepods-podu1.slice";
  sandbox_.ports = { { 0, 80, 8080 }, { 0, 80, 8081 }, { 1, 53, 5353 }, { 0, 9090, 0 } };
  json_t *b = SandboxBody ();
  json_t *hc = json_object_get (b, "HostConfig");
  EXPECT_EQ (Str (hc, "NetworkMode"), "default");
  EXPECT_EQ (json_integer_value (json_object_get (hc, "OomScoreAdj")), -998);
  EXPECT_EQ (Str (hc, "CgroupParent"), "kubepods-podu1.slice");
  json_t *exposed = json_object_get (b, "ExposedPorts");
  EXPECT_EQ (json_object_size (exposed), 2u);
  EXPECT_NE (json_object_get (exposed, "80/tcp"), nullptr);
  EXPECT_NE (json_object_get (exposed, "53/udp"), nullptr);
  json_t *bindings = json_object_get (json_object_get (hc, "PortBindings"), "80/tcp");
  ASSERT_EQ (json_array_size (bindings), 2u);
  EXPECT_EQ (Str (json_array_get (bindings, 0), "HostPort"), "8080");
  EXPECT_EQ (Str (json_array_get (bindings, 1), "HostPort"), "8081");
  json_decref (b);
}

TEST_F (DockerConfigTest, SandboxOnTheNode)
{
  sandbox_.network = RUNTIME__V1__NAMESPACE_MODE__NODE;
  sandbox_.pid = RUNTIME__V1__NAMESPACE_MODE__NODE;
  sandbox_.ipc = RUNTIME__V1__NAMESPACE_MODE__NODE;
  sandbox_.privileged = true;
  sandbox_.ports = { { 0, 80, 8080 } };
  json_t *b = SandboxBody ();
  json_t *hc = json_object_get (b, "HostConfig");
  EXPECT_EQ (Str (hc, "NetworkMode"), "host");
  EXPECT_EQ (Str (hc, "PidMode"), "host");
  EXPECT_EQ (Str (hc, "IpcMode"), "host");
  EXPECT_TRUE (json_is_true (json_object_get (hc, "Privileged")));
  EXPECT_EQ (json_object_get (hc, "PortBindings"), nullptr);
  json_decref (b);
}

TEST_F (DockerConfigTest, SandboxMetadataIsRequired)
{
  Pb<Runtime__V1__PodSandboxConfig> config (MakeSandboxConfig (sandbox_));
  free (config->metadata->uid);
  config->metadata->uid = strdup ("");
  char *name = nullptr;
  json_t *body = nullptr;
  kl_error_t err = nullptr;
  EXPECT_LT (ds_sandbox_create_body (&ctx_, config.get (), &name, &body, &err), 0);
  EXPECT_TRUE (kl_error_is (err, KL_ERROR_INVALID));
  kl_error_release (&err);
  free (config->metadata->name);
  config->metadata->name = strdup ("under_score");
  EXPECT_LT (ds_sandbox_create_body (&ctx_, config.get (), &name, &body, &err), 0);
  kl_error_release (&err);
}

TEST_F (DockerConfigTest, ContainerBasics)
{
  ContainerSpec c;
  c.name = "nginx";
  c.attempt = 1;
  c.image = "nginx:1.25";
  c.command = { "/bin/sh", "-c" };
  c.args = { "exec nginx" };
  c.env = { { "A", "1" }, { "B", "x=y" } };
  c.working_dir = "/srv";
  c.labels = { { "io.kubernetes.container.name", "nginx" } };
  c.annotations = { { "io.kubernetes.container.hash", "abc" } };
  c.log_path = "nginx/1.log";
  c.mounts = { { "/host/ro", "/ro", true, 0 },
               { "/host/slave", "/slave", false,
                 RUNTIME__V1__MOUNT_PROPAGATION__PROPAGATION_HOST_TO_CONTAINER },
               { "/host/both", "/both", true,
                 RUNTIME__V1__MOUNT_PROPAGATION__PROPAGATION_BIDIRECTIONAL },
               { "/host/with:colon", "/colon", true,
                 RUNTIME__V1__MOUNT_PROPAGATION__PROPAGATION_HOST_TO_CONTAINER } };
  c.devices = { { "/dev/fuse", "/dev/fuse", "" } };
  std::string name;
  json_t *b = ContainerBody (c, &name);
  ASSERT_NE (b, nullptr);
  EXPECT_EQ (name, "k8s_nginx_web_default_u-1_1");
  EXPECT_EQ (Str (b, "Image"), "nginx:1.25");
  EXPECT_EQ (Strings (json_object_get (b, "Entrypoint")),
             std::vector<std::string> ({ "/bin/sh", "-c" }));
  EXPECT_EQ (Strings (json_object_get (b, "Cmd")), std::vector<std::string> ({ "exec nginx" }));
  EXPECT_EQ (Strings (json_object_get (b, "Env")), std::vector<std::string> ({ "A=1", "B=x=y" }));
  EXPECT_EQ (Str (b, "WorkingDir"), "/srv");
  EXPECT_EQ (Strings (json_object_get (json_object_get (b, "Healthcheck"), "Test")),
             std::vector<std::string> ({ "NONE" }));
  json_t *labels = json_object_get (b, "Labels");
  EXPECT_EQ (Str (labels, "io.kubernetes.docker.type"), "container");
  EXPECT_EQ (Str (labels, "io.kubernetes.sandbox.id"), "sandboxid");
  EXPECT_EQ (Str (labels, "io.kubernetes.container.logpath"),
             "/var/log/pods/default_web_u-1/nginx/1.log");
  EXPECT_EQ (Str (labels, "annotation.io.kubernetes.container.hash"), "abc");

  json_t *hc = json_object_get (b, "HostConfig");
  EXPECT_EQ (Strings (json_object_get (hc, "Binds")),
             std::vector<std::string> ({ "/host/ro:/ro:ro", "/host/slave:/slave:rslave",
                                         "/host/both:/both:ro,rshared" }));
  json_t *mounts = json_object_get (hc, "Mounts");
  ASSERT_EQ (json_array_size (mounts), 1u);
  EXPECT_EQ (Str (json_array_get (mounts, 0), "Source"), "/host/with:colon");
  EXPECT_TRUE (json_is_true (json_object_get (json_array_get (mounts, 0), "ReadOnly")));
  EXPECT_EQ (Str (json_object_get (json_array_get (mounts, 0), "BindOptions"), "Propagation"),
             "rslave");
  json_t *dev = json_array_get (json_object_get (hc, "Devices"), 0);
  EXPECT_EQ (Str (dev, "PathOnHost"), "/dev/fuse");
  EXPECT_EQ (Str (dev, "CgroupPermissions"), "rwm");
  EXPECT_EQ (Str (hc, "NetworkMode"), "container:sandboxid");
  EXPECT_EQ (Str (hc, "IpcMode"), "container:sandboxid");
  EXPECT_EQ (json_object_get (hc, "PidMode"), nullptr);
  EXPECT_EQ (json_object_get (hc, "UTSMode"), nullptr);
  EXPECT_EQ (Str (json_object_get (hc, "LogConfig"), "Type"), "json-file");
  // No security context: unconfined seccomp, as the Go dockershim.
  EXPECT_EQ (Strings (json_object_get (hc, "SecurityOpt")),
             std::vector<std::string> ({ "seccomp=unconfined" }));
  json_decref (b);
}

TEST_F (DockerConfigTest, ContainerSecurityContextAndResources)
{
  ContainerSpec c;
  c.name = "app";
  c.image = "busybox";
  c.has_linux = true;
  c.cpu_shares = 512;
  c.cpu_quota = 50000;
  c.cpu_period = 100000;
  c.memory = 1 << 30;
  c.oom_score_adj = -997;
  c.has_user = true;
  c.user = 1000;
  c.has_group = true;
  c.group = 3000;
  c.supplemental_groups = { 4000, 5000 };
  c.readonly_rootfs = true;
  c.no_new_privs = true;
  c.cap_add = { "NET_ADMIN" };
  c.cap_drop = { "ALL" };
  c.masked_paths = { "/proc/kcore" };
  c.readonly_paths = { "/proc/sys" };
  c.seccomp = RUNTIME__V1__SECURITY_PROFILE__PROFILE_TYPE__RuntimeDefault;
  c.pid = RUNTIME__V1__NAMESPACE_MODE__POD;
  json_t *b = ContainerBody (c);
  EXPECT_EQ (Str (b, "User"), "1000:3000");
  json_t *hc = json_object_get (b, "HostConfig");
  EXPECT_EQ (json_integer_value (json_object_get (hc, "CpuShares")), 512);
  EXPECT_EQ (json_integer_value (json_object_get (hc, "CpuQuota")), 50000);
  EXPECT_EQ (json_integer_value (json_object_get (hc, "CpuPeriod")), 100000);
  EXPECT_EQ (json_integer_value (json_object_get (hc, "Memory")), 1 << 30);
  EXPECT_EQ (json_integer_value (json_object_get (hc, "MemorySwap")), 1 << 30);
  EXPECT_EQ (json_integer_value (json_object_get (hc, "OomScoreAdj")), 0);
  EXPECT_EQ (Strings (json_object_get (hc, "GroupAdd")),
             std::vector<std::string> ({ "4000", "5000" }));
  EXPECT_TRUE (json_is_true (json_object_get (hc, "ReadonlyRootfs")));
  EXPECT_EQ (Strings (json_object_get (hc, "CapAdd")), std::vector<std::string> ({ "NET_ADMIN" }));
  EXPECT_EQ (Strings (json_object_get (hc, "CapDrop")), std::vector<std::string> ({ "ALL" }));
  EXPECT_EQ (Strings (json_object_get (hc, "MaskedPaths")),
             std::vector<std::string> ({ "/proc/kcore" }));
  EXPECT_EQ (Strings (json_object_get (hc, "ReadonlyPaths")),
             std::vector<std::string> ({ "/proc/sys" }));
  EXPECT_EQ (Strings (json_object_get (hc, "SecurityOpt")),
             std::vector<std::string> ({ "no-new-privileges" }));
  EXPECT_EQ (Str (hc, "PidMode"), "container:sandboxid");
  json_decref (b);

  // Privileged: Docker's masks do not apply; unconfined seccomp; the node's PID and UTS.
  c.privileged = true;
  c.seccomp = RUNTIME__V1__SECURITY_PROFILE__PROFILE_TYPE__Unconfined;
  c.pid = RUNTIME__V1__NAMESPACE_MODE__NODE;
  c.network = RUNTIME__V1__NAMESPACE_MODE__NODE;
  b = ContainerBody (c);
  hc = json_object_get (b, "HostConfig");
  EXPECT_TRUE (json_is_true (json_object_get (hc, "Privileged")));
  EXPECT_EQ (json_object_get (hc, "MaskedPaths"), nullptr);
  EXPECT_EQ (Str (hc, "PidMode"), "host");
  EXPECT_EQ (Str (hc, "UTSMode"), "host");
  EXPECT_EQ (Strings (json_object_get (hc, "SecurityOpt")),
             std::vector<std::string> ({ "no-new-privileges", "seccomp=unconfined" }));
  json_decref (b);
}

TEST_F (DockerConfigTest, LocalhostSeccompProfile)
{
  char path[] = "/tmp/seccomp_test.XXXXXX";
  int fd = mkstemp (path);
  ASSERT_GE (fd, 0);
  const char *profile = "{ \"defaultAction\": \"SCMP_ACT_ALLOW\",\n \"syscalls\": [] }";
  ASSERT_EQ (write (fd, profile, strlen (profile)), (ssize_t) strlen (profile));
  close (fd);
  ContainerSpec c;
  c.name = "app";
  c.image = "busybox";
  c.has_linux = true;
  Pb<Runtime__V1__PodSandboxConfig> sconfig (MakeSandboxConfig (sandbox_));
  Pb<Runtime__V1__ContainerConfig> config (MakeContainerConfig (c));
  auto *sp = (Runtime__V1__SecurityProfile *) malloc (sizeof (Runtime__V1__SecurityProfile));
  runtime__v1__security_profile__init (sp);
  sp->profile_type = RUNTIME__V1__SECURITY_PROFILE__PROFILE_TYPE__Localhost;
  sp->localhost_ref = strdup (path);
  config->linux->security_context->seccomp = sp;
  char *name = nullptr;
  json_t *body = nullptr;
  kl_error_t err = nullptr;
  ASSERT_EQ (
      ds_container_create_body (&ctx_, "sb", config.get (), sconfig.get (), &name, &body, &err), 0)
      << kl_error_message (err);
  EXPECT_EQ (Strings (json_object_get (json_object_get (body, "HostConfig"), "SecurityOpt")),
             std::vector<std::string> (
                 { "seccomp={\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[]}" }));
  json_decref (body);
  free (name);
  name = nullptr;
  unlink (path);
  // Missing and relative profiles are the pod's error.
  EXPECT_LT (
      ds_container_create_body (&ctx_, "sb", config.get (), sconfig.get (), &name, &body, &err), 0);
  EXPECT_TRUE (kl_error_is (err, KL_ERROR_INVALID)) << kl_error_message (err);
  kl_error_release (&err);
  free (sp->localhost_ref);
  sp->localhost_ref = strdup ("profiles/x.json");
  EXPECT_LT (
      ds_container_create_body (&ctx_, "sb", config.get (), sconfig.get (), &name, &body, &err), 0);
  EXPECT_NE (strstr (kl_error_message (err), "must be absolute"), nullptr);
  kl_error_release (&err);
}

TEST_F (DockerConfigTest, ContainerErrors)
{
  ContainerSpec c;
  c.name = "app";
  c.image = "busybox";
  c.has_linux = true;
  c.has_group = true; // a group without a user
  kl_error_t err = nullptr;
  EXPECT_EQ (ContainerBody (c, nullptr, &err), nullptr);
  EXPECT_NE (strstr (kl_error_message (err), "runAsGroup is specified without a runAsUser"),
             nullptr);
  kl_error_release (&err);
  c.has_group = false;
  c.image = "";
  EXPECT_EQ (ContainerBody (c, nullptr, &err), nullptr);
  EXPECT_TRUE (kl_error_is (err, KL_ERROR_INVALID));
  kl_error_release (&err);
}

TEST_F (DockerConfigTest, UpdateBodyAndBinds)
{
  Runtime__V1__LinuxContainerResources r = RUNTIME__V1__LINUX_CONTAINER_RESOURCES__INIT;
  r.cpu_shares = 256;
  r.memory_limit_in_bytes = 100 << 20;
  r.oom_score_adj = 100;
  json_t *b = ds_update_resources_body (&r);
  EXPECT_EQ (json_integer_value (json_object_get (b, "CpuShares")), 256);
  EXPECT_EQ (json_integer_value (json_object_get (b, "Memory")), 100 << 20);
  EXPECT_EQ (json_integer_value (json_object_get (b, "MemorySwap")), 100 << 20);
  EXPECT_EQ (json_object_get (b, "OomScoreAdj"), nullptr);
  EXPECT_EQ (json_object_get (b, "CpuQuota"), nullptr);
  json_decref (b);

  Runtime__V1__Mount m = RUNTIME__V1__MOUNT__INIT;
  m.host_path = (char *) "/a";
  m.container_path = (char *) "/b";
  char *bind = ds_mount_to_bind (&m);
  EXPECT_STREQ (bind, "/a:/b");
  free (bind);
  m.readonly = true;
  m.propagation = RUNTIME__V1__MOUNT_PROPAGATION__PROPAGATION_HOST_TO_CONTAINER;
  bind = ds_mount_to_bind (&m);
  EXPECT_STREQ (bind, "/a:/b:ro,rslave");
  free (bind);
  m.container_path = (char *) "/c:d";
  EXPECT_EQ (ds_mount_to_bind (&m), nullptr);

  char *p = ds_cgroup_parent ("systemd", "/kubepods.slice/kubepods-burstable.slice/");
  EXPECT_STREQ (p, "kubepods-burstable.slice");
  free (p);
  p = ds_cgroup_parent ("cgroupfs", "/kubepods/burstable");
  EXPECT_STREQ (p, "/kubepods/burstable");
  free (p);
  EXPECT_EQ (ds_cgroup_parent ("systemd", ""), nullptr);
}

} // namespace

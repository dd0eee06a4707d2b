// The CRI configs the kubelet hands the runtime: kl_sandbox_config_make
// (generatePodSandboxConfig) and kl_container_config_make
// (generateContainerConfig), with kl_expand_env and the QoS helpers.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <string>
#include <sys/stat.h>
#include <vector>

#include "pkg/kubelet/kuberuntime/testing.h"

extern "C" {
#include "pkg/kubelet/kuberuntime/container_config.h"
#include "pkg/kubelet/kuberuntime/labels.h"
#include "pkg/kubelet/kuberuntime/qos.h"
#include "pkg/kubelet/volume/volume.h"
#include "pkg/kubelet/kuberuntime/sandbox.h"
#include "pkg/kubelet/volume/volume.h"
#include "pkg/util/grpc/grpc.h"
}

using namespace kl_kuberuntime_testing;

namespace {

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

std::vector<std::string>
Strv (char **v, size_t n)
{
  return std::vector<std::string> (v, v + n);
}

std::string
MapGet (void *const *entries, size_t n, const char *key)
{
  const char *v = kl_cri_map_get (entries, n, key);
  return v ? v : "<absent>";
}

std::string
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

const char kSimpleContainers[] = "  containers:\n"
                                 "    - name: app\n"
                                 "      image: busybox\n";

// ---------------------------------------------------------------------------
// Sandbox config
// ---------------------------------------------------------------------------

class SandboxConfigTest : public ::testing::Test
{
protected:
  void
  Make (const std::string &yaml, uint32_t attempt = 0, const char *resolv_conf = nullptr)
  {
    pod = DecodePod (yaml);
    ASSERT_NE (pod, nullptr);
    kl_error_t err = nullptr;
    ASSERT_EQ (kl_sandbox_config_make (pod.get (), attempt, "/var/log/pods", resolv_conf,
                                       config.out (), &err),
               0)
        << kl_error_message (err);
    ASSERT_NE (config.p, nullptr);
  }

  std::string
  WriteResolvConf (const std::string &content)
  {
    std::string path = dir.path () + "/resolv.conf";
    std::ofstream (path) << content;
    return path;
  }

  TempDir dir;
  PodPtr pod;
  Pb<Runtime__V1__PodSandboxConfig> config;
};

TEST_F (SandboxConfigTest, MetadataHostnameAndLogDirectory)
{
  Make (PodYaml (kSimpleContainers), 3);
  ASSERT_NE (config->metadata, nullptr);
  EXPECT_STREQ (config->metadata->name, "web");
  EXPECT_STREQ (config->metadata->namespace_, "prod");
  EXPECT_STREQ (config->metadata->uid, "1234-abcd");
  EXPECT_EQ (config->metadata->attempt, 3u);
  EXPECT_STREQ (config->hostname, "web");
  EXPECT_STREQ (config->log_directory, "/var/log/pods/prod_web_1234-abcd");

  char *dir_path = kl_pod_log_directory ("/logs", pod.get ());
  EXPECT_STREQ (dir_path, "/logs/prod_web_1234-abcd");
  free (dir_path);
}

TEST_F (SandboxConfigTest, HostnameTable)
{
  struct Row
  {
    const char *name;
    std::string spec_extra;
    std::string want;
  } rows[] = {
    { "pod name", "", "web" },
    { "spec.hostname wins", "  hostname: frontend\n", "frontend" },
    { "host network sets none", "  hostNetwork: true\n", "" },
  };
  for (const Row &r : rows)
    {
      SCOPED_TRACE (r.name);
      Make (PodYaml (r.spec_extra + kSimpleContainers));
      EXPECT_EQ (Str (config->hostname), r.want);
      config.reset ();
    }
}

TEST_F (SandboxConfigTest, LabelsAndAnnotations)
{
  Make (PodYaml (kSimpleContainers, "  labels: {app: web, tier: front}\n"
                                    "  annotations: {owner: team-a}\n"));
  void *const *labels = (void *const *) config->labels;
  EXPECT_EQ (config->n_labels, 6u);
  EXPECT_EQ (MapGet (labels, config->n_labels, "app"), "web");
  EXPECT_EQ (MapGet (labels, config->n_labels, "tier"), "front");
  EXPECT_EQ (MapGet (labels, config->n_labels, "io.kubernetes.pod.name"), "web");
  EXPECT_EQ (MapGet (labels, config->n_labels, "io.kubernetes.pod.namespace"), "prod");
  EXPECT_EQ (MapGet (labels, config->n_labels, "io.kubernetes.pod.uid"), "1234-abcd");
  EXPECT_EQ (MapGet (labels, config->n_labels, "io.kubernetes.kubelet.managed"), "true");
  ASSERT_EQ (config->n_annotations, 1u);
  EXPECT_EQ (MapGet ((void *const *) config->annotations, 1, "owner"), "team-a");
}

TEST_F (SandboxConfigTest, PortMappingsOnlyForHostPorts)
{
  Make (PodYaml ("  containers:\n"
                 "    - name: app\n"
                 "      image: busybox\n"
                 "      ports:\n"
                 "        - {containerPort: 80, hostPort: 8080}\n"
                 "        - {containerPort: 9000}\n"
                 "        - {containerPort: 53, hostPort: 5353, protocol: UDP, hostIP: 127.0.0.1}\n"
                 "    - name: side\n"
                 "      image: busybox\n"
                 "      ports:\n"
                 "        - {containerPort: 7000, hostPort: 7000, protocol: SCTP}\n"));
  ASSERT_EQ (config->n_port_mappings, 3u);
  struct Want
  {
    Runtime__V1__Protocol protocol;
    int container_port, host_port;
    const char *host_ip;
  } want[] = {
    { RUNTIME__V1__PROTOCOL__TCP, 80, 8080, "" },
    { RUNTIME__V1__PROTOCOL__UDP, 53, 5353, "127.0.0.1" },
    { RUNTIME__V1__PROTOCOL__SCTP, 7000, 7000, "" },
  };
  for (size_t i = 0; i < 3; i++)
    {
      SCOPED_TRACE (i);
      EXPECT_EQ (config->port_mappings[i]->protocol, want[i].protocol);
      EXPECT_EQ (config->port_mappings[i]->container_port, want[i].container_port);
      EXPECT_EQ (config->port_mappings[i]->host_port, want[i].host_port);
      EXPECT_STREQ (config->port_mappings[i]->host_ip, want[i].host_ip);
    }
}

TEST_F (SandboxConfigTest, HostNetworkDefaultsHostPortsToContainerPorts)
{
  Make (PodYaml ("  hostNetwork: true\n"
                 "  containers:\n"
                 "    - name: app\n"
                 "      image: busybox\n"
                 "      ports: [{containerPort: 10250}]\n"));
  ASSERT_EQ (config->n_port_mappings, 1u);
  EXPECT_EQ (config->port_mappings[0]->host_port, 10250);
}

TEST_F (SandboxConfigTest, NamespaceOptionsTable)
{
  const auto POD = RUNTIME__V1__NAMESPACE_MODE__POD;
  const auto NODE = RUNTIME__V1__NAMESPACE_MODE__NODE;
  const auto CONTAINER = RUNTIME__V1__NAMESPACE_MODE__CONTAINER;
  struct Row
  {
    const char *spec;
    Runtime__V1__NamespaceMode network, pid, ipc;
  } rows[] = {
    { "", POD, CONTAINER, POD },
    { "  hostNetwork: true\n", NODE, CONTAINER, POD },
    { "  hostPID: true\n", POD, NODE, POD },
    { "  hostIPC: true\n", POD, CONTAINER, NODE },
    { "  shareProcessNamespace: true\n", POD, POD, POD },
    { "  hostNetwork: true\n  hostPID: true\n  hostIPC: true\n", NODE, NODE, NODE },
  };
  for (const Row &r : rows)
    {
      SCOPED_TRACE (r.spec);
      Make (PodYaml (std::string (r.spec) + kSimpleContainers));
      ASSERT_NE (config->linux, nullptr);
      ASSERT_NE (config->linux->security_context, nullptr);
      const Runtime__V1__NamespaceOption *ns = config->linux->security_context->namespace_options;
      ASSERT_NE (ns, nullptr);
      EXPECT_EQ (ns->network, r.network);
      EXPECT_EQ (ns->pid, r.pid);
      EXPECT_EQ (ns->ipc, r.ipc);
      config.reset ();
    }
}

TEST_F (SandboxConfigTest, DnsFromResolvConfThenPodDnsConfig)
{
  std::string resolv = WriteResolvConf ("# the node's\n"
                                        "nameserver 10.1.1.1\n"
                                        "nameserver 10.1.1.2\n"
                                        "; another comment\n"
                                        "search corp.example.com example.com\n"
                                        "options ndots:2 edns0\n");
  Make (PodYaml ("  dnsConfig:\n"
                 "    nameservers: [10.9.9.9, 10.1.1.1]\n"
                 "    searches: [pods.local, example.com]\n"
                 "    options:\n"
                 "      - {name: ndots, value: '5'}\n"
                 "      - {name: single-request}\n"
                 + std::string (kSimpleContainers)),
        0, resolv.c_str ());
  ASSERT_NE (config->dns_config, nullptr);
  const Runtime__V1__DNSConfig *dns = config->dns_config;
  EXPECT_EQ (Strv (dns->servers, dns->n_servers),
             (std::vector<std::string>{ "10.1.1.1", "10.1.1.2", "10.9.9.9" }));
  EXPECT_EQ (Strv (dns->searches, dns->n_searches),
             (std::vector<std::string>{ "corp.example.com", "example.com", "pods.local" }));
  std::vector<std::string> options = Strv (dns->options, dns->n_options);
  auto at = [&] (const std::string &o) {
    return std::find (options.begin (), options.end (), o) - options.begin ();
  };
  EXPECT_LT ((size_t) at ("edns0"), options.size ());
  EXPECT_LT ((size_t) at ("single-request"), options.size ());
  ASSERT_LT ((size_t) at ("ndots:5"), options.size ());
  // The pod's value wins (Go merges by name; a resolver takes the last).
  if ((size_t) at ("ndots:2") < options.size ())
    {
      EXPECT_GT (at ("ndots:5"), at ("ndots:2"));
    }
}

TEST_F (SandboxConfigTest, DnsPolicyNoneUsesOnlyThePodsDnsConfig)
{
  std::string resolv = WriteResolvConf ("nameserver 10.1.1.1\nsearch example.com\n");
  Make (PodYaml ("  dnsPolicy: None\n"
                 "  dnsConfig:\n"
                 "    nameservers: [1.1.1.1]\n"
                 "    searches: [a.local]\n"
                 "    options: [{name: ndots, value: '1'}]\n"
                 + std::string (kSimpleContainers)),
        0, resolv.c_str ());
  const Runtime__V1__DNSConfig *dns = config->dns_config;
  ASSERT_NE (dns, nullptr);
  EXPECT_EQ (Strv (dns->servers, dns->n_servers), (std::vector<std::string>{ "1.1.1.1" }));
  EXPECT_EQ (Strv (dns->searches, dns->n_searches), (std::vector<std::string>{ "a.local" }));
  EXPECT_EQ (Strv (dns->options, dns->n_options), (std::vector<std::string>{ "ndots:1" }));
}

TEST_F (SandboxConfigTest, DnsKeepsAtMostThreeNameservers)
{
  std::string resolv = WriteResolvConf ("nameserver 10.0.0.1\nnameserver 10.0.0.2\n"
                                        "nameserver 10.0.0.3\nnameserver 10.0.0.4\n");
  Make (PodYaml (kSimpleContainers), 0, resolv.c_str ());
  const Runtime__V1__DNSConfig *dns = config->dns_config;
  EXPECT_EQ (Strv (dns->servers, dns->n_servers),
             (std::vector<std::string>{ "10.0.0.1", "10.0.0.2", "10.0.0.3" }));
}

TEST_F (SandboxConfigTest, DnsWithoutResolvConfIsEmpty)
{
  Make (PodYaml (kSimpleContainers), 0, (dir.path () + "/missing").c_str ());
  ASSERT_NE (config->dns_config, nullptr);
  EXPECT_EQ (config->dns_config->n_servers, 0u);
  EXPECT_EQ (config->dns_config->n_searches, 0u);
}

// Go's GetPodDNS reads the node's resolv.conf for every policy but None,
// host network included (ClusterFirst falls back to Default there), then
// appends the pod's dnsConfig. The runtime writes the pod's resolv.conf
// from this config when it is not empty, so a host-network pod with a
// dnsConfig must still carry the node's nameservers.
TEST_F (SandboxConfigTest, HostNetworkPodWithDnsConfigKeepsTheNodesResolvConf)
{
  std::string resolv = WriteResolvConf ("nameserver 10.1.1.1\nsearch example.com\n");
  Make (PodYaml ("  hostNetwork: true\n"
                 "  dnsPolicy: Default\n"
                 "  dnsConfig:\n"
                 "    searches: [extra.local]\n"
                 + std::string (kSimpleContainers)),
        0, resolv.c_str ());
  const Runtime__V1__DNSConfig *dns = config->dns_config;
  ASSERT_NE (dns, nullptr);
  EXPECT_EQ (Strv (dns->servers, dns->n_servers), (std::vector<std::string>{ "10.1.1.1" }));
  EXPECT_EQ (Strv (dns->searches, dns->n_searches),
             (std::vector<std::string>{ "example.com", "extra.local" }));
}

TEST_F (SandboxConfigTest, LinuxSecurityContextAndSysctls)
{
  Make (PodYaml ("  securityContext:\n"
                 "    runAsUser: 1000\n"
                 "    runAsGroup: 3000\n"
                 "    fsGroup: 2000\n"
                 "    supplementalGroups: [4000]\n"
                 "    sysctls: [{name: net.core.somaxconn, value: '1024'}]\n"
                 "  initContainers:\n"
                 "    - name: init\n"
                 "      image: busybox\n"
                 "      securityContext: {privileged: true}\n"
                 + std::string (kSimpleContainers)));
  const Runtime__V1__LinuxPodSandboxConfig *lc = config->linux;
  ASSERT_NE (lc, nullptr);
  const Runtime__V1__LinuxSandboxSecurityContext *sc = lc->security_context;
  ASSERT_NE (sc, nullptr);
  ASSERT_NE (sc->run_as_user, nullptr);
  EXPECT_EQ (sc->run_as_user->value, 1000);
  ASSERT_NE (sc->run_as_group, nullptr);
  EXPECT_EQ (sc->run_as_group->value, 3000);
  std::vector<int64_t> groups (sc->supplemental_groups,
                               sc->supplemental_groups + sc->n_supplemental_groups);
  EXPECT_EQ (groups.size (), 2u);
  EXPECT_NE (std::find (groups.begin (), groups.end (), 2000), groups.end ());
  EXPECT_NE (std::find (groups.begin (), groups.end (), 4000), groups.end ());
  EXPECT_TRUE (sc->privileged) << "an init container is privileged";
  ASSERT_EQ (lc->n_sysctls, 1u);
  EXPECT_EQ (MapGet ((void *const *) lc->sysctls, 1, "net.core.somaxconn"), "1024");
}

// ---------------------------------------------------------------------------
// kl_expand_env
// ---------------------------------------------------------------------------

TEST (ExpandEnvTest, Table)
{
  kl_env_var_t env[] = {
    { (char *) "A", (char *) "alpha" },
    { (char *) "B", (char *) "beta" },
    { (char *) "EMPTY", nullptr },
    { (char *) "A", (char *) "again" }, // a later duplicate wins
  };
  struct Row
  {
    const char *in, *want;
  } rows[] = {
    { "", "" },
    { "plain", "plain" },
    { "$(A)", "again" },
    { "x$(B)y", "xbetay" },
    { "$(A)$(B)", "againbeta" },
    { "$(EMPTY)", "" },
    { "$(UNKNOWN)", "$(UNKNOWN)" },
    { "$$(A)", "$(A)" },
    { "$$", "$" },
    { "$$$$", "$$" },
    { "$$$(A)", "$again" },
    { "$", "$" },
    { "a$", "a$" },
    { "$x", "$x" },
    { "$(", "$(" },
    { "$(A", "$(A" },
    { "$()", "$()" },
    { "$(A $(B)", "$(A $(B)" },
    { "(A)", "(A)" },
    { "$(A$(B", "$(A$(B" },
  };
  for (const Row &r : rows)
    {
      SCOPED_TRACE (r.in);
      char *got = kl_expand_env (r.in, env, 4);
      EXPECT_STREQ (got, r.want);
      free (got);
    }
  char *none = kl_expand_env ("$(A)", nullptr, 0);
  EXPECT_STREQ (none, "$(A)");
  free (none);
}

// An unclosed reference is kept and scanning goes on after "$(", as in Go's
// expansion.Expand (tryReadVariableName returns "$(" and advances one byte),
// so a later "$$" is still an escape.
TEST (ExpandEnvTest, UnclosedReferenceThenEscape)
{
  kl_env_var_t env[] = { { (char *) "A", (char *) "alpha" } };
  char *got = kl_expand_env ("$(A$$", env, 1);
  EXPECT_STREQ (got, "$(A$");
  free (got);
  got = kl_expand_env ("echo $(HOME cost $$5", env, 1);
  EXPECT_STREQ (got, "echo $(HOME cost $5");
  free (got);
}

// ---------------------------------------------------------------------------
// Container config
// ---------------------------------------------------------------------------

class ContainerConfigTest : public ::testing::Test
{
protected:
  void
  SetUp () override
  {
    pod_dir = dir.path () + "/pods/1234-abcd";
  }

  kl_container_config_opts_t
  Opts (int restart_count = 0, bool is_init = false)
  {
    kl_container_config_opts_t o = {};
    o.image_ref = "sha256:feed";
    o.restart_count = restart_count;
    o.is_init = is_init;
    o.pod_dir = pod_dir.c_str ();
    o.memory_capacity = 4LL << 30;
    return o;
  }

  // Decodes the pod and makes the config of container `name`.
  void
  Make (const std::string &yaml, const std::string &name = "app", int restart_count = 0,
        bool is_init = false)
  {
    pod = DecodePod (yaml);
    ASSERT_NE (pod, nullptr);
    MakeFor (name, Opts (restart_count, is_init));
  }

  void
  MakeFor (const std::string &name, const kl_container_config_opts_t &opts)
  {
    const kl_container_t *c = Spec (pod.get (), name);
    ASSERT_NE (c, nullptr);
    kl_error_t err = nullptr;
    // As the runtime manager: volumes exist before a container config names them.
    if (kl_volumes_setup (pod_dir.c_str (), pod.get (), &err) < 0)
      kl_error_release (&err);
    ret = kl_container_config_make (pod.get (), c, &opts, config.out (), &err);
    message = kl_error_message (err);
    is_invalid = kl_error_is (err, KL_ERROR_INVALID);
    kl_error_release (&err);
  }

  void
  Reset ()
  {
    config.reset ();
  }

  std::string
  Annotation (const char *key)
  {
    return MapGet ((void *const *) config->annotations, config->n_annotations, key);
  }

  TempDir dir;
  std::string pod_dir;
  PodPtr pod;
  Pb<Runtime__V1__ContainerConfig> config;
  int ret = 0;
  std::string message;
  bool is_invalid = false;
};

TEST_F (ContainerConfigTest, CommandArgsAndEnvExpansion)
{
  Make (PodYaml ("  containers:\n"
                 "    - name: app\n"
                 "      image: busybox\n"
                 "      command: [sh, -c, 'echo $(GREETING) $(NAME)']\n"
                 "      args: ['$(ADDR)', '$$(NAME)', '$(MISSING)', '$(LITERAL)']\n"
                 "      env:\n"
                 "        - {name: NAME, value: world}\n"
                 "        - {name: GREETING, value: 'hello $(NAME)'}\n"
                 "        - {name: ADDR, value: '$(HOST):$(PORT)'}\n"
                 "        - {name: HOST, value: localhost}\n"
                 "        - {name: LITERAL, value: '$$(NAME)'}\n"
                 "        - {name: EMPTY}\n"));
  ASSERT_EQ (ret, 0) << message;
  EXPECT_EQ (Strv (config->command, config->n_command),
             (std::vector<std::string>{ "sh", "-c", "echo hello world world" }));
  // ADDR referred to HOST before HOST was defined, so it stays unexpanded.
  EXPECT_EQ (Strv (config->args, config->n_args),
             (std::vector<std::string>{ "$(HOST):$(PORT)", "$(NAME)", "$(MISSING)", "$(NAME)" }));
  std::vector<std::pair<std::string, std::string>> envs;
  for (size_t i = 0; i < config->n_envs; i++)
    envs.emplace_back (config->envs[i]->key, config->envs[i]->value);
  EXPECT_EQ (envs, (std::vector<std::pair<std::string, std::string>>{
                       { "NAME", "world" },
                       { "GREETING", "hello world" },
                       { "ADDR", "$(HOST):$(PORT)" },
                       { "HOST", "localhost" },
                       { "LITERAL", "$(NAME)" },
                       { "EMPTY", "" },
                   }));
}

TEST_F (ContainerConfigTest, MetadataImageLogPathLabelsAndAnnotations)
{
  Make (PodYaml ("  terminationGracePeriodSeconds: 45\n"
                 "  containers:\n"
                 "    - name: app\n"
                 "      image: busybox:1.36\n"
                 "      workingDir: /srv\n"
                 "      stdin: true\n"
                 "      tty: true\n"
                 "      terminationMessagePolicy: FallbackToLogsOnError\n"),
        "app", 4);
  ASSERT_EQ (ret, 0) << message;
  EXPECT_STREQ (config->metadata->name, "app");
  EXPECT_EQ (config->metadata->attempt, 4u);
  EXPECT_STREQ (config->image->image, "sha256:feed");
  EXPECT_STREQ (config->working_dir, "/srv");
  EXPECT_STREQ (config->log_path, "app/4.log");
  EXPECT_TRUE (config->stdin);
  EXPECT_TRUE (config->tty);
  EXPECT_FALSE (config->stdin_once);

  void *const *labels = (void *const *) config->labels;
  EXPECT_EQ (config->n_labels, 4u);
  EXPECT_EQ (MapGet (labels, config->n_labels, "io.kubernetes.pod.name"), "web");
  EXPECT_EQ (MapGet (labels, config->n_labels, "io.kubernetes.pod.namespace"), "prod");
  EXPECT_EQ (MapGet (labels, config->n_labels, "io.kubernetes.pod.uid"), "1234-abcd");
  EXPECT_EQ (MapGet (labels, config->n_labels, "io.kubernetes.container.name"), "app");

  char hash[KL_CONTAINER_HASH_STRLEN];
  kl_container_hash_format (kl_container_hash (Spec (pod.get (), "app")), hash);
  EXPECT_EQ (Annotation ("io.kubernetes.container.hash"), hash);
  EXPECT_EQ (Annotation ("io.kubernetes.container.restartCount"), "4");
  EXPECT_EQ (Annotation ("io.kubernetes.container.terminationMessagePath"), "/dev/termination-log");
  EXPECT_EQ (Annotation ("io.kubernetes.container.terminationMessagePolicy"),
             "FallbackToLogsOnError");
  EXPECT_EQ (Annotation ("io.kubernetes.pod.terminationGracePeriod"), "45");
  EXPECT_EQ (Annotation ("io.kubernetes.container.init"), "<absent>");
  EXPECT_EQ (config->n_mounts, 0u);
}

TEST_F (ContainerConfigTest, InitContainersAreAnnotated)
{
  Make (PodYaml ("  initContainers: [{name: setup, image: busybox}]\n"
                 + std::string (kSimpleContainers)),
        "setup", 0, true);
  ASSERT_EQ (ret, 0) << message;
  EXPECT_EQ (Annotation ("io.kubernetes.container.init"), "true");
  EXPECT_STREQ (config->log_path, "setup/0.log");
}

TEST_F (ContainerConfigTest, ResourcesTable)
{
  struct Row
  {
    const char *name;
    const char *resources; // YAML under resources:
    int64_t shares, quota, period, memory;
  } rows[] = {
    { "none", "{}", 2, 0, 0, 0 },
    { "request and limit", "{requests: {cpu: 250m}, limits: {cpu: '1', memory: 128Mi}}", 256,
      100000, 100000, 128LL << 20 },
    { "limit only: request defaults to it", "{limits: {cpu: 500m}}", 512, 50000, 100000, 0 },
    { "request only: no quota", "{requests: {cpu: 100m, memory: 64Mi}}", 102, 0, 0, 0 },
    { "tiny limit: quota floor 1ms, shares floor 2", "{limits: {cpu: 1m}}", 2, 1000, 100000, 0 },
    { "two cpus", "{requests: {cpu: '2'}, limits: {cpu: '2', memory: 1Gi}}", 2048, 200000, 100000,
      1LL << 30 },
  };
  for (const Row &r : rows)
    {
      SCOPED_TRACE (r.name);
      Reset ();
      Make (PodYaml (std::string ("  containers:\n"
                                  "    - name: app\n"
                                  "      image: busybox\n"
                                  "      resources: ")
                     + r.resources + "\n"));
      ASSERT_EQ (ret, 0) << message;
      const Runtime__V1__LinuxContainerResources *res = config->linux->resources;
      ASSERT_NE (res, nullptr);
      EXPECT_EQ (res->cpu_shares, r.shares);
      EXPECT_EQ (res->cpu_quota, r.quota);
      EXPECT_EQ (res->cpu_period, r.period);
      EXPECT_EQ (res->memory_limit_in_bytes, r.memory);
    }
}

TEST (QosTest, ClassAndOomScoreAdjTable)
{
  const int64_t capacity = 4LL << 30;
  struct Row
  {
    const char *name;
    const char *app_resources;
    const char *side_resources;
    const char *qos;
    int64_t app_oom;
  } rows[] = {
    { "best effort", "{}", "{}", "BestEffort", 1000 },
    { "guaranteed: limits only (requests default to them)", "{limits: {cpu: 500m, memory: 1Gi}}",
      "{limits: {cpu: 100m, memory: 64Mi}}", "Guaranteed", -997 },
    { "guaranteed needs cpu and memory limits in every container",
      "{limits: {cpu: 500m, memory: 1Gi}}", "{}", "Burstable", 750 },
    { "burstable: request below limit", "{requests: {memory: 1Gi}, limits: {memory: 2Gi}}", "{}",
      "Burstable", 750 },
    { "burstable without a memory request sits just below best effort", "{requests: {cpu: 100m}}",
      "{}", "Burstable", 999 },
    { "burstable with a request above capacity stays above guaranteed", "{requests: {memory: 8Gi}}",
      "{}", "Burstable", 3 },
    { "burstable with half the node", "{requests: {memory: 2Gi}}", "{}", "Burstable", 500 },
  };
  for (const Row &r : rows)
    {
      SCOPED_TRACE (r.name);
      PodPtr pod = DecodePod (PodYaml (std::string ("  containers:\n"
                                                    "    - {name: app, image: busybox, resources: ")
                                       + r.app_resources
                                       + "}\n"
                                         "    - {name: side, image: busybox, resources: "
                                       + r.side_resources + "}\n"));
      ASSERT_NE (pod, nullptr);
      EXPECT_STREQ (kl_pod_qos_class (pod.get ()), r.qos);
      EXPECT_EQ (kl_container_oom_score_adj (pod.get (), Spec (pod.get (), "app"), capacity),
                 r.app_oom);
    }
}

// GetPodQOS counts only quantities greater than zero: explicit zero
// requests leave a pod BestEffort (and its OOM score at 1000).
TEST (QosTest, ZeroQuantitiesDoNotCount)
{
  PodPtr pod
      = DecodePod (PodYaml ("  containers:\n"
                            "    - {name: app, image: busybox, resources: {requests: {cpu: '0', "
                            "memory: '0'}}}\n"));
  ASSERT_NE (pod, nullptr);
  EXPECT_STREQ (kl_pod_qos_class (pod.get ()), "BestEffort");
  EXPECT_EQ (kl_container_oom_score_adj (pod.get (), Spec (pod.get (), "app"), 4LL << 30), 1000);
}

TEST (QosTest, InitContainersCountForTheClass)
{
  PodPtr pod = DecodePod (
      PodYaml ("  initContainers:\n"
               "    - {name: init, image: busybox, resources: {requests: {cpu: 10m}}}\n"
               + std::string (kSimpleContainers)));
  ASSERT_NE (pod, nullptr);
  EXPECT_STREQ (kl_pod_qos_class (pod.get ()), "Burstable");
}

TEST (QosTest, CpuConversions)
{
  EXPECT_EQ (kl_milli_cpu_to_shares (0), 2);
  EXPECT_EQ (kl_milli_cpu_to_shares (1), 2);
  EXPECT_EQ (kl_milli_cpu_to_shares (1000), 1024);
  EXPECT_EQ (kl_milli_cpu_to_quota (0, 100000), 0);
  EXPECT_EQ (kl_milli_cpu_to_quota (5, 100000), 1000);
  EXPECT_EQ (kl_milli_cpu_to_quota (1500, 100000), 150000);
}

TEST_F (ContainerConfigTest, OomScoreAdjInTheConfig)
{
  Make (PodYaml (
      "  containers:\n"
      "    - {name: app, image: busybox, resources: {limits: {cpu: '1', memory: 1Gi}}}\n"));
  ASSERT_EQ (ret, 0) << message;
  EXPECT_EQ (config->linux->resources->oom_score_adj, -997);
  Reset ();
  Make (PodYaml (kSimpleContainers));
  ASSERT_EQ (ret, 0) << message;
  EXPECT_EQ (config->linux->resources->oom_score_adj, 1000);
}

TEST_F (ContainerConfigTest, RunAsUserAndGroupPrecedenceTable)
{
  struct Row
  {
    const char *name;
    const char *pod_sc;
    const char *container_sc;
    int64_t user, group; // -1: unset
  } rows[] = {
    { "neither", "{}", "{}", -1, -1 },
    { "pod only", "{runAsUser: 2000, runAsGroup: 3000}", "{}", 2000, 3000 },
    { "container only", "{}", "{runAsUser: 1000, runAsGroup: 1001}", 1000, 1001 },
    { "container wins", "{runAsUser: 2000, runAsGroup: 3000}",
      "{runAsUser: 1000, runAsGroup: 1001}", 1000, 1001 },
    { "mixed", "{runAsUser: 2000, runAsGroup: 3000}", "{runAsUser: 0}", 0, 3000 },
  };
  for (const Row &r : rows)
    {
      SCOPED_TRACE (r.name);
      Reset ();
      Make (PodYaml (std::string ("  securityContext: ") + r.pod_sc
                     + "\n  containers:\n"
                       "    - {name: app, image: busybox, securityContext: "
                     + r.container_sc + "}\n"));
      ASSERT_EQ (ret, 0) << message;
      const Runtime__V1__LinuxContainerSecurityContext *sc = config->linux->security_context;
      ASSERT_NE (sc, nullptr);
      if (r.user < 0)
        EXPECT_EQ (sc->run_as_user, nullptr);
      else
        {
          ASSERT_NE (sc->run_as_user, nullptr);
          EXPECT_EQ (sc->run_as_user->value, r.user);
        }
      if (r.group < 0)
        EXPECT_EQ (sc->run_as_group, nullptr);
      else
        {
          ASSERT_NE (sc->run_as_group, nullptr);
          EXPECT_EQ (sc->run_as_group->value, r.group);
        }
    }
}

TEST_F (ContainerConfigTest, SecurityContextFlagsTable)
{
  struct Row
  {
    const char *sc;
    bool privileged, readonly_rootfs, no_new_privs, masked;
  } rows[] = {
    { "{}", false, false, false, true },
    { "{readOnlyRootFilesystem: true}", false, true, false, true },
    { "{allowPrivilegeEscalation: false}", false, false, true, true },
    { "{allowPrivilegeEscalation: true}", false, false, false, true },
    { "{privileged: true}", true, false, false, false },
    { "{privileged: false}", false, false, false, true },
  };
  for (const Row &r : rows)
    {
      SCOPED_TRACE (r.sc);
      Reset ();
      Make (PodYaml (std::string ("  containers:\n"
                                  "    - {name: app, image: busybox, securityContext: ")
                     + r.sc + "}\n"));
      ASSERT_EQ (ret, 0) << message;
      const Runtime__V1__LinuxContainerSecurityContext *sc = config->linux->security_context;
      EXPECT_EQ ((bool) sc->privileged, r.privileged);
      EXPECT_EQ ((bool) sc->readonly_rootfs, r.readonly_rootfs);
      EXPECT_EQ ((bool) sc->no_new_privs, r.no_new_privs);
      std::vector<std::string> masked = Strv (sc->masked_paths, sc->n_masked_paths);
      std::vector<std::string> readonly = Strv (sc->readonly_paths, sc->n_readonly_paths);
      if (r.masked)
        {
          EXPECT_NE (std::find (masked.begin (), masked.end (), "/proc/kcore"), masked.end ());
          EXPECT_NE (std::find (masked.begin (), masked.end (), "/sys/firmware"), masked.end ());
          EXPECT_NE (std::find (readonly.begin (), readonly.end (), "/proc/sys"), readonly.end ());
          EXPECT_NE (std::find (readonly.begin (), readonly.end (), "/proc/sysrq-trigger"),
                     readonly.end ());
        }
      else
        {
          EXPECT_TRUE (masked.empty ());
          EXPECT_TRUE (readonly.empty ());
        }
      ASSERT_NE (sc->namespace_options, nullptr);
    }
}

TEST_F (ContainerConfigTest, CapabilitiesAndSeccomp)
{
  Make (PodYaml ("  securityContext: {seccompProfile: {type: RuntimeDefault}}\n"
                 "  containers:\n"
                 "    - name: app\n"
                 "      image: busybox\n"
                 "      securityContext:\n"
                 "        capabilities: {add: [NET_ADMIN, SYS_TIME], drop: [ALL]}\n"
                 "    - name: side\n"
                 "      image: busybox\n"
                 "      securityContext:\n"
                 "        seccompProfile: {type: Localhost, localhostProfile: profiles/x.json}\n"));
  ASSERT_EQ (ret, 0) << message;
  const Runtime__V1__LinuxContainerSecurityContext *sc = config->linux->security_context;
  ASSERT_NE (sc->capabilities, nullptr);
  EXPECT_EQ (Strv (sc->capabilities->add_capabilities, sc->capabilities->n_add_capabilities),
             (std::vector<std::string>{ "NET_ADMIN", "SYS_TIME" }));
  EXPECT_EQ (Strv (sc->capabilities->drop_capabilities, sc->capabilities->n_drop_capabilities),
             (std::vector<std::string>{ "ALL" }));
  ASSERT_NE (sc->seccomp, nullptr);
  EXPECT_EQ (sc->seccomp->profile_type, RUNTIME__V1__SECURITY_PROFILE__PROFILE_TYPE__RuntimeDefault)
      << "the pod's profile";

  Reset ();
  MakeFor ("side", Opts ());
  ASSERT_EQ (ret, 0) << message;
  sc = config->linux->security_context;
  EXPECT_EQ (sc->capabilities, nullptr);
  ASSERT_NE (sc->seccomp, nullptr);
  EXPECT_EQ (sc->seccomp->profile_type, RUNTIME__V1__SECURITY_PROFILE__PROFILE_TYPE__Localhost)
      << "the container's profile wins";
  EXPECT_STREQ (sc->seccomp->localhost_ref, "profiles/x.json");
}

// ---- mounts ----

std::string
VolumePod (const std::string &host_dir, const std::string &mounts)
{
  return PodYaml ("  volumes:\n"
                  "    - name: scratch\n"
                  "      emptyDir: {}\n"
                  "    - name: host\n"
                  "      hostPath: {path: "
                  + host_dir
                  + ", type: DirectoryOrCreate}\n"
                    "  containers:\n"
                    "    - name: app\n"
                    "      image: busybox\n"
                    "      volumeMounts:\n"
                  + mounts);
}

struct MountView
{
  std::string container_path, host_path;
  bool readonly;
  Runtime__V1__MountPropagation propagation;
};

std::vector<MountView>
Mounts (const Runtime__V1__ContainerConfig *config)
{
  std::vector<MountView> out;
  for (size_t i = 0; i < config->n_mounts; i++)
    out.push_back ({ config->mounts[i]->container_path, config->mounts[i]->host_path,
                     (bool) config->mounts[i]->readonly, config->mounts[i]->propagation });
  return out;
}

TEST_F (ContainerConfigTest, MountsForEmptyDirAndHostPath)
{
  std::string host_dir = dir.path () + "/host/data";
  Make (VolumePod (host_dir, "        - {name: scratch, mountPath: /scratch}\n"
                             "        - {name: host, mountPath: /data, readOnly: true}\n"
                             "        - {name: host, mountPath: /logs, subPath: app/logs,"
                             " mountPropagation: HostToContainer}\n"));
  ASSERT_EQ (ret, 0) << message;
  std::vector<MountView> m = Mounts (config.p);
  ASSERT_EQ (m.size (), 3u);
  EXPECT_EQ (m[0].container_path, "/scratch");
  EXPECT_EQ (m[0].host_path, pod_dir + "/volumes/kubernetes.io~empty-dir/scratch");
  EXPECT_FALSE (m[0].readonly);
  EXPECT_EQ (m[0].propagation, RUNTIME__V1__MOUNT_PROPAGATION__PROPAGATION_PRIVATE);
  EXPECT_EQ (m[1].container_path, "/data");
  EXPECT_EQ (m[1].host_path, host_dir);
  EXPECT_TRUE (m[1].readonly);
  EXPECT_EQ (m[2].container_path, "/logs");
  EXPECT_EQ (m[2].host_path, host_dir + "/app/logs");
  EXPECT_EQ (m[2].propagation, RUNTIME__V1__MOUNT_PROPAGATION__PROPAGATION_HOST_TO_CONTAINER);
}

TEST_F (ContainerConfigTest, EtcHostsAndTerminationLogMounts)
{
  pod = DecodePod (
      VolumePod (dir.path () + "/h", "        - {name: scratch, mountPath: /scratch}\n"));
  ASSERT_NE (pod, nullptr);
  kl_container_config_opts_t opts = Opts ();
  opts.etc_hosts_path = "/pods/x/etc-hosts";
  opts.termination_log_path = "/pods/x/containers/app/0";
  MakeFor ("app", opts);
  ASSERT_EQ (ret, 0) << message;
  std::vector<MountView> m = Mounts (config.p);
  ASSERT_EQ (m.size (), 3u);
  EXPECT_EQ (m[1].container_path, "/etc/hosts");
  EXPECT_EQ (m[1].host_path, "/pods/x/etc-hosts");
  EXPECT_EQ (m[2].container_path, "/dev/termination-log");
  EXPECT_EQ (m[2].host_path, "/pods/x/containers/app/0");

  // A container that mounts /etc/hosts itself keeps its own.
  Reset ();
  pod = DecodePod (
      VolumePod (dir.path () + "/h", "        - {name: scratch, mountPath: /etc/hosts}\n"));
  ASSERT_NE (pod, nullptr);
  MakeFor ("app", opts);
  ASSERT_EQ (ret, 0) << message;
  m = Mounts (config.p);
  ASSERT_EQ (m.size (), 2u);
  EXPECT_EQ (m[0].container_path, "/etc/hosts");
  EXPECT_EQ (m[0].host_path, pod_dir + "/volumes/kubernetes.io~empty-dir/scratch");
}

TEST_F (ContainerConfigTest, BadMountsFail)
{
  struct Row
  {
    const char *name;
    const char *volume; // rename the mount's volume to this, or nullptr
    const char *sub_path;
    bool invalid;
  } rows[] = {
    { "unknown volume", "nope", nullptr, false },
    { "absolute subPath", nullptr, "/etc", true },
    { "subPath with a .. component", nullptr, "a/../../etc", true },
    { "subPath that is ..", nullptr, "..", true },
  };
  for (const Row &r : rows)
    {
      SCOPED_TRACE (r.name);
      Reset ();
      pod = DecodePod (
          VolumePod (dir.path () + "/h", "        - {name: scratch, mountPath: /s}\n"));
      ASSERT_NE (pod, nullptr);
      // The validator refuses these; change the decoded pod behind its back.
      kl_volume_mount_t *vm = &pod->spec.containers[0].volume_mounts[0];
      if (r.volume)
        {
          free (vm->name);
          vm->name = xstrdup (r.volume);
        }
      if (r.sub_path)
        vm->sub_path = xstrdup (r.sub_path);
      MakeFor ("app", Opts ());
      EXPECT_LT (ret, 0);
      EXPECT_EQ (config.p, nullptr);
      EXPECT_EQ (is_invalid, r.invalid) << message;
      EXPECT_NE (message.find (r.volume ? r.volume : "scratch"), std::string::npos) << message;
    }
}

// The API accepts a subPath whose components merely contain "..", such as
// "logs..old" (ValidatePathNoBacksteps splits on "/"), and so does this
// kubelet's own validator (kl_has_dotdot_component).
TEST_F (ContainerConfigTest, SubPathWithDotsInsideANameIsFine)
{
  Make (VolumePod (dir.path () + "/h",
                   "        - {name: scratch, mountPath: /s, subPath: logs..old}\n"));
  ASSERT_EQ (ret, 0) << message;
  ASSERT_EQ (config->n_mounts, 1u);
  EXPECT_EQ (Str (config->mounts[0]->host_path),
             pod_dir + "/volumes/kubernetes.io~empty-dir/scratch/logs..old");
}

// Go's makeMounts creates a missing subPath directory (SafeMakeDir, with the
// volume's mode) before handing the mount to the runtime; runc cannot bind
// mount a source that does not exist.
TEST_F (ContainerConfigTest, MissingSubPathDirectoryIsCreated)
{
  pod = DecodePod (VolumePod (dir.path () + "/h",
                              "        - {name: scratch, mountPath: /s, subPath: cache/app}\n"));
  ASSERT_NE (pod, nullptr);
  kl_error_t err = nullptr;
  ASSERT_EQ (kl_volumes_setup (pod_dir.c_str (), pod.get (), &err), 0) << kl_error_message (err);
  MakeFor ("app", Opts ());
  ASSERT_EQ (ret, 0) << message;
  std::string sub = pod_dir + "/volumes/kubernetes.io~empty-dir/scratch/cache/app";
  ASSERT_EQ (config->n_mounts, 1u);
  EXPECT_EQ (Str (config->mounts[0]->host_path), sub);
  struct stat st;
  EXPECT_EQ (stat (sub.c_str (), &st), 0) << sub << " was not created";
  kl_volumes_teardown (pod_dir.c_str (), &err);
  kl_error_release (&err);
}

// CVE-2017-1002101: a container can leave a symlink in its emptyDir; a
// subPath through it must not hand the runtime a host path outside the
// volume (Go: PrepareSafeSubpath refuses with "... is outside of allowed
// base path").
TEST_F (ContainerConfigTest, SubPathThroughASymlinkOutOfTheVolumeIsRefused)
{
  pod = DecodePod (VolumePod (dir.path () + "/h",
                              "        - {name: scratch, mountPath: /s, subPath: escape}\n"));
  ASSERT_NE (pod, nullptr);
  kl_error_t err = nullptr;
  ASSERT_EQ (kl_volumes_setup (pod_dir.c_str (), pod.get (), &err), 0) << kl_error_message (err);
  std::string volume = pod_dir + "/volumes/kubernetes.io~empty-dir/scratch";
  ASSERT_EQ (symlink ("/etc", (volume + "/escape").c_str ()), 0);
  MakeFor ("app", Opts ());
  EXPECT_LT (ret, 0) << "the container would get the host's /etc through "
                     << (config.p && config->n_mounts ? config->mounts[0]->host_path : "?");
  kl_volumes_teardown (pod_dir.c_str (), &err);
  kl_error_release (&err);
}

} // namespace

// The sandbox config the kubelet hands the runtime: kl_sandbox_config_make
// (generatePodSandboxConfig).
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <string>
#include <sys/stat.h>
#include <vector>

#include "pkg/kubelet/kuberuntime/config_testing.h"

using namespace kl_kuberuntime_testing;
using namespace kl_config_testing;

namespace {
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
} // namespace

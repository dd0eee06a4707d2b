// PodSandboxStats and ListPodSandboxStats of the standalone dockershim (CNI
// networking) against a real dockerd, through our CRI client: the pod's
// attributes, its summed CPU/memory/process usage, its eth0 counters and
// its containers' stats; filters; unknown and stopped sandboxes.
// pkg/kubelet/dockershim/test-integration.sh sets up the environment.
#include <gtest/gtest.h>
#include <string.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <vector>

#include "pkg/kubelet/dockershim/testing/cri_helpers.h"
#include "pkg/kubelet/dockershim/testing/fixture.h"

extern "C" {
#include "pkg/util/grpc/grpc.h"
}

using namespace dstest;

namespace {

class SandboxStatsTest : public DockershimFixture
{
protected:
  // Runs sandbox `name` (labels app=`name`), remembered for TearDown.
  std::string
  RunSandbox (const std::string &name, int network, Pb<Runtime__V1__PodSandboxConfig> *config)
  {
    SandboxSpec s = NewSandbox (name);
    s.network = network;
    s.labels = { { "app", name } };
    s.annotations = { { "note", "stats" } };
    return DockershimFixture::RunSandbox (s, config);
  }

  // Starts a container "worker" running `command`.
  std::string
  StartWorker (const std::string &sandbox, const Runtime__V1__PodSandboxConfig *sandbox_config,
               const std::vector<std::string> &command)
  {
    ContainerSpec c;
    c.name = "worker";
    c.command = command;
    return StartContainer (sandbox, c, sandbox_config);
  }

  Pb<Runtime__V1__PodSandboxStatsResponse>
  Stats (const std::string &id, Error *err)
  {
    Runtime__V1__PodSandboxStatsRequest req = RUNTIME__V1__POD_SANDBOX_STATS_REQUEST__INIT;
    req.pod_sandbox_id = (char *) id.c_str ();
    Runtime__V1__PodSandboxStatsResponse *resp = nullptr;
    kl_cri_pod_sandbox_stats (cri_->client (), &req, &resp, &err->e);
    return Pb<Runtime__V1__PodSandboxStatsResponse> (resp);
  }

  // The IDs ListPodSandboxStats returns for `filter`.
  std::vector<std::string>
  ListIds (Runtime__V1__PodSandboxStatsFilter *filter)
  {
    Runtime__V1__ListPodSandboxStatsRequest req = RUNTIME__V1__LIST_POD_SANDBOX_STATS_REQUEST__INIT;
    req.filter = filter;
    Runtime__V1__ListPodSandboxStatsResponse *resp = nullptr;
    Error err;
    EXPECT_EQ (kl_cri_list_pod_sandbox_stats (cri_->client (), &req, &resp, &err.e), 0)
        << err.msg ();
    Pb<Runtime__V1__ListPodSandboxStatsResponse> r (resp);
    std::vector<std::string> ids;
    for (size_t i = 0; r && i < r->n_stats; i++)
      {
        EXPECT_NE (r->stats[i]->linux, nullptr);
        EXPECT_NE (r->stats[i]->linux->cpu, nullptr);
        ids.push_back (r->stats[i]->attributes->id);
      }
    return ids;
  }
};

template <typename Entry>
std::string
Map (Entry *const *e, size_t n, const char *key)
{
  for (size_t i = 0; i < n; i++)
    if (strcmp (e[i]->key, key) == 0)
      return e[i]->value;
  return "<none>";
}

TEST_F (SandboxStatsTest, PodUsageNetworkAndContainers)
{
  Pb<Runtime__V1__PodSandboxConfig> config;
  std::string sandbox = RunSandbox ("sbstats", RUNTIME__V1__NAMESPACE_MODE__POD, &config);
  ASSERT_FALSE (sandbox.empty ());
  // Traffic on eth0 (ARP, ICMP, a refused TCP connection to the gateway),
  // then a busy loop for CPU time.
  std::string gateway = Env ("KL_TEST_CNI_SUBNET_PREFIX") + "1";
  std::string id
      = StartWorker (sandbox, config.get (),
                     { "sh", "-c",
                       "ping -c 2 -W 1 " + gateway + "; wget -q -T 1 -O /dev/null http://" + gateway
                           + ":9/; while true; do :; done" });
  ASSERT_FALSE (id.empty ());
  Error err;
  Pb<Runtime__V1__PodSandboxStatsResponse> r;
  // Wait for the traffic and some CPU time to show.
  ASSERT_TRUE (WaitFor (
      [&] {
        err.reset ();
        r = Stats (sandbox, &err);
        return r && r->stats->linux && r->stats->linux->network
               && r->stats->linux->network->default_interface
               && r->stats->linux->network->default_interface->tx_bytes->value > 0
               && r->stats->linux->network->default_interface->rx_bytes->value > 0
               && r->stats->linux->cpu->usage_core_nano_seconds->value > 0;
      },
      15))
      << err.msg ();

  const Runtime__V1__PodSandboxStats *s = r->stats;
  EXPECT_EQ (std::string (s->attributes->id), sandbox);
  EXPECT_STREQ (s->attributes->metadata->name, "sbstats");
  EXPECT_STREQ (s->attributes->metadata->namespace_, "ds-test");
  EXPECT_EQ (Map (s->attributes->labels, s->attributes->n_labels, "app"), "sbstats");
  EXPECT_EQ (Map (s->attributes->annotations, s->attributes->n_annotations, "note"), "stats");
  const Runtime__V1__LinuxPodSandboxStats *l = s->linux;
  EXPECT_GT (l->cpu->timestamp, 0);
  EXPECT_GT (l->memory->working_set_bytes->value, 0u);
  EXPECT_GE (l->memory->usage_bytes->value, l->memory->working_set_bytes->value);
  // The pause and the container's shell at least.
  ASSERT_NE (l->process, nullptr);
  EXPECT_GE (l->process->process_count->value, 2u);
  EXPECT_STREQ (l->network->default_interface->name, "eth0");
  bool has_eth0 = false;
  for (size_t i = 0; i < l->network->n_interfaces; i++)
    {
      EXPECT_STRNE (l->network->interfaces[i]->name, "lo");
      has_eth0 |= strcmp (l->network->interfaces[i]->name, "eth0") == 0;
    }
  EXPECT_TRUE (has_eth0);
  ASSERT_EQ (l->n_containers, 1u);
  EXPECT_EQ (std::string (l->containers[0]->attributes->id), id);
  EXPECT_STREQ (l->containers[0]->attributes->metadata->name, "worker");
  // The pod's CPU time includes the container's.
  EXPECT_GE (l->cpu->usage_core_nano_seconds->value,
             l->containers[0]->cpu->usage_core_nano_seconds->value);
  EXPECT_GT (l->containers[0]->cpu->usage_core_nano_seconds->value, 0u);
}

TEST_F (SandboxStatsTest, ListFiltersAndErrors)
{
  Pb<Runtime__V1__PodSandboxConfig> pod_config, host_config;
  std::string pod = RunSandbox ("sblista", RUNTIME__V1__NAMESPACE_MODE__POD, &pod_config);
  std::string host = RunSandbox ("sblistb", RUNTIME__V1__NAMESPACE_MODE__NODE, &host_config);
  ASSERT_FALSE (pod.empty ());
  ASSERT_FALSE (host.empty ());

  std::vector<std::string> all = ListIds (nullptr);
  EXPECT_NE (std::find (all.begin (), all.end (), pod), all.end ());
  EXPECT_NE (std::find (all.begin (), all.end (), host), all.end ());

  Runtime__V1__PodSandboxStatsFilter filter = RUNTIME__V1__POD_SANDBOX_STATS_FILTER__INIT;
  filter.id = (char *) pod.c_str ();
  EXPECT_EQ (ListIds (&filter), std::vector<std::string>{ pod });
  filter.id = (char *) "0123456789abcdef0123456789abcdef";
  EXPECT_TRUE (ListIds (&filter).empty ());

  Runtime__V1__PodSandboxStatsFilter sel_filter = RUNTIME__V1__POD_SANDBOX_STATS_FILTER__INIT;
  Runtime__V1__PodSandboxStatsFilter__LabelSelectorEntry sel
      = RUNTIME__V1__POD_SANDBOX_STATS_FILTER__LABEL_SELECTOR_ENTRY__INIT;
  sel.key = (char *) "app";
  sel.value = (char *) "sblistb";
  Runtime__V1__PodSandboxStatsFilter__LabelSelectorEntry *sels[] = { &sel };
  sel_filter.label_selector = sels;
  sel_filter.n_label_selector = 1;
  EXPECT_EQ (ListIds (&sel_filter), std::vector<std::string>{ host });
  sel.value = (char *) "nothing-has-this";
  EXPECT_TRUE (ListIds (&sel_filter).empty ());

  // The node's network is not the pod's: no network usage.
  Error err;
  auto h = Stats (host, &err);
  ASSERT_TRUE (h) << err.msg ();
  EXPECT_EQ (h->stats->linux->network, nullptr);
  EXPECT_NE (h->stats->linux->cpu, nullptr);
  EXPECT_EQ (h->stats->linux->n_containers, 0u);

  // Unknown and empty IDs; a container's ID is not a sandbox's.
  err.reset ();
  EXPECT_FALSE (Stats ("0123456789abcdef0123456789abcdef", &err));
  EXPECT_EQ (err.status (), KL_GRPC_NOT_FOUND) << err.msg ();
  err.reset ();
  EXPECT_FALSE (Stats ("", &err));
  EXPECT_EQ (err.status (), KL_GRPC_INVALID_ARGUMENT) << err.msg ();
  std::string container = StartWorker (pod, pod_config.get (), { "sleep", "3600" });
  ASSERT_FALSE (container.empty ());
  err.reset ();
  EXPECT_FALSE (Stats (container, &err));
  EXPECT_EQ (err.status (), KL_GRPC_NOT_FOUND) << err.msg ();

  // A stopped sandbox: listed no more; asked for, only its attributes.
  err.reset ();
  ASSERT_TRUE (cri_->StopSandbox (pod, &err)) << err.msg ();
  filter.id = (char *) pod.c_str ();
  EXPECT_TRUE (ListIds (&filter).empty ());
  auto stopped = Stats (pod, &err);
  ASSERT_TRUE (stopped) << err.msg ();
  EXPECT_EQ (std::string (stopped->stats->attributes->id), pod);
  EXPECT_EQ (stopped->stats->linux->cpu, nullptr);
  EXPECT_EQ (stopped->stats->linux->network, nullptr);
  EXPECT_EQ (stopped->stats->linux->n_containers, 0u);
}

} // namespace

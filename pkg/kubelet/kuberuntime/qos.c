#include "pkg/kubelet/kuberuntime/qos.h"

#include <stdbool.h>
#include <string.h>

#define MIN_SHARES 2
#define SHARES_PER_CPU 1024
#define MIN_QUOTA_PERIOD_US 1000

#define GUARANTEED_OOM_SCORE_ADJ (-997)
#define BEST_EFFORT_OOM_SCORE_ADJ 1000

static void
classify (const kl_container_t *c, bool *any_set, bool *all_guaranteed)
{
  /* As the Go kubelet, only quantities above zero count. */
  const kl_resource_list_t *req = &c->resources.requests, *lim = &c->resources.limits;
  bool req_cpu = req->has_milli_cpu && req->milli_cpu > 0;
  bool req_mem = req->has_memory_bytes && req->memory_bytes > 0;
  bool lim_cpu = lim->has_milli_cpu && lim->milli_cpu > 0;
  bool lim_mem = lim->has_memory_bytes && lim->memory_bytes > 0;
  if (req_cpu || req_mem || lim_cpu || lim_mem)
    *any_set = true;
  bool cpu_ok = lim_cpu && (!req_cpu || req->milli_cpu == lim->milli_cpu);
  bool mem_ok = lim_mem && (!req_mem || req->memory_bytes == lim->memory_bytes);
  if (!cpu_ok || !mem_ok)
    *all_guaranteed = false;
}

const char *
kl_pod_qos_class (const kl_pod_t *pod)
{
  bool any_set = false, all_guaranteed = true;
  for (size_t i = 0; i < pod->spec.n_init_containers; i++)
    classify (&pod->spec.init_containers[i], &any_set, &all_guaranteed);
  for (size_t i = 0; i < pod->spec.n_containers; i++)
    classify (&pod->spec.containers[i], &any_set, &all_guaranteed);
  if (!any_set)
    return KL_QOS_BEST_EFFORT;
  return all_guaranteed ? KL_QOS_GUARANTEED : KL_QOS_BURSTABLE;
}

int64_t
kl_container_oom_score_adj (const kl_pod_t *pod, const kl_container_t *container,
                            int64_t memory_capacity)
{
  const char *qos = kl_pod_qos_class (pod);
  if (strcmp (qos, KL_QOS_GUARANTEED) == 0)
    return GUARANTEED_OOM_SCORE_ADJ;
  if (strcmp (qos, KL_QOS_BEST_EFFORT) == 0)
    return BEST_EFFORT_OOM_SCORE_ADJ;
  int64_t request = container->resources.requests.has_memory_bytes
                        ? container->resources.requests.memory_bytes
                        : 0;
  if (memory_capacity <= 0)
    return 999;
  int64_t adj = 1000 - (1000 * (__int128) request) / memory_capacity;
  /* Burstable containers stay above Guaranteed and below BestEffort ones. */
  if (adj < 1000 + GUARANTEED_OOM_SCORE_ADJ)
    adj = 1000 + GUARANTEED_OOM_SCORE_ADJ;
  if (adj >= BEST_EFFORT_OOM_SCORE_ADJ)
    adj = BEST_EFFORT_OOM_SCORE_ADJ - 1;
  return adj;
}

int64_t
kl_milli_cpu_to_shares (int64_t milli_cpu)
{
  if (milli_cpu <= 0)
    return MIN_SHARES;
  int64_t shares = milli_cpu * SHARES_PER_CPU / 1000;
  return shares < MIN_SHARES ? MIN_SHARES : shares;
}

int64_t
kl_milli_cpu_to_quota (int64_t milli_cpu, int64_t period_us)
{
  if (milli_cpu <= 0)
    return 0;
  int64_t quota = milli_cpu * period_us / 1000;
  return quota < MIN_QUOTA_PERIOD_US ? MIN_QUOTA_PERIOD_US : quota;
}

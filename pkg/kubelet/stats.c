#include "pkg/kubelet/stats.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "pkg/kubelet/kuberuntime/labels.h"
#include "pkg/util/utils.h"

static int64_t
now_ns (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_REALTIME, &ts);
  return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void
node_memory (kl_stats_node_t *node, int64_t now)
{
  cleanup_file FILE *f = fopen ("/proc/meminfo", "re");
  if (f == NULL)
    return;
  unsigned long long total = 0, available = 0;
  char line[256];
  while (fgets (line, sizeof line, f))
    {
      sscanf (line, "MemTotal: %llu kB", &total);
      sscanf (line, "MemAvailable: %llu kB", &available);
    }
  kl_stats_memory_t *m = xmalloc0 (sizeof *m);
  m->time = now;
  m->available_bytes = available * 1024;
  m->has_available_bytes = true;
  m->usage_bytes = (total - available) * 1024;
  m->has_usage_bytes = true;
  m->working_set_bytes = m->usage_bytes;
  m->has_working_set_bytes = true;
  node->memory = m;
}

static void
node_cpu (kl_stats_node_t *node, int64_t now)
{
  cleanup_file FILE *f = fopen ("/proc/stat", "re");
  if (f == NULL)
    return;
  unsigned long long user, nice, sys, idle, iowait, irq, softirq, steal;
  if (fscanf (f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &user, &nice, &sys, &idle, &iowait,
              &irq, &softirq, &steal)
      != 8)
    return;
  long hz = sysconf (_SC_CLK_TCK);
  kl_stats_cpu_t *c = xmalloc0 (sizeof *c);
  c->time = now;
  c->usage_core_nano_seconds
      = (user + nice + sys + irq + softirq + steal) * (1000000000ULL / (hz > 0 ? hz : 100));
  c->has_usage_core_nano_seconds = true;
  node->cpu = c;
}

static kl_stats_pod_t *
pod_for (kl_stats_summary_t *out, const char *uid)
{
  for (size_t i = 0; i < out->n_pods; i++)
    if (strcmp (out->pods[i].uid, uid) == 0)
      return &out->pods[i];
  return NULL;
}

int
kl_stats_summary_collect (kl_runtime_t *rt, const char *node_name, const kl_pod_snapshot_t *pods,
                          kl_stats_summary_t *out, kl_error_t *err)
{
  int64_t now = now_ns ();
  out->node.node_name = xstrdup (node_name);
  node_memory (&out->node, now);
  node_cpu (&out->node, now);
  out->pods = xmalloc0 ((pods->n + 1) * sizeof *out->pods);
  for (size_t i = 0; i < pods->n; i++)
    {
      const kl_pod_t *pod = pods->pods[i];
      kl_stats_pod_t *p = &out->pods[out->n_pods++];
      p->name = xstrdup (pod->metadata.name);
      p->namespace_ = xstrdup (pod->metadata.namespace_);
      p->uid = xstrdup (pod->metadata.uid);
      if (pods->statuses[i])
        p->start_time = pods->statuses[i]->start_time;
    }

  Runtime__V1__ListContainerStatsRequest req = RUNTIME__V1__LIST_CONTAINER_STATS_REQUEST__INIT;
  cleanup_pb Runtime__V1__ListContainerStatsResponse *resp = NULL;
  int ret = kl_runtime_list_container_stats (rt, &req, &resp, err);
  if (ret < 0)
    return kl_error_wrap (err, "container stats");
  for (size_t i = 0; i < resp->n_stats; i++)
    {
      const Runtime__V1__ContainerStats *s = resp->stats[i];
      if (s->attributes == NULL || s->attributes->metadata == NULL)
        continue;
      const char *uid = kl_cri_map_get ((void *const *) s->attributes->labels,
                                        s->attributes->n_labels, KL_LABEL_POD_UID);
      kl_stats_pod_t *p = uid ? pod_for (out, uid) : NULL;
      if (p == NULL)
        continue;
      p->containers = xrealloc (p->containers, (p->n_containers + 1) * sizeof *p->containers);
      kl_stats_container_t *c = &p->containers[p->n_containers++];
      memset (c, 0, sizeof *c);
      c->name = xstrdup (s->attributes->metadata->name);
      if (s->cpu)
        {
          c->cpu = xmalloc0 (sizeof *c->cpu);
          c->cpu->time = s->cpu->timestamp;
          if (s->cpu->usage_core_nano_seconds)
            {
              c->cpu->usage_core_nano_seconds = s->cpu->usage_core_nano_seconds->value;
              c->cpu->has_usage_core_nano_seconds = true;
            }
          if (s->cpu->usage_nano_cores)
            {
              c->cpu->usage_nano_cores = s->cpu->usage_nano_cores->value;
              c->cpu->has_usage_nano_cores = true;
            }
        }
      if (s->memory)
        {
          c->memory = xmalloc0 (sizeof *c->memory);
          c->memory->time = s->memory->timestamp;
          if (s->memory->working_set_bytes)
            {
              c->memory->working_set_bytes = s->memory->working_set_bytes->value;
              c->memory->has_working_set_bytes = true;
            }
          if (s->memory->usage_bytes)
            {
              c->memory->usage_bytes = s->memory->usage_bytes->value;
              c->memory->has_usage_bytes = true;
            }
        }
    }
  return 0;
}

/* Container and pod sandbox stats from Docker's one-shot stats: CPU time,
   memory, processes; a sandbox's network from its namespace's net/dev. */
#include <string.h>
#include <time.h>

#include "pkg/kubelet/dockershim/netdev.h"

#include "pkg/kubelet/dockershim/libdocker/containers.h"
#include "pkg/kubelet/dockershim/naming.h"
#include "pkg/kubelet/dockershim/pb.h"
#include "pkg/kubelet/dockershim/service-internal.h"
#include "pkg/util/grpc/grpc.h"
#include "pkg/util/log.h"
#include "pkg/util/utils.h"

/* Docker's "no limit" is a huge number; above this the limit means none. */
#define NO_MEMORY_LIMIT (1ULL << 62)

static int64_t
now_ns (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_REALTIME, &ts);
  return (int64_t) ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static Runtime__V1__UInt64Value *
u64 (uint64_t v)
{
  Runtime__V1__UInt64Value *m
      = DS_PB_NEW (Runtime__V1__UInt64Value, runtime__v1__uint64_value__init);
  m->value = v;
  return m;
}

/* Stats of container `id` named `name` with Docker labels `labels`;
   `running` decides whether Docker is asked for a sample, which goes to
   *sample_out (if not NULL; NULL when not running). */
static int
container_stats (ds_service_t *ds, const char *id, const char *name, const docker_labels_t *labels,
                 bool running, Runtime__V1__ContainerStats **out,
                 docker_container_stats_t **sample_out, kl_error_t *err)
{
  ds_name_t parsed;
  int ret = ds_parse_name (name, &parsed, err);
  if (ret < 0)
    return ret;
  cleanup_docker (docker_container_stats) docker_container_stats_t *sample = NULL;
  if (running)
    {
      ret = docker_container_stats (ds->docker, id, &sample, err);
      if (ret < 0)
        {
          ds_name_clear (&parsed);
          return kl_error_wrap (err, "failed to get stats of container %s", id);
        }
    }
  int64_t ts = sample && sample->read > 0 ? sample->read : now_ns ();

  Runtime__V1__ContainerStats *s
      = DS_PB_NEW (Runtime__V1__ContainerStats, runtime__v1__container_stats__init);
  Runtime__V1__ContainerAttributes *a
      = DS_PB_NEW (Runtime__V1__ContainerAttributes, runtime__v1__container_attributes__init);
  a->id = xstrdup (id);
  a->metadata = DS_PB_NEW (Runtime__V1__ContainerMetadata, runtime__v1__container_metadata__init);
  a->metadata->name = xstrdup (parsed.container);
  a->metadata->attempt = parsed.attempt;
  ds_name_clear (&parsed);
  ds_kv_list_t l = { 0 }, an = { 0 };
  ds_split_labels (labels, false, &l, &an);
  ds_pb_map_add_all (&a->labels, &a->n_labels,
                     &runtime__v1__container_attributes__labels_entry__descriptor, &l);
  ds_pb_map_add_all (&a->annotations, &a->n_annotations,
                     &runtime__v1__container_attributes__annotations_entry__descriptor, &an);
  ds_kv_list_clear (&l);
  ds_kv_list_clear (&an);
  s->attributes = a;

  s->cpu = DS_PB_NEW (Runtime__V1__CpuUsage, runtime__v1__cpu_usage__init);
  s->cpu->timestamp = ts;
  s->cpu->usage_core_nano_seconds = u64 (sample ? sample->cpu_total_usage : 0);

  s->memory = DS_PB_NEW (Runtime__V1__MemoryUsage, runtime__v1__memory_usage__init);
  s->memory->timestamp = ts;
  uint64_t working_set = sample ? sample->memory_working_set : 0;
  s->memory->working_set_bytes = u64 (working_set);
  s->memory->usage_bytes = u64 (sample ? sample->memory_usage : 0);
  s->memory->rss_bytes = u64 (sample ? sample->memory_rss : 0);
  if (sample && sample->memory_limit > 0 && sample->memory_limit < NO_MEMORY_LIMIT)
    s->memory->available_bytes
        = u64 (sample->memory_limit > working_set ? sample->memory_limit - working_set : 0);

  s->writable_layer = DS_PB_NEW (Runtime__V1__FilesystemUsage, runtime__v1__filesystem_usage__init);
  s->writable_layer->timestamp = ts;
  s->writable_layer->fs_id
      = DS_PB_NEW (Runtime__V1__FilesystemIdentifier, runtime__v1__filesystem_identifier__init);
  s->writable_layer->fs_id->mountpoint = xstrdup (ds->docker_root_dir);
  /* Docker sizes a writable layer only on a slow `?size=1` inspect. */
  s->writable_layer->used_bytes = u64 (0);
  s->writable_layer->inodes_used = u64 (0);
  *out = s;
  if (sample_out)
    *sample_out = steal_pointer (&sample);
  return 0;
}

int
ds_container_stats (ds_service_t *ds, const Runtime__V1__ContainerStatsRequest *req,
                    Runtime__V1__ContainerStatsResponse **resp, kl_error_t *err)
{
  cleanup_docker (docker_container_inspect) docker_container_inspect_t *c = NULL;
  int ret = ds_inspect_typed (ds, req->container_id, DS_CONTAINER_TYPE_CONTAINER, &c, err);
  if (ret < 0)
    return ret;
  Runtime__V1__ContainerStats *stats = NULL;
  ret = container_stats (ds, c->id, c->name, &c->config.labels, c->state.running, &stats, NULL,
                         err);
  if (ret < 0)
    return ret;
  Runtime__V1__ContainerStatsResponse *r = DS_PB_NEW (Runtime__V1__ContainerStatsResponse,
                                                      runtime__v1__container_stats_response__init);
  r->stats = stats;
  *resp = r;
  return 0;
}

int
ds_list_container_stats (ds_service_t *ds, const Runtime__V1__ListContainerStatsRequest *req,
                         Runtime__V1__ListContainerStatsResponse **resp, kl_error_t *err)
{
  const Runtime__V1__ContainerStatsFilter *filter = req->filter;
  /* Stats are for running containers, as the Go dockershim listed them. */
  ds_list_query_t q = { .type = DS_CONTAINER_TYPE_CONTAINER, .all = false };
  if (filter)
    {
      q.id = filter->id;
      q.sandbox_id = filter->pod_sandbox_id;
      q.label_selector = (ds_pb_kv_t *const *) filter->label_selector;
      q.n_label_selector = filter->n_label_selector;
    }
  cleanup_docker (docker_container_list) docker_container_list_t *list = NULL;
  int ret = ds_list_typed (ds, &q, &list, err);
  if (ret < 0)
    return ret;
  Runtime__V1__ListContainerStatsResponse *r = DS_PB_NEW (
      Runtime__V1__ListContainerStatsResponse, runtime__v1__list_container_stats_response__init);
  for (size_t i = 0; i < list->len; i++)
    {
      const docker_container_summary_t *c = &list->items[i];
      Runtime__V1__ContainerStats *stats = NULL;
      kl_error_t stats_err = NULL;
      if (container_stats (ds, c->id, c->names.len ? c->names.items[0] : "", &c->labels,
                           strcmp (c->state, "running") == 0, &stats, NULL, &stats_err)
          < 0)
        {
          /* It may have exited or gone meanwhile: leave it out. */
          KL_LOG_V (3, "dockershim: stats of %s: %s", c->id, kl_error_message (stats_err));
          kl_error_release (&stats_err);
          continue;
        }
      DS_PB_APPEND (r->stats, r->n_stats, stats);
    }
  *resp = r;
  return 0;
}

/* A pod's usage: the sum over its running containers, the pause included,
   which is what its pod cgroup would count. */
typedef struct pod_usage_s
{
  uint64_t cpu;
  uint64_t working_set;
  uint64_t usage;
  uint64_t rss;
  uint64_t processes;
} pod_usage_t;

static void
pod_usage_add (pod_usage_t *u, const docker_container_stats_t *s)
{
  if (s == NULL)
    return;
  u->cpu += s->cpu_total_usage;
  u->working_set += s->memory_working_set;
  u->usage += s->memory_usage;
  u->rss += s->memory_rss;
  u->processes += s->pids_current;
}

static Runtime__V1__NetworkInterfaceUsage *
interface_usage (const ds_netdev_t *dev)
{
  Runtime__V1__NetworkInterfaceUsage *i
      = DS_PB_NEW (Runtime__V1__NetworkInterfaceUsage, runtime__v1__network_interface_usage__init);
  i->name = xstrdup (dev->name);
  i->rx_bytes = u64 (dev->rx_bytes);
  i->rx_errors = u64 (dev->rx_errors);
  i->tx_bytes = u64 (dev->tx_bytes);
  i->tx_errors = u64 (dev->tx_errors);
  return i;
}

/* The interfaces (loopback left out) of the network namespace of sandbox
   `id`'s pause process `pid`; NULL if /proc cannot tell (it just exited). */
static Runtime__V1__NetworkUsage *
network_usage (const char *id, int64_t pid, int64_t ts)
{
  ds_netdev_list_t devs = { 0 };
  kl_error_t err = NULL;
  if (ds_netdev_read ((pid_t) pid, &devs, &err) < 0)
    {
      KL_LOG_V (3, "dockershim: network stats of sandbox %s: %s", id, kl_error_message (err));
      kl_error_release (&err);
      return NULL;
    }
  Runtime__V1__NetworkUsage *n
      = DS_PB_NEW (Runtime__V1__NetworkUsage, runtime__v1__network_usage__init);
  n->timestamp = ts;
  for (size_t i = 0; i < devs.len; i++)
    {
      if (strcmp (devs.items[i].name, "lo") == 0)
        continue;
      DS_PB_APPEND (n->interfaces, n->n_interfaces, interface_usage (&devs.items[i]));
      if (strcmp (devs.items[i].name, DS_NETDEV_DEFAULT_INTERFACE) == 0)
        n->default_interface = interface_usage (&devs.items[i]);
    }
  ds_netdev_list_clear (&devs);
  return n;
}

/* Adds the stats of the running containers of sandbox `id` to `pod_linux` and `usage`. */
static int
add_container_stats (ds_service_t *ds, const char *id, Runtime__V1__LinuxPodSandboxStats *pod_linux,
                     pod_usage_t *usage, kl_error_t *err)
{
  cleanup_free char *label = xasprintf (DS_LABEL_SANDBOX_ID "=%s", id);
  const char *labels[] = { DS_LABEL_CONTAINER_TYPE "=" DS_CONTAINER_TYPE_CONTAINER, label, NULL };
  docker_container_list_options_t opts = { .all = false, .labels = labels };
  cleanup_docker (docker_container_list) docker_container_list_t *list = NULL;
  int ret = docker_container_list (ds->docker, &opts, &list, err);
  if (ret < 0)
    return kl_error_wrap (err, "failed to list the containers of sandbox %s", id);
  for (size_t i = 0; i < list->len; i++)
    {
      const docker_container_summary_t *c = &list->items[i];
      Runtime__V1__ContainerStats *stats = NULL;
      cleanup_docker (docker_container_stats) docker_container_stats_t *sample = NULL;
      kl_error_t stats_err = NULL;
      if (container_stats (ds, c->id, c->names.len ? c->names.items[0] : "", &c->labels, true,
                           &stats, &sample, &stats_err)
          < 0)
        {
          /* It may have exited meanwhile: leave it out. */
          KL_LOG_V (3, "dockershim: stats of %s: %s", c->id, kl_error_message (stats_err));
          kl_error_release (&stats_err);
          continue;
        }
      DS_PB_APPEND (pod_linux->containers, pod_linux->n_containers, stats);
      pod_usage_add (usage, sample);
    }
  return 0;
}

/* Stats of the inspected sandbox `c`: a stopped one has its attributes only. */
static int
sandbox_stats (ds_service_t *ds, const docker_container_inspect_t *c,
               Runtime__V1__PodSandboxStats **out, kl_error_t *err)
{
  ds_name_t parsed;
  int ret = ds_parse_name (c->name, &parsed, err);
  if (ret < 0)
    return ret;
  cleanup_docker (docker_container_stats) docker_container_stats_t *pause = NULL;
  if (c->state.running)
    {
      ret = docker_container_stats (ds->docker, c->id, &pause, err);
      if (ret < 0)
        {
          ds_name_clear (&parsed);
          return kl_error_wrap (err, "failed to get stats of sandbox %s", c->id);
        }
    }

  Runtime__V1__PodSandboxStats *s
      = DS_PB_NEW (Runtime__V1__PodSandboxStats, runtime__v1__pod_sandbox_stats__init);
  Runtime__V1__PodSandboxAttributes *a
      = DS_PB_NEW (Runtime__V1__PodSandboxAttributes, runtime__v1__pod_sandbox_attributes__init);
  a->id = xstrdup (c->id);
  a->metadata
      = DS_PB_NEW (Runtime__V1__PodSandboxMetadata, runtime__v1__pod_sandbox_metadata__init);
  a->metadata->name = xstrdup (parsed.pod);
  a->metadata->namespace_ = xstrdup (parsed.ns);
  a->metadata->uid = xstrdup (parsed.uid);
  a->metadata->attempt = parsed.attempt;
  ds_name_clear (&parsed);
  ds_kv_list_t l = { 0 }, an = { 0 };
  ds_split_labels (&c->config.labels, true, &l, &an);
  ds_pb_map_add_all (&a->labels, &a->n_labels,
                     &runtime__v1__pod_sandbox_attributes__labels_entry__descriptor, &l);
  ds_pb_map_add_all (&a->annotations, &a->n_annotations,
                     &runtime__v1__pod_sandbox_attributes__annotations_entry__descriptor, &an);
  ds_kv_list_clear (&l);
  ds_kv_list_clear (&an);
  s->attributes = a;
  Runtime__V1__LinuxPodSandboxStats *pod_linux
      = DS_PB_NEW (Runtime__V1__LinuxPodSandboxStats, runtime__v1__linux_pod_sandbox_stats__init);
  s->linux = pod_linux;
  if (!c->state.running)
    {
      *out = s;
      return 0;
    }

  pod_usage_t usage = { 0 };
  pod_usage_add (&usage, pause);
  ret = add_container_stats (ds, c->id, pod_linux, &usage, err);
  if (ret < 0)
    {
      protobuf_c_message_free_unpacked (&s->base, NULL);
      return ret;
    }
  int64_t ts = now_ns ();
  pod_linux->cpu = DS_PB_NEW (Runtime__V1__CpuUsage, runtime__v1__cpu_usage__init);
  pod_linux->cpu->timestamp = ts;
  pod_linux->cpu->usage_core_nano_seconds = u64 (usage.cpu);
  pod_linux->memory = DS_PB_NEW (Runtime__V1__MemoryUsage, runtime__v1__memory_usage__init);
  pod_linux->memory->timestamp = ts;
  pod_linux->memory->working_set_bytes = u64 (usage.working_set);
  pod_linux->memory->usage_bytes = u64 (usage.usage);
  pod_linux->memory->rss_bytes = u64 (usage.rss);
  pod_linux->process = DS_PB_NEW (Runtime__V1__ProcessUsage, runtime__v1__process_usage__init);
  pod_linux->process->timestamp = ts;
  pod_linux->process->process_count = u64 (usage.processes);
  /* A pod on the node's network has no interfaces of its own. */
  if (strcmp (c->host_config.network_mode, "host") != 0 && c->state.pid > 0)
    pod_linux->network = network_usage (c->id, c->state.pid, ts);
  *out = s;
  return 0;
}

int
ds_pod_sandbox_stats (ds_service_t *ds, const Runtime__V1__PodSandboxStatsRequest *req,
                      Runtime__V1__PodSandboxStatsResponse **resp, kl_error_t *err)
{
  if (req->pod_sandbox_id == NULL || req->pod_sandbox_id[0] == '\0')
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "pod sandbox ID is empty");
  cleanup_docker (docker_container_inspect) docker_container_inspect_t *c = NULL;
  int ret = ds_inspect_typed (ds, req->pod_sandbox_id, DS_CONTAINER_TYPE_SANDBOX, &c, err);
  if (ret < 0)
    return ret;
  Runtime__V1__PodSandboxStats *stats = NULL;
  ret = sandbox_stats (ds, c, &stats, err);
  if (ret < 0)
    return ret;
  Runtime__V1__PodSandboxStatsResponse *r = DS_PB_NEW (
      Runtime__V1__PodSandboxStatsResponse, runtime__v1__pod_sandbox_stats_response__init);
  r->stats = stats;
  *resp = r;
  return 0;
}

int
ds_list_pod_sandbox_stats (ds_service_t *ds, const Runtime__V1__ListPodSandboxStatsRequest *req,
                           Runtime__V1__ListPodSandboxStatsResponse **resp, kl_error_t *err)
{
  const Runtime__V1__PodSandboxStatsFilter *filter = req->filter;
  /* Ready sandboxes only, as containerd lists them. */
  ds_list_query_t q = { .type = DS_CONTAINER_TYPE_SANDBOX, .all = false };
  if (filter)
    {
      q.id = filter->id;
      q.label_selector = (ds_pb_kv_t *const *) filter->label_selector;
      q.n_label_selector = filter->n_label_selector;
    }
  cleanup_docker (docker_container_list) docker_container_list_t *list = NULL;
  int ret = ds_list_typed (ds, &q, &list, err);
  if (ret < 0)
    return ret;
  Runtime__V1__ListPodSandboxStatsResponse *r = DS_PB_NEW (
      Runtime__V1__ListPodSandboxStatsResponse, runtime__v1__list_pod_sandbox_stats_response__init);
  for (size_t i = 0; i < list->len; i++)
    {
      cleanup_docker (docker_container_inspect) docker_container_inspect_t *c = NULL;
      Runtime__V1__PodSandboxStats *stats = NULL;
      kl_error_t stats_err = NULL;
      if (ds_inspect_typed (ds, list->items[i].id, DS_CONTAINER_TYPE_SANDBOX, &c, &stats_err) < 0
          || sandbox_stats (ds, c, &stats, &stats_err) < 0)
        {
          /* It may have been stopped or removed meanwhile: leave it out. */
          KL_LOG_V (3, "dockershim: stats of sandbox %s: %s", list->items[i].id,
                    kl_error_message (stats_err));
          kl_error_release (&stats_err);
          continue;
        }
      DS_PB_APPEND (r->stats, r->n_stats, stats);
    }
  *resp = r;
  return 0;
}

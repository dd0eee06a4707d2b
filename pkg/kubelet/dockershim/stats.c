/* Container stats from Docker's one-shot stats: CPU time, memory working set. */
#include <string.h>
#include <time.h>

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
   `running` decides whether Docker is asked for a sample. */
static int
container_stats (ds_service_t *ds, const char *id, const char *name, const docker_labels_t *labels,
                 bool running, Runtime__V1__ContainerStats **out, kl_error_t *err)
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
  ret = container_stats (ds, c->id, c->name, &c->config.labels, c->state.running, &stats, err);
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
  size_t n_selectors = filter ? filter->n_label_selector : 0;
  char *storage[n_selectors + 2];
  size_t n_storage = 0;
  const char *labels[n_selectors + 3];
  size_t n_labels = 0;
  labels[n_labels++] = DS_LABEL_CONTAINER_TYPE "=" DS_CONTAINER_TYPE_CONTAINER;
  for (size_t i = 0; i < n_selectors; i++)
    {
      storage[n_storage]
          = xasprintf ("%s=%s", filter->label_selector[i]->key, filter->label_selector[i]->value);
      labels[n_labels++] = storage[n_storage++];
    }
  if (filter && filter->pod_sandbox_id && filter->pod_sandbox_id[0])
    {
      storage[n_storage] = xasprintf (DS_LABEL_SANDBOX_ID "=%s", filter->pod_sandbox_id);
      labels[n_labels++] = storage[n_storage++];
    }
  labels[n_labels] = NULL;
  const char *ids[2] = { NULL, NULL };
  /* Stats are for running containers, as the Go dockershim listed them. */
  docker_container_list_options_t opts = { .all = false, .labels = labels };
  if (filter && filter->id && filter->id[0])
    {
      ids[0] = filter->id;
      opts.ids = ids;
    }
  cleanup_docker (docker_container_list) docker_container_list_t *list = NULL;
  int ret = docker_container_list (ds->docker, &opts, &list, err);
  for (size_t i = 0; i < n_storage; i++)
    free (storage[i]);
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
                           strcmp (c->state, "running") == 0, &stats, &stats_err)
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

int
ds_pod_sandbox_stats (ds_service_t *ds, const Runtime__V1__PodSandboxStatsRequest *req,
                      Runtime__V1__PodSandboxStatsResponse **resp, kl_error_t *err)
{
  return kl_make_error_kind (err, KL_ERROR_UNIMPLEMENTED, KL_GRPC_UNIMPLEMENTED,
                             "PodSandboxStats is not supported by the dockershim");
}

int
ds_list_pod_sandbox_stats (ds_service_t *ds, const Runtime__V1__ListPodSandboxStatsRequest *req,
                           Runtime__V1__ListPodSandboxStatsResponse **resp, kl_error_t *err)
{
  return kl_make_error_kind (err, KL_ERROR_UNIMPLEMENTED, KL_GRPC_UNIMPLEMENTED,
                             "ListPodSandboxStats is not supported by the dockershim");
}

/* The stats summary: freeing it and writing it as the Summary API's JSON (stats/v1alpha1). */
#include <string.h>

#include "pkg/kubelet/server/encode-internal.h"
#include "pkg/kubelet/server/encode_pod.h"
#include "pkg/kubelet/server/server-internal.h"
#include "pkg/util/utils.h"

static void
container_clear (kl_stats_container_t *c)
{
  free (c->name);
  free (c->cpu);
  free (c->memory);
  free (c->rootfs);
  free (c->logs);
}

static void
containers_free (kl_stats_container_t *c, size_t n)
{
  for (size_t i = 0; i < n; i++)
    container_clear (&c[i]);
  free (c);
}

static void
network_free (kl_stats_network_t *n)
{
  if (n == NULL)
    return;
  free (n->default_interface.name);
  for (size_t i = 0; i < n->n_interfaces; i++)
    free (n->interfaces[i].name);
  free (n->interfaces);
  free (n);
}

void
kl_stats_summary_clear (kl_stats_summary_t *s)
{
  kl_stats_node_t *node = &s->node;
  free (node->node_name);
  containers_free (node->system_containers, node->n_system_containers);
  free (node->cpu);
  free (node->memory);
  network_free (node->network);
  free (node->fs);
  free (node->image_fs);
  for (size_t i = 0; i < s->n_pods; i++)
    {
      kl_stats_pod_t *p = &s->pods[i];
      free (p->name);
      free (p->namespace_);
      free (p->uid);
      containers_free (p->containers, p->n_containers);
      free (p->cpu);
      free (p->memory);
      network_free (p->network);
      for (size_t v = 0; v < p->n_volumes; v++)
        free (p->volumes[v].name);
      free (p->volumes);
      free (p->ephemeral_storage);
    }
  free (s->pods);
  memset (s, 0, sizeof *s);
}

static void
set_counter (json_t *o, const char *key, bool has, uint64_t v)
{
  if (has)
    kl_json_set (o, key, kl_json_uint64 (v));
}

static json_t *
encode_cpu (const kl_stats_cpu_t *c)
{
  json_t *o = json_object ();
  kl_json_set (o, "time", kl_encode_time (c->time));
  set_counter (o, "usageNanoCores", c->has_usage_nano_cores, c->usage_nano_cores);
  set_counter (o, "usageCoreNanoSeconds", c->has_usage_core_nano_seconds,
               c->usage_core_nano_seconds);
  return o;
}

static json_t *
encode_memory (const kl_stats_memory_t *m)
{
  json_t *o = json_object ();
  kl_json_set (o, "time", kl_encode_time (m->time));
  set_counter (o, "availableBytes", m->has_available_bytes, m->available_bytes);
  set_counter (o, "usageBytes", m->has_usage_bytes, m->usage_bytes);
  set_counter (o, "workingSetBytes", m->has_working_set_bytes, m->working_set_bytes);
  set_counter (o, "rssBytes", m->has_rss_bytes, m->rss_bytes);
  set_counter (o, "pageFaults", m->has_page_faults, m->page_faults);
  set_counter (o, "majorPageFaults", m->has_major_page_faults, m->major_page_faults);
  return o;
}

/* InterfaceStats' fields, into `o` (inlined in NetworkStats). */
static void
set_interface (json_t *o, const kl_stats_interface_t *i)
{
  kl_json_set (o, "name", kl_json_string (i->name));
  set_counter (o, "rxBytes", i->has_rx_bytes, i->rx_bytes);
  set_counter (o, "rxErrors", i->has_rx_errors, i->rx_errors);
  set_counter (o, "txBytes", i->has_tx_bytes, i->tx_bytes);
  set_counter (o, "txErrors", i->has_tx_errors, i->tx_errors);
}

static json_t *
encode_network (const kl_stats_network_t *n)
{
  json_t *o = json_object ();
  kl_json_set (o, "time", kl_encode_time (n->time));
  set_interface (o, &n->default_interface);
  if (n->n_interfaces > 0)
    {
      json_t *a = json_array ();
      for (size_t i = 0; i < n->n_interfaces; i++)
        {
          json_t *iface = json_object ();
          set_interface (iface, &n->interfaces[i]);
          json_array_append_new (a, iface);
        }
      kl_json_set (o, "interfaces", a);
    }
  return o;
}

/* FsStats' fields, into `o` (inlined in VolumeStats). */
static void
set_fs (json_t *o, const kl_stats_fs_t *f)
{
  kl_json_set (o, "time", kl_encode_time (f->time));
  set_counter (o, "availableBytes", f->has_available_bytes, f->available_bytes);
  set_counter (o, "capacityBytes", f->has_capacity_bytes, f->capacity_bytes);
  set_counter (o, "usedBytes", f->has_used_bytes, f->used_bytes);
  set_counter (o, "inodesFree", f->has_inodes_free, f->inodes_free);
  set_counter (o, "inodes", f->has_inodes, f->inodes);
  set_counter (o, "inodesUsed", f->has_inodes_used, f->inodes_used);
}

static json_t *
encode_fs (const kl_stats_fs_t *f)
{
  json_t *o = json_object ();
  set_fs (o, f);
  return o;
}

static void
set_cpu_memory (json_t *o, const kl_stats_cpu_t *cpu, const kl_stats_memory_t *memory)
{
  if (cpu)
    kl_json_set (o, "cpu", encode_cpu (cpu));
  if (memory)
    kl_json_set (o, "memory", encode_memory (memory));
}

static json_t *
encode_containers (const kl_stats_container_t *c, size_t n, bool only_cpu_and_memory)
{
  json_t *a = json_array ();
  for (size_t i = 0; i < n; i++)
    {
      json_t *o = json_object ();
      kl_json_set (o, "name", kl_json_string (c[i].name));
      kl_json_set (o, "startTime", kl_encode_time (c[i].start_time));
      set_cpu_memory (o, c[i].cpu, c[i].memory);
      if (!only_cpu_and_memory && c[i].rootfs)
        kl_json_set (o, "rootfs", encode_fs (c[i].rootfs));
      if (!only_cpu_and_memory && c[i].logs)
        kl_json_set (o, "logs", encode_fs (c[i].logs));
      json_array_append_new (a, o);
    }
  return a;
}

static json_t *
encode_node (const kl_stats_node_t *n, bool only_cpu_and_memory)
{
  json_t *o = json_object ();
  kl_json_set (o, "nodeName", kl_json_string (n->node_name));
  if (n->n_system_containers > 0)
    kl_json_set (
        o, "systemContainers",
        encode_containers (n->system_containers, n->n_system_containers, only_cpu_and_memory));
  kl_json_set (o, "startTime", kl_encode_time (n->start_time));
  set_cpu_memory (o, n->cpu, n->memory);
  if (only_cpu_and_memory)
    return o;
  if (n->network)
    kl_json_set (o, "network", encode_network (n->network));
  if (n->fs)
    kl_json_set (o, "fs", encode_fs (n->fs));
  if (n->image_fs)
    {
      json_t *runtime = json_object ();
      kl_json_set (runtime, "imageFs", encode_fs (n->image_fs));
      kl_json_set (o, "runtime", runtime);
    }
  return o;
}

static json_t *
encode_pod (const kl_stats_pod_t *p, bool only_cpu_and_memory)
{
  json_t *o = json_object ();
  json_t *ref = json_object ();
  kl_json_set (ref, "name", kl_json_string (p->name));
  kl_json_set (ref, "namespace", kl_json_string (p->namespace_));
  kl_json_set (ref, "uid", kl_json_string (p->uid));
  kl_json_set (o, "podRef", ref);
  kl_json_set (o, "startTime", kl_encode_time (p->start_time));
  kl_json_set (o, "containers",
               encode_containers (p->containers, p->n_containers, only_cpu_and_memory));
  set_cpu_memory (o, p->cpu, p->memory);
  if (only_cpu_and_memory)
    return o;
  if (p->network)
    kl_json_set (o, "network", encode_network (p->network));
  if (p->n_volumes > 0)
    {
      json_t *a = json_array ();
      for (size_t i = 0; i < p->n_volumes; i++)
        {
          json_t *v = json_object ();
          set_fs (v, &p->volumes[i].fs);
          kl_json_set_string (v, "name", p->volumes[i].name);
          json_array_append_new (a, v);
        }
      kl_json_set (o, "volume", a);
    }
  if (p->ephemeral_storage)
    kl_json_set (o, "ephemeral-storage", encode_fs (p->ephemeral_storage));
  if (p->has_process_count)
    {
      json_t *process = json_object ();
      kl_json_set (process, "process_count", kl_json_uint64 (p->process_count));
      kl_json_set (o, "process_stats", process);
    }
  return o;
}

json_t *
kl_encode_stats_summary (const kl_stats_summary_t *s, bool only_cpu_and_memory)
{
  json_t *o = json_object ();
  kl_json_set (o, "node", encode_node (&s->node, only_cpu_and_memory));
  json_t *pods = json_array ();
  for (size_t i = 0; i < s->n_pods; i++)
    json_array_append_new (pods, encode_pod (&s->pods[i], only_cpu_and_memory));
  kl_json_set (o, "pods", pods);
  return o;
}

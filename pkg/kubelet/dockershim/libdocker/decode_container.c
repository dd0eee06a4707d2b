/* Decoders for container responses: inspect, list, create, stats, wait. */
#include <stdio.h>
#include <string.h>

#include "pkg/kubelet/dockershim/libdocker/decode-internal.h"
#include "pkg/kubelet/dockershim/libdocker/decode.h"
#include "pkg/util/utils.h"

static void
decode_state (dec_t *d, json_t *root, docker_container_state_t *s)
{
  s->status = dec_string (d, root, "State.Status");
  s->running = dec_bool (d, root, "State.Running");
  s->paused = dec_bool (d, root, "State.Paused");
  s->restarting = dec_bool (d, root, "State.Restarting");
  s->oom_killed = dec_bool (d, root, "State.OOMKilled");
  s->dead = dec_bool (d, root, "State.Dead");
  s->pid = dec_int (d, root, "State.Pid");
  s->exit_code = dec_int (d, root, "State.ExitCode");
  s->error = dec_string (d, root, "State.Error");
  s->started_at = dec_time (d, root, "State.StartedAt");
  s->finished_at = dec_time (d, root, "State.FinishedAt");
}

static void
decode_config (dec_t *d, json_t *root, docker_container_config_t *c)
{
  c->hostname = dec_string (d, root, "Config.Hostname");
  c->image = dec_string (d, root, "Config.Image");
  c->user = dec_string (d, root, "Config.User");
  c->working_dir = dec_string (d, root, "Config.WorkingDir");
  c->tty = dec_bool (d, root, "Config.Tty");
  c->open_stdin = dec_bool (d, root, "Config.OpenStdin");
  c->stdin_once = dec_bool (d, root, "Config.StdinOnce");
  dec_strings (d, root, "Config.Env", &c->env);
  dec_strings (d, root, "Config.Cmd", &c->cmd);
  dec_strings (d, root, "Config.Entrypoint", &c->entrypoint);
  dec_labels (d, root, "Config.Labels", &c->labels);
}

static void
decode_host_config (dec_t *d, json_t *root, docker_host_config_t *h)
{
  h->network_mode = dec_string (d, root, "HostConfig.NetworkMode");
  h->pid_mode = dec_string (d, root, "HostConfig.PidMode");
  h->ipc_mode = dec_string (d, root, "HostConfig.IpcMode");
  h->uts_mode = dec_string (d, root, "HostConfig.UTSMode");
  h->cgroup_parent = dec_string (d, root, "HostConfig.CgroupParent");
  dec_strings (d, root, "HostConfig.Binds", &h->binds);
  dec_strings (d, root, "HostConfig.SecurityOpt", &h->security_opt);
  dec_strings (d, root, "HostConfig.CapAdd", &h->cap_add);
  dec_strings (d, root, "HostConfig.CapDrop", &h->cap_drop);
  h->log_config.type = dec_string (d, root, "HostConfig.LogConfig.Type");
  dec_labels (d, root, "HostConfig.LogConfig.Config", &h->log_config.config);
  h->privileged = dec_bool (d, root, "HostConfig.Privileged");
  h->readonly_rootfs = dec_bool (d, root, "HostConfig.ReadonlyRootfs");
  h->oom_score_adj = dec_int (d, root, "HostConfig.OomScoreAdj");
  h->memory = dec_int (d, root, "HostConfig.Memory");
  h->memory_swap = dec_int (d, root, "HostConfig.MemorySwap");
  h->cpu_shares = dec_int (d, root, "HostConfig.CpuShares");
  h->cpu_period = dec_int (d, root, "HostConfig.CpuPeriod");
  h->cpu_quota = dec_int (d, root, "HostConfig.CpuQuota");
  h->nano_cpus = dec_int (d, root, "HostConfig.NanoCpus");
  h->pids_limit = dec_int (d, root, "HostConfig.PidsLimit");
  h->cpuset_cpus = dec_string (d, root, "HostConfig.CpusetCpus");
  h->cpuset_mems = dec_string (d, root, "HostConfig.CpusetMems");
}

static void
decode_network_settings (dec_t *d, json_t *root, docker_network_settings_t *n)
{
  n->ip_address = dec_string (d, root, "NetworkSettings.IPAddress");
  n->sandbox_key = dec_string (d, root, "NetworkSettings.SandboxKey");
  json_t *networks = dec_object (d, root, "NetworkSettings.Networks");
  if (networks == NULL)
    return;
  const char *name;
  json_t *network;
  n->networks = xmalloc0 (sizeof (docker_network_t) * (json_object_size (networks) + 1));
  json_object_foreach (networks, name, network)
    {
      docker_network_t *net = &n->networks[n->n_networks++];
      cleanup_free char *quoted = kl_quote (name, strlen (name));
      snprintf (d->where, sizeof d->where, "NetworkSettings.Networks[%.16s].", quoted);
      net->name = xstrdup (name);
      if (network != NULL && !json_is_null (network) && !json_is_object (network))
        dec_fail (d, "", "want an object");
      net->ip_address = dec_string (d, network, "IPAddress");
      net->gateway = dec_string (d, network, "Gateway");
      net->mac_address = dec_string (d, network, "MacAddress");
    }
  d->where[0] = '\0';
}

static void
decode_mounts (dec_t *d, json_t *root, docker_container_inspect_t *c)
{
  json_t *mounts = dec_array (d, root, "Mounts");
  size_t i;
  json_t *m;
  if (mounts == NULL)
    return;
  c->mounts = xmalloc0 (sizeof (docker_mount_point_t) * (json_array_size (mounts) + 1));
  json_array_foreach (mounts, i, m)
    {
      docker_mount_point_t *mp = &c->mounts[c->n_mounts++];
      snprintf (d->where, sizeof d->where, "Mounts[%zu].", i);
      if (!json_is_object (m))
        dec_fail (d, "", "want an object");
      mp->type = dec_string (d, m, "Type");
      mp->source = dec_string (d, m, "Source");
      mp->destination = dec_string (d, m, "Destination");
      mp->mode = dec_string (d, m, "Mode");
      mp->rw = dec_bool (d, m, "RW");
      mp->propagation = dec_string (d, m, "Propagation");
    }
  d->where[0] = '\0';
}

int
docker_decode_container_inspect (const char *json, size_t len, docker_container_inspect_t **out,
                                 kl_error_t *err)
{
  json_t *root = NULL;
  int ret = dec_load (json, len, JSON_OBJECT, "container inspect", &root, err);
  if (ret < 0)
    return ret;
  dec_t d;
  dec_init (&d, "container inspect", err);
  docker_container_inspect_t *c = xmalloc0 (sizeof *c);
  c->id = dec_string (&d, root, "Id");
  c->name = dec_string (&d, root, "Name");
  c->created = dec_time (&d, root, "Created");
  c->path = dec_string (&d, root, "Path");
  dec_strings (&d, root, "Args", &c->args);
  decode_state (&d, root, &c->state);
  c->image = dec_string (&d, root, "Image");
  c->resolv_conf_path = dec_string (&d, root, "ResolvConfPath");
  c->hostname_path = dec_string (&d, root, "HostnamePath");
  c->hosts_path = dec_string (&d, root, "HostsPath");
  c->log_path = dec_string (&d, root, "LogPath");
  c->restart_count = dec_int (&d, root, "RestartCount");
  c->driver = dec_string (&d, root, "Driver");
  decode_config (&d, root, &c->config);
  decode_host_config (&d, root, &c->host_config);
  decode_network_settings (&d, root, &c->network_settings);
  decode_mounts (&d, root, c);
  if (!d.failed && c->id[0] == '\0')
    dec_fail (&d, "Id", "missing");
  json_decref (root);
  if (dec_finish (&d) < 0)
    {
      docker_container_inspect_free (c);
      return -1;
    }
  *out = c;
  return 0;
}

int
docker_decode_container_list (const char *json, size_t len, docker_container_list_t **out,
                              kl_error_t *err)
{
  json_t *root = NULL;
  int ret = dec_load (json, len, JSON_ARRAY, "container list", &root, err);
  if (ret < 0)
    return ret;
  dec_t d;
  dec_init (&d, "container list", err);
  docker_container_list_t *list = xmalloc0 (sizeof *list);
  list->items = xmalloc0 (sizeof (docker_container_summary_t) * (json_array_size (root) + 1));
  size_t i;
  json_t *item;
  json_array_foreach (root, i, item)
    {
      docker_container_summary_t *c = &list->items[list->len++];
      snprintf (d.where, sizeof d.where, "[%zu].", i);
      if (!json_is_object (item))
        dec_fail (&d, "", "want an object");
      c->id = dec_string (&d, item, "Id");
      dec_strings (&d, item, "Names", &c->names);
      c->image = dec_string (&d, item, "Image");
      c->image_id = dec_string (&d, item, "ImageID");
      c->command = dec_string (&d, item, "Command");
      c->created = dec_int (&d, item, "Created");
      c->state = dec_string (&d, item, "State");
      c->status = dec_string (&d, item, "Status");
      dec_labels (&d, item, "Labels", &c->labels);
      if (!d.failed && c->id[0] == '\0')
        dec_fail (&d, "Id", "missing");
    }
  json_decref (root);
  if (dec_finish (&d) < 0)
    {
      docker_container_list_free (list);
      return -1;
    }
  *out = list;
  return 0;
}

int
docker_decode_container_create (const char *json, size_t len,
                                docker_container_create_result_t **out, kl_error_t *err)
{
  json_t *root = NULL;
  int ret = dec_load (json, len, JSON_OBJECT, "container create", &root, err);
  if (ret < 0)
    return ret;
  dec_t d;
  dec_init (&d, "container create", err);
  docker_container_create_result_t *r = xmalloc0 (sizeof *r);
  r->id = dec_string (&d, root, "Id");
  dec_strings (&d, root, "Warnings", &r->warnings);
  if (!d.failed && r->id[0] == '\0')
    dec_fail (&d, "Id", "missing");
  json_decref (root);
  if (dec_finish (&d) < 0)
    {
      docker_container_create_result_free (r);
      return -1;
    }
  *out = r;
  return 0;
}

int
docker_decode_container_stats (const char *json, size_t len, docker_container_stats_t **out,
                               kl_error_t *err)
{
  json_t *root = NULL;
  int ret = dec_load (json, len, JSON_OBJECT, "container stats", &root, err);
  if (ret < 0)
    return ret;
  dec_t d;
  dec_init (&d, "container stats", err);
  docker_container_stats_t *s = xmalloc0 (sizeof *s);
  s->read = dec_time (&d, root, "read");
  s->preread = dec_time (&d, root, "preread");
  s->cpu_total_usage = dec_uint (&d, root, "cpu_stats.cpu_usage.total_usage");
  s->cpu_usage_in_kernelmode = dec_uint (&d, root, "cpu_stats.cpu_usage.usage_in_kernelmode");
  s->cpu_usage_in_usermode = dec_uint (&d, root, "cpu_stats.cpu_usage.usage_in_usermode");
  s->system_cpu_usage = dec_uint (&d, root, "cpu_stats.system_cpu_usage");
  s->online_cpus = dec_uint (&d, root, "cpu_stats.online_cpus");
  s->memory_usage = dec_uint (&d, root, "memory_stats.usage");
  s->memory_limit = dec_uint (&d, root, "memory_stats.limit");
  s->pids_current = dec_uint (&d, root, "pids_stats.current");
  /* cgroup v1 reports hierarchical totals, v2 plain names. */
  const char *inactive = dec_get (&d, root, "memory_stats.stats.total_inactive_file")
                             ? "memory_stats.stats.total_inactive_file"
                             : "memory_stats.stats.inactive_file";
  uint64_t inactive_file = dec_uint (&d, root, inactive);
  s->memory_working_set = s->memory_usage > inactive_file ? s->memory_usage - inactive_file : 0;
  const char *rss = dec_get (&d, root, "memory_stats.stats.total_rss")
                        ? "memory_stats.stats.total_rss"
                        : "memory_stats.stats.anon";
  s->memory_rss = dec_uint (&d, root, rss);
  if (!d.failed && s->read == 0)
    dec_fail (&d, "read", "missing");
  json_decref (root);
  if (dec_finish (&d) < 0)
    {
      docker_container_stats_free (s);
      return -1;
    }
  *out = s;
  return 0;
}

int
docker_decode_container_wait (const char *json, size_t len, int64_t *status_code, kl_error_t *err)
{
  json_t *root = NULL;
  int ret = dec_load (json, len, JSON_OBJECT, "container wait", &root, err);
  if (ret < 0)
    return ret;
  dec_t d;
  dec_init (&d, "container wait", err);
  int64_t code = dec_int (&d, root, "StatusCode");
  cleanup_free char *message = dec_string (&d, root, "Error.Message");
  json_decref (root);
  if (dec_finish (&d) < 0)
    return -1;
  if (message[0] != '\0')
    return kl_make_error_kind (err, KL_ERROR_GENERIC, 0, "waiting failed: %s", message);
  *status_code = code;
  return 0;
}

#include "pkg/kubelet/dockershim/libdocker/types.h"

#include <stdlib.h>
#include <string.h>

const char *
docker_labels_get (const docker_labels_t *labels, const char *key)
{
  for (size_t i = 0; i < labels->len; i++)
    if (strcmp (labels->items[i].key, key) == 0)
      return labels->items[i].value;
  return NULL;
}

bool
docker_strings_contain (const docker_strings_t *list, const char *s)
{
  for (size_t i = 0; i < list->len; i++)
    if (strcmp (list->items[i], s) == 0)
      return true;
  return false;
}

void
docker_strings_clear (docker_strings_t *list)
{
  for (size_t i = 0; i < list->len; i++)
    free (list->items[i]);
  free (list->items);
  list->items = NULL;
  list->len = 0;
}

void
docker_labels_clear (docker_labels_t *labels)
{
  for (size_t i = 0; i < labels->len; i++)
    {
      free (labels->items[i].key);
      free (labels->items[i].value);
    }
  free (labels->items);
  labels->items = NULL;
  labels->len = 0;
}

void
docker_ping_free (docker_ping_t *p)
{
  if (p == NULL)
    return;
  free (p->api_version);
  free (p->os_type);
  free (p->builder_version);
  free (p);
}

void
docker_version_free (docker_version_t *v)
{
  if (v == NULL)
    return;
  free (v->version);
  free (v->api_version);
  free (v->min_api_version);
  free (v->git_commit);
  free (v->go_version);
  free (v->os);
  free (v->arch);
  free (v->kernel_version);
  free (v);
}

void
docker_info_free (docker_info_t *info)
{
  if (info == NULL)
    return;
  free (info->id);
  free (info->name);
  free (info->server_version);
  free (info->operating_system);
  free (info->os_type);
  free (info->kernel_version);
  free (info->cgroup_driver);
  free (info->cgroup_version);
  free (info->driver);
  free (info->docker_root_dir);
  free (info->default_runtime);
  docker_strings_clear (&info->runtimes);
  docker_strings_clear (&info->security_options);
  free (info);
}

static void
state_clear (docker_container_state_t *s)
{
  free (s->status);
  free (s->error);
}

static void
container_config_clear (docker_container_config_t *c)
{
  free (c->hostname);
  free (c->image);
  free (c->user);
  free (c->working_dir);
  docker_strings_clear (&c->env);
  docker_strings_clear (&c->cmd);
  docker_strings_clear (&c->entrypoint);
  docker_labels_clear (&c->labels);
}

static void
host_config_clear (docker_host_config_t *h)
{
  free (h->network_mode);
  free (h->pid_mode);
  free (h->ipc_mode);
  free (h->uts_mode);
  free (h->cgroup_parent);
  docker_strings_clear (&h->binds);
  docker_strings_clear (&h->security_opt);
  docker_strings_clear (&h->cap_add);
  docker_strings_clear (&h->cap_drop);
  free (h->log_config.type);
  docker_labels_clear (&h->log_config.config);
  free (h->cpuset_cpus);
  free (h->cpuset_mems);
}

static void
network_settings_clear (docker_network_settings_t *n)
{
  free (n->ip_address);
  free (n->sandbox_key);
  for (size_t i = 0; i < n->n_networks; i++)
    {
      free (n->networks[i].name);
      free (n->networks[i].ip_address);
      free (n->networks[i].gateway);
      free (n->networks[i].mac_address);
    }
  free (n->networks);
}

void
docker_container_inspect_free (docker_container_inspect_t *c)
{
  if (c == NULL)
    return;
  free (c->id);
  free (c->name);
  free (c->path);
  docker_strings_clear (&c->args);
  state_clear (&c->state);
  free (c->image);
  free (c->resolv_conf_path);
  free (c->hostname_path);
  free (c->hosts_path);
  free (c->log_path);
  free (c->driver);
  container_config_clear (&c->config);
  host_config_clear (&c->host_config);
  network_settings_clear (&c->network_settings);
  for (size_t i = 0; i < c->n_mounts; i++)
    {
      free (c->mounts[i].type);
      free (c->mounts[i].source);
      free (c->mounts[i].destination);
      free (c->mounts[i].mode);
      free (c->mounts[i].propagation);
    }
  free (c->mounts);
  free (c);
}

void
docker_container_list_free (docker_container_list_t *list)
{
  if (list == NULL)
    return;
  for (size_t i = 0; i < list->len; i++)
    {
      docker_container_summary_t *c = &list->items[i];
      free (c->id);
      docker_strings_clear (&c->names);
      free (c->image);
      free (c->image_id);
      free (c->command);
      free (c->state);
      free (c->status);
      docker_labels_clear (&c->labels);
    }
  free (list->items);
  free (list);
}

void
docker_container_create_result_free (docker_container_create_result_t *r)
{
  if (r == NULL)
    return;
  free (r->id);
  docker_strings_clear (&r->warnings);
  free (r);
}

void
docker_container_stats_free (docker_container_stats_t *s)
{
  free (s);
}

void
docker_image_list_free (docker_image_list_t *list)
{
  if (list == NULL)
    return;
  for (size_t i = 0; i < list->len; i++)
    {
      docker_image_summary_t *image = &list->items[i];
      free (image->id);
      free (image->parent_id);
      docker_strings_clear (&image->repo_tags);
      docker_strings_clear (&image->repo_digests);
      docker_labels_clear (&image->labels);
    }
  free (list->items);
  free (list);
}

void
docker_image_inspect_free (docker_image_inspect_t *image)
{
  if (image == NULL)
    return;
  free (image->id);
  docker_strings_clear (&image->repo_tags);
  docker_strings_clear (&image->repo_digests);
  free (image->parent);
  free (image->os);
  free (image->architecture);
  free (image->config.user);
  free (image->config.working_dir);
  free (image->config.stop_signal);
  docker_strings_clear (&image->config.env);
  docker_strings_clear (&image->config.entrypoint);
  docker_strings_clear (&image->config.cmd);
  docker_strings_clear (&image->config.volumes);
  docker_labels_clear (&image->config.labels);
  free (image);
}

void
docker_exec_inspect_free (docker_exec_inspect_t *e)
{
  if (e == NULL)
    return;
  free (e->id);
  free (e->container_id);
  free (e);
}

/* The service context (Docker client, options, detected facts) and the runtime-wide methods:
 * Version, Status, UpdateRuntimeConfig. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pkg/kubelet/dockershim/checkpoint.h"
#include "pkg/kubelet/dockershim/libdocker/containers.h"
#include "pkg/kubelet/dockershim/libdocker/system.h"
#include "pkg/kubelet/dockershim/naming.h"
#include "pkg/kubelet/dockershim/oom.h"
#include "pkg/kubelet/dockershim/pb.h"
#include "pkg/kubelet/dockershim/service-internal.h"
#include "pkg/util/log.h"
#include "pkg/util/utils.h"

#define DEFAULT_DOCKER_TIMEOUT_NS (120 * 1000000000LL)
#define LOG_POLL_NS (100 * 1000000LL)

void
ds_options_init (ds_options_t *opts)
{
  memset (opts, 0, sizeof *opts);
  opts->runtime_endpoint = xstrdup (DS_DEFAULT_RUNTIME_ENDPOINT);
  opts->docker_endpoint = xstrdup (DS_DEFAULT_DOCKER_ENDPOINT);
  opts->pod_infra_image = xstrdup (DS_DEFAULT_POD_INFRA_IMAGE);
  opts->root_dir = xstrdup (DS_DEFAULT_ROOT_DIR);
  opts->network_plugin = xstrdup ("");
  opts->cni_bin_dir = xstrdup (DS_DEFAULT_CNI_BIN_DIR);
  opts->cni_conf_dir = xstrdup (DS_DEFAULT_CNI_CONF_DIR);
  opts->streaming_bind_addr = xstrdup (DS_DEFAULT_STREAMING_BIND_ADDR);
}

void
ds_options_clear (ds_options_t *opts)
{
  free (opts->runtime_endpoint);
  free (opts->docker_endpoint);
  free (opts->pod_infra_image);
  free (opts->root_dir);
  free (opts->network_plugin);
  free (opts->cni_bin_dir);
  free (opts->cni_conf_dir);
  free (opts->streaming_bind_addr);
  memset (opts, 0, sizeof *opts);
}

static void
options_copy (ds_options_t *dst, const ds_options_t *src)
{
  dst->runtime_endpoint = xstrdup (src->runtime_endpoint ? src->runtime_endpoint : "");
  dst->docker_endpoint = xstrdup (src->docker_endpoint ? src->docker_endpoint : "");
  dst->pod_infra_image = xstrdup (src->pod_infra_image ? src->pod_infra_image : "");
  dst->root_dir = xstrdup (src->root_dir ? src->root_dir : "");
  dst->network_plugin = xstrdup (src->network_plugin ? src->network_plugin : "");
  dst->cni_bin_dir = xstrdup (src->cni_bin_dir ? src->cni_bin_dir : "");
  dst->cni_conf_dir = xstrdup (src->cni_conf_dir ? src->cni_conf_dir : "");
  dst->docker_timeout_ns = src->docker_timeout_ns;
  dst->streaming_bind_addr = xstrdup (src->streaming_bind_addr && src->streaming_bind_addr[0]
                                          ? src->streaming_bind_addr
                                          : DS_DEFAULT_STREAMING_BIND_ADDR);
}

/* "host:port" or "[v6]:port" with a port of 0-65535. */
static bool
host_port_ok (const char *addr)
{
  const char *colon = strrchr (addr, ':');
  if (colon == NULL || colon == addr || colon[1] == '\0' || strlen (colon + 1) > 5)
    return false;
  for (const char *p = colon + 1; *p; p++)
    if (*p < '0' || *p > '9')
      return false;
  return atoi (colon + 1) <= 65535;
}

int
ds_options_validate (const ds_options_t *opts, kl_error_t *err)
{
  const char *plugin = opts->network_plugin ? opts->network_plugin : "";
  if (plugin[0] != '\0' && strcmp (plugin, "cni") != 0)
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0,
                               "--network-plugin=%s: only \"cni\" (or none, for Docker's bridge) "
                               "is supported",
                               plugin);
  if (opts->runtime_endpoint == NULL || strncmp (opts->runtime_endpoint, "unix://", 7) != 0
      || opts->runtime_endpoint[7] == '\0')
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0,
                               "--container-runtime-endpoint=%s: want unix:///path/to/socket",
                               opts->runtime_endpoint ? opts->runtime_endpoint : "");
  if (opts->docker_endpoint == NULL || strncmp (opts->docker_endpoint, "unix://", 7) != 0
      || opts->docker_endpoint[7] == '\0')
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0,
                               "--docker-endpoint=%s: want unix:///path/to/docker.sock",
                               opts->docker_endpoint ? opts->docker_endpoint : "");
  if (opts->root_dir == NULL || opts->root_dir[0] != '/')
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "the root directory must be absolute");
  if (opts->pod_infra_image == NULL || opts->pod_infra_image[0] == '\0')
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "--pod-infra-container-image is empty");
  if (opts->streaming_bind_addr && opts->streaming_bind_addr[0]
      && !host_port_ok (opts->streaming_bind_addr))
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0,
                               "--streaming-bind-addr=%s: want host:port (port 0: any free one)",
                               opts->streaming_bind_addr);
  return 0;
}

void
ds_service_create_context (const ds_service_t *ds, ds_create_context_t *ctx)
{
  ctx->pod_infra_image = ds->options.pod_infra_image;
  ctx->network = ds->network;
  ctx->cgroup_driver = ds->cgroup_driver;
  ctx->oom_floor = ds->oom_floor;
}

int
ds_inspect_typed (ds_service_t *ds, const char *id, const char *type,
                  docker_container_inspect_t **out, kl_error_t *err)
{
  if (id == NULL || id[0] == '\0')
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "empty %s ID",
                               strcmp (type, DS_CONTAINER_TYPE_SANDBOX) == 0 ? "sandbox"
                                                                             : "container");
  cleanup_docker (docker_container_inspect) docker_container_inspect_t *c = NULL;
  int ret = docker_container_inspect (ds->docker, id, &c, err);
  if (ret < 0)
    return ret;
  const char *t = docker_labels_get (&c->config.labels, DS_LABEL_CONTAINER_TYPE);
  if (t == NULL || strcmp (t, type) != 0)
    return kl_make_error_kind (
        err, KL_ERROR_NOT_FOUND, 404, "no such %s: %s",
        strcmp (type, DS_CONTAINER_TYPE_SANDBOX) == 0 ? "pod sandbox" : "container", id);
  *out = steal_pointer (&c);
  return 0;
}

int
ds_list_typed (ds_service_t *ds, const ds_list_query_t *q, docker_container_list_t **out,
               kl_error_t *err)
{
  /* "key=value" filters, NULL-terminated: the type, each selector pair,
     the sandbox. On the heap: a request may carry any number of pairs. */
  size_t n = 0;
  cleanup_free char **labels = xmalloc ((q->n_label_selector + 3) * sizeof *labels);
  labels[n++] = xasprintf (DS_LABEL_CONTAINER_TYPE "=%s", q->type);
  for (size_t i = 0; i < q->n_label_selector; i++)
    labels[n++] = xasprintf ("%s=%s", q->label_selector[i]->key, q->label_selector[i]->value);
  if (q->sandbox_id && q->sandbox_id[0])
    labels[n++] = xasprintf (DS_LABEL_SANDBOX_ID "=%s", q->sandbox_id);
  labels[n] = NULL;
  const char *ids[2] = { q->id, NULL };
  docker_container_list_options_t opts = {
    .all = q->all,
    .labels = (const char *const *) labels,
    .statuses = q->statuses,
    .ids = q->id && q->id[0] ? ids : NULL,
  };
  int ret = docker_container_list (ds->docker, &opts, out, err);
  for (size_t i = 0; i < n; i++)
    free (labels[i]);
  return ret;
}

void
ds_forget_container_logs (ds_service_t *ds, const char *id)
{
  ds_log_manager_forget (ds->logs, id);
}

int
ds_follow_container_logs (ds_service_t *ds, const docker_container_inspect_t *c, kl_error_t *err)
{
  const char *cri_log = docker_labels_get (&c->config.labels, DS_LABEL_LOG_PATH);
  if (cri_log == NULL || cri_log[0] == '\0' || c->log_path[0] == '\0')
    return 0; /* no CRI log asked for, or a log driver without a file */
  if (cri_log[0] != '/')
    {
      /* A log path without the sandbox's log directory: nowhere sensible. */
      KL_LOG_WARN ("dockershim: container %s: log path %s is not absolute; no CRI log", c->id,
                   cri_log);
      return 0;
    }
  return ds_log_manager_follow (ds->logs, c->id, c->log_path, cri_log, err);
}

/* Deletes the saved log progress of containers Docker no longer has
   (removed while the dockershim was down, or not through it). */
static void
forget_stale_log_states (ds_service_t *ds, const docker_container_list_t *list)
{
  cleanup_free char *dir = xasprintf ("%s/logs", ds->options.root_dir);
  DIR *d = opendir (dir);
  if (d == NULL)
    return;
  struct dirent *e;
  while ((e = readdir (d)) != NULL)
    {
      if (e->d_name[0] == '.')
        continue;
      bool known = false;
      for (size_t i = 0; i < list->len && !known; i++)
        known = strcmp (list->items[i].id, e->d_name) == 0;
      if (!known)
        {
          cleanup_free char *path = xasprintf ("%s/%s", dir, e->d_name);
          unlink (path);
        }
    }
  closedir (d);
}

/* After a restart: the containers started before keep their CRI logs. */
static void
resume_logs (ds_service_t *ds)
{
  const char *labels[] = { DS_LABEL_CONTAINER_TYPE "=" DS_CONTAINER_TYPE_CONTAINER, NULL };
  docker_container_list_options_t opts = { .all = true, .labels = labels };
  cleanup_docker (docker_container_list) docker_container_list_t *list = NULL;
  kl_error_t err = NULL;
  if (docker_container_list (ds->docker, &opts, &list, &err) < 0)
    {
      KL_LOG_WARN ("resuming container logs: %s", kl_error_message (err));
      kl_error_release (&err);
      return;
    }
  forget_stale_log_states (ds, list);
  for (size_t i = 0; i < list->len; i++)
    {
      if (strcmp (list->items[i].state, "created") == 0)
        continue; /* StartContainer will follow it */
      cleanup_docker (docker_container_inspect) docker_container_inspect_t *c = NULL;
      if (docker_container_inspect (ds->docker, list->items[i].id, &c, &err) < 0
          || ds_follow_container_logs (ds, c, &err) < 0)
        {
          KL_LOG_WARN ("resuming logs of container %s: %s", list->items[i].id,
                       kl_error_message (err));
          kl_error_release (&err);
        }
    }
}

int
ds_service_new (const ds_options_t *opts, ds_service_t **out, kl_error_t *err)
{
  cleanup_docker (docker_info) docker_info_t *info = NULL;
  cleanup_free char *log_state = NULL;
  int ret = ds_options_validate (opts, err);
  if (ret < 0)
    return ret;
  ds_service_t *ds = xmalloc0 (sizeof *ds);
  options_copy (&ds->options, opts);
  pthread_mutex_init (&ds->lock, NULL);
  pthread_mutex_init (&ds->network_lock, NULL);
  ds->pod_cidr = xstrdup ("");
  ds->checkpoint_dir = xasprintf ("%s/sandbox", ds->options.root_dir);
  ds->network
      = strcmp (ds->options.network_plugin, "cni") == 0 ? DS_NETWORK_CNI : DS_NETWORK_BRIDGE;
  if (ds->network == DS_NETWORK_CNI)
    ds->cni = ds_cni_new (ds->options.cni_bin_dir, ds->options.cni_conf_dir);

  int64_t timeout
      = opts->docker_timeout_ns > 0 ? opts->docker_timeout_ns : DEFAULT_DOCKER_TIMEOUT_NS;
  ret = docker_client_new (ds->options.docker_endpoint, timeout, &ds->docker, err);
  if (ret < 0)
    goto fail;
  ret = docker_info (ds->docker, &info, err);
  if (ret < 0)
    {
      kl_error_wrap (err, "docker info at %s", ds->options.docker_endpoint);
      goto fail;
    }
  ds->docker_root_dir = xstrdup (info->docker_root_dir);
  ds->cgroup_driver = xstrdup (info->cgroup_driver[0] ? info->cgroup_driver : "cgroupfs");
  ret = ds_oom_detect_floor ("/proc/self/status", "/proc/self/oom_score_adj", &ds->oom_floor, err);
  if (ret < 0)
    goto fail;
  log_state = xasprintf ("%s/logs", ds->options.root_dir);
  ret = ds_log_manager_new (log_state, LOG_POLL_NS, &ds->logs, err);
  if (ret < 0)
    goto fail;
  KL_LOG_INFO ("dockershim: Docker %s at %s, root %s, cgroup driver %s, network %s, lowest "
               "oom_score_adj %d",
               info->server_version, ds->options.docker_endpoint, ds->docker_root_dir,
               ds->cgroup_driver, ds->network == DS_NETWORK_CNI ? "cni" : "docker bridge",
               ds->oom_floor);
  resume_logs (ds);
  *out = ds;
  return 0;

fail:
  ds_service_free (ds);
  return ret;
}

void
ds_service_free (ds_service_t *ds)
{
  if (ds == NULL)
    return;
  ds_log_manager_free (ds->logs);
  docker_client_free (ds->docker);
  ds_cni_free (ds->cni);
  ds_options_clear (&ds->options);
  free (ds->docker_root_dir);
  free (ds->cgroup_driver);
  free (ds->checkpoint_dir);
  free (ds->pod_cidr);
  pthread_mutex_destroy (&ds->lock);
  pthread_mutex_destroy (&ds->network_lock);
  free (ds);
}

int
ds_version (ds_service_t *ds, const Runtime__V1__VersionRequest *req,
            Runtime__V1__VersionResponse **resp, kl_error_t *err)
{
  cleanup_docker (docker_version) docker_version_t *v = NULL;
  int ret = docker_version (ds->docker, &v, err);
  if (ret < 0)
    return kl_error_wrap (err, "failed to get docker version");
  Runtime__V1__VersionResponse *r
      = DS_PB_NEW (Runtime__V1__VersionResponse, runtime__v1__version_response__init);
  r->version = xstrdup (DS_KUBE_API_VERSION);
  r->runtime_name = xstrdup (DS_RUNTIME_NAME);
  r->runtime_version = xstrdup (v->version);
  r->runtime_api_version = xstrdup (DS_RUNTIME_API_VERSION);
  *resp = r;
  return 0;
}

static Runtime__V1__RuntimeCondition *
condition (const char *type, bool status, const char *reason, const char *message)
{
  Runtime__V1__RuntimeCondition *c
      = DS_PB_NEW (Runtime__V1__RuntimeCondition, runtime__v1__runtime_condition__init);
  c->type = xstrdup (type);
  c->status = status;
  c->reason = ds_pb_strdup (reason);
  c->message = ds_pb_strdup (message);
  return c;
}

int
ds_status (ds_service_t *ds, const Runtime__V1__StatusRequest *req,
           Runtime__V1__StatusResponse **resp, kl_error_t *err)
{
  Runtime__V1__StatusResponse *r
      = DS_PB_NEW (Runtime__V1__StatusResponse, runtime__v1__status_response__init);
  r->status = DS_PB_NEW (Runtime__V1__RuntimeStatus, runtime__v1__runtime_status__init);

  kl_error_t ping_err = NULL;
  cleanup_docker (docker_ping) docker_ping_t *ping = NULL;
  if (docker_ping (ds->docker, &ping, &ping_err) < 0)
    {
      cleanup_free char *msg
          = xasprintf ("docker: failed to ping dockerd: %s", kl_error_message (ping_err));
      DS_PB_APPEND (r->status->conditions, r->status->n_conditions,
                    condition ("RuntimeReady", false, "DockerDaemonNotReady", msg));
      kl_error_release (&ping_err);
    }
  else
    DS_PB_APPEND (r->status->conditions, r->status->n_conditions,
                  condition ("RuntimeReady", true, NULL, NULL));

  if (ds->network == DS_NETWORK_CNI)
    {
      json_t *conflist = NULL;
      kl_error_t net_err = NULL;
      if (ds_cni_load_network (ds->cni, &conflist, &net_err) < 0)
        {
          cleanup_free char *msg = xasprintf ("docker: network plugin is not ready: cni config "
                                              "uninitialized: %s",
                                              kl_error_message (net_err));
          DS_PB_APPEND (r->status->conditions, r->status->n_conditions,
                        condition ("NetworkReady", false, "NetworkPluginNotReady", msg));
          kl_error_release (&net_err);
        }
      else
        DS_PB_APPEND (r->status->conditions, r->status->n_conditions,
                      condition ("NetworkReady", true, NULL, NULL));
      json_decref (conflist);
    }
  else
    DS_PB_APPEND (r->status->conditions, r->status->n_conditions,
                  condition ("NetworkReady", true, NULL, NULL));

  if (req->verbose)
    {
      json_t *config
          = json_pack ("{s:s, s:s, s:s}", "sandboxImage", ds->options.pod_infra_image,
                       "networkPlugin", ds->network == DS_NETWORK_CNI ? "cni" : "docker-bridge",
                       "cgroupDriver", ds->cgroup_driver);
      cleanup_free char *text = json_dumps (config, JSON_COMPACT);
      json_decref (config);
      ds_pb_map_add (&r->info, &r->n_info, &runtime__v1__status_response__info_entry__descriptor,
                     "config", text);
    }
  *resp = r;
  return 0;
}

int
ds_update_runtime_config (ds_service_t *ds, const Runtime__V1__UpdateRuntimeConfigRequest *req,
                          Runtime__V1__UpdateRuntimeConfigResponse **resp, kl_error_t *err)
{
  const char *cidr = req->runtime_config && req->runtime_config->network_config
                         ? req->runtime_config->network_config->pod_cidr
                         : NULL;
  if (cidr && cidr[0])
    {
      pthread_mutex_lock (&ds->lock);
      if (strcmp (ds->pod_cidr, cidr) != 0)
        {
          free (ds->pod_cidr);
          ds->pod_cidr = xstrdup (cidr);
          KL_LOG_INFO ("dockershim: pod CIDR is now %s", cidr);
        }
      pthread_mutex_unlock (&ds->lock);
    }
  *resp = DS_PB_NEW (Runtime__V1__UpdateRuntimeConfigResponse,
                     runtime__v1__update_runtime_config_response__init);
  return 0;
}

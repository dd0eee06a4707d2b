/* Pod sandboxes: the pause container holding a pod's namespaces, its network and its checkpoint. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "pkg/kubelet/dockershim/checkpoint.h"
#include "pkg/kubelet/dockershim/convert.h"
#include "pkg/kubelet/dockershim/libdocker/containers.h"
#include "pkg/kubelet/dockershim/libdocker/images.h"
#include "pkg/kubelet/dockershim/naming.h"
#include "pkg/kubelet/dockershim/pb.h"
#include "pkg/kubelet/dockershim/service-internal.h"
#include "pkg/util/log.h"
#include "pkg/util/utils.h"

#define NETWORK_HOST "host"
#define NETWORK_BRIDGE "bridge"
#define NETWORK_CNI "cni"

static int
check_id (const char *id, kl_error_t *err)
{
  if (id == NULL || id[0] == '\0')
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "pod sandbox ID is empty");
  return 0;
}

/* Pulls the pause image unless Docker has it. */
static int
ensure_sandbox_image (ds_service_t *ds, kl_error_t *err)
{
  cleanup_docker (docker_image_inspect) docker_image_inspect_t *image = NULL;
  int ret = docker_image_inspect (ds->docker, ds->options.pod_infra_image, &image, err);
  if (ret == 0)
    return 0;
  if (!kl_error_is (*err, KL_ERROR_NOT_FOUND))
    return kl_error_wrap (err, "failed to inspect sandbox image %s", ds->options.pod_infra_image);
  kl_error_release (err);
  KL_LOG_INFO ("dockershim: pulling sandbox image %s", ds->options.pod_infra_image);
  ret = docker_image_pull (ds->docker, ds->options.pod_infra_image, NULL, NULL, err);
  if (ret < 0)
    return kl_error_wrap (err, "failed pulling sandbox image %s", ds->options.pod_infra_image);
  return 0;
}

/* Rewrites the resolv.conf Docker made for the sandbox (all its containers
   share it) with the pod's DNS config. */
static int
rewrite_resolv_conf (const char *path, const Runtime__V1__DNSConfig *dns, kl_error_t *err)
{
  if (dns->n_servers == 0 && dns->n_searches == 0 && dns->n_options == 0)
    return 0;
  if (path == NULL || path[0] == '\0')
    return kl_make_error_kind (err, KL_ERROR_GENERIC, 0, "the sandbox has no resolv.conf path");
  ds_buffer_t text = { 0 };
  for (size_t i = 0; i < dns->n_servers; i++)
    {
      ds_buffer_append (&text, "nameserver ", 11);
      ds_buffer_append (&text, dns->servers[i], strlen (dns->servers[i]));
      ds_buffer_append (&text, "\n", 1);
    }
  if (dns->n_searches > 0)
    {
      ds_buffer_append (&text, "search", 6);
      for (size_t i = 0; i < dns->n_searches; i++)
        {
          ds_buffer_append (&text, " ", 1);
          ds_buffer_append (&text, dns->searches[i], strlen (dns->searches[i]));
        }
      ds_buffer_append (&text, "\n", 1);
    }
  if (dns->n_options > 0)
    {
      ds_buffer_append (&text, "options", 7);
      for (size_t i = 0; i < dns->n_options; i++)
        {
          ds_buffer_append (&text, " ", 1);
          ds_buffer_append (&text, dns->options[i], strlen (dns->options[i]));
        }
      ds_buffer_append (&text, "\n", 1);
    }
  int ret = 0;
  int fd = open (path, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0 || write (fd, text.data, text.len) != (ssize_t) text.len)
    ret = kl_make_error_kind (err, KL_ERROR_GENERIC, errno, "rewrite %s: %s", path,
                              strerror (errno));
  if (fd >= 0)
    close (fd);
  ds_buffer_release (&text);
  return ret;
}

static const char *
protocol_name (int protocol)
{
  return protocol == RUNTIME__V1__PROTOCOL__UDP    ? "udp"
         : protocol == RUNTIME__V1__PROTOCOL__SCTP ? "sctp"
                                                   : "tcp";
}

/* The runtime side of a CNI call for sandbox `id`; ports point into `cp`. */
static void
cni_runtime (const char *id, const ds_checkpoint_t *cp, const char *netns, ds_cni_port_t *ports,
             ds_cni_runtime_t *rt)
{
  size_t n = 0;
  for (size_t i = 0; i < cp->n_ports; i++)
    if (cp->ports[i].host_port > 0)
      {
        ports[n].host_port = cp->ports[i].host_port;
        ports[n].container_port = cp->ports[i].container_port;
        ports[n].protocol = protocol_name (cp->ports[i].protocol);
        ports[n].host_ip = cp->ports[i].host_ip;
        n++;
      }
  *rt = (ds_cni_runtime_t){
    .container_id = id,
    .netns = netns,
    .pod_name = cp->name,
    .pod_namespace = cp->ns,
    .pod_uid = cp->uid,
    .ports = ports,
    .n_ports = n,
  };
}

/* CNI ADD for a started sandbox; the checkpoint records the network before
   the ADD (so a crash half way is still torn down) and the result after. */
static int
setup_cni (ds_service_t *ds, const char *id, int64_t pid, ds_checkpoint_t *cp, kl_error_t *err)
{
  json_t *conflist = NULL;
  int ret = ds_cni_load_network (ds->cni, &conflist, err);
  if (ret < 0)
    return kl_error_wrap (err, "network plugin cni");
  pthread_mutex_lock (&ds->network_lock);
  json_decref (cp->cni_config);
  cp->cni_config = conflist;
  cp->network_ready = true;
  ret = ds_checkpoint_write (ds->checkpoint_dir, id, cp, err);
  pthread_mutex_unlock (&ds->network_lock);
  if (ret < 0)
    return ret;

  cleanup_free char *netns = xasprintf ("/proc/%" PRId64 "/ns/net", pid);
  ds_cni_port_t *ports = xmalloc ((cp->n_ports + 1) * sizeof *ports);
  ds_cni_runtime_t rt;
  cni_runtime (id, cp, netns, ports, &rt);
  json_t *result = NULL;
  ret = ds_cni_add (ds->cni, conflist, &rt, &result, err);
  free (ports);
  if (ret < 0)
    return ret;
  cleanup_free char *ip = NULL;
  ret = ds_cni_result_ip (result, &ip, err);
  if (ret < 0)
    {
      json_decref (result);
      return ret;
    }
  pthread_mutex_lock (&ds->network_lock);
  cp->cni_result = result;
  ds_checkpoint_set (&cp->ip, ip);
  ret = ds_checkpoint_write (ds->checkpoint_dir, id, cp, err);
  pthread_mutex_unlock (&ds->network_lock);
  KL_LOG_V (2, "dockershim: sandbox %s (%s/%s) has IP %s", id, cp->ns, cp->name, ip);
  return ret;
}

/* CNI DEL for sandbox `id` if its checkpoint says its network is up; `c`
   (may be NULL) gives the pause's network namespace while it runs. */
static int
teardown_network (ds_service_t *ds, const char *id, const docker_container_inspect_t *c,
                  kl_error_t *err)
{
  cleanup_checkpoint ds_checkpoint_t *cp = NULL;
  cleanup_free char *netns = NULL;
  kl_error_t read_err = NULL;
  int ret = 0;
  pthread_mutex_lock (&ds->network_lock);
  if (ds_checkpoint_read (ds->checkpoint_dir, id, &cp, &read_err) < 0)
    {
      if (!kl_error_is (read_err, KL_ERROR_NOT_FOUND))
        KL_LOG_WARN ("dockershim: sandbox %s: %s; its network cannot be torn down", id,
                     kl_error_message (read_err));
      kl_error_release (&read_err);
      goto out;
    }
  if (!cp->network_ready || cp->cni_config == NULL)
    goto out;
  if (c && c->state.running && c->state.pid > 0)
    netns = xasprintf ("/proc/%" PRId64 "/ns/net", c->state.pid);
  ds_cni_t *cni = ds->cni;
  ds_cni_t *temporary = NULL;
  if (cni == NULL)
    cni = temporary = ds_cni_new (ds->options.cni_bin_dir, ds->options.cni_conf_dir);
  ds_cni_port_t *ports = xmalloc ((cp->n_ports + 1) * sizeof *ports);
  ds_cni_runtime_t rt;
  cni_runtime (id, cp, netns ? netns : "", ports, &rt);
  ret = ds_cni_del (cni, cp->cni_config, &rt, cp->cni_result, err);
  free (ports);
  ds_cni_free (temporary);
  if (ret < 0)
    goto out;
  cp->network_ready = false;
  ret = ds_checkpoint_write (ds->checkpoint_dir, id, cp, err);
out:
  pthread_mutex_unlock (&ds->network_lock);
  return ret;
}

char *
ds_sandbox_ip (ds_service_t *ds, const docker_container_inspect_t *c)
{
  const char *mode = c->host_config.network_mode;
  if (strcmp (mode, "host") == 0)
    return xstrdup ("");
  if (strcmp (mode, "none") == 0)
    {
      cleanup_checkpoint ds_checkpoint_t *cp = NULL;
      kl_error_t err = NULL;
      if (ds_checkpoint_read (ds->checkpoint_dir, c->id, &cp, &err) < 0)
        {
          kl_error_release (&err);
          return xstrdup ("");
        }
      return xstrdup (cp->network_ready && c->state.running ? cp->ip : "");
    }
  if (!c->state.running)
    return xstrdup ("");
  if (c->network_settings.ip_address[0])
    return xstrdup (c->network_settings.ip_address);
  for (size_t i = 0; i < c->network_settings.n_networks; i++)
    if (c->network_settings.networks[i].ip_address[0])
      return xstrdup (c->network_settings.networks[i].ip_address);
  return xstrdup ("");
}

/* After "name already in use": removes the leftover container of an
   earlier failed attempt (if it is ours and not running), so the kubelet's
   retry succeeds. */
static void
recover_name_conflict (ds_service_t *ds, const char *name)
{
  cleanup_docker (docker_container_inspect) docker_container_inspect_t *c = NULL;
  kl_error_t err = NULL;
  if (docker_container_inspect (ds->docker, name, &c, &err) < 0)
    {
      kl_error_release (&err);
      return;
    }
  if (c->state.running || docker_labels_get (&c->config.labels, DS_LABEL_CONTAINER_TYPE) == NULL)
    return;
  KL_LOG_INFO ("dockershim: removing container %s left with the name %s", c->id, name);
  if (docker_container_remove (ds->docker, c->id, false, true, &err) < 0)
    {
      KL_LOG_WARN ("dockershim: removing %s: %s", c->id, kl_error_message (err));
      kl_error_release (&err);
    }
}

int
ds_run_pod_sandbox (ds_service_t *ds, const Runtime__V1__RunPodSandboxRequest *req,
                    Runtime__V1__RunPodSandboxResponse **resp, kl_error_t *err)
{
  const Runtime__V1__PodSandboxConfig *config = req->config;
  ds_create_context_t ctx;
  ds_service_create_context (ds, &ctx);
  cleanup_free char *name = NULL;
  json_t *body = NULL;
  int ret = ds_sandbox_create_body (&ctx, config, &name, &body, err);
  if (ret < 0)
    return ret;
  const char *pod = config->metadata->name;
  if (req->runtime_handler && req->runtime_handler[0]
      && strcmp (req->runtime_handler, DS_RUNTIME_NAME) != 0)
    json_object_set_new (json_object_get (body, "HostConfig"), "Runtime",
                         json_string (req->runtime_handler));

  ret = ensure_sandbox_image (ds, err);
  if (ret < 0)
    {
      json_decref (body);
      return ret;
    }
  cleanup_docker (docker_container_create_result) docker_container_create_result_t *created = NULL;
  ret = docker_container_create (ds->docker, name, body, &created, err);
  json_decref (body);
  if (ret < 0)
    {
      if (kl_error_is (*err, KL_ERROR_ALREADY_EXISTS))
        recover_name_conflict (ds, name);
      return kl_error_wrap (err, "failed to create a sandbox for pod %s", pod);
    }
  const char *id = created->id;

  const Runtime__V1__NamespaceOption *ns = config->linux && config->linux->security_context
                                               ? config->linux->security_context->namespace_options
                                               : NULL;
  bool host_network = ns && ns->network == RUNTIME__V1__NAMESPACE_MODE__NODE;
  cleanup_checkpoint ds_checkpoint_t *cp = ds_checkpoint_new ();
  ds_checkpoint_set (&cp->name, pod);
  ds_checkpoint_set (&cp->ns, config->metadata->namespace_);
  ds_checkpoint_set (&cp->uid, config->metadata->uid);
  cp->attempt = config->metadata->attempt;
  ds_checkpoint_set (&cp->network, host_network                    ? NETWORK_HOST
                                   : ds->network == DS_NETWORK_CNI ? NETWORK_CNI
                                                                   : NETWORK_BRIDGE);
  if (req->runtime_handler && req->runtime_handler[0]
      && strcmp (req->runtime_handler, DS_RUNTIME_NAME) != 0)
    ds_checkpoint_set (&cp->runtime_handler, req->runtime_handler);
  cp->pid_mode = ns ? ns->pid : RUNTIME__V1__NAMESPACE_MODE__POD;
  cp->ipc_mode = ns ? ns->ipc : RUNTIME__V1__NAMESPACE_MODE__POD;
  for (size_t i = 0; i < config->n_port_mappings; i++)
    ds_checkpoint_add_port (cp, config->port_mappings[i]->protocol,
                            config->port_mappings[i]->container_port,
                            config->port_mappings[i]->host_port, config->port_mappings[i]->host_ip);
  ret = ds_checkpoint_write (ds->checkpoint_dir, id, cp, err);
  if (ret < 0)
    return ret;

  /* If a step below fails, the kubelet stops and removes the sandbox. */
  ret = docker_container_start (ds->docker, id, err);
  if (ret < 0)
    return kl_error_wrap (err, "failed to start sandbox container for pod %s", pod);

  cleanup_docker (docker_container_inspect) docker_container_inspect_t *c = NULL;
  ret = docker_container_inspect (ds->docker, id, &c, err);
  if (ret < 0)
    return kl_error_wrap (err, "failed to inspect sandbox container for pod %s", pod);
  if (config->dns_config)
    {
      ret = rewrite_resolv_conf (c->resolv_conf_path, config->dns_config, err);
      if (ret < 0)
        return kl_error_wrap (err, "rewrite resolv.conf failed for pod %s", pod);
    }
  if (!host_network && ds->network == DS_NETWORK_CNI)
    {
      ret = setup_cni (ds, id, c->state.pid, cp, err);
      if (ret < 0)
        {
          kl_error_wrap (err, "failed to set up sandbox container %s network for pod %s", id, pod);
          kl_error_t cleanup_err = NULL;
          if (teardown_network (ds, id, c, &cleanup_err) < 0)
            {
              KL_LOG_WARN ("dockershim: cleaning up the network of sandbox %s: %s", id,
                           kl_error_message (cleanup_err));
              kl_error_release (&cleanup_err);
            }
          if (docker_container_stop (ds->docker, id, DS_SANDBOX_STOP_TIMEOUT_S, &cleanup_err) < 0)
            kl_error_release (&cleanup_err);
          return ret;
        }
    }
  Runtime__V1__RunPodSandboxResponse *r
      = DS_PB_NEW (Runtime__V1__RunPodSandboxResponse, runtime__v1__run_pod_sandbox_response__init);
  r->pod_sandbox_id = xstrdup (id);
  *resp = r;
  return 0;
}

/* Containers of sandbox `id`: running only, or all. */
static int
list_sandbox_containers (ds_service_t *ds, const char *id, bool all, docker_container_list_t **out,
                         kl_error_t *err)
{
  cleanup_free char *label = xasprintf (DS_LABEL_SANDBOX_ID "=%s", id);
  const char *labels[] = { DS_LABEL_CONTAINER_TYPE "=" DS_CONTAINER_TYPE_CONTAINER, label, NULL };
  docker_container_list_options_t opts = { .all = all, .labels = labels };
  return docker_container_list (ds->docker, &opts, out, err);
}

int
ds_stop_pod_sandbox (ds_service_t *ds, const Runtime__V1__StopPodSandboxRequest *req,
                     Runtime__V1__StopPodSandboxResponse **resp, kl_error_t *err)
{
  const char *id = req->pod_sandbox_id;
  int ret = check_id (id, err);
  if (ret < 0)
    return ret;
  cleanup_docker (docker_container_inspect) docker_container_inspect_t *c = NULL;
  ret = ds_inspect_typed (ds, id, DS_CONTAINER_TYPE_SANDBOX, &c, err);
  if (ret < 0 && !kl_error_is (*err, KL_ERROR_NOT_FOUND))
    return ret;
  kl_error_release (err);

  if (c)
    {
      /* The kubelet stopped them gracefully already: what is left is killed. */
      cleanup_docker (docker_container_list) docker_container_list_t *list = NULL;
      ret = list_sandbox_containers (ds, c->id, false, &list, err);
      if (ret < 0)
        return ret;
      for (size_t i = 0; i < list->len; i++)
        if (docker_container_stop (ds->docker, list->items[i].id, 0, err) < 0)
          {
            if (!kl_error_is (*err, KL_ERROR_NOT_FOUND))
              return kl_error_wrap (err, "failed to stop container %s of sandbox %s",
                                    list->items[i].id, id);
            kl_error_release (err);
          }
    }
  const char *full_id = c ? c->id : id;
  ret = teardown_network (ds, full_id, c, err);
  if (ret < 0)
    return kl_error_wrap (err, "failed to tear down the network of sandbox %s", id);
  if (c)
    {
      ret = docker_container_stop (ds->docker, full_id, DS_SANDBOX_STOP_TIMEOUT_S, err);
      if (ret < 0 && !kl_error_is (*err, KL_ERROR_NOT_FOUND))
        return kl_error_wrap (err, "failed to stop sandbox %s", id);
      kl_error_release (err);
    }
  else
    {
      /* Docker lost the sandbox: with its network undone nothing is left. */
      ret = ds_checkpoint_remove (ds->checkpoint_dir, id, err);
      if (ret < 0)
        return ret;
    }
  *resp = DS_PB_NEW (Runtime__V1__StopPodSandboxResponse,
                     runtime__v1__stop_pod_sandbox_response__init);
  return 0;
}

int
ds_remove_pod_sandbox (ds_service_t *ds, const Runtime__V1__RemovePodSandboxRequest *req,
                       Runtime__V1__RemovePodSandboxResponse **resp, kl_error_t *err)
{
  const char *id = req->pod_sandbox_id;
  int ret = check_id (id, err);
  if (ret < 0)
    return ret;
  cleanup_docker (docker_container_inspect) docker_container_inspect_t *c = NULL;
  ret = ds_inspect_typed (ds, id, DS_CONTAINER_TYPE_SANDBOX, &c, err);
  if (ret < 0 && !kl_error_is (*err, KL_ERROR_NOT_FOUND))
    return ret;
  kl_error_release (err);
  const char *full_id = c ? c->id : id;

  cleanup_docker (docker_container_list) docker_container_list_t *list = NULL;
  ret = list_sandbox_containers (ds, full_id, true, &list, err);
  if (ret < 0)
    return ret;
  for (size_t i = 0; i < list->len; i++)
    {
      ds_forget_container_logs (ds, list->items[i].id);
      if (docker_container_remove (ds->docker, list->items[i].id, true, true, err) < 0)
        {
          if (!kl_error_is (*err, KL_ERROR_NOT_FOUND))
            return kl_error_wrap (err, "failed to remove container %s of sandbox %s",
                                  list->items[i].id, id);
          kl_error_release (err);
        }
    }
  /* A sandbox removed without a stop still gives its network back. */
  ret = teardown_network (ds, full_id, c, err);
  if (ret < 0)
    return kl_error_wrap (err, "failed to tear down the network of sandbox %s", id);
  if (c)
    {
      ret = docker_container_remove (ds->docker, full_id, true, true, err);
      if (ret < 0 && !kl_error_is (*err, KL_ERROR_NOT_FOUND))
        return kl_error_wrap (err, "failed to remove sandbox %s", id);
      kl_error_release (err);
    }
  ret = ds_checkpoint_remove (ds->checkpoint_dir, full_id, err);
  if (ret < 0)
    return ret;
  *resp = DS_PB_NEW (Runtime__V1__RemovePodSandboxResponse,
                     runtime__v1__remove_pod_sandbox_response__init);
  return 0;
}

int
ds_pod_sandbox_status (ds_service_t *ds, const Runtime__V1__PodSandboxStatusRequest *req,
                       Runtime__V1__PodSandboxStatusResponse **resp, kl_error_t *err)
{
  int ret = check_id (req->pod_sandbox_id, err);
  if (ret < 0)
    return ret;
  cleanup_docker (docker_container_inspect) docker_container_inspect_t *c = NULL;
  ret = ds_inspect_typed (ds, req->pod_sandbox_id, DS_CONTAINER_TYPE_SANDBOX, &c, err);
  if (ret < 0)
    return ret;
  cleanup_checkpoint ds_checkpoint_t *cp = NULL;
  kl_error_t cp_err = NULL;
  if (ds_checkpoint_read (ds->checkpoint_dir, c->id, &cp, &cp_err) < 0)
    kl_error_release (&cp_err);
  cleanup_free char *ip = ds_sandbox_ip (ds, c);
  Runtime__V1__PodSandboxStatus *status = NULL;
  ret = ds_sandbox_status_from_inspect (c, cp, ip, &status, err);
  if (ret < 0)
    return ret;
  Runtime__V1__PodSandboxStatusResponse *r = DS_PB_NEW (
      Runtime__V1__PodSandboxStatusResponse, runtime__v1__pod_sandbox_status_response__init);
  r->status = status;
  if (req->verbose)
    {
      json_t *info = json_pack ("{s:I, s:s, s:s}", "pid", (json_int_t) c->state.pid, "image",
                                c->image, "networkMode", c->host_config.network_mode);
      cleanup_free char *text = json_dumps (info, JSON_COMPACT);
      json_decref (info);
      ds_pb_map_add (&r->info, &r->n_info,
                     &runtime__v1__pod_sandbox_status_response__info_entry__descriptor, "info",
                     text);
    }
  *resp = r;
  return 0;
}

int
ds_list_pod_sandbox (ds_service_t *ds, const Runtime__V1__ListPodSandboxRequest *req,
                     Runtime__V1__ListPodSandboxResponse **resp, kl_error_t *err)
{
  const Runtime__V1__PodSandboxFilter *filter = req->filter;
  ds_list_query_t q = { .type = DS_CONTAINER_TYPE_SANDBOX, .all = true };
  bool only_not_ready = false;
  const char *running[] = { "running", NULL };
  if (filter)
    {
      q.id = filter->id;
      q.label_selector = (ds_pb_kv_t *const *) filter->label_selector;
      q.n_label_selector = filter->n_label_selector;
      if (filter->state && filter->state->state == RUNTIME__V1__POD_SANDBOX_STATE__SANDBOX_READY)
        q.statuses = running;
      else if (filter->state)
        only_not_ready = true;
    }
  /* Listed before Docker is asked, so a sandbox being created now is not
     taken for one known from its checkpoint only. */
  char **checkpoints = NULL;
  size_t n_checkpoints = 0;
  if (filter == NULL)
    {
      kl_error_t list_err = NULL;
      if (ds_checkpoint_list (ds->checkpoint_dir, &checkpoints, &n_checkpoints, &list_err) < 0)
        {
          KL_LOG_WARN ("dockershim: listing checkpoints: %s", kl_error_message (list_err));
          kl_error_release (&list_err);
        }
    }
  cleanup_docker (docker_container_list) docker_container_list_t *list = NULL;
  int ret = ds_list_typed (ds, &q, &list, err);
  if (ret < 0)
    {
      for (size_t i = 0; i < n_checkpoints; i++)
        free (checkpoints[i]);
      free (checkpoints);
      return ret;
    }
  Runtime__V1__ListPodSandboxResponse *r = DS_PB_NEW (Runtime__V1__ListPodSandboxResponse,
                                                      runtime__v1__list_pod_sandbox_response__init);
  for (size_t i = 0; i < list->len; i++)
    {
      Runtime__V1__PodSandbox *s = NULL;
      kl_error_t conv_err = NULL;
      if (ds_sandbox_from_summary (&list->items[i], &s, &conv_err) < 0)
        {
          KL_LOG_V (3, "dockershim: skipping container %s: %s", list->items[i].id,
                    kl_error_message (conv_err));
          kl_error_release (&conv_err);
          continue;
        }
      if (only_not_ready && s->state == RUNTIME__V1__POD_SANDBOX_STATE__SANDBOX_READY)
        {
          protobuf_c_message_free_unpacked (&s->base, NULL);
          continue;
        }
      DS_PB_APPEND (r->items, r->n_items, s);
    }
  for (size_t i = 0; i < n_checkpoints; i++)
    {
      bool known = false;
      for (size_t j = 0; j < list->len && !known; j++)
        known = strcmp (list->items[j].id, checkpoints[i]) == 0;
      cleanup_checkpoint ds_checkpoint_t *cp = NULL;
      kl_error_t cp_err = NULL;
      if (!known && ds_checkpoint_read (ds->checkpoint_dir, checkpoints[i], &cp, &cp_err) == 0)
        DS_PB_APPEND (r->items, r->n_items, ds_sandbox_from_checkpoint (checkpoints[i], cp));
      else if (!known)
        {
          KL_LOG_WARN ("dockershim: %s", kl_error_message (cp_err));
          if (kl_error_is (cp_err, KL_ERROR_INVALID))
            {
              kl_error_t rm_err = NULL;
              if (ds_checkpoint_remove (ds->checkpoint_dir, checkpoints[i], &rm_err) < 0)
                kl_error_release (&rm_err);
            }
          kl_error_release (&cp_err);
        }
      free (checkpoints[i]);
    }
  free (checkpoints);
  *resp = r;
  return 0;
}

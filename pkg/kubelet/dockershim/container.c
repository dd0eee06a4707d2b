/* Containers: create, start, stop, remove, list, status, resources and the CRI log file. */
#include <string.h>

#include "pkg/kubelet/dockershim/checkpoint.h"
#include "pkg/kubelet/dockershim/convert.h"
#include "pkg/kubelet/dockershim/libdocker/containers.h"
#include "pkg/kubelet/dockershim/naming.h"
#include "pkg/kubelet/dockershim/pb.h"
#include "pkg/kubelet/dockershim/service-internal.h"
#include "pkg/util/log.h"
#include "pkg/util/utils.h"

static int
check_id (const char *id, kl_error_t *err)
{
  if (id == NULL || id[0] == '\0')
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "container ID is empty");
  return 0;
}

/* The container a request names: its ID checked, then inspected (and
   NotFound unless it is a container of ours, not a sandbox). */
static int
inspect_request_container (ds_service_t *ds, const char *id, docker_container_inspect_t **c,
                           kl_error_t *err)
{
  int ret = check_id (id, err);
  if (ret < 0)
    return ret;
  return ds_inspect_typed (ds, id, DS_CONTAINER_TYPE_CONTAINER, c, err);
}

int
ds_create_container (ds_service_t *ds, const Runtime__V1__CreateContainerRequest *req,
                     Runtime__V1__CreateContainerResponse **resp, kl_error_t *err)
{
  if (req->config == NULL)
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "container config is nil");
  if (req->sandbox_config == NULL)
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "sandbox config is nil for container %s",
                               req->config->metadata ? req->config->metadata->name : "");
  cleanup_docker (docker_container_inspect) docker_container_inspect_t *sandbox = NULL;
  int ret = ds_inspect_typed (ds, req->pod_sandbox_id, DS_CONTAINER_TYPE_SANDBOX, &sandbox, err);
  if (ret < 0)
    return kl_error_wrap (err, "unable to get the container's sandbox");

  ds_create_context_t ctx;
  ds_service_create_context (ds, &ctx);
  cleanup_free char *name = NULL;
  json_t *body = NULL;
  ret = ds_container_create_body (&ctx, sandbox->id, req->config, req->sandbox_config, &name, &body,
                                  err);
  if (ret < 0)
    return ret;
  /* The sandbox's OCI runtime (a RuntimeClass handler) runs its containers too. */
  cleanup_checkpoint ds_checkpoint_t *cp = NULL;
  kl_error_t cp_err = NULL;
  if (ds_checkpoint_read (ds->checkpoint_dir, sandbox->id, &cp, &cp_err) < 0)
    kl_error_release (&cp_err);
  else if (cp->runtime_handler[0])
    json_object_set_new (json_object_get (body, "HostConfig"), "Runtime",
                         json_string (cp->runtime_handler));
  cleanup_docker (docker_container_create_result) docker_container_create_result_t *created = NULL;
  ret = docker_container_create (ds->docker, name, body, &created, err);
  json_decref (body);
  if (ret < 0)
    return kl_error_wrap (err, "failed to create container %s", req->config->metadata->name);
  for (size_t i = 0; i < created->warnings.len; i++)
    KL_LOG_V (2, "dockershim: create %s: %s", name, created->warnings.items[i]);
  Runtime__V1__CreateContainerResponse *r = DS_PB_NEW (
      Runtime__V1__CreateContainerResponse, runtime__v1__create_container_response__init);
  r->container_id = xstrdup (created->id);
  *resp = r;
  return 0;
}

int
ds_start_container (ds_service_t *ds, const Runtime__V1__StartContainerRequest *req,
                    Runtime__V1__StartContainerResponse **resp, kl_error_t *err)
{
  cleanup_docker (docker_container_inspect) docker_container_inspect_t *c = NULL;
  int ret = inspect_request_container (ds, req->container_id, &c, err);
  if (ret < 0)
    return ret;
  ret = docker_container_start (ds->docker, c->id, err);
  if (ret < 0)
    {
      const char *msg = kl_error_message (*err);
      if (strstr (msg, "executable file not found"))
        {
          kl_error_release (err);
          return kl_make_error_kind (err, KL_ERROR_GENERIC, 0,
                                     "failed to start container %s: executable not found in $PATH",
                                     req->container_id);
        }
      return kl_error_wrap (err, "failed to start container %s", req->container_id);
    }
  /* The CRI log: Docker's json-file log, converted as it grows. */
  docker_container_inspect_free (c);
  c = NULL;
  ret = docker_container_inspect (ds->docker, req->container_id, &c, err);
  if (ret == 0)
    ret = ds_follow_container_logs (ds, c, err);
  if (ret < 0)
    return kl_error_wrap (err, "container %s started, but its log cannot be copied",
                          req->container_id);
  *resp = DS_PB_NEW (Runtime__V1__StartContainerResponse,
                     runtime__v1__start_container_response__init);
  return 0;
}

int
ds_stop_container (ds_service_t *ds, const Runtime__V1__StopContainerRequest *req,
                   Runtime__V1__StopContainerResponse **resp, kl_error_t *err)
{
  cleanup_docker (docker_container_inspect) docker_container_inspect_t *c = NULL;
  int ret = inspect_request_container (ds, req->container_id, &c, err);
  if (ret < 0)
    return ret;
  int timeout = req->timeout < 0 ? 0 : req->timeout > 86400 ? 86400 : (int) req->timeout;
  /* DOCKER_NOT_MODIFIED (it was not running) is success too. */
  ret = docker_container_stop (ds->docker, c->id, timeout, err);
  if (ret < 0)
    return kl_error_wrap (err, "failed to stop container %s", req->container_id);
  *resp
      = DS_PB_NEW (Runtime__V1__StopContainerResponse, runtime__v1__stop_container_response__init);
  return 0;
}

int
ds_remove_container (ds_service_t *ds, const Runtime__V1__RemoveContainerRequest *req,
                     Runtime__V1__RemoveContainerResponse **resp, kl_error_t *err)
{
  cleanup_docker (docker_container_inspect) docker_container_inspect_t *c = NULL;
  int ret = inspect_request_container (ds, req->container_id, &c, err);
  if (ret < 0)
    {
      if (!kl_error_is (*err, KL_ERROR_NOT_FOUND))
        return ret;
      /* Removing what is gone is done (CRI: idempotent). */
      kl_error_release (err);
      ds_forget_container_logs (ds, req->container_id);
      *resp = DS_PB_NEW (Runtime__V1__RemoveContainerResponse,
                         runtime__v1__remove_container_response__init);
      return 0;
    }
  /* The CRI log file stays: it belongs to the kubelet's log directory. */
  ds_log_manager_flush (ds->logs, c->id, err);
  ds_forget_container_logs (ds, c->id);
  ret = docker_container_remove (ds->docker, c->id, true, true, err);
  if (ret < 0 && !kl_error_is (*err, KL_ERROR_NOT_FOUND))
    return kl_error_wrap (err, "failed to remove container %s", req->container_id);
  kl_error_release (err);
  *resp = DS_PB_NEW (Runtime__V1__RemoveContainerResponse,
                     runtime__v1__remove_container_response__init);
  return 0;
}

static const char *
docker_status_for (Runtime__V1__ContainerState state)
{
  switch (state)
    {
    case RUNTIME__V1__CONTAINER_STATE__CONTAINER_CREATED:
      return "created";
    case RUNTIME__V1__CONTAINER_STATE__CONTAINER_RUNNING:
      return "running";
    case RUNTIME__V1__CONTAINER_STATE__CONTAINER_EXITED:
      return "exited";
    default:
      return NULL; /* UNKNOWN: no Docker status; filtered here */
    }
}

int
ds_list_containers (ds_service_t *ds, const Runtime__V1__ListContainersRequest *req,
                    Runtime__V1__ListContainersResponse **resp, kl_error_t *err)
{
  const Runtime__V1__ContainerFilter *filter = req->filter;
  ds_list_query_t q = { .type = DS_CONTAINER_TYPE_CONTAINER, .all = true };
  const char *statuses[2] = { NULL, NULL };
  bool want_unknown = false;
  if (filter)
    {
      q.id = filter->id;
      q.sandbox_id = filter->pod_sandbox_id;
      q.label_selector = (ds_pb_kv_t *const *) filter->label_selector;
      q.n_label_selector = filter->n_label_selector;
      if (filter->state)
        {
          statuses[0] = docker_status_for (filter->state->state);
          if (statuses[0])
            q.statuses = statuses;
          else
            want_unknown = true;
        }
    }
  cleanup_docker (docker_container_list) docker_container_list_t *list = NULL;
  int ret = ds_list_typed (ds, &q, &list, err);
  if (ret < 0)
    return ret;
  Runtime__V1__ListContainersResponse *r = DS_PB_NEW (Runtime__V1__ListContainersResponse,
                                                      runtime__v1__list_containers_response__init);
  for (size_t i = 0; i < list->len; i++)
    {
      Runtime__V1__Container *c = NULL;
      kl_error_t conv_err = NULL;
      if (ds_container_from_summary (&list->items[i], &c, &conv_err) < 0)
        {
          KL_LOG_V (3, "dockershim: skipping container %s: %s", list->items[i].id,
                    kl_error_message (conv_err));
          kl_error_release (&conv_err);
          continue;
        }
      if (want_unknown && c->state != RUNTIME__V1__CONTAINER_STATE__CONTAINER_UNKNOWN)
        {
          protobuf_c_message_free_unpacked (&c->base, NULL);
          continue;
        }
      DS_PB_APPEND (r->containers, r->n_containers, c);
    }
  *resp = r;
  return 0;
}

int
ds_container_status (ds_service_t *ds, const Runtime__V1__ContainerStatusRequest *req,
                     Runtime__V1__ContainerStatusResponse **resp, kl_error_t *err)
{
  cleanup_docker (docker_container_inspect) docker_container_inspect_t *c = NULL;
  int ret = inspect_request_container (ds, req->container_id, &c, err);
  if (ret < 0)
    return ret;
  /* Once the status says "exited", the CRI log holds all of the output. */
  if (!c->state.running)
    ds_log_manager_flush (ds->logs, c->id, err);
  Runtime__V1__ContainerStatus *status = NULL;
  ret = ds_container_status_from_inspect (c, &status, err);
  if (ret < 0)
    return ret;
  Runtime__V1__ContainerStatusResponse *r = DS_PB_NEW (
      Runtime__V1__ContainerStatusResponse, runtime__v1__container_status_response__init);
  r->status = status;
  if (req->verbose)
    {
      json_t *info = json_pack ("{s:s, s:I}", "sandboxID",
                                docker_labels_get (&c->config.labels, DS_LABEL_SANDBOX_ID)
                                    ? docker_labels_get (&c->config.labels, DS_LABEL_SANDBOX_ID)
                                    : "",
                                "pid", (json_int_t) c->state.pid);
      cleanup_free char *text = json_dumps (info, JSON_COMPACT);
      json_decref (info);
      ds_pb_map_add (&r->info, &r->n_info,
                     &runtime__v1__container_status_response__info_entry__descriptor, "info", text);
    }
  *resp = r;
  return 0;
}

int
ds_update_container_resources (ds_service_t *ds,
                               const Runtime__V1__UpdateContainerResourcesRequest *req,
                               Runtime__V1__UpdateContainerResourcesResponse **resp,
                               kl_error_t *err)
{
  cleanup_docker (docker_container_inspect) docker_container_inspect_t *c = NULL;
  int ret = inspect_request_container (ds, req->container_id, &c, err);
  if (ret < 0)
    return ret;
  if (req->linux)
    {
      json_t *body = ds_update_resources_body (req->linux);
      if (json_object_size (body) > 0)
        ret = docker_container_update (ds->docker, c->id, body, err);
      json_decref (body);
      if (ret < 0)
        return kl_error_wrap (err, "failed to update the resources of container %s",
                              req->container_id);
    }
  *resp = DS_PB_NEW (Runtime__V1__UpdateContainerResourcesResponse,
                     runtime__v1__update_container_resources_response__init);
  return 0;
}

int
ds_reopen_container_log (ds_service_t *ds, const Runtime__V1__ReopenContainerLogRequest *req,
                         Runtime__V1__ReopenContainerLogResponse **resp, kl_error_t *err)
{
  cleanup_docker (docker_container_inspect) docker_container_inspect_t *c = NULL;
  int ret = inspect_request_container (ds, req->container_id, &c, err);
  if (ret < 0)
    return ret;
  /* As containerd: only a running container's log is reopened, so that a
     stopped one never gets a new, empty file. */
  if (!c->state.running)
    return kl_make_error_kind (err, KL_ERROR_GENERIC, 0, "container %s is not running",
                               req->container_id);
  ret = ds_log_manager_reopen (ds->logs, c->id, err);
  if (ret < 0)
    return kl_error_wrap (err, "failed to reopen the log of container %s", req->container_id);
  *resp = DS_PB_NEW (Runtime__V1__ReopenContainerLogResponse,
                     runtime__v1__reopen_container_log_response__init);
  return 0;
}

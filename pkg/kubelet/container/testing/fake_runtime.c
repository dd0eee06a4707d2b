/* The in-memory CRI runtime: the CRI methods over the fake's table, as
   containerd would answer them, and the ops table behind kl_runtime_t. */
#include "pkg/kubelet/container/testing/fake_runtime.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/kubelet/container/testing/fake_runtime-internal.h"

/* ---- sandboxes ---- */

static int
run_pod_sandbox_locked (fake_runtime_t *f, const Runtime__V1__RunPodSandboxRequest *req,
                        Runtime__V1__RunPodSandboxResponse **resp, kl_error_t *err)
{
  if (req->config == NULL || req->config->metadata == NULL)
    return fake_error (err, KL_ERROR_INVALID, "RunPodSandbox: config.metadata is required");
  const Runtime__V1__PodSandboxMetadata *meta = req->config->metadata;
  for (size_t i = 0; i < f->n_sandboxes; i++)
    {
      const Runtime__V1__PodSandboxMetadata *m = f->sandboxes[i]->config->metadata;
      if (fake_str_eq (m->name, meta->name) && fake_str_eq (m->namespace_, meta->namespace_)
          && fake_str_eq (m->uid, meta->uid) && m->attempt == meta->attempt)
        return fake_error (err, KL_ERROR_ALREADY_EXISTS,
                           "failed to reserve sandbox name \"%s_%s_%s_%u\": name is reserved "
                           "for %s",
                           meta->name, meta->namespace_, meta->uid, meta->attempt,
                           f->sandboxes[i]->id);
    }
  struct sandbox_s *s = xmalloc0 (sizeof *s);
  uint64_t seq = ++f->sandbox_seq;
  s->id = fake_new_id ("5b", seq);
  s->config = fake_pb_dup (&req->config->base);
  s->runtime_handler = fake_dup_str (req->runtime_handler);
  s->state = RUNTIME__V1__POD_SANDBOX_STATE__SANDBOX_READY;
  s->created_at = fake_creation_stamp (f);
  s->ip = fake_host_network (req->config)
              ? xstrdup ("")
              : xasprintf ("10.0.%" PRIu64 ".%" PRIu64, (seq - 1) / 250, (seq - 1) % 250 + 1);
  APPEND (f->sandboxes, f->n_sandboxes, s);

  Runtime__V1__RunPodSandboxResponse *r = xmalloc (sizeof *r);
  runtime__v1__run_pod_sandbox_response__init (r);
  r->pod_sandbox_id = xstrdup (s->id);
  *resp = r;
  return 0;
}

static int
stop_pod_sandbox_locked (fake_runtime_t *f, const Runtime__V1__StopPodSandboxRequest *req,
                         Runtime__V1__StopPodSandboxResponse **resp, kl_error_t *err)
{
  struct sandbox_s *s = fake_find_sandbox (f, req->pod_sandbox_id, NULL);
  if (s == NULL)
    return fake_error (err, KL_ERROR_NOT_FOUND,
                       "an error occurred when try to find sandbox %s: "
                       "not found",
                       req->pod_sandbox_id);
  for (size_t i = 0; i < f->n_containers; i++)
    if (fake_str_eq (f->containers[i]->sandbox_id, s->id))
      fake_stop_container_locked (f, f->containers[i]);
  s->state = RUNTIME__V1__POD_SANDBOX_STATE__SANDBOX_NOTREADY;
  free (s->ip);
  s->ip = xstrdup ("");
  Runtime__V1__StopPodSandboxResponse *r = xmalloc (sizeof *r);
  runtime__v1__stop_pod_sandbox_response__init (r);
  *resp = r;
  return 0;
}

static int
remove_pod_sandbox_locked (fake_runtime_t *f, const Runtime__V1__RemovePodSandboxRequest *req,
                           Runtime__V1__RemovePodSandboxResponse **resp, kl_error_t *err)
{
  (void) err;
  size_t index;
  struct sandbox_s *s = fake_find_sandbox (f, req->pod_sandbox_id, &index);
  if (s)
    {
      for (size_t i = f->n_containers; i-- > 0;)
        if (fake_str_eq (f->containers[i]->sandbox_id, s->id))
          fake_remove_container_at (f, i);
      fake_sandbox_free (s);
      memmove (&f->sandboxes[index], &f->sandboxes[index + 1],
               (f->n_sandboxes - index - 1) * sizeof *f->sandboxes);
      f->n_sandboxes--;
    }
  Runtime__V1__RemovePodSandboxResponse *r = xmalloc (sizeof *r);
  runtime__v1__remove_pod_sandbox_response__init (r);
  *resp = r;
  return 0;
}

static int
pod_sandbox_status_locked (fake_runtime_t *f, const Runtime__V1__PodSandboxStatusRequest *req,
                           Runtime__V1__PodSandboxStatusResponse **resp, kl_error_t *err)
{
  struct sandbox_s *s = fake_find_sandbox (f, req->pod_sandbox_id, NULL);
  if (s == NULL)
    return fake_error (err, KL_ERROR_NOT_FOUND,
                       "an error occurred when try to find sandbox %s: "
                       "not found",
                       req->pod_sandbox_id);
  Runtime__V1__PodSandboxStatusResponse *r = xmalloc (sizeof *r);
  runtime__v1__pod_sandbox_status_response__init (r);
  r->status = fake_build_sandbox_status (s);
  *resp = r;
  return 0;
}

static int
list_pod_sandbox_locked (fake_runtime_t *f, const Runtime__V1__ListPodSandboxRequest *req,
                         Runtime__V1__ListPodSandboxResponse **resp, kl_error_t *err)
{
  (void) err;
  const Runtime__V1__PodSandboxFilter *filter = req->filter;
  Runtime__V1__ListPodSandboxResponse *r = xmalloc (sizeof *r);
  runtime__v1__list_pod_sandbox_response__init (r);
  for (size_t k = 0; k < f->n_sandboxes; k++)
    {
      size_t i = f->reverse_lists ? f->n_sandboxes - 1 - k : k;
      const struct sandbox_s *s = f->sandboxes[i];
      if (filter)
        {
          if (filter->id && filter->id[0] && !fake_str_eq (filter->id, s->id))
            continue;
          if (filter->state && filter->state->state != s->state)
            continue;
          if (!fake_labels_match ((void *const *) s->config->labels, s->config->n_labels,
                                  (void *const *) filter->label_selector, filter->n_label_selector))
            continue;
        }
      APPEND (r->items, r->n_items, fake_build_sandbox_item (s));
    }
  *resp = r;
  return 0;
}

/* ---- containers ---- */

static int
create_container_locked (fake_runtime_t *f, const Runtime__V1__CreateContainerRequest *req,
                         Runtime__V1__CreateContainerResponse **resp, kl_error_t *err)
{
  struct sandbox_s *s = fake_find_sandbox (f, req->pod_sandbox_id, NULL);
  if (s == NULL)
    return fake_error (err, KL_ERROR_NOT_FOUND, "failed to find sandbox id %s: not found",
                       req->pod_sandbox_id);
  const Runtime__V1__ContainerConfig *config = req->config;
  if (config == NULL || config->metadata == NULL || config->image == NULL)
    return fake_error (err, KL_ERROR_INVALID,
                       "CreateContainer: config.metadata and config.image are required");
  struct image_s *image = fake_find_image (f, config->image->image);
  if (image == NULL)
    return fake_error (err, KL_ERROR_NOT_FOUND, "failed to get image \"%s\": not found",
                       config->image->image);
  for (size_t i = 0; i < f->n_containers; i++)
    {
      const struct container_s *c = f->containers[i];
      if (fake_str_eq (c->sandbox_id, s->id)
          && fake_str_eq (c->config->metadata->name, config->metadata->name)
          && c->config->metadata->attempt == config->metadata->attempt)
        return fake_error (err, KL_ERROR_ALREADY_EXISTS,
                           "failed to reserve container name \"%s_%s_%u\": name is reserved "
                           "for %s",
                           config->metadata->name, s->config->metadata->name,
                           config->metadata->attempt, c->id);
    }

  struct container_s *c = xmalloc0 (sizeof *c);
  c->id = fake_new_id ("c0", ++f->container_seq);
  c->sandbox_id = xstrdup (s->id);
  c->config = fake_pb_dup (&config->base);
  c->image_ref = xstrdup (image->id);
  const char *dir = s->config->log_directory;
  const char *path = config->log_path;
  if (dir && dir[0] && path && path[0])
    c->log_path = xasprintf ("%s/%s", dir, path);
  else
    c->log_path = fake_dup_str (path);
  c->state = RUNTIME__V1__CONTAINER_STATE__CONTAINER_CREATED;
  c->stop_timeout = -1;
  c->created_at = fake_creation_stamp (f);
  APPEND (f->containers, f->n_containers, c);

  Runtime__V1__CreateContainerResponse *r = xmalloc (sizeof *r);
  runtime__v1__create_container_response__init (r);
  r->container_id = xstrdup (c->id);
  *resp = r;
  return 0;
}

static int
start_container_locked (fake_runtime_t *f, const Runtime__V1__StartContainerRequest *req,
                        Runtime__V1__StartContainerResponse **resp, kl_error_t *err)
{
  struct container_s *c = fake_find_container (f, req->container_id, NULL);
  if (c == NULL)
    return fake_error (err, KL_ERROR_NOT_FOUND,
                       "an error occurred when try to find container "
                       "%s: not found",
                       req->container_id);
  if (c->state != RUNTIME__V1__CONTAINER_STATE__CONTAINER_CREATED)
    return fake_error (
        err, KL_ERROR_GENERIC, "container %s is in %s state, not created", c->id,
        protobuf_c_enum_descriptor_get_value (&runtime__v1__container_state__descriptor, c->state)
            ->name);
  struct sandbox_s *s = fake_find_sandbox (f, c->sandbox_id, NULL);
  if (s == NULL || s->state != RUNTIME__V1__POD_SANDBOX_STATE__SANDBOX_READY)
    return fake_error (err, KL_ERROR_GENERIC, "sandbox container %s is not running", c->sandbox_id);
  c->state = RUNTIME__V1__CONTAINER_STATE__CONTAINER_RUNNING;
  c->started_at = fake_clock_now (f);
  Runtime__V1__StartContainerResponse *r = xmalloc (sizeof *r);
  runtime__v1__start_container_response__init (r);
  *resp = r;
  return 0;
}

static int
stop_container_op_locked (fake_runtime_t *f, const Runtime__V1__StopContainerRequest *req,
                          Runtime__V1__StopContainerResponse **resp, kl_error_t *err)
{
  struct container_s *c = fake_find_container (f, req->container_id, NULL);
  if (c == NULL)
    return fake_error (err, KL_ERROR_NOT_FOUND,
                       "an error occurred when try to find container "
                       "%s: not found",
                       req->container_id);
  c->stop_timeout = req->timeout;
  fake_stop_container_locked (f, c);
  Runtime__V1__StopContainerResponse *r = xmalloc (sizeof *r);
  runtime__v1__stop_container_response__init (r);
  *resp = r;
  return 0;
}

static int
remove_container_locked (fake_runtime_t *f, const Runtime__V1__RemoveContainerRequest *req,
                         Runtime__V1__RemoveContainerResponse **resp, kl_error_t *err)
{
  (void) err;
  size_t index;
  struct container_s *c = fake_find_container (f, req->container_id, &index);
  if (c)
    {
      fake_stop_container_locked (f, c);
      fake_remove_container_at (f, index);
    }
  Runtime__V1__RemoveContainerResponse *r = xmalloc (sizeof *r);
  runtime__v1__remove_container_response__init (r);
  *resp = r;
  return 0;
}

static int
list_containers_locked (fake_runtime_t *f, const Runtime__V1__ListContainersRequest *req,
                        Runtime__V1__ListContainersResponse **resp, kl_error_t *err)
{
  (void) err;
  const Runtime__V1__ContainerFilter *filter = req->filter;
  Runtime__V1__ListContainersResponse *r = xmalloc (sizeof *r);
  runtime__v1__list_containers_response__init (r);
  for (size_t k = 0; k < f->n_containers; k++)
    {
      size_t i = f->reverse_lists ? f->n_containers - 1 - k : k;
      const struct container_s *c = f->containers[i];
      if (filter)
        {
          if (filter->id && filter->id[0] && !fake_str_eq (filter->id, c->id))
            continue;
          if (filter->state && filter->state->state != c->state)
            continue;
          if (filter->pod_sandbox_id && filter->pod_sandbox_id[0]
              && !fake_str_eq (filter->pod_sandbox_id, c->sandbox_id))
            continue;
          if (!fake_labels_match ((void *const *) c->config->labels, c->config->n_labels,
                                  (void *const *) filter->label_selector, filter->n_label_selector))
            continue;
        }
      APPEND (r->containers, r->n_containers, fake_build_container_item (c));
    }
  *resp = r;
  return 0;
}

static int
container_status_locked (fake_runtime_t *f, const Runtime__V1__ContainerStatusRequest *req,
                         Runtime__V1__ContainerStatusResponse **resp, kl_error_t *err)
{
  struct container_s *c = fake_find_container (f, req->container_id, NULL);
  if (c == NULL)
    return fake_error (err, KL_ERROR_NOT_FOUND,
                       "an error occurred when try to find container "
                       "%s: not found",
                       req->container_id);
  Runtime__V1__ContainerStatusResponse *r = xmalloc (sizeof *r);
  runtime__v1__container_status_response__init (r);
  r->status = fake_build_container_status (c);
  *resp = r;
  return 0;
}

/* ---- images ---- */

static int
image_status_locked (fake_runtime_t *f, const Runtime__V1__ImageStatusRequest *req,
                     Runtime__V1__ImageStatusResponse **resp, kl_error_t *err)
{
  if (req->image == NULL)
    return fake_error (err, KL_ERROR_INVALID, "ImageStatus: image is required");
  Runtime__V1__ImageStatusResponse *r = xmalloc (sizeof *r);
  runtime__v1__image_status_response__init (r);
  const struct image_s *image = fake_find_image (f, req->image->image);
  if (image)
    {
      Runtime__V1__Image *i = xmalloc (sizeof *i);
      runtime__v1__image__init (i);
      i->id = xstrdup (image->id);
      i->repo_tags = xmalloc (sizeof *i->repo_tags);
      i->repo_tags[0] = xstrdup (image->name);
      i->n_repo_tags = 1;
      i->size = 1024 * 1024;
      r->image = i;
    }
  *resp = r;
  return 0;
}

static int
pull_image_locked (fake_runtime_t *f, const Runtime__V1__PullImageRequest *req,
                   Runtime__V1__PullImageResponse **resp, kl_error_t *err)
{
  if (req->image == NULL || req->image->image == NULL || req->image->image[0] == '\0')
    return fake_error (err, KL_ERROR_INVALID, "PullImage: image is required");
  const char *name = req->image->image;
  for (size_t i = 0; i < f->n_pull_errors; i++)
    if (fake_str_eq (f->pull_errors[i].image, name))
      return fake_error (err, f->pull_errors[i].kind, "failed to pull and unpack image \"%s\": %s",
                         name, f->pull_errors[i].message);
  const struct image_s *image = fake_add_image_locked (f, name);
  Runtime__V1__PullImageResponse *r = xmalloc (sizeof *r);
  runtime__v1__pull_image_response__init (r);
  r->image_ref = xstrdup (image->id);
  *resp = r;
  return 0;
}

/* ---- exec, version, status ---- */

static ProtobufCBinaryData
bytes_of (const char *s)
{
  ProtobufCBinaryData b = { 0, NULL };
  if (s && s[0])
    {
      b.len = strlen (s);
      b.data = xmalloc (b.len);
      memcpy (b.data, s, b.len);
    }
  return b;
}

static int
exec_sync_locked (fake_runtime_t *f, const Runtime__V1__ExecSyncRequest *req,
                  Runtime__V1__ExecSyncResponse **resp, kl_error_t *err)
{
  struct container_s *c = fake_find_container (f, req->container_id, NULL);
  if (c == NULL)
    return fake_error (err, KL_ERROR_NOT_FOUND,
                       "an error occurred when try to find container "
                       "%s: not found",
                       req->container_id);
  if (c->state != RUNTIME__V1__CONTAINER_STATE__CONTAINER_RUNNING)
    return fake_error (err, KL_ERROR_GENERIC, "container %s is not running", c->id);
  if (req->n_cmd == 0)
    return fake_error (err, KL_ERROR_INVALID, "ExecSync: cmd is required");
  const struct exec_result_s *result = NULL;
  for (size_t i = 0; i < f->n_exec_results; i++)
    if (fake_str_eq (f->exec_results[i].command, req->cmd[0]))
      result = &f->exec_results[i];
  Runtime__V1__ExecSyncResponse *r = xmalloc (sizeof *r);
  runtime__v1__exec_sync_response__init (r);
  if (result)
    {
      r->exit_code = result->exit_code;
      r->stdout = bytes_of (result->out);
      r->stderr = bytes_of (result->err_out);
    }
  *resp = r;
  return 0;
}

static int
version_locked (fake_runtime_t *f, const Runtime__V1__VersionRequest *req,
                Runtime__V1__VersionResponse **resp, kl_error_t *err)
{
  (void) f;
  (void) req;
  (void) err;
  Runtime__V1__VersionResponse *r = xmalloc (sizeof *r);
  runtime__v1__version_response__init (r);
  r->version = xstrdup ("0.1.0");
  r->runtime_name = xstrdup ("fake");
  r->runtime_version = xstrdup ("0.1.0");
  r->runtime_api_version = xstrdup ("v1");
  *resp = r;
  return 0;
}

static Runtime__V1__RuntimeCondition *
condition (const char *type)
{
  Runtime__V1__RuntimeCondition *c = xmalloc (sizeof *c);
  runtime__v1__runtime_condition__init (c);
  c->type = xstrdup (type);
  c->status = 1;
  return c;
}

static int
status_locked (fake_runtime_t *f, const Runtime__V1__StatusRequest *req,
               Runtime__V1__StatusResponse **resp, kl_error_t *err)
{
  (void) f;
  (void) req;
  (void) err;
  Runtime__V1__StatusResponse *r = xmalloc (sizeof *r);
  runtime__v1__status_response__init (r);
  r->status = xmalloc (sizeof *r->status);
  runtime__v1__runtime_status__init (r->status);
  r->status->conditions = xmalloc (2 * sizeof *r->status->conditions);
  r->status->conditions[0] = condition ("RuntimeReady");
  r->status->conditions[1] = condition ("NetworkReady");
  r->status->n_conditions = 2;
  *resp = r;
  return 0;
}

/* ---- the ops table ---- */

/* Each implemented op: lock, log, maybe fail as scripted, then the body. */
#define FAKE_OP(fn, Method, Request, Response, body)                                               \
  static int fake_##fn (void *self, const Runtime__V1__##Request *request,                         \
                        Runtime__V1__##Response **response, kl_error_t *err)                       \
  {                                                                                                \
    fake_runtime_t *f = self;                                                                      \
    pthread_mutex_lock (&f->lock);                                                                 \
    int ret = fake_begin_call (f, #Method, err);                                                   \
    if (ret == 0)                                                                                  \
      ret = body (f, request, response, err);                                                      \
    pthread_mutex_unlock (&f->lock);                                                               \
    return ret;                                                                                    \
  }

FAKE_OP (version, Version, VersionRequest, VersionResponse, version_locked)
FAKE_OP (run_pod_sandbox, RunPodSandbox, RunPodSandboxRequest, RunPodSandboxResponse,
         run_pod_sandbox_locked)
FAKE_OP (stop_pod_sandbox, StopPodSandbox, StopPodSandboxRequest, StopPodSandboxResponse,
         stop_pod_sandbox_locked)
FAKE_OP (remove_pod_sandbox, RemovePodSandbox, RemovePodSandboxRequest, RemovePodSandboxResponse,
         remove_pod_sandbox_locked)
FAKE_OP (pod_sandbox_status, PodSandboxStatus, PodSandboxStatusRequest, PodSandboxStatusResponse,
         pod_sandbox_status_locked)
FAKE_OP (list_pod_sandbox, ListPodSandbox, ListPodSandboxRequest, ListPodSandboxResponse,
         list_pod_sandbox_locked)
FAKE_OP (create_container, CreateContainer, CreateContainerRequest, CreateContainerResponse,
         create_container_locked)
FAKE_OP (start_container, StartContainer, StartContainerRequest, StartContainerResponse,
         start_container_locked)
FAKE_OP (stop_container, StopContainer, StopContainerRequest, StopContainerResponse,
         stop_container_op_locked)
FAKE_OP (remove_container, RemoveContainer, RemoveContainerRequest, RemoveContainerResponse,
         remove_container_locked)
FAKE_OP (list_containers, ListContainers, ListContainersRequest, ListContainersResponse,
         list_containers_locked)
FAKE_OP (container_status, ContainerStatus, ContainerStatusRequest, ContainerStatusResponse,
         container_status_locked)
FAKE_OP (image_status, ImageStatus, ImageStatusRequest, ImageStatusResponse, image_status_locked)
FAKE_OP (exec_sync, ExecSync, ExecSyncRequest, ExecSyncResponse, exec_sync_locked)
FAKE_OP (status, Status, StatusRequest, StatusResponse, status_locked)
#undef FAKE_OP

static int
fake_pull_image (void *self, const Runtime__V1__PullImageRequest *request, int64_t timeout_ns,
                 Runtime__V1__PullImageResponse **response, kl_error_t *err)
{
  (void) timeout_ns;
  fake_runtime_t *f = self;
  pthread_mutex_lock (&f->lock);
  int ret = fake_begin_call (f, "PullImage", err);
  if (ret == 0)
    ret = pull_image_locked (f, request, response, err);
  pthread_mutex_unlock (&f->lock);
  return ret;
}

/* Every CRI method starts out as this; fake_runtime_new () puts the
   implemented ones over it. */
#define FAKE_UNIMPLEMENTED(fn, Method, Service, Request, Response, desc)                           \
  static int unimplemented_##fn (void *self, const Runtime__V1__##Request *request,                \
                                 Runtime__V1__##Response **response, kl_error_t *err)              \
  {                                                                                                \
    (void) request;                                                                                \
    (void) response;                                                                               \
    fake_runtime_t *f = self;                                                                      \
    pthread_mutex_lock (&f->lock);                                                                 \
    int ret = fake_begin_call (f, #Method, err);                                                   \
    if (ret == 0)                                                                                  \
      ret = kl_make_error_kind (err, KL_ERROR_GENERIC, KL_GRPC_UNIMPLEMENTED,                      \
                                "fake runtime: " #Method " is not implemented in the fake");       \
    pthread_mutex_unlock (&f->lock);                                                               \
    return ret;                                                                                    \
  }
KL_CRI_UNARY_METHODS (FAKE_UNIMPLEMENTED)
#undef FAKE_UNIMPLEMENTED

static void
fake_free (void *self)
{
  fake_runtime_t *f = self;
  for (size_t i = 0; i < f->n_sandboxes; i++)
    fake_sandbox_free (f->sandboxes[i]);
  free (f->sandboxes);
  for (size_t i = 0; i < f->n_containers; i++)
    fake_container_free (f->containers[i]);
  free (f->containers);
  for (size_t i = 0; i < f->n_images; i++)
    {
      free (f->images[i].name);
      free (f->images[i].id);
    }
  free (f->images);
  for (size_t i = 0; i < f->n_pull_errors; i++)
    {
      free (f->pull_errors[i].image);
      free (f->pull_errors[i].message);
    }
  free (f->pull_errors);
  for (size_t i = 0; i < f->n_exec_results; i++)
    {
      free (f->exec_results[i].command);
      free (f->exec_results[i].out);
      free (f->exec_results[i].err_out);
    }
  free (f->exec_results);
  for (size_t i = 0; i < f->n_stop_results; i++)
    {
      free (f->stop_results[i].name);
      free (f->stop_results[i].reason);
    }
  free (f->stop_results);
  for (size_t i = 0; i < f->n_failures; i++)
    free (f->failures[i].method);
  free (f->failures);
  for (size_t i = 0; i < f->n_calls; i++)
    free (f->calls[i]);
  free (f->calls);
  pthread_mutex_destroy (&f->lock);
  free (f);
}

kl_runtime_t *
fake_runtime_new (fake_runtime_t **handle)
{
  fake_runtime_t *f = xmalloc0 (sizeof *f);
  pthread_mutex_init (&f->lock, NULL);
#define FAKE_SET_UNIMPLEMENTED(fn, Method, Service, Request, Response, desc)                       \
  f->ops.fn = unimplemented_##fn;
  KL_CRI_UNARY_METHODS (FAKE_SET_UNIMPLEMENTED)
#undef FAKE_SET_UNIMPLEMENTED
  f->ops.version = fake_version;
  f->ops.run_pod_sandbox = fake_run_pod_sandbox;
  f->ops.stop_pod_sandbox = fake_stop_pod_sandbox;
  f->ops.remove_pod_sandbox = fake_remove_pod_sandbox;
  f->ops.pod_sandbox_status = fake_pod_sandbox_status;
  f->ops.list_pod_sandbox = fake_list_pod_sandbox;
  f->ops.create_container = fake_create_container;
  f->ops.start_container = fake_start_container;
  f->ops.stop_container = fake_stop_container;
  f->ops.remove_container = fake_remove_container;
  f->ops.list_containers = fake_list_containers;
  f->ops.container_status = fake_container_status;
  f->ops.image_status = fake_image_status;
  f->ops.status = fake_status;
  f->ops.pull_image = fake_pull_image;
  f->ops.exec_sync = fake_exec_sync;
  f->ops.free = fake_free;

  kl_runtime_t *rt = xmalloc0 (sizeof *rt);
  rt->ops = &f->ops;
  rt->self = f;
  rt->type = "fake";
  if (handle)
    *handle = f;
  return rt;
}

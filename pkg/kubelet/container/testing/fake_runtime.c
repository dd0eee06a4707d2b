/* The in-memory CRI runtime: a table of sandboxes, containers and images
   behind the kl_runtime_t ops, answering as containerd would. */
#include "pkg/kubelet/container/testing/fake_runtime.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pkg/util/grpc/grpc.h"
#include "pkg/util/utils.h"

#define DEFAULT_STOP_EXIT_CODE 137
#define DEFAULT_STOP_REASON "Error"

/* protobuf-c generates one entry type per map field, all laid out alike. */
typedef struct
{
  ProtobufCMessage base;
  char *key;
  char *value;
} map_entry_t;

struct sandbox_s
{
  char *id;
  Runtime__V1__PodSandboxConfig *config; /* a deep copy, metadata set */
  char *runtime_handler;
  Runtime__V1__PodSandboxState state;
  int64_t created_at;
  char *ip; /* "" on the host network and once stopped */
};

struct container_s
{
  char *id;
  char *sandbox_id;
  Runtime__V1__ContainerConfig *config; /* a deep copy, metadata and image set */
  char *image_ref;
  char *log_path;
  Runtime__V1__ContainerState state;
  int64_t created_at, started_at, finished_at;
  int32_t exit_code;
  char *reason;
  char *message;
};

struct image_s
{
  char *name;
  char *id;
};

struct pull_error_s
{
  char *image;
  enum kl_error_kind kind;
  char *message;
};

struct exec_result_s
{
  char *command;
  int exit_code;
  char *out;
  char *err_out;
};

struct stop_result_s
{
  char *name; /* NULL: the default */
  int exit_code;
  char *reason;
};

struct pending_failure_s
{
  char *method;
  enum kl_error_kind kind;
};

struct fake_runtime_s
{
  struct kl_runtime_ops_s ops;

  pthread_mutex_t lock; /* guards every field below */
  fake_runtime_clock_fn now;
  void *clock_ctx;
  int64_t last_created; /* created_at strictly increases */
  bool down;
  uint64_t sandbox_seq, container_seq;

  struct sandbox_s **sandboxes; /* creation order */
  size_t n_sandboxes;
  struct container_s **containers; /* creation order */
  size_t n_containers;
  struct image_s *images;
  size_t n_images;
  struct pull_error_s *pull_errors;
  size_t n_pull_errors;
  struct exec_result_s *exec_results;
  size_t n_exec_results;
  struct stop_result_s *stop_results;
  size_t n_stop_results;
  struct pending_failure_s *failures;
  size_t n_failures;
  char **calls;
  size_t n_calls;
};

#define APPEND(array, n, item)                                                                     \
  do                                                                                               \
    {                                                                                              \
      (array) = xrealloc ((array), ((n) + 1) * sizeof *(array));                                   \
      (array)[(n)++] = (item);                                                                     \
    }                                                                                              \
  while (0)

/* ---- helpers ---- */

static char *
dup_str (const char *s)
{
  return xstrdup (s ? s : "");
}

static bool
str_eq (const char *a, const char *b)
{
  return strcmp (a ? a : "", b ? b : "") == 0;
}

/* A deep copy that protobuf_c_message_free_unpacked () frees. */
static void *
pb_dup (const ProtobufCMessage *m)
{
  if (m == NULL)
    return NULL;
  size_t len = protobuf_c_message_get_packed_size (m);
  uint8_t *buf = xmalloc (len ? len : 1);
  protobuf_c_message_pack (m, buf);
  ProtobufCMessage *copy = protobuf_c_message_unpack (m->descriptor, NULL, len, buf);
  free (buf);
  if (copy == NULL)
    kl_oom ();
  return copy;
}

static void
pb_free (void *m)
{
  if (m)
    protobuf_c_message_free_unpacked (m, NULL);
}

/* A malloc'd copy of map entries as entries of type `desc`. */
static void *
map_copy (void *const *src, size_t n, const ProtobufCMessageDescriptor *desc)
{
  if (n == 0)
    return NULL;
  map_entry_t **out = xmalloc (n * sizeof *out);
  for (size_t i = 0; i < n; i++)
    {
      const map_entry_t *s = src[i];
      map_entry_t *e = xmalloc (desc->sizeof_message);
      protobuf_c_message_init (desc, e);
      e->key = dup_str (s->key);
      e->value = dup_str (s->value);
      out[i] = e;
    }
  return out;
}

static const char *
map_get (void *const *entries, size_t n, const char *key)
{
  for (size_t i = 0; i < n; i++)
    {
      const map_entry_t *e = entries[i];
      if (str_eq (e->key, key))
        return e->value ? e->value : "";
    }
  return NULL;
}

/* Every selector entry has its value among the labels. */
static bool
labels_match (void *const *labels, size_t n_labels, void *const *selector, size_t n_selector)
{
  for (size_t i = 0; i < n_selector; i++)
    {
      const map_entry_t *want = selector[i];
      const char *have = map_get (labels, n_labels, want->key);
      if (have == NULL || !str_eq (have, want->value))
        return false;
    }
  return true;
}

static int
grpc_status_for (enum kl_error_kind kind)
{
  switch (kind)
    {
    case KL_ERROR_NOT_FOUND:
      return KL_GRPC_NOT_FOUND;
    case KL_ERROR_INVALID:
      return KL_GRPC_INVALID_ARGUMENT;
    case KL_ERROR_UNAVAILABLE:
      return KL_GRPC_UNAVAILABLE;
    case KL_ERROR_TIMEOUT:
      return KL_GRPC_DEADLINE_EXCEEDED;
    case KL_ERROR_ALREADY_EXISTS:
      return KL_GRPC_ALREADY_EXISTS;
    case KL_ERROR_GENERIC:
    default:
      return KL_GRPC_UNKNOWN;
    }
}

#define fake_error(err, kind, ...)                                                                 \
  kl_make_error_kind ((err), (kind), grpc_status_for (kind), __VA_ARGS__)

static int64_t
clock_now (fake_runtime_t *f)
{
  if (f->now)
    return f->now (f->clock_ctx);
  struct timespec ts;
  clock_gettime (CLOCK_REALTIME, &ts);
  return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int64_t
creation_stamp (fake_runtime_t *f)
{
  int64_t t = clock_now (f);
  if (t <= f->last_created)
    t = f->last_created + 1;
  f->last_created = t;
  return t;
}

static uint64_t
fnv1a (const char *s, uint64_t seed)
{
  uint64_t h = 14695981039346656037ULL ^ seed;
  for (; *s; s++)
    {
      h ^= (unsigned char) *s;
      h *= 1099511628211ULL;
    }
  return h;
}

static char *
image_id_for (const char *name)
{
  return xasprintf ("sha256:%016" PRIx64 "%016" PRIx64 "%016" PRIx64 "%016" PRIx64,
                    fnv1a (name, 1), fnv1a (name, 2), fnv1a (name, 3), fnv1a (name, 4));
}

/* 64 hex digits whose first twelve (what logs show) tell them apart. */
static char *
new_id (const char *tag, uint64_t seq)
{
  return xasprintf ("%s%010" PRIx64 "%016" PRIx64 "%016" PRIx64 "%020" PRIx64, tag, seq,
                    (uint64_t) 0, (uint64_t) 0, (uint64_t) 0);
}

static struct sandbox_s *
find_sandbox (fake_runtime_t *f, const char *id, size_t *index)
{
  for (size_t i = 0; i < f->n_sandboxes; i++)
    if (str_eq (f->sandboxes[i]->id, id))
      {
        if (index)
          *index = i;
        return f->sandboxes[i];
      }
  return NULL;
}

static struct container_s *
find_container (fake_runtime_t *f, const char *id, size_t *index)
{
  for (size_t i = 0; i < f->n_containers; i++)
    if (str_eq (f->containers[i]->id, id))
      {
        if (index)
          *index = i;
        return f->containers[i];
      }
  return NULL;
}

static struct image_s *
find_image (fake_runtime_t *f, const char *name_or_id)
{
  if (name_or_id == NULL || name_or_id[0] == '\0')
    return NULL;
  for (size_t i = 0; i < f->n_images; i++)
    if (str_eq (f->images[i].name, name_or_id) || str_eq (f->images[i].id, name_or_id))
      return &f->images[i];
  return NULL;
}

static struct image_s *
add_image_locked (fake_runtime_t *f, const char *name)
{
  struct image_s *found = find_image (f, name);
  if (found)
    return found;
  struct image_s image = { .name = xstrdup (name), .id = image_id_for (name) };
  APPEND (f->images, f->n_images, image);
  return &f->images[f->n_images - 1];
}

static void
sandbox_free (struct sandbox_s *s)
{
  free (s->id);
  pb_free (s->config);
  free (s->runtime_handler);
  free (s->ip);
  free (s);
}

static void
container_free (struct container_s *c)
{
  free (c->id);
  free (c->sandbox_id);
  pb_free (c->config);
  free (c->image_ref);
  free (c->log_path);
  free (c->reason);
  free (c->message);
  free (c);
}

static void
remove_container_at (fake_runtime_t *f, size_t i)
{
  container_free (f->containers[i]);
  memmove (&f->containers[i], &f->containers[i + 1],
           (f->n_containers - i - 1) * sizeof *f->containers);
  f->n_containers--;
}

static void
set_exited (fake_runtime_t *f, struct container_s *c, int exit_code, const char *reason)
{
  c->state = RUNTIME__V1__CONTAINER_STATE__CONTAINER_EXITED;
  c->exit_code = exit_code;
  c->finished_at = clock_now (f);
  free (c->reason);
  c->reason = xstrdup (reason ? reason : (exit_code == 0 ? "Completed" : "Error"));
}

/* Stops a running container as StopContainer does. */
static void
stop_container_locked (fake_runtime_t *f, struct container_s *c)
{
  if (c->state != RUNTIME__V1__CONTAINER_STATE__CONTAINER_RUNNING
      && c->state != RUNTIME__V1__CONTAINER_STATE__CONTAINER_UNKNOWN)
    return;
  const struct stop_result_s *result = NULL;
  const char *name = c->config->metadata->name;
  for (size_t i = 0; i < f->n_stop_results; i++)
    if (f->stop_results[i].name && str_eq (f->stop_results[i].name, name))
      result = &f->stop_results[i];
  if (result == NULL)
    for (size_t i = 0; i < f->n_stop_results; i++)
      if (f->stop_results[i].name == NULL)
        result = &f->stop_results[i];
  set_exited (f, c, result ? result->exit_code : DEFAULT_STOP_EXIT_CODE,
              result ? result->reason : DEFAULT_STOP_REASON);
}

static bool
host_network (const Runtime__V1__PodSandboxConfig *config)
{
  return config->linux && config->linux->security_context
         && config->linux->security_context->namespace_options
         && config->linux->security_context->namespace_options->network
                == RUNTIME__V1__NAMESPACE_MODE__NODE;
}

/* Logs the call and decides whether it fails before doing anything. */
static int
begin_call (fake_runtime_t *f, const char *method, kl_error_t *err)
{
  APPEND (f->calls, f->n_calls, xstrdup (method));
  if (f->down)
    return fake_error (err, KL_ERROR_UNAVAILABLE,
                       "rpc error: code = Unavailable desc = fake runtime is down (%s)", method);
  for (size_t i = 0; i < f->n_failures; i++)
    if (strcmp (f->failures[i].method, method) == 0)
      {
        enum kl_error_kind kind = f->failures[i].kind;
        free (f->failures[i].method);
        memmove (&f->failures[i], &f->failures[i + 1],
                 (f->n_failures - i - 1) * sizeof *f->failures);
        f->n_failures--;
        return fake_error (err, kind, "fake runtime: %s failed as scripted", method);
      }
  return 0;
}

/* ---- response builders (every part malloc'd) ---- */

static Runtime__V1__ImageSpec *
image_spec (const char *image)
{
  Runtime__V1__ImageSpec *spec = xmalloc (sizeof *spec);
  runtime__v1__image_spec__init (spec);
  spec->image = dup_str (image);
  return spec;
}

static Runtime__V1__PodSandbox *
sandbox_item (const struct sandbox_s *s)
{
  Runtime__V1__PodSandbox *p = xmalloc (sizeof *p);
  runtime__v1__pod_sandbox__init (p);
  p->id = xstrdup (s->id);
  p->metadata = pb_dup (&s->config->metadata->base);
  p->state = s->state;
  p->created_at = s->created_at;
  p->labels = map_copy ((void *const *) s->config->labels, s->config->n_labels,
                        &runtime__v1__pod_sandbox__labels_entry__descriptor);
  p->n_labels = s->config->n_labels;
  p->annotations = map_copy ((void *const *) s->config->annotations, s->config->n_annotations,
                             &runtime__v1__pod_sandbox__annotations_entry__descriptor);
  p->n_annotations = s->config->n_annotations;
  p->runtime_handler = dup_str (s->runtime_handler);
  return p;
}

static Runtime__V1__PodSandboxStatus *
sandbox_status (const struct sandbox_s *s)
{
  Runtime__V1__PodSandboxStatus *st = xmalloc (sizeof *st);
  runtime__v1__pod_sandbox_status__init (st);
  st->id = xstrdup (s->id);
  st->metadata = pb_dup (&s->config->metadata->base);
  st->state = s->state;
  st->created_at = s->created_at;
  st->network = xmalloc (sizeof *st->network);
  runtime__v1__pod_sandbox_network_status__init (st->network);
  st->network->ip = dup_str (s->ip);
  if (s->config->linux && s->config->linux->security_context
      && s->config->linux->security_context->namespace_options)
    {
      st->linux = xmalloc (sizeof *st->linux);
      runtime__v1__linux_pod_sandbox_status__init (st->linux);
      st->linux->namespaces = xmalloc (sizeof *st->linux->namespaces);
      runtime__v1__namespace__init (st->linux->namespaces);
      st->linux->namespaces->options
          = pb_dup (&s->config->linux->security_context->namespace_options->base);
    }
  st->labels = map_copy ((void *const *) s->config->labels, s->config->n_labels,
                         &runtime__v1__pod_sandbox_status__labels_entry__descriptor);
  st->n_labels = s->config->n_labels;
  st->annotations = map_copy ((void *const *) s->config->annotations, s->config->n_annotations,
                              &runtime__v1__pod_sandbox_status__annotations_entry__descriptor);
  st->n_annotations = s->config->n_annotations;
  st->runtime_handler = dup_str (s->runtime_handler);
  return st;
}

static Runtime__V1__Container *
container_item (const struct container_s *c)
{
  Runtime__V1__Container *p = xmalloc (sizeof *p);
  runtime__v1__container__init (p);
  p->id = xstrdup (c->id);
  p->pod_sandbox_id = xstrdup (c->sandbox_id);
  p->metadata = pb_dup (&c->config->metadata->base);
  p->image = image_spec (c->config->image->image);
  p->image_ref = dup_str (c->image_ref);
  p->state = c->state;
  p->created_at = c->created_at;
  p->labels = map_copy ((void *const *) c->config->labels, c->config->n_labels,
                        &runtime__v1__container__labels_entry__descriptor);
  p->n_labels = c->config->n_labels;
  p->annotations = map_copy ((void *const *) c->config->annotations, c->config->n_annotations,
                             &runtime__v1__container__annotations_entry__descriptor);
  p->n_annotations = c->config->n_annotations;
  return p;
}

static Runtime__V1__ContainerStatus *
container_status (const struct container_s *c)
{
  Runtime__V1__ContainerStatus *st = xmalloc (sizeof *st);
  runtime__v1__container_status__init (st);
  st->id = xstrdup (c->id);
  st->metadata = pb_dup (&c->config->metadata->base);
  st->state = c->state;
  st->created_at = c->created_at;
  st->started_at = c->started_at;
  st->finished_at = c->finished_at;
  st->exit_code = c->exit_code;
  st->image = image_spec (c->config->image->image);
  st->image_ref = dup_str (c->image_ref);
  st->reason = dup_str (c->reason);
  st->message = dup_str (c->message);
  st->labels = map_copy ((void *const *) c->config->labels, c->config->n_labels,
                         &runtime__v1__container_status__labels_entry__descriptor);
  st->n_labels = c->config->n_labels;
  st->annotations = map_copy ((void *const *) c->config->annotations, c->config->n_annotations,
                              &runtime__v1__container_status__annotations_entry__descriptor);
  st->n_annotations = c->config->n_annotations;
  if (c->config->n_mounts)
    {
      st->mounts = xmalloc (c->config->n_mounts * sizeof *st->mounts);
      for (size_t i = 0; i < c->config->n_mounts; i++)
        st->mounts[i] = pb_dup (&c->config->mounts[i]->base);
      st->n_mounts = c->config->n_mounts;
    }
  st->log_path = dup_str (c->log_path);
  return st;
}

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
      if (str_eq (m->name, meta->name) && str_eq (m->namespace_, meta->namespace_)
          && str_eq (m->uid, meta->uid) && m->attempt == meta->attempt)
        return fake_error (err, KL_ERROR_ALREADY_EXISTS,
                           "failed to reserve sandbox name \"%s_%s_%s_%u\": name is reserved "
                           "for %s",
                           meta->name, meta->namespace_, meta->uid, meta->attempt,
                           f->sandboxes[i]->id);
    }
  struct sandbox_s *s = xmalloc0 (sizeof *s);
  uint64_t seq = ++f->sandbox_seq;
  s->id = new_id ("5b", seq);
  s->config = pb_dup (&req->config->base);
  s->runtime_handler = dup_str (req->runtime_handler);
  s->state = RUNTIME__V1__POD_SANDBOX_STATE__SANDBOX_READY;
  s->created_at = creation_stamp (f);
  s->ip = host_network (req->config)
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
  struct sandbox_s *s = find_sandbox (f, req->pod_sandbox_id, NULL);
  if (s == NULL)
    return fake_error (err, KL_ERROR_NOT_FOUND, "an error occurred when try to find sandbox %s: "
                                                "not found",
                       req->pod_sandbox_id);
  for (size_t i = 0; i < f->n_containers; i++)
    if (str_eq (f->containers[i]->sandbox_id, s->id))
      stop_container_locked (f, f->containers[i]);
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
  struct sandbox_s *s = find_sandbox (f, req->pod_sandbox_id, &index);
  if (s)
    {
      for (size_t i = f->n_containers; i-- > 0;)
        if (str_eq (f->containers[i]->sandbox_id, s->id))
          remove_container_at (f, i);
      sandbox_free (s);
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
  struct sandbox_s *s = find_sandbox (f, req->pod_sandbox_id, NULL);
  if (s == NULL)
    return fake_error (err, KL_ERROR_NOT_FOUND, "an error occurred when try to find sandbox %s: "
                                                "not found",
                       req->pod_sandbox_id);
  Runtime__V1__PodSandboxStatusResponse *r = xmalloc (sizeof *r);
  runtime__v1__pod_sandbox_status_response__init (r);
  r->status = sandbox_status (s);
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
  for (size_t i = 0; i < f->n_sandboxes; i++)
    {
      const struct sandbox_s *s = f->sandboxes[i];
      if (filter)
        {
          if (filter->id && filter->id[0] && !str_eq (filter->id, s->id))
            continue;
          if (filter->state && filter->state->state != s->state)
            continue;
          if (!labels_match ((void *const *) s->config->labels, s->config->n_labels,
                             (void *const *) filter->label_selector, filter->n_label_selector))
            continue;
        }
      APPEND (r->items, r->n_items, sandbox_item (s));
    }
  *resp = r;
  return 0;
}

/* ---- containers ---- */

static int
create_container_locked (fake_runtime_t *f, const Runtime__V1__CreateContainerRequest *req,
                         Runtime__V1__CreateContainerResponse **resp, kl_error_t *err)
{
  struct sandbox_s *s = find_sandbox (f, req->pod_sandbox_id, NULL);
  if (s == NULL)
    return fake_error (err, KL_ERROR_NOT_FOUND, "failed to find sandbox id %s: not found",
                       req->pod_sandbox_id);
  const Runtime__V1__ContainerConfig *config = req->config;
  if (config == NULL || config->metadata == NULL || config->image == NULL)
    return fake_error (err, KL_ERROR_INVALID,
                       "CreateContainer: config.metadata and config.image are required");
  struct image_s *image = find_image (f, config->image->image);
  if (image == NULL)
    return fake_error (err, KL_ERROR_NOT_FOUND, "failed to get image \"%s\": not found",
                       config->image->image);
  for (size_t i = 0; i < f->n_containers; i++)
    {
      const struct container_s *c = f->containers[i];
      if (str_eq (c->sandbox_id, s->id) && str_eq (c->config->metadata->name, config->metadata->name)
          && c->config->metadata->attempt == config->metadata->attempt)
        return fake_error (err, KL_ERROR_ALREADY_EXISTS,
                           "failed to reserve container name \"%s_%s_%u\": name is reserved "
                           "for %s",
                           config->metadata->name, s->config->metadata->name,
                           config->metadata->attempt, c->id);
    }

  struct container_s *c = xmalloc0 (sizeof *c);
  c->id = new_id ("c0", ++f->container_seq);
  c->sandbox_id = xstrdup (s->id);
  c->config = pb_dup (&config->base);
  c->image_ref = xstrdup (image->id);
  const char *dir = s->config->log_directory;
  const char *path = config->log_path;
  if (dir && dir[0] && path && path[0])
    c->log_path = xasprintf ("%s/%s", dir, path);
  else
    c->log_path = dup_str (path);
  c->state = RUNTIME__V1__CONTAINER_STATE__CONTAINER_CREATED;
  c->created_at = creation_stamp (f);
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
  struct container_s *c = find_container (f, req->container_id, NULL);
  if (c == NULL)
    return fake_error (err, KL_ERROR_NOT_FOUND, "an error occurred when try to find container "
                                                "%s: not found",
                       req->container_id);
  if (c->state != RUNTIME__V1__CONTAINER_STATE__CONTAINER_CREATED)
    return fake_error (err, KL_ERROR_GENERIC, "container %s is in %s state, not created", c->id,
                       protobuf_c_enum_descriptor_get_value (
                           &runtime__v1__container_state__descriptor, c->state)
                           ->name);
  struct sandbox_s *s = find_sandbox (f, c->sandbox_id, NULL);
  if (s == NULL || s->state != RUNTIME__V1__POD_SANDBOX_STATE__SANDBOX_READY)
    return fake_error (err, KL_ERROR_GENERIC, "sandbox container %s is not running",
                       c->sandbox_id);
  c->state = RUNTIME__V1__CONTAINER_STATE__CONTAINER_RUNNING;
  c->started_at = clock_now (f);
  Runtime__V1__StartContainerResponse *r = xmalloc (sizeof *r);
  runtime__v1__start_container_response__init (r);
  *resp = r;
  return 0;
}

static int
stop_container_op_locked (fake_runtime_t *f, const Runtime__V1__StopContainerRequest *req,
                          Runtime__V1__StopContainerResponse **resp, kl_error_t *err)
{
  struct container_s *c = find_container (f, req->container_id, NULL);
  if (c == NULL)
    return fake_error (err, KL_ERROR_NOT_FOUND, "an error occurred when try to find container "
                                                "%s: not found",
                       req->container_id);
  stop_container_locked (f, c);
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
  struct container_s *c = find_container (f, req->container_id, &index);
  if (c)
    {
      stop_container_locked (f, c);
      remove_container_at (f, index);
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
  for (size_t i = 0; i < f->n_containers; i++)
    {
      const struct container_s *c = f->containers[i];
      if (filter)
        {
          if (filter->id && filter->id[0] && !str_eq (filter->id, c->id))
            continue;
          if (filter->state && filter->state->state != c->state)
            continue;
          if (filter->pod_sandbox_id && filter->pod_sandbox_id[0]
              && !str_eq (filter->pod_sandbox_id, c->sandbox_id))
            continue;
          if (!labels_match ((void *const *) c->config->labels, c->config->n_labels,
                             (void *const *) filter->label_selector, filter->n_label_selector))
            continue;
        }
      APPEND (r->containers, r->n_containers, container_item (c));
    }
  *resp = r;
  return 0;
}

static int
container_status_locked (fake_runtime_t *f, const Runtime__V1__ContainerStatusRequest *req,
                         Runtime__V1__ContainerStatusResponse **resp, kl_error_t *err)
{
  struct container_s *c = find_container (f, req->container_id, NULL);
  if (c == NULL)
    return fake_error (err, KL_ERROR_NOT_FOUND, "an error occurred when try to find container "
                                                "%s: not found",
                       req->container_id);
  Runtime__V1__ContainerStatusResponse *r = xmalloc (sizeof *r);
  runtime__v1__container_status_response__init (r);
  r->status = container_status (c);
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
  const struct image_s *image = find_image (f, req->image->image);
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
    if (str_eq (f->pull_errors[i].image, name))
      return fake_error (err, f->pull_errors[i].kind,
                         "failed to pull and unpack image \"%s\": %s", name,
                         f->pull_errors[i].message);
  const struct image_s *image = add_image_locked (f, name);
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
  struct container_s *c = find_container (f, req->container_id, NULL);
  if (c == NULL)
    return fake_error (err, KL_ERROR_NOT_FOUND, "an error occurred when try to find container "
                                                "%s: not found",
                       req->container_id);
  if (c->state != RUNTIME__V1__CONTAINER_STATE__CONTAINER_RUNNING)
    return fake_error (err, KL_ERROR_GENERIC, "container %s is not running", c->id);
  if (req->n_cmd == 0)
    return fake_error (err, KL_ERROR_INVALID, "ExecSync: cmd is required");
  const struct exec_result_s *result = NULL;
  for (size_t i = 0; i < f->n_exec_results; i++)
    if (str_eq (f->exec_results[i].command, req->cmd[0]))
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
    int ret = begin_call (f, #Method, err);                                                        \
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
  int ret = begin_call (f, "PullImage", err);
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
    int ret = begin_call (f, #Method, err);                                                        \
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
    sandbox_free (f->sandboxes[i]);
  free (f->sandboxes);
  for (size_t i = 0; i < f->n_containers; i++)
    container_free (f->containers[i]);
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

/* ---- hooks ---- */

void
fake_runtime_set_clock (fake_runtime_t *f, fake_runtime_clock_fn now, void *ctx)
{
  pthread_mutex_lock (&f->lock);
  f->now = now;
  f->clock_ctx = ctx;
  pthread_mutex_unlock (&f->lock);
}

void
fake_runtime_set_down (fake_runtime_t *f, bool down)
{
  pthread_mutex_lock (&f->lock);
  f->down = down;
  pthread_mutex_unlock (&f->lock);
}

void
fake_runtime_fail_next (fake_runtime_t *f, const char *method, enum kl_error_kind kind)
{
  pthread_mutex_lock (&f->lock);
  struct pending_failure_s failure = { .method = xstrdup (method), .kind = kind };
  APPEND (f->failures, f->n_failures, failure);
  pthread_mutex_unlock (&f->lock);
}

const char *
fake_runtime_add_image (fake_runtime_t *f, const char *image)
{
  pthread_mutex_lock (&f->lock);
  const char *id = add_image_locked (f, image)->id;
  pthread_mutex_unlock (&f->lock);
  return id;
}

void
fake_runtime_set_pull_error (fake_runtime_t *f, const char *image, enum kl_error_kind kind,
                             const char *message)
{
  pthread_mutex_lock (&f->lock);
  for (size_t i = 0; i < f->n_pull_errors; i++)
    if (str_eq (f->pull_errors[i].image, image))
      {
        free (f->pull_errors[i].image);
        free (f->pull_errors[i].message);
        memmove (&f->pull_errors[i], &f->pull_errors[i + 1],
                 (f->n_pull_errors - i - 1) * sizeof *f->pull_errors);
        f->n_pull_errors--;
        break;
      }
  if (message)
    {
      struct pull_error_s e = { .image = xstrdup (image), .kind = kind, .message = xstrdup (message) };
      APPEND (f->pull_errors, f->n_pull_errors, e);
    }
  pthread_mutex_unlock (&f->lock);
}

void
fake_runtime_set_exec_result (fake_runtime_t *f, const char *command, int exit_code,
                              const char *out, const char *err_out)
{
  pthread_mutex_lock (&f->lock);
  struct exec_result_s r = {
    .command = xstrdup (command),
    .exit_code = exit_code,
    .out = out ? xstrdup (out) : NULL,
    .err_out = err_out ? xstrdup (err_out) : NULL,
  };
  APPEND (f->exec_results, f->n_exec_results, r); /* the newest setting wins */
  pthread_mutex_unlock (&f->lock);
}

void
fake_runtime_set_stop_result (fake_runtime_t *f, const char *container_name, int exit_code,
                              const char *reason)
{
  pthread_mutex_lock (&f->lock);
  struct stop_result_s r = {
    .name = container_name ? xstrdup (container_name) : NULL,
    .exit_code = exit_code,
    .reason = reason ? xstrdup (reason) : NULL,
  };
  APPEND (f->stop_results, f->n_stop_results, r); /* the newest setting wins */
  pthread_mutex_unlock (&f->lock);
}

int
fake_runtime_exit_container (fake_runtime_t *f, const char *id, int exit_code, const char *reason)
{
  pthread_mutex_lock (&f->lock);
  struct container_s *c = find_container (f, id, NULL);
  if (c)
    set_exited (f, c, exit_code, reason);
  pthread_mutex_unlock (&f->lock);
  return c ? 0 : -1;
}

char **
fake_runtime_calls (fake_runtime_t *f, size_t *n)
{
  pthread_mutex_lock (&f->lock);
  char **v = xmalloc ((f->n_calls + 1) * sizeof *v);
  for (size_t i = 0; i < f->n_calls; i++)
    v[i] = xstrdup (f->calls[i]);
  v[f->n_calls] = NULL;
  if (n)
    *n = f->n_calls;
  pthread_mutex_unlock (&f->lock);
  return v;
}

size_t
fake_runtime_call_count (fake_runtime_t *f, const char *method)
{
  pthread_mutex_lock (&f->lock);
  size_t count = 0;
  for (size_t i = 0; i < f->n_calls; i++)
    count += method == NULL || strcmp (f->calls[i], method) == 0;
  pthread_mutex_unlock (&f->lock);
  return count;
}

void
fake_runtime_clear_calls (fake_runtime_t *f)
{
  pthread_mutex_lock (&f->lock);
  for (size_t i = 0; i < f->n_calls; i++)
    free (f->calls[i]);
  free (f->calls);
  f->calls = NULL;
  f->n_calls = 0;
  pthread_mutex_unlock (&f->lock);
}

void
fake_runtime_strv_free (char **v)
{
  if (v == NULL)
    return;
  for (char **p = v; *p; p++)
    free (*p);
  free (v);
}

size_t
fake_runtime_count_sandboxes (fake_runtime_t *f, int state)
{
  pthread_mutex_lock (&f->lock);
  size_t count = 0;
  for (size_t i = 0; i < f->n_sandboxes; i++)
    count += state < 0 || (int) f->sandboxes[i]->state == state;
  pthread_mutex_unlock (&f->lock);
  return count;
}

size_t
fake_runtime_count_containers (fake_runtime_t *f, int state)
{
  pthread_mutex_lock (&f->lock);
  size_t count = 0;
  for (size_t i = 0; i < f->n_containers; i++)
    count += state < 0 || (int) f->containers[i]->state == state;
  pthread_mutex_unlock (&f->lock);
  return count;
}

char *
fake_runtime_find_container (fake_runtime_t *f, const char *name)
{
  pthread_mutex_lock (&f->lock);
  char *id = NULL;
  for (size_t i = f->n_containers; i-- > 0;)
    if (str_eq (f->containers[i]->config->metadata->name, name))
      {
        id = xstrdup (f->containers[i]->id);
        break;
      }
  pthread_mutex_unlock (&f->lock);
  return id;
}

Runtime__V1__ContainerConfig *
fake_runtime_container_config (fake_runtime_t *f, const char *id)
{
  pthread_mutex_lock (&f->lock);
  struct container_s *c = find_container (f, id, NULL);
  Runtime__V1__ContainerConfig *copy = c ? pb_dup (&c->config->base) : NULL;
  pthread_mutex_unlock (&f->lock);
  return copy;
}

Runtime__V1__PodSandboxConfig *
fake_runtime_sandbox_config (fake_runtime_t *f, const char *id)
{
  pthread_mutex_lock (&f->lock);
  struct sandbox_s *s = find_sandbox (f, id, NULL);
  Runtime__V1__PodSandboxConfig *copy = s ? pb_dup (&s->config->base) : NULL;
  pthread_mutex_unlock (&f->lock);
  return copy;
}

bool
fake_runtime_has_image (fake_runtime_t *f, const char *image)
{
  pthread_mutex_lock (&f->lock);
  bool found = find_image (f, image) != NULL;
  pthread_mutex_unlock (&f->lock);
  return found;
}

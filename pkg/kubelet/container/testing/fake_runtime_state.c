/* The fake runtime's table: lookups, timestamps, IDs, stopping and the
   CRI responses built from what it holds. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pkg/kubelet/container/testing/fake_runtime-internal.h"

char *
fake_dup_str (const char *s)
{
  return xstrdup (s ? s : "");
}

bool
fake_str_eq (const char *a, const char *b)
{
  return strcmp (a ? a : "", b ? b : "") == 0;
}

/* A deep copy that protobuf_c_message_free_unpacked () frees. */
void *
fake_pb_dup (const ProtobufCMessage *m)
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

void
fake_pb_free (void *m)
{
  if (m)
    protobuf_c_message_free_unpacked (m, NULL);
}

/* A malloc'd copy of map entries as entries of type `desc`. */
void *
fake_map_copy (void *const *src, size_t n, const ProtobufCMessageDescriptor *desc)
{
  if (n == 0)
    return NULL;
  map_entry_t **out = xmalloc (n * sizeof *out);
  for (size_t i = 0; i < n; i++)
    {
      const map_entry_t *s = src[i];
      map_entry_t *e = xmalloc (desc->sizeof_message);
      protobuf_c_message_init (desc, e);
      e->key = fake_dup_str (s->key);
      e->value = fake_dup_str (s->value);
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
      if (fake_str_eq (e->key, key))
        return e->value ? e->value : "";
    }
  return NULL;
}

/* Every selector entry has its value among the labels. */
bool
fake_labels_match (void *const *labels, size_t n_labels, void *const *selector, size_t n_selector)
{
  for (size_t i = 0; i < n_selector; i++)
    {
      const map_entry_t *want = selector[i];
      const char *have = map_get (labels, n_labels, want->key);
      if (have == NULL || !fake_str_eq (have, want->value))
        return false;
    }
  return true;
}

int
fake_grpc_status_for (enum kl_error_kind kind)
{
  struct kl_error_s e = { .kind = kind };
  return kl_grpc_status_from_error (&e);
}

int64_t
fake_clock_now (fake_runtime_t *f)
{
  if (f->now)
    return f->now (f->clock_ctx);
  struct timespec ts;
  clock_gettime (CLOCK_REALTIME, &ts);
  return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int64_t
fake_creation_stamp (fake_runtime_t *f)
{
  int64_t t = fake_clock_now (f);
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
  return xasprintf ("sha256:%016" PRIx64 "%016" PRIx64 "%016" PRIx64 "%016" PRIx64, fnv1a (name, 1),
                    fnv1a (name, 2), fnv1a (name, 3), fnv1a (name, 4));
}

/* 64 hex digits whose first twelve (what logs show) tell them apart. */
char *
fake_new_id (const char *tag, uint64_t seq)
{
  return xasprintf ("%s%010" PRIx64 "%016" PRIx64 "%016" PRIx64 "%020" PRIx64, tag, seq,
                    (uint64_t) 0, (uint64_t) 0, (uint64_t) 0);
}

struct sandbox_s *
fake_find_sandbox (fake_runtime_t *f, const char *id, size_t *index)
{
  for (size_t i = 0; i < f->n_sandboxes; i++)
    if (fake_str_eq (f->sandboxes[i]->id, id))
      {
        if (index)
          *index = i;
        return f->sandboxes[i];
      }
  return NULL;
}

struct container_s *
fake_find_container (fake_runtime_t *f, const char *id, size_t *index)
{
  for (size_t i = 0; i < f->n_containers; i++)
    if (fake_str_eq (f->containers[i]->id, id))
      {
        if (index)
          *index = i;
        return f->containers[i];
      }
  return NULL;
}

struct image_s *
fake_find_image (fake_runtime_t *f, const char *name_or_id)
{
  if (name_or_id == NULL || name_or_id[0] == '\0')
    return NULL;
  for (size_t i = 0; i < f->n_images; i++)
    if (fake_str_eq (f->images[i].name, name_or_id) || fake_str_eq (f->images[i].id, name_or_id))
      return &f->images[i];
  return NULL;
}

struct image_s *
fake_add_image_locked (fake_runtime_t *f, const char *name)
{
  struct image_s *found = fake_find_image (f, name);
  if (found)
    return found;
  struct image_s image = { .name = xstrdup (name), .id = image_id_for (name) };
  APPEND (f->images, f->n_images, image);
  return &f->images[f->n_images - 1];
}

void
fake_sandbox_free (struct sandbox_s *s)
{
  free (s->id);
  fake_pb_free (s->config);
  free (s->runtime_handler);
  free (s->ip);
  free (s);
}

void
fake_container_free (struct container_s *c)
{
  free (c->id);
  free (c->sandbox_id);
  fake_pb_free (c->config);
  free (c->image_ref);
  free (c->log_path);
  free (c->reason);
  free (c->message);
  free (c);
}

void
fake_remove_container_at (fake_runtime_t *f, size_t i)
{
  fake_container_free (f->containers[i]);
  memmove (&f->containers[i], &f->containers[i + 1],
           (f->n_containers - i - 1) * sizeof *f->containers);
  f->n_containers--;
}

void
fake_set_exited (fake_runtime_t *f, struct container_s *c, int exit_code, const char *reason)
{
  c->state = RUNTIME__V1__CONTAINER_STATE__CONTAINER_EXITED;
  c->exit_code = exit_code;
  c->finished_at = fake_clock_now (f);
  free (c->reason);
  c->reason = xstrdup (reason ? reason : (exit_code == 0 ? "Completed" : "Error"));
}

/* Stops a running container as StopContainer does. */
void
fake_stop_container_locked (fake_runtime_t *f, struct container_s *c)
{
  if (c->state != RUNTIME__V1__CONTAINER_STATE__CONTAINER_RUNNING
      && c->state != RUNTIME__V1__CONTAINER_STATE__CONTAINER_UNKNOWN)
    return;
  const struct stop_result_s *result = NULL;
  const char *name = c->config->metadata->name;
  for (size_t i = 0; i < f->n_stop_results; i++)
    if (f->stop_results[i].name && fake_str_eq (f->stop_results[i].name, name))
      result = &f->stop_results[i];
  if (result == NULL)
    for (size_t i = 0; i < f->n_stop_results; i++)
      if (f->stop_results[i].name == NULL)
        result = &f->stop_results[i];
  fake_set_exited (f, c, result ? result->exit_code : DEFAULT_STOP_EXIT_CODE,
                   result ? result->reason : DEFAULT_STOP_REASON);
}

bool
fake_host_network (const Runtime__V1__PodSandboxConfig *config)
{
  return config->linux && config->linux->security_context
         && config->linux->security_context->namespace_options
         && config->linux->security_context->namespace_options->network
                == RUNTIME__V1__NAMESPACE_MODE__NODE;
}

/* Logs the call and decides whether it fails before doing anything. */
int
fake_begin_call (fake_runtime_t *f, const char *method, kl_error_t *err)
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
  spec->image = fake_dup_str (image);
  return spec;
}

Runtime__V1__PodSandbox *
fake_build_sandbox_item (const struct sandbox_s *s)
{
  Runtime__V1__PodSandbox *p = xmalloc (sizeof *p);
  runtime__v1__pod_sandbox__init (p);
  p->id = xstrdup (s->id);
  p->metadata = fake_pb_dup (&s->config->metadata->base);
  p->state = s->state;
  p->created_at = s->created_at;
  p->labels = fake_map_copy ((void *const *) s->config->labels, s->config->n_labels,
                             &runtime__v1__pod_sandbox__labels_entry__descriptor);
  p->n_labels = s->config->n_labels;
  p->annotations = fake_map_copy ((void *const *) s->config->annotations, s->config->n_annotations,
                                  &runtime__v1__pod_sandbox__annotations_entry__descriptor);
  p->n_annotations = s->config->n_annotations;
  p->runtime_handler = fake_dup_str (s->runtime_handler);
  return p;
}

Runtime__V1__PodSandboxStatus *
fake_build_sandbox_status (const struct sandbox_s *s)
{
  Runtime__V1__PodSandboxStatus *st = xmalloc (sizeof *st);
  runtime__v1__pod_sandbox_status__init (st);
  st->id = xstrdup (s->id);
  st->metadata = fake_pb_dup (&s->config->metadata->base);
  st->state = s->state;
  st->created_at = s->created_at;
  st->network = xmalloc (sizeof *st->network);
  runtime__v1__pod_sandbox_network_status__init (st->network);
  st->network->ip = fake_dup_str (s->ip);
  if (s->config->linux && s->config->linux->security_context
      && s->config->linux->security_context->namespace_options)
    {
      st->linux = xmalloc (sizeof *st->linux);
      runtime__v1__linux_pod_sandbox_status__init (st->linux);
      st->linux->namespaces = xmalloc (sizeof *st->linux->namespaces);
      runtime__v1__namespace__init (st->linux->namespaces);
      st->linux->namespaces->options
          = fake_pb_dup (&s->config->linux->security_context->namespace_options->base);
    }
  st->labels = fake_map_copy ((void *const *) s->config->labels, s->config->n_labels,
                              &runtime__v1__pod_sandbox_status__labels_entry__descriptor);
  st->n_labels = s->config->n_labels;
  st->annotations = fake_map_copy ((void *const *) s->config->annotations, s->config->n_annotations,
                                   &runtime__v1__pod_sandbox_status__annotations_entry__descriptor);
  st->n_annotations = s->config->n_annotations;
  st->runtime_handler = fake_dup_str (s->runtime_handler);
  return st;
}

Runtime__V1__Container *
fake_build_container_item (const struct container_s *c)
{
  Runtime__V1__Container *p = xmalloc (sizeof *p);
  runtime__v1__container__init (p);
  p->id = xstrdup (c->id);
  p->pod_sandbox_id = xstrdup (c->sandbox_id);
  p->metadata = fake_pb_dup (&c->config->metadata->base);
  p->image = image_spec (c->config->image->image);
  p->image_ref = fake_dup_str (c->image_ref);
  p->state = c->state;
  p->created_at = c->created_at;
  p->labels = fake_map_copy ((void *const *) c->config->labels, c->config->n_labels,
                             &runtime__v1__container__labels_entry__descriptor);
  p->n_labels = c->config->n_labels;
  p->annotations = fake_map_copy ((void *const *) c->config->annotations, c->config->n_annotations,
                                  &runtime__v1__container__annotations_entry__descriptor);
  p->n_annotations = c->config->n_annotations;
  return p;
}

Runtime__V1__ContainerStatus *
fake_build_container_status (const struct container_s *c)
{
  Runtime__V1__ContainerStatus *st = xmalloc (sizeof *st);
  runtime__v1__container_status__init (st);
  st->id = xstrdup (c->id);
  st->metadata = fake_pb_dup (&c->config->metadata->base);
  st->state = c->state;
  st->created_at = c->created_at;
  st->started_at = c->started_at;
  st->finished_at = c->finished_at;
  st->exit_code = c->exit_code;
  st->image = image_spec (c->config->image->image);
  st->image_ref = fake_dup_str (c->image_ref);
  st->reason = fake_dup_str (c->reason);
  st->message = fake_dup_str (c->message);
  st->labels = fake_map_copy ((void *const *) c->config->labels, c->config->n_labels,
                              &runtime__v1__container_status__labels_entry__descriptor);
  st->n_labels = c->config->n_labels;
  st->annotations = fake_map_copy ((void *const *) c->config->annotations, c->config->n_annotations,
                                   &runtime__v1__container_status__annotations_entry__descriptor);
  st->n_annotations = c->config->n_annotations;
  if (c->config->n_mounts)
    {
      st->mounts = xmalloc (c->config->n_mounts * sizeof *st->mounts);
      for (size_t i = 0; i < c->config->n_mounts; i++)
        st->mounts[i] = fake_pb_dup (&c->config->mounts[i]->base);
      st->n_mounts = c->config->n_mounts;
    }
  st->log_path = fake_dup_str (c->log_path);
  return st;
}

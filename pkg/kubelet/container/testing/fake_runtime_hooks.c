/* The fake runtime's test hooks: scripting failures, exits and results, and
   reading back calls and state. */
#include <stdlib.h>
#include <string.h>

#include "pkg/kubelet/container/testing/fake_runtime-internal.h"

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
fake_runtime_set_reverse_lists (fake_runtime_t *f, bool reverse)
{
  pthread_mutex_lock (&f->lock);
  f->reverse_lists = reverse;
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
  const char *id = fake_add_image_locked (f, image)->id;
  pthread_mutex_unlock (&f->lock);
  return id;
}

void
fake_runtime_set_pull_error (fake_runtime_t *f, const char *image, enum kl_error_kind kind,
                             const char *message)
{
  pthread_mutex_lock (&f->lock);
  for (size_t i = 0; i < f->n_pull_errors; i++)
    if (fake_str_eq (f->pull_errors[i].image, image))
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
      struct pull_error_s e
          = { .image = xstrdup (image), .kind = kind, .message = xstrdup (message) };
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
  struct container_s *c = fake_find_container (f, id, NULL);
  if (c)
    fake_set_exited (f, c, exit_code, reason);
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
    if (fake_str_eq (f->containers[i]->config->metadata->name, name))
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
  struct container_s *c = fake_find_container (f, id, NULL);
  Runtime__V1__ContainerConfig *copy = c ? fake_pb_dup (&c->config->base) : NULL;
  pthread_mutex_unlock (&f->lock);
  return copy;
}

Runtime__V1__PodSandboxConfig *
fake_runtime_sandbox_config (fake_runtime_t *f, const char *id)
{
  pthread_mutex_lock (&f->lock);
  struct sandbox_s *s = fake_find_sandbox (f, id, NULL);
  Runtime__V1__PodSandboxConfig *copy = s ? fake_pb_dup (&s->config->base) : NULL;
  pthread_mutex_unlock (&f->lock);
  return copy;
}

bool
fake_runtime_has_image (fake_runtime_t *f, const char *image)
{
  pthread_mutex_lock (&f->lock);
  bool found = fake_find_image (f, image) != NULL;
  pthread_mutex_unlock (&f->lock);
  return found;
}

int64_t
fake_runtime_stop_timeout (fake_runtime_t *f, const char *id)
{
  pthread_mutex_lock (&f->lock);
  struct container_s *c = fake_find_container (f, id, NULL);
  int64_t timeout = c ? c->stop_timeout : -1;
  pthread_mutex_unlock (&f->lock);
  return timeout;
}

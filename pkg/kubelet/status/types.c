#include "pkg/kubelet/status/types.h"

#include <stdlib.h>
#include <string.h>

#include "pkg/util/utils.h"

void
kl_container_state_clear (kl_container_state_t *s)
{
  free (s->reason);
  free (s->message);
  free (s->container_id);
  memset (s, 0, sizeof *s);
}

void
kl_container_status_clear (kl_container_status_t *s)
{
  free (s->name);
  kl_container_state_clear (&s->state);
  kl_container_state_clear (&s->last_state);
  free (s->image);
  free (s->image_id);
  free (s->container_id);
  memset (s, 0, sizeof *s);
}

void
kl_pod_status_clear (kl_pod_status_t *s)
{
  free (s->phase);
  for (size_t i = 0; i < s->n_conditions; i++)
    {
      free (s->conditions[i].type);
      free (s->conditions[i].reason);
      free (s->conditions[i].message);
    }
  free (s->conditions);
  free (s->message);
  free (s->reason);
  free (s->host_ip);
  free (s->pod_ip);
  for (size_t i = 0; i < s->n_init_container_statuses; i++)
    kl_container_status_clear (&s->init_container_statuses[i]);
  free (s->init_container_statuses);
  for (size_t i = 0; i < s->n_container_statuses; i++)
    kl_container_status_clear (&s->container_statuses[i]);
  free (s->container_statuses);
  free (s->qos_class);
  memset (s, 0, sizeof *s);
}

void
kl_pod_status_free (kl_pod_status_t *s)
{
  if (s == NULL)
    return;
  kl_pod_status_clear (s);
  free (s);
}

static char *
dup_or_null (const char *s)
{
  return s ? xstrdup (s) : NULL;
}

static void
copy_state (kl_container_state_t *dst, const kl_container_state_t *src)
{
  *dst = *src;
  dst->reason = dup_or_null (src->reason);
  dst->message = dup_or_null (src->message);
  dst->container_id = dup_or_null (src->container_id);
}

static kl_container_status_t *
copy_container_statuses (const kl_container_status_t *src, size_t n)
{
  kl_container_status_t *dst = xmalloc0 (n * sizeof *dst);
  for (size_t i = 0; i < n; i++)
    {
      dst[i] = src[i];
      dst[i].name = dup_or_null (src[i].name);
      copy_state (&dst[i].state, &src[i].state);
      copy_state (&dst[i].last_state, &src[i].last_state);
      dst[i].image = dup_or_null (src[i].image);
      dst[i].image_id = dup_or_null (src[i].image_id);
      dst[i].container_id = dup_or_null (src[i].container_id);
    }
  return dst;
}

kl_pod_status_t *
kl_pod_status_copy (const kl_pod_status_t *src)
{
  kl_pod_status_t *dst = xmalloc0 (sizeof *dst);
  *dst = *src;
  dst->phase = dup_or_null (src->phase);
  dst->conditions = xmalloc0 (src->n_conditions * sizeof *dst->conditions);
  for (size_t i = 0; i < src->n_conditions; i++)
    {
      dst->conditions[i] = src->conditions[i];
      dst->conditions[i].type = dup_or_null (src->conditions[i].type);
      dst->conditions[i].reason = dup_or_null (src->conditions[i].reason);
      dst->conditions[i].message = dup_or_null (src->conditions[i].message);
    }
  dst->message = dup_or_null (src->message);
  dst->reason = dup_or_null (src->reason);
  dst->host_ip = dup_or_null (src->host_ip);
  dst->pod_ip = dup_or_null (src->pod_ip);
  dst->init_container_statuses
      = copy_container_statuses (src->init_container_statuses, src->n_init_container_statuses);
  dst->container_statuses
      = copy_container_statuses (src->container_statuses, src->n_container_statuses);
  dst->qos_class = dup_or_null (src->qos_class);
  return dst;
}

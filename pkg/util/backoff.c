#include "pkg/util/backoff.h"

#include <stdlib.h>
#include <string.h>

#include "pkg/util/utils.h"

struct kl_backoff_entry_s
{
  char *key;
  int64_t delay_ns;
  int64_t last_update;
  kl_backoff_entry_t *next;
};

void
kl_backoff_init (kl_backoff_t *b, int64_t initial_ns, int64_t max_ns)
{
  b->initial_ns = initial_ns;
  b->max_ns = max_ns;
  b->entries = NULL;
  pthread_mutex_init (&b->lock, NULL);
}

void
kl_backoff_destroy (kl_backoff_t *b)
{
  for (kl_backoff_entry_t *e = b->entries, *next; e; e = next)
    {
      next = e->next;
      free (e->key);
      free (e);
    }
  b->entries = NULL;
  pthread_mutex_destroy (&b->lock);
}

static kl_backoff_entry_t *
find (kl_backoff_t *b, const char *key)
{
  for (kl_backoff_entry_t *e = b->entries; e; e = e->next)
    if (strcmp (e->key, key) == 0)
      return e;
  return NULL;
}

static bool
expired (const kl_backoff_t *b, int64_t when, int64_t last_update)
{
  return when - last_update > 2 * b->max_ns;
}

bool
kl_backoff_in_backoff_since (kl_backoff_t *b, const char *key, int64_t event_time, int64_t now,
                             int64_t *remaining_ns)
{
  pthread_mutex_lock (&b->lock);
  kl_backoff_entry_t *e = find (b, key);
  bool in = false;
  if (e && !expired (b, now, e->last_update))
    {
      int64_t elapsed = now - event_time;
      in = elapsed < e->delay_ns;
      if (in && remaining_ns)
        *remaining_ns = e->delay_ns - elapsed;
    }
  pthread_mutex_unlock (&b->lock);
  return in;
}

void
kl_backoff_next (kl_backoff_t *b, const char *key, int64_t event_time)
{
  pthread_mutex_lock (&b->lock);
  kl_backoff_entry_t *e = find (b, key);
  if (e == NULL)
    {
      e = xmalloc0 (sizeof *e);
      e->key = xstrdup (key);
      e->next = b->entries;
      b->entries = e;
      e->delay_ns = b->initial_ns;
    }
  else if (expired (b, event_time, e->last_update))
    e->delay_ns = b->initial_ns;
  else
    e->delay_ns = e->delay_ns * 2 > b->max_ns ? b->max_ns : e->delay_ns * 2;
  e->last_update = event_time;
  pthread_mutex_unlock (&b->lock);
}

int64_t
kl_backoff_get (kl_backoff_t *b, const char *key)
{
  pthread_mutex_lock (&b->lock);
  kl_backoff_entry_t *e = find (b, key);
  int64_t d = e ? e->delay_ns : 0;
  pthread_mutex_unlock (&b->lock);
  return d;
}

int64_t
kl_backoff_last_update (kl_backoff_t *b, const char *key)
{
  pthread_mutex_lock (&b->lock);
  kl_backoff_entry_t *e = find (b, key);
  int64_t t = e ? e->last_update : 0;
  pthread_mutex_unlock (&b->lock);
  return t;
}

void
kl_backoff_forget_prefix (kl_backoff_t *b, const char *prefix)
{
  pthread_mutex_lock (&b->lock);
  size_t len = strlen (prefix);
  for (kl_backoff_entry_t **p = &b->entries; *p;)
    {
      kl_backoff_entry_t *e = *p;
      if (strncmp (e->key, prefix, len) == 0)
        {
          *p = e->next;
          free (e->key);
          free (e);
        }
      else
        p = &e->next;
    }
  pthread_mutex_unlock (&b->lock);
}

/* GenericPLEG: relists sandboxes and containers every period and compares
   each pod's fingerprint (ids and states) with the previous relist. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pkg/kubelet/kuberuntime/labels.h"
#include "pkg/kubelet/pleg/pleg.h"
#include "pkg/util/duration.h"
#include "pkg/util/log.h"
#include "pkg/util/utils.h"

struct pod_record_s
{
  char *uid;
  char *fingerprint; /* "c:<id>:<state>;s:<id>:<state>;..." sorted, so list order is no change */
  char **entries;    /* while a relist builds it */
  size_t n_entries;
  bool seen; /* in the current relist */
};

struct generic_s
{
  kl_pleg_t base;
  kl_pleg_opts_t opts;
  pthread_t thread;
  bool running;

  pthread_mutex_t lock; /* guards everything below */
  pthread_cond_t cond;
  bool stopping;
  int64_t last_relist_ok; /* monotonic ns of the last successful relist */
  int64_t started_at;
  struct pod_record_s *pods; /* touched by the relisting thread only */
  size_t n_pods;
};

static int64_t
monotonic_ns (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* A growing map uid -> fingerprint for the relist in progress. */
struct fingerprints_s
{
  struct pod_record_s *items;
  size_t n;
};

static struct pod_record_s *
fingerprint_for (struct fingerprints_s *f, const char *uid)
{
  for (size_t i = 0; i < f->n; i++)
    if (strcmp (f->items[i].uid, uid) == 0)
      return &f->items[i];
  f->items = xrealloc (f->items, (f->n + 1) * sizeof *f->items);
  f->items[f->n] = (struct pod_record_s){ .uid = xstrdup (uid) };
  return &f->items[f->n++];
}

static void
fingerprint_add (struct fingerprints_s *f, const char *uid, char kind, const char *id, int state)
{
  struct pod_record_s *r = fingerprint_for (f, uid);
  r->entries = xrealloc (r->entries, (r->n_entries + 1) * sizeof *r->entries);
  r->entries[r->n_entries++] = xasprintf ("%c:%s:%d;", kind, id, state);
}

static int
compare_strings (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* Joins each record's entries, sorted, into its fingerprint. */
static void
fingerprints_finish (struct fingerprints_s *f)
{
  for (size_t i = 0; i < f->n; i++)
    {
      struct pod_record_s *r = &f->items[i];
      qsort (r->entries, r->n_entries, sizeof *r->entries, compare_strings);
      size_t len = 1;
      for (size_t j = 0; j < r->n_entries; j++)
        len += strlen (r->entries[j]);
      r->fingerprint = xmalloc (len);
      r->fingerprint[0] = '\0';
      for (size_t j = 0; j < r->n_entries; j++)
        {
          strcat (r->fingerprint, r->entries[j]);
          free (r->entries[j]);
        }
      free (r->entries);
      r->entries = NULL;
      r->n_entries = 0;
    }
}

static void
records_free (struct pod_record_s *items, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      free (items[i].uid);
      free (items[i].fingerprint);
    }
  free (items);
}

static int
generic_relist (kl_pleg_t *base, kl_error_t *err)
{
  struct generic_s *g = (struct generic_s *) base;
  Runtime__V1__ListPodSandboxRequest sreq = RUNTIME__V1__LIST_POD_SANDBOX_REQUEST__INIT;
  cleanup_pb Runtime__V1__ListPodSandboxResponse *sandboxes = NULL;
  int ret = kl_runtime_list_pod_sandbox (g->opts.runtime, &sreq, &sandboxes, err);
  if (ret < 0)
    return kl_error_wrap (err, "pleg relist");
  Runtime__V1__ListContainersRequest creq = RUNTIME__V1__LIST_CONTAINERS_REQUEST__INIT;
  cleanup_pb Runtime__V1__ListContainersResponse *containers = NULL;
  ret = kl_runtime_list_containers (g->opts.runtime, &creq, &containers, err);
  if (ret < 0)
    return kl_error_wrap (err, "pleg relist");

  struct fingerprints_s now = { 0 };
  for (size_t i = 0; i < sandboxes->n_items; i++)
    {
      const Runtime__V1__PodSandbox *s = sandboxes->items[i];
      const char *uid = kl_cri_map_get ((void *const *) s->labels, s->n_labels, KL_LABEL_POD_UID);
      if (uid)
        fingerprint_add (&now, uid, 's', s->id, s->state);
    }
  for (size_t i = 0; i < containers->n_containers; i++)
    {
      const Runtime__V1__Container *c = containers->containers[i];
      const char *uid = kl_cri_map_get ((void *const *) c->labels, c->n_labels, KL_LABEL_POD_UID);
      if (uid)
        fingerprint_add (&now, uid, 'c', c->id, c->state);
    }

  fingerprints_finish (&now);
  pthread_mutex_lock (&g->lock);
  g->last_relist_ok = monotonic_ns ();
  pthread_mutex_unlock (&g->lock);

  /* Changed or new pods, then pods that disappeared. */
  for (size_t i = 0; i < now.n; i++)
    {
      bool changed = true;
      for (size_t j = 0; j < g->n_pods; j++)
        if (strcmp (g->pods[j].uid, now.items[i].uid) == 0)
          {
            g->pods[j].seen = true;
            changed = strcmp (g->pods[j].fingerprint, now.items[i].fingerprint) != 0;
          }
      if (changed)
        g->opts.on_event (g->opts.ctx, now.items[i].uid);
    }
  for (size_t j = 0; j < g->n_pods; j++)
    if (!g->pods[j].seen)
      g->opts.on_event (g->opts.ctx, g->pods[j].uid);
  records_free (g->pods, g->n_pods);
  g->pods = now.items;
  g->n_pods = now.n;
  return 0;
}

static void *
relist_loop (void *arg)
{
  struct generic_s *g = arg;
  int64_t last_start = 0;
  pthread_mutex_lock (&g->lock);
  while (!g->stopping)
    {
      pthread_mutex_unlock (&g->lock);
      int64_t start = monotonic_ns ();
      kl_error_t err = NULL;
      int ret = generic_relist (&g->base, &err);
      int64_t end = monotonic_ns ();
      if (ret < 0)
        KL_LOG_V (1, "%s", kl_error_message (err));
      kl_error_release (&err);
      if (g->opts.on_relist)
        g->opts.on_relist (g->opts.ctx, end - start, last_start ? start - last_start : 0, ret == 0);
      last_start = start;

      pthread_mutex_lock (&g->lock);
      struct timespec deadline;
      clock_gettime (CLOCK_MONOTONIC, &deadline);
      int64_t wake = deadline.tv_sec * 1000000000LL + deadline.tv_nsec + g->opts.relist_period_ns;
      deadline.tv_sec = wake / 1000000000LL;
      deadline.tv_nsec = wake % 1000000000LL;
      while (!g->stopping && pthread_cond_timedwait (&g->cond, &g->lock, &deadline) == 0)
        ;
    }
  pthread_mutex_unlock (&g->lock);
  return NULL;
}

static int
generic_start (kl_pleg_t *base, kl_error_t *err)
{
  struct generic_s *g = (struct generic_s *) base;
  if (pthread_create (&g->thread, NULL, relist_loop, g) != 0)
    return kl_make_error (err, 0, "start pleg thread");
  g->running = true;
  return 0;
}

static void
generic_stop (kl_pleg_t *base)
{
  struct generic_s *g = (struct generic_s *) base;
  if (!g->running)
    return;
  pthread_mutex_lock (&g->lock);
  g->stopping = true;
  pthread_cond_broadcast (&g->cond);
  pthread_mutex_unlock (&g->lock);
  pthread_join (g->thread, NULL);
  g->running = false;
}

static char *
generic_unhealthy_reason (kl_pleg_t *base)
{
  struct generic_s *g = (struct generic_s *) base;
  pthread_mutex_lock (&g->lock);
  int64_t since = g->last_relist_ok ? g->last_relist_ok : g->started_at;
  pthread_mutex_unlock (&g->lock);
  int64_t elapsed = monotonic_ns () - since;
  if (elapsed <= g->opts.relist_threshold_ns)
    return NULL;
  cleanup_free char *ago = kl_duration_format (elapsed);
  cleanup_free char *threshold = kl_duration_format (g->opts.relist_threshold_ns);
  return xasprintf ("pleg was last seen active %s ago; threshold is %s", ago, threshold);
}

static void
generic_free (kl_pleg_t *base)
{
  struct generic_s *g = (struct generic_s *) base;
  generic_stop (base);
  records_free (g->pods, g->n_pods);
  pthread_mutex_destroy (&g->lock);
  pthread_cond_destroy (&g->cond);
  free (g);
}

static const struct kl_pleg_ops_s generic_ops = {
  .start = generic_start,
  .stop = generic_stop,
  .unhealthy_reason = generic_unhealthy_reason,
  .relist = generic_relist,
  .free = generic_free,
};

kl_pleg_t *
kl_pleg_generic_new (const kl_pleg_opts_t *opts)
{
  struct generic_s *g = xmalloc0 (sizeof *g);
  g->base.ops = &generic_ops;
  g->opts = *opts;
  g->started_at = monotonic_ns ();
  pthread_mutex_init (&g->lock, NULL);
  pthread_condattr_t attr;
  pthread_condattr_init (&attr);
  pthread_condattr_setclock (&attr, CLOCK_MONOTONIC);
  pthread_cond_init (&g->cond, &attr);
  pthread_condattr_destroy (&attr);
  return &g->base;
}

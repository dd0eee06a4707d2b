#include "pkg/kubelet/pod_workers.h"

#include <pthread.h>
#include <string.h>
#include <time.h>

#include "pkg/kubelet/api/static.h"
#include "pkg/util/cancel.h"
#include "pkg/util/log.h"
#include "pkg/util/utils.h"

struct worker_s
{
  char *uid;
  char *full_name;         /* "<namespace>/<name>", to serialize same-name pods */
  kl_pod_t *pod;           /* desired spec; kept while terminating for hooks */
  kl_pod_status_t *status; /* last generated */
  bool pending;            /* a sync was asked for */
  bool terminating;        /* kill and remove, then exit */
  bool orphan;             /* terminating a pod only the runtime knows */
  bool done;               /* thread finished; reap joins it */
  int64_t next_sync;       /* monotonic ns */
  kl_cancel_t *cancel;     /* of the sync in flight; NULL between syncs */
  pthread_t thread;
  pthread_cond_t cond;
  struct worker_s *next;
};

struct kl_pod_workers_s
{
  kl_pod_workers_opts_t opts;
  pthread_mutex_t lock; /* guards workers and every worker's fields but thread */
  struct worker_s *workers;
  bool stopping;
};

static int64_t
monotonic_ns (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static struct worker_s *
find (kl_pod_workers_t *w, const char *uid)
{
  for (struct worker_s *p = w->workers; p; p = p->next)
    if (strcmp (p->uid, uid) == 0)
      return p;
  return NULL;
}

/* True while another worker with the same full name is terminating: the
   new pod must not start beside the old one. */
static bool
blocked_by_predecessor (kl_pod_workers_t *w, struct worker_s *me)
{
  for (struct worker_s *p = w->workers; p; p = p->next)
    if (p != me && p->terminating && !p->done && p->full_name && me->full_name
        && strcmp (p->full_name, me->full_name) == 0)
      return true;
  return false;
}

static void
wake_successors (kl_pod_workers_t *w, struct worker_s *me)
{
  for (struct worker_s *p = w->workers; p; p = p->next)
    if (p != me && p->full_name && me->full_name && strcmp (p->full_name, me->full_name) == 0)
      {
        p->pending = true;
        pthread_cond_signal (&p->cond);
      }
}

static void
timed_wait (pthread_cond_t *cond, pthread_mutex_t *lock, int64_t until)
{
  struct timespec ts = { .tv_sec = until / 1000000000LL, .tv_nsec = until % 1000000000LL };
  pthread_cond_timedwait (cond, lock, &ts);
}

static void *
worker_loop (void *arg)
{
  struct worker_s *me = arg;
  kl_pod_workers_t *w = *(kl_pod_workers_t **) (me + 1);
  pthread_mutex_lock (&w->lock);
  while (!w->stopping)
    {
      int64_t now = monotonic_ns ();
      bool due = me->pending || now >= me->next_sync;
      if (!due || (!me->terminating && blocked_by_predecessor (w, me)))
        {
          timed_wait (&me->cond, &w->lock, due ? now + 1000000000LL : me->next_sync);
          continue;
        }
      me->pending = false;
      cleanup_free char *uid = xstrdup (me->uid);
      kl_pod_t *pod = me->pod ? kl_pod_copy (me->pod) : NULL;
      kl_pod_status_t *previous = me->status ? kl_pod_status_copy (me->status) : NULL;
      bool terminating = me->terminating;
      kl_cancel_t cancel = KL_CANCEL_INIT;
      me->cancel = terminating ? NULL : &cancel;
      pthread_mutex_unlock (&w->lock);

      int64_t delay;
      kl_pod_status_t *status = NULL;
      if (terminating)
        delay = w->opts.terminate (w->opts.ctx, uid, pod);
      else
        delay = w->opts.sync (w->opts.ctx, pod, previous, &cancel, &status);
      kl_pod_free (pod);
      kl_pod_status_free (previous);

      pthread_mutex_lock (&w->lock);
      me->cancel = NULL;
      if (status)
        {
          kl_pod_status_free (me->status);
          me->status = status;
        }
      if (terminating && delay == 0)
        {
          me->done = true;
          wake_successors (w, me);
          break;
        }
      me->next_sync = monotonic_ns () + delay;
    }
  pthread_mutex_unlock (&w->lock);
  return NULL;
}

static struct worker_s *
worker_new (kl_pod_workers_t *w, const char *uid, const kl_pod_t *pod)
{
  /* The workers pointer rides behind the struct so the thread finds it. */
  struct worker_s *p = xmalloc0 (sizeof *p + sizeof (kl_pod_workers_t *));
  *(kl_pod_workers_t **) (p + 1) = w;
  p->uid = xstrdup (uid);
  if (pod)
    {
      p->pod = kl_pod_copy (pod);
      p->full_name = xasprintf ("%s/%s", pod->metadata.namespace_, pod->metadata.name);
    }
  p->pending = true;
  pthread_condattr_t attr;
  pthread_condattr_init (&attr);
  pthread_condattr_setclock (&attr, CLOCK_MONOTONIC);
  pthread_cond_init (&p->cond, &attr);
  pthread_condattr_destroy (&attr);
  p->next = w->workers;
  w->workers = p;
  if (pthread_create (&p->thread, NULL, worker_loop, p) != 0)
    kl_oom ();
  return p;
}

kl_pod_workers_t *
kl_pod_workers_new (const kl_pod_workers_opts_t *opts)
{
  kl_pod_workers_t *w = xmalloc0 (sizeof *w);
  w->opts = *opts;
  pthread_mutex_init (&w->lock, NULL);
  return w;
}

/* Stops the sync in flight, if any, at its next step (the Go pod worker
   cancelling its context): its pod changed or goes away. */
static void
cancel_sync (struct worker_s *p)
{
  if (p->cancel)
    kl_cancel (p->cancel);
}

static const char *
config_hash (const kl_pod_t *pod)
{
  const char *h = kl_kv_get (pod->metadata.annotations, pod->metadata.n_annotations,
                             KL_ANNOTATION_CONFIG_HASH);
  return h ? h : "";
}

void
kl_pod_workers_set_desired (kl_pod_workers_t *w, const kl_pod_list_t *pods)
{
  pthread_mutex_lock (&w->lock);
  for (size_t i = 0; i < pods->n_items; i++)
    {
      const kl_pod_t *pod = pods->items[i];
      struct worker_s *p = find (w, pod->metadata.uid);
      if (p == NULL)
        {
          KL_LOG_INFO ("pod %s/%s (%s) added", pod->metadata.namespace_, pod->metadata.name,
                       pod->metadata.uid);
          worker_new (w, pod->metadata.uid, pod);
          continue;
        }
      if (p->terminating)
        continue; /* the same UID came back while going away: it finishes first */
      if (strcmp (config_hash (p->pod), config_hash (pod)) != 0)
        {
          kl_pod_free (p->pod);
          p->pod = kl_pod_copy (pod);
          p->pending = true;
          cancel_sync (p);
          pthread_cond_signal (&p->cond);
        }
    }
  for (struct worker_s *p = w->workers; p; p = p->next)
    {
      if (p->terminating)
        continue;
      bool wanted = false;
      for (size_t i = 0; i < pods->n_items && !wanted; i++)
        wanted = strcmp (pods->items[i]->metadata.uid, p->uid) == 0;
      if (wanted)
        continue;
      KL_LOG_INFO ("pod %s (%s) removed from its source; terminating",
                   p->full_name ? p->full_name : "?", p->uid);
      p->terminating = true;
      p->pending = true;
      cancel_sync (p);
      pthread_cond_signal (&p->cond);
    }
  pthread_mutex_unlock (&w->lock);
}

bool
kl_pod_workers_kick (kl_pod_workers_t *w, const char *uid)
{
  pthread_mutex_lock (&w->lock);
  struct worker_s *p = find (w, uid);
  if (p && !p->done)
    {
      p->pending = true;
      pthread_cond_signal (&p->cond);
    }
  pthread_mutex_unlock (&w->lock);
  return p != NULL;
}

void
kl_pod_workers_terminate_orphan (kl_pod_workers_t *w, const char *uid)
{
  pthread_mutex_lock (&w->lock);
  if (!w->stopping && find (w, uid) == NULL)
    {
      KL_LOG_INFO ("pod %s is in the runtime but in no source; removing it", uid);
      struct worker_s *p = worker_new (w, uid, NULL);
      p->terminating = true;
      p->orphan = true;
    }
  pthread_mutex_unlock (&w->lock);
}

void
kl_pod_workers_set_status (kl_pod_workers_t *w, const char *uid, const kl_pod_status_t *status)
{
  pthread_mutex_lock (&w->lock);
  struct worker_s *p = find (w, uid);
  if (p && !p->done)
    {
      kl_pod_status_free (p->status);
      p->status = kl_pod_status_copy (status);
    }
  pthread_mutex_unlock (&w->lock);
}

bool
kl_pod_workers_known (kl_pod_workers_t *w, const char *uid)
{
  pthread_mutex_lock (&w->lock);
  bool known = find (w, uid) != NULL;
  pthread_mutex_unlock (&w->lock);
  return known;
}

void
kl_pod_workers_snapshot (kl_pod_workers_t *w, kl_pod_snapshot_t *out)
{
  memset (out, 0, sizeof *out);
  pthread_mutex_lock (&w->lock);
  size_t n = 0;
  for (struct worker_s *p = w->workers; p; p = p->next)
    n += p->pod && !p->terminating;
  out->pods = xmalloc0 ((n + 1) * sizeof *out->pods);
  out->statuses = xmalloc0 ((n + 1) * sizeof *out->statuses);
  for (struct worker_s *p = w->workers; p; p = p->next)
    if (p->pod && !p->terminating)
      {
        out->pods[out->n] = kl_pod_copy (p->pod);
        out->statuses[out->n] = p->status ? kl_pod_status_copy (p->status) : NULL;
        out->n++;
      }
  pthread_mutex_unlock (&w->lock);
}

void
kl_pod_workers_snapshot_free (kl_pod_snapshot_t *s)
{
  for (size_t i = 0; i < s->n; i++)
    {
      kl_pod_free (s->pods[i]);
      kl_pod_status_free (s->statuses[i]);
    }
  free (s->pods);
  free (s->statuses);
  memset (s, 0, sizeof *s);
}

static void
worker_free (struct worker_s *p)
{
  free (p->uid);
  free (p->full_name);
  kl_pod_free (p->pod);
  kl_pod_status_free (p->status);
  pthread_cond_destroy (&p->cond);
  free (p);
}

void
kl_pod_workers_reap (kl_pod_workers_t *w)
{
  pthread_mutex_lock (&w->lock);
  for (struct worker_s **pp = &w->workers; *pp;)
    {
      struct worker_s *p = *pp;
      if (!p->done)
        {
          pp = &p->next;
          continue;
        }
      *pp = p->next;
      pthread_mutex_unlock (&w->lock);
      pthread_join (p->thread, NULL);
      worker_free (p);
      pthread_mutex_lock (&w->lock);
      pp = &w->workers;
    }
  pthread_mutex_unlock (&w->lock);
}

void
kl_pod_workers_free (kl_pod_workers_t *w)
{
  if (w == NULL)
    return;
  pthread_mutex_lock (&w->lock);
  w->stopping = true;
  for (struct worker_s *p = w->workers; p; p = p->next)
    {
      cancel_sync (p);
      pthread_cond_signal (&p->cond);
    }
  pthread_mutex_unlock (&w->lock);
  for (struct worker_s *p = w->workers, *next; p; p = next)
    {
      next = p->next;
      pthread_join (p->thread, NULL);
      worker_free (p);
    }
  pthread_mutex_destroy (&w->lock);
  free (w);
}

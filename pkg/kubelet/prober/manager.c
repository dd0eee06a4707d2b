/* The probe manager: pods, their containers' workers, the result cache and on_change calls. */
#include "pkg/kubelet/prober/manager.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pkg/kubelet/prober/prober-internal.h"
#include "pkg/util/log.h"
#include "pkg/util/utils.h"

static const kl_probe_t *
probe_of (const kl_container_t *container, kl_probe_type_t type)
{
  switch (type)
    {
    case KL_PROBE_LIVENESS:
      return container->liveness_probe;
    case KL_PROBE_READINESS:
      return container->readiness_probe;
    case KL_PROBE_STARTUP:
      return container->startup_probe;
    }
  return NULL;
}

static const char *
container_name_of (const struct kl_prober_container_s *c)
{
  return c->spec->name ? c->spec->name : "";
}

static bool
same_string (const char *a, const char *b)
{
  return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp (a, b) == 0);
}

int64_t
kl_prober_now (kl_prober_t *manager)
{
  if (manager->options.now != NULL)
    return manager->options.now (manager->options.now_ctx);
  struct timespec ts;
  clock_gettime (CLOCK_REALTIME, &ts);
  return (int64_t) ts.tv_sec * KL_PROBE_NS_PER_SEC + ts.tv_nsec;
}

/* ---- notifications ---- */

static void
notification_free (struct kl_prober_notification_s *n)
{
  free (n->pod_uid);
  free (n->container_name);
  free (n);
}

void
kl_prober_notify (struct kl_prober_worker_s *worker)
{
  kl_prober_t *manager = worker->manager;
  struct kl_prober_container_s *c = worker->container;
  struct kl_prober_notification_s *n = xmalloc0 (sizeof *n);
  n->pod_uid = xstrdup (c->pod->uid);
  n->container_name = xstrdup (container_name_of (c));
  n->type = worker->type;
  n->result = worker->state.published;
  if (manager->queue_tail != NULL)
    manager->queue_tail->next = n;
  else
    manager->queue_head = n;
  manager->queue_tail = n;
  pthread_cond_signal (&manager->queue_cond);

  if (worker->type == KL_PROBE_STARTUP && n->result == KL_PROBE_SUCCESS)
    {
      /* Liveness and readiness were waiting for this. */
      for (int t = 0; t < KL_PROBE_N_TYPES; t++)
        if (c->workers[t] != NULL && t != KL_PROBE_STARTUP)
          kl_prober_worker_kick (c->workers[t]);
    }
}

/* Sets the worker's published result; notifies if it changed. */
static void
publish (struct kl_prober_worker_s *worker, kl_probe_result_t result)
{
  if (worker->state.published == result)
    return;
  worker->state.published = result;
  kl_prober_notify (worker);
}

/* Drops queued notifications about `uid`. Called with the lock held. */
static void
drop_notifications (kl_prober_t *manager, const char *uid)
{
  struct kl_prober_notification_s **link = &manager->queue_head;
  manager->queue_tail = NULL;
  while (*link != NULL)
    {
      struct kl_prober_notification_s *n = *link;
      if (uid == NULL || strcmp (n->pod_uid, uid) == 0)
        {
          *link = n->next;
          notification_free (n);
          continue;
        }
      manager->queue_tail = n;
      link = &n->next;
    }
}

/* Calls on_change for each queued change, in order, without the lock. */
static void *
notifier_main (void *arg)
{
  kl_prober_t *manager = arg;
  pthread_mutex_lock (&manager->lock);
  for (;;)
    {
      while (!manager->stopping && manager->queue_head == NULL)
        pthread_cond_wait (&manager->queue_cond, &manager->lock);
      if (manager->stopping)
        break;
      struct kl_prober_notification_s *n = manager->queue_head;
      manager->queue_head = n->next;
      if (manager->queue_head == NULL)
        manager->queue_tail = NULL;
      pthread_mutex_unlock (&manager->lock);
      if (manager->options.on_change != NULL)
        manager->options.on_change (manager->options.on_change_ctx, n->pod_uid, n->container_name,
                                    n->type, n->result);
      notification_free (n);
      pthread_mutex_lock (&manager->lock);
    }
  pthread_mutex_unlock (&manager->lock);
  return NULL;
}

/* ---- pods ---- */

static struct kl_prober_pod_s *
find_pod (kl_prober_t *manager, const char *uid)
{
  for (struct kl_prober_pod_s *p = manager->pods; p != NULL; p = p->next)
    if (uid != NULL && strcmp (p->uid, uid) == 0)
      return p;
  return NULL;
}

static struct kl_prober_container_s *
find_container (kl_prober_t *manager, const char *uid, const char *name)
{
  struct kl_prober_pod_s *p = find_pod (manager, uid);
  for (size_t i = 0; p != NULL && name != NULL && i < p->n_containers; i++)
    if (strcmp (container_name_of (&p->containers[i]), name) == 0)
      return &p->containers[i];
  return NULL;
}

static struct kl_prober_worker_s *
find_worker (kl_prober_t *manager, const char *uid, const char *name, kl_probe_type_t type)
{
  struct kl_prober_container_s *c = find_container (manager, uid, name);
  if (c == NULL || (int) type < 0 || (int) type >= KL_PROBE_N_TYPES)
    return NULL;
  return c->workers[type];
}

static void
pod_stop (struct kl_prober_pod_s *p)
{
  for (size_t i = 0; i < p->n_containers; i++)
    for (int t = 0; t < KL_PROBE_N_TYPES; t++)
      if (p->containers[i].workers[t] != NULL)
        kl_prober_worker_stop (p->containers[i].workers[t]);
}

static bool
pod_exited (const struct kl_prober_pod_s *p)
{
  for (size_t i = 0; i < p->n_containers; i++)
    for (int t = 0; t < KL_PROBE_N_TYPES; t++)
      if (p->containers[i].workers[t] != NULL && !p->containers[i].workers[t]->exited)
        return false;
  return true;
}

/* Joins the pod's worker threads (after pod_stop ()) and frees it. */
static void
pod_free (struct kl_prober_pod_s *p)
{
  for (size_t i = 0; i < p->n_containers; i++)
    {
      for (int t = 0; t < KL_PROBE_N_TYPES; t++)
        if (p->containers[i].workers[t] != NULL)
          {
            kl_prober_worker_destroy (p->containers[i].workers[t]);
            free (p->containers[i].workers[t]);
          }
      free (p->containers[i].container_id);
    }
  free (p->containers);
  free (p->pod_ip);
  kl_pod_free (p->pod);
  free (p);
}

/* Frees removed pods whose threads have all returned (so joining them does
   not block). Called with the lock held. */
static void
reap_retired (kl_prober_t *manager)
{
  struct kl_prober_pod_s **link = &manager->retired;
  while (*link != NULL)
    {
      struct kl_prober_pod_s *p = *link;
      if (!pod_exited (p))
        {
          link = &p->next;
          continue;
        }
      *link = p->next;
      pod_free (p);
    }
}

/* Our copy of `pod` with a container entry per container and a worker
   (not started) per probe. */
static struct kl_prober_pod_s *
pod_new (kl_prober_t *manager, const kl_pod_t *pod)
{
  struct kl_prober_pod_s *p = xmalloc0 (sizeof *p);
  p->pod = kl_pod_copy (pod);
  p->uid = p->pod->metadata.uid;
  p->n_containers = p->pod->spec.n_containers;
  p->containers = xmalloc0 ((p->n_containers ? p->n_containers : 1) * sizeof *p->containers);
  for (size_t i = 0; i < p->n_containers; i++)
    {
      struct kl_prober_container_s *c = &p->containers[i];
      c->pod = p;
      c->spec = &p->pod->spec.containers[i];
      for (int t = 0; t < KL_PROBE_N_TYPES; t++)
        {
          const kl_probe_t *spec = probe_of (c->spec, (kl_probe_type_t) t);
          if (spec == NULL)
            continue;
          c->workers[t] = xmalloc (sizeof *c->workers[t]);
          kl_prober_worker_init (c->workers[t], manager, c, (kl_probe_type_t) t, spec);
        }
    }
  return p;
}

int
kl_prober_new (const kl_prober_options_t *options, kl_prober_t **out, kl_error_t *err)
{
  kl_prober_t *manager = xmalloc0 (sizeof *manager);
  manager->options = *options;
  pthread_mutex_init (&manager->lock, NULL);
  pthread_cond_init (&manager->queue_cond, NULL);
  int ret = pthread_create (&manager->notifier, NULL, notifier_main, manager);
  if (ret != 0)
    {
      pthread_cond_destroy (&manager->queue_cond);
      pthread_mutex_destroy (&manager->lock);
      free (manager);
      return kl_make_error (err, ret, "start the probe notifier");
    }
  *out = manager;
  return 0;
}

void
kl_prober_free (kl_prober_t *manager)
{
  if (manager == NULL)
    return;
  pthread_mutex_lock (&manager->lock);
  for (struct kl_prober_pod_s *p = manager->pods; p != NULL; p = p->next)
    pod_stop (p);
  manager->stopping = true;
  pthread_cond_signal (&manager->queue_cond);
  pthread_mutex_unlock (&manager->lock);

  pthread_join (manager->notifier, NULL);
  struct kl_prober_pod_s *lists[] = { manager->pods, manager->retired };
  for (size_t i = 0; i < KL_ARRAY_SIZE (lists); i++)
    while (lists[i] != NULL)
      {
        struct kl_prober_pod_s *next = lists[i]->next;
        pod_free (lists[i]);
        lists[i] = next;
      }
  drop_notifications (manager, NULL);
  pthread_cond_destroy (&manager->queue_cond);
  pthread_mutex_destroy (&manager->lock);
  free (manager);
}

int
kl_prober_add_pod (kl_prober_t *manager, const kl_pod_t *pod, kl_error_t *err)
{
  const char *uid = pod->metadata.uid;
  if (uid == NULL || uid[0] == '\0')
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "prober: pod %s has no UID",
                               pod->metadata.name ? pod->metadata.name : "");
  pthread_mutex_lock (&manager->lock);
  reap_retired (manager);
  if (find_pod (manager, uid) != NULL)
    {
      pthread_mutex_unlock (&manager->lock);
      return 0;
    }
  struct kl_prober_pod_s *p = pod_new (manager, pod);
  int ret = 0;
  /* The threads block on the lock we hold until the pod is in place. */
  for (size_t i = 0; i < p->n_containers && ret == 0; i++)
    for (int t = 0; t < KL_PROBE_N_TYPES && ret == 0; t++)
      if (p->containers[i].workers[t] != NULL)
        ret = kl_prober_worker_start (p->containers[i].workers[t], err);
  if (ret < 0)
    {
      pod_stop (p);
      pthread_mutex_unlock (&manager->lock);
      pod_free (p);
      return kl_error_wrap (err, "prober: pod %s", uid);
    }
  p->next = manager->pods;
  manager->pods = p;
  pthread_mutex_unlock (&manager->lock);
  return 0;
}

void
kl_prober_remove_pod (kl_prober_t *manager, const char *pod_uid)
{
  pthread_mutex_lock (&manager->lock);
  for (struct kl_prober_pod_s **link = &manager->pods; *link != NULL; link = &(*link)->next)
    {
      struct kl_prober_pod_s *p = *link;
      if (pod_uid == NULL || strcmp (p->uid, pod_uid) != 0)
        continue;
      *link = p->next;
      pod_stop (p);
      drop_notifications (manager, pod_uid);
      p->next = manager->retired;
      manager->retired = p;
      break;
    }
  reap_retired (manager);
  pthread_mutex_unlock (&manager->lock);
}

int
kl_prober_update_pod_ip (kl_prober_t *manager, const char *pod_uid, const char *pod_ip,
                         kl_error_t *err)
{
  pthread_mutex_lock (&manager->lock);
  struct kl_prober_pod_s *p = find_pod (manager, pod_uid);
  if (p != NULL)
    {
      free (p->pod_ip);
      p->pod_ip = pod_ip && pod_ip[0] ? xstrdup (pod_ip) : NULL;
    }
  pthread_mutex_unlock (&manager->lock);
  if (p == NULL)
    return kl_make_error_kind (err, KL_ERROR_NOT_FOUND, 0, "prober: no pod %s", pod_uid);
  return 0;
}

int
kl_prober_update_container (kl_prober_t *manager, const char *pod_uid, const char *container_name,
                            const char *container_id, int64_t started_at_ns, bool running,
                            kl_error_t *err)
{
  if (container_id != NULL && container_id[0] == '\0')
    container_id = NULL;
  pthread_mutex_lock (&manager->lock);
  struct kl_prober_container_s *c = find_container (manager, pod_uid, container_name);
  if (c == NULL)
    {
      pthread_mutex_unlock (&manager->lock);
      return kl_make_error_kind (err, KL_ERROR_NOT_FOUND, 0, "prober: no container %s in pod %s",
                                 container_name, pod_uid);
    }
  bool new_container = !same_string (c->container_id, container_id);
  if (new_container)
    {
      free (c->container_id);
      c->container_id = container_id ? xstrdup (container_id) : NULL;
      c->generation++;
    }
  c->started_at_ns = started_at_ns;
  c->running = running;
  int64_t now = kl_prober_now (manager);
  for (int t = 0; t < KL_PROBE_N_TYPES; t++)
    {
      struct kl_prober_worker_s *w = c->workers[t];
      if (w == NULL)
        continue;
      if (new_container)
        {
          /* Results of the old container are discarded (Go's worker on a new ID). */
          kl_probe_result_t before = w->state.published;
          kl_probe_state_reset (&w->state, w->type, c->container_id != NULL, now);
          w->erroring = false;
          if (w->state.published != before)
            kl_prober_notify (w);
        }
      if (!running && c->container_id != NULL && t == KL_PROBE_READINESS)
        publish (w, KL_PROBE_FAILURE);
      kl_prober_worker_kick (w);
    }
  pthread_mutex_unlock (&manager->lock);
  return 0;
}

kl_probe_result_t
kl_probe_result (kl_prober_t *manager, const char *pod_uid, const char *container_name,
                 kl_probe_type_t type)
{
  pthread_mutex_lock (&manager->lock);
  struct kl_prober_worker_s *w = find_worker (manager, pod_uid, container_name, type);
  kl_probe_result_t result = w ? w->state.published : KL_PROBE_UNKNOWN;
  pthread_mutex_unlock (&manager->lock);
  return result;
}

/* Go's UpdatePodStatus rules. Called with the lock held. */
static bool
container_started (const struct kl_prober_container_s *c)
{
  const struct kl_prober_worker_s *startup = c->workers[KL_PROBE_STARTUP];
  return c->running && c->container_id != NULL
         && (startup == NULL || startup->state.published == KL_PROBE_SUCCESS);
}

bool
kl_prober_container_started (kl_prober_t *manager, const char *pod_uid, const char *container_name)
{
  pthread_mutex_lock (&manager->lock);
  struct kl_prober_container_s *c = find_container (manager, pod_uid, container_name);
  bool started = c != NULL && container_started (c);
  pthread_mutex_unlock (&manager->lock);
  return started;
}

bool
kl_prober_container_ready (kl_prober_t *manager, const char *pod_uid, const char *container_name)
{
  pthread_mutex_lock (&manager->lock);
  struct kl_prober_container_s *c = find_container (manager, pod_uid, container_name);
  bool ready = false;
  if (c != NULL && container_started (c))
    {
      const struct kl_prober_worker_s *readiness = c->workers[KL_PROBE_READINESS];
      ready = readiness == NULL || readiness->state.published == KL_PROBE_SUCCESS;
    }
  pthread_mutex_unlock (&manager->lock);
  return ready;
}

void
kl_prober_trigger (kl_prober_t *manager, const char *pod_uid, const char *container_name,
                   kl_probe_type_t type)
{
  pthread_mutex_lock (&manager->lock);
  struct kl_prober_worker_s *w = find_worker (manager, pod_uid, container_name, type);
  if (w != NULL)
    {
      w->state.next_due_ns = kl_prober_now (manager);
      kl_prober_worker_kick (w);
    }
  pthread_mutex_unlock (&manager->lock);
}

void
kl_prober_wake (kl_prober_t *manager)
{
  pthread_mutex_lock (&manager->lock);
  for (struct kl_prober_pod_s *p = manager->pods; p != NULL; p = p->next)
    for (size_t i = 0; i < p->n_containers; i++)
      for (int t = 0; t < KL_PROBE_N_TYPES; t++)
        if (p->containers[i].workers[t] != NULL)
          kl_prober_worker_kick (p->containers[i].workers[t]);
  pthread_mutex_unlock (&manager->lock);
}

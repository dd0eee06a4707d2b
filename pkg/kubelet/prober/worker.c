/* Probe workers: when to probe and what a result does (Go's worker.go), and
   the thread that probes. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "pkg/kubelet/prober/prober-internal.h"
#include "pkg/util/log.h"
#include "pkg/util/utils.h"

/* ---- decision logic: pure functions of the worker's state ---- */

static kl_probe_result_t
initial_result (kl_probe_type_t type)
{
  switch (type)
    {
    case KL_PROBE_READINESS:
      return KL_PROBE_FAILURE; /* not ready until a probe says so */
    case KL_PROBE_LIVENESS:
      return KL_PROBE_SUCCESS; /* alive until probes say otherwise */
    case KL_PROBE_STARTUP:
      break;
    }
  return KL_PROBE_UNKNOWN;
}

void
kl_probe_state_reset (kl_probe_state_t *state, kl_probe_type_t type, bool has_container,
                      int64_t now_ns)
{
  memset (state, 0, sizeof *state);
  state->published = has_container ? initial_result (type) : KL_PROBE_UNKNOWN;
  state->last_result = KL_PROBE_UNKNOWN;
  state->next_due_ns = now_ns;
}

enum kl_probe_action
kl_probe_next_action (kl_probe_type_t type, const kl_probe_t *spec, const kl_probe_state_t *state,
                      const kl_probe_gate_t *gate, int64_t *at_ns)
{
  if (!gate->has_container)
    return KL_PROBE_ACTION_WAIT_CONTAINER;
  if (state->on_hold)
    return KL_PROBE_ACTION_ON_HOLD;
  if (!gate->running)
    return KL_PROBE_ACTION_WAIT_RUNNING;
  if (type == KL_PROBE_STARTUP && gate->startup_done)
    return KL_PROBE_ACTION_STARTED;
  if (type != KL_PROBE_STARTUP && !gate->startup_done)
    return KL_PROBE_ACTION_WAIT_STARTUP;
  int64_t at = state->next_due_ns;
  int64_t delay = spec->initial_delay_seconds > 0 ? spec->initial_delay_seconds : 0;
  int64_t delay_end = gate->started_at_ns + delay * KL_PROBE_NS_PER_SEC;
  if (delay_end > at)
    at = delay_end;
  *at_ns = at;
  return KL_PROBE_ACTION_RUN;
}

bool
kl_probe_record (kl_probe_state_t *state, kl_probe_type_t type, const kl_probe_t *spec,
                 kl_probe_result_t result)
{
  if (state->last_result == result)
    state->result_run++;
  else
    {
      state->last_result = result;
      state->result_run = 1;
    }
  int failure_threshold = spec->failure_threshold > 0 ? spec->failure_threshold : 1;
  int success_threshold = spec->success_threshold > 0 ? spec->success_threshold : 1;
  if ((result == KL_PROBE_FAILURE && state->result_run < failure_threshold)
      || (result == KL_PROBE_SUCCESS && state->result_run < success_threshold))
    return false; /* below the threshold: the published result stands */

  bool changed = state->published != result;
  state->published = result;
  if (type != KL_PROBE_READINESS && result == KL_PROBE_FAILURE)
    {
      /* The container will be restarted: stop probing it until a new one
         shows up, so we do not exec into a container being stopped. */
      state->on_hold = true;
      state->result_run = 0;
    }
  return changed;
}

/* ---- the worker thread ---- */

/* True once kl_prober_worker_stop () has written the eventfd. */
static bool
cancel_requested (int fd)
{
  struct pollfd pfd = { .fd = fd, .events = POLLIN };
  return fd >= 0 && poll (&pfd, 1, 0) > 0;
}

static void
fill_gate (const struct kl_prober_worker_s *worker, kl_probe_gate_t *gate)
{
  const struct kl_prober_container_s *c = worker->container;
  const struct kl_prober_worker_s *startup = c->workers[KL_PROBE_STARTUP];
  gate->has_container = c->container_id != NULL;
  gate->running = c->running;
  gate->started_at_ns = c->started_at_ns;
  gate->startup_done = startup == NULL || startup->state.published == KL_PROBE_SUCCESS;
}

/* Runs the probe due at `due` (injected clock) and records its result.
   Called and returns with manager->lock held; drops it while probing. */
static void
probe_once (struct kl_prober_worker_s *worker, int64_t due, int64_t now)
{
  kl_prober_t *manager = worker->manager;
  struct kl_prober_container_s *c = worker->container;
  const char *pod_name = c->pod->pod->metadata.name ? c->pod->pod->metadata.name : "";
  const char *container_name = c->spec->name ? c->spec->name : "";
  uint64_t generation = c->generation;
  cleanup_free char *container_id = xstrdup (c->container_id);
  cleanup_free char *pod_ip = c->pod->pod_ip ? xstrdup (c->pod->pod_ip) : NULL;
  kl_probe_target_t target = {
    .probe = worker->spec,
    .container = c->spec,
    .container_id = container_id,
    .pod_ip = pod_ip,
    .runtime = manager->options.runtime,
    .cancel_fd = worker->cancel_fd,
  };
  pthread_mutex_unlock (&manager->lock);

  kl_probe_result_t result = KL_PROBE_UNKNOWN;
  cleanup_free char *output = NULL;
  cleanup_error kl_error_t err = NULL;
  int ret = -1;
  for (int i = 0; i < KL_PROBE_MAX_RETRIES && ret < 0 && !cancel_requested (worker->cancel_fd); i++)
    {
      kl_error_release (&err);
      free (steal_pointer (&output));
      ret = kl_probe_run (&target, &result, &output, &err);
    }

  pthread_mutex_lock (&manager->lock);
  if (worker->stop || generation != c->generation || !c->running)
    return; /* stopping, or the container changed or exited meanwhile: stale */
  /* Keep the period's phase unless the worker sat idle for longer. */
  int64_t period = kl_probe_period_ns (worker->spec);
  worker->state.next_due_ns = (now - due < period ? due : now) + period;
  const char *type_name = kl_probe_type_name (worker->type);
  if (ret < 0)
    {
      /* Go discards a probe that errored; say so once per run of errors. */
      if (!worker->erroring)
        KL_LOG_WARN ("%s probe of pod %s container %s errored: %s", type_name, pod_name,
                     container_name, kl_error_message (err));
      worker->erroring = true;
      return;
    }
  worker->erroring = false;
  if (result == KL_PROBE_FAILURE)
    KL_LOG_V (1, "%s probe of pod %s container %s failed: %s", type_name, pod_name, container_name,
              output);
  else
    KL_LOG_V (4, "%s probe of pod %s container %s succeeded", type_name, pod_name, container_name);
  if (kl_probe_record (&worker->state, worker->type, worker->spec, result))
    {
      KL_LOG_INFO ("%s probe of pod %s container %s: %s%s%s", type_name, pod_name, container_name,
                   kl_probe_result_name (result), output[0] ? ": " : "", output);
      kl_prober_notify (worker);
    }
}

/* Waits on worker->wake until kicked, stopped or, when deadline_ns >= 0,
   that CLOCK_MONOTONIC time. */
static void
wait_for_kick (struct kl_prober_worker_s *worker, int64_t deadline_ns)
{
  struct timespec ts = { .tv_sec = deadline_ns / KL_PROBE_NS_PER_SEC,
                         .tv_nsec = deadline_ns % KL_PROBE_NS_PER_SEC };
  while (!worker->stop && !worker->kicked)
    {
      if (deadline_ns < 0)
        pthread_cond_wait (&worker->wake, &worker->manager->lock);
      else if (pthread_cond_timedwait (&worker->wake, &worker->manager->lock, &ts) == ETIMEDOUT)
        break;
    }
}

static void *
worker_main (void *arg)
{
  struct kl_prober_worker_s *worker = arg;
  kl_prober_t *manager = worker->manager;
  pthread_mutex_lock (&manager->lock);
  while (!worker->stop)
    {
      worker->kicked = false;
      int64_t now = kl_prober_now (manager);
      kl_probe_gate_t gate;
      fill_gate (worker, &gate);
      int64_t at = 0;
      enum kl_probe_action action
          = kl_probe_next_action (worker->type, worker->spec, &worker->state, &gate, &at);
      if (action != KL_PROBE_ACTION_RUN)
        wait_for_kick (worker, -1); /* until the container or the startup probe changes */
      else if (at <= now)
        probe_once (worker, at, now);
      else
        wait_for_kick (worker, kl_probe_monotonic_ns () + (at - now));
    }
  worker->exited = true;
  pthread_mutex_unlock (&manager->lock);
  return NULL;
}

void
kl_prober_worker_init (struct kl_prober_worker_s *worker, kl_prober_t *manager,
                       struct kl_prober_container_s *container, kl_probe_type_t type,
                       const kl_probe_t *spec)
{
  memset (worker, 0, sizeof *worker);
  worker->manager = manager;
  worker->container = container;
  worker->type = type;
  worker->spec = spec;
  worker->exited = true;
  worker->cancel_fd = -1;
  pthread_condattr_t attr;
  pthread_condattr_init (&attr);
  pthread_condattr_setclock (&attr, CLOCK_MONOTONIC);
  pthread_cond_init (&worker->wake, &attr);
  pthread_condattr_destroy (&attr);
  kl_probe_state_reset (&worker->state, type, false, 0);
}

int
kl_prober_worker_start (struct kl_prober_worker_s *worker, kl_error_t *err)
{
  worker->cancel_fd = eventfd (0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (worker->cancel_fd < 0)
    return kl_make_error (err, errno, "eventfd");
  worker->exited = false;
  int ret = pthread_create (&worker->thread, NULL, worker_main, worker);
  if (ret != 0)
    {
      worker->exited = true;
      return kl_make_error (err, ret, "start %s probe worker", kl_probe_type_name (worker->type));
    }
  worker->thread_started = true;
  return 0;
}

void
kl_prober_worker_kick (struct kl_prober_worker_s *worker)
{
  worker->kicked = true;
  pthread_cond_signal (&worker->wake);
}

void
kl_prober_worker_stop (struct kl_prober_worker_s *worker)
{
  if (worker->stop)
    return;
  worker->stop = true;
  pthread_cond_signal (&worker->wake);
  if (worker->cancel_fd >= 0 && eventfd_write (worker->cancel_fd, 1) < 0)
    KL_LOG_WARN ("probe worker: eventfd_write: %s", strerror (errno));
}

void
kl_prober_worker_destroy (struct kl_prober_worker_s *worker)
{
  if (worker->thread_started)
    pthread_join (worker->thread, NULL);
  pthread_cond_destroy (&worker->wake);
  if (worker->cancel_fd >= 0)
    close (worker->cancel_fd);
}

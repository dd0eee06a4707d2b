/* Private to pkg/kubelet/prober: the probe runners, the workers' decision
   logic (a pure function of their state, tested directly) and the structs
   the manager and its workers share. */
#ifndef KL_KUBELET_PROBER_INTERNAL_H
#define KL_KUBELET_PROBER_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "pkg/kubelet/prober/manager.h"
#include "pkg/kubelet/prober/prober.h"

#ifdef __cplusplus
extern "C" {
#endif

#define KL_PROBE_NS_PER_SEC 1000000000LL

/* Output a probe keeps: Go's maxReadLength (exec) and maxRespBodyLength (HTTP). */
#define KL_PROBE_MAX_OUTPUT (10 * 1024)

/* Times a probe that errors is run again at once (Go's maxProbeRetries). */
#define KL_PROBE_MAX_RETRIES 3

/* ---- runners: one mechanism per file (exec.c, http.c, tcp.c, grpc.c) ---- */

struct kl_probe_runner_s
{
  const char *name; /* "exec" */
  /* As kl_probe_run () for a target whose probe has this runner's handler. */
  int (*run) (const kl_probe_target_t *target, kl_probe_result_t *result, char **output,
              kl_error_t *err);
};

extern const struct kl_probe_runner_s kl_probe_runner_exec;
extern const struct kl_probe_runner_s kl_probe_runner_http;
extern const struct kl_probe_runner_s kl_probe_runner_tcp;
extern const struct kl_probe_runner_s kl_probe_runner_grpc;

/* The port number `port` names (Go's extractPort): a number, the name of one
   of the container's ports, or a number spelled as a string; 1..65535. */
int kl_probe_resolve_port (const kl_int_or_string_t *port, const kl_container_t *container,
                           int *out, kl_error_t *err);

/* `host` if set, else the pod's IP, else "" (a probe of "" fails to connect). */
const char *kl_probe_host (const char *host, const char *pod_ip);

/* `s` with $(VAR) replaced by the container's env value (Go's
   ExpandContainerCommandOnlyStatic): "$$" is "$", unknown references and
   an unterminated "$(" stay as written. */
char *kl_probe_expand (const char *s, const kl_container_t *container);

/* timeoutSeconds in ns, at least one second. */
int64_t kl_probe_timeout_ns (const kl_probe_t *probe);

/* periodSeconds in ns, at least one second. */
int64_t kl_probe_period_ns (const kl_probe_t *probe);

/* CLOCK_MONOTONIC in ns: runners measure their deadlines with it. */
int64_t kl_probe_monotonic_ns (void);

/* ---- a worker's decision logic (worker.c) ---- */

/* What a worker remembers between probes (Go's worker fields). */
struct kl_probe_state_s
{
  kl_probe_result_t published;   /* the cached result the kubelet sees */
  kl_probe_result_t last_result; /* the last probe's own result */
  int result_run;                /* how many probes in a row gave last_result */
  bool on_hold;                  /* liveness/startup failed: wait for a new container */
  int64_t next_due_ns;           /* the next periodic probe, injected clock */
};
typedef struct kl_probe_state_s kl_probe_state_t;

/* The worker's container as the manager knows it at one instant. */
struct kl_probe_gate_s
{
  bool has_container; /* an ID was reported */
  bool running;
  int64_t started_at_ns; /* wall clock */
  bool startup_done;     /* no startup probe, or it has succeeded for this container */
};
typedef struct kl_probe_gate_s kl_probe_gate_t;

enum kl_probe_action
{
  KL_PROBE_ACTION_WAIT_CONTAINER, /* no container reported yet */
  KL_PROBE_ACTION_ON_HOLD,        /* failed liveness/startup: until a new container */
  KL_PROBE_ACTION_WAIT_RUNNING,   /* the container is not running */
  KL_PROBE_ACTION_WAIT_STARTUP,   /* liveness/readiness before the startup probe succeeded */
  KL_PROBE_ACTION_STARTED,        /* a startup probe that has succeeded stops */
  KL_PROBE_ACTION_RUN,            /* probe at *at_ns (now if it has passed) */
};

/* The state a worker of `type` starts a new container with at `now_ns`:
   published is readiness FAILURE, liveness SUCCESS, startup UNKNOWN, or
   UNKNOWN for every type when !has_container. */
void kl_probe_state_reset (kl_probe_state_t *state, kl_probe_type_t type, bool has_container,
                           int64_t now_ns);

/* What the worker does next; for RUN, *at_ns is the later of the periodic
   due time and the end of initialDelaySeconds after the container started. */
enum kl_probe_action kl_probe_next_action (kl_probe_type_t type, const kl_probe_t *spec,
                                           const kl_probe_state_t *state,
                                           const kl_probe_gate_t *gate, int64_t *at_ns);

/* Counts a probe's SUCCESS or FAILURE against successThreshold and
   failureThreshold and publishes it once the run is long enough; a
   published liveness or startup FAILURE puts the worker on hold. True if
   state->published changed. */
bool kl_probe_record (kl_probe_state_t *state, kl_probe_type_t type, const kl_probe_t *spec,
                      kl_probe_result_t result);

/* ---- the manager and its workers (manager.c, worker.c) ---- */

struct kl_prober_pod_s;
struct kl_prober_container_s;

/* One probe of one container, probing on its own thread: probes block for
   up to timeoutSeconds, so a thread each keeps a slow probe from delaying
   the others (Go's goroutine per worker). */
struct kl_prober_worker_s
{
  kl_prober_t *manager;
  struct kl_prober_container_s *container; /* owns the worker */
  kl_probe_type_t type;
  const kl_probe_t *spec; /* in the pod copy; immutable */
  pthread_t thread;
  bool thread_started; /* set by the starting thread before anyone joins */
  pthread_cond_t wake; /* waits on manager->lock */
  int cancel_fd;       /* eventfd written by stop: abandons an HTTP or TCP probe */

  /* Guarded by manager->lock. */
  bool stop;
  bool kicked;   /* look at the container and the clock again */
  bool exited;   /* the thread has returned, or never started */
  bool erroring; /* the last probe errored (logged once per run of errors) */
  kl_probe_state_t state;
};

struct kl_prober_container_s
{
  struct kl_prober_pod_s *pod;
  const kl_container_t *spec;                           /* in the pod copy; immutable */
  struct kl_prober_worker_s *workers[KL_PROBE_N_TYPES]; /* NULL: no such probe */

  /* Guarded by manager->lock. */
  char *container_id; /* NULL until reported */
  int64_t started_at_ns;
  bool running;
  uint64_t generation; /* bumped on every new container_id */
};

struct kl_prober_pod_s
{
  kl_pod_t *pod; /* our copy; immutable */
  const char *uid;
  struct kl_prober_container_s *containers;
  size_t n_containers;
  struct kl_prober_pod_s *next; /* in manager->pods or manager->retired */

  /* Guarded by manager->lock. */
  char *pod_ip;
};

struct kl_prober_notification_s
{
  char *pod_uid;
  char *container_name;
  kl_probe_type_t type;
  kl_probe_result_t result;
  struct kl_prober_notification_s *next;
};

struct kl_prober_s
{
  kl_prober_options_t options;
  pthread_t notifier;

  /* One lock for the manager and every pod, container and worker in it:
     probes run without it, so it is only ever held briefly. */
  pthread_mutex_t lock;
  struct kl_prober_pod_s *pods;    /* added and not removed */
  struct kl_prober_pod_s *retired; /* removed, some worker threads still exiting */
  struct kl_prober_notification_s *queue_head, *queue_tail;
  pthread_cond_t queue_cond; /* the notifier waits for queue entries or stopping */
  bool stopping;
};

/* The injected clock, or CLOCK_REALTIME. */
int64_t kl_prober_now (kl_prober_t *manager);

/* Queues an on_change call with the worker's published result and, for a
   startup success, kicks the container's other workers. Called with
   manager->lock held. */
void kl_prober_notify (struct kl_prober_worker_s *worker);

/* A worker that is not running yet, with the state of no container. */
void kl_prober_worker_init (struct kl_prober_worker_s *worker, kl_prober_t *manager,
                            struct kl_prober_container_s *container, kl_probe_type_t type,
                            const kl_probe_t *spec);

/* Starts the worker's thread. */
int kl_prober_worker_start (struct kl_prober_worker_s *worker, kl_error_t *err);

/* Wakes a worker to look at its container and the clock again. Called with
   manager->lock held. */
void kl_prober_worker_kick (struct kl_prober_worker_s *worker);

/* Asks the worker to stop and abandons its probe in flight. Called with
   manager->lock held. */
void kl_prober_worker_stop (struct kl_prober_worker_s *worker);

/* Joins the worker's thread (after kl_prober_worker_stop ()) and frees what
   it holds, not `worker` itself. Called without manager->lock unless the
   thread has exited. */
void kl_prober_worker_destroy (struct kl_prober_worker_s *worker);

#ifdef __cplusplus
}
#endif

#endif

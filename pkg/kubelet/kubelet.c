#include "pkg/kubelet/kubelet.h"

#include <pthread.h>
#include <string.h>
#include <time.h>

#include "pkg/kubelet/api/static.h"
#include "pkg/kubelet/config/sources.h"
#include "pkg/kubelet/cri/remote/runtime.h"
#include "pkg/kubelet/kuberuntime/labels.h"
#include "pkg/kubelet/kuberuntime/manager.h"
#include "pkg/kubelet/logs/container_log_manager.h"
#include "pkg/kubelet/metrics/kubelet_metrics.h"
#include "pkg/kubelet/node_info.h"
#include "pkg/kubelet/pleg/pleg.h"
#include "pkg/kubelet/pod_workers.h"
#include "pkg/kubelet/prober/manager.h"
#include "pkg/kubelet/server/server.h"
#include "pkg/kubelet/stats.h"
#include "pkg/kubelet/status/generate.h"
#include "pkg/util/log.h"
#include "pkg/util/utils.h"

#define SECOND 1000000000LL
#define PLEG_RELIST_PERIOD (1 * SECOND)
#define PLEG_RELIST_THRESHOLD (180 * SECOND)
#define HOUSEKEEPING_PERIOD (2 * SECOND)
#define LOG_ROTATION_PERIOD (10 * SECOND)
#define SYNC_ERROR_BACKOFF_MIN (1 * SECOND)
#define SYNC_ERROR_BACKOFF_MAX (30 * SECOND)
#define DEFAULT_POD_LOGS_DIR "/var/log/pods"
#define RESOLV_CONF "/etc/resolv.conf"

struct kl_kubelet_s
{
  const kl_kubelet_config_t *config;
  kl_runtime_t *runtime;
  char *runtime_type; /* "containerd", for container IDs */
  char *node_ip;
  kl_kubelet_metrics_t *metrics;
  kl_runtime_manager_t *manager;
  kl_prober_t *prober;
  kl_pod_workers_t *workers;
  kl_pleg_t *pleg;
  kl_pod_config_t *sources;
  kl_server_t *server;
  kl_log_manager_t *logs;

  pthread_t housekeeping;
  bool housekeeping_running;
  pthread_mutex_t lock; /* guards the fields below */
  pthread_cond_t cond;
  bool stopping;
  bool runtime_ok;     /* the last relist succeeded */
  char **started_uids; /* pods whose start was measured */
  size_t n_started_uids;
};

static int64_t
now_ns (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_REALTIME, &ts);
  return ts.tv_sec * SECOND + ts.tv_nsec;
}

/* ---- probe results as the runtime manager and status generation see them ---- */

struct probe_ctx_s
{
  kl_kubelet_t *k;
  const char *uid;
};

static bool
liveness_failed (void *ctx, const char *name, const char *id)
{
  struct probe_ctx_s *p = ctx;
  (void) id;
  return kl_probe_result (p->k->prober, p->uid, name, KL_PROBE_LIVENESS) == KL_PROBE_FAILURE;
}

static bool
startup_failed (void *ctx, const char *name, const char *id)
{
  struct probe_ctx_s *p = ctx;
  (void) id;
  return kl_probe_result (p->k->prober, p->uid, name, KL_PROBE_STARTUP) == KL_PROBE_FAILURE;
}

static bool
container_ready (void *ctx, const char *name, const char *id)
{
  struct probe_ctx_s *p = ctx;
  (void) id;
  return kl_prober_container_ready (p->k->prober, p->uid, name);
}

static bool
container_started (void *ctx, const char *name, const char *id)
{
  struct probe_ctx_s *p = ctx;
  (void) id;
  return kl_prober_container_started (p->k->prober, p->uid, name);
}

/* Tells the prober which container instance runs now and where the pod is. */
static void
update_prober (kl_kubelet_t *k, const kl_pod_t *pod, const kl_runtime_pod_t *rt)
{
  kl_error_t err = NULL;
  if (rt->n_sandboxes && rt->sandboxes[0].ip && rt->sandboxes[0].ip[0])
    kl_prober_update_pod_ip (k->prober, pod->metadata.uid, rt->sandboxes[0].ip, &err);
  else if (pod->spec.host_network && k->node_ip)
    kl_prober_update_pod_ip (k->prober, pod->metadata.uid, k->node_ip, &err);
  kl_error_release (&err);
  for (size_t i = 0; i < pod->spec.n_containers; i++)
    {
      const kl_container_info_t *c
          = kl_runtime_pod_find_container (rt, pod->spec.containers[i].name);
      kl_prober_update_container (k->prober, pod->metadata.uid, pod->spec.containers[i].name,
                                  c ? c->id : NULL, c ? c->started_at : 0,
                                  c && c->state == KL_CONTAINER_RUNNING, &err);
      kl_error_release (&err);
    }
}

/* Records pod start latency the first time every container runs. */
static void
observe_pod_start (kl_kubelet_t *k, const kl_pod_t *pod, const kl_pod_status_t *status)
{
  if (status->n_container_statuses == 0)
    return;
  for (size_t i = 0; i < status->n_container_statuses; i++)
    if (status->container_statuses[i].state.kind != KL_STATE_RUNNING)
      return;
  pthread_mutex_lock (&k->lock);
  for (size_t i = 0; i < k->n_started_uids; i++)
    if (strcmp (k->started_uids[i], pod->metadata.uid) == 0)
      {
        pthread_mutex_unlock (&k->lock);
        return;
      }
  k->started_uids = xrealloc (k->started_uids, (k->n_started_uids + 1) * sizeof (char *));
  k->started_uids[k->n_started_uids++] = xstrdup (pod->metadata.uid);
  pthread_mutex_unlock (&k->lock);
  int64_t seen = kl_parse_rfc3339 (kl_kv_get (
      pod->metadata.annotations, pod->metadata.n_annotations, KL_ANNOTATION_CONFIG_SEEN));
  if (seen > 0)
    kl_histogram_observe (k->metrics->pod_start_duration_seconds,
                          kl_metrics_seconds (now_ns () - seen), NULL);
  kl_counter_inc (k->metrics->started_pods_total, NULL);
}

static void
forget_started (kl_kubelet_t *k, const char *uid)
{
  pthread_mutex_lock (&k->lock);
  for (size_t i = 0; i < k->n_started_uids; i++)
    if (strcmp (k->started_uids[i], uid) == 0)
      {
        free (k->started_uids[i]);
        k->started_uids[i] = k->started_uids[--k->n_started_uids];
        break;
      }
  pthread_mutex_unlock (&k->lock);
}

static bool
deadline_exceeded (const kl_pod_t *pod, const kl_pod_status_t *previous, int64_t now)
{
  if (!pod->spec.has_active_deadline_seconds || previous == NULL || previous->start_time == 0)
    return false;
  return now - previous->start_time >= pod->spec.active_deadline_seconds * SECOND;
}

/* The pod's API status given what the runtime holds (`rt`) and the sync's
   per-container errors. */
static kl_pod_status_t *
generate_status (kl_kubelet_t *k, const kl_pod_t *pod, const kl_runtime_pod_t *rt,
                 const kl_sync_result_t *result, const kl_pod_status_t *previous,
                 const char *failure_reason, const char *failure_message)
{
  struct probe_ctx_s pctx = { .k = k, .uid = pod->metadata.uid };
  kl_readiness_view_t readiness
      = { .ready = container_ready, .started = container_started, .ctx = &pctx };
  kl_status_inputs_t in = {
    .pod = pod,
    .runtime = rt,
    .sync = result,
    .probes = &readiness,
    .previous = previous,
    .runtime_type = k->runtime_type,
    .now = now_ns (),
    .host_ip = k->node_ip,
    .failure_reason = failure_reason,
    .failure_message = failure_message,
  };
  kl_pod_status_t *status = xmalloc0 (sizeof *status);
  kl_generate_pod_status (&in, status);
  return status;
}

/* One sync of a live pod (the pod worker's kl_sync_pod_fn). */
static int64_t
sync_pod (void *ctx, const kl_pod_t *pod, const kl_pod_status_t *previous,
          const kl_cancel_t *cancel, kl_pod_status_t **out)
{
  kl_kubelet_t *k = ctx;
  int64_t start = now_ns ();
  int64_t resync = k->config->sync_frequency_ns;
  cleanup_error kl_error_t err = NULL;
  if (kl_prober_add_pod (k->prober, pod, &err) < 0)
    {
      KL_LOG_WARN ("pod %s: probes: %s", pod->metadata.name, kl_error_message (err));
      kl_error_release (&err);
    }

  cleanup_runtime_pod kl_runtime_pod_t *rt = NULL;
  if (kl_runtime_pod_get (k->runtime, pod->metadata.uid, &rt, &err) < 0)
    {
      KL_LOG_ERROR ("pod %s: %s", pod->metadata.name, kl_error_message (err));
      return SYNC_ERROR_BACKOFF_MIN;
    }

  struct probe_ctx_s pctx = { .k = k, .uid = pod->metadata.uid };
  kl_probe_view_t probes
      = { .liveness_failed = liveness_failed, .startup_failed = startup_failed, .ctx = &pctx };
  kl_sync_result_t result = { 0 };
  const char *failure_reason = NULL, *failure_message = NULL;
  int64_t retry = resync;
  bool failed_before
      = previous && previous->reason && strcmp (previous->reason, "DeadlineExceeded") == 0;
  if (failed_before || deadline_exceeded (pod, previous, start))
    {
      failure_reason = "DeadlineExceeded";
      failure_message = "Pod was active on the node longer than the specified deadline";
      if (!failed_before)
        KL_LOG_INFO ("pod %s: %s", pod->metadata.name, failure_message);
      if (kl_runtime_manager_kill_pod (k->manager, pod, rt, -1, &err) < 0)
        {
          KL_LOG_ERROR ("pod %s: %s", pod->metadata.name, kl_error_message (err));
          kl_error_release (&err);
          retry = SYNC_ERROR_BACKOFF_MIN;
        }
    }
  else
    {
      /* A new pod is listed with its containers waiting while the first
         sync (minutes for a wide pod) starts them, as the Go kubelet sets
         the status before SyncPod. */
      if (previous == NULL)
        {
          kl_pod_status_t *before = generate_status (k, pod, rt, &result, NULL, NULL, NULL);
          kl_pod_workers_set_status (k->workers, pod->metadata.uid, before);
          kl_pod_status_free (before);
        }
      if (kl_runtime_manager_sync_pod (k->manager, pod, rt, &probes, cancel, &result, &err) < 0)
        {
          KL_LOG_ERROR ("pod %s: sync failed: %s", pod->metadata.name, kl_error_message (err));
          kl_error_release (&err);
          retry = SYNC_ERROR_BACKOFF_MIN;
        }
    }
  if (kl_cancelled (cancel))
    {
      /* The pod changed or goes: the worker goes on with that at once. */
      KL_LOG_V (2, "pod %s: sync cancelled", pod->metadata.name);
      kl_sync_result_clear (&result);
      return 0;
    }
  if (result.next_retry_ns > 0 && result.next_retry_ns < retry)
    retry = result.next_retry_ns;

  /* What the runtime holds now is what the status reports. */
  kl_runtime_pod_t *after = NULL;
  if (kl_runtime_pod_get (k->runtime, pod->metadata.uid, &after, &err) == 0)
    {
      kl_runtime_pod_free (rt);
      rt = after;
    }
  else
    kl_error_release (&err);
  update_prober (k, pod, rt);
  kl_pod_status_t *status
      = generate_status (k, pod, rt, &result, previous, failure_reason, failure_message);
  observe_pod_start (k, pod, status);
  kl_runtime_manager_gc_pod (k->manager, rt);
  kl_sync_result_clear (&result);
  kl_histogram_observe (k->metrics->pod_worker_duration_seconds,
                        kl_metrics_seconds (now_ns () - start), "sync", NULL);
  *out = status;
  if (pod->spec.has_active_deadline_seconds && failure_reason == NULL)
    {
      int64_t left = status->start_time + pod->spec.active_deadline_seconds * SECOND - now_ns ();
      if (left > 0 && left < retry)
        retry = left;
    }
  return retry;
}

/* Kills and removes a pod (the pod worker's kl_terminate_pod_fn). */
static int64_t
terminate_pod (void *ctx, const char *uid, const kl_pod_t *pod)
{
  kl_kubelet_t *k = ctx;
  cleanup_error kl_error_t err = NULL;
  cleanup_runtime_pod kl_runtime_pod_t *rt = NULL;
  if (kl_runtime_pod_get (k->runtime, uid, &rt, &err) < 0
      || kl_runtime_manager_kill_pod (k->manager, pod, rt, -1, &err) < 0)
    goto retry;
  kl_runtime_pod_free (rt);
  rt = NULL;
  if (kl_runtime_pod_get (k->runtime, uid, &rt, &err) < 0
      || kl_runtime_manager_remove_pod (k->manager, rt, &err) < 0)
    goto retry;
  kl_prober_remove_pod (k->prober, uid);
  forget_started (k, uid);
  KL_LOG_INFO ("pod %s (%s) terminated and removed", pod ? pod->metadata.name : "", uid);
  return 0;

retry:
  KL_LOG_ERROR ("terminate pod %s: %s", uid, kl_error_message (err));
  return 2 * SECOND;
}

/* ---- event sources ---- */

static void
on_pods (void *ctx, kl_pod_list_t *pods)
{
  kl_kubelet_t *k = ctx;
  kl_pod_workers_set_desired (k->workers, pods);
  /* The list and its pods are ours (kl_pod_config_update_fn). */
  kl_pod_list_clear (pods);
  free (pods);
}

static void
on_pleg_event (void *ctx, const char *uid)
{
  kl_kubelet_t *k = ctx;
  if (!kl_pod_workers_kick (k->workers, uid) && kl_pod_config_ready (k->sources))
    kl_pod_workers_terminate_orphan (k->workers, uid);
}

static void
on_relist (void *ctx, int64_t duration, int64_t interval, bool ok)
{
  kl_kubelet_t *k = ctx;
  kl_histogram_observe (k->metrics->pleg_relist_duration_seconds, kl_metrics_seconds (duration),
                        NULL);
  if (interval > 0)
    kl_histogram_observe (k->metrics->pleg_relist_interval_seconds, kl_metrics_seconds (interval),
                          NULL);
  pthread_mutex_lock (&k->lock);
  if (ok != k->runtime_ok)
    {
      if (ok)
        KL_LOG_INFO ("container runtime at %s is back", k->config->container_runtime_endpoint);
      else
        KL_LOG_ERROR ("container runtime at %s is down; retrying",
                      k->config->container_runtime_endpoint);
    }
  k->runtime_ok = ok;
  pthread_mutex_unlock (&k->lock);
  if (ok)
    kl_gauge_set (k->metrics->pleg_last_seen_seconds, (double) now_ns () / 1e9, NULL);
}

static void
on_probe_change (void *ctx, const char *uid, const char *name, kl_probe_type_t type,
                 kl_probe_result_t result)
{
  kl_kubelet_t *k = ctx;
  KL_LOG_V (2, "pod %s container %s: %s probe %s", uid, name, kl_probe_type_name (type),
            kl_probe_result_name (result));
  kl_pod_workers_kick (k->workers, uid);
}

static void
on_runtime_operation (void *ctx, const char *operation, int64_t duration, bool failed)
{
  kl_kubelet_t *k = ctx;
  kl_kubelet_metrics_runtime_operation (k->metrics, operation, duration, failed);
}

/* ---- housekeeping: orphans, finished workers, metrics, log rotation ---- */

static void
remove_orphans (kl_kubelet_t *k)
{
  Runtime__V1__ListPodSandboxRequest req = RUNTIME__V1__LIST_POD_SANDBOX_REQUEST__INIT;
  cleanup_pb Runtime__V1__ListPodSandboxResponse *resp = NULL;
  cleanup_error kl_error_t err = NULL;
  if (kl_runtime_list_pod_sandbox (k->runtime, &req, &resp, &err) < 0)
    return;
  for (size_t i = 0; i < resp->n_items; i++)
    {
      const Runtime__V1__PodSandbox *s = resp->items[i];
      const char *uid = kl_cri_map_get ((void *const *) s->labels, s->n_labels, KL_LABEL_POD_UID);
      if (uid && !kl_pod_workers_known (k->workers, uid))
        kl_pod_workers_terminate_orphan (k->workers, uid);
    }
}

static void
update_gauges (kl_kubelet_t *k)
{
  kl_pod_snapshot_t snap;
  kl_pod_workers_snapshot (k->workers, &snap);
  size_t running_pods = 0, running = 0, exited = 0, waiting = 0;
  for (size_t i = 0; i < snap.n; i++)
    {
      const kl_pod_status_t *s = snap.statuses[i];
      if (s == NULL)
        continue;
      running_pods += s->phase && strcmp (s->phase, "Running") == 0;
      for (size_t c = 0; c < s->n_container_statuses; c++)
        switch (s->container_statuses[c].state.kind)
          {
          case KL_STATE_RUNNING:
            running++;
            break;
          case KL_STATE_TERMINATED:
            exited++;
            break;
          default:
            waiting++;
          }
    }
  kl_pod_workers_snapshot_free (&snap);
  kl_gauge_set (k->metrics->running_pods, (double) running_pods, NULL);
  kl_gauge_set (k->metrics->running_containers, (double) running, KL_METRICS_CONTAINER_RUNNING,
                NULL);
  kl_gauge_set (k->metrics->running_containers, (double) exited, KL_METRICS_CONTAINER_EXITED, NULL);
  kl_gauge_set (k->metrics->running_containers, (double) waiting, KL_METRICS_CONTAINER_CREATED,
                NULL);
}

static void *
housekeeping_loop (void *arg)
{
  kl_kubelet_t *k = arg;
  int64_t last_rotation = 0;
  pthread_mutex_lock (&k->lock);
  while (!k->stopping)
    {
      pthread_mutex_unlock (&k->lock);
      kl_pod_workers_reap (k->workers);
      if (kl_pod_config_ready (k->sources))
        remove_orphans (k);
      update_gauges (k);
      int64_t now = now_ns ();
      if (now - last_rotation >= LOG_ROTATION_PERIOD)
        {
          cleanup_error kl_error_t err = NULL;
          if (kl_log_manager_rotate_once (k->logs, &err) < 0)
            KL_LOG_WARN ("container log rotation: %s", kl_error_message (err));
          last_rotation = now;
        }
      pthread_mutex_lock (&k->lock);
      struct timespec deadline;
      clock_gettime (CLOCK_MONOTONIC, &deadline);
      deadline.tv_sec += HOUSEKEEPING_PERIOD / SECOND;
      while (!k->stopping && pthread_cond_timedwait (&k->cond, &k->lock, &deadline) == 0)
        ;
    }
  pthread_mutex_unlock (&k->lock);
  return NULL;
}

/* ---- the read-only API's provider ---- */

static int
provide_pods (void *ctx, kl_server_pods_t *out, kl_error_t *err)
{
  kl_kubelet_t *k = ctx;
  (void) err;
  kl_pod_snapshot_t snap;
  kl_pod_workers_snapshot (k->workers, &snap);
  for (size_t i = 0; i < snap.n; i++)
    {
      kl_server_pods_append (out, snap.pods[i], snap.statuses[i]);
      snap.pods[i] = NULL;
      snap.statuses[i] = NULL;
    }
  kl_pod_workers_snapshot_free (&snap);
  return 0;
}

static int
provide_healthz (void *ctx, kl_healthz_checks_t *out, kl_error_t *err)
{
  kl_kubelet_t *k = ctx;
  (void) err;
  cleanup_free char *pleg = k->pleg->ops->unhealthy_reason (k->pleg);
  kl_healthz_checks_add (out, "pleg", pleg);
  pthread_mutex_lock (&k->lock);
  bool runtime_ok = k->runtime_ok;
  pthread_mutex_unlock (&k->lock);
  cleanup_free char *runtime = runtime_ok ? NULL
                                          : xasprintf ("container runtime at %s is down",
                                                       k->config->container_runtime_endpoint);
  kl_healthz_checks_add (out, "runtime", runtime);
  return 0;
}

static int
provide_stats (void *ctx, bool only_cpu_and_memory, kl_stats_summary_t *out, kl_error_t *err)
{
  kl_kubelet_t *k = ctx;
  (void) only_cpu_and_memory;
  kl_pod_snapshot_t snap;
  kl_pod_workers_snapshot (k->workers, &snap);
  int ret = kl_stats_summary_collect (k->runtime, k->config->node_name, &snap, out, err);
  kl_pod_workers_snapshot_free (&snap);
  return ret;
}

static kl_kubelet_metrics_t *
provide_metrics (void *ctx)
{
  return ((kl_kubelet_t *) ctx)->metrics;
}

static const kl_server_provider_ops_t provider_ops = {
  .pods = provide_pods,
  .healthz = provide_healthz,
  .stats_summary = provide_stats,
  .metrics = provide_metrics,
};

/* ---- life cycle ---- */

int
kl_kubelet_new (const kl_kubelet_config_t *config, kl_kubelet_t **out, kl_error_t *err)
{
  kl_cri_client_t *cri = NULL;
  int ret = kl_cri_client_new (config->container_runtime_endpoint, config->image_service_endpoint,
                               config->runtime_request_timeout_ns, &cri, err);
  if (ret < 0)
    return ret;
  kl_kubelet_t *k = xmalloc0 (sizeof *k);
  k->config = config;
  k->runtime = kl_cri_runtime_new (cri, "containerd");
  k->node_ip = kl_node_ip ();
  k->runtime_ok = true;
  pthread_mutex_init (&k->lock, NULL);
  pthread_condattr_t attr;
  pthread_condattr_init (&attr);
  pthread_condattr_setclock (&attr, CLOCK_MONOTONIC);
  pthread_cond_init (&k->cond, &attr);
  pthread_condattr_destroy (&attr);
  *out = k;
  return 0;
}

/* Asks the runtime who it is: the first call, which fails fast when nothing
   listens on the endpoint. */
static int
check_runtime (kl_kubelet_t *k, kl_error_t *err)
{
  Runtime__V1__VersionRequest req = RUNTIME__V1__VERSION_REQUEST__INIT;
  req.version = (char *) "v1";
  cleanup_pb Runtime__V1__VersionResponse *version = NULL;
  int ret = kl_runtime_version (k->runtime, &req, &version, err);
  if (ret < 0)
    return kl_error_wrap (err, "container runtime at %s is not reachable",
                          k->config->container_runtime_endpoint);
  KL_LOG_INFO ("container runtime %s %s (CRI %s) at %s", version->runtime_name,
               version->runtime_version, version->runtime_api_version,
               k->config->container_runtime_endpoint);
  free (k->runtime_type);
  k->runtime_type = xstrdup (version->runtime_name[0] ? version->runtime_name : "cri");
  k->runtime->type = k->runtime_type;
  return 0;
}

int
kl_kubelet_start (kl_kubelet_t *k, kl_error_t *err)
{
  const kl_kubelet_config_t *c = k->config;
  int ret = check_runtime (k, err);
  if (ret < 0)
    return ret;
  ret = kl_kubelet_metrics_new (c->node_name, &k->metrics, err);
  if (ret < 0)
    return ret;

  kl_runtime_manager_opts_t mopts = {
    .runtime = k->runtime,
    .root_dir = c->root_dir,
    .pod_logs_dir = c->pod_logs_dir && c->pod_logs_dir[0] ? c->pod_logs_dir : DEFAULT_POD_LOGS_DIR,
    .resolv_conf = RESOLV_CONF,
    .memory_capacity = kl_node_memory_capacity (),
    .on_operation = on_runtime_operation,
    .operation_ctx = k,
  };
  ret = kl_runtime_manager_new (&mopts, &k->manager, err);
  if (ret < 0)
    return ret;
  kl_prober_options_t popts
      = { .runtime = k->runtime, .on_change = on_probe_change, .on_change_ctx = k };
  ret = kl_prober_new (&popts, &k->prober, err);
  if (ret < 0)
    return ret;
  ret = kl_log_manager_new (k->runtime, c->container_log_max_size_bytes, c->container_log_max_files,
                            NULL, NULL, &k->logs, err);
  if (ret < 0)
    return ret;
  kl_pod_workers_opts_t wopts = { .sync = sync_pod, .terminate = terminate_pod, .ctx = k };
  k->workers = kl_pod_workers_new (&wopts);

  kl_pleg_opts_t lopts = {
    .runtime = k->runtime,
    .relist_period_ns = PLEG_RELIST_PERIOD,
    .relist_threshold_ns = PLEG_RELIST_THRESHOLD,
    .on_event = on_pleg_event,
    .on_relist = on_relist,
    .ctx = k,
  };
  k->pleg = kl_pleg_generic_new (&lopts);

  kl_server_options_t sopts = {
    .address = c->address,
    .read_only_port = c->read_only_port,
    .healthz_bind_address = c->healthz_bind_address,
    .healthz_port = c->healthz_port,
    .ops = &provider_ops,
    .ctx = k,
  };
  ret = kl_server_start (&sopts, &k->server, err);
  if (ret < 0)
    return ret;

  kl_pod_config_options_t copts;
  kl_pod_config_options_from_kubelet (&copts, c);
  ret = kl_pod_config_start (&copts, on_pods, k, &k->sources, err);
  if (ret < 0)
    return ret;
  ret = k->pleg->ops->start (k->pleg, err);
  if (ret < 0)
    return ret;
  if (pthread_create (&k->housekeeping, NULL, housekeeping_loop, k) != 0)
    return kl_make_error (err, 0, "start housekeeping thread");
  k->housekeeping_running = true;
  KL_LOG_INFO ("kubelet running: manifests %s%s%s, read-only port %d, healthz port %d",
               c->static_pod_path[0] ? c->static_pod_path : "(none)",
               c->static_pod_url[0] ? ", url " : "", c->static_pod_url, c->read_only_port,
               c->healthz_port);
  return 0;
}

void
kl_kubelet_stop (kl_kubelet_t *k)
{
  if (k == NULL)
    return;
  kl_pod_config_stop (k->sources);
  k->sources = NULL;
  if (k->pleg)
    k->pleg->ops->stop (k->pleg);
  pthread_mutex_lock (&k->lock);
  k->stopping = true;
  pthread_cond_broadcast (&k->cond);
  pthread_mutex_unlock (&k->lock);
  if (k->housekeeping_running)
    pthread_join (k->housekeeping, NULL);
  k->housekeeping_running = false;
  kl_server_stop (k->server);
  k->server = NULL;
  kl_pod_workers_free (k->workers);
  k->workers = NULL;
}

void
kl_kubelet_free (kl_kubelet_t *k)
{
  if (k == NULL)
    return;
  kl_kubelet_stop (k);
  if (k->pleg)
    k->pleg->ops->free (k->pleg);
  kl_prober_free (k->prober);
  kl_log_manager_free (k->logs);
  kl_runtime_manager_free (k->manager);
  kl_kubelet_metrics_free (k->metrics);
  kl_runtime_free (k->runtime);
  for (size_t i = 0; i < k->n_started_uids; i++)
    free (k->started_uids[i]);
  free (k->started_uids);
  free (k->runtime_type);
  free (k->node_ip);
  pthread_mutex_destroy (&k->lock);
  pthread_cond_destroy (&k->cond);
  free (k);
}

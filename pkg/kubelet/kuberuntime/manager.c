#include "pkg/kubelet/kuberuntime/manager.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>
#include <string.h>
#include <time.h>

#include "pkg/kubelet/kuberuntime/manager-internal.h"
#include "pkg/kubelet/kuberuntime/sandbox.h"
#include "pkg/kubelet/volume/volume.h"
#include "pkg/util/fs.h"
#include "pkg/util/log.h"
#include "pkg/util/utils.h"

#define BACKOFF_INITIAL_NS (10LL * 1000000000LL)
#define BACKOFF_MAX_NS (300LL * 1000000000LL)
#define DEFAULT_GRACE_SECONDS 30

int64_t
kl_manager_now (kl_runtime_manager_t *m)
{
  if (m->opts.now)
    return m->opts.now (m->opts.clock_ctx);
  struct timespec ts;
  clock_gettime (CLOCK_REALTIME, &ts);
  return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

void
kl_manager_observe (kl_runtime_manager_t *m, const char *operation, int64_t start, int ret)
{
  if (m->opts.on_operation)
    m->opts.on_operation (m->opts.operation_ctx, operation, kl_manager_now (m) - start, ret < 0);
}

void
kl_sync_result_clear (kl_sync_result_t *r)
{
  for (size_t i = 0; i < r->n_errors; i++)
    {
      free (r->errors[i].name);
      free (r->errors[i].reason);
      free (r->errors[i].message);
    }
  free (r->errors);
  memset (r, 0, sizeof *r);
}

static void
add_sync_error (kl_sync_result_t *r, const char *name, char *reason, char *message)
{
  r->errors = xrealloc (r->errors, (r->n_errors + 1) * sizeof *r->errors);
  r->errors[r->n_errors++]
      = (kl_container_sync_error_t){ .name = xstrdup (name), .reason = reason, .message = message };
}

int
kl_runtime_manager_new (const kl_runtime_manager_opts_t *opts, kl_runtime_manager_t **out,
                        kl_error_t *err)
{
  (void) err;
  kl_runtime_manager_t *m = xmalloc0 (sizeof *m);
  m->opts = *opts;
  m->opts.root_dir = xstrdup (opts->root_dir);
  m->opts.pod_logs_dir = xstrdup (opts->pod_logs_dir);
  m->opts.resolv_conf = opts->resolv_conf ? xstrdup (opts->resolv_conf) : NULL;
  kl_backoff_init (&m->crash_backoff, BACKOFF_INITIAL_NS, BACKOFF_MAX_NS);
  kl_backoff_init (&m->image_backoff, BACKOFF_INITIAL_NS, BACKOFF_MAX_NS);
  *out = m;
  return 0;
}

void
kl_runtime_manager_free (kl_runtime_manager_t *m)
{
  if (m == NULL)
    return;
  kl_backoff_destroy (&m->crash_backoff);
  kl_backoff_destroy (&m->image_backoff);
  free ((char *) m->opts.root_dir);
  free ((char *) m->opts.pod_logs_dir);
  free ((char *) m->opts.resolv_conf);
  free (m);
}

char *
kl_runtime_manager_pod_dir (kl_runtime_manager_t *m, const char *uid)
{
  return xasprintf ("%s/pods/%s", m->opts.root_dir, uid);
}

static int64_t
pod_grace_seconds (const kl_pod_t *pod)
{
  return pod && pod->spec.has_termination_grace_period_seconds
             ? pod->spec.termination_grace_period_seconds
             : DEFAULT_GRACE_SECONDS;
}

/* Kills containers on up to KILL_PARALLELISM threads so that grace periods
   run in parallel. The Go kubelet stops all of a pod's containers at once;
   containerd's one shim per pod does not take that for hundreds (250 on 2
   cores: its exit handling timed out and after minutes none was removed),
   while pods up to this size still get every grace period side by side. */
#define KILL_PARALLELISM 32

struct kill_job_s
{
  kl_runtime_manager_t *m;
  const kl_container_t *spec;
  const char *id, *name, *why;
  int64_t grace;
  int ret;
  kl_error_t err;
};

static void
kill_job (struct kill_job_s *j)
{
  j->ret = kl_kill_container (j->m, j->spec, j->id, j->name, j->grace, j->why, &j->err);
}

struct kill_pool_s
{
  struct kill_job_s *jobs;
  size_t n;
  size_t next; /* the next job to take (atomic) */
};

static void *
kill_worker (void *arg)
{
  struct kill_pool_s *pool = arg;
  for (size_t i; (i = __atomic_fetch_add (&pool->next, 1, __ATOMIC_RELAXED)) < pool->n;)
    kill_job (&pool->jobs[i]);
  return NULL;
}

static int
kill_containers_parallel (kl_runtime_manager_t *m, struct kill_job_s *jobs, size_t n,
                          kl_error_t *err)
{
  struct kill_pool_s pool = { .jobs = jobs, .n = n };
  for (size_t i = 0; i < n; i++)
    jobs[i].m = m;
  /* This thread is one of the workers, and does it all if no other starts. */
  pthread_t threads[KILL_PARALLELISM - 1];
  size_t n_threads = 0;
  while (n_threads + 1 < n && n_threads < KILL_PARALLELISM - 1
         && pthread_create (&threads[n_threads], NULL, kill_worker, &pool) == 0)
    n_threads++;
  kill_worker (&pool);
  for (size_t i = 0; i < n_threads; i++)
    pthread_join (threads[i], NULL);
  int ret = 0;
  for (size_t i = 0; i < n; i++)
    {
      if (jobs[i].ret < 0 && ret == 0)
        {
          ret = jobs[i].ret;
          *err = jobs[i].err;
          jobs[i].err = NULL;
        }
      kl_error_release (&jobs[i].err);
    }
  return ret;
}

int
kl_runtime_manager_kill_pod (kl_runtime_manager_t *m, const kl_pod_t *pod,
                             const kl_runtime_pod_t *status, int64_t grace_seconds, kl_error_t *err)
{
  if (grace_seconds < 0 && pod)
    grace_seconds = pod_grace_seconds (pod);
  else if (grace_seconds < 0)
    grace_seconds = DEFAULT_GRACE_SECONDS;
  struct kill_job_s *jobs = xmalloc0 ((status->n_containers + 1) * sizeof *jobs);
  size_t n = 0;
  for (size_t i = 0; i < status->n_containers; i++)
    {
      const kl_container_info_t *c = &status->containers[i];
      /* Created ones too: a start cut short (the kubelet killed during
         StartContainer) can leave containerd showing "created" while its
         task runs, and then the task blocks the container's removal. */
      if (c->state == KL_CONTAINER_EXITED)
        continue;
      /* Without the pod's spec (an orphan), the grace period it had. */
      int64_t grace = grace_seconds;
      if (pod == NULL && c->grace_seconds >= 0)
        grace = c->grace_seconds;
      jobs[n++] = (struct kill_job_s){
        /* No preStop hook for a container that never ran. */
        .spec
        = pod && c->state != KL_CONTAINER_CREATED ? kl_pod_find_container (pod, c->name) : NULL,
        .id = c->id,
        .name = c->name,
        .why = "killing pod",
        .grace = grace,
      };
    }
  int ret = kill_containers_parallel (m, jobs, n, err);
  free (jobs);
  if (ret < 0)
    return ret;
  for (size_t i = 0; i < status->n_sandboxes; i++)
    {
      Runtime__V1__StopPodSandboxRequest req = RUNTIME__V1__STOP_POD_SANDBOX_REQUEST__INIT;
      req.pod_sandbox_id = status->sandboxes[i].id;
      cleanup_pb Runtime__V1__StopPodSandboxResponse *resp = NULL;
      int64_t start = kl_manager_now (m);
      ret = kl_runtime_stop_pod_sandbox (m->opts.runtime, &req, &resp, err);
      kl_manager_observe (m, "stop_podsandbox", start, ret);
      if (ret < 0 && !kl_error_is (*err, KL_ERROR_NOT_FOUND))
        return kl_error_wrap (err, "stop sandbox %.12s", status->sandboxes[i].id);
      if (ret < 0)
        kl_error_release (err); /* already gone */
    }
  return 0;
}

static int
remove_container (kl_runtime_manager_t *m, const char *id, kl_error_t *err)
{
  Runtime__V1__RemoveContainerRequest req = RUNTIME__V1__REMOVE_CONTAINER_REQUEST__INIT;
  req.container_id = (char *) id;
  cleanup_pb Runtime__V1__RemoveContainerResponse *resp = NULL;
  int64_t start = kl_manager_now (m);
  int ret = kl_runtime_remove_container (m->opts.runtime, &req, &resp, err);
  kl_manager_observe (m, "remove_container", start, ret);
  if (ret < 0 && kl_error_is (*err, KL_ERROR_NOT_FOUND))
    {
      kl_error_release (err);
      return 0;
    }
  return ret;
}

static int
remove_sandbox (kl_runtime_manager_t *m, const char *id, kl_error_t *err)
{
  Runtime__V1__RemovePodSandboxRequest req = RUNTIME__V1__REMOVE_POD_SANDBOX_REQUEST__INIT;
  req.pod_sandbox_id = (char *) id;
  cleanup_pb Runtime__V1__RemovePodSandboxResponse *resp = NULL;
  int64_t start = kl_manager_now (m);
  int ret = kl_runtime_remove_pod_sandbox (m->opts.runtime, &req, &resp, err);
  kl_manager_observe (m, "remove_podsandbox", start, ret);
  if (ret < 0 && kl_error_is (*err, KL_ERROR_NOT_FOUND))
    {
      kl_error_release (err);
      return 0;
    }
  return ret;
}

/* Removes <pod log dir>/<container>/<files>: exactly the two levels the
   runtime writes, never following a symlink. */
static int
remove_log_dir (const char *dir, kl_error_t *err)
{
  int dfd = open (dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dfd < 0)
    return errno == ENOENT ? 0 : kl_make_error (err, errno, "open %s", dir);
  DIR *d = fdopendir (dfd);
  if (d == NULL)
    {
      close (dfd);
      return kl_make_error (err, errno, "opendir %s", dir);
    }
  struct dirent *de;
  while ((de = readdir (d)))
    {
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      if (unlinkat (dfd, de->d_name, 0) == 0)
        continue;
      int sub = openat (dfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (sub < 0)
        continue;
      DIR *sd = fdopendir (sub);
      if (sd == NULL)
        {
          close (sub);
          continue;
        }
      struct dirent *se;
      while ((se = readdir (sd)))
        if (se->d_type != DT_DIR)
          unlinkat (sub, se->d_name, 0);
      closedir (sd);
      unlinkat (dfd, de->d_name, AT_REMOVEDIR);
    }
  closedir (d);
  if (rmdir (dir) < 0 && errno != ENOENT)
    return kl_make_error (err, errno, "rmdir %s", dir);
  return 0;
}

int
kl_runtime_manager_remove_pod (kl_runtime_manager_t *m, const kl_runtime_pod_t *status,
                               kl_error_t *err)
{
  for (size_t i = 0; i < status->n_containers; i++)
    if (remove_container (m, status->containers[i].id, err) < 0)
      return kl_error_wrap (err, "remove container %s", status->containers[i].name);
  for (size_t i = 0; i < status->n_sandboxes; i++)
    if (remove_sandbox (m, status->sandboxes[i].id, err) < 0)
      return kl_error_wrap (err, "remove sandbox %.12s", status->sandboxes[i].id);
  cleanup_free char *pod_dir = kl_runtime_manager_pod_dir (m, status->uid);
  if (kl_volumes_teardown (pod_dir, err) < 0)
    return kl_error_wrap (err, "pod directory %s", pod_dir);
  cleanup_free char *prefix = xasprintf ("%s/", status->uid);
  kl_backoff_forget_prefix (&m->crash_backoff, prefix);
  kl_backoff_forget_prefix (&m->image_backoff, prefix);
  if (status->name && status->namespace_)
    {
      kl_pod_t ref = { 0 };
      ref.metadata.name = status->name;
      ref.metadata.namespace_ = status->namespace_;
      ref.metadata.uid = status->uid;
      cleanup_free char *log_dir = kl_pod_log_directory (m->opts.pod_logs_dir, &ref);
      if (remove_log_dir (log_dir, err) < 0)
        return kl_error_wrap (err, "pod log directory");
    }
  return 0;
}

void
kl_runtime_manager_gc_pod (kl_runtime_manager_t *m, const kl_runtime_pod_t *status)
{
  /* Containers come newest first: keep the newest exited instance of each
     name (the Go kubelet's MaxPerPodContainer = 1), which is lastState. A
     created one that never started (its start failed, or the kubelet died
     between create and start) goes once a newer instance replaced it. */
  for (size_t i = 0; i < status->n_containers; i++)
    {
      const kl_container_info_t *c = &status->containers[i];
      if (c->state != KL_CONTAINER_EXITED && c->state != KL_CONTAINER_CREATED)
        continue;
      bool superseded = false;
      for (size_t j = 0; j < i; j++)
        superseded |= (c->state == KL_CONTAINER_CREATED
                       || status->containers[j].state == KL_CONTAINER_EXITED)
                      && strcmp (status->containers[j].name, c->name) == 0;
      if (!superseded)
        continue;
      cleanup_error kl_error_t err = NULL;
      if (remove_container (m, c->id, &err) < 0)
        KL_LOG_WARN ("gc: remove container %.12s: %s", c->id, kl_error_message (err));
    }
  for (size_t i = 1; i < status->n_sandboxes; i++)
    {
      const kl_sandbox_info_t *s = &status->sandboxes[i];
      if (s->ready)
        continue;
      bool has_containers = false;
      for (size_t j = 0; j < status->n_containers; j++)
        has_containers |= strcmp (status->containers[j].sandbox_id, s->id) == 0;
      if (has_containers)
        continue;
      cleanup_error kl_error_t err = NULL;
      if (remove_sandbox (m, s->id, &err) < 0)
        KL_LOG_WARN ("gc: remove sandbox %.12s: %s", s->id, kl_error_message (err));
    }
}

/* Runs a new sandbox for the pod; *id and *ip describe it. */
static int
create_sandbox (kl_runtime_manager_t *m, const kl_pod_t *pod,
                const Runtime__V1__PodSandboxConfig *config, char **id, char **ip, kl_error_t *err)
{
  Runtime__V1__RunPodSandboxRequest req = RUNTIME__V1__RUN_POD_SANDBOX_REQUEST__INIT;
  req.config = (Runtime__V1__PodSandboxConfig *) config;
  cleanup_pb Runtime__V1__RunPodSandboxResponse *resp = NULL;
  int64_t start = kl_manager_now (m);
  int ret = kl_runtime_run_pod_sandbox (m->opts.runtime, &req, &resp, err);
  kl_manager_observe (m, "run_podsandbox", start, ret);
  if (ret < 0)
    return kl_error_wrap (err, "create sandbox for pod \"%s\"", pod->metadata.name);
  *id = xstrdup (resp->pod_sandbox_id);
  Runtime__V1__PodSandboxStatusRequest sreq = RUNTIME__V1__POD_SANDBOX_STATUS_REQUEST__INIT;
  sreq.pod_sandbox_id = resp->pod_sandbox_id;
  cleanup_pb Runtime__V1__PodSandboxStatusResponse *status = NULL;
  ret = kl_runtime_pod_sandbox_status (m->opts.runtime, &sreq, &status, err);
  if (ret < 0)
    return kl_error_wrap (err, "status of new sandbox %.12s", resp->pod_sandbox_id);
  *ip = xstrdup (status->status && status->status->network ? status->status->network->ip : "");
  KL_LOG_V (2, "created sandbox %.12s for pod %s (attempt %u, IP %s)", *id, pod->metadata.name,
            config->metadata->attempt, *ip);
  return 0;
}

static void
purge_init_containers (kl_runtime_manager_t *m, const kl_runtime_pod_t *status)
{
  for (size_t i = 0; i < status->n_containers; i++)
    if (status->containers[i].is_init && status->containers[i].state != KL_CONTAINER_RUNNING)
      {
        cleanup_error kl_error_t err = NULL;
        if (remove_container (m, status->containers[i].id, &err) < 0)
          KL_LOG_WARN ("remove init container %s: %s", status->containers[i].name,
                       kl_error_message (err));
      }
}

static int64_t
earliest_retry (int64_t a, int64_t b)
{
  if (a <= 0)
    return b;
  if (b <= 0)
    return a;
  return a < b ? a : b;
}

int
kl_runtime_manager_sync_pod (kl_runtime_manager_t *m, const kl_pod_t *pod,
                             const kl_runtime_pod_t *status, const kl_probe_view_t *probes,
                             const kl_cancel_t *cancel, kl_sync_result_t *result, kl_error_t *err)
{
  kl_pod_actions_t actions;
  kl_compute_pod_actions (pod, status, probes, &actions);
  int ret = 0;
  cleanup_free char *new_sandbox_id = NULL;
  cleanup_free char *pod_ip = NULL;
  cleanup_free char *pod_dir = NULL;
  cleanup_pb Runtime__V1__PodSandboxConfig *sandbox_config = NULL;
  const char *sandbox_id = actions.sandbox_id;

  if (actions.kill_pod)
    {
      if (actions.create_sandbox)
        KL_LOG_INFO ("pod %s: no ready sandbox, creating a new one (attempt %u)",
                     pod->metadata.name, actions.attempt);
      ret = kl_runtime_manager_kill_pod (m, pod, status, -1, err);
      if (ret < 0)
        goto out;
      if (actions.create_sandbox)
        purge_init_containers (m, status);
    }
  else
    for (size_t i = 0; i < actions.n_containers_to_kill; i++)
      {
        kl_container_to_kill_t *k = &actions.containers_to_kill[i];
        KL_LOG_INFO ("pod %s: %s", pod->metadata.name, k->message);
        int64_t grace = pod_grace_seconds (pod);
        if (k->reason == KL_KILL_LIVENESS && k->spec->liveness_probe
            && k->spec->liveness_probe->has_termination_grace_period_seconds)
          grace = k->spec->liveness_probe->termination_grace_period_seconds;
        ret = kl_kill_container (m, k->spec, k->info->id, k->info->name, grace, k->message, err);
        if (ret < 0)
          goto out;
      }

  if ((!actions.create_sandbox && actions.kill_pod) || kl_cancelled (cancel))
    goto out;

  pod_dir = kl_runtime_manager_pod_dir (m, pod->metadata.uid);
  ret = kl_volumes_setup (pod_dir, pod, err);
  if (ret < 0)
    goto out;
  uint32_t attempt = actions.attempt;
  ret = kl_sandbox_config_make (pod, attempt, m->opts.pod_logs_dir, m->opts.resolv_conf,
                                &sandbox_config, err);
  if (ret < 0)
    goto out;
  if (actions.create_sandbox)
    {
      cleanup_free char *log_dir = kl_pod_log_directory (m->opts.pod_logs_dir, pod);
      if (kl_mkdir_p (log_dir, 0755, err) < 0)
        {
          ret = -1;
          goto out;
        }
      ret = create_sandbox (m, pod, sandbox_config, &new_sandbox_id, &pod_ip, err);
      if (ret < 0)
        goto out;
      sandbox_id = new_sandbox_id;
    }
  else
    for (size_t i = 0; i < status->n_sandboxes; i++)
      if (strcmp (status->sandboxes[i].id, sandbox_id) == 0)
        pod_ip = xstrdup (status->sandboxes[i].ip ? status->sandboxes[i].ip : "");

  if (actions.next_init_container)
    {
      char *reason = NULL, *message = NULL;
      int64_t retry = 0;
      if (kl_cancelled (cancel))
        goto out;
      if (kl_start_container (m, pod, actions.next_init_container, true, status, sandbox_id,
                              sandbox_config, pod_ip, cancel, &retry, &reason, &message)
          < 0)
        {
          result->next_retry_ns = earliest_retry (result->next_retry_ns, retry);
          add_sync_error (result, actions.next_init_container->name, reason, message);
        }
      goto out;
    }
  /* One at a time, each pulling its image first: a wide pod takes long, so
     a cancel (the pod changed or went) is honoured between containers. */
  for (size_t i = 0; i < actions.n_containers_to_start && !kl_cancelled (cancel); i++)
    {
      const kl_container_t *c = &pod->spec.containers[actions.containers_to_start[i]];
      char *reason = NULL, *message = NULL;
      int64_t retry = 0;
      if (kl_start_container (m, pod, c, false, status, sandbox_id, sandbox_config, pod_ip, cancel,
                              &retry, &reason, &message)
          < 0)
        {
          KL_LOG_V (2, "pod %s container %s: %s: %s", pod->metadata.name, c->name, reason, message);
          result->next_retry_ns = earliest_retry (result->next_retry_ns, retry);
          add_sync_error (result, c->name, reason, message);
        }
    }

out:
  kl_pod_actions_clear (&actions);
  return ret;
}

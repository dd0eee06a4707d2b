/* Starting and killing containers: config, create, start, hooks, stop. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pkg/kubelet/api/static.h"
#include "pkg/kubelet/kuberuntime/container_config.h"
#include "pkg/kubelet/kuberuntime/manager-internal.h"
#include "pkg/kubelet/volume/etc_hosts.h"
#include "pkg/kubelet/volume/path.h"
#include "pkg/kubelet/volume/volume.h"
#include "pkg/util/log.h"
#include "pkg/util/utils.h"

#define MIN_GRACE_SECONDS 2
#define POST_START_TIMEOUT_SECONDS 30

int
kl_run_exec_hook (kl_runtime_manager_t *m, const char *container_id, char *const *command,
                  size_t n_command, int64_t timeout_seconds, char **message)
{
  Runtime__V1__ExecSyncRequest req = RUNTIME__V1__EXEC_SYNC_REQUEST__INIT;
  req.container_id = (char *) container_id;
  req.cmd = (char **) command;
  req.n_cmd = n_command;
  req.timeout = timeout_seconds;
  cleanup_pb Runtime__V1__ExecSyncResponse *resp = NULL;
  cleanup_error kl_error_t err = NULL;
  int64_t start = kl_manager_now (m);
  int ret = kl_runtime_exec_sync (m->opts.runtime, &req, &resp, &err);
  kl_manager_observe (m, "exec_sync", start, ret);
  if (ret < 0)
    {
      *message = xstrdup (kl_error_message (err));
      return -1;
    }
  if (resp->exit_code != 0)
    {
      *message = xasprintf ("command '%s' exited with %d: %.*s%.*s", command[0], resp->exit_code,
                            (int) resp->stdout.len, (const char *) resp->stdout.data,
                            (int) resp->stderr.len, (const char *) resp->stderr.data);
      return -1;
    }
  return 0;
}

/* The CrashLoopBackOff check, as doBackOff: keyed by pod, container and
   spec hash, counted from the last exit. */
static bool
in_crash_backoff (kl_runtime_manager_t *m, const kl_pod_t *pod, const kl_container_t *c,
                  const kl_runtime_pod_t *status, int64_t *retry_ns, char **message)
{
  const kl_container_info_t *last = kl_runtime_pod_find_container (status, c->name);
  if (last == NULL || last->state != KL_CONTAINER_EXITED)
    return false;
  cleanup_free char *key
      = xasprintf ("%s/%s/%" PRIx64, pod->metadata.uid, c->name, kl_container_hash (c));
  int64_t remaining = 0;
  if (kl_backoff_in_backoff_since (&m->crash_backoff, key, last->finished_at, kl_manager_now (m),
                                   &remaining))
    {
      int64_t delay = kl_backoff_get (&m->crash_backoff, key);
      *retry_ns = remaining;
      *message = xasprintf ("back-off %" PRId64 "s restarting failed container=%s pod=%s_%s(%s)",
                            (int64_t) (delay / 1000000000LL), c->name, pod->metadata.name,
                            pod->metadata.namespace_, pod->metadata.uid);
      return true;
    }
  kl_backoff_next (&m->crash_backoff, key, last->finished_at);
  return false;
}

/* An empty file under <pod_dir>/containers/<name>/ that becomes the
   container's terminationMessagePath. */
static char *
make_termination_log (const char *pod_dir, const kl_container_t *c, int restart_count)
{
  if (!kl_path_component_ok (c->name))
    return NULL;
  cleanup_free char *dir = xasprintf ("%s/containers/%s", pod_dir, c->name);
  if (mkdir (dir, 0750) < 0 && errno != EEXIST)
    {
      cleanup_free char *parent = xasprintf ("%s/containers", pod_dir);
      mkdir (parent, 0750);
      if (mkdir (dir, 0750) < 0 && errno != EEXIST)
        return NULL;
    }
  char *path = xasprintf ("%s/%d", dir, restart_count);
  int fd = open (path, O_CREAT | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0666);
  if (fd < 0)
    {
      free (path);
      return NULL;
    }
  close (fd);
  return path;
}

int
kl_start_container (kl_runtime_manager_t *m, const kl_pod_t *pod, const kl_container_t *c,
                    bool is_init, const kl_runtime_pod_t *status, const char *sandbox_id,
                    const Runtime__V1__PodSandboxConfig *sandbox_config, const char *pod_ip,
                    const kl_cancel_t *cancel, int64_t *retry_ns, char **reason, char **message)
{
  *retry_ns = 0;
  if (in_crash_backoff (m, pod, c, status, retry_ns, message))
    {
      *reason = xstrdup (KL_REASON_CRASH_LOOP_BACK_OFF);
      return -1;
    }
  cleanup_free char *image_ref = NULL;
  if (kl_ensure_image (m, pod, c, sandbox_config, &image_ref, retry_ns, reason, message) < 0)
    return -1;
  /* A pull can take long: the pod may have changed or gone meanwhile. */
  if (kl_cancelled (cancel))
    {
      *reason = xstrdup (KL_REASON_CONTAINER_CREATING);
      *message = xstrdup ("sync cancelled");
      return -1;
    }

  const kl_container_info_t *last = kl_runtime_pod_find_container (status, c->name);
  int restart_count = last ? last->restart_count + 1 : 0;
  cleanup_free char *pod_dir = kl_runtime_manager_pod_dir (m, pod->metadata.uid);
  cleanup_free char *etc_hosts = NULL;
  if (!pod->spec.host_network)
    {
      cleanup_error kl_error_t hosts_err = NULL;
      if (kl_etc_hosts_write (pod_dir, pod_ip, sandbox_config->hostname, NULL,
                              pod->spec.host_aliases, pod->spec.n_host_aliases, &etc_hosts,
                              &hosts_err)
          < 0)
        KL_LOG_WARN ("pod %s: %s", pod->metadata.name, kl_error_message (hosts_err));
    }
  cleanup_free char *termination_log = make_termination_log (pod_dir, c, restart_count);
  kl_container_config_opts_t opts = {
    .image_ref = image_ref,
    .restart_count = restart_count,
    .is_init = is_init,
    .pod_dir = pod_dir,
    .etc_hosts_path = etc_hosts,
    .termination_log_path = termination_log,
    .memory_capacity = m->opts.memory_capacity,
  };
  cleanup_error kl_error_t err = NULL;
  cleanup_pb Runtime__V1__ContainerConfig *config = NULL;
  if (kl_container_config_make (pod, c, &opts, &config, &err) < 0)
    {
      *reason = xstrdup (KL_REASON_CREATE_CONFIG_ERROR);
      *message = xstrdup (kl_error_message (err));
      return -1;
    }

  Runtime__V1__CreateContainerRequest create = RUNTIME__V1__CREATE_CONTAINER_REQUEST__INIT;
  create.pod_sandbox_id = (char *) sandbox_id;
  create.config = config;
  create.sandbox_config = (Runtime__V1__PodSandboxConfig *) sandbox_config;
  cleanup_pb Runtime__V1__CreateContainerResponse *created = NULL;
  int64_t start = kl_manager_now (m);
  int ret = kl_runtime_create_container (m->opts.runtime, &create, &created, &err);
  kl_manager_observe (m, "create_container", start, ret);
  if (ret < 0)
    {
      *reason = xstrdup (KL_REASON_CREATE_ERROR);
      *message = xstrdup (kl_error_message (err));
      return -1;
    }

  Runtime__V1__StartContainerRequest startreq = RUNTIME__V1__START_CONTAINER_REQUEST__INIT;
  startreq.container_id = created->container_id;
  cleanup_pb Runtime__V1__StartContainerResponse *started = NULL;
  start = kl_manager_now (m);
  ret = kl_runtime_start_container (m->opts.runtime, &startreq, &started, &err);
  kl_manager_observe (m, "start_container", start, ret);
  if (ret < 0)
    {
      *reason = xstrdup (KL_REASON_RUN_ERROR);
      *message = xstrdup (kl_error_message (err));
      return -1;
    }
  KL_LOG_V (2, "started %scontainer %s of pod %s (%.12s, restart %d)", is_init ? "init " : "",
            c->name, pod->metadata.name, created->container_id, restart_count);

  if (c->lifecycle && c->lifecycle->post_start && c->lifecycle->post_start->exec)
    {
      const kl_exec_action_t *hook = c->lifecycle->post_start->exec;
      cleanup_free char *hook_msg = NULL;
      if (kl_run_exec_hook (m, created->container_id, hook->command, hook->n_command,
                            POST_START_TIMEOUT_SECONDS, &hook_msg)
          < 0)
        {
          KL_LOG_WARN ("pod %s container %s: postStart hook failed: %s", pod->metadata.name,
                       c->name, hook_msg);
          kl_error_t kill_err = NULL;
          int64_t grace = pod->spec.has_termination_grace_period_seconds
                              ? pod->spec.termination_grace_period_seconds
                              : 30;
          kl_kill_container (m, c, created->container_id, c->name, grace, "FailedPostStartHook",
                             &kill_err);
          kl_error_release (&kill_err);
          *reason = xstrdup (KL_REASON_POST_START_HOOK_ERROR);
          *message = steal_pointer (&hook_msg);
          return -1;
        }
    }
  return 0;
}

int
kl_kill_container (kl_runtime_manager_t *m, const kl_container_t *spec, const char *id,
                   const char *name, int64_t grace_seconds, const char *why, kl_error_t *err)
{
  int64_t begin = kl_manager_now (m);
  if (spec && spec->lifecycle && spec->lifecycle->pre_stop && spec->lifecycle->pre_stop->exec)
    {
      const kl_exec_action_t *hook = spec->lifecycle->pre_stop->exec;
      cleanup_free char *hook_msg = NULL;
      if (kl_run_exec_hook (m, id, hook->command, hook->n_command, grace_seconds, &hook_msg) < 0)
        KL_LOG_WARN ("container %s: preStop hook failed: %s", name, hook_msg);
      grace_seconds -= (kl_manager_now (m) - begin) / 1000000000LL;
    }
  if (grace_seconds < MIN_GRACE_SECONDS)
    grace_seconds = MIN_GRACE_SECONDS;
  KL_LOG_V (2, "killing container %s (%.12s) with %" PRId64 "s grace: %s", name, id, grace_seconds,
            why);
  Runtime__V1__StopContainerRequest req = RUNTIME__V1__STOP_CONTAINER_REQUEST__INIT;
  req.container_id = (char *) id;
  req.timeout = grace_seconds;
  cleanup_pb Runtime__V1__StopContainerResponse *resp = NULL;
  int64_t start = kl_manager_now (m);
  int ret = kl_runtime_stop_container (m->opts.runtime, &req, &resp, err);
  kl_manager_observe (m, "stop_container", start, ret);
  if (ret < 0 && kl_error_is (*err, KL_ERROR_NOT_FOUND))
    {
      kl_error_release (err);
      return 0;
    }
  return ret;
}

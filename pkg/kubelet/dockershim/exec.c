/* ExecSync through Docker's exec API, with the timeout enforced; Exec, Attach and PortForward
 * answered with URLs of the streaming server. */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>

#include "pkg/kubelet/dockershim/libdocker/containers.h"
#include "pkg/kubelet/dockershim/libdocker/exec.h"
#include "pkg/kubelet/dockershim/naming.h"
#include "pkg/kubelet/dockershim/pb.h"
#include "pkg/kubelet/dockershim/service-internal.h"
#include "pkg/util/duration.h"
#include "pkg/util/fs.h"
#include "pkg/util/grpc/grpc.h"
#include "pkg/util/log.h"
#include "pkg/util/utils.h"

/* The CRI's message cap: ExecSync output beyond it is cut. */
#define MAX_EXEC_OUTPUT (16 * 1024 * 1024)

/* The parent PID of `pid` from /proc, or -1. */
static pid_t
parent_of (pid_t pid)
{
  char path[64];
  snprintf (path, sizeof path, "/proc/%d/stat", (int) pid);
  cleanup_free char *data = NULL;
  size_t len = 0;
  kl_error_t err = NULL;
  if (kl_read_file (path, 4096, &data, &len, &err) < 0)
    {
      kl_error_release (&err);
      return -1;
    }
  /* "pid (comm) state ppid ...": comm may hold anything, so look after the last ')'. */
  char *paren = strrchr (data, ')');
  int ppid = -1;
  char state;
  if (paren == NULL || sscanf (paren + 1, " %c %d", &state, &ppid) != 2)
    return -1;
  return (pid_t) ppid;
}

/* True if `pid` runs in container `id` (its cgroup path names it), so that
   a reused PID is never killed. */
static bool
in_container (pid_t pid, const char *id)
{
  char path[64];
  snprintf (path, sizeof path, "/proc/%d/cgroup", (int) pid);
  cleanup_free char *data = NULL;
  size_t len = 0;
  kl_error_t err = NULL;
  if (kl_read_file (path, 1 << 16, &data, &len, &err) < 0)
    {
      kl_error_release (&err);
      return false;
    }
  return strstr (data, id) != NULL;
}

/* Kills the timed-out exec process `pid` of container `id` and its
   descendants, as the CRI asks ("the exec process should be gone"). */
static void
kill_exec_tree (pid_t pid, const char *id)
{
  if (pid <= 1 || !in_container (pid, id))
    return;
  pid_t *tree = xmalloc (sizeof *tree);
  size_t n = 0;
  tree[n++] = pid;
  DIR *d = opendir ("/proc");
  if (d)
    {
      /* Descendants appear after their ancestors in a few passes at most. */
      for (int pass = 0; pass < 4; pass++)
        {
          rewinddir (d);
          struct dirent *e;
          while ((e = readdir (d)) != NULL)
            {
              char *end = NULL;
              long p = strtol (e->d_name, &end, 10);
              if (*end != '\0' || p <= 1)
                continue;
              bool known = false;
              for (size_t i = 0; i < n && !known; i++)
                known = tree[i] == (pid_t) p;
              if (known)
                continue;
              pid_t parent = parent_of ((pid_t) p);
              for (size_t i = 0; i < n; i++)
                if (tree[i] == parent)
                  {
                    tree = xrealloc (tree, (n + 1) * sizeof *tree);
                    tree[n++] = (pid_t) p;
                    break;
                  }
            }
        }
      closedir (d);
    }
  for (size_t i = 0; i < n; i++)
    if (in_container (tree[i], id))
      kill (tree[i], SIGKILL);
  free (tree);
}

static void
sleep_ms (int ms)
{
  struct timespec ts = { ms / 1000, (long) (ms % 1000) * 1000000L };
  nanosleep (&ts, NULL);
}

int
ds_exec_wait_exit (ds_service_t *ds, const char *exec_id, int64_t *exit_code, kl_error_t *err)
{
  /* The streams closed; Docker may take a moment to record the exit. */
  *exit_code = -1;
  for (int attempt = 0; attempt < 50; attempt++)
    {
      cleanup_docker (docker_exec_inspect) docker_exec_inspect_t *inspect = NULL;
      int ret = docker_exec_inspect (ds->docker, exec_id, &inspect, err);
      if (ret < 0)
        return ret;
      if (!inspect->running)
        {
          *exit_code = inspect->exit_code;
          return 0;
        }
      sleep_ms (attempt < 10 ? 10 : 100);
    }
  return 0;
}

int
ds_exec_sync (ds_service_t *ds, const Runtime__V1__ExecSyncRequest *req,
              Runtime__V1__ExecSyncResponse **resp, kl_error_t *err)
{
  if (req->container_id == NULL || req->container_id[0] == '\0')
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "container ID is empty");
  if (req->n_cmd == 0)
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "ExecSync: the command is empty");
  cleanup_docker (docker_container_inspect) docker_container_inspect_t *c = NULL;
  int ret = ds_inspect_typed (ds, req->container_id, DS_CONTAINER_TYPE_CONTAINER, &c, err);
  if (ret < 0)
    return ret;
  if (!c->state.running)
    return kl_make_error_kind (err, KL_ERROR_GENERIC, 0, "container %s is not in running state",
                               req->container_id);

  /* On the heap: a request may carry any number of arguments. */
  cleanup_free const char **argv = xmalloc ((req->n_cmd + 1) * sizeof *argv);
  for (size_t i = 0; i < req->n_cmd; i++)
    argv[i] = req->cmd[i];
  argv[req->n_cmd] = NULL;
  docker_exec_config_t config = { .cmd = argv, .attach_stdout = true, .attach_stderr = true };
  cleanup_free char *exec_id = NULL;
  ret = docker_exec_create (ds->docker, c->id, &config, &exec_id, err);
  if (ret < 0)
    {
      if (kl_error_is (*err, KL_ERROR_ALREADY_EXISTS))
        {
          /* Docker's 409: the container stopped meanwhile. */
          cleanup_free char *msg = xstrdup (kl_error_message (*err));
          kl_error_release (err);
          return kl_make_error_kind (err, KL_ERROR_GENERIC, 409, "container %s is not running: %s",
                                     req->container_id, msg);
        }
      return kl_error_wrap (err, "failed to exec in container %s", req->container_id);
    }

  int64_t timeout_ns = req->timeout > 0 ? kl_duration_from_seconds (req->timeout) : 0;
  docker_exec_output_t out;
  ret = docker_exec_start_collect (ds->docker, exec_id, false, timeout_ns, MAX_EXEC_OUTPUT, &out,
                                   err);
  if (ret < 0)
    {
      bool timed_out = kl_error_is (*err, KL_ERROR_TIMEOUT);
      docker_exec_output_release (&out);
      if (!timed_out)
        return kl_error_wrap (err, "failed to exec in container %s", req->container_id);
      kl_error_release (err);
      cleanup_docker (docker_exec_inspect) docker_exec_inspect_t *inspect = NULL;
      kl_error_t inspect_err = NULL;
      if (docker_exec_inspect (ds->docker, exec_id, &inspect, &inspect_err) == 0)
        {
          if (inspect->running && inspect->pid > 0)
            kill_exec_tree ((pid_t) inspect->pid, c->id);
        }
      else
        kl_error_release (&inspect_err);
      return kl_make_error_kind (err, KL_ERROR_TIMEOUT, 0,
                                 "command timed out after %lld s in container %s",
                                 (long long) req->timeout, req->container_id);
    }

  int64_t exit_code = -1;
  ret = ds_exec_wait_exit (ds, exec_id, &exit_code, err);
  if (ret < 0)
    {
      docker_exec_output_release (&out);
      return kl_error_wrap (err, "failed to inspect exec in container %s", req->container_id);
    }
  if (exit_code < 0)
    KL_LOG_WARN ("dockershim: exec in %s: the output ended but the process still runs",
                 req->container_id);

  Runtime__V1__ExecSyncResponse *r
      = DS_PB_NEW (Runtime__V1__ExecSyncResponse, runtime__v1__exec_sync_response__init);
  r->stdout.data = (uint8_t *) steal_pointer (&out.stdout_data);
  r->stdout.len = out.stdout_len;
  r->stderr.data = (uint8_t *) steal_pointer (&out.stderr_data);
  r->stderr.len = out.stderr_len;
  r->exit_code = exit_code < 0 ? 0 : (int32_t) exit_code;
  docker_exec_output_release (&out);
  *resp = r;
  return 0;
}

/* Go's checkContainerStatus: the container must exist, be ours and run. */
static int
check_running (ds_service_t *ds, const char *id, const char *type, kl_error_t *err)
{
  cleanup_docker (docker_container_inspect) docker_container_inspect_t *c = NULL;
  int ret = ds_inspect_typed (ds, id, type, &c, err);
  if (ret < 0)
    return ret;
  if (!c->state.running)
    return kl_make_error_kind (err, KL_ERROR_GENERIC, 0, "container not running (%s)", c->id);
  return 0;
}

static int
streaming_disabled (const char *method, kl_error_t *err)
{
  return kl_make_error_kind (err, KL_ERROR_UNIMPLEMENTED, KL_GRPC_UNIMPLEMENTED,
                             "streaming method %s disabled: no streaming server", method);
}

int
ds_exec (ds_service_t *ds, const Runtime__V1__ExecRequest *req, Runtime__V1__ExecResponse **resp,
         kl_error_t *err)
{
  if (ds->streaming == NULL)
    return streaming_disabled ("exec", err);
  int ret = check_running (ds, req->container_id, DS_CONTAINER_TYPE_CONTAINER, err);
  if (ret < 0)
    return ret;
  return kl_stream_server_get_exec (ds->streaming, req, resp, err);
}

int
ds_attach (ds_service_t *ds, const Runtime__V1__AttachRequest *req,
           Runtime__V1__AttachResponse **resp, kl_error_t *err)
{
  if (ds->streaming == NULL)
    return streaming_disabled ("attach", err);
  int ret = check_running (ds, req->container_id, DS_CONTAINER_TYPE_CONTAINER, err);
  if (ret < 0)
    return ret;
  return kl_stream_server_get_attach (ds->streaming, req, resp, err);
}

int
ds_port_forward (ds_service_t *ds, const Runtime__V1__PortForwardRequest *req,
                 Runtime__V1__PortForwardResponse **resp, kl_error_t *err)
{
  if (ds->streaming == NULL)
    return streaming_disabled ("port forward", err);
  int ret = check_running (ds, req->pod_sandbox_id, DS_CONTAINER_TYPE_SANDBOX, err);
  if (ret < 0)
    return ret;
  return kl_stream_server_get_port_forward (ds->streaming, req, resp, err);
}

/* Unimplemented on purpose: Docker's checkpoint API (POST
   /containers/{id}/checkpoints, CRIU) is experimental, needs a daemon started
   with --experimental, and writes no CRI checkpoint archive; cri-dockerd
   does not offer it either. */
int
ds_checkpoint_container (ds_service_t *ds, const Runtime__V1__CheckpointContainerRequest *req,
                         Runtime__V1__CheckpointContainerResponse **resp, kl_error_t *err)
{
  return kl_make_error_kind (err, KL_ERROR_UNIMPLEMENTED, KL_GRPC_UNIMPLEMENTED,
                             "CheckpointContainer is not supported by the dockershim");
}

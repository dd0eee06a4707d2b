/* The streaming server's runtime over Docker: exec and attach on hijacked connections with TTY
 * resizes, port forwarding inside the sandbox's network namespace. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "pkg/kubelet/dockershim/libdocker/containers.h"
#include "pkg/kubelet/dockershim/libdocker/exec.h"
#include "pkg/kubelet/dockershim/naming.h"
#include "pkg/kubelet/dockershim/port_forward.h"
#include "pkg/kubelet/dockershim/service-internal.h"
#include "pkg/util/log.h"
#include "pkg/util/utils.h"

typedef int (*resize_fn) (docker_client_t *client, const char *id, unsigned height, unsigned width,
                          kl_error_t *err);

/* Applies the sizes read from a resize fd to an exec or a container's TTY
   on a thread of its own, until the fd ends or the watch is stopped. */
typedef struct resize_watch_s
{
  docker_client_t *docker;
  const char *id; /* the exec or container; outlives the watch */
  const char *what;
  resize_fn resize;
  int fd;
  int stop[2]; /* a pipe: a byte on stop[1] ends the thread */
  pthread_t thread;
  bool running;
} resize_watch_t;

static void *
resize_loop (void *arg)
{
  resize_watch_t *w = arg;
  unsigned char record[sizeof (kl_terminal_size_t)];
  size_t have = 0;
  for (;;)
    {
      struct pollfd fds[2]
          = { { .fd = w->fd, .events = POLLIN }, { .fd = w->stop[0], .events = POLLIN } };
      int r = poll (fds, 2, -1);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0 || fds[1].revents)
        break;
      ssize_t n = read (w->fd, record + have, sizeof record - have);
      if (n < 0 && (errno == EINTR || errno == EAGAIN))
        continue;
      if (n <= 0)
        break;
      have += (size_t) n;
      if (have < sizeof record)
        continue;
      have = 0;
      kl_terminal_size_t size;
      memcpy (&size, record, sizeof size);
      /* As Go's HandleResizing: a zero dimension is no size at all. */
      if (size.width == 0 || size.height == 0)
        continue;
      kl_error_t err = NULL;
      if (w->resize (w->docker, w->id, size.height, size.width, &err) < 0)
        {
          KL_LOG_V (2, "dockershim: resizing the TTY of %s %s to %ux%u: %s", w->what, w->id,
                    (unsigned) size.width, (unsigned) size.height, kl_error_message (err));
          kl_error_release (&err);
        }
    }
  return NULL;
}

/* Starts watching io's resize fd, if it has one. */
static int
resize_watch_start (resize_watch_t *w, ds_service_t *ds, const kl_stream_io_t *io, const char *what,
                    const char *id, resize_fn resize, kl_error_t *err)
{
  memset (w, 0, sizeof *w);
  w->stop[0] = w->stop[1] = -1;
  if (!io->tty || io->resize_fd < 0)
    return 0;
  *w = (resize_watch_t){
    .docker = ds->docker, .id = id, .what = what, .resize = resize, .fd = io->resize_fd
  };
  if (pipe2 (w->stop, O_CLOEXEC) < 0)
    return kl_make_error (err, errno, "resize watch: pipe");
  int r = pthread_create (&w->thread, NULL, resize_loop, w);
  if (r != 0)
    {
      close (w->stop[0]);
      close (w->stop[1]);
      w->stop[0] = w->stop[1] = -1;
      return kl_make_error (err, r, "resize watch: starting a thread");
    }
  w->running = true;
  return 0;
}

/* Ends the watch (the fd stays open: the server owns it). */
static void
resize_watch_stop (resize_watch_t *w)
{
  if (!w->running)
    return;
  char byte = 0;
  while (write (w->stop[1], &byte, 1) < 0 && errno == EINTR)
    ;
  pthread_join (w->thread, NULL);
  close (w->stop[0]);
  close (w->stop[1]);
  w->running = false;
}

static void
stream_io_from (const kl_stream_io_t *io, bool tty, docker_stream_io_t *out)
{
  *out = (docker_stream_io_t) DOCKER_STREAM_IO_INIT;
  out->stdin_fd = io->stdin_fd;
  out->stdout_fd = io->stdout_fd;
  out->stderr_fd = tty ? -1 : io->stderr_fd;
  out->tty = tty;
}

static int
stream_exec (void *ctx, const char *container_id, char *const *cmd, size_t argc,
             const kl_stream_io_t *io, int *exit_code, kl_error_t *err)
{
  ds_service_t *ds = ctx;
  if (argc == 0)
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "exec: the command is empty");
  cleanup_free const char **argv = xmalloc ((argc + 1) * sizeof *argv);
  for (size_t i = 0; i < argc; i++)
    argv[i] = cmd[i];
  argv[argc] = NULL;
  docker_exec_config_t config = {
    .cmd = argv,
    .attach_stdin = io->stdin_fd >= 0,
    .attach_stdout = io->stdout_fd >= 0,
    .attach_stderr = !io->tty && io->stderr_fd >= 0,
    .tty = io->tty,
  };
  cleanup_free char *exec_id = NULL;
  int ret = docker_exec_create (ds->docker, container_id, &config, &exec_id, err);
  if (ret < 0)
    {
      if (kl_error_is (*err, KL_ERROR_ALREADY_EXISTS))
        {
          cleanup_free char *msg = xstrdup (kl_error_message (*err));
          kl_error_release (err);
          return kl_make_error_kind (err, KL_ERROR_GENERIC, 409, "container %s is not running: %s",
                                     container_id, msg);
        }
      return kl_error_wrap (err, "failed to exec in container %s", container_id);
    }

  /* Started first: docker_exec_start blocks for the whole session, and
     dockerd holds a resize until the exec runs. */
  resize_watch_t watch;
  ret = resize_watch_start (&watch, ds, io, "exec", exec_id, docker_exec_resize, err);
  if (ret < 0)
    return ret;
  docker_stream_io_t dio;
  stream_io_from (io, io->tty, &dio);
  ret = docker_exec_start (ds->docker, exec_id, &dio, err);
  resize_watch_stop (&watch);
  if (ret < 0)
    return kl_error_wrap (err, "exec in container %s", container_id);

  int64_t code = -1;
  ret = ds_exec_wait_exit (ds, exec_id, &code, err);
  if (ret < 0)
    return kl_error_wrap (err, "exec in container %s", container_id);
  if (code < 0)
    KL_LOG_WARN ("dockershim: exec in %s: the streams ended but the process still runs",
                 container_id);
  *exit_code = code < 0 ? 0 : (int) code;
  return 0;
}

static int
stream_attach (void *ctx, const char *container_id, const kl_stream_io_t *io, kl_error_t *err)
{
  ds_service_t *ds = ctx;
  cleanup_docker (docker_container_inspect) docker_container_inspect_t *c = NULL;
  int ret = docker_container_inspect (ds->docker, container_id, &c, err);
  if (ret < 0)
    return kl_error_wrap (err, "attach to container %s", container_id);
  if (!c->state.running)
    return kl_make_error_kind (err, KL_ERROR_GENERIC, 0, "container not running (%s)", c->id);
  /* Docker multiplexes unless the container has a TTY, whatever was asked. */
  bool tty = c->config.tty;
  resize_watch_t watch;
  ret = resize_watch_start (&watch, ds, io, "container", c->id, docker_container_resize, err);
  if (ret < 0)
    return ret;
  docker_stream_io_t dio;
  stream_io_from (io, tty, &dio);
  ret = docker_container_attach (ds->docker, c->id, &dio, err);
  resize_watch_stop (&watch);
  if (ret < 0)
    return kl_error_wrap (err, "attach to container %s", container_id);
  return 0;
}

static int
stream_port_forward (void *ctx, const char *pod_sandbox_id, int32_t port, int fd, kl_error_t *err)
{
  ds_service_t *ds = ctx;
  cleanup_docker (docker_container_inspect) docker_container_inspect_t *c = NULL;
  int ret = ds_inspect_typed (ds, pod_sandbox_id, DS_CONTAINER_TYPE_SANDBOX, &c, err);
  if (ret < 0)
    return kl_error_wrap (err, "port forward to pod sandbox %s port %d", pod_sandbox_id,
                          (int) port);
  if (!c->state.running || c->state.pid <= 0)
    return kl_make_error_kind (err, KL_ERROR_GENERIC, 0,
                               "port forward to pod sandbox %s port %d: container not running (%s)",
                               pod_sandbox_id, (int) port, c->id);
  /* A host-network sandbox shares the node's namespace, which is ours. */
  cleanup_free char *netns = NULL;
  if (c->host_config.network_mode == NULL || strcmp (c->host_config.network_mode, "host") != 0)
    netns = xasprintf ("/proc/%" PRId64 "/ns/net", c->state.pid);
  cleanup_close int pod_fd = -1;
  ret = ds_netns_connect (netns, port, &pod_fd, err);
  if (ret < 0)
    return kl_error_wrap (err, "port forward to pod sandbox %s", pod_sandbox_id);
  KL_LOG_V (4, "dockershim: forwarding to port %d of pod sandbox %s", (int) port, pod_sandbox_id);
  ret = ds_copy_both_ways (fd, pod_fd, err);
  if (ret < 0)
    return kl_error_wrap (err, "port forward to pod sandbox %s port %d", pod_sandbox_id,
                          (int) port);
  return 0;
}

void
ds_stream_runtime_init (ds_service_t *ds, kl_stream_runtime_t *out)
{
  *out = (kl_stream_runtime_t){
    .ctx = ds,
    .exec = stream_exec,
    .attach = stream_attach,
    .port_forward = stream_port_forward,
  };
}

/* A container-less runtime for the streaming server's interop tests: host
   child processes stand in for containers. */
#include "pkg/kubelet/cri/streaming/testing/host_runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "pkg/util/log.h"
#include "pkg/util/utils.h"

extern char **environ;

/* After an attach client ended its stdin, the attach ends once the target
   has been quiet this long (as if the container had stdinOnce), so that
   the answers to its last lines still reach the client. */
#define ATTACH_QUIET_NS ((int64_t) 500 * 1000000)
#define ATTACH_LINGER_MAX_NS ((int64_t) 5 * 1000000000)
/* A port forward ends this long after its first direction did. */
#define PORT_FORWARD_GRACE_NS ((int64_t) 1000000000)

/* One attached client: where the target's output goes (-1: not wanted). */
struct attacher_s
{
  int out;
  int err;
  struct attacher_s *next;
};

/* `lock` guards children, n_children, attachers and last_output_ns; the
   rest is set up by kl_host_runtime_new () and only read afterwards. */
struct kl_host_runtime_s
{
  pthread_mutex_t lock;
  pid_t *children;
  size_t n_children;
  pid_t target;
  int target_in;
  int target_out;
  int target_err;
  int stop[2]; /* wakes the broadcaster */
  pthread_t broadcaster;
  bool broadcaster_started;
  struct attacher_s *attachers;
  int64_t last_output_ns;
};

static int64_t
now_ns (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int
write_all (int fd, const void *data, size_t len)
{
  const char *p = data;
  while (len > 0)
    {
      ssize_t n = send (fd, p, len, MSG_NOSIGNAL);
      if (n < 0 && errno == ENOTSOCK)
        n = write (fd, p, len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return -1;
      p += n;
      len -= (size_t) n;
    }
  return 0;
}

static void
track (kl_host_runtime_t *rt, pid_t pid)
{
  pthread_mutex_lock (&rt->lock);
  rt->children = xrealloc (rt->children, sizeof *rt->children * (rt->n_children + 1));
  rt->children[rt->n_children++] = pid;
  pthread_mutex_unlock (&rt->lock);
}

static void
untrack (kl_host_runtime_t *rt, pid_t pid)
{
  pthread_mutex_lock (&rt->lock);
  for (size_t i = 0; i < rt->n_children; i++)
    if (rt->children[i] == pid)
      {
        rt->children[i] = rt->children[--rt->n_children];
        break;
      }
  pthread_mutex_unlock (&rt->lock);
}

/* Waits for `pid`; its exit code as a shell reports it. */
static int
reap (kl_host_runtime_t *rt, pid_t pid)
{
  int status = 0;
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
  untrack (rt, pid);
  if (WIFSIGNALED (status))
    return 128 + WTERMSIG (status);
  return WEXITSTATUS (status);
}

/* The environment of an exec child: ours plus CONTAINER_ID, its last
   entry (the only one it owns). */
static char **
child_environ (const char *container_id)
{
  size_t n = 0;
  while (environ[n])
    n++;
  char **env = xmalloc0 (sizeof *env * (n + 2));
  size_t k = 0;
  for (size_t i = 0; i < n; i++)
    if (strncmp (environ[i], "CONTAINER_ID=", 13) != 0)
      env[k++] = environ[i];
  env[k] = xasprintf ("CONTAINER_ID=%s", container_id);
  return env;
}

static void
child_environ_free (char ***env)
{
  if (*env == NULL)
    return;
  size_t n = 0;
  while ((*env)[n])
    n++;
  if (n > 0)
    free ((*env)[n - 1]);
  free (*env);
}

/* Forks and execs argv with stdio from fds[0..2] (-1: /dev/null). With
   `tty`, fds[0] is a pty's slave and becomes the controlling terminal of a
   new session. Only async-signal-safe calls run in the child. */
static int
spawn (kl_host_runtime_t *rt, char *const *argv, char **env, const int fds[3], bool tty, pid_t *out,
       kl_error_t *err)
{
  int report[2];
  if (pipe2 (report, O_CLOEXEC) < 0)
    return kl_make_error (err, errno, "pipe");
  int null_fd = open ("/dev/null", O_RDWR | O_CLOEXEC);
  if (null_fd < 0)
    {
      close (report[0]);
      close (report[1]);
      return kl_make_error (err, errno, "open /dev/null");
    }
  pid_t pid = fork ();
  if (pid < 0)
    {
      int saved = errno;
      close (report[0]);
      close (report[1]);
      close (null_fd);
      return kl_make_error (err, saved, "fork");
    }
  if (pid == 0)
    {
      sigset_t all;
      sigemptyset (&all);
      sigprocmask (SIG_SETMASK, &all, NULL);
      signal (SIGPIPE, SIG_DFL);
      if (tty && (setsid () < 0 || ioctl (fds[0], TIOCSCTTY, 0) < 0))
        goto fail;
      for (int i = 0; i < 3; i++)
        if (dup2 (fds[i] >= 0 ? fds[i] : null_fd, i) < 0)
          goto fail;
      /* Descriptors that are not close-on-exec (other threads' pipes in
         flight) must not leak into the child and hold streams open. */
      close_range (3, ~0U, CLOSE_RANGE_CLOEXEC);
      execvpe (argv[0], argv, env);
    fail:;
      int e = errno;
      ssize_t n = write (report[1], &e, sizeof e);
      (void) n;
      _exit (127);
    }
  close (report[1]);
  close (null_fd);
  track (rt, pid);
  int child_errno = 0;
  ssize_t n;
  while ((n = read (report[0], &child_errno, sizeof child_errno)) < 0 && errno == EINTR)
    ;
  close (report[0]);
  if (n == (ssize_t) sizeof child_errno)
    {
      reap (rt, pid);
      return kl_make_error (err, child_errno, "exec %s", argv[0]);
    }
  *out = pid;
  return 0;
}

static void
apply_resize (int master, int resize_fd, bool *open)
{
  kl_terminal_size_t size;
  ssize_t n = read (resize_fd, &size, sizeof size);
  if (n < 0 && (errno == EINTR || errno == EAGAIN))
    return;
  if (n != (ssize_t) sizeof size)
    {
      *open = false; /* EOF: the client is done resizing */
      return;
    }
  struct winsize ws = { .ws_row = size.height, .ws_col = size.width };
  ioctl (master, TIOCSWINSZ, &ws);
}

/* Moves bytes between the client and the pty until the child side of the
   pty is gone (every slave closed: read gives EIO). */
static void
pump_pty (kl_host_runtime_t *rt, pid_t pid, int master, const kl_stream_io_t *io)
{
  bool in_open = io->stdin_fd >= 0, resize_open = io->resize_fd >= 0;
  char buf[16 * 1024];
  for (;;)
    {
      struct pollfd p[3] = { { .fd = master, .events = POLLIN },
                             { .fd = in_open ? io->stdin_fd : -1, .events = POLLIN },
                             { .fd = resize_open ? io->resize_fd : -1, .events = POLLIN } };
      if (poll (p, 3, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          break;
        }
      if (p[2].revents)
        apply_resize (master, io->resize_fd, &resize_open);
      if (p[1].revents)
        {
          ssize_t n = read (io->stdin_fd, buf, sizeof buf);
          if (n > 0)
            write_all (master, buf, (size_t) n);
          else if (n == 0 || (errno != EINTR && errno != EAGAIN))
            {
              /* The client ended stdin: end-of-file for a canonical-mode
                 reader of the terminal. */
              struct termios t;
              if (tcgetattr (master, &t) == 0)
                write_all (master, &t.c_cc[VEOF], 1);
              in_open = false;
            }
        }
      if (p[0].revents)
        {
          ssize_t n = read (master, buf, sizeof buf);
          if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
          if (n <= 0)
            break;
          if (io->stdout_fd >= 0 && write_all (io->stdout_fd, buf, (size_t) n) < 0)
            {
              /* The client is gone: so is the command. */
              kill (pid, SIGKILL);
              break;
            }
        }
    }
  (void) rt;
}

static int
exec_tty (kl_host_runtime_t *rt, char *const *cmd, char **env, const kl_stream_io_t *io,
          int *exit_code, kl_error_t *err)
{
  cleanup_close int master = posix_openpt (O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0)
    return kl_make_error (err, errno, "posix_openpt");
  char name[128];
  if (grantpt (master) < 0 || unlockpt (master) < 0 || ptsname_r (master, name, sizeof name) != 0)
    return kl_make_error (err, errno, "set up the pty");
  /* Opened here, before the fork, so that the master never sees the slave
     side closed before the child has it. */
  cleanup_close int slave = open (name, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (slave < 0)
    return kl_make_error (err, errno, "open %s", name);
  int fds[3] = { slave, slave, slave };
  pid_t pid;
  int ret = spawn (rt, cmd, env, fds, true, &pid, err);
  if (ret < 0)
    return ret;
  close (slave);
  slave = -1;
  pump_pty (rt, pid, master, io);
  *exit_code = reap (rt, pid);
  return 0;
}

static int
host_exec (void *ctx, const char *container_id, char *const *cmd, size_t argc,
           const kl_stream_io_t *io, int *exit_code, kl_error_t *err)
{
  kl_host_runtime_t *rt = ctx;
  (void) argc;
  __attribute__ ((cleanup (child_environ_free))) char **env = child_environ (container_id);
  KL_LOG_INFO ("host runtime: exec %s in %s%s", cmd[0], container_id, io->tty ? " (tty)" : "");
  if (io->tty)
    return exec_tty (rt, cmd, env, io, exit_code, err);
  int fds[3] = { io->stdin_fd, io->stdout_fd, io->stderr_fd };
  pid_t pid;
  int ret = spawn (rt, cmd, env, fds, false, &pid, err);
  if (ret < 0)
    return ret;
  *exit_code = reap (rt, pid);
  return 0;
}

/* ---- attach ---- */

static void
broadcast (kl_host_runtime_t *rt, const char *data, size_t len, bool is_stderr)
{
  pthread_mutex_lock (&rt->lock);
  rt->last_output_ns = now_ns ();
  for (struct attacher_s *a = rt->attachers; a; a = a->next)
    {
      int fd = is_stderr ? a->err : a->out;
      if (fd >= 0)
        /* A client that does not keep up loses output rather than
           stalling the others. */
        (void) !send (fd, data, len, MSG_NOSIGNAL | MSG_DONTWAIT);
    }
  pthread_mutex_unlock (&rt->lock);
}

static void *
broadcaster_main (void *arg)
{
  kl_host_runtime_t *rt = arg;
  bool out_open = true, err_open = true;
  char buf[16 * 1024];
  while (out_open || err_open)
    {
      struct pollfd p[3] = { { .fd = rt->stop[0], .events = POLLIN },
                             { .fd = out_open ? rt->target_out : -1, .events = POLLIN },
                             { .fd = err_open ? rt->target_err : -1, .events = POLLIN } };
      if (poll (p, 3, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          break;
        }
      if (p[0].revents)
        break;
      for (int i = 1; i < 3; i++)
        {
          if (!p[i].revents)
            continue;
          ssize_t n = read (p[i].fd, buf, sizeof buf);
          if (n > 0)
            broadcast (rt, buf, (size_t) n, i == 2);
          else if (n == 0 || (errno != EINTR && errno != EAGAIN))
            *(i == 1 ? &out_open : &err_open) = false;
        }
    }
  return NULL;
}

static int
host_attach (void *ctx, const char *container_id, const kl_stream_io_t *io, kl_error_t *err)
{
  kl_host_runtime_t *rt = ctx;
  if (rt->target <= 0 || kill (rt->target, 0) < 0)
    return kl_make_error_kind (err, KL_ERROR_NOT_FOUND, 0, "container %s is not running",
                               container_id);
  KL_LOG_INFO ("host runtime: attach to %s%s", container_id, io->stdin_fd >= 0 ? " (stdin)" : "");
  struct attacher_s self = { .out = io->stdout_fd, .err = io->stderr_fd };
  pthread_mutex_lock (&rt->lock);
  self.next = rt->attachers;
  rt->attachers = &self;
  pthread_mutex_unlock (&rt->lock);

  if (io->stdin_fd >= 0)
    {
      char buf[16 * 1024];
      ssize_t n;
      while ((n = read (io->stdin_fd, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
        if (n > 0 && write_all (rt->target_in, buf, (size_t) n) < 0)
          break;
      int64_t eof = now_ns ();
      for (;;)
        {
          pthread_mutex_lock (&rt->lock);
          int64_t last = rt->last_output_ns > eof ? rt->last_output_ns : eof;
          pthread_mutex_unlock (&rt->lock);
          int64_t now = now_ns ();
          if (now - last >= ATTACH_QUIET_NS || now - eof >= ATTACH_LINGER_MAX_NS)
            break;
          struct timespec ts = { .tv_nsec = 50 * 1000000 };
          nanosleep (&ts, NULL);
        }
    }
  else
    {
      /* Output only: attached until the client goes away (our end of its
         stream hangs up). */
      int fd = io->stdout_fd >= 0 ? io->stdout_fd : io->stderr_fd;
      struct pollfd p = { .fd = fd, .events = 0 };
      while (fd >= 0 && kill (rt->target, 0) == 0)
        {
          int n = poll (&p, 1, 200);
          if (n > 0 && (p.revents & (POLLHUP | POLLERR | POLLNVAL)))
            break;
        }
    }

  pthread_mutex_lock (&rt->lock);
  for (struct attacher_s **pa = &rt->attachers; *pa; pa = &(*pa)->next)
    if (*pa == &self)
      {
        *pa = self.next;
        break;
      }
  pthread_mutex_unlock (&rt->lock);
  return 0;
}

/* ---- port forward ---- */

static int
host_port_forward (void *ctx, const char *pod_sandbox_id, int32_t port, int fd, kl_error_t *err)
{
  (void) ctx;
  cleanup_close int sock = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (sock < 0)
    return kl_make_error (err, errno, "socket");
  struct sockaddr_in sin = { .sin_family = AF_INET,
                             .sin_port = htons ((uint16_t) port),
                             .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  if (connect (sock, (struct sockaddr *) &sin, sizeof sin) < 0)
    return kl_make_error (err, errno, "dial tcp4 127.0.0.1:%d", (int) port);
  KL_LOG_INFO ("host runtime: forwarding %s port %d", pod_sandbox_id, (int) port);
  /* As containerd's: each direction ends on its own (a half-close), and
     once one did, the other gets PORT_FORWARD_GRACE_NS to finish. Without
     that, a pod that closes first would wait for the client forever, and
     the client (kubectl) for us. */
  int from[2] = { fd, sock }, to[2] = { sock, fd };
  bool open[2] = { true, true };
  char buf[32 * 1024];
  while (open[0] && open[1])
    {
      struct pollfd p[2]
          = { { .fd = from[0], .events = POLLIN }, { .fd = from[1], .events = POLLIN } };
      if (poll (p, 2, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          return 0;
        }
      for (int i = 0; i < 2; i++)
        {
          if (!p[i].revents || !open[i])
            continue;
          ssize_t n = read (from[i], buf, sizeof buf);
          if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
          if (n > 0 && write_all (to[i], buf, (size_t) n) == 0)
            continue;
          if (n > 0)
            return 0; /* the receiver is gone for good */
          open[i] = false;
          shutdown (to[i], SHUT_WR);
        }
    }
  int64_t deadline = now_ns () + PORT_FORWARD_GRACE_NS;
  int i = open[0] ? 0 : 1;
  while (open[i])
    {
      int64_t left = deadline - now_ns ();
      if (left <= 0)
        {
          KL_LOG_INFO ("host runtime: port %d: one direction ended 1s ago, closing", (int) port);
          break;
        }
      struct pollfd p = { .fd = from[i], .events = POLLIN };
      int r = poll (&p, 1, (int) (left / 1000000) + 1);
      if (r < 0 && errno != EINTR)
        break;
      if (r <= 0)
        continue; /* the deadline is checked above */
      ssize_t n = read (from[i], buf, sizeof buf);
      if (n < 0 && (errno == EINTR || errno == EAGAIN))
        continue;
      if (n <= 0 || write_all (to[i], buf, (size_t) n) < 0)
        break;
    }
  return 0;
}

/* ---- lifecycle ---- */

int
kl_host_runtime_new (kl_host_runtime_t **out, kl_error_t *err)
{
  kl_host_runtime_t *rt = xmalloc0 (sizeof *rt);
  pthread_mutex_init (&rt->lock, NULL);
  rt->target_in = rt->target_out = rt->target_err = -1;
  rt->stop[0] = rt->stop[1] = -1;
  int in[2] = { -1, -1 }, o[2] = { -1, -1 }, e[2] = { -1, -1 };
  int ret = 0;
  if (pipe2 (in, O_CLOEXEC) < 0 || pipe2 (o, O_CLOEXEC) < 0 || pipe2 (e, O_CLOEXEC) < 0
      || pipe2 (rt->stop, O_CLOEXEC) < 0)
    ret = kl_make_error (err, errno, "pipe");
  if (ret >= 0)
    {
      char *argv[] = { "sh", "-c",
                       "while IFS= read -r l; do printf 'out:%s\\n' \"$l\"; "
                       "printf 'err:%s\\n' \"$l\" >&2; done",
                       NULL };
      int fds[3] = { in[0], o[1], e[1] };
      ret = spawn (rt, argv, environ, fds, false, &rt->target, err);
    }
  int child_ends[] = { in[0], o[1], e[1] };
  for (size_t i = 0; i < KL_ARRAY_SIZE (child_ends); i++)
    if (child_ends[i] >= 0)
      close (child_ends[i]);
  rt->target_in = in[1];
  rt->target_out = o[0];
  rt->target_err = e[0];
  if (ret >= 0)
    {
      ret = pthread_create (&rt->broadcaster, NULL, broadcaster_main, rt);
      rt->broadcaster_started = ret == 0;
      ret = ret == 0 ? 0 : kl_make_error (err, ret, "start the attach broadcaster");
    }
  if (ret < 0)
    {
      kl_host_runtime_free (rt);
      return kl_error_wrap (err, "start the attach target");
    }
  KL_LOG_INFO ("host runtime: attach target is pid %d", (int) rt->target);
  *out = rt;
  return 0;
}

void
kl_host_runtime_kill_children (kl_host_runtime_t *rt)
{
  pthread_mutex_lock (&rt->lock);
  for (size_t i = 0; i < rt->n_children; i++)
    kill (rt->children[i], SIGKILL);
  pthread_mutex_unlock (&rt->lock);
}

void
kl_host_runtime_free (kl_host_runtime_t *rt)
{
  if (rt == NULL)
    return;
  kl_host_runtime_kill_children (rt);
  if (rt->target > 0)
    reap (rt, rt->target);
  if (rt->broadcaster_started)
    {
      (void) !write (rt->stop[1], "x", 1);
      pthread_join (rt->broadcaster, NULL);
    }
  int fds[] = { rt->target_in, rt->target_out, rt->target_err, rt->stop[0], rt->stop[1] };
  for (size_t i = 0; i < KL_ARRAY_SIZE (fds); i++)
    if (fds[i] >= 0)
      close (fds[i]);
  free (rt->children);
  pthread_mutex_destroy (&rt->lock);
  free (rt);
}

void
kl_host_runtime_ops (kl_host_runtime_t *rt, kl_stream_runtime_t *ops)
{
  *ops = (kl_stream_runtime_t){
    .ctx = rt, .exec = host_exec, .attach = host_attach, .port_forward = host_port_forward
  };
}

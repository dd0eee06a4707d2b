#include "pkg/kubelet/dockershim/command.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pkg/util/utils.h"

static int64_t
now_ns (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (int64_t) ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void
append (char **buf, size_t *len, size_t max, const char *data, size_t n)
{
  if (*len >= max)
    return;
  if (n > max - *len)
    n = max - *len;
  *buf = xrealloc (*buf, *len + n + 1);
  memcpy (*buf + *len, data, n);
  *len += n;
  (*buf)[*len] = '\0';
}

void
ds_command_result_release (ds_command_result_t *result)
{
  free (result->out);
  free (result->err);
  memset (result, 0, sizeof *result);
}

static void
close_fd (int *fd)
{
  if (*fd >= 0)
    close (*fd);
  *fd = -1;
}

int
ds_command_run (const char *path, char *const argv[], char *const envp[], const char *input,
                size_t input_len, int64_t timeout_ns, size_t max_output,
                ds_command_result_t *result, kl_error_t *err)
{
  memset (result, 0, sizeof *result);
  result->out = xstrdup ("");
  result->err = xstrdup ("");
  /* posix_spawn reports a failed exec only in some implementations. */
  if (access (path, X_OK) < 0)
    return kl_make_error (err, errno, "exec %s", path);
  int in[2] = { -1, -1 }, out[2] = { -1, -1 }, errp[2] = { -1, -1 };
  if (pipe2 (in, O_CLOEXEC) < 0 || pipe2 (out, O_CLOEXEC) < 0 || pipe2 (errp, O_CLOEXEC) < 0)
    {
      int saved = errno;
      close_fd (&in[0]), close_fd (&in[1]), close_fd (&out[0]), close_fd (&out[1]);
      close_fd (&errp[0]), close_fd (&errp[1]);
      return kl_make_error (err, saved, "pipe for %s", path);
    }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init (&actions);
  posix_spawn_file_actions_adddup2 (&actions, in[0], 0);
  posix_spawn_file_actions_adddup2 (&actions, out[1], 1);
  posix_spawn_file_actions_adddup2 (&actions, errp[1], 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init (&attr);
  /* The caller's blocked signals (SIGTERM in the kubelet) must not carry over. */
  sigset_t none, defaults;
  sigemptyset (&none);
  sigemptyset (&defaults);
  sigaddset (&defaults, SIGPIPE);
  posix_spawnattr_setsigmask (&attr, &none);
  posix_spawnattr_setsigdefault (&attr, &defaults);
  posix_spawnattr_setflags (&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  pid_t pid = 0;
  int rc = posix_spawn (&pid, path, &actions, &attr, argv, envp);
  posix_spawn_file_actions_destroy (&actions);
  posix_spawnattr_destroy (&attr);
  close_fd (&in[0]);
  close_fd (&out[1]);
  close_fd (&errp[1]);
  if (rc != 0)
    {
      close_fd (&in[1]), close_fd (&out[0]), close_fd (&errp[0]);
      return kl_make_error (err, rc, "exec %s", path);
    }
  if (input_len == 0)
    close_fd (&in[1]);
  else
    fcntl (in[1], F_SETFL, fcntl (in[1], F_GETFL) | O_NONBLOCK);

  int64_t deadline = timeout_ns > 0 ? now_ns () + timeout_ns : 0;
  size_t written = 0;
  bool timed_out = false;
  char buf[16384];
  while (out[0] >= 0 || errp[0] >= 0)
    {
      struct pollfd fds[3];
      nfds_t n = 0;
      int which[3];
      if (out[0] >= 0)
        fds[n] = (struct pollfd){ .fd = out[0], .events = POLLIN }, which[n++] = 1;
      if (errp[0] >= 0)
        fds[n] = (struct pollfd){ .fd = errp[0], .events = POLLIN }, which[n++] = 2;
      if (in[1] >= 0)
        fds[n] = (struct pollfd){ .fd = in[1], .events = POLLOUT }, which[n++] = 0;
      int wait_ms = -1;
      if (deadline)
        {
          int64_t left = deadline - now_ns ();
          if (left <= 0)
            {
              timed_out = true;
              break;
            }
          wait_ms = (int) (left / 1000000 + 1);
        }
      int r = poll (fds, n, wait_ms);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        break;
      for (nfds_t i = 0; i < n; i++)
        {
          if (fds[i].revents == 0)
            continue;
          if (which[i] == 0)
            {
              ssize_t w = write (in[1], input + written, input_len - written);
              if (w > 0)
                written += (size_t) w;
              if ((w < 0 && errno != EAGAIN && errno != EINTR) || written == input_len)
                close_fd (&in[1]);
              continue;
            }
          int *fd = which[i] == 1 ? &out[0] : &errp[0];
          ssize_t got = read (*fd, buf, sizeof buf);
          if (got > 0)
            {
              if (which[i] == 1)
                append (&result->out, &result->out_len, max_output, buf, (size_t) got);
              else
                append (&result->err, &result->err_len, max_output, buf, (size_t) got);
            }
          else if (got == 0 || (errno != EAGAIN && errno != EINTR))
            close_fd (fd);
        }
    }
  close_fd (&in[1]);
  close_fd (&out[0]);
  close_fd (&errp[0]);
  if (timed_out)
    kill (pid, SIGKILL);
  int status = 0;
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
  if (timed_out)
    return kl_make_error_kind (err, KL_ERROR_TIMEOUT, 0, "%s did not finish in %lld s", path,
                               (long long) (timeout_ns / 1000000000LL));
  if (WIFEXITED (status))
    result->exit_status = WEXITSTATUS (status);
  else if (WIFSIGNALED (status))
    result->exit_status = 128 + WTERMSIG (status);
  return 0;
}

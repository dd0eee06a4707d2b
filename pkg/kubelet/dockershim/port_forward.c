/* PortForward's plumbing: connect inside a network namespace, copy both ways with half-closes. */
#include "pkg/kubelet/dockershim/port_forward.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "pkg/util/utils.h"

/* A loopback connect is answered at once; a full backlog is not. */
#define CONNECT_TIMEOUT_S 10
#define COPY_BUFFER (32u * 1024)

/* Connects to `port` on the loopback of the calling thread's namespace:
   the socket, or -1 with errno. */
static int
connect_loopback (int32_t port)
{
  struct sockaddr_in v4 = {
    .sin_family = AF_INET,
    .sin_port = htons ((uint16_t) port),
    .sin_addr.s_addr = htonl (INADDR_LOOPBACK),
  };
  struct sockaddr_in6 v6 = {
    .sin6_family = AF_INET6,
    .sin6_port = htons ((uint16_t) port),
    .sin6_addr = IN6ADDR_LOOPBACK_INIT,
  };
  const struct sockaddr *addrs[] = { (const struct sockaddr *) &v4, (const struct sockaddr *) &v6 };
  const socklen_t lens[] = { sizeof v4, sizeof v6 };
  int first_errno = 0;
  for (size_t i = 0; i < KL_ARRAY_SIZE (addrs); i++)
    {
      int fd = socket (addrs[i]->sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
      if (fd < 0)
        {
          first_errno = first_errno ? first_errno : errno;
          continue;
        }
      /* On Linux the send timeout bounds connect() too. */
      struct timeval tv = { .tv_sec = CONNECT_TIMEOUT_S };
      setsockopt (fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
      int r;
      do
        r = connect (fd, addrs[i], lens[i]);
      while (r < 0 && errno == EINTR);
      if (r == 0)
        {
          struct timeval none = { 0 };
          setsockopt (fd, SOL_SOCKET, SO_SNDTIMEO, &none, sizeof none);
          return fd;
        }
      first_errno = first_errno ? first_errno : errno;
      close (fd);
    }
  /* IPv4's answer is the one to report: ::1 is only a fallback. */
  errno = first_errno == EINPROGRESS || first_errno == EAGAIN ? ETIMEDOUT : first_errno;
  return -1;
}

typedef struct connect_job_s
{
  int netns_fd;
  int32_t port;
  int fd;          /* the result, or -1 */
  int saved_errno; /* why not */
  bool setns_failed;
} connect_job_t;

static void *
connect_in_netns (void *arg)
{
  connect_job_t *job = arg;
  /* This thread alone moves; it ends right after, the socket keeps the
     namespace it was made in. */
  if (setns (job->netns_fd, CLONE_NEWNET) < 0)
    {
      job->saved_errno = errno;
      job->setns_failed = true;
      return NULL;
    }
  job->fd = connect_loopback (job->port);
  if (job->fd < 0)
    job->saved_errno = errno;
  return NULL;
}

int
ds_netns_connect (const char *netns_path, int32_t port, int *out, kl_error_t *err)
{
  const char *where = netns_path ? netns_path : "of the node";
  if (port <= 0 || port > 65535)
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "invalid port %d", (int) port);
  if (netns_path == NULL)
    {
      int fd = connect_loopback (port);
      if (fd < 0)
        return kl_make_error (err, errno, "failed to connect to localhost:%d inside namespace %s",
                              (int) port, where);
      *out = fd;
      return 0;
    }
  cleanup_close int netns_fd = open (netns_path, O_RDONLY | O_CLOEXEC);
  if (netns_fd < 0)
    return kl_make_error (err, errno, "open network namespace %s", netns_path);
  connect_job_t job = { .netns_fd = netns_fd, .port = port, .fd = -1 };
  pthread_t thread;
  int r = pthread_create (&thread, NULL, connect_in_netns, &job);
  if (r != 0)
    return kl_make_error (err, r, "connect to localhost:%d in %s: starting a thread", (int) port,
                          netns_path);
  pthread_join (thread, NULL);
  if (job.setns_failed)
    return kl_make_error (err, job.saved_errno, "enter network namespace %s", netns_path);
  if (job.fd < 0)
    return kl_make_error (err, job.saved_errno,
                          "failed to connect to localhost:%d inside namespace %s", (int) port,
                          where);
  *out = job.fd;
  return 0;
}

static int64_t
monotonic_ns (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* One direction of the copy: bytes read from `from` and written to `to`. */
typedef struct direction_s
{
  int from;
  int to;
  char buf[COPY_BUFFER];
  size_t len; /* buf[off, len) is still to write */
  size_t off;
  bool input_done; /* `from` reached its end */
  bool done;       /* `to` got its half-close, or cannot take more */
} direction_t;

static void
finish (direction_t *d, bool half_close)
{
  if (d->done)
    return;
  d->done = true;
  d->len = d->off = 0;
  /* Not a socket (a pipe in a test): nothing to half-close. */
  if (half_close)
    shutdown (d->to, SHUT_WR);
}

static void
read_into (direction_t *d)
{
  ssize_t n = read (d->from, d->buf, sizeof d->buf);
  if (n < 0 && (errno == EINTR || errno == EAGAIN))
    return;
  if (n <= 0)
    {
      /* EOF, or a reset: either way nothing more comes this way. */
      d->input_done = true;
      return;
    }
  d->len = (size_t) n;
  d->off = 0;
}

static void
write_out (direction_t *d)
{
  ssize_t n = send (d->to, d->buf + d->off, d->len - d->off, MSG_NOSIGNAL | MSG_DONTWAIT);
  if (n < 0 && errno == ENOTSOCK)
    n = write (d->to, d->buf + d->off, d->len - d->off);
  if (n < 0 && (errno == EINTR || errno == EAGAIN))
    return;
  if (n < 0)
    {
      /* The receiver is gone: drop the rest, stop reading for it. */
      d->input_done = true;
      finish (d, false);
      return;
    }
  d->off += (size_t) n;
  if (d->off == d->len)
    d->len = d->off = 0;
}

int
ds_copy_both_ways (int a, int b, kl_error_t *err)
{
  /* When b's side (the pod) is done, the client gets this long to finish. */
  const int64_t grace_ns = DS_PORT_FORWARD_GRACE_MS * INT64_C (1000000);
  int64_t deadline_ns = 0;
  cleanup_free direction_t *dirs = xmalloc0 (2 * sizeof *dirs);
  dirs[0].from = a;
  dirs[0].to = b;
  dirs[1].from = b;
  dirs[1].to = a;
  while (!dirs[0].done || !dirs[1].done)
    {
      /* fds[0] is `a`, fds[1] is `b`; direction i reads fds[i] and writes
         fds[1 - i]. A hang-up is reported whatever the events. */
      struct pollfd fds[2] = { { .fd = a }, { .fd = b } };
      for (int i = 0; i < 2; i++)
        {
          direction_t *d = &dirs[i];
          if (d->done)
            continue;
          if (d->len > d->off)
            fds[1 - i].events |= POLLOUT;
          else if (!d->input_done)
            fds[i].events |= POLLIN;
        }
      /* A side wanted for nothing now is left out: its hang-up, reported
         whatever the events, would wake the loop for nothing. */
      for (int i = 0; i < 2; i++)
        if (fds[i].events == 0)
          fds[i].fd = -1;
      if (dirs[1].done && deadline_ns == 0)
        deadline_ns = monotonic_ns () + grace_ns;
      int timeout_ms = -1;
      if (deadline_ns != 0)
        {
          int64_t left_ns = deadline_ns - monotonic_ns ();
          if (left_ns <= 0)
            break; /* the client kept its side open past the grace */
          timeout_ms = (int) ((left_ns + 999999) / 1000000);
        }
      int r = poll (fds, 2, timeout_ms);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        return kl_make_error (err, errno, "port forward: poll");
      for (int i = 0; i < 2; i++)
        {
          direction_t *d = &dirs[i];
          short in = fds[i].revents, out = fds[1 - i].revents;
          if (d->done)
            continue;
          if (!d->input_done && d->len == d->off && (in & (POLLIN | POLLHUP | POLLERR)))
            read_into (d);
          else if (d->len > d->off && (out & (POLLOUT | POLLERR)))
            write_out (d);
          if (!d->done && (out & (POLLHUP | POLLERR | POLLNVAL)))
            {
              /* The receiving side hung up entirely: nothing more gets in. */
              d->input_done = true;
              finish (d, false);
            }
          if (!d->done && d->input_done && d->len == d->off)
            finish (d, true);
        }
    }
  return 0;
}

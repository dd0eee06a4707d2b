/* TCP probes: success if a connection opens within the timeout (Go's probe/tcp). */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "pkg/kubelet/prober/prober-internal.h"
#include "pkg/util/utils.h"

static void
cleanup_addrinfo (struct addrinfo **ai)
{
  if (*ai)
    freeaddrinfo (*ai);
}
#define cleanup_ai __attribute__ ((cleanup (cleanup_addrinfo)))

enum dial_outcome
{
  DIAL_CONNECTED,
  DIAL_FAILED, /* errno-style reason in *error */
  DIAL_TIMEOUT,
  DIAL_CANCELLED,
};

/* Connects to `ai` before `deadline` (monotonic ns), watching cancel_fd. */
static enum dial_outcome
dial_one (const struct addrinfo *ai, int64_t deadline, int cancel_fd, int *error)
{
  cleanup_close int fd
      = socket (ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
  if (fd < 0)
    {
      *error = errno;
      return DIAL_FAILED;
    }
  /* Go's ProbeDialer: a short linger so probes leave no sockets in TIME_WAIT. */
  struct linger linger = { .l_onoff = 1, .l_linger = 1 };
  setsockopt (fd, SOL_SOCKET, SO_LINGER, &linger, sizeof linger);
  if (connect (fd, ai->ai_addr, ai->ai_addrlen) == 0)
    return DIAL_CONNECTED;
  if (errno != EINPROGRESS)
    {
      *error = errno;
      return DIAL_FAILED;
    }
  for (;;)
    {
      int64_t left = deadline - kl_probe_monotonic_ns ();
      if (left <= 0)
        return DIAL_TIMEOUT;
      struct pollfd fds[2] = {
        { .fd = fd, .events = POLLOUT },
        { .fd = cancel_fd, .events = POLLIN },
      };
      int timeout_ms = (int) ((left + 999999) / 1000000);
      int n = poll (fds, cancel_fd >= 0 ? 2 : 1, timeout_ms);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          *error = errno;
          return DIAL_FAILED;
        }
      if (cancel_fd >= 0 && fds[1].revents != 0)
        return DIAL_CANCELLED;
      if (fds[0].revents == 0)
        continue;
      int so_error = 0;
      socklen_t len = sizeof so_error;
      if (getsockopt (fd, SOL_SOCKET, SO_ERROR, &so_error, &len) < 0)
        so_error = errno;
      if (so_error != 0)
        {
          *error = so_error;
          return DIAL_FAILED;
        }
      return DIAL_CONNECTED;
    }
}

static int
tcp_run (const kl_probe_target_t *target, kl_probe_result_t *result, char **output, kl_error_t *err)
{
  const kl_tcp_socket_action_t *action = target->probe->tcp_socket;
  int port;
  int ret = kl_probe_resolve_port (&action->port, target->container, &port, err);
  if (ret < 0)
    return ret;
  const char *host = kl_probe_host (action->host, target->pod_ip);
  bool ipv6 = strchr (host, ':') != NULL;
  cleanup_free char *address
      = xasprintf ("%s%s%s:%d", ipv6 ? "[" : "", host, ipv6 ? "]" : "", port);
  int64_t deadline = kl_probe_monotonic_ns () + kl_probe_timeout_ns (target->probe);

  char service[16];
  snprintf (service, sizeof service, "%d", port);
  struct addrinfo hints
      = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV };
  cleanup_ai struct addrinfo *addrs = NULL;
  int gai = host[0] ? getaddrinfo (host, service, &hints, &addrs) : EAI_NONAME;
  if (gai != 0)
    {
      /* Go turns dial errors into failures. */
      *output = xasprintf ("dial tcp %s: lookup %s: %s", address, host,
                           gai == EAI_SYSTEM ? strerror (errno) : gai_strerror (gai));
      *result = KL_PROBE_FAILURE;
      return 0;
    }
  int error = 0;
  for (const struct addrinfo *ai = addrs; ai != NULL; ai = ai->ai_next)
    {
      switch (dial_one (ai, deadline, target->cancel_fd, &error))
        {
        case DIAL_CONNECTED:
          *result = KL_PROBE_SUCCESS;
          return 0;
        case DIAL_CANCELLED:
          return kl_make_error_kind (err, KL_ERROR_GENERIC, 0, "cancelled");
        case DIAL_TIMEOUT:
          *output = xasprintf ("dial tcp %s: i/o timeout", address);
          *result = KL_PROBE_FAILURE;
          return 0;
        case DIAL_FAILED:
          break; /* try the next address */
        }
    }
  *output = xasprintf ("dial tcp %s: connect: %s", address, strerror (error));
  *result = KL_PROBE_FAILURE;
  return 0;
}

const struct kl_probe_runner_s kl_probe_runner_tcp = {
  .name = "tcp",
  .run = tcp_run,
};

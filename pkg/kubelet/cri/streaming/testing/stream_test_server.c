/* The streaming server behind a fake API server, for tests with real
   clients (kubectl_interop_test.sh):

     stream_test_server serve
       starts the streaming server on the host runtime (host_runtime.h), the
       fake API server (fake_apiserver.h) and two TCP servers for port
       forwards (echo, and hello: a greeting, then it closes), prints
       "apiserver=URL", "streams=URL", "echo_port=PORT" and "hello_port=PORT"
       lines on stdout and serves until SIGTERM or SIGINT; logs go to
       stderr.

     stream_test_server check-echo PORT BYTES
       sends BYTES patterned bytes to 127.0.0.1:PORT, half-closes, and
       checks that exactly the same bytes come back before EOF.

     stream_test_server read-all PORT
       prints what 127.0.0.1:PORT sends until it closes the connection. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "pkg/kubelet/cri/streaming/streaming.h"
#include "pkg/kubelet/cri/streaming/testing/fake_apiserver.h"
#include "pkg/kubelet/cri/streaming/testing/host_runtime.h"
#include "pkg/util/log.h"
#include "pkg/util/utils.h"

/* ---- the servers port forwards reach ---- */

#define HELLO "hello from the pod\n"

/* A TCP server on the loopback: echo copies back what it reads until EOF;
   hello writes HELLO and closes at once, before the client is done. */
struct tcp_server_s
{
  int fd;
  int port;
  bool hello;
  pthread_t thread;
};

struct tcp_conn_s
{
  int fd;
  bool hello;
};

static void *
tcp_conn (void *arg)
{
  struct tcp_conn_s *c = arg;
  char buf[32 * 1024];
  ssize_t n;
  if (c->hello)
    (void) !send (c->fd, HELLO, strlen (HELLO), MSG_NOSIGNAL);
  else
    while ((n = recv (c->fd, buf, sizeof buf, 0)) > 0 || (n < 0 && errno == EINTR))
      for (ssize_t off = 0; n > 0 && off < n;)
        {
          ssize_t w = send (c->fd, buf + off, (size_t) (n - off), MSG_NOSIGNAL);
          if (w <= 0)
            goto out;
          off += w;
        }
out:
  close (c->fd);
  free (c);
  return NULL;
}

static void *
tcp_accept (void *arg)
{
  struct tcp_server_s *srv = arg;
  for (;;)
    {
      int fd = accept4 (srv->fd, NULL, NULL, SOCK_CLOEXEC);
      if (fd < 0 && (errno == EINTR || errno == ECONNABORTED))
        continue;
      if (fd < 0)
        return NULL;
      struct tcp_conn_s *c = xmalloc (sizeof *c);
      *c = (struct tcp_conn_s){ .fd = fd, .hello = srv->hello };
      pthread_t t;
      if (pthread_create (&t, NULL, tcp_conn, c) == 0)
        pthread_detach (t);
      else
        {
          close (fd);
          free (c);
        }
    }
}

static int
listen_loopback (int *port, kl_error_t *err)
{
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return kl_make_error (err, errno, "socket");
  struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  socklen_t len = sizeof sin;
  if (bind (fd, (struct sockaddr *) &sin, sizeof sin) < 0 || listen (fd, 64) < 0
      || getsockname (fd, (struct sockaddr *) &sin, &len) < 0)
    {
      int saved = errno;
      close (fd);
      return kl_make_error (err, saved, "listen on 127.0.0.1");
    }
  *port = ntohs (sin.sin_port);
  return fd;
}

static int
serve (void)
{
  kl_log_init (2, NULL);
  signal (SIGPIPE, SIG_IGN);
  /* Every thread inherits the mask: only sigwait () below sees them. */
  sigset_t stop_signals;
  sigemptyset (&stop_signals);
  sigaddset (&stop_signals, SIGTERM);
  sigaddset (&stop_signals, SIGINT);
  pthread_sigmask (SIG_BLOCK, &stop_signals, NULL);

  kl_error_t err = NULL;
  kl_host_runtime_t *runtime = NULL;
  kl_stream_server_t *streams = NULL;
  kl_fake_apiserver_t *apiserver = NULL;
  struct tcp_server_s tcp[2] = { { .fd = -1 }, { .fd = -1, .hello = true } };
  kl_stream_runtime_t ops;
  int ret = kl_host_runtime_new (&runtime, &err);
  if (ret >= 0)
    {
      kl_host_runtime_ops (runtime, &ops);
      ret = kl_stream_server_start (NULL, &ops, &streams, &err);
    }
  if (ret >= 0)
    ret = kl_fake_apiserver_start (streams, &apiserver, &err);
  for (size_t i = 0; i < KL_ARRAY_SIZE (tcp) && ret >= 0; i++)
    {
      ret = tcp[i].fd = listen_loopback (&tcp[i].port, &err);
      if (ret >= 0 && (ret = pthread_create (&tcp[i].thread, NULL, tcp_accept, &tcp[i])) != 0)
        {
          close (tcp[i].fd);
          tcp[i].fd = -1;
          ret = kl_make_error (&err, ret, "start a TCP server");
        }
    }
  if (ret < 0)
    {
      /* Nothing served yet: exiting tears it all down. */
      fprintf (stderr, "stream_test_server: %s\n", kl_error_message (err));
      kl_error_release (&err);
      return 1;
    }
  printf ("apiserver=%s\nstreams=%s\necho_port=%d\nhello_port=%d\n",
          kl_fake_apiserver_url (apiserver), kl_stream_server_base_url (streams), tcp[0].port,
          tcp[1].port);
  fflush (stdout);

  int sig = 0;
  sigwait (&stop_signals, &sig);
  KL_LOG_INFO ("stream_test_server: signal %d, stopping", sig);
  kl_fake_apiserver_stop (apiserver);
  kl_host_runtime_kill_children (runtime);
  kl_stream_server_stop (streams);
  kl_host_runtime_free (runtime);
  for (size_t i = 0; i < KL_ARRAY_SIZE (tcp); i++)
    {
      shutdown (tcp[i].fd, SHUT_RDWR);
      pthread_join (tcp[i].thread, NULL);
      close (tcp[i].fd);
    }
  KL_LOG_INFO ("stream_test_server: stopped");
  return 0;
}

/* ---- check-echo ---- */

static uint8_t
pattern (size_t i)
{
  return (uint8_t) (i * 7 + i / 251);
}

static int
check_echo (const char *port_arg, const char *size_arg)
{
  char *end = NULL;
  long port = strtol (port_arg, &end, 10);
  if (*end || port < 1 || port > 65535)
    {
      fprintf (stderr, "check-echo: bad port %s\n", port_arg);
      return 2;
    }
  size_t size = strtoul (size_arg, &end, 10);
  if (*end || size_arg[0] == '-')
    {
      fprintf (stderr, "check-echo: bad size %s\n", size_arg);
      return 2;
    }
  cleanup_close int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in sin = { .sin_family = AF_INET,
                             .sin_port = htons ((uint16_t) port),
                             .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  if (fd < 0 || connect (fd, (struct sockaddr *) &sin, sizeof sin) < 0)
    {
      fprintf (stderr, "check-echo: connect to 127.0.0.1:%ld: %s\n", port, strerror (errno));
      return 1;
    }
  signal (SIGPIPE, SIG_IGN);
  size_t sent = 0, received = 0;
  bool write_done = size == 0;
  if (write_done)
    shutdown (fd, SHUT_WR);
  uint8_t buf[32 * 1024];
  for (;;)
    {
      struct pollfd p = { .fd = fd, .events = POLLIN | (write_done ? 0 : POLLOUT) };
      if (poll (&p, 1, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          perror ("check-echo: poll");
          return 1;
        }
      if (p.revents & POLLOUT)
        {
          size_t n = size - sent < sizeof buf ? size - sent : sizeof buf;
          for (size_t i = 0; i < n; i++)
            buf[i] = pattern (sent + i);
          ssize_t w = send (fd, buf, n, MSG_NOSIGNAL | MSG_DONTWAIT);
          if (w < 0 && errno != EAGAIN && errno != EINTR)
            {
              fprintf (stderr, "check-echo: send after %zu bytes: %s\n", sent, strerror (errno));
              return 1;
            }
          if (w > 0)
            sent += (size_t) w;
          if (sent == size)
            {
              write_done = true;
              shutdown (fd, SHUT_WR);
            }
        }
      if (p.revents & (POLLIN | POLLHUP | POLLERR))
        {
          ssize_t n = recv (fd, buf, sizeof buf, MSG_DONTWAIT);
          if (n < 0 && (errno == EAGAIN || errno == EINTR))
            continue;
          if (n < 0)
            {
              fprintf (stderr, "check-echo: recv after %zu bytes: %s\n", received,
                       strerror (errno));
              return 1;
            }
          if (n == 0)
            break;
          for (ssize_t i = 0; i < n; i++)
            if (buf[i] != pattern (received + (size_t) i))
              {
                fprintf (stderr, "check-echo: byte %zu differs\n", received + (size_t) i);
                return 1;
              }
          received += (size_t) n;
          if (received > size)
            {
              fprintf (stderr, "check-echo: got more bytes (%zu) than sent (%zu)\n", received,
                       size);
              return 1;
            }
        }
    }
  if (received != size)
    {
      fprintf (stderr, "check-echo: EOF after %zu of %zu bytes\n", received, size);
      return 1;
    }
  printf ("echoed %zu bytes\n", received);
  return 0;
}

/* ---- read-all ---- */

/* Prints what 127.0.0.1:PORT sends until it closes, sending nothing and
   keeping our side open: only the server's close ends it. */
static int
read_all (const char *port_arg)
{
  char *end = NULL;
  long port = strtol (port_arg, &end, 10);
  if (*end || port < 1 || port > 65535)
    {
      fprintf (stderr, "read-all: bad port %s\n", port_arg);
      return 2;
    }
  cleanup_close int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in sin = { .sin_family = AF_INET,
                             .sin_port = htons ((uint16_t) port),
                             .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  if (fd < 0 || connect (fd, (struct sockaddr *) &sin, sizeof sin) < 0)
    {
      fprintf (stderr, "read-all: connect to 127.0.0.1:%ld: %s\n", port, strerror (errno));
      return 1;
    }
  char buf[4096];
  ssize_t n;
  while ((n = recv (fd, buf, sizeof buf, 0)) > 0 || (n < 0 && errno == EINTR))
    if (n > 0)
      fwrite (buf, 1, (size_t) n, stdout);
  if (n < 0)
    {
      fprintf (stderr, "read-all: %s\n", strerror (errno));
      return 1;
    }
  return 0;
}

int
main (int argc, char **argv)
{
  if (argc == 2 && strcmp (argv[1], "serve") == 0)
    return serve ();
  if (argc == 4 && strcmp (argv[1], "check-echo") == 0)
    return check_echo (argv[2], argv[3]);
  if (argc == 3 && strcmp (argv[1], "read-all") == 0)
    return read_all (argv[2]);
  fprintf (stderr, "usage: %s serve | check-echo PORT BYTES | read-all PORT\n", argv[0]);
  return 2;
}

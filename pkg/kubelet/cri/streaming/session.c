/* The session loop: one thread per upgraded connection moves bytes between
   the client socket and the runtime's fds with poll(2), while the runtime
   calls run on threads of their own. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "pkg/kubelet/cri/streaming/session-internal.h"
#include "pkg/util/log.h"
#include "pkg/util/utils.h"

/* How long we keep reading a closing connection so that unread client
   bytes do not turn our close into a reset that drops our last frames. */
#define LINGER_MS 1000

struct chan_s *
session_add_chan (struct session_s *s, enum chan_role role, uint32_t id)
{
  struct chan_s *c = xmalloc0 (sizeof *c);
  c->role = role;
  c->id = id;
  c->fd = -1;
  c->source_eof = true;
  s->chans = xrealloc (s->chans, sizeof *s->chans * (s->n_chans + 1));
  s->chans[s->n_chans++] = c;
  return c;
}

struct chan_s *
session_find_chan (struct session_s *s, uint32_t id)
{
  for (size_t i = 0; i < s->n_chans; i++)
    if (s->chans[i]->id == id)
      return s->chans[i];
  return NULL;
}

void
session_send (struct session_s *s, struct chan_s *c, const void *data, size_t len)
{
  if (c->local_fin)
    return;
  if (s->websocket)
    ws_send (s, c, data, len);
  else
    spdy_send (s, c, data, len, false);
}

void
session_send_fin (struct session_s *s, struct chan_s *c)
{
  if (c->local_fin)
    return;
  if (!s->websocket)
    spdy_send (s, c, NULL, 0, true);
  c->local_fin = true;
}

void
session_deliver (struct session_s *s, struct chan_s *c, const uint8_t *data, size_t len)
{
  if (c->remote_fin)
    return;
  switch (c->role)
    {
    case ROLE_RESIZE:
      remotecommand_resize_data (s, c, data, len);
      break;
    case ROLE_STDIN:
    case ROLE_PF_DATA:
      if (c->fd_sink || c->fd < 0)
        kl_buf_append (&c->pending, data, len); /* kept until the fd exists */
      break;
    default:
      break; /* the client writes nothing on the others: ignored as Go does */
    }
}

void
session_remote_fin (struct session_s *s, struct chan_s *c)
{
  (void) s;
  c->remote_fin = true;
}

void
session_wake (struct session_s *s)
{
  char b = 1;
  ssize_t n = write (s->events[1], &b, 1);
  (void) n; /* a full pipe already wakes the loop */
}

int
session_pipe (int fds[2], kl_error_t *err)
{
  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) < 0)
    return kl_make_error (err, errno, "socketpair");
  fcntl (fds[0], F_SETFL, fcntl (fds[0], F_GETFL) | O_NONBLOCK);
  return 0;
}

int
session_start_call (struct session_s *s, struct call_s *call, void *(*fn) (void *), kl_error_t *err)
{
  call->session = s;
  atomic_store (&call->done, false);
  int ret = pthread_create (&call->thread, NULL, fn, call);
  if (ret != 0)
    return kl_make_error (err, ret, "start the runtime call thread");
  call->started = true;
  return 0;
}

static int64_t
deadline_ms (int64_t deadline_ns, int64_t now_ns, int timeout_ms)
{
  if (deadline_ns == 0)
    return timeout_ms;
  int64_t ms = deadline_ns > now_ns ? (deadline_ns - now_ns + 999999) / 1000000 : 0;
  return timeout_ms < 0 || ms < timeout_ms ? ms : timeout_ms;
}

static int
flush_out (struct session_s *s)
{
  size_t off = 0;
  while (off < s->out.len)
    {
      ssize_t n = send (s->sock, s->out.data + off, s->out.len - off, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          s->out.len = 0;
          return -1;
        }
      off += (size_t) n;
    }
  s->out.len = 0;
  return 0;
}

static void
check (struct session_s *s)
{
  if (s->req->kind == KL_STREAM_PORT_FORWARD)
    portforward_check (s);
  else
    remotecommand_check (s);
}

static void
feed (struct session_s *s)
{
  kl_error_t err = NULL;
  int ret = s->websocket ? ws_feed (s, &err) : spdy_feed (s, &err);
  if (ret < 0)
    {
      KL_LOG_V (2, "streaming: closing the connection: %s", kl_error_message (err));
      kl_error_release (&err);
      s->done = true;
    }
}

static void
read_client (struct session_s *s)
{
  uint8_t *p = kl_buf_reserve (&s->in, 64 * 1024);
  ssize_t n = recv (s->sock, p, 64 * 1024, 0);
  if (n < 0 && (errno == EINTR || errno == EAGAIN))
    return;
  if (n <= 0)
    {
      s->client_eof = true;
      s->done = true; /* nothing more can reach the client */
      return;
    }
  s->in.len += (size_t) n;
  s->idle_deadline_ns
      = kl_stream_now_ns () + kl_stream_server_config (s->server)->stream_idle_timeout_ns;
  feed (s);
}

static void
close_chan_fd (struct chan_s *c)
{
  if (c->fd >= 0)
    close (c->fd);
  c->fd = -1;
  c->fd_source = c->fd_sink = false;
  c->source_eof = true;
}

static void
read_chan (struct session_s *s, struct chan_s *c)
{
  uint8_t buf[CHAN_CHUNK];
  ssize_t n = read (c->fd, buf, sizeof buf);
  if (n < 0 && (errno == EINTR || errno == EAGAIN))
    return;
  if (n > 0)
    {
      session_send (s, c, buf, (size_t) n);
      s->idle_deadline_ns
          = kl_stream_now_ns () + kl_stream_server_config (s->server)->stream_idle_timeout_ns;
      return;
    }
  c->source_eof = true;
  c->fd_source = false;
  if (!c->fd_sink)
    close_chan_fd (c);
  if (c->role != ROLE_PF_DATA) /* a pair's FIN comes with its error stream's */
    session_send_fin (s, c);
}

static void
write_chan (struct session_s *s, struct chan_s *c)
{
  (void) s;
  while (c->pending.len > 0)
    {
      ssize_t n = send (c->fd, c->pending.data, c->pending.len, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && errno == EAGAIN)
        return;
      if (n <= 0)
        {
          /* The runtime stopped reading: drop what it will never take. */
          c->pending.len = 0;
          c->fd_sink = false;
          if (!c->fd_source)
            close_chan_fd (c);
          return;
        }
      kl_buf_consume (&c->pending, (size_t) n);
    }
}

/* After the client ended a channel and its bytes went out: EOF to the
   runtime. */
static void
settle_chan (struct chan_s *c)
{
  if (c->fd < 0 || !c->fd_sink || !c->remote_fin || c->pending.len > 0)
    return;
  c->fd_sink = false;
  if (c->fd_source)
    shutdown (c->fd, SHUT_WR);
  else
    close_chan_fd (c);
}

static size_t
total_pending (struct session_s *s)
{
  size_t n = 0;
  for (size_t i = 0; i < s->n_chans; i++)
    n += s->chans[i]->pending.len;
  return n;
}

static void
run_loop (struct session_s *s)
{
  struct pollfd *fds = NULL;
  struct chan_s **owners = NULL;
  while (!s->done)
    {
      for (size_t i = 0; i < s->n_chans; i++)
        {
          if (s->chans[i]->fd >= 0 && s->chans[i]->pending.len > 0)
            write_chan (s, s->chans[i]);
          settle_chan (s->chans[i]);
        }
      check (s);
      if (flush_out (s) < 0)
        {
          s->client_eof = true;
          break;
        }
      if (s->done)
        break;

      fds = xrealloc (fds, sizeof *fds * (s->n_chans + 2));
      owners = xrealloc (owners, sizeof *owners * (s->n_chans + 2));
      size_t n = 0;
      fds[n] = (struct pollfd){ .fd = s->events[0], .events = POLLIN };
      owners[n++] = NULL;
      fds[n] = (struct pollfd){ .fd = s->sock,
                                .events = total_pending (s) < CHAN_PENDING_LIMIT ? POLLIN : 0 };
      owners[n++] = NULL;
      for (size_t i = 0; i < s->n_chans; i++)
        {
          struct chan_s *c = s->chans[i];
          short events = 0;
          if (c->fd >= 0 && c->fd_source && !c->source_eof)
            events |= POLLIN;
          if (c->fd >= 0 && c->fd_sink && c->pending.len > 0)
            events |= POLLOUT;
          if (events == 0)
            continue;
          fds[n] = (struct pollfd){ .fd = c->fd, .events = events };
          owners[n++] = c;
        }
      int64_t now = kl_stream_now_ns ();
      int timeout = (int) deadline_ms (s->idle_deadline_ns, now, -1);
      timeout = (int) deadline_ms (s->creation_deadline_ns, now, timeout);
      timeout = (int) deadline_ms (s->drain_deadline_ns, now, timeout);
      int ret = poll (fds, n, timeout);
      if (ret < 0 && errno != EINTR)
        break;
      now = kl_stream_now_ns ();
      if (now >= s->idle_deadline_ns)
        {
          KL_LOG_V (2, "streaming: closing an idle connection");
          break;
        }
      if (ret <= 0)
        continue;
      if (fds[0].revents)
        {
          char drain[64];
          while (read (s->events[0], drain, sizeof drain) > 0)
            ;
          if (atomic_load (&s->stop))
            break;
        }
      for (size_t i = 2; i < n; i++)
        {
          struct chan_s *c = owners[i];
          if ((fds[i].revents & POLLOUT) && c->fd >= 0)
            write_chan (s, c);
          if ((fds[i].revents & (POLLIN | POLLHUP | POLLERR)) && c->fd >= 0 && c->fd_source
              && !c->source_eof)
            read_chan (s, c);
        }
      if (fds[1].revents)
        read_client (s);
    }
  free (fds);
  free (owners);
}

/* Ends the connection without a reset: our side first, then the client's
   remaining bytes are read and dropped for a short while. */
static void
linger_close (struct session_s *s)
{
  if (s->client_eof)
    return;
  flush_out (s);
  shutdown (s->sock, SHUT_WR);
  int64_t end = kl_stream_now_ns () + (int64_t) LINGER_MS * 1000000;
  for (;;)
    {
      int64_t now = kl_stream_now_ns ();
      if (now >= end || atomic_load (&s->stop))
        break;
      struct pollfd p[2]
          = { { .fd = s->sock, .events = POLLIN }, { .fd = s->events[0], .events = POLLIN } };
      if (poll (p, 2, (int) ((end - now) / 1000000) + 1) <= 0)
        break;
      if (p[1].revents)
        {
          char drain[64];
          while (read (s->events[0], drain, sizeof drain) > 0)
            ;
          continue;
        }
      char buf[4096];
      if (recv (s->sock, buf, sizeof buf, 0) <= 0)
        break;
    }
}

static void
join_call (struct call_s *call)
{
  if (!call->started)
    return;
  pthread_join (call->thread, NULL);
  call->started = false;
}

void *
session_main (void *arg)
{
  struct session_s *s = arg;
  s->idle_deadline_ns
      = kl_stream_now_ns () + kl_stream_server_config (s->server)->stream_idle_timeout_ns;
  if (s->req->kind == KL_STREAM_PORT_FORWARD)
    portforward_open (s);
  else
    remotecommand_open (s);
  if (s->in.len > 0 && !s->done)
    feed (s);
  run_loop (s);
  linger_close (s);
  /* Our ends closed: the runtime calls see EOF / EPIPE and return. */
  for (size_t i = 0; i < s->n_chans; i++)
    close_chan_fd (s->chans[i]);
  join_call (&s->call);
  for (size_t i = 0; i < s->n_pairs; i++)
    join_call (&s->pairs[i]->call);
  kl_stream_server_release_socket (s->server, s);
  return NULL;
}

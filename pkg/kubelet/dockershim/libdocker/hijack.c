#include "pkg/kubelet/dockershim/libdocker/hijack-internal.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "pkg/kubelet/dockershim/libdocker/client-internal.h"
#include "pkg/kubelet/dockershim/libdocker/stdcopy.h"
#include "pkg/util/duration.h"
#include "pkg/util/utils.h"

/* dockerd's response head is a few hundred bytes. */
#define MAX_HEAD (16u * 1024)
/* An error answer's body: {"message": "..."}. */
#define MAX_ERROR_BODY (64u * 1024)
#define IO_BUFFER (32u * 1024)

/* A deadline in CLOCK_MONOTONIC ns (0: none) -> poll()'s timeout. */
static int
poll_timeout (int64_t deadline)
{
  if (deadline == 0)
    return -1;
  int64_t left = deadline - docker_now_ns ();
  if (left <= 0)
    return 0;
  int64_t ms = (left + 999999) / 1000000;
  return ms > 60000 ? 60000 : (int) ms;
}

static bool
expired (int64_t deadline)
{
  return deadline != 0 && docker_now_ns () >= deadline;
}

/* Waits until `fd` is ready for `events`; 0 on timeout. */
static int
wait_fd (int fd, short events, int64_t deadline)
{
  for (;;)
    {
      if (expired (deadline))
        return 0;
      struct pollfd p = { .fd = fd, .events = events };
      int r = poll (&p, 1, poll_timeout (deadline));
      if (r < 0 && errno == EINTR)
        continue;
      if (r != 0)
        return r;
    }
}

static int
connect_unix (docker_client_t *client, const char *method, const char *path, int *out,
              kl_error_t *err)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  /* docker_client_new checked that the path fits. */
  strncpy (addr.sun_path, client->socket_path, sizeof addr.sun_path - 1);
  int fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return kl_make_error (err, errno, "docker: socket");
  if (connect (fd, (struct sockaddr *) &addr, sizeof addr) < 0)
    {
      int saved = errno;
      close (fd);
      return kl_make_error_kind (err, KL_ERROR_UNAVAILABLE, saved,
                                 "docker: %s %s: cannot connect to the Docker daemon at %s: %s",
                                 method, path, client->endpoint, strerror (saved));
    }
  *out = fd;
  return 0;
}

/* Sends all of `data` before `deadline`; 0, -1 with errno, or 1 on timeout. */
static int
send_all (int fd, const char *data, size_t len, int64_t deadline)
{
  while (len > 0)
    {
      ssize_t n = send (fd, data, len, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n < 0 && (errno == EAGAIN || errno == EINTR))
        {
          int r = wait_fd (fd, POLLOUT, deadline);
          if (r < 0)
            return -1;
          if (r == 0)
            return 1;
          continue;
        }
      if (n < 0)
        return -1;
      data += n;
      len -= (size_t) n;
    }
  return 0;
}

/* Receives up to `cap` bytes before `deadline`: >0 bytes, 0 at EOF, -1 with
   errno (ETIMEDOUT on timeout). */
static ssize_t
recv_some (int fd, char *buf, size_t cap, int64_t deadline)
{
  for (;;)
    {
      int r = wait_fd (fd, POLLIN, deadline);
      if (r < 0)
        return -1;
      if (r == 0)
        {
          errno = ETIMEDOUT;
          return -1;
        }
      ssize_t n = recv (fd, buf, cap, MSG_DONTWAIT);
      if (n < 0 && (errno == EAGAIN || errno == EINTR))
        continue;
      return n;
    }
}

/* The response head [0, head_len) holds "HTTP/1.1 101 ...\r\n...\r\n\r\n". */
typedef struct head_s
{
  char buf[MAX_HEAD + 1];
  size_t len;      /* bytes received, head and what followed it */
  size_t head_len; /* through the blank line */
  long status;
} head_t;

/* The value of header `name` in the head, as a NUL-terminated copy in `out`. */
static bool
head_header (const head_t *h, const char *name, char *out, size_t cap)
{
  size_t n = strlen (name);
  const char *line = memchr (h->buf, '\n', h->head_len);
  while (line && (size_t) (line + 1 - h->buf) < h->head_len)
    {
      line++;
      const char *end = memchr (line, '\n', h->head_len - (size_t) (line - h->buf));
      if (end == NULL)
        break;
      if ((size_t) (end - line) > n && strncasecmp (line, name, n) == 0 && line[n] == ':')
        {
          const char *v = line + n + 1;
          while (v < end && (*v == ' ' || *v == '\t'))
            v++;
          size_t vlen = (size_t) (end - v);
          while (vlen > 0 && (v[vlen - 1] == '\r' || v[vlen - 1] == ' '))
            vlen--;
          if (vlen >= cap)
            vlen = cap - 1;
          memcpy (out, v, vlen);
          out[vlen] = '\0';
          return true;
        }
      line = end;
    }
  return false;
}

static int
read_head (int fd, head_t *h, int64_t deadline, const char *method, const char *path,
           kl_error_t *err)
{
  while (h->head_len == 0)
    {
      if (h->len == MAX_HEAD)
        return kl_make_error_kind (err, KL_ERROR_INVALID, 0,
                                   "docker: %s %s: response head larger than %u bytes", method,
                                   path, MAX_HEAD);
      ssize_t n = recv_some (fd, h->buf + h->len, MAX_HEAD - h->len, deadline);
      if (n < 0 && errno == ETIMEDOUT)
        return kl_make_error_kind (err, KL_ERROR_TIMEOUT, ETIMEDOUT, "docker: %s %s: no answer",
                                   method, path);
      if (n < 0)
        return kl_make_error_kind (err, KL_ERROR_UNAVAILABLE, errno,
                                   "docker: %s %s: reading the answer: %s", method, path,
                                   strerror (errno));
      if (n == 0)
        return kl_make_error_kind (err, KL_ERROR_UNAVAILABLE, 0,
                                   "docker: %s %s: connection closed before an answer", method,
                                   path);
      h->len += (size_t) n;
      h->buf[h->len] = '\0';
      const char *blank = memmem (h->buf, h->len, "\r\n\r\n", 4);
      if (blank)
        h->head_len = (size_t) (blank - h->buf) + 4;
    }
  int major, minor, consumed = 0;
  if (sscanf (h->buf, "HTTP/%1d.%1d %3ld%n", &major, &minor, &h->status, &consumed) != 3
      || consumed != 12 || h->status < 100 || h->status > 599)
    {
      cleanup_free char *quoted = kl_quote (h->buf, h->len < 32 ? h->len : 32);
      return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "docker: %s %s: not an HTTP answer: %s",
                                 method, path, quoted);
    }
  return 0;
}

/* Decodes a complete chunked body in `raw`: 1 and the body in `out` once
   the last chunk is in, 0 if more is needed, -1 if malformed. */
static int
dechunk (const char *raw, size_t len, char *out, size_t *out_len)
{
  size_t pos = 0, n = 0;
  for (;;)
    {
      const char *eol = memmem (raw + pos, len - pos, "\r\n", 2);
      if (eol == NULL)
        return 0;
      char *end;
      unsigned long size = strtoul (raw + pos, &end, 16);
      if (end == raw + pos || size > MAX_ERROR_BODY)
        return -1;
      pos = (size_t) (eol - raw) + 2;
      if (size == 0)
        {
          *out_len = n;
          return 1;
        }
      if (len - pos < size + 2)
        return 0;
      if (n + size > MAX_ERROR_BODY)
        return -1;
      memcpy (out + n, raw + pos, size);
      n += size;
      pos += size + 2;
    }
}

/* Reads the body of an error answer (bounded) and turns it into the error. */
static int
error_answer (int fd, head_t *h, int64_t deadline, const char *method, const char *path,
              kl_error_t *err)
{
  char value[64];
  long content_length = -1;
  bool chunked = head_header (h, "Transfer-Encoding", value, sizeof value)
                 && strcasecmp (value, "chunked") == 0;
  if (!chunked && head_header (h, "Content-Length", value, sizeof value))
    content_length = strtol (value, NULL, 10);
  cleanup_free char *raw = xmalloc (MAX_ERROR_BODY + 1);
  cleanup_free char *body = xmalloc (MAX_ERROR_BODY + 1);
  size_t raw_len = h->len - h->head_len;
  size_t body_len = 0;
  memcpy (raw, h->buf + h->head_len, raw_len);
  for (;;)
    {
      if (chunked)
        {
          int r = dechunk (raw, raw_len, body, &body_len);
          if (r != 0)
            {
              if (r < 0)
                body_len = 0;
              break;
            }
        }
      else if (content_length >= 0 && raw_len >= (size_t) content_length)
        {
          raw_len = (size_t) content_length;
          break;
        }
      if (raw_len == MAX_ERROR_BODY)
        break;
      ssize_t n = recv_some (fd, raw + raw_len, MAX_ERROR_BODY - raw_len, deadline);
      if (n <= 0)
        break; /* report what we have */
      raw_len += (size_t) n;
    }
  if (!chunked)
    {
      memcpy (body, raw, raw_len);
      body_len = raw_len;
    }
  return docker_http_error (err, method, path, h->status, body, body_len);
}

/* Writes all of `data` to `fd`; a socket whose reader is gone fails with
   EPIPE rather than raising SIGPIPE. */
static int
write_fd (int fd, const char *data, size_t len, kl_error_t *err)
{
  bool socket = true;
  while (len > 0)
    {
      ssize_t n = socket ? send (fd, data, len, MSG_NOSIGNAL) : write (fd, data, len);
      if (n < 0 && errno == ENOTSOCK)
        {
          socket = false;
          continue;
        }
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && errno == EAGAIN)
        {
          struct pollfd p = { .fd = fd, .events = POLLOUT };
          poll (&p, 1, 1000);
          continue;
        }
      if (n < 0)
        return kl_make_error (err, errno, "writing exec output to fd %d", fd);
      data += n;
      len -= (size_t) n;
    }
  return 0;
}

/* The sink: io's callback, else its fds. */
static int
deliver (void *ctx, enum docker_stream stream, const char *data, size_t len, kl_error_t *err)
{
  const docker_stream_io_t *io = ctx;
  if (io->output)
    return io->output (io->ctx, stream, data, len, err);
  int fd = stream == DOCKER_STREAM_STDERR ? io->stderr_fd : io->stdout_fd;
  return fd < 0 ? 0 : write_fd (fd, data, len, err);
}

typedef struct pump_s
{
  int fd;
  const docker_stream_io_t *io;
  docker_stdcopy_t demux;
  int64_t deadline;
  char in[IO_BUFFER]; /* stdin read but not yet sent */
  size_t in_len;
  size_t in_off;
  bool stdin_open;
  bool stdin_eof; /* shut the write side down once `in` drained */
} pump_t;

static int
feed (pump_t *p, const char *data, size_t len, kl_error_t *err)
{
  if (len == 0)
    return 0;
  if (p->io->tty)
    return deliver ((void *) p->io, DOCKER_STREAM_STDOUT, data, len, err);
  return docker_stdcopy_feed (&p->demux, data, len, err);
}

/* Moves bytes both ways until dockerd closes the stream. */
static int
pump (pump_t *p, const char *method, const char *path, kl_error_t *err)
{
  char buf[IO_BUFFER];
  for (;;)
    {
      if (expired (p->deadline))
        return kl_make_error_kind (err, KL_ERROR_TIMEOUT, ETIMEDOUT,
                                   "docker: %s %s: timed out after %.3gs", method, path,
                                   (double) p->io->timeout_ns / 1e9);
      struct pollfd fds[4] = { { .fd = p->fd, .events = POLLIN } };
      nfds_t n = 1;
      nfds_t stdin_at = 0; /* 0: stdin not polled */
      if (p->in_off < p->in_len)
        fds[0].events |= POLLOUT;
      else if (p->stdin_open)
        {
          stdin_at = n;
          fds[n++] = (struct pollfd){ .fd = p->io->stdin_fd, .events = POLLIN };
        }
      /* Output fds are watched for their reader going away (POLLERR on a
         pipe, POLLHUP on a socket), which a quiet process never reveals. */
      nfds_t outputs_at = n;
      if (p->io->output == NULL && p->io->stdout_fd >= 0)
        fds[n++] = (struct pollfd){ .fd = p->io->stdout_fd };
      if (p->io->output == NULL && p->io->stderr_fd >= 0 && !p->io->tty)
        fds[n++] = (struct pollfd){ .fd = p->io->stderr_fd };
      /* Without output, an input that ended is watched the same way. */
      if (n == outputs_at && p->io->output == NULL && p->io->stdin_fd >= 0 && !p->stdin_open)
        fds[n++] = (struct pollfd){ .fd = p->io->stdin_fd };
      int r = poll (fds, n, poll_timeout (p->deadline));
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        return kl_make_error (err, errno, "docker: %s %s: poll", method, path);
      if (r == 0)
        continue;
      if (n > outputs_at)
        {
          nfds_t gone = 0;
          for (nfds_t i = outputs_at; i < n; i++)
            if (fds[i].revents & (POLLERR | POLLHUP | POLLNVAL))
              gone++;
          if (gone == n - outputs_at)
            return kl_make_error_kind (
                err, KL_ERROR_UNAVAILABLE, EPIPE, "docker: %s %s: the %s went away", method, path,
                fds[outputs_at].fd == p->io->stdin_fd ? "input's writer" : "output's reader");
        }
      if (fds[0].revents & (POLLIN | POLLHUP | POLLERR))
        {
          ssize_t got = recv (p->fd, buf, sizeof buf, MSG_DONTWAIT);
          if (got == 0)
            break;
          if (got < 0 && errno != EAGAIN && errno != EINTR)
            return kl_make_error_kind (err, KL_ERROR_UNAVAILABLE, errno,
                                       "docker: %s %s: reading the stream: %s", method, path,
                                       strerror (errno));
          if (got > 0 && feed (p, buf, (size_t) got, err) < 0)
            return docker_wrap_error (err, method, path);
        }
      if (fds[0].revents & POLLOUT)
        {
          ssize_t sent
              = send (p->fd, p->in + p->in_off, p->in_len - p->in_off, MSG_NOSIGNAL | MSG_DONTWAIT);
          if (sent < 0 && (errno == EPIPE || errno == ECONNRESET))
            {
              /* The process is gone and took its stdin along: drop the
                 rest of the input, keep reading what it wrote. */
              p->stdin_open = p->stdin_eof = false;
              p->in_len = p->in_off = 0;
            }
          else if (sent < 0 && errno != EAGAIN && errno != EINTR)
            return kl_make_error_kind (err, KL_ERROR_UNAVAILABLE, errno,
                                       "docker: %s %s: writing stdin: %s", method, path,
                                       strerror (errno));
          if (sent > 0)
            p->in_off += (size_t) sent;
        }
      if (stdin_at != 0 && (fds[stdin_at].revents & (POLLIN | POLLHUP | POLLERR)))
        {
          ssize_t got = read (p->io->stdin_fd, p->in, sizeof p->in);
          if (got < 0 && errno != EAGAIN && errno != EINTR)
            return kl_make_error (err, errno, "docker: %s %s: reading stdin", method, path);
          if (got == 0)
            {
              p->stdin_open = false;
              p->stdin_eof = true;
            }
          if (got > 0)
            {
              p->in_len = (size_t) got;
              p->in_off = 0;
            }
        }
      if (p->stdin_eof && p->in_off >= p->in_len)
        {
          /* The process reads EOF, as with the Go client's CloseWrite. */
          shutdown (p->fd, SHUT_WR);
          p->stdin_eof = false;
        }
    }
  if (!p->io->tty && docker_stdcopy_finish (&p->demux, err) < 0)
    return docker_wrap_error (err, method, path);
  return 0;
}

int
docker_hijack (docker_client_t *client, const char *method, const char *path, const char *body,
               size_t body_len, const docker_stream_io_t *io, kl_error_t *err)
{
  int64_t start = docker_now_ns ();
  /* Saturated: a CRI timeout may be as long as int64 seconds allow. */
  int64_t deadline = io->timeout_ns > 0 ? kl_duration_add (start, io->timeout_ns) : 0;
  /* The answer's head comes quickly: the client's timeout bounds it. */
  int64_t head_deadline = kl_duration_add (start, client->timeout_ns);
  if (deadline != 0 && deadline < head_deadline)
    head_deadline = deadline;

  char prefix[16];
  int ret = docker_negotiate (client, prefix, err);
  if (ret < 0)
    return ret;
  cleanup_close int fd = -1;
  ret = connect_unix (client, method, path, &fd, err);
  if (ret < 0)
    return ret;
  /* Messages name the path without its query, as docker_wrap_error's do. */
  cleanup_free char *shown = xstrndup (path, strcspn (path, "?"));
  cleanup_free char *request = xasprintf ("%s %s%s HTTP/1.1\r\n"
                                          "Host: docker\r\n"
                                          "User-Agent: dockerless-kubelet-libdocker\r\n"
                                          "Content-Type: application/json\r\n"
                                          "Content-Length: %zu\r\n"
                                          "Connection: Upgrade\r\n"
                                          "Upgrade: tcp\r\n"
                                          "\r\n",
                                          method, prefix, path, body_len);
  int sent = send_all (fd, request, strlen (request), head_deadline);
  if (sent == 0)
    sent = send_all (fd, body, body_len, head_deadline);
  if (sent != 0)
    return sent > 0
               ? kl_make_error_kind (err, KL_ERROR_TIMEOUT, ETIMEDOUT,
                                     "docker: %s %s: sending the request timed out", method, shown)
               : kl_make_error_kind (err, KL_ERROR_UNAVAILABLE, errno,
                                     "docker: %s %s: sending the request: %s", method, shown,
                                     strerror (errno));

  cleanup_free head_t *head = xmalloc0 (sizeof *head);
  ret = read_head (fd, head, head_deadline, method, shown, err);
  if (ret < 0)
    {
      if (kl_error_is (*err, KL_ERROR_TIMEOUT) && head_deadline == deadline)
        {
          kl_error_release (err);
          return kl_make_error_kind (err, KL_ERROR_TIMEOUT, ETIMEDOUT,
                                     "docker: %s %s: timed out after %.3gs", method, shown,
                                     (double) io->timeout_ns / 1e9);
        }
      return ret;
    }
  if (head->status != 101 && head->status != 200)
    {
      if (head->status < 400)
        return kl_make_error_kind (err, KL_ERROR_INVALID, (int) head->status,
                                   "docker: %s %s: %ld: the connection was not hijacked", method,
                                   shown, head->status);
      return error_answer (fd, head, head_deadline, method, path, err);
    }

  cleanup_free pump_t *p = xmalloc0 (sizeof *p);
  p->fd = fd;
  p->io = io;
  p->deadline = deadline;
  p->stdin_open = io->stdin_fd >= 0;
  docker_stdcopy_init (&p->demux, 0, deliver, (void *) io);
  ret = feed (p, head->buf + head->head_len, head->len - head->head_len, err);
  if (ret < 0)
    ret = docker_wrap_error (err, method, path);
  else
    ret = pump (p, method, shown, err);
  docker_stdcopy_release (&p->demux);
  return ret;
}

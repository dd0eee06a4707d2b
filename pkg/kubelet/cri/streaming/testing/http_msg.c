/* HTTP/1.1 heads and query strings for the fake API server. */
#include "pkg/kubelet/cri/streaming/testing/http_msg.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "pkg/util/utils.h"

#define MAX_HEAD (64 * 1024)

void
kl_http_msg_clear (kl_http_msg_t *m)
{
  free (m->head);
  kl_buf_free (&m->rest);
}

int
kl_http_write_all (int fd, const void *data, size_t len)
{
  const char *p = data;
  while (len > 0)
    {
      ssize_t n = send (fd, p, len, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return -1;
      p += n;
      len -= (size_t) n;
    }
  return 0;
}

static char *
trim (char *s)
{
  while (*s == ' ' || *s == '\t')
    s++;
  size_t n = strlen (s);
  while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
    s[--n] = '\0';
  return s;
}

static int
parse_head (kl_http_msg_t *m, kl_error_t *err)
{
  char *save = NULL;
  char *line = strtok_r (m->head, "\r\n", &save);
  if (line == NULL)
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "empty HTTP head");
  for (int i = 0; i < 3; i++)
    {
      m->start[i] = line;
      char *sp = i < 2 ? strchr (line, ' ') : NULL;
      if (i < 2 && sp == NULL)
        {
          if (i == 1)
            {
              m->start[2] = "";
              break;
            }
          return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "bad HTTP start line");
        }
      if (sp)
        {
          *sp = '\0';
          line = sp + 1;
        }
    }
  while ((line = strtok_r (NULL, "\r\n", &save)) != NULL)
    {
      char *colon = strchr (line, ':');
      if (colon == NULL || m->n_headers == KL_HTTP_MAX_HEADERS)
        return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "bad HTTP header line");
      *colon = '\0';
      m->headers[m->n_headers++] = (kl_http_header_t){ trim (line), trim (colon + 1) };
    }
  return 0;
}

/* Reads up to the blank line that ends a head. */
int
kl_http_read_head (int fd, kl_http_msg_t *m, kl_error_t *err)
{
  cleanup_buf kl_buf_t b = { 0 };
  for (;;)
    {
      uint8_t *end = b.len >= 4 ? memmem (b.data, b.len, "\r\n\r\n", 4) : NULL;
      if (end)
        {
          size_t head_len = (size_t) (end - b.data) + 2;
          m->head = xstrndup ((const char *) b.data, head_len);
          kl_buf_append (&m->rest, end + 4, b.len - head_len - 2);
          return parse_head (m, err);
        }
      if (b.len >= MAX_HEAD)
        return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "HTTP head over %d bytes", MAX_HEAD);
      uint8_t *p = kl_buf_reserve (&b, 4096);
      ssize_t n = recv (fd, p, 4096, 0);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return kl_make_error (err, errno, "read an HTTP head");
      if (n == 0)
        return kl_make_error_kind (err, KL_ERROR_UNAVAILABLE, 0,
                                   b.len ? "connection closed inside an HTTP head"
                                         : "connection closed");
      b.len += (size_t) n;
    }
}

const char *
kl_http_header (const kl_http_msg_t *m, const char *name)
{
  for (size_t i = 0; i < m->n_headers; i++)
    if (strcasecmp (m->headers[i].name, name) == 0)
      return m->headers[i].value;
  return NULL;
}

/* True when the comma-separated header `name` has `token`. */
bool
kl_http_header_has (const kl_http_msg_t *m, const char *name, const char *token)
{
  for (size_t i = 0; i < m->n_headers; i++)
    {
      if (strcasecmp (m->headers[i].name, name) != 0)
        continue;
      cleanup_free char *copy = xstrdup (m->headers[i].value);
      char *save = NULL;
      for (char *t = strtok_r (copy, ",", &save); t; t = strtok_r (NULL, ",", &save))
        if (strcasecmp (trim (t), token) == 0)
          return true;
    }
  return false;
}

static int
hex_value (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  c = (char) tolower ((unsigned char) c);
  return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Decodes a query component in place ('+' is a space, %XX a byte). */
static char *
url_decode (char *s)
{
  char *out = s;
  for (char *in = s; *in; in++)
    {
      if (*in == '+')
        *out++ = ' ';
      else if (*in == '%' && hex_value (in[1]) >= 0 && hex_value (in[2]) >= 0)
        {
          *out++ = (char) (hex_value (in[1]) * 16 + hex_value (in[2]));
          in += 2;
        }
      else
        *out++ = *in;
    }
  *out = '\0';
  return s;
}

/* The decoded values of query parameter `name`, NULL-terminated. */
char **
kl_http_query_values (const char *query, const char *name, size_t *n)
{
  char **values = xmalloc0 (sizeof *values);
  *n = 0;
  cleanup_free char *copy = xstrdup (query ? query : "");
  char *save = NULL;
  for (char *kv = strtok_r (copy, "&", &save); kv; kv = strtok_r (NULL, "&", &save))
    {
      char *eq = strchr (kv, '=');
      if (eq)
        *eq = '\0';
      if (strcmp (url_decode (kv), name) != 0)
        continue;
      values = xrealloc (values, sizeof *values * (*n + 2));
      values[(*n)++] = xstrdup (eq ? url_decode (eq + 1) : "");
      values[*n] = NULL;
    }
  return values;
}

void
kl_strv_free (char ***v)
{
  if (*v == NULL)
    return;
  for (char **p = *v; *p; p++)
    free (*p);
  free (*v);
}

bool
kl_http_query_bool (const char *query, const char *name)
{
  size_t n;
  cleanup_strv char **v = kl_http_query_values (query, name, &n);
  return n > 0 && (strcmp (v[0], "true") == 0 || strcmp (v[0], "1") == 0);
}

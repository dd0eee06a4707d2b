/* Field paths and quoted values for error messages. */
#include "pkg/kubelet/api/path-internal.h"

#include <stdio.h>
#include <string.h>

#include "pkg/util/utils.h"

/* Names longer than this are cut in paths: a path stays readable even when
   an unknown field's name is megabytes long. */
#define NAME_MAX_IN_PATH 128

static void
reserve (kl_path_t *path, size_t n)
{
  if (path->cap - path->len > n)
    return;
  size_t cap = path->cap ? path->cap : 64;
  while (cap - path->len <= n)
    cap *= 2;
  path->buf = xrealloc (path->buf, cap);
  path->cap = cap;
}

static void
append (kl_path_t *path, const char *s, size_t n)
{
  reserve (path, n);
  memcpy (path->buf + path->len, s, n);
  path->len += n;
  path->buf[path->len] = '\0';
}

/* Appends `s` with control bytes as \xNN, cut after NAME_MAX_IN_PATH bytes. */
static void
append_escaped (kl_path_t *path, const char *s, size_t n)
{
  static const char hex[] = "0123456789abcdef";
  size_t shown = n > NAME_MAX_IN_PATH ? NAME_MAX_IN_PATH : n;
  for (size_t i = 0; i < shown; i++)
    {
      unsigned char c = (unsigned char) s[i];
      if (c < 0x20 || c == 0x7f)
        {
          char esc[4] = { '\\', 'x', hex[c >> 4], hex[c & 0xf] };
          append (path, esc, sizeof esc);
        }
      else
        append (path, s + i, 1);
    }
  if (shown < n)
    append (path, "...", 3);
}

void
kl_path_init (kl_path_t *path, const char *prefix)
{
  path->buf = NULL;
  path->len = 0;
  path->cap = 0;
  reserve (path, 0);
  path->buf[0] = '\0';
  if (prefix)
    append (path, prefix, strlen (prefix));
}

void
kl_path_release (kl_path_t *path)
{
  free (path->buf);
  path->buf = NULL;
  path->len = path->cap = 0;
}

size_t
kl_path_field (kl_path_t *path, const char *name, size_t len)
{
  size_t mark = path->len;
  if (path->len > 0)
    append (path, ".", 1);
  append_escaped (path, name, len);
  return mark;
}

size_t
kl_path_index (kl_path_t *path, size_t index)
{
  size_t mark = path->len;
  char tmp[32];
  char *p = tmp + sizeof tmp;
  *--p = ']';
  do
    *--p = (char) ('0' + index % 10);
  while ((index /= 10) > 0);
  *--p = '[';
  append (path, p, (size_t) (tmp + sizeof tmp - p));
  return mark;
}

size_t
kl_path_key (kl_path_t *path, const char *key, size_t len)
{
  size_t mark = path->len;
  append (path, "[", 1);
  append_escaped (path, key, len);
  append (path, "]", 1);
  return mark;
}

void
kl_path_pop (kl_path_t *path, size_t mark)
{
  if (mark <= path->len)
    {
      path->len = mark;
      path->buf[mark] = '\0';
    }
}

const char *
kl_path_str (const kl_path_t *path)
{
  return path->buf ? path->buf : "";
}

char *
kl_quote_value (const char *s, size_t len)
{
  static const char hex[] = "0123456789abcdef";
  size_t shown = len;
  if (shown > KL_QUOTE_MAX)
    {
      shown = KL_QUOTE_MAX;
      /* Do not split a UTF-8 sequence. */
      while (shown > 0 && ((unsigned char) s[shown] & 0xc0) == 0x80)
        shown--;
    }
  char *out = xmalloc (shown * 4 + 8);
  char *p = out;
  *p++ = '"';
  for (size_t i = 0; i < shown; i++)
    {
      unsigned char c = (unsigned char) s[i];
      switch (c)
        {
        case '"':
        case '\\':
          *p++ = '\\';
          *p++ = (char) c;
          break;
        case '\n':
          *p++ = '\\';
          *p++ = 'n';
          break;
        case '\t':
          *p++ = '\\';
          *p++ = 't';
          break;
        case '\r':
          *p++ = '\\';
          *p++ = 'r';
          break;
        default:
          if (c < 0x20 || c == 0x7f)
            {
              *p++ = '\\';
              *p++ = 'x';
              *p++ = hex[c >> 4];
              *p++ = hex[c & 0xf];
            }
          else
            *p++ = (char) c;
        }
    }
  if (shown < len)
    {
      memcpy (p, "...", 3);
      p += 3;
    }
  *p++ = '"';
  *p = '\0';
  return out;
}

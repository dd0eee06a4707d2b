#include "pkg/util/utils.h"

#include <stdarg.h>
#include <string.h>

void
kl_oom (void)
{
  fputs ("out of memory\n", stderr);
  abort ();
}

void *
xmalloc (size_t size)
{
  void *p = malloc (size ? size : 1);
  if (p == NULL)
    kl_oom ();
  return p;
}

void *
xmalloc0 (size_t size)
{
  void *p = calloc (1, size ? size : 1);
  if (p == NULL)
    kl_oom ();
  return p;
}

void *
xrealloc (void *ptr, size_t size)
{
  void *p = realloc (ptr, size ? size : 1);
  if (p == NULL)
    kl_oom ();
  return p;
}

char *
xstrdup (const char *s)
{
  char *p = strdup (s ? s : "");
  if (p == NULL)
    kl_oom ();
  return p;
}

char *
xstrndup (const char *s, size_t n)
{
  char *p = strndup (s ? s : "", n);
  if (p == NULL)
    kl_oom ();
  return p;
}

char *
xasprintf (const char *fmt, ...)
{
  char *s = NULL;
  va_list ap;
  va_start (ap, fmt);
  int ret = vasprintf (&s, fmt, ap);
  va_end (ap);
  if (ret < 0)
    kl_oom ();
  return s;
}

char *
kl_quote (const char *s, size_t len)
{
  static const char hex[] = "0123456789abcdef";
  char *out = xmalloc (len * 4 + 3);
  char *p = out;
  *p++ = '"';
  for (size_t i = 0; i < len; i++)
    {
      unsigned char c = (unsigned char) s[i];
      if (c < ' ' || c >= 0x7f)
        {
          *p++ = '\\';
          *p++ = 'x';
          *p++ = hex[c >> 4];
          *p++ = hex[c & 0xf];
          continue;
        }
      if (c == '"' || c == '\\')
        *p++ = '\\';
      *p++ = (char) c;
    }
  *p++ = '"';
  *p = '\0';
  return out;
}

void
cleanup_freep (void *p)
{
  void **pp = (void **) p;
  free (*pp);
}

void
cleanup_closep (int *fd)
{
  if (*fd >= 0)
    close (*fd);
}

void
cleanup_fclosep (FILE **f)
{
  if (*f)
    fclose (*f);
}

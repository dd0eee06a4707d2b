#include "pkg/util/error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/util/utils.h"

static int
make_error_v (kl_error_t *err, enum kl_error_kind kind, int status, int with_errno, const char *fmt,
              va_list ap)
{
  char *msg = NULL;
  if (vasprintf (&msg, fmt, ap) < 0)
    kl_oom ();
  if (with_errno && status > 0)
    {
      char *full = xasprintf ("%s: %s", msg, strerror (status));
      free (msg);
      msg = full;
    }
  if (err == NULL)
    {
      free (msg);
      return -1;
    }
  kl_error_release (err);
  struct kl_error_s *e = xmalloc0 (sizeof *e);
  e->status = status;
  e->kind = kind;
  if (kind == KL_ERROR_GENERIC && with_errno)
    {
      if (status == ENOENT)
        e->kind = KL_ERROR_NOT_FOUND;
      else if (status == EINVAL)
        e->kind = KL_ERROR_INVALID;
      else if (status == ETIMEDOUT)
        e->kind = KL_ERROR_TIMEOUT;
      else if (status == EEXIST)
        e->kind = KL_ERROR_ALREADY_EXISTS;
    }
  e->msg = msg;
  *err = e;
  return -1;
}

int
kl_make_error (kl_error_t *err, int status, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  int ret = make_error_v (err, KL_ERROR_GENERIC, status, 1, fmt, ap);
  va_end (ap);
  return ret;
}

int
kl_make_error_kind (kl_error_t *err, enum kl_error_kind kind, int status, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  int ret = make_error_v (err, kind, status, 0, fmt, ap);
  va_end (ap);
  return ret;
}

int
kl_error_wrap (kl_error_t *err, const char *fmt, ...)
{
  if (err == NULL || *err == NULL)
    return -1;
  cleanup_free char *prefix = NULL;
  va_list ap;
  va_start (ap, fmt);
  if (vasprintf (&prefix, fmt, ap) < 0)
    kl_oom ();
  va_end (ap);
  char *msg = xasprintf ("%s: %s", prefix, (*err)->msg);
  free ((*err)->msg);
  (*err)->msg = msg;
  return -1;
}

void
kl_error_release (kl_error_t *err)
{
  if (err == NULL || *err == NULL)
    return;
  free ((*err)->msg);
  free (*err);
  *err = NULL;
}

const char *
kl_error_message (kl_error_t err)
{
  return err ? err->msg : "";
}

int
kl_error_is (kl_error_t err, enum kl_error_kind kind)
{
  return err != NULL && err->kind == kind;
}

#include "pkg/util/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pkg/util/utils.h"

int
kl_mkdir_p (const char *path, mode_t mode, kl_error_t *err)
{
  cleanup_free char *copy = xstrdup (path);
  for (char *p = copy + 1; *p; p++)
    {
      if (*p != '/')
        continue;
      *p = '\0';
      if (mkdir (copy, mode) < 0 && errno != EEXIST)
        return kl_make_error (err, errno, "mkdir %s", copy);
      *p = '/';
    }
  if (mkdir (copy, mode) < 0 && errno != EEXIST)
    return kl_make_error (err, errno, "mkdir %s", copy);
  return 0;
}

int
kl_write_file_atomic (const char *path, const void *data, size_t len, mode_t mode, kl_error_t *err)
{
  cleanup_free char *tmp = xasprintf ("%s.tmp.%d", path, (int) getpid ());
  cleanup_close int fd = open (tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
  if (fd < 0)
    return kl_make_error (err, errno, "create %s", tmp);
  const char *p = data;
  while (len > 0)
    {
      ssize_t n = write (fd, p, len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved = errno;
          unlink (tmp);
          return kl_make_error (err, saved, "write %s", tmp);
        }
      p += n;
      len -= (size_t) n;
    }
  if (fsync (fd) < 0 || rename (tmp, path) < 0)
    {
      int saved = errno;
      unlink (tmp);
      return kl_make_error (err, saved, "replace %s", path);
    }
  return 0;
}

int
kl_read_file (const char *path, size_t max, char **out, size_t *len, kl_error_t *err)
{
  cleanup_close int fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return kl_make_error (err, errno, "open %s", path);
  struct stat st;
  if (fstat (fd, &st) < 0)
    return kl_make_error (err, errno, "stat %s", path);
  if (st.st_size > (off_t) max)
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "%s: %lld bytes is over the limit of %zu",
                               path, (long long) st.st_size, max);
  char *buf = xmalloc (max + 1);
  size_t n = 0;
  for (;;)
    {
      ssize_t r = read (fd, buf + n, max + 1 - n);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        {
          int saved = errno;
          free (buf);
          return kl_make_error (err, saved, "read %s", path);
        }
      if (r == 0)
        break;
      n += (size_t) r;
      if (n > max)
        {
          free (buf);
          return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "%s: over the limit of %zu bytes",
                                     path, max);
        }
    }
  buf[n] = '\0';
  *out = buf;
  if (len)
    *len = n;
  return 0;
}

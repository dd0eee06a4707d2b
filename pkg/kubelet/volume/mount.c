/* The mount table (/proc/self/mountinfo) under a pod directory, and
   unmounting it deepest first. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "pkg/kubelet/volume/volume-internal.h"
#include "pkg/util/log.h"
#include "pkg/util/utils.h"

/* Unmount passes before giving up on mounts that keep reappearing (stacked
   or propagated mounts take one pass each). */
#define MAX_UNMOUNT_PASSES 8

void
kl_volume_mounts_free (char **list, size_t n)
{
  for (size_t i = 0; i < n; i++)
    free (list[i]);
  free (list);
}

/* Decodes mountinfo's octal escapes (\040 space, \011 tab, \012 newline,
   \134 backslash) in place. */
static void
unescape_octal (char *s)
{
  char *out = s;
  for (char *p = s; *p; p++)
    {
      if (p[0] == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] >= '0' && p[2] <= '7' && p[3] >= '0'
          && p[3] <= '7')
        {
          *out++ = (char) (((p[1] - '0') << 6) | ((p[2] - '0') << 3) | (p[3] - '0'));
          p += 3;
        }
      else
        *out++ = *p;
    }
  *out = '\0';
}

/* The mount point of one mountinfo line (its fifth field), unescaped in
   place, or NULL for a malformed line. */
static char *
mount_point_field (char *line)
{
  char *save = NULL;
  char *field = strtok_r (line, " ", &save);
  for (int i = 1; field != NULL && i < 5; i++)
    field = strtok_r (NULL, " ", &save);
  if (field == NULL)
    return NULL;
  field[strcspn (field, "\n")] = '\0';
  unescape_octal (field);
  return field;
}

static bool
is_at_or_under (const char *path, const char *dir)
{
  size_t len = strlen (dir);
  while (len > 1 && dir[len - 1] == '/')
    len--;
  if (strncmp (path, dir, len) != 0)
    return false;
  return path[len] == '\0' || path[len] == '/' || (len == 1 && dir[0] == '/');
}

/* Longer paths first: a mount's path is a strict extension of its parent
   mount's, so children come before their parents. */
static int
compare_deepest_first (const void *a, const void *b)
{
  const char *x = *(char *const *) a;
  const char *y = *(char *const *) b;
  size_t lx = strlen (x), ly = strlen (y);
  if (lx != ly)
    return lx > ly ? -1 : 1;
  return strcmp (x, y);
}

int
kl_volume_mounts_under (const char *mountinfo, const char *dir, char ***out, size_t *n_out,
                        kl_error_t *err)
{
  cleanup_file FILE *f = fopen (mountinfo, "re");
  if (f == NULL)
    return kl_make_error (err, errno, "open %s", mountinfo);

  char **list = NULL;
  size_t n = 0;
  cleanup_free char *line = NULL;
  size_t cap = 0;
  while (getline (&line, &cap, f) >= 0)
    {
      char *mount_point = mount_point_field (line);
      if (mount_point == NULL || !is_at_or_under (mount_point, dir))
        continue;
      list = xrealloc (list, (n + 1) * sizeof *list);
      list[n++] = xstrdup (mount_point);
    }
  if (ferror (f))
    {
      kl_volume_mounts_free (list, n);
      return kl_make_error (err, EIO, "read %s", mountinfo);
    }
  if (n > 1)
    qsort (list, n, sizeof *list, compare_deepest_first);
  *out = list;
  *n_out = n;
  return 0;
}

/* umount, then a lazy detach if it is busy: either way the mount leaves this
   namespace, so nothing below can reach into it. EINVAL and ENOENT mean it
   is gone already (a propagated unmount took it). */
static int
unmount_one (const char *mount_point, kl_error_t *err)
{
  /* mountinfo's paths hold no symlinks; if one appeared since (a container
     swapping a directory of its emptyDir for a link), umount would follow it
     out of the pod directory. UMOUNT_NOFOLLOW covers the last component. */
  cleanup_free char *resolved = realpath (mount_point, NULL);
  if (resolved == NULL && errno == ENOENT)
    return 0;
  if (resolved == NULL || strcmp (resolved, mount_point) != 0)
    return kl_make_error_kind (err, KL_ERROR_GENERIC, 0,
                               "not unmounting %s: the path now leads through a symlink",
                               mount_point);
  if (umount2 (mount_point, UMOUNT_NOFOLLOW) == 0)
    return 0;
  if (errno == EINVAL || errno == ENOENT)
    return 0;
  if (errno == EBUSY)
    {
      KL_LOG_WARN ("%s is busy; detaching it", mount_point);
      if (umount2 (mount_point, MNT_DETACH | UMOUNT_NOFOLLOW) == 0)
        return 0;
    }
  return kl_make_error (err, errno, "unmount %s", mount_point);
}

int
kl_volume_unmount_all_under (const char *mountinfo, const char *dir, kl_error_t *err)
{
  for (int pass = 0; pass < MAX_UNMOUNT_PASSES; pass++)
    {
      char **mounts = NULL;
      size_t n = 0;
      int ret = kl_volume_mounts_under (mountinfo, dir, &mounts, &n, err);
      if (ret < 0)
        return ret;
      if (n == 0)
        return 0;

      kl_error_t first = NULL;
      for (size_t i = 0; i < n; i++)
        {
          kl_error_t one = NULL;
          KL_LOG_V (3, "unmounting %s", mounts[i]);
          if (unmount_one (mounts[i], &one) < 0)
            {
              if (first == NULL)
                first = one;
              else
                {
                  KL_LOG_ERROR ("%s", kl_error_message (one));
                  kl_error_release (&one);
                }
            }
        }
      kl_volume_mounts_free (mounts, n);
      if (first != NULL)
        {
          if (err == NULL)
            {
              kl_error_release (&first);
              return -1;
            }
          kl_error_release (err);
          *err = first;
          return -1;
        }
    }
  return kl_make_error_kind (err, KL_ERROR_GENERIC, 0, "mounts under %s keep reappearing", dir);
}

/* Pod volumes: setup of each volume through its plugin, where a volume lives
   on the host, and teardown of the pod directory. */
#include "pkg/kubelet/volume/volume.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/kubelet/volume/path.h"
#include "pkg/kubelet/volume/volume-internal.h"
#include "pkg/util/log.h"
#include "pkg/util/utils.h"

#define MOUNTINFO "/proc/self/mountinfo"

/* The Go kubelet's makePodDataDirs mode. */
#define POD_DIR_PERM 0750

/* True if `path` reads /<something>/pods/<uid>: absolute, no "." or ".."
   component, the last component a safe name under a directory named
   "pods" that has a parent of its own. */
static bool
pod_dir_shape_ok (const char *path)
{
  if (path == NULL || path[0] != '/')
    return false;
  const char *components[3] = { NULL, NULL, NULL }; /* the last three, newest last */
  size_t lengths[3] = { 0, 0, 0 };
  size_t count = 0;
  for (const char *p = path; *p;)
    {
      while (*p == '/')
        p++;
      if (*p == '\0')
        break;
      size_t len = strcspn (p, "/");
      if ((len == 1 && p[0] == '.') || (len == 2 && p[0] == '.' && p[1] == '.'))
        return false;
      memmove (components, components + 1, 2 * sizeof *components);
      memmove (lengths, lengths + 1, 2 * sizeof *lengths);
      components[2] = p;
      lengths[2] = len;
      count++;
      p += len;
    }
  if (count < 3)
    return false;
  if (lengths[1] != 4 || strncmp (components[1], "pods", 4) != 0)
    return false;
  return kl_path_component_ok_n (components[2], lengths[2]);
}

static int
check_pod_dir (const char *pod_dir, const char *action, kl_error_t *err)
{
  if (pod_dir_shape_ok (pod_dir))
    return 0;
  const char *p = pod_dir ? pod_dir : "";
  cleanup_free char *quoted = kl_quote (p, strlen (p));
  return kl_make_error_kind (err, KL_ERROR_INVALID, 0,
                             "refusing to %s %s: not a pod directory (<root-dir>/pods/<uid>)",
                             action, quoted);
}

int
kl_volumes_setup (const char *pod_dir, const kl_pod_t *pod, kl_error_t *err)
{
  int ret = check_pod_dir (pod_dir, "set up volumes in", err);
  if (ret < 0)
    return ret;
  for (size_t i = 0; i < pod->spec.n_volumes; i++)
    {
      ret = kl_path_component_check ("volume name", pod->spec.volumes[i].name, err);
      if (ret < 0)
        return ret;
    }

  cleanup_free char *volumes_dir = xasprintf ("%s/volumes", pod_dir);
  cleanup_free char *plugins_dir = xasprintf ("%s/plugins", pod_dir);
  const char *dirs[] = { pod_dir, volumes_dir, plugins_dir };
  for (size_t i = 0; i < KL_ARRAY_SIZE (dirs); i++)
    {
      ret = kl_volume_mkdir_all (dirs[i], POD_DIR_PERM, err);
      if (ret < 0)
        return ret;
    }

  for (size_t i = 0; i < pod->spec.n_volumes; i++)
    {
      const kl_volume_t *v = &pod->spec.volumes[i];
      if (v->host_path != NULL)
        ret = kl_host_path_setup (v->host_path, err);
      else
        ret = kl_empty_dir_setup (pod_dir, pod, v, err);
      if (ret < 0)
        return kl_error_wrap (err, "volume \"%s\"", v->name);
    }
  return 0;
}

int
kl_volume_host_path (const char *pod_dir, const kl_pod_t *pod, const char *volume_name, char **out,
                     kl_error_t *err)
{
  for (size_t i = 0; i < pod->spec.n_volumes; i++)
    {
      const kl_volume_t *v = &pod->spec.volumes[i];
      if (v->name == NULL || volume_name == NULL || strcmp (v->name, volume_name) != 0)
        continue;
      if (v->host_path != NULL)
        {
          *out = xstrdup (v->host_path->path);
          return 0;
        }
      int ret = kl_path_component_check ("volume name", v->name, err);
      if (ret < 0)
        return ret;
      *out = kl_empty_dir_path (pod_dir, v->name);
      return 0;
    }
  return kl_make_error_kind (err, KL_ERROR_NOT_FOUND, 0, "pod has no volume \"%s\"",
                             volume_name ? volume_name : "");
}

/* <realpath of the parent>/<uid>, so it matches mountinfo's paths even when
   the root directory is reached through a symlink; the last component is
   never resolved. *out is NULL when the parent does not exist. */
static int
canonical_pod_dir (const char *pod_dir, char **out, kl_error_t *err)
{
  cleanup_free char *copy = xstrdup (pod_dir);
  size_t len = strlen (copy);
  while (len > 1 && copy[len - 1] == '/')
    copy[--len] = '\0';
  char *slash = strrchr (copy, '/');
  *slash = '\0'; /* the shape check saw a parent */
  const char *uid = slash + 1;
  char resolved[PATH_MAX];
  if (realpath (copy, resolved) == NULL)
    {
      if (errno == ENOENT)
        {
          *out = NULL;
          return 0;
        }
      return kl_make_error (err, errno, "resolve %s", copy);
    }
  *out = xasprintf ("%s/%s", strcmp (resolved, "/") == 0 ? "" : resolved, uid);
  return 0;
}

int
kl_volumes_teardown (const char *pod_dir, kl_error_t *err)
{
  int ret = check_pod_dir (pod_dir, "tear down", err);
  if (ret < 0)
    return ret;
  cleanup_free char *dir = NULL;
  ret = canonical_pod_dir (pod_dir, &dir, err);
  if (ret < 0 || dir == NULL)
    return ret;

  /* A mount that stays is never entered by the removal; its error is the
     more useful one to report. */
  kl_error_t unmount_err = NULL;
  int unmount_ret = kl_volume_unmount_all_under (MOUNTINFO, dir, &unmount_err);
  ret = kl_volume_remove_all_one_filesystem (dir, err);
  if (unmount_ret < 0)
    {
      if (ret < 0 && err != NULL)
        KL_LOG_WARN ("%s", kl_error_message (*err));
      if (err == NULL)
        kl_error_release (&unmount_err);
      else
        {
          kl_error_release (err);
          *err = unmount_err;
        }
      return kl_error_wrap (err, "tear down %s", pod_dir);
    }
  if (ret < 0)
    return kl_error_wrap (err, "tear down %s", pod_dir);
  return 0;
}

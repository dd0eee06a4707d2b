/* The hostPath volume plugin: the type check of pkg/volume/hostpath, with
   its messages. Nothing is mounted here; the runtime binds the path. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pkg/kubelet/volume/volume-internal.h"
#include "pkg/util/utils.h"

/* The HostPathType values; "" means no check. */
#define TYPE_DIRECTORY_OR_CREATE "DirectoryOrCreate"
#define TYPE_DIRECTORY "Directory"
#define TYPE_FILE_OR_CREATE "FileOrCreate"
#define TYPE_FILE "File"
#define TYPE_SOCKET "Socket"
#define TYPE_CHAR_DEVICE "CharDevice"
#define TYPE_BLOCK_DEVICE "BlockDevice"

/* validation.ValidatePathNoBacksteps: no ".." element. */
static bool
has_backsteps (const char *path)
{
  const char *p = path;
  while (*p)
    {
      size_t len = strcspn (p, "/");
      if (len == 2 && p[0] == '.' && p[1] == '.')
        return true;
      p += len;
      while (*p == '/')
        p++;
    }
  return false;
}

/* hostutil's exists (): stat follows symlinks, so a dangling one is absent. */
static bool
path_exists (const char *path)
{
  struct stat st;
  return stat (path, &st) == 0;
}

/* hostutil's GetFileType names, or NULL for a type it does not recognise. */
static const char *
file_type_name (mode_t mode)
{
  switch (mode & S_IFMT)
    {
    case S_IFDIR:
      return TYPE_DIRECTORY;
    case S_IFREG:
      return TYPE_FILE;
    case S_IFSOCK:
      return TYPE_SOCKET;
    case S_IFCHR:
      return TYPE_CHAR_DEVICE;
    case S_IFBLK:
      return TYPE_BLOCK_DEVICE;
    default:
      return NULL;
    }
}

/* typeMatchedOrError. */
static int
type_matched_or_error (const char *path, const char *expected, const char *description,
                       kl_error_t *err)
{
  /* Any stat failure reads as absence, as hostutil's PathExists. */
  struct stat st;
  if (stat (path, &st) < 0)
    return kl_make_error_kind (err, errno == ENOENT ? KL_ERROR_NOT_FOUND : KL_ERROR_GENERIC, errno,
                               "hostPath %s doesn't exist", path);
  const char *actual = file_type_name (st.st_mode);
  if (actual == NULL)
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0,
                               "hostPath type check failed, %s is not a %s, unable to determine "
                               "its type: only recognise file, directory, socket, block device and "
                               "character device",
                               path, description);
  if (strcmp (actual, expected) != 0)
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0,
                               "hostPath type check failed: %s is not a %s, it's a %s", path,
                               description, actual);
  return 0;
}

/* makeFile: open(O_CREATE) 0644 without O_EXCL; whatever exists is fine. As
   Kubernetes, the parent directory is not created. */
static int
make_file (const char *path, kl_error_t *err)
{
  int fd = open (path, O_RDONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0)
    {
      if (errno == EEXIST)
        return 0;
      return kl_make_error (err, errno, "open %s", path);
    }
  close (fd);
  return 0;
}

int
kl_host_path_setup (const kl_host_path_volume_source_t *source, kl_error_t *err)
{
  const char *path = source->path ? source->path : "";
  const char *type = source->type ? source->type : "";

  if (has_backsteps (path))
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0,
                               "invalid HostPath `%s`: must not contain '..'", path);
  if (*path == '\0')
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "hostPath: path is required");
  if (*type == '\0')
    return 0;

  if (strcmp (type, TYPE_DIRECTORY_OR_CREATE) == 0)
    {
      if (!path_exists (path))
        return kl_volume_mkdir_all (path, 0755, err);
      return type_matched_or_error (path, TYPE_DIRECTORY, "directory", err);
    }
  if (strcmp (type, TYPE_DIRECTORY) == 0)
    return type_matched_or_error (path, TYPE_DIRECTORY, "directory", err);
  if (strcmp (type, TYPE_FILE_OR_CREATE) == 0)
    {
      if (!path_exists (path))
        return make_file (path, err);
      return type_matched_or_error (path, TYPE_FILE, "file", err);
    }
  if (strcmp (type, TYPE_FILE) == 0)
    return type_matched_or_error (path, TYPE_FILE, "file", err);
  if (strcmp (type, TYPE_SOCKET) == 0)
    return type_matched_or_error (path, TYPE_SOCKET, "socket file", err);
  if (strcmp (type, TYPE_CHAR_DEVICE) == 0)
    return type_matched_or_error (path, TYPE_CHAR_DEVICE, "character device", err);
  if (strcmp (type, TYPE_BLOCK_DEVICE) == 0)
    return type_matched_or_error (path, TYPE_BLOCK_DEVICE, "block device", err);
  return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "%s is an invalid volume type", type);
}

/* Test helpers: a scratch root directory, unmounted and removed afterwards;
   pods built in code. */
#ifndef KL_KUBELET_VOLUME_TESTING_UTIL_H
#define KL_KUBELET_VOLUME_TESTING_UTIL_H

#include <gtest/gtest.h>

#include <cerrno>
#include <cstdlib>
#include <climits>
#include <cstring>
#include <filesystem>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

extern "C" {
#include "pkg/kubelet/api/types.h"
#include "pkg/kubelet/volume/volume-internal.h"
#include "pkg/kubelet/volume/volume.h"
#include "pkg/util/utils.h"
}

class VolumeTestBase : public ::testing::Test
{
protected:
  void
  SetUp () override
  {
    const char *base = getenv ("TEST_TMPDIR");
    std::string tmpl = std::string (base ? base : "/tmp") + "/kubelet-volume-XXXXXX";
    ASSERT_NE (mkdtemp (&tmpl[0]), nullptr);
    char resolved[PATH_MAX];
    ASSERT_NE (realpath (tmpl.c_str (), resolved), nullptr);
    root = resolved;
    pods = root + "/pods";
    host = root + "/host";
    ASSERT_EQ (mkdir (pods.c_str (), 0750), 0);
    ASSERT_EQ (mkdir (host.c_str (), 0755), 0);
    pod_dir = pods + "/0123-uid";
    pod = (kl_pod_t *) xmalloc0 (sizeof *pod);
    pod->metadata.name = xstrdup ("web");
    pod->metadata.uid = xstrdup ("0123-uid");
    old_umask = umask (022);
  }

  void
  TearDown () override
  {
    umask (old_umask);
    kl_pod_free (pod);
    kl_error_release (&err);
    /* Whatever a failed case left mounted goes first, so remove_all never
       reaches into a mount. */
    kl_error_t e = nullptr;
    EXPECT_EQ (kl_volume_unmount_all_under ("/proc/self/mountinfo", root.c_str (), &e), 0)
        << kl_error_message (e);
    kl_error_release (&e);
    std::filesystem::remove_all (root);
  }

  kl_volume_t *
  add_volume (const char *name)
  {
    pod->spec.volumes = (kl_volume_t *) xrealloc (pod->spec.volumes,
                                                  (pod->spec.n_volumes + 1) * sizeof (kl_volume_t));
    kl_volume_t *v = &pod->spec.volumes[pod->spec.n_volumes++];
    memset (v, 0, sizeof *v);
    v->name = xstrdup (name);
    return v;
  }

  kl_volume_t *
  add_empty_dir (const char *name, const char *medium = "", int64_t size_limit = 0)
  {
    kl_volume_t *v = add_volume (name);
    v->empty_dir = (kl_empty_dir_volume_source_t *) xmalloc0 (sizeof *v->empty_dir);
    v->empty_dir->medium = xstrdup (medium);
    if (size_limit > 0)
      {
        v->empty_dir->size_limit_bytes = size_limit;
        v->empty_dir->has_size_limit_bytes = true;
      }
    return v;
  }

  kl_volume_t *
  add_host_path (const char *name, const std::string &path, const char *type)
  {
    kl_volume_t *v = add_volume (name);
    v->host_path = (kl_host_path_volume_source_t *) xmalloc0 (sizeof *v->host_path);
    v->host_path->path = xstrdup (path.c_str ());
    v->host_path->type = type ? xstrdup (type) : nullptr;
    return v;
  }

  std::string
  message ()
  {
    return kl_error_message (err);
  }

  /* Lines of /proc/self/mountinfo whose mount point is `path`. */
  static std::vector<std::string>
  mount_lines (const std::string &path)
  {
    std::ifstream f ("/proc/self/mountinfo");
    std::vector<std::string> out;
    std::string line;
    while (std::getline (f, line))
      {
        std::istringstream fields (line);
        std::string field;
        for (int i = 0; i < 5; i++)
          fields >> field;
        if (field == path)
          out.push_back (line);
      }
    return out;
  }

  static void
  write_file (const std::string &path, const std::string &content)
  {
    std::ofstream f (path, std::ios::binary);
    f << content;
  }

  static std::string
  read_file (const std::string &path)
  {
    std::ifstream f (path, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf ();
    return ss.str ();
  }

  static bool
  exists (const std::string &path)
  {
    struct stat st;
    return lstat (path.c_str (), &st) == 0;
  }

  std::string root, pods, host, pod_dir;
  kl_pod_t *pod = nullptr;
  kl_error_t err = nullptr;
  mode_t old_umask = 022;
};

#endif

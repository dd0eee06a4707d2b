#include <gtest/gtest.h>

#include <string>
#include <sys/socket.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <vector>

#include "pkg/kubelet/volume/testing_util.h"

namespace {

using VolumeSetupTest = VolumeTestBase;

TEST_F (VolumeSetupTest, EmptyDirIsAWorldWritableDirectoryUnderThePodDir)
{
  add_empty_dir ("cache");
  add_volume ("implicit"); /* no source: emptyDir */
  ASSERT_EQ (kl_volumes_setup (pod_dir.c_str (), pod, &err), 0) << message ();

  struct stat st;
  ASSERT_EQ (stat (pod_dir.c_str (), &st), 0);
  EXPECT_EQ (st.st_mode & 07777, 0750u);
  for (const char *name : { "cache", "implicit" })
    {
      std::string dir = pod_dir + "/volumes/kubernetes.io~empty-dir/" + name;
      ASSERT_EQ (lstat (dir.c_str (), &st), 0) << dir;
      EXPECT_TRUE (S_ISDIR (st.st_mode));
      EXPECT_EQ (st.st_mode & 07777, 0777u) << "umask 022 must not leak into the mode";
      EXPECT_TRUE (exists (pod_dir + "/plugins/kubernetes.io~empty-dir/" + name + "/ready"));

      char *where = nullptr;
      ASSERT_EQ (kl_volume_host_path (pod_dir.c_str (), pod, name, &where, &err), 0);
      EXPECT_EQ (std::string (where), dir);
      free (where);
    }

  /* Idempotent, and data survives a second setup. */
  write_file (pod_dir + "/volumes/kubernetes.io~empty-dir/cache/data", "kept");
  ASSERT_EQ (kl_volumes_setup (pod_dir.c_str (), pod, &err), 0) << message ();
  EXPECT_EQ (read_file (pod_dir + "/volumes/kubernetes.io~empty-dir/cache/data"), "kept");

  /* Volume removed by hand while marked ready: set up again. */
  ASSERT_EQ (rmdir ((pod_dir + "/volumes/kubernetes.io~empty-dir/implicit").c_str ()), 0);
  ASSERT_EQ (kl_volumes_setup (pod_dir.c_str (), pod, &err), 0) << message ();
  EXPECT_TRUE (exists (pod_dir + "/volumes/kubernetes.io~empty-dir/implicit"));
}

TEST_F (VolumeSetupTest, UnknownVolumeAndMediumAreErrors)
{
  add_empty_dir ("huge", "HugePages");
  char *where = nullptr;
  EXPECT_LT (kl_volume_host_path (pod_dir.c_str (), pod, "nope", &where, &err), 0);
  EXPECT_TRUE (kl_error_is (err, KL_ERROR_NOT_FOUND));
  EXPECT_EQ (message (), "pod has no volume \"nope\"");
  EXPECT_LT (kl_volumes_setup (pod_dir.c_str (), pod, &err), 0);
  EXPECT_EQ (message (), "volume \"huge\": unknown storage medium \"HugePages\"");
}

TEST_F (VolumeSetupTest, VolumeNamesMustBeSafePathComponents)
{
  add_empty_dir ("../../../etc");
  EXPECT_LT (kl_volumes_setup (pod_dir.c_str (), pod, &err), 0);
  EXPECT_EQ (message (), "invalid volume name \"../../../etc\": not a safe path component");
  EXPECT_FALSE (exists (pod_dir)) << "nothing is created before the names are checked";
  char *where = nullptr;
  EXPECT_LT (kl_volume_host_path (pod_dir.c_str (), pod, "../../../etc", &where, &err), 0);
  EXPECT_EQ (where, nullptr);
}

TEST_F (VolumeSetupTest, SetupRefusesAPathThatIsNotAPodDir)
{
  add_empty_dir ("cache");
  std::string bad = root + "/not-pods/uid";
  EXPECT_LT (kl_volumes_setup (bad.c_str (), pod, &err), 0);
  EXPECT_TRUE (kl_error_is (err, KL_ERROR_INVALID));
  EXPECT_FALSE (exists (root + "/not-pods"));
}

TEST_F (VolumeSetupTest, MemoryMediumMountsASizedTmpfsOnce)
{
  add_empty_dir ("shm", "Memory", 1024 * 1024);
  add_empty_dir ("unsized", "Memory");
  int ret = kl_volumes_setup (pod_dir.c_str (), pod, &err);
  if (ret < 0 && err->status == EPERM)
    GTEST_SKIP () << "mount not permitted here: " << message ();
  ASSERT_EQ (ret, 0) << message ();

  std::string dir = pod_dir + "/volumes/kubernetes.io~empty-dir/shm";
  std::vector<std::string> lines = mount_lines (dir);
  ASSERT_EQ (lines.size (), 1u);
  EXPECT_NE (lines[0].find (" - tmpfs tmpfs "), std::string::npos) << lines[0];
  EXPECT_NE (lines[0].find ("size=1024k"), std::string::npos) << lines[0];
  EXPECT_NE (lines[0].find ("nosuid"), std::string::npos) << lines[0];
  EXPECT_NE (lines[0].find ("nodev"), std::string::npos) << lines[0];
  EXPECT_EQ (mount_lines (pod_dir + "/volumes/kubernetes.io~empty-dir/unsized").size (), 1u);

  /* Mounted already: a second setup does not stack another tmpfs, even with
     the ready marker gone. */
  ASSERT_EQ (unlink ((pod_dir + "/plugins/kubernetes.io~empty-dir/shm/ready").c_str ()), 0);
  write_file (dir + "/data", "in memory");
  ASSERT_EQ (kl_volumes_setup (pod_dir.c_str (), pod, &err), 0) << message ();
  EXPECT_EQ (mount_lines (dir).size (), 1u);
  EXPECT_EQ (read_file (dir + "/data"), "in memory");

  ASSERT_EQ (kl_volumes_teardown (pod_dir.c_str (), &err), 0) << message ();
  EXPECT_TRUE (mount_lines (dir).empty ());
  EXPECT_FALSE (exists (pod_dir));
}

TEST_F (VolumeSetupTest, FsGroupOwnsTheEmptyDirWithoutFollowingSymlinks)
{
  std::string dir = pod_dir + "/volumes/kubernetes.io~empty-dir/shared";
  std::filesystem::create_directories (dir + "/sub");
  write_file (dir + "/sub/file", "x");
  ASSERT_EQ (chmod ((dir + "/sub/file").c_str (), 0600), 0);
  std::string outside = host + "/outside";
  write_file (outside, "host data");
  ASSERT_EQ (chmod (outside.c_str (), 0600), 0);
  ASSERT_EQ (symlink (outside.c_str (), (dir + "/link").c_str ()), 0);

  add_empty_dir ("shared");
  pod->spec.security_context.fs_group = 4321;
  pod->spec.security_context.has_fs_group = true;
  ASSERT_EQ (kl_volumes_setup (pod_dir.c_str (), pod, &err), 0) << message ();

  struct stat st;
  ASSERT_EQ (stat (dir.c_str (), &st), 0);
  EXPECT_EQ (st.st_gid, 4321u);
  EXPECT_EQ (st.st_mode & 07777, 02777u);
  ASSERT_EQ (stat ((dir + "/sub").c_str (), &st), 0);
  EXPECT_EQ (st.st_gid, 4321u);
  EXPECT_TRUE (st.st_mode & S_ISGID);
  ASSERT_EQ (stat ((dir + "/sub/file").c_str (), &st), 0);
  EXPECT_EQ (st.st_gid, 4321u);
  EXPECT_EQ (st.st_mode & 07777, 0660u);
  ASSERT_EQ (lstat ((dir + "/link").c_str (), &st), 0);
  EXPECT_EQ (st.st_gid, 4321u) << "the link itself gets the group";
  ASSERT_EQ (stat (outside.c_str (), &st), 0);
  EXPECT_NE (st.st_gid, 4321u) << "its target does not";
  EXPECT_EQ (st.st_mode & 07777, 0600u);
}

/* One row of the hostPath type table. */
struct HostPathCase
{
  const char *name;
  std::string path;
  const char *type;
  std::string error; /* "" when setup succeeds */
};

class HostPathTest : public VolumeTestBase
{
protected:
  int
  check (const std::string &path, const char *type)
  {
    kl_host_path_volume_source_t source = { (char *) path.c_str (), (char *) type };
    return kl_host_path_setup (&source, &err);
  }
};

TEST_F (HostPathTest, TypeTableAsKubernetes)
{
  /* sun_path is short: the socket lives in a short-named directory. */
  char sock_dir[] = "/tmp/kl-sock-XXXXXX";
  ASSERT_NE (mkdtemp (sock_dir), nullptr);
  struct SockDirCleanup
  {
    const char *dir;
    ~SockDirCleanup () { std::filesystem::remove_all (dir); }
  } sock_dir_cleanup{ sock_dir };
  std::string dir = host + "/dir", file = host + "/file", sock = std::string (sock_dir) + "/sock",
              fifo = host + "/fifo", blk = host + "/blk", missing = host + "/missing",
              dir_link = host + "/dir-link", dangling = host + "/dangling";
  ASSERT_EQ (mkdir (dir.c_str (), 0755), 0);
  write_file (file, "f");
  ASSERT_EQ (mkfifo (fifo.c_str (), 0600), 0);
  ASSERT_EQ (symlink (dir.c_str (), dir_link.c_str ()), 0);
  ASSERT_EQ (symlink (missing.c_str (), dangling.c_str ()), 0);
  int fd = socket (AF_UNIX, SOCK_STREAM, 0);
  ASSERT_GE (fd, 0);
  struct sockaddr_un addr = {};
  addr.sun_family = AF_UNIX;
  ASSERT_LT (sock.size (), sizeof addr.sun_path);
  strcpy (addr.sun_path, sock.c_str ());
  ASSERT_EQ (bind (fd, (struct sockaddr *) &addr, sizeof addr), 0);
  close (fd);
  bool have_blk = mknod (blk.c_str (), S_IFBLK | 0600, makedev (7, 0)) == 0;

  const std::string failed = "hostPath type check failed: ";
  std::vector<HostPathCase> cases = {
    { "unset type checks nothing", missing, "", "" },
    { "null type checks nothing", missing, nullptr, "" },
    { "Directory", dir, "Directory", "" },
    { "Directory through a symlink", dir_link, "Directory", "" },
    { "Directory on a file", file, "Directory",
      failed + file + " is not a directory, it's a File" },
    { "Directory missing", missing, "Directory", "hostPath " + missing + " doesn't exist" },
    { "DirectoryOrCreate existing", dir, "DirectoryOrCreate", "" },
    { "DirectoryOrCreate on a file", file, "DirectoryOrCreate",
      failed + file + " is not a directory, it's a File" },
    { "File", file, "File", "" },
    { "File on a directory", dir, "File", failed + dir + " is not a file, it's a Directory" },
    { "File on a FIFO", fifo, "File",
      "hostPath type check failed, " + fifo
          + " is not a file, unable to determine its type: only recognise file, directory, "
            "socket, block device and character device" },
    { "File through a dangling symlink", dangling, "File",
      "hostPath " + dangling + " doesn't exist" },
    { "FileOrCreate existing", file, "FileOrCreate", "" },
    { "FileOrCreate on a directory", dir, "FileOrCreate",
      failed + dir + " is not a file, it's a Directory" },
    { "FileOrCreate without its parent", host + "/no-parent/file", "FileOrCreate",
      "open " + host + "/no-parent/file: No such file or directory" },
    { "Socket", sock, "Socket", "" },
    { "Socket on a file", file, "Socket", failed + file + " is not a socket file, it's a File" },
    { "CharDevice", "/dev/null", "CharDevice", "" },
    { "CharDevice on a socket", sock, "CharDevice",
      failed + sock + " is not a character device, it's a Socket" },
    { "BlockDevice on a char device", "/dev/null", "BlockDevice",
      failed + "/dev/null is not a block device, it's a CharDevice" },
    { "invalid type", dir, "Folder", "Folder is an invalid volume type" },
    { "backsteps", host + "/dir/../file", "",
      "invalid HostPath `" + host + "/dir/../file`: must not contain '..'" },
    { "backsteps, trailing", host + "/..", "Directory",
      "invalid HostPath `" + host + "/..`: must not contain '..'" },
  };
  if (have_blk)
    {
      cases.push_back ({ "BlockDevice", blk, "BlockDevice", "" });
      cases.push_back ({ "CharDevice on a block device", blk, "CharDevice",
                         failed + blk + " is not a character device, it's a BlockDevice" });
    }

  for (const auto &c : cases)
    {
      kl_error_release (&err);
      int ret = check (c.path, c.type);
      if (c.error.empty ())
        EXPECT_EQ (ret, 0) << c.name << ": " << message ();
      else
        {
          EXPECT_LT (ret, 0) << c.name;
          EXPECT_EQ (message (), c.error) << c.name;
        }
    }
  EXPECT_FALSE (exists (host + "/no-parent")) << "FileOrCreate never creates the parent";
  EXPECT_FALSE (exists (missing)) << "unset type creates nothing";
}

TEST_F (HostPathTest, OrCreateTypesCreateWithKubernetesModes)
{
  umask (0);
  std::string dir = host + "/a/b/c", file = host + "/new-file";
  ASSERT_EQ (check (dir, "DirectoryOrCreate"), 0) << message ();
  struct stat st;
  ASSERT_EQ (stat (dir.c_str (), &st), 0);
  EXPECT_TRUE (S_ISDIR (st.st_mode));
  EXPECT_EQ (st.st_mode & 07777, 0755u);
  ASSERT_EQ (stat ((host + "/a").c_str (), &st), 0);
  EXPECT_EQ (st.st_mode & 07777, 0755u) << "parents too, as mkdir -p";

  ASSERT_EQ (check (file, "FileOrCreate"), 0) << message ();
  ASSERT_EQ (stat (file.c_str (), &st), 0);
  EXPECT_TRUE (S_ISREG (st.st_mode));
  EXPECT_EQ (st.st_size, 0);
  EXPECT_EQ (st.st_mode & 07777, 0644u);

  /* Existing content is left alone. */
  write_file (file, "keep");
  ASSERT_EQ (check (file, "FileOrCreate"), 0);
  EXPECT_EQ (read_file (file), "keep");
}

TEST_F (HostPathTest, SetupErrorsNameTheVolume)
{
  std::string file = host + "/x";
  write_file (file, "");
  add_empty_dir ("cache");
  add_host_path ("data", file, "Directory");
  ASSERT_LT (kl_volumes_setup (pod_dir.c_str (), pod, &err), 0);
  EXPECT_EQ (message (), "volume \"data\": hostPath type check failed: " + file
                             + " is not a directory, it's a File");

  char *where = nullptr;
  ASSERT_EQ (kl_volume_host_path (pod_dir.c_str (), pod, "data", &where, &err), 0);
  EXPECT_EQ (std::string (where), file);
  free (where);
}

} // namespace

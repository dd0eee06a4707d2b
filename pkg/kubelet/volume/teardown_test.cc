#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "pkg/kubelet/volume/testing_util.h"

namespace {

class TeardownTest : public VolumeTestBase
{
protected:
  /* Host data that must survive every teardown. */
  void
  make_host_data ()
  {
    std::filesystem::create_directories (host + "/data/nested");
    write_file (host + "/data/precious", "host data");
    write_file (host + "/data/nested/deeper", "more host data");
    write_file (host + "/lonely-file", "a file");
  }

  void
  expect_host_data_intact ()
  {
    EXPECT_EQ (read_file (host + "/data/precious"), "host data");
    EXPECT_EQ (read_file (host + "/data/nested/deeper"), "more host data");
    EXPECT_EQ (read_file (host + "/lonely-file"), "a file");
  }

  /* Bind-mounts `source` on `target`; false (and the test skipped) when the
     kernel does not permit mounting here. */
  bool
  bind (const std::string &source, const std::string &target)
  {
    if (mount (source.c_str (), target.c_str (), "none", MS_BIND, nullptr) == 0)
      return true;
    EXPECT_EQ (errno, EPERM) << "bind " << source << " on " << target << ": " << strerror (errno);
    return false;
  }
};

TEST_F (TeardownTest, RemovesThePodDirAndNothingASymlinkPointsTo)
{
  make_host_data ();
  add_empty_dir ("cache");
  add_host_path ("data", host + "/data", "Directory");
  ASSERT_EQ (kl_volumes_setup (pod_dir.c_str (), pod, &err), 0) << message ();
  std::string vol = pod_dir + "/volumes/kubernetes.io~empty-dir/cache";
  std::filesystem::create_directories (vol + "/a/b/c");
  write_file (vol + "/a/b/c/file", "scratch");
  /* What a container could plant in its emptyDir. */
  ASSERT_EQ (symlink ((host + "/data").c_str (), (vol + "/to-host-dir").c_str ()), 0);
  ASSERT_EQ (symlink ((host + "/lonely-file").c_str (), (vol + "/a/to-host-file").c_str ()), 0);
  ASSERT_EQ (symlink ("/", (vol + "/to-root").c_str ()), 0);
  ASSERT_EQ (symlink ("../../../..", (vol + "/a/b/up").c_str ()), 0);
  ASSERT_EQ (mkfifo ((vol + "/fifo").c_str (), 0600), 0);

  ASSERT_EQ (kl_volumes_teardown (pod_dir.c_str (), &err), 0) << message ();
  EXPECT_FALSE (exists (pod_dir));
  EXPECT_TRUE (exists (pods));
  expect_host_data_intact ();

  /* Again: nothing to do. */
  ASSERT_EQ (kl_volumes_teardown (pod_dir.c_str (), &err), 0) << message ();
}

TEST_F (TeardownTest, UnmountsBindMountsInsideFirstAndKeepsTheirData)
{
  make_host_data ();
  add_empty_dir ("cache");
  ASSERT_EQ (kl_volumes_setup (pod_dir.c_str (), pod, &err), 0) << message ();
  std::string target = pod_dir + "/volumes/kubernetes.io~empty-dir/cache/bound";
  std::string nested = target + "/nested";
  ASSERT_EQ (mkdir (target.c_str (), 0755), 0);
  if (!bind (host + "/data", target))
    GTEST_SKIP () << "mount not permitted here";
  /* A mount stacked inside a mount. */
  ASSERT_TRUE (bind (host + "/data/nested", nested));
  ASSERT_EQ (mount_lines (nested).size (), 1u);

  ASSERT_EQ (kl_volumes_teardown (pod_dir.c_str (), &err), 0) << message ();
  EXPECT_TRUE (mount_lines (target).empty ());
  EXPECT_TRUE (mount_lines (nested).empty ());
  EXPECT_FALSE (exists (pod_dir));
  expect_host_data_intact ();
}

TEST_F (TeardownTest, RemovalNeverEntersAMountThatIsStillThere)
{
  make_host_data ();
  std::string vol = pod_dir + "/volumes/kubernetes.io~empty-dir/cache";
  std::string target = vol + "/bound";
  std::filesystem::create_directories (target);
  write_file (vol + "/scratch", "x");
  std::filesystem::create_directories (pod_dir + "/other/dir");
  write_file (pod_dir + "/other/dir/f", "y");
  /* A bind mount of the same filesystem: same st_dev, so only the mount ID
     tells it apart. */
  if (!bind (host + "/data", target))
    GTEST_SKIP () << "mount not permitted here";

  /* As if the unmount had failed: remove with the mount in place. */
  EXPECT_LT (kl_volume_remove_all_one_filesystem (pod_dir.c_str (), &err), 0);
  EXPECT_EQ (message (), target + " is a mount point; not removing it");
  expect_host_data_intact ();
  EXPECT_EQ (mount_lines (target).size (), 1u);
  EXPECT_FALSE (exists (vol + "/scratch")) << "everything beside the mount is removed";
  EXPECT_FALSE (exists (pod_dir + "/other"));
  EXPECT_TRUE (exists (pod_dir)) << "its ancestors stay";

  ASSERT_EQ (umount (target.c_str ()), 0);
  ASSERT_EQ (kl_volume_remove_all_one_filesystem (pod_dir.c_str (), &err), 0) << message ();
  EXPECT_FALSE (exists (pod_dir));
  expect_host_data_intact ();
}

TEST_F (TeardownTest, RemovalRefusesAPodDirThatIsAMountPoint)
{
  make_host_data ();
  ASSERT_EQ (mkdir (pod_dir.c_str (), 0750), 0);
  if (!bind (host + "/data", pod_dir))
    GTEST_SKIP () << "mount not permitted here";
  EXPECT_LT (kl_volume_remove_all_one_filesystem (pod_dir.c_str (), &err), 0);
  EXPECT_EQ (message (), pod_dir + " is a mount point; not removing it");
  expect_host_data_intact ();
  ASSERT_EQ (umount (pod_dir.c_str ()), 0);
}

TEST_F (TeardownTest, APodDirThatIsASymlinkIsNotFollowed)
{
  make_host_data ();
  ASSERT_EQ (symlink ((host + "/data").c_str (), pod_dir.c_str ()), 0);
  EXPECT_LT (kl_volumes_teardown (pod_dir.c_str (), &err), 0);
  EXPECT_NE (message ().find ("refusing to remove " + pod_dir), std::string::npos) << message ();
  expect_host_data_intact ();
}

TEST_F (TeardownTest, TheRootDirMayBeReachedThroughASymlink)
{
  std::string link = root + "/kubelet-link";
  ASSERT_EQ (symlink (root.c_str (), link.c_str ()), 0);
  add_empty_dir ("shm", "Memory");
  std::string via_link = link + "/pods/0123-uid";
  int ret = kl_volumes_setup (via_link.c_str (), pod, &err);
  if (ret < 0 && err->status == EPERM)
    GTEST_SKIP () << "mount not permitted here: " << message ();
  ASSERT_EQ (ret, 0) << message ();
  std::string real_mount = pod_dir + "/volumes/kubernetes.io~empty-dir/shm";
  ASSERT_EQ (mount_lines (real_mount).size (), 1u);

  ASSERT_EQ (kl_volumes_teardown (via_link.c_str (), &err), 0) << message ();
  EXPECT_TRUE (mount_lines (real_mount).empty ());
  EXPECT_FALSE (exists (pod_dir));
}

TEST_F (TeardownTest, RefusesPathsThatAreNotPodDirs)
{
  make_host_data ();
  std::vector<std::string> bad = {
    "",
    "/",
    "relative/pods/uid",
    "pods/uid",
    "/pods/uid",
    host,
    host + "/data",
    pods,
    pods + "/",
    pods + "/.",
    pods + "/..",
    pods + "/uid/..",
    pods + "/../host",
    root + "/pods/../host/data",
    root + "/host/pods/../data",
  };
  for (const auto &p : bad)
    {
      kl_error_release (&err);
      EXPECT_LT (kl_volumes_teardown (p.c_str (), &err), 0) << p;
      EXPECT_TRUE (kl_error_is (err, KL_ERROR_INVALID)) << p << ": " << message ();
    }
  EXPECT_LT (kl_volumes_teardown (nullptr, &err), 0);
  expect_host_data_intact ();
  EXPECT_TRUE (exists (pods));
  EXPECT_EQ (message (), "refusing to tear down \"\": not a pod directory (<root-dir>/pods/<uid>)");
}

TEST_F (TeardownTest, ADeepTreeIsRemoved)
{
  std::string dir = pod_dir;
  ASSERT_EQ (mkdir (dir.c_str (), 0750), 0);
  int fd = open (dir.c_str (), O_RDONLY | O_DIRECTORY);
  ASSERT_GE (fd, 0);
  /* Deeper than PATH_MAX allows by name: build it with openat. */
  for (int i = 0; i < 600; i++)
    {
      ASSERT_EQ (mkdirat (fd, "dddddddddddddddd", 0755), 0) << i;
      int next = openat (fd, "dddddddddddddddd", O_RDONLY | O_DIRECTORY);
      ASSERT_GE (next, 0);
      if (i % 50 == 0)
        {
          int f = openat (next, "file", O_WRONLY | O_CREAT, 0644);
          ASSERT_GE (f, 0);
          close (f);
        }
      close (fd);
      fd = next;
    }
  close (fd);
  ASSERT_EQ (kl_volumes_teardown (pod_dir.c_str (), &err), 0) << message ();
  EXPECT_FALSE (exists (pod_dir));
}

TEST_F (TeardownTest, MountinfoParsingUnescapesAndOrdersDeepestFirst)
{
  std::string mountinfo = root + "/mountinfo";
  write_file (mountinfo,
              "22 1 0:21 / /var/lib/kubelet rw - ext4 /dev/sda1 rw\n"
              "30 22 0:40 / /var/lib/kubelet/pods/u1/volumes/a rw - tmpfs tmpfs rw\n"
              "31 30 0:41 / /var/lib/kubelet/pods/u1/volumes/a/b\\040c rw - tmpfs tmpfs rw\n"
              "32 22 0:42 / /var/lib/kubelet/pods/u10/volumes/x rw - tmpfs tmpfs rw\n"
              "33 22 0:43 / /var/lib/kubelet/pods/u1 rw - tmpfs tmpfs rw\n"
              "34 30 0:44 / /var/lib/kubelet/pods/u1/volumes/a rw - tmpfs tmpfs rw\n"
              "malformed\n");
  char **mounts = nullptr;
  size_t n = 0;
  ASSERT_EQ (
      kl_volume_mounts_under (mountinfo.c_str (), "/var/lib/kubelet/pods/u1", &mounts, &n, &err), 0)
      << message ();
  std::vector<std::string> got (mounts, mounts + n);
  kl_volume_mounts_free (mounts, n);
  EXPECT_EQ (got, (std::vector<std::string>{
                      "/var/lib/kubelet/pods/u1/volumes/a/b c",
                      "/var/lib/kubelet/pods/u1/volumes/a",
                      "/var/lib/kubelet/pods/u1/volumes/a",
                      "/var/lib/kubelet/pods/u1",
                  }));
}

} // namespace

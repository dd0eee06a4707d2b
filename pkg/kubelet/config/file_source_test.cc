// The manifest directory source: listing, inotify, rescans, invalid and oversized manifests.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <vector>

#include "pkg/kubelet/config/sources_testing.h"

namespace {

using namespace kl_sources_testing;

using FileSourceTest = PodConfigTestBase;

TEST_F (FileSourceTest, InitialScanReadsYamlJsonAndMultiPodFilesInOrder)
{
  dir.Write ("b-web.yaml", PodYaml ("web"));
  dir.Write ("a-api.json", PodJson ("api"));
  dir.Write ("c-multi.yaml", PodYaml ("first") + "---\n" + PodYaml ("second"));
  dir.Write (".hidden.yaml", PodYaml ("hidden"));
  dir.Write ("d-list.yaml", "apiVersion: v1\nkind: List\nitems:\n"
                            "  - apiVersion: v1\n    kind: Pod\n    metadata: {name: listed}\n"
                            "    spec: {containers: [{name: app, image: busybox}]}\n");
  std::filesystem::create_directory (dir.Path ("e-subdir"));
  TempDir outside;
  outside.Write ("linked.yaml", PodYaml ("linked"));
  ASSERT_EQ (symlink (outside.Path ("linked.yaml").c_str (), dir.Path ("f-link.yaml").c_str ()), 0);
  Start ();

  ASSERT_TRUE (recorder.WaitForNames ({ Static ("api"), Static ("web"), Static ("first"),
                                        Static ("second"), Static ("listed"), Static ("linked") }));
  EXPECT_TRUE (WaitReady ());
  EXPECT_EQ (recorder.Count (), 1u);
  EXPECT_EQ (logs.Count ({ "e-subdir", "not recursing" }), 1u);
  EXPECT_EQ (logs.Count ({ "hidden" }), 0u);

  // A rescan without changes delivers nothing and repeats no warning.
  kl_pod_config_sync_now (config);
  EXPECT_EQ (recorder.Count (), 1u);
  EXPECT_EQ (logs.Count ({ "e-subdir", "not recursing" }), 1u);
}

TEST_F (FileSourceTest, StaticIdentityAndConfigSeen)
{
  std::string path = dir.Write ("web.yaml", PodYaml ("web"));
  Start ();
  ASSERT_TRUE (recorder.WaitForNames ({ Static ("web") }));
  PodInfo web = recorder.Latest ()[0];
  EXPECT_EQ (web.uid.size (), 32u);
  EXPECT_EQ (web.annotations[KL_ANNOTATION_CONFIG_SOURCE], "file");
  EXPECT_EQ (web.annotations[KL_ANNOTATION_CONFIG_HASH], web.uid);
  EXPECT_EQ (web.annotations[KL_ANNOTATION_CONFIG_SEEN], "2024-05-01T10:00:00Z");

  // The UID is the one static.h gives for this file on this node.
  kl_pod_list_t decoded = { nullptr, 0 };
  std::string manifest = PodYaml ("web");
  ASSERT_EQ (kl_pod_decode (manifest.data (), manifest.size (), path.c_str (), &decoded, &err), 0);
  char *uid = nullptr;
  ASSERT_EQ (
      kl_static_pod_uid (decoded.items[0], "node1", KL_POD_SOURCE_FILE, path.c_str (), &uid, &err),
      0);
  EXPECT_EQ (web.uid, uid);
  free (uid);
  kl_pod_list_clear (&decoded);

  // An unchanged pod keeps the time it was first seen; a new one gets now.
  clock.Advance (60);
  dir.Write ("zz.yaml", PodYaml ("zz"));
  ASSERT_TRUE (recorder.WaitForNames ({ Static ("web"), Static ("zz") }));
  auto set = recorder.Latest ();
  EXPECT_EQ (set[0].annotations[KL_ANNOTATION_CONFIG_SEEN], "2024-05-01T10:00:00Z");
  EXPECT_EQ (set[0].uid, web.uid);
  EXPECT_EQ (set[1].annotations[KL_ANNOTATION_CONFIG_SEEN], "2024-05-01T10:01:00Z");
}

TEST_F (FileSourceTest, InotifyDeliversAddModifyRemove)
{
  Start ();
  ASSERT_TRUE (recorder.WaitForNames ({}));
  EXPECT_TRUE (WaitReady ());

  dir.Write ("web.yaml", PodYaml ("web", "nginx:1"));
  ASSERT_TRUE (recorder.WaitForNames ({ Static ("web") }));
  std::string old_uid = recorder.Latest ()[0].uid;

  dir.WriteInPlace ("db.yaml", PodYaml ("db"));
  ASSERT_TRUE (recorder.WaitForNames ({ Static ("db"), Static ("web") }));

  dir.WriteInPlace ("web.yaml", PodYaml ("web", "nginx:2"));
  ASSERT_TRUE (recorder.WaitFor ([] (const std::vector<PodInfo> &set) {
    return set.size () == 2 && set[1].image == "nginx:2";
  }));
  EXPECT_NE (recorder.Latest ()[1].uid, old_uid); // a new manifest is a new pod

  dir.Remove ("db.yaml");
  ASSERT_TRUE (recorder.WaitForNames ({ Static ("web") }));

  // Renaming a file away and back.
  std::filesystem::rename (dir.Path ("web.yaml"), dir.Path (".web.yaml.bak"));
  ASSERT_TRUE (recorder.WaitForNames ({}));
  std::filesystem::rename (dir.Path (".web.yaml.bak"), dir.Path ("web.yaml"));
  ASSERT_TRUE (recorder.WaitForNames ({ Static ("web") }));
}

TEST_F (FileSourceTest, FileWrittenInSeveralWritesIsReadOnceComplete)
{
  opts.file_debounce_ns = 500LL * 1000000LL;
  Start ();
  ASSERT_TRUE (recorder.WaitForNames ({}));

  std::string manifest = PodYaml ("web");
  size_t half = manifest.size () / 2;
  {
    std::ofstream f (dir.Path ("web.yaml"), std::ios::binary);
    f << manifest.substr (0, half) << std::flush;
    f << manifest.substr (half) << std::flush;
  }
  ASSERT_TRUE (recorder.WaitForNames ({ Static ("web") }));
  EXPECT_EQ (logs.Count ({ "web.yaml", "Could not process" }), 0u);
  EXPECT_EQ (recorder.Count (), 2u);
}

TEST_F (FileSourceTest, FileHeldOpenByItsWriterIsReadOnlyOnceClosed)
{
  dir.Write ("web.yaml", PodYaml ("web", "nginx:1"));
  Start ();
  ASSERT_TRUE (recorder.WaitForNames ({ Static ("web") }));
  size_t deliveries = recorder.Count ();

  // Rewritten in place by a writer that keeps it open: what it wrote so far
  // is a valid pod (a prefix of the new version), but never read as one,
  // not even after the debounce period's cap (10 periods) passed.
  std::string prefix = PodYaml ("web", "nginx:2");
  std::string rest = "      command: [sleep, \"3600\"]\n";
  FILE *f = fopen (dir.Path ("web.yaml").c_str (), "w");
  ASSERT_NE (f, nullptr);
  ASSERT_EQ (fwrite (prefix.data (), 1, prefix.size (), f), prefix.size ());
  fflush (f);
  usleep (400 * 1000); /* 20 debounce periods: a window for a wrong read */
  kl_pod_config_sync_now (config);
  EXPECT_EQ (recorder.Count (), deliveries);
  EXPECT_EQ (recorder.Latest ()[0].image, "nginx:1");
  ASSERT_EQ (fwrite (rest.data (), 1, rest.size (), f), rest.size ());
  fclose (f);

  ASSERT_TRUE (recorder.WaitFor ([] (const std::vector<PodInfo> &set) {
    return set.size () == 1 && set[0].image == "nginx:2";
  }));
  EXPECT_EQ (recorder.Count (), deliveries + 1);
  EXPECT_EQ (logs.Count ({ "web.yaml", "Could not process" }), 0u) << logs.Text ();
}

TEST_F (FileSourceTest, LimitIsReachedAtItsSizeAsGosReadAtMost)
{
  opts.max_manifest_bytes = 1024;
  std::string at_limit = PodYaml ("big") + "#";
  at_limit.resize (1023, 'x');
  at_limit += "\n";
  dir.Write ("big.yaml", at_limit);
  Start ();
  ASSERT_TRUE (recorder.WaitForNames ({}));
  EXPECT_EQ (
      logs.Count ({ dir.Path ("big.yaml"), "1024 bytes", "at or over the limit of 1024 bytes" }),
      1u)
      << logs.Text ();
  // One byte less is within it.
  dir.Write ("big.yaml", at_limit.substr (0, 1022) + "\n");
  ASSERT_TRUE (recorder.WaitForNames ({ Static ("big") }));
}

TEST_F (FileSourceTest, InvalidManifestIsReportedOncePerChangeAndSparesOthers)
{
  dir.Write ("a.yaml", PodYaml ("a"));
  dir.Write ("bad.yaml", PodYaml ("bad", ""));
  dir.Write ("c.yaml", PodYaml ("c"));
  Start ();
  ASSERT_TRUE (recorder.WaitForNames ({ Static ("a"), Static ("c") }));
  std::vector<std::string> bad_line
      = { "Could not process manifest file", dir.Path ("bad.yaml"), "spec.containers[0].image" };
  EXPECT_EQ (logs.Count (bad_line), 1u) << logs.Text ();

  // Rescans of the same content stay quiet.
  kl_pod_config_sync_now (config);
  kl_pod_config_sync_now (config);
  EXPECT_EQ (logs.Count (bad_line), 1u);

  // New content, still broken: reported again, once.
  dir.WriteInPlace ("bad.yaml", PodYaml ("bad", "") + "# edited\n");
  ASSERT_TRUE (logs.WaitForCount (bad_line, 2));
  kl_pod_config_sync_now (config);
  EXPECT_EQ (logs.Count (bad_line), 2u);

  // Other broken forms: a YAML syntax error, an unknown field.
  dir.WriteInPlace ("bad.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: x\n");
  ASSERT_TRUE (logs.WaitForCount ({ "Could not process manifest file", dir.Path ("bad.yaml") }, 3));
  dir.WriteInPlace ("bad.yaml", PodYaml ("bad") + "bogus: 1\n");
  ASSERT_TRUE (logs.WaitForCount ({ dir.Path ("bad.yaml"), "bogus" }, 1));
  EXPECT_EQ (Recorder::Names (recorder.Latest ()),
             (std::vector<std::string>{ Static ("a"), Static ("c") }));

  // Fixed: its pod appears beside the others.
  dir.WriteInPlace ("bad.yaml", PodYaml ("bad"));
  ASSERT_TRUE (recorder.WaitForNames ({ Static ("a"), Static ("bad"), Static ("c") }));
  EXPECT_EQ (logs.Count ({ "bad.yaml", "valid again" }), 1u);

  // Broken again: its pod goes, the others stay.
  dir.WriteInPlace ("bad.yaml", "kind: Pod\n");
  ASSERT_TRUE (recorder.WaitForNames ({ Static ("a"), Static ("c") }));
}

TEST_F (FileSourceTest, OneBadPodRejectsItsWholeFile)
{
  dir.Write ("multi.yaml", PodYaml ("good") + "---\n" + PodYaml ("bad", ""));
  dir.Write ("other.yaml", PodYaml ("other"));
  Start ();
  ASSERT_TRUE (recorder.WaitForNames ({ Static ("other") }));
  EXPECT_EQ (logs.Count ({ dir.Path ("multi.yaml"), "document 2", "image" }), 1u) << logs.Text ();
}

TEST_F (FileSourceTest, OversizedFileIsRejectedWithSizeAndLimit)
{
  opts.max_manifest_bytes = 1024;
  std::string big = PodYaml ("big") + "# " + std::string (2000, 'x') + "\n";
  dir.Write ("big.yaml", big);
  dir.Write ("small.yaml", PodYaml ("small"));
  Start ();
  ASSERT_TRUE (recorder.WaitForNames ({ Static ("small") }));
  EXPECT_EQ (logs.Count ({ dir.Path ("big.yaml"), std::to_string (big.size ()) + " bytes",
                           "limit of 1024 bytes" }),
             1u)
      << logs.Text ();
}

TEST_F (FileSourceTest, DefaultLimitIsTenMebibytes)
{
  std::string big = PodYaml ("big") + "#";
  big.resize (10 * 1024 * 1024 + 1, 'x');
  dir.Write ("big.yaml", big);
  Start ();
  ASSERT_TRUE (recorder.WaitForNames ({}));
  EXPECT_EQ (
      logs.Count ({ dir.Path ("big.yaml"), "10485761 bytes", "limit of 10485760 bytes", "10 MiB" }),
      1u)
      << logs.Text ();
}

TEST_F (FileSourceTest, MissingDirectoryIsLoggedAndRetried)
{
  std::string missing = dir.Path ("manifests");
  opts.manifest_path = missing.c_str ();
  opts.file_check_period_ns = 50LL * 1000000LL;
  Start ();
  // As the Go kubelet: an absent path is an empty listing, and the source is seen.
  ASSERT_TRUE (recorder.WaitForNames ({}));
  EXPECT_TRUE (WaitReady ());
  EXPECT_EQ (logs.Count ({ missing, "does not exist" }), 1u);

  std::filesystem::create_directory (dir.Path (".staging"));
  {
    std::ofstream f (dir.Path (".staging/web.yaml"));
    f << PodYaml ("web");
  }
  std::filesystem::rename (dir.Path (".staging"), missing);
  ASSERT_TRUE (recorder.WaitForNames ({ Static ("web") }));
  EXPECT_EQ (logs.Count ({ missing, "does not exist" }), 1u) << logs.Text ();
  EXPECT_EQ (logs.Count ({ missing, "readable again" }), 1u);

  // Watched now: changes arrive by inotify as well.
  std::ofstream (missing + "/db.yaml") << PodYaml ("db");
  ASSERT_TRUE (recorder.WaitForNames ({ Static ("db"), Static ("web") }));

  // Removed: its pods go.
  std::filesystem::remove_all (missing);
  ASSERT_TRUE (recorder.WaitForNames ({}));
}

TEST_F (FileSourceTest, UnreadablePathIsNotReady)
{
  // Beneath a regular file: stat fails with ENOTDIR, even for root.
  std::string blocker = dir.Write ("blocker", "not a directory\n");
  std::string path = blocker + "/manifests";
  opts.manifest_path = path.c_str ();
  opts.file_check_period_ns = 20LL * 1000000LL;
  Start ();
  std::vector<std::string> line = { "Unable to read config path", path, "Not a directory" };
  ASSERT_TRUE (logs.WaitForCount (line, 1));
  kl_pod_config_sync_now (config);
  EXPECT_EQ (logs.Count (line), 1u) << "reported once";
  EXPECT_FALSE (kl_pod_config_ready (config));
  EXPECT_EQ (recorder.Count (), 0u);

  // Once it can be listed, the source is seen.
  std::filesystem::remove (blocker);
  std::filesystem::create_directories (path);
  ASSERT_TRUE (recorder.WaitForNames ({}));
  EXPECT_TRUE (WaitReady ());
}

TEST_F (FileSourceTest, SingleFilePath)
{
  std::string path = dir.Write ("web.yaml", PodYaml ("web"));
  opts.manifest_path = path.c_str ();
  Start ();
  ASSERT_TRUE (recorder.WaitForNames ({ Static ("web") }));
  EXPECT_TRUE (WaitReady ());

  dir.WriteInPlace ("web.yaml", PodYaml ("web", "nginx:2"));
  ASSERT_TRUE (recorder.WaitFor ([] (const std::vector<PodInfo> &set) {
    return set.size () == 1 && set[0].image == "nginx:2";
  }));

  // Replaced by a rename: the watch follows the new file.
  dir.Write ("web.yaml", PodYaml ("web", "nginx:3"));
  ASSERT_TRUE (recorder.WaitFor ([] (const std::vector<PodInfo> &set) {
    return set.size () == 1 && set[0].image == "nginx:3";
  }));
}

TEST_F (FileSourceTest, PeriodicRescanFindsChangesBehindSymlinks)
{
  TempDir outside;
  outside.Write ("target.yaml", PodYaml ("linked", "nginx:1"));
  ASSERT_EQ (symlink (outside.Path ("target.yaml").c_str (), dir.Path ("link.yaml").c_str ()), 0);
  opts.file_check_period_ns = 50LL * 1000000LL;
  Start ();
  ASSERT_TRUE (recorder.WaitForNames ({ Static ("linked") }));
  // No event reaches the manifest directory: only the rescan sees this.
  outside.WriteInPlace ("target.yaml", PodYaml ("linked", "nginx:2"));
  ASSERT_TRUE (recorder.WaitFor ([] (const std::vector<PodInfo> &set) {
    return set.size () == 1 && set[0].image == "nginx:2";
  }));
}

} // namespace

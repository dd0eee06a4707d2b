#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/stat.h>

extern "C" {
#include "pkg/kubelet/volume/etc_hosts.h"
#include "pkg/util/utils.h"
}

namespace {

const char managed[] = "# Kubernetes-managed hosts file.\n"
                       "127.0.0.1\tlocalhost\n"
                       "::1\tlocalhost ip6-localhost ip6-loopback\n"
                       "fe00::0\tip6-localnet\n"
                       "fe00::0\tip6-mcastprefix\n"
                       "fe00::1\tip6-allnodes\n"
                       "fe00::2\tip6-allrouters\n";

class EtcHostsTest : public ::testing::Test
{
protected:
  void
  SetUp () override
  {
    const char *base = getenv ("TEST_TMPDIR");
    std::string tmpl = std::string (base ? base : "/tmp") + "/kubelet-etc-hosts-XXXXXX";
    ASSERT_NE (mkdtemp (&tmpl[0]), nullptr);
    dir = tmpl;
  }

  void
  TearDown () override
  {
    free (path);
    kl_error_release (&err);
    std::filesystem::remove_all (dir);
  }

  std::string
  content (const char *ip, const char *hostname, const char *domain, const kl_host_alias_t *a,
           size_t n)
  {
    char *out = nullptr;
    EXPECT_EQ (kl_etc_hosts_content (ip, hostname, domain, a, n, &out, &err), 0)
        << kl_error_message (err);
    std::string s = out ? out : "";
    free (out);
    return s;
  }

  std::string dir;
  char *path = nullptr;
  kl_error_t err = nullptr;
};

TEST_F (EtcHostsTest, PodIPAndHostname)
{
  EXPECT_EQ (content ("10.200.0.5", "web", nullptr, nullptr, 0),
             std::string (managed) + "10.200.0.5\tweb\n");
}

TEST_F (EtcHostsTest, DomainAddsTheFullName)
{
  EXPECT_EQ (content ("10.1.2.3", "web-0", "nginx.default.svc.cluster.local", nullptr, 0),
             std::string (managed) + "10.1.2.3\tweb-0.nginx.default.svc.cluster.local\tweb-0\n");
  EXPECT_EQ (content ("10.1.2.3", "web-0", "", nullptr, 0),
             std::string (managed) + "10.1.2.3\tweb-0\n");
}

TEST_F (EtcHostsTest, HostAliasesAsTheKubeletWritesThem)
{
  char *h1[] = { (char *) "foo.local", (char *) "bar.local" };
  char *h2[] = { (char *) "foo.remote", (char *) "bar.remote" };
  kl_host_alias_t aliases[] = { { (char *) "127.0.0.1", h1, 2 }, { (char *) "10.1.2.3", h2, 2 } };
  EXPECT_EQ (content ("10.200.0.5", "hostaliases-pod", nullptr, aliases, 2),
             std::string (managed)
                 + "10.200.0.5\thostaliases-pod\n"
                   "\n"
                   "# Entries added by HostAliases.\n"
                   "127.0.0.1\tfoo.local\tbar.local\n"
                   "10.1.2.3\tfoo.remote\tbar.remote\n");
}

TEST_F (EtcHostsTest, NoPodIPNoPodLine)
{
  EXPECT_EQ (content (nullptr, "web", nullptr, nullptr, 0), managed);
}

TEST_F (EtcHostsTest, RefusesNamesThatWouldAddLines)
{
  char *out = nullptr;
  EXPECT_LT (
      kl_etc_hosts_content ("10.0.0.1", "web\n6.6.6.6\tevil", nullptr, nullptr, 0, &out, &err), 0);
  EXPECT_EQ (out, nullptr);
  EXPECT_STREQ (kl_error_message (err),
                "hosts file: invalid hostname \"web\\x0a6.6.6.6\\x09evil\"");
  char *h[] = { (char *) "ok", (char *) "bad name" };
  kl_host_alias_t alias = { (char *) "1.2.3.4", h, 2 };
  EXPECT_LT (kl_etc_hosts_content ("10.0.0.1", "web", nullptr, &alias, 1, &out, &err), 0);
  EXPECT_STREQ (kl_error_message (err), "hosts file: invalid hostAliases hostname \"bad name\"");
  EXPECT_LT (kl_etc_hosts_content ("10.0.0.1", "", nullptr, nullptr, 0, &out, &err), 0);
}

TEST_F (EtcHostsTest, WritesAtomicallyWithMode0644)
{
  mode_t old = umask (077);
  ASSERT_EQ (kl_etc_hosts_write (dir.c_str (), "10.0.0.7", "web", nullptr, nullptr, 0, &path, &err),
             0)
      << kl_error_message (err);
  umask (old);
  EXPECT_EQ (std::string (path), dir + "/etc-hosts");
  std::ifstream f (path);
  std::stringstream ss;
  ss << f.rdbuf ();
  EXPECT_EQ (ss.str (), std::string (managed) + "10.0.0.7\tweb\n");
  struct stat st;
  ASSERT_EQ (stat (path, &st), 0);
  EXPECT_EQ (st.st_mode & 07777, 0644u);

  /* Rewriting replaces the file; no temporary file stays behind. */
  ASSERT_EQ (
      kl_etc_hosts_write (dir.c_str (), "10.0.0.8", "web", nullptr, nullptr, 0, nullptr, &err), 0);
  size_t entries = 0;
  for (auto &e : std::filesystem::directory_iterator (dir))
    {
      (void) e;
      entries++;
    }
  EXPECT_EQ (entries, 1u);
}

TEST_F (EtcHostsTest, MissingPodDirIsAnError)
{
  std::string missing = dir + "/nope";
  EXPECT_LT (
      kl_etc_hosts_write (missing.c_str (), "10.0.0.7", "web", nullptr, nullptr, 0, &path, &err),
      0);
  EXPECT_EQ (path, nullptr);
  EXPECT_NE (std::string (kl_error_message (err)).find ("No such file or directory"),
             std::string::npos);
}

} // namespace

// Docker json-file -> CRI log conversion, and the copying with saved progress.
#include <gtest/gtest.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <fstream>
#include <functional>
#include <sstream>
#include <string>

extern "C" {
#include "pkg/kubelet/dockershim/logs.h"
}

namespace {

std::string
Convert (const std::string &in, size_t *consumed = nullptr, size_t *skipped = nullptr)
{
  ds_buffer_t out = { 0 };
  size_t s = 0;
  size_t n = ds_log_convert (in.data (), in.size (), &out, &s);
  if (consumed)
    *consumed = n;
  if (skipped)
    *skipped = s;
  std::string text (out.data ? out.data : "", out.len);
  ds_buffer_release (&out);
  return text;
}

const std::string kTime = "2024-05-01T10:00:00.123456789Z";

std::string
Record (const std::string &log, const std::string &stream)
{
  return "{\"log\":\"" + log + "\",\"stream\":\"" + stream + "\",\"time\":\"" + kTime + "\"}\n";
}

TEST (LogConvertTest, FullAndPartialLines)
{
  std::string in = Record ("hello\\n", "stdout") + Record ("warn\\n", "stderr")
                   + Record ("no newline", "stdout") + Record ("", "stdout");
  size_t consumed = 0;
  EXPECT_EQ (Convert (in, &consumed), kTime + " stdout F hello\n" + kTime + " stderr F warn\n"
                                          + kTime + " stdout P no newline\n");
  EXPECT_EQ (consumed, in.size ());
}

TEST (LogConvertTest, IncompleteRecordIsLeftForLater)
{
  std::string first = Record ("one\\n", "stdout");
  std::string second = Record ("two\\n", "stdout");
  std::string in = first + second.substr (0, 10);
  size_t consumed = 0;
  EXPECT_EQ (Convert (in, &consumed), kTime + " stdout F one\n");
  EXPECT_EQ (consumed, first.size ());
  EXPECT_EQ (Convert (second.substr (0, 10), &consumed), "");
  EXPECT_EQ (consumed, 0u);
}

TEST (LogConvertTest, EscapesMultipleLinesAndMalformedRecords)
{
  // JSON escapes are decoded; a record with several newlines (a TTY) gives
  // several lines; tabs and unicode pass through.
  std::string in = Record ("a\\tb \\u00e9\\r\\n", "stdout") + Record ("x\\ny\\nz", "stdout")
                   + "not json\n" + "{\"stream\":\"stdout\"}\n" + "\n"
                   + "{\"log\":\"no time\\n\",\"stream\":\"stdout\"}\n";
  size_t skipped = 0;
  std::string out = Convert (in, nullptr, &skipped);
  std::string want = kTime + " stdout F a\tb \xc3\xa9\r\n" + kTime + " stdout F x\n" + kTime
                     + " stdout F y\n" + kTime + " stdout P z\n";
  ASSERT_EQ (out.substr (0, want.size ()), want);
  EXPECT_EQ (skipped, 2u);
  // A record without a time gets the current one.
  std::string last = out.substr (want.size ());
  EXPECT_EQ (last.size (),
             std::string ("2024-05-01T10:00:00.123456789Z stdout F no time\n").size ())
      << last;
  EXPECT_EQ (last.substr (last.size () - 18), " stdout F no time\n");
}

class LogManagerTest : public ::testing::Test
{
protected:
  void
  SetUp () override
  {
    char tmpl[] = "/tmp/log_manager_test.XXXXXX";
    ASSERT_NE (mkdtemp (tmpl), nullptr);
    dir_ = tmpl;
    docker_ = dir_ + "/docker-json.log";
    cri_ = dir_ + "/pod/app/0.log";
    Start ();
  }

  void
  TearDown () override
  {
    ds_log_manager_free (m_);
    std::string cmd = "rm -rf '" + dir_ + "'";
    ASSERT_EQ (system (cmd.c_str ()), 0);
  }

  void
  Start ()
  {
    kl_error_t err = nullptr;
    ASSERT_EQ (ds_log_manager_new ((dir_ + "/state").c_str (), 10 * 1000000LL, &m_, &err), 0);
  }

  void
  Append (const std::string &text)
  {
    FILE *f = fopen (docker_.c_str (), "a");
    ASSERT_NE (f, nullptr);
    fputs (text.c_str (), f);
    fclose (f);
  }

  std::string
  Read (const std::string &path)
  {
    std::ifstream in (path);
    std::stringstream ss;
    ss << in.rdbuf ();
    return ss.str ();
  }

  void
  Flush ()
  {
    kl_error_t err = nullptr;
    ASSERT_EQ (ds_log_manager_flush (m_, "c1", &err), 0);
  }

  std::string dir_, docker_, cri_;
  ds_log_manager_t *m_ = nullptr;
};

TEST_F (LogManagerTest, CopiesResumesAndNeverDoubles)
{
  kl_error_t err = nullptr;
  // Following starts before Docker's file exists; the CRI file exists at once.
  ASSERT_EQ (ds_log_manager_follow (m_, "c1", docker_.c_str (), cri_.c_str (), &err), 0)
      << kl_error_message (err);
  EXPECT_TRUE (ds_log_manager_following (m_, "c1"));
  EXPECT_EQ (access (cri_.c_str (), F_OK), 0);
  EXPECT_EQ (ds_log_manager_follow (m_, "c1", docker_.c_str (), cri_.c_str (), &err), 0);

  Append (Record ("1\\n", "stdout") + Record ("2\\n", "stderr"));
  // Half a record: not copied until it is complete.
  std::string third = Record ("3\\n", "stdout");
  Append (third.substr (0, 20));
  Flush ();
  EXPECT_EQ (Read (cri_), kTime + " stdout F 1\n" + kTime + " stderr F 2\n");
  Append (third.substr (20));
  Flush ();
  std::string three = kTime + " stdout F 1\n" + kTime + " stderr F 2\n" + kTime + " stdout F 3\n";
  EXPECT_EQ (Read (cri_), three);

  // The copying thread picks new output up by itself.
  Append (Record ("4\\n", "stdout"));
  for (int i = 0; i < 100 && Read (cri_).size () == three.size (); i++)
    usleep (10000);
  std::string four = three + kTime + " stdout F 4\n";
  EXPECT_EQ (Read (cri_), four);

  // Restart: output written meanwhile is copied, nothing twice. A line in
  // the CRI file beyond the saved progress (copied just before a crash) is
  // cut off and copied again.
  ds_log_manager_free (m_);
  m_ = nullptr;
  Append (Record ("5\\n", "stdout"));
  FILE *f = fopen (cri_.c_str (), "a");
  fputs ((kTime + " stdout F 5\n").c_str (), f);
  fclose (f);
  Start ();
  ASSERT_EQ (ds_log_manager_follow (m_, "c1", docker_.c_str (), cri_.c_str (), &err), 0);
  Flush ();
  EXPECT_EQ (Read (cri_), four + kTime + " stdout F 5\n");

  // Reopen after a rotation by the kubelet: new output to a new file.
  ASSERT_EQ (rename (cri_.c_str (), (cri_ + ".1").c_str ()), 0);
  ASSERT_EQ (ds_log_manager_reopen (m_, "c1", &err), 0) << kl_error_message (err);
  EXPECT_EQ (Read (cri_), "");
  Append (Record ("6\\n", "stdout"));
  Flush ();
  EXPECT_EQ (Read (cri_), kTime + " stdout F 6\n");
  EXPECT_EQ (Read (cri_ + ".1"), four + kTime + " stdout F 5\n");

  // Forgotten: the state goes, unknown IDs fail to reopen.
  ds_log_manager_forget (m_, "c1");
  EXPECT_FALSE (ds_log_manager_following (m_, "c1"));
  EXPECT_NE (access ((dir_ + "/state/c1").c_str (), F_OK), 0);
  EXPECT_LT (ds_log_manager_reopen (m_, "c1", &err), 0);
  EXPECT_TRUE (kl_error_is (err, KL_ERROR_NOT_FOUND));
  kl_error_release (&err);
  EXPECT_LT (ds_log_manager_follow (m_, "../x", docker_.c_str (), cri_.c_str (), &err), 0);
  kl_error_release (&err);
}

TEST_F (LogManagerTest, LargeOutput)
{
  kl_error_t err = nullptr;
  ASSERT_EQ (ds_log_manager_follow (m_, "c1", docker_.c_str (), cri_.c_str (), &err), 0);
  std::string big;
  for (int i = 0; i < 50000; i++)
    big += Record ("line " + std::to_string (i) + "\\n", "stdout");
  Append (big);
  Flush ();
  std::string out = Read (cri_);
  size_t lines = 0;
  for (char c : out)
    lines += c == '\n';
  EXPECT_EQ (lines, 50000u);
  EXPECT_EQ (out.substr (out.size () - 11), "line 49999\n");
}

} // namespace

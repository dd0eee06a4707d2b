#include <gtest/gtest.h>

#include <string>
#include <vector>

extern "C" {
#include "pkg/util/duration.h"
#include "pkg/util/flags.h"
#include "pkg/util/utils.h"
}

namespace {

struct options
{
  bool enable;
  bool help;
  char *name;
  char *address;
  char *log_size;
  int verbosity;
  int32_t max_pods;
  int32_t port;
  int64_t frequency;
  char **dns;
  kl_string_multimap_t headers;
};

const kl_flag_t option_flags[] = {
  { "enable", 0, KL_FLAG_BOOL, offsetof (options, enable), "Enable the thing", NULL },
  { "help", 'h', KL_FLAG_BOOL, offsetof (options, help), "help for test", NULL },
  { "name", 0, KL_FLAG_STRING, offsetof (options, name), "The name", NULL },
  { "address", 0, KL_FLAG_IP, offsetof (options, address), "The IP address to serve on", NULL },
  { "log-max-size", 0, KL_FLAG_QUANTITY, offsetof (options, log_size), "Maximum size (e.g. 10Mi)",
    NULL },
  { "v", 'v', KL_FLAG_INT, offsetof (options, verbosity), "number for the log level verbosity",
    "Level" },
  { "max-pods", 0, KL_FLAG_INT32, offsetof (options, max_pods), "Number of Pods", NULL },
  { "read-only-port", 0, KL_FLAG_PORT, offsetof (options, port),
    "The read-only port (set to 0 to disable)", NULL },
  { "sync-frequency", 0, KL_FLAG_DURATION, offsetof (options, frequency),
    "Max period between synchronizing", NULL },
  { "cluster-dns", 0, KL_FLAG_STRING_LIST, offsetof (options, dns),
    "Comma-separated list of DNS server IP address", NULL },
  { "manifest-url-header", 0, KL_FLAG_MULTIMAP, offsetof (options, headers),
    "Comma-separated list of HTTP headers.\nThis flag can be repeatedly invoked.", NULL },
};

class FlagsTest : public ::testing::Test
{
protected:
  void
  SetUp () override
  {
    memset (&opts, 0, sizeof opts);
    opts.name = xstrdup ("");
    opts.address = xstrdup ("127.0.0.1");
    opts.log_size = xstrdup ("10Mi");
    opts.max_pods = 110;
    opts.port = 10255;
    opts.frequency = KL_MINUTE;
    opts.dns = (char **) xmalloc0 (2 * sizeof (char *));
    opts.dns[0] = xstrdup ("10.0.0.10");
    kl_string_multimap_add (&opts.headers, "Default", "yes");
    set = kl_flag_set_new ();
    kl_flag_table_t table = { option_flags, KL_ARRAY_SIZE (option_flags), &opts };
    ASSERT_EQ (kl_flag_set_add_table (set, &table, &err), 0) << kl_error_message (err);
  }

  void
  TearDown () override
  {
    kl_flag_table_t table = { option_flags, KL_ARRAY_SIZE (option_flags), &opts };
    kl_flag_values_free (&table);
    kl_flag_set_free (set);
    kl_error_release (&err);
  }

  int
  parse (std::vector<std::string> args)
  {
    std::vector<char *> argv;
    argv.push_back ((char *) "test");
    for (auto &a : args)
      argv.push_back (&a[0]);
    argv.push_back (nullptr);
    kl_error_release (&err);
    storage = std::move (args);
    return kl_flag_set_parse (set, (int) argv.size () - 1, argv.data (), &err);
  }

  std::string
  usages ()
  {
    char *u = kl_flag_set_usages (set);
    std::string s (u);
    free (u);
    return s;
  }

  options opts;
  kl_flag_set_t *set = nullptr;
  kl_error_t err = nullptr;
  std::vector<std::string> storage;
};

TEST_F (FlagsTest, DefaultsStayWithoutFlags)
{
  ASSERT_EQ (parse ({}), 0);
  EXPECT_EQ (opts.max_pods, 110);
  EXPECT_EQ (opts.port, 10255);
  EXPECT_STREQ (opts.address, "127.0.0.1");
  EXPECT_EQ (opts.frequency, KL_MINUTE);
  EXPECT_FALSE (kl_flag_set_changed (set, "max-pods"));
  EXPECT_EQ (kl_flag_set_n_args (set), 0u);
}

struct good_case
{
  std::vector<std::string> args;
  const char *changed;
};

TEST_F (FlagsTest, AcceptsEveryForm)
{
  ASSERT_EQ (
      parse ({ "--max-pods=20", "--read-only-port", "0", "--enable", "--name", "-dash-", "-v4",
               "--sync-frequency=1m30s", "--address=::1", "--log-max-size", "1Gi", "--" }),
      0)
      << kl_error_message (err);
  EXPECT_EQ (opts.max_pods, 20);
  EXPECT_EQ (opts.port, 0);
  EXPECT_TRUE (opts.enable);
  EXPECT_STREQ (opts.name, "-dash-");
  EXPECT_EQ (opts.verbosity, 4);
  EXPECT_EQ (opts.frequency, 90 * KL_SECOND);
  EXPECT_STREQ (opts.address, "::1");
  EXPECT_STREQ (opts.log_size, "1Gi");
  for (const char *name : { "max-pods", "read-only-port", "enable", "name", "v", "sync-frequency",
                            "address", "log-max-size" })
    EXPECT_TRUE (kl_flag_set_changed (set, name)) << name;
  EXPECT_FALSE (kl_flag_set_changed (set, "help"));
  EXPECT_FALSE (kl_flag_set_changed (set, "no-such-flag"));
}

TEST_F (FlagsTest, TableOfGoodValues)
{
  const struct
  {
    std::vector<std::string> args;
    int32_t max_pods;
    int32_t port;
    int verbosity;
    bool enable;
  } cases[] = {
    { { "--max-pods", "-1" }, -1, 10255, 0, false },
    { { "--max-pods=0x10" }, 16, 10255, 0, false },
    { { "--max-pods=+7" }, 7, 10255, 0, false },
    { { "--max-pods=2147483647" }, 2147483647, 10255, 0, false },
    { { "--read-only-port=65535" }, 110, 65535, 0, false },
    { { "-v", "3" }, 110, 10255, 3, false },
    { { "-v=5" }, 110, 10255, 5, false },
    { { "--v=2", "--v=6" }, 110, 10255, 6, false },
    { { "--enable=false" }, 110, 10255, 0, false },
    { { "--enable=T" }, 110, 10255, 0, true },
    { { "--enable=1" }, 110, 10255, 0, true },
    { { "-hv7" }, 110, 10255, 7, false },
  };
  for (const auto &c : cases)
    {
      TearDown ();
      SetUp ();
      std::string joined;
      for (const auto &a : c.args)
        joined += a + " ";
      ASSERT_EQ (parse (c.args), 0) << joined << ": " << kl_error_message (err);
      EXPECT_EQ (opts.max_pods, c.max_pods) << joined;
      EXPECT_EQ (opts.port, c.port) << joined;
      EXPECT_EQ (opts.verbosity, c.verbosity) << joined;
      EXPECT_EQ (opts.enable, c.enable) << joined;
    }
}

TEST_F (FlagsTest, TableOfBadValues)
{
  const struct
  {
    std::vector<std::string> args;
    const char *message;
  } cases[] = {
    { { "--max-pods=abc" }, "invalid value \"abc\" for flag --max-pods: not an integer" },
    { { "--max-pods", "" }, "invalid value \"\" for flag --max-pods: not an integer" },
    { { "--max-pods= 5" }, "invalid value \" 5\" for flag --max-pods: not an integer" },
    { { "--max-pods=5x" }, "invalid value \"5x\" for flag --max-pods: not an integer" },
    { { "--max-pods=2147483648" },
      "invalid value \"2147483648\" for flag --max-pods: out of range for int32" },
    { { "--v=99999999999" }, "invalid value \"99999999999\" for flag --v: out of range for int" },
    { { "--read-only-port=65536" },
      "invalid value \"65536\" for flag --read-only-port: must be between 0 and 65535" },
    { { "--read-only-port=-1" },
      "invalid value \"-1\" for flag --read-only-port: must be between 0 and 65535" },
    { { "--enable=maybe" }, "invalid value \"maybe\" for flag --enable: expected true or false" },
    { { "--address=localhost" },
      "invalid value \"localhost\" for flag --address: not a valid IP address" },
    { { "--sync-frequency=1x" }, "invalid value \"1x\" for flag --sync-frequency: " },
    { { "--log-max-size=lots" }, "invalid value \"lots\" for flag --log-max-size: " },
    { { "--manifest-url-header=novalue" },
      "invalid value \"novalue\" for flag --manifest-url-header: malformed pair, expect "
      "string:string" },
    { { "--name=\x01" }, nullptr },
    { { "--foo" }, "unknown flag: --foo" },
    { { "--foo=bar" }, "unknown flag: --foo" },
    { { "-x" }, "unknown shorthand flag: 'x' in -x" },
    { { "-max-pods=3" }, "unknown shorthand flag: 'm' in -max-pods=3" },
    { { "--max-pods" }, "flag needs an argument: --max-pods" },
    { { "-v" }, "flag needs an argument: 'v' in -v" },
    { { "---x" }, "bad flag syntax: ---x" },
    { { "--=x" }, "bad flag syntax: --=x" },
  };
  for (const auto &c : cases)
    {
      TearDown ();
      SetUp ();
      int ret = parse (c.args);
      if (c.message == nullptr)
        EXPECT_EQ (ret, 0) << c.args[0];
      else
        {
          EXPECT_LT (ret, 0) << c.args[0];
          std::string msg = kl_error_message (err);
          EXPECT_EQ (msg.rfind (c.message, 0), 0u) << msg;
          EXPECT_TRUE (kl_error_is (err, KL_ERROR_INVALID)) << msg;
        }
    }
}

TEST_F (FlagsTest, DurationErrorCarriesTheReason)
{
  ASSERT_LT (parse ({ "--sync-frequency=10" }), 0);
  EXPECT_NE (std::string (kl_error_message (err)).find ("missing unit"), std::string::npos)
      << kl_error_message (err);
}

TEST_F (FlagsTest, BoolDoesNotConsumeTheNextArgument)
{
  ASSERT_EQ (parse ({ "--enable", "false" }), 0);
  EXPECT_TRUE (opts.enable);
  ASSERT_EQ (kl_flag_set_n_args (set), 1u);
  EXPECT_STREQ (kl_flag_set_arg (set, 0), "false");
}

TEST_F (FlagsTest, PositionalArgumentsAndDoubleDash)
{
  ASSERT_EQ (parse ({ "run", "--max-pods=3", "-", "--", "--max-pods=4", "x" }), 0);
  EXPECT_EQ (opts.max_pods, 3);
  ASSERT_EQ (kl_flag_set_n_args (set), 4u);
  EXPECT_STREQ (kl_flag_set_arg (set, 0), "run");
  EXPECT_STREQ (kl_flag_set_arg (set, 1), "-");
  EXPECT_STREQ (kl_flag_set_arg (set, 2), "--max-pods=4");
  EXPECT_STREQ (kl_flag_set_arg (set, 3), "x");
  EXPECT_EQ (kl_flag_set_arg (set, 4), nullptr);
}

TEST_F (FlagsTest, StringListReplacesDefaultThenAppends)
{
  ASSERT_EQ (parse ({ "--cluster-dns=1.1.1.1,8.8.8.8", "--cluster-dns", "9.9.9.9" }), 0);
  ASSERT_EQ (kl_strv_length (opts.dns), 3u);
  EXPECT_STREQ (opts.dns[0], "1.1.1.1");
  EXPECT_STREQ (opts.dns[1], "8.8.8.8");
  EXPECT_STREQ (opts.dns[2], "9.9.9.9");

  ASSERT_EQ (parse ({ "--cluster-dns=" }), 0);
  EXPECT_EQ (kl_strv_length (opts.dns), 0u);
}

TEST_F (FlagsTest, MultimapAsManifestUrlHeader)
{
  ASSERT_EQ (parse ({ "--manifest-url-header", "a:hello,b:again, c : world,,",
                      "--manifest-url-header=b:beautiful", "--manifest-url-header=d:x:y" }),
             0)
      << kl_error_message (err);
  const kl_string_multimap_t *m = &opts.headers;
  ASSERT_EQ (m->n_entries, 4u);
  EXPECT_EQ (kl_string_multimap_get (m, "Default"), nullptr);
  const kl_string_multimap_entry_t *b = kl_string_multimap_get (m, "b");
  ASSERT_NE (b, nullptr);
  ASSERT_EQ (b->n_values, 2u);
  EXPECT_STREQ (b->values[0], "again");
  EXPECT_STREQ (b->values[1], "beautiful");
  EXPECT_EQ (b->values[2], nullptr);
  EXPECT_STREQ (kl_string_multimap_get (m, "c")->values[0], "world");
  EXPECT_STREQ (kl_string_multimap_get (m, "d")->values[0], "x:y");
  EXPECT_STREQ (m->entries[0].key, "a");
}

TEST_F (FlagsTest, ReparseResetsChangedState)
{
  ASSERT_EQ (parse ({ "--max-pods=3" }), 0);
  EXPECT_TRUE (kl_flag_set_changed (set, "max-pods"));
  ASSERT_EQ (parse ({ "--v=1" }), 0);
  EXPECT_FALSE (kl_flag_set_changed (set, "max-pods"));
  EXPECT_TRUE (kl_flag_set_changed (set, "v"));
}

TEST_F (FlagsTest, UsagesLookLikePflag)
{
  std::string u = usages ();
  /* The widest left column is followed by exactly three spaces and every
     usage starts in the same column. */
  const std::string widest = "      --manifest-url-header colonSeparatedMultimapStringString";
  const std::string column (widest.size () + 3, ' ');
  auto line = [&] (const std::string &left, const std::string &right) {
    return left + column.substr (left.size ()) + right + "\n";
  };
  EXPECT_NE (u.find (line ("      --read-only-port int32",
                           "The read-only port (set to 0 to disable) (default 10255)")),
             std::string::npos)
      << u;
  EXPECT_NE (u.find (line ("  -h, --help", "help for test")), std::string::npos) << u;
  EXPECT_NE (u.find (line (widest, "Comma-separated list of HTTP headers.") + column
                     + "This flag can be repeatedly invoked. (default Default:yes)\n"),
             std::string::npos)
      << u;
  EXPECT_NE (u.find ("  -v, --v Level "), std::string::npos) << u;
  EXPECT_NE (u.find ("--address ip "), std::string::npos) << u;
  EXPECT_NE (u.find ("(default 127.0.0.1)"), std::string::npos) << u;
  EXPECT_NE (u.find ("--log-max-size quantity "), std::string::npos) << u;
  EXPECT_NE (u.find ("(default 10Mi)"), std::string::npos) << u;
  EXPECT_NE (u.find ("--sync-frequency duration "), std::string::npos) << u;
  EXPECT_NE (u.find ("(default 1m0s)"), std::string::npos) << u;
  EXPECT_NE (u.find ("--cluster-dns strings "), std::string::npos) << u;
  EXPECT_NE (u.find ("(default [10.0.0.10])"), std::string::npos) << u;
  /* Zero defaults are left out; string defaults are quoted. */
  EXPECT_NE (u.find ("Enable the thing\n"), std::string::npos) << u;
  EXPECT_NE (u.find ("The name\n"), std::string::npos) << u;
  EXPECT_NE (u.find ("Number of Pods (default 110)\n"), std::string::npos) << u;
  /* Sorted by name. */
  EXPECT_LT (u.find ("--address"), u.find ("--cluster-dns"));
  EXPECT_LT (u.find ("--sync-frequency"), u.find ("--v "));
  for (const auto &f : option_flags)
    EXPECT_NE (u.find (std::string ("--") + f.name + " "), std::string::npos) << f.name;
}

struct extra_options
{
  char *endpoint;
  bool debug;
};

const kl_flag_t extra_flags[] = {
  { "docker-endpoint", 0, KL_FLAG_STRING, offsetof (extra_options, endpoint),
    "Use this for the `endpoint` of docker", NULL },
  { "debug", 'd', KL_FLAG_BOOL, offsetof (extra_options, debug), "Debug", NULL },
};

TEST_F (FlagsTest, TablesCombine)
{
  extra_options extra = { xstrdup ("unix:///var/run/docker.sock"), false };
  kl_flag_table_t table = { extra_flags, KL_ARRAY_SIZE (extra_flags), &extra };
  ASSERT_EQ (kl_flag_set_add_table (set, &table, &err), 0) << kl_error_message (err);
  ASSERT_EQ (parse ({ "--max-pods=7", "--docker-endpoint=unix:///d.sock", "-d" }), 0)
      << kl_error_message (err);
  EXPECT_EQ (opts.max_pods, 7);
  EXPECT_STREQ (extra.endpoint, "unix:///d.sock");
  EXPECT_TRUE (extra.debug);
  EXPECT_TRUE (kl_flag_set_changed (set, "docker-endpoint"));
  std::string u = usages ();
  EXPECT_NE (u.find ("--docker-endpoint endpoint "), std::string::npos) << u;
  EXPECT_NE (u.find ("Use this for the endpoint of docker (default "
                     "\"unix:///var/run/docker.sock\")"),
             std::string::npos)
      << u;
  kl_flag_values_free (&table);
  EXPECT_EQ (extra.endpoint, nullptr);
}

TEST_F (FlagsTest, RedefinitionIsRejected)
{
  extra_options extra = { nullptr, false };
  const kl_flag_t dup_name[] = {
    { "max-pods", 0, KL_FLAG_BOOL, offsetof (extra_options, debug), "again", NULL },
  };
  kl_flag_table_t table = { dup_name, 1, &extra };
  ASSERT_LT (kl_flag_set_add_table (set, &table, &err), 0);
  EXPECT_STREQ (kl_error_message (err), "flag redefined: max-pods");
  EXPECT_TRUE (kl_error_is (err, KL_ERROR_ALREADY_EXISTS));
  kl_error_release (&err);

  const kl_flag_t dup_short[] = {
    { "verbose", 'v', KL_FLAG_BOOL, offsetof (extra_options, debug), "again", NULL },
  };
  table.flags = dup_short;
  ASSERT_LT (kl_flag_set_add_table (set, &table, &err), 0);
  EXPECT_STREQ (kl_error_message (err), "unable to redefine v shorthand for flag verbose");
  kl_error_release (&err);

  const kl_flag_t dup_within[] = {
    { "x", 0, KL_FLAG_BOOL, offsetof (extra_options, debug), "one", NULL },
    { "x", 0, KL_FLAG_BOOL, offsetof (extra_options, debug), "two", NULL },
  };
  table.flags = dup_within;
  table.n_flags = 2;
  ASSERT_LT (kl_flag_set_add_table (set, &table, &err), 0);
  EXPECT_STREQ (kl_error_message (err), "flag redefined: x");
  /* Nothing of a rejected table is added. */
  ASSERT_LT (parse ({ "--x" }), 0);
  EXPECT_STREQ (kl_error_message (err), "unknown flag: --x");
}

} // namespace

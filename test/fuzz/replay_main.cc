// Replays a fuzz target's seed corpus and crash reproducers through its
// LLVMFuzzerTestOneInput with the normal (gcc) build, so `bazel test //...`
// exercises every input without clang or libFuzzer. Arguments: the seed
// directory, then the regression directory (may be absent or empty).
#include <dirent.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "test/fuzz/fuzz.h"

namespace {

std::string seed_dir;
std::string regression_dir;

// The regular files directly in `dir`, sorted; empty when it does not exist.
std::vector<std::string>
ListInputs (const std::string &dir)
{
  std::vector<std::string> out;
  DIR *d = opendir (dir.c_str ());
  if (d == nullptr)
    return out;
  while (struct dirent *e = readdir (d))
    {
      std::string path = dir + "/" + e->d_name;
      struct stat st;
      if (e->d_name[0] != '.' && stat (path.c_str (), &st) == 0 && S_ISREG (st.st_mode))
        out.push_back (path);
    }
  closedir (d);
  std::sort (out.begin (), out.end ());
  return out;
}

size_t
Replay (const std::vector<std::string> &inputs)
{
  size_t bytes = 0;
  for (const std::string &path : inputs)
    {
      SCOPED_TRACE (path);
      std::ifstream f (path, std::ios::binary);
      EXPECT_TRUE (f.good ()) << "cannot read " << path;
      std::vector<char> data ((std::istreambuf_iterator<char> (f)),
                              std::istreambuf_iterator<char> ());
      // A copy of exactly `size` bytes, as libFuzzer passes them, so that a
      // read past the end is one past the allocation.
      std::vector<uint8_t> copy (data.begin (), data.end ());
      EXPECT_EQ (LLVMFuzzerTestOneInput (copy.empty () ? nullptr : copy.data (), copy.size ()), 0);
      bytes += copy.size ();
    }
  return bytes;
}

TEST (FuzzReplay, SeedCorpus)
{
  std::vector<std::string> inputs = ListInputs (seed_dir);
  ASSERT_FALSE (inputs.empty ()) << "no seed inputs in " << seed_dir;
  size_t bytes = Replay (inputs);
  printf ("replayed %zu seed inputs (%zu bytes) from %s\n", inputs.size (), bytes,
          seed_dir.c_str ());
}

TEST (FuzzReplay, Regressions)
{
  std::vector<std::string> inputs = ListInputs (regression_dir);
  Replay (inputs);
  printf ("replayed %zu regression inputs from %s\n", inputs.size (), regression_dir.c_str ());
}

TEST (FuzzReplay, EmptyInput)
{
  uint8_t none = 0;
  EXPECT_EQ (LLVMFuzzerTestOneInput (&none, 0), 0);
}

} // namespace

int
main (int argc, char **argv)
{
  ::testing::InitGoogleTest (&argc, argv);
  if (argc < 2)
    {
      fprintf (stderr, "usage: %s SEED_DIR [REGRESSION_DIR]\n", argv[0]);
      return 2;
    }
  seed_dir = argv[1];
  regression_dir = argc > 2 ? argv[2] : "";
  return RUN_ALL_TESTS ();
}

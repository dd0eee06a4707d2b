#include "test/util/wait.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

namespace kl_test {

double
TimeoutScale ()
{
  const char *v = getenv ("KL_TEST_TIMEOUT_SCALE");
  if (v == nullptr || *v == '\0')
    return 1;
  char *end;
  double scale = strtod (v, &end);
  if (*end != '\0' || !(scale >= 1 && scale <= 1000))
    {
      fprintf (stderr, "KL_TEST_TIMEOUT_SCALE=%s: want a number from 1 to 1000\n", v);
      abort ();
    }
  return scale;
}

bool
WaitFor (const std::function<bool ()> &cond, int seconds)
{
  static const double scale = TimeoutScale ();
  const double limit = seconds * scale;
  struct timespec start, now;
  clock_gettime (CLOCK_MONOTONIC, &start);
  for (;;)
    {
      if (cond ())
        return true;
      clock_gettime (CLOCK_MONOTONIC, &now);
      if ((double) (now.tv_sec - start.tv_sec) + (now.tv_nsec - start.tv_nsec) / 1e9 >= limit)
        return false;
      usleep (100 * 1000);
    }
}

std::string
ReadFile (const std::string &path)
{
  std::ifstream in (path);
  std::stringstream ss;
  ss << in.rdbuf ();
  return ss.str ();
}

} // namespace kl_test

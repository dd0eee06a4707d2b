#include "test/util/wait.h"

#include <time.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

namespace kl_test {

bool
WaitFor (const std::function<bool ()> &cond, int seconds)
{
  struct timespec start, now;
  clock_gettime (CLOCK_MONOTONIC, &start);
  for (;;)
    {
      if (cond ())
        return true;
      clock_gettime (CLOCK_MONOTONIC, &now);
      if (now.tv_sec - start.tv_sec >= seconds)
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

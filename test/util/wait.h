// Helpers the integration and e2e tests share: waiting on a condition with a
// deadline (never a fixed sleep) and reading a file whole.
#ifndef KL_TEST_UTIL_WAIT_H
#define KL_TEST_UTIL_WAIT_H

#include <functional>
#include <string>

namespace kl_test {

// Polls `cond` every 100 ms until it holds (true) or `seconds` pass (false).
// $KL_TEST_TIMEOUT_SCALE (a number >= 1, e.g. 10 under valgrind) multiplies
// `seconds`.
bool WaitFor (const std::function<bool ()> &cond, int seconds);

// $KL_TEST_TIMEOUT_SCALE, or 1 when unset; a bad value aborts the test run.
double TimeoutScale ();

// The file's content, or "" when it cannot be read.
std::string ReadFile (const std::string &path);

} // namespace kl_test

#endif

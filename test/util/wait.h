// Helpers the integration and e2e tests share: waiting on a condition with a
// deadline (never a fixed sleep) and reading a file whole.
#ifndef KL_TEST_UTIL_WAIT_H
#define KL_TEST_UTIL_WAIT_H

#include <functional>
#include <string>

namespace kl_test {

// Polls `cond` every 100 ms until it holds (true) or `seconds` pass (false).
bool WaitFor (const std::function<bool ()> &cond, int seconds);

// The file's content, or "" when it cannot be read.
std::string ReadFile (const std::string &path);

} // namespace kl_test

#endif

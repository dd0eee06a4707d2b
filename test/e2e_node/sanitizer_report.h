// Finds sanitizer reports (ASan, LSan, UBSan) in a process's captured stderr,
// so a node e2e fails when the kubelet under test reports one.
#ifndef KL_TEST_E2E_NODE_SANITIZER_REPORT_H
#define KL_TEST_E2E_NODE_SANITIZER_REPORT_H

#include <string>

namespace e2e {

// The first report in `log` from its first line to its SUMMARY line (at most
// 8 KiB), or "" when `log` holds none.
std::string SanitizerReport (const std::string &log);

} // namespace e2e

#endif

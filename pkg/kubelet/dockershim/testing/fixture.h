// The fixture the dockershim's integration tests share: a CRI client to the
// standalone dockershim pkg/kubelet/dockershim/test-integration.sh started
// (CNI networking), a Docker client to its dockerd, busybox pulled, a log
// directory, and every sandbox run through RunSandbox stopped and removed
// when the test ends.
#ifndef DS_TESTING_FIXTURE_H
#define DS_TESTING_FIXTURE_H

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

extern "C" {
#include "pkg/kubelet/dockershim/libdocker/client.h"
}

#include "pkg/kubelet/dockershim/testing/cri_helpers.h"

namespace dstest {

class DockershimFixture : public ::testing::Test
{
protected:
  void SetUp () override;
  void TearDown () override;

  // A sandbox named `name` with a UID unique to this run and the fixture's
  // log directory.
  SandboxSpec NewSandbox (const std::string &name);

  // Runs `spec` through `cri` (the fixture's own if NULL), first filling in
  // what NewSandbox would and, off the node's network, the pod name as
  // hostname; remembered for TearDown. "" on failure, which the test has
  // then been told of.
  std::string RunSandbox (SandboxSpec spec, Pb<Runtime__V1__PodSandboxConfig> *config,
                          Cri *cri = nullptr);

  // Creates and starts `c` in `sandbox` through `cri` (busybox and
  // "<name>/0.log" unless the spec says otherwise). "" and *err on failure.
  std::string CreateAndStart (Cri *cri, const std::string &sandbox, ContainerSpec c,
                              const Runtime__V1__PodSandboxConfig *sandbox_config, Error *err);

  // CreateAndStart through the fixture's client, failing the test on error.
  std::string StartContainer (const std::string &sandbox, const ContainerSpec &c,
                              const Runtime__V1__PodSandboxConfig *sandbox_config);

  std::string busybox_;     // KL_TEST_BUSYBOX_IMAGE
  std::string busybox_ref_; // what PullImage answered for it
  std::string log_dir_;
  std::unique_ptr<Cri> cri_;
  docker_client_t *docker_ = nullptr;
  std::vector<std::pair<Cri *, std::string>> sandboxes_;
};

} // namespace dstest

#endif

#include "pkg/kubelet/dockershim/testing/fixture.h"

#include <unistd.h>

namespace dstest {

void
DockershimFixture::SetUp ()
{
  std::string endpoint = Env ("KL_TEST_DS_ENDPOINT");
  ASSERT_FALSE (endpoint.empty ())
      << "KL_TEST_DS_ENDPOINT is not set: run pkg/kubelet/dockershim/test-integration.sh";
  busybox_ = Env ("KL_TEST_BUSYBOX_IMAGE");
  cri_.reset (new Cri (endpoint));
  ASSERT_NE (cri_->client (), nullptr);
  Error err;
  ASSERT_EQ (
      docker_client_new (Env ("KL_TEST_DOCKER_ENDPOINT").c_str (), 60 * kSecond, &docker_, &err.e),
      0)
      << err.msg ();
  ASSERT_TRUE (cri_->PullImage (busybox_, &busybox_ref_, &err)) << err.msg ();
  log_dir_ = MakeTempDir ("ds-it-logs");
  ASSERT_FALSE (log_dir_.empty ());
}

void
DockershimFixture::TearDown ()
{
  for (const auto &s : sandboxes_)
    {
      Error err;
      EXPECT_TRUE (s.first->StopSandbox (s.second, &err)) << err.msg ();
      err.reset ();
      EXPECT_TRUE (s.first->RemoveSandbox (s.second, &err)) << err.msg ();
    }
  docker_client_free (docker_);
  if (!log_dir_.empty ())
    RemoveTree (log_dir_);
}

SandboxSpec
DockershimFixture::NewSandbox (const std::string &name)
{
  static int counter;
  SandboxSpec s;
  s.name = name;
  s.uid = "uid" + std::to_string (getpid ()) + "x" + std::to_string (++counter);
  s.log_dir = log_dir_;
  return s;
}

std::string
DockershimFixture::RunSandbox (SandboxSpec spec, Pb<Runtime__V1__PodSandboxConfig> *config,
                               Cri *cri)
{
  if (cri == nullptr)
    cri = cri_.get ();
  if (spec.uid.empty ())
    spec.uid = NewSandbox (spec.name).uid;
  if (spec.log_dir.empty ())
    spec.log_dir = log_dir_;
  if (spec.hostname.empty () && spec.network != RUNTIME__V1__NAMESPACE_MODE__NODE)
    spec.hostname = spec.name;
  config->reset (MakeSandboxConfig (spec));
  std::string id;
  Error err;
  EXPECT_TRUE (cri->RunSandbox (config->get (), &id, &err)) << err.msg ();
  if (!id.empty ())
    sandboxes_.push_back ({ cri, id });
  return id;
}

std::string
DockershimFixture::CreateAndStart (Cri *cri, const std::string &sandbox, ContainerSpec c,
                                   const Runtime__V1__PodSandboxConfig *sandbox_config, Error *err)
{
  if (c.image.empty ())
    c.image = busybox_;
  if (c.log_path.empty ())
    c.log_path = c.name + "/0.log";
  Pb<Runtime__V1__ContainerConfig> config (MakeContainerConfig (c));
  std::string id;
  if (!cri->CreateContainer (sandbox, config.get (), sandbox_config, &id, err))
    return "";
  if (!cri->StartContainer (id, err))
    return "";
  return id;
}

std::string
DockershimFixture::StartContainer (const std::string &sandbox, const ContainerSpec &c,
                                   const Runtime__V1__PodSandboxConfig *sandbox_config)
{
  Error err;
  std::string id = CreateAndStart (cri_.get (), sandbox, c, sandbox_config, &err);
  EXPECT_FALSE (id.empty ()) << err.msg ();
  return id;
}

} // namespace dstest

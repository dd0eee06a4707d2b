// Drives the standalone dockershim (CNI networking) over our CRI client
// against a real dockerd: images, sandboxes, containers, exec, logs, stats
// and the failure cases. pkg/kubelet/dockershim/test-integration.sh starts
// dockerd, the registry and the dockershim and passes their names in the
// environment; run without them, every test fails.
#include <gtest/gtest.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <vector>

#include "pkg/kubelet/dockershim/testing/cri_helpers.h"
#include "pkg/kubelet/dockershim/testing/fixture.h"

extern "C" {
#include "pkg/kubelet/dockershim/libdocker/containers.h"
#include "pkg/util/grpc/grpc.h"
}

using namespace dstest;

namespace {

bool
Contains (const std::vector<std::string> &v, const std::string &s)
{
  return std::find (v.begin (), v.end (), s) != v.end ();
}

class DockershimTest : public DockershimFixture
{
protected:
  ContainerSpec
  BasicContainer (const std::string &name, const std::vector<std::string> &command)
  {
    ContainerSpec c;
    c.name = name;
    c.image = busybox_;
    c.command = command;
    c.log_path = name + "/0.log";
    return c;
  }

  int
  State (const std::string &container)
  {
    Error err;
    auto status = cri_->ContainerStatus (container, &err);
    return status ? (int) status->state : -1;
  }
};

TEST_F (DockershimTest, VersionStatusAndRuntimeConfig)
{
  Error err;
  Runtime__V1__VersionRequest vreq = RUNTIME__V1__VERSION_REQUEST__INIT;
  vreq.version = (char *) "v1";
  Runtime__V1__VersionResponse *version = nullptr;
  ASSERT_EQ (kl_cri_version (cri_->client (), &vreq, &version, &err.e), 0) << err.msg ();
  Pb<Runtime__V1__VersionResponse> v (version);
  EXPECT_STREQ (v->runtime_name, "docker");
  EXPECT_STREQ (v->runtime_api_version, "v1");
  EXPECT_NE (strstr (v->runtime_version, "20.10"), nullptr) << v->runtime_version;

  Runtime__V1__StatusRequest sreq = RUNTIME__V1__STATUS_REQUEST__INIT;
  sreq.verbose = true;
  Runtime__V1__StatusResponse *status = nullptr;
  ASSERT_EQ (kl_cri_status (cri_->client (), &sreq, &status, &err.e), 0) << err.msg ();
  Pb<Runtime__V1__StatusResponse> s (status);
  ASSERT_EQ (s->status->n_conditions, 2u);
  EXPECT_STREQ (s->status->conditions[0]->type, "RuntimeReady");
  EXPECT_TRUE (s->status->conditions[0]->status);
  EXPECT_STREQ (s->status->conditions[1]->type, "NetworkReady");
  EXPECT_TRUE (s->status->conditions[1]->status) << s->status->conditions[1]->message;
  ASSERT_EQ (s->n_info, 1u);
  EXPECT_NE (strstr (s->info[0]->value, "\"networkPlugin\":\"cni\""), nullptr) << s->info[0]->value;

  Runtime__V1__NetworkConfig net = RUNTIME__V1__NETWORK_CONFIG__INIT;
  net.pod_cidr = (char *) "10.244.253.0/24";
  Runtime__V1__RuntimeConfig rc = RUNTIME__V1__RUNTIME_CONFIG__INIT;
  rc.network_config = &net;
  Runtime__V1__UpdateRuntimeConfigRequest ureq = RUNTIME__V1__UPDATE_RUNTIME_CONFIG_REQUEST__INIT;
  ureq.runtime_config = &rc;
  Runtime__V1__UpdateRuntimeConfigResponse *uresp = nullptr;
  ASSERT_EQ (kl_cri_update_runtime_config (cri_->client (), &ureq, &uresp, &err.e), 0)
      << err.msg ();
  PbFree () (uresp);
}

TEST_F (DockershimTest, Images)
{
  Error err;
  EXPECT_EQ (busybox_ref_.rfind ("sha256:", 0), 0u) << busybox_ref_;

  // ListImages with a filter.
  Runtime__V1__ImageSpec spec = RUNTIME__V1__IMAGE_SPEC__INIT;
  spec.image = (char *) busybox_.c_str ();
  Runtime__V1__ImageFilter filter = RUNTIME__V1__IMAGE_FILTER__INIT;
  filter.image = &spec;
  Runtime__V1__ListImagesRequest lreq = RUNTIME__V1__LIST_IMAGES_REQUEST__INIT;
  lreq.filter = &filter;
  Runtime__V1__ListImagesResponse *list = nullptr;
  ASSERT_EQ (kl_cri_list_images (cri_->client (), &lreq, &list, &err.e), 0) << err.msg ();
  Pb<Runtime__V1__ListImagesResponse> l (list);
  ASSERT_EQ (l->n_images, 1u);
  EXPECT_EQ (l->images[0]->id, busybox_ref_);
  ASSERT_GE (l->images[0]->n_repo_tags, 1u);
  EXPECT_STREQ (l->images[0]->repo_tags[0], busybox_.c_str ());
  EXPECT_GT (l->images[0]->size, 0u);

  // ImageStatus: size, tags, digests; busybox runs as root (no User): uid unset.
  Runtime__V1__ImageStatusRequest sreq = RUNTIME__V1__IMAGE_STATUS_REQUEST__INIT;
  sreq.image = &spec;
  Runtime__V1__ImageStatusResponse *status = nullptr;
  ASSERT_EQ (kl_cri_image_status (cri_->client (), &sreq, &status, &err.e), 0) << err.msg ();
  Pb<Runtime__V1__ImageStatusResponse> st (status);
  ASSERT_NE (st->image, nullptr);
  EXPECT_EQ (st->image->id, busybox_ref_);
  EXPECT_GT (st->image->size, 0u);
  EXPECT_GE (st->image->n_repo_digests, 1u);
  EXPECT_STREQ (st->image->username, "");

  // A missing image: no image, no error.
  Runtime__V1__ImageSpec missing = RUNTIME__V1__IMAGE_SPEC__INIT;
  std::string missing_ref = busybox_.substr (0, busybox_.rfind ('/')) + "/no-such-image:0.0";
  missing.image = (char *) missing_ref.c_str ();
  sreq.image = &missing;
  status = nullptr;
  ASSERT_EQ (kl_cri_image_status (cri_->client (), &sreq, &status, &err.e), 0) << err.msg ();
  EXPECT_EQ (status->image, nullptr);
  PbFree () (status);

  // Pulling a missing image fails with the registry's reason.
  std::string ref;
  EXPECT_FALSE (cri_->PullImage (missing_ref, &ref, &err));
  EXPECT_NE (strstr (err.msg (), "no-such-image"), nullptr) << err.msg ();
  err.reset ();

  // Credentials are passed on (the loopback registry ignores them).
  Runtime__V1__AuthConfig auth = RUNTIME__V1__AUTH_CONFIG__INIT;
  auth.username = (char *) "user";
  auth.password = (char *) "secret";
  auth.server_address = (char *) "127.0.0.1:5000";
  Runtime__V1__PullImageRequest preq = RUNTIME__V1__PULL_IMAGE_REQUEST__INIT;
  preq.image = &spec;
  preq.auth = &auth;
  Runtime__V1__PullImageResponse *pulled = nullptr;
  ASSERT_EQ (kl_cri_pull_image (cri_->client (), &preq, 300 * kSecond, &pulled, &err.e), 0)
      << err.msg ();
  EXPECT_EQ (std::string (pulled->image_ref), busybox_ref_);
  PbFree () (pulled);

  // RemoveImage: gone, then a second remove is fine; pulled again after.
  Runtime__V1__RemoveImageRequest rreq = RUNTIME__V1__REMOVE_IMAGE_REQUEST__INIT;
  rreq.image = &spec;
  Runtime__V1__RemoveImageResponse *removed = nullptr;
  ASSERT_EQ (kl_cri_remove_image (cri_->client (), &rreq, &removed, &err.e), 0) << err.msg ();
  PbFree () (removed);
  sreq.image = &spec;
  status = nullptr;
  ASSERT_EQ (kl_cri_image_status (cri_->client (), &sreq, &status, &err.e), 0) << err.msg ();
  EXPECT_EQ (status->image, nullptr);
  PbFree () (status);
  removed = nullptr;
  ASSERT_EQ (kl_cri_remove_image (cri_->client (), &rreq, &removed, &err.e), 0) << err.msg ();
  PbFree () (removed);
  ASSERT_TRUE (cri_->PullImage (busybox_, &ref, &err)) << err.msg ();

  // ImageFsInfo: Docker's root directory.
  Runtime__V1__ImageFsInfoRequest freq = RUNTIME__V1__IMAGE_FS_INFO_REQUEST__INIT;
  Runtime__V1__ImageFsInfoResponse *fs = nullptr;
  ASSERT_EQ (kl_cri_image_fs_info (cri_->client (), &freq, &fs, &err.e), 0) << err.msg ();
  Pb<Runtime__V1__ImageFsInfoResponse> f (fs);
  ASSERT_EQ (f->n_image_filesystems, 1u);
  EXPECT_EQ (std::string (f->image_filesystems[0]->fs_id->mountpoint),
             Env ("KL_TEST_DS_WORK") + "/docker/data");
  EXPECT_GT (f->image_filesystems[0]->used_bytes->value, 0u);
  EXPECT_GT (f->image_filesystems[0]->inodes_used->value, 0u);
  EXPECT_GT (f->image_filesystems[0]->timestamp, 0);
}

TEST_F (DockershimTest, SandboxLifecycle)
{
  SandboxSpec spec = NewSandbox ("lifecycle");
  spec.labels = { { "app", "web" }, { "tier", "front" } };
  spec.annotations = { { "note", "kept as a label" } };
  spec.dns_servers = { "10.96.0.10" };
  spec.dns_searches = { "ds-test.svc.cluster.local", "svc.cluster.local" };
  spec.dns_options = { "ndots:5" };
  spec.ports = { { 0, 80, 0 } };
  Pb<Runtime__V1__PodSandboxConfig> config;
  std::string id = RunSandbox (spec, &config);
  ASSERT_FALSE (id.empty ());

  Error err;
  auto status = cri_->SandboxStatus (id, &err);
  ASSERT_TRUE (status) << err.msg ();
  EXPECT_EQ (std::string (status->id), id);
  EXPECT_EQ (status->state, RUNTIME__V1__POD_SANDBOX_STATE__SANDBOX_READY);
  EXPECT_STREQ (status->metadata->name, "lifecycle");
  EXPECT_STREQ (status->metadata->namespace_, "ds-test");
  EXPECT_EQ (std::string (status->metadata->uid), spec.uid);
  EXPECT_GT (status->created_at, 0);
  std::string ip = status->network->ip;
  EXPECT_EQ (ip.rfind (Env ("KL_TEST_CNI_SUBNET_PREFIX"), 0), 0u) << ip;
  EXPECT_EQ (status->linux->namespaces->options->network, RUNTIME__V1__NAMESPACE_MODE__POD);
  EXPECT_EQ (status->linux->namespaces->options->pid, RUNTIME__V1__NAMESPACE_MODE__CONTAINER);
  EXPECT_EQ (status->linux->namespaces->options->ipc, RUNTIME__V1__NAMESPACE_MODE__POD);
  StringMap labels, annotations;
  for (size_t i = 0; i < status->n_labels; i++)
    labels[status->labels[i]->key] = status->labels[i]->value;
  for (size_t i = 0; i < status->n_annotations; i++)
    annotations[status->annotations[i]->key] = status->annotations[i]->value;
  EXPECT_EQ (labels, spec.labels);
  EXPECT_EQ (annotations, spec.annotations);

  // Docker's view: the name and the internal labels.
  docker_container_inspect_t *inspect = nullptr;
  ASSERT_EQ (docker_container_inspect (docker_, id.c_str (), &inspect, &err.e), 0) << err.msg ();
  EXPECT_EQ (std::string (inspect->name), "/k8s_POD_lifecycle_ds-test_" + spec.uid + "_0");
  EXPECT_STREQ (docker_labels_get (&inspect->config.labels, "io.kubernetes.docker.type"),
                "podsandbox");
  EXPECT_STREQ (docker_labels_get (&inspect->config.labels, "annotation.note"), "kept as a label");
  EXPECT_STREQ (inspect->host_config.network_mode, "none");
  EXPECT_GE (inspect->host_config.oom_score_adj, 0) << "asked for -998 without CAP_SYS_RESOURCE";
  std::string resolv = ReadFile (inspect->resolv_conf_path);
  docker_container_inspect_free (inspect);
  EXPECT_EQ (resolv, "nameserver 10.96.0.10\nsearch ds-test.svc.cluster.local svc.cluster.local\n"
                     "options ndots:5\n");

  // The pod network is really there: a container sees the IP on eth0 and
  // the hostname and resolv.conf of the sandbox.
  std::string c = StartContainer (id, BasicContainer ("net", { "sleep", "3600" }), config.get ());
  ASSERT_FALSE (c.empty ());
  std::string out;
  int code = -1;
  ASSERT_TRUE (
      cri_->ExecSync (c, { "ip", "-4", "addr", "show", "eth0" }, 10, &out, nullptr, &code, &err))
      << err.msg ();
  EXPECT_NE (out.find (ip + "/"), std::string::npos) << out;
  ASSERT_TRUE (cri_->ExecSync (c, { "hostname" }, 10, &out, nullptr, &code, &err)) << err.msg ();
  EXPECT_EQ (out, "lifecycle\n");
  ASSERT_TRUE (cri_->ExecSync (c, { "cat", "/etc/resolv.conf" }, 10, &out, nullptr, &code, &err));
  EXPECT_EQ (out, resolv);

  // ListPodSandbox: by id, state, labels.
  Runtime__V1__PodSandboxFilter filter = RUNTIME__V1__POD_SANDBOX_FILTER__INIT;
  filter.id = (char *) id.c_str ();
  EXPECT_EQ (cri_->ListSandboxIds (&filter, &err), std::vector<std::string> ({ id }));
  filter.id = (char *) "";
  Runtime__V1__PodSandboxStateValue state = RUNTIME__V1__POD_SANDBOX_STATE_VALUE__INIT;
  state.state = RUNTIME__V1__POD_SANDBOX_STATE__SANDBOX_READY;
  filter.state = &state;
  EXPECT_TRUE (Contains (cri_->ListSandboxIds (&filter, &err), id));
  state.state = RUNTIME__V1__POD_SANDBOX_STATE__SANDBOX_NOTREADY;
  EXPECT_FALSE (Contains (cri_->ListSandboxIds (&filter, &err), id));
  filter.state = nullptr;
  Runtime__V1__PodSandboxFilter__LabelSelectorEntry sel
      = RUNTIME__V1__POD_SANDBOX_FILTER__LABEL_SELECTOR_ENTRY__INIT;
  sel.key = (char *) "app";
  sel.value = (char *) "web";
  Runtime__V1__PodSandboxFilter__LabelSelectorEntry *sels[] = { &sel };
  filter.label_selector = sels;
  filter.n_label_selector = 1;
  EXPECT_TRUE (Contains (cri_->ListSandboxIds (&filter, &err), id));
  sel.value = (char *) "db";
  EXPECT_FALSE (Contains (cri_->ListSandboxIds (&filter, &err), id));
  EXPECT_TRUE (Contains (cri_->ListSandboxIds (nullptr, &err), id));

  // The IP is leased from host-local until the sandbox stops.
  std::string lease = Env ("KL_TEST_CNI_IPAM_DIR") + "/klds/" + ip;
  EXPECT_TRUE (FileExists (lease)) << lease;

  // Stop: containers and the pause stop, the network is torn down; twice is fine.
  ASSERT_TRUE (cri_->StopSandbox (id, &err)) << err.msg ();
  status = cri_->SandboxStatus (id, &err);
  ASSERT_TRUE (status) << err.msg ();
  EXPECT_EQ (status->state, RUNTIME__V1__POD_SANDBOX_STATE__SANDBOX_NOTREADY);
  EXPECT_STREQ (status->network->ip, "");
  EXPECT_EQ (State (c), RUNTIME__V1__CONTAINER_STATE__CONTAINER_EXITED);
  EXPECT_FALSE (FileExists (lease)) << "the IP was not released";
  filter = RUNTIME__V1__POD_SANDBOX_FILTER__INIT;
  state.state = RUNTIME__V1__POD_SANDBOX_STATE__SANDBOX_NOTREADY;
  filter.state = &state;
  EXPECT_TRUE (Contains (cri_->ListSandboxIds (&filter, &err), id));
  ASSERT_TRUE (cri_->StopSandbox (id, &err)) << err.msg ();

  // Remove: the sandbox, its containers and its checkpoint go; twice is fine.
  std::string checkpoint = Env ("KL_TEST_DS_WORK") + "/root-cni/sandbox/" + id;
  EXPECT_TRUE (FileExists (checkpoint));
  ASSERT_TRUE (cri_->RemoveSandbox (id, &err)) << err.msg ();
  EXPECT_FALSE (FileExists (checkpoint));
  EXPECT_FALSE (cri_->SandboxStatus (id, &err));
  EXPECT_EQ (err.status (), KL_GRPC_NOT_FOUND) << err.msg ();
  err.reset ();
  EXPECT_FALSE (cri_->ContainerStatus (c, &err));
  EXPECT_EQ (err.status (), KL_GRPC_NOT_FOUND) << err.msg ();
  err.reset ();
  EXPECT_TRUE (cri_->RemoveSandbox (id, &err)) << err.msg ();
  EXPECT_TRUE (cri_->StopSandbox (id, &err)) << err.msg ();
}

TEST_F (DockershimTest, ContainerLifecycle)
{
  SandboxSpec spec = NewSandbox ("containers");
  Pb<Runtime__V1__PodSandboxConfig> config;
  std::string sandbox = RunSandbox (spec, &config);
  ASSERT_FALSE (sandbox.empty ());
  std::string volume = MakeTempDir ("ds-it-volume");
  ASSERT_FALSE (volume.empty ());
  FILE *f = fopen ((volume + "/flag").c_str (), "w");
  ASSERT_NE (f, nullptr);
  fputs ("from the host\n", f);
  fclose (f);

  ContainerSpec c = BasicContainer ("app", { "sh", "-c" });
  c.args = { "echo started; echo to-stderr >&2; exec sleep 3600" };
  c.env = { { "FOO", "bar baz" }, { "EMPTY", "" } };
  c.working_dir = "/tmp";
  c.mounts = { { volume, "/data", true, 0 }, { volume, "/data-rw", false, 0 } };
  c.labels = { { "role", "main" } };
  c.annotations = { { "io.kubernetes.container.hash", "1234" } };
  Pb<Runtime__V1__ContainerConfig> cconfig (MakeContainerConfig (c));
  std::string id;
  Error err;
  ASSERT_TRUE (cri_->CreateContainer (sandbox, cconfig.get (), config.get (), &id, &err))
      << err.msg ();

  auto status = cri_->ContainerStatus (id, &err);
  ASSERT_TRUE (status) << err.msg ();
  EXPECT_EQ (status->state, RUNTIME__V1__CONTAINER_STATE__CONTAINER_CREATED);
  EXPECT_STREQ (status->metadata->name, "app");
  EXPECT_EQ (std::string (status->log_path), log_dir_ + "/app/0.log");
  EXPECT_EQ (std::string (status->image->image), busybox_);
  EXPECT_EQ (std::string (status->image_ref), busybox_ref_);

  Runtime__V1__ContainerFilter filter = RUNTIME__V1__CONTAINER_FILTER__INIT;
  filter.pod_sandbox_id = (char *) sandbox.c_str ();
  EXPECT_EQ (cri_->ListContainerIds (&filter, &err), std::vector<std::string> ({ id }));
  Runtime__V1__ContainerStateValue state = RUNTIME__V1__CONTAINER_STATE_VALUE__INIT;
  state.state = RUNTIME__V1__CONTAINER_STATE__CONTAINER_RUNNING;
  filter.state = &state;
  EXPECT_TRUE (cri_->ListContainerIds (&filter, &err).empty ());

  ASSERT_TRUE (cri_->StartContainer (id, &err)) << err.msg ();
  status = cri_->ContainerStatus (id, &err);
  ASSERT_TRUE (status) << err.msg ();
  EXPECT_EQ (status->state, RUNTIME__V1__CONTAINER_STATE__CONTAINER_RUNNING);
  EXPECT_GT (status->started_at, 0);
  EXPECT_GE (status->started_at, status->created_at);
  StringMap labels, annotations;
  for (size_t i = 0; i < status->n_labels; i++)
    labels[status->labels[i]->key] = status->labels[i]->value;
  for (size_t i = 0; i < status->n_annotations; i++)
    annotations[status->annotations[i]->key] = status->annotations[i]->value;
  EXPECT_EQ (labels, c.labels);
  EXPECT_EQ (annotations, c.annotations);
  bool ro_seen = false, rw_seen = false;
  for (size_t i = 0; i < status->n_mounts; i++)
    {
      if (strcmp (status->mounts[i]->container_path, "/data") == 0)
        ro_seen = status->mounts[i]->readonly && volume == status->mounts[i]->host_path;
      if (strcmp (status->mounts[i]->container_path, "/data-rw") == 0)
        rw_seen = !status->mounts[i]->readonly;
    }
  EXPECT_TRUE (ro_seen && rw_seen);

  // Listing by id, running state, sandbox and labels.
  EXPECT_EQ (cri_->ListContainerIds (&filter, &err), std::vector<std::string> ({ id }));
  filter = RUNTIME__V1__CONTAINER_FILTER__INIT;
  filter.id = (char *) id.c_str ();
  EXPECT_EQ (cri_->ListContainerIds (&filter, &err), std::vector<std::string> ({ id }));
  filter.id = (char *) "";
  Runtime__V1__ContainerFilter__LabelSelectorEntry sel
      = RUNTIME__V1__CONTAINER_FILTER__LABEL_SELECTOR_ENTRY__INIT;
  sel.key = (char *) "role";
  sel.value = (char *) "main";
  Runtime__V1__ContainerFilter__LabelSelectorEntry *sels[] = { &sel };
  filter.label_selector = sels;
  filter.n_label_selector = 1;
  EXPECT_TRUE (Contains (cri_->ListContainerIds (&filter, &err), id));
  sel.value = (char *) "sidecar";
  EXPECT_FALSE (Contains (cri_->ListContainerIds (&filter, &err), id));

  // Environment, working directory, mounts (read-only and not).
  std::string out;
  int code = -1;
  ASSERT_TRUE (cri_->ExecSync (id, { "sh", "-c", "echo \"$FOO\"; pwd; cat /data/flag" }, 10, &out,
                               nullptr, &code, &err))
      << err.msg ();
  EXPECT_EQ (out, "bar baz\n/tmp\nfrom the host\n");
  ASSERT_TRUE (cri_->ExecSync (id, { "touch", "/data/x" }, 10, nullptr, nullptr, &code, &err));
  EXPECT_NE (code, 0) << "a read-only mount was writable";
  ASSERT_TRUE (cri_->ExecSync (id, { "touch", "/data-rw/x" }, 10, nullptr, nullptr, &code, &err));
  EXPECT_EQ (code, 0);
  EXPECT_TRUE (FileExists (volume + "/x"));

  // The CRI log, written as the container runs.
  std::string log_path = log_dir_ + "/app/0.log";
  std::vector<LogLine> lines;
  ASSERT_TRUE (WaitFor (
      [&] {
        lines.clear ();
        std::string bad;
        return ParseCriLog (log_path, &lines, &bad) && lines.size () >= 2;
      },
      20))
      << ReadFile (log_path);
  bool out_seen = false, err_seen = false;
  for (const auto &l : lines)
    {
      out_seen |= l.stream == "stdout" && l.tag == "F" && l.text == "started";
      err_seen |= l.stream == "stderr" && l.tag == "F" && l.text == "to-stderr";
    }
  EXPECT_TRUE (out_seen && err_seen) << ReadFile (log_path);

  // Stop with a grace period; stopping again is fine.
  ASSERT_TRUE (cri_->StopContainer (id, 1, &err)) << err.msg ();
  status = cri_->ContainerStatus (id, &err);
  ASSERT_TRUE (status) << err.msg ();
  EXPECT_EQ (status->state, RUNTIME__V1__CONTAINER_STATE__CONTAINER_EXITED);
  EXPECT_STREQ (status->reason, "Error");
  EXPECT_NE (status->exit_code, 0);
  EXPECT_GE (status->finished_at, status->started_at);
  ASSERT_TRUE (cri_->StopContainer (id, 1, &err)) << err.msg ();
  state.state = RUNTIME__V1__CONTAINER_STATE__CONTAINER_EXITED;
  filter = RUNTIME__V1__CONTAINER_FILTER__INIT;
  filter.state = &state;
  EXPECT_TRUE (Contains (cri_->ListContainerIds (&filter, &err), id));

  // Remove; the CRI log stays (the kubelet owns it); removing again is fine.
  ASSERT_TRUE (cri_->RemoveContainer (id, &err)) << err.msg ();
  EXPECT_FALSE (cri_->ContainerStatus (id, &err));
  EXPECT_EQ (err.status (), KL_GRPC_NOT_FOUND);
  err.reset ();
  EXPECT_TRUE (FileExists (log_path));
  EXPECT_TRUE (cri_->RemoveContainer (id, &err)) << err.msg ();
  RemoveTree (volume);
}

TEST_F (DockershimTest, ExitedContainerLogsAndReasons)
{
  SandboxSpec spec = NewSandbox ("logs");
  Pb<Runtime__V1__PodSandboxConfig> config;
  std::string sandbox = RunSandbox (spec, &config);
  ASSERT_FALSE (sandbox.empty ());

  // printf without a newline leaves a partial (P) line.
  ContainerSpec c
      = BasicContainer ("echo", { "sh", "-c", "echo line one; echo line two >&2; printf partial" });
  std::string ok = StartContainer (sandbox, c, config.get ());
  ContainerSpec failing = BasicContainer ("fail", { "sh", "-c", "exit 3" });
  std::string bad = StartContainer (sandbox, failing, config.get ());
  ASSERT_FALSE (ok.empty () || bad.empty ());
  ASSERT_TRUE (
      WaitFor ([&] { return State (ok) == RUNTIME__V1__CONTAINER_STATE__CONTAINER_EXITED; }, 30));
  ASSERT_TRUE (
      WaitFor ([&] { return State (bad) == RUNTIME__V1__CONTAINER_STATE__CONTAINER_EXITED; }, 30));

  Error err;
  auto status = cri_->ContainerStatus (ok, &err);
  ASSERT_TRUE (status) << err.msg ();
  EXPECT_STREQ (status->reason, "Completed");
  EXPECT_EQ (status->exit_code, 0);
  EXPECT_GT (status->finished_at, 0);
  status = cri_->ContainerStatus (bad, &err);
  ASSERT_TRUE (status) << err.msg ();
  EXPECT_STREQ (status->reason, "Error");
  EXPECT_EQ (status->exit_code, 3);

  // Once the status says exited, the whole output is in the CRI log.
  std::vector<LogLine> lines;
  std::string bad_line;
  ASSERT_TRUE (ParseCriLog (log_dir_ + "/echo/0.log", &lines, &bad_line)) << bad_line;
  ASSERT_EQ (lines.size (), 3u) << ReadFile (log_dir_ + "/echo/0.log");
  std::sort (lines.begin (), lines.end (),
             [] (const LogLine &a, const LogLine &b) { return a.text < b.text; });
  EXPECT_EQ (lines[0].stream + " " + lines[0].tag + " " + lines[0].text, "stdout F line one");
  EXPECT_EQ (lines[1].stream + " " + lines[1].tag + " " + lines[1].text, "stderr F line two");
  EXPECT_EQ (lines[2].stream + " " + lines[2].tag + " " + lines[2].text, "stdout P partial");
}

TEST_F (DockershimTest, ReopenContainerLog)
{
  SandboxSpec spec = NewSandbox ("reopen");
  Pb<Runtime__V1__PodSandboxConfig> config;
  std::string sandbox = RunSandbox (spec, &config);
  ASSERT_FALSE (sandbox.empty ());
  ContainerSpec c = BasicContainer (
      "loop", { "sh", "-c", "i=0; while true; do i=$((i+1)); echo line $i; sleep 0.2; done" });
  std::string id = StartContainer (sandbox, c, config.get ());
  ASSERT_FALSE (id.empty ());
  std::string path = log_dir_ + "/loop/0.log";
  ASSERT_TRUE (WaitFor ([&] { return ReadFile (path).size () > 0; }, 20));

  ASSERT_EQ (rename (path.c_str (), (path + ".1").c_str ()), 0);
  Runtime__V1__ReopenContainerLogRequest req = RUNTIME__V1__REOPEN_CONTAINER_LOG_REQUEST__INIT;
  req.container_id = (char *) id.c_str ();
  Runtime__V1__ReopenContainerLogResponse *resp = nullptr;
  Error err;
  ASSERT_EQ (kl_cri_reopen_container_log (cri_->client (), &req, &resp, &err.e), 0) << err.msg ();
  PbFree () (resp);
  EXPECT_TRUE (FileExists (path));
  ASSERT_TRUE (WaitFor ([&] { return ReadFile (path).size () > 0; }, 20));
  size_t old_size = ReadFile (path + ".1").size ();
  usleep (1000 * 1000);
  EXPECT_EQ (ReadFile (path + ".1").size (), old_size) << "the old log still grows";

  // Numbers continue across the two files: nothing lost, nothing twice.
  std::vector<LogLine> a, b;
  std::string bad;
  ASSERT_TRUE (ParseCriLog (path + ".1", &a, &bad)) << bad;
  ASSERT_TRUE (ParseCriLog (path, &b, &bad)) << bad;
  a.insert (a.end (), b.begin (), b.end ());
  for (size_t i = 0; i < a.size (); i++)
    EXPECT_EQ (a[i].text, "line " + std::to_string (i + 1));

  // A stopped container's log is not reopened.
  ASSERT_TRUE (cri_->StopContainer (id, 0, &err)) << err.msg ();
  resp = nullptr;
  EXPECT_LT (kl_cri_reopen_container_log (cri_->client (), &req, &resp, &err.e), 0);
  err.reset ();
}

TEST_F (DockershimTest, ExecSync)
{
  SandboxSpec spec = NewSandbox ("exec");
  Pb<Runtime__V1__PodSandboxConfig> config;
  std::string sandbox = RunSandbox (spec, &config);
  ASSERT_FALSE (sandbox.empty ());
  std::string id
      = StartContainer (sandbox, BasicContainer ("sh", { "sleep", "3600" }), config.get ());
  ASSERT_FALSE (id.empty ());

  std::string out, errout;
  int code = -1;
  Error err;
  ASSERT_TRUE (cri_->ExecSync (id, { "echo", "-n", "hello" }, 30, &out, &errout, &code, &err))
      << err.msg ();
  EXPECT_EQ (out, "hello");
  EXPECT_EQ (errout, "");
  EXPECT_EQ (code, 0);
  ASSERT_TRUE (
      cri_->ExecSync (id, { "sh", "-c", "echo oops >&2; exit 7" }, 30, &out, &errout, &code, &err))
      << err.msg ();
  EXPECT_EQ (out, "");
  EXPECT_EQ (errout, "oops\n");
  EXPECT_EQ (code, 7);
  // A big output arrives whole.
  ASSERT_TRUE (cri_->ExecSync (id, { "sh", "-c", "seq 1 100000" }, 30, &out, nullptr, &code, &err));
  EXPECT_EQ (out.size (), 588895u);

  // The timeout: DeadlineExceeded, and the process is gone afterwards.
  struct timespec t0, t1;
  clock_gettime (CLOCK_MONOTONIC, &t0);
  EXPECT_FALSE (cri_->ExecSync (id, { "sleep", "4321" }, 1, &out, &errout, &code, &err));
  clock_gettime (CLOCK_MONOTONIC, &t1);
  EXPECT_EQ (err.status (), KL_GRPC_DEADLINE_EXCEEDED) << err.msg ();
  EXPECT_LT (t1.tv_sec - t0.tv_sec, 10);
  err.reset ();
  ASSERT_TRUE (
      cri_->ExecSync (id, { "sh", "-c", "pidof sleep | wc -w" }, 30, &out, &errout, &code, &err))
      << err.msg ();
  EXPECT_EQ (out, "1\n") << "only the container's own sleep should run";

  // A missing command fails in the exec, not in the call.
  ASSERT_TRUE (cri_->ExecSync (id, { "no-such-command" }, 30, &out, &errout, &code, &err))
      << err.msg ();
  EXPECT_NE (code, 0);

  // Not running: an error.
  ASSERT_TRUE (cri_->StopContainer (id, 0, &err)) << err.msg ();
  EXPECT_FALSE (cri_->ExecSync (id, { "true" }, 10, &out, &errout, &code, &err));
  EXPECT_NE (strstr (err.msg (), "not in running state"), nullptr) << err.msg ();
}

TEST_F (DockershimTest, UnknownIdsAndIdempotence)
{
  const std::string unknown = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
  Error err;
  EXPECT_FALSE (cri_->ContainerStatus (unknown, &err));
  EXPECT_EQ (err.status (), KL_GRPC_NOT_FOUND) << err.msg ();
  err.reset ();
  EXPECT_FALSE (cri_->SandboxStatus (unknown, &err));
  EXPECT_EQ (err.status (), KL_GRPC_NOT_FOUND) << err.msg ();
  err.reset ();
  EXPECT_FALSE (cri_->StartContainer (unknown, &err));
  EXPECT_EQ (err.status (), KL_GRPC_NOT_FOUND) << err.msg ();
  err.reset ();
  EXPECT_FALSE (cri_->StopContainer (unknown, 1, &err));
  EXPECT_EQ (err.status (), KL_GRPC_NOT_FOUND) << err.msg ();
  err.reset ();
  EXPECT_FALSE (cri_->ExecSync (unknown, { "true" }, 1, nullptr, nullptr, nullptr, &err));
  EXPECT_EQ (err.status (), KL_GRPC_NOT_FOUND) << err.msg ();
  err.reset ();
  EXPECT_TRUE (cri_->RemoveContainer (unknown, &err)) << err.msg ();
  EXPECT_TRUE (cri_->StopSandbox (unknown, &err)) << err.msg ();
  EXPECT_TRUE (cri_->RemoveSandbox (unknown, &err)) << err.msg ();

  // A container ID is not a sandbox, nor the other way round.
  SandboxSpec spec = NewSandbox ("ids");
  Pb<Runtime__V1__PodSandboxConfig> config;
  std::string sandbox = RunSandbox (spec, &config);
  ASSERT_FALSE (sandbox.empty ());
  std::string c
      = StartContainer (sandbox, BasicContainer ("c", { "sleep", "3600" }), config.get ());
  ASSERT_FALSE (c.empty ());
  EXPECT_FALSE (cri_->SandboxStatus (c, &err));
  EXPECT_EQ (err.status (), KL_GRPC_NOT_FOUND) << err.msg ();
  err.reset ();
  EXPECT_FALSE (cri_->ContainerStatus (sandbox, &err));
  EXPECT_EQ (err.status (), KL_GRPC_NOT_FOUND) << err.msg ();
  err.reset ();

  // A container in an unknown sandbox; a second sandbox of the same name and attempt.
  Pb<Runtime__V1__ContainerConfig> cc (MakeContainerConfig (BasicContainer ("x", { "true" })));
  std::string id;
  EXPECT_FALSE (cri_->CreateContainer (unknown, cc.get (), config.get (), &id, &err));
  EXPECT_EQ (err.status (), KL_GRPC_NOT_FOUND) << err.msg ();
  err.reset ();
  EXPECT_FALSE (cri_->RunSandbox (config.get (), &id, &err));
  EXPECT_EQ (err.status (), KL_GRPC_ALREADY_EXISTS) << err.msg ();
  err.reset ();

  // A missing image.
  ContainerSpec missing = BasicContainer ("missing", { "true" });
  missing.image = busybox_.substr (0, busybox_.rfind ('/')) + "/no-such-image:0.0";
  Pb<Runtime__V1__ContainerConfig> mc (MakeContainerConfig (missing));
  EXPECT_FALSE (cri_->CreateContainer (sandbox, mc.get (), config.get (), &id, &err));
  EXPECT_EQ (err.status (), KL_GRPC_NOT_FOUND) << err.msg ();
  err.reset ();

  // A command that does not exist: the start fails, the status says why.
  Pb<Runtime__V1__ContainerConfig> nc (
      MakeContainerConfig (BasicContainer ("nocmd", { "/no/such/binary" })));
  ASSERT_TRUE (cri_->CreateContainer (sandbox, nc.get (), config.get (), &id, &err)) << err.msg ();
  EXPECT_FALSE (cri_->StartContainer (id, &err));
  err.reset ();
  auto status = cri_->ContainerStatus (id, &err);
  ASSERT_TRUE (status) << err.msg ();
  EXPECT_EQ (status->state, RUNTIME__V1__CONTAINER_STATE__CONTAINER_EXITED);
  EXPECT_STREQ (status->reason, "ContainerCannotRun");
  EXPECT_NE (strlen (status->message), 0u);
}

TEST_F (DockershimTest, StatsAndResourceUpdates)
{
  SandboxSpec spec = NewSandbox ("stats");
  Pb<Runtime__V1__PodSandboxConfig> config;
  std::string sandbox = RunSandbox (spec, &config);
  ASSERT_FALSE (sandbox.empty ());
  ContainerSpec c = BasicContainer ("busy", { "sh", "-c", "while true; do :; done" });
  c.labels = { { "foo", "bar" } };
  c.has_linux = true;
  c.cpu_shares = 256;
  c.memory = 64 << 20;
  std::string id = StartContainer (sandbox, c, config.get ());
  ASSERT_FALSE (id.empty ());
  usleep (500 * 1000);

  Error err;
  Runtime__V1__ContainerStatsRequest req = RUNTIME__V1__CONTAINER_STATS_REQUEST__INIT;
  req.container_id = (char *) id.c_str ();
  Runtime__V1__ContainerStatsResponse *resp = nullptr;
  ASSERT_EQ (kl_cri_container_stats (cri_->client (), &req, &resp, &err.e), 0) << err.msg ();
  Pb<Runtime__V1__ContainerStatsResponse> r (resp);
  EXPECT_EQ (std::string (r->stats->attributes->id), id);
  EXPECT_STREQ (r->stats->attributes->metadata->name, "busy");
  EXPECT_GT (r->stats->cpu->timestamp, 0);
  EXPECT_GT (r->stats->cpu->usage_core_nano_seconds->value, 0u);
  EXPECT_GT (r->stats->memory->timestamp, 0);
  EXPECT_GT (r->stats->memory->working_set_bytes->value, 0u);
  ASSERT_NE (r->stats->memory->available_bytes, nullptr);
  EXPECT_LE (r->stats->memory->available_bytes->value, 64u << 20);

  Runtime__V1__ContainerStatsFilter filter = RUNTIME__V1__CONTAINER_STATS_FILTER__INIT;
  Runtime__V1__ContainerStatsFilter__LabelSelectorEntry sel
      = RUNTIME__V1__CONTAINER_STATS_FILTER__LABEL_SELECTOR_ENTRY__INIT;
  sel.key = (char *) "foo";
  sel.value = (char *) "bar";
  Runtime__V1__ContainerStatsFilter__LabelSelectorEntry *sels[] = { &sel };
  filter.label_selector = sels;
  filter.n_label_selector = 1;
  filter.pod_sandbox_id = (char *) sandbox.c_str ();
  Runtime__V1__ListContainerStatsRequest lreq = RUNTIME__V1__LIST_CONTAINER_STATS_REQUEST__INIT;
  lreq.filter = &filter;
  Runtime__V1__ListContainerStatsResponse *lresp = nullptr;
  ASSERT_EQ (kl_cri_list_container_stats (cri_->client (), &lreq, &lresp, &err.e), 0) << err.msg ();
  ASSERT_EQ (lresp->n_stats, 1u);
  EXPECT_EQ (std::string (lresp->stats[0]->attributes->id), id);
  PbFree () (lresp);
  sel.value = (char *) "baz";
  lresp = nullptr;
  ASSERT_EQ (kl_cri_list_container_stats (cri_->client (), &lreq, &lresp, &err.e), 0) << err.msg ();
  EXPECT_EQ (lresp->n_stats, 0u);
  PbFree () (lresp);
  Runtime__V1__ListContainerStatsRequest all = RUNTIME__V1__LIST_CONTAINER_STATS_REQUEST__INIT;
  lresp = nullptr;
  ASSERT_EQ (kl_cri_list_container_stats (cri_->client (), &all, &lresp, &err.e), 0) << err.msg ();
  bool found = false;
  for (size_t i = 0; i < lresp->n_stats; i++)
    found |= id == lresp->stats[i]->attributes->id;
  EXPECT_TRUE (found);
  PbFree () (lresp);

  // Resources as created, then updated on the live container.
  auto status = cri_->ContainerStatus (id, &err);
  ASSERT_TRUE (status) << err.msg ();
  EXPECT_EQ (status->resources->linux->cpu_shares, 256);
  EXPECT_EQ (status->resources->linux->memory_limit_in_bytes, 64 << 20);
  Runtime__V1__LinuxContainerResources res = RUNTIME__V1__LINUX_CONTAINER_RESOURCES__INIT;
  res.cpu_shares = 512;
  res.cpu_period = 100000;
  res.cpu_quota = 50000;
  res.memory_limit_in_bytes = 128 << 20;
  Runtime__V1__UpdateContainerResourcesRequest ureq
      = RUNTIME__V1__UPDATE_CONTAINER_RESOURCES_REQUEST__INIT;
  ureq.container_id = (char *) id.c_str ();
  ureq.linux = &res;
  Runtime__V1__UpdateContainerResourcesResponse *uresp = nullptr;
  ASSERT_EQ (kl_cri_update_container_resources (cri_->client (), &ureq, &uresp, &err.e), 0)
      << err.msg ();
  PbFree () (uresp);
  status = cri_->ContainerStatus (id, &err);
  ASSERT_TRUE (status) << err.msg ();
  EXPECT_EQ (status->resources->linux->cpu_shares, 512);
  EXPECT_EQ (status->resources->linux->cpu_quota, 50000);
  EXPECT_EQ (status->resources->linux->memory_limit_in_bytes, 128 << 20);
  std::string out;
  int code = -1;
  ASSERT_TRUE (cri_->ExecSync (id, { "cat", "/sys/fs/cgroup/memory/memory.limit_in_bytes" }, 10,
                               &out, nullptr, &code, &err));
  EXPECT_EQ (out, std::to_string (128 << 20) + "\n");
}

} // namespace

// The handlers against a fake dockerd: the Docker filters list calls send,
// and the order of the calls a sandbox's start makes.
#include <gtest/gtest.h>
#include <pthread.h>
#include <stdlib.h>

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include "pkg/kubelet/dockershim/libdocker/testing/fake_docker.h"
#include "pkg/kubelet/dockershim/testing/cri_helpers.h"

extern "C" {
#include "pkg/kubelet/dockershim/libdocker/testing/memory_docker.h"
#include "pkg/kubelet/dockershim/service-internal.h"
#include "pkg/util/utils.h"
}

using fakedocker::Request;
using fakedocker::Response;
using namespace dstest;

namespace {

Response
Json (const std::string &body, int status = 200)
{
  Response r;
  r.status = status;
  r.body = body;
  return r;
}

class ServiceTest : public ::testing::Test
{
protected:
  void
  SetUp () override
  {
    root_ = MakeTempDir ("ds-service-test");
    server_.reset (new fakedocker::Server ([this] (const Request &r) { return Handle (r); }));
    std::string error;
    ASSERT_TRUE (server_->Start (&error)) << error;
    ds_options_t opts;
    ds_options_init (&opts);
    free (opts.docker_endpoint);
    opts.docker_endpoint = xstrdup (server_->endpoint ().c_str ());
    free (opts.root_dir);
    opts.root_dir = xstrdup (root_.c_str ());
    free (opts.pod_infra_image);
    opts.pod_infra_image = xstrdup ("pause:test");
    kl_error_t err = nullptr;
    int ret = ds_service_new (&opts, &ds_, &err);
    ds_options_clear (&opts);
    ASSERT_EQ (ret, 0) << kl_error_message (err);
  }

  void
  TearDown () override
  {
    ds_service_free (ds_);
    server_.reset ();
    RemoveTree (root_);
  }

  Response
  Handle (const Request &r)
  {
    if (r.path == "/version")
      return fakedocker::VersionResponse ("1.41");
    if (r.path == "/v1.41/info")
      return Json ("{\"DockerRootDir\": \"/var/lib/docker\", \"CgroupDriver\": \"systemd\"}");
    if (r.path == "/v1.41/containers/json")
      return Json ("[]");
    if (r.path == "/v1.41/images/pause:test/json")
      return Json ("{\"Id\": \"sha256:pause\"}");
    if (r.path == "/v1.41/containers/create")
      return Json ("{\"Id\": \"new-sandbox\", \"Warnings\": []}", 201);
    if (r.path == "/v1.41/containers/new-sandbox/start")
      return Json ("", 204);
    if (r.path == "/v1.41/containers/new-sandbox/json")
      return Json ("{\"Id\": \"new-sandbox\", \"Name\": \"/k8s_POD_web_ns_uid_0\", \"State\": "
                   "{\"Running\": true, \"Pid\": 42}, \"ResolvConfPath\": \"\", "
                   "\"HostConfig\": {\"NetworkMode\": \"default\"}}");
    return Json ("{\"message\": \"not faked\"}", 404);
  }

  // The `filters` query of the last GET /containers/json.
  json_t *
  LastFilters ()
  {
    const std::vector<Request> &all = requests ();
    for (auto it = all.rbegin (); it != all.rend (); ++it)
      if (it->path == "/v1.41/containers/json")
        {
          auto f = it->query.find ("filters");
          if (f == it->query.end ())
            return json_object ();
          all_ = it->query.count ("all") ? it->query.at ("all") : "";
          return json_loads (f->second.c_str (), 0, nullptr);
        }
    return nullptr;
  }

  const std::vector<Request> &
  requests ()
  {
    requests_ = server_->requests ();
    return requests_;
  }

  static std::vector<std::string>
  Values (json_t *filters, const char *key)
  {
    std::vector<std::string> out;
    size_t i;
    json_t *v;
    json_array_foreach (json_object_get (filters, key), i, v)
      out.push_back (json_string_value (v));
    std::sort (out.begin (), out.end ());
    return out;
  }

  std::string root_, all_;
  std::unique_ptr<fakedocker::Server> server_;
  std::vector<Request> requests_;
  ds_service_t *ds_ = nullptr;
};

TEST_F (ServiceTest, DetectsDockerFacts)
{
  EXPECT_STREQ (ds_->cgroup_driver, "systemd");
  EXPECT_STREQ (ds_->docker_root_dir, "/var/lib/docker");
  EXPECT_GE (ds_->oom_floor, -1000);
}

TEST_F (ServiceTest, ListPodSandboxFilters)
{
  Runtime__V1__ListPodSandboxRequest req = RUNTIME__V1__LIST_POD_SANDBOX_REQUEST__INIT;
  Runtime__V1__PodSandboxFilter filter = RUNTIME__V1__POD_SANDBOX_FILTER__INIT;
  filter.id = (char *) "abc";
  Runtime__V1__PodSandboxStateValue state = RUNTIME__V1__POD_SANDBOX_STATE_VALUE__INIT;
  state.state = RUNTIME__V1__POD_SANDBOX_STATE__SANDBOX_READY;
  filter.state = &state;
  Runtime__V1__PodSandboxFilter__LabelSelectorEntry sel
      = RUNTIME__V1__POD_SANDBOX_FILTER__LABEL_SELECTOR_ENTRY__INIT;
  sel.key = (char *) "app";
  sel.value = (char *) "web";
  Runtime__V1__PodSandboxFilter__LabelSelectorEntry *sels[] = { &sel };
  filter.label_selector = sels;
  filter.n_label_selector = 1;
  req.filter = &filter;
  Runtime__V1__ListPodSandboxResponse *resp = nullptr;
  kl_error_t err = nullptr;
  ASSERT_EQ (ds_list_pod_sandbox (ds_, &req, &resp, &err), 0) << kl_error_message (err);
  EXPECT_EQ (resp->n_items, 0u);
  protobuf_c_message_free_unpacked (&resp->base, nullptr);
  json_t *f = LastFilters ();
  ASSERT_NE (f, nullptr);
  EXPECT_EQ (Values (f, "label"),
             std::vector<std::string> ({ "app=web", "io.kubernetes.docker.type=podsandbox" }));
  EXPECT_EQ (Values (f, "id"), std::vector<std::string> ({ "abc" }));
  EXPECT_EQ (Values (f, "status"), std::vector<std::string> ({ "running" }));
  json_decref (f);

  // NOTREADY is filtered here (Docker has no "not running" filter).
  state.state = RUNTIME__V1__POD_SANDBOX_STATE__SANDBOX_NOTREADY;
  ASSERT_EQ (ds_list_pod_sandbox (ds_, &req, &resp, &err), 0);
  protobuf_c_message_free_unpacked (&resp->base, nullptr);
  f = LastFilters ();
  EXPECT_TRUE (Values (f, "status").empty ());
  EXPECT_EQ (all_, "1");
  json_decref (f);
}

TEST_F (ServiceTest, ListContainersAndStatsFilters)
{
  Runtime__V1__ListContainersRequest req = RUNTIME__V1__LIST_CONTAINERS_REQUEST__INIT;
  Runtime__V1__ContainerFilter filter = RUNTIME__V1__CONTAINER_FILTER__INIT;
  filter.pod_sandbox_id = (char *) "sb1";
  Runtime__V1__ContainerStateValue state = RUNTIME__V1__CONTAINER_STATE_VALUE__INIT;
  state.state = RUNTIME__V1__CONTAINER_STATE__CONTAINER_EXITED;
  filter.state = &state;
  req.filter = &filter;
  Runtime__V1__ListContainersResponse *resp = nullptr;
  kl_error_t err = nullptr;
  ASSERT_EQ (ds_list_containers (ds_, &req, &resp, &err), 0) << kl_error_message (err);
  protobuf_c_message_free_unpacked (&resp->base, nullptr);
  json_t *f = LastFilters ();
  EXPECT_EQ (Values (f, "label"), std::vector<std::string> ({ "io.kubernetes.docker.type=container",
                                                              "io.kubernetes.sandbox.id=sb1" }));
  EXPECT_EQ (Values (f, "status"), std::vector<std::string> ({ "exited" }));
  json_decref (f);

  // UNKNOWN has no Docker status: nothing is filtered by Docker.
  state.state = RUNTIME__V1__CONTAINER_STATE__CONTAINER_UNKNOWN;
  ASSERT_EQ (ds_list_containers (ds_, &req, &resp, &err), 0);
  protobuf_c_message_free_unpacked (&resp->base, nullptr);
  f = LastFilters ();
  EXPECT_TRUE (Values (f, "status").empty ());
  json_decref (f);

  Runtime__V1__ListContainerStatsRequest sreq = RUNTIME__V1__LIST_CONTAINER_STATS_REQUEST__INIT;
  Runtime__V1__ContainerStatsFilter sfilter = RUNTIME__V1__CONTAINER_STATS_FILTER__INIT;
  sfilter.id = (char *) "c1";
  sreq.filter = &sfilter;
  Runtime__V1__ListContainerStatsResponse *sresp = nullptr;
  ASSERT_EQ (ds_list_container_stats (ds_, &sreq, &sresp, &err), 0);
  protobuf_c_message_free_unpacked (&sresp->base, nullptr);
  f = LastFilters ();
  EXPECT_EQ (Values (f, "id"), std::vector<std::string> ({ "c1" }));
  EXPECT_EQ (all_, "") << "stats are for running containers";
  json_decref (f);
}

TEST_F (ServiceTest, RunPodSandboxCallsInOrder)
{
  SandboxSpec spec;
  spec.name = "web";
  spec.ns = "ns";
  spec.uid = "uid";
  Pb<Runtime__V1__PodSandboxConfig> config (MakeSandboxConfig (spec));
  Runtime__V1__RunPodSandboxRequest req = RUNTIME__V1__RUN_POD_SANDBOX_REQUEST__INIT;
  req.config = config.get ();
  Runtime__V1__RunPodSandboxResponse *resp = nullptr;
  kl_error_t err = nullptr;
  ASSERT_EQ (ds_run_pod_sandbox (ds_, &req, &resp, &err), 0) << kl_error_message (err);
  EXPECT_STREQ (resp->pod_sandbox_id, "new-sandbox");
  protobuf_c_message_free_unpacked (&resp->base, nullptr);
  std::vector<std::string> calls;
  for (const auto &r : requests ())
    if (r.path != "/version" && r.path != "/v1.41/info" && r.path != "/v1.41/containers/json")
      calls.push_back (r.method + " " + r.path);
  EXPECT_EQ (calls, std::vector<std::string> ({ "GET /v1.41/images/pause:test/json",
                                                "POST /v1.41/containers/create",
                                                "POST /v1.41/containers/new-sandbox/start",
                                                "GET /v1.41/containers/new-sandbox/json" }));
  for (const auto &r : requests ())
    if (r.path == "/v1.41/containers/create")
      {
        EXPECT_EQ (r.query.at ("name"), "k8s_POD_web_ns_uid_0");
        json_t *body = json_loads (r.body.c_str (), 0, nullptr);
        EXPECT_STREQ (json_string_value (json_object_get (body, "Image")), "pause:test");
        json_decref (body);
      }
  // The checkpoint was written before the start.
  EXPECT_TRUE (FileExists (root_ + "/sandbox/new-sandbox"));
}

// Runs `fn` on a thread whose stack is only `bytes` long.
void
RunWithStack (size_t bytes, std::function<void ()> fn)
{
  pthread_attr_t attr;
  pthread_attr_init (&attr);
  ASSERT_EQ (pthread_attr_setstacksize (&attr, bytes), 0);
  pthread_t t;
  ASSERT_EQ (pthread_create (
                 &t, &attr,
                 [] (void *arg) -> void * {
                   (*static_cast<std::function<void ()> *> (arg)) ();
                   return nullptr;
                 },
                 &fn),
             0);
  pthread_join (t, nullptr);
  pthread_attr_destroy (&attr);
}

// A request may carry hundreds of thousands of label selectors or exec
// arguments within gRPC's 4 MiB, while a handler's thread has a few MiB of
// stack: the handlers keep what grows with the request off the stack. Here
// 100,000 of each (a 1.6 MiB array on the stack before) on a 256 KiB stack.
TEST_F (ServiceTest, LargeRequestsStayOffTheStack)
{
  docker_memory_t memory = {};
  memory.mode = DOCKER_MEMORY_NORMAL;
  docker_client_free (ds_->docker);
  ds_->docker = nullptr;
  kl_error_t err = nullptr;
  ASSERT_EQ (docker_memory_client (&memory, &ds_->docker, &err), 0) << kl_error_message (err);

  const size_t n = 100000;
  std::vector<Runtime__V1__ContainerFilter__LabelSelectorEntry> entries (n);
  std::vector<Runtime__V1__ContainerFilter__LabelSelectorEntry *> selectors (n);
  std::vector<char *> args (n, (char *) "x");
  for (size_t i = 0; i < n; i++)
    {
      entries[i] = RUNTIME__V1__CONTAINER_FILTER__LABEL_SELECTOR_ENTRY__INIT;
      entries[i].key = (char *) "k";
      entries[i].value = (char *) "v";
      selectors[i] = &entries[i];
    }
  int list_ret = -1, exec_ret = -1;
  std::string list_error, exec_error;
  size_t listed = 0;
  RunWithStack (256 * 1024, [&] {
    Runtime__V1__ContainerFilter filter = RUNTIME__V1__CONTAINER_FILTER__INIT;
    filter.label_selector = selectors.data ();
    filter.n_label_selector = n;
    Runtime__V1__ListContainersRequest lreq = RUNTIME__V1__LIST_CONTAINERS_REQUEST__INIT;
    lreq.filter = &filter;
    Runtime__V1__ListContainersResponse *lresp = nullptr;
    kl_error_t e = nullptr;
    list_ret = ds_list_containers (ds_, &lreq, &lresp, &e);
    if (list_ret < 0)
      list_error = kl_error_message (e);
    else
      {
        listed = lresp->n_containers;
        protobuf_c_message_free_unpacked (&lresp->base, nullptr);
      }
    kl_error_release (&e);

    Runtime__V1__ExecSyncRequest ereq = RUNTIME__V1__EXEC_SYNC_REQUEST__INIT;
    ereq.container_id = (char *) DOCKER_MEMORY_CONTAINER_ID;
    ereq.cmd = args.data ();
    ereq.n_cmd = n;
    Runtime__V1__ExecSyncResponse *eresp = nullptr;
    exec_ret = ds_exec_sync (ds_, &ereq, &eresp, &e);
    if (exec_ret < 0)
      exec_error = kl_error_message (e);
    else
      protobuf_c_message_free_unpacked (&eresp->base, nullptr);
    kl_error_release (&e);
  });
  EXPECT_EQ (list_ret, 0) << list_error;
  EXPECT_GT (listed, 0u); // the fake answers without filtering
  // The exec was created with every argument; its start hijacks a real
  // socket, which the in-memory fake has none of.
  EXPECT_EQ (exec_ret, -1);
  EXPECT_NE (exec_error.find ("POST /exec/exec0/start"), std::string::npos) << exec_error;
  EXPECT_GT (memory.requests, 0u);
}

} // namespace

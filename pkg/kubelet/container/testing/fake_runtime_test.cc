// The fake CRI runtime answers as the kubelet expects a runtime to.
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

extern "C" {
#include "pkg/kubelet/container/runtime.h"
#include "pkg/kubelet/container/testing/fake_runtime.h"
#include "pkg/util/error.h"
#include "pkg/util/utils.h"
}

namespace {

// Owns a protobuf-c message and frees it as the kubelet does.
template <typename T> struct Pb
{
  T *p = nullptr;
  Pb () = default;
  Pb (const Pb &) = delete;
  Pb &operator= (const Pb &) = delete;
  ~Pb () { reset (); }
  void
  reset ()
  {
    if (p)
      protobuf_c_message_free_unpacked (&p->base, nullptr);
    p = nullptr;
  }
  T **
  out ()
  {
    reset ();
    return &p;
  }
  T *
  operator->() const
  {
    return p;
  }
};

struct Err
{
  kl_error_t e = nullptr;
  ~Err () { kl_error_release (&e); }
  kl_error_t *
  out ()
  {
    kl_error_release (&e);
    return &e;
  }
  std::string
  msg () const
  {
    return kl_error_message (e);
  }
  bool
  is (kl_error_kind k) const
  {
    return kl_error_is (e, k);
  }
};

int64_t
FixedClock (void *ctx)
{
  return *static_cast<int64_t *> (ctx);
}

class FakeRuntimeTest : public ::testing::Test
{
protected:
  void
  SetUp () override
  {
    rt = fake_runtime_new (&fake);
    fake_runtime_set_clock (fake, FixedClock, &now);
  }
  void
  TearDown () override
  {
    kl_runtime_free (rt);
  }

  // Runs a sandbox for pod `name` (uid "<name>-uid"); returns its id.
  std::string
  RunSandbox (const std::string &name, uint32_t attempt = 0, bool host_network = false,
              const std::string &log_dir = "/var/log/pods/x")
  {
    Runtime__V1__PodSandboxMetadata meta = RUNTIME__V1__POD_SANDBOX_METADATA__INIT;
    std::string uid = name + "-uid";
    meta.name = (char *) name.c_str ();
    meta.namespace_ = (char *) "default";
    meta.uid = (char *) uid.c_str ();
    meta.attempt = attempt;
    Runtime__V1__PodSandboxConfig__LabelsEntry l1
        = RUNTIME__V1__POD_SANDBOX_CONFIG__LABELS_ENTRY__INIT;
    l1.key = (char *) "io.kubernetes.pod.uid";
    l1.value = (char *) uid.c_str ();
    Runtime__V1__PodSandboxConfig__LabelsEntry l2
        = RUNTIME__V1__POD_SANDBOX_CONFIG__LABELS_ENTRY__INIT;
    l2.key = (char *) "app";
    l2.value = (char *) name.c_str ();
    Runtime__V1__PodSandboxConfig__LabelsEntry *labels[] = { &l1, &l2 };
    Runtime__V1__PodSandboxConfig__AnnotationsEntry a1
        = RUNTIME__V1__POD_SANDBOX_CONFIG__ANNOTATIONS_ENTRY__INIT;
    a1.key = (char *) "note";
    a1.value = (char *) "kept";
    Runtime__V1__PodSandboxConfig__AnnotationsEntry *annotations[] = { &a1 };
    Runtime__V1__NamespaceOption ns = RUNTIME__V1__NAMESPACE_OPTION__INIT;
    ns.network
        = host_network ? RUNTIME__V1__NAMESPACE_MODE__NODE : RUNTIME__V1__NAMESPACE_MODE__POD;
    Runtime__V1__LinuxSandboxSecurityContext sc = RUNTIME__V1__LINUX_SANDBOX_SECURITY_CONTEXT__INIT;
    sc.namespace_options = &ns;
    Runtime__V1__LinuxPodSandboxConfig linux_config = RUNTIME__V1__LINUX_POD_SANDBOX_CONFIG__INIT;
    linux_config.security_context = &sc;
    Runtime__V1__PodSandboxConfig config = RUNTIME__V1__POD_SANDBOX_CONFIG__INIT;
    config.metadata = &meta;
    config.labels = labels;
    config.n_labels = 2;
    config.annotations = annotations;
    config.n_annotations = 1;
    config.log_directory = (char *) log_dir.c_str ();
    config.linux = &linux_config;
    Runtime__V1__RunPodSandboxRequest req = RUNTIME__V1__RUN_POD_SANDBOX_REQUEST__INIT;
    req.config = &config;
    Pb<Runtime__V1__RunPodSandboxResponse> resp;
    Err err;
    int ret = kl_runtime_run_pod_sandbox (rt, &req, resp.out (), err.out ());
    EXPECT_EQ (ret, 0) << err.msg ();
    return ret == 0 ? resp->pod_sandbox_id : "";
  }

  int
  CreateContainer (const std::string &sandbox, const std::string &name, uint32_t attempt,
                   const std::string &image, std::string *id, Err *err)
  {
    Runtime__V1__ContainerMetadata meta = RUNTIME__V1__CONTAINER_METADATA__INIT;
    meta.name = (char *) name.c_str ();
    meta.attempt = attempt;
    Runtime__V1__ImageSpec spec = RUNTIME__V1__IMAGE_SPEC__INIT;
    spec.image = (char *) image.c_str ();
    Runtime__V1__ContainerConfig__LabelsEntry l1
        = RUNTIME__V1__CONTAINER_CONFIG__LABELS_ENTRY__INIT;
    l1.key = (char *) "io.kubernetes.container.name";
    l1.value = (char *) name.c_str ();
    Runtime__V1__ContainerConfig__LabelsEntry *labels[] = { &l1 };
    Runtime__V1__KeyValue env = RUNTIME__V1__KEY_VALUE__INIT;
    env.key = (char *) "A";
    env.value = (char *) "1";
    Runtime__V1__KeyValue *envs[] = { &env };
    Runtime__V1__Mount mount = RUNTIME__V1__MOUNT__INIT;
    mount.container_path = (char *) "/data";
    mount.host_path = (char *) "/host/data";
    mount.readonly = 1;
    Runtime__V1__Mount *mounts[] = { &mount };
    char *command[] = { (char *) "sleep" };
    char *args[] = { (char *) "3600" };
    std::string log_path = name + "/" + std::to_string (attempt) + ".log";
    Runtime__V1__ContainerConfig config = RUNTIME__V1__CONTAINER_CONFIG__INIT;
    config.metadata = &meta;
    config.image = &spec;
    config.labels = labels;
    config.n_labels = 1;
    config.envs = envs;
    config.n_envs = 1;
    config.mounts = mounts;
    config.n_mounts = 1;
    config.command = command;
    config.n_command = 1;
    config.args = args;
    config.n_args = 1;
    config.log_path = (char *) log_path.c_str ();
    Runtime__V1__CreateContainerRequest req = RUNTIME__V1__CREATE_CONTAINER_REQUEST__INIT;
    req.pod_sandbox_id = (char *) sandbox.c_str ();
    req.config = &config;
    Pb<Runtime__V1__CreateContainerResponse> resp;
    int ret = kl_runtime_create_container (rt, &req, resp.out (), err->out ());
    if (ret == 0)
      *id = resp->container_id;
    return ret;
  }

  // Creates and starts a container; returns its id.
  std::string
  RunContainer (const std::string &sandbox, const std::string &name, uint32_t attempt = 0)
  {
    fake_runtime_add_image (fake, "busybox");
    std::string id;
    Err err;
    EXPECT_EQ (CreateContainer (sandbox, name, attempt, "busybox", &id, &err), 0) << err.msg ();
    EXPECT_EQ (Start (id, &err), 0) << err.msg ();
    return id;
  }

  int
  Start (const std::string &id, Err *err)
  {
    Runtime__V1__StartContainerRequest req = RUNTIME__V1__START_CONTAINER_REQUEST__INIT;
    req.container_id = (char *) id.c_str ();
    Pb<Runtime__V1__StartContainerResponse> resp;
    return kl_runtime_start_container (rt, &req, resp.out (), err->out ());
  }

  int
  Status (const std::string &id, Pb<Runtime__V1__ContainerStatusResponse> *resp, Err *err)
  {
    Runtime__V1__ContainerStatusRequest req = RUNTIME__V1__CONTAINER_STATUS_REQUEST__INIT;
    req.container_id = (char *) id.c_str ();
    return kl_runtime_container_status (rt, &req, resp->out (), err->out ());
  }

  int
  SandboxStatus (const std::string &id, Pb<Runtime__V1__PodSandboxStatusResponse> *resp, Err *err)
  {
    Runtime__V1__PodSandboxStatusRequest req = RUNTIME__V1__POD_SANDBOX_STATUS_REQUEST__INIT;
    req.pod_sandbox_id = (char *) id.c_str ();
    return kl_runtime_pod_sandbox_status (rt, &req, resp->out (), err->out ());
  }

  std::vector<std::string>
  Calls ()
  {
    char **v = fake_runtime_calls (fake, nullptr);
    std::vector<std::string> out;
    for (char **p = v; *p; p++)
      out.push_back (*p);
    fake_runtime_strv_free (v);
    return out;
  }

  kl_runtime_t *rt = nullptr;
  fake_runtime_t *fake = nullptr;
  int64_t now = 1000;
};

TEST_F (FakeRuntimeTest, RunPodSandboxKeepsConfigAndGivesIPs)
{
  std::string a = RunSandbox ("web");
  std::string b = RunSandbox ("db");
  std::string h = RunSandbox ("node-agent", 0, true);
  EXPECT_EQ (a.size (), 64u);
  EXPECT_NE (a.substr (0, 12), b.substr (0, 12)) << "ids differ in what logs show";

  Pb<Runtime__V1__PodSandboxStatusResponse> st;
  Err err;
  ASSERT_EQ (SandboxStatus (a, &st, &err), 0) << err.msg ();
  ASSERT_NE (st->status, nullptr);
  EXPECT_EQ (st->status->state, RUNTIME__V1__POD_SANDBOX_STATE__SANDBOX_READY);
  EXPECT_STREQ (st->status->network->ip, "10.0.0.1");
  EXPECT_STREQ (st->status->metadata->name, "web");
  EXPECT_STREQ (st->status->metadata->uid, "web-uid");
  EXPECT_EQ (st->status->created_at, 1000);
  ASSERT_EQ (st->status->n_labels, 2u);
  ASSERT_EQ (st->status->n_annotations, 1u);
  EXPECT_STREQ (st->status->annotations[0]->value, "kept");
  ASSERT_NE (st->status->linux, nullptr);
  EXPECT_EQ (st->status->linux->namespaces->options->network, RUNTIME__V1__NAMESPACE_MODE__POD);

  ASSERT_EQ (SandboxStatus (b, &st, &err), 0);
  EXPECT_STREQ (st->status->network->ip, "10.0.0.2");
  EXPECT_GT (st->status->created_at, 1000) << "created_at strictly increases on a still clock";
  ASSERT_EQ (SandboxStatus (h, &st, &err), 0);
  EXPECT_STREQ (st->status->network->ip, "") << "no IP on the host network";
}

TEST_F (FakeRuntimeTest, SandboxNameIsReservedPerAttempt)
{
  RunSandbox ("web", 0);
  Runtime__V1__PodSandboxMetadata meta = RUNTIME__V1__POD_SANDBOX_METADATA__INIT;
  meta.name = (char *) "web";
  meta.namespace_ = (char *) "default";
  meta.uid = (char *) "web-uid";
  Runtime__V1__PodSandboxConfig config = RUNTIME__V1__POD_SANDBOX_CONFIG__INIT;
  config.metadata = &meta;
  Runtime__V1__RunPodSandboxRequest req = RUNTIME__V1__RUN_POD_SANDBOX_REQUEST__INIT;
  req.config = &config;
  Pb<Runtime__V1__RunPodSandboxResponse> resp;
  Err err;
  EXPECT_LT (kl_runtime_run_pod_sandbox (rt, &req, resp.out (), err.out ()), 0);
  EXPECT_TRUE (err.is (KL_ERROR_ALREADY_EXISTS)) << err.msg ();
  meta.attempt = 1;
  EXPECT_EQ (kl_runtime_run_pod_sandbox (rt, &req, resp.out (), err.out ()), 0) << err.msg ();
}

TEST_F (FakeRuntimeTest, ListPodSandboxFilters)
{
  std::string a = RunSandbox ("web");
  std::string b = RunSandbox ("db");
  Pb<Runtime__V1__StopPodSandboxResponse> stopped;
  Err err;
  Runtime__V1__StopPodSandboxRequest stop = RUNTIME__V1__STOP_POD_SANDBOX_REQUEST__INIT;
  stop.pod_sandbox_id = (char *) b.c_str ();
  ASSERT_EQ (kl_runtime_stop_pod_sandbox (rt, &stop, stopped.out (), err.out ()), 0);

  struct Case
  {
    const char *name;
    const char *id;
    int state; // -1: no state filter
    const char *label_key;
    const char *label_value;
    std::vector<std::string> want;
  } cases[] = {
    { "no filter", nullptr, -1, nullptr, nullptr, { a, b } },
    { "by id", b.c_str (), -1, nullptr, nullptr, { b } },
    { "ready", nullptr, RUNTIME__V1__POD_SANDBOX_STATE__SANDBOX_READY, nullptr, nullptr, { a } },
    { "not ready",
      nullptr,
      RUNTIME__V1__POD_SANDBOX_STATE__SANDBOX_NOTREADY,
      nullptr,
      nullptr,
      { b } },
    { "label", nullptr, -1, "io.kubernetes.pod.uid", "web-uid", { a } },
    { "label and state",
      nullptr,
      RUNTIME__V1__POD_SANDBOX_STATE__SANDBOX_NOTREADY,
      "io.kubernetes.pod.uid",
      "web-uid",
      {} },
    { "unknown label", nullptr, -1, "nope", "x", {} },
  };
  for (const Case &c : cases)
    {
      SCOPED_TRACE (c.name);
      Runtime__V1__PodSandboxFilter filter = RUNTIME__V1__POD_SANDBOX_FILTER__INIT;
      Runtime__V1__PodSandboxStateValue state = RUNTIME__V1__POD_SANDBOX_STATE_VALUE__INIT;
      Runtime__V1__PodSandboxFilter__LabelSelectorEntry sel
          = RUNTIME__V1__POD_SANDBOX_FILTER__LABEL_SELECTOR_ENTRY__INIT;
      Runtime__V1__PodSandboxFilter__LabelSelectorEntry *sels[] = { &sel };
      if (c.id)
        filter.id = (char *) c.id;
      if (c.state >= 0)
        {
          state.state = (Runtime__V1__PodSandboxState) c.state;
          filter.state = &state;
        }
      if (c.label_key)
        {
          sel.key = (char *) c.label_key;
          sel.value = (char *) c.label_value;
          filter.label_selector = sels;
          filter.n_label_selector = 1;
        }
      Runtime__V1__ListPodSandboxRequest req = RUNTIME__V1__LIST_POD_SANDBOX_REQUEST__INIT;
      req.filter = &filter;
      Pb<Runtime__V1__ListPodSandboxResponse> resp;
      ASSERT_EQ (kl_runtime_list_pod_sandbox (rt, &req, resp.out (), err.out ()), 0);
      std::vector<std::string> got;
      for (size_t i = 0; i < resp->n_items; i++)
        got.push_back (resp->items[i]->id);
      EXPECT_EQ (got, c.want);
    }
}

TEST_F (FakeRuntimeTest, ListsCanComeNewestFirst)
{
  std::string a = RunSandbox ("web");
  std::string b = RunSandbox ("db");
  std::string ca = RunContainer (a, "app");
  std::string cb = RunContainer (b, "db");
  fake_runtime_set_reverse_lists (fake, true);
  Err err;
  Runtime__V1__ListPodSandboxRequest sreq = RUNTIME__V1__LIST_POD_SANDBOX_REQUEST__INIT;
  Pb<Runtime__V1__ListPodSandboxResponse> sandboxes;
  ASSERT_EQ (kl_runtime_list_pod_sandbox (rt, &sreq, sandboxes.out (), err.out ()), 0);
  ASSERT_EQ (sandboxes->n_items, 2u);
  EXPECT_EQ (sandboxes->items[0]->id, b);
  Runtime__V1__ListContainersRequest creq = RUNTIME__V1__LIST_CONTAINERS_REQUEST__INIT;
  Pb<Runtime__V1__ListContainersResponse> containers;
  ASSERT_EQ (kl_runtime_list_containers (rt, &creq, containers.out (), err.out ()), 0);
  ASSERT_EQ (containers->n_containers, 2u);
  EXPECT_EQ (containers->containers[0]->id, cb);
  fake_runtime_set_reverse_lists (fake, false);
  ASSERT_EQ (kl_runtime_list_containers (rt, &creq, containers.out (), err.out ()), 0);
  EXPECT_EQ (containers->containers[0]->id, ca);
}

TEST_F (FakeRuntimeTest, ContainerLifecycle)
{
  std::string sb = RunSandbox ("web", 0, false, "/var/log/pods/default_web_web-uid");
  std::string id;
  Err err;
  // The image must be there first, as containerd wants.
  ASSERT_LT (CreateContainer (sb, "app", 0, "busybox", &id, &err), 0);
  EXPECT_TRUE (err.is (KL_ERROR_NOT_FOUND)) << err.msg ();
  const char *image_id = fake_runtime_add_image (fake, "busybox");
  now = 2000;
  ASSERT_EQ (CreateContainer (sb, "app", 0, "busybox", &id, &err), 0) << err.msg ();

  Pb<Runtime__V1__ContainerStatusResponse> st;
  ASSERT_EQ (Status (id, &st, &err), 0);
  EXPECT_EQ (st->status->state, RUNTIME__V1__CONTAINER_STATE__CONTAINER_CREATED);
  EXPECT_EQ (st->status->created_at, 2000);
  EXPECT_STREQ (st->status->image_ref, image_id);
  EXPECT_STREQ (st->status->log_path, "/var/log/pods/default_web_web-uid/app/0.log");
  ASSERT_EQ (st->status->n_mounts, 1u);
  EXPECT_STREQ (st->status->mounts[0]->host_path, "/host/data");
  EXPECT_TRUE (st->status->mounts[0]->readonly);
  ASSERT_EQ (st->status->n_labels, 1u);
  EXPECT_STREQ (st->status->metadata->name, "app");

  Pb<Runtime__V1__ContainerConfig> config;
  config.p = fake_runtime_container_config (fake, id.c_str ());
  ASSERT_NE (config.p, nullptr);
  ASSERT_EQ (config->n_envs, 1u);
  EXPECT_STREQ (config->envs[0]->key, "A");
  ASSERT_EQ (config->n_command, 1u);
  EXPECT_STREQ (config->command[0], "sleep");
  ASSERT_EQ (config->n_args, 1u);
  EXPECT_STREQ (config->args[0], "3600");

  now = 3000;
  ASSERT_EQ (Start (id, &err), 0) << err.msg ();
  ASSERT_EQ (Status (id, &st, &err), 0);
  EXPECT_EQ (st->status->state, RUNTIME__V1__CONTAINER_STATE__CONTAINER_RUNNING);
  EXPECT_EQ (st->status->started_at, 3000);
  EXPECT_LT (Start (id, &err), 0) << "a running container does not start again";

  // The same name and attempt in the same sandbox is reserved.
  std::string again;
  EXPECT_LT (CreateContainer (sb, "app", 0, "busybox", &again, &err), 0);
  EXPECT_TRUE (err.is (KL_ERROR_ALREADY_EXISTS)) << err.msg ();

  now = 4000;
  EXPECT_EQ (fake_runtime_stop_timeout (fake, id.c_str ()), -1);
  Runtime__V1__StopContainerRequest stop = RUNTIME__V1__STOP_CONTAINER_REQUEST__INIT;
  stop.container_id = (char *) id.c_str ();
  Pb<Runtime__V1__StopContainerResponse> stopped;
  ASSERT_EQ (kl_runtime_stop_container (rt, &stop, stopped.out (), err.out ()), 0);
  ASSERT_EQ (Status (id, &st, &err), 0);
  EXPECT_EQ (st->status->state, RUNTIME__V1__CONTAINER_STATE__CONTAINER_EXITED);
  EXPECT_EQ (st->status->exit_code, 137);
  EXPECT_STREQ (st->status->reason, "Error");
  EXPECT_EQ (st->status->finished_at, 4000);
  EXPECT_EQ (fake_runtime_stop_timeout (fake, id.c_str ()), 0);
  // Already stopped is fine and changes nothing.
  now = 5000;
  ASSERT_EQ (kl_runtime_stop_container (rt, &stop, stopped.out (), err.out ()), 0);
  ASSERT_EQ (Status (id, &st, &err), 0);
  EXPECT_EQ (st->status->finished_at, 4000);

  Runtime__V1__RemoveContainerRequest rm = RUNTIME__V1__REMOVE_CONTAINER_REQUEST__INIT;
  rm.container_id = (char *) id.c_str ();
  Pb<Runtime__V1__RemoveContainerResponse> removed;
  ASSERT_EQ (kl_runtime_remove_container (rt, &rm, removed.out (), err.out ()), 0);
  EXPECT_LT (Status (id, &st, &err), 0);
  EXPECT_TRUE (err.is (KL_ERROR_NOT_FOUND)) << err.msg ();
  // Removing again is fine (the CRI's idempotence); stopping is NotFound.
  EXPECT_EQ (kl_runtime_remove_container (rt, &rm, removed.out (), err.out ()), 0);
  EXPECT_LT (kl_runtime_stop_container (rt, &stop, stopped.out (), err.out ()), 0);
  EXPECT_TRUE (err.is (KL_ERROR_NOT_FOUND));
}

TEST_F (FakeRuntimeTest, StartNeedsAReadySandbox)
{
  std::string sb = RunSandbox ("web");
  fake_runtime_add_image (fake, "busybox");
  std::string id;
  Err err;
  ASSERT_EQ (CreateContainer (sb, "app", 0, "busybox", &id, &err), 0);
  Runtime__V1__StopPodSandboxRequest stop = RUNTIME__V1__STOP_POD_SANDBOX_REQUEST__INIT;
  stop.pod_sandbox_id = (char *) sb.c_str ();
  Pb<Runtime__V1__StopPodSandboxResponse> stopped;
  ASSERT_EQ (kl_runtime_stop_pod_sandbox (rt, &stop, stopped.out (), err.out ()), 0);
  EXPECT_LT (Start (id, &err), 0);
  EXPECT_LT (CreateContainer ("no-such-sandbox", "app", 0, "busybox", &id, &err), 0);
  EXPECT_TRUE (err.is (KL_ERROR_NOT_FOUND));
}

TEST_F (FakeRuntimeTest, StopAndRemoveSandboxTakeItsContainers)
{
  std::string sb = RunSandbox ("web");
  std::string other = RunSandbox ("db");
  std::string app = RunContainer (sb, "app");
  std::string side = RunContainer (sb, "side");
  std::string db = RunContainer (other, "db");
  fake_runtime_set_stop_result (fake, "side", 143, "Error");
  fake_runtime_set_stop_result (fake, nullptr, 0, "Completed");
  fake_runtime_set_stop_result (fake, "db", 1, nullptr);

  Err err;
  Runtime__V1__StopPodSandboxRequest stop = RUNTIME__V1__STOP_POD_SANDBOX_REQUEST__INIT;
  stop.pod_sandbox_id = (char *) sb.c_str ();
  Pb<Runtime__V1__StopPodSandboxResponse> stopped;
  ASSERT_EQ (kl_runtime_stop_pod_sandbox (rt, &stop, stopped.out (), err.out ()), 0);

  Pb<Runtime__V1__ContainerStatusResponse> st;
  ASSERT_EQ (Status (app, &st, &err), 0);
  EXPECT_EQ (st->status->state, RUNTIME__V1__CONTAINER_STATE__CONTAINER_EXITED);
  EXPECT_EQ (st->status->exit_code, 0);
  EXPECT_STREQ (st->status->reason, "Completed");
  ASSERT_EQ (Status (side, &st, &err), 0);
  EXPECT_EQ (st->status->exit_code, 143);
  ASSERT_EQ (Status (db, &st, &err), 0);
  EXPECT_EQ (st->status->state, RUNTIME__V1__CONTAINER_STATE__CONTAINER_RUNNING)
      << "another pod's container is untouched";

  Pb<Runtime__V1__PodSandboxStatusResponse> sst;
  ASSERT_EQ (SandboxStatus (sb, &sst, &err), 0);
  EXPECT_EQ (sst->status->state, RUNTIME__V1__POD_SANDBOX_STATE__SANDBOX_NOTREADY);
  EXPECT_STREQ (sst->status->network->ip, "");

  Runtime__V1__RemovePodSandboxRequest rm = RUNTIME__V1__REMOVE_POD_SANDBOX_REQUEST__INIT;
  rm.pod_sandbox_id = (char *) sb.c_str ();
  Pb<Runtime__V1__RemovePodSandboxResponse> removed;
  ASSERT_EQ (kl_runtime_remove_pod_sandbox (rt, &rm, removed.out (), err.out ()), 0);
  EXPECT_EQ (fake_runtime_count_sandboxes (fake, -1), 1u);
  EXPECT_EQ (fake_runtime_count_containers (fake, -1), 1u);
  EXPECT_LT (SandboxStatus (sb, &sst, &err), 0);
  EXPECT_TRUE (err.is (KL_ERROR_NOT_FOUND));
  EXPECT_EQ (kl_runtime_remove_pod_sandbox (rt, &rm, removed.out (), err.out ()), 0)
      << "removing twice is fine";
  EXPECT_LT (kl_runtime_stop_pod_sandbox (rt, &stop, stopped.out (), err.out ()), 0);
  EXPECT_TRUE (err.is (KL_ERROR_NOT_FOUND));
}

TEST_F (FakeRuntimeTest, ListContainersFilters)
{
  std::string web = RunSandbox ("web");
  std::string db = RunSandbox ("db");
  std::string a = RunContainer (web, "app");
  std::string b = RunContainer (db, "db");
  std::string c;
  Err err;
  ASSERT_EQ (CreateContainer (web, "side", 0, "busybox", &c, &err), 0);
  ASSERT_EQ (fake_runtime_exit_container (fake, a.c_str (), 2, nullptr), 0);

  struct Case
  {
    const char *name;
    const char *id;
    int state;
    const char *sandbox;
    const char *label_value; // io.kubernetes.container.name
    std::vector<std::string> want;
  } cases[] = {
    { "all", nullptr, -1, nullptr, nullptr, { a, b, c } },
    { "by id", b.c_str (), -1, nullptr, nullptr, { b } },
    { "exited", nullptr, RUNTIME__V1__CONTAINER_STATE__CONTAINER_EXITED, nullptr, nullptr, { a } },
    { "running",
      nullptr,
      RUNTIME__V1__CONTAINER_STATE__CONTAINER_RUNNING,
      nullptr,
      nullptr,
      { b } },
    { "created",
      nullptr,
      RUNTIME__V1__CONTAINER_STATE__CONTAINER_CREATED,
      nullptr,
      nullptr,
      { c } },
    { "by sandbox", nullptr, -1, web.c_str (), nullptr, { a, c } },
    { "by label", nullptr, -1, nullptr, "side", { c } },
    { "sandbox and label", nullptr, -1, db.c_str (), "side", {} },
  };
  for (const Case &k : cases)
    {
      SCOPED_TRACE (k.name);
      Runtime__V1__ContainerFilter filter = RUNTIME__V1__CONTAINER_FILTER__INIT;
      Runtime__V1__ContainerStateValue state = RUNTIME__V1__CONTAINER_STATE_VALUE__INIT;
      Runtime__V1__ContainerFilter__LabelSelectorEntry sel
          = RUNTIME__V1__CONTAINER_FILTER__LABEL_SELECTOR_ENTRY__INIT;
      Runtime__V1__ContainerFilter__LabelSelectorEntry *sels[] = { &sel };
      if (k.id)
        filter.id = (char *) k.id;
      if (k.state >= 0)
        {
          state.state = (Runtime__V1__ContainerState) k.state;
          filter.state = &state;
        }
      if (k.sandbox)
        filter.pod_sandbox_id = (char *) k.sandbox;
      if (k.label_value)
        {
          sel.key = (char *) "io.kubernetes.container.name";
          sel.value = (char *) k.label_value;
          filter.label_selector = sels;
          filter.n_label_selector = 1;
        }
      Runtime__V1__ListContainersRequest req = RUNTIME__V1__LIST_CONTAINERS_REQUEST__INIT;
      req.filter = &filter;
      Pb<Runtime__V1__ListContainersResponse> resp;
      ASSERT_EQ (kl_runtime_list_containers (rt, &req, resp.out (), err.out ()), 0);
      std::vector<std::string> got;
      for (size_t i = 0; i < resp->n_containers; i++)
        got.push_back (resp->containers[i]->id);
      EXPECT_EQ (got, k.want);
    }
}

TEST_F (FakeRuntimeTest, ExitContainerScriptsADeath)
{
  std::string sb = RunSandbox ("web");
  std::string id = RunContainer (sb, "app");
  now = 9000;
  ASSERT_EQ (fake_runtime_exit_container (fake, id.c_str (), 0, nullptr), 0);
  Pb<Runtime__V1__ContainerStatusResponse> st;
  Err err;
  ASSERT_EQ (Status (id, &st, &err), 0);
  EXPECT_EQ (st->status->state, RUNTIME__V1__CONTAINER_STATE__CONTAINER_EXITED);
  EXPECT_STREQ (st->status->reason, "Completed");
  EXPECT_EQ (st->status->finished_at, 9000);
  ASSERT_EQ (fake_runtime_exit_container (fake, id.c_str (), 137, "OOMKilled"), 0);
  ASSERT_EQ (Status (id, &st, &err), 0);
  EXPECT_STREQ (st->status->reason, "OOMKilled");
  EXPECT_EQ (fake_runtime_exit_container (fake, "nope", 1, nullptr), -1);
  char *found = fake_runtime_find_container (fake, "app");
  ASSERT_NE (found, nullptr);
  EXPECT_EQ (id, found);
  free (found);
  EXPECT_EQ (fake_runtime_find_container (fake, "nope"), nullptr);
}

TEST_F (FakeRuntimeTest, ImagesPullAndStatus)
{
  Runtime__V1__ImageSpec spec = RUNTIME__V1__IMAGE_SPEC__INIT;
  spec.image = (char *) "nginx:1.25";
  Runtime__V1__ImageStatusRequest sreq = RUNTIME__V1__IMAGE_STATUS_REQUEST__INIT;
  sreq.image = &spec;
  Pb<Runtime__V1__ImageStatusResponse> st;
  Err err;
  ASSERT_EQ (kl_runtime_image_status (rt, &sreq, st.out (), err.out ()), 0);
  EXPECT_EQ (st->image, nullptr) << "absent";

  fake_runtime_set_pull_error (fake, "nginx:1.25", KL_ERROR_NOT_FOUND, "manifest unknown");
  Runtime__V1__PullImageRequest preq = RUNTIME__V1__PULL_IMAGE_REQUEST__INIT;
  preq.image = &spec;
  Pb<Runtime__V1__PullImageResponse> pulled;
  EXPECT_LT (kl_runtime_pull_image (rt, &preq, 0, pulled.out (), err.out ()), 0);
  EXPECT_TRUE (err.is (KL_ERROR_NOT_FOUND));
  EXPECT_NE (err.msg ().find ("manifest unknown"), std::string::npos) << err.msg ();
  EXPECT_FALSE (fake_runtime_has_image (fake, "nginx:1.25"));

  fake_runtime_set_pull_error (fake, "nginx:1.25", KL_ERROR_GENERIC, nullptr);
  ASSERT_EQ (kl_runtime_pull_image (rt, &preq, 0, pulled.out (), err.out ()), 0) << err.msg ();
  std::string ref = pulled->image_ref;
  EXPECT_EQ (ref.rfind ("sha256:", 0), 0u) << ref;
  ASSERT_EQ (kl_runtime_image_status (rt, &sreq, st.out (), err.out ()), 0);
  ASSERT_NE (st->image, nullptr);
  EXPECT_EQ (ref, st->image->id);
  ASSERT_EQ (st->image->n_repo_tags, 1u);
  EXPECT_STREQ (st->image->repo_tags[0], "nginx:1.25");
  // By ID too.
  spec.image = (char *) ref.c_str ();
  ASSERT_EQ (kl_runtime_image_status (rt, &sreq, st.out (), err.out ()), 0);
  EXPECT_NE (st->image, nullptr);
  EXPECT_TRUE (fake_runtime_has_image (fake, ref.c_str ()));
}

TEST_F (FakeRuntimeTest, ExecSyncAnswersAsScripted)
{
  std::string sb = RunSandbox ("web");
  std::string id = RunContainer (sb, "app");
  fake_runtime_set_exec_result (fake, "check", 3, "out", "err");
  struct Case
  {
    const char *cmd0;
    int exit_code;
    std::string out, err_out;
  } cases[] = {
    { "check", 3, "out", "err" },
    { "true", 0, "", "" },
  };
  for (const Case &c : cases)
    {
      SCOPED_TRACE (c.cmd0);
      char *cmd[] = { (char *) c.cmd0, (char *) "arg" };
      Runtime__V1__ExecSyncRequest req = RUNTIME__V1__EXEC_SYNC_REQUEST__INIT;
      req.container_id = (char *) id.c_str ();
      req.cmd = cmd;
      req.n_cmd = 2;
      Pb<Runtime__V1__ExecSyncResponse> resp;
      Err err;
      ASSERT_EQ (kl_runtime_exec_sync (rt, &req, resp.out (), err.out ()), 0) << err.msg ();
      EXPECT_EQ (resp->exit_code, c.exit_code);
      EXPECT_EQ (std::string ((const char *) resp->stdout.data, resp->stdout.len), c.out);
      EXPECT_EQ (std::string ((const char *) resp->stderr.data, resp->stderr.len), c.err_out);
    }
  ASSERT_EQ (fake_runtime_exit_container (fake, id.c_str (), 0, nullptr), 0);
  char *cmd[] = { (char *) "true" };
  Runtime__V1__ExecSyncRequest req = RUNTIME__V1__EXEC_SYNC_REQUEST__INIT;
  req.container_id = (char *) id.c_str ();
  req.cmd = cmd;
  req.n_cmd = 1;
  Pb<Runtime__V1__ExecSyncResponse> resp;
  Err err;
  EXPECT_LT (kl_runtime_exec_sync (rt, &req, resp.out (), err.out ()), 0)
      << "no exec in an exited container";
}

TEST_F (FakeRuntimeTest, VersionStatusAndUnimplemented)
{
  Runtime__V1__VersionRequest vreq = RUNTIME__V1__VERSION_REQUEST__INIT;
  Pb<Runtime__V1__VersionResponse> v;
  Err err;
  ASSERT_EQ (kl_runtime_version (rt, &vreq, v.out (), err.out ()), 0);
  EXPECT_STREQ (v->runtime_name, "fake");
  EXPECT_STREQ (v->runtime_api_version, "v1");

  Runtime__V1__StatusRequest sreq = RUNTIME__V1__STATUS_REQUEST__INIT;
  Pb<Runtime__V1__StatusResponse> s;
  ASSERT_EQ (kl_runtime_status (rt, &sreq, s.out (), err.out ()), 0);
  ASSERT_NE (s->status, nullptr);
  ASSERT_EQ (s->status->n_conditions, 2u);
  EXPECT_STREQ (s->status->conditions[0]->type, "RuntimeReady");
  EXPECT_TRUE (s->status->conditions[0]->status);

  Runtime__V1__ListImagesRequest lreq = RUNTIME__V1__LIST_IMAGES_REQUEST__INIT;
  Pb<Runtime__V1__ListImagesResponse> l;
  EXPECT_LT (kl_runtime_list_images (rt, &lreq, l.out (), err.out ()), 0);
  EXPECT_TRUE (err.is (KL_ERROR_GENERIC));
  EXPECT_NE (err.msg ().find ("not implemented in the fake"), std::string::npos) << err.msg ();
  EXPECT_EQ (l.p, nullptr);
}

TEST_F (FakeRuntimeTest, CallLogFailNextAndDown)
{
  Runtime__V1__VersionRequest vreq = RUNTIME__V1__VERSION_REQUEST__INIT;
  Pb<Runtime__V1__VersionResponse> v;
  Err err;
  fake_runtime_fail_next (fake, "Version", KL_ERROR_TIMEOUT);
  fake_runtime_fail_next (fake, "Version", KL_ERROR_INVALID);
  EXPECT_LT (kl_runtime_version (rt, &vreq, v.out (), err.out ()), 0);
  EXPECT_TRUE (err.is (KL_ERROR_TIMEOUT));
  EXPECT_EQ (err.e->status, 4) << "DeadlineExceeded";
  EXPECT_LT (kl_runtime_version (rt, &vreq, v.out (), err.out ()), 0);
  EXPECT_TRUE (err.is (KL_ERROR_INVALID));
  EXPECT_EQ (kl_runtime_version (rt, &vreq, v.out (), err.out ()), 0);

  fake_runtime_set_down (fake, true);
  std::string sb;
  {
    Runtime__V1__ListPodSandboxRequest req = RUNTIME__V1__LIST_POD_SANDBOX_REQUEST__INIT;
    Pb<Runtime__V1__ListPodSandboxResponse> resp;
    EXPECT_LT (kl_runtime_list_pod_sandbox (rt, &req, resp.out (), err.out ()), 0);
    EXPECT_TRUE (err.is (KL_ERROR_UNAVAILABLE)) << err.msg ();
    EXPECT_EQ (err.e->status, 14);
  }
  fake_runtime_set_down (fake, false);
  sb = RunSandbox ("web");

  EXPECT_EQ (Calls (), (std::vector<std::string>{ "Version", "Version", "Version", "ListPodSandbox",
                                                  "RunPodSandbox" }));
  EXPECT_EQ (fake_runtime_call_count (fake, "Version"), 3u);
  EXPECT_EQ (fake_runtime_call_count (fake, nullptr), 5u);
  fake_runtime_clear_calls (fake);
  EXPECT_TRUE (Calls ().empty ());
}

TEST_F (FakeRuntimeTest, ConcurrentCallsAreSafe)
{
  fake_runtime_set_clock (fake, nullptr, nullptr);
  fake_runtime_add_image (fake, "busybox");
  std::atomic<int> failures{ 0 };
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; t++)
    threads.emplace_back ([&, t] {
      for (int i = 0; i < 20; i++)
        {
          std::string sb = RunSandbox ("pod-" + std::to_string (t) + "-" + std::to_string (i));
          std::string id;
          Err err;
          if (CreateContainer (sb, "app", 0, "busybox", &id, &err) < 0 || Start (id, &err) < 0)
            failures++;
          Runtime__V1__ListContainersRequest req = RUNTIME__V1__LIST_CONTAINERS_REQUEST__INIT;
          Pb<Runtime__V1__ListContainersResponse> resp;
          if (kl_runtime_list_containers (rt, &req, resp.out (), err.out ()) < 0)
            failures++;
        }
    });
  for (auto &t : threads)
    t.join ();
  EXPECT_EQ (failures.load (), 0);
  EXPECT_EQ (fake_runtime_count_sandboxes (fake, -1), 160u);
  EXPECT_EQ (fake_runtime_count_containers (fake, RUNTIME__V1__CONTAINER_STATE__CONTAINER_RUNNING),
             160u);
}

} // namespace

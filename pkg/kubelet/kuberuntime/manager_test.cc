// kl_runtime_manager_* against the fake CRI runtime: SyncPod's steps, init
// containers, CrashLoopBackOff and ImagePullBackOff with an injected clock,
// kill, remove and garbage collection.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <sys/stat.h>
#include <vector>

#include "pkg/kubelet/kuberuntime/testing.h"

extern "C" {
#include "pkg/kubelet/container/testing/fake_runtime.h"
#include "pkg/kubelet/kuberuntime/labels.h"
#include "pkg/kubelet/kuberuntime/manager.h"
#include "pkg/kubelet/kuberuntime/pod_status.h"
#include "pkg/util/grpc/grpc.h"
}

using namespace kl_kuberuntime_testing;

namespace {

const int64_t kSecond = 1000000000LL;

int64_t
TestClock (void *ctx)
{
  return *static_cast<int64_t *> (ctx);
}

bool
Exists (const std::string &path)
{
  struct stat st;
  return lstat (path.c_str (), &st) == 0;
}

std::string
SimplePod (const std::string &policy = "Always", const std::string &extra_container = "")
{
  return "apiVersion: v1\n"
         "kind: Pod\n"
         "metadata: {name: web, namespace: default, uid: web-uid}\n"
         "spec:\n"
         "  restartPolicy: "
         + policy
         + "\n"
           "  terminationGracePeriodSeconds: 5\n"
           "  containers:\n"
           "    - {name: a, image: 'busybox:1.36', command: [sleep, '3600']}\n"
         + extra_container;
}

const char kSecondContainer[]
    = "    - {name: b, image: 'busybox:1.36', command: [sleep, '3600']}\n";

std::string
InitPod ()
{
  return "apiVersion: v1\n"
         "kind: Pod\n"
         "metadata: {name: web, namespace: default, uid: web-uid}\n"
         "spec:\n"
         "  initContainers:\n"
         "    - {name: i0, image: 'busybox:1.36', command: ['true']}\n"
         "    - {name: i1, image: 'busybox:1.36', command: ['true']}\n"
         "  containers:\n"
         "    - {name: a, image: 'busybox:1.36', command: [sleep, '3600']}\n";
}

std::string
ImagePod (const std::string &image, const std::string &policy)
{
  return "apiVersion: v1\n"
         "kind: Pod\n"
         "metadata: {name: web, namespace: default, uid: web-uid}\n"
         "spec:\n"
         "  containers:\n"
         "    - {name: a, image: '"
         + image + "', imagePullPolicy: " + policy + "}\n";
}

struct Operation
{
  std::string name;
  bool failed;
};

class ManagerTest : public ::testing::Test
{
protected:
  void
  SetUp () override
  {
    rt = fake_runtime_new (&fake);
    fake_runtime_set_clock (fake, TestClock, &now);
    fake_runtime_add_image (fake, "busybox:1.36");
    root_dir = dir.path () + "/root";
    logs_dir = dir.path () + "/logs";
    kl_runtime_manager_opts_t opts = {};
    opts.runtime = rt;
    opts.root_dir = root_dir.c_str ();
    opts.pod_logs_dir = logs_dir.c_str ();
    opts.memory_capacity = 4LL << 30;
    opts.now = TestClock;
    opts.clock_ctx = &now;
    opts.on_operation = [] (void *ctx, const char *op, int64_t, bool failed) {
      static_cast<ManagerTest *> (ctx)->operations.push_back ({ op, failed });
    };
    opts.operation_ctx = this;
    kl_error_t err = nullptr;
    ASSERT_EQ (kl_runtime_manager_new (&opts, &manager, &err), 0) << kl_error_message (err);
  }

  void
  TearDown () override
  {
    kl_sync_result_clear (&result);
    kl_runtime_manager_free (manager);
    kl_runtime_free (rt);
  }

  RuntimePodPtr
  Status (const char *uid = "web-uid")
  {
    kl_runtime_pod_t *rp = nullptr;
    kl_error_t err = nullptr;
    EXPECT_EQ (kl_runtime_pod_get (rt, uid, &rp, &err), 0) << kl_error_message (err);
    kl_error_release (&err);
    return RuntimePodPtr (rp);
  }

  // One sync of `pod` against what the runtime holds now; *result has the
  // per-container errors.
  int
  Sync (const kl_pod_t *pod, std::string *error = nullptr, const kl_probe_view_t *probes = nullptr)
  {
    RuntimePodPtr status = Status (pod->metadata.uid);
    kl_sync_result_clear (&result);
    kl_error_t err = nullptr;
    int ret
        = kl_runtime_manager_sync_pod (manager, pod, status.get (), probes, nullptr, &result, &err);
    if (error)
      *error = kl_error_message (err);
    else
      EXPECT_EQ (ret, 0) << kl_error_message (err);
    kl_error_release (&err);
    return ret;
  }

  std::string
  SyncErrors () const
  {
    std::string s;
    for (size_t i = 0; i < result.n_errors; i++)
      s += Str (result.errors[i].name) + ":" + Str (result.errors[i].reason) + " ";
    return s;
  }

  const kl_container_sync_error_t *
  SyncError (const std::string &name) const
  {
    for (size_t i = 0; i < result.n_errors; i++)
      if (name == Str (result.errors[i].name))
        return &result.errors[i];
    return nullptr;
  }

  // Container names in the runtime, newest first, with their states.
  std::vector<std::string>
  Containers ()
  {
    RuntimePodPtr st = Status ();
    std::vector<std::string> out;
    static const char *names[] = { "created", "running", "exited", "unknown" };
    for (size_t i = 0; i < st->n_containers; i++)
      out.push_back (Str (st->containers[i].name) + "/" + names[st->containers[i].state] + "/"
                     + std::to_string (st->containers[i].restart_count));
    return out;
  }

  std::string
  Newest (const std::string &name)
  {
    char *id = fake_runtime_find_container (fake, name.c_str ());
    std::string s = id ? id : "";
    free (id);
    return s;
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

  size_t
  Count (const char *method)
  {
    return fake_runtime_call_count (fake, method);
  }

  TempDir dir;
  std::string root_dir, logs_dir;
  int64_t now = 1000 * kSecond;
  kl_runtime_t *rt = nullptr;
  fake_runtime_t *fake = nullptr;
  kl_runtime_manager_t *manager = nullptr;
  kl_sync_result_t result = {};
  std::vector<Operation> operations;
};

TEST_F (ManagerTest, FirstSyncCreatesTheSandboxAndStartsEveryContainer)
{
  PodPtr pod = DecodePod (SimplePod ("Always", kSecondContainer));
  ASSERT_NE (pod, nullptr);
  ASSERT_EQ (Sync (pod.get ()), 0);
  EXPECT_EQ (SyncErrors (), "");
  EXPECT_EQ (result.next_retry_ns, 0);

  EXPECT_EQ (fake_runtime_count_sandboxes (fake, RUNTIME__V1__POD_SANDBOX_STATE__SANDBOX_READY),
             1u);
  EXPECT_EQ (Containers (), (std::vector<std::string>{ "b/running/0", "a/running/0" }));
  EXPECT_EQ (Count ("RunPodSandbox"), 1u);
  EXPECT_EQ (Count ("CreateContainer"), 2u);
  EXPECT_EQ (Count ("StartContainer"), 2u);
  EXPECT_EQ (Count ("PullImage"), 0u) << "IfNotPresent and present";

  // What the runtime was asked for.
  RuntimePodPtr st = Status ();
  ASSERT_EQ (st->n_sandboxes, 1u);
  EXPECT_TRUE (st->sandboxes[0].ready);
  EXPECT_EQ (st->sandboxes[0].attempt, 0u);
  EXPECT_EQ (Str (st->sandboxes[0].ip), "10.0.0.1");
  {
    Runtime__V1__PodSandboxConfig *sc = fake_runtime_sandbox_config (fake, st->sandboxes[0].id);
    ASSERT_NE (sc, nullptr);
    EXPECT_EQ (Str (sc->log_directory), logs_dir + "/default_web_web-uid");
    protobuf_c_message_free_unpacked (&sc->base, nullptr);
  }
  Runtime__V1__ContainerConfig *cc = fake_runtime_container_config (fake, Newest ("a").c_str ());
  ASSERT_NE (cc, nullptr);
  EXPECT_STREQ (cc->log_path, "a/0.log");
  EXPECT_EQ (cc->metadata->attempt, 0u);
  EXPECT_EQ (Str (kl_cri_map_get ((void *const *) cc->annotations, cc->n_annotations,
                                  KL_ANNOTATION_RESTART_COUNT)),
             "0");
  bool hosts_mounted = false;
  for (size_t i = 0; i < cc->n_mounts; i++)
    hosts_mounted |= std::string (cc->mounts[i]->container_path) == "/etc/hosts";
  EXPECT_TRUE (hosts_mounted);
  protobuf_c_message_free_unpacked (&cc->base, nullptr);

  EXPECT_TRUE (Exists (root_dir + "/pods/web-uid"));
  EXPECT_TRUE (Exists (root_dir + "/pods/web-uid/etc-hosts"));
  EXPECT_TRUE (Exists (logs_dir + "/default_web_web-uid"));

  bool saw_run = false;
  for (const Operation &op : operations)
    saw_run |= op.name == "run_podsandbox" && !op.failed;
  EXPECT_TRUE (saw_run) << "on_operation hears of each runtime operation";

  // Nothing to do the second time.
  fake_runtime_clear_calls (fake);
  ASSERT_EQ (Sync (pod.get ()), 0);
  EXPECT_EQ (Count ("RunPodSandbox") + Count ("CreateContainer") + Count ("StopContainer")
                 + Count ("StopPodSandbox"),
             0u);
}

TEST_F (ManagerTest, InitContainersRunOnePerSyncInOrder)
{
  PodPtr pod = DecodePod (InitPod ());
  ASSERT_NE (pod, nullptr);

  ASSERT_EQ (Sync (pod.get ()), 0);
  EXPECT_EQ (Containers (), (std::vector<std::string>{ "i0/running/0" }));
  // Still running: nothing new.
  ASSERT_EQ (Sync (pod.get ()), 0);
  EXPECT_EQ (Containers (), (std::vector<std::string>{ "i0/running/0" }));

  ASSERT_EQ (fake_runtime_exit_container (fake, Newest ("i0").c_str (), 0, nullptr), 0);
  ASSERT_EQ (Sync (pod.get ()), 0);
  EXPECT_EQ (Containers (), (std::vector<std::string>{ "i1/running/0", "i0/exited/0" }));

  ASSERT_EQ (fake_runtime_exit_container (fake, Newest ("i1").c_str (), 0, nullptr), 0);
  ASSERT_EQ (Sync (pod.get ()), 0);
  EXPECT_EQ (Containers (),
             (std::vector<std::string>{ "a/running/0", "i1/exited/0", "i0/exited/0" }));
  EXPECT_EQ (Count ("RunPodSandbox"), 1u);

  Runtime__V1__ContainerConfig *cc = fake_runtime_container_config (fake, Newest ("i1").c_str ());
  ASSERT_NE (cc, nullptr);
  EXPECT_EQ (
      Str (kl_cri_map_get ((void *const *) cc->annotations, cc->n_annotations, KL_ANNOTATION_INIT)),
      "true");
  protobuf_c_message_free_unpacked (&cc->base, nullptr);
  RuntimePodPtr st = Status ();
  EXPECT_FALSE (kl_runtime_pod_find_container (st.get (), "a")->is_init);
  EXPECT_TRUE (kl_runtime_pod_find_container (st.get (), "i0")->is_init);
}

TEST_F (ManagerTest, FailedInitContainerIsRetriedWithBackOff)
{
  PodPtr pod = DecodePod (InitPod ());
  ASSERT_NE (pod, nullptr);
  ASSERT_EQ (Sync (pod.get ()), 0);
  ASSERT_EQ (fake_runtime_exit_container (fake, Newest ("i0").c_str (), 1, nullptr), 0);
  now += kSecond;
  ASSERT_EQ (Sync (pod.get ()), 0);
  EXPECT_EQ (Containers (), (std::vector<std::string>{ "i0/running/1", "i0/exited/0" }));
  ASSERT_EQ (fake_runtime_exit_container (fake, Newest ("i0").c_str (), 1, nullptr), 0);
  ASSERT_EQ (Sync (pod.get ()), 0);
  EXPECT_EQ (SyncErrors (), "i0:CrashLoopBackOff ");
  EXPECT_EQ (Count ("CreateContainer"), 2u) << "no regular container while init fails";
}

TEST_F (ManagerTest, CrashedContainerRestartsThenBacksOff)
{
  PodPtr pod = DecodePod (SimplePod ());
  ASSERT_NE (pod, nullptr);
  ASSERT_EQ (Sync (pod.get ()), 0);

  // It crashes; the first restart is immediate.
  now += 5 * kSecond;
  ASSERT_EQ (fake_runtime_exit_container (fake, Newest ("a").c_str (), 1, nullptr), 0);
  now += kSecond;
  ASSERT_EQ (Sync (pod.get ()), 0);
  EXPECT_EQ (SyncErrors (), "");
  EXPECT_EQ (Containers (), (std::vector<std::string>{ "a/running/1", "a/exited/0" }));
  {
    RuntimePodPtr st = Status ();
    const kl_container_info_t *a = kl_runtime_pod_find_container (st.get (), "a");
    ASSERT_NE (a, nullptr);
    EXPECT_EQ (a->restart_count, 1);
    std::string log = Str (a->log_path);
    EXPECT_EQ (log, logs_dir + "/default_web_web-uid/a/1.log");
    EXPECT_EQ (Exists (root_dir + "/pods/web-uid/containers/a/1"), true)
        << "termination log of restart 1";
  }
  Runtime__V1__ContainerConfig *cc = fake_runtime_container_config (fake, Newest ("a").c_str ());
  ASSERT_NE (cc, nullptr);
  EXPECT_EQ (cc->metadata->attempt, 1u);
  EXPECT_STREQ (cc->log_path, "a/1.log");
  protobuf_c_message_free_unpacked (&cc->base, nullptr);

  // It crashes again at once: CrashLoopBackOff for 10s from its exit.
  ASSERT_EQ (fake_runtime_exit_container (fake, Newest ("a").c_str (), 1, nullptr), 0);
  ASSERT_EQ (Sync (pod.get ()), 0);
  EXPECT_EQ (SyncErrors (), "a:CrashLoopBackOff ");
  const kl_container_sync_error_t *e = SyncError ("a");
  ASSERT_NE (e, nullptr);
  EXPECT_NE (Str (e->message).find ("back-off 10s restarting failed container=a pod=web_default"),
             std::string::npos)
      << Str (e->message);
  EXPECT_EQ (result.next_retry_ns, 10 * kSecond);
  EXPECT_EQ (Count ("CreateContainer"), 2u);

  // Part of the way through, still backing off, with less to wait.
  now += 4 * kSecond;
  ASSERT_EQ (Sync (pod.get ()), 0);
  EXPECT_EQ (SyncErrors (), "a:CrashLoopBackOff ");
  EXPECT_EQ (result.next_retry_ns, 6 * kSecond);

  // Past the back-off it restarts, and the next crash waits twice as long.
  now += 6 * kSecond + 1;
  ASSERT_EQ (Sync (pod.get ()), 0);
  EXPECT_EQ (SyncErrors (), "");
  EXPECT_EQ (Containers ()[0], "a/running/2");
  ASSERT_EQ (fake_runtime_exit_container (fake, Newest ("a").c_str (), 2, nullptr), 0);
  ASSERT_EQ (Sync (pod.get ()), 0);
  EXPECT_EQ (SyncErrors (), "a:CrashLoopBackOff ");
  EXPECT_EQ (result.next_retry_ns, 20 * kSecond);
}

TEST_F (ManagerTest, ImagePullPolicyNeverWithAMissingImage)
{
  PodPtr pod = DecodePod (ImagePod ("registry.local/missing:1", "Never"));
  ASSERT_NE (pod, nullptr);
  ASSERT_EQ (Sync (pod.get ()), 0);
  EXPECT_EQ (SyncErrors (), "a:ErrImageNeverPull ");
  EXPECT_NE (Str (SyncError ("a")->message).find ("registry.local/missing:1"), std::string::npos);
  EXPECT_EQ (Count ("PullImage"), 0u);
  EXPECT_EQ (Count ("CreateContainer"), 0u);
  EXPECT_EQ (result.next_retry_ns, 0);

  fake_runtime_add_image (fake, "registry.local/missing:1");
  ASSERT_EQ (Sync (pod.get ()), 0);
  EXPECT_EQ (SyncErrors (), "");
  EXPECT_EQ (Containers (), (std::vector<std::string>{ "a/running/0" }));
}

TEST_F (ManagerTest, FailingPullIsErrImagePullThenImagePullBackOff)
{
  fake_runtime_set_pull_error (fake, "registry.local/app:2", KL_ERROR_NOT_FOUND,
                               "manifest unknown");
  PodPtr pod = DecodePod (ImagePod ("registry.local/app:2", "IfNotPresent"));
  ASSERT_NE (pod, nullptr);

  ASSERT_EQ (Sync (pod.get ()), 0);
  EXPECT_EQ (SyncErrors (), "a:ErrImagePull ");
  EXPECT_NE (Str (SyncError ("a")->message).find ("manifest unknown"), std::string::npos);
  EXPECT_EQ (result.next_retry_ns, 10 * kSecond);
  EXPECT_EQ (Count ("PullImage"), 1u);

  now += 3 * kSecond;
  ASSERT_EQ (Sync (pod.get ()), 0);
  EXPECT_EQ (SyncErrors (), "a:ImagePullBackOff ");
  EXPECT_EQ (Str (SyncError ("a")->message), "Back-off pulling image \"registry.local/app:2\"");
  EXPECT_EQ (result.next_retry_ns, 7 * kSecond);
  EXPECT_EQ (Count ("PullImage"), 1u) << "no pull while backing off";

  now += 8 * kSecond;
  ASSERT_EQ (Sync (pod.get ()), 0);
  EXPECT_EQ (SyncErrors (), "a:ErrImagePull ");
  EXPECT_EQ (Count ("PullImage"), 2u);
  EXPECT_EQ (result.next_retry_ns, 20 * kSecond);

  fake_runtime_set_pull_error (fake, "registry.local/app:2", KL_ERROR_GENERIC, nullptr);
  now += 21 * kSecond;
  ASSERT_EQ (Sync (pod.get ()), 0);
  EXPECT_EQ (SyncErrors (), "");
  EXPECT_EQ (Count ("PullImage"), 3u);
  EXPECT_EQ (Containers (), (std::vector<std::string>{ "a/running/0" }));
}

TEST_F (ManagerTest, PullPolicyAlwaysPullsEveryStart)
{
  PodPtr pod = DecodePod (ImagePod ("busybox:1.36", "Always"));
  ASSERT_NE (pod, nullptr);
  ASSERT_EQ (Sync (pod.get ()), 0);
  EXPECT_EQ (Count ("PullImage"), 1u);
  EXPECT_EQ (Count ("ImageStatus"), 0u);
  ASSERT_EQ (fake_runtime_exit_container (fake, Newest ("a").c_str (), 0, nullptr), 0);
  ASSERT_EQ (Sync (pod.get ()), 0);
  EXPECT_EQ (Count ("PullImage"), 2u);
}

TEST_F (ManagerTest, CreateAndStartFailuresAreReportedPerContainer)
{
  PodPtr pod = DecodePod (SimplePod ("Always", kSecondContainer));
  ASSERT_NE (pod, nullptr);
  fake_runtime_fail_next (fake, "CreateContainer", KL_ERROR_GENERIC);
  ASSERT_EQ (Sync (pod.get ()), 0);
  EXPECT_EQ (SyncErrors (), "a:CreateContainerError ");
  EXPECT_EQ (Containers (), (std::vector<std::string>{ "b/running/0" }));

  fake_runtime_fail_next (fake, "StartContainer", KL_ERROR_GENERIC);
  ASSERT_EQ (Sync (pod.get ()), 0);
  EXPECT_EQ (SyncErrors (), "a:RunContainerError ");
  EXPECT_EQ (Containers (), (std::vector<std::string>{ "a/created/0", "b/running/0" }));

  // A created container is started afresh (restart 1: a new attempt).
  ASSERT_EQ (Sync (pod.get ()), 0);
  EXPECT_EQ (SyncErrors (), "");
  EXPECT_EQ (Containers ()[0], "a/running/1");

  // The one that never started is garbage once replaced.
  RuntimePodPtr st = Status ();
  kl_runtime_manager_gc_pod (manager, st.get ());
  EXPECT_EQ (Containers (), (std::vector<std::string>{ "a/running/1", "b/running/0" }));
}

TEST_F (ManagerTest, KillingAPodStopsItsCreatedContainersToo)
{
  // A start cut short can leave a container "created" in the runtime's
  // eyes while its process runs (containerd after a kubelet SIGKILL during
  // StartContainer): killing the pod must stop it, or its removal fails.
  PodPtr pod = DecodePod (SimplePod ("Always", kSecondContainer));
  ASSERT_NE (pod, nullptr);
  fake_runtime_fail_next (fake, "StartContainer", KL_ERROR_GENERIC);
  ASSERT_EQ (Sync (pod.get ()), 0);
  std::vector<std::string> states = Containers ();
  std::sort (states.begin (), states.end ());
  ASSERT_EQ (states, (std::vector<std::string>{ "a/created/0", "b/running/0" }));
  RuntimePodPtr st = Status ();
  fake_runtime_clear_calls (fake);
  kl_error_t err = nullptr;
  ASSERT_EQ (kl_runtime_manager_kill_pod (manager, pod.get (), st.get (), -1, &err), 0)
      << kl_error_message (err);
  EXPECT_EQ (Count ("StopContainer"), 2u) << "the created one and the running one";
  EXPECT_EQ (Count ("ExecSync"), 0u) << "no hooks here";
}

TEST_F (ManagerTest, SandboxFailureFailsTheSync)
{
  PodPtr pod = DecodePod (SimplePod ());
  ASSERT_NE (pod, nullptr);
  fake_runtime_fail_next (fake, "RunPodSandbox", KL_ERROR_UNAVAILABLE);
  std::string error;
  EXPECT_LT (Sync (pod.get (), &error), 0);
  EXPECT_NE (error.find ("create sandbox"), std::string::npos) << error;
  EXPECT_EQ (Count ("CreateContainer"), 0u);
  ASSERT_EQ (Sync (pod.get ()), 0);
  EXPECT_EQ (Containers (), (std::vector<std::string>{ "a/running/0" }));
}

TEST_F (ManagerTest, PostStartHookFailureKillsTheContainer)
{
  PodPtr pod = DecodePod ("apiVersion: v1\n"
                          "kind: Pod\n"
                          "metadata: {name: web, namespace: default, uid: web-uid}\n"
                          "spec:\n"
                          "  containers:\n"
                          "    - name: a\n"
                          "      image: 'busybox:1.36'\n"
                          "      lifecycle:\n"
                          "        postStart: {exec: {command: [setup, --fast]}}\n");
  ASSERT_NE (pod, nullptr);
  fake_runtime_set_exec_result (fake, "setup", 3, "", "no config");
  ASSERT_EQ (Sync (pod.get ()), 0);
  EXPECT_EQ (SyncErrors (), "a:PostStartHookError ");
  EXPECT_NE (Str (SyncError ("a")->message).find ("no config"), std::string::npos)
      << Str (SyncError ("a")->message);
  EXPECT_EQ (Containers (), (std::vector<std::string>{ "a/exited/0" }));
  std::vector<std::string> calls = Calls ();
  auto exec = std::find (calls.begin (), calls.end (), "ExecSync");
  ASSERT_NE (exec, calls.end ());
  EXPECT_NE (std::find (exec, calls.end (), "StopContainer"), calls.end ());
}

TEST_F (ManagerTest, DeadSandboxIsReplacedAndInitContainersRerun)
{
  PodPtr pod = DecodePod (InitPod ());
  ASSERT_NE (pod, nullptr);
  for (const char *name : { "i0", "i1" })
    {
      ASSERT_EQ (Sync (pod.get ()), 0);
      ASSERT_EQ (fake_runtime_exit_container (fake, Newest (name).c_str (), 0, nullptr), 0);
    }
  ASSERT_EQ (Sync (pod.get ()), 0);
  ASSERT_EQ (Containers ()[0], "a/running/0");

  // The sandbox dies under the pod (a node reboot, a CNI failure...).
  RuntimePodPtr st = Status ();
  Runtime__V1__StopPodSandboxRequest req = RUNTIME__V1__STOP_POD_SANDBOX_REQUEST__INIT;
  req.pod_sandbox_id = st->sandboxes[0].id;
  Runtime__V1__StopPodSandboxResponse *resp = nullptr;
  kl_error_t err = nullptr;
  ASSERT_EQ (kl_runtime_stop_pod_sandbox (rt, &req, &resp, &err), 0);
  protobuf_c_message_free_unpacked (&resp->base, nullptr);

  ASSERT_EQ (Sync (pod.get ()), 0);
  EXPECT_EQ (SyncErrors (), "");
  st = Status ();
  ASSERT_EQ (st->n_sandboxes, 2u);
  EXPECT_TRUE (st->sandboxes[0].ready);
  EXPECT_EQ (st->sandboxes[0].attempt, 1u);
  EXPECT_FALSE (st->sandboxes[1].ready);
  // The old init containers were purged; i0 runs again in the new sandbox.
  EXPECT_EQ (Containers (), (std::vector<std::string>{ "i0/running/1", "a/exited/0" }));
  EXPECT_EQ (Str (kl_runtime_pod_find_container (st.get (), "i0")->sandbox_id),
             Str (st->sandboxes[0].id));
}

TEST_F (ManagerTest, KillPodStopsContainersAfterPreStopAndSandboxes)
{
  PodPtr pod = DecodePod ("apiVersion: v1\n"
                          "kind: Pod\n"
                          "metadata: {name: web, namespace: default, uid: web-uid}\n"
                          "spec:\n"
                          "  containers:\n"
                          "    - name: a\n"
                          "      image: 'busybox:1.36'\n"
                          "      lifecycle:\n"
                          "        preStop: {exec: {command: [drain]}}\n"
                          "    - {name: b, image: 'busybox:1.36'}\n");
  ASSERT_NE (pod, nullptr);
  ASSERT_EQ (Sync (pod.get ()), 0);
  fake_runtime_clear_calls (fake);

  RuntimePodPtr st = Status ();
  std::string a = Newest ("a"), b = Newest ("b");
  kl_error_t err = nullptr;
  ASSERT_EQ (kl_runtime_manager_kill_pod (manager, pod.get (), st.get (), -1, &err), 0)
      << kl_error_message (err);
  EXPECT_EQ (fake_runtime_stop_timeout (fake, a.c_str ()), 30) << "the pod's default grace";
  EXPECT_EQ (fake_runtime_stop_timeout (fake, b.c_str ()), 30);
  EXPECT_EQ (fake_runtime_count_containers (fake, RUNTIME__V1__CONTAINER_STATE__CONTAINER_EXITED),
             2u);
  EXPECT_EQ (fake_runtime_count_sandboxes (fake, RUNTIME__V1__POD_SANDBOX_STATE__SANDBOX_NOTREADY),
             1u);
  EXPECT_EQ (Count ("ExecSync"), 1u) << "a's preStop hook";
  EXPECT_EQ (Count ("StopContainer"), 2u);
  EXPECT_EQ (Count ("StopPodSandbox"), 1u);
  std::vector<std::string> calls = Calls ();
  EXPECT_EQ (calls.back (), "StopPodSandbox") << "containers first, then the sandbox";

  // Killing again (nothing running) only stops the sandbox again.
  st = Status ();
  fake_runtime_clear_calls (fake);
  ASSERT_EQ (kl_runtime_manager_kill_pod (manager, pod.get (), st.get (), 0, &err), 0);
  EXPECT_EQ (Count ("StopContainer"), 0u);

  // Without the spec (only the runtime knows the pod) there are no hooks.
  ASSERT_EQ (Sync (pod.get ()), 0); // a new sandbox and containers
  st = Status ();
  fake_runtime_clear_calls (fake);
  ASSERT_EQ (kl_runtime_manager_kill_pod (manager, nullptr, st.get (), -1, &err), 0);
  EXPECT_EQ (Count ("ExecSync"), 0u);
  EXPECT_EQ (Count ("StopContainer"), 2u);
  EXPECT_EQ (Count ("StopPodSandbox"), 2u);
}

TEST_F (ManagerTest, LivenessFailureKillsWithTheProbesGraceAndRestarts)
{
  PodPtr pod = DecodePod ("apiVersion: v1\n"
                          "kind: Pod\n"
                          "metadata: {name: web, namespace: default, uid: web-uid}\n"
                          "spec:\n"
                          "  terminationGracePeriodSeconds: 45\n"
                          "  containers:\n"
                          "    - name: a\n"
                          "      image: 'busybox:1.36'\n"
                          "      livenessProbe:\n"
                          "        exec: {command: [check]}\n"
                          "        terminationGracePeriodSeconds: 7\n"
                          "    - {name: b, image: 'busybox:1.36'}\n");
  ASSERT_NE (pod, nullptr);
  ASSERT_EQ (Sync (pod.get ()), 0);
  std::string first = Newest ("a");
  Probes probes;
  probes.liveness_failed.insert ("a");
  kl_probe_view_t view = probes.view ();
  ASSERT_EQ (Sync (pod.get (), nullptr, &view), 0);
  EXPECT_EQ (SyncErrors (), "");
  EXPECT_EQ (fake_runtime_stop_timeout (fake, first.c_str ()), 7);
  EXPECT_EQ (Containers (),
             (std::vector<std::string>{ "a/running/1", "b/running/0", "a/exited/0" }));
  EXPECT_EQ (Count ("StopPodSandbox"), 0u) << "only the container";
}

TEST_F (ManagerTest, ChangedSpecRestartsTheContainer)
{
  PodPtr v1 = DecodePod (SimplePod ("Never", kSecondContainer));
  ASSERT_NE (v1, nullptr);
  ASSERT_EQ (Sync (v1.get ()), 0);
  std::string first = Newest ("a");
  std::string v2_yaml = SimplePod ("Never", kSecondContainer);
  v2_yaml.replace (v2_yaml.find ("'3600'"), 6, "'7200'");
  PodPtr v2 = DecodePod (v2_yaml);
  ASSERT_NE (v2, nullptr);
  ASSERT_EQ (Sync (v2.get ()), 0);
  EXPECT_EQ (SyncErrors (), "");
  EXPECT_EQ (fake_runtime_stop_timeout (fake, first.c_str ()), 5) << "the pod's grace period";
  EXPECT_EQ (Containers (),
             (std::vector<std::string>{ "a/running/1", "b/running/0", "a/exited/0" }));
  Runtime__V1__ContainerConfig *cc = fake_runtime_container_config (fake, Newest ("a").c_str ());
  ASSERT_NE (cc, nullptr);
  ASSERT_EQ (cc->n_command, 2u);
  EXPECT_STREQ (cc->command[1], "7200");
  protobuf_c_message_free_unpacked (&cc->base, nullptr);
}

TEST_F (ManagerTest, KillPodFailsWhenTheRuntimeIsDown)
{
  PodPtr pod = DecodePod (SimplePod ());
  ASSERT_NE (pod, nullptr);
  ASSERT_EQ (Sync (pod.get ()), 0);
  RuntimePodPtr st = Status ();
  fake_runtime_set_down (fake, true);
  kl_error_t err = nullptr;
  EXPECT_LT (kl_runtime_manager_kill_pod (manager, pod.get (), st.get (), -1, &err), 0);
  EXPECT_TRUE (kl_error_is (err, KL_ERROR_UNAVAILABLE)) << kl_error_message (err);
  kl_error_release (&err);
}

TEST_F (ManagerTest, RemovePodLeavesNothingBehind)
{
  PodPtr pod = DecodePod (SimplePod ("Always", kSecondContainer));
  ASSERT_NE (pod, nullptr);
  ASSERT_EQ (Sync (pod.get ()), 0);
  ASSERT_EQ (fake_runtime_exit_container (fake, Newest ("a").c_str (), 1, nullptr), 0);
  ASSERT_EQ (Sync (pod.get ()), 0); // a second instance of a
  std::string pod_dir = root_dir + "/pods/web-uid";
  std::string log_dir = logs_dir + "/default_web_web-uid";
  ASSERT_TRUE (Exists (pod_dir));
  ASSERT_TRUE (Exists (log_dir));
  // What the runtime would have written.
  ASSERT_EQ (mkdir ((log_dir + "/a").c_str (), 0755), 0);
  FILE *f = fopen ((log_dir + "/a/0.log").c_str (), "w");
  ASSERT_NE (f, nullptr);
  fclose (f);

  kl_error_t err = nullptr;
  RuntimePodPtr st = Status ();
  ASSERT_EQ (kl_runtime_manager_kill_pod (manager, pod.get (), st.get (), -1, &err), 0);
  st = Status ();
  ASSERT_EQ (kl_runtime_manager_remove_pod (manager, st.get (), &err), 0) << kl_error_message (err);
  EXPECT_EQ (fake_runtime_count_sandboxes (fake, -1), 0u);
  EXPECT_EQ (fake_runtime_count_containers (fake, -1), 0u);
  EXPECT_FALSE (Exists (pod_dir));
  EXPECT_FALSE (Exists (log_dir));
  EXPECT_TRUE (Exists (root_dir + "/pods")) << "only the pod's own directory goes";

  // Removing what is already gone is fine.
  ASSERT_EQ (kl_runtime_manager_remove_pod (manager, st.get (), &err), 0) << kl_error_message (err);
}

TEST_F (ManagerTest, RemovePodForgetsTheBackOff)
{
  PodPtr pod = DecodePod (SimplePod ());
  ASSERT_NE (pod, nullptr);
  ASSERT_EQ (Sync (pod.get ()), 0);
  for (int i = 0; i < 2; i++)
    {
      ASSERT_EQ (fake_runtime_exit_container (fake, Newest ("a").c_str (), 1, nullptr), 0);
      ASSERT_EQ (Sync (pod.get ()), 0);
    }
  ASSERT_EQ (SyncErrors (), "a:CrashLoopBackOff ");
  kl_error_t err = nullptr;
  RuntimePodPtr st = Status ();
  ASSERT_EQ (kl_runtime_manager_kill_pod (manager, pod.get (), st.get (), -1, &err), 0);
  st = Status ();
  ASSERT_EQ (kl_runtime_manager_remove_pod (manager, st.get (), &err), 0);

  // The same UID again starts from scratch: the first crash restarts at once.
  ASSERT_EQ (Sync (pod.get ()), 0);
  ASSERT_EQ (fake_runtime_exit_container (fake, Newest ("a").c_str (), 1, nullptr), 0);
  ASSERT_EQ (Sync (pod.get ()), 0);
  EXPECT_EQ (SyncErrors (), "");
}

// A pod that must not restart and has finished: the sync kills it and
// creates nothing. This path leaves kl_runtime_manager_sync_pod through
// `goto out` before `cleanup_free char *pod_dir` is initialized, so the
// cleanup frees whatever the stack held there. The stack is filled with a
// pattern first so the result does not depend on luck, and the sync runs in
// a child process so that a crash fails this test only.
__attribute__ ((noinline)) void
DirtyTheStack ()
{
  volatile unsigned char junk[64 * 1024];
  for (size_t i = 0; i < sizeof junk; i++)
    junk[i] = 0x5a;
}

TEST_F (ManagerTest, FinishedNeverPodIsKilledWithoutANewSandbox)
{
  PodPtr pod = DecodePod (SimplePod ("Never", kSecondContainer));
  ASSERT_NE (pod, nullptr);
  ASSERT_EQ (Sync (pod.get ()), 0);
  ASSERT_EQ (fake_runtime_exit_container (fake, Newest ("a").c_str (), 0, nullptr), 0);
  ASSERT_EQ (fake_runtime_exit_container (fake, Newest ("b").c_str (), 1, nullptr), 0);
  RuntimePodPtr st = Status ();

  // Exit codes: 0 all well, 2 the sync failed, 3 it created something, 4
  // the sandbox still runs.
  EXPECT_EXIT (
      {
        kl_sync_result_t r = {};
        kl_error_t err = nullptr;
        DirtyTheStack ();
        int ret = kl_runtime_manager_sync_pod (manager, pod.get (), st.get (), nullptr, nullptr, &r,
                                               &err);
        kl_sync_result_clear (&r);
        int code = 0;
        if (ret != 0)
          code = 2;
        else if (fake_runtime_call_count (fake, "RunPodSandbox") != 1
                 || fake_runtime_call_count (fake, "CreateContainer") != 2)
          code = 3;
        else if (fake_runtime_count_sandboxes (fake, RUNTIME__V1__POD_SANDBOX_STATE__SANDBOX_READY)
                 != 0)
          code = 4;
        exit (code);
      },
      ::testing::ExitedWithCode (0), "");
}

// The same path when stopping the sandbox fails: the error is returned (and
// the same uninitialized cleanup runs).
TEST_F (ManagerTest, FinishedNeverPodKillFailureIsReported)
{
  PodPtr pod = DecodePod (SimplePod ("Never"));
  ASSERT_NE (pod, nullptr);
  ASSERT_EQ (Sync (pod.get ()), 0);
  ASSERT_EQ (fake_runtime_exit_container (fake, Newest ("a").c_str (), 0, nullptr), 0);
  RuntimePodPtr st = Status ();
  fake_runtime_fail_next (fake, "StopPodSandbox", KL_ERROR_GENERIC);
  EXPECT_EXIT (
      {
        kl_sync_result_t r = {};
        kl_error_t err = nullptr;
        DirtyTheStack ();
        int ret = kl_runtime_manager_sync_pod (manager, pod.get (), st.get (), nullptr, nullptr, &r,
                                               &err);
        bool reported = ret < 0 && err != nullptr;
        kl_error_release (&err);
        kl_sync_result_clear (&r);
        exit (reported ? 0 : 2);
      },
      ::testing::ExitedWithCode (0), "");
}

// gc_pod keeps the newest exited instance of each container name (the Go
// kubelet's default MaxPerPodContainer of 1), which is what lastState and
// `logs --previous` read, and removes older ones.
TEST_F (ManagerTest, GcKeepsTheNewestExitedInstanceOfEachName)
{
  PodPtr pod = DecodePod (SimplePod ("Always", kSecondContainer));
  ASSERT_NE (pod, nullptr);
  ASSERT_EQ (Sync (pod.get ()), 0);
  for (int i = 0; i < 3; i++)
    {
      ASSERT_EQ (fake_runtime_exit_container (fake, Newest ("a").c_str (), 1, nullptr), 0);
      now += 301 * kSecond; // past any back-off
      ASSERT_EQ (Sync (pod.get ()), 0);
    }
  ASSERT_EQ (fake_runtime_exit_container (fake, Newest ("a").c_str (), 1, nullptr), 0);
  ASSERT_EQ (Containers (), (std::vector<std::string>{ "a/exited/3", "a/exited/2", "a/exited/1",
                                                       "b/running/0", "a/exited/0" }));
  RuntimePodPtr st = Status ();
  kl_runtime_manager_gc_pod (manager, st.get ());
  EXPECT_EQ (Containers (), (std::vector<std::string>{ "a/exited/3", "b/running/0" }));
}

TEST_F (ManagerTest, GcKeepsTheLastExitedInstanceBehindARunningOne)
{
  PodPtr pod = DecodePod (SimplePod ());
  ASSERT_NE (pod, nullptr);
  ASSERT_EQ (Sync (pod.get ()), 0);
  for (int i = 0; i < 2; i++)
    {
      ASSERT_EQ (fake_runtime_exit_container (fake, Newest ("a").c_str (), 1, nullptr), 0);
      now += 301 * kSecond;
      ASSERT_EQ (Sync (pod.get ()), 0);
    }
  ASSERT_EQ (Containers (),
             (std::vector<std::string>{ "a/running/2", "a/exited/1", "a/exited/0" }));
  RuntimePodPtr st = Status ();
  kl_runtime_manager_gc_pod (manager, st.get ());
  EXPECT_EQ (Containers (), (std::vector<std::string>{ "a/running/2", "a/exited/1" }));
}

TEST_F (ManagerTest, GcRemovesOldDeadSandboxesWithoutContainers)
{
  PodPtr pod = DecodePod (SimplePod ());
  ASSERT_NE (pod, nullptr);
  for (int i = 0; i < 3; i++)
    {
      ASSERT_EQ (Sync (pod.get ()), 0);
      RuntimePodPtr st = Status ();
      Runtime__V1__StopPodSandboxRequest req = RUNTIME__V1__STOP_POD_SANDBOX_REQUEST__INIT;
      req.pod_sandbox_id = st->sandboxes[0].id;
      Runtime__V1__StopPodSandboxResponse *resp = nullptr;
      kl_error_t err = nullptr;
      ASSERT_EQ (kl_runtime_stop_pod_sandbox (rt, &req, &resp, &err), 0);
      protobuf_c_message_free_unpacked (&resp->base, nullptr);
      now += 301 * kSecond;
    }
  ASSERT_EQ (Sync (pod.get ()), 0);
  RuntimePodPtr st = Status ();
  ASSERT_EQ (st->n_sandboxes, 4u);
  // Containers go first; a sandbox goes once no container refers to it
  // (the next pass at the latest).
  for (int pass = 0; pass < 2; pass++)
    {
      st = Status ();
      kl_runtime_manager_gc_pod (manager, st.get ());
    }
  st = Status ();
  ASSERT_GE (st->n_sandboxes, 1u);
  EXPECT_TRUE (st->sandboxes[0].ready) << "the ready one stays";
  EXPECT_LT (st->n_sandboxes, 4u);
  for (size_t i = 1; i < st->n_sandboxes; i++)
    {
      bool used = false;
      for (size_t j = 0; j < st->n_containers; j++)
        used |= Str (st->containers[j].sandbox_id) == Str (st->sandboxes[i].id);
      EXPECT_TRUE (used) << "sandbox " << Str (st->sandboxes[i].id) << " is dead and empty";
    }
}

TEST_F (ManagerTest, PodDirectoryHelper)
{
  char *d = kl_runtime_manager_pod_dir (manager, "abc");
  EXPECT_EQ (Str (d), root_dir + "/pods/abc");
  free (d);
}

} // namespace

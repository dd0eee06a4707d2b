// kl_generate_pod_status and kl_pod_phase: the Go kubelet's
// generateAPIPodStatus, getPhase and the condition generators.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "pkg/kubelet/kuberuntime/testing.h"

extern "C" {
#include "pkg/kubelet/kuberuntime/manager.h"
#include "pkg/kubelet/status/generate.h"
#include "pkg/kubelet/status/types.h"
}

using namespace kl_kuberuntime_testing;

namespace {

const int64_t kNow = 1700000000LL * 1000000000LL;

std::string
TwoContainerPod (const std::string &policy = "Always")
{
  return "apiVersion: v1\n"
         "kind: Pod\n"
         "metadata: {name: web, namespace: default, uid: web-uid}\n"
         "spec:\n"
         "  restartPolicy: "
         + policy
         + "\n"
           "  containers:\n"
           "    - {name: a, image: 'busybox:1.36'}\n"
           "    - {name: b, image: 'nginx:1.25'}\n";
}

std::string
InitPod (const std::string &policy = "Always")
{
  return "apiVersion: v1\n"
         "kind: Pod\n"
         "metadata: {name: web, namespace: default, uid: web-uid}\n"
         "spec:\n"
         "  restartPolicy: "
         + policy
         + "\n"
           "  initContainers:\n"
           "    - {name: i0, image: 'busybox:1.36'}\n"
           "    - {name: i1, image: 'busybox:1.36'}\n"
           "  containers:\n"
           "    - {name: a, image: 'busybox:1.36'}\n";
}

// Readiness and startup results by container name; everything else is
// ready and started.
struct Readiness
{
  std::set<std::string> not_ready, not_started;

  kl_readiness_view_t
  view ()
  {
    kl_readiness_view_t v;
    v.ready = [] (void *ctx, const char *name, const char *) {
      return static_cast<Readiness *> (ctx)->not_ready.count (name) == 0;
    };
    v.started = [] (void *ctx, const char *name, const char *) {
      return static_cast<Readiness *> (ctx)->not_started.count (name) == 0;
    };
    v.ctx = this;
    return v;
  }
};

void
AddSyncError (kl_sync_result_t *r, const char *name, const char *reason, const char *message)
{
  r->errors = (kl_container_sync_error_t *) xrealloc (
      r->errors, (r->n_errors + 1) * sizeof (kl_container_sync_error_t));
  r->errors[r->n_errors++] = { xstrdup (name), xstrdup (reason), xstrdup (message) };
}

class GenerateTest : public ::testing::Test
{
protected:
  void
  TearDown () override
  {
    kl_pod_status_clear (&status);
    kl_sync_result_clear (&sync);
  }

  void
  Load (const std::string &yaml)
  {
    pod = DecodePod (yaml);
    ASSERT_NE (pod, nullptr);
    runtime = NewRuntimePod (pod.get ());
  }

  // Generates the status from what the fixture holds.
  void
  Generate (const kl_pod_status_t *previous = nullptr, int64_t now = kNow)
  {
    kl_pod_status_clear (&status);
    kl_readiness_view_t view = readiness.view ();
    kl_status_inputs_t in = {};
    in.pod = pod.get ();
    in.runtime = use_runtime ? runtime.get () : nullptr;
    in.sync = &sync;
    in.probes = &view;
    in.previous = previous;
    in.runtime_type = "containerd";
    in.now = now;
    in.host_ip = "192.168.1.10";
    in.failure_reason = failure_reason;
    in.failure_message = failure_message;
    kl_generate_pod_status (&in, &status);
  }

  const kl_pod_condition_t *
  Condition (const char *type) const
  {
    for (size_t i = 0; i < status.n_conditions; i++)
      if (Str (status.conditions[i].type) == type)
        return &status.conditions[i];
    return nullptr;
  }

  // "True", "False/<reason>/<message>" for quick comparisons.
  std::string
  Cond (const char *type) const
  {
    const kl_pod_condition_t *c = Condition (type);
    if (c == nullptr)
      return "<absent>";
    if (c->status)
      return "True" + (c->reason ? "/" + Str (c->reason) : std::string ());
    return "False/" + Str (c->reason) + "/" + Str (c->message);
  }

  const kl_container_status_t *
  Container (const std::string &name) const
  {
    for (size_t i = 0; i < status.n_container_statuses; i++)
      if (Str (status.container_statuses[i].name) == name)
        return &status.container_statuses[i];
    for (size_t i = 0; i < status.n_init_container_statuses; i++)
      if (Str (status.init_container_statuses[i].name) == name)
        return &status.init_container_statuses[i];
    return nullptr;
  }

  // "waiting/<reason>", "running", "terminated/<exit>/<reason>", "none".
  static std::string
  State (const kl_container_state_t &s)
  {
    switch (s.kind)
      {
      case KL_STATE_WAITING:
        return "waiting/" + Str (s.reason);
      case KL_STATE_RUNNING:
        return "running";
      case KL_STATE_TERMINATED:
        return "terminated/" + std::to_string (s.exit_code) + "/" + Str (s.reason);
      case KL_STATE_NONE:
        return "none";
      }
    return "?";
  }

  PodPtr pod;
  RuntimePodPtr runtime;
  bool use_runtime = true;
  kl_sync_result_t sync = {};
  Readiness readiness;
  const char *failure_reason = nullptr;
  const char *failure_message = nullptr;
  kl_pod_status_t status = {};
};

TEST_F (GenerateTest, NothingInTheRuntimeYetIsPendingContainerCreating)
{
  Load (TwoContainerPod ());
  use_runtime = false;
  Generate ();
  EXPECT_STREQ (status.phase, "Pending");
  ASSERT_EQ (status.n_container_statuses, 2u);
  EXPECT_EQ (State (Container ("a")->state), "waiting/ContainerCreating");
  EXPECT_EQ (State (Container ("b")->state), "waiting/ContainerCreating");
  EXPECT_EQ (State (Container ("a")->last_state), "none");
  EXPECT_FALSE (Container ("a")->ready);
  EXPECT_EQ (Str (Container ("a")->image), "busybox:1.36");
  EXPECT_EQ (Container ("a")->container_id, nullptr);
  EXPECT_EQ (Cond ("Initialized"), "True");
  EXPECT_EQ (Cond ("Ready"), "False/ContainersNotReady/containers with unready status: [a b]");
  EXPECT_EQ (Cond ("ContainersReady"),
             "False/ContainersNotReady/containers with unready status: [a b]");
  EXPECT_EQ (Cond ("PodScheduled"), "True");
  EXPECT_EQ (status.pod_ip, nullptr);
  EXPECT_EQ (Str (status.host_ip), "192.168.1.10");
  EXPECT_EQ (status.start_time, kNow);
  EXPECT_EQ (Str (status.qos_class), "BestEffort");
  EXPECT_EQ (status.reason, nullptr);
}

TEST_F (GenerateTest, CreatedSandboxWithoutContainersIsPending)
{
  Load (TwoContainerPod ());
  AddSandbox (runtime.get (), "sb", true, 0, "10.0.0.7");
  AddContainer (runtime.get (), pod.get (), "a", KL_CONTAINER_CREATED);
  Generate ();
  EXPECT_STREQ (status.phase, "Pending");
  EXPECT_EQ (State (Container ("a")->state).rfind ("waiting/", 0), 0u);
  EXPECT_EQ (State (Container ("b")->state), "waiting/ContainerCreating");
  EXPECT_EQ (Str (status.pod_ip), "10.0.0.7");
}

TEST_F (GenerateTest, RunningAndReady)
{
  Load (TwoContainerPod ());
  AddSandbox (runtime.get (), "sb", true, 0, "10.0.0.7");
  kl_container_info_t *a = AddContainer (runtime.get (), pod.get (), "a", KL_CONTAINER_RUNNING);
  a->started_at = kNow - 5;
  AddContainer (runtime.get (), pod.get (), "b", KL_CONTAINER_RUNNING);
  Generate ();
  EXPECT_STREQ (status.phase, "Running");
  const kl_container_status_t *ca = Container ("a");
  EXPECT_EQ (State (ca->state), "running");
  EXPECT_EQ (ca->state.started_at, kNow - 5);
  EXPECT_TRUE (ca->ready);
  EXPECT_TRUE (ca->started);
  EXPECT_TRUE (ca->has_started);
  EXPECT_EQ (Str (ca->container_id), "containerd://" + Str (runtime->containers[0].id));
  EXPECT_EQ (Str (ca->image_id), "sha256:0123");
  EXPECT_EQ (ca->restart_count, 0);
  EXPECT_EQ (Cond ("Ready"), "True");
  EXPECT_EQ (Cond ("ContainersReady"), "True");
  EXPECT_EQ (Cond ("Initialized"), "True");
  EXPECT_EQ (Str (status.pod_ip), "10.0.0.7");
}

TEST_F (GenerateTest, ReadinessFalseMakesThePodNotReady)
{
  Load (TwoContainerPod ());
  AddSandbox (runtime.get (), "sb", true);
  AddContainer (runtime.get (), pod.get (), "a", KL_CONTAINER_RUNNING);
  AddContainer (runtime.get (), pod.get (), "b", KL_CONTAINER_RUNNING);
  readiness.not_ready.insert ("b");
  Generate ();
  EXPECT_STREQ (status.phase, "Running");
  EXPECT_TRUE (Container ("a")->ready);
  EXPECT_FALSE (Container ("b")->ready);
  EXPECT_TRUE (Container ("b")->started);
  EXPECT_EQ (Cond ("Ready"), "False/ContainersNotReady/containers with unready status: [b]");
  EXPECT_EQ (Cond ("ContainersReady"),
             "False/ContainersNotReady/containers with unready status: [b]");
}

TEST_F (GenerateTest, NotStartedIsNotReady)
{
  Load (TwoContainerPod ());
  AddSandbox (runtime.get (), "sb", true);
  AddContainer (runtime.get (), pod.get (), "a", KL_CONTAINER_RUNNING);
  AddContainer (runtime.get (), pod.get (), "b", KL_CONTAINER_RUNNING);
  readiness.not_started.insert ("a");
  Generate ();
  EXPECT_FALSE (Container ("a")->started);
  EXPECT_TRUE (Container ("a")->has_started);
  EXPECT_FALSE (Container ("a")->ready) << "not started means not ready";
  EXPECT_EQ (Cond ("Ready"), "False/ContainersNotReady/containers with unready status: [a]");
}

TEST_F (GenerateTest, CrashLoopBackOffWaitsWithTheLastTermination)
{
  Load (TwoContainerPod ());
  AddSandbox (runtime.get (), "sb", true);
  kl_container_info_t *newest
      = AddContainer (runtime.get (), pod.get (), "a", KL_CONTAINER_EXITED, 2, 4);
  newest->finished_at = kNow - 1;
  AddContainer (runtime.get (), pod.get (), "a", KL_CONTAINER_EXITED, 1, 3);
  AddContainer (runtime.get (), pod.get (), "b", KL_CONTAINER_RUNNING);
  AddSyncError (&sync, "a", "CrashLoopBackOff",
                "back-off 40s restarting failed container=a pod=web_default(web-uid)");
  Generate ();
  EXPECT_STREQ (status.phase, "Running");
  const kl_container_status_t *a = Container ("a");
  EXPECT_EQ (State (a->state), "waiting/CrashLoopBackOff");
  EXPECT_EQ (Str (a->state.message),
             "back-off 40s restarting failed container=a pod=web_default(web-uid)");
  EXPECT_EQ (State (a->last_state), "terminated/2/Error") << "the newest exit, not the one before";
  EXPECT_EQ (a->last_state.finished_at, kNow - 1);
  EXPECT_EQ (Str (a->last_state.container_id), "containerd://" + Str (runtime->containers[0].id));
  EXPECT_EQ (a->restart_count, 4);
  EXPECT_FALSE (a->ready);
  EXPECT_EQ (Cond ("Ready"), "False/ContainersNotReady/containers with unready status: [a]");
}

TEST_F (GenerateTest, RestartedContainerShowsThePreviousTermination)
{
  Load (TwoContainerPod ());
  AddSandbox (runtime.get (), "sb", true);
  AddContainer (runtime.get (), pod.get (), "a", KL_CONTAINER_RUNNING, 0, 1);
  kl_container_info_t *prev
      = AddContainer (runtime.get (), pod.get (), "a", KL_CONTAINER_EXITED, 137, 0);
  free (prev->reason);
  prev->reason = xstrdup ("OOMKilled");
  AddContainer (runtime.get (), pod.get (), "b", KL_CONTAINER_RUNNING);
  Generate ();
  const kl_container_status_t *a = Container ("a");
  EXPECT_EQ (State (a->state), "running");
  EXPECT_EQ (State (a->last_state), "terminated/137/OOMKilled");
  EXPECT_EQ (Str (a->last_state.container_id), "containerd://" + Str (runtime->containers[1].id));
  EXPECT_EQ (a->restart_count, 1);
}

TEST_F (GenerateTest, SyncErrorsExplainWaitingContainers)
{
  Load (TwoContainerPod ());
  AddSandbox (runtime.get (), "sb", true);
  AddContainer (runtime.get (), pod.get (), "b", KL_CONTAINER_RUNNING);
  AddSyncError (&sync, "a", "ImagePullBackOff", "Back-off pulling image \"busybox:1.36\"");
  AddSyncError (&sync, "b", "ErrImagePull", "ignored: b runs");
  Generate ();
  EXPECT_STREQ (status.phase, "Pending");
  EXPECT_EQ (State (Container ("a")->state), "waiting/ImagePullBackOff");
  EXPECT_EQ (Str (Container ("a")->state.message), "Back-off pulling image \"busybox:1.36\"");
  EXPECT_EQ (State (Container ("b")->state), "running") << "a running container keeps its state";
}

TEST_F (GenerateTest, NeverWithEveryContainerSucceededIsSucceeded)
{
  Load (TwoContainerPod ("Never"));
  AddSandbox (runtime.get (), "sb", false);
  AddContainer (runtime.get (), pod.get (), "a", KL_CONTAINER_EXITED, 0);
  AddContainer (runtime.get (), pod.get (), "b", KL_CONTAINER_EXITED, 0);
  Generate ();
  EXPECT_STREQ (status.phase, "Succeeded");
  EXPECT_EQ (State (Container ("a")->state), "terminated/0/Completed");
  EXPECT_EQ (Str (Container ("a")->state.container_id),
             "containerd://" + Str (runtime->containers[0].id));
  EXPECT_EQ (Cond ("Ready"), "False/PodCompleted/");
  EXPECT_EQ (Cond ("ContainersReady"), "False/PodCompleted/");
  EXPECT_EQ (status.pod_ip, nullptr) << "no IP once the sandbox is gone";
}

TEST_F (GenerateTest, NeverWithAFailureIsFailed)
{
  Load (TwoContainerPod ("Never"));
  AddSandbox (runtime.get (), "sb", false);
  AddContainer (runtime.get (), pod.get (), "a", KL_CONTAINER_EXITED, 0);
  AddContainer (runtime.get (), pod.get (), "b", KL_CONTAINER_EXITED, 1);
  Generate ();
  EXPECT_STREQ (status.phase, "Failed");
  EXPECT_EQ (State (Container ("b")->state), "terminated/1/Error");
}

// Go's generateContainersReadyConditionForTerminalPhase: a Failed pod's
// Ready and ContainersReady say PodFailed (PodCompleted is for Succeeded).
TEST_F (GenerateTest, FailedPodReadyReasonIsPodFailed)
{
  Load (TwoContainerPod ("Never"));
  AddSandbox (runtime.get (), "sb", false);
  AddContainer (runtime.get (), pod.get (), "a", KL_CONTAINER_EXITED, 0);
  AddContainer (runtime.get (), pod.get (), "b", KL_CONTAINER_EXITED, 1);
  Generate ();
  ASSERT_STREQ (status.phase, "Failed");
  EXPECT_EQ (Cond ("Ready"), "False/PodFailed/");
  EXPECT_EQ (Cond ("ContainersReady"), "False/PodFailed/");
}

TEST_F (GenerateTest, OnFailureAndAlwaysPhasesWhileRestarting)
{
  struct Row
  {
    const char *policy;
    int exit_a, exit_b;
    const char *phase;
  } rows[] = {
    { "Always", 0, 0, "Running" },      { "Always", 1, 0, "Running" },
    { "OnFailure", 0, 0, "Succeeded" }, { "OnFailure", 0, 1, "Running" },
    { "Never", 0, 0, "Succeeded" },     { "Never", 2, 0, "Failed" },
  };
  for (const Row &r : rows)
    {
      SCOPED_TRACE (std::string (r.policy) + " " + std::to_string (r.exit_a) + " "
                    + std::to_string (r.exit_b));
      Load (TwoContainerPod (r.policy));
      AddSandbox (runtime.get (), "sb", true);
      AddContainer (runtime.get (), pod.get (), "a", KL_CONTAINER_EXITED, r.exit_a);
      AddContainer (runtime.get (), pod.get (), "b", KL_CONTAINER_EXITED, r.exit_b);
      Generate ();
      EXPECT_STREQ (status.phase, r.phase);
    }
}

TEST_F (GenerateTest, InitContainerRunningIsPendingPodInitializing)
{
  Load (InitPod ());
  AddSandbox (runtime.get (), "sb", true);
  AddContainer (runtime.get (), pod.get (), "i0", KL_CONTAINER_RUNNING);
  Generate ();
  EXPECT_STREQ (status.phase, "Pending");
  ASSERT_EQ (status.n_init_container_statuses, 2u);
  EXPECT_EQ (State (Container ("i0")->state), "running");
  EXPECT_EQ (State (Container ("a")->state), "waiting/PodInitializing");
  EXPECT_EQ (Cond ("Initialized"),
             "False/ContainersNotInitialized/containers with incomplete status: [i0 i1]");
  EXPECT_EQ (Cond ("Ready"), "False/ContainersNotReady/containers with unready status: [a]");
}

TEST_F (GenerateTest, InitContainersDoneThenRegularContainersRun)
{
  Load (InitPod ());
  AddSandbox (runtime.get (), "sb", true);
  AddContainer (runtime.get (), pod.get (), "a", KL_CONTAINER_RUNNING);
  AddContainer (runtime.get (), pod.get (), "i1", KL_CONTAINER_EXITED, 0);
  AddContainer (runtime.get (), pod.get (), "i0", KL_CONTAINER_EXITED, 0);
  Generate ();
  EXPECT_STREQ (status.phase, "Running");
  EXPECT_EQ (State (Container ("i0")->state), "terminated/0/Completed");
  EXPECT_EQ (Cond ("Initialized"), "True");
  EXPECT_EQ (Cond ("Ready"), "True");
}

// The prober manager's UpdatePodStatus marks an init container that
// terminated with exit code 0 ready (GeneratePodInitializedCondition reads
// exactly that), so the API shows `ready: true` for completed init containers.
TEST_F (GenerateTest, CompletedInitContainersAreReady)
{
  Load (InitPod ());
  AddSandbox (runtime.get (), "sb", true);
  AddContainer (runtime.get (), pod.get (), "a", KL_CONTAINER_RUNNING);
  AddContainer (runtime.get (), pod.get (), "i1", KL_CONTAINER_EXITED, 0);
  AddContainer (runtime.get (), pod.get (), "i0", KL_CONTAINER_EXITED, 0);
  Generate ();
  EXPECT_TRUE (Container ("i0")->ready);
  EXPECT_TRUE (Container ("i1")->ready);
}

// convertToAPIContainerStatuses gives init containers without a runtime
// status the default waiting reason PodInitializing, as regular ones.
TEST_F (GenerateTest, InitContainersNotYetCreatedWaitPodInitializing)
{
  Load (InitPod ());
  AddSandbox (runtime.get (), "sb", true);
  AddContainer (runtime.get (), pod.get (), "i0", KL_CONTAINER_RUNNING);
  Generate ();
  EXPECT_EQ (State (Container ("i1")->state), "waiting/PodInitializing");
}

TEST_F (GenerateTest, FailedInitContainerTable)
{
  struct Row
  {
    const char *policy;
    bool crash_loop; // a sync error on i0
    const char *phase;
  } rows[] = {
    { "Never", false, "Failed" },
    { "Always", false, "Pending" },
    { "Always", true, "Pending" },
    { "OnFailure", true, "Pending" },
  };
  for (const Row &r : rows)
    {
      SCOPED_TRACE (std::string (r.policy) + (r.crash_loop ? " crash loop" : ""));
      kl_sync_result_clear (&sync);
      Load (InitPod (r.policy));
      AddSandbox (runtime.get (), "sb", true);
      AddContainer (runtime.get (), pod.get (), "i0", KL_CONTAINER_EXITED, 3);
      if (r.crash_loop)
        AddSyncError (&sync, "i0", "CrashLoopBackOff", "back-off 10s");
      Generate ();
      EXPECT_STREQ (status.phase, r.phase);
      EXPECT_EQ (State (Container ("a")->state), "waiting/PodInitializing");
      EXPECT_EQ (Cond ("Initialized"),
                 "False/ContainersNotInitialized/containers with incomplete status: [i0 i1]");
      if (r.crash_loop)
        {
          EXPECT_EQ (State (Container ("i0")->state), "waiting/CrashLoopBackOff");
          EXPECT_EQ (State (Container ("i0")->last_state), "terminated/3/Error");
        }
    }
}

TEST_F (GenerateTest, LastTransitionTimeKeptWhileAConditionHolds)
{
  Load (TwoContainerPod ());
  AddSandbox (runtime.get (), "sb", true);
  AddContainer (runtime.get (), pod.get (), "a", KL_CONTAINER_RUNNING);
  AddContainer (runtime.get (), pod.get (), "b", KL_CONTAINER_RUNNING);
  readiness.not_ready.insert ("b");
  Generate (nullptr, kNow);
  ASSERT_EQ (Condition ("Ready")->last_transition_time, kNow);
  kl_pod_status_t *first = kl_pod_status_copy (&status);

  // Still not ready later: the transition time stays, as does the start time.
  Generate (first, kNow + 50);
  EXPECT_EQ (Condition ("Ready")->last_transition_time, kNow);
  EXPECT_EQ (Condition ("PodScheduled")->last_transition_time, kNow);
  EXPECT_EQ (status.start_time, kNow);
  kl_pod_status_t *second = kl_pod_status_copy (&status);

  // Ready now: a transition.
  readiness.not_ready.clear ();
  Generate (second, kNow + 100);
  EXPECT_EQ (Cond ("Ready"), "True");
  EXPECT_EQ (Condition ("Ready")->last_transition_time, kNow + 100);
  EXPECT_EQ (Condition ("Initialized")->last_transition_time, kNow);
  EXPECT_EQ (status.start_time, kNow);
  kl_pod_status_free (first);
  kl_pod_status_free (second);
}

TEST_F (GenerateTest, DeadlineExceededFailsThePod)
{
  Load (TwoContainerPod ());
  AddSandbox (runtime.get (), "sb", true);
  AddContainer (runtime.get (), pod.get (), "a", KL_CONTAINER_RUNNING);
  AddContainer (runtime.get (), pod.get (), "b", KL_CONTAINER_RUNNING);
  failure_reason = "DeadlineExceeded";
  failure_message = "Pod was active on the node longer than the specified deadline";
  Generate ();
  EXPECT_STREQ (status.phase, "Failed");
  EXPECT_EQ (Str (status.reason), "DeadlineExceeded");
  EXPECT_EQ (Str (status.message), "Pod was active on the node longer than the specified deadline");
  const kl_pod_condition_t *ready = Condition ("Ready");
  ASSERT_NE (ready, nullptr);
  EXPECT_EQ (ready->message, nullptr) << "a finished pod lists no containers";
}

TEST_F (GenerateTest, HostNetworkPodIpIsTheHostIp)
{
  Load ("apiVersion: v1\n"
        "kind: Pod\n"
        "metadata: {name: web, namespace: default, uid: web-uid}\n"
        "spec:\n"
        "  hostNetwork: true\n"
        "  containers:\n"
        "    - {name: a, image: 'busybox:1.36', resources: {limits: {cpu: 100m, memory: 64Mi}}}\n");
  AddSandbox (runtime.get (), "sb", true, 0, "");
  AddContainer (runtime.get (), pod.get (), "a", KL_CONTAINER_RUNNING);
  Generate ();
  EXPECT_EQ (Str (status.pod_ip), "192.168.1.10");
  EXPECT_EQ (Str (status.qos_class), "Guaranteed");
}

TEST_F (GenerateTest, CopyAndClear)
{
  Load (TwoContainerPod ());
  AddSandbox (runtime.get (), "sb", true);
  AddContainer (runtime.get (), pod.get (), "a", KL_CONTAINER_RUNNING);
  AddContainer (runtime.get (), pod.get (), "a", KL_CONTAINER_EXITED, 1);
  AddSyncError (&sync, "b", "ErrImagePull", "nope");
  Generate ();
  kl_pod_status_t *copy = kl_pod_status_copy (&status);
  EXPECT_STREQ (copy->phase, status.phase);
  ASSERT_EQ (copy->n_container_statuses, 2u);
  EXPECT_NE (copy->container_statuses[0].name, status.container_statuses[0].name);
  EXPECT_STREQ (copy->container_statuses[0].last_state.reason,
                status.container_statuses[0].last_state.reason);
  EXPECT_STREQ (copy->container_statuses[1].state.message, "nope");
  kl_pod_status_free (copy);
  kl_pod_status_free (nullptr);
}

// getPhase over hand-made container statuses.
TEST (PodPhaseTest, Table)
{
  PodPtr two_always = DecodePod (TwoContainerPod ("Always"));
  PodPtr two_never = DecodePod (TwoContainerPod ("Never"));
  PodPtr two_on_failure = DecodePod (TwoContainerPod ("OnFailure"));
  PodPtr init_never = DecodePod (InitPod ("Never"));
  PodPtr init_always = DecodePod (InitPod ("Always"));
  ASSERT_TRUE (two_always && two_never && two_on_failure && init_never && init_always);

  enum K
  {
    NONE = KL_STATE_NONE,
    WAIT = KL_STATE_WAITING,
    RUN = KL_STATE_RUNNING,
    TERM = KL_STATE_TERMINATED,
  };
  struct S
  {
    K kind;
    int exit_code;
    K last; // last_state kind
    int last_exit;
  };
  struct Row
  {
    const char *name;
    const kl_pod_t *pod;
    std::vector<S> init, regular;
    const char *want;
  } rows[] = {
    { "all waiting",
      two_always.get (),
      {},
      { { WAIT, 0, NONE, 0 }, { WAIT, 0, NONE, 0 } },
      "Pending" },
    { "one running one waiting",
      two_always.get (),
      {},
      { { RUN, 0, NONE, 0 }, { WAIT, 0, NONE, 0 } },
      "Pending" },
    { "all running",
      two_always.get (),
      {},
      { { RUN, 0, NONE, 0 }, { RUN, 0, NONE, 0 } },
      "Running" },
    { "running and an unknown",
      two_always.get (),
      {},
      { { RUN, 0, NONE, 0 }, { NONE, 0, NONE, 0 } },
      "Pending" },
    { "running and restarting",
      two_always.get (),
      {},
      { { RUN, 0, NONE, 0 }, { WAIT, 0, TERM, 1 } },
      "Running" },
    { "always all terminated",
      two_always.get (),
      {},
      { { TERM, 0, NONE, 0 }, { TERM, 1, NONE, 0 } },
      "Running" },
    { "never all succeeded",
      two_never.get (),
      {},
      { { TERM, 0, NONE, 0 }, { TERM, 0, NONE, 0 } },
      "Succeeded" },
    { "never one failed",
      two_never.get (),
      {},
      { { TERM, 0, NONE, 0 }, { TERM, 1, NONE, 0 } },
      "Failed" },
    { "onfailure one failed",
      two_on_failure.get (),
      {},
      { { TERM, 0, NONE, 0 }, { TERM, 1, NONE, 0 } },
      "Running" },
    { "onfailure all succeeded",
      two_on_failure.get (),
      {},
      { { TERM, 0, NONE, 0 }, { TERM, 0, NONE, 0 } },
      "Succeeded" },
    { "init failed with never",
      init_never.get (),
      { { TERM, 1, NONE, 0 }, { NONE, 0, NONE, 0 } },
      { { WAIT, 0, NONE, 0 } },
      "Failed" },
    { "init failed, waiting to restart, never",
      init_never.get (),
      { { WAIT, 0, TERM, 1 }, { NONE, 0, NONE, 0 } },
      { { WAIT, 0, NONE, 0 } },
      "Failed" },
    { "init failed with always",
      init_always.get (),
      { { WAIT, 0, TERM, 1 }, { NONE, 0, NONE, 0 } },
      { { WAIT, 0, NONE, 0 } },
      "Pending" },
    { "init running",
      init_always.get (),
      { { RUN, 0, NONE, 0 }, { NONE, 0, NONE, 0 } },
      { { WAIT, 0, NONE, 0 } },
      "Pending" },
    { "init done, regular running",
      init_always.get (),
      { { TERM, 0, NONE, 0 }, { TERM, 0, NONE, 0 } },
      { { RUN, 0, NONE, 0 } },
      "Running" },
  };
  for (const Row &r : rows)
    {
      SCOPED_TRACE (r.name);
      std::vector<kl_container_status_t> init (r.init.size ()), regular (r.regular.size ());
      auto fill = [] (std::vector<kl_container_status_t> &out, const std::vector<S> &in) {
        for (size_t i = 0; i < in.size (); i++)
          {
            memset (&out[i], 0, sizeof out[i]);
            out[i].state.kind = (kl_container_state_kind) in[i].kind;
            out[i].state.exit_code = in[i].exit_code;
            out[i].last_state.kind = (kl_container_state_kind) in[i].last;
            out[i].last_state.exit_code = in[i].last_exit;
          }
      };
      fill (init, r.init);
      fill (regular, r.regular);
      kl_pod_status_t st = {};
      st.init_container_statuses = init.data ();
      st.n_init_container_statuses = init.size ();
      st.container_statuses = regular.data ();
      st.n_container_statuses = regular.size ();
      EXPECT_STREQ (kl_pod_phase (r.pod, &st), r.want);
    }
}

} // namespace

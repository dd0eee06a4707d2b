// Wide pods (many containers) in the runtime manager. A sync cancelled
// mid-way (the pod changed or went) creates nothing more, neither sandbox
// nor container, and a later sync picks up where it stopped; the cancel
// fires from the operation hook, right after a chosen runtime call, as
// another thread would. Killing one stops its containers a bounded number
// at a time.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "pkg/kubelet/kuberuntime/testing.h"

extern "C" {
#include "pkg/kubelet/container/testing/fake_runtime.h"
#include "pkg/kubelet/kuberuntime/manager.h"
#include "pkg/util/cancel.h"
}

using namespace kl_kuberuntime_testing;

namespace {

// A pod of `n` containers c0..c(n-1) on `image` (pulled if not present),
// each with a preStop hook if `pre_stop`.
std::string
WidePod (int n, const std::string &image = "busybox:1.36", bool pre_stop = false)
{
  std::string yaml = "apiVersion: v1\nkind: Pod\n"
                     "metadata: {name: wide, namespace: default, uid: wide-uid}\n"
                     "spec:\n  containers:\n";
  for (int i = 0; i < n; i++)
    yaml += "    - {name: c" + std::to_string (i) + ", image: '" + image
            + "', imagePullPolicy: IfNotPresent, command: [sleep, '3600']"
            + (pre_stop ? ", lifecycle: {preStop: {exec: {command: [pre-stop]}}}" : "") + "}\n";
  return yaml;
}

class ManagerWideTest : public ::testing::Test
{
protected:
  void
  SetUp () override
  {
    rt = fake_runtime_new (&fake);
    fake_runtime_add_image (fake, "busybox:1.36");
    root_dir = dir.path () + "/root";
    logs_dir = dir.path () + "/logs";
    kl_runtime_manager_opts_t opts = {};
    opts.runtime = rt;
    opts.root_dir = root_dir.c_str ();
    opts.pod_logs_dir = logs_dir.c_str ();
    opts.on_operation = [] (void *ctx, const char *op, int64_t, bool) {
      auto *t = static_cast<ManagerWideTest *> (ctx);
      if (op == t->cancel_after && --t->cancel_countdown == 0)
        kl_cancel (&t->cancel);
      if (std::string (op) == "exec_sync") // a preStop hook: the kill takes a while
        {
          int now = ++t->kills_in_flight;
          for (int max = t->max_kills_in_flight; now > max;)
            if (t->max_kills_in_flight.compare_exchange_weak (max, now))
              break;
          std::this_thread::sleep_for (std::chrono::milliseconds (20));
          t->kills_in_flight--;
        }
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

  // Cancels the sync right after the n-th runtime operation `op`.
  void
  CancelAfter (const std::string &op, int n)
  {
    cancel_after = op;
    cancel_countdown = n;
  }

  int
  Sync (const kl_pod_t *pod, const kl_cancel_t *c)
  {
    kl_runtime_pod_t *rp = nullptr;
    kl_error_t err = nullptr;
    EXPECT_EQ (kl_runtime_pod_get (rt, pod->metadata.uid, &rp, &err), 0);
    RuntimePodPtr status (rp);
    kl_sync_result_clear (&result);
    int ret = kl_runtime_manager_sync_pod (manager, pod, status.get (), nullptr, c, &result, &err);
    EXPECT_EQ (ret, 0) << kl_error_message (err);
    kl_error_release (&err);
    return ret;
  }

  size_t
  Count (const char *method)
  {
    return fake_runtime_call_count (fake, method);
  }

  size_t
  Running ()
  {
    return fake_runtime_count_containers (fake, RUNTIME__V1__CONTAINER_STATE__CONTAINER_RUNNING);
  }

  TempDir dir;
  std::string root_dir, logs_dir;
  kl_runtime_t *rt = nullptr;
  fake_runtime_t *fake = nullptr;
  kl_runtime_manager_t *manager = nullptr;
  kl_sync_result_t result = {};
  kl_cancel_t cancel = KL_CANCEL_INIT;
  std::string cancel_after;
  int cancel_countdown = 0;
  std::atomic<int> kills_in_flight{ 0 }, max_kills_in_flight{ 0 };
};

TEST (Cancel, FiresOnceAskedAndNullNeverDoes)
{
  kl_cancel_t c = KL_CANCEL_INIT;
  EXPECT_FALSE (kl_cancelled (&c));
  kl_cancel (&c);
  EXPECT_TRUE (kl_cancelled (&c));
  EXPECT_FALSE (kl_cancelled (nullptr));
}

TEST_F (ManagerWideTest, StopsBetweenContainers)
{
  PodPtr pod = DecodePod (WidePod (10));
  CancelAfter ("start_container", 3);
  Sync (pod.get (), &cancel);
  // The third container was the last: nothing created after the cancel,
  // nothing left created but not started, no error recorded for the rest.
  EXPECT_EQ (Count ("RunPodSandbox"), 1u);
  EXPECT_EQ (Count ("CreateContainer"), 3u);
  EXPECT_EQ (Count ("StartContainer"), 3u);
  EXPECT_EQ (Running (), 3u);
  EXPECT_EQ (fake_runtime_count_containers (fake, -1), 3u);
  EXPECT_EQ (result.n_errors, 0u);

  // An uncancelled sync starts the other seven, each once.
  kl_cancel_t fresh = KL_CANCEL_INIT;
  Sync (pod.get (), &fresh);
  EXPECT_EQ (Count ("CreateContainer"), 10u);
  EXPECT_EQ (Running (), 10u);
  EXPECT_EQ (Count ("RunPodSandbox"), 1u);
}

TEST_F (ManagerWideTest, StopsAfterAnImagePullBeforeCreating)
{
  // Each container's image is missing: the cancel lands while the first
  // pull runs, so that container is not created and no other image pulled.
  PodPtr pod = DecodePod (WidePod (4, "registry.local/app:1"));
  CancelAfter ("pull_image", 1);
  Sync (pod.get (), &cancel);
  EXPECT_EQ (Count ("PullImage"), 1u);
  EXPECT_EQ (Count ("CreateContainer"), 0u);
  EXPECT_EQ (fake_runtime_count_containers (fake, -1), 0u);
  EXPECT_EQ (Count ("RunPodSandbox"), 1u);
}

TEST_F (ManagerWideTest, CancelledBeforeItStartsCreatesNothing)
{
  PodPtr pod = DecodePod (WidePod (3));
  kl_cancel (&cancel);
  Sync (pod.get (), &cancel);
  EXPECT_EQ (Count ("RunPodSandbox"), 0u);
  EXPECT_EQ (Count ("CreateContainer"), 0u);
  EXPECT_EQ (Count ("PullImage"), 0u);
}

TEST_F (ManagerWideTest, StopsBeforeTheInitContainerOnceTheSandboxIsUp)
{
  PodPtr pod = DecodePod ("apiVersion: v1\nkind: Pod\n"
                          "metadata: {name: init, namespace: default, uid: init-uid}\n"
                          "spec:\n"
                          "  initContainers:\n"
                          "    - {name: i0, image: 'busybox:1.36', command: ['true']}\n"
                          "  containers:\n"
                          "    - {name: a, image: 'busybox:1.36', command: [sleep, '3600']}\n");
  CancelAfter ("run_podsandbox", 1);
  Sync (pod.get (), &cancel);
  EXPECT_EQ (Count ("RunPodSandbox"), 1u);
  EXPECT_EQ (Count ("CreateContainer"), 0u);
}

} // namespace

namespace {

TEST_F (ManagerWideTest, KillingAWidePodStopsABoundedNumberAtOnce)
{
  const int kContainers = 80;
  PodPtr pod = DecodePod (WidePod (kContainers, "busybox:1.36", true));
  Sync (pod.get (), nullptr);
  ASSERT_EQ (Running (), size_t (kContainers));
  kl_runtime_pod_t *rp = nullptr;
  kl_error_t err = nullptr;
  ASSERT_EQ (kl_runtime_pod_get (rt, "wide-uid", &rp, &err), 0);
  RuntimePodPtr status (rp);
  ASSERT_EQ (kl_runtime_manager_kill_pod (manager, pod.get (), status.get (), 0, &err), 0)
      << kl_error_message (err);
  // Each preStop hook ran and each container was stopped, exactly once.
  EXPECT_EQ (Count ("ExecSync"), size_t (kContainers));
  EXPECT_EQ (Count ("StopContainer"), size_t (kContainers));
  EXPECT_EQ (Running (), 0u);
  // In parallel, but never more than 32 at a time.
  EXPECT_GT (max_kills_in_flight, 1);
  EXPECT_LE (max_kills_in_flight, 32);
}

} // namespace

// The relisting PLEG against the fake runtime: which relists produce pod
// events, health, and the background loop.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <condition_variable>
#include <mutex>
#include <string>
#include <vector>

extern "C" {
#include "pkg/kubelet/container/runtime.h"
#include "pkg/kubelet/container/testing/fake_runtime.h"
#include "pkg/kubelet/pleg/pleg.h"
#include "pkg/util/error.h"
#include "pkg/util/grpc/grpc.h"
#include "pkg/util/utils.h"
}

namespace {

const int64_t kMillisecond = 1000000LL;
const int64_t kSecond = 1000 * kMillisecond;

// Events and relists as the PLEG reports them, for waiting on.
class Recorder
{
public:
  static void
  OnEvent (void *ctx, const char *uid)
  {
    auto *r = static_cast<Recorder *> (ctx);
    std::lock_guard<std::mutex> lock (r->mu_);
    r->events_.push_back (uid);
    r->cv_.notify_all ();
  }

  static void
  OnRelist (void *ctx, int64_t duration_ns, int64_t interval_ns, bool ok)
  {
    auto *r = static_cast<Recorder *> (ctx);
    std::lock_guard<std::mutex> lock (r->mu_);
    r->relists_++;
    (ok ? r->ok_relists_ : r->failed_relists_)++;
    if (duration_ns < 0 || interval_ns < 0)
      r->bad_timings_++;
    r->cv_.notify_all ();
  }

  // The events since the last call.
  std::vector<std::string>
  Take ()
  {
    std::lock_guard<std::mutex> lock (mu_);
    std::vector<std::string> out;
    out.swap (events_);
    return out;
  }

  // Waits until pred () holds or the deadline passes; no fixed sleeps.
  template <typename Pred>
  bool
  WaitFor (Pred pred, std::chrono::milliseconds timeout = std::chrono::seconds (10))
  {
    std::unique_lock<std::mutex> lock (mu_);
    return cv_.wait_for (lock, timeout, [&] { return pred (); });
  }

  bool
  WaitForEvent (const std::string &uid)
  {
    return WaitFor ([&] {
      for (const auto &e : events_)
        if (e == uid)
          return true;
      return false;
    });
  }

  bool
  WaitForRelists (int ok, int failed = 0)
  {
    return WaitFor ([&] { return ok_relists_ >= ok && failed_relists_ >= failed; });
  }

  int
  bad_timings ()
  {
    std::lock_guard<std::mutex> lock (mu_);
    return bad_timings_;
  }

private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::string> events_;
  int relists_ = 0, ok_relists_ = 0, failed_relists_ = 0, bad_timings_ = 0;
};

class PlegTest : public ::testing::Test
{
protected:
  void
  SetUp () override
  {
    rt = fake_runtime_new (&fake);
    fake_runtime_add_image (fake, "busybox");
  }

  void
  TearDown () override
  {
    if (pleg)
      pleg->ops->free (pleg);
    kl_runtime_free (rt);
  }

  void
  NewPleg (int64_t period_ns = kSecond, int64_t threshold_ns = 180 * kSecond)
  {
    kl_pleg_opts_t opts = {};
    opts.runtime = rt;
    opts.relist_period_ns = period_ns;
    opts.relist_threshold_ns = threshold_ns;
    opts.on_event = Recorder::OnEvent;
    opts.on_relist = Recorder::OnRelist;
    opts.ctx = &recorder;
    pleg = kl_pleg_generic_new (&opts);
    ASSERT_NE (pleg, nullptr);
  }

  // One relist on this thread; the events it produced.
  std::vector<std::string>
  Relist ()
  {
    kl_error_t err = nullptr;
    EXPECT_EQ (pleg->ops->relist (pleg, &err), 0) << kl_error_message (err);
    kl_error_release (&err);
    return recorder.Take ();
  }

  // A sandbox for the pod with UID `uid` (no UID label when empty).
  std::string
  RunSandbox (const std::string &uid, uint32_t attempt = 0)
  {
    Runtime__V1__PodSandboxMetadata meta = RUNTIME__V1__POD_SANDBOX_METADATA__INIT;
    std::string name = "pod-" + uid;
    meta.name = (char *) name.c_str ();
    meta.namespace_ = (char *) "default";
    meta.uid = (char *) uid.c_str ();
    meta.attempt = attempt;
    Runtime__V1__PodSandboxConfig__LabelsEntry label
        = RUNTIME__V1__POD_SANDBOX_CONFIG__LABELS_ENTRY__INIT;
    label.key = (char *) "io.kubernetes.pod.uid";
    label.value = (char *) uid.c_str ();
    Runtime__V1__PodSandboxConfig__LabelsEntry *labels[] = { &label };
    Runtime__V1__PodSandboxConfig config = RUNTIME__V1__POD_SANDBOX_CONFIG__INIT;
    config.metadata = &meta;
    if (!uid.empty ())
      {
        config.labels = labels;
        config.n_labels = 1;
      }
    Runtime__V1__RunPodSandboxRequest req = RUNTIME__V1__RUN_POD_SANDBOX_REQUEST__INIT;
    req.config = &config;
    Runtime__V1__RunPodSandboxResponse *resp = nullptr;
    kl_error_t err = nullptr;
    EXPECT_EQ (kl_runtime_run_pod_sandbox (rt, &req, &resp, &err), 0) << kl_error_message (err);
    kl_error_release (&err);
    std::string id = resp ? resp->pod_sandbox_id : "";
    if (resp)
      protobuf_c_message_free_unpacked (&resp->base, nullptr);
    return id;
  }

  std::string
  CreateContainer (const std::string &sandbox, const std::string &uid, const std::string &name)
  {
    Runtime__V1__ContainerMetadata meta = RUNTIME__V1__CONTAINER_METADATA__INIT;
    meta.name = (char *) name.c_str ();
    Runtime__V1__ImageSpec image = RUNTIME__V1__IMAGE_SPEC__INIT;
    image.image = (char *) "busybox";
    Runtime__V1__ContainerConfig__LabelsEntry label
        = RUNTIME__V1__CONTAINER_CONFIG__LABELS_ENTRY__INIT;
    label.key = (char *) "io.kubernetes.pod.uid";
    label.value = (char *) uid.c_str ();
    Runtime__V1__ContainerConfig__LabelsEntry *labels[] = { &label };
    Runtime__V1__ContainerConfig config = RUNTIME__V1__CONTAINER_CONFIG__INIT;
    config.metadata = &meta;
    config.image = &image;
    if (!uid.empty ())
      {
        config.labels = labels;
        config.n_labels = 1;
      }
    Runtime__V1__CreateContainerRequest req = RUNTIME__V1__CREATE_CONTAINER_REQUEST__INIT;
    req.pod_sandbox_id = (char *) sandbox.c_str ();
    req.config = &config;
    Runtime__V1__CreateContainerResponse *resp = nullptr;
    kl_error_t err = nullptr;
    EXPECT_EQ (kl_runtime_create_container (rt, &req, &resp, &err), 0) << kl_error_message (err);
    kl_error_release (&err);
    std::string id = resp ? resp->container_id : "";
    if (resp)
      protobuf_c_message_free_unpacked (&resp->base, nullptr);
    return id;
  }

  void
  StartContainer (const std::string &id)
  {
    Runtime__V1__StartContainerRequest req = RUNTIME__V1__START_CONTAINER_REQUEST__INIT;
    req.container_id = (char *) id.c_str ();
    Runtime__V1__StartContainerResponse *resp = nullptr;
    kl_error_t err = nullptr;
    EXPECT_EQ (kl_runtime_start_container (rt, &req, &resp, &err), 0) << kl_error_message (err);
    kl_error_release (&err);
    if (resp)
      protobuf_c_message_free_unpacked (&resp->base, nullptr);
  }

  void
  StopSandbox (const std::string &id)
  {
    Runtime__V1__StopPodSandboxRequest req = RUNTIME__V1__STOP_POD_SANDBOX_REQUEST__INIT;
    req.pod_sandbox_id = (char *) id.c_str ();
    Runtime__V1__StopPodSandboxResponse *resp = nullptr;
    kl_error_t err = nullptr;
    EXPECT_EQ (kl_runtime_stop_pod_sandbox (rt, &req, &resp, &err), 0);
    kl_error_release (&err);
    if (resp)
      protobuf_c_message_free_unpacked (&resp->base, nullptr);
  }

  void
  RemoveSandbox (const std::string &id)
  {
    Runtime__V1__RemovePodSandboxRequest req = RUNTIME__V1__REMOVE_POD_SANDBOX_REQUEST__INIT;
    req.pod_sandbox_id = (char *) id.c_str ();
    Runtime__V1__RemovePodSandboxResponse *resp = nullptr;
    kl_error_t err = nullptr;
    EXPECT_EQ (kl_runtime_remove_pod_sandbox (rt, &req, &resp, &err), 0);
    kl_error_release (&err);
    if (resp)
      protobuf_c_message_free_unpacked (&resp->base, nullptr);
  }

  void
  RemoveContainer (const std::string &id)
  {
    Runtime__V1__RemoveContainerRequest req = RUNTIME__V1__REMOVE_CONTAINER_REQUEST__INIT;
    req.container_id = (char *) id.c_str ();
    Runtime__V1__RemoveContainerResponse *resp = nullptr;
    kl_error_t err = nullptr;
    EXPECT_EQ (kl_runtime_remove_container (rt, &req, &resp, &err), 0);
    kl_error_release (&err);
    if (resp)
      protobuf_c_message_free_unpacked (&resp->base, nullptr);
  }

  using Events = std::vector<std::string>;

  kl_runtime_t *rt = nullptr;
  fake_runtime_t *fake = nullptr;
  kl_pleg_t *pleg = nullptr;
  Recorder recorder;
};

TEST_F (PlegTest, RelistTable)
{
  NewPleg ();
  std::string sb1, sb2, c1, c2;
  struct Step
  {
    const char *name;
    std::function<void ()> change;
    Events want;
  } steps[] = {
    { "empty runtime", [] {}, {} },
    { "a new pod", [&] { sb1 = RunSandbox ("u1"); }, { "u1" } },
    { "nothing changed", [] {}, {} },
    { "a container is created", [&] { c1 = CreateContainer (sb1, "u1", "app"); }, { "u1" } },
    { "it starts", [&] { StartContainer (c1); }, { "u1" } },
    { "nothing changed again", [] {}, {} },
    { "a second pod, only it changes", [&] { sb2 = RunSandbox ("u2"); }, { "u2" } },
    { "a container exits",
      [&] { fake_runtime_exit_container (fake, c1.c_str (), 1, nullptr); },
      { "u1" } },
    { "exiting again with another code is not a state change",
      [&] { fake_runtime_exit_container (fake, c1.c_str (), 2, nullptr); },
      {} },
    { "the container is removed", [&] { RemoveContainer (c1); }, { "u1" } },
    { "a sandbox stops", [&] { StopSandbox (sb2); }, { "u2" } },
    { "both change at once",
      [&] {
        c2 = CreateContainer (sb2, "u2", "app");
        StopSandbox (sb1);
      },
      { "u1", "u2" } },
    { "a pod disappears", [&] { RemoveSandbox (sb1); }, { "u1" } },
    { "and stays gone", [] {}, {} },
    { "objects without a pod UID label are not pods",
      [&] {
        std::string sb = RunSandbox ("");
        CreateContainer (sb, "", "x");
      },
      {} },
  };
  for (Step &s : steps)
    {
      SCOPED_TRACE (s.name);
      s.change ();
      Events got = Relist ();
      std::sort (got.begin (), got.end ());
      EXPECT_EQ (got, s.want);
    }
}

// containerd lists sandboxes and containers from Go maps, in no fixed order
// from one call to the next; a pod whose objects merely come back in
// another order has not changed (generic.c's own comment says the
// fingerprint is sorted).
TEST_F (PlegTest, ListOrderIsNotAChange)
{
  NewPleg ();
  std::string sb = RunSandbox ("u1");
  StartContainer (CreateContainer (sb, "u1", "app"));
  StartContainer (CreateContainer (sb, "u1", "sidecar"));
  RunSandbox ("u2");
  EXPECT_FALSE (Relist ().empty ());
  fake_runtime_set_reverse_lists (fake, true);
  EXPECT_EQ (Relist (), Events{});
  fake_runtime_set_reverse_lists (fake, false);
  EXPECT_EQ (Relist (), Events{});
}

TEST_F (PlegTest, AFailedRelistKeepsWhatItKnew)
{
  NewPleg ();
  RunSandbox ("u1");
  EXPECT_EQ (Relist (), (Events{ "u1" }));
  fake_runtime_set_down (fake, true);
  kl_error_t err = nullptr;
  EXPECT_LT (pleg->ops->relist (pleg, &err), 0);
  EXPECT_TRUE (kl_error_is (err, KL_ERROR_UNAVAILABLE)) << kl_error_message (err);
  EXPECT_NE (std::string (kl_error_message (err)).find ("pleg relist"), std::string::npos);
  kl_error_release (&err);
  EXPECT_TRUE (recorder.Take ().empty ());
  fake_runtime_set_down (fake, false);
  EXPECT_TRUE (Relist ().empty ()) << "no pod looks new or gone after an outage";

  // Listing containers can fail after sandboxes were listed.
  fake_runtime_fail_next (fake, "ListContainers", KL_ERROR_TIMEOUT);
  EXPECT_LT (pleg->ops->relist (pleg, &err), 0);
  EXPECT_TRUE (kl_error_is (err, KL_ERROR_TIMEOUT));
  kl_error_release (&err);
  EXPECT_TRUE (Relist ().empty ());
}

TEST_F (PlegTest, HealthyWhileRelisting)
{
  NewPleg (10 * kMillisecond, 60 * kSecond);
  kl_error_t err = nullptr;
  ASSERT_EQ (pleg->ops->start (pleg, &err), 0) << kl_error_message (err);
  ASSERT_TRUE (recorder.WaitForRelists (1));
  char *reason = pleg->ops->unhealthy_reason (pleg);
  EXPECT_EQ (reason, nullptr) << reason;
  free (reason);
  pleg->ops->stop (pleg);
  EXPECT_EQ (recorder.bad_timings (), 0);
}

TEST_F (PlegTest, UnhealthyWhenTheRuntimeIsDown)
{
  fake_runtime_set_down (fake, true);
  NewPleg (1 * kMillisecond, 1 * kMillisecond);
  kl_error_t err = nullptr;
  ASSERT_EQ (pleg->ops->start (pleg, &err), 0) << kl_error_message (err);
  ASSERT_TRUE (recorder.WaitForRelists (0, 3));
  // Three failed relists at a 1ms period are past a 1ms threshold.
  char *reason = pleg->ops->unhealthy_reason (pleg);
  ASSERT_NE (reason, nullptr);
  EXPECT_NE (std::string (reason).find ("pleg was last seen active"), std::string::npos) << reason;
  EXPECT_NE (std::string (reason).find ("threshold is"), std::string::npos) << reason;
  free (reason);

  // Back up: healthy again after a good relist.
  fake_runtime_set_down (fake, false);
  ASSERT_TRUE (recorder.WaitForRelists (1));
  pleg->ops->free (pleg);
  NewPleg (); // a fresh one with the default threshold, for the check below
  ASSERT_EQ (pleg->ops->start (pleg, &err), 0);
  ASSERT_TRUE (recorder.WaitForRelists (2));
  reason = pleg->ops->unhealthy_reason (pleg);
  EXPECT_EQ (reason, nullptr) << reason;
  free (reason);
}

TEST_F (PlegTest, StartedLoopDeliversEvents)
{
  NewPleg (5 * kMillisecond);
  kl_error_t err = nullptr;
  ASSERT_EQ (pleg->ops->start (pleg, &err), 0) << kl_error_message (err);
  ASSERT_TRUE (recorder.WaitForRelists (1));

  std::string sb = RunSandbox ("u1");
  ASSERT_TRUE (recorder.WaitForEvent ("u1"));
  recorder.Take ();
  std::string c = CreateContainer (sb, "u1", "app");
  StartContainer (c);
  ASSERT_TRUE (recorder.WaitForEvent ("u1"));
  recorder.Take ();
  fake_runtime_exit_container (fake, c.c_str (), 0, nullptr);
  ASSERT_TRUE (recorder.WaitForEvent ("u1"));

  pleg->ops->stop (pleg);
  pleg->ops->stop (pleg); // twice is fine
  // Stopped: nothing more arrives.
  recorder.Take ();
  RunSandbox ("u2");
  EXPECT_FALSE (recorder.WaitFor ([] { return false; }, std::chrono::milliseconds (50)));
  EXPECT_TRUE (recorder.Take ().empty ());
}

TEST_F (PlegTest, StopPromptlyWithALongPeriod)
{
  NewPleg (3600 * kSecond);
  kl_error_t err = nullptr;
  ASSERT_EQ (pleg->ops->start (pleg, &err), 0);
  ASSERT_TRUE (recorder.WaitForRelists (1));
  auto begin = std::chrono::steady_clock::now ();
  pleg->ops->stop (pleg);
  EXPECT_LT (std::chrono::steady_clock::now () - begin, std::chrono::seconds (5))
      << "stop wakes the sleeping loop";
}

TEST_F (PlegTest, FreeWithoutStartAndStopWithoutStart)
{
  NewPleg ();
  pleg->ops->stop (pleg);
  pleg->ops->free (pleg);
  pleg = nullptr;
  NewPleg ();
  kl_error_t err = nullptr;
  ASSERT_EQ (pleg->ops->start (pleg, &err), 0);
  // Freed while running: free stops it first.
}

// Go's GenericPLEG.Relist() records the relist time itself, so a PLEG that
// relisted successfully (start-up, or tests driving it by hand) is healthy
// for the threshold after it; here only the background loop records it.
TEST_F (PlegTest, HealthyRightAfterASuccessfulManualRelist)
{
  NewPleg (kSecond, 60 * kSecond);
  EXPECT_TRUE (Relist ().empty ());
  char *reason = pleg->ops->unhealthy_reason (pleg);
  EXPECT_EQ (reason, nullptr) << reason;
  free (reason);
}

} // namespace

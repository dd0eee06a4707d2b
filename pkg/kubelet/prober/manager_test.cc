// The manager end to end: worker threads with 1 s periods against a fake
// runtime, waits bounded by deadlines on condition variables.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <string>

#include "pkg/kubelet/prober/testing.h"

extern "C" {
#include "pkg/kubelet/api/decode.h"
}

namespace {

using kl_prober_testing::ExecCall;
using kl_prober_testing::ExecReply;
using kl_prober_testing::FakeRuntime;
using kl_prober_testing::Recorder;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

const int64_t kSecond = 1000000000LL;
const char kUID[] = "7f1c0a52-uid";

int64_t
WallNow ()
{
  struct timespec ts;
  clock_gettime (CLOCK_REALTIME, &ts);
  return (int64_t) ts.tv_sec * kSecond + ts.tv_nsec;
}

// A pod "web" with UID kUID and one container "app" carrying `probes`
// (YAML lines indented for the container).
kl_pod_t *
DecodePod (const std::string &probes)
{
  std::string yaml = std::string ("apiVersion: v1\n"
                                  "kind: Pod\n"
                                  "metadata:\n"
                                  "  name: web\n"
                                  "  uid: ")
                     + kUID
                     + "\n"
                       "spec:\n"
                       "  containers:\n"
                       "    - name: app\n"
                       "      image: busybox\n"
                     + probes;
  kl_pod_list_t list = { nullptr, 0 };
  kl_error_t err = nullptr;
  if (kl_pod_decode (yaml.data (), yaml.size (), "test", &list, &err) < 0)
    {
      ADD_FAILURE () << kl_error_message (err);
      kl_error_release (&err);
      return nullptr;
    }
  kl_pod_t *pod = list.items[0];
  free (list.items);
  return pod;
}

// An exec probe running `name` each second.
std::string
ExecProbe (const char *field, const char *name, int failure_threshold = 1, int initial_delay = 0,
           int period = 1)
{
  return std::string ("      ") + field + ":\n" + "        exec:\n" + "          command: [" + name
         + "]\n" + "        periodSeconds: " + std::to_string (period) + "\n"
         + "        failureThreshold: " + std::to_string (failure_threshold) + "\n"
         + "        initialDelaySeconds: " + std::to_string (initial_delay) + "\n";
}

class ManagerTest : public ::testing::Test
{
protected:
  void
  SetUp () override
  {
    fake_.SetScript ([this] (const ExecCall &call) {
      ExecReply reply;
      std::lock_guard<std::mutex> lock (mu_);
      reply.exit_code = exit_codes_[call.cmd[0]];
      return reply;
    });
  }

  void
  TearDown () override
  {
    kl_prober_free (manager_);
  }

  void
  Start (kl_prober_clock_fn now = nullptr, void *now_ctx = nullptr)
  {
    kl_prober_options_t options = {};
    options.runtime = fake_.runtime ();
    options.on_change = Recorder::OnChange;
    options.on_change_ctx = &recorder_;
    options.now = now;
    options.now_ctx = now_ctx;
    kl_error_t err = nullptr;
    ASSERT_EQ (kl_prober_new (&options, &manager_, &err), 0) << kl_error_message (err);
  }

  void
  AddPod (const std::string &probes)
  {
    kl_pod_t *pod = DecodePod (probes);
    ASSERT_NE (pod, nullptr);
    kl_error_t err = nullptr;
    EXPECT_EQ (kl_prober_add_pod (manager_, pod, &err), 0) << kl_error_message (err);
    kl_pod_free (pod); // the manager keeps its own copy
  }

  void
  UpdateContainer (const char *id, bool running, int64_t started_at = 0)
  {
    kl_error_t err = nullptr;
    EXPECT_EQ (kl_prober_update_container (manager_, kUID, "app", id,
                                           started_at ? started_at : WallNow (), running, &err),
               0)
        << kl_error_message (err);
  }

  void
  SetExit (const std::string &name, int code)
  {
    std::lock_guard<std::mutex> lock (mu_);
    exit_codes_[name] = code;
  }

  bool
  WaitChange (kl_probe_type_t type, kl_probe_result_t result, size_t from,
              milliseconds timeout = milliseconds (4000))
  {
    return recorder_.WaitForChange ("app", type, result, timeout, from);
  }

  // True once `name` has run n times in total; false after `timeout`.
  bool
  WaitCalls (const std::string &name, int n, milliseconds timeout = milliseconds (4000))
  {
    return fake_.WaitFor (
        [&] (const std::vector<ExecCall> &calls) {
          int count = 0;
          for (const auto &c : calls)
            if (c.cmd[0] == name)
              count++;
          return count >= n;
        },
        timeout);
  }

  kl_probe_result_t
  Result (kl_probe_type_t type)
  {
    return kl_probe_result (manager_, kUID, "app", type);
  }

  FakeRuntime fake_;
  Recorder recorder_;
  kl_prober_t *manager_ = nullptr;
  std::mutex mu_;
  std::map<std::string, int> exit_codes_;
};

TEST_F (ManagerTest, ReadinessFlipsAndCallsOnChange)
{
  Start ();
  AddPod (ExecProbe ("readinessProbe", "ready"));
  EXPECT_EQ (Result (KL_PROBE_READINESS), KL_PROBE_UNKNOWN); // no container yet
  kl_error_t err = nullptr;
  ASSERT_EQ (kl_prober_update_pod_ip (manager_, kUID, "10.0.0.7", &err), 0);

  UpdateContainer ("containerd://c1", true);
  // Not ready until the first success.
  EXPECT_TRUE (WaitChange (KL_PROBE_READINESS, KL_PROBE_FAILURE, 0));
  ASSERT_TRUE (WaitChange (KL_PROBE_READINESS, KL_PROBE_SUCCESS, 0));
  EXPECT_EQ (Result (KL_PROBE_READINESS), KL_PROBE_SUCCESS);
  EXPECT_TRUE (kl_prober_container_started (manager_, kUID, "app"));
  EXPECT_TRUE (kl_prober_container_ready (manager_, kUID, "app"));

  size_t mark = recorder_.Size ();
  SetExit ("ready", 1);
  ASSERT_TRUE (WaitChange (KL_PROBE_READINESS, KL_PROBE_FAILURE, mark));
  EXPECT_FALSE (kl_prober_container_ready (manager_, kUID, "app"));

  mark = recorder_.Size ();
  SetExit ("ready", 0);
  ASSERT_TRUE (WaitChange (KL_PROBE_READINESS, KL_PROBE_SUCCESS, mark));
  EXPECT_TRUE (kl_prober_container_ready (manager_, kUID, "app"));

  auto changes = recorder_.Changes ();
  ASSERT_GE (changes.size (), 4u);
  EXPECT_EQ (changes[0].pod_uid, kUID);
  EXPECT_EQ (changes[0].container, "app");
  EXPECT_EQ (changes[0].type, KL_PROBE_READINESS);
  EXPECT_EQ (changes[0].result, KL_PROBE_FAILURE);
  EXPECT_EQ (changes[1].result, KL_PROBE_SUCCESS);
  EXPECT_EQ (changes[2].result, KL_PROBE_FAILURE);
  EXPECT_EQ (changes[3].result, KL_PROBE_SUCCESS);
  auto calls = fake_.Calls ();
  ASSERT_FALSE (calls.empty ());
  EXPECT_EQ (calls[0].container_id, "c1");
  EXPECT_EQ (calls[0].timeout, 1);
}

TEST_F (ManagerTest, LivenessFailureHoldsUntilANewContainer)
{
  Start ();
  SetExit ("alive", 1);
  AddPod (ExecProbe ("livenessProbe", "alive", 2));
  UpdateContainer ("c1", true);
  EXPECT_TRUE (WaitChange (KL_PROBE_LIVENESS, KL_PROBE_SUCCESS, 0)); // alive until proven dead
  ASSERT_TRUE (WaitChange (KL_PROBE_LIVENESS, KL_PROBE_FAILURE, 0));
  EXPECT_EQ (fake_.CountCalls ("alive"), 2); // failureThreshold 2

  // On hold: the container is about to be restarted; no more probes.
  EXPECT_FALSE (WaitCalls ("alive", 3, milliseconds (1500)));

  // The restarted container starts afresh.
  size_t mark = recorder_.Size ();
  SetExit ("alive", 0);
  UpdateContainer ("c2", true);
  EXPECT_TRUE (WaitChange (KL_PROBE_LIVENESS, KL_PROBE_SUCCESS, mark));
  ASSERT_TRUE (WaitCalls ("alive", 3));
  EXPECT_EQ (fake_.Calls ().back ().container_id, "c2");
  EXPECT_EQ (Result (KL_PROBE_LIVENESS), KL_PROBE_SUCCESS);
}

TEST_F (ManagerTest, StartupProbeGatesLivenessAndReadiness)
{
  Start ();
  SetExit ("started", 1);
  AddPod (ExecProbe ("startupProbe", "started", 100) + ExecProbe ("livenessProbe", "alive")
          + ExecProbe ("readinessProbe", "ready"));
  UpdateContainer ("c1", true);
  ASSERT_TRUE (WaitCalls ("started", 2));
  EXPECT_EQ (fake_.CountCalls ("alive"), 0);
  EXPECT_EQ (fake_.CountCalls ("ready"), 0);
  EXPECT_EQ (Result (KL_PROBE_STARTUP), KL_PROBE_UNKNOWN);
  EXPECT_EQ (Result (KL_PROBE_READINESS), KL_PROBE_FAILURE);
  EXPECT_FALSE (kl_prober_container_started (manager_, kUID, "app"));
  EXPECT_FALSE (kl_prober_container_ready (manager_, kUID, "app"));

  SetExit ("started", 0);
  ASSERT_TRUE (WaitChange (KL_PROBE_STARTUP, KL_PROBE_SUCCESS, 0));
  ASSERT_TRUE (WaitChange (KL_PROBE_READINESS, KL_PROBE_SUCCESS, 0));
  EXPECT_TRUE (WaitCalls ("alive", 1));
  EXPECT_TRUE (kl_prober_container_started (manager_, kUID, "app"));
  EXPECT_TRUE (kl_prober_container_ready (manager_, kUID, "app"));
}

struct FakeClock
{
  std::atomic<int64_t> now{ 0 };
  static int64_t
  Now (void *ctx)
  {
    return static_cast<FakeClock *> (ctx)->now.load ();
  }
};

TEST_F (ManagerTest, InitialDelayWithAnInjectedClock)
{
  FakeClock clock;
  clock.now = 1000 * kSecond;
  Start (FakeClock::Now, &clock);
  AddPod (ExecProbe ("readinessProbe", "ready", 1, 30));
  UpdateContainer ("c1", true, 1000 * kSecond);
  // 30 s of the injected clock have not passed: no probe.
  EXPECT_FALSE (WaitCalls ("ready", 1, milliseconds (300)));
  clock.now = 1029 * kSecond;
  kl_prober_wake (manager_);
  EXPECT_FALSE (WaitCalls ("ready", 1, milliseconds (300)));
  clock.now = 1030 * kSecond;
  kl_prober_wake (manager_);
  ASSERT_TRUE (WaitCalls ("ready", 1));
  EXPECT_TRUE (WaitChange (KL_PROBE_READINESS, KL_PROBE_SUCCESS, 0));
  // The next probe is a period later on the same clock.
  EXPECT_FALSE (WaitCalls ("ready", 2, milliseconds (300)));
  clock.now = 1031 * kSecond;
  kl_prober_wake (manager_);
  EXPECT_TRUE (WaitCalls ("ready", 2));
}

TEST_F (ManagerTest, ExitedContainerIsNotReady)
{
  Start ();
  AddPod (ExecProbe ("readinessProbe", "ready") + ExecProbe ("livenessProbe", "alive"));
  UpdateContainer ("c1", true);
  ASSERT_TRUE (WaitChange (KL_PROBE_READINESS, KL_PROBE_SUCCESS, 0));
  size_t mark = recorder_.Size ();
  UpdateContainer ("c1", false);
  EXPECT_TRUE (WaitChange (KL_PROBE_READINESS, KL_PROBE_FAILURE, mark));
  EXPECT_FALSE (kl_prober_container_ready (manager_, kUID, "app"));
  EXPECT_EQ (Result (KL_PROBE_LIVENESS), KL_PROBE_SUCCESS);
}

TEST_F (ManagerTest, TriggerProbesAtOnce)
{
  Start ();
  AddPod (ExecProbe ("readinessProbe", "ready", 1, 0, 3600));
  UpdateContainer ("c1", true);
  ASSERT_TRUE (WaitChange (KL_PROBE_READINESS, KL_PROBE_SUCCESS, 0));
  size_t mark = recorder_.Size ();
  SetExit ("ready", 1);
  kl_prober_trigger (manager_, kUID, "app", KL_PROBE_READINESS);
  EXPECT_TRUE (WaitChange (KL_PROBE_READINESS, KL_PROBE_FAILURE, mark));
}

TEST_F (ManagerTest, RemovePodForgetsIt)
{
  Start ();
  AddPod (ExecProbe ("readinessProbe", "ready"));
  UpdateContainer ("c1", true);
  ASSERT_TRUE (WaitChange (KL_PROBE_READINESS, KL_PROBE_SUCCESS, 0));
  kl_prober_remove_pod (manager_, kUID);
  EXPECT_EQ (Result (KL_PROBE_READINESS), KL_PROBE_UNKNOWN);
  EXPECT_FALSE (kl_prober_container_ready (manager_, kUID, "app"));
  kl_error_t err = nullptr;
  EXPECT_LT (kl_prober_update_container (manager_, kUID, "app", "c2", 0, true, &err), 0);
  EXPECT_TRUE (kl_error_is (err, KL_ERROR_NOT_FOUND));
  kl_error_release (&err);
  // Adding it again starts from scratch.
  AddPod (ExecProbe ("readinessProbe", "ready"));
  EXPECT_EQ (Result (KL_PROBE_READINESS), KL_PROBE_UNKNOWN);
  size_t mark = recorder_.Size ();
  UpdateContainer ("c2", true);
  EXPECT_TRUE (WaitChange (KL_PROBE_READINESS, KL_PROBE_SUCCESS, mark));
}

TEST_F (ManagerTest, Errors)
{
  Start ();
  kl_error_t err = nullptr;
  EXPECT_LT (kl_prober_update_pod_ip (manager_, "nope", "10.0.0.1", &err), 0);
  EXPECT_TRUE (kl_error_is (err, KL_ERROR_NOT_FOUND));
  kl_error_release (&err);
  AddPod (ExecProbe ("readinessProbe", "ready"));
  AddPod (ExecProbe ("readinessProbe", "ready")); // known UID: left as it is
  EXPECT_LT (kl_prober_update_container (manager_, kUID, "sidecar", "c1", 0, true, &err), 0);
  EXPECT_STREQ (kl_error_message (err), "prober: no container sidecar in pod 7f1c0a52-uid");
  kl_error_release (&err);
  kl_pod_t *pod = DecodePod ("");
  free (pod->metadata.uid);
  pod->metadata.uid = nullptr;
  EXPECT_LT (kl_prober_add_pod (manager_, pod, &err), 0);
  EXPECT_STREQ (kl_error_message (err), "prober: pod web has no UID");
  kl_error_release (&err);
  kl_pod_free (pod);
  // Containers without probes are known, started when running, always ready.
  EXPECT_EQ (kl_probe_result (manager_, kUID, "app", KL_PROBE_LIVENESS), KL_PROBE_UNKNOWN);
  kl_prober_trigger (manager_, "nope", "app", KL_PROBE_READINESS); // ignored
  kl_prober_remove_pod (manager_, "nope");                         // ignored
}

// The callback may call back into the manager.
struct Reentrant
{
  kl_prober_t *manager = nullptr;
  std::mutex mu;
  std::condition_variable cv;
  int seen = 0;
  kl_probe_result_t last = KL_PROBE_UNKNOWN;

  static void
  OnChange (void *ctx, const char *uid, const char *name, kl_probe_type_t type, kl_probe_result_t)
  {
    auto *r = static_cast<Reentrant *> (ctx);
    kl_probe_result_t now = kl_probe_result (r->manager, uid, name, type);
    std::lock_guard<std::mutex> lock (r->mu);
    r->seen++;
    r->last = now;
    r->cv.notify_all ();
  }
};

TEST_F (ManagerTest, CallbackMayCallTheManager)
{
  Reentrant reentrant;
  kl_prober_options_t options = {};
  options.runtime = fake_.runtime ();
  options.on_change = Reentrant::OnChange;
  options.on_change_ctx = &reentrant;
  kl_error_t err = nullptr;
  ASSERT_EQ (kl_prober_new (&options, &manager_, &err), 0);
  reentrant.manager = manager_;
  AddPod (ExecProbe ("readinessProbe", "ready"));
  UpdateContainer ("c1", true);
  std::unique_lock<std::mutex> lock (reentrant.mu);
  EXPECT_TRUE (reentrant.cv.wait_for (lock, milliseconds (4000), [&] {
    return reentrant.seen >= 2 && reentrant.last == KL_PROBE_SUCCESS;
  }));
}

// Stopping does not wait for periods nor for a TCP connect in flight.
TEST_F (ManagerTest, FreeIsPrompt)
{
  // A listener whose backlog is full: connects to it hang.
  int listener = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in addr = {};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  ASSERT_EQ (bind (listener, (struct sockaddr *) &addr, sizeof addr), 0);
  socklen_t len = sizeof addr;
  ASSERT_EQ (getsockname (listener, (struct sockaddr *) &addr, &len), 0);
  ASSERT_EQ (listen (listener, 0), 0);
  int filler = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_EQ (connect (filler, (struct sockaddr *) &addr, sizeof addr), 0);

  Start ();
  std::string port = std::to_string (ntohs (addr.sin_port));
  AddPod ("      livenessProbe:\n"
          "        tcpSocket:\n"
          "          port: "
          + port
          + "\n"
            "        timeoutSeconds: 60\n"
          + ExecProbe ("readinessProbe", "ready", 1, 0, 3600));
  kl_error_t err = nullptr;
  ASSERT_EQ (kl_prober_update_pod_ip (manager_, kUID, "127.0.0.1", &err), 0);
  UpdateContainer ("c1", true);
  ASSERT_TRUE (WaitChange (KL_PROBE_READINESS, KL_PROBE_SUCCESS, 0));
  auto start = Clock::now ();
  kl_prober_free (manager_);
  manager_ = nullptr;
  EXPECT_LT (Clock::now () - start, milliseconds (1000));
  close (filler);
  close (listener);
}

} // namespace

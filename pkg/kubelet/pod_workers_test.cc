// The pod workers with a scripted sync: a sync in flight is cancelled when
// its pod is removed, updated or the workers stop, so a long sync (a wide
// pod's container starts) does not hold up the termination or the new spec.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "test/util/wait.h"

extern "C" {
#include "pkg/kubelet/api/decode.h"
#include "pkg/kubelet/pod_workers.h"
#include "pkg/util/cancel.h"
#include "pkg/util/utils.h"
}

namespace {

const int64_t kHour = 3600LL * 1000000000LL;

// A static pod `name` whose config hash (and so whose spec) is `hash`.
kl_pod_t *
NewPod (const std::string &name, const std::string &hash)
{
  std::string yaml = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: " + name + "\n  uid: " + name
                     + "-uid\n  annotations: {kubernetes.io/config.hash: " + hash
                     + "}\nspec:\n  containers:\n  - {name: a, image: busybox}\n";
  kl_pod_list_t list = { nullptr, 0 };
  kl_error_t err = nullptr;
  EXPECT_EQ (kl_pod_decode (yaml.data (), yaml.size (), "test.yaml", &list, &err), 0)
      << kl_error_message (err);
  kl_error_release (&err);
  EXPECT_EQ (list.n_items, 1u);
  kl_pod_t *pod = list.items[0];
  list.items[0] = nullptr;
  kl_pod_list_clear (&list);
  return pod;
}

// A sync that "starts" up to `steps_per_sync` containers, 1 ms each,
// checking the cancel before each as the runtime manager does.
class PodWorkersTest : public ::testing::Test
{
protected:
  void
  SetUp () override
  {
    kl_pod_workers_opts_t opts = {};
    opts.sync = [] (void *ctx, const kl_pod_t *pod, const kl_pod_status_t *,
                    const kl_cancel_t *cancel, kl_pod_status_t **status) -> int64_t {
      return static_cast<PodWorkersTest *> (ctx)->Sync (pod, cancel, status);
    };
    opts.terminate = [] (void *ctx, const char *, const kl_pod_t *) -> int64_t {
      static_cast<PodWorkersTest *> (ctx)->terminated++;
      return 0;
    };
    opts.ctx = this;
    workers = kl_pod_workers_new (&opts);
  }

  void
  TearDown () override
  {
    kl_pod_workers_free (workers);
    for (kl_pod_t *p : pods)
      kl_pod_free (p);
  }

  int64_t
  Sync (const kl_pod_t *pod, const kl_cancel_t *cancel, kl_pod_status_t **status)
  {
    std::string hash = kl_kv_get (pod->metadata.annotations, pod->metadata.n_annotations,
                                  "kubernetes.io/config.hash");
    {
      std::lock_guard<std::mutex> l (mu);
      synced_hashes.push_back (hash);
    }
    const int n = steps_per_sync; // as the sync began
    for (int i = 0; i < n; i++)
      {
        if (kl_cancelled (cancel))
          {
            cancelled++;
            return 0;
          }
        steps++;
        std::this_thread::sleep_for (std::chrono::milliseconds (1));
      }
    completed++;
    *status = static_cast<kl_pod_status_t *> (xmalloc0 (sizeof **status));
    (*status)->phase = xstrdup (("synced " + hash).c_str ());
    return kHour;
  }

  void
  SetDesired (std::vector<kl_pod_t *> desired)
  {
    kl_pod_list_t list = { desired.data (), desired.size () };
    kl_pod_workers_set_desired (workers, &list);
    pods.insert (pods.end (), desired.begin (), desired.end ());
  }

  std::vector<std::string>
  Hashes ()
  {
    std::lock_guard<std::mutex> l (mu);
    return synced_hashes;
  }

  // The phase /pods would show for the one live pod ("" if none / no status).
  std::string
  Phase ()
  {
    kl_pod_snapshot_t snap;
    kl_pod_workers_snapshot (workers, &snap);
    std::string phase
        = snap.n == 1 && snap.statuses[0] && snap.statuses[0]->phase ? snap.statuses[0]->phase : "";
    kl_pod_workers_snapshot_free (&snap);
    return phase;
  }

  kl_pod_workers_t *workers = nullptr;
  std::vector<kl_pod_t *> pods;
  std::atomic<int> steps_per_sync{ 20000 }; // 20 s uncancelled: beyond every deadline below
  std::atomic<int> steps{ 0 }, cancelled{ 0 }, completed{ 0 }, terminated{ 0 };
  std::mutex mu;
  std::vector<std::string> synced_hashes;
};

TEST_F (PodWorkersTest, RemovingThePodCancelsItsSyncAndTerminatesIt)
{
  SetDesired ({ NewPod ("wide", "h1") });
  ASSERT_TRUE (kl_test::WaitFor ([&] { return steps >= 5; }, 5));
  auto removed = std::chrono::steady_clock::now ();
  SetDesired ({});
  ASSERT_TRUE (kl_test::WaitFor ([&] { return terminated == 1; }, 5));
  auto took = std::chrono::steady_clock::now () - removed;
  EXPECT_LT (took, std::chrono::seconds (2));
  EXPECT_EQ (cancelled, 1);
  EXPECT_EQ (completed, 0);
  // Once cancelled, the sync did no further step.
  int at_termination = steps;
  std::this_thread::sleep_for (std::chrono::milliseconds (50));
  EXPECT_EQ (steps, at_termination);
}

TEST_F (PodWorkersTest, AnUpdateCancelsTheSyncAndTheNewSpecIsSyncedNext)
{
  SetDesired ({ NewPod ("wide", "h1") });
  ASSERT_TRUE (kl_test::WaitFor ([&] { return steps >= 5; }, 5));
  steps_per_sync = 10;
  SetDesired ({ NewPod ("wide", "h2") });
  ASSERT_TRUE (kl_test::WaitFor ([&] { return Phase () == "synced h2"; }, 5));
  EXPECT_EQ (Hashes (), (std::vector<std::string>{ "h1", "h2" }));
  EXPECT_EQ (cancelled, 1);
  EXPECT_EQ (completed, 1);
  EXPECT_EQ (terminated, 0);
}

TEST_F (PodWorkersTest, AnUnchangedSpecDoesNotCancel)
{
  steps_per_sync = 300;
  SetDesired ({ NewPod ("wide", "h1") });
  ASSERT_TRUE (kl_test::WaitFor ([&] { return steps >= 5; }, 5));
  SetDesired ({ NewPod ("wide", "h1") });
  ASSERT_TRUE (kl_test::WaitFor ([&] { return completed == 1; }, 5));
  EXPECT_EQ (cancelled, 0);
  EXPECT_EQ (steps, 300);
}

TEST_F (PodWorkersTest, StoppingCancelsTheSyncInFlight)
{
  SetDesired ({ NewPod ("wide", "h1") });
  ASSERT_TRUE (kl_test::WaitFor ([&] { return steps >= 5; }, 5));
  auto start = std::chrono::steady_clock::now ();
  kl_pod_workers_free (workers);
  workers = nullptr;
  EXPECT_LT (std::chrono::steady_clock::now () - start, std::chrono::seconds (2));
  EXPECT_EQ (cancelled, 1);
  EXPECT_EQ (terminated, 0); // stopping leaves pods running
}

TEST_F (PodWorkersTest, AStatusSetDuringTheSyncIsListedUntilTheSyncEnds)
{
  steps_per_sync = 500;
  SetDesired ({ NewPod ("wide", "h1") });
  ASSERT_TRUE (kl_test::WaitFor ([&] { return steps >= 5; }, 5));
  EXPECT_EQ (Phase (), ""); // not synced yet
  kl_pod_status_t interim = {};
  interim.phase = const_cast<char *> ("Pending");
  kl_pod_workers_set_status (workers, "wide-uid", &interim);
  EXPECT_EQ (Phase (), "Pending");
  ASSERT_TRUE (kl_test::WaitFor ([&] { return Phase () == "synced h1"; }, 5));
  // An unknown UID is ignored.
  kl_pod_workers_set_status (workers, "nobody", &interim);
  EXPECT_EQ (Phase (), "synced h1");
}

} // namespace

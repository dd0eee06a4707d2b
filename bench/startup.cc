// Static pod startup latency: a manifest renamed into the kubelet's manifest
// directory -> all of the pod's containers RUNNING in the runtime (ListContainers
// every 20 ms), for 1 pod at a time and for 30 pods written at once; beside it
// the floor, the same RunPodSandbox + CreateContainer + StartContainer calls
// made directly with the kubelet's own config builders. Prints table rows.
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "bench/harness.h"

extern "C" {
#include "pkg/kubelet/api/decode.h"
#include "pkg/kubelet/api/static.h"
#include "pkg/kubelet/kuberuntime/container_config.h"
#include "pkg/kubelet/kuberuntime/sandbox.h"
#include "pkg/util/fs.h"
#include "pkg/util/utils.h"
}

namespace {

using bench::Log;
using bench::NowNs;

const int kBatch = 30;
const int kBlock = 5;
const int kPollMs = 20;
const int64_t kSecond = 1000000000LL;

std::string
FullName (const std::string &name)
{
  return name + "-" + bench::kNode;
}

std::string
Seq (const char *fmt, int a, int b = 0)
{
  char buf[64];
  snprintf (buf, sizeof buf, fmt, a, b);
  return buf;
}

// What one set of runs gathered.
struct Samples
{
  std::vector<double> seconds;
  int failed = 0;
};

// ---- the floor: direct CRI calls ----

// One pod made by hand: the configs the kubelet would send for it.
class FloorPod
{
public:
  FloorPod (const bench::Options &opts, bench::Runtime &rt, const std::string &name,
            const std::string &image_ref)
      : rt_ (rt)
  {
    std::string manifest = bench::SleepPodManifest (name, opts.busybox);
    std::string source = opts.dir + "/floor-manifests/" + name + ".yaml";
    kl_pod_list_t list = { nullptr, 0 };
    kl_error_t err = NULL;
    struct timespec seen;
    clock_gettime (CLOCK_REALTIME, &seen);
    if (kl_pod_decode (manifest.data (), manifest.size (), source.c_str (), &list, &err) < 0)
      {
        Fail (&err);
        return;
      }
    pod_ = kl_pod_copy (list.items[0]);
    kl_pod_list_clear (&list);
    if (kl_static_pod_apply (pod_, bench::kNode, KL_POD_SOURCE_FILE, source.c_str (), &seen, &err)
        < 0)
      {
        Fail (&err);
        return;
      }
    std::string logs = opts.dir + "/floor-pod-logs";
    if (kl_sandbox_config_make (pod_, 0, logs.c_str (), "/etc/resolv.conf", &sandbox_, &err) < 0)
      {
        Fail (&err);
        return;
      }
    cleanup_free char *log_dir = kl_pod_log_directory (logs.c_str (), pod_);
    pod_dir_ = opts.dir + "/floor-pods/" + pod_->metadata.uid;
    if (kl_mkdir_p (log_dir, 0755, &err) < 0 || kl_mkdir_p (pod_dir_.c_str (), 0750, &err) < 0)
      {
        Fail (&err);
        return;
      }
    kl_container_config_opts_t copts = {};
    copts.image_ref = image_ref.c_str ();
    copts.pod_dir = pod_dir_.c_str ();
    if (kl_container_config_make (pod_, &pod_->spec.containers[0], &copts, &container_, &err) < 0)
      Fail (&err);
  }

  ~FloorPod ()
  {
    if (container_)
      protobuf_c_message_free_unpacked (&container_->base, NULL);
    if (sandbox_)
      protobuf_c_message_free_unpacked (&sandbox_->base, NULL);
    kl_pod_free (pod_);
  }

  bool
  ok () const
  {
    return error_.empty ();
  }
  const std::string &
  error () const
  {
    return error_;
  }

  // RunPodSandbox, CreateContainer, StartContainer.
  bool
  Start ()
  {
    kl_error_t err = NULL;
    Runtime__V1__RunPodSandboxRequest run = RUNTIME__V1__RUN_POD_SANDBOX_REQUEST__INIT;
    run.config = sandbox_;
    cleanup_pb Runtime__V1__RunPodSandboxResponse *ran = NULL;
    if (kl_cri_run_pod_sandbox (rt_.client (), &run, &ran, &err) < 0)
      return Fail (&err);
    sandbox_id_ = ran->pod_sandbox_id;
    Runtime__V1__CreateContainerRequest create = RUNTIME__V1__CREATE_CONTAINER_REQUEST__INIT;
    create.pod_sandbox_id = ran->pod_sandbox_id;
    create.config = container_;
    create.sandbox_config = sandbox_;
    cleanup_pb Runtime__V1__CreateContainerResponse *created = NULL;
    if (kl_cri_create_container (rt_.client (), &create, &created, &err) < 0)
      return Fail (&err);
    Runtime__V1__StartContainerRequest start = RUNTIME__V1__START_CONTAINER_REQUEST__INIT;
    start.container_id = created->container_id;
    cleanup_pb Runtime__V1__StartContainerResponse *started = NULL;
    if (kl_cri_start_container (rt_.client (), &start, &started, &err) < 0)
      return Fail (&err);
    return true;
  }

  // StopPodSandbox (kills its containers) and RemovePodSandbox (removes them).
  void
  Remove ()
  {
    if (sandbox_id_.empty ())
      return;
    kl_error_t err = NULL;
    Runtime__V1__StopPodSandboxRequest stop = RUNTIME__V1__STOP_POD_SANDBOX_REQUEST__INIT;
    stop.pod_sandbox_id = (char *) sandbox_id_.c_str ();
    cleanup_pb Runtime__V1__StopPodSandboxResponse *stopped = NULL;
    if (kl_cri_stop_pod_sandbox (rt_.client (), &stop, &stopped, &err) < 0)
      Log ("floor: stop sandbox %.12s: %s", sandbox_id_.c_str (), Message (&err).c_str ());
    Runtime__V1__RemovePodSandboxRequest rm = RUNTIME__V1__REMOVE_POD_SANDBOX_REQUEST__INIT;
    rm.pod_sandbox_id = (char *) sandbox_id_.c_str ();
    cleanup_pb Runtime__V1__RemovePodSandboxResponse *removed = NULL;
    if (kl_cri_remove_pod_sandbox (rt_.client (), &rm, &removed, &err) < 0)
      Log ("floor: remove sandbox %.12s: %s", sandbox_id_.c_str (), Message (&err).c_str ());
    sandbox_id_.clear ();
  }

private:
  static std::string
  Message (kl_error_t *err)
  {
    std::string m = kl_error_message (*err);
    kl_error_release (err);
    return m;
  }
  bool
  Fail (kl_error_t *err)
  {
    error_ = Message (err);
    return false;
  }

  bench::Runtime &rt_;
  kl_pod_t *pod_ = nullptr;
  Runtime__V1__PodSandboxConfig *sandbox_ = nullptr;
  Runtime__V1__ContainerConfig *container_ = nullptr;
  std::string pod_dir_, sandbox_id_, error_;
};

// Starts `names` concurrently (one thread each, released together) and adds
// each pod's time from the release to its StartContainer's return.
void
FloorRun (const bench::Options &opts, bench::Runtime &rt, const std::vector<std::string> &names,
          const std::string &prefix, const std::string &image_ref, Samples *out)
{
  std::vector<std::unique_ptr<FloorPod>> pods;
  for (auto &n : names)
    pods.emplace_back (new FloorPod (opts, rt, n, image_ref));
  std::vector<double> seconds (names.size (), NAN);
  std::atomic<bool> go (false);
  std::atomic<int64_t> t0 (0);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < pods.size (); i++)
    threads.emplace_back ([&, i] {
      while (!go.load ())
        std::this_thread::yield ();
      FloorPod &p = *pods[i];
      if (p.ok () && p.Start ())
        seconds[i] = (double) (NowNs () - t0.load ()) / 1e9;
      else
        Log ("floor: pod %s: %s", names[i].c_str (), p.error ().c_str ());
    });
  // Give the threads a moment to reach the spin, then release them at once.
  bench::SleepMs (20);
  t0.store (NowNs ());
  go.store (true);
  for (auto &t : threads)
    t.join ();
  threads.clear ();
  for (size_t i = 0; i < pods.size (); i++)
    threads.emplace_back ([&, i] { pods[i]->Remove (); });
  for (auto &t : threads)
    t.join ();
  if (!rt.WaitGone (prefix, 60))
    {
      Log ("floor: pods %s* still in the runtime after 60s; removing them", prefix.c_str ());
      rt.RemoveAll (prefix);
    }
  if (out == nullptr)
    return;
  for (double s : seconds)
    {
      if (isnan (s))
        out->failed++;
      else
        out->seconds.push_back (s);
    }
}

// ---- the kubelet ----

// Writes one manifest per name (renames, back to back), polls ListContainers
// every 20 ms until each pod has a running container or `deadline_s` pass,
// then removes the manifests and waits until the runtime has none of them.
// Adds each pod's time from its rename to the first poll that saw it running.
bool
KubeletRun (bench::Kubelet &kubelet, bench::Runtime &rt, const bench::Options &opts,
            const std::vector<std::string> &names, const std::string &prefix, int deadline_s,
            Samples *out)
{
  std::vector<std::string> manifests;
  for (auto &n : names)
    manifests.push_back (bench::SleepPodManifest (n, opts.busybox));
  std::map<std::string, int64_t> written; // full pod name -> rename time
  for (size_t i = 0; i < names.size (); i++)
    written[FullName (names[i])]
        = bench::WriteManifest (kubelet.manifests (), names[i] + ".yaml", manifests[i]);

  std::map<std::string, double> seconds;
  int64_t deadline = NowNs () + deadline_s * kSecond;
  int64_t next = NowNs ();
  while (seconds.size () < names.size () && NowNs () < deadline)
    {
      std::map<std::string, int> running;
      bool ok = rt.RunningByPod (prefix, &running);
      int64_t now = NowNs ();
      if (ok)
        for (auto &r : running)
          if (r.second >= 1 && written.count (r.first) && !seconds.count (r.first))
            seconds[r.first] = (double) (now - written[r.first]) / 1e9;
      next += kPollMs * 1000000LL;
      int64_t wait = next - NowNs ();
      if (wait > 0)
        bench::SleepMs (wait / 1000000LL);
      else
        next = NowNs ();
    }
  bool all = seconds.size () == names.size ();
  if (!all)
    Log ("kubelet: %zu of %zu pods %s* running after %ds", seconds.size (), names.size (),
         prefix.c_str (), deadline_s);

  for (auto &n : names)
    unlink ((kubelet.manifests () + "/" + n + ".yaml").c_str ());
  bool gone = rt.WaitGone (prefix, deadline_s);
  if (!gone)
    Log ("kubelet: pods %s* still in the runtime %ds after their manifests went", prefix.c_str (),
         deadline_s);
  if (out)
    {
      for (auto &s : seconds)
        out->seconds.push_back (s.second);
      out->failed += (int) (names.size () - seconds.size ());
    }
  return all && gone;
}

// Every sample, sorted, in ms: for a look at the distribution behind the table.
void
LogSamples (const char *what, Samples s)
{
  std::sort (s.seconds.begin (), s.seconds.end ());
  std::string all;
  for (double v : s.seconds)
    all += " " + std::to_string ((int) lround (v * 1000));
  Log ("%s (ms):%s", what, all.c_str ());
}

std::string
Notes (const Samples &s, const char *what)
{
  std::string n = std::to_string (s.seconds.size ()) + " " + what;
  if (s.failed)
    n += ", " + std::to_string (s.failed) + " FAILED";
  return n;
}

} // namespace

int
main (int argc, char **argv)
{
  bench::Options opts;
  if (!opts.Parse (argc, argv))
    return 2;
  bench::Runtime rt (opts.endpoint);
  if (rt.client () == nullptr)
    return 1;
  std::string busybox_ref, pause_ref, error;
  if (!rt.Pull (opts.busybox, &busybox_ref, &error) || !rt.Pull (opts.pause, &pause_ref, &error))
    {
      Log ("%s", error.c_str ());
      return 1;
    }
  int leftover = rt.Remaining ("");
  if (leftover != 0)
    {
      Log ("the runtime is not empty (%d sandboxes and containers, or no answer); want a fresh one",
           leftover);
      return 1;
    }

  // The floor runs while no kubelet does (a kubelet removes pods it has no
  // manifest for). Floor and kubelet runs alternate, in blocks of 5 single
  // pods and run by run for 30 pods, so that both see the same ups and downs
  // of this machine's load.
  Samples floor1, floor30, kl1, kl30;
  bool ok = true;
  bench::Kubelet kubelet (opts, opts.dir + "/kubelet");
  auto start_kubelet = [&] {
    if (kubelet.Running ())
      return true;
    if (!kubelet.Start (&error))
      {
        Log ("%s", error.c_str ());
        return false;
      }
    bench::SleepMs (2000); // its first relist and housekeeping
    return true;
  };
  auto stop_kubelet = [&] {
    kubelet.Stop ();
    if (rt.Remaining ("kl") != 0)
      {
        Log ("kubelet pods left behind; removing them");
        rt.RemoveAll ("kl");
      }
  };

  Log ("warm-up pods: floor, kubelet");
  FloorRun (opts, rt, { "floor1-warmup" }, "floor1-warmup-", busybox_ref, nullptr);
  if (start_kubelet ())
    ok &= KubeletRun (kubelet, rt, opts, { "kl1-warmup" }, "kl1-warmup-", 60, nullptr);
  stop_kubelet ();

  for (int block = 0; block < opts.repeat; block += kBlock)
    {
      int end = std::min (block + kBlock, opts.repeat);
      Log ("1 pod, runs %d-%d of %d: floor, then kubelet", block + 1, end, opts.repeat);
      for (int i = block; i < end; i++)
        {
          std::string name = Seq ("floor1-r%02d", i);
          FloorRun (opts, rt, { name }, FullName (name), busybox_ref, &floor1);
        }
      if (!start_kubelet ())
        {
          ok = false;
          continue;
        }
      for (int i = block; i < end && kubelet.Running (); i++)
        {
          std::string name = Seq ("kl1-r%02d", i);
          ok &= KubeletRun (kubelet, rt, opts, { name }, FullName (name), 60, &kl1);
        }
      stop_kubelet ();
    }

  for (int r = 0; r < opts.batch_repeat; r++)
    {
      Log ("%d pods at once, run %d of %d: kubelet, then floor", kBatch, r + 1, opts.batch_repeat);
      std::vector<std::string> names;
      if (start_kubelet ())
        {
          for (int j = 0; j < kBatch; j++)
            names.push_back (Seq ("kl30-r%d-p%02d", r, j));
          ok &= KubeletRun (kubelet, rt, opts, names, Seq ("kl30-r%d-", r), 180, &kl30);
        }
      else
        ok = false;
      stop_kubelet ();
      names.clear ();
      for (int j = 0; j < kBatch; j++)
        names.push_back (Seq ("floor30-r%d-p%02d", r, j));
      FloorRun (opts, rt, names, Seq ("floor30-r%d-", r), busybox_ref, &floor30);
    }
  kubelet.Stop ();
  if (kl1.failed + kl30.failed + floor1.failed + floor30.failed > 0)
    ok = false;

  LogSamples ("floor, 1 pod", floor1);
  LogSamples ("kubelet, 1 pod", kl1);
  LogSamples ("floor, 30 pods", floor30);
  LogSamples ("kubelet, 30 pods", kl30);
  using bench::FormatSeconds;
  using bench::Percentile;
  std::string runs = std::to_string (opts.batch_repeat) + " runs of " + std::to_string (kBatch);
  bench::PrintRow ("static pod startup, 1 pod: p50", FormatSeconds (Percentile (kl1.seconds, 50)),
                   FormatSeconds (Percentile (floor1.seconds, 50)),
                   Notes (kl1, "runs") + " / " + Notes (floor1, "runs")
                       + ", one pod at a time, floor and kubelet alternating in blocks of 5");
  bench::PrintRow ("static pod startup, 1 pod: p99", FormatSeconds (Percentile (kl1.seconds, 99)),
                   FormatSeconds (Percentile (floor1.seconds, 99)),
                   "kubelet: manifest renamed in -> container seen RUNNING by ListContainers every "
                   "20 ms (includes the file source's 100 ms debounce); floor: RunPodSandbox -> "
                   "StartContainer returned; p99 by nearest rank (of "
                       + std::to_string (opts.repeat) + " samples: the slowest)");
  bench::PrintRow ("static pod startup, 30 pods at once: p50",
                   FormatSeconds (Percentile (kl30.seconds, 50)),
                   FormatSeconds (Percentile (floor30.seconds, 50)),
                   Notes (kl30, "pods") + " / " + Notes (floor30, "pods") + " (" + runs
                       + ", kubelet and floor alternating)");
  bench::PrintRow ("static pod startup, 30 pods at once: p99",
                   FormatSeconds (Percentile (kl30.seconds, 99)),
                   FormatSeconds (Percentile (floor30.seconds, 99)),
                   "kubelet: each pod from its own rename (30 back to back); floor: 30 threads "
                   "released together, one CRI connection");
  return ok ? 0 : 1;
}

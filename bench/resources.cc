// The kubelet's footprint: RSS (VmRSS) and CPU (utime + stime over a window,
// as % of one core) with 0 pods and with 100 busybox `sleep` pods, and its
// PLEG relist time over the same windows from /metrics
// (kubelet_pleg_relist_duration_seconds, as a delta). Prints table rows.
#include <math.h>
#include <stdio.h>
#include <unistd.h>

#include <map>
#include <string>
#include <vector>

#include "bench/harness.h"

namespace {

using bench::Log;
using bench::NowNs;

const char *const kRelist = "kubelet_pleg_relist_duration_seconds";

// One measured window of a running kubelet.
struct Window
{
  bool ok = false;
  double cpu_percent = NAN; // of one core
  double rss_mib = NAN;     // mean of one sample a second
  double rss_max_mib = NAN; // largest sample
  double hwm_mib = NAN;     // VmHWM at the end
  int threads = 0;
  bench::Histogram relist; // observations inside the window
};

Window
Measure (bench::Kubelet &kubelet, int seconds)
{
  Window w;
  std::string before_text, after_text;
  bench::Histogram before, after;
  bench::ProcSample start, end, s;
  if (!kubelet.Metrics (&before_text) || !before.Parse (before_text, kRelist)
      || !bench::ReadProc (kubelet.pid (), &start))
    {
      Log ("window: no /metrics or /proc reading at the start");
      return w;
    }
  double rss_sum = 0, rss_max = 0;
  int n = 0;
  for (int i = 0; i < seconds; i++)
    {
      bench::SleepMs (1000);
      if (!bench::ReadProc (kubelet.pid (), &s))
        {
          Log ("window: the kubelet went away");
          return w;
        }
      rss_sum += s.rss_kib / 1024.0;
      rss_max = std::max (rss_max, s.rss_kib / 1024.0);
      n++;
    }
  if (!bench::ReadProc (kubelet.pid (), &end) || !kubelet.Metrics (&after_text)
      || !after.Parse (after_text, kRelist))
    {
      Log ("window: no /metrics or /proc reading at the end");
      return w;
    }
  w.ok = true;
  w.cpu_percent = 100.0 * (end.cpu_seconds - start.cpu_seconds) / ((end.at_ns - start.at_ns) / 1e9);
  w.rss_mib = rss_sum / n;
  w.rss_max_mib = rss_max;
  w.hwm_mib = end.hwm_kib / 1024.0;
  w.threads = end.threads;
  w.relist = after.Minus (before);
  return w;
}

std::string
Format (const char *fmt, double v)
{
  if (isnan (v))
    return "–";
  char buf[64];
  snprintf (buf, sizeof buf, fmt, v);
  return buf;
}

std::string
Seq (int i)
{
  char buf[32];
  snprintf (buf, sizeof buf, "load-p%03d", i);
  return buf;
}

// Waits until `n` pods load-p* have a running container; polls every 500 ms
// (lightly: the kubelet is what is being measured).
bool
WaitRunning (bench::Runtime &rt, int n, int seconds)
{
  int64_t deadline = NowNs () + seconds * 1000000000LL;
  std::map<std::string, int> running;
  for (;;)
    {
      if (rt.RunningByPod ("load-p", &running) && (int) running.size () >= n)
        return true;
      if (NowNs () > deadline)
        {
          Log ("%zu of %d pods running after %ds", running.size (), n, seconds);
          return false;
        }
      bench::SleepMs (500);
    }
}

void
RelistRow (const std::string &what, const Window &w)
{
  const bench::Histogram &h = w.relist;
  std::string value = "–", notes = "no relists observed";
  if (w.ok && h.count > 0)
    {
      value = "mean " + bench::FormatSeconds (h.sum / h.count) + ", p99 ≈ "
              + bench::FormatSeconds (h.Quantile (0.99));
      notes = Format ("%.0f relists in the window; p99 interpolated in its bucket (≤ ", h.count)
              + bench::FormatSeconds (h.QuantileBound (0.99)) + ")";
    }
  bench::PrintRow (what, value, "–", notes);
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
  std::string ref, error;
  if (!rt.Pull (opts.busybox, &ref, &error) || !rt.Pull (opts.pause, &ref, &error))
    {
      Log ("%s", error.c_str ());
      return 1;
    }
  if (rt.Remaining ("") != 0)
    {
      Log ("the runtime is not empty (or does not answer); want a fresh one");
      return 1;
    }

  bench::Kubelet kubelet (opts, opts.dir + "/kubelet");
  if (!kubelet.Start (&error))
    {
      Log ("%s", error.c_str ());
      return 1;
    }
  bool ok = true;
  bench::SleepMs (5000);
  Log ("window: 0 pods, %ds", opts.window);
  Window idle = Measure (kubelet, opts.window);
  ok &= idle.ok;

  Log ("writing %d manifests", opts.pods);
  int64_t written = NowNs ();
  for (int i = 0; i < opts.pods; i++)
    bench::WriteManifest (kubelet.manifests (), Seq (i) + ".yaml",
                          bench::SleepPodManifest (Seq (i), opts.busybox));
  double up_seconds = NAN, down_seconds = NAN;
  Window loaded;
  if (WaitRunning (rt, opts.pods, 300))
    {
      up_seconds = (NowNs () - written) / 1e9;
      Log ("%d pods running after %.1fs; settling 10s", opts.pods, up_seconds);
      bench::SleepMs (10000);
      Log ("window: %d pods, %ds", opts.pods, opts.window);
      loaded = Measure (kubelet, opts.window);
    }
  ok &= loaded.ok;

  Log ("removing the manifests");
  int64_t removed = NowNs ();
  for (int i = 0; i < opts.pods; i++)
    unlink ((kubelet.manifests () + "/" + Seq (i) + ".yaml").c_str ());
  if (rt.WaitGone ("load-p", 300))
    down_seconds = (NowNs () - removed) / 1e9;
  else
    {
      Log ("pods still in the runtime 300s after their manifests went");
      ok = false;
    }
  bench::SleepMs (3000);
  bench::ProcSample after;
  bool have_after = bench::ReadProc (kubelet.pid (), &after);
  if (!kubelet.Running ())
    {
      Log ("the kubelet died; see %s", kubelet.log_path ().c_str ());
      ok = false;
    }
  kubelet.Stop ();
  if (rt.Remaining ("load-p") != 0)
    rt.RemoveAll ("load-p");

  std::string pods = std::to_string (opts.pods) + " pods";
  std::string window = "over " + std::to_string (opts.window) + " s";
  bench::PrintRow ("kubelet RSS (VmRSS), 0 pods", Format ("%.1f MiB", idle.rss_mib), "–",
                   "mean of 1/s samples " + window + ", " + std::to_string (idle.threads)
                       + " threads");
  bench::PrintRow ("kubelet RSS (VmRSS), " + pods, Format ("%.1f MiB", loaded.rss_mib), "–",
                   "mean " + window + "; max " + Format ("%.1f MiB", loaded.rss_max_mib)
                       + ", peak since start (VmHWM) " + Format ("%.1f MiB", loaded.hwm_mib) + ", "
                       + std::to_string (loaded.threads) + " threads");
  bench::PrintRow ("kubelet RSS after the " + pods + " are removed",
                   have_after ? Format ("%.1f MiB", after.rss_kib / 1024.0) : "–", "–",
                   "3 s after the runtime had none of them");
  bench::PrintRow ("kubelet CPU, 0 pods", Format ("%.2f %% of a core", idle.cpu_percent), "–",
                   "utime+stime " + window);
  bench::PrintRow ("kubelet CPU, " + pods, Format ("%.2f %% of a core", loaded.cpu_percent), "–",
                   "utime+stime " + window + ", 10 s after all were running");
  RelistRow ("PLEG relist, 0 pods", idle);
  RelistRow ("PLEG relist, " + pods, loaded);
  bench::PrintRow (pods + " written at once -> all running", bench::FormatSeconds (up_seconds), "–",
                   "ListContainers every 500 ms");
  bench::PrintRow (pods + " removed -> none left in the runtime",
                   bench::FormatSeconds (down_seconds), "–",
                   "grace 1 s (the kubelet's floor is 2 s; `sleep` ignores SIGTERM as PID 1)");
  return ok ? 0 : 1;
}

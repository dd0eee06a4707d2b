// Pod churn through a kubelet: --pods static pods created and removed,
// --cycles times. Per cycle: the wall time from the first manifest written
// to the last pod gone from the runtime, then, once the kubelet has had
// `kSettleSeconds` to finish its cleanup, its RSS and open fds and what is
// left behind: the runtime's sandboxes and containers of these pods, mounts
// under the watched directories (beyond those before the first cycle), pod
// and pod-log directories. Prints table
// rows and a verdict row: nothing left behind, and RSS and fds flat within
// 10% of cycle 2 from cycle 2 on (cycle 1 warms caches and the allocator).
// Exits 1 if the verdict fails.
//
// --watch-mounts=DIR (repeatable) names the runtime's state directories
// whose mounts are counted; the kubelet's root directory always is.
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "bench/harness.h"

namespace {

using bench::Log;
using bench::NowNs;

// How long the kubelet gets after the last pod is gone for its pod
// directories, volumes and logs to be cleaned up (its housekeeping runs
// every 2 s), polled until nothing is left.
const int kSettleSeconds = 30;
// Each phase of a cycle (all running, all gone) gets this long at most.
const int kPhaseSeconds = 600;

struct CycleResult
{
  bool ok = false;
  double wall_s = NAN, up_s = NAN;
  double rss_mib = NAN;
  int fds = -1, sandboxes = -1, containers = -1, mounts = -1, pod_dirs = -1, log_dirs = -1;
};

int
CountEntries (const std::string &dir)
{
  DIR *d = opendir (dir.c_str ());
  if (d == nullptr)
    return 0; // not created (yet) or removed: nothing in it
  int n = 0;
  for (struct dirent *e; (e = readdir (d)) != nullptr;)
    if (strcmp (e->d_name, ".") != 0 && strcmp (e->d_name, "..") != 0)
      n++;
  closedir (d);
  return n;
}

// Mount points (field 5 of /proc/self/mountinfo) under any of `roots`.
int
CountMounts (const std::vector<std::string> &roots)
{
  std::ifstream in ("/proc/self/mountinfo");
  int n = 0;
  for (std::string line; std::getline (in, line);)
    {
      size_t p = 0;
      for (int field = 0; field < 4 && p != std::string::npos; field++)
        p = line.find (' ', p + 1);
      if (p == std::string::npos)
        continue;
      std::string mount_point = line.substr (p + 1, line.find (' ', p + 1) - p - 1);
      for (const auto &r : roots)
        if (mount_point.compare (0, r.size () + 1, r + "/") == 0)
          {
            n++;
            break;
          }
    }
  return n;
}

class Churn
{
public:
  Churn (const bench::Options &opts, const std::vector<std::string> &watch)
      : opts_ (opts), rt_ (opts.endpoint), kubelet_ (opts, opts.dir + "/kubelet"), watch_ (watch)
  {
    watch_.push_back (opts.dir + "/kubelet/root");
  }

  bool
  Start ()
  {
    // Mounts the runtime holds for itself are not the pods' leftovers.
    mounts_before_ = CountMounts (watch_);
    std::string error;
    if (!kubelet_.Start (&error))
      {
        Log ("kubelet: %s", error.c_str ());
        return false;
      }
    return true;
  }

  CycleResult
  Cycle (int cycle)
  {
    CycleResult r;
    std::string prefix = "churn" + std::to_string (cycle) + "-";
    std::vector<std::string> files;
    int64_t start = NowNs ();
    for (int i = 0; i < opts_.pods; i++)
      {
        char name[64];
        snprintf (name, sizeof name, "churn%d-p%03d", cycle, i);
        files.push_back (std::string (name) + ".yaml");
        bench::WriteManifest (kubelet_.manifests (), files.back (),
                              bench::SleepPodManifest (name, opts_.busybox));
      }
    if (!WaitRunning (prefix))
      return r;
    r.up_s = (NowNs () - start) / 1e9;
    for (const auto &f : files)
      unlink ((kubelet_.manifests () + "/" + f).c_str ());
    if (!rt_.WaitGone (prefix, kPhaseSeconds))
      {
        Log ("cycle %d: pods %s* still in the runtime after %d s", cycle, prefix.c_str (),
             kPhaseSeconds);
        return r;
      }
    r.wall_s = (NowNs () - start) / 1e9;
    // Leftovers, polled until none or the settle time is over.
    int64_t deadline = NowNs () + kSettleSeconds * 1000000000LL;
    do
      {
        bench::SleepMs (1000);
        Leftovers (prefix, &r);
      }
    while (NowNs () < deadline
           && (r.sandboxes != 0 || r.containers != 0 || r.mounts != 0 || r.pod_dirs != 0
               || r.log_dirs != 0));
    bench::ProcSample s;
    if (!kubelet_.Running () || !bench::ReadProc (kubelet_.pid (), &s))
      {
        Log ("cycle %d: the kubelet went away; see %s", cycle, kubelet_.log_path ().c_str ());
        return r;
      }
    r.rss_mib = s.rss_kib / 1024.0;
    r.fds = CountEntries ("/proc/" + std::to_string (kubelet_.pid ()) + "/fd");
    r.ok = true;
    return r;
  }

  void
  Cleanup ()
  {
    kubelet_.Stop ();
    rt_.RemoveAll ("churn");
  }

private:
  // Until every pod of `prefix` has its one container running.
  bool
  WaitRunning (const std::string &prefix)
  {
    int64_t deadline = NowNs () + kPhaseSeconds * 1000000000LL;
    std::map<std::string, int> running;
    while (NowNs () < deadline)
      {
        if (rt_.RunningByPod (prefix, &running) && (int) running.size () >= opts_.pods)
          return true;
        if (!kubelet_.Running ())
          {
            Log ("the kubelet exited; see %s", kubelet_.log_path ().c_str ());
            return false;
          }
        bench::SleepMs (250);
      }
    Log ("only %zu of %d pods %s* running after %d s", running.size (), opts_.pods, prefix.c_str (),
         kPhaseSeconds);
    return false;
  }

  void
  Leftovers (const std::string &prefix, CycleResult *r)
  {
    if (!rt_.Count (prefix, &r->sandboxes, &r->containers))
      r->sandboxes = r->containers = -1;
    r->mounts = CountMounts (watch_) - mounts_before_;
    r->pod_dirs = CountEntries (opts_.dir + "/kubelet/root/pods");
    r->log_dirs = CountEntries (opts_.dir + "/kubelet/pod-logs");
  }

  const bench::Options &opts_;
  bench::Runtime rt_;
  bench::Kubelet kubelet_;
  std::vector<std::string> watch_;
  int mounts_before_ = 0;
};

std::string
Fmt (const char *fmt, double v)
{
  char buf[64];
  if (isnan (v))
    return "–";
  snprintf (buf, sizeof buf, fmt, v);
  return buf;
}

// Largest deviation of `v[from..]` from v[from], as a fraction.
double
Spread (const std::vector<double> &v, size_t from)
{
  if (v.size () <= from || v[from] <= 0)
    return NAN;
  double worst = 0;
  for (size_t i = from; i < v.size (); i++)
    worst = std::max (worst, fabs (v[i] - v[from]) / v[from]);
  return worst;
}

} // namespace

int
main (int argc, char **argv)
{
  // --watch-mounts= is ours; the rest are the harness's options.
  std::vector<std::string> watch;
  std::vector<char *> rest = { argv[0] };
  for (int i = 1; i < argc; i++)
    if (strncmp (argv[i], "--watch-mounts=", 15) == 0)
      watch.push_back (argv[i] + 15);
    else
      rest.push_back (argv[i]);
  bench::Options opts;
  if (!opts.Parse ((int) rest.size (), rest.data ()))
    return 2;
  Churn churn (opts, watch);
  if (!churn.Start ())
    return 1;
  std::vector<double> rss, fds;
  bool ok = true, clean = true;
  for (int c = 1; c <= opts.cycles && ok; c++)
    {
      Log ("%s: cycle %d of %d: %d pods up and down", opts.runtime_name.c_str (), c, opts.cycles,
           opts.pods);
      CycleResult r = churn.Cycle (c);
      ok = r.ok;
      clean &= r.sandboxes == 0 && r.containers == 0 && r.mounts == 0 && r.pod_dirs == 0
               && r.log_dirs == 0;
      printf ("| %s | %d | %s (all up: %s) | %s MiB | %d | %d / %d | %d | %d / %d |\n",
              opts.runtime_name.c_str (), c, Fmt ("%.1f s", r.wall_s).c_str (),
              Fmt ("%.1f s", r.up_s).c_str (), Fmt ("%.1f", r.rss_mib).c_str (), r.fds,
              r.containers, r.sandboxes, r.mounts, r.pod_dirs, r.log_dirs);
      fflush (stdout);
      rss.push_back (r.rss_mib);
      fds.push_back (r.fds);
    }
  churn.Cleanup ();
  double rss_spread = Spread (rss, 1), fd_spread = Spread (fds, 1);
  bool flat = !isnan (rss_spread) && rss_spread <= 0.10 && !isnan (fd_spread) && fd_spread <= 0.10;
  printf ("| %s | verdict | %s | RSS within %s of cycle 2 | fds within %s | %s | | |\n",
          opts.runtime_name.c_str (), ok && clean && flat ? "PASS" : "FAIL",
          Fmt ("%.1f%%", rss_spread * 100).c_str (), Fmt ("%.1f%%", fd_spread * 100).c_str (),
          clean ? "nothing left" : "LEFTOVERS");
  return ok && clean && flat ? 0 : 1;
}

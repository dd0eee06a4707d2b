// Benchmark harness: a kubelet process on its own ports and paths, the
// runtime as our CRI client sees it, static pod manifests, /proc and
// /metrics readings, statistics and the rows of the results table.
#ifndef KL_BENCH_HARNESS_H
#define KL_BENCH_HARNESS_H

#include <stdint.h>
#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

extern "C" {
#include "pkg/kubelet/cri/remote/remote.h"
}

namespace bench {

// The node name every benchmark kubelet uses; static pods are "<name>-bench-node".
constexpr const char *kNode = "bench-node";
// Ports apart from the Go kubelet's (10255/10248) and the node e2e's (10355/10348).
constexpr int kReadOnlyPort = 10455;
constexpr int kHealthzPort = 10448;

// One --name=value flag of a benchmark and where its value goes: a string,
// an int (atoi) or, repeatable, a list.
struct Flag
{
  Flag (const char *n, std::string *v) : name (n), str (v) {}
  Flag (const char *n, int *v) : name (n), num (v) {}
  Flag (const char *n, std::vector<std::string> *v) : name (n), list (v) {}
  const char *name;
  std::string *str = nullptr;
  int *num = nullptr;
  std::vector<std::string> *list = nullptr;
};

// Sets `flags` from argv[1..]; on an unknown flag prints it and returns false.
bool ParseFlags (int argc, char **argv, const std::vector<Flag> &flags);

// What hack/bench.sh passes: --kubelet=, --endpoint=, --busybox=, --pause=, --dir=,
// and optionally --repeat=, --batch-repeat=, --window=, --pods=, --cycles=,
// --kubelet-arg= (repeatable), --runtime-name=.
struct Options
{
  std::string kubelet;  // the dockerless kubelet binary
  std::string endpoint; // unix:///.../containerd.sock
  std::string busybox;  // image for the pods' one container
  std::string pause;    // --pod-infra-container-image
  std::string dir;      // scratch directory of this program (created, left for the caller)
  int repeat = 20;      // 1-pod runs
  int batch_repeat = 3; // 30-pod runs
  int window = 30;      // seconds of each RSS/CPU/PLEG window
  int pods = 100;       // pods of the loaded window
  int cycles = 5;       // churn: create-and-remove cycles
  // --kubelet-arg= (repeatable): extra kubelet flags, e.g. the in-process
  // dockershim's --container-runtime=docker; --runtime-name= labels rows.
  std::vector<std::string> kubelet_args;
  std::string runtime_name = "containerd";
  // Parses argv; on a bad or missing option prints why and returns false.
  bool Parse (int argc, char **argv);
};

int64_t NowNs (); // CLOCK_MONOTONIC
void SleepMs (int64_t ms);
void Log (const char *fmt, ...) __attribute__ ((format (printf, 1, 2))); // to stderr, timestamped

// A static pod with one busybox container running `sleep 3600`, and a
// terminationGracePeriodSeconds of 1 so that removing it is quick.
std::string SleepPodManifest (const std::string &name, const std::string &image);

// Writes `content` beside `dir`/`file` as a dot-file (which the kubelet
// ignores) and renames it into place; returns NowNs () just before the rename.
int64_t WriteManifest (const std::string &dir, const std::string &file, const std::string &content);

// The runtime through our CRI client (one connection, safe from any thread).
class Runtime
{
public:
  explicit Runtime (const std::string &endpoint);
  ~Runtime ();
  Runtime (const Runtime &) = delete;
  Runtime &operator= (const Runtime &) = delete;

  kl_cri_client_t *
  client () const
  {
    return client_;
  }
  // Pulls `image`; *image_ref is the pulled image's ID.
  bool Pull (const std::string &image, std::string *image_ref, std::string *error);
  // Running containers per pod whose (full) pod name starts with `prefix`;
  // false if the runtime did not answer.
  bool RunningByPod (const std::string &prefix, std::map<std::string, int> *out);
  // Sandboxes plus containers of pods whose name starts with `prefix` (-1:
  // the runtime did not answer).
  int Remaining (const std::string &prefix);
  // The same, counted apart; false if the runtime did not answer.
  bool Count (const std::string &prefix, int *sandboxes, int *containers);
  // Polls Remaining (prefix) every 100 ms until it is 0 or `seconds` pass.
  bool WaitGone (const std::string &prefix, int seconds);
  // Stops and removes every sandbox (with its containers) of pods whose name
  // starts with `prefix`: the cleanup of last resort.
  void RemoveAll (const std::string &prefix);

private:
  kl_cri_client_t *client_ = nullptr;
};

// One kubelet process (--v=0) with its own manifest, root and log directories
// under `dir`, on kReadOnlyPort and kHealthzPort.
class Kubelet
{
public:
  Kubelet (const Options &opts, const std::string &dir);
  ~Kubelet (); // stops it if running
  Kubelet (const Kubelet &) = delete;
  Kubelet &operator= (const Kubelet &) = delete;

  // Starts it and waits (30 s at most) until /healthz answers 200.
  bool Start (std::string *error);
  // SIGTERM (pods keep running), SIGKILL after 20 s.
  void Stop ();
  pid_t
  pid () const
  {
    return pid_;
  }
  bool Running ();
  std::string
  manifests () const
  {
    return dir_ + "/manifests";
  }
  std::string
  log_path () const
  {
    return dir_ + "/kubelet.log";
  }
  // GET /metrics from the read-only port.
  bool Metrics (std::string *body);

private:
  const Options &opts_;
  std::string dir_;
  pid_t pid_ = -1;
};

// GET http://127.0.0.1:<port><path> (10 s at most): the status, 0 if unreachable.
int HttpGet (int port, const std::string &path, std::string *body);

// One reading of /proc/<pid>: CPU time (user + system, all threads) and memory.
struct ProcSample
{
  int64_t at_ns = 0;
  double cpu_seconds = 0;
  int64_t rss_kib = 0; // VmRSS
  int64_t hwm_kib = 0; // VmHWM: peak RSS since start
  int threads = 0;
};
bool ReadProc (pid_t pid, ProcSample *out);

// A Prometheus histogram (no labels) from /metrics text.
struct Histogram
{
  std::vector<double> bounds;     // le values, the last +Inf
  std::vector<double> cumulative; // count at or below each bound
  double sum = 0;
  double count = 0;
  bool Parse (const std::string &text, const std::string &name);
  // this - earlier: the observations in between.
  Histogram Minus (const Histogram &earlier) const;
  // histogram_quantile (q): linear inside the bucket where the rank falls.
  double Quantile (double q) const;
  // The upper bound of the bucket holding quantile q (the estimate's ceiling).
  double QuantileBound (double q) const;
};

// The p-th percentile (nearest rank) of `samples`; NaN if empty.
double Percentile (std::vector<double> samples, double p);

// "412 ms", "1.53 s", "–" for NaN.
std::string FormatSeconds (double seconds);

// One row of the results table:
// | measurement | kubelet | floor (direct CRI) | samples / notes |
void PrintRow (const std::string &measurement, const std::string &kubelet, const std::string &floor,
               const std::string &notes);

} // namespace bench

#endif

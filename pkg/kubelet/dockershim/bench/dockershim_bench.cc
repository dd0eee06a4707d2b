// Latency of the standalone dockershim's CRI calls beside the same Docker
// Engine API calls made directly through libdocker, and the dockershim's
// RSS idle and with 100 containers. hack/bench-dockershim.sh starts dockerd
// and the dockershim and runs this; it prints markdown table rows on stdout
// and its progress on stderr.
//
// Each CRI call is timed at the client, each direct call the same way, the
// two alternating; the direct column is the floor: the Docker calls a CRI
// call cannot avoid.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include "bench/harness.h"
#include "pkg/kubelet/dockershim/testing/cri_helpers.h"

extern "C" {
#include <jansson.h>

#include "pkg/kubelet/dockershim/libdocker/containers.h"
#include "pkg/kubelet/dockershim/libdocker/exec.h"
}

namespace {

using bench::Log;
using bench::NowNs;
using dstest::Error;
using dstest::Pb;

// A label on the containers this program makes directly, so that the
// cleanup finds them (the dockershim lists only its own labels).
const char *const kDirectLabel = "io.kubelet-c.bench";

struct Options
{
  std::string endpoint; // the dockershim: unix:///...sock
  std::string docker;   // dockerd: unix:///...sock
  std::string busybox, pause, dir;
  pid_t dockershim_pid = 0;
  int repeat = 30;      // samples of each timed call
  int containers = 100; // containers of the ListContainers and RSS measurements

  bool
  Parse (int argc, char **argv)
  {
    int pid = 0;
    if (!bench::ParseFlags (argc, argv,
                            { { "--endpoint", &endpoint },
                              { "--docker-endpoint", &docker },
                              { "--busybox", &busybox },
                              { "--pause", &pause },
                              { "--dir", &dir },
                              { "--dockershim-pid", &pid },
                              { "--repeat", &repeat },
                              { "--containers", &containers } }))
      return false;
    dockershim_pid = pid;
    if (endpoint.empty () || docker.empty () || busybox.empty () || pause.empty () || dir.empty ()
        || dockershim_pid <= 0 || repeat < 1 || containers < 1 || containers > 500)
      {
        fprintf (
            stderr,
            "usage: %s --endpoint=unix:///DOCKERSHIM.sock --docker-endpoint=unix:///DOCKER.sock "
            "--dockershim-pid=PID --busybox=IMAGE --pause=IMAGE --dir=DIR [--repeat=N] "
            "[--containers=N (1-500)]\n",
            argv[0]);
        return false;
      }
    return true;
  }
};

// Seconds of each sample.
typedef std::vector<double> Samples;

// Set when a timed call failed: the exit status says so.
bool failed;

// Times `fn` (which returns false on failure) once into `out`.
bool
TimeOne (int i, Samples *out, const std::function<bool (int)> &fn)
{
  int64_t start = NowNs ();
  if (!fn (i))
    {
      failed = true;
      return false;
    }
  out->push_back ((NowNs () - start) / 1e9);
  return true;
}

// Times `cri` `n_cri` times and `direct` `n_direct` times, alternating, so
// that both see the same load (the machine's, dockerd's state); each stops
// at its first failure.
void
TimePair (int n_cri, Samples *cri_out, const std::function<bool (int)> &cri, int n_direct,
          Samples *direct_out, const std::function<bool (int)> &direct)
{
  bool cri_ok = true, direct_ok = true;
  for (int i = 0; i < std::max (n_cri, n_direct); i++)
    {
      if (cri_ok && i < n_cri)
        cri_ok = TimeOne (i, cri_out, cri);
      if (direct_ok && i < n_direct)
        direct_ok = TimeOne (i, direct_out, direct);
    }
}

std::string
Quantiles (const Samples &s)
{
  if (s.empty ())
    return "failed";
  return bench::FormatSeconds (bench::Percentile (s, 50)) + " / "
         + bench::FormatSeconds (bench::Percentile (s, 90)) + " / "
         + bench::FormatSeconds (bench::Percentile (s, 99));
}

void
Row (const std::string &what, const Samples &cri, const Samples &direct, const std::string &notes)
{
  printf ("| %s | %s | %s | %s |\n", what.c_str (), Quantiles (cri).c_str (),
          Quantiles (direct).c_str (), notes.c_str ());
  fflush (stdout);
}

double
RssMib (pid_t pid)
{
  bench::ProcSample s;
  return bench::ReadProc (pid, &s) ? s.rss_kib / 1024.0 : NAN;
}

class Bench
{
public:
  explicit Bench (const Options &opts) : opts_ (opts), cri_ (opts.endpoint) {}
  ~Bench ()
  {
    Cleanup ();
    docker_client_free (docker_);
    dstest::RemoveTree (log_dir_);
  }

  bool
  Setup ()
  {
    if (cri_.client () == nullptr)
      return false;
    Error err;
    if (docker_client_new (opts_.docker.c_str (), 120 * dstest::kSecond, &docker_, &err.e) < 0)
      {
        Log ("docker %s: %s", opts_.docker.c_str (), err.msg ());
        return false;
      }
    std::string ref;
    if (!cri_.PullImage (opts_.busybox, &ref, &err) || !cri_.PullImage (opts_.pause, &ref, &err))
      {
        Log ("pull: %s", err.msg ());
        return false;
      }
    log_dir_ = opts_.dir + "/pod-logs";
    std::string cmd = "mkdir -p '" + log_dir_ + "'";
    return system (cmd.c_str ()) == 0;
  }

  void
  Run ()
  {
    double rss_idle = RssMib (opts_.dockershim_pid);
    Log ("dockershim RSS idle: %.1f MiB", rss_idle);

    Log ("RunPodSandbox x%d, then pause create+start direct x%d", opts_.repeat, opts_.repeat);
    Samples run_cri, run_direct;
    TimePair (
        opts_.repeat, &run_cri, [&] (int i) { return RunSandbox ("run" + std::to_string (i)); },
        opts_.repeat, &run_direct, [&] (int) { return DirectRun (opts_.pause, "", {}); });
    Row ("RunPodSandbox", run_cri, run_direct,
         std::to_string (run_cri.size ())
             + " sandboxes, Docker's bridge network; direct: create + "
               "start of the pause image");
    RemoveSandboxes (1); // keep the first one for the containers
    RemoveDirect ();
    if (sandboxes_.empty ())
      return;
    std::string pod = sandboxes_[0];

    Log ("CreateContainer+StartContainer x%d in one pod, then direct x%d", opts_.containers,
         opts_.repeat);
    Samples start_cri, start_direct;
    TimePair (
        opts_.containers, &start_cri, [&] (int i) { return StartContainer (pod, i); }, opts_.repeat,
        &start_direct,
        [&] (int) {
          return DirectRun (opts_.busybox, "container:" + pod, { "sleep", "3600" });
        });
    Row ("CreateContainer + StartContainer", start_cri, start_direct,
         std::to_string (start_cri.size ())
             + " busybox `sleep` containers in one pod; direct: create + start joining the "
               "pause's network");
    RemoveDirect ();
    if ((int) containers_.size () < opts_.containers)
      return;

    Log ("ListContainers with %zu containers x%d, direct x%d", containers_.size (), opts_.repeat,
         opts_.repeat);
    Samples list_cri, list_direct;
    TimePair (
        opts_.repeat, &list_cri, [&] (int) { return ListContainers (); }, opts_.repeat,
        &list_direct, [&] (int) { return DirectList (); });
    Row ("ListContainers, " + std::to_string (containers_.size ()) + " containers", list_cri,
         list_direct, "all states, no filter; direct: the same label-filtered container list");

    Log ("ContainerStatus x%d, direct inspect x%d", opts_.repeat, opts_.repeat);
    Samples status_cri, status_direct;
    TimePair (
        opts_.repeat, &status_cri, [&] (int i) { return Status (containers_[i % 10]); },
        opts_.repeat, &status_direct, [&] (int i) { return DirectInspect (containers_[i % 10]); });
    Row ("ContainerStatus", status_cri, status_direct, "direct: container inspect");

    Log ("ExecSync x%d, direct exec x%d", opts_.repeat, opts_.repeat);
    Samples exec_cri, exec_direct;
    TimePair (
        opts_.repeat, &exec_cri, [&] (int) { return ExecSync (containers_[0]); }, opts_.repeat,
        &exec_direct, [&] (int) { return DirectExec (containers_[0]); });
    Row ("ExecSync `true`", exec_cri, exec_direct,
         "direct: exec create + start (attached, collected) + inspect");

    double rss_loaded = RssMib (opts_.dockershim_pid);
    Log ("dockershim RSS with %zu containers: %.1f MiB", containers_.size (), rss_loaded);
    char buf[128];
    snprintf (buf, sizeof buf, "%.1f MiB / %.1f MiB", rss_idle, rss_loaded);
    printf ("| dockershim RSS, idle / %zu containers | %s | – | VmRSS of the standalone "
            "dockershim at --v=0, after the calls above |\n",
            containers_.size (), buf);
    fflush (stdout);
  }

  // Removes everything this program made, through the dockershim and directly.
  void
  Cleanup ()
  {
    RemoveSandboxes (0);
    RemoveDirect ();
  }

private:
  bool
  RunSandbox (const std::string &name)
  {
    dstest::SandboxSpec s;
    s.name = "bench-" + name;
    s.ns = "bench";
    s.uid = "bench-uid-" + std::to_string (getpid ()) + "-" + name;
    s.hostname = s.name;
    s.log_dir = log_dir_;
    Pb<Runtime__V1__PodSandboxConfig> config (dstest::MakeSandboxConfig (s));
    std::string id;
    Error err;
    if (!cri_.RunSandbox (config.get (), &id, &err))
      {
        Log ("RunPodSandbox %s: %s", name.c_str (), err.msg ());
        return false;
      }
    sandboxes_.push_back (id);
    if (sandbox_config_ == nullptr)
      sandbox_config_.reset (config.release ());
    return true;
  }

  bool
  StartContainer (const std::string &pod, int i)
  {
    dstest::ContainerSpec c;
    c.name = "c" + std::to_string (i);
    c.image = opts_.busybox;
    c.command = { "sleep", "3600" };
    c.log_path = c.name + "/0.log";
    Pb<Runtime__V1__ContainerConfig> config (dstest::MakeContainerConfig (c));
    std::string id;
    Error err;
    if (!cri_.CreateContainer (pod, config.get (), sandbox_config_.get (), &id, &err)
        || !cri_.StartContainer (id, &err))
      {
        Log ("CreateContainer+StartContainer %s: %s", c.name.c_str (), err.msg ());
        return false;
      }
    containers_.push_back (id);
    return true;
  }

  bool
  ListContainers ()
  {
    Error err;
    std::vector<std::string> ids = cri_.ListContainerIds (nullptr, &err);
    if (err.e || ids.size () < containers_.size ())
      {
        Log ("ListContainers: %zu containers; %s", ids.size (), err.msg ());
        return false;
      }
    return true;
  }

  bool
  Status (const std::string &id)
  {
    Error err;
    if (!cri_.ContainerStatus (id, &err))
      {
        Log ("ContainerStatus %s: %s", id.c_str (), err.msg ());
        return false;
      }
    return true;
  }

  bool
  ExecSync (const std::string &id)
  {
    Error err;
    std::string out, errout;
    int code = -1;
    if (!cri_.ExecSync (id, { "true" }, 10, &out, &errout, &code, &err) || code != 0)
      {
        Log ("ExecSync %s: exit %d; %s", id.c_str (), code, err.msg ());
        return false;
      }
    return true;
  }

  // Creates and starts a container of `image` (on `network_mode`, "" for
  // Docker's default) running `cmd` (empty: the image's).
  bool
  DirectRun (const std::string &image, const std::string &network_mode,
             const std::vector<std::string> &cmd)
  {
    json_t *body = json_pack ("{s:s, s:{s:s}, s:{}}", "Image", image.c_str (), "Labels",
                              kDirectLabel, "1", "HostConfig");
    if (!network_mode.empty ())
      json_object_set_new (json_object_get (body, "HostConfig"), "NetworkMode",
                           json_string (network_mode.c_str ()));
    if (!cmd.empty ())
      {
        json_t *argv = json_array ();
        for (const auto &a : cmd)
          json_array_append_new (argv, json_string (a.c_str ()));
        json_object_set_new (body, "Cmd", argv);
      }
    docker_container_create_result_t *created = nullptr;
    Error err;
    int ret = docker_container_create (docker_, nullptr, body, &created, &err.e);
    json_decref (body);
    if (ret < 0)
      {
        Log ("docker create %s: %s", image.c_str (), err.msg ());
        return false;
      }
    direct_.push_back (created->id);
    docker_container_create_result_free (created);
    if (docker_container_start (docker_, direct_.back ().c_str (), &err.e) < 0)
      {
        Log ("docker start %s: %s", direct_.back ().c_str (), err.msg ());
        return false;
      }
    return true;
  }

  bool
  DirectList ()
  {
    // What the dockershim's ListContainers asks Docker for.
    const char *labels[] = { "io.kubernetes.docker.type=container", nullptr };
    docker_container_list_options_t opts = {};
    opts.all = true;
    opts.labels = labels;
    docker_container_list_t *list = nullptr;
    Error err;
    if (docker_container_list (docker_, &opts, &list, &err.e) < 0)
      {
        Log ("docker list: %s", err.msg ());
        return false;
      }
    bool ok = list->len >= containers_.size ();
    docker_container_list_free (list);
    return ok;
  }

  bool
  DirectInspect (const std::string &id)
  {
    docker_container_inspect_t *c = nullptr;
    Error err;
    if (docker_container_inspect (docker_, id.c_str (), &c, &err.e) < 0)
      {
        Log ("docker inspect %s: %s", id.c_str (), err.msg ());
        return false;
      }
    docker_container_inspect_free (c);
    return true;
  }

  bool
  DirectExec (const std::string &id)
  {
    const char *argv[] = { "true", nullptr };
    docker_exec_config_t config = {};
    config.cmd = argv;
    config.attach_stdout = true;
    config.attach_stderr = true;
    char *exec_id = nullptr;
    Error err;
    if (docker_exec_create (docker_, id.c_str (), &config, &exec_id, &err.e) < 0)
      {
        Log ("docker exec create: %s", err.msg ());
        return false;
      }
    docker_exec_output_t out;
    int ret = docker_exec_start_collect (docker_, exec_id, false, 10 * dstest::kSecond, 0, &out,
                                         &err.e);
    docker_exec_output_release (&out);
    docker_exec_inspect_t *inspect = nullptr;
    if (ret == 0)
      ret = docker_exec_inspect (docker_, exec_id, &inspect, &err.e);
    free (exec_id);
    bool ok = ret == 0 && !inspect->running && inspect->exit_code == 0;
    if (!ok)
      Log ("docker exec: %s", err.msg ());
    docker_exec_inspect_free (inspect);
    return ok;
  }

  // Stops and removes the sandboxes from index `from` on.
  void
  RemoveSandboxes (size_t from)
  {
    for (size_t i = from; i < sandboxes_.size (); i++)
      {
        Error err;
        if (!cri_.StopSandbox (sandboxes_[i], &err) || !cri_.RemoveSandbox (sandboxes_[i], &err))
          Log ("remove sandbox %.12s: %s", sandboxes_[i].c_str (), err.msg ());
      }
    if (from == 0)
      containers_.clear ();
    sandboxes_.resize (std::min (from, sandboxes_.size ()));
  }

  void
  RemoveDirect ()
  {
    for (const auto &id : direct_)
      {
        Error err;
        if (docker_container_remove (docker_, id.c_str (), true, true, &err.e) < 0)
          Log ("docker rm %.12s: %s", id.c_str (), err.msg ());
      }
    direct_.clear ();
  }

  const Options &opts_;
  dstest::Cri cri_;
  docker_client_t *docker_ = nullptr;
  std::string log_dir_;
  Pb<Runtime__V1__PodSandboxConfig> sandbox_config_; // of sandboxes_[0]
  std::vector<std::string> sandboxes_, containers_, direct_;
};

} // namespace

int
main (int argc, char **argv)
{
  Options opts;
  if (!opts.Parse (argc, argv))
    return 2;
  Bench b (opts);
  if (!b.Setup ())
    return 1;
  b.Run ();
  return failed ? 1 : 0;
}

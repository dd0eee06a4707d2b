// Node e2e: the kubelet keeps static pods running on a real CRI runtime.
// hack/test-e2e-node.sh starts the runtime and the loopback registry.
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <memory>
#include <string>

#include "test/e2e_node/framework.h"

namespace e2e {
namespace {

const int kTimeout = 60;

class KubeletE2E : public ::testing::Test
{
protected:
  void
  SetUp () override
  {
    env_ = Env::Load ();
    ASSERT_FALSE (env_.kubelet.empty ()) << "KL_E2E_KUBELET unset: run hack/test-e2e-node.sh";
    ASSERT_FALSE (env_.endpoint.empty ()) << "KL_E2E_CRI_ENDPOINT unset";
    const ::testing::TestInfo *info = ::testing::UnitTest::GetInstance ()->current_test_info ();
    dir_ = env_.dir + "/" + info->name ();
    std::string rm = "rm -rf '" + dir_ + "'";
    ASSERT_EQ (system (rm.c_str ()), 0);
    mkdir (env_.dir.c_str (), 0755);
    runtime_ = std::make_unique<Runtime> (env_.endpoint);
    kubelet_ = std::make_unique<Kubelet> (env_, dir_);
    kubelet_->Start ();
    ASSERT_TRUE (kubelet_->Running ()) << kubelet_->Logs ();
  }

  void
  TearDown () override
  {
    // Remove every manifest and wait until the runtime holds nothing of ours.
    std::string rm = "rm -f '" + kubelet_->manifests () + "'/*";
    (void) system (rm.c_str ());
    if (!kubelet_->Running ())
      kubelet_->Start ();
    for (auto &pod : pods_)
      EXPECT_TRUE (WaitFor (
          [&] { return runtime_->Sandboxes (pod).empty () && runtime_->Containers (pod).empty (); },
          kTimeout))
          << "pod " << pod << " left behind\n"
          << kubelet_->Logs ();
    kubelet_->Stop ();
    if (HasFailure ())
      fprintf (stderr, "---- kubelet log ----\n%s\n", kubelet_->Logs ().c_str ());
  }

  // Writes manifests/<name>.yaml and remembers the pod for clean-up.
  void
  Manifest (const std::string &name, const std::string &yaml)
  {
    pods_.push_back (name);
    WriteFile (kubelet_->manifests () + "/" + name + ".yaml", yaml);
  }

  std::string
  Pod (const std::string &name, const std::string &spec)
  {
    // `exec sleep` as PID 1 ignores SIGTERM: a short grace keeps kills quick.
    return "apiVersion: v1\nkind: Pod\nmetadata:\n  name: " + name
           + "\nspec:\n  terminationGracePeriodSeconds: 2\n" + spec;
  }

  std::string
  Container (const std::string &name, const std::string &script, const std::string &extra = "")
  {
    return "  - name: " + name + "\n    image: " + env_.busybox
           + "\n    command: [\"/bin/sh\", \"-c\", \"" + script + "\"]\n" + extra;
  }

  bool
  AllRunning (const std::string &pod, size_t n)
  {
    return runtime_->Running (pod).size () == n;
  }

  json_t *
  WaitPod (const std::string &name, const std::function<bool (json_t *)> &cond)
  {
    return kubelet_->WaitPod (name, cond, kTimeout);
  }

  Env env_;
  std::string dir_;
  std::unique_ptr<Runtime> runtime_;
  std::unique_ptr<Kubelet> kubelet_;
  std::vector<std::string> pods_;
};

TEST_F (KubeletE2E, RunsAPodAndReportsItRunning)
{
  Manifest ("web",
            Pod ("web", "  containers:\n" + Container ("main", "echo started; exec sleep 3600")));
  ASSERT_TRUE (WaitFor ([&] { return AllRunning ("web", 1); }, kTimeout));
  EXPECT_EQ (runtime_->Sandboxes ("web").size (), 1u);
  json_t *pod = WaitPod ("web", [] (json_t *p) { return Phase (p) == "Running" && Ready (p); });
  ASSERT_NE (pod, nullptr);
  json_t *cs = ContainerStatus (pod, "main");
  ASSERT_NE (cs, nullptr);
  EXPECT_NE (json_object_get (json_object_get (cs, "state"), "running"), nullptr);
  EXPECT_NE (json_string_value (json_object_get (json_object_get (pod, "status"), "podIP")),
             nullptr);
  json_decref (pod);
}

TEST_F (KubeletE2E, EnvAndArgsReachTheContainerLog)
{
  Manifest (
      "echo",
      Pod ("echo", "  containers:\n  - name: main\n    image: " + env_.busybox
                       + "\n    command: [\"/bin/sh\", \"-c\"]\n"
                         "    args: [\"echo greeting=$GREETING arg=$(WHO); exec sleep 3600\"]\n"
                         "    env:\n    - name: GREETING\n      value: hello\n"
                         "    - name: WHO\n      value: world\n"));
  ASSERT_TRUE (WaitFor ([&] { return AllRunning ("echo", 1); }, kTimeout));
  std::string id = runtime_->Running ("echo")[0].id;
  EXPECT_TRUE (WaitFor (
      [&] { return runtime_->Log (id).find ("greeting=hello arg=world") != std::string::npos; },
      kTimeout))
      << runtime_->Log (id);
  // CRI log format, under --pod-logs-dir/<ns>_<name>_<uid>/<container>/0.log.
  EXPECT_NE (runtime_->Log (id).find (" stdout F greeting=hello"), std::string::npos);
}

TEST_F (KubeletE2E, UpdatedManifestRestartsWithTheNewSpec)
{
  auto spec = [&] (const std::string &v) {
    return Pod ("upd", "  containers:\n"
                           + Container ("main", "echo version=$V; exec sleep 3600",
                                        "    env:\n    - name: V\n      value: \"" + v + "\"\n"));
  };
  Manifest ("upd", spec ("1"));
  ASSERT_TRUE (WaitFor ([&] { return AllRunning ("upd", 1); }, kTimeout));
  std::string first = runtime_->Running ("upd")[0].id;
  Manifest ("upd", spec ("2"));
  ASSERT_TRUE (WaitFor (
      [&] {
        auto r = runtime_->Running ("upd");
        return r.size () == 1 && r[0].id != first
               && runtime_->Log (r[0].id).find ("version=2") != std::string::npos;
      },
      kTimeout));
  // The old instance is gone: one sandbox, one container.
  EXPECT_TRUE (WaitFor ([&] { return runtime_->Sandboxes ("upd").size () == 1; }, kTimeout));
}

TEST_F (KubeletE2E, RemovedManifestRemovesEverything)
{
  Manifest ("gone", Pod ("gone", "  containers:\n" + Container ("main", "exec sleep 3600")));
  ASSERT_TRUE (WaitFor ([&] { return AllRunning ("gone", 1); }, kTimeout));
  json_t *pod = WaitPod ("gone", [] (json_t *) { return true; });
  ASSERT_NE (pod, nullptr);
  std::string uid = json_string_value (json_object_get (json_object_get (pod, "metadata"), "uid"));
  json_decref (pod);
  std::string pod_dir = kubelet_->root () + "/pods/" + uid;
  struct stat st;
  EXPECT_EQ (stat (pod_dir.c_str (), &st), 0);
  unlink ((kubelet_->manifests () + "/gone.yaml").c_str ());
  EXPECT_TRUE (WaitFor (
      [&] {
        return runtime_->Sandboxes ("gone").empty () && runtime_->Containers ("gone").empty ();
      },
      kTimeout));
  EXPECT_TRUE (WaitFor ([&] { return stat (pod_dir.c_str (), &st) != 0; }, kTimeout)) << pod_dir;
  EXPECT_TRUE (WaitFor (
      [&] {
        json_t *p = kubelet_->Pod ("gone");
        json_decref (p);
        return p == nullptr;
      },
      kTimeout));
}

TEST_F (KubeletE2E, CrashLoopBacksOff)
{
  Manifest ("crash", Pod ("crash", "  containers:\n" + Container ("main", "echo dying; exit 3")));
  json_t *pod = WaitPod ("crash", [] (json_t *p) {
    json_t *cs = ContainerStatus (p, "main");
    json_t *waiting = json_object_get (json_object_get (cs, "state"), "waiting");
    const char *reason = json_string_value (json_object_get (waiting, "reason"));
    return reason && std::string (reason) == "CrashLoopBackOff"
           && json_integer_value (json_object_get (cs, "restartCount")) >= 1;
  });
  ASSERT_NE (pod, nullptr);
  json_t *last = json_object_get (json_object_get (ContainerStatus (pod, "main"), "lastState"),
                                  "terminated");
  EXPECT_EQ (json_integer_value (json_object_get (last, "exitCode")), 3);
  json_decref (pod);
  // Back-off doubles: after the 10 s delay it runs once more, not in a tight loop.
  size_t attempts = runtime_->Containers ("crash").size ();
  EXPECT_LE (attempts, 3u);
}

TEST_F (KubeletE2E, InitContainersRunInOrderBeforeTheMainOne)
{
  Manifest (
      "init",
      Pod ("init",
           "  volumes:\n  - name: work\n    emptyDir: {}\n"
           "  initContainers:\n"
               + Container ("first", "echo first >> /work/order",
                            "    volumeMounts:\n    - name: work\n      mountPath: /work\n")
               + Container ("second", "echo second >> /work/order",
                            "    volumeMounts:\n    - name: work\n      mountPath: /work\n")
               + "  containers:\n"
               + Container ("main", "cat /work/order; exec sleep 3600",
                            "    volumeMounts:\n    - name: work\n      mountPath: /work\n")));
  // Init containers run too: wait for the main one by name.
  std::string id;
  ASSERT_TRUE (WaitFor (
      [&] {
        for (auto &c : runtime_->Running ("init"))
          if (c.name == "main")
            id = c.id;
        return !id.empty ();
      },
      kTimeout));
  EXPECT_TRUE (WaitFor (
      [&] {
        std::string log = runtime_->Log (id);
        size_t a = log.find ("F first"), b = log.find ("F second");
        return a != std::string::npos && b != std::string::npos && a < b;
      },
      kTimeout))
      << runtime_->Log (id);
  json_t *pod = WaitPod ("init", [] (json_t *p) { return Phase (p) == "Running"; });
  ASSERT_NE (pod, nullptr);
  json_t *first = json_object_get (json_object_get (ContainerStatus (pod, "first", true), "state"),
                                   "terminated");
  EXPECT_EQ (json_integer_value (json_object_get (first, "exitCode")), 0);
  json_decref (pod);
}

TEST_F (KubeletE2E, RestartPolicyNeverAndOnFailure)
{
  Manifest ("never", Pod ("never", "  restartPolicy: Never\n  containers:\n"
                                       + Container ("main", "exit 1")));
  // "bad" fails on its first run only: the marker lives in an emptyDir,
  // which outlives the container.
  Manifest ("onfail",
            Pod ("onfail",
                 "  restartPolicy: OnFailure\n"
                 "  volumes:\n  - name: state\n    emptyDir: {}\n  containers:\n"
                     + Container ("ok", "exit 0")
                     + Container (
                         "bad", "test -f /state/x || { touch /state/x; exit 2; }; exec sleep 3600",
                         "    volumeMounts:\n    - name: state\n      mountPath: /state\n")));
  json_t *never = WaitPod ("never", [] (json_t *p) { return Phase (p) == "Failed"; });
  ASSERT_NE (never, nullptr);
  EXPECT_EQ (json_integer_value (json_object_get (ContainerStatus (never, "main"), "restartCount")),
             0);
  json_decref (never);
  // OnFailure: "ok" exits 0 and stays down; "bad" fails once and is restarted.
  json_t *onfail = WaitPod ("onfail", [] (json_t *p) {
    json_t *bad = ContainerStatus (p, "bad");
    return json_integer_value (json_object_get (bad, "restartCount")) >= 1
           && json_object_get (json_object_get (bad, "state"), "running");
  });
  ASSERT_NE (onfail, nullptr);
  json_t *ok = ContainerStatus (onfail, "ok");
  EXPECT_EQ (json_integer_value (json_object_get (ok, "restartCount")), 0);
  EXPECT_NE (json_object_get (json_object_get (ok, "state"), "terminated"), nullptr);
  json_decref (onfail);
  EXPECT_EQ (runtime_->Containers ("never").size (), 1u);
}

TEST_F (KubeletE2E, LivenessFailureRestartsTheContainer)
{
  Manifest (
      "live",
      Pod ("live",
           "  containers:\n"
               + Container (
                   "main", "touch /tmp/healthy; sleep 4; rm /tmp/healthy; exec sleep 3600",
                   "    livenessProbe:\n      exec:\n        command: [\"cat\", \"/tmp/healthy\"]\n"
                   "      periodSeconds: 1\n      failureThreshold: 1\n")));
  json_t *pod = WaitPod ("live", [] (json_t *p) {
    return json_integer_value (json_object_get (ContainerStatus (p, "main"), "restartCount")) >= 1;
  });
  ASSERT_NE (pod, nullptr);
  json_decref (pod);
}

TEST_F (KubeletE2E, LifecycleHooksRun)
{
  std::string mounts = "    volumeMounts:\n    - name: shared\n      mountPath: /shared\n";
  Manifest ("hooks",
            Pod ("hooks", "  volumes:\n  - name: shared\n    emptyDir: {}\n"
                          "  containers:\n"
                              + Container ("main",
                                           "while ! test -f /shared/post; do sleep 0.2; done; "
                                           "cat /shared/post; exec sleep 3600",
                                           mounts
                                               + "    lifecycle:\n      postStart:\n        exec:\n"
                                                 "          command: [\"sh\", \"-c\", \"echo "
                                                 "post-start-ran > /shared/post\"]\n"
                                                 "      preStop:\n        exec:\n"
                                                 "          command: [\"sh\", \"-c\", \"echo "
                                                 "pre-stop-ran > /shared/pre\"]\n")
                              + Container ("watcher",
                                           "while ! test -f /shared/pre; do sleep 0.2; done; "
                                           "cat /shared/pre; exec sleep 3600",
                                           mounts)));
  std::string main_id, watcher_id;
  ASSERT_TRUE (WaitFor (
      [&] {
        for (auto &c : runtime_->Running ("hooks"))
          (c.name == "main" ? main_id : watcher_id) = c.id;
        return !main_id.empty () && !watcher_id.empty ();
      },
      kTimeout));
  EXPECT_TRUE (WaitFor (
      [&] { return runtime_->Log (main_id).find ("F post-start-ran") != std::string::npos; },
      kTimeout))
      << runtime_->Log (main_id);
  // Removing the pod runs preStop in "main" before it stops; "watcher"
  // sees the file as long as it still runs.
  unlink ((kubelet_->manifests () + "/hooks.yaml").c_str ());
  EXPECT_TRUE (WaitFor (
      [&] { return runtime_->Log (watcher_id).find ("F pre-stop-ran") != std::string::npos; },
      kTimeout))
      << runtime_->Log (watcher_id);
}

TEST_F (KubeletE2E, ActiveDeadlineFailsThePod)
{
  Manifest ("deadline", Pod ("deadline", "  activeDeadlineSeconds: 3\n  containers:\n"
                                             + Container ("main", "exec sleep 3600")));
  json_t *pod = WaitPod ("deadline", [] (json_t *p) {
    const char *reason
        = json_string_value (json_object_get (json_object_get (p, "status"), "reason"));
    return Phase (p) == "Failed" && reason && std::string (reason) == "DeadlineExceeded";
  });
  ASSERT_NE (pod, nullptr);
  json_decref (pod);
  EXPECT_TRUE (WaitFor ([&] { return runtime_->Running ("deadline").empty (); }, kTimeout));
}

TEST_F (KubeletE2E, ReadinessShowsInPods)
{
  Manifest (
      "ready",
      Pod ("ready",
           "  containers:\n"
               + Container (
                   "main", "sleep 3; touch /tmp/ready; exec sleep 3600",
                   "    readinessProbe:\n      exec:\n        command: [\"cat\", \"/tmp/ready\"]\n"
                   "      periodSeconds: 1\n")));
  json_t *not_ready
      = WaitPod ("ready", [] (json_t *p) { return Phase (p) == "Running" && !Ready (p); });
  ASSERT_NE (not_ready, nullptr);
  EXPECT_FALSE (json_is_true (json_object_get (ContainerStatus (not_ready, "main"), "ready")));
  json_decref (not_ready);
  json_t *ready = WaitPod ("ready", [] (json_t *p) { return Ready (p); });
  ASSERT_NE (ready, nullptr);
  EXPECT_TRUE (json_is_true (json_object_get (ContainerStatus (ready, "main"), "ready")));
  json_decref (ready);
}

TEST_F (KubeletE2E, HostPathAndEmptyDirAreShared)
{
  std::string host = dir_ + "/hostdir";
  mkdir (host.c_str (), 0755);
  WriteFile (host + "/from-host", "host-data\n");
  std::string mounts = "    volumeMounts:\n    - name: cache\n      mountPath: /cache\n"
                       "    - name: host\n      mountPath: /host\n";
  Manifest (
      "share",
      Pod ("share",
           "  volumes:\n  - name: cache\n    emptyDir: {}\n"
           "  - name: host\n    hostPath:\n      path: "
               + host
               + "\n"
                 "  containers:\n"
               + Container (
                   "writer",
                   "echo shared > /cache/file; echo from-pod > /host/from-pod; exec sleep 3600",
                   mounts)
               + Container ("reader",
                            "while ! test -f /cache/file; do sleep 0.2; done; cat /cache/file "
                            "/host/from-host; exec sleep 3600",
                            mounts)));
  ASSERT_TRUE (WaitFor ([&] { return AllRunning ("share", 2); }, kTimeout));
  std::string reader;
  for (auto &c : runtime_->Running ("share"))
    if (c.name == "reader")
      reader = c.id;
  EXPECT_TRUE (WaitFor (
      [&] {
        std::string log = runtime_->Log (reader);
        return log.find ("F shared") != std::string::npos
               && log.find ("F host-data") != std::string::npos;
      },
      kTimeout))
      << runtime_->Log (reader);
  EXPECT_TRUE (WaitFor ([&] { return ReadFile (host + "/from-pod") == "from-pod\n"; }, kTimeout));
}

TEST_F (KubeletE2E, RestartedKubeletAdoptsItsPods)
{
  Manifest ("adopt", Pod ("adopt", "  containers:\n" + Container ("main", "exec sleep 3600")));
  ASSERT_TRUE (WaitFor ([&] { return AllRunning ("adopt", 1); }, kTimeout));
  auto before = runtime_->Running ("adopt");
  auto sandboxes = runtime_->Sandboxes ("adopt");
  kubelet_->Stop (SIGTERM);
  // Pods keep running without the kubelet (an in-process runtime's CRI
  // socket goes with the kubelet, so only the restarted one can tell).
  if (!env_.inprocess)
    {
      EXPECT_EQ (runtime_->Running ("adopt").size (), 1u);
    }
  kubelet_->Start ();
  json_t *pod = WaitPod ("adopt", [] (json_t *p) { return Phase (p) == "Running"; });
  ASSERT_NE (pod, nullptr);
  json_decref (pod);
  // Same sandbox and container: nothing duplicated or restarted.
  auto after = runtime_->Running ("adopt");
  ASSERT_EQ (after.size (), 1u);
  EXPECT_EQ (after[0].id, before[0].id);
  EXPECT_EQ (runtime_->Sandboxes ("adopt").size (), sandboxes.size ());
}

TEST_F (KubeletE2E, PodsWhoseManifestVanishedWhileDownAreRemoved)
{
  Manifest ("orphan", Pod ("orphan", "  containers:\n" + Container ("main", "exec sleep 3600")));
  ASSERT_TRUE (WaitFor ([&] { return AllRunning ("orphan", 1); }, kTimeout));
  kubelet_->Stop (SIGKILL);
  unlink ((kubelet_->manifests () + "/orphan.yaml").c_str ());
  kubelet_->Start ();
  EXPECT_TRUE (WaitFor ([&] { return runtime_->Sandboxes ("orphan").empty (); }, kTimeout));
}

TEST_F (KubeletE2E, BrokenManifestDoesNotStopTheOthers)
{
  WriteFile (
      kubelet_->manifests () + "/broken.yaml",
      "apiVersion: v1\nkind: Pod\nmetadata:\n  name: broken\nspec:\n  containers:\n  - name: x\n");
  Manifest ("good", Pod ("good", "  containers:\n" + Container ("main", "exec sleep 3600")));
  ASSERT_TRUE (WaitFor ([&] { return AllRunning ("good", 1); }, kTimeout));
  EXPECT_TRUE (WaitFor (
      [&] {
        return kubelet_->Logs ().find ("broken.yaml: spec.containers[0].image: Required value")
               != std::string::npos;
      },
      kTimeout))
      << kubelet_->Logs ();
  EXPECT_TRUE (runtime_->Sandboxes ("broken").empty ());
}

TEST_F (KubeletE2E, SurvivesTheRuntimeGoingAwayAndComingBack)
{
  ASSERT_FALSE (env_.runtime_ctl.empty ()) << "KL_E2E_RUNTIME_CTL unset";
  auto ctl = [&] (const std::string &verb) {
    // "<script> <dir>" -> "<script> <verb> <dir>"
    std::string cmd = env_.runtime_ctl;
    size_t space = cmd.find (' ');
    cmd = cmd.substr (0, space) + " " + verb + cmd.substr (space);
    return system (cmd.c_str ());
  };
  Manifest ("steady", Pod ("steady", "  containers:\n" + Container ("main", "exec sleep 3600")));
  ASSERT_TRUE (WaitFor ([&] { return AllRunning ("steady", 1); }, kTimeout));
  std::string id = runtime_->Running ("steady")[0].id;
  ASSERT_EQ (ctl ("stop"), 0);
  std::string body;
  EXPECT_TRUE (WaitFor (
      [&] { return HttpGet (kubelet_->healthz_port (), "/healthz", &body) == 500; }, kTimeout))
      << body;
  EXPECT_NE (body.find ("runtime"), std::string::npos) << body;
  EXPECT_TRUE (kubelet_->Running ());
  ASSERT_EQ (ctl ("start"), 0);
  EXPECT_TRUE (WaitFor (
      [&] { return HttpGet (kubelet_->healthz_port (), "/healthz", &body) == 200; }, kTimeout))
      << body;
  if (env_.restart_kills_pods)
    {
      // The runtime took the pod down with it: the kubelet brings it back.
      EXPECT_TRUE (WaitFor ([&] { return AllRunning ("steady", 1); }, kTimeout));
      return;
    }
  // The pod was never touched: same container, still running, no new sandbox.
  EXPECT_TRUE (WaitFor (
      [&] {
        auto r = runtime_->Running ("steady");
        return r.size () == 1 && r[0].id == id;
      },
      kTimeout));
  EXPECT_EQ (runtime_->Sandboxes ("steady").size (), 1u);
}

TEST_F (KubeletE2E, HealthzAndMetrics)
{
  std::string body;
  EXPECT_EQ (HttpGet (kubelet_->healthz_port (), "/healthz", &body), 200) << body;
  EXPECT_EQ (body, "ok");
  Manifest ("metrics", Pod ("metrics", "  containers:\n" + Container ("main", "exec sleep 3600")));
  ASSERT_TRUE (WaitFor ([&] { return AllRunning ("metrics", 1); }, kTimeout));
  EXPECT_TRUE (WaitFor (
      [&] {
        HttpGet (kubelet_->read_only_port (), "/metrics", &body);
        return body.find ("kubelet_running_pods 1") != std::string::npos;
      },
      kTimeout))
      << body;
  EXPECT_NE (body.find ("kubelet_pleg_relist_duration_seconds_bucket"), std::string::npos);
  EXPECT_NE (body.find ("kubelet_runtime_operations_total{operation_type=\"run_podsandbox\"}"),
             std::string::npos);
  EXPECT_NE (body.find ("kubelet_pod_start_duration_seconds_count"), std::string::npos);
  EXPECT_EQ (HttpGet (kubelet_->read_only_port (), "/stats/summary", &body), 200);
  EXPECT_NE (body.find ("metrics-e2e-node"), std::string::npos) << body;
}

} // namespace
} // namespace e2e

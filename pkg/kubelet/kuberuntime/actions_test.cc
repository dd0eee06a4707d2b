// kl_compute_pod_actions as a decision table: the cases of the Go kubelet's
// TestComputePodActions and TestComputePodActionsWithInitContainers.
#include <gtest/gtest.h>

#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "pkg/kubelet/kuberuntime/testing.h"

extern "C" {
#include "pkg/kubelet/kuberuntime/actions.h"
}

using namespace kl_kuberuntime_testing;

namespace {

std::string
TwoContainerPod (const std::string &policy, bool host_network = false)
{
  return "apiVersion: v1\n"
         "kind: Pod\n"
         "metadata: {name: web, namespace: default, uid: web-uid}\n"
         "spec:\n"
         "  restartPolicy: "
         + policy + "\n" + (host_network ? "  hostNetwork: true\n" : "")
         + "  containers:\n"
           "    - {name: a, image: busybox, command: [sleep, '3600']}\n"
           "    - {name: b, image: busybox, command: [sleep, '3600']}\n";
}

std::string
InitPod (const std::string &policy)
{
  return "apiVersion: v1\n"
         "kind: Pod\n"
         "metadata: {name: web, namespace: default, uid: web-uid}\n"
         "spec:\n"
         "  restartPolicy: "
         + policy
         + "\n"
           "  initContainers:\n"
           "    - {name: i0, image: busybox, command: ['true']}\n"
           "    - {name: i1, image: busybox, command: ['true']}\n"
           "  containers:\n"
           "    - {name: a, image: busybox, command: [sleep, '3600']}\n";
}

// What the actions should be, in a form that prints well when it differs.
struct Want
{
  bool kill_pod = false;
  bool create_sandbox = false;
  uint32_t attempt = 0;
  std::string next_init;          // "" = none
  std::vector<std::string> start; // container names, in order
  std::vector<std::string> kill;  // "name:reason"
};

const char *
ReasonName (kl_kill_reason r)
{
  switch (r)
    {
    case KL_KILL_SPEC_CHANGED:
      return "spec";
    case KL_KILL_LIVENESS:
      return "liveness";
    case KL_KILL_STARTUP:
      return "startup";
    case KL_KILL_UNKNOWN_STATE:
      return "unknown";
    }
  return "?";
}

std::string
Describe (bool kill_pod, bool create, uint32_t attempt, const std::string &init,
          const std::vector<std::string> &start, const std::vector<std::string> &kill)
{
  std::ostringstream out;
  out << "kill_pod=" << kill_pod << " create_sandbox=" << create;
  if (create)
    out << " attempt=" << attempt;
  out << " next_init=" << (init.empty () ? "-" : init) << " start=[";
  for (size_t i = 0; i < start.size (); i++)
    out << (i ? "," : "") << start[i];
  out << "] kill=[";
  for (size_t i = 0; i < kill.size (); i++)
    out << (i ? "," : "") << kill[i];
  out << "]";
  return out.str ();
}

std::string
Describe (const Want &w)
{
  return Describe (w.kill_pod, w.create_sandbox, w.attempt, w.next_init, w.start, w.kill);
}

std::string
Describe (const kl_pod_t *pod, const kl_pod_actions_t &a)
{
  std::vector<std::string> start, kill;
  for (size_t i = 0; i < a.n_containers_to_start; i++)
    start.push_back (Str (pod->spec.containers[a.containers_to_start[i]].name));
  for (size_t i = 0; i < a.n_containers_to_kill; i++)
    kill.push_back (Str (a.containers_to_kill[i].spec->name) + ":"
                    + ReasonName (a.containers_to_kill[i].reason));
  return Describe (a.kill_pod, a.create_sandbox, a.attempt,
                   a.next_init_container ? Str (a.next_init_container->name) : "", start, kill);
}

struct Case
{
  const char *name;
  std::string yaml;
  // Fills the runtime pod (newest first) and the probe results.
  std::function<void (kl_runtime_pod_t *, const kl_pod_t *, Probes *)> runtime;
  Want want;
};

// gtest prints parameters that fail; the name says it all.
void
PrintTo (const Case &c, std::ostream *os)
{
  *os << c.name;
}

void
Running (kl_runtime_pod_t *rp, const kl_pod_t *pod, std::initializer_list<const char *> names)
{
  for (const char *n : names)
    AddContainer (rp, pod, n, KL_CONTAINER_RUNNING);
}

const kl_container_runtime_state RUNNING = KL_CONTAINER_RUNNING;
const kl_container_runtime_state EXITED = KL_CONTAINER_EXITED;
const kl_container_runtime_state CREATED = KL_CONTAINER_CREATED;
const kl_container_runtime_state UNKNOWN = KL_CONTAINER_UNKNOWN;

std::vector<Case>
Cases ()
{
  using RP = kl_runtime_pod_t *;
  using P = const kl_pod_t *;
  using PR = Probes *;
  return {
    // ---- sandbox ----
    { "no sandbox: create attempt 0 and start every container",
      TwoContainerPod ("Always"),
      [] (RP, P, PR) {},
      { true, true, 0, "", { "a", "b" }, {} } },
    { "no sandbox with init containers: create and start the first init container",
      InitPod ("Always"),
      [] (RP, P, PR) {},
      { true, true, 0, "i0", {}, {} } },
    { "sandbox not ready: kill the pod, create attempt+1, start everything",
      TwoContainerPod ("Always"),
      [] (RP rp, P pod, PR) {
        AddSandbox (rp, "sb", false, 2);
        Running (rp, pod, { "a", "b" });
      },
      { true, true, 3, "", { "a", "b" }, {} } },
    { "ready sandbox without an IP is replaced",
      TwoContainerPod ("Always"),
      [] (RP rp, P pod, PR) {
        AddSandbox (rp, "sb", true, 0, "");
        Running (rp, pod, { "a", "b" });
      },
      { true, true, 1, "", { "a", "b" }, {} } },
    { "host network sandbox needs no IP",
      TwoContainerPod ("Always", true),
      [] (RP rp, P pod, PR) {
        AddSandbox (rp, "sb", true, 0, "");
        Running (rp, pod, { "a", "b" });
      },
      { false, false, 0, "", {}, {} } },
    { "two ready sandboxes are reconciled with a new one",
      TwoContainerPod ("Always"),
      [] (RP rp, P pod, PR) {
        AddSandbox (rp, "sb2", true, 1);
        AddSandbox (rp, "sb1", true, 0);
        Running (rp, pod, { "a", "b" });
      },
      { true, true, 2, "", { "a", "b" }, {} } },
    { "Never: dead sandbox after containers ran gets no new sandbox",
      TwoContainerPod ("Never"),
      [] (RP rp, P pod, PR) {
        AddSandbox (rp, "sb", false, 0);
        AddContainer (rp, pod, "a", EXITED, 0);
        AddContainer (rp, pod, "b", EXITED, 1);
      },
      { true, false, 1, "", {}, {} } },
    { "Never: dead sandbox before any container was created is retried",
      TwoContainerPod ("Never"),
      [] (RP rp, P, PR) { AddSandbox (rp, "sb", false, 0); },
      { true, true, 1, "", { "a", "b" }, {} } },
    { "OnFailure: new sandbox skips containers that succeeded",
      TwoContainerPod ("OnFailure"),
      [] (RP rp, P pod, PR) {
        AddSandbox (rp, "sb", false, 0);
        AddContainer (rp, pod, "a", EXITED, 0);
        AddContainer (rp, pod, "b", EXITED, 1);
      },
      { true, true, 1, "", { "b" }, {} } },
    { "OnFailure: every container succeeded, no new sandbox",
      TwoContainerPod ("OnFailure"),
      [] (RP rp, P pod, PR) {
        AddSandbox (rp, "sb", false, 0);
        AddContainer (rp, pod, "a", EXITED, 0);
        AddContainer (rp, pod, "b", EXITED, 0);
      },
      { true, false, 1, "", {}, {} } },
    { "all running and unchanged: nothing to do",
      TwoContainerPod ("Always"),
      [] (RP rp, P pod, PR) {
        AddSandbox (rp, "sb", true);
        Running (rp, pod, { "a", "b" });
      },
      { false, false, 0, "", {}, {} } },

    // ---- init containers ----
    { "init: none has run, start #0",
      InitPod ("Always"),
      [] (RP rp, P, PR) { AddSandbox (rp, "sb", true); },
      { false, false, 0, "i0", {}, {} } },
    { "init: #0 exited 0, start #1",
      InitPod ("Always"),
      [] (RP rp, P pod, PR) {
        AddSandbox (rp, "sb", true);
        AddContainer (rp, pod, "i0", EXITED, 0);
      },
      { false, false, 0, "i1", {}, {} } },
    { "init: #0 running, wait",
      InitPod ("Always"),
      [] (RP rp, P pod, PR) {
        AddSandbox (rp, "sb", true);
        AddContainer (rp, pod, "i0", RUNNING);
      },
      { false, false, 0, "", {}, {} } },
    { "init: #0 created but not started, start it",
      InitPod ("Always"),
      [] (RP rp, P pod, PR) {
        AddSandbox (rp, "sb", true);
        AddContainer (rp, pod, "i0", CREATED);
      },
      { false, false, 0, "i0", {}, {} } },
    { "init: #0 failed with Always, restart #0",
      InitPod ("Always"),
      [] (RP rp, P pod, PR) {
        AddSandbox (rp, "sb", true);
        AddContainer (rp, pod, "i0", EXITED, 1);
      },
      { false, false, 0, "i0", {}, {} } },
    { "init: #0 failed with OnFailure, restart #0",
      InitPod ("OnFailure"),
      [] (RP rp, P pod, PR) {
        AddSandbox (rp, "sb", true);
        AddContainer (rp, pod, "i0", EXITED, 1);
      },
      { false, false, 0, "i0", {}, {} } },
    { "init: #0 failed with Never, kill the pod",
      InitPod ("Never"),
      [] (RP rp, P pod, PR) {
        AddSandbox (rp, "sb", true);
        AddContainer (rp, pod, "i0", EXITED, 1);
      },
      { true, false, 0, "", {}, {} } },
    { "init: #1 failed after #0 succeeded, restart #1",
      InitPod ("Always"),
      [] (RP rp, P pod, PR) {
        AddSandbox (rp, "sb", true);
        AddContainer (rp, pod, "i1", EXITED, 2);
        AddContainer (rp, pod, "i0", EXITED, 0);
      },
      { false, false, 0, "i1", {}, {} } },
    { "init: #0 in unknown state is killed and restarted",
      InitPod ("Always"),
      [] (RP rp, P pod, PR) {
        AddSandbox (rp, "sb", true);
        AddContainer (rp, pod, "i0", UNKNOWN);
      },
      { false, false, 0, "i0", {}, { "i0:unknown" } } },
    { "init: all done, start the regular containers",
      InitPod ("Always"),
      [] (RP rp, P pod, PR) {
        AddSandbox (rp, "sb", true);
        AddContainer (rp, pod, "i1", EXITED, 0);
        AddContainer (rp, pod, "i0", EXITED, 0);
      },
      { false, false, 0, "", { "a" }, {} } },
    { "init: a running regular container means initialized, even with init containers gone",
      InitPod ("Always"),
      [] (RP rp, P pod, PR) {
        AddSandbox (rp, "sb", true);
        AddContainer (rp, pod, "a", RUNNING);
      },
      { false, false, 0, "", {}, {} } },
    { "init: new sandbox restarts from init container #0",
      InitPod ("Always"),
      [] (RP rp, P pod, PR) {
        AddSandbox (rp, "sb", false, 0);
        AddContainer (rp, pod, "a", EXITED, 1);
        AddContainer (rp, pod, "i1", EXITED, 0);
        AddContainer (rp, pod, "i0", EXITED, 0);
      },
      { true, true, 1, "i0", {}, {} } },

    // ---- running containers ----
    { "changed hash: kill and restart",
      TwoContainerPod ("Always"),
      [] (RP rp, P pod, PR) {
        AddSandbox (rp, "sb", true);
        AddContainer (rp, pod, "a", RUNNING)->hash ^= 1;
        AddContainer (rp, pod, "b", RUNNING);
      },
      { false, false, 0, "", { "a" }, { "a:spec" } } },
    { "changed hash restarts even with Never",
      TwoContainerPod ("Never"),
      [] (RP rp, P pod, PR) {
        AddSandbox (rp, "sb", true);
        AddContainer (rp, pod, "a", RUNNING)->hash = 0;
        AddContainer (rp, pod, "b", RUNNING);
      },
      { false, false, 0, "", { "a" }, { "a:spec" } } },
    { "liveness failure with Always: kill and restart",
      TwoContainerPod ("Always"),
      [] (RP rp, P pod, PR probes) {
        AddSandbox (rp, "sb", true);
        Running (rp, pod, { "a", "b" });
        probes->liveness_failed.insert ("b");
      },
      { false, false, 0, "", { "b" }, { "b:liveness" } } },
    { "liveness failure with Never: kill only, the other keeps the pod",
      TwoContainerPod ("Never"),
      [] (RP rp, P pod, PR probes) {
        AddSandbox (rp, "sb", true);
        Running (rp, pod, { "a", "b" });
        probes->liveness_failed.insert ("a");
      },
      { false, false, 0, "", {}, { "a:liveness" } } },
    { "liveness failure with Never of every container: kill the pod",
      TwoContainerPod ("Never"),
      [] (RP rp, P pod, PR probes) {
        AddSandbox (rp, "sb", true);
        Running (rp, pod, { "a", "b" });
        probes->liveness_failed = { "a", "b" };
      },
      { true, false, 0, "", {}, { "a:liveness", "b:liveness" } } },
    { "startup failure with Always: kill and restart",
      TwoContainerPod ("Always"),
      [] (RP rp, P pod, PR probes) {
        AddSandbox (rp, "sb", true);
        Running (rp, pod, { "a", "b" });
        probes->startup_failed.insert ("a");
      },
      { false, false, 0, "", { "a" }, { "a:startup" } } },
    { "a changed hash wins over a liveness failure",
      TwoContainerPod ("Never"),
      [] (RP rp, P pod, PR probes) {
        AddSandbox (rp, "sb", true);
        AddContainer (rp, pod, "a", RUNNING)->hash ^= 1;
        AddContainer (rp, pod, "b", RUNNING);
        probes->liveness_failed.insert ("a");
      },
      { false, false, 0, "", { "a" }, { "a:spec" } } },

    // ---- exited containers ----
    { "exited with Always: restart",
      TwoContainerPod ("Always"),
      [] (RP rp, P pod, PR) {
        AddSandbox (rp, "sb", true);
        AddContainer (rp, pod, "a", EXITED, 0);
        AddContainer (rp, pod, "b", RUNNING);
      },
      { false, false, 0, "", { "a" }, {} } },
    { "exited with Never: left alone",
      TwoContainerPod ("Never"),
      [] (RP rp, P pod, PR) {
        AddSandbox (rp, "sb", true);
        AddContainer (rp, pod, "a", EXITED, 1);
        AddContainer (rp, pod, "b", RUNNING);
      },
      { false, false, 0, "", {}, {} } },
    { "exited 0 with OnFailure: left alone",
      TwoContainerPod ("OnFailure"),
      [] (RP rp, P pod, PR) {
        AddSandbox (rp, "sb", true);
        AddContainer (rp, pod, "a", EXITED, 0);
        AddContainer (rp, pod, "b", RUNNING);
      },
      { false, false, 0, "", {}, {} } },
    { "exited 1 with OnFailure: restart",
      TwoContainerPod ("OnFailure"),
      [] (RP rp, P pod, PR) {
        AddSandbox (rp, "sb", true);
        AddContainer (rp, pod, "a", EXITED, 1);
        AddContainer (rp, pod, "b", RUNNING);
      },
      { false, false, 0, "", { "a" }, {} } },
    { "the newest instance decides: older failures do not matter",
      TwoContainerPod ("OnFailure"),
      [] (RP rp, P pod, PR) {
        AddSandbox (rp, "sb", true);
        AddContainer (rp, pod, "a", EXITED, 0, 1);
        AddContainer (rp, pod, "a", EXITED, 1, 0);
        AddContainer (rp, pod, "b", RUNNING);
      },
      { false, false, 0, "", {}, {} } },
    { "created but never started: start",
      TwoContainerPod ("Never"),
      [] (RP rp, P pod, PR) {
        AddSandbox (rp, "sb", true);
        AddContainer (rp, pod, "a", CREATED);
        AddContainer (rp, pod, "b", RUNNING);
      },
      { false, false, 0, "", { "a" }, {} } },
    { "unknown state: kill and start",
      TwoContainerPod ("Never"),
      [] (RP rp, P pod, PR) {
        AddSandbox (rp, "sb", true);
        AddContainer (rp, pod, "a", UNKNOWN);
        AddContainer (rp, pod, "b", RUNNING);
      },
      { false, false, 0, "", { "a" }, { "a:unknown" } } },
    { "missing container with a ready sandbox: start it",
      TwoContainerPod ("Never"),
      [] (RP rp, P pod, PR) {
        AddSandbox (rp, "sb", true);
        AddContainer (rp, pod, "b", RUNNING);
      },
      { false, false, 0, "", { "a" }, {} } },
    { "nothing running and nothing to start: kill the pod",
      TwoContainerPod ("Never"),
      [] (RP rp, P pod, PR) {
        AddSandbox (rp, "sb", true);
        AddContainer (rp, pod, "a", EXITED, 0);
        AddContainer (rp, pod, "b", EXITED, 1);
      },
      { true, false, 0, "", {}, {} } },
    { "OnFailure all succeeded with a ready sandbox: kill the pod",
      TwoContainerPod ("OnFailure"),
      [] (RP rp, P pod, PR) {
        AddSandbox (rp, "sb", true);
        AddContainer (rp, pod, "a", EXITED, 0);
        AddContainer (rp, pod, "b", EXITED, 0);
      },
      { true, false, 0, "", {}, {} } },
  };
}

class ComputePodActionsTest : public ::testing::TestWithParam<Case>
{
};

TEST_P (ComputePodActionsTest, Table)
{
  const Case &c = GetParam ();
  PodPtr pod = DecodePod (c.yaml);
  ASSERT_NE (pod, nullptr);
  RuntimePodPtr rp = NewRuntimePod (pod.get ());
  Probes probes;
  c.runtime (rp.get (), pod.get (), &probes);
  kl_probe_view_t view = probes.view ();
  kl_pod_actions_t actions;
  kl_compute_pod_actions (pod.get (), rp.get (), &view, &actions);
  EXPECT_EQ (Describe (pod.get (), actions), Describe (c.want));
  if (rp->n_sandboxes)
    EXPECT_EQ (Str (actions.sandbox_id), Str (rp->sandboxes[0].id)) << "the newest sandbox";
  else
    EXPECT_EQ (actions.sandbox_id, nullptr);
  kl_pod_actions_clear (&actions);
}

std::string
CaseName (const ::testing::TestParamInfo<Case> &info)
{
  std::string s;
  for (const char *p = info.param.name; *p; p++)
    s += isalnum ((unsigned char) *p) ? *p : '_';
  return std::to_string (info.index) + "_" + s.substr (0, 60);
}

INSTANTIATE_TEST_SUITE_P (GoCases, ComputePodActionsTest, ::testing::ValuesIn (Cases ()), CaseName);

TEST (ComputePodActionsMessages, SayWhyAContainerIsKilled)
{
  PodPtr pod = DecodePod (TwoContainerPod ("Never"));
  ASSERT_NE (pod, nullptr);
  RuntimePodPtr rp = NewRuntimePod (pod.get ());
  AddSandbox (rp.get (), "sb", true);
  AddContainer (rp.get (), pod.get (), "a", KL_CONTAINER_RUNNING)->hash ^= 1;
  AddContainer (rp.get (), pod.get (), "b", KL_CONTAINER_RUNNING);
  Probes probes;
  probes.liveness_failed.insert ("b");
  kl_probe_view_t view = probes.view ();
  kl_pod_actions_t actions;
  kl_compute_pod_actions (pod.get (), rp.get (), &view, &actions);
  ASSERT_EQ (actions.n_containers_to_kill, 2u);
  EXPECT_EQ (Str (actions.containers_to_kill[0].message),
             "Container a definition changed, will be restarted");
  EXPECT_EQ (Str (actions.containers_to_kill[1].message), "Container b failed liveness probe");
  EXPECT_EQ (Str (actions.containers_to_kill[0].info->id), Str (rp->containers[0].id));
  kl_pod_actions_clear (&actions);
  EXPECT_EQ (actions.n_containers_to_kill, 0u);
  EXPECT_EQ (actions.containers_to_kill, nullptr);
}

TEST (ComputePodActionsProbes, NullProbeViewMeansNoFailures)
{
  PodPtr pod = DecodePod (TwoContainerPod ("Always"));
  ASSERT_NE (pod, nullptr);
  RuntimePodPtr rp = NewRuntimePod (pod.get ());
  AddSandbox (rp.get (), "sb", true);
  Running (rp.get (), pod.get (), { "a", "b" });
  kl_pod_actions_t actions;
  kl_compute_pod_actions (pod.get (), rp.get (), nullptr, &actions);
  EXPECT_EQ (Describe (pod.get (), actions), Describe (Want{}));
  kl_pod_actions_clear (&actions);

  kl_probe_view_t partial = { nullptr, nullptr, nullptr };
  kl_compute_pod_actions (pod.get (), rp.get (), &partial, &actions);
  EXPECT_EQ (Describe (pod.get (), actions), Describe (Want{}));
  kl_pod_actions_clear (&actions);
}

// ShouldContainerBeRestarted's table.
TEST (ShouldRestartContainer, Table)
{
  struct Row
  {
    const char *policy;
    int state; // -1: no instance
    int exit_code;
    bool want;
  } rows[] = {
    { "Always", -1, 0, true },
    { "Never", -1, 0, true },
    { "Always", KL_CONTAINER_RUNNING, 0, false },
    { "Never", KL_CONTAINER_CREATED, 0, true },
    { "Never", KL_CONTAINER_UNKNOWN, 0, true },
    { "Always", KL_CONTAINER_EXITED, 0, true },
    { "Always", KL_CONTAINER_EXITED, 1, true },
    { "OnFailure", KL_CONTAINER_EXITED, 0, false },
    { "OnFailure", KL_CONTAINER_EXITED, 137, true },
    { "Never", KL_CONTAINER_EXITED, 0, false },
    { "Never", KL_CONTAINER_EXITED, 1, false },
  };
  for (const Row &r : rows)
    {
      SCOPED_TRACE (std::string (r.policy) + " state " + std::to_string (r.state) + " exit "
                    + std::to_string (r.exit_code));
      PodPtr pod = DecodePod (TwoContainerPod (r.policy));
      ASSERT_NE (pod, nullptr);
      RuntimePodPtr rp = NewRuntimePod (pod.get ());
      AddSandbox (rp.get (), "sb", true);
      if (r.state >= 0)
        AddContainer (rp.get (), pod.get (), "a", (kl_container_runtime_state) r.state,
                      r.exit_code);
      EXPECT_EQ (kl_should_restart_container (pod.get (), &pod->spec.containers[0], rp.get ()),
                 r.want);
    }
}

} // namespace

// The workers' decision logic as tables: thresholds, gating, initial delay.
#include <gtest/gtest.h>

#include <string>
#include <vector>

extern "C" {
#include "pkg/kubelet/prober/prober-internal.h"
}

namespace {

const kl_probe_result_t S = KL_PROBE_SUCCESS;
const kl_probe_result_t F = KL_PROBE_FAILURE;
const kl_probe_result_t U = KL_PROBE_UNKNOWN;
const int64_t kSecond = KL_PROBE_NS_PER_SEC;

kl_probe_t
Spec (int success_threshold, int failure_threshold, int initial_delay = 0)
{
  kl_probe_t spec{};
  spec.success_threshold = success_threshold;
  spec.failure_threshold = failure_threshold;
  spec.initial_delay_seconds = initial_delay;
  spec.period_seconds = 10;
  spec.timeout_seconds = 1;
  return spec;
}

TEST (StateReset, InitialResults)
{
  struct
  {
    kl_probe_type_t type;
    bool has_container;
    kl_probe_result_t want;
  } cases[] = {
    { KL_PROBE_READINESS, true, F }, { KL_PROBE_LIVENESS, true, S },
    { KL_PROBE_STARTUP, true, U },   { KL_PROBE_READINESS, false, U },
    { KL_PROBE_LIVENESS, false, U }, { KL_PROBE_STARTUP, false, U },
  };
  for (const auto &c : cases)
    {
      kl_probe_state_t state;
      state.on_hold = true;
      state.result_run = 7;
      kl_probe_state_reset (&state, c.type, c.has_container, 42);
      EXPECT_EQ (state.published, c.want) << kl_probe_type_name (c.type) << " " << c.has_container;
      EXPECT_FALSE (state.on_hold);
      EXPECT_EQ (state.result_run, 0);
      EXPECT_EQ (state.next_due_ns, 42);
    }
}

struct RecordCase
{
  const char *name;
  kl_probe_type_t type;
  int success_threshold;
  int failure_threshold;
  std::vector<kl_probe_result_t> results;   // what each probe said
  std::vector<kl_probe_result_t> published; // the cached result after each
  std::vector<bool> changed;                // whether each changed it
  bool on_hold;                             // at the end
};

TEST (Record, Thresholds)
{
  const RecordCase cases[] = {
    { "readiness: one success is enough, three failures flip it",
      KL_PROBE_READINESS,
      1,
      3,
      { S, F, F, F, S },
      { S, S, S, F, S },
      { true, false, false, true, true },
      false },
    { "readiness: a success in between restarts the failure count",
      KL_PROBE_READINESS,
      1,
      3,
      { S, F, F, S, F, F, F },
      { S, S, S, S, S, S, F },
      { true, false, false, false, false, false, true },
      false },
    { "readiness: successThreshold 2 keeps it unready after one success",
      KL_PROBE_READINESS,
      2,
      1,
      { S, S, F, S, S, S },
      { F, S, F, F, S, S },
      { false, true, true, false, true, false },
      false },
    { "readiness never goes on hold",
      KL_PROBE_READINESS,
      1,
      1,
      { F, F },
      { F, F },
      { false, false },
      false },
    { "liveness: failureThreshold 3 then on hold",
      KL_PROBE_LIVENESS,
      1,
      3,
      { F, F, F },
      { S, S, F },
      { false, false, true },
      true },
    { "liveness: failures below the threshold are forgotten after a success",
      KL_PROBE_LIVENESS,
      1,
      2,
      { F, S, F, S },
      { S, S, S, S },
      { false, false, false, false },
      false },
    { "startup: unknown until it decides",
      KL_PROBE_STARTUP,
      1,
      2,
      { F, S },
      { U, S },
      { false, true },
      false },
    { "startup: failureThreshold reached puts it on hold",
      KL_PROBE_STARTUP,
      1,
      2,
      { F, F },
      { U, F },
      { false, true },
      true },
    { "thresholds of 0 count as 1",
      KL_PROBE_READINESS,
      0,
      0,
      { S, F, S },
      { S, F, S },
      { true, true, true },
      false },
  };
  for (const auto &c : cases)
    {
      SCOPED_TRACE (c.name);
      kl_probe_t spec = Spec (c.success_threshold, c.failure_threshold);
      kl_probe_state_t state;
      kl_probe_state_reset (&state, c.type, true, 0);
      ASSERT_EQ (c.results.size (), c.published.size ());
      ASSERT_EQ (c.results.size (), c.changed.size ());
      for (size_t i = 0; i < c.results.size (); i++)
        {
          bool changed = kl_probe_record (&state, c.type, &spec, c.results[i]);
          EXPECT_EQ (changed, c.changed[i]) << "probe " << i;
          EXPECT_EQ (state.published, c.published[i]) << "probe " << i;
        }
      EXPECT_EQ (state.on_hold, c.on_hold);
      if (c.on_hold)
        {
          EXPECT_EQ (state.result_run, 0);
        }
    }
}

struct ActionCase
{
  const char *name;
  kl_probe_type_t type;
  kl_probe_gate_t gate;
  bool on_hold;
  int initial_delay;
  int64_t next_due_ns;
  enum kl_probe_action want;
  int64_t want_at_ns; // for RUN
};

TEST (NextAction, Gating)
{
  // has_container, running, started_at_ns, startup_done
  const kl_probe_gate_t running_started = { true, true, 100 * kSecond, true };
  const kl_probe_gate_t running_starting = { true, true, 100 * kSecond, false };
  const kl_probe_gate_t exited = { true, false, 100 * kSecond, true };
  const kl_probe_gate_t none = { false, false, 0, true };
  const ActionCase cases[] = {
    { "no container yet", KL_PROBE_READINESS, none, false, 0, 0, KL_PROBE_ACTION_WAIT_CONTAINER,
      0 },
    { "liveness on hold after a failure", KL_PROBE_LIVENESS, running_started, true, 0, 0,
      KL_PROBE_ACTION_ON_HOLD, 0 },
    { "container not running", KL_PROBE_READINESS, exited, false, 0, 0,
      KL_PROBE_ACTION_WAIT_RUNNING, 0 },
    { "liveness waits for the startup probe", KL_PROBE_LIVENESS, running_starting, false, 0, 0,
      KL_PROBE_ACTION_WAIT_STARTUP, 0 },
    { "readiness waits for the startup probe", KL_PROBE_READINESS, running_starting, false, 0, 0,
      KL_PROBE_ACTION_WAIT_STARTUP, 0 },
    { "startup stops once it succeeded", KL_PROBE_STARTUP, running_started, false, 0, 0,
      KL_PROBE_ACTION_STARTED, 0 },
    { "startup runs while starting", KL_PROBE_STARTUP, running_starting, false, 0, 150 * kSecond,
      KL_PROBE_ACTION_RUN, 150 * kSecond },
    { "initial delay counts from the container start", KL_PROBE_READINESS, running_started, false,
      10, 50 * kSecond, KL_PROBE_ACTION_RUN, 110 * kSecond },
    { "startup probe honours its initial delay", KL_PROBE_STARTUP, running_starting, false, 5, 0,
      KL_PROBE_ACTION_RUN, 105 * kSecond },
    { "past the initial delay the period decides", KL_PROBE_LIVENESS, running_started, false, 10,
      200 * kSecond, KL_PROBE_ACTION_RUN, 200 * kSecond },
    { "no delay: due at once", KL_PROBE_READINESS, running_started, false, 0, 100 * kSecond,
      KL_PROBE_ACTION_RUN, 100 * kSecond },
  };
  for (const auto &c : cases)
    {
      SCOPED_TRACE (c.name);
      kl_probe_t spec = Spec (1, 3, c.initial_delay);
      kl_probe_state_t state;
      kl_probe_state_reset (&state, c.type, c.gate.has_container, c.next_due_ns);
      state.on_hold = c.on_hold;
      int64_t at = -1;
      EXPECT_EQ (kl_probe_next_action (c.type, &spec, &state, &c.gate, &at), c.want);
      if (c.want == KL_PROBE_ACTION_RUN)
        {
          EXPECT_EQ (at, c.want_at_ns);
        }
    }
}

// A liveness worker's life, driving the pure functions as the thread does:
// probes after the initial delay, fails to the threshold, holds, and starts
// afresh on a new container.
TEST (Worker, LivenessLifecycle)
{
  kl_probe_t spec = Spec (1, 2, 30);
  kl_probe_state_t state;
  kl_probe_gate_t gate = { true, true, 1000 * kSecond, true };
  kl_probe_state_reset (&state, KL_PROBE_LIVENESS, true, 1000 * kSecond);
  EXPECT_EQ (state.published, S);
  int64_t at = 0;
  ASSERT_EQ (kl_probe_next_action (KL_PROBE_LIVENESS, &spec, &state, &gate, &at),
             KL_PROBE_ACTION_RUN);
  EXPECT_EQ (at, 1030 * kSecond);
  EXPECT_FALSE (kl_probe_record (&state, KL_PROBE_LIVENESS, &spec, F));
  EXPECT_TRUE (kl_probe_record (&state, KL_PROBE_LIVENESS, &spec, F));
  EXPECT_EQ (state.published, F);
  EXPECT_EQ (kl_probe_next_action (KL_PROBE_LIVENESS, &spec, &state, &gate, &at),
             KL_PROBE_ACTION_ON_HOLD);
  // The kubelet restarts the container: a new ID resets the worker.
  gate.started_at_ns = 2000 * kSecond;
  kl_probe_state_reset (&state, KL_PROBE_LIVENESS, true, 2000 * kSecond);
  EXPECT_EQ (state.published, S);
  ASSERT_EQ (kl_probe_next_action (KL_PROBE_LIVENESS, &spec, &state, &gate, &at),
             KL_PROBE_ACTION_RUN);
  EXPECT_EQ (at, 2030 * kSecond);
  // One failure is below the threshold again.
  EXPECT_FALSE (kl_probe_record (&state, KL_PROBE_LIVENESS, &spec, F));
  EXPECT_EQ (state.published, S);
}

} // namespace

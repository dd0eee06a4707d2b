// Helpers the prober's tests share: a scripted fake runtime, an on_change
// recorder and deadline-bounded waits.
#ifndef KL_KUBELET_PROBER_TESTING_H
#define KL_KUBELET_PROBER_TESTING_H

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

extern "C" {
#include "pkg/kubelet/container/runtime.h"
#include "pkg/kubelet/prober/manager.h"
#include "pkg/kubelet/prober/prober.h"
#include "pkg/util/error.h"
#include "pkg/util/utils.h"
}

namespace kl_prober_testing {

// What one ExecSync call answers: an exit code and output, or an error.
struct ExecReply
{
  int exit_code = 0;
  std::string out;
  std::string err;
  bool fail = false;
  kl_error_kind kind = KL_ERROR_GENERIC;
  std::string message;
};

struct ExecCall
{
  std::string container_id;
  std::vector<std::string> cmd;
  int64_t timeout = 0;
};

// A kl_runtime_t whose ExecSync answers from a script; every other op fails.
class FakeRuntime
{
public:
  using Script = std::function<ExecReply (const ExecCall &)>;

  FakeRuntime ()
  {
#define KL_FAKE_SET_OP(fn, Method, Service, Request, Response, desc) ops_.fn = Fail##Method;
    KL_CRI_UNARY_METHODS (KL_FAKE_SET_OP)
#undef KL_FAKE_SET_OP
    ops_.pull_image = FailPullImage;
    ops_.exec_sync = ExecSync;
    ops_.free = Free;
    runtime_.ops = &ops_;
    runtime_.self = this;
    runtime_.type = "fake";
  }

  kl_runtime_t *
  runtime ()
  {
    return &runtime_;
  }

  void
  SetScript (Script script)
  {
    std::lock_guard<std::mutex> lock (mu_);
    script_ = std::move (script);
  }

  std::vector<ExecCall>
  Calls ()
  {
    std::lock_guard<std::mutex> lock (mu_);
    return calls_;
  }

  // The number of calls whose cmd[0] is `name`.
  int
  CountCalls (const std::string &name)
  {
    std::lock_guard<std::mutex> lock (mu_);
    int n = 0;
    for (const auto &c : calls_)
      if (!c.cmd.empty () && c.cmd[0] == name)
        n++;
    return n;
  }

  // Waits until pred () holds (checked on every call) or `timeout` passes.
  bool
  WaitFor (const std::function<bool (const std::vector<ExecCall> &)> &pred,
           std::chrono::milliseconds timeout)
  {
    std::unique_lock<std::mutex> lock (mu_);
    return cv_.wait_for (lock, timeout, [&] { return pred (calls_); });
  }

private:
#define KL_FAKE_FAIL_OP(fn, Method, Service, Request, Response, desc)                              \
  static int Fail##Method (void *, const Runtime__V1__##Request *, Runtime__V1__##Response **,     \
                           kl_error_t *err)                                                        \
  {                                                                                                \
    return kl_make_error_kind (err, KL_ERROR_GENERIC, 0,                                           \
                               "fake runtime: " #Method " is not implemented");                    \
  }
  KL_CRI_UNARY_METHODS (KL_FAKE_FAIL_OP)
#undef KL_FAKE_FAIL_OP

  static int
  FailPullImage (void *, const Runtime__V1__PullImageRequest *, int64_t,
                 Runtime__V1__PullImageResponse **, kl_error_t *err)
  {
    return kl_make_error_kind (err, KL_ERROR_GENERIC, 0,
                               "fake runtime: PullImage is not implemented");
  }

  static void
  Free (void *)
  {
  }

  static uint8_t *
  Bytes (const std::string &s)
  {
    if (s.empty ())
      return nullptr;
    auto *p = (uint8_t *) xmalloc (s.size ());
    memcpy (p, s.data (), s.size ());
    return p;
  }

  static int
  ExecSync (void *self, const Runtime__V1__ExecSyncRequest *request,
            Runtime__V1__ExecSyncResponse **response, kl_error_t *err)
  {
    auto *fake = static_cast<FakeRuntime *> (self);
    ExecCall call;
    call.container_id = request->container_id;
    for (size_t i = 0; i < request->n_cmd; i++)
      call.cmd.push_back (request->cmd[i]);
    call.timeout = request->timeout;
    Script script;
    {
      std::lock_guard<std::mutex> lock (fake->mu_);
      script = fake->script_;
    }
    ExecReply reply = script ? script (call) : ExecReply ();
    {
      std::lock_guard<std::mutex> lock (fake->mu_);
      fake->calls_.push_back (call);
    }
    fake->cv_.notify_all ();
    if (reply.fail)
      return kl_make_error_kind (err, reply.kind, 0, "%s", reply.message.c_str ());
    auto *resp = (Runtime__V1__ExecSyncResponse *) xmalloc (sizeof (Runtime__V1__ExecSyncResponse));
    runtime__v1__exec_sync_response__init (resp);
    resp->exit_code = reply.exit_code;
    resp->stdout.data = Bytes (reply.out);
    resp->stdout.len = reply.out.size ();
    resp->stderr.data = Bytes (reply.err);
    resp->stderr.len = reply.err.size ();
    *response = resp;
    return 0;
  }

  kl_runtime_ops_s ops_{};
  kl_runtime_t runtime_{};
  std::mutex mu_;
  std::condition_variable cv_;
  Script script_;
  std::vector<ExecCall> calls_;
};

struct Change
{
  std::string pod_uid;
  std::string container;
  kl_probe_type_t type;
  kl_probe_result_t result;
};

// Records on_change calls.
class Recorder
{
public:
  static void
  OnChange (void *ctx, const char *pod_uid, const char *container, kl_probe_type_t type,
            kl_probe_result_t result)
  {
    auto *r = static_cast<Recorder *> (ctx);
    {
      std::lock_guard<std::mutex> lock (r->mu_);
      r->changes_.push_back ({ pod_uid, container, type, result });
    }
    r->cv_.notify_all ();
  }

  std::vector<Change>
  Changes ()
  {
    std::lock_guard<std::mutex> lock (mu_);
    return changes_;
  }

  // True once some recorded change matches; waits at most `timeout`.
  bool
  WaitForChange (const std::string &container, kl_probe_type_t type, kl_probe_result_t result,
                 std::chrono::milliseconds timeout, size_t from = 0)
  {
    std::unique_lock<std::mutex> lock (mu_);
    return cv_.wait_for (lock, timeout, [&] {
      for (size_t i = from; i < changes_.size (); i++)
        if (changes_[i].container == container && changes_[i].type == type
            && changes_[i].result == result)
          return true;
      return false;
    });
  }

  size_t
  Size ()
  {
    std::lock_guard<std::mutex> lock (mu_);
    return changes_.size ();
  }

private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Change> changes_;
};

// Runs a probe once; the output or error message lands in *text.
inline int
RunProbe (const kl_probe_target_t &target, kl_probe_result_t *result, std::string *text)
{
  char *output = nullptr;
  kl_error_t err = nullptr;
  int ret = kl_probe_run (&target, result, &output, &err);
  *text = ret < 0 ? kl_error_message (err) : output;
  free (output);
  kl_error_release (&err);
  return ret;
}

} // namespace kl_prober_testing

#endif

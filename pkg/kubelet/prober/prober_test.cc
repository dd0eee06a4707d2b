// What the runners share: ports, $(VAR) expansion, the User-Agent, dispatch.
#include <gtest/gtest.h>

#include <string>

#include "pkg/kubelet/prober/testing.h"

extern "C" {
#include "pkg/kubelet/prober/prober-internal.h"
}

namespace {

using kl_prober_testing::RunProbe;

std::string
Expand (const char *s, const kl_container_t *container)
{
  char *out = kl_probe_expand (s, container);
  std::string r = out;
  free (out);
  return r;
}

TEST (Expand, StaticEnvReferences)
{
  kl_env_var_t env[] = {
    { (char *) "NAME", (char *) "world" },
    { (char *) "EMPTY", nullptr },
    { (char *) "NAME", (char *) "later wins" },
  };
  kl_container_t c{};
  c.env = env;
  c.n_env = 3;
  struct
  {
    const char *in, *want;
  } cases[] = {
    { "hello $(NAME)", "hello later wins" },
    { "$(EMPTY)x", "x" },
    { "$$(NAME)", "$(NAME)" },
    { "$(MISSING)", "$(MISSING)" },
    { "cost $5", "cost $5" },
    { "trailing $", "trailing $" },
    { "$(unterminated", "$(unterminated" },
    { "$(NAME)$(NAME)", "later winslater wins" },
    { "", "" },
  };
  for (const auto &tc : cases)
    EXPECT_EQ (Expand (tc.in, &c), tc.want) << tc.in;
  EXPECT_EQ (Expand ("$(NAME)", nullptr), "$(NAME)");
}

TEST (ResolvePort, NumbersNamesAndErrors)
{
  kl_container_port_t ports[] = {
    { (char *) "http", 0, 8080, (char *) "TCP", nullptr },
    { (char *) "metrics", 0, 9090, (char *) "TCP", nullptr },
  };
  kl_container_t c{};
  c.ports = ports;
  c.n_ports = 2;
  struct
  {
    bool is_string;
    int32_t number;
    const char *name;
    int want; // -1: error
  } cases[] = {
    { false, 80, nullptr, 80 },    { true, 0, "http", 8080 },
    { true, 0, "metrics", 9090 },  { true, 0, "8443", 8443 }, // an int stored as a string
    { true, 0, "grpc", -1 },                                  // no such port
    { false, 0, nullptr, -1 },                                // out of range
    { false, 65536, nullptr, -1 }, { true, 0, "70000", -1 },
  };
  for (const auto &tc : cases)
    {
      kl_int_or_string_t port{};
      port.is_string = tc.is_string;
      port.int_value = tc.number;
      port.string_value = (char *) tc.name;
      int got = -1;
      kl_error_t err = nullptr;
      int ret = kl_probe_resolve_port (&port, &c, &got, &err);
      if (tc.want < 0)
        {
          EXPECT_LT (ret, 0) << (tc.name ? tc.name : "") << tc.number;
          EXPECT_NE (err, nullptr);
        }
      else
        {
          EXPECT_EQ (ret, 0) << kl_error_message (err);
          EXPECT_EQ (got, tc.want);
        }
      kl_error_release (&err);
    }
}

TEST (Prober, UserAgentIsMajorMinor)
{
  char *agent = kl_probe_user_agent ();
  EXPECT_STREQ (agent, "kube-probe/0.1");
  free (agent);
}

TEST (Prober, Names)
{
  EXPECT_STREQ (kl_probe_type_name (KL_PROBE_LIVENESS), "Liveness");
  EXPECT_STREQ (kl_probe_type_name (KL_PROBE_READINESS), "Readiness");
  EXPECT_STREQ (kl_probe_type_name (KL_PROBE_STARTUP), "Startup");
  EXPECT_STREQ (kl_probe_result_name (KL_PROBE_SUCCESS), "success");
  EXPECT_STREQ (kl_probe_result_name (KL_PROBE_FAILURE), "failure");
  EXPECT_STREQ (kl_probe_result_name (KL_PROBE_UNKNOWN), "unknown");
}

TEST (Prober, NoHandlerIsAnError)
{
  kl_probe_t probe{};
  kl_probe_target_t target{};
  target.probe = &probe;
  target.cancel_fd = -1;
  kl_probe_result_t result = KL_PROBE_UNKNOWN;
  std::string text;
  EXPECT_LT (RunProbe (target, &result, &text), 0);
  EXPECT_EQ (text, "probe has no handler");
}

TEST (Prober, GrpcIsUnsupported)
{
  kl_grpc_action_t grpc{};
  grpc.port = 50051;
  kl_probe_t probe{};
  probe.grpc = &grpc;
  kl_probe_target_t target{};
  target.probe = &probe;
  target.cancel_fd = -1;
  kl_probe_result_t result = KL_PROBE_UNKNOWN;
  std::string text;
  EXPECT_LT (RunProbe (target, &result, &text), 0);
  EXPECT_NE (text.find ("grpc probe: gRPC health checking (port 50051) is not supported"),
             std::string::npos)
      << text;
}

} // namespace

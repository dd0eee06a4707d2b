/* gRPC probes: not supported; they error and the worker discards the
   result (Go with the GRPCContainerProbe gate off). */
#include "pkg/kubelet/prober/prober-internal.h"

static int
grpc_run (const kl_probe_target_t *target, kl_probe_result_t *result, char **output,
          kl_error_t *err)
{
  (void) result;
  (void) output;
  return kl_make_error_kind (err, KL_ERROR_INVALID, 0,
                             "gRPC health checking (port %d) is not supported by this kubelet",
                             (int) target->probe->grpc->port);
}

const struct kl_probe_runner_s kl_probe_runner_grpc = {
  .name = "grpc",
  .run = grpc_run,
};

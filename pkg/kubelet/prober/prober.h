/* Container probes (Go's pkg/kubelet/prober): run one exec, httpGet or tcpSocket probe. */
#ifndef KL_KUBELET_PROBER_PROBER_H
#define KL_KUBELET_PROBER_PROBER_H

#include "pkg/kubelet/api/types.h"
#include "pkg/kubelet/container/runtime.h"
#include "pkg/util/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum
{
  KL_PROBE_LIVENESS = 0,
  KL_PROBE_READINESS,
  KL_PROBE_STARTUP,
} kl_probe_type_t;

#define KL_PROBE_N_TYPES 3

/* A probe's verdict. UNKNOWN: nothing known yet (no container, or a startup
   probe that has not decided). */
typedef enum
{
  KL_PROBE_UNKNOWN = 0,
  KL_PROBE_SUCCESS,
  KL_PROBE_FAILURE,
} kl_probe_result_t;

/* "Liveness", "Readiness", "Startup" (Go's probeType.String ()). */
const char *kl_probe_type_name (kl_probe_type_t type);

/* "success", "failure", "unknown". */
const char *kl_probe_result_name (kl_probe_result_t result);

/* What one probe runs against; everything is borrowed. */
struct kl_probe_target_s
{
  const kl_probe_t *probe;
  const kl_container_t *container; /* named ports; env for $(VAR) in exec commands */
  const char *container_id;        /* the CRI container ID ("<type>://" is stripped) */
  const char *pod_ip;              /* host when httpGet/tcpSocket leave it out */
  kl_runtime_t *runtime;           /* runs exec probes */
  int cancel_fd;                   /* readable: abandon an HTTP or TCP probe; -1 for none */
};
typedef struct kl_probe_target_s kl_probe_target_t;

/* Runs target->probe once, as Go's prober.runProbe: returns 0 with *result
   SUCCESS or FAILURE and *output (caller frees) holding the command's output,
   the response body or why it failed; returns negative when the probe could
   not be run at all (bad port, runtime error, gRPC probe, no handler), which
   Go reports as Unknown with an error and the worker discards. */
int kl_probe_run (const kl_probe_target_t *target, kl_probe_result_t *result, char **output,
                  kl_error_t *err);

/* The User-Agent of HTTP probes: "kube-probe/<major>.<minor>" of our version. */
char *kl_probe_user_agent (void);

#ifdef __cplusplus
}
#endif

#endif

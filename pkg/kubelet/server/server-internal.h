/* What the server's files share: the stats encoder and the healthz report. */
#ifndef KL_KUBELET_SERVER_SERVER_INTERNAL_H
#define KL_KUBELET_SERVER_SERVER_INTERNAL_H

#include <jansson.h> /* json_t */
#include <stdbool.h>

#include "pkg/kubelet/server/server.h"

/* The Summary as stats/v1alpha1 JSON; with `only_cpu_and_memory` only
   names, references, start times, cpu and memory are written (the Go
   kubelet's ?only_cpu_and_memory=true). */
json_t *kl_encode_stats_summary (const kl_stats_summary_t *summary, bool only_cpu_and_memory);

/* The healthz body for `checks` (after "ping"), as Go's healthz handler
   writes it: "ok" when all pass and `verbose` is false, otherwise a
   "[+]name ok" or "[-]name failed: reason" line per check and a closing
   "healthz check passed" or "healthz check failed". Sets *healthy. The
   caller frees the result. */
char *kl_healthz_report (const kl_healthz_checks_t *checks, bool verbose, bool *healthy);

#endif

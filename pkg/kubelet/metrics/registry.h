/* A thread-safe Prometheus registry: labelled counters, gauges, histograms in text format 0.0.4. */
#ifndef KL_KUBELET_METRICS_REGISTRY_H
#define KL_KUBELET_METRICS_REGISTRY_H

#include <stddef.h>

#include "pkg/util/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The Content-Type of kl_metrics_registry_render ()'s output. */
#define KL_METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* A family stops taking new label sets once it has this many (label
   values that come from outside must not grow memory without bound). */
#define KL_METRICS_MAX_SERIES 10000

enum kl_metric_type
{
  KL_METRIC_COUNTER = 0,
  KL_METRIC_GAUGE,
  KL_METRIC_HISTOGRAM,
};

typedef struct kl_metrics_registry_s kl_metrics_registry_t;

/* A metric family: one name, type and set of label names; one series per
   distinct list of label values. Owned by its registry. */
typedef struct kl_metric_s kl_metric_t;

/* What kl_metrics_register () creates. */
struct kl_metric_opts_s
{
  const char *name; /* [a-zA-Z_:][a-zA-Z0-9_:]* */
  const char *help;
  enum kl_metric_type type;
  const char *const *label_names; /* NULL-terminated, or NULL for none */
  const double *buckets;          /* histograms: increasing upper bounds, +Inf implied */
  size_t n_buckets;
};
typedef struct kl_metric_opts_s kl_metric_opts_t;

/* Prometheus' DefBuckets: .005 .01 .025 .05 .1 .25 .5 1 2.5 5 10. */
extern const double kl_metrics_default_buckets[11];

kl_metrics_registry_t *kl_metrics_registry_new (void);

/* Frees the registry and every family in it; NULL is fine. No other thread
   may still use it or its families. */
void kl_metrics_registry_free (kl_metrics_registry_t *reg);

/* Adds a family to `reg` and sets *out to it (valid until the registry is
   freed). Invalid names, reserved labels ("le" on a histogram, "__*") and
   buckets that do not increase are KL_ERROR_INVALID; a name already taken
   is KL_ERROR_ALREADY_EXISTS. A family without labels starts with its one
   series at zero; a labelled family shows nothing until a series is used. */
int kl_metrics_register (kl_metrics_registry_t *reg, const kl_metric_opts_t *opts,
                         kl_metric_t **out, kl_error_t *err);

/* The updates below take the family's label values as NULL-terminated
   variadic strings, one per label name in order ("" for an empty value):
     kl_counter_inc (m->runtime_operations_total, "create_container", NULL);
   A call with the wrong number of values, on the wrong type of family, a
   negative counter increment or a new series past KL_METRICS_MAX_SERIES
   is logged and ignored: metrics never fail the caller. */

void kl_counter_inc (kl_metric_t *m, ...) __attribute__ ((sentinel));
void kl_counter_add (kl_metric_t *m, double v, ...) __attribute__ ((sentinel));
void kl_gauge_set (kl_metric_t *m, double v, ...) __attribute__ ((sentinel));
void kl_gauge_add (kl_metric_t *m, double v, ...) __attribute__ ((sentinel));
void kl_histogram_observe (kl_metric_t *m, double v, ...) __attribute__ ((sentinel));

/* The series' value (a histogram's count); 0 when the series does not exist. */
double kl_metric_value (kl_metric_t *m, ...) __attribute__ ((sentinel));

/* A histogram series' sum of observations; 0 when it does not exist. */
double kl_histogram_sum (kl_metric_t *m, ...) __attribute__ ((sentinel));

/* Removes the series with these label values, if any (a pod that went away). */
void kl_metric_delete (kl_metric_t *m, ...) __attribute__ ((sentinel));

/* The registry as text format 0.0.4: families sorted by name, each with
   its HELP and TYPE lines and series sorted by label values; histograms
   as cumulative _bucket{le="..."} lines up to le="+Inf", _sum and _count.
   *len (if not NULL) gets the length; the caller frees the text. */
char *kl_metrics_registry_render (kl_metrics_registry_t *reg, size_t *len);

/* `v` as a sample value: integers up to 2^53 in full, other values in the
   shortest form that reads back exactly, "+Inf", "-Inf" or "NaN". `buf`
   holds at least 32 bytes; returns buf. */
char *kl_metrics_format_value (double v, char *buf, size_t size);

#ifdef __cplusplus
}
#endif

#endif

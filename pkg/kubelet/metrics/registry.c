/* The metrics registry: families, their series, updates and the text format. */
#include "pkg/kubelet/metrics/registry.h"

#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/util/log.h"
#include "pkg/util/utils.h"

/* More label names than this on one family is a mistake, not a design. */
#define MAX_LABELS 16

const double kl_metrics_default_buckets[11] = { .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10 };

/* One series: a family's label values and what was recorded under them. */
struct series_s
{
  char **label_values;     /* one per label name */
  double value;            /* counter, gauge */
  uint64_t *bucket_counts; /* histogram: per bucket, not cumulative; [n_buckets] is +Inf */
  double sum;              /* histogram */
  uint64_t count;          /* histogram */
};

struct kl_metric_s
{
  /* Immutable after registration. */
  char *name;
  char *help;
  enum kl_metric_type type;
  char **label_names;
  size_t n_labels;
  double *buckets;
  size_t n_buckets;

  pthread_mutex_t lock;     /* guards everything below */
  struct series_s **series; /* sorted by label values */
  size_t n_series;
  size_t cap_series;
  bool warned_full;
};

struct kl_metrics_registry_s
{
  /* Guards `families` and `n_families`. Taken before a family's lock, never
     while holding one: updates take only the family's lock. */
  pthread_mutex_t lock;
  kl_metric_t **families; /* sorted by name */
  size_t n_families;
};

enum update_op
{
  OP_COUNTER_ADD,
  OP_GAUGE_SET,
  OP_GAUGE_ADD,
  OP_OBSERVE,
};

static const char *const type_names[] = {
  [KL_METRIC_COUNTER] = "counter",
  [KL_METRIC_GAUGE] = "gauge",
  [KL_METRIC_HISTOGRAM] = "histogram",
};

kl_metrics_registry_t *
kl_metrics_registry_new (void)
{
  kl_metrics_registry_t *reg = xmalloc0 (sizeof *reg);
  pthread_mutex_init (&reg->lock, NULL);
  return reg;
}

static void
series_free (struct series_s *s, size_t n_labels)
{
  if (s == NULL)
    return;
  for (size_t i = 0; i < n_labels; i++)
    free (s->label_values[i]);
  free (s->label_values);
  free (s->bucket_counts);
  free (s);
}

static void
metric_free (kl_metric_t *m)
{
  for (size_t i = 0; i < m->n_series; i++)
    series_free (m->series[i], m->n_labels);
  free (m->series);
  for (size_t i = 0; i < m->n_labels; i++)
    free (m->label_names[i]);
  free (m->label_names);
  free (m->buckets);
  free (m->name);
  free (m->help);
  pthread_mutex_destroy (&m->lock);
  free (m);
}

void
kl_metrics_registry_free (kl_metrics_registry_t *reg)
{
  if (reg == NULL)
    return;
  for (size_t i = 0; i < reg->n_families; i++)
    metric_free (reg->families[i]);
  free (reg->families);
  pthread_mutex_destroy (&reg->lock);
  free (reg);
}

static bool
valid_name (const char *s, bool colons)
{
  if (s == NULL || *s == '\0')
    return false;
  for (const char *p = s; *p; p++)
    {
      char c = *p;
      bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colons && c == ':')
                || (p != s && c >= '0' && c <= '9');
      if (!ok)
        return false;
    }
  return true;
}

static int
check_opts (const kl_metric_opts_t *o, size_t *n_labels, kl_error_t *err)
{
  if (!valid_name (o->name, true))
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "invalid metric name \"%s\"",
                               o->name ? o->name : "");
  if (o->type != KL_METRIC_COUNTER && o->type != KL_METRIC_GAUGE && o->type != KL_METRIC_HISTOGRAM)
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "metric %s: unknown type %d", o->name,
                               (int) o->type);
  size_t n = 0;
  for (; o->label_names && o->label_names[n]; n++)
    {
      const char *l = o->label_names[n];
      if (n == MAX_LABELS)
        return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "metric %s: more than %d labels",
                                   o->name, MAX_LABELS);
      if (!valid_name (l, false) || strncmp (l, "__", 2) == 0)
        return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "metric %s: invalid label name \"%s\"",
                                   o->name, l);
      if (o->type == KL_METRIC_HISTOGRAM && strcmp (l, "le") == 0)
        return kl_make_error_kind (err, KL_ERROR_INVALID, 0,
                                   "metric %s: label \"le\" is reserved for histogram buckets",
                                   o->name);
      for (size_t j = 0; j < n; j++)
        if (strcmp (o->label_names[j], l) == 0)
          return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "metric %s: duplicate label \"%s\"",
                                     o->name, l);
    }
  if (o->type == KL_METRIC_HISTOGRAM)
    for (size_t i = 0; i < o->n_buckets; i++)
      {
        double b = o->buckets[i];
        bool last_inf = i + 1 == o->n_buckets && isinf (b) && b > 0;
        if (isnan (b) || (isinf (b) && !last_inf) || (i > 0 && !(b > o->buckets[i - 1])))
          return kl_make_error_kind (err, KL_ERROR_INVALID, 0,
                                     "metric %s: bucket bounds must be finite and increasing",
                                     o->name);
      }
  *n_labels = n;
  return 0;
}

static struct series_s *
series_new (const kl_metric_t *m, const char *const *values)
{
  struct series_s *s = xmalloc0 (sizeof *s);
  s->label_values = xmalloc0 ((m->n_labels ? m->n_labels : 1) * sizeof *s->label_values);
  for (size_t i = 0; i < m->n_labels; i++)
    s->label_values[i] = xstrdup (values[i]);
  if (m->type == KL_METRIC_HISTOGRAM)
    s->bucket_counts = xmalloc0 ((m->n_buckets + 1) * sizeof *s->bucket_counts);
  return s;
}

/* The index of the family called `name`, or where it belongs. Holds reg->lock. */
static size_t
family_search (const kl_metrics_registry_t *reg, const char *name, bool *found)
{
  size_t lo = 0, hi = reg->n_families;
  while (lo < hi)
    {
      size_t mid = lo + (hi - lo) / 2;
      int c = strcmp (reg->families[mid]->name, name);
      if (c == 0)
        {
          *found = true;
          return mid;
        }
      if (c < 0)
        lo = mid + 1;
      else
        hi = mid;
    }
  *found = false;
  return lo;
}

int
kl_metrics_register (kl_metrics_registry_t *reg, const kl_metric_opts_t *opts, kl_metric_t **out,
                     kl_error_t *err)
{
  size_t n_labels = 0;
  int ret = check_opts (opts, &n_labels, err);
  if (ret < 0)
    return ret;

  kl_metric_t *m = xmalloc0 (sizeof *m);
  m->name = xstrdup (opts->name);
  m->help = xstrdup (opts->help ? opts->help : "");
  m->type = opts->type;
  m->n_labels = n_labels;
  m->label_names = xmalloc0 ((n_labels ? n_labels : 1) * sizeof *m->label_names);
  for (size_t i = 0; i < n_labels; i++)
    m->label_names[i] = xstrdup (opts->label_names[i]);
  if (m->type == KL_METRIC_HISTOGRAM)
    {
      const double *b = opts->buckets;
      size_t n = opts->n_buckets;
      if (b == NULL || n == 0)
        {
          b = kl_metrics_default_buckets;
          n = KL_ARRAY_SIZE (kl_metrics_default_buckets);
        }
      if (isinf (b[n - 1]))
        n--; /* +Inf is implied */
      m->buckets = xmalloc0 ((n ? n : 1) * sizeof *m->buckets);
      memcpy (m->buckets, b, n * sizeof *b);
      m->n_buckets = n;
    }
  pthread_mutex_init (&m->lock, NULL);
  if (n_labels == 0)
    {
      m->series = xmalloc (sizeof *m->series);
      m->series[0] = series_new (m, NULL);
      m->n_series = m->cap_series = 1;
    }

  pthread_mutex_lock (&reg->lock);
  bool found = false;
  size_t at = family_search (reg, m->name, &found);
  if (found)
    {
      pthread_mutex_unlock (&reg->lock);
      ret = kl_make_error_kind (err, KL_ERROR_ALREADY_EXISTS, 0, "metric %s is already registered",
                                m->name);
      metric_free (m);
      return ret;
    }
  reg->families = xrealloc (reg->families, (reg->n_families + 1) * sizeof *reg->families);
  memmove (reg->families + at + 1, reg->families + at,
           (reg->n_families - at) * sizeof *reg->families);
  reg->families[at] = m;
  reg->n_families++;
  pthread_mutex_unlock (&reg->lock);
  *out = m;
  return 0;
}

/* Reads the NULL-terminated label values of a call on `m` into `values`;
   false (logged) when their number is not the family's. */
static bool
read_label_values (const kl_metric_t *m, va_list ap, const char **values)
{
  size_t n = 0;
  const char *v;
  while (n <= m->n_labels && (v = va_arg (ap, const char *)) != NULL)
    {
      if (n < m->n_labels)
        values[n] = v;
      n++;
    }
  if (n != m->n_labels)
    {
      KL_LOG_ERROR ("metric %s: %s%zu label values for %zu label names; update ignored", m->name,
                    n > m->n_labels ? "more than " : "", n > m->n_labels ? m->n_labels : n,
                    m->n_labels);
      return false;
    }
  return true;
}

static int
compare_values (char *const *a, const char *const *b, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      int c = strcmp (a[i], b[i]);
      if (c != 0)
        return c;
    }
  return 0;
}

/* The index of the series with `values`, or where it belongs. Holds m->lock. */
static size_t
series_search (const kl_metric_t *m, const char *const *values, bool *found)
{
  size_t lo = 0, hi = m->n_series;
  while (lo < hi)
    {
      size_t mid = lo + (hi - lo) / 2;
      int c = compare_values (m->series[mid]->label_values, values, m->n_labels);
      if (c == 0)
        {
          *found = true;
          return mid;
        }
      if (c < 0)
        lo = mid + 1;
      else
        hi = mid;
    }
  *found = false;
  return lo;
}

/* The series with `values`, created when `create` allows; NULL when absent
   or the family is full. Holds m->lock. */
static struct series_s *
series_get (kl_metric_t *m, const char *const *values, bool create)
{
  bool found = false;
  size_t at = series_search (m, values, &found);
  if (found)
    return m->series[at];
  if (!create)
    return NULL;
  if (m->n_series >= KL_METRICS_MAX_SERIES)
    {
      if (!m->warned_full)
        KL_LOG_ERROR ("metric %s: more than %d series; new label values are dropped", m->name,
                      KL_METRICS_MAX_SERIES);
      m->warned_full = true;
      return NULL;
    }
  if (m->n_series == m->cap_series)
    {
      m->cap_series = m->cap_series ? 2 * m->cap_series : 4;
      m->series = xrealloc (m->series, m->cap_series * sizeof *m->series);
    }
  memmove (m->series + at + 1, m->series + at, (m->n_series - at) * sizeof *m->series);
  m->series[at] = series_new (m, values);
  m->n_series++;
  return m->series[at];
}

static void
update (kl_metric_t *m, enum update_op op, double v, va_list ap)
{
  static const enum kl_metric_type wanted[] = {
    [OP_COUNTER_ADD] = KL_METRIC_COUNTER,
    [OP_GAUGE_SET] = KL_METRIC_GAUGE,
    [OP_GAUGE_ADD] = KL_METRIC_GAUGE,
    [OP_OBSERVE] = KL_METRIC_HISTOGRAM,
  };
  if (m == NULL)
    return;
  if (m->type != wanted[op])
    {
      KL_LOG_ERROR ("metric %s is a %s, not a %s; update ignored", m->name, type_names[m->type],
                    type_names[wanted[op]]);
      return;
    }
  if (op == OP_COUNTER_ADD && !(v >= 0))
    {
      KL_LOG_ERROR ("counter %s cannot be decreased; update ignored", m->name);
      return;
    }
  const char *values[MAX_LABELS];
  if (!read_label_values (m, ap, values))
    return;

  pthread_mutex_lock (&m->lock);
  struct series_s *s = series_get (m, values, true);
  if (s != NULL)
    switch (op)
      {
      case OP_COUNTER_ADD:
      case OP_GAUGE_ADD:
        s->value += v;
        break;
      case OP_GAUGE_SET:
        s->value = v;
        break;
      case OP_OBSERVE:
        {
          /* The first bucket whose upper bound is >= v; NaN lands in +Inf. */
          size_t lo = 0, hi = m->n_buckets;
          while (lo < hi)
            {
              size_t mid = lo + (hi - lo) / 2;
              if (v <= m->buckets[mid])
                hi = mid;
              else
                lo = mid + 1;
            }
          if (isnan (v))
            lo = m->n_buckets;
          s->bucket_counts[lo]++;
          s->sum += v;
          s->count++;
          break;
        }
      }
  pthread_mutex_unlock (&m->lock);
}

void
kl_counter_inc (kl_metric_t *m, ...)
{
  va_list ap;
  va_start (ap, m);
  update (m, OP_COUNTER_ADD, 1, ap);
  va_end (ap);
}

void
kl_counter_add (kl_metric_t *m, double v, ...)
{
  va_list ap;
  va_start (ap, v);
  update (m, OP_COUNTER_ADD, v, ap);
  va_end (ap);
}

void
kl_gauge_set (kl_metric_t *m, double v, ...)
{
  va_list ap;
  va_start (ap, v);
  update (m, OP_GAUGE_SET, v, ap);
  va_end (ap);
}

void
kl_gauge_add (kl_metric_t *m, double v, ...)
{
  va_list ap;
  va_start (ap, v);
  update (m, OP_GAUGE_ADD, v, ap);
  va_end (ap);
}

void
kl_histogram_observe (kl_metric_t *m, double v, ...)
{
  va_list ap;
  va_start (ap, v);
  update (m, OP_OBSERVE, v, ap);
  va_end (ap);
}

/* Reads a series: its value or count (`want_sum` false) or its sum. */
static double
read_series (kl_metric_t *m, bool want_sum, va_list ap)
{
  const char *values[MAX_LABELS];
  if (m == NULL || !read_label_values (m, ap, values))
    return 0;
  double v = 0;
  pthread_mutex_lock (&m->lock);
  struct series_s *s = series_get (m, values, false);
  if (s != NULL && m->type == KL_METRIC_HISTOGRAM)
    v = want_sum ? s->sum : (double) s->count;
  else if (s != NULL && !want_sum)
    v = s->value;
  pthread_mutex_unlock (&m->lock);
  return v;
}

double
kl_metric_value (kl_metric_t *m, ...)
{
  va_list ap;
  va_start (ap, m);
  double v = read_series (m, false, ap);
  va_end (ap);
  return v;
}

double
kl_histogram_sum (kl_metric_t *m, ...)
{
  va_list ap;
  va_start (ap, m);
  double v = read_series (m, true, ap);
  va_end (ap);
  return v;
}

void
kl_metric_delete (kl_metric_t *m, ...)
{
  const char *values[MAX_LABELS];
  va_list ap;
  va_start (ap, m);
  bool ok = m != NULL && read_label_values (m, ap, values);
  va_end (ap);
  if (!ok || m->n_labels == 0)
    return;
  pthread_mutex_lock (&m->lock);
  bool found = false;
  size_t at = series_search (m, values, &found);
  if (found)
    {
      series_free (m->series[at], m->n_labels);
      memmove (m->series + at, m->series + at + 1, (m->n_series - at - 1) * sizeof *m->series);
      m->n_series--;
    }
  pthread_mutex_unlock (&m->lock);
}

char *
kl_metrics_format_value (double v, char *buf, size_t size)
{
  if (isnan (v))
    snprintf (buf, size, "NaN");
  else if (isinf (v))
    snprintf (buf, size, v > 0 ? "+Inf" : "-Inf");
  else if (v == floor (v) && fabs (v) <= 9007199254740992.0)
    snprintf (buf, size, "%.0f", v == 0 ? 0.0 : v);
  else
    for (int precision = 1; precision <= 17; precision++)
      {
        snprintf (buf, size, "%.*g", precision, v);
        if (strtod (buf, NULL) == v)
          break;
      }
  return buf;
}

/* Writes `s` with the escapes of a HELP text (`quote` false: \\ and \n) or
   of a label value (`quote` true: also \"). */
static void
write_escaped (FILE *out, const char *s, bool quote)
{
  for (; *s; s++)
    {
      if (*s == '\\')
        fputs ("\\\\", out);
      else if (*s == '\n')
        fputs ("\\n", out);
      else if (quote && *s == '"')
        fputs ("\\\"", out);
      else
        fputc (*s, out);
    }
}

/* Writes `name<suffix>{labels[,le="<le>"]} <value>`. */
static void
write_sample (FILE *out, const kl_metric_t *m, const char *suffix, const struct series_s *s,
              const char *le, const char *value)
{
  fputs (m->name, out);
  fputs (suffix, out);
  if (m->n_labels > 0 || le != NULL)
    {
      fputc ('{', out);
      for (size_t i = 0; i < m->n_labels; i++)
        {
          fprintf (out, "%s%s=\"", i ? "," : "", m->label_names[i]);
          write_escaped (out, s->label_values[i], true);
          fputc ('"', out);
        }
      if (le != NULL)
        fprintf (out, "%sle=\"%s\"", m->n_labels ? "," : "", le);
      fputc ('}', out);
    }
  fprintf (out, " %s\n", value);
}

static void
write_histogram (FILE *out, const kl_metric_t *m, const struct series_s *s)
{
  char le[32], value[32];
  uint64_t cumulative = 0;
  for (size_t b = 0; b <= m->n_buckets; b++)
    {
      cumulative += s->bucket_counts[b];
      if (b < m->n_buckets)
        kl_metrics_format_value (m->buckets[b], le, sizeof le);
      else
        snprintf (le, sizeof le, "+Inf");
      snprintf (value, sizeof value, "%" PRIu64, cumulative);
      write_sample (out, m, "_bucket", s, le, value);
    }
  write_sample (out, m, "_sum", s, NULL, kl_metrics_format_value (s->sum, value, sizeof value));
  snprintf (value, sizeof value, "%" PRIu64, s->count);
  write_sample (out, m, "_count", s, NULL, value);
}

/* Writes one family. Holds m->lock. */
static void
write_family (FILE *out, const kl_metric_t *m)
{
  if (m->n_series == 0)
    return;
  fprintf (out, "# HELP %s ", m->name);
  write_escaped (out, m->help, false);
  fprintf (out, "\n# TYPE %s %s\n", m->name, type_names[m->type]);
  char value[32];
  for (size_t i = 0; i < m->n_series; i++)
    {
      const struct series_s *s = m->series[i];
      if (m->type == KL_METRIC_HISTOGRAM)
        write_histogram (out, m, s);
      else
        write_sample (out, m, "", s, NULL, kl_metrics_format_value (s->value, value, sizeof value));
    }
}

char *
kl_metrics_registry_render (kl_metrics_registry_t *reg, size_t *len)
{
  char *text = NULL;
  size_t size = 0;
  FILE *out = open_memstream (&text, &size);
  if (out == NULL)
    kl_oom ();
  pthread_mutex_lock (&reg->lock);
  for (size_t i = 0; i < reg->n_families; i++)
    {
      kl_metric_t *m = reg->families[i];
      pthread_mutex_lock (&m->lock);
      write_family (out, m);
      pthread_mutex_unlock (&m->lock);
    }
  pthread_mutex_unlock (&reg->lock);
  if (fclose (out) != 0 || text == NULL)
    kl_oom ();
  if (len)
    *len = size;
  return text;
}

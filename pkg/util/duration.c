#include "pkg/util/duration.h"

#include <string.h>

#include "pkg/util/utils.h"

#define TWO_63 ((uint64_t) 1 << 63)

static int
invalid (kl_error_t *err, const char *s, const char *reason)
{
  cleanup_free char *q = kl_quote (s, strlen (s));
  return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "invalid duration %s: %s", q, reason);
}

static int
is_digit (char c)
{
  return c >= '0' && c <= '9';
}

/* Nanoseconds per unit, or 0 for an unknown unit. */
static uint64_t
unit_nanoseconds (const char *u, size_t len)
{
  static const struct
  {
    const char *name;
    uint64_t ns;
  } units[] = {
    { "ns", 1 },
    { "us", 1000 },
    { "\xc2\xb5s", 1000 }, /* U+00B5 MICRO SIGN */
    { "\xce\xbcs", 1000 }, /* U+03BC GREEK SMALL LETTER MU */
    { "ms", 1000000 },
    { "s", 1000000000 },
    { "m", 60 * (uint64_t) 1000000000 },
    { "h", 3600 * (uint64_t) 1000000000 },
  };
  for (size_t i = 0; i < KL_ARRAY_SIZE (units); i++)
    if (strlen (units[i].name) == len && memcmp (units[i].name, u, len) == 0)
      return units[i].ns;
  return 0;
}

/* Consumes [0-9]* from *p; fails once the value passes 2^63 (Go's leadingInt). */
static int
leading_int (const char **p, uint64_t *out)
{
  uint64_t x = 0;
  const char *s = *p;
  for (; is_digit (*s); s++)
    {
      if (x > TWO_63 / 10)
        return -1;
      x = x * 10 + (uint64_t) (*s - '0');
      if (x > TWO_63)
        return -1;
    }
  *p = s;
  *out = x;
  return 0;
}

/* Consumes [0-9]* from *p as a fraction f / scale; digits past what fits in
   2^63 are dropped rather than rejected (Go's leadingFraction). */
static void
leading_fraction (const char **p, uint64_t *f, double *scale)
{
  uint64_t x = 0;
  double sc = 1;
  int overflow = 0;
  const char *s = *p;
  for (; is_digit (*s); s++)
    {
      if (overflow)
        continue;
      if (x > (TWO_63 - 1) / 10)
        {
          overflow = 1;
          continue;
        }
      uint64_t y = x * 10 + (uint64_t) (*s - '0');
      if (y > TWO_63)
        {
          overflow = 1;
          continue;
        }
      x = y;
      sc *= 10;
    }
  *p = s;
  *f = x;
  *scale = sc;
}

int
kl_duration_parse (const char *s, int64_t *out_ns, kl_error_t *err)
{
  const char *orig = s;
  uint64_t d = 0;
  int neg = 0;

  if (*s == '-' || *s == '+')
    neg = *s++ == '-';
  if (strcmp (s, "0") == 0)
    {
      *out_ns = 0;
      return 0;
    }
  if (*s == '\0')
    return invalid (err, orig, *orig ? "expected a number" : "empty string");

  while (*s)
    {
      uint64_t v = 0, f = 0;
      double scale = 1;

      if (!(*s == '.' || is_digit (*s)))
        return invalid (err, orig, "expected a number");

      const char *start = s;
      if (leading_int (&s, &v) < 0)
        return invalid (err, orig, "out of range");
      int pre = s != start;

      int post = 0;
      if (*s == '.')
        {
          s++;
          start = s;
          leading_fraction (&s, &f, &scale);
          post = s != start;
        }
      if (!pre && !post)
        return invalid (err, orig, "expected a number");

      const char *unit_start = s;
      while (*s && *s != '.' && !is_digit (*s))
        s++;
      size_t unit_len = (size_t) (s - unit_start);
      if (unit_len == 0)
        return invalid (err, orig, "missing unit");
      uint64_t unit = unit_nanoseconds (unit_start, unit_len);
      if (unit == 0)
        {
          cleanup_free char *q = kl_quote (unit_start, unit_len);
          cleanup_free char *reason = xasprintf ("unknown unit %s", q);
          return invalid (err, orig, reason);
        }

      if (v > TWO_63 / unit)
        return invalid (err, orig, "out of range");
      v *= unit;
      if (f > 0)
        {
          /* As Go: a double keeps fractions of an hour nanosecond-accurate,
             and f / scale < 1 bounds the addend by `unit`. */
          v += (uint64_t) ((double) f * ((double) unit / scale));
          if (v > TWO_63)
            return invalid (err, orig, "out of range");
        }
      /* Go lets 2^63 + 2^63 wrap to 0 here; both terms are at most 2^63, so
         checking before adding rejects that case instead. */
      if (v > TWO_63 - d)
        return invalid (err, orig, "out of range");
      d += v;
    }

  if (neg)
    {
      *out_ns = d == TWO_63 ? INT64_MIN : -(int64_t) d;
      return 0;
    }
  if (d > TWO_63 - 1)
    return invalid (err, orig, "out of range");
  *out_ns = (int64_t) d;
  return 0;
}

/* Writes the fraction v / 10^prec (".125") before buf[w] without trailing
   zeros, and without the point when it is zero; returns the new start and
   leaves v / 10^prec in *v (Go's fmtFrac). */
static size_t
format_fraction (char *buf, size_t w, uint64_t *v, int prec)
{
  int print = 0;
  for (int i = 0; i < prec; i++)
    {
      unsigned digit = (unsigned) (*v % 10);
      print = print || digit != 0;
      if (print)
        buf[--w] = (char) ('0' + digit);
      *v /= 10;
    }
  if (print)
    buf[--w] = '.';
  return w;
}

/* Writes the decimal v before buf[w]; returns the new start (Go's fmtInt). */
static size_t
format_int (char *buf, size_t w, uint64_t v)
{
  if (v == 0)
    {
      buf[--w] = '0';
      return w;
    }
  for (; v > 0; v /= 10)
    buf[--w] = (char) ('0' + v % 10);
  return w;
}

char *
kl_duration_format (int64_t ns)
{
  /* The longest is "-2562047h47m16.854775808s" (25 bytes). */
  char buf[32];
  size_t w = sizeof buf;
  int neg = ns < 0;
  uint64_t u = neg ? -(uint64_t) ns : (uint64_t) ns;

  buf[--w] = '\0';
  if (u < (uint64_t) KL_SECOND)
    {
      int prec;
      buf[--w] = 's';
      if (u == 0)
        {
          buf[--w] = '0';
          return xstrdup (buf + w);
        }
      if (u < (uint64_t) KL_MICROSECOND)
        {
          prec = 0;
          buf[--w] = 'n';
        }
      else if (u < (uint64_t) KL_MILLISECOND)
        {
          prec = 3;
          buf[--w] = '\xb5'; /* U+00B5 MICRO SIGN, as Go prints it */
          buf[--w] = '\xc2';
        }
      else
        {
          prec = 6;
          buf[--w] = 'm';
        }
      w = format_fraction (buf, w, &u, prec);
      w = format_int (buf, w, u);
    }
  else
    {
      buf[--w] = 's';
      w = format_fraction (buf, w, &u, 9);
      w = format_int (buf, w, u % 60);
      u /= 60;
      if (u > 0)
        {
          buf[--w] = 'm';
          w = format_int (buf, w, u % 60);
          u /= 60;
          /* Hours are the largest unit: days differ in length. */
          if (u > 0)
            {
              buf[--w] = 'h';
              w = format_int (buf, w, u);
            }
        }
    }
  if (neg)
    buf[--w] = '-';
  return xstrdup (buf + w);
}

int64_t
kl_duration_from_seconds (int64_t seconds)
{
  if (seconds > INT64_MAX / KL_SECOND)
    return INT64_MAX;
  if (seconds < INT64_MIN / KL_SECOND)
    return INT64_MIN;
  return seconds * KL_SECOND;
}

int64_t
kl_duration_add (int64_t a, int64_t b)
{
  int64_t sum;
  if (__builtin_add_overflow (a, b, &sum))
    return b > 0 ? INT64_MAX : INT64_MIN;
  return sum;
}

#include "pkg/util/quantity.h"

#include <string.h>

#include "pkg/util/utils.h"

/* The nano-unit arithmetic needs about 84 bits: the largest accepted magnitude
   is 2^63 milli-units, 2^63 * 10^6 nano-units. */
__extension__ typedef unsigned __int128 u128;

#define NANO_PER_MILLI 1000000

/* Exponents are clamped to this magnitude before any arithmetic: no string in
   memory has 2^62 digits, so a clamped exponent still dominates the digit
   count and yields the same overflow or the same round-up to one nano-unit. */
#define EXPONENT_CLAMP ((int64_t) 1 << 62)

static int
invalid (kl_error_t *err, const char *s, const char *reason, const char *detail)
{
  cleanup_free char *q = kl_quote (s, strlen (s));
  cleanup_free char *d = detail ? kl_quote (detail, strlen (detail)) : NULL;
  return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "invalid quantity %s: %s%s%s", q, reason,
                             d ? " " : "", d ? d : "");
}

static int
is_digit (char c)
{
  return c >= '0' && c <= '9';
}

/* Reads an exponent suffix "e<int>" / "E<int>" as strconv.ParseInt reads the
   integer: optional sign, at least one digit, within int64_t. */
static int
parse_exponent (const char *s, int64_t *out)
{
  if (*s != 'e' && *s != 'E')
    return -1;
  s++;
  int neg = 0;
  if (*s == '+' || *s == '-')
    neg = *s++ == '-';
  if (!is_digit (*s))
    return -1;
  uint64_t limit = neg ? (uint64_t) INT64_MAX + 1 : (uint64_t) INT64_MAX;
  uint64_t v = 0;
  for (; is_digit (*s); s++)
    {
      uint64_t d = (uint64_t) (*s - '0');
      if (v > (limit - d) / 10)
        return -1;
      v = v * 10 + d;
    }
  if (*s != '\0')
    return -1;
  *out = neg ? (int64_t) (0 - v) : (int64_t) v;
  return 0;
}

/* Maps the suffix to value = number * 10^*exp10 * 2^*exp2; fails for anything
   but the suffixes Quantity knows. */
static int
parse_suffix (const char *suffix, int64_t *exp10, int *exp2, enum kl_quantity_format *format)
{
  static const struct
  {
    const char *name;
    int exp10;
  } decimal[] = {
    { "n", -9 }, { "u", -6 }, { "m", -3 }, { "", 0 },   { "k", 3 },
    { "M", 6 },  { "G", 9 },  { "T", 12 }, { "P", 15 }, { "E", 18 },
  };
  static const struct
  {
    const char *name;
    int exp2;
  } binary[] = {
    { "Ki", 10 }, { "Mi", 20 }, { "Gi", 30 }, { "Ti", 40 }, { "Pi", 50 }, { "Ei", 60 },
  };

  *exp10 = 0;
  *exp2 = 0;
  for (size_t i = 0; i < KL_ARRAY_SIZE (decimal); i++)
    if (strcmp (suffix, decimal[i].name) == 0)
      {
        *exp10 = decimal[i].exp10;
        *format = KL_QUANTITY_DECIMAL_SI;
        return 0;
      }
  for (size_t i = 0; i < KL_ARRAY_SIZE (binary); i++)
    if (strcmp (suffix, binary[i].name) == 0)
      {
        *exp2 = binary[i].exp2;
        *format = KL_QUANTITY_BINARY_SI;
        return 0;
      }
  if (parse_exponent (suffix, exp10) < 0)
    return -1;
  *format = KL_QUANTITY_DECIMAL_EXPONENT;
  return 0;
}

/* Sets *out to the magnitude of int_digits.frac_digits * 10^exp10 * 2^exp2
   in nano-units, rounded up; fails if it exceeds `limit`. */
static int
nano_units (const char *int_digits, size_t int_len, const char *frac_digits, size_t frac_len,
            int64_t exp10, int exp2, u128 limit, u128 *out)
{
  /* The number is the digit string D = int_digits frac_digits; only its
     significant part [first, last) matters. */
  size_t n = int_len + frac_len;
#define DIGIT(i) ((unsigned) ((i) < int_len ? int_digits[i] : frac_digits[(i) -int_len]) - '0')
  size_t first = 0, last = n;
  while (first < n && DIGIT (first) == 0)
    first++;
  if (first == n)
    {
      *out = 0;
      return 0;
    }
  while (DIGIT (last - 1) == 0)
    last--;

  /* The magnitude in nano-units is D[first, last) * 10^e * 2^exp2. */
  if (exp10 > EXPONENT_CLAMP)
    exp10 = EXPONENT_CLAMP;
  if (exp10 < -EXPONENT_CLAMP)
    exp10 = -EXPONENT_CLAMP;
  int64_t e = exp10 + 9 - (int64_t) frac_len + (int64_t) (n - last);

  const uint64_t multiplier = (uint64_t) 1 << exp2;
  size_t digits = last - first;

  /* Split D * 10^e into an integer part `whole` and the fraction digits
     D[tail_start, last) preceded by `tail_zeros` zeros. */
  size_t head_digits = digits;
  uint64_t tail_zeros = 0;
  if (e < 0)
    {
      uint64_t k = (uint64_t) -e;
      head_digits = k < digits ? digits - (size_t) k : 0;
      tail_zeros = k > digits ? k - digits : 0;
    }
  size_t tail_start = first + head_digits;

  u128 whole = 0;
  for (size_t i = first; i < tail_start; i++)
    {
      unsigned d = DIGIT (i);
      if (whole > (limit - d) / 10)
        return -1;
      whole = whole * 10 + d;
    }
  for (int64_t i = 0; i < e; i++)
    {
      /* whole >= 1 here, so this leaves the loop within 26 rounds. */
      if (whole > limit / 10)
        return -1;
      whole *= 10;
    }
  if (whole > limit / multiplier)
    return -1;
  whole *= multiplier;

  /* fraction * multiplier by long multiplication from the last digit: the
     carry out of the fraction digits is its integer part and any non-zero
     digit left behind makes the value inexact. carry < multiplier <= 2^60,
     so 9 * multiplier + carry fits in 64 bits. */
  uint64_t carry = 0;
  int inexact = 0;
  for (size_t i = last; i > tail_start; i--)
    {
      uint64_t x = DIGIT (i - 1) * multiplier + carry;
      inexact |= x % 10 != 0;
      carry = x / 10;
    }
  for (uint64_t i = 0; i < tail_zeros && carry != 0; i++)
    {
      inexact |= carry % 10 != 0;
      carry /= 10;
    }
#undef DIGIT

  /* Round up to whole nano-units, as ParseQuantity does. */
  u128 nano = whole + carry + (inexact ? 1 : 0);
  if (nano > limit)
    return -1;
  *out = nano;
  return 0;
}

int
kl_quantity_parse (const char *s, kl_quantity_t *out, kl_error_t *err)
{
  const char *p = s;
  int neg = 0;

  if (*p == '\0')
    return invalid (err, s, "empty string", NULL);
  if (*p == '+' || *p == '-')
    neg = *p++ == '-';

  const char *int_digits = p;
  while (is_digit (*p))
    p++;
  size_t int_len = (size_t) (p - int_digits);
  const char *frac_digits = p;
  size_t frac_len = 0;
  if (*p == '.')
    {
      frac_digits = ++p;
      while (is_digit (*p))
        p++;
      frac_len = (size_t) (p - frac_digits);
    }
  if (int_len + frac_len == 0)
    return invalid (err, s, "expected a number", NULL);

  const char *suffix = p;
  int64_t exp10;
  int exp2;
  enum kl_quantity_format format;
  if (parse_suffix (suffix, &exp10, &exp2, &format) < 0)
    {
      if ((suffix[0] == 'e' || suffix[0] == 'E') && suffix[1] != '\0')
        return invalid (err, s, "invalid exponent", suffix);
      return invalid (err, s, "unknown suffix", suffix);
    }

  /* The value in milli-units, rounded away from zero, must fit in int64_t. */
  const u128 limit = (neg ? (u128) INT64_MAX + 1 : (u128) INT64_MAX) * NANO_PER_MILLI;
  u128 nano;
  if (nano_units (int_digits, int_len, frac_digits, frac_len, exp10, exp2, limit, &nano) < 0)
    return invalid (err, s, "out of range", NULL);

  /* -2^63 milli-units is the one magnitude without a positive int64_t; its
     nano-unit remainder is 0. */
  u128 milli = nano / NANO_PER_MILLI;
  int32_t rest = (int32_t) (nano % NANO_PER_MILLI);
  if (neg)
    {
      out->milli = milli > (u128) INT64_MAX ? INT64_MIN : -(int64_t) milli;
      out->nano = -rest;
    }
  else
    {
      out->milli = (int64_t) milli;
      out->nano = rest;
    }
  out->format = format;
  return 0;
}

int64_t
kl_quantity_milli_value (const kl_quantity_t *q)
{
  if (q->nano > 0)
    return q->milli + 1;
  if (q->nano < 0)
    return q->milli - 1;
  return q->milli;
}

int64_t
kl_quantity_value (const kl_quantity_t *q)
{
  int64_t whole = q->milli / 1000;
  int negative = q->milli < 0 || q->nano < 0;
  if (q->milli % 1000 != 0 || q->nano != 0)
    return negative ? whole - 1 : whole + 1;
  return whole;
}

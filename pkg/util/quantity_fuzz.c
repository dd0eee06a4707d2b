/* Fuzzes kl_quantity_parse and its accessors: any text parses or fails
   cleanly, and a parsed quantity keeps the header's representation invariants. */
#include <string.h>

#include "pkg/util/quantity.h"
#include "pkg/util/utils.h"
#include "test/fuzz/fuzz.h"

typedef __int128 i128;

/* n / d rounded away from zero (d > 0). */
static i128
div_away (i128 n, i128 d)
{
  i128 q = n / d;
  if (n % d != 0)
    q += n < 0 ? -1 : 1;
  return q;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  cleanup_free char *s = xstrndup ((const char *) data, size);
  kl_quantity_t q;
  memset (&q, 0x5e, sizeof q);
  const kl_quantity_t untouched = q;
  kl_error_t err = NULL;
  if (kl_quantity_parse (s, &q, &err) < 0)
    {
      KL_FUZZ_CHECK (kl_error_is (err, KL_ERROR_INVALID), "failure of kind %d",
                     err ? (int) err->kind : -1);
      KL_FUZZ_CHECK (strncmp (kl_error_message (err), "invalid quantity ", 17) == 0, "message %s",
                     kl_error_message (err));
      KL_FUZZ_CHECK (memcmp (&q, &untouched, sizeof q) == 0, "failure wrote the output");
      kl_error_release (&err);
      return 0;
    }
  KL_FUZZ_CHECK (err == NULL, "success with an error set");
  KL_FUZZ_CHECK (q.nano > -1000000 && q.nano < 1000000, "nano %d out of range", q.nano);
  KL_FUZZ_CHECK (q.milli == 0 || q.nano == 0 || (q.milli < 0) == (q.nano < 0),
                 "signs differ: milli %lld nano %d", (long long) q.milli, q.nano);
  KL_FUZZ_CHECK (q.format == KL_QUANTITY_DECIMAL_SI || q.format == KL_QUANTITY_BINARY_SI
                     || q.format == KL_QUANTITY_DECIMAL_EXPONENT,
                 "format %d", (int) q.format);
  if (s[0] == '-')
    KL_FUZZ_CHECK (q.milli <= 0 && q.nano <= 0, "%s is positive", s);
  else
    KL_FUZZ_CHECK (q.milli >= 0 && q.nano >= 0, "%s is negative", s);

  /* The accessors, checked against exact 128-bit arithmetic. */
  i128 nano_total = (i128) q.milli * 1000000 + q.nano;
  i128 milli = div_away (nano_total, 1000000);
  i128 units = div_away (nano_total, 1000000000);
  KL_FUZZ_CHECK (milli >= INT64_MIN && milli <= INT64_MAX, "%s: milli-value overflows", s);
  KL_FUZZ_CHECK (kl_quantity_milli_value (&q) == (int64_t) milli, "%s: milli-value %lld", s,
                 (long long) kl_quantity_milli_value (&q));
  KL_FUZZ_CHECK (kl_quantity_value (&q) == (int64_t) units, "%s: value %lld", s,
                 (long long) kl_quantity_value (&q));
  return 0;
}

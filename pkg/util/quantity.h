/* Resource quantities ("250m", "1.5Gi", "1e3") as Kubernetes' resource.Quantity parses them. */
#ifndef KL_UTIL_QUANTITY_H
#define KL_UTIL_QUANTITY_H

#include <stdint.h>

#include "pkg/util/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The suffix family a quantity was written with (Quantity.Format). */
enum kl_quantity_format
{
  KL_QUANTITY_DECIMAL_SI = 0,   /* "", n, u, m, k, M, G, T, P, E */
  KL_QUANTITY_BINARY_SI,        /* Ki, Mi, Gi, Ti, Pi, Ei */
  KL_QUANTITY_DECIMAL_EXPONENT, /* e<int>, E<int> */
};

/* The parsed value, rounded away from zero to whole nano-units as ParseQuantity
   rounds it, is exactly milli / 10^3 + nano / 10^9: `milli` is that value in
   milli-units truncated toward zero and `nano` the nano-units left over, with
   the value's sign and |nano| < 10^6. Parsing guarantees that the value in
   milli-units rounded away from zero fits in int64_t, so the accessors below
   cannot overflow. */
struct kl_quantity_s
{
  int64_t milli;
  int32_t nano;
  enum kl_quantity_format format;
};
typedef struct kl_quantity_s kl_quantity_t;

/* Parses `s` as resource.ParseQuantity does: [+-]<digits>[.<digits>]<suffix>
   with at least one digit, the suffix decimal SI, binary SI or e/E exponent.
   On failure sets a KL_ERROR_INVALID error naming `s`, including when the
   value in milli-units does not fit in int64_t, and leaves *out untouched. */
int kl_quantity_parse (const char *s, kl_quantity_t *out, kl_error_t *err);

/* The value in units rounded away from zero, as Quantity.Value() ("250m" -> 1). */
int64_t kl_quantity_value (const kl_quantity_t *q);

/* The value in milli-units rounded away from zero, as Quantity.MilliValue(). */
int64_t kl_quantity_milli_value (const kl_quantity_t *q);

#ifdef __cplusplus
}
#endif

#endif

/* Error values: what failed and why, carried up the stack and printed once. */
#ifndef KL_UTIL_ERROR_H
#define KL_UTIL_ERROR_H

#include <stdarg.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Status classes callers branch on; `status` keeps the errno or gRPC code. */
enum kl_error_kind
{
  KL_ERROR_GENERIC = 0,
  KL_ERROR_NOT_FOUND,
  KL_ERROR_INVALID,
  KL_ERROR_UNAVAILABLE,
  KL_ERROR_TIMEOUT,
  KL_ERROR_ALREADY_EXISTS,
  KL_ERROR_UNIMPLEMENTED, /* the operation is not offered (gRPC Unimplemented) */
};

struct kl_error_s
{
  int status; /* errno, gRPC status code or HTTP status */
  enum kl_error_kind kind;
  char *msg; /* "context: context: cause" */
};
typedef struct kl_error_s *kl_error_t;

/* Sets *err to a new error with printf-style `fmt`; appends strerror(status)
   when status is a positive errno. Always returns a negative value. */
int kl_make_error (kl_error_t *err, int status, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));

/* As kl_make_error with an explicit kind and no strerror suffix. */
int kl_make_error_kind (kl_error_t *err, enum kl_error_kind kind, int status, const char *fmt, ...)
    __attribute__ ((format (printf, 4, 5)));

/* Prefixes the message of *err with "<fmt>: "; returns a negative value. */
int kl_error_wrap (kl_error_t *err, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));

/* Frees *err (if any) and sets it to NULL. */
void kl_error_release (kl_error_t *err);

/* The message, or "" when err is NULL. */
const char *kl_error_message (kl_error_t err);

/* True if err is set and of `kind`. */
int kl_error_is (kl_error_t err, enum kl_error_kind kind);

#define cleanup_error __attribute__ ((cleanup (kl_error_release)))

#ifdef __cplusplus
}
#endif

#endif

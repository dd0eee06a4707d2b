/* Validation's shared parts: the error collector and apimachinery's name checks. */
#ifndef KL_KUBELET_API_VALIDATE_INTERNAL_H
#define KL_KUBELET_API_VALIDATE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pkg/kubelet/api/path-internal.h"
#include "pkg/kubelet/api/types.h"
#include "pkg/util/error.h"

/* Collects "<path>: <reason>" messages in the order they are found; with
   `all` false it keeps only the first. */
struct kl_validator_s
{
  kl_path_t path;
  char **errors;
  size_t n_errors;
  bool all;
};
typedef struct kl_validator_s kl_validator_t;

void kl_validator_init (kl_validator_t *v, const char *prefix, bool all);
void kl_validator_release (kl_validator_t *v);

/* 0 when nothing was reported, else a KL_ERROR_INVALID error holding the
   messages joined by "; ". */
int kl_validator_finish (kl_validator_t *v, kl_error_t *err);

/* Validates the pod with every path under `prefix` ("items[0]"; NULL or ""
   for none): kl_pod_validate () for decode.c. */
int kl_pod_validate_at (const kl_pod_t *pod, const char *prefix, kl_error_t *err);

/* Checks spec.initContainers and spec.containers (validate_container.c);
   the current path is "spec". */
void kl_validate_containers (kl_validator_t *v, const kl_pod_t *pod);

/* Reports follow field.Error's wording; `child` names a field under the
   current path, NULL for the path itself. */
void kl_report (kl_validator_t *v, const char *child, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));
void kl_report_required (kl_validator_t *v, const char *child, const char *detail);
void kl_report_invalid (kl_validator_t *v, const char *child, const char *value,
                        const char *detail);
void kl_report_invalid_int (kl_validator_t *v, const char *child, int64_t value,
                            const char *detail);
void kl_report_forbidden (kl_validator_t *v, const char *child, const char *detail);
void kl_report_duplicate (kl_validator_t *v, const char *child, const char *value);
void kl_report_not_found (kl_validator_t *v, const char *child, const char *value);

/* Reports `Unsupported value` unless `value` (NULL reads as "") is one of
   `supported`, which lists them sorted as the API server prints them. */
void kl_check_enum (kl_validator_t *v, const char *child, const char *value,
                    const char *const *supported, size_t n);
#define KL_CHECK_ENUM(v, child, value, ...)                                                        \
  do                                                                                               \
    {                                                                                              \
      static const char *const supported_[] = { __VA_ARGS__ };                                     \
      kl_check_enum (v, child, value, supported_, sizeof supported_ / sizeof supported_[0]);       \
    }                                                                                              \
  while (0)

/* Each reports `Invalid value: "<value>": <why>` once per rule broken. */
void kl_check_dns1123_label (kl_validator_t *v, const char *child, const char *value);
void kl_check_dns1123_subdomain (kl_validator_t *v, const char *child, const char *value);
void kl_check_qualified_name (kl_validator_t *v, const char *child, const char *value);
/* As the qualified name check on the lowercased key (ValidateAnnotations). */
void kl_check_annotation_key (kl_validator_t *v, const char *child, const char *key);
void kl_check_label_value (kl_validator_t *v, const char *child, const char *value);
void kl_check_port_name (kl_validator_t *v, const char *child, const char *value);
void kl_check_port_number (kl_validator_t *v, const char *child, int64_t port);
void kl_check_env_var_name (kl_validator_t *v, const char *child, const char *value);
void kl_check_http_header_name (kl_validator_t *v, const char *child, const char *value);
void kl_check_ip (kl_validator_t *v, const char *child, const char *value);

/* True if a '/'-separated component of `path` is "..". */
bool kl_has_dotdot_component (const char *path);

/* `Invalid value: N: must be between 0 and 2147483647, inclusive` for IDs. */
void kl_check_id (kl_validator_t *v, const char *child, int64_t id);

/* Flags, one per key, true where the key equals an earlier one: duplicates
   in O(n log n), reported in document order. NULL keys read as "". */
bool *kl_find_duplicates (const char *const *keys, size_t n);

static inline bool
kl_is_empty (const char *s)
{
  return s == NULL || *s == '\0';
}

static inline const char *
kl_str (const char *s)
{
  return s ? s : "";
}

#endif

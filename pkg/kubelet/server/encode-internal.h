/* JSON building blocks the server's encoders share: Go's encoding/json rules in jansson. */
#ifndef KL_KUBELET_SERVER_ENCODE_INTERNAL_H
#define KL_KUBELET_SERVER_ENCODE_INTERNAL_H

#include <jansson.h> /* json_t */
#include <stddef.h>
#include <stdint.h>

#include "pkg/kubelet/api/types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* `s` as a JSON string, "" for NULL; invalid UTF-8 bytes become U+FFFD as
   Go's encoder writes them (jansson refuses such strings). */
json_t *kl_json_string (const char *s);

/* Sets obj[key] = value, stealing `value`; a key that is not valid UTF-8 is
   repaired as kl_json_string () repairs values. */
void kl_json_set (json_t *obj, const char *key, json_t *value);

/* Sets obj[key] to `s` unless it is NULL or "" (`json:",omitempty"`). */
void kl_json_set_string (json_t *obj, const char *key, const char *s);

/* Sets obj[key] to the integer `v` unless it is 0 (`json:",omitempty"`). */
void kl_json_set_nonzero (json_t *obj, const char *key, int64_t v);

/* A uint64 counter as a JSON integer (clamped to INT64_MAX, jansson's limit). */
json_t *kl_json_uint64 (uint64_t v);

/* Sets obj[key] to the array of strings unless n is 0. */
void kl_json_set_strings (json_t *obj, const char *key, char *const *v, size_t n);

/* Sets obj[key] to {"k": "v", ...} unless n is 0. */
void kl_json_set_map (json_t *obj, const char *key, const kl_kv_t *kv, size_t n);

/* Milli-CPUs and bytes in resource.Quantity's canonical form ("500m", "2",
   "128Mi", "1G", "1500"); the caller frees the result. */
char *kl_format_milli_cpu (int64_t milli);
char *kl_format_bytes (int64_t bytes);

#ifdef __cplusplus
}
#endif

#endif

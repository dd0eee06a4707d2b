/* The schema-driven half of Pod decoding, shared by decode.c and decode_object.c. */
#ifndef KL_KUBELET_API_DECODE_INTERNAL_H
#define KL_KUBELET_API_DECODE_INTERNAL_H

#include "pkg/kubelet/api/path-internal.h"
#include "pkg/kubelet/api/schema-internal.h"
#include "pkg/kubelet/api/tree-internal.h"
#include "pkg/util/error.h"

/* Where a decode is: the field path errors name. */
struct kl_decoder_s
{
  kl_path_t path;
};
typedef struct kl_decoder_s kl_decoder_t;

/* Fills `obj` (zeroed, or partly filled by earlier calls) from the map `node`
   as `schema` describes it: strict about unknown and duplicate fields and
   about types; null means absent. On failure what was decoded stays in `obj`
   for kl_schema_release (). */
int kl_decode_object (kl_decoder_t *d, const kl_node_t *node, const kl_schema_t *schema, void *obj,
                      kl_error_t *err);

/* A KL_ERROR_INVALID error "<path>: <message>" ("<message>" at the root). */
int kl_decode_error (kl_decoder_t *d, kl_error_t *err, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));

/* "<path>: expected <expected>, got <kind> <value>". */
int kl_decode_type_error (kl_decoder_t *d, const kl_node_t *node, const char *expected,
                          kl_error_t *err);

/* A new string from a string node; NUL bytes are refused. */
int kl_decode_string (kl_decoder_t *d, const kl_node_t *node, char **out, kl_error_t *err);

/* The value of `key` in the map `node`, or NULL. */
const kl_node_t *kl_node_lookup (const kl_node_t *node, const char *key);

#endif

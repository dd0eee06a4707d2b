/* Helpers the decoders share: typed, path-named field access on jansson values. */
#ifndef DOCKER_DECODE_INTERNAL_H
#define DOCKER_DECODE_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "pkg/kubelet/dockershim/libdocker/types.h"
#include "pkg/util/error.h"

/* One decoding: the first error wins, later lookups return zero values, and
   the decoder checks `failed` once at the end. */
typedef struct dec_s
{
  const char *what; /* "container inspect" */
  char where[96];   /* prefix for elements: "[3].", "Mounts[0]." */
  kl_error_t *err;
  bool failed;
} dec_t;

/* Parses the body; fails unless its top level is of `type` (JSON_OBJECT or
   JSON_ARRAY). Integers beyond int64 are read as reals rather than refused. */
int dec_load (const char *json, size_t len, json_type type, const char *what, json_t **out,
              kl_error_t *err);

void dec_init (dec_t *d, const char *what, kl_error_t *err);

/* Records an error about `path` (if none yet). */
void dec_fail (dec_t *d, const char *path, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));

/* The value at dotted `path` below `obj` ("State.Pid"), NULL if absent or
   null on the way. */
json_t *dec_get (dec_t *d, json_t *obj, const char *path);

char *dec_string (dec_t *d, json_t *obj, const char *path);
int64_t dec_int (dec_t *d, json_t *obj, const char *path);
uint64_t dec_uint (dec_t *d, json_t *obj, const char *path);
bool dec_bool (dec_t *d, json_t *obj, const char *path);
int64_t dec_time (dec_t *d, json_t *obj, const char *path);
void dec_strings (dec_t *d, json_t *obj, const char *path, docker_strings_t *out);
void dec_labels (dec_t *d, json_t *obj, const char *path, docker_labels_t *out);
/* The keys of an object (Config.Volumes, Runtimes). */
void dec_keys (dec_t *d, json_t *obj, const char *path, docker_strings_t *out);
/* The object or array at `path`, NULL if absent; an error if of another type. */
json_t *dec_object (dec_t *d, json_t *obj, const char *path);
json_t *dec_array (dec_t *d, json_t *obj, const char *path);

/* Finishes: returns 0, or the recorded error (KL_ERROR_INVALID). */
int dec_finish (dec_t *d);

#endif

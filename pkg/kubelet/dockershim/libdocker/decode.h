/* JSON -> typed results: length- and type-checked decoders for dockerd's response bodies. */
#ifndef DOCKER_DECODE_H
#define DOCKER_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include "pkg/kubelet/dockershim/libdocker/types.h"
#include "pkg/util/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Each decodes `len` bytes of a response body. Absent or null fields take
   their zero value; a field of the wrong type, malformed JSON or a bad time
   fails with KL_ERROR_INVALID naming the field ("State.Pid: want an integer,
   got string"). */
int docker_decode_version (const char *json, size_t len, docker_version_t **out, kl_error_t *err);
int docker_decode_info (const char *json, size_t len, docker_info_t **out, kl_error_t *err);
int docker_decode_container_inspect (const char *json, size_t len, docker_container_inspect_t **out,
                                     kl_error_t *err);
int docker_decode_container_list (const char *json, size_t len, docker_container_list_t **out,
                                  kl_error_t *err);
int docker_decode_container_create (const char *json, size_t len,
                                    docker_container_create_result_t **out, kl_error_t *err);
int docker_decode_container_stats (const char *json, size_t len, docker_container_stats_t **out,
                                   kl_error_t *err);
/* {"StatusCode": N, "Error": {"Message": "..."}}: a non-empty Error fails. */
int docker_decode_container_wait (const char *json, size_t len, int64_t *status_code,
                                  kl_error_t *err);
int docker_decode_image_list (const char *json, size_t len, docker_image_list_t **out,
                              kl_error_t *err);
int docker_decode_image_inspect (const char *json, size_t len, docker_image_inspect_t **out,
                                 kl_error_t *err);
int docker_decode_exec_inspect (const char *json, size_t len, docker_exec_inspect_t **out,
                                kl_error_t *err);
/* {"Id": "..."} (exec create): the non-empty Id. */
int docker_decode_id (const char *json, size_t len, char **id, kl_error_t *err);

/* RFC 3339 with optional fraction (Go's RFC3339Nano) -> ns since the epoch;
   Docker's zero time "0001-01-01T00:00:00Z" -> 0. */
int docker_parse_time (const char *s, size_t len, int64_t *ns, kl_error_t *err);

#ifdef __cplusplus
}
#endif

#endif

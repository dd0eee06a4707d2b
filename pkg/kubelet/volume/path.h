/* Path components built from pod and container names: keeping a name inside
   the directory it is joined to. */
#ifndef KL_KUBELET_VOLUME_PATH_H
#define KL_KUBELET_VOLUME_PATH_H

#include <stdbool.h>
#include <stddef.h>

#include "pkg/util/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The longest name accepted: a DNS subdomain, under NAME_MAX. */
#define KL_PATH_COMPONENT_MAX 253

/* True if `s` can be joined to a directory as one path component: not empty,
   at most KL_PATH_COMPONENT_MAX bytes, no '/', not "." or "..". */
bool kl_path_component_ok (const char *s);

/* As kl_path_component_ok for `len` bytes that may hold a NUL (input from
   length-delimited sources: protobuf, JSON), which is refused too. */
bool kl_path_component_ok_n (const char *s, size_t len);

/* kl_path_component_ok as an error naming what `s` is:
   `invalid pod UID "../../etc": not a safe path component`. */
int kl_path_component_check (const char *what, const char *s, kl_error_t *err);

#ifdef __cplusplus
}
#endif

#endif

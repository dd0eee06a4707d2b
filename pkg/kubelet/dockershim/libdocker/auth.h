/* Registry credentials -> the X-Registry-Auth header dockerd reads on pulls. */
#ifndef DOCKER_AUTH_H
#define DOCKER_AUTH_H

#include <stddef.h>

#include "pkg/util/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The CRI AuthConfig's fields; NULL or "" leaves a field out. */
typedef struct docker_auth_config_s
{
  const char *username;
  const char *password;
  const char *auth; /* base64("user:password") */
  const char *server_address;
  const char *identity_token;
  const char *registry_token;
} docker_auth_config_t;

/* The header value: base64url with padding (Go's base64.URLEncoding) of the
   compact JSON {"username","password","auth","serveraddress","identitytoken",
   "registrytoken"} in that order, empty fields omitted, as the Go client.
   Fails (KL_ERROR_INVALID) on a field that is not UTF-8. */
int docker_auth_encode (const docker_auth_config_t *auth, char **out, kl_error_t *err);

/* Base64url with padding of `len` bytes. */
char *docker_base64url_encode (const unsigned char *data, size_t len);

#ifdef __cplusplus
}
#endif

#endif

/* Listening TCP sockets for the loopback servers (read-only API, streaming). */
#ifndef KL_UTIL_NET_H
#define KL_UTIL_NET_H

#include <stdbool.h>

#include "pkg/util/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A non-blocking, close-on-exec socket listening on the IP address
   `address` ("127.0.0.1", "::", ...) and `port` (0: an ephemeral one) in
   *out_fd; *ipv6 tells its family. "::" takes IPv4 too. A host name is
   KL_ERROR_INVALID. */
int kl_net_listen_tcp (const char *address, int port, int *out_fd, bool *ipv6, kl_error_t *err);

/* "<address>:<port>", with brackets around an IPv6 address; free it. */
char *kl_net_host_port (const char *address, int port);

#ifdef __cplusplus
}
#endif

#endif

/* Facts about the node the kubelet reads once at start. */
#ifndef KL_KUBELET_NODE_INFO_H
#define KL_KUBELET_NODE_INFO_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* MemTotal from /proc/meminfo in bytes, 0 if unknown. */
int64_t kl_node_memory_capacity (void);

/* The first non-loopback IPv4 address of an interface that is up, as a new
   string, or NULL. */
char *kl_node_ip (void);

/* Parses RFC 3339 UTC time with optional fraction ("2024-05-01T10:00:00.5Z")
   into Unix ns; 0 if malformed. */
int64_t kl_parse_rfc3339 (const char *s);

#ifdef __cplusplus
}
#endif

#endif

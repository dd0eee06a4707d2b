/* Port forwarding into a pod: a loopback connection made inside the sandbox's network namespace,
 * and the copy between it and the client's stream. */
#ifndef DS_PORT_FORWARD_H
#define DS_PORT_FORWARD_H

#include <stdint.h>

#include "pkg/util/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Connects to localhost:`port` (127.0.0.1, else ::1) inside the network
   namespace at `netns_path` (NULL: the caller's) and returns the connected
   socket in *out. The socket is made by a short-lived thread that joins the
   namespace, so the caller's thread keeps its own. */
int ds_netns_connect (const char *netns_path, int32_t port, int *out, kl_error_t *err);

/* How long the client's direction may go on once the pod's side is done. */
#define DS_PORT_FORWARD_GRACE_MS 1000

/* Copies both ways between the client's stream socket `a` and the pod's
   `b` until both directions are done: when one side's input ends, the other
   side's output is shut down (a half-close) and the opposite direction goes
   on. A side that hangs up entirely or fails a write ends the direction
   into it. Once the pod's direction is done the client's gets
   DS_PORT_FORWARD_GRACE_MS more, as containerd gives: kubectl keeps its data
   stream open until the forward ends, so waiting for it would hang (a client
   that half-closes first may still wait as long as the pod takes). */
int ds_copy_both_ways (int a, int b, kl_error_t *err);

#ifdef __cplusplus
}
#endif

#endif

/* Network interface counters of a network namespace, from /proc/<pid>/net/dev. */
#ifndef DS_NETDEV_H
#define DS_NETDEV_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "pkg/util/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The interface the CRI calls a pod's default one, as containerd and the
   kubelet's cAdvisor path do. */
#define DS_NETDEV_DEFAULT_INTERFACE "eth0"

typedef struct ds_netdev_s
{
  char name[32];
  uint64_t rx_bytes;
  uint64_t rx_errors;
  uint64_t tx_bytes;
  uint64_t tx_errors;
} ds_netdev_t;

typedef struct ds_netdev_list_s
{
  ds_netdev_t *items;
  size_t len;
} ds_netdev_list_t;

/* Parses the text of /proc/net/dev (two header lines, then one
   "name: 16 counters" line per interface). A malformed line is
   KL_ERROR_INVALID naming its line number. */
int ds_netdev_parse (const char *text, ds_netdev_list_t *out, kl_error_t *err);

/* Reads /proc/`pid`/net/dev: the interfaces of that process's network namespace. */
int ds_netdev_read (pid_t pid, ds_netdev_list_t *out, kl_error_t *err);

/* The entry named `name`, or NULL. */
const ds_netdev_t *ds_netdev_find (const ds_netdev_list_t *list, const char *name);

void ds_netdev_list_clear (ds_netdev_list_t *list);

#ifdef __cplusplus
}
#endif

#endif

/* Network interface counters of a network namespace, from /proc/<pid>/net/dev. */
#include "pkg/kubelet/dockershim/netdev.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/util/fs.h"
#include "pkg/util/utils.h"

/* Receive: bytes packets errs drop fifo frame compressed multicast;
   transmit: bytes packets errs drop fifo colls carrier compressed. */
#define NETDEV_FIELDS 16
#define RX_BYTES 0
#define RX_ERRORS 2
#define TX_BYTES 8
#define TX_ERRORS 10
#define NETDEV_MAX_SIZE (1 << 20)

/* One interface line, NUL-terminated, without its newline. */
static int
parse_line (char *line, size_t lineno, ds_netdev_t *out, kl_error_t *err)
{
  char *colon = strchr (line, ':');
  if (colon == NULL)
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "net/dev line %zu: no ':' after the name",
                               lineno);
  char *name = line;
  while (*name == ' ' || *name == '\t')
    name++;
  size_t name_len = (size_t) (colon - name);
  if (name_len == 0 || name_len >= sizeof out->name)
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0,
                               "net/dev line %zu: bad interface name length %zu", lineno, name_len);
  memset (out, 0, sizeof *out);
  memcpy (out->name, name, name_len);
  uint64_t fields[NETDEV_FIELDS];
  char *p = colon + 1;
  for (size_t i = 0; i < NETDEV_FIELDS; i++)
    {
      while (*p == ' ' || *p == '\t')
        p++;
      if (*p < '0' || *p > '9')
        return kl_make_error_kind (err, KL_ERROR_INVALID, 0,
                                   "net/dev line %zu (%s): counter %zu missing or not a number",
                                   lineno, out->name, i + 1);
      char *end = NULL;
      errno = 0;
      unsigned long long v = strtoull (p, &end, 10);
      if (errno == ERANGE)
        return kl_make_error_kind (err, KL_ERROR_INVALID, 0,
                                   "net/dev line %zu (%s): counter %zu out of range", lineno,
                                   out->name, i + 1);
      fields[i] = v;
      p = end;
    }
  while (*p == ' ' || *p == '\t')
    p++;
  if (*p != '\0')
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0,
                               "net/dev line %zu (%s): trailing text after %d counters", lineno,
                               out->name, NETDEV_FIELDS);
  out->rx_bytes = fields[RX_BYTES];
  out->rx_errors = fields[RX_ERRORS];
  out->tx_bytes = fields[TX_BYTES];
  out->tx_errors = fields[TX_ERRORS];
  return 0;
}

int
ds_netdev_parse (const char *text, ds_netdev_list_t *out, kl_error_t *err)
{
  cleanup_free char *copy = xstrdup (text ? text : "");
  ds_netdev_list_t list = { 0 };
  size_t lineno = 0;
  char *save = NULL;
  /* strtok_r skips empty lines, which /proc never writes anyway. */
  for (char *line = strtok_r (copy, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      lineno++;
      if (lineno <= 2)
        {
          if (strchr (line, '|') == NULL)
            {
              ds_netdev_list_clear (&list);
              return kl_make_error_kind (err, KL_ERROR_INVALID, 0,
                                         "net/dev line %zu: expected a header line", lineno);
            }
          continue;
        }
      ds_netdev_t dev;
      int ret = parse_line (line, lineno, &dev, err);
      if (ret < 0)
        {
          ds_netdev_list_clear (&list);
          return ret;
        }
      list.items = xrealloc (list.items, (list.len + 1) * sizeof *list.items);
      list.items[list.len++] = dev;
    }
  if (lineno < 2)
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "net/dev: missing header lines");
  *out = list;
  return 0;
}

int
ds_netdev_read (pid_t pid, ds_netdev_list_t *out, kl_error_t *err)
{
  if (pid <= 0)
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "net/dev: bad pid %d", (int) pid);
  cleanup_free char *path = xasprintf ("/proc/%d/net/dev", (int) pid);
  cleanup_free char *text = NULL;
  int ret = kl_read_file (path, NETDEV_MAX_SIZE, &text, NULL, err);
  if (ret < 0)
    return ret;
  ret = ds_netdev_parse (text, out, err);
  if (ret < 0)
    return kl_error_wrap (err, "%s", path);
  return 0;
}

const ds_netdev_t *
ds_netdev_find (const ds_netdev_list_t *list, const char *name)
{
  for (size_t i = 0; i < list->len; i++)
    if (strcmp (list->items[i].name, name) == 0)
      return &list->items[i];
  return NULL;
}

void
ds_netdev_list_clear (ds_netdev_list_t *list)
{
  free (list->items);
  list->items = NULL;
  list->len = 0;
}

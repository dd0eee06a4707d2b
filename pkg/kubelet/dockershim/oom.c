#include "pkg/kubelet/dockershim/oom.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/util/fs.h"
#include "pkg/util/utils.h"

#define CAP_SYS_RESOURCE_BIT 24

static int
has_cap_sys_resource (const char *status_path, bool *out, kl_error_t *err)
{
  cleanup_free char *data = NULL;
  size_t len = 0;
  int ret = kl_read_file (status_path, 1 << 20, &data, &len, err);
  if (ret < 0)
    return ret;
  for (char *line = data; line && *line;)
    {
      char *next = strchr (line, '\n');
      if (next)
        *next++ = '\0';
      if (strncmp (line, "CapEff:", 7) == 0)
        {
          char *end = NULL;
          errno = 0;
          unsigned long long caps = strtoull (line + 7, &end, 16);
          if (errno != 0 || end == line + 7)
            return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "%s: bad CapEff line",
                                       status_path);
          *out = (caps >> CAP_SYS_RESOURCE_BIT) & 1;
          return 0;
        }
      line = next;
    }
  return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "%s: no CapEff line", status_path);
}

int
ds_oom_detect_floor (const char *status_path, const char *adj_path, int *floor, kl_error_t *err)
{
  bool cap = false;
  int ret = has_cap_sys_resource (status_path, &cap, err);
  if (ret < 0)
    return ret;
  if (cap)
    {
      *floor = DS_OOM_SCORE_ADJ_MIN;
      return 0;
    }
  cleanup_free char *data = NULL;
  size_t len = 0;
  ret = kl_read_file (adj_path, 64, &data, &len, err);
  if (ret < 0)
    return ret;
  char *end = NULL;
  errno = 0;
  long own = strtol (data, &end, 10);
  if (errno != 0 || end == data || own < DS_OOM_SCORE_ADJ_MIN || own > DS_OOM_SCORE_ADJ_MAX)
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "%s: not an oom_score_adj", adj_path);
  *floor = own > 0 ? (int) own : 0;
  return 0;
}

int
ds_oom_clamp (int64_t value, int floor)
{
  if (value < floor)
    return floor;
  if (value > DS_OOM_SCORE_ADJ_MAX)
    return DS_OOM_SCORE_ADJ_MAX;
  return (int) value;
}

/* Path components built from pod and container names. */
#include "pkg/kubelet/volume/path.h"

#include <string.h>

#include "pkg/util/utils.h"

bool
kl_path_component_ok_n (const char *s, size_t len)
{
  if (s == NULL || len == 0 || len > KL_PATH_COMPONENT_MAX)
    return false;
  if (memchr (s, '\0', len) != NULL || memchr (s, '/', len) != NULL)
    return false;
  if (s[0] == '.' && (len == 1 || (len == 2 && s[1] == '.')))
    return false;
  return true;
}

bool
kl_path_component_ok (const char *s)
{
  if (s == NULL)
    return false;
  /* One byte past the limit is enough to refuse a longer name. */
  return kl_path_component_ok_n (s, strnlen (s, KL_PATH_COMPONENT_MAX + 1));
}

int
kl_path_component_check (const char *what, const char *s, kl_error_t *err)
{
  if (kl_path_component_ok (s))
    return 0;
  const char *v = s ? s : "";
  cleanup_free char *quoted = kl_quote (v, strnlen (v, KL_PATH_COMPONENT_MAX + 1));
  return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "invalid %s %s: not a safe path component",
                             what, quoted);
}

#include "pkg/kubelet/dockershim/libdocker/auth.h"

#include <jansson.h>
#include <string.h>

#include "pkg/util/utils.h"

char *
docker_base64url_encode (const unsigned char *data, size_t len)
{
  static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  char *out = xmalloc ((len + 2) / 3 * 4 + 1);
  char *p = out;
  size_t i = 0;
  for (; i + 3 <= len; i += 3)
    {
      unsigned v = (unsigned) data[i] << 16 | (unsigned) data[i + 1] << 8 | data[i + 2];
      *p++ = alphabet[v >> 18 & 63];
      *p++ = alphabet[v >> 12 & 63];
      *p++ = alphabet[v >> 6 & 63];
      *p++ = alphabet[v & 63];
    }
  if (len - i == 1)
    {
      unsigned v = (unsigned) data[i] << 16;
      *p++ = alphabet[v >> 18 & 63];
      *p++ = alphabet[v >> 12 & 63];
      *p++ = '=';
      *p++ = '=';
    }
  else if (len - i == 2)
    {
      unsigned v = (unsigned) data[i] << 16 | (unsigned) data[i + 1] << 8;
      *p++ = alphabet[v >> 18 & 63];
      *p++ = alphabet[v >> 12 & 63];
      *p++ = alphabet[v >> 6 & 63];
      *p++ = '=';
    }
  *p = '\0';
  return out;
}

static int
set_field (json_t *obj, const char *key, const char *value, kl_error_t *err)
{
  if (value == NULL || value[0] == '\0')
    return 0;
  json_t *s = json_string (value);
  if (s == NULL)
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "registry credentials: %s is not UTF-8",
                               key);
  json_object_set_new (obj, key, s);
  return 0;
}

int
docker_auth_encode (const docker_auth_config_t *auth, char **out, kl_error_t *err)
{
  json_t *obj = json_object ();
  if (set_field (obj, "username", auth->username, err) < 0
      || set_field (obj, "password", auth->password, err) < 0
      || set_field (obj, "auth", auth->auth, err) < 0
      || set_field (obj, "serveraddress", auth->server_address, err) < 0
      || set_field (obj, "identitytoken", auth->identity_token, err) < 0
      || set_field (obj, "registrytoken", auth->registry_token, err) < 0)
    {
      json_decref (obj);
      return -1;
    }
  char *json = json_dumps (obj, JSON_COMPACT | JSON_PRESERVE_ORDER);
  json_decref (obj);
  if (json == NULL)
    kl_oom (); /* only allocation fails for valid strings */
  *out = docker_base64url_encode ((const unsigned char *) json, strlen (json));
  free (json);
  return 0;
}

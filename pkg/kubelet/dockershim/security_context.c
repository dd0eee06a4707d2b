/* Security context pieces shared by sandbox and container create bodies: user, seccomp, AppArmor.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "pkg/kubelet/dockershim/docker_config.h"
#include "pkg/util/fs.h"
#include "pkg/util/utils.h"

/* A seccomp profile larger than this is refused. */
#define MAX_SECCOMP_PROFILE (1024 * 1024)

json_t *
ds_json_strv (char *const *v, size_t n)
{
  json_t *a = json_array ();
  for (size_t i = 0; i < n; i++)
    json_array_append_new (a, json_string (v[i] ? v[i] : ""));
  return a;
}

int
ds_apply_user (json_t *config, const Runtime__V1__Int64Value *run_as_user,
               const char *run_as_username, const Runtime__V1__Int64Value *run_as_group,
               kl_error_t *err)
{
  cleanup_free char *user = NULL;
  if (run_as_user != NULL)
    user = xasprintf ("%" PRId64, run_as_user->value);
  if (run_as_username != NULL && run_as_username[0] != '\0')
    {
      free (user);
      user = xstrdup (run_as_username);
    }
  if (run_as_group != NULL)
    {
      if (user == NULL)
        return kl_make_error_kind (err, KL_ERROR_INVALID, 0,
                                   "runAsGroup is specified without a runAsUser");
      char *with_group = xasprintf ("%s:%" PRId64, user, run_as_group->value);
      free (user);
      user = with_group;
    }
  if (user != NULL)
    json_object_set_new (config, "User", json_string (user));
  return 0;
}

static int
load_seccomp_profile (const char *path, char **out, kl_error_t *err)
{
  if (path[0] != '/')
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0,
                               "seccomp profile path must be absolute, but got relative path %s",
                               path);
  cleanup_free char *data = NULL;
  size_t len = 0;
  kl_error_t read_err = NULL;
  if (kl_read_file (path, MAX_SECCOMP_PROFILE, &data, &len, &read_err) < 0)
    {
      /* A missing profile is the pod's mistake, not a missing CRI object. */
      int ret = kl_make_error_kind (err, KL_ERROR_INVALID, 0, "cannot load seccomp profile %s: %s",
                                    path, kl_error_message (read_err));
      kl_error_release (&read_err);
      return ret;
    }
  json_error_t jerr;
  json_t *profile = json_loadb (data, len, 0, &jerr);
  if (profile == NULL || !json_is_object (profile))
    {
      json_decref (profile);
      return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "decoding seccomp profile %s failed: %s",
                                 path, profile ? "not a JSON object" : jerr.text);
    }
  *out = json_dumps (profile, JSON_COMPACT);
  json_decref (profile);
  if (*out == NULL)
    kl_oom ();
  return 0;
}

static void
append_opt (json_t *security_opts, const char *key, const char *value)
{
  cleanup_free char *opt = xasprintf ("%s=%s", key, value);
  json_array_append_new (security_opts, json_string (opt));
}

int
ds_append_seccomp_opts (json_t *security_opts, const Runtime__V1__SecurityProfile *seccomp,
                        const char *deprecated_path, kl_error_t *err)
{
  cleanup_free char *profile = NULL;
  if (seccomp == NULL)
    {
      const char *p = deprecated_path ? deprecated_path : "";
      if (p[0] == '\0' || strcmp (p, "unconfined") == 0)
        append_opt (security_opts, "seccomp", "unconfined");
      else if (strcmp (p, "runtime/default") == 0 || strcmp (p, "docker/default") == 0)
        return 0;
      else if (strncmp (p, "localhost/", 10) == 0)
        {
          int ret = load_seccomp_profile (p + 9, &profile, err);
          if (ret < 0)
            return ret;
          append_opt (security_opts, "seccomp", profile);
        }
      else
        return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "unknown seccomp profile option: %s",
                                   p);
      return 0;
    }
  switch (seccomp->profile_type)
    {
    case RUNTIME__V1__SECURITY_PROFILE__PROFILE_TYPE__RuntimeDefault:
      return 0; /* Docker applies its default profile */
    case RUNTIME__V1__SECURITY_PROFILE__PROFILE_TYPE__Unconfined:
      append_opt (security_opts, "seccomp", "unconfined");
      return 0;
    case RUNTIME__V1__SECURITY_PROFILE__PROFILE_TYPE__Localhost:
      {
        int ret = load_seccomp_profile (seccomp->localhost_ref ? seccomp->localhost_ref : "",
                                        &profile, err);
        if (ret < 0)
          return ret;
        append_opt (security_opts, "seccomp", profile);
        return 0;
      }
    default:
      return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "unknown seccomp profile type %d",
                                 (int) seccomp->profile_type);
    }
}

int
ds_append_apparmor_opts (json_t *security_opts, const Runtime__V1__SecurityProfile *apparmor,
                         const char *deprecated_profile, kl_error_t *err)
{
  if (apparmor == NULL)
    {
      const char *p = deprecated_profile ? deprecated_profile : "";
      if (p[0] == '\0' || strcmp (p, "runtime/default") == 0)
        return 0;
      if (strcmp (p, "unconfined") == 0)
        append_opt (security_opts, "apparmor", "unconfined");
      else if (strncmp (p, "localhost/", 10) == 0 && p[10] != '\0')
        append_opt (security_opts, "apparmor", p + 10);
      else
        return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "invalid AppArmor profile name %s", p);
      return 0;
    }
  switch (apparmor->profile_type)
    {
    case RUNTIME__V1__SECURITY_PROFILE__PROFILE_TYPE__RuntimeDefault:
      return 0;
    case RUNTIME__V1__SECURITY_PROFILE__PROFILE_TYPE__Unconfined:
      append_opt (security_opts, "apparmor", "unconfined");
      return 0;
    case RUNTIME__V1__SECURITY_PROFILE__PROFILE_TYPE__Localhost:
      if (apparmor->localhost_ref == NULL || apparmor->localhost_ref[0] == '\0')
        return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "empty localhost AppArmor profile");
      append_opt (security_opts, "apparmor", apparmor->localhost_ref);
      return 0;
    default:
      return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "unknown AppArmor profile type %d",
                                 (int) apparmor->profile_type);
    }
}

/* Static pod identity (applyDefaults, generatePodName) and container spec hashes. */
#include "pkg/kubelet/api/static.h"

#include <inttypes.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include "pkg/kubelet/api/schema-internal.h"
#include "pkg/kubelet/api/validate.h"
#include "pkg/util/utils.h"

static void
md_ctx_freep (EVP_MD_CTX **ctx)
{
  EVP_MD_CTX_free (*ctx);
}

#define cleanup_md_ctx __attribute__ ((cleanup (md_ctx_freep)))

const char *
kl_pod_source_kind_name (enum kl_pod_source_kind kind)
{
  return kind == KL_POD_SOURCE_FILE ? "file" : "http";
}

char *
kl_static_pod_name (const char *name, const char *node_name)
{
  char *out = xasprintf ("%s-%s", name ? name : "", node_name ? node_name : "");
  for (char *p = out + strlen (name ? name : "") + 1; *p; p++)
    if (*p >= 'A' && *p <= 'Z')
      *p = (char) (*p - 'A' + 'a');
  return out;
}

static int
digest_update (EVP_MD_CTX *ctx, const void *data, size_t len, kl_error_t *err)
{
  if (EVP_DigestUpdate (ctx, data, len) != 1)
    return kl_make_error (err, 0, "computing the static pod UID: MD5 failed");
  return 0;
}

int
kl_static_pod_uid (const kl_pod_t *pod, const char *node_name, enum kl_pod_source_kind kind,
                   const char *source, char **out, kl_error_t *err)
{
  cleanup_md_ctx EVP_MD_CTX *ctx = EVP_MD_CTX_new ();
  if (ctx == NULL)
    kl_oom ();
  if (EVP_DigestInit_ex (ctx, EVP_md5 (), NULL) != 1)
    return kl_make_error (err, 0, "computing the static pod UID: MD5 is not available");

  size_t len = 0;
  cleanup_free char *canonical = kl_schema_canonical (&kl_schema_pod, pod, &len);
  int ret = digest_update (ctx, canonical, len, err);
  if (ret < 0)
    return ret;
  /* After the object, as in Go: DeepHashObject resets the hasher first. */
  cleanup_free char *origin
      = kind == KL_POD_SOURCE_FILE
            ? xasprintf ("host:%sfile:%s", node_name ? node_name : "", source ? source : "")
            : xasprintf ("url:%s", source ? source : "");
  ret = digest_update (ctx, origin, strlen (origin), err);
  if (ret < 0)
    return ret;

  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_len = 0;
  if (EVP_DigestFinal_ex (ctx, digest, &digest_len) != 1)
    return kl_make_error (err, 0, "computing the static pod UID: MD5 failed");
  char *hex = xmalloc (digest_len * 2 + 1);
  for (unsigned int i = 0; i < digest_len; i++)
    sprintf (hex + 2 * i, "%02x", digest[i]);
  hex[digest_len * 2] = '\0';
  *out = hex;
  return 0;
}

char *
kl_format_rfc3339_nano (const struct timespec *t)
{
  struct tm tm;
  time_t secs = t->tv_sec;
  if (gmtime_r (&secs, &tm) == NULL)
    return xstrdup ("0001-01-01T00:00:00Z");
  char date[64];
  strftime (date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
  long nanos = t->tv_nsec;
  if (nanos <= 0 || nanos >= 1000000000L)
    return xasprintf ("%sZ", date);
  char fraction[16];
  snprintf (fraction, sizeof fraction, "%09ld", nanos);
  size_t n = strlen (fraction);
  while (n > 0 && fraction[n - 1] == '0')
    fraction[--n] = '\0';
  return xasprintf ("%s.%sZ", date, fraction);
}

/* AddOrUpdateTolerationInPod with {operator: Exists, effect: NoExecute}. */
static void
add_no_execute_toleration (kl_pod_spec_t *spec)
{
  for (size_t i = 0; i < spec->n_tolerations; i++)
    {
      const kl_toleration_t *t = &spec->tolerations[i];
      if (t->key == NULL && t->value == NULL && t->operator_ && strcmp (t->operator_, "Exists") == 0
          && t->effect && strcmp (t->effect, "NoExecute") == 0 && !t->has_toleration_seconds)
        return;
    }
  spec->tolerations
      = xrealloc (spec->tolerations, (spec->n_tolerations + 1) * sizeof *spec->tolerations);
  kl_toleration_t *t = &spec->tolerations[spec->n_tolerations++];
  memset (t, 0, sizeof *t);
  t->operator_ = xstrdup ("Exists");
  t->effect = xstrdup ("NoExecute");
}

int
kl_static_pod_apply (kl_pod_t *pod, const char *node_name, enum kl_pod_source_kind kind,
                     const char *source, const struct timespec *seen, kl_error_t *err)
{
  const char *src = source && *source ? source : "<manifest>";
  if (node_name == NULL || *node_name == '\0')
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "%s: static pods need a node name", src);

  if (pod->metadata.uid == NULL || *pod->metadata.uid == '\0')
    {
      char *uid = NULL;
      int ret = kl_static_pod_uid (pod, node_name, kind, source, &uid, err);
      if (ret < 0)
        return kl_error_wrap (err, "%s", src);
      free (pod->metadata.uid);
      pod->metadata.uid = uid;
    }

  char *name = kl_static_pod_name (pod->metadata.name, node_name);
  free (pod->metadata.name);
  pod->metadata.name = name;
  if (pod->metadata.namespace_ == NULL || *pod->metadata.namespace_ == '\0')
    {
      free (pod->metadata.namespace_);
      pod->metadata.namespace_ = xstrdup ("default");
    }
  free (pod->spec.node_name);
  pod->spec.node_name = xstrdup (node_name);

  kl_kv_t **annotations = &pod->metadata.annotations;
  size_t *n = &pod->metadata.n_annotations;
  kl_kv_set (annotations, n, KL_ANNOTATION_CONFIG_HASH, pod->metadata.uid);
  kl_kv_set (annotations, n, KL_ANNOTATION_CONFIG_SOURCE, kl_pod_source_kind_name (kind));
  if (seen)
    {
      cleanup_free char *when = kl_format_rfc3339_nano (seen);
      kl_kv_set (annotations, n, KL_ANNOTATION_CONFIG_SEEN, when);
    }
  if (kind == KL_POD_SOURCE_FILE)
    add_no_execute_toleration (&pod->spec);

  int ret = kl_pod_validate (pod, err);
  if (ret < 0)
    return kl_error_wrap (err, "%s", src);
  return 0;
}

uint64_t
kl_container_hash (const kl_container_t *container)
{
  size_t len = 0;
  cleanup_free char *canonical = kl_schema_canonical (&kl_schema_container, container, &len);
  uint64_t h = 0xcbf29ce484222325ULL;
  for (size_t i = 0; i < len; i++)
    {
      h ^= (unsigned char) canonical[i];
      h *= 0x100000001b3ULL;
    }
  return h;
}

void
kl_container_hash_format (uint64_t hash, char out[KL_CONTAINER_HASH_STRLEN])
{
  snprintf (out, KL_CONTAINER_HASH_STRLEN, "%" PRIx64, hash);
}

/* The pod's managed /etc/hosts file (pkg/kubelet/kubelet_pods.go's
   managedHostsFileContent). */
#include "pkg/kubelet/volume/etc_hosts.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pkg/util/utils.h"

#define ETC_HOSTS_FILE "etc-hosts"

/* A hostname or address is at most a DNS name long; reject anything else. */
#define MAX_NAME 253

static const char header[] = "# Kubernetes-managed hosts file.\n"
                             "127.0.0.1\tlocalhost\n"
                             "::1\tlocalhost ip6-localhost ip6-loopback\n"
                             "fe00::0\tip6-localnet\n"
                             "fe00::0\tip6-mcastprefix\n"
                             "fe00::1\tip6-allnodes\n"
                             "fe00::2\tip6-allrouters\n";

/* A hosts file field: non-empty, printable, no whitespace. */
static int
check_field (const char *what, const char *s, kl_error_t *err)
{
  size_t len = s ? strnlen (s, MAX_NAME + 1) : 0;
  bool ok = len > 0 && len <= MAX_NAME;
  for (size_t i = 0; ok && i < len; i++)
    ok = (unsigned char) s[i] > ' ' && (unsigned char) s[i] < 0x7f;
  if (ok)
    return 0;
  cleanup_free char *quoted = kl_quote (s ? s : "", len);
  return kl_make_error_kind (err, KL_ERROR_INVALID, 0, "hosts file: invalid %s %s", what, quoted);
}

int
kl_etc_hosts_content (const char *pod_ip, const char *hostname, const char *domain,
                      const kl_host_alias_t *aliases, size_t n, char **out, kl_error_t *err)
{
  bool has_ip = pod_ip != NULL && *pod_ip != '\0';
  bool has_domain = domain != NULL && *domain != '\0';
  int ret;
  if (has_ip)
    {
      if ((ret = check_field ("pod IP", pod_ip, err)) < 0
          || (ret = check_field ("hostname", hostname, err)) < 0
          || (has_domain && (ret = check_field ("domain", domain, err)) < 0))
        return ret;
    }
  for (size_t i = 0; i < n; i++)
    {
      if ((ret = check_field ("hostAliases IP", aliases[i].ip, err)) < 0)
        return ret;
      for (size_t j = 0; j < aliases[i].n_hostnames; j++)
        if ((ret = check_field ("hostAliases hostname", aliases[i].hostnames[j], err)) < 0)
          return ret;
    }

  char *buf = NULL;
  size_t size = 0;
  FILE *f = open_memstream (&buf, &size);
  if (f == NULL)
    kl_oom ();
  fputs (header, f);
  if (has_ip && has_domain)
    fprintf (f, "%s\t%s.%s\t%s\n", pod_ip, hostname, domain, hostname);
  else if (has_ip)
    fprintf (f, "%s\t%s\n", pod_ip, hostname);
  if (n > 0)
    {
      fputs ("\n# Entries added by HostAliases.\n", f);
      for (size_t i = 0; i < n; i++)
        {
          fputs (aliases[i].ip, f);
          fputc ('\t', f);
          for (size_t j = 0; j < aliases[i].n_hostnames; j++)
            {
              if (j > 0)
                fputc ('\t', f);
              fputs (aliases[i].hostnames[j], f);
            }
          fputc ('\n', f);
        }
    }
  if (fclose (f) != 0)
    kl_oom ();
  *out = buf;
  return 0;
}

static int
write_all (int fd, const char *data, size_t len)
{
  while (len > 0)
    {
      ssize_t w = write (fd, data, len);
      if (w < 0)
        {
          if (errno == EINTR)
            continue;
          return -1;
        }
      data += w;
      len -= (size_t) w;
    }
  return 0;
}

int
kl_etc_hosts_write (const char *pod_dir, const char *pod_ip, const char *hostname,
                    const char *domain, const kl_host_alias_t *aliases, size_t n, char **path_out,
                    kl_error_t *err)
{
  cleanup_free char *content = NULL;
  int ret = kl_etc_hosts_content (pod_ip, hostname, domain, aliases, n, &content, err);
  if (ret < 0)
    return ret;

  cleanup_free char *path = xasprintf ("%s/" ETC_HOSTS_FILE, pod_dir);
  cleanup_free char *tmp = xasprintf ("%s/." ETC_HOSTS_FILE ".XXXXXX", pod_dir);
  int fd = mkostemp (tmp, O_CLOEXEC);
  if (fd < 0)
    return kl_make_error (err, errno, "create a temporary file in %s", pod_dir);
  if (write_all (fd, content, strlen (content)) < 0 || fchmod (fd, 0644) < 0 || fsync (fd) < 0)
    {
      int saved = errno;
      close (fd);
      unlink (tmp);
      return kl_make_error (err, saved, "write %s", tmp);
    }
  if (close (fd) < 0)
    {
      int saved = errno;
      unlink (tmp);
      return kl_make_error (err, saved, "write %s", tmp);
    }
  if (rename (tmp, path) < 0)
    {
      int saved = errno;
      unlink (tmp);
      return kl_make_error (err, saved, "rename %s to %s", tmp, path);
    }
  if (path_out != NULL)
    *path_out = steal_pointer (&path);
  return 0;
}

/* The pod's managed /etc/hosts file, as the Go kubelet writes it to <pod_dir>/etc-hosts. */
#ifndef KL_KUBELET_VOLUME_ETC_HOSTS_H
#define KL_KUBELET_VOLUME_ETC_HOSTS_H

#include <stddef.h>

#include "pkg/kubelet/api/types.h"
#include "pkg/util/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The file's content (managedHostsFileContent): the header, the localhost
   and IPv6 lines, "<pod_ip>\t<hostname>" (or "<pod_ip>\t<hostname>.<domain>\t<hostname>"
   when domain is set; no line when pod_ip is NULL or "") and the HostAliases
   block. Refuses names holding whitespace or control characters, which
   could add lines of their own. The caller frees *out. */
int kl_etc_hosts_content (const char *pod_ip, const char *hostname, const char *domain,
                          const kl_host_alias_t *aliases, size_t n, char **out, kl_error_t *err);

/* Writes that content to <pod_dir>/etc-hosts (mode 0644) atomically: a
   temporary file renamed over it, so a reader sees the old or the new file,
   never half of one. *path_out (may be NULL) gets the file's path. */
int kl_etc_hosts_write (const char *pod_dir, const char *pod_ip, const char *hostname,
                        const char *domain, const kl_host_alias_t *aliases, size_t n,
                        char **path_out, kl_error_t *err);

#ifdef __cplusplus
}
#endif

#endif

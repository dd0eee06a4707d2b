#include "pkg/util/net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "pkg/util/utils.h"

#define LISTEN_BACKLOG 128

char *
kl_net_host_port (const char *address, int port)
{
  return strchr (address, ':') ? xasprintf ("[%s]:%d", address, port)
                               : xasprintf ("%s:%d", address, port);
}

int
kl_net_listen_tcp (const char *address, int port, int *out_fd, bool *ipv6, kl_error_t *err)
{
  struct sockaddr_storage ss;
  socklen_t len;
  memset (&ss, 0, sizeof ss);
  struct sockaddr_in *in4 = (struct sockaddr_in *) &ss;
  struct sockaddr_in6 *in6 = (struct sockaddr_in6 *) &ss;
  if (inet_pton (AF_INET, address, &in4->sin_addr) == 1)
    {
      in4->sin_family = AF_INET;
      in4->sin_port = htons ((uint16_t) port);
      len = sizeof *in4;
      *ipv6 = false;
    }
  else if (inet_pton (AF_INET6, address, &in6->sin6_addr) == 1)
    {
      in6->sin6_family = AF_INET6;
      in6->sin6_port = htons ((uint16_t) port);
      len = sizeof *in6;
      *ipv6 = true;
    }
  else
    return kl_make_error_kind (err, KL_ERROR_INVALID, 0,
                               "invalid address \"%s\": not an IP address", address);

  int fd = socket (ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0)
    return kl_make_error (err, errno, "socket");
  int one = 1, zero = 0;
  setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (*ipv6 && IN6_IS_ADDR_UNSPECIFIED (&in6->sin6_addr))
    setsockopt (fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero); /* "::" takes IPv4 too */
  if (bind (fd, (struct sockaddr *) &ss, len) < 0 || listen (fd, LISTEN_BACKLOG) < 0)
    {
      int saved = errno;
      close (fd);
      cleanup_free char *where = kl_net_host_port (address, port);
      return kl_make_error (err, saved, "listen on %s", where);
    }
  *out_fd = fd;
  return 0;
}

#include "pkg/kubelet/node_info.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "pkg/util/utils.h"

int64_t
kl_node_memory_capacity (void)
{
  cleanup_file FILE *f = fopen ("/proc/meminfo", "re");
  if (f == NULL)
    return 0;
  char line[256];
  while (fgets (line, sizeof line, f))
    {
      long long kib;
      if (sscanf (line, "MemTotal: %lld kB", &kib) == 1)
        return kib * 1024;
    }
  return 0;
}

char *
kl_node_ip (void)
{
  struct ifaddrs *ifs = NULL;
  if (getifaddrs (&ifs) < 0)
    return NULL;
  char *ip = NULL;
  for (struct ifaddrs *i = ifs; i && ip == NULL; i = i->ifa_next)
    {
      if (i->ifa_addr == NULL || i->ifa_addr->sa_family != AF_INET)
        continue;
      if ((i->ifa_flags & IFF_UP) == 0 || (i->ifa_flags & IFF_LOOPBACK))
        continue;
      char buf[INET_ADDRSTRLEN];
      const struct sockaddr_in *sin = (const struct sockaddr_in *) i->ifa_addr;
      if (inet_ntop (AF_INET, &sin->sin_addr, buf, sizeof buf))
        ip = xstrdup (buf);
    }
  freeifaddrs (ifs);
  return ip;
}

int64_t
kl_parse_rfc3339 (const char *s)
{
  struct tm tm = { 0 };
  if (s == NULL)
    return 0;
  const char *p = strptime (s, "%Y-%m-%dT%H:%M:%S", &tm);
  if (p == NULL)
    return 0;
  int64_t ns = 0;
  if (*p == '.')
    {
      int64_t scale = 100000000;
      for (p++; isdigit ((unsigned char) *p); p++)
        {
          ns += (*p - '0') * scale;
          scale /= 10;
        }
    }
  if (*p != 'Z')
    return 0;
  return (int64_t) timegm (&tm) * 1000000000LL + ns;
}

/* The snapshots a provider fills: pod lists and health check results. */
#include "pkg/kubelet/server/server.h"

#include <stdio.h>
#include <string.h>

#include "pkg/kubelet/server/server-internal.h"
#include "pkg/util/utils.h"

void
kl_server_pods_append (kl_server_pods_t *pods, kl_pod_t *pod, kl_pod_status_t *status)
{
  pods->items = xrealloc (pods->items, (pods->n_items + 1) * sizeof *pods->items);
  pods->items[pods->n_items].pod = pod;
  pods->items[pods->n_items].status = status;
  pods->n_items++;
}

void
kl_server_pods_clear (kl_server_pods_t *pods)
{
  for (size_t i = 0; i < pods->n_items; i++)
    {
      kl_pod_free (pods->items[i].pod);
      kl_pod_status_free (pods->items[i].status);
    }
  free (pods->items);
  pods->items = NULL;
  pods->n_items = 0;
}

void
kl_healthz_checks_add (kl_healthz_checks_t *checks, const char *name, const char *error)
{
  checks->items = xrealloc (checks->items, (checks->n_items + 1) * sizeof *checks->items);
  checks->items[checks->n_items].name = xstrdup (name ? name : "");
  checks->items[checks->n_items].error = error ? xstrdup (error) : NULL;
  checks->n_items++;
}

void
kl_healthz_checks_clear (kl_healthz_checks_t *checks)
{
  for (size_t i = 0; i < checks->n_items; i++)
    {
      free (checks->items[i].name);
      free (checks->items[i].error);
    }
  free (checks->items);
  checks->items = NULL;
  checks->n_items = 0;
}

char *
kl_healthz_report (const kl_healthz_checks_t *checks, bool verbose, bool *healthy)
{
  *healthy = true;
  for (size_t i = 0; i < checks->n_items; i++)
    if (checks->items[i].error != NULL)
      *healthy = false;
  if (*healthy && !verbose)
    return xstrdup ("ok");

  char *text = NULL;
  size_t size = 0;
  FILE *out = open_memstream (&text, &size);
  if (out == NULL)
    kl_oom ();
  fputs ("[+]ping ok\n", out);
  for (size_t i = 0; i < checks->n_items; i++)
    {
      const kl_healthz_check_t *c = &checks->items[i];
      if (c->error == NULL)
        fprintf (out, "[+]%s ok\n", c->name);
      else
        fprintf (out, "[-]%s failed: %s\n", c->name, c->error);
    }
  fputs (*healthy ? "healthz check passed\n" : "healthz check failed\n", out);
  if (fclose (out) != 0 || text == NULL)
    kl_oom ();
  return text;
}

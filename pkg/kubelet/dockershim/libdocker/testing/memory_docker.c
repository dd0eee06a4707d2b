#include "pkg/kubelet/dockershim/libdocker/testing/memory_docker.h"

#include <stdbool.h>
#include <string.h>

#include "pkg/util/utils.h"

#define VERSION_BODY                                                                               \
  "{\"Version\": \"20.10.24\", \"ApiVersion\": \"1.41\", \"MinAPIVersion\": \"1.12\", "            \
  "\"Os\": \"linux\", \"Arch\": \"amd64\", \"KernelVersion\": \"6.1.0\"}"

#define INFO_BODY                                                                                  \
  "{\"ID\": \"fake\", \"Containers\": 3, \"DockerRootDir\": \"/var/lib/docker\", "                 \
  "\"CgroupDriver\": \"cgroupfs\", \"CgroupVersion\": \"2\", \"ServerVersion\": \"20.10.24\", "    \
  "\"OperatingSystem\": \"Debian\", \"NCPU\": 2, \"MemTotal\": 8000000000}"

#define SANDBOX_LABELS                                                                             \
  "{\"io.kubernetes.docker.type\": \"podsandbox\", \"io.kubernetes.pod.name\": \"web\", "          \
  "\"io.kubernetes.pod.namespace\": \"default\", \"io.kubernetes.pod.uid\": \"uid-1\", "           \
  "\"annotation.kubernetes.io/config.source\": \"file\", \"tier\": \"front\"}"

#define CONTAINER_LABELS(name)                                                                     \
  "{\"io.kubernetes.docker.type\": \"container\", \"io.kubernetes.sandbox.id\": "                  \
  "\"sandbox0\", \"io.kubernetes.container.name\": \"" name "\", "                                 \
  "\"io.kubernetes.pod.name\": \"web\", \"io.kubernetes.pod.namespace\": \"default\", "            \
  "\"io.kubernetes.pod.uid\": \"uid-1\", \"io.kubernetes.container.restartCount\": \"0\", "        \
  "\"annotation.io.kubernetes.container.hash\": \"1a2b\"}"

#define INSPECT(id, name, state, labels, network)                                                  \
  "{\"Id\": \"" id "\", \"Name\": \"/" name "\", \"Created\": \"2024-05-01T10:00:00.5Z\", "        \
  "\"Image\": \"sha256:1f2e\", \"State\": " state ", \"Config\": {\"Image\": \"busybox:1.36\", "   \
  "\"Hostname\": \"web\", \"Env\": [\"A=b\"], \"Cmd\": [\"sleep\", \"300\"], \"Labels\": " labels  \
  "}, \"HostConfig\": {\"NetworkMode\": \"" network "\", \"Memory\": 1048576, "                    \
  "\"CpuShares\": 2, \"LogConfig\": {\"Type\": \"json-file\"}}, \"NetworkSettings\": "             \
  "{\"IPAddress\": \"172.17.0.5\", \"SandboxKey\": \"/var/run/docker/netns/abc\", "                \
  "\"Networks\": {\"bridge\": {\"IPAddress\": \"172.17.0.5\", \"Gateway\": \"172.17.0.1\"}}}, "    \
  "\"Mounts\": [{\"Type\": \"bind\", \"Source\": \"/data\", \"Destination\": \"/data\", "          \
  "\"RW\": true}], \"LogPath\": \"\", \"ResolvConfPath\": \"\"}"

#define RUNNING                                                                                    \
  "{\"Status\": \"running\", \"Running\": true, \"Pid\": 42, \"StartedAt\": "                      \
  "\"2024-05-01T10:00:01Z\", \"FinishedAt\": \"0001-01-01T00:00:00Z\"}"
#define EXITED                                                                                     \
  "{\"Status\": \"exited\", \"ExitCode\": 1, \"OOMKilled\": true, \"StartedAt\": "                 \
  "\"2024-05-01T10:00:01Z\", \"FinishedAt\": \"2024-05-01T10:05:00.25Z\"}"

static const char sandbox_inspect[]
    = INSPECT ("sandbox0", "k8s_POD_web_default_uid-1_0", RUNNING, SANDBOX_LABELS, "default");
static const char container_inspect[]
    = INSPECT ("container0", "k8s_app_web_default_uid-1_0", RUNNING, CONTAINER_LABELS ("app"),
               "container:sandbox0");
static const char exited_inspect[] = INSPECT ("exited0", "k8s_init_web_default_uid-1_0", EXITED,
                                              CONTAINER_LABELS ("init"), "container:sandbox0");

#define LIST_ENTRY(id, name, state, labels)                                                        \
  "{\"Id\": \"" id "\", \"Names\": [\"/" name "\"], \"Image\": \"busybox:1.36\", \"ImageID\": "    \
  "\"sha256:1f2e\", \"Created\": 1714557600, \"State\": \"" state "\", \"Labels\": " labels "}"

static const char container_list[] = "[" LIST_ENTRY (
    "sandbox0", "k8s_POD_web_default_uid-1_0", "running",
    SANDBOX_LABELS) ", " LIST_ENTRY ("container0", "k8s_app_web_default_uid-1_0", "running",
                                     CONTAINER_LABELS (
                                         "app")) ", " LIST_ENTRY ("exited0",
                                                                  "k8s_init_web_default_uid-1_0",
                                                                  "exited",
                                                                  CONTAINER_LABELS ("init")) "]";

static const char image_inspect[]
    = "{\"Id\": \"sha256:1f2e\", \"RepoTags\": [\"busybox:1.36\"], \"RepoDigests\": "
      "[\"busybox@sha256:9ae9\"], \"Size\": 4261550, \"Config\": {\"User\": \"1000\", "
      "\"Env\": [\"PATH=/bin\"], \"Cmd\": [\"sh\"], \"Volumes\": {\"/data\": {}}}}";

static const char image_list[]
    = "[{\"Id\": \"sha256:1f2e\", \"RepoTags\": [\"busybox:1.36\"], \"RepoDigests\": "
      "[\"busybox@sha256:9ae9\"], \"Size\": 4261550, \"Created\": 1714557600}, "
      "{\"Id\": \"sha256:7d46\", \"RepoTags\": [\"<none>:<none>\"], \"RepoDigests\": [], "
      "\"Size\": 1}]";

static const char stats[]
    = "{\"read\": \"2024-05-01T10:00:02Z\", \"cpu_stats\": {\"cpu_usage\": {\"total_usage\": "
      "123456789, \"usage_in_usermode\": 1, \"usage_in_kernelmode\": 2}, \"system_cpu_usage\": "
      "999999999, \"online_cpus\": 2}, \"memory_stats\": {\"usage\": 4096000, \"limit\": "
      "8000000, \"stats\": {\"inactive_file\": 1000, \"rss\": 2048, \"pgfault\": 5, "
      "\"pgmajfault\": 1}}, \"pids_stats\": {\"current\": 3}, \"networks\": {\"eth0\": "
      "{\"rx_bytes\": 10, \"tx_bytes\": 20, \"rx_errors\": 0, \"tx_errors\": 0}}}";

static const char pull[] = "{\"status\": \"Pulling from library/busybox\", \"id\": \"1.36\"}\n"
                           "{\"status\": \"Digest: sha256:9ae9\"}\n"
                           "{\"status\": \"Status: Downloaded newer image for busybox:1.36\"}\n";

static const char exec_inspect[]
    = "{\"ID\": \"exec0\", \"Running\": false, \"ExitCode\": 0, \"Pid\": 43, "
      "\"ContainerID\": \"container0\", \"ProcessConfig\": {\"entrypoint\": \"true\"}}";

/* The id in "/containers/<id>/..." or "/containers/<id>", or NULL. */
static char *
object_id (const char *path, const char *collection, const char **rest)
{
  size_t n = strlen (collection);
  if (strncmp (path, collection, n) != 0)
    return NULL;
  const char *id = path + n;
  size_t len = strcspn (id, "/");
  *rest = id + len;
  return xstrndup (id, len);
}

static const char *
inspect_of (const char *id)
{
  if (strcmp (id, DOCKER_MEMORY_SANDBOX_ID) == 0)
    return sandbox_inspect;
  if (strcmp (id, DOCKER_MEMORY_CONTAINER_ID) == 0)
    return container_inspect;
  if (strcmp (id, DOCKER_MEMORY_EXITED_ID) == 0)
    return exited_inspect;
  return NULL;
}

static bool
known_image (const char *name)
{
  static const char *const names[] = { "busybox", "busybox:1.36", "docker.io/library/busybox:1.36",
                                       "sha256:1f2e", "registry.k8s.io/pause:3.9" };
  for (size_t i = 0; i < KL_ARRAY_SIZE (names); i++)
    if (strcmp (name, names[i]) == 0)
      return true;
  return false;
}

/* The answer to a versioned request, path without prefix and query. */
static const char *
answer (const docker_memory_t *m, const char *method, const char *path, long *status)
{
  const char *rest = "";
  bool empty = m->mode == DOCKER_MEMORY_EMPTY;
  *status = 200;
  if (strcmp (path, "/info") == 0)
    return INFO_BODY;
  if (strcmp (path, "/containers/json") == 0)
    return empty ? "[]" : container_list;
  if (strcmp (path, "/containers/create") == 0)
    {
      *status = 201;
      return "{\"Id\": \"created0\", \"Warnings\": []}";
    }
  if (strcmp (path, "/images/json") == 0)
    return empty ? "[]" : image_list;
  if (strcmp (path, "/images/create") == 0)
    return pull;
  cleanup_free char *id = object_id (path, "/containers/", &rest);
  if (id)
    {
      const char *inspect = empty ? NULL : inspect_of (id);
      if (inspect == NULL && strcmp (id, "created0") != 0)
        {
          *status = 404;
          return "{\"message\": \"No such container\"}";
        }
      if (strcmp (rest, "/json") == 0)
        return inspect ? inspect : container_inspect;
      if (strcmp (rest, "/stats") == 0)
        return stats;
      if (strcmp (rest, "/wait") == 0)
        return "{\"StatusCode\": 0}";
      if (strcmp (rest, "/exec") == 0)
        {
          *status = 201;
          return "{\"Id\": \"exec0\"}";
        }
      if (strcmp (rest, "/update") == 0)
        return "{\"Warnings\": []}";
      if (strcmp (rest, "/start") == 0 || strcmp (rest, "/stop") == 0 || strcmp (rest, "/kill") == 0
          || strcmp (rest, "") == 0)
        {
          *status = 204;
          return "";
        }
    }
  free (steal_pointer (&id));
  id = object_id (path, "/images/", &rest);
  if (id)
    {
      /* Image names keep their slashes: the name is what precedes "/json". */
      size_t len = strlen (path + strlen ("/images/"));
      bool inspect = len > 5 && strcmp (path + strlen (path) - 5, "/json") == 0;
      cleanup_free char *name = xstrndup (path + strlen ("/images/"), inspect ? len - 5 : len);
      if (empty || !known_image (name))
        {
          *status = 404;
          return "{\"message\": \"No such image\"}";
        }
      if (inspect)
        return image_inspect;
      if (strcmp (method, "DELETE") == 0)
        return "[{\"Untagged\": \"busybox:1.36\"}, {\"Deleted\": \"sha256:1f2e\"}]";
    }
  free (steal_pointer (&id));
  id = object_id (path, "/exec/", &rest);
  if (id && strcmp (rest, "/json") == 0)
    return exec_inspect;
  *status = 404;
  return "{\"message\": \"page not found\"}";
}

int
docker_memory_transport (void *ctx, const char *method, const char *path, const char *body,
                         size_t body_len, long *status, char **out, size_t *out_len,
                         kl_error_t *err)
{
  docker_memory_t *m = ctx;
  m->requests++;
  const char *text;
  if (strcmp (path, "/_ping") == 0)
    *status = 200, text = "OK";
  else if (strcmp (path, "/version") == 0)
    *status = 200, text = VERSION_BODY;
  else if (m->mode == DOCKER_MEMORY_FAIL)
    *status = 500, text = "{\"message\": \"fake dockerd failure\"}";
  else
    {
      /* Strip "/v1.41" and the query. */
      const char *p = path;
      if (strncmp (p, "/v1.", 4) == 0)
        p = strchr (p + 1, '/') ? strchr (p + 1, '/') : "";
      cleanup_free char *bare = xstrndup (p, strcspn (p, "?"));
      text = answer (m, method, bare, status);
    }
  size_t len = strlen (text);
  if (m->mode == DOCKER_MEMORY_TRUNCATED && strcmp (path, "/version") != 0)
    len /= 2;
  *out = xstrndup (text, len);
  *out_len = len;
  return 0;
}

int
docker_memory_client (docker_memory_t *fake, docker_client_t **out, kl_error_t *err)
{
  int ret = docker_client_new ("unix:///nonexistent/kl-memory-docker.sock", 60LL * 1000000000, out,
                               err);
  if (ret < 0)
    return ret;
  docker_client_set_transport (*out, docker_memory_transport, fake);
  return 0;
}

#include "bench/harness.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace bench {

namespace {

const int64_t kSecond = 1000000000LL;

size_t
Collect (char *data, size_t size, size_t n, void *out)
{
  static_cast<std::string *> (out)->append (data, size * n);
  return size * n;
}

// The value of `key` among protobuf-c map entries (all laid out as base, key, value).
template <typename Entry>
std::string
Label (Entry *const *entries, size_t n, const char *key)
{
  for (size_t i = 0; i < n; i++)
    if (strcmp (entries[i]->key, key) == 0)
      return entries[i]->value;
  return "";
}

bool
HasPrefix (const std::string &s, const std::string &prefix)
{
  return s.compare (0, prefix.size (), prefix) == 0;
}

std::string
ErrorMessage (kl_error_t *err)
{
  std::string msg = kl_error_message (*err);
  kl_error_release (err);
  return msg;
}

} // namespace

bool
ParseFlags (int argc, char **argv, const std::vector<Flag> &flags)
{
  for (int i = 1; i < argc; i++)
    {
      std::string a = argv[i];
      size_t eq = a.find ('=');
      std::string key = a.substr (0, eq), value = eq == std::string::npos ? "" : a.substr (eq + 1);
      const Flag *f = nullptr;
      for (const auto &candidate : flags)
        if (key == candidate.name)
          f = &candidate;
      if (f == nullptr)
        {
          fprintf (stderr, "%s: unknown option %s\n", argv[0], a.c_str ());
          return false;
        }
      if (f->str)
        *f->str = value;
      else if (f->num)
        *f->num = atoi (value.c_str ());
      else
        f->list->push_back (value);
    }
  return true;
}

bool
Options::Parse (int argc, char **argv)
{
  if (!ParseFlags (argc, argv,
                   { { "--kubelet", &kubelet },
                     { "--endpoint", &endpoint },
                     { "--busybox", &busybox },
                     { "--pause", &pause },
                     { "--dir", &dir },
                     { "--repeat", &repeat },
                     { "--batch-repeat", &batch_repeat },
                     { "--window", &window },
                     { "--pods", &pods },
                     { "--cycles", &cycles },
                     { "--kubelet-arg", &kubelet_args },
                     { "--runtime-name", &runtime_name } }))
    return false;
  if (kubelet.empty () || endpoint.empty () || busybox.empty () || pause.empty () || dir.empty ()
      || repeat < 1 || batch_repeat < 1 || window < 1 || pods < 1 || pods > 250 || cycles < 1)
    {
      fprintf (stderr,
               "usage: %s --kubelet=BIN --endpoint=unix:///SOCK --busybox=IMAGE --pause=IMAGE "
               "--dir=DIR [--repeat=N] [--batch-repeat=N] [--window=SECONDS] [--pods=N] "
               "[--cycles=N] [--kubelet-arg=FLAG]... [--runtime-name=NAME]\n",
               argv[0]);
      return false;
    }
  if (mkdir (dir.c_str (), 0755) < 0 && errno != EEXIST)
    {
      fprintf (stderr, "%s: mkdir %s: %s\n", argv[0], dir.c_str (), strerror (errno));
      return false;
    }
  return true;
}

int64_t
NowNs ()
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * kSecond + ts.tv_nsec;
}

void
SleepMs (int64_t ms)
{
  struct timespec ts = { (time_t) (ms / 1000), (long) (ms % 1000) * 1000000L };
  while (nanosleep (&ts, &ts) < 0 && errno == EINTR)
    ;
}

void
Log (const char *fmt, ...)
{
  static const int64_t start = NowNs ();
  char buf[1024];
  va_list ap;
  va_start (ap, fmt);
  vsnprintf (buf, sizeof buf, fmt, ap);
  va_end (ap);
  fprintf (stderr, "[bench %7.1fs] %s\n", (NowNs () - start) / 1e9, buf);
}

std::string
SleepPodManifest (const std::string &name, const std::string &image)
{
  return "apiVersion: v1\n"
         "kind: Pod\n"
         "metadata:\n"
         "  name: "
         + name
         + "\n"
           "spec:\n"
           "  terminationGracePeriodSeconds: 1\n"
           "  containers:\n"
           "  - name: sleep\n"
           "    image: "
         + image
         + "\n"
           "    command: [\"sleep\", \"3600\"]\n";
}

int64_t
WriteManifest (const std::string &dir, const std::string &file, const std::string &content)
{
  std::string tmp = dir + "/." + file + ".tmp";
  {
    std::ofstream out (tmp);
    out << content;
  }
  int64_t now = NowNs ();
  rename (tmp.c_str (), (dir + "/" + file).c_str ());
  return now;
}

Runtime::Runtime (const std::string &endpoint)
{
  kl_error_t err = NULL;
  if (kl_cri_client_new (endpoint.c_str (), NULL, 60 * kSecond, &client_, &err) < 0)
    Log ("runtime %s: %s", endpoint.c_str (), ErrorMessage (&err).c_str ());
}

Runtime::~Runtime () { kl_cri_client_free (client_); }

bool
Runtime::Pull (const std::string &image, std::string *image_ref, std::string *error)
{
  Runtime__V1__ImageSpec spec = RUNTIME__V1__IMAGE_SPEC__INIT;
  spec.image = (char *) image.c_str ();
  Runtime__V1__PullImageRequest req = RUNTIME__V1__PULL_IMAGE_REQUEST__INIT;
  req.image = &spec;
  cleanup_pb Runtime__V1__PullImageResponse *resp = NULL;
  kl_error_t err = NULL;
  if (kl_cri_pull_image (client_, &req, 120 * kSecond, &resp, &err) < 0)
    {
      *error = "pull " + image + ": " + ErrorMessage (&err);
      return false;
    }
  *image_ref = resp->image_ref;
  return true;
}

bool
Runtime::RunningByPod (const std::string &prefix, std::map<std::string, int> *out)
{
  Runtime__V1__ContainerStateValue running = RUNTIME__V1__CONTAINER_STATE_VALUE__INIT;
  running.state = RUNTIME__V1__CONTAINER_STATE__CONTAINER_RUNNING;
  Runtime__V1__ContainerFilter filter = RUNTIME__V1__CONTAINER_FILTER__INIT;
  filter.state = &running;
  Runtime__V1__ListContainersRequest req = RUNTIME__V1__LIST_CONTAINERS_REQUEST__INIT;
  req.filter = &filter;
  cleanup_pb Runtime__V1__ListContainersResponse *resp = NULL;
  kl_error_t err = NULL;
  if (kl_cri_list_containers (client_, &req, &resp, &err) < 0)
    {
      kl_error_release (&err);
      return false;
    }
  out->clear ();
  for (size_t i = 0; i < resp->n_containers; i++)
    {
      const Runtime__V1__Container *c = resp->containers[i];
      std::string pod = Label (c->labels, c->n_labels, "io.kubernetes.pod.name");
      if (c->state == RUNTIME__V1__CONTAINER_STATE__CONTAINER_RUNNING && HasPrefix (pod, prefix))
        (*out)[pod]++;
    }
  return true;
}

int
Runtime::Remaining (const std::string &prefix)
{
  int sandboxes = 0, containers = 0;
  if (!Count (prefix, &sandboxes, &containers))
    return -1;
  return sandboxes + containers;
}

bool
Runtime::Count (const std::string &prefix, int *sandbox_count, int *container_count)
{
  Runtime__V1__ListPodSandboxRequest sreq = RUNTIME__V1__LIST_POD_SANDBOX_REQUEST__INIT;
  cleanup_pb Runtime__V1__ListPodSandboxResponse *sandboxes = NULL;
  Runtime__V1__ListContainersRequest creq = RUNTIME__V1__LIST_CONTAINERS_REQUEST__INIT;
  cleanup_pb Runtime__V1__ListContainersResponse *containers = NULL;
  kl_error_t err = NULL;
  if (kl_cri_list_pod_sandbox (client_, &sreq, &sandboxes, &err) < 0
      || kl_cri_list_containers (client_, &creq, &containers, &err) < 0)
    {
      kl_error_release (&err);
      return false;
    }
  *sandbox_count = *container_count = 0;
  for (size_t i = 0; i < sandboxes->n_items; i++)
    {
      const Runtime__V1__PodSandbox *s = sandboxes->items[i];
      if (HasPrefix (Label (s->labels, s->n_labels, "io.kubernetes.pod.name"), prefix))
        (*sandbox_count)++;
    }
  for (size_t i = 0; i < containers->n_containers; i++)
    {
      const Runtime__V1__Container *c = containers->containers[i];
      if (HasPrefix (Label (c->labels, c->n_labels, "io.kubernetes.pod.name"), prefix))
        (*container_count)++;
    }
  return true;
}

bool
Runtime::WaitGone (const std::string &prefix, int seconds)
{
  int64_t deadline = NowNs () + seconds * kSecond;
  for (;;)
    {
      if (Remaining (prefix) == 0)
        return true;
      if (NowNs () > deadline)
        return false;
      SleepMs (100);
    }
}

void
Runtime::RemoveAll (const std::string &prefix)
{
  Runtime__V1__ListPodSandboxRequest req = RUNTIME__V1__LIST_POD_SANDBOX_REQUEST__INIT;
  cleanup_pb Runtime__V1__ListPodSandboxResponse *resp = NULL;
  kl_error_t err = NULL;
  if (kl_cri_list_pod_sandbox (client_, &req, &resp, &err) < 0)
    {
      Log ("list sandboxes: %s", ErrorMessage (&err).c_str ());
      return;
    }
  for (size_t i = 0; i < resp->n_items; i++)
    {
      const Runtime__V1__PodSandbox *s = resp->items[i];
      if (!HasPrefix (Label (s->labels, s->n_labels, "io.kubernetes.pod.name"), prefix))
        continue;
      Runtime__V1__StopPodSandboxRequest stop = RUNTIME__V1__STOP_POD_SANDBOX_REQUEST__INIT;
      stop.pod_sandbox_id = s->id;
      cleanup_pb Runtime__V1__StopPodSandboxResponse *stopped = NULL;
      if (kl_cri_stop_pod_sandbox (client_, &stop, &stopped, &err) < 0)
        Log ("stop sandbox %.12s: %s", s->id, ErrorMessage (&err).c_str ());
      Runtime__V1__RemovePodSandboxRequest rm = RUNTIME__V1__REMOVE_POD_SANDBOX_REQUEST__INIT;
      rm.pod_sandbox_id = s->id;
      cleanup_pb Runtime__V1__RemovePodSandboxResponse *removed = NULL;
      if (kl_cri_remove_pod_sandbox (client_, &rm, &removed, &err) < 0)
        Log ("remove sandbox %.12s: %s", s->id, ErrorMessage (&err).c_str ());
    }
}

Kubelet::Kubelet (const Options &opts, const std::string &dir) : opts_ (opts), dir_ (dir)
{
  mkdir (dir_.c_str (), 0755);
  mkdir (manifests ().c_str (), 0755);
  std::ofstream (dir_ + "/kubelet.yaml") << "apiVersion: kubelet.config.k8s.io/v1beta1\n"
                                            "kind: KubeletConfiguration\n"
                                            "podLogsDir: "
                                         << dir_ << "/pod-logs\n";
}

Kubelet::~Kubelet () { Stop (); }

bool
Kubelet::Start (std::string *error)
{
  std::vector<std::string> args = {
    opts_.kubelet,
    "--config=" + dir_ + "/kubelet.yaml",
    "--container-runtime-endpoint=" + opts_.endpoint,
    "--pod-manifest-path=" + manifests (),
    "--root-dir=" + dir_ + "/root",
    "--hostname-override=" + std::string (kNode),
    "--pod-infra-container-image=" + opts_.pause,
    "--read-only-port=" + std::to_string (kReadOnlyPort),
    "--healthz-port=" + std::to_string (kHealthzPort),
    "--v=0",
  };
  args.insert (args.end (), opts_.kubelet_args.begin (), opts_.kubelet_args.end ());
  std::string log = log_path ();
  pid_ = fork ();
  if (pid_ < 0)
    {
      *error = std::string ("fork: ") + strerror (errno);
      return false;
    }
  if (pid_ == 0)
    {
      int fd = open (log.c_str (), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
      if (fd >= 0)
        {
          dup2 (fd, 1);
          dup2 (fd, 2);
        }
      std::vector<char *> argv;
      for (auto &a : args)
        argv.push_back ((char *) a.c_str ());
      argv.push_back (nullptr);
      execv (argv[0], argv.data ());
      _exit (127);
    }
  // For hack/bench.sh, which stops a kubelet a killed benchmark left behind.
  std::ofstream (dir_ + "/kubelet.pid") << pid_ << "\n";
  int64_t deadline = NowNs () + 30 * kSecond;
  while (NowNs () < deadline)
    {
      if (!Running ())
        {
          *error = "the kubelet exited; see " + log;
          return false;
        }
      if (HttpGet (kHealthzPort, "/healthz", nullptr) == 200)
        return true;
      SleepMs (100);
    }
  *error = "the kubelet's /healthz did not answer 200 within 30s; see " + log;
  return false;
}

bool
Kubelet::Running ()
{
  if (pid_ <= 0)
    return false;
  int status;
  if (waitpid (pid_, &status, WNOHANG) == pid_)
    {
      pid_ = -1;
      return false;
    }
  return true;
}

void
Kubelet::Stop ()
{
  unlink ((dir_ + "/kubelet.pid").c_str ());
  if (!Running ())
    return;
  kill (pid_, SIGTERM);
  int64_t deadline = NowNs () + 20 * kSecond;
  int status;
  while (waitpid (pid_, &status, WNOHANG) == 0)
    {
      if (NowNs () > deadline)
        {
          Log ("the kubelet ignored SIGTERM for 20s; killing it");
          kill (pid_, SIGKILL);
          waitpid (pid_, &status, 0);
          break;
        }
      SleepMs (50);
    }
  pid_ = -1;
}

bool
Kubelet::Metrics (std::string *body)
{
  return HttpGet (kReadOnlyPort, "/metrics", body) == 200;
}

int
HttpGet (int port, const std::string &path, std::string *body)
{
  CURL *curl = curl_easy_init ();
  if (curl == NULL)
    return 0;
  std::string url = "http://127.0.0.1:" + std::to_string (port) + path;
  std::string out;
  curl_easy_setopt (curl, CURLOPT_URL, url.c_str ());
  curl_easy_setopt (curl, CURLOPT_WRITEFUNCTION, Collect);
  curl_easy_setopt (curl, CURLOPT_WRITEDATA, &out);
  curl_easy_setopt (curl, CURLOPT_TIMEOUT, 10L);
  curl_easy_setopt (curl, CURLOPT_NOSIGNAL, 1L);
  long code = 0;
  if (curl_easy_perform (curl) == CURLE_OK)
    curl_easy_getinfo (curl, CURLINFO_RESPONSE_CODE, &code);
  curl_easy_cleanup (curl);
  if (body)
    *body = out;
  return (int) code;
}

bool
ReadProc (pid_t pid, ProcSample *out)
{
  std::string proc = "/proc/" + std::to_string (pid);
  std::ifstream stat_file (proc + "/stat");
  std::string stat ((std::istreambuf_iterator<char> (stat_file)),
                    std::istreambuf_iterator<char> ());
  // Fields after the command (which may hold spaces) start at "state", field 3;
  // utime and stime are fields 14 and 15.
  size_t paren = stat.rfind (')');
  if (paren == std::string::npos)
    return false;
  std::istringstream fields (stat.substr (paren + 2));
  std::vector<std::string> f;
  for (std::string w; fields >> w;)
    f.push_back (w);
  if (f.size () < 13)
    return false;
  long ticks = sysconf (_SC_CLK_TCK);
  out->at_ns = NowNs ();
  out->cpu_seconds
      = (double) (strtoull (f[11].c_str (), NULL, 10) + strtoull (f[12].c_str (), NULL, 10))
        / (double) ticks;
  std::ifstream status (proc + "/status");
  for (std::string line; std::getline (status, line);)
    {
      if (line.rfind ("VmRSS:", 0) == 0)
        out->rss_kib = strtoll (line.c_str () + 6, NULL, 10);
      else if (line.rfind ("VmHWM:", 0) == 0)
        out->hwm_kib = strtoll (line.c_str () + 6, NULL, 10);
      else if (line.rfind ("Threads:", 0) == 0)
        out->threads = atoi (line.c_str () + 8);
    }
  return out->rss_kib > 0;
}

bool
Histogram::Parse (const std::string &text, const std::string &name)
{
  *this = Histogram ();
  bool have_sum = false, have_count = false;
  std::istringstream in (text);
  const std::string bucket = name + "_bucket{le=\"";
  for (std::string line; std::getline (in, line);)
    {
      if (line.rfind (bucket, 0) == 0)
        {
          size_t end = line.find ('"', bucket.size ());
          if (end == std::string::npos)
            return false;
          std::string le = line.substr (bucket.size (), end - bucket.size ());
          size_t space = line.rfind (' ');
          bounds.push_back (le == "+Inf" ? INFINITY : strtod (le.c_str (), NULL));
          cumulative.push_back (strtod (line.c_str () + space + 1, NULL));
        }
      else if (line.rfind (name + "_sum ", 0) == 0)
        have_sum = true, sum = strtod (line.c_str () + name.size () + 5, NULL);
      else if (line.rfind (name + "_count ", 0) == 0)
        have_count = true, count = strtod (line.c_str () + name.size () + 7, NULL);
    }
  return have_sum && have_count && !bounds.empty () && isinf (bounds.back ());
}

Histogram
Histogram::Minus (const Histogram &earlier) const
{
  Histogram d = *this;
  d.sum -= earlier.sum;
  d.count -= earlier.count;
  for (size_t i = 0; i < d.cumulative.size () && i < earlier.cumulative.size (); i++)
    d.cumulative[i] -= earlier.cumulative[i];
  return d;
}

double
Histogram::Quantile (double q) const
{
  if (count <= 0 || bounds.empty ())
    return NAN;
  double rank = q * count;
  for (size_t i = 0; i < bounds.size (); i++)
    if (cumulative[i] >= rank)
      {
        if (isinf (bounds[i]))
          return i > 0 ? bounds[i - 1] : NAN;
        double lower = i > 0 ? bounds[i - 1] : 0, below = i > 0 ? cumulative[i - 1] : 0;
        double in_bucket = cumulative[i] - below;
        return in_bucket > 0 ? lower + (bounds[i] - lower) * (rank - below) / in_bucket : bounds[i];
      }
  return NAN;
}

double
Histogram::QuantileBound (double q) const
{
  if (count <= 0)
    return NAN;
  for (size_t i = 0; i < bounds.size (); i++)
    if (cumulative[i] >= q * count)
      return bounds[i];
  return NAN;
}

double
Percentile (std::vector<double> samples, double p)
{
  if (samples.empty ())
    return NAN;
  std::sort (samples.begin (), samples.end ());
  size_t rank = (size_t) ceil (p / 100.0 * (double) samples.size ());
  if (rank < 1)
    rank = 1;
  return samples[std::min (rank, samples.size ()) - 1];
}

std::string
FormatSeconds (double seconds)
{
  char buf[64];
  if (isnan (seconds))
    return "–";
  if (isinf (seconds))
    return "∞";
  if (seconds < 0.001)
    snprintf (buf, sizeof buf, "%.0f µs", seconds * 1e6);
  else if (seconds < 0.01)
    snprintf (buf, sizeof buf, "%.1f ms", seconds * 1e3);
  else if (seconds < 1)
    snprintf (buf, sizeof buf, "%.0f ms", seconds * 1e3);
  else
    snprintf (buf, sizeof buf, "%.2f s", seconds);
  return buf;
}

void
PrintRow (const std::string &measurement, const std::string &kubelet, const std::string &floor,
          const std::string &notes)
{
  printf ("| %s | %s | %s | %s |\n", measurement.c_str (), kubelet.c_str (), floor.c_str (),
          notes.c_str ());
  fflush (stdout);
}

} // namespace bench

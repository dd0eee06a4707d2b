// Runs the built pause binary: shutdown on SIGTERM/SIGINT, zombie reaping as a
// plain parent and as the init of a new PID namespace, static linking.

#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

constexpr std::chrono::seconds kDeadline (10);

// A file of this package among the test's runfiles.
std::string
Runfile (const std::string &name)
{
  const char *srcdir = getenv ("TEST_SRCDIR");
  const char *workspace = getenv ("TEST_WORKSPACE");
  if (srcdir == nullptr || workspace == nullptr)
    return "build/pause/" + name;
  return std::string (srcdir) + "/" + workspace + "/build/pause/" + name;
}

std::string
PauseBinary ()
{
  return Runfile ("pause");
}

// Polls `done` every 5ms until it holds or `deadline` passes.
bool
WaitFor (const std::function<bool ()> &done, std::chrono::milliseconds deadline = kDeadline)
{
  auto end = std::chrono::steady_clock::now () + deadline;
  for (;;)
    {
      if (done ())
        return true;
      if (std::chrono::steady_clock::now () >= end)
        return false;
      std::this_thread::sleep_for (std::chrono::milliseconds (5));
    }
}

// Field `key` ("SigBlk", "PPid", ...) of /proc/<pid>/status, "" if absent.
std::string
ProcStatusField (pid_t pid, const std::string &key)
{
  std::ifstream in ("/proc/" + std::to_string (pid) + "/status");
  std::string line;
  while (std::getline (in, line))
    if (line.compare (0, key.size () + 1, key + ":") == 0)
      {
        std::string value = line.substr (key.size () + 1);
        value.erase (0, value.find_first_not_of (" \t"));
        return value;
      }
  return "";
}

// Process state letter from /proc/<pid>/stat ('Z' for a zombie), 0 once gone.
char
ProcState (pid_t pid)
{
  std::ifstream in ("/proc/" + std::to_string (pid) + "/stat");
  std::string stat ((std::istreambuf_iterator<char> (in)), std::istreambuf_iterator<char> ());
  size_t paren = stat.rfind (')');
  if (paren == std::string::npos || paren + 2 >= stat.size ())
    return 0;
  return stat[paren + 2];
}

pid_t
ProcParent (pid_t pid)
{
  std::string ppid = ProcStatusField (pid, "PPid");
  return ppid.empty () ? -1 : static_cast<pid_t> (std::stol (ppid));
}

// True once pid handles SIGINT, SIGTERM and SIGCHLD: pause blocks them before
// it installs its handler, so from then on none of them is lost.
bool
HandlesShutdownSignals (pid_t pid)
{
  std::string caught = ProcStatusField (pid, "SigCgt");
  if (caught.empty ())
    return false;
  unsigned long long mask = std::stoull (caught, nullptr, 16);
  unsigned long long want
      = (1ULL << (SIGINT - 1)) | (1ULL << (SIGTERM - 1)) | (1ULL << (SIGCHLD - 1));
  return (mask & want) == want;
}

struct ExitResult
{
  bool exited = false; // within the deadline
  int status = 0;
};

// Waits for our child `pid` to exit, polling so the wait has a deadline.
ExitResult
WaitExit (pid_t pid, std::chrono::milliseconds deadline = kDeadline)
{
  ExitResult result;
  WaitFor (
      [&] {
        pid_t r = waitpid (pid, &result.status, WNOHANG);
        result.exited = r == pid;
        return r != 0;
      },
      deadline);
  return result;
}

// Kills and reaps a child process when the test ends early.
class ChildGuard
{
public:
  explicit ChildGuard (pid_t pid = -1) : pid_ (pid) {}
  ~ChildGuard ()
  {
    if (pid_ > 0)
      {
        kill (pid_, SIGKILL);
        waitpid (pid_, nullptr, 0);
      }
  }
  ChildGuard (const ChildGuard &) = delete;
  ChildGuard &operator= (const ChildGuard &) = delete;
  void
  release ()
  {
    pid_ = -1;
  }

private:
  pid_t pid_;
};

// fork + exec pause with `args`; stdout/stderr go to the given fds if >= 0.
pid_t
SpawnPause (const std::vector<std::string> &args = {}, int out_fd = -1, int err_fd = -1)
{
  std::string path = PauseBinary ();
  std::vector<char *> argv;
  argv.push_back (const_cast<char *> (path.c_str ()));
  for (const auto &a : args)
    argv.push_back (const_cast<char *> (a.c_str ()));
  argv.push_back (nullptr);
  pid_t pid = fork ();
  if (pid == 0)
    {
      if (out_fd >= 0)
        dup2 (out_fd, STDOUT_FILENO);
      if (err_fd >= 0)
        dup2 (err_fd, STDERR_FILENO);
      execv (argv[0], argv.data ());
      _exit (127);
    }
  return pid;
}

// Reads a pipe until EOF.
std::string
ReadAll (int fd)
{
  std::string out;
  char buf[512];
  ssize_t n;
  while ((n = read (fd, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
    if (n > 0)
      out.append (buf, n);
  return out;
}

void
ExpectShutdownOn (int sig)
{
  pid_t pid = SpawnPause ();
  ASSERT_GT (pid, 0);
  ChildGuard guard (pid);
  ASSERT_TRUE (WaitFor ([&] { return HandlesShutdownSignals (pid); }))
      << "pause never handled its signals";

  auto start = std::chrono::steady_clock::now ();
  ASSERT_EQ (kill (pid, sig), 0);
  ExitResult r = WaitExit (pid, std::chrono::seconds (2));
  ASSERT_TRUE (r.exited) << "pause still running 2s after " << strsignal (sig);
  guard.release ();
  EXPECT_TRUE (WIFEXITED (r.status)) << "status " << r.status;
  EXPECT_EQ (WEXITSTATUS (r.status), 0);
  EXPECT_LT (std::chrono::steady_clock::now () - start, std::chrono::milliseconds (500));
}

TEST (PauseTest, ExitsZeroOnSigterm) { ExpectShutdownOn (SIGTERM); }

TEST (PauseTest, ExitsZeroOnSigint) { ExpectShutdownOn (SIGINT); }

TEST (PauseTest, SpuriousSigchldDoesNotStopIt)
{
  pid_t pid = SpawnPause ();
  ASSERT_GT (pid, 0);
  ChildGuard guard (pid);
  ASSERT_TRUE (WaitFor ([&] { return HandlesShutdownSignals (pid); }));

  // A spurious SIGCHLD with no child to reap must not end the pause.
  ASSERT_EQ (kill (pid, SIGCHLD), 0);
  ASSERT_TRUE (WaitFor ([&] {
    return ProcStatusField (pid, "SigPnd") == "0000000000000000"
           && ProcStatusField (pid, "ShdPnd") == "0000000000000000";
  })) << "SIGCHLD never consumed";
  int status;
  EXPECT_EQ (waitpid (pid, &status, WNOHANG), 0) << "pause exited on SIGCHLD";

  ASSERT_EQ (kill (pid, SIGTERM), 0);
  ExitResult r = WaitExit (pid);
  ASSERT_TRUE (r.exited);
  guard.release ();
  EXPECT_TRUE (WIFEXITED (r.status) && WEXITSTATUS (r.status) == 0);
}

TEST (PauseTest, VersionFlag)
{
  int out[2];
  ASSERT_EQ (pipe2 (out, O_CLOEXEC), 0);
  pid_t pid = SpawnPause ({ "--version" }, out[1]);
  ChildGuard guard (pid);
  close (out[1]);
  std::string text = ReadAll (out[0]);
  close (out[0]);
  ExitResult r = WaitExit (pid);
  ASSERT_TRUE (r.exited);
  guard.release ();
  EXPECT_TRUE (WIFEXITED (r.status) && WEXITSTATUS (r.status) == 0);
  EXPECT_EQ (text, "pause 3.9\n");
}

TEST (PauseTest, UnknownArgumentIsAOneLineError)
{
  int errp[2];
  ASSERT_EQ (pipe2 (errp, O_CLOEXEC), 0);
  pid_t pid = SpawnPause ({ "--bogus" }, -1, errp[1]);
  ChildGuard guard (pid);
  close (errp[1]);
  std::string text = ReadAll (errp[0]);
  close (errp[0]);
  ExitResult r = WaitExit (pid);
  ASSERT_TRUE (r.exited);
  guard.release ();
  EXPECT_TRUE (WIFEXITED (r.status) && WEXITSTATUS (r.status) == 1);
  EXPECT_NE (text.find ("--bogus"), std::string::npos) << text;
  ASSERT_FALSE (text.empty ());
  EXPECT_EQ (text.find ('\n'), text.size () - 1) << "not one line: " << text;
}

// Forks a process that becomes pause with one child of its own; that child
// waits for EOF on the pipe `release` and exits, or exits at once if release
// is null. Returns pause's pid; the child's pid arrives in *child.
pid_t
SpawnPauseWithChild (const int *release, pid_t *child, bool wait_for_zombie)
{
  int report[2];
  if (pipe2 (report, O_CLOEXEC) < 0)
    return -1;
  std::string path = PauseBinary ();
  pid_t pid = fork ();
  if (pid == 0)
    {
      pid_t c = fork ();
      if (c == 0)
        {
          char b;
          if (release != nullptr)
            {
              close (release[1]);
              while (read (release[0], &b, 1) < 0 && errno == EINTR)
                ;
            }
          _exit (0);
        }
      if (write (report[1], &c, sizeof c) != sizeof c)
        _exit (126);
      if (wait_for_zombie)
        {
          // Let the child become a zombie before pause starts: pause must
          // collect it even though its SIGCHLD came before pause was there.
          siginfo_t info;
          if (waitid (P_PID, c, &info, WEXITED | WNOWAIT) < 0)
            _exit (126);
        }
      execl (path.c_str (), path.c_str (), (char *) nullptr);
      _exit (127);
    }
  close (report[1]);
  *child = -1;
  if (pid > 0 && read (report[0], child, sizeof *child) != sizeof *child)
    *child = -1;
  close (report[0]);
  return pid;
}

TEST (PauseTest, ReapsChildThatExitsWhilePaused)
{
  int release[2];
  ASSERT_EQ (pipe2 (release, O_CLOEXEC), 0);
  pid_t child;
  pid_t pid = SpawnPauseWithChild (release, &child, false);
  ASSERT_GT (pid, 0);
  ChildGuard guard (pid);
  close (release[0]);
  ASSERT_GT (child, 0);
  ASSERT_TRUE (WaitFor ([&] { return HandlesShutdownSignals (pid); }));
  ASSERT_EQ (ProcParent (child), pid);
  ASSERT_NE (ProcState (child), 'Z');

  close (release[1]); // the child exits
  EXPECT_TRUE (WaitFor ([&] { return ProcState (child) == 0; }))
      << "child left in state " << ProcState (child);
  int status;
  EXPECT_EQ (waitpid (pid, &status, WNOHANG), 0) << "pause exited after reaping";

  ASSERT_EQ (kill (pid, SIGTERM), 0);
  ExitResult r = WaitExit (pid);
  ASSERT_TRUE (r.exited);
  guard.release ();
  EXPECT_TRUE (WIFEXITED (r.status) && WEXITSTATUS (r.status) == 0);
}

TEST (PauseTest, ReapsZombieInheritedAtStart)
{
  pid_t child;
  pid_t pid = SpawnPauseWithChild (nullptr, &child, true);
  ASSERT_GT (pid, 0);
  ChildGuard guard (pid);
  ASSERT_GT (child, 0);
  EXPECT_TRUE (WaitFor ([&] { return ProcState (child) == 0; }))
      << "zombie left in state " << ProcState (child);

  ASSERT_TRUE (WaitFor ([&] { return HandlesShutdownSignals (pid); }));
  ASSERT_EQ (kill (pid, SIGTERM), 0);
  ExitResult r = WaitExit (pid);
  ASSERT_TRUE (r.exited);
  guard.release ();
  EXPECT_TRUE (WIFEXITED (r.status) && WEXITSTATUS (r.status) == 0);
}

// Pids of the processes whose parent is `parent`.
std::vector<pid_t>
ChildrenOf (pid_t parent)
{
  std::vector<pid_t> children;
  DIR *proc = opendir ("/proc");
  if (proc == nullptr)
    return children;
  while (struct dirent *d = readdir (proc))
    {
      char *end;
      long pid = strtol (d->d_name, &end, 10);
      if (*end == '\0' && pid > 0 && ProcParent (static_cast<pid_t> (pid)) == parent)
        children.push_back (static_cast<pid_t> (pid));
    }
  closedir (proc);
  return children;
}

// The pod case: pause is PID 1 of a new PID namespace; a process in that
// namespace forks and exits, and its orphan is reparented to pause and, once
// it exits, reaped by it. Needs CAP_SYS_ADMIN; skipped without.
TEST (PauseTest, ReapsOrphansAsPidNamespaceInit)
{
  std::string path = PauseBinary ();
  pid_t pid = static_cast<pid_t> (
      syscall (SYS_clone, CLONE_NEWPID | SIGCHLD, nullptr, nullptr, nullptr, nullptr));
  if (pid < 0 && (errno == EPERM || errno == EINVAL || errno == ENOSPC))
    GTEST_SKIP () << "cannot create a PID namespace: " << strerror (errno);
  ASSERT_GE (pid, 0) << strerror (errno);
  if (pid == 0)
    {
      execl (path.c_str (), path.c_str (), (char *) nullptr);
      _exit (127);
    }
  ChildGuard guard (pid); // killing a namespace's init kills all of it
  ASSERT_TRUE (WaitFor ([&] { return HandlesShutdownSignals (pid); }));
  std::string nspid = ProcStatusField (pid, "NSpid");
  ASSERT_EQ (nspid.substr (nspid.rfind ('\t') + 1), "1") << "NSpid: " << nspid;

  int release[2];
  ASSERT_EQ (pipe2 (release, O_CLOEXEC), 0);
  std::string ns = "/proc/" + std::to_string (pid) + "/ns/pid";
  // helper joins the namespace; its child `parent` (PID 2 there) forks the
  // orphan-to-be and exits at once.
  pid_t helper = fork ();
  ASSERT_GE (helper, 0);
  if (helper == 0)
    {
      int fd = open (ns.c_str (), O_RDONLY | O_CLOEXEC);
      if (fd < 0 || setns (fd, CLONE_NEWPID) < 0)
        _exit (2);
      pid_t parent = fork ();
      if (parent == 0)
        {
          if (fork () == 0)
            {
              char b;
              close (release[1]);
              while (read (release[0], &b, 1) < 0 && errno == EINTR)
                ;
              _exit (0);
            }
          _exit (0);
        }
      int status;
      if (parent < 0 || waitpid (parent, &status, 0) != parent)
        _exit (3);
      _exit (WIFEXITED (status) ? WEXITSTATUS (status) : 4);
    }
  ChildGuard helper_guard (helper);
  close (release[0]);
  ExitResult h = WaitExit (helper);
  ASSERT_TRUE (h.exited);
  helper_guard.release ();
  ASSERT_TRUE (WIFEXITED (h.status) && WEXITSTATUS (h.status) == 0) << "helper status " << h.status;

  std::vector<pid_t> orphans;
  ASSERT_TRUE (WaitFor ([&] { return (orphans = ChildrenOf (pid)).size () == 1; }))
      << "pause has " << orphans.size () << " children, want the one orphan";
  pid_t orphan = orphans[0];
  EXPECT_NE (ProcState (orphan), 'Z');
  close (release[1]); // the orphan exits
  EXPECT_TRUE (WaitFor ([&] { return ProcState (orphan) == 0; }))
      << "orphan left in state " << ProcState (orphan);

  ASSERT_EQ (kill (pid, SIGTERM), 0);
  ExitResult r = WaitExit (pid);
  ASSERT_TRUE (r.exited);
  guard.release ();
  EXPECT_TRUE (WIFEXITED (r.status) && WEXITSTATUS (r.status) == 0) << "status " << r.status;
}

// The image has no libc: its binary (uninstrumented even under
// --config=asan, where :pause itself links dynamically) must not ask for a
// dynamic loader.
TEST (PauseTest, IsStaticallyLinked)
{
  std::ifstream in (Runfile ("pause_image_binary"), std::ios::binary);
  ASSERT_TRUE (in.good ());
  Elf64_Ehdr eh;
  ASSERT_TRUE (in.read (reinterpret_cast<char *> (&eh), sizeof eh));
  ASSERT_EQ (memcmp (eh.e_ident, ELFMAG, SELFMAG), 0);
  ASSERT_EQ (eh.e_ident[EI_CLASS], ELFCLASS64);
  for (int i = 0; i < eh.e_phnum; i++)
    {
      Elf64_Phdr ph;
      in.seekg (eh.e_phoff + (off_t) i * eh.e_phentsize);
      ASSERT_TRUE (in.read (reinterpret_cast<char *> (&ph), sizeof ph));
      EXPECT_NE (ph.p_type, (Elf64_Word) PT_INTERP) << "has a PT_INTERP program header";
      EXPECT_NE (ph.p_type, (Elf64_Word) PT_DYNAMIC) << "has a PT_DYNAMIC program header";
    }
}

} // namespace

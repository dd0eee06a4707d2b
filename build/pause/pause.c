/* pause: a pod sandbox's first process; holds the pod's namespaces, reaps the
   zombies orphaned into it and exits 0 on SIGINT or SIGTERM. */

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pkg/util/error.h"
#include "pkg/util/utils.h" /* KL_ARRAY_SIZE */

#ifndef PAUSE_VERSION
#define PAUSE_VERSION "dev"
#endif

/* The signal that asked us to stop, 0 until then: the only state shared with
   the signal handler, hence global. */
static volatile sig_atomic_t shutdown_signal;

static void
on_signal (int sig)
{
  if (sig != SIGCHLD)
    shutdown_signal = sig;
}

/* Blocks SIGINT, SIGTERM and SIGCHLD, then installs their handler: they are
   only delivered inside sigsuspend (), so none is lost between a check and
   the sleep. A PID namespace's init gets only signals it handles or blocks.
   Sets *wait_mask to the mask to sleep with. */
static int
install_signal_handlers (sigset_t *wait_mask, kl_error_t *err)
{
  static const int signals[] = { SIGINT, SIGTERM, SIGCHLD };
  sigset_t set;
  sigemptyset (&set);
  for (size_t i = 0; i < KL_ARRAY_SIZE (signals); i++)
    sigaddset (&set, signals[i]);
  if (sigprocmask (SIG_BLOCK, &set, wait_mask) < 0)
    return kl_make_error (err, errno, "block signals");

  struct sigaction sa = { .sa_handler = on_signal, .sa_mask = set, .sa_flags = SA_NOCLDSTOP };
  for (size_t i = 0; i < KL_ARRAY_SIZE (signals); i++)
    {
      /* A mask inherited across exec must not keep them out of the sleep. */
      sigdelset (wait_mask, signals[i]);
      if (sigaction (signals[i], &sa, NULL) < 0)
        return kl_make_error (err, errno, "handle %s", sigabbrev_np (signals[i]));
    }
  return 0;
}

/* Collects the exit status of every child that has exited. */
static int
reap_children (kl_error_t *err)
{
  for (;;)
    {
      pid_t pid = waitpid (-1, NULL, WNOHANG);
      if (pid > 0)
        continue;
      if (pid == 0 || errno == ECHILD)
        return 0;
      if (errno != EINTR)
        return kl_make_error (err, errno, "waitpid");
    }
}

/* Sleeps until SIGINT or SIGTERM, reaping children whenever one exits.
   Returns the signal that asked pause to stop, or a negative value on error. */
static int
run (kl_error_t *err)
{
  sigset_t wait_mask;
  int ret = install_signal_handlers (&wait_mask, err);
  if (ret < 0)
    return ret;

  /* Reap before the first sleep too: children inherited across exec may
     have exited before we handled SIGCHLD, and their signal is gone.  */
  for (;;)
    {
      ret = reap_children (err);
      if (ret < 0)
        return ret;
      if (shutdown_signal != 0)
        return shutdown_signal;
      sigsuspend (&wait_mask);
    }
}

int
main (int argc, char **argv)
{
  if (argc > 1)
    {
      if (argc == 2 && (strcmp (argv[1], "-v") == 0 || strcmp (argv[1], "--version") == 0))
        {
          printf ("pause %s\n", PAUSE_VERSION);
          return 0;
        }
      fprintf (stderr, "pause: unexpected argument \"%s\" (usage: pause [-v|--version])\n",
               argv[1]);
      return 1;
    }

  if (getpid () != 1)
    fprintf (stderr, "pause: warning: not PID 1, orphans of this pod are reaped elsewhere\n");

  cleanup_error kl_error_t err = NULL;
  int sig = run (&err);
  if (sig < 0)
    {
      fprintf (stderr, "pause: %s\n", kl_error_message (err));
      return 1;
    }
  fprintf (stderr, "pause: shutting down on SIG%s\n", sigabbrev_np (sig));
  return 0;
}

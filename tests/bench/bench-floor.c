/* bench-floor.c: what the presence benchmark's fan-out costs the kernel alone, with no server.
 *
 * A writer (the "server") holds N accepted loopback TCP connections and, for R events a
 * second from a 1 ms timer, writes one frame-sized message to each of K connections drawn at
 * random: the same number of segments, of about the same size, as a server that delivers
 * every change to K contacts. A reader (the "clients", a child process) holds the other ends
 * on epoll and reads whatever arrives. The writer does nothing else, so its CPU per write
 * (utime + stime, as bench-load reads the server's) is the least that any server can spend
 * per delivered event on this machine with this method. */

#define _GNU_SOURCE /* sched_setaffinity, accept4 */

#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <glib.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define READ_SIZE (64 * 1024)
#define ADDRS     48 /* source addresses 127.0.0.2 and up, as bench-load spreads them */
#define TICK_NS   1000000

static int    opt_n = 10000;
static int    opt_k = 20;
static double opt_rate = 1000;
static int    opt_seconds = 20;
static int    opt_size = 200;
static int    opt_port = 24990;
static int    opt_writer_cpu = 0;
static int    opt_reader_cpu = 1;

static const GOptionEntry entries[] = {
  { "connections", 'n', 0, G_OPTION_ARG_INT, &opt_n, "Connections [10000]", "N" },
  { "contacts", 'k', 0, G_OPTION_ARG_INT, &opt_k, "Writes per event [20]", "K" },
  { "rate", 'r', 0, G_OPTION_ARG_DOUBLE, &opt_rate, "Events per second [1000]", "R" },
  { "duration", 'd', 0, G_OPTION_ARG_INT, &opt_seconds, "Seconds of writing [20]", "D" },
  { "size", 's', 0, G_OPTION_ARG_INT, &opt_size, "Bytes per write [200]", "BYTES" },
  { "port", 'p', 0, G_OPTION_ARG_INT, &opt_port, "Loopback port [24990]", "PORT" },
  { "writer-cpu", 0, 0, G_OPTION_ARG_INT, &opt_writer_cpu, "CPU of the writer, -1 for none [0]",
    "CPU" },
  { "reader-cpu", 0, 0, G_OPTION_ARG_INT, &opt_reader_cpu, "CPU of the reader, -1 for none [1]",
    "CPU" },
  { NULL }
};

static void
pin (int cpu)
{
  cpu_set_t set;

  if (cpu < 0)
    return;
  CPU_ZERO (&set);
  CPU_SET (cpu, &set);
  if (sched_setaffinity (0, sizeof set, &set) != 0)
    g_printerr ("bench-floor: cannot pin to CPU %d: %s\n", cpu, g_strerror (errno));
}

static double
cpu_seconds (void)
{
  struct rusage ru;

  getrusage (RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
         (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/* The clients: connect N sockets from spread source addresses, then read until killed. */
static G_NORETURN void
reader (const struct sockaddr_in *server)
{
  g_autofree char   *buf = g_malloc (READ_SIZE);
  struct epoll_event events[256];
  int                ep = epoll_create1 (EPOLL_CLOEXEC);

  pin (opt_reader_cpu);
  for (int i = 0; i < opt_n; i++)
    {
      struct sockaddr_in local = { .sin_family = AF_INET };
      struct epoll_event ev = { .events = EPOLLIN };
      int                fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

      local.sin_addr.s_addr = htonl (0x7f000002 + i % ADDRS);
      if (fd < 0 || bind (fd, (const struct sockaddr *) &local, sizeof local) != 0 ||
          connect (fd, (const struct sockaddr *) server, sizeof *server) != 0)
        {
          g_printerr ("bench-floor: connection %d: %s\n", i, g_strerror (errno));
          _exit (1);
        }
      ev.data.fd = fd;
      epoll_ctl (ep, EPOLL_CTL_ADD, fd, &ev);
    }
  for (;;)
    {
      int n = epoll_wait (ep, events, G_N_ELEMENTS (events), -1);

      for (int i = 0; i < n; i++)
        if (read (events[i].data.fd, buf, READ_SIZE) == 0)
          _exit (0);
    }
}

int
main (int argc, char **argv)
{
  g_autoptr (GOptionContext) context =
      g_option_context_new ("- the kernel's floor under the fan-out");
  g_autoptr (GError) error = NULL;
  g_autoptr (GRand)  rand = g_rand_new_with_seed (1);
  g_autofree int    *fds = NULL;
  g_autofree char   *message = NULL;
  struct sockaddr_in addr = { .sin_family = AF_INET };
  struct timespec    next;
  int                listener, one = 1;
  pid_t              child;
  double             owed = 0, cpu0, cpu, t0, t;
  guint64            writes = 0;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("bench-floor: %s\n", error->message);
      return 2;
    }
  if (opt_n < 1 || opt_k < 1 || opt_k > opt_n || opt_rate <= 0 || opt_seconds < 1 || opt_size < 1)
    {
      g_printerr ("bench-floor: need 1 <= K <= N, R > 0, D >= 1, BYTES >= 1\n");
      return 2;
    }

  listener = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  setsockopt (listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  addr.sin_port = htons (opt_port);
  addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  if (bind (listener, (const struct sockaddr *) &addr, sizeof addr) != 0 ||
      listen (listener, 4096) != 0)
    {
      g_printerr ("bench-floor: 127.0.0.1:%d: %s\n", opt_port, g_strerror (errno));
      return 1;
    }

  child = fork ();
  if (child == 0)
    reader (&addr);
  pin (opt_writer_cpu);

  /* the servers set TCP_NODELAY, so every write is a segment of its own */
  fds = g_new (int, opt_n);
  for (int i = 0; i < opt_n; i++)
    {
      fds[i] = accept4 (listener, NULL, NULL, SOCK_CLOEXEC);
      if (fds[i] < 0)
        {
          g_printerr ("bench-floor: accept: %s\n", g_strerror (errno));
          kill (child, SIGKILL);
          return 1;
        }
      setsockopt (fds[i], IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
  message = g_malloc (opt_size);
  memset (message, 'x', opt_size);

  t0 = g_get_monotonic_time () / 1e6;
  cpu0 = cpu_seconds ();
  clock_gettime (CLOCK_MONOTONIC, &next);
  for (long tick = 0; tick < (long) opt_seconds * 1000; tick++)
    {
      next.tv_nsec += TICK_NS;
      if (next.tv_nsec >= 1000000000)
        {
          next.tv_nsec -= 1000000000;
          next.tv_sec++;
        }
      clock_nanosleep (CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
      for (owed += opt_rate / 1000; owed >= 1; owed--)
        for (int j = 0; j < opt_k; j++)
          {
            int fd = fds[g_rand_int_range (rand, 0, opt_n)];

            if (send (fd, message, opt_size, MSG_DONTWAIT | MSG_NOSIGNAL) != opt_size)
              {
                g_printerr ("bench-floor: a write was short or failed: %s\n", g_strerror (errno));
                kill (child, SIGKILL);
                return 1;
              }
            writes++;
          }
    }
  cpu = cpu_seconds () - cpu0;
  t = g_get_monotonic_time () / 1e6 - t0;

  kill (child, SIGKILL);
  waitpid (child, NULL, 0);
  printf ("bench-floor: N=%d K=%d R=%g D=%d, %d bytes a write\n", opt_n, opt_k, opt_rate,
          opt_seconds, opt_size);
  printf ("  writes              %" G_GUINT64_FORMAT " (%.0f/s, %.0f events/s achieved)\n", writes,
          writes / t, writes / t / opt_k);
  printf ("  writer CPU          %.1f %% of one core; %.2f µs per write\n", 100 * cpu / t,
          1e6 * cpu / writes);
  return 0;
}

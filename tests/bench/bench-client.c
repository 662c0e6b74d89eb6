/* bench-client.c: the client benchmark: hydrating BeaconPresenceStore with N contacts
 * (time, memory per contact), applying M presence deltas, and the idle main-loop wake-ups. */

#define _GNU_SOURCE /* RUSAGE_THREAD */

#include "config.h"

#include <malloc.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "beacon-clock.h"
#include "beacon-json.h"
#include "beacon-presence-store.h"
#include "beacon-socket.h"
#include "harness.h"

/* 2026-11-23T10:00:00Z, the time the generated records are about. */
#define BASE_MS G_GINT64_CONSTANT (1795428000000)

typedef struct
{
  guint    contacts;
  guint    deltas;
  guint    idle_contacts;
  guint    idle_seconds;
  guint    heartbeat_ms;
  guint    seed;
  gboolean no_server;
} Options;

/* Memory */

/* Bytes malloc hands out now (in the arenas and mapped). */
static gint64
heap_in_use (void)
{
  struct mallinfo2 info = mallinfo2 ();

  return (gint64) info.uordblks + (gint64) info.hblkhd;
}

/* A "Name:   123 kB" line of /proc/self/status, in kB. */
static gint64
proc_status_kb (const char *name)
{
  g_autofree char *status = NULL;
  const char      *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL) ||
      !(line = strstr (status, name)))
    return -1;
  return g_ascii_strtoll (line + strlen (name) + 1, NULL, 10);
}

static double
seconds_since (gint64 start_us)
{
  return (g_get_monotonic_time () - start_us) / (double) G_USEC_PER_SEC;
}

/* CPU time of this thread, in seconds: unlike the wall clock, not lengthened by other
 * processes taking the CPU. */
static double
cpu_seconds (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Records */

static const BeaconPresenceStatus statuses[] = {
  BEACON_PRESENCE_ONLINE,
  BEACON_PRESENCE_AWAY,
  BEACON_PRESENCE_BUSY,
  BEACON_PRESENCE_OFFLINE,
};

static char *
user_id (guint i)
{
  return g_strdup_printf ("u%u", i);
}

/* A full record of user i, as the server writes one; rand picks the status. */
static BeaconPresenceRecord *
make_record (guint i, GRand *rand, gint64 version, gint64 ms)
{
  g_autofree char      *id = user_id (i);
  BeaconPresenceRecord *record = beacon_presence_record_new (id);

  record->status = statuses[g_rand_int_range (rand, 0, G_N_ELEMENTS (statuses))];
  record->last_seen_ms = ms - g_rand_int_range (rand, 0, 3 * 24 * 3600) * G_GINT64_CONSTANT (1000);
  record->last_active_ms = ms;
  record->chatting_with_me =
      record->status == BEACON_PRESENCE_ONLINE && g_rand_int_range (rand, 0, 50) == 0;
  if (record->status == BEACON_PRESENCE_AWAY || record->status == BEACON_PRESENCE_BUSY)
    record->custom_message = g_strdup_printf ("Back at %02d:00", g_rand_int_range (rand, 8, 20));
  record->role = g_strdup (i % 3 ? "CLIENT" : "FREELANCER");
  record->version = version;
  record->fields = BEACON_PRESENCE_HAS_STATUS | BEACON_PRESENCE_HAS_LAST_SEEN |
                   BEACON_PRESENCE_HAS_LAST_ACTIVE | BEACON_PRESENCE_HAS_CHATTING |
                   BEACON_PRESENCE_HAS_CUSTOM_MESSAGE | BEACON_PRESENCE_HAS_ROLE |
                   BEACON_PRESENCE_HAS_VERSION;
  return record;
}

/* The body of GET /api/friends/online-status for n contacts. */
static char *
hydration_body (guint n, GRand *rand)
{
  GString *body = g_string_new ("{\"success\":true,\"data\":{\"statuses\":{");

  for (guint i = 0; i < n; i++)
    g_string_append_printf (body, "%s\"u%u\":%s", i ? "," : "", i,
                            g_rand_boolean (rand) ? "true" : "false");
  g_string_append (body, "},\"presence\":[");
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (BeaconPresenceRecord) record = make_record (i, rand, 1, BASE_MS);
      g_autofree char                 *text = beacon_presence_record_to_string (record);

      g_string_append_printf (body, "%s%s", i ? "," : "", text);
    }
  g_string_append (body, "]}}");
  return g_string_free (body, FALSE);
}

/* Hydration */

static BeaconPresenceStore *
bench_hydration (const Options *options, BeaconClock *clock)
{
  g_autoptr (GRand)     rand = g_rand_new_with_seed (options->seed);
  g_autofree char      *body = NULL;
  g_autoptr (GPtrArray) infos = NULL;
  BeaconPresenceStore  *store;
  gint64                heap_before;
  gint64                rss_before;
  gint64                start;
  double                parse_s;
  double                total_s;

  /* Measured from before the body and the names are made: both are freed before the
   * end, so what remains is the store's. */
  malloc_trim (0);
  heap_before = heap_in_use ();
  rss_before = proc_status_kb ("VmRSS:");
  body = hydration_body (options->contacts, rand);
  infos = g_ptr_array_new_with_free_func ((GDestroyNotify) beacon_contact_info_free);
  for (guint i = 0; i < options->contacts; i++)
    {
      g_autofree char *id = user_id (i);
      g_autofree char *name = g_strdup_printf ("User %u", i);

      g_ptr_array_add (infos, beacon_contact_info_new (id, name, i % 3 ? "CLIENT" : "FREELANCER"));
    }

  start = g_get_monotonic_time ();
  store = beacon_presence_store_new (clock);
  {
    g_autoptr (GError)     error = NULL;
    g_autoptr (JsonNode)   node = beacon_json_parse (body, strlen (body), &error);
    g_autoptr (GHashTable) online = NULL;
    g_autoptr (GPtrArray)  records = NULL;

    if (node == NULL || !beacon_presence_parse_hydration (node, "me", &online, &records, &error))
      g_error ("hydration body: %s", error->message);
    parse_s = seconds_since (start);
    beacon_presence_store_begin_hydration (store);
    beacon_presence_store_finish_hydration (store, records, online);
    beacon_presence_store_set_names (store, infos);
  }
  total_s = seconds_since (start);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, options->contacts);

  g_clear_pointer (&infos, g_ptr_array_unref);
  g_clear_pointer (&body, g_free);
  malloc_trim (0);
  printf ("hydration: %u contacts in %.1f ms (%.1f ms parsing the JSON body, %.1f ms applying "
          "and naming), %.2f µs per contact\n",
          options->contacts, total_s * 1e3, parse_s * 1e3, (total_s - parse_s) * 1e3,
          total_s * 1e6 / options->contacts);
  printf ("memory: %.0f bytes per contact in the heap (mallinfo2), %.0f bytes of RSS per "
          "contact\n",
          (double) (heap_in_use () - heap_before) / options->contacts,
          (double) (proc_status_kb ("VmRSS:") - rss_before) * 1024 / options->contacts);
  return store;
}

/* Deltas */

static void
bench_deltas (const Options *options, BeaconPresenceStore *store)
{
  g_autoptr (GRand)     rand = g_rand_new_with_seed (options->seed + 1);
  g_autoptr (GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) records =
      g_ptr_array_new_full (options->deltas, (GDestroyNotify) beacon_presence_record_free);
  g_autoptr (GPtrArray) users =
      g_ptr_array_new_full (options->contacts, (GDestroyNotify) beacon_presence_record_free);
  gint64 start;
  double parse_s;
  double apply_s;
  double cpu;
  guint  taken = 0;

  /* presence_updated records as the server sends them (full, versioned) for random
   * contacts, each a change of status: last_active moves on, and last_seen when the
   * contact goes offline. One millisecond passes between two deltas. */
  for (guint i = 0; i < options->contacts; i++)
    g_ptr_array_add (users, make_record (i, rand, 1, BASE_MS));
  for (guint i = 0; i < options->deltas; i++)
    {
      BeaconPresenceRecord *user = users->pdata[g_rand_int_range (rand, 0, options->contacts)];
      guint                 step = g_rand_int_range (rand, 1, G_N_ELEMENTS (statuses));

      user->status = (user->status + step) % G_N_ELEMENTS (statuses);
      if (user->status == BEACON_PRESENCE_OFFLINE)
        {
          user->last_seen_ms = BASE_MS + i;
          user->chatting_with_me = FALSE;
        }
      else
        user->last_active_ms = BASE_MS + i;
      user->version++;
      g_ptr_array_add (texts, beacon_presence_record_to_string (user));
    }

  start = g_get_monotonic_time ();
  for (guint i = 0; i < texts->len; i++)
    {
      const char           *text = texts->pdata[i];
      g_autoptr (GError)    error = NULL;
      g_autoptr (JsonNode)  node = beacon_json_parse (text, strlen (text), &error);
      BeaconPresenceRecord *record;

      if (node == NULL || !(record = beacon_presence_record_parse (node, "me", &error)))
        g_error ("delta %u: %s", i, error->message);
      g_ptr_array_add (records, record);
    }
  parse_s = seconds_since (start);

  start = g_get_monotonic_time ();
  cpu = cpu_seconds ();
  for (guint i = 0; i < records->len; i++)
    {
      BeaconContact *contact = beacon_presence_store_apply_record (store, records->pdata[i]);

      taken += beacon_contact_get_version (contact) ==
               ((BeaconPresenceRecord *) records->pdata[i])->version;
    }
  apply_s = seconds_since (start);
  cpu = cpu_seconds () - cpu;
  g_assert_cmpuint (taken, ==, options->deltas);

  printf ("deltas: %u parsed records applied in %.3f s: %.0f deltas/s (%.2f µs each); "
          "%.3f s of CPU: %.0f deltas per CPU second\n",
          options->deltas, apply_s, options->deltas / apply_s, apply_s * 1e6 / options->deltas, cpu,
          options->deltas / cpu);
  printf ("deltas: parsing them from JSON text took %.3f s (%.0f/s); parse + apply: %.0f "
          "deltas/s\n",
          parse_s, options->deltas / parse_s, options->deltas / (parse_s + apply_s));
}

/* Idle wake-ups */

static GPollFunc default_poll;
static guint     wakeups;    /* polls in which the main thread slept, then woke up */
static guint     fd_wakeups; /* of which a file descriptor was ready */
static guint     no_sleep;   /* blocking polls that returned at once (an fd already ready) */
static gboolean  counting;
static gboolean  trace;        /* print each wake-up */
static gint64    window_start; /* µs, monotonic */

/* Voluntary context switches of the calling thread: each is a sleep. */
static long
thread_sleeps (void)
{
  struct rusage usage;

  getrusage (RUSAGE_THREAD, &usage);
  return usage.ru_nvcsw;
}

/* A blocking poll counts as a wake-up only if the thread really slept in it: a GLib 2.74
 * timeout re-armed by its dispatch signals the context's eventfd, and the next poll
 * returns at once without sleeping. */
static gint
counting_poll (GPollFD *fds, guint n_fds, gint timeout)
{
  long sleeps = counting && timeout != 0 ? thread_sleeps () : 0;
  gint ready = default_poll (fds, n_fds, timeout);

  if (!counting || timeout == 0)
    return ready;
  if (thread_sleeps () == sleeps)
    {
      no_sleep++;
      return ready;
    }
  wakeups++;
  fd_wakeups += ready > 0;
  if (trace)
    {
      g_autoptr (GString) line = g_string_new (NULL);

      for (guint i = 0; i < n_fds; i++)
        if (fds[i].revents)
          g_string_append_printf (line, " fd %d", fds[i].fd);
      printf ("  %8.3f s: woke up after %d ms asked%s\n", seconds_since (window_start), timeout,
              ready > 0 ? line->str : " (timer)");
    }
  return ready;
}

/* Voluntary context switches of the whole process, its threads (ended ones too). */
static gint64
context_switches (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_nvcsw;
}

static gboolean
quit_loop (gpointer loop)
{
  g_main_loop_quit (loop);
  return G_SOURCE_REMOVE;
}

static guint ticks;
static guint heartbeats;
static guint events;

static gboolean
send_heartbeat (gpointer socket)
{
  beacon_socket_emit_volatile (socket, "/", "heartbeat", NULL);
  heartbeats += counting;
  return G_SOURCE_CONTINUE;
}

static GString *event_names; /* the events received during the window, as "name name" */

static void
on_event (BeaconSocket *socket, const char *nsp, const char *name, JsonArray *args, gpointer data)
{
  gboolean *presence_connected = data;

  if (g_str_equal (name, "presence:connected"))
    *presence_connected = TRUE;
  if (!counting)
    return;
  events++;
  g_string_append_printf (event_names, " %s", name);
}

static void
on_tick (BeaconClock *clock, gpointer data)
{
  ticks++;
}

/* Runs the default main context for the idle window and prints its wake-ups. */
static void
count_idle (const Options *options, const char *what)
{
  g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  gint64                switches = context_switches ();
  double                minutes = options->idle_seconds / 60.0;

  wakeups = fd_wakeups = no_sleep = ticks = heartbeats = events = 0;
  window_start = g_get_monotonic_time ();
  g_string_truncate (event_names, 0);
  counting = TRUE;
  g_timeout_add_seconds (options->idle_seconds, quit_loop, loop);
  g_main_loop_run (loop);
  counting = FALSE;
  /* The window's own end is one wake-up of the bench, not of the client. */
  wakeups -= wakeups > 0;
  printf ("idle (%s): %u main-loop wake-ups in %u s = %.1f per minute (%u on a file "
          "descriptor, %u on a timer; %u minute ticks, %u heartbeats sent, %u events "
          "received:%s; %u more polls returned without sleeping); %.1f voluntary context "
          "switches per minute, all threads\n",
          what, wakeups, options->idle_seconds, wakeups / minutes, fd_wakeups, wakeups - fd_wakeups,
          ticks, heartbeats, events, event_names->str, no_sleep,
          (context_switches () - switches) / minutes);
}

/* The store of a signed-in user with n contacts online (as presence:connected lists
 * them), on a real clock. */
static BeaconPresenceStore *
idle_store (const Options *options, BeaconClock *clock)
{
  g_autoptr (GRand)     rand = g_rand_new_with_seed (options->seed + 2);
  g_autoptr (GPtrArray) records =
      g_ptr_array_new_with_free_func ((GDestroyNotify) beacon_presence_record_free);
  gint64               now_ms = g_get_real_time () / 1000;
  BeaconPresenceStore *store = beacon_presence_store_new (clock);

  for (guint i = 0; i < options->idle_contacts; i++)
    {
      BeaconPresenceRecord *record = make_record (i, rand, 1, now_ms);

      if (record->status == BEACON_PRESENCE_OFFLINE)
        record->status = BEACON_PRESENCE_ONLINE;
      g_ptr_array_add (records, record);
    }
  beacon_presence_store_apply_snapshot (store, records, TRUE);
  g_assert_cmpuint (beacon_presence_store_get_online_count (store), ==, options->idle_contacts);
  return store;
}

static gboolean
namespace_joined (gpointer socket)
{
  return beacon_socket_get_state (socket) == BEACON_SOCKET_STATE_CONNECTED &&
         beacon_socket_is_joined (socket, "/");
}

static void
on_namespace_connected (BeaconSocket *socket, const char *nsp, gboolean *joined)
{
  *joined = TRUE;
}

static gboolean
is_true (gpointer flag)
{
  return *(gboolean *) flag;
}

/* A world of "me" and n friends, for beacon-server's import. */
static char *
idle_world (guint n)
{
  GString *world =
      g_string_new ("{\"users\":[{\"id\":\"me\",\"email\":\"me@bench\",\"name\":\"Me\","
                    "\"role\":\"CLIENT\"}");

  for (guint i = 0; i < n; i++)
    g_string_append_printf (world,
                            ",{\"id\":\"u%u\",\"email\":\"u%u@bench\",\"name\":\"User %u\","
                            "\"role\":\"CLIENT\"}",
                            i, i, i);
  g_string_append (world, "],\"friendships\":[");
  for (guint i = 0; i < n; i++)
    g_string_append_printf (world, "%s[\"me\",\"u%u\"]", i ? "," : "", i);
  g_string_append (world, "]}");
  return g_string_free (world, FALSE);
}

static void
bench_idle (const Options *options)
{
  g_autoptr (BeaconClock)         clock = beacon_clock_new ();
  g_autoptr (BeaconPresenceStore) store = idle_store (options, clock);

  g_signal_connect (clock, "tick", G_CALLBACK (on_tick), NULL);
  count_idle (options, "store and clock");
  /* Nothing changed while idle. */
  g_assert_cmpuint (beacon_presence_store_get_online_count (store), ==, options->idle_contacts);

  if (options->no_server)
    return;
  {
    g_autofree char         *world = idle_world (options->idle_contacts);
    TestServer              *server = test_server_start (world, NULL);
    g_autofree char         *token = test_server_token (server, "me", 24 * 3600);
    g_autoptr (BeaconSocket) socket = beacon_socket_new (server->base_url);
    g_autoptr (JsonBuilder)  builder = json_builder_new ();
    g_autoptr (JsonNode)     auth = NULL;
    gboolean                 joined = FALSE;
    gboolean                 presence_connected = FALSE;
    guint                    heartbeat;

    json_builder_begin_object (builder);
    json_builder_set_member_name (builder, "token");
    json_builder_add_string_value (builder, token);
    json_builder_end_object (builder);
    auth = json_builder_get_root (builder);
    g_signal_connect (socket, "namespace-connected", G_CALLBACK (on_namespace_connected), &joined);
    g_signal_connect (socket, "event", G_CALLBACK (on_event), &presence_connected);
    beacon_socket_join (socket, "/", auth);
    beacon_socket_connect (socket);
    test_wait_until (is_true, &joined);
    test_wait_until (is_true, &presence_connected);
    g_assert_true (namespace_joined (socket));
    /* What BeaconSession does: a heartbeat every 25 s. */
    heartbeat = g_timeout_add (options->heartbeat_ms, send_heartbeat, socket);

    count_idle (options, "store, clock, socket connected to beacon-server, heartbeat");

    g_assert_true (namespace_joined (socket));
    g_source_remove (heartbeat);
    beacon_socket_disconnect (socket);
    test_server_stop (server);
    test_server_free (server);
  }
}

int
main (int argc, char *argv[])
{
  Options options = {
    .contacts = 10000,
    .deltas = 1000000,
    .idle_contacts = 1000,
    .idle_seconds = 60,
    .heartbeat_ms = 25000,
    .seed = 1,
  };
  int          contacts = options.contacts;
  int          deltas = options.deltas;
  int          idle_contacts = options.idle_contacts;
  int          idle_seconds = options.idle_seconds;
  gboolean     no_idle = FALSE;
  GOptionEntry entries[] = {
    { "contacts", 'n', 0, G_OPTION_ARG_INT, &contacts, "Contacts to hydrate [10000]", "N" },
    { "deltas", 'm', 0, G_OPTION_ARG_INT, &deltas, "Presence deltas to apply [1000000]", "M" },
    { "idle-contacts", 0, 0, G_OPTION_ARG_INT, &idle_contacts,
      "Contacts online during the idle window [1000]", "N" },
    { "idle-seconds", 0, 0, G_OPTION_ARG_INT, &idle_seconds, "Idle window [60]", "S" },
    { "no-idle", 0, 0, G_OPTION_ARG_NONE, &no_idle, "Skip the idle windows", NULL },
    { "trace", 0, 0, G_OPTION_ARG_NONE, &trace, "Print each wake-up of the idle windows", NULL },
    { "no-server", 0, 0, G_OPTION_ARG_NONE, &options.no_server,
      "Idle window of the store and clock only (no beacon-server)", NULL },
    { NULL },
  };
  g_autoptr (GOptionContext)      context = g_option_context_new ("- the client benchmark");
  g_autoptr (GError)              error = NULL;
  g_autoptr (BeaconClock)         clock = NULL;
  g_autoptr (BeaconPresenceStore) store = NULL;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (contacts < 1 || deltas < 0 || idle_contacts < 0 || idle_seconds < 1)
    {
      g_printerr ("counts must be positive\n");
      return 2;
    }
  options.contacts = contacts;
  options.deltas = deltas;
  options.idle_contacts = idle_contacts;
  options.idle_seconds = idle_seconds;
  event_names = g_string_new (NULL);
  default_poll = g_main_context_get_poll_func (NULL);
  g_main_context_set_poll_func (NULL, counting_poll);

  /* A clock that does not tick by itself: the contacts' labels are computed against one
   * fixed "now", an hour after the records' times. */
  {
    g_autoptr (GDateTime) now = g_date_time_new_from_unix_utc (BASE_MS / 1000 + 3600);

    clock = beacon_clock_new_for_testing (now);
  }
  store = bench_hydration (&options, clock);
  if (options.deltas > 0)
    bench_deltas (&options, store);
  g_clear_object (&store);
  if (!no_idle)
    bench_idle (&options);
  g_string_free (event_names, TRUE);
  return 0;
}

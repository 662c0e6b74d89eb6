/* test-cli.c: integration tests of the beacon-cli program against the real beacon-server:
 * every command, its output read line by line as it comes, and its exit codes. */

#include "config.h"

#include <signal.h>
#include <glib/gstdio.h>
#include <string.h>

#include "harness.h"

/* At most one guest list per 20 ms rather than per second: the tests wait less. */
static const char *const fast_guests[] = { "BEACON_GUEST_INTERVAL_MS=20", NULL };

typedef struct
{
  GSubprocess      *process;
  GDataInputStream *out;
  GQueue            lines; /* char *, read from stdout and not yet taken */
  gboolean          eof;
  char             *stdout_text;
  char             *stderr_text;
  gboolean          done;
} Run;

/* The environment of every run: no dconf; the session's bus and keyring otherwise. */
static char **
cli_environ (void)
{
  char **env = g_get_environ ();

  env = g_environ_unsetenv (env, "BEACON_TOKEN");
  return g_environ_setenv (env, "GSETTINGS_BACKEND", "memory", TRUE);
}

static GSubprocess *
spawn (char **env, const char *stdin_text, GSubprocessFlags flags, const char *const *args)
{
  g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (flags);
  g_autoptr (GPtrArray)           argv = g_ptr_array_new ();
  g_autoptr (GError)              error = NULL;
  GSubprocess                    *process;

  g_ptr_array_add (argv, (gpointer) g_getenv ("BEACON_CLI"));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  g_subprocess_launcher_set_environ (launcher, env);
  process = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);
  return process;
}

static void
on_communicated (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Run               *run = user_data;
  g_autoptr (GError) error = NULL;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result, &run->stdout_text,
                                        &run->stderr_text, &error);
  g_assert_no_error (error);
  run->done = TRUE;
}

static gboolean
run_done (gpointer data)
{
  return ((Run *) data)->done;
}

static void
run_free (Run *run)
{
  g_clear_object (&run->process);
  g_clear_object (&run->out);
  g_queue_clear_full (&run->lines, g_free);
  g_free (run->stdout_text);
  g_free (run->stderr_text);
  g_free (run);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Run, run_free)

/* Runs beacon-cli to its end (the main context keeps running meanwhile) with env (NULL:
 * cli_environ()) and stdin_text (NULL: none); returns its exit status. */
static Run *
run_cli_full (char **env, const char *stdin_text, const char *const *args)
{
  Run *run = g_new0 (Run, 1);
  g_auto (GStrv) own_env = env ? NULL : cli_environ ();
  GSubprocessFlags flags = G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE |
                           (stdin_text ? G_SUBPROCESS_FLAGS_STDIN_PIPE : 0);

  run->process = spawn (env ? env : own_env, stdin_text, flags, args);
  g_subprocess_communicate_utf8_async (run->process, stdin_text, NULL, on_communicated, run);
  test_wait_until (run_done, run);
  g_assert_true (g_subprocess_get_if_exited (run->process));
  return run;
}

#define run_cli(...) run_cli_full (NULL, NULL, (const char *const[]){ __VA_ARGS__, NULL })

static int
exit_status (Run *run)
{
  return g_subprocess_get_exit_status (run->process);
}

/* Long-running: stdout read line by line. */

static void read_next_line (Run *run);

static void
on_line (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Run               *run = user_data;
  g_autoptr (GError) error = NULL;
  char *line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result,
                                                          NULL, &error);

  g_assert_no_error (error);
  if (line == NULL)
    {
      run->eof = TRUE;
      return;
    }
  g_queue_push_tail (&run->lines, line);
  read_next_line (run);
}

static void
read_next_line (Run *run)
{
  g_data_input_stream_read_line_async (run->out, G_PRIORITY_DEFAULT, NULL, on_line, run);
}

static Run *
start_cli (const char *const *args)
{
  Run *run = g_new0 (Run, 1);
  g_auto (GStrv) env = cli_environ ();

  run->process = spawn (env, NULL, G_SUBPROCESS_FLAGS_STDOUT_PIPE, args);
  run->out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (run->process));
  read_next_line (run);
  return run;
}

typedef struct
{
  Run        *run;
  const char *needles[4];
  char       *found;
} LineWait;

/* Takes lines until one holds every needle (or stdout ends). */
static gboolean
line_found (gpointer data)
{
  LineWait *w = data;

  while (!g_queue_is_empty (&w->run->lines))
    {
      g_autofree char *line = g_queue_pop_head (&w->run->lines);
      gboolean         all = TRUE;

      for (guint i = 0; i < G_N_ELEMENTS (w->needles) && w->needles[i] != NULL; i++)
        all = all && strstr (line, w->needles[i]) != NULL;
      if (all)
        {
          w->found = g_steal_pointer (&line);
          return TRUE;
        }
    }
  return w->run->eof;
}

/* Waits for the next line of stdout holding all the needles; fails the test if stdout
 * ends first. */
#define wait_line(run, ...) wait_line_for ((run), (const char *[4]){ __VA_ARGS__ })

static char *
wait_line_for (Run *run, const char *needles[4])
{
  LineWait w = { run, { needles[0], needles[1], needles[2], needles[3] }, NULL };

  test_wait_until (line_found, &w);
  if (w.found == NULL)
    g_error ("beacon-cli's output ended without a line holding \"%s\"", needles[0]);
  return w.found;
}

static gboolean
has_exited (gpointer data)
{
  return ((Run *) data)->eof;
}

/* SIGTERM, as a status bar quitting would; beacon-cli exits 0. */
static void
stop_cli (Run *run)
{
  g_autoptr (GError) error = NULL;

  g_subprocess_send_signal (run->process, SIGTERM);
  test_wait_until (has_exited, run);
  g_subprocess_wait (run->process, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (run->process));
  g_assert_cmpint (g_subprocess_get_exit_status (run->process), ==, 0);
}

/* The tests */

static void
test_usage (void)
{
  const char *const *const cases[] = {
    (const char *const[]){ NULL },
    (const char *const[]){ "dance", NULL },
    (const char *const[]){ "status", "sleeping", NULL },
    (const char *const[]){ "status", NULL },
    (const char *const[]){ "send", "b", "   ", NULL },
    (const char *const[]){ "send", "b", NULL },
    (const char *const[]){ "who", "--guest", NULL },
    (const char *const[]){ "status", "away", "--json", NULL },
    (const char *const[]){ "--frobnicate", "who", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (Run) run = run_cli_full (NULL, NULL, cases[i]);

      g_assert_cmpint (exit_status (run), ==, 2);
      g_assert_true (g_str_has_prefix (run->stderr_text, "beacon-cli: "));
    }
  {
    g_autoptr (Run) run = run_cli ("--help");

    g_assert_cmpint (exit_status (run), ==, 0);
    g_assert_nonnull (strstr (run->stdout_text, "4  the server cannot be reached"));
  }
}

static void
test_unreachable (void)
{
  /* A port nobody listens on: a server started and stopped. */
  TestServer      *server = test_server_start (test_default_world, NULL);
  g_autofree char *url = g_strdup (server->base_url);
  g_autofree char *token = test_server_token (server, "a", 3600);

  test_server_free (server);
  {
    g_autoptr (Run) run = run_cli ("--server", url, "--token", token, "who");

    g_assert_cmpint (exit_status (run), ==, 4);
    g_assert_nonnull (strstr (run->stderr_text, url));
    g_assert_nonnull (strstr (run->stderr_text, "Cannot reach the server"));
  }
  {
    g_autoptr (Run) run = run_cli ("--server", url, "watch", "--guest");

    g_assert_cmpint (exit_status (run), ==, 4);
    g_assert_nonnull (strstr (run->stderr_text, "Cannot reach the server"));
  }
  {
    /* Over a signed-in session: the first connection failing ends it, no retry loop. */
    g_autoptr (Run) run = run_cli ("--server", url, "--token", token, "send", "b", "hello");

    g_assert_cmpint (exit_status (run), ==, 4);
    g_assert_nonnull (strstr (run->stderr_text, "Cannot reach the server"));
  }
}

static void
test_bad_token (void)
{
  TestServer *server = test_server_start (test_default_world, NULL);

  {
    g_autoptr (Run) run = run_cli ("--server", server->base_url, "--token", "garbage", "who");

    g_assert_cmpint (exit_status (run), ==, 3);
    g_assert_nonnull (strstr (run->stderr_text, "beacon-cli login"));
  }
  {
    g_autoptr (Run) run =
        run_cli ("--server", server->base_url, "--token", "garbage", "status", "away");

    g_assert_cmpint (exit_status (run), ==, 3);
  }
  {
    /* Refused on the socket's CONNECT. */
    g_autoptr (Run) run = run_cli ("--server", server->base_url, "--token", "garbage", "watch");

    g_assert_cmpint (exit_status (run), ==, 3);
    g_assert_nonnull (strstr (run->stderr_text, "beacon-cli login"));
  }
  test_server_free (server);
}

static void
test_who (void)
{
  TestServer      *server = test_server_start (test_default_world, NULL);
  g_autofree char *token = test_server_token (server, "a", 3600);
  TestClient      *ben = test_client_connect_user (server, "b");

  {
    g_autoptr (Run) run = run_cli ("--server", server->base_url, "--token", token, "who");

    g_assert_cmpint (exit_status (run), ==, 0);
    /* Online first. */
    g_assert_true (g_str_has_prefix (run->stdout_text, "Ben (b): Active\n"));
    g_assert_nonnull (strstr (run->stdout_text, "Cat (c): Offline\n"));
    g_assert_null (strstr (run->stdout_text, "Dan")); /* not a contact */
  }
  {
    /* The token from the environment, and JSON. */
    g_auto (GStrv) env = g_environ_setenv (cli_environ (), "BEACON_TOKEN", token, TRUE);
    g_autoptr (Run) run = run_cli_full (
        env, NULL, (const char *const[]){ "--server", server->base_url, "who", "--json", NULL });

    g_assert_cmpint (exit_status (run), ==, 0);
    g_assert_true (g_str_has_prefix (
        run->stdout_text, "{\"id\":\"b\",\"name\":\"Ben\",\"status\":\"online\",\"custom_message\":"
                          "null,\"chatting_with_me\":false,\"last_seen\":null}\n"));
  }
  test_client_free (ben);
  test_server_free (server);
}

static void
test_watch (void)
{
  TestServer      *server = test_server_start (test_default_world, NULL);
  g_autofree char *token = test_server_token (server, "a", 3600);
  g_autoptr (Run)  run = start_cli ((const char *const[]){ "--server", server->base_url, "--token",
                                                           token, "watch", "--json", NULL });
  g_autofree char *before = NULL;
  g_autofree char *online = NULL;
  g_autofree char *away = NULL;
  TestClient      *ben;

  /* Ben offline in the first picture, then online as he connects. */
  before = wait_line (run, "\"id\":\"b\"", "\"status\":\"offline\"");
  ben = test_client_connect_user (server, "b");
  online = wait_line (run, "\"id\":\"b\"", "\"status\":\"online\"");
  g_assert_cmpstr (online, ==,
                   "{\"id\":\"b\",\"name\":\"Ben\",\"status\":\"online\",\"custom_message\":null,"
                   "\"chatting_with_me\":false,\"last_seen\":null}");
  test_client_emit (ben, "update_status", "{\"status\":\"away\",\"message\":\"At lunch\"}", FALSE);
  away = wait_line (run, "\"id\":\"b\"", "\"status\":\"away\"", "\"At lunch\"");

  stop_cli (run);
  test_client_free (ben);
  test_server_free (server);
}

static void
test_watch_guest (void)
{
  TestServer     *server = test_server_start (test_default_world, fast_guests);
  g_autoptr (Run) run =
      start_cli ((const char *const[]){ "--server", server->base_url, "watch", "--guest", NULL });
  g_autofree char *before = NULL;
  g_autofree char *online = NULL;
  g_autofree char *offline = NULL;
  TestClient      *fay;

  before = wait_line (run, "Fay (f): Offline");
  fay = test_client_connect_user (server, "f");
  online = wait_line (run, "Fay (f): Online");
  /* A client coming online is nothing a guest sees; Fay leaving is. */
  test_client_free (test_client_connect_user (server, "a"));
  test_client_free (fay);
  offline = wait_line (run, "Fay (f): ");
  g_assert_cmpstr (offline, ==, "Fay (f): Offline");

  stop_cli (run);
  test_server_free (server);
}

static void
test_status (void)
{
  TestServer      *server = test_server_start (test_default_world, NULL);
  g_autofree char *token = test_server_token (server, "a", 3600);
  TestClient      *ann = test_client_connect_user (server, "a");
  TestClient      *ben = test_client_connect_user (server, "b");
  g_autoptr (Run)  run =
      run_cli ("--server", server->base_url, "--token", token, "status", "away", "At lunch");

  g_assert_cmpint (exit_status (run), ==, 0);
  g_assert_cmpstr (run->stdout_text, ==, "Your status is now away: At lunch\n");
  /* What Ben sees of Ann changes. */
  {
    g_autoptr (JsonNode) record = test_client_wait_status (ben, "a", "away");

    g_assert_cmpstr (test_json_string (record, "custom_message"), ==, "At lunch");
  }
  test_client_free (ben);
  test_client_free (ann);
  test_server_free (server);
}

static void
test_send (void)
{
  TestServer      *server = test_server_start (test_default_world, NULL);
  g_autofree char *token = test_server_token (server, "a", 3600);
  TestClient      *ben = test_client_connect_user (server, "b");

  {
    g_autoptr (Run)      run = run_cli ("--server", server->base_url, "--token", token, "send", "b",
                                        "Hello from a script");
    g_autoptr (JsonNode) event = NULL;

    g_assert_cmpint (exit_status (run), ==, 0);
    event = test_client_wait_event (ben, "new_message");
    g_assert_cmpstr (
        test_json_string (json_object_get_member (json_node_get_object (event), "message"),
                          "content"),
        ==, "Hello from a script");
  }
  {
    g_autoptr (Run) run =
        run_cli ("--server", server->base_url, "--token", token, "send", "nobody", "Hello?");

    g_assert_cmpint (exit_status (run), ==, 1);
    g_assert_nonnull (strstr (run->stderr_text, "nobody"));
  }
  test_client_free (ben);
  test_server_free (server);
}

static void
test_login (void)
{
  TestServer *server = test_server_start (test_default_world, NULL);

  {
    /* Nothing in the keyring for this server yet. */
    g_autoptr (Run) run = run_cli ("--server", server->base_url, "who");

    g_assert_cmpint (exit_status (run), ==, 3);
    g_assert_nonnull (strstr (run->stderr_text, "Not signed in"));
  }
  {
    g_autoptr (Run) run = run_cli_full (
        NULL, "nope\n",
        (const char *const[]){ "--server", server->base_url, "login", "a@test", NULL });

    g_assert_cmpint (exit_status (run), ==, 3);
    g_assert_nonnull (strstr (run->stderr_text, "Wrong email or password"));
  }
  {
    /* The password from a pipe. */
    g_autoptr (Run) run = run_cli_full (
        NULL, "pw\n",
        (const char *const[]){ "--server", server->base_url, "login", "a@test", NULL });

    g_assert_cmpint (exit_status (run), ==, 0);
  }
  {
    /* Now the keyring has the token. */
    g_autoptr (Run) run = run_cli ("--server", server->base_url, "who");

    g_assert_cmpint (exit_status (run), ==, 0);
    g_assert_nonnull (strstr (run->stdout_text, "Ben (b): "));
  }
  test_server_free (server);
}

/* Writes a GSettings keyfile naming url as the server, and returns an environment using it
 * with the compiled schema of the build. */
static char **
settings_environ (const char *dir, const char *url)
{
  g_autofree char   *settings_dir = g_build_filename (dir, "glib-2.0", "settings", NULL);
  g_autofree char   *keyfile = g_build_filename (settings_dir, "keyfile", NULL);
  g_autofree char   *contents = g_strdup_printf ("[org/beaconim/Beacon]\nserver-url='%s'\n", url);
  g_autoptr (GError) error = NULL;
  char             **env = cli_environ ();

  g_assert_cmpint (g_mkdir_with_parents (settings_dir, 0700), ==, 0);
  g_file_set_contents (keyfile, contents, -1, &error);
  g_assert_no_error (error);
  env = g_environ_setenv (env, "GSETTINGS_SCHEMA_DIR", g_getenv ("BEACON_SCHEMAS_DIR"), TRUE);
  env = g_environ_setenv (env, "GSETTINGS_BACKEND", "keyfile", TRUE);
  return g_environ_setenv (env, "XDG_CONFIG_HOME", dir, TRUE);
}

static void
remove_settings (const char *dir)
{
  g_autofree char *settings_dir = g_build_filename (dir, "glib-2.0", "settings", NULL);
  g_autofree char *keyfile = g_build_filename (settings_dir, "keyfile", NULL);
  g_autofree char *glib_dir = g_build_filename (dir, "glib-2.0", NULL);

  g_unlink (keyfile);
  g_rmdir (settings_dir);
  g_rmdir (glib_dir);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

static void
test_default_server (void)
{
  TestServer      *server = test_server_start (test_default_world, NULL);
  g_autofree char *token = test_server_token (server, "a", 3600);
  g_autofree char *dir = g_dir_make_tmp ("beacon-cli-XXXXXX", NULL);
  g_autofree char *empty = g_build_filename (dir, "empty", NULL);

  {
    /* The app's setting names the server. */
    g_auto (GStrv) env = settings_environ (dir, server->base_url);
    g_autoptr (Run) run =
        run_cli_full (env, NULL, (const char *const[]){ "--token", token, "who", NULL });

    g_assert_cmpint (exit_status (run), ==, 0);
    g_assert_nonnull (strstr (run->stdout_text, "Ben (b): "));
  }
  {
    /* No schema installed: no abort, the loopback default (and nothing in the keyring). */
    g_auto (GStrv) env = g_environ_setenv (cli_environ (), "XDG_DATA_DIRS", empty, TRUE);
    g_autoptr (Run) run = NULL;

    env = g_environ_unsetenv (env, "GSETTINGS_SCHEMA_DIR");
    run = run_cli_full (env, NULL, (const char *const[]){ "who", NULL });
    g_assert_cmpint (exit_status (run), ==, 3);
    g_assert_nonnull (strstr (run->stderr_text, "http://127.0.0.1:8080"));
  }
  remove_settings (dir);
  test_server_free (server);
}

int
main (int argc, char *argv[])
{
  g_setenv ("LC_ALL", "C", TRUE);
  g_unsetenv ("LANGUAGE");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cli/usage", test_usage);
  g_test_add_func ("/cli/unreachable", test_unreachable);
  g_test_add_func ("/cli/bad-token", test_bad_token);
  g_test_add_func ("/cli/who", test_who);
  g_test_add_func ("/cli/watch", test_watch);
  g_test_add_func ("/cli/watch-guest", test_watch_guest);
  g_test_add_func ("/cli/status", test_status);
  g_test_add_func ("/cli/send", test_send);
  g_test_add_func ("/cli/login", test_login);
  g_test_add_func ("/cli/default-server", test_default_server);

  return g_test_run ();
}

/* test-disk.c: integration tests of beacon-server on a full disk: a small tmpfs, mounted in a
 * private user and mount namespace, holds the database and is filled to ENOSPC and emptied. */

#define _GNU_SOURCE

#include "harness.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sched.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#define DISK_SIZE "4m"

static char *disk_dir;    /* the small file system, or NULL */
static char *skip_reason; /* why there is none */

static gboolean
write_proc (const char *path, const char *text)
{
  int     fd = open (path, O_WRONLY | O_CLOEXEC);
  ssize_t n;

  if (fd < 0)
    return FALSE;
  n = write (fd, text, strlen (text));
  close (fd);
  return n == (ssize_t) strlen (text);
}

/* Enters a new user namespace (as its root) and mount namespace, so that a tmpfs can be
 * mounted without privileges; the servers the tests start inherit both. Must run before any
 * thread exists (unshare refuses CLONE_NEWUSER in a threaded process). NULL, or why not. */
static char *
mount_small_disk (void)
{
  g_autoptr (GError) error = NULL;
  uid_t              uid = geteuid ();
  gid_t              gid = getegid ();

  if (unshare (CLONE_NEWUSER | CLONE_NEWNS) == 0)
    {
      g_autofree char *uid_map = g_strdup_printf ("0 %u 1", (guint) uid);
      g_autofree char *gid_map = g_strdup_printf ("0 %u 1", (guint) gid);

      if (!write_proc ("/proc/self/setgroups", "deny") ||
          !write_proc ("/proc/self/uid_map", uid_map) ||
          !write_proc ("/proc/self/gid_map", gid_map))
        return g_strdup_printf ("could not map the user into a new user namespace: %s",
                                g_strerror (errno));
    }
  else
    {
      int saved = errno;

      /* Root where user namespaces are forbidden (a container) may still have its own mounts. */
      if (uid != 0 || unshare (CLONE_NEWNS) != 0)
        return g_strdup_printf ("no user and mount namespace for a tmpfs (unshare: %s): user "
                                "namespaces are disabled or forbidden here",
                                g_strerror (saved));
    }
  if (mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
    return g_strdup_printf ("could not make / private in the new mount namespace: %s",
                            g_strerror (errno));
  if ((disk_dir = g_dir_make_tmp ("beacon-disk-XXXXXX", &error)) == NULL)
    return g_strdup (error->message);
  if (mount ("tmpfs", disk_dir, "tmpfs", MS_NOSUID | MS_NODEV, "size=" DISK_SIZE ",mode=0700") != 0)
    {
      g_autofree char *reason =
          g_strdup_printf ("could not mount a tmpfs on %s: %s", disk_dir, g_strerror (errno));

      g_rmdir (disk_dir);
      g_clear_pointer (&disk_dir, g_free);
      return g_steal_pointer (&reason);
    }
  return NULL;
}

static gboolean
no_disk (void)
{
  if (skip_reason)
    g_test_skip (skip_reason);
  return skip_reason != NULL;
}

static TestServer *
start_on_disk (gboolean log_stderr)
{
  TestServerOptions options = { .db_dir = disk_dir, .log_stderr = log_stderr };

  return test_server_start_with (test_default_world, NULL, &options);
}

static char *
filler_path (void)
{
  return g_build_filename (disk_dir, "filler", NULL);
}

/* Writes a file on the small disk until the kernel says it is full. */
static void
fill_disk (void)
{
  static const char block[65536];
  g_autofree char  *path = filler_path ();
  int               fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

  g_assert_cmpint (fd, >=, 0);
  for (;;)
    {
      if (write (fd, block, sizeof block) >= 0 || errno == EINTR)
        continue;
      g_assert_cmpint (errno, ==, ENOSPC);
      break;
    }
  close (fd);
}

static void
free_disk (void)
{
  g_autofree char *path = filler_path ();

  g_assert_cmpint (g_unlink (path), ==, 0);
}

/* The first column of the first row of a query on the database, read beside the server. */
static char *
db_query (TestServer *server, const char *sql)
{
  sqlite3      *db = NULL;
  sqlite3_stmt *stmt = NULL;
  char         *value = NULL;

  g_assert_cmpint (sqlite3_open_v2 (server->db, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_type (stmt, 0) != SQLITE_NULL)
    value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

/* Nothing half-written anywhere: SQLite's own checks and no row pointing nowhere. */
static void
assert_db_sound (TestServer *server)
{
  g_autofree char *integrity = db_query (server, "PRAGMA integrity_check");
  g_autofree char *dangling = db_query (server, "PRAGMA foreign_key_check");

  g_assert_cmpstr (integrity, ==, "ok");
  g_assert_null (dangling);
}

static void
assert_heartbeat (TestClient *client)
{
  g_autoptr (JsonNode) ack =
      test_client_wait_ack (client, test_client_emit (client, "heartbeat", NULL, TRUE));

  g_assert_true (test_json_bool (ack, "ok"));
}

static JsonArray *
history (TestServer *server, const char *token, const char *conv, JsonNode **node)
{
  g_autofree char *path = g_strdup_printf ("/api/conversations/%s/messages", conv);

  g_assert_cmpuint (test_rest (server, "GET", path, token, NULL, node), ==, 200);
  return json_node_get_array (*node);
}

static guint
count_in_log (TestServer *server, const char *needle)
{
  g_autofree char *log = test_server_log (server);
  guint            n = 0;

  for (const char *p = log; (p = strstr (p, needle)); p += strlen (needle))
    n++;
  return n;
}

static void
assert_refused (JsonNode *ack, const char *message)
{
  g_assert_false (test_json_bool (ack, "ok"));
  g_assert_cmpstr (test_json_error (ack, "code"), ==, "internal");
  g_assert_cmpstr (test_json_error (ack, "message"), ==, message);
}

/* Cases 1 and 2: messages sent while the disk is full are refused with "internal" (and logged
 * within a limit, not one warning each), nothing of them is stored or delivered, a mark_read
 * is refused the same way, both users' sockets keep working; once there is room again the
 * same send is stored, once. */
static void
test_send_message (void)
{
  TestServer          *server;
  TestClient          *a, *b;
  g_autofree char     *token_a = NULL;
  g_autofree char     *conv = NULL;
  g_autofree char     *payload = NULL;
  g_autofree char     *mark = NULL;
  g_autoptr (JsonNode) first = NULL;
  g_autoptr (JsonNode) delivered = NULL;
  g_autoptr (JsonNode) unread = NULL;
  g_autoptr (JsonNode) away = NULL;
  g_autoptr (JsonNode) busy = NULL;
  g_autoptr (JsonNode) before = NULL;
  g_autoptr (JsonNode) health = NULL;
  g_autofree char     *count = NULL;
  JsonArray           *messages;
  gint64               last = 0;

  if (no_disk ())
    return;
  server = start_on_disk (TRUE);
  token_a = test_server_token (server, "a", 3600);
  conv = test_conversation_open (server, token_a, "b");
  payload = g_strdup_printf (
      "{\"conversationId\":\"%s\",\"content\":\"Sent on a full disk\",\"clientMessageId\":\"m1\"}",
      conv);
  a = test_client_connect_user (server, "a");
  b = test_client_connect_user (server, "b");
  test_client_wait_online (a, "b");
  {
    g_autofree char *hello =
        g_strdup_printf ("{\"conversationId\":\"%s\",\"content\":\"Before\"}", conv);

    first = test_client_wait_ack (a, test_client_emit (a, "send_message", hello, TRUE));
    g_assert_true (test_json_bool (first, "ok"));
    delivered = test_client_wait_event (b, "new_message");
    test_client_clear (a, "message:sent");
  }
  mark = g_strdup_printf (
      "{\"conversationId\":\"%s\",\"upTo\":\"%s\"}", conv,
      json_object_get_string_member (
          json_object_get_object_member (json_node_get_object (first), "message"), "id"));

  fill_disk ();
  for (guint i = 0; i < 25; i++)
    last = test_client_emit (a, "send_message", payload, TRUE);
  for (gint64 id = last - 24; id <= last; id++)
    {
      g_autoptr (JsonNode) refused = test_client_wait_ack (a, id);

      assert_refused (refused, "the message could not be stored");
    }
  g_assert_cmpuint (count_in_log (server, "storing a message failed"), >=, 1);
  g_assert_cmpuint (count_in_log (server, "storing a message failed"), <=, 10);
  unread = test_client_wait_ack (b, test_client_emit (b, "mark_read", mark, TRUE));
  assert_refused (unread, "storage failed");

  /* Presence still fans out both ways, each change after anything the refused events had
   * sent the other side. */
  test_client_emit (a, "update_status", "\"away\"", FALSE);
  away = test_client_wait_status (b, "a", "away");
  g_assert_null (test_client_try_event (b, "new_message", 0));
  test_client_emit (b, "update_status", "\"busy\"", FALSE);
  busy = test_client_wait_status (a, "b", "busy");
  g_assert_null (test_client_try_event (a, "message:read", 0));
  g_assert_null (test_client_try_event (a, "message:sent", 0));
  assert_heartbeat (a);
  assert_heartbeat (b);
  g_assert_cmpuint (test_rest (server, "GET", "/healthz", NULL, NULL, &health), ==, 200);
  g_assert_false (a->closed || b->closed);

  free_disk ();
  messages = history (server, token_a, conv, &before);
  g_assert_cmpuint (json_array_get_length (messages), ==, 1);
  g_assert_true (
      json_object_get_null_member (json_array_get_object_element (messages, 0), "readAt"));
  count = db_query (server, "SELECT count(*) FROM messages");
  g_assert_cmpstr (count, ==, "1");
  assert_db_sound (server);

  /* Case 2: room again, the same send goes through and is stored once. */
  {
    g_autoptr (JsonNode) ack =
        test_client_wait_ack (a, test_client_emit (a, "send_message", payload, TRUE));
    g_autoptr (JsonNode) received = test_client_wait_event (b, "new_message");
    g_autoptr (JsonNode) stored = NULL;

    g_assert_true (test_json_bool (ack, "ok"));
    g_assert_cmpstr (test_json_string (received, "conversationId"), ==, conv);
    messages = history (server, token_a, conv, &stored);
    g_assert_cmpuint (json_array_get_length (messages), ==, 2);
    g_assert_cmpstr (
        json_object_get_string_member (json_array_get_object_element (messages, 1), "content"), ==,
        "Sent on a full disk");
  }
  assert_db_sound (server);

  test_client_free (b);
  test_client_free (a);
  test_server_free (server);
}

/* beacon_presence_flush_failures_total from /metrics. */
static guint
flush_failures (TestServer *server)
{
  static const char name[] = "\nbeacon_presence_flush_failures_total ";
  g_autofree char  *text = test_server_metrics (server);
  const char       *at = strstr (text, name);

  g_assert_nonnull (at);
  return (guint) g_ascii_strtoull (at + strlen (name), NULL, 10);
}

static gboolean
flush_failed_thrice (gpointer data)
{
  return flush_failures (data) >= 3;
}

static gboolean
flush_recovered (gpointer data)
{
  return count_in_log (data, "saving presence works again") == 1;
}

static gboolean
b_saved (gpointer data)
{
  g_autofree char *saved =
      db_query (data, "SELECT 1 FROM presence WHERE user_id = 'b' AND chosen_status = 'busy'"
                      " AND custom_message = 'Disk full' AND last_seen IS NOT NULL");

  return saved != NULL;
}

/* Case 3: a status change, a settings change and a disconnect made while the disk is full are
 * kept while the once-a-second flush fails (warned about once, not every second), written
 * when there is room again, and survive a restart. */
static void
test_presence_kept (void)
{
  TestServer          *server;
  TestClient          *a, *b;
  g_autofree char     *token_a = NULL;
  g_autofree char     *token_b = NULL;
  g_autoptr (JsonNode) busy = NULL;
  g_autoptr (JsonNode) settings = NULL;
  g_autoptr (JsonNode) offline = NULL;
  g_autoptr (JsonNode) after = NULL;
  g_autoptr (JsonNode) me = NULL;
  g_autoptr (JsonNode) kept_settings = NULL;

  if (no_disk ())
    return;
  server = start_on_disk (TRUE);
  token_a = test_server_token (server, "a", 3600);
  token_b = test_server_token (server, "b", 3600);
  a = test_client_connect_user (server, "a");
  b = test_client_connect_user (server, "b");
  test_client_wait_online (a, "b");

  fill_disk ();
  busy = test_client_wait_ack (
      b, test_client_emit (b, "update_status", "{\"status\":\"busy\",\"message\":\"Disk full\"}",
                           TRUE));
  g_assert_true (test_json_bool (busy, "ok"));
  g_assert_cmpuint (test_rest (server, "PATCH", "/api/users/presence/settings", token_a,
                               "{\"show_last_seen\":\"contacts\"}", &settings),
                    ==, 200);
  test_client_free (b);
  offline = test_client_wait_status (a, "b", "offline");
  g_assert_nonnull (test_json_string (offline, "last_seen"));

  /* Retried every second, with one warning. */
  test_wait_until (flush_failed_thrice, server);
  g_assert_cmpuint (count_in_log (server, "saving presence failed"), ==, 1);
  g_assert_false (b_saved (server));

  free_disk ();
  test_wait_until (b_saved, server);
  test_wait_until (flush_recovered, server);
  test_client_free (a);

  test_server_restart (server); /* SIGTERM: exits 0 */
  g_assert_cmpuint (test_rest (server, "GET", "/api/users/presence/b", token_a, NULL, &after), ==,
                    200);
  g_assert_cmpstr (test_json_string (after, "status"), ==, "offline");
  g_assert_cmpstr (test_json_string (after, "last_seen"), ==,
                   test_json_string (offline, "last_seen"));
  g_assert_cmpstr (test_json_string (after, "custom_message"), ==, "Disk full");
  g_assert_cmpuint (test_rest (server, "GET", "/api/me", token_b, NULL, &me), ==, 200);
  g_assert_cmpstr (test_json_string (me, "status"), ==, "busy");
  g_assert_cmpuint (
      test_rest (server, "GET", "/api/users/presence/settings", token_a, NULL, &kept_settings), ==,
      200);
  g_assert_cmpstr (test_json_string (kept_settings, "show_last_seen"), ==, "contacts");

  test_server_free (server);
}

/* SIGTERM while the disk is full: the server still exits 0, says that the change it could not
 * save is lost (not "kept for the next try": there is none), and the database is fine when it
 * starts again. */
static void
test_shutdown_while_full (void)
{
  TestServer          *server;
  TestClient          *b;
  g_autofree char     *token_b = NULL;
  g_autoptr (JsonNode) busy = NULL;
  g_autoptr (JsonNode) me = NULL;

  if (no_disk ())
    return;
  server = start_on_disk (TRUE);
  token_b = test_server_token (server, "b", 3600);
  b = test_client_connect_user (server, "b");

  fill_disk ();
  busy = test_client_wait_ack (
      b, test_client_emit (b, "update_status", "{\"status\":\"busy\",\"message\":\"Lost\"}", TRUE));
  g_assert_true (test_json_bool (busy, "ok"));
  test_server_stop (server); /* exits 0 */
  g_assert_cmpuint (count_in_log (server, "saving presence at shutdown failed, the changes not "
                                          "saved yet are lost"),
                    ==, 1);
  test_client_wait_closed (b);

  free_disk ();
  test_server_restart (server);
  g_assert_cmpuint (test_rest (server, "GET", "/api/me", token_b, NULL, &me), ==, 200);
  g_assert_cmpstr (test_json_string (me, "status"), ==, "online");
  assert_db_sound (server);

  test_client_free (b);
  test_server_free (server);
}

/* Case 4: REST on a full disk. Reads and sign-in work; a write that must reach the disk at
 * once (a new conversation) is a 500 with the error shape of PROTOCOL.md 6 and leaves nothing
 * behind; a presence write is taken (it is saved by the flush, as in case 3). */
static void
test_rest_writes (void)
{
  TestServer          *server;
  g_autofree char     *token_a = NULL;
  g_autoptr (JsonNode) login = NULL;
  g_autoptr (JsonNode) refused = NULL;
  g_autoptr (JsonNode) status = NULL;
  g_autoptr (JsonNode) me = NULL;
  g_autoptr (JsonNode) friends = NULL;
  g_autoptr (JsonNode) none = NULL;
  g_autoptr (JsonNode) one = NULL;
  g_autofree char     *friends_text = NULL;
  g_autofree char     *conv = NULL;

  if (no_disk ())
    return;
  server = start_on_disk (FALSE);
  token_a = test_server_token (server, "a", 3600);

  fill_disk ();
  g_assert_cmpuint (test_rest (server, "POST", "/api/auth/login", NULL,
                               "{\"email\":\"a@test\",\"password\":\"pw\"}", &login),
                    ==, 200);
  g_assert_nonnull (test_json_string (login, "token"));
  g_assert_cmpuint (
      test_rest (server, "POST", "/api/conversations", token_a, "{\"partner_id\":\"d\"}", &refused),
      ==, 500);
  g_assert_cmpstr (test_json_error (refused, "code"), ==, "internal");
  g_assert_cmpstr (test_json_error (refused, "message"), ==, "opening the conversation failed");
  g_assert_cmpuint (test_rest (server, "PATCH", "/api/users/presence/status", token_a,
                               "{\"status\":\"away\",\"custom_message\":\"Full\"}", &status),
                    ==, 200);
  g_assert_cmpuint (test_rest (server, "GET", "/api/me", token_a, NULL, &me), ==, 200);
  g_assert_cmpstr (test_json_string (me, "status"), ==, "away");
  /* The refused conversation made no contact. */
  g_assert_cmpuint (test_rest (server, "GET", "/api/friends", token_a, NULL, &friends), ==, 200);
  friends_text = test_json_text (friends);
  g_assert_null (strstr (friends_text, "\"d\""));

  free_disk ();
  g_assert_cmpuint (test_rest (server, "GET", "/api/conversations", token_a, NULL, &none), ==, 200);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (none)), ==, 0);
  assert_db_sound (server);
  conv = test_conversation_open (server, token_a, "d");
  g_assert_cmpuint (test_rest (server, "GET", "/api/conversations", token_a, NULL, &one), ==, 200);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (one)), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (
                       json_array_get_object_element (json_node_get_array (one), 0), "id"),
                   ==, conv);

  test_server_free (server);
}

/* Case 5: "admin user-add" on a full disk fails with a clear message and exit status 1, next
 * to the running server; the database stays usable and without the user. */
static void
test_admin (void)
{
  TestServer          *server;
  g_autofree char     *password_file = NULL;
  g_autofree char     *out = NULL;
  g_autofree char     *err = NULL;
  g_autofree char     *list = NULL;
  g_autofree char     *list_err = NULL;
  g_autoptr (JsonNode) health = NULL;
  g_autoptr (GError)   error = NULL;
  const char          *add[] = {
             "user-add", "--email",         "new@test",          "--name", "New", "--role",
             "CLIENT",   "--password-file", NULL /* the file */, NULL
  };
  const char *user_list[] = { "user-list", NULL };

  if (no_disk ())
    return;
  server = start_on_disk (FALSE);
  password_file = g_build_filename (server->dir, "password", NULL);
  g_file_set_contents (password_file, "secret-pw\n", -1, &error);
  g_assert_no_error (error);
  add[8] = password_file;

  fill_disk ();
  g_assert_cmpint (test_server_admin (server, add, &out, &err), ==, 1);
  g_assert_true (g_str_has_prefix (err, "beacon-server admin: "));
  g_assert_nonnull (strstr (err, "database or disk is full"));
  g_assert_cmpstr (out, ==, "");
  g_assert_cmpuint (test_rest (server, "GET", "/healthz", NULL, NULL, &health), ==, 200);

  free_disk ();
  g_assert_cmpint (test_server_admin (server, user_list, &list, &list_err), ==, 0);
  g_assert_nonnull (strstr (list, "a@test"));
  g_assert_null (strstr (list, "new@test"));
  assert_db_sound (server);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (test_server_admin (server, add, &out, &err), ==, 0);
  g_assert_nonnull (strstr (out, "new@test"));

  test_server_free (server);
}

/* Opening the database on a full disk (no server has it open, so SQLite must create its WAL
 * index): a clear message that names the cause, and all is well once there is room. */
static void
test_open_while_full (void)
{
  TestServer          *server;
  g_autofree char     *out = NULL;
  g_autofree char     *err = NULL;
  g_autofree char     *list = NULL;
  g_autoptr (JsonNode) health = NULL;
  const char          *user_list[] = { "user-list", NULL };

  if (no_disk ())
    return;
  server = start_on_disk (FALSE);
  test_server_stop (server);

  fill_disk ();
  g_assert_cmpint (test_server_admin (server, user_list, &out, &err), ==, 1);
  g_assert_true (g_str_has_prefix (err, "beacon-server admin: "));
  g_assert_nonnull (strstr (err, g_strerror (ENOSPC)));
  g_assert_cmpstr (out, ==, "");

  free_disk ();
  g_assert_cmpint (test_server_admin (server, user_list, &list, NULL), ==, 0);
  g_assert_nonnull (strstr (list, "a@test"));
  test_server_restart (server);
  g_assert_cmpuint (test_rest (server, "GET", "/healthz", NULL, NULL, &health), ==, 200);
  assert_db_sound (server);

  test_server_free (server);
}

/* A first start with the token secret's file on a full disk (the database elsewhere): the new
 * secret cannot be written. The server says so and leaves no empty secret file behind for the
 * next start to refuse. */
static void
test_secret_while_full (void)
{
  g_autofree char        *dir = NULL;
  g_autofree char        *db = NULL;
  g_autofree char        *secret = NULL;
  g_autofree char        *err = NULL;
  g_autoptr (GSubprocess) proc = NULL;
  g_autoptr (GError)      error = NULL;

  if (no_disk ())
    return;
  dir = g_dir_make_tmp ("beacon-secret-XXXXXX", &error);
  g_assert_no_error (error);
  db = g_build_filename (dir, "beacon.db", NULL);
  secret = g_build_filename (disk_dir, "new.secret", NULL);

  fill_disk ();
  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                           &error, g_getenv ("BEACON_SERVER"), "--listen", "127.0.0.1:0", "--db",
                           db, "--jwt-secret-file", secret, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, NULL, &err, &error);
  g_assert_no_error (error);
  g_assert_false (g_subprocess_get_successful (proc));
  g_assert_nonnull (strstr (err, secret));
  g_assert_nonnull (strstr (err, g_strerror (ENOSPC)));
  g_assert_false (g_file_test (secret, G_FILE_TEST_EXISTS));
  free_disk ();

  test_remove_tree (dir);
}

int
main (int argc, char *argv[])
{
  int status;

  skip_reason = mount_small_disk ();
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/disk/send-message", test_send_message);
  g_test_add_func ("/disk/presence-kept", test_presence_kept);
  g_test_add_func ("/disk/shutdown-while-full", test_shutdown_while_full);
  g_test_add_func ("/disk/rest-writes", test_rest_writes);
  g_test_add_func ("/disk/admin", test_admin);
  g_test_add_func ("/disk/open-while-full", test_open_while_full);
  g_test_add_func ("/disk/secret-while-full", test_secret_while_full);

  status = g_test_run ();
  if (disk_dir)
    {
      umount2 (disk_dir, MNT_DETACH);
      g_rmdir (disk_dir);
    }
  g_free (disk_dir);
  g_free (skip_reason);
  return status;
}

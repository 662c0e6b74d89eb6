/* test-interop-variants.c: the client library against Node backends on the stock socket.io@4
 * server (tests/interop/variants), each written as a different real backend (PROTOCOL.md 9). */

#include "config.h"

#include <libsoup/soup.h>

#include "beacon-session.h"
#include "harness.h"

/* Passed where a contact's field is not checked. */
#define ANY -1

/* A variant backend: `node tests/interop/variants/NAME-server.js`, which prints its port. */
typedef struct
{
  GSubprocess *process;
  guint        port;
  char        *url;
  SoupSession *control;
} Backend;

static char *
node_path (void)
{
  const char *node = g_getenv ("NODE");

  return g_find_program_in_path (node ? node : "node");
}

/* The reason to skip, or NULL when node and the npm packages are there. */
static char *
missing_prerequisite (void)
{
  g_autofree char *node = node_path ();
  g_autofree char *package = g_test_build_filename (G_TEST_DIST, "interop", "node_modules",
                                                    "socket.io", "package.json", NULL);

  if (node == NULL)
    return g_strdup ("node is not installed");
  if (!g_file_test (package, G_FILE_TEST_EXISTS))
    return g_strdup ("tests/interop/node_modules is missing: run npm ci there");
  return NULL;
}

static Backend *
backend_start (const char *name)
{
  g_autoptr (GError)           error = NULL;
  g_autofree char             *node = node_path ();
  g_autofree char             *file = g_strdup_printf ("%s-server.js", name);
  g_autofree char             *script = NULL;
  g_autofree char             *line = NULL;
  g_autoptr (GDataInputStream) out = NULL;
  Backend                     *backend = g_new0 (Backend, 1);
  guint64                      port;

  script = g_test_build_filename (G_TEST_DIST, "interop", "variants", file, NULL);
  /* Its standard input stays open while the test runs: the backend exits when it closes,
   * so a test that aborts leaves no server behind. */
  backend->process = g_subprocess_new (
      G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, node, script, NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (backend->process));
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_ascii_string_to_unsigned (line, 10, 1, 65535, &port, NULL));
  backend->port = port;
  backend->url = g_strdup_printf ("http://127.0.0.1:%" G_GUINT64_FORMAT, port);
  backend->control = soup_session_new ();
  return backend;
}

/* Tells the backend to change someone's presence (POST /test/presence, straight to its
 * port: a relay on this blocked main loop could not pass it); it has sent every event of
 * the change when this returns. */
static void
backend_set (Backend *backend, const char *command_json)
{
  g_autoptr (GError) error = NULL;
  g_autofree char   *uri = g_strdup_printf ("http://127.0.0.1:%u/test/presence", backend->port);
  g_autoptr (SoupMessage) msg = soup_message_new (SOUP_METHOD_POST, uri);
  g_autoptr (GBytes)      body = g_bytes_new (command_json, strlen (command_json));
  g_autoptr (GBytes)      answer = NULL;

  soup_message_set_request_body_from_bytes (msg, "application/json", body);
  answer = soup_session_send_and_read (backend->control, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, SOUP_STATUS_OK);
}

static void
backend_free (Backend *backend)
{
  g_autoptr (GError) error = NULL;

  g_subprocess_force_exit (backend->process);
  g_subprocess_wait (backend->process, NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&backend->process);
  g_clear_object (&backend->control);
  g_free (backend->url);
  g_free (backend);
}

/* The signed-in client: a BeaconSession started with the token the backend's login gave. */
typedef struct
{
  BeaconSession       *session;
  BeaconPresenceStore *contacts;
} Client;

static void
on_result (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static gboolean
has_result (gpointer data)
{
  return *(GAsyncResult **) data != NULL;
}

static gboolean
is_online (gpointer data)
{
  return beacon_session_get_state (data) == BEACON_SESSION_STATE_ONLINE;
}

/* Signs Ann in with her password (BeaconApi: the login answer of this backend), then runs
 * a session with the token until it is online: connected and hydrated. */
static Client *
client_start (Backend *backend)
{
  Client                   *client = g_new0 (Client, 1);
  g_autoptr (GError)        error = NULL;
  g_autoptr (GAsyncResult)  result = NULL;
  g_autoptr (BeaconApi)     api = beacon_api_new (backend->url);
  g_autoptr (BeaconApiUser) user = NULL;
  g_autofree char          *token = NULL;

  beacon_api_login_async (api, "ann@example.com", "pw", NULL, on_result, &result);
  test_wait_until (has_result, &result);
  token = beacon_api_login_finish (api, result, &user, &error);
  g_assert_no_error (error);

  client->session = beacon_session_new (backend->url, NULL);
  client->contacts = beacon_session_get_contacts (client->session);
  beacon_session_start_with_token (client->session, token);
  test_wait_until (is_online, client->session);
  /* GET /api/me told the session who it is, as the login did. */
  g_assert_cmpstr (beacon_session_get_user_id (client->session), ==, user->id);
  g_assert_cmpstr (beacon_session_get_user_name (client->session), ==, "Ann");
  return client;
}

static void
client_free (Client *client)
{
  beacon_session_stop (client->session);
  g_assert_finalize_object (client->session);
  g_free (client);
}

/* Waiting for what the client shows */

typedef struct
{
  Client     *client;
  const char *id;
  int         status;         /* BeaconStatus or ANY */
  int         chatting;       /* TRUE, FALSE or ANY */
  gint64      last_seen_ms;   /* epoch ms, or ANY */
  gint64      last_active_ms; /* epoch ms, or ANY */
} Expected;

static gint64
date_ms (GDateTime *dt)
{
  if (dt == NULL)
    return G_MININT64;
  return g_date_time_to_unix (dt) * 1000 + g_date_time_get_microsecond (dt) / 1000;
}

static gboolean
contact_matches (gpointer data)
{
  Expected      *want = data;
  BeaconContact *contact = beacon_presence_store_lookup (want->client->contacts, want->id);

  return contact != NULL &&
         (want->status == ANY || (int) beacon_contact_get_status (contact) == want->status) &&
         (want->chatting == ANY ||
          beacon_contact_get_chatting_with_me (contact) == want->chatting) &&
         (want->last_seen_ms == ANY ||
          date_ms (beacon_contact_get_last_seen (contact)) == want->last_seen_ms) &&
         (want->last_active_ms == ANY ||
          date_ms (beacon_contact_get_last_active (contact)) == want->last_active_ms);
}

/* Waits until the contact shows this (the test fails after 10 s). */
static void
wait_contact (Client     *client,
              const char *id,
              int         status,
              int         chatting,
              gint64      last_seen_ms,
              gint64      last_active_ms)
{
  Expected want = { client, id, status, chatting, last_seen_ms, last_active_ms };

  g_test_message ("waiting for %s: status %d, chatting %d, last seen %" G_GINT64_FORMAT
                  ", last active %" G_GINT64_FORMAT,
                  id, status, chatting, last_seen_ms, last_active_ms);
  test_wait_until (contact_matches, &want);
}

static void
assert_name (Client *client, const char *id, const char *name)
{
  BeaconContact *contact = beacon_presence_store_lookup (client->contacts, id);

  g_assert_nonnull (contact);
  g_assert_cmpstr (beacon_contact_get_name (contact), ==, name);
}

/* Tests */

static gboolean
skip_without_node (void)
{
  g_autofree char *reason = missing_prerequisite ();

  if (reason)
    g_test_skip (reason);
  return reason != NULL;
}

/* Numeric ids, full presence:update snapshots with one entry per socket, a third party in
 * chattingWith, "active" and "dnd", REST hydration with statuses only. */
static void
test_snapshot_backend (void)
{
  Backend *backend;
  Client  *client;

  if (skip_without_node ())
    return;
  backend = backend_start ("snapshot");
  client = client_start (backend);

  assert_name (client, "2", "Ben");
  /* Ben: two devices, "active" chatting with Cat and "away": online, not chatting with Ann,
   * active when his latest device was. */
  wait_contact (client, "2", BEACON_STATUS_ONLINE, FALSE, ANY, 1763892000000);
  wait_contact (client, "4", BEACON_STATUS_BUSY, FALSE, ANY, 1763893000000);
  wait_contact (client, "3", BEACON_STATUS_OFFLINE, FALSE, ANY, ANY);

  backend_set (backend, "{\"user\":3,\"status\":\"active\",\"at\":1763894000000}");
  wait_contact (client, "3", BEACON_STATUS_ONLINE, FALSE, ANY, 1763894000000);

  /* Ben opens the chat with Ann (green), then goes back to Cat's. */
  backend_set (backend, "{\"user\":2,\"chattingWith\":1}");
  wait_contact (client, "2", BEACON_STATUS_ONLINE, TRUE, ANY, ANY);
  g_assert_cmpint (beacon_contact_get_badge (beacon_presence_store_lookup (client->contacts, "2")),
                   ==, BEACON_BADGE_GREEN);
  backend_set (backend, "{\"user\":2,\"chattingWith\":3}");
  wait_contact (client, "2", BEACON_STATUS_ONLINE, FALSE, ANY, ANY);

  /* Dan's device leaves: he vanishes from the next snapshot. */
  backend_set (backend, "{\"user\":4,\"status\":\"offline\"}");
  wait_contact (client, "4", BEACON_STATUS_OFFLINE, FALSE, ANY, ANY);
  g_assert_cmpint (beacon_contact_get_status (beacon_presence_store_lookup (client->contacts, "3")),
                   ==, BEACON_STATUS_ONLINE);

  client_free (client);
  backend_free (backend);
}

/* String ids, bare presence_updated and presence_info records with ISO-8601 times and
 * "dnd", hydration records without versions. */
static void
test_records_backend (void)
{
  const char           *ben = "65a1f0c2e4b0a1b2c3d4e5f1";
  const char           *cat = "65a1f0c2e4b0a1b2c3d4e5f2";
  const char           *dan = "65a1f0c2e4b0a1b2c3d4e5f3";
  g_autoptr (JsonArray) args = json_array_new ();
  g_autoptr (JsonArray) ids = json_array_new ();
  Backend              *backend;
  Client               *client;

  if (skip_without_node ())
    return;
  backend = backend_start ("records");
  client = client_start (backend);

  assert_name (client, cat, "Cat");
  wait_contact (client, ben, BEACON_STATUS_ONLINE, ANY, ANY, ANY);
  /* 2026-11-23T09:15:00.000Z */
  wait_contact (client, cat, BEACON_STATUS_OFFLINE, ANY, 1795425300000, ANY);
  wait_contact (client, dan, BEACON_STATUS_BUSY, ANY, ANY, ANY);

  backend_set (backend, "{\"user\":\"65a1f0c2e4b0a1b2c3d4e5f1\",\"status\":\"dnd\"}");
  wait_contact (client, ben, BEACON_STATUS_BUSY, ANY, ANY, ANY);
  backend_set (
      backend,
      "{\"user\":\"65a1f0c2e4b0a1b2c3d4e5f1\",\"status\":\"offline\",\"at\":1795430000123}");
  wait_contact (client, ben, BEACON_STATUS_OFFLINE, ANY, 1795430000123, ANY);
  backend_set (backend, "{\"user\":\"65a1f0c2e4b0a1b2c3d4e5f2\",\"status\":\"away\"}");
  wait_contact (client, cat, BEACON_STATUS_AWAY, ANY, ANY, ANY);

  /* Dan goes away unannounced; asking with get_presence brings a presence_info array. */
  backend_set (backend,
               "{\"user\":\"65a1f0c2e4b0a1b2c3d4e5f3\",\"status\":\"away\",\"silent\":true}");
  json_array_add_string_element (ids, dan);
  json_array_add_array_element (args, g_steal_pointer (&ids));
  beacon_socket_emit (beacon_session_get_socket (client->session), "/", "get_presence", args);
  wait_contact (client, dan, BEACON_STATUS_AWAY, ANY, ANY, ANY);

  client_free (client);
  backend_free (backend);
}

/* Numeric ids, friend_status_changed with epoch milliseconds, hydration with statuses only
 * and nothing on connect, a token without "exp". */
static void
test_friends_backend (void)
{
  Backend *backend;
  Client  *client;

  if (skip_without_node ())
    return;
  backend = backend_start ("friends");
  client = client_start (backend);

  assert_name (client, "104", "Dan");
  wait_contact (client, "102", BEACON_STATUS_ONLINE, ANY, ANY, ANY);
  wait_contact (client, "104", BEACON_STATUS_ONLINE, ANY, ANY, ANY);
  wait_contact (client, "103", BEACON_STATUS_OFFLINE, ANY, ANY, ANY);

  backend_set (backend, "{\"user\":103,\"status\":\"online\",\"at\":1795431000000}");
  wait_contact (client, "103", BEACON_STATUS_ONLINE, ANY, ANY, 1795431000000);
  backend_set (backend, "{\"user\":102,\"status\":\"offline\",\"at\":1795432000000}");
  wait_contact (client, "102", BEACON_STATUS_OFFLINE, ANY, 1795432000000, ANY);

  client_free (client);
  backend_free (backend);
}

/* A backend with transports: ['polling']: the WebSocket handshake is refused, everything
 * goes by long-polling; "active", epoch milliseconds, no versions. Its open packet offers
 * no upgrade ("upgrades":[]), so the client never probes a WebSocket: a relay in front of
 * it counts the WebSocket requests. */
static void
test_polling_backend (void)
{
  g_autoptr (GError)       error = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (JsonArray)    ack = NULL;
  BeaconSocket            *socket;
  Backend                 *backend;
  TestRelay               *relay;
  Client                  *client;

  if (skip_without_node ())
    return;
  backend = backend_start ("polling");
  relay = test_relay_new (backend->port);
  g_free (backend->url);
  backend->url = g_strdup (relay->url);
  client = client_start (backend);
  socket = beacon_session_get_socket (client->session);

  assert_name (client, "7002", "Ben");
  wait_contact (client, "7002", BEACON_STATUS_ONLINE, FALSE, ANY, 1763892000000);
  wait_contact (client, "7003", BEACON_STATUS_OFFLINE, FALSE, 1763880000000, ANY);
  wait_contact (client, "7004", BEACON_STATUS_AWAY, FALSE, ANY, ANY);

  /* The other direction: an event with an ack goes by POST, the ack comes by GET. */
  beacon_socket_emit_with_ack_async (socket, "/", "heartbeat", NULL, 5000, NULL, on_result,
                                     &result);
  test_wait_until (has_result, &result);
  ack = beacon_socket_emit_with_ack_finish (socket, result, &error);
  g_assert_no_error (error);
  g_assert_true (test_json_bool (json_array_get_element (ack, 0), "ok"));
  g_assert_cmpint (beacon_socket_get_state (socket), ==, BEACON_SOCKET_STATE_CONNECTED);

  backend_set (backend, "{\"user\":7003,\"status\":\"active\",\"at\":1795433000000}");
  wait_contact (client, "7003", BEACON_STATUS_ONLINE, ANY, ANY, 1795433000000);
  backend_set (backend, "{\"user\":7002,\"status\":\"offline\",\"at\":1795434000000}");
  wait_contact (client, "7002", BEACON_STATUS_OFFLINE, ANY, 1795434000000, ANY);
  /* The first handshake, refused; no probe of the long-polling session. */
  g_assert_cmpuint (relay->upgrades, ==, 1);
  g_assert_cmpuint (relay->probes, ==, 0);

  client_free (client);
  test_relay_free (relay);
  backend_free (backend);
}

/* The whole sign-in of the session (login answer with a numeric id, token into the Secret
 * Service of the headless session) against the snapshot backend; the user id is known
 * before the socket connects, so Dan's chat with Ann in the first snapshot shows green. */
static void
test_snapshot_backend_sign_in (void)
{
  g_autoptr (GError)        error = NULL;
  g_autoptr (GAsyncResult)  result = NULL;
  g_autoptr (BeaconSession) session = NULL;
  Backend                  *backend;
  BeaconContact            *dan;

  if (skip_without_node ())
    return;
  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL)
    {
      g_test_skip ("no session bus for the Secret Service (run in build-aux/headless-session.sh)");
      return;
    }
  backend = backend_start ("snapshot");
  backend_set (backend, "{\"user\":4,\"chattingWith\":1,\"at\":1763897000000}");

  session = beacon_session_new (backend->url, NULL);
  beacon_session_sign_in_async (session, "ann@example.com", "pw", NULL, on_result, &result);
  test_wait_until (has_result, &result);
  g_assert_true (beacon_session_sign_in_finish (session, result, &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  g_assert_cmpstr (beacon_session_get_user_id (session), ==, "1");
  test_wait_until (is_online, session);

  dan = beacon_presence_store_lookup (beacon_session_get_contacts (session), "4");
  g_assert_nonnull (dan);
  g_assert_cmpstr (beacon_contact_get_name (dan), ==, "Dan");
  g_assert_cmpint (date_ms (beacon_contact_get_last_active (dan)), ==, 1763897000000);
  g_assert_true (beacon_contact_get_chatting_with_me (dan));
  g_assert_cmpint (beacon_contact_get_badge (dan), ==, BEACON_BADGE_GREEN);

  /* Signing out deletes the token from the keyring again. */
  beacon_session_sign_out_async (session, NULL, on_result, &result);
  test_wait_until (has_result, &result);
  g_assert_true (beacon_session_sign_out_finish (session, result, &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  g_assert_cmpint (beacon_session_get_state (session), ==, BEACON_SESSION_STATE_SIGNED_OUT);
  g_assert_finalize_object (g_steal_pointer (&session));
  backend_free (backend);
}

/* A snapshot backend lists every online socket, the viewer's own too. */
static void
test_own_snapshot_entry (void)
{
  Backend *backend;
  Client  *client;

  if (skip_without_node ())
    return;
  backend = backend_start ("snapshot");
  client = client_start (backend);
  backend_set (backend, "{\"user\":3,\"status\":\"active\",\"at\":1763895000000}");
  wait_contact (client, "3", BEACON_STATUS_ONLINE, ANY, ANY, 1763895000000);

  /* The signed-in user's own entry of the snapshot does not make her a contact. */
  g_assert_null (beacon_presence_store_lookup (client->contacts, "1"));

  client_free (client);
  backend_free (backend);
}

/* A session started from a token learns its user id from GET /api/me before the socket
 * connects, so the snapshot sent on connect is read knowing who the viewer is. Here Dan
 * already chats with Ann when she connects: green at once. */
static void
test_chatting_before_me (void)
{
  Backend *backend;
  Client  *client;

  if (skip_without_node ())
    return;
  backend = backend_start ("snapshot");
  backend_set (backend, "{\"user\":4,\"chattingWith\":1,\"at\":1763896000000}");
  client = client_start (backend);
  wait_contact (client, "4", ANY, ANY, ANY, 1763896000000);

  g_assert_true (
      beacon_contact_get_chatting_with_me (beacon_presence_store_lookup (client->contacts, "4")));

  client_free (client);
  backend_free (backend);
}

/* The same, with the records backend announcing Ann's own coming online to everyone. */
static void
test_own_record_before_me (void)
{
  Backend *backend;
  Client  *client;

  if (skip_without_node ())
    return;
  backend = backend_start ("records");
  client = client_start (backend);

  /* Her own presence_updated is not taken for a contact's. */
  g_assert_null (beacon_presence_store_lookup (client->contacts, "65a1f0c2e4b0a1b2c3d4e5f0"));

  client_free (client);
  backend_free (backend);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/interop/snapshot-backend", test_snapshot_backend);
  g_test_add_func ("/interop/snapshot-backend/sign-in", test_snapshot_backend_sign_in);
  g_test_add_func ("/interop/records-backend", test_records_backend);
  g_test_add_func ("/interop/friends-backend", test_friends_backend);
  g_test_add_func ("/interop/polling-backend", test_polling_backend);
  g_test_add_func ("/interop/known-issues/own-snapshot-entry", test_own_snapshot_entry);
  g_test_add_func ("/interop/known-issues/chatting-before-me", test_chatting_before_me);
  g_test_add_func ("/interop/known-issues/own-record-before-me", test_own_record_before_me);

  return g_test_run ();
}

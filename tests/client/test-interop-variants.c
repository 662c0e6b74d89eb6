/* test-interop-variants.c: the client library against Node backends on the stock socket.io@4
 * server (tests/interop/variants), each written as a different real backend (PROTOCOL.md 9). */

#include "config.h"

#include <libsoup/soup.h>

#include "beacon-api.h"
#include "beacon-presence-store.h"
#include "beacon-socket.h"
#include "harness.h"

/* Passed where a contact's field is not checked. */
#define ANY -1

/* A variant backend: `node tests/interop/variants/NAME-server.js`, which prints its port. */
typedef struct
{
  GSubprocess *process;
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
  backend->url = g_strdup_printf ("http://127.0.0.1:%" G_GUINT64_FORMAT, port);
  backend->control = soup_session_new ();
  return backend;
}

/* Tells the backend to change someone's presence (POST /test/presence); it has sent every
 * event of the change when this returns. */
static void
backend_set (Backend *backend, const char *command_json)
{
  g_autoptr (GError)      error = NULL;
  g_autofree char        *uri = g_strdup_printf ("%s/test/presence", backend->url);
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

/* The signed-in client: REST sign-in and hydration, then the socket's presence events fed
 * to the store, as a session runs them. */
typedef struct
{
  BeaconApi           *api;
  BeaconSocket        *socket;
  BeaconPresenceStore *contacts;
  gboolean             joined;
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

static void
on_event (BeaconSocket *socket, const char *nsp, const char *name, JsonArray *args, Client *client)
{
  g_autoptr (GError)    error = NULL;
  g_autoptr (GPtrArray) records = NULL;
  const char           *me = beacon_api_get_user_id (client->api);
  JsonNode             *payload;

  if (json_array_get_length (args) == 0)
    return;
  payload = json_array_get_element (args, 0);
  if (g_str_equal (name, "presence:connected") || g_str_equal (name, "presence:update"))
    {
      g_assert_true (beacon_presence_parse_snapshot (payload, me, NULL, &records, &error));
      beacon_presence_store_apply_snapshot (client->contacts, records, TRUE);
    }
  else if (g_str_equal (name, "presence_updated") || g_str_equal (name, "friend_status_changed"))
    {
      g_autoptr (BeaconPresenceRecord) record = beacon_presence_record_parse (payload, me, &error);

      g_assert_nonnull (record);
      beacon_presence_store_apply_record (client->contacts, record);
    }
  else if (g_str_equal (name, "presence_info"))
    {
      records = beacon_presence_record_parse_list (payload, me, &error);
      g_assert_nonnull (records);
      beacon_presence_store_apply_records (client->contacts, records);
    }
  g_assert_no_error (error);
}

static void
on_joined (BeaconSocket *socket, const char *nsp, Client *client)
{
  client->joined = TRUE;
}

static gboolean
is_joined (gpointer data)
{
  return ((Client *) data)->joined;
}

/* Signs Ann in with her password, hydrates and connects. */
static Client *
client_start (Backend *backend)
{
  Client                   *client = g_new0 (Client, 1);
  g_autoptr (GError)        error = NULL;
  g_autoptr (GAsyncResult)  result = NULL;
  g_autoptr (GPtrArray)     friends = NULL;
  g_autoptr (GPtrArray)     infos = NULL;
  g_autoptr (GPtrArray)     records = NULL;
  g_autoptr (GHashTable)    online = NULL;
  g_autoptr (JsonNode)      auth = NULL;
  g_autoptr (BeaconApiUser) user = NULL;
  g_autofree char          *token = NULL;
  g_autofree char          *auth_json = NULL;

  client->api = beacon_api_new (backend->url);
  client->contacts = beacon_presence_store_new (NULL);
  client->socket = beacon_socket_new (backend->url);

  beacon_api_login_async (client->api, "ann@example.com", "pw", NULL, on_result, &result);
  test_wait_until (has_result, &result);
  token = beacon_api_login_finish (client->api, result, &user, &error);
  g_assert_no_error (error);
  g_clear_object (&result);

  beacon_api_get_friends_async (client->api, NULL, on_result, &result);
  test_wait_until (has_result, &result);
  friends = beacon_api_get_friends_finish (client->api, result, &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  infos = g_ptr_array_new_with_free_func ((GDestroyNotify) beacon_contact_info_free);
  for (guint i = 0; i < friends->len; i++)
    {
      BeaconApiUser *f = g_ptr_array_index (friends, i);

      g_ptr_array_add (infos, beacon_contact_info_new (f->id, f->name, f->role));
    }
  beacon_presence_store_set_names (client->contacts, infos);

  g_signal_connect (client->socket, "event", G_CALLBACK (on_event), client);
  g_signal_connect (client->socket, "namespace-connected", G_CALLBACK (on_joined), client);
  auth_json = g_strdup_printf ("{\"token\":\"%s\"}", token);
  auth = json_from_string (auth_json, &error);
  g_assert_no_error (error);
  beacon_socket_join (client->socket, "/", auth);

  beacon_presence_store_begin_hydration (client->contacts);
  beacon_socket_connect (client->socket);
  beacon_api_get_online_status_async (client->api, NULL, on_result, &result);
  test_wait_until (has_result, &result);
  beacon_api_get_online_status_finish (client->api, result, &online, &records, &error);
  g_assert_no_error (error);
  beacon_presence_store_finish_hydration (client->contacts, records, online);
  test_wait_until (is_joined, client);
  return client;
}

static void
client_free (Client *client)
{
  beacon_socket_disconnect (client->socket);
  g_assert_finalize_object (client->socket);
  g_assert_finalize_object (client->api);
  g_assert_finalize_object (client->contacts);
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
  const char *ben = "65a1f0c2e4b0a1b2c3d4e5f1";
  const char *cat = "65a1f0c2e4b0a1b2c3d4e5f2";
  const char *dan = "65a1f0c2e4b0a1b2c3d4e5f3";
  Backend    *backend;
  Client     *client;

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
 * goes by long-polling; "active", epoch milliseconds, no versions. */
static void
test_polling_backend (void)
{
  Backend *backend;
  Client  *client;

  if (skip_without_node ())
    return;
  backend = backend_start ("polling");
  client = client_start (backend);

  assert_name (client, "7002", "Ben");
  wait_contact (client, "7002", BEACON_STATUS_ONLINE, FALSE, ANY, 1763892000000);
  wait_contact (client, "7003", BEACON_STATUS_OFFLINE, FALSE, 1763880000000, ANY);
  wait_contact (client, "7004", BEACON_STATUS_AWAY, FALSE, ANY, ANY);

  backend_set (backend, "{\"user\":7003,\"status\":\"active\",\"at\":1795433000000}");
  wait_contact (client, "7003", BEACON_STATUS_ONLINE, ANY, ANY, 1795433000000);
  backend_set (backend, "{\"user\":7002,\"status\":\"offline\",\"at\":1795434000000}");
  wait_contact (client, "7002", BEACON_STATUS_OFFLINE, ANY, 1795434000000, ANY);

  client_free (client);
  backend_free (backend);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/interop/snapshot-backend", test_snapshot_backend);
  g_test_add_func ("/interop/records-backend", test_records_backend);
  g_test_add_func ("/interop/friends-backend", test_friends_backend);
  g_test_add_func ("/interop/polling-backend", test_polling_backend);

  return g_test_run ();
}

/* test-session.c: integration test of BeaconSession against the real beacon-server (the
 * harness of tests/integration) and the real Secret Service of the headless session. */

#include "config.h"

#include <libsecret/secret.h>

#include "beacon-account.h"
#include "beacon-session.h"
#include "harness.h"

/* ---- waiting ---- */

typedef struct
{
  BeaconSession     *session;
  BeaconSessionState state;
  const char        *id;
  BeaconStatus       status;
} Want;

static gboolean
has_state (gpointer data)
{
  Want *want = data;

  return beacon_session_get_state (want->session) == want->state;
}

static void
wait_state (BeaconSession *session, BeaconSessionState state)
{
  Want want = { .session = session, .state = state };

  test_wait_until (has_state, &want);
}

static gboolean
has_status (gpointer data)
{
  Want          *want = data;
  BeaconContact *contact =
      beacon_presence_store_lookup (beacon_session_get_contacts (want->session), want->id);

  return contact != NULL && beacon_contact_get_status (contact) == want->status;
}

static void
wait_status (BeaconSession *session, const char *id, BeaconStatus status)
{
  Want want = { .session = session, .id = id, .status = status };

  test_wait_until (has_status, &want);
}

static gboolean
is_chatting (gpointer data)
{
  Want          *want = data;
  BeaconContact *contact =
      beacon_presence_store_lookup (beacon_session_get_contacts (want->session), want->id);

  return contact != NULL && beacon_contact_get_chatting_with_me (contact);
}

static void
on_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static GAsyncResult *
wait_result (GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *result;
}

/* A session of user id, started with a fresh token of the test server. */
static BeaconSession *
session_for (TestServer *server, const char *url, const char *id)
{
  BeaconSession   *session = beacon_session_new (url ? url : server->base_url, NULL);
  g_autofree char *token = test_server_token (server, id, 3600);

  beacon_session_start_with_token (session, token);
  return session;
}

static void
session_free (BeaconSession *session)
{
  beacon_session_stop (session);
  g_assert_finalize_object (session);
}

static gboolean
sign_in (BeaconSession *session, const char *email, const char *password, GError **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  beacon_session_sign_in_async (session, email, password, NULL, on_done, &result);
  return beacon_session_sign_in_finish (session, wait_result (&result), error);
}

static gboolean
resume (BeaconSession *session, GError **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  beacon_session_resume_async (session, NULL, on_done, &result);
  return beacon_session_resume_finish (session, wait_result (&result), error);
}

/* The token the keyring holds for url, read straight from the Secret Service. */
static char *
stored_token (const char *url)
{
  g_autoptr (GError) error = NULL;
  char              *token =
      secret_password_lookup_sync (beacon_account_get_schema (), NULL, &error, "server", url, NULL);

  g_assert_no_error (error);
  return token;
}

static gboolean
keyring_empty (gpointer data)
{
  g_autofree char *token = stored_token (data);

  return token == NULL;
}

/* A presence record of `who` as the harness client sees it, waiting for one that has
 * chatting_with_me == chatting. */
static void
wait_seen_chatting (TestClient *viewer, const char *who, gboolean chatting)
{
  for (;;)
    {
      g_autoptr (JsonNode) record = test_client_wait_event (viewer, "presence_updated");

      if (g_strcmp0 (test_json_string (record, "user_id"), who) == 0 &&
          test_json_bool (record, "chatting_with_me") == chatting)
        return;
    }
}

/* ---- a TCP relay: a fixed address for a server that comes back on another port ---- */

typedef struct
{
  GSocketService *service;
  guint           port;
  guint           target;
  char           *url;
} Relay;

static void
on_spliced (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_io_stream_splice_finish (result, NULL);
}

static void
on_upstream (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GSocketConnection) downstream = user_data;
  g_autoptr (GSocketConnection) upstream =
      g_socket_client_connect_finish (G_SOCKET_CLIENT (source), result, NULL);

  if (upstream == NULL)
    {
      g_io_stream_close (G_IO_STREAM (downstream), NULL, NULL);
      return;
    }
  g_io_stream_splice_async (G_IO_STREAM (downstream), G_IO_STREAM (upstream),
                            G_IO_STREAM_SPLICE_CLOSE_STREAM1 | G_IO_STREAM_SPLICE_CLOSE_STREAM2,
                            G_PRIORITY_DEFAULT, NULL, on_spliced, NULL);
}

static gboolean
on_incoming (GSocketService    *service,
             GSocketConnection *connection,
             GObject           *source_object,
             gpointer           user_data)
{
  Relay                     *relay = user_data;
  g_autoptr (GSocketClient)  client = g_socket_client_new ();
  g_autoptr (GInetAddress)   loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) address = g_inet_socket_address_new (loopback, relay->target);

  g_socket_client_connect_async (client, G_SOCKET_CONNECTABLE (address), NULL, on_upstream,
                                 g_object_ref (connection));
  return TRUE;
}

static Relay *
relay_new (guint target)
{
  Relay                     *relay = g_new0 (Relay, 1);
  g_autoptr (GError)         error = NULL;
  g_autoptr (GInetAddress)   loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr (GSocketAddress) bound = NULL;

  relay->service = g_socket_service_new ();
  relay->target = target;
  g_socket_listener_add_address (G_SOCKET_LISTENER (relay->service), address, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error);
  g_assert_no_error (error);
  relay->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  relay->url = g_strdup_printf ("http://127.0.0.1:%u", relay->port);
  g_signal_connect (relay->service, "incoming", G_CALLBACK (on_incoming), relay);
  g_socket_service_start (relay->service);
  return relay;
}

static void
relay_free (Relay *relay)
{
  g_socket_service_stop (relay->service);
  g_socket_listener_close (G_SOCKET_LISTENER (relay->service));
  g_signal_handlers_disconnect_by_data (relay->service, relay);
  g_object_unref (relay->service);
  g_free (relay->url);
  g_free (relay);
}

/* ---- tests ---- */

static void
test_wrong_password (void)
{
  TestServer               *server = test_server_start (test_default_world, NULL);
  g_autoptr (BeaconSession) session = beacon_session_new (server->base_url, NULL);
  g_autoptr (GError)        error = NULL;

  g_assert_false (sign_in (session, "a@test", "not the password", &error));
  g_assert_error (error, BEACON_API_ERROR, BEACON_API_ERROR_INVALID_CREDENTIALS);
  g_assert_cmpint (beacon_session_get_state (session), ==, BEACON_SESSION_STATE_SIGNED_OUT);
  g_assert_cmpstr (beacon_session_get_error_message (session), ==, "Wrong email or password.");
  g_assert_null (beacon_session_get_user_id (session));

  g_clear_object (&session);
  test_server_free (server);
}

static void
test_sign_in_and_resume (void)
{
  TestServer               *server = test_server_start (test_default_world, NULL);
  g_autoptr (BeaconSession) first = beacon_session_new (server->base_url, NULL);
  g_autoptr (BeaconSession) second = NULL;
  g_autoptr (BeaconSession) third = NULL;
  g_autoptr (GAsyncResult)  result = NULL;
  g_autoptr (GError)        error = NULL;
  g_autofree char          *token = NULL;

  g_assert_true (sign_in (first, "a@test", "pw", &error));
  g_assert_no_error (error);
  g_assert_cmpstr (beacon_session_get_user_id (first), ==, "a");
  g_assert_cmpstr (beacon_session_get_user_name (first), ==, "Ann");
  wait_state (first, BEACON_SESSION_STATE_ONLINE);
  token = stored_token (server->base_url);
  g_assert_nonnull (token);
  g_assert_cmpstr (token, ==, beacon_api_get_token (beacon_session_get_api (first)));
  beacon_session_stop (first);

  /* The app starting again: the token from the keyring, who we are from the server. */
  second = beacon_session_new (server->base_url, NULL);
  g_assert_true (resume (second, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (beacon_session_get_user_email (second), ==, "a@test");
  wait_state (second, BEACON_SESSION_STATE_ONLINE);
  g_assert_cmpstr (beacon_session_get_user_id (second), ==, "a");
  g_assert_cmpstr (beacon_session_get_user_name (second), ==, "Ann");
  g_assert_cmpstr (beacon_session_get_own_status (second), ==, "online");

  /* Signing out deletes the token: nothing left to resume. */
  beacon_session_sign_out_async (second, NULL, on_done, &result);
  g_assert_true (beacon_session_sign_out_finish (second, wait_result (&result), &error));
  g_assert_no_error (error);
  g_assert_cmpint (beacon_session_get_state (second), ==, BEACON_SESSION_STATE_SIGNED_OUT);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (beacon_session_get_contacts (second))),
                    ==, 0);
  g_assert_true (keyring_empty (server->base_url));
  third = beacon_session_new (server->base_url, NULL);
  g_assert_false (resume (third, &error));
  g_assert_no_error (error);
  g_assert_cmpint (beacon_session_get_state (third), ==, BEACON_SESSION_STATE_SIGNED_OUT);

  g_clear_object (&first);
  g_clear_object (&second);
  g_clear_object (&third);
  test_server_free (server);
}

static void
test_hydration (void)
{
  TestServer          *server = test_server_start (test_default_world, NULL);
  TestClient          *b = test_client_connect_user (server, "b");
  TestClient          *f = test_client_connect_user (server, "f");
  gint64               ack = test_client_emit (f, "update_status", "\"away\"", TRUE);
  BeaconSession       *session;
  BeaconPresenceStore *contacts;
  BeaconContact       *contact;

  json_node_unref (test_client_wait_ack (f, ack));
  session = session_for (server, NULL, "a");
  contacts = beacon_session_get_contacts (session);
  wait_state (session, BEACON_SESSION_STATE_ONLINE);

  /* Names come from GET /api/friends, offline contacts too; statuses from the server. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (contacts)), ==, 3);
  contact = beacon_presence_store_lookup (contacts, "b");
  g_assert_cmpstr (beacon_contact_get_name (contact), ==, "Ben");
  g_assert_cmpint (beacon_contact_get_status (contact), ==, BEACON_STATUS_ONLINE);
  contact = beacon_presence_store_lookup (contacts, "c");
  g_assert_cmpstr (beacon_contact_get_name (contact), ==, "Cat");
  g_assert_cmpint (beacon_contact_get_status (contact), ==, BEACON_STATUS_OFFLINE);
  contact = beacon_presence_store_lookup (contacts, "f");
  g_assert_cmpstr (beacon_contact_get_name (contact), ==, "Fay");
  g_assert_cmpstr (beacon_contact_get_role (contact), ==, "FREELANCER");
  g_assert_cmpint (beacon_contact_get_status (contact), ==, BEACON_STATUS_AWAY);
  g_assert_cmpuint (beacon_session_get_online_count (session), ==, 2);
  g_assert_cmpstr (beacon_session_get_user_name (session), ==, "Ann");

  session_free (session);
  test_client_free (b);
  test_client_free (f);
  test_server_free (server);
}

static void
test_live_deltas (void)
{
  TestServer    *server = test_server_start (test_default_world, NULL);
  BeaconSession *session = session_for (server, NULL, "a");
  TestClient    *b;
  Want           want = { .session = session, .id = "b" };
  BeaconContact *contact;

  wait_state (session, BEACON_SESSION_STATE_ONLINE);
  contact = beacon_presence_store_lookup (beacon_session_get_contacts (session), "b");
  g_assert_cmpint (beacon_contact_get_status (contact), ==, BEACON_STATUS_OFFLINE);

  b = test_client_connect_user (server, "b");
  wait_status (session, "b", BEACON_STATUS_ONLINE);
  g_assert_cmpint (beacon_contact_get_badge (contact), ==, BEACON_BADGE_YELLOW);

  test_client_emit (b, "update_status", "{\"status\":\"away\",\"message\":\"At lunch\"}", FALSE);
  wait_status (session, "b", BEACON_STATUS_AWAY);
  g_assert_cmpstr (beacon_contact_get_custom_message (contact), ==, "At lunch");

  test_client_emit (b, "update_status", "\"online\"", FALSE);
  test_client_emit (b, "chat:focus", "{\"partnerId\":\"a\"}", FALSE);
  test_wait_until (is_chatting, &want);
  g_assert_cmpint (beacon_contact_get_badge (contact), ==, BEACON_BADGE_GREEN);

  test_client_free (b);
  wait_status (session, "b", BEACON_STATUS_OFFLINE);
  g_assert_false (beacon_contact_get_chatting_with_me (contact));
  g_assert_nonnull (beacon_contact_get_last_seen (contact));

  session_free (session);
  test_server_free (server);
}

static void
test_chat_focus (void)
{
  TestServer    *server = test_server_start (test_default_world, NULL);
  TestClient    *b = test_client_connect_user (server, "b");
  BeaconSession *session = session_for (server, NULL, "a");

  wait_state (session, BEACON_SESSION_STATE_ONLINE);
  beacon_session_chat_focus (session, "b");
  g_assert_cmpstr (beacon_session_get_focused_partner (session), ==, "b");
  wait_seen_chatting (b, "a", TRUE);
  beacon_session_chat_blur (session);
  g_assert_null (beacon_session_get_focused_partner (session));
  wait_seen_chatting (b, "a", FALSE);

  session_free (session);
  test_client_free (b);
  test_server_free (server);
}

static void
on_hydrating (BeaconPresenceStore *store, GParamSpec *pspec, guint *count)
{
  if (beacon_presence_store_is_hydrating (store))
    (*count)++;
}

static void
test_server_restart_rehydrates (void)
{
  TestServer    *server = test_server_start (test_default_world, NULL);
  Relay         *relay = relay_new (server->port);
  BeaconSession *session = session_for (server, relay->url, "a");
  TestClient    *b;
  guint          hydrations = 0;

  g_signal_connect (beacon_session_get_contacts (session), "notify::hydrating",
                    G_CALLBACK (on_hydrating), &hydrations);
  wait_state (session, BEACON_SESSION_STATE_ONLINE);
  g_assert_cmpuint (hydrations, ==, 1);
  beacon_session_chat_focus (session, "b");

  test_server_stop (server);
  wait_state (session, BEACON_SESSION_STATE_RECONNECTING);
  g_assert_cmpuint (beacon_session_get_next_retry_in (session), >, 0);

  /* Back on another port, and b came online while we were away. */
  test_server_restart (server);
  relay->target = server->port;
  b = test_client_connect_user (server, "b");
  wait_state (session, BEACON_SESSION_STATE_ONLINE);
  g_assert_cmpuint (hydrations, ==, 2);
  g_assert_cmpint (beacon_contact_get_status (
                       beacon_presence_store_lookup (beacon_session_get_contacts (session), "b")),
                   ==, BEACON_STATUS_ONLINE);
  /* The focus is sent again on the new connection. */
  wait_seen_chatting (b, "a", TRUE);

  g_signal_handlers_disconnect_by_data (beacon_session_get_contacts (session), &hydrations);
  session_free (session);
  test_client_free (b);
  relay_free (relay);
  test_server_free (server);
}

static void
store_token (const char *url, const char *token)
{
  g_autoptr (BeaconAccount) account = beacon_account_new (url, "a@test", token);
  g_autoptr (GAsyncResult)  result = NULL;
  g_autoptr (GError)        error = NULL;

  beacon_account_store_token_async (account, NULL, on_done, &result);
  g_assert_true (beacon_account_store_token_finish (account, wait_result (&result), &error));
  g_assert_no_error (error);
}

static void
test_expired_token (void)
{
  TestServer               *server = test_server_start (test_default_world, NULL);
  g_autoptr (BeaconSession) session = beacon_session_new (server->base_url, NULL);
  g_autoptr (GError)        error = NULL;
  g_autofree char          *expired = test_server_token (server, "a", -60);

  store_token (server->base_url, expired);
  g_assert_true (resume (session, &error));
  g_assert_no_error (error);
  wait_state (session, BEACON_SESSION_STATE_UNAUTHORIZED);
  g_assert_cmpstr (beacon_session_get_error_message (session), ==,
                   "Your session has expired. Please sign in again.");
  /* The token leaves the keyring, and nothing retries with it. */
  test_wait_until (keyring_empty, server->base_url);
  g_assert_cmpint (beacon_socket_get_state (beacon_session_get_socket (session)), ==,
                   BEACON_SOCKET_STATE_DISCONNECTED);
  g_assert_cmpuint (beacon_session_get_next_retry_in (session), ==, 0);

  g_clear_object (&session);
  test_server_free (server);
}

typedef struct
{
  TestServer *server;
  char       *first; /* a's last_active as b first saw it */
} LastActive;

static gboolean
last_active_moved (gpointer data)
{
  LastActive          *seen = data;
  g_autofree char     *token = test_server_token (seen->server, "b", 3600);
  g_autoptr (JsonNode) body = NULL;

  g_assert_cmpuint (test_rest (seen->server, "GET", "/api/users/presence/a", token, NULL, &body),
                    ==, 200);
  g_assert_nonnull (test_json_string (body, "last_active"));
  if (seen->first == NULL)
    seen->first = g_strdup (test_json_string (body, "last_active"));
  return g_strcmp0 (seen->first, test_json_string (body, "last_active")) != 0;
}

static void
test_heartbeat (void)
{
  TestServer    *server = test_server_start (test_default_world, NULL);
  BeaconSession *session = session_for (server, NULL, "a");
  LastActive     seen = { .server = server };

  wait_state (session, BEACON_SESSION_STATE_ONLINE);
  /* BEACON_HEARTBEAT_INTERVAL_MS is short here: the server sees last_active move. */
  test_wait_until (last_active_moved, &seen);

  g_free (seen.first);
  session_free (session);
  test_server_free (server);
}

static void
on_contact_online (BeaconSession *session, BeaconContact *contact, GPtrArray *ids)
{
  g_ptr_array_add (ids, g_strdup (beacon_contact_get_id (contact)));
}

static gboolean
has_entries (gpointer data)
{
  return ((GPtrArray *) data)->len > 0;
}

static void
test_contact_online (void)
{
  TestServer           *server = test_server_start (test_default_world, NULL);
  TestClient           *b = test_client_connect_user (server, "b");
  g_autoptr (GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  BeaconSession        *session = beacon_session_new (server->base_url, NULL);
  g_autofree char      *token = test_server_token (server, "a", 3600);
  TestClient           *c;

  g_signal_connect (session, "contact-online", G_CALLBACK (on_contact_online), ids);
  beacon_session_start_with_token (session, token);
  wait_state (session, BEACON_SESSION_STATE_ONLINE);
  wait_status (session, "b", BEACON_STATUS_ONLINE);

  /* b was online at connect: no notice. c comes online live: one. */
  c = test_client_connect_user (server, "c");
  test_wait_until (has_entries, ids);
  g_assert_cmpuint (ids->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (ids, 0), ==, "c");

  g_signal_handlers_disconnect_by_data (session, ids);
  session_free (session);
  test_client_free (b);
  test_client_free (c);
  test_server_free (server);
}

static void
test_set_status (void)
{
  TestServer              *server = test_server_start (test_default_world, NULL);
  TestClient              *b = test_client_connect_user (server, "b");
  BeaconSession           *session = session_for (server, NULL, "a");
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError)       error = NULL;

  wait_state (session, BEACON_SESSION_STATE_ONLINE);
  g_assert_cmpstr (beacon_session_get_own_status (session), ==, "online");
  beacon_session_set_status_async (session, "busy", "In a meeting", NULL, on_done, &result);
  g_assert_true (beacon_session_set_status_finish (session, wait_result (&result), &error));
  g_assert_no_error (error);
  g_assert_cmpstr (beacon_session_get_own_status (session), ==, "busy");
  g_assert_cmpstr (beacon_session_get_custom_message (session), ==, "In a meeting");
  for (;;)
    {
      g_autoptr (JsonNode) record = test_client_wait_event (b, "presence_updated");

      if (g_strcmp0 (test_json_string (record, "user_id"), "a") == 0 &&
          g_strcmp0 (test_json_string (record, "status"), "busy") == 0)
        {
          g_assert_cmpstr (test_json_string (record, "custom_message"), ==, "In a meeting");
          break;
        }
    }

  g_clear_object (&result);
  beacon_session_set_status_async (session, "sleeping", NULL, NULL, on_done, &result);
  g_assert_false (beacon_session_set_status_finish (session, wait_result (&result), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_cmpstr (beacon_session_get_own_status (session), ==, "busy");

  g_clear_object (&result);
  session_free (session);
  test_client_free (b);
  test_server_free (server);
}

int
main (int argc, char *argv[])
{
  g_setenv ("BEACON_HEARTBEAT_INTERVAL_MS", "200", TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/session/sign-in/wrong-password", test_wrong_password);
  g_test_add_func ("/session/sign-in/resume", test_sign_in_and_resume);
  g_test_add_func ("/session/hydration", test_hydration);
  g_test_add_func ("/session/live-deltas", test_live_deltas);
  g_test_add_func ("/session/chat-focus", test_chat_focus);
  g_test_add_func ("/session/server-restart", test_server_restart_rehydrates);
  g_test_add_func ("/session/expired-token", test_expired_token);
  g_test_add_func ("/session/heartbeat", test_heartbeat);
  g_test_add_func ("/session/contact-online", test_contact_online);
  g_test_add_func ("/session/set-status", test_set_status);

  return g_test_run ();
}

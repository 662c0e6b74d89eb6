/* test-session.c: integration test of BeaconSession against the real beacon-server (the
 * harness of tests/integration) and the real Secret Service of the headless session. */

#include "config.h"

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

/* The account the keyring holds for url, or NULL (error set when the lookup failed). */
static BeaconAccount *
stored_account (const char *url, GError **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  beacon_account_lookup_async (url, NULL, on_done, &result);
  return beacon_account_lookup_finish (wait_result (&result), error);
}

static char *
stored_token (const char *url)
{
  g_autoptr (GError)        error = NULL;
  g_autoptr (BeaconAccount) account = stored_account (url, &error);

  g_assert_no_error (error);
  return account ? g_strdup (beacon_account_get_token (account)) : NULL;
}

/* No token for url. A lookup may fail while the item is being deleted: then ask again. */
static gboolean
keyring_empty (gpointer data)
{
  g_autoptr (GError)        error = NULL;
  g_autoptr (BeaconAccount) account = stored_account (data, &error);

  return account == NULL && error == NULL;
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

static gboolean
c_is_offline (gpointer data)
{
  TestServer          *server = data;
  g_autofree char     *token = test_server_token (server, "a", 3600);
  g_autoptr (JsonNode) body = NULL;

  g_assert_cmpuint (test_rest (server, "GET", "/api/users/presence/c", token, NULL, &body), ==,
                    200);
  return g_strcmp0 (test_json_string (body, "status"), "offline") == 0;
}

static void
test_hydration (void)
{
  TestServer *server = test_server_start (test_default_world, NULL);
  TestClient *b = test_client_connect_user (server, "b");
  TestClient *c = test_client_connect_user (server, "c");
  TestClient *f = test_client_connect_user (server, "f");
  gint64      ack =
      test_client_emit (f, "update_status", "{\"status\":\"away\",\"message\":\"At lunch\"}", TRUE);
  BeaconSession       *session;
  BeaconPresenceStore *contacts;
  BeaconContact       *contact;

  json_node_unref (test_client_wait_ack (f, ack));
  /* c was here and left: only the REST records know when. */
  test_client_free (c);
  test_wait_until (c_is_offline, server);
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
  g_assert_nonnull (beacon_contact_get_last_seen (contact));
  contact = beacon_presence_store_lookup (contacts, "f");
  g_assert_cmpstr (beacon_contact_get_name (contact), ==, "Fay");
  g_assert_cmpstr (beacon_contact_get_role (contact), ==, "FREELANCER");
  g_assert_cmpint (beacon_contact_get_status (contact), ==, BEACON_STATUS_AWAY);
  g_assert_cmpstr (beacon_contact_get_custom_message (contact), ==, "At lunch");
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
  TestRelay     *relay = test_relay_new (server->port);
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
  test_relay_free (relay);
  test_server_free (server);
}

static gboolean
retry_pending (gpointer data)
{
  return beacon_session_get_next_retry_in (data) > 0;
}

static void
test_offline_and_retry_now (void)
{
  TestServer      *server = test_server_start (test_default_world, NULL);
  TestRelay       *relay = test_relay_new (server->port);
  BeaconSession   *session = session_for (server, relay->url, "a");
  GNetworkMonitor *monitor = g_network_monitor_get_default ();

  wait_state (session, BEACON_SESSION_STATE_ONLINE);
  test_server_stop (server);
  wait_state (session, BEACON_SESSION_STATE_RECONNECTING);

  /* No network: offline, not "reconnecting in N s". */
  g_signal_emit_by_name (monitor, "network-changed", FALSE);
  g_assert_cmpint (beacon_session_get_state (session), ==, BEACON_SESSION_STATE_OFFLINE);
  g_signal_emit_by_name (monitor, "network-changed", TRUE);
  g_assert_cmpint (beacon_session_get_state (session), !=, BEACON_SESSION_STATE_OFFLINE);

  /* "Retry now" does not wait for the countdown (the relay still leads nowhere while
   * the countdown runs). */
  test_server_restart (server);
  test_wait_until (retry_pending, session);
  relay->target = server->port;
  beacon_session_retry_now (session);
  g_assert_cmpuint (beacon_session_get_next_retry_in (session), ==, 0);
  g_assert_cmpint (beacon_socket_get_state (beacon_session_get_socket (session)), ==,
                   BEACON_SOCKET_STATE_CONNECTING);
  wait_state (session, BEACON_SESSION_STATE_ONLINE);

  session_free (session);
  test_relay_free (relay);
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

static void
test_token_refused_on_reconnect (void)
{
  TestServer               *server = test_server_start (test_default_world, NULL);
  TestRelay                *relay = test_relay_new (server->port);
  g_autoptr (BeaconSession) session = beacon_session_new (relay->url, NULL);
  g_autoptr (GError)        error = NULL;

  g_assert_true (sign_in (session, "a@test", "pw", &error));
  g_assert_no_error (error);
  wait_state (session, BEACON_SESSION_STATE_ONLINE);
  g_assert_false (keyring_empty (relay->url));

  /* The server comes back with another secret: the socket's CONNECT is refused. */
  test_server_stop (server);
  g_file_set_contents (server->secret_file, "another-secret-0123456789abcdef", -1, &error);
  g_assert_no_error (error);
  test_server_restart (server);
  relay->target = server->port;
  wait_state (session, BEACON_SESSION_STATE_UNAUTHORIZED);
  g_assert_cmpstr (beacon_session_get_error_message (session), ==, "Please sign in again.");
  test_wait_until (keyring_empty, relay->url);
  g_assert_cmpint (beacon_socket_get_state (beacon_session_get_socket (session)), ==,
                   BEACON_SOCKET_STATE_DISCONNECTED);
  g_assert_cmpuint (beacon_session_get_next_retry_in (session), ==, 0);

  g_clear_object (&session);
  test_relay_free (relay);
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

static gboolean
own_status_is_away (gpointer data)
{
  return g_strcmp0 (beacon_session_get_own_status (data), "away") == 0;
}

static void
test_set_status (void)
{
  TestServer              *server = test_server_start (test_default_world, NULL);
  TestClient              *b = test_client_connect_user (server, "b");
  BeaconSession           *session = session_for (server, NULL, "a");
  g_autofree char         *token = test_server_token (server, "a", 3600);
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError)       error = NULL;
  g_autoptr (JsonNode)     me = NULL;
  TestClient              *other;

  wait_state (session, BEACON_SESSION_STATE_ONLINE);
  g_assert_cmpstr (beacon_session_get_own_status (session), ==, "online");
  beacon_session_set_status_async (session, "busy", "In a meeting", NULL, on_done, &result);
  g_assert_true (beacon_session_set_status_finish (session, wait_result (&result), &error));
  g_assert_no_error (error);
  g_assert_cmpstr (beacon_session_get_own_status (session), ==, "busy");
  g_assert_cmpstr (beacon_session_get_custom_message (session), ==, "In a meeting");
  {
    g_autoptr (JsonNode) record = test_client_wait_status (b, "a", "busy");

    g_assert_cmpstr (test_json_string (record, "custom_message"), ==, "In a meeting");
  }

  g_clear_object (&result);
  beacon_session_set_status_async (session, "sleeping", NULL, NULL, on_done, &result);
  g_assert_false (beacon_session_set_status_finish (session, wait_result (&result), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_cmpstr (beacon_session_get_own_status (session), ==, "busy");

  /* Another device of ours changes it: we follow. */
  other = test_client_connect_user (server, "a");
  test_client_emit (other, "update_status", "{\"status\":\"away\",\"message\":\"Back soon\"}",
                    FALSE);
  test_wait_until (own_status_is_away, session);
  g_assert_cmpstr (beacon_session_get_custom_message (session), ==, "Back soon");
  test_client_free (other);

  /* Not connected: through REST. */
  beacon_session_stop (session);
  g_clear_object (&result);
  g_clear_error (&error);
  beacon_session_set_status_async (session, "online", NULL, NULL, on_done, &result);
  g_assert_true (beacon_session_set_status_finish (session, wait_result (&result), &error));
  g_assert_no_error (error);
  g_assert_cmpstr (beacon_session_get_own_status (session), ==, "online");
  g_assert_null (beacon_session_get_custom_message (session));
  g_assert_cmpuint (test_rest (server, "GET", "/api/me", token, NULL, &me), ==, 200);
  g_assert_cmpstr (test_json_string (me, "status"), ==, "online");

  g_clear_object (&result);
  session_free (session);
  test_client_free (b);
  test_server_free (server);
}

static void
test_token_refused_by_rest (void)
{
  TestServer                    *server = test_server_start (test_default_world, NULL);
  BeaconSession                 *session = session_for (server, NULL, "a");
  g_autofree char               *expired = test_server_token (server, "a", -60);
  g_autoptr (GAsyncResult)       result = NULL;
  g_autoptr (GError)             error = NULL;
  g_autoptr (BeaconConversation) conversation = NULL;

  wait_state (session, BEACON_SESSION_STATE_ONLINE);
  /* The token runs out while the session is on: the next REST answer ends it. */
  beacon_api_set_token (beacon_session_get_api (session), expired);
  beacon_session_open_conversation_async (session, "b", NULL, on_done, &result);
  conversation = beacon_session_open_conversation_finish (session, wait_result (&result), &error);
  g_assert_null (conversation);
  g_assert_error (error, BEACON_API_ERROR, BEACON_API_ERROR_TOKEN_EXPIRED);
  g_assert_cmpint (beacon_session_get_state (session), ==, BEACON_SESSION_STATE_UNAUTHORIZED);
  g_assert_cmpint (beacon_socket_get_state (beacon_session_get_socket (session)), ==,
                   BEACON_SOCKET_STATE_DISCONNECTED);

  g_clear_object (&result);
  session_free (session);
  test_server_free (server);
}

/* ---- conversations ---- */

typedef struct
{
  GPtrArray *messages; /* BeaconMessage received, in order */
  guint      reads;    /* conversation-read */
} Inbox;

static void
on_message_received (BeaconSession      *session,
                     BeaconConversation *conversation,
                     BeaconMessage      *message,
                     Inbox              *inbox)
{
  g_assert_cmpstr (beacon_conversation_get_id (conversation), ==,
                   beacon_message_get_conversation_id (message));
  g_ptr_array_add (inbox->messages, g_object_ref (message));
}

static void
on_conversation_read (BeaconSession *session, BeaconConversation *conversation, Inbox *inbox)
{
  inbox->reads++;
}

static void
inbox_init (Inbox *inbox, BeaconSession *session)
{
  inbox->messages = g_ptr_array_new_with_free_func (g_object_unref);
  inbox->reads = 0;
  g_signal_connect (session, "message-received", G_CALLBACK (on_message_received), inbox);
  g_signal_connect (session, "conversation-read", G_CALLBACK (on_conversation_read), inbox);
}

static void
inbox_clear (Inbox *inbox, BeaconSession *session)
{
  g_signal_handlers_disconnect_by_data (session, inbox);
  g_ptr_array_unref (inbox->messages);
}

static gboolean
inbox_not_empty (gpointer data)
{
  return ((Inbox *) data)->messages->len > 0;
}

static BeaconConversation *
open_conversation (BeaconSession *session, const char *partner_id)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError)       error = NULL;
  BeaconConversation      *conversation;

  beacon_session_open_conversation_async (session, partner_id, NULL, on_done, &result);
  conversation = beacon_session_open_conversation_finish (session, wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_nonnull (conversation);
  return conversation;
}

static gboolean
send_text (BeaconSession      *session,
           BeaconConversation *conversation,
           const char         *text,
           GError            **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  beacon_session_send_message_async (session, conversation, text, NULL, on_done, &result);
  return beacon_session_send_message_finish (session, wait_result (&result), error);
}

static gboolean
load_older (BeaconSession *session, BeaconConversation *conversation)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError)       error = NULL;
  gboolean                 ok;

  beacon_session_load_older_async (session, conversation, NULL, on_done, &result);
  ok = beacon_session_load_older_finish (session, wait_result (&result), &error);
  g_assert_no_error (error);
  return ok;
}

/* Returns: (transfer full): the conversation's newest message */
static BeaconMessage *
last_message (BeaconConversation *conversation)
{
  GListModel *list = G_LIST_MODEL (beacon_conversation_get_messages (conversation));
  guint       n = g_list_model_get_n_items (list);

  g_assert_cmpuint (n, >, 0);
  return g_list_model_get_item (list, n - 1);
}

typedef struct
{
  BeaconMessage     *message;
  BeaconMessageState state;
} StateOf;

static gboolean
message_reached (gpointer data)
{
  StateOf *want = data;

  return beacon_message_get_state (want->message) == want->state;
}

static gboolean
no_unread (gpointer data)
{
  return beacon_conversation_get_unread_count (data) == 0;
}

static void
test_messages_both_ways (void)
{
  TestServer                    *server = test_server_start (test_default_world, NULL);
  BeaconSession                 *ann = session_for (server, NULL, "a");
  BeaconSession                 *ben = session_for (server, NULL, "b");
  g_autoptr (BeaconConversation) conversation = NULL;
  g_autoptr (GError)             error = NULL;
  g_autoptr (BeaconMessage)      sent = NULL;
  BeaconConversation            *bens;
  BeaconMessage                 *received;
  Inbox                          ann_inbox, ben_inbox;
  StateOf                        want;

  inbox_init (&ann_inbox, ann);
  inbox_init (&ben_inbox, ben);
  wait_state (ann, BEACON_SESSION_STATE_ONLINE);
  wait_state (ben, BEACON_SESSION_STATE_ONLINE);

  /* Ann writes: pending at once, then confirmed and delivered (Ben is online). */
  conversation = open_conversation (ann, "b");
  g_assert_cmpstr (beacon_conversation_get_partner_id (conversation), ==, "b");
  g_assert_true (beacon_conversation_store_lookup (beacon_session_get_conversations (ann),
                                                   beacon_conversation_get_id (conversation)) ==
                 conversation);
  g_assert_true (send_text (ann, conversation, "Hello Ben", &error));
  g_assert_no_error (error);
  sent = last_message (conversation);
  g_assert_nonnull (beacon_message_get_id (sent));
  g_assert_cmpstr (beacon_message_get_content (sent), ==, "Hello Ben");
  want = (StateOf){ sent, BEACON_MESSAGE_DELIVERED };
  test_wait_until (message_reached, &want);
  g_assert_cmpuint (ann_inbox.messages->len, ==, 0);

  /* Ben receives it: signal, conversation, unread on the contact. */
  test_wait_until (inbox_not_empty, &ben_inbox);
  received = g_ptr_array_index (ben_inbox.messages, 0);
  g_assert_cmpstr (beacon_message_get_content (received), ==, "Hello Ben");
  g_assert_cmpstr (beacon_message_get_id (received), ==, beacon_message_get_id (sent));
  g_assert_false (beacon_message_get_outgoing (received));
  bens = beacon_conversation_store_lookup (beacon_session_get_conversations (ben),
                                           beacon_conversation_get_id (conversation));
  g_assert_nonnull (bens);
  g_assert_cmpuint (beacon_conversation_get_unread_count (bens), ==, 1);
  g_assert_cmpuint (beacon_contact_get_unread_count (
                        beacon_presence_store_lookup (beacon_session_get_contacts (ben), "a")),
                    ==, 1);

  /* Ben reads: unread 0 here (conversation-read), READ on Ann's side. */
  beacon_session_mark_read (ben, bens);
  g_assert_cmpuint (beacon_conversation_get_unread_count (bens), ==, 0);
  g_assert_cmpuint (beacon_contact_get_unread_count (
                        beacon_presence_store_lookup (beacon_session_get_contacts (ben), "a")),
                    ==, 0);
  g_assert_cmpuint (ben_inbox.reads, ==, 1);
  want = (StateOf){ sent, BEACON_MESSAGE_READ };
  test_wait_until (message_reached, &want);

  /* And back. */
  g_assert_true (send_text (ben, bens, "Hi Ann", &error));
  g_assert_no_error (error);
  test_wait_until (inbox_not_empty, &ann_inbox);
  g_assert_cmpstr (beacon_message_get_content (g_ptr_array_index (ann_inbox.messages, 0)), ==,
                   "Hi Ann");
  g_assert_cmpuint (ann_inbox.messages->len, ==, 1);
  g_assert_cmpuint (beacon_contact_get_unread_count (
                        beacon_presence_store_lookup (beacon_session_get_contacts (ann), "b")),
                    ==, 1);
  g_assert_cmpuint (ben_inbox.messages->len, ==, 1);

  inbox_clear (&ann_inbox, ann);
  inbox_clear (&ben_inbox, ben);
  g_clear_object (&sent);
  g_clear_object (&conversation);
  session_free (ann);
  session_free (ben);
  test_server_free (server);
}

static void
test_message_refused (void)
{
  TestServer                    *server = test_server_start (test_default_world, NULL);
  BeaconSession                 *ann = session_for (server, NULL, "a");
  g_autoptr (BeaconConversation) unknown = beacon_conversation_new ("no-such-id", "b", "a");
  g_autoptr (GError)             error = NULL;
  g_autoptr (BeaconMessage)      failed = NULL;

  wait_state (ann, BEACON_SESSION_STATE_ONLINE);
  g_assert_false (send_text (ann, unknown, "Hello?", &error));
  g_assert_error (error, BEACON_API_ERROR, BEACON_API_ERROR_NOT_FOUND);
  failed = last_message (unknown);
  g_assert_cmpint (beacon_message_get_state (failed), ==, BEACON_MESSAGE_FAILED);

  session_free (ann);
  test_server_free (server);
}

static void
test_history_and_unread (void)
{
  const char      *env[] = { "BEACON_RATE_LIMIT_PER_S=1000", "BEACON_RATE_LIMIT_BURST=1000", NULL };
  TestServer      *server = test_server_start (test_default_world, env);
  TestClient      *b = test_client_connect_user (server, "b");
  g_autofree char *token = test_server_token (server, "b", 3600);
  g_autoptr (JsonNode) body = NULL;
  BeaconSession       *ann;
  BeaconConversation  *conversation;
  BeaconMessageList   *list;
  g_autofree char     *id = NULL;

  g_assert_cmpuint (
      test_rest (server, "POST", "/api/conversations", token, "{\"partner_id\":\"a\"}", &body), ==,
      200);
  id = g_strdup (test_json_string (body, "id"));
  for (guint i = 0; i < 55; i++)
    {
      g_autofree char *message =
          g_strdup_printf ("{\"conversationId\":\"%s\",\"content\":\"m%u\"}", id, i);

      json_node_unref (
          test_client_wait_ack (b, test_client_emit (b, "send_message", message, TRUE)));
    }

  /* The hydration brings the conversation and its unread count, shown on the contact. */
  ann = session_for (server, NULL, "a");
  wait_state (ann, BEACON_SESSION_STATE_ONLINE);
  conversation = beacon_conversation_store_lookup (beacon_session_get_conversations (ann), id);
  g_assert_nonnull (conversation);
  g_assert_cmpuint (beacon_conversation_get_unread_count (conversation), ==, 55);
  g_assert_cmpuint (beacon_contact_get_unread_count (
                        beacon_presence_store_lookup (beacon_session_get_contacts (ann), "b")),
                    ==, 55);

  /* History in pages of 50, oldest first. */
  list = beacon_conversation_get_messages (conversation);
  g_assert_true (load_older (ann, conversation));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 50);
  g_assert_true (beacon_message_list_get_has_more (list));
  g_assert_true (load_older (ann, conversation));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 55);
  g_assert_false (beacon_message_list_get_has_more (list));
  {
    g_autoptr (BeaconMessage) first = g_list_model_get_item (G_LIST_MODEL (list), 0);
    g_autoptr (BeaconMessage) last = g_list_model_get_item (G_LIST_MODEL (list), 54);

    g_assert_cmpstr (beacon_message_get_content (first), ==, "m0");
    g_assert_cmpstr (beacon_message_get_content (last), ==, "m54");
  }

  /* Marked read up to the last one: b hears of it. */
  test_client_clear (b, NULL);
  beacon_session_mark_read (ann, conversation);
  {
    g_autoptr (JsonNode)      read = test_client_wait_event (b, "message:read");
    g_autoptr (BeaconMessage) last = g_list_model_get_item (G_LIST_MODEL (list), 54);

    g_assert_cmpstr (test_json_string (read, "readerId"), ==, "a");
    g_assert_cmpstr (test_json_string (read, "upTo"), ==, beacon_message_get_id (last));
  }
  g_assert_cmpuint (beacon_contact_get_unread_count (
                        beacon_presence_store_lookup (beacon_session_get_contacts (ann), "b")),
                    ==, 0);

  session_free (ann);
  test_client_free (b);
  test_server_free (server);
}

static void
test_mark_read_loads_newest (void)
{
  TestServer          *server = test_server_start (test_default_world, NULL);
  TestClient          *b = test_client_connect_user (server, "b");
  g_autofree char     *token = test_server_token (server, "b", 3600);
  g_autoptr (JsonNode) body = NULL;
  g_autofree char     *id = NULL;
  g_autofree char     *message = NULL;
  g_autoptr (JsonNode) ack = NULL;
  BeaconSession       *ann;
  BeaconConversation  *conversation;

  g_assert_cmpuint (
      test_rest (server, "POST", "/api/conversations", token, "{\"partner_id\":\"a\"}", &body), ==,
      200);
  id = g_strdup (test_json_string (body, "id"));
  message = g_strdup_printf ("{\"conversationId\":\"%s\",\"content\":\"ping\"}", id);
  ack = test_client_wait_ack (b, test_client_emit (b, "send_message", message, TRUE));

  ann = session_for (server, NULL, "a");
  wait_state (ann, BEACON_SESSION_STATE_ONLINE);
  conversation = beacon_conversation_store_lookup (beacon_session_get_conversations (ann), id);
  g_assert_cmpuint (beacon_conversation_get_unread_count (conversation), ==, 1);

  /* No message loaded yet: the newest page comes first, then the mark. */
  test_client_clear (b, NULL);
  beacon_session_mark_read (ann, conversation);
  {
    g_autoptr (JsonNode) read = test_client_wait_event (b, "message:read");
    JsonNode            *stored = json_object_get_member (json_node_get_object (ack), "message");

    g_assert_cmpstr (test_json_string (read, "upTo"), ==, test_json_string (stored, "id"));
  }
  test_wait_until (no_unread, conversation);

  session_free (ann);
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
  g_test_add_func ("/session/offline-and-retry-now", test_offline_and_retry_now);
  g_test_add_func ("/session/expired-token", test_expired_token);
  g_test_add_func ("/session/token-refused-on-reconnect", test_token_refused_on_reconnect);
  g_test_add_func ("/session/heartbeat", test_heartbeat);
  g_test_add_func ("/session/contact-online", test_contact_online);
  g_test_add_func ("/session/set-status", test_set_status);
  g_test_add_func ("/session/token-refused-by-rest", test_token_refused_by_rest);
  g_test_add_func ("/session/messages/both-ways", test_messages_both_ways);
  g_test_add_func ("/session/messages/refused", test_message_refused);
  g_test_add_func ("/session/messages/history-and-unread", test_history_and_unread);
  g_test_add_func ("/session/messages/mark-read-loads-newest", test_mark_read_loads_newest);

  return g_test_run ();
}

/* test-api.c: integration tests of BeaconApi against a real beacon-server (every route,
 * server errors), a closed port, an HTML page, plain http and cancellation. */

#include "config.h"

#include <string.h>

#include "beacon-api.h"
#include "harness.h"

static gboolean
have_result (gpointer data)
{
  return *(GAsyncResult **) data != NULL;
}

static void
on_done (GObject *source, GAsyncResult *result, gpointer data)
{
  *(GAsyncResult **) data = g_object_ref (result);
}

/* Runs the main context until the call that was given &slot as user data is done. */
static GAsyncResult *
await_result (GAsyncResult **slot)
{
  test_wait_until (have_result, slot);
  return *slot;
}

static BeaconApi *
api_for (TestServer *server, const char *user_id)
{
  BeaconApi *api = beacon_api_new (server->base_url);

  if (user_id != NULL)
    {
      g_autofree char *token = test_server_token (server, user_id, 3600);

      beacon_api_set_token (api, token);
      beacon_api_set_user_id (api, user_id);
    }
  return api;
}

static void
test_login (void)
{
  TestServer               *server = test_server_start (test_default_world, NULL);
  g_autoptr (BeaconApi)     api = api_for (server, NULL);
  g_autoptr (GError)        error = NULL;
  g_autoptr (BeaconApiUser) user = NULL;
  g_autofree char          *token = NULL;

  {
    g_autoptr (GAsyncResult) result = NULL;

    beacon_api_login_async (api, "a@test", "pw", NULL, on_done, &result);
    token = beacon_api_login_finish (api, await_result (&result), &user, &error);
    g_assert_no_error (error);
    g_assert_nonnull (token);
    g_assert_cmpstr (beacon_api_get_token (api), ==, token);
    g_assert_cmpstr (beacon_api_get_user_id (api), ==, "a");
    g_assert_cmpstr (user->id, ==, "a");
    g_assert_cmpstr (user->name, ==, "Ann");
    g_assert_cmpstr (user->email, ==, "a@test");
    g_assert_cmpstr (user->role, ==, "CLIENT");
  }
  {
    g_autoptr (GAsyncResult) result = NULL;
    g_autofree char         *none = NULL;

    beacon_api_login_async (api, "a@test", "nope", NULL, on_done, &result);
    none = beacon_api_login_finish (api, await_result (&result), NULL, &error);
    g_assert_null (none);
    g_assert_error (error, BEACON_API_ERROR, BEACON_API_ERROR_INVALID_CREDENTIALS);
    g_assert_cmpstr (beacon_api_error_sentence (error), ==, "Wrong email or password.");
    g_clear_error (&error);
    /* A failed login leaves the earlier token alone. */
    g_assert_cmpstr (beacon_api_get_token (api), ==, token);
  }
  /* Wrong passwords until the throttle (10 attempts a minute per address, two already). */
  for (guint i = 0;; i++)
    {
      g_autoptr (GAsyncResult) result = NULL;
      g_autofree char         *none = NULL;

      g_assert_cmpuint (i, <=, 10);
      beacon_api_login_async (api, "b@test", "bad", NULL, on_done, &result);
      none = beacon_api_login_finish (api, await_result (&result), NULL, &error);
      g_assert_null (none);
      g_assert_true (error != NULL && error->domain == BEACON_API_ERROR);
      if (error->code == BEACON_API_ERROR_RATE_LIMITED)
        {
          g_assert_cmpuint (i, ==, 8);
          g_assert_cmpstr (beacon_api_error_sentence (error), ==,
                           "Too many attempts. Please wait a minute.");
          break;
        }
      g_assert_error (error, BEACON_API_ERROR, BEACON_API_ERROR_INVALID_CREDENTIALS);
      g_clear_error (&error);
    }
  test_server_free (server);
}

static void
test_me_friends_presence (void)
{
  TestServer           *server = test_server_start (test_default_world, NULL);
  g_autoptr (BeaconApi) api = api_for (server, "a");
  TestClient           *a = test_client_connect_user (server, "a");
  TestClient           *b = test_client_connect_user (server, "b");
  g_autoptr (GError)    error = NULL;

  {
    g_autoptr (GAsyncResult)  result = NULL;
    g_autoptr (BeaconApiUser) me = NULL;

    beacon_api_get_me_async (api, NULL, on_done, &result);
    me = beacon_api_get_me_finish (api, await_result (&result), &error);
    g_assert_no_error (error);
    g_assert_cmpstr (me->id, ==, "a");
    g_assert_cmpstr (me->email, ==, "a@test");
    g_assert_cmpstr (me->status, ==, "online");
  }
  {
    g_autoptr (GAsyncResult) result = NULL;
    g_autoptr (GPtrArray)    friends = NULL;
    gboolean                 seen_f = FALSE;

    beacon_api_get_friends_async (api, NULL, on_done, &result);
    friends = beacon_api_get_friends_finish (api, await_result (&result), &error);
    g_assert_no_error (error);
    g_assert_cmpuint (friends->len, ==, 3);
    for (guint i = 0; i < friends->len; i++)
      {
        BeaconApiUser *user = g_ptr_array_index (friends, i);

        g_assert_nonnull (user->name);
        if (g_str_equal (user->id, "f"))
          {
            seen_f = TRUE;
            g_assert_cmpstr (user->role, ==, "FREELANCER");
          }
      }
    g_assert_true (seen_f);
  }
  {
    g_autoptr (GAsyncResult) result = NULL;
    g_autoptr (GHashTable)   online = NULL;
    g_autoptr (GPtrArray)    records = NULL;

    beacon_api_get_online_status_async (api, NULL, on_done, &result);
    g_assert_true (beacon_api_get_online_status_finish (api, await_result (&result), &online,
                                                        &records, &error));
    g_assert_no_error (error);
    g_assert_true (GPOINTER_TO_INT (g_hash_table_lookup (online, "b")));
    g_assert_true (g_hash_table_contains (online, "c"));
    g_assert_false (GPOINTER_TO_INT (g_hash_table_lookup (online, "c")));
    g_assert_cmpuint (records->len, ==, 3);
  }
  {
    g_autoptr (GAsyncResult)         result = NULL;
    g_autoptr (BeaconPresenceRecord) record = NULL;

    beacon_api_get_presence_async (api, "b", NULL, on_done, &result);
    record = beacon_api_get_presence_finish (api, await_result (&result), &error);
    g_assert_no_error (error);
    g_assert_cmpstr (record->user_id, ==, "b");
    g_assert_cmpint (record->status, ==, BEACON_PRESENCE_ONLINE);
  }
  {
    g_autoptr (GAsyncResult)         result = NULL;
    g_autoptr (BeaconPresenceRecord) record = NULL;

    /* Not a contact: 404. */
    beacon_api_get_presence_async (api, "d", NULL, on_done, &result);
    record = beacon_api_get_presence_finish (api, await_result (&result), &error);
    g_assert_null (record);
    g_assert_error (error, BEACON_API_ERROR, BEACON_API_ERROR_NOT_FOUND);
    g_clear_error (&error);
  }
  {
    g_autoptr (GAsyncResult)         result = NULL;
    g_autoptr (BeaconPresenceRecord) record = NULL;

    beacon_api_set_status_async (api, "away", "Back at 3", NULL, on_done, &result);
    record = beacon_api_set_status_finish (api, await_result (&result), &error);
    g_assert_no_error (error);
    g_assert_cmpstr (record->user_id, ==, "a");
    g_assert_cmpint (record->status, ==, BEACON_PRESENCE_AWAY);
    g_assert_cmpstr (record->custom_message, ==, "Back at 3");
  }
  {
    g_autoptr (GAsyncResult)         result = NULL;
    g_autoptr (BeaconPresenceRecord) record = NULL;

    beacon_api_set_status_async (api, "sleeping", NULL, NULL, on_done, &result);
    record = beacon_api_set_status_finish (api, await_result (&result), &error);
    g_assert_null (record);
    g_assert_error (error, BEACON_API_ERROR, BEACON_API_ERROR_BAD_REQUEST);
    g_assert_cmpstr (error->message, !=, "");
    g_clear_error (&error);
  }
  test_client_free (b);
  test_client_free (a);
  test_server_free (server);
}

static void
test_settings (void)
{
  TestServer           *server = test_server_start (test_default_world, NULL);
  g_autoptr (BeaconApi) api = api_for (server, "a");
  g_autoptr (GError)    error = NULL;
  gboolean              show_online = FALSE;

  {
    g_autoptr (GAsyncResult) result = NULL;
    g_autofree char         *last_seen = NULL;

    beacon_api_get_settings_async (api, NULL, on_done, &result);
    g_assert_true (
        beacon_api_settings_finish (api, await_result (&result), &show_online, &last_seen, &error));
    g_assert_no_error (error);
    g_assert_true (show_online);
    g_assert_cmpstr (last_seen, ==, "everyone");
  }
  {
    g_autoptr (GAsyncResult) result = NULL;
    g_autofree char         *last_seen = NULL;

    beacon_api_set_settings_async (api, FALSE, "contacts", NULL, on_done, &result);
    g_assert_true (
        beacon_api_settings_finish (api, await_result (&result), &show_online, &last_seen, &error));
    g_assert_no_error (error);
    g_assert_false (show_online);
    g_assert_cmpstr (last_seen, ==, "contacts");
  }
  {
    g_autoptr (GAsyncResult) result = NULL;
    g_autofree char         *last_seen = NULL;

    beacon_api_get_settings_async (api, NULL, on_done, &result);
    g_assert_true (
        beacon_api_settings_finish (api, await_result (&result), &show_online, &last_seen, &error));
    g_assert_false (show_online);
    g_assert_cmpstr (last_seen, ==, "contacts");
  }
  {
    g_autoptr (GAsyncResult) result = NULL;

    beacon_api_set_settings_async (api, TRUE, "martians", NULL, on_done, &result);
    g_assert_false (beacon_api_settings_finish (api, await_result (&result), NULL, NULL, &error));
    g_assert_error (error, BEACON_API_ERROR, BEACON_API_ERROR_BAD_REQUEST);
    g_clear_error (&error);
  }
  test_server_free (server);
}

/* list_providers, waited for. */
static JsonArray *
list_providers (BeaconApi  *api,
                const char *online,
                const char *active_within,
                const char *last_seen,
                const char *q,
                int         limit,
                int         offset,
                guint      *total,
                GError    **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  beacon_api_list_providers_async (api, online, active_within, last_seen, q, limit, offset, NULL,
                                   on_done, &result);
  return beacon_api_list_providers_finish (api, await_result (&result), total, error);
}

static const char *
provider_id (JsonArray *providers, guint index)
{
  return json_object_get_string_member (json_array_get_object_element (providers, index), "id");
}

static void
test_providers (void)
{
  TestServer           *server = test_server_start (test_default_world, NULL);
  g_autoptr (BeaconApi) api = api_for (server, NULL);
  TestClient           *f = test_client_connect_user (server, "f");
  g_autoptr (GError)    error = NULL;
  guint                 total = 0;

  {
    g_autoptr (JsonArray) providers =
        list_providers (api, NULL, NULL, NULL, NULL, -1, -1, &total, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (json_array_get_length (providers), ==, 2);
    g_assert_cmpuint (total, ==, 2);
  }
  {
    g_autoptr (JsonArray) providers =
        list_providers (api, "online", NULL, NULL, NULL, -1, -1, &total, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (json_array_get_length (providers), ==, 1);
    g_assert_cmpstr (provider_id (providers, 0), ==, "f");
  }
  {
    /* The search reaches the server: only the translator matches. */
    g_autoptr (JsonArray) providers =
        list_providers (api, NULL, NULL, NULL, "translat", 1, 0, &total, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (total, ==, 1);
    g_assert_cmpstr (provider_id (providers, 0), ==, "g");
  }
  {
    /* A query with a space is escaped whole: "GTK dev" finds Fay's "GTK developer". */
    g_autoptr (JsonArray) providers =
        list_providers (api, NULL, NULL, NULL, "GTK dev", 10, 0, &total, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (total, ==, 1);
    g_assert_cmpstr (provider_id (providers, 0), ==, "f");
  }
  {
    /* "&" must not split the query: unescaped, the server would search "GTK " and find Fay;
     * nobody's name or headline holds "GTK & dev". */
    g_autoptr (JsonArray) providers =
        list_providers (api, NULL, NULL, NULL, "GTK & dev", 10, 0, &total, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (total, ==, 0);
    g_assert_cmpuint (json_array_get_length (providers), ==, 0);
  }
  {
    g_autoptr (JsonArray) providers =
        list_providers (api, "maybe", NULL, NULL, NULL, -1, -1, &total, &error);

    g_assert_null (providers);
    g_assert_error (error, BEACON_API_ERROR, BEACON_API_ERROR_BAD_REQUEST);
    g_clear_error (&error);
  }
  test_client_free (f);
  test_server_free (server);
}

static void
test_conversations (void)
{
  TestServer            *server = test_server_start (test_default_world, NULL);
  g_autoptr (BeaconApi)  api_a = api_for (server, "a");
  g_autoptr (BeaconApi)  api_b = api_for (server, "b");
  TestClient            *a = test_client_connect_user (server, "a");
  g_autoptr (GError)     error = NULL;
  g_autoptr (JsonObject) conversation = NULL;
  g_autofree char       *conv = NULL;
  g_autofree char       *oldest_id = NULL;

  {
    g_autoptr (GAsyncResult) result = NULL;

    beacon_api_open_conversation_async (api_a, "b", NULL, on_done, &result);
    conversation = beacon_api_open_conversation_finish (api_a, await_result (&result), &error);
    g_assert_no_error (error);
    conv = g_strdup (json_object_get_string_member (conversation, "id"));
  }
  {
    g_autoptr (GAsyncResult) result = NULL;
    g_autoptr (JsonObject)   again = NULL;

    beacon_api_open_conversation_async (api_b, "a", NULL, on_done, &result);
    again = beacon_api_open_conversation_finish (api_b, await_result (&result), &error);
    g_assert_no_error (error);
    g_assert_cmpstr (json_object_get_string_member (again, "id"), ==, conv);
  }
  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *payload =
          g_strdup_printf ("{\"conversationId\":\"%s\",\"content\":\"m%u\"}", conv, i);
      g_autoptr (JsonNode) ack =
          test_client_wait_ack (a, test_client_emit (a, "send_message", payload, TRUE));

      g_assert_true (test_json_bool (ack, "ok"));
    }
  {
    g_autoptr (GAsyncResult) result = NULL;
    g_autoptr (JsonArray)    list = NULL;
    JsonObject              *first;

    beacon_api_list_conversations_async (api_b, NULL, on_done, &result);
    list = beacon_api_list_conversations_finish (api_b, await_result (&result), &error);
    g_assert_no_error (error);
    g_assert_cmpuint (json_array_get_length (list), ==, 1);
    first = json_array_get_object_element (list, 0);
    g_assert_cmpstr (json_object_get_string_member (first, "id"), ==, conv);
    g_assert_cmpint (json_object_get_int_member (first, "unread_count"), ==, 5);
    g_assert_cmpstr (
        json_object_get_string_member (json_object_get_object_member (first, "partner"), "id"), ==,
        "a");
  }
  {
    g_autoptr (GAsyncResult) result = NULL;
    g_autoptr (JsonArray)    page = NULL;

    beacon_api_list_messages_async (api_b, conv, NULL, 3, NULL, on_done, &result);
    page = beacon_api_list_messages_finish (api_b, await_result (&result), &error);
    g_assert_no_error (error);
    g_assert_cmpuint (json_array_get_length (page), ==, 3);
    g_assert_cmpstr (
        json_object_get_string_member (json_array_get_object_element (page, 0), "content"), ==,
        "m2");
    g_assert_cmpstr (
        json_object_get_string_member (json_array_get_object_element (page, 2), "content"), ==,
        "m4");
    oldest_id =
        g_strdup (json_object_get_string_member (json_array_get_object_element (page, 0), "id"));
  }
  {
    g_autoptr (GAsyncResult) result = NULL;
    g_autoptr (JsonArray)    page = NULL;

    beacon_api_list_messages_async (api_b, conv, oldest_id, 3, NULL, on_done, &result);
    page = beacon_api_list_messages_finish (api_b, await_result (&result), &error);
    g_assert_no_error (error);
    g_assert_cmpuint (json_array_get_length (page), ==, 2);
    g_assert_cmpstr (
        json_object_get_string_member (json_array_get_object_element (page, 0), "content"), ==,
        "m0");
  }
  {
    g_autoptr (GAsyncResult) result = NULL;
    g_autoptr (BeaconApi)    api_c = api_for (server, "c");
    g_autoptr (JsonArray)    page = NULL;

    /* Not a participant. */
    beacon_api_list_messages_async (api_c, conv, NULL, -1, NULL, on_done, &result);
    page = beacon_api_list_messages_finish (api_c, await_result (&result), &error);
    g_assert_null (page);
    g_assert_error (error, BEACON_API_ERROR, BEACON_API_ERROR_NOT_FOUND);
    g_clear_error (&error);
  }
  test_client_free (a);
  test_server_free (server);
}

static void
test_token_errors (void)
{
  TestServer           *server = test_server_start (test_default_world, NULL);
  g_autoptr (BeaconApi) api = api_for (server, NULL);
  g_autofree char      *expired = test_server_token (server, "a", -10);
  g_autoptr (GError)    error = NULL;

  {
    g_autoptr (GAsyncResult)  result = NULL;
    g_autoptr (BeaconApiUser) me = NULL;

    beacon_api_get_me_async (api, NULL, on_done, &result);
    me = beacon_api_get_me_finish (api, await_result (&result), &error);
    g_assert_null (me);
    g_assert_error (error, BEACON_API_ERROR, BEACON_API_ERROR_TOKEN_MISSING);
    g_clear_error (&error);
  }
  beacon_api_set_token (api, expired);
  {
    g_autoptr (GAsyncResult) result = NULL;
    g_autoptr (GPtrArray)    friends = NULL;

    beacon_api_get_friends_async (api, NULL, on_done, &result);
    friends = beacon_api_get_friends_finish (api, await_result (&result), &error);
    g_assert_null (friends);
    g_assert_error (error, BEACON_API_ERROR, BEACON_API_ERROR_TOKEN_EXPIRED);
    g_assert_cmpstr (error->message, !=, "");
    g_clear_error (&error);
  }
  beacon_api_set_token (api, "not.a.token");
  {
    g_autoptr (GAsyncResult) result = NULL;
    g_autoptr (GPtrArray)    friends = NULL;

    beacon_api_get_friends_async (api, NULL, on_done, &result);
    friends = beacon_api_get_friends_finish (api, await_result (&result), &error);
    g_assert_error (error, BEACON_API_ERROR, BEACON_API_ERROR_TOKEN_INVALID);
    g_clear_error (&error);
  }
  test_server_free (server);
}

static guint
closed_port (void)
{
  g_autoptr (GSocket) socket =
      g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr (GInetAddress)   loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr (GSocketAddress) bound = NULL;
  g_autoptr (GError)         error = NULL;

  g_assert_true (g_socket_bind (socket, any, FALSE, &error));
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  /* Bound but never listening: connecting is refused. */
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

static void
test_network_error (void)
{
  guint                    port = closed_port ();
  g_autofree char         *url = g_strdup_printf ("http://127.0.0.1:%u", port);
  g_autoptr (BeaconApi)    api = beacon_api_new (url);
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError)       error = NULL;
  g_autofree char         *token = NULL;

  beacon_api_login_async (api, "a@test", "pw", NULL, on_done, &result);
  token = beacon_api_login_finish (api, await_result (&result), NULL, &error);
  g_assert_null (token);
  g_assert_error (error, BEACON_API_ERROR, BEACON_API_ERROR_NETWORK);
  g_assert_cmpstr (beacon_api_error_sentence (error), ==, "Cannot reach the server.");
}

/* A tiny HTTP peer on loopback (GSocketService): it answers every request with the same
 * canned response, or never when that is NULL. Connections stay open until it stops. */
typedef struct
{
  GSocketService *service;
  char           *url;
  const char     *answer;
  GPtrArray      *held; /* GSocketConnection */
  char            buffer[4096];
} FakeServer;

static void
on_request_read (GObject *source, GAsyncResult *result, gpointer data)
{
  FakeServer        *fake = data;
  g_autoptr (GError) error = NULL;
  gssize             n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);

  if (n > 0 && fake->answer != NULL)
    {
      GSocketConnection *connection = g_ptr_array_index (fake->held, fake->held->len - 1);

      g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)),
                                 fake->answer, strlen (fake->answer), NULL, NULL, NULL);
    }
}

static gboolean
on_incoming (GSocketService    *service,
             GSocketConnection *connection,
             GObject           *source_object,
             gpointer           data)
{
  FakeServer *fake = data;

  g_ptr_array_add (fake->held, g_object_ref (connection));
  g_input_stream_read_async (g_io_stream_get_input_stream (G_IO_STREAM (connection)), fake->buffer,
                             sizeof fake->buffer, G_PRIORITY_DEFAULT, NULL, on_request_read, fake);
  return TRUE;
}

static FakeServer *
fake_server_start (const char *answer)
{
  FakeServer                *fake = g_new0 (FakeServer, 1);
  g_autoptr (GInetAddress)   loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr (GSocketAddress) bound = NULL;
  g_autoptr (GError)         error = NULL;

  fake->answer = answer;
  fake->held = g_ptr_array_new_with_free_func (g_object_unref);
  fake->service = g_socket_service_new ();
  g_socket_listener_add_address (G_SOCKET_LISTENER (fake->service), address, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error);
  g_assert_no_error (error);
  g_signal_connect (fake->service, "incoming", G_CALLBACK (on_incoming), fake);
  g_socket_service_start (fake->service);
  fake->url = g_strdup_printf ("http://127.0.0.1:%u/",
                               g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  return fake;
}

static gboolean
no_more_pending (gpointer data)
{
  return !g_main_context_pending (NULL);
}

/* Drops the client first (its connections close), then the peer. */
static void
fake_server_stop (FakeServer *fake, BeaconApi **api)
{
  g_clear_object (api);
  g_socket_service_stop (fake->service);
  g_socket_listener_close (G_SOCKET_LISTENER (fake->service));
  for (guint i = 0; i < fake->held->len; i++)
    g_io_stream_close (g_ptr_array_index (fake->held, i), NULL, NULL);
  test_wait_until (no_more_pending, NULL);
  g_ptr_array_unref (fake->held);
  g_object_unref (fake->service);
  g_free (fake->url);
  g_free (fake);
}

#define HTML_PAGE "<!DOCTYPE html><html><body><h1>Welcome to nginx!</h1></body></html>"

static const char html_answer[] = "HTTP/1.1 200 OK\r\n"
                                  "Content-Type: text/html\r\n"
                                  "Connection: close\r\n"
                                  "Content-Length: 67\r\n"
                                  "\r\n" HTML_PAGE;

static const char html_404_answer[] = "HTTP/1.1 404 Not Found\r\n"
                                      "Content-Type: text/html\r\n"
                                      "Connection: close\r\n"
                                      "Content-Length: 67\r\n"
                                      "\r\n" HTML_PAGE;

static const char json_answer[] = "HTTP/1.1 200 OK\r\n"
                                  "Content-Type: application/json\r\n"
                                  "Connection: close\r\n"
                                  "Content-Length: 17\r\n"
                                  "\r\n"
                                  "{\"hello\":\"world\"}";

static void
test_unparseable (void)
{
  FakeServer           *server = fake_server_start (html_answer);
  FakeServer           *server_404 = fake_server_start (html_404_answer);
  g_autoptr (BeaconApi) api = beacon_api_new (server->url);
  g_autoptr (BeaconApi) api_404 = beacon_api_new (server_404->url);
  g_autoptr (GError)    error = NULL;

  {
    g_autoptr (GAsyncResult) result = NULL;
    g_autofree char         *token = NULL;

    beacon_api_login_async (api, "a@test", "pw", NULL, on_done, &result);
    token = beacon_api_login_finish (api, await_result (&result), NULL, &error);
    g_assert_null (token);
    g_assert_error (error, BEACON_API_ERROR, BEACON_API_ERROR_UNPARSEABLE);
    g_assert_cmpstr (beacon_api_error_sentence (error), ==,
                     "This does not look like a Beacon server.");
    g_clear_error (&error);
  }
  {
    g_autoptr (GAsyncResult) result = NULL;
    g_autoptr (GPtrArray)    friends = NULL;

    /* An HTML error page is no better. */
    beacon_api_get_friends_async (api_404, NULL, on_done, &result);
    friends = beacon_api_get_friends_finish (api_404, await_result (&result), &error);
    g_assert_error (error, BEACON_API_ERROR, BEACON_API_ERROR_UNPARSEABLE);
    g_clear_error (&error);
  }
  fake_server_stop (server, &api);
  fake_server_stop (server_404, &api_404);
}

static void
test_unexpected_json (void)
{
  FakeServer           *server = fake_server_start (json_answer);
  g_autoptr (BeaconApi) api = beacon_api_new (server->url);
  g_autoptr (GError)    error = NULL;

  {
    g_autoptr (GAsyncResult) result = NULL;
    g_autofree char         *token = NULL;

    beacon_api_login_async (api, "a@test", "pw", NULL, on_done, &result);
    token = beacon_api_login_finish (api, await_result (&result), NULL, &error);
    g_assert_error (error, BEACON_API_ERROR, BEACON_API_ERROR_UNPARSEABLE);
    g_clear_error (&error);
  }
  {
    g_autoptr (GAsyncResult) result = NULL;
    g_autoptr (JsonArray)    list = NULL;

    beacon_api_list_conversations_async (api, NULL, on_done, &result);
    list = beacon_api_list_conversations_finish (api, await_result (&result), &error);
    g_assert_error (error, BEACON_API_ERROR, BEACON_API_ERROR_UNPARSEABLE);
    g_clear_error (&error);
  }
  {
    g_autoptr (GAsyncResult) result = NULL;

    beacon_api_get_online_status_async (api, NULL, on_done, &result);
    g_assert_false (
        beacon_api_get_online_status_finish (api, await_result (&result), NULL, NULL, &error));
    g_assert_error (error, BEACON_API_ERROR, BEACON_API_ERROR_UNPARSEABLE);
    g_clear_error (&error);
  }
  fake_server_stop (server, &api);
}

static void
test_timeout (void)
{
  FakeServer               *server = fake_server_start (NULL);
  g_autoptr (BeaconApi)     api = beacon_api_new (server->url);
  g_autoptr (GAsyncResult)  result = NULL;
  g_autoptr (GError)        error = NULL;
  g_autoptr (BeaconApiUser) me = NULL;

  g_assert_cmpuint (beacon_api_get_timeout (api), ==, BEACON_API_DEFAULT_TIMEOUT);
  beacon_api_set_timeout (api, 1);
  beacon_api_get_me_async (api, NULL, on_done, &result);
  me = beacon_api_get_me_finish (api, await_result (&result), &error);
  g_assert_null (me);
  g_assert_error (error, BEACON_API_ERROR, BEACON_API_ERROR_TIMEOUT);
  fake_server_stop (server, &api);
}

static void
test_insecure (void)
{
  g_autoptr (BeaconApi) api = beacon_api_new ("http://example.invalid");
  g_autoptr (GError)    error = NULL;

  {
    g_autoptr (GAsyncResult) result = NULL;
    g_autofree char         *token = NULL;

    beacon_api_login_async (api, "a@test", "pw", NULL, on_done, &result);
    token = beacon_api_login_finish (api, await_result (&result), NULL, &error);
    g_assert_null (token);
    g_assert_error (error, BEACON_API_ERROR, BEACON_API_ERROR_INSECURE);
    g_clear_error (&error);
  }
  {
    g_autoptr (GAsyncResult) result = NULL;
    g_autofree char         *token = NULL;

    /* Allowed, it gets as far as the resolver, which knows no .invalid name. */
    beacon_api_set_allow_insecure (api, TRUE);
    beacon_api_login_async (api, "a@test", "pw", NULL, on_done, &result);
    token = beacon_api_login_finish (api, await_result (&result), NULL, &error);
    g_assert_null (token);
    g_assert_error (error, BEACON_API_ERROR, BEACON_API_ERROR_NETWORK);
    g_clear_error (&error);
  }
  {
    g_autoptr (BeaconApi)     bad = beacon_api_new ("ftp://example.invalid");
    g_autoptr (GAsyncResult)  result = NULL;
    g_autoptr (BeaconApiUser) me = NULL;

    beacon_api_get_me_async (bad, NULL, on_done, &result);
    me = beacon_api_get_me_finish (bad, await_result (&result), &error);
    g_assert_error (error, BEACON_API_ERROR, BEACON_API_ERROR_NETWORK);
    g_clear_error (&error);
  }
}

static void
test_cancel (void)
{
  TestServer           *server = test_server_start (test_default_world, NULL);
  g_autoptr (BeaconApi) api = api_for (server, "a");
  g_autoptr (GError)    error = NULL;

  {
    g_autoptr (GCancellable) cancellable = g_cancellable_new ();
    g_autoptr (GAsyncResult) result = NULL;
    g_autoptr (GPtrArray)    friends = NULL;

    /* Cancelled in flight. */
    beacon_api_get_friends_async (api, cancellable, on_done, &result);
    g_cancellable_cancel (cancellable);
    friends = beacon_api_get_friends_finish (api, await_result (&result), &error);
    g_assert_null (friends);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_clear_error (&error);
  }
  {
    g_autoptr (GCancellable)  cancellable = g_cancellable_new ();
    g_autoptr (GAsyncResult)  result = NULL;
    g_autoptr (BeaconApiUser) me = NULL;

    /* Cancelled before it starts. */
    g_cancellable_cancel (cancellable);
    beacon_api_get_me_async (api, cancellable, on_done, &result);
    me = beacon_api_get_me_finish (api, await_result (&result), &error);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_clear_error (&error);
  }
  {
    g_autoptr (GAsyncResult)  result = NULL;
    g_autoptr (BeaconApiUser) me = NULL;

    /* The object still works afterwards. */
    beacon_api_get_me_async (api, NULL, on_done, &result);
    me = beacon_api_get_me_finish (api, await_result (&result), &error);
    g_assert_no_error (error);
    g_assert_cmpstr (me->id, ==, "a");
  }
  test_server_free (server);
}

int
main (int argc, char *argv[])
{
  g_setenv ("LANGUAGE", "C", TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/api/login", test_login);
  g_test_add_func ("/api/me-friends-presence", test_me_friends_presence);
  g_test_add_func ("/api/settings", test_settings);
  g_test_add_func ("/api/providers", test_providers);
  g_test_add_func ("/api/conversations", test_conversations);
  g_test_add_func ("/api/token-errors", test_token_errors);
  g_test_add_func ("/api/network-error", test_network_error);
  g_test_add_func ("/api/unparseable", test_unparseable);
  g_test_add_func ("/api/unexpected-json", test_unexpected_json);
  g_test_add_func ("/api/timeout", test_timeout);
  g_test_add_func ("/api/insecure", test_insecure);
  g_test_add_func ("/api/cancel", test_cancel);

  return g_test_run ();
}

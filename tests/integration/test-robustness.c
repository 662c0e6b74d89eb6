/* test-robustness.c: integration tests of beacon-server against bad input and guests:
 * malformed frames, wrong types, floods, oversized frames; the /presence namespace. */

#include "harness.h"

#include <string.h>

/* Another connected pair keeps working whatever the bad client did. */
static void
assert_pair_works (TestServer *server)
{
  TestClient          *a = test_client_connect_user (server, "a");
  g_autoptr (JsonNode) ack =
      test_client_wait_ack (a, test_client_emit (a, "heartbeat", NULL, TRUE));

  g_assert_true (test_json_bool (ack, "ok"));
  test_client_free (a);
}

static void
test_malformed_packets (void)
{
  TestServer *server = test_server_start (test_default_world, NULL);
  TestClient *a = test_client_connect_user (server, "a");
  const char *bad[] = {
    "42[\"heartbeat\"",   /* truncated JSON */
    "49[]",               /* unknown Socket.IO type */
    "4",                  /* empty message */
    "42\"not an array\"", /* wrong payload type */
    "42[\"connect\"]",    /* reserved name */
    "4299999999999999999[\"x\"]",
    "9hello", /* unknown Engine.IO type */
    "2",      /* a plain ping from a v4 client */
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      TestClient *victim = test_client_connect_user (server, "b");

      test_client_send_raw (victim, bad[i]);
      test_client_wait_closed (victim);
      test_client_free (victim);
      /* a, connected all along, is unaffected. */
      {
        g_autoptr (JsonNode) ack =
            test_client_wait_ack (a, test_client_emit (a, "heartbeat", NULL, TRUE));
        g_assert_true (test_json_bool (ack, "ok"));
      }
    }
  test_client_free (a);
  assert_pair_works (server);
  test_server_free (server);
}

/* Binary events as the reference server takes them: the attachments announced in the header
 * are collected (the hub's namespaces take no binary and answer bad_request once they are
 * all in), while a binary message nobody announced, text while attachments are due, or a
 * placeholder past them close the session. */
static void
test_binary_events (void)
{
  TestServer         *server = test_server_start (test_default_world, NULL);
  TestClient         *a = test_client_connect_user (server, "a");
  static const guint8 bytes[] = { 1, 2, 3 };
  const char         *bad[][2] = {
            { NULL, NULL }, /* only the binary message */
            { "451-[\"heartbeat\",{\"_placeholder\":true,\"num\":0}]", "42[\"heartbeat\"]" },
            { "451-[\"heartbeat\",{\"_placeholder\":true,\"num\":1}]", NULL },
  };
  g_autoptr (JsonNode) refused = NULL;

  test_client_send_raw (a, "451-1000[\"heartbeat\",{\"_placeholder\":true,\"num\":0}]");
  soup_websocket_connection_send_binary (a->ws, bytes, sizeof bytes);
  refused = test_client_wait_ack (a, 1000);
  g_assert_false (test_json_bool (refused, "ok"));
  g_assert_cmpstr (test_json_error (refused, "code"), ==, "bad_request");
  {
    g_autoptr (JsonNode) ack =
        test_client_wait_ack (a, test_client_emit (a, "heartbeat", NULL, TRUE));
    g_assert_true (test_json_bool (ack, "ok"));
  }

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      TestClient *victim = test_client_connect_user (server, "b");

      if (bad[i][0])
        test_client_send_raw (victim, bad[i][0]);
      if (bad[i][1])
        test_client_send_raw (victim, bad[i][1]);
      else
        soup_websocket_connection_send_binary (victim->ws, bytes, sizeof bytes);
      test_client_wait_closed (victim);
      test_client_free (victim);
    }
  /* a session that ends with attachments still due leaves nothing behind */
  {
    TestClient *quitter = test_client_connect_user (server, "b");

    test_client_send_raw (quitter, "452-[\"heartbeat\",{\"_placeholder\":true,\"num\":0}]");
    soup_websocket_connection_send_binary (quitter->ws, bytes, sizeof bytes);
    test_client_free (quitter);
  }
  g_assert_false (a->closed);
  test_client_free (a);
  assert_pair_works (server);
  test_server_free (server);
}

static void
test_wrong_types_answered (void)
{
  TestServer *server = test_server_start (test_default_world, NULL);
  TestClient *a = test_client_connect_user (server, "a");
  const char *events[][2] = {
    { "chat:focus", "42" },
    { "chat:focus", "{\"partnerId\":[1]}" },
    { "update_status", "{\"status\":7}" },
    { "get_presence", "\"b\"" },
    { "mark_read", "{\"conversationId\":{}}" },
    { "join_conversation", "null" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (events); i++)
    {
      g_autoptr (JsonNode) ack =
          test_client_wait_ack (a, test_client_emit (a, events[i][0], events[i][1], TRUE));

      g_assert_false (test_json_bool (ack, "ok"));
      g_assert_nonnull (test_json_error (ack, "message"));
    }
  g_assert_false (a->closed);
  test_client_free (a);
  test_server_free (server);
}

static void
test_flood_rate_limited (void)
{
  const char *env[] = { "BEACON_RATE_LIMIT_PER_S=5", "BEACON_RATE_LIMIT_BURST=10", NULL };
  TestServer *server = test_server_start (test_default_world, env);
  TestClient *a = test_client_connect_user (server, "a");
  guint       limited = 0;
  gint64      last = -1;

  for (guint i = 0; i < 30; i++)
    last = test_client_emit (a, "heartbeat", NULL, TRUE);
  for (gint64 id = 1; id <= last; id++)
    {
      g_autoptr (JsonNode) ack = test_client_wait_ack (a, id);

      if (!test_json_bool (ack, "ok"))
        {
          g_assert_cmpstr (test_json_error (ack, "code"), ==, "rate_limited");
          limited++;
        }
    }
  g_assert_cmpuint (limited, >=, 15);
  g_assert_cmpuint (limited, <=, 20);
  assert_pair_works (server);
  test_client_free (a);
  test_server_free (server);
}

static void
test_oversized_frame (void)
{
  const char         *env[] = { "BEACON_MAX_PAYLOAD=10000", NULL };
  TestServer         *server = test_server_start (test_default_world, env);
  TestClient         *a = test_client_connect_user (server, "a");
  TestClient         *b = test_client_connect_user (server, "b");
  g_autoptr (GString) big = g_string_new ("42[\"heartbeat\",\"");

  for (guint i = 0; i < 20000; i++)
    g_string_append_c (big, 'x');
  g_string_append (big, "\"]");
  test_client_send_raw (b, big->str);
  test_client_wait_closed (b);
  {
    g_autoptr (JsonNode) ack =
        test_client_wait_ack (a, test_client_emit (a, "heartbeat", NULL, TRUE));
    g_assert_true (test_json_bool (ack, "ok"));
  }
  test_client_free (b);
  test_client_free (a);
  test_server_free (server);
}

static void
test_unknown_namespace (void)
{
  TestServer *server = test_server_start (test_default_world, NULL);
  TestClient *x = test_client_connect (server, "/admin", NULL);

  g_assert_false (x->connected);
  g_assert_nonnull (x->connect_error);
  g_assert_cmpstr (test_json_string (x->connect_error, "message"), ==, "Invalid namespace");
  test_client_free (x);
  test_server_free (server);
}

static void
test_guests (void)
{
  const char          *env[] = { "BEACON_GUEST_INTERVAL_MS=300", NULL };
  TestServer          *server = test_server_start (test_default_world, env);
  TestClient          *guest = test_client_connect (server, "/presence", NULL);
  g_autoptr (JsonNode) first = test_client_wait_event (guest, "presence:connected");
  g_autoptr (JsonNode) update = NULL;
  g_autoptr (JsonNode) later = NULL;
  TestClient          *f;
  TestClient          *a;
  TestClient          *g;
  JsonArray           *ids;
  g_autofree char     *text = NULL;

  g_assert_true (guest->connected);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
                        json_node_get_object (first), "onlineFreelancerIds")),
                    ==, 0);
  /* A client coming online is none of a guest's business; two freelancers are, and
   * arrive together in one coalesced update. */
  a = test_client_connect_user (server, "a");
  f = test_client_connect_user (server, "f");
  g = test_client_connect_user (server, "g");
  update = test_client_wait_event (guest, "presence:update");
  ids = json_object_get_array_member (json_node_get_object (update), "onlineFreelancerIds");
  if (json_array_get_length (ids) == 1)
    {
      json_node_unref (update);
      update = test_client_wait_event (guest, "presence:update");
      ids = json_object_get_array_member (json_node_get_object (update), "onlineFreelancerIds");
    }
  g_assert_cmpuint (json_array_get_length (ids), ==, 2);
  g_assert_cmpstr (json_array_get_string_element (ids, 0), ==, "f");
  g_assert_cmpstr (json_array_get_string_element (ids, 1), ==, "g");
  text = test_json_text (update);
  g_assert_null (strstr (text, "Fay"));
  g_assert_null (strstr (text, "last_seen"));
  g_assert_null (strstr (text, "\"a\""));

  /* Guests' events are ignored; the guest stays connected. */
  test_client_emit (guest, "update_status", "\"away\"", FALSE);
  test_client_free (g);
  later = test_client_wait_event (guest, "presence:update");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
                        json_node_get_object (later), "onlineFreelancerIds")),
                    ==, 1);
  g_assert_false (guest->closed);

  test_client_free (f);
  test_client_free (a);
  test_client_free (guest);
  test_server_free (server);
}

static void
on_open_only (SoupWebsocketConnection *ws, int type, GBytes *message, gpointer user_data)
{
  /* Receives the open packet and answers nothing: no namespace CONNECT follows. */
}

static gboolean
ws_closed (gpointer data)
{
  return soup_websocket_connection_get_state (data) == SOUP_WEBSOCKET_STATE_CLOSED;
}

static void
on_ws (GObject *source, GAsyncResult *result, gpointer user_data)
{
  SoupWebsocketConnection **ws = user_data;

  *ws = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, NULL);
}

static gboolean
ws_ready (gpointer data)
{
  return *(SoupWebsocketConnection **) data != NULL;
}

static void
test_connect_timeout (void)
{
  const char              *env[] = { "BEACON_CONNECT_TIMEOUT_MS=300", NULL };
  TestServer              *server = test_server_start (test_default_world, env);
  g_autoptr (SoupMessage)  msg = soup_message_new ("GET", server->ws_url);
  SoupWebsocketConnection *ws = NULL;

  soup_session_websocket_connect_async (server->session, msg, NULL, NULL, G_PRIORITY_DEFAULT, NULL,
                                        on_ws, &ws);
  test_wait_until (ws_ready, &ws);
  g_signal_connect (ws, "message", G_CALLBACK (on_open_only), NULL);
  /* A session that joins no namespace in time is closed by the server. */
  test_wait_until (ws_closed, ws);
  g_object_unref (ws);
  assert_pair_works (server);
  test_server_free (server);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/robustness/malformed-packets", test_malformed_packets);
  g_test_add_func ("/robustness/wrong-types", test_wrong_types_answered);
  g_test_add_func ("/robustness/binary-events", test_binary_events);
  g_test_add_func ("/robustness/flood", test_flood_rate_limited);
  g_test_add_func ("/robustness/oversized-frame", test_oversized_frame);
  g_test_add_func ("/robustness/unknown-namespace", test_unknown_namespace);
  g_test_add_func ("/robustness/guests", test_guests);
  g_test_add_func ("/robustness/connect-timeout", test_connect_timeout);

  return g_test_run ();
}

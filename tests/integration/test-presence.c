/* test-presence.c: integration tests of beacon-server's presence model over Socket.IO:
 * snapshots, deltas, multi-device, chat focus privacy, statuses, settings, heartbeats. */

#include "harness.h"

#include <sqlite3.h>

static TestServer *
start (void)
{
  return test_server_start (test_default_world, NULL);
}

static void
test_snapshot_and_online_delta (void)
{
  TestServer          *server = start ();
  TestClient          *a = test_client_connect_user (server, "a");
  g_autoptr (JsonNode) snap = test_client_wait_event (a, "presence:connected");
  JsonArray           *online;
  TestClient          *b;
  g_autoptr (JsonNode) delta = NULL;
  g_autoptr (JsonNode) snap_b = NULL;

  g_assert_cmpstr (test_json_string (snap, "userId"), ==, "a");
  online = json_object_get_array_member (json_node_get_object (snap), "onlineUsers");
  g_assert_cmpuint (json_array_get_length (online), ==, 0);

  b = test_client_connect_user (server, "b");
  delta = test_client_wait_event (a, "presence_updated");
  g_assert_cmpstr (test_json_string (delta, "user_id"), ==, "b");
  g_assert_cmpstr (test_json_string (delta, "status"), ==, "online");
  g_assert_false (test_json_bool (delta, "chatting_with_me"));
  g_assert_cmpstr (test_json_string (delta, "role"), ==, "CLIENT");

  /* b's snapshot lists a, who was already online. */
  snap_b = test_client_wait_event (b, "presence:connected");
  online = json_object_get_array_member (json_node_get_object (snap_b), "onlineUsers");
  g_assert_cmpuint (json_array_get_length (online), ==, 1);
  g_assert_cmpstr (
      json_object_get_string_member (json_array_get_object_element (online, 0), "userId"), ==, "a");
  g_assert_true (
      json_object_get_null_member (json_array_get_object_element (online, 0), "chattingWith"));

  test_client_free (b);
  test_client_free (a);
  test_server_free (server);
}

static void
test_multi_device (void)
{
  TestServer          *server = start ();
  TestClient          *a = test_client_connect_user (server, "a");
  TestClient          *b1 = test_client_connect_user (server, "b");
  TestClient          *b2;
  g_autoptr (JsonNode) online = test_client_wait_event (a, "presence_updated");
  g_autoptr (JsonNode) offline = NULL;
  g_autoptr (JsonNode) none = NULL;
  gint64               version;

  version = json_object_get_int_member (json_node_get_object (online), "version");
  b2 = test_client_connect_user (server, "b");
  /* A second device of someone already online changes nothing a contact sees. */
  none = test_client_try_event (a, "presence_updated", 300);
  g_assert_null (none);

  test_client_free (b1);
  none = test_client_try_event (a, "presence_updated", 300);
  g_assert_null (none);

  test_client_free (b2);
  offline = test_client_wait_event (a, "presence_updated");
  g_assert_cmpstr (test_json_string (offline, "status"), ==, "offline");
  g_assert_nonnull (test_json_string (offline, "last_seen"));
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (offline), "version"), >,
                   version);

  test_client_free (a);
  test_server_free (server);
}

static void
test_chat_focus_privacy (void)
{
  TestServer          *server = start ();
  TestClient          *a = test_client_connect_user (server, "a");
  TestClient          *b = test_client_connect_user (server, "b");
  TestClient          *c = test_client_connect_user (server, "c");
  g_autoptr (JsonNode) seen = NULL;
  g_autoptr (JsonNode) blur = NULL;
  g_autoptr (JsonNode) ack = NULL;
  g_autoptr (JsonNode) leak = NULL;
  gint64               id;

  test_client_wait_online (a, "b");
  test_client_wait_online (a, "c");
  test_client_clear (b, NULL);
  test_client_clear (c, NULL);

  /* a looks at the chat with b: b sees a green, c (a's other contact) learns nothing. */
  id = test_client_emit (a, "chat:focus", "{\"partnerId\":\"b\"}", TRUE);
  ack = test_client_wait_ack (a, id);
  g_assert_true (test_json_bool (ack, "ok"));
  seen = test_client_wait_event (b, "presence_updated");
  g_assert_cmpstr (test_json_string (seen, "user_id"), ==, "a");
  g_assert_true (test_json_bool (seen, "chatting_with_me"));
  leak = test_client_try_event (c, "presence_updated", 300);
  g_assert_null (leak);

  test_client_emit (a, "chat:blur", NULL, FALSE);
  blur = test_client_wait_event (b, "presence_updated");
  g_assert_false (test_json_bool (blur, "chatting_with_me"));

  /* A partner id that names nobody is refused with an error, not silently taken. */
  id = test_client_emit (a, "chat:focus", "{\"partnerId\":\"nobody\"}", TRUE);
  {
    g_autoptr (JsonNode) bad = test_client_wait_ack (a, id);
    g_assert_false (test_json_bool (bad, "ok"));
  }

  test_client_free (c);
  test_client_free (b);
  test_client_free (a);
  test_server_free (server);
}

static void
test_snapshot_chatting_with (void)
{
  TestServer          *server = start ();
  TestClient          *a = test_client_connect_user (server, "a");
  TestClient          *b;
  g_autoptr (JsonNode) snap = NULL;
  JsonObject          *entry;

  test_client_emit (a, "chat:focus", "{\"partnerId\":\"b\"}", FALSE);
  test_client_emit (a, "heartbeat", NULL, FALSE);
  {
    gint64               id = test_client_emit (a, "heartbeat", NULL, TRUE);
    g_autoptr (JsonNode) ack = test_client_wait_ack (a, id);
    g_assert_true (test_json_bool (ack, "ok"));
    g_assert_nonnull (test_json_string (ack, "serverTime"));
  }
  b = test_client_connect_user (server, "b");
  snap = test_client_wait_event (b, "presence:connected");
  entry = json_array_get_object_element (
      json_object_get_array_member (json_node_get_object (snap), "onlineUsers"), 0);
  g_assert_cmpstr (json_object_get_string_member (entry, "chattingWith"), ==, "b");

  test_client_free (b);
  test_client_free (a);
  test_server_free (server);
}

static void
test_status_and_invisible (void)
{
  TestServer          *server = start ();
  TestClient          *a = test_client_connect_user (server, "a");
  TestClient          *b = test_client_connect_user (server, "b");
  TestClient          *b2 = test_client_connect_user (server, "b");
  g_autoptr (JsonNode) away = NULL;
  g_autoptr (JsonNode) own = NULL;
  g_autoptr (JsonNode) invisible = NULL;
  g_autoptr (JsonNode) back = NULL;

  test_client_wait_online (a, "b");
  test_client_emit (b, "update_status", "{\"status\":\"away\",\"message\":\"  At lunch \"}", FALSE);
  away = test_client_wait_event (a, "presence_updated");
  g_assert_cmpstr (test_json_string (away, "status"), ==, "away");
  g_assert_cmpstr (test_json_string (away, "custom_message"), ==, "At lunch");
  /* b's other device hears of it too. */
  own = test_client_wait_event (b2, "presence_updated");
  g_assert_cmpstr (test_json_string (own, "status"), ==, "away");

  test_client_emit (b, "setStatus", "{\"status\":\"offline\"}", FALSE);
  invisible = test_client_wait_event (a, "presence_updated");
  g_assert_cmpstr (test_json_string (invisible, "status"), ==, "offline");
  g_assert_true (test_json_is_null (invisible, "custom_message"));

  test_client_emit (b, "update_status", "\"dnd\"", FALSE);
  back = test_client_wait_event (a, "presence_updated");
  g_assert_cmpstr (test_json_string (back, "status"), ==, "busy");

  {
    /* A tab is no part of a status line (and the store would refuse it). */
    gint64 id =
        test_client_emit (b, "update_status", "{\"status\":\"away\",\"message\":\"a\\tb\"}", TRUE);
    g_autoptr (JsonNode) ack = test_client_wait_ack (b, id);

    g_assert_false (test_json_bool (ack, "ok"));
  }
  {
    gint64 id = test_client_emit (b, "update_status", "{\"status\":\"sleeping\"}", TRUE);
    g_autoptr (JsonNode) ack = test_client_wait_ack (b, id);

    g_assert_false (test_json_bool (ack, "ok"));
    g_assert_cmpstr (test_json_error (ack, "code"), ==, "bad_request");
  }

  test_client_free (b2);
  test_client_free (b);
  test_client_free (a);
  test_server_free (server);
}

static void
test_privacy_settings (void)
{
  TestServer          *server = start ();
  g_autofree char     *token_b = test_server_token (server, "b", 3600);
  g_autofree char     *token_a = test_server_token (server, "a", 3600);
  TestClient          *b = test_client_connect_user (server, "b");
  TestClient          *a = test_client_connect_user (server, "a");
  g_autoptr (JsonNode) hidden = NULL;
  g_autoptr (JsonNode) settings = NULL;
  g_autoptr (JsonNode) record = NULL;
  guint                status;

  test_client_clear (a, NULL);
  status = test_rest (server, "PATCH", "/api/users/presence/settings", token_b,
                      "{\"show_online_status\":false,\"show_last_seen\":\"nobody\"}", &settings);
  g_assert_cmpuint (status, ==, 200);
  g_assert_false (test_json_bool (settings, "show_online_status"));
  hidden = test_client_wait_event (a, "presence_updated");
  g_assert_cmpstr (test_json_string (hidden, "status"), ==, "offline");
  g_assert_true (test_json_is_null (hidden, "last_seen"));

  status = test_rest (server, "GET", "/api/users/presence/b", token_a, NULL, &record);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (test_json_string (record, "status"), ==, "offline");
  g_assert_true (test_json_is_null (record, "last_active"));

  {
    g_autoptr (JsonNode) bad = NULL;
    status = test_rest (server, "PATCH", "/api/users/presence/settings", token_b,
                        "{\"show_last_seen\":\"friends\"}", &bad);
    g_assert_cmpuint (status, ==, 400);
  }

  test_client_free (a);
  test_client_free (b);
  test_server_free (server);
}

static void
test_get_presence (void)
{
  TestServer          *server = start ();
  TestClient          *b = test_client_connect_user (server, "b");
  TestClient          *a = test_client_connect_user (server, "a");
  g_autoptr (JsonNode) info = NULL;
  g_autoptr (JsonNode) ack = NULL;
  JsonArray           *records;
  gint64               id;

  id = test_client_emit (a, "get_presence", "[\"b\",\"d\",\"nobody\"]", TRUE);
  info = test_client_wait_event (a, "presence_info");
  ack = test_client_wait_ack (a, id);
  records = json_node_get_array (info);
  g_assert_cmpuint (json_array_get_length (records), ==, 3);
  g_assert_cmpstr (
      json_object_get_string_member (json_array_get_object_element (records, 0), "status"), ==,
      "online");
  /* d is no contact of a: offline, nothing learnt. */
  g_assert_cmpstr (
      json_object_get_string_member (json_array_get_object_element (records, 1), "status"), ==,
      "offline");
  g_assert_true (
      json_object_get_null_member (json_array_get_object_element (records, 1), "last_seen"));
  g_assert_cmpuint (json_array_get_length (json_node_get_array (ack)), ==, 3);

  id = test_client_emit (a, "get_presence", "{\"ids\":1}", TRUE);
  {
    g_autoptr (JsonNode) bad = test_client_wait_ack (a, id);
    g_assert_false (test_json_bool (bad, "ok"));
  }

  test_client_free (a);
  test_client_free (b);
  test_server_free (server);
}

static void
test_heartbeat_timeout (void)
{
  const char          *env[] = { "BEACON_HEARTBEAT_TIMEOUT_MS=500", NULL };
  TestServer          *server = test_server_start (test_default_world, env);
  TestClient          *a = test_client_connect_user (server, "a");
  TestClient          *b = test_client_connect_user (server, "b");
  g_autoptr (JsonNode) gone = NULL;

  test_client_wait_online (a, "b");
  /* b never sends a heartbeat: the server drops b's device and a sees b go. a keeps
   * sending heartbeats and stays. */
  for (guint i = 0; i < 100 && gone == NULL; i++)
    {
      test_client_emit (a, "heartbeat", NULL, FALSE);
      gone = test_client_try_event (a, "presence_updated", 100);
    }
  g_assert_nonnull (gone);
  g_assert_cmpstr (test_json_string (gone, "user_id"), ==, "b");
  g_assert_cmpstr (test_json_string (gone, "status"), ==, "offline");
  test_client_wait_closed (b);

  test_client_free (b);
  test_client_free (a);
  test_server_free (server);
}

static void
test_restart_keeps_state (void)
{
  TestServer          *server = start ();
  TestClient          *b = test_client_connect_user (server, "b");
  TestClient          *a;
  g_autoptr (JsonNode) record = NULL;
  g_autoptr (JsonNode) after = NULL;
  g_autofree char     *token_a = test_server_token (server, "a", 3600);
  gint64               version;

  test_client_emit (b, "update_status", "{\"status\":\"busy\",\"message\":\"Deadline\"}", FALSE);
  a = test_client_connect_user (server, "a");
  test_client_free (b);
  record = test_client_wait_event (a, "presence_updated");
  while (g_strcmp0 (test_json_string (record, "status"), "offline") != 0)
    {
      json_node_unref (record);
      record = test_client_wait_event (a, "presence_updated");
    }
  version = json_object_get_int_member (json_node_get_object (record), "version");
  test_client_free (a);

  test_server_restart (server);
  g_assert_cmpuint (test_rest (server, "GET", "/api/users/presence/b", token_a, NULL, &after), ==,
                    200);
  g_assert_cmpstr (test_json_string (after, "last_seen"), ==,
                   test_json_string (record, "last_seen"));
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (after), "version"), >=,
                   version);
  g_assert_cmpstr (test_json_string (after, "custom_message"), ==, "Deadline");

  test_server_free (server);
}

static gboolean
db_has_message (gpointer data)
{
  TestServer   *server = data;
  sqlite3      *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gboolean      found = FALSE;

  if (sqlite3_open_v2 (server->db, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
      sqlite3_prepare_v2 (db,
                          "SELECT 1 FROM presence WHERE user_id = 'b' AND chosen_status = 'busy' "
                          "AND custom_message = 'Saved'",
                          -1, &stmt, NULL) == SQLITE_OK)
    found = sqlite3_step (stmt) == SQLITE_ROW;
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return found;
}

/* The running server writes what changed once a second (from a worker thread, on its own
 * connection): a change is in the database soon without any shutdown, and survives a
 * crash. */
static void
test_saved_while_running (void)
{
  TestServer          *server = start ();
  TestClient          *b = test_client_connect_user (server, "b");
  g_autofree char     *token_a = test_server_token (server, "a", 3600);
  g_autoptr (JsonNode) after = NULL;

  g_assert_false (db_has_message (server));
  test_client_emit (b, "update_status", "{\"status\":\"busy\",\"message\":\"Saved\"}", FALSE);
  test_wait_until (db_has_message, server);
  test_client_free (b);

  test_server_crash_restart (server);
  g_assert_cmpuint (test_rest (server, "GET", "/api/users/presence/b", token_a, NULL, &after), ==,
                    200);
  g_assert_cmpstr (test_json_string (after, "status"), ==, "offline");
  g_assert_cmpstr (test_json_string (after, "custom_message"), ==, "Saved");

  test_server_free (server);
}

/* show_last_seen "contacts": contacts see last_seen, strangers (the public providers list)
 * do not; "everyone": both do. */
static void
test_last_seen_contacts_only (void)
{
  TestServer          *server = test_server_start (test_default_world, NULL);
  g_autofree char     *token_f = test_server_token (server, "f", 3600);
  g_autofree char     *token_a = test_server_token (server, "a", 3600);
  TestClient          *f = test_client_connect_user (server, "f");
  g_autoptr (JsonNode) list = NULL;
  g_autoptr (JsonNode) record = NULL;
  g_autoptr (JsonNode) list2 = NULL;
  JsonObject          *fay;

  test_client_free (f); /* f has a last_seen now */
  g_assert_cmpuint (test_rest (server, "PATCH", "/api/users/presence/settings", token_f,
                               "{\"show_last_seen\":\"contacts\"}", NULL),
                    ==, 200);
  g_assert_cmpuint (test_rest (server, "GET", "/api/users/presence/f", token_a, NULL, &record), ==,
                    200);
  g_assert_nonnull (test_json_string (record, "last_seen"));
  g_assert_cmpuint (test_rest (server, "GET", "/api/providers?q=Fay", NULL, NULL, &list), ==, 200);
  fay = json_array_get_object_element (
      json_object_get_array_member (
          json_object_get_object_member (json_node_get_object (list), "data"), "providers"),
      0);
  g_assert_true (json_object_get_null_member (fay, "last_seen"));

  g_assert_cmpuint (test_rest (server, "PATCH", "/api/users/presence/settings", token_f,
                               "{\"show_last_seen\":\"everyone\"}", NULL),
                    ==, 200);
  g_assert_cmpuint (test_rest (server, "GET", "/api/providers?q=Fay", NULL, NULL, &list2), ==, 200);
  fay = json_array_get_object_element (
      json_object_get_array_member (
          json_object_get_object_member (json_node_get_object (list2), "data"), "providers"),
      0);
  g_assert_false (json_object_get_null_member (fay, "last_seen"));
  test_server_free (server);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/presence/snapshot-and-online-delta", test_snapshot_and_online_delta);
  g_test_add_func ("/presence/multi-device", test_multi_device);
  g_test_add_func ("/presence/chat-focus-privacy", test_chat_focus_privacy);
  g_test_add_func ("/presence/snapshot-chatting-with", test_snapshot_chatting_with);
  g_test_add_func ("/presence/status-and-invisible", test_status_and_invisible);
  g_test_add_func ("/presence/privacy-settings", test_privacy_settings);
  g_test_add_func ("/presence/get-presence", test_get_presence);
  g_test_add_func ("/presence/heartbeat-timeout", test_heartbeat_timeout);
  g_test_add_func ("/presence/restart-keeps-state", test_restart_keeps_state);
  g_test_add_func ("/presence/saved-while-running", test_saved_while_running);
  g_test_add_func ("/presence/last-seen-contacts-only", test_last_seen_contacts_only);

  return g_test_run ();
}

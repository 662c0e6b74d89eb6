/* test-messages.c: integration tests of conversations and messages: REST conversations,
 * send_message delivery and acks, auto-read while chatting, mark_read, paging. */

#include "harness.h"

#include <string.h>

static void
test_send_and_deliver (void)
{
  TestServer      *server = test_server_start (test_default_world, NULL);
  g_autofree char *token_a = test_server_token (server, "a", 3600);
  g_autofree char *token_b = test_server_token (server, "b", 3600);
  g_autofree char *conv = test_conversation_open (server, token_a, "b");
  g_autofree char *again = test_conversation_open (server, token_b, "a");
  TestClient      *a = test_client_connect_user (server, "a");
  TestClient      *a2 = test_client_connect_user (server, "a");
  TestClient      *b = test_client_connect_user (server, "b");
  g_autofree char *payload =
      g_strdup_printf ("{\"conversationId\":\"%s\",\"content\":\"  Hello Ben \","
                       "\"clientMessageId\":\"m1\"}",
                       conv);
  gint64               id;
  g_autoptr (JsonNode) ack = NULL;
  g_autoptr (JsonNode) sent = NULL;
  g_autoptr (JsonNode) received = NULL;
  g_autoptr (JsonNode) echo = NULL;
  JsonObject          *message;

  g_assert_cmpstr (conv, ==, again);
  id = test_client_emit (a, "send_message", payload, TRUE);
  ack = test_client_wait_ack (a, id);
  g_assert_true (test_json_bool (ack, "ok"));
  message = json_object_get_object_member (json_node_get_object (ack), "message");
  g_assert_cmpstr (json_object_get_string_member (message, "content"), ==, "Hello Ben");
  g_assert_cmpstr (json_object_get_string_member (message, "senderId"), ==, "a");
  g_assert_true (json_object_get_null_member (message, "readAt"));

  sent = test_client_wait_event (a, "message:sent");
  g_assert_true (test_json_bool (sent, "delivered"));
  received = test_client_wait_event (b, "new_message");
  g_assert_cmpstr (test_json_string (received, "conversationId"), ==, conv);
  echo = test_client_wait_event (a2, "new_message");
  g_assert_nonnull (echo);
  /* The sending socket gets message:sent, not its own new_message. */
  g_assert_null (test_client_try_event (a, "new_message", 200));

  {
    g_autoptr (JsonNode) list = NULL;
    g_autofree char     *path = g_strdup_printf ("/api/conversations/%s/messages", conv);

    g_assert_cmpuint (test_rest (server, "GET", path, token_b, NULL, &list), ==, 200);
    g_assert_cmpuint (json_array_get_length (json_node_get_array (list)), ==, 1);
    /* Not a participant: 404. */
    {
      g_autofree char *token_c = test_server_token (server, "c", 3600);
      g_assert_cmpuint (test_rest (server, "GET", path, token_c, NULL, NULL), ==, 404);
    }
  }
  {
    g_autoptr (JsonNode) convs = NULL;
    JsonObject          *first;

    g_assert_cmpuint (test_rest (server, "GET", "/api/conversations", token_b, NULL, &convs), ==,
                      200);
    first = json_array_get_object_element (json_node_get_array (convs), 0);
    g_assert_cmpint (json_object_get_int_member (first, "unread_count"), ==, 1);
    g_assert_cmpstr (
        json_object_get_string_member (json_object_get_object_member (first, "partner"), "id"), ==,
        "a");
  }

  test_client_free (b);
  test_client_free (a2);
  test_client_free (a);
  test_server_free (server);
}

static void
test_auto_read_and_mark_read (void)
{
  TestServer      *server = test_server_start (test_default_world, NULL);
  g_autofree char *token_a = test_server_token (server, "a", 3600);
  g_autofree char *conv = test_conversation_open (server, token_a, "b");
  TestClient      *a = test_client_connect_user (server, "a");
  TestClient      *b = test_client_connect_user (server, "b");
  g_autofree char *payload =
      g_strdup_printf ("{\"conversationId\":\"%s\",\"content\":\"Are you there?\"}", conv);
  g_autoptr (JsonNode) ack = NULL;
  g_autoptr (JsonNode) read = NULL;
  g_autoptr (JsonNode) second = NULL;
  g_autoptr (JsonNode) read2 = NULL;
  g_autofree char     *mark = NULL;

  /* b looks at the chat with a: a's message is read at once. */
  {
    g_autoptr (JsonNode) focused =
        test_client_wait_ack (b, test_client_emit (b, "chat:focus", "{\"partnerId\":\"a\"}", TRUE));
    g_assert_true (test_json_bool (focused, "ok"));
  }
  ack = test_client_wait_ack (a, test_client_emit (a, "send_message", payload, TRUE));
  g_assert_false (json_object_get_null_member (
      json_object_get_object_member (json_node_get_object (ack), "message"), "readAt"));
  read = test_client_wait_event (a, "message:read");
  g_assert_cmpstr (test_json_string (read, "readerId"), ==, "b");

  {
    /* Waited for: a's next message must reach the server after b's blur. */
    g_autoptr (JsonNode) blurred =
        test_client_wait_ack (b, test_client_emit (b, "chat:blur", NULL, TRUE));
    g_assert_true (test_json_bool (blurred, "ok"));
  }
  second = test_client_wait_ack (a, test_client_emit (a, "send_message", payload, TRUE));
  g_assert_true (json_object_get_null_member (
      json_object_get_object_member (json_node_get_object (second), "message"), "readAt"));
  mark = g_strdup_printf (
      "{\"conversationId\":\"%s\",\"upTo\":\"%s\"}", conv,
      json_object_get_string_member (
          json_object_get_object_member (json_node_get_object (second), "message"), "id"));
  test_client_emit (b, "mark_read", mark, FALSE);
  read2 = test_client_wait_event (a, "message:read");
  g_assert_cmpstr (
      test_json_string (read2, "upTo"), ==,
      json_object_get_string_member (
          json_object_get_object_member (json_node_get_object (second), "message"), "id"));

  test_client_free (b);
  test_client_free (a);
  test_server_free (server);
}

static void
test_message_validation (void)
{
  TestServer         *server = test_server_start (test_default_world, NULL);
  g_autofree char    *token_a = test_server_token (server, "a", 3600);
  g_autofree char    *conv = test_conversation_open (server, token_a, "b");
  TestClient         *c = test_client_connect_user (server, "c");
  TestClient         *a = test_client_connect_user (server, "a");
  g_autoptr (GString) huge = g_string_new (NULL);
  const char         *bad[] = { "{\"conversationId\":\"CONV\",\"content\":\"   \"}",
                                "{\"conversationId\":\"CONV\",\"content\":42}",
                                "{\"conversationId\":\"CONV\"}", "\"CONV\"" };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_auto (GStrv) pieces = g_strsplit (bad[i], "CONV", 2);
      g_autofree char     *payload = g_strjoinv (conv, pieces);
      g_autoptr (JsonNode) ack =
          test_client_wait_ack (a, test_client_emit (a, "send_message", payload, TRUE));

      g_assert_false (test_json_bool (ack, "ok"));
    }
  g_string_append_printf (huge, "{\"conversationId\":\"%s\",\"content\":\"", conv);
  for (guint i = 0; i < 4001; i++)
    g_string_append_c (huge, 'x');
  g_string_append (huge, "\"}");
  {
    g_autoptr (JsonNode) ack =
        test_client_wait_ack (a, test_client_emit (a, "send_message", huge->str, TRUE));
    g_assert_false (test_json_bool (ack, "ok"));
  }
  /* Someone outside the conversation cannot write to it. */
  {
    g_autofree char *payload =
        g_strdup_printf ("{\"conversationId\":\"%s\",\"content\":\"hi\"}", conv);
    g_autoptr (JsonNode) ack =
        test_client_wait_ack (c, test_client_emit (c, "send_message", payload, TRUE));

    g_assert_false (test_json_bool (ack, "ok"));
    g_assert_cmpstr (test_json_error (ack, "code"), ==, "not_found");
  }
  /* Without an ack the error comes as server:error. */
  test_client_emit (a, "send_message", "{}", FALSE);
  {
    g_autoptr (JsonNode) err = test_client_wait_event (a, "server:error");
    g_assert_cmpstr (test_json_string (err, "event"), ==, "send_message");
    g_assert_cmpstr (test_json_string (err, "code"), ==, "bad_request");
  }
  /* Nothing half-written: the conversation is still empty. */
  {
    g_autoptr (JsonNode) list = NULL;
    g_autofree char     *path = g_strdup_printf ("/api/conversations/%s/messages", conv);

    g_assert_cmpuint (test_rest (server, "GET", path, token_a, NULL, &list), ==, 200);
    g_assert_cmpuint (json_array_get_length (json_node_get_array (list)), ==, 0);
  }
  test_client_free (a);
  test_client_free (c);
  test_server_free (server);
}

static void
test_paging (void)
{
  TestServer          *server = test_server_start (test_default_world, NULL);
  g_autofree char     *token_a = test_server_token (server, "a", 3600);
  g_autofree char     *conv = test_conversation_open (server, token_a, "b");
  TestClient          *a = test_client_connect_user (server, "a");
  g_autoptr (JsonNode) page1 = NULL;
  g_autoptr (JsonNode) page2 = NULL;
  g_autofree char     *path1 = g_strdup_printf ("/api/conversations/%s/messages?limit=3", conv);
  g_autofree char     *path2 = NULL;
  JsonArray           *p1;

  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *payload =
          g_strdup_printf ("{\"conversationId\":\"%s\",\"content\":\"m%u\"}", conv, i);
      g_autoptr (JsonNode) ack =
          test_client_wait_ack (a, test_client_emit (a, "send_message", payload, TRUE));

      g_assert_true (test_json_bool (ack, "ok"));
    }
  g_assert_cmpuint (test_rest (server, "GET", path1, token_a, NULL, &page1), ==, 200);
  p1 = json_node_get_array (page1);
  g_assert_cmpuint (json_array_get_length (p1), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (p1, 0), "content"),
                   ==, "m2");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (p1, 2), "content"),
                   ==, "m4");
  path2 =
      g_strdup_printf ("/api/conversations/%s/messages?limit=3&before=%s", conv,
                       json_object_get_string_member (json_array_get_object_element (p1, 0), "id"));
  g_assert_cmpuint (test_rest (server, "GET", path2, token_a, NULL, &page2), ==, 200);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (page2)), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (
                       json_array_get_object_element (json_node_get_array (page2), 0), "content"),
                   ==, "m0");
  test_client_free (a);
  test_server_free (server);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/messages/send-and-deliver", test_send_and_deliver);
  g_test_add_func ("/messages/auto-read-and-mark-read", test_auto_read_and_mark_read);
  g_test_add_func ("/messages/validation", test_message_validation);
  g_test_add_func ("/messages/paging", test_paging);

  return g_test_run ();
}

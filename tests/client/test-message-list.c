/* test-message-list.c: unit tests of BeaconMessage and BeaconMessageList: history pages
 * put in front and deduplicated, our messages from pending to read or failed, merges by
 * client id, read marks, and JSON that is refused. */

#include "config.h"

#include <locale.h>
#include <string.h>

#include "beacon-json.h"
#include "beacon-message-list.h"
#include "model-shadow.h"

#define ME   "me"
#define CONV "c1"

typedef struct
{
  BeaconMessageList *list;
  ModelShadow        shadow;
  GPtrArray         *notified; /* property names notified on the watched message */
  guint              has_more_notified;
} Fixture;

static void
on_notify (GObject *object, GParamSpec *pspec, Fixture *f)
{
  g_ptr_array_add (f->notified, (gpointer) g_param_spec_get_name (pspec));
}

static void
on_has_more (GObject *object, GParamSpec *pspec, Fixture *f)
{
  f->has_more_notified++;
}

static void
watch (Fixture *f, BeaconMessage *message)
{
  g_signal_connect (message, "notify", G_CALLBACK (on_notify), f);
  g_ptr_array_set_size (f->notified, 0);
}

static guint
count_notified (Fixture *f, const char *name)
{
  guint n = 0;

  for (guint i = 0; i < f->notified->len; i++)
    n += strcmp (f->notified->pdata[i], name) == 0;
  return n;
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  f->list = beacon_message_list_new (CONV, ME);
  f->notified = g_ptr_array_new ();
  model_shadow_init (&f->shadow, G_LIST_MODEL (f->list));
  g_signal_connect (f->list, "notify::has-more", G_CALLBACK (on_has_more), f);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  model_shadow_clear (&f->shadow);
  g_assert_finalize_object (f->list);
  g_ptr_array_unref (f->notified);
}

static JsonNode *
json (const char *text)
{
  g_autoptr (GError) error = NULL;
  JsonNode          *node = beacon_json_parse (text, strlen (text), &error);

  g_assert_no_error (error);
  return node;
}

/* A Message of conversation CONV as the server writes it. */
static char *
message_text (const char *id, const char *sender, const char *content)
{
  return g_strdup_printf ("{\"id\":\"%s\",\"conversationId\":\"" CONV "\",\"senderId\":\"%s\","
                          "\"content\":\"%s\",\"createdAt\":\"2026-11-23T10:%02d:00Z\","
                          "\"readAt\":null}",
                          id, sender, content, (int) (g_ascii_strtoull (id, NULL, 10) % 60));
}

static BeaconMessage *
add (Fixture *f, const char *text)
{
  g_autoptr (JsonNode) node = json (text);

  return beacon_message_list_add (f->list, json_node_get_object (node));
}

static BeaconMessage *
add_message (Fixture *f, const char *id, const char *sender)
{
  g_autofree char *text = message_text (id, sender, "hello");

  return add (f, text);
}

static BeaconMessage *
confirm (Fixture *f, const char *client_id, const char *id, gboolean delivered)
{
  g_autofree char     *text = message_text (id, ME, "hi");
  g_autoptr (JsonNode) node = json (text);

  return beacon_message_list_confirm (f->list, client_id, json_node_get_object (node), delivered);
}

/* A page of the given ids, oldest first, from the partner. */
static void
prepend (Fixture *f, const char *const *ids, guint limit)
{
  g_autoptr (GString)  text = g_string_new ("[");
  g_autoptr (JsonNode) node = NULL;

  for (guint i = 0; ids[i]; i++)
    {
      g_autofree char *message = message_text (ids[i], "them", "old");

      g_string_append_printf (text, "%s%s", i ? "," : "", message);
    }
  g_string_append_c (text, ']');
  node = json (text->str);
  beacon_message_list_prepend_page (f->list, json_node_get_array (node), limit);
}

static const char *
id_at (Fixture *f, guint position)
{
  g_autoptr (BeaconMessage) message = g_list_model_get_item (G_LIST_MODEL (f->list), position);

  return beacon_message_get_id (message);
}

static void
test_pages (Fixture *f, gconstpointer data)
{
  guint position = 0;

  g_assert_true (beacon_message_list_get_has_more (f->list));
  g_assert_false (beacon_message_list_get_history_loaded (f->list));

  prepend (f, (const char *const[]){ "30", "40", "50", NULL }, 3);
  g_assert_cmpuint (f->shadow.changes, ==, 1);
  model_shadow_assert (&f->shadow);
  g_assert_true (beacon_message_list_get_history_loaded (f->list));
  g_assert_true (beacon_message_list_get_has_more (f->list));
  g_assert_cmpuint (f->has_more_notified, ==, 0);
  g_assert_cmpstr (beacon_message_list_get_oldest_id (f->list), ==, "30");

  /* An older page goes in front, in one change; lookups follow the shift. */
  prepend (f, (const char *const[]){ "10", "20", NULL }, 3);
  g_assert_cmpuint (f->shadow.changes, ==, 2);
  model_shadow_assert (&f->shadow);
  g_assert_cmpstr (id_at (f, 0), ==, "10");
  g_assert_cmpstr (id_at (f, 4), ==, "50");
  g_assert_cmpstr (beacon_message_list_get_oldest_id (f->list), ==, "10");
  g_assert_true (beacon_message_list_find (f->list, "40", &position));
  g_assert_cmpuint (position, ==, 3);
  g_assert_cmpstr (beacon_message_get_id (beacon_message_list_lookup (f->list, "20")), ==, "20");
  /* Fewer than the limit: the beginning of the conversation. */
  g_assert_false (beacon_message_list_get_has_more (f->list));
  g_assert_cmpuint (f->has_more_notified, ==, 1);

  /* Known messages are not added twice, nor twice from one page. */
  prepend (f, (const char *const[]){ "5", "5", "10", "20", NULL }, 4);
  g_assert_cmpuint (f->shadow.changes, ==, 3);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (f->list)), ==, 6);
  model_shadow_assert (&f->shadow);
  g_assert_cmpstr (id_at (f, 0), ==, "5");
  g_assert_cmpstr (id_at (f, 1), ==, "10");
  g_assert_true (beacon_message_list_find (f->list, "50", &position));
  g_assert_cmpuint (position, ==, 5);

  /* A page of nothing new changes nothing. */
  prepend (f, (const char *const[]){ "5", "10", NULL }, 2);
  g_assert_cmpuint (f->shadow.changes, ==, 3);
}

static void
test_live_then_history (Fixture *f, gconstpointer data)
{
  BeaconMessage *live = add_message (f, "60", "them");

  g_assert_nonnull (live);
  g_assert_false (beacon_message_list_get_history_loaded (f->list));
  /* The newest page includes the live message: it stays the same object, at the end. */
  prepend (f, (const char *const[]){ "50", "60", NULL }, 50);
  model_shadow_assert (&f->shadow);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (f->list)), ==, 2);
  g_assert_true (beacon_message_list_lookup (f->list, "60") == live);
  g_assert_cmpstr (id_at (f, 0), ==, "50");
  g_assert_cmpstr (id_at (f, 1), ==, "60");
}

static void
test_pending_to_read (Fixture *f, gconstpointer data)
{
  BeaconMessage *message;
  const char    *client_id;

  add_message (f, "1", "them");
  message = beacon_message_list_add_pending (f->list, "hi");
  model_shadow_assert (&f->shadow);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (f->list)), ==, 2);
  g_assert_cmpint (beacon_message_get_state (message), ==, BEACON_MESSAGE_PENDING);
  g_assert_null (beacon_message_get_id (message));
  g_assert_true (beacon_message_get_outgoing (message));
  g_assert_cmpstr (beacon_message_get_sender_id (message), ==, ME);
  g_assert_cmpstr (beacon_message_get_conversation_id (message), ==, CONV);
  g_assert_nonnull (beacon_message_get_created_at (message));
  client_id = beacon_message_get_client_id (message);
  g_assert_nonnull (client_id);
  g_assert_true (beacon_message_list_lookup_client_id (f->list, client_id) == message);
  /* Only the partner's messages count for mark_read, and only confirmed ones for before=. */
  g_assert_cmpstr (beacon_message_list_get_last_incoming_id (f->list), ==, "1");

  watch (f, message);
  g_assert_true (confirm (f, client_id, "7", FALSE) == message);
  g_assert_cmpuint (f->shadow.changes, ==, 2);
  g_assert_cmpint (beacon_message_get_state (message), ==, BEACON_MESSAGE_SENT);
  g_assert_cmpstr (beacon_message_get_id (message), ==, "7");
  g_assert_true (beacon_message_list_lookup (f->list, "7") == message);
  g_assert_cmpuint (count_notified (f, "id"), ==, 1);
  g_assert_cmpuint (count_notified (f, "state"), ==, 1);
  g_assert_cmpuint (count_notified (f, "client-id"), ==, 0);
  g_assert_cmpuint (count_notified (f, "read-at"), ==, 0);

  g_ptr_array_set_size (f->notified, 0);
  g_assert_true (confirm (f, client_id, "7", TRUE) == message);
  g_assert_cmpint (beacon_message_get_state (message), ==, BEACON_MESSAGE_DELIVERED);
  g_assert_cmpuint (f->notified->len, ==, 1);

  /* The ack arriving after message:sent does not take it back to SENT. */
  g_ptr_array_set_size (f->notified, 0);
  g_assert_true (confirm (f, client_id, "7", FALSE) == message);
  g_assert_cmpint (beacon_message_get_state (message), ==, BEACON_MESSAGE_DELIVERED);
  g_assert_cmpuint (f->notified->len, ==, 0);

  g_assert_null (beacon_message_get_read_at (message));
  beacon_message_list_mark_read_up_to (f->list, "7");
  g_assert_cmpint (beacon_message_get_state (message), ==, BEACON_MESSAGE_READ);
  g_assert_nonnull (beacon_message_get_read_at (message));
  g_assert_cmpuint (f->shadow.changes, ==, 2);
  model_shadow_assert (&f->shadow);
}

static void
test_fail (Fixture *f, gconstpointer data)
{
  BeaconMessage   *failed = beacon_message_list_add_pending (f->list, "lost");
  BeaconMessage   *sent = beacon_message_list_add_pending (f->list, "kept");
  g_autofree char *failed_id = g_strdup (beacon_message_get_client_id (failed));

  confirm (f, beacon_message_get_client_id (sent), "3", FALSE);
  beacon_message_list_fail (f->list, failed_id);
  beacon_message_list_fail (f->list, beacon_message_get_client_id (sent));
  beacon_message_list_fail (f->list, "nobody");
  g_assert_cmpint (beacon_message_get_state (failed), ==, BEACON_MESSAGE_FAILED);
  g_assert_cmpint (beacon_message_get_state (sent), ==, BEACON_MESSAGE_SENT);

  /* A confirmation that comes after the timeout still counts. */
  g_assert_true (confirm (f, failed_id, "4", FALSE) == failed);
  g_assert_cmpint (beacon_message_get_state (failed), ==, BEACON_MESSAGE_SENT);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (f->list)), ==, 2);
}

static void
test_merge_by_client_id (Fixture *f, gconstpointer data)
{
  BeaconMessage   *pending = beacon_message_list_add_pending (f->list, "  hi  ");
  g_autofree char *text = g_strdup_printf (
      "{\"id\":\"8\",\"conversationId\":\"" CONV "\",\"senderId\":\"" ME "\",\"content\":"
      "\"hi\",\"createdAt\":\"2026-11-23T10:00:00Z\",\"readAt\":null,\"clientMessageId\":\"%s\"}",
      beacon_message_get_client_id (pending));

  /* new_message of a backend that echoes our message with its client id. */
  g_assert_true (add (f, text) == pending);
  g_assert_cmpuint (f->shadow.changes, ==, 1);
  g_assert_cmpstr (beacon_message_get_id (pending), ==, "8");
  g_assert_cmpstr (beacon_message_get_content (pending), ==, "hi");
  g_assert_cmpint (beacon_message_get_state (pending), ==, BEACON_MESSAGE_SENT);
  g_assert_true (beacon_message_list_lookup (f->list, "8") == pending);
}

static void
test_echo_before_confirm (Fixture *f, gconstpointer data)
{
  BeaconMessage   *pending;
  BeaconMessage   *echo;
  g_autofree char *client_id = NULL;

  add_message (f, "1", "them");
  pending = beacon_message_list_add_pending (f->list, "hi");
  client_id = g_strdup (beacon_message_get_client_id (pending));
  add_message (f, "2", "them");
  /* The echo (without client id) arrives first: it is a message of its own for now. */
  echo = add_message (f, "9", ME);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (f->list)), ==, 4);

  /* The confirmation tells they are one: the pending copy goes. */
  g_assert_true (confirm (f, client_id, "9", TRUE) == echo);
  model_shadow_assert (&f->shadow);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (f->list)), ==, 3);
  g_assert_cmpstr (id_at (f, 1), ==, "2");
  g_assert_true (beacon_message_list_lookup_client_id (f->list, client_id) == echo);
  g_assert_cmpint (beacon_message_get_state (echo), ==, BEACON_MESSAGE_DELIVERED);
  /* Positions after the removed one still resolve. */
  g_assert_true (beacon_message_list_lookup (f->list, "9") == echo);
  beacon_message_list_mark_read_up_to (f->list, "9");
  g_assert_cmpint (beacon_message_get_state (echo), ==, BEACON_MESSAGE_READ);
}

static void
test_mark_read (Fixture *f, gconstpointer data)
{
  BeaconMessage *ours1 = add_message (f, "1", ME);
  BeaconMessage *theirs = add_message (f, "2", "them");
  BeaconMessage *ours3 = add_message (f, "3", ME);
  BeaconMessage *pending = beacon_message_list_add_pending (f->list, "wait");
  BeaconMessage *ours4 = add_message (f, "4", ME);

  g_assert_true (beacon_message_get_outgoing (ours1));
  g_assert_false (beacon_message_get_outgoing (theirs));
  g_assert_cmpint (beacon_message_get_state (theirs), ==, BEACON_MESSAGE_DELIVERED);
  g_assert_cmpint (beacon_message_get_state (ours1), ==, BEACON_MESSAGE_SENT);

  beacon_message_list_mark_read_up_to (f->list, "unknown");
  g_assert_cmpint (beacon_message_get_state (ours1), ==, BEACON_MESSAGE_SENT);

  watch (f, theirs);
  beacon_message_list_mark_read_up_to (f->list, "3");
  g_assert_cmpint (beacon_message_get_state (ours1), ==, BEACON_MESSAGE_READ);
  g_assert_cmpint (beacon_message_get_state (ours3), ==, BEACON_MESSAGE_READ);
  g_assert_cmpint (beacon_message_get_state (theirs), ==, BEACON_MESSAGE_DELIVERED);
  g_assert_null (beacon_message_get_read_at (theirs));
  g_assert_cmpuint (f->notified->len, ==, 0);
  g_assert_cmpint (beacon_message_get_state (ours4), ==, BEACON_MESSAGE_SENT);

  beacon_message_list_mark_read_up_to (f->list, "4");
  g_assert_cmpint (beacon_message_get_state (ours4), ==, BEACON_MESSAGE_READ);
  g_assert_cmpint (beacon_message_get_state (pending), ==, BEACON_MESSAGE_PENDING);
  g_assert_cmpstr (beacon_message_list_get_last_incoming_id (f->list), ==, "2");
}

static void
test_numeric_ids_and_times (Fixture *f, gconstpointer data)
{
  g_autoptr (BeaconMessageList) list = beacon_message_list_new ("7", "9");
  g_autoptr (JsonNode)          node =
      json ("{\"id\":42,\"conversationId\":7,\"senderId\":9,\"content\":\"x\","
            "\"createdAt\":1795428000250,\"readAt\":\"2026-11-23T10:00:01.500+01:00\"}");
  g_autoptr (GDateTime) created = g_date_time_new_from_iso8601 ("2026-11-23T10:00:00.250Z", NULL);
  g_autoptr (GDateTime) read = g_date_time_new_from_iso8601 ("2026-11-23T09:00:01.500Z", NULL);
  BeaconMessage        *message = beacon_message_list_add (list, json_node_get_object (node));

  g_assert_nonnull (message);
  g_assert_cmpstr (beacon_message_get_id (message), ==, "42");
  g_assert_cmpstr (beacon_message_get_conversation_id (message), ==, "7");
  g_assert_cmpstr (beacon_message_get_sender_id (message), ==, "9");
  g_assert_true (beacon_message_get_outgoing (message));
  g_assert_true (g_date_time_equal (beacon_message_get_created_at (message), created));
  g_assert_true (g_date_time_equal (beacon_message_get_read_at (message), read));
  g_assert_cmpint (beacon_message_get_state (message), ==, BEACON_MESSAGE_READ);
  g_assert_true (beacon_message_list_lookup (list, "42") == message);
}

static void
test_bad_json (Fixture *f, gconstpointer data)
{
  static const char *const bad[] = {
    "{\"conversationId\":\"c1\",\"senderId\":\"a\",\"content\":\"x\",\"createdAt\":0}",
    "{\"id\":\"1\",\"senderId\":\"a\",\"content\":\"x\",\"createdAt\":0}",
    "{\"id\":\"1\",\"conversationId\":\"c1\",\"content\":\"x\",\"createdAt\":0}",
    "{\"id\":\"1\",\"conversationId\":\"c1\",\"senderId\":\"a\",\"createdAt\":0}",
    "{\"id\":\"1\",\"conversationId\":\"c1\",\"senderId\":\"a\",\"content\":\"x\"}",
    "{\"id\":\"1\",\"conversationId\":\"c1\",\"senderId\":\"a\",\"content\":5,\"createdAt\":0}",
    "{\"id\":-1,\"conversationId\":\"c1\",\"senderId\":\"a\",\"content\":\"x\",\"createdAt\":0}",
    "{\"id\":1.5,\"conversationId\":\"c1\",\"senderId\":\"a\",\"content\":\"x\",\"createdAt\":0}",
    "{\"id\":{},\"conversationId\":\"c1\",\"senderId\":\"a\",\"content\":\"x\",\"createdAt\":0}",
    "{\"id\":\"\",\"conversationId\":\"c1\",\"senderId\":\"a\",\"content\":\"x\",\"createdAt\":0}",
    "{\"id\":\"1\",\"conversationId\":\"c1\",\"senderId\":\"a\",\"content\":\"x\","
    "\"createdAt\":\"yesterday\"}",
    "{\"id\":\"1\",\"conversationId\":\"c1\",\"senderId\":\"a\",\"content\":\"x\","
    "\"createdAt\":\"2026-11-23T10:00:00\"}",
    "{\"id\":\"1\",\"conversationId\":\"c1\",\"senderId\":\"a\",\"content\":\"x\","
    "\"createdAt\":null}",
    "{\"id\":\"1\",\"conversationId\":\"c1\",\"senderId\":\"a\",\"content\":\"x\","
    "\"createdAt\":0,\"readAt\":true}",
    "{\"id\":\"1\",\"conversationId\":\"c1\",\"senderId\":\"a\",\"content\":\"x\","
    "\"createdAt\":0,\"clientMessageId\":[]}",
    /* Valid, but of another conversation. */
    "{\"id\":\"1\",\"conversationId\":\"c2\",\"senderId\":\"a\",\"content\":\"x\","
    "\"createdAt\":0}",
  };
  g_autoptr (GString)  page = g_string_new ("[1,null,\"x\",[]");
  g_autoptr (JsonNode) page_node = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (JsonNode)      node = json (bad[i]);
      g_autoptr (GError)        error = NULL;
      g_autoptr (BeaconMessage) message =
          beacon_message_new_from_json (json_node_get_object (node), ME, &error);

      g_test_message ("%s", bad[i]);
      if (i + 1 < G_N_ELEMENTS (bad))
        {
          g_assert_error (error, BEACON_MESSAGE_ERROR, BEACON_MESSAGE_ERROR_INVALID);
          g_assert_null (message);
        }
      g_assert_null (add (f, bad[i]));
      g_assert_null (beacon_message_list_confirm (f->list, "x", json_node_get_object (node), TRUE));
      g_string_append_printf (page, ",%s", bad[i]);
    }
  g_string_append_c (page, ']');
  page_node = json (page->str);
  beacon_message_list_prepend_page (f->list, json_node_get_array (page_node), 100);
  g_assert_cmpuint (f->shadow.changes, ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (f->list)), ==, 0);
  g_assert_null (beacon_message_list_get_oldest_id (f->list));
  g_assert_null (beacon_message_list_get_last_incoming_id (f->list));
}

int
main (int argc, char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/message-list/pages", test_pages);
  ADD ("/message-list/live-then-history", test_live_then_history);
  ADD ("/message-list/pending-to-read", test_pending_to_read);
  ADD ("/message-list/fail", test_fail);
  ADD ("/message-list/merge-by-client-id", test_merge_by_client_id);
  ADD ("/message-list/echo-before-confirm", test_echo_before_confirm);
  ADD ("/message-list/mark-read", test_mark_read);
  ADD ("/message-list/numeric-ids-and-times", test_numeric_ids_and_times);
  ADD ("/message-list/bad-json", test_bad_json);

  return g_test_run ();
}

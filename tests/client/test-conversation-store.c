/* test-conversation-store.c: unit tests of BeaconConversation and
 * BeaconConversationStore: loads merged into the same objects, exact list changes,
 * message events, unread counts and their total, and JSON that is refused. */

#include "config.h"

#include <locale.h>
#include <string.h>

#include "beacon-conversation-store.h"
#include "beacon-json.h"
#include "model-shadow.h"

#define ME "me"

typedef struct
{
  BeaconConversationStore *store;
  ModelShadow              shadow;
  guint                    total_notified;
  GPtrArray               *notified; /* property names notified on watched objects */
} Fixture;

static void
on_total_unread (GObject *object, GParamSpec *pspec, Fixture *f)
{
  f->total_notified++;
}

static void
on_notify (GObject *object, GParamSpec *pspec, Fixture *f)
{
  g_ptr_array_add (f->notified, (gpointer) g_param_spec_get_name (pspec));
}

static void
watch (Fixture *f, gpointer object)
{
  g_signal_connect (object, "notify", G_CALLBACK (on_notify), f);
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
  f->store = beacon_conversation_store_new (ME);
  f->notified = g_ptr_array_new ();
  model_shadow_init (&f->shadow, G_LIST_MODEL (f->store));
  g_signal_connect (f->store, "notify::total-unread", G_CALLBACK (on_total_unread), f);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  model_shadow_clear (&f->shadow);
  g_assert_finalize_object (f->store);
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

static void
load (Fixture *f, const char *text)
{
  g_autoptr (JsonNode) node = json (text);

  beacon_conversation_store_load (f->store, json_node_get_array (node));
  model_shadow_assert (&f->shadow);
}

/* An entry of GET /api/conversations with partner "u<id>" and no message. */
static char *
entry (const char *id, guint unread)
{
  return g_strdup_printf ("{\"id\":\"%s\",\"partner\":{\"id\":\"u%s\",\"name\":\"User %s\","
                          "\"role\":\"CLIENT\"},\"last_message\":null,\"unread_count\":%u}",
                          id, id, id, unread);
}

/* Loads entries given as "id:unread" in that order. */
static void
load_entries (Fixture *f, const char *const *entries)
{
  g_autoptr (GString) text = g_string_new ("[");

  for (guint i = 0; entries[i]; i++)
    {
      g_auto (GStrv) parts = g_strsplit (entries[i], ":", 2);
      g_autofree char *e = entry (parts[0], (guint) g_ascii_strtoull (parts[1], NULL, 10));

      g_string_append_printf (text, "%s%s", i ? "," : "", e);
    }
  g_string_append_c (text, ']');
  load (f, text->str);
}

static BeaconMessage *
apply_new_message (Fixture *f, const char *conversation, const char *id, const char *sender)
{
  g_autofree char *text = g_strdup_printf (
      "{\"conversationId\":\"%s\",\"message\":{\"id\":\"%s\",\"conversationId\":\"%s\","
      "\"senderId\":\"%s\",\"content\":\"text %s\",\"createdAt\":\"2026-11-23T11:%02d:00Z\","
      "\"readAt\":null}}",
      conversation, id, conversation, sender, id, (int) (g_ascii_strtoull (id, NULL, 10) % 60));
  g_autoptr (JsonNode) node = json (text);
  BeaconMessage       *message =
      beacon_conversation_store_apply_new_message (f->store, json_node_get_object (node));

  model_shadow_assert (&f->shadow);
  return message;
}

static const char *
id_at (Fixture *f, guint position)
{
  g_autoptr (BeaconConversation) conversation =
      g_list_model_get_item (G_LIST_MODEL (f->store), position);

  return beacon_conversation_get_id (conversation);
}

static BeaconConversation *
lookup (Fixture *f, const char *id)
{
  BeaconConversation *conversation = beacon_conversation_store_lookup (f->store, id);

  g_assert_nonnull (conversation);
  return conversation;
}

static void
test_load (Fixture *f, gconstpointer data)
{
  BeaconConversation   *conversation;
  g_autoptr (GDateTime) activity = g_date_time_new_from_iso8601 ("2026-11-23T10:00:00Z", NULL);

  load (f, "[{\"id\":\"a\",\"partner\":{\"id\":\"ua\",\"name\":\"Ann\",\"role\":\"FREELANCER\"},"
           "\"last_message\":{\"id\":\"m1\",\"conversationId\":\"a\",\"senderId\":\"ua\","
           "\"content\":\"hello\",\"createdAt\":\"2026-11-23T10:00:00Z\",\"readAt\":null},"
           "\"unread_count\":2},"
           "{\"id\":\"b\",\"partner\":{\"id\":\"ub\",\"name\":null,\"role\":null},"
           "\"last_message\":null,\"unread_count\":3}]");
  g_assert_cmpuint (f->shadow.changes, ==, 1);
  g_assert_cmpuint (f->shadow.items->len, ==, 2);
  g_assert_cmpstr (id_at (f, 0), ==, "a");

  conversation = lookup (f, "a");
  g_assert_true (beacon_conversation_store_lookup_partner (f->store, "ua") == conversation);
  g_assert_cmpstr (beacon_conversation_get_partner_id (conversation), ==, "ua");
  g_assert_cmpstr (beacon_conversation_get_partner_name (conversation), ==, "Ann");
  g_assert_cmpstr (beacon_conversation_get_partner_role (conversation), ==, "FREELANCER");
  g_assert_cmpstr (beacon_conversation_get_last_message (conversation), ==, "hello");
  g_assert_true (
      g_date_time_equal (beacon_conversation_get_last_activity (conversation), activity));
  g_assert_cmpuint (beacon_conversation_get_unread_count (conversation), ==, 2);

  conversation = lookup (f, "b");
  g_assert_null (beacon_conversation_get_partner_name (conversation));
  g_assert_null (beacon_conversation_get_last_message (conversation));
  g_assert_null (beacon_conversation_get_last_activity (conversation));
  g_assert_null (beacon_conversation_store_lookup (f->store, "c"));
  g_assert_null (beacon_conversation_store_lookup_partner (f->store, "ub2"));

  g_assert_cmpuint (beacon_conversation_store_get_total_unread (f->store), ==, 5);
  g_assert_cmpuint (f->total_notified, ==, 1);
}

static void
test_load_merges (Fixture *f, gconstpointer data)
{
  BeaconConversation *a;
  BeaconConversation *b;
  BeaconConversation *c;

  load_entries (f, (const char *const[]){ "a:0", "b:1", "c:0", "d:0", NULL });
  a = lookup (f, "a");
  b = lookup (f, "b");
  c = lookup (f, "c");
  watch (f, a);
  watch (f, b);

  /* The same list, one count changed: the same objects, no list change, one notify. */
  load_entries (f, (const char *const[]){ "a:4", "b:1", "c:0", "d:0", NULL });
  g_assert_cmpuint (f->shadow.changes, ==, 1);
  g_assert_true (lookup (f, "a") == a);
  g_assert_cmpuint (f->notified->len, ==, 1);
  g_assert_cmpuint (count_notified (f, "unread-count"), ==, 1);
  g_assert_cmpuint (beacon_conversation_store_get_total_unread (f->store), ==, 5);
  g_assert_cmpuint (f->total_notified, ==, 2);

  /* c moved to the top, d gone, e new at the end: one change over the range that
   * differs, and the objects kept. */
  load_entries (f, (const char *const[]){ "c:0", "a:4", "b:1", "e:2", NULL });
  g_assert_cmpuint (f->shadow.changes, ==, 2);
  g_assert_true (lookup (f, "c") == c);
  g_assert_true (lookup (f, "b") == b);
  g_assert_null (beacon_conversation_store_lookup (f->store, "d"));
  g_assert_null (beacon_conversation_store_lookup_partner (f->store, "ud"));
  g_assert_cmpstr (id_at (f, 0), ==, "c");
  g_assert_cmpstr (id_at (f, 3), ==, "e");
  g_assert_cmpuint (beacon_conversation_store_get_total_unread (f->store), ==, 7);

  /* Only the last entry changed: the change covers only it. */
  load_entries (f, (const char *const[]){ "c:0", "a:4", "b:1", "f:0", NULL });
  g_assert_cmpuint (f->shadow.changes, ==, 3);
  g_assert_cmpuint (f->shadow.items->len, ==, 4);
  g_assert_true (f->shadow.items->pdata[2] == b);
}

static void
test_numeric_ids (Fixture *f, gconstpointer data)
{
  BeaconConversation *conversation;

  load (f, "[{\"id\":5,\"partner\":{\"id\":9,\"name\":\"N\",\"role\":\"CLIENT\"},"
           "\"last_message\":{\"id\":77,\"conversationId\":5,\"senderId\":9,\"content\":\"x\","
           "\"createdAt\":1795428000000,\"readAt\":null},\"unread_count\":1}]");
  conversation = lookup (f, "5");
  g_assert_true (beacon_conversation_store_lookup_partner (f->store, "9") == conversation);
  g_assert_cmpstr (beacon_conversation_get_last_message (conversation), ==, "x");

  {
    g_autoptr (JsonNode) node = json ("{\"conversationId\":5,\"message\":{\"id\":78,"
                                      "\"conversationId\":5,\"senderId\":9,\"content\":\"y\","
                                      "\"createdAt\":1795428060000,\"readAt\":null}}");
    BeaconMessage       *message =
        beacon_conversation_store_apply_new_message (f->store, json_node_get_object (node));

    g_assert_nonnull (message);
    g_assert_cmpstr (beacon_message_get_id (message), ==, "78");
    g_assert_cmpuint (beacon_conversation_get_unread_count (conversation), ==, 2);
  }
}

static void
test_add (Fixture *f, gconstpointer data)
{
  BeaconConversation  *added;
  g_autoptr (JsonNode) post = json ("{\"id\":\"n\",\"partner\":{\"id\":\"un\",\"name\":\"New\","
                                    "\"role\":\"FREELANCER\"}}");

  load_entries (f, (const char *const[]){ "a:1", NULL });
  added = beacon_conversation_store_add (f->store, json_node_get_object (post));
  model_shadow_assert (&f->shadow);
  g_assert_nonnull (added);
  g_assert_cmpstr (id_at (f, 0), ==, "n");
  g_assert_cmpuint (beacon_conversation_get_unread_count (added), ==, 0);
  g_assert_true (beacon_conversation_store_lookup_partner (f->store, "un") == added);

  /* POST for a known conversation: the same object, its count and place kept. */
  {
    g_autoptr (JsonNode) again = json ("{\"id\":\"a\",\"partner\":{\"id\":\"ua\","
                                       "\"name\":\"Renamed\",\"role\":\"CLIENT\"}}");
    BeaconConversation  *a = lookup (f, "a");

    g_assert_true (beacon_conversation_store_add (f->store, json_node_get_object (again)) == a);
    g_assert_cmpuint (beacon_conversation_get_unread_count (a), ==, 1);
    g_assert_cmpstr (beacon_conversation_get_partner_name (a), ==, "Renamed");
    g_assert_cmpstr (id_at (f, 1), ==, "a");
  }
  g_assert_cmpuint (f->shadow.changes, ==, 2);
}

static void
test_new_message (Fixture *f, gconstpointer data)
{
  BeaconConversation *c;
  BeaconMessage      *message;

  load_entries (f, (const char *const[]){ "a:0", "b:0", "c:1", NULL });
  c = lookup (f, "c");
  watch (f, c);

  message = apply_new_message (f, "c", "10", "uc");
  g_assert_nonnull (message);
  g_assert_true (beacon_message_list_lookup (beacon_conversation_get_messages (c), "10") ==
                 message);
  /* To the top, as a move (a removal and an insertion). */
  g_assert_cmpstr (id_at (f, 0), ==, "c");
  g_assert_cmpuint (f->shadow.changes, ==, 3);
  g_assert_cmpuint (beacon_conversation_get_unread_count (c), ==, 2);
  g_assert_cmpuint (beacon_conversation_store_get_total_unread (f->store), ==, 2);
  g_assert_cmpstr (beacon_conversation_get_last_message (c), ==, "text 10");
  g_assert_cmpuint (count_notified (f, "last-message"), ==, 1);
  g_assert_cmpuint (count_notified (f, "last-activity"), ==, 1);

  /* The same message again (another device's echo): not counted twice, no move. */
  apply_new_message (f, "c", "10", "uc");
  g_assert_cmpuint (beacon_conversation_get_unread_count (c), ==, 2);
  g_assert_cmpuint (f->shadow.changes, ==, 3);

  /* Ours (from another device): no unread. */
  apply_new_message (f, "c", "11", ME);
  g_assert_cmpuint (beacon_conversation_get_unread_count (c), ==, 2);
  g_assert_cmpstr (beacon_conversation_get_last_message (c), ==, "text 11");

  /* The focused conversation: seen as it comes. */
  beacon_conversation_store_set_focused (f->store, "c");
  apply_new_message (f, "c", "12", "uc");
  g_assert_cmpuint (beacon_conversation_get_unread_count (c), ==, 2);
  beacon_conversation_store_set_focused (f->store, NULL);

  /* Already read (auto-read, we chat with them on another device). */
  {
    g_autoptr (JsonNode) node =
        json ("{\"conversationId\":\"c\",\"message\":{\"id\":\"13\",\"conversationId\":\"c\","
              "\"senderId\":\"uc\",\"content\":\"seen\",\"createdAt\":\"2026-11-23T11:13:00Z\","
              "\"readAt\":\"2026-11-23T11:13:00Z\"}}");

    g_assert_nonnull (
        beacon_conversation_store_apply_new_message (f->store, json_node_get_object (node)));
    g_assert_cmpuint (beacon_conversation_get_unread_count (c), ==, 2);
  }

  /* Another conversation: it goes to the top. */
  apply_new_message (f, "a", "14", "ua");
  g_assert_cmpstr (id_at (f, 0), ==, "a");
  g_assert_cmpstr (id_at (f, 1), ==, "c");
  g_assert_cmpuint (beacon_conversation_store_get_total_unread (f->store), ==, 3);

  /* An older message (late) does not replace the last one. */
  apply_new_message (f, "c", "1", "uc");
  g_assert_cmpstr (beacon_conversation_get_last_message (c), ==, "seen");
  g_assert_cmpstr (id_at (f, 0), ==, "a");
}

static void
test_new_message_unknown_conversation (Fixture *f, gconstpointer data)
{
  BeaconConversation *stub;

  load_entries (f, (const char *const[]){ "a:0", NULL });
  g_assert_nonnull (apply_new_message (f, "z", "1", "uz"));
  stub = lookup (f, "z");
  g_assert_cmpstr (id_at (f, 0), ==, "z");
  g_assert_true (beacon_conversation_store_lookup_partner (f->store, "uz") == stub);
  g_assert_cmpuint (beacon_conversation_get_unread_count (stub), ==, 1);
  g_assert_cmpuint (beacon_conversation_store_get_total_unread (f->store), ==, 1);

  /* Ours in a conversation we do not know: nowhere to put it. */
  g_assert_null (apply_new_message (f, "y", "2", ME));
  g_assert_null (beacon_conversation_store_lookup (f->store, "y"));

  /* The load that follows fills the stub in, the same object. */
  load (f, "[{\"id\":\"z\",\"partner\":{\"id\":\"uz\",\"name\":\"Zed\",\"role\":\"CLIENT\"},"
           "\"last_message\":null,\"unread_count\":1}]");
  g_assert_true (lookup (f, "z") == stub);
  g_assert_cmpstr (beacon_conversation_get_partner_name (stub), ==, "Zed");
  /* A server that knows no message yet does not hide the one we got. */
  g_assert_cmpstr (beacon_conversation_get_last_message (stub), ==, "text 1");
}

static void
test_message_sent_and_read (Fixture *f, gconstpointer data)
{
  BeaconConversation  *a;
  BeaconMessageList   *list;
  BeaconMessage       *pending;
  BeaconMessage       *theirs;
  g_autofree char     *sent = NULL;
  g_autoptr (JsonNode) node = NULL;

  load_entries (f, (const char *const[]){ "b:0", "a:0", NULL });
  a = lookup (f, "a");
  list = beacon_conversation_get_messages (a);
  g_assert_true (beacon_conversation_get_messages (a) == list);
  theirs = apply_new_message (f, "a", "1", "ua");
  pending = beacon_message_list_add_pending (list, "hi");

  sent = g_strdup_printf ("{\"conversationId\":\"a\",\"message\":{\"id\":\"2\","
                          "\"conversationId\":\"a\",\"senderId\":\"" ME "\",\"content\":\"hi\","
                          "\"createdAt\":\"2026-11-23T11:02:00Z\",\"readAt\":null},"
                          "\"delivered\":true,\"clientMessageId\":\"%s\"}",
                          beacon_message_get_client_id (pending));
  node = json (sent);
  g_assert_true (beacon_conversation_store_apply_message_sent (
                     f->store, json_node_get_object (node)) == pending);
  g_assert_cmpint (beacon_message_get_state (pending), ==, BEACON_MESSAGE_DELIVERED);
  g_assert_cmpstr (beacon_message_get_id (pending), ==, "2");
  g_assert_cmpstr (beacon_conversation_get_last_message (a), ==, "hi");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 2);

  /* The partner read up to our message. */
  {
    g_autoptr (JsonNode) read =
        json ("{\"conversationId\":\"a\",\"readerId\":\"ua\",\"upTo\":\"2\"}");

    beacon_conversation_store_apply_message_read (f->store, json_node_get_object (read));
    g_assert_cmpint (beacon_message_get_state (pending), ==, BEACON_MESSAGE_READ);
    g_assert_cmpint (beacon_message_get_state (theirs), ==, BEACON_MESSAGE_DELIVERED);
    g_assert_cmpuint (beacon_conversation_get_unread_count (a), ==, 1);
  }
  /* We read on another device. */
  {
    g_autoptr (JsonNode) read =
        json ("{\"conversationId\":\"a\",\"readerId\":\"" ME "\",\"upTo\":\"1\"}");

    beacon_conversation_store_apply_message_read (f->store, json_node_get_object (read));
    g_assert_cmpuint (beacon_conversation_get_unread_count (a), ==, 0);
    g_assert_cmpuint (beacon_conversation_store_get_total_unread (f->store), ==, 0);
  }
}

static void
test_unread (Fixture *f, gconstpointer data)
{
  load_entries (f, (const char *const[]){ "a:2", "b:3", "c:0", NULL });
  g_assert_cmpuint (beacon_conversation_store_get_total_unread (f->store), ==, 5);
  g_assert_cmpuint (f->total_notified, ==, 1);

  beacon_conversation_store_set_read (f->store, "b");
  g_assert_cmpuint (beacon_conversation_get_unread_count (lookup (f, "b")), ==, 0);
  g_assert_cmpuint (beacon_conversation_store_get_total_unread (f->store), ==, 2);
  g_assert_cmpuint (f->total_notified, ==, 2);

  /* Nothing changes: no notification. */
  beacon_conversation_store_set_read (f->store, "c");
  beacon_conversation_store_set_read (f->store, "unknown");
  g_assert_cmpuint (f->total_notified, ==, 2);

  beacon_conversation_store_clear (f->store);
  model_shadow_assert (&f->shadow);
  g_assert_cmpuint (f->shadow.items->len, ==, 0);
  g_assert_cmpuint (beacon_conversation_store_get_total_unread (f->store), ==, 0);
  g_assert_cmpuint (f->total_notified, ==, 3);
  g_assert_null (beacon_conversation_store_lookup (f->store, "a"));
}

static void
test_other_user (Fixture *f, gconstpointer data)
{
  load_entries (f, (const char *const[]){ "a:2", NULL });
  beacon_conversation_store_set_self_user_id (f->store, ME);
  g_assert_cmpuint (f->shadow.items->len, ==, 1);
  beacon_conversation_store_set_self_user_id (f->store, "someone-else");
  model_shadow_assert (&f->shadow);
  g_assert_cmpuint (f->shadow.items->len, ==, 0);
  g_assert_cmpuint (beacon_conversation_store_get_total_unread (f->store), ==, 0);
}

static void
test_bad_json (Fixture *f, gconstpointer data)
{
  static const char *const bad_payloads[] = {
    "{}",
    "{\"conversationId\":\"a\"}",
    "{\"conversationId\":\"a\",\"message\":\"hi\"}",
    "{\"conversationId\":true,\"message\":{}}",
    "{\"conversationId\":\"a\",\"message\":{\"id\":\"1\"}}",
    /* The message names another conversation than the payload. */
    "{\"conversationId\":\"a\",\"message\":{\"id\":\"1\",\"conversationId\":\"b\","
    "\"senderId\":\"ua\",\"content\":\"x\",\"createdAt\":0}}",
    "{\"conversationId\":\"nope\",\"message\":{\"id\":\"1\",\"conversationId\":\"nope\","
    "\"senderId\":\"" ME "\",\"content\":\"x\",\"createdAt\":0}}",
  };

  load (f, "[1,null,[],\"a\","
           "{\"partner\":{\"id\":\"u\"}},"
           "{\"id\":\"x1\"},"
           "{\"id\":\"x2\",\"partner\":\"u\"},"
           "{\"id\":\"x3\",\"partner\":{\"name\":\"n\"}},"
           "{\"id\":\"x4\",\"partner\":{\"id\":\"u\",\"name\":7}},"
           "{\"id\":\"x5\",\"partner\":{\"id\":\"u\"},\"unread_count\":\"2\"},"
           "{\"id\":\"x6\",\"partner\":{\"id\":\"u\"},\"unread_count\":-1},"
           "{\"id\":\"x7\",\"partner\":{\"id\":\"u\"},\"unread_count\":1.5},"
           "{\"id\":\"x8\",\"partner\":{\"id\":\"u\"},\"last_message\":\"hi\"},"
           "{\"id\":\"x9\",\"partner\":{\"id\":\"u\"},\"last_message\":{\"id\":\"m\"}},"
           "{\"id\":-3,\"partner\":{\"id\":\"u\"}},"
           "{\"id\":\"a\",\"partner\":{\"id\":\"ua\"},\"unread_count\":1},"
           "{\"id\":\"a\",\"partner\":{\"id\":\"ua2\"},\"unread_count\":9}]");
  g_assert_cmpuint (f->shadow.items->len, ==, 1);
  g_assert_cmpuint (beacon_conversation_store_get_total_unread (f->store), ==, 1);
  for (guint i = 1; i <= 9; i++)
    {
      g_autofree char *id = g_strdup_printf ("x%u", i);

      g_assert_null (beacon_conversation_store_lookup (f->store, id));
    }

  for (guint i = 0; i < G_N_ELEMENTS (bad_payloads); i++)
    {
      g_autoptr (JsonNode) node = json (bad_payloads[i]);
      JsonObject          *payload = json_node_get_object (node);

      g_test_message ("%s", bad_payloads[i]);
      g_assert_null (beacon_conversation_store_apply_new_message (f->store, payload));
      g_assert_null (beacon_conversation_store_apply_message_sent (f->store, payload));
      beacon_conversation_store_apply_message_read (f->store, payload);
    }
  {
    g_autoptr (JsonNode) read = json ("{\"conversationId\":\"a\",\"readerId\":{},\"upTo\":\"1\"}");
    g_autoptr (JsonNode) post = json ("{\"id\":\"p\",\"partner\":null}");

    beacon_conversation_store_apply_message_read (f->store, json_node_get_object (read));
    g_assert_null (beacon_conversation_store_add (f->store, json_node_get_object (post)));
  }
  model_shadow_assert (&f->shadow);
  g_assert_cmpuint (f->shadow.items->len, ==, 1);
  g_assert_cmpuint (beacon_conversation_store_get_total_unread (f->store), ==, 1);
}

int
main (int argc, char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/conversation-store/load", test_load);
  ADD ("/conversation-store/load-merges", test_load_merges);
  ADD ("/conversation-store/numeric-ids", test_numeric_ids);
  ADD ("/conversation-store/add", test_add);
  ADD ("/conversation-store/new-message", test_new_message);
  ADD ("/conversation-store/new-message-unknown-conversation",
       test_new_message_unknown_conversation);
  ADD ("/conversation-store/message-sent-and-read", test_message_sent_and_read);
  ADD ("/conversation-store/unread", test_unread);
  ADD ("/conversation-store/other-user", test_other_user);
  ADD ("/conversation-store/bad-json", test_bad_json);

  return g_test_run ();
}

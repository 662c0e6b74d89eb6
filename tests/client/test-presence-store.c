/* test-presence-store.c: unit tests of BeaconPresenceStore: every variant of PROTOCOL.md
 * section 9, versions out of order, full snapshots, the hydration race, signals counted. */

#include "config.h"

#include <locale.h>
#include <string.h>

#include "beacon-json.h"
#include "beacon-presence-store.h"

#define VIEWER "me"

typedef struct
{
  BeaconClock         *clock;
  BeaconPresenceStore *store;
  guint                shadow_n_items; /* what items-changed said so far */
  guint                moved;          /* items-changed (p, 1, 1): a contact to re-sort */
  guint                items_changed;  /* emissions */
  guint                added;          /* items added, summed */
  guint                removed;
  GPtrArray           *came_online; /* ids, from contact-online */
  guint                snapshots;   /* snapshot-applied emissions */
  guint                online_count_notified;
} Fixture;

static void
on_items_changed (GListModel *model, guint position, guint removed, guint added, Fixture *f)
{
  g_assert_cmpuint (position + removed, <=, f->shadow_n_items);
  f->shadow_n_items = f->shadow_n_items - removed + added;
  /* The model says what it announced, no more, no less. */
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, f->shadow_n_items);
  if (removed == 1 && added == 1)
    {
      f->moved++;
      return;
    }
  f->items_changed++;
  f->added += added;
  f->removed += removed;
}

static void
on_contact_online (BeaconPresenceStore *store, BeaconContact *contact, Fixture *f)
{
  g_assert_cmpint (beacon_contact_get_status (contact), !=, BEACON_STATUS_OFFLINE);
  g_ptr_array_add (f->came_online, g_strdup (beacon_contact_get_id (contact)));
}

static void
on_snapshot_applied (BeaconPresenceStore *store, Fixture *f)
{
  f->snapshots++;
}

static void
on_online_count (BeaconPresenceStore *store, GParamSpec *pspec, Fixture *f)
{
  f->online_count_notified++;
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr (GDateTime) now = g_date_time_new_from_iso8601 ("2026-11-23T10:05:00Z", NULL);

  f->clock = beacon_clock_new_for_testing (now);
  f->store = beacon_presence_store_new (f->clock);
  f->came_online = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (f->store, "items-changed", G_CALLBACK (on_items_changed), f);
  g_signal_connect (f->store, "contact-online", G_CALLBACK (on_contact_online), f);
  g_signal_connect (f->store, "snapshot-applied", G_CALLBACK (on_snapshot_applied), f);
  g_signal_connect (f->store, "notify::online-count", G_CALLBACK (on_online_count), f);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_assert_finalize_object (f->store);
  g_assert_finalize_object (f->clock);
  g_ptr_array_unref (f->came_online);
}

static JsonNode *
json (const char *text)
{
  g_autoptr (GError) error = NULL;
  JsonNode          *node = beacon_json_parse (text, strlen (text), &error);

  g_assert_no_error (error);
  return node;
}

static BeaconPresenceRecord *
record (const char *text)
{
  g_autoptr (JsonNode)  node = json (text);
  g_autoptr (GError)    error = NULL;
  BeaconPresenceRecord *r = beacon_presence_record_parse (node, VIEWER, &error);

  g_assert_no_error (error);
  return r;
}

/* A live delta, as the session hands it over. */
static BeaconContact *
delta (Fixture *f, const char *text)
{
  g_autoptr (BeaconPresenceRecord) r = record (text);

  return beacon_presence_store_apply_record (f->store, r);
}

/* presence_info: an array of records. */
static void
delta_list (Fixture *f, const char *text)
{
  g_autoptr (JsonNode)  node = json (text);
  g_autoptr (GError)    error = NULL;
  g_autoptr (GPtrArray) records = beacon_presence_record_parse_list (node, VIEWER, &error);

  g_assert_no_error (error);
  beacon_presence_store_apply_records (f->store, records);
}

/* presence:connected or presence:update */
static void
snapshot (Fixture *f, const char *text, gboolean full)
{
  g_autoptr (JsonNode)  node = json (text);
  g_autoptr (GError)    error = NULL;
  g_autoptr (GPtrArray) records = NULL;

  g_assert_true (beacon_presence_parse_snapshot (node, VIEWER, NULL, &records, &error));
  g_assert_no_error (error);
  beacon_presence_store_apply_snapshot (f->store, records, full);
}

/* The body of GET /api/friends/online-status, arriving. */
static void
finish_hydration (Fixture *f, const char *text)
{
  g_autoptr (JsonNode)   node = json (text);
  g_autoptr (GError)     error = NULL;
  g_autoptr (GPtrArray)  records = NULL;
  g_autoptr (GHashTable) online = NULL;

  g_assert_true (beacon_presence_parse_hydration (node, VIEWER, &online, &records, &error));
  g_assert_no_error (error);
  beacon_presence_store_finish_hydration (f->store, records, online);
}

static BeaconContact *
get (Fixture *f, const char *id)
{
  BeaconContact *contact = beacon_presence_store_lookup (f->store, id);

  if (contact == NULL)
    g_error ("no contact %s", id);
  return contact;
}

#define assert_status(f, id, st) g_assert_cmpint (beacon_contact_get_status (get (f, id)), ==, st)
#define assert_label(f, id, text) \
  g_assert_cmpstr (beacon_contact_get_status_label (get (f, id)), ==, text)

static char *
came_online (Fixture *f)
{
  g_autofree char *joined = NULL;

  g_ptr_array_add (f->came_online, NULL);
  joined = g_strjoinv (",", (char **) f->came_online->pdata);
  g_ptr_array_set_size (f->came_online, 0);
  return g_steal_pointer (&joined);
}

#define assert_came_online(f, expected)      \
  G_STMT_START                               \
  {                                          \
    g_autofree char *_ids = came_online (f); \
    g_assert_cmpstr (_ids, ==, expected);    \
  }                                          \
  G_STMT_END

/* Every variant of PROTOCOL.md section 9, one after the other, through the store. */
static void
test_variants (Fixture *f, gconstpointer data)
{
  /* The canonical record (section 3). */
  delta (f, "{\"user_id\":\"u2\",\"status\":\"online\",\"last_seen\":\"2026-11-23T10:00:00Z\","
            "\"last_active\":\"2026-11-23T10:04:31Z\",\"chatting_with_me\":false,"
            "\"custom_message\":\"At lunch\",\"role\":\"FREELANCER\",\"version\":42}");
  assert_label (f, "u2", "Active");
  g_assert_cmpstr (beacon_contact_get_role (get (f, "u2")), ==, "FREELANCER");

  /* Ids as JSON numbers, kept as decimal strings. */
  delta (f, "{\"user_id\":42,\"status\":\"online\"}");
  assert_status (f, "42", BEACON_STATUS_ONLINE);

  /* presence_updated with only user_id, status, last_seen. */
  delta (f, "{\"user_id\":\"u3\",\"status\":\"offline\",\"last_seen\":\"2026-11-23T09:55:00Z\"}");
  assert_label (f, "u3", "Last seen 10 minutes ago");

  /* friend_status_changed, timestamps as epoch milliseconds. */
  delta (f, "{\"user_id\":\"u4\",\"status\":\"offline\",\"timestamp\":1795428240000}");
  assert_label (f, "u4", "Last seen 1 minute ago");
  delta (f, "{\"user_id\":\"u4\",\"status\":\"online\",\"timestamp\":1795428300000}");
  assert_status (f, "u4", BEACON_STATUS_ONLINE);
  g_assert_cmpint (g_date_time_to_unix (beacon_contact_get_last_active (get (f, "u4"))), ==,
                   1795428300);

  /* presence_info: an array of partial records. */
  delta_list (f, "[{\"user_id\":\"u5\",\"status\":\"online\",\"last_seen\":null},"
                 "{\"user_id\":6,\"status\":\"offline\",\"last_seen\":1795427700000}]");
  assert_status (f, "u5", BEACON_STATUS_ONLINE);
  assert_label (f, "6", "Last seen 10 minutes ago");

  /* Statuses dnd (busy) and active (online). */
  delta (f, "{\"user_id\":\"u5\",\"status\":\"dnd\"}");
  assert_label (f, "u5", "Busy");
  delta (f, "{\"user_id\":\"u5\",\"status\":\"active\"}");
  assert_label (f, "u5", "Active");

  /* presence:update as a full snapshot, with socketId and chattingWith (me, a third
   * party); u2, 42 and u4 vanish from it and go offline. */
  snapshot (f,
            "{\"onlineUsers\":[{\"userId\":\"u5\",\"socketId\":\"a\",\"chattingWith\":\"me\"},"
            "{\"userId\":7,\"socketId\":\"b\",\"chattingWith\":\"u9\",\"role\":\"CLIENT\"}]}",
            TRUE);
  assert_label (f, "u5", "Online");
  g_assert_cmpint (beacon_contact_get_badge (get (f, "u5")), ==, BEACON_BADGE_GREEN);
  g_assert_cmpint (beacon_contact_get_badge (get (f, "7")), ==, BEACON_BADGE_YELLOW);
  g_assert_false (beacon_contact_get_chatting_with_me (get (f, "7")));
  assert_status (f, "u2", BEACON_STATUS_OFFLINE);
  assert_status (f, "42", BEACON_STATUS_OFFLINE);
  assert_status (f, "u4", BEACON_STATUS_OFFLINE);
  assert_label (f, "u2", "Last seen 5 minutes ago");
  g_assert_cmpuint (beacon_presence_store_get_online_count (f->store), ==, 2);

  /* REST hydration with only statuses: 7 is reported offline, u2 online. */
  beacon_presence_store_begin_hydration (f->store);
  finish_hydration (f, "{\"data\":{\"statuses\":{\"u2\":true,\"7\":false,\"u8\":true}}}");
  assert_status (f, "u2", BEACON_STATUS_ONLINE);
  assert_status (f, "7", BEACON_STATUS_OFFLINE);
  assert_status (f, "u8", BEACON_STATUS_ONLINE);

  /* No version: the last to arrive wins. */
  delta (f, "{\"user_id\":\"u8\",\"status\":\"away\"}");
  delta (f, "{\"user_id\":\"u8\",\"status\":\"busy\"}");
  assert_status (f, "u8", BEACON_STATUS_BUSY);

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (f->store)), ==, 8);
  g_assert_cmpuint (f->added, ==, 8);
  g_assert_cmpuint (f->removed, ==, 0);
}

static void
test_out_of_order (Fixture *f, gconstpointer data)
{
  BeaconContact *contact;

  delta (f, "{\"user_id\":\"u2\",\"status\":\"away\",\"version\":3}");
  contact = delta (f, "{\"user_id\":\"u2\",\"status\":\"online\",\"version\":1}");
  g_assert_true (contact == get (f, "u2"));
  delta (f, "{\"user_id\":\"u2\",\"status\":\"offline\",\"version\":2}");
  delta (f, "{\"user_id\":\"u2\",\"status\":\"busy\",\"version\":3}");
  assert_status (f, "u2", BEACON_STATUS_AWAY);
  g_assert_cmpint (beacon_contact_get_version (contact), ==, 3);

  delta (f, "{\"user_id\":\"u2\",\"status\":\"busy\",\"version\":5}");
  delta (f, "{\"user_id\":\"u2\",\"status\":\"online\",\"version\":4}");
  assert_status (f, "u2", BEACON_STATUS_BUSY);

  /* Versions travel as numbers of any JSON kind. */
  delta (f, "{\"user_id\":\"u2\",\"status\":\"online\",\"version\":6.0}");
  assert_status (f, "u2", BEACON_STATUS_ONLINE);
  g_assert_cmpuint (f->items_changed, ==, 1);
}

static void
test_full_snapshots (Fixture *f, gconstpointer data)
{
  snapshot (f,
            "{\"userId\":\"me\",\"onlineUsers\":[{\"userId\":\"a\"},{\"userId\":\"b\"},"
            "{\"userId\":\"c\",\"status\":\"away\"}]}",
            TRUE);
  g_assert_cmpuint (beacon_presence_store_get_online_count (f->store), ==, 3);
  g_assert_cmpuint (f->items_changed, ==, 1);
  g_assert_cmpuint (f->snapshots, ==, 1);

  /* Not full (a list of changes in snapshot form): nobody goes offline. */
  snapshot (f, "{\"onlineUsers\":[{\"userId\":\"a\",\"chattingWith\":\"me\"}]}", FALSE);
  g_assert_cmpuint (beacon_presence_store_get_online_count (f->store), ==, 3);

  /* Full: b and c vanish. A user listed twice (two devices) is folded. */
  snapshot (f,
            "{\"onlineUsers\":[{\"userId\":\"a\",\"socketId\":\"1\"},"
            "{\"userId\":\"a\",\"socketId\":\"2\",\"chattingWith\":\"me\"}]}",
            TRUE);
  assert_status (f, "a", BEACON_STATUS_ONLINE);
  g_assert_true (beacon_contact_get_chatting_with_me (get (f, "a")));
  assert_status (f, "b", BEACON_STATUS_OFFLINE);
  assert_status (f, "c", BEACON_STATUS_OFFLINE);
  assert_label (f, "c", "Offline");
  g_assert_cmpuint (beacon_presence_store_get_online_count (f->store), ==, 1);

  /* Everyone vanishes. */
  snapshot (f, "{\"onlineUsers\":[]}", TRUE);
  g_assert_cmpuint (beacon_presence_store_get_online_count (f->store), ==, 0);
  g_assert_false (beacon_contact_get_chatting_with_me (get (f, "a")));

  /* Back: same objects, no new items; snapshots never announce anyone coming online. */
  snapshot (f, "{\"onlineUsers\":[{\"userId\":\"b\"},{\"userId\":\"d\"}]}", TRUE);
  g_assert_cmpuint (beacon_presence_store_get_online_count (f->store), ==, 2);
  g_assert_cmpuint (f->items_changed, ==, 2);
  g_assert_cmpuint (f->added, ==, 4);
  g_assert_cmpuint (f->snapshots, ==, 5);
  assert_came_online (f, "");
}

/* Versioned: a late REST answer never overwrites a newer delta; a newer REST record
 * overwrites an older delta. */
static void
test_hydration_race_versioned (Fixture *f, gconstpointer data)
{
  delta (f, "{\"user_id\":\"u2\",\"status\":\"offline\",\"version\":4}");
  delta (f, "{\"user_id\":\"u3\",\"status\":\"offline\",\"version\":4}");

  beacon_presence_store_begin_hydration (f->store);
  g_assert_true (beacon_presence_store_is_hydrating (f->store));
  /* While the request is in flight, deltas are applied at once. */
  delta (f, "{\"user_id\":\"u2\",\"status\":\"away\",\"custom_message\":\"Back soon\","
            "\"version\":7}");
  assert_label (f, "u2", "Away: Back soon");
  delta (f, "{\"user_id\":\"u3\",\"status\":\"away\",\"version\":8}");

  /* The answer was made before: u2 at version 5. u3 at version 9 is newer than the
   * delta. u4 was not touched. */
  finish_hydration (f, "{\"success\":true,\"data\":{\"statuses\":{\"u2\":true,\"u3\":true,"
                       "\"u4\":true},\"presence\":["
                       "{\"user_id\":\"u2\",\"status\":\"online\",\"custom_message\":null,"
                       "\"version\":5},"
                       "{\"user_id\":\"u3\",\"status\":\"busy\",\"version\":9},"
                       "{\"user_id\":\"u4\",\"status\":\"online\",\"version\":2}]}}");
  g_assert_false (beacon_presence_store_is_hydrating (f->store));
  assert_label (f, "u2", "Away: Back soon");
  g_assert_cmpint (beacon_contact_get_version (get (f, "u2")), ==, 7);
  assert_status (f, "u3", BEACON_STATUS_BUSY);
  assert_status (f, "u4", BEACON_STATUS_ONLINE);
  /* Neither the deltas during the hydration nor the hydration announce anyone. */
  assert_came_online (f, "");
}

/* Unversioned (the variants): what a delta set during the hydration stays. */
static void
test_hydration_race_unversioned (Fixture *f, gconstpointer data)
{
  snapshot (f, "{\"onlineUsers\":[{\"userId\":\"u2\"},{\"userId\":\"u3\"}]}", TRUE);

  beacon_presence_store_begin_hydration (f->store);
  /* u2 leaves while the request is in flight; presence:connected lists u5. */
  delta (f, "{\"user_id\":\"u2\",\"status\":\"offline\",\"timestamp\":1795428240000}");
  snapshot (f, "{\"userId\":\"me\",\"onlineUsers\":[{\"userId\":\"u3\"},{\"userId\":\"u5\"}]}",
            TRUE);
  delta (f, "{\"user_id\":\"u6\",\"role\":\"CLIENT\",\"status\":\"away\"}");

  /* The older answer says u2 and u5 offline... online, u6 online with a message and a
   * last_seen no delta gave: the deltas win the status, the new field is taken. */
  finish_hydration (f, "{\"data\":{\"statuses\":{\"u2\":true,\"u3\":true,\"u5\":false,"
                       "\"u7\":true},\"presence\":[{\"user_id\":\"u6\",\"status\":\"online\","
                       "\"last_seen\":\"2026-11-23T08:00:00Z\",\"custom_message\":\"Hi\"}]}}");
  assert_status (f, "u2", BEACON_STATUS_OFFLINE);
  assert_label (f, "u2", "Last seen 1 minute ago");
  assert_status (f, "u5", BEACON_STATUS_ONLINE);
  assert_status (f, "u6", BEACON_STATUS_AWAY);
  g_assert_null (beacon_contact_get_custom_message (get (f, "u6")));
  g_assert_nonnull (beacon_contact_get_last_seen (get (f, "u6")));
  assert_status (f, "u3", BEACON_STATUS_ONLINE);
  assert_status (f, "u7", BEACON_STATUS_ONLINE);
  g_assert_cmpuint (beacon_presence_store_get_online_count (f->store), ==, 4);
  assert_came_online (f, "");

  /* Once it is over, deltas are live again, and the touched users are forgotten: the
   * next hydration takes the answer for them. */
  delta (f, "{\"user_id\":\"u2\",\"status\":\"online\"}");
  assert_came_online (f, "u2");
  beacon_presence_store_begin_hydration (f->store);
  finish_hydration (f, "{\"data\":{\"statuses\":{\"u2\":false}}}");
  assert_status (f, "u2", BEACON_STATUS_OFFLINE);
}

static void
test_hydration_statuses (Fixture *f, gconstpointer data)
{
  delta (f, "{\"user_id\":\"u2\",\"status\":\"away\",\"custom_message\":\"Lunch\"}");
  delta (f, "{\"user_id\":\"u3\",\"status\":\"online\"}");
  beacon_presence_store_begin_hydration (f->store);
  /* A status map says online: an away contact stays away (the map knows no better). A
   * record for the same user wins over the map. */
  finish_hydration (f, "{\"data\":{\"statuses\":{\"u2\":true,\"u3\":true},\"presence\":"
                       "[{\"user_id\":\"u3\",\"status\":\"busy\"}]}}");
  assert_label (f, "u2", "Away: Lunch");
  assert_status (f, "u3", BEACON_STATUS_BUSY);
  g_assert_cmpuint (f->snapshots, ==, 1);
}

static void
test_hydration_abort (Fixture *f, gconstpointer data)
{
  delta (f, "{\"user_id\":\"u2\",\"status\":\"offline\"}");
  beacon_presence_store_begin_hydration (f->store);
  delta (f, "{\"user_id\":\"u2\",\"status\":\"online\"}");
  beacon_presence_store_abort_hydration (f->store);
  g_assert_false (beacon_presence_store_is_hydrating (f->store));
  assert_status (f, "u2", BEACON_STATUS_ONLINE);
  assert_came_online (f, "");
  delta (f, "{\"user_id\":\"u2\",\"status\":\"offline\"}");
  delta (f, "{\"user_id\":\"u2\",\"status\":\"online\"}");
  assert_came_online (f, "u2");
  g_assert_cmpuint (f->snapshots, ==, 0);
}

static void
count_notify (GObject *object, GParamSpec *pspec, GHashTable *counts)
{
  guint n = GPOINTER_TO_UINT (g_hash_table_lookup (counts, pspec->name));

  g_hash_table_insert (counts, (gpointer) pspec->name, GUINT_TO_POINTER (n + 1));
}

static guint
count_of (GHashTable *counts, const char *name)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (counts, name));
}

static void
test_only_changed_notified (Fixture *f, gconstpointer data)
{
  g_autoptr (GHashTable) counts = g_hash_table_new (g_str_hash, g_str_equal);
  BeaconContact         *contact;

  contact = delta (f, "{\"user_id\":\"u2\",\"status\":\"online\",\"role\":\"CLIENT\"}");
  g_signal_connect (contact, "notify", G_CALLBACK (count_notify), counts);

  /* Nothing new: nothing notified. */
  delta (f, "{\"user_id\":\"u2\",\"status\":\"online\",\"role\":\"CLIENT\"}");
  snapshot (f, "{\"onlineUsers\":[{\"userId\":\"u2\",\"role\":\"CLIENT\"}]}", TRUE);
  g_assert_cmpuint (g_hash_table_size (counts), ==, 0);

  g_assert_cmpuint (f->moved, ==, 0);

  /* Chatting: exactly chatting-with-me, badge, status-label, once each; the new badge
   * moves the row in sorted views. */
  snapshot (f, "{\"onlineUsers\":[{\"userId\":\"u2\",\"chattingWith\":\"me\"}]}", TRUE);
  g_assert_cmpuint (f->moved, ==, 1);
  g_assert_cmpuint (g_hash_table_size (counts), ==, 3);
  g_assert_cmpuint (count_of (counts, "chatting-with-me"), ==, 1);
  g_assert_cmpuint (count_of (counts, "badge"), ==, 1);
  g_assert_cmpuint (count_of (counts, "status-label"), ==, 1);
  g_hash_table_remove_all (counts);

  /* Away with a message, while still chatting: the badge stays yellow... it was green,
   * so it changes; the chat flag does not. */
  delta (f, "{\"user_id\":\"u2\",\"status\":\"away\",\"custom_message\":\"Brb\"}");
  g_assert_cmpuint (g_hash_table_size (counts), ==, 4);
  g_assert_cmpuint (count_of (counts, "status"), ==, 1);
  g_assert_cmpuint (count_of (counts, "custom-message"), ==, 1);
  g_assert_cmpuint (count_of (counts, "badge"), ==, 1);
  g_assert_cmpuint (f->moved, ==, 2);
  g_assert_cmpuint (count_of (counts, "status-label"), ==, 1);
  g_hash_table_remove_all (counts);

  /* A change of someone else notifies nothing here. */
  delta (f, "{\"user_id\":\"u3\",\"status\":\"away\"}");
  g_assert_cmpuint (g_hash_table_size (counts), ==, 0);

  /* A new message with the same badge moves nothing. */
  delta (f, "{\"user_id\":\"u2\",\"status\":\"away\",\"custom_message\":\"Back soon\"}");
  g_assert_cmpuint (f->moved, ==, 2);

  /* And a change of an existing user never adds or removes an item. */
  g_assert_cmpuint (f->items_changed, ==, 2);
  g_signal_handlers_disconnect_by_data (contact, counts);
}

static void
test_items_changed (Fixture *f, gconstpointer data)
{
  g_autoptr (GPtrArray) infos =
      g_ptr_array_new_with_free_func ((GDestroyNotify) beacon_contact_info_free);
  guint position = 0;

  delta_list (f, "[{\"user_id\":\"a\",\"status\":\"online\"},"
                 "{\"user_id\":\"b\",\"status\":\"online\"}]");
  g_assert_cmpuint (f->items_changed, ==, 1);
  g_assert_cmpuint (f->added, ==, 2);

  /* Three new among five: one items-changed at positions 2..4. */
  delta_list (f, "[{\"user_id\":\"a\",\"status\":\"away\"},{\"user_id\":\"c\",\"status\":"
                 "\"online\"},{\"user_id\":\"b\",\"status\":\"offline\"},{\"user_id\":\"d\","
                 "\"status\":\"online\"},{\"user_id\":\"e\",\"status\":\"offline\"}]");
  g_assert_cmpuint (f->items_changed, ==, 2);
  g_assert_cmpuint (f->added, ==, 5);
  g_assert_true (beacon_presence_store_find (f->store, "e", &position));
  g_assert_cmpuint (position, ==, 4);
  g_assert_false (beacon_presence_store_find (f->store, "zz", NULL));
  g_assert_null (beacon_presence_store_lookup (f->store, "zz"));

  /* The contact list: names for the known, new contacts for the others. */
  g_ptr_array_add (infos, beacon_contact_info_new ("c", "Carol", "CLIENT"));
  g_ptr_array_add (infos, beacon_contact_info_new ("f", "Frank", NULL));
  beacon_presence_store_set_names (f->store, infos);
  g_assert_cmpuint (f->items_changed, ==, 3);
  g_assert_cmpuint (f->added, ==, 6);
  g_assert_cmpstr (beacon_contact_get_name (get (f, "c")), ==, "Carol");
  g_assert_cmpstr (beacon_contact_get_role (get (f, "c")), ==, "CLIENT");
  g_assert_cmpstr (beacon_contact_get_name (get (f, "f")), ==, "Frank");
  assert_status (f, "f", BEACON_STATUS_OFFLINE);
  beacon_presence_store_set_names (f->store, infos);
  g_assert_cmpuint (f->items_changed, ==, 3);

  for (guint i = 0; i < 6; i++)
    {
      g_autoptr (BeaconContact) item = g_list_model_get_item (G_LIST_MODEL (f->store), i);
      const char               *ids = "abcdef";

      g_assert_cmpint (beacon_contact_get_id (item)[0], ==, ids[i]);
    }
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (f->store), 6));
  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (f->store)) == BEACON_TYPE_CONTACT);

  beacon_presence_store_clear (f->store);
  g_assert_cmpuint (f->removed, ==, 6);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (f->store)), ==, 0);
  g_assert_cmpuint (beacon_presence_store_get_online_count (f->store), ==, 0);
  g_assert_null (beacon_presence_store_lookup (f->store, "a"));
  delta (f, "{\"user_id\":\"a\",\"status\":\"online\"}");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (f->store)), ==, 1);
}

static void
test_contact_online (Fixture *f, gconstpointer data)
{
  /* First heard of: not announced, even online. */
  delta (f, "{\"user_id\":\"a\",\"status\":\"online\"}");
  delta (f, "{\"user_id\":\"b\",\"status\":\"offline\"}");
  assert_came_online (f, "");

  delta (f, "{\"user_id\":\"b\",\"status\":\"online\"}");
  delta (f, "{\"user_id\":\"b\",\"status\":\"away\"}"); /* online to away: no */
  delta (f, "{\"user_id\":\"a\",\"status\":\"offline\"}");
  delta (f, "{\"user_id\":\"a\",\"status\":\"busy\"}"); /* offline to busy: yes */
  assert_came_online (f, "b,a");

  /* The burst of a snapshot: never. */
  snapshot (f, "{\"onlineUsers\":[]}", TRUE);
  snapshot (f, "{\"onlineUsers\":[{\"userId\":\"a\"},{\"userId\":\"b\"}]}", TRUE);
  assert_came_online (f, "");

  /* An older version does not bring anyone back. */
  delta (f, "{\"user_id\":\"a\",\"status\":\"offline\",\"version\":10}");
  delta (f, "{\"user_id\":\"a\",\"status\":\"online\",\"version\":9}");
  assert_came_online (f, "");
  g_assert_cmpuint (f->online_count_notified, >, 0);
}

/* 10,000 contacts: every lookup finds its own, every position is right, and updating
 * all of them adds nothing. Not timed. */
static void
test_ten_thousand (Fixture *f, gconstpointer data)
{
  g_autoptr (GPtrArray) records =
      g_ptr_array_new_with_free_func ((GDestroyNotify) beacon_presence_record_free);
  const guint n = 10000;

  for (guint i = 0; i < n; i++)
    {
      g_autofree char      *id = g_strdup_printf ("user-%u", i);
      BeaconPresenceRecord *r = beacon_presence_record_new (id);

      r->status = i % 3 == 0 ? BEACON_PRESENCE_ONLINE : BEACON_PRESENCE_OFFLINE;
      r->version = 1;
      r->fields = BEACON_PRESENCE_HAS_STATUS | BEACON_PRESENCE_HAS_VERSION;
      g_ptr_array_add (records, r);
    }
  beacon_presence_store_apply_records (f->store, records);
  g_assert_cmpuint (f->items_changed, ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (f->store)), ==, n);
  g_assert_cmpuint (beacon_presence_store_get_online_count (f->store), ==, (n + 2) / 3);

  for (guint i = 0; i < n; i++)
    {
      g_autofree char          *id = g_strdup_printf ("user-%u", i);
      g_autoptr (BeaconContact) item = g_list_model_get_item (G_LIST_MODEL (f->store), i);
      guint                     position = G_MAXUINT;

      g_assert_true (beacon_presence_store_lookup (f->store, id) == item);
      g_assert_true (beacon_presence_store_find (f->store, id, &position));
      g_assert_cmpuint (position, ==, i);
    }

  /* Everyone changes (new version): no items-changed. */
  for (guint i = 0; i < n; i++)
    {
      BeaconPresenceRecord *r = g_ptr_array_index (records, i);

      r->status = BEACON_PRESENCE_ONLINE;
      r->version = 2;
    }
  beacon_presence_store_apply_snapshot (f->store, records, TRUE);
  g_assert_cmpuint (f->items_changed, ==, 1);
  g_assert_cmpuint (beacon_presence_store_get_online_count (f->store), ==, n);
  snapshot (f, "{\"onlineUsers\":[{\"userId\":\"user-9999\"}]}", TRUE);
  g_assert_cmpuint (beacon_presence_store_get_online_count (f->store), ==, 1);
  g_assert_cmpuint (f->items_changed, ==, 1);
}

int
main (int argc, char *argv[])
{
  g_setenv ("LC_ALL", "C", TRUE);
  g_unsetenv ("LANGUAGE");
  setlocale (LC_ALL, "");
  g_setenv ("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/nonexistent/beacon-test", TRUE);
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/presence-store/variants", test_variants);
  ADD ("/presence-store/out-of-order", test_out_of_order);
  ADD ("/presence-store/full-snapshots", test_full_snapshots);
  ADD ("/presence-store/hydration-race-versioned", test_hydration_race_versioned);
  ADD ("/presence-store/hydration-race-unversioned", test_hydration_race_unversioned);
  ADD ("/presence-store/hydration-statuses", test_hydration_statuses);
  ADD ("/presence-store/hydration-abort", test_hydration_abort);
  ADD ("/presence-store/only-changed-notified", test_only_changed_notified);
  ADD ("/presence-store/items-changed", test_items_changed);
  ADD ("/presence-store/contact-online", test_contact_online);
  ADD ("/presence-store/ten-thousand", test_ten_thousand);

  return g_test_run ();
}

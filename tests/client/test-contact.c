/* test-contact.c: unit tests of BeaconContact: merging by version and field, the badge
 * and status line of PROTOCOL.md section 3, and notifications of what changed only. */

#include "config.h"

#include <locale.h>
#include <string.h>

#include "beacon-contact.h"
#include "beacon-json.h"

typedef struct
{
  BeaconClock   *clock;
  BeaconContact *contact;
  GHashTable    *notified; /* property name -> count */
} Fixture;

static void
on_notify (GObject *object, GParamSpec *pspec, gpointer user_data)
{
  Fixture *f = user_data;
  guint    n = GPOINTER_TO_UINT (g_hash_table_lookup (f->notified, pspec->name));

  g_hash_table_insert (f->notified, (gpointer) pspec->name, GUINT_TO_POINTER (n + 1));
}

static GDateTime *
at (const char *iso8601)
{
  GDateTime *dt = g_date_time_new_from_iso8601 (iso8601, NULL);

  g_assert_nonnull (dt);
  return dt;
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr (GDateTime) now = at ("2026-11-23T10:05:00Z");

  f->clock = beacon_clock_new_for_testing (now);
  f->contact = beacon_contact_new ("u2", f->clock);
  f->notified = g_hash_table_new (g_str_hash, g_str_equal);
  g_signal_connect (f->contact, "notify", G_CALLBACK (on_notify), f);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_assert_finalize_object (f->contact);
  g_assert_finalize_object (f->clock);
  g_hash_table_unref (f->notified);
}

static int
compare_names (const void *a, const void *b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* The properties notified since the last call, sorted, comma-separated; each at most
 * once. */
static char *
take_notified (Fixture *f)
{
  g_autofree const char **names =
      (const char **) g_hash_table_get_keys_as_array (f->notified, NULL);
  g_autoptr (GString) out = g_string_new (NULL);
  guint               n = g_hash_table_size (f->notified);

  qsort (names, n, sizeof *names, compare_names);
  for (guint i = 0; i < n; i++)
    {
      guint count = GPOINTER_TO_UINT (g_hash_table_lookup (f->notified, names[i]));

      if (count != 1)
        g_error ("\"%s\" notified %u times", names[i], count);
      g_string_append_printf (out, "%s%s", i ? "," : "", names[i]);
    }
  g_hash_table_remove_all (f->notified);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

#define assert_notified(f, expected)             \
  G_STMT_START                                   \
  {                                              \
    g_autofree char *_names = take_notified (f); \
    g_assert_cmpstr (_names, ==, expected);      \
  }                                              \
  G_STMT_END

static BeaconPresenceRecord *
parse (const char *text)
{
  g_autoptr (GError)    error = NULL;
  g_autoptr (JsonNode)  node = beacon_json_parse (text, strlen (text), &error);
  BeaconPresenceRecord *record;

  g_assert_no_error (error);
  record = beacon_presence_record_parse (node, "me", &error);
  g_assert_no_error (error);
  g_assert_nonnull (record);
  return record;
}

static gboolean
apply (Fixture *f, const char *json)
{
  g_autoptr (BeaconPresenceRecord) record = parse (json);

  return beacon_contact_apply (f->contact, record);
}

static void
test_new (Fixture *f, gconstpointer data)
{
  g_assert_cmpstr (beacon_contact_get_id (f->contact), ==, "u2");
  g_assert_null (beacon_contact_get_name (f->contact));
  g_assert_cmpint (beacon_contact_get_status (f->contact), ==, BEACON_STATUS_OFFLINE);
  g_assert_cmpint (beacon_contact_get_badge (f->contact), ==, BEACON_BADGE_GRAY);
  g_assert_cmpstr (beacon_contact_get_status_label (f->contact), ==, "Offline");
  g_assert_cmpint (beacon_contact_get_version (f->contact), ==, -1);
  g_assert_null (beacon_contact_get_last_seen (f->contact));
  g_assert_true (beacon_contact_get_clock (f->contact) == f->clock);
}

static void
test_enums (void)
{
  g_autoptr (GEnumClass) status = g_type_class_ref (BEACON_TYPE_STATUS);
  g_autoptr (GEnumClass) badge = g_type_class_ref (BEACON_TYPE_BADGE);

  g_assert_cmpint (g_enum_get_value_by_nick (status, "offline")->value, ==, BEACON_STATUS_OFFLINE);
  g_assert_cmpint (g_enum_get_value_by_nick (status, "online")->value, ==, BEACON_STATUS_ONLINE);
  g_assert_cmpint (g_enum_get_value_by_nick (status, "away")->value, ==, BEACON_STATUS_AWAY);
  g_assert_cmpint (g_enum_get_value_by_nick (status, "busy")->value, ==, BEACON_STATUS_BUSY);
  g_assert_cmpint (g_enum_get_value_by_nick (badge, "green")->value, ==, BEACON_BADGE_GREEN);
  g_assert_cmpint (g_enum_get_value_by_nick (badge, "yellow")->value, ==, BEACON_BADGE_YELLOW);
  g_assert_cmpint (g_enum_get_value_by_nick (badge, "gray")->value, ==, BEACON_BADGE_GRAY);
}

static void
test_canonical (Fixture *f, gconstpointer data)
{
  g_autofree char *seen = NULL;

  g_assert_true (apply (f, "{\"user_id\":\"u2\",\"status\":\"online\","
                           "\"last_seen\":\"2026-11-23T10:00:00Z\","
                           "\"last_active\":\"2026-11-23T10:04:31.250Z\","
                           "\"chatting_with_me\":false,\"custom_message\":\"At lunch\","
                           "\"role\":\"FREELANCER\",\"version\":42}"));
  assert_notified (f,
                   "badge,custom-message,last-active,last-seen,role,status,status-label,version");
  g_assert_cmpint (beacon_contact_get_status (f->contact), ==, BEACON_STATUS_ONLINE);
  g_assert_cmpint (beacon_contact_get_badge (f->contact), ==, BEACON_BADGE_YELLOW);
  g_assert_cmpstr (beacon_contact_get_status_label (f->contact), ==, "Active");
  g_assert_cmpstr (beacon_contact_get_custom_message (f->contact), ==, "At lunch");
  g_assert_cmpstr (beacon_contact_get_role (f->contact), ==, "FREELANCER");
  g_assert_cmpint (beacon_contact_get_version (f->contact), ==, 42);
  seen = g_date_time_format_iso8601 (beacon_contact_get_last_seen (f->contact));
  g_assert_cmpstr (seen, ==, "2026-11-23T10:00:00Z");
  g_assert_cmpint (g_date_time_to_unix (beacon_contact_get_last_active (f->contact)), ==,
                   1795428271);
  g_assert_cmpint (g_date_time_get_microsecond (beacon_contact_get_last_active (f->contact)), ==,
                   250000);

  /* The same record again, and an older one: ignored, nothing notified. */
  g_assert_false (apply (f, "{\"user_id\":\"u2\",\"status\":\"online\",\"version\":42}"));
  g_assert_false (apply (f, "{\"user_id\":\"u2\",\"status\":\"offline\",\"version\":41}"));
  assert_notified (f, "");
  g_assert_cmpint (beacon_contact_get_status (f->contact), ==, BEACON_STATUS_ONLINE);
}

/* The badges and labels of the table in PROTOCOL.md section 3. */
static void
test_badges_and_labels (Fixture *f, gconstpointer data)
{
  static const struct
  {
    const char *record;
    BeaconBadge badge;
    const char *label;
  } cases[] = {
    { "{\"user_id\":\"u2\",\"status\":\"online\",\"chatting_with_me\":true}", BEACON_BADGE_GREEN,
      "Online" },
    { "{\"user_id\":\"u2\",\"status\":\"online\",\"chatting_with_me\":false}", BEACON_BADGE_YELLOW,
      "Active" },
    { "{\"user_id\":\"u2\",\"status\":\"away\",\"custom_message\":null}", BEACON_BADGE_YELLOW,
      "Away" },
    { "{\"user_id\":\"u2\",\"status\":\"away\",\"custom_message\":\"At lunch\"}",
      BEACON_BADGE_YELLOW, "Away: At lunch" },
    { "{\"user_id\":\"u2\",\"status\":\"busy\",\"custom_message\":\"In a meeting\"}",
      BEACON_BADGE_YELLOW, "Busy: In a meeting" },
    { "{\"user_id\":\"u2\",\"status\":\"dnd\",\"custom_message\":\"\"}", BEACON_BADGE_YELLOW,
      "Busy" },
    /* Chatting shows only while online: away and chatting is still yellow. */
    { "{\"user_id\":\"u2\",\"status\":\"away\",\"chatting_with_me\":true,\"custom_message\":null}",
      BEACON_BADGE_YELLOW, "Away" },
    { "{\"user_id\":\"u2\",\"status\":\"active\",\"chatting_with_me\":true}", BEACON_BADGE_GREEN,
      "Online" },
    { "{\"user_id\":\"u2\",\"status\":\"offline\",\"last_seen\":\"2026-11-23T10:00:00Z\"}",
      BEACON_BADGE_GRAY, "Last seen 5 minutes ago" },
    { "{\"user_id\":\"u2\",\"status\":\"offline\",\"last_seen\":1795427700000}", BEACON_BADGE_GRAY,
      "Last seen 10 minutes ago" },
    { "{\"user_id\":\"u2\",\"status\":\"invisible\",\"last_seen\":null}", BEACON_BADGE_GRAY,
      "Offline" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("%s", cases[i].record);
      g_assert_true (apply (f, cases[i].record));
      g_assert_cmpint (beacon_contact_get_badge (f->contact), ==, cases[i].badge);
      g_assert_cmpstr (beacon_contact_get_status_label (f->contact), ==, cases[i].label);
    }
}

static void
test_partial_records (Fixture *f, gconstpointer data)
{
  g_assert_true (apply (f, "{\"user_id\":\"u2\",\"status\":\"away\",\"custom_message\":\"At "
                           "lunch\",\"role\":\"CLIENT\",\"last_active\":1795428000000}"));
  assert_notified (f, "badge,custom-message,last-active,role,status,status-label");

  /* presence_updated with three fields: the custom message, role and last active stay. */
  g_assert_true (apply (f, "{\"user_id\":\"u2\",\"status\":\"busy\",\"last_seen\":null}"));
  assert_notified (f, "status,status-label");
  g_assert_cmpstr (beacon_contact_get_custom_message (f->contact), ==, "At lunch");
  g_assert_cmpstr (beacon_contact_get_status_label (f->contact), ==, "Busy: At lunch");
  g_assert_cmpstr (beacon_contact_get_role (f->contact), ==, "CLIENT");
  g_assert_nonnull (beacon_contact_get_last_active (f->contact));

  /* friend_status_changed going offline: the timestamp is last seen. */
  g_assert_true (apply (f, "{\"user_id\":\"u2\",\"status\":\"offline\","
                           "\"timestamp\":\"2026-11-23T10:04:00Z\"}"));
  assert_notified (f, "badge,last-seen,status,status-label");
  g_assert_cmpstr (beacon_contact_get_status_label (f->contact), ==, "Last seen 1 minute ago");

  /* A null role does not erase the one known. */
  g_assert_true (apply (f, "{\"user_id\":\"u2\",\"status\":\"offline\",\"role\":null}"));
  assert_notified (f, "");
  g_assert_cmpstr (beacon_contact_get_role (f->contact), ==, "CLIENT");
}

static void
test_versions (Fixture *f, gconstpointer data)
{
  g_assert_true (apply (f, "{\"user_id\":\"u2\",\"status\":\"online\",\"version\":5}"));
  assert_notified (f, "badge,status,status-label,version");
  g_assert_false (apply (f, "{\"user_id\":\"u2\",\"status\":\"offline\",\"version\":4}"));
  g_assert_false (apply (f, "{\"user_id\":\"u2\",\"status\":\"offline\",\"version\":5}"));
  assert_notified (f, "");

  /* No version: the last to arrive wins, and the version held stays. */
  g_assert_true (apply (f, "{\"user_id\":\"u2\",\"status\":\"away\"}"));
  assert_notified (f, "status,status-label");
  g_assert_cmpint (beacon_contact_get_version (f->contact), ==, 5);

  g_assert_true (apply (f, "{\"user_id\":\"u2\",\"status\":\"busy\",\"version\":9}"));
  assert_notified (f, "status,status-label,version");
  g_assert_false (apply (f, "{\"user_id\":\"u2\",\"status\":\"online\",\"version\":6}"));
  g_assert_cmpint (beacon_contact_get_status (f->contact), ==, BEACON_STATUS_BUSY);
}

static void
test_offline_ends_chat (Fixture *f, gconstpointer data)
{
  g_assert_true (apply (f, "{\"userId\":\"u2\",\"chattingWith\":\"me\"}"));
  g_assert_true (beacon_contact_get_chatting_with_me (f->contact));
  g_assert_cmpint (beacon_contact_get_badge (f->contact), ==, BEACON_BADGE_GREEN);
  assert_notified (f, "badge,chatting-with-me,status,status-label");

  /* Offline without a word on chatting: the chat ended too, so coming back online
   * without one is yellow, not green. */
  g_assert_true (apply (f, "{\"user_id\":\"u2\",\"status\":\"offline\",\"timestamp\":null}"));
  assert_notified (f, "badge,chatting-with-me,status,status-label");
  g_assert_false (beacon_contact_get_chatting_with_me (f->contact));
  g_assert_true (apply (f, "{\"user_id\":\"u2\",\"status\":\"online\",\"timestamp\":null}"));
  g_assert_cmpint (beacon_contact_get_badge (f->contact), ==, BEACON_BADGE_YELLOW);

  /* A third party in chattingWith is not the viewer. */
  g_assert_true (apply (f, "{\"userId\":\"u2\",\"chattingWith\":\"u7\",\"socketId\":\"x\"}"));
  g_assert_false (beacon_contact_get_chatting_with_me (f->contact));
}

static void
test_tick (Fixture *f, gconstpointer data)
{
  g_autoptr (GDateTime) t1 = at ("2026-11-23T10:06:00Z");
  g_autoptr (GDateTime) t2 = at ("2026-11-23T10:06:40Z");
  g_autoptr (GDateTime) t3 = at ("2026-11-23T16:06:00Z");

  g_assert_true (apply (f, "{\"user_id\":\"u2\",\"status\":\"offline\","
                           "\"last_seen\":\"2026-11-23T10:00:00Z\"}"));
  g_assert_cmpstr (beacon_contact_get_status_label (f->contact), ==, "Last seen 5 minutes ago");
  assert_notified (f, "last-seen,status-label");

  beacon_clock_set_now (f->clock, t1);
  g_assert_cmpstr (beacon_contact_get_status_label (f->contact), ==, "Last seen 6 minutes ago");
  assert_notified (f, "status-label");

  /* The same text: no notification. */
  beacon_clock_set_now (f->clock, t2);
  assert_notified (f, "");

  beacon_clock_set_now (f->clock, t3);
  g_assert_cmpstr (beacon_contact_get_status_label (f->contact), ==, "Last seen 6 hours ago");
  assert_notified (f, "status-label");

  /* Online, the label does not follow the clock. */
  g_assert_true (apply (f, "{\"user_id\":\"u2\",\"status\":\"online\"}"));
  assert_notified (f, "badge,status,status-label");
  beacon_clock_set_now (f->clock, t1);
  assert_notified (f, "");
  g_assert_cmpstr (beacon_contact_get_status_label (f->contact), ==, "Active");
}

static void
test_setters (Fixture *f, gconstpointer data)
{
  beacon_contact_set_name (f->contact, "Ada");
  beacon_contact_set_name (f->contact, "Ada");
  beacon_contact_set_unread_count (f->contact, 3);
  beacon_contact_set_unread_count (f->contact, 3);
  g_object_set (f->contact, "role", "ADMIN", NULL);
  assert_notified (f, "name,role,unread-count");
  g_assert_cmpstr (beacon_contact_get_name (f->contact), ==, "Ada");
  g_assert_cmpuint (beacon_contact_get_unread_count (f->contact), ==, 3);
  g_assert_cmpstr (beacon_contact_get_role (f->contact), ==, "ADMIN");
}

static void
test_default_clock (void)
{
  g_autoptr (BeaconContact) contact = beacon_contact_new ("u1", NULL);

  g_assert_true (beacon_contact_get_clock (contact) == beacon_clock_get_default ());
  g_assert_false (beacon_clock_is_testing (beacon_contact_get_clock (contact)));
}

int
main (int argc, char *argv[])
{
  g_setenv ("LC_ALL", "C", TRUE);
  g_unsetenv ("LANGUAGE");
  setlocale (LC_ALL, "");
  /* No logind to listen to, whatever this machine has. */
  g_setenv ("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/nonexistent/beacon-test", TRUE);
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/contact/new", test_new);
  g_test_add_func ("/contact/enums", test_enums);
  ADD ("/contact/canonical", test_canonical);
  ADD ("/contact/badges-and-labels", test_badges_and_labels);
  ADD ("/contact/partial-records", test_partial_records);
  ADD ("/contact/versions", test_versions);
  ADD ("/contact/offline-ends-chat", test_offline_ends_chat);
  ADD ("/contact/tick", test_tick);
  ADD ("/contact/setters", test_setters);
  g_test_add_func ("/contact/default-clock", test_default_clock);

  return g_test_run ();
}

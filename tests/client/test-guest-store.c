/* test-guest-store.c: unit tests of BeaconGuestStore and BeaconProvider: loading pages,
 * the /presence online list flipping only what changed, its order against REST, labels. */

#include "config.h"

#include <locale.h>
#include <string.h>

#include "beacon-guest-store.h"
#include "beacon-json.h"

typedef struct
{
  BeaconClock      *clock;
  BeaconGuestStore *store;
  GString          *changes;  /* "position,removed,added;" per items-changed */
  GHashTable       *notified; /* "id:property" -> count */
  guint             online_count_notified;
} Fixture;

static GDateTime *
at (const char *iso8601)
{
  GDateTime *dt = g_date_time_new_from_iso8601 (iso8601, NULL);

  g_assert_nonnull (dt);
  return dt;
}

static JsonArray *
parse_array (const char *json)
{
  g_autoptr (GError)   error = NULL;
  g_autoptr (JsonNode) node = beacon_json_parse (json, strlen (json), &error);

  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (node));
  return json_array_ref (json_node_get_array (node));
}

static JsonNode *
parse (const char *json)
{
  g_autoptr (GError) error = NULL;
  JsonNode          *node = beacon_json_parse (json, strlen (json), &error);

  g_assert_no_error (error);
  return node;
}

static void
on_provider_notify (GObject *object, GParamSpec *pspec, Fixture *f)
{
  g_autofree char *key =
      g_strdup_printf ("%s:%s", beacon_provider_get_id (BEACON_PROVIDER (object)), pspec->name);
  guint n = GPOINTER_TO_UINT (g_hash_table_lookup (f->notified, key));

  g_hash_table_insert (f->notified, g_steal_pointer (&key), GUINT_TO_POINTER (n + 1));
}

static guint
notified (Fixture *f, const char *id, const char *property)
{
  g_autofree char *key = g_strdup_printf ("%s:%s", id, property);

  return GPOINTER_TO_UINT (g_hash_table_lookup (f->notified, key));
}

/* Watches every provider the store holds now (once each). */
static void
watch_providers (Fixture *f)
{
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (f->store)); i++)
    {
      g_autoptr (BeaconProvider) provider = g_list_model_get_item (G_LIST_MODEL (f->store), i);

      g_signal_handlers_disconnect_by_data (provider, f);
      g_signal_connect (provider, "notify", G_CALLBACK (on_provider_notify), f);
    }
}

static void
on_items_changed (GListModel *model, guint position, guint removed, guint added, Fixture *f)
{
  g_string_append_printf (f->changes, "%u,%u,%u;", position, removed, added);
}

static void
on_online_count (BeaconGuestStore *store, GParamSpec *pspec, Fixture *f)
{
  f->online_count_notified++;
}

static void
reset (Fixture *f)
{
  g_string_truncate (f->changes, 0);
  g_hash_table_remove_all (f->notified);
  f->online_count_notified = 0;
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr (GDateTime) now = at ("2026-11-23T10:05:00Z");

  f->clock = beacon_clock_new_for_testing (now);
  f->store = beacon_guest_store_new (f->clock);
  f->changes = g_string_new (NULL);
  f->notified = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_signal_connect (f->store, "items-changed", G_CALLBACK (on_items_changed), f);
  g_signal_connect (f->store, "notify::online-count", G_CALLBACK (on_online_count), f);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (f->store)); i++)
    {
      g_autoptr (BeaconProvider) provider = g_list_model_get_item (G_LIST_MODEL (f->store), i);

      g_signal_handlers_disconnect_by_data (provider, f);
    }
  g_assert_finalize_object (f->store);
  g_assert_finalize_object (f->clock);
  g_string_free (f->changes, TRUE);
  g_hash_table_unref (f->notified);
}

static void
load (Fixture *f, const char *json, gboolean replace)
{
  g_autoptr (JsonArray) providers = parse_array (json);

  beacon_guest_store_load (f->store, providers, replace);
}

static void
set_online (Fixture *f, const char *payload, GError **error)
{
  g_autoptr (JsonNode)  node = parse (payload);
  g_autoptr (GDateTime) timestamp = NULL;
  g_autoptr (GPtrArray) ids = beacon_guest_parse_online_list (node, &timestamp, error);

  if (ids != NULL)
    beacon_guest_store_set_online_ids (f->store, ids, timestamp);
}

static const char *
id_at (Fixture *f, guint position)
{
  g_autoptr (BeaconProvider) provider = g_list_model_get_item (G_LIST_MODEL (f->store), position);

  g_assert_nonnull (provider);
  return beacon_provider_get_id (provider);
}

#define THREE                                                                          \
  "[{\"id\":\"f\",\"name\":\"Fay\",\"headline\":\"GTK developer\",\"is_online\":true," \
  "\"last_seen\":null},"                                                               \
  "{\"id\":\"g\",\"name\":\"Gil\",\"headline\":\"Translator\",\"is_online\":false,"    \
  "\"last_seen\":\"2026-11-23T10:00:00Z\"},"                                           \
  "{\"id\":7,\"name\":\"Sev\",\"headline\":null,\"is_online\":false,\"last_seen\":null}]"

static void
test_load (Fixture *f, gconstpointer data)
{
  BeaconProvider *fay, *gil, *sev;
  guint           position = 99;

  load (f, THREE, TRUE);
  g_assert_cmpstr (f->changes->str, ==, "0,0,3;");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (f->store)), ==, 3);
  g_assert_cmpstr (id_at (f, 0), ==, "f");
  g_assert_cmpstr (id_at (f, 1), ==, "g");
  g_assert_cmpstr (id_at (f, 2), ==, "7"); /* a number id, as its decimal string */
  g_assert_cmpuint (beacon_guest_store_get_online_count (f->store), ==, 1);
  g_assert_cmpuint (f->online_count_notified, ==, 1);

  fay = beacon_guest_store_lookup (f->store, "f");
  gil = beacon_guest_store_lookup (f->store, "g");
  sev = beacon_guest_store_lookup (f->store, "7");
  g_assert_true (beacon_guest_store_find (f->store, "7", &position));
  g_assert_cmpuint (position, ==, 2);
  g_assert_null (beacon_guest_store_lookup (f->store, "a"));

  g_assert_cmpstr (beacon_provider_get_name (fay), ==, "Fay");
  g_assert_cmpstr (beacon_provider_get_headline (fay), ==, "GTK developer");
  g_assert_true (beacon_provider_get_online (fay));
  g_assert_null (beacon_provider_get_last_seen (fay));
  g_assert_cmpstr (beacon_provider_get_last_seen_label (fay), ==, "Online");

  g_assert_false (beacon_provider_get_online (gil));
  g_assert_nonnull (beacon_provider_get_last_seen (gil));
  g_assert_cmpint (g_date_time_to_unix (beacon_provider_get_last_seen (gil)), ==, 1795428000);
  g_assert_cmpstr (beacon_provider_get_last_seen_label (gil), ==, "Last seen 5 minutes ago");

  g_assert_null (beacon_provider_get_headline (sev));
  g_assert_cmpstr (beacon_provider_get_last_seen_label (sev), ==, "Offline");
}

static void
test_load_again (Fixture *f, gconstpointer data)
{
  BeaconProvider *fay, *gil;

  load (f, THREE, TRUE);
  fay = beacon_guest_store_lookup (f->store, "f");
  gil = beacon_guest_store_lookup (f->store, "g");
  watch_providers (f);
  reset (f);

  /* The same answer with one new headline: no items-changed, one notification. */
  load (f,
        "[{\"id\":\"f\",\"name\":\"Fay\",\"headline\":\"GTK and GLib\",\"is_online\":true},"
        "{\"id\":\"g\",\"name\":\"Gil\",\"headline\":\"Translator\",\"is_online\":false,"
        "\"last_seen\":\"2026-11-23T10:00:00Z\"},"
        "{\"id\":\"7\",\"name\":\"Sev\",\"is_online\":false}]",
        TRUE);
  g_assert_cmpstr (f->changes->str, ==, "");
  g_assert_cmpuint (g_hash_table_size (f->notified), ==, 1);
  g_assert_cmpuint (notified (f, "f", "headline"), ==, 1);
  g_assert_cmpuint (f->online_count_notified, ==, 0);

  /* Another search: one items-changed for the whole list, the objects kept. */
  reset (f);
  load (f,
        "[{\"id\":\"g\",\"name\":\"Gil\",\"is_online\":false,"
        "\"last_seen\":\"2026-11-23T10:00:00Z\"},"
        "{\"id\":\"f\",\"name\":\"Fay\",\"is_online\":true},"
        "{\"id\":\"f\",\"name\":\"Fay again\",\"is_online\":false},"
        "{\"name\":\"No id\"}]",
        TRUE);
  g_assert_cmpstr (f->changes->str, ==, "0,3,2;");
  g_assert_true (beacon_guest_store_lookup (f->store, "g") == gil);
  g_assert_true (beacon_guest_store_lookup (f->store, "f") == fay);
  g_assert_cmpstr (beacon_provider_get_name (fay), ==, "Fay"); /* the repeat is ignored */
  g_assert_cmpstr (id_at (f, 0), ==, "g");
  g_assert_null (beacon_guest_store_lookup (f->store, "7"));
}

static void
test_load_more (Fixture *f, gconstpointer data)
{
  load (f, THREE, TRUE);
  reset (f);
  load (f,
        "[{\"id\":\"g\",\"name\":\"Gil\",\"is_online\":true},"
        "{\"id\":\"h\",\"name\":\"Hal\",\"is_online\":true},"
        "{\"id\":\"i\",\"name\":\"Ida\",\"is_online\":false}]",
        FALSE);
  g_assert_cmpstr (f->changes->str, ==, "3,0,2;");
  g_assert_cmpstr (id_at (f, 1), ==, "g");
  g_assert_cmpstr (id_at (f, 3), ==, "h");
  g_assert_cmpstr (id_at (f, 4), ==, "i");
  g_assert_true (beacon_provider_get_online (beacon_guest_store_lookup (f->store, "g")));
  g_assert_cmpuint (beacon_guest_store_get_online_count (f->store), ==, 3);
  g_assert_cmpuint (f->online_count_notified, ==, 1);

  /* A page with nothing new changes nothing in the list. */
  reset (f);
  load (f, "[{\"id\":\"h\",\"name\":\"Hal\",\"is_online\":true}]", FALSE);
  g_assert_cmpstr (f->changes->str, ==, "");
}

static void
test_online_list (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  BeaconProvider    *gil;

  load (f, THREE, TRUE);
  gil = beacon_guest_store_lookup (f->store, "g");
  watch_providers (f);
  reset (f);
  g_assert_false (beacon_guest_store_has_online_ids (f->store));

  /* Fay leaves, Gil arrives: two flips, one notification of each, no items-changed, and
   * the count (still 1) is not notified. */
  set_online (f, "{\"onlineFreelancerIds\":[\"g\",\"zz\"],\"timestamp\":\"2026-11-23T10:05:00Z\"}",
              &error);
  g_assert_no_error (error);
  g_assert_true (beacon_guest_store_has_online_ids (f->store));
  g_assert_cmpstr (f->changes->str, ==, "");
  g_assert_false (beacon_provider_get_online (beacon_guest_store_lookup (f->store, "f")));
  g_assert_true (beacon_provider_get_online (gil));
  g_assert_cmpuint (notified (f, "f", "online"), ==, 1);
  g_assert_cmpuint (notified (f, "g", "online"), ==, 1);
  g_assert_cmpuint (notified (f, "7", "online"), ==, 0);
  g_assert_cmpuint (notified (f, "g", "last-seen-label"), ==, 1);
  g_assert_cmpstr (beacon_provider_get_last_seen_label (gil), ==, "Online");
  /* Fay hides her last seen from guests: none is made up for her. */
  g_assert_null (beacon_provider_get_last_seen (beacon_guest_store_lookup (f->store, "f")));
  g_assert_cmpuint (notified (f, "f", "last-seen"), ==, 0);
  g_assert_cmpstr (beacon_provider_get_last_seen_label (beacon_guest_store_lookup (f->store, "f")),
                   ==, "Offline");
  g_assert_cmpuint (f->online_count_notified, ==, 0);

  /* The same list again: nothing. Then a number id. */
  reset (f);
  set_online (f, "{\"onlineFreelancerIds\":[\"g\"]}", &error);
  g_assert_cmpuint (g_hash_table_size (f->notified), ==, 0);
  set_online (f, "{\"onlineFreelancerIds\":[\"g\",7]}", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_hash_table_size (f->notified), ==, 2); /* 7: online, last-seen-label */
  g_assert_cmpuint (beacon_guest_store_get_online_count (f->store), ==, 2);
  g_assert_cmpuint (f->online_count_notified, ==, 1);

  /* Gil leaves: guests may know his last seen, so it becomes the list's time. */
  reset (f);
  set_online (f, "{\"onlineFreelancerIds\":[7],\"timestamp\":1795428240000}", &error);
  g_assert_no_error (error);
  g_assert_false (beacon_provider_get_online (gil));
  g_assert_cmpint (g_date_time_to_unix (beacon_provider_get_last_seen (gil)), ==, 1795428240);
  g_assert_cmpuint (notified (f, "g", "last-seen"), ==, 1);
  g_assert_cmpuint (notified (f, "g", "last-seen-label"), ==, 1);
  g_assert_cmpstr (beacon_provider_get_last_seen_label (gil), ==, "Last seen 1 minute ago");
}

static void
test_online_list_no_timestamp (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  BeaconProvider    *gil;

  load (f, THREE, TRUE);
  gil = beacon_guest_store_lookup (f->store, "g");
  set_online (f, "{\"onlineFreelancerIds\":[\"g\"]}", &error);
  set_online (f, "{\"onlineFreelancerIds\":[]}", &error);
  g_assert_no_error (error);
  /* No timestamp: the clock's time. */
  g_assert_cmpint (g_date_time_to_unix (beacon_provider_get_last_seen (gil)), ==, 1795428300);
  g_assert_cmpstr (beacon_provider_get_last_seen_label (gil), ==, "Last seen just now");
  g_assert_cmpuint (beacon_guest_store_get_online_count (f->store), ==, 0);
}

static void
test_list_before_answer (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  /* The list arrives first; the answer, computed earlier, says Fay is online and Gil
   * is not. The list wins. */
  set_online (f, "{\"onlineFreelancerIds\":[\"g\"]}", &error);
  g_assert_no_error (error);
  load (f, THREE, TRUE);
  g_assert_false (beacon_provider_get_online (beacon_guest_store_lookup (f->store, "f")));
  g_assert_true (beacon_provider_get_online (beacon_guest_store_lookup (f->store, "g")));
  g_assert_cmpuint (beacon_guest_store_get_online_count (f->store), ==, 1);

  /* The connection was lost: the stale list no longer overrules the answers. */
  beacon_guest_store_forget_online_ids (f->store);
  g_assert_false (beacon_guest_store_has_online_ids (f->store));
  load (f, THREE, TRUE);
  g_assert_true (beacon_provider_get_online (beacon_guest_store_lookup (f->store, "f")));
  g_assert_false (beacon_provider_get_online (beacon_guest_store_lookup (f->store, "g")));
}

static void
test_parse (void)
{
  static const char *bad[] = {
    "[\"f\"]",
    "{}",
    "{\"onlineFreelancerIds\":\"f\"}",
    "{\"onlineFreelancerIds\":[\"f\",null]}",
    "{\"onlineFreelancerIds\":[\"\"]}",
    "{\"onlineFreelancerIds\":[-1]}",
    "{\"onlineFreelancerIds\":[{\"id\":\"f\"}]}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (JsonNode)  node = parse (bad[i]);
      g_autoptr (GError)    error = NULL;
      g_autoptr (GPtrArray) ids = beacon_guest_parse_online_list (node, NULL, &error);

      g_assert_null (ids);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
    }

  {
    g_autoptr (JsonNode) node =
        parse ("{\"onlineFreelancerIds\":[\"f\",12],\"timestamp\":\"2026-11-23T10:00:00.5Z\"}");
    g_autoptr (GDateTime) timestamp = NULL;
    g_autoptr (GError)    error = NULL;
    g_autoptr (GPtrArray) ids = beacon_guest_parse_online_list (node, &timestamp, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (ids->len, ==, 2);
    g_assert_cmpstr (g_ptr_array_index (ids, 0), ==, "f");
    g_assert_cmpstr (g_ptr_array_index (ids, 1), ==, "12");
    g_assert_cmpint (g_date_time_to_unix (timestamp), ==, 1795428000);
    g_assert_cmpint (g_date_time_get_microsecond (timestamp), ==, 500000);
  }
  {
    g_autoptr (JsonNode)  node = parse ("{\"onlineFreelancerIds\":[]}");
    g_autoptr (GDateTime) timestamp = NULL;
    g_autoptr (GPtrArray) ids = beacon_guest_parse_online_list (node, &timestamp, NULL);

    g_assert_cmpuint (ids->len, ==, 0);
    g_assert_null (timestamp);
  }
}

static void
test_tick (Fixture *f, gconstpointer data)
{
  g_autoptr (GDateTime) later = at ("2026-11-23T10:20:00Z");

  load (f, THREE, TRUE);
  watch_providers (f);
  reset (f);
  beacon_clock_set_now (f->clock, later);
  /* Only Gil's line depends on the time. */
  g_assert_cmpuint (g_hash_table_size (f->notified), ==, 1);
  g_assert_cmpuint (notified (f, "g", "last-seen-label"), ==, 1);
  g_assert_cmpstr (beacon_provider_get_last_seen_label (beacon_guest_store_lookup (f->store, "g")),
                   ==, "Last seen 20 minutes ago");
}

static void
test_provider_tick_handler (void)
{
  g_autoptr (GDateTime)   now = at ("2026-11-23T10:05:00Z");
  g_autoptr (GDateTime)   seen = at ("2026-11-23T09:05:00Z");
  g_autoptr (BeaconClock) clock = beacon_clock_new_for_testing (now);
  BeaconProvider         *provider = beacon_provider_new ("p", clock);

  g_assert_false (
      g_signal_has_handler_pending (clock, g_signal_lookup ("tick", BEACON_TYPE_CLOCK), 0, FALSE));
  beacon_provider_set_last_seen (provider, seen);
  g_assert_cmpstr (beacon_provider_get_last_seen_label (provider), ==, "Last seen 1 hour ago");
  g_assert_true (
      g_signal_has_handler_pending (clock, g_signal_lookup ("tick", BEACON_TYPE_CLOCK), 0, FALSE));
  /* Online: the line no longer follows the time. */
  beacon_provider_set_online (provider, TRUE);
  g_assert_false (
      g_signal_has_handler_pending (clock, g_signal_lookup ("tick", BEACON_TYPE_CLOCK), 0, FALSE));
  g_assert_finalize_object (provider);
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
  ADD ("/guest-store/load", test_load);
  ADD ("/guest-store/load-again", test_load_again);
  ADD ("/guest-store/load-more", test_load_more);
  ADD ("/guest-store/online-list", test_online_list);
  ADD ("/guest-store/online-list-no-timestamp", test_online_list_no_timestamp);
  ADD ("/guest-store/list-before-answer", test_list_before_answer);
  ADD ("/guest-store/tick", test_tick);
#undef ADD
  g_test_add_func ("/guest-store/parse", test_parse);
  g_test_add_func ("/guest-store/provider-tick-handler", test_provider_tick_handler);

  return g_test_run ();
}

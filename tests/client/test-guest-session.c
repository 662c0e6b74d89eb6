/* test-guest-session.c: integration test of BeaconGuestSession against the real
 * beacon-server: searches with filters, pages, and freelancers flipping online live. */

#include "config.h"

#include <locale.h>
#include <string.h>

#include "beacon-guest-session.h"
#include "harness.h"

/* At most one guest list per 20 ms rather than per second: the tests wait less. */
static const char *const fast_guests[] = { "BEACON_GUEST_INTERVAL_MS=20", NULL };

typedef struct
{
  BeaconGuestSession *session;
  GHashTable         *flips;   /* provider id -> count of "online" notifications */
  GPtrArray          *lists;   /* every online list the guest socket received, as JSON */
  guint               changes; /* items-changed of the store */
} Guest;

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

static void
on_flip (BeaconProvider *provider, GParamSpec *pspec, Guest *guest)
{
  const char *id = beacon_provider_get_id (provider);
  guint       n = GPOINTER_TO_UINT (g_hash_table_lookup (guest->flips, id));

  g_hash_table_insert (guest->flips, g_strdup (id), GUINT_TO_POINTER (n + 1));
}

static void
on_items_changed (GListModel *model, guint position, guint removed, guint added, Guest *guest)
{
  guest->changes++;
}

static void
on_event (BeaconSocket *socket, const char *nsp, const char *name, JsonArray *args, Guest *guest)
{
  g_ptr_array_add (guest->lists, test_json_text (json_array_get_element (args, 0)));
}

static Guest *
guest_new (TestServer *server)
{
  Guest *guest = g_new0 (Guest, 1);

  guest->session = beacon_guest_session_new (server->base_url, NULL);
  guest->flips = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guest->lists = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (beacon_guest_session_get_store (guest->session), "items-changed",
                    G_CALLBACK (on_items_changed), guest);
  g_signal_connect (beacon_guest_session_get_socket (guest->session), "event",
                    G_CALLBACK (on_event), guest);
  return guest;
}

static void
guest_free (Guest *guest)
{
  GListModel *store = G_LIST_MODEL (beacon_guest_session_get_store (guest->session));

  for (guint i = 0; i < g_list_model_get_n_items (store); i++)
    {
      g_autoptr (BeaconProvider) provider = g_list_model_get_item (store, i);

      g_signal_handlers_disconnect_by_data (provider, guest);
    }
  g_signal_handlers_disconnect_by_data (store, guest);
  g_signal_handlers_disconnect_by_data (beacon_guest_session_get_socket (guest->session), guest);
  g_assert_finalize_object (guest->session);
  g_hash_table_unref (guest->flips);
  g_ptr_array_unref (guest->lists);
  g_free (guest);
}

static guint
flips (Guest *guest, const char *id)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (guest->flips, id));
}

/* Searches, waits, and watches the providers found for flips. */
static gboolean
search (Guest      *guest,
        const char *q,
        const char *online_status,
        const char *active_within,
        GError    **error)
{
  g_autoptr (GAsyncResult) result = NULL;
  GListModel              *store = G_LIST_MODEL (beacon_guest_session_get_store (guest->session));
  gboolean                 ok;

  beacon_guest_session_search_async (guest->session, q, online_status, active_within, NULL, on_done,
                                     &result);
  test_wait_until (have_result, &result);
  ok = beacon_guest_session_search_finish (guest->session, result, error);
  for (guint i = 0; i < g_list_model_get_n_items (store); i++)
    {
      g_autoptr (BeaconProvider) provider = g_list_model_get_item (store, i);

      g_signal_handlers_disconnect_by_data (provider, guest);
      g_signal_connect (provider, "notify::online", G_CALLBACK (on_flip), guest);
    }
  return ok;
}

/* The ids the store lists, comma-separated. */
static char *
listed (Guest *guest)
{
  GListModel         *store = G_LIST_MODEL (beacon_guest_session_get_store (guest->session));
  g_autoptr (GString) out = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (store); i++)
    {
      g_autoptr (BeaconProvider) provider = g_list_model_get_item (store, i);

      g_string_append_printf (out, "%s%s", i ? "," : "", beacon_provider_get_id (provider));
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static BeaconProvider *
provider (Guest *guest, const char *id)
{
  BeaconProvider *p =
      beacon_guest_store_lookup (beacon_guest_session_get_store (guest->session), id);

  g_assert_nonnull (p);
  return p;
}

static gboolean
is_live (gpointer data)
{
  return beacon_guest_session_get_state (data) == BEACON_SOCKET_STATE_CONNECTED;
}

static gboolean
fay_online (gpointer data)
{
  return beacon_provider_get_online (provider (data, "f"));
}

static gboolean
fay_offline (gpointer data)
{
  return !beacon_provider_get_online (provider (data, "f"));
}

static gboolean
gil_online (gpointer data)
{
  return beacon_provider_get_online (provider (data, "g"));
}

static void
test_browse (void)
{
  TestServer        *server = test_server_start (test_default_world, fast_guests);
  Guest             *guest = guest_new (server);
  g_autoptr (GError) error = NULL;
  TestClient        *fay, *ann, *gil;

  /* Searching needs no connection; nobody was ever online. */
  g_assert_true (search (guest, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (listed (guest), ==, "f,g");
  g_assert_cmpuint (beacon_guest_session_get_total (guest->session), ==, 2);
  g_assert_cmpstr (beacon_provider_get_name (provider (guest, "f")), ==, "Fay");
  g_assert_cmpstr (beacon_provider_get_headline (provider (guest, "g")), ==, "Translator");
  g_assert_false (beacon_provider_get_online (provider (guest, "f")));
  g_assert_cmpstr (beacon_provider_get_last_seen_label (provider (guest, "f")), ==, "Offline");

  g_assert_cmpint (beacon_guest_session_get_state (guest->session), ==,
                   BEACON_SOCKET_STATE_DISCONNECTED);
  beacon_guest_session_start (guest->session);
  test_wait_until (is_live, guest->session);
  guest->changes = 0;

  /* A freelancer signing in on "/" turns green for the guest. */
  fay = test_client_connect_user (server, "f");
  test_wait_until (fay_online, guest);
  g_assert_cmpuint (flips (guest, "f"), ==, 1);
  g_assert_cmpuint (flips (guest, "g"), ==, 0);
  g_assert_cmpstr (beacon_provider_get_last_seen_label (provider (guest, "f")), ==, "Online");
  g_assert_cmpuint (
      beacon_guest_store_get_online_count (beacon_guest_session_get_store (guest->session)), ==, 1);

  /* A client coming online changes nothing a guest sees: the next change the guest gets
   * is Gil's, and no list ever named Ann. */
  ann = test_client_connect_user (server, "a");
  gil = test_client_connect_user (server, "g");
  test_wait_until (gil_online, guest);
  g_assert_cmpuint (flips (guest, "f"), ==, 1);
  g_assert_cmpuint (flips (guest, "g"), ==, 1);
  for (guint i = 0; i < guest->lists->len; i++)
    g_assert_null (strstr (g_ptr_array_index (guest->lists, i), "\"a\""));
  g_assert_cmpuint (guest->changes, ==, 0); /* flips, never a rebuild */

  /* Fay signs out: gray again. The server hid her last seen so far (never seen). */
  test_client_free (fay);
  test_wait_until (fay_offline, guest);
  g_assert_cmpuint (flips (guest, "f"), ==, 2);
  g_assert_cmpstr (beacon_provider_get_last_seen_label (provider (guest, "f")), ==, "Offline");

  /* The filters reach the server. */
  g_assert_true (search (guest, NULL, "online", NULL, &error));
  g_assert_cmpstr (listed (guest), ==, "g");
  g_assert_true (search (guest, NULL, "offline", NULL, &error));
  g_assert_cmpstr (listed (guest), ==, "f");
  /* Now the server knows when she was last seen. */
  g_assert_nonnull (beacon_provider_get_last_seen (provider (guest, "f")));
  g_assert_true (
      g_str_has_prefix (beacon_provider_get_last_seen_label (provider (guest, "f")), "Last seen "));
  g_assert_true (search (guest, "translat", NULL, NULL, &error));
  g_assert_cmpstr (listed (guest), ==, "g");
  g_assert_true (beacon_provider_get_online (provider (guest, "g")));
  g_assert_no_error (error);

  /* A refused filter: the error and a sentence for the banner; the next search clears it. */
  g_assert_false (search (guest, NULL, "maybe", NULL, &error));
  g_assert_error (error, BEACON_API_ERROR, BEACON_API_ERROR_BAD_REQUEST);
  g_clear_error (&error);
  g_assert_nonnull (beacon_guest_session_get_error_message (guest->session));
  g_assert_cmpstr (listed (guest), ==, "g");
  g_assert_true (search (guest, NULL, NULL, NULL, &error));
  g_assert_null (beacon_guest_session_get_error_message (guest->session));

  beacon_guest_session_stop (guest->session);
  g_assert_cmpint (beacon_guest_session_get_state (guest->session), ==,
                   BEACON_SOCKET_STATE_DISCONNECTED);
  test_client_free (ann);
  test_client_free (gil);
  guest_free (guest);
  test_server_free (server);
}

static void
test_list_before_search (void)
{
  TestServer        *server = test_server_start (test_default_world, fast_guests);
  Guest             *guest = guest_new (server);
  TestClient        *fay = test_client_connect_user (server, "f");
  g_autoptr (GError) error = NULL;

  /* The online list comes before any search; the providers found later follow it. */
  beacon_guest_session_start (guest->session);
  test_wait_until (is_live, guest->session);
  g_assert_true (
      beacon_guest_store_has_online_ids (beacon_guest_session_get_store (guest->session)));
  g_assert_true (search (guest, NULL, NULL, "24h", &error));
  g_assert_no_error (error);
  /* Only Fay was active in the last 24 hours. */
  g_assert_cmpstr (listed (guest), ==, "f");
  g_assert_true (beacon_provider_get_online (provider (guest, "f")));

  test_client_free (fay);
  test_wait_until (fay_offline, guest);
  guest_free (guest);
  test_server_free (server);
}

static void
test_superseded_and_pages (void)
{
  g_autoptr (GString)      world = g_string_new ("{\"users\":[");
  TestServer              *server;
  Guest                   *guest;
  g_autoptr (GError)       error = NULL;
  g_autoptr (GAsyncResult) first = NULL;
  g_autoptr (GAsyncResult) second = NULL;
  g_autoptr (GAsyncResult) more = NULL;
  g_autoptr (GAsyncResult) none_left = NULL;

  for (guint i = 0; i < 60; i++)
    g_string_append_printf (world,
                            "%s{\"id\":\"p%02u\",\"email\":\"p%02u@test\",\"name\":\"P%02u\","
                            "\"role\":\"FREELANCER\"}",
                            i ? "," : "", i, i, i);
  g_string_append (world, "],\"friendships\":[]}");
  server = test_server_start (world->str, NULL);
  guest = guest_new (server);

  /* Two searches at once: the later one wins, whichever answer comes first. */
  beacon_guest_session_search_async (guest->session, "P0", NULL, NULL, NULL, on_done, &first);
  beacon_guest_session_search_async (guest->session, NULL, NULL, NULL, NULL, on_done, &second);
  test_wait_until (have_result, &first);
  test_wait_until (have_result, &second);
  g_assert_false (beacon_guest_session_search_finish (guest->session, first, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_true (beacon_guest_session_search_finish (guest->session, second, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (beacon_guest_session_get_total (guest->session), ==, 60);
  g_assert_cmpuint (
      g_list_model_get_n_items (G_LIST_MODEL (beacon_guest_session_get_store (guest->session))), ==,
      50);

  /* The next page is appended; then nothing is left. */
  beacon_guest_session_load_more_async (guest->session, NULL, on_done, &more);
  test_wait_until (have_result, &more);
  g_assert_true (beacon_guest_session_load_more_finish (guest->session, more, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (
      g_list_model_get_n_items (G_LIST_MODEL (beacon_guest_session_get_store (guest->session))), ==,
      60);
  g_assert_cmpstr (beacon_provider_get_id (provider (guest, "p59")), ==, "p59");
  beacon_guest_session_load_more_async (guest->session, NULL, on_done, &none_left);
  test_wait_until (have_result, &none_left);
  g_assert_true (beacon_guest_session_load_more_finish (guest->session, none_left, &error));
  g_assert_cmpuint (
      g_list_model_get_n_items (G_LIST_MODEL (beacon_guest_session_get_store (guest->session))), ==,
      60);

  /* The results hold the session. */
  g_clear_object (&first);
  g_clear_object (&second);
  g_clear_object (&more);
  g_clear_object (&none_left);
  guest_free (guest);
  test_server_free (server);
}

int
main (int argc, char *argv[])
{
  g_setenv ("LC_ALL", "C", TRUE);
  g_unsetenv ("LANGUAGE");
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/guest-session/browse", test_browse);
  g_test_add_func ("/guest-session/list-before-search", test_list_before_search);
  g_test_add_func ("/guest-session/superseded-and-pages", test_superseded_and_pages);

  return g_test_run ();
}

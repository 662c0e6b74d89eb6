/* test-account.c: integration test of BeaconAccount against the real Secret Service
 * (gnome-keyring on the private bus of build-aux/headless-session.sh): store, find, clear. */

#include "config.h"

#include <string.h>

#include "beacon-account.h"
#include "beacon-jwt.h"

#define SERVER "https://beacon.test"
#define EMAIL  "ada@example.org"

/* This test is always run inside build-aux/headless-session.sh: a missing session bus
 * or Secret Service is a failure, not a reason to skip. */
static gboolean
have_secret_service (void)
{
  g_autoptr (GDBusConnection) bus = NULL;
  g_autoptr (GVariant)        reply = NULL;
  g_autoptr (GError)          error = NULL;
  gboolean                    owned = FALSE;

  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL)
    {
      g_test_fail_printf ("DBUS_SESSION_BUS_ADDRESS is unset: run this test inside "
                          "build-aux/headless-session.sh, which starts gnome-keyring");
      return FALSE;
    }
  if (!(bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error)))
    {
      g_test_fail_printf ("No session bus at DBUS_SESSION_BUS_ADDRESS: %s", error->message);
      return FALSE;
    }
  reply = g_dbus_connection_call_sync (
      bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "NameHasOwner",
      g_variant_new ("(s)", "org.freedesktop.secrets"), G_VARIANT_TYPE ("(b)"),
      G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  if (reply != NULL)
    g_variant_get (reply, "(b)", &owned);
  if (!owned)
    {
      g_test_fail_printf ("No Secret Service (org.freedesktop.secrets) on the session bus: "
                          "run this test inside build-aux/headless-session.sh");
      return FALSE;
    }
  return TRUE;
}

static GAsyncResult *
wait_for (GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *result;
}

static void
on_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static void
store (BeaconAccount *account)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError)       error = NULL;

  beacon_account_store_token_async (account, NULL, on_done, &result);
  g_assert_true (beacon_account_store_token_finish (account, wait_for (&result), &error));
  g_assert_no_error (error);
}

static BeaconAccount *
lookup (const char *server)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError)       error = NULL;
  BeaconAccount           *found;

  beacon_account_lookup_async (server, NULL, on_done, &result);
  found = beacon_account_lookup_finish (wait_for (&result), &error);
  g_assert_no_error (error);
  return found;
}

static void
clear (BeaconAccount *account)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError)       error = NULL;

  beacon_account_clear_async (account, NULL, on_done, &result);
  g_assert_true (beacon_account_clear_finish (account, wait_for (&result), &error));
  g_assert_no_error (error);
}

/* Every item of the schema, as the keyring holds it. (The async call: the sync one
 * leaks a little inside GDBusProxy's initialisation on GLib 2.74.) */
static GList *
items_of_schema (void)
{
  g_autoptr (GHashTable)   attributes = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError)       error = NULL;
  GList                   *items;

  secret_password_searchv (beacon_account_get_schema (), attributes,
                           SECRET_SEARCH_ALL | SECRET_SEARCH_UNLOCK, NULL, on_done, &result);
  items = secret_password_search_finish (wait_for (&result), &error);
  g_assert_no_error (error);
  return items;
}

static void
remove_all (void)
{
  g_autoptr (GHashTable) attributes = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GError)     error = NULL;

  secret_password_clearv_sync (beacon_account_get_schema (), attributes, NULL, &error);
  g_assert_no_error (error);
}

static void
test_store_find_clear (void)
{
  g_autoptr (BeaconAccount) account = NULL;
  g_autoptr (BeaconAccount) found = NULL;
  g_autoptr (BeaconAccount) other = NULL;
  g_autoptr (BeaconAccount) renewed = NULL;
  g_autolist (GObject)      items = NULL;
  g_autoptr (GHashTable)    attributes = NULL;
  g_autofree char          *label = NULL;
  GHashTableIter            iter;
  gpointer                  key, value;

  if (!have_secret_service ())
    return;
  remove_all ();

  g_assert_null (lookup (SERVER));

  account = beacon_account_new (SERVER "/", EMAIL, "tok.en.one");
  g_assert_cmpstr (beacon_account_get_server (account), ==, SERVER);
  store (account);

  /* Found by the server alone, with or without a trailing slash. */
  found = lookup (SERVER);
  g_assert_nonnull (found);
  g_assert_cmpstr (beacon_account_get_server (found), ==, SERVER);
  g_assert_cmpstr (beacon_account_get_email (found), ==, EMAIL);
  g_assert_cmpstr (beacon_account_get_token (found), ==, "tok.en.one");
  g_clear_object (&found);
  found = lookup (SERVER "/");
  g_assert_nonnull (found);
  g_assert_null (lookup ("https://other.test"));

  /* In the keyring: one item, its label, its attributes server and email (and the
   * schema's name), never the token. */
  items = items_of_schema ();
  g_assert_cmpuint (g_list_length (items), ==, 1);
  label = secret_retrievable_get_label (items->data);
  g_assert_cmpstr (label, ==, "Beacon token for " EMAIL " on " SERVER);
  attributes = secret_retrievable_get_attributes (items->data);
  g_assert_cmpstr (g_hash_table_lookup (attributes, "server"), ==, SERVER);
  g_assert_cmpstr (g_hash_table_lookup (attributes, "email"), ==, EMAIL);
  g_assert_cmpstr (g_hash_table_lookup (attributes, "xdg:schema"), ==, "org.beaconim.Beacon.Token");
  g_assert_cmpuint (g_hash_table_size (attributes), ==, 3);
  g_hash_table_iter_init (&iter, attributes);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_assert_null (strstr (value, "tok.en"));
  g_clear_list (&items, g_object_unref);

  /* Storing again for the same server and email replaces the token. */
  renewed = beacon_account_new (SERVER, EMAIL, "tok.en.two");
  store (renewed);
  items = items_of_schema ();
  g_assert_cmpuint (g_list_length (items), ==, 1);
  g_clear_object (&found);
  found = lookup (SERVER);
  g_assert_cmpstr (beacon_account_get_token (found), ==, "tok.en.two");

  /* Another server keeps its own. */
  other = beacon_account_new ("https://other.test", "bob@example.org", "tok.en.bob");
  store (other);

  /* Cleared: gone, and clearing again is no error; the other server's stays. */
  clear (found);
  g_assert_null (lookup (SERVER));
  clear (found);
  g_clear_object (&found);
  found = lookup ("https://other.test");
  g_assert_nonnull (found);
  g_assert_cmpstr (beacon_account_get_email (found), ==, "bob@example.org");
  clear (other);
  g_assert_null (lookup ("https://other.test"));
}

static void
test_expires_at (void)
{
  static const guint8       key[] = "0123456789abcdef0123456789abcdef";
  g_autoptr (JsonObject)    claims = json_object_new ();
  g_autofree char          *token = NULL;
  g_autoptr (BeaconAccount) account = NULL;
  g_autoptr (BeaconAccount) opaque = NULL;
  g_autoptr (BeaconAccount) no_exp = NULL;
  g_autoptr (GDateTime)     expires = NULL;
  g_autoptr (GDateTime)     none = NULL;
  g_autofree char          *no_exp_token = NULL;

  json_object_set_string_member (claims, "sub", "u1");
  json_object_set_int_member (claims, "iat", 1795428000);
  json_object_set_int_member (claims, "exp", 1798020000);
  token = beacon_jwt_sign (claims, key, sizeof key - 1);
  account = beacon_account_new (SERVER, EMAIL, token);
  expires = beacon_account_token_expires_at (account);
  g_assert_nonnull (expires);
  g_assert_cmpint (g_date_time_to_unix (expires), ==, 1798020000);

  json_object_remove_member (claims, "exp");
  no_exp_token = beacon_jwt_sign (claims, key, sizeof key - 1);
  no_exp = beacon_account_new (SERVER, EMAIL, no_exp_token);
  none = beacon_account_token_expires_at (no_exp);
  g_assert_null (none);

  opaque = beacon_account_new (SERVER, EMAIL, "not a jwt");
  g_assert_null (beacon_account_token_expires_at (opaque));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/account/store-find-clear", test_store_find_clear);
  g_test_add_func ("/account/expires-at", test_expires_at);

  return g_test_run ();
}

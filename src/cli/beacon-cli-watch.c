/* beacon-cli-watch.c: beacon-cli watch: the contacts of a signed-in session, or with
 * --guest the freelancers, printed once and then again at each change, as they happen. */

#include "config.h"

#include <glib/gi18n.h>

#include "beacon-cli.h"

/* Signed in */

static void
print_contact (BeaconCli *cli, BeaconContact *contact)
{
  beacon_cli_print_changed (cli, beacon_contact_get_id (contact), beacon_cli_contact_json (contact),
                            beacon_cli_contact_text (contact));
}

static void
on_contact_notify (BeaconContact *contact, GParamSpec *pspec, BeaconCli *cli)
{
  print_contact (cli, contact);
}

/* Prints the contacts from @position on and follows their changes. */
static void
follow_contacts (BeaconCli *cli, GListModel *store, guint position, guint n)
{
  for (guint i = position; i < position + n; i++)
    {
      g_autoptr (BeaconContact) contact = g_list_model_get_item (store, i);

      print_contact (cli, contact);
      g_signal_connect (contact, "notify", G_CALLBACK (on_contact_notify), cli);
    }
}

static void
on_contacts_changed (GListModel *store, guint position, guint removed, guint added, BeaconCli *cli)
{
  follow_contacts (cli, store, position, added);
}

static void
watch_online (BeaconCli *cli)
{
  GListModel *store = G_LIST_MODEL (beacon_session_get_contacts (cli->session));

  follow_contacts (cli, store, 0, g_list_model_get_n_items (store));
  g_signal_connect (store, "items-changed", G_CALLBACK (on_contacts_changed), cli);
}

/* Guest */

static void
print_provider (BeaconCli *cli, BeaconProvider *provider)
{
  beacon_cli_print_changed (cli, beacon_provider_get_id (provider),
                            beacon_cli_provider_json (provider),
                            beacon_cli_provider_text (provider));
}

static void
on_provider_notify (BeaconProvider *provider, GParamSpec *pspec, BeaconCli *cli)
{
  print_provider (cli, provider);
}

static void
on_guest_state (BeaconGuestSession *session, GParamSpec *pspec, BeaconCli *cli)
{
  switch (beacon_guest_session_get_state (session))
    {
    case BEACON_SOCKET_STATE_CONNECTED:
      if (cli->was_online)
        g_printerr ("%s\n", _ ("Connected again."));
      cli->was_online = TRUE;
      break;

    case BEACON_SOCKET_STATE_RECONNECTING:
      if (!cli->was_online)
        beacon_cli_fail (cli, BEACON_CLI_EXIT_UNREACHABLE, "%s: %s", cli->server_url,
                         _ ("Cannot reach the server."));
      else
        g_printerr ("%s\n", _ ("Connection lost; reconnecting…"));
      break;

    case BEACON_SOCKET_STATE_DISCONNECTED:
    case BEACON_SOCKET_STATE_CONNECTING:
    default: break;
    }
}

/* Every page is in: print them all, then follow the online lists. */
static void
watch_guest_loaded (BeaconCli *cli)
{
  GListModel *store = G_LIST_MODEL (beacon_guest_session_get_store (cli->guest_session));

  for (guint i = 0; i < g_list_model_get_n_items (store); i++)
    {
      g_autoptr (BeaconProvider) provider = g_list_model_get_item (store, i);

      print_provider (cli, provider);
      g_signal_connect (provider, "notify", G_CALLBACK (on_provider_notify), cli);
    }
  g_signal_connect (cli->guest_session, "notify::state", G_CALLBACK (on_guest_state), cli);
  beacon_guest_session_start (cli->guest_session);
}

static void
on_page (GObject *source, GAsyncResult *result, gpointer user_data)
{
  BeaconCli          *cli = user_data;
  BeaconGuestSession *session = BEACON_GUEST_SESSION (source);
  g_autoptr (GError)  error = NULL;
  GListModel         *store = G_LIST_MODEL (beacon_guest_session_get_store (session));
  guint               n = g_list_model_get_n_items (store);
  gboolean            ok;

  if (g_async_result_is_tagged (result, beacon_guest_session_search_async))
    ok = beacon_guest_session_search_finish (session, result, &error);
  else
    ok = beacon_guest_session_load_more_finish (session, result, &error);
  if (!ok)
    {
      beacon_cli_fail_with_error (cli, error);
      return;
    }
  /* A page that brings nothing new ends the paging too (the list shrank meanwhile). */
  if (n < beacon_guest_session_get_total (session) && n > cli->n_loaded)
    {
      cli->n_loaded = n;
      beacon_guest_session_load_more_async (session, NULL, on_page, cli);
      return;
    }
  watch_guest_loaded (cli);
}

/**
 * beacon_cli_watch:
 * @cli: the run
 *
 * Signed in: prints each contact, then a line each time what is known of one changes
 * (not when only the time goes by). With --guest: the same for every freelancer, online
 * or not. One JSON object a line with --json. Runs until interrupted.
 */
void
beacon_cli_watch (BeaconCli *cli)
{
  if (!cli->guest)
    {
      beacon_cli_start_session (cli, watch_online);
      return;
    }
  cli->guest_session = beacon_guest_session_new (cli->server_url, NULL);
  beacon_guest_session_search_async (cli->guest_session, NULL, NULL, NULL, NULL, on_page, cli);
}
